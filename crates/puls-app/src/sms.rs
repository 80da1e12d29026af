//! SMS and chat through providers: what comes back. Outgoing messages are distributions
//! on the `sms` or `chat` channel (the contact's phone, or the chat id the provider's
//! `address_attribute` names; the same gates, reminders and frequency policy as e-mail),
//! sent by the outbox through the server's one generic HTTP adapter (`puls-send`), one
//! instance per channel. Replies and delivery reports arrive at one webhook per channel,
//! signed by the provider as Standard Webhooks with that channel's `inbound_secret`:
//!
//! - a reply that is a number answers the first question of the survey last sent to that
//!   address on that channel (the one-question NPS: "reply 0–10"), stored as a response
//!   on the channel through the message's personal link;
//! - `STOP` (or `STOPALL`, `UNSUBSCRIBE`, `CANCEL`, `END`, `QUIT`) puts the address on the
//!   workspace's suppression list for the channel (reason `stop`);
//! - a delivery report with the message's `reference` and a failed status marks the
//!   invitation failed.

use puls_core::SurveyId;
use puls_core::distribution::{SendChannel, suppression_key};
use puls_store::{DeliveryStatus, DeliveryUpdate};
use subtle::ConstantTimeEq;

use crate::{App, AppError};

/// The words that unsubscribe a number (case does not matter).
const STOP_WORDS: [&str; 7] = [
    "STOP",
    "STOPALL",
    "STOP ALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
];
/// How far a signed request's timestamp may be from now (Standard Webhooks' tolerance).
const TOLERANCE_SECS: i64 = 5 * 60;

/// A signed webhook request: its Standard Webhooks headers and its body.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signatures: &'a str,
    pub body: &'a str,
}

/// What the provider tells Puls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsInbound {
    /// A text someone sent back.
    Reply { from: String, text: String },
    /// What became of a message Puls sent (its `reference`).
    Status { reference: String, status: String },
}

/// What Puls made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsHandled {
    /// The score was stored as the response's answer.
    Answered { survey_id: SurveyId },
    /// The number is on the suppression list now.
    Unsubscribed,
    /// A delivery report recorded.
    Recorded,
    /// Nothing to do, and why: `unknown_number`, `not_a_score`, `unknown_reference`,
    /// `quota_full`.
    Ignored(&'static str),
}

