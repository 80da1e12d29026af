//! Validation of answers and response metadata against a parsed survey, and the survey logic
//! (skip logic, early ends, the next question, the best locale).

mod common;

use std::collections::BTreeMap;

use common::{
    answers, assert_problems, every_type_survey, logic_survey, opt, survey_json, t, value,
};
use puls_core::response::limits;
use puls_core::{
    Answer, Answers, Channel, Completion, FieldErrorKind, FieldErrors, KanoAnswer, OptionId,
    QuestionId, ResponseMeta, ResponseMetaInput, Survey, Value,
};
use serde_json::{Value as Json, json};

fn qid(s: &str) -> QuestionId {
    QuestionId::parse(s).unwrap()
}

fn oid(s: &str) -> OptionId {
    OptionId::parse(s).unwrap()
}

fn oids(ids: &[&str]) -> Vec<OptionId> {
    ids.iter().map(|s| oid(s)).collect()
}

/// Validates answers, with "answers" as the path prefix the API uses.
fn validate(s: &Survey, a: Json, completion: Completion) -> Result<Answers, FieldErrors> {
    s.validate_answers(&answers(a), completion, "answers")
}

/// Validates a single answer to a question of the every-type survey.
fn answer(question: &str, a: Json) -> Result<Answer, FieldErrors> {
    let mut input = BTreeMap::new();
    input.insert(question.to_string(), value(a));
    every_type_survey()
        .validate_answers(&input, Completion::Partial, "answers")
        .map(|mut answers| answers.remove(&qid(question)).expect("answer kept"))
}

/// The answers as the survey logic tracks them, for `next_question` and `visibility`.
fn given(s: &Survey, a: Json) -> Answers {
    s.validate_answers(&answers(a), Completion::Partial, "")
        .expect("valid answers")
}

// Every question type.

