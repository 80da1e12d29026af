//! The web and in-app widget: its loader (`/widget.js`, under 2 KB gzipped), the one
//! question the loader asks (`/api/v1/widget/eligibility`, with the workspace's write key,
//! answered with CORS for the configured sites only), its settings
//! (`/api/v1/settings/widget`), and the framing rule of the survey pages: they may be
//! framed by Puls itself and by exactly the sites the survey's workspace configured.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use flate2::Compression;
use flate2::write::GzEncoder;
use puls_app::AppError;
use puls_app::widget::{Eligibility, WidgetAsk};
use puls_core::widget::Device;
use puls_html::{Lang, Text};
use puls_wire::ErrorBody;
use serde::{Deserialize, Serialize};
use sha2_11::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, DefinitionBody, Query};
use crate::state::AppState;

/// The loader, as written (readable; small enough as it is).
const LOADER: &str = include_str!("../../assets/widget.js");

/// The loader gzipped once, for clients that take it so.
pub static LOADER_GZIP: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    std::io::Write::write_all(&mut gz, LOADER.as_bytes()).expect("gzip in memory");
    gz.finish().expect("gzip in memory")
});

/// The survey pages' `Content-Security-Policy` without `frame-ancestors`: nothing from
/// elsewhere, inline styles, and the one script by its hash.
pub static PAGE_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD
        .encode(Sha256::digest(puls_html::FRAME_SCRIPT.as_bytes()));
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; \
         img-src 'self' data:; form-action 'self'; base-uri 'none'"
    )
});

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_widget_settings, put_widget_settings))
}

/// Routes anyone may call (a site's visitors), rate-limited with the public ones.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(eligibility))
        .routes(routes!(loader))
}

/// The widget's loader: include it on a site with
/// `<script src="https://PULS/widget.js" data-key="WRITE_KEY" async></script>`.
#[utoipa::path(get, path = "/widget.js", tag = "widget",
    responses((status = 200, description = "The loader script", content_type = "text/javascript")))]
async fn loader(headers: HeaderMap) -> Response {
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut resp = if gzip {
        let mut r = LOADER_GZIP.clone().into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        LOADER.into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// What the loader sends.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EligibilityQuery {
    /// The workspace's write key (public, like Segment's).
    key: String,
    /// The page's URL.
    url: String,
    /// `mobile` or `desktop` (default).
    device: Option<String>,
    /// The site's user id of the visitor, if signed in.
    uid: Option<String>,
    /// The browser's anonymous id.
    aid: Option<String>,
    /// The browser's languages, best first, comma-separated.
    lang: Option<String>,
}

/// The answer: show nothing, or this survey in a dialog after `delay_ms`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityDto {
    pub show: bool,
    pub survey_id: Option<String>,
    /// The survey's title, in `lang`.
    pub title: Option<String>,
    pub lang: Option<String>,
    /// The hosted survey page to frame.
    pub url: Option<String>,
    pub delay_ms: Option<i64>,
    /// The close button's name, in `lang`.
    pub close: Option<String>,
    /// Why nothing is shown: `frequency_cap` (the contact-frequency policy), or
    /// `nothing_to_show`.
    pub reason: Option<String>,
}

