//! Segments: saved rules that pick contacts by their attributes, their behaviour ("did
//! `Order Completed` at least 2 times in 90 days") and their feedback ("last NPS ≤ 6").
//!
//! A rule is read with [`SegmentDef::parse`] and printed with [`SegmentDef::to_value`];
//! evaluating it over a workspace's contacts, events and responses is the analytics layer's
//! job (`puls-journey`), which turns each leaf into a set of contacts and combines the sets.

use std::collections::BTreeMap;

use crate::attribute::{AttributeKey, Predicate};
use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index};
use crate::ids::{Key, Purpose, Touchpoint};
use crate::journey::{EventMatcher, Label};
use crate::obj::Obj;
use crate::value::Value;

/// Limits of one segment definition.
pub mod limits {
    pub const MAX_RULES: usize = 50;
    pub const MAX_DEPTH: usize = 6;
    pub const MAX_DAYS: i64 = 3660;
}

/// A contact's own fields that rules can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    ExternalId,
    Email,
    Phone,
    Name,
    Locale,
    /// When the contact was created (a date).
    CreatedAt,
}

impl ContactField {
    pub const ALL: [ContactField; 6] = [
        ContactField::ExternalId,
        ContactField::Email,
        ContactField::Phone,
        ContactField::Name,
        ContactField::Locale,
        ContactField::CreatedAt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactField::ExternalId => "external_id",
            ContactField::Email => "email",
            ContactField::Phone => "phone",
            ContactField::Name => "name",
            ContactField::Locale => "locale",
            ContactField::CreatedAt => "created_at",
        }
    }
}

/// The feedback metric a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackMetric {
    Nps,
    Csat,
    Ces,
}

impl FeedbackMetric {
    pub const ALL: [FeedbackMetric; 3] = [
        FeedbackMetric::Nps,
        FeedbackMetric::Csat,
        FeedbackMetric::Ces,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackMetric::Nps => "nps",
            FeedbackMetric::Csat => "csat",
            FeedbackMetric::Ces => "ces",
        }
    }
}

/// Which of a contact's scores a feedback rule tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The most recent one.
    Last,
    /// Any one of them.
    Any,
    /// Their mean.
    Average,
}

impl Which {
    pub const ALL: [Which; 3] = [Which::Last, Which::Any, Which::Average];

    pub fn as_str(self) -> &'static str {
        match self {
            Which::Last => "last",
            Which::Any => "any",
            Which::Average => "average",
        }
    }
}

/// A segment rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Not(Box<Rule>),
    /// `{"attribute": "plan", "op": "eq", "value": "pro"}`
    Attribute {
        key: AttributeKey,
        predicate: Predicate,
    },
    /// `{"contact": "locale", "op": "in", "values": ["pl", "cs"]}`
    Field {
        field: ContactField,
        predicate: Predicate,
    },
    /// `{"consent": "email_marketing"}` (granted) or with `"granted": false`.
    Consent {
        purpose: Purpose,
        granted: bool,
    },
    /// `{"event": "Order Completed", "where": [...], "min": 2, "max": 5, "within_days": 90}`:
    /// the number of matching events (in the last `within_days` days, or ever) is in
    /// `min..=max` (`min` defaults to 1).
    Behaviour {
        matcher: EventMatcher,
        min: u32,
        max: Option<u32>,
        within_days: Option<i64>,
    },
    /// `{"feedback": "nps", "op": "lte", "value": 6}`: the contact's last (or any, or
    /// average) score of the metric, optionally only at one touchpoint or within days.
    Feedback {
        metric: FeedbackMetric,
        which: Which,
        predicate: Predicate,
        touchpoint: Option<Touchpoint>,
        within_days: Option<i64>,
    },
}

/// A saved segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentDef {
    pub key: Key,
    pub name: Label,
    pub rule: Rule,
}

