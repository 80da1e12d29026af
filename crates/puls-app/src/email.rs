//! E-mail through the outbox. A message is a job on the `email` channel whose payload names
//! the recipient, the language and a template with its values ([`EmailJob`]); the sender
//! (`puls-send`) renders it (`puls-html`'s e-mail templates, with a plain-text part) and
//! hands it to the SMTP relay. Nothing is queued unless `smtp.host` is set.

use async_trait::async_trait;
use puls_core::WorkspaceId;
use puls_store::NewJob;
use serde::{Deserialize, Serialize};

use crate::webhooks::message_id;
use crate::{App, AppError};

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

/// Sends e-mail (the server's adapter speaks SMTP).
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
}
