//! Kano analysis: classifying answer pairs, category shares and satisfaction coefficients.
//!
//! A Kano question asks about one feature twice: the *functional* form ("how do you feel
//! if the product has it?") and the *dysfunctional* form ("... if it does not?"), each on
//! the five-point [`KanoAnswer`] scale. The pair is classified with the standard
//! evaluation table (Berger et al. 1993; Matzler & Hinterhuber 1998):
//!
//! | functional \ dysfunctional | like | expect | neutral | tolerate | dislike |
//! |----------------------------|------|--------|---------|----------|---------|
//! | **like**                   | Q    | A      | A       | A        | O       |
//! | **expect**                 | R    | I      | I       | I        | M       |
//! | **neutral**                | R    | I      | I       | I        | M       |
//! | **tolerate**               | R    | I      | I       | I        | M       |
//! | **dislike**                | R    | R      | R       | R        | Q       |
//!
//! A = Attractive, O = One-dimensional, M = Must-be, I = Indifferent, R = Reverse,
//! Q = Questionable (the two answers contradict each other).
//!
//! A [`KanoTally`] counts respondents per category for one feature. It can be filled
//! answer by answer or from rolled-up counts per (functional, dysfunctional) pair, and
//! gives the category shares, the dominant category, the category strength and Berger's
//! Better/Worse coefficients:
//!
//! - Better = (A + O) / (A + O + M + I), in [0, 1]: how much having the feature satisfies.
//! - Worse = −(O + M) / (A + O + M + I), in [−1, 0]: how much lacking it dissatisfies.
//!
//! Reverse and Questionable answers are left out of Better and Worse, as in the original
//! definition, but they count in `n` and in the shares.

use crate::response::KanoAnswer;

/// A Kano category, the result of classifying one (functional, dysfunctional) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KanoCategory {
    /// Delights when present, not missed when absent.
    Attractive,
    /// The more the better: satisfies when present, dissatisfies when absent.
    OneDimensional,
    /// Taken for granted: not noticed when present, dissatisfies when absent.
    MustBe,
    /// Makes no difference either way.
    Indifferent,
    /// The respondent prefers not to have it.
    Reverse,
    /// Contradictory answers (like/like, dislike/dislike).
    Questionable,
}

impl KanoCategory {
    /// Every category, in the order [`KanoTally::shares`] reports them.
    pub const ALL: [KanoCategory; 6] = [
        KanoCategory::Attractive,
        KanoCategory::OneDimensional,
        KanoCategory::MustBe,
        KanoCategory::Indifferent,
        KanoCategory::Reverse,
        KanoCategory::Questionable,
    ];

    /// Tie-break order for [`KanoTally::dominant`]: the rule "M > O > A > I" of
    /// Berger et al., extended with R and Q last.
    const TIE_ORDER: [KanoCategory; 6] = [
        KanoCategory::MustBe,
        KanoCategory::OneDimensional,
        KanoCategory::Attractive,
        KanoCategory::Indifferent,
        KanoCategory::Reverse,
        KanoCategory::Questionable,
    ];

    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            KanoCategory::Attractive => "attractive",
            KanoCategory::OneDimensional => "one_dimensional",
            KanoCategory::MustBe => "must_be",
            KanoCategory::Indifferent => "indifferent",
            KanoCategory::Reverse => "reverse",
            KanoCategory::Questionable => "questionable",
        }
    }

    /// The usual one-letter code: A, O, M, I, R or Q.
    pub fn letter(self) -> char {
        match self {
            KanoCategory::Attractive => 'A',
            KanoCategory::OneDimensional => 'O',
            KanoCategory::MustBe => 'M',
            KanoCategory::Indifferent => 'I',
            KanoCategory::Reverse => 'R',
            KanoCategory::Questionable => 'Q',
        }
    }

    fn index(self) -> usize {
        match self {
            KanoCategory::Attractive => 0,
            KanoCategory::OneDimensional => 1,
            KanoCategory::MustBe => 2,
            KanoCategory::Indifferent => 3,
            KanoCategory::Reverse => 4,
            KanoCategory::Questionable => 5,
        }
    }
}

/// Classifies one respondent's answer pair by the standard evaluation table (see the
/// module documentation).
pub fn classify(functional: KanoAnswer, dysfunctional: KanoAnswer) -> KanoCategory {
    use KanoAnswer::{Dislike, Expect, Like, Neutral, Tolerate};
    use KanoCategory as C;
    match (functional, dysfunctional) {
        (Like, Like) | (Dislike, Dislike) => C::Questionable,
        (Like, Expect | Neutral | Tolerate) => C::Attractive,
        (Like, Dislike) => C::OneDimensional,
        (Expect | Neutral | Tolerate, Dislike) => C::MustBe,
        (Expect | Neutral | Tolerate, Expect | Neutral | Tolerate) => C::Indifferent,
        (Expect | Neutral | Tolerate | Dislike, Like) | (Dislike, Expect | Neutral | Tolerate) => {
            C::Reverse
        }
    }
}

/// Respondent counts per Kano category for one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KanoTally {
    counts: [u64; 6],
}

