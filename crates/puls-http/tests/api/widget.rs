//! The widget: its loader's size (printed; the test fails above 2,048 bytes gzipped), its
//! settings' problems at their paths, and the one question it asks: page and device rules,
//! the allowed sites (CORS for them, 403 for others), once per browser or person within
//! `every_days` (across devices for an identified visitor, with a personal link), the
//! contact-frequency policy across channels (an e-mail invitation counts), `after_event`,
//! and the survey pages framed by exactly the configured sites.

use std::io::Read;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

const SHOP: &str = "https://sklep.example";

fn survey(title: &str) -> Value {
    json!({
        "title": {"pl": title, "en": title}, "locales": ["pl", "en"], "default_locale": "pl",
        "touchpoint": "checkout",
        "questions": [{"id": "nps", "type": "nps", "required": true,
                       "text": {"pl": "Czy polecisz nas?", "en": "Would you recommend us?"}}]
    })
}

async fn put_settings(app: &TestApp, body: &Value) -> reqwest::Response {
    app.request(Method::PUT, "/api/v1/settings/widget")
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Asks as the loader would, from `origin`, with `params`.
async fn ask(app: &TestApp, origin: Option<&str>, params: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .anonymous(Method::GET, "/api/v1/widget/eligibility")
        .query(params);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    req.send().await.unwrap()
}

async fn shown(app: &TestApp, key: &str, url: &str, extra: &[(&str, &str)]) -> Value {
    let mut params = vec![("key", key), ("url", url), ("lang", "en-US,pl")];
    params.extend_from_slice(extra);
    let r = ask(app, Some(SHOP), &params).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        SHOP,
        "readable by the site that asked"
    );
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_loader_is_at_most_2_kb_gzipped() {
    let Some(app) = crate::helpers::spawn_app(puls_testdb::Backend::Sqlite).await else {
        return;
    };
    let plain = app.get_text("/widget.js").await;
    assert!(plain.contains("role"), "the loader itself");
    let r = app
        .anonymous(Method::GET, "/widget.js")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let gz = r.bytes().await.unwrap();
    let mut back = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut back)
        .unwrap();
    assert_eq!(back, plain);
    println!(
        "widget.js: {} bytes, {} bytes gzipped (limit 2048)",
        plain.len(),
        gz.len()
    );
    assert!(gz.len() <= 2048, "widget.js is {} bytes gzipped", gz.len());
}

