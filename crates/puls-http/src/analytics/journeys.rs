//! Journey analytics: the funnel over a journey's stages (conversion with intervals, times
//! to convert, breakdowns, the previous period with a test, paths before drop-offs) and the
//! journey map (per touchpoint: volume, passage and drop-off, NPS/CSAT/CES from the surveys
//! asked there, detractor share, health).

use std::collections::{BTreeMap, HashMap};

use puls_core::journey::Journey;
use puls_core::stats::{self, Distribution, Options};
use puls_journey::{Breakdown, FunnelQuery, FunnelReport};
use puls_store::DefinitionKind;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::metrics::{ChangeDto, MetricValue, MetricsRequest, verdict_name};
use super::params::{DAY_MS, Params, Period, clip, invalid, stat_options};
use super::segments::journey_error;
use super::{Analytics, AnalyticsConfig};
use crate::convert;
use crate::dto::format_ms;
use crate::error::ApiError;

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
    fn name(&self) -> String {
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
}

impl FunnelRequest {
    pub fn parse(
        p: &mut Params,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<FunnelRequest, ApiError> {
        let period = Period::parse(p, config, now_ms)?;
        let window_days = p
            .one("window_days")?
            .map(|s| match s.parse::<i64>() {
                Ok(d) if (1..=puls_core::journey::limits::MAX_WINDOW_DAYS).contains(&d) => Ok(d),
                _ => Err(invalid(format!(
                    "window_days: must be a whole number of days from 1 to {}",
                    puls_core::journey::limits::MAX_WINDOW_DAYS
                ))),
            })
            .transpose()?;
        let stages = p.list("stages");
        let by = match p.one("by")?.as_deref() {
            None => None,
            Some("channel") => Some(FunnelBy::Channel),
            Some("entry_touchpoint") => Some(FunnelBy::EntryTouchpoint),
            Some("first_touchpoint") => Some(FunnelBy::FirstTouchpoint),
            Some(other) => match other.strip_prefix("segment:") {
                Some(k) => {
                    puls_core::Key::parse(k)
                        .map_err(|e| invalid(format!("by: segment '{}': {e}", clip(k))))?;
                    Some(FunnelBy::Segment(k.to_string()))
                }
                None => {
                    return Err(invalid(format!(
                        "by: '{}' is not one of channel, entry_touchpoint, first_touchpoint, \
                         segment:KEY",
                        clip(other)
                    )));
                }
            },
        };
        let segments = p.list("segment");
        for s in &segments {
            puls_core::Key::parse(s)
                .map_err(|e| invalid(format!("segment: '{}': {e}", clip(s))))?;
        }
        let compare = match p.one("compare")?.as_deref() {
            None | Some("previous") => true,
            Some("none") => false,
            Some(other) => {
                return Err(invalid(format!(
                    "compare: '{}' is not one of previous, none",
                    clip(other)
                )));
            }
        };
        let paths = match p.one("paths")? {
            None => 0,
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_PATHS)
                .ok_or_else(|| invalid(format!("paths: must be a number from 0 to {MAX_PATHS}")))?,
        };
        let options = stat_options(p, config)?;
        Ok(FunnelRequest {
            period,
            window_days,
            stages,
            by,
            segments,
            compare,
            paths,
            options,
        })
    }
}

/// The documented parameters of the funnel endpoint.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FunnelParams {
    /// Entries from (inclusive): `YYYY-MM-DD` (local midnight in `tz`) or RFC 3339. Default:
    /// 30 days before `to`.
    pub from: Option<String>,
    /// Entries until (exclusive). Default: now.
    pub to: Option<String>,
    /// IANA time zone of dates. Default: the server's `analytics.time_zone`.
    pub tz: Option<String>,
    /// Conversion window in days from entry (1–365). Default: the journey's.
    pub window_days: Option<i64>,
    /// Use only these stages (keys, comma-separated), kept in journey order.
    pub stages: Option<String>,
    /// Split by `channel` (of the entry touchpoint), `entry_touchpoint`, `first_touchpoint`
    /// (first journey touchpoint ever touched, up to entry) or `segment:KEY` (in / out).
    pub by: Option<String>,
    /// Only contacts in these saved segments (comma-separated or repeated; all must hold).
    pub segment: Option<String>,
    /// `previous` (default): each stage also over the period of equal length before, with a
    /// two-proportion test of its conversion rate; `none`.
    pub compare: Option<String>,
    /// List the N most common touchpoint paths before each drop-off (0–50, default 0).
    pub paths: Option<usize>,
    /// Rates of fewer subjects are flagged `small_sample`. Default: `analytics.min_n`.
    pub min_n: Option<u64>,
    /// Confidence level of intervals and tests, 0.5 to 0.999. Default 0.95.
    pub confidence: Option<f64>,
}

