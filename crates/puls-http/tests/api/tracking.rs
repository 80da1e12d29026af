//! The Segment-compatible tracking API: the requests of the official libraries (captured,
//! see `segment/README.md`), the examples of Segment's spec, de-duplication by messageId,
//! and every kind of bad request.

use std::io::Write;

use reqwest::Method;
use serde_json::{Value, json};

use crate::customer_helpers::{DAY, T0, at, basic, identify, track};
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

/// A captured request: its headers (without host, length and auth) and raw body.
fn fixture(name: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/segment/");
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}{name}.json")).expect("fixture meta"),
    )
    .expect("fixture meta is JSON");
    let body = std::fs::read(format!("{dir}{name}.body")).expect("fixture body");
    let headers = meta["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .filter(|(k, _)| {
            !["host", "content-length", "authorization", "connection"].contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    (headers, body)
}

/// The messages of a captured body (decompressed when gzip).
fn fixture_messages(name: &str) -> Vec<Value> {
    let (headers, body) = fixture(name);
    let gz = headers
        .iter()
        .any(|(k, v)| k == "content-encoding" && v == "gzip");
    let bytes = if gz {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut out)
            .expect("gunzip");
        out
    } else {
        body
    };
    let v: Value = serde_json::from_slice(&bytes).expect("fixture body is JSON");
    v["batch"].as_array().expect("a batch").clone()
}

async fn replay(app: &TestApp, key: &str, name: &str) -> reqwest::Response {
    let (headers, body) = fixture(name);
    let mut req = app
        .client
        .post(app.url("/v1/batch"))
        .header("authorization", basic(key));
    for (k, v) in headers {
        req = req.header(k, v);
    }
    req.body(body).send().await.expect("replaying a fixture")
}

const LIBRARY_FIXTURES: [&str; 8] = [
    "python-1", "python-2", "python-3", "python-4", "python-5", "node-1", "node-2", "node-3",
];

