//! Triggers: the workspace's invitations that follow behaviour, with their counts and the
//! form that creates one, and a trigger's page (its plan in words, what became of its
//! events and messages, the latest events one by one, the same form to change it, pause,
//! resume and delete). The form (`app/trigger_form.html`) offers the channels it is given,
//! each with the fields its message needs.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Choice, CountRow, RateView, SelectOption, Shell};
use crate::{Page, Text};

/// The list of triggers with the form that creates one.
#[derive(Debug, Clone, Serialize)]
pub struct TriggersPage {
    pub title: String,
    /// Newest first.
    pub rows: Vec<TriggerRow>,
    /// Some row's response rate rests on a small sample.
    pub small_samples: bool,
    pub form: TriggerForm,
    /// The published surveys, by title.
    pub surveys: Vec<SelectOption>,
    /// The comparisons of the condition.
    pub ops: Vec<Choice>,
    /// The delay's units: days, hours, minutes.
    pub units: Vec<Choice>,
    /// The channels a trigger may invite on.
    pub channels: Vec<ChannelChoice>,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

/// A channel the form offers.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelChoice {
    /// The definition's `channel`.
    pub value: &'static str,
    pub name: Text,
    /// What it does, in a sentence.
    pub hint: Text,
    /// It sends a message, so the message's fields (the embedded first question,
    /// reminders) apply.
    pub message: bool,
    /// Why it cannot send now (the server lacks its relay or provider).
    pub off: Option<Text>,
}

impl Page for TriggersPage {
    const TEMPLATE: &'static str = "app/triggers.html";
}

/// One trigger in the list.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerRow {
    pub id: String,
    pub name: String,
    /// The survey's title.
    pub survey: String,
    /// What starts it, in words (`event “Order Delivered”`).
    pub event: String,
    /// The delay in words ("2 dni").
    pub delay: String,
    pub status: Text,
    pub pending: i64,
    pub fired: i64,
    pub cancelled: i64,
    pub skipped: i64,
    /// Messages of its invitations sent.
    pub sent: i64,
    pub rate: RateView,
}

/// The form that creates or changes a trigger, as typed, with its problems by field
/// (`survey`, `name`, `event`, `where_property`, `where_op`, `where_value`, `occurrence`,
/// `delay`, `cancel_event`, `expires`, `channel`, `embed`, `reminders_count`,
/// `reminders_after`) and those of no field (`general`), each in the author's language.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TriggerForm {
    /// The trigger this form changes (its survey stays); `None`: it creates one.
    pub edit_of: Option<String>,
    pub survey: String,
    pub name: String,
    pub event: String,
    pub where_property: String,
    pub where_op: String,
    pub where_value: String,
    pub occurrence: String,
    pub delay: String,
    /// `days`, `hours` or `minutes`.
    pub delay_unit: String,
    pub cancel_event: String,
    pub expires: String,
    /// `email`, `sms` or `in_app`.
    pub channel: String,
    /// What starts it, in words, when the form cannot show it (several conditions, a page
    /// or screen: set through the API); it then stays as it is.
    pub kept_when: Option<String>,
    /// The same for what cancels it (several events, or one with conditions).
    pub kept_cancel: Option<String>,
    pub embed: bool,
    pub reminders_count: String,
    pub reminders_after: String,
    pub errors: BTreeMap<&'static str, String>,
    pub general: Vec<String>,
}

impl TriggerForm {
    /// An empty form: two days after the event, no condition, 72 hours' grace, by e-mail,
    /// no reminders (three days apart when chosen).
    pub fn blank() -> TriggerForm {
        TriggerForm {
            channel: "email".into(),
            where_op: "eq".into(),
            delay: "2".into(),
            delay_unit: "days".into(),
            expires: "72".into(),
            reminders_count: "0".into(),
            reminders_after: "72".into(),
            ..TriggerForm::default()
        }
    }

    /// Whether anything was refused.
    pub fn refused(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }
}

/// A trigger's page.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerPage {
    pub title: String,
    pub id: String,
    pub survey: String,
    /// The survey's page in the builder.
    pub survey_href: String,
    pub status: Text,
    pub active: bool,
    /// When it was made (a local date and time in words) and by whom.
    pub created: String,
    pub created_by: Option<String>,
    /// The definition in words: (what, how).
    pub plan: Vec<(Text, String)>,
    /// Its events by what became of them, with the reasons of those not invited.
    pub occurrences: Vec<CountRow>,
    /// The messages of its invitations by status, with reasons.
    pub counts: Vec<CountRow>,
    pub started: i64,
    pub completed: i64,
    pub reminders: i64,
    pub rate: RateView,
    /// The latest events, most recent first.
    pub rows: Vec<OccurrenceRow>,
    /// "The latest 50 of 2,345", when not all are shown.
    pub rows_shown: Option<String>,
    /// The form that changes it, filled in with its definition (or as typed, when refused).
    pub form: TriggerForm,
    /// The form's choices, as on the list's.
    pub ops: Vec<Choice>,
    pub units: Vec<Choice>,
    pub channels: Vec<ChannelChoice>,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for TriggerPage {
    const TEMPLATE: &'static str = "app/trigger.html";
}

