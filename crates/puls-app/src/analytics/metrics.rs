//! `GET /api/v1/metrics` and `puls report`: NPS, CSAT, CES or any rating by period and
//! segment, each row with its count, interval, small-sample flag and the change against the
//! previous period.
//!
//! Which question a metric reads: `question=` names one (a matrix row as `QUESTION.ROW`);
//! otherwise each survey contributes its first question of the metric's kind (its first `nps`
//! question for NPS), so one NPS spans every survey that asks it, each respondent counted
//! once.
//!
//! Time buckets hold only the period's responses: a week or month cut by `from` or `to` is
//! clipped to the period and marked partial, so no bucket counts days outside it and the rows
//! sum to the total.
//!
//! The previous period: for a time grouping, each bucket is compared with the whole bucket
//! before it (same other keys); otherwise each group is compared with the same group over the
//! period of equal length just before. The `total` row always compares with the period of
//! equal length before.

use std::collections::BTreeMap;

use puls_core::WorkspaceId;
use puls_core::stats::{self, Change, Distribution, Verdict};
use puls_core::{QuestionId, QuestionKind};
use puls_index::{
    FactIndex, Filter, GroupBy, GroupKey, GroupValue, Query, QuestionKey, TimeBuckets, TimeUnit,
};

use super::params::{Scope, index_error};
use super::{Analytics, Options};
use crate::error::{AppError, Rejection};

/// What a metrics report measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Nps,
    Csat,
    Ces,
    Rating,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Nps => "nps",
            Metric::Csat => "csat",
            Metric::Ces => "ces",
            Metric::Rating => "rating",
        }
    }

    fn takes(self, kind: &QuestionKind) -> bool {
        matches!(
            (self, kind),
            (Metric::Nps, QuestionKind::Nps)
                | (Metric::Csat, QuestionKind::Csat)
                | (Metric::Ces, QuestionKind::Ces)
        )
    }
}

/// The grouping by a response's case's root cause (`by=root_cause`).
pub const ROOT_CAUSE: &str = "root_cause";
/// The grouping by what text analysis read in a response's open answers (`by=sentiment`):
/// `neg` when one of them reads negative, else `pos` when one reads positive, else `neu`;
/// responses without analysed answers form the group `null`.
pub const SENTIMENT: &str = "sentiment";
/// Labels `aspect:NAME` (or `aspect:NAME:SENTIMENT`) mark with `yes` the responses with an
/// open answer about the aspect (spoken of with that sentiment): the `aspect` filter.
pub const ASPECT_PREFIX: &str = "aspect:";

/// One analysed open answer: its sentiment, and its aspects with theirs.
type Answer<'a> = (&'a str, Vec<(String, String)>);

/// Whether labels of this name are filled by the application (else they came whole).
fn bound_here(name: &str) -> bool {
    name == ROOT_CAUSE || name == SENTIMENT || name.starts_with(ASPECT_PREFIX)
}

/// The key name of a grouping in result rows (its `by` word).
fn by_name(g: &GroupBy) -> String {
    match g {
        GroupBy::Time(b) => match b.unit() {
            TimeUnit::Day => "day".into(),
            TimeUnit::Week => "week".into(),
            TimeUnit::Month => "month".into(),
        },
        GroupBy::Touchpoint => "touchpoint".into(),
        GroupBy::Channel => "channel".into(),
        GroupBy::Survey => "survey".into(),
        GroupBy::Locale => "locale".into(),
        GroupBy::Choice(q) => format!("choice:{q}"),
        GroupBy::Attribute(k) => format!("attribute:{k}"),
        GroupBy::Labels(l) => l.name.clone(),
    }
}

/// A parsed metrics request.
#[derive(Debug, Clone)]
pub struct MetricsRequest {
    pub metric: Metric,
    pub question: Option<QuestionKey>,
    pub by: Vec<GroupBy>,
    pub compare: bool,
    pub scope: Scope,
}

