//! Records and the storage trait of text analysis (issue 16): what was read in each open
//! answer, one row per response and question, written by whichever node holds the
//! workspace's analysis feed (the write checks the lease in its own transaction, so a
//! node that lost it writes nothing), and read back for the inbox, the exports and the
//! reports.

use async_trait::async_trait;
use puls_core::{ResponseId, WorkspaceId};

use crate::error::StoreError;

/// What one analysis read in one open answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextResultRecord {
    pub response_id: ResponseId,
    /// The open-text question, or the choice question whose "other" text was read.
    pub question_id: String,
    pub workspace_id: WorkspaceId,
    pub survey_id: String,
    pub touchpoint: String,
    pub channel: String,
    pub locale: String,
    /// When the response was created (Unix ms).
    pub response_at: i64,
    /// The analysis (model, heads, rules) that wrote it.
    pub analysis_version: String,
    /// A hash of the text it read.
    pub text_hash: String,
    /// `pl`, `cs` or `en`.
    pub language: String,
    /// `neg`, `neu` or `pos`.
    pub sentiment: String,
    /// The sentiment's probability, in thousandths.
    pub score_milli: i64,
    /// A JSON list of `{"name", "sentiment"}`.
    pub aspects: String,
    pub emotion: String,
    /// Distinct stemmed words, each with the word it came as (`stem|word`), space-separated.
    pub terms: String,
    pub analysed_at: i64,
    pub node: String,
}

/// A feed lease a write must still hold when it commits.
#[derive(Debug, Clone, Copy)]
pub struct HeldLease<'a> {
    pub feed: &'a str,
    pub node: &'a str,
    pub now: i64,
}

#[async_trait]
pub trait TextStore {
    /// The stored results of these responses (every question), by response id then question.
    async fn text_results(
        &self,
        workspace_id: WorkspaceId,
        response_ids: &[ResponseId],
    ) -> Result<Vec<TextResultRecord>, StoreError>;

    /// In one transaction, while `lease` is held: stores `results` (a response's earlier
    /// result for the same question is replaced when its version or text differs; a result
    /// for a response deleted meanwhile is left out) and deletes the results of `stale`
    /// (response, question) pairs whose text is gone. `None` when the lease is not held
    /// (nothing is written); else how many results were written.
    async fn save_text_results(
        &self,
        workspace_id: WorkspaceId,
        lease: HeldLease<'_>,
        results: &[TextResultRecord],
        stale: &[(ResponseId, String)],
    ) -> Result<Option<u64>, StoreError>;

    /// Results of one analysis version for responses created in `[from, to)`, oldest first.
    async fn text_results_between(
        &self,
        workspace_id: WorkspaceId,
        analysis_version: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<TextResultRecord>, StoreError>;

    /// Every stored result of the workspace as (response id, sentiment, aspects JSON),
    /// whichever version wrote it: what reports group and filter responses by.
    async fn text_readings(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<(String, String, String)>, StoreError>;

    /// How many results the workspace has of one analysis version, and of any other.
    async fn text_result_counts(
        &self,
        workspace_id: WorkspaceId,
        analysis_version: &str,
    ) -> Result<(i64, i64), StoreError>;
}
