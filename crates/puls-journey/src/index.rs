//! `CustomerIndex`: a workspace's contacts, persons and events, and who is who.
//!
//! A *person* is an id events are sent with: a user id (`u`) or an anonymous id (`a`). An
//! anonymous id linked to a user id is that user; a user id that is a contact's external id
//! is that contact (followed through merges). A funnel or a segment counts *subjects*: a
//! contact with all its persons, or a person who is no contact.

use puls_core::attribute::{AttributeKey, AttributeValue};
use puls_core::tracking::MessageType;

use crate::cache::Memo;
use crate::contacts::{ContactRow, ContactTable, NONE};
use crate::dict::FastMap;
use crate::events::{EventStore, NewEvent};

/// One behavioural event, for [`CustomerIndex::push_event`].
#[derive(Debug, Clone, Copy)]
pub struct EventRow<'a> {
    pub kind: MessageType,
    pub name: &'a str,
    pub user_id: Option<&'a str>,
    pub anonymous_id: Option<&'a str>,
    pub timestamp_ms: i64,
    /// Flattened properties.
    pub properties: &'a [(AttributeKey, AttributeValue)],
}

/// The customer side of one workspace, in memory. Single writer, many readers.
#[derive(Debug, Clone, Default)]
pub struct CustomerIndex {
    pub(crate) contacts: ContactTable,
    /// User ids and anonymous ids to person codes (one code space).
    users: FastMap<Box<str>, u32>,
    anonymous: FastMap<Box<str>, u32>,
    /// Per person: the contact whose external id it is (user persons only), or [`NONE`]; its
    /// length is the number of persons.
    person_contact: Vec<u32>,
    /// Anonymous person → user person, the first link seen.
    person_link: FastMap<u32, u32>,
    pub(crate) events: EventStore,
    /// Who is who, derived from the above; dropped when persons, contacts or links change.
    subjects: Memo<Subjects>,
}

/// Every person's subject, and the subjects of several persons.
#[derive(Debug)]
pub(crate) struct Subjects {
    /// Per person: a live contact's code, or `contact_codes() + person` for a person who is
    /// no contact (an anonymous id linked to a user id is that user).
    pub(crate) of: Vec<u32>,
    /// Per subject: how many persons it has (saturating).
    pub(crate) count: Vec<u8>,
    /// The persons (ascending) of each subject with more than one.
    pub(crate) members: std::collections::HashMap<u32, Vec<u32>>,
}

impl CustomerIndex {
    pub fn new() -> Self {
        Self::default()
    }

    fn person(&mut self, user: bool, id: &str) -> u32 {
        let map = if user { &self.users } else { &self.anonymous };
        if let Some(p) = map.get(id) {
            return *p;
        }
        self.subjects.clear();
        let p = self.person_contact.len() as u32;
        let contact = match user {
            true => self.contacts.external_code(id).unwrap_or(NONE),
            false => NONE,
        };
        self.person_contact.push(contact);
        let map = if user {
            &mut self.users
        } else {
            &mut self.anonymous
        };
        map.insert(id.into(), p);
        p
    }

    /// Stores a contact's current state (also a merged or deleted one).
    pub fn apply_contact(&mut self, row: ContactRow<'_>) {
        self.subjects.clear();
        let (c, old, new) = self.contacts.apply(&row);
        if old == new {
            return;
        }
        if let Some(old) = old
            && let Some(&p) = self.users.get(&*old)
            && self.person_contact[p as usize] == c
        {
            self.person_contact[p as usize] = NONE;
        }
        if let Some(new) = new {
            let p = self.person(true, &new);
            self.person_contact[p as usize] = c;
        }
    }

    /// Records that an anonymous id belongs to a user id (the first link stands).
    pub fn apply_link(&mut self, anonymous_id: &str, user_id: &str) {
        let a = self.person(false, anonymous_id);
        let u = self.person(true, user_id);
        if let std::collections::hash_map::Entry::Vacant(e) = self.person_link.entry(a) {
            e.insert(u);
            self.subjects.clear();
        }
    }

