//! Data-driven tests of the survey definition parser and printer.
//!
//! Bad definitions assert the exact list of (path, code) pairs, in the order reported, so a
//! change in what is reported (a lost problem or a spurious one) shows up as a diff.

mod common;

use common::{assert_problems, every_type_json, logic_json, opt, survey_json, t, value};
use puls_core::survey::{CmpOp, ContactField, limits};
use puls_core::{
    Channel, Condition, FieldErrorKind, FieldErrors, Locale, OptionId, QuestionId, QuestionKind,
    Survey, Value,
};
use serde_json::{Value as Json, json};

fn parse(j: Json) -> Result<Survey, FieldErrors> {
    Survey::parse(&value(j))
}

/// A pl/cs/en survey with these questions.
fn with_questions(questions: Json) -> Result<Survey, FieldErrors> {
    parse(survey_json(questions))
}

fn locale(s: &str) -> Locale {
    Locale::parse(s).unwrap()
}

fn qid(s: &str) -> QuestionId {
    QuestionId::parse(s).unwrap()
}

fn oid(s: &str) -> OptionId {
    OptionId::parse(s).unwrap()
}

fn option_ids(kind: &QuestionKind) -> Vec<&str> {
    kind.options()
        .unwrap()
        .iter()
        .map(|c| c.id.as_str())
        .collect()
}

// Valid definitions.

