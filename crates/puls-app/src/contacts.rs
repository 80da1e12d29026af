//! Contacts: create or update by external id or email, read, list, change, delete, merge,
//! personal invitations, and a contact's responses and events.

use std::sync::Arc;

use puls_core::FieldErrorKind;
use puls_core::contact::{Change, Contact, ContactPatch};
use puls_core::{ContactId, SurveyId, WorkspaceId};
use puls_store::{
    ContactChange, ContactFields, ContactLookup, ContactOutcome, ContactRecord, ContactUpsert,
    ErasureReceipt, EventRecord, InvitationRecord, MergeOutcome, ResponseRecord,
};

use crate::contact_fields::{contact_of, fields_of};
use crate::error::{AppError, Rejection};
use crate::{App, now_ms};

/// Whether an upsert created its contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
}

/// A store-side change applying a patch to a contact's stored fields.
pub fn patch_change(patch: ContactPatch, at_ms: i64) -> ContactChange {
    let patch = Arc::new(patch);
    ContactChange(Arc::new(move |fields| {
        let mut c: Contact = contact_of(fields)?;
        c.apply(&patch, at_ms).map_err(|e| e.to_string())?;
        *fields = fields_of(&c);
        Ok(())
    }))
}

/// What an upsert outcome means for the caller.
fn outcome(o: ContactOutcome) -> Result<(Upserted, ContactRecord), AppError> {
    match o {
        ContactOutcome::Created(c) => Ok((Upserted::Created, c)),
        ContactOutcome::Updated(c) | ContactOutcome::Unchanged(c) => Ok((Upserted::Updated, c)),
        ContactOutcome::NotFound => Err(AppError::NotFound("contact")),
        ContactOutcome::Conflict { field, other } => Err(AppError::rejected(
            Rejection::ContactConflict,
            format!("{field}: another contact ({other}) already has it"),
        )),
        ContactOutcome::Invalid(m) => Err(AppError::rejected(Rejection::InvalidContact, m)),
        ContactOutcome::Repeated => Err(anyhow::anyhow!("a contact upsert was repeated").into()),
    }
}

fn by_id(id: &ContactId) -> ContactLookup {
    ContactLookup {
        id: Some(id.clone()),
        ..ContactLookup::default()
    }
}

impl App {
    /// The live contact with this external id or email (following merges).
    #[tracing::instrument(skip(self))]
    pub async fn find_contact(
        &self,
        workspace_id: WorkspaceId,
        external_id: Option<String>,
        email: Option<String>,
    ) -> Result<Option<ContactRecord>, AppError> {
        let lookup = ContactLookup {
            id: None,
            external_id,
            email: email.map(|e| e.trim().to_lowercase()),
        };
        Ok(self.0.store.find_contact(workspace_id, &lookup).await?)
    }

    /// The contact who gave a response: found by the ids given with it (external id, then
    /// e-mail), else through the personal invitation it was answered with.
    pub async fn response_contact_record(
        &self,
        workspace_id: WorkspaceId,
        r: &puls_store::ResponseRecord,
    ) -> Result<Option<ContactRecord>, AppError> {
        if r.contact_external_id.is_some() || r.contact_email.is_some() {
            return self
                .find_contact(
                    workspace_id,
                    r.contact_external_id.clone(),
                    r.contact_email.clone(),
                )
                .await;
        }
        match &r.invitation_token {
            Some(token) => Ok(self.0.store.invitation_contact(workspace_id, token).await?),
            None => Ok(None),
        }
    }

    /// Live contacts by id, after `after_id`, at most `limit`.
    #[tracing::instrument(skip(self))]
    pub async fn contacts(
        &self,
        workspace_id: WorkspaceId,
        after_id: Option<&ContactId>,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, AppError> {
        Ok(self
            .0
            .store
            .list_contacts(workspace_id, after_id, limit)
            .await?)
    }

    /// A live contact (a merged contact's id gives the contact it was merged into).
    #[tracing::instrument(skip(self))]
    pub async fn contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
    ) -> Result<ContactRecord, AppError> {
        self.0
            .store
            .find_contact(workspace_id, &by_id(id))
            .await?
            .ok_or(AppError::NotFound("contact"))
    }

