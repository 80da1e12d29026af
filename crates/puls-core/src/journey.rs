//! Customer journeys as data: ordered stages, each with touchpoints; a touchpoint has a
//! channel, matches behavioural events (by name and property conditions) and surveys (by
//! their touchpoint).
//!
//! A definition is read with [`Journey::parse`] (every problem with its path, like a survey
//! definition) and printed back with [`Journey::to_value`];
//! `Journey::parse(&j.to_value()) == Ok(j)`.

use std::collections::{BTreeMap, BTreeSet};

use crate::attribute::{AttributeKey, AttributeValue, Predicate};
use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index, join};
use crate::ids::{Channel, Key, Locale, Touchpoint};
use crate::obj::Obj;
use crate::tracking::MessageType;
use crate::value::Value;

/// Limits of one journey definition.
pub mod limits {
    pub const MAX_STAGES: usize = 20;
    pub const MAX_TOUCHPOINTS: usize = 50;
    pub const MAX_MATCHERS: usize = 20;
    pub const MAX_CONDITIONS: usize = 10;
    pub const MAX_LABEL: usize = 200;
    pub const MAX_WINDOW_DAYS: i64 = 365;
    pub const DEFAULT_WINDOW_DAYS: i64 = 30;
}

/// A name shown to people: one text for every language, or texts by locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Plain(String),
    ByLocale(BTreeMap<Locale, String>),
}

impl Label {
    /// The text in `locale`, else English, else any.
    pub fn get(&self, locale: &str) -> &str {
        match self {
            Label::Plain(s) => s,
            Label::ByLocale(m) => m
                .iter()
                .find(|(l, _)| l.as_str() == locale || l.language() == locale)
                .or_else(|| m.iter().find(|(l, _)| l.language() == "en"))
                .or_else(|| m.iter().next())
                .map(|(_, s)| s.as_str())
                .unwrap_or(""),
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Label::Plain(s) => Value::str(s.clone()),
            Label::ByLocale(m) => Value::Map(
                m.iter()
                    .map(|(l, s)| (l.to_string(), Value::str(s.clone())))
                    .collect(),
            ),
        }
    }

    pub(crate) fn parse(v: &Value, path: &str, errs: &mut Errors) -> Label {
        let check = |s: &str, path: &str, errs: &mut Errors| {
            if s.trim().is_empty() {
                errs.push(path, K::Empty);
            } else if s.contains('\0') {
                errs.push(path, K::NulCharacter);
            } else if s.chars().count() > limits::MAX_LABEL {
                errs.push(
                    path,
                    K::TooLong {
                        max: limits::MAX_LABEL,
                    },
                );
            }
        };
        match v {
            Value::Str(s) => {
                check(s, path, errs);
                Label::Plain(s.clone())
            }
            Value::Map(m) if !m.is_empty() => {
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    let p = join(path, k);
                    let Ok(locale) = Locale::parse(k) else {
                        errs.push(p, K::UnknownLocale { locale: k.clone() });
                        continue;
                    };
                    match v.as_str() {
                        Some(s) => {
                            check(s, &p, errs);
                            out.insert(locale, s.to_string());
                        }
                        None => errs.push(
                            p,
                            K::WrongType {
                                expected: Expected::String,
                            },
                        ),
                    }
                }
                Label::ByLocale(out)
            }
            _ => {
                errs.push(
                    path,
                    K::WrongType {
                        expected: Expected::Texts,
                    },
                );
                Label::Plain(String::new())
            }
        }
    }
}

/// A condition on one event property: `{"property": "plan", "op": "eq", "value": "pro"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyCondition {
    /// The property, with nested objects dotted (`product.category`).
    pub property: AttributeKey,
    pub predicate: Predicate,
}

/// Which behavioural events count: `{"event": "Order Completed", "where": [...]}`,
/// `{"page": "Checkout"}`, `{"screen": "*"}` (`*` is any name).
#[derive(Debug, Clone, PartialEq)]
pub struct EventMatcher {
    /// Track, page or screen.
    pub kind: MessageType,
    /// The event's (page's, screen's) name; `None` matches any.
    pub name: Option<String>,
    /// All must hold.
    pub conditions: Vec<PropertyCondition>,
}