impl KanoTally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tally from rolled-up counts per answer pair: `cells[f][d]` respondents answered
    /// functional `KanoAnswer::ALL[f]` and dysfunctional `KanoAnswer::ALL[d]`.
    pub fn from_cells(cells: &[[u64; 5]; 5]) -> Self {
        let mut tally = Self::new();
        for (f, row) in KanoAnswer::ALL.into_iter().zip(cells) {
            for (d, &count) in KanoAnswer::ALL.into_iter().zip(row) {
                tally.add_pair(f, d, count);
            }
        }
        tally
    }

    /// Adds one respondent's answer pair.
    pub fn add(&mut self, functional: KanoAnswer, dysfunctional: KanoAnswer) {
        self.add_pair(functional, dysfunctional, 1);
    }

    /// Adds `count` respondents who gave the same answer pair (one cell of a rollup).
    pub fn add_pair(&mut self, functional: KanoAnswer, dysfunctional: KanoAnswer, count: u64) {
        self.add_category(classify(functional, dysfunctional), count);
    }

    /// Adds `count` respondents already classified as `category`.
    pub fn add_category(&mut self, category: KanoCategory, count: u64) {
        let slot = &mut self.counts[category.index()];
        *slot = slot.saturating_add(count);
    }

    /// Adds another tally's counts (for example, another period's rollup).
    pub fn merge(&mut self, other: &KanoTally) {
        for category in KanoCategory::ALL {
            self.add_category(category, other.count(category));
        }
    }

    /// Respondents classified as `category`.
    pub fn count(&self, category: KanoCategory) -> u64 {
        self.counts[category.index()]
    }

    /// Every classified respondent, Reverse and Questionable included.
    pub fn n(&self) -> u64 {
        self.counts.iter().fold(0, |a, &c| a.saturating_add(c))
    }

    /// Whether fewer than `min` respondents were classified, so shares and coefficients
    /// should be shown with a warning or not at all.
    pub fn is_small_sample(&self, min: u64) -> bool {
        self.n() < min
    }

    /// The share of `category` in percent of [`n`](Self::n); `None` when the tally is empty.
    pub fn share(&self, category: KanoCategory) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| self.count(category) as f64 / n as f64 * 100.0)
    }

    /// Every category's share in percent, in [`KanoCategory::ALL`] order (they sum to 100);
    /// `None` when the tally is empty.
    pub fn shares(&self) -> Option<[(KanoCategory, f64); 6]> {
        let n = self.n();
        (n > 0).then(|| KanoCategory::ALL.map(|c| (c, self.count(c) as f64 / n as f64 * 100.0)))
    }

    /// The most frequent category; `None` when the tally is empty.
    ///
    /// Ties are broken by the rule "M > O > A > I" of Berger et al., then R, then Q: when
    /// respondents are split, the category that hurts most if ignored wins. A tie is
    /// visible as a [`category_strength`](Self::category_strength) of zero.
    pub fn dominant(&self) -> Option<KanoCategory> {
        if self.n() == 0 {
            return None;
        }
        // `max_by_key` keeps the last maximum, so iterate from the weakest tie rank.
        KanoCategory::TIE_ORDER
            .into_iter()
            .rev()
            .max_by_key(|&c| self.count(c))
    }

    /// The category strength: the share of the dominant category minus the share of the
    /// runner-up, in percentage points. Berger et al. treat a strength below about 6 points
    /// as a mixed result. `None` when the tally is empty.
    pub fn category_strength(&self) -> Option<f64> {
        let n = self.n();
        if n == 0 {
            return None;
        }
        let mut counts = self.counts;
        counts.sort_unstable_by(|a, b| b.cmp(a));
        Some((counts[0] - counts[1]) as f64 / n as f64 * 100.0)
    }

    /// A + O + M + I: the respondents that Better and Worse are computed over.
    pub fn n_for_coefficients(&self) -> u64 {
        [
            KanoCategory::Attractive,
            KanoCategory::OneDimensional,
            KanoCategory::MustBe,
            KanoCategory::Indifferent,
        ]
        .into_iter()
        .fold(0, |a, c| a.saturating_add(self.count(c)))
    }

    /// Better = (A + O) / (A + O + M + I), in [0, 1]; `None` when A + O + M + I is 0.
    pub fn better(&self) -> Option<f64> {
        let d = self.n_for_coefficients();
        let a = self.count(KanoCategory::Attractive) + self.count(KanoCategory::OneDimensional);
        (d > 0).then(|| a as f64 / d as f64)
    }

    /// Worse = −(O + M) / (A + O + M + I), in [−1, 0]; `None` when A + O + M + I is 0.
    pub fn worse(&self) -> Option<f64> {
        let d = self.n_for_coefficients();
        let w = self.count(KanoCategory::OneDimensional) + self.count(KanoCategory::MustBe);
        (d > 0).then(|| -(w as f64) / d as f64)
    }
}

impl Extend<(KanoAnswer, KanoAnswer)> for KanoTally {
    fn extend<I: IntoIterator<Item = (KanoAnswer, KanoAnswer)>>(&mut self, pairs: I) {
        for (f, d) in pairs {
            self.add(f, d);
        }
    }
}

impl FromIterator<(KanoAnswer, KanoAnswer)> for KanoTally {
    fn from_iter<I: IntoIterator<Item = (KanoAnswer, KanoAnswer)>>(pairs: I) -> Self {
        let mut tally = Self::new();
        tally.extend(pairs);
        tally
    }
}
