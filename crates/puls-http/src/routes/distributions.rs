//! Distributions (`/api/v1/surveys/{id}/distributions`, `/api/v1/distributions`): send a
//! survey by e-mail to an audience, follow what became of each message, cancel what has
//! not gone; a contact's messages; and the suppression list (`/api/v1/suppressions`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use puls_app::AppError;
use puls_core::FieldErrorKind;
use puls_core::distribution::{SendChannel, suppression_key};
use puls_wire::distributions::{
    DeliveryDto, DeliveryPageDto, DistributionDto, DistributionPageDto, PageQuery, ReachQuery,
    SuppressionDto, SuppressionEntryDto, SuppressionPageDto, SurveyReachDto,
};
use puls_wire::{ErrorBody, path};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_distribution))
        .routes(routes!(list_distributions))
        .routes(routes!(get_distribution))
        .routes(routes!(cancel_distribution))
        .routes(routes!(list_deliveries))
        .routes(routes!(survey_reach))
        .routes(routes!(contact_deliveries))
        .routes(routes!(list_suppressions))
        .routes(routes!(
            get_suppression,
            put_suppression,
            delete_suppression
        ))
        .routes(routes!(get_frequency, put_frequency))
}

/// The contact-frequency policy: how often one person may be asked, whatever the channel
/// (no caps: no limit).
#[utoipa::path(get, path = "/api/v1/settings/frequency", tag = "distributions",
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_frequency(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = st.app.frequency_policy(ws.id).await?;
    Ok(Json(puls_store::json::to_json(&p.to_value())))
}

