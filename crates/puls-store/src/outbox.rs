//! Records and the storage trait of what Puls sends: webhook endpoints, and the outbox of
//! jobs (one message to one target, with a stable id) that any node claims by lease,
//! delivers, and records attempt by attempt; plus the leased cursors of the change feeds
//! that turn stored facts (a completed response) into jobs.

use async_trait::async_trait;
use puls_core::WorkspaceId;

use crate::error::StoreError;

/// An alert waiting for one recipient's daily digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestItem {
    /// Stable per alert and recipient: the same alert read twice is kept once.
    pub id: String,
    pub workspace_id: WorkspaceId,
    /// An e-mail address.
    pub recipient: String,
    pub locale: String,
    /// When the digest that takes it is due (Unix ms).
    pub due_at: i64,
    /// The response it is about, if any (erased with its person).
    pub response_id: Option<String>,
    /// What the digest says of it (JSON for the e-mail's template).
    pub data: String,
    pub created_at: i64,
}

/// A workspace's webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRecord {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: String,
    /// `whsec_` and the base64 of the signing key.
    pub secret: String,
    /// After a rotation: the old secret, which keeps signing beside the new one until
    /// `previous_until` (Unix ms).
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
    /// Failed attempts in a row.
    pub failures: i64,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// `standard` (Standard Webhooks, signed) or `slack` (Slack-compatible, unsigned).
    pub format: String,
    /// The language of a Slack-compatible channel's messages (`pl`, `cs`, `en`).
    pub locale: String,
}

impl WebhookRecord {
    pub fn enabled(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// A job to send: `id` is the message's stable id (a receiver deduplicates on it), so
/// enqueueing the same id twice stores it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: String,
    pub workspace_id: WorkspaceId,
    /// `webhook` for now.
    pub channel: String,
    pub target_id: String,
    pub event_type: String,
    /// The body to send, as text (JSON for webhooks).
    pub payload: String,
    /// Not before (Unix ms).
    pub next_at: i64,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Delivered,
    /// Given up after its attempts, or its target refused it for good or was disabled.
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Delivered => "delivered",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        [JobState::Pending, JobState::Delivered, JobState::Failed]
            .into_iter()
            .find(|j| j.as_str() == s)
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub channel: String,
    pub target_id: String,
    pub event_type: String,
    pub payload: String,
    pub state: JobState,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub done_at: Option<i64>,
}

/// One try at delivering a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// 1 for the first.
    pub n: i64,
    pub at: i64,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// The node that made it.
    pub node: String,
}

/// What became of a job after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Delivered,
    /// Try again at (Unix ms).
    Retry(i64),
    Failed,
}

/// Which of a workspace's jobs to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub target_id: Option<String>,
    pub state: Option<JobState>,
    /// Only jobs created before this one (pagination).
    pub before: Option<(i64, String)>,
    pub limit: i64,
}

