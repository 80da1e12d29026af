//! The JSON API's contract, shared by the HTTP edge (`puls-http`) and the CLI's JSON output:
//! wire types converted by hand from the application's outputs, query and body types that
//! parse themselves and describe themselves in the OpenAPI document, the streamed export
//! formats, and the one list of error codes ([`ErrorCode`]).
//!
//! No HTTP server here (no axum, hyper or tower): only the shapes of what goes over it.

pub mod analytics;
pub mod body;
pub mod cases;
pub mod contacts;
pub mod distributions;
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
pub mod triggers;
pub mod webhooks;
pub mod xlsx;

use puls_app::AppError;

pub use document::parse_document;
pub use error::{ErrorBody, ErrorCode, ErrorDetail, ErrorInfo, Problem};
pub use time::{format_ms, parse_time};

/// A list cursor: an id this API gave (a response's, a contact's), parsed with `parse`;
/// anything else is an [`AppError::InvalidCursor`].
pub fn id_cursor<T, E>(
    cursor: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, AppError> {
    cursor
        .map(|c| parse(c).map_err(|_| AppError::InvalidCursor))
        .transpose()
}

/// An id from a path: a text that is not an id names nothing, so it is "not found" (the
/// same answer as an id that names nothing).
pub mod path {
    use puls_app::AppError;
    use puls_core::{ContactId, ResponseId, SurveyId};

    pub fn survey(s: &str) -> Result<SurveyId, AppError> {
        SurveyId::parse(s).map_err(|_| AppError::NotFound("survey"))
    }

    pub fn response(s: &str) -> Result<ResponseId, AppError> {
        ResponseId::parse(s).map_err(|_| AppError::NotFound("response"))
    }

    pub fn contact(s: &str) -> Result<ContactId, AppError> {
        ContactId::parse(s).map_err(|_| AppError::NotFound("contact"))
    }
}
