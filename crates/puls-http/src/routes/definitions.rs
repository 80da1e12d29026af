//! What the journey and segment routes share: definitions stored by key, replaced whole.

use axum::http::StatusCode;
use puls_store::{DefinitionKind, DefinitionRecord, now_ms};

use crate::error::ApiError;
use crate::state::AppState;

/// Stores a parsed definition (its key and canonical JSON) under its key; 201 when new,
/// 200 when it replaced one. With a path key, the definition's key must be it.
pub(crate) async fn save(
    st: &AppState,
    workspace_id: i64,
    kind: DefinitionKind,
    path_key: Option<&str>,
    key: &str,
    canonical: &str,
) -> Result<(StatusCode, DefinitionRecord), ApiError> {
    if let Some(k) = path_key
        && key != k
    {
        return Err(ApiError::unprocessable(
            "key_mismatch",
            format!("key: the definition's key '{key}' is not the path's '{k}'"),
        ));
    }
    let existed = st
        .store
        .get_definition(kind, workspace_id, key)
        .await?
        .is_some();
    let record = st
        .store
        .put_definition(kind, workspace_id, key, canonical, now_ms())
        .await?;
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, record))
}

/// The definition stored under `key`, or a 404 naming `what`.
pub(crate) async fn get(
    st: &AppState,
    workspace_id: i64,
    kind: DefinitionKind,
    key: &str,
    what: &'static str,
) -> Result<DefinitionRecord, ApiError> {
    st.store
        .get_definition(kind, workspace_id, key)
        .await?
        .ok_or(ApiError::NotFound(what))
}

/// Deletes the definition under `key`: 204, or a 404 naming `what`.
pub(crate) async fn delete(
    st: &AppState,
    workspace_id: i64,
    kind: DefinitionKind,
    key: &str,
    what: &'static str,
) -> Result<StatusCode, ApiError> {
    match st.store.delete_definition(kind, workspace_id, key).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound(what)),
    }
}