both_backends!(the_widget_asks_once_and_the_server_decides);
async fn the_widget_asks_once_and_the_server_decides(app: TestApp) {
    let checkout = app.published_survey(&survey("Zakupy")).await;
    let delivery = app.published_survey(&survey("Dostawa")).await;
    let complaint = app.published_survey(&survey("Reklamacja")).await;
    let key = app.write_key().await;

    // Every problem of the settings at its path; a survey of no one's is refused.
    let bad = put_settings(
        &app,
        &json!({"sites": ["sklep.example/x"], "placements": [{"survey": checkout, "pages": ["x"],
                 "devices": ["tv"], "every_days": 0}]}),
    )
    .await;
    let body = expect_error(bad, 422, "validation_failed").await;
    let paths: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for p in [
        "sites[0]",
        "placements[0].pages[0]",
        "placements[0].devices[0]",
        "placements[0].every_days",
    ] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    let stranger = put_settings(
        &app,
        &json!({"sites": [SHOP], "placements": [{"survey": "01JAAAAAAAAAAAAAAAAAAAAAAA"}]}),
    )
    .await;
    expect_error(stranger, 422, "validation_failed").await;

    let r = put_settings(
        &app,
        &json!({"sites": [SHOP], "placements": [
            {"survey": checkout, "pages": ["/checkout/thanks*"], "devices": ["desktop"],
             "delay_seconds": 3},
            {"survey": delivery, "pages": ["/orders/*"],
             "after_event": {"event": "Order Delivered", "within_days": 2}},
            {"survey": complaint, "pages": ["/complaints/*"], "priority": "high"}
        ]}),
    )
    .await;
    let (status, saved) = json_of(r).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["placements"][0]["every_days"], 30);

    // The survey pages may be framed by the shop, and by nothing else.
    let page = app.get(&format!("/s/{checkout}")).await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.ends_with(&format!("frame-ancestors 'self' {SHOP}")),
        "{csp}"
    );
    assert!(csp.contains("script-src 'sha256-"), "{csp}");

    // Refused: a wrong key, a site not named, a bad parameter.
    let r = ask(
        &app,
        Some(SHOP),
        &[("key", "wk_nope"), ("url", "https://x/")],
    )
    .await;
    assert_eq!(r.status(), 401);
    let r = ask(
        &app,
        Some("https://evil.example"),
        &[
            ("key", &key),
            ("url", "https://evil.example/checkout/thanks"),
        ],
    )
    .await;
    assert!(r.headers().get("access-control-allow-origin").is_none());
    expect_error(r, 403, "origin_not_allowed").await;
    let r = ask(
        &app,
        Some(SHOP),
        &[("key", &key), ("url", "/"), ("device", "tv")],
    )
    .await;
    expect_error(r, 400, "invalid_query").await;
    let r = ask(&app, Some(SHOP), &[("key", &key)]).await;
    expect_error(r, 400, "invalid_query").await;

    // Page and device rules.
    let thanks = format!("{SHOP}/checkout/thanks?order=7");
    let none = shown(&app, &key, &format!("{SHOP}/cart"), &[("aid", "b1")]).await;
    assert_eq!(
        none,
        json!({"show": false, "survey_id": null, "title": null, "lang": null,
                            "url": null, "delay_ms": null, "close": null,
                            "reason": "nothing_to_show"})
    );
    let phone = shown(&app, &key, &thanks, &[("aid", "b1"), ("device", "mobile")]).await;
    assert_eq!(phone["show"], false);
    // An anonymous browser: the survey, in its language, on the web channel.
    let s = shown(&app, &key, &thanks, &[("aid", "b1")]).await;
    assert_eq!(s["show"], true, "{s}");
    assert_eq!(s["survey_id"], checkout.as_str());
    assert_eq!(s["lang"], "en");
    assert_eq!(s["close"], "Close the survey");
    assert_eq!(s["delay_ms"], 3000);
    let url = s["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/s/{checkout}?channel=web&lang=en", app.address)),
        "{url}"
    );
    assert!(
        !url.contains("inv="),
        "no personal link for an anonymous visitor"
    );
    // The same browser again: not within 30 days. Another browser: yes.
    assert_eq!(
        shown(&app, &key, &thanks, &[("aid", "b1")]).await["show"],
        false
    );
    assert_eq!(
        shown(&app, &key, &thanks, &[("aid", "b2")]).await["show"],
        true
    );

    // An identified visitor gets a personal link, and is asked once across devices.
    let (_, c) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&json!({"external_id": "u-1", "email": "ala@sklep.pl"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let s = shown(&app, &key, &thanks, &[("uid", "u-1"), ("aid", "laptop")]).await;
    assert!(s["url"].as_str().unwrap().contains("&inv="), "{s}");
    let again = shown(&app, &key, &thanks, &[("uid", "u-1"), ("aid", "phone")]).await;
    assert_eq!(again["show"], false, "the same person on another device");

    // `after_event`: only after the visitor's delivery.
    let orders = format!("{SHOP}/orders/7");
    assert_eq!(
        shown(&app, &key, &orders, &[("aid", "b3")]).await["show"],
        false
    );
    let r = app
        .anonymous(Method::POST, "/v1/track")
        .basic_auth(&key, Some(""))
        .json(&json!({"anonymousId": "b3", "event": "Order Delivered"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let s = shown(&app, &key, &orders, &[("aid", "b3")]).await;
    assert_eq!(s["survey_id"], delivery.as_str(), "{s}");

    // One frequency policy across channels: a contact invited by e-mail a moment ago is
    // not asked by the widget while the policy says one survey per 14 days.
    let r = app
        .request(Method::PUT, "/api/v1/settings/frequency")
        .json(&json!({"caps": [{"at_most": 1, "per_days": 14}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, c2) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&json!({"external_id": "u-2", "email": "ola@sklep.pl"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let emailed = app
        .app
        .claim_frequency(
            app.workspace_id,
            &[puls_store::NewTouch {
                contact_id: c2["id"].as_str().unwrap(),
                source: "dst_test:email",
                at: puls_store::now_ms(),
                channel: "email",
                survey_id: &delivery,
                priority: 1,
            }],
        )
        .await
        .unwrap();
    assert_eq!(emailed, vec![true]);
    let s = shown(&app, &key, &thanks, &[("uid", "u-2"), ("aid", "b4")]).await;
    assert_eq!(s["show"], false, "the e-mail counted: {s}");
    assert_eq!(s["reason"], "frequency_cap");
    // A survey of higher priority is not held back by the e-mail of normal priority.
    let s = shown(
        &app,
        &key,
        &format!("{SHOP}/complaints/12"),
        &[("uid", "u-2"), ("aid", "b4")],
    )
    .await;
    assert_eq!(s["survey_id"], complaint.as_str(), "{s}");
    // ... while the one of normal priority still is.
    let s = shown(&app, &key, &thanks, &[("uid", "u-2"), ("aid", "b5")]).await;
    assert_eq!(s["reason"], "frequency_cap", "{s}");
    // And a browser shown one survey is not shown another within the policy.
    let s = shown(&app, &key, &orders, &[("aid", "b2")]).await;
    assert_eq!(s["show"], false, "{s}");
    let touches = app
        .store
        .touches(app.workspace_id, c["id"].as_str().unwrap(), 0)
        .await
        .unwrap();
    assert_eq!(touches.len(), 1, "the widget's survey is recorded once");
}