#[test]
fn a_full_set_of_valid_answers_is_accepted_as_typed_answers() {
    let s = every_type_survey();
    let got = validate(
        &s,
        json!({
            "nps": 9,
            "csat": 4,
            "ces": 2,
            "rating": 10,
            "plan": "pro",
            "features": { "selected": ["speed", "support"], "other": "Offline mode" },
            "comment": "Fast delivery",
            "aspects": { "delivery": 5, "packaging": 3, "staff": 4 },
            "priorities": ["quality", "price", "speed"],
            "dark_mode": { "functional": "like", "dysfunctional": "tolerate" },
            "contact": { "email": "jan.novak@example.cz", "phone": "+420 601 123 456", "consent": true },
        }),
        Completion::Complete,
    )
    .unwrap();

    let expected: Answers = [
        ("nps", Answer::Score(9)),
        ("csat", Answer::Score(4)),
        ("ces", Answer::Score(2)),
        ("rating", Answer::Score(10)),
        ("plan", Answer::Choice(oid("pro"))),
        (
            "features",
            Answer::Choices {
                selected: oids(&["speed", "support"]),
                other: Some("Offline mode".into()),
            },
        ),
        ("comment", Answer::Text("Fast delivery".into())),
        (
            "aspects",
            Answer::Matrix(
                [("delivery", 5), ("packaging", 3), ("staff", 4)]
                    .into_iter()
                    .map(|(r, s)| (oid(r), s))
                    .collect(),
            ),
        ),
        (
            "priorities",
            Answer::Ranking(oids(&["quality", "price", "speed"])),
        ),
        (
            "dark_mode",
            Answer::Kano {
                functional: KanoAnswer::Like,
                dysfunctional: KanoAnswer::Tolerate,
            },
        ),
        (
            "contact",
            Answer::Contact {
                email: Some("jan.novak@example.cz".into()),
                phone: Some("+420 601 123 456".into()),
                consent: true,
            },
        ),
    ]
    .into_iter()
    .map(|(q, a)| (qid(q), a))
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn score_answers_must_be_integers_within_the_scale() {
    assert_eq!(answer("nps", json!(0)).unwrap(), Answer::Score(0));
    assert_eq!(answer("nps", json!(10)).unwrap(), Answer::Score(10));
    assert_eq!(answer("nps", json!(7.0)).unwrap(), Answer::Score(7));
    for (question, bad) in [
        ("nps", 11),
        ("nps", -1),
        ("csat", 0),
        ("csat", 6),
        ("ces", 8),
        ("rating", 11),
    ] {
        let path = format!("answers.{question}");
        assert_problems(
            answer(question, json!(bad)),
            &[(path.as_str(), "out_of_range")],
        );
    }
    assert_eq!(
        answer("nps", json!(11)).unwrap_err().0[0].kind,
        FieldErrorKind::OutOfRange { min: 0, max: 10 }
    );
    assert_eq!(
        answer("ces", json!(8)).unwrap_err().0[0].kind,
        FieldErrorKind::OutOfRange { min: 1, max: 7 }
    );
    for bad in [
        json!("9"),
        json!(9.5),
        json!(true),
        json!([9]),
        json!({ "score": 9 }),
    ] {
        assert_problems(answer("nps", bad), &[("answers.nps", "wrong_type")]);
    }
}

#[test]
fn a_single_choice_must_be_one_of_the_options() {
    assert_eq!(
        answer("plan", json!("enterprise")).unwrap(),
        Answer::Choice(oid("enterprise"))
    );
    for bad in ["gold", "PRO", ""] {
        assert_problems(
            answer("plan", json!(bad)),
            &[("answers.plan", "unknown_option")],
        );
    }
    assert_eq!(
        answer("plan", json!("gold")).unwrap_err().0[0].kind,
        FieldErrorKind::UnknownOption { id: "gold".into() }
    );
    for bad in [json!(2), json!(["pro"])] {
        assert_problems(answer("plan", bad), &[("answers.plan", "wrong_type")]);
    }
}

#[test]
fn a_multiple_choice_is_a_list_of_distinct_options() {
    assert_eq!(
        answer("features", json!(["price", "speed"])).unwrap(),
        Answer::Choices {
            selected: oids(&["price", "speed"]),
            other: None,
        }
    );
    assert_problems(
        answer("features", json!(["speed", "nope"])),
        &[("answers.features", "unknown_option")],
    );
    assert_problems(
        answer("features", json!(["speed", "speed"])),
        &[("answers.features", "duplicate_id")],
    );
    assert_problems(
        answer("features", json!("speed")),
        &[("answers.features", "wrong_type")],
    );
    assert_problems(
        answer("features", json!({ "selected": "speed" })),
        &[("answers.features.selected", "wrong_type")],
    );
    assert_problems(
        answer(
            "features",
            json!({ "selected": ["speed"], "colour": "red" }),
        ),
        &[("answers.features.colour", "unknown_field")],
    );
}

#[test]
fn a_multiple_choice_respects_its_choice_limits_counting_other() {
    // The question allows 1 to 3 choices, "other" included.
    let result = answer("features", json!([]));
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::ChoiceCount { min: 1, max: 3 }
    );
    assert_problems(result, &[("answers.features", "choice_count")]);
    assert_problems(
        answer("features", json!(["speed", "price", "support", "design"])),
        &[("answers.features", "choice_count")],
    );
    assert_problems(
        answer(
            "features",
            json!({ "selected": ["speed", "price", "support"], "other": "Offline" }),
        ),
        &[("answers.features", "choice_count")],
    );
    assert!(answer("features", json!(["speed", "price", "support"])).is_ok());

    // Without max_choices, every option (and "other") may be chosen.
    let s = Survey::parse(&value(survey_json(json!([{
        "id": "many", "type": "multiple_choice", "text": t("Many?"),
        "options": [opt("a"), opt("b")], "other": t("Other"), "min_choices": 2,
    }]))))
    .unwrap();
    assert!(
        validate(
            &s,
            json!({ "many": { "selected": ["a", "b"], "other": "c" } }),
            Completion::Partial
        )
        .is_ok()
    );
    let result = validate(&s, json!({ "many": ["a"] }), Completion::Partial);
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::ChoiceCount { min: 2, max: 3 }
    );
}

#[test]
fn the_other_entry_is_free_text_that_counts_as_a_choice() {
    assert_eq!(
        answer("features", json!({ "other": "Offline mode" })).unwrap(),
        Answer::Choices {
            selected: vec![],
            other: Some("Offline mode".into()),
        }
    );
    assert_eq!(
        answer("features", json!({ "selected": ["speed"], "other": "  " })).unwrap(),
        Answer::Choices {
            selected: oids(&["speed"]),
            other: None,
        },
        "a blank 'other' is no 'other'"
    );
    assert!(
        answer(
            "features",
            json!({ "other": "ř".repeat(limits::MAX_OTHER_TEXT) })
        )
        .is_ok()
    );
    assert_problems(
        answer(
            "features",
            json!({ "other": "x".repeat(limits::MAX_OTHER_TEXT + 1) }),
        ),
        &[("answers.features.other", "too_long")],
    );
    assert_problems(
        answer("features", json!({ "selected": ["speed"], "other": 5 })),
        &[("answers.features.other", "wrong_type")],
    );
}

#[test]
fn other_is_rejected_when_the_question_does_not_offer_it() {
    let s = Survey::parse(&value(survey_json(json!([{
        "id": "many", "type": "multiple_choice", "text": t("Many?"),
        "options": [opt("a"), opt("b")],
    }]))))
    .unwrap();
    assert_problems(
        validate(
            &s,
            json!({ "many": { "selected": ["a"], "other": "c" } }),
            Completion::Partial,
        ),
        &[("answers.many.other", "unknown_field")],
    );
}

