//! The SQLite backend: one file, WAL journal, `synchronous=FULL`, a single writer.
//!
//! Durability: in WAL mode with `synchronous=FULL` the WAL is flushed to disk at every
//! commit, so a committed transaction survives power loss. `NORMAL` would only flush at
//! checkpoints and could lose the last commits, which breaks "2xx means stored". The cost
//! of one flush per commit is paid once per batch by the group-commit writer.
//!
//! Here: connecting, the migrations, and what SQLite does differently from PostgreSQL in
//! the change feeds, which need stamps in commit order and bounded reads here (`db.rs`
//! dispatches to these).

use std::str::FromStr;
use std::time::Duration;

use puls_core::WorkspaceId;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use crate::db::{FeedRead, Pools, RowExt, SqlStore};
use crate::error::StoreError;
use crate::model::ChangeCursor;
use crate::{ConnectOptions, CustomerCursor};

/// Opens the SQLite store: readers share a pool; every write goes through a one-connection
/// pool, because SQLite allows one writer at a time anyway (so one writer task).
pub(crate) async fn connect(url: &str, opts: &ConnectOptions) -> Result<SqlStore, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // 64 MiB of page cache per connection (the default is 2 MiB): the unique index
        // on event message ids takes random inserts, which otherwise read and rewrite
        // index pages from the OS on every batch.
        .pragma("cache_size", "-65536");
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    // Readers map the file (up to 16 GiB) instead of copying pages through read(): the
    // analytics indexes read whole tables when they are built. Their rows come from
    // SQLite's thread in batches of up to 1,024 (sqlx's default is 50): with 50, that thread
    // and the one parsing the rows woke each other every few rows (a sixth of the 3M-response
    // index load's samples were thread wake-ups; with 1,024 it loads about 10% faster).
    let read = SqlitePoolOptions::new()
        .max_connections(opts.max_connections.clamp(1, 64))
        .connect_with(
            options
                .read_only(true)
                .pragma("mmap_size", "17179869184")
                .row_buffer_size(1024),
        )
        .await?;
    Ok(SqlStore::new(Pools::Sqlite { read, write }, 1))
}

pub(crate) fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations/sqlite")
}

/// Every stored or updated response gets a row in `response_changes`, whose sequence
/// is commit order here (one writer at a time).
pub(crate) const LOGS_RESPONSE_CHANGES: bool = true;

/// An event's feed marker is its `seq`: the single writer commits in `seq` order.
pub(crate) const EVENT_MARKER: &str = "seq";

/// A scan of events by `seq` names the workspace column with a unary `+`, which keeps
/// SQLite off the workspace index: it would pick it and then sort the whole workspace for
/// every page.
pub(crate) const SCAN_WORKSPACE: &str = "+workspace_id";

/// The last sequence number: SQLite commits one writer at a time, so every later
/// change has a higher one.
pub(crate) async fn feed_head(read: &SqlitePool) -> Result<ChangeCursor, StoreError> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS head FROM response_changes")
        .fetch_one(read)
        .await?;
    Ok(ChangeCursor(row.int("head")?))
}

/// Changes after the cursor's sequence number; the next cursor is the last one read.
pub(crate) async fn feed_since(
    read: &SqlitePool,
    workspace_id: WorkspaceId,
    cursor: ChangeCursor,
) -> Result<(Vec<SqliteRow>, ChangeCursor), StoreError> {
    let rows = sqlx::query(
        "SELECT survey_id, response_id, kind, seq FROM response_changes \
         WHERE workspace_id = $1 AND seq > $2 ORDER BY seq",
    )
    .bind(workspace_id.get())
    .bind(cursor.0)
    .fetch_all(read)
    .await?;
    let next = match rows.last() {
        Some(r) => ChangeCursor(r.int("seq")?),
        None => cursor,
    };
    Ok((rows, next))
}

/// The stamp of a transaction writing `table`: its highest `change_seq` plus one. The
/// single writer makes the order of stamps the order of commits.
pub(crate) async fn stamp(conn: &mut SqliteConnection, table: &str) -> Result<i64, StoreError> {
    let sql = match table {
        "contacts" => "SELECT COALESCE(MAX(change_seq), 0) + 1 AS stamp FROM contacts",
        "identity_links" => "SELECT COALESCE(MAX(change_seq), 0) + 1 AS stamp FROM identity_links",
        "invitations" => "SELECT COALESCE(MAX(change_seq), 0) + 1 AS stamp FROM invitations",
        other => return Err(anyhow::anyhow!("no feed stamp for table {other}").into()),
    };
    sqlx::query(sql).fetch_one(&mut *conn).await?.int("stamp")
}

/// The highest event `seq` and stamps: every later write has a higher one.
pub(crate) async fn customer_feed_head(read: &SqlitePool) -> Result<CustomerCursor, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events) AS events, \
         (SELECT COALESCE(MAX(change_seq), 0) FROM contacts) AS contacts, \
         (SELECT COALESCE(MAX(change_seq), 0) FROM identity_links) AS links, \
         (SELECT COALESCE(MAX(change_seq), 0) FROM invitations) AS invitations",
    )
    .fetch_one(read)
    .await?;
    Ok(CustomerCursor {
        events: row.int("events")?,
        contacts: row.int("contacts")?,
        links: row.int("links")?,
        invitations: row.int("invitations")?,
    })
}

/// Rows of `select` whose `marker` column lies in `(since, head]`, ordered by `order`
/// after `after`: exactly the rows committed between the two cursors.
pub(crate) async fn feed_rows(
    read: &SqlitePool,
    feed: &FeedRead<'_>,
) -> Result<Vec<SqliteRow>, StoreError> {
    let FeedRead {
        select,
        marker,
        order,
        workspace_id,
        since,
        head,
        after,
        limit,
    } = *feed;
    let mut q = sqlx::QueryBuilder::<Sqlite>::new("");
    for piece in select {
        q.push(piece);
    }
    // Which index serves the read: events by their primary key (`seq`) always; other
    // tables by their workspace index in key order for a first read (everything), and
    // by the `change_seq` index after that (a few rows, then sorted). A unary `+` keeps
    // SQLite from using an index on the workspace column, which it would otherwise pick
    // and then sort the whole workspace for every page.
    let workspace = if order == "seq" || since > 0 {
        " WHERE +workspace_id = "
    } else {
        " WHERE workspace_id = "
    };
    q.push(workspace).push_bind(workspace_id.get());
    if marker == order {
        // One lower bound: with two (`seq > since AND seq > after`) SQLite ranges over
        // one and filters by the other, and may scan from the start for every page.
        let after = after.parse::<i64>().unwrap_or(0).max(since);
        q.push(format_args!(" AND {marker} > ")).push_bind(after);
        q.push(format_args!(" AND {marker} <= ")).push_bind(head);
    } else {
        q.push(format_args!(" AND {marker} > ")).push_bind(since);
        q.push(format_args!(" AND {marker} <= ")).push_bind(head);
        push_after(&mut q, order, after);
    }
    q.push(format_args!(" ORDER BY {order} LIMIT "))
        .push_bind(limit);
    Ok(q.build().fetch_all(read).await?)
}

/// `AND order > after`, with `after` bound as a number where `order` is `seq`: SQLite
/// orders every number before every text, so a text bound would match nothing.
pub(crate) fn push_after<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    order: &str,
    after: &str,
) where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(format_args!(" AND {order} > "));
    if order == "seq" {
        q.push_bind(after.parse::<i64>().unwrap_or(0));
    } else {
        q.push_bind(after.to_string());
    }
}
