//! The Segment-compatible tracking API: `/v1/identify`, `/v1/track`, `/v1/page`,
//! `/v1/screen`, `/v1/group`, `/v1/alias` take one message, `/v1/batch` (and its old name
//! `/v1/import`) many. An official Segment library whose host is set to Puls's base URL
//! sends here unchanged: write key as HTTP Basic user (or `writeKey` in the body), JSON
//! bodies (`text/plain` too, as analytics.js sends them), gzip or deflate encoded or not.
//!
//! Unlike Segment, which answers 200 and drops what it cannot read, a request with any
//! invalid message is refused whole with every problem listed (422), and a 200 is sent only
//! once every message of the request is committed. Messages are stored once per
//! `messageId`, so a client's retry of a batch stores nothing twice.

use std::io::Read;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use puls_app::{AppError, now_ms};
use puls_core::tracking::{Message, MessageType, Receipt};
use puls_core::{FieldError, FieldErrorKind, FieldErrors, Value};
use puls_store::json::CoreValue;
use puls_wire::ErrorCode;
use puls_wire::body::{TrackingBatch, TrackingMessage};
use serde::Serialize;
use tower_http::cors::{Any, CorsLayer};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

/// Every tracking route, answering browsers' CORS requests from any origin (analytics.js
/// runs on the shop's pages; the write key, not the origin, decides).
pub fn router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(identify))
        .routes(routes!(track))
        .routes(routes!(page))
        .routes(routes!(screen))
        .routes(routes!(group))
        .routes(routes!(alias))
        .routes(routes!(batch))
        .routes(routes!(import));
    // Browsers ask before they post (a CORS preflight); the layer below answers. The
    // OPTIONS routes make the paths take the method at all.
    let preflight = || axum::routing::options(|| async { axum::http::StatusCode::NO_CONTENT });
    let mut router = router;
    for path in [
        "/v1/identify",
        "/v1/track",
        "/v1/page",
        "/v1/screen",
        "/v1/group",
        "/v1/alias",
        "/v1/batch",
        "/v1/import",
    ] {
        router = router.route(path, preflight());
    }
    router.layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::POST, Method::OPTIONS])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE, CONTENT_ENCODING]),
    )
}

/// The answer to a stored request, as Segment gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub success: bool,
}

macro_rules! single {
    ($name:ident, $path:literal, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "tracking",
                    request_body(content = TrackingMessage, content_type = "application/json"),
                    responses((status = 200, body = Accepted)),
                    security(("write_key" = [])))]
        #[tracing::instrument(level = "debug", skip_all)]
        async fn $name(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
            receive(&st, Some($kind), req).await
        }
    };
}

single!(
    identify,
    "/v1/identify",
    MessageType::Identify,
    "Who a user is: traits become the contact's fields and attributes (merged), and an \
     `anonymousId` sent with the `userId` is tied to it."
);
single!(
    track,
    "/v1/track",
    MessageType::Track,
    "Something a user did: an event with properties."
);
single!(
    page,
    "/v1/page",
    MessageType::Page,
    "A web page a user viewed."
);
single!(
    screen,
    "/v1/screen",
    MessageType::Screen,
    "An app screen a user viewed."
);
single!(
    group,
    "/v1/group",
    MessageType::Group,
    "The company or account a user belongs to (stored; not interpreted yet)."
);
single!(
    alias,
    "/v1/alias",
    MessageType::Alias,
    "Two ids of one user: `previousId` (often an anonymous id) is now `userId`."
);

/// Many messages in one request (what Segment's libraries send): up to 500 KB, each
/// message up to 32 KB. All are stored, or none.
#[utoipa::path(post, path = "/v1/batch", tag = "tracking",
    request_body(content = TrackingBatch, content_type = "application/json"),
    responses((status = 200, body = Accepted)),
    security(("write_key" = [])))]
#[tracing::instrument(level = "debug", skip_all)]
async fn batch(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    receive(&st, None, req).await
}

/// The old name of `/v1/batch`, for older libraries.
#[utoipa::path(post, path = "/v1/import", tag = "tracking",
    request_body(content = TrackingBatch, content_type = "application/json"),
    responses((status = 200, body = Accepted)),
    security(("write_key" = [])))]
#[tracing::instrument(level = "debug", skip_all)]
async fn import(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    receive(&st, None, req).await
}

/// The write key of an `Authorization: Basic` header (`base64(writeKey + ":")`).
fn basic_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let key = text.split_once(':').map_or(text.as_str(), |(k, _)| k);
    (!key.is_empty()).then(|| key.to_string())
}

