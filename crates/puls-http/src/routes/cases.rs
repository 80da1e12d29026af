//! Cases (`/api/v1/cases`), alert rules (`/api/v1/alert-rules`) and the SLA policy
//! (`/api/v1/settings/sla`), the notification policy (`/api/v1/settings/notifications`) and
//! the root-cause codes (`/api/v1/settings/root-causes`) and the teams
//! (`/api/v1/settings/teams`): close the loop from a bad response to a fixed problem.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_app::cases::CaseActor;
use puls_store::DefinitionKind;
use puls_wire::ErrorBody;
use puls_wire::cases::{
    AlertRuleDto, CaseDto, CaseInput, CasePageDto, CasePatch, CaseQuery, CaseReportDto, CaseText,
    MetricFindingDto, PreviewQuery,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Input, Query};
use crate::routes::journeys::saved_status;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(case_report))
        .routes(routes!(get_case, update_case))
        .routes(routes!(note_case))
        .routes(routes!(reply_case))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(get_rule, put_rule, delete_rule))
        .routes(routes!(preview_rule))
        .routes(routes!(get_sla, put_sla))
        .routes(routes!(get_notifications, put_notifications))
        .routes(routes!(get_root_causes, put_root_causes))
        .routes(routes!(get_teams, put_teams))
}

/// The workspace's cases, newest first, with their SLA timers.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    params(CaseQuery),
    responses((status = 200, body = CasePageDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_cases(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<CaseQuery>,
) -> Result<Json<CasePageDto>, ApiError> {
    let limit = super::page_limit(q.limit)?;
    let mut filter = q.filter(puls_app::now_ms())?;
    filter.before = puls_wire::id_cursor(q.cursor.as_deref(), case_cursor)?;
    filter.limit = limit + 1;
    let mut cases = st.app.cases(ws.id, &filter).await?;
    let more = cases.len() as i64 > limit;
    cases.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            cases
                .last()
                .map(|c| format!("{}.{}", c.case.created_at, c.case.id))
        })
        .flatten();
    Ok(Json(CasePageDto {
        items: cases.iter().map(CaseDto::of).collect(),
        next_cursor,
    }))
}

