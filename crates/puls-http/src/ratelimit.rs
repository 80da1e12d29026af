//! Per-client rate limits on public endpoints (survey pages and submissions).
//!
//! Counters live in each process: behind a load balancer the effective limit is the
//! configured one times the number of processes, which is acceptable for abuse protection
//! and keeps the hot path free of database round trips.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The client address: the socket peer, or the first `X-Forwarded-For` entry when trusted.
fn client_ip(st: &AppState, req: &Request) -> Option<IpAddr> {
    if st.config.http.trust_forwarded_for
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Whether the request's client is over its limit (this request counted), for a route
/// that answers the same whatever the limit but does less beyond it (the open image).
pub(crate) fn exceeded(st: &AppState, req: &Request) -> bool {
    matches!((&st.limiter, client_ip(st, req)),
        (Some(limiter), Some(ip)) if limiter.check_key(&ip).is_err())
}

/// Refuses a request over its client's limit with 429 and `Retry-After`.
pub async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if exceeded(&st, &req) {
        let mut resp = if req.uri().path().starts_with("/s/") {
            crate::routes::pages::too_many_requests(&st, &req)
        } else {
            ApiError::from(puls_app::AppError::RateLimited).into_response()
        };
        resp.headers_mut()
            .insert(RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        return resp;
    }
    next.run(req).await
}
