//! When people are told: a workspace's quiet hours (alert e-mails wait until they end) and
//! the hour of its daily digest (rules with `"digest": true` collect their alerts into one
//! e-mail a day), in the workspace's time zone. Read with [`Notifications::parse`] (every
//! problem at its path), printed with [`Notifications::to_value`]:
//!
//! ```json
//! {"time_zone": "Europe/Warsaw", "quiet_hours": "20:00-07:30", "digest_at": "08:00",
//!  "urgent_ignores_quiet_hours": true}
//! ```
//!
//! Quiet hours may wrap midnight (`20:00-07:30`); the clock times are civil times of each
//! local date (a time in a spring-forward gap is moved past it, a repeated one takes its
//! first occurrence), so quiet hours end at 07:30 on the wall clock whatever the season.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::error::{Errors, FieldErrorKind as K, FieldErrors};
use crate::obj::Obj;
use crate::sla::{clock, zone};
use crate::value::Value;

/// A workspace's notification policy.
#[derive(Debug, Clone)]
pub struct Notifications {
    time_zone: String,
    tz: TimeZone,
    /// Quiet from the first to the second minute of the local day (wrapping midnight when
    /// the first is later); `None`: never quiet.
    quiet: Option<(u16, u16)>,
    /// The digest's minute of the local day.
    digest_at: u16,
    /// Alerts of rules that open urgent cases are sent at once, even in quiet hours.
    pub urgent_ignores_quiet_hours: bool,
}

impl PartialEq for Notifications {
    fn eq(&self, other: &Self) -> bool {
        self.time_zone == other.time_zone
            && self.quiet == other.quiet
            && self.digest_at == other.digest_at
            && self.urgent_ignores_quiet_hours == other.urgent_ignores_quiet_hours
    }
}

const DEFAULT_DIGEST_AT: u16 = 8 * 60;

impl Notifications {
    /// No quiet hours, digests at 08:00, in `time_zone`.
    pub fn default_for(time_zone: &str) -> Result<Notifications, FieldErrors> {
        let mut errs = Errors::default();
        let found = zone(time_zone, &mut errs);
        errs.into_result(())?;
        let (name, tz) = found.ok_or_else(|| FieldErrors(Vec::new()))?;
        Ok(Notifications {
            time_zone: name,
            tz,
            quiet: None,
            digest_at: DEFAULT_DIGEST_AT,
            urgent_ignores_quiet_hours: true,
        })
    }

    /// Reads a policy; keys left out keep the defaults of [`Self::default_for`]
    /// `default_zone`.
    pub fn parse(v: &Value, default_zone: &str) -> Result<Notifications, FieldErrors> {
        let mut errs = Errors::default();
        let mut policy = Notifications::default_for(default_zone)?;
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            if let Some(name) = o.str("time_zone", &mut errs)
                && let Some((name, tz)) = zone(name, &mut errs)
            {
                policy.time_zone = name;
                policy.tz = tz;
            }
            let qp = o.path("quiet_hours");
            if let Some(q) = o.str("quiet_hours", &mut errs) {
                match quiet_hours(q) {
                    Ok(q) => policy.quiet = Some(q),
                    Err(k) => errs.push(qp, k),
                }
            }
            let dp = o.path("digest_at");
            if let Some(d) = o.str("digest_at", &mut errs) {
                match clock(d.as_bytes()).filter(|m| *m < 24 * 60) {
                    Some(m) => policy.digest_at = m,
                    None => errs.push(
                        dp,
                        K::BadCondition {
                            reason: "a time \"HH:MM\" on a 24-hour clock, e.g. \"08:00\"".into(),
                        },
                    ),
                }
            }
            policy.urgent_ignores_quiet_hours =
                o.bool("urgent_ignores_quiet_hours", true, &mut errs);
            o.finish(&mut errs);
        }
        errs.into_result(policy)
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("time_zone".into(), Value::str(&self.time_zone));
        if let Some((a, b)) = self.quiet {
            m.insert(
                "quiet_hours".into(),
                Value::str(format!("{}-{}", hhmm(a), hhmm(b))),
            );
        }
        m.insert("digest_at".into(), Value::str(hhmm(self.digest_at)));
        m.insert(
            "urgent_ignores_quiet_hours".into(),
            Value::Bool(self.urgent_ignores_quiet_hours),
        );
        Value::Map(m)
    }

    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }

    /// When an alert e-mail ready at `now` may go: `now`, or the end of the quiet hours
    /// `now` falls in.
    pub fn hold_until(&self, now: i64) -> i64 {
        match self.quiet {
            Some(quiet) => hold_until(&self.tz, quiet, now),
            None => now,
        }
    }

    /// The first digest time strictly after `now`.
    pub fn next_digest(&self, now: i64) -> i64 {
        let Some((date, _)) = local(&self.tz, now) else {
            return now;
        };
        let today = instant(&self.tz, date, self.digest_at);
        if today > now {
            return today;
        }
        match date.tomorrow() {
            Ok(d) => instant(&self.tz, d, self.digest_at),
            Err(_) => now,
        }
    }
}

