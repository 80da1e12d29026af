//! `impl DistributionStore for SqlStore`: distributions, their deliveries (added in
//! batches with their personal links and jobs), reminders taken once whichever node gets
//! there first, and the suppression list.

use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::{ContactId, SurveyId, WorkspaceId};

use crate::customers::ContactRecord;
use crate::customers_sql::{SELECT_CONTACT, contact_from_row};
use crate::db::{RowExt, SqlStore, on, stamp};
use crate::distributions::*;
use crate::error::StoreError;
use crate::outbox::NewJob;
use crate::outbox_sql::insert_jobs;
use crate::sql::{SELECT_RESPONSE, random_token, response_from_row};

const DISTRIBUTION_COLUMNS: &str = "id, workspace_id, survey_id, channel, name, definition, \
     status, recipients, created_by, created_at, updated_at, trigger_id, sample_plan";

/// The columns a delivery is added with.
const DELIVERY_WRITTEN: &str = "distribution_id, contact_id, workspace_id, channel, token, \
     address, locale, status, reason, due_at, sent_at, reminders_sent, next_reminder_at, \
     updated_at";

/// The columns a delivery is read with: those it is added with, and its first open.
const DELIVERY_COLUMNS: &str = "distribution_id, contact_id, workspace_id, channel, token, \
     address, locale, status, reason, due_at, sent_at, reminders_sent, next_reminder_at, \
     updated_at, opened_at";

static INSERT_DISTRIBUTION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO distributions ({DISTRIBUTION_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (id) DO NOTHING"
    )
});
static DISTRIBUTION_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DISTRIBUTION_COLUMNS} FROM distributions \
                 WHERE workspace_id = $1 AND id = $2"
    )
});
static DISTRIBUTIONS_PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DISTRIBUTION_COLUMNS} FROM distributions \
                 WHERE workspace_id = $1 AND id < $2 AND trigger_id IS NULL \
                 ORDER BY id DESC LIMIT $3"
    )
});
static DELIVERY_BY_KEY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries \
                 WHERE distribution_id = $1 AND contact_id = $2"
    )
});
static DELIVERY_BY_TOKEN: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE token = $1"));
static DELIVERIES_PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries \
                 WHERE distribution_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3"
    )
});
static CONTACT_DELIVERIES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries \
                 WHERE workspace_id = $1 AND contact_id = $2 \
                 ORDER BY updated_at DESC, distribution_id DESC LIMIT $3"
    )
});
static DUE_REMINDERS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries d \
                 WHERE d.next_reminder_at <= $1 AND d.status = 'sent' AND d.token IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.workspace_id = d.workspace_id \
                 AND r.invitation_token = d.token AND r.completed) \
                 ORDER BY d.next_reminder_at LIMIT $2"
    )
});

static RESPONSE_BY_TOKEN: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_RESPONSE}WHERE survey_id = $1 AND invitation_token = $2"));

static STALE_DISTRIBUTIONS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {DISTRIBUTION_COLUMNS} FROM distributions \
         WHERE status = 'preparing' AND updated_at < $1 ORDER BY updated_at LIMIT $2"
    )
});

/// A delivery's new state (`$4` says whether `$5` sets the next reminder).
const UPDATE_DELIVERY: &str = "UPDATE deliveries SET status = $1, reason = $2, \
     sent_at = COALESCE($3, sent_at), \
     next_reminder_at = CASE WHEN $4 THEN $5 ELSE next_reminder_at END, \
     updated_at = $6 WHERE distribution_id = $7 AND contact_id = $8";

/// Deliveries per multi-row `INSERT`: 14 parameters each.
const DELIVERY_ROWS: usize = 400;

fn distribution_from_row(row: &impl RowExt) -> Result<DistributionRecord, StoreError> {
    Ok(DistributionRecord {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        survey_id: row.parsed("survey_id", SurveyId::parse)?,
        channel: row.text("channel")?,
        name: row.text("name")?,
        definition: row.text("definition")?,
        status: row.text("status")?,
        recipients: row.int("recipients")?,
        created_by: row.opt_text("created_by")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
        trigger_id: row.opt_text("trigger_id")?,
        sample_plan: row.opt_text("sample_plan")?,
    })
}

