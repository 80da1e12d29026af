//! The SQL of [`OutboxStore`], written once for both backends.
//!
//! Claiming is one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`: on PostgreSQL the
//! inner select takes its rows `FOR UPDATE SKIP LOCKED`, so nodes claiming at once get
//! different jobs; on SQLite every write goes through the one writer connection, which
//! serialises claims. A lease that runs out (its node died) makes the job claimable again.

use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::WorkspaceId;

use crate::db::{Db, RowExt, SqlStore, on};
use crate::error::StoreError;
use crate::outbox::*;

const WEBHOOK_COLUMNS: &str = "id, workspace_id, url, event_types, description, secret, \
     previous_secret, previous_until, failures, disabled_at, disabled_reason, created_at, \
     updated_at, format, locale";

const JOB_COLUMNS: &str = "id, workspace_id, channel, target_id, event_type, payload, state, \
     attempts, next_at, last_error, created_at, done_at";

static INSERT_WEBHOOK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO webhooks ({WEBHOOK_COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )
});
static LIST_WEBHOOKS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE workspace_id = $1 \
                 ORDER BY created_at, id"
    )
});
static WEBHOOK_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE workspace_id = $1 AND id = $2")
});
static WEBHOOK_ATTEMPTED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE webhooks SET \
                 failures = CASE WHEN $1 = 1 THEN 0 ELSE failures + 1 END, \
                 disabled_at = CASE WHEN disabled_at IS NULL AND $1 = 0 \
                     AND ($2 = 1 OR failures + 1 >= $3) THEN $4 ELSE disabled_at END, \
                 disabled_reason = CASE WHEN disabled_at IS NULL AND $1 = 0 \
                     AND ($2 = 1 OR failures + 1 >= $3) THEN $5 ELSE disabled_reason END \
                 WHERE workspace_id = $6 AND id = $7 RETURNING {WEBHOOK_COLUMNS}"
    )
});
static JOB_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {JOB_COLUMNS} FROM outbox WHERE workspace_id = $1 AND id = $2")
});
/// Leases due jobs; PostgreSQL skips rows another node is claiming.
fn claim_sql(lock: &str) -> String {
    format!(
        "UPDATE outbox SET lease_until = $1, leased_by = $2 WHERE id IN ( \
         SELECT id FROM outbox WHERE state = 'pending' AND next_at <= $3 \
         AND lease_until <= $3 ORDER BY next_at LIMIT $4{lock}) RETURNING {JOB_COLUMNS}"
    )
}
static CLAIM_SQLITE: LazyLock<String> = LazyLock::new(|| claim_sql(""));
static CLAIM_POSTGRES: LazyLock<String> = LazyLock::new(|| claim_sql(" FOR UPDATE SKIP LOCKED"));

fn webhook_from_row(row: &impl RowExt) -> Result<WebhookRecord, StoreError> {
    let events = row.text("event_types")?;
    Ok(WebhookRecord {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        url: row.text("url")?,
        event_types: serde_json::from_str(&events)
            .map_err(|e| crate::db::corrupt("event_types", e.to_string()))?,
        description: row.text("description")?,
        secret: row.text("secret")?,
        previous_secret: row.opt_text("previous_secret")?,
        previous_until: row.opt_int("previous_until")?,
        failures: row.int("failures")?,
        disabled_at: row.opt_int("disabled_at")?,
        disabled_reason: row.opt_text("disabled_reason")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
        format: row.text("format")?,
        locale: row.text("locale")?,
    })
}

fn job_from_row(row: &impl RowExt) -> Result<JobRecord, StoreError> {
    let state = row.text("state")?;
    Ok(JobRecord {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        channel: row.text("channel")?,
        target_id: row.text("target_id")?,
        event_type: row.text("event_type")?,
        payload: row.text("payload")?,
        state: JobState::parse(&state)
            .ok_or_else(|| crate::db::corrupt("state", format!("unknown state {state}")))?,
        attempts: row.int("attempts")?,
        next_at: row.int("next_at")?,
        last_error: row.opt_text("last_error")?,
        created_at: row.int("created_at")?,
        done_at: row.opt_int("done_at")?,
    })
}

