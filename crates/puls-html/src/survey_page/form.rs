//! The form field contract: posted fields become an answer [`Value`], answers become fields.
//!
//! Field names, per question type (the page posts one question at a time, with the hidden
//! fields `q`, `rid`, `rt` and `lang` beside them):
//!
//! | type | fields |
//! |---|---|
//! | nps, csat, ces, rating | `a` = the score |
//! | single_choice | `a` = the option id |
//! | multiple_choice | `a` repeated, one per ticked option id; `other` = free text |
//! | open_text | `a` = the text |
//! | matrix | `a.{row_id}` = the score of that row |
//! | ranking | `a.{option_id}` = the rank given to that option, 1 is best |
//! | kano | `functional` and `dysfunctional` = `like`, `expect`, `neutral`, `tolerate`, `dislike` |
//! | contact | `email`, `phone`, `consent` = `1` when ticked |
//!
//! A non-empty `skip` field (the "Skip" button) means the respondent skipped the question.
//!
//! A form that asks every question at once (the web app's manual entry, laid out by
//! `all_questions`) posts the same fields with the question's id and a dot before each
//! name (`nps.a`, `speed.a.price`); [`form_answers`] reads them back.
//!
//! The conversion never judges: input it cannot make sense of is passed on as it came, so
//! that [`Survey::validate_answers`](puls_core::Survey::validate_answers) rejects it with a
//! precise error instead of the page silently dropping it.

use std::collections::{BTreeMap, BTreeSet};

use puls_core::{Answer, Question, QuestionKind, Survey, Value};

/// Posted `application/x-www-form-urlencoded` pairs, in order; a key may repeat.
pub type FormFields = Vec<(String, String)>;

/// The name of the "Skip" button.
pub(crate) const SKIP: &str = "skip";

/// Read access to posted fields.
pub(crate) struct Fields<'a>(pub(crate) &'a [(String, String)]);