/// Reads and decompresses the body within the configured limit.
async fn body_bytes(st: &AppState, req: Request) -> Result<Vec<u8>, ApiError> {
    let limit = st.config.tracking.max_batch_bytes;
    let headers = req.headers().clone();
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(ct == "application/json" || ct.ends_with("+json") || ct == "text/plain") {
        return Err(ApiError::unsupported(
            "send the messages as application/json (or text/plain JSON)",
        ));
    }
    let raw = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::too_large(limit))?;
    let encoding = headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "identity" | "" => Ok(raw.to_vec()),
        "gzip" | "x-gzip" => inflate(flate2::read::GzDecoder::new(&raw[..]), limit),
        "deflate" => inflate(flate2::read::ZlibDecoder::new(&raw[..]), limit),
        other => Err(ApiError::unsupported(format!(
            "Content-Encoding '{}' is not supported: use gzip, deflate or none",
            other.chars().take(32).collect::<String>()
        ))),
    }
}

fn malformed(e: serde_json::Error) -> ApiError {
    ApiError::malformed_json(e)
}

/// Decompresses at most `limit` bytes; more is a 413, a broken stream a 400.
fn inflate(r: impl Read, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    r.take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedBody,
                format!("body could not be decompressed: {e}"),
            )
        })?;
    if out.len() > limit {
        return Err(ApiError::too_large(limit));
    }
    Ok(out)
}

async fn receive(
    st: &AppState,
    endpoint: Option<MessageType>,
    req: Request,
) -> Result<Response, ApiError> {
    let received_at = now_ms();
    let header_key = basic_key(req.headers());
    let body = body_bytes(st, req).await?;
    let (body_key, messages) = read_messages(st, &body, endpoint, received_at)?;
    let key = header_key.or(body_key).ok_or(AppError::Unauthorized)?;
    let workspace = st.app.write_key_workspace(&key).await?;
    let messages = messages?;
    st.app.track(&workspace, messages, received_at).await?;
    Ok(Json(Accepted { success: true }).into_response())
}

/// The body's write key, if it has one, and its messages or every problem with its path.
/// A malformed body (not JSON) is an error at once; a bad message only after the sender is
/// known, so an unauthorised caller learns nothing about what it sent.
#[allow(clippy::type_complexity)]
fn read_messages(
    st: &AppState,
    body: &[u8],
    endpoint: Option<MessageType>,
    received_at_ms: i64,
) -> Result<(Option<String>, Result<Vec<Message>, ApiError>), ApiError> {
    let limits = &st.config.tracking;
    let too_big = |path: &str| FieldError {
        path: if path.is_empty() {
            "message".into()
        } else {
            path.to_string()
        },
        kind: FieldErrorKind::TooLong {
            max: limits.max_message_bytes,
        },
    };
    if endpoint.is_some() {
        let CoreValue(v) = serde_json::from_slice(body).map_err(malformed)?;
        let key = match &v {
            Value::Map(m) => m
                .get("writeKey")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        };
        if body.len() > limits.max_message_bytes {
            return Ok((
                key,
                Err(AppError::Validation(FieldErrors(vec![too_big("")])).into()),
            ));
        }
        let receipt = Receipt {
            endpoint,
            received_at_ms,
            batch_sent_at: None,
            batch_context: None,
            batch_integrations: None,
        };
        let one = TrackingMessage::read(v, "", &receipt)
            .map(|m| vec![m.0])
            .map_err(|e| AppError::Validation(FieldErrors(e)).into());
        return Ok((key, one));
    }
    let top: TrackingBatch<'_> = serde_json::from_slice(body).map_err(malformed)?;
    let key = top.write_key.clone();
    let Some(raw) = top.batch else {
        return Ok((key, Err(invalid_one("batch", FieldErrorKind::Required))));
    };
    let Ok(items) = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(raw.get()) else {
        return Ok((
            key,
            Err(invalid_one(
                "batch",
                FieldErrorKind::WrongType {
                    expected: puls_core::Expected::Array,
                },
            )),
        ));
    };
    if items.len() > limits.max_batch_messages {
        return Ok((
            key,
            Err(invalid_one(
                "batch",
                FieldErrorKind::TooMany {
                    max: limits.max_batch_messages,
                },
            )),
        ));
    }
    let receipt = Receipt {
        endpoint,
        received_at_ms,
        batch_sent_at: top.sent_at.as_ref().map(|v| &v.0),
        batch_context: top.context.as_ref().map(|v| &v.0),
        batch_integrations: top.integrations.as_ref().map(|v| &v.0),
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("batch[{i}]");
        if item.get().len() > limits.max_message_bytes {
            errors.push(too_big(&path));
            continue;
        }
        let CoreValue(v) = serde_json::from_str(item.get()).map_err(malformed)?;
        match TrackingMessage::read(v, &path, &receipt) {
            Ok(m) => out.push(m.0),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Ok((key, Err(AppError::Validation(FieldErrors(errors)).into())));
    }
    Ok((key, Ok(out)))
}

fn invalid_one(path: &str, kind: FieldErrorKind) -> ApiError {
    AppError::field(path, kind).into()
}
