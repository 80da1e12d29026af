//! The case queue and a case's page.

use serde::Serialize;

use super::Shell;
use crate::{Page, Text};

/// A choice whose value is data (a user id) and whose name is data (their name).
#[derive(Debug, Clone, Serialize)]
pub struct NamedChoice {
    pub value: String,
    pub name: String,
    pub selected: bool,
}

/// A choice whose value is fixed and whose name is a text.
#[derive(Debug, Clone, Serialize)]
pub struct TextChoice {
    pub value: &'static str,
    pub name: Text,
    pub selected: bool,
}

/// A view of the queue (mine, unassigned, overdue...).
#[derive(Debug, Clone, Serialize)]
pub struct QueueView {
    pub href: String,
    pub name: Text,
    pub current: bool,
}

/// One SLA timer as shown: its state in words and its time.
#[derive(Debug, Clone, Serialize)]
pub struct TimerView {
    pub state: Text,
    /// `ok`, `warn` or `bad`: how it is coloured (with the words, never alone).
    pub tone: &'static str,
    /// "due 7 Dec 16:00", "done …", "breached …".
    pub when: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub href: String,
    pub title: String,
    pub status: Text,
    pub priority: Text,
    pub owner: String,
    pub team: String,
    /// The customer's e-mail or external id; empty for an anonymous response.
    pub customer: String,
    pub first_response: TimerView,
    pub resolution: TimerView,
    pub created: String,
}

/// The queue.
#[derive(Debug, Clone, Serialize)]
pub struct CasesPage {
    pub title: String,
    pub views: Vec<QueueView>,
    pub rows: Vec<CaseRow>,
    /// The next page's address, when there is one.
    pub more: Option<String>,
    /// Why the list is empty when the reason is not "no cases" (`case_view_team_none`).
    pub empty: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for CasesPage {
    const TEMPLATE: &'static str = "app/cases.html";
}

/// One entry of a case's history, in words.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub when: String,
    pub who: String,
    pub what: String,
}

/// A case's page.
#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    pub title: String,
    pub id: String,
    pub status: Text,
    pub priority: Text,
    pub owner: String,
    /// The team's name (its key when the workspace's list lacks it).
    pub team: String,
    /// The team's key, for the form's text field when the workspace has no list.
    pub team_value: String,
    /// The workspace's teams to pick from (empty: a text field).
    pub teams: Vec<NamedChoice>,
    /// The root cause's name (its code without a list).
    pub root_cause: String,
    /// The root cause's code, as the form sends it.
    pub root_cause_value: String,
    /// The workspace's root-cause codes; none: the form takes any code.
    pub root_causes: Vec<NamedChoice>,
    /// "Opened by the rule …" or "Opened by hand".
    pub origin: String,
    pub created: String,
    pub first_response: TimerView,
    pub resolution: TimerView,
    /// The response's page, its survey and touchpoint.
    pub response_href: Option<String>,
    pub response_label: String,
    /// The response's answers, under their questions.
    pub answers: Vec<super::AnswerRow>,
    pub customer: String,
    /// Where a reply goes; none: no reply possible (and why).
    pub reply_to: Option<String>,
    pub reply_blocked: Option<Text>,
    pub history: Vec<HistoryRow>,
    pub statuses: Vec<TextChoice>,
    pub priorities: Vec<TextChoice>,
    pub owners: Vec<NamedChoice>,
    pub revision: i64,
    pub can_work: bool,
    pub notice: Option<Text>,
    pub problem: Option<String>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for CasePage {
    const TEMPLATE: &'static str = "app/case.html";
}

/// A share shown with its interval: "83 % (95 % interval 60–94 %)" and whether the sample
/// is small.
#[derive(Debug, Clone, Serialize)]
pub struct RateView {
    pub value: String,
    pub interval: String,
    pub small: bool,
    pub n: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub name: String,
    pub cases: u64,
    pub first_median: String,
    pub first_p90: String,
    pub resolution_median: String,
    pub resolution_p90: String,
    pub first_met: RateView,
    pub resolution_met: RateView,
}

/// The report of the cases opened in a period.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReportPage {
    pub title: String,
    pub from: String,
    pub to: String,
    pub counts: String,
    pub all: GroupView,
    pub by_team: Vec<GroupView>,
    pub by_touchpoint: Vec<GroupView>,
    pub root_causes: Vec<(String, u64)>,
    pub recovery_text: String,
    pub recovery_rate: RateView,
    pub views: Vec<QueueView>,
    /// The workspace's root-cause list as a form, for those who manage rules.
    pub causes: Option<CausesForm>,
    #[serde(flatten)]
    pub shell: Shell,
}

/// The root-cause list in a form: its rows (then empty ones to add codes), as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CausesForm {
    pub rows: Vec<CauseRow>,
    pub problems: Vec<super::Problem>,
}

/// One root-cause code and its names.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CauseRow {
    pub key: String,
    pub names: Vec<super::LocaleText>,
}

impl Page for CaseReportPage {
    const TEMPLATE: &'static str = "app/case_report.html";
}
