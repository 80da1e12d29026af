//! Erasing a person and deleting a response over HTTP: everything tied to them leaves the
//! database, the lists, the exports, the reports, search and the journey engine, on every
//! node, with a receipt of what was removed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};
use crate::journeys::{PERIOD, counts, setup};

async fn post_contact(app: &TestApp, body: Value) -> String {
    let (status, c) = json_of(app.send_json(Method::POST, "/api/v1/contacts", &body).await).await;
    assert!(status == 201 || status == 200, "{c}");
    c["id"].as_str().unwrap().to_string()
}

/// People who entered the funnel's first stage, as `node` computes it.
async fn entered(app: &TestApp, base: &str) -> u64 {
    let resp = app
        .client
        .get(format!("{base}/api/v1/journeys/shop/funnel?{PERIOD}"))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .expect("funnel");
    let (status, f) = json_of(resp).await;
    assert_eq!(status, 200, "{f}");
    counts(&f)[0].2
}

async fn total_nps_n(app: &TestApp) -> u64 {
    app.get_json("/api/v1/metrics?metric=nps&from=2000-01-01&to=2100-01-01")
        .await["total"]["n"]
        .as_u64()
        .unwrap()
}

/// A DELETE that must find nothing.
async fn delete_gone(app: &TestApp, path: &str) {
    let resp = app.request(Method::DELETE, path).send().await.unwrap();
    expect_error(resp, 404, "not_found").await;
}

async fn listed(app: &TestApp, query: &str) -> usize {
    app.get_json(&format!("/api/v1/responses?{query}")).await["items"]
        .as_array()
        .unwrap()
        .len()
}

