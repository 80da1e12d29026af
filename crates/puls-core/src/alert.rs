//! Alert rules on responses: "when a response to the delivery survey has NPS ≤ 6 and
//! mentions the courier, open a high-priority case for the couriers' team and tell the
//! owners".
//!
//! A rule is read with [`AlertRule::parse`] (every problem at its path) and printed with
//! [`AlertRule::to_value`]; [`AlertRule::matches`] tests it against one response's
//! [`ResponseFacts`], which the application layer builds from a stored response and its
//! survey. Texts are compared folded (`text::fold`: case, Polish and Czech marks and runs of
//! spaces ignored), as in search.

use std::collections::BTreeMap;

use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index, join};
use crate::ids::{Channel, Key, QuestionId, SurveyId, Touchpoint, UserId};
use crate::journey::Label;
use crate::obj::Obj;
use crate::text::fold;
use crate::value::Value;

/// Limits of one rule.
pub mod limits {
    pub const MAX_CONDITIONS: usize = 20;
    pub const MAX_VALUES: usize = 50;
    pub const MAX_PHRASE: usize = 200;
    pub const MAX_RECIPIENTS: usize = 20;
    pub const MAX_LINK_DAYS: i64 = 365;
}

/// The metric a score condition reads when it names no question: the survey's first
/// question of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScoreMetric {
    Nps,
    Csat,
    Ces,
}

impl ScoreMetric {
    pub const ALL: [ScoreMetric; 3] = [ScoreMetric::Nps, ScoreMetric::Csat, ScoreMetric::Ces];

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreMetric::Nps => "nps",
            ScoreMetric::Csat => "csat",
            ScoreMetric::Ces => "ces",
        }
    }
}

/// Which score a condition reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreOf {
    Question(QuestionId),
    Metric(ScoreMetric),
}

/// One test of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// A score within `[at_least, at_most]` (either end open).
    Score {
        of: ScoreOf,
        at_least: Option<i64>,
        at_most: Option<i64>,
    },
    /// A choice question answered with any of these options.
    Answer {
        question: QuestionId,
        any_of: Vec<String>,
    },
    /// An open text (of one question, or any) containing any of these phrases, folded.
    Text {
        question: Option<QuestionId>,
        /// Folded phrases.
        any_of: Vec<String>,
        /// As written, for printing.
        written: Vec<String>,
    },
    Touchpoint(Vec<Touchpoint>),
    Channel(Vec<Channel>),
    /// A response attribute (hidden field) equal to any of these values.
    Attribute {
        name: String,
        any_of: Vec<String>,
    },
    /// The response's contact is a member of the segment now.
    Segment(Key),
    /// What text analysis read in one of the open answers: this sentiment (`neg`, `neu`,
    /// `pos`), this aspect, or (both) the aspect spoken of with the sentiment ("negative
    /// about delivery"). Known only once the answers are read, after the response is
    /// stored: a rule with such a condition is checked then, not at completion.
    Reading {
        sentiment: Option<String>,
        aspect: Option<Key>,
    },
}

/// What text analysis read in one open answer: its sentiment and its aspects with theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerReading {
    pub sentiment: String,
    pub aspects: Vec<(String, String)>,
}

/// The sentiments text analysis names.
pub const SENTIMENTS: [&str; 3] = ["neg", "neu", "pos"];

/// How a rule's conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    All,
    Any,
}

/// A case's priority; it picks the SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    fn allowed() -> String {
        Priority::ALL.map(Priority::as_str).join(", ")
    }
}

/// Opening a case when the rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAction {
    pub priority: Priority,
    pub owner: Option<UserId>,
    pub team: Option<Key>,
    /// A new matching response from a contact with a case opened within this many days
    /// joins that case (reopening it when resolved) instead of opening another.
    pub link_within_days: i64,
}

/// Who is told by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recipient {
    /// The workspace's owners and admins.
    Admins,
    /// A user of the workspace, by e-mail address.
    User(String),
}

/// What a rule does when it matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actions {
    pub case: Option<CaseAction>,
    pub email: Vec<Recipient>,
    /// Collect the e-mails into each recipient's daily digest instead of one per alert.
    pub digest: bool,
    /// Send `alert.fired` to the webhooks that take it.
    pub webhook: bool,
}

/// A saved rule on responses.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub key: Key,
    pub name: Label,
    pub enabled: bool,
    /// Only responses to this survey (all surveys when absent).
    pub survey: Option<SurveyId>,
    pub matching: Match,
    /// Conditions on each response (empty for a metric rule).
    pub conditions: Vec<Condition>,
    /// A metric rule: what it watches instead of single responses.
    pub watch: Option<MetricWatch>,
    pub actions: Actions,
}

/// What a metric rule groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchBy {
    Touchpoint,
    Channel,
    Survey,
}

impl WatchBy {
    pub const ALL: [WatchBy; 3] = [WatchBy::Touchpoint, WatchBy::Channel, WatchBy::Survey];

    pub fn as_str(self) -> &'static str {
        match self {
            WatchBy::Touchpoint => "touchpoint",
            WatchBy::Channel => "channel",
            WatchBy::Survey => "survey",
        }
    }
}

/// The period a metric rule compares: the last complete one with the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchPeriod {
    Week,
    Month,
}

impl WatchPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchPeriod::Week => "week",
            WatchPeriod::Month => "month",
        }
    }
}

