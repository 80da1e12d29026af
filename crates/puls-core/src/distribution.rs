//! Distributions: a survey sent to an audience on a channel, as data. Read with
//! [`DistributionDef::parse`] (every problem at its path), printed with
//! [`DistributionDef::to_value`]:
//!
//! ```json
//! {"name": "Po dostawie – grudzień", "channel": "email",
//!  "audience": {"segment": "loyal"},
//!  "embed_first_question": true,
//!  "send_at": "2026-12-07T08:00:00Z",
//!  "window": {"hours": "09:00-18:00", "time_zone": "Europe/Warsaw"},
//!  "reminders": {"count": 2, "after_hours": 72},
//!  "subject": {"pl": "Jak poszła dostawa?"}, "message": {"pl": "Dwie minuty..."}}
//! ```
//!
//! The audience is every contact with an address (`{"all": true}`), a saved segment's
//! members, or contacts named by id (at most [`MAX_CONTACTS`]). The send window is in each
//! contact's time zone (their `time_zone` attribute) or else the window's own; a message
//! due outside it waits for the window to open. Reminders go only to those who have not
//! completed the survey, `after_hours` apart, at most `count` of them.
//!
//! A sample (`sample`) invites a share of the audience or enough of each group for an
//! NPS margin of error; quotas (`quota`, [`crate::quota`]) stop the sending when enough
//! completed responses came, in all, per group of contacts or per answer.
//!
//! Suppression keys ([`suppression_key`]) are the one spelling of an address a workspace's
//! suppression list is kept under (hashed with the workspace's salt by the application).

use std::collections::BTreeMap;

use jiff::tz::TimeZone;

use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index};
use crate::ids::{ContactId, Locale};
use crate::instant;
use crate::notify::{daily_span, hhmm, hold_until};
use crate::obj::Obj;
use crate::value::Value;

/// The most contacts one distribution may name by id (larger audiences are segments).
pub const MAX_CONTACTS: usize = 10_000;
/// The most reminders one invitation may have.
pub const MAX_REMINDERS: i64 = 5;
const MAX_NAME: usize = 200;
const MAX_SUBJECT: usize = 200;
const MAX_MESSAGE: usize = 2_000;

/// The channel a distribution sends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SendChannel {
    Email,
    /// A text message through the configured SMS provider, to the contact's phone.
    Sms,
    /// A chat message (WhatsApp, Messenger, Viber, …) through the configured chat
    /// provider, to the contact's phone or the chat id kept in one of their attributes.
    Chat,
}

impl SendChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            SendChannel::Email => "email",
            SendChannel::Sms => "sms",
            SendChannel::Chat => "chat",
        }
    }

    pub const ALL: [SendChannel; 3] = [SendChannel::Email, SendChannel::Sms, SendChannel::Chat];

    pub fn parse(s: &str) -> Option<SendChannel> {
        SendChannel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The channels, as an error's list of what is allowed.
    pub fn allowed() -> String {
        SendChannel::ALL.map(SendChannel::as_str).join(", ")
    }
}

/// Who a distribution goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every live contact (those without an address are counted as skipped).
    All,
    /// The members of a saved segment when the distribution is created.
    Segment(String),
    /// Contacts named by id, in the given order, each once.
    Contacts(Vec<ContactId>),
}

/// Hours of the day a message may be delivered, in a time zone.
#[derive(Debug, Clone)]
pub struct SendWindow {
    /// From the first to the second minute of the local day (wrapping midnight when the
    /// first is later).
    hours: (u16, u16),
    time_zone: String,
    tz: TimeZone,
}

impl PartialEq for SendWindow {
    fn eq(&self, other: &Self) -> bool {
        self.hours == other.hours && self.time_zone == other.time_zone
    }
}

