//! This node's operational metrics in the Prometheus text format: HTTP requests by route
//! (the route's pattern, never an id) and status with latency histograms, responses and
//! events taken in, open answers analysed and texts read, the outbox's attempts and failures by channel and its queue depth. Names
//! follow Prometheus's conventions (`puls_` prefix, `_total` counters, `_seconds`). The
//! edges record requests; the application records the rest; the HTTP edge serves the text
//! when `metrics` is configured.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::{App, AppError};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AttemptLabels {
    channel: String,
    /// `delivered`, `retry` or `failed`.
    outcome: String,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The metrics of one process.
pub struct Telemetry {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    responses: Counter,
    events: Counter,
    attempts: Family<AttemptLabels, Counter>,
    pending: Gauge,
    alerts: Counter,
    text_written: Counter,
    text_read: Counter,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Telemetry(..)")
    }
}

impl Default for Telemetry {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "puls_http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        registry.register(
            "puls_http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern and method",
            latency.clone(),
        );
        let responses = Counter::default();
        registry.register(
            "puls_responses_ingested",
            "Survey responses stored (new or continued)",
            responses.clone(),
        );
        let events = Counter::default();
        registry.register(
            "puls_events_ingested",
            "Behavioural events stored from the tracking API",
            events.clone(),
        );
        let attempts = Family::<AttemptLabels, Counter>::default();
        registry.register(
            "puls_outbox_attempts",
            "Delivery attempts of the outbox, by channel and outcome (retry and failed are failures)",
            attempts.clone(),
        );
        let pending = Gauge::default();
        registry.register(
            "puls_outbox_pending_jobs",
            "Jobs waiting in the outbox (all nodes; read when scraped)",
            pending.clone(),
        );
        let alerts = Counter::default();
        registry.register(
            "puls_alert_rules_matched",
            "Alert rules that matched a completed response",
            alerts.clone(),
        );
        let text_written = Counter::default();
        registry.register(
            "puls_text_answers_analysed",
            "Open answers whose text analysis this node stored",
            text_written.clone(),
        );
        let text_read = Counter::default();
        registry.register(
            "puls_text_texts_read",
            "Texts this node's model read (repeated texts are read once)",
            text_read.clone(),
        );
        Telemetry {
            alerts,
            text_written,
            text_read,
            registry,
            requests,
            latency,
            responses,
            events,
            attempts,
            pending,
        }
    }
}

impl Telemetry {
    /// One HTTP request: `route` is the matched pattern (`/api/v1/responses/{id}`), or
    /// `unmatched`.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
                method: method.to_string(),
            })
            .observe(seconds);
    }

    pub(crate) fn responses_ingested(&self, n: u64) {
        self.responses.inc_by(n);
    }

    pub(crate) fn alerts(&self, n: u64) {
        self.alerts.inc_by(n);
    }

    pub(crate) fn text_analysed(&self, written: u64, read: u64) {
        self.text_written.inc_by(written);
        self.text_read.inc_by(read);
    }

    pub(crate) fn events_ingested(&self, n: u64) {
        self.events.inc_by(n);
    }

    pub(crate) fn attempt(&self, channel: &str, outcome: &str) {
        self.attempts
            .get_or_create(&AttemptLabels {
                channel: channel.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }
}

impl App {
    /// This process's metrics.
    pub fn telemetry(&self) -> &Telemetry {
        &self.0.telemetry
    }

    /// The metrics as Prometheus text (the queue depth read now).
    pub async fn metrics_text(&self) -> Result<String, AppError> {
        let t = self.telemetry();
        t.pending.set(self.store().pending_jobs().await?);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &t.registry)
            .map_err(|e| anyhow::anyhow!("encoding the metrics: {e}"))?;
        Ok(out)
    }
}