/// When a watched group alarms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WatchTest {
    /// The metric dropped significantly against the previous period: Puls's change test
    /// on each group with at least `min_n` answers on both sides, then Benjamini–Hochberg
    /// across the groups at false discovery rate `fdr`.
    Drop { min_n: u64, fdr: f64 },
    /// The metric is below `value` with at least `min_n` answers.
    Below { value: f64, min_n: u64 },
}

/// A metric rule: a score of groups (touchpoints, channels, surveys) watched period by
/// period, evaluated on a schedule in the workspace's time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricWatch {
    pub metric: ScoreMetric,
    pub by: WatchBy,
    /// Only these groups (empty: every group).
    pub only: Vec<String>,
    pub every: WatchPeriod,
    pub test: WatchTest,
}

/// What a rule can read of one completed response.
#[derive(Clone, Copy)]
pub struct ResponseFacts<'a> {
    pub survey: &'a str,
    pub touchpoint: &'a str,
    pub channel: &'a str,
    pub attributes: &'a BTreeMap<String, String>,
    /// Answers by question id, as stored.
    pub answers: &'a BTreeMap<String, Value>,
    /// The survey's first question of each metric.
    pub metric_questions: &'a [(ScoreMetric, String)],
    /// Open texts (and "other" texts of choices) by question id.
    pub texts: &'a [(String, String)],
    /// Whether the response's contact is in a segment now.
    pub in_segment: &'a (dyn Fn(&Key) -> bool + Sync),
    /// What text analysis read in its open answers; `None` when not read (yet).
    pub readings: Option<&'a [AnswerReading]>,
}

impl AlertRule {
    /// Whether the rule looks at what text analysis read (it is checked once the answers
    /// are read, not when the response completes).
    pub fn reads_text(&self) -> bool {
        self.conditions
            .iter()
            .any(|c| matches!(c, Condition::Reading { .. }))
    }

    /// Whether the rule is on and the response matches it.
    pub fn matches(&self, f: &ResponseFacts<'_>) -> bool {
        if !self.enabled
            || self.watch.is_some()
            || self.survey.as_ref().is_some_and(|s| s.as_str() != f.survey)
        {
            return false;
        }
        let test = |c: &Condition| c.holds(f);
        match self.matching {
            Match::All => self.conditions.iter().all(test),
            Match::Any => self.conditions.iter().any(test),
        }
    }

