//! The year of the behavioural data as a time line of local days, each with its share of the
//! shop's traffic (the seasons, weekdays, hours and daily noise of the responses), so visits
//! can be placed where people shop: more on weekday evenings, in November and December.

use crate::calendar::{DAY_MS, HourProfile, civil_from_days, local_date, local_days, weekday};
use crate::random::{splitmix, unit};
use crate::story;

/// The year before "now" as local days with their share of the shop's traffic (the same
/// seasons, weekdays and daily noise as the responses), for placing visits.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    pub start: i64,
    pub now: i64,
    days: Vec<Day>,
    hours: [HourProfile; 2],
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Day {
    start_utc: i64,
    /// Local ms of day where the span starts and ends.
    from: i64,
    to: i64,
    h_from: f64,
    h_to: f64,
    weekend: bool,
    /// Severity of the delivery incident, 0 to 1.
    pub incident: f32,
    /// November or December.
    pub peak: bool,
    cum_start: f64,
    cum_end: f64,
}

impl Timeline {
    pub(crate) fn new(seed: u64, now: i64) -> Self {
        let start = now - 365 * DAY_MS;
        let hours = [
            HourProfile::new(&story::WEEKDAY_HOURS),
            HourProfile::new(&story::WEEKEND_HOURS),
        ];
        let incident = story::incident_month(local_date(now));
        let mut days = Vec::with_capacity(367);
        let mut total = 0.0;
        for span in local_days(start, now) {
            let date = civil_from_days(span.day);
            let wd = weekday(span.day);
            let weekend = wd == 0 || wd == 6;
            let hp = &hours[usize::from(weekend)];
            let mid = span.start_utc + (span.to - span.from) / 2;
            let progress = ((mid - start) as f64 / (365 * DAY_MS) as f64) as f32;
            let s = story::day_story(span.day, date, incident, progress);
            let noise = 0.88 + 0.24 * unit(splitmix(seed ^ 0x5eed_da75 ^ span.day as u64));
            let (h_from, h_to) = (hp.at(span.from), hp.at(span.to));
            let weight = s.volume * noise * (h_to - h_from) / hp.cum[24];
            days.push(Day {
                start_utc: span.start_utc,
                from: span.from,
                to: span.to,
                h_from,
                h_to,
                weekend,
                incident: s.incident,
                peak: s.peak,
                cum_start: total,
                cum_end: total + weight,
            });
            total += weight;
        }
        Timeline {
            start,
            now,
            days,
            hours,
        }
    }

    fn day_index(&self, t: i64) -> usize {
        self.days
            .partition_point(|d| d.start_utc <= t)
            .saturating_sub(1)
            .min(self.days.len().saturating_sub(1))
    }

    /// The day an instant falls on (the first or last day outside the year).
    pub(crate) fn day_at(&self, t: i64) -> Day {
        self.days[self.day_index(t)]
    }

    /// The running total of traffic at an instant.
    pub(crate) fn cum_at(&self, t: i64) -> f64 {
        let t = t.clamp(self.start, self.now);
        let d = &self.days[self.day_index(t)];
        let hp = &self.hours[usize::from(d.weekend)];
        let x = (d.from + (t - d.start_utc)).min(d.to);
        let frac = if d.h_to > d.h_from {
            (hp.at(x) - d.h_from) / (d.h_to - d.h_from)
        } else {
            0.0
        };
        d.cum_start + frac.clamp(0.0, 1.0) * (d.cum_end - d.cum_start)
    }

    /// The instant where the running total of traffic reaches `y`.
    pub(crate) fn at_cum(&self, y: f64) -> i64 {
        let i = self
            .days
            .partition_point(|d| d.cum_end <= y)
            .min(self.days.len() - 1);
        let d = &self.days[i];
        let hp = &self.hours[usize::from(d.weekend)];
        let frac = ((y - d.cum_start) / (d.cum_end - d.cum_start)).clamp(0.0, 1.0);
        let local = hp
            .inverse(d.h_from + frac * (d.h_to - d.h_from))
            .clamp(d.from, d.to - 1);
        d.start_utc + (local - d.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_time_round_trips() {
        let t = Timeline::new(1, 1_773_567_000_000);
        let (lo, hi) = (t.cum_at(t.start), t.cum_at(t.now));
        assert_eq!(lo, 0.0);
        let mut prev = t.start;
        for i in 0..=1000 {
            let at = t.at_cum(lo + (hi - lo) * f64::from(i) / 1000.0);
            assert!(at >= prev && at < t.now, "{i}: {at}");
            prev = at;
            let back = t.at_cum(t.cum_at(at));
            assert!((back - at).abs() <= 1, "{at} -> {back}");
        }
    }
}
