//! Responses: typed answers, their validation against a survey version, and metadata.
//!
//! Validation checks types, ranges, required answers and the survey logic: an answer to a
//! question the logic hides for this respondent is rejected, never silently dropped.

use std::collections::BTreeMap;

use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, join};
use crate::ids::{Channel, Locale, OptionId, QuestionId, Touchpoint};
use crate::survey::{ContactField, QuestionKind, Survey};
use crate::value::Value;

/// Limits on response metadata, so a public endpoint cannot be used as free storage.
pub mod limits {
    pub const MAX_ATTRIBUTES: usize = 50;
    pub const MAX_ATTRIBUTE_KEY: usize = 64;
    pub const MAX_ATTRIBUTE_VALUE: usize = 1000;
    pub const MAX_IDENTITY: usize = 256;
    pub const MAX_OTHER_TEXT: usize = 500;
}

/// One answer on the standard five-point Kano scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KanoAnswer {
    Like,
    Expect,
    Neutral,
    Tolerate,
    Dislike,
}

impl KanoAnswer {
    pub const ALL: [KanoAnswer; 5] = [
        KanoAnswer::Like,
        KanoAnswer::Expect,
        KanoAnswer::Neutral,
        KanoAnswer::Tolerate,
        KanoAnswer::Dislike,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KanoAnswer::Like => "like",
            KanoAnswer::Expect => "expect",
            KanoAnswer::Neutral => "neutral",
            KanoAnswer::Tolerate => "tolerate",
            KanoAnswer::Dislike => "dislike",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        KanoAnswer::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A validated answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// nps, csat, ces and rating questions.
    Score(i64),
    Choice(OptionId),
    Choices {
        selected: Vec<OptionId>,
        other: Option<String>,
    },
    Text(String),
    /// matrix: a score per row.
    Matrix(BTreeMap<OptionId, i64>),
    /// ranking: every option, best first.
    Ranking(Vec<OptionId>),
    Kano {
        functional: KanoAnswer,
        dysfunctional: KanoAnswer,
    },
    Contact {
        email: Option<String>,
        phone: Option<String>,
        consent: bool,
    },
}

/// Validated answers keyed by question.
pub type Answers = BTreeMap<QuestionId, Answer>;

/// Whether a submission finishes the response or saves progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Progress: required answers may still be missing.
    Partial,
    /// Final: every required visible question must be answered.
    Complete,
}

impl Answer {
    /// The answer in the wire format that [`Survey::validate_answers`] accepts.
    pub fn to_value(&self) -> Value {
        let ids = |v: &[OptionId]| Value::List(v.iter().map(|o| Value::str(o.as_str())).collect());
        match self {
            Answer::Score(s) => Value::Int(*s),
            Answer::Choice(c) => Value::str(c.as_str()),
            Answer::Choices { selected, other } => match other {
                None => ids(selected),
                Some(o) => Value::map([("selected", ids(selected)), ("other", Value::str(o))]),
            },
            Answer::Text(t) => Value::str(t),
            Answer::Matrix(rows) => {
                Value::map(rows.iter().map(|(r, s)| (r.to_string(), Value::Int(*s))))
            }
            Answer::Ranking(r) => ids(r),
            Answer::Kano {
                functional,
                dysfunctional,
            } => Value::map([
                ("functional", Value::str(functional.as_str())),
                ("dysfunctional", Value::str(dysfunctional.as_str())),
            ]),
            Answer::Contact {
                email,
                phone,
                consent,
            } => {
                let mut m = vec![("consent", Value::Bool(*consent))];
                if let Some(e) = email {
                    m.push(("email", Value::str(e)));
                }
                if let Some(p) = phone {
                    m.push(("phone", Value::str(p)));
                }
                Value::map(m)
            }
        }
    }
}

/// Prints answers as a map keyed by question id.
pub fn answers_to_value(answers: &Answers) -> Value {
    Value::map(answers.iter().map(|(q, a)| (q.to_string(), a.to_value())))
}

fn wrong(expected: Expected) -> K {
    K::WrongType { expected }
}

fn option_in(v: &Value, options: &[crate::survey::Choice]) -> Result<OptionId, K> {
    let s = v.as_str().ok_or(wrong(Expected::OptionId))?;
    OptionId::parse(s)
        .ok()
        .filter(|id| options.iter().any(|o| &o.id == id))
        .ok_or_else(|| K::UnknownOption {
            id: s.chars().take(64).collect(),
        })
}

