//! Triggers: invitations that follow a customer's behaviour ("two days after `Order
//! Delivered`, unless the order was returned"), from the tracking API's events or from API
//! calls.
//!
//! Each arriving event is matched against the workspace's active triggers (read through a
//! per-node cache that a change on this node refreshes at once and other nodes within
//! [`CACHE_TTL`]); the occurrences it begins or cancels are written in the event's own
//! transaction, only when the event is new, so an event answered 2xx never loses its
//! occurrence and a client's retry never doubles it. An occurrence is keyed by the person
//! and its `occurrence` value: one per order, whatever repeats.
//!
//! [`App::run_triggers`] (the outbox worker, every few seconds) takes the due ones, each
//! by one node (a lease; a node that stops mid-way leaves it to another after
//! [`LEASE_MS`]), and fires each as a one-contact distribution of the trigger's message
//! with an id made from the occurrence, so firing twice makes one distribution. From there
//! the message is a distribution's like any other: consent, the suppression list and the
//! contact-frequency policy are checked when it is sent; reminders follow. What did not
//! fire says why: `cancelled`, `expired`, `unknown_contact`, `trigger_paused`,
//! `survey_closed`, `survey_not_published`, `email_not_configured`, `sms_not_configured`,
//! `chat_not_configured`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use puls_core::trigger::{EventFacts, TriggerChannel, TriggerDef, TriggerOp};
use puls_core::{ContactId, SurveyId, Value, WorkspaceId};
use puls_store::{
    ContactLookup, ContactRecord, DeliveryCounts, OccurrenceCounts, OccurrenceRecord,
    OccurrenceState, TriggerRecord, TriggerWrite,
};

use crate::distributions::rate_of;
use crate::{App, AppError, Rejection};

/// How long a node trusts its copy of a workspace's triggers.
pub const CACHE_TTL: Duration = Duration::from_secs(5);
/// How long a node has to fire an occurrence it took before another may take it.
pub const LEASE_MS: i64 = 5 * 60_000;
/// Occurrences taken per round.
const ROUND: i64 = 100;

/// A workspace's active triggers: id and definition.
pub type ActiveTriggers = Arc<Vec<(String, TriggerDef)>>;

/// Each workspace's active triggers as this node last read them.
#[derive(Default)]
pub(crate) struct TriggerCache(Mutex<HashMap<WorkspaceId, (Instant, ActiveTriggers)>>);

/// A trigger with its definition and what became of its occurrences and messages.
#[derive(Debug, Clone)]
pub struct TriggerReport {
    pub record: TriggerRecord,
    pub def: TriggerDef,
    /// Occurrences by state and reason.
    pub occurrences: OccurrenceCounts,
    /// The messages of the distributions it made.
    pub deliveries: DeliveryCounts,
}

impl TriggerReport {
    /// Occurrences in `state`.
    pub fn count(&self, state: OccurrenceState) -> i64 {
        self.occurrences
            .iter()
            .filter(|(s, _, _)| *s == state)
            .map(|(_, _, n)| n)
            .sum()
    }

    /// Completed responses per message sent, with its Wilson interval.
    pub fn response_rate(&self) -> puls_core::stats::Proportion {
        rate_of(&self.deliveries)
    }
}

/// What one event means to the workspace's triggers, as writes for its transaction.
pub fn trigger_writes(triggers: &ActiveTriggers, e: &EventFacts<'_>) -> Vec<TriggerWrite> {
    let mut out = Vec::new();
    for (id, def) in triggers.iter() {
        if !def.may_match(e.kind, e.name) {
            continue;
        }
        for op in def.on_event(e) {
            out.push(TriggerWrite {
                trigger_id: id.clone(),
                message_id: Some(e.message_id.to_string()),
                user_id: e.user_id.map(str::to_string),
                anonymous_id: e.anonymous_id.map(str::to_string),
                contact_id: None,
                op,
            });
        }
    }
    out
}

/// The id of the distribution an occurrence fires as: the same for the same occurrence.
fn distribution_id(trigger_id: &str, occurrence: &str) -> String {
    crate::distributions::derived_id('t', &[trigger_id.as_bytes(), occurrence.as_bytes()])
}

pub(crate) fn stored_def(record: &TriggerRecord) -> Result<TriggerDef, AppError> {
    let value = puls_store::json::from_text(&record.definition).map_err(anyhow::Error::new)?;
    TriggerDef::parse(&value)
        .map_err(|e| anyhow::anyhow!("stored trigger {} is invalid: {e}", record.id).into())
}

