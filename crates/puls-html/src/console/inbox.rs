//! The responses inbox and one response's page.

use serde::Serialize;

use super::{Select, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct InboxPage {
    pub title: String,
    pub rows: Vec<InboxRow>,
    pub selects: Vec<Select>,
    /// The search and the dates as the form shows them.
    pub q: String,
    pub since: String,
    pub until: String,
    /// The CSV export of exactly these filters, the same for Excel in pl/cs settings, and
    /// as an Excel workbook.
    pub export: String,
    pub export_excel: String,
    pub export_xlsx: String,
    /// The next page's link, when there are older responses.
    pub older: Option<String>,
    /// How many responses a search read (shown only for a search).
    pub scanned: Option<usize>,
    /// How many responses the filters select (first page only); with `total_scanned`, the
    /// count among the newest that many (a count by reading, when it stopped early).
    pub total: Option<u64>,
    pub total_scanned: Option<u64>,
    pub error: Option<String>,
    /// A done action to confirm (`response_deleted`).
    pub notice: Option<Text>,
    /// The viewer may record feedback taken by phone or in a store.
    pub can_record: bool,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for InboxPage {
    const TEMPLATE: &'static str = "app/inbox.html";
}

/// One response in the list.
#[derive(Debug, Clone, Serialize)]
pub struct InboxRow {
    pub id: String,
    /// The local date (`YYYY-MM-DD`) and time of day (`HH:MM`) it was given.
    pub date: String,
    pub time: String,
    pub survey: String,
    pub touchpoint: String,
    pub channel: String,
    pub locale: String,
    pub completed: bool,
    /// The scores at a glance: "nps 9, csat 4".
    pub scores: String,
    /// The start of its open answers.
    pub excerpt: String,
    /// What text analysis read in them.
    pub chips: Vec<Chip>,
    pub contact: Option<String>,
}

/// A sentiment or an aspect read in open answers, in words, with its tone (`neg`, `neu`,
/// `pos`) for its colour.
#[derive(Debug, Clone, Serialize)]
pub struct Chip {
    pub text: String,
    pub tone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponsePage {
    pub title: String,
    pub response: ResponseView,
    pub answers: Vec<AnswerRow>,
    /// What text analysis read in the open answers.
    pub chips: Vec<Chip>,
    /// The emotions read, in words (experimental).
    pub emotions: Vec<String>,
    /// The contact it is linked to, when found.
    pub contact: Option<ContactView>,
    /// Where it sits in the journeys.
    pub places: Vec<Place>,
    /// The viewer may delete it.
    pub can_delete: bool,
    /// The viewer works cases: "open a case" (or its case, when it has one).
    pub can_work_cases: bool,
    pub case_href: Option<String>,
    /// A done action to confirm (`record_saved`).
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for ResponsePage {
    const TEMPLATE: &'static str = "app/response.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseView {
    pub id: String,
    pub survey: String,
    pub date: String,
    pub touchpoint: String,
    pub channel: String,
    pub locale: String,
    pub completed: bool,
    pub contact_email: Option<String>,
    pub contact_external_id: Option<String>,
    /// Who recorded it by hand, and how, in words ("Recorded by Anna Nowak by phone").
    pub recorded: Option<String>,
    /// The store it comes from, in words, when it was not recorded by hand (a store's
    /// link or kiosk).
    pub store: Option<String>,
}

/// A question and its answer as a person reads it.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerRow {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub phone: Option<String>,
}

/// A journey stage and touchpoint that takes surveys of the response's touchpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub journey: String,
    pub stage: String,
    pub touchpoint: String,
    pub moment_of_truth: bool,
}
