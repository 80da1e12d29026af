//! Triggers: "when a contact's `Order Delivered` arrives, invite them to the delivery survey
//! two days later by e-mail, unless the order was returned meanwhile", as data. Read with
//! [`TriggerDef::parse`] (every problem at its path), printed with [`TriggerDef::to_value`]:
//!
//! ```json
//! {"name": "Po dostawie",
//!  "when": {"event": "Order Delivered", "where": [{"property": "total", "op": "gte", "value": 100}]},
//!  "occurrence": "order_id",
//!  "delay": {"days": 2},
//!  "cancel_when": [{"event": "Order Returned"}],
//!  "expires_after_hours": 72,
//!  "channel": "email",
//!  "embed_first_question": true, "reminders": {"count": 1, "after_hours": 72},
//!  "window": {"hours": "09:00-18:00", "time_zone": "Europe/Warsaw"}}
//! ```
//!
//! An event (track, page or screen) that `when` matches is an **occurrence**: one per
//! person and value of the `occurrence` property (so the same order delivered twice is one
//! occurrence), or, without that property, one per message. It is due `delay` after it
//! happened (its timestamp, never later than when it arrived), and it may still go up to
//! `expires_after_hours` after that; later it is skipped as `expired`. An event that one of
//! `cancel_when` matches cancels the same person's pending occurrence with the same
//! `occurrence` value (or, without that property, every pending occurrence of theirs that
//! happened before it); arriving first, it keeps that occurrence from starting. The other
//! keys say what the message is like, as a distribution's do
//! ([`crate::distribution::DistributionDef`]), on the trigger's `channel`: `email` (the
//! default), `sms`, `chat`, or `in_app` (shown by the widget; no message, so e-mail's
//! keys are refused).
//!
//! [`TriggerDef::on_event`] is what the application asks of each arriving event: pure,
//! no I/O.

use std::collections::BTreeMap;

use crate::attribute::{AttributeKey, AttributeValue, flatten};
use crate::distribution::{Audience, DistributionDef, SendChannel};
use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index, join};
use crate::ids::ContactId;
use crate::journey::EventMatcher;
use crate::obj::Obj;
use crate::tracking::MessageType;
use crate::value::Value;

/// The longest delay: a year.
pub const MAX_DELAY_MINUTES: i64 = 366 * 24 * 60;
/// How long after its time an occurrence may still go, at most (30 days).
pub const MAX_EXPIRES_HOURS: i64 = 30 * 24;
/// The default of `expires_after_hours`.
pub const DEFAULT_EXPIRES_HOURS: i64 = 72;
/// The most cancelling events one trigger may name.
pub const MAX_CANCELS: usize = 10;
/// How deep event properties are read (`order.shipping.city`).
const PROPERTY_DEPTH: usize = 4;
/// The longest occurrence value kept (longer ones are cut).
const MAX_OCCURRENCE: usize = 200;

/// The channel a trigger invites on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerChannel {
    /// An invitation by e-mail (a one-contact distribution).
    Email,
    /// An invitation by text message to the contact's phone (a one-contact distribution on
    /// the `sms` channel).
    Sms,
    /// An invitation by chat message (a one-contact distribution on the `chat` channel).
    Chat,
    /// Shown by the widget the next time the person is on the site or in the app, until
    /// the occurrence expires.
    InApp,
}

impl TriggerChannel {
    /// Every channel, in the order they are offered.
    pub const ALL: [TriggerChannel; 4] = [
        TriggerChannel::Email,
        TriggerChannel::Sms,
        TriggerChannel::Chat,
        TriggerChannel::InApp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriggerChannel::Email => "email",
            TriggerChannel::Sms => "sms",
            TriggerChannel::Chat => "chat",
            TriggerChannel::InApp => "in_app",
        }
    }

    pub fn parse(s: &str) -> Option<TriggerChannel> {
        TriggerChannel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The channel its message is sent on; `None` for one the widget shows (no message).
    pub fn send_channel(self) -> Option<SendChannel> {
        match self {
            TriggerChannel::Email => Some(SendChannel::Email),
            TriggerChannel::Sms => Some(SendChannel::Sms),
            TriggerChannel::Chat => Some(SendChannel::Chat),
            TriggerChannel::InApp => None,
        }
    }
}

