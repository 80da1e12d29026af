//! The PostgreSQL backend: the production store, shared by any number of `puls` processes.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::ConnectOptions;

/// PostgreSQL store: one pool serves reads and writes; several writer tasks batch responses
/// in parallel, since PostgreSQL takes concurrent writers.
pub(crate) struct PgStore {
    read: PgPool,
    write: PgPool,
    writer_tasks: usize,
}

impl PgStore {
    pub(crate) async fn connect(url: &str, opts: &ConnectOptions) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(PgStore {
            read: pool.clone(),
            write: pool,
            writer_tasks: (opts.max_connections as usize / 2).clamp(1, 8),
        })
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        sqlx::migrate!("./migrations/postgres")
    }
}

crate::sql::impl_store!(PgStore, Postgres, "postgres", "BEGIN", " FOR SHARE");
