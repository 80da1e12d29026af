//! The query parameters of the analytics reports, each group one struct that parses itself
//! ([`QueryPairs`]) and describes itself in the OpenAPI document, and their conversion into
//! the application's typed requests. The HTTP handlers, the web app and `puls report` all
//! go through here, so a query string and a command line mean exactly the same thing.

use puls_app::AppError;
use puls_app::analytics::Options;
use puls_app::analytics::drivers::DriversRequest;
use puls_app::analytics::journeys::{FunnelBy, FunnelRequest, MAX_PATHS, MapRequest};
use puls_app::analytics::metrics::{Metric, MetricsRequest};
use puls_app::analytics::params::{DAY_MS, DEFAULT_DAYS, Period, Scope, clip, index_error};
use puls_app::config::AnalyticsConfig;
use puls_core::stats::Confidence;
use puls_core::{Channel, Key, Locale, OptionId, QuestionId, Touchpoint};
use puls_index::{
    Filter, GroupBy, IndexError, QuestionKey, TimeBuckets, TimeUnit, parse_end, parse_instant,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::query::{QueryPairs, commas};

fn invalid(message: String) -> AppError {
    AppError::InvalidParameter(message)
}

/// A report's query: its own parameters and the shared ones (period, filters, statistics),
/// read from query-string pairs (or a command line's) into the application's request.
pub trait ReportQuery {
    type Request;

    /// A request from the pairs' keys it knows, leaving the others (for pages that read
    /// several).
    fn read(
        q: &QueryPairs,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<Self::Request, AppError>;

    /// A whole request from a query string (or a command line's pairs): any key it does not
    /// know is an error.
    fn parse(
        q: QueryPairs,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<Self::Request, AppError> {
        let req = Self::read(&q, config, now_ms)?;
        q.finish()?;
        Ok(req)
    }
}

/// A report's period.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start of the period, inclusive: `YYYY-MM-DD` (local midnight in `tz`) or RFC 3339.
    /// Default: 30 days before `to`.
    pub from: Option<String>,
    /// End of the period: a `YYYY-MM-DD` date includes that whole day in `tz` (as the web
    /// app's date fields do); an RFC 3339 timestamp is the first instant left out. Default:
    /// now.
    pub to: Option<String>,
    /// IANA time zone of dates and day/week/month buckets. Default: the server's
    /// `analytics.time_zone` (Europe/Warsaw unless configured).
    pub tz: Option<String>,
}

impl PeriodQuery {
    /// The period (default: the last [`DEFAULT_DAYS`] days up to `now_ms`).
    pub fn period(&self, config: &AnalyticsConfig, now_ms: i64) -> Result<Period, AppError> {
        let time_zone = self.tz.clone().unwrap_or_else(|| config.time_zone.clone());
        TimeBuckets::new(TimeUnit::Day, &time_zone).map_err(|e| invalid(format!("tz: {e}")))?;
        let read =
            |key: &str, v: &Option<String>, parse: fn(&str, &str) -> Result<i64, IndexError>| {
                v.as_deref()
                    .map(|s| parse(s, &time_zone).map_err(|e| invalid(format!("{key}: {e}"))))
                    .transpose()
            };
        let to_ms = read("to", &self.to, parse_end)?.unwrap_or(now_ms);
        let from_ms =
            read("from", &self.from, parse_instant)?.unwrap_or(to_ms - DEFAULT_DAYS * DAY_MS);
        if from_ms >= to_ms {
            return Err(invalid("from: must be before to".into()));
        }
        Ok(Period {
            from_ms,
            to_ms,
            time_zone,
        })
    }
}

/// How a report's statistics are computed.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Results with fewer responses are flagged `small_sample`. Default: `analytics.min_n`
    /// (30).
    pub min_n: Option<u64>,
    /// Confidence level of intervals and tests, 0.5 to 0.999. Default 0.95.
    #[param(minimum = 0.5, maximum = 0.999)]
    pub confidence: Option<f64>,
}

impl StatsQuery {
    pub fn options(&self, config: &AnalyticsConfig) -> Result<Options, AppError> {
        let confidence = match self.confidence {
            None => Confidence::default(),
            Some(l) => Confidence::new(l)
                .map_err(|_| invalid("confidence: must be a level between 0.5 and 0.999".into()))?,
        };
        Ok(Options {
            min_n: self.min_n.unwrap_or(config.min_n),
            confidence,
        })
    }
}

/// Which responses a report counts.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// Only these surveys (comma-separated or repeated).
    pub survey: Vec<String>,
    /// Only these touchpoints (comma-separated or repeated).
    pub touchpoint: Vec<String>,
    /// Only these channels: web, email, in_app, sms, store, phone, chat, social, api
    /// (comma-separated or repeated).
    pub channel: Vec<String>,
    /// Only these response locales (comma-separated or repeated).
    pub locale: Vec<String>,
    /// `all` (default: partial responses count with the answers they have) or `completed`.
    pub status: Option<String>,
    /// `any` (default), `known` (a contact id or email was given) or `unknown`.
    pub contact: Option<String>,
    /// Respondents whose answer to a choice question includes one of the options:
    /// `QUESTION:OPTION[|OPTION...]`. Repeat to combine (all must hold).
    pub choice: Vec<String>,
    /// Responses whose attribute has this value: `KEY:VALUE`. Repeat to combine.
    pub attribute: Vec<String>,
    /// Only respondents who are members of these saved segments (comma-separated or
    /// repeated; all must hold). Anonymous responses are never members.
    pub segment: Vec<String>,
    /// Only responses whose case has this root cause (its key).
    pub root_cause: Option<String>,
    /// Only responses whose open answers text analysis read as `neg` (one of them
    /// negative), `pos` (none negative, one positive) or `neu` (the rest).
    pub sentiment: Option<String>,
    /// Only responses with an open answer about this aspect (`delivery`, `price`, `staff`,
    /// `product_quality`, `website_app`, `payment`, `returns_complaints`, `waiting_time`,
    /// `communication`), or with `ASPECT:SENTIMENT` spoken of so (`delivery:neg`).
    pub aspect: Option<String>,
}

