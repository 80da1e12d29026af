//! Segments over HTTP: rules on attributes, behaviour and feedback, member counts and
//! members, and a segment as a filter on metrics.

use reqwest::Method;
use serde_json::{Value, json};

use crate::customer_helpers::{DAY, track};
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

/// Ann (pro) ordered three times this quarter and last said 4; Bob (free) ordered once and
/// last said 10 after an earlier 2; Cid (pro) never ordered nor answered.
async fn shop(app: &TestApp) -> String {
    for (id, plan) in [("ann", "pro"), ("bob", "free"), ("cid", "pro")] {
        let resp = app
            .send_json(
                Method::POST,
                "/api/v1/contacts",
                &json!({"external_id": id, "email": format!("{id}@example.com"),
                        "attributes": {"plan": plan}}),
            )
            .await;
        assert_eq!(resp.status(), 201);
    }
    let now = puls_store::now_ms();
    let key = app.write_key().await;
    app.send_batch_ok(
        &key,
        vec![
            track("ann", "Order Completed", now - 80 * DAY, json!({})),
            track("ann", "Order Completed", now - 40 * DAY, json!({})),
            track("ann", "Order Completed", now - 2 * DAY, json!({})),
            track("bob", "Order Completed", now - 200 * DAY, json!({})),
            track("stranger", "Order Completed", now - DAY, json!({})),
        ],
    )
    .await;
    let survey = app
        .published_survey(&json!({
            "title": {"en": "NPS"}, "locales": ["en"], "touchpoint": "loyalty",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "Recommend?"}}]
        }))
        .await;
    // Bob's answers: by email first (2), then by external id (10); Ann's: 9 then 4.
    for (contact, score) in [
        (json!({"email": "bob@example.com"}), 2),
        (json!({"external_id": "ann"}), 9),
        (json!({"external_id": "bob"}), 10),
        (json!({"external_id": "ann"}), 4),
        (json!({"external_id": "stranger"}), 0),
    ] {
        app.submit_ok(
            &survey,
            &json!({"answers": {"nps": score}, "contact": contact}),
        )
        .await;
    }
    survey
}

async fn save(app: &TestApp, key: &str, rule: Value) -> Value {
    let (status, body) = json_of(
        app.send_json(
            Method::PUT,
            &format!("/api/v1/segments/{key}"),
            &json!({"key": key, "name": key, "rule": rule}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn members(app: &TestApp, key: &str) -> Vec<String> {
    let page = app
        .get_json(&format!("/api/v1/segments/{key}/members"))
        .await;
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["external_id"].as_str().unwrap_or_default().to_string())
        .collect();
    ids.sort();
    assert_eq!(page["total"].as_u64(), Some(ids.len() as u64));
    ids
}

both_backends!(segments_pick_contacts_by_attributes_behaviour_and_feedback);
async fn segments_pick_contacts_by_attributes_behaviour_and_feedback(app: TestApp) {
    shop(&app).await;
    let pro = save(
        &app,
        "pro",
        json!({"attribute": "plan", "op": "eq", "value": "pro"}),
    )
    .await;
    assert_eq!(pro["members"], 2);
    save(
        &app,
        "loyal",
        json!({"event": "Order Completed", "min": 2, "within_days": 90}),
    )
    .await;
    save(
        &app,
        "detractors",
        json!({"feedback": "nps", "op": "lte", "value": 6}),
    )
    .await;
    save(
        &app,
        "ever-unhappy",
        json!({"feedback": "nps", "which": "any", "op": "lte", "value": 6}),
    )
    .await;
    save(
        &app,
        "pro-never-ordered",
        json!({"all": [
            {"attribute": "plan", "op": "eq", "value": "pro"},
            {"not": {"event": "Order Completed"}}
        ]}),
    )
    .await;
    assert_eq!(members(&app, "pro").await, ["ann", "cid"]);
    assert_eq!(members(&app, "loyal").await, ["ann"]);
    assert_eq!(members(&app, "detractors").await, ["ann"], "last NPS ≤ 6");
    assert_eq!(members(&app, "ever-unhappy").await, ["ann", "bob"]);
    assert_eq!(members(&app, "pro-never-ordered").await, ["cid"]);
    let listed = app.get_json("/api/v1/segments").await;
    let counts: Vec<(String, u64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["key"].as_str().unwrap().to_string(),
                s["members"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("detractors".to_string(), 1),
            ("ever-unhappy".to_string(), 2),
            ("loyal".to_string(), 1),
            ("pro".to_string(), 2),
            ("pro-never-ordered".to_string(), 1)
        ]
    );
}

both_backends!(a_segment_filters_every_metric_to_its_members_responses);
async fn a_segment_filters_every_metric_to_its_members_responses(app: TestApp) {
    let survey = shop(&app).await;
    save(
        &app,
        "pro",
        json!({"attribute": "plan", "op": "eq", "value": "pro"}),
    )
    .await;
    let all = app.get_json("/api/v1/metrics?metric=nps").await;
    assert_eq!(all["total"]["n"], 5);
    // Ann's two answers only (Cid gave none; the stranger is no contact).
    let pro = app
        .get_json(&format!(
            "/api/v1/metrics?metric=nps&segment=pro&survey={survey}"
        ))
        .await;
    assert_eq!(pro["total"]["n"], 2);
    assert_eq!(
        pro["total"]["value"], 0.0,
        "one promoter (9), one detractor (4)"
    );
    save(
        &app,
        "bob",
        json!({"contact": "email", "op": "eq", "value": "bob@example.com"}),
    )
    .await;
    // Bob's answers given by email and by external id are both his.
    let bob = app.get_json("/api/v1/metrics?metric=nps&segment=bob").await;
    assert_eq!(bob["total"]["n"], 2);
    let both = app
        .get_json("/api/v1/metrics?metric=nps&segment=bob&segment=pro")
        .await;
    assert_eq!(both["total"]["n"], 0, "all segments must hold");
    expect_error(
        app.get("/api/v1/metrics?metric=nps&segment=nope").await,
        422,
        "unknown_segment",
    )
    .await;
    expect_error(
        app.get("/api/v1/metrics?metric=nps&segment=Not%20A%20Key")
            .await,
        400,
        "invalid_query",
    )
    .await;
}

both_backends!(bad_segments_are_explained_with_paths);
async fn bad_segments_are_explained_with_paths(app: TestApp) {
    let bad = json!({"key": "x", "name": "X", "rule": {"any": [
        {"feedback": "ltv", "op": "gt", "value": 1},
        {"event": "Order Completed", "min": 3, "max": 1},
        {"colour": "red"},
        {"attribute": "plan", "op": "eq"}
    ]}});
    let body = expect_error(
        app.send_json(Method::POST, "/api/v1/segments", &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[
            ("rule.any[0].feedback", "not_one_of"),
            ("rule.any[1].max", "min_not_below_max"),
            ("rule.any[2]", "bad_condition"),
            ("rule.any[3].value", "required"),
        ])
    );
    expect_error(app.get("/api/v1/segments/nope").await, 404, "not_found").await;
    expect_error(
        app.get("/api/v1/segments/nope/members").await,
        404,
        "not_found",
    )
    .await;
}
