//! Key-driver analysis: which ratings move an outcome, and how well each one performs.
//!
//! The outcome (an NPS score or any rating) is regressed linearly on the candidate drivers
//! (per-touchpoint CSAT, other ratings, coded attributes). Each driver's **importance** is
//! its Shapley share of the model R²: the increase in R² from adding the driver to a set
//! of other drivers, averaged over every order in which the drivers could be added
//! (Lindeman, Merenda & Gold 1980; "LMG", also called dominance analysis or Shapley value
//! regression). With `k` drivers and `R²(S)` the R² of the regression on the subset `S`,
//!
//! ```text
//! importance_j = Σ_{S ⊆ N∖{j}} |S|! (k − |S| − 1)! / k! · (R²(S ∪ {j}) − R²(S))
//! ```
//!
//! The importances add up to the full model's R² exactly, and correlated drivers split the
//! variance they share: two identical drivers get equal importance. Every R²(S) is computed
//! exactly from the correlation matrix, so the work grows as 2^k; [`MAX_DRIVERS`] caps `k`.
//!
//! **Performance** is the driver's mean rescaled to 0–100 by its scale's minimum and
//! maximum. The **quadrant** compares each driver with the mean importance and the mean
//! performance of the drivers in the model.
//!
//! **Missing answers**: correlations are pairwise complete (each pair of variables over the
//! rows where both are answered), so a driver asked of only some respondents still counts.
//! A pairwise correlation matrix need not be positive semidefinite; when it is not (its
//! smallest eigenvalue is below −1e-9), the whole model falls back to listwise deletion,
//! using only rows where every driver in the model is answered. Listwise correlation
//! matrices are always positive semidefinite, so no tuning constant is involved.
//! [`DriverAnalysis::method`] says which was used.
//!
//! **Intervals** ([`analyze_with_intervals`]): each importance comes with a percentile
//! bootstrap interval (respondents resampled by the Poisson bootstrap, the whole analysis
//! rerun per resample, seeded so a report is reproducible). Drivers whose intervals overlap cannot be
//! told apart, so they are never put on different sides of the importance split: drivers
//! are chained into groups of overlapping intervals, and a group is "important" when its
//! mean importance is at least the mean of all drivers. A "fix first" driver therefore
//! differs measurably from every "lower priority" one.
//!
//! See `docs/kano-and-drivers.md` for the method, its fixtures and its limits.

use std::fmt;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

/// The largest number of drivers one analysis takes. The exact Shapley decomposition
/// evaluates all 2^k driver subsets (32 768 for 15), which stays well under a second.
pub const MAX_DRIVERS: usize = 15;

/// Smallest eigenvalue below which a pairwise correlation matrix counts as not positive
/// semidefinite, triggering the listwise fallback.
const PSD_TOLERANCE: f64 = 1e-9;

/// A pivot below this, during elimination, marks a driver as a linear combination of the
/// drivers already eliminated; it then adds nothing to R².
const PIVOT_TOLERANCE: f64 = 1e-9;

/// Importances and performances within this of the mean count as "above" it, so that equal
/// values (computed with rounding error) land in the same quadrant.
const QUADRANT_TOLERANCE: f64 = 1e-9;

/// Why a key-driver analysis could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DriverError {
    #[error("no drivers were given")]
    NoDrivers,
    #[error("{given} drivers were given; at most {max} are supported")]
    TooManyDrivers { given: usize, max: usize },
    #[error("a driver's scale must have finite min < max, got {min}..{max}")]
    InvalidScale { min: f64, max: f64 },
    #[error("row {row} has {found} driver values, expected {expected}")]
    RowLength {
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("row {row} has a value that is not a finite number")]
    NotFinite { row: usize },
    #[error("the outcome has the same value in every row, so nothing can explain it")]
    ConstantOutcome,
    #[error(
        "{complete} rows answer every driver in the model; at least {needed} \
         (drivers + 2) are needed"
    )]
    TooFewRows { complete: usize, needed: usize },
}

/// The range of a driver's answer scale, used to rescale its mean to 0–100.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    min: f64,
    max: f64,
}

impl Scale {
    /// A scale from `min` to `max`; both finite and `min < max`.
    pub fn new(min: f64, max: f64) -> Result<Self, DriverError> {
        if min.is_finite() && max.is_finite() && min < max {
            Ok(Scale { min, max })
        } else {
            Err(DriverError::InvalidScale { min, max })
        }
    }

    pub fn min(self) -> f64 {
        self.min
    }

