//! Contacts: the people behind responses and events, with typed attributes and consents.
//!
//! A contact is found by its external id (the `userId` of the company's own systems) or its
//! email. Changes arrive as a [`ContactPatch`] (from the API, an identify call's traits, or
//! a CSV row) and are applied with [`Contact::apply`]; two contacts found to be one person
//! are joined with [`Contact::absorb`].

use std::collections::BTreeMap;
use std::fmt;

use crate::attribute::{AttributeKey, AttributeValue, flatten};
use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, join};
use crate::ids::Locale;
use crate::instant;
use crate::obj::Obj;
use crate::response::is_email;
use crate::value::Value;

/// Limits on one contact.
pub mod limits {
    /// Longest external id, email or phone, in characters (as for responses).
    pub const MAX_IDENTITY: usize = 200;
    pub const MAX_NAME: usize = 200;
    pub const MAX_ATTRIBUTES: usize = 200;
    pub const MAX_CONSENTS: usize = 50;
}

/// An email address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, K> {
        let s = s.trim();
        if s.chars().count() > limits::MAX_IDENTITY {
            return Err(K::TooLong {
                max: limits::MAX_IDENTITY,
            });
        }
        if !is_email(s) {
            return Err(K::InvalidEmail);
        }
        Ok(Email(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: `+` and digits only, 6 to 20 digits (spaces, dashes, dots and brackets
/// are dropped).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Self, K> {
        let s = s.trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let allowed = s
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let plus_first = s.find('+').is_none_or(|i| i == 0) && s.matches('+').count() <= 1;
        if !(6..=20).contains(&digits) || !allowed || !plus_first {
            return Err(K::InvalidPhone);
        }
        Ok(Phone(
            s.chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The id a company's own systems give a customer (Segment's `userId`): 1 to 200 characters
/// with no control characters, surrounding whitespace trimmed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(s: &str) -> Result<Self, K> {
        let s = s.trim();
        if s.is_empty() {
            return Err(K::Empty);
        }
        if s.contains('\0') {
            return Err(K::NulCharacter);
        }
        if s.chars().any(char::is_control) {
            return Err(K::InvalidId);
        }
        if s.chars().count() > limits::MAX_IDENTITY {
            return Err(K::TooLong {
                max: limits::MAX_IDENTITY,
            });
        }
        Ok(ExternalId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a consent is for (`email_marketing`, `surveys`, `sms`): a slug.
pub type ConsentPurpose = crate::ids::Purpose;

/// One consent: given or withdrawn, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent {
    pub granted: bool,
    /// Unix milliseconds of the decision.
    pub at_ms: i64,
}

/// A contact's data (its id and timestamps are the store's).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contact {
    pub external_id: Option<ExternalId>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub name: Option<String>,
    pub locale: Option<Locale>,
    pub attributes: BTreeMap<AttributeKey, AttributeValue>,
    pub consents: BTreeMap<ConsentPurpose, Consent>,
}

/// A change to one field: leave it, clear it, or set it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T: Clone + PartialEq> Change<T> {
    fn apply(&self, field: &mut Option<T>) -> bool {
        let new = match self {
            Change::Keep => return false,
            Change::Clear => None,
            Change::Set(v) => Some(v.clone()),
        };
        let changed = *field != new;
        *field = new;
        changed
    }
}

/// A change to a contact, as parsed from an API body, identify traits or a CSV row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactPatch {
    pub external_id: Change<ExternalId>,
    pub email: Change<Email>,
    pub phone: Change<Phone>,
    pub name: Change<String>,
    pub locale: Change<Locale>,
    /// `None` removes the attribute.
    pub attributes: Vec<(AttributeKey, Option<AttributeValue>)>,
    /// Purpose, granted, and when (`None`: when the patch is applied).
    pub consents: Vec<(ConsentPurpose, bool, Option<i64>)>,
}

impl ContactPatch {
    /// Reads `{"external_id", "email", "phone", "name", "locale", "attributes": {...},
    /// "consents": {"purpose": true | {"granted": true, "at": "RFC 3339"}}}`. `null` clears a
    /// field (or removes an attribute); absent fields stay as they are.
    pub fn parse(v: &Value) -> Result<ContactPatch, FieldErrors> {
        let mut errs = Errors::default();
        let mut patch = ContactPatch::default();
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            patch.external_id = change(&mut o, "external_id", ExternalId::parse, &mut errs);
            patch.email = change(&mut o, "email", Email::parse, &mut errs);
            patch.phone = change(&mut o, "phone", Phone::parse, &mut errs);
            patch.name = change(&mut o, "name", parse_name, &mut errs);
            patch.locale = change(&mut o, "locale", Locale::parse, &mut errs);
            if let Some(a) = o.get("attributes") {
                patch.attributes = parse_attributes(a, "attributes", &mut errs);
            }
            if let Some(c) = o.get("consents") {
                patch.consents = parse_consents(c, "consents", &mut errs);
            }
            o.finish(&mut errs);
        }
        errs.into_result(patch)
    }

    /// The patch of an identify call: `email`, `phone` and `name` (or `firstName` and
    /// `lastName`) are the contact's own fields, everything else becomes attributes
    /// (nested objects flattened to `address.city`); `locale` comes from the call's
    /// context. An empty or malformed `email`/`phone` trait is kept as an attribute rather
    /// than refusing the call, since traits are free-form. Returns the patch and the trait
    /// keys that could not be kept as attributes (lists, odd names), which the stored
    /// message still holds.
    pub fn from_traits(traits: &Value, locale: Option<&str>) -> (ContactPatch, Vec<String>) {
        let mut patch = ContactPatch::default();
        let Value::Map(map) = traits else {
            return (patch, Vec::new());
        };
        let mut rest = map.clone();
        let text = |k: &str, rest: &BTreeMap<String, Value>| {
            rest.get(k).and_then(Value::as_str).map(str::to_string)
        };
        if let Some(e) = text("email", &rest).and_then(|s| Email::parse(&s).ok()) {
            patch.email = Change::Set(e);
            rest.remove("email");
        }
        if let Some(p) = text("phone", &rest).and_then(|s| Phone::parse(&s).ok()) {
            patch.phone = Change::Set(p);
            rest.remove("phone");
        }
        let name = text("name", &rest).or_else(|| {
            let parts: Vec<String> = ["firstName", "lastName"]
                .iter()
                .filter_map(|k| text(k, &rest))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        if let Some(n) = name.and_then(|n| parse_name(&n).ok()) {
            patch.name = Change::Set(n);
            rest.remove("name");
        }
        if let Some(l) = locale.and_then(|l| Locale::parse(l).ok()) {
            patch.locale = Change::Set(l);
        }
        let mut flat = Vec::new();
        let skipped = flatten(&Value::Map(rest), 3, &mut flat);
        patch.attributes = flat.into_iter().map(|(k, v)| (k, Some(v))).collect();
        (patch, skipped)
    }
}

/// A contact's name: trimmed, 1 to [`limits::MAX_NAME`] characters, no NUL.
pub fn parse_name(s: &str) -> Result<String, K> {
    let s = s.trim();
    if s.is_empty() {
        Err(K::Empty)
    } else if s.contains('\0') {
        Err(K::NulCharacter)
    } else if s.chars().count() > limits::MAX_NAME {
        Err(K::TooLong {
            max: limits::MAX_NAME,
        })
    } else {
        Ok(s.to_string())
    }
}

/// Reads a nullable text field into a [`Change`].
fn change<T>(
    o: &mut Obj<'_>,
    key: &'static str,
    parse: impl Fn(&str) -> Result<T, K>,
    errs: &mut Errors,
) -> Change<T> {
    match o.map.get(key) {
        None => {
            o.get(key);
            Change::Keep
        }
        Some(Value::Null) => {
            o.get(key);
            Change::Clear
        }
        Some(_) => match o.str(key, errs) {
            Some(s) => match parse(s) {
                Ok(v) => Change::Set(v),
                Err(k) => {
                    errs.push(o.path(key), k);
                    Change::Keep
                }
            },
            None => Change::Keep,
        },
    }
}

/// The entries of an object whose keys parse with `key` (at most `max` of them), each with
/// its path; problems with the object or a key are recorded.
fn entries<'v, T>(
    v: &'v Value,
    path: &str,
    max: usize,
    key: impl Fn(&str) -> Result<T, K>,
    errs: &mut Errors,
) -> Vec<(T, &'v Value, String)> {
    let Value::Map(m) = v else {
        errs.push(
            path,
            K::WrongType {
                expected: Expected::Object,
            },
        );
        return Vec::new();
    };
    if m.len() > max {
        errs.push(path, K::TooMany { max });
        return Vec::new();
    }
    m.iter()
        .filter_map(|(k, v)| {
            let p = join(path, k);
            match key(k) {
                Ok(key) => Some((key, v, p)),
                Err(e) => {
                    errs.push(p, e);
                    None
                }
            }
        })
        .collect()
}

/// Reads an object of attributes; `null` values remove an attribute.
fn parse_attributes(
    v: &Value,
    path: &str,
    errs: &mut Errors,
) -> Vec<(AttributeKey, Option<AttributeValue>)> {
    let mut out = Vec::new();
    for (key, v, p) in entries(v, path, limits::MAX_ATTRIBUTES, AttributeKey::parse, errs) {
        match AttributeValue::from_value(v) {
            Ok(value) => out.push((key, value)),
            Err(e) => errs.push(p, e),
        }
    }
    out
}

/// Reads `{"purpose": true}` or `{"purpose": {"granted": true, "at": "RFC 3339"}}`.
fn parse_consents(
    v: &Value,
    path: &str,
    errs: &mut Errors,
) -> Vec<(ConsentPurpose, bool, Option<i64>)> {
    let mut out = Vec::new();
    for (purpose, v, p) in entries(v, path, limits::MAX_CONSENTS, ConsentPurpose::parse, errs) {
        match v {
            Value::Bool(b) => out.push((purpose, *b, None)),
            Value::Map(_) => {
                let Some(mut o) = Obj::new(v, &p, errs) else {
                    continue;
                };
                let granted = match o.req("granted", errs) {
                    Some(Value::Bool(b)) => Some(*b),
                    Some(_) => {
                        errs.push(
                            o.path("granted"),
                            K::WrongType {
                                expected: Expected::Boolean,
                            },
                        );
                        None
                    }
                    None => None,
                };
                let at_path = o.path("at");
                let at = o.str("at", errs).and_then(|s| {
                    instant::parse(s)
                        .ok_or(())
                        .map_err(|_| errs.push(at_path, K::InvalidTimestamp))
                        .ok()
                });
                o.finish(errs);
                if let Some(g) = granted {
                    out.push((purpose, g, at));
                }
            }
            _ => errs.push(
                p,
                K::WrongType {
                    expected: Expected::Boolean,
                },
            ),
        }
    }
    out
}

impl Contact {
    /// Applies a patch at `now_ms`; returns whether anything changed. Fails when the
    /// attributes would exceed the limit.
    pub fn apply(&mut self, patch: &ContactPatch, now_ms: i64) -> Result<bool, FieldErrors> {
        let mut changed = patch.external_id.apply(&mut self.external_id);
        changed |= patch.email.apply(&mut self.email);
        changed |= patch.phone.apply(&mut self.phone);
        changed |= patch.name.apply(&mut self.name);
        changed |= patch.locale.apply(&mut self.locale);
        for (k, v) in &patch.attributes {
            let old = match v {
                Some(v) => self.attributes.insert(k.clone(), v.clone()),
                None => self.attributes.remove(k),
            };
            changed |= old.as_ref() != v.as_ref();
        }
        if self.attributes.len() > limits::MAX_ATTRIBUTES {
            return Err(too_many("attributes", limits::MAX_ATTRIBUTES));
        }
        for (purpose, granted, at) in &patch.consents {
            let at_ms = at.unwrap_or(now_ms);
            let current = self.consents.get(purpose);
            // A decision older than the one on record does not replace it (an import of an
            // old export must not undo a newer withdrawal).
            if current.is_some_and(|c| c.at_ms > at_ms || c.granted == *granted) {
                continue;
            }
            self.consents.insert(
                purpose.clone(),
                Consent {
                    granted: *granted,
                    at_ms,
                },
            );
            changed = true;
        }
        if self.consents.len() > limits::MAX_CONSENTS {
            return Err(too_many("consents", limits::MAX_CONSENTS));
        }
        Ok(changed)
    }

    /// Takes in another contact found to be the same person: fields this contact lacks come
    /// from `other`, its attributes fill in missing keys, and of two consent decisions for a
    /// purpose the later one stands. The external id and email stay this contact's (the
    /// other's identities are kept by the store as aliases).
    pub fn absorb(&mut self, other: &Contact) {
        for (mine, theirs) in [(&mut self.name, &other.name)] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        if self.external_id.is_none() {
            self.external_id.clone_from(&other.external_id);
        }
        if self.email.is_none() {
            self.email.clone_from(&other.email);
        }
        if self.phone.is_none() {
            self.phone.clone_from(&other.phone);
        }
        if self.locale.is_none() {
            self.locale.clone_from(&other.locale);
        }
        for (k, v) in &other.attributes {
            if !self.attributes.contains_key(k) && self.attributes.len() < limits::MAX_ATTRIBUTES {
                self.attributes.insert(k.clone(), v.clone());
            }
        }
        for (p, c) in &other.consents {
            let later = self.consents.get(p).is_none_or(|mine| mine.at_ms < c.at_ms);
            if later {
                self.consents.insert(p.clone(), *c);
            }
        }
    }

    /// The attributes as a JSON-like object (dates as text).
    pub fn attributes_value(&self) -> Value {
        Value::Map(
            self.attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_value()))
                .collect(),
        )
    }

    /// The consents as `{"purpose": {"granted": bool, "at": "RFC 3339"}}`.
    pub fn consents_value(&self) -> Value {
        Value::Map(
            self.consents
                .iter()
                .map(|(p, c)| {
                    (
                        p.to_string(),
                        Value::map([
                            ("granted", Value::Bool(c.granted)),
                            ("at", Value::Str(instant::format(c.at_ms))),
                        ]),
                    )
                })
                .collect(),
        )
    }

    /// Reads attributes and consents as [`Contact::attributes_value`] and
    /// [`Contact::consents_value`] print them (what the store keeps).
    pub fn read_stored(attributes: &Value, consents: &Value) -> Result<Contact, FieldErrors> {
        let mut errs = Errors::default();
        let mut c = Contact::default();
        for (k, v) in parse_attributes(attributes, "attributes", &mut errs) {
            if let Some(v) = v {
                c.attributes.insert(k, v);
            }
        }
        for (p, granted, at) in parse_consents(consents, "consents", &mut errs) {
            c.consents.insert(
                p,
                Consent {
                    granted,
                    at_ms: at.unwrap_or(0),
                },
            );
        }
        errs.into_result(c)
    }
}

