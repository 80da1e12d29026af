//! Rendering question, thank-you and message pages.

use puls_core::{Answer, Answers, FieldError, FieldErrorKind, QuestionId, Value};
use puls_html::{Html, Lang, MessageKind, QuestionPage};

use crate::helpers::*;

/// Chrome and type-specific texts that must appear, per locale (`pl`, `cs`, `en`).
fn expected(ty: &str) -> [&'static [&'static str]; 3] {
    match ty {
        "nps" => [
            &["Na pewno nie polecę", "Na pewno polecę"],
            &["Určitě nedoporučím", "Určitě doporučím"],
            &["Not at all likely", "Extremely likely"],
        ],
        "csat" => [
            &["Bardzo zadowolony/a"],
            &["Velmi spokojený/á"],
            &["Very satisfied"],
        ],
        "ces" => [&["Bardzo łatwo"], &["Velmi snadné"], &["Very easy"]],
        "rating" => [
            &["Słabo", "Świetnie"],
            &["Špatně", "Skvěle"],
            &["Poor", "Great"],
        ],
        "single_choice" => [
            &["Czerwony", "type=\"radio\""],
            &["Červená", "type=\"radio\""],
            &["Red", "type=\"radio\""],
        ],
        "multiple_choice" => [
            &[
                "Zielony",
                "Inne",
                "type=\"checkbox\"",
                "Wybierz od 1 do 2 odpowiedzi.",
            ],
            &[
                "Zelená",
                "Jiné",
                "type=\"checkbox\"",
                "Vyberte 1 až 2 možnosti.",
            ],
            &[
                "Green",
                "Other",
                "type=\"checkbox\"",
                "Choose 1 to 2 options.",
            ],
        ],
        "open_text" => [
            &["Twoja odpowiedź", "<textarea", "maxlength=\"300\""],
            &["Vaše odpověď", "<textarea", "maxlength=\"300\""],
            &["Your answer", "<textarea", "maxlength=\"300\""],
        ],
        "matrix" => [
            &["Szybkość", "name=\"a.price\""],
            &["Rychlost", "name=\"a.price\""],
            &["Speed", "name=\"a.price\""],
        ],
        "ranking" => [
            &["Niebieski", "<select", "Wybierz 1 dla pierwszego wyboru"],
            &["Modrá", "<select", "Zvolte 1 pro první volbu"],
            &["Blue", "<select", "Choose 1 for your first choice"],
        ],
        "kano" => [
            &["Jeśli ma tryb ciemny?", "Podoba mi się", "Mogę z tym żyć"],
            &["Pokud má tmavý režim?", "Líbí se mi to", "Smířím se s tím"],
            &["If it has dark mode?", "I like it", "I can live with it"],
        ],
        "contact" => [
            &[
                "Adres e-mail",
                "Numer telefonu",
                "Możecie się ze mną skontaktować.",
            ],
            &[
                "E-mailová adresa",
                "Telefonní číslo",
                "Můžete mě kontaktovat.",
            ],
            &["Email address", "Phone number", "You may contact me."],
        ],
        other => panic!("no expectations for {other}"),
    }
}

#[test]
fn every_question_type_renders_in_polish_czech_and_english() {
    let survey = all_types();
    let renderer = Html::new();
    let answers = Answers::new();
    let last = survey.questions.len() - 1;
    for (li, tag) in ["pl", "cs", "en"].into_iter().enumerate() {
        let l = locale(tag);
        let [next, submit, progress, question_word] = match tag {
            "pl" => ["Dalej", "Wyślij", "Pytanie 2 z 11", "jak było?"],
            "cs" => ["Další", "Odeslat", "Otázka 2 z 11", "jaké to bylo?"],
            _ => ["Next", "Submit", "Question 2 of 11", "how was it?"],
        };
        for (i, question) in survey.questions.iter().enumerate() {
            let ty = question.kind.type_name();
            let html = renderer.question(&page(&survey, &l, i, &answers));
            // The engine escapes '/' too; browsers show it as '/'.
            let html = html.replace("&#x2f;", "/");
            let context = format!("{tag} {ty}");
            assert!(html.starts_with("<!doctype html>"), "{context}");
            assert!(
                html.contains(&format!("<html lang=\"{tag}\">")),
                "{context}"
            );
            assert!(html.contains("<meta name=\"viewport\""), "{context}");
            assert!(
                html.contains(&format!("{ty}: {question_word}")),
                "{context}"
            );
            assert!(
                html.contains("<fieldset") && html.contains("<legend>"),
                "{context}"
            );
            assert!(html.contains("<form method=\"post\""), "{context}");
            assert!(html.contains("name=\"q\" value=\""), "{context}");
            assert!(
                html.contains(&format!("name=\"lang\" value=\"{tag}\"")),
                "{context}"
            );
            let button = if i == last { submit } else { next };
            assert!(
                html.contains(&format!("class=\"pri\">{button}</button>")),
                "{context}"
            );
            for text in expected(ty)[li] {
                assert!(html.contains(text), "{context}: missing {text:?}");
            }
            for id in control_ids(&html) {
                assert!(
                    html.contains(&format!("<label for=\"{id}\">")),
                    "{context}: input {id} has no label"
                );
            }
            if i == 1 {
                assert!(html.contains(progress), "{context}");
            }
        }
    }
}

