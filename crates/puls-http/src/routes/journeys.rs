//! Journeys as data (define, read, list, delete, the e-commerce template) and their
//! analytics: the funnel and the journey map.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use puls_core::journey::Journey;
use puls_store::{DefinitionKind, DefinitionRecord, now_ms};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::analytics::journeys::{
    FunnelDto, FunnelParams, FunnelRequest, JourneyMapDto, MapRequest,
};
use crate::analytics::params::Params;
use crate::convert;
use crate::dto::format_ms;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, DefinitionBody};
use crate::routes::definitions;
use crate::state::AppState;

/// The e-commerce journey template (also `examples/ecommerce-journey.json`).
pub const ECOMMERCE_TEMPLATE: &str = include_str!("../../../../examples/ecommerce-journey.json");

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_journeys, create_journey))
        .routes(routes!(get_journey, put_journey, delete_journey))
        .routes(routes!(template))
        .routes(routes!(funnel))
        .routes(routes!(journey_map))
}

/// A stored journey.
#[derive(Debug, Serialize, ToSchema)]
pub struct JourneyDto {
    pub key: String,
    /// The canonical definition: `key`, `name`, `conversion_window_days` and `stages`, each
    /// with `touchpoints` (`key`, `name`, `channel`, `events` matchers, `surveys`).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

fn dto(r: &DefinitionRecord) -> Result<JourneyDto, ApiError> {
    Ok(JourneyDto {
        key: r.key.clone(),
        definition: serde_json::from_str(&r.definition)
            .map_err(|e| anyhow::anyhow!("stored journey {} is not JSON: {e}", r.key))?,
        created_at: format_ms(r.created_at),
        updated_at: format_ms(r.updated_at),
    })
}

/// The workspace's journeys.
#[utoipa::path(get, path = "/api/v1/journeys", tag = "journeys",
    responses((status = 200, body = Vec<JourneyDto>), (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_journeys(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<JourneyDto>>, ApiError> {
    let rows = st
        .store
        .list_definitions(DefinitionKind::Journey, ws.id)
        .await?;
    Ok(Json(rows.iter().map(dto).collect::<Result<_, _>>()?))
}

async fn save(
    st: &AppState,
    workspace_id: i64,
    path_key: Option<&str>,
    body: &puls_core::Value,
) -> Result<Response, ApiError> {
    let journey = Journey::parse(body).map_err(ApiError::Validation)?;
    let text = convert::to_json(&journey.to_value()).to_string();
    let (status, r) = definitions::save(
        st,
        workspace_id,
        DefinitionKind::Journey,
        path_key,
        journey.key.as_str(),
        &text,
    )
    .await?;
    Ok((status, Json(dto(&r)?)).into_response())
}

/// Defines a journey (JSON or YAML; the key comes from the definition). Every problem of a
/// bad definition is listed with its path.
#[utoipa::path(post, path = "/api/v1/journeys", tag = "journeys",
    request_body(content = Object, content_type = "application/json",
        description = "A journey definition; see GET /api/v1/journey-templates/ecommerce"),
    responses((status = 201, body = JourneyDto), (status = 200, body = JourneyDto),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
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
    responses((status = 201, body = JourneyDto), (status = 200, body = JourneyDto),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
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
    responses((status = 200, body = JourneyDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn get_journey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<Json<JourneyDto>, ApiError> {
    let r = definitions::get(&st, ws.id, DefinitionKind::Journey, &key, "journey").await?;
    Ok(Json(dto(&r)?))
}

/// Deletes a journey (its events and responses stay).
#[utoipa::path(delete, path = "/api/v1/journeys/{key}", tag = "journeys",
    params(("key" = String, Path, description = "Journey key")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn delete_journey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    definitions::delete(&st, ws.id, DefinitionKind::Journey, &key, "journey").await
}

/// A ready journey to start from: `ecommerce` (information → consideration → purchase →
/// delivery → after-sales → returns and complaints → loyalty, with Segment's e-commerce
/// event names).
#[utoipa::path(get, path = "/api/v1/journey-templates/{name}", tag = "journeys",
    params(("name" = String, Path, description = "`ecommerce`")),
    responses((status = 200, description = "A journey definition", content_type = "application/json"),
        (status = 404, body = ErrorBody)))]
async fn template(Path(name): Path<String>) -> Result<Response, ApiError> {
    match name.as_str() {
        "ecommerce" => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            ECOMMERCE_TEMPLATE,
        )
            .into_response()),
        _ => Err(ApiError::NotFound("template")),
    }
}

/// The funnel over a journey's stages: per stage the subjects who entered it and converted
/// within the window, the conversion rate with its interval, the time to convert (median
/// and p90), the change against the previous period with a test; optionally split by
/// channel, entry or first touchpoint or segment, and the common paths before drop-offs.
#[utoipa::path(get, path = "/api/v1/journeys/{key}/funnel", tag = "journeys",
    params(("key" = String, Path, description = "Journey key"), FunnelParams),
    responses((status = 200, body = FunnelDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn funnel(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    uri: Uri,
) -> Result<Json<FunnelDto>, ApiError> {
    let mut p = Params::from_query(uri.query().unwrap_or(""))?;
    let req = FunnelRequest::parse(&mut p, &st.analytics.config, now_ms())?;
    p.finish()?;
    let journey = st.analytics.journey(ws.id, &key).await?;
    Ok(Json(st.analytics.funnel(ws.id, &journey, &req).await?))
}

/// The journey map: every touchpoint with its volume, passage and drop-off (with interval),
/// NPS, CSAT and CES from the surveys asked there (with intervals), detractor share and a
/// health grade.
#[utoipa::path(get, path = "/api/v1/journeys/{key}/map", tag = "journeys",
    params(("key" = String, Path, description = "Journey key"),
        ("from" = Option<String>, Query, description = "Start (date in tz or RFC 3339)"),
        ("to" = Option<String>, Query, description = "End, exclusive"),
        ("tz" = Option<String>, Query, description = "IANA time zone"),
        ("window_days" = Option<i64>, Query, description = "Conversion window"),
        ("stages" = Option<String>, Query, description = "The stages whose chain gives passages and drop-off (default: all, in order)"),
        ("segment" = Option<String>, Query, description = "Only members of these segments"),
        ("lang" = Option<String>, Query, description = "Language of names: pl, cs, en"),
        ("min_n" = Option<u64>, Query, description = "Small-sample threshold"),
        ("confidence" = Option<f64>, Query, description = "Confidence level")),
    responses((status = 200, body = JourneyMapDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn journey_map(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    uri: Uri,
) -> Result<Json<JourneyMapDto>, ApiError> {
    let mut p = Params::from_query(uri.query().unwrap_or(""))?;
    let req = MapRequest::parse(&mut p, &st.analytics.config, now_ms())?;
    p.finish()?;
    let journey = st.analytics.journey(ws.id, &key).await?;
    Ok(Json(st.analytics.journey_map(ws.id, &journey, &req).await?))
}
