//! Each node's customer index per workspace (`puls_journey::CustomerIndex`): contacts, the
//! ids they send events with, and behavioural events, kept current from the store's
//! customer feed the same way the fact index follows the response feed.
//!
//! On a workspace's first use the node takes the feed's head, reads everything up to it
//! (events page by page, parsed on a blocking thread while the next page is read), and
//! from then on every query first applies what was written since the last cursor. On
//! PostgreSQL the feed may give an event twice; the `seq`s read with a marker at or after
//! the current cursor are remembered until the cursor passes them, and skipped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Instant;

use puls_core::Value;
use puls_core::attribute::{AttributeKey, AttributeValue, flatten};
use puls_core::tracking::MessageType;
use puls_core::{ContactId, WorkspaceId};
use puls_journey::{ContactRow, CustomerIndex, EventRow};
use puls_store::{CustomerCursor, FeedEvent, Store, StoreError};

use crate::contact_fields::contact_of;
use crate::error::AppError;

/// Events read per page while following the feed.
const EVENT_PAGE: i64 = 20_000;
/// Contacts, links and invitations read per page.
const ROW_PAGE: i64 = 5_000;

/// Every workspace's customer index on this node.
pub struct Customers {
    store: Arc<dyn Store>,
    workspaces: Mutex<HashMap<WorkspaceId, Arc<WorkspaceCustomers>>>,
}

/// One workspace's customer index and where in the feed it stands.
pub struct WorkspaceCustomers {
    sync: tokio::sync::Mutex<SyncState>,
    index: RwLock<CustomerIndex>,
}

impl std::fmt::Debug for WorkspaceCustomers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WorkspaceCustomers(..)")
    }
}

#[derive(Default)]
struct SyncState {
    cursor: Option<CustomerCursor>,
    /// Event seqs read whose marker is at or after the cursor (they may come again), with
    /// their marker.
    recent: HashMap<i64, i64>,
    /// Stored rows that could not be read (logged when found).
    skipped: u64,
    /// The workspace's erasure count the index was built at.
    erasures: i64,
}

impl WorkspaceCustomers {
    /// Read access for a query. Hold it only on a blocking thread.
    pub fn read(&self) -> RwLockReadGuard<'_, CustomerIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// An event as the index takes it, parsed off the async runtime.
struct ParsedEvent {
    kind: MessageType,
    name: String,
    user_id: Option<String>,
    anonymous_id: Option<String>,
    timestamp_ms: i64,
    properties: Vec<(AttributeKey, AttributeValue)>,
}

impl Customers {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Customers {
            store,
            workspaces: Mutex::new(HashMap::new()),
        }
    }

