//! The contacts CSV import's report on the wire.

use puls_app::contacts_import::{ImportReport, RowError};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = RowError)]
pub struct RowErrorDto {
    /// The line of the file the row starts on (1 is the header).
    pub line: u64,
    /// The column as the header names it; none for problems of the whole row.
    pub column: Option<String>,
    /// Stable snake_case code: `invalid_email`, `invalid_phone`, `unknown_locale`,
    /// `not_one_of`, `invalid_timestamp`, `too_long`, `invalid_utf8`, `wrong_field_count`,
    /// `missing_id`, `conflict`, `invalid_contact`...
    pub code: String,
    pub message: String,
}

/// What an import did. Everything counts the rows of committed batches only: after a fatal
/// error, the rows of the batch that failed are neither counted nor reported.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
#[schema(as = ImportReport)]
pub struct ImportReportDto {
    /// Data rows read (the header and rows with every cell empty are not counted).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Bad rows, left out; each has at least one entry in `errors`.
    pub rejected: u64,
    /// The first problems, in line order (see `errors_truncated`).
    pub errors: Vec<RowErrorDto>,
    /// Every problem found, including those not kept in `errors`.
    pub error_count: u64,
    pub errors_truncated: bool,
    /// Whether the whole file was read; false after a fatal error.
    pub completed: bool,
    /// Why the import stopped, when it did.
    pub fatal: Option<String>,
    /// Rows stored (created, updated or unchanged).
    pub committed_rows: u64,
    /// The line on which the last row of the last committed batch starts: every row up to
    /// it is stored or reported. None when no batch was committed.
    pub last_committed_line: Option<u64>,
}

impl From<&RowError> for RowErrorDto {
    fn from(e: &RowError) -> Self {
        RowErrorDto {
            line: e.line,
            column: e.column.clone(),
            code: e.code.clone(),
            message: e.message.clone(),
        }
    }
}

impl From<&ImportReport> for ImportReportDto {
    fn from(r: &ImportReport) -> Self {
        ImportReportDto {
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r.rejected,
            errors: r.errors.iter().map(RowErrorDto::from).collect(),
            error_count: r.error_count,
            errors_truncated: r.errors_truncated,
            completed: r.completed,
            fatal: r.fatal.clone(),
            committed_rows: r.committed_rows,
            last_committed_line: r.last_committed_line,
        }
    }
}
