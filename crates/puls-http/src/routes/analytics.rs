//! Analytics endpoints: metrics by period and segment, key drivers, Kano summaries. Each
//! reads this node's fact index after applying every change committed before the request.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use puls_store::now_ms;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::analytics::drivers::{DriversParams, DriversReport, DriversRequest};
use crate::analytics::kano::KanoReport;
use crate::analytics::metrics::{MetricsParams, MetricsReport, MetricsRequest};
use crate::analytics::params::{Params, Scope, ScopeParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(metrics))
        .routes(routes!(drivers))
        .routes(routes!(kano))
}

/// A metric (NPS, CSAT, CES, rating) by period and segment, each row with `n`, the value,
/// its confidence interval, a small-sample flag and the change against the previous bucket
/// or period with a significance test.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "analytics",
    params(MetricsParams, ScopeParams),
    responses((status = 200, body = MetricsReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn metrics(
    State(st): State<AppState>,
    Auth(ws): Auth,
    uri: Uri,
) -> Result<Json<MetricsReport>, ApiError> {
    let mut p = Params::from_query(uri.query().unwrap_or(""))?;
    let req = MetricsRequest::parse(&mut p, &st.analytics.config, now_ms())?;
    p.finish()?;
    Ok(Json(st.analytics.metrics(ws.id, req).await?))
}

/// Key-driver analysis: each driver's importance (Shapley share of R²), performance (0–100)
/// and priority quadrant for an outcome question.
#[utoipa::path(get, path = "/api/v1/drivers", tag = "analytics",
    params(DriversParams, ScopeParams),
    responses((status = 200, body = DriversReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn drivers(
    State(st): State<AppState>,
    Auth(ws): Auth,
    uri: Uri,
) -> Result<Json<DriversReport>, ApiError> {
    let mut p = Params::from_query(uri.query().unwrap_or(""))?;
    let req = DriversRequest::parse(&mut p, &st.analytics.config, now_ms())?;
    p.finish()?;
    Ok(Json(st.analytics.drivers(ws.id, req).await?))
}

/// Kano summary of a survey: per Kano question the category shares, the dominant category
/// and the Better/Worse coefficients.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/kano", tag = "analytics",
    params(("id" = String, Path, description = "Survey id"), ScopeParams),
    responses((status = 200, body = KanoReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn kano(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Json<KanoReport>, ApiError> {
    let mut p = Params::from_query(uri.query().unwrap_or(""))?;
    let scope = Scope::parse(&mut p, &st.analytics.config, now_ms())?;
    p.finish()?;
    Ok(Json(st.analytics.kano(ws.id, &id, scope).await?))
}
