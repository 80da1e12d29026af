//! Analytics: each node's in-memory fact index per workspace, kept current from the store's
//! change feed, and the metric, driver and Kano reports computed on it.
//!
//! A workspace's [`puls_index::FactIndex`] is built on first use by paging through its
//! responses, starting from a change-feed cursor taken *before* the first page; every report
//! then first applies the changes committed since the cursor (one indexed query when nothing
//! changed). So a response whose 2xx was sent before a report was asked for is counted, on
//! every node of a PostgreSQL cluster, without any node-to-node messaging. A deleted survey's
//! facts are replaced by what the database holds under its id now.
//!
//! Refreshes of one workspace are serialised by an async mutex; queries read the index under
//! a read lock on a blocking thread, so a long scan never stalls the async runtime.

pub mod customers;
pub mod drivers;
pub mod journeys;
pub mod kano;
pub mod metrics;
pub mod params;
pub mod segments;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Instant;

use puls_core::{Channel, Completion, Locale, ResponseMeta, Survey, Touchpoint, Value};
use puls_core::{ResponseId, SurveyId, WorkspaceId};
use puls_index::{Fact, FactHead, FactIndex};
use puls_store::{ChangeCursor, ChangeKind, ResponseFilter, ResponseRecord, Store, StoreError};

use crate::error::AppError;

pub use crate::config::AnalyticsConfig;
pub use params::Options;

/// Responses read per page while building an index.
const LOAD_PAGE: i64 = 5_000;
/// Responses re-read per round trip while applying changes.
const REFRESH_CHUNK: usize = 500;

/// Every workspace index of this process. Cheap to share; one per server.
pub struct Analytics {
    store: Arc<dyn Store>,
    pub config: AnalyticsConfig,
    workspaces: Mutex<HashMap<WorkspaceId, Arc<WorkspaceIndex>>>,
    /// Parsed survey versions by (survey id, version); cleared for a survey when it is deleted.
    definitions: RwLock<HashMap<(SurveyId, i64), Arc<Survey>>>,
    /// This node's customer indexes (contacts, events), for journeys and segments.
    pub customers: customers::Customers,
}

/// One workspace's facts and where in the change feed they stand.
pub struct WorkspaceIndex {
    sync: tokio::sync::Mutex<SyncState>,
    index: RwLock<FactIndex>,
}

#[derive(Default)]
struct SyncState {
    /// `None` until the first load.
    cursor: Option<ChangeCursor>,
    /// Responses that could not be turned into facts (logged when found).
    skipped: u64,
}

impl WorkspaceIndex {
    /// Read access for a query. Hold it only on a blocking thread.
    pub fn read(&self) -> RwLockReadGuard<'_, FactIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Analytics {
    pub fn new(store: Arc<dyn Store>, config: AnalyticsConfig) -> Self {
        Analytics {
            customers: customers::Customers::new(store.clone()),
            store,
            config,
            workspaces: Mutex::new(HashMap::new()),
            definitions: RwLock::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Builds every workspace's fact and customer indexes now (what the first report of
    /// each would otherwise wait for). A report asked meanwhile waits for its workspace's
    /// build rather than starting another.
    pub async fn warm_up(&self) {
        let workspaces = match self.store.list_workspaces().await {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, "warming up the indexes: cannot list workspaces");
                return;
            }
        };
        for ws in workspaces {
            if let Err(e) = self.fresh(ws.id).await {
                tracing::warn!(workspace = %ws.slug, error = %e, "warming up the fact index");
            }
            if let Err(e) = self.customers.fresh(ws.id).await {
                tracing::warn!(workspace = %ws.slug, error = %e, "warming up the customer index");
            }
        }
    }

    /// The workspace's index with every change committed before this call applied.
    pub async fn fresh(&self, workspace_id: WorkspaceId) -> Result<Arc<WorkspaceIndex>, AppError> {
        let ws = {
            let mut map = self.workspaces.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(workspace_id)
                .or_insert_with(|| {
                    Arc::new(WorkspaceIndex {
                        sync: tokio::sync::Mutex::new(SyncState::default()),
                        index: RwLock::new(FactIndex::new()),
                    })
                })
                .clone()
        };
        let mut sync = ws.sync.lock().await;
        match sync.cursor {
            None => self.load(workspace_id, &ws, &mut sync).await?,
            Some(cursor) => self.refresh(workspace_id, &ws, &mut sync, cursor).await?,
        }
        drop(sync);
        Ok(ws)
    }

