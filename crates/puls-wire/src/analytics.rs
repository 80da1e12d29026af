//! The analytics reports on the wire: metrics, key drivers, Kano, the funnel and the
//! journey map, converted by hand from the application's report types.

use std::collections::BTreeMap;

use puls_app::analytics::drivers::{DriverResult, DriversReport};
use puls_app::analytics::journeys::{
    DropOff, Funnel, FunnelRow, JourneyMap, MapStage, MapTouchpoint, Rate, StageCounts,
};
use puls_app::analytics::kano::{KanoFeature, KanoReport, KanoShares};
use puls_app::analytics::metrics::{MetricChange, MetricRow, MetricValue, MetricsReport};
use puls_app::text_report::{TextReport, TopicKind};
use puls_core::drivers::{Excluded, MissingData};
use puls_core::stats::Verdict;
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::format_ms;

/// `better`, `worse`, `no_significant_change` or `not_enough_data`.
pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::NoSignificantChange => "no_significant_change",
        Verdict::NotEnoughData => "not_enough_data",
    }
}

/// A metric's value for one group and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MetricValue)]
pub struct MetricValueDto {
    /// Responses counted.
    pub n: u64,
    /// NPS (−100…100), CSAT (% of 4–5), CES or rating mean; `null` without responses.
    pub value: Option<f64>,
    /// The interval of `value` at the requested confidence; `null` when it cannot be
    /// computed (no responses; a mean needs two).
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// `n` is below the minimum sample size (`min_n`): read the value with care.
    pub small_sample: bool,
    /// NPS: percent promoters (9–10), passives (7–8), detractors (0–6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promoters: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passives: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detractors: Option<f64>,
    /// CSAT: the mean score (1–5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// CES: percent of 5–7 ("easy") answers; rating: percent at the top score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_5_to_7: Option<f64>,
    /// CES: the Wilson interval of `share_5_to_7`, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_5_to_7_ci_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_5_to_7_ci_high: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_box: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top2_box: Option<f64>,
    /// `[score, count]` for every score of the scale.
    pub distribution: Vec<[i64; 2]>,
}

/// The change from the previous period to this one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeDto {
    /// `value − previous.value`, in the metric's unit.
    pub difference: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Two-sided p-value of the test (NPS: adjusted-Wald t for a difference; CSAT:
    /// two-proportion z; means: Welch's t).
    pub p_value: Option<f64>,
    /// `better`, `worse`, `no_significant_change` or `not_enough_data`.
    pub verdict: String,
}

/// One result row.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MetricRow)]
pub struct MetricRowDto {
    /// The group: one entry per `by` dimension (time buckets by their first local day,
    /// `YYYY-MM-DD`; `null` for "not answered" or "no such attribute").
    #[schema(value_type = Object)]
    pub keys: BTreeMap<String, Option<String>>,
    #[serde(flatten)]
    pub current: MetricValueDto,
    /// The same group in the previous bucket or period (`null` with `compare=none`).
    pub previous: Option<MetricValueDto>,
    pub change: Option<ChangeDto>,
    /// Under a time grouping (`day`, `week`, `month`): the part of the bucket inside the
    /// period; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<BucketDto>,
}

/// The part of a time bucket a row counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BucketDto {
    /// The bucket clipped to the period (RFC 3339; `to` exclusive).
    pub from: String,
    pub to: String,
    /// The bucket reaches outside the period (the first or last week or month cut by `from`
    /// or `to`): it counts only the days inside, fewer than a whole bucket.
    pub partial: bool,
}

/// The answer of `GET /api/v1/metrics`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MetricsReport)]
pub struct MetricsReportDto {
    pub metric: String,
    /// The questions read, as `SURVEY:QUESTION`.
    pub questions: Vec<String>,
    /// The period (RFC 3339; `to` exclusive). Time buckets are clipped to it.
    pub from: String,
    pub to: String,
    /// The period `total` is compared with.
    pub previous_from: String,
    pub previous_to: String,
    pub time_zone: String,
    pub group_by: Vec<String>,
    pub confidence: f64,
    pub min_n: u64,
    /// Groups with responses in this period, sorted by their keys.
    pub rows: Vec<MetricRowDto>,
    /// The whole period, ungrouped.
    pub total: MetricRowDto,
}

