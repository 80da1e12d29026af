//! Records and the storage trait of cases: what a case is (status, priority, owner, its
//! response and contact, SLA due times and pauses), its history of events, and the marks
//! that make something happen once per case whichever node gets there first.

use async_trait::async_trait;
use puls_core::WorkspaceId;
use puls_core::alert::Priority;
use puls_core::case::CaseStatus;

use crate::error::StoreError;
use crate::outbox::NewJob;

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub title: String,
    pub status: CaseStatus,
    pub priority: Priority,
    pub owner_id: Option<String>,
    pub team: Option<String>,
    /// The rule that opened it; none when opened by hand.
    pub rule_key: Option<String>,
    pub response_id: Option<String>,
    pub survey_id: Option<String>,
    pub touchpoint: Option<String>,
    /// Who it is about (`external:ID` or `email:ADDRESS`).
    pub contact_key: Option<String>,
    /// Where replies go.
    pub contact_email: Option<String>,
    /// The customer's language (replies and re-surveys).
    pub locale: String,
    pub root_cause: Option<String>,
    /// Stretches of time the SLA clock stood still, `(from, to)`; `to` is `None` while it
    /// stands still.
    pub pauses: Vec<(i64, Option<i64>)>,
    pub first_response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// The re-survey after resolving: the personal link's token and the e-mail's job.
    pub resurvey_token: Option<String>,
    pub resurvey_job: Option<String>,
    /// The re-survey's answer, and when it came.
    pub recovery_response_id: Option<String>,
    pub recovered_at: Option<i64>,
    /// Grows by one with every change; a change applies only to the revision it read.
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// 1 for the first.
    pub n: i64,
    pub at: i64,
    /// `created`, `status`, `owner`, `team`, `priority`, `root_cause`, `note`, `reply`,
    /// `linked`, `escalated`.
    pub kind: String,
    /// A user id, `api`, `rule:KEY` or `system`.
    pub actor: String,
    /// JSON text: what changed (`{"from", "to"}`, a note's text, a reply's message id).
    pub data: String,
}

/// Which cases to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub statuses: Vec<CaseStatus>,
    pub priority: Option<Priority>,
    /// A user id.
    pub owner: Option<String>,
    pub unassigned: bool,
    /// Cases of any of these teams (any team when empty).
    pub teams: Vec<String>,
    /// Open cases whose resolution was due before this instant (Unix ms).
    pub due_before: Option<i64>,
    pub response_id: Option<String>,
    /// Only cases created before this one (pagination): `(created_at, id)`.
    pub before: Option<(i64, String)>,
    pub limit: i64,
}

/// A new case to store: the case, its first event and the outbox jobs that announce it.
#[derive(Debug, Clone, Copy)]
pub struct CaseInsert<'a> {
    /// Stored unless a case with its id exists.
    pub case: &'a CaseRecord,
    /// Stored as the case's event 1.
    pub first: &'a CaseEvent,
    /// Queued only when the case is new.
    pub jobs: &'a [NewJob],
}

#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Each case's response and root cause, for cases that have both.
    async fn case_root_causes(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Stores a new case with its first event and the outbox jobs that announce it, in one
    /// transaction, unless a case with its id exists; true when it was new. A batch of one
    /// of [`CaseStore::insert_cases`].
    async fn insert_case(
        &self,
        case: &CaseRecord,
        first: &CaseEvent,
        jobs: &[NewJob],
    ) -> Result<bool, StoreError> {
        let inserted = self
            .insert_cases(&[CaseInsert { case, first, jobs }])
            .await?;
        Ok(inserted.first().copied().unwrap_or(false))
    }
    /// Stores new cases, each with its first event and its jobs, all in one transaction;
    /// a case whose id exists is left as it is and its event and jobs are not written.
    /// Returns, in the order given, whether each case was new.
    async fn insert_cases(&self, cases: &[CaseInsert<'_>]) -> Result<Vec<bool>, StoreError>;
    async fn case(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<CaseRecord>, StoreError>;
    async fn cases(
        &self,
        workspace_id: WorkspaceId,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseRecord>, StoreError>;
    /// Writes a case read at `case.revision - 1`, appends `events` to its history and
    /// queues `jobs`, in one transaction; false (and nothing written) when someone changed
    /// it meanwhile.
    async fn update_case(
        &self,
        case: &CaseRecord,
        events: &[CaseEvent],
        jobs: &[NewJob],
    ) -> Result<bool, StoreError>;
    async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, StoreError>;
    /// The newest case about a contact created at or after `since`, open or not.
    async fn contact_case(
        &self,
        workspace_id: WorkspaceId,
        contact_key: &str,
        since: i64,
    ) -> Result<Option<CaseRecord>, StoreError>;
    /// Marks `mark` on a case once; true for the caller that marked it.
    async fn mark_case(&self, case_id: &str, mark: &str, at: i64) -> Result<bool, StoreError>;
    /// Open cases of every workspace (for escalations), oldest first.
    async fn open_cases(&self, limit: i64) -> Result<Vec<CaseRecord>, StoreError>;
    /// The case whose re-survey has this personal link's token.
    async fn case_by_resurvey(
        &self,
        workspace_id: WorkspaceId,
        token: &str,
    ) -> Result<Option<CaseRecord>, StoreError>;
    /// Cases created in `[from, to)`, for reports (at most `limit`).
    async fn cases_created(
        &self,
        workspace_id: WorkspaceId,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StoreError>;
}
