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
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use puls_core::Channel;
use puls_core::WorkspaceId;
use puls_html::chart::{Point, trend};
use puls_html::console::{
    AspectLine, BreakdownRow, Card, Change, OverviewPage, Period, Select, SelectOption, TextCard,
    TopicLine, TrendRow, TrendingLine,
};
use puls_html::{Lang, Text, format};

use super::auth::Allowed;
use super::auth::need;
use super::names::Names;
use super::{Page, page_error, shell, user_message};
use crate::state::AppState;
use puls_app::analytics::metrics::{MetricChange, MetricRow, MetricsReport};
use puls_app::text_report::TopicKind;
use puls_app::{AppError, now_ms};
use puls_core::stats::Verdict;
use puls_wire::query::QueryPairs;
use puls_wire::reports::{MetricsQuery, ReportQuery, ScopeQuery};

/// Filters the page passes on to the analytics, in the form's order.
const PASSED: [&str; 5] = ["survey", "touchpoint", "channel", "segment", "locale"];
/// The default period: this many days up to today.
const DEFAULT_DAYS: i64 = 90;

/// The date of a Unix time in milliseconds in the time zone `tz`, `YYYY-MM-DD`: the
/// analytics read the period's dates in that zone, so "today" must be its today (UTC's
/// would leave out the answers given after local midnight).
fn local_date(ms: i64, tz: &str) -> String {
    let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone)
        .date()
        .to_string()
}

/// A trend point's label: its bucket's first day, and for a bucket cut by the period (a
/// partial week), "partial: first – last day" so no one reads it as a whole week.
pub(super) fn bucket_label(
    lang: Lang,
    row: &MetricRow,
    unit: &str,
    tz: &str,
) -> (String, Option<String>) {
    let start = row.keys.get(unit).cloned().flatten().unwrap_or_default();
    let partial = row.bucket.filter(|b| b.partial).map(|b| {
        lang.fill(
            Text::PartialBucket,
            &[
                &format::date(lang, &local_date(b.from_ms, tz)),
                &format::date(lang, &local_date(b.to_ms - 1, tz)),
            ],
        )
    });
    (start, partial)
}

/// The interface languages as a filter's choices, each by its own name ("Polski").
pub(super) fn locale_options() -> Vec<SelectOption> {
    ["pl", "cs", "en"]
        .iter()
        .map(|l| match puls_core::Locale::parse(l) {
            Ok(loc) => option(l, &puls_html::i18n::native_name(&loc)),
            Err(_) => option(l, l),
        })
        .collect()
}

/// The local date (`YYYY-MM-DD`) and time of day (`HH:MM`) of `ms` in `tz`.
pub(super) fn local_date_time(ms: i64, tz: &str) -> (String, String) {
    let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
    let dt = Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone)
        .datetime();
    (
        dt.date().to_string(),
        format!("{:02}:{:02}", dt.hour(), dt.minute()),
    )
}

/// `YYYY-MM-DD` plus `days`; `None` for anything but a date, or beyond the calendar.
pub(super) fn add_days(date: &str, days: i64) -> Option<String> {
    let is_date = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
    let d: Date = date.parse().ok().filter(|_| is_date)?;
    Some(
        d.checked_add(Span::new().try_days(days).ok()?)
            .ok()?
            .to_string(),
    )
}

/// A page's period (inclusive dates, default the last [`DEFAULT_DAYS`] days) and the
/// filters it passes on to the analytics.
pub(super) struct Filters {
    pub(super) from: String,
    pub(super) to: String,
    passed: Vec<(String, String)>,
}

impl Filters {
    fn parse(st: &AppState, query: Option<&str>) -> Filters {
        Filters::parse_keeping(st, query, &PASSED)
    }

    /// The period and the parameters named in `keys`; the default period ends today in the
    /// analytics' time zone.
    pub(super) fn parse_keeping(st: &AppState, query: Option<&str>, keys: &[&str]) -> Filters {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, v)| key == k && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        let today = local_date(now_ms(), &st.app.analytics().config.time_zone);
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

    /// The analytics parameters: the period (dates, `to` included as in the API) and the
    /// passed filters.
    pub(super) fn params(&self, extra: &[(&str, &str)]) -> QueryPairs {
        let mut v: Vec<(String, String)> = vec![
            ("from".into(), self.from.clone()),
            ("to".into(), self.to.clone()),
        ];
        v.extend(self.passed.iter().cloned());
        v.extend(
            extra
                .iter()
                .map(|(k, val)| (k.to_string(), val.to_string())),
        );
        QueryPairs::new(v)
    }