fn parse_each<T, E: std::fmt::Display>(
    values: &[String],
    key: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<T>, AppError> {
    values
        .iter()
        .map(|v| parse(v).map_err(|e| invalid(format!("{key}: '{}': {e}", clip(v)))))
        .collect()
}

/// Saved segment keys, checked for form.
fn segment_keys(values: &[String]) -> Result<Vec<String>, AppError> {
    let keys = commas(values);
    for s in &keys {
        Key::parse(s).map_err(|e| invalid(format!("segment: '{}': {e}", clip(s))))?;
    }
    Ok(keys)
}

/// `previous` (true, the default) or `none`.
fn compare(v: &Option<String>) -> Result<bool, AppError> {
    match v.as_deref() {
        None | Some("previous") => Ok(true),
        Some("none") => Ok(false),
        Some(other) => Err(invalid(format!(
            "compare: '{}' is not one of previous, none",
            clip(other)
        ))),
    }
}

/// The query of a report over responses: period, filters and statistics.
#[derive(Debug, Default, Clone)]
pub struct ScopeQuery {
    pub period: PeriodQuery,
    pub filters: FilterQuery,
    pub stats: StatsQuery,
}

impl ScopeQuery {
    /// Takes the three parts from `q`.
    pub fn take(q: &QueryPairs) -> Result<ScopeQuery, AppError> {
        Ok(ScopeQuery {
            period: q.take()?,
            filters: q.take()?,
            stats: q.take()?,
        })
    }

    pub fn scope(&self, config: &AnalyticsConfig, now_ms: i64) -> Result<Scope, AppError> {
        let Period {
            from_ms,
            to_ms,
            time_zone,
        } = self.period.period(config, now_ms)?;
        let f = &self.filters;
        let mut filters = Vec::new();
        let surveys = commas(&f.survey);
        if !surveys.is_empty() {
            filters.push(Filter::Surveys(surveys.clone()));
        }
        let touchpoints = parse_each(&commas(&f.touchpoint), "touchpoint", Touchpoint::parse)?;
        if !touchpoints.is_empty() {
            filters.push(Filter::Touchpoints(touchpoints));
        }
        let channels = parse_each(&commas(&f.channel), "channel", Channel::parse)?;
        if !channels.is_empty() {
            filters.push(Filter::Channels(channels));
        }
        let locales = parse_each(&commas(&f.locale), "locale", Locale::parse)?;
        if !locales.is_empty() {
            filters.push(Filter::Locales(locales));
        }
        match f.status.as_deref() {
            None | Some("all") => {}
            Some("completed") => filters.push(Filter::CompletedOnly),
            Some(other) => {
                return Err(invalid(format!(
                    "status: '{}' is not one of all, completed",
                    clip(other)
                )));
            }
        }
        match f.contact.as_deref() {
            None | Some("any") => {}
            Some("known") => filters.push(Filter::HasContact(true)),
            Some("unknown") => filters.push(Filter::HasContact(false)),
            Some(other) => {
                return Err(invalid(format!(
                    "contact: '{}' is not one of any, known, unknown",
                    clip(other)
                )));
            }
        }
        for c in &f.choice {
            let (q, opts) = c
                .split_once(':')
                .ok_or_else(|| invalid("choice: write QUESTION:OPTION[|OPTION...]".into()))?;
            let question = QuestionId::parse(q).map_err(|e| invalid(format!("choice: {e}")))?;
            let options: Vec<String> = opts.split('|').map(str::to_string).collect();
            let options = parse_each(&options, "choice", OptionId::parse)?;
            filters.push(Filter::ChoiceIncludes { question, options });
        }
        for a in &f.attribute {
            let (key, value) = a
                .split_once(':')
                .ok_or_else(|| invalid("attribute: write KEY:VALUE".into()))?;
            filters.push(Filter::AttributeEquals {
                key: key.to_string(),
                value: value.to_string(),
            });
        }
        if let Some(cause) = &f.root_cause {
            let cause = Key::parse(cause)
                .map_err(|e| invalid(format!("root_cause: '{}': {e}", clip(cause))))?;
            // Filled with each case's root cause by the application.
            filters.push(Filter::Labelled {
                labels: std::sync::Arc::new(puls_index::RowLabels::new(
                    puls_app::analytics::metrics::ROOT_CAUSE,
                    [],
                )),
                value: cause.as_str().to_string(),
            });
        }
        if let Some(s) = &f.sentiment {
            if !puls_app::text_queue::SENTIMENTS.contains(&s.as_str()) {
                return Err(invalid(format!(
                    "sentiment: '{}' is not one of neg, neu, pos",
                    clip(s)
                )));
            }
            filters.push(Filter::Labelled {
                labels: std::sync::Arc::new(puls_index::RowLabels::new(
                    puls_app::analytics::metrics::SENTIMENT,
                    [],
                )),
                value: s.clone(),
            });
        }
        if let Some(a) = &f.aspect {
            let (name, sentiment) = match a.split_once(':') {
                Some((n, s)) => (n, Some(s)),
                None => (a.as_str(), None),
            };
            // Whether the workspace has the aspect is checked where it is bound.
            if !puls_app::text_aspects::is_name(name)
                || sentiment.is_some_and(|s| !puls_app::text_queue::SENTIMENTS.contains(&s))
            {
                return Err(invalid(format!(
                    "aspect: '{}' is not ASPECT or ASPECT:SENTIMENT (aspects: {}; sentiments: \
                     neg, neu, pos)",
                    clip(a),
                    puls_app::text_queue::ASPECTS.join(", ")
                )));
            }
            // Filled with the responses about the aspect by the application.
            filters.push(Filter::Labelled {
                labels: std::sync::Arc::new(puls_index::RowLabels::new(
                    &format!("{}{a}", puls_app::analytics::metrics::ASPECT_PREFIX),
                    [],
                )),
                value: "yes".into(),
            });
        }
        Ok(Scope {
            from_ms,
            to_ms,
            time_zone,
            filters,
            surveys,
            segments: segment_keys(&f.segment)?,
            options: self.stats.options(config)?,
        })
    }
}

/// `QUESTION` or `QUESTION.ROW` (a matrix row).
fn parse_key(s: &str, field: &str) -> Result<QuestionKey, AppError> {
    let bad = |e: String| invalid(format!("{field}: '{}': {e}", clip(s)));
    match s.split_once('.') {
        None => Ok(QuestionKey::question(
            QuestionId::parse(s).map_err(|e| bad(e.to_string()))?,
        )),
        Some((q, row)) => Ok(QuestionKey::matrix_row(
            QuestionId::parse(q).map_err(|e| bad(e.to_string()))?,
            OptionId::parse(row).map_err(|e| bad(e.to_string()))?,
        )),
    }
}

/// The parameters of `GET /api/v1/metrics` besides the period, filters and statistics.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// `nps`, `csat`, `ces` or `rating`.
    #[param(required = true)]
    pub metric: Option<String>,
    /// The question to read (`QUESTION` or `QUESTION.ROW` for a matrix row). Required for
    /// `rating`; by default each survey's first question of the metric's kind.
    pub question: Option<String>,
    /// Group by these, comma-separated: `day`, `week`, `month` (at most one), `touchpoint`,
    /// `channel`, `survey`, `locale`, `choice:QUESTION`, `attribute:KEY`, `root_cause` (the
    /// root cause of the case opened for the response; responses without one form the
    /// group `null`), `sentiment` (what text analysis read in the open answers: `neg` when
    /// one reads negative, else `pos` when one reads positive, else `neu`; responses
    /// without analysed answers form the group `null`).
    pub by: Vec<String>,
    /// `previous` (default): each row with the previous bucket or period and the change;
    /// `none`.
    pub compare: Option<String>,
}

