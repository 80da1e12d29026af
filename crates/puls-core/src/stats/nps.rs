//! Net Promoter Score with Rocks' adjusted Wald interval.

use super::{Distribution, Interval, Options, StatsError, percent};

/// Promoters answer 9–10, passives 7–8, detractors 0–6.
pub(crate) const PROMOTERS: std::ops::RangeInclusive<i64> = 9..=10;
pub(crate) const PASSIVES: std::ops::RangeInclusive<i64> = 7..=8;
pub(crate) const DETRACTORS: std::ops::RangeInclusive<i64> = 0..=6;

/// The NPS of a 0–10 distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nps {
    pub n: u64,
    /// `% promoters − % detractors`, in [−100, 100]; `None` when `n == 0`.
    pub value: Option<f64>,
    /// The three shares in percent (summing to 100); all 0 when `n == 0`.
    pub promoters: f64,
    pub passives: f64,
    pub detractors: f64,
    /// Adjusted Wald interval, widened to contain `value`, within [−100, 100].
    pub interval: Option<Interval>,
    pub small_sample: bool,
}

/// The NPS of `d`, which must be on the 0–10 scale.
pub fn nps(d: &Distribution, o: &Options) -> Result<Nps, StatsError> {
    let t = Trinomial::of(d)?;
    let share = |x: u64| percent(x, t.n).unwrap_or(0.0);
    let value = t.value();
    let interval = value.map(|v| {
        let (centre, variance) = t.adjusted();
        let half = o.confidence.z() * variance.sqrt();
        Interval {
            low: centre - half,
            high: centre + half,
        }
        .scaled(100.0)
        // The pseudo-responses pull the centre towards 0, which can leave the observed NPS
        // outside the bare interval (n = 1, or 100 % promoters). Widening to the observed value
        // and then clipping to the scale keeps it inside, since it lies on the scale itself.
        .including(v)
        .clip(-100.0, 100.0)
    });
    Ok(Nps {
        n: t.n,
        value,
        promoters: share(t.promoters),
        passives: share(t.passives),
        detractors: share(t.detractors),
        interval,
        small_sample: o.small_sample(t.n),
    })
}

/// How many responses an NPS needs for its interval's half-width to be at most
/// `margin` points (on the −100…100 scale) at `confidence`: `⌈z² σ² / (margin/100)²⌉`,
/// with the variance of one answer's score (+1, 0, −1) from the expected shares of
/// promoters and detractors (`σ² = p + d − (p − d)²`), or the worst case 1 when they are
/// not known (`None`). At least 1.
pub fn nps_sample_size(
    margin: f64,
    confidence: super::Confidence,
    shares: Option<(f64, f64)>,
) -> u64 {
    let variance = match shares {
        Some((p, d)) if (0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&d) && p + d <= 1.0 => {
            (p + d - (p - d).powi(2)).max(0.0)
        }
        _ => 1.0,
    };
    let e = (margin / 100.0).max(1e-6);
    let z = confidence.z();
    ((z * z * variance / (e * e)).ceil() as u64).max(1)
}

/// The fewest NPS answers a survey's own spread is read from when a sample is sized
/// (fewer: the worst case).
pub const MIN_SPREAD_ANSWERS: u64 = 100;

/// A sample sized for an NPS margin, and the spread it counted on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpsSizing {
    /// Responses needed ([`nps_sample_size`]).
    pub responses: u64,
    /// The variance of one answer's score (+100, 0, −100), in points²: 10,000 in the worst
    /// case.
    pub variance: f64,
    /// Whether the variance was read from answers (else the worst case was assumed).
    pub measured: bool,
    /// The answers it was read from (0 when assumed).
    pub answers: u64,
}

/// Sizes a sample for an NPS within `margin` points at `confidence` from the spread of
/// the answers given so far (`observed`, on 0–10): with at least [`MIN_SPREAD_ANSWERS`],
/// `σ² = p₊ + p₋ − (p₊ − p₋)²` with the shares as the NPS interval reads them (Rocks'
/// three pseudo-answers added, so answers all of one kind still have a spread); else the
/// worst case `σ² = 1`.
pub fn nps_sizing(
    margin: f64,
    confidence: super::Confidence,
    observed: Option<&Distribution>,
) -> NpsSizing {
    let seen = observed
        .and_then(|d| Trinomial::of(d).ok())
        .filter(|t| t.n >= MIN_SPREAD_ANSWERS);
    match seen {
        Some(t) => {
            let n = t.n as f64 + 3.0;
            let (p, d) = (
                (t.promoters as f64 + 0.75) / n,
                (t.detractors as f64 + 0.75) / n,
            );
            NpsSizing {
                responses: nps_sample_size(margin, confidence, Some((p, d))),
                variance: (p + d - (p - d).powi(2)) * 10_000.0,
                measured: true,
                answers: t.n,
            }
        }
        None => NpsSizing {
            responses: nps_sample_size(margin, confidence, None),
            variance: 10_000.0,
            measured: false,
            answers: 0,
        },
    }
}