/// A trigger as its author wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerDef {
    pub name: String,
    /// The events that start an occurrence.
    pub when: EventMatcher,
    /// The property whose value tells occurrences apart (`order_id`); `None`: each message
    /// is its own.
    pub occurrence: Option<AttributeKey>,
    /// From the event to the invitation, in minutes.
    pub delay_minutes: i64,
    /// The events that make a pending occurrence moot.
    pub cancel_when: Vec<EventMatcher>,
    /// How late after its time an occurrence may still go.
    pub expires_after_hours: i64,
    pub channel: TriggerChannel,
    /// What the message is like (its audience is filled in when it fires).
    pub message: DistributionDef,
}

/// What an arriving event means to one trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerOp {
    /// An occurrence begins (if it has not already): due at `due_at`.
    Start {
        occurrence: String,
        occurred_at: i64,
        due_at: i64,
        /// Already past `expires_after_hours` when it arrived.
        expired: bool,
    },
    /// The person's pending occurrence `occurrence` (or, `None`, all of theirs that
    /// happened at or before `at`) is cancelled.
    Cancel { occurrence: Option<String>, at: i64 },
}

/// An arriving event, as triggers read it.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    pub kind: MessageType,
    pub name: &'a str,
    pub message_id: &'a str,
    pub user_id: Option<&'a str>,
    pub anonymous_id: Option<&'a str>,
    /// When it happened (Unix ms).
    pub timestamp: i64,
    /// When Puls received it (Unix ms).
    pub received_at: i64,
    /// Its properties (an object).
    pub properties: &'a Value,
}

impl EventFacts<'_> {
    /// The person the event is about: `u:` and the user id, else `a:` and the anonymous
    /// id.
    fn person(&self) -> Option<String> {
        match (self.user_id, self.anonymous_id) {
            (Some(u), _) => Some(format!("u:{u}")),
            (None, Some(a)) => Some(format!("a:{a}")),
            _ => None,
        }
    }
}

