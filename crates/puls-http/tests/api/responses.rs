//! Submitting responses: every question type, skip logic, idempotency and invitations.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{all_types_answers, all_types_survey, nps_survey, skip_logic_survey};
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

both_backends!(every_question_type_is_submitted_and_read_back);
async fn every_question_type_is_submitted_and_read_back(app: TestApp) {
    let survey = app.published_survey(&all_types_survey()).await;
    let result = app
        .submit_ok(
            &survey,
            &json!({
                "answers": all_types_answers(),
                "channel": "sms",
                "touchpoint": "returns",
                "locale": "cs",
                "contact": { "external_id": "cust-000042", "email": "Jana.Novakova@Example.com" },
                "attributes": { "order_id": "A-1001", "device": "mobile" }
            }),
        )
        .await;
    assert_eq!(result["status"], "completed");
    assert_eq!(result["survey_version"], 1);
    assert_eq!(
        result["resume_token"],
        Value::Null,
        "a completed response cannot be resumed"
    );

    let id = result["id"].as_str().expect("an id");
    let stored = app.response(id).await;
    assert_eq!(stored["id"], id);
    assert_eq!(stored["survey_id"], survey);
    assert_eq!(stored["survey_version"], 1);
    assert_eq!(stored["status"], "completed");
    assert_eq!(
        stored["answers"],
        all_types_answers(),
        "answers read back as sent"
    );
    assert_eq!(stored["channel"], "sms");
    assert_eq!(stored["touchpoint"], "returns");
    assert_eq!(stored["locale"], "cs");
    assert_eq!(stored["contact"]["external_id"], "cust-000042");
    assert_eq!(
        stored["contact"]["email"], "jana.novakova@example.com",
        "emails are lowercased"
    );
    assert_eq!(
        stored["attributes"],
        json!({ "order_id": "A-1001", "device": "mobile" })
    );
    assert!(
        stored["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(stored["completed_at"], stored["created_at"]);

    // The other accepted forms, and the survey's defaults for absent metadata.
    let answers = json!({
        "nps": 0,
        "liked": ["price"],
        "reach": { "phone": "601 234 567", "consent": true }
    });
    let plain = app.answer(&survey, answers.clone()).await;
    let stored = app.response(&plain).await;
    assert_eq!(stored["answers"], answers);
    assert_eq!(stored["channel"], "email", "the survey's channel");
    assert_eq!(stored["touchpoint"], "delivery", "the survey's touchpoint");
    assert_eq!(stored["locale"], "en", "the survey's default locale");
    assert_eq!(stored["contact"], Value::Null);
    assert_eq!(stored["attributes"], json!({}));
}

both_backends!(skip_logic_rejects_answers_to_hidden_questions_and_demands_only_visible_ones);
async fn skip_logic_rejects_answers_to_hidden_questions_and_demands_only_visible_ones(
    app: TestApp,
) {
    let survey = app.published_survey(&skip_logic_survey()).await;
    let rejected = |answers: Value, want: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let survey = &survey;
        async move {
            let body = expect_error(
                app.submit(survey, &json!({ "answers": answers })).await,
                422,
                "validation_failed",
            )
            .await;
            assert_eq!(details(&body), pairs(want), "{answers}: {body}");
        }
    };

    // A promoter is not asked what went wrong, even though that question is required.
    app.answer(
        &survey,
        json!({ "arrived": "yes", "nps": 9, "praise": "Quick!" }),
    )
    .await;
    rejected(
        json!({ "arrived": "yes", "nps": 9, "reason": "late" }),
        &[("answers.reason", "hidden_question")],
    )
    .await;
    // A detractor must say what went wrong, and is not asked for praise.
    rejected(
        json!({ "arrived": "yes", "nps": 3 }),
        &[("answers.reason", "required")],
    )
    .await;
    rejected(
        json!({ "arrived": "yes", "nps": 3, "reason": "late", "praise": "Nothing" }),
        &[("answers.praise", "hidden_question")],
    )
    .await;
    app.answer(
        &survey,
        json!({ "arrived": "yes", "nps": 3, "reason": "damaged" }),
    )
    .await;
    // A passive sees neither follow-up.
    app.answer(&survey, json!({ "arrived": "yes", "nps": 7 }))
        .await;

    // "Not arrived yet" ends the survey: the required NPS is not demanded, nor accepted.
    app.answer(&survey, json!({ "arrived": "no" })).await;
    rejected(
        json!({ "arrived": "no", "nps": 5 }),
        &[("answers.nps", "hidden_question")],
    )
    .await;
    rejected(json!({ "arrived": "yes" }), &[("answers.nps", "required")]).await;

    assert_eq!(
        app.response_ids("").await.len(),
        4,
        "only the valid responses are stored"
    );
}

both_backends!(a_repeated_idempotency_key_stores_the_response_once);
async fn a_repeated_idempotency_key_stores_the_response_once(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let submit = |key: &'static str, body: Value| {
        let (app, survey) = (&app, &survey);
        async move { app.submit_keyed(survey, key, &body).await }
    };

    let (status, first) = submit("order-1001", json!({ "answers": { "nps": 9 } })).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, retry) = submit("order-1001", json!({ "answers": { "nps": 9 } })).await;
    assert_eq!(status, StatusCode::OK, "a retry is answered 200: {retry}");
    assert_eq!(retry, first, "a retry returns the stored response");
    // The key decides: a different body under the same key is still the first response.
    let (status, changed) = submit("order-1001", json!({ "answers": { "nps": 2 } })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["id"], first["id"]);
    let id = first["id"].as_str().expect("an id");
    assert_eq!(app.response(id).await["answers"], json!({ "nps": 9 }));

    let (status, other) = submit("order-1002", json!({ "answers": { "nps": 5 } })).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(other["id"], first["id"]);
    assert_eq!(app.response_ids(&format!("survey={survey}")).await.len(), 2);

    // A retried partial response gets its resume token again.
    let (status, partial) =
        submit("order-1003", json!({ "answers": {}, "completed": false })).await;
    assert_eq!(status, StatusCode::CREATED, "{partial}");
    let (status, again) = submit("order-1003", json!({ "answers": {}, "completed": false })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, partial);
    assert!(
        again["resume_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    // Keys are per survey.
    let elsewhere = app.published_survey(&nps_survey()).await;
    let resp = app
        .anonymous(
            reqwest::Method::POST,
            &format!("/api/v1/surveys/{elsewhere}/responses"),
        )
        .header("Idempotency-Key", "order-1001")
        .json(&json!({ "answers": { "nps": 9 } }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::CREATED);

    let too_long = "k".repeat(201);
    let resp = app
        .anonymous(
            reqwest::Method::POST,
            &format!("/api/v1/surveys/{survey}/responses"),
        )
        .header("Idempotency-Key", too_long)
        .json(&json!({ "answers": { "nps": 9 } }))
        .send()
        .await
        .expect("POST");
    expect_error(resp, 400, "invalid_idempotency_key").await;
}

both_backends!(a_guessed_idempotency_key_does_not_hand_out_another_partial_responses_resume_token);
async fn a_guessed_idempotency_key_does_not_hand_out_another_partial_responses_resume_token(
    app: TestApp,
) {
    let survey = app.published_survey(&nps_survey()).await;
    let submit = |body: Value| {
        let (app, survey) = (&app, &survey);
        async move { app.submit_keyed(survey, "order-1001", &body).await }
    };
    let (status, victim) = submit(json!({ "answers": { "nps": 3 }, "completed": false })).await;
    assert_eq!(status, StatusCode::CREATED, "{victim}");

    // Anyone can post to a published survey; knowing the key is not owning the response.
    let (status, stranger) = submit(json!({ "answers": { "nps": 10 }, "completed": false })).await;
    assert_eq!(status, StatusCode::OK, "{stranger}");
    assert_eq!(stranger["id"], victim["id"]);
    assert_eq!(stranger["resume_token"], Value::Null, "{stranger}");

    // A true retry (the same answers) still gets its token back.
    let (status, retry) = submit(json!({ "answers": { "nps": 3 }, "completed": false })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(retry, victim);
}

both_backends!(concurrent_submissions_with_the_same_idempotency_key_store_one_row);
async fn concurrent_submissions_with_the_same_idempotency_key_store_one_row(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let path = format!("/api/v1/surveys/{survey}/responses");
    let attempts = (0..16).map(|i| {
        app.anonymous(reqwest::Method::POST, &path)
            .header("Idempotency-Key", "checkout-7f3a")
            .json(&json!({ "answers": { "nps": 10, "comment": format!("attempt {i}") } }))
            .send()
    });
    let results = futures::future::join_all(attempts).await;
    let mut created = 0;
    let mut ids = BTreeSet::new();
    for result in results {
        let (status, body) = json_of(result.expect("POST")).await;
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => {}
            other => panic!("unexpected {other}: {body}"),
        }
        ids.insert(body["id"].as_str().expect("an id").to_string());
    }
    assert_eq!(created, 1, "exactly one submission stores the response");
    assert_eq!(
        ids.len(),
        1,
        "every submission names the same response: {ids:?}"
    );
    assert_eq!(app.response_ids(&format!("survey={survey}")).await.len(), 1);
}

both_backends!(an_invitation_token_is_answered_once_per_survey);
async fn an_invitation_token_is_answered_once_per_survey(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let body =
        |nps: i64, token: &str| json!({ "answers": { "nps": nps }, "invitation_token": token });

    let first = app.submit_ok(&survey, &body(9, "inv-7b2c")).await;
    assert_eq!(
        app.response(first["id"].as_str().expect("an id")).await["invitation_token"],
        "inv-7b2c"
    );
    expect_error(
        app.submit(&survey, &body(4, "inv-7b2c")).await,
        409,
        "invitation_already_used",
    )
    .await;
    app.submit_ok(&survey, &body(4, "inv-9d1e")).await;

    // A retry of the first submission, with its idempotency key, is a replay, not a conflict.
    let keyed = |nps: i64| {
        app.anonymous(
            reqwest::Method::POST,
            &format!("/api/v1/surveys/{survey}/responses"),
        )
        .header("Idempotency-Key", "mail-1")
        .json(&body(nps, "inv-1a1a"))
        .send()
    };
    assert_eq!(keyed(8).await.expect("POST").status(), StatusCode::CREATED);
    assert_eq!(keyed(8).await.expect("POST").status(), StatusCode::OK);

    // The same token may answer another survey.
    let other = app.published_survey(&nps_survey()).await;
    app.submit_ok(&other, &body(10, "inv-7b2c")).await;
    assert_eq!(app.response_ids(&format!("survey={survey}")).await.len(), 3);
}
