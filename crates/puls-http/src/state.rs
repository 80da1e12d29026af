//! Shared state of a server process: the store, the response writer, caches and limits.
//!
//! Nothing here is the only copy of anything: caches hold immutable survey versions, and
//! rate-limit counters are per process by design. Any number of processes can serve one
//! PostgreSQL database.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use puls_core::Survey;
use puls_store::{ResponseWriter, Store, SurveyRecord};

use crate::analytics::Analytics;
use crate::config::Config;
use crate::convert;
use crate::error::ApiError;

/// Cheap to clone; handlers get it through axum's `State`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub writer: ResponseWriter,
    /// This node's analytics indexes.
    pub analytics: Analytics,
    pub config: Config,
    pub public_url: String,
    pub pages: puls_web::Renderer,
    /// The web app's pages.
    pub console: puls_console::Console,
    /// Parsed versions by (survey id, survey creation time, version): a survey deleted and
    /// created again under the same id is a different survey.
    surveys: RwLock<HashMap<(String, i64, i64), Arc<Survey>>>,
    pub limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Sign-in attempts per email address: [`SIGN_IN_PER_MINUTE`] a minute, per process (a
    /// brake on password guessing, on top of argon2's cost; each node brakes on its own).
    pub sign_in_limiter: DefaultKeyedRateLimiter<String>,
    /// Survey records by id, as read within the last [`RECORD_TTL`].
    records: RwLock<HashMap<String, (Arc<SurveyRecord>, Instant)>>,
    /// The OpenAPI document, built once.
    pub openapi: utoipa::openapi::OpenApi,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Sign-in attempts allowed per email address and minute, per process.
pub const SIGN_IN_PER_MINUTE: u32 = 10;

/// Parsed survey versions kept at most; versions never change, so entries never go stale.
const SURVEY_CACHE_SIZE: usize = 10_000;

/// How long a node trusts the survey record it read (status, current version). Writes never
/// trust it: the writing transaction checks the survey again (`SurveyNotAccepting`). So
/// another node's change shows on this node's pages within this time, and in its
/// submissions at once. Changes made through this node are seen here at once.
pub const RECORD_TTL: Duration = Duration::from_secs(2);

impl AppState {
    /// Builds the state and starts the response writer on the current runtime.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let limiter = NonZeroU32::new(config.rate_limit.per_second).map(|rate| {
            let burst = NonZeroU32::new(config.rate_limit.burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        AppState(Arc::new(Inner {
            writer: ResponseWriter::spawn(store.clone()),
            analytics: Analytics::new(store.clone(), config.analytics.clone()),
            store,
            public_url: config.public_url(),
            config,
            pages: puls_web::Renderer::new(),
            console: puls_console::Console::new(),
            surveys: RwLock::new(HashMap::new()),
            records: RwLock::new(HashMap::new()),
            limiter,
            sign_in_limiter: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(SIGN_IN_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            )),
            openapi: crate::openapi_document(),
        }))
    }

    /// A survey by id (any workspace), from this node's short-lived cache or the store.
    pub async fn survey_record(&self, id: &str) -> Result<Option<Arc<SurveyRecord>>, ApiError> {
        if let Some((r, at)) = self.records.read().ok().and_then(|m| m.get(id).cloned())
            && at.elapsed() < RECORD_TTL
        {
            return Ok(Some(r));
        }
        let Some(r) = self.store.get_survey_public(id).await? else {
            self.forget_survey(id);
            return Ok(None);
        };
        let r = Arc::new(r);
        if let Ok(mut m) = self.records.write() {
            if m.len() >= SURVEY_CACHE_SIZE {
                m.clear();
            }
            m.insert(id.to_string(), (r.clone(), Instant::now()));
        }
        Ok(Some(r))
    }

    /// Drops this node's cached record of a survey, after a change or a refused write.
    pub fn forget_survey(&self, id: &str) {
        if let Ok(mut m) = self.records.write() {
            m.remove(id);
        }
    }

    /// The parsed definition of one version of the survey `record`, from the cache or the
    /// store (no round trip when `record` holds that very version).
    pub async fn survey_version(
        &self,
        record: &SurveyRecord,
        version: i64,
    ) -> Result<Arc<Survey>, ApiError> {
        let id = record.id.as_str();
        let key = (record.id.clone(), record.created_at, version);
        if let Some(s) = self.surveys.read().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(s);
        }
        let text = match record.version == version {
            true => record.definition.clone(),
            false => self
                .store
                .survey_definition(id, version)
                .await?
                .ok_or(ApiError::NotFound("survey version"))?,
        };
        let value = convert::parse_document(&text, false)
            .map_err(|e| anyhow::anyhow!(e))
            .with_context(|| format!("stored definition of survey {id} v{version} is not JSON"))?;
        let survey = Arc::new(
            Survey::parse(&value)
                .map_err(anyhow::Error::new)
                .with_context(|| {
                    format!("stored definition of survey {id} v{version} is invalid")
                })?,
        );
        if let Ok(mut m) = self.surveys.write() {
            if m.len() >= SURVEY_CACHE_SIZE {
                m.clear();
            }
            m.insert(key, survey.clone());
        }
        Ok(survey)
    }
}
