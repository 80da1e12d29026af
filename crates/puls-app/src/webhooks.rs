//! Webhooks and the outbox that delivers them.
//!
//! A workspace registers endpoints (URL, event types); each gets a signing secret shown once
//! (`whsec_` and base64), rotated with the old one signing beside the new for a day. Events
//! become **jobs** in the outbox, one per endpoint, whose id is derived from the endpoint,
//! the event type and its subject, so the same event never becomes two jobs and the
//! receiver can deduplicate on `webhook-id`. Completed responses reach the outbox through
//! the response change feed, read by one node at a time under a lease, with its cursor
//! stored: a response answered 2xx is stored, so its webhook can only be late, never lost.
//!
//! Delivery follows the Standard Webhooks specification: headers `webhook-id`,
//! `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` and the base64 of
//! HMAC-SHA256 over `id.timestamp.body` with the secret's key), body `{type, timestamp,
//! data}`. Any node claims due jobs by lease; a failed attempt is retried with exponential
//! backoff and jitter; an endpoint answering 410 is disabled at once, one failing a
//! configured number of times in a row is disabled too. Every attempt is kept.
//!
//! The sending itself is behind [`Transport`], so this layer knows no HTTP client; the
//! server's adapter refuses private addresses and follows no redirects.

use std::net::IpAddr;
use std::time::Instant;

use async_trait::async_trait;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use puls_core::WorkspaceId;
use puls_core::error::FieldErrorKind;
use puls_store::{
    AttemptRecord, ChangeCursor, ChangeKind, JobFilter, JobOutcome, JobRecord, NewJob,
    ResponseRecord, Verdict, WebhookRecord,
};
use rand::Rng;
use sha2_11::{Digest, Sha256};

use crate::{App, AppError, Rejection};

/// The event types a webhook can subscribe to.
pub const EVENT_TYPES: [&str; 5] = [
    "response.completed",
    "case.created",
    "case.updated",
    "case.resolved",
    "alert.fired",
];

/// The feed of completed responses, turned into `response.completed` jobs and run through
/// the alert rules.
pub(crate) const RESPONSES_FEED: &str = "responses";

/// How long an old secret keeps signing after a rotation.
const ROTATION_OVERLAP_MS: i64 = 24 * 3_600_000;

/// How a webhook's messages are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookFormat {
    /// Standard Webhooks: `{type, timestamp, data}`, signed.
    #[default]
    Standard,
    /// A Slack-compatible incoming webhook: `{text, blocks}` (Slack's Block Kit, with the
    /// text as the fallback), unsigned: the URL is the secret.
    Slack,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Standard => "standard",
            WebhookFormat::Slack => "slack",
        }
    }

    pub fn parse(s: &str) -> Result<Self, AppError> {
        match s {
            "standard" => Ok(WebhookFormat::Standard),
            "slack" => Ok(WebhookFormat::Slack),
            _ => Err(AppError::field(
                "format",
                FieldErrorKind::NotOneOf {
                    allowed: "standard, slack".into(),
                },
            )),
        }
    }
}

/// What to change of a webhook; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    /// `true` enables a disabled webhook (and forgets its failures); `false` disables it.
    pub enabled: Option<bool>,
    /// The language of a Slack-compatible channel's messages.
    pub locale: Option<String>,
}

/// The languages a Slack-compatible channel can speak.
pub const LOCALES: [&str; 3] = ["pl", "cs", "en"];

/// A channel's language, checked (422 at `locale`).
fn check_locale(locale: &str) -> Result<String, AppError> {
    if LOCALES.contains(&locale) {
        Ok(locale.to_string())
    } else {
        Err(AppError::field(
            "locale",
            FieldErrorKind::NotOneOf {
                allowed: LOCALES.join(", "),
            },
        ))
    }
}

