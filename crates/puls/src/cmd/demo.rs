//! `puls demo`: seed a workspace with the demo e-shop's surveys, a year of responses, and
//! the shop's contacts with a year of their behavioural events.
//!
//! Deterministic for a seed. `--touchpoints N` spreads the responses over N finer touchpoints
//! (for benchmarks at scale); `--contacts` and `--events` size the behavioural data, which
//! fits the responses (see `puls_demo::Behaviour`). Generation runs on its own thread and
//! hands batches to the writer, so generating and storing overlap; each batch is one
//! transaction. Running it again replaces the surveys and their responses, updates the
//! contacts in place and adds no event twice (message ids are deterministic and the store
//! keeps the first of each).

use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use puls_app::App;
use puls_app::definitions::ECOMMERCE_TEMPLATE;
use puls_app::text_aspects::{AspectInput, AspectLabels, Keywords};
use puls_core::response::answers_to_value;
use puls_core::{ResponseId, Survey, SurveyId, WorkspaceId};
use puls_demo::{Behaviour, DemoEvent};
use puls_store::json::{JsonMap, JsonText};
use puls_store::{
    ContactChange, ContactFields, ContactLookup, ContactOutcome, ContactUpsert, NewEvent,
    NewResponse, SurveyStatus, TrackBatch, WriteOp, WriteOutcome, json,
};
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
    /// Number of contacts (`cust-000001`...). Default: the customers the responses are
    /// drawn from (a third of `--responses`), so every respondent has a contact.
    #[arg(long, value_name = "N")]
    contacts: Option<u64>,
    /// Number of behavioural events over the last 365 days (product views, carts, orders,
    /// deliveries, support, returns, ...; anonymous visitors' included). Default: 40 per
    /// contact.
    #[arg(long, value_name = "N")]
    events: Option<u64>,
    /// Workspace slug.
    #[arg(long, default_value = "demo")]
    workspace: String,
    /// Do not create an API key.
    #[arg(long)]
    no_key: bool,
}

/// Responses per transaction.
const BATCH: usize = 5_000;
/// Contacts per transaction.
const CONTACT_BATCH: usize = 1_000;
/// Events per transaction.
const EVENT_BATCH: usize = 5_000;

/// What the generator thread hands the writer.
enum Work {
    Responses(Vec<WriteOp>),
    Contacts(Vec<ContactUpsert>),
    Events(TrackBatch),
}

