//! The SQL of [`CaseStore`], written once for both backends.
//!
//! A change is `UPDATE … WHERE id = $ AND revision = $read`: of two nodes changing one
//! case at once, one wins and the other is told to read again. History entries are
//! numbered inside the same transaction, after the update has locked the case's row.

use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::WorkspaceId;
use puls_core::alert::Priority;
use puls_core::case::CaseStatus;

use crate::cases::*;
use crate::db::{Conn, RowExt, SqlStore, on};
use crate::error::StoreError;
use crate::outbox::NewJob;
use crate::outbox_sql::insert_jobs;

const CASE_COLUMNS: &str = "id, workspace_id, title, status, priority, owner_id, team, \
     rule_key, response_id, survey_id, touchpoint, contact_key, contact_email, locale, \
     root_cause, pauses, first_response_due, resolution_due, first_response_at, \
     resolved_at, closed_at, resurvey_token, resurvey_job, recovery_response_id, \
     recovered_at, revision, created_at, updated_at";

static CASE_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {CASE_COLUMNS} FROM cases WHERE workspace_id = $1 AND id = $2")
});
static CONTACT_CASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE workspace_id = $1 AND contact_key = $2 \
         AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT 1"
    )
});
static OPEN_CASES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE status IN ('new', 'in_progress', 'waiting') \
         ORDER BY created_at, id LIMIT $1"
    )
});
const UPDATE_CASE: &str = "UPDATE cases SET title = $1, status = $2, priority = $3, \
     owner_id = $4, team = $5, root_cause = $6, pauses = $7, first_response_due = $8, \
     resolution_due = $9, first_response_at = $10, resolved_at = $11, closed_at = $12, \
     revision = $13, updated_at = $14, contact_email = $15, resurvey_token = $16, \
     resurvey_job = $17, recovery_response_id = $18, recovered_at = $19 \
     WHERE workspace_id = $20 AND id = $21 AND revision = $22";
static CASE_BY_RESURVEY: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {CASE_COLUMNS} FROM cases WHERE workspace_id = $1 AND resurvey_token = $2")
});
static CASES_CREATED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE workspace_id = $1 AND created_at >= $2 \
         AND created_at < $3 ORDER BY created_at, id LIMIT $4"
    )
});