/// Replaces the contact-frequency policy; every send decided from now on follows it.
#[utoipa::path(put, path = "/api/v1/settings/frequency", tag = "distributions",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"caps\": [{\"at_most\": 1, \"per_days\": 14}, {\"at_most\": 4, \"per_days\": 365}]}`"),
    responses((status = 200, body = Object),
        (status = 422, description = "The policy's problems at their paths", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_frequency(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = st.app.save_frequency_policy(ws.id, &body).await?;
    Ok(Json(puls_store::json::to_json(&p.to_value())))
}

/// A cursor this API gave: letters, digits, `_`, `.` and `-`, at most 100 of them.
fn cursor(c: Option<&str>) -> Result<Option<&str>, ApiError> {
    match c {
        None => Ok(None),
        Some(c)
            if !c.is_empty()
                && c.len() <= 100
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) =>
        {
            Ok(Some(c))
        }
        Some(_) => Err(AppError::invalid("cursor: not a cursor this API gave").into()),
    }
}

/// Sends a published survey by e-mail: one message per contact of the audience, in their
/// language, with a personal single-use link (and the first question's scores as links
/// with `embed_first_question`); reminders to those who have not completed. Contacts are
/// resolved now; each is counted as queued, suppressed or skipped with its reason.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/distributions", tag = "distributions",
    params(("id" = String, Path, description = "Survey id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters; the same key again gives the distribution made the first time")),
    request_body(content = Object, content_type = "application/json",
        description = "`{\"name\", \"channel\": \"email\", \"audience\": {\"all\": true} | {\"segment\": KEY} | {\"contacts\": [ID]}, \"embed_first_question\", \"send_at\", \"window\": {\"hours\": \"09:00-18:00\", \"time_zone\"}, \"reminders\": {\"count\", \"after_hours\"}, \"subject\": {LANG: TEXT}, \"message\": {LANG: TEXT}, \"sample\": {\"percent\"} | {\"margin_of_error\", \"confidence\", \"by\"}, \"quota\": {\"completed\"}}`"),
    responses((status = 201, body = DistributionDto),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 400, description = "`invalid_idempotency_key`", body = ErrorBody),
        (status = 409, description = "`survey_not_published`, `survey_closed` or `email_not_configured`", body = ErrorBody),
        (status = 422, description = "The definition's problems at their paths, or `unknown_segment`", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn create_distribution(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    DefinitionBody(body): DefinitionBody,
) -> Result<(StatusCode, Json<DistributionDto>), ApiError> {
    let survey = path::survey(&id)?;
    let key = super::idempotency_key(&headers)?.map(|k| format!("api:{k}"));
    let report = st
        .app
        .create_distribution(ws.id, &survey, &body, None, key)
        .await?;
    Ok((StatusCode::CREATED, Json(DistributionDto::of(&report))))
}

/// The workspace's distributions, newest first, with their counts.
#[utoipa::path(get, path = "/api/v1/distributions", tag = "distributions",
    params(PageQuery),
    responses((status = 200, body = DistributionPageDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_distributions(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<DistributionPageDto>, ApiError> {
    let limit = super::page_limit(q.limit)?;
    let mut items = st
        .app
        .distributions(ws.id, cursor(q.cursor.as_deref())?, limit + 1)
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(Json(DistributionPageDto {
        next_cursor: more
            .then(|| items.last().map(|d| d.record.id.clone()))
            .flatten(),
        items: items.iter().map(DistributionDto::of).collect(),
    }))
}

/// A distribution with its counts: queued, sent, failed, bounced, suppressed, skipped by
/// reason, reminders, responses begun and completed, and the response rate with its
/// interval.
#[utoipa::path(get, path = "/api/v1/distributions/{id}", tag = "distributions",
    params(("id" = String, Path, description = "Distribution id")),
    responses((status = 200, body = DistributionDto),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_distribution(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<DistributionDto>, ApiError> {
    let report = st.app.distribution_report(ws.id, &id).await?;
    Ok(Json(DistributionDto::of(&report)))
}

/// Cancels what a distribution has not sent yet: its waiting messages and its reminders.
#[utoipa::path(post, path = "/api/v1/distributions/{id}/cancel", tag = "distributions",
    params(("id" = String, Path, description = "Distribution id")),
    responses((status = 200, body = DistributionDto),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn cancel_distribution(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<DistributionDto>, ApiError> {
    let report = st.app.cancel_distribution(ws.id, &id).await?;
    Ok(Json(DistributionDto::of(&report)))
}

/// A distribution's messages, one per contact, by contact id.
#[utoipa::path(get, path = "/api/v1/distributions/{id}/deliveries", tag = "distributions",
    params(("id" = String, Path, description = "Distribution id"), PageQuery),
    responses((status = 200, body = DeliveryPageDto),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_deliveries(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<DeliveryPageDto>, ApiError> {
    let limit = super::page_limit(q.limit)?;
    let after = cursor(q.cursor.as_deref())?.unwrap_or("");
    let mut items = st.app.deliveries(ws.id, &id, after, limit + 1).await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(Json(DeliveryPageDto {
        next_cursor: more
            .then(|| items.last().map(|d| d.contact_id.clone()))
            .flatten(),
        items: items.iter().map(DeliveryDto::of).collect(),
    }))
}

/// What a contact was sent, and what not and why, newest first (at most 100).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/deliveries", tag = "distributions",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, body = Vec<DeliveryDto>),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn contact_deliveries(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliveryDto>>, ApiError> {
    let contact = st.app.contact(ws.id, &path::contact(&id)?).await?;
    let items = st.app.contact_deliveries(ws.id, &contact.id, 100).await?;
    Ok(Json(items.iter().map(DeliveryDto::of).collect()))
}

/// The suppression list as kept: salted hashes of addresses (never the addresses), with
/// why and when, newest first.
#[utoipa::path(get, path = "/api/v1/suppressions", tag = "distributions",
    params(PageQuery),
    responses((status = 200, body = SuppressionPageDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_suppressions(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<SuppressionPageDto>, ApiError> {
    let limit = super::page_limit(q.limit)?;
    let before = match cursor(q.cursor.as_deref())? {
        None => None,
        Some(c) => {
            let (at, hash) = c
                .split_once('.')
                .and_then(|(a, h)| Some((a.parse::<i64>().ok()?, h.to_string())))
                .ok_or_else(|| AppError::invalid("cursor: not a cursor this API gave"))?;
            Some((at, hash))
        }
    };
    let mut items = st.app.suppressions(ws.id, before, limit + 1).await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(Json(SuppressionPageDto {
        next_cursor: more
            .then(|| items.last().map(|s| format!("{}.{}", s.created_at, s.hash)))
            .flatten(),
        items: items.iter().map(SuppressionEntryDto::of).collect(),
    }))
}

/// Which list an address of the path is on (`?channel=`); without it, `email` for an
/// e-mail address and `sms` for a phone number.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChannelQuery {
    /// `email`, `sms` or `chat`.
    pub channel: Option<String>,
}

/// An address of the list, checked for its channel: an e-mail address (`email`), a phone
/// number (`sms`: digits, with a leading `+`), or a phone number or chat id (`chat`).
fn address(a: &str, q: &ChannelQuery) -> Result<(SendChannel, String), ApiError> {
    let channel = match q.channel.as_deref() {
        None if a.contains('@') => SendChannel::Email,
        None => SendChannel::Sms,
        Some(c) => SendChannel::parse(c).ok_or_else(|| {
            AppError::field(
                "channel",
                FieldErrorKind::NotOneOf {
                    allowed: SendChannel::allowed(),
                },
            )
        })?,
    };
    match channel {
        SendChannel::Email => puls_core::contact::Email::parse(a)
            .map(|e| (channel, e.as_str().to_string()))
            .map_err(|_| AppError::field("address", FieldErrorKind::InvalidEmail).into()),
        // Without a channel, an address that is neither is said not to be an e-mail
        // address (the usual case).
        SendChannel::Sms => puls_core::contact::Phone::parse(a)
            .map(|_| (channel, suppression_key(channel, a)))
            .map_err(|_| {
                let kind = if q.channel.is_some() {
                    FieldErrorKind::InvalidPhone
                } else {
                    FieldErrorKind::InvalidEmail
                };
                AppError::field("address", kind).into()
            }),
        SendChannel::Chat => {
            let key = suppression_key(channel, a);
            if key.is_empty() || key.chars().count() > 200 || key.chars().any(char::is_control) {
                return Err(AppError::field("address", FieldErrorKind::Empty).into());
            }
            Ok((channel, key))
        }
    }
}

/// Whether an e-mail address is on the suppression list, and why.
#[utoipa::path(get, path = "/api/v1/suppressions/{address}", tag = "distributions",
    params(("address" = String, Path, description = "An e-mail address, a phone number (+48600100200) for SMS, or a chat address with `channel=chat`"), ChannelQuery),
    responses((status = 200, body = SuppressionDto),
        (status = 422, description = "Neither an e-mail address nor a phone number", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_suppression(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(a): Path<String>,
    Query(q): Query<ChannelQuery>,
) -> Result<Json<SuppressionDto>, ApiError> {
    let (channel, a) = address(&a, &q)?;
    let reason = st.app.suppression_of(ws.id, channel, &a).await?;
    Ok(Json(SuppressionDto {
        address: a,
        channel: channel.as_str().into(),
        suppressed: reason.is_some(),
        reason,
    }))
}

/// Puts an e-mail address on the suppression list (reason `added`): nothing more is sent
/// to it from this workspace.
#[utoipa::path(put, path = "/api/v1/suppressions/{address}", tag = "distributions",
    params(("address" = String, Path, description = "An e-mail address, a phone number (+48600100200) for SMS, or a chat address with `channel=chat`"), ChannelQuery),
    responses((status = 200, body = SuppressionDto),
        (status = 422, description = "Neither an e-mail address nor a phone number", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_suppression(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(a): Path<String>,
    Query(q): Query<ChannelQuery>,
) -> Result<Json<SuppressionDto>, ApiError> {
    let (channel, a) = address(&a, &q)?;
    st.app.add_suppression(ws.id, channel, &a).await?;
    let reason = st.app.suppression_of(ws.id, channel, &a).await?;
    Ok(Json(SuppressionDto {
        address: a,
        channel: channel.as_str().into(),
        suppressed: true,
        reason,
    }))
}

/// Takes an e-mail address off the suppression list (the person asked to hear from you
/// again).
#[utoipa::path(delete, path = "/api/v1/suppressions/{address}", tag = "distributions",
    params(("address" = String, Path, description = "An e-mail address, a phone number (+48600100200) for SMS, or a chat address with `channel=chat`"), ChannelQuery),
    responses((status = 204, description = "Off the list"),
        (status = 404, description = "It was not on the list", body = ErrorBody),
        (status = 422, description = "Neither an e-mail address nor a phone number", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn delete_suppression(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(a): Path<String>,
    Query(q): Query<ChannelQuery>,
) -> Result<StatusCode, ApiError> {
    let (channel, a) = address(&a, &q)?;
    match st.app.remove_suppression(ws.id, channel, &a).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(AppError::NotFound("suppression").into()),
    }
}

/// A survey's reach: the messages of all its distributions and triggers, by channel and in
/// all (sent, failed, bounced, suppressed, skipped by reason, responses begun and
/// completed, the response rate with its interval), for a saved segment's members if
/// asked.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/reach", tag = "distributions",
    params(("id" = String, Path, description = "Survey id"), ReachQuery),
    responses((status = 200, body = SurveyReachDto),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 422, description = "`unknown_segment`", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn survey_reach(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<ReachQuery>,
) -> Result<Json<SurveyReachDto>, ApiError> {
    let survey = path::survey(&id)?;
    let reach = st
        .app
        .survey_reach(ws.id, &survey, q.segment.as_deref())
        .await?;
    Ok(Json(SurveyReachDto::of(
        survey.as_str(),
        q.segment.as_deref(),
        &reach,
    )))
}
