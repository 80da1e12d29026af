//! Extractors that turn every malformed request into an [`ApiError`] with a stable code,
//! instead of axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use puls_app::AppError;
use puls_store::Workspace;
use puls_wire::ErrorCode;
use puls_wire::body::Body;
use puls_wire::query::QueryPairs;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// The workspace of the request's `Authorization: Bearer KEY`.
pub struct Auth(pub Workspace);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            // The scheme is case-insensitive (RFC 9110, section 11.1): `bearer KEY` is fine.
            .and_then(|v| v.split_once(' '))
            .and_then(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer").then_some(token))
            .map(str::trim)
            .ok_or(AppError::Unauthorized)?;
        Ok(Auth(state.app.authenticate(token).await?))
    }
}

/// Reads the body up to the configured limit.
async fn read_body(req: Request, state: &AppState) -> Result<bytes::Bytes, ApiError> {
    let limit = state.config.http.max_body_bytes;
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::too_large(limit))
}

fn content_type(req: &Request) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A JSON body read by its type ([`Body`]): the content type must be JSON, the text JSON,
/// and the value what `T` takes, each with its own error code.
pub struct Input<T>(pub T);

impl<T: Body> FromRequest<AppState> for Input<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let ct = content_type(&req);
        if ct != "application/json" && !ct.ends_with("+json") {
            return Err(ApiError::unsupported("send the body as application/json"));
        }
        let bytes = read_body(req, state).await?;
        let value = serde_json::from_slice(&bytes).map_err(ApiError::malformed_json)?;
        Ok(Input(T::read(value)?))
    }
}

/// A survey definition body, as JSON or YAML (by content type).
pub struct DefinitionBody(pub puls_core::Value);

impl FromRequest<AppState> for DefinitionBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let yaml = match content_type(&req).as_str() {
            "application/json" => false,
            "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => true,
            _ => {
                return Err(ApiError::unsupported(
                    "send the definition as application/json or application/yaml",
                ));
            }
        };
        let bytes = read_body(req, state).await?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "body is not UTF-8"))?;
        puls_wire::parse_document(text, yaml)
            .map(DefinitionBody)
            .map_err(|e| {
                let code = if yaml {
                    ErrorCode::MalformedYaml
                } else {
                    ErrorCode::MalformedJson
                };
                ApiError::new(code, format!("definition could not be read: {e}"))
            })
    }
}

/// Query parameters parsed into `T` ([`QueryPairs`]: lists repeated or comma-separated,
/// messages that name the parameter); unknown or malformed ones are a 400 `invalid_query`.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let q = QueryPairs::parse(parts.uri.query())?;
        let value = q.take()?;
        q.finish()?;
        Ok(Query(value))
    }
}

/// The raw query pairs, for handlers that read several parameter structs
/// (`puls_wire::reports`).
pub struct Pairs(pub QueryPairs);

impl<S: Send + Sync> FromRequestParts<S> for Pairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Pairs(QueryPairs::parse(parts.uri.query())?))
    }
}