fn case_from_row(row: &impl RowExt) -> Result<CaseRecord, StoreError> {
    let status = row.text("status")?;
    let priority = row.text("priority")?;
    let pauses = row.text("pauses")?;
    Ok(CaseRecord {
        id: row.text("id")?,
        workspace_id: row.workspace("workspace_id")?,
        title: row.text("title")?,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| crate::db::corrupt("status", format!("unknown status {status}")))?,
        priority: Priority::parse(&priority).ok_or_else(|| {
            crate::db::corrupt("priority", format!("unknown priority {priority}"))
        })?,
        owner_id: row.opt_text("owner_id")?,
        team: row.opt_text("team")?,
        rule_key: row.opt_text("rule_key")?,
        response_id: row.opt_text("response_id")?,
        survey_id: row.opt_text("survey_id")?,
        touchpoint: row.opt_text("touchpoint")?,
        contact_key: row.opt_text("contact_key")?,
        contact_email: row.opt_text("contact_email")?,
        locale: row.text("locale")?,
        root_cause: row.opt_text("root_cause")?,
        pauses: serde_json::from_str(&pauses)
            .map_err(|e| crate::db::corrupt("pauses", e.to_string()))?,
        first_response_due: row.opt_int("first_response_due")?,
        resolution_due: row.opt_int("resolution_due")?,
        first_response_at: row.opt_int("first_response_at")?,
        resolved_at: row.opt_int("resolved_at")?,
        closed_at: row.opt_int("closed_at")?,
        resurvey_token: row.opt_text("resurvey_token")?,
        resurvey_job: row.opt_text("resurvey_job")?,
        recovery_response_id: row.opt_text("recovery_response_id")?,
        recovered_at: row.opt_int("recovered_at")?,
        revision: row.int("revision")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

fn event_from_row(row: &impl RowExt) -> Result<CaseEvent, StoreError> {
    Ok(CaseEvent {
        n: row.int("n")?,
        at: row.int("at")?,
        kind: row.text("kind")?,
        actor: row.text("actor")?,
        data: row.text("data")?,
    })
}

fn pauses_text(case: &CaseRecord) -> Result<String, StoreError> {
    serde_json::to_string(&case.pauses).map_err(|e| StoreError::from(anyhow::anyhow!(e)))
}

const INSERT_EVENT: &str =
    "INSERT INTO case_events (case_id, n, at, kind, actor, data) VALUES ($1, $2, $3, $4, $5, $6)";

/// The most cases one statement inserts (28 values each: 14,000 binds, under both
/// backends' limits).
const CASES_PER_STATEMENT: usize = 500;

/// Inserts new cases inside the caller's transaction (ids distinct), in three statements
/// per 500: the cases (those already there left alone), then the first events and the
/// jobs of the ones that were new. Returns the ids that were new.
async fn insert_case_rows(
    conn: Conn<'_>,
    cases: &[(&CaseInsert<'_>, &str)],
) -> Result<std::collections::HashSet<String>, StoreError> {
    let mut new = std::collections::HashSet::new();
    on!(conn, |c| {
        for chunk in cases.chunks(CASES_PER_STATEMENT) {
            let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO cases ({CASE_COLUMNS}) "));
            q.push_values(chunk, |mut b, (i, pauses)| {
                let case = i.case;
                b.push_bind(case.id.clone())
                    .push_bind(case.workspace_id.get())
                    .push_bind(case.title.clone())
                    .push_bind(case.status.as_str())
                    .push_bind(case.priority.as_str())
                    .push_bind(case.owner_id.clone())
                    .push_bind(case.team.clone())
                    .push_bind(case.rule_key.clone())
                    .push_bind(case.response_id.clone())
                    .push_bind(case.survey_id.clone())
                    .push_bind(case.touchpoint.clone())
                    .push_bind(case.contact_key.clone())
                    .push_bind(case.contact_email.clone())
                    .push_bind(case.locale.clone())
                    .push_bind(case.root_cause.clone())
                    .push_bind(pauses.to_string())
                    .push_bind(case.first_response_due)
                    .push_bind(case.resolution_due)
                    .push_bind(case.first_response_at)
                    .push_bind(case.resolved_at)
                    .push_bind(case.closed_at)
                    .push_bind(case.resurvey_token.clone())
                    .push_bind(case.resurvey_job.clone())
                    .push_bind(case.recovery_response_id.clone())
                    .push_bind(case.recovered_at)
                    .push_bind(case.revision)
                    .push_bind(case.created_at)
                    .push_bind(case.updated_at);
            });
            q.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
            let added: Vec<String> = q
                .build()
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|row| sqlx::Row::try_get::<String, _>(row, 0))
                .collect::<Result<_, _>>()?;
            if added.is_empty() {
                continue;
            }
            let fresh: Vec<&CaseInsert<'_>> = chunk
                .iter()
                .map(|(i, _)| *i)
                .filter(|i| added.contains(&i.case.id))
                .collect();
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO case_events (case_id, n, at, kind, actor, data) ",
            );
            q.push_values(&fresh, |mut b, i| {
                b.push_bind(i.case.id.clone())
                    .push_bind(1_i64)
                    .push_bind(i.first.at)
                    .push_bind(i.first.kind.clone())
                    .push_bind(i.first.actor.clone())
                    .push_bind(i.first.data.clone());
            });
            q.build().execute(&mut *c).await?;
            // Queued when their cases were opened (the latest of them).
            let jobs: Vec<NewJob> = fresh.iter().flat_map(|i| i.jobs.iter().cloned()).collect();
            let at = fresh
                .iter()
                .map(|i| i.case.created_at)
                .max()
                .unwrap_or_default();
            for chunk in jobs.chunks(500) {
                insert_jobs(chunk, at).build().execute(&mut *c).await?;
            }
            new.extend(added);
        }
    });
    Ok(new)
}

#[async_trait]
impl CaseStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn case_root_causes(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<(String, String)>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT response_id, root_cause FROM cases WHERE workspace_id = $1 \
                 AND response_id IS NOT NULL AND root_cause IS NOT NULL",
            )
            .bind(workspace_id.get())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.text("response_id")?, r.text("root_cause")?)))
            .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(cases = cases.len()))]
    async fn insert_cases(&self, cases: &[CaseInsert<'_>]) -> Result<Vec<bool>, StoreError> {
        let mut inserted = vec![false; cases.len()];
        if cases.is_empty() {
            return Ok(inserted);
        }
        let pauses = cases
            .iter()
            .map(|i| pauses_text(i.case))
            .collect::<Result<Vec<_>, _>>()?;
        // In the order of their ids, so two nodes writing overlapping batches on
        // PostgreSQL wait for each other instead of deadlocking; a case given twice is
        // written (and answered new) once, the first time.
        let mut order: Vec<usize> = (0..cases.len()).collect();
        order.sort_by(|&a, &b| cases[a].case.id.cmp(&cases[b].case.id).then(a.cmp(&b)));
        order.dedup_by(|b, a| cases[*a].case.id == cases[*b].case.id);
        let rows: Vec<(&CaseInsert<'_>, &str)> = order
            .iter()
            .map(|&i| (&cases[i], pauses[i].as_str()))
            .collect();
        let mut tx = self.write().begin().await?;
        let new = insert_case_rows(tx.as_conn(), &rows).await?;
        tx.commit().await?;
        for i in order {
            inserted[i] = new.contains(&cases[i].case.id);
        }
        Ok(inserted)
    }

    async fn case(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<CaseRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(CASE_BY_ID.as_str())
                .bind(workspace_id.get())
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(case_from_row)
                .transpose()
        })
    }

    async fn cases(
        &self,
        workspace_id: WorkspaceId,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        on!(self.read(), |pool| {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE workspace_id = "
            ));
            q.push_bind(workspace_id.get());
            if !filter.statuses.is_empty() {
                q.push(" AND status IN (");
                let mut list = q.separated(", ");
                for s in &filter.statuses {
                    list.push_bind(s.as_str());
                }
                q.push(")");
            }
            if let Some(p) = filter.priority {
                q.push(" AND priority = ").push_bind(p.as_str());
            }
            if let Some(o) = &filter.owner {
                q.push(" AND owner_id = ").push_bind(o.clone());
            }
            if filter.unassigned {
                q.push(" AND owner_id IS NULL");
            }
            if !filter.teams.is_empty() {
                q.push(" AND team IN (");
                let mut list = q.separated(", ");
                for t in &filter.teams {
                    list.push_bind(t.clone());
                }
                q.push(")");
            }
            if let Some(at) = filter.due_before {
                q.push(" AND status IN ('new', 'in_progress', 'waiting') AND resolution_due < ")
                    .push_bind(at);
            }
            if let Some(r) = &filter.response_id {
                q.push(" AND response_id = ").push_bind(r.clone());
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
                .push_bind(filter.limit);
            q.build()
                .fetch_all(pool)
                .await?
                .iter()
                .map(case_from_row)
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_case(
        &self,
        case: &CaseRecord,
        events: &[CaseEvent],
        jobs: &[NewJob],
    ) -> Result<bool, StoreError> {
        let pauses = pauses_text(case)?;
        let mut tx = self.write().begin().await?;
        let n = on!(tx.as_conn(), |c| {
            let n = sqlx::query(UPDATE_CASE)
                .bind(&case.title)
                .bind(case.status.as_str())
                .bind(case.priority.as_str())
                .bind(&case.owner_id)
                .bind(&case.team)
                .bind(&case.root_cause)
                .bind(&pauses)
                .bind(case.first_response_due)
                .bind(case.resolution_due)
                .bind(case.first_response_at)
                .bind(case.resolved_at)
                .bind(case.closed_at)
                .bind(case.revision)
                .bind(case.updated_at)
                .bind(&case.contact_email)
                .bind(&case.resurvey_token)
                .bind(&case.resurvey_job)
                .bind(&case.recovery_response_id)
                .bind(case.recovered_at)
                .bind(case.workspace_id.get())
                .bind(&case.id)
                .bind(case.revision - 1)
                .execute(&mut *c)
                .await?
                .rows_affected();
            if n == 1 && !events.is_empty() {
                let last: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(n), 0) FROM case_events WHERE case_id = $1",
                )
                .bind(&case.id)
                .fetch_one(&mut *c)
                .await?;
                for (i, e) in events.iter().enumerate() {
                    sqlx::query(INSERT_EVENT)
                        .bind(&case.id)
                        .bind(last + 1 + i as i64)
                        .bind(e.at)
                        .bind(&e.kind)
                        .bind(&e.actor)
                        .bind(&e.data)
                        .execute(&mut *c)
                        .await?;
                }
            }
            if n == 1 {
                for chunk in jobs.chunks(500) {
                    insert_jobs(chunk, case.updated_at)
                        .build()
                        .execute(&mut *c)
                        .await?;
                }
            }
            n
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT n, at, kind, actor, data FROM case_events WHERE case_id = $1 ORDER BY n",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(event_from_row)
            .collect()
        })
    }

    async fn contact_case(
        &self,
        workspace_id: WorkspaceId,
        contact_key: &str,
        since: i64,
    ) -> Result<Option<CaseRecord>, StoreError> {
        on!(self.write(), |pool| {
            sqlx::query(CONTACT_CASE.as_str())
                .bind(workspace_id.get())
                .bind(contact_key)
                .bind(since)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(case_from_row)
                .transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_case(&self, case_id: &str, mark: &str, at: i64) -> Result<bool, StoreError> {
        let n = on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO case_marks (case_id, mark, at) VALUES ($1, $2, $3) \
                 ON CONFLICT (case_id, mark) DO NOTHING",
            )
            .bind(case_id)
            .bind(mark)
            .bind(at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    async fn open_cases(&self, limit: i64) -> Result<Vec<CaseRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(OPEN_CASES.as_str())
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(case_from_row)
                .collect()
        })
    }

    async fn case_by_resurvey(
        &self,
        workspace_id: WorkspaceId,
        token: &str,
    ) -> Result<Option<CaseRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(CASE_BY_RESURVEY.as_str())
                .bind(workspace_id.get())
                .bind(token)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(case_from_row)
                .transpose()
        })
    }

    async fn cases_created(
        &self,
        workspace_id: WorkspaceId,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(CASES_CREATED.as_str())
                .bind(workspace_id.get())
                .bind(from)
                .bind(to)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(case_from_row)
                .collect()
        })
    }
}
