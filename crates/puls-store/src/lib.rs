//! Puls storage: the [`Store`] trait and its SQLite and PostgreSQL backends.
//!
//! The backend is chosen from the database URL's scheme by [`connect`]. Both backends run
//! the same SQL (written once, in `sql.rs`, `customers_sql.rs` and `users_sql.rs`, and
//! dispatched to the backend by `db.rs`), each with its own migrations. Responses are
//! written through the group-commit [`ResponseWriter`], so a response is committed before
//! its submitter hears about it, without one disk flush per response.

mod cases;
mod cases_sql;
mod customers;
mod customers_sql;
mod db;
mod distributions;
mod distributions_sql;
mod error;
pub mod json;
pub mod model;
mod outbox;
mod outbox_sql;
mod postgres;
mod sql;
mod sqlite;
mod text;
mod text_sql;
mod triggers;
mod triggers_sql;
mod users;
mod users_sql;
mod writer;

use std::sync::Arc;

use async_trait::async_trait;
pub use puls_core::{ContactId, ResponseId, SurveyId, UserId, Value, WorkspaceId};

pub use cases::*;
pub use customers::*;
pub use db::corrupt_rows;
pub use distributions::*;
pub use error::StoreError;
pub use model::*;
pub use outbox::*;
pub use text::*;
pub use triggers::*;
pub use users::*;
pub use writer::ResponseWriter;

