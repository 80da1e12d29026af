//! Key-driver analysis on fixtures whose answers are known by construction, one case checked
//! against an independent numpy computation, and property tests of the invariants.
//!
//! Most fixtures are built from the columns of an 8×8 Hadamard matrix: ±1 vectors with mean
//! zero that are exactly orthogonal, so drivers built from different columns are
//! uncorrelated and every subset's R² is the sum of the squared correlations.

use proptest::prelude::*;
use puls_core::drivers::{
    DriverAnalysis, DriverError, Excluded, MAX_DRIVERS, MissingData, Quadrant, Row, Scale, analyze,
};

const EPS: f64 = 1e-9;

/// Column `j` (1..=7) of the Sylvester–Hadamard matrix of order 8.
fn h(j: usize) -> [f64; 8] {
    std::array::from_fn(|i| {
        if (i & j).count_ones().is_multiple_of(2) {
            1.0
        } else {
            -1.0
        }
    })
}

fn driver(name: &str, min: f64, max: f64) -> puls_core::drivers::Driver {
    puls_core::drivers::Driver::new(name, Scale::new(min, max).unwrap())
}

/// Rows from an outcome column and complete driver columns.
fn rows(outcome: &[f64], drivers: &[&[f64]]) -> Vec<Row> {
    (0..outcome.len())
        .map(|i| {
            Row::new(
                outcome[i],
                drivers.iter().map(|d| Some(d[i])).collect::<Vec<_>>(),
            )
        })
        .collect()
}

fn add(columns: &[(f64, [f64; 8])], constant: f64) -> [f64; 8] {
    std::array::from_fn(|i| constant + columns.iter().map(|(b, c)| b * c[i]).sum::<f64>())
}

fn importances(a: &DriverAnalysis) -> Vec<f64> {
    a.drivers.iter().map(|d| d.importance).collect()
}

fn assert_close(actual: &[f64], expected: &[f64], tolerance: f64) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() < tolerance, "[{i}]: {a} vs {e}\n{actual:?}");
    }
}

#[test]
fn an_outcome_built_from_one_driver_gives_it_all_of_r_squared() {
    // outcome = 2·d1 + 0·d2, d1 and d2 uncorrelated, no noise.
    let d1 = add(&[(1.0, h(1))], 3.0);
    let d2 = add(&[(1.0, h(2))], 3.0);
    let y = d1.map(|v| 2.0 * v);
    let a = analyze(
        &[driver("d1", 1.0, 5.0), driver("d2", 1.0, 5.0)],
        &rows(&y, &[&d1, &d2]),
    )
    .unwrap();
    assert!((a.r_squared - 1.0).abs() < EPS);
    assert_close(&importances(&a), &[1.0, 0.0], EPS);
    let shares: Vec<f64> = a.drivers.iter().map(|d| d.share.unwrap()).collect();
    assert_close(&shares, &[100.0, 0.0], 1e-7);
    assert_close(
        &a.drivers
            .iter()
            .map(|d| d.correlation.unwrap())
            .collect::<Vec<_>>(),
        &[1.0, 0.0],
        EPS,
    );
    assert_eq!(a.method, MissingData::Pairwise);
    assert_eq!((a.n_rows, a.n_complete), (8, 8));
}

#[test]
fn a_correlated_but_irrelevant_driver_gets_half_its_squared_correlation() {
    // outcome = 2·d1 with d1 = h1 + h2 and d2 = h2, so r(d1, d2)² = 1/2. Shapley credits d2
    // with half of the R² it explains alone: (R²({d2}) − 0)/2 + (R²({d1,d2}) − R²({d1}))/2
    // = (1/2)/2 + 0 = 1/4. This is the documented cost of splitting shared variance fairly.
    let d1 = add(&[(1.0, h(1)), (1.0, h(2))], 3.0);
    let d2 = add(&[(1.0, h(2))], 3.0);
    let y = d1.map(|v| 2.0 * v);
    let a = analyze(
        &[driver("d1", 1.0, 5.0), driver("d2", 1.0, 5.0)],
        &rows(&y, &[&d1, &d2]),
    )
    .unwrap();
    assert!((a.r_squared - 1.0).abs() < EPS);
    assert_close(&importances(&a), &[0.75, 0.25], EPS);
}

