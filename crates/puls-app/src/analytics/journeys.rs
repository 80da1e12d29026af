//! Journey analytics: the funnel over a journey's stages (conversion with intervals, times
//! to convert, breakdowns, the previous period with a test, paths before drop-offs) and the
//! journey map (per touchpoint: volume, passage and drop-off, NPS/CSAT/CES from the surveys
//! asked there, detractor share, health).

use std::collections::{BTreeMap, HashMap};

use puls_core::WorkspaceId;
use puls_core::journey::Journey;
use puls_core::stats::{self, Distribution, Options};
use puls_index::{Filter, GroupBy};
use puls_journey::{Breakdown, FunnelQuery, FunnelReport};
use puls_store::DefinitionKind;

use super::Analytics;
use super::metrics::{Metric, MetricChange, MetricValue, MetricsRequest};
use super::params::{DAY_MS, Period, Scope, clip};
use super::segments::journey_error;
use crate::error::AppError;

/// Most drop-off paths listed per stage.
pub const MAX_PATHS: usize = 50;

/// How to split a funnel, as asked.
#[derive(Debug, Clone, PartialEq)]
pub enum FunnelBy {
    Channel,
    EntryTouchpoint,
    FirstTouchpoint,
    Segment(String),
}

impl FunnelBy {
    /// The `by` word of this breakdown.
    pub fn name(&self) -> String {
        match self {
            FunnelBy::Channel => "channel".into(),
            FunnelBy::EntryTouchpoint => "entry_touchpoint".into(),
            FunnelBy::FirstTouchpoint => "first_touchpoint".into(),
            FunnelBy::Segment(k) => format!("segment:{k}"),
        }
    }
}

/// A parsed funnel request.
#[derive(Debug, Clone)]
pub struct FunnelRequest {
    pub period: Period,
    /// Days; `None`: the journey's own window.
    pub window_days: Option<i64>,
    /// Stage keys to use, in journey order; empty: every stage.
    pub stages: Vec<String>,
    pub by: Option<FunnelBy>,
    pub segments: Vec<String>,
    pub compare: bool,
    pub paths: usize,
    pub options: Options,
    /// The language of stage names (`en` when the journey lacks it).
    pub lang: String,
}

/// Counts of one stage of one group, in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct StageCounts {
    /// Subjects that reached the stage before (for the first stage: the entries).
    pub entered: u64,
    /// Subjects that reached this stage within the window.
    pub converted: u64,
    /// `converted / entered` in percent, with its Wilson interval.
    pub conversion_rate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// One stage of the funnel for everyone or for one group (see the API's `FunnelRow`).
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelRow {
    pub stage: String,
    pub name: String,
    /// The breakdown's value (`None` for the whole funnel).
    pub group: Option<String>,
    pub counts: StageCounts,
    /// Of `counts.converted`, the identified contacts ("people"); the rest are anonymous
    /// visitors.
    pub people: u64,
    /// Subjects lost between the stage before and this one.
    pub drop_off: u64,
    /// `converted / entries` of the funnel, in percent, with its Wilson interval.
    pub overall_rate: Option<f64>,
    pub overall_ci_low: Option<f64>,
    pub overall_ci_high: Option<f64>,
    /// Time from entry to this stage: nearest-rank median and 90th percentile, seconds.
    pub median_time_to_convert_seconds: Option<f64>,
    pub p90_time_to_convert_seconds: Option<f64>,
    /// `entered` is below `min_n`.
    pub small_sample: bool,
    /// The same stage over the period of equal length before.
    pub previous: Option<StageCounts>,
    /// The change of `conversion_rate` (percentage points) with a two-proportion test.
    pub change: Option<MetricChange>,
}

/// One drop-off path.
#[derive(Debug, Clone, PartialEq)]
pub struct DropOffPath {
    /// The last touchpoints visited within the window, oldest first.
    pub touchpoints: Vec<String>,
    pub subjects: u64,
    /// Of the subjects who dropped off after this stage, in percent.
    pub share: f64,
}

/// The most common paths of those who reached a stage and went no further.
#[derive(Debug, Clone, PartialEq)]
pub struct DropOff {
    pub after_stage: String,
    pub dropped: u64,
    pub paths: Vec<DropOffPath>,
}

