//! Survey management: create, read, list, update (new version), publish, close, delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use puls_core::WorkspaceId;
use puls_store::SurveyStatus;
use puls_wire::surveys::{SurveyDto, SurveyList, VersionQuery};
use puls_wire::{ErrorBody, path};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_survey, list_surveys))
        .routes(routes!(get_survey, update_survey, delete_survey))
        .routes(routes!(publish_survey))
        .routes(routes!(close_survey))
}

/// Create a survey from a definition (JSON or YAML). It starts as a draft.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys",
    request_body(content = Object, description = "A survey definition", content_type = "application/json"),
    responses((status = 201, body = SurveyDto),
        (status = 422, description = "The definition has problems; each is listed", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(def): DefinitionBody,
) -> Result<(StatusCode, Json<SurveyDto>), ApiError> {
    let record = st
        .app
        .create_survey(ws.id, &def, None, SurveyStatus::Draft)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SurveyDto::from_record(&record, &st.public_url, true)),
    ))
}

/// List the workspace's surveys, newest first.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys",
    responses((status = 200, body = SurveyList)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_surveys(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<SurveyList>, ApiError> {
    let items = st
        .app
        .surveys(ws.id)
        .await?
        .iter()
        .map(|r| SurveyDto::from_record(r, &st.public_url, false))
        .collect();
    Ok(Json(SurveyList { items }))
}

/// Get a survey with its definition (the current version, or `?version=N`).
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys",
    params(("id" = String, Path, description = "Survey id"), VersionQuery),
    responses((status = 200, body = SurveyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn get_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<SurveyDto>, ApiError> {
    let record = st.app.survey(ws.id, &path::survey(&id)?, q.version).await?;
    Ok(Json(SurveyDto::from_record(&record, &st.public_url, true)))
}

/// Replace the definition. This adds a version; responses keep the version they answered.
#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "surveys",
    params(("id" = String, Path, description = "Survey id")),
    request_body(content = Object, description = "A survey definition", content_type = "application/json"),
    responses((status = 200, body = SurveyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn update_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    DefinitionBody(def): DefinitionBody,
) -> Result<Json<SurveyDto>, ApiError> {
    let record = st
        .app
        .update_survey(ws.id, &path::survey(&id)?, &def)
        .await?;
    Ok(Json(SurveyDto::from_record(&record, &st.public_url, true)))
}

async fn set_status(
    st: &AppState,
    workspace_id: WorkspaceId,
    id: &str,
    status: SurveyStatus,
) -> Result<Json<SurveyDto>, ApiError> {
    let record = st
        .app
        .set_survey_status(workspace_id, &path::survey(id)?, status)
        .await?;
    Ok(Json(SurveyDto::from_record(&record, &st.public_url, false)))
}

/// Publish a survey: its page and the submission endpoint start accepting responses.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/publish", tag = "surveys",
    params(("id" = String, Path, description = "Survey id")),
    responses((status = 200, body = SurveyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn publish_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<SurveyDto>, ApiError> {
    set_status(&st, ws.id, &id, SurveyStatus::Published).await
}

/// Close a survey: it keeps its responses but accepts no more.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/close", tag = "surveys",
    params(("id" = String, Path, description = "Survey id")),
    responses((status = 200, body = SurveyDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn close_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<SurveyDto>, ApiError> {
    set_status(&st, ws.id, &id, SurveyStatus::Closed).await
}

/// Delete a survey with all its versions and responses. This cannot be undone.
#[utoipa::path(delete, path = "/api/v1/surveys/{id}", tag = "surveys",
    params(("id" = String, Path, description = "Survey id")),
    responses((status = 204, description = "Deleted")),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn delete_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.delete_survey(ws.id, &path::survey(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
