//! HTML for respondents: the pages of a survey, rendered from embedded templates, in the
//! respondent's language.
//!
//! Pure functions from the survey model to `String`s of HTML, and from posted form fields
//! to answers; no HTTP here. Pages work without JavaScript, load nothing from anywhere else,
//! and escape every survey text through the template engine.

pub mod i18n;
pub mod survey_page;

pub use i18n::UiLang;
pub use survey_page::{FormFields, MessageKind, QuestionPage, Renderer, form_answer};