impl SendWindow {
    /// The earliest instant at or after `at` inside the window, in `zone` (a contact's
    /// own time zone) when it names one, else the window's.
    pub fn open_at(&self, at: i64, zone: Option<&str>) -> i64 {
        let own = zone.and_then(|z| TimeZone::get(z).ok());
        let tz = own.as_ref().unwrap_or(&self.tz);
        // Outside the window is the span from its end to its start.
        hold_until(tz, (self.hours.1, self.hours.0), at)
    }

    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }
}

/// Who of the audience is invited.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// About this share of the audience, in percent (1–100), picked at random (the same
    /// contacts however often the distribution is prepared).
    Percent(u32),
    /// Enough of each group (by the contacts' attribute `by`, or the whole audience) for
    /// an NPS within `margin` points at `confidence`, given the response rate and the
    /// scores this survey had so far.
    Margin {
        margin: f64,
        confidence: f64,
        by: Option<crate::attribute::AttributeKey>,
    },
}

/// Reminders to those who have not completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reminders {
    /// 0: none.
    pub count: i64,
    /// Hours after the invitation (and after each reminder) the next one goes.
    pub after_hours: i64,
}

/// A distribution as its author wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionDef {
    pub name: String,
    pub channel: SendChannel,
    pub audience: Audience,
    /// The survey's first question (NPS, CSAT, CES or a rating) as links in the message:
    /// one click records the score.
    pub embed_first_question: bool,
    /// Sent whatever the contact-frequency policy says (a message the person asked for,
    /// say); it does not count against the policy either.
    pub frequency_exempt: bool,
    /// Not before (Unix ms); `None`: now.
    pub send_at: Option<i64>,
    pub window: Option<SendWindow>,
    pub reminders: Reminders,
    /// The author's own subject and message by language (`pl`, `cs`, `en`), in place of the
    /// standard texts.
    pub subject: BTreeMap<String, String>,
    pub message: BTreeMap<String, String>,
    /// Invite only a sample of the audience.
    pub sample: Option<Sample>,
    /// Quotas of completed responses through the distribution's links, in all and per
    /// group (what a full quota holds back is skipped as `quota_full`).
    pub quota: Option<crate::quota::Quota>,
    /// Against the contact-frequency policy: earlier surveys of lower priority do not
    /// count against this one.
    pub priority: crate::frequency::Priority,
}

