//! The story the demo data tells, as numbers.
//!
//! - **Checkout** is good and steady (NPS around +45); mobile shoppers are a little less happy.
//! - **Information** is decent (around +10); **loyalty** (the feature survey) similar.
//! - **Delivery** is mediocre (around 0), a bit worse in the November/December peak, and has
//!   one **bad month** four calendar months before "now": a courier partner fails, scores drop
//!   sharply (NPS around -50), "not arrived yet" and "late delivery" answers and comments
//!   multiply, and more people answer the delivery survey. Support feels it too: more
//!   "where is my order" contacts, slightly worse scores.
//! - **Returns** are poor (around -25), with a rush of returns after Christmas.
//! - **Support** improves steadily over the year, from about -35 to about +35.
//! - Volume grows over the year, peaks in November (Black Friday) and December, dips on
//!   Sundays and over Christmas; responses come mostly in the day and evening, support chats
//!   only in office hours.
//!
//! A respondent's satisfaction is a latent "mood" in `[0, 1]`; every score, choice and comment
//! of their response is derived from it, so answers within a response are coherent.

use puls_core::Channel;

use crate::calendar::{Date, days_from_civil, weekday};
use crate::phrases::Topic;

/// How one touchpoint behaves over the year.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    pub topic: Topic,
    /// Share of all responses, relative to the others.
    pub share: f32,
    /// Mean mood a year ago.
    pub mood: f32,
    /// Change of the mean mood over the year (added in full at "now").
    pub trend: f32,
    /// Spread of the mood between respondents.
    pub spread: f32,
    /// Change of the mean mood at full incident severity.
    pub incident_mood: f32,
    /// Share multiplier at full incident severity.
    pub incident_share: f32,
    /// Change of the mean mood in November and December.
    pub peak_mood: f32,
    /// Share multiplier in November and December.
    pub peak_share: f32,
    /// Share multiplier in the weeks after Christmas.
    pub january_share: f32,
    /// Change of mood for respondents on a phone.
    pub mobile_mood: f32,
    /// Share multiplier outside 8:00 to 20:00 (chat support is closed at night).
    pub night_share: f32,
    /// Whether responses carry the order's value.
    pub order_value: bool,
    /// Channel mix; the survey's default channel is added when missing.
    pub channels: &'static [(Channel, f32)],
}

const BASE: Profile = Profile {
    topic: Topic::Generic,
    share: 0.1,
    mood: 0.78,
    trend: 0.0,
    spread: 0.19,
    incident_mood: 0.0,
    incident_share: 1.0,
    peak_mood: 0.0,
    peak_share: 1.0,
    january_share: 1.0,
    mobile_mood: 0.0,
    night_share: 1.0,
    order_value: false,
    channels: &[],
};