/// A metric's value for one group and period (see the API's `MetricValue` for each field).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    /// Responses counted.
    pub n: u64,
    /// NPS (−100…100), CSAT (% of 4–5), CES or rating mean; `None` without responses.
    pub value: Option<f64>,
    /// The interval of `value`; `None` when it cannot be computed.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// `n` is below the minimum sample size.
    pub small_sample: bool,
    /// NPS: percent promoters, passives, detractors.
    pub promoters: Option<f64>,
    pub passives: Option<f64>,
    pub detractors: Option<f64>,
    /// CSAT: the mean score.
    pub mean: Option<f64>,
    /// CES: percent of 5–7 answers, with its Wilson interval.
    pub share_5_to_7: Option<f64>,
    pub share_5_to_7_ci_low: Option<f64>,
    pub share_5_to_7_ci_high: Option<f64>,
    /// Rating: percent at the top score and the top two.
    pub top_box: Option<f64>,
    pub top2_box: Option<f64>,
    /// `[score, count]` for every score of the scale.
    pub distribution: Vec<[i64; 2]>,
}

/// The change from a previous period (or bucket) to this one.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChange {
    /// `value − previous.value`, in the metric's unit.
    pub difference: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Two-sided p-value of the test.
    pub p_value: Option<f64>,
    pub verdict: Verdict,
}

impl From<Change> for MetricChange {
    fn from(c: Change) -> Self {
        MetricChange {
            difference: c.difference,
            ci_low: c.interval.map(|i| i.low),
            ci_high: c.interval.map(|i| i.high),
            p_value: c.p_value,
            verdict: c.verdict,
        }
    }
}

/// One result row: a group, its value, and its comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// One entry per `by` dimension (time buckets by their first local day, `YYYY-MM-DD`;
    /// `None` for "not answered" or "no such attribute").
    pub keys: BTreeMap<String, Option<String>>,
    pub current: MetricValue,
    /// The same group in the previous bucket or period (`None` without a comparison).
    pub previous: Option<MetricValue>,
    pub change: Option<MetricChange>,
    /// Under a time grouping: the part of the bucket inside the period.
    pub bucket: Option<BucketSpan>,
}

/// The part of a time bucket a row counts: the bucket clipped to the report's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSpan {
    pub from_ms: i64,
    pub to_ms: i64,
    /// The bucket reaches outside the period (a week cut by `from` or `to`), so it holds
    /// fewer days than a whole one.
    pub partial: bool,
}

/// A metrics report.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsReport {
    pub metric: Metric,
    /// The questions read, as `SURVEY:QUESTION`.
    pub questions: Vec<String>,
    /// The period (Unix ms).
    pub from_ms: i64,
    pub to_ms: i64,
    /// The period `total` is compared with.
    pub previous_from_ms: i64,
    pub previous_to_ms: i64,
    pub time_zone: String,
    /// The `by` words.
    pub group_by: Vec<String>,
    pub confidence: f64,
    pub min_n: u64,
    /// Groups with responses in this period, sorted by their keys.
    pub rows: Vec<MetricRow>,
    /// The whole period, ungrouped.
    pub total: MetricRow,
}

/// Which surveys each question key is read from (`None`: any survey), and whether the scan
/// must filter by them (only when another survey has a question with the same id).
struct Source {
    key: QuestionKey,
    surveys: Option<Vec<String>>,
    restrict: bool,
}

type Sources = Vec<Source>;

impl Analytics {
    /// Runs a metrics request over the workspace's current data.
    pub async fn metrics(
        &self,
        workspace_id: WorkspaceId,
        req: MetricsRequest,
    ) -> Result<MetricsReport, AppError> {
        let sources = self.sources(workspace_id, &req).await?;
        let ws = self.fresh(workspace_id).await?;
        let mut req = req;
        self.bind_segments(workspace_id, &mut req.scope, &ws)
            .await?;
        self.bind_labels(workspace_id, &mut req.by).await?;
        tokio::task::spawn_blocking(move || compute(&ws.read(), &req, &sources))
            .await
            .map_err(|e| anyhow::anyhow!("metrics thread: {e}"))?
    }