fn score(v: &Value, min: i64, max: i64) -> Result<i64, K> {
    let s = v.as_int().ok_or(wrong(Expected::Integer))?;
    if (min..=max).contains(&s) {
        Ok(s)
    } else {
        Err(K::OutOfRange { min, max })
    }
}

fn bounded_text(v: &Value, max: usize) -> Result<String, K> {
    let s = v.as_str().ok_or(wrong(Expected::String))?;
    if s.chars().count() > max {
        return Err(K::TooLong { max });
    }
    Ok(s.to_string())
}

/// A pragmatic email check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    (6..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

/// Parses one answer for a question kind. Errors name the sub-path when there is one.
fn parse_answer(kind: &QuestionKind, v: &Value, path: &str, errs: &mut Errors) -> Option<Answer> {
    let mut one = |r: Result<Answer, K>| r.map_err(|k| errs.push(path, k)).ok();
    match kind {
        QuestionKind::Nps | QuestionKind::Csat | QuestionKind::Ces | QuestionKind::Rating(_) => {
            let (min, max) = kind.score_range()?;
            one(score(v, min, max).map(Answer::Score))
        }
        QuestionKind::SingleChoice { options, .. } => {
            one(option_in(v, options).map(Answer::Choice))
        }
        QuestionKind::OpenText { max_length, .. } => {
            one(bounded_text(v, *max_length).and_then(|s| {
                if s.trim().is_empty() {
                    Err(K::Empty)
                } else {
                    Ok(Answer::Text(s))
                }
            }))
        }
        QuestionKind::MultipleChoice {
            options,
            other: other_label,
            min_choices,
            max_choices,
            ..
        } => {
            let (list, other) = match v {
                Value::List(items) => (items.as_slice(), None),
                Value::Map(m) => {
                    for k in m.keys().filter(|k| *k != "selected" && *k != "other") {
                        errs.push(join(path, k), K::UnknownField);
                    }
                    let list = match m.get("selected") {
                        Some(Value::List(items)) => items.as_slice(),
                        None | Some(Value::Null) => &[],
                        Some(_) => {
                            errs.push(join(path, "selected"), wrong(Expected::OptionIds));
                            return None;
                        }
                    };
                    let other = match m.get("other") {
                        None | Some(Value::Null) => None,
                        Some(_) if other_label.is_none() => {
                            errs.push(join(path, "other"), K::UnknownField);
                            return None;
                        }
                        Some(o) => match bounded_text(o, limits::MAX_OTHER_TEXT) {
                            Ok(s) if s.trim().is_empty() => None,
                            Ok(s) => Some(s),
                            Err(k) => {
                                errs.push(join(path, "other"), k);
                                return None;
                            }
                        },
                    };
                    (list, other)
                }
                _ => {
                    errs.push(path, wrong(Expected::OptionIds));
                    return None;
                }
            };
            let mut selected: Vec<OptionId> = Vec::new();
            for item in list {
                match option_in(item, options) {
                    Ok(id) if !selected.contains(&id) => selected.push(id),
                    Ok(id) => errs.push(path, K::Duplicate { id: id.to_string() }),
                    Err(k) => {
                        errs.push(path, k);
                        return None;
                    }
                }
            }
            let chosen = selected.len() + usize::from(other.is_some());
            let max = max_choices.unwrap_or(options.len() + usize::from(other_label.is_some()));
            let min = (*min_choices).max(1);
            if chosen < min || chosen > max {
                errs.push(path, K::ChoiceCount { min, max });
                return None;
            }
            Some(Answer::Choices { selected, other })
        }
        QuestionKind::Matrix { rows, scale } => {
            let Value::Map(m) = v else {
                errs.push(path, wrong(Expected::ScoresByRow));
                return None;
            };
            let before = errs.list.len();
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let p = join(path, k);
                let Some(row) = OptionId::parse(k)
                    .ok()
                    .filter(|r| rows.iter().any(|x| &x.id == r))
                else {
                    errs.push(
                        p,
                        K::UnknownOption {
                            id: k.chars().take(64).collect(),
                        },
                    );
                    continue;
                };
                if matches!(v, Value::Null) {
                    continue;
                }
                match score(v, scale.min, scale.max) {
                    Ok(s) => {
                        out.insert(row, s);
                    }
                    Err(k) => errs.push(p, k),
                }
            }
            if out.is_empty() {
                // Rows that were scored but wrong are already reported; that is not "empty".
                if errs.list.len() == before {
                    errs.push(path, K::Empty);
                }
                return None;
            }
            Some(Answer::Matrix(out))
        }
        QuestionKind::Ranking { options, .. } => {
            let Value::List(items) = v else {
                errs.push(path, wrong(Expected::Ranking));
                return None;
            };
            let mut out: Vec<OptionId> = Vec::new();
            for item in items {
                match option_in(item, options) {
                    Ok(id) if !out.contains(&id) => out.push(id),
                    Ok(_) => {
                        errs.push(path, K::IncompleteRanking);
                        return None;
                    }
                    Err(k) => {
                        errs.push(path, k);
                        return None;
                    }
                }
            }
            if out.len() != options.len() {
                errs.push(path, K::IncompleteRanking);
                return None;
            }
            Some(Answer::Ranking(out))
        }
        QuestionKind::Kano { .. } => {
            let Value::Map(m) = v else {
                errs.push(path, wrong(Expected::KanoPair));
                return None;
            };
            for k in m
                .keys()
                .filter(|k| *k != "functional" && *k != "dysfunctional")
            {
                errs.push(join(path, k), K::UnknownField);
            }
            let mut side = |key: &str| match m.get(key) {
                Some(Value::Str(s)) => KanoAnswer::parse(s).or_else(|| {
                    errs.push(
                        join(path, key),
                        K::NotOneOf {
                            allowed: "like, expect, neutral, tolerate, dislike".into(),
                        },
                    );
                    None
                }),
                None | Some(Value::Null) => {
                    errs.push(join(path, key), K::Required);
                    None
                }
                Some(_) => {
                    errs.push(join(path, key), wrong(Expected::String));
                    None
                }
            };
            let functional = side("functional");
            let dysfunctional = side("dysfunctional");
            Some(Answer::Kano {
                functional: functional?,
                dysfunctional: dysfunctional?,
            })
        }
        QuestionKind::Contact { fields, .. } => {
            let Value::Map(m) = v else {
                errs.push(path, wrong(Expected::Contact));
                return None;
            };
            let before = errs.list.len();
            let mut field = |f: ContactField| -> Option<String> {
                let key = f.as_str();
                let raw = m.get(key).filter(|v| !matches!(v, Value::Null))?;
                if !fields.contains(&f) {
                    errs.push(join(path, key), K::UnknownField);
                    return None;
                }
                let s = match raw.as_str() {
                    Some(s) => s.trim(),
                    None => {
                        errs.push(join(path, key), wrong(Expected::String));
                        return None;
                    }
                };
                if s.is_empty() {
                    return None;
                }
                let ok = match f {
                    ContactField::Email => is_email(s),
                    ContactField::Phone => is_phone(s),
                };
                if !ok {
                    let kind = match f {
                        ContactField::Email => K::InvalidEmail,
                        ContactField::Phone => K::InvalidPhone,
                    };
                    errs.push(join(path, key), kind);
                    return None;
                }
                Some(s.to_string())
            };
            let email = field(ContactField::Email);
            let phone = field(ContactField::Phone);
            for k in m
                .keys()
                .filter(|k| !["email", "phone", "consent"].contains(&k.as_str()))
            {
                errs.push(join(path, k), K::UnknownField);
            }
            let consent = match m.get("consent") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    errs.push(join(path, "consent"), wrong(Expected::Boolean));
                    false
                }
            };
            if errs.list.len() > before {
                return None;
            }
            if email.is_none() && phone.is_none() {
                errs.push(path, K::Empty);
                return None;
            }
            if !consent {
                errs.push(join(path, "consent"), K::ConsentRequired);
                return None;
            }
            Some(Answer::Contact {
                email,
                phone,
                consent,
            })
        }
    }
}