impl From<&MetricValue> for MetricValueDto {
    fn from(v: &MetricValue) -> Self {
        MetricValueDto {
            n: v.n,
            value: v.value,
            ci_low: v.ci_low,
            ci_high: v.ci_high,
            small_sample: v.small_sample,
            promoters: v.promoters,
            passives: v.passives,
            detractors: v.detractors,
            mean: v.mean,
            share_5_to_7: v.share_5_to_7,
            share_5_to_7_ci_low: v.share_5_to_7_ci_low,
            share_5_to_7_ci_high: v.share_5_to_7_ci_high,
            top_box: v.top_box,
            top2_box: v.top2_box,
            distribution: v.distribution.clone(),
        }
    }
}

impl From<&MetricChange> for ChangeDto {
    fn from(c: &MetricChange) -> Self {
        ChangeDto {
            difference: c.difference,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            p_value: c.p_value,
            verdict: verdict_name(c.verdict).into(),
        }
    }
}

impl From<&MetricRow> for MetricRowDto {
    fn from(r: &MetricRow) -> Self {
        MetricRowDto {
            keys: r.keys.clone(),
            current: (&r.current).into(),
            previous: r.previous.as_ref().map(Into::into),
            change: r.change.as_ref().map(Into::into),
            bucket: r.bucket.map(|b| BucketDto {
                from: format_ms(b.from_ms),
                to: format_ms(b.to_ms),
                partial: b.partial,
            }),
        }
    }
}

impl From<&MetricsReport> for MetricsReportDto {
    fn from(r: &MetricsReport) -> Self {
        MetricsReportDto {
            metric: r.metric.as_str().into(),
            questions: r.questions.clone(),
            from: format_ms(r.from_ms),
            to: format_ms(r.to_ms),
            previous_from: format_ms(r.previous_from_ms),
            previous_to: format_ms(r.previous_to_ms),
            time_zone: r.time_zone.clone(),
            group_by: r.group_by.clone(),
            confidence: r.confidence,
            min_n: r.min_n,
            rows: r.rows.iter().map(Into::into).collect(),
            total: (&r.total).into(),
        }
    }
}

/// One driver's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DriverDto {
    pub key: String,
    /// Shapley share of the model R², in R² units.
    pub importance: f64,
    /// `importance` in percent of the model R² (drivers sum to 100); `null` when R² is 0.
    pub share: Option<f64>,
    /// Pearson correlation with the outcome (gives the direction importance lacks).
    pub correlation: Option<f64>,
    /// Mean answer rescaled to 0–100 by the driver's scale.
    pub performance: Option<f64>,
    /// Respondents answering both the outcome and this driver.
    pub n: usize,
    /// `fix_first`, `keep_up`, `maintain` or `lower_priority`; `null` when excluded.
    /// Drivers whose importance intervals overlap are never on different sides of the
    /// importance split.
    pub quadrant: Option<String>,
    /// Why it was left out of the model: `no_answers` or `constant`.
    pub excluded: Option<String>,
    /// The percentile bootstrap interval of `importance` (200 Poisson-bootstrap resamples,
    /// seeded, at the report's confidence); `null` when excluded.
    pub importance_ci_low: Option<f64>,
    pub importance_ci_high: Option<f64>,
    /// The same for `share`, in percent.
    pub share_ci_low: Option<f64>,
    pub share_ci_high: Option<f64>,
}

/// The answer of `GET /api/v1/drivers`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DriversReport)]
pub struct DriversReportDto {
    pub outcome: String,
    pub from: String,
    pub to: String,
    /// Respondents who answered the outcome.
    pub n: usize,
    /// Respondents who answered every driver in the model.
    pub n_complete: usize,
    /// `n_complete` is below `min_n` (the model rests on the respondents who answered
    /// every driver).
    pub small_sample: bool,
    /// R² of the model with every driver.
    pub r_squared: f64,
    /// `pairwise` or `listwise` (when the pairwise correlation matrix was not positive
    /// semidefinite).
    pub method: String,
    /// The quadrant split: mean importance and mean performance of the drivers in the model.
    pub mean_importance: f64,
    pub mean_performance: f64,
    pub drivers: Vec<DriverDto>,
}