    /// The workspace's index with everything committed before this call applied.
    pub async fn fresh(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Arc<WorkspaceCustomers>, AppError> {
        let ws = {
            let mut map = self.workspaces.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(workspace_id)
                .or_insert_with(|| {
                    Arc::new(WorkspaceCustomers {
                        sync: tokio::sync::Mutex::new(SyncState::default()),
                        index: RwLock::new(CustomerIndex::new()),
                    })
                })
                .clone()
        };
        let mut sync = ws.sync.lock().await;
        // Someone was erased since the index was built: their events are gone from the
        // store, so they go from memory too (the index is built again; erasures are rare).
        let erasures = self.store.erasure_count(workspace_id).await?;
        if sync.cursor.is_some() && sync.erasures != erasures {
            *sync = SyncState::default();
            *ws.index.write().unwrap_or_else(|e| e.into_inner()) = CustomerIndex::new();
        }
        sync.erasures = erasures;
        let started = Instant::now();
        let first = sync.cursor.is_none();
        let head = self.store.customer_head(workspace_id).await?;
        let since = sync.cursor.unwrap_or_default();
        let mut changed = self
            .apply_rows(workspace_id, &ws, &since, &head, &mut sync)
            .await?;
        changed += self
            .apply_events(workspace_id, &ws, &since, &head, &mut sync)
            .await?;
        if changed > 0 {
            let ws2 = ws.clone();
            tokio::task::spawn_blocking(move || {
                ws2.index
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .prepare();
            })
            .await
            .map_err(|e| anyhow::anyhow!("customer index thread: {e}"))?;
        }
        sync.recent.retain(|_, marker| *marker >= head.events);
        sync.cursor = Some(head);
        if first {
            let index = ws.read();
            tracing::info!(
                workspace = workspace_id.get(),
                contacts = index.contact_count(),
                events = index.event_count(),
                skipped = sync.skipped,
                seconds = started.elapsed().as_secs_f64(),
                "customer index built"
            );
        }
        drop(sync);
        Ok(ws)
    }

    /// Contacts, identity links and invitations written between the cursors.
    async fn apply_rows(
        &self,
        workspace_id: WorkspaceId,
        ws: &WorkspaceCustomers,
        since: &CustomerCursor,
        head: &CustomerCursor,
        sync: &mut SyncState,
    ) -> Result<usize, AppError> {
        let store = &self.store;
        let mut changed = pages(
            |after: String| async move {
                let after = ContactId::parse(&after).ok();
                store
                    .feed_contacts(workspace_id, since, head, after.as_ref(), ROW_PAGE)
                    .await
            },
            |c| c.id.to_string(),
            |page| {
                let mut index = ws.index.write().unwrap_or_else(|e| e.into_inner());
                for r in page {
                    match contact_of(&r.fields) {
                        Ok(c) => index.apply_contact(ContactRow {
                            id: r.id.as_str(),
                            contact: &c,
                            merged_into: r.merged_into.as_ref().map(ContactId::as_str),
                            deleted: r.deleted_at.is_some(),
                            created_at_ms: r.created_at,
                        }),
                        Err(e) => {
                            sync.skipped += 1;
                            tracing::warn!(contact = %r.id, "contact left out of the index: {e}");
                        }
                    }
                }
            },
        )
        .await?;
        changed += pages(
            |after: String| async move {
                store
                    .feed_links(workspace_id, since, head, &after, ROW_PAGE)
                    .await
            },
            |(anon, _)| anon.clone(),
            |page| {
                let mut index = ws.index.write().unwrap_or_else(|e| e.into_inner());
                for (anon, user) in page {
                    index.apply_link(anon, user);
                }
            },
        )
        .await?;
        changed += pages(
            |after: String| async move {
                store
                    .feed_invitations(workspace_id, since, head, &after, ROW_PAGE)
                    .await
            },
            |inv| inv.token.clone(),
            |page| {
                let mut index = ws.index.write().unwrap_or_else(|e| e.into_inner());
                for inv in page {
                    index.apply_invitation(&inv.token, inv.contact_id.as_str());
                }
            },
        )
        .await?;
        Ok(changed)
    }

    /// Events written between the cursors: read page by page while the previous page is
    /// parsed and added on a blocking thread.
    async fn apply_events(
        &self,
        workspace_id: WorkspaceId,
        ws: &Arc<WorkspaceCustomers>,
        since: &CustomerCursor,
        head: &CustomerCursor,
        sync: &mut SyncState,
    ) -> Result<usize, AppError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<FeedEvent>>(2);
        let store = self.store.clone();
        let (since, head) = (*since, *head);
        let reader = tokio::spawn(async move {
            let mut after = 0i64;
            loop {
                let page = store
                    .feed_events(workspace_id, &since, &head, after, EVENT_PAGE)
                    .await?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                let full = page.len() as i64 == EVENT_PAGE;
                if tx.send(page).await.is_err() || !full {
                    break;
                }
            }
            Ok::<(), StoreError>(())
        });
        let mut added = 0usize;
        while let Some(page) = rx.recv().await {
            let recent = std::mem::take(&mut sync.recent);
            let ws = ws.clone();
            let cursor = head.events;
            let (recent, kept, bad) = tokio::task::spawn_blocking(move || {
                let mut recent = recent;
                let mut bad = 0u64;
                let mut parsed: Vec<ParsedEvent> = Vec::with_capacity(page.len());
                for e in page {
                    let (seq, marker) = (e.seq, e.marker);
                    if recent.contains_key(&seq) {
                        continue;
                    }
                    if marker >= cursor {
                        recent.insert(seq, marker);
                    }
                    match parse_event(e) {
                        Ok(p) => parsed.extend(p),
                        Err(err) => {
                            bad += 1;
                            tracing::warn!(seq, "event left out of the index: {err}");
                        }
                    }
                }
                let mut index = ws.index.write().unwrap_or_else(|e| e.into_inner());
                for e in &parsed {
                    index.push_event(EventRow {
                        kind: e.kind,
                        name: &e.name,
                        user_id: e.user_id.as_deref(),
                        anonymous_id: e.anonymous_id.as_deref(),
                        timestamp_ms: e.timestamp_ms,
                        properties: &e.properties,
                    });
                }
                (recent, parsed.len(), bad)
            })
            .await
            .map_err(|e| anyhow::anyhow!("customer index thread: {e}"))?;
            sync.recent = recent;
            sync.skipped += bad;
            added += kept;
        }
        reader
            .await
            .map_err(|e| anyhow::anyhow!("event reader task: {e}"))??;
        Ok(added)
    }
}

/// Reads keyset pages of [`ROW_PAGE`] rows (`fetch` takes the key to start after) and
/// hands each to `apply`; returns how many rows there were.
async fn pages<T, Fut>(
    fetch: impl Fn(String) -> Fut,
    key: impl Fn(&T) -> String,
    mut apply: impl FnMut(&[T]),
) -> Result<usize, AppError>
where
    Fut: std::future::Future<Output = Result<Vec<T>, StoreError>>,
{
    let mut after = String::new();
    let mut total = 0;
    loop {
        let page = fetch(after.clone()).await?;
        let Some(last) = page.last() else { break };
        after = key(last);
        total += page.len();
        apply(&page);
        if (page.len() as i64) < ROW_PAGE {
            break;
        }
    }
    Ok(total)
}

/// The index's view of a stored event; `None` for messages that are no behaviour.
fn parse_event(e: FeedEvent) -> Result<Option<ParsedEvent>, String> {
    let Some(kind) = MessageType::parse(&e.kind) else {
        return Err(format!("unknown type '{}'", e.kind));
    };
    if !kind.is_behaviour() {
        return Ok(None);
    }
    let mut properties = Vec::new();
    if !e.properties.is_empty() {
        flatten(&Value::Map(e.properties), 3, &mut properties);
    }
    Ok(Some(ParsedEvent {
        kind,
        name: e.name,
        user_id: e.user_id,
        anonymous_id: e.anonymous_id,
        timestamp_ms: e.timestamp,
        properties,
    }))
}