fn too_many(path: &str, max: usize) -> FieldErrors {
    FieldErrors(vec![crate::FieldError {
        path: path.to_string(),
        kind: K::TooMany { max },
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_map(pairs: &[(&str, Value)]) -> Value {
        Value::map(pairs.iter().cloned())
    }

    #[test]
    fn a_patch_reads_fields_attributes_and_consents() {
        let v = json_map(&[
            ("external_id", Value::str(" cust-1 ")),
            ("email", Value::str("Jana@Example.CZ")),
            ("phone", Value::str("+420 777 000 111")),
            ("locale", Value::str("cs")),
            (
                "attributes",
                json_map(&[
                    ("orders", Value::Int(3)),
                    ("vip", Value::Bool(true)),
                    ("signup", Value::str("2025-04-01")),
                    ("old", Value::Null),
                ]),
            ),
            (
                "consents",
                json_map(&[
                    ("email_marketing", Value::Bool(true)),
                    (
                        "sms",
                        json_map(&[
                            ("granted", Value::Bool(false)),
                            ("at", Value::str("2026-01-01T00:00:00Z")),
                        ]),
                    ),
                ]),
            ),
        ]);
        let patch = ContactPatch::parse(&v).unwrap();
        let mut c = Contact::default();
        assert!(c.apply(&patch, 1000).unwrap());
        assert_eq!(c.external_id.as_ref().unwrap().as_str(), "cust-1");
        assert_eq!(c.email.as_ref().unwrap().as_str(), "jana@example.cz");
        assert_eq!(c.phone.as_ref().unwrap().as_str(), "+420777000111");
        assert_eq!(c.attributes.len(), 3);
        assert!(matches!(
            c.attributes[&AttributeKey::parse("signup").unwrap()],
            AttributeValue::Date(_)
        ));
        let email = ConsentPurpose::parse("email_marketing").unwrap();
        assert_eq!(
            c.consents[&email],
            Consent {
                granted: true,
                at_ms: 1000
            }
        );
        // Applying the same patch again changes nothing, and keeps the consent's time.
        assert!(!c.apply(&patch, 2000).unwrap());
        assert_eq!(c.consents[&email].at_ms, 1000);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let v = json_map(&[
            ("email", Value::str("not-an-email")),
            ("phone", Value::str("12")),
            ("attributes", json_map(&[("bad key", Value::Int(1))])),
            ("consents", json_map(&[("sms", Value::str("yes"))])),
            ("nickname", Value::str("x")),
        ]);
        let errs = ContactPatch::parse(&v).unwrap_err();
        let paths: Vec<(&str, &str)> = errs
            .0
            .iter()
            .map(|e| (e.path.as_str(), e.kind.code()))
            .collect();
        assert_eq!(
            paths,
            [
                ("email", "invalid_email"),
                ("phone", "invalid_phone"),
                ("attributes.bad key", "invalid_key"),
                ("consents.sms", "wrong_type"),
                ("nickname", "unknown_field"),
            ]
        );
    }

    #[test]
    fn an_older_consent_decision_does_not_replace_a_newer_one() {
        let purpose = ConsentPurpose::parse("surveys").unwrap();
        let mut c = Contact::default();
        let withdraw = ContactPatch {
            consents: vec![(purpose.clone(), false, Some(2000))],
            ..Default::default()
        };
        let old_grant = ContactPatch {
            consents: vec![(purpose.clone(), true, Some(1000))],
            ..Default::default()
        };
        c.apply(&withdraw, 5000).unwrap();
        assert!(!c.apply(&old_grant, 5000).unwrap());
        assert!(!c.consents[&purpose].granted);
    }

    #[test]
    fn traits_fill_fields_and_attributes() {
        let traits = json_map(&[
            ("email", Value::str("petr@example.cz")),
            ("firstName", Value::str("Petr")),
            ("lastName", Value::str("Novák")),
            ("plan", Value::str("pro")),
            ("address", json_map(&[("city", Value::str("Brno"))])),
            ("tags", Value::List(vec![Value::str("a")])),
        ]);
        let (patch, skipped) = ContactPatch::from_traits(&traits, Some("cs-CZ"));
        assert_eq!(
            patch.email,
            Change::Set(Email::parse("petr@example.cz").unwrap())
        );
        assert_eq!(patch.name, Change::Set("Petr Novák".into()));
        assert_eq!(patch.locale, Change::Set(Locale::parse("cs-CZ").unwrap()));
        let keys: Vec<&str> = patch.attributes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["address.city", "firstName", "lastName", "plan"]);
        assert_eq!(skipped, ["tags"]);
    }

    #[test]
    fn absorbing_fills_gaps_and_keeps_the_later_consent() {
        let p = ConsentPurpose::parse("sms").unwrap();
        let mut a = Contact {
            email: Some(Email::parse("a@example.com").unwrap()),
            ..Default::default()
        };
        a.consents.insert(
            p.clone(),
            Consent {
                granted: true,
                at_ms: 10,
            },
        );
        let mut b = Contact {
            email: Some(Email::parse("b@example.com").unwrap()),
            name: Some("B".into()),
            ..Default::default()
        };
        b.consents.insert(
            p.clone(),
            Consent {
                granted: false,
                at_ms: 20,
            },
        );
        b.attributes.insert(
            AttributeKey::parse("x").unwrap(),
            AttributeValue::Bool(true),
        );
        a.absorb(&b);
        assert_eq!(a.email.as_ref().unwrap().as_str(), "a@example.com");
        assert_eq!(a.name.as_deref(), Some("B"));
        assert!(!a.consents[&p].granted);
        assert_eq!(a.attributes.len(), 1);
    }

    #[test]
    fn stored_attributes_and_consents_read_back() {
        let mut c = Contact::default();
        c.attributes.insert(
            AttributeKey::parse("signup").unwrap(),
            AttributeValue::Date(1_772_359_200_000),
        );
        c.attributes.insert(
            AttributeKey::parse("n").unwrap(),
            AttributeValue::Number(2.5),
        );
        c.consents.insert(
            ConsentPurpose::parse("sms").unwrap(),
            Consent {
                granted: true,
                at_ms: 1_772_359_200_123,
            },
        );
        let back = Contact::read_stored(&c.attributes_value(), &c.consents_value()).unwrap();
        assert_eq!(back, c);
    }
}