impl From<&DriverResult> for DriverDto {
    fn from(d: &DriverResult) -> Self {
        DriverDto {
            key: d.key.clone(),
            importance: d.importance,
            share: d.share,
            correlation: d.correlation,
            performance: d.performance,
            n: d.n,
            quadrant: d.quadrant.map(|q| q.as_str().into()),
            excluded: d.excluded.map(|e| {
                match e {
                    Excluded::NoAnswers => "no_answers",
                    Excluded::Constant => "constant",
                }
                .into()
            }),
            importance_ci_low: d.importance_ci.map(|c| c.0),
            importance_ci_high: d.importance_ci.map(|c| c.1),
            share_ci_low: d.share_ci.map(|c| c.0),
            share_ci_high: d.share_ci.map(|c| c.1),
        }
    }
}

impl From<&DriversReport> for DriversReportDto {
    fn from(r: &DriversReport) -> Self {
        DriversReportDto {
            outcome: r.outcome.clone(),
            from: format_ms(r.from_ms),
            to: format_ms(r.to_ms),
            n: r.n,
            n_complete: r.n_complete,
            small_sample: r.small_sample,
            r_squared: r.r_squared,
            method: match r.method {
                MissingData::Pairwise => "pairwise",
                MissingData::Listwise => "listwise",
            }
            .into(),
            mean_importance: r.mean_importance,
            mean_performance: r.mean_performance,
            drivers: r.drivers.iter().map(Into::into).collect(),
        }
    }
}

/// Category shares in percent.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = KanoShares)]
pub struct KanoSharesDto {
    pub attractive: f64,
    pub one_dimensional: f64,
    pub must_be: f64,
    pub indifferent: f64,
    pub reverse: f64,
    pub questionable: f64,
}

/// One Kano feature's summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = KanoFeature)]
pub struct KanoFeatureDto {
    pub question: String,
    /// The feature's text in the survey's default language.
    pub feature: String,
    /// Respondents who answered both halves.
    pub n: u64,
    pub small_sample: bool,
    /// `null` without answers.
    pub shares: Option<KanoSharesDto>,
    /// `attractive`, `one_dimensional`, `must_be`, `indifferent`, `reverse` or
    /// `questionable` (ties: must-be > one-dimensional > attractive > indifferent).
    pub dominant: Option<String>,
    /// Dominant share minus the runner-up's, in points; below about 6 the result is mixed.
    pub category_strength: Option<f64>,
    /// (A + O) / (A + O + M + I), 0 to 1.
    pub better: Option<f64>,
    /// −(O + M) / (A + O + M + I), −1 to 0.
    pub worse: Option<f64>,
}

/// The answer of `GET /api/v1/surveys/{id}/kano`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = KanoReport)]
pub struct KanoReportDto {
    pub survey: String,
    pub from: String,
    pub to: String,
    pub features: Vec<KanoFeatureDto>,
}

impl From<&KanoShares> for KanoSharesDto {
    fn from(s: &KanoShares) -> Self {
        KanoSharesDto {
            attractive: s.attractive,
            one_dimensional: s.one_dimensional,
            must_be: s.must_be,
            indifferent: s.indifferent,
            reverse: s.reverse,
            questionable: s.questionable,
        }
    }
}

impl From<&KanoFeature> for KanoFeatureDto {
    fn from(f: &KanoFeature) -> Self {
        KanoFeatureDto {
            question: f.question.clone(),
            feature: f.feature.clone(),
            n: f.n,
            small_sample: f.small_sample,
            shares: f.shares.as_ref().map(Into::into),
            dominant: f.dominant.map(|c| c.as_str().to_string()),
            category_strength: f.category_strength,
            better: f.better,
            worse: f.worse,
        }
    }
}

impl From<&KanoReport> for KanoReportDto {
    fn from(r: &KanoReport) -> Self {
        KanoReportDto {
            survey: r.survey.clone(),
            from: format_ms(r.from_ms),
            to: format_ms(r.to_ms),
            features: r.features.iter().map(Into::into).collect(),
        }
    }
}

