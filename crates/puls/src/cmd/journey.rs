//! `puls journey` and `puls segment`: import and export journey and segment definitions,
//! and print the journey templates.

use std::path::{Path, PathBuf};

use puls_app::definitions::journey_template;
use puls_app::{App, AppError};
use puls_store::DefinitionKind;

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Define (or replace) a journey from a JSON or YAML file (by extension); prints its key.
    Import {
        file: PathBuf,
        /// Workspace slug (created when missing).
        #[arg(long, default_value = "demo")]
        workspace: String,
    },
    /// Print a journey's definition.
    Export {
        key: String,
        #[arg(long, default_value = "demo")]
        workspace: String,
        /// YAML instead of JSON.
        #[arg(long)]
        yaml: bool,
    },
    /// List the workspace's journeys.
    List {
        #[arg(long, default_value = "demo")]
        workspace: String,
    },
    /// Print a ready journey to start from: `ecommerce`.
    Template { name: String },
}

#[derive(Debug, clap::Subcommand)]
pub enum SegmentCmd {
    /// Save (or replace) a segment from a JSON or YAML file; prints its key.
    Import {
        file: PathBuf,
        #[arg(long, default_value = "demo")]
        workspace: String,
    },
    /// Print a segment's definition.
    Export {
        key: String,
        #[arg(long, default_value = "demo")]
        workspace: String,
        #[arg(long)]
        yaml: bool,
    },
    /// List the workspace's segments.
    List {
        #[arg(long, default_value = "demo")]
        workspace: String,
    },
}

/// Saves a definition file into a workspace (created when missing), listing every problem.
async fn import(
    app: &App,
    kind: DefinitionKind,
    workspace: &str,
    file: &Path,
) -> anyhow::Result<()> {
    puls_core::WorkspaceSlug::parse(workspace).map_err(|e| anyhow::anyhow!("workspace: {e}"))?;
    let value = super::read_document(file)?;
    let ws = app.ensure_workspace(workspace, workspace).await?;
    let saved = match kind {
        DefinitionKind::Journey => app.save_journey(ws.id, None, &value).await,
        DefinitionKind::Segment => app.save_segment(ws.id, None, &value).await,
        DefinitionKind::AlertRule => app.save_alert_rule(ws.id, None, &value).await,
        DefinitionKind::Setting => anyhow::bail!("settings are not imported from files"),
        DefinitionKind::TextAspect => anyhow::bail!("aspects are not imported from files"),
    };
    match saved {
        Ok((_, record)) => {
            println!("{}", record.key);
            Ok(())
        }
        Err(AppError::Validation(errs)) => {
            for e in &errs.0 {
                eprintln!("{}: {e}", file.display());
            }
            anyhow::bail!("{} problem(s) in {}", errs.0.len(), file.display())
        }
        Err(e) => Err(e.into()),
    }
}

async fn export(
    app: &App,
    kind: DefinitionKind,
    workspace: &str,
    key: &str,
    yaml: bool,
) -> anyhow::Result<()> {
    let ws = super::workspace(app, workspace).await?;
    let r = match app.definition(ws.id, kind, key).await {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => {
            anyhow::bail!("workspace {workspace} has no definition '{key}'")
        }
        Err(e) => return Err(e.into()),
    };
    super::print_document(&r.definition, yaml)
}

async fn list(app: &App, kind: DefinitionKind, workspace: &str) -> anyhow::Result<()> {
    let ws = super::workspace(app, workspace).await?;
    for r in app.definitions(ws.id, kind).await? {
        println!(
            "{:<32} updated {}",
            r.key,
            puls_core::instant::format(r.updated_at)
        );
    }
    Ok(())
}

pub async fn run(app: &App, cmd: Cmd) -> anyhow::Result<()> {
    let kind = DefinitionKind::Journey;
    match cmd {
        Cmd::Import { file, workspace } => import(app, kind, &workspace, &file).await,
        Cmd::Export {
            key,
            workspace,
            yaml,
        } => export(app, kind, &workspace, &key, yaml).await,
        Cmd::List { workspace } => list(app, kind, &workspace).await,
        Cmd::Template { name } => match journey_template(&name) {
            Some(t) => {
                print!("{t}");
                Ok(())
            }
            None => anyhow::bail!("no template '{name}'; there is: ecommerce"),
        },
    }
}

pub async fn run_segment(app: &App, cmd: SegmentCmd) -> anyhow::Result<()> {
    let kind = DefinitionKind::Segment;
    match cmd {
        SegmentCmd::Import { file, workspace } => import(app, kind, &workspace, &file).await,
        SegmentCmd::Export {
            key,
            workspace,
            yaml,
        } => export(app, kind, &workspace, &key, yaml).await,
        SegmentCmd::List { workspace } => list(app, kind, &workspace).await,
    }
}
