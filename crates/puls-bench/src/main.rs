//! `puls-bench`: load benchmarks against a running Puls server on this machine.
//!
//! * `ingest` submits responses through the public API at rising concurrency and reports
//!   accepted responses per second, latency percentiles and errors; with `--verify-db` it
//!   then checks that every 2xx is a stored row.
//! * `page` fetches a hosted survey page and reports the server's own time (its
//!   `Server-Timing: app;dur=` header) and the page size.
//! * `events` sends tracking batches to `/v1/batch` at rising concurrency, like `ingest`.
//!
//! Every client is a Tokio task with its own keep-alive HTTP/1.1 connection. Runs are bounded
//! in time and count, and only loopback addresses are accepted: this is a tool for measuring
//! your own server, not a load generator for someone else's. No subcommand reads a Puls
//! configuration or opens a database, except `--verify-db`, which opens the one it is given
//! (read-only in effect, through `verify.rs`, the only module that uses `puls-store`).
//!
//! A development tool, not part of the shipping `puls` binary: it talks to the server over
//! HTTP only, so an older build of `puls serve` can be measured with the same load.
//! `bench/ingest.sh` and `bench/events.sh` drive it against SQLite and PostgreSQL;
//! `bench/README.md` explains how to read the figures.

mod verify;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Most clients one level may use.
const MAX_CONCURRENCY: usize = 1024;
/// Longest measured time of one level, in seconds.
const MAX_SECONDS: f64 = 600.0;
/// Most requests of one page run.
const MAX_REQUESTS: u64 = 1_000_000;

/// Load benchmarks against a Puls server running on this machine (loopback only).
#[derive(Debug, clap::Parser)]
#[command(name = "puls-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Submit responses at each concurrency level; print accepted/s, latency and errors.
    Ingest(IngestArgs),
    /// Fetch a hosted survey page repeatedly; print server time (Server-Timing) and size.
    Page(PageArgs),
    /// Send tracking batches (`/v1/batch`) at each concurrency level; print events/s,
    /// latency and errors, and with --verify-db check every 2xx's events were stored.
    Events(EventsArgs),
}

#[derive(Debug, clap::Args)]
struct IngestArgs {
    /// Base URL of the server (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Survey id to submit to; it must be published.
    #[arg(long, default_value = "checkout-nps")]
    survey: String,
    /// Concurrency levels (clients), comma-separated; each client has its own connection.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32,64,128,256")]
    concurrency: Vec<usize>,
    /// Measured seconds per level.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Unmeasured warm-up seconds before each level.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Request body with placeholders, or @FILE to read it from a file. Placeholders:
    /// {{nps}} (0-10), {{comment}} (a short text, JSON-escaped, without quotes),
    /// {{comment_key}} (`liked` when the NPS is 9 or 10, else `improve`), {{seq}} (a
    /// counter). Default: the demo `checkout-nps` survey's NPS plus, mostly, a comment.
    #[arg(long)]
    body_template: Option<String>,
    /// Seconds before one request counts as a transport error.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// After the run, count the survey's stored responses in this database
    /// (sqlite://... or postgres://...) and check that it grew by the number of 2xx.
    #[arg(long)]
    verify_db: Option<String>,
    /// A label for the rows written with --tsv, e.g. the backend.
    #[arg(long, default_value = "-")]
    label: String,
    /// Append one tab-separated row per level to this file (a header when it is new).
    #[arg(long)]
    tsv: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct PageArgs {
    /// Base URL of the server (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Survey id; GET /s/{id} is fetched.
    #[arg(long)]
    survey: String,
    /// Query string to add, e.g. `lang=en` or `q=comment`.
    #[arg(long)]
    query: Option<String>,
    /// Measured requests.
    #[arg(long, default_value_t = 2000)]
    requests: u64,
    /// Clients, each with its own connection.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Unmeasured requests first (fills the server's caches).
    #[arg(long, default_value_t = 50)]
    warmup: u64,
    /// Seconds before one request counts as a transport error.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// A label for the row written with --tsv, e.g. the backend.
    #[arg(long, default_value = "-")]
    label: String,
    /// Append one tab-separated row to this file (a header when it is new).
    #[arg(long)]
    tsv: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let cli = <Cli as clap::Parser>::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_cmd(cli.command))
}