/// A journey's funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub journey: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub previous_from_ms: Option<i64>,
    pub previous_to_ms: Option<i64>,
    pub time_zone: String,
    pub window_days: i64,
    pub stages: Vec<String>,
    pub by: Option<FunnelBy>,
    pub segments: Vec<String>,
    pub confidence: f64,
    pub min_n: u64,
    /// The whole funnel's stages, then each group's (ordered by group).
    pub rows: Vec<FunnelRow>,
    pub paths: Vec<DropOff>,
}

impl Analytics {
    /// A saved journey; 404 when there is none.
    pub async fn journey(&self, workspace_id: WorkspaceId, key: &str) -> Result<Journey, AppError> {
        let record = self
            .store()
            .get_definition(DefinitionKind::Journey, workspace_id, key)
            .await?
            .ok_or(AppError::NotFound("journey"))?;
        Ok(Journey::parse(&record.definition)
            .map_err(|e| anyhow::anyhow!("stored journey {key} is invalid: {e}"))?)
    }

    /// The funnel of a journey.
    pub async fn funnel(
        &self,
        workspace_id: WorkspaceId,
        journey: &Journey,
        req: &FunnelRequest,
    ) -> Result<Funnel, AppError> {
        let journey = restrict(journey, &req.stages)?;
        let window_days = req.window_days.unwrap_or(journey.conversion_window_days);
        let (from, to) = (req.period.from_ms, req.period.to_ms);
        let (prev_from, prev_to) = (from - (to - from), from);
        let segment = self
            .segments_members(workspace_id, &req.segments, to)
            .await?
            .map(|(_, set)| set);
        let by_segment = match &req.by {
            Some(FunnelBy::Segment(k)) => Some(
                self.segments_members(workspace_id, std::slice::from_ref(k), to)
                    .await?
                    .map(|(_, set)| set)
                    .unwrap_or_else(|| puls_journey::Bitset::new(0)),
            ),
            _ => None,
        };
        let customers = self.customers.fresh(workspace_id).await?;
        let by = req.by.clone();
        let compare = req.compare;
        let paths = req.paths;
        let journey2 = journey.clone();
        let (current, previous) = tokio::task::spawn_blocking(move || {
            let index = customers.read();
            let breakdown = match &by {
                None => None,
                Some(FunnelBy::Channel) => Some(Breakdown::Channel),
                Some(FunnelBy::EntryTouchpoint) => Some(Breakdown::EntryTouchpoint),
                Some(FunnelBy::FirstTouchpoint) => Some(Breakdown::FirstTouchpoint),
                Some(FunnelBy::Segment(_)) => by_segment.as_ref().map(Breakdown::Segment),
            };
            let q = FunnelQuery {
                journey: &journey2,
                from_ms: from,
                to_ms: to,
                window_ms: window_days * DAY_MS,
                last_step_ms: None,
                segment: segment.as_ref(),
                by: breakdown,
                touchpoints: false,
                paths: (paths > 0).then_some(paths),
            };
            let current = index.funnel(&q)?;
            let previous = match compare {
                true => Some(index.funnel(&FunnelQuery {
                    from_ms: prev_from,
                    to_ms: prev_to,
                    paths: None,
                    ..q
                })?),
                false => None,
            };
            Ok::<_, puls_journey::JourneyError>((current, previous))
        })
        .await
        .map_err(|e| anyhow::anyhow!("funnel thread: {e}"))?
        .map_err(journey_error)?;
        let o = &req.options;
        let lang = req.lang.as_str();
        let mut rows = stage_rows(
            &journey,
            None,
            &current.total,
            previous.as_ref().map(|p| &p.total),
            o,
            lang,
        )?;
        for g in &current.groups {
            let before = previous
                .as_ref()
                .and_then(|p| p.groups.iter().find(|x| x.key == g.key));
            rows.extend(stage_rows(&journey, g.key.clone(), g, before, o, lang)?);
        }
        let tp_keys: Vec<String> = journey
            .touchpoints()
            .map(|(_, t)| t.key.to_string())
            .collect();
        let paths = current
            .paths
            .iter()
            .map(|d| DropOff {
                after_stage: journey.stages[d.stage].key.to_string(),
                dropped: d.dropped,
                paths: d
                    .paths
                    .iter()
                    .map(|(p, n)| DropOffPath {
                        touchpoints: p.iter().map(|&i| tp_keys[i].clone()).collect(),
                        subjects: *n,
                        share: 100.0 * *n as f64 / d.dropped.max(1) as f64,
                    })
                    .collect(),
            })
            .collect();
        Ok(Funnel {
            journey: journey.key.to_string(),
            from_ms: from,
            to_ms: to,
            previous_from_ms: req.compare.then_some(prev_from),
            previous_to_ms: req.compare.then_some(prev_to),
            time_zone: req.period.time_zone.clone(),
            window_days,
            stages: journey.stages.iter().map(|s| s.key.to_string()).collect(),
            by: req.by.clone(),
            segments: req.segments.clone(),
            confidence: o.confidence.level(),
            min_n: o.min_n,
            rows,
            paths,
        })
    }
}