/// What an attempt says about its webhook.
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a> {
    pub ok: bool,
    /// Failed attempts in a row that disable the webhook.
    pub disable_after: i64,
    /// Disable it now (it answered 410 Gone).
    pub disable_now: bool,
    /// Why it is disabled, if it is.
    pub reason: &'a str,
    pub now: i64,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn create_webhook(&self, hook: &WebhookRecord) -> Result<(), StoreError>;
    async fn webhooks(&self, workspace_id: WorkspaceId) -> Result<Vec<WebhookRecord>, StoreError>;
    async fn webhook(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<WebhookRecord>, StoreError>;
    /// Writes a webhook's changeable fields (url, events, description, secrets, failures,
    /// disabled); false when it is not there.
    async fn update_webhook(&self, hook: &WebhookRecord) -> Result<bool, StoreError>;
    /// Deletes a webhook; its pending jobs fail. False when it was not there.
    async fn delete_webhook(&self, workspace_id: WorkspaceId, id: &str)
    -> Result<bool, StoreError>;
    /// After an attempt: a success resets the run of failures; a failure extends it, and
    /// disables the webhook (with the verdict's reason) when the run reaches
    /// `disable_after` or when `disable_now`. Returns the webhook as it is now.
    async fn webhook_attempted(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        verdict: &Verdict<'_>,
    ) -> Result<Option<WebhookRecord>, StoreError>;

    /// Stores jobs whose ids are new; returns how many were.
    async fn enqueue(&self, jobs: &[NewJob]) -> Result<u64, StoreError>;
    /// Leases up to `limit` pending jobs due at `now` and not leased by anyone, to `node`
    /// until `lease_until`: no two nodes get the same job while its lease runs.
    async fn claim_jobs(
        &self,
        node: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<JobRecord>, StoreError>;
    /// Records an attempt and what became of the job, releasing its lease.
    async fn finish_attempt(
        &self,
        job_id: &str,
        attempt: &AttemptRecord,
        outcome: JobOutcome,
    ) -> Result<(), StoreError> {
        self.finish_attempts(&[(job_id, attempt, outcome)]).await
    }
    /// Records attempts of several jobs (each once) and what became of them, in one
    /// transaction.
    async fn finish_attempts(
        &self,
        done: &[(&str, &AttemptRecord, JobOutcome)],
    ) -> Result<(), StoreError>;
    /// Ends a job without an attempt (its target is gone or disabled).
    async fn fail_job(&self, job_id: &str, reason: &str, now: i64) -> Result<(), StoreError>;
    /// Withdraws a job not sent yet (`failed`, with the reason); false when it was sent or
    /// is not there.
    async fn cancel_job(&self, job_id: &str, reason: &str, now: i64) -> Result<bool, StoreError>;
    async fn jobs(
        &self,
        workspace_id: WorkspaceId,
        filter: &JobFilter,
    ) -> Result<Vec<JobRecord>, StoreError>;
    async fn job(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<JobRecord>, StoreError>;
    async fn attempts(&self, job_id: &str) -> Result<Vec<AttemptRecord>, StoreError>;
    /// Sends a job again from now (whatever its state); false when it is not there.
    async fn replay_job(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    /// Pending jobs of every workspace (the queue's depth).
    async fn pending_jobs(&self) -> Result<i64, StoreError>;

    /// Keeps alerts for their recipients' digests (those whose id is stored already are
    /// left); returns how many were new.
    async fn add_digest_items(&self, items: &[DigestItem]) -> Result<u64, StoreError>;
    /// Alerts due in a digest at `now` and not sent in one yet, by workspace, recipient
    /// and age; at most `limit`.
    async fn due_digest_items(&self, now: i64, limit: i64) -> Result<Vec<DigestItem>, StoreError>;
    /// Writes a digest's job and stamps the alerts it takes, in one transaction, unless
    /// one of them was taken already (by another node): then nothing is written and the
    /// answer is `false`.
    async fn send_digest(&self, job: &NewJob, item_ids: &[String]) -> Result<bool, StoreError>;

    /// Starts a workspace's feed at `cursor` unless it has started already.
    async fn start_feed(
        &self,
        workspace_id: WorkspaceId,
        feed: &str,
        cursor: i64,
    ) -> Result<(), StoreError>;
    /// The workspaces that have started `feed`.
    async fn feed_workspaces(&self, feed: &str) -> Result<Vec<WorkspaceId>, StoreError>;
    /// Deletes the workspace's feeds whose names start with `prefix` (their cursors and
    /// leases: a node holding one can no longer write under it); how many.
    async fn delete_feeds(
        &self,
        workspace_id: WorkspaceId,
        prefix: &str,
    ) -> Result<u64, StoreError>;
    /// Leases a started feed to `node` until `lease_until` (when no other node holds it at
    /// `now`) and returns its cursor; `None` when another node holds it or it has not
    /// started.
    async fn lease_feed(
        &self,
        workspace_id: WorkspaceId,
        feed: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<i64>, StoreError>;
    /// Moves a leased feed's cursor on (only while `node` holds it).
    async fn save_feed(
        &self,
        workspace_id: WorkspaceId,
        feed: &str,
        node: &str,
        cursor: i64,
    ) -> Result<bool, StoreError>;
}
