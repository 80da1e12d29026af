//! Webhooks against a real receiver: a Python HTTP server that verifies every delivery with
//! the official `standardwebhooks` library and deduplicates by `webhook-id`
//! (`tests/peers/webhook_receiver.py`). Deliveries go through the outbox worker over real
//! sockets; a receiver answering 500 then 200 gets the message twice with one id, 410
//! disables the endpoint, a redirect is not followed.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, expect_error, json_of};
use puls_testdb::Receiver;

async fn create_hook(app: &TestApp, url: &str) -> Value {
    let (status, hook) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": url, "event_types": ["response.completed"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    hook
}

fn count(log: &[Value], path: &str) -> usize {
    log.iter().filter(|e| e["path"] == path).count()
}

fn start_worker(app: &TestApp) {
    let config = app.app.config();
    let transport = puls_send::HttpTransport::new(&config.webhooks).unwrap();
    let mailer = puls_send::mailer(&config.smtp).unwrap();
    puls_send::spawn_worker(app.app.clone(), Arc::new(transport), mailer);
}

both_backends!(
    completed_responses_reach_every_webhook_signed_once_per_id,
    |config| {
        config.webhooks.allow_private_addresses = true;
        config.outbox.retry_base_ms = 50;
        config.outbox.max_retry_ms = 200;
        config.outbox.poll_ms = 50;
        config.outbox.max_attempts = 3;
        config.metrics.enabled = true;
    }
);
async fn completed_responses_reach_every_webhook_signed_once_per_id(app: TestApp) {
    let rx = Receiver::start();
    let mut hooks = Vec::new();
    for path in ["/ok", "/flaky", "/gone", "/redirect"] {
        let hook = create_hook(&app, &format!("{}{path}", rx.base)).await;
        let secret = hook["secret"].as_str().unwrap();
        assert!(secret.starts_with("whsec_"), "{hook}");
        rx.secret(path, secret).await;
        hooks.push(hook);
    }
    // Listed without their secrets.
    let listed = app.get_json("/api/v1/webhooks").await;
    assert_eq!(listed.as_array().unwrap().len(), 4);
    assert!(listed[0].get("secret").is_none(), "{listed}");
    start_worker(&app);

    let survey = app.published_survey(&nps_survey()).await;
    let mut completed = Vec::new();
    for score in [9, 3, 10] {
        let r = app
            .submit_ok(&survey, &json!({"answers": {"nps": score}}))
            .await;
        completed.push(r["id"].as_str().unwrap().to_string());
    }
    // A partial response is not completed: no event.
    app.submit_ok(&survey, &json!({"answers": {"nps": 5}, "completed": false}))
        .await;

    let log = rx
        .wait_until(
            "three deliveries each to /ok and /flaky, /gone once",
            |log| {
                let ok = |p: &str| {
                    log.iter()
                        .filter(|e| e["path"] == p && e["status"] == 200)
                        .count()
                };
                ok("/ok") == 3 && ok("/flaky") == 3 && count(log, "/gone") >= 1
            },
        )
        .await;
    // Every delivery verified with the official library.
    for e in &log {
        assert_eq!(e["verified"], true, "{e}");
        assert_eq!(e["type"], "response.completed", "{e}");
    }
    let mut got: Vec<String> = log
        .iter()
        .filter(|e| e["path"] == "/ok")
        .map(|e| e["data_id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    completed.sort();
    assert_eq!(
        got, completed,
        "the completed responses, not the partial one"
    );
    // 500 then 200: each message twice, with one id, taken once.
    let flaky: Vec<&Value> = log.iter().filter(|e| e["path"] == "/flaky").collect();
    assert_eq!(flaky.len(), 6, "{flaky:?}");
    let mut ids: Vec<&str> = flaky.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        flaky
            .iter()
            .filter(|e| e["new"] == true && e["status"] == 200)
            .count(),
        3
    );

    // 410 disables the endpoint at once: one delivery, no more.
    let gone_id = hooks[2]["id"].as_str().unwrap();
    let gone = app.get_json(&format!("/api/v1/webhooks/{gone_id}")).await;
    assert_eq!(gone["enabled"], false, "{gone}");
    assert!(gone["disabled_reason"].as_str().unwrap().contains("410"));
    // The redirect is an answer, not followed: its jobs fail after their attempts, and
    // /ok never sees their ids.
    let redirect_id = hooks[3]["id"].as_str().unwrap();
    for _ in 0..400 {
        let jobs = app
            .get_json(&format!(
                "/api/v1/outbox?webhook={redirect_id}&state=failed"
            ))
            .await;
        if jobs["items"].as_array().unwrap().len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = rx.log().await;
    assert_eq!(count(&log, "/gone"), 1, "disabled after the 410");
    assert_eq!(
        count(&log, "/redirect"),
        9,
        "three attempts of each of three messages"
    );
    assert_eq!(count(&log, "/ok"), 3, "no redirect followed");

    // The metrics count the attempts by channel and outcome.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let value = |line: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{line} in {metrics}"))
    };
    assert!(value(r#"puls_outbox_attempts_total{channel="webhook",outcome="delivered"}"#) >= 6);
    assert!(value(r#"puls_outbox_attempts_total{channel="webhook",outcome="retry"}"#) >= 9);
    assert_eq!(
        value(r#"puls_outbox_attempts_total{channel="webhook",outcome="failed"}"#),
        4,
        "the 410 and three redirected messages"
    );

    // The outbox shows each job and its attempts.
    let flaky_id = hooks[1]["id"].as_str().unwrap();
    let jobs = app
        .get_json(&format!("/api/v1/outbox?webhook={flaky_id}"))
        .await;
    let items = jobs["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(
        items
            .iter()
            .all(|j| j["state"] == "delivered" && j["attempts"] == 2)
    );
    let one = app
        .get_json(&format!(
            "/api/v1/outbox/{}",
            items[0]["id"].as_str().unwrap()
        ))
        .await;
    let statuses: Vec<i64> = one["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 200]);
    assert_eq!(one["payload"]["type"], "response.completed");

    // A replay sends the same id again; the receiver knows it.
    let ok_id = hooks[0]["id"].as_str().unwrap();
    let ok_jobs = app
        .get_json(&format!("/api/v1/outbox?webhook={ok_id}"))
        .await;
    let job = ok_jobs["items"][0]["id"].as_str().unwrap().to_string();
    let r = app
        .request(Method::POST, &format!("/api/v1/outbox/{job}/replay"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let log = rx
        .wait_until("the replay", |log| count(log, "/ok") == 4)
        .await;
    let replayed = log.iter().rfind(|e| e["path"] == "/ok").unwrap();
    assert_eq!(replayed["id"], job.as_str());
    assert_eq!(replayed["new"], false);

    // A rotated secret: both sign for a while, so a receiver holding either verifies.
    let (status, rotated) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/webhooks/{ok_id}/rotate-secret"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, hooks[0]["secret"].as_str().unwrap());
    rx.secret("/ok", new_secret).await;
    app.submit_ok(&survey, &json!({"answers": {"nps": 8}}))
        .await;
    let log = rx
        .wait_until("a delivery after the rotation", |log| {
            count(log, "/ok") == 5
        })
        .await;
    let last = log.iter().rfind(|e| e["path"] == "/ok").unwrap();
    assert_eq!(last["verified"], true, "{last}");

    // A re-enabled endpoint gets new messages again.
    let (status, hook) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/webhooks/{gone_id}"),
            &json!({"enabled": true}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(hook["enabled"], true);
    assert_eq!(hook["failures"], 0);
}

both_backends!(webhook_urls_are_checked_and_private_addresses_refused);
async fn webhook_urls_are_checked_and_private_addresses_refused(app: TestApp) {
    for (url, code) in [
        ("ftp://hooks.example.com/x", "invalid_webhook_url"),
        ("https://user:pw@hooks.example.com/", "invalid_webhook_url"),
        ("http://127.0.0.1:9/hook", "private_address"),
        ("http://localhost/hook", "private_address"),
        ("http://169.254.169.254/latest/meta-data", "private_address"),
        ("http://[::1]/hook", "private_address"),
    ] {
        let resp = app
            .send_json(
                Method::POST,
                "/api/v1/webhooks",
                &json!({"url": url, "event_types": ["response.completed"]}),
            )
            .await;
        let body = expect_error(resp, 422, code).await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("url")
        );
    }
    let resp = app
        .send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/x", "event_types": ["response.eaten"]}),
        )
        .await;
    let body = expect_error(resp, 422, "validation_failed").await;
    assert_eq!(body["error"]["details"][0]["path"], "event_types[0]");
    let resp = app
        .send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/x", "event_types": ["response.completed"],
                    "colour": "red"}),
        )
        .await;
    expect_error(resp, 400, "malformed_json").await;
    // A public URL is taken; unknown ids are not found.
    let hook = create_hook(&app, "https://hooks.example.com/puls").await;
    assert_eq!(hook["enabled"], true);
    expect_error(app.get("/api/v1/webhooks/wh_nope").await, 404, "not_found").await;
    expect_error(app.get("/api/v1/outbox/msg_nope").await, 404, "not_found").await;
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.get_json("/api/v1/webhooks").await, json!([]));
}

both_backends!(
    a_disabled_webhook_is_mailed_to_the_owners_in_their_language,
    |config| {
        config.webhooks.allow_private_addresses = true;
        config.outbox.poll_ms = 50;
        // The relay's port is the test's SMTP server's; the worker is given it below.
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_disabled_webhook_is_mailed_to_the_owners_in_their_language(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rx = Receiver::start();
    app.member("wlasciciel@sklep.pl", "pl", "owner").await;
    app.member("analityk@sklep.pl", "pl", "analyst").await;
    let hook = create_hook(&app, &format!("{}/gone", rx.base)).await;
    rx.secret("/gone", hook["secret"].as_str().unwrap()).await;
    app.spawn_worker_mailing_to(&smtp);

    let survey = app.published_survey(&nps_survey()).await;
    app.submit_ok(&survey, &json!({"answers": {"nps": 1}}))
        .await;
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1, "the owner only: {mail:#?}");
    let m = &mail[0];
    assert!(
        m["to"].as_str().unwrap().contains("wlasciciel@sklep.pl"),
        "{m}"
    );
    assert!(m["from"].as_str().unwrap().contains("puls@sklep.pl"), "{m}");
    assert_eq!(m["subject"], "Puls: webhook został wyłączony");
    assert_eq!(m["content_type"], "multipart/alternative");
    let text = m["text"].as_str().unwrap();
    assert!(text.contains(&format!("{}/gone", rx.base)), "{text}");
    assert!(
        text.contains("410") && text.contains("Puls przestał wysyłać"),
        "{text}"
    );
    assert!(text.contains(hook["id"].as_str().unwrap()), "{text}");
    assert!(m["html"].as_str().unwrap().contains("lang=\"pl\""), "{m}");
    // The e-mail went through the outbox like any message (recorded just after it went).
    let mailed = |jobs: &Value| {
        jobs["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["channel"] == "email" && j["event_type"] == "webhook_disabled")
    };
    let mut jobs = Value::Null;
    for _ in 0..100 {
        jobs = app.get_json("/api/v1/outbox?state=delivered").await;
        if mailed(&jobs) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(mailed(&jobs), "{jobs}");
    // Once per disabling: another response for the disabled webhook mails no one.
    app.submit_ok(&survey, &json!({"answers": {"nps": 2}}))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1);
}
