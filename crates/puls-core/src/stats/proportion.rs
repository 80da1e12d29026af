//! Proportions with Wilson score intervals: the building block of CSAT, top boxes, completion
//! and response rates.

use super::{Confidence, Interval, Options, StatsError, percent};

/// `count` out of `n`, as a percentage with its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    pub count: u64,
    pub n: u64,
    /// `100·count/n`; `None` when `n == 0`.
    pub value: Option<f64>,
    /// Wilson score interval in percent, within [0, 100] and containing `value`.
    pub interval: Option<Interval>,
    pub small_sample: bool,
}

/// `count` successes out of `n` trials (`count ≤ n`).
pub fn proportion(count: u64, n: u64, o: &Options) -> Result<Proportion, StatsError> {
    if count > n {
        return Err(StatsError::PartExceedsTotal {
            part: count,
            total: n,
        });
    }
    Ok(Proportion {
        count,
        n,
        value: percent(count, n),
        interval: percent_wilson(count, n, o),
        small_sample: o.small_sample(n),
    })
}

/// The Wilson interval of `count/n` in percent; `None` when `n == 0`.
pub(crate) fn percent_wilson(count: u64, n: u64, o: &Options) -> Option<Interval> {
    wilson(count, n, o.confidence).map(|i| i.scaled(100.0).clip(0.0, 100.0))
}

/// The Wilson score interval for `count/n` as fractions (0…1); `None` when `n == 0`.
///
/// `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`. Mathematically it lies in [0, 1] and
/// contains `p̂`; the final widening and clipping only absorb floating-point rounding.
pub(crate) fn wilson(count: u64, n: u64, c: Confidence) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let (x, n) = (count as f64, n as f64);
    let p = x / n;
    let z = c.z();
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(
        Interval {
            low: centre - half,
            high: centre + half,
        }
        .including(p)
        .clip(0.0, 1.0),
    )
}
