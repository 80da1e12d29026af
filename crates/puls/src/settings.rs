//! Loading the configuration: defaults, then a TOML file, then `PULS_` environment
//! variables (`__` separates sections: `PULS_DATABASE__URL`), then command-line flags.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use puls_app::Config;

/// The documented default configuration, printed by `puls config example`.
pub const EXAMPLE: &str = r#"# Puls configuration. Every key is optional; these are the defaults.
# Order of precedence: this file < PULS_ environment variables < command-line flags.
# Environment variables use __ between section and key, e.g. PULS_DATABASE__URL.

[http]
# Address to listen on.
listen = "127.0.0.1:8080"
# The URL respondents reach Puls at, used in survey links and QR codes.
# Unset means http://{listen}.
# public_url = "https://feedback.example.com"
# Largest request body accepted, in bytes.
max_body_bytes = 262144
# Take the client address from X-Forwarded-For (only behind a proxy you control).
trust_forwarded_for = false
# Seconds a client has to send a request's head; also how long an idle keep-alive
# connection stays open.
header_read_timeout_secs = 30
# Seconds a request body may stall (no bytes arriving) before the request fails.
body_read_timeout_secs = 30
# Client connections open at once; at the limit the oldest is asked to close. Lowered at
# start to what the open-file limit (ulimit -n) leaves room for.
max_connections = 10000
# Seconds serve gives requests in flight to finish after SIGTERM or Ctrl-C before it
# closes what is still open and exits.
shutdown_grace_secs = 10

[database]
# sqlite://PATH (created on first start) or postgres://USER:PASSWORD@HOST:PORT/DB
url = "sqlite://puls.db"
# Connection pool size (readers on SQLite, all connections on PostgreSQL).
max_connections = 16

[rate_limit]
# Requests per second per client address on public survey pages and submissions.
# 0 turns the limit off.
per_second = 20
# Extra requests a client may make in a burst.
burst = 100

[analytics]
# IANA time zone of report dates and day/week/month buckets when a request names none.
time_zone = "Europe/Warsaw"
# Results with fewer responses than this are flagged small_sample.
min_n = 30
# Build every workspace's analytics indexes in the background when the server starts
# (otherwise the first report of a workspace waits for its build).
warm_up = true

[tracking]
# Limits of the Segment-compatible tracking API (/v1/batch and friends), Segment's own.
# Largest request body in bytes, after gzip or deflate decompression.
max_batch_bytes = 512000
# Largest single message in bytes of JSON.
max_message_bytes = 32768
# Most messages in one batch.
max_batch_messages = 2500
[contacts]
# Largest CSV file POST /api/v1/contacts/import takes, in bytes (1 GiB). The upload is
# streamed in constant memory, so this bounds how long one import runs; http.max_body_bytes
# does not apply to it.
import_max_bytes = 1073741824
[text]
# Where scripts/text-model/fetch installed the text model (reading comments offline);
# unset: `text-models` next to the puls binary. Without it, text analysis says it is not
# installed and everything else runs as usual.
# models_dir = "/opt/puls/text-models"
"#;

/// Loads the configuration. `file` defaults to `puls.toml` when that exists.
pub fn load(file: Option<&Path>, db: Option<&str>, listen: Option<&str>) -> anyhow::Result<Config> {
    let mut fig = Figment::from(Serialized::defaults(Config::default()));
    let default_file = PathBuf::from("puls.toml");
    match file {
        Some(f) => {
            anyhow::ensure!(f.exists(), "config file {} does not exist", f.display());
            fig = fig.merge(Toml::file_exact(f));
        }
        None if default_file.exists() => fig = fig.merge(Toml::file_exact(default_file)),
        None => {}
    }
    // Only PULS_SECTION__KEY variables are configuration; others (PULS_LOG, PULS_CONFIG,
    // PULS_TEST_DATABASE_URL) are not and must not trip `deny_unknown_fields`.
    fig = fig.merge(
        Env::prefixed("PULS_")
            .filter(|k| k.as_str().contains("__"))
            .split("__"),
    );
    if let Some(db) = db {
        fig = fig.merge(Serialized::default("database.url", db));
    }
    if let Some(listen) = listen {
        fig = fig.merge(Serialized::default("http.listen", listen));
    }
    fig.extract().context("reading the configuration")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_is_the_default_config() {
        let parsed: Config = Figment::from(Toml::string(EXAMPLE)).extract().unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn flags_override_the_file() {
        let dir = std::env::temp_dir().join(format!("puls-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("puls.toml");
        std::fs::write(
            &f,
            "[database]\nurl = \"sqlite://file.db\"\n[http]\nlisten = \"0.0.0.0:9000\"\n",
        )
        .unwrap();
        let c = load(Some(&f), Some("sqlite://flag.db"), None).unwrap();
        assert_eq!(c.database.url, "sqlite://flag.db");
        assert_eq!(c.http.listen, "0.0.0.0:9000");
    }

    #[test]
    fn unknown_keys_in_the_file_are_rejected() {
        let dir = std::env::temp_dir().join(format!("puls-settings-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("puls.toml");
        std::fs::write(&f, "[database]\nurll = \"sqlite://x.db\"\n").unwrap();
        assert!(load(Some(&f), None, None).is_err());
    }
}
