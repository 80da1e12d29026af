//! The people who sign in to the web app: passwords, sessions, the one-time first owner,
//! workspace memberships and roles, invitations to join.
//!
//! - Passwords are argon2id hashes (the crate's default parameters: 19 MiB, 2 passes),
//!   computed on a blocking thread. An unknown email costs the same as a wrong password.
//! - A session is a random token the store keeps hashed; it lasts [`SESSION_DAYS`].
//! - Ten sign-in attempts a minute per email address, per process ([`SIGN_IN_PER_MINUTE`]):
//!   a brake on password guessing on top of argon2's cost; each node brakes on its own.
//! - Roles are checked here for every change of people, roles and invitations (owners are
//!   managed by owners only, `Role::may_manage`, and a workspace never loses its last
//!   owner); the edges check them again for what they show.

use std::num::NonZeroU32;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use puls_core::access::{MAX_PASSWORD_BYTES, PasswordProblem, Permission, Role, check_password};
use puls_core::{UserId, WorkspaceId};
use puls_store::{
    Acceptor, Member, Membership, NewUser, PendingInvitation, SessionRecord, UserInvitation,
    UserRecord, UserWrite, Workspace,
};

use crate::error::AppError;
use crate::{App, now_ms};

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 14;
/// How long an invitation to join a workspace is good for.
pub const INVITATION_DAYS: i64 = 7;
/// Sign-in attempts allowed per email address and minute, per process.
pub const SIGN_IN_PER_MINUTE: u32 = 10;
const DAY_MS: i64 = 86_400_000;

/// Hashes a password (on a blocking thread: about 20 ms of CPU).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let mut bytes = [0u8; 16];
        rand::Rng::fill(&mut rand::rng(), &mut bytes);
        let salt =
            SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("encoding a salt: {e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// A valid hash of no one's password, so an unknown email takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Ht+Q3Ad3qIhI5/9VYgr6nbOlIpvxm0mFzVlLvPqQdZY";

/// Whether `password` matches `hash` (None: check against a dummy and answer false).
pub async fn verify_password(hash: Option<String>, password: String) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let h = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&h) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// An email address as typed, trimmed and lowercased, when it is one.
pub fn email_of(s: &str) -> Option<String> {
    let e = s.trim().to_lowercase();
    puls_core::contact::Email::parse(&e).ok().map(|_| e)
}

/// Per-process sign-in attempts by email address.
pub(crate) struct SignInBrake(DefaultKeyedRateLimiter<String>);

impl SignInBrake {
    pub(crate) fn new() -> Self {
        SignInBrake(RateLimiter::keyed(Quota::per_minute(
            NonZeroU32::new(SIGN_IN_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
        )))
    }
}

/// How a sign-in went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A new session: its token.
    Session(String),
    BadCredentials,
    TooManyAttempts,
}

/// A user to create from the command line.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: String,
    pub locale: &'a str,
    /// The workspace's slug (created when missing).
    pub workspace: &'a str,
    pub role: Role,
}

/// What creating an account did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // Built once per command; the record is what callers want.
pub enum Account {
    Created {
        user: UserRecord,
        workspace: Workspace,
        /// Nobody existed: the user is the first owner of every workspace.
        first_owner: bool,
    },
    EmailTaken,
}

/// Whether the first owner may be set up with a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// Someone can sign in already.
    Done,
    /// The token is not the one `puls serve` printed (or has expired).
    NeedToken,
    /// Open: the names of the workspaces that exist (empty: setup creates one).
    Open(Vec<String>),
}

/// The first owner's account and workspace, as typed in.
pub struct FirstOwner<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: String,
    pub locale: &'a str,
    pub workspace_slug: &'a str,
    pub workspace_name: &'a str,
}

/// What creating the first owner did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupOutcome {
    /// Created and signed in: the session's token.
    Session(String),
    EmailTaken,
    /// Someone else finished setup first.
    Done,
}

/// A signed-in user inside one workspace they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub workspace: Workspace,
    pub role: Role,
}

impl Actor {
    /// Refuses unless the role allows `p`.
    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.role.allows(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Refuses unless the role may manage people of role `other`.
    fn manage(&self, other: Role) -> Result<(), AppError> {
        if self.role.may_manage(other) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// A change of one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Role(Role),
    Remove,
}

/// What a member change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChanged {
    RoleChanged,
    Removed,
    /// Refused: the workspace's last owner stays an owner.
    LastOwner,
}

/// A password change's problems, by form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChangeProblem {
    WrongCurrent,
    New(PasswordProblem),
    Mismatch,
}

