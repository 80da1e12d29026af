//! Segments over both indexes: members from the customer index, with feedback rules read
//! from the fact index, and a segment as a filter on any report (`segment=KEY`).

use std::collections::BTreeSet;
use std::sync::Arc;

use puls_core::WorkspaceId;
use puls_core::audience::{FeedbackMetric, Rule, SegmentDef};
use puls_core::{QuestionKind, Touchpoint};
use puls_index::{FactIndex, Filter, QuestionKey};
use puls_journey::{Bitset, CustomerIndex, Feedback, SegmentContext};
use puls_store::DefinitionKind;

use super::Analytics;
use super::customers::WorkspaceCustomers;
use super::params::Scope;
use crate::error::{AppError, Rejection};

impl Analytics {
    /// A saved segment's definition; 404 when there is none.
    pub async fn segment(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<SegmentDef, AppError> {
        let record = self
            .store()
            .get_definition(DefinitionKind::Segment, workspace_id, key)
            .await?
            .ok_or(AppError::NotFound("segment"))?;
        Ok(SegmentDef::parse(&record.definition)
            .map_err(|e| anyhow::anyhow!("stored segment {key} is invalid: {e}"))?)
    }

    /// The live contacts a rule picks, over indexes holding everything committed before
    /// this call; with the customer index they are codes of.
    pub async fn members(
        &self,
        workspace_id: WorkspaceId,
        rule: &Rule,
        now_ms: i64,
    ) -> Result<(Arc<WorkspaceCustomers>, Bitset), AppError> {
        let customers = self.customers.fresh(workspace_id).await?;
        let needs_feedback = rule
            .leaves()
            .iter()
            .any(|l| matches!(l, Rule::Feedback { .. }));
        // Feedback rules read each survey's first question of the metric's kind, as metrics do.
        let (facts, keys) = if needs_feedback {
            let surveys = self.current_surveys(workspace_id).await?;
            let mut keys: Vec<(FeedbackMetric, QuestionKey)> = Vec::new();
            for metric in FeedbackMetric::ALL {
                let mut seen = BTreeSet::new();
                for survey in surveys.values() {
                    if let Some(q) = survey.questions.iter().find(|q| takes(metric, &q.kind))
                        && seen.insert(q.id.clone())
                    {
                        keys.push((metric, QuestionKey::question(q.id.clone())));
                    }
                }
            }
            (Some(self.fresh(workspace_id).await?), keys)
        } else {
            (None, Vec::new())
        };
        let rule = rule.clone();
        let cust = customers.clone();
        let set = tokio::task::spawn_blocking(move || {
            let index = cust.read();
            let facts = facts.as_ref().map(|f| f.read());
            let who = facts.as_deref().map(|f| respondent_contacts(f, &index));
            let feedback = |metric: FeedbackMetric, tp: Option<&Touchpoint>| -> Vec<Feedback> {
                let (Some(facts), Some(who)) = (facts.as_deref(), who.as_ref()) else {
                    return Vec::new();
                };
                keys.iter()
                    .filter(|(m, _)| *m == metric)
                    .flat_map(|(_, key)| facts.scores_by_respondent(key, tp.map(|t| t.as_str())))
                    .filter_map(|(code, at_ms, score)| {
                        who.get(code as usize)
                            .copied()
                            .flatten()
                            .map(|contact| Feedback {
                                contact,
                                at_ms,
                                score: score as f64,
                            })
                    })
                    .collect()
            };
            index.segment_members(
                &rule,
                &SegmentContext {
                    now_ms,
                    feedback: &feedback,
                },
            )
        })
        .await
        .map_err(|e| anyhow::anyhow!("segment thread: {e}"))?
        .map_err(journey_error)?;
        Ok((customers, set))
    }

    /// The contacts of every segment named in `keys` (all must hold), or `None` for none.
    pub async fn segments_members(
        &self,
        workspace_id: WorkspaceId,
        keys: &[String],
        now_ms: i64,
    ) -> Result<Option<(Arc<WorkspaceCustomers>, Bitset)>, AppError> {
        let mut out: Option<(Arc<WorkspaceCustomers>, Bitset)> = None;
        for key in keys {
            let def = self.segment(workspace_id, key).await.map_err(|e| match e {
                AppError::NotFound(_) => AppError::rejected(
                    Rejection::UnknownSegment,
                    format!(
                        "segment: there is no segment '{}'",
                        super::params::clip(key)
                    ),
                ),
                other => other,
            })?;
            let (ws, set) = self.members(workspace_id, &def.rule, now_ms).await?;
            out = Some(match out {
                None => (ws, set),
                Some((ws, mut acc)) => {
                    acc.and(&set);
                    (ws, acc)
                }
            });
        }
        Ok(out)
    }

    /// Adds the scope's segments to its filters as the respondents who are their members,
    /// against this node's fact index (whose respondent codes the filter uses); and fills
    /// a `root_cause` filter with its labels (every scoped report comes through here).
    pub(crate) async fn bind_segments(
        &self,
        workspace_id: WorkspaceId,
        scope: &mut Scope,
        facts: &Arc<super::WorkspaceIndex>,
    ) -> Result<(), AppError> {
        self.bind_filter_labels(workspace_id, &mut scope.filters)
            .await?;
        if scope.segments.is_empty() {
            return Ok(());
        }
        let Some((customers, members)) = self
            .segments_members(workspace_id, &scope.segments, scope.to_ms)
            .await?
        else {
            return Ok(());
        };
        let facts = facts.clone();
        let allowed = tokio::task::spawn_blocking(move || {
            let facts = facts.read();
            let index = customers.read();
            respondent_contacts(&facts, &index)
                .into_iter()
                .map(|c| c.is_some_and(|c| members.contains(c as usize)))
                .collect::<Vec<bool>>()
        })
        .await
        .map_err(|e| anyhow::anyhow!("segment thread: {e}"))?;
        scope.filters.push(Filter::Respondents(Arc::new(allowed)));
        Ok(())
    }
}

/// The contact of each respondent code of the fact index (index 0: anonymous).
fn respondent_contacts(facts: &FactIndex, index: &CustomerIndex) -> Vec<Option<u32>> {
    let mut out = vec![None; facts.respondent_codes()];
    for (code, key) in facts.respondents() {
        let contact = match key.split_at_checked(2) {
            Some(("i:", t)) => index.contact_for_response(Some(t), None, None),
            Some(("u:", e)) => index.contact_for_response(None, Some(e), None),
            Some(("e:", m)) => index.contact_for_response(None, None, Some(m)),
            _ => None,
        };
        out[code as usize] = contact;
    }
    out
}

fn takes(metric: FeedbackMetric, kind: &QuestionKind) -> bool {
    matches!(
        (metric, kind),
        (FeedbackMetric::Nps, QuestionKind::Nps)
            | (FeedbackMetric::Csat, QuestionKind::Csat)
            | (FeedbackMetric::Ces, QuestionKind::Ces)
    )
}

/// A customer-index error caused by the request (422) or by the server (500).
pub(crate) fn journey_error(e: puls_journey::JourneyError) -> AppError {
    use puls_journey::JourneyError as E;
    match e {
        E::PropertyNotIndexed(_) => {
            AppError::rejected(Rejection::PropertyNotIndexed, e.to_string())
        }
        E::NoStages | E::TooManyStages(_) => {
            AppError::rejected(Rejection::InvalidJourney, e.to_string())
        }
    }
}