/// Counts of one stage of one group, in one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StageCounts)]
pub struct StageCountsDto {
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
#[schema(as = FunnelRow)]
pub struct FunnelRowDto {
    pub stage: String,
    pub name: String,
    /// The breakdown's value (`null` for the whole funnel).
    pub group: Option<String>,
    #[serde(flatten)]
    pub counts: StageCountsDto,
    /// Of `converted`, the identified contacts ("people"); `converted − people` are
    /// anonymous visitors (persons known only by a browser or device id).
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
    pub previous: Option<StageCountsDto>,
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
    pub rows: Vec<FunnelRowDto>,
    pub paths: Vec<DropOffDto>,
}

impl From<&StageCounts> for StageCountsDto {
    fn from(c: &StageCounts) -> Self {
        StageCountsDto {
            entered: c.entered,
            converted: c.converted,
            conversion_rate: c.conversion_rate,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
        }
    }
}

impl From<&FunnelRow> for FunnelRowDto {
    fn from(r: &FunnelRow) -> Self {
        FunnelRowDto {
            stage: r.stage.clone(),
            name: r.name.clone(),
            group: r.group.clone(),
            counts: (&r.counts).into(),
            people: r.people,
            drop_off: r.drop_off,
            overall_rate: r.overall_rate,
            overall_ci_low: r.overall_ci_low,
            overall_ci_high: r.overall_ci_high,
            median_time_to_convert_seconds: r.median_time_to_convert_seconds,
            p90_time_to_convert_seconds: r.p90_time_to_convert_seconds,
            small_sample: r.small_sample,
            previous: r.previous.as_ref().map(Into::into),
            change: r.change.as_ref().map(Into::into),
        }
    }
}

impl From<&DropOff> for DropOffDto {
    fn from(d: &DropOff) -> Self {
        DropOffDto {
            after_stage: d.after_stage.clone(),
            dropped: d.dropped,
            paths: d
                .paths
                .iter()
                .map(|p| PathDto {
                    touchpoints: p.touchpoints.clone(),
                    subjects: p.subjects,
                    share: p.share,
                })
                .collect(),
        }
    }
}

impl From<&Funnel> for FunnelDto {
    fn from(f: &Funnel) -> Self {
        FunnelDto {
            journey: f.journey.clone(),
            from: format_ms(f.from_ms),
            to: format_ms(f.to_ms),
            previous_from: f.previous_from_ms.map(format_ms),
            previous_to: f.previous_to_ms.map(format_ms),
            time_zone: f.time_zone.clone(),
            window_days: f.window_days,
            stages: f.stages.clone(),
            by: f.by.as_ref().map(|b| b.name()),
            segments: f.segments.clone(),
            confidence: f.confidence,
            min_n: f.min_n,
            rows: f.rows.iter().map(Into::into).collect(),
            paths: f.paths.iter().map(Into::into).collect(),
        }
    }
}

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

impl RateDto {
    /// A share with its Wilson interval, in percent.
    pub fn of(p: &puls_core::stats::Proportion) -> RateDto {
        RateDto {
            count: p.count,
            n: p.n,
            value: p.value,
            ci_low: p.interval.map(|i| i.low),
            ci_high: p.interval.map(|i| i.high),
            small_sample: p.small_sample,
        }
    }
}

/// One touchpoint on the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MapTouchpoint)]
pub struct MapTouchpointDto {
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
    /// Of `reached`, the identified contacts ("people"); the rest are anonymous visitors.
    pub people: u64,
    pub drop_off: RateDto,
    pub nps: Option<MetricValueDto>,
    pub csat: Option<MetricValueDto>,
    pub ces: Option<MetricValueDto>,
    /// Share of NPS detractors (0–6), in percent.
    pub detractor_share: Option<RateDto>,
    /// `good`, `watch`, `poor` or `unknown`: its own NPS (else CSAT), when not a small
    /// sample, against the journey's target (default NPS 30, CSAT 80 %): at or above good,
    /// up to 20 NPS points (10 CSAT points) below watch, further below poor. Raw drop-off
    /// never judges health; a drop-off significantly above the same touchpoint's in the
    /// period before (by 5+ points watch, 10+ poor) does, when that is worse. `unknown`:
    /// no feedback of its own (or too little) and no such rise.
    pub health: String,
    /// What `health` rests on: `{metric, value, target}`; absent when `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_reason: Option<HealthReasonDto>,
}

/// What a touchpoint's health rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthReasonDto {
    /// `nps`, `csat` or `drop_off`.
    pub metric: String,
    /// The value now; `target`: the journey's target, or for `drop_off` the same
    /// touchpoint's drop-off in the period before (percent).
    pub value: f64,
    pub target: f64,
}