#[test]
fn the_first_page_shows_the_title_and_intro() {
    let survey = all_types();
    let answers = Answers::new();
    let l = locale("cs");
    let html = Html::new().question(&page(&survey, &l, 0, &answers));
    assert!(html.contains("<h1>Dotazník zákazníka</h1>"));
    assert!(html.contains("Zabere to minutu."));
    assert!(html.contains("Povinné"), "the nps question is required");
    assert!(
        !html.contains("name=\"skip\""),
        "a required question cannot be skipped"
    );

    let later = Html::new().question(&page(&survey, &l, 1, &answers));
    assert!(!later.contains("Zabere to minutu."));
    assert!(
        later.contains("Přeskočit"),
        "an optional question can be skipped"
    );
}

#[test]
fn nps_is_a_row_of_eleven_radio_buttons_with_end_labels() {
    let survey = all_types();
    let answers = Answers::new();
    let l = locale("en");
    let html = Html::new().question(&page(&survey, &l, index(&survey, "nps"), &answers));
    let values: Vec<String> = (0..=10).map(|v| v.to_string()).collect();
    assert_eq!(input_values(&html, "a"), values);
    assert!(html.contains("<span class=\"vh\"> Not at all likely</span>"));
    assert!(html.contains("<span>Not at all likely</span><span>Extremely likely</span>"));
}

