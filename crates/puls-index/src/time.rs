//! Calendar buckets (day, ISO week, month) in an IANA time zone, and the per-query lookup
//! table that maps a timestamp to its bucket without calling the time zone code per row.
//!
//! Time zones come from the tz database bundled into the binary (jiff's `tzdb-bundle-always`),
//! so every node computes the same boundaries whatever the host has installed.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::IndexError;

/// The length of a calendar bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeUnit {
    /// A local calendar day (23 or 25 hours long on DST changes).
    Day,
    /// An ISO week: Monday 00:00 to the next Monday 00:00, labelled by ISO week-year.
    Week,
    /// A calendar month.
    Month,
}

/// Buckets of one [`TimeUnit`] in one time zone; build with [`TimeBuckets::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct TimeBuckets {
    unit: TimeUnit,
    tz: TimeZone,
    tz_name: String,
}

/// One bucket of a time grouping: its first instant and a label in the bucket's zone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeBucket {
    /// The first instant of the bucket (local midnight), in Unix milliseconds.
    pub start_ms: i64,
    /// `2025-03-30` (day), `2025-W13` (ISO week), `2025-03` (month).
    pub label: String,
}

/// The earliest and latest instants the index accepts (years 1000 to 9000), far inside what
/// the calendar code handles, so every bucket of an accepted timestamp can be computed.
pub(crate) const MIN_MS: i64 = -30_610_224_000_000;
pub(crate) const MAX_MS: i64 = 221_845_392_000_000;

/// A query may produce at most this many time buckets (about 270 years of days).
pub const MAX_TIME_BUCKETS: usize = 100_000;

impl TimeBuckets {
    /// Buckets of `unit` in the IANA zone `tz` (e.g. `Europe/Warsaw`, `UTC`).
    pub fn new(unit: TimeUnit, tz: &str) -> Result<Self, IndexError> {
        let zone = TimeZone::get(tz).map_err(|_| IndexError::UnknownTimeZone(tz.to_string()))?;
        Ok(TimeBuckets {
            unit,
            tz: zone,
            tz_name: tz.to_string(),
        })
    }

    pub fn unit(&self) -> TimeUnit {
        self.unit
    }

    pub fn time_zone(&self) -> &str {
        &self.tz_name
    }

    fn date_of(&self, ms: i64) -> Result<Date, IndexError> {
        let ts = Timestamp::from_millisecond(ms).map_err(|_| IndexError::TimeOutOfRange(ms))?;
        Ok(ts.to_zoned(self.tz.clone()).date())
    }

    fn first_day(&self, d: Date) -> Date {
        match self.unit {
            TimeUnit::Day => d,
            TimeUnit::Week => {
                let back = i64::from(d.weekday().to_monday_zero_offset());
                d.checked_sub(back.days()).unwrap_or(d)
            }
            TimeUnit::Month => d.first_of_month(),
        }
    }

    fn next_day(&self, first: Date) -> Result<Date, IndexError> {
        let span = match self.unit {
            TimeUnit::Day => 1.day(),
            TimeUnit::Week => 1.week(),
            TimeUnit::Month => 1.month(),
        };
        first
            .checked_add(span)
            .map_err(|_| IndexError::TimeOutOfRange(0))
    }

    /// The first instant of `day` in the zone: local midnight, or the first instant after
    /// a DST gap at midnight.
    fn start_of(&self, day: Date) -> Result<i64, IndexError> {
        let z = day
            .to_zoned(self.tz.clone())
            .and_then(|z| z.start_of_day())
            .map_err(|_| IndexError::TimeOutOfRange(0))?;
        Ok(z.timestamp().as_millisecond())
    }

