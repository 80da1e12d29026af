//! CSV import of contacts: streamed from any reader in constant memory, one transaction per
//! batch, bad rows reported with their line numbers while the good ones are kept.
//!
//! The file is UTF-8 (a BOM is skipped) with a header row, separated by commas, or by
//! semicolons when the header line has semicolons and no comma (as Polish and Czech Excel
//! exports are). Columns, by header name:
//!
//! - `external_id`, `email`, `phone`, `name`, `locale` (case-insensitive): the contact's own
//!   fields. Every row needs an external id or an email; it is looked up by the external id,
//!   else by the email, and created when not found.
//! - `consent:PURPOSE`: `true`/`false`, `yes`/`no`, `1`/`0`, `tak`/`nie`, `ano`/`ne`; given
//!   at the import's time, or at the RFC 3339 time of a `consent:PURPOSE:at` column.
//! - anything else is an attribute, typed in the header (`orders:number`, `vip:bool`,
//!   `signup:date`, `zip:text`) or inferred from each value.
//!
//! An empty cell changes nothing; a row whose cells are all empty is skipped. A header
//! problem stops the import before anything is written ([`ImportError`]).
//!
//! The reader runs on a blocking thread and hands batches over a bounded channel to
//! [`import_csv`], which writes each with [`puls_store::CustomerStore::upsert_contacts`]:
//! one transaction per batch. So a fatal error (the input breaks off, the database fails)
//! loses at most the batch in flight, which is rolled back whole; the report then says up
//! to which line the file is stored, and running the same file again finishes the job
//! (rows are upserts, so the stored part comes out `unchanged`).

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::sync::Arc;

use puls_core::FieldErrorKind as K;
use puls_core::WorkspaceId;
use puls_core::attribute::{AttributeKey, AttributeType, AttributeValue};
use puls_core::contact::{
    Change, ConsentPurpose, ContactPatch, Email, ExternalId, Phone, parse_name,
};
use puls_core::{Locale, instant};
use puls_store::{
    ContactChange, ContactFields, ContactLookup, ContactOutcome, ContactUpsert, Store, StoreError,
};
use tokio::sync::mpsc;

use crate::contact_fields::{contact_of, fields_of};

/// Rows per transaction unless told otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 1000;
/// Bad-row entries a report keeps unless told otherwise (all are counted).
pub const DEFAULT_MAX_ERRORS: usize = 1000;
/// Longest header line read to choose the separator.
const MAX_HEADER_LINE: u64 = 1 << 20;
/// Longest record: beyond it a quote was most likely left open, and reading on would hold
/// the rest of the file in memory as one field.
const MAX_RECORD_BYTES: usize = 16 << 20;
/// Batches read ahead of the database: the reader parses the next batch while one is
/// written, and memory stays a few batches whatever the file's size.
const BATCHES_AHEAD: usize = 2;
/// The words a consent cell may hold.
const CONSENT_WORDS: &str = "true, false, yes, no, 1, 0, tak, nie, ano, ne";

/// How to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Rows per batch, and so per transaction (at least 1).
    pub batch_size: usize,
    /// How many bad-row entries the report keeps.
    pub max_errors: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: DEFAULT_BATCH_SIZE,
            max_errors: DEFAULT_MAX_ERRORS,
        }
    }
}

/// Where an import stands, after each committed batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the input taken in by committed batches.
    pub bytes: u64,
    /// Rows taken in by committed batches, good and bad.
    pub rows: u64,
    pub rejected: u64,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Data rows read (the header and rows with every cell empty are not counted).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Bad rows, left out; each has at least one entry in `errors`.
    pub rejected: u64,
    /// The first problems, in line order (see `errors_truncated`).
    pub errors: Vec<RowError>,
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

/// Why an import did not start; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The header row is missing or unusable.
    #[error("{message}")]
    Header {
        /// The column as written, when one column is at fault.
        column: Option<String>,
        message: String,
    },
    /// The input broke off before its header was read.
    #[error("reading the header: {0}")]
    Read(#[source] io::Error),
}

fn header_error(column: Option<&str>, message: String) -> ImportError {
    ImportError::Header {
        column: column.map(str::to_string),
        message,
    }
}