impl Survey {
    /// Validates answers (a map from question id to answer) against this survey version.
    ///
    /// `null` means "not answered". With [`Completion::Complete`], every required question
    /// the logic shows must be answered. Answers to hidden questions are always rejected.
    pub fn validate_answers(
        &self,
        input: &BTreeMap<String, Value>,
        completion: Completion,
        path: &str,
    ) -> Result<Answers, FieldErrors> {
        let mut errs = Errors::default();
        let mut answers = Answers::new();
        for (key, v) in input {
            let p = join(path, key);
            let Some(q) = QuestionId::parse(key)
                .ok()
                .and_then(|id| self.question(&id))
            else {
                errs.push(
                    p,
                    K::UnknownQuestion {
                        id: key.chars().take(64).collect(),
                    },
                );
                continue;
            };
            if matches!(v, Value::Null) {
                continue;
            }
            if let Some(a) = parse_answer(&q.kind, v, &p, &mut errs) {
                answers.insert(q.id.clone(), a);
            }
        }
        if !errs.list.is_empty() {
            return Err(FieldErrors(errs.list));
        }
        let vis = self.visibility(&answers);
        for (i, q) in self.questions.iter().enumerate() {
            let shown = vis.visible.contains(&i);
            let answered = answers.contains_key(&q.id);
            if answered && !shown {
                errs.push(join(path, q.id.as_str()), K::HiddenQuestion);
            } else if shown && !answered && q.required && completion == Completion::Complete {
                errs.push(join(path, q.id.as_str()), K::Required);
            } else if let (true, QuestionKind::Matrix { rows, .. }, Some(Answer::Matrix(given))) =
                (q.required, &q.kind, answers.get(&q.id))
            {
                // A required matrix is answered only when every row is; partial progress may
                // still save some rows.
                if completion == Completion::Complete {
                    for r in rows.iter().filter(|r| !given.contains_key(&r.id)) {
                        errs.push(join(&join(path, q.id.as_str()), r.id.as_str()), K::Required);
                    }
                }
            }
        }
        errs.into_result(answers)
    }
}

