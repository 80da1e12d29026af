//! Triggers on the wire: a trigger with its occurrences and messages counted, its
//! occurrences one by one, and the body that begins or cancels one through the API.

use std::collections::BTreeMap;

use puls_app::AppError;
use puls_app::triggers::TriggerReport;
use puls_core::{ContactId, FieldErrorKind};
use puls_store::{OccurrenceRecord, OccurrenceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analytics::RateDto;
use crate::distributions::DeliveryCountsDto;
use crate::time::format_ms;

/// What became of a trigger's occurrences.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceCountsDto {
    /// Waiting for their time (or being fired).
    pub pending: i64,
    /// Made their invitation (what became of it is in `deliveries`).
    pub fired: i64,
    /// Made moot by a later event before their time.
    pub cancelled: i64,
    /// In-app: waiting for the widget to show them.
    pub ready: i64,
    /// In-app: shown by the widget.
    pub shown: i64,
    /// Not fired, by reason: `expired`, `unknown_contact`, `trigger_paused`,
    /// `survey_closed`, `survey_not_published`, `email_not_configured`, `sms_not_configured`,
    /// `not_sendable`, `frequency_cap` (in-app: the policy refused it when the widget would
    /// have shown it).
    pub skipped: BTreeMap<String, i64>,
}

/// A trigger: its definition, its state and its counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Trigger)]
pub struct TriggerDto {
    pub id: String,
    pub survey_id: String,
    pub name: String,
    /// `active` or `paused`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: Option<String>,
    /// The definition as stored (canonical form: the delay in minutes).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub occurrences: OccurrenceCountsDto,
    /// The messages of the invitations it made, counted as a distribution's are.
    pub deliveries: DeliveryCountsDto,
    /// Completed responses per message sent, with its Wilson interval (95 %), in percent.
    pub response_rate: RateDto,
}

impl TriggerDto {
    pub fn of(r: &TriggerReport) -> TriggerDto {
        let mut skipped = BTreeMap::new();
        for (state, reason, n) in &r.occurrences {
            if *state == OccurrenceState::Skipped {
                *skipped
                    .entry(reason.clone().unwrap_or_else(|| "other".into()))
                    .or_insert(0) += n;
            }
        }
        TriggerDto {
            id: r.record.id.clone(),
            survey_id: r.record.survey_id.to_string(),
            name: r.record.name.clone(),
            status: r.record.status.clone(),
            created_at: format_ms(r.record.created_at),
            updated_at: format_ms(r.record.updated_at),
            created_by: r.record.created_by.clone(),
            definition: puls_store::json::to_json(&r.def.to_value()),
            occurrences: OccurrenceCountsDto {
                pending: r.count(OccurrenceState::Pending) + r.count(OccurrenceState::Firing),
                fired: r.count(OccurrenceState::Fired),
                cancelled: r.count(OccurrenceState::Cancelled),
                ready: r.count(OccurrenceState::Ready),
                shown: r.count(OccurrenceState::Shown),
                skipped,
            },
            deliveries: DeliveryCountsDto::of(&r.deliveries),
            response_rate: RateDto::of(&r.response_rate()),
        }
    }
}

/// The workspace's triggers.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriggerListDto {
    pub items: Vec<TriggerDto>,
}

/// One occurrence of a trigger.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TriggerOccurrence)]
pub struct OccurrenceDto {
    /// The person and the occurrence's value (`u:USER|ORDER`, `c:CONTACT|KEY`).
    pub occurrence: String,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// The contact it named or was found to be about.
    pub contact_id: Option<String>,
    /// The tracking message that began it (none through the API).
    pub message_id: Option<String>,
    pub occurred_at: String,
    pub due_at: Option<String>,
    /// `pending`, `firing`, `fired`, `ready` (in-app, waiting for the widget), `shown`,
    /// `cancelled` or `skipped`.
    pub state: String,
    pub reason: Option<String>,
    /// The invitation it made (`fired`).
    pub distribution_id: Option<String>,
}