impl EventMatcher {
    /// Whether an event of `kind` named `name` matches by name (conditions aside).
    pub fn matches_name(&self, kind: MessageType, name: &str) -> bool {
        self.kind == kind && self.name.as_deref().is_none_or(|n| n == name)
    }

    /// Whether an event matches, given a way to read its properties.
    pub fn matches<'a>(
        &self,
        kind: MessageType,
        name: &str,
        property: impl Fn(&str) -> Option<&'a AttributeValue>,
    ) -> bool {
        self.matches_name(kind, name)
            && self
                .conditions
                .iter()
                .all(|c| c.predicate.test(property(c.property.as_str())))
    }

    /// Reads `event`/`page`/`screen` and `where` from an object whose other keys the caller
    /// reads.
    pub(crate) fn parse_from(o: &mut Obj<'_>, errs: &mut Errors) -> Option<EventMatcher> {
        let mut found = Vec::new();
        for (key, kind) in [
            ("event", MessageType::Track),
            ("page", MessageType::Page),
            ("screen", MessageType::Screen),
        ] {
            if let Some(v) = o.get(key) {
                found.push((key, kind, v));
            }
        }
        let (key, kind, v) = match found.as_slice() {
            [one] => *one,
            [] => {
                errs.push(o.path("event"), K::Required);
                return None;
            }
            [_, (second, ..), ..] => {
                errs.push(
                    o.path(second),
                    K::BadCondition {
                        reason: "give one of event, page or screen".into(),
                    },
                );
                return None;
            }
        };
        let name = match v {
            Value::Str(s) if s == "*" => None,
            Value::Str(s) if s.trim().is_empty() && kind == MessageType::Track => {
                errs.push(o.path(key), K::Empty);
                None
            }
            Value::Str(s) if s.chars().count() > crate::tracking::MAX_NAME => {
                errs.push(
                    o.path(key),
                    K::TooLong {
                        max: crate::tracking::MAX_NAME,
                    },
                );
                None
            }
            Value::Str(s) => Some(s.clone()),
            _ => {
                errs.push(
                    o.path(key),
                    K::WrongType {
                        expected: Expected::String,
                    },
                );
                None
            }
        };
        let mut conditions = Vec::new();
        let where_path = o.path("where");
        match o.get("where") {
            None => {}
            Some(Value::List(items)) => {
                if items.len() > limits::MAX_CONDITIONS {
                    errs.push(
                        &where_path,
                        K::TooMany {
                            max: limits::MAX_CONDITIONS,
                        },
                    );
                }
                for (i, item) in items.iter().enumerate().take(limits::MAX_CONDITIONS) {
                    let p = index(&where_path, i);
                    let Some(mut c) = Obj::new(item, &p, errs) else {
                        continue;
                    };
                    let property = c.req_str("property", errs).and_then(|s| {
                        AttributeKey::parse(s)
                            .map_err(|k| errs.push(join(&p, "property"), k))
                            .ok()
                    });
                    let predicate = Predicate::parse_from(&mut c, errs);
                    c.finish(errs);
                    if let (Some(property), Some(predicate)) = (property, predicate) {
                        conditions.push(PropertyCondition {
                            property,
                            predicate,
                        });
                    }
                }
            }
            Some(_) => errs.push(
                where_path,
                K::WrongType {
                    expected: Expected::Array,
                },
            ),
        }
        Some(EventMatcher {
            kind,
            name,
            conditions,
        })
    }

    /// Writes `event`/`page`/`screen` and `where` into `map`.
    pub(crate) fn write_to(&self, map: &mut BTreeMap<String, Value>) {
        let key = match self.kind {
            MessageType::Page => "page",
            MessageType::Screen => "screen",
            _ => "event",
        };
        map.insert(
            key.into(),
            Value::str(self.name.clone().unwrap_or_else(|| "*".into())),
        );
        if !self.conditions.is_empty() {
            map.insert(
                "where".into(),
                Value::List(
                    self.conditions
                        .iter()
                        .map(|c| {
                            let mut m = BTreeMap::new();
                            m.insert("property".into(), Value::str(c.property.to_string()));
                            c.predicate.write_to(&mut m);
                            Value::Map(m)
                        })
                        .collect(),
                ),
            );
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        self.write_to(&mut m);
        Value::Map(m)
    }
}