async fn run_cmd(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Ingest(a) => ingest(a).await,
        Cmd::Page(a) => page(a).await,
        Cmd::Events(a) => events(a).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Target and connections.

/// Where requests go: a loopback address and the Host header.
#[derive(Debug, Clone)]
struct Target {
    addr: SocketAddr,
    host: String,
    /// The base URL's path without a trailing slash (usually empty).
    base: String,
}

impl Target {
    async fn resolve(url: &str) -> anyhow::Result<Target> {
        let uri: hyper::Uri = url.parse().with_context(|| format!("--url {url}"))?;
        anyhow::ensure!(
            uri.scheme_str() == Some("http"),
            "--url must start with http:// (the benchmark speaks plain HTTP/1.1)"
        );
        let host = uri
            .host()
            .ok_or_else(|| anyhow::anyhow!("--url {url} has no host"))?;
        let port = uri.port_u16().unwrap_or(80);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .with_context(|| format!("resolving {host}"))?
            .collect();
        anyhow::ensure!(!addrs.is_empty(), "{host} resolves to no address");
        anyhow::ensure!(
            addrs.iter().all(|a| a.ip().is_loopback()),
            "{host} is not a loopback address: puls-bench only measures a server on this machine"
        );
        Ok(Target {
            addr: addrs[0],
            host: uri
                .authority()
                .map_or_else(|| host.to_string(), |a| a.to_string()),
            base: uri.path().trim_end_matches('/').to_string(),
        })
    }

    async fn connect(&self) -> anyhow::Result<SendRequest<Full<Bytes>>> {
        let stream = tokio::net::TcpStream::connect(self.addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(sender)
    }
}

/// What one request gave.
enum Outcome {
    Done {
        status: StatusCode,
        headers: hyper::HeaderMap,
        body: Bytes,
    },
    /// Connection, protocol or timeout failure, with a short description.
    Failed(String),
}

/// Sends one request over `conn`, connecting first when there is no usable connection.
/// After a failure the connection is dropped, so the next call reconnects.
async fn send(
    target: &Target,
    conn: &mut Option<SendRequest<Full<Bytes>>>,
    req: Request<Full<Bytes>>,
    timeout: Duration,
) -> Outcome {
    let attempt = async {
        if conn.as_ref().is_none_or(|c| c.is_closed()) {
            *conn = Some(
                target
                    .connect()
                    .await
                    .map_err(|e| format!("connect: {e}"))?,
            );
        }
        let Some(c) = conn.as_mut() else {
            return Err("no connection".to_string());
        };
        c.ready().await.map_err(|e| format!("connection: {e}"))?;
        let resp = c
            .send_request(req)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok((status, headers, body))) => Outcome::Done {
            status,
            headers,
            body,
        },
        Ok(Err(e)) => {
            *conn = None;
            Outcome::Failed(short(&e))
        }
        Err(_) => {
            *conn = None;
            Outcome::Failed(format!("timeout after {:.0} s", timeout.as_secs_f64()))
        }
    }
}

/// The first line of an error, at most 120 characters, for grouping.
fn short(e: &str) -> String {
    e.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Statistics.

/// Percentiles of a sorted sample, by nearest rank.
fn pct(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64
}

/// Microseconds as milliseconds.
fn ms(us: f64) -> f64 {
    us / 1000.0
}

/// Counts of one level (or one page run), merged from every client.
#[derive(Debug, Default)]
struct Tally {
    /// Latency in microseconds of each 2xx completed in the measured window.
    latency_us: Vec<u32>,
    /// 2xx completed in the measured window.
    ok: u64,
    /// Non-2xx in the measured window, by status.
    statuses: BTreeMap<u16, u64>,
    /// Transport errors in the measured window, by description.
    errors: BTreeMap<String, u64>,
    /// All 2xx, including the warm-up and requests that finished after the window.
    ok_all: u64,
    /// All non-2xx and errors outside the window.
    failed_outside: u64,
    /// One body per non-2xx status, to show what went wrong.
    examples: BTreeMap<u16, String>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.latency_us.extend(o.latency_us);
        self.ok += o.ok;
        for (k, v) in o.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.ok_all += o.ok_all;
        self.failed_outside += o.failed_outside;
        for (k, v) in o.examples {
            self.examples.entry(k).or_insert(v);
        }
    }

    fn non_2xx(&self) -> u64 {
        self.statuses.values().sum()
    }

    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Records a non-2xx or an error; `measured` says whether it falls in the window.
    fn record_failure(&mut self, outcome: &Outcome, measured: bool) {
        match outcome {
            Outcome::Done { status, body, .. } => {
                self.examples.entry(status.as_u16()).or_insert_with(|| {
                    String::from_utf8_lossy(&body[..body.len().min(300)]).into()
                });
                if measured {
                    *self.statuses.entry(status.as_u16()).or_default() += 1;
                } else {
                    self.failed_outside += 1;
                }
            }
            Outcome::Failed(e) => {
                if measured {
                    *self.errors.entry(e.clone()).or_default() += 1;
                } else {
                    self.failed_outside += 1;
                }
            }
        }
    }

    /// Lines describing the non-2xx and errors, for after a table.
    fn problems(&self) -> String {
        let mut out = String::new();
        for (status, n) in &self.statuses {
            let example = self.examples.get(status).map_or("", String::as_str);
            let _ = writeln!(out, "    HTTP {status} x{n}: {example}");
        }
        for (e, n) in &self.errors {
            let _ = writeln!(out, "    error x{n}: {e}");
        }
        out
    }
}

/// Appends a row to a TSV file, writing the header first when the file is new or empty.
fn append_tsv(path: &PathBuf, header: &str, row: &str) -> anyhow::Result<()> {
    let new = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    if new {
        writeln!(f, "{header}")?;
    }
    writeln!(f, "{row}")?;
    Ok(())
}

/// The current time in Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn check_seconds(name: &str, s: f64, max: f64) -> anyhow::Result<Duration> {
    anyhow::ensure!(
        s.is_finite() && (0.0..=max).contains(&s),
        "{name} must be between 0 and {max} seconds"
    );
    Ok(Duration::from_secs_f64(s))
}

