//! The seam between the SQL and the two backends: one [`SqlStore`] over an enum of pools,
//! and [`on!`], which runs one piece of ordinary Rust on whichever backend it holds.
//!
//! Why this shape: the SQL is written once, as string literals in ordinary functions that
//! rustfmt, rust-analyzer and clippy read like any other code. `on!(x, |c| body)` expands to
//! a `match` on a [`Db`] with one arm per backend and the same `body` in both, so the body is
//! type-checked against each concrete pool, connection or row type and sqlx keeps its own
//! encoding and statement cache per driver. The alternatives cost more: generics over
//! `sqlx::Database` need a where clause naming every `Encode`, `Decode` and `Executor` bound
//! on every function, and sqlx's `Any` driver converts every value and blurs types. Both
//! arms must give the same type, so rows become records inside the body, through the
//! `*_from_row` functions, written once: they read columns by name through [`RowExt`], which
//! every sqlx row has. What differs between the backends (taking locks, the change feeds,
//! migrations, connecting) is a plain `match` here, over functions of `sqlite.rs` and
//! `postgres.rs`.

use std::collections::BTreeMap;
use std::ops::DerefMut;
use std::sync::atomic::{AtomicU64, Ordering};

use puls_core::WorkspaceId;

use sqlx::pool::PoolConnection;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{
    ColumnIndex, Decode, PgConnection, PgPool, Postgres, Row, Sqlite, SqliteConnection, SqlitePool,
    Transaction, Type,
};

use crate::error::StoreError;
use crate::model::ChangeCursor;
use crate::{CustomerCursor, postgres, sqlite};

/// One value per backend: pools, connections, transactions or rows of SQLite or PostgreSQL.
pub(crate) enum Db<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// `on!(x, |c| body)`: `body` with `c` bound to what the [`Db`] `x` holds, on either backend.
/// A `match` with the body repeated in each arm, so that it type-checks against each
/// concrete type; both arms must give the same type. `?` and `.await` in the body act on
/// the enclosing function (it is not a closure, only written like one for rustfmt).
macro_rules! on {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($c) => $body,
            $crate::db::Db::Postgres($c) => $body,
        }
    };
}

pub(crate) use on;

/// A pool to run statements on.
pub(crate) type PoolRef<'a> = Db<&'a SqlitePool, &'a PgPool>;
/// A connection to run statements on, in a transaction or not.
pub(crate) type Conn<'a> = Db<&'a mut SqliteConnection, &'a mut PgConnection>;
/// A transaction; rolled back when dropped without [`Tx::commit`].
pub(crate) type Tx = Db<Transaction<'static, Sqlite>, Transaction<'static, Postgres>>;
/// A connection taken from a pool for several statements.
pub(crate) type Pooled = Db<PoolConnection<Sqlite>, PoolConnection<Postgres>>;
/// Rows a backend function read; turned into records with `on!`.
pub(crate) type Rows = Db<Vec<SqliteRow>, Vec<PgRow>>;

/// The connections of each backend.
pub(crate) enum Pools {
    /// Readers share a pool; every write goes through a one-connection pool, because SQLite
    /// allows one writer at a time anyway.
    Sqlite { read: SqlitePool, write: SqlitePool },
    /// One pool serves reads and writes.
    Postgres(PgPool),
}

/// The store of both backends: `impl Store` (`sql.rs`), `impl CustomerStore`
/// (`customers_sql.rs`) and `impl UserStore` (`users_sql.rs`) are written once, over
/// [`on!`].
pub(crate) struct SqlStore {
    pools: Pools,
    writer_tasks: usize,
}

impl SqlStore {
    pub(crate) fn new(pools: Pools, writer_tasks: usize) -> Self {
        SqlStore {
            pools,
            writer_tasks,
        }
    }

    /// `sqlite` or `postgres`.
    pub(crate) fn backend_name(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite { .. } => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }

    /// How many response-writer tasks suit the backend.
    pub(crate) fn writer_task_count(&self) -> usize {
        self.writer_tasks
    }

