//! Metric alert rules over stored months: a touchpoint whose NPS fell significantly
//! alarms (an `alert.fired` webhook verified by `standardwebhooks`, and an e-mail with the
//! value, its interval, the change and p at the real SMTP server), one whose NPS did not
//! change stays quiet, and each alarm goes once per rule, group and period.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, json_of};
use puls_store::json::JsonText;
use puls_store::{NewResponse, WriteOp};
use puls_testdb::Receiver;

/// Milliseconds of a local date-time in Warsaw (the analytics zone of the tests).
fn at(s: &str) -> i64 {
    let tz = jiff::tz::TimeZone::get("Europe/Warsaw").unwrap();
    s.parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(tz)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// Stores `counts` (detractors, passives, promoters) of NPS answers at `touchpoint` on
/// `day`.
async fn month(
    app: &TestApp,
    survey: &str,
    touchpoint: &str,
    day: &str,
    counts: (u32, u32, u32),
    seq: &mut u64,
) {
    let (d, p, r) = counts;
    let scores = std::iter::repeat_n(3, d as usize)
        .chain(std::iter::repeat_n(8, p as usize))
        .chain(std::iter::repeat_n(10, r as usize));
    let mut ops = Vec::new();
    for score in scores {
        *seq += 1;
        ops.push(WriteOp::Insert(NewResponse {
            id: puls_core::ResponseId::parse(&format!("01K{:023}", *seq)).unwrap(),
            workspace_id: app.workspace_id,
            survey_id: puls_core::SurveyId::parse(survey).unwrap(),
            survey_version: 1,
            completed: true,
            channel: "web".into(),
            touchpoint: touchpoint.into(),
            locale: "en".into(),
            contact_external_id: None,
            contact_email: None,
            invitation_token: None,
            idempotency_key: None,
            resume_token: None,
            attributes: JsonText::strings(&Default::default()),
            answers: JsonText::encode(&puls_core::Value::map([(
                "nps",
                puls_core::Value::Int(score),
            )])),
            created_at: at(day),
        }));
    }
    app.store.write_batch(&ops).await.unwrap();
}

both_backends!(
    a_significant_drop_alarms_once_and_an_unchanged_touchpoint_stays_quiet,
    |config| {
        config.webhooks.allow_private_addresses = true;
        config.outbox.poll_ms = 50;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_significant_drop_alarms_once_and_an_unchanged_touchpoint_stays_quiet(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rx = Receiver::start();
    app.member("szefowa@sklep.pl", "pl", "owner").await;
    let survey = app.published_survey(&nps_survey()).await;
    let mut seq = 0;
    // July and August: delivery falls from +50 to −40; checkout stays at +50; support has
    // too few answers to be tested.
    month(
        &app,
        &survey,
        "delivery",
        "2026-07-15T12:00",
        (10, 30, 60),
        &mut seq,
    )
    .await;
    month(
        &app,
        &survey,
        "delivery",
        "2026-08-15T12:00",
        (60, 20, 20),
        &mut seq,
    )
    .await;
    month(
        &app,
        &survey,
        "checkout",
        "2026-07-15T12:00",
        (10, 30, 60),
        &mut seq,
    )
    .await;
    month(
        &app,
        &survey,
        "checkout",
        "2026-08-15T12:00",
        (11, 31, 58),
        &mut seq,
    )
    .await;
    month(
        &app,
        &survey,
        "support",
        "2026-07-15T12:00",
        (0, 0, 5),
        &mut seq,
    )
    .await;
    month(
        &app,
        &survey,
        "support",
        "2026-08-15T12:00",
        (5, 0, 0),
        &mut seq,
    )
    .await;

    let (status, hook) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": format!("{}/ok", rx.base), "event_types": ["alert.fired"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    rx.secret("/ok", hook["secret"].as_str().unwrap()).await;
    let rule = json!({
        "key": "nps-drop", "name": {"pl": "Spadek NPS", "en": "NPS drop"},
        "metric": {"of": "nps", "by": "touchpoint", "every": "month",
                   "drop": {"min_n": 30, "false_discovery_rate": 0.05}},
        "actions": {"email": ["admins"], "webhook": true}
    });
    let (status, saved) = json_of(
        app.send_json(Method::POST, "/api/v1/alert-rules", &rule)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{saved}");

    // The preview at 1 September reads August against July.
    let found = app
        .get_json("/api/v1/alert-rules/nps-drop/preview?at=2026-09-01")
        .await;
    let group = |g: &str| -> Value {
        found
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["group"] == g)
            .cloned()
            .unwrap_or_else(|| panic!("{g} in {found}"))
    };
    let delivery = group("delivery");
    assert_eq!(delivery["period"], "2026-08");
    assert_eq!(delivery["alarm"], true, "{delivery}");
    assert_eq!(delivery["value"], -40.0);
    assert_eq!(delivery["previous"], 50.0);
    assert!(delivery["p_value"].as_f64().unwrap() < 0.001, "{delivery}");
    let checkout = group("checkout");
    assert_eq!(checkout["alarm"], false, "{checkout}");
    assert!(checkout["p_value"].as_f64().unwrap() > 0.5, "{checkout}");
    assert_eq!(group("support")["alarm"], false, "5 answers are too few");
    // A month before, nothing had changed.
    let july = app
        .get_json("/api/v1/alert-rules/nps-drop/preview?at=2026-08-01")
        .await;
    assert!(
        july.as_array().unwrap().iter().all(|f| f["alarm"] == false),
        "{july}"
    );

    // A journey names the touchpoint: the e-mail says the name, not the key.
    let journey = json!({"key": "shop", "name": "Sklep", "stages": [
        {"key": "after", "name": "Po zakupie", "touchpoints": [
            {"key": "delivery", "name": {"pl": "Dostawa", "en": "Delivery"}, "channel": "web",
             "events": [{"event": "Order Delivered"}]}]}]});
    app.put_journey(&journey).await;

    // Evaluated for real: one webhook and one e-mail, then nothing more for that month.
    assert_eq!(
        app.app
            .run_metric_alerts(at("2026-09-01T08:00"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        app.app
            .run_metric_alerts(at("2026-09-02T08:00"))
            .await
            .unwrap(),
        0
    );
    app.spawn_worker_mailing_to(&smtp);
    let log = rx.wait_until("alert.fired", |log| !log.is_empty()).await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0]["verified"], true);
    assert_eq!(log[0]["type"], "alert.fired");
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["subject"], "Alert Puls: Spadek NPS — Dostawa");
    let text = mail[0]["text"].as_str().unwrap();
    assert!(
        text.contains("NPS dla Dostawa w okresie 2026-08: -40"),
        "{text}"
    );
    assert!(text.contains("95% przedział od"), "{text}");
    assert!(
        text.contains("50") && text.contains("-90"),
        "previous and change: {text}"
    );
}