impl OccurrenceDto {
    pub fn of(o: &OccurrenceRecord) -> OccurrenceDto {
        OccurrenceDto {
            occurrence: o.occurrence.clone(),
            user_id: o.user_id.clone(),
            anonymous_id: o.anonymous_id.clone(),
            contact_id: o.contact_id.clone(),
            message_id: o.message_id.clone(),
            occurred_at: format_ms(o.occurred_at),
            due_at: o.due_at.map(format_ms),
            state: o.state.as_str().into(),
            reason: o.reason.clone(),
            distribution_id: o.distribution_id.clone(),
        }
    }

    /// The cursor after this occurrence: its time and its key in hex.
    pub fn cursor(o: &OccurrenceRecord) -> String {
        let hex: String = o.occurrence.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{}.{hex}", o.occurred_at)
    }

    /// Reads [`OccurrenceDto::cursor`].
    pub fn read_cursor(c: &str) -> Result<(i64, String), AppError> {
        let bad = || AppError::invalid("cursor: not a cursor this API gave");
        let (at, hex) = c.split_once('.').ok_or_else(bad)?;
        let at: i64 = at.parse().map_err(|_| bad())?;
        if hex.len() % 2 != 0 || hex.len() > 1_000 {
            return Err(bad());
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad()))
            .collect::<Result<Vec<u8>, _>>()?;
        Ok((at, String::from_utf8(bytes).map_err(|_| bad())?))
    }
}

/// A page of occurrences.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrencePageDto {
    pub items: Vec<OccurrenceDto>,
    pub next_cursor: Option<String>,
}

/// An occurrence begun or cancelled through the API, for a contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceInput {
    pub contact_id: String,
    /// What tells this occurrence apart (an order id): the same key again is the same
    /// occurrence. Without it, each call begins a new one; a cancellation without it
    /// cancels all of the contact's pending occurrences of the trigger.
    pub key: Option<String>,
    /// When it happened (RFC 3339; default now, never later than now).
    pub at: Option<String>,
}

/// What [`OccurrenceInput`] says, read.
pub struct Occurrence {
    pub contact_id: ContactId,
    pub key: Option<String>,
    pub at: Option<i64>,
}

impl OccurrenceInput {
    pub fn into_app(self) -> Result<Occurrence, AppError> {
        let contact_id =
            ContactId::parse(&self.contact_id).map_err(|k| AppError::field("contact_id", k))?;
        let key = match self.key {
            Some(k) if k.trim().is_empty() => {
                return Err(AppError::field("key", FieldErrorKind::Empty));
            }
            Some(k) if k.chars().count() > 200 => {
                return Err(AppError::field("key", FieldErrorKind::TooLong { max: 200 }));
            }
            Some(k) if k.contains('\0') => {
                return Err(AppError::field("key", FieldErrorKind::NulCharacter));
            }
            other => other,
        };
        let at = match self.at.as_deref() {
            Some(s) => Some(
                puls_core::instant::parse(s)
                    .ok_or_else(|| AppError::field("at", FieldErrorKind::InvalidTimestamp))?,
            ),
            None => None,
        };
        Ok(Occurrence {
            contact_id,
            key,
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back() {
        let o = OccurrenceRecord {
            trigger_id: "trg_1".into(),
            occurrence: "u:ala|Zamówienie ž".into(),
            workspace_id: puls_core::WorkspaceId::new(1),
            user_id: None,
            anonymous_id: None,
            contact_id: None,
            message_id: None,
            occurred_at: 42,
            due_at: None,
            state: OccurrenceState::Pending,
            reason: None,
            distribution_id: None,
            lease_until: None,
            updated_at: 1,
        };
        let c = OccurrenceDto::cursor(&o);
        assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
        assert_eq!(
            OccurrenceDto::read_cursor(&c).unwrap(),
            (42, o.occurrence.clone())
        );
        assert!(OccurrenceDto::read_cursor("42.zz").is_err());
        assert!(OccurrenceDto::read_cursor("x.00").is_err());
    }
}
