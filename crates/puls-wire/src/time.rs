//! Timestamps on the wire: every instant the API prints is RFC 3339 in UTC with
//! milliseconds (`2026-11-23T04:22:17.123Z`, `puls_core::instant::format`), and every
//! instant it reads is RFC 3339 or a plain date (a whole local day in the request's `tz`,
//! by default the server's `analytics.time_zone`).

use puls_app::AppError;

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-23T04:22:17.123Z`.
pub fn format_ms(ms: i64) -> String {
    puls_core::instant::format(ms)
}

/// Which end of a period a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `since`, `from`: the first instant included (a date: its local midnight).
    Start,
    /// `until`, `to`: a date includes that whole day; a timestamp is the first instant left
    /// out.
    End,
}

/// Parses an RFC 3339 timestamp or a plain date (`2026-11-23`, a local day in `tz`) to Unix
/// ms; the error names `field`. The same rule as the reports' periods, so a list, an export
/// and a report over the same dates count the same responses.
pub fn parse_time(field: &'static str, s: &str, tz: &str, bound: Bound) -> Result<i64, AppError> {
    let parsed = match bound {
        Bound::Start => puls_index::parse_instant(s, tz),
        Bound::End => puls_index::parse_end(s, tz),
    };
    parsed.map_err(|e| match e {
        puls_index::IndexError::UnknownTimeZone(_) => AppError::invalid(format!("tz: {e}")),
        _ => AppError::invalid(format!(
            "{field}: '{}' is not an RFC 3339 timestamp or a YYYY-MM-DD date",
            s.chars().take(64).collect::<String>()
        )),
    })
}

/// The time zone a request's dates are read in: its `tz`, checked, or `default`.
pub fn zone<'a>(tz: Option<&'a str>, default: &'a str) -> Result<&'a str, AppError> {
    let tz = tz.unwrap_or(default);
    puls_index::TimeBuckets::new(puls_index::TimeUnit::Day, tz)
        .map_err(|e| AppError::invalid(format!("tz: {e}")))?;
    Ok(tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_timestamps_and_dates_and_prints_milliseconds() {
        let start = |s| parse_time("since", s, "UTC", Bound::Start);
        let end = |s| parse_time("until", s, "Europe/Warsaw", Bound::End);
        assert_eq!(start("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(
            start("2026-03-01T11:00:00.5+01:00").unwrap(),
            1_772_359_200_500
        );
        // A date as an end is the whole local day: up to the next local midnight.
        assert_eq!(end("2026-02-28").unwrap(), 1_772_319_600_000);
        assert_eq!(
            end("2026-03-01T11:00:00.5+01:00").unwrap(),
            1_772_359_200_500
        );
        assert!(start("2026-13-01").is_err());
        assert!(end("yesterday").is_err());
        assert!(parse_time("since", "2026-03-01", "Mars/Olympus", Bound::Start).is_err());
        assert_eq!(format_ms(1_772_359_200_500), "2026-03-01T10:00:00.500Z");
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
    }
}
