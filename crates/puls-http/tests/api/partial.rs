//! Partial responses: saved progress, continued with a resume token, completed once; and
//! the survey version a response started on.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::skip_logic_survey;
use crate::helpers::{TestApp, altered, details, expect_error, json_of, pairs};

both_backends!(a_partial_response_is_continued_with_its_resume_token_until_complete);
async fn a_partial_response_is_continued_with_its_resume_token_until_complete(app: TestApp) {
    let survey = app.published_survey(&skip_logic_survey()).await;
    let started = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "arrived": "yes" }, "completed": false }),
        )
        .await;
    assert_eq!(started["status"], "partial", "required answers may wait");
    let id = started["id"].as_str().expect("an id").to_string();
    let token = started["resume_token"]
        .as_str()
        .expect("a resume token")
        .to_string();
    let stored = app.response(&id).await;
    assert_eq!(stored["status"], "partial");
    assert_eq!(stored["completed_at"], Value::Null);
    assert_eq!(stored["answers"], json!({ "arrived": "yes" }));

    // Completing without the required NPS is refused; so is a bad score.
    let body = expect_error(
        app.continue_response(&id, &token, &json!({ "completed": true }))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(details(&body), pairs(&[("answers.nps", "required")]));
    let body = expect_error(
        app.continue_response(&id, &token, &json!({ "answers": { "nps": 11 } }))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(details(&body), pairs(&[("answers.nps", "out_of_range")]));

    // Without the right token the response does not exist.
    let wrong = altered(&token);
    expect_error(
        app.continue_response(&id, &wrong, &json!({ "answers": { "nps": 9 } }))
            .await,
        404,
        "not_found",
    )
    .await;
    let no_token = app
        .anonymous(reqwest::Method::PATCH, &format!("/api/v1/responses/{id}"))
        .json(&json!({ "answers": { "nps": 9 } }))
        .send()
        .await
        .expect("PATCH");
    expect_error(no_token, 404, "not_found").await;
    expect_error(
        app.continue_response(
            "01J0000000000000000000000",
            &token,
            &json!({ "answers": {} }),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // More progress, then the end; `null` takes an answer back.
    let (status, saved) = json_of(
        app.continue_response(
            &id,
            &token,
            &json!({ "answers": { "nps": 4, "reason": "late" } }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["status"], "partial");
    assert_eq!(saved["resume_token"], token.as_str());
    let (status, done) = json_of(
        app.continue_response(
            &id,
            &token,
            &json!({
                "answers": { "nps": 10, "reason": null, "praise": "Fast" },
                "completed": true
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["id"], id.as_str());
    assert_eq!(done["status"], "completed");
    assert_eq!(done["resume_token"], Value::Null);

    let stored = app.response(&id).await;
    assert_eq!(stored["status"], "completed");
    assert_eq!(
        stored["answers"],
        json!({ "arrived": "yes", "nps": 10, "praise": "Fast" })
    );
    assert!(stored["completed_at"].is_string());

    let body = expect_error(
        app.continue_response(&id, &token, &json!({ "answers": { "nps": 1 } }))
            .await,
        409,
        "response_completed",
    )
    .await;
    assert_eq!(body["error"]["details"], Value::Null);
    assert_eq!(
        app.response(&id).await["answers"]["nps"],
        10,
        "a completed response stays as it was"
    );

    // The token may also travel in the body.
    let other = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "arrived": "no" }, "completed": false }),
        )
        .await;
    let resp = app
        .anonymous(
            reqwest::Method::PATCH,
            &format!("/api/v1/responses/{}", other["id"].as_str().expect("id")),
        )
        .json(&json!({ "answers": {}, "completed": true, "resume_token": other["resume_token"] }))
        .send()
        .await
        .expect("PATCH");
    let (status, body) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "completed");
}

both_backends!(responses_are_listed_by_status);
async fn responses_are_listed_by_status(app: TestApp) {
    let survey = app.published_survey(&skip_logic_survey()).await;
    let done = app.answer(&survey, json!({ "arrived": "no" })).await;
    let partial = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "arrived": "yes" }, "completed": false }),
        )
        .await;
    let partial_id = partial["id"].as_str().expect("id").to_string();

    assert_eq!(
        app.response_ids("status=partial").await,
        vec![partial_id.clone()]
    );
    assert_eq!(
        app.response_ids("status=completed").await,
        vec![done.clone()]
    );
    assert_eq!(app.response_ids("").await.len(), 2);

    let (status, _) = json_of(
        app.continue_response(
            &partial_id,
            partial["resume_token"].as_str().expect("token"),
            &json!({ "answers": { "nps": 8 }, "completed": true }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.response_ids("status=partial").await,
        Vec::<String>::new()
    );
    assert_eq!(app.response_ids("status=completed").await.len(), 2);
}

both_backends!(a_response_started_on_version_1_keeps_it_and_is_validated_against_it);
async fn a_response_started_on_version_1_keeps_it_and_is_validated_against_it(app: TestApp) {
    let survey = app.published_survey(&skip_logic_survey()).await;
    let started = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "arrived": "yes" }, "completed": false }),
        )
        .await;
    assert_eq!(started["survey_version"], 1);
    let id = started["id"].as_str().expect("id").to_string();
    let token = started["resume_token"].as_str().expect("token").to_string();

    // Version 2 asks for satisfaction instead of the NPS.
    let mut v2 = skip_logic_survey();
    v2["questions"] = json!([
        v2["questions"][0].clone(),
        { "id": "csat", "type": "csat", "required": true, "text": { "en": "Satisfied?" } }
    ]);
    let (status, updated) = json_of(app.put_survey(&survey, &v2).await).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["version"], 2);

    // The started response still answers version 1: CSAT is unknown to it, NPS required.
    let body = expect_error(
        app.continue_response(
            &id,
            &token,
            &json!({ "answers": { "csat": 4 }, "completed": true }),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let mut got = details(&body);
    got.sort();
    assert_eq!(
        got,
        pairs(&[("answers.csat", "unknown_question")]),
        "{body}"
    );
    let (status, done) = json_of(
        app.continue_response(
            &id,
            &token,
            &json!({ "answers": { "nps": 9 }, "completed": true }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["survey_version"], 1);
    let stored = app.response(&id).await;
    assert_eq!(stored["survey_version"], 1);
    assert_eq!(stored["answers"], json!({ "arrived": "yes", "nps": 9 }));

    // New responses answer version 2.
    let fresh = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "arrived": "yes", "csat": 4 } }),
        )
        .await;
    assert_eq!(fresh["survey_version"], 2);
}

