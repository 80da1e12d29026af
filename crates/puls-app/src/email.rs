//! E-mail through the outbox. A message is a job on the `email` channel whose payload names
//! the recipient, the language and a template with its values ([`EmailJob`]); the sender
//! (`puls-send`) renders it (`puls-html`'s e-mail templates, with a plain-text part) and
//! hands it to the SMTP relay. Nothing is queued unless `smtp.host` is set.

use async_trait::async_trait;
use puls_core::WorkspaceId;
use puls_store::NewJob;
use serde::{Deserialize, Serialize};

use std::time::Instant;

use futures::StreamExt;
use puls_store::{AttemptRecord, DeliveryStatus, JobOutcome, JobRecord};

use crate::distributions::Gate;
use crate::webhooks::message_id;
use crate::{App, AppError};

/// E-mails a node sends at once, each on its own connection to the relay. Many: a
/// message's time is mostly waiting (lettre writes the end of the data apart from the
/// body, and the relay's delayed acknowledgement holds that write for up to 40 ms), not
/// work, so a batch's messages all go at once.
pub const EMAIL_PARALLEL: usize = 32;

/// One e-mail, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailJob {
    pub to: String,
    /// `pl`, `cs` or `en`.
    pub locale: String,
    /// The template's name (`webhook_disabled`).
    pub template: String,
    pub vars: serde_json::Value,
    /// Headers of the message besides the usual ones (`List-Unsubscribe`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The distribution's delivery an invitation or reminder is (checked before sending,
    /// and told what became of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<crate::distributions::DeliveryRef>,
}

/// What the relay did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mailed {
    Sent,
    /// Try again later (a 4xx answer, no connection).
    Retry(String),
    /// Refused for good (a 5xx answer, an address that is not one).
    Rejected(String),
    /// The receiving server said the mailbox does not exist (a 5xx answer about the
    /// recipient: 550, 551, 553 or an enhanced status 5.1.x): a hard bounce.
    Bounced(String),
}

/// What the outbox sends messages through: e-mail (SMTP), SMS and chat (their
/// providers), each when configured. All take the same message jobs.
#[derive(Clone, Copy, Default)]
pub struct Senders<'a> {
    pub mail: Option<&'a dyn Mailer>,
    pub sms: Option<&'a dyn Mailer>,
    pub chat: Option<&'a dyn Mailer>,
}

/// Sends e-mail (the server's adapter speaks SMTP), or, with the same jobs, SMS.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, job: &EmailJob) -> Mailed;
}

/// What the server sends e-mail through, as administrators may see it (never the
/// password): the relay is set in the server's configuration, not in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpStatus {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub from: String,
    /// Whether it signs in to the relay (a user name and password are set).
    pub authenticated: bool,
}

impl App {
    /// The relay e-mail goes through; `None` when `smtp.host` is not set (no e-mail).
    pub fn smtp_status(&self) -> Option<SmtpStatus> {
        let c = &self.config().smtp;
        c.host.as_ref().map(|host| SmtpStatus {
            host: host.clone(),
            port: c.port,
            security: c.security.clone(),
            from: c.from.clone(),
            authenticated: c.username.is_some() && c.password.is_some(),
        })
    }

    /// Queues a test e-mail to a member's own address, in their language, through the
    /// outbox (so its attempts are in the outbox's log); returns the message's id. 409
    /// `email_not_configured` without `smtp.host`.
    pub async fn send_test_email(
        &self,
        workspace_id: WorkspaceId,
        to: &puls_store::UserRecord,
    ) -> Result<String, AppError> {
        let Some(relay) = self.smtp_status() else {
            return Err(AppError::rejected(
                crate::Rejection::EmailNotConfigured,
                "e-mail is not configured (smtp.host)",
            ));
        };
        let now = puls_store::now_ms();
        let job = EmailJob {
            to: to.email.clone(),
            locale: to.locale.clone(),
            template: "smtp_test".into(),
            vars: serde_json::json!({
                "relay": format!("{}:{}", relay.host, relay.port),
                "name": to.name,
            }),
            headers: Vec::new(),
            delivery: None,
        };
        let id = message_id(
            &format!("email:{}", to.email),
            "smtp_test",
            &now.to_string(),
        );
        self.store()
            .enqueue(&[NewJob {
                id: id.clone(),
                workspace_id,
                channel: "email".into(),
                target_id: "smtp".into(),
                event_type: "smtp_test".into(),
                payload: serde_json::to_string(&job).map_err(anyhow::Error::new)?,
                next_at: now,
            }])
            .await?;
        Ok(id)
    }

