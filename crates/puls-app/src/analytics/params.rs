//! What every report shares, typed: the period, time zone, filters and statistical options
//! (parsed from query strings and command lines at the edges, `puls-wire`'s `reports`).

use puls_index::{Filter, IndexError};

use crate::error::{AppError, Rejection};

/// How statistics are computed for one request.
pub type Options = puls_core::stats::Options;

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

/// Default length of a report's period when `from` is not given.
pub const DEFAULT_DAYS: i64 = 30;
pub const DAY_MS: i64 = 24 * 3600 * 1000;

impl Scope {
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

pub fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// An index error caused by the request (422) or by the server (500).
pub fn index_error(e: IndexError) -> AppError {
    match e {
        IndexError::MixedScales { .. } => AppError::rejected(Rejection::MixedScales, e.to_string()),
        IndexError::TooManyTimeBuckets => {
            AppError::rejected(Rejection::TooManyBuckets, e.to_string())
        }
        IndexError::AttributeNotIndexed(_) => {
            AppError::rejected(Rejection::AttributeNotIndexed, e.to_string())
        }
        IndexError::UnknownTimeZone(_)
        | IndexError::InvalidInstant(_)
        | IndexError::TimeOutOfRange(_) => AppError::InvalidParameter(e.to_string()),
        other => AppError::Internal(anyhow::anyhow!(other)),
    }
}
