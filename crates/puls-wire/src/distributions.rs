//! Distributions on the wire: a distribution with its counts and response rate, its
//! deliveries one per contact, and the suppression list's answers.

use std::collections::BTreeMap;

use puls_app::distributions::DistributionReport;
use puls_store::{DeliveryCounts, DeliveryRecord, DeliveryStatus, SuppressionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::analytics::RateDto;
use crate::time::format_ms;

/// What happened to a distribution's messages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryCountsDto {
    /// Contacts the distribution reached, whatever happened next.
    pub recipients: i64,
    /// Waiting in the outbox for their time.
    pub queued: i64,
    /// Accepted by the receiving server.
    pub sent: i64,
    /// Refused for good, or out of attempts.
    pub failed: i64,
    /// The mailbox does not exist (the address is now suppressed).
    pub bounced: i64,
    /// On the suppression list (unsubscribed, bounced before, added by hand).
    pub suppressed: i64,
    /// Not sent, by reason: `no_address`, `consent_withdrawn`, `duplicate_address`,
    /// `not_found`, `cancelled`, `frequency_cap`, `not_sampled`, `quota_full`,
    /// `provider_failed` (failed).
    pub skipped: BTreeMap<String, i64>,
    /// Reminders sent in all.
    pub reminders: i64,
    /// Links with a response begun, and completed.
    pub started: i64,
    pub completed: i64,
    /// Messages opened (their first open), counted only while the workspace tracks opens
    /// (`PUT /api/v1/settings/email`); approximate: mail programs that load images in
    /// advance count as opens, those that block images do not.
    pub opened: i64,
}

impl DeliveryCountsDto {
    pub fn of(c: &DeliveryCounts) -> DeliveryCountsDto {
        let mut skipped = BTreeMap::new();
        for (status, reason, n) in &c.by_status {
            if *status == DeliveryStatus::Skipped {
                *skipped
                    .entry(reason.clone().unwrap_or_else(|| "other".into()))
                    .or_insert(0) += n;
            }
        }
        DeliveryCountsDto {
            recipients: c.total(),
            queued: c.count(DeliveryStatus::Queued),
            sent: c.count(DeliveryStatus::Sent),
            failed: c.count(DeliveryStatus::Failed),
            bounced: c.count(DeliveryStatus::Bounced),
            suppressed: c.count(DeliveryStatus::Suppressed),
            skipped,
            reminders: c.reminders,
            started: c.started,
            completed: c.completed,
            opened: c.opened,
        }
    }
}

/// A distribution: its definition, its state and its counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Distribution)]
pub struct DistributionDto {
    pub id: String,
    pub survey_id: String,
    pub name: String,
    pub channel: String,
    /// `preparing`, `ready` or `cancelled`.
    pub status: String,
    pub created_at: String,
    pub created_by: Option<String>,
    /// The definition as stored (canonical form).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub counts: DeliveryCountsDto,
    /// Completed responses per message sent, with its Wilson interval (95 %), in percent.
    pub response_rate: RateDto,
    /// Messages opened per message sent, with its Wilson interval (95 %), in percent; only
    /// when the workspace tracks opens or some were counted (else none).
    pub open_rate: Option<RateDto>,
    /// A margin-of-error sample's plan: responses needed, the response rate it counted
    /// on (measured, or assumed before 50 messages were sent), and each group's size and
    /// invitations.
    #[schema(value_type = Option<Object>)]
    pub sample_plan: Option<serde_json::Value>,
    /// Each quota with its completed responses now: the whole distribution's first, then
    /// each group's in the definition's order (empty without quotas).
    pub quotas: Vec<QuotaProgressDto>,
}

/// One quota's progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = QuotaProgress)]
pub struct QuotaProgressDto {
    /// The group as the definition names it (`{"segment"}`, `{"attribute", "value"}` or
    /// `{"question", "answer"}`); none for the whole distribution's quota.
    #[schema(value_type = Option<Object>)]
    pub group: Option<serde_json::Value>,
    /// Completed responses that fill it.
    pub target: i64,
    /// Completed responses of the group through the distribution's links now.
    pub completed: i64,
    /// `completed` reached `target`: what the quota holds back is skipped `quota_full`.
    pub full: bool,
}

impl QuotaProgressDto {
    pub fn of(p: &puls_core::quota::QuotaProgress) -> QuotaProgressDto {
        QuotaProgressDto {
            group: p
                .group
                .as_ref()
                .map(|g| puls_store::json::to_json(&puls_core::Value::Map(g.to_map()))),
            target: p.target,
            completed: p.completed,
            full: p.full(),
        }
    }
}

