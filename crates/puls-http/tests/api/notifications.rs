//! When alert e-mails go, against a real SMTP server: the workspace's quiet hours hold an
//! alert's e-mail until they end (an urgent rule's goes at once), and a rule that collects
//! its e-mails into the daily digest sends one e-mail per recipient when the digest is due,
//! once whatever the number of rounds, without the alerts of a person erased meanwhile.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

fn survey() -> Value {
    json!({
        "title": {"pl": "Dostawa"},
        "locales": ["pl"],
        "touchpoint": "delivery",
        "questions": [
            {"id": "nps", "type": "nps", "required": true,
             "text": {"pl": "Czy poleciłbyś nas znajomym?"}},
            {"id": "why", "type": "open_text", "text": {"pl": "Dlaczego?"}}
        ]
    })
}

/// `HH:MM` of a minute of the day.
fn hhmm(minute: i64) -> String {
    let m = minute.rem_euclid(1440);
    format!("{:02}:{:02}", m / 60, m % 60)
}

async fn put(app: &TestApp, path: &str, body: &Value) -> Value {
    let (status, saved) = json_of(app.send_json(Method::PUT, path, body).await).await;
    assert_eq!(status, 200, "{saved}");
    saved
}

async fn rule(app: &TestApp, body: Value) {
    let (status, saved) = json_of(
        app.send_json(Method::POST, "/api/v1/alert-rules", &body)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{saved}");
}

/// The outbox's e-mail jobs.
async fn email_jobs(app: &TestApp) -> Vec<Value> {
    app.get_json("/api/v1/outbox?limit=500").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["channel"] == "email")
        .cloned()
        .collect()
}

both_backends!(
    quiet_hours_hold_alert_emails_and_the_digest_collects_them,
    |config| {
        config.outbox.poll_ms = 50;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn quiet_hours_hold_alert_emails_and_the_digest_collects_them(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    app.member("szefowa@sklep.pl", "pl", "owner").await;
    // Bad policies are refused at their place.
    let (status, body) = json_of(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/notifications",
            &json!({"quiet_hours": "22:00", "digest_at": "25:00", "time_zone": "Mars"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let paths: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["time_zone", "quiet_hours", "digest_at"], "{body}");
    // Quiet for the hour around now (UTC): an alert now waits until it ends.
    let now = puls_store::now_ms();
    let minute = now / 60_000 % 1440;
    let quiet = format!("{}-{}", hhmm(minute - 60), hhmm(minute + 60));
    let saved = put(
        &app,
        "/api/v1/settings/notifications",
        &json!({"time_zone": "UTC", "quiet_hours": quiet, "digest_at": hhmm(minute + 180)}),
    )
    .await;
    assert_eq!(saved["quiet_hours"], quiet.as_str());
    assert_eq!(app.get_json("/api/v1/settings/notifications").await, saved);
    rule(
        &app,
        json!({"key": "low", "name": {"pl": "Niska ocena"},
               "conditions": [{"score": {"metric": "nps", "at_most": 6}}],
               "actions": {"email": ["admins"]}}),
    )
    .await;
    rule(
        &app,
        json!({"key": "very-low", "name": {"pl": "Bardzo niska ocena"},
               "conditions": [{"score": {"metric": "nps", "at_most": 1}}],
               "actions": {"case": {"priority": "urgent"}, "email": ["admins"]}}),
    )
    .await;
    rule(
        &app,
        json!({"key": "courier", "name": {"pl": "Kurier"},
               "conditions": [{"text": {"any_of": ["kurier"]}}],
               "actions": {"email": ["admins"], "digest": true}}),
    )
    .await;
    // A digest without e-mail recipients is refused at its place.
    expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/alert-rules",
            &json!({"key": "x", "name": "x", "conditions": [{"channel": ["web"]}],
                    "actions": {"digest": true, "webhook": true}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;

    app.spawn_worker_mailing_to(&smtp);

    let survey = app.published_survey(&survey()).await;
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 4, "why": "Kurier się spóźnił"},
                "contact": {"external_id": "k-1"}}),
    )
    .await;
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 0, "why": "Paczka zniszczona przez kuriera"},
                "contact": {"external_id": "k-2", "email": "k2@poczta.pl"}}),
    )
    .await;
    // The urgent rule's e-mail goes at once; the others wait for the quiet hours' end.
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert_eq!(mail[0]["subject"], "Alert Puls: Bardzo niska ocena");
    let mut held = Vec::new();
    for _ in 0..200 {
        held = email_jobs(&app)
            .await
            .into_iter()
            .filter(|j| {
                j["state"] == "pending"
                    && j["next_attempt_at"]
                        .as_str()
                        .and_then(puls_core::instant::parse)
                        .is_some_and(|at| at > now + 600_000)
            })
            .collect();
        if held.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(held.len(), 2, "the two 'low' alerts, held: {held:#?}");
    // The quiet hours end an hour after the minute they were set around.
    let end = (now / 60_000 + 60) * 60_000;
    for j in &held {
        let at = puls_core::instant::parse(j["next_attempt_at"].as_str().unwrap()).unwrap();
        assert_eq!(at, end, "held until the quiet hours end: {j}");
    }
    assert_eq!(smtp.messages().len(), 1, "nothing else went out");

    // The digest: nothing before its hour; at it, one e-mail for the owner with both
    // courier alerts, except the erased person's; written once.
    assert_eq!(app.app.send_digests(now).await.unwrap(), 0);
    let (status, k2) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/contacts",
            &json!({"external_id": "k-2"}),
        )
        .await,
    )
    .await;
    assert!(status == 200 || status == 201, "{k2}");
    let erased = app
        .request(
            Method::DELETE,
            &format!("/api/v1/contacts/{}", k2["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    let later = now + 86_400_000;
    assert_eq!(app.app.send_digests(later).await.unwrap(), 1);
    assert_eq!(app.app.send_digests(later).await.unwrap(), 0, "once");
    let mail = smtp.wait_for(2).await;
    let digest = mail
        .iter()
        .find(|m| m["subject"].as_str().unwrap().starts_with("Puls: dzienne"))
        .unwrap_or_else(|| panic!("the digest: {mail:#?}"));
    assert_eq!(digest["subject"], "Puls: dzienne podsumowanie alertów (1)");
    assert!(digest["to"].as_str().unwrap().contains("szefowa@sklep.pl"));
    let text = digest["text"].as_str().unwrap();
    assert!(
        text.contains("Alert Puls: Kurier") && text.contains("Kurier się spóźnił"),
        "{text}"
    );
    assert!(
        !text.contains("zniszczona"),
        "the erased person's alert went: {text}"
    );
}