/// `INSERT` of new jobs (those whose id is stored already are left): for one statement of
/// at most 500 jobs, alone or inside another change's transaction.
pub(crate) fn insert_jobs<DB: sqlx::Database>(jobs: &[NewJob], now: i64) -> sqlx::QueryBuilder<DB>
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    <DB as sqlx::Database>::Arguments: Default,
{
    let mut q = sqlx::QueryBuilder::new(
        "INSERT INTO outbox (id, workspace_id, channel, target_id, event_type, \
         payload, state, attempts, next_at, created_at) ",
    );
    q.push_values(jobs, |mut b, j| {
        b.push_bind(j.id.clone())
            .push_bind(j.workspace_id.get())
            .push_bind(j.channel.clone())
            .push_bind(j.target_id.clone())
            .push_bind(j.event_type.clone())
            .push_bind(j.payload.clone())
            .push_bind("pending".to_string())
            .push_bind(0_i64)
            .push_bind(j.next_at)
            .push_bind(now);
    });
    q.push(" ON CONFLICT (id) DO NOTHING");
    q
}

fn events_text(hook: &WebhookRecord) -> Result<String, StoreError> {
    serde_json::to_string(&hook.event_types).map_err(|e| StoreError::from(anyhow::anyhow!(e)))
}

fn digest_item_from_row(row: &impl RowExt) -> Result<DigestItem, StoreError> {
    Ok(DigestItem {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        recipient: row.text("recipient")?,
        locale: row.text("locale")?,
        due_at: row.int("due_at")?,
        response_id: row.opt_text("response_id")?,
        data: row.text("data")?,
        created_at: row.int("created_at")?,
    })
}