// ---------------------------------------------------------------------------------------------
// Ingest.

/// Short comments respondents might write.
const COMMENTS: &[&str] = &[
    "Fast checkout, thanks!",
    "Delivery cost was too high.",
    "BLIK payment worked perfectly.",
    "Could not apply my discount code.",
    "Great prices, will buy again.",
    "The site was a bit slow on my phone.",
    "Szybko i sprawnie, polecam.",
    "Doprava mohla být levnější.",
    "Please add more payment options.",
    "Everything went smoothly.",
];

/// Makes request bodies.
enum Bodies {
    /// The demo checkout-nps survey: NPS plus, mostly, a comment on the matching question.
    CheckoutNps,
    Template(String),
}

impl Bodies {
    fn from_arg(arg: Option<&str>) -> anyhow::Result<Bodies> {
        Ok(match arg {
            None => Bodies::CheckoutNps,
            Some(file) if file.starts_with('@') => Bodies::Template(
                std::fs::read_to_string(&file[1..])
                    .with_context(|| format!("reading {}", &file[1..]))?,
            ),
            Some(t) => Bodies::Template(t.to_string()),
        })
    }

    fn make(&self, rng: &mut ChaCha8Rng, seq: u64) -> String {
        let nps: u8 = rng.random_range(0..=10);
        let comment_key = if nps >= 9 { "liked" } else { "improve" };
        let comment = COMMENTS[rng.random_range(0..COMMENTS.len())];
        match self {
            Bodies::CheckoutNps => {
                let mut answers = serde_json::Map::new();
                answers.insert("nps".into(), nps.into());
                if rng.random_bool(0.7) {
                    answers.insert(comment_key.into(), comment.into());
                }
                serde_json::json!({ "answers": answers }).to_string()
            }
            Bodies::Template(t) => {
                let quoted = serde_json::Value::from(comment).to_string();
                t.replace("{{nps}}", &nps.to_string())
                    .replace("{{comment}}", &quoted[1..quoted.len() - 1])
                    .replace("{{comment_key}}", comment_key)
                    .replace("{{seq}}", &seq.to_string())
            }
        }
    }
}

/// Makes the body of request number `seq`.
type MakeBody = dyn Fn(&mut ChaCha8Rng, u64) -> String + Send + Sync;

/// What a load level sends: requests to one path, each carrying `items` units.
struct Workload {
    path: Arc<str>,
    /// An `Authorization` header value.
    auth: Option<String>,
    /// Makes request `seq`'s body.
    make: Arc<MakeBody>,
    /// Units (responses, events) per request.
    items: u64,
    /// What a unit is called in the table, e.g. `accepted/s` or `events/s`.
    rate_name: &'static str,
}

impl Workload {
    fn request(&self, target: &Target, body: String) -> Request<Full<Bytes>> {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(&*self.path)
            .header(HOST, &target.host)
            .header(CONTENT_TYPE, "application/json");
        if let Some(a) = &self.auth {
            b = b.header(hyper::header::AUTHORIZATION, a);
        }
        b.body(Full::new(Bytes::from(body)))
            .expect("a request from valid parts")
    }
}

/// The timing options every load run shares.
struct LoadRun<'a> {
    target: Target,
    levels: &'a [usize],
    seconds: Duration,
    warmup: Duration,
    timeout: Duration,
    label: &'a str,
    tsv: Option<&'a PathBuf>,
}

