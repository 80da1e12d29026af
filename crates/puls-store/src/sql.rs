//! The SQL of [`Store`], written once for both backends.
//!
//! Every statement uses `$N` parameters and syntax that SQLite and PostgreSQL both accept
//! (`RETURNING`, `ON CONFLICT DO NOTHING`), and runs through [`on!`] on whichever backend
//! the store holds (see `db.rs`). Columns are read by name, so a statement's column order
//! is free; an expression gets an alias to be read by.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use futures::TryStreamExt;
use puls_core::{ResponseId, SurveyId, WorkspaceId};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Store;
use crate::customers_sql::apply_track;
use crate::db::{Conn, Db, RowExt, SqlStore, on};
use crate::error::StoreError;
use crate::json::read_value;
use crate::model::*;
use puls_core::Value;

/// SHA-256 of an API key secret, hex. Keys are 256 random bits, so a fast hash is safe.
pub(crate) fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random lowercase alphanumeric string.
pub(crate) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Splits `puls_{id}_{secret}` into id and secret.
pub(crate) fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("puls_")?;
    let (id, secret) = rest.split_once('_')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// Whether a key could be stored at all. PostgreSQL's text refuses NUL, so a key (from a
/// URL, a query or a form) holding one matches nothing: lookups answer "not found" for it
/// instead of failing with a database error.
pub(crate) fn storable(key: &str) -> bool {
    !key.contains('\0')
}

/// Rows per multi-row `INSERT`: 17 parameters each stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters per statement.
pub(crate) const BULK_ROWS: usize = 500;

/// `SELECT` of every `responses` column `response_from_row` reads.
pub(crate) const SELECT_RESPONSE: &str = "SELECT id, workspace_id, survey_id, survey_version, \
     completed, channel, touchpoint, locale, contact_external_id, contact_email, \
     invitation_token, resume_token, attributes, answers, revision, created_at, updated_at, \
     completed_at FROM responses ";

/// `SELECT` of a survey with its current definition, as `survey_from_row` reads it.
const SELECT_SURVEY: &str = "SELECT s.id, s.workspace_id, s.status, s.current_version, \
     s.title, s.touchpoint, v.definition, s.created_at, s.updated_at FROM surveys s \
     JOIN survey_versions v ON v.survey_id = s.id AND v.version = s.current_version ";

/// The response stored under an idempotency key.
static RESPONSE_BY_KEY: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_RESPONSE}WHERE survey_id = $1 AND idempotency_key = $2"));
static RESPONSE_IN_WORKSPACE: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_RESPONSE}WHERE id = $1 AND workspace_id = $2"));
static RESPONSE_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_RESPONSE}WHERE id = $1"));
static SURVEY_IN_WORKSPACE: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_SURVEY}WHERE s.id = $1 AND s.workspace_id = $2"));
static SURVEY_BY_ID: LazyLock<String> = LazyLock::new(|| format!("{SELECT_SURVEY}WHERE s.id = $1"));
static SURVEYS_OF_WORKSPACE: LazyLock<String> = LazyLock::new(|| {
    format!("{SELECT_SURVEY}WHERE s.workspace_id = $1 ORDER BY s.created_at DESC, s.id")
});

