//! The overview: NPS, CSAT and CES with their intervals and the change against the previous
//! period, weekly trends with the interval as a band, and NPS by touchpoint and channel.
//!
//! Filters live in the URL (`from`, `to` as inclusive dates, `survey`, `touchpoint`,
//! `channel`, `segment`, `locale`), so a view can be bookmarked and shared; they are handed
//! to the same analytics as `GET /api/v1/metrics`, so the page and the API agree.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::Value;
use puls_core::Channel;
use puls_core::WorkspaceId;
use puls_core::access::Permission;
use puls_html::chart::{Point, trend};
use puls_html::{Lang, Text, format};
use puls_store::DefinitionKind;
use serde_json::json;

use super::auth::{Member, Signed};
use super::{Page, page_error, ser, shell, user_message};
use crate::state::AppState;
use puls_app::analytics::metrics::{MetricRow, MetricsReport};
use puls_app::{AppError, now_ms};
use puls_core::stats::Verdict;
use puls_wire::analytics::verdict_name;
use puls_wire::query::QueryPairs;
use puls_wire::reports::MetricsQuery;

/// Filters the page passes on to the analytics, in the form's order.
const PASSED: [&str; 5] = ["survey", "touchpoint", "channel", "segment", "locale"];
/// The default period: this many days up to today.
const DEFAULT_DAYS: i64 = 90;

fn utc_date(ms: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// `YYYY-MM-DD` plus `days`.
pub(super) fn add_days(date: &str, days: i64) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, fmt).ok()?;
    let d = d.checked_add(time::Duration::days(days))?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        d.year(),
        d.month() as u8,
        d.day()
    ))
}

/// A page's period (inclusive dates, default the last [`DEFAULT_DAYS`] days) and the
/// filters it passes on to the analytics.
pub(super) struct Filters {
    pub(super) from: String,
    pub(super) to: String,
    passed: Vec<(String, String)>,
}

impl Filters {
    fn parse(query: Option<&str>) -> Filters {
        Filters::parse_keeping(query, &PASSED)
    }