/// Why the survey logic does not ask a question, given the other answers: what
/// [`Survey::validate_answers`] refuses as [`K::HiddenQuestion`], explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAsked {
    /// The survey ended early at the question `because` names (its `end_if` held with its
    /// answer); else the question's own `show_if` does not hold with those answers.
    pub ended: bool,
    /// The earlier questions that decide it, by index in survey order, each with the answer
    /// the logic counted (`None`: not answered, or not asked itself, so not counted).
    pub because: Vec<(usize, Option<Answer>)>,
}

impl Survey {
    /// For each answered question that the logic does not ask given the other answers (all
    /// of them at once, as a form with every question sends them), why: the question that
    /// ended the survey, or the questions its condition tests, with their answers. Answers
    /// that do not parse count as not given (their own problems are
    /// [`Survey::validate_answers`]'s to report).
    pub fn not_asked(&self, input: &BTreeMap<String, Value>) -> BTreeMap<QuestionId, NotAsked> {
        let mut ignored = Errors::default();
        let mut answers = Answers::new();
        for (key, v) in input {
            let Some(q) = QuestionId::parse(key)
                .ok()
                .and_then(|id| self.question(&id))
            else {
                continue;
            };
            if matches!(v, Value::Null) {
                continue;
            }
            if let Some(a) = parse_answer(&q.kind, v, key, &mut ignored) {
                answers.insert(q.id.clone(), a);
            }
        }
        let vis = self.visibility(&answers);
        // What the logic counted: the answers to the questions it asks.
        let counted = |i: usize| {
            vis.visible
                .contains(&i)
                .then(|| answers.get(&self.questions[i].id).cloned())
                .flatten()
        };
        let ended_at = vis
            .ended_early
            .then(|| vis.visible.last().copied())
            .flatten();
        let mut out = BTreeMap::new();
        for (i, q) in self.questions.iter().enumerate() {
            if vis.visible.contains(&i) || !answers.contains_key(&q.id) {
                continue;
            }
            let why = match ended_at {
                Some(at) if i > at => NotAsked {
                    ended: true,
                    because: vec![(at, counted(at))],
                },
                _ => {
                    let tested = q
                        .show_if
                        .as_ref()
                        .map(|c| c.questions())
                        .unwrap_or_default();
                    NotAsked {
                        ended: false,
                        because: (0..i)
                            .filter(|&j| tested.contains(&&self.questions[j].id))
                            .map(|j| (j, counted(j)))
                            .collect(),
                    }
                }
            };
            out.insert(q.id.clone(), why);
        }
        out
    }
}

/// Metadata of a response, as validated against its survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    pub channel: Channel,
    pub touchpoint: Touchpoint,
    pub locale: Locale,
    pub contact_external_id: Option<String>,
    pub contact_email: Option<String>,
    pub invitation_token: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

/// Metadata as a caller sent it, before validation. Absent fields take the survey's defaults.
#[derive(Debug, Clone, Default)]
pub struct ResponseMetaInput<'a> {
    pub channel: Option<&'a Value>,
    pub touchpoint: Option<&'a Value>,
    pub locale: Option<&'a Value>,
    pub contact: Option<&'a Value>,
    pub invitation_token: Option<&'a Value>,
    pub attributes: Option<&'a Value>,
}

