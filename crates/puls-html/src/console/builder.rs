//! The workspace's surveys and the survey editor.

use serde::Serialize;

use super::{Problem, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct SurveysPage {
    pub title: String,
    pub surveys: Vec<SurveyRow>,
    /// The languages a new survey may be written in, the page's own ticked.
    pub languages: Vec<LanguageChoice>,
    /// Why a new survey or an import was refused.
    pub problems: Vec<Problem>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for SurveysPage {
    const TEMPLATE: &'static str = "app/surveys.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyRow {
    pub id: String,
    pub title: String,
    pub touchpoint: String,
    pub status: Text,
    /// RFC 3339.
    pub updated: String,
    /// Published, and the viewer may record feedback taken by hand for it.
    pub can_record: bool,
}

/// A language a survey may be written in, and whether it is.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageChoice {
    pub code: &'static str,
    pub name: Text,
    pub on: bool,
}

/// An option of a `<select>` whose texts are ours: a question type, an operator, a channel.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub name: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuilderPage {
    pub title: String,
    pub survey: BuilderSurvey,
    /// The definition the form was drawn from, as JSON; each post overlays the form on it.
    pub base: String,
    pub all_langs: Vec<LanguageChoice>,
    /// The survey's languages, in its order.
    pub locales: Vec<String>,
    pub questions: Vec<BuilderQuestion>,
    /// The question types the "add" menu offers.
    pub types: Vec<Choice>,
    /// The operators of skip logic and early ends.
    pub ops: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub problems: Vec<Problem>,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for BuilderPage {
    const TEMPLATE: &'static str = "app/builder.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct BuilderSurvey {
    pub id: String,
    /// `draft`, `published` or `closed`.
    pub status: &'static str,
    pub status_name: Text,
    pub title: Vec<LocaleText>,
    pub touchpoint: String,
    pub intro: Vec<LocaleText>,
    pub thank_you: Vec<LocaleText>,
    pub channel: String,
    /// The link respondents answer at, and its QR code.
    pub link: String,
    pub qr: String,
}

/// A text in one of the survey's languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocaleText {
    pub locale: String,
    pub value: String,
}

/// A text of a question type besides its question: a scale end, "other", a Kano side.
#[derive(Debug, Clone, Serialize)]
pub struct ExtraText {
    /// Its field in the definition (`min_label`, `other`, ...).
    pub key: &'static str,
    pub name: Text,
    pub required: bool,
    pub texts: Vec<LocaleText>,
}

/// A contact field a contact question may ask for.
#[derive(Debug, Clone, Serialize)]
pub struct ContactFieldChoice {
    pub value: &'static str,
    pub name: Text,
    pub on: bool,
}

/// The editor's view of one question. Values are shown as typed, so a wrong one can be
/// corrected where it was made.
#[derive(Debug, Clone, Serialize)]
pub struct BuilderQuestion {
    /// Its position, which names its form fields (`q3.text.pl`).
    pub i: usize,
    pub id: String,
    /// The `type` of the definition, and its name when it is one we know.
    #[serde(rename = "type")]
    pub kind: String,
    pub kind_name: Option<Text>,
    pub required: bool,
    pub texts: Vec<LocaleText>,
    pub help: Vec<LocaleText>,
    pub extra: Vec<ExtraText>,
    /// A scale of its own (rating, matrix): its ends.
    pub scale: bool,
    pub min: String,
    pub max: String,
    /// Its options or rows (`options`, `rows`), one per line of a textarea.
    pub list: Option<&'static str>,
    pub list_name: Option<Text>,
    pub list_text: Option<String>,
    pub contact: bool,
    pub contact_fields: Vec<ContactFieldChoice>,
    pub show_q: String,
    pub show_op: String,
    pub show_value: String,
    pub end_q: String,
    pub end_op: String,
    pub end_value: String,
    pub choice: bool,
    pub randomize: bool,
    pub multiple: bool,
    pub min_choices: Option<String>,
    pub max_choices: Option<String>,
    pub open: bool,
    pub max_length: Option<String>,
    pub multiline: bool,
    /// The ids of the questions before it, which its conditions may read.
    pub earlier: Vec<String>,
}