#[test]
fn survey_texts_are_escaped() {
    let script = "<script>alert(1)</script>";
    let mut definition = all_types_definition();
    let Value::Map(m) = &mut definition else {
        unreachable!()
    };
    m.insert("title".into(), tr(script, script, script));
    m.insert("intro".into(), tr(script, script, script));
    let Some(Value::List(questions)) = m.get_mut("questions") else {
        unreachable!()
    };
    for q in questions.iter_mut() {
        let Value::Map(q) = q else { unreachable!() };
        q.insert("text".into(), tr(script, script, script));
        q.insert("help".into(), tr("\"><b>", "\"><b>", "\"><b>"));
    }
    let survey = parse(&definition);
    let renderer = Html::new();
    let answers = Answers::new();
    let l = locale("pl");
    let form = fields(&[("a", "\"><script>alert(2)</script>"), ("other", "<i>x")]);
    let errors = [FieldError {
        path: "answers.single".into(),
        kind: FieldErrorKind::UnknownOption {
            id: "<script>".into(),
        },
    }];
    for i in 0..survey.questions.len() {
        let html = renderer.question(&QuestionPage {
            survey_id: "x\"><script>",
            form: Some(&form),
            errors: &errors,
            back: Some("a\"b"),
            response_id: Some("<r>"),
            ..page(&survey, &l, i, &answers)
        });
        let html = without_frame_script(&html);
        assert!(!html.contains("<script"), "unescaped in {i}: {html}");
        assert!(
            !html.contains("<b>") && !html.contains("<i>"),
            "unescaped in {i}"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    }
    let definition = obj([
        ("locales", list([s("en")])),
        ("title", s("T")),
        ("thank_you", s(script)),
        ("touchpoint", s("web")),
        (
            "questions",
            list([obj([("id", s("n")), ("type", s("nps")), ("text", s("N"))])]),
        ),
    ]);
    let thanks = without_frame_script(&renderer.thank_you(&parse(&definition), &locale("en")));
    assert!(!thanks.contains("<script"));
    assert!(thanks.contains("&lt;script&gt;"));
}

#[test]
fn errors_appear_next_to_their_field_in_czech() {
    let survey = all_types();
    let answers = Answers::new();
    let l = locale("cs");
    let form = fields(&[("email", "neni-email"), ("phone", ""), ("consent", "1")]);
    let errors = [FieldError {
        path: "answers.contact.email".into(),
        kind: FieldErrorKind::InvalidEmail,
    }];
    let html = Html::new().question(&QuestionPage {
        form: Some(&form),
        errors: &errors,
        ..page(&survey, &l, index(&survey, "contact"), &answers)
    });
    let message = "Zadejte platnou e-mailovou adresu, např. jmeno@example.com.";
    assert!(html.contains("<title>Chyba: Dotazník zákazníka</title>"));
    // The summary at the top links to the field.
    assert!(html.contains("Zkontrolujte prosím svou odpověď"));
    assert!(html.contains(&format!("<a href=\"#email\">{message}</a>")));
    // The message sits between the field's label and its input, tied to the input.
    let label = html.find("<label for=\"email\">").unwrap();
    let error = html
        .find(&format!(
            "<div class=\"err\" id=\"e-email\"><p><span class=\"vh\">Chyba: </span>{message}"
        ))
        .unwrap();
    let input = html.find("id=\"email\"").unwrap();
    assert!(label < error && error < input);
    assert!(html.contains(
        "id=\"email\" name=\"email\" value=\"neni-email\" autocomplete=\"email\" aria-invalid=\"true\" aria-describedby=\"e-email\""
    ));
    // The other fields are not marked and keep what was posted.
    assert!(html.contains("id=\"phone\" name=\"phone\" value=\"\" autocomplete=\"tel\">"));
    assert!(html.contains("name=\"consent\" value=\"1\" checked>"));
}

#[test]
fn question_level_errors_mark_every_input_of_the_question() {
    let survey = all_types();
    let answers = Answers::new();
    let l = locale("pl");
    let errors = [FieldError {
        path: "answers.nps".into(),
        kind: FieldErrorKind::Required,
    }];
    let html = Html::new().question(&QuestionPage {
        errors: &errors,
        ..page(&survey, &l, 0, &answers)
    });
    assert!(html.contains("<a href=\"#a0\">Odpowiedz na to pytanie.</a>"));
    assert!(html.contains("id=\"e-q\""));
    assert_eq!(html.matches("aria-describedby=\"e-q\"").count(), 11);
}

#[test]
fn a_posted_form_and_earlier_answers_are_filled_back_in() {
    let survey = all_types();
    let l = locale("en");
    let renderer = Html::new();
    let mut answers = Answers::new();
    let id = |s: &str| QuestionId::parse(s).unwrap();
    answers.insert(id("nps"), Answer::Score(9));
    answers.insert(id("open"), Answer::Text("Fast & <friendly>".into()));
    let html = renderer.question(&page(&survey, &l, index(&survey, "nps"), &answers));
    assert!(html.contains("value=\"9\" checked>"));
    assert_eq!(html.matches(" checked").count(), 1);
    let html = renderer.question(&page(&survey, &l, index(&survey, "open"), &answers));
    assert!(html.contains(">Fast &amp; &lt;friendly&gt;</textarea>"));

    let form = fields(&[("a.green", "1"), ("a.red", "1")]);
    let html = renderer.question(&QuestionPage {
        form: Some(&form),
        ..page(&survey, &l, index(&survey, "ranking"), &answers)
    });
    assert_eq!(html.matches("<option selected>1</option>").count(), 2);

    let form = fields(&[("functional", "like"), ("dysfunctional", "dislike")]);
    let html = renderer.question(&QuestionPage {
        form: Some(&form),
        ..page(&survey, &l, index(&survey, "kano"), &answers)
    });
    assert!(html.contains("name=\"functional\" value=\"like\" checked>"));
    assert!(html.contains("name=\"dysfunctional\" value=\"dislike\" checked>"));
}

#[test]
fn the_language_switcher_and_back_link_keep_the_partial_response() {
    let survey = all_types();
    let answers = Answers::new();
    let l = locale("pl");
    let html = Html::new().question(&QuestionPage {
        back: Some("ces"),
        response_id: Some("r 1"),
        ..page(&survey, &l, index(&survey, "rating"), &answers)
    });
    for name in ["Polski", "Čeština", "English"] {
        assert!(html.contains(&format!(">{name}</a>")), "{name}");
    }
    assert!(html.contains("lang=\"cs\" hreflang=\"cs\">Čeština</a>"));
    assert!(html.contains("aria-current=\"true\">Polski</a>"));
    assert!(html.contains("?q=rating&amp;rid=r%201&amp;rt=tok&amp;lang=cs\""));
    assert!(html.contains("?q=ces&amp;rid=r%201&amp;rt=tok&amp;lang=pl\">Wstecz</a>"));
    assert!(html.contains("name=\"rid\" value=\"r 1\""));
    assert!(html.contains("name=\"rt\" value=\"tok\""));
}

/// A respondent page without its one script (the framed page's Escape, allowed by its
/// hash in the pages' policy), which every page has exactly once.
fn without_frame_script(html: &str) -> String {
    let tag = format!("<script>{}</script>", puls_html::FRAME_SCRIPT);
    assert_eq!(
        html.matches(&tag).count(),
        1,
        "the frame script once in {html}"
    );
    html.replace(&tag, "")
}

#[test]
fn pages_request_nothing_from_anywhere() {
    let survey = all_types();
    let answers = Answers::new();
    let renderer = Html::new();
    let l = locale("en");
    for i in 0..survey.questions.len() {
        let html = without_frame_script(&renderer.question(&page(&survey, &l, i, &answers)));
        for banned in [
            "<script", "<link", "src=", "http:", "https:", "@import", "url(",
        ] {
            assert!(!html.contains(banned), "{banned} in question {i}");
        }
        assert_eq!(html.matches("<style>").count(), 1);
    }
}

#[test]
fn a_ten_question_survey_has_small_pages() {
    let long = "How likely are you to recommend our shop to a friend or colleague, \
                thinking of your most recent order and its delivery?";
    let questions: Vec<Value> = (0..10)
        .map(|i| {
            let mut q = vec![
                ("id", s(&format!("q{i}"))),
                ("text", tr(long, long, long)),
                ("help", tr(long, long, long)),
            ];
            match i % 5 {
                0 => q.push(("type", s("nps"))),
                1 => {
                    q.push(("type", s("multiple_choice")));
                    let options: Vec<Value> = (0..10)
                        .map(|o| obj([("id", s(&format!("o{o}"))), ("text", tr(long, long, long))]))
                        .collect();
                    q.push(("options", Value::List(options)));
                    q.push(("other", tr("Other", "Inne", "Jiné")));
                }
                2 => {
                    q.push(("type", s("matrix")));
                    let rows: Vec<Value> = (0..6)
                        .map(|o| obj([("id", s(&format!("r{o}"))), ("text", tr(long, long, long))]))
                        .collect();
                    q.push(("rows", Value::List(rows)));
                    q.push(("min", Value::Int(0)));
                    q.push(("max", Value::Int(10)));
                }
                3 => q.push(("type", s("open_text"))),
                _ => {
                    q.push(("type", s("ranking")));
                    let options: Vec<Value> = (0..8)
                        .map(|o| obj([("id", s(&format!("o{o}"))), ("text", tr(long, long, long))]))
                        .collect();
                    q.push(("options", Value::List(options)));
                }
            }
            Value::map(q)
        })
        .collect();
    let definition = obj([
        ("locales", list([s("pl"), s("cs"), s("en")])),
        ("title", tr(long, long, long)),
        ("intro", tr(long, long, long)),
        ("touchpoint", s("delivery")),
        ("questions", Value::List(questions)),
    ]);
    let survey = parse(&definition);
    let answers = Answers::new();
    let renderer = Html::new();
    let l = locale("cs");
    let errors = [FieldError {
        path: "answers.q0".into(),
        kind: FieldErrorKind::Required,
    }];
    let mut sizes = Vec::new();
    for i in 0..survey.questions.len() {
        let html = renderer.question(&QuestionPage {
            back: i.checked_sub(1).map(|_| "q0"),
            errors: &errors,
            ..page(&survey, &l, i, &answers)
        });
        sizes.push(html.len());
    }
    println!("page sizes in bytes: {sizes:?}");
    for (i, size) in sizes.iter().enumerate() {
        assert!(*size < 30 * 1024, "question {i}: {size} bytes");
    }
}

#[test]
fn randomised_options_are_a_permutation_that_is_stable_for_a_seed() {
    let survey = all_types();
    let answers = Answers::new();
    let renderer = Html::new();
    let l = locale("en");
    let order = |seed: u64, question: &str| {
        let html = renderer.question(&QuestionPage {
            shuffle_seed: seed,
            ..page(&survey, &l, index(&survey, question), &answers)
        });
        match question {
            "ranking" => html
                .match_indices("name=\"a.")
                .map(|(i, _)| html[i + 8..].split('"').next().unwrap().to_string())
                .collect::<Vec<_>>(),
            _ => input_values(&html, "a"),
        }
    };
    for question in ["single", "ranking"] {
        let first = order(1, question);
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, ["blue", "green", "red"], "{question}");
        assert_eq!(
            first,
            order(1, question),
            "{question}: same seed, same order"
        );
        let orders: std::collections::BTreeSet<Vec<String>> =
            (0..40).map(|seed| order(seed, question)).collect();
        assert!(orders.len() > 1, "{question}: the seed changes the order");
    }
    // A question that does not ask for it keeps the author's order.
    assert_eq!(order(3, "multi"), ["red", "green", "blue"]);
}

