//! Typed parsing of report parameters: the period, time zone, filters and statistical options
//! every report shares. The HTTP handlers and `puls report` feed the same parser, so a query
//! string and a command line mean exactly the same thing.

use puls_core::stats::Confidence;
use puls_core::{Channel, Locale, OptionId, QuestionId, Touchpoint};
use puls_index::{Filter, IndexError, parse_instant};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::ApiError;

/// Defaults of the analytics reports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsConfig {
    /// IANA time zone of dates, days, weeks and months when a request names none.
    pub time_zone: String,
    /// Results with fewer responses are flagged `small_sample`.
    pub min_n: u64,
    /// Build every workspace's indexes in the background when the server starts, so the
    /// first report does not wait for them.
    pub warm_up: bool,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        AnalyticsConfig {
            time_zone: "Europe/Warsaw".into(),
            min_n: 30,
            warm_up: true,
        }
    }
}

/// How statistics are computed for one request.
pub type Options = puls_core::stats::Options;

/// Query parameters as given, in order, repeated keys kept. Each report takes the keys it
/// knows; what is left is an error, never silently ignored.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Params(pairs)
    }

    /// Parses a URL query string.
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(Params)
            .map_err(|e| invalid(format!("query string: {e}")))
    }

    /// The value of a key given at most once; an empty value counts as absent.
    pub fn one(&mut self, key: &str) -> Result<Option<String>, ApiError> {
        let mut all = self.all(key);
        if all.len() > 1 {
            return Err(invalid(format!("{key}: give it once")));
        }
        Ok(all.pop())
    }

    /// Every value of a repeatable key (also comma-separated within one value).
    pub fn list(&mut self, key: &str) -> Vec<String> {
        self.all(key)
            .iter()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Every value of a key, removed from the parameters.
    pub fn all(&mut self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.0.retain(|(k, v)| {
            if k == key {
                if !v.trim().is_empty() {
                    out.push(v.trim().to_string());
                }
                false
            } else {
                true
            }
        });
        out
    }

    /// Fails on any key no report step took.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.0.first() {
            None => Ok(()),
            Some((k, _)) => Err(invalid(format!(
                "unknown query parameter '{}'",
                k.chars().take(64).collect::<String>()
            ))),
        }
    }
}

/// A request parameter that cannot be used; `message` starts with the parameter's name.
pub(crate) fn invalid(message: String) -> ApiError {
    ApiError::bad_request("invalid_query", message)
}

/// The period, zone, filters and options of one report.
#[derive(Debug, Clone)]
pub struct Scope {
    pub from_ms: i64,
    pub to_ms: i64,
    pub time_zone: String,
    /// Filters other than the period.
    pub filters: Vec<Filter>,
    /// Surveys named by `survey` (empty: all).
    pub surveys: Vec<String>,
    /// Saved segments named by `segment` (all must hold); turned into a respondents filter
    /// by `Analytics::bind_segments` before a query.
    pub segments: Vec<String>,
    pub options: Options,
}

/// A report's period and the zone its dates are read in.
#[derive(Debug, Clone)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
    pub time_zone: String,
}

