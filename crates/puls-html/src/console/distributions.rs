//! Distributions: the workspace's surveys sent by e-mail with their counts and the form
//! that sends one, a distribution's report (what became of every message, the response
//! rate, the plan in words), and a contact's invitations on their profile.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{RateView, SelectOption, Shell};
use crate::{Page, Text};

/// The list of distributions with the form that sends a survey.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionsPage {
    pub title: String,
    /// Newest first.
    pub rows: Vec<DistributionRow>,
    /// Some row's response rate rests on a small sample.
    pub small_samples: bool,
    /// The next (older) page's link, when there is one.
    pub older: Option<String>,
    pub form: DistributionForm,
    /// The published surveys, by title.
    pub surveys: Vec<SelectOption>,
    /// The saved segments, by name.
    pub segments: Vec<SelectOption>,
    /// The channels this server can send on (`email`, `sms`, `chat`: those configured).
    pub channels: Vec<SelectOption>,
    /// The server has no e-mail relay (`smtp.host`): nothing can be sent.
    pub email_off: bool,
    /// The time zone a send time and a window are read in.
    pub time_zone: String,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for DistributionsPage {
    const TEMPLATE: &'static str = "app/distributions.html";
}

/// A survey's reach: every distribution's and trigger's messages by channel, for a
/// segment if chosen.
#[derive(Debug, Clone, Serialize)]
pub struct ReachPage {
    pub title: String,
    /// The published and closed surveys, by title; the chosen one's value.
    pub surveys: Vec<SelectOption>,
    pub survey: String,
    /// The saved segments, by name; the chosen one's key (empty: everyone).
    pub segments: Vec<SelectOption>,
    pub segment: String,
    /// One row per channel, then all of them; none until a survey is chosen.
    pub rows: Vec<ReachRow>,
    pub small_samples: bool,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for ReachPage {
    const TEMPLATE: &'static str = "app/reach.html";
}

/// One channel's messages of a survey (or all of them: `channel` is then `None`).
#[derive(Debug, Clone, Serialize)]
pub struct ReachRow {
    pub channel: Text,
    pub recipients: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub suppressed: i64,
    pub skipped: i64,
    pub started: i64,
    pub completed: i64,
    pub rate: RateView,
}

/// One distribution in the list, its counts in numbers.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionRow {
    pub id: String,
    pub name: String,
    /// The survey's title.
    pub survey: String,
    /// Local `YYYY-MM-DD` and `HH:MM`.
    pub date: String,
    pub time: String,
    pub status: Text,
    pub recipients: i64,
    pub sent: i64,
    pub bounced: i64,
    pub suppressed: i64,
    pub skipped: i64,
    pub reminders: i64,
    pub completed: i64,
    pub rate: RateView,
}

/// The form that sends a survey, as typed, with its problems by field (`survey`, `name`,
/// `audience`, `embed`, `reminders_count`, `reminders_after`, `send_at`, `window`) and
/// those of no field (`general`), each in the author's language.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DistributionForm {
    pub survey: String,
    pub name: String,
    /// `email`, `sms` or `chat`.
    pub channel: String,
    /// `all`, or `segment:KEY`.
    pub audience: String,
    pub embed: bool,
    pub reminders_count: String,
    pub reminders_after: String,
    /// `YYYY-MM-DDTHH:MM`, local.
    pub send_at: String,
    /// `HH:MM`.
    pub window_from: String,
    pub window_to: String,
    /// This form's own key: sent twice (a double click, a reload), it sends once.
    pub nonce: String,
    pub errors: BTreeMap<&'static str, String>,
    pub general: Vec<String>,
}

impl DistributionForm {
    /// An empty form: everyone, no reminders (three days apart when chosen), now.
    pub fn blank() -> DistributionForm {
        DistributionForm {
            channel: "email".into(),
            audience: "all".into(),
            reminders_count: "0".into(),
            reminders_after: "72".into(),
            nonce: format!("{:032x}", rand::random::<u128>()),
            ..DistributionForm::default()
        }
    }

    /// Whether anything was refused.
    pub fn refused(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }
}

/// A distribution's report.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionPage {
    pub title: String,
    pub id: String,
    pub survey: String,
    /// The survey's page in the builder.
    pub survey_href: String,
    pub status: Text,
    pub cancelled: bool,
    /// When it was made (a local date and time in words) and by whom.
    pub created: String,
    pub created_by: Option<String>,
    pub recipients: i64,
    /// Each status with its count, and the reasons of those not sent.
    pub counts: Vec<CountRow>,
    pub started: i64,
    pub completed: i64,
    pub reminders: i64,
    pub rate: RateView,
    /// Its messages opened, when the workspace tracks opens or some were counted.
    pub opens: Option<OpensView>,
    /// The definition in words: (what, how).
    pub plan: Vec<(Text, String)>,
    /// The first deliveries, by contact.
    pub deliveries: Vec<DeliveryRow>,
    /// "The first 100 of 2,345", when not all are shown.
    pub deliveries_shown: Option<String>,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for DistributionPage {
    const TEMPLATE: &'static str = "app/distribution.html";
}

/// A distribution's opened messages and its open rate (with its interval), shown with a
/// note on how approximate opens are.
#[derive(Debug, Clone, Serialize)]
pub struct OpensView {
    pub opened: i64,
    pub rate: RateView,
}