/// What a receiver answered, or why nothing was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The HTTP status (a redirect is an answer too, and is not followed).
    Answered(u16),
    /// No answer: refused address, connection failure, timeout.
    Failed(String),
}

/// Sends one webhook request. The server's adapter is an HTTP client; tests may use it too.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    async fn post(&self, url: &str, headers: &[(&'static str, String)], body: &str) -> Delivery;

    /// Writes the Slack-compatible message of an event (the outbox payload) in `locale`,
    /// with the workspace's `names` for its keys (the server's adapter writes it with the
    /// web app's texts).
    fn slack_message(&self, payload: &str, locale: &str, names: &SlackNames) -> String;
}

/// The names a Slack message shows instead of an event's keys, in the channel's
/// language; a key without a name stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlackNames {
    /// The alert rule's name.
    pub rule: Option<String>,
    /// The survey's title.
    pub survey: Option<String>,
    /// The case's team's name.
    pub team: Option<String>,
    /// The touchpoint's name (a response's, or a metric alarm's group of touchpoints).
    pub touchpoint: Option<String>,
}

/// A new signing secret: `whsec_` and the base64 of 24 random bytes.
fn new_secret() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill(&mut key[..]);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// The Standard Webhooks signature header: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
/// for each secret, space-separated.
pub fn signature(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = base64::engine::general_purpose::STANDARD
                .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
                .ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            Some(format!(
                "v1,{}",
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The jobs that announce one event to those of `hooks` (the workspace's webhooks, read
/// already) that are enabled and take `event_type`: what [`App::event_jobs`] makes after
/// reading them.
pub(crate) fn hook_jobs(
    hooks: &[WebhookRecord],
    workspace_id: WorkspaceId,
    event_type: &str,
    key: &str,
    data: serde_json::Value,
    now: i64,
) -> Vec<NewJob> {
    let body = serde_json::json!({
        "type": event_type,
        "timestamp": puls_core::instant::format(now),
        "data": data,
    })
    .to_string();
    hooks
        .iter()
        .filter(|h| h.enabled() && h.event_types.iter().any(|e| e == event_type))
        .map(|h| NewJob {
            id: message_id(&h.id, event_type, key),
            workspace_id,
            channel: "webhook".into(),
            target_id: h.id.clone(),
            event_type: event_type.into(),
            payload: body.clone(),
            next_at: now,
        })
        .collect()
}

/// The stable id of the message of `event` about `subject` to `target`.
pub fn message_id(target: &str, event: &str, subject: &str) -> String {
    let digest = Sha256::digest(format!("{target}\n{event}\n{subject}").as_bytes());
    format!("msg_{}", hex::encode(&digest[..16]))
}

/// Whether an address is one a webhook may not reach unless the administrator allows it:
/// loopback, private, link-local, unique-local, unspecified, multicast or broadcast.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 0
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The address a URL names without asking a resolver: an IP literal, or `localhost`.
pub fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(d) => (d == "localhost" || d.ends_with(".localhost"))
            .then_some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
    }
}

/// Checks a webhook URL: absolute http(s), a host, no credentials, at most 2,000
/// characters; a literal private address only when allowed. (Names are checked when
/// sending, against every address they resolve to.)
fn check_url(url: &str, allow_private: bool) -> Result<String, AppError> {
    let bad = |why: &str| AppError::rejected(Rejection::InvalidWebhookUrl, format!("url: {why}"));
    let url = url.trim();
    if url.chars().count() > 2000 {
        return Err(bad("at most 2,000 characters"));
    }
    let parsed = url::Url::parse(url).map_err(|e| bad(&format!("not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("credentials do not belong in the URL"));
    }
    if parsed.host().is_none() {
        return Err(bad("the URL has no host"));
    }
    if let Some(ip) = literal_ip(&parsed)
        && !allow_private
        && is_private(ip)
    {
        return Err(AppError::rejected(
            Rejection::PrivateAddress,
            "url: a private, loopback or link-local address; this server does not allow \
             webhooks to its own network (webhooks.allow_private_addresses)",
        ));
    }
    Ok(parsed.to_string())
}

fn check_events(events: &[String]) -> Result<Vec<String>, AppError> {
    let mut errs = Vec::new();
    if events.is_empty() {
        errs.push(puls_core::FieldError {
            path: "event_types".into(),
            kind: FieldErrorKind::Empty,
        });
    }
    for (i, e) in events.iter().enumerate() {
        if !EVENT_TYPES.contains(&e.as_str()) {
            errs.push(puls_core::FieldError {
                path: format!("event_types[{i}]"),
                kind: FieldErrorKind::NotOneOf {
                    allowed: EVENT_TYPES.join(", "),
                },
            });
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(puls_core::FieldErrors(errs)));
    }
    let mut out = events.to_vec();
    out.sort();
    out.dedup();
    Ok(out)
}

/// An id of ours (`wh_…`, `msg_…`: lowercase letters and digits after the prefix); any
/// other text names nothing, so it is not found (and never reaches the database).
fn our_id<'a>(id: &'a str, prefix: &str, what: &'static str) -> Result<&'a str, AppError> {
    match id.strip_prefix(prefix) {
        Some(rest)
            if !rest.is_empty()
                && rest.len() <= 64
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            Ok(id)
        }
        _ => Err(AppError::NotFound(what)),
    }
}

/// A description as stored: trimmed, at most 500 characters, no NUL (which no database
/// text holds).
fn description(text: &str) -> Result<String, AppError> {
    if text.contains('\0') {
        return Err(AppError::field("description", FieldErrorKind::NulCharacter));
    }
    Ok(text.trim().chars().take(500).collect())
}

/// The next try after `attempts` failed ones: base · 2^(attempts−1), at most `max`, with
/// ±20 % jitter so endpoints that failed together are not retried together.
pub fn backoff_ms(attempts: i64, base_ms: u64, max_ms: u64) -> i64 {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let delay = base_ms.saturating_mul(1u64 << exp).min(max_ms) as f64;
    let jitter = rand::rng().random_range(0.8..1.2);
    (delay * jitter) as i64
}

impl App {
    /// Registers a webhook; its secret is in the answer and never shown again in full.
    pub async fn create_webhook(
        &self,
        workspace_id: WorkspaceId,
        url: &str,
        event_types: &[String],
        description_text: &str,
        format: WebhookFormat,
        locale: Option<&str>,
    ) -> Result<WebhookRecord, AppError> {
        let url = check_url(url, self.config().webhooks.allow_private_addresses)?;
        let event_types = check_events(event_types)?;
        let locale = check_locale(locale.unwrap_or("en"))?;
        let now = puls_store::now_ms();
        let hook = WebhookRecord {
            id: format!("wh_{}", ulid::Ulid::new().to_string().to_lowercase()),
            workspace_id,
            url,
            event_types,
            description: description(description_text)?,
            secret: new_secret(),
            previous_secret: None,
            previous_until: None,
            failures: 0,
            disabled_at: None,
            disabled_reason: None,
            created_at: now,
            updated_at: now,
            format: format.as_str().into(),
            locale,
        };
        // Responses completed from here on reach the webhook.
        self.start_response_feed(workspace_id).await?;
        self.store().create_webhook(&hook).await?;
        tracing::info!(workspace = workspace_id.get(), webhook = %hook.id, "webhook created");
        Ok(hook)
    }

    pub async fn webhooks(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<WebhookRecord>, AppError> {
        Ok(self.store().webhooks(workspace_id).await?)
    }

    pub async fn webhook(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<WebhookRecord, AppError> {
        let id = our_id(id, "wh_", "webhook")?;
        self.store()
            .webhook(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("webhook"))
    }

    /// Changes a webhook's URL, events, description, or whether it is enabled.
    pub async fn update_webhook(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        change: WebhookChange,
    ) -> Result<WebhookRecord, AppError> {
        let mut hook = self.webhook(workspace_id, id).await?;
        if let Some(url) = &change.url {
            hook.url = check_url(url, self.config().webhooks.allow_private_addresses)?;
        }
        if let Some(events) = &change.event_types {
            hook.event_types = check_events(events)?;
        }
        if let Some(d) = &change.description {
            hook.description = description(d)?;
        }
        if let Some(l) = &change.locale {
            hook.locale = check_locale(l)?;
        }
        let now = puls_store::now_ms();
        match change.enabled {
            Some(true) => {
                hook.disabled_at = None;
                hook.disabled_reason = None;
                hook.failures = 0;
            }
            Some(false) if hook.disabled_at.is_none() => {
                hook.disabled_at = Some(now);
                hook.disabled_reason = Some("disabled by a user".into());
            }
            _ => {}
        }
        hook.updated_at = now;
        if !self.store().update_webhook(&hook).await? {
            return Err(AppError::NotFound("webhook"));
        }
        Ok(hook)
    }

    /// A new secret; the old one keeps signing beside it for a day, so receivers can move
    /// over without losing a message.
    pub async fn rotate_webhook_secret(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<WebhookRecord, AppError> {
        let mut hook = self.webhook(workspace_id, id).await?;
        let now = puls_store::now_ms();
        hook.previous_secret = Some(std::mem::replace(&mut hook.secret, new_secret()));
        hook.previous_until = Some(now + ROTATION_OVERLAP_MS);
        hook.updated_at = now;
        if !self.store().update_webhook(&hook).await? {
            return Err(AppError::NotFound("webhook"));
        }
        Ok(hook)
    }

    pub async fn delete_webhook(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<(), AppError> {
        let id = our_id(id, "wh_", "webhook")?;
        match self.store().delete_webhook(workspace_id, id).await? {
            true => Ok(()),
            false => Err(AppError::NotFound("webhook")),
        }
    }

    /// A workspace's outbox jobs, newest first.
    pub async fn outbox_jobs(
        &self,
        workspace_id: WorkspaceId,
        filter: &JobFilter,
    ) -> Result<Vec<JobRecord>, AppError> {
        // A webhook id that is not one lists nothing.
        if let Some(t) = &filter.target_id
            && our_id(t, "wh_", "webhook").is_err()
        {
            return Ok(Vec::new());
        }
        if let Some((_, id)) = &filter.before
            && our_id(id, "msg_", "job").is_err()
        {
            return Err(AppError::InvalidCursor);
        }
        Ok(self.store().jobs(workspace_id, filter).await?)
    }

    /// A job with its attempts.
    pub async fn outbox_job(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<(JobRecord, Vec<AttemptRecord>), AppError> {
        let id = our_id(id, "msg_", "job")?;
        let job = self
            .store()
            .job(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("job"))?;
        let attempts = self.store().attempts(&job.id).await?;
        Ok((job, attempts))
    }

    /// Sends a job again from now, with the same id (a receiver that has it ignores it).
    pub async fn replay_job(&self, workspace_id: WorkspaceId, id: &str) -> Result<(), AppError> {
        let id = our_id(id, "msg_", "job")?;
        match self
            .store()
            .replay_job(workspace_id, id, puls_store::now_ms())
            .await?
        {
            true => Ok(()),
            false => Err(AppError::NotFound("job")),
        }
    }

    /// The jobs that announce one event (`{type, timestamp, data}`) to the workspace's
    /// enabled webhooks that take `event_type`; `key` tells this event from others of its
    /// type (the message id is derived from it).
    pub(crate) async fn event_jobs(
        &self,
        workspace_id: WorkspaceId,
        event_type: &str,
        key: &str,
        data: serde_json::Value,
        now: i64,
    ) -> Result<Vec<NewJob>, AppError> {
        let hooks = self.store().webhooks(workspace_id).await?;
        Ok(hook_jobs(&hooks, workspace_id, event_type, key, data, now))
    }

    /// Starts the workspace's feed of completed responses now, if it has not started.
    pub(crate) async fn start_response_feed(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<(), AppError> {
        let head = self.store().change_head().await?;
        Ok(self
            .store()
            .start_feed(workspace_id, RESPONSES_FEED, head.0)
            .await?)
    }

    /// Turns responses completed since the workspace's feed cursor into `response.completed`
    /// jobs for its enabled webhooks and runs them through its alert rules, when this node
    /// gets the feed's lease; `render` gives a response's `data`. Returns the jobs that were
    /// new.
    pub async fn dispatch_responses(
        &self,
        workspace_id: WorkspaceId,
        node: &str,
        render: &(dyn Fn(&ResponseRecord) -> serde_json::Value + Sync),
    ) -> Result<u64, AppError> {
        let store = self.store();
        let now = puls_store::now_ms();
        let lease = self.config().outbox.lease_ms as i64;
        let Some(cursor) = store
            .lease_feed(workspace_id, RESPONSES_FEED, node, now, now + lease)
            .await?
        else {
            return Ok(0);
        };
        let changes = store
            .changes_since(workspace_id, ChangeCursor(cursor))
            .await?;
        let hooks: Vec<WebhookRecord> = store
            .webhooks(workspace_id)
            .await?
            .into_iter()
            .filter(|h| h.enabled() && h.event_types.iter().any(|e| e == "response.completed"))
            .collect();
        let rules = self.alert_rules(workspace_id).await?;
        let mut created = 0;
        // The feed runs for webhooks, alert rules and re-surveys: read it whatever started it.
        {
            let mut ids: Vec<puls_core::ResponseId> = changes
                .changes
                .iter()
                .filter_map(|c| match &c.kind {
                    ChangeKind::Response(id) => Some(id.clone()),
                    ChangeKind::SurveyDeleted => None,
                })
                .collect();
            ids.sort();
            ids.dedup();
            // Paused while ingestion is saturated, but not past a third of the lease.
            let mut paused = std::time::Duration::ZERO;
            let most = std::time::Duration::from_millis(lease as u64 / 3);
            let chunks = ids.chunks(500).count();
            for (i, chunk) in ids.chunks(500).enumerate() {
                let started = Instant::now();
                let responses = store.responses_by_ids(workspace_id, chunk).await?;
                let mut jobs = Vec::new();
                for r in responses
                    .iter()
                    .filter(|r| r.completed && !hooks.is_empty())
                {
                    let completed_at = r.completed_at.unwrap_or(r.updated_at);
                    let body = serde_json::json!({
                        "type": "response.completed",
                        "timestamp": puls_core::instant::format(completed_at),
                        "data": render(r),
                    });
                    for h in hooks.iter().filter(|h| completed_at >= h.created_at) {
                        jobs.push(NewJob {
                            id: message_id(&h.id, "response.completed", r.id.as_str()),
                            workspace_id,
                            channel: "webhook".into(),
                            target_id: h.id.clone(),
                            event_type: "response.completed".into(),
                            payload: body.to_string(),
                            next_at: now,
                        });
                    }
                }
                created += store.enqueue(&jobs).await?;
                created += self
                    .alert_on(workspace_id, &rules, &responses, None)
                    .await?
                    .jobs;
                self.record_recoveries(workspace_id, &responses).await?;
                // Not after the last page (it only delays the cursor), and never past the
                // budget (a pause is at most a second).
                if i + 1 < chunks && paused + std::time::Duration::from_secs(1) <= most {
                    paused += self.yield_to_ingestion(started.elapsed()).await;
                }
            }
        }
        store
            .save_feed(workspace_id, RESPONSES_FEED, node, changes.cursor.0)
            .await?;
        Ok(created)
    }

    /// Every workspace whose completed responses feed webhooks.
    pub async fn dispatch_workspaces(&self) -> Result<Vec<WorkspaceId>, AppError> {
        Ok(self.store().feed_workspaces(RESPONSES_FEED).await?)
    }

    /// Claims due jobs for `node` and delivers them through `transport`, recording each
    /// attempt; returns how many were attempted.
    pub async fn deliver_due(
        &self,
        node: &str,
        transport: &dyn Transport,
        senders: crate::email::Senders<'_>,
        limit: i64,
    ) -> Result<usize, AppError> {
        let store = self.store();
        let cfg = &self.config().outbox;
        let now = puls_store::now_ms();
        let jobs = store
            .claim_jobs(node, now, now + cfg.lease_ms as i64, limit)
            .await?;
        let n = jobs.len();
        // Endpoints in parallel, each one's jobs in order: a job after a 410 finds its
        // endpoint disabled and is not sent.
        let mut by_target: Vec<Vec<JobRecord>> = Vec::new();
        for job in jobs {
            match by_target
                .iter_mut()
                .find(|g| g[0].target_id == job.target_id)
            {
                Some(group) => group.push(job),
                None => by_target.push(vec![job]),
            }
        }
        let groups = by_target.into_iter().map(|group| async move {
            match group[0].channel.as_str() {
                "email" => return self.deliver_emails(node, senders.mail, group).await,
                "sms" => return self.deliver_emails(node, senders.sms, group).await,
                "chat" => return self.deliver_emails(node, senders.chat, group).await,
                _ => {}
            }
            // The endpoint is read once per group and kept current by each attempt; the
            // group's plain successes are recorded together (at least once: a node that
            // dies before recording them sends them again, under the same ids).
            let mut hook = self
                .store()
                .webhook(group[0].workspace_id, &group[0].target_id)
                .await?;
            let mut delivered = Vec::new();
            let mut failed = None;
            for job in group {
                match self
                    .deliver(node, transport, job, hook, &mut delivered)
                    .await
                {
                    Ok(h) => hook = h,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            // What was delivered is recorded even when a later step failed.
            self.finish_delivered(&mut delivered).await?;
            failed.map_or(Ok(()), Err)
        });
        for r in futures::future::join_all(groups).await {
            r?;
        }
        Ok(n)
    }

    /// Delivers one job to `hook` (its endpoint as last known) and returns the endpoint as
    /// it is after the attempt. A success that changes nothing of the endpoint is left in
    /// `delivered` to be recorded with others; anything else is recorded at once, after
    /// the successes before it.
    async fn deliver(
        &self,
        node: &str,
        transport: &dyn Transport,
        job: JobRecord,
        hook: Option<WebhookRecord>,
        delivered: &mut Vec<(JobRecord, AttemptRecord)>,
    ) -> Result<Option<WebhookRecord>, AppError> {
        let store = self.store();
        let hook = match hook {
            Some(h) if h.enabled() => h,
            other => {
                store
                    .fail_job(
                        &job.id,
                        "the webhook is disabled or deleted",
                        puls_store::now_ms(),
                    )
                    .await?;
                return Ok(other);
            }
        };
        let started = Instant::now();
        let at = puls_store::now_ms();
        let timestamp = at / 1000;
        let mut secrets = vec![hook.secret.as_str()];
        if let (Some(old), Some(until)) = (&hook.previous_secret, hook.previous_until)
            && until > at
        {
            secrets.push(old);
        }
        let delivery = if hook.format == WebhookFormat::Slack.as_str() {
            let headers = [("content-type", "application/json".to_string())];
            let names = self
                .slack_names(job.workspace_id, &job.payload, &hook.locale)
                .await?;
            let body = transport.slack_message(&job.payload, &hook.locale, &names);
            transport.post(&hook.url, &headers, &body).await
        } else {
            let headers = [
                ("content-type", "application/json".to_string()),
                ("webhook-id", job.id.clone()),
                ("webhook-timestamp", timestamp.to_string()),
                (
                    "webhook-signature",
                    signature(&secrets, &job.id, timestamp, &job.payload),
                ),
            ];
            transport.post(&hook.url, &headers, &job.payload).await
        };
        let n = job.attempts + 1;
        let (status, error, ok, gone) = match &delivery {
            Delivery::Answered(s) if (200..300).contains(s) => (Some(*s), None, true, false),
            Delivery::Answered(410) => (Some(410), Some("410 Gone".to_string()), false, true),
            Delivery::Answered(s) => (Some(*s), Some(format!("answered {s}")), false, false),
            Delivery::Failed(e) => (None, Some(e.clone()), false, false),
        };
        let outcome = self.outcome(ok, gone, n);
        let attempt = AttemptRecord {
            n,
            at,
            status: status.map(i64::from),
            error,
            duration_ms: started.elapsed().as_millis() as i64,
            node: node.to_string(),
        };
        // A success of an endpoint without failures changes nothing of it.
        if ok && hook.failures == 0 {
            delivered.push((job, attempt));
            return Ok(Some(hook));
        }
        self.finish_delivered(delivered).await?;
        self.finish(&job, &attempt, outcome).await?;
        let reason = if gone {
            "the endpoint answered 410 Gone".to_string()
        } else {
            format!(
                "{} failed attempts in a row",
                self.config().webhooks.disable_after_failures
            )
        };
        let after = store
            .webhook_attempted(
                job.workspace_id,
                &hook.id,
                &Verdict {
                    ok,
                    disable_after: self.config().webhooks.disable_after_failures,
                    disable_now: gone,
                    reason: &reason,
                    now: puls_store::now_ms(),
                },
            )
            .await?;
        if let Some(h) = &after
            && !h.enabled()
        {
            let reason = h.disabled_reason.clone().unwrap_or_default();
            tracing::warn!(
                workspace = job.workspace_id.get(),
                webhook = %h.id,
                reason,
                "webhook disabled"
            );
            // The owners hear of it once per disabling.
            self.email_owners(
                job.workspace_id,
                "webhook_disabled",
                &format!("{}:{}", h.id, h.disabled_at.unwrap_or_default()),
                serde_json::json!({"url": h.url, "reason": reason, "webhook": h.id}),
            )
            .await?;
        }
        Ok(after)
    }

    /// What becomes of a job after its `n`th attempt: delivered, failed for good (refused
    /// for good, or out of attempts), or tried again after a backoff.
    pub(crate) fn outcome(&self, ok: bool, refused: bool, n: i64) -> JobOutcome {
        let cfg = &self.config().outbox;
        if ok {
            JobOutcome::Delivered
        } else if refused || n >= cfg.max_attempts {
            JobOutcome::Failed
        } else {
            JobOutcome::Retry(
                puls_store::now_ms() + backoff_ms(n, cfg.retry_base_ms, cfg.max_retry_ms),
            )
        }
    }

    /// The names of an event's rule, survey and team in `locale`, for its Slack message.
    async fn slack_names(
        &self,
        workspace_id: WorkspaceId,
        payload: &str,
        locale: &str,
    ) -> Result<SlackNames, AppError> {
        let v: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
        let d = &v["data"];
        let rule = match d["rule"].as_str() {
            Some(key) => self
                .alert_rules(workspace_id)
                .await?
                .iter()
                .find(|r| r.key.as_str() == key)
                .map(|r| r.name.get(locale).to_string()),
            None => None,
        };
        let survey = match d["survey_id"]
            .as_str()
            .and_then(|s| puls_core::SurveyId::parse(s).ok())
        {
            Some(id) => self.survey_record(&id).await?.map(|r| r.title.clone()),
            None => None,
        };
        let team = match d["team"].as_str() {
            Some(key) => Some(
                self.teams(workspace_id)
                    .await?
                    .name(key, locale)
                    .to_string(),
            ),
            None => None,
        };
        // The response's touchpoint, or the metric alarm's group when it is one.
        let touchpoint = match (
            d["touchpoint"].as_str(),
            d["by"].as_str(),
            d["group"].as_str(),
        ) {
            (Some(key), _, _) | (None, Some("touchpoint"), Some(key)) => Some(
                self.touchpoint_names(workspace_id)
                    .await?
                    .get(key, locale)
                    .to_string(),
            ),
            _ => None,
        };
        Ok(SlackNames {
            rule,
            survey,
            team,
            touchpoint,
        })
    }

    /// Keeps the successful attempts in `delivered` (emptying it) in one transaction, and
    /// counts them.
    async fn finish_delivered(
        &self,
        delivered: &mut Vec<(JobRecord, AttemptRecord)>,
    ) -> Result<(), AppError> {
        if delivered.is_empty() {
            return Ok(());
        }
        let done: Vec<(&str, &AttemptRecord, JobOutcome)> = delivered
            .iter()
            .map(|(job, a)| (job.id.as_str(), a, JobOutcome::Delivered))
            .collect();
        self.store().finish_attempts(&done).await?;
        for (job, _) in delivered.drain(..) {
            self.telemetry().attempt(&job.channel, "delivered");
        }
        Ok(())
    }

    /// Keeps an attempt and what became of its job, and counts it.
    async fn finish(
        &self,
        job: &JobRecord,
        attempt: &AttemptRecord,
        outcome: JobOutcome,
    ) -> Result<(), AppError> {
        self.store()
            .finish_attempt(&job.id, attempt, outcome)
            .await?;
        self.telemetry()
            .attempt(&job.channel, outcome_name(outcome));
        Ok(())
    }
}

/// An attempt's outcome as the telemetry counts it.
pub(crate) fn outcome_name(outcome: JobOutcome) -> &'static str {
    match outcome {
        JobOutcome::Delivered => "delivered",
        JobOutcome::Retry(_) => "retry",
        JobOutcome::Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let two = signature(&[secret, secret], id, 1614265330, body);
        assert_eq!(two.split(' ').count(), 2);
    }

    #[test]
    fn urls_and_addresses_are_checked() {
        for bad in [
            "ftp://x.example",
            "http://user:pw@x.example/",
            "nope",
            "http://",
        ] {
            assert!(check_url(bad, true).is_err(), "{bad}");
        }
        for private in [
            "http://127.0.0.1:9/",
            "http://localhost/",
            "http://10.1.2.3/",
            "http://[::1]/",
            "http://169.254.169.254/latest",
            "http://[fd00::1]/",
        ] {
            assert!(
                matches!(
                    check_url(private, false),
                    Err(AppError::Rejected(Rejection::PrivateAddress, _))
                ),
                "{private}"
            );
            assert!(check_url(private, true).is_ok(), "{private}");
        }
        assert!(check_url("https://hooks.example.com/puls?x=1", false).is_ok());
        assert!(!is_private("93.184.216.34".parse().unwrap()));
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_with_jitter() {
        for attempts in 1..=10 {
            let d = backoff_ms(attempts, 1000, 60_000);
            let plain = (1000u64 << (attempts - 1)).min(60_000) as f64;
            assert!((d as f64) >= plain * 0.8 - 1.0 && (d as f64) <= plain * 1.2 + 1.0);
        }
    }

    #[test]
    fn a_message_id_is_stable_per_target_event_and_subject() {
        let a = message_id("wh_1", "response.completed", "rsp_1");
        assert_eq!(a, message_id("wh_1", "response.completed", "rsp_1"));
        assert_ne!(a, message_id("wh_2", "response.completed", "rsp_1"));
        assert!(a.starts_with("msg_") && a.len() == 36);
    }
}