/// One stage on the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MapStage)]
pub struct MapStageDto {
    pub key: String,
    pub name: String,
    /// A side stage (a service loop such as support or returns): off the main path, so no
    /// drop-off or conversion is measured through it.
    pub side: bool,
    /// Main path: journey entrants who reached the stage within the window. Side stage:
    /// journey entrants who entered it. Entrants are persons: identified contacts and
    /// anonymous visitors alike.
    pub reached: u64,
    /// Main path: of `reached`, the identified contacts ("people"); the rest are anonymous
    /// visitors. Absent for a side stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<u64>,
    /// A side stage: of those who entered it, how many reached the next main stage within
    /// `return_days` of entering it (came back to the main path); absent for main stages
    /// and when none follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<u64>,
    /// With `returned`: the days counted from entering the side stage (the stage's
    /// `return_within_days`, or the journey's conversion window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_days: Option<i64>,
    pub touchpoints: Vec<MapTouchpointDto>,
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
    pub stages: Vec<MapStageDto>,
}

impl From<&Rate> for RateDto {
    fn from(r: &Rate) -> Self {
        RateDto {
            count: r.count,
            n: r.n,
            value: r.value,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            small_sample: r.small_sample,
        }
    }
}

impl From<&MapTouchpoint> for MapTouchpointDto {
    fn from(t: &MapTouchpoint) -> Self {
        MapTouchpointDto {
            key: t.key.clone(),
            name: t.name.clone(),
            channel: t.channel.clone(),
            moment_of_truth: t.moment_of_truth,
            surveys: t.surveys.clone(),
            events: t.events,
            subjects: t.subjects,
            reached: t.reached,
            people: t.people,
            drop_off: (&t.drop_off).into(),
            nps: t.nps.as_ref().map(Into::into),
            csat: t.csat.as_ref().map(Into::into),
            ces: t.ces.as_ref().map(Into::into),
            detractor_share: t.detractor_share.as_ref().map(Into::into),
            health: t.health.as_str().into(),
            health_reason: t.health_reason.map(|r| HealthReasonDto {
                metric: r.metric.into(),
                value: r.value,
                target: r.target,
            }),
        }
    }
}

impl From<&MapStage> for MapStageDto {
    fn from(s: &MapStage) -> Self {
        MapStageDto {
            key: s.key.clone(),
            name: s.name.clone(),
            side: s.side,
            reached: s.reached,
            people: s.people,
            returned: s.returned,
            return_days: s.return_days,
            touchpoints: s.touchpoints.iter().map(Into::into).collect(),
        }
    }
}

impl From<&JourneyMap> for JourneyMapDto {
    fn from(m: &JourneyMap) -> Self {
        JourneyMapDto {
            journey: m.journey.clone(),
            name: m.name.clone(),
            from: format_ms(m.from_ms),
            to: format_ms(m.to_ms),
            time_zone: m.time_zone.clone(),
            window_days: m.window_days,
            segments: m.segments.clone(),
            confidence: m.confidence,
            min_n: m.min_n,
            stages: m.stages.iter().map(Into::into).collect(),
        }
    }
}

/// A share or an index with its interval (`null`s without answers).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EstimateDto {
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Fewer answers than `min_n`: read with care.
    pub small_sample: bool,
}

/// Answers by sentiment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SentimentCountsDto {
    pub negative: u64,
    pub neutral: u64,
    pub positive: u64,
}

/// One aspect of the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AspectReportDto {
    /// `delivery`, `price`, ...
    pub name: String,
    /// Answers naming it, this period and the previous one, by sentiment.
    pub mentions: SentimentCountsDto,
    pub previous_mentions: SentimentCountsDto,
    /// Its share of the answers read, in percent (Wilson interval).
    pub share: EstimateDto,
    /// % positive − % negative of the answers naming it (adjusted Wald interval, as NPS).
    pub net_sentiment: EstimateDto,
    /// Changes against the previous period: the share in percentage points (two-proportion
    /// test), the net sentiment in points (the NPS difference test).
    pub share_change: ChangeDto,
    pub net_sentiment_change: ChangeDto,
}

