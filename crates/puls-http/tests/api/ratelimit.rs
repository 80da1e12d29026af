//! Rate limits on public endpoints, per client address (the server sees the real peer).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, expect_error};

both_backends!(
    a_third_rapid_submission_from_one_client_is_429_rate_limited,
    |config| {
        config.rate_limit.per_second = 1;
        config.rate_limit.burst = 2;
    }
);
async fn a_third_rapid_submission_from_one_client_is_429_rate_limited(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let answers = json!({ "answers": { "nps": 9 } });
    app.submit_ok(&survey, &answers).await;
    app.submit_ok(&survey, &answers).await;
    let resp = app.submit(&survey, &answers).await;
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or("")),
        Some("1")
    );
    expect_error(resp, 429, "rate_limited").await;

    // Survey pages share the respondent's budget and say so in HTML.
    let resp = app
        .anonymous(Method::GET, &format!("/s/{survey}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.text().await.expect("body").contains("<html"));

    // Management calls with a key are not limited.
    for _ in 0..3 {
        app.get_json("/api/v1/surveys").await;
    }
    assert_eq!(
        app.response_ids("").await.len(),
        2,
        "the refused submission stored nothing"
    );
}
