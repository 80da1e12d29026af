//! Kiosks and stores: a survey page in kiosk mode starts again by itself (after the
//! thank-you page, and when left idle, without JavaScript: a `Refresh`), keeps kiosk mode
//! for the survey's pages in a session cookie, and records the store on each response;
//! per-location QR codes carry the store; one kiosk device begins at most so many
//! responses an hour.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, hidden_fields};

fn survey() -> Value {
    json!({
        "title": {"pl": "Sklep"}, "locales": ["pl"], "default_locale": "pl",
        "touchpoint": "store_visit",
        "questions": [
            {"id": "csat", "type": "csat", "required": true, "text": {"pl": "Jak było?"}},
            {"id": "why", "type": "open_text", "text": {"pl": "Dlaczego?"}}
        ]
    })
}

/// GET with the kiosk's cookie, if any; status, `Refresh`, `Set-Cookie` and body.
async fn get(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, Option<String>, String) {
    let mut req = app.anonymous(Method::GET, path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let resp = req.send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (status, refresh, cookie) = (resp.status(), header("refresh"), header("set-cookie"));
    (status, refresh, cookie, resp.text().await.unwrap())
}

/// Posts a page's form with the kiosk's cookie.
async fn post(app: &TestApp, id: &str, jar: &str, form: &[(String, String)]) -> reqwest::Response {
    app.anonymous(Method::POST, &format!("/s/{id}"))
        .header("cookie", jar)
        .form(form)
        .send()
        .await
        .unwrap()
}

both_backends!(a_kiosk_starts_again_and_records_its_store);
async fn a_kiosk_starts_again_and_records_its_store(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    let start = format!("/s/{id}?kiosk=1&lang=pl&store=WAW-01");

    // The first page: kiosk mode remembered, and an idle page starts again.
    let (status, refresh, cookie, html) =
        get(&app, &format!("/s/{id}?kiosk=1&store=WAW-01"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        refresh.as_deref(),
        Some(format!("90; url={start}").as_str())
    );
    let cookie = cookie.expect("the kiosk cookie");
    // The store and the device's own id (what the per-device limit counts by).
    let value = cookie
        .strip_prefix("puls_kiosk=")
        .and_then(|c| c.strip_suffix(&format!("; Path=/s/{id}; HttpOnly; SameSite=Lax")))
        .unwrap_or_else(|| panic!("{cookie}"));
    let (store, device) = value.split_once('~').unwrap();
    assert_eq!(store, "WAW-01");
    assert_eq!(device.len(), 32);
    let jar = format!("puls_kiosk={value}");
    let jar = jar.as_str();

    // The first answer is stored at once (a customer who walks away leaves a partial).
    let mut form = hidden_fields(&html);
    form.push(("a".into(), "4".into()));
    let posted = post(&app, &id, jar, &form).await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let next = posted.headers()["location"].to_str().unwrap().to_string();
    let stored = app.all_responses("").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["status"], "partial");
    assert_eq!(stored[0]["channel"], "store");
    assert_eq!(
        stored[0]["attributes"]["store"], "WAW-01",
        "{:#}",
        stored[0]
    );

    // The next page is still the kiosk's (by the cookie), idle reset included.
    let (_, refresh, _, html) = get(&app, &next, Some(jar)).await;
    assert_eq!(
        refresh.as_deref(),
        Some(format!("90; url={start}").as_str())
    );
    let mut form = hidden_fields(&html);
    form.push(("a".into(), "Miła obsługa".into()));
    let done = post(&app, &id, jar, &form).await;
    let thanks = done.headers()["location"].to_str().unwrap().to_string();
    assert!(thanks.contains("/thanks"), "{thanks}");
    // The thank-you page starts again after a few seconds, for the next customer.
    let (status, refresh, _, _) = get(&app, &thanks, Some(jar)).await;
    assert_eq!(status, 200);
    assert_eq!(refresh.as_deref(), Some(format!("8; url={start}").as_str()));
    assert_eq!(app.all_responses("").await[0]["status"], "completed");

    // Outside a kiosk nothing refreshes.
    let (_, refresh, cookie, _) = get(&app, &format!("/s/{id}"), None).await;
    assert_eq!((refresh, cookie), (None, None));
    let (_, refresh, _, _) = get(&app, &thanks, None).await;
    assert_eq!(refresh, None);

    // A store id that is not one is refused in words; per-location codes carry theirs.
    let (status, _, _, _) = get(&app, &format!("/s/{id}?store=a%20b"), None).await;
    assert_eq!(status, 400);
    let qr = app
        .anonymous(Method::GET, &format!("/s/{id}/qr.svg?store=WAW-01&kiosk=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), 200);
    assert!(qr.text().await.unwrap().starts_with("<?xml"));
    let bad = app
        .anonymous(Method::GET, &format!("/s/{id}/qr.svg?store=a/b"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

both_backends!(
    a_kiosk_device_begins_at_most_so_many_responses_an_hour,
    |config| {
        config.kiosk.max_per_hour = 2;
    }
);
async fn a_kiosk_device_begins_at_most_so_many_responses_an_hour(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    let (_, _, cookie, _) = get(&app, &format!("/s/{id}?kiosk=1&store=WAW-01"), None).await;
    let jar = cookie.unwrap().split(';').next().unwrap().to_string();
    let begin = |jar: String| {
        let app = &app;
        let id = id.clone();
        async move {
            let (_, _, _, html) = get(app, &format!("/s/{id}"), Some(&jar)).await;
            let mut form = hidden_fields(&html);
            form.push(("a".into(), "5".into()));
            post(app, &id, &jar, &form).await
        }
    };
    // Two customers answer; a third response from the same device within the hour is
    // refused with a page in the respondent's language, and nothing is stored.
    for _ in 0..2 {
        assert_eq!(begin(jar.clone()).await.status(), StatusCode::SEE_OTHER);
    }
    let refused = begin(jar.clone()).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.text().await.unwrap().contains("Zbyt wiele prób"));
    assert_eq!(app.all_responses("").await.len(), 2);
    // Another device (another tablet on the counter) is counted on its own.
    let (_, _, other, _) = get(&app, &format!("/s/{id}?kiosk=1&store=WAW-02"), None).await;
    let other = other.unwrap().split(';').next().unwrap().to_string();
    assert_ne!(other, jar);
    assert_eq!(begin(other).await.status(), StatusCode::SEE_OTHER);
}