    /// The period and segment as the filter forms show them.
    pub(super) fn period(&self) -> Period {
        Period {
            from: self.from.clone(),
            to: self.to.clone(),
            segment: self.current("segment").to_string(),
        }
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

/// A metric the overview has a card of.
struct Metric {
    key: &'static str,
    name: Text,
    long_name: Text,
    /// The trend's y range (widened to the data).
    range: (f64, f64),
    /// Decimals of its values, and of its trend's axis.
    decimals: u32,
    axis_decimals: usize,
}

const METRICS: [Metric; 3] = [
    Metric {
        key: "nps",
        name: Text::Nps,
        long_name: Text::NpsLong,
        range: (-100.0, 100.0),
        decimals: 1,
        axis_decimals: 0,
    },
    Metric {
        key: "csat",
        name: Text::Csat,
        long_name: Text::CsatLong,
        range: (0.0, 100.0),
        decimals: 1,
        axis_decimals: 0,
    },
    Metric {
        key: "ces",
        name: Text::Ces,
        long_name: Text::CesLong,
        range: (1.0, 7.0),
        decimals: 2,
        axis_decimals: 1,
    },
];

/// A change against the previous period as the pages show it.
fn change_view(ch: &MetricChange) -> Change {
    Change {
        difference: ch.difference,
        low: ch.ci_low,
        high: ch.ci_high,
        p: ch.p_value,
        verdict: Text::verdict(ch.verdict),
        class: match ch.verdict {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            _ => "neutral",
        },
    }
}

/// What customers write about in the page's period and filters (`touchpoints`: only
/// these, comma-separated), with links to each aspect's negative answers in the inbox.
pub(super) async fn text_card(
    st: &AppState,
    ws: WorkspaceId,
    f: &Filters,
    lang: Lang,
    slug: &str,
    touchpoints: Option<&str>,
) -> Result<TextCard, AppError> {
    let mut card = TextCard {
        installed: true,
        analysed: 0,
        previous_analysed: 0,
        aspects: Vec::new(),
        trend_from: String::new(),
        trending: Vec::new(),
        any_trending: false,
        note: None,
    };
    let segment = f.current("segment");
    if !segment.is_empty() {
        card.note = Some(lang.fill(Text::TextFilterNotApplied, &[&lang.t(Text::Segment)]));
        return Ok(card);
    }
    let mut extra = Vec::new();
    if let Some(tps) = touchpoints {
        extra.push(("touchpoint", tps));
    }
    let analytics = st.app.analytics();
    let scope = ScopeQuery::parse(f.params(&extra), &analytics.config, now_ms())?;
    let report = st.app.text_report(ws, &scope).await?;
    if report.analysis_version.is_none() {
        card.installed = false;
        return Ok(card);
    }
    let tz = &analytics.config.time_zone;
    let names = super::names::Names::of_aspects(st, ws, lang).await?;
    card.analysed = report.analysed;
    card.previous_analysed = report.previous_analysed;
    card.trend_from = local_date(report.trend_from_ms, tz);
    let core = |c: &puls_core::stats::Change| change_view(&MetricChange::from(*c));
    for a in &report.aspects {
        if a.current.n() == 0 {
            continue;
        }
        let mut inbox = vec![
            ("sentiment", "neg"),
            ("aspect", a.name.as_str()),
            ("since", f.from.as_str()),
            ("until", f.to.as_str()),
        ];
        if let Some(tp) = touchpoints.filter(|t| !t.contains(',')) {
            inbox.push(("touchpoint", tp));
        }
        card.aspects.push(AspectLine {
            name: names.aspect(&a.name),
            n: a.current.n(),
            share: a.stat.share.value,
            share_low: a.stat.share.interval.map(|i| i.low),
            share_high: a.stat.share.interval.map(|i| i.high),
            net: a.stat.net.value,
            net_low: a.stat.net.interval.map(|i| i.low),
            net_high: a.stat.net.interval.map(|i| i.high),
            small: a.stat.net.small_sample,
            // A share that rises is neither better nor worse: it is named more often.
            share_change: Change {
                verdict: match a.stat.share_change.verdict {
                    Verdict::Better => Text::MoreOften,
                    Verdict::Worse => Text::LessOften,
                    v => Text::verdict(v),
                },
                class: "neutral",
                ..core(&a.stat.share_change)
            },
            net_change: core(&a.stat.net_change),
            negative_href: format!(
                "/app/w/{slug}/responses?{}",
                serde_urlencoded::to_string(&inbox).unwrap_or_default()
            ),
            negative: a.current.negative,
        });
    }
    for t in &report.trending {
        card.any_trending |= !t.topics.is_empty();
        card.trending.push(TrendingLine {
            language: match puls_core::Locale::parse(&t.language) {
                Ok(l) => puls_html::i18n::native_name(&l).into_owned(),
                Err(_) => t.language.clone(),
            },
            analysed: t.analysed,
            topics: t
                .topics
                .iter()
                .map(|x| TopicLine {
                    name: match x.kind {
                        TopicKind::Aspect => names.aspect(&x.name),
                        TopicKind::Term => x.name.clone(),
                    },
                    aspect: x.kind == TopicKind::Aspect,
                    count: x.count,
                    previous: x.previous,
                    change: core(&x.change),
                })
                .collect(),
        });
    }
    Ok(card)
}

/// One card: the period's value, interval, change and weekly trend.
fn card(lang: Lang, metric: &Metric, total: &MetricRow, weeks: &MetricsReport) -> Card {
    let c = &total.current;
    let change = total.change.as_ref().map(change_view);
    // Every week of the period, empty ones included, so the line breaks where data stops.
    let by_week: BTreeMap<String, (&MetricRow, Option<String>)> = weeks
        .rows
        .iter()
        .map(|r| {
            let (start, partial) = bucket_label(lang, r, "week", &weeks.time_zone);
            (start, (r, partial))
        })
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
    let points: Vec<TrendRow> = labels
        .iter()
        .map(|l| {
            let partial = by_week.get(l).and_then(|(_, p)| p.clone());
            let r = by_week.get(l).map(|(r, _)| &r.current);
            TrendRow {
                label: l.clone(),
                partial,
                value: r.and_then(|r| r.value),
                low: r.and_then(|r| r.ci_low),
                high: r.and_then(|r| r.ci_high),
                n: r.map_or(0, |r| r.n),
                small: r.is_some_and(|r| r.small_sample),
            }
        })
        .collect();
    let chart_points: Vec<Point> = points
        .iter()
        .map(|p| Point {
            label: format::date(lang, &p.label),
            partial: p.partial.clone(),
            value: p.value,
            low: p.low,
            high: p.high,
        })
        .collect();
    let label = format!("{} – {}", lang.t(metric.name), lang.t(Text::Trend));
    let chart = trend(&chart_points, metric.range, &label, &|v| {
        format::number(lang, v, metric.axis_decimals)
    });
    Card {
        metric: metric.key,
        name: metric.name,
        long_name: metric.long_name,
        value: c.value,
        low: c.ci_low,
        high: c.ci_high,
        n: c.n,
        small: c.small_sample,
        decimals: metric.decimals,
        change,
        chart,
        points,
    }
}

#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn overview(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse(&st, query.as_deref());
    let names = match Names::load(&st, ws, lang).await {
        Ok(n) => n,
        Err(e) => return page_error(&st, lang, e),
    };
    let mut error: Option<String> = None;
    let mut cards = Vec::new();
    let mut min_n = st.app.analytics().config.min_n;
    for metric in &METRICS {
        let total = report(&st, ws, &f, &[("metric", metric.key)]).await;
        let weeks = report(
            &st,
            ws,
            &f,
            &[("metric", metric.key), ("by", "week"), ("compare", "none")],
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
                    breakdown.push(BreakdownRow {
                        touchpoint: names.touchpoint(&key("touchpoint")),
                        channel: key("channel"),
                        value: row.current.value,
                        low: row.current.ci_low,
                        high: row.current.ci_high,
                        detractors: row.current.detractors,
                        n: row.current.n,
                        small: row.current.small_sample,
                    });
                }
            }
            Err(e) => match user_message(e) {
                Ok(message) => error = Some(message),
                Err(e) => return page_error(&st, lang, e),
            },
        }
    }
    let selects = match filter_options(&st, ws, &f, &names).await {
        Ok(s) => s,
        Err(e) => return page_error(&st, lang, e),
    };
    let text = match text_card(&st, ws, &f, lang, &m.workspace.slug, None).await {
        Ok(t) => t,
        Err(e) => match user_message(e) {
            Ok(message) => {
                error.get_or_insert(message);
                TextCard::default()
            }
            Err(e) => return page_error(&st, lang, e),
        },
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = OverviewPage {
        title: lang.t(Text::OverviewTitle).into(),
        filters: f.period(),
        selects,
        cards,
        breakdown,
        text,
        min_n,
        error,
        shell: shell(&m, Text::NavOverview),
    };
    Page::render(&st, status, lang, &page)
}

