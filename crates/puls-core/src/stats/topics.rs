//! What open answers are about, in numbers: how often an aspect comes up (its share of the
//! answers read, with a Wilson interval) and how it is spoken of (net sentiment: % positive
//! − % negative among the answers that name it, an NPS-shaped index with the same adjusted
//! Wald interval: positive answers count as promoters, neutral ones as passives, negative
//! ones as detractors), each with its change against the previous period (the
//! two-proportion test for the share, the NPS difference test for the net sentiment).
//!
//! Trending topics are the aspects and words whose share rose significantly: each is tested
//! like a share, and the tests of one list are corrected together by Benjamini–Hochberg at
//! the confidence level's α, so a list of a hundred words does not flag five of them by
//! chance (the false-alarm rate is checked by simulation in the tests below).

use super::{
    Change, Distribution, Nps, Options, Proportion, StatsError, Verdict, benjamini_hochberg,
    compare_nps, compare_proportions, nps, proportion,
};

/// The answers of one period that name an aspect, by their sentiment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mentions {
    pub negative: u64,
    pub neutral: u64,
    pub positive: u64,
}

impl Mentions {
    pub fn n(&self) -> u64 {
        self.negative + self.neutral + self.positive
    }

    /// The sentiments as an NPS distribution: negative 0, neutral 7, positive 10.
    fn as_distribution(&self) -> Result<Distribution, StatsError> {
        let mut d = Distribution::nps();
        d.add(0, self.negative)?;
        d.add(7, self.neutral)?;
        d.add(10, self.positive)?;
        Ok(d)
    }
}

/// One aspect in a period against the previous one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AspectStat {
    /// Answers naming it of the answers read, in percent.
    pub share: Proportion,
    /// % positive − % negative of the answers naming it, in [−100, 100].
    pub net: Nps,
    pub share_change: Change,
    pub net_change: Change,
}

/// The statistics of an aspect named in `current` of `total` answers read this period and
/// in `previous` of `previous_total` the period before.
pub fn aspect_stat(
    current: &Mentions,
    total: u64,
    previous: &Mentions,
    previous_total: u64,
    o: &Options,
) -> Result<AspectStat, StatsError> {
    let (now, before) = (current.as_distribution()?, previous.as_distribution()?);
    Ok(AspectStat {
        share: proportion(current.n(), total, o)?,
        net: nps(&now, o)?,
        share_change: compare_proportions(current.n(), total, previous.n(), previous_total, o)?,
        net_change: compare_nps(&now, &before, o)?,
    })
}

/// Which of `counts` (answers naming a topic this period and the period before, of `total`
/// and `previous_total` answers read) rose significantly, after Benjamini–Hochberg over
/// every topic tested; only topics named at least `min_count` times this period are
/// tested. The indexes of the risers with their changes, largest rise first.
pub fn rising(
    counts: &[(u64, u64)],
    total: u64,
    previous_total: u64,
    min_count: u64,
    o: &Options,
) -> Result<Vec<(usize, Change)>, StatsError> {
    let mut tested = Vec::new();
    for (i, &(now, before)) in counts.iter().enumerate() {
        if now < min_count.max(1) {
            continue;
        }
        let c = compare_proportions(now, total, before, previous_total, o)?;
        if let Some(p) = c.p_value {
            tested.push((i, c, p));
        }
    }
    let p: Vec<f64> = tested.iter().map(|t| t.2).collect();
    let keep = benjamini_hochberg(&p, o.confidence.alpha());
    let mut out: Vec<(usize, Change)> = tested
        .into_iter()
        .zip(keep)
        .filter(|((_, c, _), k)| *k && c.verdict == Verdict::Better)
        .map(|((i, c, _), _)| (i, c))
        .collect();
    out.sort_by(|a, b| {
        b.1.difference
            .unwrap_or(0.0)
            .total_cmp(&a.1.difference.unwrap_or(0.0))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn net_sentiment_is_positive_minus_negative_with_an_interval() {
        let o = Options::default();
        let now = Mentions {
            negative: 30,
            neutral: 20,
            positive: 50,
        };
        let s = aspect_stat(&now, 400, &Mentions::default(), 300, &o).unwrap();
        assert_eq!(s.share.value, Some(25.0));
        assert_eq!(s.net.value, Some(20.0));
        let i = s.net.interval.unwrap();
        assert!(i.low < 20.0 && 20.0 < i.high, "{i:?}");
        // Named 100 times of 400 against never: more often, significantly.
        assert_eq!(s.share_change.verdict, Verdict::Better);
        assert_eq!(s.net_change.verdict, Verdict::NotEnoughData);
    }

    #[test]
    fn a_real_rise_is_found_among_many_steady_topics() {
        let o = Options::default();
        let mut counts = vec![(20, 20); 60];
        counts[7] = (80, 20);
        let r = rising(&counts, 1000, 1000, 5, &o).unwrap();
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![7]);
    }

    /// Under no change at all, a list of 80 topics with small, varied rates flags any riser
    /// in at most about α of weeks (Benjamini–Hochberg controls the family-wise rate when
    /// every null is true; each topic's own test alone would flag one in most weeks).
    #[test]
    fn steady_topics_rarely_trend_by_chance() {
        let o = Options::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let weeks = 2_000;
        let (total, topics) = (600u64, 80);
        let rates: Vec<f64> = (0..topics).map(|i| 0.01 + 0.003 * i as f64).collect();
        let mut alarms = 0;
        let mut single = 0;
        for _ in 0..weeks {
            let mut counts = Vec::with_capacity(topics);
            for &p in &rates {
                let draw = |rng: &mut rand_chacha::ChaCha8Rng| {
                    (0..total).filter(|_| rng.random::<f64>() < p).count() as u64
                };
                counts.push((draw(&mut rng), draw(&mut rng)));
            }
            if !rising(&counts, total, total, 5, &o).unwrap().is_empty() {
                alarms += 1;
            }
            let any = counts.iter().any(|&(a, b)| {
                compare_proportions(a, total, b, total, &o).unwrap().verdict == Verdict::Better
            });
            single += usize::from(any);
        }
        let rate = alarms as f64 / weeks as f64;
        eprintln!(
            "weeks with a trending topic by chance: {rate:.3} (uncorrected: {:.3})",
            single as f64 / weeks as f64
        );
        assert!(rate <= 0.06, "{rate}");
        assert!(single as f64 / weeks as f64 > 0.5);
    }
}
