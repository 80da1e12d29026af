//! `puls report`: the analytics API's reports from the command line, read straight from the
//! configured database. The flags are the API's query parameters and go through the same
//! parser, so `puls report --metric nps --by touchpoint` and
//! `GET /api/v1/metrics?metric=nps&by=touchpoint` give the same rows.

use std::fmt::Write as _;

use puls_app::{App, AppError, now_ms};
use puls_wire::analytics::{
    ChangeDto, DriversReportDto as DriversReport, FunnelDto, KanoReportDto as KanoReport,
    MetricValueDto as MetricValue, MetricsReportDto as MetricsReport,
};
use puls_wire::query::QueryPairs;
use puls_wire::reports::{DriversQuery, FunnelQuery, MetricsQuery, ReportQuery, ScopeQuery};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    what: Option<Kind>,
    /// Workspace slug.
    #[arg(long, default_value = "demo")]
    workspace: String,
    /// `table` (default) or `json` (the API's JSON).
    #[arg(long, default_value = "table")]
    format: Format,
    /// Metric: nps, csat, ces or rating.
    #[arg(long)]
    metric: Option<String>,
    /// Question (QUESTION or QUESTION.ROW); required for rating.
    #[arg(long)]
    question: Option<String>,
    /// Group by, comma-separated: day, week, month, touchpoint, channel, survey, locale,
    /// choice:QUESTION, attribute:KEY.
    #[arg(long)]
    by: Option<String>,
    /// previous (default) or none.
    #[arg(long)]
    compare: Option<String>,
    /// Key drivers of this outcome question (with --drivers).
    #[arg(long)]
    outcome: Option<String>,
    /// Candidate driver questions, comma-separated.
    #[arg(long)]
    drivers: Option<String>,
    /// Kano summary of this survey.
    #[arg(long)]
    kano: Option<String>,
    /// Period start: YYYY-MM-DD (local midnight) or RFC 3339. Default: 30 days before --to.
    #[arg(long)]
    from: Option<String>,
    /// Period end, exclusive. Default: now.
    #[arg(long)]
    to: Option<String>,
    /// IANA time zone (default: analytics.time_zone).
    #[arg(long)]
    tz: Option<String>,
    /// Only these surveys (comma-separated).
    #[arg(long)]
    survey: Option<String>,
    #[arg(long)]
    touchpoint: Option<String>,
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    locale: Option<String>,
    /// all (default) or completed.
    #[arg(long)]
    status: Option<String>,
    /// any (default), known or unknown.
    #[arg(long)]
    contact: Option<String>,
    /// QUESTION:OPTION[|OPTION...]; repeat to combine.
    #[arg(long)]
    choice: Vec<String>,
    /// KEY:VALUE; repeat to combine.
    #[arg(long)]
    attribute: Vec<String>,
    /// Only respondents in this saved segment; repeat to combine.
    #[arg(long)]
    segment: Vec<String>,
    /// Minimum sample size before a result is flagged small (default: analytics.min_n).
    #[arg(long)]
    min_n: Option<u64>,
    /// Confidence level of intervals and tests (default 0.95).
    #[arg(long)]
    confidence: Option<f64>,
}

/// Reports that are not a metric.
#[derive(Debug, clap::Subcommand)]
enum Kind {
    /// The funnel of a journey: per stage entered, converted, conversion rate with its
    /// interval, time to convert, and the change against the previous period.
    Funnel(FunnelArgs),
}