#[test]
fn a_survey_with_every_question_type_in_three_languages_parses() {
    let s = parse(every_type_json()).unwrap();

    assert_eq!(s.locales, [locale("pl"), locale("cs"), locale("en")]);
    assert_eq!(s.default_locale, locale("pl"));
    assert_eq!(s.touchpoint.as_str(), "checkout");
    assert_eq!(s.channel, Channel::Email);
    assert!(s.intro.is_some() && s.thank_you.is_some());
    // One question of every type, in the order of the list every type menu takes.
    let types: Vec<_> = s.questions.iter().map(|q| q.kind.type_name()).collect();
    assert_eq!(types, QuestionKind::TYPE_NAMES);
    let q = |id: &str| s.question(&qid(id)).unwrap();
    assert!(q("nps").required);
    assert!(!q("csat").required, "required defaults to false");
    assert!(q("ces").help.is_some());
    assert!(q("csat").show_if.is_none() && q("csat").end_if.is_none());

    match &q("rating").kind {
        QuestionKind::Rating(scale) => {
            assert_eq!((scale.min, scale.max), (0, 10));
            let label = scale.max_label.as_ref().unwrap();
            assert_eq!(label.get(&locale("cs"), &locale("pl")), "Perfect (cs)");
        }
        other => panic!("{other:?}"),
    }
    match &q("plan").kind {
        QuestionKind::SingleChoice { randomize, .. } => assert!(randomize),
        other => panic!("{other:?}"),
    }
    assert_eq!(option_ids(&q("plan").kind), ["basic", "pro", "enterprise"]);
    match &q("features").kind {
        QuestionKind::MultipleChoice {
            other,
            min_choices,
            max_choices,
            randomize,
            ..
        } => {
            let other = other.as_ref().unwrap();
            assert_eq!(
                other.get(&locale("en"), &locale("pl")),
                "Something else",
                "the 'other' entry keeps its label"
            );
            assert_eq!((*min_choices, *max_choices), (1, Some(3)));
            assert!(!randomize, "randomize defaults to false");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        q("comment").kind,
        QuestionKind::OpenText {
            max_length: 20,
            multiline: false
        }
    );
    match &q("aspects").kind {
        QuestionKind::Matrix { rows, scale } => {
            let rows: Vec<_> = rows.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(rows, ["delivery", "packaging", "staff"]);
            assert_eq!((scale.min, scale.max), (1, 5));
            assert!(scale.min_label.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        option_ids(&q("priorities").kind),
        ["price", "quality", "speed"]
    );
    match &q("dark_mode").kind {
        QuestionKind::Kano { dysfunctional, .. } => assert_eq!(
            dysfunctional.get(&locale("pl"), &locale("pl")),
            "How would you feel if it did not? (pl)"
        ),
        other => panic!("{other:?}"),
    }
    match &q("contact").kind {
        QuestionKind::Contact { fields, .. } => {
            assert_eq!(fields, &[ContactField::Email, ContactField::Phone])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn texts_are_kept_per_locale_and_fall_back_to_the_default() {
    let s = parse(every_type_json()).unwrap();
    let nps = &s.questions[0].text;
    let pl = locale("pl");
    assert_eq!(
        nps.get(&locale("cs"), &pl),
        "Jak pravděpodobné je, že nás doporučíte přátelům?"
    );
    assert_eq!(
        nps.get(&locale("pl"), &pl),
        "Jak bardzo prawdopodobne jest, że polecisz nas znajomym?"
    );
    assert_eq!(
        nps.get(&locale("de"), &pl),
        "Jak bardzo prawdopodobne jest, że polecisz nas znajomym?"
    );
    let locales: Vec<_> = nps.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(locales, ["cs", "en", "pl"]);
}

#[test]
fn the_canonical_print_spells_out_every_default() {
    let s = parse(json!({
        "title": "Feedback",
        "locales": ["en"],
        "touchpoint": "support",
        "questions": [{ "id": "comment", "type": "open_text", "text": "Tell us more" }],
    }))
    .unwrap();
    let expected = value(json!({
        "title": { "en": "Feedback" },
        "locales": ["en"],
        "default_locale": "en",
        "touchpoint": "support",
        "channel": "web",
        "questions": [{
            "id": "comment",
            "type": "open_text",
            "text": { "en": "Tell us more" },
            "required": false,
            "max_length": limits::DEFAULT_OPEN_TEXT_LENGTH,
            "multiline": true,
        }],
    }));
    assert_eq!(s.to_value(), expected);
}

#[test]
fn printing_a_parsed_survey_and_parsing_it_again_changes_nothing() {
    for def in [every_type_json(), logic_json()] {
        let s = parse(def).unwrap();
        let printed = s.to_value();
        let again = Survey::parse(&printed).unwrap();
        assert_eq!(again, s);
        assert_eq!(again.to_value(), printed);
    }
}

#[test]
fn a_single_language_survey_may_give_texts_as_plain_strings() {
    let s = parse(logic_json()).unwrap();
    assert_eq!(s.locales, [locale("en")]);
    assert_eq!(s.title.get(&locale("en"), &locale("en")), "Quick check");
    assert_eq!(s.channel, Channel::Web, "the channel defaults to web");
}

#[test]
fn a_plain_string_text_is_rejected_when_there_are_several_locales() {
    let mut def = survey_json(json!([{ "id": "nps", "type": "nps", "text": t("Recommend?") }]));
    def["title"] = json!("Survey");
    assert_problems(parse(def), &[("title", "wrong_type")]);
}

#[test]
fn conditions_are_parsed_into_their_typed_form() {
    let s = parse(logic_json()).unwrap();
    let q = |id: &str| s.question(&qid(id)).unwrap();
    assert_eq!(
        q("customer").end_if,
        Some(Condition::In {
            question: qid("customer"),
            options: vec![oid("no")],
        })
    );
    assert_eq!(
        q("reason").show_if,
        Some(Condition::Compare {
            question: qid("nps"),
            op: CmpOp::Lte,
            value: 6,
        })
    );
    assert_eq!(
        q("praise").show_if,
        Some(Condition::All(vec![
            Condition::Compare {
                question: qid("nps"),
                op: CmpOp::Gte,
                value: 9,
            },
            Condition::Not(Box::new(Condition::Answered(qid("reason")))),
        ]))
    );
    let contact_reads: Vec<_> = q("contact")
        .show_if
        .as_ref()
        .unwrap()
        .questions()
        .into_iter()
        .map(|q| q.as_str())
        .collect();
    assert_eq!(contact_reads, ["nps", "praise"]);
}

#[test]
fn whole_floats_are_accepted_as_integers_and_fractions_are_not() {
    let s = with_questions(json!([{
        "id": "stars", "type": "rating", "text": t("Stars"), "min": 1.0, "max": 5.0,
    }]))
    .unwrap();
    assert_eq!(s.questions[0].kind.score_range(), Some((1, 5)));

    assert_problems(
        with_questions(json!([{
            "id": "stars", "type": "rating", "text": t("Stars"), "min": 1, "max": 5.5,
        }])),
        &[("questions[0].max", "wrong_type")],
    );
}

#[test]
fn null_is_treated_as_an_absent_field() {
    let s = parse(json!({
        "title": "Feedback",
        "locales": ["en"],
        "default_locale": null,
        "intro": null,
        "channel": null,
        "touchpoint": "support",
        "questions": [{
            "id": "nps", "type": "nps", "text": "Recommend?",
            "required": null, "help": null, "show_if": null,
        }],
    }))
    .unwrap();
    assert_eq!(s.default_locale, locale("en"));
    assert!(s.intro.is_none());
    assert!(!s.questions[0].required);

    assert_problems(
        parse(json!({
            "title": null, "locales": ["en"], "touchpoint": "support",
            "questions": [{ "id": "nps", "type": "nps", "text": "Recommend?" }],
        })),
        &[("title", "required")],
    );
}

#[test]
fn locales_are_normalised_wherever_they_appear() {
    let s = parse(json!({
        "title": { "PL": "Ankieta", "pt_br": "Pesquisa" },
        "locales": ["pl", "PT-br"],
        "default_locale": "pt-BR",
        "touchpoint": "support",
        "questions": [{ "id": "nps", "type": "nps", "text": { "pl": "Polecisz?", "pt-BR": "Recomenda?" } }],
    }))
    .unwrap();
    assert_eq!(s.locales, [locale("pl"), locale("pt-BR")]);
    assert_eq!(s.default_locale.as_str(), "pt-BR");
    assert_eq!(s.title.get(&locale("pt-BR"), &locale("pl")), "Pesquisa");
}

// Bad definitions.

#[test]
fn duplicate_question_ids_are_rejected() {
    let result = with_questions(json!([
        { "id": "nps", "type": "nps", "text": t("Recommend?") },
        { "id": "nps", "type": "csat", "text": t("Satisfied?") },
    ]));
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::Duplicate { id: "nps".into() }
    );
    assert_problems(result, &[("questions[1].id", "duplicate_id")]);
}

#[test]
fn duplicate_option_ids_are_rejected() {
    assert_problems(
        with_questions(json!([{
            "id": "plan", "type": "single_choice", "text": t("Plan?"),
            "options": [opt("basic"), opt("pro"), opt("basic")],
        }])),
        &[("questions[0].options[2].id", "duplicate_id")],
    );
}

#[test]
fn duplicate_matrix_rows_are_rejected() {
    assert_problems(
        with_questions(json!([{
            "id": "grid", "type": "matrix", "text": t("Rate"), "min": 1, "max": 5,
            "rows": [opt("speed"), opt("speed")],
        }])),
        &[("questions[0].rows[1].id", "duplicate_id")],
    );
}

#[test]
fn a_condition_on_an_unknown_question_is_rejected() {
    let result = with_questions(json!([
        { "id": "nps", "type": "nps", "text": t("Recommend?") },
        {
            "id": "why", "type": "open_text", "text": t("Why?"),
            "show_if": { "question": "npss", "op": "lt", "value": 7 },
        },
    ]));
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::UnknownQuestion { id: "npss".into() }
    );
    assert_problems(
        result,
        &[("questions[1].show_if.question", "unknown_question")],
    );
}

#[test]
fn a_condition_on_a_later_question_is_rejected() {
    assert_problems(
        with_questions(json!([
            {
                "id": "why", "type": "open_text", "text": t("Why?"),
                "show_if": { "question": "nps", "op": "lt", "value": 7 },
            },
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
        ])),
        &[("questions[0].show_if.question", "unknown_question")],
    );
}

#[test]
fn a_show_if_may_not_test_its_own_question_but_an_end_if_may() {
    assert_problems(
        with_questions(json!([{
            "id": "nps", "type": "nps", "text": t("Recommend?"),
            "show_if": { "question": "nps", "op": "answered" },
        }])),
        &[("questions[0].show_if.question", "unknown_question")],
    );
    let s = with_questions(json!([{
        "id": "nps", "type": "nps", "text": t("Recommend?"),
        "end_if": { "question": "nps", "op": "lt", "value": 3 },
    }]))
    .unwrap();
    assert!(s.questions[0].end_if.is_some());
}

#[test]
fn a_text_missing_for_a_declared_locale_is_rejected() {
    let result = with_questions(json!([{
        "id": "nps", "type": "nps", "text": { "pl": "Polecisz nas?", "en": "Recommend us?" },
    }]));
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::MissingTranslation {
            locale: "cs".into()
        }
    );
    assert_problems(result, &[("questions[0].text", "missing_translation")]);
}

#[test]
fn a_text_in_an_undeclared_locale_is_rejected() {
    let mut text = t("Recommend us?");
    text["de"] = json!("Empfehlen?");
    assert_problems(
        with_questions(json!([{ "id": "nps", "type": "nps", "text": text }])),
        &[("questions[0].text.de", "unknown_locale")],
    );
}

#[test]
fn a_rating_whose_min_is_not_below_max_is_rejected() {
    for (min, max) in [(5, 5), (7, 3)] {
        assert_problems(
            with_questions(json!([{
                "id": "stars", "type": "rating", "text": t("Stars"), "min": min, "max": max,
            }])),
            &[("questions[0].max", "min_not_below_max")],
        );
    }
}

#[test]
fn a_rating_scale_of_more_than_a_hundred_steps_is_rejected() {
    let rating = |min: i64, max: i64| {
        with_questions(json!([{
            "id": "stars", "type": "rating", "text": t("Stars"), "min": min, "max": max,
        }]))
    };
    assert!(rating(-50, 50).is_ok());
    let result = rating(-50, 51);
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::OutOfRange { min: -49, max: 50 }
    );
    assert_problems(result, &[("questions[0].max", "out_of_range")]);
    assert_problems(rating(0, 1001), &[("questions[0].max", "out_of_range")]);
}

/// Regression: `max - min` overflowed (a panic in debug builds) for bounds near the i64 limits.
#[test]
fn a_scale_with_extreme_bounds_is_rejected_without_overflowing() {
    assert_problems(
        with_questions(json!([{
            "id": "stars", "type": "rating", "text": t("Stars"),
            "min": i64::MIN, "max": i64::MAX,
        }])),
        &[
            ("questions[0].min", "out_of_range"),
            ("questions[0].max", "out_of_range"),
        ],
    );
}

#[test]
fn an_unknown_field_is_rejected_at_every_level() {
    let mut def = survey_json(json!([
        { "id": "nps", "type": "nps", "text": t("Recommend?"), "requird": true },
        {
            "id": "plan", "type": "single_choice", "text": t("Plan?"),
            "options": [{ "id": "pro", "text": t("Pro"), "price": 10 }],
            "show_if": { "question": "nps", "op": "gt", "value": 6, "unit": "points" },
        },
    ]));
    def["colour"] = json!("blue");
    assert_problems(
        parse(def),
        &[
            ("questions[0].requird", "unknown_field"),
            ("questions[1].options[0].price", "unknown_field"),
            ("questions[1].show_if.unit", "unknown_field"),
            ("colour", "unknown_field"),
        ],
    );
}

#[test]
fn a_field_of_another_question_type_is_an_unknown_field() {
    assert_problems(
        with_questions(json!([{
            "id": "nps", "type": "nps", "text": t("Recommend?"),
            "options": [opt("a")], "max_length": 10,
        }])),
        &[
            ("questions[0].max_length", "unknown_field"),
            ("questions[0].options", "unknown_field"),
        ],
    );
}

#[test]
fn an_unknown_question_type_is_rejected() {
    assert_problems(
        with_questions(json!([{ "id": "mood", "type": "slider", "text": t("Mood?") }])),
        &[("questions[0].type", "not_one_of")],
    );
}

#[test]
fn a_comparison_on_a_choice_question_is_rejected() {
    let result = with_questions(json!([
        {
            "id": "plan", "type": "single_choice", "text": t("Plan?"),
            "options": [opt("basic"), opt("pro")],
        },
        {
            "id": "why", "type": "open_text", "text": t("Why?"),
            "show_if": { "question": "plan", "op": "gt", "value": 1 },
        },
    ]));
    assert!(matches!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::BadCondition { .. }
    ));
    assert_problems(result, &[("questions[1].show_if.op", "bad_condition")]);
}

#[test]
fn an_in_condition_on_a_score_or_ranking_question_is_rejected() {
    for question in [
        json!({ "id": "first", "type": "nps", "text": t("Recommend?") }),
        json!({
            "id": "first", "type": "ranking", "text": t("Rank"),
            "options": [opt("a"), opt("b")],
        }),
    ] {
        assert_problems(
            with_questions(json!([
                question,
                {
                    "id": "why", "type": "open_text", "text": t("Why?"),
                    "show_if": { "question": "first", "op": "in", "values": ["a"] },
                },
            ])),
            &[("questions[1].show_if.op", "bad_condition")],
        );
    }
}

#[test]
fn an_in_condition_with_an_unknown_option_is_rejected() {
    let result = with_questions(json!([
        {
            "id": "plan", "type": "multiple_choice", "text": t("Plans?"),
            "options": [opt("basic"), opt("pro")],
        },
        {
            "id": "why", "type": "open_text", "text": t("Why?"),
            "show_if": { "question": "plan", "op": "in", "values": ["pro", "gold", 3] },
        },
    ]));
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::UnknownOption { id: "gold".into() }
    );
    assert_problems(
        result,
        &[
            ("questions[1].show_if.values[1]", "unknown_option"),
            ("questions[1].show_if.values[2]", "unknown_option"),
        ],
    );
}

