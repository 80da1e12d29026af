//! CSAT, CES and rating (or matrix row) summaries: means with t-intervals, shares with
//! Wilson intervals.

use super::proportion::percent_wilson;
use super::{Distribution, Interval, Options, StatsError, percent};

/// CSAT of a 1–5 distribution: the share of satisfied answers (4–5) and the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Csat {
    pub n: u64,
    /// Percent of 4–5 answers; `None` when `n == 0`.
    pub value: Option<f64>,
    /// Wilson interval of `value`, in percent.
    pub interval: Option<Interval>,
    pub mean: Option<f64>,
    pub small_sample: bool,
}

/// Customer Effort Score of a 1–7 distribution (7 = very easy): the mean and the share of 5–7.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ces {
    pub n: u64,
    pub mean: Option<f64>,
    /// t-interval of the mean, clipped to 1…7; `None` when `n < 2`.
    pub interval: Option<Interval>,
    /// Percent of 5–7 answers ("easy"); `None` when `n == 0`.
    pub share_5_to_7: Option<f64>,
    /// Wilson interval of `share_5_to_7`, in percent.
    pub share_interval: Option<Interval>,
    pub small_sample: bool,
}

/// Summary of any rating scale or matrix row.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    pub n: u64,
    pub min: i64,
    pub max: i64,
    pub mean: Option<f64>,
    /// t-interval of the mean, clipped to the scale; `None` when `n < 2`.
    pub interval: Option<Interval>,
    /// `(score, percent)` for every score of the scale, lowest first; all 0 when `n == 0`.
    pub shares: Vec<(i64, f64)>,
    /// Percent of answers at the top of the scale; `None` when `n == 0`.
    pub top_box: Option<f64>,
    /// Percent of answers at the top two scores; `None` when `n == 0`.
    pub top2_box: Option<f64>,
    pub small_sample: bool,
}

/// CSAT of `d`, which must be on the 1–5 scale.
pub fn csat(d: &Distribution, o: &Options) -> Result<Csat, StatsError> {
    expect_scale(d, (1, 5))?;
    let satisfied = d.count_in(4..=5);
    Ok(Csat {
        n: d.n(),
        value: percent(satisfied, d.n()),
        interval: percent_wilson(satisfied, d.n(), o),
        mean: d.mean(),
        small_sample: o.small_sample(d.n()),
    })
}

/// CES of `d`, which must be on the 1–7 scale.
pub fn ces(d: &Distribution, o: &Options) -> Result<Ces, StatsError> {
    expect_scale(d, (1, 7))?;
    let easy = d.count_in(5..=7);
    Ok(Ces {
        n: d.n(),
        mean: d.mean(),
        interval: mean_interval(d, o),
        share_5_to_7: percent(easy, d.n()),
        share_interval: percent_wilson(easy, d.n(), o),
        small_sample: o.small_sample(d.n()),
    })
}

/// Summary of a distribution on any scale.
pub fn rating(d: &Distribution, o: &Options) -> Rating {
    let n = d.n();
    Rating {
        n,
        min: d.min(),
        max: d.max(),
        mean: d.mean(),
        interval: mean_interval(d, o),
        shares: d
            .counts()
            .map(|(s, c)| (s, percent(c, n).unwrap_or(0.0)))
            .collect(),
        top_box: percent(d.count(d.max()), n),
        top2_box: percent(d.count_in(d.max() - 1..=d.max()), n),
        small_sample: o.small_sample(n),
    }
}

/// The Student t interval of the mean, `x̄ ± t(n−1; 1−α/2)·s/√n`, clipped to the scale (a
/// mean cannot leave it, though the symmetric interval of a tiny sample would). `None` when
/// `n < 2`. A constant sample gives the single point `[x̄, x̄]`.
pub fn mean_interval(d: &Distribution, o: &Options) -> Option<Interval> {
    let (mean, variance) = (d.mean()?, d.variance()?);
    let n = d.n() as f64;
    let half = o.confidence.t(n - 1.0) * (variance / n).sqrt();
    Some(
        Interval {
            low: mean - half,
            high: mean + half,
        }
        .clip(d.min() as f64, d.max() as f64),
    )
}

pub(crate) fn expect_scale(d: &Distribution, expected: (i64, i64)) -> Result<(), StatsError> {
    if d.scale() == expected {
        Ok(())
    } else {
        Err(StatsError::ScaleMismatch {
            expected,
            found: d.scale(),
        })
    }
}