/// A status's count, with the reasons it has (skipped: no address, cancelled...).
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    pub label: Text,
    pub n: i64,
    pub reasons: Vec<(Text, i64)>,
}

/// One contact's message of a distribution.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    /// What a person knows the contact by: the address, else their name.
    pub contact: String,
    /// The contact's page; `None` when they no longer exist.
    pub href: Option<String>,
    pub address: String,
    pub status: Text,
    pub reason: Option<Text>,
    /// When it was sent, or when it is due, in words; empty when neither.
    pub when: String,
}

/// One of a contact's invitations, on their profile: what they were sent, or why not.
#[derive(Debug, Clone, Serialize)]
pub struct ContactDeliveryRow {
    pub distribution: String,
    /// The distribution's page, for those who may open it.
    pub href: Option<String>,
    pub status: Text,
    pub reason: Option<Text>,
    /// When it was sent, or when it is due, in words; empty when neither.
    pub when: String,
    pub reminders: i64,
    /// The last change, a local date and time in words.
    pub updated: String,
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

    #[test]
    fn the_list_and_its_form_render_in_every_language_with_problems_at_their_fields() {
        let html = Html::new();
        let mut form = DistributionForm::blank();
        form.name = "<Grudzień>".into();
        form.errors
            .insert("reminders_count", "Musi być od 0 do 5.".into());
        form.general.push("E-mail jest wyłączony".into());
        let page = DistributionsPage {
            title: "Wysyłki".into(),
            rows: vec![DistributionRow {
                id: "dst_1".into(),
                name: "Po dostawie".into(),
                survey: "Dostawa".into(),
                date: "2026-12-07".into(),
                time: "08:00".into(),
                status: Text::DistStatusReady,
                recipients: 7,
                sent: 5,
                bounced: 1,
                suppressed: 0,
                skipped: 1,
                reminders: 2,
                completed: 2,
                rate: rate(),
            }],
            small_samples: true,
            older: None,
            form,
            surveys: vec![SelectOption {
                value: "srv_1".into(),
                text: "Dostawa".into(),
                label: None,
            }],
            segments: Vec::new(),
            channels: vec![
                SelectOption {
                    value: "email".into(),
                    text: "E-mail".into(),
                    label: None,
                },
                SelectOption {
                    value: "chat".into(),
                    text: "Czat".into(),
                    label: None,
                },
            ],
            email_off: true,
            time_zone: "Europe/Warsaw".into(),
            shell: shell(),
        };
        for lang in Lang::ALL {
            let out = html.render(&page, lang).unwrap();
            assert!(
                out.contains("Po dostawie") && out.contains("12–77 %"),
                "{out}"
            );
            assert!(out.contains("&lt;Grudzień&gt;"), "escaped: {out}");
            assert!(
                out.contains("aria-describedby=\"d-reminders_count-hint d-reminders_count-error\""),
                "{out}"
            );
        }
        let pl = html.render(&page, Lang::Pl).unwrap();
        assert!(
            pl.contains("id=\"d-reminders_count-error\">Musi być od 0 do 5.</p>"),
            "{pl}"
        );
        // Two configured channels: a choice, e-mail chosen.
        assert!(
            pl.contains("<label for=\"d-channel\">Kanał</label>"),
            "{pl}"
        );
        assert!(
            pl.contains("<option value=\"email\" selected>E-mail</option>"),
            "{pl}"
        );
    }

    #[test]
    fn a_report_renders_in_every_language() {
        let html = Html::new();
        let page = DistributionPage {
            title: "Po dostawie".into(),
            id: "dst_1".into(),
            survey: "Dostawa".into(),
            survey_href: "/app/w/acme/surveys/srv_1".into(),
            status: Text::DistStatusReady,
            cancelled: false,
            created: "07.12.2026 08:00".into(),
            created_by: Some("Ana".into()),
            recipients: 3,
            counts: vec![CountRow {
                label: Text::DistSkipped,
                n: 1,
                reasons: vec![(Text::DistReasonNoAddress, 1)],
            }],
            started: 1,
            completed: 1,
            reminders: 0,
            rate: rate(),
            opens: Some(OpensView {
                opened: 2,
                rate: rate(),
            }),
            plan: vec![(Text::DistAudience, "Wszystkie kontakty".into())],
            deliveries: vec![DeliveryRow {
                contact: "anna@sklep.pl".into(),
                href: Some("/app/w/acme/contacts/c1".into()),
                address: "anna@sklep.pl".into(),
                status: Text::DeliverySkipped,
                reason: Some(Text::DistReasonNoAddress),
                when: String::new(),
            }],
            deliveries_shown: None,
            notice: Some(Text::DistCreatedNotice),
            shell: shell(),
        };
        for lang in Lang::ALL {
            let out = html.render(&page, lang).unwrap();
            assert!(out.contains("anna@sklep.pl") && out.contains("name=\"_csrf\""));
        }
        let cs = html.render(&page, Lang::Cs).unwrap();
        assert!(cs.contains("chybí e-mailová adresa"), "{cs}");
        assert!(
            cs.contains("Míra otevření") && cs.contains("přibližná"),
            "{cs}"
        );
        let quiet = DistributionPage {
            opens: None,
            ..page
        };
        let en = html.render(&quiet, Lang::En).unwrap();
        assert!(
            !en.contains("Open rate") && !en.contains("approximate"),
            "{en}"
        );
    }
}
