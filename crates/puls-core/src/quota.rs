//! A distribution's quotas of completed responses: in all, and per group.
//!
//! ```json
//! {"completed": 300,
//!  "per": [{"segment": "loyal", "completed": 100},
//!          {"attribute": "store", "value": "krakow-1", "completed": 50},
//!          {"question": "reason", "answer": "price", "completed": 40},
//!          {"question": "nps", "answer": 10, "completed": 40}]}
//! ```
//!
//! A group is a saved segment's members, the contacts whose attribute has a value (as
//! text), or the responses whose answer to a question is an option (a choice question,
//! one of the options chosen for a multiple choice) or a score. What a quota does, the
//! application decides with [`Quota::stops_all`] (the whole distribution is full: the
//! total reached, or every answer quota) and [`Quota::full_groups`] (the segment and
//! attribute quotas that are full: their members are invited no more); the counts are
//! the caller's, taken over the distribution's completed responses with
//! [`QuotaGroup::takes`]. [`Quota::check`] holds answer quotas to the survey they are
//! sent with. Read with [`Quota::parse`] (every problem at its path), printed with
//! [`Quota::to_value`].

use std::collections::BTreeMap;

use crate::attribute::AttributeKey;
use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index, join};
use crate::ids::{OptionId, QuestionId};
use crate::obj::Obj;
use crate::survey::{QuestionKind, Survey};
use crate::value::Value;

/// The most group quotas one distribution may have.
pub const MAX_GROUP_QUOTAS: usize = 50;
/// The largest quota of completed responses.
pub const MAX_COMPLETED: i64 = 10_000_000;
const MAX_VALUE: usize = 1_000;

/// A distribution's quotas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// Completed responses of the whole distribution after which it stops.
    pub completed: Option<i64>,
    /// Quotas of groups, in the author's order.
    pub per: Vec<GroupQuota>,
}

/// A quota of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupQuota {
    pub group: QuotaGroup,
    /// Completed responses of the group that fill it.
    pub completed: i64,
}

/// Whose completed responses a group quota counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum QuotaGroup {
    /// The members of a saved segment (by its key), as they are when counted.
    Segment(String),
    /// The contacts whose attribute `key` has `value` (compared as text).
    Attribute { key: AttributeKey, value: String },
    /// The responses whose answer to `question` is `answer`.
    Answer {
        question: QuestionId,
        answer: QuotaAnswer,
    },
}

/// The answer an answer quota counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum QuotaAnswer {
    /// An option of a choice question (chosen among others, for a multiple choice).
    Choice(OptionId),
    /// A score of an NPS, CSAT, CES or rating question.
    Score(i64),
}

/// One quota's state: how many of its completed responses there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaProgress {
    /// The group; `None` for the whole distribution's quota.
    pub group: Option<QuotaGroup>,
    pub target: i64,
    pub completed: i64,
}

impl QuotaProgress {
    pub fn full(&self) -> bool {
        self.completed >= self.target
    }
}

