//! Survey statistics (NPS, CSAT, CES, ratings, changes between periods, completion) computed
//! from score distributions, never from raw responses.
//!
//! Dashboards must stay instant over millions of responses, so every metric takes a
//! [`Distribution`]: the count of responses per integer score, which a store can roll up and
//! which [`Distribution::merge`] combines (merging equals adding counts, so periods and
//! segments can be pre-aggregated). Nothing here allocates per response.
//!
//! Every metric comes with its count `n`, a confidence interval at [`Options::confidence`]
//! (95 % by default) and a `small_sample` flag (`n < Options::min_n`, 30 by default).
//! Values and shares are in percent (NPS on −100…100, CSAT and shares on 0…100); means are on
//! the question's own scale. A value that `n` cannot define (any value at `n = 0`, a
//! t-interval at `n < 2`) is `None`, never `NaN`.
//!
//! # Methods
//!
//! With `z` the standard normal quantile at `1 − α/2` and `α = 1 − confidence`:
//!
//! - **NPS** ([`nps`]): `100·(p₊ − p₋)` with promoters 9–10 and detractors 0–6. Interval:
//!   the adjusted Wald interval of Rocks (2016): add 3 pseudo-responses (¾ promoter, ¾
//!   detractor, 1½ passive), so `ñ = n + 3`, `p̃₊ = (x₊ + ¾)/ñ`, `p̃₋ = (x₋ + ¾)/ñ`, and take
//!   `(p̃₊ − p̃₋) ± z·√((p̃₊ + p̃₋ − (p̃₊ − p̃₋)²)/ñ)`. The pseudo-responses pull the centre
//!   towards 0, so for tiny or extreme samples the bare interval can miss the observed NPS
//!   (one promoter: −48.5…98.5). **Containment is guaranteed by construction**: the interval
//!   is widened to include the observed NPS (`low = min(low, nps)`, `high = max(high, nps)`)
//!   and then clipped to [−100, 100]; since the NPS itself lies in [−100, 100], the result
//!   contains it and stays on the scale. At 100 % promoters the top is therefore exactly 100.
//! - **Proportions** (CSAT, the CES share of 5–7, completion, response rate;
//!   [`proportion`]): Wilson score interval
//!   `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`, which always contains `p̂`
//!   and stays in [0, 1], and is sensible at `n = 1` and at 0 % or 100 %.
//! - **Means** (CES, ratings, matrix rows; [`mean_interval`]): Student t interval
//!   `x̄ ± t(n−1)·s/√n` with the sample standard deviation `s`, clipped to the scale.
//! - **Changes** ([`compare_nps`], [`compare_csat`], [`compare_proportions`],
//!   [`compare_mean`]): two-sided tests of `current − previous` for independent samples.
//!   NPS: the adjusted-Wald test for a difference: both sides get the three
//!   pseudo-responses, `t = (c̃₁ − c̃₂)/√(ṽ₁ + ṽ₂)` on Welch–Satterthwaite degrees of
//!   freedom (`ñ − 1` per side); the variances stay positive at 0 % or 100 % promoters and
//!   the false-alarm rate stays at or under α from 5 responses a side (checked exactly in
//!   the tests). The interval is `(c̃₁ − c̃₂) ± t·SE` widened to contain the observed
//!   difference, so interval, p-value and verdict always agree. Proportions: pooled
//!   two-proportion z-test for the p-value, Newcombe's hybrid score interval (from the two
//!   Wilson intervals) for the difference. Means: Welch's unequal-variance t-test with
//!   Welch–Satterthwaite degrees of freedom. The verdict is [`Verdict::Better`] or
//!   [`Verdict::Worse`] when `p < α` (by the sign of the difference; higher is better for
//!   every Puls metric, including CES where 7 is "very easy"), otherwise
//!   [`Verdict::NoSignificantChange`]; [`Verdict::NotEnoughData`] when either side has
//!   `n < 2` or the test is undefined (two constant samples with different means).
//! - **Many changes at once** ([`benjamini_hochberg`]): a metric alert watching several
//!   segments controls the false discovery rate at q by Benjamini–Hochberg, so with no
//!   real change anywhere the chance of any alarm stays at or under q (simulated in the
//!   tests: 20 segments, 2,000 months).
//! - **Funnel** ([`drop_off`], [`completion`], [`response_rate`]): per-question counts of
//!   respondents who reached, answered and abandoned each question, turned into rates.
//!
//! `docs/statistics.md` gives the formulas, references and edge cases in full.

mod compare;
mod distribution;
mod funnel;
mod multiple;
mod nps;
mod proportion;
mod scores;
mod topics;

pub use compare::{Change, Verdict, compare_csat, compare_mean, compare_nps, compare_proportions};
pub use distribution::Distribution;
pub use funnel::{QuestionDropOff, QuestionProgress, completion, drop_off, response_rate};
pub use multiple::benjamini_hochberg;
pub use nps::{MIN_SPREAD_ANSWERS, Nps, NpsSizing, nps, nps_sample_size, nps_sizing};
pub use proportion::{Proportion, proportion};
pub use scores::{Ces, Csat, Rating, ces, csat, mean_interval, rating};
pub use topics::{AspectStat, Mentions, aspect_stat, rising};

use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};

