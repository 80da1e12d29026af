//! Request bodies: each type reads itself from the JSON sent, with errors that name the
//! field, and describes itself in the OpenAPI document. The fields a type reads and the
//! properties it documents are tied: derived types list the keys they take in `FIELDS`,
//! and a test checks that list against the derived schema; types read by a core parser
//! (a contact patch, a tracking message) are checked against what that parser takes.

use std::collections::BTreeMap;

use puls_app::AppError;
use puls_core::contact::ContactPatch;
use puls_core::tracking::{Message, Receipt, parse_message};
use puls_core::{Completion, Expected, FieldError, FieldErrorKind, FieldErrors, Value};
use puls_store::json::{self, JsonMap};
use serde::Deserialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::surveys::ContactRef;
use crate::{ErrorCode, Problem};

/// A JSON request body: read from what was sent, described by its schema.
pub trait Body: Sized + ToSchema {
    fn read(v: serde_json::Value) -> Result<Self, Problem>;
}

/// A body whose shape is not the endpoint's (serde's account of it).
pub fn shape_error(e: serde_json::Error) -> Problem {
    Problem::new(ErrorCode::MalformedJson, format!("body: {e}"))
}

/// The body as an object whose keys are all among `known`; other keys are each an
/// `unknown_field` problem.
fn object<'a>(v: &'a Value, known: &[&str]) -> Result<&'a JsonMap, Problem> {
    let Value::Map(m) = v else {
        return Err(Problem::new(
            ErrorCode::InvalidBody,
            "the body must be a JSON object",
        ));
    };
    let unknown: Vec<FieldError> = m
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| FieldError {
            path: k.clone(),
            kind: FieldErrorKind::UnknownField,
        })
        .collect();
    if unknown.is_empty() {
        Ok(m)
    } else {
        Err(AppError::Validation(FieldErrors(unknown)).into())
    }
}

fn answers_of(m: &JsonMap, required: bool) -> Result<JsonMap, Problem> {
    match m.get("answers") {
        Some(Value::Map(a)) => Ok(a.clone()),
        None | Some(Value::Null) if !required => Ok(BTreeMap::new()),
        other => Err(AppError::field(
            "answers",
            if other.is_none() {
                FieldErrorKind::Required
            } else {
                FieldErrorKind::WrongType {
                    expected: Expected::Answers,
                }
            },
        )
        .into()),
    }
}

fn completion_of(m: &JsonMap, default: bool) -> Result<Completion, Problem> {
    let done = match m.get("completed") {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(AppError::field(
                "completed",
                FieldErrorKind::WrongType {
                    expected: Expected::Boolean,
                },
            )
            .into());
        }
    };
    Ok(if done {
        Completion::Complete
    } else {
        Completion::Partial
    })
}

/// A response submission. Only `answers` is required. The response's other facts are read
/// against the survey by the core, so they are kept as sent.
#[derive(Debug, ToSchema)]
pub struct SubmitResponse {
    /// Answers keyed by question id. Formats: nps/csat/ces/rating an integer;
    /// single_choice an option id; multiple_choice an array of option ids or
    /// `{"selected": [...], "other": "text"}`; open_text a string; matrix
    /// `{"row_id": score}`; ranking every option id, best first; kano
    /// `{"functional": "like", "dysfunctional": "dislike"}` (like, expect, neutral, tolerate,
    /// dislike); contact `{"email": "...", "phone": "...", "consent": true}`.
    #[schema(value_type = Object)]
    pub answers: JsonMap,
    /// `false` saves progress as a partial response; default `true`.
    #[schema(value_type = Option<bool>)]
    pub completed: Completion,
    /// web, email, in_app, sms, store, phone, chat, social or api; default: the survey's.
    #[schema(value_type = Option<String>)]
    pub channel: Option<Value>,
    /// Default: the survey's touchpoint.
    #[schema(value_type = Option<String>)]
    pub touchpoint: Option<Value>,
    /// One of the survey's locales; default: its default locale.
    #[schema(value_type = Option<String>)]
    pub locale: Option<Value>,
    #[schema(value_type = Option<ContactRef>)]
    pub contact: Option<Value>,
    /// A personal invitation token: one response per token and survey.
    #[schema(value_type = Option<String>)]
    pub invitation_token: Option<Value>,
    /// Up to 50 string attributes, e.g. `{"order_id": "A-1001"}`.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub attributes: Option<Value>,
}

impl SubmitResponse {
    pub const FIELDS: [&str; 8] = [
        "answers",
        "completed",
        "channel",
        "touchpoint",
        "locale",
        "contact",
        "invitation_token",
        "attributes",
    ];
}