impl App {
    /// Checks a webhook's Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`) against the channel's `inbound_secret` (`sms` or `chat`): 401
    /// when it does not hold or is more than five minutes from `now` (seconds); 409
    /// `sms_not_configured` / `chat_not_configured` without a secret (nothing unsigned is
    /// taken).
    pub fn verify_text_inbound(
        &self,
        channel: SendChannel,
        signed: &SignedRequest<'_>,
        now_secs: i64,
    ) -> Result<(), AppError> {
        let SignedRequest {
            id,
            timestamp,
            signatures,
            body,
        } = *signed;
        let secret = self
            .config()
            .provider(channel)
            .and_then(|p| p.inbound_secret.as_deref());
        let Some(secret) = secret else {
            return Err(match channel {
                SendChannel::Chat => AppError::rejected(
                    crate::Rejection::ChatNotConfigured,
                    "chat replies are not configured (chat.inbound_secret)",
                ),
                _ => AppError::rejected(
                    crate::Rejection::SmsNotConfigured,
                    "SMS replies are not configured (sms.inbound_secret)",
                ),
            });
        };
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| AppError::Unauthorized)?;
        if (now_secs - ts).abs() > TOLERANCE_SECS {
            return Err(AppError::Unauthorized);
        }
        let expected = crate::webhooks::signature(&[secret], id, ts, body);
        let ok = !expected.is_empty()
            && signatures
                .split_whitespace()
                .any(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())));
        if ok {
            Ok(())
        } else {
            Err(AppError::Unauthorized)
        }
    }

    /// Handles a verified reply or delivery report of a text channel (`sms` or `chat`).
    #[tracing::instrument(skip_all, fields(channel = channel.as_str()))]
    pub async fn text_inbound(
        &self,
        channel: SendChannel,
        msg: &SmsInbound,
    ) -> Result<SmsHandled, AppError> {
        match msg {
            SmsInbound::Reply { from, text } => self.text_reply(channel, from, text).await,
            SmsInbound::Status { reference, status } => self.sms_status(reference, status).await,
        }
    }

    async fn text_reply(
        &self,
        channel: SendChannel,
        from: &str,
        text: &str,
    ) -> Result<SmsHandled, AppError> {
        let key = suppression_key(channel, from);
        let bare = key.trim_start_matches('+').to_string();
        let mut spellings = vec![key.clone(), from.trim().to_string()];
        if key.starts_with('+') || key.bytes().all(|b| b.is_ascii_digit()) {
            spellings.extend([bare.clone(), format!("+{bare}")]);
        }
        let Some(d) = self
            .store()
            .last_delivery_to(channel.as_str(), &spellings)
            .await?
        else {
            return Ok(SmsHandled::Ignored("unknown_number"));
        };
        let words = text.trim().to_uppercase();
        if STOP_WORDS.contains(&words.as_str()) {
            let hash = self.suppression_hash(d.workspace_id, channel, from).await?;
            self.store()
                .suppress(
                    d.workspace_id,
                    channel.as_str(),
                    &hash,
                    "stop",
                    crate::now_ms(),
                )
                .await?;
            return Ok(SmsHandled::Unsubscribed);
        }
        let Some(score) = leading_number(text) else {
            return Ok(SmsHandled::Ignored("not_a_score"));
        };
        let (Some(token), Some(dist)) = (
            d.token.as_deref(),
            self.store()
                .distribution(d.workspace_id, &d.distribution_id)
                .await?,
        ) else {
            return Ok(SmsHandled::Ignored("unknown_number"));
        };
        let Some(record) = self.survey_record(&dist.survey_id).await? else {
            return Ok(SmsHandled::Ignored("unknown_number"));
        };
        let survey = self.survey_version(&record, record.version).await?;
        let Some(first) = survey.questions.first() else {
            return Ok(SmsHandled::Ignored("not_a_score"));
        };
        match self
            .answer_by_link(&dist.survey_id, token, first.id.as_str(), &score, None)
            .await
        {
            // The distribution has enough answers (`crate::quotas`): nothing stored.
            Ok(crate::distributions::LinkAnswer::Full { .. }) => {
                Ok(SmsHandled::Ignored("quota_full"))
            }
            Ok(_) => Ok(SmsHandled::Answered {
                survey_id: dist.survey_id.clone(),
            }),
            Err(AppError::Validation(_)) => Ok(SmsHandled::Ignored("not_a_score")),
            Err(e) => Err(e),
        }
    }

    async fn sms_status(&self, reference: &str, status: &str) -> Result<SmsHandled, AppError> {
        // The reference is the message's outbox job id: `inv:{contact}:{distribution}:{n}`.
        let mut parts = reference.splitn(4, ':');
        let (Some("inv"), Some(contact), Some(distribution), Some(n)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Ok(SmsHandled::Ignored("unknown_reference"));
        };
        let failed = matches!(
            status.to_ascii_lowercase().as_str(),
            "failed" | "undelivered" | "rejected" | "expired"
        );
        let Some(d) = self.store().delivery(distribution, contact).await? else {
            return Ok(SmsHandled::Ignored("unknown_reference"));
        };
        // Only the invitation's own failure changes the delivery (a reminder's does not).
        if failed && n == "0" && d.status == DeliveryStatus::Sent {
            self.store()
                .update_deliveries(&[DeliveryUpdate {
                    distribution_id: distribution,
                    contact_id: contact,
                    status: DeliveryStatus::Failed,
                    reason: Some("provider_failed"),
                    sent_at: None,
                    next_reminder_at: Some(None),
                    now: crate::now_ms(),
                }])
                .await?;
        }
        Ok(SmsHandled::Recorded)
    }
}

/// The whole number a reply starts with (`9`, `9!`, ` 10 super`), if any.
fn leading_number(text: &str) -> Option<String> {
    let t = text.trim_start();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = &t[digits.len()..];
    (!digits.is_empty() && digits.len() <= 3 && !rest.starts_with(|c: char| c.is_ascii_digit()))
        .then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_starts_with_its_score() {
        assert_eq!(leading_number("9").as_deref(), Some("9"));
        assert_eq!(leading_number(" 10 super!").as_deref(), Some("10"));
        assert_eq!(leading_number("9/10").as_deref(), Some("9"));
        assert_eq!(leading_number("dziewięć"), None);
        assert_eq!(leading_number("12345"), None);
        assert_eq!(leading_number(""), None);
    }
}