both_backends!(erasing_a_person_removes_them_everywhere_with_a_receipt);
async fn erasing_a_person_removes_them_everywhere_with_a_receipt(app: TestApp) {
    // u1..u5 shop (u5 first browses anonymously as browser-5, then identifies).
    setup(&app).await;
    let u5 = post_contact(
        &app,
        json!({"external_id": "u5", "email": "u5@example.com"}),
    )
    .await;
    let dup = post_contact(
        &app,
        json!({"email": "five@example.com", "name": "Jan Nowak"}),
    )
    .await;
    let resp = app
        .send_json(
            Method::POST,
            &format!("/api/v1/contacts/{u5}/merge"),
            &json!({"from": dup}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let u1 = post_contact(&app, json!({"external_id": "u1"})).await;
    let survey = app
        .published_survey(
            &json!({"title": {"en": "S"}, "locales": ["en"], "touchpoint": "checkout",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}},
                          {"id": "why", "type": "open_text", "text": {"en": "Why?"}}]}),
        )
        .await;
    let (_, inv) = json_of(
        app.send_json(
            Method::POST,
            &format!("/api/v1/contacts/{u5}/invitations"),
            &json!({"survey": survey}),
        )
        .await,
    )
    .await;
    let token = inv["token"].as_str().unwrap();
    for body in [
        json!({"answers": {"nps": 2, "why": "Kurier spóźniony, pisze Jan Nowak"},
               "contact": {"external_id": "u5"}}),
        json!({"answers": {"nps": 4}, "contact": {"email": "five@example.com"}}),
        json!({"answers": {"nps": 6}, "invitation_token": token}),
        json!({"answers": {"nps": 10, "why": "Great"}, "contact": {"external_id": "u1"}}),
    ] {
        app.submit_ok(&survey, &body).await;
    }
    // A second node builds its indexes before the erasure.
    let other = app.second_node().await;
    assert_eq!(entered(&app, &other.address).await, 4);
    assert_eq!(entered(&app, &app.address).await, 4);
    assert_eq!(total_nps_n(&app).await, 4);
    assert_eq!(listed(&app, "q=nowak").await, 1);

    let (status, receipt) = json_of(
        app.request(Method::DELETE, &format!("/api/v1/contacts/{u5}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["contact_id"], u5);
    assert_eq!(
        receipt["contacts"], 2,
        "the contact and its merged duplicate"
    );
    assert_eq!(
        receipt["responses"], 3,
        "by external id, by the duplicate's email, by link"
    );
    // browser-5's anonymous view, the identify call, the cart and the late order.
    assert_eq!(receipt["events"], 4);
    assert_eq!(receipt["identities"], 1);
    assert_eq!(receipt["invitations"], 1);
    assert!(receipt["erased_at"].as_str().unwrap().ends_with('Z'));

    // Gone from the database, the lists and the lookups.
    expect_error(
        app.get(&format!("/api/v1/contacts/{u5}")).await,
        404,
        "not_found",
    )
    .await;
    for q in [
        "external_id=u5",
        "email=u5@example.com",
        "email=five@example.com",
    ] {
        let found = app.get_json(&format!("/api/v1/contacts?{q}")).await;
        assert_eq!(found["items"], json!([]), "{q}");
    }
    assert_eq!(listed(&app, "").await, 1);
    assert_eq!(
        listed(&app, "q=nowak").await,
        0,
        "search forgets their words"
    );
    for q in ["user_id=u5", "anonymous_id=browser-5"] {
        let events = app.get_json(&format!("/api/v1/events?{q}")).await;
        assert_eq!(events["items"], json!([]), "{q}");
    }
    let csv = app
        .get_text(&format!("/api/v1/responses/export?survey={survey}"))
        .await;
    assert!(csv.contains("Great"), "the others stay: {csv}");
    // Cell by cell: an id elsewhere in the file may well contain the letters "u5".
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in &record.unwrap() {
            assert!(
                cell != "u5" && !cell.contains("Nowak") && !cell.contains("@example.com"),
                "{cell} in {csv}"
            );
        }
    }
    // Gone from the reports and the journey engine, on both nodes.
    assert_eq!(total_nps_n(&app).await, 1);
    assert_eq!(entered(&app, &app.address).await, 3);
    assert_eq!(entered(&app, &other.address).await, 3);
    // Others are untouched.
    let theirs = app
        .get_json(&format!("/api/v1/contacts/{u1}/responses"))
        .await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    // Once is enough.
    delete_gone(&app, &format!("/api/v1/contacts/{u5}")).await;
}

both_backends!(a_single_response_can_be_deleted);
async fn a_single_response_can_be_deleted(app: TestApp) {
    let survey = app
        .published_survey(
            &json!({"title": {"en": "S"}, "locales": ["en"], "touchpoint": "checkout",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}}]}),
        )
        .await;
    let keep = app
        .submit_ok(&survey, &json!({"answers": {"nps": 9}}))
        .await;
    let gone = app
        .submit_ok(&survey, &json!({"answers": {"nps": 0}}))
        .await;
    let other = app.second_node().await;
    let on_other = |app: &TestApp| {
        app.client
            .get(format!(
                "{}/api/v1/metrics?metric=nps&from=2000-01-01&to=2100-01-01",
                other.address
            ))
            .bearer_auth(&app.api_key)
            .send()
    };
    let (_, before) = json_of(on_other(&app).await.unwrap()).await;
    assert_eq!(before["total"]["n"], 2);
    let id = gone["id"].as_str().unwrap();
    let resp = app
        .request(Method::DELETE, &format!("/api/v1/responses/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    expect_error(
        app.get(&format!("/api/v1/responses/{id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(listed(&app, "").await, 1);
    assert_eq!(total_nps_n(&app).await, 1);
    let (_, after) = json_of(on_other(&app).await.unwrap()).await;
    assert_eq!(after["total"]["n"], 1, "the other node forgot it too");
    assert_eq!(after["total"]["value"], 100.0);
    delete_gone(&app, &format!("/api/v1/responses/{id}")).await;
    // The other response stays.
    let kept = keep["id"].as_str().unwrap();
    assert_eq!(
        app.get_json(&format!("/api/v1/responses/{kept}")).await["id"],
        kept
    );
}