#[test]
fn an_open_text_answer_must_be_a_non_blank_string_within_the_length() {
    assert_eq!(
        answer("comment", json!("Great service")).unwrap(),
        Answer::Text("Great service".into())
    );
    // The limit (20) counts characters, not bytes.
    assert!(answer("comment", json!("ž".repeat(20))).is_ok());
    let result = answer("comment", json!("x".repeat(21)));
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::TooLong { max: 20 }
    );
    assert_problems(result, &[("answers.comment", "too_long")]);
    for blank in ["", "   ", "\n\t"] {
        assert_problems(
            answer("comment", json!(blank)),
            &[("answers.comment", "empty")],
        );
    }
    assert_problems(
        answer("comment", json!(5)),
        &[("answers.comment", "wrong_type")],
    );
}

#[test]
fn a_matrix_answer_scores_known_rows_within_the_scale() {
    assert_eq!(
        answer(
            "aspects",
            json!({ "delivery": 5, "staff": 1, "packaging": null })
        )
        .unwrap(),
        Answer::Matrix(
            [(oid("delivery"), 5), (oid("staff"), 1)]
                .into_iter()
                .collect()
        )
    );
    assert_problems(
        answer("aspects", json!({ "delivery": 5, "kitchen": 3 })),
        &[("answers.aspects.kitchen", "unknown_option")],
    );
    assert_problems(
        answer("aspects", json!({ "delivery": 6, "staff": 3 })),
        &[("answers.aspects.delivery", "out_of_range")],
    );
    assert_problems(
        answer("aspects", json!({ "delivery": "5" })),
        &[("answers.aspects.delivery", "wrong_type")],
    );
    for empty in [json!({}), json!({ "delivery": null })] {
        assert_problems(answer("aspects", empty), &[("answers.aspects", "empty")]);
    }
    assert_problems(
        answer("aspects", json!([5, 3])),
        &[("answers.aspects", "wrong_type")],
    );
}

/// Regression: a matrix whose every row was wrong was also reported as empty, although the
/// respondent did score rows.
#[test]
fn a_matrix_with_only_bad_rows_is_not_also_reported_as_empty() {
    assert_problems(
        answer("aspects", json!({ "delivery": 6, "staff": 0 })),
        &[
            ("answers.aspects.delivery", "out_of_range"),
            ("answers.aspects.staff", "out_of_range"),
        ],
    );
    assert_problems(
        answer("aspects", json!({ "kitchen": 3 })),
        &[("answers.aspects.kitchen", "unknown_option")],
    );
}

#[test]
fn a_ranking_must_rank_every_option_exactly_once() {
    assert_eq!(
        answer("priorities", json!(["speed", "price", "quality"])).unwrap(),
        Answer::Ranking(oids(&["speed", "price", "quality"]))
    );
    for bad in [
        json!(["price", "quality"]),
        json!(["price", "price", "quality"]),
        json!([]),
    ] {
        assert_problems(
            answer("priorities", bad),
            &[("answers.priorities", "incomplete_ranking")],
        );
    }
    assert_problems(
        answer("priorities", json!(["price", "quality", "speed", "extra"])),
        &[("answers.priorities", "unknown_option")],
    );
    assert_problems(
        answer("priorities", json!("price")),
        &[("answers.priorities", "wrong_type")],
    );
}

#[test]
fn a_kano_answer_needs_both_sides_on_the_five_point_scale() {
    for k in KanoAnswer::ALL {
        assert_eq!(
            answer(
                "dark_mode",
                json!({ "functional": k.as_str(), "dysfunctional": "neutral" })
            )
            .unwrap(),
            Answer::Kano {
                functional: k,
                dysfunctional: KanoAnswer::Neutral,
            }
        );
    }
    assert_problems(
        answer(
            "dark_mode",
            json!({ "functional": "love", "dysfunctional": "dislike" }),
        ),
        &[("answers.dark_mode.functional", "not_one_of")],
    );
    assert_problems(
        answer("dark_mode", json!({ "functional": "like" })),
        &[("answers.dark_mode.dysfunctional", "required")],
    );
    assert_problems(
        answer(
            "dark_mode",
            json!({ "functional": 1, "dysfunctional": null }),
        ),
        &[
            ("answers.dark_mode.functional", "wrong_type"),
            ("answers.dark_mode.dysfunctional", "required"),
        ],
    );
    assert_problems(
        answer(
            "dark_mode",
            json!({ "functional": "like", "dysfunctional": "neutral", "extra": 1 }),
        ),
        &[("answers.dark_mode.extra", "unknown_field")],
    );
    assert_problems(
        answer("dark_mode", json!("like")),
        &[("answers.dark_mode", "wrong_type")],
    );
}