#[test]
fn an_in_condition_needs_a_non_empty_list_of_values() {
    let in_with = |values: Json| {
        let mut cond = json!({ "question": "plan", "op": "in" });
        if !values.is_null() {
            cond["values"] = values;
        }
        with_questions(json!([
            {
                "id": "plan", "type": "single_choice", "text": t("Plan?"),
                "options": [opt("basic"), opt("pro")],
            },
            { "id": "why", "type": "open_text", "text": t("Why?"), "show_if": cond },
        ]))
    };
    assert_problems(
        in_with(json!([])),
        &[("questions[1].show_if.values", "wrong_type")],
    );
    assert_problems(
        in_with(json!("pro")),
        &[("questions[1].show_if.values", "wrong_type")],
    );
    assert_problems(
        in_with(Json::Null),
        &[("questions[1].show_if.values", "required")],
    );
}

#[test]
fn an_unknown_operator_is_rejected() {
    assert_problems(
        with_questions(json!([
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            {
                "id": "why", "type": "open_text", "text": t("Why?"),
                "show_if": { "question": "nps", "op": "between", "value": 3 },
            },
        ])),
        &[("questions[1].show_if.op", "not_one_of")],
    );
}

#[test]
fn a_comparison_needs_an_integer_value() {
    let compare = |cond: Json| {
        with_questions(json!([
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            { "id": "why", "type": "open_text", "text": t("Why?"), "show_if": cond },
        ]))
    };
    assert_problems(
        compare(json!({ "question": "nps", "op": "lt" })),
        &[("questions[1].show_if.value", "required")],
    );
    assert_problems(
        compare(json!({ "question": "nps", "op": "lt", "value": "7" })),
        &[("questions[1].show_if.value", "wrong_type")],
    );
    assert_problems(
        compare(json!({ "question": "nps", "op": "answered", "value": 7 })),
        &[("questions[1].show_if.value", "unknown_field")],
    );
}