/// The choices of the filter form: the workspace's surveys, their touchpoints, the
/// channels, the saved segments and the languages.
async fn filter_options(
    st: &AppState,
    ws: WorkspaceId,
    f: &Filters,
    names: &Names,
) -> Result<Vec<Select>, AppError> {
    let surveys: Vec<(String, String, String)> = st
        .app
        .surveys(ws)
        .await?
        .into_iter()
        .map(|s| (s.id.as_str().to_string(), s.title, s.touchpoint))
        .collect();
    let current = |name: &str| f.current(name).to_string();
    let mut selects = survey_selects(&surveys, &current, names);
    selects.push(select(
        "segment",
        Text::Segment,
        f.current("segment"),
        names.segment_options(),
    ));
    selects.push(select(
        "locale",
        Text::Locale,
        f.current("locale"),
        locale_options(),
    ));
    Ok(selects)
}

/// The filters of every list of responses: survey, touchpoint and channel. `surveys` are
/// (id, title, touchpoint); `current` gives a filter's current value.
pub(super) fn survey_selects(
    surveys: &[(String, String, String)],
    current: &dyn Fn(&str) -> String,
    names: &Names,
) -> Vec<Select> {
    let mut touchpoints: Vec<&str> = surveys.iter().map(|s| s.2.as_str()).collect();
    touchpoints.sort();
    touchpoints.dedup();
    let select = |name, label, options| select(name, label, &current(name), options);
    vec![
        select(
            "survey",
            Text::Survey,
            surveys.iter().map(|s| option(&s.0, &s.1)).collect(),
        ),
        select(
            "touchpoint",
            Text::Touchpoint,
            touchpoints
                .iter()
                .map(|t| option(t, &names.touchpoint(t)))
                .collect(),
        ),
        select("channel", Text::Channel, channel_options()),
    ]
}