#[test]
fn the_button_says_submit_only_when_no_later_question_can_appear() {
    let definition = obj([
        ("locales", list([s("en")])),
        ("title", s("T")),
        ("touchpoint", s("web")),
        (
            "questions",
            list([
                obj([("id", s("nps")), ("type", s("nps")), ("text", s("N"))]),
                obj([
                    ("id", s("why")),
                    ("type", s("open_text")),
                    ("text", s("Why?")),
                    (
                        "show_if",
                        obj([
                            ("question", s("nps")),
                            ("op", s("lt")),
                            ("value", Value::Int(7)),
                        ]),
                    ),
                ]),
            ]),
        ),
    ]);
    let survey = parse(&definition);
    let renderer = Html::new();
    let l = locale("en");
    let answers = Answers::new();
    // Only one question is visible so far, but the next one depends on this answer.
    let html = renderer.question(&QuestionPage {
        total: 1,
        ..page(&survey, &l, 0, &answers)
    });
    assert!(html.contains(">Next</button>"));
    assert!(html.contains("Question 1 of 1"));
    let html = renderer.question(&page(&survey, &l, 1, &answers));
    assert!(html.contains(">Submit</button>"));
}

#[test]
fn the_preview_banner_shows_only_in_preview() {
    let survey = all_types();
    let answers = Answers::new();
    let renderer = Html::new();
    let l = locale("pl");
    let preview = renderer.question(&QuestionPage {
        preview: true,
        extra_hidden: &[],
        action: None,
        ..page(&survey, &l, 0, &answers)
    });
    assert!(preview.contains("Podgląd"));
    assert!(
        !renderer
            .question(&page(&survey, &l, 0, &answers))
            .contains("Podgląd")
    );
}