#[test]
fn two_identical_drivers_split_their_importance_equally() {
    // outcome = h1 + h2: d1 = d2 = h1 explain half of it; d3 is a rescaled copy of d1.
    let d1 = add(&[(1.0, h(1))], 3.0);
    let d3 = d1.map(|v| 2.0 * v + 1.0);
    let y = add(&[(1.0, h(1)), (1.0, h(2))], 5.0);
    let a = analyze(
        &[driver("d1", 1.0, 5.0), driver("d2", 1.0, 5.0)],
        &rows(&y, &[&d1, &d1]),
    )
    .unwrap();
    assert!((a.r_squared - 0.5).abs() < EPS);
    assert_close(&importances(&a), &[0.25, 0.25], EPS);

    let b = analyze(
        &[
            driver("d1", 1.0, 5.0),
            driver("d2", 1.0, 5.0),
            driver("d3", 3.0, 11.0),
        ],
        &rows(&y, &[&d1, &d1, &d3]),
    )
    .unwrap();
    assert!((b.r_squared - 0.5).abs() < EPS);
    assert_close(&importances(&b), &[0.5 / 3.0; 3], EPS);
}

/// Three uncorrelated drivers on different scales and variances, plus orthogonal noise:
/// outcome = 1.5·d1 + 0.5·d2 + 2·d3 + h4 = const + 3·h1 + 2·h2 + 1·h3 + 1·h4.
/// The variance parts are 9, 4, 1 and 1 (noise) of 15, so the squared standardized
/// coefficients are 9/15, 4/15 and 1/15 and R² = 14/15.
fn independent_fixture() -> ([f64; 8], [f64; 8], [f64; 8], [f64; 8]) {
    let d1 = add(&[(2.0, h(1))], 3.0); // 1 or 5
    let d2 = add(&[(4.0, h(2))], 5.0); // 1 or 9
    let d3 = add(&[(0.5, h(3))], 4.0); // 3.5 or 4.5
    let y: [f64; 8] = std::array::from_fn(|i| 1.5 * d1[i] + 0.5 * d2[i] + 2.0 * d3[i] + h(4)[i]);
    (y, d1, d2, d3)
}

fn independent_drivers() -> Vec<puls_core::drivers::Driver> {
    vec![
        driver("d1", 1.0, 5.0),
        driver("d2", 0.0, 10.0),
        driver("d3", 1.0, 5.0),
    ]
}

#[test]
fn for_independent_drivers_importance_is_the_squared_standardized_coefficient() {
    let (y, d1, d2, d3) = independent_fixture();
    let a = analyze(&independent_drivers(), &rows(&y, &[&d1, &d2, &d3])).unwrap();
    assert!((a.r_squared - 14.0 / 15.0).abs() < EPS);
    assert_close(&importances(&a), &[9.0 / 15.0, 4.0 / 15.0, 1.0 / 15.0], EPS);
    let shares: Vec<f64> = a.drivers.iter().map(|d| d.share.unwrap()).collect();
    assert_close(&shares, &[900.0 / 14.0, 400.0 / 14.0, 100.0 / 14.0], 1e-7);
    assert!((shares.iter().sum::<f64>() - 100.0).abs() < 1e-9);
    let correlations: Vec<f64> = a.drivers.iter().map(|d| d.correlation.unwrap()).collect();
    let expected = [9.0f64, 4.0, 1.0].map(|v| (v / 15.0).sqrt());
    assert_close(&correlations, &expected, EPS);
    // Performance: means 3, 5 and 4 on scales 1–5, 0–10 and 1–5.
    let performance: Vec<f64> = a.drivers.iter().map(|d| d.performance.unwrap()).collect();
    assert_close(&performance, &[50.0, 50.0, 75.0], EPS);
}

