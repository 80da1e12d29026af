//! Webhooks (`/api/v1/webhooks`) and the outbox that delivers them (`/api/v1/outbox`):
//! register endpoints, rotate their secrets, and read and replay what was sent, attempt by
//! attempt.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use puls_app::AppError;
use puls_app::webhooks::{WebhookChange, WebhookFormat};
use puls_store::{JobFilter, JobState};
use puls_wire::webhooks::{
    JobDto, JobPageDto, OutboxQuery, WebhookDto, WebhookInput, WebhookPatch,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, Input, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(rotate_secret))
        .routes(routes!(list_jobs))
        .routes(routes!(get_job))
        .routes(routes!(replay_job))
}

/// The workspace's webhooks (without their secrets).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookDto>)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_webhooks(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    let hooks = st.app.webhooks(ws.id).await?;
    Ok(Json(hooks.iter().map(WebhookDto::of).collect()))
}

/// Registers a webhook. Deliveries follow the Standard Webhooks specification; the answer
/// carries the signing secret, once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = WebhookInput,
    responses((status = 201, body = WebhookDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_webhook(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Input(body): Input<WebhookInput>,
) -> Result<(StatusCode, Json<WebhookDto>), ApiError> {
    let hook = st
        .app
        .create_webhook(
            ws.id,
            &body.url,
            &body.event_types,
            body.description.as_deref().unwrap_or(""),
            body.format
                .as_deref()
                .map(WebhookFormat::parse)
                .transpose()?
                .unwrap_or_default(),
            body.locale.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(WebhookDto::with_secret(&hook))))
}

/// A webhook (without its secret).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, body = WebhookDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_webhook(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<WebhookDto>, ApiError> {
    Ok(Json(WebhookDto::of(&st.app.webhook(ws.id, &id).await?)))
}

/// Changes a webhook's URL, events or description, or enables (or disables) it.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    request_body = WebhookPatch,
    responses((status = 200, body = WebhookDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn update_webhook(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(body): Input<WebhookPatch>,
) -> Result<Json<WebhookDto>, ApiError> {
    let change = WebhookChange {
        url: body.url,
        event_types: body.event_types,
        description: body.description,
        enabled: body.enabled,
        locale: body.locale,
    };
    let hook = st.app.update_webhook(ws.id, &id, change).await?;
    Ok(Json(WebhookDto::of(&hook)))
}

/// Deletes a webhook; its pending messages are not sent.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 204)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn delete_webhook(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.delete_webhook(ws.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret (in the answer, once); the previous one keeps signing beside it
/// for 24 hours, so `webhook-signature` carries both until then.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, body = WebhookDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn rotate_secret(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<WebhookDto>, ApiError> {
    let hook = st.app.rotate_webhook_secret(ws.id, &id).await?;
    Ok(Json(WebhookDto::with_secret(&hook)))
}

/// `created_at` and id of the last job of a page.
fn job_cursor(c: &str) -> Result<(i64, String), ()> {
    let (at, id) = c.split_once('.').ok_or(())?;
    Ok((at.parse().map_err(|_| ())?, id.to_string()))
}

/// What the outbox sent and will send, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "webhooks",
    params(OutboxQuery),
    responses((status = 200, body = JobPageDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_jobs(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<JobPageDto>, ApiError> {
    let limit = super::page_limit(q.limit)?;
    let state = match q.state.as_deref() {
        None => None,
        Some(s) => Some(
            JobState::parse(s)
                .ok_or_else(|| AppError::invalid("state: one of pending, delivered, failed"))?,
        ),
    };
    let filter = JobFilter {
        target_id: q.webhook,
        state,
        before: puls_wire::id_cursor(q.cursor.as_deref(), job_cursor)?,
        limit: limit + 1,
    };
    let mut jobs = st.app.outbox_jobs(ws.id, &filter).await?;
    let more = jobs.len() as i64 > limit;
    jobs.truncate(limit as usize);
    let next_cursor = more
        .then(|| jobs.last().map(|j| format!("{}.{}", j.created_at, j.id)))
        .flatten();
    Ok(Json(JobPageDto {
        items: jobs.iter().map(JobDto::of).collect(),
        next_cursor,
    }))
}

/// A job with its body and every attempt.
#[utoipa::path(get, path = "/api/v1/outbox/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "Job (message) id")),
    responses((status = 200, body = JobDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_job(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<JobDto>, ApiError> {
    let (job, attempts) = st.app.outbox_job(ws.id, &id).await?;
    Ok(Json(JobDto::detailed(&job, &attempts)))
}

/// Sends a job again now, with the same `webhook-id`.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/replay", tag = "webhooks",
    params(("id" = String, Path, description = "Job (message) id")),
    responses((status = 202)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn replay_job(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.replay_job(ws.id, &id).await?;
    Ok(StatusCode::ACCEPTED)
}
