//! Did closing the loop work? For the cases opened in a period: how many met their SLA
//! targets (with Wilson intervals), how long first responses and resolutions took in
//! business hours (median and 90th percentile, overall, per team and per touchpoint), the
//! root causes named, and **recovery**: of the detractors' cases whose customer answered
//! the re-survey, the share who now answered as passive or promoter (NPS 7 or more), with
//! its Wilson interval.

use std::collections::BTreeMap;

use puls_core::WorkspaceId;
use puls_core::stats::{Options, Proportion, proportion};
use puls_store::{CaseRecord, ResponseRecord};

use crate::cases::{CaseSla, TimerState, case_sla};
use crate::{App, AppError};

/// The most cases a report reads.
pub const MAX_CASES: i64 = 100_000;

/// Business durations of one timer over a set of cases (those done).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Durations {
    pub n: u64,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

/// One group's (a team's, a touchpoint's) cases.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTimes {
    /// The team or touchpoint; empty for none.
    pub group: String,
    pub cases: u64,
    pub first_response: Durations,
    pub resolution: Durations,
    pub first_response_met: Proportion,
    pub resolution_met: Proportion,
}

/// The re-surveyed detractors.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// Cases about a response with NPS 0–6.
    pub detractor_cases: u64,
    /// Of those, re-surveys sent for.
    pub asked: u64,
    /// Of those, answered with an NPS.
    pub answered: u64,
    /// Answered 7 or more (passive or promoter): `rate` is `recovered / answered`.
    pub recovered: u64,
    /// Answered 9 or 10.
    pub promoters: u64,
    pub rate: Proportion,
}

/// The report of the cases opened in `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseReport {
    pub from_ms: i64,
    pub to_ms: i64,
    pub cases: u64,
    pub resolved: u64,
    pub all: GroupTimes,
    pub by_team: Vec<GroupTimes>,
    pub by_touchpoint: Vec<GroupTimes>,
    /// Root causes by count, most first (cases without one are not counted).
    pub root_causes: Vec<(String, u64)>,
    pub recovery: Recovery,
}

/// The nearest-rank percentile `q` (0–1) of sorted values.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn durations(mut hours: Vec<f64>) -> Durations {
    hours.sort_by(f64::total_cmp);
    let round = |x: Option<f64>| x.map(|v| (v * 100.0).round() / 100.0);
    Durations {
        n: hours.len() as u64,
        median_hours: round(percentile(&hours, 0.5)),
        p90_hours: round(percentile(&hours, 0.9)),
    }
}

/// Timers of one group of cases, summed up.
fn group(name: String, cases: &[(&CaseRecord, CaseSla)], o: &Options) -> GroupTimes {
    let done = |pick: fn(&CaseSla) -> &crate::cases::Timer| -> Vec<f64> {
        cases
            .iter()
            .filter_map(|(_, s)| {
                let t = pick(s);
                t.done_at.map(|_| t.elapsed_ms as f64 / 3_600_000.0)
            })
            .collect()
    };
    // Met among the decided: done in time, or breached (done late or overdue).
    let met = |pick: fn(&CaseSla) -> &crate::cases::Timer| {
        let decided = cases
            .iter()
            .filter(|(_, s)| matches!(pick(s).state, TimerState::Met | TimerState::Breached))
            .count() as u64;
        let met = cases
            .iter()
            .filter(|(_, s)| pick(s).state == TimerState::Met)
            .count() as u64;
        proportion(met, decided, o).expect("met is part of decided")
    };
    GroupTimes {
        group: name,
        cases: cases.len() as u64,
        first_response: durations(done(|s| &s.first_response)),
        resolution: durations(done(|s| &s.resolution)),
        first_response_met: met(|s| &s.first_response),
        resolution_met: met(|s| &s.resolution),
    }
}