impl Quota {
    /// Reads `{"completed": N, "per": [...]}` at `path` (at least one of the two).
    pub(crate) fn parse(v: &Value, path: &str, errs: &mut Errors) -> Option<Quota> {
        let mut o = Obj::new(v, path, errs)?;
        let cp = o.path("completed");
        let completed = o.get("completed").and_then(|c| target(c, &cp, errs));
        let pp = o.path("per");
        let per = match o.get("per") {
            None => Vec::new(),
            Some(Value::List(items)) => {
                if items.is_empty() {
                    errs.push(&pp, K::Empty);
                }
                if items.len() > MAX_GROUP_QUOTAS {
                    errs.push(
                        &pp,
                        K::TooMany {
                            max: MAX_GROUP_QUOTAS,
                        },
                    );
                }
                let mut out: Vec<GroupQuota> = Vec::new();
                for (i, item) in items.iter().enumerate().take(MAX_GROUP_QUOTAS) {
                    let ip = index(&pp, i);
                    let Some(q) = group_quota(item, &ip, errs) else {
                        continue;
                    };
                    if out.iter().any(|o| o.group == q.group) {
                        errs.push(
                            ip,
                            K::Duplicate {
                                id: q.group.describe(),
                            },
                        );
                        continue;
                    }
                    out.push(q);
                }
                out
            }
            Some(_) => {
                errs.push(
                    &pp,
                    K::WrongType {
                        expected: Expected::Array,
                    },
                );
                Vec::new()
            }
        };
        o.finish(errs);
        let given = has(v, "completed") || has(v, "per");
        if !given {
            errs.push(
                path,
                K::BadCondition {
                    reason: "give \"completed\" (of the whole distribution), \"per\" (quotas of \
                             groups) or both"
                        .into(),
                },
            );
            return None;
        }
        Some(Quota { completed, per })
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        if let Some(n) = self.completed {
            m.insert("completed".to_string(), Value::Int(n));
        }
        if !self.per.is_empty() {
            m.insert(
                "per".to_string(),
                Value::List(
                    self.per
                        .iter()
                        .map(|q| {
                            let mut g = q.group.to_map();
                            g.insert("completed".to_string(), Value::Int(q.completed));
                            Value::Map(g)
                        })
                        .collect(),
                ),
            );
        }
        Value::Map(m)
    }

    /// Holds the answer quotas to `survey` (the version sent): each question must be
    /// there, a choice or a score question, and each answer one of its options or a score
    /// on its scale. Problems at `quota.per[i].question` / `.answer`.
    pub fn check(&self, survey: &Survey, path: &str) -> Result<(), FieldErrors> {
        let mut errs = Errors::default();
        for (i, q) in self.per.iter().enumerate() {
            let QuotaGroup::Answer { question, answer } = &q.group else {
                continue;
            };
            let ip = index(&join(path, "per"), i);
            let ap = join(&ip, "answer");
            let Some(found) = survey.question(question) else {
                errs.push(
                    join(&ip, "question"),
                    K::UnknownQuestion {
                        id: question.to_string(),
                    },
                );
                continue;
            };
            let scale = match &found.kind {
                QuestionKind::Nps => Some((0, 10)),
                QuestionKind::Csat => Some((1, 5)),
                QuestionKind::Ces => Some((1, 7)),
                QuestionKind::Rating(s) => Some((s.min, s.max)),
                _ => None,
            };
            let options = match &found.kind {
                QuestionKind::SingleChoice { options, .. }
                | QuestionKind::MultipleChoice { options, .. } => Some(options),
                _ => None,
            };
            match (answer, scale, options) {
                (QuotaAnswer::Score(n), Some((min, max)), _) => {
                    if !(min..=max).contains(n) {
                        errs.push(ap, K::OutOfRange { min, max });
                    }
                }
                (QuotaAnswer::Choice(id), _, Some(options)) => {
                    if !options.iter().any(|o| &o.id == id) {
                        errs.push(ap, K::UnknownOption { id: id.to_string() });
                    }
                }
                (QuotaAnswer::Choice(_), Some(_), _) => errs.push(
                    ap,
                    K::WrongType {
                        expected: Expected::Integer,
                    },
                ),
                (QuotaAnswer::Score(_), _, Some(_)) => errs.push(
                    ap,
                    K::WrongType {
                        expected: Expected::OptionId,
                    },
                ),
                _ => errs.push(
                    join(&ip, "question"),
                    K::BadCondition {
                        reason: "an answer quota takes a choice question or a score (NPS, CSAT, \
                                 CES, rating)"
                            .into(),
                    },
                ),
            }
        }
        errs.into_result(())
    }