#[test]
fn a_question_index_out_of_range_gives_the_not_found_page() {
    let survey = all_types();
    let answers = Answers::new();
    let l = locale("cs");
    let html = Html::new().question(&page(&survey, &l, 99, &answers));
    assert!(html.contains("Dotazník nebyl nalezen"));
}

#[test]
fn thank_you_pages_use_the_survey_text_or_a_default() {
    let renderer = Html::new();
    let survey = all_types();
    let html = renderer.thank_you(&survey, &locale("pl"));
    assert!(html.contains("<html lang=\"pl\">"));
    assert!(html.contains("Dziękujemy! Twoje odpowiedzi zostały zapisane."));
    let html = renderer.thank_you(&survey, &locale("cs"));
    assert!(html.contains("Děkujeme! Vaše odpovědi byly uloženy."));

    let mut definition = all_types_definition();
    if let Value::Map(m) = &mut definition {
        m.insert("thank_you".into(), tr("Cheers!", "Dzięki!", "Díky!"));
    }
    let html = renderer.thank_you(&parse(&definition), &locale("cs"));
    assert!(html.contains("Díky!"));
    assert!(!html.contains("Děkujeme!"));
}

#[test]
fn message_pages_are_complete_pages_in_each_language() {
    let renderer = Html::new();
    for ui in Lang::ALL {
        for kind in MessageKind::ALL {
            let html = renderer.message(ui, kind);
            let (heading, text) = ui.message(kind);
            assert!(html.contains(&format!("<html lang=\"{}\">", ui.code())));
            assert!(
                html.contains(&format!("<h1>{heading}</h1>")),
                "{ui:?} {kind:?}"
            );
            assert!(html.contains(text), "{ui:?} {kind:?}");
            assert!(html.contains("<meta name=\"viewport\""));
        }
    }
    assert!(
        renderer
            .message(Lang::Pl, MessageKind::Closed)
            .contains("Ankieta jest zamknięta")
    );
    assert!(
        renderer
            .message(Lang::Cs, MessageKind::Closed)
            .contains("Běží na platformě Puls")
    );
}