#[test]
fn contact_details_are_trimmed_and_kept_with_consent() {
    assert_eq!(
        answer(
            "contact",
            json!({ "email": " Jan@Example.cz ", "consent": true })
        )
        .unwrap(),
        Answer::Contact {
            email: Some("Jan@Example.cz".into()),
            phone: None,
            consent: true,
        }
    );
    assert_eq!(
        answer(
            "contact",
            json!({ "phone": "(+420) 601-123-456", "email": "", "consent": true })
        )
        .unwrap(),
        Answer::Contact {
            email: None,
            phone: Some("(+420) 601-123-456".into()),
            consent: true,
        }
    );
}

#[test]
fn contact_details_without_consent_are_rejected() {
    for consent in [json!(false), Json::Null] {
        assert_problems(
            answer(
                "contact",
                json!({ "email": "jan@example.cz", "consent": consent }),
            ),
            &[("answers.contact.consent", "consent_required")],
        );
    }
    assert_problems(
        answer("contact", json!({ "email": "jan@example.cz" })),
        &[("answers.contact.consent", "consent_required")],
    );
    assert_problems(
        answer(
            "contact",
            json!({ "email": "jan@example.cz", "consent": "yes" }),
        ),
        &[("answers.contact.consent", "wrong_type")],
    );
}

#[test]
fn an_invalid_email_or_phone_is_rejected() {
    for bad in [
        "not-an-email",
        "jan@",
        "@example.cz",
        "jan@example",
        "jan@@example.cz",
        "jan novak@example.cz",
        "jan@.example.cz",
        "jan@example.cz.",
    ] {
        assert_problems(
            answer("contact", json!({ "email": bad, "consent": true })),
            &[("answers.contact.email", "invalid_email")],
        );
    }
    let long = format!("{}@example.cz", "a".repeat(250));
    assert_problems(
        answer("contact", json!({ "email": long, "consent": true })),
        &[("answers.contact.email", "invalid_email")],
    );
    for bad in [
        "call me",
        "12345",
        "+420 601 123 456 ext. 7",
        "1".repeat(21).as_str(),
    ] {
        assert_problems(
            answer("contact", json!({ "phone": bad, "consent": true })),
            &[("answers.contact.phone", "invalid_phone")],
        );
    }
    assert_problems(
        answer("contact", json!({ "email": 5, "consent": true })),
        &[("answers.contact.email", "wrong_type")],
    );
}

#[test]
fn a_contact_answer_needs_a_detail_and_only_the_asked_fields() {
    for empty in [
        json!({ "consent": true }),
        json!({ "email": "  ", "consent": true }),
    ] {
        assert_problems(answer("contact", empty), &[("answers.contact", "empty")]);
    }
    assert_problems(
        answer(
            "contact",
            json!({ "email": "jan@example.cz", "name": "Jan", "consent": true }),
        ),
        &[("answers.contact.name", "unknown_field")],
    );
    assert_problems(
        answer("contact", json!("jan@example.cz")),
        &[("answers.contact", "wrong_type")],
    );
    // The logic survey's contact question asks for an email only.
    let s = logic_survey();
    assert_problems(
        validate(
            &s,
            json!({
                "customer": "yes", "nps": 3, "reason": "quality",
                "contact": { "phone": "+420 601 123 456", "consent": true },
            }),
            Completion::Partial,
        ),
        &[("answers.contact.phone", "unknown_field")],
    );
}

#[test]
fn an_answer_to_an_unknown_question_is_rejected() {
    let s = every_type_survey();
    assert_problems(
        validate(&s, json!({ "nope": 1, "Bad Key": 2 }), Completion::Partial),
        &[
            ("answers.Bad Key", "unknown_question"),
            ("answers.nope", "unknown_question"),
        ],
    );
    let long = "q".repeat(100);
    let result = validate(&s, json!({ long.clone(): null }), Completion::Partial);
    assert_eq!(
        result.unwrap_err().0[0].kind,
        FieldErrorKind::UnknownQuestion {
            id: long[..64].to_string()
        },
        "the echoed id is truncated"
    );
}

#[test]
fn every_problem_in_a_submission_is_reported_under_the_given_path() {
    let s = every_type_survey();
    let input = answers(json!({ "plan": "gold", "nps": 11, "nope": 1, "csat": 3 }));
    assert_problems(
        s.validate_answers(&input, Completion::Partial, "answers"),
        &[
            ("answers.nope", "unknown_question"),
            ("answers.nps", "out_of_range"),
            ("answers.plan", "unknown_option"),
        ],
    );
    assert_problems(
        s.validate_answers(&input, Completion::Partial, ""),
        &[
            ("nope", "unknown_question"),
            ("nps", "out_of_range"),
            ("plan", "unknown_option"),
        ],
    );
}

#[test]
fn null_means_not_answered() {
    let s = every_type_survey();
    assert_eq!(
        validate(
            &s,
            json!({ "csat": null, "plan": null }),
            Completion::Partial
        )
        .unwrap(),
        Answers::new()
    );
}