    /// The saved segments the group quotas name.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.per.iter().filter_map(|q| match &q.group {
            QuotaGroup::Segment(k) => Some(k.as_str()),
            _ => None,
        })
    }

    /// Whether counting needs the contacts of the responses (segment or attribute quotas).
    pub fn by_contact(&self) -> bool {
        self.per.iter().any(|q| !q.group.is_answer())
    }

    /// Each quota with its count: the whole distribution's first (`total` completed
    /// responses), then the groups' (`counts[i]` for `per[i]`; 0 when missing).
    pub fn progress(&self, total: i64, counts: &[i64]) -> Vec<QuotaProgress> {
        let whole = self.completed.map(|target| QuotaProgress {
            group: None,
            target,
            completed: total,
        });
        whole
            .into_iter()
            .chain(self.per.iter().enumerate().map(|(i, q)| QuotaProgress {
                group: Some(q.group.clone()),
                target: q.completed,
                completed: counts.get(i).copied().unwrap_or(0),
            }))
            .collect()
    }

    /// Whether the whole distribution is full: its total reached, or every answer quota
    /// (when it has any). Then nothing more is sent, and a link not yet used is closed.
    pub fn stops_all(&self, total: i64, counts: &[i64]) -> bool {
        if self.completed.is_some_and(|target| total >= target) {
            return true;
        }
        let mut answers = self
            .per
            .iter()
            .enumerate()
            .filter(|(_, q)| q.group.is_answer())
            .peekable();
        answers.peek().is_some()
            && answers.all(|(i, q)| counts.get(i).copied().unwrap_or(0) >= q.completed)
    }

    /// The segment and attribute quotas that are full: their members are invited no more.
    pub fn full_groups<'a>(&'a self, counts: &'a [i64]) -> impl Iterator<Item = &'a QuotaGroup> {
        self.per
            .iter()
            .enumerate()
            .filter(|(i, q)| {
                !q.group.is_answer() && counts.get(*i).copied().unwrap_or(0) >= q.completed
            })
            .map(|(_, q)| &q.group)
    }
}

impl QuotaGroup {
    pub fn is_answer(&self) -> bool {
        matches!(self, QuotaGroup::Answer { .. })
    }

    /// Whether a completed response (or, without `answers`, a contact to invite) is of
    /// the group: `in_segment` says whether its contact is a member of a segment, the
    /// contact's `attributes` (none: no contact) and the response's raw `answers`.
    pub fn takes(
        &self,
        in_segment: impl Fn(&str) -> bool,
        attributes: Option<&BTreeMap<String, Value>>,
        answers: Option<&BTreeMap<String, Value>>,
    ) -> bool {
        match self {
            QuotaGroup::Segment(key) => in_segment(key),
            QuotaGroup::Attribute { key, value } => attributes
                .and_then(|a| a.get(key.as_str()))
                .and_then(as_text)
                .is_some_and(|v| v == *value),
            QuotaGroup::Answer { question, answer } => answers
                .and_then(|a| a.get(question.as_str()))
                .is_some_and(|v| answer.matches(v)),
        }
    }

    /// The group's keys as the definition writes them.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        let mut g = BTreeMap::new();
        match self {
            QuotaGroup::Segment(k) => {
                g.insert("segment".to_string(), Value::str(k));
            }
            QuotaGroup::Attribute { key, value } => {
                g.insert("attribute".to_string(), Value::str(key.as_str()));
                g.insert("value".to_string(), Value::str(value));
            }
            QuotaGroup::Answer { question, answer } => {
                g.insert("question".to_string(), Value::str(question.as_str()));
                let a = match answer {
                    QuotaAnswer::Choice(o) => Value::str(o.as_str()),
                    QuotaAnswer::Score(n) => Value::Int(*n),
                };
                g.insert("answer".to_string(), a);
            }
        }
        g
    }

    /// A short description, for messages: `segment loyal`, `store = krakow-1`,
    /// `reason = price`.
    pub fn describe(&self) -> String {
        match self {
            QuotaGroup::Segment(k) => format!("segment {k}"),
            QuotaGroup::Attribute { key, value } => format!("{key} = {value}"),
            QuotaGroup::Answer { question, answer } => match answer {
                QuotaAnswer::Choice(o) => format!("{question} = {o}"),
                QuotaAnswer::Score(n) => format!("{question} = {n}"),
            },
        }
    }
}

