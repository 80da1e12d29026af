//! The form field contract: posted fields to answers, including garbage.

use std::collections::BTreeMap;

use puls_core::{Answer, Expected, FieldErrorKind, KanoAnswer, OptionId, QuestionId, Value};
use puls_html::form_answer;

use crate::helpers::*;

fn question<'a>(survey: &'a puls_core::Survey, id: &str) -> &'a puls_core::Question {
    &survey.questions[index(survey, id)]
}

/// The answer the posted fields give, after the core validated it.
fn answer(id: &str, posted: &[(&str, &str)]) -> Answer {
    let survey = all_types();
    let value = form_answer(question(&survey, id), &fields(posted))
        .unwrap_or_else(|| panic!("{id}: no answer from {posted:?}"));
    let answers = validate(&survey, id, value.clone())
        .unwrap_or_else(|e| panic!("{id}: {value:?} rejected: {e:?}"));
    answers[&QuestionId::parse(id).unwrap()].clone()
}

/// The error kinds the core reports for the posted fields.
fn rejected(id: &str, posted: &[(&str, &str)]) -> Vec<FieldErrorKind> {
    let survey = all_types();
    let value = form_answer(question(&survey, id), &fields(posted))
        .unwrap_or_else(|| panic!("{id}: no answer from {posted:?}"));
    match validate(&survey, id, value.clone()) {
        Ok(a) => panic!("{id}: {value:?} accepted as {a:?}"),
        Err(e) => e.0.into_iter().map(|e| e.kind).collect(),
    }
}

fn empty(id: &str, posted: &[(&str, &str)]) -> bool {
    let survey = all_types();
    form_answer(question(&survey, id), &fields(posted)).is_none()
}

fn opt(s: &str) -> OptionId {
    OptionId::parse(s).unwrap()
}

const HIDDEN: [(&str, &str); 4] = [("q", "x"), ("rid", "r"), ("rt", "t"), ("lang", "pl")];

#[test]
fn scores_are_read_from_a() {
    for id in ["nps", "csat", "ces", "rating"] {
        assert_eq!(
            answer(id, &[("q", id), ("a", "3")]),
            Answer::Score(3),
            "{id}"
        );
        assert!(empty(id, &HIDDEN), "{id}");
        assert!(empty(id, &[("a", "  ")]), "{id}");
    }
    assert_eq!(answer("nps", &[("a", " 10 ")]), Answer::Score(10));
}

#[test]
fn garbage_scores_are_passed_on_for_the_core_to_reject() {
    let wrong = || FieldErrorKind::WrongType {
        expected: Expected::Integer,
    };
    assert_eq!(rejected("nps", &[("a", "abc")]), [wrong()]);
    assert_eq!(rejected("nps", &[("a", "7.5")]), [wrong()]);
    assert_eq!(
        rejected("nps", &[("a", "99999999999999999999999")]),
        [wrong()]
    );
    assert_eq!(
        rejected("nps", &[("a", "11")]),
        [FieldErrorKind::OutOfRange { min: 0, max: 10 }]
    );
    assert_eq!(
        rejected("csat", &[("a", "-1")]),
        [FieldErrorKind::OutOfRange { min: 1, max: 5 }]
    );
    // Two different scores for one question: a list, which no score accepts.
    assert_eq!(rejected("nps", &[("a", "3"), ("a", "4")]), [wrong()]);
    // The same value twice is still one answer.
    assert_eq!(answer("nps", &[("a", "4"), ("a", "4")]), Answer::Score(4));
}

#[test]
fn single_choice_reads_the_option_id() {
    assert_eq!(
        answer("single", &[("a", "green")]),
        Answer::Choice(opt("green"))
    );
    assert!(empty("single", &HIDDEN));
    assert_eq!(
        rejected("single", &[("a", "purple")]),
        [FieldErrorKind::UnknownOption {
            id: "purple".into()
        }]
    );
    assert_eq!(
        rejected("single", &[("a", "NOT AN ID <>")]),
        [FieldErrorKind::UnknownOption {
            id: "NOT AN ID <>".into()
        }]
    );
}

