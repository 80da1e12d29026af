//! Survey management: create, read, list, update (new version), publish, close, delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use puls_core::Survey;
use puls_store::{NewSurvey, SurveyStatus, SurveyUpdate, now_ms};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::convert;
use crate::dto::{SurveyDto, SurveyList};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, DefinitionBody, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_survey, list_surveys))
        .routes(routes!(get_survey, update_survey, delete_survey))
        .routes(routes!(publish_survey))
        .routes(routes!(close_survey))
}

/// Parses a definition and returns it with its canonical JSON text.
fn parse_definition(v: &puls_core::Value) -> Result<(Survey, String), ApiError> {
    let survey = Survey::parse(v).map_err(ApiError::Validation)?;
    let text = convert::to_json(&survey.to_value()).to_string();
    Ok((survey, text))
}

/// Creates a survey from a definition: with `id` when given (the demo uses readable ids),
/// else a new random one. Shared by the API and the CLI.
pub async fn create_from_definition(
    store: &dyn puls_store::Store,
    workspace_id: i64,
    def: &puls_core::Value,
    id: Option<&str>,
    status: SurveyStatus,
) -> Result<puls_store::SurveyRecord, ApiError> {
    let (survey, text) = parse_definition(def)?;
    let title = survey
        .title
        .get(&survey.default_locale, &survey.default_locale);
    let id = id.map_or_else(new_survey_id, str::to_string);
    Ok(store
        .create_survey(NewSurvey {
            id: &id,
            workspace_id,
            status,
            title,
            touchpoint: survey.touchpoint.as_str(),
            definition: &text,
            now: now_ms(),
        })
        .await?)
}

/// A new random survey id: 10 lowercase letters and digits, easy to read from print.
fn new_survey_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Create a survey from a definition (JSON or YAML). It starts as a draft.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys",
    request_body(content = Object, description = "A survey definition", content_type = "application/json"),
    responses(
        (status = 201, body = SurveyDto),
        (status = 422, description = "The definition has problems; each is listed", body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn create_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(def): DefinitionBody,
) -> Result<(StatusCode, Json<SurveyDto>), ApiError> {
    let record = create_from_definition(&*st.store, ws.id, &def, None, SurveyStatus::Draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(SurveyDto::from_record(&record, &st.public_url, true)),
    ))
}

/// List the workspace's surveys, newest first.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys",
    responses((status = 200, body = SurveyList), (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_surveys(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<SurveyList>, ApiError> {
    let items = st
        .store
        .list_surveys(ws.id)
        .await?
        .iter()
        .map(|r| SurveyDto::from_record(r, &st.public_url, false))
        .collect();
    Ok(Json(SurveyList { items }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VersionQuery {
    /// An earlier version to read; default the current one.
    version: Option<i64>,
}

/// Get a survey with its definition (the current version, or `?version=N`).
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys",
    params(("id" = String, Path, description = "Survey id"), VersionQuery),
    responses((status = 200, body = SurveyDto), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn get_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<SurveyDto>, ApiError> {
    let mut record = st
        .store
        .get_survey(ws.id, &id)
        .await?
        .ok_or(ApiError::NotFound("survey"))?;
    if let Some(v) = q.version.filter(|v| *v != record.version) {
        record.definition = st
            .store
            .survey_definition(&id, v)
            .await?
            .ok_or(ApiError::NotFound("survey version"))?;
        record.version = v;
    }
    Ok(Json(SurveyDto::from_record(&record, &st.public_url, true)))
}

/// Replace the definition. This adds a version; responses keep the version they answered.
#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "surveys",
    params(("id" = String, Path, description = "Survey id")),
    request_body(content = Object, description = "A survey definition", content_type = "application/json"),
    responses((status = 200, body = SurveyDto), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn update_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    DefinitionBody(def): DefinitionBody,
) -> Result<Json<SurveyDto>, ApiError> {
    let (survey, text) = parse_definition(&def)?;
    let title = survey
        .title
        .get(&survey.default_locale, &survey.default_locale);
    let record = st
        .store
        .update_survey(
            ws.id,
            &id,
            SurveyUpdate {
                title,
                touchpoint: survey.touchpoint.as_str(),
                definition: &text,
                now: now_ms(),
            },
        )
        .await?;
    st.forget_survey(&id);
    let record = record.ok_or(ApiError::NotFound("survey"))?;
    Ok(Json(SurveyDto::from_record(&record, &st.public_url, true)))
}

async fn set_status(
    st: &AppState,
    workspace_id: i64,
    id: &str,
    status: SurveyStatus,
) -> Result<Json<SurveyDto>, ApiError> {
    let record = st
        .store
        .set_survey_status(workspace_id, id, status, now_ms())
        .await?;
    st.forget_survey(id);
    let record = record.ok_or(ApiError::NotFound("survey"))?;
    Ok(Json(SurveyDto::from_record(&record, &st.public_url, false)))
}

/// Publish a survey: its page and the submission endpoint start accepting responses.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/publish", tag = "surveys",
    params(("id" = String, Path, description = "Survey id")),
    responses((status = 200, body = SurveyDto), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
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
    responses((status = 200, body = SurveyDto), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
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
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn delete_survey(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let deleted = st.store.delete_survey(ws.id, &id).await?;
    st.forget_survey(&id);
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("survey"))
    }
}