    /// Queues an e-mail to each owner of the workspace, in their language; `key` makes the
    /// message's id (the same key and owner: one message).
    pub(crate) async fn email_owners(
        &self,
        workspace_id: WorkspaceId,
        template: &str,
        key: &str,
        vars: serde_json::Value,
    ) -> Result<u64, AppError> {
        if self.config().smtp.host.is_none() {
            return Ok(0);
        }
        let now = puls_store::now_ms();
        let jobs: Vec<NewJob> = self
            .store()
            .members(workspace_id)
            .await?
            .into_iter()
            .filter(|m| m.role == "owner")
            .map(|m| {
                let job = EmailJob {
                    to: m.user.email.clone(),
                    locale: m.user.locale.clone(),
                    template: template.to_string(),
                    vars: vars.clone(),
                    headers: Vec::new(),
                    delivery: None,
                };
                NewJob {
                    id: message_id(&format!("email:{}", m.user.email), template, key),
                    workspace_id,
                    channel: "email".into(),
                    target_id: "smtp".into(),
                    event_type: template.to_string(),
                    payload: serde_json::to_string(&job).unwrap_or_default(),
                    next_at: now,
                }
            })
            .collect();
        Ok(self.store().enqueue(&jobs).await?)
    }

    /// Sends a batch of claimed e-mail jobs through `mailer` (none: e-mail is not
    /// configured, and the jobs fail): invitations and reminders are checked first
    /// ([`App::invitation_gates`]); the rest go out several at once, each on a pooled
    /// connection to the relay; their attempts are recorded in one transaction, and what
    /// became of the distributions' deliveries in another.
    pub(crate) async fn deliver_emails(
        &self,
        node: &str,
        mailer: Option<&dyn Mailer>,
        group: Vec<JobRecord>,
    ) -> Result<(), AppError> {
        let now = puls_store::now_ms();
        let mut batch: Vec<(JobRecord, EmailJob)> = Vec::with_capacity(group.len());
        for job in group {
            match (mailer, serde_json::from_str::<EmailJob>(&job.payload)) {
                (Some(_), Ok(email)) => batch.push((job, email)),
                (None, _) => {
                    let what = match job.channel.as_str() {
                        "sms" => "SMS is not configured (sms.url)",
                        "chat" => "chat is not configured (chat.url)",
                        _ => "e-mail is not configured (smtp.host)",
                    };
                    self.store().fail_job(&job.id, what, now).await?
                }
                (Some(_), Err(e)) => {
                    self.store()
                        .fail_job(&job.id, &format!("not an e-mail job: {e}"), now)
                        .await?
                }
            }
        }
        let Some(mailer) = mailer else { return Ok(()) };
        let gates = self.invitation_gates(&batch).await?;
        self.mark_open_tracking(&mut batch, &gates).await?;
        let mut skipped = Vec::new();
        let mut to_send = Vec::new();
        for ((job, email), gate) in batch.iter().zip(gates) {
            match gate {
                Gate::Send => to_send.push((job, email)),
                Gate::Skip(status, reason) => {
                    self.store()
                        .fail_job(&job.id, &format!("not sent: {reason}"), now)
                        .await?;
                    skipped.push((job.workspace_id, email, status, Some(reason)));
                }
            }
        }
        // Futures built in a plain loop (a closure over borrowed items would make the
        // worker's future not `Send` for every lifetime).
        let mut sending = Vec::with_capacity(to_send.len());
        for (job, email) in to_send {
            sending.push(async move {
                let started = Instant::now();
                let mailed = mailer.send(email).await;
                (job, email, mailed, started.elapsed().as_millis() as i64)
            });
        }
        let sent: Vec<(&JobRecord, &EmailJob, Mailed, i64)> = futures::stream::iter(sending)
            .buffer_unordered(EMAIL_PARALLEL)
            .collect()
            .await;
        let mut attempts = Vec::with_capacity(sent.len());
        let mut settled = skipped;
        for (job, email, mailed, duration_ms) in sent {
            let n = job.attempts + 1;
            let (ok, refused, bounced, error) = match mailed {
                Mailed::Sent => (true, false, false, None),
                Mailed::Retry(e) => (false, false, false, Some(e)),
                Mailed::Rejected(e) => (false, true, false, Some(e)),
                Mailed::Bounced(e) => (false, true, true, Some(e)),
            };
            let outcome = self.outcome(ok, refused, n);
            let status = match outcome {
                JobOutcome::Delivered => Some(DeliveryStatus::Sent),
                JobOutcome::Failed if bounced => Some(DeliveryStatus::Bounced),
                JobOutcome::Failed => Some(DeliveryStatus::Failed),
                JobOutcome::Retry(_) => None,
            };
            if let Some(status) = status {
                settled.push((job.workspace_id, email, status, None));
            }
            let attempt = AttemptRecord {
                n,
                at: now,
                status: None,
                error,
                duration_ms,
                node: node.to_string(),
            };
            attempts.push((job, attempt, outcome));
        }
        let done: Vec<(&str, &AttemptRecord, JobOutcome)> = attempts
            .iter()
            .map(|(job, a, outcome)| (job.id.as_str(), a, *outcome))
            .collect();
        self.store().finish_attempts(&done).await?;
        for (job, _, outcome) in &attempts {
            self.telemetry()
                .attempt(&job.channel, crate::webhooks::outcome_name(*outcome));
        }
        self.delivery_outcomes(&settled).await
    }
}
