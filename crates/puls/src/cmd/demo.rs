//! `puls demo`: seed a workspace with the demo e-shop's surveys and a year of responses.
//!
//! Deterministic for a seed. `--touchpoints N` spreads the responses over N finer touchpoints
//! (for benchmarks at scale). Generation runs on its own thread and hands batches to the
//! writer, so generating and storing overlap; each batch is one transaction.

use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use puls_core::Survey;
use puls_core::response::answers_to_value;
use puls_store::{NewResponse, Store, SurveyStatus, WriteOp};
use rand::{Rng, SeedableRng};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seed for the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of responses over the last 365 days.
    #[arg(long, default_value_t = 50_000)]
    responses: u64,
    /// Spread the responses over this many distinct touchpoints (6 to 26), splitting the
    /// surveys' own six into finer ones: checkout web/app/marketplace, delivery by courier
    /// partner, returns online or per store, and so on. Default: the surveys' own touchpoints.
    #[arg(long, value_name = "N")]
    touchpoints: Option<usize>,
    /// Workspace slug.
    #[arg(long, default_value = "demo")]
    workspace: String,
    /// Do not create an API key.
    #[arg(long)]
    no_key: bool,
}

/// Responses per transaction.
const BATCH: usize = 5_000;

pub async fn run(
    store: Arc<dyn Store>,
    settings: &puls_server::Config,
    args: Args,
) -> anyhow::Result<()> {
    puls_core::WorkspaceSlug::parse(&args.workspace)
        .map_err(|e| anyhow::anyhow!("workspace: {e}"))?;
    let demos = puls_demo::surveys();
    let mut surveys = Vec::with_capacity(demos.len());
    for d in &demos {
        surveys.push(
            Survey::parse(&d.definition)
                .map_err(|e| anyhow::anyhow!("demo survey {}: {e}", d.key))?,
        );
    }
    let now = puls_store::now_ms();
    // Checked before any survey or response is written, so a wrong count changes no data.
    let mut responses = puls_demo::Generator::new(args.seed, args.responses, now, &surveys);
    if let Some(n) = args.touchpoints {
        responses = responses.with_touchpoints(n).context("--touchpoints")?;
    }
    let touchpoints = responses.touchpoints();
    let ws = store
        .ensure_workspace(&args.workspace, "Demo e-shop")
        .await?;

    let mut records = Vec::with_capacity(demos.len());
    for d in &demos {
        // A fresh demo each time: the survey is replaced with its responses.
        if store.get_survey(ws.id, d.key).await?.is_some() {
            store.delete_survey(ws.id, d.key).await?;
        } else if store.get_survey_public(d.key).await?.is_some() {
            anyhow::bail!("survey id {} is taken by another workspace", d.key);
        }
        let r = puls_server::create_from_definition(
            &*store,
            ws.id,
            &d.definition,
            Some(d.key),
            SurveyStatus::Published,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating demo survey {}: {e}", d.key))?;
        records.push(r);
    }

    let bar = ProgressBar::new(args.responses);
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, eta {eta})")
            .context("progress bar template")?,
    );
    bar.set_message("responses");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<WriteOp>>(4);
    let meta: Vec<(String, i64)> = records.iter().map(|r| (r.id.clone(), r.version)).collect();
    let (seed, workspace_id) = (args.seed, ws.id);
    let generator = std::thread::spawn(move || {
        let mut ids = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let mut batch = Vec::with_capacity(BATCH);
        for r in responses {
            let (survey_id, version) = &meta[r.survey];
            let answers = puls_server::to_json(&answers_to_value(&r.answers)).to_string();
            batch.push(WriteOp::Insert(NewResponse {
                id: ulid::Ulid::from_parts(r.created_at_ms as u64, ids.random()).to_string(),
                workspace_id,
                survey_id: survey_id.clone(),
                survey_version: *version,
                completed: r.completed,
                channel: r.meta.channel.as_str().to_string(),
                touchpoint: r.meta.touchpoint.to_string(),
                locale: r.meta.locale.to_string(),
                contact_external_id: r.meta.contact_external_id,
                contact_email: r.meta.contact_email,
                invitation_token: r.meta.invitation_token,
                idempotency_key: None,
                resume_token: None,
                attributes: serde_json::to_string(&r.meta.attributes)
                    .unwrap_or_else(|_| "{}".into()),
                answers,
                created_at: r.created_at_ms,
            }));
            if batch.len() == BATCH
                && tx
                    .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .is_err()
            {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
    });
    while let Some(batch) = rx.recv().await {
        store
            .write_batch(&batch)
            .await
            .context("storing demo responses")?;
        bar.inc(batch.len() as u64);
    }
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the demo generator panicked"))?;
    bar.finish();

    let base = settings.public_url();
    eprintln!(
        "\nDemo workspace '{}' has {} surveys and {} responses at {} touchpoints:",
        ws.slug,
        records.len(),
        args.responses,
        touchpoints.len()
    );
    for r in &records {
        eprintln!(
            "  {:<20} {base}/s/{}",
            r.title.chars().take(20).collect::<String>(),
            r.id
        );
    }
    if args.touchpoints.is_some() {
        let names: Vec<&str> = touchpoints.iter().map(|t| t.as_str()).collect();
        eprintln!("Touchpoints: {}", names.join(", "));
    }
    if !args.no_key {
        let (_, token) = store.create_api_key(ws.id, "demo").await?;
        eprintln!("API key for the demo workspace (shown once):");
        println!("{token}");
    }
    Ok(())
}