/// Runs every concurrency level of a workload; returns (requests answered 2xx, failures),
/// counting the warm-up and one request sent first to check the workload.
async fn run_levels(run: &LoadRun<'_>, w: Arc<Workload>) -> anyhow::Result<(u64, u64)> {
    let (target, seconds, warmup, timeout) = (&run.target, run.seconds, run.warmup, run.timeout);
    // One request first, so a wrong id, key or body fails at once with the server's words.
    let mut total_ok = 0u64;
    let mut total_failed = 0u64;
    {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut conn = None;
        let req = w.request(target, (w.make)(&mut rng, 0));
        match send(target, &mut conn, req, timeout).await {
            Outcome::Done { status, .. } if status.is_success() => total_ok += 1,
            Outcome::Done { status, body, .. } => anyhow::bail!(
                "POST {} answered {status}: {}",
                w.path,
                String::from_utf8_lossy(&body)
            ),
            Outcome::Failed(e) => anyhow::bail!("POST {}: {e}", w.path),
        }
    }
    println!(
        "{:>7} {:>11} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>7}",
        "clients", w.rate_name, "p50 ms", "p90 ms", "p99 ms", "max ms", "2xx", "non-2xx", "errors"
    );
    let seq = Arc::new(AtomicU64::new(1));
    for &clients in run.levels {
        // Every client connects first; the clock starts once all are connected, so a burst
        // of connection setup is not measured as request latency.
        let connected = Arc::new(tokio::sync::Barrier::new(clients + 1));
        let (start_tx, start_rx) = tokio::sync::watch::channel(None::<Instant>);
        let mut tasks = Vec::with_capacity(clients);
        for i in 0..clients {
            let (target, w, seq) = (target.clone(), w.clone(), seq.clone());
            let (connected, mut start_rx) = (connected.clone(), start_rx.clone());
            tasks.push(tokio::spawn(async move {
                let mut rng = ChaCha8Rng::seed_from_u64((clients as u64) << 32 | i as u64);
                let mut tally = Tally::default();
                let mut conn = match tokio::time::timeout(timeout, target.connect()).await {
                    Ok(Ok(c)) => Some(c),
                    Ok(Err(e)) => {
                        tally.record_failure(&Outcome::Failed(format!("connect: {e}")), false);
                        None
                    }
                    Err(_) => {
                        tally.record_failure(&Outcome::Failed("connect: timeout".into()), false);
                        None
                    }
                };
                connected.wait().await;
                let Ok(start) = start_rx.wait_for(Option::is_some).await.map(|s| *s) else {
                    return tally;
                };
                let Some(start) = start else {
                    return tally;
                };
                let window_from = start + warmup;
                let window_to = window_from + seconds;
                while Instant::now() < window_to {
                    let n = seq.fetch_add(1, Ordering::Relaxed);
                    let req = w.request(&target, (w.make)(&mut rng, n));
                    let sent = Instant::now();
                    let outcome = send(&target, &mut conn, req, timeout).await;
                    let done = Instant::now();
                    let measured = done >= window_from && done < window_to;
                    match &outcome {
                        Outcome::Done { status, .. } if status.is_success() => {
                            tally.ok_all += 1;
                            if measured {
                                tally.ok += 1;
                                let us = (done - sent).as_micros().min(u32::MAX as u128);
                                tally.latency_us.push(us as u32);
                            }
                        }
                        other => tally.record_failure(other, measured),
                    }
                }
                tally
            }));
        }
        connected.wait().await;
        start_tx.send_replace(Some(Instant::now()));
        let mut tally = Tally::default();
        for t in tasks {
            tally.merge(t.await.context("a benchmark client panicked")?);
        }
        total_ok += tally.ok_all;
        total_failed += tally.non_2xx() + tally.error_count() + tally.failed_outside;
        tally.latency_us.sort_unstable();
        let l = &tally.latency_us;
        let rate = (tally.ok * w.items) as f64 / seconds.as_secs_f64();
        println!(
            "{:>7} {:>11.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9} {:>8} {:>7}",
            clients,
            rate,
            ms(pct(l, 0.50)),
            ms(pct(l, 0.90)),
            ms(pct(l, 0.99)),
            ms(pct(l, 1.0)),
            tally.ok,
            tally.non_2xx(),
            tally.error_count()
        );
        print!("{}", tally.problems());
        if let Some(tsv) = run.tsv {
            append_tsv(
                tsv,
                "label\tclients\taccepted_per_s\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tok\tnon_2xx\terrors",
                &format!(
                    "{}\t{clients}\t{rate:.0}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{}\t{}\t{}",
                    run.label,
                    ms(pct(l, 0.50)),
                    ms(pct(l, 0.90)),
                    ms(pct(l, 0.99)),
                    ms(pct(l, 1.0)),
                    tally.ok,
                    tally.non_2xx(),
                    tally.error_count()
                ),
            )?;
        }
    }
    if total_failed > 0 {
        println!("{total_failed} request(s) failed in all, warm-up included");
    }
    Ok((total_ok, total_failed))
}

