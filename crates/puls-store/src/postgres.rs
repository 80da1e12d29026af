//! The PostgreSQL backend: the production store, shared by any number of `puls` processes.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::{ConnectOptions, CustomerCursor};

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
        let row =
            sqlx::query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS head")
                .fetch_one(&self.read)
                .await?;
        Ok(ChangeCursor(row.int("head")?))
    }

    /// Responses are not logged in `response_changes`: each carries `changed_txid`, the
    /// transaction that last wrote it (set by default on insert, by trigger on update).
    pub(crate) const LOGS_RESPONSE_CHANGES: bool = false;

    /// Responses written, and surveys deleted, by transactions from the cursor's on.
    /// Transaction ids below a snapshot's xmin all belong to finished transactions, so
    /// reading from the previous xmin misses nothing, even a slow transaction that commits
    /// after a later one (and may repeat a few changes, which readers apply idempotently by
    /// reloading). The next cursor is the xmin taken before this read. Responses come
    /// first, then deleted surveys.
    async fn feed_since(
        &self,
        workspace_id: i64,
        cursor: ChangeCursor,
    ) -> Result<(Vec<sqlx::postgres::PgRow>, ChangeCursor), StoreError> {
        let next = self.feed_head().await?;
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

/// What the customer feed needs from PostgreSQL: rows carry the transaction that wrote them.
impl PgStore {
    /// Transaction ids order PostgreSQL's feed; no stamp is needed (the column stays 0).
    pub(crate) async fn stamp(
        _conn: &mut sqlx::PgConnection,
        _table: &str,
        _workspace_id: i64,
    ) -> Result<i64, StoreError> {
        Ok(0)
    }

    /// The oldest running transaction, for all four tables.
    async fn customer_feed_head(&self, _workspace_id: i64) -> Result<CustomerCursor, StoreError> {
        let xmin = self.feed_head().await?.0;
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
    #[allow(clippy::too_many_arguments)]
    async fn feed_rows(
        &self,
        select: &str,
        _marker: &str,
        order: &str,
        workspace_id: i64,
        (since, _head): (i64, i64),
        after: &str,
        limit: i64,
    ) -> Result<Vec<sqlx::postgres::PgRow>, StoreError> {
        let mut q = sqlx::QueryBuilder::<Postgres>::new(select);
        q.push(" WHERE workspace_id = ").push_bind(workspace_id);
        q.push(" AND changed_txid >= ")
            .push_bind(since)
            .push("::bigint::text::xid8");
        crate::sqlite::push_after(&mut q, order, after);
        q.push(format!(" ORDER BY {order} LIMIT ")).push_bind(limit);
        Ok(q.build().fetch_all(&self.read).await?)
    }
}

crate::customers_sql::impl_customer_store!(
    PgStore,
    Postgres,
    "changed_txid::text::bigint",
    "workspace_id"
);
crate::users_sql::impl_user_store!(PgStore, Postgres);
