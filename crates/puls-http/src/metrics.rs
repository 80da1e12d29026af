//! Prometheus metrics at the edge: when metrics are configured, every routed request is
//! counted and timed by its route's pattern (never a path with ids in it), method and status; `GET /metrics` answers the
//! text, on the main listener when `metrics.enabled` and on `metrics.listen` of its own.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::ApiError;
use crate::state::AppState;

/// Records one request (a route layer, so the matched pattern is known).
pub(crate) async fn record(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // A clone of the matched path shares its text.
    let route = req.extensions().get::<MatchedPath>().cloned();
    // Methods outside the standard few are one label, so no client can grow the series.
    let method = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    let resp = next.run(req).await;
    st.app.telemetry().request(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        method,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}

/// `GET /metrics`: the Prometheus (OpenMetrics) text.
pub(crate) async fn metrics(State(st): State<AppState>) -> Response {
    match st.app.metrics_text().await {
        Ok(text) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Serves `/metrics` alone on `listener` (`metrics.listen`) until the process ends.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    let router = Router::new()
        .route("/metrics", get(metrics))
        .with_state(state);
    axum::serve(listener, router).await
}
