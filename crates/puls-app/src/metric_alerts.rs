//! Metric alert rules: a score (NPS, CSAT, CES) of each touchpoint, channel or survey,
//! watched period by period in the workspace's time zone. At a time `at`, the last complete
//! week or month is compared with the one before by the metrics report's own change test;
//! a `drop` rule alarms for the groups whose fall is a discovery of Benjamini–Hochberg
//! across the groups it watches (at its false discovery rate), a `below` rule for those
//! under its threshold, each only with enough answers.
//!
//! Each alarm is an `alert.fired` webhook and e-mails whose ids are derived from the rule,
//! the period and the group: every node may evaluate (on its own schedule), and each alarm
//! is sent once per rule, group and period, which is also the rule's throttle.

use puls_core::WorkspaceId;
use puls_core::alert::{AlertRule, ScoreMetric, WatchBy, WatchPeriod, WatchTest};
use puls_core::stats::benjamini_hochberg;
use puls_index::{GroupBy, TimeBuckets, TimeUnit};
use puls_store::{DefinitionKind, NewJob};

use crate::analytics::metrics::{Metric, MetricsRequest};
use crate::analytics::params::Scope;
use crate::notifications::AlertMail;
use crate::{App, AppError};

/// One watched group's result for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFinding {
    pub rule: String,
    /// The group's key (a touchpoint, channel or survey id).
    pub group: String,
    /// The period (Unix ms) and the one it is compared with.
    pub from_ms: i64,
    pub to_ms: i64,
    pub previous_from_ms: i64,
    /// The period's label in the workspace's zone: `2026-08` (month), `2026-W33` (week).
    pub period: String,
    pub n: u64,
    pub previous_n: u64,
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub previous: Option<f64>,
    pub difference: Option<f64>,
    pub p_value: Option<f64>,
    /// Whether the rule alarms for it.
    pub alarm: bool,
}

fn metric_of(m: ScoreMetric) -> Metric {
    match m {
        ScoreMetric::Nps => Metric::Nps,
        ScoreMetric::Csat => Metric::Csat,
        ScoreMetric::Ces => Metric::Ces,
    }
}

impl App {
    /// What a metric rule finds for the last complete period before `at` (nothing is
    /// sent): every watched group with its value, interval, change and p-value, and whether
    /// it alarms.
    pub async fn evaluate_metric_rule(
        &self,
        workspace_id: WorkspaceId,
        rule: &AlertRule,
        at: i64,
    ) -> Result<Vec<MetricFinding>, AppError> {
        let Some(w) = &rule.watch else {
            return Ok(Vec::new());
        };
        let tz = self.analytics().config.time_zone.clone();
        let unit = match w.every {
            WatchPeriod::Week => TimeUnit::Week,
            WatchPeriod::Month => TimeUnit::Month,
        };
        let buckets =
            TimeBuckets::new(unit, &tz).map_err(|e| anyhow::anyhow!("time zone {tz}: {e}"))?;
        let this = buckets
            .bucket_of(at)
            .map_err(|e| anyhow::anyhow!("bucket of {at}: {e}"))?;
        let last = buckets
            .previous(&this)
            .map_err(|e| anyhow::anyhow!("bucket before {}: {e}", this.label))?;
        let before = buckets
            .previous(&last)
            .map_err(|e| anyhow::anyhow!("bucket before {}: {e}", last.label))?;
        let group = match w.by {
            WatchBy::Touchpoint => GroupBy::Touchpoint,
            WatchBy::Channel => GroupBy::Channel,
            WatchBy::Survey => GroupBy::Survey,
        };
        let req = MetricsRequest {
            metric: metric_of(w.metric),
            question: None,
            // By the period's own bucket, so the comparison is with the whole calendar
            // week or month before.
            by: vec![GroupBy::Time(buckets.clone()), group],
            compare: true,
            scope: Scope {
                from_ms: last.start_ms,
                to_ms: this.start_ms,
                time_zone: tz,
                filters: Vec::new(),
                surveys: rule.survey.iter().map(|s| s.as_str().to_string()).collect(),
                segments: Vec::new(),
                options: Default::default(),
            },
        };
        let report = self.analytics().metrics(workspace_id, req).await?;
        let by = w.by.as_str();
        let mut findings: Vec<MetricFinding> = report
            .rows
            .iter()
            .filter_map(|row| {
                let group = row.keys.get(by)?.clone()?;
                if !w.only.is_empty() && !w.only.contains(&group) {
                    return None;
                }
                let change = row.change.as_ref();
                Some(MetricFinding {
                    rule: rule.key.as_str().to_string(),
                    group,
                    from_ms: last.start_ms,
                    to_ms: this.start_ms,
                    previous_from_ms: before.start_ms,
                    period: last.label.clone(),
                    n: row.current.n,
                    previous_n: row.previous.as_ref().map_or(0, |p| p.n),
                    value: row.current.value,
                    ci_low: row.current.ci_low,
                    ci_high: row.current.ci_high,
                    previous: row.previous.as_ref().and_then(|p| p.value),
                    difference: change.and_then(|c| c.difference),
                    p_value: change.and_then(|c| c.p_value),
                    alarm: false,
                })
            })
            .collect();
        match w.test {
            WatchTest::Drop { min_n, fdr } => {
                // The groups tested: enough answers on both sides and a p-value.
                let tested: Vec<usize> = (0..findings.len())
                    .filter(|&i| {
                        let f = &findings[i];
                        f.n >= min_n && f.previous_n >= min_n && f.p_value.is_some()
                    })
                    .collect();
                let p: Vec<f64> = tested
                    .iter()
                    .map(|&i| findings[i].p_value.unwrap_or(1.0))
                    .collect();
                for (k, found) in benjamini_hochberg(&p, fdr).into_iter().enumerate() {
                    let f = &mut findings[tested[k]];
                    f.alarm = found && f.difference.is_some_and(|d| d < 0.0);
                }
            }
            WatchTest::Below { value, min_n } => {
                for f in &mut findings {
                    f.alarm = f.n >= min_n && f.value.is_some_and(|v| v < value);
                }
            }
        }
        Ok(findings)
    }