/// What can go wrong when building distributions or asking for statistics. Each is a
/// programming or data error of the caller, never a property of the data's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("the scale {min}..={max} is not valid (need min < max, both within ±{bound}, span at most {span})", bound = crate::survey::limits::SCALE_BOUND, span = crate::survey::limits::MAX_SCALE_SPAN)]
    InvalidScale { min: i64, max: i64 },
    #[error("score {score} is outside the scale {min}..={max}")]
    ScoreOutOfScale { score: i64, min: i64, max: i64 },
    #[error("a distribution on {found:?} was given where {expected:?} was expected")]
    ScaleMismatch {
        expected: (i64, i64),
        found: (i64, i64),
    },
    #[error("the total count does not fit in 64 bits")]
    CountOverflow,
    #[error("a part ({part}) exceeds its total ({total})")]
    PartExceedsTotal { part: u64, total: u64 },
    #[error("a confidence level must lie strictly between 0 and 1")]
    InvalidConfidence,
}

/// A confidence level strictly between 0 and 1, such as 0.95.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Confidence(f64);

impl Confidence {
    pub fn new(level: f64) -> Result<Self, StatsError> {
        // `contains` is false for NaN, so NaN is rejected too.
        if (0.0..1.0).contains(&level) && level > 0.0 {
            Ok(Confidence(level))
        } else {
            Err(StatsError::InvalidConfidence)
        }
    }

    pub fn level(self) -> f64 {
        self.0
    }

    /// The significance level `α = 1 − confidence` at which changes are called.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }

    /// The two-sided standard normal quantile `z(1 − α/2)` (1.959964 at 95 %).
    pub(crate) fn z(self) -> f64 {
        std_normal().inverse_cdf(1.0 - self.alpha() / 2.0)
    }

    /// The two-sided Student t quantile `t(1 − α/2)` with `df` degrees of freedom (`df > 0`).
    pub(crate) fn t(self, df: f64) -> f64 {
        let tail = self.alpha() / 2.0;
        // The Cornish–Fisher expansion of the t quantile around the normal one (Abramowitz &
        // Stegun 26.7.5); its error is O(1/df⁵).
        let z = self.z();
        let z2 = z * z;
        let g = [
            (z2 + 1.0) * z / 4.0,
            ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0,
            (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0,
            ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0,
        ];
        let expansion = z + g.iter().rev().fold(0.0, |acc, gi| (acc + gi) / df);
        let Some(t) = students_t(df) else {
            return expansion;
        };
        // statrs' inverse goes through the inverse incomplete beta function, which is slow and
        // loses digits beyond about 10⁴ degrees of freedom (at 10⁶ it is off in the fourth
        // decimal). Its survival function stays accurate, so a few Newton steps on it polish
        // the start: statrs' inverse for few degrees of freedom, else the expansion (already
        // within about 10⁻⁸ at 30).
        let mut x = if df < 30.0 {
            t.inverse_cdf(1.0 - tail)
        } else {
            expansion
        };
        for _ in 0..8 {
            let step = (t.sf(x) - tail) / t.pdf(x);
            if !step.is_finite() {
                break;
            }
            x += step;
            if step.abs() <= 4.0 * f64::EPSILON * x.abs() {
                break;
            }
        }
        x
    }
}

impl Default for Confidence {
    fn default() -> Self {
        Confidence(0.95)
    }
}

/// How metrics are computed: the confidence level of intervals and tests, and the sample size
/// below which a metric is flagged as a small sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    pub min_n: u64,
    pub confidence: Confidence,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_n: 30,
            confidence: Confidence::default(),
        }
    }
}

impl Options {
    fn small_sample(&self, n: u64) -> bool {
        n < self.min_n
    }
}

/// A two-sided confidence interval, in the unit of the value it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Clips both ends to `[lo, hi]`.
    fn clip(self, lo: f64, hi: f64) -> Interval {
        Interval {
            low: self.low.clamp(lo, hi),
            high: self.high.clamp(lo, hi),
        }
    }

    /// Widens the interval just enough to contain `x`.
    fn including(self, x: f64) -> Interval {
        Interval {
            low: self.low.min(x),
            high: self.high.max(x),
        }
    }

    fn scaled(self, k: f64) -> Interval {
        Interval {
            low: self.low * k,
            high: self.high * k,
        }
    }
}

fn std_normal() -> Normal {
    Normal::standard()
}

/// Student's t with `df` degrees of freedom, or `None` above 10⁷ degrees of freedom. There
/// statrs' incomplete beta function starts to lose digits (relative error 10⁻⁸ at 10⁸, 10⁻⁶ at
/// 10⁹); callers use the normal instead, whose two-sided p-values are within 10⁻⁷ of the t's
/// there, and the quantile expansion in [`Confidence::t`].
fn students_t(df: f64) -> Option<StudentsT> {
    const NORMAL_ABOVE_DF: f64 = 1e7;
    if df > NORMAL_ABOVE_DF {
        None
    } else {
        StudentsT::new(0.0, 1.0, df).ok()
    }
}

/// Two-sided p-value of a standard normal statistic.
fn p_normal(z: f64) -> f64 {
    (2.0 * std_normal().sf(z.abs())).min(1.0)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
fn p_students_t(t: f64, df: f64) -> f64 {
    let one_tail = match students_t(df) {
        Some(d) => d.sf(t.abs()),
        None => std_normal().sf(t.abs()),
    };
    (2.0 * one_tail).min(1.0)
}

/// `part / total` as a percentage; `None` when `total == 0`.
fn percent(part: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| 100.0 * part as f64 / total as f64)
}