#[test]
fn multiple_choice_reads_repeated_a_and_other() {
    assert_eq!(
        answer("multi", &[("a", "red"), ("a", "blue")]),
        Answer::Choices {
            selected: vec![opt("red"), opt("blue")],
            other: None,
        }
    );
    assert_eq!(
        answer("multi", &[("a", "red"), ("other", " Violet ")]),
        Answer::Choices {
            selected: vec![opt("red")],
            other: Some("Violet".into()),
        }
    );
    assert_eq!(
        answer("multi", &[("other", "Violet")]),
        Answer::Choices {
            selected: vec![],
            other: Some("Violet".into()),
        }
    );
    assert!(empty("multi", &[("other", " ")]));
    assert_eq!(
        rejected("multi", &[("a", "red"), ("a", "green"), ("a", "blue")]),
        [FieldErrorKind::ChoiceCount { min: 1, max: 2 }]
    );
    assert_eq!(
        rejected("multi", &[("a", "teal")]),
        [FieldErrorKind::UnknownOption { id: "teal".into() }]
    );
    assert_eq!(
        rejected("multi", &[("other", &"x".repeat(501))]),
        [FieldErrorKind::TooLong { max: 500 }]
    );
}

#[test]
fn open_text_is_trimmed_with_unix_line_breaks() {
    assert_eq!(
        answer("open", &[("a", "  Quick.\r\nFriendly.  ")]),
        Answer::Text("Quick.\nFriendly.".into())
    );
    assert!(empty("open", &[("a", " \r\n ")]));
    assert_eq!(
        rejected("open", &[("a", &"ż".repeat(301))]),
        [FieldErrorKind::TooLong { max: 300 }]
    );
}

#[test]
fn matrix_reads_one_score_per_row() {
    assert_eq!(
        answer("matrix", &[("a.speed", "5"), ("a.price", "2")]),
        Answer::Matrix(BTreeMap::from([(opt("speed"), 5), (opt("price"), 2)]))
    );
    assert_eq!(
        answer("matrix", &[("a.speed", "4"), ("a.price", "")]),
        Answer::Matrix(BTreeMap::from([(opt("speed"), 4)]))
    );
    assert!(empty("matrix", &[("a.speed", ""), ("a.price", "")]));
    assert_eq!(
        rejected("matrix", &[("a.speed", "x")]),
        [FieldErrorKind::WrongType {
            expected: Expected::Integer
        }]
    );
    assert_eq!(
        rejected("matrix", &[("a.speed", "9")]),
        [FieldErrorKind::OutOfRange { min: 1, max: 5 }]
    );
    assert!(
        rejected("matrix", &[("a.colour", "3")]).contains(&FieldErrorKind::UnknownOption {
            id: "colour".into()
        })
    );
}

/// A posted matrix was read by looking every `a.{row}` up in the whole form again: tens of
/// thousands of made-up rows in one 200 KB form cost seconds of CPU per request.
#[test]
fn a_matrix_form_with_thousands_of_made_up_rows_is_read_in_one_pass() {
    let survey = all_types();
    let rows: Vec<(String, String)> = (0..30_000)
        .map(|i| (format!("a.r{i}"), "3".to_string()))
        .chain([
            ("a.speed".into(), "2".into()),
            ("a.speed".into(), "4".into()),
        ])
        .collect();
    let Some(Value::Map(scores)) = form_answer(question(&survey, "matrix"), &rows) else {
        panic!("no matrix answer");
    };
    assert_eq!(scores.len(), 30_001);
    assert_eq!(scores["r17"], Value::Int(3));
    // Conflicting repeats of one row still become a list the core rejects.
    assert_eq!(
        scores["speed"],
        Value::List(vec![Value::Int(2), Value::Int(4)])
    );
}