/// Counts of one stage of one group, in one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
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

/// One stage of the funnel for everyone or for one group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FunnelRow {
    pub stage: String,
    pub name: String,
    /// The breakdown's value (`null` for the whole funnel).
    pub group: Option<String>,
    #[serde(flatten)]
    pub counts: StageCounts,
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
    pub change: Option<ChangeDto>,
}

/// One drop-off path.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PathDto {
    /// The last touchpoints visited within the window, oldest first.
    pub touchpoints: Vec<String>,
    pub subjects: u64,
    /// Of the subjects who dropped off after this stage, in percent.
    pub share: f64,
}

/// The most common paths of those who reached a stage and went no further.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DropOffDto {
    pub after_stage: String,
    pub dropped: u64,
    pub paths: Vec<PathDto>,
}

/// The answer of the funnel endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FunnelDto {
    pub journey: String,
    pub from: String,
    pub to: String,
    pub previous_from: Option<String>,
    pub previous_to: Option<String>,
    pub time_zone: String,
    pub window_days: i64,
    pub stages: Vec<String>,
    pub by: Option<String>,
    pub segments: Vec<String>,
    pub confidence: f64,
    pub min_n: u64,
    /// The whole funnel's stages, then each group's (ordered by group).
    pub rows: Vec<FunnelRow>,
    pub paths: Vec<DropOffDto>,
}

impl Analytics {
    /// A saved journey; 404 when there is none.
    pub async fn journey(&self, workspace_id: i64, key: &str) -> Result<Journey, ApiError> {
        let record = self
            .store()
            .get_definition(DefinitionKind::Journey, workspace_id, key)
            .await?
            .ok_or(ApiError::NotFound("journey"))?;
        let value = convert::parse_document(&record.definition, false)
            .map_err(|e| anyhow::anyhow!("stored journey {key} is not JSON: {e}"))?;
        Ok(Journey::parse(&value)
            .map_err(|e| anyhow::anyhow!("stored journey {key} is invalid: {e}"))?)
    }

    /// The funnel of a journey.
    pub async fn funnel(
        &self,
        workspace_id: i64,
        journey: &Journey,
        req: &FunnelRequest,
    ) -> Result<FunnelDto, ApiError> {
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
        let mut rows = stage_rows(
            &journey,
            None,
            &current.total,
            previous.as_ref().map(|p| &p.total),
            o,
        )?;
        for g in &current.groups {
            let before = previous
                .as_ref()
                .and_then(|p| p.groups.iter().find(|x| x.key == g.key));
            rows.extend(stage_rows(&journey, g.key.clone(), g, before, o)?);
        }
        let tp_keys: Vec<String> = journey
            .touchpoints()
            .map(|(_, t)| t.key.to_string())
            .collect();
        let paths = current
            .paths
            .iter()
            .map(|d| DropOffDto {
                after_stage: journey.stages[d.stage].key.to_string(),
                dropped: d.dropped,
                paths: d
                    .paths
                    .iter()
                    .map(|(p, n)| PathDto {
                        touchpoints: p.iter().map(|&i| tp_keys[i].clone()).collect(),
                        subjects: *n,
                        share: 100.0 * *n as f64 / d.dropped.max(1) as f64,
                    })
                    .collect(),
            })
            .collect();
        Ok(FunnelDto {
            journey: journey.key.to_string(),
            from: format_ms(from),
            to: format_ms(to),
            previous_from: req.compare.then(|| format_ms(prev_from)),
            previous_to: req.compare.then(|| format_ms(prev_to)),
            time_zone: req.period.time_zone.clone(),
            window_days,
            stages: journey.stages.iter().map(|s| s.key.to_string()).collect(),
            by: req.by.as_ref().map(FunnelBy::name),
            segments: req.segments.clone(),
            confidence: o.confidence.level(),
            min_n: o.min_n,
            rows,
            paths,
        })
    }
}