/// Regression: a condition without `op` returned before checking its keys, so the misspelt
/// key that caused the problem was not reported.
#[test]
fn a_condition_missing_its_operator_still_reports_unknown_fields() {
    assert_problems(
        with_questions(json!([
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            {
                "id": "why", "type": "open_text", "text": t("Why?"),
                "show_if": { "question": "nps", "operator": "lt", "value": 7 },
            },
        ])),
        &[
            ("questions[1].show_if.op", "required"),
            ("questions[1].show_if.operator", "unknown_field"),
        ],
    );
}

#[test]
fn empty_and_malformed_condition_groups_are_rejected() {
    let show_if = |cond: Json| {
        with_questions(json!([
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            { "id": "why", "type": "open_text", "text": t("Why?"), "show_if": cond },
        ]))
    };
    assert_problems(
        show_if(json!({ "all": [] })),
        &[("questions[1].show_if.all", "wrong_type")],
    );
    assert_problems(
        show_if(json!({ "any": { "question": "nps", "op": "answered" } })),
        &[("questions[1].show_if.any", "wrong_type")],
    );
    assert_problems(
        show_if(json!({ "all": [{ "question": "nps", "op": "answered" }, "nps"] })),
        &[("questions[1].show_if.all[1]", "wrong_type")],
    );
    assert_problems(
        show_if(json!({ "all": [{ "question": "nps", "op": "answered" }], "any": [] })),
        &[("questions[1].show_if.any", "unknown_field")],
    );
}