    pub fn max(self) -> f64 {
        self.max
    }

    /// `value` on a 0–100 scale. Values outside the scale land outside 0–100.
    pub fn to_percent(self, value: f64) -> f64 {
        (value - self.min) / (self.max - self.min) * 100.0
    }
}

/// A candidate driver: its name and its answer scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    pub name: String,
    pub scale: Scale,
}

impl Driver {
    pub fn new(name: impl Into<String>, scale: Scale) -> Self {
        Driver {
            name: name.into(),
            scale,
        }
    }
}

/// One respondent, or `weight` respondents who answered exactly alike: the outcome and each
/// driver's value, in the order of the drivers (`None` where unanswered). Respondents without
/// an outcome are left out by the caller. Collapsing identical answers into one weighted row
/// gives exactly the same analysis, and keeps millions of ratings on short scales down to a
/// few thousand rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub outcome: f64,
    pub drivers: Vec<Option<f64>>,
    pub weight: u64,
}

impl Row {
    pub fn new(outcome: f64, drivers: impl Into<Vec<Option<f64>>>) -> Self {
        Row::weighted(outcome, drivers, 1)
    }

    /// `weight` respondents with these answers (a row of weight 0 counts for nothing).
    pub fn weighted(outcome: f64, drivers: impl Into<Vec<Option<f64>>>, weight: u64) -> Self {
        Row {
            outcome,
            drivers: drivers.into(),
            weight,
        }
    }
}

/// How missing answers were handled for the correlation matrix behind the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingData {
    /// Each correlation over the rows where both variables are answered.
    Pairwise,
    /// Only rows where every driver in the model is answered; used when the pairwise
    /// matrix was not positive semidefinite.
    Listwise,
}

/// A driver's place on the importance × performance map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quadrant {
    /// High importance, low performance: improve these first.
    FixFirst,
    /// High importance, high performance: keep up the good work.
    KeepUp,
    /// Low importance, high performance: maintain, do not over-invest.
    Maintain,
    /// Low importance, low performance.
    LowerPriority,
}

impl Quadrant {
    /// The quadrant for a driver above or below the mean importance and mean performance.
    pub fn of(high_importance: bool, high_performance: bool) -> Self {
        match (high_importance, high_performance) {
            (true, false) => Quadrant::FixFirst,
            (true, true) => Quadrant::KeepUp,
            (false, true) => Quadrant::Maintain,
            (false, false) => Quadrant::LowerPriority,
        }
    }

    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::FixFirst => "fix_first",
            Quadrant::KeepUp => "keep_up",
            Quadrant::Maintain => "maintain",
            Quadrant::LowerPriority => "lower_priority",
        }
    }
}

impl fmt::Display for Quadrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quadrant::FixFirst => "fix first",
            Quadrant::KeepUp => "keep up",
            Quadrant::Maintain => "maintain",
            Quadrant::LowerPriority => "lower priority",
        })
    }
}

/// Why a driver was left out of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    /// No respondent answered it.
    NoAnswers,
    /// Every answer was the same (zero variance), so it cannot explain anything.
    Constant,
}

/// One driver's result.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverResult {
    pub name: String,
    /// Shapley share of the model R², in R² units (0 to the model R²). 0 when excluded.
    pub importance: f64,
    /// `importance` in percent of the model R²; the drivers' shares sum to 100. `None`
    /// when the model explains nothing (R² = 0).
    pub share: Option<f64>,
    /// Pearson correlation with the outcome over the `n` rows answering the driver (its
    /// sign tells the direction the importance lacks). `None` when excluded.
    pub correlation: Option<f64>,
    /// Mean answer rescaled to 0–100 by the driver's scale. `None` without answers.
    pub performance: Option<f64>,
    /// Rows answering this driver (all rows carry an outcome).
    pub n: usize,
    /// `None` for excluded drivers, whose importance cannot be estimated.
    pub quadrant: Option<Quadrant>,
    pub excluded: Option<Excluded>,
    /// The bootstrap interval of `importance` and of `share` (from
    /// [`analyze_with_intervals`]; `None` from [`analyze`], for excluded drivers, or when
    /// too few resamples could be analysed).
    pub importance_ci: Option<(f64, f64)>,
    pub share_ci: Option<(f64, f64)>,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct DriverAnalysis {
    /// R² of the linear regression of the outcome on every driver in the model, in [0, 1].
    pub r_squared: f64,
    pub method: MissingData,
    /// Rows given.
    pub n_rows: usize,
    /// Rows answering every driver in the model (the rows a listwise model uses).
    pub n_complete: usize,
    /// Mean importance of the drivers in the model: the quadrants' importance split.
    pub mean_importance: f64,
    /// Mean performance of the drivers in the model: the quadrants' performance split.
    pub mean_performance: f64,
    /// One result per driver, in input order.
    pub drivers: Vec<DriverResult>,
}

