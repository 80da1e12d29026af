//! `Distribution`: how many responses gave each integer score on a scale, the rollup every
//! metric is computed from.

use std::ops::RangeInclusive;

use super::StatsError;
use crate::survey::QuestionKind;
use crate::survey::limits::{MAX_SCALE_SPAN, SCALE_BOUND};

/// Counts of responses per integer score in `min..=max`.
///
/// The total `n` is kept alongside the counts and every addition is checked, so `n` (and hence
/// every count and every partial sum) always fits in a `u64`: an overflowing addition is an
/// error, not a wrap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    min: i64,
    counts: Vec<u64>,
    n: u64,
}

impl Distribution {
    /// An empty distribution on `min..=max`. The scale must satisfy what survey definitions
    /// allow: `min < max`, both within ±[`SCALE_BOUND`], at most [`MAX_SCALE_SPAN`] apart.
    pub fn new(min: i64, max: i64) -> Result<Self, StatsError> {
        let bounded = |v: i64| (-SCALE_BOUND..=SCALE_BOUND).contains(&v);
        if !(bounded(min) && bounded(max) && min < max && max - min <= MAX_SCALE_SPAN) {
            return Err(StatsError::InvalidScale { min, max });
        }
        let len =
            usize::try_from(max - min + 1).map_err(|_| StatsError::InvalidScale { min, max })?;
        Ok(Distribution {
            min,
            counts: vec![0; len],
            n: 0,
        })
    }

    /// A distribution from its counts: `counts[i]` responses gave the score `min + i`.
    pub fn from_counts(min: i64, counts: &[u64]) -> Result<Self, StatsError> {
        let span = i64::try_from(counts.len()).unwrap_or(i64::MAX);
        let mut d = Distribution::new(min, min.saturating_add(span).saturating_sub(1))?;
        for (score, &count) in (min..).zip(counts) {
            d.add(score, count)?;
        }
        Ok(d)
    }

    /// An empty distribution on the NPS scale, 0..=10.
    pub fn nps() -> Self {
        Self::fixed(0, 10)
    }

    /// An empty distribution on the CSAT scale, 1..=5.
    pub fn csat() -> Self {
        Self::fixed(1, 5)
    }

    /// An empty distribution on the CES scale, 1..=7 (1 = very difficult, 7 = very easy).
    pub fn ces() -> Self {
        Self::fixed(1, 7)
    }

    /// An empty distribution for a single-score question (nps, csat, ces, rating), or `None`
    /// for other kinds. A matrix row uses `Distribution::new(scale.min, scale.max)`.
    pub fn for_kind(kind: &QuestionKind) -> Option<Self> {
        let (min, max) = kind.score_range()?;
        Distribution::new(min, max).ok()
    }

    fn fixed(min: i64, max: i64) -> Self {
        // The built-in scales are far inside the limits; the length is small and positive.
        Distribution {
            min,
            counts: vec![0; (max - min + 1) as usize],
            n: 0,
        }
    }

    pub fn min(&self) -> i64 {
        self.min
    }

    pub fn max(&self) -> i64 {
        self.min + self.counts.len() as i64 - 1
    }

    pub fn scale(&self) -> (i64, i64) {
        (self.min(), self.max())
    }

    /// The number of responses.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Adds `count` responses with `score`.
    pub fn add(&mut self, score: i64, count: u64) -> Result<(), StatsError> {
        let i = self.index(score).ok_or(StatsError::ScoreOutOfScale {
            score,
            min: self.min(),
            max: self.max(),
        })?;
        self.n = self.n.checked_add(count).ok_or(StatsError::CountOverflow)?;
        // Cannot overflow: every count is at most `n`, which just fitted.
        self.counts[i] += count;
        Ok(())
    }

    /// Adds every count of `other`, which must be on the same scale. Merging the rollups of
    /// two periods or segments gives the rollup of their union.
    pub fn merge(&mut self, other: &Distribution) -> Result<(), StatsError> {
        if self.scale() != other.scale() {
            return Err(StatsError::ScaleMismatch {
                expected: self.scale(),
                found: other.scale(),
            });
        }
        self.n = self
            .n
            .checked_add(other.n)
            .ok_or(StatsError::CountOverflow)?;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        Ok(())
    }

    /// The number of responses with `score` (0 outside the scale).
    pub fn count(&self, score: i64) -> u64 {
        self.index(score).map_or(0, |i| self.counts[i])
    }

    /// `(score, count)` for every score of the scale, lowest first.
    pub fn counts(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        (self.min..).zip(self.counts.iter().copied())
    }

    /// The number of responses with a score in `range` (parts outside the scale count 0).
    pub fn count_in(&self, range: RangeInclusive<i64>) -> u64 {
        // No overflow: a partial sum never exceeds `n`.
        self.counts()
            .filter(|(s, _)| range.contains(s))
            .map(|(_, c)| c)
            .sum()
    }

    /// The fraction (0…1, not percent) of responses with a score in `range`; `None` if empty.
    pub fn share(&self, range: RangeInclusive<i64>) -> Option<f64> {
        (self.n > 0).then(|| self.count_in(range) as f64 / self.n as f64)
    }

    /// The mean score; `None` if empty.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.min as f64 + self.offset_mean())
    }

    /// The sample variance (divisor `n − 1`); `None` when `n < 2`.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        // Two passes over at most 101 bins: exact enough for any n, and no catastrophic
        // cancellation as in `Σx² − n·x̄²`.
        let m = self.offset_mean();
        let ss: f64 = (0u32..)
            .zip(&self.counts)
            .map(|(i, &c)| c as f64 * (f64::from(i) - m).powi(2))
            .sum();
        Some(ss / (self.n - 1) as f64)
    }

    /// The mean of `score − min`, computed on offsets so large scale bounds lose no precision.
    fn offset_mean(&self) -> f64 {
        let total: f64 = (0u32..)
            .zip(&self.counts)
            .map(|(i, &c)| f64::from(i) * c as f64)
            .sum();
        total / self.n as f64
    }

    fn index(&self, score: i64) -> Option<usize> {
        let i = usize::try_from(score.checked_sub(self.min)?).ok()?;
        (i < self.counts.len()).then_some(i)
    }
}