fn survey_from_row(row: &impl RowExt) -> Result<SurveyRecord, StoreError> {
    let status = row.text("status")?;
    Ok(SurveyRecord {
        id: row.parsed("id", SurveyId::parse)?,
        workspace_id: row.workspace("workspace_id")?,
        status: SurveyStatus::parse(&status)
            .ok_or_else(|| anyhow::anyhow!("survey has unknown status '{status}'"))?,
        version: row.int("current_version")?,
        title: row.text("title")?,
        touchpoint: row.text("touchpoint")?,
        definition: row.json("definition")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

pub(crate) fn response_from_row(row: &impl RowExt) -> Result<ResponseRecord, StoreError> {
    Ok(ResponseRecord {
        id: row.parsed("id", ResponseId::parse)?,
        workspace_id: row.workspace("workspace_id")?,
        survey_id: row.parsed("survey_id", SurveyId::parse)?,
        survey_version: row.int("survey_version")?,
        completed: row.bool("completed")?,
        channel: row.text("channel")?,
        touchpoint: row.text("touchpoint")?,
        locale: row.text("locale")?,
        contact_external_id: row.opt_text("contact_external_id")?,
        contact_email: row.opt_text("contact_email")?,
        invitation_token: row.opt_text("invitation_token")?,
        resume_token: row.opt_text("resume_token")?,
        attributes: row.strings("attributes")?,
        answers: row.object("answers")?,
        revision: row.int("revision")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
        completed_at: row.opt_int("completed_at")?,
    })
}

/// A workspace from its `id`, `slug`, `name` and `created_at` columns.
pub(crate) fn workspace_from_row(row: &impl RowExt) -> Result<Workspace, StoreError> {
    Ok(Workspace {
        id: row.workspace("id")?,
        slug: row.text("slug")?,
        name: row.text("name")?,
        created_at: row.int("created_at")?,
    })
}

fn key_from_row(row: &impl RowExt) -> Result<ApiKeyInfo, StoreError> {
    Ok(ApiKeyInfo {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        name: row.text("name")?,
        created_at: row.int("created_at")?,
        revoked_at: row.opt_int("revoked_at")?,
    })
}

/// Whether every text the filter compares could be stored at all (else nothing matches).
fn filter_storable(filter: &ResponseFilter) -> bool {
    [
        &filter.survey_id,
        &filter.touchpoint,
        &filter.channel,
        &filter.locale,
    ]
    .into_iter()
    .flatten()
    .all(|k| storable(k))
}

/// `WHERE ...` of a response listing: the workspace and every filter that is set.
fn push_response_filter<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    workspace_id: WorkspaceId,
    filter: &ResponseFilter,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> bool: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push("WHERE workspace_id = ")
        .push_bind(workspace_id.get());
    for (column, value) in [
        ("survey_id", &filter.survey_id),
        ("touchpoint", &filter.touchpoint),
        ("channel", &filter.channel),
        ("locale", &filter.locale),
    ] {
        if let Some(v) = value {
            q.push(" AND ")
                .push(column)
                .push(" = ")
                .push_bind(v.clone());
        }
    }
    if let Some(v) = filter.completed {
        q.push(" AND completed = ").push_bind(v);
    }
    if let Some(v) = filter.since {
        q.push(" AND created_at >= ").push_bind(v);
    }
    if let Some(v) = filter.until {
        q.push(" AND created_at < ").push_bind(v);
    }
    if let Some(v) = &filter.before_id {
        q.push(" AND id < ").push_bind(v.as_str().to_string());
    }
    match filter.has_contact {
        Some(true) => {
            q.push(
                " AND (contact_external_id IS NOT NULL OR contact_email IS NOT NULL \
                 OR invitation_token IS NOT NULL)",
            );
        }
        Some(false) => {
            q.push(
                " AND contact_external_id IS NULL AND contact_email IS NULL \
                 AND invitation_token IS NULL",
            );
        }
        None => {}
    }
}

/// A change of the response feed from its `survey_id`, `response_id` and `kind`.
fn change_from_row(row: &impl RowExt) -> Result<Change, StoreError> {
    let survey_id = row.parsed("survey_id", SurveyId::parse)?;
    let response = row.opt_parsed("response_id", ResponseId::parse)?;
    let kind = row.text("kind")?;
    Ok(Change {
        survey_id,
        kind: match (kind.as_str(), response) {
            ("response", Some(id)) => ChangeKind::Response(id),
            ("survey_deleted", _) => ChangeKind::SurveyDeleted,
            (other, _) => {
                return Err(anyhow::anyhow!("unknown change kind '{other}'").into());
            }
        },
    })
}

/// The response stored under `key` for the survey, read in the caller's transaction.
async fn response_by_key(
    conn: Conn<'_>,
    survey_id: &SurveyId,
    key: &str,
) -> Result<Option<ResponseRecord>, StoreError> {
    on!(conn, |c| {
        let row = sqlx::query(RESPONSE_BY_KEY.as_str())
            .bind(survey_id.as_str())
            .bind(key)
            .fetch_optional(c)
            .await?;
        row.as_ref().map(response_from_row).transpose()
    })
}

async fn apply_op(mut conn: Conn<'_>, op: &WriteOp) -> Result<WriteOutcome, StoreError> {
    match op {
        WriteOp::Insert(r) => {
            let inserted = on!(conn.as_conn(), |c| {
                sqlx::query(
                    "INSERT INTO responses (id, workspace_id, survey_id, survey_version, \
                     completed, channel, touchpoint, locale, contact_external_id, \
                     contact_email, invitation_token, idempotency_key, resume_token, \
                     attributes, answers, revision, created_at, updated_at, completed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                     $15, 1, $16, $16, $17) ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(r.id.as_str())
                .bind(r.workspace_id.get())
                .bind(r.survey_id.as_str())
                .bind(r.survey_version)
                .bind(r.completed)
                .bind(&r.channel)
                .bind(&r.touchpoint)
                .bind(&r.locale)
                .bind(&r.contact_external_id)
                .bind(&r.contact_email)
                .bind(&r.invitation_token)
                .bind(&r.idempotency_key)
                .bind(&r.resume_token)
                .bind(r.attributes.as_str())
                .bind(r.answers.as_str())
                .bind(r.created_at)
                .bind(r.completed.then_some(r.created_at))
                .fetch_optional(c)
                .await?
                .is_some()
            });
            if inserted {
                return Ok(WriteOutcome::Inserted);
            }
            if let Some(key) = &r.idempotency_key
                && let Some(stored) = response_by_key(conn.as_conn(), &r.survey_id, key).await?
            {
                return Ok(WriteOutcome::Replayed(Box::new(stored)));
            }
            if r.invitation_token.is_some() {
                return Ok(WriteOutcome::InvitationUsed);
            }
            // Only its own id is left to conflict with: this write was committed
            // before (a retry after a commit whose answer was lost). Ids are 80
            // random bits per millisecond, so another response cannot hold it.
            Ok(WriteOutcome::Inserted)
        }
        WriteOp::Update(u) => {
            let revision = on!(conn.as_conn(), |c| {
                let row = sqlx::query(
                    "UPDATE responses SET answers = $1, completed = $2, \
                     completed_at = CASE WHEN $2 THEN $3 ELSE NULL END, updated_at = $3, \
                     revision = revision + 1 \
                     WHERE id = $4 AND revision = $5 AND NOT completed RETURNING revision",
                )
                .bind(u.answers.as_str())
                .bind(u.completed)
                .bind(u.now)
                .bind(u.id.as_str())
                .bind(u.expected_revision)
                .fetch_optional(c)
                .await?;
                row.map(|r| r.int("revision")).transpose()?
            });
            if let Some(revision) = revision {
                return Ok(WriteOutcome::Updated(revision));
            }
            let exists = on!(conn.as_conn(), |c| {
                sqlx::query("SELECT 1 FROM responses WHERE id = $1")
                    .bind(u.id.as_str())
                    .fetch_optional(c)
                    .await?
                    .is_some()
            });
            Ok(if exists {
                WriteOutcome::RevisionConflict
            } else {
                WriteOutcome::NotFound
            })
        }
        WriteOp::Track(batch) => apply_track(conn, batch, crate::now_ms()).await,
    }
}

impl SqlStore {
    /// Revokes an active key of a workspace with `sql` (the key table's `UPDATE`, binding
    /// the time, the key and the workspace); false when there is no such active key.
    pub(crate) async fn revoke(
        &self,
        sql: &'static str,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<bool, StoreError> {
        if !storable(key) {
            return Ok(false);
        }
        let revoked = on!(self.write(), |pool| {
            sqlx::query(sql)
                .bind(crate::now_ms())
                .bind(key)
                .bind(workspace_id.get())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(revoked > 0)
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        self.backend_name()
    }

    fn writer_tasks(&self) -> usize {
        self.writer_task_count()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> Result<(), StoreError> {
        on!(self.read(), |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn migrate(&self) -> Result<(), StoreError> {
        self.run_migrations().await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ensure_workspace(&self, slug: &str, name: &str) -> Result<Workspace, StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO workspaces (slug, name, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(slug)
            .bind(name)
            .bind(crate::now_ms())
            .execute(pool)
            .await?;
        });
        self.workspace_by_slug(slug)
            .await?
            .ok_or_else(|| StoreError::UnknownWorkspace(slug.to_string()))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>, StoreError> {
        if !storable(slug) {
            return Ok(None);
        }
        on!(self.read(), |pool| {
            let row =
                sqlx::query("SELECT id, slug, name, created_at FROM workspaces WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(pool)
                    .await?;
            row.as_ref().map(workspace_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query("SELECT id, slug, name, created_at FROM workspaces ORDER BY id")
                .fetch_all(pool)
                .await?;
            rows.iter().map(workspace_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn create_api_key(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<(ApiKeyInfo, String), StoreError> {
        let id = random_token(10);
        let secret = random_token(40);
        let now = crate::now_ms();
        on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO api_keys (id, workspace_id, name, secret_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(workspace_id.get())
            .bind(name)
            .bind(hash_secret(&secret))
            .bind(now)
            .execute(pool)
            .await?;
        });
        let token = format!("puls_{id}_{secret}");
        Ok((
            ApiKeyInfo {
                id,
                workspace_id,
                name: name.to_string(),
                created_at: now,
                revoked_at: None,
            },
            token,
        ))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_api_keys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<ApiKeyInfo>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(
                "SELECT id, workspace_id, name, created_at, revoked_at FROM api_keys \
                 WHERE workspace_id = $1 ORDER BY created_at, id",
            )
            .bind(workspace_id.get())
            .fetch_all(pool)
            .await?;
            rows.iter().map(key_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn revoke_api_key(
        &self,
        workspace_id: WorkspaceId,
        key_id: &str,
    ) -> Result<bool, StoreError> {
        self.revoke(
            "UPDATE api_keys SET revoked_at = $1 \
             WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL",
            workspace_id,
            key_id,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn authenticate(&self, token: &str) -> Result<Option<Workspace>, StoreError> {
        let Some((id, secret)) = split_token(token) else {
            return Ok(None);
        };
        let found = on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT w.id, w.slug, w.name, w.created_at, k.secret_hash \
                 FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id \
                 WHERE k.id = $1 AND k.revoked_at IS NULL",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            match row {
                Some(row) => Some((workspace_from_row(&row)?, row.text("secret_hash")?)),
                None => None,
            }
        });
        let Some((workspace, stored)) = found else {
            return Ok(None);
        };
        let given = hash_secret(secret);
        if bool::from(stored.as_bytes().ct_eq(given.as_bytes())) {
            Ok(Some(workspace))
        } else {
            Ok(None)
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_survey(&self, new: NewSurvey<'_>) -> Result<SurveyRecord, StoreError> {
        let mut tx = self.write().begin().await?;
        on!(tx.as_conn(), |c| {
            sqlx::query(
                "INSERT INTO surveys (id, workspace_id, status, current_version, title, \
                 touchpoint, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $6, $6)",
            )
            .bind(new.id.as_str())
            .bind(new.workspace_id.get())
            .bind(new.status.as_str())
            .bind(new.title)
            .bind(new.touchpoint)
            .bind(new.now)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO survey_versions (survey_id, version, definition, created_at) \
                 VALUES ($1, 1, $2, $3)",
            )
            .bind(new.id.as_str())
            .bind(new.definition.as_str())
            .bind(new.now)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await?;
        Ok(SurveyRecord {
            id: new.id.clone(),
            workspace_id: new.workspace_id,
            status: new.status,
            version: 1,
            title: new.title.to_string(),
            touchpoint: new.touchpoint.to_string(),
            definition: read_value("definition", new.definition.as_str())?,
            created_at: new.now,
            updated_at: new.now,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn get_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
    ) -> Result<Option<SurveyRecord>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(SURVEY_IN_WORKSPACE.as_str())
                .bind(id.as_str())
                .bind(workspace_id.get())
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(survey_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_survey_public(&self, id: &SurveyId) -> Result<Option<SurveyRecord>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(SURVEY_BY_ID.as_str())
                .bind(id.as_str())
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(survey_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn survey_definition(
        &self,
        id: &SurveyId,
        version: i64,
    ) -> Result<Option<Value>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT definition FROM survey_versions WHERE survey_id = $1 AND version = $2",
            )
            .bind(id.as_str())
            .bind(version)
            .fetch_optional(pool)
            .await?;
            row.map(|r| r.json("definition")).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_surveys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<SurveyRecord>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(SURVEYS_OF_WORKSPACE.as_str())
                .bind(workspace_id.get())
                .fetch_all(pool)
                .await?;
            rows.iter().map(survey_from_row).collect()
        })
    }

    async fn current_survey_versions(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<(SurveyId, i64)>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.current_version FROM surveys s WHERE s.workspace_id = $1 \
                 ORDER BY s.created_at DESC, s.id",
            )
            .bind(workspace_id.get())
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        row.parsed("id", SurveyId::parse)?,
                        row.int("current_version")?,
                    ))
                })
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn update_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        update: SurveyUpdate<'_>,
    ) -> Result<Option<SurveyRecord>, StoreError> {
        let mut tx = self.write().begin().await?;
        let updated = on!(tx.as_conn(), |c| {
            let row = sqlx::query(
                "UPDATE surveys SET current_version = current_version + 1, title = $1, \
                 touchpoint = $2, updated_at = $3 WHERE id = $4 AND workspace_id = $5 \
                 RETURNING current_version",
            )
            .bind(update.title)
            .bind(update.touchpoint)
            .bind(update.now)
            .bind(id.as_str())
            .bind(workspace_id.get())
            .fetch_optional(&mut *c)
            .await?;
            match row {
                Some(row) => {
                    let version = row.int("current_version")?;
                    sqlx::query(
                        "INSERT INTO survey_versions (survey_id, version, definition, \
                         created_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id.as_str())
                    .bind(version)
                    .bind(update.definition.as_str())
                    .bind(update.now)
                    .execute(&mut *c)
                    .await?;
                    true
                }
                None => false,
            }
        });
        if !updated {
            return Ok(None);
        }
        tx.commit().await?;
        self.get_survey(workspace_id, id).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn set_survey_status(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        status: SurveyStatus,
        now: i64,
    ) -> Result<Option<SurveyRecord>, StoreError> {
        let changed = on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE surveys SET status = $1, updated_at = $2 \
                 WHERE id = $3 AND workspace_id = $4",
            )
            .bind(status.as_str())
            .bind(now)
            .bind(id.as_str())
            .bind(workspace_id.get())
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Ok(None);
        }
        self.get_survey(workspace_id, id).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn delete_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let deleted = on!(tx.as_conn(), |c| {
            let owned = sqlx::query("SELECT 1 FROM surveys WHERE id = $1 AND workspace_id = $2")
                .bind(id.as_str())
                .bind(workspace_id.get())
                .fetch_optional(&mut *c)
                .await?;
            if owned.is_some() {
                // Explicit deletes rather than relying on cascades, so the order is clear.
                for sql in [
                    "DELETE FROM responses WHERE survey_id = $1",
                    "DELETE FROM survey_versions WHERE survey_id = $1",
                    "DELETE FROM surveys WHERE id = $1",
                ] {
                    sqlx::query(sql).bind(id.as_str()).execute(&mut *c).await?;
                }
                sqlx::query(
                    "INSERT INTO response_changes (workspace_id, survey_id, response_id, kind) \
                     VALUES ($1, $2, NULL, 'survey_deleted')",
                )
                .bind(workspace_id.get())
                .bind(id.as_str())
                .execute(&mut *c)
                .await?;
            }
            owned.is_some()
        });
        if !deleted {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn delete_response(
        &self,
        workspace_id: WorkspaceId,
        id: &ResponseId,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let deleted = on!(tx.as_conn(), |c| {
            let survey = sqlx::query(
                "DELETE FROM responses WHERE workspace_id = $1 AND id = $2 RETURNING survey_id",
            )
            .bind(workspace_id.get())
            .bind(id.as_str())
            .fetch_optional(&mut *c)
            .await?;
            match survey {
                None => false,
                Some(row) => {
                    sqlx::query(
                        "INSERT INTO response_changes (workspace_id, survey_id, response_id, \
                         kind) VALUES ($1, $2, $3, 'response')",
                    )
                    .bind(workspace_id.get())
                    .bind(row.text("survey_id")?)
                    .bind(id.as_str())
                    .execute(&mut *c)
                    .await?;
                    true
                }
            }
        });
        tx.commit().await?;
        Ok(deleted)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn write_batch(&self, ops: &[WriteOp]) -> Result<Vec<WriteOutcome>, StoreError> {
        let mut tx = self.begin_batch().await?;
        // Which surveys take responses, read in this transaction (and share-locked on
        // PostgreSQL, so a concurrent close waits for this commit): the current
        // version when published, else None.
        let survey_sql = match tx {
            Db::Sqlite(_) => "SELECT status, current_version FROM surveys WHERE id = $1",
            Db::Postgres(_) => {
                "SELECT status, current_version FROM surveys WHERE id = $1 FOR SHARE"
            }
        };
        let mut open: HashMap<&str, Option<i64>> = HashMap::new();
        for op in ops {
            let survey = match op {
                WriteOp::Insert(r) => r.survey_id.as_str(),
                WriteOp::Update(u) => u.survey_id.as_str(),
                WriteOp::Track(_) => continue,
            };
            if open.contains_key(survey) {
                continue;
            }
            let current = on!(tx.as_conn(), |c| {
                let row = sqlx::query(survey_sql)
                    .bind(survey)
                    .fetch_optional(c)
                    .await?;
                match row {
                    Some(row) => {
                        let status = row.text("status")?;
                        let version = row.int("current_version")?;
                        (status == SurveyStatus::Published.as_str()).then_some(version)
                    }
                    None => None,
                }
            });
            open.insert(survey, current);
        }

        let mut out: Vec<Option<WriteOutcome>> = vec![None; ops.len()];
        let mut bulk: Vec<(usize, &NewResponse)> = Vec::new();
        let now = crate::now_ms();
        for (i, op) in ops.iter().enumerate() {
            let accepting = match op {
                WriteOp::Insert(r) => {
                    open.get(r.survey_id.as_str()) == Some(&Some(r.survey_version))
                }
                WriteOp::Update(u) => matches!(open.get(u.survey_id.as_str()), Some(Some(_))),
                WriteOp::Track(batch) => {
                    out[i] = Some(apply_track(tx.as_conn(), batch, now).await?);
                    continue;
                }
            };
            if !accepting {
                // A retry of a response stored before the survey closed still gets
                // that response back: idempotency outlives the survey's status.
                let replay = match op {
                    WriteOp::Insert(NewResponse {
                        survey_id,
                        idempotency_key: Some(key),
                        ..
                    }) => response_by_key(tx.as_conn(), survey_id, key).await?,
                    _ => None,
                };
                out[i] = Some(match replay {
                    Some(stored) => WriteOutcome::Replayed(Box::new(stored)),
                    None => WriteOutcome::SurveyNotAccepting,
                });
                continue;
            }
            match op {
                // Plain inserts cannot conflict (ids are fresh): they go in bulk.
                WriteOp::Insert(r)
                    if r.idempotency_key.is_none() && r.invitation_token.is_none() =>
                {
                    bulk.push((i, r))
                }
                _ => out[i] = Some(apply_op(tx.as_conn(), op).await?),
            }
        }
        for chunk in bulk.chunks(BULK_ROWS) {
            on!(tx.as_conn(), |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO responses (id, workspace_id, survey_id, survey_version, \
                     completed, channel, touchpoint, locale, contact_external_id, \
                     contact_email, invitation_token, idempotency_key, resume_token, \
                     attributes, answers, revision, created_at, updated_at, completed_at) ",
                );
                q.push_values(chunk, |mut b, (_, r)| {
                    b.push_bind(r.id.as_str())
                        .push_bind(r.workspace_id.get())
                        .push_bind(r.survey_id.as_str())
                        .push_bind(r.survey_version)
                        .push_bind(r.completed)
                        .push_bind(r.channel.as_str())
                        .push_bind(r.touchpoint.as_str())
                        .push_bind(r.locale.as_str())
                        .push_bind(r.contact_external_id.as_deref())
                        .push_bind(r.contact_email.as_deref())
                        .push_bind(None::<&str>)
                        .push_bind(None::<&str>)
                        .push_bind(r.resume_token.as_deref())
                        .push_bind(r.attributes.as_str())
                        .push_bind(r.answers.as_str())
                        .push_bind(1_i64)
                        .push_bind(r.created_at)
                        .push_bind(r.created_at)
                        .push_bind(r.completed.then_some(r.created_at));
                });
                // A retry of a batch whose commit answer was lost finds its own rows:
                // they are stored, so they count as inserted (see `apply_op`).
                q.push(" ON CONFLICT DO NOTHING");
                q.build().execute(c).await?;
            });
            for (i, _) in chunk {
                out[*i] = Some(WriteOutcome::Inserted);
            }
        }
        // The change feed: every stored or updated response, in this transaction
        // (unless the backend tracks changes on the response rows themselves).
        let changed: Vec<(WorkspaceId, &str, &str)> = if !self.logs_response_changes() {
            Vec::new()
        } else {
            ops.iter()
                .zip(&out)
                .filter_map(|(op, o)| match (op, o) {
                    (WriteOp::Insert(r), Some(WriteOutcome::Inserted)) => {
                        Some((r.workspace_id, r.survey_id.as_str(), r.id.as_str()))
                    }
                    (WriteOp::Update(u), Some(WriteOutcome::Updated(_))) => {
                        Some((u.workspace_id, u.survey_id.as_str(), u.id.as_str()))
                    }
                    _ => None,
                })
                .collect()
        };
        for chunk in changed.chunks(BULK_ROWS) {
            on!(tx.as_conn(), |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO response_changes (workspace_id, survey_id, response_id, kind) ",
                );
                q.push_values(chunk, |mut b, (ws, survey, id)| {
                    b.push_bind(ws.get())
                        .push_bind(*survey)
                        .push_bind(*id)
                        .push_bind("response");
                });
                q.build().execute(c).await?;
            });
        }
        tx.commit().await?;
        out.into_iter()
            .map(|o| o.ok_or_else(|| anyhow::anyhow!("a write got no outcome").into()))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn get_response(
        &self,
        workspace_id: WorkspaceId,
        id: &ResponseId,
    ) -> Result<Option<ResponseRecord>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(RESPONSE_IN_WORKSPACE.as_str())
                .bind(id.as_str())
                .bind(workspace_id.get())
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(response_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_response_public(
        &self,
        id: &ResponseId,
    ) -> Result<Option<ResponseRecord>, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(RESPONSE_BY_ID.as_str())
                .bind(id.as_str())
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(response_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn change_head(&self) -> Result<ChangeCursor, StoreError> {
        self.feed_head().await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn changes_since(
        &self,
        workspace_id: WorkspaceId,
        cursor: ChangeCursor,
    ) -> Result<Changes, StoreError> {
        let (rows, next) = self.feed_since(workspace_id, cursor).await?;
        let changes = on!(rows, |rows| rows
            .iter()
            .map(change_from_row)
            .collect::<Result<Vec<_>, _>>()?);
        Ok(Changes {
            changes,
            cursor: next,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn responses_by_ids(
        &self,
        workspace_id: WorkspaceId,
        ids: &[ResponseId],
    ) -> Result<Vec<ResponseRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BULK_ROWS) {
            on!(self.read(), |pool| {
                let mut q = sqlx::QueryBuilder::new(SELECT_RESPONSE);
                q.push("WHERE workspace_id = ")
                    .push_bind(workspace_id.get())
                    .push(" AND id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                q.push(")");
                for row in q.build().fetch_all(pool).await? {
                    out.push(response_from_row(&row)?);
                }
            });
        }
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_responses(
        &self,
        workspace_id: WorkspaceId,
        filter: &ResponseFilter,
        limit: i64,
    ) -> Result<Vec<ResponseRecord>, StoreError> {
        if !filter_storable(filter) {
            return Ok(Vec::new());
        }
        on!(self.read(), |pool| {
            let mut q = sqlx::QueryBuilder::new(SELECT_RESPONSE);
            push_response_filter(&mut q, workspace_id, filter);
            q.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
            // Each row becomes a record (its JSON parsed) as it arrives, while the database
            // produces the next ones: a whole page read first and then parsed would take
            // both one after the other (the analytics load reads every response this way).
            let mut rows = q.build().fetch(pool);
            let mut records = Vec::with_capacity(usize::try_from(limit).unwrap_or(0).min(10_000));
            while let Some(row) = rows.try_next().await? {
                records.push(response_from_row(&row)?);
            }
            Ok(records)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn count_responses(
        &self,
        workspace_id: WorkspaceId,
        filter: &ResponseFilter,
    ) -> Result<u64, StoreError> {
        if !filter_storable(filter) {
            return Ok(0);
        }
        on!(self.read(), |pool| {
            let mut q = sqlx::QueryBuilder::new("SELECT COUNT(*) AS n FROM responses ");
            push_response_filter(&mut q, workspace_id, filter);
            let row = q.build().fetch_one(pool).await?;
            Ok(row.int("n")? as u64)
        })
    }
}