    /// Builds the index from scratch, then applies what changed while it was read.
    async fn load(
        &self,
        workspace_id: WorkspaceId,
        ws: &WorkspaceIndex,
        sync: &mut SyncState,
    ) -> Result<(), AppError> {
        let started = Instant::now();
        let head = self.store.change_head().await?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<ResponseRecord>>(2);
        let store = self.store.clone();
        // Reading the next page overlaps with turning the previous one into facts.
        let reader = tokio::spawn(async move {
            let mut filter = ResponseFilter::default();
            loop {
                let page = store
                    .list_responses(workspace_id, &filter, LOAD_PAGE)
                    .await?;
                let more = advance(&mut filter, &page);
                if (!page.is_empty() && tx.send(page).await.is_err()) || !more {
                    break;
                }
            }
            Ok::<(), StoreError>(())
        });
        let mut index = FactIndex::new();
        let mut skipped = 0u64;
        let mut loaded = 0u64;
        while let Some(page) = rx.recv().await {
            let surveys = self.definitions_for(&page).await?;
            loaded += page.len() as u64;
            let (back, bad) = tokio::task::spawn_blocking(move || {
                let mut bad = 0u64;
                for r in &page {
                    if !upsert_record(&mut index, r, &surveys) {
                        bad += 1;
                    }
                }
                (index, bad)
            })
            .await
            .map_err(|e| anyhow::anyhow!("index build thread: {e}"))?;
            index = back;
            skipped += bad;
        }
        reader
            .await
            .map_err(|e| anyhow::anyhow!("index reader task: {e}"))??;
        *ws.index.write().unwrap_or_else(|e| e.into_inner()) = index;
        sync.cursor = Some(head);
        sync.skipped = skipped;
        tracing::info!(
            workspace = workspace_id.get(),
            responses = loaded,
            skipped,
            seconds = started.elapsed().as_secs_f64(),
            "analytics index built"
        );
        self.refresh(workspace_id, ws, sync, head).await
    }

    /// Applies the changes committed since `cursor`.
    async fn refresh(
        &self,
        workspace_id: WorkspaceId,
        ws: &WorkspaceIndex,
        sync: &mut SyncState,
        cursor: ChangeCursor,
    ) -> Result<(), AppError> {
        let changes = self.store.changes_since(workspace_id, cursor).await?;
        if changes.changes.is_empty() {
            sync.cursor = Some(changes.cursor);
            return Ok(());
        }
        let deleted: HashSet<&str> = changes
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::SurveyDeleted)
            .map(|c| c.survey_id.as_str())
            .collect();
        // A deleted survey (perhaps created again under its id since): its facts are
        // replaced by what the database holds for it now. Like reloading a response, this
        // is right however often the feed repeats the change.
        if !deleted.is_empty()
            && let Ok(mut defs) = self.definitions.write()
        {
            defs.retain(|(id, _), _| !deleted.contains(id.as_str()));
        }
        for survey in &deleted {
            ws.index
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove_survey(survey);
            let mut filter = ResponseFilter {
                survey_id: Some(survey.to_string()),
                ..ResponseFilter::default()
            };
            loop {
                let page = self
                    .store
                    .list_responses(workspace_id, &filter, LOAD_PAGE)
                    .await?;
                let surveys = self.definitions_for(&page).await?;
                let mut index = ws.index.write().unwrap_or_else(|e| e.into_inner());
                for r in &page {
                    if !upsert_record(&mut index, r, &surveys) {
                        sync.skipped += 1;
                    }
                }
                drop(index);
                if !advance(&mut filter, &page) {
                    break;
                }
            }
        }
        let mut seen = HashSet::new();
        let ids: Vec<ResponseId> = changes
            .changes
            .into_iter()
            .filter_map(|c| match c.kind {
                ChangeKind::Response(id) => seen.insert(id.clone()).then_some(id),
                ChangeKind::SurveyDeleted => None,
            })
            .collect();
        for chunk in ids.chunks(REFRESH_CHUNK) {
            let records = self.store.responses_by_ids(workspace_id, chunk).await?;
            let surveys = self.definitions_for(&records).await?;
            let found: HashSet<&ResponseId> = records.iter().map(|r| &r.id).collect();
            let mut index = ws.index.write().unwrap_or_else(|e| e.into_inner());
            for id in chunk.iter().filter(|id| !found.contains(id)) {
                index.remove(id.as_str());
            }
            for r in &records {
                if !upsert_record(&mut index, r, &surveys) {
                    sync.skipped += 1;
                }
            }
        }
        sync.cursor = Some(changes.cursor);
        Ok(())
    }

    /// The parsed definitions of every survey version `records` were given on.
    async fn definitions_for(
        &self,
        records: &[ResponseRecord],
    ) -> Result<HashMap<(SurveyId, i64), Arc<Survey>>, AppError> {
        let mut out = HashMap::new();
        for r in records {
            let key = (r.survey_id.clone(), r.survey_version);
            if out.contains_key(&key) {
                continue;
            }
            if let Some(s) = self.definition(&r.survey_id, r.survey_version).await? {
                out.insert(key, s);
            }
        }
        Ok(out)
    }

    /// One parsed survey version, from the cache or the store; `None` when it is gone.
    pub async fn definition(
        &self,
        id: &SurveyId,
        version: i64,
    ) -> Result<Option<Arc<Survey>>, AppError> {
        let key = (id.clone(), version);
        if let Some(s) = self
            .definitions
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(Some(s));
        }
        let Some(definition) = self.store.survey_definition(id, version).await? else {
            return Ok(None);
        };
        let survey = Arc::new(parse_definition(id, version, &definition)?);
        if let Ok(mut m) = self.definitions.write() {
            m.insert(key, survey.clone());
        }
        Ok(Some(survey))
    }

    /// The current definition of every survey of the workspace, by survey id. Reads only
    /// the version numbers when every definition is cached (each analytics request asks).
    pub async fn current_surveys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<BTreeMap<String, Arc<Survey>>, AppError> {
        let mut out = BTreeMap::new();
        for (id, version) in self.store.current_survey_versions(workspace_id).await? {
            // A survey deleted between the two reads is left out, as if read a moment later.
            if let Some(survey) = self.definition(&id, version).await? {
                out.insert(id.to_string(), survey);
            }
        }
        Ok(out)
    }
}