impl SegmentDef {
    /// Reads `{"key", "name", "rule"}`, reporting every problem with its path.
    pub fn parse(v: &Value) -> Result<SegmentDef, FieldErrors> {
        let mut errs = Errors::default();
        let def = (|| {
            let mut o = Obj::new(v, "", &mut errs)?;
            let key_path = o.path("key");
            let key = o
                .req_str("key", &mut errs)
                .and_then(|s| Key::parse(s).map_err(|k| errs.push(key_path, k)).ok());
            let name = o
                .req("name", &mut errs)
                .map(|v| Label::parse(v, "name", &mut errs));
            let mut count = 0;
            let rule = o
                .req("rule", &mut errs)
                .and_then(|v| parse_rule(v, "rule", 0, &mut count, &mut errs));
            o.finish(&mut errs);
            Some(SegmentDef {
                key: key?,
                name: name?,
                rule: rule?,
            })
        })();
        match def {
            Some(d) if errs.list.is_empty() => Ok(d),
            _ => Err(FieldErrors(errs.list)),
        }
    }

    pub fn to_value(&self) -> Value {
        Value::map([
            ("key", Value::str(self.key.to_string())),
            ("name", self.name.to_value()),
            ("rule", self.rule.to_value()),
        ])
    }
}

impl Rule {
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        match self {
            Rule::All(rules) => {
                m.insert(
                    "all".into(),
                    Value::List(rules.iter().map(Rule::to_value).collect()),
                );
            }
            Rule::Any(rules) => {
                m.insert(
                    "any".into(),
                    Value::List(rules.iter().map(Rule::to_value).collect()),
                );
            }
            Rule::Not(rule) => {
                m.insert("not".into(), rule.to_value());
            }
            Rule::Attribute { key, predicate } => {
                m.insert("attribute".into(), Value::str(key.to_string()));
                predicate.write_to(&mut m);
            }
            Rule::Field { field, predicate } => {
                m.insert("contact".into(), Value::str(field.as_str()));
                predicate.write_to(&mut m);
            }
            Rule::Consent { purpose, granted } => {
                m.insert("consent".into(), Value::str(purpose.to_string()));
                if !granted {
                    m.insert("granted".into(), Value::Bool(false));
                }
            }
            Rule::Behaviour {
                matcher,
                min,
                max,
                within_days,
            } => {
                matcher.write_to(&mut m);
                if *min != 1 {
                    m.insert("min".into(), Value::Int(i64::from(*min)));
                }
                if let Some(max) = max {
                    m.insert("max".into(), Value::Int(i64::from(*max)));
                }
                if let Some(d) = within_days {
                    m.insert("within_days".into(), Value::Int(*d));
                }
            }
            Rule::Feedback {
                metric,
                which,
                predicate,
                touchpoint,
                within_days,
            } => {
                m.insert("feedback".into(), Value::str(metric.as_str()));
                if *which != Which::Last {
                    m.insert("which".into(), Value::str(which.as_str()));
                }
                predicate.write_to(&mut m);
                if let Some(t) = touchpoint {
                    m.insert("touchpoint".into(), Value::str(t.to_string()));
                }
                if let Some(d) = within_days {
                    m.insert("within_days".into(), Value::Int(*d));
                }
            }
        }
        Value::Map(m)
    }

    /// Every leaf of the rule, depth first.
    pub fn leaves(&self) -> Vec<&Rule> {
        match self {
            Rule::All(rules) | Rule::Any(rules) => rules.iter().flat_map(Rule::leaves).collect(),
            Rule::Not(rule) => rule.leaves(),
            leaf => vec![leaf],
        }
    }
}

fn one_of<T: Copy>(
    s: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    path: String,
    errs: &mut Errors,
) -> Option<T> {
    let found = all.iter().copied().find(|t| name(*t) == s);
    if found.is_none() {
        errs.push(
            path,
            K::NotOneOf {
                allowed: all.iter().map(|t| name(*t)).collect::<Vec<_>>().join(", "),
            },
        );
    }
    found
}

