//! Records and the storage trait of the customer side: contacts, behavioural events, the
//! links between anonymous and known ids, invitations, write keys, journeys and segments.
//!
//! JSON columns (attributes, consents, properties, definitions) are text the edges produced;
//! the store never interprets them. A contact is changed by a [`ContactChange`] the caller
//! passes in, which the store applies to the row it reads inside its transaction, so
//! concurrent writers never lose each other's changes.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use puls_core::{ContactId, SurveyId, Value, WorkspaceId};

use crate::json::{JsonMap, JsonText};

use crate::error::StoreError;
use crate::model::{ResponseRecord, Workspace};

/// A write key of the tracking API (not a secret; see the migration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteKeyInfo {
    pub key: String,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A contact's own fields as stored; `attributes` and `consents` are objects in the form
/// `puls_core::contact::Contact` reads and prints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactFields {
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    pub attributes: JsonMap,
    pub consents: JsonMap,
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    pub id: ContactId,
    pub workspace_id: WorkspaceId,
    pub fields: ContactFields,
    /// The contact this one was merged into; it then only forwards its ids.
    pub merged_into: Option<ContactId>,
    /// When it was deleted (its fields are then empty).
    pub deleted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// How to find a contact: by id, or by external id and then email. Merged contacts are
/// followed to the contact they were merged into; deleted ones are not found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactLookup {
    pub id: Option<ContactId>,
    pub external_id: Option<String>,
    pub email: Option<String>,
}

/// Changes a contact's fields in place; an `Err` is a message for the caller (the change
/// does not fit the contact, say too many attributes), and the contact stays as it was.
pub type ContactChangeFn = dyn Fn(&mut ContactFields) -> Result<(), String> + Send + Sync;

/// Joins a secondary contact's fields into the primary's (the first argument).
pub type MergeFn = dyn for<'a, 'b> Fn(&'a mut ContactFields, &'b ContactFields) -> Result<(), String>
    + Send
    + Sync;

/// A change the store applies inside its transaction.
#[derive(Clone)]
pub struct ContactChange(pub Arc<ContactChangeFn>);

impl fmt::Debug for ContactChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContactChange(..)")
    }
}

/// Create or update one contact.
#[derive(Debug, Clone)]
pub struct ContactUpsert {
    pub lookup: ContactLookup,
    /// Create the contact when the lookup finds none (else the outcome is `NotFound`).
    pub create: bool,
    pub change: ContactChange,
    /// For the contact change of an identify message: apply it only when this message is
    /// stored by the same write (a repeated message changes nothing).
    pub message_id: Option<String>,
}

/// What one [`ContactUpsert`] did.
#[allow(clippy::large_enum_variant)] // Every variant is built once per upsert.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactOutcome {
    Created(ContactRecord),
    Updated(ContactRecord),
    Unchanged(ContactRecord),
    NotFound,
    /// The change would give it an external id or email that another contact has.
    Conflict {
        field: &'static str,
        other: ContactId,
    },
    /// The change refused the contact (its message).
    Invalid(String),
    /// Its identify message had been stored before.
    Repeated,
}

/// What a merge did.
#[allow(clippy::large_enum_variant)] // Merges are rare; the record is what callers want.
#[derive(Debug, Clone, PartialEq)]
pub enum MergeOutcome {
    Merged(ContactRecord),
    /// One of the two is missing, deleted or already merged.
    NotFound,
    /// Both ids name the same contact.
    Same,
    Invalid(String),
}

/// A behavioural message: `Event<JsonText>` on its way in ([`NewEvent`]), `Event<JsonMap>`
/// read back inside an [`EventRecord`].
#[derive(Debug, Clone, PartialEq)]
pub struct Event<J> {
    pub message_id: String,
    /// `track`, `page`, `screen`, `identify`, `group` or `alias`.
    pub kind: String,
    /// The event's, page's or screen's name; empty for the others.
    pub name: String,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// When it happened (Unix ms, clock skew corrected).
    pub timestamp: i64,
    pub received_at: i64,
    /// Objects: properties (or traits), context, and every other key sent.
    pub properties: J,
    pub context: J,
    pub extra: J,
}