    /// The labels `root_cause` stands for: each case's root cause on the response it was
    /// opened for.
    async fn root_cause_labels(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<std::sync::Arc<puls_index::RowLabels>, AppError> {
        let pairs = self.store().case_root_causes(workspace_id).await?;
        Ok(std::sync::Arc::new(puls_index::RowLabels::new(
            ROOT_CAUSE,
            pairs.iter().map(|(r, c)| (r.as_str(), c.as_str())),
        )))
    }

    /// The labels named `name`: root causes, or what text analysis read.
    async fn labels_named(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<std::sync::Arc<puls_index::RowLabels>, AppError> {
        if name == ROOT_CAUSE {
            return self.root_cause_labels(workspace_id).await;
        }
        if let Some(wanted) = name.strip_prefix(ASPECT_PREFIX) {
            let aspect = wanted.split_once(':').map_or(wanted, |(a, _)| a);
            crate::text_aspects::check_name(self.store().as_ref(), workspace_id, "aspect", aspect)
                .await?;
        }
        let rows = self.store().text_readings(workspace_id).await?;
        // Each response's answers: sentiments, and aspects with theirs.
        let mut by_response: BTreeMap<&str, Vec<Answer<'_>>> = BTreeMap::new();
        for (id, sentiment, aspects) in &rows {
            let read = crate::text_queue::parse_aspects(aspects);
            by_response
                .entry(id.as_str())
                .or_default()
                .push((sentiment.as_str(), read));
        }
        let labels: Vec<(&str, &str)> = if name == SENTIMENT {
            by_response
                .iter()
                .map(|(id, answers)| {
                    let has = |s: &str| answers.iter().any(|(x, _)| *x == s);
                    let label = if has("neg") {
                        "neg"
                    } else if has("pos") {
                        "pos"
                    } else {
                        "neu"
                    };
                    (*id, label)
                })
                .collect()
        } else {
            let wanted = name.trim_start_matches(ASPECT_PREFIX);
            let (aspect, sentiment) = match wanted.split_once(':') {
                Some((a, s)) => (a, Some(s)),
                None => (wanted, None),
            };
            by_response
                .iter()
                .filter(|(_, answers)| {
                    answers.iter().any(|(_, aspects)| {
                        aspects
                            .iter()
                            .any(|(n, s)| n == aspect && sentiment.is_none_or(|w| w == s))
                    })
                })
                .map(|(id, _)| (*id, "yes"))
                .collect()
        };
        Ok(std::sync::Arc::new(puls_index::RowLabels::new(
            name, labels,
        )))
    }

    /// Fills the groupings by root cause and by sentiment with their labels.
    pub(crate) async fn bind_labels(
        &self,
        workspace_id: WorkspaceId,
        by: &mut [GroupBy],
    ) -> Result<(), AppError> {
        for g in by.iter_mut() {
            if let GroupBy::Labels(l) = g
                && bound_here(&l.name)
                && l.is_empty()
            {
                let name = l.name.clone();
                *g = GroupBy::Labels(self.labels_named(workspace_id, &name).await?);
            }
        }
        Ok(())
    }

    /// Fills the filters by root cause, sentiment and aspect with their labels (each name
    /// read once).
    pub(crate) async fn bind_filter_labels(
        &self,
        workspace_id: WorkspaceId,
        filters: &mut [puls_index::Filter],
    ) -> Result<(), AppError> {
        let mut read: BTreeMap<String, std::sync::Arc<puls_index::RowLabels>> = BTreeMap::new();
        for f in filters.iter_mut() {
            if let puls_index::Filter::Labelled { labels, .. } = f
                && bound_here(&labels.name)
                && labels.is_empty()
            {
                let name = labels.name.clone();
                if !read.contains_key(&name) {
                    let l = self.labels_named(workspace_id, &name).await?;
                    read.insert(name.clone(), l);
                }
                *labels = read[&name].clone();
            }
        }
        Ok(())
    }

    async fn sources(
        &self,
        workspace_id: WorkspaceId,
        req: &MetricsRequest,
    ) -> Result<Sources, AppError> {
        if let Some(q) = &req.question {
            return Ok(vec![Source {
                key: q.clone(),
                surveys: None,
                restrict: false,
            }]);
        }
        let surveys = self.current_surveys(workspace_id).await?;
        let mut by_key: BTreeMap<QuestionId, Vec<String>> = BTreeMap::new();
        for (id, survey) in &surveys {
            if !req.scope.surveys.is_empty() && !req.scope.surveys.contains(id) {
                continue;
            }
            if let Some(q) = survey.questions.iter().find(|q| req.metric.takes(&q.kind)) {
                by_key.entry(q.id.clone()).or_default().push(id.clone());
            }
        }
        Ok(by_key
            .into_iter()
            .map(|(q, list)| {
                // Restrict the key to its surveys only where another survey also has a
                // question with that id; otherwise the restriction filters nothing out and
                // would cost a lookup per answer.
                let shared = surveys
                    .iter()
                    .any(|(id, s)| !list.contains(id) && s.question(&q).is_some());
                Source {
                    key: QuestionKey::question(q),
                    surveys: Some(list),
                    restrict: shared,
                }
            })
            .collect())
    }
}

fn compute(
    index: &FactIndex,
    req: &MetricsRequest,
    sources: &Sources,
) -> Result<MetricsReport, AppError> {
    let s = &req.scope;
    let o = &s.options;
    let tz = &s.time_zone;
    let buckets = req.by.iter().find_map(|b| match b {
        GroupBy::Time(t) => Some(t.clone()),
        _ => None,
    });
    let group_by = &req.by;
    let run = |from: i64, to: i64, group_by: &[GroupBy]| {
        distributions(index, sources, s.filters_for(from, to), group_by)
    };

    let (from, to) = (s.from_ms, s.to_ms);
    let (prev_from, prev_to) = (from - (to - from), from);

    // When every fact falls in exactly one group (no grouping by a multiple choice), the
    // totals are the sums of the groups, and need no scan of their own.
    let one_group_each = !req.by.iter().any(|g| matches!(g, GroupBy::Choice(_)));
    let mut sum_now: Option<Distribution> = None;
    let mut sum_prev: Option<Distribution> = None;
    let add = |sum: &mut Option<Distribution>, d: &Distribution| match sum {
        Some(s) => s
            .merge(d)
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e))),
        None => {
            *sum = Some(d.clone());
            Ok(())
        }
    };

    let mut rows = Vec::new();
    if let Some(bk) = &buckets {
        // Buckets hold only the period's responses: a first or last bucket that reaches
        // outside it is clipped and marked partial. Each is compared with the whole bucket
        // before it, so the first bucket's comparison reads the days before the period too.
        let current = run(from, to, group_by)?;
        let first = bk.bucket_of(from).map_err(index_error)?;
        let before = if req.compare {
            let start = bk.previous(&first).map_err(index_error)?.start_ms;
            run(start, from, group_by)?
        } else {
            BTreeMap::new()
        };
        let whole = |key: &GroupKey| -> Result<Option<Distribution>, AppError> {
            match (current.get(key), before.get(key)) {
                (Some(a), Some(b)) => {
                    let mut d = a.clone();
                    d.merge(b)
                        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
                    Ok(Some(d))
                }
                (a, b) => Ok(a.or(b).cloned()),
            }
        };
        let day = TimeBuckets::new(TimeUnit::Day, tz).map_err(index_error)?;
        for (key, d) in &current {
            let Some(bucket) = time_of(key) else { continue };
            add(&mut sum_now, d)?;
            let previous = if req.compare {
                let prev_bucket = bk.previous(bucket).map_err(index_error)?;
                let prev_key = GroupKey(
                    key.0
                        .iter()
                        .map(|v| match v {
                            GroupValue::Time(_) => GroupValue::Time(prev_bucket.clone()),
                            other => other.clone(),
                        })
                        .collect(),
                );
                Some(whole(&prev_key)?.unwrap_or_else(|| empty_like(d)))
            } else {
                None
            };
            let mut r = row(req, &req.by, key, d, previous.as_ref(), o, Some(&day))?;
            let end = bk.end_of(bucket).map_err(index_error)?;
            r.bucket = Some(BucketSpan {
                from_ms: bucket.start_ms.max(from),
                to_ms: end.min(to),
                partial: bucket.start_ms < from || end > to,
            });
            rows.push(r);
        }
    } else {
        let current = run(from, to, group_by)?;
        let previous = if req.compare {
            run(prev_from, prev_to, group_by)?
        } else {
            BTreeMap::new()
        };
        for d in previous.values() {
            add(&mut sum_prev, d)?;
        }
        for (key, d) in &current {
            add(&mut sum_now, d)?;
            let p = req
                .compare
                .then(|| previous.get(key).cloned().unwrap_or_else(|| empty_like(d)));
            rows.push(row(req, &req.by, key, d, p.as_ref(), o, None)?);
        }
    }

    // The total: ungrouped, against the period of equal length before.
    let empty = empty_for(req.metric, index, sources);
    let ungrouped = |from, to| -> Result<Distribution, AppError> {
        Ok(run(from, to, &[])?
            .into_values()
            .next()
            .unwrap_or_else(|| empty.clone()))
    };
    let total_now = match (one_group_each, sum_now) {
        (true, Some(d)) => d,
        (true, None) => empty.clone(),
        (false, _) => ungrouped(from, to)?,
    };
    let total_prev = match (req.compare, one_group_each && buckets.is_none(), sum_prev) {
        (false, _, _) => None,
        (true, true, Some(d)) => Some(d),
        (true, true, None) => Some(empty.clone()),
        (true, false, _) => Some(ungrouped(prev_from, prev_to)?),
    };
    let total = row(
        req,
        &[],
        &GroupKey(Vec::new()),
        &total_now,
        total_prev.as_ref(),
        o,
        None,
    )?;

    Ok(MetricsReport {
        metric: req.metric,
        questions: sources
            .iter()
            .flat_map(|src| match &src.surveys {
                None => vec![src.key.to_string()],
                Some(list) => list.iter().map(|s| format!("{s}:{}", src.key)).collect(),
            })
            .collect(),
        from_ms: from,
        to_ms: to,
        previous_from_ms: prev_from,
        previous_to_ms: prev_to,
        time_zone: tz.clone(),
        group_by: req.by.iter().map(by_name).collect(),
        confidence: o.confidence.level(),
        min_n: o.min_n,
        rows,
        total,
    })
}

