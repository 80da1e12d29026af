//! Sampling and quotas of distributions: a share of the audience drawn at random (the
//! others counted `not_sampled`); a sample sized per store for an NPS margin of error,
//! with its plan (responses needed, the response rate counted on, each store's size and
//! invitations); and a quota of completed responses that stops the sending.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

fn survey() -> Value {
    json!({
        "title": {"pl": "Sklep"}, "locales": ["pl"], "default_locale": "pl", "touchpoint": "store",
        "questions": [{"id": "nps", "type": "nps", "required": true,
                       "text": {"pl": "Czy polecisz nas?"}}]
    })
}

async fn import(app: &TestApp, rows: &[(String, &str)]) {
    let mut csv = String::from("external_id,email,store\n");
    for (id, store) in rows {
        csv.push_str(&format!("{id},{id}@sklep.example,{store}\n"));
    }
    let (status, report) = json_of(
        app.request(Method::POST, "/api/v1/contacts/import")
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{report}");
}

async fn send(app: &TestApp, survey: &str, body: Value) -> Value {
    let (status, d) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey}/distributions"),
        )
        .json(&body)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    d
}

both_backends!(samples_by_share_and_by_margin_of_error, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn samples_by_share_and_by_margin_of_error(app: TestApp) {
    let rows: Vec<(String, &str)> = (0..200)
        .map(|i| (format!("k{i}"), if i < 150 { "WAW" } else { "KRK" }))
        .collect();
    import(&app, &rows).await;
    let survey_id = app.published_survey(&survey()).await;
    // Problems at their paths.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "x", "audience": {"all": true},
                      "sample": {"percent": 0}, "quota": {"completed": -1}}))
        .send()
        .await
        .unwrap();
    let body = expect_error(r, 422, "validation_failed").await;
    assert!(body.to_string().contains("sample.percent"), "{body}");
    assert!(body.to_string().contains("quota.completed"), "{body}");

    // A fifth, drawn at random: the rest counted as not drawn.
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Piąta część", "audience": {"all": true}, "sample": {"percent": 20}}),
    )
    .await;
    let queued = d["counts"]["queued"].as_i64().unwrap();
    assert!((20..=60).contains(&queued), "{d}");
    assert_eq!(d["counts"]["skipped"]["not_sampled"], 200 - queued, "{d}");
    assert_eq!(d["sample_plan"], Value::Null);

    // ±40 NPS points at 95 % per store: 25 responses each, at the assumed 25 % response
    // rate (no history yet) 100 invitations: Warsaw's 150 are sampled, Kraków's 50 are
    // all invited and not enough.
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Na sklep", "audience": {"all": true},
               "sample": {"margin_of_error": 40, "by": "store"}}),
    )
    .await;
    let plan = &d["sample_plan"];
    assert_eq!(plan["responses_needed"], 25, "{plan}");
    assert_eq!(plan["invites_per_group"], 100, "{plan}");
    assert_eq!(plan["response_rate"], 0.25);
    assert_eq!(plan["response_rate_measured"], false);
    assert_eq!(
        plan["groups"],
        json!([
            {"group": "KRK", "contacts": 50, "invited": 50, "enough": false},
            {"group": "WAW", "contacts": 150, "invited": 100, "enough": true}
        ])
    );
    let queued = d["counts"]["queued"].as_i64().unwrap();
    assert!((125..=175).contains(&queued), "about 100 + 50: {d}");
    // The same draw whenever the distribution is prepared again (resumed).
    let deliveries = app
        .get_json(&format!(
            "/api/v1/distributions/{}/deliveries?limit=500",
            d["id"].as_str().unwrap()
        ))
        .await;
    let krk_skipped = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["reason"] == "not_sampled")
        .count();
    assert_eq!(krk_skipped as i64, 200 - queued);
}

both_backends!(a_full_quota_stops_the_sending, |config| {
    config.outbox.poll_ms = 50;
    config.smtp.host = Some("127.0.0.1".into());
});
async fn a_full_quota_stops_the_sending(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rows: Vec<(String, &str)> = (0..3).map(|i| (format!("q{i}"), "WAW")).collect();
    import(&app, &rows).await;
    let survey_id = app.published_survey(&survey()).await;
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Do jednej odpowiedzi", "audience": {"all": true},
               "quota": {"completed": 1}}),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["definition"]["quota"], json!({"completed": 1}));
    // Before anything is sent, one person answers through their link (say, a link
    // forwarded to them earlier): the quota is full.
    let first = app.store.deliveries(&id, "", 1).await.unwrap();
    let token = first[0].token.clone().unwrap();
    let survey = puls_core::SurveyId::parse(&survey_id).unwrap();
    app.app
        .answer_by_link(&survey, &token, "nps", "9", None)
        .await
        .unwrap();
    app.spawn_worker_mailing_to(&smtp);
    let mut counts = Value::Null;
    for _ in 0..200 {
        counts = app.get_json(&format!("/api/v1/distributions/{id}")).await["counts"].clone();
        if counts["queued"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(counts["skipped"]["quota_full"], 3, "{counts}");
    assert_eq!(counts["completed"], 1);
    assert_eq!(smtp.count(), 0);
}
