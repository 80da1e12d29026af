//! `puls journey` and `puls segment`: import and export journey and segment definitions,
//! and print the journey templates.

use std::path::{Path, PathBuf};

use anyhow::Context;
use puls_core::Value;
use puls_core::audience::SegmentDef;
use puls_core::journey::Journey;
use puls_store::{DefinitionKind, Store};

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

/// Reads a definition file and parses it with `parse`, listing every problem.
fn read<T>(
    file: &Path,
    parse: impl Fn(&Value) -> Result<T, puls_core::FieldErrors>,
) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let yaml = matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let value = puls_http::parse_document(&text, yaml)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    parse(&value).map_err(|errs| {
        for e in &errs.0 {
            eprintln!("{}: {e}", file.display());
        }
        anyhow::anyhow!("{} problem(s) in {}", errs.0.len(), file.display())
    })
}

async fn import(
    store: &dyn Store,
    kind: DefinitionKind,
    workspace: &str,
    key: &str,
    canonical: &Value,
) -> anyhow::Result<()> {
    puls_core::WorkspaceSlug::parse(workspace).map_err(|e| anyhow::anyhow!("workspace: {e}"))?;
    let ws = store.ensure_workspace(workspace, workspace).await?;
    let text = puls_http::to_json(canonical).to_string();
    store
        .put_definition(kind, ws.id, key, &text, puls_store::now_ms())
        .await?;
    println!("{key}");
    Ok(())
}

async fn export(
    store: &dyn Store,
    kind: DefinitionKind,
    workspace: &str,
    key: &str,
    yaml: bool,
) -> anyhow::Result<()> {
    let ws = super::workspace(store, workspace).await?;
    let r = store
        .get_definition(kind, ws.id, key)
        .await?
        .with_context(|| format!("workspace {workspace} has no definition '{key}'"))?;
    let json: serde_json::Value = serde_json::from_str(&r.definition)?;
    if yaml {
        print!("{}", serde_norway::to_string(&json)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(())
}

async fn list(store: &dyn Store, kind: DefinitionKind, workspace: &str) -> anyhow::Result<()> {
    let ws = super::workspace(store, workspace).await?;
    for r in store.list_definitions(kind, ws.id).await? {
        println!(
            "{:<32} updated {}",
            r.key,
            puls_http::format_ms(r.updated_at)
        );
    }
    Ok(())
}

pub async fn run(store: &dyn Store, cmd: Cmd) -> anyhow::Result<()> {
    let kind = DefinitionKind::Journey;
    match cmd {
        Cmd::Import { file, workspace } => {
            let j = read(&file, Journey::parse)?;
            import(store, kind, &workspace, j.key.as_str(), &j.to_value()).await
        }
        Cmd::Export {
            key,
            workspace,
            yaml,
        } => export(store, kind, &workspace, &key, yaml).await,
        Cmd::List { workspace } => list(store, kind, &workspace).await,
        Cmd::Template { name } => match name.as_str() {
            "ecommerce" => {
                print!("{}", puls_http::ECOMMERCE_TEMPLATE);
                Ok(())
            }
            other => anyhow::bail!("no template '{other}'; there is: ecommerce"),
        },
    }
}

pub async fn run_segment(store: &dyn Store, cmd: SegmentCmd) -> anyhow::Result<()> {
    let kind = DefinitionKind::Segment;
    match cmd {
        SegmentCmd::Import { file, workspace } => {
            let s = read(&file, SegmentDef::parse)?;
            import(store, kind, &workspace, s.key.as_str(), &s.to_value()).await
        }
        SegmentCmd::Export {
            key,
            workspace,
            yaml,
        } => export(store, kind, &workspace, &key, yaml).await,
        SegmentCmd::List { workspace } => list(store, kind, &workspace).await,
    }
}
