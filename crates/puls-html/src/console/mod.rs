//! The web app's pages as typed contexts: one `#[derive(Serialize)]` struct per page, with
//! the template it fills ([`Page::TEMPLATE`]), built by the server from what it read.
//!
//! A text a page chooses at run time (a notice, a status, a role) is a [`Text`] here, so it
//! exists by construction; the template shows it with `{{ t[field] }}`. Everything else is
//! data, escaped by the template engine when shown. Workspace pages carry the [`Shell`]
//! (user, workspace, navigation, anti-forgery token) flattened into them.

mod access;
mod analyses;
mod builder;
mod cases;
mod contacts;
mod definitions;
mod distributions;
mod inbox;
mod journeys;
mod overview;
mod record;
mod settings;
mod triggers;

use serde::Serialize;

pub use access::{AccountPage, FieldProblems, InvitationPage, SetupPage, SetupValues, SignInPage};
pub use analyses::{
    AnalysesPage, DriverRow, Drivers, Funnel, FunnelRow, Kano, KanoFeature, KanoShares,
    StageChoice, SurveyChoice,
};
pub use builder::{
    BuilderPage, BuilderQuestion, BuilderSurvey, Choice, ContactFieldChoice, ExtraText,
    LanguageChoice, LocaleText, SurveyRow, SurveysPage,
};
pub use cases::{
    CasePage, CaseReportPage, CaseRow, CasesPage, CauseRow, CausesForm, GroupView, HistoryRow,
    NamedChoice, QueueView, RateView, TextChoice, TimerView,
};
pub use contacts::{ContactPage, ContactRow, ContactsPage, TimelineItem};
pub use definitions::{
    AlertConditionRow, AlertForm, AlertLists, ConditionRow, DefinitionPage, DefinitionRow,
    DefinitionsPage, JourneyForm, MatcherForm, NotifyForm, SegmentChoices, SegmentForm, StageForm,
    TouchpointForm,
};
pub use distributions::{
    ContactDeliveryRow, CountRow, DeliveryRow, DistributionForm, DistributionPage, DistributionRow,
    DistributionsPage, OpensView, ReachPage, ReachRow,
};
pub use inbox::{
    AnswerRow, Chip, ContactView, InboxPage, InboxRow, Place, ResponsePage, ResponseView,
};
pub use journeys::{
    ChartPoint, Estimate, Feedback, JourneyPage, MapStage, MapTouchpoint, ShareView,
    TouchpointPage, Verbatim,
};
pub use overview::{
    AspectLine, BreakdownRow, Card, Change, OverviewPage, TextCard, TopicLine, TrendRow,
    TrendingLine,
};
pub use record::{LocaleChoice, PickedContact, RecordForm, RecordPage, RecordSurvey};
pub use settings::{
    InvitationRow, JobRow, KeyRow, MemberRow, SettingsPage, SmtpView, TeamRow, TeamsForm,
    TextAspectForm, TextAspectRow, TextAspectsPage, TriedComment, WebhookRow, WebhooksPage,
    WriteKeyRow,
};
pub use triggers::{
    ChannelChoice, OccurrenceRow, TriggerForm, TriggerPage, TriggerRow, TriggersPage,
};

use crate::{Page, Text};

/// What every workspace page shows around its content: who is signed in, the workspace and
/// the switcher to the others, the navigation, and the session's anti-forgery token.
#[derive(Debug, Clone, Serialize)]
pub struct Shell {
    pub user: Person,
    pub ws: WorkspaceRef,
    pub workspaces: Vec<WorkspaceRef>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceRef {
    pub slug: String,
    pub name: String,
}

/// An entry of the navigation: the pages the role may open.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub key: Text,
    pub href: String,
    pub current: bool,
}

/// A choice of interface language, linking to the same page in it.
#[derive(Debug, Clone, Serialize)]
pub struct LangLink {
    pub code: &'static str,
    /// The language's name in its own words ("čeština").
    pub name: &'static str,
    pub current: bool,
    pub href: String,
}

/// The period of a page's filters, as inclusive dates, and the segment where it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub from: String,
    pub to: String,
    pub segment: String,
}

/// A `<select>` of a filter form.
#[derive(Debug, Clone, Serialize)]
pub struct Select {
    pub name: &'static str,
    pub label: Text,
    pub current: String,
    pub options: Vec<SelectOption>,
}

/// An option of a filter: its value and what it shows, a [`Text`] for values of our
/// vocabulary (channels, statuses), else `text` (a survey's title, a touchpoint).
#[derive(Debug, Clone, Serialize)]
pub struct SelectOption {
    pub value: String,
    pub text: String,
    pub label: Option<Text>,
}

/// A problem of a form or a definition, at its path.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// A page with a message and a link on (no session needed).
#[derive(Debug, Clone, Serialize)]
pub struct MessagePage {
    pub title: String,
    pub message: String,
    pub link: Option<Link>,
    pub langs: Vec<LangLink>,
}

impl Page for MessagePage {
    const TEMPLATE: &'static str = "app/message.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub href: String,
    pub text: String,
}