/// Regression: `{"not": null}` was silently dropped, so the question lost its condition and
/// was always shown; inside `all` it left an empty list that the printer wrote and the parser
/// then rejected, breaking the round trip.
#[test]
fn a_not_without_a_condition_is_rejected_instead_of_dropped() {
    assert_problems(
        with_questions(json!([
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            { "id": "why", "type": "open_text", "text": t("Why?"), "show_if": { "not": null } },
            {
                "id": "more", "type": "open_text", "text": t("More?"),
                "show_if": { "all": [{ "not": null }] },
            },
        ])),
        &[
            ("questions[1].show_if.not", "required"),
            ("questions[2].show_if.all[0].not", "required"),
        ],
    );
}

#[test]
fn conditions_nested_deeper_than_the_limit_are_rejected() {
    let nested = |levels: usize| {
        let mut cond = json!({ "question": "nps", "op": "answered" });
        for _ in 0..levels {
            cond = json!({ "not": cond });
        }
        with_questions(json!([
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            { "id": "why", "type": "open_text", "text": t("Why?"), "show_if": cond },
        ]))
    };
    assert!(nested(limits::MAX_CONDITION_DEPTH).is_ok());
    let too_deep = format!(
        "questions[1].show_if{}",
        ".not".repeat(limits::MAX_CONDITION_DEPTH + 1)
    );
    assert_problems(
        nested(limits::MAX_CONDITION_DEPTH + 1),
        &[(too_deep.as_str(), "bad_condition")],
    );
}

