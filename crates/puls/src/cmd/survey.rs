//! `puls survey`: import a definition file as a new survey, export a survey's definition.

use std::path::PathBuf;

use anyhow::Context;
use puls_http::ApiError;
use puls_store::{Store, SurveyStatus};

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Create a survey from a JSON or YAML file (by extension); prints its id.
    Import {
        file: PathBuf,
        /// Workspace slug (created when missing).
        #[arg(long, default_value = "demo")]
        workspace: String,
        /// Publish right away, so the survey takes responses.
        #[arg(long)]
        publish: bool,
    },
    /// Print a survey's definition (current version, or --version N).
    Export {
        id: String,
        #[arg(long, default_value = "demo")]
        workspace: String,
        #[arg(long)]
        version: Option<i64>,
        /// YAML instead of JSON.
        #[arg(long)]
        yaml: bool,
    },
}

pub async fn run(store: &dyn Store, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Import {
            file,
            workspace,
            publish,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let yaml = matches!(
                file.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            );
            let def = puls_http::parse_document(&text, yaml)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let ws = store.ensure_workspace(&workspace, &workspace).await?;
            let status = if publish {
                SurveyStatus::Published
            } else {
                SurveyStatus::Draft
            };
            match puls_http::create_from_definition(store, ws.id, &def, None, status).await {
                Ok(r) => {
                    eprintln!("Imported '{}' as {} ({})", r.title, r.id, r.status.as_str());
                    println!("{}", r.id);
                    Ok(())
                }
                Err(ApiError::Validation(errs)) => {
                    for e in &errs.0 {
                        eprintln!("{}: {e}", file.display());
                    }
                    anyhow::bail!("{} problem(s) in {}", errs.0.len(), file.display())
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Cmd::Export {
            id,
            workspace,
            version,
            yaml,
        } => {
            let ws = store
                .workspace_by_slug(&workspace)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no workspace '{workspace}'"))?;
            let record = store
                .get_survey(ws.id, &id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("workspace {workspace} has no survey {id}"))?;
            let text = match version {
                Some(v) => store
                    .survey_definition(&id, v)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("survey {id} has no version {v}"))?,
                None => record.definition,
            };
            let json: serde_json::Value = serde_json::from_str(&text)?;
            if yaml {
                print!("{}", serde_norway::to_string(&json)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&json)?);
            }
            Ok(())
        }
    }
}