impl App {
    /// The workspace's active triggers (this node's copy, at most [`CACHE_TTL`] old).
    pub(crate) async fn active_triggers(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<ActiveTriggers, AppError> {
        if let Some((at, t)) = self
            .0
            .triggers
            .0
            .lock()
            .expect("triggers")
            .get(&workspace_id)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(t.clone());
        }
        let mut active = Vec::new();
        for r in self.store().triggers(workspace_id).await? {
            if r.status == "active" {
                active.push((r.id.clone(), stored_def(&r)?));
            }
        }
        let active: ActiveTriggers = Arc::new(active);
        self.0
            .triggers
            .0
            .lock()
            .expect("triggers")
            .insert(workspace_id, (Instant::now(), active.clone()));
        Ok(active)
    }

    /// Forgets this node's copy of the workspace's triggers (after a change here).
    fn triggers_changed(&self, workspace_id: WorkspaceId) {
        self.0
            .triggers
            .0
            .lock()
            .expect("triggers")
            .remove(&workspace_id);
    }

    /// Creates an active trigger of a published survey; 422 with every problem of the
    /// definition at its path; 409 as for a distribution (`survey_not_published`,
    /// `survey_closed`, `email_not_configured`, `sms_not_configured`, `chat_not_configured`).
    pub async fn create_trigger(
        &self,
        workspace_id: WorkspaceId,
        survey_id: &SurveyId,
        definition: &Value,
        created_by: Option<String>,
    ) -> Result<TriggerReport, AppError> {
        let def = TriggerDef::parse(definition).map_err(AppError::Validation)?;
        self.check_trigger_survey(workspace_id, survey_id, &def)
            .await?;
        let now = crate::now_ms();
        let record = TriggerRecord {
            id: format!("trg_{}", ulid::Ulid::new().to_string().to_lowercase()),
            workspace_id,
            survey_id: survey_id.clone(),
            name: def.name.clone(),
            definition: encode(&def),
            status: "active".into(),
            created_by,
            created_at: now,
            updated_at: now,
        };
        self.store().create_trigger(&record).await?;
        self.triggers_changed(workspace_id);
        self.report_of_trigger(record).await
    }

    async fn check_trigger_survey(
        &self,
        workspace_id: WorkspaceId,
        survey_id: &SurveyId,
        def: &TriggerDef,
    ) -> Result<(), AppError> {
        let record = self
            .survey_record(survey_id)
            .await?
            .filter(|r| r.workspace_id == workspace_id)
            .ok_or(AppError::NotFound("survey"))?;
        match def.channel.send_channel() {
            Some(_) => {
                self.sendable_survey(&record, &def.message).await?;
            }
            None => published(&record)?,
        }
        Ok(())
    }

