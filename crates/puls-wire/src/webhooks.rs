//! Webhooks and the outbox on the wire: endpoints (the secret only in the answers that make
//! one), jobs with their attempts, and the queries that list them.

use puls_store::{AttemptRecord, JobRecord, WebhookRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::format_ms;

/// A webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: String,
    pub url: String,
    /// Which events it receives: `response.completed`, `case.created`, `case.updated`,
    /// `case.resolved`, `alert.fired`.
    pub event_types: Vec<String>,
    pub description: String,
    /// `standard` (Standard Webhooks, signed) or `slack` (Slack-compatible, unsigned).
    pub format: String,
    /// The language of a Slack-compatible channel's messages (`pl`, `cs`, `en`).
    pub locale: String,
    pub enabled: bool,
    /// Why it was disabled (410 Gone, a run of failures, a user).
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<String>,
    /// Failed attempts in a row.
    pub failures: i64,
    /// The signing secret (`whsec_...`): only in the answers of creating the webhook and
    /// rotating its secret. Keep it; it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// After a rotation, until when the previous secret still signs beside the new one.
    pub previous_secret_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookDto {
    /// The webhook as listed: without its secret.
    pub fn of(h: &WebhookRecord) -> Self {
        WebhookDto {
            id: h.id.clone(),
            url: h.url.clone(),
            event_types: h.event_types.clone(),
            description: h.description.clone(),
            format: h.format.clone(),
            locale: h.locale.clone(),
            enabled: h.enabled(),
            disabled_reason: h.disabled_reason.clone(),
            disabled_at: h.disabled_at.map(format_ms),
            failures: h.failures,
            secret: None,
            previous_secret_until: h.previous_until.map(format_ms),
            created_at: format_ms(h.created_at),
            updated_at: format_ms(h.updated_at),
        }
    }

    /// The webhook with its secret, once.
    pub fn with_secret(h: &WebhookRecord) -> Self {
        WebhookDto {
            secret: Some(h.secret.clone()),
            ..WebhookDto::of(h)
        }
    }
}

/// A new webhook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An absolute http or https URL; private, loopback and link-local addresses are
    /// refused unless the server allows them.
    pub url: String,
    /// At least one of: `response.completed`, `case.created`, `case.updated`,
    /// `case.resolved`, `alert.fired`.
    pub event_types: Vec<String>,
    pub description: Option<String>,
    /// `standard` (default: Standard Webhooks, signed) or `slack` (a Slack-compatible
    /// incoming webhook: text and blocks, unsigned).
    pub format: Option<String>,
    /// The language of a Slack-compatible channel's messages: `pl`, `cs` or `en`
    /// (default).
    pub locale: Option<String>,
}

/// Changes to a webhook; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// `true` enables a disabled webhook (its failures forgotten), `false` disables it.
    pub enabled: Option<bool>,
    /// The language of a Slack-compatible channel's messages: `pl`, `cs` or `en`.
    pub locale: Option<String>,
}

/// One try at delivering a job.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDto {
    pub n: i64,
    pub at: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub node: String,
}

/// A message in the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    /// The message's stable id (`webhook-id`): a receiver deduplicates on it.
    pub id: String,
    /// `webhook`.
    pub channel: String,
    /// The webhook's id.
    pub target: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    /// When it is tried next (pending jobs).
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub done_at: Option<String>,
    /// The body sent (a job's own page only).
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
    /// Every attempt, oldest first (a job's own page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_log: Option<Vec<AttemptDto>>,
}

impl JobDto {
    pub fn of(j: &JobRecord) -> Self {
        JobDto {
            id: j.id.clone(),
            channel: j.channel.clone(),
            target: j.target_id.clone(),
            event_type: j.event_type.clone(),
            state: j.state.as_str().to_string(),
            attempts: j.attempts,
            next_attempt_at: (j.state == puls_store::JobState::Pending)
                .then(|| format_ms(j.next_at)),
            last_error: j.last_error.clone(),
            created_at: format_ms(j.created_at),
            done_at: j.done_at.map(format_ms),
            payload: None,
            attempt_log: None,
        }
    }

    /// The job with its body and attempts.
    pub fn detailed(j: &JobRecord, attempts: &[AttemptRecord]) -> Self {
        JobDto {
            payload: serde_json::from_str(&j.payload).ok(),
            attempt_log: Some(
                attempts
                    .iter()
                    .map(|a| AttemptDto {
                        n: a.n,
                        at: format_ms(a.at),
                        status: a.status,
                        error: a.error.clone(),
                        duration_ms: a.duration_ms,
                        node: a.node.clone(),
                    })
                    .collect(),
            ),
            ..JobDto::of(j)
        }
    }
}

/// A page of outbox jobs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPageDto {
    pub items: Vec<JobDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Which outbox jobs to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only this webhook's jobs.
    pub webhook: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub state: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}