/// Imports contacts from CSV into a workspace (see the module documentation for the
/// format). `progress` is called after each committed batch.
///
/// Returns an error only when nothing was written (a bad header); a fatal error later gives
/// a report with `completed: false` and the reason in `fatal`.
pub async fn import_csv(
    store: Arc<dyn Store>,
    workspace_id: WorkspaceId,
    input: impl Read + Send + 'static,
    options: ImportOptions,
    progress: impl Fn(Progress) + Send + Sync + 'static,
) -> Result<ImportReport, ImportError> {
    let batch_size = options.batch_size.max(1);
    // Every consent of the file is given at one instant, so a re-run changes nothing.
    let now = puls_store::now_ms();
    let (tx, mut rx) = mpsc::channel::<Batch>(BATCHES_AHEAD);
    let reader = tokio::task::spawn_blocking(move || read_batches(input, batch_size, now, &tx));

    let mut report = ImportReport::default();
    while let Some(batch) = rx.recv().await {
        let (first_line, end_byte) = (batch.first_line, batch.end_byte);
        if let Err(e) = apply(
            &*store,
            workspace_id,
            batch,
            &mut report,
            options.max_errors,
        )
        .await
        {
            tracing::error!(
                error = ?anyhow::Error::new(e),
                workspace = workspace_id.get(),
                first_line,
                "contact import: storing a batch failed"
            );
            // Dropping the receiver stops the reader at its next batch.
            report.fatal = Some(format!(
                "the database failed while storing the batch starting on line {first_line}; \
                 that batch was rolled back whole"
            ));
            return Ok(report);
        }
        progress(Progress {
            bytes: end_byte,
            rows: report.rows,
            rejected: report.rejected,
        });
    }
    match reader.await {
        Ok(Ok(())) => report.completed = true,
        Ok(Err(Stop::Header(e))) => return Err(e),
        Ok(Err(Stop::Input(message))) => report.fatal = Some(message),
        // The receiver lives until here, so the reader cannot have lost it.
        Ok(Err(Stop::Closed)) => report.fatal = Some("the import was cancelled".into()),
        Err(e) => {
            tracing::error!(
                error = %e,
                workspace = workspace_id.get(),
                "contact import: the CSV reader failed"
            );
            report.fatal = Some("the CSV reader stopped unexpectedly".into());
        }
    }
    Ok(report)
}

/// Rows read and parsed, ready to be written in one transaction.
struct Batch {
    ops: Vec<ContactUpsert>,
    /// The line of each op.
    op_lines: Vec<u64>,
    /// Problems found while reading, in line order.
    errors: Vec<RowError>,
    rows: u64,
    rejected: u64,
    first_line: u64,
    last_line: u64,
    /// Byte offset in the input after the batch's last row.
    end_byte: u64,
    /// How the header names the id columns, for conflicts the store finds.
    id_columns: Arc<IdColumns>,
}

/// The header's names of the columns a conflict can be about.
struct IdColumns {
    external_id: String,
    email: String,
}

impl Batch {
    fn new(id_columns: Arc<IdColumns>) -> Self {
        Batch {
            id_columns,
            ops: Vec::new(),
            op_lines: Vec::new(),
            errors: Vec::new(),
            rows: 0,
            rejected: 0,
            first_line: 0,
            last_line: 0,
            end_byte: 0,
        }
    }
}

/// Writes one batch and adds its outcome to the report; an error leaves the report as it
/// was (the batch's transaction is rolled back).
async fn apply(
    store: &dyn Store,
    workspace_id: WorkspaceId,
    batch: Batch,
    report: &mut ImportReport,
    max_errors: usize,
) -> Result<(), StoreError> {
    let outcomes = match batch.ops.is_empty() {
        true => Vec::new(),
        false => store.upsert_contacts(workspace_id, &batch.ops).await?,
    };
    let mut errors = batch.errors;
    let mut rejected = batch.rejected;
    for (outcome, &line) in outcomes.iter().zip(&batch.op_lines) {
        let problem = match outcome {
            ContactOutcome::Created(_) => {
                report.created += 1;
                None
            }
            ContactOutcome::Updated(_) => {
                report.updated += 1;
                None
            }
            ContactOutcome::Unchanged(_) => {
                report.unchanged += 1;
                None
            }
            ContactOutcome::Conflict { field, other } => {
                let column = match *field {
                    "email" => &batch.id_columns.email,
                    _ => &batch.id_columns.external_id,
                };
                Some((
                    Some(column.clone()),
                    "conflict",
                    format!("{column} belongs to another contact ({other})"),
                ))
            }
            ContactOutcome::Invalid(m) => Some((None, "invalid_contact", m.clone())),
            ContactOutcome::NotFound | ContactOutcome::Repeated => Some((
                None,
                "invalid_contact",
                "the contact could not be stored".to_string(),
            )),
        };
        if let Some((column, code, message)) = problem {
            rejected += 1;
            errors.push(RowError {
                line,
                column,
                code: code.to_string(),
                message,
            });
        }
    }
    // Reading problems and store outcomes of one batch, merged into line order.
    errors.sort_by_key(|e| e.line);
    report.rows += batch.rows;
    report.rejected += rejected;
    report.error_count += errors.len() as u64;
    for e in errors {
        if report.errors.len() < max_errors {
            report.errors.push(e);
        } else {
            report.errors_truncated = true;
        }
    }
    report.committed_rows = report.created + report.updated + report.unchanged;
    report.last_committed_line = Some(batch.last_line);
    Ok(())
}

