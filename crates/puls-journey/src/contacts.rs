//! The contacts of a workspace in columns: their own fields, attributes by key (one dense
//! column of value codes each), consents by purpose, merges and the lookups by external id,
//! email and invitation token.

use std::collections::HashMap;

use puls_core::attribute::AttributeValue;
use puls_core::contact::Contact;

use crate::dict::Dict;

/// No value, no contact, no person.
pub(crate) const NONE: u32 = u32::MAX;

/// One contact as the store has it, for [`crate::CustomerIndex::apply_contact`].
#[derive(Debug, Clone, Copy)]
pub struct ContactRow<'a> {
    pub id: &'a str,
    pub contact: &'a Contact,
    /// The contact it was merged into (it then only forwards its ids).
    pub merged_into: Option<&'a str>,
    /// Deleted: it keeps nothing and matches no segment.
    pub deleted: bool,
    pub created_at_ms: i64,
}

/// The distinct values of one attribute and each contact's value code.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttributeColumn {
    pub(crate) dict: crate::dict::ValueDict,
    /// By contact code; [`NONE`] where the contact has no value (also past the end).
    pub(crate) codes: Vec<u32>,
}

impl AttributeColumn {
    fn set(&mut self, contact: u32, value: Option<&AttributeValue>) {
        let code = match value {
            None => NONE,
            Some(v) => self.dict.code(v),
        };
        let i = contact as usize;
        if i >= self.codes.len() {
            if code == NONE {
                return;
            }
            self.codes.resize(i + 1, NONE);
        }
        self.codes[i] = code;
    }

    pub(crate) fn code_of(&self, contact: usize) -> u32 {
        self.codes.get(contact).copied().unwrap_or(NONE)
    }
}

/// A consent's state per contact.
pub(crate) const CONSENT_GRANTED: u8 = 1;
pub(crate) const CONSENT_WITHDRAWN: u8 = 2;

#[derive(Debug, Clone, Default)]
pub(crate) struct ContactTable {
    ids: Dict,
    pub(crate) merged_into: Vec<u32>,
    pub(crate) deleted: Vec<bool>,
    /// Whether the contact's row has arrived (a merge may name it first).
    known: Vec<bool>,
    pub(crate) created_at: Vec<i64>,
    pub(crate) external_id: Vec<Option<Box<str>>>,
    pub(crate) email: Vec<Option<Box<str>>>,
    pub(crate) phone: Vec<Option<Box<str>>>,
    pub(crate) name: Vec<Option<Box<str>>>,
    pub(crate) locale: Vec<Option<Box<str>>>,
    pub(crate) attributes: HashMap<String, AttributeColumn>,
    /// By purpose: a state per contact code (0: never asked).
    pub(crate) consents: HashMap<String, Vec<u8>>,
    by_external: HashMap<Box<str>, u32>,
    by_email: HashMap<Box<str>, u32>,
    by_invitation: HashMap<Box<str>, u32>,
}

impl ContactTable {
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The code of a contact id, creating a placeholder for one not seen yet (a merge may
    /// name a contact before its row arrives).
    pub(crate) fn code(&mut self, id: &str) -> u32 {
        let before = self.ids.len();
        let c = self.ids.code(id);
        if self.ids.len() > before {
            self.merged_into.push(NONE);
            self.deleted.push(false);
            self.known.push(false);
            self.created_at.push(0);
            self.external_id.push(None);
            self.email.push(None);
            self.phone.push(None);
            self.name.push(None);
            self.locale.push(None);
        }
        c
    }

    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        self.ids.get(id)
    }

    pub(crate) fn id(&self, code: u32) -> &str {
        self.ids.value(code)
    }

