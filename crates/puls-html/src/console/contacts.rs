//! Customers: the contact list with its search, and a contact's profile with one timeline
//! of their events and responses.

use serde::Serialize;

use super::Shell;
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct ContactsPage {
    pub title: String,
    /// The search as the form shows it.
    pub q: String,
    pub rows: Vec<ContactRow>,
    /// The next page's link, when there may be more.
    pub older: Option<String>,
    /// How many contacts a search read (shown only for a search).
    pub scanned: Option<usize>,
    /// A done action to confirm, with its receipt (an erasure).
    pub notice: Option<Text>,
    pub receipt: Option<String>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for ContactsPage {
    const TEMPLATE: &'static str = "app/contacts.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactRow {
    pub id: String,
    /// The name, else the email, else the external id: what a person knows them by.
    pub name: String,
    pub email: Option<String>,
    pub external_id: Option<String>,
    /// Last change, `YYYY-MM-DD`.
    pub updated: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactPage {
    pub title: String,
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    /// The language by its own name.
    pub locale: Option<String>,
    pub created: String,
    /// Attributes and consents as (name, value) in words.
    pub attributes: Vec<(String, String)>,
    pub consents: Vec<(String, String)>,
    /// The saved segments they belong to, by name.
    pub segments: Vec<String>,
    pub timeline: Vec<TimelineItem>,
    /// The surveys sent to them by e-mail, and those not sent with the reason, newest
    /// first.
    pub invitations: Vec<super::ContactDeliveryRow>,
    /// The viewer may erase them.
    pub can_erase: bool,
    /// The viewer may record feedback they gave by phone or in a store.
    pub can_record: bool,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for ContactPage {
    const TEMPLATE: &'static str = "app/contact.html";
}

/// One moment of a contact's timeline, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    /// Local `YYYY-MM-DD` and `HH:MM`.
    pub date: String,
    pub time: String,
    /// `event` or `response`.
    pub kind: &'static str,
    /// An event's name, or a response's survey title.
    pub title: String,
    /// An event's properties, or a response's scores and open answers.
    pub detail: String,
    /// A response's page.
    pub link: Option<String>,
}