/// Why the reader stopped early.
enum Stop {
    Header(ImportError),
    /// The input broke off after the header (the message says where).
    Input(String),
    /// The receiving side is gone.
    Closed,
}

/// Reads the header and then every row, sending batches of `batch_size` rows. Runs on a
/// blocking thread. A batch in progress when the input breaks off is dropped unsent.
fn read_batches(
    input: impl Read,
    batch_size: usize,
    now: i64,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), Stop> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut first = Vec::new();
    (&mut input)
        .take(MAX_HEADER_LINE)
        .read_until(b'\n', &mut first)
        .map_err(|e| Stop::Header(ImportError::Read(e)))?;
    if first.len() as u64 == MAX_HEADER_LINE && !first.ends_with(b"\n") {
        return Err(Stop::Header(header_error(
            None,
            format!("the first line is longer than {MAX_HEADER_LINE} bytes; is this a CSV file?"),
        )));
    }
    let bom = if first.starts_with(b"\xEF\xBB\xBF") {
        first.drain(..3);
        3
    } else {
        0
    };
    let delimiter = if !first.contains(&b',') && first.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Lines::new(Cursor::new(first).chain(input)));
    let mut record = csv::ByteRecord::new();

    let got = csv
        .read_byte_record(&mut record)
        .map_err(|e| Stop::Header(ImportError::Read(into_io(e))))?;
    if !got {
        return Err(Stop::Header(header_error(
            None,
            "the file is empty; its first line must name the columns".into(),
        )));
    }
    let header = Header::parse(&record).map_err(Stop::Header)?;
    let next = csv.position().byte();
    csv.get_mut().advance(next);
    let id_columns = Arc::new(header.id_columns());

    let mut batch = Batch::new(id_columns.clone());
    loop {
        let at = csv.position().byte();
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Stop::Input(format!(
                    "reading the input failed on line {}: {}",
                    csv.get_ref().line_of(at),
                    into_io(e)
                )));
            }
        }
        let start = record.position().map_or(0, |p| p.byte());
        let line = csv.get_ref().line_of(start);
        let next = csv.position().byte();
        csv.get_mut().advance(next);
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if batch.rows == 0 {
            batch.first_line = line;
        }
        batch.rows += 1;
        batch.last_line = line;
        batch.end_byte = next + bom;
        match header.row(&record, line, now) {
            Ok(op) => {
                batch.ops.push(op);
                batch.op_lines.push(line);
            }
            Err(errors) => {
                batch.rejected += 1;
                batch.errors.extend(errors);
            }
        }
        if batch.rows as usize >= batch_size {
            let full = std::mem::replace(&mut batch, Batch::new(id_columns.clone()));
            tx.blocking_send(full).map_err(|_| Stop::Closed)?;
        }
    }
    if batch.rows > 0 {
        tx.blocking_send(batch).map_err(|_| Stop::Closed)?;
    }
    Ok(())
}

fn into_io(e: csv::Error) -> io::Error {
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        _ => io::Error::other(message),
    }
}

/// The input under the CSV reader. It keeps the bytes from the start of the current record,
/// so that a record's first line is counted exactly: the csv crate's own positions count a
/// CRLF's `\n` and skipped blank lines into the next record. It also caps a record's size.
struct Lines<R> {
    inner: R,
    /// Bytes from `start` on.
    window: VecDeque<u8>,
    /// The offset of the window's first byte, and the line it is on.
    start: u64,
    start_line: u64,
}

