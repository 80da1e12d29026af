//! The typed survey model, its logic (which questions a respondent sees) and its file format.
//!
//! A definition is parsed once, by [`Survey::parse`], into this model; everything downstream
//! trusts it. [`Survey::to_value`] prints it back; parse and print round-trip exactly.

mod parse;
mod print;

use std::collections::BTreeMap;

use crate::ids::{Channel, Locale, OptionId, QuestionId, Touchpoint};
use crate::response::Answer;
use crate::text::LocalizedText;

/// Limits that keep a definition renderable on a phone and cheap to validate.
pub mod limits {
    pub const MAX_QUESTIONS: usize = 200;
    pub const MAX_OPTIONS: usize = 100;
    pub const MAX_TEXT_CHARS: usize = 5000;
    pub const MAX_OPEN_TEXT_LENGTH: usize = 10_000;
    pub const DEFAULT_OPEN_TEXT_LENGTH: usize = 2000;
    pub const MAX_SCALE_SPAN: i64 = 100;
    pub const SCALE_BOUND: i64 = 1000;
    pub const MAX_CONDITION_DEPTH: usize = 8;
}

/// A survey definition (one version of it).
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    pub title: LocalizedText,
    pub intro: Option<LocalizedText>,
    pub thank_you: Option<LocalizedText>,
    /// Declared locales, in the order the author gave them; never empty.
    pub locales: Vec<Locale>,
    /// One of `locales`.
    pub default_locale: Locale,
    /// Where in the customer journey this survey is asked.
    pub touchpoint: Touchpoint,
    /// The channel a response has when it does not say otherwise.
    pub channel: Channel,
    pub questions: Vec<Question>,
}

/// One question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: QuestionId,
    pub text: LocalizedText,
    pub help: Option<LocalizedText>,
    pub required: bool,
    pub kind: QuestionKind,
    /// Shown only when this holds on earlier answers.
    pub show_if: Option<Condition>,
    /// When this holds after the question is answered, the survey ends there.
    pub end_if: Option<Condition>,
}

/// An option of a choice or ranking question, or a row of a matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: OptionId,
    pub text: LocalizedText,
}

/// An integer scale with optional end labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
    pub min_label: Option<LocalizedText>,
    pub max_label: Option<LocalizedText>,
}

/// The contact fields a `contact` question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    Email,
    Phone,
}

impl ContactField {
    pub const ALL: [ContactField; 2] = [ContactField::Email, ContactField::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactField::Email => "email",
            ContactField::Phone => "phone",
        }
    }
}

/// What a question asks and how it is answered.
#[derive(Debug, Clone, PartialEq)]
pub enum QuestionKind {
    /// Net Promoter Score, 0-10.
    Nps,
    /// Customer satisfaction, 1-5.
    Csat,
    /// Customer effort, 1-7.
    Ces,
    Rating(Scale),
    SingleChoice {
        options: Vec<Choice>,
        randomize: bool,
    },
    MultipleChoice {
        options: Vec<Choice>,
        randomize: bool,
        /// When set, an "other" free-text entry with this label is offered.
        other: Option<LocalizedText>,
        min_choices: usize,
        max_choices: Option<usize>,
    },
    OpenText {
        max_length: usize,
        multiline: bool,
    },
    Matrix {
        rows: Vec<Choice>,
        scale: Scale,
    },
    Ranking {
        options: Vec<Choice>,
        randomize: bool,
    },
    /// The functional and dysfunctional question pair for one feature.
    Kano {
        functional: LocalizedText,
        dysfunctional: LocalizedText,
    },
    Contact {
        fields: Vec<ContactField>,
        consent: LocalizedText,
    },
}

impl QuestionKind {
    /// Every `type` name of the definition format, in the order of the variants (the order
    /// a menu of question types offers them).
    pub const TYPE_NAMES: [&'static str; 11] = [
        "nps",
        "csat",
        "ces",
        "rating",
        "single_choice",
        "multiple_choice",
        "open_text",
        "matrix",
        "ranking",
        "kano",
        "contact",
    ];

    /// The `type` name in the definition format.
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionKind::Nps => "nps",
            QuestionKind::Csat => "csat",
            QuestionKind::Ces => "ces",
            QuestionKind::Rating(_) => "rating",
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { .. } => "multiple_choice",
            QuestionKind::OpenText { .. } => "open_text",
            QuestionKind::Matrix { .. } => "matrix",
            QuestionKind::Ranking { .. } => "ranking",
            QuestionKind::Kano { .. } => "kano",
            QuestionKind::Contact { .. } => "contact",
        }
    }

    /// The inclusive score range of a single-score question (nps, csat, ces, rating).
    pub fn score_range(&self) -> Option<(i64, i64)> {
        match self {
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Csat => Some((1, 5)),
            QuestionKind::Ces => Some((1, 7)),
            QuestionKind::Rating(s) => Some((s.min, s.max)),
            _ => None,
        }
    }

    /// The options of a choice or ranking question.
    pub fn options(&self) -> Option<&[Choice]> {
        match self {
            QuestionKind::SingleChoice { options, .. }
            | QuestionKind::MultipleChoice { options, .. }
            | QuestionKind::Ranking { options, .. } => Some(options),
            _ => None,
        }
    }
}

