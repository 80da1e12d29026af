//! Helpers shared by the puls-core test binaries: JSON to `Value`, sample surveys, error lists.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;

use puls_core::{FieldErrors, Survey, Value};
use serde_json::{Value as Json, json};

/// Converts a `serde_json` value into the core's format-neutral tree, as the edges do.
pub fn value(j: Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            // Integers above i64::MAX and real numbers both become floats.
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Str(s),
        Json::Array(items) => Value::List(items.into_iter().map(value).collect()),
        Json::Object(map) => Value::Map(map.into_iter().map(|(k, v)| (k, value(v))).collect()),
    }
}

/// A JSON object as the answers map that `Survey::validate_answers` takes.
pub fn answers(j: Json) -> BTreeMap<String, Value> {
    match value(j) {
        Value::Map(m) => m,
        other => panic!("answers must be a JSON object, got {other:?}"),
    }
}

/// The same text in Polish, Czech and English (the translations are marked, not translated).
pub fn t(en: &str) -> Json {
    json!({ "pl": format!("{en} (pl)"), "cs": format!("{en} (cs)"), "en": en })
}

/// A choice with a three-language text.
pub fn opt(id: &str) -> Json {
    json!({ "id": id, "text": t(id) })
}

/// A minimal survey in pl, cs and en around the given questions.
pub fn survey_json(questions: Json) -> Json {
    json!({
        "title": t("Survey"),
        "locales": ["pl", "cs", "en"],
        "touchpoint": "checkout",
        "questions": questions,
    })
}

/// A survey in pl, cs and en with one question of every type and no logic.
pub fn every_type_json() -> Json {
    json!({
        "title": {
            "pl": "Jak nam poszło?",
            "cs": "Jak jsme si vedli?",
            "en": "How did we do?",
        },
        "intro": t("Thank you for shopping with us"),
        "thank_you": t("Thank you"),
        "locales": ["pl", "cs", "en"],
        "default_locale": "pl",
        "touchpoint": "checkout",
        "channel": "email",
        "questions": [
            {
                "id": "nps",
                "type": "nps",
                "text": {
                    "pl": "Jak bardzo prawdopodobne jest, że polecisz nas znajomym?",
                    "cs": "Jak pravděpodobné je, že nás doporučíte přátelům?",
                    "en": "How likely are you to recommend us to a friend?",
                },
                "required": true,
            },
            { "id": "csat", "type": "csat", "text": t("How satisfied are you?") },
            {
                "id": "ces",
                "type": "ces",
                "text": t("How easy was it?"),
                "help": t("1 is very hard, 7 is very easy"),
            },
            {
                "id": "rating",
                "type": "rating",
                "text": t("Rate the delivery"),
                "min": 0,
                "max": 10,
                "min_label": t("Terrible"),
                "max_label": t("Perfect"),
            },
            {
                "id": "plan",
                "type": "single_choice",
                "text": t("Which plan do you use?"),
                "options": [opt("basic"), opt("pro"), opt("enterprise")],
                "randomize": true,
            },
            {
                "id": "features",
                "type": "multiple_choice",
                "text": t("Which features do you use?"),
                "options": [opt("speed"), opt("price"), opt("support"), opt("design")],
                "other": t("Something else"),
                "min_choices": 1,
                "max_choices": 3,
            },
            {
                "id": "comment",
                "type": "open_text",
                "text": t("Anything else?"),
                "max_length": 20,
                "multiline": false,
            },
            {
                "id": "aspects",
                "type": "matrix",
                "text": t("Rate each part of the visit"),
                "rows": [opt("delivery"), opt("packaging"), opt("staff")],
                "min": 1,
                "max": 5,
            },
            {
                "id": "priorities",
                "type": "ranking",
                "text": t("Rank what matters most"),
                "options": [opt("price"), opt("quality"), opt("speed")],
            },
            {
                "id": "dark_mode",
                "type": "kano",
                "text": t("Dark mode"),
                "functional": t("How would you feel if the app had a dark mode?"),
                "dysfunctional": t("How would you feel if it did not?"),
            },
            {
                "id": "contact",
                "type": "contact",
                "text": t("May we contact you about your answers?"),
                "fields": ["email", "phone"],
                "consent": t("I agree to be contacted"),
            },
        ],
    })
}

pub fn every_type_survey() -> Survey {
    Survey::parse(&value(every_type_json())).expect("the every-type survey is valid")
}

/// A single-language survey with skip logic and an early end:
///
/// 0. `customer` (yes/no, required) ends the survey when "no";
/// 1. `nps` (required);
/// 2. `reason` (required) only for detractors (nps <= 6);
/// 3. `price_detail` (required) only when the reason is the price;
/// 4. `praise` only for promoters (nps >= 9) who gave no reason;
/// 5. `contact` (email only) for detractors or when praise was given.
pub fn logic_json() -> Json {
    json!({
        "title": "Quick check",
        "locales": ["en"],
        "touchpoint": "delivery",
        "questions": [
            {
                "id": "customer",
                "type": "single_choice",
                "text": "Did you order from us?",
                "options": [{ "id": "yes", "text": "Yes" }, { "id": "no", "text": "No" }],
                "required": true,
                "end_if": { "question": "customer", "op": "in", "values": ["no"] },
            },
            { "id": "nps", "type": "nps", "text": "Would you recommend us?", "required": true },
            {
                "id": "reason",
                "type": "single_choice",
                "text": "What went wrong?",
                "options": [
                    { "id": "price", "text": "Price" },
                    { "id": "quality", "text": "Quality" },
                    { "id": "service", "text": "Service" },
                ],
                "required": true,
                "show_if": { "question": "nps", "op": "lte", "value": 6 },
            },
            {
                "id": "price_detail",
                "type": "open_text",
                "text": "What would a fair price be?",
                "required": true,
                "show_if": { "question": "reason", "op": "in", "values": ["price"] },
            },
            {
                "id": "praise",
                "type": "open_text",
                "text": "What did you like?",
                "show_if": {
                    "all": [
                        { "question": "nps", "op": "gte", "value": 9 },
                        { "not": { "question": "reason", "op": "answered" } },
                    ],
                },
            },
            {
                "id": "contact",
                "type": "contact",
                "text": "Can we follow up?",
                "fields": ["email"],
                "consent": "You may email me",
                "show_if": {
                    "any": [
                        { "question": "nps", "op": "lte", "value": 6 },
                        { "question": "praise", "op": "answered" },
                    ],
                },
            },
        ],
    })
}

pub fn logic_survey() -> Survey {
    Survey::parse(&value(logic_json())).expect("the logic survey is valid")
}

/// The (path, code) pairs of a list of problems, in the order they were reported.
pub fn problems(errs: &FieldErrors) -> Vec<(String, String)> {
    errs.0
        .iter()
        .map(|e| (e.path.clone(), e.kind.code().to_string()))
        .collect()
}

/// Owned (path, code) pairs, for comparing with [`problems`].
pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

/// Asserts that a result failed with exactly these (path, code) pairs, in this order.
#[track_caller]
pub fn assert_problems<T: std::fmt::Debug>(
    result: Result<T, FieldErrors>,
    expected: &[(&str, &str)],
) {
    match result {
        Ok(ok) => panic!("accepted, expected {expected:?}: {ok:#?}"),
        Err(errs) => assert_eq!(problems(&errs), pairs(expected), "{errs:#?}"),
    }
}
