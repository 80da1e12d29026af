//! E-mail opens, an administrator's opt-in: the workspace's e-mail settings (setting
//! `email`, `{"track_opens": false}` until an owner or administrator changes it), the 1×1
//! image that invitations and reminders carry while it is on, and the first open it
//! records.
//!
//! Whether a message carries the image is decided when it is sent (a message queued
//! before the setting changed follows the setting as it goes): its job holds the image's
//! address (`vars.open`) and [`App::mark_open_tracking`] turns it on (`vars.track_opens`)
//! for workspaces that track opens; the HTML part shows it only then, the plain-text part
//! never. The address is the message's personal token (`/o/{token}.gif`), random and
//! already in the message's link and `List-Unsubscribe` header, so it tells nothing that
//! the message does not. An open is recorded once per delivery (`opened_at`, the first),
//! only for a message that was sent, and only while the workspace tracks opens.

use std::collections::HashMap;

use puls_core::WorkspaceId;
use puls_core::email_settings::EmailSettings;
use puls_store::{DeliveryStatus, JobRecord};

use crate::distributions::{DistributionReport, Gate, per_sent};
use crate::email::EmailJob;
use crate::{App, AppError};

/// The setting that holds the workspace's e-mail settings.
const EMAIL_SETTING: &str = "email";

/// The address of a message's open image: its personal token, as a GIF.
pub fn pixel_url(base: &str, token: &str) -> String {
    format!("{base}/o/{token}.gif")
}

/// Whether `s` can be a personal token (URL-safe base64, at most 64 characters), so that
/// anything else is answered without reading the database.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    /// The workspace's e-mail settings (opens not tracked until they are saved so).
    pub async fn email_settings(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<EmailSettings, AppError> {
        match self.setting(workspace_id, EMAIL_SETTING).await? {
            Some(v) => Ok(EmailSettings::parse(&v)
                .map_err(|e| anyhow::anyhow!("stored e-mail settings are invalid: {e}"))?),
            None => Ok(EmailSettings::default()),
        }
    }

    /// Replaces the workspace's e-mail settings (its owners' and administrators' to
    /// change: the API key's holder, or a member the caller has checked); 422 with every
    /// problem at its path. Messages sent from now on, and opens from now on, follow it.
    pub async fn save_email_settings(
        &self,
        workspace_id: WorkspaceId,
        def: &puls_core::Value,
    ) -> Result<EmailSettings, AppError> {
        let settings = EmailSettings::parse(def)?;
        self.put_setting(workspace_id, EMAIL_SETTING, &settings.to_value())
            .await?;
        if settings.track_opens {
            tracing::info!(workspace = workspace_id.get(), "e-mail opens are tracked");
        }
        Ok(settings)
    }

    /// Whether the workspace tracks e-mail opens now.
    pub(crate) async fn tracks_opens(&self, workspace_id: WorkspaceId) -> Result<bool, AppError> {
        Ok(self.email_settings(workspace_id).await?.track_opens)
    }

    /// Records the first open of the message whose image this token names, if it was
    /// sent and its workspace tracks opens now; `false` when nothing was recorded (an
    /// unknown or erased token, a message opened before, opens not tracked).
    pub async fn record_open(&self, token: &str) -> Result<bool, AppError> {
        if !is_token(token) {
            return Ok(false);
        }
        let Some(d) = self.store().delivery_by_token(token).await? else {
            return Ok(false);
        };
        // Read first, so that a message opened again costs no write.
        if d.opened_at.is_some() || d.status != DeliveryStatus::Sent {
            return Ok(false);
        }
        if !self.tracks_opens(d.workspace_id).await? {
            return Ok(false);
        }
        Ok(self.store().record_open(token, crate::now_ms()).await?)
    }

    /// Turns the open image on in the invitations and reminders of `batch` about to be
    /// sent (`gates` says which go) whose workspace tracks opens now, and off in the
    /// others.
    pub(crate) async fn mark_open_tracking(
        &self,
        batch: &mut [(JobRecord, EmailJob)],
        gates: &[Gate],
    ) -> Result<(), AppError> {
        let mut tracked: HashMap<WorkspaceId, bool> = HashMap::new();
        for ((job, email), gate) in batch.iter_mut().zip(gates) {
            if *gate != Gate::Send || email.delivery.is_none() || job.channel != "email" {
                continue;
            }
            let on = match tracked.get(&job.workspace_id) {
                Some(on) => *on,
                None => {
                    let on = self.tracks_opens(job.workspace_id).await?;
                    tracked.insert(job.workspace_id, on);
                    on
                }
            };
            if let Some(vars) = email.vars.as_object_mut() {
                let has_image = vars.get("open").is_some_and(|v| v.is_string());
                vars.insert("track_opens".into(), (on && has_image).into());
            }
        }
        Ok(())
    }
}

impl DistributionReport {
    /// Messages opened (their first open, while opens were tracked).
    pub fn opened(&self) -> i64 {
        self.counts.opened
    }

    /// Messages opened per message sent, with its Wilson interval (as the response rate).
    pub fn open_rate(&self) -> puls_core::stats::Proportion {
        per_sent(&self.counts, self.counts.opened)
    }

    /// Whether its opens are worth showing: tracked now, or some were counted before.
    pub fn shows_opens(&self) -> bool {
        self.opens_tracked || self.counts.opened > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_before_any_read() {
        assert!(is_token("AbC-_09xyzAbC-_09xyzAbC-_09xyzAb"));
        for bad in ["", "a.gif", "a/b", "a b", "ä", &"a".repeat(65)] {
            assert!(!is_token(bad), "{bad}");
        }
        assert_eq!(
            pixel_url("https://puls.example", "tok"),
            "https://puls.example/o/tok.gif"
        );
    }
}