    fn label(&self, first: Date) -> String {
        match self.unit {
            TimeUnit::Day => first.to_string(),
            TimeUnit::Week => {
                let w = first.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            TimeUnit::Month => format!("{:04}-{:02}", first.year(), first.month()),
        }
    }

    /// The bucket containing `ms`.
    pub fn bucket_of(&self, ms: i64) -> Result<TimeBucket, IndexError> {
        let first = self.first_day(self.date_of(ms)?);
        Ok(TimeBucket {
            start_ms: self.start_of(first)?,
            label: self.label(first),
        })
    }

    /// The first instant after `bucket` (the start of the next one).
    pub fn end_of(&self, bucket: &TimeBucket) -> Result<i64, IndexError> {
        let first = self.first_day(self.date_of(bucket.start_ms)?);
        self.start_of(self.next_day(first)?)
    }

    /// The bucket just before `bucket` (the previous day, week or month).
    pub fn previous(&self, bucket: &TimeBucket) -> Result<TimeBucket, IndexError> {
        self.bucket_of(bucket.start_ms - 1)
    }

    /// The local calendar date of `ms` in this zone, as `YYYY-MM-DD`.
    pub fn local_date(&self, ms: i64) -> Result<String, IndexError> {
        Ok(self.date_of(ms)?.to_string())
    }

    /// Every bucket overlapping `[from, to)`, with the end of the last one.
    pub(crate) fn covering(&self, from: i64, to: i64) -> Result<BucketTable, IndexError> {
        let mut day = self.first_day(self.date_of(from)?);
        let mut starts = Vec::new();
        let mut labels = Vec::new();
        loop {
            let start = self.start_of(day)?;
            if start >= to && !starts.is_empty() {
                starts.push(start);
                break;
            }
            if starts.len() > MAX_TIME_BUCKETS {
                return Err(IndexError::TooManyTimeBuckets);
            }
            starts.push(start);
            labels.push(self.label(day));
            day = self.next_day(day)?;
        }
        Ok(BucketTable::new(starts, labels))
    }
}

/// An instant written as `YYYY-MM-DD` (the first instant of that day in `tz`) or as an RFC 3339
/// timestamp with an offset (`2026-03-01T12:00:00Z`), in Unix milliseconds.
pub fn parse_instant(s: &str, tz: &str) -> Result<i64, IndexError> {
    let invalid = || IndexError::InvalidInstant(s.chars().take(64).collect());
    // jiff reads the date out of a longer timestamp too, so only a bare date is a date.
    let bare_date = s.len() == 10;
    let ms = if bare_date {
        let day = s.parse::<Date>().map_err(|_| invalid())?;
        TimeBuckets::new(TimeUnit::Day, tz)?.start_of(day)?
    } else {
        s.parse::<Timestamp>()
            .map_err(|_| invalid())?
            .as_millisecond()
    };
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return Err(IndexError::TimeOutOfRange(ms));
    }
    Ok(ms)
}

/// The end of a period, exclusive, in Unix milliseconds: a bare `YYYY-MM-DD` is the whole
/// of that day in `tz` (so the period ends at the next local midnight), an RFC 3339
/// timestamp is the first instant left out. A date means the same as an end in the web app
/// and the API: `from=2026-03-01&to=2026-03-31` is all of March.
pub fn parse_end(s: &str, tz: &str) -> Result<i64, IndexError> {
    let ms = if s.len() == 10 {
        let day = s
            .parse::<Date>()
            .map_err(|_| IndexError::InvalidInstant(s.chars().take(64).collect()))?;
        let days = TimeBuckets::new(TimeUnit::Day, tz)?;
        days.start_of(days.next_day(day)?)?
    } else {
        parse_instant(s, tz)?
    };
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return Err(IndexError::TimeOutOfRange(ms));
    }
    Ok(ms)
}

/// Bucket boundaries for one query, with a lookup table per quarter hour.
///
/// Every real zone offset and DST change since 1970 falls on a quarter hour, so almost every
/// 15-minute slot lies inside one bucket and maps straight to it; a slot that straddles a
/// boundary (any zone where that is not so) is marked and resolved by binary search, so the
/// result is exact for every zone.
#[derive(Debug, Clone)]
pub(crate) struct BucketTable {
    /// `starts[i]..starts[i + 1]` is bucket `i`; the last entry is the end of the last bucket.
    pub(crate) starts: Vec<i64>,
    pub(crate) labels: Vec<String>,
    base: i64,
    slots: Vec<u32>,
}

const SLOT_MS: i64 = 15 * 60 * 1000;
const STRADDLES: u32 = u32::MAX;
/// Beyond this many quarter hours (about 57 years) the table is not built; lookups then
/// binary-search the boundaries.
const MAX_SLOTS: i64 = 2_000_000;

impl BucketTable {
    fn new(starts: Vec<i64>, labels: Vec<String>) -> Self {
        let first = starts[0];
        let end = starts[starts.len() - 1];
        let base = first.div_euclid(SLOT_MS) * SLOT_MS;
        let n = (end - base + SLOT_MS - 1) / SLOT_MS;
        let mut slots = Vec::new();
        if n <= MAX_SLOTS {
            slots.reserve(n as usize);
            let mut b = 0usize;
            for i in 0..n {
                let lo = base + i * SLOT_MS;
                let hi = lo + SLOT_MS;
                while b + 1 < starts.len() && starts[b + 1] <= lo {
                    b += 1;
                }
                let inside = lo >= starts[0] && b + 1 < starts.len() && hi <= starts[b + 1];
                slots.push(if inside { b as u32 } else { STRADDLES });
            }
        }
        BucketTable {
            starts,
            labels,
            base,
            slots,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    /// The bucket of `ms`, for `ms` within the table's range (clamped to the first or last
    /// bucket otherwise; callers filter the range first).
    #[inline]
    pub(crate) fn bucket(&self, ms: i64) -> u32 {
        let q = (ms - self.base) / SLOT_MS;
        if let Some(&b) = usize::try_from(q).ok().and_then(|q| self.slots.get(q))
            && b != STRADDLES
        {
            return b;
        }
        let i = self.starts.partition_point(|&s| s <= ms);
        (i.saturating_sub(1)).min(self.len() - 1) as u32
    }
}