/// The profile of a touchpoint by name; unknown touchpoints get a neutral one.
pub(crate) fn profile(touchpoint: &str) -> Profile {
    match touchpoint {
        "information" | "awareness" | "consideration" => Profile {
            topic: Topic::Information,
            share: 0.12,
            mood: 0.79,
            channels: &[(Channel::InApp, 0.55), (Channel::Web, 0.45)],
            ..BASE
        },
        "checkout" | "purchase" => Profile {
            topic: Topic::Checkout,
            share: 0.30,
            mood: 0.9,
            trend: 0.015,
            spread: 0.17,
            peak_mood: -0.02,
            peak_share: 1.15,
            mobile_mood: -0.05,
            order_value: true,
            channels: &[
                (Channel::Web, 0.6),
                (Channel::InApp, 0.3),
                (Channel::Email, 0.1),
            ],
            ..BASE
        },
        "delivery" => Profile {
            topic: Topic::Delivery,
            share: 0.26,
            mood: 0.765,
            spread: 0.2,
            incident_mood: -0.2,
            incident_share: 1.4,
            peak_mood: -0.03,
            order_value: true,
            channels: &[
                (Channel::Email, 0.55),
                (Channel::Sms, 0.2),
                (Channel::InApp, 0.25),
            ],
            ..BASE
        },
        "support" | "after_sales" | "service" => Profile {
            topic: Topic::Support,
            share: 0.12,
            mood: 0.67,
            trend: 0.22,
            spread: 0.2,
            incident_mood: -0.06,
            incident_share: 1.6,
            peak_share: 1.25,
            night_share: 0.12,
            channels: &[
                (Channel::Chat, 0.6),
                (Channel::Email, 0.25),
                (Channel::Phone, 0.15),
            ],
            ..BASE
        },
        "returns" | "complaints" => Profile {
            topic: Topic::Returns,
            share: 0.10,
            mood: 0.665,
            spread: 0.21,
            january_share: 1.8,
            order_value: true,
            channels: &[
                (Channel::Store, 0.35),
                (Channel::Web, 0.3),
                (Channel::Email, 0.35),
            ],
            ..BASE
        },
        "loyalty" | "retention" => Profile {
            topic: Topic::Loyalty,
            share: 0.06,
            mood: 0.79,
            incident_mood: -0.03,
            channels: &[(Channel::Email, 0.8), (Channel::InApp, 0.2)],
            ..BASE
        },
        _ => BASE,
    }
}

/// What one calendar day is like, for every touchpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayStory {
    /// Relative response volume of the whole day (before daily noise).
    pub volume: f64,
    /// Severity of the delivery incident, 0 to 1.
    pub incident: f32,
    /// November or December.
    pub peak: bool,
    /// After Christmas, when returns pile up.
    pub january: bool,
    /// 0 a year before "now", 1 at "now".
    pub progress: f32,
}

/// The calendar month of the delivery incident: four months before the month of `now`.
pub(crate) fn incident_month(now: Date) -> (i32, u32) {
    let m = now.year * 12 + now.month as i32 - 1 - 4;
    (m.div_euclid(12), (m.rem_euclid(12) + 1) as u32)
}

