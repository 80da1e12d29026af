//! The SQLite backend: one file, WAL journal, `synchronous=FULL`, a single writer.
//!
//! Durability: in WAL mode with `synchronous=FULL` the WAL is flushed to disk at every
//! commit, so a committed transaction survives power loss. `NORMAL` would only flush at
//! checkpoints and could lose the last commits, which breaks "2xx means stored". The cost
//! of one flush per commit is paid once per batch by the group-commit writer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use crate::ConnectOptions;

/// SQLite store: readers share a pool; every write goes through a one-connection pool,
/// because SQLite allows one writer at a time anyway.
pub(crate) struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    writer_tasks: usize,
}

impl SqliteStore {
    pub(crate) async fn connect(url: &str, opts: &ConnectOptions) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.clamp(1, 64))
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore {
            read,
            write,
            writer_tasks: 1,
        })
    }

    /// The last sequence number: SQLite commits one writer at a time, so every later
    /// change has a higher one.
    async fn feed_head(&self) -> Result<ChangeCursor, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM response_changes")
            .fetch_one(&self.read)
            .await?;
        Ok(ChangeCursor(row.try_get(0)?))
    }

    /// Every stored or updated response gets a row in `response_changes`, whose sequence
    /// is commit order here (one writer at a time).
    pub(crate) const LOGS_RESPONSE_CHANGES: bool = true;

    /// Changes after the cursor's sequence number; the next cursor is the last one read.
    async fn feed_since(
        &self,
        workspace_id: i64,
        cursor: ChangeCursor,
    ) -> Result<(Vec<sqlx::sqlite::SqliteRow>, ChangeCursor), StoreError> {
        let rows = sqlx::query(
            "SELECT survey_id, response_id, kind, seq FROM response_changes \
             WHERE workspace_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(workspace_id)
        .bind(cursor.0)
        .fetch_all(&self.read)
        .await?;
        let next = match rows.last() {
            Some(r) => ChangeCursor(r.try_get(3)?),
            None => cursor,
        };
        Ok((rows, next))
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        sqlx::migrate!("./migrations/sqlite")
    }
}

crate::sql::impl_store!(SqliteStore, Sqlite, "sqlite", "BEGIN IMMEDIATE", "");