/// One event of a trigger and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct OccurrenceRow {
    /// When it happened and when it is (was) due, local dates and times in words.
    pub occurred: String,
    pub due: String,
    /// Who it is about, in words: a contact's name, a customer id, an anonymous visitor.
    pub person: String,
    /// The contact's page, when it is a contact who still exists.
    pub person_href: Option<String>,
    pub state: Text,
    pub reason: Option<Text>,
    /// The invitation it made.
    pub invitation_href: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::{NavItem, Person, WorkspaceRef};
    use crate::{Html, Lang};

    fn shell() -> Shell {
        Shell {
            user: Person {
                name: "Ana".into(),
                email: "ana@sklep.pl".into(),
            },
            ws: WorkspaceRef {
                slug: "acme".into(),
                name: "Acme".into(),
            },
            workspaces: Vec::new(),
            nav: vec![NavItem {
                key: Text::NavDistributions,
                href: "/app/w/acme/distributions".into(),
                current: true,
            }],
            csrf: "tok".into(),
        }
    }

    fn rate() -> RateView {
        RateView {
            value: "40 %".into(),
            interval: "12–77 %".into(),
            small: true,
            n: 5,
        }
    }

    fn list_page(rows: Vec<TriggerRow>, form: TriggerForm) -> TriggersPage {
        TriggersPage {
            title: "Wyzwalacze".into(),
            small_samples: rows.iter().any(|r| r.rate.small),
            rows,
            form,
            surveys: vec![SelectOption {
                value: "srv_1".into(),
                text: "Dostawa".into(),
                label: None,
            }],
            ops: vec![Choice {
                value: "gte",
                name: Text::OpGte,
            }],
            units: vec![
                Choice {
                    value: "days",
                    name: Text::TrigUnitDays,
                },
                Choice {
                    value: "hours",
                    name: Text::TrigUnitHours,
                },
            ],
            channels: channels(),
            notice: None,
            shell: shell(),
        }
    }

    fn channels() -> Vec<ChannelChoice> {
        vec![
            ChannelChoice {
                value: "email",
                name: Text::ChannelEmail,
                hint: Text::TrigChannelHintEmail,
                message: true,
                off: None,
            },
            ChannelChoice {
                value: "sms",
                name: Text::ChannelSms,
                hint: Text::TrigChannelHintSms,
                message: true,
                off: Some(Text::SmsOff),
            },
            ChannelChoice {
                value: "in_app",
                name: Text::ChannelInApp,
                hint: Text::TrigChannelHintInApp,
                message: false,
                off: None,
            },
        ]
    }

    #[test]
    fn the_list_explains_triggers_when_there_are_none() {
        let html = Html::new();
        let page = list_page(Vec::new(), TriggerForm::blank());
        let pl = html.render(&page, Lang::Pl).unwrap();
        assert!(pl.contains("Nie ma jeszcze żadnych wyzwalaczy."), "{pl}");
        assert!(
            pl.contains("<a href=\"/app/w/acme/triggers\" aria-current=\"page\">Wyzwalacze</a>"),
            "{pl}"
        );
        assert!(!pl.contains("<table"), "{pl}");
    }

    #[test]
    fn the_list_and_its_form_render_in_every_language_with_problems_at_their_fields() {
        let html = Html::new();
        let mut form = TriggerForm::blank();
        form.name = "<Po dostawie>".into();
        form.delay_unit = "hours".into();
        form.errors.insert("event", "Nie może być puste.".into());
        let row = TriggerRow {
            id: "trg_1".into(),
            name: "Po dostawie".into(),
            survey: "Dostawa".into(),
            event: "zdarzenie „Order Delivered”".into(),
            delay: "2 dni".into(),
            status: Text::TrigStatusActive,
            pending: 3,
            fired: 5,
            cancelled: 1,
            skipped: 2,
            sent: 5,
            rate: rate(),
        };
        let page = list_page(vec![row], form);
        for lang in Lang::ALL {
            let out = html.render(&page, lang).unwrap();
            assert!(
                out.contains("Po dostawie") && out.contains("12–77 %"),
                "{out}"
            );
            assert!(out.contains("&lt;Po dostawie&gt;"), "escaped: {out}");
            assert!(
                out.contains("<option value=\"hours\" selected>"),
                "the unit as chosen: {out}"
            );
            assert!(
                out.contains("aria-describedby=\"t-event-hint t-event-error\""),
                "{out}"
            );
            assert!(
                out.contains("name=\"channel\" value=\"email\" checked")
                    && out.contains(
                        "id=\"t-channel-in_app\" name=\"channel\" value=\"in_app\" data-no-message"
                    ),
                "the channels, e-mail chosen: {out}"
            );
            assert!(out.contains("action=\"/app/w/acme/triggers\""), "{out}");
        }
        let pl = html.render(&page, Lang::Pl).unwrap();
        assert!(
            pl.contains("<p class=\"field-error\" id=\"t-event-error\">Nie może być puste.</p>"),
            "{pl}"
        );
        assert!(
            pl.contains("<td data-label=\"Opóźnienie\">2 dni</td>"),
            "{pl}"
        );
        assert!(
            pl.contains("Oczekujące: 3</span><br>") && pl.contains("Pominięte: 2</span>"),
            "{pl}"
        );
        assert!(pl.contains("Aktywny"), "{pl}");
        assert!(
            pl.contains("SMS-y są wyłączone") && pl.contains("Bez wiadomości: widżet pokaże"),
            "each channel in words, SMS said to be off: {pl}"
        );
    }

    #[test]
    fn a_trigger_renders_in_every_language_with_words_for_what_became_of_its_events() {
        let html = Html::new();
        let page = TriggerPage {
            title: "Po dostawie".into(),
            id: "trg_1".into(),
            survey: "Dostawa".into(),
            survey_href: "/app/w/acme/surveys/srv_1".into(),
            status: Text::TrigStatusPaused,
            active: false,
            created: "07.12.2026 08:00".into(),
            created_by: Some("Ana".into()),
            plan: vec![(Text::TrigDelayCol, "2 dni".into())],
            occurrences: vec![CountRow {
                label: Text::TrigSkipped,
                n: 1,
                reasons: vec![(Text::OccReasonTriggerPaused, 1)],
            }],
            counts: vec![CountRow {
                label: Text::DistSent,
                n: 0,
                reasons: Vec::new(),
            }],
            started: 0,
            completed: 0,
            reminders: 0,
            rate: rate(),
            rows: vec![OccurrenceRow {
                occurred: "07.12.2026 08:00".into(),
                due: "09.12.2026 08:00".into(),
                person: "Anna Nowak".into(),
                person_href: Some("/app/w/acme/contacts/c1".into()),
                state: Text::OccSkipped,
                reason: Some(Text::OccReasonTriggerPaused),
                invitation_href: None,
            }],
            rows_shown: None,
            form: TriggerForm {
                edit_of: Some("trg_1".into()),
                name: "Po dostawie".into(),
                channel: "in_app".into(),
                kept_when: Some("zdarzenie „Order Delivered” (…)".into()),
                ..TriggerForm::blank()
            },
            ops: Vec::new(),
            units: Vec::new(),
            channels: channels(),
            notice: Some(Text::TrigPausedNotice),
            shell: shell(),
        };
        for lang in Lang::ALL {
            let out = html.render(&page, lang).unwrap();
            assert!(out.contains("Anna Nowak") && out.contains("name=\"_csrf\""));
            assert!(out.contains("/app/w/acme/triggers/trg_1/resume"), "{out}");
            assert!(!out.contains("/app/w/acme/triggers/trg_1/pause"), "{out}");
            assert!(out.contains("name=\"confirm\""), "{out}");
            assert!(
                out.contains("method=\"post\" action=\"/app/w/acme/triggers/trg_1\"")
                    && out.contains("name=\"channel\" value=\"in_app\" data-no-message checked")
                    && !out.contains("name=\"survey\"")
                    && !out.contains("name=\"event\""),
                "the form that changes it, the survey and the event kept: {out}"
            );
        }
        let pl = html.render(&page, Lang::Pl).unwrap();
        assert!(
            pl.contains("Ustawione przez API, więc tutaj pozostaje bez zmian: zdarzenie „Order Delivered” (…).")
                && pl.contains("Zmień wyzwalacz"),
            "{pl}"
        );
        let cs = html.render(&page, Lang::Cs).unwrap();
        assert!(cs.contains("Vynecháno: spouštěč byl pozastavený"), "{cs}");
        assert!(!cs.contains("trigger_paused"), "{cs}");
    }
}