// Required questions and completion.

#[test]
fn a_required_question_is_demanded_only_when_the_response_is_complete() {
    let s = every_type_survey();
    assert_eq!(
        validate(&s, json!({}), Completion::Partial).unwrap(),
        Answers::new()
    );
    assert_eq!(
        validate(&s, json!({ "csat": 5 }), Completion::Partial)
            .unwrap()
            .len(),
        1
    );
    for missing in [json!({}), json!({ "nps": null, "csat": 5 })] {
        assert_problems(
            validate(&s, missing, Completion::Complete),
            &[("answers.nps", "required")],
        );
    }
    assert!(validate(&s, json!({ "nps": 3 }), Completion::Complete).is_ok());
}

// Skip logic and early ends.

#[test]
fn an_answer_to_a_hidden_question_is_rejected() {
    let s = logic_survey();
    // `reason` is shown to detractors only.
    assert_problems(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 9, "reason": "price" }),
            Completion::Partial,
        ),
        &[("answers.reason", "hidden_question")],
    );
    assert!(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 6, "reason": "price" }),
            Completion::Partial
        )
        .is_ok()
    );
}

/// Regression: visibility used every answer given, so an answer to a hidden question could
/// show later questions: their answers were not reported as hidden, and when required they
/// were demanded although the respondent never sees them.
#[test]
fn an_answer_to_a_hidden_question_does_not_reveal_later_questions() {
    let s = logic_survey();
    assert_problems(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 9, "reason": "price", "price_detail": "Half" }),
            Completion::Partial,
        ),
        &[
            ("answers.reason", "hidden_question"),
            ("answers.price_detail", "hidden_question"),
        ],
    );
    assert_problems(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 9, "reason": "price" }),
            Completion::Complete,
        ),
        &[("answers.reason", "hidden_question")],
    );
}

/// Every answer at once (a form with every question, as staff fill it): why each answer
/// the logic does not reach is not asked, naming the answers that decide it.
#[test]
fn why_an_answer_is_not_asked_names_the_answers_that_decide_it() {
    use puls_core::response::NotAsked;
    let s = logic_survey();
    // A promoter with a reason: `reason` is asked only for nps <= 6; `price_detail` only
    // after the reason "price", which the logic did not count.
    let why = s.not_asked(&answers(json!({
        "customer": "yes", "nps": 9, "reason": "price", "price_detail": "Half", "praise": "x"
    })));
    assert_eq!(
        why.get(&qid("reason")),
        Some(&NotAsked {
            ended: false,
            because: vec![(1, Some(Answer::Score(9)))],
        })
    );
    assert_eq!(
        why.get(&qid("price_detail")),
        Some(&NotAsked {
            ended: false,
            because: vec![(2, None)],
        })
    );
    assert_eq!(why.len(), 2, "{why:?}");
    // The comment before the score: nothing counted for the question it depends on.
    let why = s.not_asked(&answers(json!({ "customer": "yes", "reason": "quality" })));
    assert_eq!(
        why.get(&qid("reason")).map(|w| &w.because),
        Some(&vec![(1, None)])
    );
    // An early end: the question that ended it, with its answer.
    let why = s.not_asked(&answers(json!({ "customer": "no", "nps": 3 })));
    assert_eq!(
        why.get(&qid("nps")),
        Some(&NotAsked {
            ended: true,
            because: vec![(0, Some(Answer::Choice(oid("no"))))],
        })
    );
    // Nothing for answers the logic asks, or that do not parse.
    assert!(
        s.not_asked(&answers(
            json!({ "customer": "yes", "nps": 3, "reason": "price" })
        ))
        .is_empty()
    );
    assert!(
        s.not_asked(&answers(
            json!({ "customer": "yes", "nps": "ten", "reason": 5 })
        ))
        .is_empty()
    );
}

#[test]
fn a_required_question_that_the_logic_hides_is_not_demanded() {
    let s = logic_survey();
    // A promoter never sees `reason` or `price_detail`, both required.
    assert!(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 9 }),
            Completion::Complete
        )
        .is_ok()
    );
}

#[test]
fn a_required_question_that_the_logic_shows_is_demanded() {
    let s = logic_survey();
    assert_problems(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 3 }),
            Completion::Complete,
        ),
        &[("answers.reason", "required")],
    );
    assert_problems(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 3, "reason": "price" }),
            Completion::Complete,
        ),
        &[("answers.price_detail", "required")],
    );
    assert!(
        validate(
            &s,
            json!({ "customer": "yes", "nps": 3, "reason": "quality" }),
            Completion::Complete
        )
        .is_ok()
    );
}