/// Seeds the demo workspace. Surveys, journeys and segments are created as any user's are
/// (through the application); the year of responses, contacts and events goes to the store
/// in bulk, as a generator of test data may, bypassing the per-request writer.
pub async fn run(app: &App, args: Args) -> anyhow::Result<()> {
    let store = app.store().clone();
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
    let contacts = args.contacts.unwrap_or(responses.customers());
    let events = args
        .events
        .unwrap_or(contacts.saturating_mul(puls_demo::EVENTS_PER_CONTACT));
    let behaviour = Behaviour::new(args.seed, now, &surveys, contacts, events);
    let ws = store
        .ensure_workspace(&args.workspace, "Demo e-shop")
        .await?;

    let mut records = Vec::with_capacity(demos.len());
    for d in &demos {
        // A fresh demo each time: the survey is replaced with its responses.
        let id =
            SurveyId::parse(d.key).map_err(|e| anyhow::anyhow!("demo survey id {}: {e}", d.key))?;
        if store.get_survey(ws.id, &id).await?.is_some() {
            store.delete_survey(ws.id, &id).await?;
        } else if store.get_survey_public(&id).await?.is_some() {
            anyhow::bail!("survey id {} is taken by another workspace", d.key);
        }
        let r = app
            .create_survey(ws.id, &d.definition, Some(&id), SurveyStatus::Published)
            .await
            .map_err(|e| anyhow::anyhow!("creating demo survey {}: {e}", d.key))?;
        records.push(r);
    }

    let style = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, eta {eta})")
        .context("progress bar template")?;
    let bar = ProgressBar::new(args.responses);
    bar.set_style(style.clone());
    bar.set_message("responses");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Work>(4);
    let meta: Vec<(SurveyId, i64)> = records.iter().map(|r| (r.id.clone(), r.version)).collect();
    let (seed, workspace_id) = (args.seed, ws.id);
    let generator = std::thread::spawn(move || {
        generate(responses, behaviour, &meta, seed, workspace_id, &tx);
    });

    // Shown once the responses are written.
    let event_bar = ProgressBar::hidden();
    event_bar.set_style(style);
    event_bar.set_length(events);
    let mut events_started = false;
    let (mut stored_contacts, mut refused_contacts, mut repeated_events) = (0u64, 0u64, 0u64);
    while let Some(work) = rx.recv().await {
        match work {
            Work::Responses(batch) => {
                store
                    .write_batch(&batch)
                    .await
                    .context("storing demo responses")?;
                bar.inc(batch.len() as u64);
            }
            Work::Contacts(batch) => {
                start_events(&bar, &event_bar, &mut events_started);
                for outcome in store
                    .upsert_contacts(ws.id, &batch)
                    .await
                    .context("storing demo contacts")?
                {
                    match outcome {
                        ContactOutcome::Created(_)
                        | ContactOutcome::Updated(_)
                        | ContactOutcome::Unchanged(_) => stored_contacts += 1,
                        _ => refused_contacts += 1,
                    }
                }
                event_bar.set_message(format!("events ({stored_contacts} contacts)"));
            }
            Work::Events(batch) => {
                start_events(&bar, &event_bar, &mut events_started);
                for outcome in store
                    .write_batch(&[WriteOp::Track(batch)])
                    .await
                    .context("storing demo events")?
                {
                    if let WriteOutcome::Tracked { stored, repeated } = outcome {
                        repeated_events += repeated as u64;
                        event_bar.inc((stored + repeated) as u64);
                    }
                }
            }
        }
    }
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the demo generator panicked"))?;
    bar.finish();
    if events_started {
        event_bar.finish();
    }

    define_journey_and_segments(app, ws.id).await?;

    let base = app.config().known_public_url();
    eprintln!(
        "\nDemo workspace '{}' has {} surveys and {} responses at {} touchpoints{}",
        ws.slug,
        records.len(),
        args.responses,
        touchpoints.len(),
        match base {
            Some(_) => ":",
            // Nothing to link to before `serve` has picked its port.
            None => " (links: the address `puls serve` prints, then /s/<survey id>):",
        }
    );
    for r in &records {
        let title = words_within(&r.title, TITLE_WIDTH);
        match &base {
            Some(base) => eprintln!("  {title:<TITLE_WIDTH$} {base}/s/{}", r.id),
            None => eprintln!("  {title:<TITLE_WIDTH$} {}", r.id),
        }
    }
    if let Some(base) = &base {
        eprintln!("The web app: {base}/app (run `puls serve` first).");
    }
    if contacts > 0 || events > 0 {
        eprintln!("{contacts} contacts and {events} behavioural events over the same year.");
    }
    eprintln!(
        "Journey 'eshop' (GET /api/v1/journeys/eshop/map, /funnel); segments: {}.",
        DEMO_SEGMENTS
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if refused_contacts > 0 {
        eprintln!(
            "{refused_contacts} demo contacts were left as they were: their external id or \
             email belongs to another contact of the workspace."
        );
    }
    if repeated_events > 0 {
        eprintln!(
            "{repeated_events} events were stored by an earlier run (same message ids) and kept \
             as they were."
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

/// Generates the responses, then the contacts and their events, in batches for the writer;
/// stops early when the writer has gone (it failed).
fn generate(
    responses: puls_demo::Generator,
    mut behaviour: Behaviour,
    meta: &[(SurveyId, i64)],
    seed: u64,
    workspace_id: WorkspaceId,
    tx: &tokio::sync::mpsc::Sender<Work>,
) {
    let mut ids = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut batch = Vec::with_capacity(BATCH);
    for r in responses {
        behaviour.observe(&r);
        let (survey_id, version) = &meta[r.survey];
        let answers = JsonText::encode(&answers_to_value(&r.answers));
        let id = ulid::Ulid::from_parts(r.created_at_ms as u64, ids.random()).to_string();
        batch.push(WriteOp::Insert(NewResponse {
            // The text of a ULID is always a response id.
            id: ResponseId::parse(&id).expect("a ULID is a response id"),
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
            attributes: JsonText::strings(&r.meta.attributes),
            answers,
            created_at: r.created_at_ms,
        }));
        if batch.len() == BATCH
            && tx
                .blocking_send(Work::Responses(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(BATCH),
                )))
                .is_err()
        {
            return;
        }
    }
    if !batch.is_empty() && tx.blocking_send(Work::Responses(batch)).is_err() {
        return;
    }

    // Then the contacts and their events, which fit the responses just generated.
    let mut people = Vec::with_capacity(CONTACT_BATCH);
    let mut track = TrackBatch {
        workspace_id,
        events: Vec::with_capacity(EVENT_BATCH),
        links: Vec::new(),
        contacts: Vec::new(),
        triggers: Vec::new(),
    };
    for person in behaviour.people() {
        if let Some(c) = person.contact {
            people.push(upsert(&c.contact));
            if people.len() == CONTACT_BATCH
                && tx
                    .blocking_send(Work::Contacts(std::mem::replace(
                        &mut people,
                        Vec::with_capacity(CONTACT_BATCH),
                    )))
                    .is_err()
            {
                return;
            }
        }
        for e in person.events {
            if let (Some(anonymous), Some(user)) = (&e.anonymous_id, &e.user_id)
                && !track
                    .links
                    .last()
                    .is_some_and(|(a, u)| a == anonymous && u == user)
            {
                track.links.push((anonymous.clone(), user.clone()));
            }
            track.events.push(new_event(e));
            if track.events.len() == EVENT_BATCH {
                let full = TrackBatch {
                    workspace_id,
                    events: std::mem::replace(&mut track.events, Vec::with_capacity(EVENT_BATCH)),
                    links: std::mem::take(&mut track.links),
                    contacts: Vec::new(),
                    triggers: Vec::new(),
                };
                if tx.blocking_send(Work::Events(full)).is_err() {
                    return;
                }
            }
        }
    }
    if !people.is_empty() && tx.blocking_send(Work::Contacts(people)).is_err() {
        return;
    }
    if !track.events.is_empty() {
        let _ = tx.blocking_send(Work::Events(track));
    }
}

/// Shows the events' progress bar once the responses are written.
fn start_events(responses: &ProgressBar, events: &ProgressBar, started: &mut bool) {
    if !*started {
        *started = true;
        responses.finish();
        events.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        events.set_message("events");
    }
}

/// Creates the demo contact, or makes the contact with its external id that contact again.
fn upsert(contact: &puls_core::contact::Contact) -> ContactUpsert {
    let fields = puls_app::contact_fields::fields_of(contact);
    ContactUpsert {
        lookup: ContactLookup {
            external_id: fields.external_id.clone(),
            ..ContactLookup::default()
        },
        create: true,
        change: ContactChange(Arc::new(move |f: &mut ContactFields| {
            f.clone_from(&fields);
            Ok(())
        })),
        message_id: None,
    }
}

/// A demo event as the store keeps it: properties as JSON text, received when it happened.
fn new_event(e: DemoEvent) -> NewEvent {
    let properties: JsonMap = e
        .properties
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    let empty = JsonText::object(&JsonMap::new());
    NewEvent {
        message_id: e.message_id,
        kind: e.kind.as_str().to_string(),
        name: e.name.to_string(),
        user_id: e.user_id,
        anonymous_id: e.anonymous_id,
        timestamp: e.timestamp_ms,
        received_at: e.timestamp_ms,
        properties: JsonText::object(&properties),
        context: empty.clone(),
        extra: empty,
    }
}

/// The demo's segments: the story's groups of customers.
const DEMO_SEGMENTS: [(&str, &str); 5] = [
    (
        "late-delivery",
        r#"{"key": "late-delivery", "name": {"pl": "Spóźniona dostawa", "cs": "Opožděné doručení", "en": "Late delivery"},
            "rule": {"event": "Order Delivered", "where": [{"property": "late", "op": "eq", "value": true}]}}"#,
    ),
    (
        "detractors",
        r#"{"key": "detractors", "name": {"pl": "Krytycy", "cs": "Kritici", "en": "Detractors"},
            "rule": {"feedback": "nps", "op": "lte", "value": 6}}"#,
    ),
    (
        "regulars",
        r#"{"key": "regulars", "name": {"pl": "Stali klienci", "cs": "Stálí zákazníci", "en": "Regulars"},
            "rule": {"event": "Order Completed", "min": 3, "within_days": 365}}"#,
    ),
    (
        "vip",
        r#"{"key": "vip", "name": "VIP", "rule": {"attribute": "vip", "op": "eq", "value": true}}"#,
    ),
    (
        "unhappy-regulars",
        r#"{"key": "unhappy-regulars", "name": {"pl": "Niezadowoleni stali klienci", "cs": "Nespokojení stálí zákazníci", "en": "Unhappy regulars"},
            "rule": {"all": [{"event": "Order Completed", "min": 2, "within_days": 90},
                             {"feedback": "nps", "op": "lte", "value": 6}]}}"#,
    ),
];