impl Body for SubmitResponse {
    fn read(v: serde_json::Value) -> Result<Self, Problem> {
        let v = json::from_json(&v);
        let m = object(&v, &Self::FIELDS)?;
        Ok(SubmitResponse {
            answers: answers_of(m, true)?,
            completed: completion_of(m, true)?,
            channel: m.get("channel").cloned(),
            touchpoint: m.get("touchpoint").cloned(),
            locale: m.get("locale").cloned(),
            contact: m.get("contact").cloned(),
            invitation_token: m.get("invitation_token").cloned(),
            attributes: m.get("attributes").cloned(),
        })
    }
}

/// More answers for a partial response.
#[derive(Debug, ToSchema)]
pub struct UpdateResponse {
    /// Answers to add or replace, keyed by question id; `null` removes an answer.
    #[schema(value_type = Object)]
    pub answers: JsonMap,
    /// `true` completes the response; default `false`.
    #[schema(value_type = Option<bool>)]
    pub completed: Completion,
    /// The token returned when the partial response was created (or send `X-Resume-Token`).
    pub resume_token: Option<String>,
}

impl UpdateResponse {
    pub const FIELDS: [&str; 3] = ["answers", "completed", "resume_token"];
}

impl Body for UpdateResponse {
    fn read(v: serde_json::Value) -> Result<Self, Problem> {
        let v = json::from_json(&v);
        let m = object(&v, &Self::FIELDS)?;
        Ok(UpdateResponse {
            answers: answers_of(m, false)?,
            completed: completion_of(m, false)?,
            // A token that is not text finds no response, like a wrong one.
            resume_token: m
                .get("resume_token")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }
}

/// A contact as sent: `null` clears a field or removes an attribute; absent fields stay as
/// they are. Read by the core's contact parser.
#[derive(Debug)]
pub struct ContactInput(pub ContactPatch);

/// The properties of [`ContactInput`]: name, type, description.
const CONTACT_PROPERTIES: [(&str, Type, &str); 7] = [
    (
        "external_id",
        Type::String,
        "The contact's id in your systems",
    ),
    ("email", Type::String, "An email address"),
    (
        "phone",
        Type::String,
        "A phone number, e.g. +420 601 234 567",
    ),
    ("name", Type::String, "The contact's name"),
    ("locale", Type::String, "`pl`, `cs`, `en`, ..."),
    (
        "attributes",
        Type::Object,
        "Values: text, number, boolean; text in `YYYY-MM-DD` or RFC 3339 form is a date",
    ),
    (
        "consents",
        Type::Object,
        "`{\"email_marketing\": true}` or `{\"sms\": {\"granted\": false, \"at\": \"2026-01-01T00:00:00Z\"}}`",
    ),
];

/// An object schema of optional, nullable properties.
fn object_schema(description: &str, properties: &[(&str, Type, &str)]) -> RefOr<Schema> {
    properties
        .iter()
        .fold(
            ObjectBuilder::new().description(Some(description)),
            |o, (name, ty, about)| {
                o.property(
                    *name,
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([ty.clone(), Type::Null]))
                        .description(Some(*about)),
                )
            },
        )
        .into()
}

impl PartialSchema for ContactInput {
    fn schema() -> RefOr<Schema> {
        object_schema(
            "A contact as sent: `null` clears a field or removes an attribute",
            &CONTACT_PROPERTIES,
        )
    }
}

impl ToSchema for ContactInput {}

impl Body for ContactInput {
    fn read(v: serde_json::Value) -> Result<Self, Problem> {
        ContactPatch::parse(&json::from_json(&v))
            .map(ContactInput)
            .map_err(|e| AppError::Validation(e).into())
    }
}

/// Which contact to merge into this one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The duplicate: its fields fill this contact's gaps, its ids forward here.
    pub from: String,
}

/// The survey to invite a contact to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    pub survey: String,
}

/// A new write key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteKeyInput {
    /// A name to recognise it by (where it is used).
    pub name: Option<String>,
}

/// Bodies that serde reads as they are described.
macro_rules! serde_bodies {
    ($($t:ty),*) => {$(
        impl Body for $t {
            fn read(v: serde_json::Value) -> Result<Self, Problem> {
                serde_json::from_value(v).map_err(shape_error)
            }
        }
    )*};
}

serde_bodies!(
    MergeInput,
    InvitationInput,
    WriteKeyInput,
    crate::webhooks::WebhookInput,
    crate::webhooks::WebhookPatch,
    crate::cases::CaseInput,
    crate::cases::CasePatch,
    crate::cases::CaseText,
    crate::triggers::OccurrenceInput
);

/// A message of the tracking API (see Segment's spec for every field), read by the core's
/// message parser; keys it does not interpret are kept as sent.
#[derive(Debug)]
pub struct TrackingMessage(pub Message);

impl TrackingMessage {
    /// Reads message `path` (`batch[3]`, or empty for a single call) or lists every problem.
    pub fn read(v: Value, path: &str, receipt: &Receipt<'_>) -> Result<Self, Vec<FieldError>> {
        parse_message(v, path, receipt).map(TrackingMessage)
    }
}

