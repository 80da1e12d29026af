//! Triggers (`/api/v1/surveys/{id}/triggers`, `/api/v1/triggers`): invite a contact some
//! time after a behavioural event unless a later one makes it moot; follow each occurrence;
//! begin or cancel occurrences through the API; pause, resume, change or delete a trigger.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use puls_wire::distributions::PageQuery;
use puls_wire::triggers::{
    OccurrenceDto, OccurrenceInput, OccurrencePageDto, TriggerDto, TriggerListDto,
};
use puls_wire::{ErrorBody, path};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Input, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_trigger))
        .routes(routes!(list_triggers))
        .routes(routes!(get_trigger, put_trigger, delete_trigger))
        .routes(routes!(pause_trigger))
        .routes(routes!(resume_trigger))
        .routes(routes!(list_occurrences, begin_occurrence))
        .routes(routes!(cancel_occurrences))
}

/// Creates an active trigger of a published survey: when an event that `when` matches
/// arrives (through the tracking API), the person is invited by e-mail `delay` later,
/// unless an event that `cancel_when` matches arrives first; one invitation per person and
/// `occurrence` value.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/triggers", tag = "triggers",
    params(("id" = String, Path, description = "Survey id")),
    request_body(content = Object, content_type = "application/json",
        description = "`{\"name\", \"when\": {\"event\": NAME, \"where\": [{\"property\", \"op\", \"value\"}]}, \"occurrence\": PROPERTY, \"delay\": {\"days\", \"hours\", \"minutes\"}, \"cancel_when\": [{\"event\": NAME, \"where\": [...]}], \"expires_after_hours\", \"channel\": \"email\" | \"sms\" | \"in_app\", \"embed_first_question\", \"frequency_exempt\", \"window\", \"reminders\", \"subject\", \"message\"}`"),
    responses((status = 201, body = TriggerDto),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 409, description = "`survey_not_published`, `survey_closed`, `email_not_configured` or `sms_not_configured`", body = ErrorBody),
        (status = 422, description = "The definition's problems at their paths", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_trigger(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    DefinitionBody(body): DefinitionBody,
) -> Result<(StatusCode, Json<TriggerDto>), ApiError> {
    let survey = path::survey(&id)?;
    let report = st.app.create_trigger(ws.id, &survey, &body, None).await?;
    Ok((StatusCode::CREATED, Json(TriggerDto::of(&report))))
}

/// The workspace's triggers, newest first, with their counts.
#[utoipa::path(get, path = "/api/v1/triggers", tag = "triggers",
    responses((status = 200, body = TriggerListDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_triggers(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<TriggerListDto>, ApiError> {
    let items = st.app.triggers(ws.id).await?;
    Ok(Json(TriggerListDto {
        items: items.iter().map(TriggerDto::of).collect(),
    }))
}

/// A trigger with its counts: occurrences pending, fired, cancelled and skipped by reason;
/// the messages of its invitations; the response rate with its interval.
#[utoipa::path(get, path = "/api/v1/triggers/{id}", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    responses((status = 200, body = TriggerDto),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_trigger(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<TriggerDto>, ApiError> {
    Ok(Json(TriggerDto::of(
        &st.app.trigger_report(ws.id, &id).await?,
    )))
}

/// Replaces a trigger's definition (its survey stays). Occurrences already begun keep
/// their time; what they send follows the new definition.
#[utoipa::path(put, path = "/api/v1/triggers/{id}", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    request_body(content = Object, content_type = "application/json",
        description = "As for creating one"),
    responses((status = 200, body = TriggerDto),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`survey_not_published`, `survey_closed`, `email_not_configured` or `sms_not_configured`", body = ErrorBody),
        (status = 422, description = "The definition's problems at their paths", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_trigger(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<TriggerDto>, ApiError> {
    let report = st.app.update_trigger(ws.id, &id, &body).await?;
    Ok(Json(TriggerDto::of(&report)))
}

/// Deletes a trigger and its waiting occurrences; the invitations it made stay.
#[utoipa::path(delete, path = "/api/v1/triggers/{id}", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    responses((status = 204),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn delete_trigger(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.delete_trigger(ws.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pauses a trigger: events begin no occurrences, and those that come due meanwhile are
/// skipped (`trigger_paused`).
#[utoipa::path(post, path = "/api/v1/triggers/{id}/pause", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    responses((status = 200, body = TriggerDto),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn pause_trigger(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<TriggerDto>, ApiError> {
    let report = st.app.set_trigger_active(ws.id, &id, false).await?;
    Ok(Json(TriggerDto::of(&report)))
}

/// Resumes a paused trigger.
#[utoipa::path(post, path = "/api/v1/triggers/{id}/resume", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    responses((status = 200, body = TriggerDto),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn resume_trigger(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<TriggerDto>, ApiError> {
    let report = st.app.set_trigger_active(ws.id, &id, true).await?;
    Ok(Json(TriggerDto::of(&report)))
}

/// A trigger's occurrences, most recent first: when each happened, when it is (was) due,
/// and what became of it.
#[utoipa::path(get, path = "/api/v1/triggers/{id}/occurrences", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id"), PageQuery),
    responses((status = 200, body = OccurrencePageDto),
        (status = 400, description = "`invalid_query`: a cursor this API did not give", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_occurrences(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<OccurrencePageDto>, ApiError> {
    let limit = super::page_limit(q.limit)?;
    let before = q
        .cursor
        .as_deref()
        .map(OccurrenceDto::read_cursor)
        .transpose()?;
    let mut items = st
        .app
        .trigger_occurrences(ws.id, &id, before, limit + 1)
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(Json(OccurrencePageDto {
        next_cursor: more
            .then(|| items.last().map(OccurrenceDto::cursor))
            .flatten(),
        items: items.iter().map(OccurrenceDto::of).collect(),
    }))
}

/// Begins an occurrence for a contact from your own system (an order delivered, a ticket
/// closed): the contact is invited `delay` after `at`, unless it is cancelled first. The
/// same `key` again is the same occurrence.
#[utoipa::path(post, path = "/api/v1/triggers/{id}/occurrences", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    request_body = OccurrenceInput,
    responses((status = 202, description = "Stored; it fires when due"),
        (status = 404, description = "No such trigger or contact", body = ErrorBody),
        (status = 422, description = "A field's problem", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn begin_occurrence(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(body): Input<OccurrenceInput>,
) -> Result<StatusCode, ApiError> {
    occurrence(&st, ws.id, &id, body, false).await
}

/// Begins (or, `cancel`, cancels) the occurrence `body` names; 202 once stored.
async fn occurrence(
    st: &AppState,
    workspace_id: puls_core::WorkspaceId,
    id: &str,
    body: OccurrenceInput,
    cancel: bool,
) -> Result<StatusCode, ApiError> {
    let o = body.into_app()?;
    st.app
        .trigger_occurrence(
            workspace_id,
            id,
            &o.contact_id,
            o.key.as_deref(),
            o.at,
            cancel,
        )
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Cancels a contact's pending occurrence `key` (or, without a key, all of theirs that
/// happened before `at`); a key not begun yet is kept from beginning.
#[utoipa::path(post, path = "/api/v1/triggers/{id}/cancellations", tag = "triggers",
    params(("id" = String, Path, description = "Trigger id")),
    request_body = OccurrenceInput,
    responses((status = 202, description = "Stored"),
        (status = 404, description = "No such trigger or contact", body = ErrorBody),
        (status = 422, description = "A field's problem", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn cancel_occurrences(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(body): Input<OccurrenceInput>,
) -> Result<StatusCode, ApiError> {
    occurrence(&st, ws.id, &id, body, true).await
}