#[test]
fn a_perfect_fit_on_correlated_drivers_has_r_squared_1() {
    let d1 = [1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 3.0, 1.0, 4.0, 5.0];
    let d2 = [2.0, 2.0, 3.0, 5.0, 4.0, 1.0, 3.0, 2.0, 5.0, 4.0];
    let d3 = [1.0, 3.0, 2.0, 4.0, 5.0, 1.0, 2.0, 2.0, 3.0, 5.0];
    let y: Vec<f64> = (0..10).map(|i| d1[i] + 2.0 * d2[i] - d3[i]).collect();
    let a = analyze(
        &[
            driver("d1", 1.0, 5.0),
            driver("d2", 1.0, 5.0),
            driver("d3", 1.0, 5.0),
        ],
        &rows(&y, &[&d1, &d2, &d3]),
    )
    .unwrap();
    assert!((a.r_squared - 1.0).abs() < EPS);
    let sum: f64 = a.drivers.iter().map(|d| d.share.unwrap()).sum();
    assert!((sum - 100.0).abs() < 1e-9);
}

#[test]
fn quadrants_follow_importance_and_performance_against_their_means() {
    // Importances 9, 9, 1, 1 (of 21 with noise); performances 25, 75, 75, 25 on a 1–5 scale.
    let d1 = add(&[(1.0, h(1))], 2.0);
    let d2 = add(&[(1.0, h(2))], 4.0);
    let d3 = add(&[(1.0, h(3))], 4.0);
    let d4 = add(&[(1.0, h(4))], 2.0);
    let y = add(
        &[
            (3.0, h(1)),
            (3.0, h(2)),
            (1.0, h(3)),
            (1.0, h(4)),
            (1.0, h(5)),
        ],
        5.0,
    );
    let names = ["slow delivery", "checkout", "website", "packaging"];
    let drivers: Vec<_> = names.iter().map(|n| driver(n, 1.0, 5.0)).collect();
    let a = analyze(&drivers, &rows(&y, &[&d1, &d2, &d3, &d4])).unwrap();
    assert_close(
        &importances(&a),
        &[9.0 / 21.0, 9.0 / 21.0, 1.0 / 21.0, 1.0 / 21.0],
        EPS,
    );
    assert!((a.mean_importance - 5.0 / 21.0).abs() < EPS);
    assert!((a.mean_performance - 50.0).abs() < EPS);
    let quadrants: Vec<_> = a.drivers.iter().map(|d| d.quadrant.unwrap()).collect();
    assert_eq!(
        quadrants,
        [
            Quadrant::FixFirst,
            Quadrant::KeepUp,
            Quadrant::Maintain,
            Quadrant::LowerPriority
        ]
    );
    assert_eq!(Quadrant::FixFirst.to_string(), "fix first");
    assert_eq!(Quadrant::LowerPriority.as_str(), "lower_priority");
}

#[test]
fn drivers_of_equal_importance_and_performance_share_a_quadrant() {
    let d1 = add(&[(1.0, h(1))], 3.0);
    let y = add(&[(1.0, h(1)), (1.0, h(2))], 5.0);
    let a = analyze(
        &[driver("d1", 1.0, 5.0), driver("d2", 1.0, 5.0)],
        &rows(&y, &[&d1, &d1]),
    )
    .unwrap();
    assert_eq!(a.drivers[0].quadrant, Some(Quadrant::KeepUp));
    assert_eq!(a.drivers[1].quadrant, Some(Quadrant::KeepUp));
}

#[test]
fn missing_answers_use_pairwise_correlations_and_report_n_per_driver() {
    // The independent fixture twice; d2 is unanswered in the second copy. Each pairwise
    // correlation is then taken over whole copies of the design, so the result is the same
    // as with complete data.
    let (y, d1, d2, d3) = independent_fixture();
    let mut data = rows(&y, &[&d1, &d2, &d3]);
    let mut second = rows(&y, &[&d1, &d2, &d3]);
    for row in &mut second {
        row.drivers[1] = None;
    }
    data.extend(second);
    let a = analyze(&independent_drivers(), &data).unwrap();
    assert_eq!(a.method, MissingData::Pairwise);
    assert_eq!((a.n_rows, a.n_complete), (16, 8));
    assert_eq!(
        a.drivers.iter().map(|d| d.n).collect::<Vec<_>>(),
        [16, 8, 16]
    );
    assert!((a.r_squared - 14.0 / 15.0).abs() < EPS);
    assert_close(&importances(&a), &[9.0 / 15.0, 4.0 / 15.0, 1.0 / 15.0], EPS);
}