    /// The pool for reads.
    pub(crate) fn read(&self) -> PoolRef<'_> {
        match &self.pools {
            Pools::Sqlite { read, .. } => Db::Sqlite(read),
            Pools::Postgres(pool) => Db::Postgres(pool),
        }
    }

    /// The pool for writes.
    pub(crate) fn write(&self) -> PoolRef<'_> {
        match &self.pools {
            Pools::Sqlite { write, .. } => Db::Sqlite(write),
            Pools::Postgres(pool) => Db::Postgres(pool),
        }
    }

    /// The transaction of `write_batch`, which decides whether each survey takes a response:
    /// the two databases differ in taking locks. SQLite: `BEGIN IMMEDIATE` takes the one
    /// write lock at the start. PostgreSQL: `BEGIN`, and the survey rows are read `FOR SHARE`.
    pub(crate) async fn begin_batch(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => Db::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres(pool) => Db::Postgres(pool.begin_with("BEGIN").await?),
        })
    }

    /// Applies pending migrations; each backend has its own folder of them.
    pub(crate) async fn run_migrations(&self) -> Result<(), StoreError> {
        match &self.pools {
            Pools::Sqlite { write, .. } => sqlite::migrator().run(write).await?,
            Pools::Postgres(pool) => postgres::migrator().run(pool).await?,
        }
        Ok(())
    }

    /// Whether `write_batch` logs each stored or updated response in `response_changes`.
    pub(crate) fn logs_response_changes(&self) -> bool {
        match self.pools {
            Pools::Sqlite { .. } => sqlite::LOGS_RESPONSE_CHANGES,
            Pools::Postgres(_) => postgres::LOGS_RESPONSE_CHANGES,
        }
    }

    /// The SQL expression of an event's place in the customer feed (read as `marker`).
    pub(crate) fn event_marker(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite { .. } => sqlite::EVENT_MARKER,
            Pools::Postgres(_) => postgres::EVENT_MARKER,
        }
    }

    /// The workspace column of `events` as a scan by `seq` names it.
    pub(crate) fn scan_workspace(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite { .. } => sqlite::SCAN_WORKSPACE,
            Pools::Postgres(_) => postgres::SCAN_WORKSPACE,
        }
    }

    /// Where the response change feed stands now.
    pub(crate) async fn feed_head(&self) -> Result<ChangeCursor, StoreError> {
        match self.read() {
            Db::Sqlite(pool) => sqlite::feed_head(pool).await,
            Db::Postgres(pool) => postgres::feed_head(pool).await,
        }
    }

    /// The response changes after `cursor` (rows with `survey_id`, `response_id` and
    /// `kind`), and the cursor to read from next.
    pub(crate) async fn feed_since(
        &self,
        workspace_id: WorkspaceId,
        cursor: ChangeCursor,
    ) -> Result<(Rows, ChangeCursor), StoreError> {
        Ok(match self.read() {
            Db::Sqlite(pool) => {
                let (rows, next) = sqlite::feed_since(pool, workspace_id, cursor).await?;
                (Db::Sqlite(rows), next)
            }
            Db::Postgres(pool) => {
                let (rows, next) = postgres::feed_since(pool, workspace_id, cursor).await?;
                (Db::Postgres(rows), next)
            }
        })
    }

    /// Where the customer feed stands now.
    pub(crate) async fn customer_feed_head(&self) -> Result<CustomerCursor, StoreError> {
        match self.read() {
            Db::Sqlite(pool) => sqlite::customer_feed_head(pool).await,
            Db::Postgres(pool) => postgres::customer_feed_head(pool).await,
        }
    }

    /// One page of a customer feed table.
    pub(crate) async fn feed_rows(&self, feed: &FeedRead<'_>) -> Result<Rows, StoreError> {
        Ok(match self.read() {
            Db::Sqlite(pool) => Db::Sqlite(sqlite::feed_rows(pool, feed).await?),
            Db::Postgres(pool) => Db::Postgres(postgres::feed_rows(pool, feed).await?),
        })
    }
}

/// The customer feed stamp of a transaction writing `table` (`contacts`, `identity_links`
/// or `invitations`), stored in the rows' `change_seq`.
pub(crate) async fn stamp(conn: Conn<'_>, table: &str) -> Result<i64, StoreError> {
    match conn {
        Db::Sqlite(c) => sqlite::stamp(c, table).await,
        Db::Postgres(_) => Ok(postgres::STAMP),
    }
}

/// A page of one table of the customer feed: the rows of `select` written since `since`
/// (up to `head` where the backend can bound it), ordered by `order` after `after`.
pub(crate) struct FeedRead<'a> {
    /// `SELECT ... FROM table `, in pieces pushed one after the other.
    pub select: &'a [&'a str],
    /// The column that places a row in the feed on SQLite (`seq` or `change_seq`).
    pub marker: &'a str,
    /// The column the page is ordered and continued by.
    pub order: &'a str,
    pub workspace_id: WorkspaceId,
    pub since: i64,
    pub head: i64,
    /// The last `order` value of the page before (a number where `order` is `seq`).
    pub after: &'a str,
    pub limit: i64,
}

