//! The outbox across `puls serve` processes on one PostgreSQL: responses arriving through
//! two nodes reach a webhook receiver (which verifies each delivery with PyPI's
//! `standardwebhooks`) once per message id, every one of them (all alert-worthy) opens
//! exactly one case, and a node killed with SIGKILL in the middle of delivering loses no
//! message: its leases run out and the other node sends them.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{api_key, start};
use puls_testdb::{Backend, Receiver, TestDb};
use serde_json::{Value, json};

const RESPONSES: usize = 1_000;

#[tokio::test]
async fn two_nodes_deliver_every_webhook_once_per_id_and_a_killed_node_loses_none() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = api_key(dir.path(), db.url());
    let env = [
        ("PULS_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES", "true"),
        ("PULS_OUTBOX__LEASE_MS", "1500"),
        ("PULS_OUTBOX__POLL_MS", "50"),
        ("PULS_OUTBOX__RETRY_BASE_MS", "100"),
    ];
    let mut a = start(dir.path(), db.url(), &env, None);
    let b = start(dir.path(), db.url(), &env, None);
    let (base_a, base_b) = (format!("http://{}", a.addr), format!("http://{}", b.addr));
    let rx = Receiver::start();
    let http = reqwest::Client::new();

    let survey: Value = http
        .post(format!("{base_a}/api/v1/surveys"))
        .bearer_auth(&key)
        .json(
            &json!({"title": {"en": "Nodes"}, "locales": ["en"], "touchpoint": "checkout",
                      "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let survey = survey["id"].as_str().unwrap().to_string();
    let r = http
        .post(format!("{base_a}/api/v1/surveys/{survey}/publish"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let hook: Value = http
        .post(format!("{base_b}/api/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({"url": format!("{}/slow", rx.base), "event_types": ["response.completed"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    rx.secret("/slow", hook["secret"].as_str().expect("a secret"))
        .await;
    // Every response is a detractor: a rule opens a case for each and fires an alert.
    let alerts: Value = http
        .post(format!("{base_a}/api/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({"url": format!("{}/ok", rx.base),
                      "event_types": ["case.created", "alert.fired"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    rx.secret("/ok", alerts["secret"].as_str().expect("a secret"))
        .await;
    let r = http
        .post(format!("{base_b}/api/v1/alert-rules"))
        .bearer_auth(&key)
        .json(&json!({"key": "detractors", "name": "Detractors",
                      "conditions": [{"score": {"metric": "nps", "at_most": 6}}],
                      "actions": {"case": {"priority": "high", "link_within_days": 0},
                                  "webhook": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // Detractors through both nodes, eight at a time.
    let submit = |base: String, n: usize| {
        let http = http.clone();
        let survey = survey.clone();
        async move {
            let r = http
                .post(format!("{base}/api/v1/surveys/{survey}/responses"))
                .json(&json!({"answers": {"nps": n % 7}}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let v: Value = r.json().await.unwrap();
            v["id"].as_str().unwrap().to_string()
        }
    };
    let mut ids = BTreeSet::new();
    for chunk in (0..RESPONSES / 2).collect::<Vec<_>>().chunks(8) {
        let batch = chunk.iter().map(|&n| {
            let base = if n % 2 == 0 { &base_a } else { &base_b };
            submit(base.clone(), n)
        });
        ids.extend(join(batch).await);
    }
    // Node A dies in the middle of delivering: SIGKILL, no goodbye.
    for _ in 0..200 {
        if rx.log().await.len() >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    for chunk in (RESPONSES / 2..RESPONSES).collect::<Vec<_>>().chunks(8) {
        let batch = chunk.iter().map(|&n| submit(base_b.clone(), n));
        ids.extend(join(batch).await);
    }
    assert_eq!(ids.len(), RESPONSES);

    // Every message arrives (a response, a case and an alert per response); the receiver
    // takes each id once.
    let mut log = Vec::new();
    for _ in 0..1200 {
        log = rx.log().await;
        let unique: BTreeSet<&str> = log.iter().filter_map(|e| e["id"].as_str()).collect();
        if unique.len() >= 3 * RESPONSES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        log.iter().all(|e| e["verified"] == true),
        "every delivery verifies"
    );
    let new: Vec<&Value> = log.iter().filter(|e| e["new"] == true).collect();
    assert_eq!(new.len(), 3 * RESPONSES, "each message taken once");
    let of = |t: &str| -> Vec<&Value> { new.iter().copied().filter(|e| e["type"] == t).collect() };
    let delivered: BTreeSet<String> = of("response.completed")
        .iter()
        .map(|e| e["data_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(delivered, ids, "every response, through either node");
    assert_eq!(of("alert.fired").len(), RESPONSES);
    let announced: BTreeSet<&str> = of("case.created")
        .iter()
        .filter_map(|e| e["data_id"].as_str())
        .collect();
    assert_eq!(announced.len(), RESPONSES, "a case announced per response");
    let again = log.len() - new.len();
    eprintln!(
        "{} deliveries of {RESPONSES} messages: {again} sent again after node A was killed",
        log.len()
    );
    // Nothing is left in the outbox.
    let store = puls_store::connect(db.url(), &puls_store::ConnectOptions::default())
        .await
        .unwrap();
    assert_eq!(store.pending_jobs().await.unwrap(), 0);
    // Every case opened exactly once: one per response, none twice.
    let ws = store.list_workspaces().await.unwrap()[0].id;
    let cases = store
        .cases(
            ws,
            &puls_store::CaseFilter {
                limit: 10 * RESPONSES as i64,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cases.len(), RESPONSES, "one case per response");
    let of_cases: BTreeSet<String> = cases
        .iter()
        .map(|c| c.response_id.clone().unwrap())
        .collect();
    assert_eq!(of_cases, ids);
    let case_ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(case_ids, announced);
    drop(b);
}

/// Runs the futures at once and collects their outputs.
async fn join<F>(futures: impl Iterator<Item = F>) -> Vec<String>
where
    F: std::future::Future<Output = String> + Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("a submission"));
    }
    out
}
