//! Workspaces are tenants: a key of one never reaches another's surveys or responses.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, expect_error, json_of};

both_backends!(a_key_of_one_workspace_cannot_see_or_touch_another_workspaces_data);
async fn a_key_of_one_workspace_cannot_see_or_touch_another_workspaces_data(app: TestApp) {
    let (_, theirs) = app.other_workspace("globex").await;
    let as_them = |method: Method, path: &str| app.request_as(&theirs, method, path);

    // Workspace B ("globex") makes a survey and gets a response.
    let resp = as_them(Method::POST, "/api/v1/surveys")
        .json(&nps_survey())
        .send()
        .await
        .expect("POST");
    let (status, created) = json_of(resp).await;
    assert_eq!(status, StatusCode::CREATED);
    let their_survey = created["id"].as_str().expect("id").to_string();
    let resp = as_them(
        Method::POST,
        &format!("/api/v1/surveys/{their_survey}/publish"),
    )
    .send()
    .await
    .expect("POST");
    assert_eq!(resp.status(), StatusCode::OK);
    let their_response = app
        .answer(
            &their_survey,
            json!({ "nps": 2, "comment": "globex secret" }),
        )
        .await;

    // Workspace A ("acme", the app's key) has its own.
    let our_survey = app.published_survey(&nps_survey()).await;
    let our_response = app.answer(&our_survey, json!({ "nps": 9 })).await;

    // A's key finds nothing of B's, and changes nothing.
    let s = format!("/api/v1/surveys/{their_survey}");
    let attempts = [
        app.request(Method::GET, &s),
        app.request(Method::GET, &format!("{s}?version=1")),
        app.request(Method::PUT, &s).json(&nps_survey()),
        app.request(Method::DELETE, &s),
        app.request(Method::POST, &format!("{s}/publish")),
        app.request(Method::POST, &format!("{s}/close")),
        app.request(Method::GET, &format!("/api/v1/responses/{their_response}")),
        app.request(
            Method::GET,
            &format!("/api/v1/responses/export?survey={their_survey}"),
        ),
    ];
    for attempt in attempts {
        expect_error(attempt.send().await.expect("request"), 404, "not_found").await;
    }
    let ours = app.get_json("/api/v1/surveys").await;
    assert_eq!(ours["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(ours["items"][0]["id"], our_survey.as_str());
    assert_eq!(app.response_ids("").await, vec![our_response.clone()]);
    assert_eq!(
        app.response_ids(&format!("survey={their_survey}")).await,
        Vec::<String>::new()
    );
    for query in ["", "format=ndjson", "status=completed"] {
        let export = app
            .get_text(&format!("/api/v1/responses/export?{query}"))
            .await;
        assert!(export.contains(&our_response), "{query}");
        assert!(
            !export.contains(&their_response),
            "B's response leaked into A's export: {export}"
        );
        assert!(!export.contains("globex secret"));
    }

    // B's data is as B left it, and B's key cannot reach A's either.
    let resp = as_them(Method::GET, &s).send().await.expect("GET");
    let (status, survey) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(survey["status"], "published");
    assert_eq!(survey["version"], 1);
    let resp = as_them(Method::GET, &format!("/api/v1/responses/{their_response}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = as_them(Method::GET, &format!("/api/v1/surveys/{our_survey}"))
        .send()
        .await
        .expect("GET");
    expect_error(resp, 404, "not_found").await;
    let resp = as_them(Method::GET, &format!("/api/v1/responses/{our_response}"))
        .send()
        .await
        .expect("GET");
    expect_error(resp, 404, "not_found").await;
    let resp = as_them(Method::GET, "/api/v1/responses")
        .send()
        .await
        .expect("GET");
    let (_, page) = json_of(resp).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["items"][0]["id"], their_response.as_str());
}