impl DistributionDef {
    pub fn parse(v: &Value) -> Result<DistributionDef, FieldErrors> {
        let mut errs = Errors::default();
        let mut def = DistributionDef {
            audience: Audience::All,
            ..DistributionDef::for_trigger(String::new())
        };
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            let np = o.path("name");
            if let Some(name) = o.req_str("name", &mut errs) {
                def.name = bounded(name.trim(), MAX_NAME, &np, &mut errs);
                if def.name.is_empty() {
                    errs.push(np, K::Empty);
                }
            }
            let cp = o.path("channel");
            if let Some(c) = o.str("channel", &mut errs) {
                match SendChannel::parse(c) {
                    Some(c) => def.channel = c,
                    None => errs.push(
                        cp,
                        K::NotOneOf {
                            allowed: SendChannel::allowed(),
                        },
                    ),
                }
            }
            let ap = o.path("audience");
            if let Some(a) = o.req("audience", &mut errs) {
                def.audience = audience(a, &ap, &mut errs);
            }
            let sp = o.path("send_at");
            if let Some(s) = o.str("send_at", &mut errs) {
                match instant::parse(s) {
                    Some(t) => def.send_at = Some(t),
                    None => errs.push(sp, K::InvalidTimestamp),
                }
            }
            def.read_message(&mut o, &mut errs);
            let sp = o.path("sample");
            if let Some(s) = o.get("sample") {
                def.sample = sample(s, &sp, &mut errs);
            }
            let qp = o.path("quota");
            if let Some(q) = o.get("quota") {
                def.quota = crate::quota::Quota::parse(q, &qp, &mut errs);
            }
            o.finish(&mut errs);
        }
        errs.into_result(def)
    }

    /// A definition for contacts named later (a trigger's): its name, e-mail, no audience
    /// yet, sent at once.
    pub(crate) fn for_trigger(name: String) -> DistributionDef {
        DistributionDef {
            name,
            channel: SendChannel::Email,
            audience: Audience::Contacts(Vec::new()),
            embed_first_question: false,
            frequency_exempt: false,
            send_at: None,
            window: None,
            reminders: Reminders::default(),
            subject: BTreeMap::new(),
            message: BTreeMap::new(),
            sample: None,
            quota: None,
            priority: crate::frequency::Priority::Normal,
        }
    }

    /// Reads what a message is like (shared with triggers): `embed_first_question`,
    /// `frequency_exempt`, `window`, `reminders`, `subject` and `message`.
    pub(crate) fn read_message(&mut self, o: &mut Obj<'_>, errs: &mut Errors) {
        self.embed_first_question = o.bool("embed_first_question", false, errs);
        self.frequency_exempt = o.bool("frequency_exempt", false, errs);
        self.priority = crate::frequency::Priority::read(o, errs);
        let wp = o.path("window");
        if let Some(w) = o.get("window") {
            self.window = window(w, &wp, errs);
        }
        let rp = o.path("reminders");
        if let Some(r) = o.get("reminders") {
            self.reminders = reminders(r, &rp, errs);
        }
        let sp = o.path("subject");
        if let Some(s) = o.get("subject") {
            self.subject = texts(s, &sp, MAX_SUBJECT, errs);
        }
        let mp = o.path("message");
        if let Some(m) = o.get("message") {
            self.message = texts(m, &mp, MAX_MESSAGE, errs);
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("name".into(), Value::str(&self.name));
        m.insert("channel".into(), Value::str(self.channel.as_str()));
        let audience = match &self.audience {
            Audience::All => map([("all", Value::Bool(true))]),
            Audience::Segment(k) => map([("segment", Value::str(k))]),
            Audience::Contacts(ids) => map([(
                "contacts",
                Value::List(ids.iter().map(|c| Value::str(c.as_str())).collect()),
            )]),
        };
        m.insert("audience".into(), audience);
        if let Some(t) = self.send_at {
            m.insert("send_at".into(), Value::str(instant::format(t)));
        }
        self.write_message(&mut m);
        match &self.sample {
            None => {}
            Some(Sample::Percent(p)) => {
                m.insert(
                    "sample".into(),
                    map([("percent", Value::Int(i64::from(*p)))]),
                );
            }
            Some(Sample::Margin {
                margin,
                confidence,
                by,
            }) => {
                let mut s = BTreeMap::new();
                s.insert("margin_of_error".to_string(), Value::Float(*margin));
                s.insert("confidence".to_string(), Value::Float(*confidence));
                if let Some(k) = by {
                    s.insert("by".to_string(), Value::str(k.as_str()));
                }
                m.insert("sample".into(), Value::Map(s));
            }
        }
        if let Some(q) = &self.quota {
            m.insert("quota".into(), q.to_value());
        }
        Value::Map(m)
    }

    /// Writes what [`DistributionDef::read_message`] reads.
    pub(crate) fn write_message(&self, m: &mut BTreeMap<String, Value>) {
        m.insert(
            "embed_first_question".into(),
            Value::Bool(self.embed_first_question),
        );
        if self.frequency_exempt {
            m.insert("frequency_exempt".into(), Value::Bool(true));
        }
        if self.priority != crate::frequency::Priority::Normal {
            m.insert("priority".into(), Value::str(self.priority.as_str()));
        }
        if let Some(w) = &self.window {
            m.insert(
                "window".into(),
                map([
                    (
                        "hours",
                        Value::str(format!("{}-{}", hhmm(w.hours.0), hhmm(w.hours.1))),
                    ),
                    ("time_zone", Value::str(&w.time_zone)),
                ]),
            );
        }
        if self.reminders.count > 0 {
            m.insert(
                "reminders".into(),
                map([
                    ("count", Value::Int(self.reminders.count)),
                    ("after_hours", Value::Int(self.reminders.after_hours)),
                ]),
            );
        }
        for (key, texts) in [("subject", &self.subject), ("message", &self.message)] {
            if !texts.is_empty() {
                m.insert(
                    key.into(),
                    Value::Map(
                        texts
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::str(v)))
                            .collect(),
                    ),
                );
            }
        }
    }

    /// The author's text in `lang` (`pl`, `cs`, `en`), if they wrote one.
    pub fn subject_in(&self, lang: &str) -> Option<&str> {
        self.subject.get(lang).map(String::as_str)
    }

    pub fn message_in(&self, lang: &str) -> Option<&str> {
        self.message.get(lang).map(String::as_str)
    }

    /// When a message to a contact in `zone` may first go, not before `now`.
    pub fn first_send(&self, now: i64, zone: Option<&str>) -> i64 {
        let at = self.send_at.map_or(now, |t| t.max(now));
        match &self.window {
            Some(w) => w.open_at(at, zone),
            None => at,
        }
    }
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn bounded(s: &str, max: usize, path: &str, errs: &mut Errors) -> String {
    if s.chars().count() > max {
        errs.push(path, K::TooLong { max });
    }
    if s.contains('\0') {
        errs.push(path, K::NulCharacter);
    }
    s.to_string()
}