impl App {
    /// The report of the workspace's cases opened in `[from_ms, to_ms)`.
    pub async fn case_report(
        &self,
        workspace_id: WorkspaceId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<CaseReport, AppError> {
        let o = Options::default();
        let now = crate::now_ms();
        let policy = self.sla_policy(workspace_id).await?;
        let cases = self
            .store()
            .cases_created(workspace_id, from_ms, to_ms, MAX_CASES)
            .await?;
        let timed: Vec<(&CaseRecord, CaseSla)> = cases
            .iter()
            .map(|c| (c, case_sla(&policy, c, now)))
            .collect();
        let by = |key: fn(&CaseRecord) -> Option<&String>| -> Vec<GroupTimes> {
            let mut groups: BTreeMap<String, Vec<(&CaseRecord, CaseSla)>> = BTreeMap::new();
            for (c, s) in &timed {
                groups
                    .entry(key(c).cloned().unwrap_or_default())
                    .or_default()
                    .push((c, *s));
            }
            groups
                .into_iter()
                .map(|(name, list)| group(name, &list, &o))
                .collect()
        };
        let mut causes: BTreeMap<String, u64> = BTreeMap::new();
        for c in &cases {
            if let Some(r) = &c.root_cause {
                *causes.entry(r.clone()).or_default() += 1;
            }
        }
        let mut root_causes: Vec<(String, u64)> = causes.into_iter().collect();
        root_causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(CaseReport {
            from_ms,
            to_ms,
            cases: cases.len() as u64,
            resolved: cases.iter().filter(|c| c.resolved_at.is_some()).count() as u64,
            all: group(String::new(), &timed, &o),
            by_team: by(|c| c.team.as_ref()),
            by_touchpoint: by(|c| c.touchpoint.as_ref()),
            root_causes,
            recovery: self.recovery(workspace_id, &cases, &o).await?,
        })
    }

    /// The NPS answers of the cases' responses and of their re-surveys.
    async fn recovery(
        &self,
        workspace_id: WorkspaceId,
        cases: &[CaseRecord],
        o: &Options,
    ) -> Result<Recovery, AppError> {
        let mut ids: Vec<puls_core::ResponseId> = cases
            .iter()
            .flat_map(|c| [&c.response_id, &c.recovery_response_id])
            .filter_map(|id| id.as_deref())
            .filter_map(|id| puls_core::ResponseId::parse(id).ok())
            .collect();
        ids.sort();
        ids.dedup();
        let mut responses: BTreeMap<String, ResponseRecord> = BTreeMap::new();
        for chunk in ids.chunks(500) {
            for r in self.store().responses_by_ids(workspace_id, chunk).await? {
                responses.insert(r.id.as_str().to_string(), r);
            }
        }
        let mut surveys = crate::search::Surveys::default();
        let mut nps_of = async |id: &Option<String>| -> Result<Option<i64>, AppError> {
            let Some(r) = id.as_ref().and_then(|id| responses.get(id)) else {
                return Ok(None);
            };
            let info = surveys
                .questions(self, &r.survey_id, r.survey_version)
                .await?;
            Ok(info
                .nps
                .as_ref()
                .and_then(|q| r.answers.get(q))
                .and_then(puls_core::Value::as_int))
        };
        let (mut detractor_cases, mut asked, mut answered, mut recovered, mut promoters) =
            (0, 0, 0, 0, 0);
        for c in cases {
            if nps_of(&c.response_id).await?.is_none_or(|s| s > 6) {
                continue;
            }
            detractor_cases += 1;
            if c.resurvey_token.is_some() {
                asked += 1;
            }
            if let Some(again) = nps_of(&c.recovery_response_id).await? {
                answered += 1;
                recovered += u64::from(again >= 7);
                promoters += u64::from(again >= 9);
            }
        }
        Ok(Recovery {
            detractor_cases,
            asked,
            answered,
            recovered,
            promoters,
            rate: proportion(recovered, answered, o).expect("recovered is part of answered"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&v, 0.5), Some(5.0));
        assert_eq!(percentile(&v, 0.9), Some(9.0));
        assert_eq!(percentile(&[3.0], 0.9), Some(3.0));
        assert_eq!(percentile(&[], 0.5), None);
        let d = durations(vec![4.0, 1.0, 2.5]);
        assert_eq!(
            (d.n, d.median_hours, d.p90_hours),
            (3, Some(2.5), Some(4.0))
        );
    }
}
