//! `/app/w/{slug}/webhooks`: the workspace's webhooks (add, enable or disable, a new
//! secret shown once, delete) and the messages the outbox sent or will send, each with a
//! "send again". Owners and admins only (the outbound channels are the workspace's
//! settings); every action goes through the same application calls as the API.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::webhooks::WebhookChange;
use puls_app::{AppError, Rejection};
use puls_html::Text;
use puls_html::console::{JobRow, WebhookRow, WebhooksPage};
use puls_store::{JobFilter, JobState};

use super::auth::{Allowed, Member, need};
use super::overview::local_date_time;
use super::{Page, field, page_error, shell};
use crate::state::AppState;

/// A webhook event type in words.
fn event_text(event: &str) -> Option<Text> {
    Some(match event {
        "response.completed" => Text::EventResponseCompleted,
        "case.created" => Text::EventCaseCreated,
        "case.updated" => Text::EventCaseUpdated,
        "case.resolved" => Text::EventCaseResolved,
        "alert.fired" => Text::EventAlertFired,
        _ => return None,
    })
}

/// Renders the page, with a secret to show once or a refused URL and its problem.
async fn render(
    st: &AppState,
    m: &Member,
    new_secret: Option<(String, String)>,
    refused: Option<(String, String)>,
    notice: Option<Text>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = &st.app.analytics().config.time_zone;
    let when = |ms: i64| {
        let (date, time) = local_date_time(ms, tz);
        format!("{} {time}", puls_html::format::date(lang, &date))
    };
    let data = async {
        let hooks = st.app.webhooks(ws).await?;
        let filter = JobFilter {
            limit: 50,
            ..JobFilter::default()
        };
        let jobs = st.app.outbox_jobs(ws, &filter).await?;
        Ok::<_, AppError>((hooks, jobs))
    }
    .await;
    let (hooks, jobs) = match data {
        Ok(d) => d,
        Err(e) => return page_error(st, lang, e),
    };
    let url_of = |target: &str| {
        hooks
            .iter()
            .find(|h| h.id == target)
            .map_or_else(|| target.to_string(), |h| h.url.clone())
    };
    let (typed_url, problem) = refused.unzip();
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WebhooksPage {
        title: lang.t(Text::WebhooksTitle).to_string(),
        hooks: hooks
            .iter()
            .map(|h| WebhookRow {
                id: h.id.clone(),
                url: h.url.clone(),
                events: h.event_types.iter().filter_map(|e| event_text(e)).collect(),
                slack: h.format == "slack",
                language: puls_html::Lang::parse(&h.locale)
                    .unwrap_or(puls_html::Lang::En)
                    .name(),
                enabled: h.enabled(),
                disabled_reason: h.disabled_reason.clone().unwrap_or_default(),
                failures: h.failures,
                created: when(h.created_at),
            })
            .collect(),
        jobs: jobs
            .iter()
            .map(|j| JobRow {
                id: j.id.clone(),
                target: match j.channel.as_str() {
                    "email" => lang.t(Text::ChannelEmailJob).to_string(),
                    _ => url_of(&j.target_id),
                },
                // The event in words; a type Puls does not name stays as it is.
                event: match (event_text(&j.event_type), j.event_type.as_str()) {
                    (Some(t), _) => lang.t(t).to_string(),
                    (None, "webhook_disabled") => {
                        lang.t(Text::EmailWebhookDisabledSubject).to_string()
                    }
                    (None, "alert_fired") => lang.t(Text::EmailJobAlert).to_string(),
                    (None, "case_reply") => lang.t(Text::EmailJobReply).to_string(),
                    (None, "case_escalated") => lang.t(Text::EmailJobEscalated).to_string(),
                    (None, other) => other.to_string(),
                },
                state: match j.state {
                    JobState::Pending => Text::JobStatePending,
                    JobState::Delivered => Text::JobStateDelivered,
                    JobState::Failed => Text::JobStateFailed,
                },
                attempts: j.attempts,
                last_error: j.last_error.clone().unwrap_or_default(),
                created: when(j.created_at),
            })
            .collect(),
        new_secret,
        typed_url: typed_url.unwrap_or_default(),
        problem,
        notice,
        shell: shell(m, Text::NavSettings),
    };
    Page::render(st, status, lang, &page)
}

