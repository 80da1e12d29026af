//! API keys: management calls need a valid, unrevoked key of the workspace.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, altered, expect_error};

/// Every management endpoint, with a survey and response that exist.
fn management_calls(survey: &str, response: &str) -> Vec<(Method, String)> {
    vec![
        (Method::GET, "/api/v1/surveys".into()),
        (Method::POST, "/api/v1/surveys".into()),
        (Method::GET, format!("/api/v1/surveys/{survey}")),
        (Method::PUT, format!("/api/v1/surveys/{survey}")),
        (Method::DELETE, format!("/api/v1/surveys/{survey}")),
        (Method::POST, format!("/api/v1/surveys/{survey}/publish")),
        (Method::POST, format!("/api/v1/surveys/{survey}/close")),
        (Method::GET, "/api/v1/responses".into()),
        (Method::GET, format!("/api/v1/responses/{response}")),
        (Method::GET, "/api/v1/responses/export".into()),
    ]
}

both_backends!(management_calls_without_a_valid_unrevoked_key_are_401_unauthorized);
async fn management_calls_without_a_valid_unrevoked_key_are_401_unauthorized(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let response = app.answer(&survey, json!({ "nps": 8 })).await;
    let (_, spare) = app
        .store
        .create_api_key(app.workspace_id, "spare")
        .await
        .expect("creating a key");
    let spare_id = app
        .store
        .list_api_keys(app.workspace_id)
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.name == "spare")
        .expect("the spare key")
        .id;
    assert_eq!(
        app.request_as(&spare, Method::GET, "/api/v1/surveys")
            .send()
            .await
            .expect("GET")
            .status(),
        StatusCode::OK
    );
    assert!(
        app.store
            .revoke_api_key(app.workspace_id, &spare_id)
            .await
            .expect("revoking")
    );

    let wrong_secret = altered(&app.api_key);
    for (method, path) in management_calls(&survey, &response) {
        let attempts = [
            ("no key", app.anonymous(method.clone(), &path)),
            (
                "a made-up key",
                app.request_as("puls_nothing_here", method.clone(), &path),
            ),
            (
                "a wrong secret",
                app.request_as(&wrong_secret, method.clone(), &path),
            ),
            (
                "a revoked key",
                app.request_as(&spare, method.clone(), &path),
            ),
            (
                "basic auth",
                app.anonymous(method.clone(), &path)
                    .basic_auth("acme", Some(&app.api_key)),
            ),
        ];
        for (what, request) in attempts {
            let resp = request
                .header("content-type", "application/json")
                .body(nps_survey().to_string())
                .send()
                .await
                .expect("request");
            let body = expect_error(resp, 401, "unauthorized").await;
            assert!(!body.to_string().contains(&app.api_key), "{what}: {body}");
        }
    }

    // The scheme is case-insensitive, and a valid key works in any spelling of it.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let resp = app
            .anonymous(Method::GET, "/api/v1/surveys")
            .header("authorization", format!("{scheme} {}", app.api_key))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), StatusCode::OK, "{scheme}");
    }

    // Nothing was changed by the refused calls, and the valid key still works.
    let read = app.get_json(&format!("/api/v1/surveys/{survey}")).await;
    assert_eq!(read["status"], "published");
    assert_eq!(read["version"], 1);
    assert_eq!(app.response_ids("").await, vec![response]);
}
