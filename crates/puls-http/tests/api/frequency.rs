//! The contact-frequency policy across nodes and channels: the same people invited at
//! once by e-mail (through one node) and by SMS (through another), and, while both nodes'
//! workers send those to a real SMTP server and a real HTTP SMS provider, asked about by
//! the widget (every one of them, through both nodes), are never asked more often than the
//! policy allows (checked in the database), and every send or showing the policy refused
//! says so.

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
    let (sms_url, texts) = crate::sms::provider().await;
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

    let mut csv = String::from("external_id,email,phone,locale\n");
    for i in 0..n {
        csv.push_str(&format!("c{i},c{i}@sklep.example,+4850{i:07},pl\n"));
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
    let by_email = app.published_survey(&survey("Dostawa")).await;
    let by_sms = app.published_survey(&survey("Zwrot")).await;
    let by_widget = app.published_survey(&survey("Strona")).await;
    let shop = "https://sklep.example";
    let r = app
        .request(Method::PUT, "/api/v1/settings/widget")
        .json(&json!({"sites": [shop], "placements": [{"survey": by_widget}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let key = app.write_key().await;

    // Two nodes, each sending e-mail and SMS.
    let mut config = app.app.config().clone();
    config.sms.url = Some(sms_url);
    let one = app.node_with(config.clone(), true, Some(&smtp)).await;
    let two = app.node_with(config, true, Some(&smtp)).await;
    let create = |node: &crate::helpers::Node, survey: &str, body: Value| {
        let request = node
            .request(
                Method::POST,
                &format!("/api/v1/surveys/{survey}/distributions"),
            )
            .json(&body);
        async move { json_of(request.send().await.unwrap()).await }
    };
    // The widget asked for everyone, half through each node, 32 at a time.
    let ask_all = async {
        let client = reqwest::Client::new();
        let asks = (0..n).map(|i| {
            let base = if i % 2 == 0 {
                &one.address
            } else {
                &two.address
            };
            let request = client
                .get(format!("{base}/api/v1/widget/eligibility"))
                .header("origin", shop)
                .query(&[
                    ("key", key.as_str()),
                    ("url", "https://sklep.example/"),
                    ("uid", &format!("c{i}")),
                    ("aid", &format!("browser-{i}")),
                ]);
            async move {
                let v: Value = request.send().await.unwrap().json().await.unwrap();
                v
            }
        });
        futures::stream::StreamExt::collect::<Vec<Value>>(
            futures::stream::StreamExt::buffer_unordered(futures::stream::iter(asks), 32),
        )
        .await
    };
    // The two distributions at once; then, while both nodes send them, the widget.
    let ((sa, da), (sb, db)) = tokio::join!(
        create(
            &one,
            &by_email,
            json!({"name": "E-mail", "audience": {"all": true}})
        ),
        create(
            &two,
            &by_sms,
            json!({"name": "SMS", "channel": "sms", "audience": {"all": true}})
        ),
    );
    assert_eq!((sa.as_u16(), sb.as_u16()), (201, 201), "{da} {db}");
    let answers = ask_all.await;
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
    // Every contact asked by exactly one channel; every refusal says why.
    let mut asked = std::collections::HashMap::<String, usize>::new();
    let mut sent = [0_usize; 2];
    for (k, id) in ids.iter().enumerate() {
        for d in deliveries(&app.address, &app, id).await {
            match (d["status"].as_str().unwrap(), d["reason"].as_str()) {
                ("sent", None) => {
                    sent[k] += 1;
                    *asked
                        .entry(d["contact_id"].as_str().unwrap().to_string())
                        .or_default() += 1
                }
                ("skipped", Some("frequency_cap")) => {}
                other => panic!("unexpected delivery {other:?}: {d}"),
            }
        }
    }
    for a in &answers {
        assert!(a["show"].is_boolean(), "the widget answered {a}");
    }
    let shown = answers.iter().filter(|a| a["show"] == true).count();
    for a in answers.iter().filter(|a| a["show"] == false) {
        assert_eq!(a["reason"], "frequency_cap", "{a}");
    }
    assert_eq!(answers.len(), n);
    assert!(asked.values().all(|&k| k == 1));
    assert_eq!(
        sent[0] + sent[1] + shown,
        n,
        "e-mail {sent:?}, widget {shown}"
    );
    println!(
        "frequency across channels: {} by e-mail, {} by SMS, {shown} by the widget, of {n}",
        sent[0], sent[1]
    );
    // The SMTP server and the SMS provider received exactly what was sent.
    for _ in 0..100 {
        if smtp.count() >= sent[0] && texts.lock().unwrap().len() >= sent[1] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(smtp.count(), sent[0]);
    assert_eq!(texts.lock().unwrap().len(), sent[1]);
}
