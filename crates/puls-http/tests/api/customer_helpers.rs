//! Helpers for the customer side: write keys, sending tracking messages, and messages
//! built the way a Segment library would.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of};

/// 2026-03-02 00:00 UTC, a Monday.
pub const T0: i64 = 1_772_409_600_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// RFC 3339 of a Unix ms instant.
pub fn at(ms: i64) -> String {
    jiff::Timestamp::from_second(ms.div_euclid(1000))
        .expect("a valid instant")
        .to_string()
}

/// A track call of `user` at `ms`.
pub fn track(user: &str, event: &str, ms: i64, properties: Value) -> Value {
    json!({"type": "track", "userId": user, "event": event, "timestamp": at(ms),
           "properties": properties, "messageId": format!("{user}-{event}-{ms}")})
}

/// An identify call tying an anonymous id to a user.
pub fn identify(user: &str, anon: Option<&str>, traits: Value, ms: i64) -> Value {
    let mut m = json!({"type": "identify", "userId": user, "traits": traits, "timestamp": at(ms),
                       "messageId": format!("{user}-identify-{ms}")});
    if let Some(a) = anon {
        m["anonymousId"] = json!(a);
    }
    m
}

pub fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    )
}

impl TestApp {
    /// A new write key of the workspace.
    pub async fn write_key(&self) -> String {
        let (status, body) = json_of(
            self.request(Method::POST, "/api/v1/write-keys")
                .json(&json!({"name": "tests"}))
                .send()
                .await
                .expect("POST write-keys"),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["key"].as_str().expect("a key").to_string()
    }

    /// POSTs a batch of messages with the write key as HTTP Basic user.
    pub async fn send_batch(&self, key: &str, batch: Vec<Value>) -> reqwest::Response {
        self.client
            .post(self.url("/v1/batch"))
            .header("authorization", basic(key))
            .json(&json!({"batch": batch}))
            .send()
            .await
            .expect("POST /v1/batch")
    }

    /// POSTs a batch and asserts it was stored.
    pub async fn send_batch_ok(&self, key: &str, batch: Vec<Value>) {
        let (status, body) = json_of(self.send_batch(key, batch).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"success": true}));
    }

    /// Sends a JSON body with the API key.
    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> reqwest::Response {
        self.request(method, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Every stored event (newest first).
    pub async fn events(&self, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/events?limit=1000&{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = self.get_json(&path).await;
            out.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return out,
            }
        }
    }

    /// The contact with this external id.
    pub async fn contact_by_external_id(&self, id: &str) -> Value {
        let page = self
            .get_json(&format!("/api/v1/contacts?external_id={id}"))
            .await;
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "no single contact {id}: {page}");
        items[0].clone()
    }
}
