//! An in-memory columnar index of response facts, from which CX metrics (NPS, CSAT, CES,
//! ratings, Kano, drop-off, key-driver rows) are computed by period and segment in
//! milliseconds over millions of responses.
//!
//! Each server node keeps one [`FactIndex`] per workspace and feeds it from the store's
//! commit-ordered change feed ([`FactIndex::upsert`], [`FactIndex::remove`]); a response the
//! store committed a moment ago is counted as soon as its change is applied. Queries scan
//! compact columns into [`puls_core::stats::Distribution`]s and
//! [`puls_core::kano::KanoTally`]s; the statistics themselves stay in `puls-core`.
//!
//! Pure: no I/O, no async, no SQL. Time zones come from the tz database compiled into the
//! binary.
//!
//! # Layout
//!
//! Rows are appended in feed order; a row number is a `u32`. Per row: the id key (`u128`),
//! `created_at` (`i64` ms), survey-and-version, touchpoint and locale codes (one byte until a
//! dictionary outgrows it), the channel and a flag byte (dead, completed, has contact).
//! Answers are sparse, one column per question key: ascending row numbers and a one-byte
//! value (score minus scale minimum, or a Kano pair), or for choices the option codes of each
//! row. Attributes are sparse per key with a per-key value dictionary. A re-upserted id marks
//! its old row dead and appends a new one; dead rows are dropped by compaction once they are
//! a quarter of all rows. Per 4096 rows a zone map keeps the min and max `created_at`, so a
//! time filter skips whole zones and tests no row of a zone that lies inside it.
//!
//! # Scanning
//!
//! A query is compiled once into steps (filters by dictionary-code masks, group dimensions by
//! mixed-radix slot numbers, time buckets through a per-quarter-hour table), then run zone by
//! zone on blocks of (row, value) pairs, each step a tight loop over the block; counts go to a
//! dense `slot × score` array. Large scans are split over the available cores with
//! `std::thread::scope`. Nothing allocates or hashes per row.

mod columns;
mod fact;
mod index;
mod query;
mod time;

pub use fact::{Fact, FactHead, QuestionKey, Score};
pub use index::{FactIndex, MAX_ATTRIBUTE_VALUES, Upserted};
pub use query::{Filter, GroupBy, GroupKey, GroupValue, Query, RowLabels};
pub use time::{MAX_TIME_BUCKETS, TimeBucket, TimeBuckets, TimeUnit, parse_end, parse_instant};

/// What the index refuses: malformed facts and queries it cannot answer exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("the time zone {0:?} is not in the bundled tz database")]
    UnknownTimeZone(String),
    #[error("{0:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp")]
    InvalidInstant(String),
    #[error("the instant {0} ms is outside the years 1000 to 9000")]
    TimeOutOfRange(i64),
    #[error("a time grouping would produce more than {max} buckets", max = MAX_TIME_BUCKETS)]
    TooManyTimeBuckets,
    #[error("the score {value} of {key} is outside its scale {min}..={max}")]
    ScoreOutOfScale {
        key: String,
        value: i64,
        min: i64,
        max: i64,
    },
    #[error("the scale {min}..={max} of {key} is not a valid scale")]
    InvalidScale { key: String, min: i64, max: i64 },
    #[error("{key} is answered twice in one fact")]
    DuplicateAnswer { key: String },
    #[error("{key} was asked on different scales ({scales}); filter to one survey version")]
    MixedScales { key: String, scales: String },
    #[error("the attribute {0:?} has too many distinct values to be indexed")]
    AttributeNotIndexed(String),
    #[error("the index holds the maximum number of rows; compact it or split the workspace")]
    Full,
    #[error(transparent)]
    Stats(#[from] puls_core::stats::StatsError),
}
