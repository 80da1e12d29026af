//! `impl TriggerStore for SqlStore`: triggers, and their occurrences begun and cancelled
//! with the events that say so ([`apply_trigger_writes`], in the event's transaction), then
//! taken once by whichever node gets there first.

use std::collections::HashSet;
use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::trigger::TriggerOp;
use puls_core::{SurveyId, WorkspaceId};

use crate::db::{Conn, RowExt, SqlStore, on};
use crate::error::StoreError;
use crate::triggers::*;

const TRIGGER_COLUMNS: &str =
    "id, workspace_id, survey_id, name, definition, status, created_by, created_at, updated_at";

const OCCURRENCE_COLUMNS: &str = "trigger_id, occurrence, workspace_id, user_id, anonymous_id, \
     contact_id, message_id, occurred_at, due_at, state, reason, distribution_id, lease_until, \
     updated_at";

static INSERT_TRIGGER: LazyLock<String> = LazyLock::new(|| {
    format!("INSERT INTO triggers ({TRIGGER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
});
static TRIGGER_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {TRIGGER_COLUMNS} FROM triggers WHERE workspace_id = $1 AND id = $2")
});
static TRIGGERS_OF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {TRIGGER_COLUMNS} FROM triggers WHERE workspace_id = $1 \
         ORDER BY created_at DESC, id DESC"
    )
});
/// An occurrence begins (`$10`: `pending`, or `skipped` when it arrived expired), unless
/// its key is there already.
static START_OCCURRENCE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO trigger_occurrences ({OCCURRENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, NULL, NULL, $12) ON CONFLICT (trigger_id, occurrence) \
         DO NOTHING"
    )
});
/// A named occurrence is cancelled: a pending one becomes `cancelled`; one not begun yet is
/// kept from beginning by a tombstone.
static CANCEL_OCCURRENCE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO trigger_occurrences ({OCCURRENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, NULL, 'tombstone', 'cancelled', NULL, NULL, $9) \
         ON CONFLICT (trigger_id, occurrence) DO UPDATE SET state = 'cancelled', \
         reason = 'cancelled', updated_at = excluded.updated_at \
         WHERE trigger_occurrences.state = 'pending'"
    )
});
/// Every pending occurrence of the person (by user id or anonymous id) that happened at or
/// before `$3` is cancelled.
const CANCEL_PERSON: &str = "UPDATE trigger_occurrences SET state = 'cancelled', \
     reason = 'cancelled', updated_at = $1 WHERE trigger_id = $2 AND state = 'pending' \
     AND occurred_at <= $3 AND ((user_id IS NOT NULL AND user_id = $4) \
     OR (anonymous_id IS NOT NULL AND anonymous_id = $5) \
     OR (contact_id IS NOT NULL AND contact_id = $6))";
static DUE_OCCURRENCES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {OCCURRENCE_COLUMNS} FROM trigger_occurrences \
         WHERE state IN ('pending', 'firing', 'ready') AND ((state = 'pending' AND due_at <= $1) \
         OR (state IN ('firing', 'ready') AND lease_until < $1)) ORDER BY due_at LIMIT $2"
    )
});
static READY_OCCURRENCES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {OCCURRENCE_COLUMNS} FROM trigger_occurrences WHERE workspace_id = $1 \
         AND state = 'ready' AND lease_until >= $2 AND ((user_id IS NOT NULL AND user_id = $3) \
         OR (anonymous_id IS NOT NULL AND anonymous_id = $4) \
         OR (contact_id IS NOT NULL AND contact_id = $5)) ORDER BY due_at LIMIT $6"
    )
});
static OCCURRENCES_PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {OCCURRENCE_COLUMNS} FROM trigger_occurrences WHERE trigger_id = $1 \
         AND state <> 'tombstone' AND (occurred_at < $2 OR (occurred_at = $2 AND occurrence < $3)) \
         ORDER BY occurred_at DESC, occurrence DESC LIMIT $4"
    )
});