/// The journey with only the named stages (all when none are named).
/// The journey along `stages` (keys, kept in journey order), or along its main path (every
/// stage that is not a side stage) when none are named.
fn restrict(journey: &Journey, stages: &[String]) -> Result<Journey, AppError> {
    if stages.is_empty() {
        return Ok(journey.main_path());
    }
    for s in stages {
        if !journey.stages.iter().any(|st| st.key.as_str() == s) {
            return Err(AppError::InvalidParameter(format!(
                "stages: the journey has no stage '{}'",
                clip(s)
            )));
        }
    }
    let mut j = journey.clone();
    j.stages
        .retain(|st| stages.iter().any(|s| s == st.key.as_str()));
    Ok(j)
}

fn counts(entered: u64, converted: u64, o: &Options) -> Result<StageCounts, AppError> {
    let p = stats::proportion(converted, entered, o)
        .map_err(|e| anyhow::anyhow!("funnel counts: {e}"))?;
    Ok(StageCounts {
        entered,
        converted,
        conversion_rate: p.value,
        ci_low: p.interval.map(|i| i.low),
        ci_high: p.interval.map(|i| i.high),
    })
}

/// The rows of one group's funnel, each stage against the one before.
fn stage_rows(
    journey: &Journey,
    group: Option<String>,
    current: &puls_journey::FunnelGroup,
    previous: Option<&puls_journey::FunnelGroup>,
    o: &Options,
    lang: &str,
) -> Result<Vec<FunnelRow>, AppError> {
    let entries = current.entered();
    let mut rows = Vec::with_capacity(current.stages.len());
    for (i, st) in current.stages.iter().enumerate() {
        let entered = if i == 0 {
            st.converted
        } else {
            current.stages[i - 1].converted
        };
        let now = counts(entered, st.converted, o)?;
        let overall = stats::proportion(st.converted, entries, o)
            .map_err(|e| anyhow::anyhow!("funnel counts: {e}"))?;
        let (prev, change) = match previous {
            None => (None, None),
            Some(p) => {
                let p_conv = p.stages.get(i).map_or(0, |s| s.converted);
                let p_entered = if i == 0 {
                    p_conv
                } else {
                    p.stages.get(i - 1).map_or(0, |s| s.converted)
                };
                let before = counts(p_entered, p_conv, o)?;
                let c = stats::compare_proportions(st.converted, entered, p_conv, p_entered, o)
                    .map_err(|e| anyhow::anyhow!("funnel change: {e}"))?;
                (Some(before), Some(c.into()))
            }
        };
        let stage = &journey.stages[i];
        rows.push(FunnelRow {
            stage: stage.key.to_string(),
            name: stage.name.get(lang).to_string(),
            group: group.clone(),
            people: st.known,
            drop_off: entered - st.converted,
            small_sample: entered < o.min_n,
            counts: now,
            overall_rate: overall.value,
            overall_ci_low: overall.interval.map(|i| i.low),
            overall_ci_high: overall.interval.map(|i| i.high),
            median_time_to_convert_seconds: st.median_ms.map(|ms| ms as f64 / 1000.0),
            p90_time_to_convert_seconds: st.p90_ms.map(|ms| ms as f64 / 1000.0),
            previous: prev,
            change,
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// The journey map.

/// A rate with its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub count: u64,
    pub n: u64,
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub small_sample: bool,
}

fn rate(count: u64, n: u64, o: &Options) -> Result<Rate, AppError> {
    let p = stats::proportion(count, n, o).map_err(|e| anyhow::anyhow!("rate: {e}"))?;
    Ok(Rate {
        count,
        n,
        value: p.value,
        ci_low: p.interval.map(|i| i.low),
        ci_high: p.interval.map(|i| i.high),
        small_sample: p.small_sample,
    })
}

/// How a touchpoint is doing (see [`health`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Good,
    Watch,
    Poor,
    Unknown,
}

impl Health {
    /// How much it asks for attention: unknown < good < watch < poor.
    fn rank(self) -> u8 {
        match self {
            Health::Unknown => 0,
            Health::Good => 1,
            Health::Watch => 2,
            Health::Poor => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Good => "good",
            Health::Watch => "watch",
            Health::Poor => "poor",
            Health::Unknown => "unknown",
        }
    }
}

/// One touchpoint on the map (see the API's `MapTouchpoint`).
#[derive(Debug, Clone, PartialEq)]
pub struct MapTouchpoint {
    pub key: String,
    pub name: String,
    pub channel: String,
    pub moment_of_truth: bool,
    /// Survey touchpoints whose responses are read here.
    pub surveys: Vec<String>,
    /// Events matching it in the period, and the subjects they came from.
    pub events: u64,
    pub subjects: u64,
    /// Funnel subjects that reached the stage through this touchpoint, and of those, how
    /// many did not reach the next stage within the window.
    pub reached: u64,
    /// Of `reached`, the identified contacts (the rest are anonymous visitors).
    pub people: u64,
    pub drop_off: Rate,
    pub nps: Option<MetricValue>,
    pub csat: Option<MetricValue>,
    pub ces: Option<MetricValue>,
    /// Share of NPS detractors (0–6), in percent.
    pub detractor_share: Option<Rate>,
    pub health: Health,
    /// Why: the metric that judged it, its value and the target it was held against.
    pub health_reason: Option<HealthReason>,
}

/// Per side stage key: journey entrants who entered it, and of those, who came back to the
/// main path (`None` when no main stage follows).
type SideCounts = HashMap<String, (u64, Option<u64>)>;

/// What a touchpoint's health rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthReason {
    /// `nps` or `csat`.
    pub metric: &'static str,
    pub value: f64,
    pub target: f64,
}

/// One stage on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapStage {
    pub key: String,
    pub name: String,
    /// A side stage: off the main path.
    pub side: bool,
    /// Main path: journey entrants who reached it within the window. Side stage: journey
    /// entrants who entered it within the window.
    pub reached: u64,
    /// Main path: of `reached`, the identified contacts ("people"); the rest are anonymous
    /// visitors. `None` for a side stage.
    pub people: Option<u64>,
    /// A side stage: of those who entered it, how many reached the next main stage within
    /// `return_days` of entering it (came back to the main path); `None` when none follows.
    pub returned: Option<u64>,
    /// A side stage: the days its entrants have to come back (its `return_within_days`, or
    /// the journey's window).
    pub return_days: Option<i64>,
    pub touchpoints: Vec<MapTouchpoint>,
}

