//! `puls writekey`: the write keys of the tracking API (`/v1/batch` and friends).

use puls_app::{App, AppError};

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Create a write key; it is printed alone on the last line. The workspace is created
    /// when it does not exist. Give it to a Segment library as its write key, with the
    /// library's host set to Puls's base URL.
    Create {
        /// Workspace slug, e.g. demo.
        #[arg(long)]
        workspace: String,
        /// A name to recognise the key by (where it is used).
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List a workspace's write keys.
    List {
        #[arg(long)]
        workspace: String,
    },
    /// Revoke a write key: calls sending it get 401 from then on.
    Revoke {
        #[arg(long)]
        workspace: String,
        key: String,
    },
}

pub async fn run(app: &App, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Create { workspace, name } => {
            let ws = super::ensure_workspace(app, &workspace).await?;
            let key = app.create_write_key(ws.id, &name).await?;
            eprintln!("Created a write key for workspace {}:", ws.slug);
            println!("{}", key.key);
        }
        Cmd::List { workspace } => {
            let ws = super::workspace(app, &workspace).await?;
            let keys = app.write_keys(ws.id).await?;
            super::print_keys(
                "key",
                36,
                keys.iter().map(|k| super::KeyRow {
                    id: &k.key,
                    name: &k.name,
                    created_at: k.created_at,
                    revoked: k.revoked_at.is_some(),
                }),
            );
        }
        Cmd::Revoke { workspace, key } => {
            let ws = super::workspace(app, &workspace).await?;
            match app.revoke_write_key(ws.id, &key).await {
                Ok(()) => eprintln!("revoked {key}"),
                Err(AppError::NotFound(_)) => {
                    anyhow::bail!("workspace {workspace} has no active write key {key}")
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