impl QuotaAnswer {
    /// Whether a stored answer is this one: the option itself, a list of options (or a
    /// multiple choice's `{"selected": [...]}`) that has it, or the score.
    pub fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (QuotaAnswer::Score(n), v) => v.as_int() == Some(*n),
            (QuotaAnswer::Choice(o), Value::Str(s)) => s == o.as_str(),
            (QuotaAnswer::Choice(o), Value::List(items)) => {
                items.iter().any(|i| i.as_str() == Some(o.as_str()))
            }
            (QuotaAnswer::Choice(_), Value::Map(m)) => {
                m.get("selected").is_some_and(|s| self.matches(s))
            }
            _ => false,
        }
    }
}

/// An attribute's value as text: a string itself, a number or a boolean as written.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A quota's number of completed responses: 1 to [`MAX_COMPLETED`].
fn target(v: &Value, path: &str, errs: &mut Errors) -> Option<i64> {
    match v.as_int() {
        Some(n) if (1..=MAX_COMPLETED).contains(&n) => Some(n),
        _ => {
            errs.push(
                path,
                K::OutOfRange {
                    min: 1,
                    max: MAX_COMPLETED,
                },
            );
            None
        }
    }
}

/// One of `per`: exactly one of `segment`, `attribute` (with `value`) or `question` (with
/// `answer`), and `completed`.
fn group_quota(v: &Value, path: &str, errs: &mut Errors) -> Option<GroupQuota> {
    let mut o = Obj::new(v, path, errs)?;
    let before = errs.list.len();
    let cp = o.path("completed");
    let completed = o.req("completed", errs).and_then(|c| target(c, &cp, errs));
    let sp = o.path("segment");
    let segment = o.str("segment", errs).and_then(|k| {
        if k.is_empty() || k.len() > 64 {
            errs.push(&sp, K::InvalidId);
            return None;
        }
        Some(k.to_string())
    });
    let ap = o.path("attribute");
    let attribute = o
        .str("attribute", errs)
        .and_then(|k| AttributeKey::parse(k).map_err(|e| errs.push(&ap, e)).ok());
    let vp = o.path("value");
    let value = o.str("value", errs).and_then(|s| {
        let s = s.trim();
        if s.is_empty() {
            errs.push(&vp, K::Empty);
            return None;
        }
        if s.chars().count() > MAX_VALUE {
            errs.push(&vp, K::TooLong { max: MAX_VALUE });
        }
        Some(s.to_string())
    });
    let qp = o.path("question");
    let question = o
        .str("question", errs)
        .and_then(|q| QuestionId::parse(q).map_err(|e| errs.push(&qp, e)).ok());
    let anp = o.path("answer");
    let answer = o.get("answer").and_then(|a| match a {
        Value::Str(s) => OptionId::parse(s)
            .map(QuotaAnswer::Choice)
            .map_err(|e| errs.push(&anp, e))
            .ok(),
        other => match other.as_int() {
            Some(n) => Some(QuotaAnswer::Score(n)),
            None => {
                errs.push(
                    &anp,
                    K::BadCondition {
                        reason: "an option id (a choice question) or a score".into(),
                    },
                );
                None
            }
        },
    });
    o.finish(errs);
    let [
        segment_given,
        attribute_given,
        value_given,
        question_given,
        answer_given,
    ] = ["segment", "attribute", "value", "question", "answer"].map(|k| has(v, k));
    let kinds =
        usize::from(segment_given) + usize::from(attribute_given) + usize::from(question_given);
    if kinds != 1 {
        errs.push(
            path,
            K::BadCondition {
                reason: "give exactly one of \"segment\", \"attribute\" (with \"value\") or \
                         \"question\" (with \"answer\")"
                    .into(),
            },
        );
        return None;
    }
    if attribute_given && !value_given {
        errs.push(&vp, K::Required);
    }
    if !attribute_given && value_given {
        errs.push(&vp, K::UnknownField);
    }
    if question_given && !answer_given {
        errs.push(&anp, K::Required);
    }
    if !question_given && answer_given {
        errs.push(&anp, K::UnknownField);
    }
    if errs.list.len() > before {
        return None;
    }
    let group = match (segment, attribute, value, question, answer) {
        (Some(k), None, None, None, None) => QuotaGroup::Segment(k),
        (None, Some(key), Some(value), None, None) => QuotaGroup::Attribute { key, value },
        (None, None, None, Some(question), Some(answer)) => QuotaGroup::Answer { question, answer },
        _ => return None,
    };
    Some(GroupQuota {
        group,
        completed: completed?,
    })
}