/// Most grouping dimensions in one request.
const MAX_BY: usize = 4;

/// One `by` word: `day`, `week`, `month`, `touchpoint`, `channel`, `survey`, `locale`,
/// `choice:QUESTION`, `attribute:KEY` or `root_cause`; time units in `tz`.
fn parse_by(s: &str, tz: &str) -> Result<GroupBy, AppError> {
    let time = |unit| {
        TimeBuckets::new(unit, tz)
            .map(GroupBy::Time)
            .map_err(index_error)
    };
    Ok(match s {
        "day" => time(TimeUnit::Day)?,
        "week" => time(TimeUnit::Week)?,
        "month" => time(TimeUnit::Month)?,
        "touchpoint" => GroupBy::Touchpoint,
        "channel" => GroupBy::Channel,
        "survey" => GroupBy::Survey,
        "locale" => GroupBy::Locale,
        // Filled with each case's root cause by the application.
        "root_cause" => GroupBy::Labels(std::sync::Arc::new(puls_index::RowLabels::new(
            puls_app::analytics::metrics::ROOT_CAUSE,
            [],
        ))),
        // Filled with what text analysis read by the application.
        "sentiment" => GroupBy::Labels(std::sync::Arc::new(puls_index::RowLabels::new(
            puls_app::analytics::metrics::SENTIMENT,
            [],
        ))),
        other => match other.split_once(':') {
            Some(("choice", q)) => {
                GroupBy::Choice(QuestionId::parse(q).map_err(|e| invalid(format!("by: {e}")))?)
            }
            Some(("attribute", k)) if !k.is_empty() => GroupBy::Attribute(k.to_string()),
            _ => {
                return Err(invalid(format!(
                    "by: '{}' is not one of day, week, month, touchpoint, channel, \
                         survey, locale, choice:QUESTION, attribute:KEY, root_cause, sentiment",
                    clip(other)
                )));
            }
        },
    })
}