/// A journey map.
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyMap {
    pub journey: String,
    pub name: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub time_zone: String,
    pub window_days: i64,
    pub segments: Vec<String>,
    pub confidence: f64,
    pub min_n: u64,
    pub stages: Vec<MapStage>,
}

/// A parsed journey map request.
#[derive(Debug, Clone)]
pub struct MapRequest {
    pub period: Period,
    pub window_days: Option<i64>,
    /// The stages whose chain gives passages and drop-off (empty: every stage in order).
    pub stages: Vec<String>,
    pub segments: Vec<String>,
    pub options: Options,
    /// The language of names.
    pub lang: String,
}

impl Analytics {
    /// The journey map: each touchpoint's behaviour and feedback.
    pub async fn journey_map(
        &self,
        workspace_id: WorkspaceId,
        journey: &Journey,
        req: &MapRequest,
    ) -> Result<JourneyMap, AppError> {
        let window_days = req.window_days.unwrap_or(journey.conversion_window_days);
        let (from, to) = (req.period.from_ms, req.period.to_ms);
        let segment = self
            .segments_members(workspace_id, &req.segments, to)
            .await?
            .map(|(_, set)| set);
        let customers = self.customers.fresh(workspace_id).await?;
        let j = journey.clone();
        // Volumes from every touchpoint; passages and drop-off along the chosen stages (by
        // default the main path).
        let chain = restrict(journey, &req.stages)?;
        let chosen = chain.stages.len() != journey.stages.len();
        // A side stage: the main path's first stage, the side stage, and the next main stage
        // after it: who entered it, and who came back to the main path after.
        let sides: Vec<(String, Journey, i64)> = journey
            .stages
            .iter()
            .enumerate()
            .filter(|(_, s)| s.side)
            .filter_map(|(i, s)| {
                let first = chain.stages.first()?.clone();
                let mut stages = vec![first, s.clone()];
                stages.extend(journey.stages[i + 1..].iter().find(|x| !x.side).cloned());
                Some((
                    s.key.to_string(),
                    Journey {
                        stages,
                        ..journey.clone()
                    },
                    s.return_days(journey.conversion_window_days),
                ))
            })
            .collect();
        let chain_for_task = chain.clone();
        let (report, chained, side_counts, before): (
            FunnelReport,
            Option<FunnelReport>,
            SideCounts,
            FunnelReport,
        ) = tokio::task::spawn_blocking(move || {
            let index = customers.read();
            let q = FunnelQuery {
                journey: &j,
                from_ms: from,
                to_ms: to,
                window_ms: window_days * DAY_MS,
                last_step_ms: None,
                segment: segment.as_ref(),
                by: None,
                touchpoints: true,
                paths: None,
            };
            let all = index.funnel(&q)?;
            let chained = match chosen {
                true => Some(index.funnel(&FunnelQuery {
                    journey: &chain_for_task,
                    ..q
                })?),
                false => None,
            };
            let mut side_counts = HashMap::new();
            for (key, sj, return_days) in &sides {
                let f = index.funnel(&FunnelQuery {
                    journey: sj,
                    last_step_ms: Some(return_days * DAY_MS),
                    touchpoints: false,
                    ..q
                })?;
                let entered = f.total.stages.get(1).map_or(0, |s| s.converted);
                let back = f.total.stages.get(2).map(|s| s.converted);
                side_counts.insert(key.clone(), (entered, back));
            }
            // The same chain over the period of equal length before: each
            // touchpoint's own baseline of drop-off.
            let before = index.funnel(&FunnelQuery {
                journey: &chain_for_task,
                from_ms: from - (to - from),
                to_ms: from,
                ..q
            })?;
            Ok::<_, puls_journey::JourneyError>((all, chained, side_counts, before))
        })
        .await
        .map_err(|e| anyhow::anyhow!("journey map thread: {e}"))?
        .map_err(journey_error)?;
        // The chain's stages in journey order, and where each touchpoint sits in it.
        let chain_stages: Vec<&str> = chain.stages.iter().map(|s| s.key.as_str()).collect();
        let chain_tps: Vec<&str> = journey
            .stages
            .iter()
            .filter(|s| chain_stages.contains(&s.key.as_str()))
            .flat_map(|s| s.touchpoints.iter().map(|t| t.key.as_str()))
            .collect();
        let passages = chained.as_ref().unwrap_or(&report);

        // Feedback per survey touchpoint, one metrics query per metric.
        let survey_tps: Vec<puls_core::Touchpoint> = {
            let mut v: Vec<puls_core::Touchpoint> = journey
                .touchpoints()
                .flat_map(|(_, t)| t.surveys.iter().cloned())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        // (survey touchpoint, channel) → distribution, per metric.
        let mut feedback: HashMap<&str, BTreeMap<(String, String), Distribution>> = HashMap::new();
        for metric in [Metric::Nps, Metric::Csat, Metric::Ces] {
            if survey_tps.is_empty() {
                break;
            }
            let mr = MetricsRequest {
                metric,
                question: None,
                by: vec![GroupBy::Touchpoint, GroupBy::Channel],
                compare: false,
                scope: Scope {
                    from_ms: from,
                    to_ms: to,
                    time_zone: req.period.time_zone.clone(),
                    filters: vec![Filter::Touchpoints(survey_tps.clone())],
                    surveys: Vec::new(),
                    segments: req.segments.clone(),
                    options: req.options,
                },
            };
            let report = self.metrics(workspace_id, mr).await?;
            let by_tp = feedback.entry(metric.as_str()).or_default();
            for row in report.rows {
                let (Some(Some(tp)), Some(Some(ch))) =
                    (row.keys.get("touchpoint"), row.keys.get("channel"))
                else {
                    continue;
                };
                let d = distribution_of(&row.current);
                by_tp.insert((tp.clone(), ch.clone()), d);
            }
        }

        let o = &req.options;
        let lang = req.lang.as_str();
        let mut stages = Vec::new();
        let mut i = 0usize;
        for stage in &journey.stages {
            let mut tps = Vec::new();
            for t in &stage.touchpoints {
                let stats = report.touchpoints.get(i).cloned().unwrap_or_default();
                i += 1;
                // Its own feedback: the responses of its survey touchpoints, and where a
                // sibling takes the same surveys, only those given on its own channel; never
                // a survey's total copied onto every touchpoint that asks it.
                let shared = |s: &puls_core::Touchpoint| {
                    journey
                        .touchpoints()
                        .filter(|(_, x)| x.surveys.contains(s))
                        .count()
                        > 1
                };
                let merged = |metric: &str| -> Option<Distribution> {
                    let by_tp = feedback.get(metric)?;
                    let mut acc: Option<Distribution> = None;
                    for s in &t.surveys {
                        let own_channel = shared(s);
                        for ((tp, ch), d) in by_tp {
                            if tp != s.as_str() || (own_channel && ch != t.channel.as_str()) {
                                continue;
                            }
                            match acc.as_mut() {
                                None => acc = Some(d.clone()),
                                Some(a) => {
                                    let _ = a.merge(d);
                                }
                            }
                        }
                    }
                    acc
                };
                let value = |metric: &str,
                             m: super::metrics::Metric|
                 -> Result<Option<MetricValue>, AppError> {
                    merged(metric)
                        .map(|d| super::metrics::value(m, &d, o))
                        .transpose()
                };
                let nps_d = merged("nps");
                let nps = value("nps", super::metrics::Metric::Nps)?;
                let csat = value("csat", super::metrics::Metric::Csat)?;
                let ces = value("ces", super::metrics::Metric::Ces)?;
                let detractor_share = nps_d
                    .as_ref()
                    .map(|d| rate(d.count_in(0..=6), d.n(), o))
                    .transpose()?;
                // Passages through this touchpoint along the chain (none off it).
                let stage_pos = chain_stages.iter().position(|k| *k == stage.key.as_str());
                let pos = chain_tps.iter().position(|k| *k == t.key.as_str());
                let (reached, advanced, people) = pos
                    .and_then(|p| passages.touchpoints.get(p))
                    .map_or((0, 0, 0), |p| (p.reached, p.advanced, p.known));
                let (reached_before, advanced_before) = pos
                    .and_then(|p| before.touchpoints.get(p))
                    .map_or((0, 0), |p| (p.reached, p.advanced));
                let is_last = stage_pos.is_none_or(|p| p + 1 == chain_stages.len());
                let dropped = if is_last { 0 } else { reached - advanced };
                let drop_off = rate(dropped, reached, o)?;
                let (mut health, mut health_reason) =
                    health(nps.as_ref(), csat.as_ref(), &journey.targets, o);
                // Drop-off judged against its own baseline: significantly higher than in the
                // period before, by a margin that matters.
                if !is_last && pos.is_some() {
                    let dropped_before = reached_before - advanced_before;
                    let (h, r) =
                        drop_off_health((dropped, reached), (dropped_before, reached_before), o)?;
                    if h.rank() > health.rank() {
                        (health, health_reason) = (h, r);
                    }
                }
                tps.push(MapTouchpoint {
                    key: t.key.to_string(),
                    name: t.name.get(lang).to_string(),
                    channel: t.channel.as_str().to_string(),
                    moment_of_truth: t.moment_of_truth,
                    surveys: t.surveys.iter().map(|s| s.to_string()).collect(),
                    events: stats.events,
                    subjects: stats.subjects,
                    reached,
                    people,
                    drop_off,
                    nps,
                    csat,
                    ces,
                    detractor_share,
                    health,
                    health_reason,
                });
            }
            let side = side_counts.get(stage.key.as_str());
            stages.push(MapStage {
                key: stage.key.to_string(),
                name: stage.name.get(lang).to_string(),
                side: stage.side,
                reached: match side {
                    Some((entered, _)) => *entered,
                    None => chain_stages
                        .iter()
                        .position(|k| *k == stage.key.as_str())
                        .and_then(|p| passages.total.stages.get(p))
                        .map_or(0, |s| s.converted),
                },
                returned: side.and_then(|(_, back)| *back),
                return_days: side
                    .and_then(|(_, back)| *back)
                    .map(|_| stage.return_days(journey.conversion_window_days)),
                people: match side {
                    Some(_) => None,
                    None => chain_stages
                        .iter()
                        .position(|k| *k == stage.key.as_str())
                        .and_then(|p| passages.total.stages.get(p))
                        .map(|s| s.known),
                },
                touchpoints: tps,
            });
        }
        Ok(JourneyMap {
            journey: journey.key.to_string(),
            name: journey.name.get(lang).to_string(),
            from_ms: from,
            to_ms: to,
            time_zone: req.period.time_zone.clone(),
            window_days,
            segments: req.segments.clone(),
            confidence: o.confidence.level(),
            min_n: o.min_n,
            stages,
        })
    }
}

/// A metric row's distribution back as counts.
fn distribution_of(v: &MetricValue) -> Distribution {
    let min = v.distribution.first().map_or(0, |[s, _]| *s);
    let counts: Vec<u64> = v.distribution.iter().map(|[_, c]| *c as u64).collect();
    Distribution::from_counts(min, &counts).unwrap_or_else(|_| Distribution::nps())
}

/// A drop-off this many points above its baseline is "watch", twice that "poor" (when the
/// rise is significant).
const DROP_OFF_WATCH_POINTS: f64 = 5.0;

/// A touchpoint's drop-off against the same touchpoint in the period before: a significant
/// rise (two-proportion test at the report's confidence) of at least
/// [`DROP_OFF_WATCH_POINTS`] is "watch", of twice that "poor", with the reason
/// (`metric: drop_off`, `value` now, `target` before, in percent); anything else says
/// nothing (`Unknown`).
fn drop_off_health(
    (dropped, reached): (u64, u64),
    (dropped_before, reached_before): (u64, u64),
    o: &Options,
) -> Result<(Health, Option<HealthReason>), AppError> {
    let c = stats::compare_proportions(dropped, reached, dropped_before, reached_before, o)
        .map_err(|e| anyhow::anyhow!("drop-off change: {e}"))?;
    let (Some(d), Some(now), Some(then)) = (c.difference, c.current, c.previous) else {
        return Ok((Health::Unknown, None));
    };
    if c.verdict != stats::Verdict::Better || d < DROP_OFF_WATCH_POINTS {
        return Ok((Health::Unknown, None));
    }
    let h = if d >= 2.0 * DROP_OFF_WATCH_POINTS {
        Health::Poor
    } else {
        Health::Watch
    };
    Ok((
        h,
        Some(HealthReason {
            metric: "drop_off",
            value: now,
            target: then,
        }),
    ))
}

/// NPS and CSAT targets when the journey sets none.
const DEFAULT_NPS_TARGET: f64 = 30.0;
const DEFAULT_CSAT_TARGET: f64 = 80.0;
/// How far below target is still "watch" rather than "poor".
const NPS_WATCH_BAND: f64 = 20.0;
const CSAT_WATCH_BAND: f64 = 10.0;

/// How a touchpoint is doing, judged by its own feedback against the journey's targets:
/// its NPS (else its CSAT) when not a small sample: at or above target good, within a band
/// below it watch, else poor, with the reason. Drop-off never judges health: most drop-off
/// on a browsing step or a service loop is nobody's failure, and a touchpoint without
/// feedback of its own is unknown, not red.
fn health(
    nps: Option<&MetricValue>,
    csat: Option<&MetricValue>,
    targets: &puls_core::journey::Targets,
    o: &Options,
) -> (Health, Option<HealthReason>) {
    let usable = |m: Option<&MetricValue>| m.filter(|m| m.n >= o.min_n).and_then(|m| m.value);
    let judge = |metric, value: f64, target: f64, band: f64| {
        let h = if value >= target {
            Health::Good
        } else if value >= target - band {
            Health::Watch
        } else {
            Health::Poor
        };
        (
            h,
            Some(HealthReason {
                metric,
                value,
                target,
            }),
        )
    };
    if let Some(v) = usable(nps) {
        return judge(
            "nps",
            v,
            targets.nps.unwrap_or(DEFAULT_NPS_TARGET),
            NPS_WATCH_BAND,
        );
    }
    if let Some(v) = usable(csat) {
        return judge(
            "csat",
            v,
            targets.csat.unwrap_or(DEFAULT_CSAT_TARGET),
            CSAT_WATCH_BAND,
        );
    }
    (Health::Unknown, None)
}
