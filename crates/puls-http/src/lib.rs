//! The Puls HTTP server: the JSON API under `/api/v1`, hosted survey pages under `/s/`,
//! QR codes and the OpenAPI document.
//!
//! [`app`] builds the router for in-process tests; [`serve`] runs it on a bound listener
//! until a shutdown future resolves, within the limits of [`server`].

pub mod console;
pub mod error;
mod extract;
mod metrics;
mod openapi;
mod ratelimit;
mod routes;
pub mod server;
pub mod state;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;
pub use metrics::serve_metrics;
pub use openapi::openapi_document;
pub use state::AppState;

/// Every API route, listed once: `limited` wraps the public routes (survey pages and
/// submissions) in the per-client rate limit when the router serves, and is the identity
/// when only the OpenAPI document is wanted.
pub(crate) fn api_router(
    limited: impl Fn(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>,
) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::surveys::router())
        .merge(routes::responses::router())
        .merge(routes::analytics::router())
        .merge(routes::contacts::router())
        .merge(routes::events::router())
        .merge(routes::journeys::router())
        .merge(routes::segments::router())
        .merge(routes::webhooks::router())
        .merge(routes::cases::router())
        .merge(routes::distributions::router())
        .merge(routes::triggers::router())
        .merge(routes::widget::router())
        .merge(routes::email::router())
        .merge(routes::text::router())
        .merge(routes::tracking::router())
        .merge(routes::contacts_import::router())
        .merge(limited(routes::responses::public_router()))
        .merge(limited(routes::pages::router()))
        .merge(limited(routes::widget::public_router()))
        .merge(limited(routes::sms::public_router()))
        .merge(routes::email::public_router())
        .routes(routes!(routes::health::healthz))
        .routes(routes!(openapi_json))
}

/// This document: the OpenAPI 3 description of every endpoint.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
async fn openapi_json(axum::extract::State(st): axum::extract::State<AppState>) -> Response {
    axum::Json(st.openapi.clone()).into_response()
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let max_body = state.config.http.max_body_bytes;
    let body_timeout = Duration::from_secs(state.config.http.body_read_timeout_secs.max(1));
    let limiter = state.clone();
    let mut router =
        api_router(move |r| r.route_layer(from_fn_with_state(limiter.clone(), ratelimit::limit)))
            .split_for_parts()
            .0
            .merge(console::router(&state));
    // Survey pages may be framed by the widget's sites.
    router = router.route_layer(from_fn_with_state(state.clone(), routes::widget::framing));
    let metrics = &state.config.metrics;
    if metrics.enabled {
        router = router.route("/metrics", axum::routing::get(metrics::metrics));
    }
    // Requests are counted only when someone can read the count.
    if metrics.enabled || metrics.listen.is_some() {
        router = router.route_layer(from_fn_with_state(state.clone(), metrics::record));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::from(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::from(puls_app::AppError::NotFound("route")).into_response()
    } else {
        (StatusCode::NOT_FOUND, "not found").into_response()
    }
}

/// A known route called with a method it does not take: JSON under `/api/` like every
/// other API error (axum's default is an empty body). Axum still adds the `Allow` header.
async fn method_not_allowed(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            puls_wire::ErrorCode::MethodNotAllowed,
            "this route does not take that method; see the Allow header",
        )
        .into_response()
    } else {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then lets requests in flight
/// finish within `http.shutdown_grace_secs` ([`server`] has the limits).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let http = &state.config.http;
    let limits = server::Limits {
        header_read_timeout: Duration::from_secs(http.header_read_timeout_secs.max(1)),
        max_connections: http.max_connections,
        shutdown_grace: Duration::from_secs(http.shutdown_grace_secs),
    }
    .fitted(server::open_file_limit());
    if limits.max_connections < http.max_connections {
        tracing::warn!(
            configured = http.max_connections,
            used = limits.max_connections,
            "http.max_connections lowered to fit the open-file limit (ulimit -n)"
        );
    }
    server::run(listener, app(state), limits, shutdown).await
}
