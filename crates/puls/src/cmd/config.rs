//! `puls config`: print the documented example or the effective configuration.

use puls_app::Config;

#[derive(Debug, clap::Subcommand)]
pub enum Cmd {
    /// Print a documented configuration file with the defaults.
    Example,
    /// Print the configuration in effect (file, environment and flags applied; secrets hidden).
    Show,
}

pub fn run(settings: &Config, cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Example => print!("{}", crate::settings::EXAMPLE),
        Cmd::Show => println!("{settings:#?}"),
    }
    Ok(())
}