fn audience(v: &Value, path: &str, errs: &mut Errors) -> Audience {
    let Some(mut o) = Obj::new(v, path, errs) else {
        return Audience::All;
    };
    let all = o.bool("all", false, errs);
    let sp = o.path("segment");
    let segment = o.str("segment", errs).map(str::to_string);
    let cp = o.path("contacts");
    let contacts = o.get("contacts").map(|v| contact_ids(v, &cp, errs));
    o.finish(errs);
    let given = usize::from(all) + usize::from(segment.is_some()) + usize::from(contacts.is_some());
    if given != 1 {
        errs.push(
            path,
            K::BadCondition {
                reason: "give exactly one of \"all\": true, \"segment\" or \"contacts\"".into(),
            },
        );
        return Audience::All;
    }
    if let Some(key) = segment {
        if key.is_empty() || key.len() > 64 {
            errs.push(sp, K::InvalidId);
        }
        return Audience::Segment(key);
    }
    if let Some(ids) = contacts {
        return Audience::Contacts(ids);
    }
    Audience::All
}

fn contact_ids(v: &Value, path: &str, errs: &mut Errors) -> Vec<ContactId> {
    let Value::List(items) = v else {
        errs.push(
            path,
            K::WrongType {
                expected: Expected::Array,
            },
        );
        return Vec::new();
    };
    if items.is_empty() {
        errs.push(path, K::Empty);
    }
    if items.len() > MAX_CONTACTS {
        errs.push(path, K::TooMany { max: MAX_CONTACTS });
        return Vec::new();
    }
    let mut out: Vec<ContactId> = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(ContactId::parse) {
            Some(Ok(id)) => {
                if seen.insert(id.as_str().to_string()) {
                    out.push(id);
                }
            }
            Some(Err(k)) => errs.push(index(path, i), k),
            None => errs.push(
                index(path, i),
                K::WrongType {
                    expected: Expected::String,
                },
            ),
        }
    }
    out
}

fn window(v: &Value, path: &str, errs: &mut Errors) -> Option<SendWindow> {
    let mut o = Obj::new(v, path, errs)?;
    let hp = o.path("hours");
    let hours = o.req_str("hours", errs).and_then(|h| {
        match daily_span(h, "a send window", "09:00-18:00") {
            Ok(span) => Some(span),
            Err(k) => {
                errs.push(hp, k);
                None
            }
        }
    });
    let zp = o.path("time_zone");
    let zone = o.req_str("time_zone", errs).and_then(|z| {
        let found = TimeZone::get(z)
            .ok()
            .and_then(|tz| Some((tz.iana_name()?.to_string(), tz)));
        if found.is_none() {
            errs.push(
                zp,
                K::NotOneOf {
                    allowed: "IANA time zone names, e.g. Europe/Warsaw".into(),
                },
            );
        }
        found
    });
    o.finish(errs);
    let (hours, (time_zone, tz)) = (hours?, zone?);
    Some(SendWindow {
        hours,
        time_zone,
        tz,
    })
}

