//! The `puls` command: one binary that serves Puls and manages it.

mod cmd;
mod settings;

use clap::Parser;

/// mimalloc (meilisearch's choice too): Puls allocates on one thread and frees on another
/// all the time (requests and the response writer; the analytics load, whose reader parses
/// each stored response and whose builder drops it), and glibc's allocator takes a lock for
/// each such free. Measured on the index load: 12% slower with glibc's at 1M responses
/// (rows then came 50 at a time), about 4% slower and more sys time at 3M with today's
/// 1,024-row batches.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let cli = cmd::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            // Our crates at info (the application's too: its errors are logged there),
            // everything else at warn.
            tracing_subscriber::EnvFilter::try_from_env("PULS_LOG").unwrap_or_else(|_| {
                "warn,puls=info,puls_app=info,puls_http=info,puls_store=info,puls_wire=info".into()
            }),
        )
        .with_writer(std::io::stderr)
        // A log line that cannot be written (stderr closed: `puls serve 2>&1 | head`) is
        // dropped; reporting that failure would go to the same closed stderr and panic.
        .log_internal_errors(false)
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(cli.run())
}