fn trigger_from_row(row: &impl RowExt) -> Result<TriggerRecord, StoreError> {
    Ok(TriggerRecord {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        survey_id: row.parsed("survey_id", SurveyId::parse)?,
        name: row.text("name")?,
        definition: row.text("definition")?,
        status: row.text("status")?,
        created_by: row.opt_text("created_by")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

/// The `state` column read.
fn state_of(row: &impl RowExt) -> Result<OccurrenceState, StoreError> {
    let state = row.text("state")?;
    OccurrenceState::parse(&state)
        .ok_or_else(|| crate::db::corrupt("state", format!("unknown state {state}")))
}

fn occurrence_from_row(row: &impl RowExt) -> Result<OccurrenceRecord, StoreError> {
    Ok(OccurrenceRecord {
        trigger_id: row.text("trigger_id")?,
        occurrence: row.text("occurrence")?,
        workspace_id: row.workspace("workspace_id")?,
        user_id: row.opt_text("user_id")?,
        anonymous_id: row.opt_text("anonymous_id")?,
        contact_id: row.opt_text("contact_id")?,
        message_id: row.opt_text("message_id")?,
        occurred_at: row.int("occurred_at")?,
        due_at: row.opt_int("due_at")?,
        state: state_of(row)?,
        reason: row.opt_text("reason")?,
        distribution_id: row.opt_text("distribution_id")?,
        lease_until: row.opt_int("lease_until")?,
        updated_at: row.int("updated_at")?,
    })
}

/// Applies trigger writes in the caller's transaction: those of messages in `fresh` (or
/// of none), in order.
pub(crate) async fn apply_trigger_writes(
    mut conn: Conn<'_>,
    workspace_id: WorkspaceId,
    writes: &[TriggerWrite],
    fresh: Option<&HashSet<String>>,
    now: i64,
) -> Result<(), StoreError> {
    let ws = workspace_id.get();
    for w in writes {
        if let (Some(m), Some(fresh)) = (&w.message_id, fresh)
            && !fresh.contains(m)
        {
            continue;
        }
        on!(conn.as_conn(), |c| {
            match &w.op {
                TriggerOp::Start {
                    occurrence,
                    occurred_at,
                    due_at,
                    expired,
                } => {
                    let (state, reason) = if *expired {
                        ("skipped", Some("expired"))
                    } else {
                        ("pending", None)
                    };
                    sqlx::query(START_OCCURRENCE.as_str())
                        .bind(&w.trigger_id)
                        .bind(occurrence)
                        .bind(ws)
                        .bind(&w.user_id)
                        .bind(&w.anonymous_id)
                        .bind(&w.contact_id)
                        .bind(&w.message_id)
                        .bind(occurred_at)
                        .bind(due_at)
                        .bind(state)
                        .bind(reason)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                }
                TriggerOp::Cancel {
                    occurrence: Some(occurrence),
                    at,
                } => {
                    sqlx::query(CANCEL_OCCURRENCE.as_str())
                        .bind(&w.trigger_id)
                        .bind(occurrence)
                        .bind(ws)
                        .bind(&w.user_id)
                        .bind(&w.anonymous_id)
                        .bind(&w.contact_id)
                        .bind(&w.message_id)
                        .bind(at)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                }
                TriggerOp::Cancel {
                    occurrence: None,
                    at,
                } => {
                    sqlx::query(CANCEL_PERSON)
                        .bind(now)
                        .bind(&w.trigger_id)
                        .bind(at)
                        .bind(&w.user_id)
                        .bind(&w.anonymous_id)
                        .bind(&w.contact_id)
                        .execute(&mut *c)
                        .await?;
                }
            }
        });
    }
    Ok(())
}

#[async_trait]
impl TriggerStore for SqlStore {
    async fn create_trigger(&self, t: &TriggerRecord) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(INSERT_TRIGGER.as_str())
                .bind(&t.id)
                .bind(t.workspace_id.get())
                .bind(t.survey_id.as_str())
                .bind(&t.name)
                .bind(&t.definition)
                .bind(&t.status)
                .bind(&t.created_by)
                .bind(t.created_at)
                .bind(t.updated_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn update_trigger(&self, t: &TriggerRecord) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE triggers SET name = $1, definition = $2, status = $3, updated_at = $4 \
                 WHERE workspace_id = $5 AND id = $6",
            )
            .bind(&t.name)
            .bind(&t.definition)
            .bind(&t.status)
            .bind(t.updated_at)
            .bind(t.workspace_id.get())
            .bind(&t.id)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn trigger(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<TriggerRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(TRIGGER_BY_ID.as_str())
                .bind(workspace_id.get())
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(trigger_from_row)
                .transpose()
        })
    }

    async fn triggers(&self, workspace_id: WorkspaceId) -> Result<Vec<TriggerRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(TRIGGERS_OF.as_str())
                .bind(workspace_id.get())
                .fetch_all(pool)
                .await?
                .iter()
                .map(trigger_from_row)
                .collect()
        })
    }

    async fn delete_trigger(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let n = on!(tx.as_conn(), |c| {
            let n = sqlx::query("DELETE FROM triggers WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id.get())
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected();
            sqlx::query(
                "DELETE FROM trigger_occurrences WHERE trigger_id = $1 AND workspace_id = $2",
            )
            .bind(id)
            .bind(workspace_id.get())
            .execute(&mut *c)
            .await?;
            n
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn write_occurrences(
        &self,
        workspace_id: WorkspaceId,
        writes: &[TriggerWrite],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        apply_trigger_writes(tx.as_conn(), workspace_id, writes, None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn due_occurrences(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(DUE_OCCURRENCES.as_str())
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(occurrence_from_row)
                .collect()
        })
    }

    async fn take_occurrence(
        &self,
        o: &OccurrenceRecord,
        lease_until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE trigger_occurrences SET state = 'firing', lease_until = $1, \
                 updated_at = $2 WHERE trigger_id = $3 AND occurrence = $4 AND state = $5 \
                 AND updated_at = $6",
            )
            .bind(lease_until)
            .bind(now.max(o.updated_at + 1))
            .bind(&o.trigger_id)
            .bind(&o.occurrence)
            .bind(o.state.as_str())
            .bind(o.updated_at)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn ready_occurrences(
        &self,
        workspace_id: WorkspaceId,
        person: &Person<'_>,
        now: i64,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(READY_OCCURRENCES.as_str())
                .bind(workspace_id.get())
                .bind(now)
                .bind(person.user_id)
                .bind(person.anonymous_id)
                .bind(person.contact_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(occurrence_from_row)
                .collect()
        })
    }

    async fn show_occurrence(&self, o: &OccurrenceRecord, now: i64) -> Result<bool, StoreError> {
        Ok(on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE trigger_occurrences SET state = 'shown', updated_at = $1 \
                 WHERE trigger_id = $2 AND occurrence = $3 AND state = 'ready'",
            )
            .bind(now)
            .bind(&o.trigger_id)
            .bind(&o.occurrence)
            .execute(pool)
            .await?
            .rows_affected()
        }) == 1)
    }

    async fn settle_occurrence(&self, o: &OccurrenceRecord, now: i64) -> Result<(), StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(
                "UPDATE trigger_occurrences SET state = $1, reason = $2, distribution_id = $3, \
                 contact_id = $4, lease_until = $5, updated_at = $6 \
                 WHERE trigger_id = $7 AND occurrence = $8",
            )
            .bind(o.state.as_str())
            .bind(&o.reason)
            .bind(&o.distribution_id)
            .bind(&o.contact_id)
            .bind(o.lease_until.filter(|_| o.state == OccurrenceState::Ready))
            .bind(now)
            .bind(&o.trigger_id)
            .bind(&o.occurrence)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn occurrences(
        &self,
        trigger_id: &str,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<OccurrenceRecord>, StoreError> {
        let (at, key) = before.unwrap_or((i64::MAX, String::new()));
        on!(self.read(), |pool| {
            sqlx::query(OCCURRENCES_PAGE.as_str())
                .bind(trigger_id)
                .bind(at)
                .bind(key)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(occurrence_from_row)
                .collect()
        })
    }

    async fn occurrence_counts(&self, trigger_id: &str) -> Result<OccurrenceCounts, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT state, reason, COUNT(*) AS n FROM trigger_occurrences \
                 WHERE trigger_id = $1 AND state <> 'tombstone' GROUP BY state, reason \
                 ORDER BY state, reason",
            )
            .bind(trigger_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| Ok((state_of(row)?, row.opt_text("reason")?, row.int("n")?)))
            .collect()
        })
    }

    async fn linked_user(
        &self,
        workspace_id: WorkspaceId,
        anonymous_id: &str,
    ) -> Result<Option<String>, StoreError> {
        on!(self.read(), |pool| {
            Ok(sqlx::query_scalar(
                "SELECT user_id FROM identity_links WHERE workspace_id = $1 AND anonymous_id = $2",
            )
            .bind(workspace_id.get())
            .bind(anonymous_id)
            .fetch_optional(pool)
            .await?)
        })
    }
}