/// Distributions per group, summed over the metric's question keys.
fn distributions(
    index: &FactIndex,
    sources: &Sources,
    filters: Vec<Filter>,
    group_by: &[GroupBy],
) -> Result<BTreeMap<GroupKey, Distribution>, AppError> {
    let mut out: BTreeMap<GroupKey, Distribution> = BTreeMap::new();
    for src in sources {
        let mut f = filters.clone();
        if let (true, Some(list)) = (src.restrict, &src.surveys) {
            f.push(Filter::Surveys(list.clone()));
        }
        let q = Query {
            question: src.key.clone(),
            filters: f,
            group_by: group_by.to_vec(),
        };
        for (g, d) in index.query(&q).map_err(index_error)? {
            match out.get_mut(&g) {
                Some(sum) => sum.merge(&d).map_err(|_| {
                    AppError::rejected(
                        Rejection::MixedScales,
                        "the questions read are on different scales; name one with question=",
                    )
                })?,
                None => {
                    out.insert(g, d);
                }
            }
        }
    }
    Ok(out)
}

fn time_of(key: &GroupKey) -> Option<&puls_index::TimeBucket> {
    key.0.iter().find_map(|v| match v {
        GroupValue::Time(b) => Some(b),
        _ => None,
    })
}

fn empty_like(d: &Distribution) -> Distribution {
    Distribution::new(d.min(), d.max()).expect("the scale of an existing distribution")
}

