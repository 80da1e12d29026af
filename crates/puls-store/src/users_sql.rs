//! The SQL of [`UserStore`], written once for both backends.
//!
//! Every statement is plain SQL both databases accept; uniqueness (one account per email,
//! one first owner ever, one use per invitation) is enforced by the database.

use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::{UserId, WorkspaceId};

use crate::db::{Conn, RowExt, SqlStore, on};
use crate::error::StoreError;
use crate::sql::{hash_secret, random_token, storable, workspace_from_row};
use crate::users::*;

/// `SELECT` of every `users` column `user_from_row` reads.
const SELECT_USER: &str = "SELECT id, email, name, password_hash, locale, created_at, \
     password_changed_at FROM users ";

static USER_BY_EMAIL: LazyLock<String> = LazyLock::new(|| format!("{SELECT_USER}WHERE email = $1"));
static USER_BY_ID: LazyLock<String> = LazyLock::new(|| format!("{SELECT_USER}WHERE id = $1"));

fn user_from_row(row: &impl RowExt) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: row.parsed("id", UserId::parse)?,
        email: row.text("email")?,
        name: row.text("name")?,
        password_hash: row.text("password_hash")?,
        locale: row.text("locale")?,
        created_at: row.int("created_at")?,
        password_changed_at: row.int("password_changed_at")?,
    })
}

fn invitation_from_row(row: &impl RowExt) -> Result<UserInvitation, StoreError> {
    Ok(UserInvitation {
        workspace_id: row.workspace("workspace_id")?,
        email: row.text("email")?,
        role: row.text("role")?,
        invited_by: row.opt_parsed("invited_by", UserId::parse)?,
        created_at: row.int("created_at")?,
        expires_at: row.int("expires_at")?,
        accepted_at: row.opt_int("accepted_at")?,
    })
}

fn pending_from_row(row: &impl RowExt) -> Result<PendingInvitation, StoreError> {
    Ok(PendingInvitation {
        id: row.text("token_hash")?,
        email: row.text("email")?,
        role: row.text("role")?,
        created_at: row.int("created_at")?,
        expires_at: row.int("expires_at")?,
    })
}

