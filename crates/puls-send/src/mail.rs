//! E-mail over SMTP (lettre): renders an outbox e-mail job with `puls-html`'s templates (a
//! plain-text part and an HTML part, in the recipient's language) and hands it to the
//! configured relay with the job's own headers (`List-Unsubscribe`). A 5xx answer is a
//! refusal for good (a hard bounce when it is about the mailbox); anything else is tried
//! again.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use puls_app::config::SmtpConfig;
use puls_app::email::{EmailJob, Mailed, Mailer};
use puls_html::{Html, Lang};

/// The relay of `smtp`, and the templates.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    html: Html,
}

impl SmtpMailer {
    /// `None` when `smtp.host` is not set (Puls sends no e-mail then).
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Option<Self>> {
        let Some(host) = config.host.as_deref() else {
            return Ok(None);
        };
        let mut builder = match config.security.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            other => anyhow::bail!("smtp.security: {other} is not starttls, tls or none"),
        }
        .port(config.port)
        .timeout(Some(Duration::from_secs(config.timeout_secs.max(1))))
        // As many connections as the outbox sends messages at once
        // (`puls_app::email::EMAIL_PARALLEL`).
        .pool_config(PoolConfig::new().max_size(puls_app::email::EMAIL_PARALLEL as u32));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("smtp.from: {e}"))?;
        Ok(Some(SmtpMailer {
            transport: builder.build(),
            from,
            html: Html::new(),
        }))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, job: &EmailJob) -> Mailed {
        let to = match job.to.parse::<Mailbox>() {
            Ok(to) => to,
            Err(e) => return Mailed::Rejected(format!("to: {e}")),
        };
        let lang = Lang::parse(&job.locale).unwrap_or_default();
        let email = match self.html.render_email(&job.template, lang, &job.vars) {
            Ok(e) => e,
            Err(e) => return Mailed::Rejected(format!("template {}: {e}", job.template)),
        };
        let mut builder = Message::builder().from(self.from.clone()).to(to);
        for (name, value) in &job.headers {
            match HeaderName::new_from_ascii(name.clone()) {
                Ok(name) => builder = builder.raw_header(HeaderValue::new(name, value.clone())),
                Err(_) => return Mailed::Rejected(format!("header {name}: not a header name")),
            }
        }
        let message = builder
            .subject(email.subject)
            .multipart(MultiPart::alternative_plain_html(email.text, email.html));
        let message = match message {
            Ok(m) => m,
            Err(e) => return Mailed::Rejected(format!("message: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Mailed::Sent,
            Err(e) if e.is_permanent() => {
                let code = e.status().map(u16::from);
                let text = e.to_string();
                if is_bounce(code, &text) {
                    Mailed::Bounced(text)
                } else {
                    Mailed::Rejected(text)
                }
            }
            Err(e) => Mailed::Retry(e.to_string()),
        }
    }
}

/// Whether a permanent refusal is about the recipient's mailbox (a hard bounce: the
/// address is suppressed) rather than about the sender or the message: the basic codes
/// 550 (mailbox unavailable), 551 (not local) and 553 (mailbox name not allowed), or an
/// enhanced status code of class 5.1 (addressing, RFC 3463) in the text. A message has
/// one recipient, so the refusal is about it.
fn is_bounce(code: Option<u16>, text: &str) -> bool {
    matches!(code, Some(550 | 551 | 553)) || text.contains(" 5.1.") || text.contains("(5.1.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_about_the_mailbox_are_bounces() {
        assert!(is_bounce(Some(550), "permanent error (550): no such user"));
        assert!(is_bounce(Some(554), "permanent error (554): 5.1.1 unknown"));
        assert!(!is_bounce(Some(554), "permanent error (554): 5.7.1 spam"));
        assert!(!is_bounce(Some(552), "permanent error (552): too big"));
        assert!(!is_bounce(None, "connection refused"));
    }
}
