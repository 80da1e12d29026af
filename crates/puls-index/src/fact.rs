//! `Fact`: what the index keeps of one response, and how to build it from a validated one.

use std::fmt;

use puls_core::{
    Answer, Answers, Channel, KanoAnswer, Locale, OptionId, QuestionId, QuestionKind, ResponseMeta,
    Survey, Touchpoint,
};

/// A scored item: a single-score question (`nps`), or one row of a matrix (`service.speed`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QuestionKey {
    pub question: QuestionId,
    /// The matrix row, for matrix questions.
    pub row: Option<OptionId>,
}

impl QuestionKey {
    /// The key of a single-score question.
    pub fn question(question: QuestionId) -> Self {
        QuestionKey {
            question,
            row: None,
        }
    }

    /// The key of one matrix row.
    pub fn matrix_row(question: QuestionId, row: OptionId) -> Self {
        QuestionKey {
            question,
            row: Some(row),
        }
    }
}

impl fmt::Display for QuestionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.row {
            None => write!(f, "{}", self.question),
            Some(r) => write!(f, "{}.{}", self.question, r),
        }
    }
}

/// One score with the scale it was given on (the question's scale in that survey version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub key: QuestionKey,
    pub value: i64,
    /// Inclusive scale `(min, max)`: `(0, 10)` for NPS, `(1, 5)` CSAT, `(1, 7)` CES.
    pub scale: (i64, i64),
}

/// The identity and timing of a stored response: what [`Fact::from_answers`] needs beyond
/// the validated metadata and answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactHead {
    /// The response id. Upserting an id again replaces the earlier fact.
    pub id: String,
    pub survey: String,
    pub survey_version: i64,
    /// Unix milliseconds.
    pub created_at_ms: i64,
    pub completed: bool,
}

/// What the index keeps of one response: its dimensions and the answers metrics are computed
/// from. Open texts, contact details and attribute-free identity are not kept: a fact holds
/// no personal data beyond "a contact was given".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub id: String,
    pub survey: String,
    pub survey_version: i64,
    /// Unix milliseconds; must lie between the years 1000 and 9000.
    pub created_at_ms: i64,
    pub touchpoint: Touchpoint,
    pub channel: Channel,
    pub locale: Locale,
    pub completed: bool,
    /// Whether the respondent is known (an external id, an email, or a contact answer).
    pub has_contact: bool,
    /// Who answered, as the key a contact is found by: `i:TOKEN` (a personal invitation),
    /// `u:EXTERNAL_ID` or `e:EMAIL` (from the response's contact or a contact answer), the
    /// strongest the response carries; `None` for an anonymous response.
    pub respondent: Option<String>,
    /// Segment attributes (`plan = pro`). Keys with very many values are not indexed (see
    /// [`crate::MAX_ATTRIBUTE_VALUES`]).
    pub attributes: Vec<(String, String)>,
    /// Scores of nps, csat, ces and rating questions, and one per answered matrix row.
    pub scores: Vec<Score>,
    /// Selected options of single and multiple choice questions (non-empty).
    pub choices: Vec<(QuestionId, Vec<OptionId>)>,
    /// Kano answer pairs: (question, functional, dysfunctional).
    pub kano: Vec<(QuestionId, KanoAnswer, KanoAnswer)>,
    /// Every answered question, of any kind (drop-off needs the ones with no value above).
    pub answered: Vec<QuestionId>,
}

impl Fact {
    /// The fact of a stored response: `answers` validated against `survey` (the version the
    /// response was given on) and its validated metadata.
    pub fn from_answers(
        head: FactHead,
        meta: &ResponseMeta,
        survey: &Survey,
        answers: &Answers,
    ) -> Fact {
        let mut fact = Fact {
            id: head.id,
            survey: head.survey,
            survey_version: head.survey_version,
            created_at_ms: head.created_at_ms,
            touchpoint: meta.touchpoint.clone(),
            channel: meta.channel,
            locale: meta.locale.clone(),
            completed: head.completed,
            has_contact: meta.contact_external_id.is_some() || meta.contact_email.is_some(),
            respondent: meta
                .invitation_token
                .as_ref()
                .map(|t| format!("i:{t}"))
                .or_else(|| meta.contact_external_id.as_ref().map(|e| format!("u:{e}")))
                .or_else(|| meta.contact_email.as_ref().map(|e| format!("e:{e}"))),
            attributes: meta
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            scores: Vec::new(),
            choices: Vec::new(),
            kano: Vec::new(),
            answered: Vec::new(),
        };
        for (qid, answer) in answers {
            let Some(question) = survey.question(qid) else {
                continue;
            };
            fact.answered.push(qid.clone());
            match (answer, &question.kind) {
                (Answer::Score(value), kind) => {
                    if let Some(scale) = kind.score_range() {
                        fact.scores.push(Score {
                            key: QuestionKey::question(qid.clone()),
                            value: *value,
                            scale,
                        });
                    }
                }
                (Answer::Matrix(rows), QuestionKind::Matrix { scale, .. }) => {
                    for (row, value) in rows {
                        fact.scores.push(Score {
                            key: QuestionKey::matrix_row(qid.clone(), row.clone()),
                            value: *value,
                            scale: (scale.min, scale.max),
                        });
                    }
                }
                (Answer::Choice(option), _) => {
                    fact.choices.push((qid.clone(), vec![option.clone()]));
                }
                (Answer::Choices { selected, .. }, _) if !selected.is_empty() => {
                    fact.choices.push((qid.clone(), selected.clone()));
                }
                (
                    Answer::Kano {
                        functional,
                        dysfunctional,
                    },
                    _,
                ) => fact.kano.push((qid.clone(), *functional, *dysfunctional)),
                (Answer::Contact { email, phone, .. }, _) => {
                    fact.has_contact |= email.is_some() || phone.is_some();
                    if fact.respondent.is_none()
                        && let Some(e) = email
                    {
                        fact.respondent = Some(format!("e:{}", e.to_lowercase()));
                    }
                }
                _ => {}
            }
        }
        fact
    }
}
