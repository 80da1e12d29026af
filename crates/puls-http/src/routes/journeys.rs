//! Journeys as data (define, read, list, delete, the e-commerce template) and their
//! analytics: the funnel and the journey map.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_app::definitions::{Saved, journey_template};
use puls_app::{AppError, now_ms};
use puls_core::WorkspaceId;
use puls_store::DefinitionKind;
use puls_wire::ErrorBody;
use puls_wire::analytics::{FunnelDto, JourneyMapDto};
use puls_wire::journeys::JourneyDto;
use puls_wire::reports::{FunnelQuery, MapQuery, PeriodQuery, ReportQuery, StatsQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Pairs};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_journeys, create_journey))
        .routes(routes!(get_journey, put_journey, delete_journey))
        .routes(routes!(template))
        .routes(routes!(funnel))
        .routes(routes!(journey_map))
}

/// The workspace's journeys.
#[utoipa::path(get, path = "/api/v1/journeys", tag = "journeys",
    responses((status = 200, body = Vec<JourneyDto>)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_journeys(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<JourneyDto>>, ApiError> {
    let rows = st.app.definitions(ws.id, DefinitionKind::Journey).await?;
    Ok(Json(rows.iter().map(JourneyDto::of).collect()))
}

async fn save(
    st: &AppState,
    workspace_id: WorkspaceId,
    path_key: Option<&str>,
    body: &puls_core::Value,
) -> Result<Response, ApiError> {
    let (saved, r) = st.app.save_journey(workspace_id, path_key, body).await?;
    Ok((saved_status(saved), Json(JourneyDto::of(&r))).into_response())
}

/// 201 for a new definition, 200 for a replaced one.
pub(crate) fn saved_status(saved: Saved) -> StatusCode {
    match saved {
        Saved::Created => StatusCode::CREATED,
        Saved::Replaced => StatusCode::OK,
    }
}

/// Defines a journey (JSON or YAML; the key comes from the definition). Every problem of a
/// bad definition is listed with its path.
#[utoipa::path(post, path = "/api/v1/journeys", tag = "journeys",
    request_body(content = Object, content_type = "application/json",
        description = "A journey definition; see GET /api/v1/journey-templates/ecommerce"),
    responses((status = 201, body = JourneyDto), (status = 200, body = JourneyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_journey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Response, ApiError> {
    save(&st, ws.id, None, &body).await
}

/// Defines or replaces the journey `key` (JSON or YAML).
#[utoipa::path(put, path = "/api/v1/journeys/{key}", tag = "journeys",
    params(("key" = String, Path, description = "Journey key")),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 201, body = JourneyDto), (status = 200, body = JourneyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn put_journey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    DefinitionBody(body): DefinitionBody,
) -> Result<Response, ApiError> {
    save(&st, ws.id, Some(&key), &body).await
}

/// A journey.
#[utoipa::path(get, path = "/api/v1/journeys/{key}", tag = "journeys",
    params(("key" = String, Path, description = "Journey key")),
    responses((status = 200, body = JourneyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn get_journey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<Json<JourneyDto>, ApiError> {
    let r = st
        .app
        .definition(ws.id, DefinitionKind::Journey, &key)
        .await?;
    Ok(Json(JourneyDto::of(&r)))
}

/// Deletes a journey (its events and responses stay).
#[utoipa::path(delete, path = "/api/v1/journeys/{key}", tag = "journeys",
    params(("key" = String, Path, description = "Journey key")),
    responses((status = 204)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn delete_journey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app
        .delete_definition(ws.id, DefinitionKind::Journey, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ready journey to start from: `ecommerce` (information → consideration → purchase →
/// delivery → after-sales → returns and complaints → loyalty, with Segment's e-commerce
/// event names).
#[utoipa::path(get, path = "/api/v1/journey-templates/{name}", tag = "journeys",
    params(("name" = String, Path, description = "`ecommerce`")),
    responses((status = 200, description = "A journey definition", content_type = "application/json")))]
#[tracing::instrument(level = "debug", skip_all, fields(name = %name))]
async fn template(Path(name): Path<String>) -> Result<Response, ApiError> {
    let template = journey_template(&name).ok_or(AppError::NotFound("template"))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        template,
    )
        .into_response())
}

/// The funnel over a journey's stages: per stage the subjects who entered it and converted
/// within the window, the conversion rate with its interval, the time to convert (median
/// and p90), the change against the previous period with a test; optionally split by
/// channel, entry or first touchpoint or segment, and the common paths before drop-offs.
#[utoipa::path(get, path = "/api/v1/journeys/{key}/funnel", tag = "journeys",
    params(("key" = String, Path, description = "Journey key"), FunnelQuery, PeriodQuery, StatsQuery),
    responses((status = 200, body = FunnelDto), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn funnel(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    Pairs(q): Pairs,
) -> Result<Json<FunnelDto>, ApiError> {
    let analytics = st.app.analytics();
    let req = FunnelQuery::parse(q, &analytics.config, now_ms())?;
    let journey = analytics.journey(ws.id, &key).await?;
    Ok(Json(
        (&analytics.funnel(ws.id, &journey, &req).await?).into(),
    ))
}

/// The journey map: every touchpoint with its volume, passage and drop-off (with interval),
/// NPS, CSAT and CES from the surveys asked there (with intervals), detractor share and a
/// health grade.
#[utoipa::path(get, path = "/api/v1/journeys/{key}/map", tag = "journeys",
    params(("key" = String, Path, description = "Journey key"), MapQuery, PeriodQuery, StatsQuery),
    responses((status = 200, body = JourneyMapDto),
        (status = 422, description = "The segment named is not a saved one", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn journey_map(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    Pairs(q): Pairs,
) -> Result<Json<JourneyMapDto>, ApiError> {
    let analytics = st.app.analytics();
    let req = MapQuery::parse(q, &analytics.config, now_ms())?;
    let journey = analytics.journey(ws.id, &key).await?;
    Ok(Json(
        (&analytics.journey_map(ws.id, &journey, &req).await?).into(),
    ))
}