    /// The period and the parameters named in `keys`.
    pub(super) fn parse_keeping(query: Option<&str>, keys: &[&str]) -> Filters {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, v)| key == k && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        let today = utc_date(now_ms());
        let to = get("to").unwrap_or_else(|| today.clone());
        let from = get("from")
            .unwrap_or_else(|| add_days(&to, -(DEFAULT_DAYS - 1)).unwrap_or_else(|| to.clone()));
        let passed = keys
            .iter()
            .filter_map(|k| get(k).map(|v| (k.to_string(), v)))
            .collect();
        Filters { from, to, passed }
    }

    /// The query string of the period and filters, for links that keep them.
    pub(super) fn query(&self) -> String {
        let mut v = vec![
            ("from".to_string(), self.from.clone()),
            ("to".to_string(), self.to.clone()),
        ];
        v.extend(self.passed.iter().cloned());
        serde_urlencoded::to_string(&v).unwrap_or_default()
    }

    /// The analytics parameters: the period (`to` made exclusive) and the passed filters.
    pub(super) fn params(&self, extra: &[(&str, &str)]) -> QueryPairs {
        let mut v: Vec<(String, String)> = vec![
            ("from".into(), self.from.clone()),
            (
                "to".into(),
                add_days(&self.to, 1).unwrap_or_else(|| self.to.clone()),
            ),
        ];
        v.extend(self.passed.iter().cloned());
        v.extend(
            extra
                .iter()
                .map(|(k, val)| (k.to_string(), val.to_string())),
        );
        QueryPairs::new(v)
    }

    pub(super) fn current(&self, key: &str) -> &str {
        self.passed
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

pub(super) async fn report(
    st: &AppState,
    ws: WorkspaceId,
    f: &Filters,
    extra: &[(&str, &str)],
) -> Result<MetricsReport, AppError> {
    let analytics = st.app.analytics();
    let req = MetricsQuery::parse(f.params(extra), &analytics.config, now_ms())?;
    analytics.metrics(ws, req).await
}

pub(super) fn decimals(metric: &str) -> u32 {
    if metric == "ces" { 2 } else { 1 }
}

/// One card: the period's value, interval, change and weekly trend.
fn card(lang: Lang, metric: &str, total: &MetricRow, weeks: &MetricsReport) -> Value {
    let dec = decimals(metric);
    let c = &total.current;
    let change = total.change.as_ref().map(|ch| {
        json!({
            "difference": ch.difference, "low": ch.ci_low, "high": ch.ci_high, "p": ch.p_value,
            "verdict": verdict_name(ch.verdict),
            "class": match ch.verdict { Verdict::Better => "better", Verdict::Worse => "worse", _ => "neutral" },
        })
    });
    // Every week of the period, empty ones included, so the line breaks where data stops.
    let by_week: BTreeMap<String, &MetricRow> = weeks
        .rows
        .iter()
        .filter_map(|r| r.keys.get("week").cloned().flatten().map(|k| (k, r)))
        .collect();
    let mut labels: Vec<String> = Vec::new();
    if let (Some(first), Some(last)) = (by_week.keys().next(), by_week.keys().next_back()) {
        let mut d = first.clone();
        while d <= *last && labels.len() < 400 {
            labels.push(d.clone());
            match add_days(&d, 7) {
                Some(n) => d = n,
                None => break,
            }
        }
    }
    let points: Vec<serde_json::Value> = labels
        .iter()
        .map(|l| match by_week.get(l) {
            Some(r) => json!({
                "label": l, "value": r.current.value, "low": r.current.ci_low,
                "high": r.current.ci_high, "n": r.current.n, "small": r.current.small_sample,
            }),
            None => json!({"label": l, "value": null, "low": null, "high": null, "n": 0, "small": false}),
        })
        .collect();
    let chart_points: Vec<Point> = labels
        .iter()
        .map(|l| {
            let r = by_week.get(l);
            Point {
                label: format::date(lang, l),
                value: r.and_then(|r| r.current.value),
                low: r.and_then(|r| r.current.ci_low),
                high: r.and_then(|r| r.current.ci_high),
            }
        })
        .collect();
    let range = match metric {
        "nps" => (-100.0, 100.0),
        "csat" => (0.0, 100.0),
        _ => (1.0, 7.0),
    };
    let name = match metric {
        "nps" => Text::Nps,
        "csat" => Text::Csat,
        _ => Text::Ces,
    };
    let label = format!("{} – {}", lang.t(name), lang.t(Text::Trend));
    let svg = trend(&chart_points, range, &label, &|v| {
        format::number(lang, v, if metric == "ces" { 1 } else { 0 })
    });
    minijinja::context! {
        metric => metric,
        value => c.value, low => c.ci_low, high => c.ci_high, n => c.n, small => c.small_sample,
        decimals => dec,
        change => ser(change),
        chart => svg,
        points => ser(points),
    }
}

pub async fn overview(
    State(st): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let m = match Member::allowed(&st, signed, &slug, Permission::ViewDashboards).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse(query.as_deref());
    let mut error: Option<String> = None;
    let mut cards = Vec::new();
    let mut min_n = st.app.analytics().config.min_n;
    for metric in ["nps", "csat", "ces"] {
        let total = report(&st, ws, &f, &[("metric", metric)]).await;
        let weeks = report(
            &st,
            ws,
            &f,
            &[("metric", metric), ("by", "week"), ("compare", "none")],
        )
        .await;
        match (total, weeks) {
            (Ok(t), Ok(w)) => {
                min_n = t.min_n;
                cards.push(card(lang, metric, &t.total, &w));
            }
            (Err(e), _) | (_, Err(e)) => match user_message(e) {
                Ok(message) => {
                    error = Some(message);
                    break;
                }
                Err(e) => return page_error(&st, lang, e),
            },
        }
    }
    let mut breakdown = Vec::new();
    if error.is_none() {
        match report(
            &st,
            ws,
            &f,
            &[
                ("metric", "nps"),
                ("by", "touchpoint,channel"),
                ("compare", "none"),
            ],
        )
        .await
        {
            Ok(r) => {
                for row in &r.rows {
                    let key = |k: &str| {
                        row.keys
                            .get(k)
                            .cloned()
                            .flatten()
                            .unwrap_or_else(|| "–".into())
                    };
                    breakdown.push(json!({
                        "touchpoint": key("touchpoint"), "channel": key("channel"),
                        "value": row.current.value, "low": row.current.ci_low, "high": row.current.ci_high,
                        "detractors": row.current.detractors, "n": row.current.n, "small": row.current.small_sample,
                    }));
                }
            }
            Err(e) => match user_message(e) {
                Ok(message) => error = Some(message),
                Err(e) => return page_error(&st, lang, e),
            },
        }
    }
    let selects = match filter_options(&st, ws, &f).await {
        Ok(s) => s,
        Err(e) => return page_error(&st, lang, e),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let ctx = minijinja::context! {
        title => lang.t(Text::OverviewTitle),
        filters => minijinja::context! { from => f.from.clone(), to => f.to.clone() },
        selects => selects,
        cards => cards,
        breakdown => ser(breakdown),
        min_n => min_n,
        error => error,
        ..shell(&m, "nav_overview")
    };
    Page::render(&st, status, "overview.html", lang, ctx)
}

/// The choices of the filter form: the workspace's surveys, their touchpoints, the
/// channels, the saved segments and the languages.
async fn filter_options(st: &AppState, ws: WorkspaceId, f: &Filters) -> Result<Value, AppError> {
    let surveys = st.app.surveys(ws).await?;
    let mut touchpoints: Vec<String> = surveys.iter().map(|s| s.touchpoint.clone()).collect();
    touchpoints.sort();
    touchpoints.dedup();
    let segments = st.app.definitions(ws, DefinitionKind::Segment).await?;
    let opt = |v: &str, t: &str| json!({"value": v, "text": t});
    let select = |name: &str, label: &str, options: Vec<serde_json::Value>| json!({"name": name, "label": label, "current": f.current(name), "options": options});
    Ok(ser(vec![
        select(
            "survey",
            "survey",
            surveys
                .iter()
                .map(|s| opt(s.id.as_str(), &s.title))
                .collect(),
        ),
        select(
            "touchpoint",
            "touchpoint",
            touchpoints.iter().map(|t| opt(t, t)).collect(),
        ),
        select(
            "channel",
            "channel",
            Channel::ALL
                .iter()
                .map(|c| opt(c.as_str(), c.as_str()))
                .collect(),
        ),
        select(
            "segment",
            "segment",
            segments.iter().map(|s| opt(&s.key, &s.key)).collect(),
        ),
        select(
            "locale",
            "locale",
            ["pl", "cs", "en"].iter().map(|l| opt(l, l)).collect(),
        ),
    ]))
}
