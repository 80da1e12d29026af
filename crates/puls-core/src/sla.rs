//! Service-level clocks: a workspace's business hours (time zone, weekly opening hours,
//! holidays), the business time between two instants, the instant a given business time
//! after another falls on, and SLA timers that stop while a case is paused.
//!
//! A calendar is read with [`BusinessHours::parse`] (every problem at its path) and printed
//! with [`BusinessHours::to_value`]; `BusinessHours::parse(&h.to_value()) == Ok(h)`:
//!
//! ```json
//! {"time_zone": "Europe/Warsaw",
//!  "days": {"mon": "08:00-16:00", "tue": "08:00-16:00", "sat": null},
//!  "holidays": ["2026-12-24", "2026-12-25"]}
//! ```
//!
//! Instants are Unix milliseconds (UTC). Opening hours are civil times of each local date,
//! turned into instants in the calendar's zone (a time that does not exist is moved past the
//! gap, a repeated one takes its first occurrence), so an 08:00–16:00 day is eight hours
//! whatever the clocks do at night, and a 24/7 calendar's day of a DST change is 23 or 25.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;

use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index};
use crate::instant::{MAX_MS, MIN_MS};
use crate::obj::Obj;
use crate::value::Value;

/// Limits of one calendar.
pub mod limits {
    pub const MAX_HOLIDAYS: usize = 1000;
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
const DAY_MINUTES: u16 = 24 * 60;
/// The keys of `days`, Monday first (the index of a day everywhere here).
const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Local dates (days since 1970-01-01) beyond every accepted instant, bounding every walk.
const MIN_DAY: i64 = MIN_MS / DAY_MS - 2;
const MAX_DAY: i64 = MAX_MS / DAY_MS + 2;

/// The opening hours of one weekday: from `start` to `end`, minutes after local midnight
/// (`end` may be 1440, midnight at the day's end). Written `"08:00-16:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenHours {
    start: u16,
    end: u16,
}

impl OpenHours {
    /// 00:00–24:00.
    pub const ALL_DAY: OpenHours = OpenHours {
        start: 0,
        end: DAY_MINUTES,
    };

    /// Hours from `start` to `end` (minutes after midnight); `None` unless
    /// `start < end <= 1440`.
    pub fn new(start: u16, end: u16) -> Option<OpenHours> {
        (start < end && end <= DAY_MINUTES).then_some(OpenHours { start, end })
    }

    /// Opening, in minutes after local midnight.
    pub fn start(self) -> u16 {
        self.start
    }

    /// Closing, in minutes after local midnight (1440 is the day's end).
    pub fn end(self) -> u16 {
        self.end
    }

    /// Reads `"HH:MM-HH:MM"` (24-hour, two digits each, the end may be `24:00`).
    pub fn parse(s: &str) -> Result<OpenHours, K> {
        let bad = || K::BadCondition {
            reason: "opening hours must be \"HH:MM-HH:MM\" on a 24-hour clock, e.g. \
                     \"08:00-16:00\" (the end may be \"24:00\")"
                .into(),
        };
        let b = s.as_bytes();
        if b.len() != 11 || b[5] != b'-' {
            return Err(bad());
        }
        let (Some(start), Some(end)) = (clock(&b[..5]), clock(&b[6..])) else {
            return Err(bad());
        };
        OpenHours::new(start, end).ok_or(K::MinNotBelowMax)
    }

    fn ms(self) -> i64 {
        i64::from(self.end - self.start) * MINUTE_MS
    }
}

/// `HH:MM` as minutes after midnight, `24:00` included.
pub(crate) fn clock(b: &[u8]) -> Option<u16> {
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u16::from(c - b'0'))
    };
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let hour = digit(0)? * 10 + digit(1)?;
    let minute = digit(3)? * 10 + digit(4)?;
    (minute < 60 && (hour < 24 || (hour == 24 && minute == 0))).then_some(hour * 60 + minute)
}

impl std::fmt::Display for OpenHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// A workspace's working calendar: a time zone, opening hours by weekday (at least one day
/// open) and holidays (closed all day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// The canonical IANA name.
    time_zone: String,
    tz: TimeZone,
    /// Monday first; `None` is closed.
    days: [Option<OpenHours>; 7],
    /// Local dates as days since 1970-01-01.
    holidays: BTreeSet<i64>,
}