impl PoolRef<'_> {
    /// Starts a transaction (`BEGIN`).
    pub(crate) async fn begin(self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Db::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Db::Postgres(pool.begin().await?),
        })
    }

    /// Takes a connection from the pool.
    pub(crate) async fn acquire(self) -> Result<Pooled, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Db::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Db::Postgres(pool.acquire().await?),
        })
    }
}

impl<S, P> Db<S, P>
where
    S: DerefMut<Target = SqliteConnection>,
    P: DerefMut<Target = PgConnection>,
{
    /// The connection of a transaction, a pooled connection or a [`Conn`], borrowed for a
    /// call or a statement.
    pub(crate) fn as_conn(&mut self) -> Conn<'_> {
        match self {
            Db::Sqlite(c) => Db::Sqlite(&mut **c),
            Db::Postgres(c) => Db::Postgres(&mut **c),
        }
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        on!(self, |tx| tx.commit().await?);
        Ok(())
    }
}

/// Stored values read back that could not be parsed, since the process started.
static CORRUPT: AtomicU64 = AtomicU64::new(0);

/// How many stored values could not be read back since the process started (each was
/// logged and failed its read).
pub fn corrupt_rows() -> u64 {
    CORRUPT.load(Ordering::Relaxed)
}

/// The one policy for a stored value that cannot be read back: logged, counted, and an
/// error for the read; never turned into an empty value.
pub(crate) fn corrupt(column: &str, reason: impl std::fmt::Display) -> StoreError {
    CORRUPT.fetch_add(1, Ordering::Relaxed);
    let reason = reason.to_string();
    tracing::error!(column, %reason, "a stored value cannot be read back");
    StoreError::Corrupt {
        column: column.to_string(),
        reason,
    }
}

/// Reading a column by name from a row of either backend, typed.
pub(crate) trait RowExt {
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError>;
    fn bool(&self, column: &str) -> Result<bool, StoreError>;
    /// A text column lent to `read` without a copy (ids and JSON are parsed from it).
    fn read_text<T>(
        &self,
        column: &str,
        read: impl FnOnce(Option<&str>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError>;

    fn workspace(&self, column: &str) -> Result<WorkspaceId, StoreError> {
        Ok(WorkspaceId::new(self.int(column)?))
    }

    /// A text column parsed into a core type (an id, say).
    fn parsed<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        self.with_text(column, |t| {
            parse(t).map_err(|e| corrupt(column, format!("'{t}': {e}")))
        })
    }

    /// A text column that must not be NULL lent to `read`; NULL is a corrupt row.
    fn with_text<T>(
        &self,
        column: &str,
        read: impl FnOnce(&str) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.read_text(column, |t| match t {
            Some(t) => read(t),
            None => Err(corrupt(column, "NULL where a value belongs")),
        })
    }

    fn opt_parsed<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        self.read_text(column, |text| {
            text.map(|t| parse(t).map_err(|e| corrupt(column, format!("'{t}': {e}"))))
                .transpose()
        })
    }

    /// A JSON object column ([`crate::json::read_object`]).
    fn object(&self, column: &str) -> Result<crate::json::JsonMap, StoreError> {
        self.with_text(column, |t| crate::json::read_object(column, t))
    }

    /// A JSON object-of-strings column ([`crate::json::read_strings`]).
    fn strings(&self, column: &str) -> Result<BTreeMap<String, String>, StoreError> {
        self.with_text(column, |t| crate::json::read_strings(column, t))
    }

    /// A JSON column of any value ([`crate::json::read_value`]).
    fn json(&self, column: &str) -> Result<puls_core::Value, StoreError> {
        self.with_text(column, |t| crate::json::read_value(column, t))
    }
}

impl<R> RowExt for R
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
{
    fn read_text<T>(
        &self,
        column: &str,
        read: impl FnOnce(Option<&str>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        read(self.try_get::<Option<&str>, _>(column)?)
    }

    fn text(&self, column: &str) -> Result<String, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn int(&self, column: &str) -> Result<i64, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn bool(&self, column: &str) -> Result<bool, StoreError> {
        Ok(self.try_get(column)?)
    }
}
