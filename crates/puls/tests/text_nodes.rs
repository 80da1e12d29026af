//! The text-analysis queue across `puls serve` processes on one PostgreSQL: a node killed
//! with SIGKILL in the middle of a backlog of open answers loses nothing and costs
//! nothing twice. Its lease runs out, two other nodes take the rest between them, and in
//! the end every answer has exactly one result of the current analysis, and the
//! survivors' models read exactly the answers the killed node had not stored: none of
//! its results again, none of the rest twice (`puls_text_texts_read_total` on each
//! survivor's metrics listener). Skipped without PostgreSQL or the text model (`.ci/run`
//! has both).

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{api_key, start};
use puls_testdb::{Backend, TestDb};
use serde_json::{Value, json};

const ANSWERS: usize = 600;

fn models() -> Option<String> {
    puls_testdb::text_models()
}

fn free_port() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

/// A counter's value on a metrics listener.
fn counter(listen: &str, name: &str) -> u64 {
    let mut s = std::net::TcpStream::connect(listen).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: puls\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} in {out}"))
        .trim()
        .parse()
        .unwrap()
}

/// Stored results of `version`, by the node that wrote them.
async fn results_by_node(
    store: &dyn puls_store::Store,
    ws: puls_store::WorkspaceId,
    version: &str,
) -> Vec<String> {
    store
        .text_results_between(ws, version, 0, i64::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.node)
        .collect()
}

#[tokio::test]
async fn a_killed_node_loses_no_answer_and_none_is_read_twice() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let Some(models) = models() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = api_key(dir.path(), db.url());
    let listens = [free_port(), free_port(), free_port()];
    let env = |metrics: &str| {
        vec![
            ("PULS_TEXT__MODELS_DIR".to_string(), models.clone()),
            // Longer than any chunk's work on a loaded machine (a debug build reads 64
            // comments in well under a second alone): a survivor that outlived its lease
            // mid-chunk would lose it to the other, which would read the chunk again (by
            // design: a stalled node's work is redone), and "none read twice" would fail
            // for a reason that is not a lost or doubled answer.
            ("PULS_TEXT__LEASE_MS".to_string(), "6000".to_string()),
            ("PULS_TEXT__POLL_MS".to_string(), "50".to_string()),
            ("PULS_OUTBOX__ENABLED".to_string(), "false".to_string()),
            ("PULS_METRICS__LISTEN".to_string(), metrics.to_string()),
        ]
    };
    let start_node = |metrics: &str| {
        let env = env(metrics);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        start(dir.path(), db.url(), &env, None)
    };
    let mut a = start_node(&listens[0]);
    let base = format!("http://{}", a.addr);
    let http = reqwest::Client::new();
    let survey: Value = http
        .post(format!("{base}/api/v1/surveys"))
        .bearer_auth(&key)
        .json(
            &json!({"title": {"pl": "Opinie"}, "locales": ["pl"], "touchpoint": "delivery",
                      "questions": [{"id": "comment", "type": "open_text", "text": {"pl": "?"}}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let survey = survey["id"].as_str().unwrap().to_string();
    let r = http
        .post(format!("{base}/api/v1/surveys/{survey}/publish"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // Distinct texts, so that no cache hides a second reading.
    let phrases = [
        "Kurier spóźnił się o dwa dni",
        "Obsługa w sklepie była bardzo miła",
        "Cena wyższa niż w konkurencji",
        "Aplikacja zawiesza się przy płatności",
        "Zwrot pieniędzy trwał miesiąc",
    ];
    for chunk in (0..ANSWERS).collect::<Vec<_>>().chunks(20) {
        let posts = chunk.iter().map(|&i| {
            let http = http.clone();
            let url = format!("{base}/api/v1/surveys/{survey}/responses");
            let text = format!("{} (zamówienie {i}).", phrases[i % phrases.len()]);
            async move {
                let r = http
                    .post(url)
                    .json(&json!({"answers": {"comment": text}}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        });
        futures::future::join_all(posts).await;
    }

    let status: Value = http
        .get(format!("{base}/api/v1/text/status"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let version = status["analysis_version"]
        .as_str()
        .expect("installed")
        .to_string();
    let store = puls_store::connect(db.url(), &puls_store::ConnectOptions::default())
        .await
        .unwrap();
    let ws = store.list_workspaces().await.unwrap()[0].id;
    // Node A dies in the middle of the backlog: SIGKILL, no goodbye.
    let mut by_a = 0;
    for _ in 0..600 {
        by_a = results_by_node(store.as_ref(), ws, &version).await.len();
        if by_a >= 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let stored_by_a = results_by_node(store.as_ref(), ws, &version).await.len();
    assert!(
        (100..ANSWERS).contains(&stored_by_a),
        "node A was killed mid-backlog ({by_a}, then {stored_by_a} of {ANSWERS})"
    );
    // Two nodes take the rest between them.
    let b = start_node(&listens[1]);
    let c = start_node(&listens[2]);
    let mut nodes = Vec::new();
    for _ in 0..1200 {
        nodes = results_by_node(store.as_ref(), ws, &version).await;
        if nodes.len() >= ANSWERS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        nodes.len(),
        ANSWERS,
        "every answer has a result of this version"
    );
    let a_name = nodes
        .iter()
        .find(|n| nodes.iter().filter(|m| m == n).count() == stored_by_a)
        .cloned();
    let read = counter(&listens[1], "puls_text_texts_read_total")
        + counter(&listens[2], "puls_text_texts_read_total");
    let written = counter(&listens[1], "puls_text_answers_analysed_total")
        + counter(&listens[2], "puls_text_answers_analysed_total");
    eprintln!(
        "{ANSWERS} answers: {stored_by_a} stored by node A ({a_name:?}) before SIGKILL, \
         {written} by the two survivors, who read {read} texts"
    );
    assert_eq!(written as usize, ANSWERS - stored_by_a);
    assert_eq!(
        read as usize,
        ANSWERS - stored_by_a,
        "the survivors read exactly what node A had not stored"
    );
    drop((b, c));
}