/// The cases opened in a period: SLA compliance with Wilson intervals, business hours to
/// first response and to resolution (median, 90th percentile) overall, per team and per
/// touchpoint, root causes, and recovery of the re-surveyed detractors.
#[utoipa::path(get, path = "/api/v1/cases/report", tag = "cases",
    params(puls_wire::reports::PeriodQuery),
    responses((status = 200, body = CaseReportDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn case_report(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<puls_wire::reports::PeriodQuery>,
) -> Result<Json<CaseReportDto>, ApiError> {
    let period = q.period(&st.app.analytics().config, puls_app::now_ms())?;
    let report = st
        .app
        .case_report(ws.id, period.from_ms, period.to_ms)
        .await?;
    Ok(Json(CaseReportDto::of(&report)))
}

/// `created_at` and id of the last case of a page.
fn case_cursor(c: &str) -> Result<(i64, String), ()> {
    let (at, id) = c.split_once('.').ok_or(())?;
    if !id.starts_with("case_") {
        return Err(());
    }
    Ok((at.parse().map_err(|_| ())?, id.to_string()))
}

/// Opens a case by hand, from a response or on its own.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    request_body = CaseInput,
    responses((status = 201, body = CaseDto),
        (status = 404, description = "No such response", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_case(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Input(body): Input<CaseInput>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    let case = st
        .app
        .open_case(ws.id, &CaseActor::Api, body.into_app()?)
        .await?;
    Ok((StatusCode::CREATED, Json(CaseDto::of(&case))))
}

/// A case with its timers and its whole history.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_case(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<CaseDto>, ApiError> {
    Ok(Json(CaseDto::detailed(&st.app.case(ws.id, &id).await?)))
}

/// Changes a case's status, priority, owner, team, root cause or title; each change is
/// kept in its history and announced to webhooks (`case.updated`, `case.resolved`).
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body = CasePatch,
    responses((status = 200, body = CaseDto),
        (status = 409, description = "`bad_status_change` or `revision_conflict`", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn update_case(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(body): Input<CasePatch>,
) -> Result<Json<CaseDto>, ApiError> {
    let (change, revision) = body.into_app()?;
    let case = st
        .app
        .change_case(ws.id, &id, &CaseActor::Api, change, revision)
        .await?;
    Ok(Json(CaseDto::of(&case)))
}

/// Adds an internal note to a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body = CaseText,
    responses((status = 201, body = CaseDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn note_case(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(body): Input<CaseText>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    let case = st
        .app
        .note_case(ws.id, &id, &CaseActor::Api, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(CaseDto::of(&case))))
}

/// Replies to the customer by e-mail (through the outbox, in their language); the first
/// reply meets the first-response timer.
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body = CaseText,
    responses((status = 201, body = CaseDto),
        (status = 409, description = "`email_not_configured`", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn reply_case(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(body): Input<CaseText>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    let case = st
        .app
        .reply_case(ws.id, &id, &CaseActor::Api, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(CaseDto::of(&case))))
}

/// The workspace's alert rules.
#[utoipa::path(get, path = "/api/v1/alert-rules", tag = "cases",
    responses((status = 200, body = Vec<AlertRuleDto>)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_rules(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<Vec<AlertRuleDto>>, ApiError> {
    let rows = st.app.definitions(ws.id, DefinitionKind::AlertRule).await?;
    Ok(Json(rows.iter().map(AlertRuleDto::of).collect()))
}

async fn save_rule(
    st: &AppState,
    workspace_id: puls_core::WorkspaceId,
    path_key: Option<&str>,
    body: &puls_core::Value,
) -> Result<Response, ApiError> {
    let (saved, r) = st.app.save_alert_rule(workspace_id, path_key, body).await?;
    Ok((saved_status(saved), Json(AlertRuleDto::of(&r))).into_response())
}

/// Saves an alert rule (JSON or YAML; the key comes from the definition).
#[utoipa::path(post, path = "/api/v1/alert-rules", tag = "cases",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"key\", \"name\", \"conditions\", \"actions\"}`"),
    responses((status = 201, body = AlertRuleDto), (status = 200, body = AlertRuleDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_rule(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Response, ApiError> {
    save_rule(&st, ws.id, None, &body).await
}

/// Saves or replaces the alert rule `key`.
#[utoipa::path(put, path = "/api/v1/alert-rules/{key}", tag = "cases",
    params(("key" = String, Path, description = "Rule key")),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 201, body = AlertRuleDto), (status = 200, body = AlertRuleDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn put_rule(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    DefinitionBody(body): DefinitionBody,
) -> Result<Response, ApiError> {
    save_rule(&st, ws.id, Some(&key), &body).await
}

/// An alert rule.
#[utoipa::path(get, path = "/api/v1/alert-rules/{key}", tag = "cases",
    params(("key" = String, Path, description = "Rule key")),
    responses((status = 200, body = AlertRuleDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn get_rule(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<Json<AlertRuleDto>, ApiError> {
    let r = st
        .app
        .definition(ws.id, DefinitionKind::AlertRule, &key)
        .await?;
    Ok(Json(AlertRuleDto::of(&r)))
}

/// Deletes an alert rule (its cases stay).
#[utoipa::path(delete, path = "/api/v1/alert-rules/{key}", tag = "cases",
    params(("key" = String, Path, description = "Rule key")),
    responses((status = 204)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn delete_rule(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app
        .delete_definition(ws.id, DefinitionKind::AlertRule, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a metric rule finds at a moment (nothing is sent): each watched group's value,
/// interval, change and p-value for the last complete period, and whether it alarms.
#[utoipa::path(get, path = "/api/v1/alert-rules/{key}/preview", tag = "cases",
    params(("key" = String, Path, description = "Rule key"), PreviewQuery),
    responses((status = 200, body = Vec<MetricFindingDto>),
        (status = 409, description = "`not_a_metric_rule`", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, key = %key))]
async fn preview_rule(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(key): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> Result<Json<Vec<MetricFindingDto>>, ApiError> {
    let tz = st.app.analytics().config.time_zone.clone();
    let at = match &q.at {
        Some(s) => puls_wire::time::parse_time("at", s, &tz, puls_wire::time::Bound::Start)?,
        None => puls_app::now_ms(),
    };
    let found = st.app.preview_alert_rule(ws.id, &key, at).await?;
    Ok(Json(found.iter().map(MetricFindingDto::of).collect()))
}

/// The SLA policy: business hours, targets by priority, escalation.
#[utoipa::path(get, path = "/api/v1/settings/sla", tag = "cases",
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_sla(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = st.app.sla_policy(ws.id).await?;
    Ok(Json(puls_store::json::to_json(&p.to_value())))
}

/// Replaces the SLA policy; priorities left out keep their default targets.
#[utoipa::path(put, path = "/api/v1/settings/sla", tag = "cases",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"business_hours\": {\"time_zone\", \"days\", \"holidays\"}, \"targets\", \"warn_at_percent\", \"reassign_on_breach\"}`"),
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_sla(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = st.app.save_sla_policy(ws.id, &body).await?;
    Ok(Json(puls_store::json::to_json(&p.to_value())))
}

/// The notification policy: quiet hours and the daily digest's hour, in a time zone.
#[utoipa::path(get, path = "/api/v1/settings/notifications", tag = "cases",
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_notifications(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = st.app.notifications(ws.id).await?;
    Ok(Json(puls_store::json::to_json(&p.to_value())))
}

/// Replaces the notification policy; keys left out take their defaults (no quiet hours,
/// digests at 08:00, the server's time zone).
#[utoipa::path(put, path = "/api/v1/settings/notifications", tag = "cases",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"time_zone\", \"quiet_hours\": \"20:00-07:30\", \"digest_at\": \"08:00\", \"urgent_ignores_quiet_hours\"}`"),
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_notifications(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = st.app.save_notifications(ws.id, &body).await?;
    Ok(Json(puls_store::json::to_json(&p.to_value())))
}

/// The workspace's root-cause codes with their names (empty: any key is a root cause).
#[utoipa::path(get, path = "/api/v1/settings/root-causes", tag = "cases",
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_root_causes(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = st.app.root_causes(ws.id).await?;
    Ok(Json(puls_store::json::to_json(&list.to_value())))
}

/// Replaces the root-cause codes; from then on a case's root cause must be one of them.
#[utoipa::path(put, path = "/api/v1/settings/root-causes", tag = "cases",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"codes\": [{\"key\": \"courier_late\", \"name\": {\"pl\": \"Spóźniony kurier\"}}]}`"),
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_root_causes(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = st.app.save_root_causes(ws.id, &body).await?;
    Ok(Json(puls_store::json::to_json(&list.to_value())))
}

/// The workspace's teams with their names, leads and members (empty: any key is a team).
#[utoipa::path(get, path = "/api/v1/settings/teams", tag = "cases",
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_teams(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = st.app.teams(ws.id).await?;
    Ok(Json(puls_store::json::to_json(&list.to_value())))
}

/// Replaces the teams; from then on a case's team (and a rule's) must be one of them. A
/// breached case of a team goes to its lead; leads and members must be members of the
/// workspace (422 `not_a_member`).
#[utoipa::path(put, path = "/api/v1/settings/teams", tag = "cases",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"teams\": [{\"key\": \"couriers\", \"name\": {\"pl\": \"Kurierzy\"}, \"lead\": \"usr_…\", \"members\": [\"usr_…\"]}]}`"),
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_teams(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = st.app.save_teams(ws.id, &body).await?;
    Ok(Json(puls_store::json::to_json(&list.to_value())))
}
