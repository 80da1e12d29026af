//! The contact-frequency policy across nodes: two distributions of the same people,
//! created at once through two nodes and sent by both nodes' workers to a real SMTP server,
//! never ask anyone more often than the policy allows (checked in the database), and every
//! send the policy refused is counted with its reason.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, json_of};

/// Contacts in the test: `PULS_FREQUENCY_CONTACTS`, else 10,000.
fn how_many() -> usize {
    std::env::var("PULS_FREQUENCY_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn survey(title: &str) -> Value {
    json!({
        "title": {"pl": title}, "locales": ["pl"], "default_locale": "pl",
        "touchpoint": "delivery",
        "questions": [{"id": "nps", "type": "nps", "required": true,
                       "text": {"pl": "Czy polecisz nas?"}}]
    })
}

/// Every delivery of a distribution, page by page.
async fn deliveries(base: &str, app: &TestApp, id: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = app
            .client
            .get(format!(
                "{base}/api/v1/distributions/{id}/deliveries?limit=500{cursor}"
            ))
            .bearer_auth(&app.api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

/// `(contact id, how many surveys they were asked)` of everyone asked more than once.
async fn asked_twice(app: &TestApp) -> (i64, Vec<(String, i64)>) {
    let total = "SELECT COUNT(*) FROM contact_touches";
    let twice = "SELECT contact_id, COUNT(*) FROM contact_touches GROUP BY contact_id \
                 HAVING COUNT(*) > 1";
    match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.database_url()).await.unwrap();
            (
                sqlx::query_scalar(total).fetch_one(&pool).await.unwrap(),
                sqlx::query_as(twice).fetch_all(&pool).await.unwrap(),
            )
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(app.database_url()).await.unwrap();
            (
                sqlx::query_scalar(total).fetch_one(&pool).await.unwrap(),
                sqlx::query_as(twice).fetch_all(&pool).await.unwrap(),
            )
        }
    }
}

both_backends!(
    two_nodes_never_ask_anyone_more_than_the_policy_allows,
    |config| {
        config.outbox.poll_ms = 20;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn two_nodes_never_ask_anyone_more_than_the_policy_allows(app: TestApp) {
    let n = how_many();
    let smtp = puls_testdb::SmtpServer::start();
    // A policy's problems at their paths; then one survey per 14 days.
    let (status, body) = json_of(
        app.request(Method::PUT, "/api/v1/settings/frequency")
            .json(&json!({"caps": [{"at_most": 0, "per_days": 14}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["path"], "caps[0].at_most");
    let policy = json!({"caps": [{"at_most": 1, "per_days": 14}, {"at_most": 4, "per_days": 365}]});
    let (status, body) = json_of(
        app.request(Method::PUT, "/api/v1/settings/frequency")
            .json(&policy)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status.as_u16(), &body), (200, &policy));

    let mut csv = String::from("external_id,email,locale\n");
    for i in 0..n {
        csv.push_str(&format!("c{i},c{i}@sklep.example,pl\n"));
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
    let a = app.published_survey(&survey("Dostawa")).await;
    let b = app.published_survey(&survey("Zwrot")).await;

    // Both distributions at once, one through each node; both nodes send.
    let other = app.second_node().await;
    let create = |base: String, survey: String, name: &'static str| {
        let request = app
            .client
            .post(format!("{base}/api/v1/surveys/{survey}/distributions"))
            .bearer_auth(&app.api_key)
            .json(&json!({"name": name, "audience": {"all": true}}));
        async move { json_of(request.send().await.unwrap()).await }
    };
    app.spawn_worker_mailing_to(&smtp);
    let _second = app.second_worker_mailing_to(&smtp).await;
    let ((sa, da), (sb, db)) = tokio::join!(
        create(app.address.clone(), a, "A"),
        create(other.address.clone(), b, "B")
    );
    assert_eq!((sa.as_u16(), sb.as_u16()), (201, 201), "{da} {db}");
    let ids = [da["id"].as_str().unwrap(), db["id"].as_str().unwrap()];

    // Until nothing is queued (a generous guard against a hang).
    let started = std::time::Instant::now();
    loop {
        let mut queued = 0;
        for id in ids {
            queued +=
                app.get_json(&format!("/api/v1/distributions/{id}")).await["counts"]["queued"]
                    .as_i64()
                    .unwrap();
        }
        if queued == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{queued} still queued"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // In the database: everyone asked once, never twice.
    let (touches, twice) = asked_twice(&app).await;
    assert!(
        twice.is_empty(),
        "asked twice: {:?}",
        &twice[..twice.len().min(5)]
    );
    assert_eq!(touches, n as i64);
    // Every contact: one survey sent, the other refused with its reason.
    let mut sent = std::collections::HashMap::<String, usize>::new();
    let mut refused = 0;
    for (base, id) in [(&app.address, ids[0]), (&other.address, ids[1])] {
        for d in deliveries(base, &app, id).await {
            match (d["status"].as_str().unwrap(), d["reason"].as_str()) {
                ("sent", None) => {
                    *sent
                        .entry(d["contact_id"].as_str().unwrap().to_string())
                        .or_default() += 1
                }
                ("skipped", Some("frequency_cap")) => refused += 1,
                other => panic!("unexpected delivery {other:?}: {d}"),
            }
        }
    }
    assert_eq!(sent.len(), n);
    assert!(sent.values().all(|&k| k == 1));
    assert_eq!(refused, n);
    // The server received exactly one message per person.
    for _ in 0..100 {
        if smtp.count() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(smtp.count(), n);
}