impl BusinessHours {
    /// A calendar from its parts. Errors: an unknown zone (at `time_zone`), no open day
    /// (`days`), more than [`limits::MAX_HOLIDAYS`] distinct holidays (`holidays`).
    pub fn new(
        time_zone: &str,
        days: [Option<OpenHours>; 7],
        holidays: impl IntoIterator<Item = Date>,
    ) -> Result<BusinessHours, FieldErrors> {
        let mut errs = Errors::default();
        let zone = zone(time_zone, &mut errs);
        if days.iter().all(Option::is_none) {
            errs.push("days", K::Empty);
        }
        let holidays: BTreeSet<i64> = holidays.into_iter().map(day_number).collect();
        if holidays.len() > limits::MAX_HOLIDAYS {
            errs.push(
                "holidays",
                K::TooMany {
                    max: limits::MAX_HOLIDAYS,
                },
            );
        }
        match zone {
            Some((time_zone, tz)) if errs.list.is_empty() => Ok(BusinessHours {
                time_zone,
                tz,
                days,
                holidays,
            }),
            _ => Err(FieldErrors(errs.list)),
        }
    }

    /// Open round the clock, every day (24/7).
    pub fn always(time_zone: &str) -> Result<BusinessHours, FieldErrors> {
        BusinessHours::new(time_zone, [Some(OpenHours::ALL_DAY); 7], [])
    }

    /// Office hours: Monday to Friday, 09:00–17:00.
    pub fn office(time_zone: &str) -> Result<BusinessHours, FieldErrors> {
        let nine_to_five = OpenHours::new(9 * 60, 17 * 60);
        let mut days = [None; 7];
        days[..5].fill(nine_to_five);
        BusinessHours::new(time_zone, days, [])
    }

    /// Reads a calendar, reporting every problem with its path.
    pub fn parse(v: &Value) -> Result<BusinessHours, FieldErrors> {
        let mut errs = Errors::default();
        let hours = parse_hours(v, &mut errs);
        match hours {
            Some(h) if errs.list.is_empty() => Ok(h),
            _ => Err(FieldErrors(errs.list)),
        }
    }

