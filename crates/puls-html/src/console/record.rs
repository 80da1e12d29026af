//! Recording feedback by hand: a customer's answers taken by phone or in a store, entered
//! by staff on one page with every question of the survey.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{SelectOption, Shell};
use crate::survey_page::{FieldProblem, QuestionFields};
use crate::{Page, Text};

/// The page: first the survey to record for (when none is chosen), then the form.
#[derive(Debug, Serialize)]
pub struct RecordPage {
    pub title: String,
    /// The published surveys to choose from, while none is chosen.
    pub surveys: Vec<SelectOption>,
    /// Why the survey asked for cannot take feedback, above the choice.
    pub pick_error: Option<Text>,
    /// The chosen survey and its questions.
    pub survey: Option<RecordSurvey>,
    /// The contact picked on their profile, kept when the survey is chosen.
    pub contact_id: Option<String>,
    pub form: RecordForm,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for RecordPage {
    const TEMPLATE: &'static str = "app/record.html";
}

/// The survey feedback is recorded for.
#[derive(Debug, Serialize)]
pub struct RecordSurvey {
    pub id: String,
    pub title: String,
    /// The survey language the questions are shown (and the answers stored) in.
    pub locale: String,
    /// The survey's languages, each linking to this form in it (none when it has one).
    pub locales: Vec<LocaleChoice>,
    /// This page without the survey, when there are others to choose.
    pub other_href: Option<String>,
    /// Every question, laid out as on the respondent's page.
    pub questions: Vec<QuestionFields>,
}

/// A survey language to show the questions in.
#[derive(Debug, Serialize)]
pub struct LocaleChoice {
    pub code: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

/// The customer picked on their profile.
#[derive(Debug, Clone, Serialize)]
pub struct PickedContact {
    pub id: String,
    pub name: String,
    /// Their e-mail, phone and external id, as known.
    pub details: Vec<String>,
    /// This page without them.
    pub other_href: String,
}

/// The form as typed, with its problems: by field (`channel`, `store`, `contact`, `name`,
/// `email`, `phone`, `external_id`) in the user's language, those of no field
/// (`general`), and every problem in page order with the input it is about (`summary`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordForm {
    /// `phone` or `store`.
    pub channel: String,
    pub store: String,
    /// A customer picked by id; else the details below, as typed.
    pub contact: Option<PickedContact>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub external_id: String,
    /// Makes a form sent twice one response.
    pub key: String,
    pub errors: BTreeMap<&'static str, String>,
    pub general: Vec<String>,
    pub summary: Vec<FieldProblem>,
}

impl RecordForm {
    /// Whether anything was refused.
    pub fn refused(&self) -> bool {
        !self.summary.is_empty() || !self.general.is_empty()
    }
}
