//! The API error: a [`Problem`] (stable code from `puls-wire`'s one list, a message naming
//! the field, details) answered as JSON with its code's status. An internal error keeps its
//! cause, which is logged with its chain and shown to no one.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_app::AppError;
use puls_wire::{ErrorCode, Problem};

/// Everything a JSON handler can fail with.
#[derive(Debug)]
pub struct ApiError {
    pub problem: Problem,
    /// The cause of an internal error, for the log.
    cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            problem: Problem::new(code, message),
            cause: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.problem.status()
    }

    pub fn code(&self) -> ErrorCode {
        self.problem.code
    }

    /// A body larger than `limit` bytes.
    pub fn too_large(limit: impl std::fmt::Display) -> Self {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("request body is larger than {limit} bytes"),
        )
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::UnsupportedMediaType, message)
    }

    pub fn malformed_json(e: impl std::fmt::Display) -> Self {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("body is not valid JSON: {e}"),
        )
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let problem = Problem::from(&e);
        let cause = match e {
            AppError::Internal(cause) => Some(cause),
            _ => None,
        };
        ApiError { problem, cause }
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError {
            problem,
            cause: None,
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(error = ?cause, "internal error");
        }
        (self.status(), Json(self.problem.body())).into_response()
    }
}

/// A JSON body whose shape is not the endpoint's.
pub fn body_error(e: serde_json::Error) -> ApiError {
    ApiError::new(ErrorCode::MalformedJson, format!("body: {e}"))
}