#[derive(Debug, clap::Args)]
struct FunnelArgs {
    /// The journey's key.
    #[arg(long)]
    journey: String,
    /// Workspace slug.
    #[arg(long, default_value = "demo")]
    workspace: String,
    /// `table` (default) or `json` (the API's JSON; its `rows` carry stage, entered,
    /// converted, conversion_rate, median_time_to_convert_seconds and more).
    #[arg(long, default_value = "table")]
    format: Format,
    /// Entries from: YYYY-MM-DD (local midnight) or RFC 3339. Default: 30 days before --to.
    #[arg(long)]
    from: Option<String>,
    /// Entries until, exclusive. Default: now.
    #[arg(long)]
    to: Option<String>,
    /// IANA time zone (default: analytics.time_zone).
    #[arg(long)]
    tz: Option<String>,
    /// Conversion window in days (default: the journey's).
    #[arg(long)]
    window_days: Option<i64>,
    /// Only these stages, comma-separated.
    #[arg(long)]
    stages: Option<String>,
    /// channel, entry_touchpoint, first_touchpoint or segment:KEY.
    #[arg(long)]
    by: Option<String>,
    /// Only contacts in this saved segment; repeat to combine.
    #[arg(long)]
    segment: Vec<String>,
    /// previous (default) or none.
    #[arg(long)]
    compare: Option<String>,
    /// List the N most common paths before each drop-off.
    #[arg(long)]
    paths: Option<usize>,
    #[arg(long)]
    min_n: Option<u64>,
    #[arg(long)]
    confidence: Option<f64>,
}

impl FunnelArgs {
    fn params(&self) -> QueryPairs {
        let mut p: Vec<(String, String)> = Vec::new();
        for (k, v) in [
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("tz", self.tz.clone()),
            ("window_days", self.window_days.map(|d| d.to_string())),
            ("stages", self.stages.clone()),
            ("by", self.by.clone()),
            ("compare", self.compare.clone()),
            ("paths", self.paths.map(|n| n.to_string())),
            ("min_n", self.min_n.map(|n| n.to_string())),
            ("confidence", self.confidence.map(|c| c.to_string())),
        ] {
            if let Some(v) = v {
                p.push((k.to_string(), v));
            }
        }
        p.extend(
            self.segment
                .iter()
                .map(|s| ("segment".to_string(), s.clone())),
        );
        QueryPairs::new(p)
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

impl Args {
    /// The flags as API query parameters.
    fn params(&self) -> QueryPairs {
        let mut p: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                p.push((k.to_string(), v.clone()));
            }
        };
        put("metric", &self.metric);
        put("question", &self.question);
        put("by", &self.by);
        put("compare", &self.compare);
        put("outcome", &self.outcome);
        put("drivers", &self.drivers);
        put("from", &self.from);
        put("to", &self.to);
        put("tz", &self.tz);
        put("survey", &self.survey);
        put("touchpoint", &self.touchpoint);
        put("channel", &self.channel);
        put("locale", &self.locale);
        put("status", &self.status);
        put("contact", &self.contact);
        put("min_n", &self.min_n.map(|n| n.to_string()));
        put("confidence", &self.confidence.map(|c| c.to_string()));
        p.extend(
            self.choice
                .iter()
                .map(|c| ("choice".to_string(), c.clone())),
        );
        p.extend(
            self.attribute
                .iter()
                .map(|a| ("attribute".to_string(), a.clone())),
        );
        p.extend(
            self.segment
                .iter()
                .map(|s| ("segment".to_string(), s.clone())),
        );
        QueryPairs::new(p)
    }
}

pub async fn run(app: &App, args: Args) -> anyhow::Result<()> {
    if let Some(Kind::Funnel(f)) = &args.what {
        return funnel(app, f).await;
    }
    let ws = super::workspace(app, &args.workspace).await?;
    let analytics = app.analytics();
    let config = &analytics.config;
    let now = now_ms();
    let p = args.params();
    let out = match (&args.kano, &args.outcome) {
        (Some(survey), _) => {
            let scope = ScopeQuery::parse(p, config, now).map_err(api)?;
            let r = analytics.kano(ws.id, survey, scope).await.map_err(api)?;
            render(args.format, &KanoReport::from(&r), kano_table)?
        }
        (None, Some(_)) => {
            let req = DriversQuery::parse(p, config, now).map_err(api)?;
            let r = analytics.drivers(ws.id, req).await.map_err(api)?;
            render(args.format, &DriversReport::from(&r), drivers_table)?
        }
        (None, None) => {
            let req = MetricsQuery::parse(p, config, now).map_err(api)?;
            let r = analytics.metrics(ws.id, req).await.map_err(api)?;
            render(args.format, &MetricsReport::from(&r), metrics_table)?
        }
    };
    print!("{out}");
    Ok(())
}