fn delivery_from_row(row: &impl RowExt) -> Result<DeliveryRecord, StoreError> {
    let status = row.text("status")?;
    Ok(DeliveryRecord {
        distribution_id: row.text("distribution_id")?,
        contact_id: row.text("contact_id")?,
        workspace_id: row.workspace("workspace_id")?,
        channel: row.text("channel")?,
        token: row.opt_text("token")?,
        address: row.opt_text("address")?,
        locale: row.text("locale")?,
        status: DeliveryStatus::parse(&status)
            .ok_or_else(|| crate::db::corrupt("status", format!("unknown status {status}")))?,
        reason: row.opt_text("reason")?,
        due_at: row.opt_int("due_at")?,
        sent_at: row.opt_int("sent_at")?,
        reminders_sent: row.int("reminders_sent")?,
        next_reminder_at: row.opt_int("next_reminder_at")?,
        updated_at: row.int("updated_at")?,
        opened_at: row.opt_int("opened_at")?,
    })
}

/// The two statements that count deliveries (by status and reason; their links'
/// responses), both over the deliveries `$1` picks.
struct CountSql {
    by_status: String,
    responses: String,
}

impl CountSql {
    fn of(filter: &str) -> CountSql {
        CountSql {
            by_status: format!(
                "SELECT status, reason, COUNT(*) AS n, CAST(SUM(reminders_sent) AS BIGINT) AS r, \
                 CAST(SUM(CASE WHEN opened_at IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS o \
                 FROM deliveries d WHERE {filter} GROUP BY status, reason ORDER BY status, reason"
            ),
            // One response per link at most.
            responses: format!(
                "SELECT COUNT(*) AS started, \
                 COALESCE(SUM(CASE WHEN r.completed THEN 1 ELSE 0 END), 0) AS completed \
                 FROM deliveries d JOIN responses r \
                 ON r.workspace_id = d.workspace_id AND r.invitation_token = d.token \
                 WHERE {filter}"
            ),
        }
    }
}

static COUNTS_OF_DISTRIBUTION: LazyLock<CountSql> =
    LazyLock::new(|| CountSql::of("d.distribution_id = $1"));
static COUNTS_OF_SURVEY: LazyLock<CountSql> = LazyLock::new(|| {
    CountSql::of("d.distribution_id IN (SELECT id FROM distributions WHERE survey_id = $1)")
});
static COUNTS_OF_TRIGGER: LazyLock<CountSql> = LazyLock::new(|| {
    CountSql::of("d.distribution_id IN (SELECT id FROM distributions WHERE trigger_id = $1)")
});

impl SqlStore {
    /// Deliveries counted as `sql` picks them by `key`.
    async fn counts_of(
        &self,
        sql: &'static CountSql,
        key: &str,
    ) -> Result<DeliveryCounts, StoreError> {
        let mut counts = DeliveryCounts::default();
        on!(self.read(), |pool| {
            let rows = sqlx::query(sql.by_status.as_str())
                .bind(key)
                .fetch_all(pool)
                .await?;
            for row in &rows {
                let status = row.text("status")?;
                let status = DeliveryStatus::parse(&status).ok_or_else(|| {
                    crate::db::corrupt("status", format!("unknown status {status}"))
                })?;
                counts
                    .by_status
                    .push((status, row.opt_text("reason")?, row.int("n")?));
                counts.reminders += row.opt_int("r")?.unwrap_or(0);
                counts.opened += row.opt_int("o")?.unwrap_or(0);
            }
            let row = sqlx::query(sql.responses.as_str())
                .bind(key)
                .fetch_one(pool)
                .await?;
            counts.started = row.int("started")?;
            counts.completed = row.int("completed")?;
        });
        Ok(counts)
    }
}