/// Severity of the incident on a date: ramps up over two days, holds for the month, and
/// fades over the first ten days of the next month.
pub(crate) fn incident_severity(date: Date, incident: (i32, u32)) -> f32 {
    let (y, m) = incident;
    if (date.year, date.month) == (y, m) {
        return if date.day <= 2 { 0.6 } else { 1.0 };
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    if (date.year, date.month) == (ny, nm) && date.day <= 10 {
        return 0.5 * (11 - date.day) as f32 / 10.0;
    }
    0.0
}

/// Relative volume by weekday, Sunday first.
const WEEKDAY_VOLUME: [f64; 7] = [0.62, 1.12, 1.08, 1.04, 1.0, 0.95, 0.78];

/// Relative volume by month, January first.
const MONTH_VOLUME: [f64; 12] = [
    0.86, 0.78, 0.88, 0.92, 0.94, 0.9, 0.86, 0.88, 0.95, 1.02, 1.45, 1.55,
];

/// The story of one local day. `progress` is the position in the year-long window.
pub(crate) fn day_story(day: i64, date: Date, incident: (i32, u32), progress: f32) -> DayStory {
    let mut volume = WEEKDAY_VOLUME[weekday(day) as usize] * MONTH_VOLUME[date.month as usize - 1];
    // The shop grows by a third over the year.
    volume *= 0.85 + 0.3 * f64::from(progress);
    // Black Friday (the fourth Friday of November) to Cyber Monday.
    if date.month == 11 {
        let first = days_from_civil(date.year, 11, 1);
        let black_friday = first + i64::from((5 + 7 - weekday(first)) % 7) + 21;
        if (black_friday..=black_friday + 3).contains(&day) {
            volume *= 1.8;
        }
    }
    match (date.month, date.day) {
        (12, 24..=26) => volume *= 0.45,
        (12, 31) | (1, 1) => volume *= 0.6,
        _ => {}
    }
    let incident = incident_severity(date, incident);
    volume *= 1.0 + 0.1 * f64::from(incident);
    DayStory {
        volume,
        incident,
        peak: date.month >= 11,
        january: (date.month == 12 && date.day >= 27) || (date.month == 1 && date.day <= 25),
        progress,
    }
}

impl Profile {
    /// The share of this touchpoint's surveys on a day.
    pub(crate) fn share_on(&self, day: &DayStory) -> f32 {
        let mut s = self.share * (1.0 + (self.incident_share - 1.0) * day.incident);
        if day.peak {
            s *= self.peak_share;
        }
        if day.january {
            s *= self.january_share;
        }
        s
    }

    /// The mean mood of respondents on a day.
    pub(crate) fn mood_on(&self, day: &DayStory) -> f32 {
        let mut m = self.mood + self.trend * day.progress + self.incident_mood * day.incident;
        if day.peak {
            m += self.peak_mood;
        }
        m
    }

    /// The share multiplier for a local hour.
    pub(crate) fn hour_share(&self, hour: usize) -> f32 {
        if (8..20).contains(&hour) {
            1.0
        } else {
            self.night_share
        }
    }
}

/// Relative volume by local hour on weekdays.
pub(crate) const WEEKDAY_HOURS: [f64; 24] = [
    0.30, 0.15, 0.09, 0.07, 0.08, 0.15, 0.40, 0.80, 1.10, 1.30, 1.40, 1.40, 1.50, 1.40, 1.30, 1.30,
    1.30, 1.40, 1.50, 1.70, 1.80, 1.60, 1.10, 0.60,
];

/// Relative volume by local hour on weekends: later mornings, long evenings.
pub(crate) const WEEKEND_HOURS: [f64; 24] = [
    0.40, 0.22, 0.12, 0.08, 0.07, 0.08, 0.15, 0.35, 0.70, 1.10, 1.40, 1.50, 1.50, 1.40, 1.30, 1.30,
    1.30, 1.40, 1.50, 1.70, 1.90, 1.70, 1.20, 0.70,
];

/// How one option (or matrix row) behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tweak {
    /// Relative weight for a very unhappy respondent.
    pub unhappy: f32,
    /// Relative weight for a very happy respondent.
    pub happy: f32,
    /// Weight multiplier at full incident severity.
    pub incident: f32,
    /// Weight multipliers by language (pl, cs, en).
    pub lang: [f32; 3],
    /// Matrix rows and score questions: change of the score (on a 0-1 scale).
    pub offset: f32,
    /// Matrix rows and score questions: change of the score at full incident severity.
    pub incident_offset: f32,
}

/// The tweak of an option that the story does not mention.
pub(crate) const PLAIN: Tweak = Tweak {
    unhappy: 1.0,
    happy: 1.0,
    incident: 1.0,
    lang: [1.0; 3],
    offset: 0.0,
    incident_offset: 0.0,
};

const fn w(unhappy: f32, happy: f32) -> Tweak {
    Tweak {
        unhappy,
        happy,
        ..PLAIN
    }
}

const fn inc(t: Tweak, incident: f32) -> Tweak {
    Tweak { incident, ..t }
}

const fn lang(t: Tweak, lang: [f32; 3]) -> Tweak {
    Tweak { lang, ..t }
}

const fn off(offset: f32, incident_offset: f32) -> Tweak {
    Tweak {
        offset,
        incident_offset,
        ..PLAIN
    }
}

