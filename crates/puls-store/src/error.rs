//! The storage error type.

/// What can go wrong in storage. Callers' mistakes are not here: those are caught earlier.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme '{0}': use sqlite:// or postgres://")]
    UnsupportedUrl(String),
    #[error("a workspace with slug '{0}' does not exist")]
    UnknownWorkspace(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the response writer has stopped")]
    WriterGone,
    /// A stored value that cannot be read back (edited by hand, or written by a bug): the
    /// read fails, is logged and counted ([`crate::corrupt_rows`]); it never reads as empty.
    #[error("corrupt stored value in column {column}: {reason}")]
    Corrupt { column: String, reason: String },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}