impl<'a> Fields<'a> {
    /// Every value of `name`, as posted.
    fn all(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, as posted.
    pub(crate) fn first(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` was posted with exactly this value.
    pub(crate) fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }

    /// The trimmed, non-empty values of `name`.
    fn filled(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.all(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// A field that holds one value: `None` when left empty. Conflicting repeats (which no
    /// page posts) become a list, which every single-valued answer type rejects.
    fn single(&self, name: &str, convert: impl Fn(&str) -> Value) -> Option<Value> {
        let distinct: BTreeSet<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        one_value(distinct, convert)
    }
}

/// The value of a single-valued field from its distinct trimmed, non-empty values: `None`
/// when there are none, a list (which every single-valued answer type rejects) when they
/// conflict.
fn one_value(distinct: BTreeSet<&str>, convert: impl Fn(&str) -> Value) -> Option<Value> {
    match distinct.len() {
        0 => None,
        1 => distinct.first().map(|v| convert(v)),
        _ => Some(Value::List(distinct.into_iter().map(convert).collect())),
    }
}

/// A score as an integer; anything else as the string it was, for the core to reject.
fn score(s: &str) -> Value {
    s.parse::<i64>()
        .map(Value::Int)
        .unwrap_or_else(|_| Value::str(s))
}

/// A value passed on as the string it was.
fn string(s: &str) -> Value {
    Value::str(s)
}

/// Browsers post line breaks as CRLF; the length limit counts characters, so store LF.
fn text(s: &str) -> Value {
    Value::str(s.replace("\r\n", "\n"))
}

/// Converts the posted form fields for one question into the answer `Value` that
/// [`Survey::validate_answers`](puls_core::Survey::validate_answers) accepts (the wire
/// format of each type is in `puls_core::response`), or `None` when the respondent left it
/// empty or pressed "Skip".
///
/// Garbage never panics: it becomes a value the core rejects with a field error. A ranking
/// whose ranks are not exactly 1 to n, each once, becomes a list shorter than the options,
/// which the core rejects as `incomplete_ranking`.
pub fn form_answer(question: &Question, form: &FormFields) -> Option<Value> {
    let f = Fields(form);
    if f.filled(SKIP).next().is_some() {
        return None;
    }
    match &question.kind {
        QuestionKind::Nps | QuestionKind::Csat | QuestionKind::Ces | QuestionKind::Rating(_) => {
            f.single("a", score)
        }
        QuestionKind::SingleChoice { .. } => f.single("a", string),
        QuestionKind::OpenText { .. } => f.single("a", text),
        QuestionKind::MultipleChoice { .. } => {
            let selected: Vec<Value> = f.filled("a").map(string).collect();
            match f.filled("other").next() {
                Some(other) => Some(Value::map([
                    ("selected", Value::List(selected)),
                    ("other", Value::str(other)),
                ])),
                None if selected.is_empty() => None,
                None => Some(Value::List(selected)),
            }
        }
        QuestionKind::Matrix { .. } => {
            // One pass over the form: looking every posted row up again would take time
            // quadratic in the number of fields, which the client chooses.
            let mut rows: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for (k, v) in form {
                if let Some(row) = k.strip_prefix("a.") {
                    let values = rows.entry(row).or_default();
                    if !v.trim().is_empty() {
                        values.insert(v.trim());
                    }
                }
            }
            let scores: BTreeMap<String, Value> = rows
                .into_iter()
                .filter_map(|(row, values)| Some((row.to_string(), one_value(values, score)?)))
                .collect();
            (!scores.is_empty()).then_some(Value::Map(scores))
        }
        QuestionKind::Ranking { options, .. } => {
            let n = options.len() as i64;
            let posted = form
                .iter()
                .any(|(k, v)| k.starts_with("a.") && !v.trim().is_empty());
            if !posted {
                return None;
            }
            let ranks: Vec<(Option<i64>, &str)> = options
                .iter()
                .map(|o| {
                    let rank = f
                        .single(&format!("a.{}", o.id), score)
                        .and_then(|v| v.as_int())
                        .filter(|r| (1..=n).contains(r));
                    (rank, o.id.as_str())
                })
                .collect();
            // Only options holding a rank nobody else holds make it into the list, so any
            // gap or tie leaves it shorter than the options and the core rejects it.
            let mut unique: Vec<(i64, &str)> = ranks
                .iter()
                .filter_map(|&(r, id)| {
                    let r = r?;
                    (ranks.iter().filter(|(o, _)| *o == Some(r)).count() == 1).then_some((r, id))
                })
                .collect();
            unique.sort();
            Some(Value::List(
                unique.into_iter().map(|(_, id)| Value::str(id)).collect(),
            ))
        }
        QuestionKind::Kano { .. } => {
            let sides: Vec<(&str, Value)> = ["functional", "dysfunctional"]
                .into_iter()
                .filter_map(|side| Some((side, f.single(side, string)?)))
                .collect();
            (!sides.is_empty()).then(|| Value::map(sides))
        }
        QuestionKind::Contact { .. } => {
            let mut m: Vec<(&str, Value)> = ["email", "phone"]
                .into_iter()
                .filter_map(|key| Some((key, f.single(key, string)?)))
                .collect();
            let consent = f.single("consent", |v| match v {
                "1" | "on" | "true" => Value::Bool(true),
                other => Value::str(other),
            });
            if m.is_empty() && consent.is_none() {
                return None;
            }
            m.push(("consent", consent.unwrap_or(Value::Bool(false))));
            Some(Value::map(m))
        }
    }
}

/// The fields of question `question_id` in a form that asks every question at once, with
/// the question's prefix taken off their names.
pub(crate) fn scoped(form: &[(String, String)], question_id: &str) -> FormFields {
    let prefix = format!("{question_id}.");
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_string(), v.clone())))
        .collect()
}

/// The answers a form that asks every question of `survey` at once posted, by question
/// id: [`form_answer`] of each question's own fields; questions left empty are left out.
pub fn form_answers(survey: &Survey, form: &FormFields) -> BTreeMap<String, Value> {
    survey
        .questions
        .iter()
        .filter_map(|q| {
            let own = scoped(form, q.id.as_str());
            Some((q.id.as_str().to_string(), form_answer(q, &own)?))
        })
        .collect()
}

/// The form fields that would post this answer: used to pre-fill a question the
/// respondent comes back to. `form_answer` of these fields gives the answer back.
pub(crate) fn answer_fields(answer: &Answer) -> FormFields {
    let pair = |k: &str, v: String| (k.to_string(), v);
    match answer {
        Answer::Score(s) => vec![pair("a", s.to_string())],
        Answer::Choice(c) => vec![pair("a", c.to_string())],
        Answer::Choices { selected, other } => selected
            .iter()
            .map(|c| pair("a", c.to_string()))
            .chain(other.iter().map(|o| pair("other", o.clone())))
            .collect(),
        Answer::Text(t) => vec![pair("a", t.clone())],
        Answer::Matrix(rows) => rows
            .iter()
            .map(|(row, s)| (format!("a.{row}"), s.to_string()))
            .collect(),
        Answer::Ranking(order) => order
            .iter()
            .enumerate()
            .map(|(i, id)| (format!("a.{id}"), (i + 1).to_string()))
            .collect(),
        Answer::Kano {
            functional,
            dysfunctional,
        } => vec![
            pair("functional", functional.as_str().to_string()),
            pair("dysfunctional", dysfunctional.as_str().to_string()),
        ],
        Answer::Contact {
            email,
            phone,
            consent,
        } => email
            .iter()
            .map(|e| pair("email", e.clone()))
            .chain(phone.iter().map(|p| pair("phone", p.clone())))
            .chain(consent.then(|| pair("consent", "1".to_string())))
            .collect(),
    }
}