/// A behavioural message to store.
pub type NewEvent = Event<JsonText>;

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Ascending in insertion order; the event's id.
    pub seq: i64,
    /// Where the row stands in the change feed (see [`CustomerStore::feed_events`]).
    pub marker: i64,
    pub event: Event<JsonMap>,
}

/// What the customer feed gives of an event: what an index needs, not the whole message.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    pub seq: i64,
    /// Where the row stands in the change feed (see [`CustomerStore::feed_events`]).
    pub marker: i64,
    pub kind: String,
    pub name: String,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    pub timestamp: i64,
    /// The properties (or traits).
    pub properties: JsonMap,
}

/// Everything one tracking request stores, in one transaction (through the writer).
#[derive(Debug, Clone)]
pub struct TrackBatch {
    pub workspace_id: WorkspaceId,
    pub events: Vec<NewEvent>,
    /// (anonymous id, user id) seen together; the first link of an anonymous id stands.
    pub links: Vec<(String, String)>,
    /// Contact changes of identify messages (each with its `message_id`).
    pub contacts: Vec<ContactUpsert>,
    /// Trigger occurrences begun or cancelled by the messages (each written only if its
    /// message is new).
    pub triggers: Vec<crate::triggers::TriggerWrite>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// Happened at or after (Unix ms).
    pub since: Option<i64>,
    /// Happened before (Unix ms).
    pub until: Option<i64>,
    /// Only events with a smaller `seq` (pagination, newest first).
    pub before_seq: Option<i64>,
}

/// A stored journey or segment definition.
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionRecord {
    pub workspace_id: WorkspaceId,
    pub key: String,
    /// The canonical definition.
    pub definition: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Journeys and segments are stored alike, in their own tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionKind {
    Journey,
    Segment,
    AlertRule,
    /// A workspace setting by name (`sla`).
    Setting,
    /// A workspace's own text-analysis aspect by name (`parking`), or keywords it adds to a
    /// built-in one (`delivery`).
    TextAspect,
}

/// What erasing a person removed: counts only (the receipt keeps no erased data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ErasureReceipt {
    /// The contact and the duplicates merged into it, their fields wiped.
    pub contacts: u64,
    /// Responses given with any of their ids or personal links, deleted.
    pub responses: u64,
    /// Cases about them or their responses, with their history, deleted.
    pub cases: u64,
    /// Behavioural events sent with their user ids, or before sign-in with a browser or
    /// device later tied to them, deleted.
    pub events: u64,
    /// Links from anonymous (browser, device) ids to their user ids, deleted.
    pub identities: u64,
    /// Personal survey links, deleted.
    pub invitations: u64,
    /// When (Unix ms).
    pub erased_at: i64,
}

/// A position in a workspace's customer feed, per table. Opaque: pass back what the store
/// returned. On PostgreSQL all four are the same snapshot xmin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CustomerCursor {
    pub events: i64,
    pub contacts: i64,
    pub links: i64,
    pub invitations: i64,
}

/// An invitation as the feed gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub token: String,
    pub survey_id: SurveyId,
    pub contact_id: ContactId,
    pub created_at: i64,
}