/// A point of contact within a stage: a channel, the events that show a customer was there,
/// and the surveys asked there.
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyTouchpoint {
    /// Unique within the journey; by default also the touchpoint of the surveys asked here.
    pub key: Touchpoint,
    pub name: Label,
    pub channel: Channel,
    /// Any one matching makes an event this touchpoint's.
    pub events: Vec<EventMatcher>,
    /// Survey touchpoints whose responses belong here (default: `[key]`).
    pub surveys: Vec<Touchpoint>,
    /// A moment that decides whether the customer stays.
    pub moment_of_truth: bool,
}

/// One stage of the journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub key: Key,
    pub name: Label,
    pub touchpoints: Vec<JourneyTouchpoint>,
    /// A side stage (a service loop: support, returns, complaints) that customers may or may
    /// not enter: it is off the main path, so it has no drop-off and no conversion of its
    /// own; the map counts who entered it and who came back to the main path after.
    pub side: bool,
    /// A side stage: "came back" means reaching the next main stage within this many days of
    /// entering the side stage (default: the journey's conversion window).
    pub return_within_days: Option<i64>,
}

impl Stage {
    /// The days within which a side stage's entrants count as having come back.
    pub fn return_days(&self, journey_window_days: i64) -> i64 {
        self.return_within_days.unwrap_or(journey_window_days)
    }
}

/// What a journey's feedback should reach: a touchpoint below it is not doing well.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Targets {
    /// NPS (−100…100).
    pub nps: Option<f64>,
    /// CSAT, percent of 4–5.
    pub csat: Option<f64>,
}

/// A journey: stages in the order customers go through them.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    pub key: Key,
    pub name: Label,
    /// Default conversion window of funnels over this journey, in days.
    pub conversion_window_days: i64,
    pub stages: Vec<Stage>,
    pub targets: Targets,
}

impl Journey {
    /// Reads a definition, reporting every problem with its path.
    pub fn parse(v: &Value) -> Result<Journey, FieldErrors> {
        let mut errs = Errors::default();
        let journey = parse_journey(v, &mut errs);
        match journey {
            Some(j) if errs.list.is_empty() => Ok(j),
            _ => Err(FieldErrors(errs.list)),
        }
    }

    /// The canonical definition.
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("key".into(), Value::str(self.key.to_string()));
        m.insert("name".into(), self.name.to_value());
        m.insert(
            "conversion_window_days".into(),
            Value::Int(self.conversion_window_days),
        );
        m.insert(
            "stages".into(),
            Value::List(
                self.stages
                    .iter()
                    .map(|s| {
                        let mut v = Value::map([
                            ("key", Value::str(s.key.to_string())),
                            ("name", s.name.to_value()),
                            (
                                "touchpoints",
                                Value::List(s.touchpoints.iter().map(touchpoint_value).collect()),
                            ),
                        ]);
                        if let (true, Value::Map(m)) = (s.side, &mut v) {
                            m.insert("side".into(), Value::Bool(true));
                            if let Some(d) = s.return_within_days {
                                m.insert("return_within_days".into(), Value::Int(d));
                            }
                        }
                        v
                    })
                    .collect(),
            ),
        );
        let mut targets = BTreeMap::new();
        if let Some(v) = self.targets.nps {
            targets.insert("nps".to_string(), Value::Float(v));
        }
        if let Some(v) = self.targets.csat {
            targets.insert("csat".to_string(), Value::Float(v));
        }
        if !targets.is_empty() {
            m.insert("targets".into(), Value::Map(targets));
        }
        Value::Map(m)
    }

    /// The journey along its main path: every stage that is not a side stage.
    pub fn main_path(&self) -> Journey {
        Journey {
            stages: self.stages.iter().filter(|s| !s.side).cloned().collect(),
            ..self.clone()
        }
    }

    /// Every touchpoint with its stage's index, in journey order.
    pub fn touchpoints(&self) -> impl Iterator<Item = (usize, &JourneyTouchpoint)> {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.touchpoints.iter().map(move |t| (i, t)))
    }
}

