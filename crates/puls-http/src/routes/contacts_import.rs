//! `POST /api/v1/contacts/import`: a CSV file of contacts, streamed into the importer.
//!
//! The body is never held whole: it flows through a bounded channel into the blocking CSV
//! reader, so memory stays constant whatever the upload's size. `http.max_body_bytes` does
//! not apply here; `contacts.import_max_bytes` does, counted as the body arrives.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use puls_app::contacts_import::{ImportError, ImportOptions};
use puls_wire::import::ImportReportDto;
use puls_wire::{ErrorBody, ErrorCode};

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_contacts))
        // The app's default limit is for JSON bodies; this route counts its own.
        .route_layer(DefaultBodyLimit::disable())
}

/// Import contacts from a CSV file.
///
/// UTF-8, with a header row; commas, or semicolons when the header has no comma. Columns:
/// `external_id`, `email`, `phone`, `name`, `locale`, `consent:PURPOSE` (true/false,
/// yes/no, 1/0, tak/nie, ano/ne; optionally `consent:PURPOSE:at` with an RFC 3339 time),
/// and any other column as an attribute, optionally typed: `orders:number`, `vip:bool`,
/// `signup:date`, `zip:text`. Each row is upserted by external id, else email; an empty
/// cell changes nothing. Rows are written in transactions of 1,000.
///
/// The answer is 200 with a report also when some rows were bad: they are listed with their
/// line, column and code, and the good rows are stored. When the import stops early
/// (`completed: false`), every row up to `last_committed_line` is stored or reported, and
/// sending the same file again finishes the job.
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts",
    request_body(content = String, content_type = "text/csv",
        description = "The CSV file, streamed"),
    responses((status = 200, description = "The import's report", body = ImportReportDto),
        (status = 400, description = "The header is unusable (`invalid_csv_header`); nothing was written", body = ErrorBody),
        (status = 413, description = "Larger than `contacts.import_max_bytes`", body = ErrorBody),
        (status = 415, description = "Not `text/csv`", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn import_contacts(
    State(st): State<AppState>,
    Auth(ws): Auth,
    req: Request,
) -> Result<Response, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if content_type.as_deref() != Some("text/csv") {
        return Err(ApiError::unsupported("send the file as text/csv"));
    }
    let limit = st.config.contacts.import_max_bytes;
    let too_large = ApiError::too_large(limit);
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large);
    }

    let over = Arc::new(AtomicBool::new(false));
    let mut seen = 0u64;
    let flag = over.clone();
    let body = req.into_body().into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(io::Error::other)?;
        seen += chunk.len() as u64;
        if seen > limit {
            flag.store(true, Ordering::Relaxed);
            return Err(io::Error::other(format!(
                "the body is larger than {limit} bytes"
            )));
        }
        Ok(chunk)
    });
    let input = SyncIoBridge::new(StreamReader::new(body));
    let result = st
        .app
        .import_contacts(ws.id, input, ImportOptions::default(), |_| {})
        .await;

    if over.load(Ordering::Relaxed) {
        let stored = match result.as_ref().ok().and_then(|r| r.last_committed_line) {
            Some(line) => format!("; the rows up to line {line} were imported"),
            None => String::new(),
        };
        return Ok(too_large_after(limit, &stored));
    }
    match result {
        Ok(report) => Ok(Json(ImportReportDto::from(&report)).into_response()),
        Err(ImportError::Header { message, .. }) => {
            Err(ApiError::new(ErrorCode::InvalidCsvHeader, message))
        }
        Err(ImportError::Read(e)) => Err(ApiError::new(
            ErrorCode::UnreadableBody,
            format!("the body could not be read: {e}"),
        )),
    }
}

/// A 413 for a body that went over the limit while it streamed in.
fn too_large_after(limit: u64, stored: &str) -> Response {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("request body is larger than {limit} bytes{stored}"),
    )
    .into_response()
}