/// `now`, or the end of the daily span `(from, to)` (minutes of the local day in `tz`,
/// wrapping midnight when `from` is later) that `now` falls in.
pub(crate) fn hold_until(tz: &TimeZone, (from, to): (u16, u16), now: i64) -> i64 {
    let Some((date, minute)) = local(tz, now) else {
        return now;
    };
    let end = if from < to {
        (from <= minute && minute < to).then_some(date)
    } else if minute >= from {
        date.tomorrow().ok()
    } else if minute < to {
        Some(date)
    } else {
        None
    };
    match end {
        Some(d) => instant(tz, d, to).max(now),
        None => now,
    }
}

/// The local date and minute of the day of an instant.
fn local(tz: &TimeZone, at: i64) -> Option<(Date, u16)> {
    let t = Timestamp::from_millisecond(at).ok()?;
    let dt = tz.to_datetime(t);
    let minute = dt.hour() as u16 * 60 + dt.minute() as u16;
    Some((dt.date(), minute))
}

/// The instant of `minute` of local date `date` (compatible disambiguation: past a gap,
/// the first of a repeat).
fn instant(tz: &TimeZone, date: Date, minute: u16) -> i64 {
    let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
    tz.to_timestamp(dt)
        .map(|t| t.as_millisecond())
        .unwrap_or_default()
}

/// `"HH:MM-HH:MM"` as two distinct minutes of the day (the end may be earlier: the quiet
/// hours then wrap midnight).
fn quiet_hours(s: &str) -> Result<(u16, u16), K> {
    daily_span(s, "quiet hours", "20:00-07:30")
}

/// `"HH:MM-HH:MM"` as two distinct minutes of the day (the end may be earlier: the span
/// then wraps midnight); `what` and `example` make the message.
pub(crate) fn daily_span(s: &str, what: &str, example: &str) -> Result<(u16, u16), K> {
    let bad = || K::BadCondition {
        reason: format!(
            "{what} must be \"HH:MM-HH:MM\" on a 24-hour clock, e.g. \"{example}\" \
             (the end may be on the next day)"
        ),
    };
    let b = s.as_bytes();
    if b.len() != 11 || b[5] != b'-' {
        return Err(bad());
    }
    let day = |m: u16| (m < 24 * 60).then_some(m);
    match (clock(&b[..5]).and_then(day), clock(&b[6..]).and_then(day)) {
        (Some(a), Some(b)) if a != b => Ok((a, b)),
        (Some(_), Some(_)) => Err(K::BadCondition {
            reason: format!("{what} must start and end at different times"),
        }),
        _ => Err(bad()),
    }
}