impl MetricsQuery {
    pub fn request(
        &self,
        scope: &ScopeQuery,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<MetricsRequest, AppError> {
        let metric = match self.metric.as_deref() {
            None => {
                return Err(invalid(
                    "metric: required (nps, csat, ces or rating)".into(),
                ));
            }
            Some("nps") => Metric::Nps,
            Some("csat") => Metric::Csat,
            Some("ces") => Metric::Ces,
            Some("rating") => Metric::Rating,
            Some(other) => {
                return Err(invalid(format!(
                    "metric: '{}' is not one of nps, csat, ces, rating",
                    clip(other)
                )));
            }
        };
        let question = self
            .question
            .as_deref()
            .map(|q| parse_key(q, "question"))
            .transpose()?;
        if metric == Metric::Rating && question.is_none() {
            return Err(invalid(
                "question: required for metric=rating (QUESTION or QUESTION.ROW)".into(),
            ));
        }
        let compare = compare(&self.compare)?;
        let scope = scope.scope(config, now_ms)?;
        let by = commas(&self.by)
            .iter()
            .map(|s| parse_by(s, &scope.time_zone))
            .collect::<Result<Vec<_>, _>>()?;
        if by.iter().filter(|b| matches!(b, GroupBy::Time(_))).count() > 1 {
            return Err(invalid("by: at most one of day, week, month".into()));
        }
        if by.len() > MAX_BY {
            return Err(invalid(format!("by: at most {MAX_BY} dimensions")));
        }
        Ok(MetricsRequest {
            metric,
            question,
            by,
            compare,
            scope,
        })
    }
}

impl ReportQuery for MetricsQuery {
    type Request = MetricsRequest;