/// `{"percent": 25}` or `{"margin_of_error": 5, "confidence": 0.95, "by": "store"}`.
fn sample(v: &Value, path: &str, errs: &mut Errors) -> Option<Sample> {
    let mut o = Obj::new(v, path, errs)?;
    let number = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    let pp = o.path("percent");
    let percent = o.get("percent").map(|p| match p.as_int() {
        Some(n) if (1..=100).contains(&n) => n as u32,
        _ => {
            errs.push(&pp, K::OutOfRange { min: 1, max: 100 });
            100
        }
    });
    let mp = o.path("margin_of_error");
    let margin = o.get("margin_of_error").map(|m| match number(m) {
        Some(x) if (0.5..=50.0).contains(&x) => x,
        _ => {
            errs.push(&mp, K::OutOfRange { min: 1, max: 50 });
            5.0
        }
    });
    let cp = o.path("confidence");
    let confidence = match o.get("confidence").map(number) {
        None => 0.95,
        Some(Some(c)) if (0.8..=0.999).contains(&c) => c,
        Some(_) => {
            errs.push(
                &cp,
                K::NotOneOf {
                    allowed: "a level between 0.8 and 0.999, e.g. 0.95".into(),
                },
            );
            0.95
        }
    };
    let bp = o.path("by");
    let by = o.str("by", errs).and_then(|b| {
        crate::attribute::AttributeKey::parse(b)
            .map_err(|k| errs.push(bp, k))
            .ok()
    });
    o.finish(errs);
    match (percent, margin) {
        (Some(p), None) if by.is_none() => Some(Sample::Percent(p)),
        (None, Some(margin)) => Some(Sample::Margin {
            margin,
            confidence,
            by,
        }),
        _ => {
            errs.push(
                path,
                K::BadCondition {
                    reason: "give either \"percent\" or \"margin_of_error\" (with \"confidence\" \
                             and \"by\" if you like)"
                        .into(),
                },
            );
            None
        }
    }
}

fn reminders(v: &Value, path: &str, errs: &mut Errors) -> Reminders {
    let Some(mut o) = Obj::new(v, path, errs) else {
        return Reminders::default();
    };
    let cp = o.path("count");
    let count = o.int("count", errs).unwrap_or(0);
    if !(0..=MAX_REMINDERS).contains(&count) {
        errs.push(
            cp,
            K::OutOfRange {
                min: 0,
                max: MAX_REMINDERS,
            },
        );
    }
    let hp = o.path("after_hours");
    let after_hours = o.int("after_hours", errs).unwrap_or(72);
    if !(1..=24 * 30).contains(&after_hours) {
        errs.push(hp, K::OutOfRange { min: 1, max: 720 });
    }
    o.finish(errs);
    Reminders { count, after_hours }
}

fn texts(v: &Value, path: &str, max: usize, errs: &mut Errors) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Value::Map(m) = v else {
        errs.push(
            path,
            K::WrongType {
                expected: Expected::Object,
            },
        );
        return out;
    };
    for (lang, text) in m {
        let p = crate::error::join(path, lang);
        if !["pl", "cs", "en"].contains(&lang.as_str()) {
            errs.push(
                p,
                K::NotOneOf {
                    allowed: "pl, cs, en".into(),
                },
            );
            continue;
        }
        match text.as_str() {
            Some(t) if !t.trim().is_empty() => {
                out.insert(lang.clone(), bounded(t.trim(), max, &p, errs));
            }
            Some(_) => errs.push(p, K::Empty),
            None => errs.push(
                p,
                K::WrongType {
                    expected: Expected::String,
                },
            ),
        }
    }
    out
}

