//! Queries over small hand-made fixtures with known answers.

mod common;

use common::*;
use puls_core::kano::KanoCategory;
use puls_core::stats::QuestionProgress;
use puls_core::{Channel, KanoAnswer, Survey, Value};
use puls_index::*;

fn counts(d: &puls_core::stats::Distribution) -> Vec<u64> {
    d.counts().map(|(_, c)| c).collect()
}

fn index(facts: Vec<Fact>) -> FactIndex {
    let mut i = FactIndex::new();
    for f in facts {
        i.upsert(f).expect("valid fact");
    }
    i
}

fn nps_query(filters: Vec<Filter>, group_by: Vec<GroupBy>) -> Query {
    Query {
        question: key("nps"),
        filters,
        group_by,
    }
}

fn labels(r: &[(GroupKey, puls_core::stats::Distribution)]) -> Vec<(String, u64)> {
    r.iter()
        .map(|(k, d)| {
            let label =
                k.0.iter()
                    .map(|v| match v {
                        GroupValue::Time(t) => t.label.clone(),
                        GroupValue::Touchpoint(s)
                        | GroupValue::Survey(s)
                        | GroupValue::Locale(s) => s.clone(),
                        GroupValue::Channel(c) => c.as_str().to_string(),
                        GroupValue::Choice(o) | GroupValue::Attribute(o) => {
                            o.clone().unwrap_or_else(|| "-".into())
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
            (label, d.n())
        })
        .collect()
}

fn pairs(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

#[test]
fn counts_per_touchpoint_and_channel_filter() {
    let i = index(vec![
        nps_fact("a", "2025-05-01T10:00:00Z", "checkout", 10),
        nps_fact("b", "2025-05-01T11:00:00Z", "checkout", 3),
        with_channel(
            nps_fact("c", "2025-05-02T10:00:00Z", "delivery", 9),
            Channel::Email,
        ),
    ]);
    let r = i
        .query(&nps_query(vec![], vec![GroupBy::Touchpoint]))
        .unwrap();
    assert_eq!(labels(&r), pairs(&[("checkout", 2), ("delivery", 1)]));
    assert_eq!(counts(&r[0].1), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    let r = i
        .query(&nps_query(
            vec![Filter::Channels(vec![Channel::Email])],
            vec![GroupBy::Channel],
        ))
        .unwrap();
    assert_eq!(labels(&r), pairs(&[("email", 1)]));
    let r = i
        .query(&nps_query(
            vec![Filter::TimeRange {
                from_ms: ms("2025-05-01T10:30:00Z"),
                to_ms: ms("2025-05-02T10:00:00Z"),
            }],
            vec![],
        ))
        .unwrap();
    assert_eq!(labels(&r), pairs(&[("", 1)]));
    assert!(
        i.query(&nps_query(
            vec![Filter::Touchpoints(vec![tp("returns")])],
            vec![]
        ))
        .unwrap()
        .is_empty()
    );
}

#[test]
fn upserting_a_completed_response_replaces_its_partial_and_removal_forgets_it() {
    let mut partial = nps_fact("r1", "2025-05-01T10:00:00Z", "checkout", 6);
    partial.completed = false;
    let mut i = index(vec![
        partial,
        nps_fact("r2", "2025-05-01T10:00:00Z", "checkout", 9),
    ]);
    let completed_only = nps_query(vec![Filter::CompletedOnly], vec![]);
    assert_eq!(i.query(&completed_only).unwrap()[0].1.n(), 1);
    assert_eq!(
        i.upsert(nps_fact("r1", "2025-05-01T10:00:00Z", "checkout", 7))
            .unwrap(),
        Upserted::Replaced
    );
    assert_eq!(i.len(), 2);
    let all = i.query(&nps_query(vec![], vec![])).unwrap();
    assert_eq!(counts(&all[0].1), [0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]);
    assert!(i.remove("r2"));
    assert!(!i.remove("r2"));
    assert!(!i.contains("r2"));
    i.compact();
    assert_eq!(i.len(), 1);
    assert_eq!(i.rows(), 1);
    assert_eq!(
        counts(&i.query(&nps_query(vec![], vec![])).unwrap()[0].1)[7],
        1
    );
    assert_eq!(
        i.upsert(nps_fact("r2", "2025-05-01T10:00:00Z", "x", 1))
            .unwrap(),
        Upserted::Inserted
    );
}

#[test]
fn day_buckets_follow_warsaw_daylight_saving_changes() {
    let days = TimeBuckets::new(TimeUnit::Day, "Europe/Warsaw").unwrap();
    // 30 March 2025 has 23 hours in Warsaw (02:00 → 03:00); 26 October 2025 has 25.
    let i = index(vec![
        nps_fact("a", "2025-03-29T22:59:00Z", "t", 9), // 23:59 CET on the 29th
        nps_fact("b", "2025-03-29T23:00:00Z", "t", 9), // 00:00 CET on the 30th
        nps_fact("c", "2025-03-30T21:59:00Z", "t", 9), // 23:59 CEST on the 30th
        nps_fact("d", "2025-03-30T22:00:00Z", "t", 9), // 00:00 CEST on the 31st
        nps_fact("e", "2025-10-26T22:59:00Z", "t", 9), // 23:59 CET on the 26th
        nps_fact("f", "2025-10-25T22:00:00Z", "t", 9), // 00:00 CEST on the 26th
        nps_fact("g", "2025-10-26T23:00:00Z", "t", 9), // 00:00 CET on the 27th
    ]);
    let r = i
        .query(&nps_query(vec![], vec![GroupBy::Time(days.clone())]))
        .unwrap();
    assert_eq!(
        labels(&r),
        pairs(&[
            ("2025-03-29", 1),
            ("2025-03-30", 2),
            ("2025-03-31", 1),
            ("2025-10-26", 2),
            ("2025-10-27", 1)
        ])
    );
    let GroupValue::Time(b) = &r[1].0.0[0] else {
        panic!()
    };
    assert_eq!(b.start_ms, ms("2025-03-29T23:00:00Z"));
    let GroupValue::Time(b) = &r[3].0.0[0] else {
        panic!()
    };
    assert_eq!(b.start_ms, ms("2025-10-25T22:00:00Z"));
    assert_eq!(
        days.bucket_of(ms("2025-10-26T22:59:00Z")).unwrap().start_ms,
        b.start_ms
    );
}

#[test]
fn iso_weeks_cross_the_year_boundary_and_months_are_local() {
    let weeks = TimeBuckets::new(TimeUnit::Week, "Europe/Warsaw").unwrap();
    let months = TimeBuckets::new(TimeUnit::Month, "Europe/Warsaw").unwrap();
    let i = index(vec![
        nps_fact("a", "2024-12-29T12:00:00Z", "t", 9), // Sunday: 2024-W52
        nps_fact("b", "2024-12-30T12:00:00Z", "t", 9), // Monday: 2025-W01
        nps_fact("c", "2025-01-05T22:59:00Z", "t", 9), // Sunday 23:59 local: 2025-W01
        nps_fact("d", "2025-01-05T23:00:00Z", "t", 9), // Monday 00:00 local: 2025-W02
        nps_fact("e", "2025-01-31T23:30:00Z", "t", 9), // 1 Feb 00:30 local
    ]);
    let r = i
        .query(&nps_query(vec![], vec![GroupBy::Time(weeks)]))
        .unwrap();
    assert_eq!(
        labels(&r),
        pairs(&[
            ("2024-W52", 1),
            ("2025-W01", 2),
            ("2025-W02", 1),
            ("2025-W05", 1)
        ])
    );
    let GroupValue::Time(b) = &r[1].0.0[0] else {
        panic!()
    };
    assert_eq!(b.start_ms, ms("2024-12-29T23:00:00Z"));
    let r = i
        .query(&nps_query(vec![], vec![GroupBy::Time(months)]))
        .unwrap();
    assert_eq!(
        labels(&r),
        pairs(&[("2024-12", 2), ("2025-01", 2), ("2025-02", 1)])
    );
    let w53 = TimeBuckets::new(TimeUnit::Week, "UTC").unwrap();
    assert_eq!(
        w53.bucket_of(ms("2021-01-03T12:00:00Z")).unwrap().label,
        "2020-W53"
    );
    assert!(TimeBuckets::new(TimeUnit::Day, "Mars/Olympus").is_err());
}

#[test]
fn choice_filters_and_groups_count_every_selected_option() {
    let i = index(vec![
        with_choice(
            nps_fact("a", "2025-05-01T10:00:00Z", "t", 10),
            "why",
            &["price", "speed"],
        ),
        with_choice(
            nps_fact("b", "2025-05-01T10:00:00Z", "t", 2),
            "why",
            &["price"],
        ),
        nps_fact("c", "2025-05-01T10:00:00Z", "t", 5),
    ]);
    let by = i
        .query(&nps_query(vec![], vec![GroupBy::Choice(qid("why"))]))
        .unwrap();
    assert_eq!(labels(&by), pairs(&[("-", 1), ("price", 2), ("speed", 1)]));
    let f = Filter::ChoiceIncludes {
        question: qid("why"),
        options: vec![opt("speed")],
    };
    let r = i.query(&nps_query(vec![f], vec![])).unwrap();
    assert_eq!(r[0].1.n(), 1);
    assert_eq!(r[0].1.count(10), 1);
}

#[test]
fn attributes_group_and_filter() {
    let mut a = nps_fact("a", "2025-05-01T10:00:00Z", "t", 10);
    a.attributes.push(("plan".into(), "pro".into()));
    let mut b = nps_fact("b", "2025-05-01T10:00:00Z", "t", 0);
    b.attributes.push(("plan".into(), "free".into()));
    let mut c = nps_fact("c", "2025-05-01T10:00:00Z", "t", 8);
    c.attributes.push(("plan".into(), "pro".into()));
    let d = nps_fact("d", "2025-05-01T10:00:00Z", "t", 8);
    let i = index(vec![a, b, c, d]);
    let r = i
        .query(&nps_query(vec![], vec![GroupBy::Attribute("plan".into())]))
        .unwrap();
    assert_eq!(labels(&r), pairs(&[("-", 1), ("free", 1), ("pro", 2)]));
    let f = Filter::AttributeEquals {
        key: "plan".into(),
        value: "pro".into(),
    };
    assert_eq!(i.query(&nps_query(vec![f], vec![])).unwrap()[0].1.n(), 2);
}

#[test]
fn labels_from_outside_group_the_rows_they_name() {
    let mut i = index(vec![
        nps_fact("a", "2025-05-01T10:00:00Z", "t", 0),
        nps_fact("b", "2025-05-01T10:00:00Z", "t", 2),
        nps_fact("c", "2025-05-01T10:00:00Z", "t", 9),
        nps_fact("d", "2025-05-01T10:00:00Z", "t", 10),
    ]);
    // A row named twice keeps its first label; an id the index lacks is left out.
    let given = [
        ("a", "courier_late"),
        ("b", "courier_late"),
        ("a", "damaged"),
        ("c", "damaged"),
        ("nobody", "damaged"),
    ];
    let l = std::sync::Arc::new(RowLabels::new("root_cause", given));
    assert_eq!(l.len(), 5);
    let by = |i: &FactIndex| {
        labels(
            &i.query(&nps_query(vec![], vec![GroupBy::Labels(l.clone())]))
                .unwrap(),
        )
    };
    assert_eq!(
        by(&i),
        pairs(&[("-", 1), ("courier_late", 2), ("damaged", 1)])
    );
    // As a filter: the rows with the label; a label no row has keeps none.
    let only = |value: &str| {
        let f = Filter::Labelled {
            labels: l.clone(),
            value: value.into(),
        };
        let r = i.query(&nps_query(vec![f], vec![])).unwrap();
        r.iter()
            .map(|(_, d)| counts(d))
            .fold(vec![0; 11], |mut a, c| {
                a.iter_mut().zip(c).for_each(|(x, y)| *x += y);
                a
            })
    };
    let late = only("courier_late");
    assert_eq!(
        (late[0], late[2], late.iter().sum::<u64>()),
        (1, 1, 2),
        "{late:?}"
    );
    assert_eq!(only("weather").iter().sum::<u64>(), 0);
    // A removed fact's label counts no more.
    i.remove("c");
    assert_eq!(by(&i), pairs(&[("-", 1), ("courier_late", 2)]));
}

#[test]
fn kano_pairs_are_tallied_per_group() {
    use KanoAnswer::*;
    let i = index(vec![
        with_kano(
            nps_fact("a", "2025-05-01T10:00:00Z", "x", 9),
            "wrap",
            Like,
            Neutral,
        ),
        with_kano(
            nps_fact("b", "2025-05-01T10:00:00Z", "x", 9),
            "wrap",
            Like,
            Dislike,
        ),
        with_kano(
            nps_fact("c", "2025-05-01T10:00:00Z", "y", 9),
            "wrap",
            Neutral,
            Dislike,
        ),
    ]);
    let r = i.kano(&qid("wrap"), &[], &[GroupBy::Touchpoint]).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].1.count(KanoCategory::Attractive), 1);
    assert_eq!(r[0].1.count(KanoCategory::OneDimensional), 1);
    assert_eq!(r[1].1.count(KanoCategory::MustBe), 1);
}

fn logic_survey() -> Survey {
    let v = serde_json::json!({
        "title": "Quick check",
        "locales": ["en"],
        "touchpoint": "delivery",
        "questions": [
            { "id": "nps", "type": "nps", "text": "Recommend?", "required": true },
            { "id": "reason", "type": "single_choice", "text": "Why?", "required": true,
              "options": [{ "id": "price", "text": "Price" }, { "id": "speed", "text": "Speed" }],
              "show_if": { "question": "nps", "op": "lte", "value": 6 } },
            { "id": "comment", "type": "open_text", "text": "Anything else?" },
            { "id": "csat", "type": "csat", "text": "Satisfied?", "required": true },
        ],
    });
    Survey::parse(&value(v)).expect("valid survey")
}

fn value(j: serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Int(n.as_i64().expect("integers only")),
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(a) => Value::List(a.into_iter().map(value).collect()),
        serde_json::Value::Object(m) => {
            Value::Map(m.into_iter().map(|(k, v)| (k, value(v))).collect())
        }
    }
}

fn response(survey: &Survey, id: &str, completed: bool, answers: serde_json::Value) -> Fact {
    let Value::Map(input) = value(answers) else {
        panic!()
    };
    let completion = if completed {
        puls_core::Completion::Complete
    } else {
        puls_core::Completion::Partial
    };
    let answers = survey
        .validate_answers(&input, completion, "answers")
        .expect("valid answers");
    let meta = survey
        .validate_meta(&puls_core::ResponseMetaInput::default())
        .expect("valid meta");
    let head = FactHead {
        id: id.into(),
        survey: "quick".into(),
        survey_version: 1,
        created_at_ms: ms("2025-05-01T10:00:00Z"),
        completed,
    };
    Fact::from_answers(head, &meta, survey, &answers)
}

#[test]
fn drop_off_counts_reached_answered_and_abandoned_with_skip_logic() {
    use serde_json::json;
    let s = logic_survey();
    let i = index(vec![
        response(
            &s,
            "a",
            true,
            json!({ "nps": 9, "comment": "great", "csat": 5 }),
        ),
        response(
            &s,
            "b",
            true,
            json!({ "nps": 3, "reason": "price", "csat": 2 }),
        ),
        response(&s, "c", false, json!({ "nps": 2 })),
        response(&s, "d", false, json!({ "nps": 10, "comment": "ok" })),
        response(&s, "e", false, json!({})),
    ]);
    let p = |reached, answered, abandoned| QuestionProgress {
        reached,
        answered,
        abandoned,
    };
    let got = i.drop_off("quick", &s, &[]).unwrap();
    let got: Vec<(String, QuestionProgress)> =
        got.into_iter().map(|(q, p)| (q.to_string(), p)).collect();
    assert_eq!(
        got,
        vec![
            ("nps".to_string(), p(5, 4, 1)),
            ("reason".to_string(), p(2, 1, 1)),
            ("comment".to_string(), p(3, 2, 0)),
            ("csat".to_string(), p(3, 2, 1)),
        ]
    );
    assert!(
        i.drop_off("other", &s, &[])
            .unwrap()
            .iter()
            .all(|(_, p)| p.reached == 0)
    );
}

#[test]
fn driver_rows_leave_unanswered_drivers_empty() {
    let i = index(vec![
        with_score(
            nps_fact("a", "2025-05-01T10:00:00Z", "t", 9),
            "speed",
            4,
            (1, 5),
        ),
        nps_fact("b", "2025-05-01T11:00:00Z", "t", 3),
        with_score(
            with_score(
                nps_fact("c", "2025-05-01T12:00:00Z", "t", 7),
                "speed",
                2,
                (1, 5),
            ),
            "price",
            5,
            (1, 7),
        ),
    ]);
    assert_eq!(
        sorted_driver_rows(&i, "nps", &["speed", "price"]),
        vec![
            (3.0, vec![None, None], 1),
            (7.0, vec![Some(2.0), Some(5.0)], 1),
            (9.0, vec![Some(4.0), None], 1),
        ]
    );
}

#[test]
fn a_key_on_two_scales_needs_a_survey_filter() {
    let mut other = with_score(
        nps_fact("b", "2025-05-01T10:00:00Z", "t", 9),
        "sat",
        8,
        (1, 10),
    );
    other.survey = "s2".into();
    let i = index(vec![
        with_score(
            nps_fact("a", "2025-05-01T10:00:00Z", "t", 9),
            "sat",
            4,
            (1, 5),
        ),
        other,
    ]);
    let q = |filters| Query {
        question: key("sat"),
        filters,
        group_by: vec![],
    };
    assert!(matches!(
        i.query(&q(vec![])),
        Err(IndexError::MixedScales { .. })
    ));
    let r = i
        .query(&q(vec![Filter::Surveys(vec!["s2".into()])]))
        .unwrap();
    assert_eq!(r[0].1.scale(), (1, 10));
}

#[test]
fn bad_facts_are_refused_without_changing_the_index() {
    let mut i = FactIndex::new();
    assert!(
        i.upsert(nps_fact("a", "2025-05-01T10:00:00Z", "t", 11))
            .is_err()
    );
    assert!(i.is_empty());
}

#[test]
fn instants_are_local_dates_or_rfc3339() {
    use puls_index::parse_instant;
    // Local midnight: UTC+1 in winter, UTC+2 in summer, in Warsaw.
    assert_eq!(
        parse_instant("2026-03-02", "Europe/Warsaw"),
        Ok(1_772_406_000_000)
    );
    assert_eq!(
        parse_instant("2026-07-01", "Europe/Warsaw"),
        Ok(1_782_856_800_000)
    );
    assert_eq!(parse_instant("2026-03-02", "UTC"), Ok(1_772_409_600_000));
    assert_eq!(
        parse_instant("2026-03-02T00:30:00+01:00", "UTC"),
        Ok(1_772_407_800_000)
    );
    assert!(matches!(
        parse_instant("yesterday", "UTC"),
        Err(puls_index::IndexError::InvalidInstant(_))
    ));
    assert!(parse_instant("2026-02-30", "UTC").is_err());
    assert!(parse_instant("2026-03-02", "Mars/Olympus").is_err());
}

#[test]
fn driver_rows_count_identical_answers_once_with_a_weight() {
    let fact = |id: &str, nps: i64, speed: i64| {
        with_score(
            nps_fact(id, "2025-05-01T10:00:00Z", "t", nps),
            "speed",
            speed,
            (1, 5),
        )
    };
    let i = index(vec![
        fact("a", 9, 4),
        fact("b", 9, 4),
        fact("c", 9, 4),
        fact("d", 2, 1),
    ]);
    assert_eq!(
        sorted_driver_rows(&i, "nps", &["speed"]),
        vec![(2.0, vec![Some(1.0)], 1), (9.0, vec![Some(4.0)], 3)]
    );
}

#[test]
fn driver_rows_are_the_same_for_sparse_and_dense_outcomes() {
    // 40 facts answer `speed`; only the first and the last answer `sat` (sparse: the merge
    // path), then every fact does (dense: the scatter path). Another `speed` scale on a few
    // facts checks that a key on two scales keeps each fact's own answer.
    let build = |all_answer: bool| {
        let facts: Vec<Fact> = (0..40)
            .map(|i| {
                let mut f = nps_fact(&format!("f{i:02}"), "2025-05-01T10:00:00Z", "t", 5);
                f.scores.clear();
                f.answered.clear();
                if all_answer || i == 0 || i == 39 {
                    f = with_score(f, "sat", 1 + i % 5, (1, 5));
                }
                let speed_scale = if i % 10 == 3 { (0, 10) } else { (1, 5) };
                with_score(f, "speed", 1 + i % 4, speed_scale)
            })
            .collect();
        sorted_driver_rows(&index(facts), "sat", &["speed", "price"])
    };
    assert_eq!(
        build(false),
        vec![
            (1.0, vec![Some(1.0), None], 1),
            (5.0, vec![Some(4.0), None], 1)
        ]
    );
    // Dense: fact i has sat 1 + i % 5 and speed 1 + i % 4, so each (sat, speed) pair of the
    // 20 combinations occurs twice.
    let dense = build(true);
    assert_eq!(dense.len(), 20);
    assert!(dense.iter().all(|(_, d, w)| *w == 2 && d[1].is_none()));
}

/// `driver_rows` as (outcome, drivers, weight), sorted, for comparing with a literal.
fn sorted_driver_rows(
    i: &FactIndex,
    outcome: &str,
    drivers: &[&str],
) -> Vec<(f64, Vec<Option<f64>>, u64)> {
    let keys: Vec<_> = drivers.iter().map(|d| key(d)).collect();
    let mut got: Vec<(f64, Vec<Option<f64>>, u64)> = i
        .driver_rows(&key(outcome), &keys, &[])
        .unwrap()
        .into_iter()
        .map(|r| (r.outcome, r.drivers, r.weight))
        .collect();
    got.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.partial_cmp(&b.1).unwrap()));
    got
}