    /// The canonical form: closed days and an empty `holidays` left out, holidays sorted.
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("time_zone".into(), Value::str(self.time_zone.clone()));
        m.insert(
            "days".into(),
            Value::map(
                DAY_KEYS
                    .iter()
                    .zip(self.days)
                    .filter_map(|(k, h)| Some((*k, Value::str(h?.to_string())))),
            ),
        );
        if !self.holidays.is_empty() {
            m.insert(
                "holidays".into(),
                Value::List(self.holidays().map(|d| Value::str(d.to_string())).collect()),
            );
        }
        Value::Map(m)
    }

    /// The zone's canonical IANA name.
    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }

    /// The opening hours of a weekday (`None`: closed).
    pub fn day(&self, weekday: Weekday) -> Option<OpenHours> {
        self.days[weekday.to_monday_zero_offset() as usize]
    }

    /// The holidays, in order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().filter_map(|&d| date(d))
    }

    /// Whether the calendar is open at `at`.
    pub fn is_open(&self, at: i64) -> bool {
        self.business_ms(at, at.saturating_add(1)) == 1
    }

    /// Business time between two instants, in ms (0 if `to <= from`).
    pub fn business_ms(&self, from: i64, to: i64) -> i64 {
        let (from, to) = (from.clamp(MIN_MS, MAX_MS), to.clamp(MIN_MS, MAX_MS));
        if to <= from {
            return 0;
        }
        let week = self.week_ms();
        let last = self.day_of(to);
        let mut day = self.day_of(from) - 1;
        let mut next_skip = day;
        let mut total = 0;
        while day <= last {
            if day >= next_skip && last - day > 7 {
                let mid = self.local(day, 0);
                let quiet = if mid >= from {
                    self.quiet_days(day, mid)
                } else {
                    0
                };
                let weeks = (quiet / 7).min((to - mid) / WEEK_MS);
                if weeks > 0 {
                    total += weeks * week;
                    day += 7 * weeks;
                    continue;
                }
                next_skip = day + quiet + 1;
            }
            if let Some((a, b)) = self.open(day) {
                total += (b.min(to) - a.max(from)).max(0);
            }
            day += 1;
        }
        total
    }

    /// The first instant at which `business` ms of business time have passed since `from`
    /// (counting from the next opening when `from` is outside hours); `from` itself when
    /// `business <= 0`. Saturates at [`crate::instant::MAX_MS`] (the year 9000).
    pub fn add(&self, from: i64, business: i64) -> i64 {
        if business <= 0 {
            return from;
        }
        let from = from.clamp(MIN_MS, MAX_MS);
        let week = self.week_ms();
        let mut remaining = business;
        let mut day = self.day_of(from) - 1;
        let mut next_skip = day;
        while day <= MAX_DAY {
            if remaining > week && day >= next_skip {
                let mid = self.local(day, 0);
                let quiet = if mid >= from {
                    self.quiet_days(day, mid)
                } else {
                    0
                };
                // Leave at least 1 ms, so the answer lies after the skipped weeks.
                let weeks = (quiet / 7)
                    .min((remaining - 1) / week)
                    .min((MAX_DAY - day) / 7);
                if weeks > 0 {
                    remaining -= weeks * week;
                    day += 7 * weeks;
                    continue;
                }
                next_skip = day + quiet + 1;
            }
            if let Some((a, b)) = self.open(day) {
                let a = a.max(from);
                if a < b {
                    if remaining <= b - a {
                        return a + remaining;
                    }
                    remaining -= b - a;
                }
            }
            day += 1;
        }
        MAX_MS
    }

    /// The due instant of a timer of `target_ms` business time started at `start`, business
    /// time inside `pauses` not counting; `None` while an open pause holds the clock before
    /// the target is reached. Pauses may be unsorted and overlap.
    pub fn due(&self, start: i64, target_ms: i64, pauses: &[Pause]) -> Option<i64> {
        let mut cur = start;
        let mut remaining = target_ms.max(0);
        for (from, to) in normalise(pauses, start, None) {
            let available = self.business_ms(cur, from);
            if remaining <= available {
                return Some(self.add(cur, remaining));
            }
            remaining -= available;
            cur = to?;
        }
        Some(self.add(cur, remaining))
    }

    /// Business time counted by a timer started at `start`, by `now`: pauses excluded (an
    /// open pause counts as lasting until `now`).
    pub fn elapsed(&self, start: i64, now: i64, pauses: &[Pause]) -> i64 {
        let paused: i64 = normalise(pauses, start, Some(now))
            .into_iter()
            .map(|(from, to)| self.business_ms(from, to.unwrap_or(now)))
            .sum();
        (self.business_ms(start, now) - paused).max(0)
    }

    /// Business time in a week without holidays or clock changes.
    fn week_ms(&self) -> i64 {
        self.days.iter().flatten().map(|h| h.ms()).sum()
    }

    /// The instant of `minute` (0..=1440) of local date `day` (compatible disambiguation).
    fn local(&self, day: i64, minute: u16) -> i64 {
        let (day, minute) = if minute >= DAY_MINUTES {
            (day + 1, 0)
        } else {
            (day, minute)
        };
        let (y, m, d) = civil_from_days(day);
        let hour = (minute / 60) as i8;
        let min = (minute % 60) as i8;
        DateTime::new(y as i16, m as i8, d as i8, hour, min, 0, 0)
            .and_then(|dt| self.tz.to_timestamp(dt))
            .map(|t| t.as_millisecond())
            .unwrap_or(day * DAY_MS + i64::from(minute) * MINUTE_MS)
    }

    /// The local date of an instant, as days since 1970-01-01.
    fn day_of(&self, ms: i64) -> i64 {
        match Timestamp::from_millisecond(ms) {
            Ok(t) => {
                let dt = self.tz.to_datetime(t);
                days_from_civil(dt.year().into(), dt.month().into(), dt.day().into())
            }
            Err(_) => ms.div_euclid(DAY_MS),
        }
        .clamp(MIN_DAY, MAX_DAY)
    }

    /// The business interval of local date `day`, kept within the day's own instants (so
    /// the intervals of successive days never overlap, even around a gap).
    fn open(&self, day: i64) -> Option<(i64, i64)> {
        let hours = self.days[(day + 3).rem_euclid(7) as usize]?;
        if self.holidays.contains(&day) {
            return None;
        }
        let (lo, hi) = (self.local(day, 0), self.local(day + 1, 0));
        let a = if hours.start == 0 {
            lo
        } else {
            self.local(day, hours.start).max(lo)
        };
        let b = if hours.end == DAY_MINUTES {
            hi
        } else {
            self.local(day, hours.end).min(hi)
        };
        (a < b).then_some((a, b))
    }

    /// How many days from `day` (whose midnight is `mid`) are ordinary: no holiday, and no
    /// clock change from two days before, so each has exactly its weekday's hours and a
    /// whole week of them is [`Self::week_ms`].
    fn quiet_days(&self, day: i64, mid: i64) -> i64 {
        let mut quiet = MAX_DAY - day;
        if let Some(h) = self.holidays.range(day..).next() {
            quiet = quiet.min(h - day);
        }
        if let Ok(t) = Timestamp::from_millisecond(mid - 2 * DAY_MS)
            && let Some(change) = self.tz.following(t).next()
        {
            // A change moves the clock by less than two days, so the days up to three
            // before its local date have both their midnights before it.
            let change_day = self.day_of(change.timestamp().as_millisecond());
            quiet = quiet.min(change_day - 3 - day);
        }
        quiet.max(0)
    }
}

