//! The JSON API's contract, shared by the HTTP edge (`puls-http`) and the CLI's JSON output:
//! wire types converted by hand from the application's outputs, query and body types that
//! parse themselves and describe themselves in the OpenAPI document, the streamed export
//! formats, and the one list of error codes ([`ErrorCode`]).
//!
//! No HTTP server here (no axum, hyper or tower): only the shapes of what goes over it.

pub mod analytics;
pub mod contacts;
pub mod document;
pub mod error;
pub mod export;
pub mod import;
pub mod journeys;
pub mod query;
pub mod reports;
pub mod segments;
pub mod surveys;
pub mod time;

use puls_app::AppError;

pub use document::parse_document;
pub use error::{ErrorBody, ErrorCode, ErrorDetail, ErrorInfo, Problem};
pub use time::{format_ms, parse_time};

/// A list cursor that is an id this API gave (a ULID, as response and contact ids are);
/// anything else is an [`AppError::InvalidCursor`].
pub fn id_cursor(cursor: Option<&str>) -> Result<Option<String>, AppError> {
    cursor
        .map(|c| {
            ulid::Ulid::from_string(c)
                .map(|u| u.to_string())
                .map_err(|_| AppError::InvalidCursor)
        })
        .transpose()
}
