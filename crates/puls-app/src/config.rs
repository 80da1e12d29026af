//! The configuration of a Puls process, one tree for every part: loaded by the CLI from
//! defaults, a TOML file, `PULS_` environment variables and flags, in that order (see `puls
//! config example`). The `http` and `rate_limit` sections are plain data read only by the
//! HTTP edge; the application reads the rest.

use serde::{Deserialize, Serialize};

/// Everything `puls serve` can be told.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub rate_limit: RateLimitConfig,
    pub analytics: AnalyticsConfig,
    pub tracking: TrackingConfig,
    pub contacts: ContactsConfig,
    pub webhooks: WebhooksConfig,
    pub outbox: OutboxConfig,
    pub metrics: MetricsConfig,
    pub smtp: SmtpConfig,
    pub sms: ProviderConfig,
    pub chat: ProviderConfig,
    pub text: TextConfig,
    pub kiosk: KioskConfig,
}

/// Reading comments offline (`scripts/text-model/fetch` installs the model).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TextConfig {
    /// The directory `scripts/text-model/fetch` filled; without it, `text-models` next to
    /// the `puls` binary. Without an install there, text analysis says it is not
    /// installed and everything else runs as usual.
    pub models_dir: Option<String>,
    /// Whether this node reads stored open answers in the background (when installed).
    pub analyse_answers: bool,
    /// How often the queue looks for new answers.
    pub poll_ms: u64,
    /// How long a node keeps a workspace's queue after its last chunk; another node takes
    /// over after that (it renews the lease for every chunk of 64 responses).
    pub lease_ms: u64,
}

impl Default for TextConfig {
    fn default() -> Self {
        TextConfig {
            models_dir: None,
            analyse_answers: true,
            poll_ms: 2_000,
            lease_ms: 60_000,
        }
    }
}

impl TextConfig {
    /// Where the model is looked for.
    pub fn models_dir(&self) -> std::path::PathBuf {
        match &self.models_dir {
            Some(d) => d.into(),
            None => std::env::current_exe()
                .ok()
                .and_then(|e| e.parent().map(|p| p.join("text-models")))
                .unwrap_or_else(|| "text-models".into()),
        }
    }
}

impl Config {
    /// The text-message provider of a channel (`[sms]` or `[chat]`); e-mail has none.
    pub fn provider(
        &self,
        channel: puls_core::distribution::SendChannel,
    ) -> Option<&ProviderConfig> {
        use puls_core::distribution::SendChannel;
        match channel {
            SendChannel::Email => None,
            SendChannel::Sms => Some(&self.sms),
            SendChannel::Chat => Some(&self.chat),
        }
    }
}

/// Kiosks (`?kiosk=1`): a shared device in a store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Responses one kiosk device may begin per survey in one clock hour (against
    /// ballot stuffing); 0: no limit.
    pub max_per_hour: i64,
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig { max_per_hour: 60 }
    }
}

/// A provider Puls sends text messages through (`[sms]`, `[chat]`): one generic HTTP
/// adapter. Without a `url`, Puls sends nothing on that channel. The request's body is
/// `body` with `{{to}}`, `{{from}}`, `{{text}}` and `{{reference}}` put in (escaped for
/// `content_type`: JSON string contents, or form-encoded); `reference` comes back in
/// delivery reports. Replies and delivery reports come to `/api/v1/sms/inbound` (or
/// `/api/v1/chat/inbound`), signed as Standard Webhooks with `inbound_secret` (`whsec_…`).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ProviderConfig {
    pub url: Option<String>,
    /// `POST` or `PUT`.
    pub method: String,
    /// `application/json` or `application/x-www-form-urlencoded`.
    pub content_type: String,
    pub body: String,
    /// A whole header line, e.g. `Authorization: Bearer …` (a secret: shown redacted).
    pub auth_header: Option<String>,
    /// The sender's name or number.
    pub from: String,
    /// The secret inbound webhooks are signed with (a secret: shown redacted).
    pub inbound_secret: Option<String>,
    pub timeout_secs: u64,
    /// The contact attribute that holds their address on this channel (a chat id such as
    /// a Messenger PSID, say); without it, the contact's phone number.
    pub address_attribute: Option<String>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            url: None,
            method: "POST".into(),
            content_type: "application/json".into(),
            body: r#"{"from": "{{from}}", "to": "{{to}}", "text": "{{text}}", "reference": "{{reference}}"}"#
                .into(),
            auth_header: None,
            from: "Puls".into(),
            inbound_secret: None,
            timeout_secs: 20,
            address_attribute: None,
        }
    }
}

/// The secrets are shown redacted.
impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<String>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("ProviderConfig")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("content_type", &self.content_type)
            .field("body", &self.body)
            .field("auth_header", &redacted(&self.auth_header))
            .field("from", &self.from)
            .field("inbound_secret", &redacted(&self.inbound_secret))
            .field("timeout_secs", &self.timeout_secs)
            .field("address_attribute", &self.address_attribute)
            .finish()
    }
}

/// The SMTP relay Puls sends e-mail through. Without a `host`, Puls sends no e-mail.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: Option<String>,
    pub port: u16,
    /// `starttls` (upgrade a plain connection; the usual on 587), `tls` (TLS from the
    /// start; 465) or `none` (a local relay only).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Puls <puls@example.com>`.
    pub from: String,
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 587,
            security: "starttls".into(),
            username: None,
            password: None,
            from: "Puls <puls@localhost>".into(),
            timeout_secs: 20,
        }
    }
}

/// The password is shown redacted.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Prometheus metrics. Off by default: they are for the operator, not the public.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve `GET /metrics` on the main listener too (only where that listener is not
    /// public, or behind a proxy that keeps `/metrics` in).
    pub enabled: bool,
    /// Serve `GET /metrics` on this address of its own (e.g. `127.0.0.1:9464`), whatever
    /// `enabled` says.
    pub listen: Option<String>,
}

