//! Calendar arithmetic for the demo's time line: civil dates, Central European time and the
//! local days that cover a window of time.
//!
//! The demo e-shop sells in Poland and Czechia, so "morning", "Sunday" and "November" are
//! meant in Central European time (UTC+1, UTC+2 in summer, switching on the last Sundays of
//! March and October at 01:00 UTC).

/// Milliseconds in an hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in a (UTC) day.
pub(crate) const DAY_MS: i64 = 24 * HOUR_MS;

/// A civil date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
}

/// The civil date of a day number (days since 1970-01-01), proleptic Gregorian.
pub(crate) fn civil_from_days(z: i64) -> Date {
    // Howard Hinnant's algorithm.
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// The day number (days since 1970-01-01) of a civil date.
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The weekday of a day number: 0 is Sunday, 6 is Saturday.
pub(crate) fn weekday(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

/// The number of days in a month.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    (next - days_from_civil(year, month, 1)) as u32
}

/// The day number of the last Sunday of a month.
fn last_sunday(year: i32, month: u32) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    last - i64::from(weekday(last))
}

/// The offset of Central European time from UTC at an instant, in milliseconds.
pub(crate) fn cet_offset_ms(utc_ms: i64) -> i64 {
    let year = civil_from_days(utc_ms.div_euclid(DAY_MS)).year;
    let start = last_sunday(year, 3) * DAY_MS + HOUR_MS;
    let end = last_sunday(year, 10) * DAY_MS + HOUR_MS;
    if (start..end).contains(&utc_ms) {
        2 * HOUR_MS
    } else {
        HOUR_MS
    }
}

/// The local civil date of an instant.
pub(crate) fn local_date(utc_ms: i64) -> Date {
    civil_from_days((utc_ms + cet_offset_ms(utc_ms)).div_euclid(DAY_MS))
}

/// The part of one local day that lies inside a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DaySpan {
    /// The first instant of the span (UTC ms).
    pub start_utc: i64,
    /// The local day number (days since 1970-01-01 in local time).
    pub day: i64,
    /// Where the span starts and ends, in ms since local midnight (a day has 23 to 25 hours).
    pub from: i64,
    pub to: i64,
}

/// Splits `[start, end)` at local midnights. The first and last span may be partial days.
pub(crate) fn local_days(start: i64, end: i64) -> Vec<DaySpan> {
    let mut out = Vec::with_capacity(((end - start) / DAY_MS + 2).max(0) as usize);
    let mut t = start;
    while t < end {
        let local = t + cet_offset_ms(t);
        let day = local.div_euclid(DAY_MS);
        let from = local - day * DAY_MS;
        let midnight = (day + 1) * DAY_MS;
        // The offset at the next midnight may differ on the day clocks change.
        let next = midnight - cet_offset_ms(midnight - cet_offset_ms(t));
        let stop = next.min(end).max(t + 1);
        out.push(DaySpan {
            start_utc: t,
            day,
            from,
            to: from + (stop - t),
        });
        t = stop;
    }
    out
}

/// Hourly volume and its running total, for placing a response or a visit within a day.
#[derive(Debug, Clone)]
pub(crate) struct HourProfile {
    pub weights: [f64; 24],
    pub cum: [f64; 25],
}

impl HourProfile {
    pub(crate) fn new(weights: &[f64; 24]) -> Self {
        let mut cum = [0.0; 25];
        for h in 0..24 {
            cum[h + 1] = cum[h] + weights[h];
        }
        HourProfile {
            weights: *weights,
            cum,
        }
    }

    /// The running total at `x` ms after local midnight; a 25-hour day repeats the last hour.
    pub(crate) fn at(&self, x: i64) -> f64 {
        let h = (x / HOUR_MS).clamp(0, 23) as usize;
        self.cum[h] + self.weights[h] * (x - h as i64 * HOUR_MS) as f64 / HOUR_MS as f64
    }

    /// The local time where the running total reaches `y`.
    pub(crate) fn inverse(&self, y: f64) -> i64 {
        let mut h = 0;
        while h < 23 && self.cum[h + 1] <= y {
            h += 1;
        }
        h as i64 * HOUR_MS + ((y - self.cum[h]) / self.weights[h] * HOUR_MS as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_profile_inverts() {
        let hp = HourProfile::new(&crate::story::WEEKDAY_HOURS);
        for x in [
            0,
            1,
            HOUR_MS - 1,
            5 * HOUR_MS + 123_456,
            23 * HOUR_MS + 59_999,
        ] {
            let back = hp.inverse(hp.at(x));
            assert!((back - x).abs() <= 1, "{x} -> {back}");
        }
        let mut prev = 0;
        for i in 0..=10_000 {
            let x = hp.inverse(hp.cum[24] * i as f64 / 10_000.0);
            assert!(x >= prev);
            prev = x;
        }
    }

    #[test]
    fn civil_round_trips() {
        for z in [-800_000, -1, 0, 1, 11_016, 19_000, 20_480, 2_000_000] {
            let d = civil_from_days(z);
            assert_eq!(days_from_civil(d.year, d.month, d.day), z);
        }
        assert_eq!(
            civil_from_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            days_from_civil(2024, 2, 29) + 1,
            days_from_civil(2024, 3, 1)
        );
        assert_eq!(weekday(0), 4); // a Thursday
        assert_eq!(weekday(days_from_civil(2025, 6, 1)), 0); // a Sunday
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2025, 12), 31);
    }

    #[test]
    fn summer_time_follows_eu_rules() {
        // 2025: summer time from 30 March 01:00 UTC to 26 October 01:00 UTC.
        let start = days_from_civil(2025, 3, 30) * DAY_MS + HOUR_MS;
        let end = days_from_civil(2025, 10, 26) * DAY_MS + HOUR_MS;
        assert_eq!(cet_offset_ms(start - 1), HOUR_MS);
        assert_eq!(cet_offset_ms(start), 2 * HOUR_MS);
        assert_eq!(cet_offset_ms(end - 1), 2 * HOUR_MS);
        assert_eq!(cet_offset_ms(end), HOUR_MS);
    }

    #[test]
    fn local_days_cover_the_window_at_local_midnights() {
        let start = days_from_civil(2025, 1, 10) * DAY_MS + 5 * HOUR_MS + 17;
        let end = start + 365 * DAY_MS;
        let spans = local_days(start, end);
        assert_eq!(spans[0].start_utc, start);
        let mut hours = std::collections::BTreeMap::new();
        for w in spans.windows(2) {
            assert_eq!(w[0].start_utc + (w[0].to - w[0].from), w[1].start_utc);
            assert_eq!(w[0].day + 1, w[1].day);
            assert_eq!(w[1].from, 0);
        }
        for s in &spans[1..spans.len() - 1] {
            *hours.entry(s.to / HOUR_MS).or_insert(0) += 1;
        }
        // Every full day has 24 hours, except the two days the clocks change.
        assert_eq!(hours.get(&23), Some(&1));
        assert_eq!(hours.get(&25), Some(&1));
        let last = spans.last().unwrap();
        assert_eq!(last.start_utc + (last.to - last.from), end);
    }
}