/// Checks the levels and times of a load run.
fn load_run<'a>(
    target: Target,
    levels: &'a [usize],
    (seconds, warmup, timeout): (f64, f64, f64),
    label: &'a str,
    tsv: Option<&'a PathBuf>,
) -> anyhow::Result<LoadRun<'a>> {
    anyhow::ensure!(!levels.is_empty(), "--concurrency needs a level");
    for &c in levels {
        anyhow::ensure!(
            (1..=MAX_CONCURRENCY).contains(&c),
            "--concurrency levels must be between 1 and {MAX_CONCURRENCY}"
        );
    }
    let seconds = check_seconds("--seconds", seconds, MAX_SECONDS)?;
    anyhow::ensure!(!seconds.is_zero(), "--seconds must be above 0");
    let warmup = check_seconds("--warmup", warmup, 60.0)?;
    let timeout = check_seconds("--timeout", timeout, 120.0)?;
    anyhow::ensure!(!timeout.is_zero(), "--timeout must be above 0");
    Ok(LoadRun {
        target,
        levels,
        seconds,
        warmup,
        timeout,
        label,
        tsv,
    })
}

/// Reports whether `stored` new rows match the 2xx answers; fails when they do not.
fn durability(
    what: &str,
    answered: u64,
    failed: u64,
    before: u64,
    after: u64,
) -> anyhow::Result<()> {
    let stored = after.saturating_sub(before);
    let verdict = if stored == answered { "OK" } else { "MISMATCH" };
    println!(
        "durability: {answered} {what} answered 2xx (warm-up included), {stored} new rows stored ({before} before, {after} after): {verdict}"
    );
    if stored != answered {
        if stored > answered && failed > 0 {
            println!(
                "  more rows than 2xx: requests that timed out or lost their connection may still have been stored"
            );
        }
        anyhow::bail!("durability check failed: {answered} 2xx, {stored} rows");
    }
    Ok(())
}

