//! What `--verify-db` counts: the stored rows a run should have added. The only module that
//! uses `puls-store`, kept small so a change of the store's record types touches this file only.

use std::sync::Arc;

use puls_store::{ConnectOptions, EventFilter, ResponseFilter, Store, SurveyId, redact_url};

/// Opens the database at `url` with a small pool; the error names it with the password hidden.
async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    puls_store::connect(url, &ConnectOptions { max_connections: 2 })
        .await
        .map_err(|e| anyhow::anyhow!("opening {}: {e:#}", redact_url(url)))
}

/// Counts the survey's stored responses by paging through them.
pub async fn count_responses(url: &str, survey: &str) -> anyhow::Result<u64> {
    let store = open(url).await?;
    let id = SurveyId::parse(survey).map_err(|e| anyhow::anyhow!("--survey: {e}"))?;
    let record = store
        .get_survey_public(&id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the --verify-db database has no survey {survey}"))?;
    const PAGE: i64 = 1000;
    let mut filter = ResponseFilter {
        survey_id: Some(survey.to_string()),
        ..Default::default()
    };
    let mut n = 0u64;
    loop {
        let rows = store
            .list_responses(record.workspace_id, &filter, PAGE)
            .await?;
        n += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => filter.before_id = Some(last.id.clone()),
            _ => return Ok(n),
        }
    }
}

/// Counts a workspace's stored events (the workspace of `write_key`) by paging through them.
pub async fn count_events(url: &str, write_key: &str) -> anyhow::Result<u64> {
    let store = open(url).await?;
    let ws = store
        .workspace_by_write_key(write_key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the --verify-db database has no such write key"))?;
    const PAGE: i64 = 10_000;
    let mut filter = EventFilter::default();
    let mut n = 0u64;
    loop {
        let rows = store.list_events(ws.id, &filter, PAGE).await?;
        n += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => filter.before_seq = Some(last.seq),
            _ => return Ok(n),
        }
    }
}
