//! When alert e-mails go: the workspace's notification policy (setting `notifications`:
//! quiet hours, the daily digest's hour, in the workspace's time zone; see
//! `puls_core::notify`), each alert e-mail sent at once, held to the end of the quiet
//! hours, or kept for its recipient's daily digest (rules with `"digest": true`), and the
//! digests themselves, written to the outbox once whichever node gets there first.

use puls_core::WorkspaceId;
use puls_core::alert::{AlertRule, Priority};
use puls_core::notify::Notifications;
use puls_core::value::Value;
use puls_store::{DigestItem, NewJob};

use crate::email::EmailJob;
use crate::webhooks::message_id;
use crate::{App, AppError};

/// The setting that holds a workspace's notification policy.
pub const NOTIFY_SETTING: &str = "notifications";

/// Most alerts read for digests in one round.
const DIGEST_BATCH: i64 = 2_000;

/// One alert e-mail to one recipient, before the policy says when it goes.
pub(crate) struct AlertMail {
    /// The template (`alert_fired`, `metric_alert`).
    pub template: &'static str,
    /// What tells this alert from others of the rule (with the template and the address,
    /// the message's stable id).
    pub key: String,
    pub to: String,
    pub locale: String,
    pub vars: serde_json::Value,
    /// The response it is about, when it is about one.
    pub response_id: Option<String>,
}

/// Alert e-mails as the policy sends them: outbox jobs (now, or at the end of the quiet
/// hours) and alerts kept for digests.
#[derive(Debug, Default)]
pub(crate) struct Outgoing {
    pub jobs: Vec<NewJob>,
    pub digest: Vec<DigestItem>,
}

impl App {
    /// The workspace's notification policy: its `notifications` setting, else none of
    /// quiet hours and digests at 08:00, in the server's time zone.
    pub async fn notifications(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Notifications, AppError> {
        let tz = &self.analytics().config.time_zone;
        match self.setting(workspace_id, NOTIFY_SETTING).await? {
            Some(v) => Ok(Notifications::parse(&v, tz)
                .map_err(|e| anyhow::anyhow!("stored notification policy is invalid: {e}"))?),
            None => Ok(Notifications::default_for(tz)
                .map_err(|e| anyhow::anyhow!("time zone {tz}: {e}"))?),
        }
    }

    /// Replaces the workspace's notification policy (e-mails already held or kept keep
    /// their times).
    pub async fn save_notifications(
        &self,
        workspace_id: WorkspaceId,
        def: &Value,
    ) -> Result<Notifications, AppError> {
        let policy = Notifications::parse(def, &self.analytics().config.time_zone)?;
        self.put_setting(workspace_id, NOTIFY_SETTING, &policy.to_value())
            .await?;
        Ok(policy)
    }

    /// A rule's alert e-mails as its workspace's policy sends them: kept for each
    /// recipient's digest when the rule asks for digests; else sent at once, or at the end
    /// of the quiet hours (unless the rule opens urgent cases and the policy lets those
    /// through).
    pub(crate) fn alert_mails(
        &self,
        workspace_id: WorkspaceId,
        policy: &Notifications,
        rule: &AlertRule,
        mails: Vec<AlertMail>,
        now: i64,
    ) -> Result<Outgoing, AppError> {
        let mut out = Outgoing::default();
        let urgent = rule
            .actions
            .case
            .as_ref()
            .is_some_and(|c| c.priority == Priority::Urgent);
        let send_at = if urgent && policy.urgent_ignores_quiet_hours {
            now
        } else {
            policy.hold_until(now)
        };
        for m in mails {
            let id = message_id(&format!("email:{}", m.to), m.template, &m.key);
            if rule.actions.digest {
                out.digest.push(DigestItem {
                    id,
                    workspace_id,
                    recipient: m.to,
                    locale: m.locale,
                    due_at: policy.next_digest(now),
                    response_id: m.response_id,
                    data: serde_json::json!({"template": m.template, "vars": m.vars}).to_string(),
                    created_at: now,
                });
                continue;
            }
            let job = EmailJob {
                to: m.to,
                locale: m.locale,
                template: m.template.into(),
                vars: m.vars,
                headers: Vec::new(),
                delivery: None,
            };
            out.jobs.push(NewJob {
                id,
                workspace_id,
                channel: "email".into(),
                target_id: "smtp".into(),
                event_type: "alert_fired".into(),
                payload: serde_json::to_string(&job).map_err(anyhow::Error::new)?,
                next_at: send_at,
            });
        }
        Ok(out)
    }

    /// Writes the digests due at `now`: one e-mail per recipient with every alert kept for
    /// them, each alert in one digest only (a node that finds an alert taken by another
    /// leaves that recipient's digest to it). Returns how many digests were written.
    pub async fn send_digests(&self, now: i64) -> Result<u64, AppError> {
        let items = self.store().due_digest_items(now, DIGEST_BATCH).await?;
        let mut sent = 0;
        for group in
            items.chunk_by(|a, b| a.workspace_id == b.workspace_id && a.recipient == b.recipient)
        {
            let first = &group[0];
            let alerts: Vec<serde_json::Value> = group
                .iter()
                .map(|i| serde_json::from_str(&i.data).unwrap_or_default())
                .collect();
            let job = EmailJob {
                to: first.recipient.clone(),
                locale: first.locale.clone(),
                template: "alert_digest".into(),
                vars: serde_json::json!({"alerts": alerts}),
                headers: Vec::new(),
                delivery: None,
            };
            let job = NewJob {
                id: message_id(
                    &format!("email:{}", first.recipient),
                    "alert_digest",
                    &first.id,
                ),
                workspace_id: first.workspace_id,
                channel: "email".into(),
                target_id: "smtp".into(),
                event_type: "alert_digest".into(),
                payload: serde_json::to_string(&job).map_err(anyhow::Error::new)?,
                // At once (never later than the moment it is written).
                next_at: now.min(crate::now_ms()),
            };
            let ids: Vec<String> = group.iter().map(|i| i.id.clone()).collect();
            if self.store().send_digest(&job, &ids).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }
}