/// Numeric comparison operators in conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl CmpOp {
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Lte,
        CmpOp::Gt,
        CmpOp::Gte,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Lte => "lte",
            CmpOp::Gt => "gt",
            CmpOp::Gte => "gte",
        }
    }

    fn holds(self, left: i64, right: i64) -> bool {
        match self {
            CmpOp::Eq => left == right,
            CmpOp::Ne => left != right,
            CmpOp::Lt => left < right,
            CmpOp::Lte => left <= right,
            CmpOp::Gt => left > right,
            CmpOp::Gte => left >= right,
        }
    }
}

/// A condition on earlier answers, for skip logic and early ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Answered(QuestionId),
    NotAnswered(QuestionId),
    /// A score question's answer compared with a number.
    Compare {
        question: QuestionId,
        op: CmpOp,
        value: i64,
    },
    /// A choice question's answer includes one of these options.
    In {
        question: QuestionId,
        options: Vec<OptionId>,
    },
}

impl Condition {
    /// The `op` of [`Condition::In`] in the definition format; a [`Condition::Compare`]
    /// writes its [`CmpOp::as_str`].
    pub const IN_OP: &'static str = "in";

    /// Evaluates on the answers given so far. A comparison on an unanswered question is false.
    pub fn holds(&self, answers: &BTreeMap<QuestionId, Answer>) -> bool {
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.holds(answers)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(answers)),
            Condition::Not(c) => !c.holds(answers),
            Condition::Answered(q) => answers.contains_key(q),
            Condition::NotAnswered(q) => !answers.contains_key(q),
            Condition::Compare {
                question,
                op,
                value,
            } => match answers.get(question) {
                Some(Answer::Score(s)) => op.holds(*s, *value),
                _ => false,
            },
            Condition::In { question, options } => match answers.get(question) {
                Some(Answer::Choice(c)) => options.contains(c),
                Some(Answer::Choices { selected, .. }) => {
                    selected.iter().any(|s| options.contains(s))
                }
                _ => false,
            },
        }
    }

    /// Every question this condition reads.
    pub fn questions(&self) -> Vec<&QuestionId> {
        let mut out = Vec::new();
        self.collect_questions(&mut out);
        out
    }

    fn collect_questions<'a>(&'a self, out: &mut Vec<&'a QuestionId>) {
        match self {
            Condition::All(cs) | Condition::Any(cs) => {
                cs.iter().for_each(|c| c.collect_questions(out))
            }
            Condition::Not(c) => c.collect_questions(out),
            Condition::Answered(q) | Condition::NotAnswered(q) => out.push(q),
            Condition::Compare { question, .. } | Condition::In { question, .. } => {
                out.push(question)
            }
        }
    }
}

/// Where a respondent stands in a survey, given their answers so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    /// Indices of the questions the respondent sees, in order.
    pub visible: Vec<usize>,
    /// True when an `end_if` fired, so nothing after it is shown.
    pub ended_early: bool,
}

impl Survey {
    pub fn question(&self, id: &QuestionId) -> Option<&Question> {
        self.questions.iter().find(|q| &q.id == id)
    }

    /// The index of a question by its id.
    pub fn position(&self, id: &QuestionId) -> Option<usize> {
        self.questions.iter().position(|q| &q.id == id)
    }

    /// Which questions the survey logic shows for these answers.
    pub fn visibility(&self, answers: &BTreeMap<QuestionId, Answer>) -> Visibility {
        let mut visible = Vec::new();
        // Conditions see only the answers to questions shown so far: an answer to a hidden
        // question does not count, so it cannot reveal or hide later questions.
        let mut shown = BTreeMap::new();
        for (i, q) in self.questions.iter().enumerate() {
            if q.show_if.as_ref().is_none_or(|c| c.holds(&shown)) {
                visible.push(i);
                let Some(answer) = answers.get(&q.id) else {
                    continue;
                };
                shown.insert(q.id.clone(), answer.clone());
                if q.end_if.as_ref().is_some_and(|c| c.holds(&shown)) {
                    return Visibility {
                        visible,
                        ended_early: true,
                    };
                }
            }
        }
        Visibility {
            visible,
            ended_early: false,
        }
    }

    /// The first visible question not answered yet, or `None` when the respondent is done.
    /// Answers given so far decide what is visible, so this is the "next page" of a one
    /// question per page survey.
    pub fn next_question(&self, answers: &BTreeMap<QuestionId, Answer>) -> Option<usize> {
        self.visibility(answers)
            .visible
            .into_iter()
            .find(|&i| !answers.contains_key(&self.questions[i].id))
    }

    /// Picks the survey locale that best serves a list of preferred languages (in order).
    pub fn best_locale<'a>(&self, preferred: impl IntoIterator<Item = &'a str>) -> &Locale {
        for want in preferred {
            let Ok(want) = Locale::parse(want) else {
                continue;
            };
            if let Some(l) = self.locales.iter().find(|l| **l == want) {
                return l;
            }
            if let Some(l) = self
                .locales
                .iter()
                .find(|l| l.language() == want.language())
            {
                return l;
            }
        }
        &self.default_locale
    }
}
