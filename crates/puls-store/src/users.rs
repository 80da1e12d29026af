//! Records and the storage trait of the people who sign in: users, their role in each
//! workspace, sessions, invitations and the one-time setup of the first owner.
//!
//! The store never sees a password or a token: callers pass the argon2 hash of a password,
//! and tokens are generated here but stored only as SHA-256 hashes; the caller gets the only
//! copy. Roles are stored by name (`puls_core::access::Role::as_str`).

use async_trait::async_trait;
use puls_core::{UserId, WorkspaceId};

use crate::error::StoreError;
use crate::model::Workspace;

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    /// Lowercased.
    pub email: String,
    pub name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    /// `pl`, `cs` or `en`.
    pub locale: String,
    pub created_at: i64,
    pub password_changed_at: i64,
}

/// A user to create. The email must already be normalised (trimmed, lowercased).
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub locale: &'a str,
}

/// A user's membership of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub workspace: Workspace,
    pub role: String,
}

/// A workspace's member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: UserRecord,
    pub role: String,
    pub since: i64,
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// An invitation to join a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInvitation {
    pub workspace_id: WorkspaceId,
    pub email: String,
    pub role: String,
    pub invited_by: Option<UserId>,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

/// A pending invitation as listed to the workspace's managers; `id` is the stored hash of
/// its token (the token itself is nowhere but in the link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Who accepts an invitation: a user who exists already, or a new one.
#[derive(Debug, Clone, Copy)]
pub enum Acceptor<'a> {
    Existing(&'a UserId),
    New(NewUser<'a>),
}

/// How a user write can fail for a reason the caller should tell the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserWrite<T> {
    Done(T),
    /// Another user has this email.
    EmailTaken,
    /// The first owner exists already (setup is one-time).
    SetupDone,
    /// The invitation is unknown, used or expired.
    InvitationInvalid,
}

/// Users, memberships, sessions and invitations (part of [`crate::Store`]).
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// How many users exist.
    async fn user_count(&self) -> Result<i64, StoreError>;

    /// Creates the first owner, once ever: in one transaction, marks setup done (refused
    /// if it was), creates the user and makes them owner of every workspace, creating the
    /// workspace `(slug, name)` first when there is none.
    async fn create_first_owner(
        &self,
        user: NewUser<'_>,
        workspace: (&str, &str),
    ) -> Result<UserWrite<UserRecord>, StoreError>;

    /// Creates a user (no membership).
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserWrite<UserRecord>, StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_id(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError>;
    /// Sets a new password hash and ends every session of the user but `keep` (a session
    /// token), if given.
    async fn set_password(
        &self,
        user_id: &UserId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn set_user_locale(&self, user_id: &UserId, locale: &str) -> Result<(), StoreError>;

    /// The workspaces a user belongs to, by slug.
    async fn memberships(&self, user_id: &UserId) -> Result<Vec<Membership>, StoreError>;
    /// A user's role in a workspace.
    async fn role_in(
        &self,
        user_id: &UserId,
        workspace_id: WorkspaceId,
    ) -> Result<Option<String>, StoreError>;
    /// The members of a workspace, by email.
    async fn members(&self, workspace_id: WorkspaceId) -> Result<Vec<Member>, StoreError>;
    /// Gives a user a role in a workspace (adds or changes the membership).
    async fn set_membership(
        &self,
        workspace_id: WorkspaceId,
        user_id: &UserId,
        role: &str,
    ) -> Result<(), StoreError>;
    /// Removes a membership; false when there was none.
    async fn remove_membership(
        &self,
        workspace_id: WorkspaceId,
        user_id: &UserId,
    ) -> Result<bool, StoreError>;

    /// Starts a session; returns the token (the cookie's only copy) and the record.
    async fn create_session(
        &self,
        user_id: &UserId,
        ttl_ms: i64,
    ) -> Result<(String, SessionRecord), StoreError>;
    /// A live (unexpired) session by token, with its user.
    async fn session(&self, token: &str)
    -> Result<Option<(SessionRecord, UserRecord)>, StoreError>;
    /// Ends a session (signing out).
    async fn delete_session(&self, token: &str) -> Result<(), StoreError>;

    /// Invites an email to a workspace with a role; returns the token (the link's only copy).
    async fn create_user_invitation(
        &self,
        workspace_id: WorkspaceId,
        email: &str,
        role: &str,
        invited_by: Option<&UserId>,
        ttl_ms: i64,
    ) -> Result<String, StoreError>;
    /// An invitation by token, whatever its state.
    async fn user_invitation(&self, token: &str) -> Result<Option<UserInvitation>, StoreError>;
    /// Accepts a pending invitation in one transaction: creates the user if new, gives the
    /// membership, marks the invitation used.
    async fn accept_user_invitation(
        &self,
        token: &str,
        who: Acceptor<'_>,
    ) -> Result<UserWrite<UserRecord>, StoreError>;

    /// Renames a workspace (its slug, in every URL, stays); false when there is none.
    async fn rename_workspace(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<bool, StoreError>;

    /// A workspace's invitations not yet used and not expired, newest first.
    async fn pending_invitations(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<PendingInvitation>, StoreError>;
    /// Withdraws a pending invitation (by its `id`); false when there was none.
    async fn withdraw_invitation(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<bool, StoreError>;

    /// A token for the one-time setup page; None once setup is done.
    async fn create_setup_token(&self, ttl_ms: i64) -> Result<Option<String>, StoreError>;
    /// Whether a setup token is valid (known, unexpired, setup not done).
    async fn setup_token_valid(&self, token: &str) -> Result<bool, StoreError>;
}