/// An open invitation as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationView {
    pub invitation: UserInvitation,
    pub workspace_name: String,
    /// Whether an account with the invited email exists (it then joins with its password).
    pub account_exists: bool,
}

/// How someone accepts an invitation.
pub enum Joining<'a> {
    /// The invited email's account, proven by its password.
    Existing { password: String },
    /// A new account with the invited email.
    New {
        name: &'a str,
        password: String,
        locale: &'a str,
    },
}

/// What accepting an invitation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// Joined and signed in: the session's token and the workspace's slug.
    Session {
        token: String,
        slug: Option<String>,
    },
    BadCredentials,
    NameRequired,
    Password(PasswordProblem),
    EmailTaken,
    /// Used, withdrawn, expired or never given.
    Invalid,
}

impl App {
    /// Signs a user in by email and password (with the per-address brake).
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, raw_email: &str, password: String) -> Result<SignIn, AppError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(SignIn::BadCredentials);
        }
        // Ten attempts a minute per address, whoever makes them.
        let key = email_of(raw_email).unwrap_or_else(|| raw_email.trim().to_lowercase());
        if self.0.users.0.check_key(&key).is_err() {
            tracing::warn!("sign-in attempts throttled for one address");
            return Ok(SignIn::TooManyAttempts);
        }
        let user = match email_of(raw_email) {
            Some(e) => self.0.store.user_by_email(&e).await?,
            None => None,
        };
        let ok = verify_password(user.as_ref().map(|u| u.password_hash.clone()), password).await;
        match user.filter(|_| ok) {
            Some(u) => Ok(SignIn::Session(self.start_session(&u.id).await?)),
            None => {
                tracing::info!("a sign-in failed");
                Ok(SignIn::BadCredentials)
            }
        }
    }

    /// A new session of the user; its token.
    pub async fn start_session(&self, user_id: &UserId) -> Result<String, AppError> {
        let (token, _) = self
            .0
            .store
            .create_session(user_id, SESSION_DAYS * DAY_MS)
            .await?;
        Ok(token)
    }

    /// The live session of a token, with its user.
    pub async fn session(
        &self,
        token: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>, AppError> {
        Ok(self.0.store.session(token).await?)
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        Ok(self.0.store.delete_session(token).await?)
    }

    /// How many users exist.
    pub async fn user_count(&self) -> Result<i64, AppError> {
        Ok(self.0.store.user_count().await?)
    }

    /// Creates a user of the web app with a role in a workspace (created when missing), as
    /// an administrator does from the command line. While nobody exists, the user becomes
    /// the first owner (of every workspace); the role applies only where the user has none.
    #[tracing::instrument(skip_all, fields(workspace = %a.workspace))]
    pub async fn create_account(&self, a: NewAccount<'_>) -> Result<Account, AppError> {
        let store = &self.0.store;
        let hash = hash_password(a.password).await?;
        let ws = store.ensure_workspace(a.workspace, a.workspace).await?;
        let user = NewUser {
            email: a.email,
            name: a.name,
            password_hash: &hash,
            locale: a.locale,
        };
        let mut first_owner = false;
        let written = if store.user_count().await? == 0 {
            match store.create_first_owner(user, (&ws.slug, &ws.name)).await? {
                UserWrite::SetupDone => store.create_user(user).await?,
                other => {
                    first_owner = true;
                    other
                }
            }
        } else {
            store.create_user(user).await?
        };
        let user = match written {
            UserWrite::Done(u) => u,
            UserWrite::EmailTaken => return Ok(Account::EmailTaken),
            other => {
                return Err(anyhow::anyhow!("could not create the user: {other:?}").into());
            }
        };
        if store.role_in(&user.id, ws.id).await?.is_none() {
            store
                .set_membership(ws.id, &user.id, a.role.as_str())
                .await?;
        }
        Ok(Account::Created {
            user,
            workspace: ws,
            first_owner,
        })
    }

    /// A workspace's members, for its administrators' tools.
    pub async fn workspace_members(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<Member>, AppError> {
        Ok(self.0.store.members(workspace_id).await?)
    }

    /// Whether the setup page may be used with `token`.
    pub async fn setup(&self, token: &str) -> Result<Setup, AppError> {
        let store = &self.0.store;
        if store.user_count().await? > 0 {
            return Ok(Setup::Done);
        }
        if !store.setup_token_valid(token).await? {
            return Ok(Setup::NeedToken);
        }
        Ok(Setup::Open(
            store
                .list_workspaces()
                .await?
                .into_iter()
                .map(|w| w.name)
                .collect(),
        ))
    }

    /// Creates the first owner (once ever, across nodes) and signs them in.
    #[tracing::instrument(skip_all)]
    pub async fn create_first_owner(&self, o: FirstOwner<'_>) -> Result<SetupOutcome, AppError> {
        let hash = hash_password(o.password).await?;
        let written = self
            .0
            .store
            .create_first_owner(
                NewUser {
                    email: o.email,
                    name: o.name,
                    password_hash: &hash,
                    locale: o.locale,
                },
                (o.workspace_slug, o.workspace_name),
            )
            .await?;
        Ok(match written {
            UserWrite::Done(user) => SetupOutcome::Session(self.start_session(&user.id).await?),
            UserWrite::EmailTaken => SetupOutcome::EmailTaken,
            _ => SetupOutcome::Done,
        })
    }

    /// The user's workspaces and roles.
    pub async fn memberships(&self, user_id: &UserId) -> Result<Vec<Membership>, AppError> {
        Ok(self.0.store.memberships(user_id).await?)
    }

    /// The user inside the workspace `slug`: not found for an unknown workspace, forbidden
    /// for one they do not belong to.
    pub async fn actor(
        &self,
        user_id: &UserId,
        slug: &str,
    ) -> Result<(Actor, Vec<Membership>), AppError> {
        let workspaces = self.memberships(user_id).await?;
        let Some(m) = workspaces.iter().find(|m| m.workspace.slug == slug) else {
            return Err(match self.0.store.workspace_by_slug(slug).await? {
                Some(_) => AppError::Forbidden,
                None => AppError::NotFound("workspace"),
            });
        };
        let actor = Actor {
            user_id: user_id.clone(),
            workspace: m.workspace.clone(),
            role: Role::parse(&m.role).unwrap_or(Role::Viewer),
        };
        Ok((actor, workspaces))
    }

    pub async fn set_user_locale(&self, user_id: &UserId, locale: &str) -> Result<(), AppError> {
        Ok(self.0.store.set_user_locale(user_id, locale).await?)
    }

    /// Changes the user's password after checking the current one; ends their other
    /// sessions (all but `keep_session`).
    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        &self,
        user: &UserRecord,
        keep_session: &str,
        current: String,
        new: String,
        repeat: &str,
    ) -> Result<Vec<PasswordChangeProblem>, AppError> {
        let mut problems = Vec::new();
        if !verify_password(Some(user.password_hash.clone()), current).await {
            problems.push(PasswordChangeProblem::WrongCurrent);
        }
        if let Err(p) = check_password(&new, &user.email) {
            problems.push(PasswordChangeProblem::New(p));
        } else if repeat != new {
            problems.push(PasswordChangeProblem::Mismatch);
        }
        if problems.is_empty() {
            let hash = hash_password(new).await?;
            self.0
                .store
                .set_password(&user.id, &hash, Some(keep_session))
                .await?;
        }
        Ok(problems)
    }

    /// Renames the workspace (1 to 100 characters).
    pub async fn rename_workspace(&self, actor: &Actor, name: &str) -> Result<(), AppError> {
        actor.require(Permission::ManageWorkspace)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::field("name", puls_core::FieldErrorKind::Required));
        }
        self.0
            .store
            .rename_workspace(actor.workspace.id, name)
            .await?;
        Ok(())
    }

    /// The workspace's members (needs the right to manage users).
    pub async fn members(&self, actor: &Actor) -> Result<Vec<Member>, AppError> {
        actor.require(Permission::ManageUsers)?;
        Ok(self.0.store.members(actor.workspace.id).await?)
    }

    /// The workspace's pending invitations (needs the right to manage users).
    pub async fn pending_invitations(
        &self,
        actor: &Actor,
    ) -> Result<Vec<PendingInvitation>, AppError> {
        actor.require(Permission::ManageUsers)?;
        Ok(self.0.store.pending_invitations(actor.workspace.id).await?)
    }

    /// Invites `email` to the workspace with `role`: the token of a one-time link, good for
    /// [`INVITATION_DAYS`].
    #[tracing::instrument(skip(self, actor))]
    pub async fn invite_user(
        &self,
        actor: &Actor,
        email: &str,
        role: Role,
    ) -> Result<String, AppError> {
        actor.require(Permission::ManageUsers)?;
        actor.manage(role)?;
        Ok(self
            .0
            .store
            .create_user_invitation(
                actor.workspace.id,
                email,
                role.as_str(),
                Some(&actor.user_id),
                INVITATION_DAYS * DAY_MS,
            )
            .await?)
    }

    /// Withdraws a pending invitation; its link stops working.
    pub async fn withdraw_invitation(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let pending = self.pending_invitations(actor).await?;
        let inv = pending
            .iter()
            .find(|i| i.id == id)
            .ok_or(AppError::NotFound("invitation"))?;
        actor.manage(Role::parse(&inv.role).unwrap_or(Role::Owner))?;
        self.0
            .store
            .withdraw_invitation(actor.workspace.id, id)
            .await?;
        Ok(())
    }

    /// Changes a member's role or removes them; the last owner stays an owner.
    #[tracing::instrument(skip(self, actor))]
    pub async fn change_member(
        &self,
        actor: &Actor,
        user_id: &UserId,
        change: MemberChange,
    ) -> Result<MemberChanged, AppError> {
        let members = self.members(actor).await?;
        let target = members
            .iter()
            .find(|x| &x.user.id == user_id)
            .ok_or(AppError::NotFound("member"))?;
        let current = Role::parse(&target.role).unwrap_or(Role::Viewer);
        actor.manage(current)?;
        if let MemberChange::Role(r) = change {
            actor.manage(r)?;
        }
        let owners = members.iter().filter(|x| x.role == "owner").count();
        if current == Role::Owner && owners == 1 && change != MemberChange::Role(Role::Owner) {
            return Ok(MemberChanged::LastOwner);
        }
        let ws = actor.workspace.id;
        Ok(match change {
            MemberChange::Remove => {
                self.0.store.remove_membership(ws, user_id).await?;
                MemberChanged::Removed
            }
            MemberChange::Role(r) => {
                self.0.store.set_membership(ws, user_id, r.as_str()).await?;
                MemberChanged::RoleChanged
            }
        })
    }

    /// An open invitation by its token, for its page.
    pub async fn invitation(&self, token: &str) -> Result<Option<InvitationView>, AppError> {
        let store = &self.0.store;
        let Some(invitation) = store
            .user_invitation(token)
            .await?
            .filter(|i| i.accepted_at.is_none() && i.expires_at > now_ms())
        else {
            return Ok(None);
        };
        let workspace_name = self
            .workspace_by_id(invitation.workspace_id)
            .await?
            .map(|w| w.name)
            .unwrap_or_default();
        let account_exists = store.user_by_email(&invitation.email).await?.is_some();
        Ok(Some(InvitationView {
            invitation,
            workspace_name,
            account_exists,
        }))
    }

    /// Joins the workspace of an invitation, and signs in.
    #[tracing::instrument(skip_all)]
    pub async fn accept_invitation(
        &self,
        token: &str,
        joining: Joining<'_>,
    ) -> Result<Joined, AppError> {
        let store = &self.0.store;
        let Some(inv) = store.user_invitation(token).await? else {
            return Ok(Joined::Invalid);
        };
        let existing = store.user_by_email(&inv.email).await?;
        let written = match (&existing, joining) {
            (Some(u), Joining::Existing { password } | Joining::New { password, .. }) => {
                if !verify_password(Some(u.password_hash.clone()), password).await {
                    return Ok(Joined::BadCredentials);
                }
                store
                    .accept_user_invitation(token, Acceptor::Existing(&u.id))
                    .await?
            }
            (None, Joining::Existing { .. }) => return Ok(Joined::BadCredentials),
            (
                None,
                Joining::New {
                    name,
                    password,
                    locale,
                },
            ) => {
                let name = name.trim();
                if name.is_empty() {
                    return Ok(Joined::NameRequired);
                }
                if let Err(p) = check_password(&password, &inv.email) {
                    return Ok(Joined::Password(p));
                }
                let hash = hash_password(password).await?;
                store
                    .accept_user_invitation(
                        token,
                        Acceptor::New(NewUser {
                            email: &inv.email,
                            name,
                            password_hash: &hash,
                            locale,
                        }),
                    )
                    .await?
            }
        };
        Ok(match written {
            UserWrite::Done(user) => {
                let slug = self
                    .workspace_by_id(inv.workspace_id)
                    .await?
                    .map(|w| w.slug);
                Joined::Session {
                    token: self.start_session(&user.id).await?,
                    slug,
                }
            }
            UserWrite::EmailTaken => Joined::EmailTaken,
            _ => Joined::Invalid,
        })
    }

    async fn workspace_by_id(&self, id: WorkspaceId) -> Result<Option<Workspace>, AppError> {
        Ok(self
            .0
            .store
            .list_workspaces()
            .await?
            .into_iter()
            .find(|w| w.id == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_dummy_never_does() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(Some(h.clone()), "correct horse battery".into()).await);
        assert!(!verify_password(Some(h), "wrong horse battery".into()).await);
        assert!(!verify_password(None, "anything".into()).await);
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "the dummy parses, so it costs a hash"
        );
    }
}
