//! The subcommands, one module each.

mod apikey;
mod config;
mod contacts;
mod demo;
mod journey;
mod report;
mod serve;
mod survey;
mod user;
mod writekey;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use puls_app::{App, Config};
use puls_store::{ConnectOptions, Store};

/// Puls: customer-experience management in one binary.
///
/// Surveys (NPS, CSAT, CES and more) on hosted pages and an API, stored in SQLite by default
/// or PostgreSQL in production.
#[derive(Debug, Parser)]
#[command(name = "puls", version)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./puls.toml when it exists.
    #[arg(long, global = true, env = "PULS_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL, e.g. sqlite://puls.db or postgres://user@localhost/puls.
    #[arg(long, global = true)]
    db: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(serve::Args),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(apikey::Cmd),
    /// Import and export survey definitions.
    #[command(subcommand)]
    Survey(survey::Cmd),
    /// Manage the people who sign in to the web app.
    #[command(subcommand)]
    User(user::Cmd),
    /// Manage the write keys of the Segment-compatible tracking API.
    #[command(subcommand)]
    Writekey(writekey::Cmd),
    /// Import and export journeys; print the journey templates.
    #[command(subcommand)]
    Journey(journey::Cmd),
    /// Import and export segments.
    #[command(subcommand)]
    Segment(journey::SegmentCmd),
    /// Import contacts.
    #[command(subcommand)]
    Contacts(contacts::Cmd),
    /// Show configuration.
    #[command(subcommand)]
    Config(config::Cmd),
    /// Fill a demo workspace with an e-shop's surveys, a year of responses, and its contacts
    /// with a year of their behavioural events.
    Demo(demo::Args),
    /// Print metrics, key drivers, a Kano summary or a journey's funnel as a table or JSON.
    Report(Box<report::Args>),
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let listen = match &self.command {
            Command::Serve(a) => a.listen.as_deref(),
            _ => None,
        };
        let settings = crate::settings::load(self.config.as_deref(), self.db.as_deref(), listen)?;
        match self.command {
            Command::Serve(a) => serve::run(settings, a).await,
            Command::Migrate => {
                open(&settings).await?;
                eprintln!("migrations applied");
                Ok(())
            }
            Command::Apikey(c) => apikey::run(&open(&settings).await?, c).await,
            Command::Survey(c) => survey::run(&open(&settings).await?, c).await,
            Command::User(c) => user::run(&open(&settings).await?, c).await,
            Command::Writekey(c) => writekey::run(&open(&settings).await?, c).await,
            Command::Journey(c) => journey::run(&open(&settings).await?, c).await,
            Command::Segment(c) => journey::run_segment(&open(&settings).await?, c).await,
            Command::Contacts(c) => contacts::run(&open(&settings).await?, c).await,
            Command::Config(c) => config::run(&settings, c),
            Command::Demo(a) => demo::run(&open(&settings).await?, a).await,
            Command::Report(a) => report::run(&open(&settings).await?, *a).await,
        }
    }
}

/// The workspace with this slug, or an error naming it.
pub(crate) async fn workspace(app: &App, slug: &str) -> anyhow::Result<puls_store::Workspace> {
    app.store()
        .workspace_by_slug(slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no workspace '{slug}'"))
}

/// The workspace with this slug, created when missing (for the commands that make keys).
pub(crate) async fn ensure_workspace(
    app: &App,
    slug: &str,
) -> anyhow::Result<puls_store::Workspace> {
    puls_core::WorkspaceSlug::parse(slug).map_err(|e| anyhow::anyhow!("workspace: {e}"))?;
    Ok(app.ensure_workspace(slug, slug).await?)
}

/// A key as `list` shows it: its id (or the key itself), name, creation time, whether revoked.
pub(crate) struct KeyRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub created_at: i64,
    pub revoked: bool,
}

/// Prints keys as a table whose first column, `header`, is `width` wide.
pub(crate) fn print_keys<'a>(
    header: &str,
    width: usize,
    keys: impl IntoIterator<Item = KeyRow<'a>>,
) {
    println!("{header:<width$} {:<20} {:<26} status", "name", "created");
    for k in keys {
        let status = if k.revoked { "revoked" } else { "active" };
        println!(
            "{:<width$} {:<20} {:<26} {status}",
            k.id,
            k.name,
            puls_core::instant::format(k.created_at)
        );
    }
}

/// Reads a definition file (JSON, or YAML by its extension).
pub(crate) fn read_document(file: &std::path::Path) -> anyhow::Result<puls_core::Value> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let yaml = matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    puls_wire::parse_document(&text, yaml).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

/// Prints a definition (a survey's, a journey's, a segment's) as pretty JSON or as YAML.
pub(crate) fn print_document(definition: &puls_core::Value, yaml: bool) -> anyhow::Result<()> {
    let json = puls_store::json::to_json(definition);
    if yaml {
        print!("{}", serde_norway::to_string(&json)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(())
}

/// The application over the configured store, its migrations applied.
pub(crate) async fn open(settings: &Config) -> anyhow::Result<App> {
    Ok(App::new(connect(settings).await?, settings.clone()))
}

/// Opens the configured store and applies migrations.
pub(crate) async fn connect(settings: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store = puls_store::connect(
        &settings.database.url,
        &ConnectOptions {
            max_connections: settings.database.max_connections,
        },
    )
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "opening {}: {e:#}",
            puls_store::redact_url(&settings.database.url)
        )
    })?;
    store.migrate().await?;
    Ok(store)
}