async fn ingest(a: IngestArgs) -> anyhow::Result<()> {
    let target = Target::resolve(&a.url).await?;
    let run = load_run(
        target.clone(),
        &a.concurrency,
        (a.seconds, a.warmup, a.timeout),
        &a.label,
        a.tsv.as_ref(),
    )?;
    let bodies = Arc::new(Bodies::from_arg(a.body_template.as_deref())?);
    let path: Arc<str> = format!("{}/api/v1/surveys/{}/responses", target.base, a.survey).into();
    let before = match &a.verify_db {
        Some(db) => Some(verify::count_responses(db, &a.survey).await?),
        None => None,
    };
    println!(
        "puls-bench ingest: POST http://{}{path}, {} s per level after {} s warm-up",
        target.host,
        run.seconds.as_secs_f64(),
        run.warmup.as_secs_f64()
    );
    let workload = Workload {
        path,
        auth: None,
        make: Arc::new(move |rng, seq| bodies.make(rng, seq)),
        items: 1,
        rate_name: "accepted/s",
    };
    let (ok, failed) = run_levels(&run, Arc::new(workload)).await?;
    if let (Some(db), Some(before)) = (&a.verify_db, before) {
        durability(
            "responses",
            ok,
            failed,
            before,
            verify::count_responses(db, &a.survey).await?,
        )?;
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
struct EventsArgs {
    /// Base URL of the server (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The workspace's write key (`puls writekey create`).
    #[arg(long)]
    write_key: String,
    /// Events per request (one `/v1/batch` call, as Segment libraries send them).
    #[arg(long, default_value_t = 100)]
    batch: u64,
    /// Concurrency levels (clients), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32,64")]
    concurrency: Vec<usize>,
    /// Measured seconds per level.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Unmeasured warm-up seconds before each level.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Seconds before one request counts as a transport error.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// After the run, count the workspace's stored events in this database and check that
    /// it grew by the events of every 2xx.
    #[arg(long)]
    verify_db: Option<String>,
    /// A label for the rows written with --tsv, e.g. the backend.
    #[arg(long, default_value = "-")]
    label: String,
    /// Append one tab-separated row per level to this file.
    #[arg(long)]
    tsv: Option<PathBuf>,
}

/// Events of a shop: product views mostly, some carts and orders.
const EVENT_NAMES: [(&str, u32); 5] = [
    ("Product Viewed", 60),
    ("Product Added", 20),
    ("Checkout Started", 10),
    ("Order Completed", 7),
    ("Order Delivered", 3),
];

fn event_batch(rng: &mut ChaCha8Rng, run: i64, seq: u64, n: u64) -> String {
    let total: u32 = EVENT_NAMES.iter().map(|(_, w)| w).sum();
    let now = now_ms();
    // Written by hand rather than through serde_json: the load generator shares the
    // machine with the server, and every cycle it spends is one the server does not get.
    let mut out = String::with_capacity(260 * n as usize + 64);
    out.push_str("{\"batch\":[");
    for i in 0..n {
        let mut pick = rng.random_range(0..total);
        let name = EVENT_NAMES
            .iter()
            .find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .map_or("Product Viewed", |(n, _)| n);
        let user: u32 = rng.random_range(0..1_000_000);
        let platform = if rng.random_bool(0.7) { "web" } else { "app" };
        let price: u32 = rng.random_range(10..500);
        let at = puls_core::instant::format(now - rng.random_range(0..86_400_000i64));
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"type\":\"track\",\"event\":\"{name}\",\"userId\":\"bench-{user:07}\",\
             \"messageId\":\"bench-{run}-{seq}-{i}\",\"timestamp\":\"{at}\",\
             \"properties\":{{\"platform\":\"{platform}\",\"price\":{price}}},\
             \"context\":{{\"library\":{{\"name\":\"puls-bench\",\"version\":\"1\"}}}}}}"
        );
    }
    let _ = write!(
        out,
        "],\"sentAt\":\"{}\"}}",
        puls_core::instant::format(now)
    );
    out
}

async fn events(a: EventsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=2500).contains(&a.batch),
        "--batch must be between 1 and 2500"
    );
    let target = Target::resolve(&a.url).await?;
    let run = load_run(
        target.clone(),
        &a.concurrency,
        (a.seconds, a.warmup, a.timeout),
        &a.label,
        a.tsv.as_ref(),
    )?;
    let before = match &a.verify_db {
        Some(db) => Some(verify::count_events(db, &a.write_key).await?),
        None => None,
    };
    let path: Arc<str> = format!("{}/v1/batch", target.base).into();
    println!(
        "puls-bench events: POST http://{}{path}, {} events a request, {} s per level after {} s warm-up",
        target.host,
        a.batch,
        run.seconds.as_secs_f64(),
        run.warmup.as_secs_f64()
    );
    let n = a.batch;
    // Messages ids are unique per run start, so a second run is not taken for retries.
    let run_id = now_ms();
    let workload = Workload {
        path,
        auth: Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:", a.write_key))
        )),
        make: Arc::new(move |rng, seq| event_batch(rng, run_id, seq, n)),
        items: n,
        rate_name: "events/s",
    };
    let (ok, failed) = run_levels(&run, Arc::new(workload)).await?;
    if let (Some(db), Some(before)) = (&a.verify_db, before) {
        let after = verify::count_events(db, &a.write_key).await?;
        durability("events", ok * n, failed, before, after)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Page.

/// The `dur` of the `app` metric of a `Server-Timing` header, in milliseconds.
fn server_time_ms(headers: &hyper::HeaderMap) -> Option<f64> {
    headers
        .get_all("server-timing")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|metric| {
            let mut parts = metric.split(';').map(str::trim);
            if parts.next()? != "app" {
                return None;
            }
            parts.find_map(|p| p.strip_prefix("dur=")?.parse::<f64>().ok())
        })
}

fn page_request(target: &Target, path: &str, gzip: bool) -> Request<Full<Bytes>> {
    let mut b = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header(HOST, &target.host);
    if gzip {
        b = b.header(ACCEPT_ENCODING, "gzip");
    }
    b.body(Full::new(Bytes::new()))
        .expect("a request from valid parts")
}

/// Per-client results of a page run.
#[derive(Default)]
struct PageTally {
    tally: Tally,
    /// Server time in nanoseconds (Server-Timing is a decimal of milliseconds).
    server_ns: Vec<u64>,
    missing_timing: u64,
    sizes: Vec<usize>,
}