impl<R> Lines<R> {
    fn new(inner: R) -> Self {
        Lines {
            inner,
            window: VecDeque::new(),
            start: 0,
            start_line: 1,
        }
    }

    /// The line on which a record whose bytes begin at `at` starts, past the line ends
    /// before it (the rest of a CRLF, blank lines).
    fn line_of(&self, at: u64) -> u64 {
        let skip = usize::try_from(at.saturating_sub(self.start)).unwrap_or(usize::MAX);
        let skip = skip.min(self.window.len());
        let mut line = self.start_line + newlines(self.window.range(..skip));
        for &b in self.window.range(skip..) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
        }
        line
    }

    /// Forgets the bytes before `to` (the start of the next record).
    fn advance(&mut self, to: u64) {
        let n = usize::try_from(to.saturating_sub(self.start)).unwrap_or(usize::MAX);
        let n = n.min(self.window.len());
        self.start_line += newlines(self.window.range(..n));
        self.window.drain(..n);
        self.start += n as u64;
    }
}

fn newlines<'a>(bytes: impl Iterator<Item = &'a u8>) -> u64 {
    bytes.filter(|&&b| b == b'\n').count() as u64
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.window.len() > MAX_RECORD_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the row starting on line {} is longer than {} MiB; is a quote left open?",
                    self.line_of(self.start),
                    MAX_RECORD_BYTES >> 20
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.window.extend(&buf[..n]);
        Ok(n)
    }
}

/// What a column holds.
enum Column {
    ExternalId,
    Email,
    Phone,
    Name,
    Locale,
    /// With the index of its `consent:PURPOSE:at` column.
    Consent {
        purpose: ConsentPurpose,
        at: Option<usize>,
    },
    /// Read with its consent column.
    ConsentAt,
    Attribute {
        key: AttributeKey,
        ty: Option<AttributeType>,
    },
}

