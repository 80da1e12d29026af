//! `puls contacts`: import contacts from CSV into a workspace.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use puls_app::App;
use puls_app::contacts_import::{DEFAULT_BATCH_SIZE, ImportOptions, Progress};

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Import contacts from a CSV file, streamed in constant memory.
    ///
    /// Columns: external_id, email, phone, name, locale, consent:PURPOSE (and
    /// consent:PURPOSE:at), and any other column as an attribute (typed as key:number,
    /// key:bool, key:date or key:text, else inferred). Rows are upserted by external id, else
    /// email; an empty cell changes nothing. Bad rows are listed on stderr and left out; the
    /// good ones are stored. Exit code 0 when the whole file was read (even with bad rows),
    /// 1 when the import stopped: the rows up to the line it names are stored, and running
    /// the same import again finishes the job.
    Import {
        /// The CSV file (UTF-8, header row, separated by commas or semicolons); - reads
        /// standard input.
        file: PathBuf,
        /// Workspace slug; the workspace must exist.
        #[arg(long)]
        workspace: String,
        /// Rows per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH_SIZE,
            value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
        batch_size: usize,
    },
}

pub async fn run(app: &App, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Import {
            file,
            workspace,
            batch_size,
        } => import(app, &file, &workspace, batch_size).await,
    }
}

async fn import(app: &App, file: &PathBuf, slug: &str, batch_size: usize) -> anyhow::Result<()> {
    let ws = super::workspace(app, slug).await?;
    let (input, size): (Box<dyn Read + Send>, Option<u64>) = if file.as_os_str() == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let size = f.metadata().ok().map(|m| m.len());
        (Box::new(f), size)
    };

    let bar = match size {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg} (eta {eta})",
            )?
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(ProgressStyle::with_template(
            "{elapsed_precise} {bytes} {msg}",
        )?),
    };
    bar.enable_steady_tick(Duration::from_millis(250));
    let started = Instant::now();
    let shown = bar.clone();
    let progress = move |p: Progress| {
        shown.set_position(p.bytes);
        shown.set_message(format!(
            "{} rows, {} rows/s",
            p.rows,
            per_second(p.rows, started.elapsed())
        ));
    };
    let options = ImportOptions {
        batch_size,
        ..ImportOptions::default()
    };
    let result = app.import_contacts(ws.id, input, options, progress).await;
    bar.finish_and_clear();
    let report = result.context("the import did not start; nothing was written")?;

    let elapsed = started.elapsed();
    eprintln!(
        "{} rows in {:.1} s ({} rows/s): {} created, {} updated, {} unchanged, {} rejected",
        report.rows,
        elapsed.as_secs_f64(),
        per_second(report.rows, elapsed),
        report.created,
        report.updated,
        report.unchanged,
        report.rejected
    );
    for e in &report.errors {
        match &e.column {
            Some(column) => eprintln!("line {}, {column}: {}: {}", e.line, e.code, e.message),
            None => eprintln!("line {}: {}: {}", e.line, e.code, e.message),
        }
    }
    if report.errors_truncated {
        eprintln!(
            "... and {} more problems (only the first {} are listed)",
            report.error_count - report.errors.len() as u64,
            report.errors.len()
        );
    }
    match report.fatal {
        None => Ok(()),
        Some(fatal) => {
            let done = match report.last_committed_line {
                Some(line) => format!("the rows up to line {line} are stored"),
                None => "no row was stored".to_string(),
            };
            anyhow::bail!(
                "the import stopped: {fatal}. {done}; running the same import again finishes \
                 the job"
            )
        }
    }
}

fn per_second(rows: u64, elapsed: Duration) -> u64 {
    (rows as f64 / elapsed.as_secs_f64().max(0.001)) as u64
}
