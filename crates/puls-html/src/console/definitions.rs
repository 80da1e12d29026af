//! Segments and journeys as their definitions: a list (with each segment's member count
//! now, each journey's stages) and an editor of one definition, validated like the API: a
//! form of conditions for a segment's rule, and the definition as JSON for everything.

use puls_core::Channel;
use serde::Serialize;

use super::{Choice, LocaleText, Problem, SelectOption, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionsPage {
    pub title: String,
    /// `segments` or `journeys`: the URL segment and which words to use.
    pub kind: &'static str,
    pub rows: Vec<DefinitionRow>,
    /// A new definition as typed (kept when it was refused), and why it was refused.
    pub text: String,
    pub problems: Vec<Problem>,
    /// The alert rules' page: the workspace's notification policy as a form.
    pub notify: Option<NotifyForm>,
    pub can_edit: bool,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

/// The workspace's notification policy as a form, every field as typed (times `HH:MM`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NotifyForm {
    pub time_zone: String,
    pub quiet_from: String,
    pub quiet_to: String,
    pub digest_at: String,
    pub urgent: bool,
    pub problems: Vec<Problem>,
}

impl Page for DefinitionsPage {
    const TEMPLATE: &'static str = "app/definitions.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionRow {
    pub key: String,
    pub name: String,
    /// A segment's members now, or a journey's stages, in words.
    pub detail: String,
    /// A journey's map.
    pub view: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionPage {
    pub title: String,
    pub kind: &'static str,
    pub key: String,
    /// The definition as JSON, pretty, or as typed when it was refused.
    pub text: String,
    pub problems: Vec<Problem>,
    /// A segment's rule as a form; `None` for journeys, and for a rule the form cannot show
    /// (then `unfit`).
    pub form: Option<SegmentForm>,
    /// A journey as a form; `None` for segments and for a journey the form cannot show
    /// (then `unfit`).
    pub journey: Option<JourneyForm>,
    /// An alert rule as a form (every rule fits it); `None` for segments and journeys.
    pub alert: Option<AlertForm>,
    /// The alert form's lists of this workspace: surveys, segments, members.
    pub alert_lists: AlertLists,
    pub unfit: bool,
    pub choices: SegmentChoices,
    pub can_edit: bool,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for DefinitionPage {
    const TEMPLATE: &'static str = "app/definition.html";
}

/// A segment in the editor's form: its names and a list of conditions joined by `all` or
/// `any`, each one optionally negated. Every field is kept as typed, so a refused form
/// comes back as it was sent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SegmentForm {
    pub key: String,
    /// A new segment, whose key is typed.
    pub new: bool,
    pub names: Vec<LocaleText>,
    /// `all` or `any`.
    pub combinator: String,
    pub rows: Vec<ConditionRow>,
}

/// One condition of a segment's rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConditionRow {
    /// `attribute`, `contact`, `consent`, `event` or `feedback`.
    pub kind: String,
    pub negate: bool,
    /// The attribute's name, the contact field, the consent's purpose, the event's name or
    /// the feedback metric.
    pub subject: String,
    pub op: String,
    /// One value, or several separated by commas for `in` and `not_in`.
    pub value: String,
    /// Feedback: `last`, `any` or `average`.
    pub which: String,
    pub touchpoint: String,
    pub min: String,
    pub max: String,
    pub within_days: String,
    /// Consent: given (or not).
    pub granted: bool,
    /// An event's one property condition.
    pub where_property: String,
    pub where_op: String,
    pub where_value: String,
}

/// The options of the segment form's selects, in the page's language.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentChoices {
    pub kinds: Vec<Choice>,
    pub ops: Vec<Choice>,
    pub fields: Vec<Choice>,
    pub which: Vec<Choice>,
    pub langs: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub matchers: Vec<Choice>,
}

impl Default for SegmentChoices {
    fn default() -> Self {
        let list = choices;
        SegmentChoices {
            kinds: list(&[
                ("attribute", Text::CondKindAttribute),
                ("contact", Text::CondKindContact),
                ("consent", Text::CondKindConsent),
                ("event", Text::CondKindEvent),
                ("feedback", Text::CondKindFeedback),
            ]),
            ops: list(&[
                ("eq", Text::OpEq),
                ("ne", Text::OpNe),
                ("lt", Text::OpLt),
                ("lte", Text::OpLte),
                ("gt", Text::OpGt),
                ("gte", Text::OpGte),
                ("in", Text::OpIn),
                ("not_in", Text::OpNotIn),
                ("contains", Text::OpContains),
                ("starts_with", Text::OpStartsWith),
                ("exists", Text::OpExists),
                ("not_exists", Text::OpNotExists),
            ]),
            fields: list(&[
                ("external_id", Text::CfExternalId),
                ("email", Text::CfEmail),
                ("phone", Text::CfPhone),
                ("name", Text::CfName),
                ("locale", Text::CfLocale),
                ("created_at", Text::CfCreatedAt),
            ]),
            which: list(&[
                ("last", Text::WhichLast),
                ("any", Text::WhichAny),
                ("average", Text::WhichAverage),
            ]),
            langs: list(&[
                ("pl", Text::LangPl),
                ("cs", Text::LangCs),
                ("en", Text::LangEn),
            ]),
            channels: Channel::ALL
                .iter()
                .map(|&c| Choice {
                    value: c.as_str(),
                    name: Text::channel(c),
                })
                .collect(),
            matchers: list(&[
                ("event", Text::MatcherEvent),
                ("page", Text::MatcherPage),
                ("screen", Text::MatcherScreen),
            ]),
        }
    }
}