/// The customer side of [`crate::Store`].
#[async_trait]
pub trait CustomerStore: Send + Sync + 'static {
    /// Creates a write key for the workspace.
    async fn create_write_key(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<WriteKeyInfo, StoreError>;
    async fn list_write_keys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<WriteKeyInfo>, StoreError>;
    async fn revoke_write_key(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<bool, StoreError>;
    /// The workspace of an active write key.
    async fn workspace_by_write_key(&self, key: &str) -> Result<Option<Workspace>, StoreError>;

    /// Applies the upserts in one transaction; outcomes in their order. An upsert whose
    /// outcome is not `Created`/`Updated`/`Unchanged` changes nothing.
    async fn upsert_contacts(
        &self,
        workspace_id: WorkspaceId,
        ops: &[ContactUpsert],
    ) -> Result<Vec<ContactOutcome>, StoreError>;
    /// A contact by id as stored (also a merged or deleted one).
    async fn get_contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
    ) -> Result<Option<ContactRecord>, StoreError>;
    /// The live contact a lookup finds (following merges).
    async fn find_contact(
        &self,
        workspace_id: WorkspaceId,
        lookup: &ContactLookup,
    ) -> Result<Option<ContactRecord>, StoreError>;
    /// Live contacts whose phone is `phone` (as stored: digits and a leading `+`), by id
    /// ascending, at most `limit` (a phone number is not an id: several may share one).
    async fn contacts_with_phone(
        &self,
        workspace_id: WorkspaceId,
        phone: &str,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, StoreError>;
    /// Live contacts by id ascending, after `after_id`.
    async fn list_contacts(
        &self,
        workspace_id: WorkspaceId,
        after_id: Option<&ContactId>,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, StoreError>;
    /// Merges `secondary` into `primary`: `merge` gets the primary's fields and the
    /// secondary's and changes the primary's; the secondary then forwards to the primary.
    async fn merge_contacts(
        &self,
        workspace_id: WorkspaceId,
        primary: &ContactId,
        secondary: &ContactId,
        merge: &MergeFn,
    ) -> Result<MergeOutcome, StoreError>;
    /// Erases a live contact everywhere, in one transaction: its fields and those of the
    /// duplicates merged into it (the rows keep only their ids), the responses given with
    /// any of their ids or personal links, their events (by user id, and the anonymous ids
    /// tied to it), those ties, and their invitations; records the receipt. `None` when
    /// there is no such live contact.
    async fn erase_contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
    ) -> Result<Option<ErasureReceipt>, StoreError>;
    /// How many people were ever erased in the workspace: a node whose customer index was
    /// built at another count rebuilds it.
    async fn erasure_count(&self, workspace_id: WorkspaceId) -> Result<i64, StoreError>;
    /// Creates a personal invitation of a live contact to a survey of the workspace;
    /// `None` when either is missing.
    async fn create_invitation(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        survey_id: &SurveyId,
    ) -> Result<Option<InvitationRecord>, StoreError>;
    /// The live contact a personal invitation was made for (followed through merges);
    /// `None` when the token is unknown in the workspace or the contact is gone.
    async fn invitation_contact(
        &self,
        workspace_id: WorkspaceId,
        token: &str,
    ) -> Result<Option<ContactRecord>, StoreError>;
    /// The responses given with any of the contact's ids (its own and those of contacts
    /// merged into it) or invitations, newest first.
    async fn contact_responses(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        limit: i64,
    ) -> Result<Vec<ResponseRecord>, StoreError>;
    /// The contact's events (by its user ids and the anonymous ids linked to them), newest
    /// first, before `before_seq`.
    async fn contact_events(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<EventRecord>, StoreError>;
    /// Events newest first (by `seq`).
    async fn list_events(
        &self,
        workspace_id: WorkspaceId,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<EventRecord>, StoreError>;

    async fn put_definition(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
        key: &str,
        definition: &JsonText,
        now: i64,
    ) -> Result<DefinitionRecord, StoreError>;
    async fn get_definition(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<Option<DefinitionRecord>, StoreError>;
    async fn list_definitions(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<DefinitionRecord>, StoreError>;
    async fn delete_definition(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<bool, StoreError>;

    /// Where the workspace's customer feed stands now. Every row committed after this call
    /// is read by the `feed_*` calls with this cursor as `since`.
    async fn customer_head(&self, workspace_id: WorkspaceId) -> Result<CustomerCursor, StoreError>;
    /// Behavioural events written since `since` (up to `head` where the backend can bound
    /// it), after `after_seq`, by `seq`, at most `limit`. `since` = default reads every
    /// event. On PostgreSQL an event may come again in a later read (its `marker` is then at
    /// least the later `since.events`); readers skip the `seq`s they have.
    async fn feed_events(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<FeedEvent>, StoreError>;
    /// Contacts written since `since`, by id after `after_id` (also merged and deleted
    /// ones, which readers apply as such). Repeats are harmless: a row is its latest state.
    async fn feed_contacts(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after_id: Option<&ContactId>,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, StoreError>;
    /// Identity links written since `since`, by anonymous id after `after`.
    async fn feed_links(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Invitations written since `since`, by token after `after`.
    async fn feed_invitations(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after: &str,
        limit: i64,
    ) -> Result<Vec<InvitationRecord>, StoreError>;
}