#[test]
fn a_default_locale_that_is_not_declared_is_rejected() {
    let mut def = survey_json(json!([{ "id": "nps", "type": "nps", "text": t("Recommend?") }]));
    def["default_locale"] = json!("de");
    let result = parse(def);
    assert_eq!(
        result.clone().unwrap_err().0[0].kind,
        FieldErrorKind::UnknownLocale {
            locale: "de".into()
        }
    );
    assert_problems(result, &[("default_locale", "unknown_locale")]);
}

#[test]
fn the_first_locale_is_the_default_unless_another_is_named() {
    let mut def = survey_json(json!([{ "id": "nps", "type": "nps", "text": t("Recommend?") }]));
    assert_eq!(parse(def.clone()).unwrap().default_locale, locale("pl"));
    def["default_locale"] = json!("EN");
    assert_eq!(parse(def).unwrap().default_locale, locale("en"));
}

#[test]
fn a_survey_without_questions_is_rejected() {
    assert_problems(with_questions(json!([])), &[("questions", "empty")]);
}

#[test]
fn a_survey_without_locales_is_rejected() {
    let mut def = survey_json(json!([{ "id": "nps", "type": "nps", "text": "Recommend?" }]));
    def["title"] = json!("Survey");
    def["locales"] = json!([]);
    assert_problems(
        parse(def),
        &[
            ("locales", "empty"),
            ("title", "wrong_type"),
            ("questions[0].text", "wrong_type"),
        ],
    );
}

#[test]
fn duplicate_and_malformed_locales_are_rejected() {
    let mut def = survey_json(json!([{ "id": "nps", "type": "nps", "text": t("Recommend?") }]));
    def["locales"] = json!(["pl", "cs", "en", "PL", "english", 7]);
    assert_problems(
        parse(def),
        &[
            ("locales[3]", "duplicate_id"),
            ("locales[4]", "unknown_locale"),
            ("locales[5]", "wrong_type"),
        ],
    );
}

#[test]
fn every_missing_required_field_is_reported() {
    assert_problems(
        parse(json!({})),
        &[
            ("locales", "required"),
            ("title", "required"),
            ("touchpoint", "required"),
            ("questions", "required"),
        ],
    );
    assert_problems(
        with_questions(json!([{}])),
        &[
            ("questions[0].id", "required"),
            ("questions[0].type", "required"),
            ("questions[0].text", "required"),
        ],
    );
}

#[test]
fn a_definition_that_is_not_an_object_is_rejected() {
    assert_problems(parse(json!(["nps"])), &[("", "wrong_type")]);
    assert_problems(
        with_questions(json!([{ "id": "nps", "type": "nps", "text": t("Recommend?") }, "csat"])),
        &[("questions[1]", "wrong_type")],
    );
}