#[async_trait]
impl OutboxStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_digest_items(&self, items: &[DigestItem]) -> Result<u64, StoreError> {
        let mut stored = 0;
        for chunk in items.chunks(500) {
            stored += on!(self.write(), |pool| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO digest_items (id, workspace_id, recipient, locale, due_at, \
                     response_id, data, created_at) ",
                );
                q.push_values(chunk, |mut b, i| {
                    b.push_bind(i.id.clone())
                        .push_bind(i.workspace_id.get())
                        .push_bind(i.recipient.clone())
                        .push_bind(i.locale.clone())
                        .push_bind(i.due_at)
                        .push_bind(i.response_id.clone())
                        .push_bind(i.data.clone())
                        .push_bind(i.created_at);
                });
                q.push(" ON CONFLICT (id) DO NOTHING");
                q.build().execute(pool).await?.rows_affected()
            });
        }
        Ok(stored)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_digest_items(&self, now: i64, limit: i64) -> Result<Vec<DigestItem>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT id, workspace_id, recipient, locale, due_at, response_id, data, \
                 created_at FROM digest_items WHERE job_id IS NULL AND due_at <= $1 \
                 ORDER BY workspace_id, recipient, created_at, id LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(digest_item_from_row)
            .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn send_digest(&self, job: &NewJob, item_ids: &[String]) -> Result<bool, StoreError> {
        if item_ids.is_empty() {
            return Ok(false);
        }
        let mut tx = self.write().begin().await?;
        let taken = on!(tx.as_conn(), |c| {
            let mut taken = 0;
            for chunk in item_ids.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("UPDATE digest_items SET job_id = ");
                q.push_bind(job.id.clone())
                    .push(" WHERE job_id IS NULL AND id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(id.clone());
                }
                q.push(")");
                taken += q.build().execute(&mut *c).await?.rows_affected();
            }
            if taken == item_ids.len() as u64 {
                insert_jobs(std::slice::from_ref(job), crate::now_ms())
                    .build()
                    .execute(&mut *c)
                    .await?;
            }
            taken
        });
        if taken != item_ids.len() as u64 {
            // Another node took some: leave everything to it (dropping rolls back).
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_webhook(&self, hook: &WebhookRecord) -> Result<(), StoreError> {
        let events = events_text(hook)?;
        on!(self.write(), |pool| {
            sqlx::query(INSERT_WEBHOOK.as_str())
                .bind(&hook.id)
                .bind(hook.workspace_id.get())
                .bind(&hook.url)
                .bind(events)
                .bind(&hook.description)
                .bind(&hook.secret)
                .bind(&hook.previous_secret)
                .bind(hook.previous_until)
                .bind(hook.failures)
                .bind(hook.disabled_at)
                .bind(&hook.disabled_reason)
                .bind(hook.created_at)
                .bind(hook.updated_at)
                .bind(&hook.format)
                .bind(&hook.locale)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn webhooks(&self, workspace_id: WorkspaceId) -> Result<Vec<WebhookRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(LIST_WEBHOOKS.as_str())
                .bind(workspace_id.get())
                .fetch_all(pool)
                .await?
                .iter()
                .map(webhook_from_row)
                .collect()
        })
    }

    async fn webhook(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<WebhookRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(WEBHOOK_BY_ID.as_str())
                .bind(workspace_id.get())
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(webhook_from_row)
                .transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, hook: &WebhookRecord) -> Result<bool, StoreError> {
        let events = events_text(hook)?;
        let n = on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE webhooks SET url = $1, event_types = $2, description = $3, \
                 secret = $4, previous_secret = $5, previous_until = $6, failures = $7, \
                 disabled_at = $8, disabled_reason = $9, updated_at = $10, locale = $11 \
                 WHERE workspace_id = $12 AND id = $13",
            )
            .bind(&hook.url)
            .bind(events)
            .bind(&hook.description)
            .bind(&hook.secret)
            .bind(&hook.previous_secret)
            .bind(hook.previous_until)
            .bind(hook.failures)
            .bind(hook.disabled_at)
            .bind(&hook.disabled_reason)
            .bind(hook.updated_at)
            .bind(&hook.locale)
            .bind(hook.workspace_id.get())
            .bind(&hook.id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_webhook(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let n = on!(tx.as_conn(), |c| {
            let n = sqlx::query("DELETE FROM webhooks WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id.get())
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected();
            sqlx::query(
                "UPDATE outbox SET state = 'failed', last_error = 'webhook deleted', \
                 done_at = $1 WHERE workspace_id = $2 AND target_id = $3 AND state = 'pending'",
            )
            .bind(crate::now_ms())
            .bind(workspace_id.get())
            .bind(id)
            .execute(&mut *c)
            .await?;
            n
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_attempted(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        verdict: &Verdict<'_>,
    ) -> Result<Option<WebhookRecord>, StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(WEBHOOK_ATTEMPTED.as_str())
                .bind(i64::from(verdict.ok))
                .bind(i64::from(verdict.disable_now))
                .bind(verdict.disable_after)
                .bind(verdict.now)
                .bind(verdict.reason)
                .bind(workspace_id.get())
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(webhook_from_row)
                .transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(jobs = jobs.len()))]
    async fn enqueue(&self, jobs: &[NewJob]) -> Result<u64, StoreError> {
        if jobs.is_empty() {
            return Ok(0);
        }
        let now = crate::now_ms();
        let mut stored = 0;
        for chunk in jobs.chunks(500) {
            stored += on!(self.write(), |pool| {
                insert_jobs(chunk, now)
                    .build()
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
        }
        Ok(stored)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_jobs(
        &self,
        node: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let db = self.write();
        let sql = match db {
            Db::Sqlite(_) => CLAIM_SQLITE.as_str(),
            Db::Postgres(_) => CLAIM_POSTGRES.as_str(),
        };
        on!(db, |pool| {
            sqlx::query(sql)
                .bind(lease_until)
                .bind(node)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(job_from_row)
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn finish_attempts(
        &self,
        done: &[(&str, &AttemptRecord, JobOutcome)],
    ) -> Result<(), StoreError> {
        if done.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().begin().await?;
        on!(tx.as_conn(), |c| {
            // 7 and 6 values a job: 500 a statement stays under both backends' limits.
            for chunk in done.chunks(500) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO outbox_attempts (job_id, n, at, status, error, duration_ms, node) ",
                );
                q.push_values(chunk, |mut b, (id, a, _)| {
                    b.push_bind(id.to_string())
                        .push_bind(a.n)
                        .push_bind(a.at)
                        .push_bind(a.status)
                        .push_bind(a.error.clone())
                        .push_bind(a.duration_ms)
                        .push_bind(a.node.clone());
                });
                q.push(" ON CONFLICT (job_id, n) DO NOTHING");
                q.build().execute(&mut *c).await?;
                // One UPDATE for the chunk, each job's values joined by its id.
                let mut q = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET state = v.column2, attempts = v.column3, \
                     next_at = v.column4, done_at = v.column5, last_error = v.column6, \
                     lease_until = 0, leased_by = NULL FROM (",
                );
                q.push_values(chunk, |mut b, (id, a, outcome)| {
                    let (state, next_at, done_at) = match outcome {
                        JobOutcome::Delivered => ("delivered", a.at, Some(a.at)),
                        JobOutcome::Retry(at) => ("pending", *at, None),
                        JobOutcome::Failed => ("failed", a.at, Some(a.at)),
                    };
                    b.push_bind(id.to_string())
                        .push_bind(state)
                        .push_bind(a.n)
                        .push_bind(next_at)
                        .push_bind(done_at)
                        .push_bind(a.error.clone());
                });
                q.push(") AS v WHERE outbox.id = v.column1");
                q.build().execute(&mut *c).await?;
            }
        });
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_job(&self, job_id: &str, reason: &str, now: i64) -> Result<bool, StoreError> {
        let n = on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'failed', last_error = $1, done_at = $2 \
                 WHERE id = $3 AND state = 'pending' AND attempts = 0 AND lease_until <= $2",
            )
            .bind(reason)
            .bind(now)
            .bind(job_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn fail_job(&self, job_id: &str, reason: &str, now: i64) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'failed', last_error = $1, done_at = $2, \
                 lease_until = 0, leased_by = NULL WHERE id = $3",
            )
            .bind(reason)
            .bind(now)
            .bind(job_id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn jobs(
        &self,
        workspace_id: WorkspaceId,
        filter: &JobFilter,
    ) -> Result<Vec<JobRecord>, StoreError> {
        on!(self.read(), |pool| {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {JOB_COLUMNS} FROM outbox WHERE workspace_id = "
            ));
            q.push_bind(workspace_id.get());
            if let Some(t) = &filter.target_id {
                q.push(" AND target_id = ").push_bind(t.clone());
            }
            if let Some(s) = filter.state {
                q.push(" AND state = ").push_bind(s.as_str());
            }
            if let Some((at, id)) = &filter.before {
                q.push(" AND (created_at < ")
                    .push_bind(*at)
                    .push(" OR (created_at = ")
                    .push_bind(*at)
                    .push(" AND id < ")
                    .push_bind(id.clone())
                    .push("))");
            }
            q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
                .push_bind(filter.limit.clamp(1, 1000));
            q.build()
                .fetch_all(pool)
                .await?
                .iter()
                .map(job_from_row)
                .collect()
        })
    }

    async fn job(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<JobRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(JOB_BY_ID.as_str())
                .bind(workspace_id.get())
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(job_from_row)
                .transpose()
        })
    }

    async fn attempts(&self, job_id: &str) -> Result<Vec<AttemptRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT n, at, status, error, duration_ms, node FROM outbox_attempts \
                 WHERE job_id = $1 ORDER BY n",
            )
            .bind(job_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AttemptRecord {
                    n: row.int("n")?,
                    at: row.int("at")?,
                    status: row.opt_int("status")?,
                    error: row.opt_text("error")?,
                    duration_ms: row.int("duration_ms")?,
                    node: row.text("node")?,
                })
            })
            .collect()
        })
    }

    async fn replay_job(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'pending', next_at = $1, done_at = NULL, \
                 lease_until = 0, leased_by = NULL WHERE workspace_id = $2 AND id = $3",
            )
            .bind(now)
            .bind(workspace_id.get())
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    async fn pending_jobs(&self) -> Result<i64, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")
                .fetch_one(pool)
                .await?
                .int("n")
        })
    }

    async fn start_feed(
        &self,
        workspace_id: WorkspaceId,
        feed: &str,
        cursor: i64,
    ) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO outbox_feeds (workspace_id, feed, cursor) VALUES ($1, $2, $3) \
                 ON CONFLICT (workspace_id, feed) DO NOTHING",
            )
            .bind(workspace_id.get())
            .bind(feed)
            .bind(cursor)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn feed_workspaces(&self, feed: &str) -> Result<Vec<WorkspaceId>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query("SELECT workspace_id FROM outbox_feeds WHERE feed = $1")
                .bind(feed)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.workspace("workspace_id"))
                .collect()
        })
    }

    async fn delete_feeds(
        &self,
        workspace_id: WorkspaceId,
        prefix: &str,
    ) -> Result<u64, StoreError> {
        // Compared as a prefix with substr, not LIKE ('_' and '%' in names are literal).
        let n = on!(self.write(), |pool| {
            sqlx::query(
                "DELETE FROM outbox_feeds WHERE workspace_id = $1 \
                 AND substr(feed, 1, length($2)) = $2",
            )
            .bind(workspace_id.get())
            .bind(prefix)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n)
    }

    async fn lease_feed(
        &self,
        workspace_id: WorkspaceId,
        feed: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<i64>, StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE outbox_feeds SET lease_until = $1, leased_by = $2 \
                 WHERE workspace_id = $3 AND feed = $4 \
                 AND (lease_until <= $5 OR leased_by = $2) RETURNING cursor",
            )
            .bind(lease_until)
            .bind(node)
            .bind(workspace_id.get())
            .bind(feed)
            .bind(now)
            .fetch_optional(pool)
            .await?
            .map(|r| r.int("cursor"))
            .transpose()
        })
    }

    async fn save_feed(
        &self,
        workspace_id: WorkspaceId,
        feed: &str,
        node: &str,
        cursor: i64,
    ) -> Result<bool, StoreError> {
        let n = on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE outbox_feeds SET cursor = $1 \
                 WHERE workspace_id = $2 AND feed = $3 AND leased_by = $4",
            )
            .bind(cursor)
            .bind(workspace_id.get())
            .bind(feed)
            .bind(node)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