/// A filter's `<select>`, `current` chosen.
pub(super) fn select(
    name: &'static str,
    label: Text,
    current: &str,
    options: Vec<SelectOption>,
) -> Select {
    Select {
        name,
        label,
        current: current.to_string(),
        options,
    }
}

/// An option of a filter that shows data (a survey's title, a touchpoint).
pub(super) fn option(value: &str, text: &str) -> SelectOption {
    SelectOption {
        value: value.to_string(),
        text: text.to_string(),
        label: None,
    }
}

/// Every channel as an option of a filter, by its name.
fn channel_options() -> Vec<SelectOption> {
    Channel::ALL
        .iter()
        .map(|c| SelectOption {
            label: Some(Text::channel(*c)),
            ..option(c.as_str(), c.as_str())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_by_days_across_months_and_years() {
        assert_eq!(add_days("2026-12-30", 3).as_deref(), Some("2027-01-02"));
        assert_eq!(add_days("2024-03-01", -1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_days("2026-01-05", -89).as_deref(), Some("2025-10-08"));
        assert_eq!(add_days("2026-02-30", 1), None);
        assert_eq!(add_days("2026-01-05T10:00:00Z", 1), None);
        assert_eq!(add_days("yesterday", 1), None);
        assert_eq!(local_date(0, "UTC"), "1970-01-01");
        assert_eq!(local_date(1_798_761_599_999, "UTC"), "2026-12-31");
        assert_eq!(local_date(-1, "UTC"), "1969-12-31");
    }

    #[test]
    fn today_is_the_analytics_time_zones_today() {
        // 2026-12-04 23:30 UTC is already 5 December in Warsaw and Prague (the default
        // period must hold an answer given then), still the 4th in New York.
        let late = 1_796_427_000_000;
        assert_eq!(local_date(late, "UTC"), "2026-12-04");
        assert_eq!(local_date(late, "Europe/Warsaw"), "2026-12-05");
        assert_eq!(local_date(late, "Europe/Prague"), "2026-12-05");
        assert_eq!(local_date(late, "America/New_York"), "2026-12-04");
    }
}