/// Defaults of the analytics reports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsConfig {
    /// IANA time zone of dates, days, weeks and months when a request names none.
    pub time_zone: String,
    /// Results with fewer responses are flagged `small_sample`.
    pub min_n: u64,
    /// Build every workspace's indexes in the background when the server starts, so the
    /// first report does not wait for them.
    pub warm_up: bool,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        AnalyticsConfig {
            time_zone: "Europe/Warsaw".into(),
            min_n: 30,
            warm_up: true,
        }
    }
}

/// Limits of the Segment-compatible tracking API (Segment's own by default).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TrackingConfig {
    /// Largest request body, in bytes, after decompression.
    pub max_batch_bytes: usize,
    /// Largest message within a request, in bytes of JSON.
    pub max_message_bytes: usize,
    /// Most messages in one batch.
    pub max_batch_messages: usize,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        TrackingConfig {
            max_batch_bytes: 500 * 1024,
            max_message_bytes: 32 * 1024,
            max_batch_messages: 2500,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Address to listen on.
    pub listen: String,
    /// The URL respondents reach this server at, for survey links and QR codes.
    /// Defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Take the client address from the first `X-Forwarded-For` entry (only behind a proxy
    /// you control).
    pub trust_forwarded_for: bool,
    /// Seconds a client has to send a request's head; also how long an idle keep-alive
    /// connection stays open.
    pub header_read_timeout_secs: u64,
    /// Seconds a request body may stall (no bytes arriving) before the request fails.
    pub body_read_timeout_secs: u64,
    /// Client connections open at once; at the limit the oldest is asked to close. Lowered
    /// at start to what the open-file limit (`ulimit -n`) leaves room for.
    pub max_connections: usize,
    /// Seconds `puls serve` gives requests in flight to finish after SIGTERM or Ctrl-C
    /// before it closes what is still open and exits.
    pub shutdown_grace_secs: u64,
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (created when missing) or `postgres://USER@HOST/DB`.
    pub url: String,
    /// Connection pool size.
    pub max_connections: u32,
}

/// The URL may carry a password; `Debug` shows it redacted.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &puls_store::redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// Per-client limits on public endpoints (survey pages and submissions).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Sustained requests per second per client address; 0 turns the limit off.
    pub per_second: u32,
    /// Requests a client may make in a burst above the sustained rate.
    pub burst: u32,
}

/// Contacts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ContactsConfig {
    /// Largest CSV file `POST /api/v1/contacts/import` takes, in bytes. The upload is
    /// streamed, so this bounds how long one import runs, not memory; `http.max_body_bytes`
    /// does not apply to it.
    pub import_max_bytes: u64,
}

impl Default for ContactsConfig {
    fn default() -> Self {
        ContactsConfig {
            import_max_bytes: 1 << 30,
        }
    }
}

/// Webhooks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Allow webhook URLs on private, loopback and link-local addresses (off: a webhook
    /// cannot be pointed at the server's own network).
    pub allow_private_addresses: bool,
    /// A webhook is disabled after this many failed attempts in a row (an answer of 410
    /// Gone disables it at once).
    pub disable_after_failures: i64,
    /// How long one delivery may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            allow_private_addresses: false,
            disable_after_failures: 20,
            timeout_secs: 10,
        }
    }
}

/// The outbox: durable jobs any node claims, delivered with retries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// Run this node's outbox worker (sending and dispatching).
    pub enabled: bool,
    /// The first retry's delay, in milliseconds; each next one doubles it (with jitter),
    /// up to `max_retry_ms`.
    pub retry_base_ms: u64,
    pub max_retry_ms: u64,
    /// Attempts before a job fails for good.
    pub max_attempts: i64,
    /// How often an idle worker looks for due jobs, in milliseconds.
    pub poll_ms: u64,
    /// How long a claimed job is this node's, in milliseconds; a job whose node died is
    /// claimable again after it.
    pub lease_ms: u64,
    /// While this node's response writer is saturated (at least `busy_batch` writes
    /// waiting), background work (reading the response feed for rules and webhooks,
    /// sending) takes at most this share of the time, pausing between its pages; the rest
    /// follows when the load eases. 1 turns the brake off.
    pub busy_share: f64,
    pub busy_batch: usize,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            enabled: true,
            retry_base_ms: 5_000,
            max_retry_ms: 3_600_000,
            max_attempts: 15,
            poll_ms: 250,
            lease_ms: 60_000,
            busy_share: 0.05,
            busy_batch: 32,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            max_body_bytes: 256 * 1024,
            trust_forwarded_for: false,
            header_read_timeout_secs: 30,
            body_read_timeout_secs: 30,
            max_connections: 10_000,
            shutdown_grace_secs: 10,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://puls.db".into(),
            max_connections: 16,
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            per_second: 20,
            burst: 100,
        }
    }
}

impl Config {
    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.http.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.http.listen),
        }
    }

    /// The address links printed ahead of `puls serve` (by `puls demo`) can use: the public
    /// URL, or `http://{listen}`; `None` when the configuration lets the kernel pick the
    /// port (`:0`), since no one knows it before the server starts.
    pub fn known_public_url(&self) -> Option<String> {
        let picked_by_kernel = self
            .http
            .listen
            .rsplit_once(':')
            .is_some_and(|(_, p)| p == "0");
        (self.http.public_url.is_some() || !picked_by_kernel).then(|| self.public_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_debug_output() {
        let db = DatabaseConfig {
            url: "postgres://puls:s3cret@db/puls".into(),
            max_connections: 4,
        };
        let shown = format!("{db:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("puls:***@db"), "{shown}");
    }
}
