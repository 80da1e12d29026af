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

    /// The oldest transaction still running: every transaction with a smaller id has
    /// finished, so everything it wrote is visible from now on.
    async fn feed_head(&self) -> Result<ChangeCursor, StoreError> {
        let row = sqlx::query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            .fetch_one(&self.read)
            .await?;
        Ok(ChangeCursor(row.try_get(0)?))
    }

    /// Changes written by transactions from the cursor's on. Sequence numbers are taken
    /// before commit, so "after the last seq" could skip a slow transaction's change;
    /// transaction ids below the snapshot's xmin are all finished, so reading from the
    /// previous xmin misses nothing (and may repeat a few changes, which readers apply
    /// idempotently). The next cursor is the xmin taken before this read.
    async fn feed_since(
        &self,
        workspace_id: i64,
        cursor: ChangeCursor,
    ) -> Result<(Vec<sqlx::postgres::PgRow>, ChangeCursor), StoreError> {
        let next = self.feed_head().await?;
        let rows = sqlx::query(
            "SELECT survey_id, response_id, kind, seq FROM response_changes \
             WHERE workspace_id = $1 AND txid >= $2::bigint::text::xid8 ORDER BY seq",
        )
        .bind(workspace_id)
        .bind(cursor.0)
        .fetch_all(&self.read)
        .await?;
        Ok((rows, next))
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        sqlx::migrate!("./migrations/postgres")
    }
}

crate::sql::impl_store!(PgStore, Postgres, "postgres", "BEGIN", " FOR SHARE");
