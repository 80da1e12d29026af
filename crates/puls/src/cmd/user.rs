//! `puls user`: people who sign in to the web app.

use std::io::BufRead;

use puls_core::access::{Role, check_password};
use puls_store::{NewUser, Store, UserWrite};

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

pub async fn run(store: &dyn Store, cmd: Cmd) -> anyhow::Result<()> {
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
            if puls_console::Lang::parse(&locale).is_none() {
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
            let hash = puls_http::console::auth::hash_password(password).await?;
            let ws = store.ensure_workspace(&workspace, &workspace).await?;
            let user = NewUser {
                email: &email,
                name: name.trim(),
                password_hash: &hash,
                locale: &locale,
            };
            let written = if store.user_count().await? == 0 {
                match store.create_first_owner(user, (&ws.slug, &ws.name)).await? {
                    UserWrite::SetupDone => store.create_user(user).await?,
                    other => {
                        if role != Role::Owner {
                            eprintln!("the first user is the owner of every workspace");
                        }
                        other
                    }
                }
            } else {
                store.create_user(user).await?
            };
            let user = match written {
                UserWrite::Done(u) => u,
                UserWrite::EmailTaken => anyhow::bail!("email: a user with {email} exists already"),
                other => anyhow::bail!("could not create the user: {other:?}"),
            };
            if store.role_in(&user.id, ws.id).await?.is_none() {
                store.set_membership(ws.id, &user.id, role.as_str()).await?;
            }
            eprintln!(
                "Created {} ({}) in workspace {}",
                user.email, user.id, ws.slug
            );
        }
        Cmd::List { workspace } => {
            let ws = super::workspace(store, &workspace).await?;
            println!("{:<32} {:<28} {:<8} since", "email", "name", "role");
            for m in store.members(ws.id).await? {
                println!(
                    "{:<32} {:<28} {:<8} {}",
                    m.user.email,
                    m.user.name,
                    m.role,
                    puls_http::format_ms(m.since)
                );
            }
        }
    }
    Ok(())
}
