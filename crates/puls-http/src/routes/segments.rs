//! Segments: saved rules over contacts' attributes, behaviour and feedback, with their
//! member counts and members. Any metric, driver, Kano or funnel report takes
//! `segment=KEY` as a filter.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_core::audience::SegmentDef;
use puls_store::{DefinitionKind, DefinitionRecord, now_ms};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::convert;
use crate::dto::format_ms;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, DefinitionBody, Query};
use crate::routes::definitions;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_segments, create_segment))
        .routes(routes!(get_segment, put_segment, delete_segment))
        .routes(routes!(segment_members))
}

/// A saved segment with its current member count.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentDto {
    pub key: String,
    /// `{"key", "name", "rule"}`; see the docs for the rule language.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// Live contacts matching the rule now.
    pub members: u64,
    pub created_at: String,
    pub updated_at: String,
}

async fn dto(
    st: &AppState,
    workspace_id: i64,
    r: &DefinitionRecord,
) -> Result<SegmentDto, ApiError> {
    let definition: serde_json::Value = serde_json::from_str(&r.definition)
        .map_err(|e| anyhow::anyhow!("stored segment {} is not JSON: {e}", r.key))?;
    let def = SegmentDef::parse(&convert::from_json(&definition))
        .map_err(|e| anyhow::anyhow!("stored segment {} is invalid: {e}", r.key))?;
    let (_, members) = st
        .analytics
        .members(workspace_id, &def.rule, now_ms())
        .await?;
    Ok(SegmentDto {
        key: r.key.clone(),
        definition,
        members: members.count() as u64,
        created_at: format_ms(r.created_at),
        updated_at: format_ms(r.updated_at),
    })
}

/// The workspace's segments with their member counts.
#[utoipa::path(get, path = "/api/v1/segments", tag = "segments",
    responses((status = 200, body = Vec<SegmentDto>), (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_segments(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<SegmentDto>>, ApiError> {
    let rows = st
        .store
        .list_definitions(DefinitionKind::Segment, ws.id)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(dto(&st, ws.id, r).await?);
    }
    Ok(Json(out))
}

async fn save(
    st: &AppState,
    workspace_id: i64,
    path_key: Option<&str>,
    body: &puls_core::Value,
) -> Result<Response, ApiError> {
    let def = SegmentDef::parse(body).map_err(ApiError::Validation)?;
    let text = convert::to_json(&def.to_value()).to_string();
    let (status, r) = definitions::save(
        st,
        workspace_id,
        DefinitionKind::Segment,
        path_key,
        def.key.as_str(),
        &text,
    )
    .await?;
    Ok((status, Json(dto(st, workspace_id, &r).await?)).into_response())
}

/// Saves a segment (JSON or YAML; the key comes from the definition).
#[utoipa::path(post, path = "/api/v1/segments", tag = "segments",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"key\", \"name\", \"rule\"}`"),
    responses((status = 201, body = SegmentDto), (status = 200, body = SegmentDto),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
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
    responses((status = 201, body = SegmentDto), (status = 200, body = SegmentDto),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
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
    responses((status = 200, body = SegmentDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn get_segment(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<Json<SegmentDto>, ApiError> {
    let r = definitions::get(&st, ws.id, DefinitionKind::Segment, &key, "segment").await?;
    Ok(Json(dto(&st, ws.id, &r).await?))
}

/// Deletes a segment.
#[utoipa::path(delete, path = "/api/v1/segments/{key}", tag = "segments",
    params(("key" = String, Path, description = "Segment key")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn delete_segment(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    definitions::delete(&st, ws.id, DefinitionKind::Segment, &key, "segment").await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    pub limit: Option<i64>,
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub id: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
}

/// A page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembersPage {
    /// All members now.
    pub total: u64,
    pub items: Vec<MemberDto>,
    pub next_cursor: Option<String>,
}

/// The segment's members now, by contact id.
#[utoipa::path(get, path = "/api/v1/segments/{key}/members", tag = "segments",
    params(("key" = String, Path, description = "Segment key"), MembersQuery),
    responses((status = 200, body = MembersPage), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn segment_members(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    Query(q): Query<MembersQuery>,
) -> Result<Json<MembersPage>, ApiError> {
    let limit = crate::routes::contacts::limit(q.limit)? as usize;
    let def = st.analytics.segment(ws.id, &key).await?;
    let (customers, members) = st.analytics.members(ws.id, &def.rule, now_ms()).await?;
    let after = q.cursor.unwrap_or_default();
    let page = tokio::task::spawn_blocking(move || {
        let index = customers.read();
        // Contact ids are ULIDs: the page after the cursor is the `limit` smallest ids
        // above it, found without sorting every member.
        let mut ids: Vec<(&str, u32)> = members
            .iter()
            .map(|c| (index.contact_id(c as u32), c as u32))
            .filter(|(id, _)| *id > after.as_str())
            .collect();
        let total = members.count() as u64;
        let more = ids.len() > limit;
        if more {
            ids.select_nth_unstable(limit);
            ids.truncate(limit);
        }
        ids.sort_unstable();
        let items: Vec<MemberDto> = ids
            .iter()
            .map(|(id, c)| {
                let (external_id, email) = index.contact_ids(*c);
                MemberDto {
                    id: id.to_string(),
                    external_id: external_id.map(str::to_string),
                    email: email.map(str::to_string),
                }
            })
            .collect();
        let next_cursor = more.then(|| items.last().map(|m| m.id.clone())).flatten();
        MembersPage {
            total,
            items,
            next_cursor,
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("segment members thread: {e}"))?;
    Ok(Json(page))
}