/// Runs a key-driver analysis of `rows` on `drivers` (see the module documentation).
pub fn analyze(drivers: &[Driver], rows: &[Row]) -> Result<DriverAnalysis, DriverError> {
    let k = drivers.len();
    if k == 0 {
        return Err(DriverError::NoDrivers);
    }
    if k > MAX_DRIVERS {
        return Err(DriverError::TooManyDrivers {
            given: k,
            max: MAX_DRIVERS,
        });
    }
    for (i, row) in rows.iter().enumerate() {
        if row.drivers.len() != k {
            return Err(DriverError::RowLength {
                row: i,
                expected: k,
                found: row.drivers.len(),
            });
        }
        let finite = row.outcome.is_finite() && row.drivers.iter().flatten().all(|v| v.is_finite());
        if !finite {
            return Err(DriverError::NotFinite { row: i });
        }
    }
    let rows: Vec<&Row> = rows.iter().filter(|r| r.weight > 0).collect();
    let total: u64 = rows.iter().map(|r| r.weight).sum();
    // Without two respondents nothing varies; say so rather than call the outcome constant.
    if total < 2 {
        return Err(DriverError::TooFewRows {
            complete: total as usize,
            needed: k + 2,
        });
    }
    let weights: Vec<f64> = rows.iter().map(|r| r.weight as f64).collect();
    let outcome: Vec<f64> = rows.iter().map(|r| r.outcome).collect();
    if is_constant(outcome.iter().copied()) {
        return Err(DriverError::ConstantOutcome);
    }

    // Column j holds driver j's values; the outcome is never missing.
    let columns: Vec<Vec<Option<f64>>> = (0..k)
        .map(|j| rows.iter().map(|r| r.drivers[j]).collect())
        .collect();
    let outcome_column: Vec<Option<f64>> = outcome.iter().copied().map(Some).collect();

    let excluded: Vec<Option<Excluded>> = columns
        .iter()
        .map(|c| {
            if c.iter().all(Option::is_none) {
                Some(Excluded::NoAnswers)
            } else if is_constant(c.iter().flatten().copied()) {
                Some(Excluded::Constant)
            } else {
                None
            }
        })
        .collect();
    let model: Vec<usize> = (0..k).filter(|&j| excluded[j].is_none()).collect();

    let complete: Vec<usize> = (0..rows.len())
        .filter(|&i| model.iter().all(|&j| columns[j][i].is_some()))
        .collect();
    let n_complete = complete.iter().map(|&i| rows[i].weight).sum::<u64>() as usize;
    let needed = model.len() + 2;
    if !model.is_empty() && n_complete < needed {
        return Err(DriverError::TooFewRows {
            complete: n_complete,
            needed,
        });
    }

    // Model variables: the drivers in the model, then the outcome last.
    let mut variables: Vec<&[Option<f64>]> = model.iter().map(|&j| &columns[j][..]).collect();
    variables.push(&outcome_column);
    let mut method = MissingData::Pairwise;
    let mut corr = correlation_matrix(&variables, &weights, None);
    if min_eigenvalue(&corr) < -PSD_TOLERANCE {
        method = MissingData::Listwise;
        corr = correlation_matrix(&variables, &weights, Some(&complete));
    }

    let shapley = shapley_importance(&corr);
    let r_squared = r_squared(&corr, (1u32 << model.len()) - 1);

    let mut importance = vec![0.0; k];
    for (&j, &phi) in model.iter().zip(&shapley) {
        importance[j] = phi;
    }
    let performance: Vec<Option<f64>> = columns
        .iter()
        .zip(drivers)
        .map(|(c, d)| weighted_mean(c, &weights).map(|m| d.scale.to_percent(m)))
        .collect();
    let mean_importance = mean(model.iter().map(|&j| importance[j])).unwrap_or(0.0);
    let mean_performance = mean(model.iter().filter_map(|&j| performance[j])).unwrap_or(0.0);

    let results = (0..k)
        .map(|j| {
            let in_model = excluded[j].is_none();
            let quadrant = match (in_model, performance[j]) {
                (true, Some(p)) => Some(Quadrant::of(
                    importance[j] >= mean_importance - QUADRANT_TOLERANCE,
                    p >= mean_performance - QUADRANT_TOLERANCE,
                )),
                _ => None,
            };
            DriverResult {
                name: drivers[j].name.clone(),
                importance: importance[j],
                share: (r_squared > 0.0).then(|| importance[j] / r_squared * 100.0),
                correlation: in_model
                    .then(|| pairwise_correlation(&columns[j], &outcome_column, &weights)),
                performance: performance[j],
                n: columns[j]
                    .iter()
                    .zip(&rows)
                    .filter(|(v, _)| v.is_some())
                    .map(|(_, r)| r.weight)
                    .sum::<u64>() as usize,
                quadrant,
                excluded: excluded[j],
                importance_ci: None,
                share_ci: None,
            }
        })
        .collect();

    Ok(DriverAnalysis {
        r_squared,
        method,
        n_rows: total as usize,
        n_complete,
        mean_importance,
        mean_performance,
        drivers: results,
    })
}

