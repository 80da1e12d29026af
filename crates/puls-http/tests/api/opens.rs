//! E-mail opens, an administrator's opt-in, against a real SMTP server (aiosmtpd): off by
//! default, so invitations carry no image at all; turned on (`PUT /api/v1/settings/email`),
//! invitations and reminders carry a 1×1 image in their HTML part only, whose GET answers
//! a transparent GIF that is never cached and records the first open once, counted in the
//! distribution's report with its open rate; an unknown token gets the GIF all the same,
//! and an open while tracking is off is not counted. In the web app only owners and
//! administrators change the setting, and the distribution's page shows opens with a note
//! on what they are worth.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::{hidden, signed_in, user_in};
use crate::helpers::{TestApp, expect_error, json_of};

fn survey() -> Value {
    json!({
        "title": {"pl": "Dostawa", "en": "Delivery"},
        "locales": ["pl", "en"], "default_locale": "pl",
        "touchpoint": "delivery",
        "questions": [
            {"id": "nps", "type": "nps", "required": true,
             "text": {"pl": "Czy polecisz nas?", "en": "Would you recommend us?"}}
        ]
    })
}

async fn contact(app: &TestApp, email: &str) -> String {
    let (status, c) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&json!({"email": email, "locale": "pl"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{c}");
    c["id"].as_str().unwrap().to_string()
}

/// Sends the survey to `contacts`; returns the distribution's id.
async fn send(app: &TestApp, survey_id: &str, contacts: &[&str], reminders: i64) -> String {
    let (status, d) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({
            "name": "Po dostawie", "audience": {"contacts": contacts},
            "reminders": {"count": reminders, "after_hours": 1}
        }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    d["id"].as_str().unwrap().to_string()
}

async fn report(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/api/v1/distributions/{id}")).await
}

/// Waits (up to 20 s) until the distribution's counts satisfy `done`.
async fn wait_counts(app: &TestApp, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let d = report(app, id).await;
        if done(&d["counts"]) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("counts never settled: {:#}", report(app, id).await);
}

/// The messages sent to `address` so far.
fn messages_to<'a>(mail: &'a [Value], address: &str) -> Vec<&'a Value> {
    mail.iter()
        .filter(|m| m["to"].as_str().unwrap().contains(address))
        .collect()
}

/// The `attr="..."` values of an HTML part, unescaped.
fn attributes(html: &str, attr: &str) -> Vec<String> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&#x2f;", "/").replace("&amp;", "&"))
        .collect()
}

/// The one open image of a message's HTML part, as a path on the server.
fn image_path(app: &TestApp, m: &Value) -> String {
    let html = m["html"].as_str().unwrap();
    let images = attributes(html, "src");
    assert_eq!(images.len(), 1, "one image: {html}");
    assert!(html.contains("width=\"1\" height=\"1\" alt=\"\""), "{html}");
    let path = images[0]
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("{} is not on {}", images[0], app.address))
        .to_string();
    assert!(path.starts_with("/o/") && path.ends_with(".gif"), "{path}");
    // Only the HTML part has it.
    assert!(
        !m["text"].as_str().unwrap().contains("/o/"),
        "{}",
        m["text"]
    );
    path
}

/// The personal token of a message's link.
fn token_of(m: &Value) -> String {
    let links = attributes(m["html"].as_str().unwrap(), "href");
    let link = links.iter().find(|l| l.contains("?inv=")).unwrap();
    let rest = link.split_once("?inv=").unwrap().1;
    rest.split('&').next().unwrap().to_string()
}

/// GETs an open image without a key, as a mail program would: always the GIF, never kept.
async fn open(app: &TestApp, path: &str) {
    let r = app.anonymous(Method::GET, path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["content-type"], "image/gif", "{path}");
    assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(b"GIF89a") && body.len() < 64, "{body:?}");
}