fn touchpoint_value(t: &JourneyTouchpoint) -> Value {
    let mut m = BTreeMap::new();
    m.insert("key".into(), Value::str(t.key.to_string()));
    m.insert("name".into(), t.name.to_value());
    m.insert("channel".into(), Value::str(t.channel.as_str()));
    m.insert(
        "events".into(),
        Value::List(t.events.iter().map(EventMatcher::to_value).collect()),
    );
    if t.surveys != [t.key.clone()] {
        m.insert(
            "surveys".into(),
            Value::List(
                t.surveys
                    .iter()
                    .map(|s| Value::str(s.to_string()))
                    .collect(),
            ),
        );
    }
    if t.moment_of_truth {
        m.insert("moment_of_truth".into(), Value::Bool(true));
    }
    Value::Map(m)
}

fn list<'a>(o: &mut Obj<'a>, key: &'static str, max: usize, errs: &mut Errors) -> &'a [Value] {
    let path = o.path(key);
    match o.req(key, errs) {
        Some(Value::List(items)) => {
            if items.is_empty() {
                errs.push(&path, K::Empty);
            }
            if items.len() > max {
                errs.push(&path, K::TooMany { max });
                return &items[..max];
            }
            items
        }
        Some(_) => {
            errs.push(
                path,
                K::WrongType {
                    expected: Expected::Array,
                },
            );
            &[]
        }
        None => &[],
    }
}

fn slug<T>(
    o: &mut Obj<'_>,
    key: &'static str,
    parse: impl Fn(&str) -> Result<T, K>,
    errs: &mut Errors,
) -> Option<T> {
    let path = o.path(key);
    o.req_str(key, errs)
        .and_then(|s| parse(s).map_err(|k| errs.push(path, k)).ok())
}

fn parse_journey(v: &Value, errs: &mut Errors) -> Option<Journey> {
    let mut o = Obj::new(v, "", errs)?;
    let key = slug(&mut o, "key", Key::parse, errs);
    let name = o
        .req("name", errs)
        .map(|v| Label::parse(v, "name", errs))
        .unwrap_or(Label::Plain(String::new()));
    let window = match o.int("conversion_window_days", errs) {
        None => limits::DEFAULT_WINDOW_DAYS,
        Some(d) if (1..=limits::MAX_WINDOW_DAYS).contains(&d) => d,
        Some(_) => {
            errs.push(
                "conversion_window_days",
                K::OutOfRange {
                    min: 1,
                    max: limits::MAX_WINDOW_DAYS,
                },
            );
            limits::DEFAULT_WINDOW_DAYS
        }
    };
    let mut stages = Vec::new();
    let mut stage_keys = BTreeSet::new();
    let mut touchpoint_keys: BTreeSet<String> = BTreeSet::new();
    for (i, sv) in list(&mut o, "stages", limits::MAX_STAGES, errs)
        .iter()
        .enumerate()
    {
        let p = index("stages", i);
        let Some(mut so) = Obj::new(sv, &p, errs) else {
            continue;
        };
        let skey = slug(&mut so, "key", Key::parse, errs);
        let sname = so
            .req("name", errs)
            .map(|v| Label::parse(v, &join(&p, "name"), errs))
            .unwrap_or(Label::Plain(String::new()));
        let side = so.bool("side", false, errs);
        let return_within_days = match so.int("return_within_days", errs) {
            None => None,
            Some(_) if !side => {
                errs.push(
                    join(&p, "return_within_days"),
                    K::BadCondition {
                        reason: "only a side stage has a return window".into(),
                    },
                );
                None
            }
            Some(d) if (1..=limits::MAX_WINDOW_DAYS).contains(&d) => Some(d),
            Some(_) => {
                errs.push(
                    join(&p, "return_within_days"),
                    K::OutOfRange {
                        min: 1,
                        max: limits::MAX_WINDOW_DAYS,
                    },
                );
                None
            }
        };
        let mut touchpoints = Vec::new();
        for (j, tv) in list(&mut so, "touchpoints", limits::MAX_TOUCHPOINTS, errs)
            .iter()
            .enumerate()
        {
            let tp = index(&join(&p, "touchpoints"), j);
            let parsed = parse_touchpoint(tv, &tp, errs);
            // Checked on the key as written, so a duplicate shows even beside other errors.
            if let Value::Map(m) = tv
                && let Some(Value::Str(k)) = m.get("key")
                && !touchpoint_keys.insert(k.clone())
            {
                errs.push(join(&tp, "key"), K::Duplicate { id: k.clone() });
            }
            touchpoints.extend(parsed);
        }
        so.finish(errs);
        if let Some(k) = skey {
            if !stage_keys.insert(k.clone()) {
                errs.push(join(&p, "key"), K::Duplicate { id: k.to_string() });
            }
            stages.push(Stage {
                key: k,
                name: sname,
                touchpoints,
                side,
                return_within_days,
            });
        }
    }
    let targets = parse_targets(&mut o, errs);
    o.finish(errs);
    Some(Journey {
        key: key?,
        name,
        conversion_window_days: window,
        stages,
        targets,
    })
}

