//! `impl TextStore for SqlStore`: text analysis results, written under the analysis
//! feed's lease (checked and held by an `UPDATE` of the lease row in the same transaction,
//! which PostgreSQL locks until the commit and SQLite's single writer serialises).

use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::{ResponseId, WorkspaceId};

use crate::db::{RowExt, SqlStore, on};
use crate::error::StoreError;
use crate::text::*;

const COLUMNS: &str = "response_id, question_id, workspace_id, survey_id, touchpoint, \
     channel, locale, response_at, analysis_version, text_hash, language, sentiment, score_milli, aspects, \
     emotion, terms, analysed_at, node";

/// A result is written, or replaces one of another version or text; a result for a
/// response deleted meanwhile is left out.
static UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO text_results ({COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, \
                         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18 \
                         WHERE EXISTS (SELECT 1 FROM responses WHERE id = $1 AND workspace_id = $3) \
                         ON CONFLICT (response_id, question_id) DO UPDATE SET \
                         survey_id = excluded.survey_id, touchpoint = excluded.touchpoint, \
                         channel = excluded.channel, locale = excluded.locale, \
                         response_at = excluded.response_at, \
                         analysis_version = excluded.analysis_version, \
                         text_hash = excluded.text_hash, language = excluded.language, \
                         sentiment = excluded.sentiment, score_milli = excluded.score_milli, \
                         aspects = excluded.aspects, emotion = excluded.emotion, \
                         terms = excluded.terms, analysed_at = excluded.analysed_at, \
                         node = excluded.node \
                         WHERE text_results.analysis_version <> excluded.analysis_version \
                         OR text_results.text_hash <> excluded.text_hash"
    )
});
static BETWEEN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS} FROM text_results WHERE workspace_id = $1 \
                 AND response_at >= $2 AND response_at < $3 AND analysis_version = $4 \
                 ORDER BY response_at, response_id, question_id"
    )
});

fn result_from_row(row: &impl RowExt) -> Result<TextResultRecord, StoreError> {
    Ok(TextResultRecord {
        response_id: row.parsed("response_id", ResponseId::parse)?,
        question_id: row.text("question_id")?,
        workspace_id: row.workspace("workspace_id")?,
        survey_id: row.text("survey_id")?,
        touchpoint: row.text("touchpoint")?,
        channel: row.text("channel")?,
        locale: row.text("locale")?,
        response_at: row.int("response_at")?,
        analysis_version: row.text("analysis_version")?,
        text_hash: row.text("text_hash")?,
        language: row.text("language")?,
        sentiment: row.text("sentiment")?,
        score_milli: row.int("score_milli")?,
        aspects: row.text("aspects")?,
        emotion: row.text("emotion")?,
        terms: row.text("terms")?,
        analysed_at: row.int("analysed_at")?,
        node: row.text("node")?,
    })
}

#[async_trait]
impl TextStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn text_results(
        &self,
        workspace_id: WorkspaceId,
        response_ids: &[ResponseId],
    ) -> Result<Vec<TextResultRecord>, StoreError> {
        let mut out = Vec::new();
        for chunk in response_ids.chunks(crate::sql::BULK_ROWS) {
            on!(self.read(), |pool| {
                let mut q = sqlx::QueryBuilder::new(format!(
                    "SELECT {COLUMNS} FROM text_results WHERE workspace_id = "
                ));
                q.push_bind(workspace_id.get())
                    .push(" AND response_id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                q.push(") ORDER BY response_id, question_id");
                for row in q.build().fetch_all(pool).await? {
                    out.push(result_from_row(&row)?);
                }
            });
        }
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn save_text_results(
        &self,
        workspace_id: WorkspaceId,
        lease: HeldLease<'_>,
        results: &[TextResultRecord],
        stale: &[(ResponseId, String)],
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.write().begin().await?;
        let written = on!(tx.as_conn(), |c| {
            let held = sqlx::query(
                "UPDATE outbox_feeds SET lease_until = lease_until \
                 WHERE workspace_id = $1 AND feed = $2 AND leased_by = $3 AND lease_until > $4",
            )
            .bind(workspace_id.get())
            .bind(lease.feed)
            .bind(lease.node)
            .bind(lease.now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if held != 1 {
                None
            } else {
                let mut written = 0;
                for r in results {
                    written += sqlx::query(UPSERT.as_str())
                        .bind(r.response_id.as_str())
                        .bind(&r.question_id)
                        .bind(r.workspace_id.get())
                        .bind(&r.survey_id)
                        .bind(&r.touchpoint)
                        .bind(&r.channel)
                        .bind(&r.locale)
                        .bind(r.response_at)
                        .bind(&r.analysis_version)
                        .bind(&r.text_hash)
                        .bind(&r.language)
                        .bind(&r.sentiment)
                        .bind(r.score_milli)
                        .bind(&r.aspects)
                        .bind(&r.emotion)
                        .bind(&r.terms)
                        .bind(r.analysed_at)
                        .bind(&r.node)
                        .execute(&mut *c)
                        .await?
                        .rows_affected();
                }
                for (response_id, question_id) in stale {
                    sqlx::query(
                        "DELETE FROM text_results WHERE workspace_id = $1 AND response_id = $2 \
                         AND question_id = $3",
                    )
                    .bind(workspace_id.get())
                    .bind(response_id.as_str())
                    .bind(question_id)
                    .execute(&mut *c)
                    .await?;
                }
                Some(written)
            }
        });
        if written.is_some() {
            tx.commit().await?;
        }
        Ok(written)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn text_results_between(
        &self,
        workspace_id: WorkspaceId,
        analysis_version: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<TextResultRecord>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(BETWEEN.as_str())
                .bind(workspace_id.get())
                .bind(from)
                .bind(to)
                .bind(analysis_version)
                .fetch_all(pool)
                .await?
                .iter()
                .map(result_from_row)
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn text_readings(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        on!(self.read(), |pool| {
            sqlx::query(
                "SELECT response_id, sentiment, aspects FROM text_results WHERE workspace_id = $1",
            )
            .bind(workspace_id.get())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.text("response_id")?,
                    r.text("sentiment")?,
                    r.text("aspects")?,
                ))
            })
            .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn text_result_counts(
        &self,
        workspace_id: WorkspaceId,
        analysis_version: &str,
    ) -> Result<(i64, i64), StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT COALESCE(SUM(CASE WHEN analysis_version = $2 THEN 1 ELSE 0 END), 0) \
                 AS current, COALESCE(SUM(CASE WHEN analysis_version <> $2 THEN 1 ELSE 0 END), 0) \
                 AS other FROM text_results WHERE workspace_id = $1",
            )
            .bind(workspace_id.get())
            .bind(analysis_version)
            .fetch_one(pool)
            .await?;
            Ok((row.int("current")?, row.int("other")?))
        })
    }
}