/// Whether an object has `key` (not null).
fn has(v: &Value, key: &str) -> bool {
    matches!(v, Value::Map(m) if m.get(key).is_some_and(|x| *x != Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    fn parse(j: serde_json::Value) -> Result<Quota, Vec<(String, &'static str)>> {
        let mut errs = Errors::default();
        let q = Quota::parse(&json_value(&j.to_string()), "quota", &mut errs);
        if errs.list.is_empty() {
            Ok(q.expect("a quota"))
        } else {
            Err(errs
                .list
                .into_iter()
                .map(|e| (e.path, e.kind.code()))
                .collect())
        }
    }

    fn survey() -> Survey {
        Survey::parse(&json_value(
            &serde_json::json!({
                "title": {"en": "S"}, "locales": ["en"], "default_locale": "en", "touchpoint": "shop",
                "questions": [
                    {"id": "nps", "type": "nps", "text": {"en": "Recommend?"}},
                    {"id": "why", "type": "single_choice", "text": {"en": "Why?"},
                     "options": [{"id": "price", "text": {"en": "Price"}},
                                 {"id": "speed", "text": {"en": "Speed"}}]},
                    {"id": "what", "type": "multiple_choice", "text": {"en": "What?"},
                     "options": [{"id": "a", "text": {"en": "A"}}, {"id": "b", "text": {"en": "B"}}]},
                    {"id": "say", "type": "open_text", "text": {"en": "Say"}}
                ]
            })
            .to_string(),
        ))
        .unwrap()
    }

    #[test]
    fn every_kind_of_group_reads_and_prints_back() {
        let q = parse(serde_json::json!({"completed": 300, "per": [
            {"segment": "loyal", "completed": 100},
            {"attribute": "store", "value": "krakow-1", "completed": 50},
            {"question": "why", "answer": "price", "completed": 40},
            {"question": "nps", "answer": 10, "completed": 40}
        ]}))
        .unwrap();
        assert_eq!(q.completed, Some(300));
        assert_eq!(q.per.len(), 4);
        assert_eq!(q.per[0].group, QuotaGroup::Segment("loyal".into()));
        let mut errs = Errors::default();
        assert_eq!(Quota::parse(&q.to_value(), "quota", &mut errs), Some(q));
        // The old shape stays as it was.
        let total = parse(serde_json::json!({"completed": 300})).unwrap();
        assert_eq!(
            total.to_value(),
            json_value(r#"{"completed": 300}"#),
            "{total:?}"
        );
    }

    #[test]
    fn every_problem_is_at_its_path() {
        let e = parse(serde_json::json!({"per": [
            {"segment": "loyal"},
            {"segment": "x", "attribute": "store", "value": "a", "completed": 1},
            {"attribute": "store", "completed": 5},
            {"question": "9 bad", "answer": [1], "completed": 0},
            {"attribute": "store", "value": "a", "completed": 2, "colour": "red"},
            {"segment": "loyal", "completed": 3},
            {"segment": "loyal", "completed": 4}
        ]}))
        .unwrap_err();
        for want in [
            ("quota.per[0].completed", "required"),
            ("quota.per[1]", "bad_condition"),
            ("quota.per[2].value", "required"),
            ("quota.per[3].question", "invalid_id"),
            ("quota.per[3].answer", "bad_condition"),
            ("quota.per[3].completed", "out_of_range"),
            ("quota.per[4].colour", "unknown_field"),
            ("quota.per[6]", "duplicate_id"),
        ] {
            assert!(
                e.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {e:?}"
            );
        }
        assert_eq!(
            parse(serde_json::json!({})).unwrap_err(),
            vec![("quota".to_string(), "bad_condition")]
        );
        assert_eq!(
            parse(serde_json::json!({"per": []})).unwrap_err(),
            vec![("quota.per".to_string(), "empty")]
        );
    }

    #[test]
    fn answer_quotas_are_held_to_the_survey() {
        let q = parse(serde_json::json!({"per": [
            {"question": "why", "answer": "price", "completed": 1},
            {"question": "nps", "answer": 11, "completed": 1},
            {"question": "why", "answer": "colour", "completed": 1},
            {"question": "gone", "answer": "x", "completed": 1},
            {"question": "say", "answer": "x", "completed": 1},
            {"question": "nps", "answer": "nine", "completed": 1},
            {"question": "what", "answer": 3, "completed": 1},
            {"segment": "loyal", "completed": 1}
        ]}))
        .unwrap();
        let got: Vec<(String, &str)> = q
            .check(&survey(), "quota")
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.path, e.kind.code()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("quota.per[1].answer".to_string(), "out_of_range"),
                ("quota.per[2].answer".to_string(), "unknown_option"),
                ("quota.per[3].question".to_string(), "unknown_question"),
                ("quota.per[4].question".to_string(), "bad_condition"),
                ("quota.per[5].answer".to_string(), "wrong_type"),
                ("quota.per[6].answer".to_string(), "wrong_type"),
            ]
        );
    }

    #[test]
    fn groups_take_their_responses_and_quotas_fill() {
        let q = parse(serde_json::json!({"per": [
            {"segment": "loyal", "completed": 2},
            {"attribute": "store", "value": "12", "completed": 1},
            {"question": "why", "answer": "price", "completed": 1},
            {"question": "what", "answer": "b", "completed": 2}
        ]}))
        .unwrap();
        let attrs: BTreeMap<String, Value> = [("store".to_string(), Value::Int(12))].into();
        let answers: BTreeMap<String, Value> = [
            ("why".to_string(), Value::str("price")),
            (
                "what".to_string(),
                json_value(r#"{"selected": ["a", "b"], "other": "x"}"#),
            ),
        ]
        .into();
        let member = |k: &str| k == "loyal";
        let took: Vec<bool> = q
            .per
            .iter()
            .map(|g| g.group.takes(member, Some(&attrs), Some(&answers)))
            .collect();
        assert_eq!(took, vec![true, true, true, true]);
        assert!(!q.per[3].group.takes(|_| false, None, None));
        assert!(QuotaAnswer::Score(9).matches(&Value::Int(9)));
        assert!(!QuotaAnswer::Score(9).matches(&Value::str("9")));
        // Full groups hold their members back; the distribution stops when every answer
        // quota is full.
        let counts = [2, 0, 1, 1];
        let full: Vec<_> = q.full_groups(&counts).collect();
        assert_eq!(full, vec![&QuotaGroup::Segment("loyal".into())]);
        assert!(!q.stops_all(10, &counts));
        assert!(q.stops_all(10, &[0, 0, 1, 2]));
        let total = parse(serde_json::json!({"completed": 3})).unwrap();
        assert!(!total.stops_all(2, &[]));
        assert!(total.stops_all(3, &[]));
        let p = q.progress(4, &counts);
        assert_eq!(p.len(), 4);
        assert!(p[0].full() && !p[1].full());
    }
}