#[test]
fn an_indefinite_pairwise_matrix_falls_back_to_listwise_deletion() {
    // Pairwise: r(y, d1) = 1 (rows 0–3 and 8–11), r(y, d2) = 0 (rows 4–11), r(d1, d2) = −1
    // (rows 8–11). No three variables can correlate like that: the matrix has a negative
    // eigenvalue. Listwise keeps rows 8–11, where d2 = 5 − d1 and y = d1, so R² = 1 and the
    // two collinear drivers split it equally.
    let s = [1.0, 2.0, 3.0, 4.0];
    let mut data = Vec::new();
    data.extend(s.iter().map(|&v| Row::new(v, vec![Some(v), None])));
    data.extend(s.iter().map(|&v| Row::new(v, vec![None, Some(v)])));
    data.extend(s.iter().map(|&v| Row::new(v, vec![Some(v), Some(5.0 - v)])));
    let drivers = [driver("d1", 1.0, 5.0), driver("d2", 1.0, 5.0)];
    let a = analyze(&drivers, &data).unwrap();
    assert_eq!(a.method, MissingData::Listwise);
    assert_eq!(a.n_complete, 4);
    assert!((a.r_squared - 1.0).abs() < EPS);
    assert_close(&importances(&a), &[0.5, 0.5], EPS);
    // Correlations and n stay pairwise: they describe each driver on its own answers.
    assert_eq!(a.drivers.iter().map(|d| d.n).collect::<Vec<_>>(), [8, 8]);
    assert!((a.drivers[0].correlation.unwrap() - 1.0).abs() < EPS);
    assert!(a.drivers[1].correlation.unwrap().abs() < EPS);
}

#[test]
fn a_constant_or_unanswered_driver_is_flagged_with_importance_0() {
    let (y, d1, d2, d3) = independent_fixture();
    let constant = [4.0; 8];
    let mut data = rows(&y, &[&d1, &d2, &d3, &constant]);
    for row in &mut data {
        row.drivers.push(None);
    }
    let mut drivers = independent_drivers();
    drivers.push(driver("always 4", 1.0, 5.0));
    drivers.push(driver("never asked", 1.0, 5.0));
    let a = analyze(&drivers, &data).unwrap();

    let flat = &a.drivers[3];
    assert_eq!(flat.excluded, Some(Excluded::Constant));
    assert_eq!(flat.importance, 0.0);
    assert_eq!(flat.share, Some(0.0));
    assert_eq!(flat.correlation, None);
    assert_eq!(flat.quadrant, None);
    assert_eq!(flat.performance, Some(75.0));
    assert_eq!(flat.n, 8);

    let unasked = &a.drivers[4];
    assert_eq!(unasked.excluded, Some(Excluded::NoAnswers));
    assert_eq!((unasked.performance, unasked.n), (None, 0));

    // The other drivers are unaffected, and the complete-row count ignores excluded drivers.
    assert_eq!(a.n_complete, 8);
    assert_close(
        &importances(&a),
        &[9.0 / 15.0, 4.0 / 15.0, 1.0 / 15.0, 0.0, 0.0],
        EPS,
    );
}

#[test]
fn only_constant_drivers_give_an_empty_model() {
    let y = add(&[(1.0, h(1))], 3.0);
    let a = analyze(&[driver("flat", 1.0, 5.0)], &rows(&y, &[&[2.0; 8]])).unwrap();
    assert_eq!(a.r_squared, 0.0);
    assert_eq!(a.drivers[0].share, None);
    assert_eq!(a.drivers[0].quadrant, None);
}