/// Defines the e-commerce journey (the template), the demo's segments and its own aspect of
/// open answers, replacing any of the same keys.
async fn define_journey_and_segments(app: &App, workspace_id: WorkspaceId) -> anyhow::Result<()> {
    let template = json::from_text(ECOMMERCE_TEMPLATE)
        .map_err(|e| anyhow::anyhow!("the journey template: {e}"))?;
    app.save_journey(workspace_id, None, &template)
        .await
        .map_err(|e| anyhow::anyhow!("the journey template: {e}"))?;
    for (key, text) in DEMO_SEGMENTS {
        let value =
            json::from_text(text).map_err(|e| anyhow::anyhow!("demo segment {key}: {e}"))?;
        app.save_segment(workspace_id, Some(key), &value)
            .await
            .map_err(|e| anyhow::anyhow!("demo segment {key}: {e}"))?;
    }
    // An aspect of the shop's own (text analysis): what customers write about the parcel
    // lockers, beside the built-in delivery.
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    app.save_text_aspect(
        workspace_id,
        "parcel_locker",
        AspectInput {
            labels: Some(AspectLabels {
                pl: "Paczkomaty".into(),
                cs: "Výdejní boxy".into(),
                en: "Parcel lockers".into(),
            }),
            keywords: Keywords {
                pl: words(&["paczkomat*", "automat* paczkow*"]),
                cs: words(&["box*", "zásilkovn*", "výdejní box*"]),
                en: words(&["locker*", "parcel locker*"]),
            },
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo's own aspect: {e}"))?;
    Ok(())
}

/// How wide the survey titles' column is in `puls demo`'s summary.
const TITLE_WIDTH: usize = 28;

/// `text` cut to at most `width` characters at a word boundary, with `…` where it was cut;
/// a single word longer than `width` is cut inside it, since nothing else fits.
fn words_within(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    // Room for the ellipsis.
    let room: String = text.chars().take(width - 1).collect();
    let next_is_space = text.chars().nth(width - 1).is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        room.as_str()
    } else {
        room.rsplit_once(char::is_whitespace)
            .map_or(room.as_str(), |(head, _)| head)
    };
    format!("{}…", kept.trim_end_matches([' ', ',', ':', ';', '-', '–']))
}

#[cfg(test)]
mod tests {
    use super::{DEMO_SEGMENTS, words_within};

    #[test]
    fn the_demo_segments_are_valid_and_keyed_as_listed() {
        for (key, text) in DEMO_SEGMENTS {
            let value = puls_store::json::from_text(text).expect("JSON");
            let def = puls_core::audience::SegmentDef::parse(&value).expect("a valid segment");
            assert_eq!(def.key.as_str(), key);
        }
    }

    #[test]
    fn titles_are_cut_between_words() {
        assert_eq!(words_within("Delivery feedback", 28), "Delivery feedback");
        assert_eq!(
            words_within("Jak hodnotíte doručení objednávky kurýrem?", 28),
            "Jak hodnotíte doručení…"
        );
        assert_eq!(words_within("Checkout – web and app", 12), "Checkout…");
        assert_eq!(words_within("Supercalifragilistic", 8), "Superca…");
        assert_eq!(words_within("ab cd", 3), "ab…");
    }
}