    pub fn parse(v: &Value) -> Result<AlertRule, FieldErrors> {
        let mut errs = Errors::default();
        let rule = (|| {
            let mut o = Obj::new(v, "", &mut errs)?;
            let key_path = o.path("key");
            let key = o
                .req_str("key", &mut errs)
                .and_then(|s| Key::parse(s).map_err(|k| errs.push(key_path, k)).ok());
            let name = o
                .req("name", &mut errs)
                .map(|v| Label::parse(v, "name", &mut errs));
            let enabled = o.bool("enabled", true, &mut errs);
            let survey_path = o.path("survey");
            let survey = o.str("survey", &mut errs).and_then(|s| {
                SurveyId::parse(s)
                    .map_err(|k| errs.push(survey_path, k))
                    .ok()
            });
            let match_path = o.path("match");
            let matching = match o.str("match", &mut errs) {
                None | Some("all") => Match::All,
                Some("any") => Match::Any,
                Some(_) => {
                    errs.push(
                        match_path,
                        K::NotOneOf {
                            allowed: "all, any".into(),
                        },
                    );
                    Match::All
                }
            };
            let watch = o
                .get("metric")
                .and_then(|v| parse_watch(v, "metric", &mut errs));
            let conditions = match (o.map.contains_key("metric"), o.get("conditions")) {
                (false, None) => {
                    errs.push("conditions", K::Required);
                    Vec::new()
                }
                (false, Some(v)) => parse_conditions(v, "conditions", &mut errs),
                (true, None) => Vec::new(),
                (true, Some(_)) => {
                    errs.push(
                        "conditions",
                        K::BadCondition {
                            reason: "a metric rule watches a metric, not single responses: \
                                     give either conditions or metric"
                                .into(),
                        },
                    );
                    Vec::new()
                }
            };
            let actions = o
                .req("actions", &mut errs)
                .and_then(|v| parse_actions(v, "actions", &mut errs));
            if o.map.contains_key("metric")
                && actions.as_ref().is_some_and(|a: &Actions| a.case.is_some())
            {
                errs.push(
                    "actions.case",
                    K::BadCondition {
                        reason: "a metric rule alerts (e-mail, webhook); cases are opened \
                                 for responses"
                            .into(),
                    },
                );
            }
            o.finish(&mut errs);
            Some(AlertRule {
                key: key?,
                name: name?,
                enabled,
                survey,
                matching,
                conditions,
                watch,
                actions: actions?,
            })
        })();
        match rule {
            Some(r) if errs.list.is_empty() => Ok(r),
            _ => Err(FieldErrors(errs.list)),
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("key".into(), Value::str(self.key.as_str()));
        m.insert("name".into(), self.name.to_value());
        m.insert("enabled".into(), Value::Bool(self.enabled));
        if let Some(s) = &self.survey {
            m.insert("survey".into(), Value::str(s.as_str()));
        }
        let matching = match self.matching {
            Match::All => "all",
            Match::Any => "any",
        };
        m.insert("match".into(), Value::str(matching));
        match &self.watch {
            Some(w) => {
                m.insert("metric".into(), w.to_value());
            }
            None => {
                m.insert(
                    "conditions".into(),
                    Value::List(self.conditions.iter().map(Condition::to_value).collect()),
                );
            }
        }
        m.insert("actions".into(), self.actions.to_value());
        Value::Map(m)
    }
}

fn strs<T>(items: &[T], f: impl Fn(&T) -> &str) -> Value {
    Value::List(items.iter().map(|t| Value::str(f(t))).collect())
}

impl Condition {
    fn holds(&self, f: &ResponseFacts<'_>) -> bool {
        match self {
            Condition::Score {
                of,
                at_least,
                at_most,
            } => {
                let question = match of {
                    ScoreOf::Question(q) => Some(q.as_str()),
                    ScoreOf::Metric(m) => f
                        .metric_questions
                        .iter()
                        .find(|(k, _)| k == m)
                        .map(|(_, q)| q.as_str()),
                };
                match question
                    .and_then(|q| f.answers.get(q))
                    .and_then(Value::as_int)
                {
                    Some(s) => at_least.is_none_or(|l| s >= l) && at_most.is_none_or(|h| s <= h),
                    None => false,
                }
            }
            Condition::Answer { question, any_of } => {
                let chosen = |o: &str| any_of.iter().any(|a| a == o);
                match f.answers.get(question.as_str()) {
                    Some(Value::Str(s)) => chosen(s),
                    Some(Value::List(l)) => l.iter().filter_map(Value::as_str).any(chosen),
                    Some(Value::Map(m)) => match m.get("selected") {
                        Some(Value::List(l)) => l.iter().filter_map(Value::as_str).any(chosen),
                        _ => false,
                    },
                    _ => false,
                }
            }
            Condition::Text {
                question, any_of, ..
            } => f
                .texts
                .iter()
                .filter(|(q, _)| question.as_ref().is_none_or(|w| w.as_str() == q))
                .any(|(_, t)| {
                    let t = fold(t);
                    any_of.iter().any(|p| t.contains(p.as_str()))
                }),
            Condition::Touchpoint(list) => list.iter().any(|t| t.as_str() == f.touchpoint),
            Condition::Channel(list) => list.iter().any(|c| c.as_str() == f.channel),
            Condition::Attribute { name, any_of } => f
                .attributes
                .get(name)
                .is_some_and(|v| any_of.iter().any(|a| a == v)),
            Condition::Segment(key) => (f.in_segment)(key),
            Condition::Reading { sentiment, aspect } => {
                f.readings
                    .unwrap_or_default()
                    .iter()
                    .any(|r| match (sentiment, aspect) {
                        (Some(s), Some(a)) => {
                            r.aspects.iter().any(|(n, t)| n == a.as_str() && t == s)
                        }
                        (Some(s), None) => r.sentiment == *s,
                        (None, Some(a)) => r.aspects.iter().any(|(n, _)| n == a.as_str()),
                        (None, None) => false,
                    })
            }
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Condition::Score {
                of,
                at_least,
                at_most,
            } => {
                let mut m = BTreeMap::new();
                match of {
                    ScoreOf::Question(q) => m.insert("question".into(), Value::str(q.as_str())),
                    ScoreOf::Metric(s) => m.insert("metric".into(), Value::str(s.as_str())),
                };
                if let Some(l) = at_least {
                    m.insert("at_least".into(), Value::Int(*l));
                }
                if let Some(h) = at_most {
                    m.insert("at_most".into(), Value::Int(*h));
                }
                Value::map([("score", Value::Map(m))])
            }
            Condition::Answer { question, any_of } => Value::map([(
                "answer",
                Value::map([
                    ("question", Value::str(question.as_str())),
                    ("any_of", strs(any_of, |s| s)),
                ]),
            )]),
            Condition::Text {
                question, written, ..
            } => {
                let mut m = BTreeMap::new();
                if let Some(q) = question {
                    m.insert("question".into(), Value::str(q.as_str()));
                }
                m.insert("any_of".into(), strs(written, |s| s));
                Value::map([("text", Value::Map(m))])
            }
            Condition::Touchpoint(list) => Value::map([("touchpoint", strs(list, |t| t.as_str()))]),
            Condition::Channel(list) => Value::map([("channel", strs(list, |c| c.as_str()))]),
            Condition::Attribute { name, any_of } => Value::map([(
                "attribute",
                Value::map([("name", Value::str(name)), ("any_of", strs(any_of, |s| s))]),
            )]),
            Condition::Segment(k) => Value::map([("segment", Value::str(k.as_str()))]),
            Condition::Reading { sentiment, aspect } => {
                let mut m = BTreeMap::new();
                if let Some(s) = sentiment {
                    m.insert("sentiment".into(), Value::str(s));
                }
                if let Some(a) = aspect {
                    m.insert("aspect".into(), Value::str(a.as_str()));
                }
                Value::map([("reading", Value::Map(m))])
            }
        }
    }
}

impl Actions {
    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        if let Some(c) = &self.case {
            let mut cm = BTreeMap::new();
            cm.insert("priority".into(), Value::str(c.priority.as_str()));
            if let Some(o) = &c.owner {
                cm.insert("owner".into(), Value::str(o.as_str()));
            }
            if let Some(t) = &c.team {
                cm.insert("team".into(), Value::str(t.as_str()));
            }
            cm.insert("link_within_days".into(), Value::Int(c.link_within_days));
            m.insert("case".into(), Value::Map(cm));
        }
        if !self.email.is_empty() {
            let to = self
                .email
                .iter()
                .map(|r| match r {
                    Recipient::Admins => Value::str("admins"),
                    Recipient::User(e) => Value::str(e),
                })
                .collect();
            m.insert("email".into(), Value::List(to));
        }
        if self.digest {
            m.insert("digest".into(), Value::Bool(true));
        }
        m.insert("webhook".into(), Value::Bool(self.webhook));
        Value::Map(m)
    }
}