#[test]
fn ranking_orders_the_options_by_the_rank_chosen() {
    assert_eq!(
        answer(
            "ranking",
            &[("a.red", "2"), ("a.green", "3"), ("a.blue", "1")]
        ),
        Answer::Ranking(vec![opt("blue"), opt("red"), opt("green")])
    );
    assert!(empty(
        "ranking",
        &[("a.red", ""), ("a.green", ""), ("a.blue", "")]
    ));
    let incomplete = [FieldErrorKind::IncompleteRanking];
    // A missing rank.
    assert_eq!(
        rejected(
            "ranking",
            &[("a.red", "1"), ("a.green", "2"), ("a.blue", "")]
        ),
        incomplete
    );
    // A duplicate rank, with every option ranked.
    assert_eq!(
        rejected(
            "ranking",
            &[("a.red", "1"), ("a.green", "1"), ("a.blue", "2")]
        ),
        incomplete
    );
    // Ranks out of range and garbage.
    assert_eq!(
        rejected(
            "ranking",
            &[("a.red", "1"), ("a.green", "2"), ("a.blue", "4")]
        ),
        incomplete
    );
    assert_eq!(
        rejected(
            "ranking",
            &[("a.red", "x"), ("a.green", "y"), ("a.blue", "z")]
        ),
        incomplete
    );
}

#[test]
fn kano_reads_both_sides() {
    assert_eq!(
        answer(
            "kano",
            &[("functional", "like"), ("dysfunctional", "tolerate")]
        ),
        Answer::Kano {
            functional: KanoAnswer::Like,
            dysfunctional: KanoAnswer::Tolerate,
        }
    );
    assert!(empty("kano", &HIDDEN));
    assert_eq!(
        rejected("kano", &[("functional", "like")]),
        [FieldErrorKind::Required]
    );
    assert!(matches!(
        rejected(
            "kano",
            &[("functional", "love"), ("dysfunctional", "dislike")]
        )[..],
        [FieldErrorKind::NotOneOf { .. }]
    ));
}

#[test]
fn contact_reads_email_phone_and_consent() {
    assert_eq!(
        answer(
            "contact",
            &[
                ("email", " ana@example.com "),
                ("phone", ""),
                ("consent", "1")
            ]
        ),
        Answer::Contact {
            email: Some("ana@example.com".into()),
            phone: None,
            consent: true,
        }
    );
    assert_eq!(
        answer("contact", &[("phone", "+48 600 700 800"), ("consent", "1")]),
        Answer::Contact {
            email: None,
            phone: Some("+48 600 700 800".into()),
            consent: true,
        }
    );
    assert!(empty("contact", &[("email", ""), ("phone", "")]));
    assert_eq!(
        rejected("contact", &[("email", "ana@example.com")]),
        [FieldErrorKind::ConsentRequired]
    );
    assert_eq!(
        rejected("contact", &[("email", "not-an-email"), ("consent", "1")]),
        [FieldErrorKind::InvalidEmail]
    );
    assert_eq!(
        rejected("contact", &[("phone", "call me"), ("consent", "1")]),
        [FieldErrorKind::InvalidPhone]
    );
    assert_eq!(
        rejected(
            "contact",
            &[("email", "ana@example.com"), ("consent", "yes please")]
        ),
        [FieldErrorKind::WrongType {
            expected: Expected::Boolean
        }]
    );
    assert_eq!(
        rejected("contact", &[("consent", "1")]),
        [FieldErrorKind::Empty]
    );
}

#[test]
fn the_skip_button_leaves_any_question_unanswered() {
    let survey = all_types();
    for q in &survey.questions {
        let posted = fields(&[
            ("a", "3"),
            ("a.red", "1"),
            ("functional", "like"),
            ("email", "ana@example.com"),
            ("consent", "1"),
            ("skip", "1"),
        ]);
        assert_eq!(form_answer(q, &posted), None, "{}", q.id);
    }
}