/// Inserts a user unless the email is taken.
async fn insert_user(conn: Conn<'_>, user: NewUser<'_>) -> Result<Option<UserRecord>, StoreError> {
    let now = crate::now_ms();
    let record = UserRecord {
        id: UserId::parse(&format!(
            "usr_{}",
            ulid::Ulid::new().to_string().to_lowercase()
        ))
        .map_err(|e| anyhow::anyhow!("a new user id: {e}"))?,
        email: user.email.to_string(),
        name: user.name.to_string(),
        password_hash: user.password_hash.to_string(),
        locale: user.locale.to_string(),
        created_at: now,
        password_changed_at: now,
    };
    let inserted = on!(conn, |c| {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, locale, created_at, \
             password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT DO NOTHING",
        )
        .bind(record.id.as_str())
        .bind(&record.email)
        .bind(&record.name)
        .bind(&record.password_hash)
        .bind(&record.locale)
        .bind(now)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok((inserted == 1).then_some(record))
}

async fn upsert_membership(
    conn: Conn<'_>,
    workspace_id: WorkspaceId,
    user_id: &UserId,
    role: &str,
) -> Result<(), StoreError> {
    on!(conn, |c| {
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(workspace_id.get())
        .bind(user_id.as_str())
        .bind(role)
        .bind(crate::now_ms())
        .execute(c)
        .await?;
    });
    Ok(())
}

#[async_trait]
impl UserStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn user_count(&self) -> Result<i64, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query("SELECT COUNT(*) AS users FROM users")
                .fetch_one(pool)
                .await?
                .int("users")
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_first_owner(
        &self,
        user: NewUser<'_>,
        workspace: (&str, &str),
    ) -> Result<UserWrite<UserRecord>, StoreError> {
        let mut tx = self.write().begin().await?;
        let first = on!(tx.as_conn(), |c| {
            sqlx::query(
                "INSERT INTO setup_done (id, done_at) VALUES (1, $1) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(crate::now_ms())
            .execute(c)
            .await?
            .rows_affected()
        });
        if first == 0 {
            return Ok(UserWrite::SetupDone);
        }
        let Some(record) = insert_user(tx.as_conn(), user).await? else {
            return Ok(UserWrite::EmailTaken);
        };
        on!(tx.as_conn(), |c| {
            sqlx::query(
                "INSERT INTO workspaces (slug, name, created_at) \
                 SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM workspaces)",
            )
            .bind(workspace.0)
            .bind(workspace.1)
            .bind(crate::now_ms())
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
                 SELECT id, $1, 'owner', $2 FROM workspaces",
            )
            .bind(record.id.as_str())
            .bind(crate::now_ms())
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM setup_tokens")
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
        Ok(UserWrite::Done(record))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserWrite<UserRecord>, StoreError> {
        let mut conn = self.write().acquire().await?;
        Ok(match insert_user(conn.as_conn(), user).await? {
            Some(r) => UserWrite::Done(r),
            None => UserWrite::EmailTaken,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        if !storable(email) {
            return Ok(None);
        }
        on!(self.read(), |pool| {
            let row = sqlx::query(USER_BY_EMAIL.as_str())
                .bind(email)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn user_by_id(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(USER_BY_ID.as_str())
                .bind(id.as_str())
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password(
        &self,
        user_id: &UserId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        let keep = keep.map(hash_secret).unwrap_or_default();
        on!(tx.as_conn(), |c| {
            sqlx::query(
                "UPDATE users SET password_hash = $1, password_changed_at = $2 \
                 WHERE id = $3",
            )
            .bind(password_hash)
            .bind(crate::now_ms())
            .bind(user_id.as_str())
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id.as_str())
                .bind(&keep)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_user_locale(&self, user_id: &UserId, locale: &str) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
                .bind(locale)
                .bind(user_id.as_str())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn memberships(&self, user_id: &UserId) -> Result<Vec<Membership>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(
                "SELECT w.id, w.slug, w.name, w.created_at, m.role \
                 FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
                 WHERE m.user_id = $1 ORDER BY w.slug",
            )
            .bind(user_id.as_str())
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Membership {
                        workspace: workspace_from_row(r)?,
                        role: r.text("role")?,
                    })
                })
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn role_in(
        &self,
        user_id: &UserId,
        workspace_id: WorkspaceId,
    ) -> Result<Option<String>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT role FROM memberships WHERE user_id = $1 AND workspace_id = $2",
            )
            .bind(user_id.as_str())
            .bind(workspace_id.get())
            .fetch_optional(pool)
            .await?;
            row.map(|r| r.text("role")).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn members(&self, workspace_id: WorkspaceId) -> Result<Vec<Member>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(
                "SELECT u.id, u.email, u.name, u.password_hash, u.locale, \
                 u.created_at, u.password_changed_at, m.role, m.created_at AS since \
                 FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.workspace_id = $1 ORDER BY u.email",
            )
            .bind(workspace_id.get())
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Member {
                        user: user_from_row(r)?,
                        role: r.text("role")?,
                        since: r.int("since")?,
                    })
                })
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn set_membership(
        &self,
        workspace_id: WorkspaceId,
        user_id: &UserId,
        role: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.write().acquire().await?;
        upsert_membership(conn.as_conn(), workspace_id, user_id, role).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn remove_membership(
        &self,
        workspace_id: WorkspaceId,
        user_id: &UserId,
    ) -> Result<bool, StoreError> {
        let removed = on!(self.write(), |pool| {
            sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace_id.get())
                .bind(user_id.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(removed > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_session(
        &self,
        user_id: &UserId,
        ttl_ms: i64,
    ) -> Result<(String, SessionRecord), StoreError> {
        let token = random_token(43);
        let now = crate::now_ms();
        let record = SessionRecord {
            user_id: user_id.clone(),
            csrf: random_token(32),
            created_at: now,
            expires_at: now.saturating_add(ttl_ms),
        };
        let mut tx = self.write().begin().await?;
        on!(tx.as_conn(), |c| {
            // Expired sessions go as new ones come.
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, \
                 expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash_secret(&token))
            .bind(user_id.as_str())
            .bind(&record.csrf)
            .bind(now)
            .bind(record.expires_at)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await?;
        Ok((token, record))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn session(
        &self,
        token: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT u.id, u.email, u.name, u.password_hash, u.locale, \
                 u.created_at, u.password_changed_at, s.csrf, \
                 s.created_at AS session_created_at, s.expires_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(hash_secret(token))
            .bind(crate::now_ms())
            .fetch_optional(pool)
            .await?;
            match row {
                Some(r) => {
                    let user = user_from_row(&r)?;
                    let session = SessionRecord {
                        user_id: user.id.clone(),
                        csrf: r.text("csrf")?,
                        created_at: r.int("session_created_at")?,
                        expires_at: r.int("expires_at")?,
                    };
                    Ok(Some((session, user)))
                }
                None => Ok(None),
            }
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(hash_secret(token))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn create_user_invitation(
        &self,
        workspace_id: WorkspaceId,
        email: &str,
        role: &str,
        invited_by: Option<&UserId>,
        ttl_ms: i64,
    ) -> Result<String, StoreError> {
        let token = random_token(43);
        let now = crate::now_ms();
        on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO user_invitations (token_hash, workspace_id, email, role, \
                 invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(hash_secret(&token))
            .bind(workspace_id.get())
            .bind(email)
            .bind(role)
            .bind(invited_by.map(UserId::as_str))
            .bind(now)
            .bind(now.saturating_add(ttl_ms))
            .execute(pool)
            .await?;
        });
        Ok(token)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn user_invitation(&self, token: &str) -> Result<Option<UserInvitation>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT workspace_id, email, role, invited_by, created_at, expires_at, \
                 accepted_at FROM user_invitations WHERE token_hash = $1",
            )
            .bind(hash_secret(token))
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(invitation_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn accept_user_invitation(
        &self,
        token: &str,
        who: Acceptor<'_>,
    ) -> Result<UserWrite<UserRecord>, StoreError> {
        let mut tx = self.write().begin().await?;
        let invited = on!(tx.as_conn(), |c| {
            let row = sqlx::query(
                "UPDATE user_invitations SET accepted_at = $1 \
                 WHERE token_hash = $2 AND accepted_at IS NULL AND expires_at > $1 \
                 RETURNING workspace_id, role",
            )
            .bind(crate::now_ms())
            .bind(hash_secret(token))
            .fetch_optional(c)
            .await?;
            match row {
                Some(r) => Some((r.workspace("workspace_id")?, r.text("role")?)),
                None => None,
            }
        });
        let Some((workspace_id, role)) = invited else {
            return Ok(UserWrite::InvitationInvalid);
        };
        let user = match who {
            Acceptor::New(new) => match insert_user(tx.as_conn(), new).await? {
                Some(u) => u,
                None => return Ok(UserWrite::EmailTaken),
            },
            Acceptor::Existing(id) => {
                let existing = on!(tx.as_conn(), |c| {
                    let row = sqlx::query(USER_BY_ID.as_str())
                        .bind(id.as_str())
                        .fetch_optional(c)
                        .await?;
                    row.as_ref().map(user_from_row).transpose()?
                });
                match existing {
                    Some(u) => u,
                    None => return Ok(UserWrite::InvitationInvalid),
                }
            }
        };
        upsert_membership(tx.as_conn(), workspace_id, &user.id, &role).await?;
        tx.commit().await?;
        Ok(UserWrite::Done(user))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn pending_invitations(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<PendingInvitation>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(
                "SELECT token_hash, email, role, created_at, expires_at \
                 FROM user_invitations WHERE workspace_id = $1 \
                 AND accepted_at IS NULL AND expires_at > $2 \
                 ORDER BY created_at DESC, token_hash",
            )
            .bind(workspace_id.get())
            .bind(crate::now_ms())
            .fetch_all(pool)
            .await?;
            rows.iter().map(pending_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn withdraw_invitation(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<bool, StoreError> {
        let withdrawn = on!(self.write(), |pool| {
            sqlx::query(
                "DELETE FROM user_invitations WHERE workspace_id = $1 \
                 AND token_hash = $2 AND accepted_at IS NULL",
            )
            .bind(workspace_id.get())
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(withdrawn == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn rename_workspace(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<bool, StoreError> {
        let renamed = on!(self.write(), |pool| {
            sqlx::query("UPDATE workspaces SET name = $1 WHERE id = $2")
                .bind(name)
                .bind(workspace_id.get())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(renamed == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_setup_token(&self, ttl_ms: i64) -> Result<Option<String>, StoreError> {
        let token = random_token(32);
        let now = crate::now_ms();
        let created = on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO setup_tokens (token_hash, created_at, expires_at) \
                 SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM setup_done)",
            )
            .bind(hash_secret(&token))
            .bind(now)
            .bind(now.saturating_add(ttl_ms))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok((created == 1).then_some(token))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn setup_token_valid(&self, token: &str) -> Result<bool, StoreError> {
        let valid = on!(self.read(), |pool| {
            sqlx::query(
                "SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2 \
                 AND NOT EXISTS (SELECT 1 FROM setup_done)",
            )
            .bind(hash_secret(token))
            .bind(crate::now_ms())
            .fetch_optional(pool)
            .await?
            .is_some()
        });
        Ok(valid)
    }
}
