//! Several server processes over one database work together: nothing that matters lives
//! only in one process's memory.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, json_of};

async fn post(
    app: &TestApp,
    node: &str,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut req = app.client.post(format!("{node}{path}")).json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    req.send().await.expect("POST")
}

both_backends!(two_nodes_share_surveys_responses_idempotency_and_lifecycle);
async fn two_nodes_share_surveys_responses_idempotency_and_lifecycle(app: TestApp) {
    let other = app.second_node().await;
    let a = app.address.clone();
    let b = other.address.clone();
    let id = app.published_survey(&nps_survey()).await;
    let path = format!("/api/v1/surveys/{id}/responses");

    // The same retried submissions race through both nodes: each key is stored once.
    let mut tasks = Vec::new();
    for i in 0..20 {
        for node in [a.clone(), b.clone()] {
            let (client, path) = (app.client.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                client
                    .post(format!("{node}{path}"))
                    .header("Idempotency-Key", format!("order-{i}"))
                    .json(&json!({ "answers": { "nps": i % 11 } }))
                    .send()
                    .await
                    .expect("POST")
                    .status()
            }));
        }
    }
    let mut created = 0;
    for t in tasks {
        let status = t.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(
        created, 20,
        "each idempotency key is stored by exactly one node"
    );
    assert_eq!(app.all_responses(&format!("survey={id}")).await.len(), 20);

    // A partial response started on one node is continued on the other.
    let (status, started) = json_of(
        post(
            &app,
            &b,
            &path,
            None,
            &json!({ "answers": { "nps": 7 }, "completed": false }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let rid = started["id"].as_str().expect("id");
    let token = started["resume_token"].as_str().expect("resume token");
    let resp = app
        .client
        .patch(format!("{a}/api/v1/responses/{rid}"))
        .header("X-Resume-Token", token)
        .json(&json!({ "answers": { "comment": "finished elsewhere" }, "completed": true }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(app.response(rid).await["status"], "completed");

    // Closing on one node takes effect on the other at once.
    app.close(&id).await;
    let (status, body) =
        json_of(post(&app, &b, &path, None, &json!({ "answers": { "nps": 9 } })).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "survey_closed");

    // A new version made through one node is what the other validates and stores
    // against at once, although it had the old one cached.
    app.publish(&id).await;
    let mut v2 = nps_survey();
    v2["questions"][0]["text"]["en"] = json!("Version two: would you recommend us?");
    v2["questions"]
        .as_array_mut()
        .expect("questions")
        .push(json!({ "id": "reason", "type": "open_text", "text": { "en": "Why?" } }));
    let resp = app.put_survey(&id, &v2).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, body) = json_of(
        post(
            &app,
            &b,
            &path,
            None,
            &json!({ "answers": { "nps": 9, "reason": "new question" } }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["survey_version"], 2);
    // A response valid under the old version only is stored against the new one too.
    let (status, body) =
        json_of(post(&app, &b, &path, None, &json!({ "answers": { "nps": 3 } })).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["survey_version"], 2);
    let page = app
        .client
        .get(format!("{b}/s/{id}?lang=en"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Version two"), "{page}");
}