#[test]
fn answers_round_trip_through_the_rendered_form() {
    // What a page shows pre-filled posts back the same answer.
    use puls_core::Answers;
    use puls_html::{Html, QuestionPage};
    let survey = all_types();
    let renderer = Html::new();
    let l = locale("en");
    let given: Vec<(&str, Answer)> = vec![
        ("nps", Answer::Score(8)),
        ("single", Answer::Choice(opt("blue"))),
        (
            "multi",
            Answer::Choices {
                selected: vec![opt("green")],
                other: Some("Gold".into()),
            },
        ),
        ("open", Answer::Text("Line one\nLine two".into())),
        (
            "matrix",
            Answer::Matrix(BTreeMap::from([(opt("price"), 4)])),
        ),
        (
            "ranking",
            Answer::Ranking(vec![opt("green"), opt("blue"), opt("red")]),
        ),
        (
            "kano",
            Answer::Kano {
                functional: KanoAnswer::Expect,
                dysfunctional: KanoAnswer::Dislike,
            },
        ),
        (
            "contact",
            Answer::Contact {
                email: Some("ana@example.com".into()),
                phone: None,
                consent: true,
            },
        ),
    ];
    for (id, a) in given {
        let mut answers = Answers::new();
        answers.insert(QuestionId::parse(id).unwrap(), a.clone());
        let html = renderer.question(&QuestionPage {
            ..page(&survey, &l, index(&survey, id), &answers)
        });
        let posted = post(&html);
        let value = form_answer(question(&survey, id), &posted).unwrap();
        assert_eq!(value, a.to_value(), "{id}: {posted:?}");
    }
}