both_backends!(the_official_python_and_node_libraries_requests_are_stored_once_each);
async fn the_official_python_and_node_libraries_requests_are_stored_once_each(app: TestApp) {
    let key = app.write_key().await;
    let mut ids = std::collections::BTreeSet::new();
    for name in LIBRARY_FIXTURES {
        let (status, body) = json_of(replay(&app, &key, name).await).await;
        assert_eq!(
            (status.as_u16(), &body),
            (200, &json!({"success": true})),
            "{name}"
        );
        for m in fixture_messages(name) {
            ids.insert(m["messageId"].as_str().expect("messageId").to_string());
        }
    }
    // The retries (python-5, node-3) repeat a messageId: each message is stored once.
    let events = app.events("").await;
    let stored: std::collections::BTreeSet<String> = events
        .iter()
        .map(|e| e["messageId"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events.len(), ids.len(), "one row per messageId");
    assert_eq!(stored, ids);

    // The identify made a contact of u-1 with typed traits.
    let c = app.contact_by_external_id("u-1").await;
    assert_eq!(c["email"], "ala@example.com");
    assert_eq!(c["name"], "Ala Kowalska");
    assert_eq!(c["attributes"]["plan"], "pro");
    assert_eq!(c["attributes"]["age"], 34);
    assert_eq!(c["attributes"]["vip"], true);
    assert_eq!(c["attributes"]["city"], "Łódź");
    assert_eq!(c["attributes"]["created_at"], "2024-01-15T10:30:00.000Z");
    // The explicit timestamp of the track was kept (no sentAt skew beyond transit).
    let order = events
        .iter()
        .find(|e| e["name"] == "Order Completed" && e["userId"] == "u-1")
        .expect("the order");
    assert_eq!(order["properties"]["revenue"], 129.5);
    assert_eq!(order["properties"]["products"][1]["name"], "Koszulka");
    assert_eq!(order["context"]["locale"], "pl-PL");
    // anon-9's page view and track now belong to u-2 (identify and alias tied them).
    let u2 = app.contact_by_external_id("u-2").await;
    let id = u2["id"].as_str().expect("id");
    let timeline = app
        .get_json(&format!("/api/v1/contacts/{id}/events?limit=1000"))
        .await;
    let kinds: std::collections::BTreeSet<&str> = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(
        kinds.contains("page") && kinds.contains("identify"),
        "{timeline}"
    );
}

both_backends!(the_examples_of_segments_spec_are_accepted_on_every_endpoint);
async fn the_examples_of_segments_spec_are_accepted_on_every_endpoint(app: TestApp) {
    let key = app.write_key().await;
    // The examples of Segment's spec pages, with the write key in the body.
    let calls = [
        (
            "/v1/identify",
            json!({
                "anonymousId": "507f191e810c19729de860ea",
                "context": {"ip": "8.8.8.8", "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6)"},
                "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
                "receivedAt": "2015-02-23T22:28:55.387Z",
                "sentAt": "2015-02-23T22:28:55.111Z",
                "timestamp": "2015-02-23T22:28:55.111Z",
                "traits": {"name": "Peter Gibbons", "email": "peter@example.com", "plan": "premium",
                           "logins": 5, "address": {"street": "6th St", "city": "San Francisco",
                           "state": "CA", "postalCode": "94103", "country": "USA"}},
                "type": "identify",
                "userId": "97980cfea0067",
                "version": "1.1"
            }),
        ),
        (
            "/v1/track",
            json!({
                "anonymousId": "507f191e810c19729de860ea",
                "context": {"ip": "8.8.8.8", "library": {"name": "analytics.js", "version": "2.11.1"}},
                "event": "Item Purchased",
                "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093dc",
                "properties": {"name": "Leap to Conclusions Mat", "revenue": 14.99},
                "timestamp": "2015-12-12T19:11:01.249Z",
                "type": "track",
                "userId": "97980cfea0067",
                "version": 2
            }),
        ),
        (
            "/v1/page",
            json!({
                "anonymousId": "507f191e810c19729de860ea",
                "category": "Docs",
                "name": "Tracking HTTP API",
                "properties": {"title": "Segment Tracking API", "url": "https://segment.com/docs/"},
                "timestamp": "2015-02-23T22:28:55.111Z",
                "type": "page",
                "userId": "97980cfea0067"
            }),
        ),
        (
            "/v1/screen",
            json!({
                "userId": "97980cfea0067",
                "name": "Home",
                "properties": {"Feed Type": "private"},
                "timestamp": "2015-02-23T22:28:55.111Z"
            }),
        ),
        (
            "/v1/group",
            json!({
                "userId": "97980cfea0067",
                "groupId": "0e8c78ea9d97a7b8185e8632",
                "traits": {"name": "Initech", "industry": "Technology", "employees": 329},
                "timestamp": "2015-02-23T22:28:55.111Z"
            }),
        ),
        (
            "/v1/alias",
            json!({
                "previousId": "39239-239239-239239-23923",
                "userId": "507f191e81",
                "timestamp": "2015-02-23T22:28:55.111Z"
            }),
        ),
    ];
    for (path, mut body) in calls {
        body["writeKey"] = json!(key);
        let resp = app
            .anonymous(Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("POST");
        let (status, answer) = json_of(resp).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    let events = app.events("").await;
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        kinds,
        ["alias", "group", "screen", "page", "track", "identify"]
    );
    let peter = app.contact_by_external_id("97980cfea0067").await;
    assert_eq!(peter["email"], "peter@example.com");
    assert_eq!(peter["attributes"]["address.city"], "San Francisco");
    assert_eq!(peter["attributes"]["logins"], 5);
    // Unread keys are kept with the message.
    let page = &events[3];
    assert_eq!(page["extra"]["category"], "Docs");
    assert_eq!(page["timestamp"], "2015-02-23T22:28:55.111Z");
}

both_backends!(a_repeated_message_is_stored_once);
async fn a_repeated_message_is_stored_once(app: TestApp) {
    let key = app.write_key().await;
    let m = track("u1", "Order Completed", T0, json!({"platform": "web"}));
    let other = track("u1", "Product Added", T0 - 1000, json!({}));
    app.send_batch_ok(&key, vec![m.clone(), m.clone()]).await;
    app.send_batch_ok(&key, vec![m.clone(), other]).await;
    let mut single = m.clone();
    single["writeKey"] = json!(key);
    let resp = app
        .anonymous(Method::POST, "/v1/track")
        .json(&single)
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), 200);
    let events = app.events("").await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        events
            .iter()
            .filter(|e| e["name"] == "Order Completed")
            .count(),
        1
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

both_backends!(
    bad_tracking_requests_get_clear_errors_and_store_nothing,
    |config| {
        config.tracking.max_batch_messages = 3;
    }
);
async fn bad_tracking_requests_get_clear_errors_and_store_nothing(app: TestApp) {
    let key = app.write_key().await;
    let good = track("u1", "Order Completed", T0, json!({}));
    let post = |auth: Option<String>, ct: &str, body: Vec<u8>| {
        let mut r = app
            .anonymous(Method::POST, "/v1/batch")
            .header("content-type", ct.to_string())
            .body(body);
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r
    };
    let batch = |msgs: Vec<Value>| serde_json::to_vec(&json!({"batch": msgs})).expect("json");

    // Who is sending.
    expect_error(
        post(None, "application/json", batch(vec![good.clone()]))
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    expect_error(
        post(
            Some(basic("wk_nope")),
            "application/json",
            batch(vec![good.clone()]),
        )
        .send()
        .await
        .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let revoked = app.write_key().await;
    let resp = app
        .request(Method::DELETE, &format!("/api/v1/write-keys/{revoked}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    expect_error(
        post(
            Some(basic(&revoked)),
            "application/json",
            batch(vec![good.clone()]),
        )
        .send()
        .await
        .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    // What is sent.
    let auth = Some(basic(&key));
    expect_error(
        post(auth.clone(), "application/json", b"{\"batch\": [".to_vec())
            .send()
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
    expect_error(
        post(auth.clone(), "application/xml", batch(vec![good.clone()]))
            .send()
            .await
            .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    let resp = post(auth.clone(), "application/json", batch(vec![good.clone()]))
        .header("content-encoding", "br")
        .send()
        .await
        .unwrap();
    expect_error(resp, 415, "unsupported_media_type").await;
    // A gzip bomb: small on the wire, over the limit once inflated.
    let bomb = gzip(&vec![b' '; 600 * 1024]);
    assert!(bomb.len() < 10_000);
    let resp = post(auth.clone(), "application/json", bomb)
        .header("content-encoding", "gzip")
        .send()
        .await
        .unwrap();
    expect_error(resp, 413, "payload_too_large").await;
    // One bad message refuses the whole batch, naming every problem.
    let body = expect_error(
        post(
            auth.clone(),
            "application/json",
            batch(vec![
                good.clone(),
                json!({"type": "track", "event": "X"}),
                json!({"type": "track", "userId": "u2"}),
                json!({"type": "wave", "userId": "u3"}),
            ]),
        )
        .send()
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[("batch", "too_many")]),
        "over the configured 3"
    );
    let body = expect_error(
        post(
            auth.clone(),
            "application/json",
            batch(vec![
                good.clone(),
                json!({"type": "track", "event": "X", "timestamp": "yesterday"}),
                json!({"type": "track", "userId": "u2", "properties": [1]}),
            ]),
        )
        .send()
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[
            ("batch[1].userId", "required"),
            ("batch[1].timestamp", "invalid_timestamp"),
            ("batch[2].event", "required"),
            ("batch[2].properties", "wrong_type"),
        ])
    );
    let big = track("u1", "Big", T0, json!({"blob": "x".repeat(40 * 1024)}));
    let body = expect_error(
        post(auth.clone(), "application/json", batch(vec![big]))
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(details(&body), pairs(&[("batch[0]", "too_long")]));
    let body = expect_error(
        post(
            auth.clone(),
            "application/json",
            b"{\"batch\": {}}".to_vec(),
        )
        .send()
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(details(&body), pairs(&[("batch", "wrong_type")]));
    let body = expect_error(
        app.anonymous(Method::POST, "/v1/track")
            .json(&json!({"writeKey": key, "type": "page", "userId": "u"}))
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(details(&body), pairs(&[("type", "not_one_of")]));
    assert!(app.events("").await.is_empty(), "nothing was stored");
}

both_backends!(a_browser_sends_text_plain_with_the_key_in_the_body_across_origins);
async fn a_browser_sends_text_plain_with_the_key_in_the_body_across_origins(app: TestApp) {
    let key = app.write_key().await;
    let preflight = app
        .anonymous(Method::OPTIONS, "/v1/batch")
        .header("origin", "https://shop.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("OPTIONS");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "*",
        "any shop may send with its write key"
    );
    let body = json!({"writeKey": key, "batch": [
        {"type": "page", "anonymousId": "a-1", "name": "Home", "timestamp": at(T0)}
    ]});
    let resp = app
        .anonymous(Method::POST, "/v1/batch")
        .header("origin", "https://shop.example.com")
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert_eq!(resp.status(), 200);
    assert_eq!(app.events("type=page").await.len(), 1);
}

both_backends!(the_senders_clock_skew_is_corrected_by_sent_at);
async fn the_senders_clock_skew_is_corrected_by_sent_at(app: TestApp) {
    let key = app.write_key().await;
    // A device whose clock is years behind: it stamped the event 5 s before sending it.
    let stamped = T0 - 1000 * DAY;
    let before = puls_store::now_ms();
    let resp = app
        .client
        .post(app.url("/v1/batch"))
        .header("authorization", basic(&key))
        .json(&json!({"sentAt": at(stamped + 5000), "batch": [
            {"type": "track", "userId": "u", "event": "X", "timestamp": at(stamped)}
        ]}))
        .send()
        .await
        .expect("POST");
    let after = puls_store::now_ms();
    assert_eq!(resp.status(), 200);
    let events = app.events("").await;
    let ts: jiff::Timestamp = events[0]["timestamp"]
        .as_str()
        .expect("timestamp")
        .parse()
        .expect("RFC 3339");
    let ms = ts.as_millisecond();
    // Received between `before` and `after`; happened 5 s before it was received.
    assert!(
        (before - 5000..=after - 5000).contains(&ms),
        "{ms} not within [{}, {}]",
        before - 5000,
        after - 5000
    );
}

both_backends!(an_identify_updates_its_contact_and_ties_the_anonymous_id);
async fn an_identify_updates_its_contact_and_ties_the_anonymous_id(app: TestApp) {
    let key = app.write_key().await;
    app.send_batch_ok(
        &key,
        vec![
            identify(
                "u7",
                Some("browser-7"),
                json!({"email": "ola@example.com", "plan": "free"}),
                T0,
            ),
            identify(
                "u7",
                None,
                json!({"plan": "pro", "firstName": "Ola", "lastName": "Nowak"}),
                T0 + 1000,
            ),
        ],
    )
    .await;
    let c = app.contact_by_external_id("u7").await;
    assert_eq!(c["email"], "ola@example.com");
    assert_eq!(c["name"], "Ola Nowak");
    assert_eq!(
        c["attributes"]["plan"], "pro",
        "traits are merged, later wins"
    );
    // Another user's identify cannot take Ola's email; the rest of its traits apply.
    app.send_batch_ok(
        &key,
        vec![identify(
            "u8",
            None,
            json!({"email": "ola@example.com", "plan": "x"}),
            T0,
        )],
    )
    .await;
    let other = app.contact_by_external_id("u8").await;
    assert_eq!(other["email"], Value::Null);
    assert_eq!(other["attributes"]["plan"], "x");
    assert_eq!(
        app.contact_by_external_id("u7").await["email"],
        "ola@example.com"
    );
}
