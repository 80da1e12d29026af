//! Journeys and segments as data: definitions parsed by the core, stored by key in their
//! canonical form, replaced whole; a segment's members now; the ready journey templates.

use puls_core::Value;
use puls_core::WorkspaceId;
use puls_core::audience::SegmentDef;
use puls_core::journey::Journey;
use puls_store::json::JsonText;
use puls_store::{DefinitionKind, DefinitionRecord};

use crate::error::{AppError, Rejection};
use crate::{App, now_ms};

/// The e-commerce journey template (also `examples/ecommerce-journey.json`).
pub const ECOMMERCE_TEMPLATE: &str = include_str!("../../../examples/ecommerce-journey.json");

/// A ready journey by name (`ecommerce`), as its JSON definition.
pub fn journey_template(name: &str) -> Option<&'static str> {
    (name == "ecommerce").then_some(ECOMMERCE_TEMPLATE)
}

/// Whether a save created its definition or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Replaced,
}

/// One member of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
}

/// A page of a segment's members, by contact id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembersPage {
    /// All members now.
    pub total: u64,
    pub items: Vec<Member>,
    pub next_cursor: Option<String>,
}

fn what(kind: DefinitionKind) -> &'static str {
    match kind {
        DefinitionKind::Journey => "journey",
        DefinitionKind::Segment => "segment",
        DefinitionKind::AlertRule => "alert rule",
        DefinitionKind::Setting => "setting",
        DefinitionKind::TextAspect => "aspect",
    }
}

impl App {
    /// Stores a journey definition under its key; with `path_key`, the definition's key must
    /// be it.
    #[tracing::instrument(skip(self, def), err(level = "debug"))]
    pub async fn save_journey(
        &self,
        workspace_id: WorkspaceId,
        path_key: Option<&str>,
        def: &Value,
    ) -> Result<(Saved, DefinitionRecord), AppError> {
        let journey = Journey::parse(def).map_err(AppError::Validation)?;
        let text = JsonText::encode(&journey.to_value());
        self.save_definition(
            workspace_id,
            DefinitionKind::Journey,
            path_key,
            journey.key.as_str(),
            &text,
        )
        .await
    }

    /// Stores a segment definition under its key; with `path_key`, the definition's key must
    /// be it.
    #[tracing::instrument(skip(self, def), err(level = "debug"))]
    pub async fn save_segment(
        &self,
        workspace_id: WorkspaceId,
        path_key: Option<&str>,
        def: &Value,
    ) -> Result<(Saved, DefinitionRecord), AppError> {
        let segment = SegmentDef::parse(def).map_err(AppError::Validation)?;
        let text = JsonText::encode(&segment.to_value());
        self.save_definition(
            workspace_id,
            DefinitionKind::Segment,
            path_key,
            segment.key.as_str(),
            &text,
        )
        .await
    }

    pub(crate) async fn save_definition(
        &self,
        workspace_id: WorkspaceId,
        kind: DefinitionKind,
        path_key: Option<&str>,
        key: &str,
        canonical: &JsonText,
    ) -> Result<(Saved, DefinitionRecord), AppError> {
        if let Some(k) = path_key
            && key != k
        {
            return Err(AppError::rejected(
                Rejection::KeyMismatch,
                format!("key: the definition's key '{key}' is not the path's '{k}'"),
            ));
        }
        let store = &self.0.store;
        let existed = store
            .get_definition(kind, workspace_id, key)
            .await?
            .is_some();
        let record = store
            .put_definition(kind, workspace_id, key, canonical, now_ms())
            .await?;
        Ok((
            if existed {
                Saved::Replaced
            } else {
                Saved::Created
            },
            record,
        ))
    }

    /// The stored definition under `key`.
    #[tracing::instrument(skip(self))]
    pub async fn definition(
        &self,
        workspace_id: WorkspaceId,
        kind: DefinitionKind,
        key: &str,
    ) -> Result<DefinitionRecord, AppError> {
        self.0
            .store
            .get_definition(kind, workspace_id, key)
            .await?
            .ok_or(AppError::NotFound(what(kind)))
    }

    /// Every stored definition of a kind, by key.
    #[tracing::instrument(skip(self))]
    pub async fn definitions(
        &self,
        workspace_id: WorkspaceId,
        kind: DefinitionKind,
    ) -> Result<Vec<DefinitionRecord>, AppError> {
        Ok(self.0.store.list_definitions(kind, workspace_id).await?)
    }

    /// Deletes the definition under `key`.
    #[tracing::instrument(skip(self))]
    pub async fn delete_definition(
        &self,
        workspace_id: WorkspaceId,
        kind: DefinitionKind,
        key: &str,
    ) -> Result<(), AppError> {
        match self
            .0
            .store
            .delete_definition(kind, workspace_id, key)
            .await?
        {
            true => Ok(()),
            false => Err(AppError::NotFound(what(kind))),
        }
    }

    /// How many live contacts a stored segment has now.
    pub async fn segment_size(
        &self,
        workspace_id: WorkspaceId,
        record: &DefinitionRecord,
    ) -> Result<u64, AppError> {
        let def = SegmentDef::parse(&record.definition)
            .map_err(|e| anyhow::anyhow!("stored segment {} is invalid: {e}", record.key))?;
        let (_, members) = self
            .0
            .analytics
            .members(workspace_id, &def.rule, now_ms())
            .await?;
        Ok(members.count() as u64)
    }

    /// The segment's members now, by contact id, after `after` (a contact id).
    #[tracing::instrument(skip(self))]
    pub async fn segment_members(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
        after: String,
        limit: usize,
    ) -> Result<MembersPage, AppError> {
        let analytics = &self.0.analytics;
        let def = analytics.segment(workspace_id, key).await?;
        let (customers, members) = analytics.members(workspace_id, &def.rule, now_ms()).await?;
        let page = tokio::task::spawn_blocking(move || {
            let index = customers.read();
            // Contact ids are ULIDs: the page after the cursor is the `limit` smallest ids
            // above it, found without sorting every member.
            let mut ids: Vec<(&str, u32)> = members
                .iter()
                .map(|c| (index.contact_id(c as u32), c as u32))
                .filter(|(id, _)| *id > after.as_str())
                .collect();
            let total = members.count() as u64;
            let more = ids.len() > limit;
            if more {
                ids.select_nth_unstable(limit);
                ids.truncate(limit);
            }
            ids.sort_unstable();
            let items: Vec<Member> = ids
                .iter()
                .map(|(id, c)| {
                    let (external_id, email) = index.contact_ids(*c);
                    Member {
                        id: id.to_string(),
                        external_id: external_id.map(str::to_string),
                        email: email.map(str::to_string),
                    }
                })
                .collect();
            let next_cursor = more.then(|| items.last().map(|m| m.id.clone())).flatten();
            MembersPage {
                total,
                items,
                next_cursor,
            }
        })
        .await
        .map_err(|e| anyhow::anyhow!("segment members thread: {e}"))?;
        Ok(page)
    }
}