    /// Records a contact's personal invitation token.
    pub fn apply_invitation(&mut self, token: &str, contact_id: &str) {
        self.contacts.add_invitation(token, contact_id);
    }

    /// Adds a behavioural event (track, page or screen); other messages, and messages
    /// without any id, are not kept. Returns whether it was kept.
    pub fn push_event(&mut self, e: EventRow<'_>) -> bool {
        if !e.kind.is_behaviour() {
            return false;
        }
        let person = match (e.user_id, e.anonymous_id) {
            (Some(u), _) => self.person(true, u),
            (None, Some(a)) => self.person(false, a),
            (None, None) => return false,
        };
        let name = self.events.name_code(e.kind, e.name);
        self.events.push(NewEvent {
            person,
            name,
            ts: e.timestamp_ms,
            props: e.properties,
        });
        true
    }

    /// Gets new events ready for queries (sorting them by person, or merging them into the
    /// base once they are many). Call after adding events, before querying.
    pub fn prepare(&mut self) {
        self.events.prepare();
    }

    /// Merges every new event into the base now (normally done once they are many).
    pub fn force_compaction(&mut self) {
        self.events.compact();
    }

    /// Events held.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Live contacts.
    pub fn contact_count(&self) -> usize {
        (0..self.contacts.len())
            .filter(|&c| self.contacts.is_live(c))
            .count()
    }

    /// The number of contact codes (live or not): the size of a [`crate::Bitset`] of
    /// contacts.
    pub fn contact_codes(&self) -> usize {
        self.contacts.len()
    }

    /// The id of a contact code.
    pub fn contact_id(&self, code: u32) -> &str {
        self.contacts.id(code)
    }

    /// A contact's external id and email.
    pub fn contact_ids(&self, code: u32) -> (Option<&str>, Option<&str>) {
        let c = code as usize;
        (
            self.contacts.external_id.get(c).and_then(|e| e.as_deref()),
            self.contacts.email.get(c).and_then(|e| e.as_deref()),
        )
    }

    /// The live contact code of a contact id.
    pub fn contact_code(&self, id: &str) -> Option<u32> {
        self.contacts.get(id).and_then(|c| self.contacts.root(c))
    }

    /// The live contact a response belongs to: by its invitation, its external id, or its
    /// email, in that order.
    pub fn contact_for_response(
        &self,
        invitation: Option<&str>,
        external_id: Option<&str>,
        email: Option<&str>,
    ) -> Option<u32> {
        invitation
            .and_then(|t| self.contacts.by_invitation(t))
            .or_else(|| external_id.and_then(|e| self.contacts.by_external_id(e)))
            .or_else(|| email.and_then(|e| self.contacts.by_email(e)))
    }

    /// Who is who (computed once until persons, contacts or links change).
    pub(crate) fn subjects(&self) -> std::sync::Arc<Subjects> {
        self.subjects.get_or(|| {
            let base = self.contacts.len() as u32;
            let of: Vec<u32> = (0..self.person_contact.len() as u32)
                .map(|p| {
                    let u = self.person_link.get(&p).copied().unwrap_or(p);
                    match self.person_contact[u as usize] {
                        NONE => base + u,
                        c => self.contacts.root(c).unwrap_or(base + u),
                    }
                })
                .collect();
            let mut count = vec![0u8; base as usize + self.person_contact.len()];
            for &s in &of {
                let c = &mut count[s as usize];
                *c = c.saturating_add(1);
            }
            let mut members: std::collections::HashMap<u32, Vec<u32>> = Default::default();
            for (p, &s) in of.iter().enumerate() {
                if count[s as usize] > 1 {
                    members.entry(s).or_default().push(p as u32);
                }
            }
            Subjects { of, count, members }
        })
    }
}