    /// Previews a stored metric rule at `at` (nothing is sent).
    pub async fn preview_alert_rule(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
        at: i64,
    ) -> Result<Vec<MetricFinding>, AppError> {
        let record = self
            .definition(workspace_id, DefinitionKind::AlertRule, key)
            .await?;
        let rule = AlertRule::parse(&record.definition)
            .map_err(|e| anyhow::anyhow!("stored alert rule {key} is invalid: {e}"))?;
        if rule.watch.is_none() {
            return Err(AppError::rejected(
                crate::Rejection::NotAMetricRule,
                format!("{key} is a rule on single responses; only metric rules are previewed"),
            ));
        }
        self.evaluate_metric_rule(workspace_id, &rule, at).await
    }

    /// Evaluates every workspace's enabled metric rules at `at` and queues their alarms
    /// (once per rule, group and period, whichever node gets there first); returns how
    /// many messages were new.
    pub async fn run_metric_alerts(&self, at: i64) -> Result<u64, AppError> {
        let mut sent = 0;
        for ws in self.store().list_workspaces().await? {
            let rules: Vec<AlertRule> = self
                .store()
                .list_definitions(DefinitionKind::AlertRule, ws.id)
                .await?
                .into_iter()
                .filter_map(|r| AlertRule::parse(&r.definition).ok())
                .filter(|r| r.enabled && r.watch.is_some())
                .collect();
            for rule in rules {
                let findings = self.evaluate_metric_rule(ws.id, &rule, at).await?;
                let mut jobs = Vec::new();
                for f in findings.iter().filter(|f| f.alarm) {
                    jobs.extend(self.metric_jobs(ws.id, &rule, f).await?);
                }
                sent += self.store().enqueue(&jobs).await?;
            }
        }
        Ok(sent)
    }

    async fn metric_jobs(
        &self,
        workspace_id: WorkspaceId,
        rule: &AlertRule,
        f: &MetricFinding,
    ) -> Result<Vec<NewJob>, AppError> {
        let now = crate::now_ms();
        let Some(w) = &rule.watch else {
            return Ok(Vec::new());
        };
        let subject = format!("{}:{}:{}", rule.key.as_str(), f.from_ms, f.group);
        let round = |x: Option<f64>| x.map(|v| (v * 10.0).round() / 10.0);
        let data = serde_json::json!({
            "rule": rule.key.as_str(),
            "kind": "metric",
            "metric": w.metric.as_str(),
            "by": w.by.as_str(),
            "group": f.group,
            "period": f.period,
            "period_start": puls_core::instant::format(f.from_ms),
            "period_end": puls_core::instant::format(f.to_ms),
            "value": round(f.value),
            "ci_low": round(f.ci_low),
            "ci_high": round(f.ci_high),
            "previous": round(f.previous),
            "difference": round(f.difference),
            "p_value": f.p_value,
            "n": f.n,
            "previous_n": f.previous_n,
        });
        let mut jobs = Vec::new();
        if rule.actions.webhook {
            jobs.extend(
                self.event_jobs(workspace_id, "alert.fired", &subject, data.clone(), now)
                    .await?,
            );
        }
        if !rule.actions.email.is_empty() && self.config().smtp.host.is_some() {
            let to = self.recipients(workspace_id, rule, "en").await?;
            // A group of touchpoints reads by the touchpoint's name.
            let touchpoints = if w.by.as_str() == "touchpoint" {
                self.touchpoint_names(workspace_id).await?
            } else {
                crate::alerts::TouchpointNames::default()
            };
            let mails = to
                .into_iter()
                .map(|(email, locale)| {
                    let mut vars = data.clone();
                    vars["rule_name"] = rule.name.get(&locale).into();
                    vars["period"] = f.period.clone().into();
                    vars["group"] = touchpoints.get(&f.group, &locale).into();
                    AlertMail {
                        template: "metric_alert",
                        key: subject.clone(),
                        to: email,
                        locale,
                        vars,
                        response_id: None,
                    }
                })
                .collect();
            let policy = self.notifications(workspace_id).await?;
            let out = self.alert_mails(workspace_id, &policy, rule, mails, now)?;
            jobs.extend(out.jobs);
            // Kept for digests at once: like the jobs, their ids make a second round a no-op.
            self.store().add_digest_items(&out.digest).await?;
        }
        Ok(jobs)
    }
}