impl TriggerDef {
    pub fn parse(v: &Value) -> Result<TriggerDef, FieldErrors> {
        let mut errs = Errors::default();
        let mut def = TriggerDef {
            name: String::new(),
            when: EventMatcher {
                kind: MessageType::Track,
                name: None,
                conditions: Vec::new(),
            },
            occurrence: None,
            delay_minutes: 0,
            cancel_when: Vec::new(),
            expires_after_hours: DEFAULT_EXPIRES_HOURS,
            channel: TriggerChannel::Email,
            message: DistributionDef::for_trigger(String::new()),
        };
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            let np = o.path("name");
            if let Some(name) = o.req_str("name", &mut errs) {
                let name = name.trim();
                if name.is_empty() {
                    errs.push(&np, K::Empty);
                } else if name.chars().count() > 200 {
                    errs.push(&np, K::TooLong { max: 200 });
                } else if name.contains('\0') {
                    errs.push(&np, K::NulCharacter);
                }
                def.name = name.to_string();
            }
            let wp = o.path("when");
            if let Some(w) = o.req("when", &mut errs)
                && let Some(m) = matcher(w, &wp, &mut errs)
            {
                def.when = m;
            }
            let op = o.path("occurrence");
            if let Some(p) = o.str("occurrence", &mut errs) {
                match AttributeKey::parse(p) {
                    Ok(k) => def.occurrence = Some(k),
                    Err(k) => errs.push(op, k),
                }
            }
            let dp = o.path("delay");
            if let Some(d) = o.get("delay") {
                def.delay_minutes = delay(d, &dp, &mut errs);
            }
            let cp = o.path("cancel_when");
            match o.get("cancel_when") {
                None => {}
                Some(Value::List(items)) => {
                    if items.len() > MAX_CANCELS {
                        errs.push(&cp, K::TooMany { max: MAX_CANCELS });
                    }
                    for (i, item) in items.iter().enumerate().take(MAX_CANCELS) {
                        if let Some(m) = matcher(item, &index(&cp, i), &mut errs) {
                            def.cancel_when.push(m);
                        }
                    }
                }
                Some(_) => errs.push(
                    cp,
                    K::WrongType {
                        expected: Expected::Array,
                    },
                ),
            }
            let ep = o.path("expires_after_hours");
            if let Some(h) = o.int("expires_after_hours", &mut errs) {
                if (1..=MAX_EXPIRES_HOURS).contains(&h) {
                    def.expires_after_hours = h;
                } else {
                    errs.push(
                        ep,
                        K::OutOfRange {
                            min: 1,
                            max: MAX_EXPIRES_HOURS,
                        },
                    );
                }
            }
            let chp = o.path("channel");
            if let Some(c) = o.str("channel", &mut errs) {
                match TriggerChannel::parse(c) {
                    Some(c) => def.channel = c,
                    None => errs.push(
                        chp,
                        K::NotOneOf {
                            allowed: TriggerChannel::ALL.map(TriggerChannel::as_str).join(", "),
                        },
                    ),
                }
            }
            if let Some(send) = def.channel.send_channel() {
                def.message.channel = send;
            }
            def.message.read_message(&mut o, &mut errs);
            if def.channel == TriggerChannel::InApp {
                let m = &def.message;
                for (key, given) in [
                    ("embed_first_question", m.embed_first_question),
                    ("window", m.window.is_some()),
                    ("reminders", m.reminders.count > 0),
                    ("subject", !m.subject.is_empty()),
                    ("message", !m.message.is_empty()),
                ] {
                    if given {
                        errs.push(
                            o.path(key),
                            K::BadCondition {
                                reason: "only for a message (channel email, sms or chat)".into(),
                            },
                        );
                    }
                }
            }
            o.finish(&mut errs);
        }
        def.message.name = def.name.clone();
        errs.into_result(def)
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("name".into(), Value::str(&self.name));
        m.insert("when".into(), self.when.to_value());
        if let Some(k) = &self.occurrence {
            m.insert("occurrence".into(), Value::str(k.as_str()));
        }
        m.insert(
            "delay".into(),
            Value::Map(BTreeMap::from([(
                "minutes".to_string(),
                Value::Int(self.delay_minutes),
            )])),
        );
        if !self.cancel_when.is_empty() {
            m.insert(
                "cancel_when".into(),
                Value::List(
                    self.cancel_when
                        .iter()
                        .map(EventMatcher::to_value)
                        .collect(),
                ),
            );
        }
        m.insert(
            "expires_after_hours".into(),
            Value::Int(self.expires_after_hours),
        );
        m.insert("channel".into(), Value::str(self.channel.as_str()));
        self.message.write_message(&mut m);
        Value::Map(m)
    }

    /// The distribution one occurrence becomes: this trigger's message to `contact`.
    pub fn distribution_for(&self, contact: ContactId) -> DistributionDef {
        DistributionDef {
            audience: Audience::Contacts(vec![contact]),
            ..self.message.clone()
        }
    }

    /// Whether events named like this one could matter to the trigger (a cheap test before
    /// reading properties).
    pub fn may_match(&self, kind: MessageType, name: &str) -> bool {
        self.when.matches_name(kind, name)
            || self.cancel_when.iter().any(|m| m.matches_name(kind, name))
    }

    /// What an arriving event means to this trigger: nothing, a start, a cancellation or
    /// (an event both starting and cancelling) both, cancellation first. An event with
    /// neither a user id nor an anonymous id means nothing.
    pub fn on_event(&self, e: &EventFacts<'_>) -> Vec<TriggerOp> {
        let mut out = Vec::new();
        if !self.may_match(e.kind, e.name) {
            return out;
        }
        let Some(person) = e.person() else {
            return out;
        };
        let mut props = Vec::new();
        flatten(e.properties, PROPERTY_DEPTH, &mut props);
        let read = |key: &str| {
            props
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v)
        };
        let value = self
            .occurrence
            .as_ref()
            .and_then(|k| read(k.as_str()))
            .map(|v| occurrence_value(&person, v));
        let at = e.timestamp.min(e.received_at);
        if self
            .cancel_when
            .iter()
            .any(|m| m.matches(e.kind, e.name, read))
        {
            out.push(TriggerOp::Cancel {
                occurrence: self.occurrence.as_ref().map(|_| {
                    value
                        .clone()
                        .unwrap_or_else(|| format!("{person}|m:{}", e.message_id))
                }),
                at,
            });
        }
        if self.when.matches(e.kind, e.name, read) {
            let occurrence = value.unwrap_or_else(|| format!("{person}|m:{}", e.message_id));
            out.push(self.start(occurrence, at, e.received_at));
        }
        out
    }

    /// An occurrence that happened at `at`, learnt of at `now`: due `delay` later, and
    /// expired already when `now` is past the time it may still go.
    pub fn start(&self, occurrence: String, at: i64, now: i64) -> TriggerOp {
        let due_at = at.saturating_add(self.delay_minutes * 60_000);
        TriggerOp::Start {
            occurrence,
            occurred_at: at,
            due_at,
            expired: now > self.expires_at(due_at),
        }
    }

    /// Until when an occurrence due at `due_at` may still go.
    pub fn expires_at(&self, due_at: i64) -> i64 {
        due_at.saturating_add(self.expires_after_hours * 3_600_000)
    }

    /// An occurrence started through the API for a contact: `key` names it (the same key
    /// twice is one occurrence).
    pub fn api_occurrence(contact: &ContactId, key: &str) -> String {
        format!("c:{contact}|{}", clip(key))
    }
}