/// A stretch during which an SLA timer stands still (`to: None`: still paused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: i64,
    pub to: Option<i64>,
}

/// The share of `target` business time used (1.0 = due now; above 1.0 = breached). A
/// target of 0 or less is used up from the start (1.0).
pub fn fraction_used(elapsed: i64, target: i64) -> f64 {
    if target <= 0 {
        1.0
    } else {
        elapsed as f64 / target as f64
    }
}

/// Pauses clipped to `[start, end]`, sorted and merged; an open pause swallows all later
/// ones (and ends at `end` when one is given).
fn normalise(pauses: &[Pause], start: i64, end: Option<i64>) -> Vec<(i64, Option<i64>)> {
    let mut clipped: Vec<(i64, Option<i64>)> = pauses
        .iter()
        .map(|p| {
            let to = match (p.to, end) {
                (Some(t), Some(e)) => Some(t.min(e)),
                (t, e) => t.or(e),
            };
            (p.from.max(start), to)
        })
        .filter(|(from, to)| to.is_none_or(|t| t > *from))
        .collect();
    clipped.sort_unstable_by_key(|p| p.0);
    let mut merged: Vec<(i64, Option<i64>)> = Vec::with_capacity(clipped.len());
    for (from, to) in clipped {
        match merged.last_mut() {
            Some((_, last_to)) if last_to.is_none_or(|t| from <= t) => {
                *last_to = match (*last_to, to) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push((from, to)),
        }
    }
    merged
}

fn parse_hours(v: &Value, errs: &mut Errors) -> Option<BusinessHours> {
    let mut o = Obj::new(v, "", errs)?;
    let zone = o.req_str("time_zone", errs).and_then(|s| zone(s, errs));
    let days = parse_days(&mut o, errs);
    let holidays = parse_holidays(&mut o, errs);
    o.finish(errs);
    let (time_zone, tz) = zone?;
    Some(BusinessHours {
        time_zone,
        tz,
        days,
        holidays,
    })
}

/// The zone named `name` (case-insensitive) and its canonical name; an unknown one is
/// reported at `time_zone`.
pub(crate) fn zone(name: &str, errs: &mut Errors) -> Option<(String, TimeZone)> {
    let found = TimeZone::get(name)
        .ok()
        .and_then(|tz| Some((tz.iana_name()?.to_string(), tz)));
    if found.is_none() {
        errs.push(
            "time_zone",
            K::NotOneOf {
                allowed: "IANA time zone names, e.g. Europe/Warsaw".into(),
            },
        );
    }
    found
}

fn parse_days(o: &mut Obj<'_>, errs: &mut Errors) -> [Option<OpenHours>; 7] {
    let mut days = [None; 7];
    let Some(v) = o.req("days", errs) else {
        return days;
    };
    let Some(mut d) = Obj::new(v, "days", errs) else {
        return days;
    };
    let mut any = false;
    for (i, key) in DAY_KEYS.into_iter().enumerate() {
        match d.get(key) {
            None => {}
            Some(Value::Str(s)) => {
                any = true;
                days[i] = OpenHours::parse(s)
                    .map_err(|k| errs.push(d.path(key), k))
                    .ok();
            }
            Some(_) => {
                any = true;
                errs.push(
                    d.path(key),
                    K::WrongType {
                        expected: Expected::String,
                    },
                );
            }
        }
    }
    d.finish(errs);
    if !any {
        errs.push("days", K::Empty);
    }
    days
}

fn parse_holidays(o: &mut Obj<'_>, errs: &mut Errors) -> BTreeSet<i64> {
    let mut holidays = BTreeSet::new();
    let items = match o.get("holidays") {
        None => return holidays,
        Some(Value::List(items)) => items,
        Some(_) => {
            errs.push(
                "holidays",
                K::WrongType {
                    expected: Expected::Array,
                },
            );
            return holidays;
        }
    };
    if items.len() > limits::MAX_HOLIDAYS {
        errs.push(
            "holidays",
            K::TooMany {
                max: limits::MAX_HOLIDAYS,
            },
        );
    }
    for (i, item) in items.iter().enumerate().take(limits::MAX_HOLIDAYS) {
        let path = index("holidays", i);
        let Some(s) = item.as_str() else {
            errs.push(
                path,
                K::WrongType {
                    expected: Expected::String,
                },
            );
            continue;
        };
        match parse_date(s) {
            None => errs.push(path, K::InvalidTimestamp),
            Some(d) if !holidays.insert(day_number(d)) => {
                errs.push(path, K::Duplicate { id: s.to_string() })
            }
            Some(_) => {}
        }
    }
    holidays
}

/// Exactly `YYYY-MM-DD`, a real date in the years 1000 to 8999.
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let d: Date = s.parse().ok().filter(|_| shape)?;
    (1000..9000).contains(&d.year()).then_some(d)
}