async fn page(a: PageArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=MAX_REQUESTS).contains(&a.requests),
        "--requests must be between 1 and {MAX_REQUESTS}"
    );
    anyhow::ensure!(
        a.warmup <= MAX_REQUESTS,
        "--warmup must be at most {MAX_REQUESTS}"
    );
    anyhow::ensure!(
        (1..=MAX_CONCURRENCY).contains(&a.concurrency),
        "--concurrency must be between 1 and {MAX_CONCURRENCY}"
    );
    let timeout = check_seconds("--timeout", a.timeout, 120.0)?;
    anyhow::ensure!(!timeout.is_zero(), "--timeout must be above 0");
    let target = Target::resolve(&a.url).await?;
    let path: Arc<str> = match &a.query {
        Some(q) => format!(
            "{}/s/{}?{}",
            target.base,
            a.survey,
            q.trim_start_matches('?')
        ),
        None => format!("{}/s/{}", target.base, a.survey),
    }
    .into();

    // Warm-up on one connection; the first answer must be a page.
    let mut conn = None;
    for i in 0..a.warmup.max(1) {
        match send(
            &target,
            &mut conn,
            page_request(&target, &path, false),
            timeout,
        )
        .await
        {
            Outcome::Done { status, .. } if status == StatusCode::OK => {}
            Outcome::Done { status, body, .. } if i == 0 => anyhow::bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            ),
            Outcome::Failed(e) if i == 0 => anyhow::bail!("GET {path}: {e}"),
            _ => {}
        }
    }
    // Does the server compress when asked?
    let gzip = match send(
        &target,
        &mut conn,
        page_request(&target, &path, true),
        timeout,
    )
    .await
    {
        Outcome::Done {
            status,
            headers,
            body,
        } if status == StatusCode::OK => headers
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|enc| (enc.to_string(), body.len())),
        _ => None,
    };
    drop(conn);

    let remaining = Arc::new(AtomicU64::new(a.requests));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(a.concurrency);
    for _ in 0..a.concurrency {
        let (target, path, remaining) = (target.clone(), path.clone(), remaining.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = PageTally::default();
            let mut conn = None;
            while remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                let sent = Instant::now();
                let outcome = send(
                    &target,
                    &mut conn,
                    page_request(&target, &path, false),
                    timeout,
                )
                .await;
                let us = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
                match &outcome {
                    Outcome::Done {
                        status,
                        headers,
                        body,
                    } if *status == StatusCode::OK => {
                        t.tally.ok += 1;
                        t.tally.latency_us.push(us);
                        t.sizes.push(body.len());
                        match server_time_ms(headers) {
                            Some(d) => t.server_ns.push((d * 1e6).round() as u64),
                            None => t.missing_timing += 1,
                        }
                    }
                    other => t.tally.record_failure(other, true),
                }
            }
            t
        }));
    }
    let mut all = PageTally::default();
    for task in tasks {
        let t = task.await.context("a benchmark client panicked")?;
        all.tally.merge(t.tally);
        all.server_ns.extend(t.server_ns);
        all.missing_timing += t.missing_timing;
        all.sizes.extend(t.sizes);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.server_ns.sort_unstable();
    all.tally.latency_us.sort_unstable();
    let server = |q: f64| -> f64 {
        if all.server_ns.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * all.server_ns.len() as f64).ceil() as usize).clamp(1, all.server_ns.len());
        all.server_ns[rank - 1] as f64 / 1e6
    };
    let l = &all.tally.latency_us;
    let (min_size, max_size) = (
        all.sizes.iter().copied().min().unwrap_or(0),
        all.sizes.iter().copied().max().unwrap_or(0),
    );
    let kb = max_size as f64 / 1024.0;

    println!(
        "puls-bench page: GET http://{}{path}, {} requests over {} connection(s) after {} warm-up",
        target.host, a.requests, a.concurrency, a.warmup
    );
    println!(
        "  server time (Server-Timing app): p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        server(0.50),
        server(0.90),
        server(0.99),
        server(1.0)
    );
    println!(
        "  client latency:                  p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        ms(pct(l, 0.50)),
        ms(pct(l, 0.90)),
        ms(pct(l, 0.99)),
        ms(pct(l, 1.0))
    );
    let size_note = if min_size == max_size {
        String::new()
    } else {
        format!(" (smallest {min_size} bytes)")
    };
    println!("  page size: {kb:.1} KB ({max_size} bytes, uncompressed){size_note}");
    match &gzip {
        Some((enc, n)) => println!(
            "  with Accept-Encoding: gzip: {:.1} KB ({n} bytes, Content-Encoding {enc})",
            *n as f64 / 1024.0
        ),
        None => println!("  with Accept-Encoding: gzip: the server sends it uncompressed"),
    }
    println!(
        "  {} pages 200 OK, {:.0} pages/s, {} non-200, {} errors, {} without Server-Timing",
        all.tally.ok,
        all.tally.ok as f64 / elapsed,
        all.tally.non_2xx(),
        all.tally.error_count(),
        all.missing_timing
    );
    print!("{}", all.tally.problems());
    let p99 = server(0.99);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  targets: server p99 < 5 ms: {}; page < 30 KB: {}",
        verdict(p99 < 5.0),
        verdict(kb < 30.0)
    );
    if let Some(tsv) = &a.tsv {
        append_tsv(
            tsv,
            "label\trequests\tserver_p50_ms\tserver_p99_ms\tserver_max_ms\tclient_p99_ms\tsize_kb\tgzip_kb\tnon_200\terrors",
            &format!(
                "{}\t{}\t{:.3}\t{p99:.3}\t{:.3}\t{:.3}\t{kb:.1}\t{}\t{}\t{}",
                a.label,
                a.requests,
                server(0.50),
                server(1.0),
                ms(pct(l, 0.99)),
                gzip.as_ref().map_or("-".to_string(), |(_, n)| format!(
                    "{:.1}",
                    *n as f64 / 1024.0
                )),
                all.tally.non_2xx(),
                all.tally.error_count()
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(pct(&v, 0.50), 50.0);
        assert_eq!(pct(&v, 0.99), 99.0);
        assert_eq!(pct(&v, 1.0), 100.0);
        assert_eq!(pct(&[7], 0.5), 7.0);
        assert!(pct(&[], 0.5).is_nan());
    }

    #[test]
    fn server_timing_is_read_from_the_app_metric() {
        let mut h = hyper::HeaderMap::new();
        h.insert(
            "server-timing",
            "db;dur=1.5, app;dur=0.250".parse().unwrap(),
        );
        assert_eq!(server_time_ms(&h), Some(0.25));
        let mut h = hyper::HeaderMap::new();
        h.insert("server-timing", "app;desc=\"x\";dur=2".parse().unwrap());
        assert_eq!(server_time_ms(&h), Some(2.0));
        assert_eq!(server_time_ms(&hyper::HeaderMap::new()), None);
    }

    #[test]
    fn templates_fill_every_placeholder_with_valid_json() {
        let b = Bodies::Template(
            r#"{"answers":{"nps":{{nps}},"{{comment_key}}":"{{comment}}"},"attributes":{"n":"{{seq}}"}}"#
                .into(),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for i in 0..50 {
            let text = b.make(&mut rng, i);
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let nps = v["answers"]["nps"].as_u64().unwrap();
            assert!(nps <= 10);
            let key = if nps >= 9 { "liked" } else { "improve" };
            assert!(v["answers"][key].is_string(), "{text}");
            assert_eq!(v["attributes"]["n"], i.to_string());
        }
    }

    #[test]
    fn default_bodies_answer_only_questions_the_nps_shows() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for i in 0..200 {
            let v: serde_json::Value =
                serde_json::from_str(&Bodies::CheckoutNps.make(&mut rng, i)).unwrap();
            let a = v["answers"].as_object().unwrap();
            let nps = a["nps"].as_u64().unwrap();
            assert!(nps <= 10);
            assert!(!a.contains_key(if nps >= 9 { "improve" } else { "liked" }));
        }
    }

    #[test]
    fn event_batches_are_valid_tracking_batches_with_unique_message_ids() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let v: serde_json::Value = serde_json::from_str(&event_batch(&mut rng, 7, 9, 50)).unwrap();
        let batch = v["batch"].as_array().unwrap();
        assert_eq!(batch.len(), 50);
        let ids: std::collections::BTreeSet<&str> = batch
            .iter()
            .map(|m| m["messageId"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 50);
        for m in batch {
            assert_eq!(m["type"], "track");
            assert!(m["userId"].as_str().unwrap().starts_with("bench-"));
            assert!(m["properties"]["price"].is_u64());
        }
        assert!(v["sentAt"].is_string());
    }

    #[tokio::test]
    async fn only_loopback_targets_are_accepted() {
        let t = Target::resolve("http://127.0.0.1:9/").await.unwrap();
        assert_eq!(t.host, "127.0.0.1:9");
        assert_eq!(t.base, "");
        assert!(Target::resolve("http://[::1]:9").await.is_ok());
        assert!(Target::resolve("http://192.0.2.1:80").await.is_err());
        assert!(Target::resolve("https://127.0.0.1:443").await.is_err());
    }
}