/// The items of a non-empty array of at most `max` at `path`; `None` (with the problem
/// recorded) when it is not an array or is too long.
fn bounded_list<'a>(
    v: &'a Value,
    path: &str,
    expected: Expected,
    max: usize,
    errs: &mut Errors,
) -> Option<&'a [Value]> {
    let Value::List(items) = v else {
        errs.push(path, K::WrongType { expected });
        return None;
    };
    if items.is_empty() {
        errs.push(path, K::Empty);
    }
    if items.len() > max {
        errs.push(path, K::TooMany { max });
        return None;
    }
    Some(items)
}

/// A list of strings at `path`: present, a non-empty array of at most `MAX_VALUES`.
fn str_list<'a>(v: &'a Value, path: &str, errs: &mut Errors) -> Vec<(String, &'a str)> {
    let Some(items) = bounded_list(v, path, Expected::Array, limits::MAX_VALUES, errs) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = index(path, i);
        match item.as_str() {
            Some(s) if s.contains('\0') => errs.push(p, K::NulCharacter),
            Some(s) if s.trim().is_empty() => errs.push(p, K::Empty),
            Some(s) if s.chars().count() > limits::MAX_PHRASE => errs.push(
                p,
                K::TooLong {
                    max: limits::MAX_PHRASE,
                },
            ),
            Some(s) => out.push((p, s)),
            None => errs.push(
                p,
                K::WrongType {
                    expected: Expected::String,
                },
            ),
        }
    }
    out
}

/// Parses each item of a list with `parse` (an id type), reporting at its path.
fn id_list<T>(
    v: &Value,
    path: &str,
    errs: &mut Errors,
    parse: impl Fn(&str) -> Result<T, K>,
) -> Vec<T> {
    str_list(v, path, errs)
        .into_iter()
        .filter_map(|(p, s)| parse(s).map_err(|k| errs.push(p, k)).ok())
        .collect()
}

fn parse_conditions(v: &Value, path: &str, errs: &mut Errors) -> Vec<Condition> {
    let Some(items) = bounded_list(v, path, Expected::Conditions, limits::MAX_CONDITIONS, errs)
    else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| parse_condition(c, &index(path, i), errs))
        .collect()
}

const CONDITION_KINDS: &str =
    "score, answer, text, touchpoint, channel, attribute, segment, reading";

