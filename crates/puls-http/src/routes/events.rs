//! Behavioural events as stored (list and streamed export) and the workspace's write keys
//! for the tracking API.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use puls_app::AppError;
use puls_wire::body::WriteKeyInput;
use puls_wire::contacts::{EventPage, EventQuery, WriteKeyDto, limit};
use puls_wire::export;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, Input, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(export_events))
        .routes(routes!(list_write_keys, create_write_key))
        .routes(routes!(revoke_write_key))
}

/// Events, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = 200, body = EventPage)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_events(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    if q.format.is_some() {
        return Err(AppError::invalid("format: only the export takes a format").into());
    }
    let limit = limit(q.limit)?;
    let rows = st
        .app
        .events(
            ws.id,
            &q.filter(&st.app.analytics().config.time_zone)?,
            limit,
        )
        .await?;
    Ok(Json(EventPage::of(rows, limit)))
}

/// Every matching event, newest first, streamed: NDJSON (one event as the list shows it per
/// line) or CSV (`seq, message_id, type, name, user_id, anonymous_id, timestamp,
/// timestamp_ms, received_at, properties, context` with JSON in the last two).
#[utoipa::path(get, path = "/api/v1/events/export", tag = "events", params(EventQuery),
    responses((status = 200, description = "NDJSON or CSV", content_type = "application/x-ndjson")),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn export_events(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<EventQuery>,
) -> Result<Response, ApiError> {
    if q.cursor.is_some() || q.limit.is_some() {
        return Err(
            AppError::invalid("cursor, limit: an export streams everything that matches").into(),
        );
    }
    let csv = match q.format.as_deref().unwrap_or("ndjson") {
        "ndjson" => false,
        "csv" => true,
        other => {
            return Err(AppError::invalid(format!(
                "format: '{}' is not one of ndjson, csv",
                other.chars().take(32).collect::<String>()
            ))
            .into());
        }
    };
    let stream = export::events(
        st.app
            .event_pages(ws.id, q.filter(&st.app.analytics().config.time_zone)?),
        csv,
    );
    let (content_type, ext) = if csv {
        ("text/csv; charset=utf-8", "csv")
    } else {
        ("application/x-ndjson", "ndjson")
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"events.{ext}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The workspace's write keys.
#[utoipa::path(get, path = "/api/v1/write-keys", tag = "events",
    responses((status = 200, body = Vec<WriteKeyDto>)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_write_keys(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<WriteKeyDto>>, ApiError> {
    let keys = st.app.write_keys(ws.id).await?;
    Ok(Json(keys.into_iter().map(Into::into).collect()))
}

/// Creates a write key: send it as the HTTP Basic user of tracking calls, or as
/// `writeKey` in their body.
#[utoipa::path(post, path = "/api/v1/write-keys", tag = "events", request_body = WriteKeyInput,
    responses((status = 201, body = WriteKeyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_write_key(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Input(input): Input<WriteKeyInput>,
) -> Result<Response, ApiError> {
    let name = input.name.unwrap_or_else(|| "api".into());
    let key = st.app.create_write_key(ws.id, &name).await?;
    Ok((StatusCode::CREATED, Json(WriteKeyDto::from(key))).into_response())
}

/// Revokes a write key: calls sending it get 401 from now on.
#[utoipa::path(delete, path = "/api/v1/write-keys/{key}", tag = "events",
    params(("key" = String, Path, description = "The write key")),
    responses((status = 204)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn revoke_write_key(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.revoke_write_key(ws.id, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
