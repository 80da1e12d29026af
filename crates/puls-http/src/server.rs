//! The connection loop behind `puls serve`: it sheds clients that would otherwise hold the
//! server hostage and stops within a deadline.
//!
//! - **Header-read timeout** (`http.header_read_timeout_secs`): a client must send a whole
//!   request head within it, and an idle keep-alive connection is closed after it (hyper's
//!   timer restarts while a connection waits for its next request).
//! - **Body-read timeout** (`http.body_read_timeout_secs`): a request body that stops
//!   arriving for that long fails (the handler sees a body error and answers 4xx, or the
//!   connection is closed).
//! - **Connection limit** (`http.max_connections`, lowered to what the process's open-file
//!   limit leaves room for): at the limit, the oldest connection is asked to close (an idle
//!   one closes at once, a busy one after its response), so a crowd of idle sockets cannot
//!   keep `/healthz` or anyone else out.
//! - **Graceful shutdown** (`http.shutdown_grace_secs`): on the shutdown signal the listener
//!   is dropped (nothing new is accepted), every connection finishes its request in flight
//!   and closes, and whatever is still open at the deadline is cut. A submission is answered
//!   2xx only after the store committed it, so a cut connection loses nothing it was told
//!   was stored.
//!
//! `axum::serve` has none of these limits; this is hyper's HTTP/1.1 server with them, and the
//! same router.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The limits of the connection loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

/// Open files the process keeps for itself beside client connections: database
/// connections, the SQLite files and their journals, logs.
const RESERVED_FILES: u64 = 128;

impl Limits {
    /// `max_connections`, lowered so that connections and [`RESERVED_FILES`] fit in the
    /// process's open-file limit (`ulimit -n`); at least 16.
    pub fn fitted(mut self, open_file_limit: Option<u64>) -> Limits {
        if let Some(limit) = open_file_limit {
            let room = limit.saturating_sub(RESERVED_FILES).max(16);
            self.max_connections = self.max_connections.min(room as usize);
        }
        self
    }
}

/// The live connections, oldest first, each with the signal that asks it to close.
#[derive(Default)]
struct Live {
    next: u64,
    open: BTreeMap<u64, (Arc<Notify>, bool)>,
}

impl Live {
    fn add(&mut self) -> (u64, Arc<Notify>) {
        let id = self.next;
        self.next += 1;
        let close = Arc::new(Notify::new());
        self.open.insert(id, (close.clone(), false));
        (id, close)
    }

    /// Asks the oldest connection not yet asked to close; false when there is none.
    fn shed_oldest(&mut self) -> bool {
        match self.open.values_mut().find(|(_, asked)| !*asked) {
            Some((close, asked)) => {
                *asked = true;
                // A permit is kept if the connection is not waiting yet.
                close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then closes
/// within `limits.shutdown_grace`.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let live = Arc::new(Mutex::new(Live::default()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    tracing::debug!(?limits, "serving");
    loop {
        // Reap finished connections so the set holds only live ones.
        while connections.try_join_next().is_some() {}
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let shed = live.lock().unwrap_or_else(|e| e.into_inner()).shed_oldest();
                tracing::debug!(shed, "at the connection limit");
                tokio::select! {
                    p = permits.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of file descriptors or similar: give the system a moment
                        // rather than spinning.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (id, close) = live.lock().unwrap_or_else(|e| e.into_inner()).add();
        let service = TowerToHyperService::new(tower::service_fn({
            let router = router.clone();
            move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(remote));
                // The router never fails: its error type is `Infallible`.
                router.clone().oneshot(req)
            }
        }));
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let mut stop = stop_rx.clone();
        let live = live.clone();
        connections.spawn(async move {
            let _permit = permit;
            tokio::pin!(conn);
            let mut closing = false;
            loop {
                tokio::select! {
                    done = conn.as_mut() => {
                        if let Err(e) = done {
                            tracing::debug!(%remote, error = %e, "connection ended");
                        }
                        break;
                    }
                    _ = stop.changed(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    () = close.notified(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            live.lock()
                .unwrap_or_else(|e| e.into_inner())
                .open
                .remove(&id);
        });
    }
    drop(listener);
    let open = connections.len();
    let _ = stop_tx.send(true);
    let finished = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            still_open = connections.len(),
            "the shutdown deadline passed; closing the connections still open"
        );
        connections.shutdown().await;
    }
    tracing::info!(open_at_signal = open, "stopped serving");
    Ok(())
}

/// The soft limit on open files of this process (`ulimit -n`), from `/proc/self/limits`;
/// `None` where that file does not exist or says "unlimited".
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Errors of one incoming connection (it went away before it was accepted), not of the
/// listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_limit_leaves_room_for_the_process_own_files() {
        let limits = Limits {
            header_read_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            shutdown_grace: Duration::from_secs(10),
        };
        assert_eq!(limits.fitted(Some(1024)).max_connections, 896);
        assert_eq!(limits.fitted(Some(1_048_576)).max_connections, 10_000);
        assert_eq!(limits.fitted(Some(64)).max_connections, 16);
        assert_eq!(limits.fitted(None).max_connections, 10_000);
    }

    #[test]
    fn the_oldest_connection_not_yet_asked_is_shed_first() {
        let mut live = Live::default();
        let (a, _) = live.add();
        let (b, _) = live.add();
        assert!(live.shed_oldest());
        assert!(live.open[&a].1 && !live.open[&b].1);
        assert!(live.shed_oldest());
        assert!(!live.shed_oldest(), "everyone was asked");
    }
}