#[async_trait]
impl DistributionStore for SqlStore {
    async fn claim_touches(
        &self,
        workspace_id: WorkspaceId,
        touches: &[NewTouch<'_>],
        since: i64,
        decide: &TouchDecision,
    ) -> Result<Vec<bool>, StoreError> {
        if touches.is_empty() {
            return Ok(Vec::new());
        }
        let ws = workspace_id.get();
        let mut contacts: Vec<&str> = touches.iter().map(|t| t.contact_id).collect();
        contacts.sort_unstable();
        contacts.dedup();
        // SQLite: BEGIN IMMEDIATE holds the one write lock; PostgreSQL: transaction-level
        // advisory locks on the contacts, taken in one order so two nodes cannot deadlock.
        let mut tx = self.begin_batch().await?;
        let mut allowed = Vec::with_capacity(touches.len());
        on!(tx.as_conn(), |c| {
            if self.backend_name() == "postgres" {
                for contact in &contacts {
                    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .bind(format!("touch:{ws}:{contact}"))
                        .execute(&mut *c)
                        .await?;
                }
            }
            let mut q = sqlx::QueryBuilder::new(
                "SELECT contact_id, source, at, priority FROM contact_touches WHERE workspace_id = ",
            );
            q.push_bind(ws).push(" AND contact_id IN (");
            let mut list = q.separated(", ");
            for contact in &contacts {
                list.push_bind(contact.to_string());
            }
            q.push(")");
            let rows = q.build().fetch_all(&mut *c).await?;
            // Each contact's earlier surveys in the window: (time, priority).
            let mut earlier: std::collections::HashMap<String, Vec<(i64, i64)>> =
                Default::default();
            let mut known: std::collections::HashSet<(String, String)> = Default::default();
            for row in &rows {
                let (contact, source, at) =
                    (row.text("contact_id")?, row.text("source")?, row.int("at")?);
                if at > since {
                    let priority = row.int("priority")?;
                    earlier
                        .entry(contact.clone())
                        .or_default()
                        .push((at, priority));
                }
                known.insert((contact, source));
            }
            let mut fresh: Vec<&NewTouch<'_>> = Vec::new();
            for t in touches {
                let key = (t.contact_id.to_string(), t.source.to_string());
                if known.contains(&key) {
                    allowed.push(true);
                    continue;
                }
                let before = earlier.entry(key.0.clone()).or_default();
                // A survey of lower priority does not count against this one.
                let times: Vec<i64> = before
                    .iter()
                    .filter(|(_, p)| *p >= t.priority)
                    .map(|(at, _)| *at)
                    .collect();
                let ok = decide(&times);
                if ok {
                    before.push((t.at, t.priority));
                    known.insert(key);
                    fresh.push(t);
                }
                allowed.push(ok);
            }
            for chunk in fresh.chunks(500) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO contact_touches (workspace_id, contact_id, source, at, channel, \
                     survey_id, priority) ",
                );
                q.push_values(chunk, |mut b, t| {
                    b.push_bind(ws)
                        .push_bind(t.contact_id.to_string())
                        .push_bind(t.source.to_string())
                        .push_bind(t.at)
                        .push_bind(t.channel.to_string())
                        .push_bind(t.survey_id.to_string())
                        .push_bind(t.priority);
                });
                q.build().execute(&mut *c).await?;
            }
        });
        tx.commit().await?;
        Ok(allowed)
    }

    async fn update_deliveries(&self, updates: &[DeliveryUpdate<'_>]) -> Result<(), StoreError> {
        if updates.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().begin().await?;
        on!(tx.as_conn(), |c| {
            for u in updates {
                let (set_next, next) = match u.next_reminder_at {
                    Some(n) => (true, n),
                    None => (false, None),
                };
                sqlx::query(UPDATE_DELIVERY)
                    .bind(u.status.as_str())
                    .bind(u.reason)
                    .bind(u.sent_at)
                    .bind(set_next)
                    .bind(next)
                    .bind(u.now)
                    .bind(u.distribution_id)
                    .bind(u.contact_id)
                    .execute(&mut *c)
                    .await?;
            }
        });
        tx.commit().await?;
        Ok(())
    }

    async fn asked_since(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &str,
        survey_id: &str,
        since: i64,
    ) -> Result<bool, StoreError> {
        on!(self.read(), |pool| {
            Ok(sqlx::query(
                "SELECT 1 FROM contact_touches WHERE workspace_id = $1 AND contact_id = $2 \
                 AND survey_id = $3 AND at > $4 LIMIT 1",
            )
            .bind(workspace_id.get())
            .bind(contact_id)
            .bind(survey_id)
            .bind(since)
            .fetch_optional(pool)
            .await?
            .is_some())
        })
    }

    async fn last_delivery_to(
        &self,
        channel: &str,
        addresses: &[String],
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        if addresses.is_empty() {
            return Ok(None);
        }
        on!(self.read(), |pool| {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE channel = "
            ));
            q.push_bind(channel).push(" AND address IN (");
            let mut list = q.separated(", ");
            for a in addresses {
                list.push_bind(a.as_str());
            }
            q.push(
                ") AND status = 'sent' AND token IS NOT NULL \
                 ORDER BY sent_at DESC LIMIT 1",
            );
            q.build()
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(delivery_from_row)
                .transpose()
        })
    }

    async fn touches(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &str,
        since: i64,
    ) -> Result<Vec<i64>, StoreError> {
        on!(self.read(), |pool| {
            Ok(sqlx::query_scalar(
                "SELECT at FROM contact_touches WHERE workspace_id = $1 AND contact_id = $2 \
                 AND at > $3 ORDER BY at",
            )
            .bind(workspace_id.get())
            .bind(contact_id)
            .bind(since)
            .fetch_all(pool)
            .await?)
        })
    }

    async fn create_distribution(&self, d: &DistributionRecord) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(INSERT_DISTRIBUTION.as_str())
                .bind(&d.id)
                .bind(d.workspace_id.get())
                .bind(d.survey_id.as_str())
                .bind(&d.channel)
                .bind(&d.name)
                .bind(&d.definition)
                .bind(&d.status)
                .bind(d.recipients)
                .bind(&d.created_by)
                .bind(d.created_at)
                .bind(d.updated_at)
                .bind(&d.trigger_id)
                .bind(&d.sample_plan)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn distribution(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<DistributionRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DISTRIBUTION_BY_ID.as_str())
                .bind(workspace_id.get())
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(distribution_from_row)
                .transpose()
        })
    }

    async fn distributions(
        &self,
        workspace_id: WorkspaceId,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DistributionRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DISTRIBUTIONS_PAGE.as_str())
                .bind(workspace_id.get())
                .bind(before.unwrap_or("\u{10FFFF}"))
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(distribution_from_row)
                .collect()
        })
    }

    async fn stale_distributions(
        &self,
        before: i64,
        limit: i64,
    ) -> Result<Vec<DistributionRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(STALE_DISTRIBUTIONS.as_str())
                .bind(before)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(distribution_from_row)
                .collect()
        })
    }

    async fn take_distribution(&self, id: &str, seen: i64, now: i64) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE distributions SET updated_at = $1 WHERE id = $2 \
                 AND status = 'preparing' AND updated_at = $3",
            )
            .bind(now)
            .bind(id)
            .bind(seen)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn ready_distribution(
        &self,
        id: &str,
        recipients: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE distributions SET status = 'ready', recipients = $1, updated_at = $2 \
                 WHERE id = $3 AND status = 'preparing'",
            )
            .bind(recipients)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn distribution_addresses(&self, id: &str) -> Result<Vec<String>, StoreError> {
        on!(self.read(), |pool| {
            Ok(sqlx::query_scalar(
                "SELECT address FROM deliveries WHERE distribution_id = $1 \
                 AND address IS NOT NULL",
            )
            .bind(id)
            .fetch_all(pool)
            .await?)
        })
    }

    async fn set_distribution_status(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        status: &str,
        recipients: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE distributions SET status = $1, recipients = $2, updated_at = $3 \
                 WHERE workspace_id = $4 AND id = $5",
            )
            .bind(status)
            .bind(recipients)
            .bind(now)
            .bind(workspace_id.get())
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(n = deliveries.len()))]
    async fn add_deliveries(
        &self,
        survey_id: &SurveyId,
        deliveries: &[NewDelivery],
    ) -> Result<u64, StoreError> {
        if deliveries.is_empty() {
            return Ok(0);
        }
        let now = crate::now_ms();
        // Immediate on SQLite: the stamp is read and then written, and another process's
        // commit in between would fail the upgrade to a write.
        let mut tx = self.begin_batch().await?;
        let stamp = stamp(tx.as_conn(), "invitations").await?;
        let mut added = 0;
        on!(tx.as_conn(), |c| {
            for chunk in deliveries.chunks(DELIVERY_ROWS) {
                let mut q = sqlx::QueryBuilder::new(format!(
                    "INSERT INTO deliveries ({DELIVERY_WRITTEN}) "
                ));
                q.push_values(chunk, |mut b, n| {
                    let d = &n.record;
                    b.push_bind(d.distribution_id.clone())
                        .push_bind(d.contact_id.clone())
                        .push_bind(d.workspace_id.get())
                        .push_bind(d.channel.clone())
                        .push_bind(d.token.clone())
                        .push_bind(d.address.clone())
                        .push_bind(d.locale.clone())
                        .push_bind(d.status.as_str())
                        .push_bind(d.reason.clone())
                        .push_bind(d.due_at)
                        .push_bind(d.sent_at)
                        .push_bind(d.reminders_sent)
                        .push_bind(d.next_reminder_at)
                        .push_bind(d.updated_at);
                });
                q.push(
                    " ON CONFLICT (distribution_id, contact_id) DO NOTHING RETURNING contact_id",
                );
                let new: std::collections::HashSet<String> = q
                    .build()
                    .fetch_all(&mut *c)
                    .await?
                    .iter()
                    .map(|row| sqlx::Row::try_get::<String, _>(row, 0))
                    .collect::<Result<_, _>>()?;
                added += new.len() as u64;
                let fresh: Vec<&NewDelivery> = chunk
                    .iter()
                    .filter(|n| new.contains(&n.record.contact_id))
                    .collect();
                let links: Vec<(&str, &str, i64)> = fresh
                    .iter()
                    .filter_map(|n| {
                        let d = &n.record;
                        d.token
                            .as_deref()
                            .map(|t| (t, d.contact_id.as_str(), d.workspace_id.get()))
                    })
                    .collect();
                if !links.is_empty() {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO invitations (token, workspace_id, survey_id, contact_id, \
                         created_at, change_seq) ",
                    );
                    q.push_values(&links, |mut b, (token, contact, ws)| {
                        b.push_bind(token.to_string())
                            .push_bind(*ws)
                            .push_bind(survey_id.as_str().to_string())
                            .push_bind(contact.to_string())
                            .push_bind(now)
                            .push_bind(stamp);
                    });
                    q.build().execute(&mut *c).await?;
                }
                let jobs: Vec<NewJob> = fresh.iter().filter_map(|n| n.job.clone()).collect();
                if !jobs.is_empty() {
                    insert_jobs(&jobs, now).build().execute(&mut *c).await?;
                }
            }
        });
        tx.commit().await?;
        Ok(added)
    }

    async fn contacts_by_ids(
        &self,
        workspace_id: WorkspaceId,
        ids: &[ContactId],
    ) -> Result<Vec<ContactRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = on!(self.read(), |pool| {
                let mut q =
                    sqlx::QueryBuilder::new(format!("{SELECT_CONTACT}WHERE workspace_id = "));
                q.push_bind(workspace_id.get())
                    .push(" AND merged_into IS NULL AND deleted_at IS NULL AND id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str().to_string());
                }
                q.push(")");
                q.build()
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(contact_from_row)
                    .collect::<Result<Vec<_>, _>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    async fn delivery(
        &self,
        distribution_id: &str,
        contact_id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DELIVERY_BY_KEY.as_str())
                .bind(distribution_id)
                .bind(contact_id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(delivery_from_row)
                .transpose()
        })
    }

    async fn delivery_by_token(&self, token: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DELIVERY_BY_TOKEN.as_str())
                .bind(token)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(delivery_from_row)
                .transpose()
        })
    }

    async fn record_open(&self, token: &str, at: i64) -> Result<bool, StoreError> {
        on!(self.write(), |pool| {
            Ok(sqlx::query(
                "UPDATE deliveries SET opened_at = $1 \
                 WHERE token = $2 AND status = 'sent' AND opened_at IS NULL",
            )
            .bind(at)
            .bind(token)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    async fn update_delivery(&self, u: &DeliveryUpdate<'_>) -> Result<(), StoreError> {
        self.update_deliveries(std::slice::from_ref(u)).await
    }

    async fn deliveries(
        &self,
        distribution_id: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DELIVERIES_PAGE.as_str())
                .bind(distribution_id)
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(delivery_from_row)
                .collect()
        })
    }

    async fn delivery_counts(&self, distribution_id: &str) -> Result<DeliveryCounts, StoreError> {
        self.counts_of(&COUNTS_OF_DISTRIBUTION, distribution_id)
            .await
    }

    async fn distribution_completions(
        &self,
        distribution_id: &str,
    ) -> Result<Vec<(String, crate::json::JsonMap)>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT d.contact_id, r.answers FROM deliveries d JOIN responses r \
                 ON r.workspace_id = d.workspace_id AND r.invitation_token = d.token \
                 WHERE d.distribution_id = $1 AND r.completed",
            )
            .bind(distribution_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| Ok((row.text("contact_id")?, row.object("answers")?)))
            .collect()
        })
    }

    async fn count_kiosk_start(
        &self,
        survey_id: &SurveyId,
        device: &str,
        hour: i64,
    ) -> Result<i64, StoreError> {
        on!(self.write(), |pool| {
            Ok(sqlx::query_scalar(
                "INSERT INTO kiosk_counts (survey_id, device, hour, n) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (survey_id, device, hour) DO UPDATE SET n = kiosk_counts.n + 1 \
                 RETURNING n",
            )
            .bind(survey_id.as_str())
            .bind(device)
            .bind(hour)
            .fetch_one(pool)
            .await?)
        })
    }

    async fn survey_deliveries(
        &self,
        survey_id: &SurveyId,
    ) -> Result<Vec<DeliveryFact>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT d.contact_id, d.channel, d.status, d.reason, d.reminders_sent, \
                 d.opened_at, r.id AS response_id, COALESCE(r.completed, FALSE) AS completed \
                 FROM deliveries d \
                 LEFT JOIN responses r ON r.workspace_id = d.workspace_id \
                 AND r.invitation_token = d.token \
                 WHERE d.distribution_id IN (SELECT id FROM distributions WHERE survey_id = $1)",
            )
            .bind(survey_id.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                let status = row.text("status")?;
                let answered = row.opt_text("response_id")?.is_some();
                Ok(DeliveryFact {
                    contact_id: row.text("contact_id")?,
                    channel: row.text("channel")?,
                    status: DeliveryStatus::parse(&status).ok_or_else(|| {
                        crate::db::corrupt("status", format!("unknown status {status}"))
                    })?,
                    reason: row.opt_text("reason")?,
                    reminders: row.int("reminders_sent")?,
                    started: answered,
                    completed: answered && row.bool("completed")?,
                    opened: row.opt_int("opened_at")?.is_some(),
                })
            })
            .collect()
        })
    }

    async fn set_sample_plan(&self, id: &str, plan: &str) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query("UPDATE distributions SET sample_plan = $1 WHERE id = $2")
                .bind(plan)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn survey_delivery_counts(
        &self,
        survey_id: &SurveyId,
    ) -> Result<DeliveryCounts, StoreError> {
        self.counts_of(&COUNTS_OF_SURVEY, survey_id.as_str()).await
    }

    async fn trigger_delivery_counts(
        &self,
        trigger_id: &str,
    ) -> Result<DeliveryCounts, StoreError> {
        self.counts_of(&COUNTS_OF_TRIGGER, trigger_id).await
    }

    async fn contact_deliveries(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(CONTACT_DELIVERIES.as_str())
                .bind(workspace_id.get())
                .bind(contact_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(delivery_from_row)
                .collect()
        })
    }

    async fn due_reminders(&self, now: i64, limit: i64) -> Result<Vec<DeliveryRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DUE_REMINDERS.as_str())
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(delivery_from_row)
                .collect()
        })
    }

    async fn remind(
        &self,
        d: &DeliveryRecord,
        next: Option<i64>,
        job: &NewJob,
    ) -> Result<bool, StoreError> {
        let now = crate::now_ms();
        let mut tx = self.write().begin().await?;
        let taken = on!(tx.as_conn(), |c| {
            let n = sqlx::query(
                "UPDATE deliveries SET reminders_sent = reminders_sent + 1, \
                 next_reminder_at = $1, updated_at = $2 \
                 WHERE distribution_id = $3 AND contact_id = $4 AND reminders_sent = $5 \
                 AND next_reminder_at IS NOT NULL",
            )
            .bind(next)
            .bind(now)
            .bind(&d.distribution_id)
            .bind(&d.contact_id)
            .bind(d.reminders_sent)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if n == 1 {
                insert_jobs(std::slice::from_ref(job), now)
                    .build()
                    .execute(&mut *c)
                    .await?;
            }
            n == 1
        });
        tx.commit().await?;
        Ok(taken)
    }

    async fn response_by_token(
        &self,
        survey_id: &SurveyId,
        token: &str,
    ) -> Result<Option<crate::model::ResponseRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(RESPONSE_BY_TOKEN.as_str())
                .bind(survey_id.as_str())
                .bind(token)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(response_from_row)
                .transpose()
        })
    }

    async fn suppression_salt(&self, workspace_id: WorkspaceId) -> Result<String, StoreError> {
        let fresh = random_token(32);
        on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO workspace_salts (workspace_id, salt) VALUES ($1, $2) \
                 ON CONFLICT (workspace_id) DO NOTHING",
            )
            .bind(workspace_id.get())
            .bind(&fresh)
            .execute(pool)
            .await?;
        });
        on!(self.write(), |pool| {
            sqlx::query("SELECT salt FROM workspace_salts WHERE workspace_id = $1")
                .bind(workspace_id.get())
                .fetch_one(pool)
                .await?
                .text("salt")
        })
    }

    async fn suppress(
        &self,
        workspace_id: WorkspaceId,
        channel: &str,
        hash: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO suppressions (workspace_id, channel, hash, reason, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, channel, hash) DO NOTHING",
            )
            .bind(workspace_id.get())
            .bind(channel)
            .bind(hash)
            .bind(reason)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn suppressed(
        &self,
        workspace_id: WorkspaceId,
        channel: &str,
        hashes: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::new();
        for chunk in hashes.chunks(500) {
            let rows = on!(self.read(), |pool| {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT hash, reason FROM suppressions WHERE workspace_id = ",
                );
                q.push_bind(workspace_id.get())
                    .push(" AND channel = ")
                    .push_bind(channel.to_string())
                    .push(" AND hash IN (");
                let mut list = q.separated(", ");
                for h in chunk {
                    list.push_bind(h.clone());
                }
                q.push(")");
                q.build()
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.text("hash")?, r.text("reason")?)))
                    .collect::<Result<Vec<_>, StoreError>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    async fn unsuppress(
        &self,
        workspace_id: WorkspaceId,
        channel: &str,
        hash: &str,
    ) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "DELETE FROM suppressions WHERE workspace_id = $1 AND channel = $2 AND hash = $3",
            )
            .bind(workspace_id.get())
            .bind(channel)
            .bind(hash)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn suppressions(
        &self,
        workspace_id: WorkspaceId,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<SuppressionRecord>, StoreError> {
        let (at, hash) = before.unwrap_or((i64::MAX, String::new()));
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT channel, hash, reason, created_at FROM suppressions \
                 WHERE workspace_id = $1 AND (created_at < $2 OR (created_at = $2 AND hash < $3) \
                 OR $4) ORDER BY created_at DESC, hash DESC LIMIT $5",
            )
            .bind(workspace_id.get())
            .bind(at)
            .bind(&hash)
            .bind(at == i64::MAX)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(SuppressionRecord {
                    channel: r.text("channel")?,
                    hash: r.text("hash")?,
                    reason: r.text("reason")?,
                    created_at: r.int("created_at")?,
                })
            })
            .collect()
        })
    }
}
