//! Quotas of distributions at work (`puls_core::quota` defines them): counting a
//! distribution's completed responses per group, what a full quota holds back when a
//! message is about to go, the "we have enough answers" of a personal link, each quota's
//! progress for the report; and the NPS answers a survey has had, for sizing a sample
//! from its own spread.
//!
//! Counts are taken when asked, from the database: the distribution's completed
//! responses through its links (`DistributionStore::distribution_completions`), the
//! contacts they came from as they are now (merged ones followed), and a segment's
//! members now, by the same evaluation as the audience and the reach report
//! (`App::segment_contact_ids`).

use std::collections::{HashMap, HashSet};

use puls_core::distribution::DistributionDef;
use puls_core::quota::{Quota, QuotaProgress};
use puls_core::{ContactId, FieldErrorKind, FieldErrors, QuestionKind, Survey, SurveyId};
use puls_core::{WorkspaceId, stats::Distribution};
use puls_store::{ContactRecord, DeliveryRecord, DistributionRecord};

use crate::{App, AppError};

/// A distribution's quotas with their counts now.
#[derive(Debug, Clone)]
pub struct QuotaState {
    quota: Quota,
    /// Completed responses through the distribution's links.
    total: i64,
    /// Completed responses of each group quota (`quota.per[i]`).
    counts: Vec<i64>,
    /// The members of each segment a quota names, by contact id.
    members: HashMap<String, HashSet<String>>,
}

impl QuotaState {
    /// The whole distribution is full: its total, or every answer quota.
    pub fn stops_all(&self) -> bool {
        self.quota.stops_all(self.total, &self.counts)
    }

    /// Whether a contact is in a group whose quota is full (a segment's member, or with
    /// the attribute's value): their messages are held back.
    pub fn holds_back(&self, c: &ContactRecord) -> bool {
        self.quota.full_groups(&self.counts).any(|g| {
            g.takes(
                |k| self.in_segment(k, c.id.as_str()),
                Some(&c.fields.attributes),
                None,
            )
        })
    }

    /// Each quota with its count, the whole distribution's first.
    pub fn progress(&self) -> Vec<QuotaProgress> {
        self.quota.progress(self.total, &self.counts)
    }

    fn in_segment(&self, key: &str, contact: &str) -> bool {
        self.members.get(key).is_some_and(|m| m.contains(contact))
    }
}

impl App {
    /// The quotas of a distribution with their counts now (`None` without quotas).
    /// `completed` is the distribution's count of completed responses when the caller has
    /// it; group quotas count the responses themselves.
    pub(crate) async fn quota_state(
        &self,
        record: &DistributionRecord,
        def: &DistributionDef,
        completed: Option<i64>,
    ) -> Result<Option<QuotaState>, AppError> {
        let Some(quota) = &def.quota else {
            return Ok(None);
        };
        let mut state = QuotaState {
            quota: quota.clone(),
            total: 0,
            counts: vec![0; quota.per.len()],
            members: HashMap::new(),
        };
        if quota.per.is_empty() {
            state.total = match completed {
                Some(n) => n,
                None => self.store().delivery_counts(&record.id).await?.completed,
            };
            return Ok(Some(state));
        }
        let ws = record.workspace_id;
        let done = self.store().distribution_completions(&record.id).await?;
        state.total = done.len() as i64;
        for key in quota.segments() {
            let members = match self.segment_contact_ids(ws, key).await {
                Ok(ids) => ids.into_iter().map(|c| c.to_string()).collect(),
                // A segment deleted since has no members.
                Err(AppError::NotFound(_)) => HashSet::new(),
                Err(e) => return Err(e),
            };
            state.members.insert(key.to_string(), members);
        }
        let contacts = if quota.by_contact() {
            let ids: Vec<&str> = done.iter().map(|(c, _)| c.as_str()).collect();
            self.contacts_now(ws, &ids).await?
        } else {
            HashMap::new()
        };
        for (contact, answers) in &done {
            let c = contacts.get(contact.as_str());
            for (i, q) in quota.per.iter().enumerate() {
                let of_group = q.group.takes(
                    |k| c.is_some_and(|c| state.in_segment(k, c.id.as_str())),
                    c.map(|c| &c.fields.attributes),
                    Some(answers),
                );
                if of_group {
                    state.counts[i] += 1;
                }
            }
        }
        Ok(Some(state))
    }