/// An alert rule in the editor's form, every field as typed: on responses (conditions
/// joined by `all` or `any`) or on a metric (a watch), and its actions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AlertForm {
    pub key: String,
    /// A new rule, whose key is typed.
    pub new: bool,
    pub names: Vec<LocaleText>,
    pub enabled: bool,
    /// `response` (conditions on each response) or `metric` (a watch).
    pub watch: String,
    /// One survey's id, or empty for every survey.
    pub survey: String,
    /// `all` or `any`.
    pub combinator: String,
    pub rows: Vec<AlertConditionRow>,
    /// The metric watched: `nps`, `csat` or `ces`.
    pub metric: String,
    /// `touchpoint`, `channel` or `survey`.
    pub by: String,
    /// The groups watched, comma-separated; empty for all.
    pub only: String,
    /// `week` or `month`.
    pub every: String,
    /// `drop` (a significant fall) or `below` (a threshold).
    pub test: String,
    pub min_n: String,
    pub fdr: String,
    pub below: String,
    pub case: bool,
    pub priority: String,
    pub team: String,
    pub owner: String,
    pub link_days: String,
    pub email_admins: bool,
    /// Other addresses, comma-separated.
    pub email_to: String,
    /// The e-mails collected into a daily digest.
    pub digest: bool,
    pub webhook: bool,
}

/// One condition of an alert rule on responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AlertConditionRow {
    /// `score`, `text`, `answer`, `touchpoint`, `channel`, `attribute`, `segment` or
    /// `reading`.
    pub kind: String,
    /// A score's metric (`nps`, `csat`, `ces`) or `question`; an attribute's name; a
    /// segment's key; a reading's sentiment (`neg`, `neu`, `pos`, or empty: any).
    pub subject: String,
    /// The question of a score, answer or text condition.
    pub question: String,
    pub at_least: String,
    pub at_most: String,
    /// Phrases, options, touchpoints, channels or attribute values, comma-separated; a
    /// reading's aspect (empty: any).
    pub values: String,
}

/// What the alert form offers from the workspace: its surveys, segments and members.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertLists {
    pub surveys: Vec<SelectOption>,
    pub segments: Vec<SelectOption>,
    pub members: Vec<SelectOption>,
    /// The workspace's teams by name (empty: the team is a key typed in).
    pub teams: Vec<SelectOption>,
    /// The kinds of condition, the priorities, the groupings and periods, in words.
    pub kinds: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub by: Vec<Choice>,
    pub every: Vec<Choice>,
    /// What text analysis reads: the sentiments, in words, and the workspace's aspects
    /// (built-in and own) by name; the caller fills these.
    pub sentiments: Vec<Choice>,
    pub aspects: Vec<SelectOption>,
}

impl AlertLists {
    /// The form's fixed choices, with the workspace's lists as given.
    pub fn new(
        surveys: Vec<SelectOption>,
        segments: Vec<SelectOption>,
        members: Vec<SelectOption>,
        teams: Vec<SelectOption>,
    ) -> AlertLists {
        let list = choices;
        AlertLists {
            surveys,
            segments,
            members,
            teams,
            kinds: list(&[
                ("score", Text::AlertKindScore),
                ("text", Text::AlertKindText),
                ("answer", Text::AlertKindAnswer),
                ("touchpoint", Text::Touchpoint),
                ("channel", Text::Channel),
                ("attribute", Text::AlertKindAttribute),
                ("segment", Text::AlertKindSegment),
                ("reading", Text::AlertKindReading),
            ]),
            sentiments: list(&[
                ("neg", Text::SentimentNeg),
                ("neu", Text::SentimentNeu),
                ("pos", Text::SentimentPos),
            ]),
            aspects: Vec::new(),
            priorities: list(&[
                ("low", Text::PriorityLow),
                ("normal", Text::PriorityNormal),
                ("high", Text::PriorityHigh),
                ("urgent", Text::PriorityUrgent),
            ]),
            by: list(&[
                ("touchpoint", Text::Touchpoint),
                ("channel", Text::Channel),
                ("survey", Text::Survey),
            ]),
            every: list(&[("week", Text::RuleWeekly), ("month", Text::RuleMonthly)]),
        }
    }
}

/// A list of fixed choices, each a value and its words.
fn choices(items: &[(&'static str, Text)]) -> Vec<Choice> {
    items
        .iter()
        .map(|&(value, name)| Choice { value, name })
        .collect()
}

/// A journey in the editor's form, every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JourneyForm {
    pub key: String,
    /// A new journey, whose key is typed.
    pub new: bool,
    pub names: Vec<LocaleText>,
    pub window_days: String,
    pub target_nps: String,
    pub target_csat: String,
    pub stages: Vec<StageForm>,
}

/// One stage of a journey in the form.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageForm {
    pub key: String,
    pub names: Vec<LocaleText>,
    pub side: bool,
    pub return_days: String,
    pub touchpoints: Vec<TouchpointForm>,
}

/// One touchpoint of a stage in the form.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TouchpointForm {
    pub key: String,
    pub names: Vec<LocaleText>,
    pub channel: String,
    /// Survey touchpoints, comma-separated.
    pub surveys: String,
    pub moment_of_truth: bool,
    pub events: Vec<MatcherForm>,
}

/// An event matcher of a touchpoint: an event, page or screen by name, with at most one
/// property condition.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatcherForm {
    /// `event`, `page` or `screen`.
    pub kind: String,
    pub name: String,
    pub where_property: String,
    pub where_op: String,
    pub where_value: String,
}