async fn put_settings(app: &TestApp, body: Value) -> reqwest::Response {
    app.request(Method::PUT, "/api/v1/settings/email")
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `(path, code)` of each problem of a 422.
fn problems(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

both_backends!(
    opens_are_counted_only_when_an_administrator_turns_them_on,
    |config| {
        config.outbox.poll_ms = 50;
        config.outbox.retry_base_ms = 100;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn opens_are_counted_only_when_an_administrator_turns_them_on(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let survey_id = app.published_survey(&survey()).await;
    let anna = contact(&app, "anna@sklep.pl").await;
    let bob = contact(&app, "bob@sklep.pl").await;
    let cyryl = contact(&app, "cyryl@sklep.pl").await;
    app.spawn_worker_mailing_to(&smtp);

    // Off by default; bad settings are refused with every problem at its path.
    let s = app.get_json("/api/v1/settings/email").await;
    assert_eq!(s, json!({"track_opens": false}));
    for (body, want) in [
        (json!({"track_opens": "yes"}), ("track_opens", "wrong_type")),
        (json!({}), ("track_opens", "required")),
        (
            json!({"track_opens": true, "pixel": 1}),
            ("pixel", "unknown_field"),
        ),
    ] {
        let refused = expect_error(put_settings(&app, body).await, 422, "validation_failed").await;
        assert_eq!(
            problems(&refused),
            [(want.0.to_string(), want.1.to_string())],
            "{refused}"
        );
    }
    let unauthorised = app
        .anonymous(Method::PUT, "/api/v1/settings/email")
        .json(&json!({"track_opens": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);
    assert_eq!(
        app.get_json("/api/v1/settings/email").await["track_opens"],
        false
    );

    // Off: no image at all, and the report has no opens to show.
    let quiet = send(&app, &survey_id, &[&anna], 0).await;
    let mail = smtp.wait_for(1).await;
    let hers = messages_to(&mail, "anna@sklep.pl");
    assert_eq!(hers.len(), 1);
    let html = hers[0]["html"].as_str().unwrap();
    assert!(!html.contains("<img"), "no image while off: {html}");
    assert!(!html.contains("/o/"), "{html}");
    // Its token's image, fetched anyway, is answered but not counted.
    open(&app, &format!("/o/{}.gif", token_of(hers[0]))).await;
    let d = wait_counts(&app, &quiet, |c| c["sent"] == 1).await;
    assert_eq!(d["counts"]["opened"], 0, "{d}");
    assert_eq!(d["open_rate"], Value::Null, "not tracked, none opened: {d}");

    // On: invitations and reminders carry the image in their HTML part.
    let (status, s) = json_of(put_settings(&app, json!({"track_opens": true})).await).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s, json!({"track_opens": true}));
    assert_eq!(
        app.get_json("/api/v1/settings/email").await,
        json!({"track_opens": true})
    );
    let tracked = send(&app, &survey_id, &[&bob, &cyryl], 1).await;
    let mail = smtp.wait_for(3).await;
    let his = messages_to(&mail, "bob@sklep.pl");
    let bob_image = image_path(&app, his[0]);
    assert_eq!(bob_image, format!("/o/{}.gif", token_of(his[0])));
    let cyryl_image = image_path(&app, messages_to(&mail, "cyryl@sklep.pl")[0]);
    assert_ne!(bob_image, cyryl_image);
    let d = wait_counts(&app, &tracked, |c| c["sent"] == 2).await;
    assert_eq!(d["counts"]["opened"], 0, "{d}");
    assert_eq!(
        (d["open_rate"]["count"].clone(), d["open_rate"]["n"].clone()),
        (json!(0), json!(2)),
        "tracked: shown though none opened yet: {d}"
    );
    let queued = app
        .app
        .send_reminders(puls_store::now_ms() + 2 * 3_600_000)
        .await
        .unwrap();
    assert_eq!(queued, 2);
    let mail = smtp.wait_for(5).await;
    let his = messages_to(&mail, "bob@sklep.pl");
    assert_eq!(his.len(), 2, "the invitation and the reminder");
    for m in &his {
        assert_eq!(image_path(&app, m), bob_image, "the reminder's too");
    }

    // The first open is recorded once.
    open(&app, &bob_image).await;
    let d = report(&app, &tracked).await;
    assert_eq!(d["counts"]["opened"], 1, "{d}");
    let rate = &d["open_rate"];
    assert_eq!(
        (rate["count"].clone(), rate["n"].clone()),
        (json!(1), json!(2))
    );
    assert!(rate["ci_low"].as_f64().unwrap() < 50.0 && rate["ci_high"].as_f64().unwrap() > 50.0);
    assert_eq!(rate["small_sample"], true, "{d}");
    let opened_at = |list: &Value, contact: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["contact_id"] == contact)
            .unwrap()["opened_at"]
            .clone()
    };
    let deliveries = app
        .get_json(&format!("/api/v1/distributions/{tracked}/deliveries"))
        .await;
    let first = opened_at(&deliveries, &bob);
    assert!(first.is_string(), "{deliveries}");
    assert_eq!(opened_at(&deliveries, &cyryl), Value::Null);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    open(&app, &bob_image).await;
    let deliveries = app
        .get_json(&format!("/api/v1/distributions/{tracked}/deliveries"))
        .await;
    assert_eq!(opened_at(&deliveries, &bob), first, "the first open stays");
    assert_eq!(report(&app, &tracked).await["counts"]["opened"], 1);
    let his_deliveries = app
        .get_json(&format!("/api/v1/contacts/{bob}/deliveries"))
        .await;
    assert_eq!(his_deliveries[0]["opened_at"], first, "{his_deliveries}");

    // Unknown, malformed or bare tokens get the same GIF, and count nothing.
    for path in [
        "/o/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.gif",
        "/o/nope.gif",
        "/o/a.b.gif",
        "/o/nothing-but-a-token",
        &format!("/o/{}.gif", "x".repeat(300)),
    ] {
        open(&app, path).await;
    }

    // Off again: an open is no longer counted; the opens counted stay in the report.
    let (status, _) = json_of(put_settings(&app, json!({"track_opens": false})).await).await;
    assert_eq!(status, 200);
    open(&app, &cyryl_image).await;
    let d = report(&app, &tracked).await;
    assert_eq!(d["counts"]["opened"], 1, "{d}");
    assert_eq!(d["open_rate"]["count"], 1, "opens exist, still shown: {d}");
    let d = report(&app, &quiet).await;
    assert_eq!(d["open_rate"], Value::Null, "{d}");
    // The survey's reach counts them too.
    let reach = app
        .get_json(&format!("/api/v1/surveys/{survey_id}/reach"))
        .await;
    assert!(reach.to_string().contains("\"opened\":1"), "{reach}");
}

both_backends!(
    only_owners_and_admins_turn_opens_on_in_the_web_app,
    |config| {
        // Distributions need a relay; nothing is sent (no worker).
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn only_owners_and_admins_turn_opens_on_in_the_web_app(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    let anna = contact(&app, "anna@sklep.pl").await;
    let id = send(&app, &survey_id, &[&anna], 0).await;
    user_in(
        &app,
        "admin@sklep.pl",
        "admin password 1",
        Some("admin"),
        "pl",
    )
    .await;
    user_in(
        &app,
        "analityk@sklep.pl",
        "analyst password 1",
        Some("analyst"),
        "pl",
    )
    .await;

    // An analyst neither sees nor changes the setting.
    let mut a = signed_in(&app, "analityk@sklep.pl", "analyst password 1").await;
    let (status, _, _) = a.get(&app, "/app/w/acme/settings").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page, _) = a
        .get(&app, &format!("/app/w/acme/distributions/{id}"))
        .await;
    assert!(!page.contains("Odsetek otwarć"), "not tracked: {page}");
    let acsrf = hidden(&page, "_csrf");
    let (status, _, _) = a
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", acsrf.as_str()),
                ("action", "email_settings"),
                ("track_opens", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_json("/api/v1/settings/email").await["track_opens"],
        false
    );

    // An administrator turns it on, with the reason it is off by default in sight.
    let mut o = signed_in(&app, "admin@sklep.pl", "admin password 1").await;
    let (status, page, _) = o.get(&app, "/app/w/acme/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Otwarcia e-maili"), "{page}");
    assert!(page.contains("Domyślnie wyłączone"), "{page}");
    assert!(
        page.contains("name=\"track_opens\" value=\"on\" aria-describedby=\"opens-hint\">"),
        "unchecked: {page}"
    );
    let csrf = hidden(&page, "_csrf");
    let (status, _, to) = o
        .post(
            &app,
            "/app/w/acme/settings",
            &[
                ("_csrf", csrf.as_str()),
                ("action", "email_settings"),
                ("track_opens", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/app/w/acme/settings?notice=saved"));
    assert_eq!(
        app.get_json("/api/v1/settings/email").await["track_opens"],
        true
    );
    let (_, page, _) = o.get(&app, "/app/w/acme/settings").await;
    assert!(
        page.contains("aria-describedby=\"opens-hint\" checked>"),
        "{page}"
    );

    // The distribution's page shows opens, and what they are worth.
    let (_, page, _) = o
        .get(&app, &format!("/app/w/acme/distributions/{id}"))
        .await;
    assert!(page.contains("Odsetek otwarć"), "{page}");
    assert!(page.contains("Otwarcia są przybliżone"), "{page}");

    // The analyst cannot turn it off either (an unticked box is a form without it).
    let (status, _, _) = a
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", acsrf.as_str()), ("action", "email_settings")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_json("/api/v1/settings/email").await["track_opens"],
        true
    );
    // The administrator can.
    let (status, _, _) = o
        .post(
            &app,
            "/app/w/acme/settings",
            &[("_csrf", csrf.as_str()), ("action", "email_settings")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_json("/api/v1/settings/email").await["track_opens"],
        false
    );
}