/// How importance intervals are bootstrapped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    /// Resamples (each reruns the whole analysis).
    pub resamples: usize,
    /// Two-sided confidence level of the percentile intervals, in (0, 1).
    pub confidence: f64,
    /// The resampling seed: the same data and seed give the same intervals.
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            resamples: 200,
            confidence: 0.95,
            seed: 0x5EED_D21E,
        }
    }
}

/// [`analyze`], with a bootstrap interval for every importance and share, and quadrants that
/// never put two drivers with overlapping importance intervals on different sides of the
/// importance split (see the module documentation).
pub fn analyze_with_intervals(
    drivers: &[Driver],
    rows: &[Row],
    boot: &Bootstrap,
) -> Result<DriverAnalysis, DriverError> {
    let mut analysis = analyze(drivers, rows)?;
    let live: Vec<&Row> = rows.iter().filter(|r| r.weight > 0).collect();
    // The Poisson bootstrap: each of a row's `weight` respondents is drawn Poisson(1)
    // times, so the row's new weight is Poisson(weight). Its cost follows the distinct rows,
    // not the respondents, and for large samples it matches the classic bootstrap.
    let poissons: Vec<Poisson<f64>> = match live
        .iter()
        .map(|r| Poisson::new(r.weight as f64))
        .collect::<Result<_, _>>()
    {
        Ok(p) => p,
        Err(_) => return Ok(analysis),
    };
    let k = drivers.len();
    let resamples = resamples_within_budget(boot.resamples, live.len(), k);
    let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
    let mut importance: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut share: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut counts = vec![0u64; live.len()];
    for _ in 0..resamples {
        for (c, p) in counts.iter_mut().zip(&poissons) {
            *c = p.sample(&mut rng) as u64;
        }
        let resample: Vec<Row> = live
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c > 0)
            .map(|(r, c)| Row::weighted(r.outcome, r.drivers.clone(), *c))
            .collect();
        // A resample that cannot be analysed (all outcomes alike, too few complete rows)
        // is skipped; the interval then rests on the others.
        let Ok(b) = analyze(drivers, &resample) else {
            continue;
        };
        for (j, d) in b.drivers.iter().enumerate() {
            importance[j].push(d.importance);
            share[j].push(d.share.unwrap_or(0.0));
        }
    }
    let alpha = (1.0 - boot.confidence.clamp(0.5, 0.999)) / 2.0;
    // Intervals only when nearly every resample could be analysed.
    let enough = resamples.saturating_mul(9) / 10;
    for (j, d) in analysis.drivers.iter_mut().enumerate() {
        if d.excluded.is_some() || importance[j].len() < enough.max(2) {
            continue;
        }
        // A percentile interval can miss the estimate when it sits at a bound (a driver
        // that explains everything here explains a little less in most resamples): it is
        // widened to contain it.
        let around = |(lo, hi): (f64, f64), est: f64| (lo.min(est), hi.max(est));
        d.importance_ci = Some(around(
            percentile_interval(&mut importance[j], alpha),
            d.importance,
        ));
        d.share_ci = d
            .share
            .map(|s| around(percentile_interval(&mut share[j], alpha), s));
    }
    separate_by_intervals(&mut analysis);
    Ok(analysis)
}

/// About how much arithmetic all the resamples of one report may take: a resample reads
/// every distinct row for the correlations (rows × (k + 1)²) and evaluates 2^k subsets
/// (each about k² for its R²). Large analyses get fewer resamples, never fewer than
/// [`MIN_RESAMPLES`], so a report stays interactive; the count depends only on the data's
/// shape, so the same data always gives the same intervals.
const RESAMPLE_WORK: f64 = 60e6;
/// The fewest resamples a percentile interval rests on.
pub const MIN_RESAMPLES: usize = 40;