impl DistributionDto {
    pub fn of(r: &DistributionReport) -> DistributionDto {
        let counts = DeliveryCountsDto::of(&r.counts);
        DistributionDto {
            id: r.record.id.clone(),
            survey_id: r.record.survey_id.to_string(),
            name: r.record.name.clone(),
            channel: r.record.channel.clone(),
            status: r.record.status.clone(),
            created_at: format_ms(r.record.created_at),
            created_by: r.record.created_by.clone(),
            definition: puls_store::json::to_json(&r.def.to_value()),
            counts,
            response_rate: RateDto::of(&r.response_rate()),
            open_rate: r.shows_opens().then(|| RateDto::of(&r.open_rate())),
            sample_plan: r
                .record
                .sample_plan
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok()),
            quotas: r.quotas.iter().map(QuotaProgressDto::of).collect(),
        }
    }
}

/// One contact's message of a distribution.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryDto {
    pub distribution_id: String,
    pub contact_id: String,
    pub channel: String,
    /// Where it went (none after the person's erasure, or when there was none).
    pub address: Option<String>,
    pub locale: String,
    /// `queued`, `sent`, `failed`, `bounced`, `suppressed` or `skipped`.
    pub status: String,
    /// Why it was not sent (`skipped`, `suppressed`).
    pub reason: Option<String>,
    /// When it is (or was) due.
    pub due_at: Option<String>,
    pub sent_at: Option<String>,
    pub reminders_sent: i64,
    pub next_reminder_at: Option<String>,
    /// When its message was first opened (only while the workspace tracks opens).
    pub opened_at: Option<String>,
}

impl DeliveryDto {
    pub fn of(d: &DeliveryRecord) -> DeliveryDto {
        DeliveryDto {
            distribution_id: d.distribution_id.clone(),
            contact_id: d.contact_id.clone(),
            channel: d.channel.clone(),
            address: d.address.clone(),
            locale: d.locale.clone(),
            status: d.status.as_str().into(),
            reason: d.reason.clone(),
            due_at: d.due_at.map(format_ms),
            sent_at: d.sent_at.map(format_ms),
            reminders_sent: d.reminders_sent,
            next_reminder_at: d.next_reminder_at.map(format_ms),
            opened_at: d.opened_at.map(format_ms),
        }
    }
}

/// A page of deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPageDto {
    pub items: Vec<DeliveryDto>,
    /// Pass as `cursor` for the next page; none on the last.
    pub next_cursor: Option<String>,
}

/// A page of distributions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistributionPageDto {
    pub items: Vec<DistributionDto>,
    pub next_cursor: Option<String>,
}

/// Paging of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// An address on (or off) the suppression list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuppressionDto {
    pub address: String,
    pub channel: String,
    pub suppressed: bool,
    /// `unsubscribed`, `bounced`, `added`; none when not suppressed.
    pub reason: Option<String>,
}

/// An entry of the list as kept: the address's salted hash only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuppressionEntryDto {
    pub channel: String,
    /// HMAC-SHA-256 of the address under the workspace's salt (hex).
    pub hash: String,
    pub reason: String,
    pub created_at: String,
}

impl SuppressionEntryDto {
    pub fn of(s: &SuppressionRecord) -> SuppressionEntryDto {
        SuppressionEntryDto {
            channel: s.channel.clone(),
            hash: s.hash.clone(),
            reason: s.reason.clone(),
            created_at: format_ms(s.created_at),
        }
    }
}

/// A page of the suppression list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionPageDto {
    pub items: Vec<SuppressionEntryDto>,
    pub next_cursor: Option<String>,
}

/// One channel's messages of a survey (or `all` of them).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelReachDto {
    /// `email`, `sms`, or `all`.
    pub channel: String,
    pub counts: DeliveryCountsDto,
    /// Completed responses per message sent, with its Wilson interval (95 %), in percent.
    pub response_rate: RateDto,
}

/// A survey's reach: every distribution's and trigger's messages, by channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyReachDto {
    pub survey_id: String,
    /// The saved segment the counts are limited to, if any.
    pub segment: Option<String>,
    pub channels: Vec<ChannelReachDto>,
}

impl SurveyReachDto {
    pub fn of(
        survey_id: &str,
        segment: Option<&str>,
        reach: &[(String, DeliveryCounts)],
    ) -> SurveyReachDto {
        SurveyReachDto {
            survey_id: survey_id.to_string(),
            segment: segment.map(str::to_string),
            channels: reach
                .iter()
                .map(|(channel, c)| ChannelReachDto {
                    channel: channel.clone(),
                    counts: DeliveryCountsDto::of(c),
                    response_rate: RateDto::of(&puls_app::distributions::rate_of(c)),
                })
                .collect(),
        }
    }
}

/// Which contacts a survey's reach counts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReachQuery {
    /// A saved segment's key: only its members' messages.
    pub segment: Option<String>,
}