#[test]
fn degenerate_inputs_are_errors() {
    let d = [driver("d1", 1.0, 5.0), driver("d2", 1.0, 5.0)];
    assert_eq!(analyze(&[], &[]), Err(DriverError::NoDrivers));

    let many: Vec<_> = (0..=MAX_DRIVERS)
        .map(|i| driver(&format!("d{i}"), 1.0, 5.0))
        .collect();
    assert_eq!(
        analyze(&many, &[]),
        Err(DriverError::TooManyDrivers { given: 16, max: 15 })
    );

    let short = [Row::new(1.0, vec![Some(1.0)])];
    assert_eq!(
        analyze(&d, &short),
        Err(DriverError::RowLength {
            row: 0,
            expected: 2,
            found: 1
        })
    );

    let nan = [
        Row::new(1.0, vec![Some(1.0), Some(2.0)]),
        Row::new(2.0, vec![Some(f64::NAN), None]),
    ];
    assert_eq!(analyze(&d, &nan), Err(DriverError::NotFinite { row: 1 }));

    assert_eq!(
        analyze(&d, &[]),
        Err(DriverError::TooFewRows {
            complete: 0,
            needed: 4
        })
    );
    let flat = rows(&[7.0; 8], &[&h(1), &h(2)]);
    assert_eq!(analyze(&d, &flat), Err(DriverError::ConstantOutcome));

    // Two drivers need four complete rows; the fourth row misses d2.
    let few = [
        Row::new(1.0, vec![Some(1.0), Some(2.0)]),
        Row::new(2.0, vec![Some(2.0), Some(1.0)]),
        Row::new(3.0, vec![Some(3.0), Some(3.0)]),
        Row::new(4.0, vec![Some(4.0), None]),
    ];
    assert_eq!(
        analyze(&d, &few),
        Err(DriverError::TooFewRows {
            complete: 3,
            needed: 4
        })
    );

    assert_eq!(
        Scale::new(5.0, 1.0),
        Err(DriverError::InvalidScale { min: 5.0, max: 1.0 })
    );
    assert!(Scale::new(1.0, f64::INFINITY).is_err());
}

#[test]
fn a_messy_case_matches_an_independent_numpy_computation() {
    // Reference computed in Python with numpy (throwaway script, not committed): for every
    // subset S of the drivers, R²(S) = 1 − SSE/SST from `numpy.linalg.lstsq` on [1, X_S];
    // Shapley importance_j = Σ_S |S|!(k−|S|−1)!/k! · (R²(S∪{j}) − R²(S)).
    let d1 = [4.0, 5.0, 3.0, 2.0, 5.0, 4.0, 1.0, 3.0, 4.0, 2.0, 5.0, 3.0];
    let d2 = [3.0, 5.0, 4.0, 2.0, 4.0, 4.0, 2.0, 2.0, 5.0, 1.0, 4.0, 3.0];
    let d3 = [2.0, 4.0, 3.0, 3.0, 5.0, 2.0, 1.0, 4.0, 3.0, 2.0, 3.0, 5.0];
    let d4 = [5.0, 4.0, 2.0, 1.0, 3.0, 5.0, 2.0, 3.0, 4.0, 1.0, 5.0, 2.0];
    let y = [8.0, 10.0, 6.0, 3.0, 9.0, 7.0, 2.0, 5.0, 9.0, 1.0, 10.0, 6.0];
    let drivers: Vec<_> = ["d1", "d2", "d3", "d4"]
        .iter()
        .map(|n| driver(n, 1.0, 5.0))
        .collect();
    let a = analyze(&drivers, &rows(&y, &[&d1, &d2, &d3, &d4])).unwrap();
    assert!((a.r_squared - NUMPY_R2).abs() < 1e-10, "{}", a.r_squared);
    assert_close(&importances(&a), &NUMPY_SHAPLEY, 1e-10);
}

// numpy 2.4 output for the fixture above.
const NUMPY_R2: f64 = 0.9746435104577612;
const NUMPY_SHAPLEY: [f64; 4] = [
    0.34824227537308217,
    0.30366966446844273,
    0.081478674015626,
    0.2412528966006104,
];

// Property tests.

/// Up to five drivers answered 1–5 with about a fifth missing, an outcome 0–10.
fn dataset() -> impl Strategy<Value = (usize, Vec<Row>)> {
    (1usize..=5).prop_flat_map(|k| {
        let row = (
            0u8..=10,
            prop::collection::vec(prop::option::weighted(0.8, 1u8..=5), k),
        )
            .prop_map(|(y, ds)| {
                Row::new(
                    f64::from(y),
                    ds.into_iter().map(|v| v.map(f64::from)).collect::<Vec<_>>(),
                )
            });
        (Just(k), prop::collection::vec(row, 0..40))
    })
}