/// Whether a contact is in a sample of `fraction` (0–1) of a distribution's audience: a
/// stable draw from the distribution's and the contact's ids (FNV-1a), so preparing the
/// distribution again picks the same people, and another distribution others.
pub fn in_sample(distribution: &str, contact: &str, fraction: f64) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in distribution.bytes().chain([0]).chain(contact.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // The high bits, mixed once more, as a number in [0, 1).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    ((h >> 11) as f64 / (1u64 << 53) as f64) < fraction
}

/// The language of the standard texts for a contact of `locale` (`pl`, `cs`, else `en`).
pub fn text_language(locale: Option<&Locale>) -> &'static str {
    match locale.map(Locale::language) {
        Some("pl") => "pl",
        Some("cs") => "cs",
        _ => "en",
    }
}

/// The one spelling of an address a suppression list keeps: an e-mail address trimmed
/// and lowercased (both parts: mailboxes are case-insensitive in practice), a phone
/// number with only its digits and a leading `+`; a chat address that is a phone number
/// as a phone number, any other chat id trimmed.
pub fn suppression_key(channel: SendChannel, address: &str) -> String {
    let a = address.trim();
    let phone = |a: &str| {
        let digits: String = a.chars().filter(char::is_ascii_digit).collect();
        if a.starts_with('+') {
            format!("+{digits}")
        } else {
            digits
        }
    };
    match channel {
        SendChannel::Email => a.to_lowercase(),
        SendChannel::Sms => phone(a),
        SendChannel::Chat
            if a.bytes().any(|b| b.is_ascii_digit())
                && a.chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c)) =>
        {
            phone(a)
        }
        SendChannel::Chat => a.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    fn parse(j: serde_json::Value) -> Result<DistributionDef, FieldErrors> {
        DistributionDef::parse(&json_value(&j.to_string()))
    }

    fn paths(e: FieldErrors) -> Vec<(String, &'static str)> {
        e.0.into_iter().map(|f| (f.path, f.kind.code())).collect()
    }

    #[test]
    fn a_full_definition_reads_and_prints_back() {
        let j = serde_json::json!({
            "name": "Po dostawie", "channel": "email",
            "audience": {"segment": "loyal"},
            "embed_first_question": true, "frequency_exempt": true,
            "send_at": "2026-12-07T08:00:00Z",
            "window": {"hours": "09:00-18:00", "time_zone": "Europe/Warsaw"},
            "reminders": {"count": 2, "after_hours": 72},
            "subject": {"pl": "Jak poszło?"}, "message": {"cs": "Dvě minuty"}
        });
        let d = parse(j).unwrap();
        assert_eq!(d.audience, Audience::Segment("loyal".into()));
        assert_eq!(
            d.reminders,
            Reminders {
                count: 2,
                after_hours: 72
            }
        );
        assert_eq!(d.subject_in("pl"), Some("Jak poszło?"));
        assert_eq!(DistributionDef::parse(&d.to_value()).unwrap(), d);
    }

    #[test]
    fn every_problem_is_at_its_path() {
        let e = parse(serde_json::json!({
            "name": "", "channel": "pigeon",
            "audience": {"all": true, "segment": "x"},
            "send_at": "tomorrow",
            "window": {"hours": "9-17", "time_zone": "Mars/Olympus"},
            "reminders": {"count": 9, "after_hours": 0},
            "subject": {"de": "Hallo"}, "extra": 1
        }))
        .unwrap_err();
        let got = paths(e);
        for want in [
            ("name", "empty"),
            ("channel", "not_one_of"),
            ("audience", "bad_condition"),
            ("send_at", "invalid_timestamp"),
            ("window.hours", "bad_condition"),
            ("window.time_zone", "not_one_of"),
            ("reminders.count", "out_of_range"),
            ("reminders.after_hours", "out_of_range"),
            ("subject.de", "not_one_of"),
            ("extra", "unknown_field"),
        ] {
            assert!(
                got.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {got:?}"
            );
        }
        let e = parse(serde_json::json!({"name": "x", "audience": {"contacts": ["nope", 3]}}))
            .unwrap_err();
        assert_eq!(
            paths(e),
            vec![
                ("audience.contacts[0]".to_string(), "invalid_id"),
                ("audience.contacts[1]".to_string(), "wrong_type")
            ]
        );
    }

    #[test]
    fn the_window_opens_in_the_contacts_own_time_zone() {
        let d = parse(serde_json::json!({
            "name": "x", "audience": {"all": true},
            "window": {"hours": "09:00-18:00", "time_zone": "Europe/Warsaw"}
        }))
        .unwrap();
        // 2026-12-07 06:00 UTC is 07:00 in Warsaw: wait until 09:00 there (08:00 UTC).
        let at = instant::parse("2026-12-07T06:00:00Z").unwrap();
        assert_eq!(
            d.first_send(at, None),
            instant::parse("2026-12-07T08:00:00Z").unwrap()
        );
        // In London it is 06:00: wait until 09:00 London (09:00 UTC).
        assert_eq!(
            d.first_send(at, Some("Europe/London")),
            instant::parse("2026-12-07T09:00:00Z").unwrap()
        );
        // Inside the window: now; after it: the next morning.
        let noon = instant::parse("2026-12-07T11:00:00Z").unwrap();
        assert_eq!(d.first_send(noon, None), noon);
        let late = instant::parse("2026-12-07T20:00:00Z").unwrap();
        assert_eq!(
            d.first_send(late, Some("not a zone")),
            instant::parse("2026-12-08T08:00:00Z").unwrap()
        );
    }

    #[test]
    fn addresses_have_one_spelling() {
        assert_eq!(
            suppression_key(SendChannel::Email, "  Anna.Nowak@Sklep.PL "),
            "anna.nowak@sklep.pl"
        );
        assert_eq!(
            suppression_key(SendChannel::Chat, "+48 600-100-200"),
            "+48600100200"
        );
        assert_eq!(
            suppression_key(SendChannel::Chat, " psid:Ab12 "),
            "psid:Ab12"
        );
        assert_eq!(SendChannel::parse("chat"), Some(SendChannel::Chat));
        assert_eq!(SendChannel::parse("fax"), None);
    }

    #[test]
    fn samples_and_quotas_read_back_and_draw_stably() {
        let d = parse(serde_json::json!({"name": "x", "audience": {"all": true},
            "sample": {"margin_of_error": 5, "by": "store"}, "quota": {"completed": 300}}))
        .unwrap();
        assert_eq!(d.quota.as_ref().and_then(|q| q.completed), Some(300));
        assert!(
            matches!(&d.sample, Some(Sample::Margin { margin, confidence, by: Some(b) })
            if *margin == 5.0 && *confidence == 0.95 && b.as_str() == "store")
        );
        assert_eq!(DistributionDef::parse(&d.to_value()).unwrap(), d);
        let p = parse(serde_json::json!({"name": "x", "audience": {"all": true},
            "sample": {"percent": 20}}))
        .unwrap();
        assert_eq!(p.sample, Some(Sample::Percent(20)));
        let bad = parse(serde_json::json!({"name": "x", "audience": {"all": true},
            "sample": {"percent": 20, "margin_of_error": 0}, "quota": {"completed": 0}}))
        .unwrap_err();
        let bad = paths(bad);
        for want in ["sample.margin_of_error", "sample", "quota.completed"] {
            assert!(bad.iter().any(|(p, _)| p == want), "{want} in {bad:?}");
        }
        // A fifth of 10,000 is about 2,000, and the same each time.
        let picked = (0..10_000)
            .filter(|i| in_sample("dst_1", &format!("c{i}"), 0.2))
            .count();
        assert!((1_850..=2_150).contains(&picked), "{picked}");
        assert_eq!(in_sample("dst_1", "c7", 0.2), in_sample("dst_1", "c7", 0.2));
        assert!(in_sample("dst_1", "c7", 1.0));
        assert!(!in_sample("dst_1", "c7", 0.0));
    }
}