async fn funnel(app: &App, f: &FunnelArgs) -> anyhow::Result<()> {
    let ws = super::workspace(app, &f.workspace).await?;
    let analytics = app.analytics();
    let req = FunnelQuery::parse(f.params(), &analytics.config, now_ms()).map_err(api)?;
    let journey = analytics.journey(ws.id, &f.journey).await.map_err(api)?;
    let r = analytics.funnel(ws.id, &journey, &req).await.map_err(api)?;
    print!("{}", render(f.format, &FunnelDto::from(&r), funnel_table)?);
    Ok(())
}

fn funnel_table(r: &FunnelDto) -> String {
    let mut out = format!(
        "Funnel of {} from {} to {} ({}), {}-day window, {}% intervals{}\n",
        r.journey,
        r.from,
        r.to,
        r.time_zone,
        r.window_days,
        r.confidence * 100.0,
        if r.segments.is_empty() {
            String::new()
        } else {
            format!(", segments {}", r.segments.join(" and "))
        }
    );
    let hours = |s: Option<f64>| num(s.map(|s| s / 3600.0), 1);
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            vec![
                row.group.clone().unwrap_or_else(|| "all".into()),
                row.stage.clone(),
                row.counts.entered.to_string(),
                row.counts.converted.to_string(),
                num(row.counts.conversion_rate, 1),
                format!(
                    "{}–{}",
                    num(row.counts.ci_low, 1),
                    num(row.counts.ci_high, 1)
                ),
                num(row.overall_rate, 1),
                hours(row.median_time_to_convert_seconds),
                hours(row.p90_time_to_convert_seconds),
                row.previous
                    .as_ref()
                    .map(|p| num(p.conversion_rate, 1))
                    .unwrap_or_default(),
                row.change
                    .as_ref()
                    .map(|c| c.verdict.replace('_', " "))
                    .unwrap_or_default(),
                if row.small_sample {
                    "yes".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    out += &table(
        &[
            "group",
            "stage",
            "entered",
            "converted",
            "rate %",
            "interval",
            "overall %",
            "median h",
            "p90 h",
            "prev %",
            "change",
            "small",
        ],
        &rows,
        2,
    );
    for d in &r.paths {
        let _ = writeln!(out, "\nDropped after {} ({}):", d.after_stage, d.dropped);
        for p in &d.paths {
            let _ = writeln!(out, "  {:>5.1}%  {}", p.share, p.touchpoints.join(" → "));
        }
    }
    out
}

/// A request error as the API would word it, with its code.
fn api(e: AppError) -> anyhow::Error {
    let p = puls_wire::Problem::from(&e);
    match e {
        AppError::Internal(cause) => cause,
        _ => anyhow::anyhow!("{} ({})", p.message, p.code.name()),
    }
}

fn render<T: serde::Serialize>(
    format: Format,
    report: &T,
    table: fn(&T) -> String,
) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
        Format::Table => table(report),
    })
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "–".into())
}

/// Left-aligned text columns, right-aligned numbers; the header underlined.
fn table(header: &[&str], rows: &[Vec<String>], numeric_from: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i] - c.chars().count();
            if i > 0 {
                s.push_str("  ");
            }
            if i >= numeric_from {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out += &line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for r in rows {
        out += &line(r.clone());
    }
    out
}