#[test]
fn questions_after_an_early_end_are_hidden() {
    let s = logic_survey();
    let ended = given(&s, json!({ "customer": "no" }));
    let vis = s.visibility(&ended);
    assert!(vis.ended_early);
    assert_eq!(vis.visible, [0]);
    // `nps` is required but comes after the end.
    assert!(validate(&s, json!({ "customer": "no" }), Completion::Complete).is_ok());
    assert_problems(
        validate(
            &s,
            json!({ "customer": "no", "nps": 5 }),
            Completion::Complete,
        ),
        &[("answers.nps", "hidden_question")],
    );
}

#[test]
fn an_early_end_fires_only_once_its_question_is_answered() {
    let s = logic_survey();
    let vis = s.visibility(&Answers::new());
    assert!(!vis.ended_early);
    assert_eq!(
        vis.visible,
        [0, 1],
        "conditions on unanswered questions fail"
    );
    let vis = s.visibility(&given(&s, json!({ "customer": "yes" })));
    assert!(!vis.ended_early);
}

#[test]
fn an_early_end_may_test_an_earlier_question() {
    let s = Survey::parse(&value(json!({
        "title": "Check", "locales": ["en"], "touchpoint": "delivery",
        "questions": [
            { "id": "nps", "type": "nps", "text": "Recommend?" },
            {
                "id": "comment", "type": "open_text", "text": "Why?",
                "end_if": { "question": "nps", "op": "gte", "value": 9 },
            },
            { "id": "more", "type": "open_text", "text": "More?", "required": true },
        ],
    })))
    .unwrap();
    assert!(
        validate(
            &s,
            json!({ "nps": 10, "comment": "Great" }),
            Completion::Complete
        )
        .is_ok()
    );
    assert_problems(
        validate(&s, json!({ "nps": 10 }), Completion::Complete),
        &[("answers.more", "required")],
    );
    assert_problems(
        validate(
            &s,
            json!({ "nps": 5, "comment": "Meh" }),
            Completion::Complete,
        ),
        &[("answers.more", "required")],
    );
}

#[test]
fn next_question_follows_the_logic_page_by_page() {
    let s = logic_survey();
    let next = |a: Json| {
        s.next_question(&given(&s, a))
            .map(|i| s.questions[i].id.as_str())
    };
    assert_eq!(next(json!({})), Some("customer"));
    assert_eq!(next(json!({ "customer": "no" })), None, "ended early");
    assert_eq!(next(json!({ "customer": "yes" })), Some("nps"));

    // A detractor is asked why, then (for the price) what is fair, then for contact.
    assert_eq!(next(json!({ "customer": "yes", "nps": 3 })), Some("reason"));
    assert_eq!(
        next(json!({ "customer": "yes", "nps": 3, "reason": "price" })),
        Some("price_detail")
    );
    assert_eq!(
        next(json!({ "customer": "yes", "nps": 3, "reason": "service" })),
        Some("contact")
    );
    assert_eq!(
        next(json!({
            "customer": "yes", "nps": 3, "reason": "price", "price_detail": "Half",
            "contact": { "email": "jan@example.cz", "consent": true },
        })),
        None
    );

    // A promoter is asked for praise, and for contact only once they gave it.
    assert_eq!(
        next(json!({ "customer": "yes", "nps": 10 })),
        Some("praise")
    );
    assert_eq!(
        next(json!({ "customer": "yes", "nps": 10, "praise": "Fast" })),
        Some("contact")
    );
    // A passive sees neither.
    assert_eq!(next(json!({ "customer": "yes", "nps": 8 })), None);
}

// Locales.

#[test]
fn the_best_locale_is_the_first_preferred_one_the_survey_has() {
    let s = every_type_survey();
    let best = |preferred: &[&str]| s.best_locale(preferred.iter().copied()).to_string();
    assert_eq!(best(&["cs"]), "cs");
    assert_eq!(best(&["de", "en", "cs"]), "en");
    assert_eq!(best(&["CS"]), "cs");
}

#[test]
fn the_best_locale_matches_a_language_when_the_region_differs() {
    let s = every_type_survey();
    assert_eq!(s.best_locale(["en-GB"]).as_str(), "en");
    assert_eq!(s.best_locale(["cs_CZ"]).as_str(), "cs");

    let s = Survey::parse(&value(json!({
        "title": { "pt-BR": "Pesquisa", "en-GB": "Survey", "en-US": "Survey" },
        "locales": ["en-GB", "pt-BR", "en-US"],
        "default_locale": "en-US",
        "touchpoint": "support",
        "questions": [{
            "id": "nps", "type": "nps",
            "text": { "pt-BR": "Recomenda?", "en-GB": "Recommend?", "en-US": "Recommend?" },
        }],
    })))
    .unwrap();
    assert_eq!(s.best_locale(["pt"]).as_str(), "pt-BR");
    assert_eq!(s.best_locale(["pt-PT"]).as_str(), "pt-BR");
    assert_eq!(
        s.best_locale(["en-US"]).as_str(),
        "en-US",
        "an exact match beats an earlier language match"
    );
    assert_eq!(s.best_locale(["en"]).as_str(), "en-GB");
}

