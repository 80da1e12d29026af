//! `puls user`: people who sign in to the web app.

use std::io::BufRead;

use puls_app::App;
use puls_app::users::{Account, NewAccount};
use puls_core::access::{Role, check_password};

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Create a user with a role in a workspace (created when missing). The password is
    /// read from the first line of standard input. The very first user is always made the
    /// owner of every workspace, which ends the one-time setup page.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Workspace slug, e.g. demo.
        #[arg(long, default_value = "demo")]
        workspace: String,
        /// owner, admin, analyst, agent or viewer.
        #[arg(long, default_value = "owner")]
        role: String,
        /// The interface language: pl, cs or en.
        #[arg(long, default_value = "en")]
        locale: String,
    },
    /// List a workspace's members.
    List {
        #[arg(long, default_value = "demo")]
        workspace: String,
    },
}

pub async fn run(app: &App, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Create {
            email,
            name,
            workspace,
            role,
            locale,
        } => {
            let email = email.trim().to_lowercase();
            puls_core::contact::Email::parse(&email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("role: '{role}' is not one of owner, admin, analyst, agent, viewer")
            })?;
            if puls_html::Lang::parse(&locale).is_none() {
                anyhow::bail!("locale: '{locale}' is not one of pl, cs, en");
            }
            if name.trim().is_empty() {
                anyhow::bail!("name: required");
            }
            puls_core::WorkspaceSlug::parse(&workspace)
                .map_err(|e| anyhow::anyhow!("workspace: {e}"))?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            check_password(&password, &email)
                .map_err(|p| anyhow::anyhow!("password: {}", p.code()))?;
            let account = app
                .create_account(NewAccount {
                    email: &email,
                    name: name.trim(),
                    password,
                    locale: &locale,
                    workspace: &workspace,
                    role,
                })
                .await?;
            match account {
                Account::Created {
                    user,
                    workspace: ws,
                    first_owner,
                } => {
                    if first_owner && role != Role::Owner {
                        eprintln!("the first user is the owner of every workspace");
                    }
                    eprintln!(
                        "Created {} ({}) in workspace {}",
                        user.email, user.id, ws.slug
                    );
                }
                Account::EmailTaken => anyhow::bail!("email: a user with {email} exists already"),
            }
        }
        Cmd::List { workspace } => {
            let ws = super::workspace(app, &workspace).await?;
            println!("{:<32} {:<28} {:<8} since", "email", "name", "role");
            for m in app.workspace_members(ws.id).await? {
                println!(
                    "{:<32} {:<28} {:<8} {}",
                    m.user.email,
                    m.user.name,
                    m.role,
                    puls_core::instant::format(m.since)
                );
            }
        }
    }
    Ok(())
}
