//! Analytics endpoints: metrics by period and segment, key drivers, Kano summaries. Each
//! reads this node's fact index after applying every change committed before the request.

use axum::Json;
use axum::extract::{Path, State};
use puls_app::now_ms;
use puls_wire::ErrorBody;
use puls_wire::analytics::{DriversReportDto, KanoReportDto, MetricsReportDto, TextReportDto};
use puls_wire::reports::{
    DriversQuery, FilterQuery, MetricsQuery, PeriodQuery, ReportQuery, ScopeQuery, StatsQuery,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, Pairs};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(metrics))
        .routes(routes!(drivers))
        .routes(routes!(kano))
        .routes(routes!(text_report))
}

/// What customers write about, from the text analysis of open answers: the aspects of the
/// period ranked by how often they come up, each with its share of the answers read and
/// its net sentiment (% positive − % negative), both with intervals and with their
/// changes against the previous period; and the aspects and words whose share rose
/// significantly in the last seven days, per language (Benjamini–Hochberg over every topic
/// tested). Counts open answers read by the current analysis; filters by period, survey,
/// touchpoint, channel and locale (others are refused).
#[utoipa::path(get, path = "/api/v1/reports/text", tag = "analytics",
    params(PeriodQuery, FilterQuery, StatsQuery),
    responses((status = 200, body = TextReportDto),
        (status = 422, description = "A bad period or filter, or one this report does not take", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn text_report(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Pairs(q): Pairs,
) -> Result<Json<TextReportDto>, ApiError> {
    let scope = ScopeQuery::parse(q, &st.app.analytics().config, now_ms())?;
    Ok(Json((&st.app.text_report(ws.id, &scope).await?).into()))
}

/// A metric (NPS, CSAT, CES, rating) by period and segment, each row with `n`, the value,
/// its confidence interval, a small-sample flag and the change against the previous bucket
/// or period with a significance test.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "analytics",
    params(MetricsQuery, PeriodQuery, FilterQuery, StatsQuery),
    responses((status = 200, body = MetricsReportDto), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn metrics(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Pairs(q): Pairs,
) -> Result<Json<MetricsReportDto>, ApiError> {
    let analytics = st.app.analytics();
    let req = MetricsQuery::parse(q, &analytics.config, now_ms())?;
    Ok(Json((&analytics.metrics(ws.id, req).await?).into()))
}

/// Key-driver analysis: each driver's importance (Shapley share of R²), performance (0–100)
/// and priority quadrant for an outcome question.
#[utoipa::path(get, path = "/api/v1/drivers", tag = "analytics",
    params(DriversQuery, PeriodQuery, FilterQuery, StatsQuery),
    responses((status = 200, body = DriversReportDto), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn drivers(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Pairs(q): Pairs,
) -> Result<Json<DriversReportDto>, ApiError> {
    let analytics = st.app.analytics();
    let req = DriversQuery::parse(q, &analytics.config, now_ms())?;
    Ok(Json((&analytics.drivers(ws.id, req).await?).into()))
}

/// Kano summary of a survey: per Kano question the category shares, the dominant category
/// and the Better/Worse coefficients.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/kano", tag = "analytics",
    params(("id" = String, Path, description = "Survey id"), PeriodQuery, FilterQuery, StatsQuery),
    responses((status = 200, body = KanoReportDto),
        (status = 422, description = "The segment named is not a saved one", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn kano(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Pairs(q): Pairs,
) -> Result<Json<KanoReportDto>, ApiError> {
    let analytics = st.app.analytics();
    let scope = ScopeQuery::parse(q, &analytics.config, now_ms())?;
    Ok(Json((&analytics.kano(ws.id, &id, scope).await?).into()))
}
