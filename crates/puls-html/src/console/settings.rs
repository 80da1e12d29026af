//! A workspace's settings: its name, people and roles, invitations, API and write keys;
//! its webhooks; the aspects its open answers are read for.

use serde::Serialize;

use super::{Problem, Shell};
use crate::{Page, Text};

use super::builder::Choice;

#[derive(Debug, Clone, Serialize)]
pub struct SettingsPage {
    pub title: String,
    /// The sections the role may see.
    pub can_workspace: bool,
    /// May change the aspects open answers are read for.
    pub can_aspects: bool,
    pub can_users: bool,
    pub can_keys: bool,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
    /// The roles this user may grant.
    pub roles: Vec<Choice>,
    pub keys: Vec<KeyRow>,
    pub write_keys: Vec<WriteKeyRow>,
    /// Where Segment libraries send to.
    pub tracking_url: String,
    /// Shown once, right after it was made.
    pub invite_link: Option<String>,
    pub new_key: Option<String>,
    pub notice: Option<Text>,
    /// The teams' form (for those who manage users).
    pub teams: Option<TeamsForm>,
    /// The e-mail relay (shown to those who manage the workspace); `None`: e-mail is off.
    pub smtp: Option<SmtpView>,
    /// The signed-in user's address, where a test e-mail goes.
    pub my_email: String,
    /// Whether invitations and reminders carry the open image (shown to those who manage
    /// the workspace, who alone may change it).
    pub track_opens: bool,
    #[serde(flatten)]
    pub shell: Shell,
}

/// The relay e-mail goes through, in words.
#[derive(Debug, Clone, Serialize)]
pub struct SmtpView {
    /// `host:port`.
    pub relay: String,
    /// How the connection is protected, in words.
    pub security: Text,
    pub from: String,
    pub authenticated: bool,
}

/// The workspace's teams in a form: each team, then empty rows to add teams, as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TeamsForm {
    pub rows: Vec<TeamRow>,
    pub problems: Vec<super::Problem>,
}

/// One team: its key, names, lead (one of the members, or none) and members.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TeamRow {
    pub key: String,
    pub names: Vec<super::LocaleText>,
    /// Every workspace member, the lead selected.
    pub lead: Vec<super::NamedChoice>,
    /// Every workspace member, the team's selected.
    pub members: Vec<super::NamedChoice>,
}

impl Page for SettingsPage {
    const TEMPLATE: &'static str = "app/settings.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_name: Text,
    /// The signed-in user.
    pub me: bool,
    /// Whether this user may change their role or remove them.
    pub manageable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role_name: Text,
    pub expires: String,
    pub manageable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WriteKeyRow {
    pub key: String,
    pub name: String,
    pub created: String,
    pub revoked: bool,
}

/// A workspace's webhooks and what the outbox sent (owners and admins).
#[derive(Debug, Clone, Serialize)]
pub struct WebhooksPage {
    pub title: String,
    pub hooks: Vec<WebhookRow>,
    pub jobs: Vec<JobRow>,
    /// A secret shown once, right after it was made, and its webhook's URL.
    pub new_secret: Option<(String, String)>,
    /// The URL as typed when it was refused, and why.
    pub typed_url: String,
    pub problem: Option<String>,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for WebhooksPage {
    const TEMPLATE: &'static str = "app/webhooks.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub events: Vec<Text>,
    /// Sent as Slack-compatible messages.
    pub slack: bool,
    /// The language of its Slack messages, in words.
    pub language: Text,
    pub enabled: bool,
    pub disabled_reason: String,
    pub failures: i64,
    pub created: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub id: String,
    /// The webhook's URL, or the recipient channel's name.
    pub target: String,
    pub event: String,
    pub state: Text,
    pub attempts: i64,
    pub last_error: String,
    /// When it was made, as a local date-time.
    pub created: String,
}

/// `/app/w/{slug}/aspects`: the aspects open answers are read for, the workspace's own and
/// its keywords added to built-in ones, with a form to add or change one and a box to try
/// a comment.
#[derive(Debug, Clone, Serialize)]
pub struct TextAspectsPage {
    pub title: String,
    pub aspects: Vec<TextAspectRow>,
    /// The form: a new aspect, or the one being changed.
    pub form: TextAspectForm,
    pub problems: Vec<Problem>,
    /// Answers whose results were read before the last change and are yet to be looked at
    /// again (0: all current).
    pub pending: i64,
    /// Text analysis is not installed: aspects are kept, nothing reads them.
    pub not_installed: bool,
    /// A comment tried, its language, and the aspects found in it, in words.
    pub tried: Option<TriedComment>,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for TextAspectsPage {
    const TEMPLATE: &'static str = "app/text_aspects.html";
}

/// One aspect in the list.
#[derive(Debug, Clone, Serialize)]
pub struct TextAspectRow {
    pub key: String,
    /// Its name in the page's language.
    pub name: String,
    pub builtin: bool,
    /// The workspace's keywords, per language (`pl`, `cs`, `en`) joined by commas.
    pub keywords: Vec<(String, String)>,
    /// The workspace changed it (an own aspect, or keywords added to a built-in one).
    pub changed: bool,
}

/// The form of an aspect, every field as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TextAspectForm {
    /// Empty for a new aspect (the key is typed).
    pub key: String,
    pub editing: bool,
    pub builtin: bool,
    /// The built-in aspect's name, when changing one.
    pub builtin_name: String,
    pub label_pl: String,
    pub label_cs: String,
    pub label_en: String,
    /// One keyword per line.
    pub keywords_pl: String,
    pub keywords_cs: String,
    pub keywords_en: String,
}

/// A comment tried against the workspace's aspects.
#[derive(Debug, Clone, Serialize)]
pub struct TriedComment {
    pub text: String,
    pub lang: String,
    pub found: Vec<String>,
}