fn resamples_within_budget(wanted: usize, rows: usize, k: usize) -> usize {
    let k1 = (k + 1) as f64;
    let per = rows as f64 * k1 * k1 + (1u64 << k) as f64 * k1 * k1;
    let fit = (RESAMPLE_WORK / per.max(1.0)) as usize;
    wanted.min(fit.max(MIN_RESAMPLES))
}

/// The `alpha` and `1 − alpha` percentiles of `values` (sorted here).
fn percentile_interval(values: &mut [f64], alpha: f64) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize];
    (at(alpha), at(1.0 - alpha))
}

/// Quadrants from groups of drivers whose importance intervals overlap: a group is on the
/// important side when its mean importance reaches the drivers' mean importance, so drivers
/// that cannot be told apart share a side. Drivers without an interval keep their quadrant.
fn separate_by_intervals(a: &mut DriverAnalysis) {
    let with_ci: Vec<usize> = (0..a.drivers.len())
        .filter(|&j| a.drivers[j].quadrant.is_some() && a.drivers[j].importance_ci.is_some())
        .collect();
    // Connected components of "intervals overlap" (at most 15 drivers: pairs suffice).
    let mut group: Vec<usize> = (0..with_ci.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for x in 0..with_ci.len() {
        for y in x + 1..with_ci.len() {
            let (a0, a1) = a.drivers[with_ci[x]].importance_ci.expect("filtered above");
            let (b0, b1) = a.drivers[with_ci[y]].importance_ci.expect("filtered above");
            if a0 <= b1 && b0 <= a1 {
                let (rx, ry) = (root(&mut group, x), root(&mut group, y));
                group[rx] = ry;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (x, &j) in with_ci.iter().enumerate() {
        let r = root(&mut group, x);
        groups.entry(r).or_default().push(j);
    }
    for g in groups.into_values() {
        let mean = g.iter().map(|&j| a.drivers[j].importance).sum::<f64>() / g.len() as f64;
        let important = mean >= a.mean_importance - QUADRANT_TOLERANCE;
        for j in g {
            let d = &mut a.drivers[j];
            if let Some(p) = d.performance {
                d.quadrant = Some(Quadrant::of(
                    important,
                    p >= a.mean_performance - QUADRANT_TOLERANCE,
                ));
            }
        }
    }
}

/// Whether every value is equal (exactly: a constant column needs no tolerance).
fn is_constant(mut values: impl Iterator<Item = f64>) -> bool {
    match values.next() {
        None => true,
        Some(first) => values.all(|v| v == first),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The mean of the present values, each counted `weight` times.
fn weighted_mean(values: &[Option<f64>], weights: &[f64]) -> Option<f64> {
    let (sum, n) = values
        .iter()
        .zip(weights)
        .filter_map(|(v, w)| Some(((*v)?, *w)))
        .fold((0.0, 0.0), |(s, n), (v, w)| (s + v * w, n + w));
    (n > 0.0).then(|| sum / n)
}

/// Pearson correlation over the rows where both are present (two-pass, for accuracy).
/// 0 when either is constant over those rows, so that variable explains nothing.
fn pairwise_correlation(x: &[Option<f64>], y: &[Option<f64>], weights: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64, f64)> = x
        .iter()
        .zip(y)
        .zip(weights)
        .filter_map(|((a, b), w)| Some(((*a)?, (*b)?, *w)))
        .collect();
    correlation(&pairs)
}

/// Weighted Pearson correlation of `(x, y, weight)` triples.
fn correlation(pairs: &[(f64, f64, f64)]) -> f64 {
    if is_constant(pairs.iter().map(|p| p.0)) || is_constant(pairs.iter().map(|p| p.1)) {
        return 0.0;
    }
    let n: f64 = pairs.iter().map(|p| p.2).sum();
    let mx = pairs.iter().map(|p| p.0 * p.2).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1 * p.2).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y, w) in pairs {
        let (dx, dy) = (x - mx, y - my);
        sxy += w * dx * dy;
        sxx += w * dx * dx;
        syy += w * dy * dy;
    }
    let d = (sxx * syy).sqrt();
    if d > 0.0 {
        (sxy / d).clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

/// The correlation matrix of `variables`: pairwise complete, or over `rows` only.
fn correlation_matrix(
    variables: &[&[Option<f64>]],
    weights: &[f64],
    rows: Option<&[usize]>,
) -> Vec<Vec<f64>> {
    let m = variables.len();
    let mut corr = vec![vec![0.0; m]; m];
    for a in 0..m {
        corr[a][a] = 1.0;
        for b in 0..a {
            let r = match rows {
                None => pairwise_correlation(variables[a], variables[b], weights),
                Some(rows) => {
                    let pairs: Vec<(f64, f64, f64)> = rows
                        .iter()
                        .filter_map(|&i| Some((variables[a][i]?, variables[b][i]?, weights[i])))
                        .collect();
                    correlation(&pairs)
                }
            };
            corr[a][b] = r;
            corr[b][a] = r;
        }
    }
    corr
}

/// The smallest eigenvalue of a symmetric matrix, by cyclic Jacobi rotations.
fn min_eigenvalue(matrix: &[Vec<f64>]) -> f64 {
    let m = matrix.len();
    let mut a = matrix.to_vec();
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|p| (0..m).filter(move |&q| q != p).map(move |q| (p, q)))
            .map(|(p, q)| a[p][q] * a[p][q])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, algorithm 8.4.1).
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A ← Jᵀ A J: rotate columns p and q, then rows p and q.
                for row in a.iter_mut() {
                    let (arp, arq) = (row[p], row[q]);
                    row[p] = c * arp - s * arq;
                    row[q] = s * arp + c * arq;
                }
                let (row_p, row_q) = (a[p].clone(), a[q].clone());
                for (r, (apr, aqr)) in row_p.into_iter().zip(row_q).enumerate() {
                    a[p][r] = c * apr - s * aqr;
                    a[q][r] = s * apr + c * aqr;
                }
            }
        }
    }
    (0..m).map(|i| a[i][i]).fold(f64::INFINITY, f64::min)
}

