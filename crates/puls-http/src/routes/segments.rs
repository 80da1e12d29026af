//! Segments: saved rules over contacts' attributes, behaviour and feedback, with their
//! member counts and members. Any metric, driver, Kano or funnel report takes
//! `segment=KEY` as a filter.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_core::ContactId;
use puls_core::WorkspaceId;
use puls_store::{DefinitionKind, DefinitionRecord};
use puls_wire::contacts::limit;
use puls_wire::id_cursor;
use puls_wire::segments::{MembersPageDto, MembersQuery, SegmentDto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Query};
use crate::routes::journeys::saved_status;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_segments, create_segment))
        .routes(routes!(get_segment, put_segment, delete_segment))
        .routes(routes!(segment_members))
}

async fn dto(
    st: &AppState,
    workspace_id: WorkspaceId,
    r: &DefinitionRecord,
) -> Result<SegmentDto, ApiError> {
    let members = st.app.segment_size(workspace_id, r).await?;
    Ok(SegmentDto::of(r, members))
}

/// The workspace's segments with their member counts.
#[utoipa::path(get, path = "/api/v1/segments", tag = "segments",
    responses((status = 200, body = Vec<SegmentDto>)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_segments(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<SegmentDto>>, ApiError> {
    let rows = st.app.definitions(ws.id, DefinitionKind::Segment).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(dto(&st, ws.id, r).await?);
    }
    Ok(Json(out))
}

async fn save(
    st: &AppState,
    workspace_id: WorkspaceId,
    path_key: Option<&str>,
    body: &puls_core::Value,
) -> Result<Response, ApiError> {
    let (saved, r) = st.app.save_segment(workspace_id, path_key, body).await?;
    Ok((saved_status(saved), Json(dto(st, workspace_id, &r).await?)).into_response())
}

/// Saves a segment (JSON or YAML; the key comes from the definition).
#[utoipa::path(post, path = "/api/v1/segments", tag = "segments",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"key\", \"name\", \"rule\"}`"),
    responses((status = 201, body = SegmentDto), (status = 200, body = SegmentDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_segment(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Response, ApiError> {
    save(&st, ws.id, None, &body).await
}

/// Saves or replaces the segment `key`.
#[utoipa::path(put, path = "/api/v1/segments/{key}", tag = "segments",
    params(("key" = String, Path, description = "Segment key")),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 201, body = SegmentDto), (status = 200, body = SegmentDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn put_segment(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    DefinitionBody(body): DefinitionBody,
) -> Result<Response, ApiError> {
    save(&st, ws.id, Some(&key), &body).await
}

/// A segment with its member count.
#[utoipa::path(get, path = "/api/v1/segments/{key}", tag = "segments",
    params(("key" = String, Path, description = "Segment key")),
    responses((status = 200, body = SegmentDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn get_segment(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<Json<SegmentDto>, ApiError> {
    let r = st
        .app
        .definition(ws.id, DefinitionKind::Segment, &key)
        .await?;
    Ok(Json(dto(&st, ws.id, &r).await?))
}

/// Deletes a segment.
#[utoipa::path(delete, path = "/api/v1/segments/{key}", tag = "segments",
    params(("key" = String, Path, description = "Segment key")),
    responses((status = 204)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn delete_segment(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app
        .delete_definition(ws.id, DefinitionKind::Segment, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The segment's members now, by contact id.
#[utoipa::path(get, path = "/api/v1/segments/{key}/members", tag = "segments",
    params(("key" = String, Path, description = "Segment key"), MembersQuery),
    responses((status = 200, body = MembersPageDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn segment_members(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    Query(q): Query<MembersQuery>,
) -> Result<Json<MembersPageDto>, ApiError> {
    let limit = limit(q.limit)? as usize;
    let after = id_cursor(q.cursor.as_deref(), ContactId::parse)?
        .map(|c| c.to_string())
        .unwrap_or_default();
    let page = st.app.segment_members(ws.id, &key, after, limit).await?;
    Ok(Json(page.into()))
}