/// What a browser would post for a page's form as it is pre-filled: checked radios and
/// checkboxes, selected options, text inputs and textareas (HTML entities decoded).
fn post(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let needle = format!(" {name}=\"");
        let i = tag.find(&needle)?;
        let rest = &tag[i + needle.len()..];
        Some(unescape(&rest[..rest.find('"')?]))
    };
    let mut out = Vec::new();
    let form = &html[html.find("<form").unwrap()..];
    for (i, _) in form.match_indices('<') {
        let tag = &form[i..];
        let tag_end = tag.find('>').unwrap();
        let head = &tag[..tag_end];
        if head.starts_with("<input ") {
            let ty = attr(head, "type").unwrap_or_default();
            let name = attr(head, "name").unwrap_or_default();
            let value = attr(head, "value").unwrap_or_default();
            let on = head.ends_with(" checked") || head.contains(" checked ");
            if ty == "hidden" || ((ty == "radio" || ty == "checkbox") && !on) {
                continue;
            }
            out.push((name, value));
        } else if head.starts_with("<textarea ") {
            let body = &tag[tag_end + 1..tag.find("</textarea>").unwrap()];
            out.push((attr(head, "name").unwrap(), unescape(body)));
        } else if head.starts_with("<select ") {
            let body = &tag[..tag.find("</select>").unwrap()];
            let selected = body
                .split("<option")
                .find(|o| o.starts_with(" selected>"))
                .map(|o| o[" selected>".len()..o.find('<').unwrap()].to_string())
                .unwrap_or_default();
            out.push((attr(head, "name").unwrap(), selected));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[test]
fn value_shapes_match_the_core_wire_format() {
    let survey = all_types();
    let v = form_answer(
        question(&survey, "multi"),
        &fields(&[("a", "red"), ("other", "x")]),
    );
    assert_eq!(
        v,
        Some(Value::map([
            ("selected", Value::List(vec![Value::str("red")])),
            ("other", Value::str("x")),
        ]))
    );
}

/// The web app's manual entry: every question of a survey on one page (each with its own
/// ids and names), read back by `form_answers`.
mod all_on_one_page {
    use puls_core::{Completion, FieldError, FieldErrorKind};
    use puls_html::console::{Person, RecordForm, RecordPage, RecordSurvey, Shell, WorkspaceRef};
    use puls_html::{Html, Lang, all_questions, form_answers};

    use super::post;
    use crate::helpers::*;

    fn render(posted: &[(String, String)], errors: &[FieldError], lang: Lang) -> String {
        let survey = all_types();
        let l = locale(lang.code());
        let (questions, summary) = all_questions(&survey, &l, lang, posted, errors);
        let page = RecordPage {
            title: "Record feedback".into(),
            surveys: Vec::new(),
            pick_error: None,
            survey: Some(RecordSurvey {
                id: "svy1".into(),
                title: "Customer survey".into(),
                locale: l.to_string(),
                locales: Vec::new(),
                other_href: None,
                questions,
            }),
            contact_id: None,
            form: RecordForm {
                channel: "phone".into(),
                summary,
                ..RecordForm::default()
            },
            shell: Shell {
                user: Person {
                    name: "Anna Nowak".into(),
                    email: "anna@example.com".into(),
                },
                ws: WorkspaceRef {
                    slug: "acme".into(),
                    name: "Acme".into(),
                },
                workspaces: Vec::new(),
                nav: Vec::new(),
                csrf: "token".into(),
            },
        };
        Html::new().render(&page, lang).expect("the page renders")
    }

    #[test]
    fn every_answer_goes_through_the_page_and_back() {
        let survey = all_types();
        let posted = fields(&[
            ("nps.a", "8"),
            ("csat.a", "4"),
            ("ces.a", "6"),
            ("rating.a", "9"),
            ("single.a", "blue"),
            ("multi.a", "green"),
            ("multi.other", "Gold"),
            ("open.a", "Line one\r\nLine two <&>"),
            ("matrix.a.speed", "5"),
            ("matrix.a.price", "4"),
            ("ranking.a.green", "1"),
            ("ranking.a.blue", "2"),
            ("ranking.a.red", "3"),
            ("kano.functional", "expect"),
            ("kano.dysfunctional", "dislike"),
            ("contact.email", "ana@example.com"),
            ("contact.consent", "1"),
            // Fields of no question, and the form's own, are not answers.
            ("channel", "phone"),
            ("email", "anna@example.com"),
            ("nope.a", "1"),
        ]);
        let answers = form_answers(&survey, &posted);
        assert_eq!(answers.len(), 11, "{answers:?}");
        survey
            .validate_answers(&answers, Completion::Complete, "answers")
            .expect("every answer is valid");
        for lang in [Lang::Pl, Lang::Cs, Lang::En] {
            let html = render(&posted, &[], lang);
            // What the page shows filled in posts the same answers back.
            assert_eq!(form_answers(&survey, &post(&html)), answers, "{lang:?}");
            let ids = control_ids(&html);
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(ids.len(), unique.len(), "ids are unique: {ids:?}");
            assert!(html.contains("id=\"q0-a0\" name=\"nps.a\" value=\"0\""));
            assert!(html.contains("id=\"q6-a\" name=\"open.a\""));
            assert!(html.contains("autocomplete=\"off\""));
        }
    }

    #[test]
    fn problems_stay_at_their_questions_and_are_summed_up() {
        let posted = fields(&[("matrix.a.price", "9"), ("open.a", "kept")]);
        let errors = [
            FieldError {
                path: "answers.nps".into(),
                kind: FieldErrorKind::Required,
            },
            FieldError {
                path: "answers.matrix.price".into(),
                kind: FieldErrorKind::OutOfRange { min: 1, max: 5 },
            },
            FieldError {
                path: "answers.open".into(),
                kind: FieldErrorKind::HiddenQuestion,
            },
        ];
        let html = render(&posted, &errors, Lang::Pl);
        assert!(html.contains("<div class=\"err\" id=\"q0-e-q\">"), "{html}");
        assert!(html.contains(
            "id=\"q0-a0\" name=\"nps.a\" value=\"0\" aria-invalid=\"true\" aria-describedby=\"q0-e-q\""
        ));
        assert!(
            html.contains("<div class=\"err\" id=\"e-q7-m1-0\">"),
            "{html}"
        );
        assert!(html.contains("href=\"#q7-m1-0\""));
        assert!(
            html.contains("nps: jak było? – Odpowiedz na to pytanie."),
            "{html}"
        );
        assert!(html.contains("ankieta nie zadaje tego pytania"), "{html}");
        assert!(html.contains(">kept</textarea>"));
    }

    /// An answer the logic does not ask given the others says which answer makes it so,
    /// in the user's language with the survey's texts.
    #[test]
    fn an_answer_not_asked_names_the_answer_that_decides_it() {
        let survey = parse(&obj([
            ("title", tr("Delivery", "Dostawa", "Doručení")),
            ("locales", list([s("en"), s("pl"), s("cs")])),
            ("touchpoint", s("delivery")),
            (
                "questions",
                list([
                    obj([
                        ("id", s("arrived")),
                        ("type", s("single_choice")),
                        ("text", tr("Has it arrived?", "Czy dotarło?", "Dorazilo?")),
                        (
                            "options",
                            list([
                                obj([("id", s("yes")), ("text", tr("Yes", "Tak", "Ano"))]),
                                obj([
                                    ("id", s("no")),
                                    ("text", tr("Not yet", "Jeszcze nie", "Ještě ne")),
                                ]),
                            ]),
                        ),
                        (
                            "end_if",
                            obj([
                                ("question", s("arrived")),
                                ("op", s("in")),
                                ("values", list([s("no")])),
                            ]),
                        ),
                    ]),
                    obj([
                        ("id", s("nps")),
                        ("type", s("nps")),
                        (
                            "text",
                            tr(
                                "Would you recommend us?",
                                "Czy polecisz nas?",
                                "Doporučili byste nás?",
                            ),
                        ),
                    ]),
                    obj([
                        ("id", s("why")),
                        ("type", s("open_text")),
                        ("text", tr("Why?", "Dlaczego?", "Proč?")),
                        (
                            "show_if",
                            obj([
                                ("question", s("nps")),
                                ("op", s("lte")),
                                ("value", puls_core::Value::Int(6)),
                            ]),
                        ),
                    ]),
                ]),
            ),
        ]));
        let hidden = |id: &str| FieldError {
            path: format!("answers.{id}"),
            kind: FieldErrorKind::HiddenQuestion,
        };
        let render = |posted: &[(&str, &str)], errors: &[FieldError], lang: Lang| {
            let (questions, summary) =
                all_questions(&survey, &locale(lang.code()), lang, &fields(posted), errors);
            assert_eq!(questions.len(), 3);
            summary.into_iter().map(|p| p.message).collect::<Vec<_>>()
        };
        // A promoter's "why?": the score 9 makes it not asked.
        let posted = [("arrived.a", "yes"), ("nps.a", "9"), ("why.a", "Kurier")];
        let summary = render(&posted, &[hidden("why")], Lang::En);
        assert_eq!(
            summary,
            [
                "Why? – With the answer 9 to “Would you recommend us?”, the survey does not ask \
              this question: change that answer, or leave this one empty."
            ]
        );
        let summary = render(&posted, &[hidden("why")], Lang::Pl);
        assert_eq!(
            summary,
            [
                "Dlaczego? – Przy odpowiedzi 9 na pytanie „Czy polecisz nas?” ankieta nie zadaje \
              tego pytania: zmień tamtą odpowiedź albo zostaw to pytanie puste."
            ]
        );
        // The comment before the score: no score yet.
        let posted = [("arrived.a", "yes"), ("why.a", "Kurier")];
        let summary = render(&posted, &[hidden("why")], Lang::Cs);
        assert_eq!(
            summary,
            [
                "Proč? – Při chybějící odpovědi na otázku „Doporučili byste nás?“ dotazník tuto \
              otázku neklade: nejdřív odpovězte na tamtu otázku, nebo tuto nechte prázdnou."
            ]
        );
        // An early end: the answer that ended the survey, as its option reads.
        let posted = [("arrived.a", "no"), ("nps.a", "3")];
        let summary = render(&posted, &[hidden("nps")], Lang::En);
        assert_eq!(
            summary,
            [
                "Would you recommend us? – The survey ends after the answer “Not yet” to “Has it \
              arrived?”, so it does not ask this question: change that answer, or leave this \
              one empty."
            ]
        );
    }
}