pub(crate) fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    /// The instant of a local civil time in `tz`.
    fn at(s: &str, tz: &str) -> i64 {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        TimeZone::get(tz)
            .unwrap()
            .to_timestamp(dt)
            .unwrap()
            .as_millisecond()
    }

    fn policy(v: &str) -> Notifications {
        Notifications::parse(&json_value(v), "Europe/Warsaw").unwrap()
    }

    const W: &str = "Europe/Warsaw";

    #[test]
    fn quiet_hours_across_midnight_hold_until_the_morning() {
        let p = policy(r#"{"quiet_hours": "20:00-07:30"}"#);
        // Before them: at once.
        let t = at("2026-12-07T19:59", W);
        assert_eq!(p.hold_until(t), t);
        // In the evening: the next morning.
        assert_eq!(
            p.hold_until(at("2026-12-07T22:15", W)),
            at("2026-12-08T07:30", W)
        );
        // After midnight: the same morning.
        assert_eq!(
            p.hold_until(at("2026-12-08T03:00", W)),
            at("2026-12-08T07:30", W)
        );
        // At their end: at once.
        let t = at("2026-12-08T07:30", W);
        assert_eq!(p.hold_until(t), t);
    }

    #[test]
    fn quiet_hours_within_a_day_and_none() {
        let p = policy(r#"{"quiet_hours": "12:00-13:00"}"#);
        assert_eq!(
            p.hold_until(at("2026-12-07T12:59", W)),
            at("2026-12-07T13:00", W)
        );
        let t = at("2026-12-07T11:00", W);
        assert_eq!(p.hold_until(t), t);
        let none = policy("{}");
        let t = at("2026-12-07T23:00", W);
        assert_eq!(none.hold_until(t), t);
    }

    #[test]
    fn the_wall_clock_holds_across_a_dst_change() {
        // The night of 2026-10-25 is 25 hours long in Warsaw: quiet hours still end at
        // 07:30 local, i.e. 06:30 UTC (CET), not 05:30.
        let p = policy(r#"{"quiet_hours": "22:00-07:30"}"#);
        let end = p.hold_until(at("2026-10-24T23:00", W));
        assert_eq!(end, at("2026-10-25T07:30", W));
        assert_eq!(end, at("2026-10-25T06:30", "UTC"));
        // Spring forward (2026-03-29, 02:00 → 03:00): a digest at 02:30 moves past the gap.
        let d = policy(r#"{"digest_at": "02:30"}"#);
        assert_eq!(
            d.next_digest(at("2026-03-29T01:00", W)),
            at("2026-03-29T01:30", "UTC")
        );
    }

    #[test]
    fn the_next_digest_is_today_or_tomorrow_at_its_hour() {
        let p = policy(r#"{"digest_at": "08:00", "time_zone": "Europe/Prague"}"#);
        let z = "Europe/Prague";
        assert_eq!(
            p.next_digest(at("2026-12-07T07:59", z)),
            at("2026-12-07T08:00", z)
        );
        assert_eq!(
            p.next_digest(at("2026-12-07T08:00", z)),
            at("2026-12-08T08:00", z),
            "strictly after"
        );
        assert_eq!(
            p.next_digest(at("2026-12-31T09:00", z)),
            at("2027-01-01T08:00", z)
        );
    }

    #[test]
    fn it_reads_back_what_it_prints_and_names_every_problem() {
        let p = policy(
            r#"{"time_zone": "Europe/Prague", "quiet_hours": "21:00-06:00",
                "digest_at": "07:15", "urgent_ignores_quiet_hours": false}"#,
        );
        assert_eq!(Notifications::parse(&p.to_value(), "UTC").unwrap(), p);
        let bad = json_value(
            r#"{"time_zone": "Mars/Base", "quiet_hours": "20:00-20:00", "digest_at": "24:00",
                "urgent_ignores_quiet_hours": "yes", "extra": 1}"#,
        );
        let errs = Notifications::parse(&bad, W).unwrap_err();
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "time_zone",
                "quiet_hours",
                "digest_at",
                "urgent_ignores_quiet_hours",
                "extra"
            ],
            "{errs:?}"
        );
        assert!(Notifications::parse(&json_value(r#"{"quiet_hours": "8-20"}"#), W).is_err());
    }
}