impl Period {
    /// Takes `tz`, `from` and `to` out of `p` (default: the last [`DEFAULT_DAYS`] days).
    pub fn parse(
        p: &mut Params,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<Period, ApiError> {
        let time_zone = p.one("tz")?.unwrap_or_else(|| config.time_zone.clone());
        puls_index::TimeBuckets::new(puls_index::TimeUnit::Day, &time_zone)
            .map_err(|e| invalid(format!("tz: {e}")))?;
        let instant = |key: &str, v: Option<String>| -> Result<Option<i64>, ApiError> {
            v.map(|s| parse_instant(&s, &time_zone).map_err(|e| invalid(format!("{key}: {e}"))))
                .transpose()
        };
        let to_ms = instant("to", p.one("to")?)?.unwrap_or(now_ms);
        let from_ms = instant("from", p.one("from")?)?.unwrap_or(to_ms - DEFAULT_DAYS * DAY_MS);
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

/// Takes `min_n` and `confidence` out of `p`.
pub fn stat_options(p: &mut Params, config: &AnalyticsConfig) -> Result<Options, ApiError> {
    let min_n = match p.one("min_n")? {
        None => config.min_n,
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| invalid("min_n: must be a whole number".into()))?,
    };
    let confidence = match p.one("confidence")? {
        None => Confidence::default(),
        Some(s) => s
            .parse::<f64>()
            .ok()
            .and_then(|l| Confidence::new(l).ok())
            .ok_or_else(|| invalid("confidence: must be a level between 0.5 and 0.999".into()))?,
    };
    Ok(Options { min_n, confidence })
}

/// Default length of a report's period when `from` is not given.
pub const DEFAULT_DAYS: i64 = 30;
pub(crate) const DAY_MS: i64 = 24 * 3600 * 1000;

impl Scope {
    /// Takes the shared parameters out of `p` (see [`ScopeParams`]).
    pub fn parse(p: &mut Params, config: &AnalyticsConfig, now_ms: i64) -> Result<Scope, ApiError> {
        let Period {
            from_ms,
            to_ms,
            time_zone,
        } = Period::parse(p, config, now_ms)?;

        let mut filters = Vec::new();
        let surveys = p.list("survey");
        if !surveys.is_empty() {
            filters.push(Filter::Surveys(surveys.clone()));
        }
        let touchpoints = parse_each(p.list("touchpoint"), "touchpoint", Touchpoint::parse)?;
        if !touchpoints.is_empty() {
            filters.push(Filter::Touchpoints(touchpoints));
        }
        let channels = parse_each(p.list("channel"), "channel", Channel::parse)?;
        if !channels.is_empty() {
            filters.push(Filter::Channels(channels));
        }
        let locales = parse_each(p.list("locale"), "locale", Locale::parse)?;
        if !locales.is_empty() {
            filters.push(Filter::Locales(locales));
        }
        match p.one("status")?.as_deref() {
            None | Some("all") => {}
            Some("completed") => filters.push(Filter::CompletedOnly),
            Some(other) => {
                return Err(invalid(format!(
                    "status: '{}' is not one of all, completed",
                    clip(other)
                )));
            }
        }
        match p.one("contact")?.as_deref() {
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
        for c in p.all("choice") {
            let (q, opts) = c
                .split_once(':')
                .ok_or_else(|| invalid("choice: write QUESTION:OPTION[|OPTION...]".into()))?;
            let question = QuestionId::parse(q).map_err(|e| invalid(format!("choice: {e}")))?;
            let options = parse_each(
                opts.split('|').map(str::to_string).collect(),
                "choice",
                OptionId::parse,
            )?;
            filters.push(Filter::ChoiceIncludes { question, options });
        }
        for a in p.all("attribute") {
            let (key, value) = a
                .split_once(':')
                .ok_or_else(|| invalid("attribute: write KEY:VALUE".into()))?;
            filters.push(Filter::AttributeEquals {
                key: key.to_string(),
                value: value.to_string(),
            });
        }

        let segments = p.list("segment");
        for s in &segments {
            puls_core::Key::parse(s)
                .map_err(|e| invalid(format!("segment: '{}': {e}", clip(s))))?;
        }
        let options = stat_options(p, config)?;
        Ok(Scope {
            from_ms,
            to_ms,
            time_zone,
            filters,
            surveys,
            segments,
            options,
        })
    }

    /// The filters with the period `[from, to)`.
    pub fn filters_for(&self, from_ms: i64, to_ms: i64) -> Vec<Filter> {
        let mut f = self.filters.clone();
        f.push(Filter::TimeRange { from_ms, to_ms });
        f
    }

    /// The period of the same length just before this one.
    pub fn previous_period(&self) -> (i64, i64) {
        (self.from_ms - (self.to_ms - self.from_ms), self.from_ms)
    }
}

fn parse_each<T, E: std::fmt::Display>(
    values: Vec<String>,
    key: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<T>, ApiError> {
    values
        .iter()
        .map(|v| parse(v).map_err(|e| invalid(format!("{key}: '{}': {e}", clip(v)))))
        .collect()
}

pub(crate) fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// An index error caused by the request (422) or by the server (500).
pub(crate) fn index_error(e: IndexError) -> ApiError {
    match e {
        IndexError::MixedScales { .. } => ApiError::unprocessable("mixed_scales", e.to_string()),
        IndexError::TooManyTimeBuckets => {
            ApiError::unprocessable("too_many_buckets", e.to_string())
        }
        IndexError::AttributeNotIndexed(_) => {
            ApiError::unprocessable("attribute_not_indexed", e.to_string())
        }
        IndexError::UnknownTimeZone(_)
        | IndexError::InvalidInstant(_)
        | IndexError::TimeOutOfRange(_) => ApiError::bad_request("invalid_query", e.to_string()),
        other => ApiError::Internal(anyhow::anyhow!(other)),
    }
}

/// The parameters every report takes (documentation of [`Scope::parse`]).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ScopeParams {
    /// Start of the period, inclusive: `YYYY-MM-DD` (local midnight in `tz`) or RFC 3339.
    /// Default: 30 days before `to`.
    pub from: Option<String>,
    /// End of the period, exclusive (same forms). Default: now.
    pub to: Option<String>,
    /// IANA time zone of dates and day/week/month buckets. Default: the server's
    /// `analytics.time_zone` (Europe/Warsaw unless configured).
    pub tz: Option<String>,
    /// Only these surveys (comma-separated or repeated).
    pub survey: Option<String>,
    /// Only these touchpoints (comma-separated or repeated).
    pub touchpoint: Option<String>,
    /// Only these channels: web, email, in_app, sms, store, phone, chat (comma-separated or
    /// repeated).
    pub channel: Option<String>,
    /// Only these response locales (comma-separated or repeated).
    pub locale: Option<String>,
    /// `all` (default: partial responses count with the answers they have) or `completed`.
    pub status: Option<String>,
    /// `any` (default), `known` (a contact id or email was given) or `unknown`.
    pub contact: Option<String>,
    /// Respondents whose answer to a choice question includes one of the options:
    /// `QUESTION:OPTION[|OPTION...]`. Repeat to combine (all must hold).
    pub choice: Option<String>,
    /// Responses whose attribute has this value: `KEY:VALUE`. Repeat to combine.
    pub attribute: Option<String>,
    /// Only respondents who are members of these saved segments (comma-separated or
    /// repeated; all must hold). Anonymous responses are never members.
    pub segment: Option<String>,
    /// Results with fewer responses are flagged `small_sample`. Default: `analytics.min_n` (30).
    pub min_n: Option<u64>,
    /// Confidence level of intervals and tests, 0.5 to 0.999. Default 0.95.
    pub confidence: Option<f64>,
}
