//! Reading many responses or events: one page of a list (with the open-answer search), and
//! everything that matches as a stream of pages for exports. Pages are read with keyset
//! pagination (no long-lived read transaction) as the consumer takes them, so memory stays
//! constant at any size; how a page is written out (CSV, NDJSON) is the edges' business.

use futures::Stream;
use puls_core::WorkspaceId;
use puls_store::{EventFilter, EventRecord, ResponseFilter, ResponseRecord};

use crate::App;
use crate::error::AppError;
use crate::search::{self, Found, ResponseMatch, Surveys};
use crate::text_queue::TextByResponse;

/// A page of an export: responses, and what text analysis read in their open answers.
#[derive(Debug, Default)]
pub struct ResponseRows {
    pub rows: Vec<ResponseRecord>,
    pub text: TextByResponse,
}

/// Responses read per database round trip of an export.
const RESPONSE_PAGE: i64 = 500;
/// Events read per database round trip of an export.
const EVENT_PAGE: i64 = 2_000;

impl App {
    /// Up to `limit` responses passing `filter` (and `search`), newest first.
    #[tracing::instrument(skip(self, m))]
    pub async fn find_responses(
        &self,
        workspace_id: WorkspaceId,
        filter: ResponseFilter,
        m: &ResponseMatch,
        limit: usize,
    ) -> Result<Found, AppError> {
        search::find(self, workspace_id, filter, m, limit).await
    }

    /// How many responses pass `filter` and `m` (see [`search::count`]).
    pub async fn count_responses(
        &self,
        workspace_id: WorkspaceId,
        filter: ResponseFilter,
        m: &ResponseMatch,
    ) -> Result<search::Count, AppError> {
        search::count(self, workspace_id, filter, m).await
    }

    /// Every response passing `filter` and `search`, newest first, page by page. Pages whose
    /// rows all fail the search are skipped; an error ends the stream.
    pub fn response_pages(
        &self,
        workspace_id: WorkspaceId,
        filter: ResponseFilter,
        m: ResponseMatch,
    ) -> impl Stream<Item = Result<ResponseRows, AppError>> + Send + 'static {
        struct Cursor {
            app: App,
            filter: ResponseFilter,
            m: ResponseMatch,
            surveys: Surveys,
            done: bool,
        }
        let start = Cursor {
            app: self.clone(),
            filter,
            m,
            surveys: Surveys::default(),
            done: false,
        };
        futures::stream::unfold(start, move |mut c| async move {
            while !c.done {
                let rows = match c
                    .app
                    .store()
                    .list_responses(workspace_id, &c.filter, RESPONSE_PAGE)
                    .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        c.done = true;
                        return Some((Err(e.into()), c));
                    }
                };
                c.done = (rows.len() as i64) < RESPONSE_PAGE;
                c.filter.before_id = rows.last().map(|r| r.id.clone());
                let rows = if c.m.is_empty() {
                    rows
                } else {
                    match c.m.filter(&c.app, rows, &mut c.surveys).await {
                        Ok(rows) => rows,
                        Err(e) => {
                            c.done = true;
                            return Some((Err(e), c));
                        }
                    }
                };
                if !rows.is_empty() {
                    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
                    return match c.app.answer_analyses(workspace_id, &ids).await {
                        Ok(text) => Some((Ok(ResponseRows { rows, text }), c)),
                        Err(e) => {
                            c.done = true;
                            Some((Err(e), c))
                        }
                    };
                }
            }
            None
        })
    }

    /// Events newest first, at most `limit`.
    #[tracing::instrument(skip(self))]
    pub async fn events(
        &self,
        workspace_id: WorkspaceId,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<EventRecord>, AppError> {
        Ok(self
            .0
            .store
            .list_events(workspace_id, filter, limit)
            .await?)
    }

    /// Every event passing `filter`, newest first, page by page; an error ends the stream.
    pub fn event_pages(
        &self,
        workspace_id: WorkspaceId,
        filter: EventFilter,
    ) -> impl Stream<Item = Result<Vec<EventRecord>, AppError>> + Send + 'static {
        struct Cursor {
            app: App,
            filter: EventFilter,
            done: bool,
        }
        let start = Cursor {
            app: self.clone(),
            filter,
            done: false,
        };
        futures::stream::unfold(start, move |mut c| async move {
            if c.done {
                return None;
            }
            match c.app.events(workspace_id, &c.filter, EVENT_PAGE).await {
                Ok(rows) => {
                    c.done = (rows.len() as i64) < EVENT_PAGE;
                    c.filter.before_seq = rows.last().map(|e| e.seq);
                    if rows.is_empty() {
                        return None;
                    }
                    Some((Ok(rows), c))
                }
                Err(e) => {
                    c.done = true;
                    Some((Err(e), c))
                }
            }
        })
    }
}