/// Tweaks by touchpoint, question and option; an empty option id tweaks the question itself.
static TWEAKS: &[(&str, &str, &str, Tweak)] = &[
    ("information", "found", "yes", w(0.35, 1.0)),
    ("information", "found", "partly", w(0.45, 0.2)),
    ("information", "found", "no", w(0.4, 0.03)),
    ("information", "missing", "sizes", w(1.2, 1.2)),
    ("information", "missing", "availability", w(1.1, 1.1)),
    ("information", "missing", "delivery_info", w(0.8, 0.8)),
    ("information", "missing", "specs", w(0.9, 0.9)),
    ("information", "missing", "reviews", w(0.6, 0.6)),
    ("checkout", "issues", "payment_failed", w(0.7, 0.7)),
    ("checkout", "issues", "shipping_cost", w(1.5, 1.5)),
    (
        "checkout",
        "issues",
        "payment_methods",
        lang(w(0.6, 0.6), [0.6, 1.0, 1.4]),
    ),
    ("checkout", "issues", "slow_site", w(0.9, 0.9)),
    ("checkout", "issues", "account_required", w(0.5, 0.5)),
    ("checkout", "issues", "promo_code", w(0.8, 0.8)),
    ("checkout", "payment", "card", lang(PLAIN, [0.9, 1.3, 1.6])),
    ("checkout", "payment", "blik", lang(PLAIN, [1.4, 0.0, 0.3])),
    (
        "checkout",
        "payment",
        "bank_transfer",
        lang(PLAIN, [0.6, 0.5, 0.4]),
    ),
    (
        "checkout",
        "payment",
        "cash_on_delivery",
        lang(PLAIN, [0.15, 0.6, 0.1]),
    ),
    (
        "checkout",
        "payment",
        "pay_later",
        lang(PLAIN, [0.25, 0.25, 0.2]),
    ),
    ("delivery", "arrived", "not_yet", inc(w(0.06, 0.01), 5.0)),
    ("delivery", "csat", "", off(0.0, -0.04)),
    ("delivery", "nps", "", off(-0.02, 0.0)),
    ("delivery", "method", "courier", w(1.3, 0.8)),
    (
        "delivery",
        "method",
        "parcel_locker",
        lang(w(0.6, 1.3), [1.6, 0.8, 1.0]),
    ),
    (
        "delivery",
        "method",
        "pickup_point",
        lang(w(0.9, 1.0), [0.5, 1.4, 0.8]),
    ),
    ("delivery", "method", "store_pickup", w(0.3, 0.4)),
    ("delivery", "aspects", "speed", off(-0.02, -0.2)),
    ("delivery", "aspects", "packaging", off(0.06, 0.0)),
    ("delivery", "aspects", "courier", off(-0.03, -0.05)),
    ("delivery", "aspects", "tracking", off(-0.02, -0.1)),
    ("delivery", "problems", "late", inc(PLAIN, 5.0)),
    ("delivery", "problems", "damaged", w(0.8, 0.8)),
    ("delivery", "problems", "wrong_item", w(0.5, 0.5)),
    ("delivery", "problems", "courier", w(0.6, 0.6)),
    (
        "delivery",
        "problems",
        "no_notification",
        inc(w(0.7, 0.7), 2.0),
    ),
    ("support", "reason", "order_status", inc(w(1.0, 0.8), 3.0)),
    ("support", "reason", "payment", w(0.5, 0.5)),
    ("support", "reason", "return", w(0.9, 0.5)),
    ("support", "reason", "product", w(0.4, 0.9)),
    ("support", "reason", "account", w(0.3, 0.3)),
    ("support", "resolved", "yes", w(0.25, 1.0)),
    ("support", "resolved", "partly", w(0.4, 0.12)),
    ("support", "resolved", "no", w(0.5, 0.02)),
    ("support", "agent", "", off(0.08, 0.0)),
    ("support", "nps", "", off(-0.03, 0.0)),
    ("returns", "reason", "wrong_size", w(1.0, 1.4)),
    ("returns", "reason", "not_as_described", w(1.1, 0.4)),
    ("returns", "reason", "damaged", inc(w(0.7, 0.2), 1.5)),
    ("returns", "reason", "changed_mind", w(0.4, 1.0)),
    ("returns", "reason", "arrived_late", inc(w(0.3, 0.05), 6.0)),
    ("returns", "ces", "", off(-0.04, 0.0)),
    ("returns", "priorities", "fast_refund", w(3.0, 3.0)),
    ("returns", "priorities", "free_return", w(2.5, 2.5)),
    ("returns", "priorities", "store_return", w(0.8, 0.8)),
    ("returns", "priorities", "simple_form", w(1.2, 1.2)),
    ("loyalty", "priorities", "same_day", w(2.0, 2.0)),
    ("loyalty", "priorities", "free_returns", w(2.5, 2.5)),
    ("loyalty", "priorities", "tracking", inc(w(1.5, 1.5), 1.6)),
    ("loyalty", "priorities", "eco_packaging", w(0.8, 0.8)),
];