#[test]
fn malformed_ids_are_rejected() {
    let mut def = survey_json(json!([{
        "id": "Plan Choice", "type": "single_choice", "text": t("Plan?"),
        "options": [opt("1st"), opt("second")],
    }]));
    def["touchpoint"] = json!("Check-out");
    assert_problems(
        parse(def),
        &[
            ("touchpoint", "invalid_id"),
            ("questions[0].id", "invalid_id"),
            ("questions[0].options[0].id", "invalid_id"),
        ],
    );
}

/// Regression: a question with a malformed id returned before checking its keys, so its
/// unknown fields and its `end_if` were never looked at.
#[test]
fn a_question_with_a_malformed_id_still_reports_its_other_problems() {
    assert_problems(
        with_questions(json!([{
            "id": "Q1", "type": "nps", "text": t("Recommend?"), "colour": "red",
            "end_if": { "question": "nps", "op": "lt", "value": 3 },
        }])),
        &[
            ("questions[0].id", "invalid_id"),
            ("questions[0].colour", "unknown_field"),
        ],
    );
}

#[test]
fn an_unknown_channel_is_rejected() {
    let mut def = survey_json(json!([{ "id": "nps", "type": "nps", "text": t("Recommend?") }]));
    def["channel"] = json!("fax");
    assert_problems(parse(def), &[("channel", "not_one_of")]);
}

#[test]
fn blank_and_overlong_texts_are_rejected() {
    let mut text = t("Recommend?");
    text["cs"] = json!(" \t ");
    text["en"] = json!("x".repeat(limits::MAX_TEXT_CHARS + 1));
    assert_problems(
        with_questions(json!([{ "id": "nps", "type": "nps", "text": text }])),
        &[
            ("questions[0].text.cs", "empty"),
            ("questions[0].text.en", "too_long"),
        ],
    );
    // The limit counts characters, not bytes.
    let mut text = t("Recommend?");
    text["cs"] = json!("ř".repeat(limits::MAX_TEXT_CHARS));
    assert!(with_questions(json!([{ "id": "nps", "type": "nps", "text": text }])).is_ok());
}

#[test]
fn choice_questions_need_options_and_a_ranking_needs_two() {
    assert_problems(
        with_questions(json!([
            { "id": "plan", "type": "single_choice", "text": t("Plan?"), "options": [] },
            { "id": "rank", "type": "ranking", "text": t("Rank"), "options": [opt("a")] },
            { "id": "many", "type": "multiple_choice", "text": t("Many?") },
            { "id": "grid", "type": "matrix", "text": t("Grid"), "rows": {}, "min": 1, "max": 3 },
        ])),
        &[
            ("questions[0].options", "empty"),
            ("questions[1].options", "empty"),
            ("questions[2].options", "required"),
            ("questions[3].rows", "wrong_type"),
        ],
    );
}

#[test]
fn too_many_options_are_rejected() {
    let options: Vec<_> = (0..=limits::MAX_OPTIONS)
        .map(|i| opt(&format!("o{i}")))
        .collect();
    assert_problems(
        with_questions(json!([
            { "id": "plan", "type": "single_choice", "text": t("Plan?"), "options": options },
        ])),
        &[("questions[0].options", "too_many")],
    );
}

#[test]
fn multiple_choice_limits_must_fit_the_options() {
    let limits_of = |min: Json, max: Json| {
        with_questions(json!([{
            "id": "many", "type": "multiple_choice", "text": t("Many?"),
            "options": [opt("a"), opt("b"), opt("c")],
            "min_choices": min, "max_choices": max,
        }]))
    };
    assert!(limits_of(json!(3), json!(3)).is_ok());
    assert!(limits_of(json!(0), json!(4)).is_ok(), "room for 'other'");
    assert_problems(
        limits_of(json!(4), Json::Null),
        &[("questions[0].min_choices", "out_of_range")],
    );
    assert_problems(
        limits_of(json!(-1), Json::Null),
        &[("questions[0].min_choices", "out_of_range")],
    );
    assert_problems(
        limits_of(json!(2), json!(1)),
        &[("questions[0].max_choices", "min_not_below_max")],
    );
    assert_problems(
        limits_of(Json::Null, json!(0)),
        &[("questions[0].max_choices", "min_not_below_max")],
    );
    assert_problems(
        limits_of(json!(1), json!(5)),
        &[("questions[0].max_choices", "out_of_range")],
    );
}

