//! Shared state of a server process: the application, the page renderers, the per-client
//! rate limiter and the OpenAPI document.
//!
//! Nothing here is the only copy of anything: the application's caches hold immutable
//! survey versions or records trusted briefly, and rate-limit counters are per process by
//! design. Any number of processes can serve one PostgreSQL database.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use puls_app::{App, Config};

/// Cheap to clone; handlers get it through axum's `State`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// Every use case.
    pub app: App,
    pub config: Config,
    /// The URL respondents and users reach this server at, without a trailing slash.
    pub public_url: String,
    /// Every page: respondents' survey pages and the web app's.
    pub html: puls_html::Html,
    pub limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// The OpenAPI document, built once.
    pub openapi: utoipa::openapi::OpenApi,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The state of a server over `app`.
    pub fn new(app: App) -> Self {
        let config = app.config().clone();
        let limiter = NonZeroU32::new(config.rate_limit.per_second).map(|rate| {
            let burst = NonZeroU32::new(config.rate_limit.burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        AppState(Arc::new(Inner {
            public_url: config.public_url(),
            app,
            config,
            html: puls_html::Html::new(),
            limiter,
            openapi: crate::openapi_document(),
        }))
    }
}