/// Moves `filter` past a page of [`LOAD_PAGE`] responses; false after the last page.
fn advance(filter: &mut ResponseFilter, page: &[ResponseRecord]) -> bool {
    match page.last() {
        Some(last) if page.len() as i64 == LOAD_PAGE => {
            filter.before_id = Some(last.id.clone());
            true
        }
        _ => false,
    }
}

fn parse_definition(id: &SurveyId, version: i64, definition: &Value) -> Result<Survey, AppError> {
    Ok(Survey::parse(definition)
        .map_err(|e| anyhow::anyhow!("stored definition of survey {id} v{version}: {e}"))?)
}

/// Adds (or replaces) one stored response's fact; `false` when it cannot be read, which is
/// logged: the stored row is kept and exported as it is, only the metrics leave it out.
fn upsert_record(
    index: &mut FactIndex,
    r: &ResponseRecord,
    surveys: &HashMap<(SurveyId, i64), Arc<Survey>>,
) -> bool {
    let result = surveys
        .get(&(r.survey_id.clone(), r.survey_version))
        .ok_or_else(|| "its survey version is gone".to_string())
        .and_then(|s| fact_of(r, s))
        .and_then(|f| index.upsert(f).map_err(|e| e.to_string()));
    match result {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(response = %r.id, survey = %r.survey_id, "left out of metrics: {e}");
            false
        }
    }
}

/// The fact of a stored response, its answers read back against its survey version.
fn fact_of(r: &ResponseRecord, survey: &Survey) -> Result<Fact, String> {
    let answers = survey
        .validate_answers(&r.answers, Completion::Partial, "answers")
        .map_err(|e| e.to_string())?;
    let attributes = r.attributes.clone();
    let meta = ResponseMeta {
        channel: Channel::parse(&r.channel).map_err(|e| format!("channel: {e}"))?,
        touchpoint: Touchpoint::parse(&r.touchpoint).map_err(|e| format!("touchpoint: {e}"))?,
        locale: Locale::parse(&r.locale).map_err(|e| format!("locale: {e}"))?,
        contact_external_id: r.contact_external_id.clone(),
        contact_email: r.contact_email.clone(),
        invitation_token: r.invitation_token.clone(),
        attributes,
    };
    let head = FactHead {
        id: r.id.as_str().to_owned(),
        survey: r.survey_id.as_str().to_owned(),
        survey_version: r.survey_version,
        created_at_ms: r.created_at,
        completed: r.completed,
    };
    Ok(Fact::from_answers(head, &meta, survey, &answers))
}
