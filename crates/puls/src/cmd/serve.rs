//! `puls serve`: run the HTTP server until Ctrl-C or SIGTERM.

use puls_app::{App, Config};
use puls_http::AppState;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the configuration).
    #[arg(long)]
    pub listen: Option<String>,
}

pub async fn run(settings: Config, _args: Args) -> anyhow::Result<()> {
    let store = super::connect(&settings).await?;
    let listener = tokio::net::TcpListener::bind(&settings.http.listen)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {}: {e}", settings.http.listen))?;
    let addr = listener.local_addr()?;
    let warm_up = settings.analytics.warm_up;
    let webhooks = settings.webhooks.clone();
    let mailer = puls_send::mailer(&settings.smtp)?;
    let outbox = settings.outbox.enabled;
    let app = App::new(store.clone(), settings);
    let state = AppState::new(app.clone());
    // The outbox: this node sends webhooks, and claims through the database so that any
    // number of nodes share the work without sending a job twice at once.
    if outbox {
        let transport = puls_send::HttpTransport::new(&webhooks)?;
        puls_send::spawn_worker(app.clone(), std::sync::Arc::new(transport), mailer);
    }
    // Text analysis of stored open answers, claimed through the database like the outbox
    // (a node without the model installed does nothing).
    if state.config.text.analyse_answers {
        puls_app::text_queue::spawn_text_worker(app.clone(), puls_send::node_name());
    }
    if let Some(addr) = &state.config.metrics.listen {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("listening for metrics on {addr}: {e}"))?;
        tracing::info!(addr = %metrics.local_addr()?, "Prometheus metrics at /metrics");
        let metrics_state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = puls_http::serve_metrics(metrics, metrics_state).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    if warm_up {
        tokio::spawn(async move { app.analytics().warm_up().await });
    }
    tracing::info!(backend = store.backend(), %addr, "Puls is listening");
    say(format_args!(
        "Puls is running at http://{addr} (database: {})",
        store.backend()
    ));
    let base = match &state.config.http.public_url {
        Some(_) => state.public_url.clone(),
        None => format!("http://{addr}"),
    };
    match store.user_count().await {
        Ok(0) => match store.create_setup_token(24 * 3_600_000).await {
            Ok(Some(token)) => say(format_args!(
                "No one can sign in yet. Create the first owner (link valid 24 hours, once):\n  \
                 {base}/app/setup?token={token}\n  or run: puls user create --email ... --name ..."
            )),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not create a setup token"),
        },
        Ok(_) => say(format_args!("Web app: {base}/app")),
        Err(e) => tracing::warn!(error = %e, "could not count users"),
    }
    if let Ok(Some(ws)) = store.workspace_by_slug("demo").await
        && let Ok(surveys) = store.list_surveys(ws.id).await
        && let Some(s) = surveys
            .iter()
            .find(|s| s.status == puls_store::SurveyStatus::Published)
    {
        say(format_args!("Demo survey: {}/s/{}", state.public_url, s.id));
    }
    puls_http::serve(listener, state, shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

/// A line for the person who started the server, on stderr. Unlike `eprintln!`, a closed
/// stderr (`puls serve 2>&1 | head -1`, a supervisor that stopped reading) does not stop
/// the server: the line is dropped.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}
