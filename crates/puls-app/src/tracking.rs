//! The tracking API's use case: messages (identify, track, page, screen, group, alias)
//! already parsed by the core, stored whole in one transaction through the group-commit
//! writer; identify traits change the contact, and ids seen together are linked.
//!
//! A request is stored whole or refused whole, and once per `messageId`: the store inserts
//! messages with `ON CONFLICT DO NOTHING` and applies an identify's contact change only when
//! its message is new. Trigger occurrences that the messages begin or cancel are written in
//! the same transaction, also only for new messages.

use puls_core::Value;
use puls_core::contact::ContactPatch;
use puls_core::tracking::{Message, MessageType};
use puls_core::trigger::EventFacts;
use puls_store::json::JsonText;
use puls_store::{
    ContactLookup, ContactUpsert, NewEvent, TrackBatch, Workspace, WriteOp, WriteOutcome,
};

use crate::App;
use crate::contacts::patch_change;
use crate::error::AppError;
use crate::triggers::{ActiveTriggers, trigger_writes};

/// What one request stores: every message, the ids seen together, and the contact changes
/// of identify messages.
fn track_batch(
    workspace: &Workspace,
    messages: Vec<Message>,
    received_at: i64,
    triggers: &ActiveTriggers,
) -> TrackBatch {
    let mut batch = TrackBatch {
        workspace_id: workspace.id,
        events: Vec::with_capacity(messages.len()),
        links: Vec::new(),
        contacts: Vec::new(),
        triggers: Vec::new(),
    };
    for mut m in messages {
        let message_id = m
            .message_id
            .clone()
            .unwrap_or_else(|| format!("puls-{}", ulid::Ulid::new()));
        let user = m.user_id.as_ref().map(|u| u.as_str().to_string());
        let anon = m.anonymous_id.as_ref().map(|a| a.as_str().to_string());
        match (m.kind, &anon, &user, &m.other_id) {
            (MessageType::Alias, _, Some(u), Some(previous)) => {
                batch.links.push((previous.as_str().to_string(), u.clone()));
            }
            (_, Some(a), Some(u), _) => batch.links.push((a.clone(), u.clone())),
            _ => {}
        }
        if m.kind == MessageType::Identify {
            let (patch, _skipped) =
                ContactPatch::from_traits(&Value::Map(m.properties.clone()), m.locale());
            let email = match &patch.email {
                puls_core::contact::Change::Set(e) => Some(e.as_str().to_string()),
                _ => None,
            };
            if user.is_some() || email.is_some() {
                batch.contacts.push(ContactUpsert {
                    lookup: ContactLookup {
                        id: None,
                        external_id: user.clone(),
                        email,
                    },
                    create: true,
                    change: patch_change(patch, m.timestamp_ms),
                    message_id: Some(message_id.clone()),
                });
            }
        }
        let properties = Value::Map(std::mem::take(&mut m.properties));
        batch.triggers.extend(trigger_writes(
            triggers,
            &EventFacts {
                kind: m.kind,
                name: &m.name,
                message_id: &message_id,
                user_id: user.as_deref(),
                anonymous_id: anon.as_deref(),
                timestamp: m.timestamp_ms,
                received_at,
                properties: &properties,
            },
        ));
        let Value::Map(properties) = properties else {
            unreachable!("made a map above")
        };
        let mut extra = std::mem::take(&mut m.extra);
        if let Some(other) = &m.other_id {
            let key = if m.kind == MessageType::Alias {
                "previousId"
            } else {
                "groupId"
            };
            extra.insert(key.into(), Value::str(other.as_str()));
        }
        batch.events.push(NewEvent {
            message_id,
            kind: m.kind.as_str().to_string(),
            name: std::mem::take(&mut m.name),
            user_id: user,
            anonymous_id: anon,
            timestamp: m.timestamp_ms,
            received_at,
            properties: JsonText::object(&properties),
            context: JsonText::object(&m.context),
            extra: JsonText::object(&extra),
        });
    }
    batch
}

impl App {
    /// The workspace of an active write key of the tracking API.
    pub async fn write_key_workspace(&self, key: &str) -> Result<Workspace, AppError> {
        self.0
            .store
            .workspace_by_write_key(key)
            .await?
            .ok_or(AppError::Unauthorized)
    }

    /// Stores one request's messages; returns once they are committed.
    #[tracing::instrument(skip_all, fields(workspace = %workspace.slug, messages = messages.len()))]
    pub async fn track(
        &self,
        workspace: &Workspace,
        messages: Vec<Message>,
        received_at: i64,
    ) -> Result<(), AppError> {
        let n = messages.len() as u64;
        let triggers = self.active_triggers(workspace.id).await?;
        let batch = track_batch(workspace, messages, received_at, &triggers);
        match self.0.writer.write(WriteOp::Track(batch)).await? {
            WriteOutcome::Tracked { .. } => {
                self.telemetry().events_ingested(n);
                Ok(())
            }
            other => Err(anyhow::anyhow!("tracking write answered {other:?}").into()),
        }
    }
}