    /// Stores a contact's current state; returns its code and its external id before and
    /// after (for the persons that point at it).
    pub(crate) fn apply(
        &mut self,
        row: &ContactRow<'_>,
    ) -> (u32, Option<Box<str>>, Option<Box<str>>) {
        let c = self.code(row.id);
        let i = c as usize;
        self.merged_into[i] = match row.merged_into {
            Some(m) => self.code(m),
            None => NONE,
        };
        self.deleted[i] = row.deleted;
        self.known[i] = true;
        self.created_at[i] = row.created_at_ms;
        let k = row.contact;
        let boxed = |s: Option<&str>| s.map(Box::<str>::from);
        let new_ext = boxed(k.external_id.as_ref().map(|e| e.as_str()));
        let old_ext = std::mem::replace(&mut self.external_id[i], new_ext.clone());
        relink(
            &mut self.by_external,
            old_ext.as_deref(),
            new_ext.as_deref(),
            c,
        );
        let new_email = boxed(k.email.as_ref().map(|e| e.as_str()));
        let old_email = std::mem::replace(&mut self.email[i], new_email.clone());
        relink(
            &mut self.by_email,
            old_email.as_deref(),
            new_email.as_deref(),
            c,
        );
        self.phone[i] = boxed(k.phone.as_ref().map(|p| p.as_str()));
        self.name[i] = boxed(k.name.as_deref());
        self.locale[i] = boxed(k.locale.as_ref().map(|l| l.as_str()));

        for (key, col) in self.attributes.iter_mut() {
            if !k.attributes.keys().any(|a| a.as_str() == key) {
                col.set(c, None);
            }
        }
        for (key, value) in &k.attributes {
            self.attributes
                .entry(key.to_string())
                .or_default()
                .set(c, Some(value));
        }
        for states in self.consents.values_mut() {
            if let Some(s) = states.get_mut(i) {
                *s = 0;
            }
        }
        for (purpose, consent) in &k.consents {
            let states = self.consents.entry(purpose.to_string()).or_default();
            if states.len() <= i {
                states.resize(i + 1, 0);
            }
            states[i] = if consent.granted {
                CONSENT_GRANTED
            } else {
                CONSENT_WITHDRAWN
            };
        }
        (c, old_ext, new_ext)
    }

    pub(crate) fn add_invitation(&mut self, token: &str, contact_id: &str) {
        let c = self.code(contact_id);
        self.by_invitation.insert(token.into(), c);
    }

    /// The live contact `c` stands for: itself, or the one it was merged into; `None` when
    /// deleted.
    pub(crate) fn root(&self, mut c: u32) -> Option<u32> {
        for _ in 0..16 {
            let i = c as usize;
            if self.deleted[i] {
                return None;
            }
            match self.merged_into[i] {
                NONE => return Some(c),
                next => c = next,
            }
        }
        None
    }

    /// Whether `c` is a live contact (not merged, not deleted, and its row has arrived).
    pub(crate) fn is_live(&self, c: usize) -> bool {
        self.known[c] && !self.deleted[c] && self.merged_into[c] == NONE
    }

    /// The code of the contact (live or not) holding an external id.
    pub(crate) fn external_code(&self, id: &str) -> Option<u32> {
        self.by_external.get(id).copied()
    }

    pub(crate) fn by_external_id(&self, id: &str) -> Option<u32> {
        self.by_external.get(id).and_then(|c| self.root(*c))
    }

    pub(crate) fn by_email(&self, email: &str) -> Option<u32> {
        self.by_email.get(email).and_then(|c| self.root(*c))
    }

    pub(crate) fn by_invitation(&self, token: &str) -> Option<u32> {
        self.by_invitation.get(token).and_then(|c| self.root(*c))
    }
}

fn relink(map: &mut HashMap<Box<str>, u32>, old: Option<&str>, new: Option<&str>, c: u32) {
    if old == new {
        return;
    }
    if let Some(o) = old
        && map.get(o) == Some(&c)
    {
        map.remove(o);
    }
    if let Some(n) = new {
        map.insert(n.into(), c);
    }
}
