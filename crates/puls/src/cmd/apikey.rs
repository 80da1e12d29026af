//! `puls apikey`: create, list and revoke API keys of a workspace.

use puls_app::{App, AppError};

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Create a key; the key is printed alone on the last line, once. The workspace is
    /// created when it does not exist.
    Create {
        /// Workspace slug, e.g. demo.
        #[arg(long)]
        workspace: String,
        /// A name to recognise the key by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List a workspace's keys (never their secrets).
    List {
        #[arg(long)]
        workspace: String,
    },
    /// Revoke a key by its id (the part after `puls_` and before the next `_`).
    Revoke {
        #[arg(long)]
        workspace: String,
        id: String,
    },
}

pub async fn run(app: &App, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Create { workspace, name } => {
            let ws = super::ensure_workspace(app, &workspace).await?;
            let (info, token) = app.create_api_key(ws.id, &name).await?;
            eprintln!(
                "Created key {} for workspace {}. It is shown only now:",
                info.id, ws.slug
            );
            println!("{token}");
        }
        Cmd::List { workspace: slug } => {
            let ws = super::workspace(app, &slug).await?;
            let keys = app.api_keys(ws.id).await?;
            super::print_keys(
                "id",
                12,
                keys.iter().map(|k| super::KeyRow {
                    id: &k.id,
                    name: &k.name,
                    created_at: k.created_at,
                    revoked: k.revoked_at.is_some(),
                }),
            );
        }
        Cmd::Revoke {
            workspace: slug,
            id,
        } => {
            let ws = super::workspace(app, &slug).await?;
            match app.revoke_api_key(ws.id, &id).await {
                Ok(()) => eprintln!("revoked {id}"),
                Err(AppError::NotFound(_)) => {
                    anyhow::bail!("workspace {slug} has no active key {id}")
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