both_backends!(concurrent_updates_of_a_partial_response_never_overwrite_each_other_silently);
async fn concurrent_updates_of_a_partial_response_never_overwrite_each_other_silently(
    app: TestApp,
) {
    let survey = app.published_survey(&skip_logic_survey()).await;
    let started = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "arrived": "yes" }, "completed": false }),
        )
        .await;
    let id = started["id"].as_str().expect("id");
    let token = started["resume_token"].as_str().expect("token");

    let app = &app;
    let updates = [1, 2, 3, 4, 5, 6].map(|nps| {
        let body = json!({ "answers": { "nps": nps, "reason": "late" } });
        async move { json_of(app.continue_response(id, token, &body).await).await }
    });
    let results = futures::future::join_all(updates).await;
    let mut applied = Vec::new();
    for (i, (status, body)) in results.into_iter().enumerate() {
        match status {
            StatusCode::OK => applied.push(i as i64 + 1),
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "revision_conflict", "{body}")
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(!applied.is_empty(), "at least one update goes through");
    // Whatever is stored is one of the updates that was told it went through.
    let stored = app.response(id).await;
    let nps = stored["answers"]["nps"].as_i64().expect("an NPS");
    assert!(applied.contains(&nps), "stored {nps}, applied {applied:?}");
}