/// An NPS distribution collapsed to its three categories.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trinomial {
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
}

impl Trinomial {
    pub fn of(d: &Distribution) -> Result<Self, StatsError> {
        if d.scale() != (0, 10) {
            return Err(StatsError::ScaleMismatch {
                expected: (0, 10),
                found: d.scale(),
            });
        }
        Ok(Trinomial {
            n: d.n(),
            promoters: d.count_in(PROMOTERS),
            passives: d.count_in(PASSIVES),
            detractors: d.count_in(DETRACTORS),
        })
    }

    /// The NPS in percent. Computed from the integer difference, so all promoters give exactly
    /// 100 and the value can never leave [−100, 100].
    pub fn value(&self) -> Option<f64> {
        let net = self.promoters as f64 - self.detractors as f64;
        (self.n > 0).then(|| (100.0 * net / self.n as f64).clamp(-100.0, 100.0))
    }

    /// The adjusted centre and variance (as fractions) after adding 3 pseudo-responses:
    /// ¾ promoter, ¾ detractor and 1½ passive (Rocks 2016). The variance is the trinomial
    /// `(p₊ + p₋ − (p₊ − p₋)²)/ñ`, strictly positive for every sample, even an empty one.
    pub fn adjusted(&self) -> (f64, f64) {
        let n = self.n as f64 + 3.0;
        let pro = (self.promoters as f64 + 0.75) / n;
        let det = (self.detractors as f64 + 0.75) / n;
        let centre = pro - det;
        (centre, (pro + det - centre * centre) / n)
    }
}

#[cfg(test)]
mod sample_size_tests {
    use super::*;
    use crate::stats::Confidence;

    #[test]
    fn the_size_gives_the_margin_it_was_asked_for() {
        let c = Confidence::new(0.95).unwrap();
        // The worst case: z² / 0.05² = 1536.6.
        assert_eq!(nps_sample_size(5.0, c, None), 1537);
        let n = nps_sample_size(5.0, c, Some((0.5, 0.2)));
        assert_eq!(n, 938);
        // That many answers with those shares: the interval's half-width is about 5 points.
        let (p, d) = ((n as f64 * 0.5) as u64, (n as f64 * 0.2) as u64);
        let mut dist = Distribution::nps();
        dist.add(10, p).unwrap();
        dist.add(0, d).unwrap();
        dist.add(8, n - p - d).unwrap();
        let i = nps(&dist, &Options::default()).unwrap().interval.unwrap();
        let half = (i.high - i.low) / 2.0;
        assert!((half - 5.0).abs() < 0.15, "half-width {half}");
        // Narrower margins need more; a larger margin fewer, never none.
        assert!(nps_sample_size(3.0, c, None) > 4000);
        assert_eq!(nps_sample_size(400.0, c, None), 1);
    }

    #[test]
    fn a_survey_sizes_its_sample_from_its_own_spread() {
        let c = Confidence::new(0.95).unwrap();
        let mut d = Distribution::nps();
        // 1,000 answers: 500 promoters, 300 passives, 200 detractors. With the three
        // pseudo-answers p₊ = 500.75/1003, p₋ = 200.75/1003: σ² = 0.60994, so
        // ⌈1.959964² × 0.60994 / 0.05²⌉ = ⌈937.2⌉ = 938 (as the bare shares 0.5, 0.2),
        // where the worst case asks 1,537.
        d.add(10, 500).unwrap();
        d.add(8, 300).unwrap();
        d.add(3, 200).unwrap();
        let s = nps_sizing(5.0, c, Some(&d));
        assert!(s.measured);
        assert_eq!(s.answers, 1000);
        assert!((s.variance - 6_099.4).abs() < 0.1, "{s:?}");
        assert_eq!(s.responses, 938);
        // Fewer than 100 answers: the worst case.
        let mut few = Distribution::nps();
        few.add(10, 99).unwrap();
        let s = nps_sizing(5.0, c, Some(&few));
        assert_eq!(
            (s.responses, s.variance, s.measured),
            (1537, 10_000.0, false)
        );
        assert_eq!(nps_sizing(5.0, c, None).responses, 1537);
        // All promoters still have a spread: a small sample, never none.
        few.add(10, 1).unwrap();
        let s = nps_sizing(5.0, c, Some(&few));
        assert!(s.measured && (20..=100).contains(&s.responses), "{s:?}");
    }
}