fn days(o: &mut Obj<'_>, errs: &mut Errors) -> Option<i64> {
    let d = o.int("within_days", errs)?;
    if !(1..=limits::MAX_DAYS).contains(&d) {
        errs.push(
            o.path("within_days"),
            K::OutOfRange {
                min: 1,
                max: limits::MAX_DAYS,
            },
        );
        return None;
    }
    Some(d)
}

fn count(o: &mut Obj<'_>, key: &'static str, errs: &mut Errors) -> Option<u32> {
    let n = o.int(key, errs)?;
    match u32::try_from(n) {
        Ok(n) if n <= 1_000_000 => Some(n),
        _ => {
            errs.push(
                o.path(key),
                K::OutOfRange {
                    min: 0,
                    max: 1_000_000,
                },
            );
            None
        }
    }
}

fn parse_rule(
    v: &Value,
    path: &str,
    depth: usize,
    count_so_far: &mut usize,
    errs: &mut Errors,
) -> Option<Rule> {
    *count_so_far += 1;
    if *count_so_far > limits::MAX_RULES {
        if *count_so_far == limits::MAX_RULES + 1 {
            errs.push(
                path,
                K::TooMany {
                    max: limits::MAX_RULES,
                },
            );
        }
        return None;
    }
    if depth > limits::MAX_DEPTH {
        errs.push(
            path,
            K::BadCondition {
                reason: format!("rules nest at most {} deep", limits::MAX_DEPTH),
            },
        );
        return None;
    }
    let mut o = Obj::new(v, path, errs)?;
    let has = |k: &str| o.map.contains_key(k);
    let rule = if has("all") || has("any") {
        let key = if has("all") { "all" } else { "any" };
        let list_path = o.path(key);
        let rules = match o.get(key) {
            Some(Value::List(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    parse_rule(r, &index(&list_path, i), depth + 1, count_so_far, errs)
                })
                .collect(),
            _ => {
                errs.push(
                    list_path,
                    K::WrongType {
                        expected: Expected::Conditions,
                    },
                );
                Vec::new()
            }
        };
        if key == "all" {
            Rule::All(rules)
        } else {
            Rule::Any(rules)
        }
    } else if has("not") {
        let p = o.path("not");
        let inner = o
            .get("not")
            .and_then(|r| parse_rule(r, &p, depth + 1, count_so_far, errs));
        Rule::Not(Box::new(inner?))
    } else if has("attribute") {
        let p = o.path("attribute");
        let key = o
            .str("attribute", errs)
            .and_then(|s| AttributeKey::parse(s).map_err(|k| errs.push(p, k)).ok());
        let predicate = Predicate::parse_from(&mut o, errs);
        o.finish(errs);
        return Some(Rule::Attribute {
            key: key?,
            predicate: predicate?,
        });
    } else if has("contact") {
        let p = o.path("contact");
        let field = o
            .str("contact", errs)
            .and_then(|s| one_of(s, &ContactField::ALL, ContactField::as_str, p, errs));
        let predicate = Predicate::parse_from(&mut o, errs);
        o.finish(errs);
        return Some(Rule::Field {
            field: field?,
            predicate: predicate?,
        });
    } else if has("consent") {
        let p = o.path("consent");
        let purpose = o
            .str("consent", errs)
            .and_then(|s| Purpose::parse(s).map_err(|k| errs.push(p, k)).ok());
        let granted = o.bool("granted", true, errs);
        o.finish(errs);
        return Some(Rule::Consent {
            purpose: purpose?,
            granted,
        });
    } else if has("feedback") {
        let p = o.path("feedback");
        let metric = o
            .str("feedback", errs)
            .and_then(|s| one_of(s, &FeedbackMetric::ALL, FeedbackMetric::as_str, p, errs));
        let which_path = o.path("which");
        let which = match o.str("which", errs) {
            None => Some(Which::Last),
            Some(s) => one_of(s, &Which::ALL, Which::as_str, which_path, errs),
        };
        let predicate = Predicate::parse_from(&mut o, errs);
        let tp_path = o.path("touchpoint");
        let touchpoint = o
            .str("touchpoint", errs)
            .and_then(|s| Touchpoint::parse(s).map_err(|k| errs.push(tp_path, k)).ok());
        let within_days = days(&mut o, errs);
        o.finish(errs);
        return Some(Rule::Feedback {
            metric: metric?,
            which: which?,
            predicate: predicate?,
            touchpoint,
            within_days,
        });
    } else if has("event") || has("page") || has("screen") {
        let matcher = EventMatcher::parse_from(&mut o, errs);
        let min = count(&mut o, "min", errs).unwrap_or(1);
        let max = count(&mut o, "max", errs);
        if max.is_some_and(|max| max < min) {
            errs.push(o.path("max"), K::MinNotBelowMax);
        }
        let within_days = days(&mut o, errs);
        o.finish(errs);
        return Some(Rule::Behaviour {
            matcher: matcher?,
            min,
            max,
            within_days,
        });
    } else {
        errs.push(
            path,
            K::BadCondition {
                reason: "a rule needs one of all, any, not, attribute, contact, consent, \
                         event, page, screen or feedback"
                    .into(),
            },
        );
        return None;
    };
    o.finish(errs);
    Some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribute::Op;

    fn segment(rule: Value) -> Value {
        Value::map([
            ("key", Value::str("s")),
            ("name", Value::str("S")),
            ("rule", rule),
        ])
    }

    #[test]
    fn rules_of_every_kind_parse_and_print_back() {
        let rule = Value::map([(
            "all",
            Value::List(vec![
                Value::map([
                    ("attribute", Value::str("plan")),
                    ("op", Value::str("eq")),
                    ("value", Value::str("pro")),
                ]),
                Value::map([
                    ("contact", Value::str("locale")),
                    ("op", Value::str("in")),
                    (
                        "values",
                        Value::List(vec![Value::str("pl"), Value::str("cs")]),
                    ),
                ]),
                Value::map([("consent", Value::str("email_marketing"))]),
                Value::map([
                    ("event", Value::str("Order Completed")),
                    ("min", Value::Int(2)),
                    ("within_days", Value::Int(90)),
                ]),
                Value::map([(
                    "not",
                    Value::map([
                        ("feedback", Value::str("nps")),
                        ("op", Value::str("lte")),
                        ("value", Value::Int(6)),
                    ]),
                )]),
            ]),
        )]);
        let def = SegmentDef::parse(&segment(rule)).unwrap();
        assert_eq!(def.rule.leaves().len(), 5);
        match &def.rule.leaves()[4] {
            Rule::Feedback {
                which, predicate, ..
            } => {
                assert_eq!(*which, Which::Last);
                assert_eq!(predicate.op, Op::Lte);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(SegmentDef::parse(&def.to_value()), Ok(def));
    }

    #[test]
    fn bad_rules_are_reported_with_paths() {
        let rule = Value::map([(
            "any",
            Value::List(vec![
                Value::map([
                    ("feedback", Value::str("ltv")),
                    ("op", Value::str("gt")),
                    ("value", Value::Int(1)),
                ]),
                Value::map([
                    ("event", Value::str("X")),
                    ("min", Value::Int(3)),
                    ("max", Value::Int(2)),
                ]),
                Value::map([("colour", Value::str("red"))]),
                Value::map([("attribute", Value::str("plan")), ("op", Value::str("eq"))]),
            ]),
        )]);
        let errs = SegmentDef::parse(&segment(rule)).unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .0
            .iter()
            .map(|e| (e.path.as_str(), e.kind.code()))
            .collect();
        assert_eq!(
            got,
            [
                ("rule.any[0].feedback", "not_one_of"),
                ("rule.any[1].max", "min_not_below_max"),
                ("rule.any[2]", "bad_condition"),
                ("rule.any[3].value", "required"),
            ]
        );
    }
}
