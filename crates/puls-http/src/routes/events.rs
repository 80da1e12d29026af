//! Behavioural events as stored (list and streamed export) and the workspace's write keys
//! for the tracking API.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use puls_store::{EventFilter, EventRecord, WriteKeyInfo};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::dto::{format_ms, parse_time};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, JsonBody, Query};
use crate::routes::contacts::{EventDto, EventPage, event_page, limit, seq_cursor};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(export_events))
        .routes(routes!(list_write_keys, create_write_key))
        .routes(routes!(revoke_write_key))
}

/// Which events to list or export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `track`, `page`, `screen`, `identify`, `group` or `alias`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The event's (page's, screen's) name.
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// Happened at or after (RFC 3339 or YYYY-MM-DD).
    pub since: Option<String>,
    /// Happened before.
    pub until: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    pub limit: Option<i64>,
    /// Export format: `ndjson` (default) or `csv`.
    pub format: Option<String>,
}

impl EventQuery {
    fn filter(&self) -> Result<EventFilter, ApiError> {
        Ok(EventFilter {
            kind: self.kind.clone(),
            name: self.name.clone(),
            user_id: self.user_id.clone(),
            anonymous_id: self.anonymous_id.clone(),
            since: self
                .since
                .as_deref()
                .map(|s| parse_time("since", s))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|s| parse_time("until", s))
                .transpose()?,
            before_seq: seq_cursor(self.cursor.as_deref())?,
        })
    }
}

/// Events, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = 200, body = EventPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_events(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    if q.format.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "format: only the export takes a format",
        ));
    }
    let limit = limit(q.limit)?;
    let rows = st.store.list_events(ws.id, &q.filter()?, limit).await?;
    Ok(Json(event_page(rows, limit)))
}

/// Rows read per database round trip of an export.
const EXPORT_PAGE: i64 = 2_000;

/// Every matching event, newest first, streamed: NDJSON (one event as the list shows it per
/// line) or CSV (`seq, message_id, type, name, user_id, anonymous_id, timestamp,
/// timestamp_ms, received_at, properties, context` with JSON in the last two).
#[utoipa::path(get, path = "/api/v1/events/export", tag = "events", params(EventQuery),
    responses((status = 200, description = "NDJSON or CSV", content_type = "application/x-ndjson"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn export_events(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<EventQuery>,
) -> Result<Response, ApiError> {
    if q.cursor.is_some() || q.limit.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "cursor, limit: an export streams everything that matches",
        ));
    }
    let csv = match q.format.as_deref().unwrap_or("ndjson") {
        "ndjson" => false,
        "csv" => true,
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!(
                    "format: '{}' is not one of ndjson, csv",
                    other.chars().take(32).collect::<String>()
                ),
            ));
        }
    };
    let filter = q.filter()?;
    let header = csv.then(|| {
        Bytes::from_static(
            b"seq,message_id,type,name,user_id,anonymous_id,timestamp,timestamp_ms,received_at,properties,context\n",
        )
    });
    struct Cursor {
        st: AppState,
        filter: EventFilter,
        header: Option<Bytes>,
        done: bool,
    }
    let ws_id = ws.id;
    let stream = futures::stream::unfold(
        Cursor {
            st,
            filter,
            header,
            done: false,
        },
        move |mut c| async move {
            if let Some(h) = c.header.take() {
                return Some((Ok::<Bytes, std::io::Error>(h), c));
            }
            if c.done {
                return None;
            }
            match c.st.store.list_events(ws_id, &c.filter, EXPORT_PAGE).await {
                Ok(rows) => {
                    c.done = (rows.len() as i64) < EXPORT_PAGE;
                    c.filter.before_seq = rows.last().map(|e| e.seq);
                    if rows.is_empty() {
                        return None;
                    }
                    Some((render(&rows, csv), c))
                }
                Err(e) => {
                    tracing::error!(error = ?e, "event export failed");
                    c.done = true;
                    Some((Err(std::io::Error::other("export failed")), c))
                }
            }
        },
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

fn render(rows: &[EventRecord], csv: bool) -> Result<Bytes, std::io::Error> {
    if !csv {
        let mut out = Vec::with_capacity(rows.len() * 256);
        for e in rows {
            serde_json::to_writer(&mut out, &EventDto::of(e))?;
            out.push(b'\n');
        }
        return Ok(out.into());
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(rows.len() * 200));
    for e in rows {
        let ev = &e.event;
        w.write_record([
            e.seq.to_string().as_str(),
            &ev.message_id,
            &ev.kind,
            &ev.name,
            ev.user_id.as_deref().unwrap_or(""),
            ev.anonymous_id.as_deref().unwrap_or(""),
            &format_ms(ev.timestamp),
            &ev.timestamp.to_string(),
            &format_ms(ev.received_at),
            &ev.properties,
            &ev.context,
        ])?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// A write key of the tracking API.
#[derive(Debug, Serialize, ToSchema)]
pub struct WriteKeyDto {
    /// The key itself: like Segment's, it is not a secret (it ships in web pages and apps
    /// and only lets one send events).
    pub key: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<WriteKeyInfo> for WriteKeyDto {
    fn from(k: WriteKeyInfo) -> Self {
        WriteKeyDto {
            key: k.key,
            name: k.name,
            created_at: format_ms(k.created_at),
            revoked_at: k.revoked_at.map(format_ms),
        }
    }
}

/// The workspace's write keys.
#[utoipa::path(get, path = "/api/v1/write-keys", tag = "events",
    responses((status = 200, body = Vec<WriteKeyDto>), (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_write_keys(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<WriteKeyDto>>, ApiError> {
    let keys = st.store.list_write_keys(ws.id).await?;
    Ok(Json(keys.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteKeyInput {
    /// A name to recognise it by (where it is used).
    pub name: Option<String>,
}

/// Creates a write key: send it as the HTTP Basic user of tracking calls, or as
/// `writeKey` in their body.
#[utoipa::path(post, path = "/api/v1/write-keys", tag = "events", request_body = WriteKeyInput,
    responses((status = 201, body = WriteKeyDto), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn create_write_key(
    State(st): State<AppState>,
    Auth(ws): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let input: WriteKeyInput = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("body: {e}")))?;
    let name = input.name.unwrap_or_else(|| "api".into());
    if name.trim().is_empty() || name.chars().count() > 100 || name.contains('\0') {
        return Err(ApiError::unprocessable(
            "invalid_name",
            "name: 1 to 100 characters",
        ));
    }
    let key = st.store.create_write_key(ws.id, name.trim()).await?;
    Ok((StatusCode::CREATED, Json(WriteKeyDto::from(key))).into_response())
}

/// Revokes a write key: calls sending it get 401 from now on.
#[utoipa::path(delete, path = "/api/v1/write-keys/{key}", tag = "events",
    params(("key" = String, Path, description = "The write key")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn revoke_write_key(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    match st.store.revoke_write_key(ws.id, &key).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound("write key")),
    }
}