/// Everything Puls keeps. Every method is scoped to a workspace where data belongs to one.
/// The customer side (contacts, events, journeys, segments) is [`CustomerStore`]; the
/// people who sign in (users, roles, sessions) are [`UserStore`].
#[async_trait]
pub trait Store:
    CustomerStore
    + UserStore
    + OutboxStore
    + CaseStore
    + DistributionStore
    + TriggerStore
    + TextStore
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// How many response-writer tasks suit this backend (one for SQLite's single writer).
    fn writer_tasks(&self) -> usize;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Returns the workspace with this slug, creating it when missing.
    async fn ensure_workspace(&self, slug: &str, name: &str) -> Result<Workspace, StoreError>;
    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>, StoreError>;
    /// Every workspace, by id.
    async fn list_workspaces(&self) -> Result<Vec<Workspace>, StoreError>;

    /// Creates an API key; the returned token is the only copy of its secret.
    async fn create_api_key(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<(ApiKeyInfo, String), StoreError>;
    async fn list_api_keys(&self, workspace_id: WorkspaceId)
    -> Result<Vec<ApiKeyInfo>, StoreError>;
    /// Revokes a key; false when the workspace has no such active key.
    async fn revoke_api_key(
        &self,
        workspace_id: WorkspaceId,
        key_id: &str,
    ) -> Result<bool, StoreError>;
    /// The workspace an API token belongs to, if the token is valid and not revoked.
    async fn authenticate(&self, token: &str) -> Result<Option<Workspace>, StoreError>;

    async fn create_survey(&self, new: NewSurvey<'_>) -> Result<SurveyRecord, StoreError>;
    /// A survey of this workspace (any status), with its current version.
    async fn get_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
    ) -> Result<Option<SurveyRecord>, StoreError>;
    /// A survey by id alone, for public pages and submissions.
    async fn get_survey_public(&self, id: &SurveyId) -> Result<Option<SurveyRecord>, StoreError>;
    /// The definition (canonical JSON) of one version.
    async fn survey_definition(
        &self,
        id: &SurveyId,
        version: i64,
    ) -> Result<Option<Value>, StoreError>;
    async fn list_surveys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<SurveyRecord>, StoreError>;
    /// Each survey of the workspace with its current version number, in the order of
    /// [`Store::list_surveys`]: what a cache of parsed definitions needs to know, without
    /// reading the definitions.
    async fn current_survey_versions(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<(SurveyId, i64)>, StoreError>;
    /// Stores a new version and makes it current.
    async fn update_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        update: SurveyUpdate<'_>,
    ) -> Result<Option<SurveyRecord>, StoreError>;
    async fn set_survey_status(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        status: SurveyStatus,
        now: i64,
    ) -> Result<Option<SurveyRecord>, StoreError>;
    /// Deletes a survey with all its versions and responses.
    async fn delete_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
    ) -> Result<bool, StoreError>;

    /// Deletes one response (and tells every node's index through the change feed); false
    /// when the workspace has no such response.
    async fn delete_response(
        &self,
        workspace_id: WorkspaceId,
        id: &ResponseId,
    ) -> Result<bool, StoreError>;

    /// Applies writes in one transaction; the outcomes are in the order of `ops`.
    /// Callers go through [`ResponseWriter`], which batches concurrent submissions.
    async fn write_batch(&self, ops: &[WriteOp]) -> Result<Vec<WriteOutcome>, StoreError>;
    async fn get_response(
        &self,
        workspace_id: WorkspaceId,
        id: &ResponseId,
    ) -> Result<Option<ResponseRecord>, StoreError>;
    /// A response by id alone, for resuming a partial response with its token.
    async fn get_response_public(
        &self,
        id: &ResponseId,
    ) -> Result<Option<ResponseRecord>, StoreError>;
    /// Where the workspace's change feed stands now: every change committed after this
    /// call is returned by `changes_since` with this cursor.
    async fn change_head(&self) -> Result<ChangeCursor, StoreError>;

    /// Changes to a workspace's responses since `cursor`, and the cursor for the next call.
    /// Every change committed after `cursor` was taken is included; on PostgreSQL some
    /// earlier ones may come again, a response written several times may come once, and
    /// responses come before deleted surveys, so readers apply changes idempotently (by
    /// reloading the response, which is what `ChangeKind::Response` asks for). On SQLite
    /// changes come in commit order.
    async fn changes_since(
        &self,
        workspace_id: WorkspaceId,
        cursor: ChangeCursor,
    ) -> Result<Changes, StoreError>;

    /// The workspace's responses with these ids (missing ones are left out).
    async fn responses_by_ids(
        &self,
        workspace_id: WorkspaceId,
        ids: &[ResponseId],
    ) -> Result<Vec<ResponseRecord>, StoreError>;

    /// How many responses `filter` selects (its `before_id` included).
    async fn count_responses(
        &self,
        workspace_id: WorkspaceId,
        filter: &ResponseFilter,
    ) -> Result<u64, StoreError>;
    /// Newest first, at most `limit`, after the filter's cursor.
    async fn list_responses(
        &self,
        workspace_id: WorkspaceId,
        filter: &ResponseFilter,
        limit: i64,
    ) -> Result<Vec<ResponseRecord>, StoreError>;
}

/// Options for opening a store.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Largest connection pool (PostgreSQL) or reader pool (SQLite).
    pub max_connections: u32,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 16,
        }
    }
}

/// Opens the store named by `url`: `sqlite://PATH` (created when missing) or `postgres://...`.
pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::connect(url, opts).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::connect(url, opts).await?))
    } else {
        Err(StoreError::UnsupportedUrl(
            url.split(':').next().unwrap_or_default().to_string(),
        ))
    }
}

/// A database URL with the password of its user info replaced by `***`, for logs and
/// error messages (`postgres://user:secret@host/db` becomes `postgres://user:***@host/db`).
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
        && let Some((user, _)) = creds.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_and_nothing_else_changes() {
        assert_eq!(
            redact_url("postgres://puls:s3cret@db:5432/puls"),
            "postgres://puls:***@db:5432/puls"
        );
        assert_eq!(
            redact_url("postgres://root@127.0.0.1/test"),
            "postgres://root@127.0.0.1/test"
        );
        assert_eq!(redact_url("sqlite:///tmp/p.db"), "sqlite:///tmp/p.db");
    }
}