fn metrics_table(r: &MetricsReport) -> String {
    let mut header: Vec<&str> = r.group_by.iter().map(String::as_str).collect();
    let keys = header.len();
    header.extend([
        "n", "value", "ci_low", "ci_high", "small", "prev n", "prev", "change", "p", "verdict",
    ]);
    let digits = if r.metric == "nps" { 1 } else { 2 };
    let cells =
        |keys: Vec<String>, v: &MetricValue, prev: Option<&MetricValue>, ch: Option<&ChangeDto>| {
            let mut c = keys;
            c.push(v.n.to_string());
            c.push(num(v.value, digits));
            c.push(num(v.ci_low, digits));
            c.push(num(v.ci_high, digits));
            c.push(if v.small_sample {
                "yes".into()
            } else {
                "".into()
            });
            c.push(prev.map(|p| p.n.to_string()).unwrap_or_default());
            c.push(prev.map(|p| num(p.value, digits)).unwrap_or_default());
            c.push(ch.map(|c| num(c.difference, digits)).unwrap_or_default());
            c.push(ch.map(|c| num(c.p_value, 4)).unwrap_or_default());
            c.push(ch.map(|c| c.verdict.replace('_', " ")).unwrap_or_default());
            c
        };
    let mut rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            let k = r
                .group_by
                .iter()
                .map(|g| {
                    row.keys
                        .get(g)
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| "(none)".into())
                })
                .collect();
            cells(k, &row.current, row.previous.as_ref(), row.change.as_ref())
        })
        .collect();
    let mut total_keys = vec![String::new(); keys];
    if let Some(first) = total_keys.first_mut() {
        *first = "total".into();
    }
    rows.push(cells(
        total_keys,
        &r.total.current,
        r.total.previous.as_ref(),
        r.total.change.as_ref(),
    ));
    let mut out = format!(
        "{} from {} to {} ({}), {}% intervals, small sample below n = {}\n",
        r.metric.to_uppercase(),
        r.from,
        r.to,
        r.time_zone,
        r.confidence * 100.0,
        r.min_n
    );
    let _ = writeln!(out, "questions: {}", r.questions.join(", "));
    out += &table(&header, &rows, keys.max(1).min(header.len()));
    out
}

fn drivers_table(r: &DriversReport) -> String {
    let mut out = format!(
        "Key drivers of {} from {} to {}: n = {} ({} complete), R² = {:.3}, {} correlations{}\n",
        r.outcome,
        r.from,
        r.to,
        r.n,
        r.n_complete,
        r.r_squared,
        r.method,
        if r.small_sample { ", SMALL SAMPLE" } else { "" }
    );
    let rows: Vec<Vec<String>> = r
        .drivers
        .iter()
        .map(|d| {
            vec![
                d.key.clone(),
                d.quadrant
                    .clone()
                    .or(d.excluded.as_ref().map(|e| format!("excluded: {e}")))
                    .unwrap_or_default()
                    .replace('_', " "),
                num(d.share, 1),
                num(Some(d.importance), 4),
                num(d.correlation, 3),
                num(d.performance, 1),
                d.n.to_string(),
            ]
        })
        .collect();
    out += &table(
        &[
            "driver",
            "quadrant",
            "share %",
            "importance",
            "r",
            "performance",
            "n",
        ],
        &rows,
        2,
    );
    out
}

fn kano_table(r: &KanoReport) -> String {
    let mut out = format!("Kano summary of {} from {} to {}\n", r.survey, r.from, r.to);
    let rows: Vec<Vec<String>> = r
        .features
        .iter()
        .map(|f| {
            let s = f.shares.as_ref();
            vec![
                f.question.clone(),
                f.dominant.clone().unwrap_or_default().replace('_', " "),
                f.n.to_string(),
                num(s.map(|s| s.attractive), 1),
                num(s.map(|s| s.one_dimensional), 1),
                num(s.map(|s| s.must_be), 1),
                num(s.map(|s| s.indifferent), 1),
                num(s.map(|s| s.reverse), 1),
                num(s.map(|s| s.questionable), 1),
                num(f.better, 2),
                num(f.worse, 2),
                if f.small_sample {
                    "yes".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    out += &table(
        &[
            "feature", "dominant", "n", "A %", "O %", "M %", "I %", "R %", "Q %", "better",
            "worse", "small",
        ],
        &rows,
        2,
    );
    out
}