/// `targets`: `{"nps": −100…100, "csat": 0…100}`, both optional.
fn parse_targets(o: &mut Obj<'_>, errs: &mut Errors) -> Targets {
    let Some(v) = o.get("targets") else {
        return Targets::default();
    };
    let Some(mut t) = Obj::new(v, "targets", errs) else {
        return Targets::default();
    };
    let mut read = |key: &'static str, min: i64, max: i64| match t.get(key) {
        None => None,
        Some(Value::Int(n)) if (min..=max).contains(n) => Some(*n as f64),
        Some(Value::Float(f)) if f.is_finite() && (min as f64..=max as f64).contains(f) => Some(*f),
        Some(_) => {
            errs.push(format!("targets.{key}"), K::OutOfRange { min, max });
            None
        }
    };
    let targets = Targets {
        nps: read("nps", -100, 100),
        csat: read("csat", 0, 100),
    };
    t.finish(errs);
    targets
}

fn parse_touchpoint(v: &Value, path: &str, errs: &mut Errors) -> Option<JourneyTouchpoint> {
    let mut o = Obj::new(v, path, errs)?;
    let key = slug(&mut o, "key", Touchpoint::parse, errs);
    let name = match o.get("name") {
        Some(v) => Label::parse(v, &o.path("name"), errs),
        None => Label::Plain(key.as_ref().map(|k| k.to_string()).unwrap_or_default()),
    };
    let channel = slug(&mut o, "channel", Channel::parse, errs);
    let mut events = Vec::new();
    let events_path = o.path("events");
    match o.get("events") {
        None => {}
        Some(Value::List(items)) => {
            if items.len() > limits::MAX_MATCHERS {
                errs.push(
                    &events_path,
                    K::TooMany {
                        max: limits::MAX_MATCHERS,
                    },
                );
            }
            for (i, item) in items.iter().enumerate().take(limits::MAX_MATCHERS) {
                let p = index(&events_path, i);
                let Some(mut m) = Obj::new(item, &p, errs) else {
                    continue;
                };
                let matcher = EventMatcher::parse_from(&mut m, errs);
                m.finish(errs);
                events.extend(matcher);
            }
        }
        Some(_) => errs.push(
            events_path,
            K::WrongType {
                expected: Expected::Array,
            },
        ),
    }
    let surveys_path = o.path("surveys");
    let surveys = match o.get("surveys") {
        None => key.iter().cloned().collect(),
        Some(Value::List(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let p = index(&surveys_path, i);
                match s.as_str() {
                    Some(s) => Touchpoint::parse(s).map_err(|k| errs.push(p, k)).ok(),
                    None => {
                        errs.push(
                            p,
                            K::WrongType {
                                expected: Expected::String,
                            },
                        );
                        None
                    }
                }
            })
            .collect(),
        Some(_) => {
            errs.push(
                surveys_path,
                K::WrongType {
                    expected: Expected::Array,
                },
            );
            Vec::new()
        }
    };
    let moment_of_truth = o.bool("moment_of_truth", false, errs);
    o.finish(errs);
    Some(JourneyTouchpoint {
        key: key?,
        name,
        channel: channel?,
        events,
        surveys,
        moment_of_truth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(key: &str, channel: &str, events: Vec<Value>) -> Value {
        Value::map([
            ("key", Value::str(key)),
            ("channel", Value::str(channel)),
            ("events", Value::List(events)),
        ])
    }

    fn sample() -> Value {
        Value::map([
            ("key", Value::str("eshop")),
            (
                "name",
                Value::map([("pl", Value::str("Sklep")), ("en", Value::str("Shop"))]),
            ),
            (
                "stages",
                Value::List(vec![
                    Value::map([
                        ("key", Value::str("consideration")),
                        ("name", Value::str("Consideration")),
                        (
                            "touchpoints",
                            Value::List(vec![tp(
                                "product-page",
                                "web",
                                vec![Value::map([("page", Value::str("Product"))])],
                            )]),
                        ),
                    ]),
                    Value::map([
                        ("key", Value::str("purchase")),
                        ("name", Value::str("Purchase")),
                        (
                            "touchpoints",
                            Value::List(vec![tp(
                                "checkout-app",
                                "in_app",
                                vec![Value::map([
                                    ("event", Value::str("Order Completed")),
                                    (
                                        "where",
                                        Value::List(vec![Value::map([
                                            ("property", Value::str("platform")),
                                            ("op", Value::str("eq")),
                                            ("value", Value::str("app")),
                                        ])]),
                                    ),
                                ])],
                            )]),
                        ),
                    ]),
                ]),
            ),
        ])
    }

    #[test]
    fn a_journey_parses_and_prints_back_unchanged() {
        let j = Journey::parse(&sample()).unwrap();
        assert_eq!(j.conversion_window_days, 30);
        assert_eq!(j.stages.len(), 2);
        assert_eq!(j.name.get("pl"), "Sklep");
        assert_eq!(j.name.get("cs"), "Shop");
        let checkout = &j.stages[1].touchpoints[0];
        assert_eq!(
            checkout.surveys,
            [Touchpoint::parse("checkout-app").unwrap()]
        );
        assert_eq!(Journey::parse(&j.to_value()), Ok(j));
    }

    #[test]
    fn matchers_test_names_and_properties() {
        let j = Journey::parse(&sample()).unwrap();
        let m = &j.stages[1].touchpoints[0].events[0];
        let app = AttributeValue::Text("app".into());
        let web = AttributeValue::Text("web".into());
        assert!(m.matches(MessageType::Track, "Order Completed", |_| Some(&app)));
        assert!(!m.matches(MessageType::Track, "Order Completed", |_| Some(&web)));
        assert!(!m.matches(MessageType::Track, "Order Completed", |_| None));
        assert!(!m.matches(MessageType::Page, "Order Completed", |_| Some(&app)));
    }

    #[test]
    fn problems_are_reported_with_paths() {
        let bad = Value::map([
            ("key", Value::str("Bad Key")),
            ("name", Value::str("x")),
            ("conversion_window_days", Value::Int(0)),
            (
                "stages",
                Value::List(vec![
                    Value::map([
                        ("key", Value::str("a")),
                        ("name", Value::str("A")),
                        (
                            "touchpoints",
                            Value::List(vec![
                                tp("t", "fax", vec![Value::Map(Default::default())]),
                                tp(
                                    "t",
                                    "web",
                                    vec![Value::map([
                                        ("page", Value::str("P")),
                                        ("event", Value::str("E")),
                                    ])],
                                ),
                            ]),
                        ),
                    ]),
                    Value::map([("key", Value::str("a")), ("name", Value::str("A"))]),
                ]),
            ),
        ]);
        let errs = Journey::parse(&bad).unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .0
            .iter()
            .map(|e| (e.path.as_str(), e.kind.code()))
            .collect();
        assert_eq!(
            got,
            [
                ("key", "invalid_id"),
                ("conversion_window_days", "out_of_range"),
                ("stages[0].touchpoints[0].channel", "not_one_of"),
                ("stages[0].touchpoints[0].events[0].event", "required"),
                ("stages[0].touchpoints[1].events[0].page", "bad_condition"),
                ("stages[0].touchpoints[1].key", "duplicate_id"),
                ("stages[1].touchpoints", "required"),
                ("stages[1].key", "duplicate_id"),
            ]
        );
    }
}
