//! Contacts, their timelines (responses and events), write keys and events on the wire.

use puls_app::AppError;
use puls_app::contact_fields::contact_of;
use puls_store::{ContactRecord, EventFilter, EventRecord, InvitationRecord, WriteKeyInfo, json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::time::{Bound, format_ms, parse_time, zone};

/// A contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    /// Typed values: text, number, boolean, or a date as `YYYY-MM-DD` / RFC 3339 text.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    /// `{"purpose": {"granted": bool, "at": RFC 3339}}`.
    #[schema(value_type = Object)]
    pub consents: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

impl ContactDto {
    pub fn of(r: &ContactRecord) -> Result<ContactDto, AppError> {
        let c = contact_of(&r.fields)
            .map_err(|e| anyhow::anyhow!("stored contact {} is unreadable: {e}", r.id))?;
        Ok(ContactDto {
            id: r.id.to_string(),
            external_id: r.fields.external_id.clone(),
            email: r.fields.email.clone(),
            phone: r.fields.phone.clone(),
            name: r.fields.name.clone(),
            locale: r.fields.locale.clone(),
            attributes: json::to_json(&c.attributes_value()),
            consents: json::to_json(&c.consents_value()),
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
        })
    }
}

/// A page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Which contacts to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// The contact with this external id (following merges).
    pub external_id: Option<String>,
    /// The contact with this email (following merges).
    pub email: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A page size from the query: 1 to 1000, 100 by default.
pub fn limit(l: Option<i64>) -> Result<i64, AppError> {
    match l.unwrap_or(100) {
        l @ 1..=1000 => Ok(l),
        _ => Err(AppError::invalid("limit: must be between 1 and 1000")),
    }
}

/// A personal survey link.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub token: String,
    pub survey: String,
    pub contact: String,
    /// The hosted page with the token: its response belongs to the contact, once.
    pub link: String,
    pub created_at: String,
}

impl InvitationDto {
    pub fn of(inv: InvitationRecord, public_url: &str) -> Self {
        InvitationDto {
            link: format!("{public_url}/s/{}?inv={}", inv.survey_id, inv.token),
            token: inv.token,
            survey: inv.survey_id.to_string(),
            contact: inv.contact_id.to_string(),
            created_at: format_ms(inv.created_at),
        }
    }
}

/// A page of a contact's timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// `next_cursor` of the previous page (events only).
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A stored event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// The event's id (ascending in arrival order).
    pub seq: i64,
    #[serde(rename = "messageId")]
    pub message_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The track's event, or the page's or screen's name.
    pub name: String,
    #[serde(rename = "userId")]
    pub user_id: Option<String>,
    #[serde(rename = "anonymousId")]
    pub anonymous_id: Option<String>,
    /// When it happened (clock skew corrected), RFC 3339.
    pub timestamp: String,
    #[serde(rename = "receivedAt")]
    pub received_at: String,
    /// Properties (track, page, screen) or traits (identify, group).
    #[schema(value_type = Object)]
    pub properties: serde_json::Value,
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
    /// Every other key the message had.
    #[schema(value_type = Object)]
    pub extra: serde_json::Value,
}

impl EventDto {
    pub fn of(record: &EventRecord) -> EventDto {
        let e = &record.event;
        EventDto {
            seq: record.seq,
            message_id: e.message_id.clone(),
            kind: e.kind.clone(),
            name: e.name.clone(),
            user_id: e.user_id.clone(),
            anonymous_id: e.anonymous_id.clone(),
            timestamp: format_ms(e.timestamp),
            received_at: format_ms(e.received_at),
            properties: json::object(&e.properties),
            context: json::object(&e.context),
            extra: json::object(&e.extra),
        }
    }
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    pub next_cursor: Option<String>,
}

impl EventPage {
    /// A page of `limit` rows read: the next cursor is the last row's `seq` when the page
    /// is full.
    pub fn of(rows: Vec<EventRecord>, limit: i64) -> EventPage {
        let next_cursor = (rows.len() as i64 == limit)
            .then(|| rows.last().map(|e| e.seq.to_string()))
            .flatten();
        EventPage {
            items: rows.iter().map(EventDto::of).collect(),
            next_cursor,
        }
    }
}

/// An event cursor (an event's `seq`).
pub fn seq_cursor(cursor: Option<&str>) -> Result<Option<i64>, AppError> {
    cursor
        .map(|c| c.parse::<i64>().map_err(|_| AppError::InvalidCursor))
        .transpose()
}

/// The receipt of an erasure: what was removed, counts only.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ErasureReceipt)]
pub struct ErasureDto {
    /// The erased contact's id (the row keeps only its id, so the id is not reused).
    pub contact_id: String,
    /// When (RFC 3339).
    pub erased_at: String,
    /// The contact and the duplicates merged into it, their fields wiped.
    pub contacts: u64,
    /// Responses given with any of their ids or personal links, deleted.
    pub responses: u64,
    /// Events sent with their user ids, or before sign-in from a browser or device later
    /// tied to them, deleted.
    pub events: u64,
    /// Links from anonymous ids (browsers, devices) to their user ids, deleted.
    pub identities: u64,
    /// Personal survey links, deleted (they no longer open the survey).
    pub invitations: u64,
    /// Cases about them or their responses, with their history (replies included),
    /// deleted.
    pub cases: u64,
}

impl ErasureDto {
    pub fn of(contact_id: &puls_core::ContactId, r: &puls_store::ErasureReceipt) -> Self {
        ErasureDto {
            contact_id: contact_id.to_string(),
            erased_at: format_ms(r.erased_at),
            contacts: r.contacts,
            responses: r.responses,
            events: r.events,
            identities: r.identities,
            invitations: r.invitations,
            cases: r.cases,
        }
    }
}

/// Which events to list or export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `track`, `page`, `screen`, `identify`, `group` or `alias`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// The event's (page's, screen's) name.
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// Happened at or after: an RFC 3339 timestamp, or a `YYYY-MM-DD` date (from its start
    /// in `tz`).
    pub since: Option<String>,
    /// Happened up to: a `YYYY-MM-DD` date includes that whole day in `tz`; an RFC 3339
    /// timestamp is exclusive.
    pub until: Option<String>,
    /// IANA time zone of `since` and `until` dates. Default: the server's
    /// `analytics.time_zone`.
    pub tz: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Export format: `ndjson` (default) or `csv`.
    pub format: Option<String>,
}

impl EventQuery {
    /// The filter; dates are read in `tz`, else in `default_tz`.
    pub fn filter(&self, default_tz: &str) -> Result<EventFilter, AppError> {
        let tz = zone(self.tz.as_deref(), default_tz)?;
        Ok(EventFilter {
            kind: self.kind.clone(),
            name: self.name.clone(),
            user_id: self.user_id.clone(),
            anonymous_id: self.anonymous_id.clone(),
            since: self
                .since
                .as_deref()
                .map(|s| parse_time("since", s, tz, Bound::Start))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|s| parse_time("until", s, tz, Bound::End))
                .transpose()?,
            before_seq: seq_cursor(self.cursor.as_deref())?,
        })
    }
}

/// A write key of the tracking API.
#[derive(Debug, Serialize, ToSchema)]
pub struct WriteKeyDto {
    /// The key itself: like Segment's, it is not a secret (it ships in web pages and apps
    /// and only lets one send events).
    pub key: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<WriteKeyInfo> for WriteKeyDto {
    fn from(k: WriteKeyInfo) -> Self {
        WriteKeyDto {
            key: k.key,
            name: k.name,
            created_at: format_ms(k.created_at),
            revoked_at: k.revoked_at.map(format_ms),
        }
    }
}
