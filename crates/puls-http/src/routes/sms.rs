//! The text providers' webhooks (`/api/v1/sms/inbound`, `/api/v1/chat/inbound`): replies
//! (a score, or STOP) and delivery reports, signed as Standard Webhooks with the channel's
//! `inbound_secret`; nothing unsigned is read.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use puls_app::AppError;
use puls_app::sms::{SignedRequest, SmsHandled, SmsInbound};
use puls_core::FieldErrorKind;
use puls_core::distribution::SendChannel;
use puls_wire::ErrorBody;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbound))
        .routes(routes!(chat_inbound))
}

/// A reply or a delivery report, as the provider sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsInboundInput {
    /// `reply` or `status`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A reply's sender (the number Puls wrote to).
    pub from: Option<String>,
    /// A reply's text: a score (`9`), or `STOP`.
    pub text: Option<String>,
    /// A report's message: the `reference` Puls sent it with.
    pub reference: Option<String>,
    /// A report's status: `delivered`, `failed`, `undelivered`, `rejected`, `expired`.
    pub status: Option<String>,
}

/// What Puls made of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SmsHandledDto {
    /// `answered`, `unsubscribed`, `recorded` or `ignored`.
    pub handled: String,
    /// Why it was ignored: `unknown_number`, `not_a_score`, `unknown_reference`.
    pub reason: Option<String>,
    /// The survey a score answered.
    pub survey_id: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, AppError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or(AppError::Unauthorized)
}

/// Takes a reply or a delivery report from the SMS provider. A reply with a number
/// answers the first question of the survey last sent to that number (stored on channel
/// `sms`); STOP puts the number on the suppression list; a failed report marks the
/// invitation failed. Signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`) with `sms.inbound_secret`.
#[utoipa::path(post, path = "/api/v1/sms/inbound", tag = "distributions",
    request_body = SmsInboundInput,
    responses((status = 200, body = SmsHandledDto),
        (status = 400, description = "Not JSON, or not this shape", body = ErrorBody),
        (status = 401, description = "Not signed with the configured secret, or too old", body = ErrorBody),
        (status = 409, description = "`sms_not_configured`: no `sms.inbound_secret`", body = ErrorBody),
        (status = 422, description = "A field's problem", body = ErrorBody)))]
#[tracing::instrument(level = "debug", skip_all)]
async fn inbound(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SmsHandledDto>, ApiError> {
    handle(&st, SendChannel::Sms, &headers, &body).await
}

/// Takes a reply or a delivery report from the chat provider, as the SMS webhook does
/// (a score answers, STOP suppresses the chat address, a failed report fails the
/// invitation), signed with `chat.inbound_secret`.
#[utoipa::path(post, path = "/api/v1/chat/inbound", tag = "distributions",
    request_body = SmsInboundInput,
    responses((status = 200, body = SmsHandledDto),
        (status = 400, description = "Not JSON, or not this shape", body = ErrorBody),
        (status = 401, description = "Not signed with the configured secret, or too old", body = ErrorBody),
        (status = 409, description = "`chat_not_configured`: no `chat.inbound_secret`", body = ErrorBody),
        (status = 422, description = "A field's problem", body = ErrorBody)))]
#[tracing::instrument(level = "debug", skip_all)]
async fn chat_inbound(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SmsHandledDto>, ApiError> {
    handle(&st, SendChannel::Chat, &headers, &body).await
}

/// One webhook body for both channels.
async fn handle(
    st: &AppState,
    channel: SendChannel,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Json<SmsHandledDto>, ApiError> {
    let text = std::str::from_utf8(body).map_err(ApiError::malformed_json)?;
    let signed = SignedRequest {
        id: header(headers, "webhook-id")?,
        timestamp: header(headers, "webhook-timestamp")?,
        signatures: header(headers, "webhook-signature")?,
        body: text,
    };
    st.app
        .verify_text_inbound(channel, &signed, puls_store::now_ms() / 1000)?;
    let input: SmsInboundInput = serde_json::from_str(text).map_err(ApiError::malformed_json)?;
    let need = |v: Option<String>, field: &'static str| {
        v.filter(|s| !s.is_empty() && s.len() <= 1_600)
            .ok_or_else(|| AppError::field(field, FieldErrorKind::Required))
    };
    let msg = match input.kind.as_str() {
        "reply" => SmsInbound::Reply {
            from: need(input.from, "from")?,
            text: need(input.text, "text")?,
        },
        "status" => SmsInbound::Status {
            reference: need(input.reference, "reference")?,
            status: need(input.status, "status")?,
        },
        _ => {
            return Err(AppError::field(
                "type",
                FieldErrorKind::NotOneOf {
                    allowed: "reply, status".into(),
                },
            )
            .into());
        }
    };
    let dto = match st.app.text_inbound(channel, &msg).await? {
        SmsHandled::Answered { survey_id } => SmsHandledDto {
            handled: "answered".into(),
            reason: None,
            survey_id: Some(survey_id.to_string()),
        },
        SmsHandled::Unsubscribed => SmsHandledDto {
            handled: "unsubscribed".into(),
            reason: None,
            survey_id: None,
        },
        SmsHandled::Recorded => SmsHandledDto {
            handled: "recorded".into(),
            reason: None,
            survey_id: None,
        },
        SmsHandled::Ignored(why) => SmsHandledDto {
            handled: "ignored".into(),
            reason: Some(why.into()),
            survey_id: None,
        },
    };
    Ok(Json(dto))
}