/// The journey with only the named stages (all when none are named).
fn restrict(journey: &Journey, stages: &[String]) -> Result<Journey, ApiError> {
    if stages.is_empty() {
        return Ok(journey.clone());
    }
    for s in stages {
        if !journey.stages.iter().any(|st| st.key.as_str() == s) {
            return Err(invalid(format!(
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

fn counts(entered: u64, converted: u64, o: &Options) -> Result<StageCounts, ApiError> {
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
) -> Result<Vec<FunnelRow>, ApiError> {
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
                (
                    Some(before),
                    Some(ChangeDto {
                        difference: c.difference,
                        ci_low: c.interval.map(|i| i.low),
                        ci_high: c.interval.map(|i| i.high),
                        p_value: c.p_value,
                        verdict: verdict_name(c.verdict).into(),
                    }),
                )
            }
        };
        let stage = &journey.stages[i];
        rows.push(FunnelRow {
            stage: stage.key.to_string(),
            name: stage.name.get("en").to_string(),
            group: group.clone(),
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RateDto {
    pub count: u64,
    pub n: u64,
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub small_sample: bool,
}

fn rate(count: u64, n: u64, o: &Options) -> Result<RateDto, ApiError> {
    let p = stats::proportion(count, n, o).map_err(|e| anyhow::anyhow!("rate: {e}"))?;
    Ok(RateDto {
        count,
        n,
        value: p.value,
        ci_low: p.interval.map(|i| i.low),
        ci_high: p.interval.map(|i| i.high),
        small_sample: p.small_sample,
    })
}

/// One touchpoint on the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    pub drop_off: RateDto,
    pub nps: Option<MetricValue>,
    pub csat: Option<MetricValue>,
    pub ces: Option<MetricValue>,
    /// Share of NPS detractors (0–6), in percent.
    pub detractor_share: Option<RateDto>,
    /// `good`, `watch`, `poor` or `unknown` (see the docs: from NPS, CSAT, then drop-off).
    pub health: String,
}

/// One stage on the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapStage {
    pub key: String,
    pub name: String,
    pub reached: u64,
    pub touchpoints: Vec<MapTouchpoint>,
}

/// The answer of the journey map endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JourneyMapDto {
    pub journey: String,
    pub name: String,
    pub from: String,
    pub to: String,
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

impl MapRequest {
    pub fn parse(p: &mut Params, config: &AnalyticsConfig, now_ms: i64) -> Result<Self, ApiError> {
        let mut f = FunnelRequest::parse(p, config, now_ms)?;
        let lang = p.one("lang")?.unwrap_or_else(|| "en".into());
        if f.by.is_some() || f.paths > 0 {
            return Err(invalid(
                "by: the map takes no breakdown or paths; use the funnel".into(),
            ));
        }
        f.compare = false;
        Ok(MapRequest {
            period: f.period,
            window_days: f.window_days,
            stages: f.stages,
            segments: f.segments,
            options: f.options,
            lang,
        })
    }
}

impl Analytics {
    /// The journey map: each touchpoint's behaviour and feedback.
    pub async fn journey_map(
        &self,
        workspace_id: i64,
        journey: &Journey,
        req: &MapRequest,
    ) -> Result<JourneyMapDto, ApiError> {
        let window_days = req.window_days.unwrap_or(journey.conversion_window_days);
        let (from, to) = (req.period.from_ms, req.period.to_ms);
        let segment = self
            .segments_members(workspace_id, &req.segments, to)
            .await?
            .map(|(_, set)| set);
        let customers = self.customers.fresh(workspace_id).await?;
        let j = journey.clone();
        // Volumes from every touchpoint; passages and drop-off along the chosen stages.
        let chain = restrict(journey, &req.stages)?;
        let chosen = !req.stages.is_empty();
        let (report, chained): (FunnelReport, Option<FunnelReport>) =
            tokio::task::spawn_blocking(move || {
                let index = customers.read();
                let q = FunnelQuery {
                    journey: &j,
                    from_ms: from,
                    to_ms: to,
                    window_ms: window_days * DAY_MS,
                    segment: segment.as_ref(),
                    by: None,
                    touchpoints: true,
                    paths: None,
                };
                let all = index.funnel(&q)?;
                let chained = match chosen {
                    true => Some(index.funnel(&FunnelQuery {
                        journey: &chain,
                        ..q
                    })?),
                    false => None,
                };
                Ok::<_, puls_journey::JourneyError>((all, chained))
            })
            .await
            .map_err(|e| anyhow::anyhow!("journey map thread: {e}"))?
            .map_err(journey_error)?;
        // The chain's stages in journey order, and where each touchpoint sits in it.
        let chain_stages: Vec<&str> = match chosen {
            true => journey
                .stages
                .iter()
                .map(|s| s.key.as_str())
                .filter(|k| req.stages.iter().any(|r| r == k))
                .collect(),
            false => journey.stages.iter().map(|s| s.key.as_str()).collect(),
        };
        let chain_tps: Vec<&str> = journey
            .stages
            .iter()
            .filter(|s| chain_stages.contains(&s.key.as_str()))
            .flat_map(|s| s.touchpoints.iter().map(|t| t.key.as_str()))
            .collect();
        let passages = chained.as_ref().unwrap_or(&report);

        // Feedback per survey touchpoint, one metrics query per metric.
        let survey_tps: Vec<String> = {
            let mut v: Vec<String> = journey
                .touchpoints()
                .flat_map(|(_, t)| t.surveys.iter().map(|s| s.to_string()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let mut feedback: HashMap<&str, BTreeMap<String, Distribution>> = HashMap::new();
        for metric in ["nps", "csat", "ces"] {
            if survey_tps.is_empty() {
                break;
            }
            let mut pairs = vec![
                ("metric".to_string(), metric.to_string()),
                ("by".to_string(), "touchpoint".to_string()),
                ("touchpoint".to_string(), survey_tps.join(",")),
                ("from".to_string(), format_ms(from)),
                ("to".to_string(), format_ms(to)),
                ("tz".to_string(), req.period.time_zone.clone()),
                ("compare".to_string(), "none".to_string()),
            ];
            for s in &req.segments {
                pairs.push(("segment".to_string(), s.clone()));
            }
            let mut p = Params::new(pairs);
            let mut mr = MetricsRequest::parse(&mut p, &self.config, to)?;
            mr.scope.options = req.options;
            let report = self.metrics(workspace_id, mr).await?;
            let by_tp = feedback.entry(metric).or_default();
            for row in report.rows {
                let Some(Some(tp)) = row.keys.get("touchpoint") else {
                    continue;
                };
                let d = distribution_of(&row.current);
                by_tp.insert(tp.clone(), d);
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
                let merged = |metric: &str| -> Option<Distribution> {
                    let by_tp = feedback.get(metric)?;
                    let mut acc: Option<Distribution> = None;
                    for s in &t.surveys {
                        if let Some(d) = by_tp.get(s.as_str()) {
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
                 -> Result<Option<MetricValue>, ApiError> {
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
                let (reached, advanced) = chain_tps
                    .iter()
                    .position(|k| *k == t.key.as_str())
                    .and_then(|p| passages.touchpoints.get(p))
                    .map_or((0, 0), |p| (p.reached, p.advanced));
                let is_last = stage_pos.is_none_or(|p| p + 1 == chain_stages.len());
                let dropped = if is_last { 0 } else { reached - advanced };
                let drop_off = rate(dropped, reached, o)?;
                let health = health(nps.as_ref(), csat.as_ref(), &drop_off, is_last, o);
                tps.push(MapTouchpoint {
                    key: t.key.to_string(),
                    name: t.name.get(lang).to_string(),
                    channel: t.channel.as_str().to_string(),
                    moment_of_truth: t.moment_of_truth,
                    surveys: t.surveys.iter().map(|s| s.to_string()).collect(),
                    events: stats.events,
                    subjects: stats.subjects,
                    reached,
                    drop_off,
                    nps,
                    csat,
                    ces,
                    detractor_share,
                    health,
                });
            }
            stages.push(MapStage {
                key: stage.key.to_string(),
                name: stage.name.get(lang).to_string(),
                reached: chain_stages
                    .iter()
                    .position(|k| *k == stage.key.as_str())
                    .and_then(|p| passages.total.stages.get(p))
                    .map_or(0, |s| s.converted),
                touchpoints: tps,
            });
        }
        Ok(JourneyMapDto {
            journey: journey.key.to_string(),
            name: journey.name.get(lang).to_string(),
            from: format_ms(from),
            to: format_ms(to),
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

/// How a touchpoint is doing, from the first evidence that is not a small sample: NPS
/// (≥ 30 good, ≥ 0 watch, else poor), then CSAT (≥ 80 %, ≥ 60 %), then the drop-off rate
/// (≤ 30 %, ≤ 60 %; not for the last stage).
fn health(
    nps: Option<&MetricValue>,
    csat: Option<&MetricValue>,
    drop_off: &RateDto,
    last_stage: bool,
    o: &Options,
) -> String {
    let grade = |v: f64, good: f64, watch: f64, higher_is_better: bool| {
        let (v, good, watch) = if higher_is_better {
            (v, good, watch)
        } else {
            (-v, -good, -watch)
        };
        if v >= good {
            "good"
        } else if v >= watch {
            "watch"
        } else {
            "poor"
        }
    };
    let usable = |m: Option<&MetricValue>| m.filter(|m| m.n >= o.min_n).and_then(|m| m.value);
    if let Some(v) = usable(nps) {
        return grade(v, 30.0, 0.0, true).into();
    }
    if let Some(v) = usable(csat) {
        return grade(v, 80.0, 60.0, true).into();
    }
    if !last_stage
        && !drop_off.small_sample
        && let Some(v) = drop_off.value
    {
        return grade(v, 30.0, 60.0, false).into();
    }
    "unknown".into()
}
