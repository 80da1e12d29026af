//! Kano analysis on fixtures whose answers are known by construction: every cell of the
//! evaluation table, tallies with a known dominant category, hand-computed coefficients.

use puls_core::KanoAnswer::{self, Dislike, Expect, Like, Neutral, Tolerate};
use puls_core::kano::{KanoCategory, KanoTally, classify};

/// The standard evaluation table, typed out independently of the implementation:
/// rows are functional answers, columns dysfunctional, both like/expect/neutral/tolerate/dislike.
const TABLE: [&str; 5] = ["QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ"];

#[test]
fn every_cell_of_the_evaluation_table_classifies_as_published() {
    for (f, row) in KanoAnswer::ALL.into_iter().zip(TABLE) {
        for (d, letter) in KanoAnswer::ALL.into_iter().zip(row.chars()) {
            assert_eq!(
                classify(f, d).letter(),
                letter,
                "functional {}, dysfunctional {}",
                f.as_str(),
                d.as_str()
            );
        }
    }
}

#[test]
fn the_textbook_cells_name_the_right_categories() {
    assert_eq!(classify(Like, Dislike), KanoCategory::OneDimensional);
    assert_eq!(classify(Like, Neutral), KanoCategory::Attractive);
    assert_eq!(classify(Neutral, Dislike), KanoCategory::MustBe);
    assert_eq!(classify(Expect, Dislike), KanoCategory::MustBe);
    assert_eq!(classify(Neutral, Neutral), KanoCategory::Indifferent);
    assert_eq!(classify(Dislike, Like), KanoCategory::Reverse);
    assert_eq!(classify(Tolerate, Like), KanoCategory::Reverse);
    assert_eq!(classify(Like, Like), KanoCategory::Questionable);
    assert_eq!(classify(Dislike, Dislike), KanoCategory::Questionable);
}

#[test]
fn every_category_is_reachable_and_the_table_counts_match() {
    let mut tally = KanoTally::new();
    for f in KanoAnswer::ALL {
        for d in KanoAnswer::ALL {
            tally.add(f, d);
        }
    }
    // From the table: A 3, O 1, M 3, I 9, R 7, Q 2.
    let counts: Vec<u64> = KanoCategory::ALL.map(|c| tally.count(c)).to_vec();
    assert_eq!(counts, [3, 1, 3, 9, 7, 2]);
    assert_eq!(tally.n(), 25);
}

/// A feature answered by 20 respondents: 8 must-be, 5 one-dimensional, 4 attractive,
/// 2 indifferent, 1 questionable.
fn must_be_feature() -> KanoTally {
    let mut pairs = Vec::new();
    pairs.extend(std::iter::repeat_n((Neutral, Dislike), 8));
    pairs.extend(std::iter::repeat_n((Like, Dislike), 5));
    pairs.extend(std::iter::repeat_n((Like, Neutral), 4));
    pairs.extend(std::iter::repeat_n((Expect, Tolerate), 2));
    pairs.push((Like, Like));
    pairs.into_iter().collect()
}

#[test]
fn a_tally_reports_counts_shares_and_the_dominant_category() {
    let tally = must_be_feature();
    assert_eq!(tally.n(), 20);
    assert_eq!(tally.dominant(), Some(KanoCategory::MustBe));
    let shares = tally.shares().unwrap();
    let expected = [20.0, 25.0, 40.0, 10.0, 0.0, 5.0];
    for ((category, share), want) in shares.into_iter().zip(expected) {
        assert!((share - want).abs() < 1e-12, "{category:?}: {share}");
    }
    assert!((shares.iter().map(|s| s.1).sum::<f64>() - 100.0).abs() < 1e-9);
    // 40 % must-be against 25 % one-dimensional.
    assert!((tally.category_strength().unwrap() - 15.0).abs() < 1e-12);
}