    fn read(
        q: &QueryPairs,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<MetricsRequest, AppError> {
        let own: MetricsQuery = q.take()?;
        own.request(&ScopeQuery::take(q)?, config, now_ms)
    }
}

/// The parameters of `GET /api/v1/drivers` besides the period, filters and statistics.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DriversQuery {
    /// The outcome question: `QUESTION` or `QUESTION.ROW` (an NPS or any rating).
    #[param(required = true)]
    pub outcome: Option<String>,
    /// Candidate drivers, comma-separated (1 to 15 rating questions or matrix rows).
    #[param(required = true)]
    pub drivers: Vec<String>,
}

impl DriversQuery {
    pub fn request(
        &self,
        scope: &ScopeQuery,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<DriversRequest, AppError> {
        let outcome = self
            .outcome
            .as_deref()
            .ok_or_else(|| invalid("outcome: required (QUESTION or QUESTION.ROW)".into()))
            .and_then(|s| parse_key(s, "outcome"))?;
        let drivers = commas(&self.drivers)
            .iter()
            .map(|s| parse_key(s, "drivers"))
            .collect::<Result<Vec<_>, _>>()?;
        if drivers.is_empty() {
            return Err(invalid("drivers: name at least one question".into()));
        }
        if drivers.len() > puls_core::drivers::MAX_DRIVERS {
            return Err(invalid(format!(
                "drivers: at most {} drivers",
                puls_core::drivers::MAX_DRIVERS
            )));
        }
        if drivers.contains(&outcome) {
            return Err(invalid(
                "drivers: the outcome cannot be its own driver".into(),
            ));
        }
        Ok(DriversRequest {
            outcome,
            drivers,
            scope: scope.scope(config, now_ms)?,
        })
    }
}

impl ReportQuery for DriversQuery {
    type Request = DriversRequest;

    fn read(
        q: &QueryPairs,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<DriversRequest, AppError> {
        let own: DriversQuery = q.take()?;
        own.request(&ScopeQuery::take(q)?, config, now_ms)
    }
}

impl ReportQuery for ScopeQuery {
    type Request = Scope;