/// The properties of [`TrackingMessage`]: name, type, description.
const MESSAGE_PROPERTIES: [(&str, Type, &str); 13] = [
    (
        "type",
        Type::String,
        "`identify`, `track`, `page`, `screen`, `group` or `alias` (implied by the path of a single-message call)",
    ),
    (
        "userId",
        Type::String,
        "The user's id in your systems (a contact's external id)",
    ),
    (
        "anonymousId",
        Type::String,
        "A device's or browser's id; tied to `userId` once both come together",
    ),
    (
        "messageId",
        Type::String,
        "Unique per message (at most 100 characters): a repeat is stored once",
    ),
    ("event", Type::String, "Track: the event's name"),
    ("name", Type::String, "Page, screen: the name"),
    ("properties", Type::Object, "Track, page, screen"),
    ("traits", Type::Object, "Identify, group"),
    ("context", Type::Object, "Merged over the batch's context"),
    (
        "timestamp",
        Type::String,
        "RFC 3339; corrected for clock skew by `sentAt`",
    ),
    ("sentAt", Type::String, "RFC 3339: when the library sent it"),
    (
        "previousId",
        Type::String,
        "Alias: the id the user had before",
    ),
    ("groupId", Type::String, "Group: the group's id"),
];

impl PartialSchema for TrackingMessage {
    fn schema() -> RefOr<Schema> {
        object_schema(
            "A message of the tracking API (Segment's spec); other keys are kept as sent",
            &MESSAGE_PROPERTIES,
        )
    }
}

impl ToSchema for TrackingMessage {}

/// A batch as sent: the messages stay raw text until each is read on its own (so each one's
/// size is known as sent, and no tree of the whole body is built).
#[derive(Deserialize, ToSchema)]
pub struct TrackingBatch<'a> {
    #[serde(borrow)]
    #[schema(value_type = Vec<TrackingMessage>)]
    pub batch: Option<&'a serde_json::value::RawValue>,
    /// RFC 3339: when the library sent the batch.
    #[serde(rename = "sentAt")]
    #[schema(value_type = Option<String>)]
    pub sent_at: Option<json::CoreValue>,
    /// Merged under each message's own context.
    #[schema(value_type = Option<Object>)]
    pub context: Option<json::CoreValue>,
    /// Merged under each message's own.
    #[schema(value_type = Option<Object>)]
    pub integrations: Option<json::CoreValue>,
    /// The write key, when the request has no `Authorization: Basic` header.
    #[serde(rename = "writeKey")]
    pub write_key: Option<String>,
}

/// The property names of a type's schema.
#[cfg(test)]
fn properties<T: PartialSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
        _ => panic!("not an object schema"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn set<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> BTreeSet<String> {
        items.into_iter().map(|s| s.as_ref().to_string()).collect()
    }

    #[test]
    fn derived_bodies_read_the_fields_they_document() {
        assert_eq!(
            set(properties::<SubmitResponse>()),
            set(SubmitResponse::FIELDS)
        );
        assert_eq!(
            set(properties::<UpdateResponse>()),
            set(UpdateResponse::FIELDS)
        );
    }

    #[test]
    fn a_contact_with_every_documented_field_is_read() {
        let mut body = serde_json::Map::new();
        for (name, ty, _) in CONTACT_PROPERTIES {
            let value = match (name, ty) {
                ("email", _) => serde_json::json!("ala@example.com"),
                ("phone", _) => serde_json::json!("+420 601 234 567"),
                ("locale", _) => serde_json::json!("cs"),
                ("attributes", _) => serde_json::json!({"plan": "pro"}),
                ("consents", _) => serde_json::json!({"email_marketing": true}),
                (_, Type::String) => serde_json::json!("x-1"),
                _ => unreachable!("a property without an example: {name}"),
            };
            body.insert(name.to_string(), value);
        }
        assert_eq!(set(properties::<ContactInput>()), set(body.keys()));
        ContactInput::read(serde_json::Value::Object(body)).expect("every field is taken");
        let unknown = ContactInput::read(serde_json::json!({"email": "a@b.cz", "nick": "x"}));
        assert!(unknown.is_err(), "an undocumented field is refused");
    }

    #[test]
    fn a_tracking_message_documents_the_keys_the_core_reads() {
        let mut read = set(puls_core::tracking::MESSAGE_KEYS);
        read.insert("sentAt".into());
        assert_eq!(set(properties::<TrackingMessage>()), read);
    }

    #[test]
    fn a_tracking_batch_documents_what_it_reads() {
        assert_eq!(
            set(properties::<TrackingBatch<'_>>()),
            set(["batch", "sentAt", "context", "integrations", "writeKey"])
        );
    }
}