impl Survey {
    /// Validates response metadata; absent channel, touchpoint and locale take the survey's.
    pub fn validate_meta(
        &self,
        input: &ResponseMetaInput<'_>,
    ) -> Result<ResponseMeta, FieldErrors> {
        let mut errs = Errors::default();
        let string = |v: Option<&Value>, path: &str, errs: &mut Errors| -> Option<String> {
            match v {
                None | Some(Value::Null) => None,
                Some(Value::Str(s)) => Some(s.clone()),
                Some(_) => {
                    errs.push(path, wrong(Expected::String));
                    None
                }
            }
        };
        let channel = match string(input.channel, "channel", &mut errs) {
            Some(s) => Channel::parse(&s)
                .map_err(|k| errs.push("channel", k))
                .unwrap_or(self.channel),
            None => self.channel,
        };
        let touchpoint = match string(input.touchpoint, "touchpoint", &mut errs) {
            Some(s) => Touchpoint::parse(&s)
                .map_err(|k| errs.push("touchpoint", k))
                .unwrap_or_else(|_| self.touchpoint.clone()),
            None => self.touchpoint.clone(),
        };
        let locale = match string(input.locale, "locale", &mut errs) {
            Some(s) => match Locale::parse(&s) {
                Ok(l) if self.locales.contains(&l) => l,
                _ => {
                    errs.push(
                        "locale",
                        K::UnknownLocale {
                            locale: s.chars().take(32).collect(),
                        },
                    );
                    self.default_locale.clone()
                }
            },
            None => self.default_locale.clone(),
        };
        let bounded = |s: Option<String>, path: &str, errs: &mut Errors| -> Option<String> {
            let s = s?.trim().to_string();
            if s.is_empty() {
                None
            } else if s.contains('\0') {
                // Stored in a plain text column, where PostgreSQL refuses NUL.
                errs.push(path, K::NulCharacter);
                None
            } else if s.chars().count() > limits::MAX_IDENTITY {
                errs.push(
                    path,
                    K::TooLong {
                        max: limits::MAX_IDENTITY,
                    },
                );
                None
            } else {
                Some(s)
            }
        };
        let (mut contact_external_id, mut contact_email) = (None, None);
        match input.contact {
            None | Some(Value::Null) => {}
            Some(Value::Map(m)) => {
                for k in m.keys().filter(|k| *k != "external_id" && *k != "email") {
                    errs.push(join("contact", k), K::UnknownField);
                }
                contact_external_id = bounded(
                    string(m.get("external_id"), "contact.external_id", &mut errs),
                    "contact.external_id",
                    &mut errs,
                );
                contact_email = bounded(
                    string(m.get("email"), "contact.email", &mut errs),
                    "contact.email",
                    &mut errs,
                );
                if let Some(e) = &contact_email
                    && !is_email(e)
                {
                    errs.push("contact.email", K::InvalidEmail);
                }
                contact_email = contact_email.map(|e| e.to_lowercase());
            }
            Some(_) => errs.push("contact", wrong(Expected::Object)),
        }
        let invitation_token = bounded(
            string(input.invitation_token, "invitation_token", &mut errs),
            "invitation_token",
            &mut errs,
        );
        let mut attributes = BTreeMap::new();
        match input.attributes {
            None | Some(Value::Null) => {}
            Some(Value::Map(m)) => {
                if m.len() > limits::MAX_ATTRIBUTES {
                    errs.push(
                        "attributes",
                        K::TooMany {
                            max: limits::MAX_ATTRIBUTES,
                        },
                    );
                }
                for (k, v) in m.iter().take(limits::MAX_ATTRIBUTES) {
                    let p = join("attributes", k);
                    if k.is_empty() {
                        errs.push(p, K::Empty);
                        continue;
                    }
                    if k.chars().count() > limits::MAX_ATTRIBUTE_KEY {
                        errs.push(
                            p,
                            K::TooLong {
                                max: limits::MAX_ATTRIBUTE_KEY,
                            },
                        );
                        continue;
                    }
                    let s = match v {
                        Value::Str(s) => s.clone(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => {
                            errs.push(p, wrong(Expected::Scalar));
                            continue;
                        }
                    };
                    if s.chars().count() > limits::MAX_ATTRIBUTE_VALUE {
                        errs.push(
                            p,
                            K::TooLong {
                                max: limits::MAX_ATTRIBUTE_VALUE,
                            },
                        );
                        continue;
                    }
                    attributes.insert(k.clone(), s);
                }
            }
            Some(_) => errs.push("attributes", wrong(Expected::Attributes)),
        }
        errs.into_result(ResponseMeta {
            channel,
            touchpoint,
            locale,
            contact_external_id,
            contact_email,
            invitation_token,
            attributes,
        })
    }
}