/// `GET /app/w/{slug}/webhooks`.
pub async fn page(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ManageWorkspace>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let notice = match q.get("notice").map(String::as_str) {
        Some("saved") => Some(Text::NoticeSaved),
        Some("replayed") => Some(Text::NoticeReplayed),
        _ => None,
    };
    render(&st, &m, None, None, notice).await
}

/// `POST /app/w/{slug}/webhooks`: one action, named by `action`.
pub async fn act(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ManageWorkspace>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = m.workspace.id;
    let id = field(&pairs, "id").unwrap_or("");
    let back = |notice: &str| {
        Redirect::to(&format!(
            "/app/w/{}/webhooks?notice={notice}",
            m.workspace.slug
        ))
        .into_response()
    };
    let fail = |e: AppError| match e {
        AppError::NotFound(_) => Page::not_found(&st, lang),
        e => page_error(&st, lang, e),
    };
    let change = |enabled| WebhookChange {
        enabled: Some(enabled),
        ..WebhookChange::default()
    };
    match field(&pairs, "action").unwrap_or("") {
        "create" => {
            let url = field(&pairs, "url").unwrap_or("").to_string();
            let events: Vec<String> = pairs
                .iter()
                .filter(|(k, _)| k == "event")
                .map(|(_, v)| v.clone())
                .collect();
            let format = match field(&pairs, "format") {
                Some("slack") => puls_app::webhooks::WebhookFormat::Slack,
                _ => puls_app::webhooks::WebhookFormat::Standard,
            };
            let locale = field(&pairs, "locale").unwrap_or(lang.code());
            match st
                .app
                .create_webhook(ws, &url, &events, "", format, Some(locale))
                .await
            {
                Ok(h) => render(&st, &m, Some((h.secret, h.url)), None, None).await,
                Err(AppError::Rejected(why, _)) => {
                    let text = match why {
                        Rejection::PrivateAddress => Text::WebhookUrlPrivate,
                        _ => Text::WebhookUrlInvalid,
                    };
                    let message = lang.t(text).to_string();
                    render(&st, &m, None, Some((url, message)), None).await
                }
                Err(AppError::Validation(errs)) => {
                    let message = errs
                        .0
                        .iter()
                        .map(|e| format!("{}: {}", e.path, lang.definition_error(&e.kind)))
                        .collect::<Vec<_>>()
                        .join("; ");
                    render(&st, &m, None, Some((url, message)), None).await
                }
                Err(e) => fail(e),
            }
        }
        action @ ("enable" | "disable") => {
            match st
                .app
                .update_webhook(ws, id, change(action == "enable"))
                .await
            {
                Ok(_) => back("saved"),
                Err(e) => fail(e),
            }
        }
        "rotate" => match st.app.rotate_webhook_secret(ws, id).await {
            Ok(h) => render(&st, &m, Some((h.secret, h.url)), None, None).await,
            Err(e) => fail(e),
        },
        // Destroying asks for the ticked box, as every page that destroys.
        "delete" if field(&pairs, "confirm") != Some("yes") => Page::message(
            &st,
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            Text::Error,
            Text::FieldRequired,
        ),
        "delete" => match st.app.delete_webhook(ws, id).await {
            Ok(()) => back("saved"),
            Err(e) => fail(e),
        },
        "replay" => match st.app.replay_job(ws, id).await {
            Ok(()) => back("replayed"),
            Err(e) => fail(e),
        },
        _ => Page::not_found(&st, lang),
    }
}
