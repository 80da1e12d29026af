//! Records and the storage trait of distributions: a survey sent to an audience
//! (`DistributionRecord`), one delivery per contact with its personal link, its message's
//! state and its reminders (`DeliveryRecord`), and the workspace's suppression list, kept
//! as salted hashes so that it outlives the erasure of the person it protects.

use async_trait::async_trait;
use puls_core::{ContactId, SurveyId, WorkspaceId};

use crate::customers::ContactRecord;
use crate::error::StoreError;
use crate::outbox::NewJob;

/// A stored distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionRecord {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub survey_id: SurveyId,
    pub channel: String,
    pub name: String,
    /// The definition as JSON text (`puls_core::distribution::DistributionDef`).
    pub definition: String,
    /// `preparing` (recipients being added), `ready` or `cancelled`.
    pub status: String,
    pub recipients: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The trigger whose occurrence made it (such distributions are not listed with those
    /// sent by hand).
    pub trigger_id: Option<String>,
    /// A sampled distribution's plan (JSON): how many of each group it invites, and why.
    pub sample_plan: Option<String>,
}

/// What happened to one contact's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryStatus {
    /// In the outbox, waiting for its time.
    Queued,
    Sent,
    /// Refused for good, or out of attempts.
    Failed,
    /// The receiving server said the mailbox does not exist (now suppressed).
    Bounced,
    /// On the suppression list.
    Suppressed,
    /// Not sent, for the reason given.
    Skipped,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 6] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
        DeliveryStatus::Bounced,
        DeliveryStatus::Suppressed,
        DeliveryStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Bounced => "bounced",
            DeliveryStatus::Suppressed => "suppressed",
            DeliveryStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One contact of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub distribution_id: String,
    pub contact_id: String,
    pub workspace_id: WorkspaceId,
    pub channel: String,
    pub token: Option<String>,
    pub address: Option<String>,
    pub locale: String,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub due_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub reminders_sent: i64,
    pub next_reminder_at: Option<i64>,
    pub updated_at: i64,
    /// When its message was first opened (its image loaded while the workspace tracked
    /// opens); never written when a delivery is added.
    pub opened_at: Option<i64>,
}

/// A delivery to add, with what it needs written with it: a personal link (`token`, made
/// an invitation of the distribution's survey) and the message's job.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub record: DeliveryRecord,
    pub job: Option<NewJob>,
}

/// A distribution's deliveries counted: by status (and reason where one is given), and
/// their responses begun and completed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryCounts {
    /// `(status, reason, count)`.
    pub by_status: Vec<(DeliveryStatus, Option<String>, i64)>,
    /// Deliveries whose link has a response, partial or complete.
    pub started: i64,
    pub completed: i64,
    /// Reminders sent in all.
    pub reminders: i64,
    /// Deliveries whose message was opened (counted only while opens are tracked; see
    /// `puls_core::email_settings`).
    pub opened: i64,
}

impl DeliveryCounts {
    /// Deliveries in `status`, whatever their reason.
    pub fn count(&self, status: DeliveryStatus) -> i64 {
        self.by_status
            .iter()
            .filter(|(s, _, _)| *s == status)
            .map(|(_, _, n)| n)
            .sum()
    }

    /// Deliveries in all.
    pub fn total(&self) -> i64 {
        self.by_status.iter().map(|(_, _, n)| n).sum()
    }
}

/// One delivery of a survey as its report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFact {
    pub contact_id: String,
    pub channel: String,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub reminders: i64,
    /// Its link has a response (partial or complete), and a complete one.
    pub started: bool,
    pub completed: bool,
    /// Its message was opened (opens tracked).
    pub opened: bool,
}

/// A change of one delivery's state by the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryUpdate<'a> {
    pub distribution_id: &'a str,
    pub contact_id: &'a str,
    pub status: DeliveryStatus,
    pub reason: Option<&'a str>,
    pub sent_at: Option<i64>,
    /// Set (or, `Some(None)`, cleared) the next reminder's time; `None` leaves it.
    pub next_reminder_at: Option<Option<i64>>,
    pub now: i64,
}