#[test]
fn the_best_locale_falls_back_to_the_default() {
    let s = every_type_survey();
    assert_eq!(s.best_locale([]).as_str(), "pl");
    assert_eq!(s.best_locale(["de", "fr-FR"]).as_str(), "pl");
    assert_eq!(
        s.best_locale(["*", "en;q=0.8", "no way"]).as_str(),
        "pl",
        "unparsable preferences are skipped"
    );
    assert_eq!(s.best_locale(["*", "en"]).as_str(), "en");
}

// Response metadata.

/// Validates metadata given as a JSON object with the `ResponseMetaInput` fields.
fn meta(fields: Json) -> Result<ResponseMeta, FieldErrors> {
    let m = answers(fields);
    let known = [
        "channel",
        "touchpoint",
        "locale",
        "contact",
        "invitation_token",
        "attributes",
    ];
    assert!(m.keys().all(|k| known.contains(&k.as_str())), "{m:?}");
    every_type_survey().validate_meta(&ResponseMetaInput {
        channel: m.get("channel"),
        touchpoint: m.get("touchpoint"),
        locale: m.get("locale"),
        contact: m.get("contact"),
        invitation_token: m.get("invitation_token"),
        attributes: m.get("attributes"),
    })
}

#[test]
fn absent_metadata_takes_the_survey_defaults() {
    for input in [
        json!({}),
        json!({ "channel": null, "locale": null, "contact": null, "attributes": null }),
    ] {
        let m = meta(input).unwrap();
        assert_eq!(m.channel, Channel::Email);
        assert_eq!(m.touchpoint.as_str(), "checkout");
        assert_eq!(m.locale.as_str(), "pl");
        assert_eq!(m.contact_external_id, None);
        assert_eq!(m.contact_email, None);
        assert_eq!(m.invitation_token, None);
        assert!(m.attributes.is_empty());
    }
}

#[test]
fn given_metadata_overrides_the_defaults() {
    let m = meta(json!({
        "channel": "in_app", "touchpoint": "delivery", "locale": "CS",
        "invitation_token": "  tok-123 ",
    }))
    .unwrap();
    assert_eq!(m.channel, Channel::InApp);
    assert_eq!(m.touchpoint.as_str(), "delivery");
    assert_eq!(m.locale.as_str(), "cs");
    assert_eq!(m.invitation_token.as_deref(), Some("tok-123"));
}

#[test]
fn a_locale_the_survey_does_not_have_is_rejected() {
    for bad in ["de", "english", ""] {
        assert_problems(
            meta(json!({ "locale": bad })),
            &[("locale", "unknown_locale")],
        );
    }
    assert_problems(meta(json!({ "locale": 5 })), &[("locale", "wrong_type")]);
}

#[test]
fn a_bad_channel_or_touchpoint_is_rejected() {
    assert_problems(
        meta(json!({ "channel": "fax" })),
        &[("channel", "not_one_of")],
    );
    assert_problems(
        meta(json!({ "channel": "Web" })),
        &[("channel", "not_one_of")],
    );
    assert_problems(meta(json!({ "channel": 5 })), &[("channel", "wrong_type")]);
    assert_problems(
        meta(json!({ "touchpoint": "Check Out" })),
        &[("touchpoint", "invalid_id")],
    );
}

#[test]
fn a_contact_email_is_trimmed_lowercased_and_checked() {
    let m = meta(json!({
        "contact": { "email": "  Jan.Novak@Example.CZ ", "external_id": " crm-42 " },
    }))
    .unwrap();
    assert_eq!(m.contact_email.as_deref(), Some("jan.novak@example.cz"));
    assert_eq!(m.contact_external_id.as_deref(), Some("crm-42"));

    let m = meta(json!({ "contact": { "email": "   " } })).unwrap();
    assert_eq!(m.contact_email, None, "a blank email is no email");

    assert_problems(
        meta(json!({ "contact": { "email": "jan.novak" } })),
        &[("contact.email", "invalid_email")],
    );
    assert_problems(
        meta(json!({ "contact": { "email": "jan@example.cz", "phone": "601 123 456" } })),
        &[("contact.phone", "unknown_field")],
    );
    assert_problems(
        meta(json!({ "contact": "jan@example.cz" })),
        &[("contact", "wrong_type")],
    );
    assert_problems(
        meta(json!({ "contact": { "external_id": 42 } })),
        &[("contact.external_id", "wrong_type")],
    );
}