#[test]
fn open_text_length_must_be_within_limits() {
    for bad in [json!(0), json!(limits::MAX_OPEN_TEXT_LENGTH + 1), json!(-5)] {
        assert_problems(
            with_questions(json!([{
                "id": "comment", "type": "open_text", "text": t("Comment"), "max_length": bad,
            }])),
            &[("questions[0].max_length", "out_of_range")],
        );
    }
    assert_problems(
        with_questions(json!([{
            "id": "comment", "type": "open_text", "text": t("Comment"), "multiline": "yes",
        }])),
        &[("questions[0].multiline", "wrong_type")],
    );
}

#[test]
fn contact_fields_must_be_email_or_phone_each_once() {
    let contact = |fields: Json| {
        with_questions(json!([{
            "id": "contact", "type": "contact", "text": t("Contact?"),
            "fields": fields, "consent": t("I agree"),
        }]))
    };
    assert_problems(
        contact(json!(["email", "fax", "email"])),
        &[
            ("questions[0].fields[1]", "not_one_of"),
            ("questions[0].fields[2]", "not_one_of"),
        ],
    );
    assert_problems(contact(json!([])), &[("questions[0].fields", "empty")]);
    assert_problems(
        with_questions(json!([{
            "id": "contact", "type": "contact", "text": t("Contact?"), "fields": ["phone"],
        }])),
        &[("questions[0].consent", "required")],
    );
}

#[test]
fn a_kano_question_needs_both_of_its_questions() {
    assert_problems(
        with_questions(json!([{
            "id": "dark_mode", "type": "kano", "text": t("Dark mode"),
            "functional": t("With it?"),
        }])),
        &[("questions[0].dysfunctional", "required")],
    );
}

#[test]
fn several_problems_are_all_reported_in_one_pass() {
    let result = parse(json!({
        "title": { "pl": "Ankieta", "en": "Survey", "de": "Umfrage" },
        "locales": ["pl", "cs", "en"],
        "default_locale": "sk",
        "touchpoint": "checkout",
        "colour": "blue",
        "questions": [
            { "id": "nps", "type": "nps", "text": t("Recommend?") },
            { "id": "nps", "type": "rating", "text": t("Stars"), "min": 5, "max": 1 },
            {
                "id": "why", "type": "open_text", "text": t("Why?"),
                "show_if": { "question": "later", "op": "answered" },
            },
            {
                "id": "later", "type": "single_choice", "text": t("Plan?"),
                "options": [opt("a"), opt("a")],
            },
        ],
    }));
    assert_problems(
        result.clone(),
        &[
            ("default_locale", "unknown_locale"),
            ("title.de", "unknown_locale"),
            ("title", "missing_translation"),
            ("questions[1].max", "min_not_below_max"),
            ("questions[1].id", "duplicate_id"),
            ("questions[2].show_if.question", "unknown_question"),
            ("questions[3].options[1].id", "duplicate_id"),
            ("colour", "unknown_field"),
        ],
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        "8 problem(s), first: default_locale: locale 'sk' is not available"
    );
}

#[test]
fn too_many_questions_are_rejected() {
    let questions: Vec<_> = (0..=limits::MAX_QUESTIONS)
        .map(|i| json!({ "id": format!("q{i}"), "type": "nps", "text": t("Recommend?") }))
        .collect();
    assert_problems(
        with_questions(Json::Array(questions)),
        &[("questions", "too_many")],
    );
}

#[test]
fn a_float_huge_or_not_finite_is_not_an_integer() {
    for bad in [
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(1e300),
    ] {
        let mut def = value(survey_json(json!([{
            "id": "stars", "type": "rating", "text": t("Stars"), "min": 1, "max": 5,
        }])));
        let Value::Map(top) = &mut def else {
            unreachable!()
        };
        let Some(Value::List(questions)) = top.get_mut("questions") else {
            unreachable!()
        };
        let Value::Map(q) = &mut questions[0] else {
            unreachable!()
        };
        q.insert("max".into(), bad);
        assert_problems(Survey::parse(&def), &[("questions[0].max", "wrong_type")]);
    }
}