fn parse_condition(v: &Value, path: &str, errs: &mut Errors) -> Option<Condition> {
    let Value::Map(m) = v else {
        errs.push(
            path,
            K::WrongType {
                expected: Expected::Object,
            },
        );
        return None;
    };
    if m.len() != 1 {
        errs.push(
            path,
            K::BadCondition {
                reason: format!("a condition is an object with one of: {CONDITION_KINDS}"),
            },
        );
        return None;
    }
    let (kind, body) = m.iter().next()?;
    let p = join(path, kind);
    let question = |o: &mut Obj<'_>, required: bool, errs: &mut Errors| {
        let qp = o.path("question");
        let s = if required {
            o.req_str("question", errs)
        } else {
            o.str("question", errs)
        }?;
        QuestionId::parse(s).map_err(|k| errs.push(qp, k)).ok()
    };
    match kind.as_str() {
        "score" => {
            let mut o = Obj::new(body, &p, errs)?;
            let has_question = o.map.contains_key("question");
            let has_metric = o.map.contains_key("metric");
            let of = match (has_question, has_metric) {
                (true, false) => question(&mut o, true, errs).map(ScoreOf::Question),
                (false, true) => {
                    let mp = o.path("metric");
                    match o.str("metric", errs) {
                        Some(s) => match ScoreMetric::ALL.into_iter().find(|m| m.as_str() == s) {
                            Some(m) => Some(ScoreOf::Metric(m)),
                            None => {
                                errs.push(
                                    mp,
                                    K::NotOneOf {
                                        allowed: "nps, csat, ces".into(),
                                    },
                                );
                                None
                            }
                        },
                        None => None,
                    }
                }
                _ => {
                    errs.push(
                        &p,
                        K::BadCondition {
                            reason: "name either a question or a metric (nps, csat, ces)".into(),
                        },
                    );
                    o.get("question");
                    o.get("metric");
                    None
                }
            };
            let lp = o.path("at_least");
            let at_least = o.int("at_least", errs);
            let at_most = o.int("at_most", errs);
            for (v, path) in [(at_least, &lp), (at_most, &o.path("at_most"))] {
                if v.is_some_and(|v| !(-1000..=1000).contains(&v)) {
                    errs.push(
                        path.as_str(),
                        K::OutOfRange {
                            min: -1000,
                            max: 1000,
                        },
                    );
                }
            }
            if at_least.is_none() && at_most.is_none() {
                errs.push(
                    &p,
                    K::BadCondition {
                        reason: "give at_least, at_most or both".into(),
                    },
                );
            } else if let (Some(l), Some(h)) = (at_least, at_most)
                && l > h
            {
                errs.push(lp, K::MinNotBelowMax);
            }
            o.finish(errs);
            Some(Condition::Score {
                of: of?,
                at_least,
                at_most,
            })
        }
        "answer" => {
            let mut o = Obj::new(body, &p, errs)?;
            let q = question(&mut o, true, errs);
            let ap = o.path("any_of");
            let any_of = o
                .req("any_of", errs)
                .map(|v| {
                    id_list(v, &ap, errs, |s| {
                        crate::ids::OptionId::parse(s).map(|o| o.as_str().to_string())
                    })
                })
                .unwrap_or_default();
            o.finish(errs);
            Some(Condition::Answer {
                question: q?,
                any_of,
            })
        }
        "text" => {
            let mut o = Obj::new(body, &p, errs)?;
            let q = question(&mut o, false, errs);
            let ap = o.path("any_of");
            let written: Vec<String> = o
                .req("any_of", errs)
                .map(|v| {
                    str_list(v, &ap, errs)
                        .into_iter()
                        .map(|(_, s)| s.trim().to_string())
                        .collect()
                })
                .unwrap_or_default();
            o.finish(errs);
            Some(Condition::Text {
                question: q,
                any_of: written.iter().map(|s| fold(s)).collect(),
                written,
            })
        }
        "touchpoint" => Some(Condition::Touchpoint(id_list(
            body,
            &p,
            errs,
            Touchpoint::parse,
        ))),
        "channel" => Some(Condition::Channel(id_list(body, &p, errs, Channel::parse))),
        "attribute" => {
            let mut o = Obj::new(body, &p, errs)?;
            let name_path = o.path("name");
            let name = o.req_str("name", errs).and_then(|s| {
                crate::attribute::AttributeKey::parse(s)
                    .map_err(|k| errs.push(name_path, k))
                    .ok()
            });
            let ap = o.path("any_of");
            let any_of = o
                .req("any_of", errs)
                .map(|v| {
                    str_list(v, &ap, errs)
                        .into_iter()
                        .map(|(_, s)| s.to_string())
                        .collect()
                })
                .unwrap_or_default();
            o.finish(errs);
            Some(Condition::Attribute {
                name: name?.as_str().to_string(),
                any_of,
            })
        }
        "reading" => {
            let mut o = Obj::new(body, &p, errs)?;
            let sp = o.path("sentiment");
            let sentiment = o.str("sentiment", errs).and_then(|s| {
                if SENTIMENTS.contains(&s) {
                    Some(s.to_string())
                } else {
                    errs.push(
                        &sp,
                        K::NotOneOf {
                            allowed: SENTIMENTS.join(", "),
                        },
                    );
                    None
                }
            });
            let ap = o.path("aspect");
            let aspect = o
                .str("aspect", errs)
                .and_then(|s| Key::parse(s).map_err(|k| errs.push(&ap, k)).ok());
            let named = o.map.contains_key("sentiment") || o.map.contains_key("aspect");
            o.finish(errs);
            if !named {
                errs.push(
                    &p,
                    K::BadCondition {
                        reason: "give a sentiment (neg, neu, pos), an aspect or both".into(),
                    },
                );
                return None;
            }
            Some(Condition::Reading { sentiment, aspect })
        }
        "segment" => match body.as_str() {
            Some(s) => Key::parse(s)
                .map_err(|k| errs.push(&p, k))
                .ok()
                .map(Condition::Segment),
            None => {
                errs.push(
                    p,
                    K::WrongType {
                        expected: Expected::String,
                    },
                );
                None
            }
        },
        _ => {
            errs.push(
                p,
                K::NotOneOf {
                    allowed: CONDITION_KINDS.into(),
                },
            );
            None
        }
    }
}

impl MetricWatch {
    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("of".into(), Value::str(self.metric.as_str()));
        m.insert("by".into(), Value::str(self.by.as_str()));
        if !self.only.is_empty() {
            m.insert("only".into(), strs(&self.only, |s| s));
        }
        m.insert("every".into(), Value::str(self.every.as_str()));
        match self.test {
            WatchTest::Drop { min_n, fdr } => m.insert(
                "drop".into(),
                Value::map([
                    ("min_n", Value::Int(min_n as i64)),
                    ("false_discovery_rate", Value::Float(fdr)),
                ]),
            ),
            WatchTest::Below { value, min_n } => m.insert(
                "below".into(),
                Value::map([
                    ("value", Value::Float(value)),
                    ("min_n", Value::Int(min_n as i64)),
                ]),
            ),
        };
        Value::Map(m)
    }
}

/// A number at `key` (integer or not).
fn number(o: &mut Obj<'_>, key: &'static str, errs: &mut Errors) -> Option<f64> {
    let v = o.get(key)?;
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) if f.is_finite() => Some(*f),
        _ => {
            errs.push(
                o.path(key),
                K::WrongType {
                    expected: Expected::Integer,
                },
            );
            None
        }
    }
}

