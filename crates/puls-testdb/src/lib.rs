//! A fresh database per test, for the test suites of the Puls crates (dev-only).
//!
//! SQLite: a file in a temporary directory. PostgreSQL: `CREATE DATABASE puls_t_<random>` on
//! the server of `PULS_TEST_DATABASE_URL` (default `postgres://root@127.0.0.1:5432/test`),
//! dropped when the test ends, also when it fails. An unreachable PostgreSQL fails the test
//! unless `PULS_SKIP_POSTGRES=1` is set, and then a loud `SKIPPED postgres` line is printed:
//! PostgreSQL is never skipped silently.
//!
//! Also the webhook receiver the delivery tests send to ([`Receiver`]) and the SMTP server
//! they mail to ([`SmtpServer`]).

mod receiver;
mod smtp;
pub use receiver::Receiver;
pub use smtp::SmtpServer;

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use puls_store::json::JsonText;
use puls_store::{NewResponse, ResponseId, SurveyId, Value, WorkspaceId};
use rand::Rng;
use sqlx::Connection;

/// The database engines every test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const DEFAULT_POSTGRES: &str = "postgres://root@127.0.0.1:5432/test";

pub fn random_suffix(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Writes past the test harness's output capture, so the line shows even for passing tests.
/// The installed text model's directory (`PULS_TEXT_MODELS`, else the workspace's
/// `target/text-models`), or `None` (and a note) when it is not installed there and
/// `PULS_TEXT_MODELS` does not ask for it; asked for and missing is a failure.
pub fn text_models() -> Option<String> {
    let dir = std::env::var_os("PULS_TEXT_MODELS").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/text-models"),
        std::path::PathBuf::from,
    );
    if dir.join("MANIFEST.json").exists() {
        return Some(dir.to_string_lossy().into_owned());
    }
    assert!(
        std::env::var_os("PULS_TEXT_MODELS").is_none(),
        "PULS_TEXT_MODELS names {} but no model is installed there",
        dir.display()
    );
    eprintln!("text model not installed (scripts/text-model/fetch): skipped");
    None
}

pub fn loud(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// `scheme://user:password@host` with the password hidden.
fn redact(url: &str) -> String {
    match url.split_once("://").and_then(|(s, rest)| {
        let (creds, host) = rest.split_once('@')?;
        let (user, _) = creds.split_once(':')?;
        Some(format!("{s}://{user}:***@{host}"))
    }) {
        Some(r) => r,
        None => url.to_string(),
    }
}

/// A database made for one test; dropping it removes it.
pub enum TestDb {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    /// A fresh database on `backend`; `None` only when PostgreSQL is skipped on purpose
    /// (`PULS_SKIP_POSTGRES=1`), which prints a loud line.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("puls-test-{}", random_suffix(12)));
                std::fs::create_dir_all(&dir).expect("creating a temporary directory");
                let url = format!("sqlite://{}", dir.join("puls.db").display());
                Some(TestDb::Sqlite { dir, url })
            }
            Backend::Postgres => {
                let admin_url = std::env::var("PULS_TEST_DATABASE_URL")
                    .unwrap_or_else(|_| DEFAULT_POSTGRES.to_string());
                let connect = tokio::time::timeout(
                    Duration::from_secs(15),
                    sqlx::PgConnection::connect(&admin_url),
                )
                .await;
                let mut conn = match connect {
                    Ok(Ok(conn)) => conn,
                    failed => {
                        let why = match failed {
                            Ok(Err(e)) => e.to_string(),
                            _ => "no answer within 15 s".to_string(),
                        };
                        let shown = redact(&admin_url);
                        if std::env::var("PULS_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
                            let test = std::thread::current().name().unwrap_or("?").to_string();
                            loud(&format!(
                                "!!! SKIPPED postgres: {test}: PostgreSQL at {shown} is \
                                 unreachable ({why}) and PULS_SKIP_POSTGRES=1 is set"
                            ));
                            return None;
                        }
                        panic!(
                            "PostgreSQL at {shown} is unreachable: {why}. Start it, point \
                             PULS_TEST_DATABASE_URL at a server, or set PULS_SKIP_POSTGRES=1 to \
                             skip the PostgreSQL half of the tests."
                        );
                    }
                };
                let name = format!("puls_t_{}", random_suffix(16));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
                let _ = conn.close().await;
                let (scheme, rest) = admin_url
                    .split_once("://")
                    .unwrap_or(("postgres", &admin_url));
                let (rest, query) = match rest.split_once('?') {
                    Some((r, q)) => (r, format!("?{q}")),
                    None => (rest, String::new()),
                };
                let authority = rest.split('/').next().unwrap_or(rest);
                let url = format!("{scheme}://{authority}/{name}{query}");
                Some(TestDb::Postgres {
                    admin_url,
                    name,
                    url,
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres {
                admin_url, name, ..
            } => {
                // Drop may run inside the test's runtime or while a failed test unwinds, where
                // nothing can be awaited: a thread with its own runtime drops the database.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    rt.block_on(async {
                        let mut conn = sqlx::PgConnection::connect(&admin_url)
                            .await
                            .map_err(|e| e.to_string())?;
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await
                        .map_err(|e| format!("DROP DATABASE {name}: {e}"))?;
                        let _ = conn.close().await;
                        Ok::<(), String>(())
                    })
                })
                .join();
                match dropped {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => loud(&format!("warning: test database left behind: {e}")),
                    Err(_) => loud("warning: test database cleanup panicked"),
                }
            }
        }
    }
}

/// A completed web response with no extras, created at `created_at` (Unix ms) with an id
/// that sorts by it, as the server makes them; tests change what they need.
pub fn response(workspace_id: WorkspaceId, survey_id: &str, created_at: i64) -> NewResponse {
    let id = ulid::Ulid::from_parts(created_at as u64, rand::random()).to_string();
    NewResponse {
        id: ResponseId::parse(&id).expect("a ULID is a response id"),
        workspace_id,
        survey_id: SurveyId::parse(survey_id).expect("a valid survey id"),
        survey_version: 1,
        completed: true,
        channel: "web".into(),
        touchpoint: "checkout".into(),
        locale: "en".into(),
        contact_external_id: None,
        contact_email: None,
        invitation_token: None,
        idempotency_key: None,
        resume_token: None,
        attributes: JsonText::object(&Default::default()),
        answers: JsonText::object(&[("nps".to_string(), Value::Int(9))].into()),
        created_at,
    }
}
