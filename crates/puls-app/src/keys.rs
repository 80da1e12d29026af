//! Workspaces and their keys: API keys (a secret shown once, stored hashed) for the JSON
//! API, and write keys (not secret, like Segment's) for the tracking API.

use puls_core::WorkspaceId;
use puls_store::{ApiKeyInfo, Workspace, WriteKeyInfo};

use crate::App;
use crate::error::{AppError, Rejection};

/// The longest key name, in characters.
const MAX_KEY_NAME: usize = 100;

/// A key's name, trimmed: 1 to [`MAX_KEY_NAME`] characters.
fn key_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_KEY_NAME || name.contains('\0') {
        return Err(AppError::rejected(
            Rejection::InvalidName,
            "name: 1 to 100 characters",
        ));
    }
    Ok(name)
}

impl App {
    /// The workspace with this slug, created when missing.
    pub async fn ensure_workspace(&self, slug: &str, name: &str) -> Result<Workspace, AppError> {
        Ok(self.0.store.ensure_workspace(slug, name).await?)
    }

    /// The workspace with this slug.
    pub async fn workspace(&self, slug: &str) -> Result<Workspace, AppError> {
        self.0
            .store
            .workspace_by_slug(slug)
            .await?
            .ok_or(AppError::NotFound("workspace"))
    }

    /// The workspace an API token belongs to.
    #[tracing::instrument(skip_all)]
    pub async fn authenticate(&self, token: &str) -> Result<Workspace, AppError> {
        self.0
            .store
            .authenticate(token)
            .await?
            .ok_or(AppError::Unauthorized)
    }

    /// Creates an API key; the returned token is the only copy of its secret.
    pub async fn create_api_key(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<(ApiKeyInfo, String), AppError> {
        Ok(self.0.store.create_api_key(workspace_id, name).await?)
    }

    pub async fn api_keys(&self, workspace_id: WorkspaceId) -> Result<Vec<ApiKeyInfo>, AppError> {
        Ok(self.0.store.list_api_keys(workspace_id).await?)
    }

    pub async fn revoke_api_key(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<(), AppError> {
        match self.0.store.revoke_api_key(workspace_id, id).await? {
            true => Ok(()),
            false => Err(AppError::NotFound("API key")),
        }
    }

    /// Creates a write key named `name` (1 to 100 characters).
    pub async fn create_write_key(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<WriteKeyInfo, AppError> {
        let name = key_name(name)?;
        Ok(self.0.store.create_write_key(workspace_id, name).await?)
    }

    pub async fn write_keys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<WriteKeyInfo>, AppError> {
        Ok(self.0.store.list_write_keys(workspace_id).await?)
    }

    pub async fn revoke_write_key(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<(), AppError> {
        match self.0.store.revoke_write_key(workspace_id, key).await? {
            true => Ok(()),
            false => Err(AppError::NotFound("write key")),
        }
    }
}
