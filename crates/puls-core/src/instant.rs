//! Instants as Unix milliseconds: reading the timestamp forms that integrations send, and
//! printing them back as RFC 3339.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

/// The earliest and latest instants accepted anywhere (the years 1000 to 9000), so every
/// calendar computation on an accepted instant is defined.
pub const MIN_MS: i64 = -30_610_224_000_000;
pub const MAX_MS: i64 = 221_845_392_000_000;

/// Reads `YYYY-MM-DD` (midnight UTC), an RFC 3339 timestamp (`2026-03-01T10:00:00.123Z`,
/// `...+01:00`), or an ISO 8601 date-time without an offset (`2026-03-01T10:00:00.123456`,
/// as Python's `isoformat()` prints a naive datetime), which is taken as UTC.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let ms = if s.len() == 10 {
        let day: Date = s.parse().ok()?;
        day.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_millisecond()
    } else if let Ok(t) = s.parse::<Timestamp>() {
        t.as_millisecond()
    } else {
        let dt: DateTime = s.parse().ok()?;
        dt.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_millisecond()
    };
    (MIN_MS..=MAX_MS).contains(&ms).then_some(ms)
}

/// Whether `s` is a bare `YYYY-MM-DD` date or a full timestamp with a time of day (the forms
/// that make a contact attribute a date).
pub fn looks_like_instant(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        && parse(s).is_some()
}

/// RFC 3339 in UTC, always with milliseconds: `2026-03-01T10:00:00.000Z`,
/// `2026-03-01T10:00:00.250Z`. The one form every timestamp Puls prints takes (fixed width,
/// so the text sorts as the instants do).
pub fn format(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => ms.to_string(),
    }
}

/// `YYYY-MM-DD` for an instant at midnight UTC, else [`format`].
pub fn format_date_or_time(ms: i64) -> String {
    const DAY: i64 = 86_400_000;
    match Timestamp::from_millisecond(ms) {
        Ok(t) if ms.rem_euclid(DAY) == 0 => t.strftime("%Y-%m-%d").to_string(),
        _ => format(ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_clients_send() {
        assert_eq!(parse("1970-01-02"), Some(86_400_000));
        assert_eq!(parse("2026-03-01T10:00:00Z"), Some(1_772_359_200_000));
        assert_eq!(parse("2026-03-01T10:00:00.123Z"), Some(1_772_359_200_123));
        assert_eq!(parse("2026-03-01T11:00:00+01:00"), Some(1_772_359_200_000));
        assert_eq!(parse("2026-03-01T10:00:00.123456"), Some(1_772_359_200_123));
        assert_eq!(
            parse("2026-03-01T10:00:00.123456+00:00"),
            Some(1_772_359_200_123)
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "0999-01-01",
            "2026-03-01T25:00:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn prints_rfc_3339_and_reads_it_back() {
        for ms in [0, 1_772_359_200_000, 1_772_359_200_123, -86_400_000] {
            assert_eq!(parse(&format(ms)), Some(ms));
        }
        assert_eq!(format(1_772_359_200_123), "2026-03-01T10:00:00.123Z");
        assert_eq!(format(1_772_359_200_000), "2026-03-01T10:00:00.000Z");
        assert_eq!(format(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_date_or_time(86_400_000), "1970-01-02");
        assert_eq!(format_date_or_time(86_400_001), "1970-01-02T00:00:00.001Z");
    }

    #[test]
    fn only_dates_and_timestamps_look_like_instants() {
        assert!(looks_like_instant("2024-05-01"));
        assert!(looks_like_instant("2024-05-01T10:00:00Z"));
        for s in [
            "2024",
            "12345",
            "2024-05-01 is a date",
            "2024-05-0x",
            "ab-cd-efgh",
        ] {
            assert!(!looks_like_instant(s), "{s}");
        }
    }
}