    fn read(q: &QueryPairs, config: &AnalyticsConfig, now_ms: i64) -> Result<Scope, AppError> {
        ScopeQuery::take(q)?.scope(config, now_ms)
    }
}

/// The parameters of a journey's funnel besides its period and statistics.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// Conversion window in days from entry (1–365). Default: the journey's.
    #[param(minimum = 1, maximum = 365)]
    pub window_days: Option<i64>,
    /// Use only these stages (keys, comma-separated), kept in journey order.
    pub stages: Vec<String>,
    /// Split by `channel` (of the entry touchpoint), `entry_touchpoint`, `first_touchpoint`
    /// (first journey touchpoint ever touched, up to entry) or `segment:KEY` (in / out).
    pub by: Option<String>,
    /// Only contacts in these saved segments (comma-separated or repeated; all must hold).
    pub segment: Vec<String>,
    /// `previous` (default): each stage also over the period of equal length before, with a
    /// two-proportion test of its conversion rate; `none`.
    pub compare: Option<String>,
    /// List the N most common touchpoint paths before each drop-off (0–50, default 0).
    #[param(minimum = 0, maximum = 50)]
    pub paths: Option<u64>,
    /// Language of stage names: `pl`, `cs`, `en` (default).
    pub lang: Option<String>,
}

/// A window in days: 1 to the journey limit.
fn window_days(v: Option<i64>) -> Result<Option<i64>, AppError> {
    v.map(|d| match d {
        d if (1..=puls_core::journey::limits::MAX_WINDOW_DAYS).contains(&d) => Ok(d),
        _ => Err(invalid(format!(
            "window_days: must be a whole number of days from 1 to {}",
            puls_core::journey::limits::MAX_WINDOW_DAYS
        ))),
    })
    .transpose()
}

impl FunnelQuery {
    pub fn request(
        &self,
        period: &PeriodQuery,
        stats: &StatsQuery,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<FunnelRequest, AppError> {
        let period = period.period(config, now_ms)?;
        let window_days = window_days(self.window_days)?;
        let by = match self.by.as_deref() {
            None => None,
            Some("channel") => Some(FunnelBy::Channel),
            Some("entry_touchpoint") => Some(FunnelBy::EntryTouchpoint),
            Some("first_touchpoint") => Some(FunnelBy::FirstTouchpoint),
            Some(other) => match other.strip_prefix("segment:") {
                Some(k) => {
                    Key::parse(k)
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
        let paths = match self.paths {
            None => 0,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_PATHS)
                .ok_or_else(|| invalid(format!("paths: must be a number from 0 to {MAX_PATHS}")))?,
        };
        Ok(FunnelRequest {
            period,
            window_days,
            stages: commas(&self.stages),
            by,
            segments: segment_keys(&self.segment)?,
            compare: compare(&self.compare)?,
            paths,
            options: stats.options(config)?,
            lang: self.lang.clone().unwrap_or_else(|| "en".into()),
        })
    }
}

impl ReportQuery for FunnelQuery {
    type Request = FunnelRequest;

    fn read(
        q: &QueryPairs,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<FunnelRequest, AppError> {
        let own: FunnelQuery = q.take()?;
        own.request(&q.take()?, &q.take()?, config, now_ms)
    }
}

/// The parameters of a journey map besides its period and statistics.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// Conversion window in days from entry (1–365). Default: the journey's.
    #[param(minimum = 1, maximum = 365)]
    pub window_days: Option<i64>,
    /// The stages whose chain gives passages and drop-off (keys, comma-separated; default:
    /// every stage, in order).
    pub stages: Vec<String>,
    /// Only members of these saved segments (comma-separated or repeated).
    pub segment: Vec<String>,
    /// Language of names: `pl`, `cs`, `en` (default).
    pub lang: Option<String>,
}

impl MapQuery {
    pub fn request(
        &self,
        period: &PeriodQuery,
        stats: &StatsQuery,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<MapRequest, AppError> {
        Ok(MapRequest {
            period: period.period(config, now_ms)?,
            window_days: window_days(self.window_days)?,
            stages: commas(&self.stages),
            segments: segment_keys(&self.segment)?,
            options: stats.options(config)?,
            lang: self.lang.clone().unwrap_or_else(|| "en".into()),
        })
    }
}

impl ReportQuery for MapQuery {
    type Request = MapRequest;

    fn read(q: &QueryPairs, config: &AnalyticsConfig, now_ms: i64) -> Result<MapRequest, AppError> {
        let own: MapQuery = q.take()?;
        own.request(&q.take()?, &q.take()?, config, now_ms)
    }
}
