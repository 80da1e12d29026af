//! Survey fixtures and small helpers for reading rendered pages.

use std::collections::BTreeMap;

use puls_core::{Answers, Completion, FieldErrors, Locale, Survey, Value};
use puls_html::{FormFields, QuestionPage};

pub fn s(text: &str) -> Value {
    Value::str(text)
}

pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::map(pairs)
}

pub fn list<const N: usize>(items: [Value; N]) -> Value {
    Value::List(items.into())
}

/// A text in English, Polish and Czech.
pub fn tr(en: &str, pl: &str, cs: &str) -> Value {
    obj([("en", s(en)), ("pl", s(pl)), ("cs", s(cs))])
}

fn choice(id: &str, en: &str, pl: &str, cs: &str) -> Value {
    obj([("id", s(id)), ("text", tr(en, pl, cs))])
}

/// One question of every type, in pl, cs and en; the question texts start with the type.
pub fn all_types_definition() -> Value {
    let q = |id: &str, ty: &str, required: bool, extra: Vec<(&str, Value)>| {
        let mut m: Vec<(&str, Value)> = vec![
            ("id", s(id)),
            ("type", s(ty)),
            (
                "text",
                tr(
                    &format!("{ty}: how was it?"),
                    &format!("{ty}: jak było?"),
                    &format!("{ty}: jaké to bylo?"),
                ),
            ),
            ("required", Value::Bool(required)),
        ];
        m.extend(extra);
        Value::map(m)
    };
    let scale = |min: i64, max: i64| {
        vec![
            ("min", Value::Int(min)),
            ("max", Value::Int(max)),
            ("min_label", tr("Poor", "Słabo", "Špatně")),
            ("max_label", tr("Great", "Świetnie", "Skvěle")),
        ]
    };
    let options = || {
        list([
            choice("red", "Red", "Czerwony", "Červená"),
            choice("green", "Green", "Zielony", "Zelená"),
            choice("blue", "Blue", "Niebieski", "Modrá"),
        ])
    };
    obj([
        ("locales", list([s("pl"), s("cs"), s("en")])),
        (
            "title",
            tr("Customer survey", "Ankieta klienta", "Dotazník zákazníka"),
        ),
        (
            "intro",
            tr(
                "It takes a minute.",
                "To zajmie minutę.",
                "Zabere to minutu.",
            ),
        ),
        ("touchpoint", s("checkout")),
        (
            "questions",
            Value::List(vec![
                q("nps", "nps", true, vec![]),
                q("csat", "csat", false, vec![]),
                q("ces", "ces", false, vec![]),
                q("rating", "rating", false, scale(1, 10)),
                q(
                    "single",
                    "single_choice",
                    false,
                    vec![("options", options()), ("randomize", Value::Bool(true))],
                ),
                q(
                    "multi",
                    "multiple_choice",
                    false,
                    vec![
                        ("options", options()),
                        ("other", tr("Other", "Inne", "Jiné")),
                        ("max_choices", Value::Int(2)),
                    ],
                ),
                q(
                    "open",
                    "open_text",
                    false,
                    vec![("max_length", Value::Int(300))],
                ),
                q(
                    "matrix",
                    "matrix",
                    false,
                    [
                        vec![(
                            "rows",
                            list([
                                choice("speed", "Speed", "Szybkość", "Rychlost"),
                                choice("price", "Price", "Cena", "Cena"),
                            ]),
                        )],
                        scale(1, 5),
                    ]
                    .concat(),
                ),
                q(
                    "ranking",
                    "ranking",
                    false,
                    vec![("options", options()), ("randomize", Value::Bool(true))],
                ),
                q(
                    "kano",
                    "kano",
                    false,
                    vec![
                        (
                            "functional",
                            tr(
                                "If it has dark mode?",
                                "Jeśli ma tryb ciemny?",
                                "Pokud má tmavý režim?",
                            ),
                        ),
                        (
                            "dysfunctional",
                            tr(
                                "If it has no dark mode?",
                                "Jeśli nie ma trybu ciemnego?",
                                "Pokud nemá tmavý režim?",
                            ),
                        ),
                    ],
                ),
                q(
                    "contact",
                    "contact",
                    false,
                    vec![
                        ("fields", list([s("email"), s("phone")])),
                        (
                            "consent",
                            tr(
                                "You may contact me.",
                                "Możecie się ze mną skontaktować.",
                                "Můžete mě kontaktovat.",
                            ),
                        ),
                    ],
                ),
            ]),
        ),
    ])
}

pub fn parse(definition: &Value) -> Survey {
    match Survey::parse(definition) {
        Ok(s) => s,
        Err(e) => panic!("fixture does not parse: {e:?}"),
    }
}

pub fn all_types() -> Survey {
    parse(&all_types_definition())
}

pub fn locale(tag: &str) -> Locale {
    Locale::parse(tag).unwrap()
}

pub fn index(survey: &Survey, id: &str) -> usize {
    survey
        .questions
        .iter()
        .position(|q| q.id.as_str() == id)
        .unwrap()
}

/// A page with defaults: question `index` of `survey`, no answers, no errors.
pub fn page<'a>(
    survey: &'a Survey,
    locale: &'a Locale,
    question: usize,
    answers: &'a Answers,
) -> QuestionPage<'a> {
    QuestionPage {
        survey,
        survey_id: "svy1",
        locale,
        question,
        step: question + 1,
        total: survey.questions.len(),
        answers,
        form: None,
        errors: &[],
        response_id: Some("r1"),
        resume_token: Some("tok"),
        back: None,
        shuffle_seed: 7,
        show_intro: question == 0,
        preview: false,
        extra_hidden: &[],
        action: None,
    }
}

pub fn fields(pairs: &[(&str, &str)]) -> FormFields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Validates one answer the way the server will: a partial response with just this answer.
pub fn validate(survey: &Survey, id: &str, value: Value) -> Result<Answers, FieldErrors> {
    let input = BTreeMap::from([(id.to_string(), value)]);
    survey.validate_answers(&input, Completion::Partial, "answers")
}

/// The values of the `value` attributes of the inputs named `name`, in page order.
pub fn input_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("name=\"{name}\" value=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Every `id="…"` of a visible form control in the page.
pub fn control_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for tag in html.split('<').skip(1) {
        let is_control = ["input ", "select ", "textarea "]
            .iter()
            .any(|t| tag.starts_with(t));
        if !is_control || tag.contains("type=\"hidden\"") {
            continue;
        }
        let Some(i) = tag.find(" id=\"") else {
            panic!("a form control without an id: <{tag}");
        };
        let rest = &tag[i + 5..];
        ids.push(rest[..rest.find('"').unwrap()].to_string());
    }
    ids
}
