//! E-mail opens, an administrator's opt-in: the workspace's e-mail settings
//! (`/api/v1/settings/email`, `{"track_opens": false}` by default) and the image that
//! invitations and reminders carry while opens are tracked (`/o/{token}.gif`, public): a
//! transparent 1×1 GIF that is never cached, answered alike for every token (known or
//! not, tracked or not, over the client's rate limit or not), so that it tells its caller
//! nothing; only the first open of a sent message is recorded, while tracking is on.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use puls_core::email_settings::EmailSettings;
use puls_wire::ErrorBody;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody};
use crate::state::AppState;

/// A transparent 1×1 GIF (GIF89a, one colour, transparent): 43 bytes.
pub const PIXEL_GIF: [u8; 43] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_email_settings, put_email_settings))
}

/// Routes anyone may call (mail programs loading a message's images). Not behind the
/// per-client rate limit: beyond it an open is not recorded, but the image is answered.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(open_image))
}

/// The workspace's e-mail settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EmailSettings)]
pub struct EmailSettingsDto {
    /// Whether invitations and reminders carry a 1×1 image that records their first open
    /// (off by default).
    pub track_opens: bool,
}

impl EmailSettingsDto {
    fn of(s: &EmailSettings) -> EmailSettingsDto {
        EmailSettingsDto {
            track_opens: s.track_opens,
        }
    }
}

/// The workspace's e-mail settings: whether opens are tracked (off until an owner or
/// administrator turns them on).
#[utoipa::path(get, path = "/api/v1/settings/email", tag = "distributions",
    responses((status = 200, body = EmailSettingsDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_email_settings(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<EmailSettingsDto>, ApiError> {
    let s = st.app.email_settings(ws.id).await?;
    Ok(Json(EmailSettingsDto::of(&s)))
}

/// Replaces the workspace's e-mail settings (an API key is its owners' and
/// administrators' to make; in the web app only they see this setting). With
/// `track_opens`, invitations and reminders sent from now on carry a 1×1 image in their
/// HTML part, and the first open of each is counted; turned off, no image is sent and no
/// open is counted, and the opens counted so far stay in the reports.
#[utoipa::path(put, path = "/api/v1/settings/email", tag = "distributions",
    request_body(content = EmailSettingsDto, content_type = "application/json",
        description = "`{\"track_opens\": false}`"),
    responses((status = 200, body = EmailSettingsDto),
        (status = 422, description = "The settings' problems at their paths (`track_opens`: `required`, `wrong_type`; another key: `unknown_field`)", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_email_settings(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<EmailSettingsDto>, ApiError> {
    let s = st.app.save_email_settings(ws.id, &body).await?;
    Ok(Json(EmailSettingsDto::of(&s)))
}

/// The open image of an invitation or reminder: a transparent 1×1 GIF, never cached, for
/// any token; records the message's first open while its workspace tracks opens.
#[utoipa::path(get, path = "/o/{file}", tag = "pages",
    params(("file" = String, Path, description = "The message's personal token, then `.gif`")),
    responses((status = 200, description = "A transparent 1×1 GIF, whatever the token", content_type = "image/gif")))]
#[tracing::instrument(skip_all)]
async fn open_image(
    State(st): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    if let Some(token) = file.strip_suffix(".gif")
        && !crate::ratelimit::exceeded(&st, &req)
        && let Err(e) = st.app.record_open(token).await
    {
        // The image is answered all the same: a mail program shows nothing of it.
        tracing::warn!(error = %e, "an open was not recorded");
    }
    gif()
}

/// The transparent GIF, with headers that keep every cache from keeping it.
fn gif() -> Response {
    let mut resp = (StatusCode::OK, PIXEL_GIF.as_slice()).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
