//! A fresh database per test on each backend, and builders for store inputs.
//!
//! SQLite: a file in a temporary directory. PostgreSQL: `CREATE DATABASE puls_t_<random>` on
//! the server of `PULS_TEST_DATABASE_URL` (default `postgres://root@127.0.0.1:5432/test`),
//! dropped when the test ends, also when it fails. An unreachable PostgreSQL fails the test
//! unless `PULS_SKIP_POSTGRES=1` is set, and then a loud `SKIPPED postgres` line is printed.

use std::sync::Arc;

use puls_store::json::{JsonText, from_text};
use puls_store::{ConnectOptions, ContactId, ResponseId, Store, SurveyId, Value};

pub use puls_testdb::{Backend, TestDb, response};

/// Runs the test function `name(store: Arc<dyn Store>)` once per backend, over a fresh,
/// migrated database, as the tests `name::sqlite` and `name::postgres`:
///
/// ```ignore
/// both_backends!(keys_work);
/// async fn keys_work(store: Arc<dyn Store>) { .. }
/// ```
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let (db, store) = $crate::helpers::open($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                super::$name(store).await;
                drop(db);
            }

            #[tokio::test]
            async fn postgres() {
                // `None` only when PULS_SKIP_POSTGRES=1 asked for it, loudly.
                if let Some((db, store)) =
                    $crate::helpers::open($crate::helpers::Backend::Postgres).await
                {
                    super::$name(store).await;
                    drop(db);
                }
            }
        }
    };
}

/// A fresh, migrated store; `None` only when PostgreSQL is skipped on purpose.
pub async fn open(backend: Backend) -> Option<(TestDb, Arc<dyn Store>)> {
    let db = TestDb::create(backend).await?;
    let store = puls_store::connect(db.url(), &ConnectOptions { max_connections: 4 })
        .await
        .expect("opening the test database");
    store.migrate().await.expect("migrating");
    Some((db, store))
}

/// A survey id from a literal.
pub fn sid(id: &str) -> SurveyId {
    SurveyId::parse(id).expect("a valid survey id")
}

/// A response id from a literal ULID.
pub fn rid(id: &str) -> ResponseId {
    ResponseId::parse(id).expect("a valid response id")
}

/// A contact id from a literal ULID.
pub fn cid(id: &str) -> ContactId {
    ContactId::parse(id).expect("a valid contact id")
}

/// JSON text to bind, from a literal.
pub fn json(text: &str) -> JsonText {
    JsonText::parse(text).expect("valid JSON")
}

/// A core value from a JSON literal, to compare with what the store reads back.
pub fn value(text: &str) -> Value {
    from_text(text).expect("valid JSON")
}