#[test]
fn identities_longer_than_the_limit_are_rejected() {
    let at_limit = "x".repeat(limits::MAX_IDENTITY);
    let over = "x".repeat(limits::MAX_IDENTITY + 1);
    assert!(
        meta(json!({ "contact": { "external_id": at_limit }, "invitation_token": at_limit }))
            .is_ok()
    );
    assert_problems(
        meta(json!({ "contact": { "external_id": over }, "invitation_token": over })),
        &[
            ("contact.external_id", "too_long"),
            ("invitation_token", "too_long"),
        ],
    );
}

#[test]
fn attributes_are_kept_as_strings() {
    let m = meta(json!({
        "attributes": { "plan": "pro", "orders": 12, "vip": true, "basket": 45.5 },
    }))
    .unwrap();
    let expected: BTreeMap<String, String> = [
        ("basket", "45.5"),
        ("orders", "12"),
        ("plan", "pro"),
        ("vip", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(m.attributes, expected);
}

#[test]
fn attributes_beyond_the_limits_are_rejected() {
    let many = |n: usize| -> Json {
        Json::Object((0..n).map(|i| (format!("k{i:02}"), json!("v"))).collect())
    };
    assert_eq!(
        meta(json!({ "attributes": many(limits::MAX_ATTRIBUTES) }))
            .unwrap()
            .attributes
            .len(),
        limits::MAX_ATTRIBUTES
    );
    assert_problems(
        meta(json!({ "attributes": many(limits::MAX_ATTRIBUTES + 1) })),
        &[("attributes", "too_many")],
    );

    let long_key = "k".repeat(limits::MAX_ATTRIBUTE_KEY + 1);
    let long_key_path = format!("attributes.{long_key}");
    let ok_key = "k".repeat(limits::MAX_ATTRIBUTE_KEY);
    assert_problems(
        meta(json!({ "attributes": {
            long_key.clone(): "v",
            ok_key: "ř".repeat(limits::MAX_ATTRIBUTE_VALUE),
            "note": "x".repeat(limits::MAX_ATTRIBUTE_VALUE + 1),
            "tags": ["a", "b"],
            "nothing": null,
        } })),
        &[
            (long_key_path.as_str(), "too_long"),
            ("attributes.note", "too_long"),
            ("attributes.nothing", "wrong_type"),
            ("attributes.tags", "wrong_type"),
        ],
    );
    assert_problems(
        meta(json!({ "attributes": ["plan", "pro"] })),
        &[("attributes", "wrong_type")],
    );
}

/// Regression: an empty attribute key was reported as too long.
#[test]
fn an_empty_attribute_key_is_reported_as_empty() {
    assert_problems(
        meta(json!({ "attributes": { "": "v" } })),
        &[("attributes.", "empty")],
    );
}

#[test]
fn every_metadata_problem_is_reported_at_once() {
    assert_problems(
        meta(json!({
            "channel": "fax",
            "touchpoint": "Check Out",
            "locale": "de",
            "contact": { "email": "nope" },
            "invitation_token": 7,
            "attributes": "none",
        })),
        &[
            ("channel", "not_one_of"),
            ("touchpoint", "invalid_id"),
            ("locale", "unknown_locale"),
            ("contact.email", "invalid_email"),
            ("invitation_token", "wrong_type"),
            ("attributes", "wrong_type"),
        ],
    );
}

#[test]
fn answers_print_back_to_the_format_they_were_given_in() {
    let a = Answer::Choices {
        selected: oids(&["speed"]),
        other: Some("Offline".into()),
    };
    assert_eq!(
        a.to_value(),
        value(json!({ "selected": ["speed"], "other": "Offline" }))
    );
    assert_eq!(
        Answer::Choices {
            selected: oids(&["speed"]),
            other: None
        }
        .to_value(),
        value(json!(["speed"]))
    );
    assert_eq!(
        Answer::Contact {
            email: Some("jan@example.cz".into()),
            phone: None,
            consent: true
        }
        .to_value(),
        value(json!({ "email": "jan@example.cz", "consent": true }))
    );
    assert_eq!(Answer::Score(7).to_value(), Value::Int(7));
}

#[test]
fn a_required_matrix_needs_every_row_to_complete_but_not_to_save_progress() {
    let survey = puls_core::Survey::parse(&value(survey_json(json!([{
        "id": "grid", "type": "matrix", "required": true, "text": t("Rate"),
        "rows": [opt("a"), opt("b")], "min": 1, "max": 5
    }]))))
    .unwrap();
    let half = answers(json!({ "grid": { "a": 4 } }));
    assert_problems(
        survey.validate_answers(&half, Completion::Complete, "answers"),
        &[("answers.grid.b", "required")],
    );
    assert!(
        survey
            .validate_answers(&half, Completion::Partial, "answers")
            .is_ok()
    );
    let full = answers(json!({ "grid": { "a": 4, "b": 2 } }));
    assert!(
        survey
            .validate_answers(&full, Completion::Complete, "answers")
            .is_ok()
    );
}
