//! The webhook receiver of `tests/peers/webhook_receiver.py`, run for a test: a real HTTP
//! server that verifies every delivery with PyPI's `standardwebhooks` and deduplicates by
//! `webhook-id`. It runs on `PULS_PEERS_PYTHON` (`.ci/run` points it at a virtual
//! environment with the library) or `python3`, and stops when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub struct Receiver {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    pub fn start() -> Receiver {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/peers/webhook_receiver.py"
        );
        let python = std::env::var("PULS_PEERS_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(python)
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the webhook receiver (a python3 with standardwebhooks)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("its port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .unwrap_or_else(|| panic!("the receiver said {line:?}; is standardwebhooks installed?"))
            .to_string();
        Receiver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Verifies deliveries to `path` (`/ok`) with `secret`.
    pub async fn secret(&self, path: &str, secret: &str) {
        let r = reqwest::Client::new()
            .post(format!("{}/_secret{path}", self.base))
            .body(secret.to_string())
            .send()
            .await
            .expect("telling the receiver a secret");
        assert_eq!(r.status(), 204);
    }

    /// Every delivery so far: path, id, verified (and the library's error), status
    /// answered, whether the id was new, the event type and its data's id.
    pub async fn log(&self) -> Vec<Value> {
        reqwest::get(format!("{}/_log", self.base))
            .await
            .expect("the receiver's log")
            .json::<Vec<Value>>()
            .await
            .expect("the receiver's log as JSON")
    }

    /// Waits (up to 20 s, a guard against a hang, not a timing) until `done` holds of the
    /// log; panics with the log otherwise.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..400 {
            let log = self.log().await;
            if done(&log) {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what}: {:#?}", self.log().await);
    }
}