/// Whether this visitor should see a survey now, and which (the first placement that
/// matches the page and device, whose survey the person or browser was not shown within
/// its `every_days`, and that the contact-frequency policy allows; a survey shown counts
/// against the policy at once).
#[utoipa::path(get, path = "/api/v1/widget/eligibility", tag = "widget",
    params(EligibilityQuery),
    responses((status = 200, body = EligibilityDto),
        (status = 400, description = "`invalid_query`: a parameter is missing, unknown or malformed", body = ErrorBody),
        (status = 401, description = "Not an active write key", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`: a page of a site the settings do not name", body = ErrorBody)))]
#[tracing::instrument(level = "debug", skip_all)]
async fn eligibility(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<EligibilityQuery>,
) -> Result<Response, ApiError> {
    let ws = st.app.write_key_workspace(&q.key).await?;
    let device = match q.device.as_deref() {
        None => Device::Desktop,
        Some(d) => {
            Device::parse(d).ok_or_else(|| AppError::invalid("device: mobile or desktop"))?
        }
    };
    for (name, v, max) in [
        ("url", Some(&q.url), 2_000),
        ("uid", q.uid.as_ref(), 200),
        ("aid", q.aid.as_ref(), 200),
        ("lang", q.lang.as_ref(), 200),
    ] {
        if v.is_some_and(|v| v.chars().count() > max || v.contains('\0')) {
            return Err(AppError::invalid(format!("{name}: at most {max} characters")).into());
        }
    }
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null");
    let ask = WidgetAsk {
        url: &q.url,
        origin,
        user_id: q.uid.as_deref().filter(|s| !s.is_empty()),
        anonymous_id: q.aid.as_deref().filter(|s| !s.is_empty()),
        device,
        languages: q
            .lang
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .take(10)
            .collect(),
    };
    let shown = st.app.widget_eligibility(ws.id, &ask).await?;
    let dto = match shown {
        Eligibility::Not(why) => EligibilityDto {
            show: false,
            survey_id: None,
            title: None,
            lang: None,
            url: None,
            delay_ms: None,
            close: None,
            reason: Some(why.into()),
        },
        Eligibility::Show(s) => EligibilityDto {
            reason: None,
            show: true,
            close: Some(
                Text::WidgetClose
                    .get(Lang::for_locale(&s.locale))
                    .to_string(),
            ),
            survey_id: Some(s.survey_id.to_string()),
            title: Some(s.title),
            lang: Some(s.locale.to_string()),
            url: Some(s.url),
            delay_ms: Some(s.delay_ms),
        },
    };
    let mut resp = (StatusCode::OK, Json(dto)).into_response();
    let h = resp.headers_mut();
    // The answer is for this visitor only, and readable only by the site that asked.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(o) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
    }
    Ok(resp)
}

/// The widget's settings: the sites that may show surveys (and frame the survey pages),
/// and the placements.
#[utoipa::path(get, path = "/api/v1/settings/widget", tag = "widget",
    responses((status = 200, body = Object)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn get_widget_settings(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = st.app.widget_settings(ws.id).await?;
    Ok(Json(puls_store::json::to_json(&s.to_value())))
}

/// Replaces the widget's settings.
#[utoipa::path(put, path = "/api/v1/settings/widget", tag = "widget",
    request_body(content = Object, content_type = "application/json",
        description = "`{\"sites\": [\"https://shop.example\"], \"placements\": [{\"survey\": ID, \"pages\": [\"/thanks*\"], \"devices\": [\"mobile\", \"desktop\"], \"delay_seconds\", \"every_days\", \"channel\": \"web\" | \"in_app\", \"after_event\": {\"event\", \"within_days\"}, \"segment\", \"identified_only\"}]}`"),
    responses((status = 200, body = Object),
        (status = 422, description = "The settings' problems at their paths", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn put_widget_settings(
    State(st): State<AppState>,
    Auth(ws): Auth,
    DefinitionBody(body): DefinitionBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = st.app.save_widget_settings(ws.id, &body).await?;
    Ok(Json(puls_store::json::to_json(&s.to_value())))
}

/// The survey pages' policy: framed by Puls and by the sites of the survey's workspace's
/// widget settings, nothing else.
pub async fn framing(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let survey = req
        .uri()
        .path()
        .strip_prefix("/s/")
        .map(|rest| rest.split('/').next().unwrap_or("").to_string());
    let mut resp = next.run(req).await;
    let Some(survey) = survey else { return resp };
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return resp;
    }
    let mut ancestors = String::from("'self'");
    if let Ok(id) = puls_core::SurveyId::parse(&survey)
        && let Ok(Some(record)) = st.app.survey_record(&id).await
        && let Ok(settings) = st.app.widget_settings(record.workspace_id).await
    {
        for site in &settings.sites {
            ancestors.push(' ');
            ancestors.push_str(site);
        }
    }
    let policy = format!("{}; frame-ancestors {ancestors}", PAGE_POLICY.as_str());
    if let Ok(v) = HeaderValue::from_str(&policy) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}