    /// Contacts by the ids deliveries were written with, as they are now: one merged
    /// since is its primary; an erased one is left out.
    pub(crate) async fn contacts_now(
        &self,
        workspace_id: WorkspaceId,
        ids: &[&str],
    ) -> Result<HashMap<String, ContactRecord>, AppError> {
        let ids: Vec<ContactId> = ids
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .filter_map(|c| ContactId::parse(c).ok())
            .collect();
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(1_000) {
            for c in self.store().contacts_by_ids(workspace_id, chunk).await? {
                out.insert(c.id.to_string(), c);
            }
        }
        for id in &ids {
            if !out.contains_key(id.as_str()) {
                match self.contact(workspace_id, id).await {
                    Ok(c) => {
                        out.insert(id.to_string(), c);
                    }
                    Err(AppError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }

    /// Holds a definition's quotas to what they name, before anything is written: each
    /// segment saved, each answer quota's question and answer in `survey` (the version
    /// sent). 422 with the problems at `quota.per[i]…`.
    pub(crate) async fn check_quota(
        &self,
        workspace_id: WorkspaceId,
        def: &DistributionDef,
        survey: &Survey,
    ) -> Result<(), AppError> {
        let Some(quota) = &def.quota else {
            return Ok(());
        };
        let mut errs = match quota.check(survey, "quota") {
            Ok(()) => Vec::new(),
            Err(FieldErrors(list)) => list,
        };
        for (i, q) in quota.per.iter().enumerate() {
            let puls_core::quota::QuotaGroup::Segment(key) = &q.group else {
                continue;
            };
            match self.analytics().segment(workspace_id, key).await {
                Ok(_) => {}
                Err(AppError::NotFound(_)) => errs.push(puls_core::FieldError {
                    path: format!("quota.per[{i}].segment"),
                    kind: FieldErrorKind::BadCondition {
                        reason: format!(
                            "there is no segment '{}'",
                            crate::analytics::params::clip(key)
                        ),
                    },
                }),
                Err(e) => return Err(e),
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            errs.sort_by(|a, b| a.path.cmp(&b.path));
            Err(AppError::Validation(FieldErrors(errs)))
        }
    }

    /// Whether a personal link of `survey_id` is closed because its distribution has
    /// enough answers (its total quota, or every answer quota, is full) and nothing was
    /// answered through it yet. An unknown token is not closed (the page says what it is).
    pub async fn link_closed(&self, survey_id: &SurveyId, token: &str) -> Result<bool, AppError> {
        let Some(d) = self.store().delivery_by_token(token).await? else {
            return Ok(false);
        };
        if self
            .store()
            .response_by_token(survey_id, token)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        self.distribution_full(&d, survey_id).await
    }

    /// Whether the distribution of a delivery to `survey_id` is full.
    pub(crate) async fn distribution_full(
        &self,
        d: &DeliveryRecord,
        survey_id: &SurveyId,
    ) -> Result<bool, AppError> {
        let Some(record) = self
            .store()
            .distribution(d.workspace_id, &d.distribution_id)
            .await?
            .filter(|r| &r.survey_id == survey_id)
        else {
            return Ok(false);
        };
        let def = crate::distributions::stored_def(&record)?;
        Ok(self
            .quota_state(&record, &def, None)
            .await?
            .is_some_and(|s| s.stops_all()))
    }

    /// The completed answers to a survey's first NPS question (every channel, all time),
    /// counted by score; `None` when it asks none.
    pub(crate) async fn nps_answers(
        &self,
        workspace_id: WorkspaceId,
        survey_id: &SurveyId,
        survey: &Survey,
    ) -> Result<Option<Distribution>, AppError> {
        let Some(q) = survey
            .questions
            .iter()
            .find(|q| matches!(q.kind, QuestionKind::Nps))
        else {
            return Ok(None);
        };
        let ws = self.analytics().fresh(workspace_id).await?;
        let query = puls_index::Query {
            question: puls_index::QuestionKey::question(q.id.clone()),
            filters: vec![
                puls_index::Filter::Surveys(vec![survey_id.to_string()]),
                puls_index::Filter::CompletedOnly,
            ],
            group_by: Vec::new(),
        };
        let groups = tokio::task::spawn_blocking(move || ws.read().query(&query))
            .await
            .map_err(|e| anyhow::anyhow!("NPS answers thread: {e}"))?
            .map_err(crate::analytics::params::index_error)?;
        let mut out = Distribution::nps();
        for (_, d) in groups {
            out.merge(&d)
                .map_err(|e| anyhow::anyhow!("NPS answers: {e}"))?;
        }
        Ok(Some(out))
    }
}
