//! Puls's senders: the outbox worker that every `puls serve` node runs, the HTTP transport
//! it delivers webhooks with, and the SMTP mailer (`mail.rs`) it sends e-mail with. The policy (what becomes a job, signing, retries,
//! disabling endpoints) is the application's (`puls_app::webhooks`); this crate only runs
//! it on a timer and speaks HTTP.
//!
//! The transport follows no redirects (a 3xx is an answer, and a failure), times out, and
//! resolves names itself so that, unless `webhooks.allow_private_addresses` is set, it never
//! connects to a private, loopback or link-local address, whatever a name resolves to at
//! the moment of sending.

mod mail;
mod slack;
mod text;
pub use mail::SmtpMailer;
pub use text::HttpText;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use puls_app::App;
use puls_app::email::{Mailer, Senders};
use puls_app::webhooks::{Delivery, SlackNames, Transport, is_private, literal_ip};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Resolves names with the system's resolver, leaving out private addresses unless allowed.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow || !is_private(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// Webhook requests over HTTP(S).
pub struct HttpTransport {
    client: reqwest::Client,
    allow_private: bool,
}

impl HttpTransport {
    pub fn new(config: &puls_app::config::WebhooksConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(config.timeout_secs.clamp(1, 10)))
            .user_agent(concat!("Puls-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly {
                allow_private: config.allow_private_addresses,
            }))
            .build()?;
        Ok(HttpTransport {
            client,
            allow_private: config.allow_private_addresses,
        })
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn post(&self, url: &str, headers: &[(&'static str, String)], body: &str) -> Delivery {
        // A literal address skips the resolver: check it here.
        if let Some(ip) = reqwest::Url::parse(url).ok().as_ref().and_then(literal_ip)
            && !self.allow_private
            && is_private(ip)
        {
            return Delivery::Failed(format!("{ip} is a private address"));
        }
        let mut req = self.client.post(url).body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        match req.send().await {
            Ok(resp) => Delivery::Answered(resp.status().as_u16()),
            Err(e) => Delivery::Failed(error_chain(&e)),
        }
    }

    fn slack_message(&self, payload: &str, locale: &str, names: &SlackNames) -> String {
        slack::message(payload, locale, names)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out.chars().take(500).collect()
}

/// The configured SMTP relay as the outbox's mailer; `None` without `smtp.host`.
pub fn mailer(config: &puls_app::config::SmtpConfig) -> anyhow::Result<Option<Arc<dyn Mailer>>> {
    Ok(SmtpMailer::new(config)?.map(|m| Arc::new(m) as Arc<dyn Mailer>))
}

/// This node's name in attempts and leases: host name and process id.
pub fn node_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
    format!("{host}-{}", std::process::id())
}

/// How often a node looks for trigger occurrences that came due.
const TRIGGERS_EVERY: Duration = Duration::from_secs(5);

/// How often a node looks for cases to escalate.
const ESCALATION_EVERY: Duration = Duration::from_secs(30);

/// Runs the outbox on this node until the runtime stops: every `outbox.poll_ms`, turns
/// completed responses into webhook jobs and runs the alert rules on them (for the
/// workspaces whose feed lease it gets) and delivers due jobs, a batch at a time, as long
/// as there are any; every 5 s, fires the trigger occurrences that came due; every 30 s, escalates cases whose SLA timers call for it, evaluates
/// the metric alert rules, writes the daily digests, queues the reminders that are due and
/// finishes distributions a stopped node left half written.
pub fn spawn_worker(
    app: App,
    transport: Arc<dyn Transport>,
    mailer: Option<Arc<dyn Mailer>>,
) -> tokio::task::JoinHandle<()> {
    let node = node_name();
    // SMS and chat through their configured providers, if any (a bad configuration is
    // said once).
    let provider = |section: &str, config: &puls_app::config::ProviderConfig| match HttpText::new(
        section, config,
    ) {
        Ok(t) => t.map(|t| Arc::new(t) as Arc<dyn Mailer>),
        Err(e) => {
            tracing::error!(error = %e, "a text provider's configuration is invalid; nothing is sent on its channel");
            None
        }
    };
    let texter = provider("sms", &app.config().sms);
    let chatter = provider("chat", &app.config().chat);
    tokio::spawn(async move {
        let poll = Duration::from_millis(app.config().outbox.poll_ms.max(10));
        let render = |r: &puls_store::ResponseRecord| {
            serde_json::to_value(puls_wire::surveys::ResponseDto::from_record(r))
                .unwrap_or_default()
        };
        // SLA escalations need minute precision at most: checked on their own, slower
        // schedule (every node; each escalation happens once whoever gets there first).
        let mut escalated: Option<std::time::Instant> = None;
        let mut triggered: Option<std::time::Instant> = None;
        loop {
            let senders = Senders {
                mail: mailer.as_deref(),
                sms: texter.as_deref(),
                chat: chatter.as_deref(),
            };
            if let Err(e) = run_once(&app, &node, transport.as_ref(), senders, &render).await {
                tracing::warn!(error = %e, "outbox round failed; trying again");
            }
            // Trigger occurrences that came due (each fired once, whichever node takes it).
            if triggered.is_none_or(|t| t.elapsed() >= TRIGGERS_EVERY) {
                triggered = Some(std::time::Instant::now());
                if let Err(e) = app.run_triggers(puls_store::now_ms()).await {
                    tracing::warn!(error = %e, "trigger round failed; trying again");
                }
            }
            if escalated.is_none_or(|t| t.elapsed() >= ESCALATION_EVERY) {
                escalated = Some(std::time::Instant::now());
                if let Err(e) = app.escalate_cases(puls_store::now_ms()).await {
                    tracing::warn!(error = %e, "SLA escalation round failed; trying again");
                }
                // Metric rules look at complete weeks and months: checked on the same
                // schedule, each alarm sent once per rule, group and period.
                if let Err(e) = app.run_metric_alerts(puls_store::now_ms()).await {
                    tracing::warn!(error = %e, "metric alert round failed; trying again");
                }
                // Daily digests whose hour has come (each alert in one digest, whichever
                // node writes it).
                if let Err(e) = app.send_digests(puls_store::now_ms()).await {
                    tracing::warn!(error = %e, "digest round failed; trying again");
                }
                // Reminders of distributions to those who have not completed (each once,
                // whichever node takes it).
                if let Err(e) = app.send_reminders(puls_store::now_ms()).await {
                    tracing::warn!(error = %e, "reminder round failed; trying again");
                }
                // Distributions whose creation a stopped node left half written.
                if let Err(e) = app.resume_distributions(puls_store::now_ms()).await {
                    tracing::warn!(error = %e, "resuming distributions failed; trying again");
                }
            }
            tokio::time::sleep(poll).await;
        }
    })
}

/// One round: dispatch every feed this node can lease, then deliver until nothing is due.
pub async fn run_once(
    app: &App,
    node: &str,
    transport: &dyn Transport,
    senders: Senders<'_>,
    render: &(dyn Fn(&puls_store::ResponseRecord) -> serde_json::Value + Sync),
) -> Result<(), puls_app::AppError> {
    for ws in app.dispatch_workspaces().await? {
        app.dispatch_responses(ws, node, render).await?;
    }
    const BATCH: i64 = 32;
    loop {
        let started = std::time::Instant::now();
        if (app.deliver_due(node, transport, senders, BATCH).await? as i64) < BATCH {
            return Ok(());
        }
        app.yield_to_ingestion(started.elapsed()).await;
    }
}
