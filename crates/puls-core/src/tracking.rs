//! Behavioural messages in the shape of Segment's tracking API: `identify`, `track`, `page`,
//! `screen`, `group` and `alias`, read from a [`Value`] with every problem at its path.
//!
//! Semantics follow Segment's spec: a message needs a `userId` or an `anonymousId`, a track
//! needs its `event`, `messageId` identifies a message for de-duplication, and the time of
//! a message is its `timestamp` (or `originalTimestamp`) corrected for the sender's clock
//! skew by the batch's `sentAt`: `timestamp + (receivedAt − sentAt)`. Keys the spec has and
//! Puls does not interpret (`integrations`, `_metadata`, ...) are kept with the message.

use std::collections::BTreeMap;

use crate::contact::ExternalId;
use crate::error::{Errors, Expected, FieldError, FieldErrorKind as K, join};
use crate::instant;
use crate::value::Value;

/// Longest accepted `messageId` (Segment: under 100 characters).
pub const MAX_MESSAGE_ID: usize = 100;
/// Longest event, page or screen name.
pub const MAX_NAME: usize = 200;

/// What a message records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// Who a user is: traits for their contact.
    Identify,
    /// Something a user did: `event` and its properties.
    Track,
    /// A web page viewed.
    Page,
    /// An app screen viewed.
    Screen,
    /// The company or account a user belongs to.
    Group,
    /// Two ids of one user: `previousId` is now `userId`.
    Alias,
}

impl MessageType {
    pub const ALL: [MessageType; 6] = [
        MessageType::Identify,
        MessageType::Track,
        MessageType::Page,
        MessageType::Screen,
        MessageType::Group,
        MessageType::Alias,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Identify => "identify",
            MessageType::Track => "track",
            MessageType::Page => "page",
            MessageType::Screen => "screen",
            MessageType::Group => "group",
            MessageType::Alias => "alias",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MessageType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the message is something the user did or saw (counted in journeys).
    pub fn is_behaviour(self) -> bool {
        matches!(
            self,
            MessageType::Track | MessageType::Page | MessageType::Screen
        )
    }
}

/// One message, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub kind: MessageType,
    /// `None` when the sender gave none; the edge assigns one before storing.
    pub message_id: Option<String>,
    pub user_id: Option<ExternalId>,
    pub anonymous_id: Option<ExternalId>,
    /// The track's event, the page's or screen's name (may be empty), else empty.
    pub name: String,
    /// Properties (track, page, screen) or traits (identify, group): an object.
    pub properties: BTreeMap<String, Value>,
    /// The `context` object (empty when none was sent).
    pub context: BTreeMap<String, Value>,
    /// `previousId` of an alias, `groupId` of a group.
    pub other_id: Option<ExternalId>,
    /// Every other key as sent (`category`, `integrations`, `_metadata`, ...).
    pub extra: BTreeMap<String, Value>,
    /// When it happened, clock skew corrected (Unix ms).
    pub timestamp_ms: i64,
}

impl Message {
    /// The key of the person who did it: the user id when known, else the anonymous id.
    pub fn person(&self) -> Option<&ExternalId> {
        self.user_id.as_ref().or(self.anonymous_id.as_ref())
    }

    /// The `context.locale`, if any.
    pub fn locale(&self) -> Option<&str> {
        self.context.get("locale").and_then(Value::as_str)
    }
}

/// What the receiving edge knows about a message beyond its body.
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    /// The message's type from the endpoint (`/v1/track`), or `None` for a batch item.
    pub endpoint: Option<MessageType>,
    /// When the request arrived (Unix ms).
    pub received_at_ms: i64,
    /// The batch's `sentAt`, if any.
    pub batch_sent_at: Option<&'a Value>,
    /// Batch-level `context` and `integrations`, merged under each message's own.
    pub batch_context: Option<&'a Value>,
    pub batch_integrations: Option<&'a Value>,
}

/// Keys the sender may put on a message that Puls neither keeps nor interprets.
const DROPPED: [&str; 2] = ["writeKey", "receivedAt"];

/// Reads one message at `path` (`batch[3]`, or empty for a single call), or lists every
/// problem with its path. Takes the value, so its properties and other keys move into the
/// message without copies.
pub fn parse_message(
    v: Value,
    path: &str,
    receipt: &Receipt<'_>,
) -> Result<Message, Vec<FieldError>> {
    let mut errs = Errors::default();
    let head = read_message(&v, path, receipt, &mut errs);
    match head {
        Some(mut m) if errs.list.is_empty() => {
            let Value::Map(map) = v else {
                return Err(errs.list);
            };
            move_bodies(&mut m, map, receipt);
            Ok(m)
        }
        _ => Err(errs.list),
    }
}