proptest! {
    #[test]
    fn a_weighted_row_counts_as_that_many_identical_rows((k, data) in dataset(), w in 1u64..4) {
        let drivers: Vec<_> = (0..k).map(|i| driver(&format!("d{i}"), 1.0, 5.0)).collect();
        // Every row given `w` times, against every row once with weight `w`.
        let repeated: Vec<Row> = data
            .iter()
            .flat_map(|r| std::iter::repeat_n(r.clone(), w as usize))
            .collect();
        let weighted: Vec<Row> = data
            .iter()
            .map(|r| Row::weighted(r.outcome, r.drivers.clone(), w))
            .collect();
        match (analyze(&drivers, &repeated), analyze(&drivers, &weighted)) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.method, b.method);
                prop_assert_eq!((a.n_rows, a.n_complete), (b.n_rows, b.n_complete));
                prop_assert!((a.r_squared - b.r_squared).abs() < 1e-9);
                for (x, y) in a.drivers.iter().zip(&b.drivers) {
                    prop_assert!((x.importance - y.importance).abs() < 1e-9);
                    prop_assert_eq!(x.n, y.n);
                    prop_assert_eq!(x.quadrant, y.quadrant);
                    match (x.performance, y.performance) {
                        (Some(p), Some(q)) => prop_assert!((p - q).abs() < 1e-9),
                        (p, q) => prop_assert_eq!(p, q),
                    }
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|x| x.r_squared), b.map(|x| x.r_squared)),
        }
    }

    #[test]
    fn importances_are_non_negative_and_add_up_to_an_r_squared_in_0_1((k, data) in dataset()) {
        let drivers: Vec<_> = (0..k).map(|i| driver(&format!("d{i}"), 1.0, 5.0)).collect();
        let Ok(a) = analyze(&drivers, &data) else { return Ok(()) };
        prop_assert!((0.0..=1.0).contains(&a.r_squared));
        let total: f64 = a.drivers.iter().map(|d| d.importance).sum();
        prop_assert!((total - a.r_squared).abs() < 1e-9);
        for d in &a.drivers {
            prop_assert!(d.importance >= -1e-9, "{}", d.importance);
            prop_assert!(d.importance <= a.r_squared + 1e-9);
            if let Some(r) = d.correlation {
                prop_assert!((-1.0..=1.0).contains(&r));
            }
            if let Some(p) = d.performance {
                prop_assert!((0.0..=100.0).contains(&p));
            }
            prop_assert_eq!(d.quadrant.is_some(), d.excluded.is_none());
        }
        if a.r_squared > 1e-9 {
            let shares: f64 = a.drivers.iter().map(|d| d.share.unwrap()).sum();
            prop_assert!((shares - 100.0).abs() < 1e-6, "{}", shares);
        }
    }

    #[test]
    fn reordering_the_drivers_reorders_the_importances((k, data) in dataset()) {
        let drivers: Vec<_> = (0..k).map(|i| driver(&format!("d{i}"), 1.0, 5.0)).collect();
        let reversed_rows: Vec<Row> = data
            .iter()
            .map(|r| Row::new(r.outcome, r.drivers.iter().rev().copied().collect::<Vec<_>>()))
            .collect();
        let reversed_drivers: Vec<_> = drivers.iter().rev().cloned().collect();
        let (Ok(a), Ok(b)) = (analyze(&drivers, &data), analyze(&reversed_drivers, &reversed_rows))
        else { return Ok(()) };
        prop_assert_eq!(a.method, b.method);
        for (x, y) in a.drivers.iter().zip(b.drivers.iter().rev()) {
            prop_assert!((x.importance - y.importance).abs() < 1e-9);
        }
    }
}

