//! SMS through a provider: a distribution on the `sms` channel reaches a real HTTP
//! provider (a server in the test) with each contact's text in their language, their
//! personal link and the provider's auth header; a refused number is counted failed.
//! Replies come back signed (Standard Webhooks): a number answers the first question on
//! channel `sms`, STOP suppresses the number (and the next distribution skips it),
//! unsigned or stale requests are refused, and a failed delivery report marks the
//! invitation failed. Chat goes through the same adapter with its own section: to the
//! chat id a contact attribute holds, replies and STOP on its own webhook and list.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the provider received: (authorization header, body as JSON).
pub(crate) type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// A provider on a free port: 400 for +48999000111 (a number it refuses), else 202.
pub(crate) async fn provider() -> (String, Received) {
    let got: Received = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/messages",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let seen = seen.clone();
                async move {
                    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let auth = headers
                        .get("authorization")
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let refused = v["to"] == "+48999000111";
                    seen.lock().unwrap().push((auth, v));
                    if refused {
                        axum::http::StatusCode::BAD_REQUEST
                    } else {
                        axum::http::StatusCode::ACCEPTED
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/messages"), got)
}

/// POSTs `body` to the SMS inbound webhook of the server at `base`, signed at `ts`
/// (seconds) with `secret`.
async fn inbound(base: &str, body: &Value, secret: &str, ts: i64) -> reqwest::Response {
    inbound_at(base, "sms", body, secret, ts).await
}

/// POSTs `body` to the inbound webhook of `channel` (`sms`, `chat`).
async fn inbound_at(
    base: &str,
    channel: &str,
    body: &Value,
    secret: &str,
    ts: i64,
) -> reqwest::Response {
    let text = body.to_string();
    let id = format!("msg_{ts}");
    let sig = puls_app::webhooks::signature(&[secret], &id, ts, &text);
    reqwest::Client::new()
        .post(format!("{base}/api/v1/{channel}/inbound"))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", sig)
        .body(text)
        .send()
        .await
        .unwrap()
}

async fn contact(app: &TestApp, body: Value) -> String {
    let (status, c) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{c}");
    c["id"].as_str().unwrap().to_string()
}

fn now_secs() -> i64 {
    puls_store::now_ms() / 1000
}

both_backends!(sms_invitations_replies_and_stop);
async fn sms_invitations_replies_and_stop(app: TestApp) {
    let (url, got) = provider().await;
    // The app's configuration is fixed at start: a second node over the same database
    // runs the outbox with the provider configured, as `puls serve` with `[sms]` would.
    let mut config = app.app.config().clone();
    config.sms.url = Some(url);
    config.sms.auth_header = Some("Authorization: Bearer provider-token".into());
    config.sms.inbound_secret = Some(SECRET.into());
    config.sms.from = "Sklep".into();
    config.outbox.poll_ms = 50;
    let node = app.node_with(config, true, None).await;

    let survey_id = app
        .published_survey(&json!({
            "title": {"pl": "Dostawa", "cs": "Doručení", "en": "Delivery"},
            "locales": ["pl", "cs", "en"], "default_locale": "pl", "touchpoint": "delivery",
            "questions": [
                {"id": "nps", "type": "nps", "required": true,
                 "text": {"pl": "Czy polecisz nas?", "cs": "Doporučíte nás?", "en": "Would you recommend us?"}},
                {"id": "why", "type": "open_text", "text": {"pl": "Dlaczego?", "cs": "Proč?", "en": "Why?"}}
            ]
        }))
        .await;
    let ala = contact(
        &app,
        json!({"external_id": "ala", "phone": "+48 600 100 200", "locale": "pl"}),
    )
    .await;
    contact(
        &app,
        json!({"external_id": "jan", "phone": "+420601100200", "locale": "cs"}),
    )
    .await;
    contact(
        &app,
        json!({"external_id": "odmowa", "phone": "+48999000111", "locale": "en"}),
    )
    .await;
    contact(&app, json!({"email": "bez-telefonu@sklep.pl"})).await;

    // Without a provider on this node, an SMS distribution is refused.
    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "SMS", "channel": "sms", "audience": {"all": true}}))
        .send()
        .await
        .unwrap();
    expect_error(refused, 409, "sms_not_configured").await;
    let (status, d) = json_of(
        node.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(
            &json!({"name": "SMS po dostawie", "channel": "sms", "audience": {"all": true},
                          "embed_first_question": true}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    let dst = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["counts"]["skipped"]["no_address"], 1, "{d}");

    // The provider gets three messages; the refused number is counted failed.
    let mut counts = Value::Null;
    for _ in 0..400 {
        counts = app.get_json(&format!("/api/v1/distributions/{dst}")).await["counts"].clone();
        if counts["sent"] == 2 && counts["failed"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        (counts["sent"].clone(), counts["failed"].clone()),
        (json!(2), json!(1)),
        "{counts}"
    );
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:#?}");
    let to_ala = got
        .iter()
        .find(|(_, v)| v["to"] == "+48 600 100 200" || v["to"] == "+48600100200")
        .unwrap_or_else(|| panic!("no message to Ala in {got:#?}"));
    assert_eq!(to_ala.0, "Bearer provider-token");
    assert_eq!(to_ala.1["from"], "Sklep");
    let text = to_ala.1["text"].as_str().unwrap();
    assert!(
        text.contains("Czy polecisz nas? Odpowiedz liczbą od 0 do 10."),
        "{text}"
    );
    assert!(text.contains(&format!("/s/{survey_id}?inv=")), "{text}");
    assert!(text.contains("STOP"), "{text}");
    assert_eq!(
        to_ala.1["reference"].as_str().unwrap(),
        format!("inv:{ala}:{dst}:0")
    );
    let cs = got
        .iter()
        .find(|(_, v)| v["to"] == "+420601100200")
        .unwrap();
    assert!(
        cs.1["text"]
            .as_str()
            .unwrap()
            .contains("Odpovězte číslem od 0 do 10.")
    );

    // Replies: unsigned, badly signed and stale ones are refused.
    let reply = json!({"type": "reply", "from": "+48600100200", "text": "9"});
    let r = app
        .anonymous(Method::POST, "/api/v1/sms/inbound")
        .json(&reply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = inbound(
        &node.address,
        &reply,
        "whsec_c2VjcmV0LW5vdC10aGlzLW9uZQ==",
        now_secs(),
    )
    .await;
    assert_eq!(r.status(), 401);
    let r = inbound(&node.address, &reply, SECRET, now_secs() - 3_600).await;
    assert_eq!(r.status(), 401);
    // The first node has no secret: nothing is taken there.
    let r = inbound(&app.address, &reply, SECRET, now_secs()).await;
    expect_error(r, 409, "sms_not_configured").await;

    // A score answers the survey on channel `sms`.
    let (status, h) = json_of(inbound(&node.address, &reply, SECRET, now_secs()).await).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["handled"], "answered");
    let responses = app.all_responses(&format!("survey={survey_id}")).await;
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["channel"], "sms");
    assert_eq!(responses[0]["answers"]["nps"], 9);
    // Text that is not a score, and numbers Puls never wrote to, are left.
    let (_, h) = json_of(
        inbound(
            &node.address,
            &json!({"type": "reply", "from": "+48600100200", "text": "dzięki"}),
            SECRET,
            now_secs(),
        )
        .await,
    )
    .await;
    assert_eq!(
        h,
        json!({"handled": "ignored", "reason": "not_a_score", "survey_id": null})
    );
    let (_, h) = json_of(
        inbound(
            &node.address,
            &json!({"type": "reply", "from": "+48111222333", "text": "5"}),
            SECRET,
            now_secs(),
        )
        .await,
    )
    .await;
    assert_eq!(h["reason"], "unknown_number");
    let bad = inbound(
        &node.address,
        &json!({"type": "reply", "from": "+48600100200"}),
        SECRET,
        now_secs(),
    )
    .await;
    expect_error(bad, 422, "validation_failed").await;

    // STOP suppresses the number: the next distribution does not write to it.
    let (_, h) = json_of(
        inbound(
            &node.address,
            &json!({"type": "reply", "from": "+420601100200", "text": " stop "}),
            SECRET,
            now_secs(),
        )
        .await,
    )
    .await;
    assert_eq!(h["handled"], "unsubscribed");
    let s = app.get_json("/api/v1/suppressions/+420601100200").await;
    assert_eq!(s["channel"], "sms");
    assert_eq!(s["reason"], "stop");
    let (_, d2) = json_of(
        node.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "SMS 2", "channel": "sms", "audience": {"all": true}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(d2["counts"]["suppressed"], 1, "{d2}");

    // A failed delivery report marks Ala's invitation failed.
    let (_, h) = json_of(
        inbound(
            &node.address,
            &json!({"type": "status", "reference": format!("inv:{ala}:{dst}:0"), "status": "undelivered"}),
            SECRET,
            now_secs(),
        )
        .await,
    )
    .await;
    assert_eq!(h["handled"], "recorded");
    let deliveries = app
        .get_json(&format!("/api/v1/distributions/{dst}/deliveries"))
        .await;
    let mine = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["contact_id"] == ala.as_str())
        .unwrap();
    assert_eq!(mine["status"], "failed");
    assert_eq!(mine["reason"], "provider_failed");
}

both_backends!(chat_through_its_own_provider_address_and_list);
async fn chat_through_its_own_provider_address_and_list(app: TestApp) {
    const CHAT_SECRET: &str = "whsec_Y2hhdC1wcm92aWRlci1zZWNyZXQtMTIzNA==";
    let (url, got) = provider().await;
    let mut config = app.app.config().clone();
    config.chat.url = Some(url);
    config.chat.from = "Sklep".into();
    config.chat.inbound_secret = Some(CHAT_SECRET.into());
    config.chat.address_attribute = Some("messenger_id".into());
    config.sms.inbound_secret = Some(SECRET.into());
    config.outbox.poll_ms = 50;
    let node = app.node_with(config, true, None).await;
    let survey_id = app
        .published_survey(&json!({
            "title": {"pl": "Dostawa", "en": "Delivery"},
            "locales": ["pl", "en"], "default_locale": "pl", "touchpoint": "delivery",
            "questions": [{"id": "nps", "type": "nps", "required": true,
                "text": {"pl": "Czy polecisz nas?", "en": "Would you recommend us?"}}]
        }))
        .await;
    contact(
        &app,
        json!({"external_id": "ala", "phone": "+48600100200", "locale": "pl",
               "attributes": {"messenger_id": "psid-4711"}}),
    )
    .await;
    // Known by phone only: no chat id, so no chat message.
    contact(&app, json!({"external_id": "jan", "phone": "+48600100201"})).await;

    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "Czat", "channel": "chat", "audience": {"all": true}}))
        .send()
        .await
        .unwrap();
    expect_error(refused, 409, "chat_not_configured").await;
    let (status, d) = json_of(
        node.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(
            &json!({"name": "Czat", "channel": "chat", "audience": {"all": true},
                       "embed_first_question": true}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["channel"], "chat", "{d}");
    assert_eq!(d["counts"]["skipped"]["no_address"], 1, "{d}");
    let dst = d["id"].as_str().unwrap().to_string();
    // Sent (the provider answered, and the outbox recorded it).
    for _ in 0..400 {
        let counts = app.get_json(&format!("/api/v1/distributions/{dst}")).await["counts"].clone();
        if counts["sent"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = got.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].1["to"], "psid-4711");
    let text = sent[0].1["text"].as_str().unwrap();
    assert!(text.contains("Czy polecisz nas?"), "{text}");
    assert!(text.contains(&format!("/s/{survey_id}?inv=")), "{text}");

    // The chat id is not an SMS number: the SMS webhook does not know it, and a chat
    // reply signed with the SMS secret is refused.
    let reply = json!({"type": "reply", "from": "psid-4711", "text": "10"});
    let (_, h) = json_of(inbound(&node.address, &reply, SECRET, now_secs()).await).await;
    assert_eq!(h["reason"], "unknown_number", "{h}");
    let r = inbound_at(&node.address, "chat", &reply, SECRET, now_secs()).await;
    assert_eq!(r.status(), 401);
    let r = inbound_at(&app.address, "chat", &reply, CHAT_SECRET, now_secs()).await;
    expect_error(r, 409, "chat_not_configured").await;
    let (status, h) =
        json_of(inbound_at(&node.address, "chat", &reply, CHAT_SECRET, now_secs()).await).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["handled"], "answered", "{h}");
    let responses = app.all_responses(&format!("survey={survey_id}")).await;
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["channel"], "chat");
    assert_eq!(responses[0]["answers"]["nps"], 10);

    // STOP on chat suppresses the chat id on the chat list only.
    let stop = json!({"type": "reply", "from": "psid-4711", "text": "STOP"});
    let (_, h) =
        json_of(inbound_at(&node.address, "chat", &stop, CHAT_SECRET, now_secs()).await).await;
    assert_eq!(h["handled"], "unsubscribed", "{h}");
    let s = app
        .get_json("/api/v1/suppressions/psid-4711?channel=chat")
        .await;
    assert_eq!(
        (s["channel"].clone(), s["reason"].clone()),
        (json!("chat"), json!("stop")),
        "{s}"
    );
    let s = app.get_json("/api/v1/suppressions/+48600100200").await;
    assert_eq!(s["suppressed"], false, "{s}");
    let bad = app
        .request(Method::GET, "/api/v1/suppressions/psid-4711?channel=fax")
        .send()
        .await
        .unwrap();
    expect_error(bad, 422, "validation_failed").await;
    let (_, d2) = json_of(
        node.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "Czat 2", "channel": "chat", "audience": {"all": true}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(d2["counts"]["suppressed"], 1, "{d2}");
    assert_ne!(d2["id"], dst.as_str());
}