/// A suppressed address, as the list shows it (the address itself is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionRecord {
    pub channel: String,
    pub hash: String,
    pub reason: String,
    pub created_at: i64,
}

/// A survey asked of a contact, for the frequency policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTouch<'a> {
    pub contact_id: &'a str,
    /// What asked (`dst_…:contact` for a distribution's delivery): counted once.
    pub source: &'a str,
    pub at: i64,
    pub channel: &'a str,
    pub survey_id: &'a str,
    /// 0 low, 1 normal, 2 high: earlier surveys of lower priority do not count against
    /// this one.
    pub priority: i64,
}

/// Decides one more survey from the times of the contact's earlier ones.
pub type TouchDecision = dyn Fn(&[i64]) -> bool + Send + Sync;

#[async_trait]
pub trait DistributionStore: Send + Sync {
    /// Records surveys asked of contacts of one workspace, each if `decide` allows it given
    /// the times of that contact's surveys since `since` (those allowed earlier in the list
    /// included) — in one transaction that holds the contacts' locks, so that two nodes
    /// deciding for the same person wait for each other. A source recorded before is
    /// allowed again without deciding (a retried send). Returns whether each is allowed.
    async fn claim_touches(
        &self,
        workspace_id: WorkspaceId,
        touches: &[NewTouch<'_>],
        since: i64,
        decide: &TouchDecision,
    ) -> Result<Vec<bool>, StoreError>;

    /// Sets several deliveries' states in one transaction.
    async fn update_deliveries(&self, updates: &[DeliveryUpdate<'_>]) -> Result<(), StoreError>;

    /// The times of a contact's surveys since `since`, by any channel.
    async fn touches(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &str,
        since: i64,
    ) -> Result<Vec<i64>, StoreError>;

    /// Whether the contact (or a browser's pseudo-contact) was asked `survey_id` since
    /// `since`, by any channel.
    async fn asked_since(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &str,
        survey_id: &str,
        since: i64,
    ) -> Result<bool, StoreError>;

    async fn create_distribution(&self, d: &DistributionRecord) -> Result<(), StoreError>;

    async fn distribution(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<DistributionRecord>, StoreError>;

    /// Newest first, before the id `before` when given, at most `limit`.
    async fn distributions(
        &self,
        workspace_id: WorkspaceId,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DistributionRecord>, StoreError>;

    /// Distributions still `preparing` whose last change is older than `before` (their
    /// creation was cut short), at most `limit`.
    async fn stale_distributions(
        &self,
        before: i64,
        limit: i64,
    ) -> Result<Vec<DistributionRecord>, StoreError>;

    /// Takes a stale distribution to finish preparing it: its change time becomes `now`
    /// if it is still `preparing` and unchanged since `seen` (another node did not take
    /// it). Returns whether this caller took it.
    async fn take_distribution(&self, id: &str, seen: i64, now: i64) -> Result<bool, StoreError>;

    /// Marks a distribution that is still `preparing` ready, with its recipient count
    /// (one cancelled meanwhile stays cancelled). Returns whether it was marked.
    async fn ready_distribution(
        &self,
        id: &str,
        recipients: i64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// The addresses a distribution's deliveries were written with (to go on adding
    /// without writing to an address twice).
    async fn distribution_addresses(&self, id: &str) -> Result<Vec<String>, StoreError>;

    /// Sets a distribution's status and recipient count.
    async fn set_distribution_status(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        status: &str,
        recipients: i64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Adds deliveries in one transaction: those of contacts the distribution has already
    /// are left (adding is repeatable); for each new one, its personal link (an invitation
    /// of `survey_id`) and its job are written with it. Returns how many were new.
    async fn add_deliveries(
        &self,
        survey_id: &SurveyId,
        deliveries: &[NewDelivery],
    ) -> Result<u64, StoreError>;

    /// Live contacts by id (merged ones followed to their primary is the caller's work:
    /// here, only those live under the id given).
    async fn contacts_by_ids(
        &self,
        workspace_id: WorkspaceId,
        ids: &[ContactId],
    ) -> Result<Vec<ContactRecord>, StoreError>;

    async fn delivery(
        &self,
        distribution_id: &str,
        contact_id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError>;

    /// The last delivery sent on `channel` to one of `addresses` (the spellings of one
    /// number), with its link: what a reply by SMS answers.
    async fn last_delivery_to(
        &self,
        channel: &str,
        addresses: &[String],
    ) -> Result<Option<DeliveryRecord>, StoreError>;

    /// The delivery of a personal link's token (unsubscribing, the embedded answer).
    async fn delivery_by_token(&self, token: &str) -> Result<Option<DeliveryRecord>, StoreError>;

    /// Records the first open of the sent message of a personal link's token at `at`;
    /// `false` when there is no such sent message or it was opened before.
    async fn record_open(&self, token: &str, at: i64) -> Result<bool, StoreError>;

    async fn update_delivery(&self, u: &DeliveryUpdate<'_>) -> Result<(), StoreError>;

    /// A distribution's deliveries after contact id `after`, by contact id.
    async fn deliveries(
        &self,
        distribution_id: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    async fn delivery_counts(&self, distribution_id: &str) -> Result<DeliveryCounts, StoreError>;

    /// The completed responses through a distribution's links: each delivery's contact
    /// with the response's answers (for quotas per group and per answer).
    async fn distribution_completions(
        &self,
        distribution_id: &str,
    ) -> Result<Vec<(String, crate::json::JsonMap)>, StoreError>;

    /// Counts one more response begun on a kiosk `device` for `survey_id` in `hour` (Unix
    /// ms / 3,600,000); returns the count with it.
    async fn count_kiosk_start(
        &self,
        survey_id: &SurveyId,
        device: &str,
        hour: i64,
    ) -> Result<i64, StoreError>;

    /// Every delivery of every distribution of a survey (by hand or by a trigger), with
    /// whether its link was answered.
    async fn survey_deliveries(
        &self,
        survey_id: &SurveyId,
    ) -> Result<Vec<DeliveryFact>, StoreError>;

    /// Records a sampled distribution's plan.
    async fn set_sample_plan(&self, id: &str, plan: &str) -> Result<(), StoreError>;

    /// The deliveries of every distribution of a survey, counted alike (the response rate
    /// it has had).
    async fn survey_delivery_counts(
        &self,
        survey_id: &SurveyId,
    ) -> Result<DeliveryCounts, StoreError>;

    /// The deliveries of every distribution a trigger made, counted alike.
    async fn trigger_delivery_counts(&self, trigger_id: &str)
    -> Result<DeliveryCounts, StoreError>;

    /// A contact's deliveries, newest first (their page: what was sent, what was not and
    /// why).
    async fn contact_deliveries(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Sent deliveries whose next reminder is due at `now` and whose link has no completed
    /// response yet, at most `limit`.
    async fn due_reminders(&self, now: i64, limit: i64) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Records the reminder `d.reminders_sent + 1` and queues its job, if the delivery is
    /// still as read (another node did not take it); the next one is due at `next`.
    async fn remind(
        &self,
        d: &DeliveryRecord,
        next: Option<i64>,
        job: &NewJob,
    ) -> Result<bool, StoreError>;

    /// The response given with a personal link's token to a survey, if any.
    async fn response_by_token(
        &self,
        survey_id: &SurveyId,
        token: &str,
    ) -> Result<Option<crate::model::ResponseRecord>, StoreError>;

    /// The workspace's salt for suppression hashes, made on first use.
    async fn suppression_salt(&self, workspace_id: WorkspaceId) -> Result<String, StoreError>;

    /// Adds an address's hash to the list; `false` when it was there already.
    async fn suppress(
        &self,
        workspace_id: WorkspaceId,
        channel: &str,
        hash: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Which of `hashes` are on the list, with their reasons.
    async fn suppressed(
        &self,
        workspace_id: WorkspaceId,
        channel: &str,
        hashes: &[String],
    ) -> Result<Vec<(String, String)>, StoreError>;

    /// Removes a hash from the list; `false` when it was not there.
    async fn unsuppress(
        &self,
        workspace_id: WorkspaceId,
        channel: &str,
        hash: &str,
    ) -> Result<bool, StoreError>;

    /// The list, newest first, before `(created_at, hash)` when given.
    async fn suppressions(
        &self,
        workspace_id: WorkspaceId,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<SuppressionRecord>, StoreError>;
}
