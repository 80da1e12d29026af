//! The Puls application: every use case (surveys and their versions, response submission,
//! contacts and their CSV import, tracking, searching and exporting responses, the
//! analytics engine, users, sessions and roles, keys) as typed functions on [`App`].
//!
//! It knows no HTTP and no HTML: callers pass typed inputs and get typed outputs or an
//! [`AppError`]. The HTTP edge (`puls-http`: the JSON API, the tracking API, survey pages,
//! the web app) and the CLI (`puls`) are two front ends on this crate; neither reaches
//! into the other.

pub mod alerts;
pub mod analytics;
pub mod cases;
pub mod config;
pub mod contact_fields;
pub mod contacts;
pub mod contacts_import;
pub mod definitions;
pub mod distributions;
pub mod email;
pub mod error;
pub mod exports;
pub mod keys;
pub mod manual;
pub mod metric_alerts;
pub mod notifications;
pub mod opens;
pub mod quotas;
pub mod recovery;
pub mod responses;
pub mod search;
pub mod sms;
pub mod surveys;
pub mod telemetry;
pub mod text;
pub mod text_aspects;
pub mod text_queue;
pub mod text_report;
pub mod tracking;
pub mod triggers;
pub mod users;
pub mod webhooks;
pub mod widget;

use std::sync::Arc;

use puls_store::{ResponseWriter, Store};

pub use analytics::Analytics;
pub use config::Config;
pub use error::{AppError, AppResult, Rejection};

/// The application: the store, the response writer, this node's analytics indexes and
/// caches. Cheap to clone; one per process.
#[derive(Clone)]
pub struct App(Arc<Inner>);

/// What an [`App`] holds.
pub struct Inner {
    store: Arc<dyn Store>,
    writer: ResponseWriter,
    analytics: Analytics,
    config: Config,
    surveys: surveys::SurveyCache,
    users: users::SignInBrake,
    telemetry: telemetry::Telemetry,
    /// Each workspace's suppression salt once read (it never changes).
    salts: std::sync::Mutex<std::collections::HashMap<puls_core::WorkspaceId, Arc<str>>>,
    /// Each workspace's active triggers, as this node last read them.
    triggers: triggers::TriggerCache,
    /// Each workspace's widget settings, as this node last read them.
    widget: widget::WidgetCache,
    /// The text model, once loaded.
    text: text::TextEngine,
    /// The text-analysis queue's cache and schedule on this node.
    text_queue: text_queue::QueueState,
}

impl App {
    /// Builds the application over `store` and starts the response writer on the current
    /// Tokio runtime.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        App(Arc::new(Inner {
            writer: ResponseWriter::spawn(store.clone()),
            analytics: Analytics::new(store.clone(), config.analytics.clone()),
            store,
            config,
            surveys: surveys::SurveyCache::default(),
            users: users::SignInBrake::new(),
            telemetry: telemetry::Telemetry::default(),
            salts: Default::default(),
            triggers: Default::default(),
            widget: Default::default(),
            text: Default::default(),
            text_queue: Default::default(),
        }))
    }

    /// Background work's manners: while this node's response writer is saturated (at
    /// least `outbox.busy_batch` writes waiting, or taken in the last quarter second),
    /// pauses so that the work just done (`worked`) is at most `outbox.busy_share` of the
    /// time (a pause is at most a second); returns how long it paused. Respondents'
    /// answers come first; what is put off stays in the database and follows.
    pub async fn yield_to_ingestion(&self, worked: std::time::Duration) -> std::time::Duration {
        let cfg = &self.config().outbox;
        // A share that is not a number turns the brake off rather than panicking.
        let share = if cfg.busy_share.is_finite() {
            cfg.busy_share.clamp(0.01, 1.0)
        } else {
            1.0
        };
        if share >= 1.0 || self.0.writer.pressure(now_ms(), 250) < cfg.busy_batch.max(1) {
            return std::time::Duration::ZERO;
        }
        let pause = worked.mul_f64((1.0 - share) / share).clamp(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_secs(1),
        );
        tokio::time::sleep(pause).await;
        pause
    }

    /// The store, for the administrative CLI commands that are plain storage calls.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.0.store
    }

    /// This node's analytics engine.
    pub fn analytics(&self) -> &Analytics {
        &self.0.analytics
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.0.store.backend()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.0.store.ping().await?)
    }
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    puls_store::now_ms()
}