#[test]
fn the_largest_model_of_15_independent_drivers_is_decomposed_exactly() {
    // The 15 non-constant columns of the 16×16 Hadamard matrix, each row twice (so there are
    // more than 15 + 2 complete rows), and outcome = Σ j·h_j: importance_j = j² / Σ i².
    let column = |j: usize| -> Vec<f64> {
        (0..32)
            .map(|i| {
                if ((i % 16) & j).count_ones().is_multiple_of(2) {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect()
    };
    let columns: Vec<Vec<f64>> = (1..=MAX_DRIVERS).map(column).collect();
    let y: Vec<f64> = (0..32)
        .map(|i| {
            (1..=MAX_DRIVERS)
                .map(|j| j as f64 * columns[j - 1][i])
                .sum()
        })
        .collect();
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let drivers: Vec<_> = (1..=MAX_DRIVERS)
        .map(|j| driver(&format!("d{j}"), -1.0, 1.0))
        .collect();
    let a = analyze(&drivers, &rows(&y, &refs)).unwrap();
    let total: f64 = (1..=MAX_DRIVERS).map(|j| (j * j) as f64).sum();
    let expected: Vec<f64> = (1..=MAX_DRIVERS).map(|j| (j * j) as f64 / total).collect();
    assert!((a.r_squared - 1.0).abs() < EPS);
    assert_close(&importances(&a), &expected, EPS);
}

/// `n` respondents rating four drivers 1–5 and an outcome 0–10 built from them with noise:
/// two drivers of nearly equal weight near the mean importance, one strong, one weak.
fn noisy_rows(n: usize, seed: u64) -> Vec<Row> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let d: Vec<f64> = (0..4).map(|_| rng.random_range(1..=5) as f64).collect();
            let noise: f64 = (0..6).map(|_| rng.random::<f64>()).sum::<f64>() - 3.0;
            let y = 0.9 * d[0] + 0.5 * d[1] + 0.5 * d[2] + 0.1 * d[3] + 1.2 * noise;
            Row::new(
                y.clamp(0.0, 10.0).round(),
                d.into_iter().map(Some).collect::<Vec<_>>(),
            )
        })
        .collect()
}

fn four_drivers() -> Vec<puls_core::drivers::Driver> {
    ["speed", "courier", "tracking", "packaging"]
        .iter()
        .map(|n| driver(n, 1.0, 5.0))
        .collect()
}

fn important(q: Quadrant) -> bool {
    matches!(q, Quadrant::FixFirst | Quadrant::KeepUp)
}

#[test]
fn drivers_whose_importance_intervals_overlap_are_not_split() {
    use puls_core::drivers::{Bootstrap, analyze_with_intervals};
    let drivers = four_drivers();
    let boot = Bootstrap::default();
    let mut split_before = 0;
    for seed in 0..6 {
        let rows = noisy_rows(80, seed);
        let plain = analyze(&drivers, &rows).unwrap();
        let a = analyze_with_intervals(&drivers, &rows, &boot).unwrap();
        // The point estimates are unchanged; every driver has an interval around its own.
        assert_close(&importances(&a), &importances(&plain), EPS);
        for d in &a.drivers {
            let (lo, hi) = d.importance_ci.expect("an interval");
            assert!(
                lo <= d.importance + EPS && d.importance <= hi + EPS,
                "{d:?}"
            );
            let (slo, shi) = d.share_ci.expect("a share interval");
            assert!(slo <= shi);
        }
        for (i, x) in a.drivers.iter().enumerate() {
            for y in &a.drivers[i + 1..] {
                let (x0, x1) = x.importance_ci.unwrap();
                let (y0, y1) = y.importance_ci.unwrap();
                if x0 <= y1 && y0 <= x1 {
                    assert_eq!(
                        important(x.quadrant.unwrap()),
                        important(y.quadrant.unwrap()),
                        "seed {seed}: {} and {} overlap but are split",
                        x.name,
                        y.name
                    );
                    let px = plain.drivers.iter().find(|d| d.name == x.name).unwrap();
                    let py = plain.drivers.iter().find(|d| d.name == y.name).unwrap();
                    if important(px.quadrant.unwrap()) != important(py.quadrant.unwrap()) {
                        split_before += 1;
                    }
                }
            }
        }
        // Reproducible: the same data and seed give the same intervals.
        assert_eq!(a, analyze_with_intervals(&drivers, &rows, &boot).unwrap());
    }
    assert!(
        split_before > 0,
        "the fixtures should include a pair the point estimates alone would split"
    );
}

#[test]
fn importance_intervals_narrow_as_respondents_grow() {
    use puls_core::drivers::{Bootstrap, analyze_with_intervals};
    let drivers = four_drivers();
    let width = |n: usize| {
        let a = analyze_with_intervals(&drivers, &noisy_rows(n, 7), &Bootstrap::default()).unwrap();
        let (lo, hi) = a.drivers[0].importance_ci.unwrap();
        hi - lo
    };
    let (small, large) = (width(100), width(1600));
    // The standard error falls as 1/√n: about four times narrower at 16 times the data.
    assert!(large < small / 2.5, "{small} → {large}");
}