    async fn trigger_record(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<TriggerRecord, AppError> {
        self.store()
            .trigger(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("trigger"))
    }

    async fn report_of_trigger(&self, record: TriggerRecord) -> Result<TriggerReport, AppError> {
        let def = stored_def(&record)?;
        let occurrences = self.store().occurrence_counts(&record.id).await?;
        let deliveries = self.store().trigger_delivery_counts(&record.id).await?;
        Ok(TriggerReport {
            record,
            def,
            occurrences,
            deliveries,
        })
    }

    /// A trigger with its counts; 404 when the workspace has none with this id.
    pub async fn trigger_report(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<TriggerReport, AppError> {
        let record = self.trigger_record(workspace_id, id).await?;
        self.report_of_trigger(record).await
    }

    /// The workspace's triggers, newest first, with their counts.
    pub async fn triggers(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<TriggerReport>, AppError> {
        let mut out = Vec::new();
        for record in self.store().triggers(workspace_id).await? {
            out.push(self.report_of_trigger(record).await?);
        }
        Ok(out)
    }

    /// Replaces a trigger's definition (occurrences already begun keep their time; what
    /// they send follows the new definition).
    pub async fn update_trigger(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        definition: &Value,
    ) -> Result<TriggerReport, AppError> {
        let mut record = self.trigger_record(workspace_id, id).await?;
        let def = TriggerDef::parse(definition).map_err(AppError::Validation)?;
        self.check_trigger_survey(workspace_id, &record.survey_id, &def)
            .await?;
        record.name = def.name.clone();
        record.definition = encode(&def);
        record.updated_at = crate::now_ms();
        self.store().update_trigger(&record).await?;
        self.triggers_changed(workspace_id);
        self.report_of_trigger(record).await
    }

    /// Pauses (no new occurrences; those due meanwhile are skipped as `trigger_paused`) or
    /// resumes a trigger.
    pub async fn set_trigger_active(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        active: bool,
    ) -> Result<TriggerReport, AppError> {
        let mut record = self.trigger_record(workspace_id, id).await?;
        record.status = if active { "active" } else { "paused" }.into();
        record.updated_at = crate::now_ms();
        self.store().update_trigger(&record).await?;
        self.triggers_changed(workspace_id);
        self.report_of_trigger(record).await
    }

    /// Deletes a trigger and its waiting occurrences (the distributions it made stay).
    pub async fn delete_trigger(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<(), AppError> {
        if !self.store().delete_trigger(workspace_id, id).await? {
            return Err(AppError::NotFound("trigger"));
        }
        self.triggers_changed(workspace_id);
        Ok(())
    }

    /// A trigger's occurrences, most recent first, before `(occurred_at, occurrence)`.
    pub async fn trigger_occurrences(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, AppError> {
        self.trigger_record(workspace_id, id).await?;
        Ok(self.store().occurrences(id, before, limit).await?)
    }

    /// Begins an occurrence for a contact through the API (the trigger's event conditions
    /// are the caller's to judge): `key` tells occurrences apart (the same key again is
    /// the same occurrence); it happened at `at` (not later than now). Cancels instead
    /// when `cancel` is set: the contact's occurrence `key`, or all of theirs that
    /// happened before `at`.
    pub async fn trigger_occurrence(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        contact_id: &ContactId,
        key: Option<&str>,
        at: Option<i64>,
        cancel: bool,
    ) -> Result<(), AppError> {
        let record = self.trigger_record(workspace_id, id).await?;
        let def = stored_def(&record)?;
        let contact = self.contact(workspace_id, contact_id).await?;
        let now = crate::now_ms();
        let at = at.unwrap_or(now).min(now);
        let occurrence = key.map(|k| TriggerDef::api_occurrence(&contact.id, k));
        let op = if cancel {
            TriggerOp::Cancel { occurrence, at }
        } else {
            let occurrence = occurrence.unwrap_or_else(|| {
                TriggerDef::api_occurrence(&contact.id, &ulid::Ulid::new().to_string())
            });
            def.start(occurrence, at, now)
        };
        let write = TriggerWrite {
            trigger_id: record.id.clone(),
            message_id: None,
            user_id: None,
            anonymous_id: None,
            contact_id: Some(contact.id.to_string()),
            op,
        };
        self.store()
            .write_occurrences(workspace_id, &[write], now)
            .await?;
        Ok(())
    }

    /// Fires the occurrences due at `now` (and those a stopped node left), each taken by
    /// one node; returns how many this node settled.
    pub async fn run_triggers(&self, now: i64) -> Result<u64, AppError> {
        let mut settled = 0;
        // A bounded number of rounds per call: the worker calls again soon.
        for _ in 0..10 {
            let due = self.store().due_occurrences(now, ROUND).await?;
            let n = due.len();
            for o in due {
                if !self
                    .store()
                    .take_occurrence(&o, now + LEASE_MS, now)
                    .await?
                {
                    continue;
                }
                if o.state == OccurrenceState::Ready {
                    // An in-app occurrence the widget did not show in time.
                    let mut o = o;
                    o.state = OccurrenceState::Skipped;
                    o.reason = Some("expired".into());
                    o.lease_until = None;
                    self.store().settle_occurrence(&o, crate::now_ms()).await?;
                    settled += 1;
                    continue;
                }
                match self.fire(o.clone(), now).await {
                    Ok(done) => {
                        self.store()
                            .settle_occurrence(&done, crate::now_ms())
                            .await?;
                        settled += 1;
                    }
                    // Left taken: tried again when the lease ends.
                    Err(e) => tracing::warn!(
                        trigger = %o.trigger_id, error = %e,
                        "firing a trigger's occurrence failed; it is tried again later"
                    ),
                }
            }
            if (n as i64) < ROUND {
                break;
            }
        }
        Ok(settled)
    }

    /// Fires one occurrence (or finds why not); returns it as it should be recorded.
    async fn fire(&self, mut o: OccurrenceRecord, now: i64) -> Result<OccurrenceRecord, AppError> {
        let skip = |mut o: OccurrenceRecord, reason: &str| {
            o.state = OccurrenceState::Skipped;
            o.reason = Some(reason.to_string());
            Ok(o)
        };
        let ws = o.workspace_id;
        o.lease_until = None;
        let Some(record) = self.store().trigger(ws, &o.trigger_id).await? else {
            return skip(o, "trigger_deleted");
        };
        if record.status != "active" {
            return skip(o, "trigger_paused");
        }
        let def = stored_def(&record)?;
        if now > def.expires_at(o.due_at.unwrap_or(now)) {
            return skip(o, "expired");
        }
        let contact = self.occurrence_contact(&o).await?;
        if def.channel == TriggerChannel::InApp {
            // Waits for the widget: the person need not be a contact (a browser will do).
            let Some(survey_record) = self.survey_record(&record.survey_id).await? else {
                return skip(o, "survey_deleted");
            };
            if let Err(AppError::Rejected(r, _)) = published(&survey_record) {
                return skip(
                    o,
                    if r == Rejection::SurveyClosed {
                        "survey_closed"
                    } else {
                        "survey_not_published"
                    },
                );
            }
            o.contact_id = contact.map(|c| c.id.to_string()).or(o.contact_id);
            o.state = OccurrenceState::Ready;
            o.reason = None;
            o.lease_until = Some(def.expires_at(o.due_at.unwrap_or(now)));
            return Ok(o);
        }
        let Some(contact) = contact else {
            return skip(o, "unknown_contact");
        };
        o.contact_id = Some(contact.id.to_string());
        let Some(survey_record) = self.survey_record(&record.survey_id).await? else {
            return skip(o, "survey_deleted");
        };
        let survey = match self.sendable_survey(&survey_record, &def.message).await {
            Ok(s) => s,
            Err(AppError::Rejected(r, _)) => {
                let reason = match r {
                    Rejection::SurveyClosed => "survey_closed",
                    Rejection::SurveyNotPublished => "survey_not_published",
                    Rejection::EmailNotConfigured => "email_not_configured",
                    Rejection::SmsNotConfigured => "sms_not_configured",
                    Rejection::ChatNotConfigured => "chat_not_configured",
                    _ => "not_sendable",
                };
                return skip(o, reason);
            }
            Err(AppError::Validation(_)) => return skip(o, "not_sendable"),
            Err(e) => return Err(e),
        };
        let id = distribution_id(&o.trigger_id, &o.occurrence);
        self.start_distribution(
            &survey_record,
            &survey,
            &def.distribution_for(contact.id.clone()),
            &id,
            None,
            Some(record.id.clone()),
        )
        .await?;
        o.state = OccurrenceState::Fired;
        o.reason = None;
        o.distribution_id = Some(id);
        Ok(o)
    }

    /// The contact an occurrence is about: the one it names, else the one with its user
    /// id (or, for an anonymous visitor, the user id their browser was tied to).
    async fn occurrence_contact(
        &self,
        o: &OccurrenceRecord,
    ) -> Result<Option<ContactRecord>, AppError> {
        let ws = o.workspace_id;
        if let Some(id) = o
            .contact_id
            .as_deref()
            .and_then(|c| ContactId::parse(c).ok())
        {
            return match self.contact(ws, &id).await {
                Ok(c) => Ok(Some(c)),
                Err(AppError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            };
        }
        let user = match (&o.user_id, &o.anonymous_id) {
            (Some(u), _) => Some(u.clone()),
            (None, Some(a)) => self.store().linked_user(ws, a).await?,
            _ => None,
        };
        let Some(user) = user else { return Ok(None) };
        Ok(self
            .store()
            .find_contact(
                ws,
                &ContactLookup {
                    id: None,
                    external_id: Some(user),
                    email: None,
                },
            )
            .await?)
    }
}

/// Refuses a survey that is not published (409 `survey_not_published`, `survey_closed`).
fn published(record: &puls_store::SurveyRecord) -> Result<(), AppError> {
    crate::surveys::require_published(record, "showing it")
}

fn encode(def: &TriggerDef) -> String {
    puls_store::json::JsonText::encode(&def.to_value())
        .as_str()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_occurrence_fires_as_one_distribution_id() {
        let a = distribution_id("trg_1", "u:ala|A-1");
        assert_eq!(a, distribution_id("trg_1", "u:ala|A-1"));
        assert_ne!(a, distribution_id("trg_1", "u:ala|A-2"));
        assert_ne!(a, distribution_id("trg_2", "u:ala|A-1"));
        assert_eq!(a.len(), "dst_".len() + 26);
    }
}