    /// Creates a contact, or updates the one with the patch's external id (else email).
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn upsert_contact(
        &self,
        workspace_id: WorkspaceId,
        patch: ContactPatch,
    ) -> Result<(Upserted, ContactRecord), AppError> {
        let lookup = ContactLookup {
            id: None,
            external_id: match &patch.external_id {
                Change::Set(e) => Some(e.as_str().to_string()),
                _ => None,
            },
            email: match &patch.email {
                Change::Set(e) => Some(e.as_str().to_string()),
                _ => None,
            },
        };
        if lookup.external_id.is_none() && lookup.email.is_none() {
            return Err(AppError::field("external_id", FieldErrorKind::Required));
        }
        self.upsert_one(workspace_id, lookup, true, patch).await
    }

    /// Changes a contact: only the patch's fields change.
    #[tracing::instrument(skip(self, patch), err(level = "debug"))]
    pub async fn update_contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
        patch: ContactPatch,
    ) -> Result<ContactRecord, AppError> {
        if patch.external_id == Change::Clear && patch.email == Change::Clear {
            return Err(AppError::field("external_id", FieldErrorKind::Required));
        }
        let (_, record) = self
            .upsert_one(workspace_id, by_id(id), false, patch)
            .await?;
        Ok(record)
    }

    /// Applies `patch` to the contact `lookup` finds (or, with `create`, a new one; an
    /// empty lookup always makes a new one).
    pub(crate) async fn upsert_one(
        &self,
        workspace_id: WorkspaceId,
        lookup: ContactLookup,
        create: bool,
        patch: ContactPatch,
    ) -> Result<(Upserted, ContactRecord), AppError> {
        let out = self
            .0
            .store
            .upsert_contacts(
                workspace_id,
                &[ContactUpsert {
                    lookup,
                    create,
                    change: patch_change(patch, now_ms()),
                    message_id: None,
                }],
            )
            .await?;
        outcome(out.into_iter().next().unwrap_or(ContactOutcome::NotFound))
    }

    /// Erases a person everywhere their data is: the contact and the duplicates merged into
    /// it, their responses, events, anonymous-id ties and personal links, in one
    /// transaction; returns the receipt of what was removed. Every node's indexes drop
    /// them before their next query (the response feed; the erasure count for events).
    #[tracing::instrument(skip(self))]
    pub async fn erase_contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
    ) -> Result<ErasureReceipt, AppError> {
        let receipt = self
            .0
            .store
            .erase_contact(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("contact"))?;
        tracing::info!(
            workspace = workspace_id.get(),
            contact = %id,
            responses = receipt.responses,
            events = receipt.events,
            "person erased"
        );
        Ok(receipt)
    }

    /// Merges the duplicate `from` into the contact `id`: fields it lacks come from the
    /// duplicate, missing attributes are added, the later consent decision stands, and the
    /// duplicate's ids lead here from now on.
    #[tracing::instrument(skip(self), err(level = "debug"))]
    pub async fn merge_contacts(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
        from: &ContactId,
    ) -> Result<ContactRecord, AppError> {
        let merge = |mine: &mut ContactFields, theirs: &ContactFields| {
            let mut a = contact_of(mine)?;
            let b = contact_of(theirs)?;
            a.absorb(&b);
            *mine = fields_of(&a);
            Ok(())
        };
        match self
            .0
            .store
            .merge_contacts(workspace_id, id, from, &merge)
            .await?
        {
            MergeOutcome::Merged(c) => Ok(c),
            MergeOutcome::NotFound => Err(AppError::NotFound("contact")),
            MergeOutcome::Same => Err(AppError::rejected(
                Rejection::SameContact,
                "from: names the contact itself",
            )),
            MergeOutcome::Invalid(m) => Err(AppError::rejected(Rejection::InvalidContact, m)),
        }
    }

    /// A personal invitation: its response belongs to the contact, once.
    #[tracing::instrument(skip(self))]
    pub async fn invite_contact(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        survey_id: &SurveyId,
    ) -> Result<InvitationRecord, AppError> {
        self.0
            .store
            .create_invitation(workspace_id, contact_id, survey_id)
            .await?
            .ok_or(AppError::NotFound("contact or survey"))
    }

    /// The contact's responses, newest first.
    #[tracing::instrument(skip(self))]
    pub async fn contact_responses(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
        limit: i64,
    ) -> Result<Vec<ResponseRecord>, AppError> {
        let c = self.contact(workspace_id, id).await?;
        Ok(self
            .0
            .store
            .contact_responses(workspace_id, &c.id, limit)
            .await?)
    }

    /// The contact's events, newest first, before `before_seq`.
    #[tracing::instrument(skip(self))]
    pub async fn contact_events(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<EventRecord>, AppError> {
        let c = self.contact(workspace_id, id).await?;
        Ok(self
            .0
            .store
            .contact_events(workspace_id, &c.id, before_seq, limit)
            .await?)
    }
}