/// The keys a message's fields are read from; the rest is kept as `extra` (`sentAt` too,
/// which is read for the clock skew and kept).
pub const MESSAGE_KEYS: [&str; 12] = [
    "type",
    "userId",
    "anonymousId",
    "messageId",
    "event",
    "name",
    "previousId",
    "groupId",
    "properties",
    "traits",
    "context",
    "timestamp",
];

/// Moves properties (or traits), context and every other key from a validated message's
/// map into it.
fn move_bodies(m: &mut Message, mut map: BTreeMap<String, Value>, receipt: &Receipt<'_>) {
    let (body_key, other_body) = match m.kind {
        MessageType::Identify | MessageType::Group => ("traits", "properties"),
        _ => ("properties", "traits"),
    };
    if let Some(Value::Map(p)) = map.remove(body_key) {
        m.properties = p;
    }
    let mut context = match receipt.batch_context {
        Some(Value::Map(c)) => c.clone(),
        _ => BTreeMap::new(),
    };
    if let Some(Value::Map(c)) = map.remove("context") {
        if context.is_empty() {
            context = c;
        } else {
            context.extend(c);
        }
    }
    m.context = context;
    // `properties` of an identify (or `traits` of a track) are not part of its meaning but
    // are kept, like any other key.
    let other = map.remove(other_body).filter(|v| !matches!(v, Value::Null));
    map.retain(|k, _| !MESSAGE_KEYS.contains(&k.as_str()) && !DROPPED.contains(&k.as_str()));
    if let Some(v) = other {
        map.insert(other_body.to_string(), v);
    }
    if !map.contains_key("integrations")
        && let Some(i) = receipt.batch_integrations
    {
        map.insert("integrations".into(), i.clone());
    }
    m.extra = map;
}

