//! The respondent pages: one question per page, the thank-you page and message pages.
//!
//! Pages are plain HTML forms that work without JavaScript, with the CSS inline and no
//! request to any other origin. Every survey text goes through the template engine's HTML
//! escaping; this module only prepares the data the templates show.

mod form;
mod view;

use puls_core::{Answers, FieldError, Locale, Survey};
use serde::Serialize;

use crate::i18n::is_rtl;
use crate::{Html, Lang, Page, Text};

pub use form::{FormFields, form_answer, form_answers};
pub use view::{FieldProblem, QuestionFields, all_questions};

/// Everything needed to render one question page.
#[derive(Debug, Clone, Copy)]
pub struct QuestionPage<'a> {
    pub survey: &'a Survey,
    /// The form posts to `/s/{survey_id}`.
    pub survey_id: &'a str,
    /// The survey locale chosen for this respondent.
    pub locale: &'a Locale,
    /// Index into `survey.questions` of the question to show.
    pub question: usize,
    /// Progress, "Question 3 of 7"; `total` is an estimate (the questions visible so far).
    pub step: usize,
    pub total: usize,
    /// Answers given so far: they pre-fill a question the respondent comes back to.
    pub answers: &'a Answers,
    /// What was just posted, to fill the form in again after a validation error.
    pub form: Option<&'a FormFields>,
    /// Errors for this question, with paths like `answers.nps` or `answers.nps.email`.
    pub errors: &'a [FieldError],
    /// Hidden fields `rid` and `rt` that continue a partial response.
    pub response_id: Option<&'a str>,
    pub resume_token: Option<&'a str>,
    /// The id of the previous question, for the "Back" link.
    pub back: Option<&'a str>,
    /// Seeds the option order of questions that ask for randomisation.
    pub shuffle_seed: u64,
    /// The first page shows the survey title and intro above the question.
    pub show_intro: bool,
    /// Shows a "Preview" banner.
    pub preview: bool,
    /// More hidden fields to post back, such as the channel and invitation of a new response.
    pub extra_hidden: &'a [(String, String)],
    /// Where the form posts and the page links go, instead of `/s/{survey_id}` (a preview
    /// in the web app, which stores nothing).
    pub action: Option<&'a str>,
}

/// The full-page messages a respondent may meet instead of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    NotFound,
    Closed,
    AlreadyAnswered,
    TooManyRequests,
    ServerError,
    BadRequest,
    /// A personal link of a distribution that has enough answers (its quota is full).
    Full,
}

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        MessageKind::NotFound,
        MessageKind::Closed,
        MessageKind::AlreadyAnswered,
        MessageKind::TooManyRequests,
        MessageKind::ServerError,
        MessageKind::BadRequest,
        MessageKind::Full,
    ];
}

/// Shown if a template ever fails, which the tests rule out for every page they render.
const FALLBACK: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Puls</title></head>\
<body><h1 lang=\"en\">Something went wrong</h1><p lang=\"pl\">Coś poszło nie tak.</p>\
<p lang=\"cs\">Něco se pokazilo.</p></body></html>";

/// The context of a message page (the thank-you page is one too).
#[derive(Debug, Serialize)]
struct MessageView<'a> {
    /// The survey locale, or the chrome language when there is no survey.
    lang: &'a str,
    rtl: bool,
    title: &'a str,
    heading: &'a str,
    lead: String,
    text: &'a str,
    preview: bool,
}

impl Page for MessageView<'_> {
    const TEMPLATE: &'static str = "survey/message.html";
}

/// The unsubscribe page's facts.
#[derive(Debug, Serialize)]
pub struct Unsubscribe<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub workspace: &'a str,
    /// Half hidden (`a***@sklep.pl`).
    pub address: &'a str,
    pub token: &'a str,
    pub done: bool,
    pub rtl: bool,
    pub preview: bool,
}

impl Page for Unsubscribe<'_> {
    const TEMPLATE: &'static str = "survey/unsubscribe.html";
}

impl Html {
    /// A respondent's page: never an error, which would leave them with nothing.
    fn respondent_page<P: Page>(&self, page: &P, lang: Lang) -> String {
        self.render(page, lang)
            .unwrap_or_else(|_| FALLBACK.to_string())
    }

    /// The page of one question.
    pub fn question(&self, page: &QuestionPage) -> String {
        let lang = Lang::for_locale(page.locale);
        match view::question(page, lang) {
            Some(view) => self.respondent_page(&view, lang),
            None => self.message(lang, MessageKind::NotFound),
        }
    }

    /// The page after the last answer: the survey's own thank-you text, or a default one.
    pub fn thank_you(&self, survey: &Survey, locale: &Locale) -> String {
        let lang = Lang::for_locale(locale);
        let title = survey.title.get(locale, &survey.default_locale);
        let lead = match &survey.thank_you {
            Some(text) => text.get(locale, &survey.default_locale).to_string(),
            None => format!(
                "{} {}",
                lang.t(Text::ThankYou),
                lang.t(Text::AnswersRecorded)
            ),
        };
        let page = MessageView {
            lang: locale.as_str(),
            rtl: is_rtl(locale),
            title,
            heading: title,
            lead,
            text: lang.t(Text::CanClose),
            preview: false,
        };
        self.respondent_page(&page, lang)
    }

    /// The page of an e-mail's unsubscribe link: a button that posts the one-click form
    /// (RFC 8058's body), or, `done`, the confirmation. Nothing happens on a GET, so a
    /// link scanner cannot unsubscribe anyone.
    pub fn unsubscribe(&self, lang: Lang, u: &Unsubscribe<'_>) -> String {
        self.respondent_page(u, lang)
    }

    /// A full page with a message, in the respondent's language.
    pub fn message(&self, lang: Lang, kind: MessageKind) -> String {
        let (heading, text) = lang.message(kind);
        let page = MessageView {
            lang: lang.code(),
            rtl: false,
            title: heading,
            heading,
            lead: String::new(),
            text,
            preview: false,
        };
        self.respondent_page(&page, lang)
    }
}
