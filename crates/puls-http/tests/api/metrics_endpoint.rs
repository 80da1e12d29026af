//! Prometheus metrics: off by default; when on, `GET /metrics` counts and times requests
//! by route pattern, method and status (never an id), and counts what was taken in.

use reqwest::Method;
use serde_json::json;

use crate::fixtures::nps_survey;
use crate::helpers::TestApp;

both_backends!(the_metrics_are_off_unless_configured);
async fn the_metrics_are_off_unless_configured(app: TestApp) {
    assert_eq!(app.get("/metrics").await.status(), 404);
}

both_backends!(
    requests_and_ingestion_are_counted_by_route_never_by_id,
    |config| {
        config.metrics.enabled = true;
    }
);
async fn requests_and_ingestion_are_counted_by_route_never_by_id(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let mut ids = vec![survey.clone()];
    for score in [10, 9, 2] {
        ids.push(app.answer(&survey, json!({"nps": score})).await);
    }
    let r = app
        .request(Method::GET, &format!("/api/v1/responses/{}", ids[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let key = app.write_key().await;
    app.send_batch_ok(
        &key,
        vec![json!({"type": "track", "userId": "u1", "event": "Viewed", "messageId": "m1"})],
    )
    .await;
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
    let text = resp.text().await.unwrap();
    for line in [
        r#"puls_http_requests_total{route="/api/v1/surveys/{id}/responses",method="POST",status="201"} 3"#,
        r#"puls_http_requests_total{route="/api/v1/responses/{id}",method="GET",status="200"} 1"#,
        "puls_responses_ingested_total 3",
        "puls_events_ingested_total 1",
        "puls_outbox_pending_jobs 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
    assert!(
        text.lines().any(|l| l
            == r#"puls_http_request_duration_seconds_count{route="/api/v1/responses/{id}",method="GET"} 1"#),
        "{text}"
    );
    // No id, only patterns; every metric is Puls's.
    for id in &ids {
        assert!(!text.contains(id.as_str()), "{id} in the metrics");
    }
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        assert!(line.starts_with("puls_"), "{line}");
    }
}