fn read_message(
    v: &Value,
    path: &str,
    receipt: &Receipt<'_>,
    errs: &mut Errors,
) -> Option<Message> {
    let before = errs.list.len();
    let Value::Map(map) = v else {
        errs.push(
            path,
            K::WrongType {
                expected: Expected::Object,
            },
        );
        return None;
    };
    let at = |k: &str| join(path, k);
    let present = |k: &str| map.get(k).filter(|v| !matches!(v, Value::Null));

    let kind = match (present("type"), receipt.endpoint) {
        (None, Some(t)) => Some(t),
        (None, None) => {
            errs.push(at("type"), K::Required);
            None
        }
        (Some(Value::Str(s)), endpoint) => match MessageType::parse(s) {
            Some(t) if endpoint.is_none_or(|e| e == t) => Some(t),
            Some(_) => {
                errs.push(
                    at("type"),
                    K::NotOneOf {
                        allowed: endpoint.map(MessageType::as_str).unwrap_or_default().into(),
                    },
                );
                None
            }
            None => {
                errs.push(
                    at("type"),
                    K::NotOneOf {
                        allowed: MessageType::ALL.map(MessageType::as_str).join(", "),
                    },
                );
                None
            }
        },
        (Some(_), _) => {
            errs.push(
                at("type"),
                K::WrongType {
                    expected: Expected::String,
                },
            );
            None
        }
    };

    let id = |k: &str, errs: &mut Errors| -> Option<ExternalId> {
        match present(k)? {
            Value::Str(s) if s.trim().is_empty() => None,
            Value::Str(s) => ExternalId::parse(s).map_err(|e| errs.push(at(k), e)).ok(),
            // Some senders give numeric ids; Segment takes them as text.
            n @ (Value::Int(_) | Value::Float(_)) => n
                .as_int()
                .and_then(|i| ExternalId::parse(&i.to_string()).ok())
                .or_else(|| {
                    errs.push(
                        at(k),
                        K::WrongType {
                            expected: Expected::String,
                        },
                    );
                    None
                }),
            _ => {
                errs.push(
                    at(k),
                    K::WrongType {
                        expected: Expected::String,
                    },
                );
                None
            }
        }
    };
    let user_id = id("userId", errs);
    let anonymous_id = id("anonymousId", errs);
    if user_id.is_none() && anonymous_id.is_none() && errs.list.len() == before {
        errs.push(at("userId"), K::Required);
    }

    let text = |k: &str, max: usize, errs: &mut Errors| -> Option<String> {
        match present(k)? {
            Value::Str(s) if s.contains('\0') => {
                errs.push(at(k), K::NulCharacter);
                None
            }
            Value::Str(s) if s.chars().count() > max => {
                errs.push(at(k), K::TooLong { max });
                None
            }
            Value::Str(s) => Some(s.clone()),
            _ => {
                errs.push(
                    at(k),
                    K::WrongType {
                        expected: Expected::String,
                    },
                );
                None
            }
        }
    };
    let message_id = text("messageId", MAX_MESSAGE_ID, errs)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let name = match kind {
        Some(MessageType::Track) => match text("event", MAX_NAME, errs) {
            Some(e) if !e.trim().is_empty() => e,
            Some(_) => {
                errs.push(at("event"), K::Empty);
                String::new()
            }
            None => {
                if present("event").is_none() {
                    errs.push(at("event"), K::Required);
                }
                String::new()
            }
        },
        Some(MessageType::Page | MessageType::Screen) => {
            text("name", MAX_NAME, errs).unwrap_or_default()
        }
        _ => String::new(),
    };
    let other_id = match kind {
        Some(MessageType::Alias) => {
            let previous = id("previousId", errs);
            if previous.is_none() && present("previousId").is_none() {
                errs.push(at("previousId"), K::Required);
            }
            if user_id.is_none() && present("userId").is_none() {
                errs.push(at("userId"), K::Required);
            }
            previous
        }
        Some(MessageType::Group) => {
            let group = id("groupId", errs);
            if group.is_none() && present("groupId").is_none() {
                errs.push(at("groupId"), K::Required);
            }
            group
        }
        _ => None,
    };

    let object = |k: &str, errs: &mut Errors| {
        if present(k).is_some_and(|v| !matches!(v, Value::Map(_))) {
            errs.push(
                at(k),
                K::WrongType {
                    expected: Expected::Object,
                },
            );
        }
    };
    let body_key = match kind {
        Some(MessageType::Identify | MessageType::Group) => "traits",
        _ => "properties",
    };
    object(body_key, errs);
    object("context", errs);

    let instant_at = |k: &str, v: Option<&Value>, errs: &mut Errors| -> Option<i64> {
        match v? {
            Value::Str(s) => instant::parse(s)
                .ok_or(())
                .map_err(|_| errs.push(at(k), K::InvalidTimestamp))
                .ok(),
            _ => {
                errs.push(at(k), K::InvalidTimestamp);
                None
            }
        }
    };
    let stated = instant_at("timestamp", present("timestamp"), errs)
        .or_else(|| instant_at("originalTimestamp", present("originalTimestamp"), errs));
    let sent_at = match present("sentAt") {
        Some(v) => instant_at("sentAt", Some(v), errs),
        None => receipt
            .batch_sent_at
            .filter(|v| !matches!(v, Value::Null))
            .and_then(|v| instant_at("sentAt", Some(v), errs)),
    };
    let timestamp_ms = match (stated, sent_at) {
        (Some(t), Some(sent)) => t.saturating_add(receipt.received_at_ms.saturating_sub(sent)),
        (Some(t), None) => t,
        (None, _) => receipt.received_at_ms,
    };
    if !(instant::MIN_MS..=instant::MAX_MS).contains(&timestamp_ms) {
        errs.push(at("timestamp"), K::InvalidTimestamp);
    }

    if errs.list.len() > before {
        return None;
    }
    Some(Message {
        kind: kind?,
        message_id,
        user_id,
        anonymous_id,
        name,
        properties: BTreeMap::new(),
        context: BTreeMap::new(),
        other_id,
        extra: BTreeMap::new(),
        timestamp_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECEIVED: i64 = 1_772_359_200_000; // 2026-03-01T10:00:00Z

    fn receipt<'a>(endpoint: Option<MessageType>, sent_at: Option<&'a Value>) -> Receipt<'a> {
        Receipt {
            endpoint,
            received_at_ms: RECEIVED,
            batch_sent_at: sent_at,
            batch_context: None,
            batch_integrations: None,
        }
    }

    fn parse(v: Value, r: &Receipt<'_>) -> Result<Message, Vec<(String, &'static str)>> {
        parse_message(v, "batch[0]", r).map_err(|errs| {
            errs.iter()
                .map(|e| (e.path.clone(), e.kind.code()))
                .collect()
        })
    }

    #[test]
    fn a_track_from_the_spec_is_read() {
        let v = Value::map([
            ("type", Value::str("track")),
            ("userId", Value::str("019mr8mf4r")),
            ("event", Value::str("Item Purchased")),
            (
                "properties",
                Value::map([
                    ("name", Value::str("Leap to Conclusions Mat")),
                    ("revenue", Value::Float(14.99)),
                ]),
            ),
            ("context", Value::map([("ip", Value::str("24.5.68.47"))])),
            ("timestamp", Value::str("2012-12-02T00:30:12.984Z")),
            (
                "messageId",
                Value::str("022bb90c-bbac-11e4-8dfc-aa07a5b093db"),
            ),
            ("integrations", Value::map([("All", Value::Bool(true))])),
        ]);
        let m = parse(v, &receipt(None, None)).unwrap();
        assert_eq!(m.kind, MessageType::Track);
        assert_eq!(m.name, "Item Purchased");
        assert_eq!(m.person().unwrap().as_str(), "019mr8mf4r");
        assert_eq!(
            m.timestamp_ms,
            instant::parse("2012-12-02T00:30:12.984Z").unwrap()
        );
        assert_eq!(m.properties.len(), 2);
        assert!(m.extra.contains_key("integrations"));
    }

    #[test]
    fn clock_skew_is_corrected_by_sent_at() {
        // The sender's clock runs 5 s ahead: it stamped the event 2 s before it sent it.
        let v = Value::map([
            ("type", Value::str("page")),
            ("anonymousId", Value::str("a-1")),
            ("timestamp", Value::str("2026-03-01T10:00:03Z")),
        ]);
        let sent = Value::str("2026-03-01T10:00:05Z");
        let m = parse(v, &receipt(None, Some(&sent))).unwrap();
        assert_eq!(m.timestamp_ms, RECEIVED - 2000);
        assert_eq!(m.name, "");
    }

    #[test]
    fn a_message_without_a_timestamp_happened_when_received() {
        let v = Value::map([
            ("userId", Value::Int(42)),
            ("traits", Value::Map(Default::default())),
        ]);
        let m = parse(v, &receipt(Some(MessageType::Identify), None)).unwrap();
        assert_eq!(m.kind, MessageType::Identify);
        assert_eq!(m.timestamp_ms, RECEIVED);
        assert_eq!(m.user_id.unwrap().as_str(), "42");
    }

    #[test]
    fn every_problem_is_named_with_its_path() {
        let v = Value::map([
            ("type", Value::str("track")),
            ("anonymousId", Value::Null),
            ("properties", Value::List(vec![])),
            ("timestamp", Value::str("yesterday")),
        ]);
        let errs = parse(v, &receipt(None, None)).unwrap_err();
        assert_eq!(
            errs,
            [
                ("batch[0].userId".to_string(), "required"),
                ("batch[0].event".to_string(), "required"),
                ("batch[0].properties".to_string(), "wrong_type"),
                ("batch[0].timestamp".to_string(), "invalid_timestamp"),
            ]
        );
    }

    #[test]
    fn a_type_other_than_the_endpoints_is_refused() {
        let v = Value::map([("type", Value::str("page")), ("userId", Value::str("u"))]);
        let errs = parse(v, &receipt(Some(MessageType::Track), None)).unwrap_err();
        assert_eq!(errs, [("batch[0].type".to_string(), "not_one_of")]);
    }

    #[test]
    fn alias_and_group_need_their_ids() {
        let alias = Value::map([
            ("type", Value::str("alias")),
            ("anonymousId", Value::str("a")),
        ]);
        let errs = parse(alias, &receipt(None, None)).unwrap_err();
        assert_eq!(
            errs,
            [
                ("batch[0].previousId".to_string(), "required"),
                ("batch[0].userId".to_string(), "required"),
            ]
        );
        let group = Value::map([
            ("type", Value::str("group")),
            ("userId", Value::str("u")),
            ("groupId", Value::str("acme")),
        ]);
        assert_eq!(
            parse(group, &receipt(None, None))
                .unwrap()
                .other_id
                .unwrap()
                .as_str(),
            "acme"
        );
    }

    #[test]
    fn batch_context_is_merged_under_the_messages_own() {
        let batch_context =
            Value::map([("locale", Value::str("pl-PL")), ("app", Value::str("shop"))]);
        let v = Value::map([
            ("type", Value::str("track")),
            ("userId", Value::str("u")),
            ("event", Value::str("X")),
            ("context", Value::map([("locale", Value::str("cs-CZ"))])),
        ]);
        let r = Receipt {
            batch_context: Some(&batch_context),
            ..receipt(None, None)
        };
        let m = parse(v, &r).unwrap();
        assert_eq!(m.locale(), Some("cs-CZ"));
        assert_eq!(m.context["app"], Value::str("shop"));
    }
}