/// A topic whose share rose significantly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicDto {
    /// `aspect` or `word`.
    pub kind: String,
    /// The aspect's name, or the word as most often written.
    pub name: String,
    /// Answers naming it in the last seven days and the seven before.
    pub count: u64,
    pub previous: u64,
    /// The change of its share, in percentage points, significant after the
    /// Benjamini–Hochberg correction over every topic tested in the language.
    pub change: ChangeDto,
}

/// The trending topics of one language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendingDto {
    pub language: String,
    pub analysed: u64,
    pub previous_analysed: u64,
    pub topics: Vec<TopicDto>,
}

/// What customers write about: aspects ranked by how often they come up, with their net
/// sentiment and changes, and trending topics.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TextReportDto {
    /// Whether text analysis is installed (without it, everything below is empty).
    pub installed: bool,
    /// The analysis the counts come from (answers read by another are not counted).
    pub analysis_version: Option<String>,
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    /// Open answers read this period and the previous one.
    pub analysed: u64,
    pub previous_analysed: u64,
    pub sentiment: SentimentCountsDto,
    pub previous_sentiment: SentimentCountsDto,
    /// Most named first.
    pub aspects: Vec<AspectReportDto>,
    /// The seven days up to `to` against the seven before.
    pub trend_from: String,
    pub trending: Vec<TrendingDto>,
    pub confidence: f64,
    pub min_n: u64,
}

fn counts_dto(m: &puls_core::stats::Mentions) -> SentimentCountsDto {
    SentimentCountsDto {
        negative: m.negative,
        neutral: m.neutral,
        positive: m.positive,
    }
}

fn change_dto(c: &puls_core::stats::Change) -> ChangeDto {
    (&MetricChange::from(*c)).into()
}

impl From<&TextReport> for TextReportDto {
    fn from(r: &TextReport) -> Self {
        let estimate = |value: Option<f64>,
                        interval: Option<puls_core::stats::Interval>,
                        small: bool| EstimateDto {
            value,
            ci_low: interval.map(|i| i.low),
            ci_high: interval.map(|i| i.high),
            small_sample: small,
        };
        TextReportDto {
            installed: r.analysis_version.is_some(),
            analysis_version: r.analysis_version.clone(),
            from: format_ms(r.from_ms),
            to: format_ms(r.to_ms),
            previous_from: format_ms(r.previous_from_ms),
            previous_to: format_ms(r.previous_to_ms),
            analysed: r.analysed,
            previous_analysed: r.previous_analysed,
            sentiment: counts_dto(&r.sentiment),
            previous_sentiment: counts_dto(&r.previous_sentiment),
            aspects: r
                .aspects
                .iter()
                .map(|a| AspectReportDto {
                    name: a.name.clone(),
                    mentions: counts_dto(&a.current),
                    previous_mentions: counts_dto(&a.previous),
                    share: estimate(
                        a.stat.share.value,
                        a.stat.share.interval,
                        a.stat.share.small_sample,
                    ),
                    net_sentiment: estimate(
                        a.stat.net.value,
                        a.stat.net.interval,
                        a.stat.net.small_sample,
                    ),
                    share_change: change_dto(&a.stat.share_change),
                    net_sentiment_change: change_dto(&a.stat.net_change),
                })
                .collect(),
            trend_from: format_ms(r.trend_from_ms),
            trending: r
                .trending
                .iter()
                .map(|t| TrendingDto {
                    language: t.language.clone(),
                    analysed: t.analysed,
                    previous_analysed: t.previous_analysed,
                    topics: t
                        .topics
                        .iter()
                        .map(|x| TopicDto {
                            kind: match x.kind {
                                TopicKind::Aspect => "aspect".into(),
                                TopicKind::Term => "word".into(),
                            },
                            name: x.name.clone(),
                            count: x.count,
                            previous: x.previous,
                            change: change_dto(&x.change),
                        })
                        .collect(),
                })
                .collect(),
            confidence: r.options.confidence.level(),
            min_n: r.options.min_n,
        }
    }
}