/// The occurrence key of a person's property value.
fn occurrence_value(person: &str, v: &AttributeValue) -> String {
    format!("{person}|{}", clip(&v.as_text()))
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_OCCURRENCE).collect()
}

/// `{"event": ..., "where": [...]}` (or `page`, `screen`) and nothing else.
fn matcher(v: &Value, path: &str, errs: &mut Errors) -> Option<EventMatcher> {
    let mut o = Obj::new(v, path, errs)?;
    let m = EventMatcher::parse_from(&mut o, errs);
    o.finish(errs);
    m
}

/// `{"days": 2, "hours": 3, "minutes": 30}` (each optional, at least one given) in minutes.
fn delay(v: &Value, path: &str, errs: &mut Errors) -> i64 {
    let Some(mut o) = Obj::new(v, path, errs) else {
        return 0;
    };
    let mut total = 0_i64;
    let mut given = false;
    for (key, minutes, max) in [
        ("days", 24 * 60, 366),
        ("hours", 60, 366 * 24),
        ("minutes", 1, MAX_DELAY_MINUTES),
    ] {
        let p = o.path(key);
        if let Some(n) = o.int(key, errs) {
            given = true;
            if (0..=max).contains(&n) {
                total += n * minutes;
            } else {
                errs.push(p, K::OutOfRange { min: 0, max });
            }
        }
    }
    o.finish(errs);
    if !given {
        errs.push(join(path, "days"), K::Required);
    } else if total > MAX_DELAY_MINUTES {
        errs.push(
            path,
            K::OutOfRange {
                min: 0,
                max: MAX_DELAY_MINUTES,
            },
        );
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    fn def(v: serde_json::Value) -> TriggerDef {
        TriggerDef::parse(&json_value(&v.to_string())).expect("a valid trigger")
    }

    fn errors(v: serde_json::Value) -> Vec<String> {
        TriggerDef::parse(&json_value(&v.to_string()))
            .unwrap_err()
            .0
            .iter()
            .map(|e| format!("{} {}", e.path, e.kind.code()))
            .collect()
    }

    fn delivered() -> TriggerDef {
        def(serde_json::json!({
            "name": "Po dostawie",
            "when": {"event": "Order Delivered", "where": [{"property": "total", "op": "gte", "value": 100}]},
            "occurrence": "order_id",
            "delay": {"days": 2},
            "cancel_when": [{"event": "Order Returned"}],
        }))
    }

    fn event<'a>(name: &'a str, props: &'a Value, id: &'a str, at: i64) -> EventFacts<'a> {
        EventFacts {
            kind: MessageType::Track,
            name,
            message_id: id,
            user_id: Some("u-1"),
            anonymous_id: None,
            timestamp: at,
            received_at: at + 1_000,
            properties: props,
        }
    }

    fn props(v: serde_json::Value) -> Value {
        json_value(&v.to_string())
    }

    const DAY: i64 = 86_400_000;

    #[test]
    fn a_matching_event_starts_an_occurrence_due_after_the_delay() {
        let t = delivered();
        let p = props(serde_json::json!({"order_id": "A-1", "total": 150}));
        let ops = t.on_event(&event("Order Delivered", &p, "m1", 10 * DAY));
        assert_eq!(
            ops,
            vec![TriggerOp::Start {
                occurrence: "u:u-1|A-1".into(),
                occurred_at: 10 * DAY,
                due_at: 12 * DAY,
                expired: false,
            }]
        );
        // The same order again, another message: the same occurrence.
        let ops = t.on_event(&event("Order Delivered", &p, "m2", 10 * DAY + 5));
        assert!(
            matches!(&ops[0], TriggerOp::Start { occurrence, .. } if occurrence == "u:u-1|A-1")
        );
    }

    #[test]
    fn conditions_and_names_filter() {
        let t = delivered();
        let small = props(serde_json::json!({"order_id": "A-2", "total": 50}));
        assert!(
            t.on_event(&event("Order Delivered", &small, "m", 0))
                .is_empty()
        );
        let p = props(serde_json::json!({"order_id": "A-2", "total": 500}));
        assert!(t.on_event(&event("Order Shipped", &p, "m", 0)).is_empty());
        let mut anon = event("Order Delivered", &p, "m", 0);
        anon.user_id = None;
        assert!(t.on_event(&anon).is_empty(), "no person, nothing");
    }

    #[test]
    fn a_cancelling_event_names_the_same_occurrence() {
        let t = delivered();
        let p = props(serde_json::json!({"order_id": "A-1"}));
        assert_eq!(
            t.on_event(&event("Order Returned", &p, "m3", 11 * DAY)),
            vec![TriggerOp::Cancel {
                occurrence: Some("u:u-1|A-1".into()),
                at: 11 * DAY,
            }]
        );
        // Without the occurrence property: the person's earlier ones.
        let t = def(serde_json::json!({
            "name": "x", "when": {"event": "Signed Up"}, "delay": {"hours": 1},
            "cancel_when": [{"event": "Account Deleted"}],
        }));
        let empty = props(serde_json::json!({}));
        assert_eq!(
            t.on_event(&event("Account Deleted", &empty, "m4", 5)),
            vec![TriggerOp::Cancel {
                occurrence: None,
                at: 5,
            }]
        );
        assert!(matches!(
            &t.on_event(&event("Signed Up", &empty, "m5", 5))[0],
            TriggerOp::Start { occurrence, due_at: 3_600_005, .. } if occurrence == "u:u-1|m:m5"
        ));
    }

    #[test]
    fn a_future_timestamp_counts_from_arrival_and_an_old_one_arrives_expired() {
        let t = delivered();
        let p = props(serde_json::json!({"order_id": "A-1", "total": 150}));
        let mut e = event("Order Delivered", &p, "m1", 10 * DAY);
        e.received_at = 9 * DAY;
        assert!(
            matches!(&t.on_event(&e)[0], TriggerOp::Start { occurred_at, .. } if *occurred_at == 9 * DAY)
        );
        e.received_at = 20 * DAY;
        assert!(matches!(
            &t.on_event(&e)[0],
            TriggerOp::Start { expired: true, .. }
        ));
    }

    #[test]
    fn definitions_print_and_read_back() {
        let t = delivered();
        assert_eq!(TriggerDef::parse(&t.to_value()).unwrap(), t);
        assert_eq!(t.delay_minutes, 2 * 24 * 60);
        assert_eq!(t.message.name, "Po dostawie");
        assert_eq!(t.channel, TriggerChannel::Email);
        assert_eq!(t.message.channel, SendChannel::Email);
    }

    #[test]
    fn an_sms_trigger_sends_its_message_by_sms() {
        let t = def(serde_json::json!({
            "name": "Po dostawie", "when": {"event": "Order Delivered"},
            "channel": "sms", "embed_first_question": true,
            "reminders": {"count": 1, "after_hours": 24}
        }));
        assert_eq!(t.channel, TriggerChannel::Sms);
        assert_eq!(t.channel.send_channel(), Some(SendChannel::Sms));
        assert_eq!(
            TriggerChannel::parse("chat").and_then(TriggerChannel::send_channel),
            Some(SendChannel::Chat)
        );
        assert_eq!(t.message.channel, SendChannel::Sms);
        let contact = ContactId::parse("01J0000000000000000000000A").unwrap();
        assert_eq!(t.distribution_for(contact).channel, SendChannel::Sms);
        assert_eq!(TriggerDef::parse(&t.to_value()).unwrap(), t);
        let in_app = def(serde_json::json!({
            "name": "x", "when": {"event": "Signed Up"}, "channel": "in_app"
        }));
        assert_eq!(in_app.channel.send_channel(), None);
        for c in TriggerChannel::ALL {
            assert_eq!(TriggerChannel::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn every_problem_is_named_at_its_path() {
        let errs = errors(serde_json::json!({
            "name": "",
            "when": {"event": "X", "where": [{"property": "a b", "op": "eq", "value": 1}]},
            "delay": {"weeks": 1},
            "cancel_when": [{"nothing": 1}],
            "expires_after_hours": 0,
            "channel": "pigeon",
            "reminders": {"count": 9},
            "audience": {"all": true}
        }));
        let in_app = errors(serde_json::json!({
            "name": "x", "when": {"event": "Signed Up"}, "channel": "in_app",
            "reminders": {"count": 1}, "subject": {"pl": "Hej"}
        }));
        assert_eq!(in_app, ["reminders bad_condition", "subject bad_condition"]);
        for want in [
            "name empty",
            "when.where[0].property invalid_key",
            "delay.weeks unknown_field",
            "delay.days required",
            "cancel_when[0].event required",
            "expires_after_hours out_of_range",
            "channel not_one_of",
            "reminders.count out_of_range",
            "audience unknown_field",
        ] {
            assert!(errs.iter().any(|e| e == want), "{want} in {errs:?}");
        }
        assert!(errors(serde_json::json!({"name": "x"})).contains(&"when required".to_string()));
    }
}
