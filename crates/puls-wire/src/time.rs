//! Timestamps on the wire: every instant the API prints is RFC 3339 in UTC with
//! milliseconds (`2026-11-23T04:22:17.123Z`, `puls_core::instant::format`), and every
//! instant it reads is RFC 3339 or a plain date (midnight UTC).

use jiff::Timestamp;
use jiff::civil::Date;
use puls_app::AppError;

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-23T04:22:17.123Z`.
pub fn format_ms(ms: i64) -> String {
    puls_core::instant::format(ms)
}

/// Parses an RFC 3339 timestamp or a plain date (`2026-11-23`, midnight UTC) to Unix ms;
/// the error names `field`.
pub fn parse_time(field: &'static str, s: &str) -> Result<i64, AppError> {
    let bad = || {
        AppError::invalid(format!(
            "{field}: '{}' is not an RFC 3339 timestamp or a YYYY-MM-DD date",
            s.chars().take(64).collect::<String>()
        ))
    };
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let d: Date = s.parse().map_err(|_| bad())?;
    let t = d
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|_| bad())?
        .timestamp();
    Ok(t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_timestamps_and_dates_and_prints_milliseconds() {
        assert_eq!(parse_time("since", "1970-01-02").unwrap(), 86_400_000);
        assert_eq!(
            parse_time("since", "2026-03-01T11:00:00.5+01:00").unwrap(),
            1_772_359_200_500
        );
        assert!(parse_time("since", "2026-13-01").is_err());
        assert!(parse_time("since", "yesterday").is_err());
        assert_eq!(format_ms(1_772_359_200_500), "2026-03-01T10:00:00.500Z");
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
    }
}