#[test]
fn better_and_worse_match_hand_computed_values() {
    let tally = must_be_feature();
    // A + O + M + I = 4 + 5 + 8 + 2 = 19; the questionable answer is left out.
    assert_eq!(tally.n_for_coefficients(), 19);
    // Better = (4 + 5) / 19, Worse = −(5 + 8) / 19.
    assert!((tally.better().unwrap() - 9.0 / 19.0).abs() < 1e-15);
    assert!((tally.worse().unwrap() + 13.0 / 19.0).abs() < 1e-15);
}

#[test]
fn a_purely_one_dimensional_feature_has_better_1_and_worse_minus_1() {
    let tally: KanoTally = std::iter::repeat_n((Like, Dislike), 7).collect();
    assert_eq!(tally.better(), Some(1.0));
    assert_eq!(tally.worse(), Some(-1.0));
    assert_eq!(tally.dominant(), Some(KanoCategory::OneDimensional));
    assert_eq!(tally.category_strength(), Some(100.0));
}

#[test]
fn a_rollup_of_the_25_cells_gives_the_same_tally_as_single_answers() {
    let mut cells = [[0u64; 5]; 5];
    cells[2][4] = 8; // neutral / dislike: M
    cells[0][4] = 5; // like / dislike: O
    cells[0][2] = 4; // like / neutral: A
    cells[1][3] = 2; // expect / tolerate: I
    cells[0][0] = 1; // like / like: Q
    assert_eq!(KanoTally::from_cells(&cells), must_be_feature());

    let mut split = KanoTally::new();
    split.add_pair(Neutral, Dislike, 8);
    let mut rest = KanoTally::new();
    rest.add_pair(Like, Dislike, 5);
    rest.add_pair(Like, Neutral, 4);
    rest.add_pair(Expect, Tolerate, 2);
    rest.add_pair(Like, Like, 1);
    split.merge(&rest);
    assert_eq!(split, must_be_feature());
}

#[test]
fn ties_for_the_dominant_category_follow_m_over_o_over_a_over_i() {
    let tie = |a: KanoCategory, b: KanoCategory| {
        let mut t = KanoTally::new();
        t.add_category(a, 3);
        t.add_category(b, 3);
        assert_eq!(t.category_strength(), Some(0.0));
        t.dominant()
    };
    use KanoCategory::*;
    assert_eq!(tie(Attractive, MustBe), Some(MustBe));
    assert_eq!(tie(MustBe, OneDimensional), Some(MustBe));
    assert_eq!(tie(Attractive, OneDimensional), Some(OneDimensional));
    assert_eq!(tie(Indifferent, Attractive), Some(Attractive));
    assert_eq!(tie(Reverse, Indifferent), Some(Indifferent));
    assert_eq!(tie(Reverse, Questionable), Some(Reverse));
}

#[test]
fn an_empty_tally_has_no_shares_dominant_or_coefficients() {
    let tally = KanoTally::new();
    assert_eq!(tally.n(), 0);
    assert_eq!(tally.shares(), None);
    assert_eq!(tally.share(KanoCategory::Attractive), None);
    assert_eq!(tally.dominant(), None);
    assert_eq!(tally.category_strength(), None);
    assert_eq!(tally.better(), None);
    assert_eq!(tally.worse(), None);
    assert!(tally.is_small_sample(1));
}

#[test]
fn only_reverse_and_questionable_answers_leave_the_coefficients_undefined() {
    let tally: KanoTally = [(Dislike, Like), (Dislike, Dislike)].into_iter().collect();
    assert_eq!(tally.n(), 2);
    assert_eq!(tally.better(), None);
    assert_eq!(tally.worse(), None);
    assert_eq!(tally.dominant(), Some(KanoCategory::Reverse));
}

#[test]
fn the_small_sample_flag_compares_n_with_the_minimum() {
    let tally = must_be_feature();
    assert!(tally.is_small_sample(21));
    assert!(!tally.is_small_sample(20));
    assert!(!tally.is_small_sample(0));
}