fn day_number(d: Date) -> i64 {
    days_from_civil(d.year().into(), d.month().into(), d.day().into())
}

fn date(day: i64) -> Option<Date> {
    let (y, m, d) = civil_from_days(day);
    Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WARSAW: &str = "Europe/Warsaw";
    const HOUR: i64 = 3_600_000;

    /// The instant of a local civil time in `tz`, e.g. `local("2026-03-20T15:00", WARSAW)`.
    fn local(s: &str, tz: &str) -> i64 {
        let dt: DateTime = s.parse().unwrap();
        TimeZone::get(tz)
            .unwrap()
            .to_timestamp(dt)
            .unwrap()
            .as_millisecond()
    }

    fn w(s: &str) -> i64 {
        local(s, WARSAW)
    }

    fn calendar(tz: &str, days: &[(&str, &str)], holidays: &[&str]) -> BusinessHours {
        let mut m = vec![
            ("time_zone", Value::str(tz)),
            (
                "days",
                Value::map(days.iter().map(|(k, v)| (*k, Value::str(*v)))),
            ),
        ];
        if !holidays.is_empty() {
            m.push((
                "holidays",
                Value::List(holidays.iter().map(|h| Value::str(*h)).collect()),
            ));
        }
        BusinessHours::parse(&Value::map(m)).unwrap()
    }

    fn all_week(hours: &str) -> Vec<(&'static str, &str)> {
        DAY_KEYS.iter().map(|k| (*k, hours)).collect()
    }

    /// Warsaw, Monday to Friday 08:00–16:00.
    fn eight_to_four(holidays: &[&str]) -> BusinessHours {
        calendar(WARSAW, &all_week("08:00-16:00")[..5], holidays)
    }

    /// Business time summed day by day, without skipping weeks: the reference.
    fn slow_business_ms(h: &BusinessHours, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        (h.day_of(from) - 1..=h.day_of(to))
            .filter_map(|d| h.open(d))
            .map(|(a, b)| (b.min(to) - a.max(from)).max(0))
            .sum()
    }

    /// A deterministic stream of pseudo-random numbers (Knuth's MMIX LCG).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: i64) -> i64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as i64
        }
    }

    #[test]
    fn a_weekend_is_skipped() {
        assert_eq!(
            jiff::civil::date(2026, 3, 20).weekday(),
            jiff::civil::Weekday::Friday
        );
        let h = eight_to_four(&[]);
        let opened = w("2026-03-20T15:00");
        let due = w("2026-03-23T15:00");
        assert_eq!(h.add(opened, 8 * HOUR), due);
        assert_eq!(h.due(opened, 8 * HOUR, &[]), Some(due));
        assert_eq!(h.business_ms(opened, due), 8 * HOUR);
        // Opened on Saturday: counting starts at Monday's opening.
        assert_eq!(h.add(w("2026-03-21T10:00"), HOUR), w("2026-03-23T09:00"));
        // The first instant the time has passed: the closing time, not the next opening.
        assert_eq!(
            h.add(w("2026-03-23T08:00"), 8 * HOUR),
            w("2026-03-23T16:00")
        );
        assert!(h.is_open(w("2026-03-23T08:00")));
        assert!(!h.is_open(w("2026-03-23T16:00")));
        assert!(!h.is_open(w("2026-03-22T12:00")));
    }

    #[test]
    fn holidays_are_closed_all_day() {
        let h = eight_to_four(&["2026-12-24", "2026-12-25"]);
        assert_eq!(
            jiff::civil::date(2026, 12, 26).weekday(),
            jiff::civil::Weekday::Saturday
        );
        let opened = w("2026-12-23T12:00");
        assert_eq!(h.add(opened, 8 * HOUR), w("2026-12-28T12:00"));
        assert_eq!(h.business_ms(opened, w("2026-12-28T12:00")), 8 * HOUR);
        assert_eq!(
            h.business_ms(w("2026-12-24T00:00"), w("2026-12-28T00:00")),
            0
        );
        assert_eq!(
            h.holidays().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["2026-12-24", "2026-12-25"]
        );
    }

    #[test]
    fn pauses_stop_the_clock() {
        let h = eight_to_four(&[]);
        let start = w("2026-03-16T09:00"); // a Monday
        let target = 8 * HOUR;
        let p = |from: &str, to: &str| Pause {
            from: w(from),
            to: Some(w(to)),
        };
        assert_eq!(h.due(start, target, &[]), Some(w("2026-03-17T09:00")));
        // Two business hours paused: due two business hours later.
        let two = [p("2026-03-16T10:00", "2026-03-16T12:00")];
        assert_eq!(h.due(start, target, &two), Some(w("2026-03-17T11:00")));
        // Overlapping, unsorted pauses count once.
        let overlapping = [
            p("2026-03-16T11:00", "2026-03-16T12:00"),
            p("2026-03-16T10:00", "2026-03-16T11:30"),
            p("2026-03-16T10:30", "2026-03-16T11:00"),
        ];
        assert_eq!(
            h.due(start, target, &overlapping),
            Some(w("2026-03-17T11:00"))
        );
        assert_eq!(
            h.elapsed(start, w("2026-03-16T16:00"), &overlapping),
            5 * HOUR
        );
        // A pause wholly outside business hours changes nothing.
        let night = [
            p("2026-03-16T18:00", "2026-03-17T07:00"),
            p("2026-03-14T00:00", "2026-03-16T08:00"),
        ];
        assert_eq!(h.due(start, target, &night), Some(w("2026-03-17T09:00")));
        // Only the part after the start counts; across the close, only business time.
        let before = [p("2026-03-16T07:00", "2026-03-16T10:00")];
        assert_eq!(h.due(start, target, &before), Some(w("2026-03-17T10:00")));
        let across = [p("2026-03-16T15:00", "2026-03-17T08:00")];
        assert_eq!(h.due(start, target, &across), Some(w("2026-03-17T10:00")));
        // An open pause holds the clock: the due time is unknown...
        let open = [Pause {
            from: w("2026-03-16T11:00"),
            to: None,
        }];
        assert_eq!(h.due(start, target, &open), None);
        assert_eq!(h.elapsed(start, w("2026-03-16T13:00"), &open), 2 * HOUR);
        assert_eq!(h.elapsed(start, w("2026-03-18T13:00"), &open), 2 * HOUR);
        // ...unless it began after the target was reached.
        let late = [Pause {
            from: w("2026-03-17T10:00"),
            to: None,
        }];
        assert_eq!(h.due(start, target, &late), Some(w("2026-03-17T09:00")));
        assert_eq!(h.elapsed(start, w("2026-03-16T13:00"), &two), 2 * HOUR);
        assert_eq!(h.elapsed(start, start - HOUR, &two), 0);
        assert_eq!(fraction_used(2 * HOUR, 8 * HOUR), 0.25);
        assert_eq!(fraction_used(HOUR, 0), 1.0);
    }

    #[test]
    fn clock_changes_keep_business_hours_and_real_time() {
        let always = BusinessHours::always(WARSAW).unwrap();
        // 2026-03-29 has 23 hours: 24 business hours from Saturday noon end at 13:00.
        let from = w("2026-03-28T12:00");
        assert_eq!(always.add(from, 24 * HOUR), w("2026-03-29T13:00"));
        assert_eq!(w("2026-03-29T13:00") - from, 24 * HOUR);
        let day = |h: &BusinessHours, d: &str, next: &str| {
            h.business_ms(w(&format!("{d}T00:00")), w(&format!("{next}T00:00")))
        };
        assert_eq!(day(&always, "2026-03-29", "2026-03-30"), 23 * HOUR);
        assert_eq!(day(&always, "2026-10-25", "2026-10-26"), 25 * HOUR);
        assert_eq!(day(&always, "2026-10-26", "2026-10-27"), 24 * HOUR);
        // Office hours on the change days are still eight hours.
        let every_day = calendar(WARSAW, &all_week("08:00-16:00"), &[]);
        assert_eq!(
            every_day.add(w("2026-10-24T12:00"), 8 * HOUR),
            w("2026-10-25T12:00")
        );
        assert_eq!(day(&every_day, "2026-03-29", "2026-03-30"), 8 * HOUR);
        assert_eq!(day(&every_day, "2026-10-25", "2026-10-26"), 8 * HOUR);
        // Hours inside the spring gap do not exist; the autumn's repeated hour counts twice.
        let night = calendar(WARSAW, &[("sun", "02:00-03:00")], &[]);
        assert_eq!(day(&night, "2026-03-29", "2026-03-30"), 0);
        assert_eq!(day(&night, "2026-03-22", "2026-03-23"), HOUR);
        assert_eq!(day(&night, "2026-10-25", "2026-10-26"), 2 * HOUR);
        assert_eq!(
            night.add(w("2026-03-28T12:00"), HOUR),
            w("2026-04-05T03:00")
        );
    }

    #[test]
    fn add_and_business_ms_agree() {
        let calendars = [
            eight_to_four(&["2026-01-01", "2026-01-06", "2026-04-06", "2026-12-24"]),
            BusinessHours::always(WARSAW).unwrap(),
            BusinessHours::office("America/New_York").unwrap(),
            // Lord Howe moves its clocks by half an hour.
            calendar(
                "Australia/Lord_Howe",
                &[
                    ("wed", "01:30-02:45"),
                    ("sat", "00:00-24:00"),
                    ("sun", "01:00-03:00"),
                ],
                &["2026-10-04"],
            ),
        ];
        let base = local("2026-01-01T00:00", "UTC");
        let mut rng = Lcg(42);
        for h in &calendars {
            for _ in 0..1500 {
                let from = base + rng.below(365 * 24 * HOUR);
                let x = from + rng.below(40 * 24 * HOUR) - 2 * HOUR;
                let b = h.business_ms(from, x);
                assert_eq!(b, slow_business_ms(h, from, x));
                assert!(h.add(from, b) <= x.max(from));
                let d = rng.below(120 * HOUR) + 1;
                let due = h.add(from, d);
                assert_eq!(h.business_ms(from, due), d, "{} {from} {d}", h.time_zone());
                assert_eq!(h.business_ms(from, due - 1), d - 1);
            }
        }
    }

    #[test]
    fn skipping_whole_weeks_matches_counting_days() {
        let calendars = [
            eight_to_four(&["2026-05-01", "2027-05-03", "2028-12-24"]),
            BusinessHours::always(WARSAW).unwrap(),
            BusinessHours::office("UTC").unwrap(),
            calendar("Pacific/Apia", &[("thu", "00:00-24:00")], &[]),
        ];
        let base = local("2009-01-01T00:00", "UTC");
        let mut rng = Lcg(7);
        for h in &calendars {
            for _ in 0..100 {
                let from = base + rng.below(20 * 365 * 24 * HOUR);
                let to = from + rng.below(3 * 365 * 24 * HOUR);
                let b = h.business_ms(from, to);
                assert_eq!(b, slow_business_ms(h, from, to), "{}", h.time_zone());
                let due = h.add(from, b);
                assert!(due <= to);
                assert_eq!(h.business_ms(from, due), b);
            }
        }
    }

    #[test]
    fn extremes_terminate() {
        let sparse = calendar(WARSAW, &[("sun", "00:00-00:01")], &["2026-03-22"]);
        let from = w("2026-03-20T15:00");
        assert_eq!(sparse.add(from, MINUTE_MS), w("2026-03-29T00:01"));
        assert_eq!(sparse.add(from, i64::MAX), MAX_MS);
        assert!(sparse.business_ms(MIN_MS, MAX_MS) > 0);
        assert_eq!(
            sparse.business_ms(i64::MIN, i64::MAX),
            sparse.business_ms(MIN_MS, MAX_MS)
        );
        let h = eight_to_four(&[]);
        assert_eq!(h.add(from, 0), from);
        assert_eq!(h.add(from, -5), from);
        assert_eq!(h.business_ms(from, from), 0);
        assert_eq!(h.business_ms(from, from - HOUR), 0);
        let years = 5 * 52 * 40 * HOUR;
        assert_eq!(h.business_ms(from, h.add(from, years)), years);
    }

    #[test]
    fn problems_are_reported_with_paths() {
        let bad = Value::map([
            ("time_zone", Value::str("Europe/Atlantis")),
            (
                "days",
                Value::map([
                    ("mon", Value::str("8:00-16:00")),
                    ("tue", Value::str("16:00-08:00")),
                    ("wed", Value::Int(8)),
                    ("fri", Value::str("08:00-24:30")),
                    ("funday", Value::str("10:00-11:00")),
                ]),
            ),
            (
                "holidays",
                Value::List(vec![
                    Value::str("2026-12-24"),
                    Value::str("2026-02-30"),
                    Value::str("2026-12-24"),
                    Value::Int(1),
                ]),
            ),
            ("colour", Value::str("red")),
        ]);
        let codes = |v: &Value| -> Vec<(String, &'static str)> {
            BusinessHours::parse(v)
                .unwrap_err()
                .0
                .iter()
                .map(|e| (e.path.clone(), e.kind.code()))
                .collect()
        };
        let expected = [
            ("time_zone", "not_one_of"),
            ("days.mon", "bad_condition"),
            ("days.tue", "min_not_below_max"),
            ("days.wed", "wrong_type"),
            ("days.fri", "bad_condition"),
            ("days.funday", "unknown_field"),
            ("holidays[1]", "invalid_timestamp"),
            ("holidays[2]", "duplicate_id"),
            ("holidays[3]", "wrong_type"),
            ("colour", "unknown_field"),
        ];
        assert_eq!(
            codes(&bad),
            expected.map(|(p, c)| (p.to_string(), c)).to_vec()
        );
        let closed = Value::map([
            ("time_zone", Value::str("UTC")),
            ("days", Value::map([("sat", Value::Null)])),
        ]);
        assert_eq!(codes(&closed), [("days".to_string(), "empty")]);
        assert_eq!(
            codes(&Value::map([("holidays", Value::str("2026-12-24"))])),
            [
                ("time_zone".to_string(), "required"),
                ("days".to_string(), "required"),
                ("holidays".to_string(), "wrong_type"),
            ]
        );
        let many = Value::map([
            ("time_zone", Value::str("UTC")),
            ("days", Value::map([("mon", Value::str("00:00-24:00"))])),
            (
                "holidays",
                Value::List(
                    (0..=limits::MAX_HOLIDAYS as i64)
                        .filter_map(|d| date(d * 3))
                        .map(|d| Value::str(d.to_string()))
                        .collect(),
                ),
            ),
        ]);
        assert_eq!(codes(&many), [("holidays".to_string(), "too_many")]);
        assert_eq!(codes(&Value::Null), [(String::new(), "wrong_type")]);
        assert!(BusinessHours::always("Etc/Unknown").is_err());
        for bad in [
            "",
            "08:00",
            "08:00-16:0",
            "08:00_16:00",
            "24:00-24:00",
            "07:60-08:00",
        ] {
            assert!(OpenHours::parse(bad).is_err(), "{bad}");
        }
        for bad in [
            "2026-1-01",
            "20261201",
            "0999-12-01",
            "2026-12-01T00:00",
            "+02026-12-0",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn calendars_print_canonically_and_read_back() {
        let h = calendar(
            "europe/warsaw",
            &[("mon", "08:00-16:00"), ("sat", "10:30-24:00")],
            &["2026-12-25", "2026-12-24"],
        );
        let printed = Value::map([
            ("time_zone", Value::str(WARSAW)),
            (
                "days",
                Value::map([
                    ("mon", Value::str("08:00-16:00")),
                    ("sat", Value::str("10:30-24:00")),
                ]),
            ),
            (
                "holidays",
                Value::List(vec![Value::str("2026-12-24"), Value::str("2026-12-25")]),
            ),
        ]);
        assert_eq!(h.to_value(), printed);
        assert_eq!(h.day(Weekday::Saturday), OpenHours::new(630, 1440));
        assert_eq!(h.day(Weekday::Sunday), None);
        for h in [
            h,
            BusinessHours::office(WARSAW).unwrap(),
            BusinessHours::always("UTC").unwrap(),
            BusinessHours::always("America/New_York").unwrap(),
        ] {
            assert_eq!(BusinessHours::parse(&h.to_value()), Ok(h));
        }
    }

    #[test]
    fn day_numbers_match_the_calendar() {
        let epoch = jiff::civil::date(1970, 1, 1);
        for z in (MIN_DAY..=MAX_DAY).step_by(997).chain(-800..800) {
            let d = epoch.checked_add(jiff::Span::new().days(z)).unwrap();
            assert_eq!(date(z), Some(d));
            assert_eq!(day_number(d), z);
            assert_eq!(
                (z + 3).rem_euclid(7),
                i64::from(d.weekday().to_monday_zero_offset())
            );
        }
    }

    proptest! {
        #[test]
        fn any_calendar_reads_back(
            zone in prop::sample::select(vec![WARSAW, "UTC", "Asia/Kolkata", "America/Sao_Paulo"]),
            days in prop::array::uniform7(prop::option::of((0u16..1440, 1u16..=1440))),
            holidays in prop::collection::btree_set(-300_000i64..2_500_000, 0..20),
        ) {
            let mut days = days.map(|d| d.and_then(|(a, b)| OpenHours::new(a.min(b), b)));
            days[2] = days[2].or(Some(OpenHours::ALL_DAY));
            let h = BusinessHours::new(zone, days, holidays.iter().filter_map(|&d| date(d))).unwrap();
            prop_assert_eq!(BusinessHours::parse(&h.to_value()), Ok(h));
        }
    }
}
