//! Records and the storage trait of triggers: a rule that invites a contact some time
//! after a behavioural event (`TriggerRecord`), and each of its occurrences, kept once per
//! trigger and key with what became of it (`OccurrenceRecord`). Occurrences begin and are
//! cancelled in the transaction that stores the events saying so (see
//! [`crate::TrackBatch::triggers`]); they are fired by whichever node takes them first.

use async_trait::async_trait;
use puls_core::trigger::TriggerOp;
use puls_core::{SurveyId, WorkspaceId};

use crate::error::StoreError;

/// A stored trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerRecord {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub survey_id: SurveyId,
    pub name: String,
    /// The definition as JSON text (`puls_core::trigger::TriggerDef`).
    pub definition: String,
    /// `active` or `paused`.
    pub status: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Where an occurrence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OccurrenceState {
    /// Waiting for its time.
    Pending,
    /// Taken by a node, until its lease ends.
    Firing,
    /// Made its invitation (`distribution_id`).
    Fired,
    /// An in-app occurrence waiting for the widget to show it (until `lease_until`).
    Ready,
    /// An in-app occurrence the widget showed.
    Shown,
    /// A later event made it moot.
    Cancelled,
    /// Not fired, for the reason given.
    Skipped,
    /// Cancelled before its own event arrived: keeps it from beginning.
    Tombstone,
}

impl OccurrenceState {
    pub const ALL: [OccurrenceState; 8] = [
        OccurrenceState::Pending,
        OccurrenceState::Firing,
        OccurrenceState::Fired,
        OccurrenceState::Ready,
        OccurrenceState::Shown,
        OccurrenceState::Cancelled,
        OccurrenceState::Skipped,
        OccurrenceState::Tombstone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OccurrenceState::Pending => "pending",
            OccurrenceState::Firing => "firing",
            OccurrenceState::Fired => "fired",
            OccurrenceState::Ready => "ready",
            OccurrenceState::Shown => "shown",
            OccurrenceState::Cancelled => "cancelled",
            OccurrenceState::Skipped => "skipped",
            OccurrenceState::Tombstone => "tombstone",
        }
    }

    pub fn parse(s: &str) -> Option<OccurrenceState> {
        OccurrenceState::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One occurrence of a trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceRecord {
    pub trigger_id: String,
    /// The person and the occurrence's value (`u:ala|A-1`).
    pub occurrence: String,
    pub workspace_id: WorkspaceId,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// Given when it began through the API, else found when it fires.
    pub contact_id: Option<String>,
    /// The event that began (or cancelled) it.
    pub message_id: Option<String>,
    pub occurred_at: i64,
    pub due_at: Option<i64>,
    pub state: OccurrenceState,
    pub reason: Option<String>,
    pub distribution_id: Option<String>,
    pub lease_until: Option<i64>,
    pub updated_at: i64,
}

/// What one event (or API call) does to one trigger's occurrences, written with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerWrite {
    pub trigger_id: String,
    /// Written only if this message is stored now (not a repeat); `None`: always.
    pub message_id: Option<String>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    pub contact_id: Option<String>,
    pub op: TriggerOp,
}

/// Who a widget's visitor is, by each of their ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    pub user_id: Option<&'a str>,
    pub anonymous_id: Option<&'a str>,
    pub contact_id: Option<&'a str>,
}

/// A trigger's occurrences counted by state and reason.
pub type OccurrenceCounts = Vec<(OccurrenceState, Option<String>, i64)>;

#[async_trait]
pub trait TriggerStore: Send + Sync {
    async fn create_trigger(&self, t: &TriggerRecord) -> Result<(), StoreError>;

    /// Replaces a trigger's name, definition and status; `false` when there is none.
    async fn update_trigger(&self, t: &TriggerRecord) -> Result<bool, StoreError>;

    async fn trigger(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<TriggerRecord>, StoreError>;

    /// The workspace's triggers, newest first.
    async fn triggers(&self, workspace_id: WorkspaceId) -> Result<Vec<TriggerRecord>, StoreError>;

    /// Deletes a trigger and its occurrences still waiting (those that fired keep their
    /// distributions); `false` when there is none.
    async fn delete_trigger(&self, workspace_id: WorkspaceId, id: &str)
    -> Result<bool, StoreError>;

    /// Applies writes outside an event's transaction (occurrences begun or cancelled
    /// through the API).
    async fn write_occurrences(
        &self,
        workspace_id: WorkspaceId,
        writes: &[TriggerWrite],
        now: i64,
    ) -> Result<(), StoreError>;

    /// Occurrences pending and due at `now`, those whose node's lease ran out, and in-app
    /// ones whose time to be shown ran out, at most `limit`, earliest first.
    async fn due_occurrences(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, StoreError>;

    /// Takes an occurrence to fire it until `lease_until`, if it is still as read (another
    /// node did not take it). Returns whether this caller took it.
    async fn take_occurrence(
        &self,
        o: &OccurrenceRecord,
        lease_until: i64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// A person's in-app occurrences waiting for the widget at `now` (by user id,
    /// anonymous id or contact id), earliest first, at most `limit`.
    async fn ready_occurrences(
        &self,
        workspace_id: WorkspaceId,
        person: &Person<'_>,
        now: i64,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, StoreError>;

    /// Marks a ready occurrence shown, if it still is ready (another page view did not
    /// show it). Returns whether this caller did.
    async fn show_occurrence(&self, o: &OccurrenceRecord, now: i64) -> Result<bool, StoreError>;

    /// Records what became of an occurrence this node took (`lease_until` kept for a
    /// ready one: until when it may be shown).
    async fn settle_occurrence(&self, o: &OccurrenceRecord, now: i64) -> Result<(), StoreError>;

    /// A trigger's occurrences, most recent first, before `before` (`(occurred_at,
    /// occurrence)`) when given.
    async fn occurrences(
        &self,
        trigger_id: &str,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, StoreError>;

    async fn occurrence_counts(&self, trigger_id: &str) -> Result<OccurrenceCounts, StoreError>;

    /// The user id an anonymous id (a browser, a device) was first seen with.
    async fn linked_user(
        &self,
        workspace_id: WorkspaceId,
        anonymous_id: &str,
    ) -> Result<Option<String>, StoreError>;
}
