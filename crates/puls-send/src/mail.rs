//! E-mail over SMTP (lettre): renders an outbox e-mail job with `puls-html`'s templates (a
//! plain-text part and an HTML part, in the recipient's language) and hands it to the
//! configured relay. A 5xx answer is a refusal for good; anything else is tried again.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
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
        .timeout(Some(Duration::from_secs(config.timeout_secs.max(1))));
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
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .multipart(MultiPart::alternative_plain_html(email.text, email.html));
        let message = match message {
            Ok(m) => m,
            Err(e) => return Mailed::Rejected(format!("message: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Mailed::Sent,
            Err(e) if e.is_permanent() => Mailed::Rejected(e.to_string()),
            Err(e) => Mailed::Retry(e.to_string()),
        }
    }
}