/// The parsed header row.
struct Header {
    /// Each column's name as written (trimmed) and what it holds.
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Header {
    fn parse(record: &csv::ByteRecord) -> Result<Header, ImportError> {
        let mut names = Vec::with_capacity(record.len());
        let mut columns = Vec::with_capacity(record.len());
        // What each column sets, so two columns cannot set the same thing.
        let mut targets: HashMap<String, usize> = HashMap::new();
        let mut at_columns: Vec<(ConsentPurpose, usize)> = Vec::new();
        for (i, raw) in record.iter().enumerate() {
            let name = std::str::from_utf8(raw)
                .map_err(|_| header_error(None, format!("column {} is not UTF-8", i + 1)))?
                .trim()
                .to_string();
            if name.is_empty() {
                return Err(header_error(
                    None,
                    format!("column {} has no name; name it or remove it", i + 1),
                ));
            }
            let lower = name.to_ascii_lowercase();
            let (target, column) = match lower.as_str() {
                "external_id" => (lower.clone(), Column::ExternalId),
                "email" => (lower.clone(), Column::Email),
                "phone" => (lower.clone(), Column::Phone),
                "name" => (lower.clone(), Column::Name),
                "locale" => (lower.clone(), Column::Locale),
                _ if lower.starts_with("consent:") => {
                    let rest = &lower["consent:".len()..];
                    let (purpose, is_at) = match rest.strip_suffix(":at") {
                        Some(p) => (p, true),
                        None => (rest, false),
                    };
                    let purpose = ConsentPurpose::parse(purpose).map_err(|_| {
                        header_error(
                            Some(&name),
                            format!(
                                "column '{name}': '{purpose}' is not a consent purpose (lowercase \
                                 letters, digits, '_' or '-', starting with a letter)"
                            ),
                        )
                    })?;
                    if is_at {
                        at_columns.push((purpose.clone(), i));
                        (format!("consent {purpose} at"), Column::ConsentAt)
                    } else {
                        (
                            format!("consent {purpose}"),
                            Column::Consent { purpose, at: None },
                        )
                    }
                }
                _ => {
                    let (key, ty) = match name.split_once(':') {
                        Some((k, t)) => (k.trim(), Some(t.trim())),
                        None => (name.as_str(), None),
                    };
                    let key = AttributeKey::parse(key).map_err(|e| {
                        header_error(
                            Some(&name),
                            format!("column '{name}': an attribute name {e}"),
                        )
                    })?;
                    let ty = match ty {
                        None => None,
                        Some(t) => Some(AttributeType::parse(&t.to_ascii_lowercase()).ok_or_else(
                            || {
                                header_error(
                                    Some(&name),
                                    format!(
                                        "column '{name}': '{t}' is not a type; use text, number, \
                                         bool or date"
                                    ),
                                )
                            },
                        )?),
                    };
                    (format!("attribute {key}"), Column::Attribute { key, ty })
                }
            };
            if let Some(&first) = targets.get(&target) {
                return Err(header_error(
                    Some(&name),
                    format!(
                        "column '{name}' repeats column {} ('{}')",
                        first + 1,
                        names[first]
                    ),
                ));
            }
            targets.insert(target, i);
            names.push(name);
            columns.push(column);
        }
        for (purpose, i) in at_columns {
            let consent = columns.iter_mut().find_map(|c| match c {
                Column::Consent { purpose: p, at } if *p == purpose => Some(at),
                _ => None,
            });
            match consent {
                Some(at) => *at = Some(i),
                None => {
                    let name = &names[i];
                    return Err(header_error(
                        Some(name),
                        format!("column '{name}' needs a column 'consent:{purpose}' to go with it"),
                    ));
                }
            }
        }
        if !columns
            .iter()
            .any(|c| matches!(c, Column::ExternalId | Column::Email))
        {
            return Err(header_error(
                None,
                "the header needs an 'external_id' or an 'email' column to find contacts by".into(),
            ));
        }
        Ok(Header { names, columns })
    }

    fn id_columns(&self) -> IdColumns {
        let name = |want: fn(&Column) -> bool, default: &str| {
            self.columns
                .iter()
                .position(want)
                .map_or_else(|| default.to_string(), |i| self.names[i].clone())
        };
        IdColumns {
            external_id: name(|c| matches!(c, Column::ExternalId), "external_id"),
            email: name(|c| matches!(c, Column::Email), "email"),
        }
    }

    /// The upsert of one row, or every problem it has.
    fn row(
        &self,
        record: &csv::ByteRecord,
        line: u64,
        now: i64,
    ) -> Result<ContactUpsert, Vec<RowError>> {
        let mut errors = Vec::new();
        if record.len() != self.columns.len() {
            return Err(vec![RowError {
                line,
                column: None,
                code: "wrong_field_count".into(),
                message: format!(
                    "the row has {} fields; the header has {}",
                    record.len(),
                    self.columns.len()
                ),
            }]);
        }
        let problem = |i: usize, code: &str, message: String| RowError {
            line,
            column: Some(self.names[i].clone()),
            code: code.to_string(),
            message,
        };
        let mut cells: Vec<Option<&str>> = Vec::with_capacity(record.len());
        for (i, raw) in record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) if s.trim().is_empty() => cells.push(None),
                Ok(s) => cells.push(Some(s)),
                Err(_) => {
                    errors.push(problem(
                        i,
                        "invalid_utf8",
                        format!("{} is not valid UTF-8", self.names[i]),
                    ));
                    cells.push(None);
                }
            }
        }
        let invalid =
            |i: usize, kind: K| problem(i, kind.code(), format!("{} {kind}", self.names[i]));
        let mut patch = ContactPatch::default();
        for (i, column) in self.columns.iter().enumerate() {
            let Some(cell) = cells[i] else {
                continue;
            };
            let name = &self.names[i];
            let result = match column {
                Column::ExternalId => match ExternalId::parse(cell) {
                    Ok(v) => {
                        patch.external_id = Change::Set(v);
                        Ok(())
                    }
                    // The core's message for this kind is about slugs.
                    Err(K::InvalidId) => Err(problem(
                        i,
                        "invalid_id",
                        format!("{name} must not hold control characters"),
                    )),
                    Err(kind) => Err(invalid(i, kind)),
                },
                Column::Email => Email::parse(cell)
                    .map(|v| patch.email = Change::Set(v))
                    .map_err(|kind| invalid(i, kind)),
                Column::Phone => Phone::parse(cell)
                    .map(|v| patch.phone = Change::Set(v))
                    .map_err(|kind| invalid(i, kind)),
                Column::Name => parse_name(cell)
                    .map(|v| patch.name = Change::Set(v))
                    .map_err(|kind| invalid(i, kind)),
                Column::Locale => Locale::parse(cell.trim())
                    .map(|v| patch.locale = Change::Set(v))
                    .map_err(|kind| {
                        let tag: String = cell.trim().chars().take(32).collect();
                        problem(
                            i,
                            kind.code(),
                            format!("{name} '{tag}' is not a language tag such as pl, cs or pt-BR"),
                        )
                    }),
                Column::Consent { purpose, at } => {
                    let when = match at.and_then(|a| cells[a].map(|s| (a, s))) {
                        None => Ok(now),
                        Some((a, s)) => {
                            instant::parse(s).ok_or_else(|| invalid(a, K::InvalidTimestamp))
                        }
                    };
                    let granted = consent_value(cell).ok_or_else(|| {
                        invalid(
                            i,
                            K::NotOneOf {
                                allowed: CONSENT_WORDS.into(),
                            },
                        )
                    });
                    match (granted, when) {
                        (Ok(granted), Ok(when)) => {
                            patch.consents.push((purpose.clone(), granted, Some(when)));
                            Ok(())
                        }
                        (Err(e), _) | (_, Err(e)) => Err(e),
                    }
                }
                Column::ConsentAt => Ok(()),
                Column::Attribute { key, ty } => {
                    let value = match ty {
                        Some(ty) => AttributeValue::parse_as(cell, *ty),
                        None => AttributeValue::infer(cell),
                    };
                    match (value, ty) {
                        (Ok(v), _) => {
                            patch.attributes.push((key.clone(), Some(v)));
                            Ok(())
                        }
                        // A value that does not read as the column's declared type.
                        (Err(K::NotOneOf { .. }), Some(ty)) => Err(problem(
                            i,
                            "wrong_type",
                            format!("{name} must be {}", type_words(*ty)),
                        )),
                        (Err(kind), _) => Err(invalid(i, kind)),
                    }
                }
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
        let external_id = match &patch.external_id {
            Change::Set(e) => Some(e.as_str().to_string()),
            _ => None,
        };
        let email = match &patch.email {
            Change::Set(e) => Some(e.as_str().to_string()),
            _ => None,
        };
        let has_id_cell = self
            .columns
            .iter()
            .zip(&cells)
            .any(|(c, cell)| matches!(c, Column::ExternalId | Column::Email) && cell.is_some());
        if !has_id_cell {
            errors.push(RowError {
                line,
                column: None,
                code: "missing_id".into(),
                message: "the row needs an external_id or an email".into(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ContactUpsert {
            lookup: ContactLookup {
                id: None,
                external_id,
                email,
            },
            create: true,
            change: change_of(patch, now),
            message_id: None,
        })
    }
}

fn type_words(ty: AttributeType) -> &'static str {
    match ty {
        AttributeType::Text => "text",
        AttributeType::Number => "a number",
        AttributeType::Bool => "true or false (or yes/no, 1/0)",
        AttributeType::Date => "a date (YYYY-MM-DD or RFC 3339)",
    }
}

fn consent_value(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "tak" | "ano" => Some(true),
        "false" | "no" | "0" | "nie" | "ne" => Some(false),
        _ => None,
    }
}

/// Applies a row's patch to the stored contact inside the store's transaction. A contact
/// the patch does not change keeps its stored text as it is, so it comes out `Unchanged`.
fn change_of(patch: ContactPatch, now: i64) -> ContactChange {
    ContactChange(Arc::new(move |fields: &mut ContactFields| {
        let mut contact = contact_of(fields)?;
        let changed = contact.apply(&patch, now).map_err(|e| {
            e.0.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        if changed {
            *fields = fields_of(&contact);
        }
        Ok(())
    }))
}

impl crate::App {
    /// Imports contacts from CSV into a workspace: [`import_csv`] over this app's store.
    pub async fn import_contacts(
        &self,
        workspace_id: WorkspaceId,
        input: impl Read + Send + 'static,
        options: ImportOptions,
        progress: impl Fn(Progress) + Send + Sync + 'static,
    ) -> Result<ImportReport, ImportError> {
        import_csv(self.store().clone(), workspace_id, input, options, progress).await
    }
}