/// The tweak for an option (or, with an empty `option`, for a score question).
pub(crate) fn tweak(touchpoint: &str, question: &str, option: &str) -> Tweak {
    TWEAKS
        .iter()
        .find(|(t, q, o, _)| *t == touchpoint && *q == question && *o == option)
        .map_or(PLAIN, |(_, _, _, tw)| *tw)
}

/// Kano categories: attractive, must-be, one-dimensional, indifferent, reverse.
pub(crate) type KanoMix = [f32; 5];

/// The Kano category mix of a feature question.
pub(crate) fn kano_mix(question: &str) -> KanoMix {
    match question {
        "same_day" => [0.45, 0.03, 0.2, 0.3, 0.02],
        "free_returns" => [0.08, 0.45, 0.35, 0.1, 0.02],
        "tracking" => [0.15, 0.35, 0.3, 0.18, 0.02],
        "loyalty_points" => [0.25, 0.05, 0.12, 0.5, 0.08],
        "eco_packaging" => [0.3, 0.05, 0.2, 0.4, 0.05],
        _ => [0.25, 0.25, 0.2, 0.25, 0.05],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_is_four_months_back() {
        let d = |year, month, day| Date { year, month, day };
        assert_eq!(incident_month(d(2026, 3, 15)), (2025, 11));
        assert_eq!(incident_month(d(2026, 5, 1)), (2026, 1));
        assert_eq!(incident_month(d(2026, 4, 30)), (2025, 12));
        let inc = (2025, 11);
        assert_eq!(incident_severity(d(2025, 11, 15), inc), 1.0);
        assert_eq!(incident_severity(d(2025, 10, 31), inc), 0.0);
        assert!(incident_severity(d(2025, 12, 3), inc) > 0.0);
        assert_eq!(incident_severity(d(2025, 12, 11), inc), 0.0);
    }

    #[test]
    fn black_friday_weekend_is_busy() {
        // Black Friday 2025 is 28 November.
        let bf = days_from_civil(2025, 11, 28);
        let date = |day| crate::calendar::civil_from_days(day);
        let story = |day| day_story(day, date(day), (2025, 6), 0.5).volume;
        assert!(story(bf) > 1.5 * story(bf - 7));
        assert!(story(bf + 4) < story(bf + 3));
    }

    #[test]
    fn tweaks_refer_to_real_questions_and_options() {
        use puls_core::{QuestionKind, Survey};
        let surveys: Vec<Survey> = crate::surveys()
            .iter()
            .map(|s| Survey::parse(&s.definition).unwrap())
            .collect();
        for (tp, qid, oid, _) in TWEAKS {
            let q = surveys
                .iter()
                .filter(|s| s.touchpoint.as_str() == *tp)
                .flat_map(|s| &s.questions)
                .find(|q| q.id.as_str() == *qid)
                .unwrap_or_else(|| panic!("no question {tp}/{qid}"));
            if oid.is_empty() {
                assert!(q.kind.score_range().is_some(), "{tp}/{qid}");
                continue;
            }
            let ids: Vec<&str> = match &q.kind {
                QuestionKind::Matrix { rows, .. } => rows.iter().map(|r| r.id.as_str()).collect(),
                k => k.options().unwrap().iter().map(|o| o.id.as_str()).collect(),
            };
            assert!(ids.contains(oid), "no option {tp}/{qid}/{oid}");
        }
    }
}