/// An empty distribution on the metric's scale (for a total without responses).
fn empty_for(metric: Metric, index: &FactIndex, sources: &Sources) -> Distribution {
    match metric {
        Metric::Nps => Distribution::nps(),
        Metric::Csat => Distribution::csat(),
        Metric::Ces => Distribution::ces(),
        Metric::Rating => sources
            .first()
            .and_then(|src| index.scale_of(&src.key))
            .and_then(|(lo, hi)| Distribution::new(lo, hi).ok())
            .unwrap_or_else(|| Distribution::new(1, 5).expect("a valid scale")),
    }
}

fn row(
    req: &MetricsRequest,
    by: &[GroupBy],
    key: &GroupKey,
    current: &Distribution,
    previous: Option<&Distribution>,
    o: &Options,
    day: Option<&TimeBuckets>,
) -> Result<MetricRow, AppError> {
    let keys = by
        .iter()
        .zip(&key.0)
        .map(|(b, v)| (by_name(b), key_text(v, day)))
        .collect();
    let change = previous
        .map(|p| compare(req.metric, current, p, o))
        .transpose()?;
    Ok(MetricRow {
        keys,
        current: value(req.metric, current, o)?,
        previous: previous.map(|p| value(req.metric, p, o)).transpose()?,
        change,
        bucket: None,
    })
}