fn parse_watch(v: &Value, path: &str, errs: &mut Errors) -> Option<MetricWatch> {
    let mut o = Obj::new(v, path, errs)?;
    let op = o.path("of");
    let metric = o.req_str("of", errs).and_then(|s| {
        ScoreMetric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .or_else(|| {
                errs.push(
                    &op,
                    K::NotOneOf {
                        allowed: "nps, csat, ces".into(),
                    },
                );
                None
            })
    });
    let bp = o.path("by");
    let by = match o.str("by", errs) {
        None => Some(WatchBy::Touchpoint),
        Some(s) => WatchBy::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .or_else(|| {
                errs.push(
                    &bp,
                    K::NotOneOf {
                        allowed: "touchpoint, channel, survey".into(),
                    },
                );
                None
            }),
    };
    let only_path = o.path("only");
    let only = o
        .get("only")
        .map(|v| {
            str_list(v, &only_path, errs)
                .into_iter()
                .map(|(_, s)| s.to_string())
                .collect()
        })
        .unwrap_or_default();
    let ep = o.path("every");
    let every = match o.str("every", errs) {
        None | Some("month") => Some(WatchPeriod::Month),
        Some("week") => Some(WatchPeriod::Week),
        Some(_) => {
            errs.push(
                &ep,
                K::NotOneOf {
                    allowed: "week, month".into(),
                },
            );
            None
        }
    };
    let min_n = |t: &mut Obj<'_>, errs: &mut Errors| {
        let p = t.path("min_n");
        match t.int("min_n", errs) {
            None => Some(30),
            Some(n) if (2..=1_000_000).contains(&n) => Some(n as u64),
            Some(_) => {
                errs.push(
                    p,
                    K::OutOfRange {
                        min: 2,
                        max: 1_000_000,
                    },
                );
                None
            }
        }
    };
    let test = match (o.get("drop"), o.get("below")) {
        (Some(d), None) => {
            let dp = join(path, "drop");
            let mut t = Obj::new(d, &dp, errs)?;
            let n = min_n(&mut t, errs);
            let fp = t.path("false_discovery_rate");
            let fdr = match number(&mut t, "false_discovery_rate", errs) {
                None => Some(0.05),
                Some(f) if f > 0.0 && f <= 0.2 => Some(f),
                Some(_) => {
                    errs.push(
                        fp,
                        K::BadCondition {
                            reason: "a rate above 0 and at most 0.2".into(),
                        },
                    );
                    None
                }
            };
            t.finish(errs);
            Some(WatchTest::Drop {
                min_n: n?,
                fdr: fdr?,
            })
        }
        (None, Some(b)) => {
            let bp = join(path, "below");
            let mut t = Obj::new(b, &bp, errs)?;
            let value = number(&mut t, "value", errs);
            if value.is_none() && !t.map.contains_key("value") {
                errs.push(t.path("value"), K::Required);
            }
            let n = min_n(&mut t, errs);
            t.finish(errs);
            Some(WatchTest::Below {
                value: value?,
                min_n: n?,
            })
        }
        _ => {
            errs.push(
                path,
                K::BadCondition {
                    reason: "give drop (a significant fall) or below (a threshold)".into(),
                },
            );
            o.get("drop");
            o.get("below");
            None
        }
    };
    o.finish(errs);
    Some(MetricWatch {
        metric: metric?,
        by: by?,
        only,
        every: every?,
        test: test?,
    })
}

