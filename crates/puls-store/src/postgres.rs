//! The PostgreSQL backend: the production store, shared by any number of `puls` processes.
//!
//! Here: connecting, the migrations, and what PostgreSQL does differently from SQLite in
//! the change feeds, where rows carry the transaction that wrote them (`db.rs` dispatches
//! to these).

use std::str::FromStr;
use std::time::Duration;

use puls_core::WorkspaceId;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Postgres};

use crate::db::{FeedRead, Pools, RowExt, SqlStore};
use crate::error::StoreError;
use crate::model::ChangeCursor;
use crate::{ConnectOptions, CustomerCursor};

/// Opens the PostgreSQL store: one pool serves reads and writes; several writer tasks batch
/// responses in parallel, since PostgreSQL takes concurrent writers.
pub(crate) async fn connect(url: &str, opts: &ConnectOptions) -> Result<SqlStore, StoreError> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(opts.max_connections.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    let writer_tasks = (opts.max_connections as usize / 2).clamp(1, 8);
    Ok(SqlStore::new(Pools::Postgres(pool), writer_tasks))
}

pub(crate) fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations/postgres")
}

/// Responses are not logged in `response_changes`: each carries `changed_txid`, the
/// transaction that last wrote it (set by default on insert, by trigger on update).
pub(crate) const LOGS_RESPONSE_CHANGES: bool = false;

/// An event's feed marker is the transaction that wrote it.
pub(crate) const EVENT_MARKER: &str = "changed_txid::text::bigint";

/// No index trick is needed to keep a scan of events by `seq` on its index.
pub(crate) const SCAN_WORKSPACE: &str = "workspace_id";

/// Transaction ids order PostgreSQL's feed; no stamp is needed (the column stays 0).
pub(crate) const STAMP: i64 = 0;

/// The oldest transaction still running: every transaction with a smaller id has
/// finished, so everything it wrote is visible from now on.
pub(crate) async fn feed_head(read: &PgPool) -> Result<ChangeCursor, StoreError> {
    let row = sqlx::query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS head")
        .fetch_one(read)
        .await?;
    Ok(ChangeCursor(row.int("head")?))
}

/// Responses written, and surveys deleted, by transactions from the cursor's on.
/// Transaction ids below a snapshot's xmin all belong to finished transactions, so
/// reading from the previous xmin misses nothing, even a slow transaction that commits
/// after a later one (and may repeat a few changes, which readers apply idempotently by
/// reloading). The next cursor is the xmin taken before this read. Responses come
/// first, then deleted surveys.
pub(crate) async fn feed_since(
    read: &PgPool,
    workspace_id: WorkspaceId,
    cursor: ChangeCursor,
) -> Result<(Vec<PgRow>, ChangeCursor), StoreError> {
    let next = feed_head(read).await?;
    let rows = sqlx::query(
        "SELECT survey_id, response_id, kind FROM ( \
           SELECT survey_id, id AS response_id, 'response' AS kind, 0 AS part, \
                  changed_txid AS txid, 0::bigint AS seq \
           FROM responses \
           WHERE workspace_id = $1 AND changed_txid >= $2::bigint::text::xid8 \
           UNION ALL \
           SELECT survey_id, response_id, kind, 1, txid, seq FROM response_changes \
           WHERE workspace_id = $1 AND txid >= $2::bigint::text::xid8 \
         ) AS changes ORDER BY part, seq",
    )
    .bind(workspace_id.get())
    .bind(cursor.0)
    .fetch_all(read)
    .await?;
    Ok((rows, next))
}

/// The oldest running transaction, for all four tables.
pub(crate) async fn customer_feed_head(read: &PgPool) -> Result<CustomerCursor, StoreError> {
    let xmin = feed_head(read).await?.0;
    Ok(CustomerCursor {
        events: xmin,
        contacts: xmin,
        links: xmin,
        invitations: xmin,
    })
}

/// Rows of `select` written by transactions from `since` on (not bounded by `head`: a
/// row committed before this read must be seen even while an older transaction runs),
/// ordered by `order` after `after`. A row may come again in a later read.
pub(crate) async fn feed_rows(
    read: &PgPool,
    feed: &FeedRead<'_>,
) -> Result<Vec<PgRow>, StoreError> {
    let mut q = sqlx::QueryBuilder::<Postgres>::new("");
    for piece in feed.select {
        q.push(piece);
    }
    q.push(" WHERE workspace_id = ")
        .push_bind(feed.workspace_id.get());
    q.push(" AND changed_txid >= ")
        .push_bind(feed.since)
        .push("::bigint::text::xid8");
    crate::sqlite::push_after(&mut q, feed.order, feed.after);
    q.push(format_args!(" ORDER BY {} LIMIT ", feed.order))
        .push_bind(feed.limit);
    Ok(q.build().fetch_all(read).await?)
}
