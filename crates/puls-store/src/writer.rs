//! Group commit for responses: concurrent submissions share one transaction and one flush.
//!
//! Handlers hand a [`WriteOp`] to the writer and wait. A writer task takes everything queued
//! (up to [`MAX_BATCH`]), applies it in one transaction, commits, and only then answers each
//! waiting handler. So every 2xx follows a commit, and under load one disk flush serves many
//! responses. If a batch fails, its operations are retried one by one, so one bad write
//! cannot fail its neighbours.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::model::{WriteOp, WriteOutcome};
use crate::{Store, StoreError};

/// The most operations one transaction takes.
pub const MAX_BATCH: usize = 512;

struct Job {
    op: WriteOp,
    reply: oneshot::Sender<Result<WriteOutcome, StoreError>>,
}

/// A handle to the writer tasks; cheap to clone.
#[derive(Clone)]
pub struct ResponseWriter {
    tx: mpsc::Sender<Job>,
    last: Arc<LastBatch>,
}

/// The size of the latest batch a writer task took, and when (Unix ms).
#[derive(Default)]
struct LastBatch {
    size: AtomicUsize,
    at: AtomicI64,
}

impl ResponseWriter {
    /// Starts the backend's number of writer tasks on the current Tokio runtime.
    pub fn spawn(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(MAX_BATCH * 8);
        let rx = Arc::new(Mutex::new(rx));
        let last = Arc::new(LastBatch::default());
        for _ in 0..store.writer_tasks() {
            tokio::spawn(run(store.clone(), rx.clone(), last.clone()));
        }
        ResponseWriter { tx, last }
    }

    /// How many writes are waiting: those queued now, or the latest batch's size if it
    /// was taken within the last `window_ms` of `now` (a saturated writer takes batches
    /// back to back, so its queue may look empty right after one).
    pub fn pressure(&self, now: i64, window_ms: i64) -> usize {
        let queued = self.tx.max_capacity() - self.tx.capacity();
        let recent = if now - self.last.at.load(Ordering::Relaxed) <= window_ms {
            self.last.size.load(Ordering::Relaxed)
        } else {
            0
        };
        queued.max(recent)
    }

    /// Applies one write; returns once it is committed (or failed).
    pub async fn write(&self, op: WriteOp) -> Result<WriteOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { op, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(store: Arc<dyn Store>, rx: Arc<Mutex<mpsc::Receiver<Job>>>, last: Arc<LastBatch>) {
    let mut ops = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            ops.push(first.op);
            replies.push(first.reply);
            while ops.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => {
                        ops.push(job.op);
                        replies.push(job.reply);
                    }
                    Err(_) => break,
                }
            }
        }
        last.size.store(ops.len(), Ordering::Relaxed);
        last.at.store(crate::now_ms(), Ordering::Relaxed);
        match store.write_batch(&ops).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.drain(..).zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) if ops.len() == 1 => {
                if let Some(reply) = replies.pop() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, size = ops.len(), "batch failed; retrying one by one");
                for (op, reply) in ops.iter().zip(replies.drain(..)) {
                    let result =
                        store
                            .write_batch(std::slice::from_ref(op))
                            .await
                            .and_then(|mut o| {
                                o.pop()
                                    .ok_or_else(|| anyhow::anyhow!("no outcome for a write").into())
                            });
                    let _ = reply.send(result);
                }
            }
        }
        ops.clear();
        replies.clear();
    }
}