fn key_text(v: &GroupValue, day: Option<&TimeBuckets>) -> Option<String> {
    match v {
        GroupValue::Time(b) => Some(
            day.and_then(|d| d.local_date(b.start_ms).ok())
                .unwrap_or_else(|| b.label.clone()),
        ),
        GroupValue::Touchpoint(s) | GroupValue::Survey(s) | GroupValue::Locale(s) => {
            Some(s.clone())
        }
        GroupValue::Channel(c) => Some(c.as_str().to_string()),
        GroupValue::Choice(c) | GroupValue::Attribute(c) => c.clone(),
    }
}

fn stats_error(e: stats::StatsError) -> AppError {
    AppError::rejected(
        Rejection::WrongScale,
        format!("{e}; name the question with question="),
    )
}

/// The metric of one distribution.
pub(crate) fn value(
    metric: Metric,
    d: &Distribution,
    o: &Options,
) -> Result<MetricValue, AppError> {
    let mut v = MetricValue {
        n: d.n(),
        value: None,
        ci_low: None,
        ci_high: None,
        small_sample: d.n() < o.min_n,
        promoters: None,
        passives: None,
        detractors: None,
        mean: None,
        share_5_to_7: None,
        share_5_to_7_ci_low: None,
        share_5_to_7_ci_high: None,
        top_box: None,
        top2_box: None,
        distribution: d.counts().map(|(s, c)| [s, c as i64]).collect(),
    };
    let interval = match metric {
        Metric::Nps => {
            let r = stats::nps(d, o).map_err(stats_error)?;
            v.value = r.value;
            if r.n > 0 {
                (v.promoters, v.passives, v.detractors) =
                    (Some(r.promoters), Some(r.passives), Some(r.detractors));
            }
            r.interval
        }
        Metric::Csat => {
            let r = stats::csat(d, o).map_err(stats_error)?;
            (v.value, v.mean) = (r.value, r.mean);
            r.interval
        }
        Metric::Ces => {
            let r = stats::ces(d, o).map_err(stats_error)?;
            (v.value, v.share_5_to_7) = (r.mean, r.share_5_to_7);
            (v.share_5_to_7_ci_low, v.share_5_to_7_ci_high) = (
                r.share_interval.map(|i| i.low),
                r.share_interval.map(|i| i.high),
            );
            r.interval
        }
        Metric::Rating => {
            let r = stats::rating(d, o);
            (v.value, v.top_box, v.top2_box) = (r.mean, r.top_box, r.top2_box);
            r.interval
        }
    };
    v.ci_low = interval.map(|i| i.low);
    v.ci_high = interval.map(|i| i.high);
    Ok(v)
}

fn compare(
    metric: Metric,
    current: &Distribution,
    previous: &Distribution,
    o: &Options,
) -> Result<MetricChange, AppError> {
    let c: Change = match metric {
        Metric::Nps => stats::compare_nps(current, previous, o),
        Metric::Csat => stats::compare_csat(current, previous, o),
        Metric::Ces | Metric::Rating => stats::compare_mean(current, previous, o),
    }
    .map_err(stats_error)?;
    Ok(c.into())
}