#[test]
fn respondents_filter_a_segment_and_their_scores_are_listed() {
    let known = |id: &str, score: i64, who: Option<&str>| {
        let mut f = nps_fact(id, "2025-05-01T10:00:00Z", "checkout", score);
        f.respondent = who.map(str::to_string);
        f
    };
    let mut i = index(vec![
        known("a", 9, Some("u:ann")),
        known("b", 3, Some("e:bob@example.com")),
        known("c", 5, None),
        known("d", 10, Some("u:ann")),
    ]);
    // A replaced fact keeps only its newest score.
    i.upsert(known("d", 7, Some("u:ann"))).unwrap();
    let code: std::collections::HashMap<String, u32> =
        i.respondents().map(|(c, k)| (k.to_string(), c)).collect();
    assert_eq!(i.respondent_codes(), 3);
    let mut allowed = vec![false; i.respondent_codes()];
    allowed[code["u:ann"] as usize] = true;
    let r = i
        .query(&nps_query(
            vec![Filter::Respondents(std::sync::Arc::new(allowed))],
            vec![],
        ))
        .unwrap();
    assert_eq!(counts(&r[0].1).iter().sum::<u64>(), 2);
    assert!(
        i.scores_by_respondent(&key("nps"), Some("delivery"))
            .is_empty()
    );
    let mut scores = i.scores_by_respondent(&key("nps"), Some("checkout"));
    scores.sort();
    let at = ms("2025-05-01T10:00:00Z");
    let mut expected = vec![
        (code["u:ann"], at, 9),
        (code["u:ann"], at, 7),
        (code["e:bob@example.com"], at, 3),
    ];
    expected.sort();
    assert_eq!(scores, expected);
}
