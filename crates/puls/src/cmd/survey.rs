//! `puls survey`: import a definition file as a new survey, export a survey's definition.

use std::path::PathBuf;

use puls_app::{App, AppError};
use puls_core::SurveyId;
use puls_store::SurveyStatus;

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

pub async fn run(app: &App, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Import {
            file,
            workspace,
            publish,
        } => {
            let def = super::read_document(&file)?;
            let ws = app.ensure_workspace(&workspace, &workspace).await?;
            let status = if publish {
                SurveyStatus::Published
            } else {
                SurveyStatus::Draft
            };
            match app.create_survey(ws.id, &def, None, status).await {
                Ok(r) => {
                    eprintln!("Imported '{}' as {} ({})", r.title, r.id, r.status.as_str());
                    println!("{}", r.id);
                    Ok(())
                }
                Err(AppError::Validation(errs)) => {
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
            let ws = super::workspace(app, &workspace).await?;
            let id = SurveyId::parse(&id).map_err(|e| anyhow::anyhow!("survey id: {e}"))?;
            let record = match app.survey(ws.id, &id, version).await {
                Ok(r) => r,
                Err(AppError::NotFound("survey version")) => {
                    anyhow::bail!("survey {id} has no version {}", version.unwrap_or(0))
                }
                Err(AppError::NotFound(_)) => {
                    anyhow::bail!("workspace {workspace} has no survey {id}")
                }
                Err(e) => return Err(e.into()),
            };
            super::print_document(&record.definition, yaml)
        }
    }
}