fn parse_actions(v: &Value, path: &str, errs: &mut Errors) -> Option<Actions> {
    let mut o = Obj::new(v, path, errs)?;
    let case = o.get("case").and_then(|v| {
        let p = join(path, "case");
        let mut c = Obj::new(v, &p, errs)?;
        let pp = c.path("priority");
        let priority = match c.str("priority", errs) {
            None => Some(Priority::Normal),
            Some(s) => Priority::parse(s).or_else(|| {
                errs.push(
                    pp,
                    K::NotOneOf {
                        allowed: Priority::allowed(),
                    },
                );
                None
            }),
        };
        let op = c.path("owner");
        let owner = c
            .str("owner", errs)
            .and_then(|s| UserId::parse(s).map_err(|k| errs.push(op, k)).ok());
        let tp = c.path("team");
        let team = c
            .str("team", errs)
            .and_then(|s| Key::parse(s).map_err(|k| errs.push(tp, k)).ok());
        let lp = c.path("link_within_days");
        let link_within_days = c.int("link_within_days", errs).unwrap_or(14);
        if !(0..=limits::MAX_LINK_DAYS).contains(&link_within_days) {
            errs.push(
                lp,
                K::OutOfRange {
                    min: 0,
                    max: limits::MAX_LINK_DAYS,
                },
            );
        }
        c.finish(errs);
        Some(CaseAction {
            priority: priority?,
            owner,
            team,
            link_within_days,
        })
    });
    let ep = o.path("email");
    let email = match o.get("email") {
        None => Vec::new(),
        Some(v) => {
            let list = str_list(v, &ep, errs);
            if list.len() > limits::MAX_RECIPIENTS {
                errs.push(
                    &ep,
                    K::TooMany {
                        max: limits::MAX_RECIPIENTS,
                    },
                );
            }
            let mut out: Vec<Recipient> = list
                .into_iter()
                .filter_map(|(p, s)| match s {
                    "admins" => Some(Recipient::Admins),
                    s => crate::contact::Email::parse(s)
                        .map(|e| Recipient::User(e.as_str().to_string()))
                        .map_err(|k| errs.push(p, k))
                        .ok(),
                })
                .collect();
            out.sort();
            out.dedup();
            out
        }
    };
    let dp = o.path("digest");
    let digest = o.bool("digest", false, errs);
    if digest && email.is_empty() {
        errs.push(
            dp,
            K::BadCondition {
                reason: "a digest needs e-mail recipients (\"email\")".into(),
            },
        );
    }
    let webhook = o.bool("webhook", false, errs);
    o.finish(errs);
    if case.is_none() && email.is_empty() && !webhook {
        errs.push(
            path,
            K::BadCondition {
                reason: "a rule needs at least one action: case, email or webhook".into(),
            },
        );
    }
    Some(Actions {
        case,
        email,
        digest,
        webhook,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Value {
        crate::value::json_value(s)
    }

    const DETRACTORS: &str = r#"{
        "key": "courier-detractors",
        "name": {"pl": "Krytycy kuriera", "en": "Courier detractors"},
        "survey": "delivery-nps",
        "conditions": [
            {"score": {"metric": "nps", "at_most": 6}},
            {"text": {"any_of": ["kurier", "Zniszczona paczka"]}},
            {"touchpoint": ["delivery"]}
        ],
        "actions": {"case": {"priority": "high", "team": "couriers"},
                    "email": ["admins", "Lead@Example.com"], "webhook": true}
    }"#;

    struct Resp {
        answers: BTreeMap<String, Value>,
        attributes: BTreeMap<String, String>,
        texts: Vec<(String, String)>,
    }

    fn resp(nps: i64, text: &str) -> Resp {
        Resp {
            answers: BTreeMap::from([
                ("recommend".to_string(), Value::Int(nps)),
                ("why".to_string(), Value::str(text)),
                ("reasons".to_string(), Value::List(vec![Value::str("late")])),
            ]),
            attributes: BTreeMap::from([("plan".to_string(), "pro".to_string())]),
            texts: vec![("why".to_string(), text.to_string())],
        }
    }

    fn check(rule: &AlertRule, r: &Resp, survey: &str, touchpoint: &str) -> bool {
        let metrics = [(ScoreMetric::Nps, "recommend".to_string())];
        let facts = ResponseFacts {
            survey,
            touchpoint,
            channel: "email",
            attributes: &r.attributes,
            answers: &r.answers,
            metric_questions: &metrics,
            texts: &r.texts,
            in_segment: &|k: &Key| k.as_str() == "vip",
            readings: None,
        };
        rule.matches(&facts)
    }

    #[test]
    fn a_reading_condition_holds_once_the_answers_are_read() {
        let rule = AlertRule::parse(&json(
            r#"{"key": "k", "name": "n", "conditions": [
                {"reading": {"sentiment": "neg", "aspect": "delivery"}}
            ], "actions": {"webhook": true}}"#,
        ))
        .unwrap();
        assert!(rule.reads_text());
        assert_eq!(AlertRule::parse(&rule.to_value()), Ok(rule.clone()));
        let r = resp(3, "kurier");
        let metrics = [(ScoreMetric::Nps, "recommend".to_string())];
        let reads = |readings: Option<&[AnswerReading]>| {
            rule.matches(&ResponseFacts {
                survey: "s",
                touchpoint: "delivery",
                channel: "email",
                attributes: &r.attributes,
                answers: &r.answers,
                metric_questions: &metrics,
                texts: &r.texts,
                in_segment: &|_: &Key| false,
                readings,
            })
        };
        let read = |s: &str, a: &[(&str, &str)]| AnswerReading {
            sentiment: s.into(),
            aspects: a
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        };
        assert!(!reads(None), "not read yet");
        assert!(reads(Some(&[read("neg", &[("delivery", "neg")])])));
        assert!(!reads(Some(&[read("neg", &[("price", "neg")])])));
        assert!(!reads(Some(&[read("pos", &[("delivery", "pos")])])));
        // Unknown sentiments and an empty condition are refused at their paths.
        let bad = AlertRule::parse(&json(
            r#"{"key": "k", "name": "n", "conditions": [
                {"reading": {"sentiment": "angry"}}, {"reading": {}}
            ], "actions": {"webhook": true}}"#,
        ))
        .unwrap_err();
        let paths: Vec<&str> = bad.0.iter().map(|e| e.path.as_str()).collect();
        assert!(
            paths.contains(&"conditions[0].reading.sentiment"),
            "{paths:?}"
        );
        assert!(paths.contains(&"conditions[1].reading"), "{paths:?}");
    }

    #[test]
    fn a_rule_round_trips_and_matches_folded_text() {
        let rule = AlertRule::parse(&json(DETRACTORS)).unwrap();
        assert_eq!(AlertRule::parse(&rule.to_value()), Ok(rule.clone()));
        assert_eq!(
            rule.actions.email,
            vec![
                Recipient::Admins,
                Recipient::User("lead@example.com".into())
            ]
        );
        let hit = resp(3, "Kuriér přišel pozdě, ZNISZCZONA   paczka");
        assert!(check(&rule, &hit, "delivery-nps", "delivery"));
        assert!(!check(
            &rule,
            &resp(7, "kurier"),
            "delivery-nps",
            "delivery"
        ));
        assert!(!check(
            &rule,
            &resp(3, "all fine"),
            "delivery-nps",
            "delivery"
        ));
        assert!(!check(&rule, &hit, "other", "delivery"));
        assert!(!check(&rule, &hit, "delivery-nps", "checkout"));
        let mut off = rule.clone();
        off.enabled = false;
        assert!(!check(&off, &hit, "delivery-nps", "delivery"));
    }

    #[test]
    fn any_of_the_other_conditions() {
        let rule = AlertRule::parse(&json(
            r#"{"key": "k", "name": "n", "match": "any", "conditions": [
                {"answer": {"question": "reasons", "any_of": ["damaged", "late"]}},
                {"attribute": {"name": "plan", "any_of": ["enterprise"]}},
                {"segment": "vip"},
                {"score": {"question": "recommend", "at_least": 9, "at_most": 10}}
            ], "actions": {"webhook": true}}"#,
        ))
        .unwrap();
        assert!(check(&rule, &resp(5, ""), "s", "t"));
        let all = AlertRule {
            matching: Match::All,
            ..rule.clone()
        };
        assert!(!check(&all, &resp(5, ""), "s", "t"));
        let only = |c: Condition| AlertRule {
            conditions: vec![c],
            ..rule.clone()
        };
        assert!(check(
            &only(Condition::Segment(Key::parse("vip").unwrap())),
            &resp(5, ""),
            "s",
            "t"
        ));
        assert!(!check(
            &only(Condition::Segment(Key::parse("gold").unwrap())),
            &resp(5, ""),
            "s",
            "t"
        ));
        assert!(check(
            &only(rule.conditions[3].clone()),
            &resp(9, ""),
            "s",
            "t"
        ));
        assert!(!check(
            &only(rule.conditions[1].clone()),
            &resp(9, ""),
            "s",
            "t"
        ));
    }

    #[test]
    fn every_problem_is_reported_at_its_path() {
        let errs = AlertRule::parse(&json(
            r#"{"key": "Bad Key", "name": "", "match": "some", "conditions": [
                {"score": {"metric": "nsp", "at_least": 7, "at_most": 3}},
                {"score": {"question": "q"}},
                {"text": {"any_of": []}},
                {"colour": "red"},
                {"touchpoint": ["Delivery!"]},
                {"answer": {"question": "q", "any_of": ["ok"], "extra": 1}}
            ], "actions": {"case": {"priority": "asap", "link_within_days": 999},
                           "email": ["not-an-address"]}, "other": 1}"#,
        ))
        .unwrap_err();
        let got: Vec<(String, &str)> = errs
            .0
            .iter()
            .map(|e| (e.path.clone(), e.kind.code()))
            .collect();
        for want in [
            ("key", "invalid_id"),
            ("name", "empty"),
            ("match", "not_one_of"),
            ("conditions[0].score.metric", "not_one_of"),
            ("conditions[0].score.at_least", "min_not_below_max"),
            ("conditions[1].score", "bad_condition"),
            ("conditions[2].text.any_of", "empty"),
            ("conditions[3].colour", "not_one_of"),
            ("conditions[4].touchpoint[0]", "invalid_id"),
            ("conditions[5].answer.extra", "unknown_field"),
            ("actions.case.priority", "not_one_of"),
            ("actions.case.link_within_days", "out_of_range"),
            ("actions.email[0]", "invalid_email"),
            ("other", "unknown_field"),
        ] {
            assert!(
                got.contains(&(want.0.to_string(), want.1)),
                "{want:?} not in {got:?}"
            );
        }
        let none = AlertRule::parse(&json(
            r#"{"key": "k", "name": "n", "conditions": [{"channel": ["email"]}], "actions": {}}"#,
        ))
        .unwrap_err();
        assert_eq!(none.0[0].path, "actions");
    }

    #[test]
    fn a_metric_rule_reads_prints_and_never_matches_a_single_response() {
        let rule = AlertRule::parse(&json(
            r#"{"key": "nps-drop", "name": "NPS drop",
                "metric": {"of": "nps", "by": "touchpoint", "only": ["delivery"],
                           "every": "month", "drop": {"min_n": 50, "false_discovery_rate": 0.05}},
                "actions": {"email": ["admins"], "webhook": true}}"#,
        ))
        .unwrap();
        let w = rule.watch.clone().unwrap();
        assert_eq!(
            w.test,
            WatchTest::Drop {
                min_n: 50,
                fdr: 0.05
            }
        );
        assert_eq!((w.by, w.every), (WatchBy::Touchpoint, WatchPeriod::Month));
        assert_eq!(AlertRule::parse(&rule.to_value()), Ok(rule.clone()));
        assert!(!check(&rule, &resp(0, "kurier"), "s", "delivery"));
        let errs = AlertRule::parse(&json(
            r#"{"key": "k", "name": "n", "conditions": [{"channel": ["email"]}],
                "metric": {"of": "nsp", "every": "day", "below": {"min_n": 1}},
                "actions": {"case": {}}}"#,
        ))
        .unwrap_err();
        let got: Vec<(String, &str)> = errs
            .0
            .iter()
            .map(|e| (e.path.clone(), e.kind.code()))
            .collect();
        for want in [
            ("conditions", "bad_condition"),
            ("metric.of", "not_one_of"),
            ("metric.every", "not_one_of"),
            ("metric.below.value", "required"),
            ("metric.below.min_n", "out_of_range"),
            ("actions.case", "bad_condition"),
        ] {
            assert!(
                got.contains(&(want.0.to_string(), want.1)),
                "{want:?} not in {got:?}"
            );
        }
    }
}