/// R² of the regression of the last variable of `corr` on the drivers in `subset` (a bit
/// set over the other variables), by Cholesky elimination of the drivers from the
/// augmented correlation matrix: what remains on the outcome's diagonal is 1 − R².
/// A driver whose pivot vanishes is a linear combination of those before it and is
/// skipped, which gives the R² of the projection onto the drivers' span.
fn r_squared(corr: &[Vec<f64>], subset: u32) -> f64 {
    let y = corr.len() - 1;
    let mut idx: Vec<usize> = (0..y).filter(|&j| subset & (1 << j) != 0).collect();
    idx.push(y);
    let m = idx.len();
    let mut a: Vec<Vec<f64>> = idx
        .iter()
        .map(|&r| idx.iter().map(|&c| corr[r][c]).collect())
        .collect();
    for p in 0..m - 1 {
        let pivot = a[p][p];
        if pivot <= PIVOT_TOLERANCE {
            continue;
        }
        // Schur complement: subtract the pivot row's share from every later row.
        let (done, rest) = a.split_at_mut(p + 1);
        let pivot_row = &done[p];
        for row in rest {
            let factor = row[p] / pivot;
            if factor == 0.0 {
                continue;
            }
            for (x, &v) in row[p + 1..].iter_mut().zip(&pivot_row[p + 1..]) {
                *x -= factor * v;
            }
        }
    }
    (1.0 - a[m - 1][m - 1]).clamp(0.0, 1.0)
}

/// Shapley decomposition of the full model's R² over the drivers (every variable of `corr`
/// but the last): each driver's marginal R² averaged over all orderings, summed over
/// subsets with the weight |S|! (k − |S| − 1)! / k!.
fn shapley_importance(corr: &[Vec<f64>]) -> Vec<f64> {
    let k = corr.len() - 1;
    if k == 0 {
        return Vec::new();
    }
    let subsets = 1u32 << k;
    let r2: Vec<f64> = (0..subsets).map(|s| r_squared(corr, s)).collect();
    let factorial: Vec<f64> = (0..=k)
        .scan(1.0, |f, i| {
            if i > 0 {
                *f *= i as f64;
            }
            Some(*f)
        })
        .collect();
    let weight: Vec<f64> = (0..k)
        .map(|s| factorial[s] * factorial[k - s - 1] / factorial[k])
        .collect();
    (0..k)
        .map(|j| {
            let bit = 1u32 << j;
            (0..subsets)
                .filter(|s| s & bit == 0)
                .map(|s| {
                    weight[s.count_ones() as usize] * (r2[(s | bit) as usize] - r2[s as usize])
                })
                .sum()
        })
        .collect()
}
