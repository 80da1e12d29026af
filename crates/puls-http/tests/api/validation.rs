//! Bad input of every kind gets a 4xx with a stable code, and a 422 names each problem.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{all_types_survey, nps_survey, skip_logic_survey};
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

/// A request that must fail: (what, method, path, content type, body, status, code).
type RawCase<'a> = (
    &'a str,
    Method,
    &'a str,
    Option<&'a str>,
    &'a str,
    u16,
    &'a str,
);

/// The `(path, code)` of every problem a 422 must name.
type Problems = &'static [(&'static str, &'static str)];

const JSON: Option<&str> = Some("application/json");
const TEXT: Option<&str> = Some("text/plain");
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

both_backends!(malformed_requests_are_answered_with_a_4xx_and_a_stable_code);
async fn malformed_requests_are_answered_with_a_4xx_and_a_stable_code(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let submit = format!("/api/v1/surveys/{survey}/responses");
    let response = "/api/v1/responses/01J0000000000000000000000";
    let nps = r#"{"answers":{"nps":9}}"#;
    #[rustfmt::skip]
    let cases: Vec<RawCase> = vec![
        ("malformed JSON", Method::POST, &submit, JSON, r#"{"answers": {"#, 400, "malformed_json"),
        ("an empty body", Method::POST, &submit, JSON, "", 400, "malformed_json"),
        ("text/plain", Method::POST, &submit, TEXT, nps, 415, "unsupported_media_type"),
        ("no content type", Method::POST, &submit, None, nps, 415, "unsupported_media_type"),
        ("a form", Method::POST, &submit, FORM, "nps=9", 415, "unsupported_media_type"),
        ("an array body", Method::POST, &submit, JSON, "[9]", 400, "invalid_body"),
        ("a definition that is not JSON",
            Method::POST, "/api/v1/surveys", JSON, "{title", 400, "malformed_json"),
        ("a definition as text",
            Method::POST, "/api/v1/surveys", TEXT, "title: x", 415, "unsupported_media_type"),
        ("a PATCH that is not JSON", Method::PATCH, response, JSON, "nope", 400, "malformed_json"),
        ("an unknown API route", Method::GET, "/api/v1/nothing-here", None, "", 404, "not_found"),
        ("an unknown API version", Method::GET, "/api/v2/surveys", None, "", 404, "not_found"),
        ("a method the route does not take",
            Method::DELETE, "/api/v1/responses", None, "", 405, "method_not_allowed"),
        ("PUT on a response", Method::PUT, response, JSON, "{}", 405, "method_not_allowed"),
        ("an unknown survey",
            Method::POST, "/api/v1/surveys/nosuchsurvey/responses", JSON, nps, 404, "not_found"),
    ];
    for (what, method, path, content_type, body, status, code) in cases {
        let mut req = app.request(method, path).body(body.to_string());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.expect("request");
        let got = resp.status();
        if got == StatusCode::METHOD_NOT_ALLOWED {
            assert!(
                resp.headers().contains_key("allow"),
                "{what}: a 405 says what is allowed"
            );
        }
        let text = resp.text().await.expect("body");
        assert_eq!(got.as_u16(), status, "{what}: {text}");
        let parsed: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"));
        assert_eq!(parsed["error"]["code"], code, "{what}: {parsed}");
    }

    // Top-level fields the API does not know, or of the wrong type, are 422s with paths.
    #[rustfmt::skip]
    let cases: Vec<(Value, Problems)> = vec![
        (json!({ "answers": { "nps": 9 }, "colour": "red" }), &[("colour", "unknown_field")]),
        (json!({}), &[("answers", "required")]),
        (json!({ "answers": [9] }), &[("answers", "wrong_type")]),
        (json!({ "answers": { "nps": 9 }, "completed": "yes" }), &[("completed", "wrong_type")]),
    ];
    for (body, want) in cases {
        let resp = expect_error(app.submit(&survey, &body).await, 422, "validation_failed").await;
        assert_eq!(details(&resp), pairs(want), "{body}: {resp}");
    }

    // A charset parameter is fine.
    let resp = app
        .anonymous(Method::POST, &submit)
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"answers":{"nps":9}}"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(
        app.response_ids("").await.len(),
        1,
        "only the good request stored anything"
    );
}

both_backends!(invalid_answers_are_rejected_with_422_naming_the_path_and_code_of_each_problem);
async fn invalid_answers_are_rejected_with_422_naming_the_path_and_code_of_each_problem(
    app: TestApp,
) {
    let everything = app.published_survey(&all_types_survey()).await;
    let skipping = app.published_survey(&skip_logic_survey()).await;
    let long_text = "x".repeat(2001);
    // Builds a valid body (the required NPS) with `extra` merged in.
    let with = |extra: Value| {
        let mut body = json!({ "answers": { "nps": 9 } });
        for (k, v) in extra.as_object().expect("an object") {
            if k == "answers" {
                for (q, a) in v.as_object().expect("answers") {
                    body["answers"][q] = a.clone();
                }
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    // A valid body with these answers changed.
    let a = |answers: Value| with(json!({ "answers": answers }));
    let (all, skip) = (everything.as_str(), skipping.as_str());
    #[rustfmt::skip]
    let cases: Vec<(&str, Value, Problems)> = vec![
        (all, a(json!({ "nps": 11 })), &[("answers.nps", "out_of_range")]),
        (all, a(json!({ "nps": -1 })), &[("answers.nps", "out_of_range")]),
        (all, a(json!({ "nps": 3.5 })), &[("answers.nps", "wrong_type")]),
        (all, a(json!({ "nps": "9" })), &[("answers.nps", "wrong_type")]),
        (all, json!({ "answers": {} }), &[("answers.nps", "required")]),
        (all, json!({ "answers": { "nps": null } }), &[("answers.nps", "required")]),
        (all, a(json!({ "csat": 6 })), &[("answers.csat", "out_of_range")]),
        (all, a(json!({ "csat": 0 })), &[("answers.csat", "out_of_range")]),
        (all, a(json!({ "ces": 8 })), &[("answers.ces", "out_of_range")]),
        (all, a(json!({ "stars": 11 })), &[("answers.stars", "out_of_range")]),
        (all, a(json!({ "colour": "red" })), &[("answers.colour", "unknown_question")]),
        (all, a(json!({ "payment": "bitcoin" })), &[("answers.payment", "unknown_option")]),
        (all, a(json!({ "payment": ["card"] })), &[("answers.payment", "wrong_type")]),
        (all, a(json!({ "liked": ["speed", "teleport"] })), &[("answers.liked", "unknown_option")]),
        (all, a(json!({ "liked": [] })), &[("answers.liked", "choice_count")]),
        (
            all,
            a(json!({ "liked": { "selected": ["speed"], "colour": 1 } })),
            &[("answers.liked.colour", "unknown_field")],
        ),
        (all, a(json!({ "comment": "   " })), &[("answers.comment", "empty")]),
        (all, a(json!({ "comment": long_text })), &[("answers.comment", "too_long")]),
        (
            all,
            a(json!({ "aspects": { "website": 6 } })),
            &[("answers.aspects.website", "out_of_range")],
        ),
        (
            all,
            a(json!({ "aspects": { "kitchen": 3 } })),
            &[("answers.aspects.kitchen", "unknown_option")],
        ),
        (
            all,
            a(json!({ "priorities": ["price", "speed"] })),
            &[("answers.priorities", "incomplete_ranking")],
        ),
        (
            all,
            a(json!({ "priorities": ["price", "speed", "speed"] })),
            &[("answers.priorities", "incomplete_ranking")],
        ),
        (
            all,
            a(json!({ "tracking": { "functional": "love", "dysfunctional": "dislike" } })),
            &[("answers.tracking.functional", "not_one_of")],
        ),
        (
            all,
            a(json!({ "tracking": { "functional": "like" } })),
            &[("answers.tracking.dysfunctional", "required")],
        ),
        (
            all,
            a(json!({ "reach": { "email": "jana@example.com" } })),
            &[("answers.reach.consent", "consent_required")],
        ),
        (
            all,
            a(json!({ "reach": { "email": "jana.example.com", "consent": true } })),
            &[("answers.reach.email", "invalid_email")],
        ),
        (
            all,
            a(json!({ "reach": { "phone": "12", "consent": true } })),
            &[("answers.reach.phone", "invalid_phone")],
        ),
        (all, with(json!({ "locale": "de" })), &[("locale", "unknown_locale")]),
        (all, with(json!({ "locale": "english" })), &[("locale", "unknown_locale")]),
        (all, with(json!({ "channel": "fax" })), &[("channel", "not_one_of")]),
        (all, with(json!({ "channel": 7 })), &[("channel", "wrong_type")]),
        (all, with(json!({ "touchpoint": "Check Out" })), &[("touchpoint", "invalid_id")]),
        (
            all,
            with(json!({ "contact": { "email": "nobody" } })),
            &[("contact.email", "invalid_email")],
        ),
        (all, with(json!({ "contact": { "name": "Jana" } })), &[("contact.name", "unknown_field")]),
        (
            all,
            with(json!({ "attributes": { "order": { "id": 1 } } })),
            &[("attributes.order", "wrong_type")],
        ),
        (
            all,
            with(json!({ "channel": "fax", "answers": { "nps": 11, "colour": "red" } })),
            &[
                ("answers.colour", "unknown_question"),
                ("answers.nps", "out_of_range"),
                ("channel", "not_one_of"),
            ],
        ),
        (
            skip,
            json!({ "answers": { "arrived": "yes", "nps": 9, "reason": "late" } }),
            &[("answers.reason", "hidden_question")],
        ),
        (skip, json!({ "answers": { "arrived": "yes" } }), &[("answers.nps", "required")]),
    ];
    for (survey, body, want) in cases {
        let resp = expect_error(app.submit(survey, &body).await, 422, "validation_failed").await;
        let mut got = details(&resp);
        got.sort();
        let mut want = pairs(want);
        want.sort();
        assert_eq!(got, want, "{body}: {resp}");
        let message = resp["error"]["message"].as_str().expect("a message");
        assert!(
            message.contains(&want[0].0),
            "the message names the field: {message}"
        );
    }
    assert_eq!(
        app.response_ids("").await.len(),
        0,
        "nothing invalid is stored"
    );
}

both_backends!(invalid_query_parameters_are_400_invalid_query);
async fn invalid_query_parameters_are_400_invalid_query(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let paths = [
        "/api/v1/responses?limit=0",
        "/api/v1/responses?limit=1001",
        "/api/v1/responses?limit=ten",
        "/api/v1/responses?status=foo",
        "/api/v1/responses?since=notadate",
        "/api/v1/responses?until=2026-13-01",
        "/api/v1/responses?channel=fax",
        "/api/v1/responses?colour=red",
        "/api/v1/responses?format=csv",
        "/api/v1/responses/export?format=xml",
        "/api/v1/responses/export?limit=10",
        "/api/v1/responses/export?cursor=01J0000000000000000000000",
        "/api/v1/responses/export?status=done",
        &format!("/api/v1/surveys/{survey}?version=latest"),
    ];
    for path in paths {
        let body = expect_error(app.get(path).await, 400, "invalid_query").await;
        let message = body["error"]["message"].as_str().expect("message");
        assert!(!message.is_empty(), "{path}");
    }
    // The valid forms of the same parameters are accepted.
    for path in [
        "/api/v1/responses?limit=1",
        "/api/v1/responses?limit=1000",
        "/api/v1/responses?status=partial&since=2026-01-01&until=2026-01-02T00:00:00Z&channel=sms",
    ] {
        app.get_json(path).await;
    }
}

both_backends!(
    a_body_over_the_size_limit_is_413_payload_too_large,
    |config| {
        config.http.max_body_bytes = 2048;
    }
);
async fn a_body_over_the_size_limit_is_413_payload_too_large(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let big = json!({ "answers": { "nps": 9, "comment": "é".repeat(1500) } });
    expect_error(app.submit(&survey, &big).await, 413, "payload_too_large").await;

    let mut big_definition = nps_survey();
    big_definition["title"] = json!({ "en": "t".repeat(4000) });
    expect_error(
        app.post_survey(&big_definition).await,
        413,
        "payload_too_large",
    )
    .await;
    expect_error(
        app.put_survey(&survey, &big_definition).await,
        413,
        "payload_too_large",
    )
    .await;

    let started = app
        .submit_ok(&survey, &json!({ "answers": {}, "completed": false }))
        .await;
    let resp = app
        .continue_response(
            started["id"].as_str().expect("id"),
            started["resume_token"].as_str().expect("token"),
            &big,
        )
        .await;
    expect_error(resp, 413, "payload_too_large").await;

    // A hosted-page form over the limit gets a page, in the respondent's language.
    let resp = app
        .anonymous(reqwest::Method::POST, &format!("/s/{survey}"))
        .header("accept-language", "cs")
        .form(&[("q", "comment"), ("a", &"x".repeat(4000))])
        .send()
        .await
        .expect("POST form");
    assert_eq!(resp.status(), 413);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("content type")
            .starts_with("text/html")
    );
    let page = resp.text().await.expect("body");
    assert!(page.contains("lang=\"cs\""), "{page}");

    // Just under the limit is fine.
    let fits = json!({ "answers": { "nps": 9, "comment": "a".repeat(1900) } });
    app.submit_ok(&survey, &fits).await;
}

both_backends!(a_draft_survey_takes_no_responses_and_a_closed_one_answers_409_survey_closed);
async fn a_draft_survey_takes_no_responses_and_a_closed_one_answers_409_survey_closed(
    app: TestApp,
) {
    let created = app.create_survey(&nps_survey()).await;
    let survey = created["id"].as_str().expect("id").to_string();
    let answers = json!({ "answers": { "nps": 9 } });
    expect_error(app.submit(&survey, &answers).await, 404, "not_found").await;

    app.publish(&survey).await;
    app.submit_ok(&survey, &answers).await;
    let partial = app
        .submit_ok(&survey, &json!({ "answers": {}, "completed": false }))
        .await;

    app.close(&survey).await;
    expect_error(app.submit(&survey, &answers).await, 409, "survey_closed").await;
    let resp = app
        .continue_response(
            partial["id"].as_str().expect("id"),
            partial["resume_token"].as_str().expect("token"),
            &json!({ "answers": { "nps": 9 }, "completed": true }),
        )
        .await;
    expect_error(resp, 409, "survey_closed").await;
    // Closing keeps what was collected.
    assert_eq!(app.response_ids("").await.len(), 2);

    // Publishing again reopens it.
    app.publish(&survey).await;
    let (status, _) = json_of(app.submit(&survey, &answers).await).await;
    assert_eq!(status, StatusCode::CREATED);
}

// PostgreSQL's text cannot hold NUL: a `%00` in an id, a filter or a form field, or a
// `\u0000` in a stored field, was a database error and so a 500 (with a logged backtrace,
// for anyone to trigger). It is "not found", or a field error, on every backend.
both_backends!(a_nul_character_anywhere_is_a_client_error_not_a_500);
async fn a_nul_character_anywhere_is_a_client_error_not_a_500(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    for path in [
        "/api/v1/surveys/a%00b".to_string(),
        "/api/v1/responses/a%00b".to_string(),
        "/s/a%00b".to_string(),
        "/s/a%00b/qr.svg".to_string(),
        format!("/s/{survey}?rid=a%00&rt=x"),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "GET {path}");
    }
    let resp = app
        .submit("a%00b", &json!({ "answers": { "nps": 9 } }))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    for query in ["survey=a%00", "touchpoint=a%00"] {
        let page = app.get_json(&format!("/api/v1/responses?{query}")).await;
        assert_eq!(page["items"], json!([]), "{query}");
    }
    // A cursor is one the list gave: anything else, a NUL too, is refused.
    expect_error(
        app.get("/api/v1/responses?cursor=%00").await,
        400,
        "invalid_cursor",
    )
    .await;
    let resp = app
        .submit(
            &survey,
            &json!({ "answers": { "nps": 9 }, "contact": { "external_id": "a\u{0}b" },
                     "invitation_token": "i\u{0}" }),
        )
        .await;
    let body = expect_error(resp, 422, "validation_failed").await;
    assert_eq!(
        details(&body),
        pairs(&[
            ("contact.external_id", "nul_character"),
            ("invitation_token", "nul_character")
        ])
    );
    let mut definition = nps_survey();
    definition["title"]["en"] = json!("Check\u{0}out");
    let body = expect_error(app.post_survey(&definition).await, 422, "validation_failed").await;
    assert_eq!(details(&body), pairs(&[("title.en", "nul_character")]));

    // A first page posted with a mangled nonce is stored (without one), not refused.
    let resp = app
        .anonymous(Method::POST, &format!("/s/{survey}"))
        .form(&[("q", "nps"), ("a", "9"), ("k", "a\u{0}"), ("inv", "i\u{0}")])
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let long = "k".repeat(5000);
    let resp = app
        .anonymous(Method::POST, &format!("/s/{survey}"))
        .form(&[("q", "nps"), ("a", "9"), ("k", long.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}
