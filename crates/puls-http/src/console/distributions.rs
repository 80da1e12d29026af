//! `/app/w/{slug}/distributions`: the workspace's surveys sent by e-mail, newest first, with
//! their counts and response rates, and the form that sends a published survey to all
//! contacts or a saved segment; a distribution's report (what became of every message,
//! why some were not sent, the plan in words, the first deliveries) with its "cancel"; and
//! a contact's invitations for their profile. The form builds the API's definition
//! (`docs/distributions.md`) and sends it through `App::create_distribution`, so it is
//! validated alike; its problems come back at their fields, in the author's language.
//!
//! Owners, admins and analysts (`EditSurveys`): sending a survey is part of running it, as
//! publishing and closing are; the relay itself is configured by the server's
//! administrator.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::distributions::DistributionReport;
use puls_app::{AppError, Rejection};
use puls_core::access::Permission;
use puls_core::distribution::{Audience, SendChannel};
use puls_core::{ContactId, FieldErrorKind, WorkspaceId};
use puls_html::console::{
    ContactDeliveryRow, CountRow, DeliveryRow, DistributionForm, DistributionPage, DistributionRow,
    DistributionsPage, OpensView, RateView, ReachPage, ReachRow, SelectOption,
};
use puls_html::{Lang, Text};
use puls_store::{DeliveryCounts, DeliveryRecord, DeliveryStatus, SurveyStatus};

use super::auth::{Allowed, Member, need};
use super::names::Names;
use super::overview::{local_date_time, option};
use super::{Page, field, missing_or_error, page_error, shell, title_in};
use crate::state::AppState;

/// Distributions per page of the list.
const PAGE: i64 = 50;
/// Deliveries shown on a distribution's page.
const DELIVERIES: i64 = 100;
/// A contact's invitations shown on their profile.
const INVITATIONS: i64 = 100;

/// A message's status in words.
pub(super) fn status_text(s: DeliveryStatus) -> Text {
    match s {
        DeliveryStatus::Queued => Text::DeliveryQueued,
        DeliveryStatus::Sent => Text::DeliverySent,
        DeliveryStatus::Failed => Text::DeliveryFailed,
        DeliveryStatus::Bounced => Text::DeliveryBounced,
        DeliveryStatus::Suppressed => Text::DeliverySuppressed,
        DeliveryStatus::Skipped => Text::DeliverySkipped,
    }
}

/// Why a message was not sent, in words; a reason Puls does not name yet is "another
/// reason", never its code.
pub(super) fn reason_text(reason: &str) -> Text {
    match reason {
        "no_address" => Text::DistReasonNoAddress,
        "consent_withdrawn" => Text::DistReasonConsentWithdrawn,
        "duplicate_address" => Text::DistReasonDuplicateAddress,
        "not_found" => Text::DistReasonNotFound,
        "cancelled" => Text::DistReasonCancelled,
        "suppressed" => Text::DistReasonSuppressed,
        "frequency_cap" => Text::DistReasonFrequencyCap,
        "quota_full" => Text::DistReasonQuotaFull,
        "not_sampled" => Text::DistReasonNotSampled,
        "provider_failed" => Text::DistReasonProviderFailed,
        _ => Text::DistReasonOther,
    }
}

/// A distribution's status in words.
fn distribution_status(s: &str) -> Text {
    match s {
        "preparing" => Text::DistStatusPreparing,
        "cancelled" => Text::DistStatusCancelled,
        _ => Text::DistStatusReady,
    }
}

/// The count of each status's label in a report.
fn count_label(s: DeliveryStatus) -> Text {
    match s {
        DeliveryStatus::Queued => Text::DistQueued,
        DeliveryStatus::Sent => Text::DistSent,
        DeliveryStatus::Failed => Text::DistFailed,
        DeliveryStatus::Bounced => Text::DistBounced,
        DeliveryStatus::Suppressed => Text::DistSuppressed,
        DeliveryStatus::Skipped => Text::DistSkipped,
    }
}

/// A local date and time in words: "07.12.2026 08:00".
pub(super) fn when(lang: Lang, tz: &str, ms: i64) -> String {
    let (date, time) = local_date_time(ms, tz);
    format!("{} {time}", puls_html::format::date(lang, &date))
}

/// When a message went, or is due to go, in words; empty when neither.
fn delivery_when(d: &DeliveryRecord, lang: Lang, tz: &str) -> String {
    match (d.sent_at, d.status, d.due_at) {
        (Some(at), _, _) => when(lang, tz, at),
        (None, DeliveryStatus::Queued, Some(due)) => {
            lang.fill(Text::DistDueAt, &[&when(lang, tz, due)])
        }
        _ => String::new(),
    }
}

/// The reason shown with a delivery's status (a bounce says why in its status).
fn delivery_reason(d: &DeliveryRecord) -> Option<Text> {
    d.reason.as_deref().map(reason_text)
}

/// A response rate as the pages show rates: "40 %", its 95 % interval, small or not.
pub(super) fn rate_view(lang: Lang, p: &puls_core::stats::Proportion) -> RateView {
    // Whole percents, but one decimal for rates whose interval stays under 10 % (so 0 of
    // 1,000 reads "0.0 % (0.0–0.4 %)", not "0–0 %").
    let digits = match p.interval {
        Some(i) if i.high < 10.0 => 1,
        _ => 0,
    };
    let pct = |v: f64| puls_html::format::number(lang, v, digits);
    RateView {
        value: p
            .value
            .map_or_else(|| "–".to_string(), |v| format!("{} %", pct(v))),
        interval: p
            .interval
            .map_or_else(String::new, |i| format!("{}–{} %", pct(i.low), pct(i.high))),
        small: p.small_sample && p.n > 0,
        n: p.n,
    }
}

/// The workspace's published surveys as choices, by title, and every survey's title by
/// id, in the page's language.
pub(super) async fn surveys_of(
    st: &AppState,
    ws: WorkspaceId,
    lang: Lang,
) -> Result<(Vec<SelectOption>, BTreeMap<String, String>), AppError> {
    let records = st.app.surveys(ws).await?;
    let defs = st.app.analytics().current_surveys(ws).await?;
    let mut published = Vec::new();
    let mut titles = BTreeMap::new();
    for r in &records {
        let id = r.id.as_str();
        let title = defs
            .get(id)
            .map_or_else(|| r.title.clone(), |d| title_in(d, lang.code()));
        if r.status == SurveyStatus::Published {
            published.push(option(id, &title));
        }
        titles.insert(id.to_string(), title);
    }
    published.sort_by(|a, b| a.text.cmp(&b.text));
    Ok((published, titles))
}

/// A survey's title, or "Survey" when it is gone.
pub(super) fn title_of(titles: &BTreeMap<String, String>, id: &str, lang: Lang) -> String {
    titles
        .get(id)
        .cloned()
        .unwrap_or_else(|| lang.t(Text::Survey).to_string())
}

/// A distribution as a row of the list: its counts in numbers, its rate with the interval.
fn row(
    r: &DistributionReport,
    titles: &BTreeMap<String, String>,
    lang: Lang,
    tz: &str,
) -> DistributionRow {
    let (date, time) = local_date_time(r.record.created_at, tz);
    DistributionRow {
        id: r.record.id.clone(),
        name: r.record.name.clone(),
        survey: title_of(titles, r.record.survey_id.as_str(), lang),
        date,
        time,
        status: distribution_status(&r.record.status),
        recipients: recipients(r),
        sent: r.count(DeliveryStatus::Sent),
        bounced: r.count(DeliveryStatus::Bounced),
        suppressed: r.count(DeliveryStatus::Suppressed),
        skipped: r.count(DeliveryStatus::Skipped),
        reminders: r.counts.reminders,
        completed: r.counts.completed,
        rate: rate_view(lang, &r.response_rate()),
    }
}

/// A distribution's recipients as counted (while it is prepared, those so far).
fn recipients(r: &DistributionReport) -> i64 {
    r.counts.total()
}

/// A cursor of the list: a distribution's id (letters, digits, `_`, `-`).
fn cursor(c: &str) -> Option<&str> {
    (!c.is_empty()
        && c.len() <= 100
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    .then_some(c)
}

/// The list (before the cursor `before`) with the form as `form` holds it.
async fn list_page(
    st: &AppState,
    m: &Member,
    form: DistributionForm,
    before: Option<&str>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let data = async {
        let (surveys, titles) = surveys_of(st, ws, lang).await?;
        let segments = Names::load(st, ws, lang).await?.segment_options();
        let reports = st.app.distributions(ws, before, PAGE + 1).await?;
        Ok::<_, AppError>((surveys, titles, segments, reports))
    }
    .await;
    let (surveys, titles, segments, mut reports) = match data {
        Ok(d) => d,
        Err(e) => return page_error(st, lang, e),
    };
    let more = reports.len() as i64 > PAGE;
    reports.truncate(PAGE as usize);
    let rows: Vec<DistributionRow> = reports.iter().map(|r| row(r, &titles, lang, &tz)).collect();
    let older = more.then(|| reports.last()).flatten().map(|r| {
        format!(
            "?{}",
            serde_urlencoded::to_string([("before", &r.record.id)]).unwrap_or_default()
        )
    });
    let status = if form.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DistributionsPage {
        title: lang.t(Text::NavDistributions).into(),
        small_samples: rows.iter().any(|r| r.rate.small),
        rows,
        older,
        form,
        surveys,
        segments,
        channels: channels(st, lang),
        email_off: st.app.config().smtp.host.is_none(),
        time_zone: tz,
        shell: shell(m, Text::NavDistributions),
    };
    Page::render(st, status, lang, &page)
}

/// The channels the server is configured to send on, named in `lang`.
fn channels(st: &AppState, lang: Lang) -> Vec<SelectOption> {
    let config = st.app.config();
    SendChannel::ALL
        .into_iter()
        .filter(|c| match config.provider(*c) {
            None => config.smtp.host.is_some(),
            Some(p) => p.url.is_some(),
        })
        .map(|c| SelectOption {
            value: c.as_str().into(),
            text: puls_core::Channel::parse(c.as_str()).map_or_else(
                |_| c.as_str().to_string(),
                |ch| lang.t(Text::channel(ch)).into(),
            ),
            label: None,
        })
        .collect()
}

/// `GET /app/w/{slug}/reach?survey=ID&segment=KEY`: a survey's messages by channel, for
/// everyone or a segment's members.
#[tracing::instrument(skip_all)]
pub async fn reach(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let data = async {
        let (surveys, _) = surveys_of(&st, ws, lang).await?;
        let segments = Names::load(&st, ws, lang).await?.segment_options();
        let survey = q
            .get("survey")
            .filter(|s| !s.is_empty())
            .cloned()
            .or_else(|| surveys.first().map(|s| s.value.clone()))
            .unwrap_or_default();
        let segment = q.get("segment").cloned().unwrap_or_default();
        let reach = match puls_wire::path::survey(&survey) {
            Ok(id) if !survey.is_empty() => {
                st.app
                    .survey_reach(ws, &id, Some(segment.as_str()).filter(|s| !s.is_empty()))
                    .await?
            }
            _ => Vec::new(),
        };
        Ok::<_, AppError>((surveys, segments, survey, segment, reach))
    }
    .await;
    let (surveys, segments, survey, segment, reach) = match data {
        Ok(d) => d,
        Err(AppError::NotFound(_)) => return Page::not_found(&st, lang),
        Err(e) => return page_error(&st, lang, e),
    };
    // Each channel, then all of them.
    let mut rows: Vec<ReachRow> = Vec::new();
    let mut all = None;
    for (channel, c) in &reach {
        let row = ReachRow {
            channel: puls_core::Channel::parse(channel)
                .map_or(Text::ReachAllChannels, Text::channel),
            recipients: c.total(),
            sent: c.count(DeliveryStatus::Sent),
            failed: c.count(DeliveryStatus::Failed),
            bounced: c.count(DeliveryStatus::Bounced),
            suppressed: c.count(DeliveryStatus::Suppressed),
            skipped: c.count(DeliveryStatus::Skipped),
            started: c.started,
            completed: c.completed,
            rate: rate_view(lang, &puls_app::distributions::rate_of(c)),
        };
        if channel == "all" {
            all = Some(row);
        } else {
            rows.push(row);
        }
    }
    rows.extend(all);
    let page = ReachPage {
        title: lang.t(Text::ReachTitle).into(),
        small_samples: rows.iter().any(|r| r.rate.small),
        surveys,
        survey,
        segments,
        segment,
        rows,
        shell: shell(&m, Text::NavDistributions),
    };
    Page::render(&st, StatusCode::OK, lang, &page)
}

/// `GET /app/w/{slug}/distributions`: the list and the form.
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let before = match q.get("before").map(|c| cursor(c)) {
        Some(None) => return Page::not_found(&st, m.signed.lang),
        Some(c) => c,
        None => None,
    };
    list_page(&st, &m, DistributionForm::blank(), before).await
}

/// The form as posted.
fn typed(pairs: &[(String, String)]) -> DistributionForm {
    let get = |k: &str| field(pairs, k).unwrap_or("").trim().to_string();
    DistributionForm {
        survey: get("survey"),
        name: get("name"),
        channel: get("channel"),
        audience: get("audience"),
        embed: field(pairs, "embed").is_some_and(|v| !v.is_empty()),
        reminders_count: get("reminders_count"),
        reminders_after: get("reminders_after"),
        send_at: get("send_at"),
        window_from: get("window_from"),
        window_to: get("window_to"),
        nonce: get("k"),
        ..DistributionForm::default()
    }
}

/// A whole number as typed (empty: `default`); anything else goes as text, for the core to
/// refuse at its path.
pub(super) fn number(typed: &str, default: i64) -> serde_json::Value {
    if typed.is_empty() {
        return default.into();
    }
    typed
        .parse::<i64>()
        .map_or_else(|_| typed.into(), Into::into)
}

/// A local date-time of the form (`2026-12-07T08:00`) in `tz` as an RFC 3339 instant; what
/// is not one goes as typed, for the core to refuse.
fn instant_in(typed: &str, tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    typed
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(zone).ok())
        .map_or_else(|| typed.to_string(), |z| z.timestamp().to_string())
}

/// The definition the form describes, in the API's format (`docs/distributions.md`); a
/// send time and a window are read in `tz`.
fn definition(f: &DistributionForm, tz: &str) -> serde_json::Value {
    let audience = match f.audience.as_str() {
        "all" | "" => serde_json::json!({ "all": true }),
        other => serde_json::json!({ "segment": other.strip_prefix("segment:").unwrap_or(other) }),
    };
    let mut d = serde_json::json!({
        "name": f.name,
        "channel": if f.channel.is_empty() { "email" } else { f.channel.as_str() },
        "audience": audience,
        "embed_first_question": f.embed,
        "reminders": {
            "count": number(&f.reminders_count, 0),
            "after_hours": number(&f.reminders_after, 72),
        },
    });
    if !f.send_at.is_empty() {
        d["send_at"] = instant_in(&f.send_at, tz).into();
    }
    if !f.window_from.is_empty() || !f.window_to.is_empty() {
        d["window"] = serde_json::json!({
            "hours": format!("{}-{}", f.window_from, f.window_to),
            "time_zone": tz,
        });
    }
    d
}

/// The form's field a definition's path is about; `None` for a path no field shows.
fn place(path: &str) -> Option<&'static str> {
    if path == "reminders.after_hours" {
        return Some("reminders_after");
    }
    Some(match path.split(['.', '[']).next().unwrap_or("") {
        "name" => "name",
        "channel" => "channel",
        "audience" => "audience",
        "embed_first_question" => "embed",
        "reminders" => "reminders_count",
        "send_at" => "send_at",
        "window" => "window",
        _ => return None,
    })
}

/// The form as typed with why it was refused, each problem at its field in `lang`; an
/// error that is not the author's to fix stays an error.
fn refused(
    lang: Lang,
    e: AppError,
    mut form: DistributionForm,
) -> Result<DistributionForm, AppError> {
    let segment = lang.t(Text::DistUnknownSegment);
    form.general = form_problems(lang, e, place, &mut form.errors, |why| {
        (why == Rejection::UnknownSegment).then_some(("audience", segment))
    })?;
    Ok(form)
}

/// A refused sending form's problems in `lang`: each at its field (`place` names the
/// field of a definition's path; `own` may place a rejection of this form's own), the
/// others returned to show above the form; an error that is not the author's to fix
/// stays an error. Shared by the distribution and trigger forms.
pub(super) fn form_problems(
    lang: Lang,
    e: AppError,
    place: fn(&str) -> Option<&'static str>,
    errors: &mut std::collections::BTreeMap<&'static str, String>,
    own: impl Fn(Rejection) -> Option<(&'static str, &'static str)>,
) -> Result<Vec<String>, AppError> {
    let mut at = |f: &'static str, message: String| {
        errors
            .entry(f)
            .and_modify(|m| {
                m.push(' ');
                m.push_str(&message);
            })
            .or_insert(message);
    };
    let mut general = Vec::new();
    match e {
        AppError::Validation(errs) => {
            for e in &errs.0 {
                let message = match (&e.kind, place(&e.path)) {
                    (FieldErrorKind::BadCondition { .. }, Some("embed")) => {
                        lang.t(Text::DistEmbedNotScore).to_string()
                    }
                    (kind, _) => lang.definition_error(kind),
                };
                match place(&e.path) {
                    Some(f) => at(f, message),
                    None => general.push(format!("{}: {message}", e.path)),
                }
            }
        }
        AppError::Rejected(why, message) => match why {
            Rejection::EmailNotConfigured => general.push(lang.t(Text::SmtpOff).to_string()),
            Rejection::SurveyNotPublished => at("survey", lang.t(Text::DistSurveyDraft).into()),
            Rejection::SurveyClosed => at("survey", lang.t(Text::DistSurveyClosed).into()),
            other => match own(other) {
                Some((field, text)) => at(field, text.to_string()),
                None => general.push(message),
            },
        },
        AppError::NotFound(_) => at("survey", lang.t(Text::DistPickSurvey).into()),
        AppError::InvalidParameter(message) => general.push(message),
        other => return Err(other),
    }
    Ok(general)
}

/// `POST /app/w/{slug}/distributions`: sends a survey as the form describes, then shows its
/// report; a refused form comes back as typed with its problems at their fields.
#[tracing::instrument(skip_all)]
pub async fn create(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let form = typed(&pairs);
    let tz = st.app.analytics().config.time_zone.clone();
    let def = puls_store::json::from_json(&definition(&form, &tz));
    let created = match puls_wire::path::survey(&form.survey) {
        Ok(survey) => {
            st.app
                .create_distribution(
                    m.workspace.id,
                    &survey,
                    &def,
                    Some(m.signed.user.id.to_string()),
                    Some(&form.nonce)
                        .filter(|k| !k.is_empty())
                        .map(|k| format!("form:{k}")),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(r) => Redirect::to(&format!(
            "/app/w/{}/distributions/{}?notice=created",
            m.workspace.slug, r.record.id
        ))
        .into_response(),
        Err(e) => match refused(lang, e, form) {
            Ok(form) => list_page(&st, &m, form, None).await,
            Err(e) => page_error(&st, lang, e),
        },
    }
}

/// A distribution's plan in words: whom, how, how often, when.
fn plan(
    r: &DistributionReport,
    segments: &[SelectOption],
    lang: Lang,
    tz: &str,
) -> Vec<(Text, String)> {
    let def = &r.def;
    let audience = match &def.audience {
        Audience::All => lang.t(Text::DistAudienceAll).to_string(),
        Audience::Segment(key) => {
            let name = segments
                .iter()
                .find(|s| s.value == *key)
                .map_or(key.as_str(), |s| s.text.as_str());
            lang.fill(Text::DistAudienceSegment, &[&name])
        }
        Audience::Contacts(ids) => lang.fill(
            Text::DistAudienceContacts,
            &[&puls_html::format::number(lang, ids.len() as f64, 0)],
        ),
    };
    let embed = lang.t(if def.embed_first_question {
        Text::DistEmbedYes
    } else {
        Text::DistEmbedNo
    });
    let reminders = if def.reminders.count > 0 {
        lang.fill(
            Text::DistRemindersPlan,
            &[&def.reminders.count, &def.reminders.after_hours],
        )
    } else {
        lang.t(Text::DistRemindersNone).to_string()
    };
    let window = match &def.window {
        Some(w) => {
            let value = puls_store::json::to_json(&def.to_value());
            let hours = value["window"]["hours"]
                .as_str()
                .unwrap_or_default()
                .replace('-', "–");
            lang.fill(Text::DistWindowPlan, &[&hours, &w.time_zone()])
        }
        None => lang.t(Text::DistWindowAny).to_string(),
    };
    let not_before = def.send_at.map_or_else(
        || lang.t(Text::DistSendNow).to_string(),
        |at| when(lang, tz, at),
    );
    let mut out = vec![
        (Text::DistAudience, audience),
        (Text::DistEmbedShort, embed.to_string()),
        (Text::DistReminders, reminders),
        (Text::DistHours, window),
        (Text::DistNotBefore, not_before),
    ];
    if let Some(sample) = sample_words(r, lang) {
        out.push((Text::DistSample, sample));
    }
    // With quotas per group, the total is among their progress rows.
    if let Some(q) = def
        .quota
        .as_ref()
        .filter(|q| q.per.is_empty())
        .and_then(|q| q.completed)
    {
        out.push((
            Text::DistQuota,
            lang.fill(
                Text::DistQuotaPlan,
                &[&puls_html::format::number(lang, q as f64, 0)],
            ),
        ));
    }
    out
}

/// A sample in words: the share drawn, or the margin of error's plan (responses needed,
/// the response rate counted on and where it came from, invitations per group, and the
/// groups too small for the margin).
fn sample_words(r: &DistributionReport, lang: Lang) -> Option<String> {
    let num = |x: f64, d: usize| puls_html::format::number(lang, x, d);
    match r.def.sample.as_ref()? {
        puls_core::distribution::Sample::Percent(p) => {
            Some(lang.fill(Text::DistSamplePercent, &[&num(f64::from(*p), 0)]))
        }
        puls_core::distribution::Sample::Margin {
            margin,
            confidence,
            by,
        } => {
            let plan: serde_json::Value = r
                .record
                .sample_plan
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_default();
            let mut s = lang.fill(
                Text::DistSampleMargin,
                &[
                    &num(*margin, usize::from(margin.fract() != 0.0)),
                    &num(confidence * 100.0, 0),
                ],
            );
            if let Some(by) = by {
                s.push(' ');
                s.push_str(&lang.fill(Text::DistSampleBy, &[&by.as_str()]));
            }
            let rate = plan["response_rate"].as_f64().unwrap_or(0.0) * 100.0;
            let source = lang.t(if plan["response_rate_measured"] == true {
                Text::DistSampleRateMeasured
            } else {
                Text::DistSampleRateAssumed
            });
            s.push_str(". ");
            s.push_str(&lang.fill(
                Text::DistSamplePlan,
                &[
                    &num(plan["responses_needed"].as_f64().unwrap_or(0.0), 0),
                    &num(rate, 0),
                    &source,
                    &num(plan["invites_per_group"].as_f64().unwrap_or(0.0), 0),
                ],
            ));
            // The spread the size counted on (plans made before it was recorded say
            // nothing of it).
            match plan["nps_variance_measured"].as_bool() {
                Some(true) => {
                    let sd = plan["nps_variance"].as_f64().unwrap_or(0.0).max(0.0).sqrt();
                    s.push(' ');
                    s.push_str(&lang.fill(
                        Text::DistSampleSpreadMeasured,
                        &[
                            &num(plan["nps_variance_from_answers"].as_f64().unwrap_or(0.0), 0),
                            &num(sd, 0),
                        ],
                    ));
                }
                Some(false) => {
                    s.push(' ');
                    s.push_str(lang.t(Text::DistSampleSpreadAssumed));
                }
                None => {}
            }
            let short: Vec<String> = plan["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|g| g["enough"] == false)
                .map(|g| {
                    let name = g["group"].as_str().unwrap_or_default();
                    if name.is_empty() {
                        lang.t(Text::DistSampleNoGroup).to_string()
                    } else {
                        name.to_string()
                    }
                })
                .collect();
            if !short.is_empty() {
                s.push(' ');
                s.push_str(&lang.fill(Text::DistSampleShort, &[&short.join(", ")]));
            }
            Some(s)
        }
    }
}

/// Each quota's progress in words ("Segment “Loyal”: 100 of 100 completed responses,
/// full"), the whole distribution's first, with what a full one does; groups are named
/// as people know them: a segment by its name, an answer by the question's and the
/// option's texts in the page's language (the survey's current version).
async fn quota_rows(
    st: &AppState,
    r: &DistributionReport,
    segments: &[SelectOption],
    lang: Lang,
) -> Result<Vec<(Text, String)>, AppError> {
    use puls_core::quota::{QuotaAnswer, QuotaGroup};
    let Some(quota) = &r.def.quota else {
        return Ok(Vec::new());
    };
    let survey = match quota.per.iter().any(|q| q.group.is_answer()) {
        false => None,
        true => match st.app.survey_record(&r.record.survey_id).await? {
            Some(rec) => Some(st.app.survey_version(&rec, rec.version).await?),
            None => None,
        },
    };
    let locale = |s: &puls_core::Survey| {
        puls_core::Locale::parse(lang.code()).unwrap_or_else(|_| s.default_locale.clone())
    };
    let num = |x: i64| puls_html::format::number(lang, x as f64, 0);
    let mut out: Vec<(Text, String)> = r
        .quotas
        .iter()
        .map(|p| {
            let name = match &p.group {
                None => lang.t(Text::DistQuotaAll).to_string(),
                Some(QuotaGroup::Segment(key)) => {
                    let name = segments
                        .iter()
                        .find(|s| s.value == *key)
                        .map_or(key.as_str(), |s| s.text.as_str());
                    lang.fill(Text::DistQuotaSegment, &[&name])
                }
                Some(QuotaGroup::Attribute { key, value }) => format!("{value} ({key})"),
                Some(QuotaGroup::Answer { question, answer }) => {
                    let q = survey
                        .as_deref()
                        .and_then(|s| Some((s, s.question(question)?)));
                    let text = q.map_or_else(
                        || question.to_string(),
                        |(s, q)| q.text.get(&locale(s), &s.default_locale).to_string(),
                    );
                    let said = match answer {
                        QuotaAnswer::Score(n) => num(*n),
                        QuotaAnswer::Choice(o) => q
                            .and_then(|(s, q)| match &q.kind {
                                puls_core::QuestionKind::SingleChoice { options, .. }
                                | puls_core::QuestionKind::MultipleChoice { options, .. } => {
                                    options.iter().find(|c| c.id == *o).map(|c| {
                                        c.text.get(&locale(s), &s.default_locale).to_string()
                                    })
                                }
                                _ => None,
                            })
                            .unwrap_or_else(|| o.to_string()),
                    };
                    lang.fill(Text::DistQuotaAnswer, &[&text, &said])
                }
            };
            let words = if p.full() {
                Text::DistQuotaCountFull
            } else {
                Text::DistQuotaCount
            };
            (
                Text::DistQuotaProgress,
                lang.fill(words, &[&name, &num(p.completed), &num(p.target)]),
            )
        })
        .collect();
    if !quota.per.is_empty() {
        out.push((
            Text::DistQuotaWhenFull,
            lang.t(Text::DistQuotaHeldBack).to_string(),
        ));
    }
    Ok(out)
}

/// Each status's count, with the reasons of those not sent (reasons Puls does not name
/// are counted together as "another reason"): a distribution's messages, or a trigger's.
pub(super) fn counts(c: &DeliveryCounts) -> Vec<CountRow> {
    DeliveryStatus::ALL
        .into_iter()
        .map(|s| {
            let mut reasons: Vec<(Text, i64)> = Vec::new();
            if matches!(s, DeliveryStatus::Skipped | DeliveryStatus::Failed) {
                for (_, reason, n) in c.by_status.iter().filter(|(st, _, _)| *st == s) {
                    let Some(reason) = reason else { continue };
                    let text = reason_text(reason);
                    match reasons.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, sum)) => *sum += n,
                        None => reasons.push((text, *n)),
                    }
                }
            }
            CountRow {
                label: count_label(s),
                n: c.by_status
                    .iter()
                    .filter(|(st, _, _)| *st == s)
                    .map(|(_, _, n)| n)
                    .sum(),
                reasons,
            }
        })
        .collect()
}

/// What a person knows a delivery's contact by, and whether they still exist.
pub(super) async fn contact_name(
    st: &AppState,
    ws: WorkspaceId,
    id: &str,
) -> Result<Option<String>, AppError> {
    let Ok(id) = ContactId::parse(id) else {
        return Ok(None);
    };
    match st.app.contact(ws, &id).await {
        Ok(c) => Ok(Some(super::contacts::display_name(&c))),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A distribution's report page.
async fn report_page(
    st: &AppState,
    m: &Member,
    id: &str,
    notice: Option<Text>,
) -> Result<DistributionPage, AppError> {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let slug = &m.workspace.slug;
    let tz = st.app.analytics().config.time_zone.clone();
    let r = st.app.distribution_report(ws, id).await?;
    let deliveries = st.app.deliveries(ws, id, "", DELIVERIES).await?;
    let (_, titles) = surveys_of(st, ws, lang).await?;
    let segments = Names::load(st, ws, lang).await?.segment_options();
    let created_by = match &r.record.created_by {
        Some(user) => st
            .app
            .workspace_members(ws)
            .await?
            .into_iter()
            .find(|mm| mm.user.id.to_string() == *user)
            .map(|mm| mm.user.name),
        None => None,
    };
    let names = futures::future::join_all(
        deliveries
            .iter()
            .map(|d| contact_name(st, ws, &d.contact_id)),
    )
    .await;
    let mut rows = Vec::with_capacity(deliveries.len());
    for (d, name) in deliveries.iter().zip(names) {
        let name = name?;
        rows.push(DeliveryRow {
            href: name
                .is_some()
                .then(|| format!("/app/w/{slug}/contacts/{}", d.contact_id)),
            contact: name.unwrap_or_else(|| lang.t(Text::DistErasedContact).to_string()),
            address: d.address.clone().unwrap_or_default(),
            status: status_text(d.status),
            reason: delivery_reason(d),
            when: delivery_when(d, lang, &tz),
        });
    }
    let shown = rows.len() as i64;
    let recipients = recipients(&r);
    let quotas = quota_rows(st, &r, &segments, lang).await?;
    Ok(DistributionPage {
        title: r.record.name.clone(),
        id: r.record.id.clone(),
        survey: title_of(&titles, r.record.survey_id.as_str(), lang),
        survey_href: format!("/app/w/{slug}/surveys/{}", r.record.survey_id),
        status: distribution_status(&r.record.status),
        cancelled: r.record.status == "cancelled",
        created: when(lang, &tz, r.record.created_at),
        created_by,
        recipients,
        counts: counts(&r.counts),
        started: r.counts.started,
        completed: r.counts.completed,
        reminders: r.counts.reminders,
        rate: rate_view(lang, &r.response_rate()),
        opens: r.shows_opens().then(|| OpensView {
            opened: r.opened(),
            rate: rate_view(lang, &r.open_rate()),
        }),
        plan: [plan(&r, &segments, lang, &tz), quotas].concat(),
        deliveries: rows,
        deliveries_shown: (recipients > shown).then(|| {
            lang.fill(
                Text::DistDeliveriesFirst,
                &[
                    &puls_html::format::number(lang, shown as f64, 0),
                    &puls_html::format::number(lang, recipients as f64, 0),
                ],
            )
        }),
        notice,
        shell: shell(m, Text::NavDistributions),
    })
}

/// `GET /app/w/{slug}/distributions/{id}`: a distribution's report.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn detail(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = m.signed.lang;
    let notice = match q.get("notice").map(String::as_str) {
        Some("created") => Some(Text::DistCreatedNotice),
        Some("cancelled") => Some(Text::DistCancelledNotice),
        _ => None,
    };
    match report_page(&st, &m, &id, notice).await {
        Ok(page) => Page::render(&st, StatusCode::OK, lang, &page),
        Err(e) => missing_or_error(&st, lang, e),
    }
}

/// `POST /app/w/{slug}/distributions/{id}/cancel`: nothing more of it goes out.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn cancel(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    if let Err(r) = m.signed.form(&st, &headers, &body) {
        return r;
    }
    match st.app.cancel_distribution(m.workspace.id, &id).await {
        Ok(r) => Redirect::to(&format!(
            "/app/w/{slug}/distributions/{}?notice=cancelled",
            r.record.id
        ))
        .into_response(),
        Err(e) => missing_or_error(&st, lang, e),
    }
}

/// A contact's invitations for their profile, newest first: each distribution by name
/// (linked for those who may open it), the status and reason in words, and when.
pub(super) async fn contact_invitations(
    st: &AppState,
    m: &Member,
    contact: &ContactId,
) -> Result<Vec<ContactDeliveryRow>, AppError> {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let deliveries = st.app.contact_deliveries(ws, contact, INVITATIONS).await?;
    let mut names: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for d in &deliveries {
        if names.contains_key(d.distribution_id.as_str()) {
            continue;
        }
        let name = st.app.distribution_name(ws, &d.distribution_id).await?;
        names.insert(&d.distribution_id, name);
    }
    let may_open = m.role.allows(Permission::EditSurveys);
    Ok(deliveries
        .iter()
        .map(|d| {
            let name = names.get(d.distribution_id.as_str()).cloned().flatten();
            ContactDeliveryRow {
                href: (may_open && name.is_some()).then(|| {
                    format!(
                        "/app/w/{}/distributions/{}",
                        m.workspace.slug, d.distribution_id
                    )
                }),
                distribution: name.unwrap_or_else(|| lang.t(Text::DistOne).to_string()),
                status: status_text(d.status),
                reason: delivery_reason(d),
                when: delivery_when(d, lang, &tz),
                reminders: d.reminders_sent,
                updated: when(lang, &tz, d.updated_at),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DistributionForm {
        DistributionForm {
            survey: "srv_1".into(),
            name: "Po dostawie".into(),
            ..DistributionForm::blank()
        }
    }

    #[test]
    fn the_form_builds_the_apis_definition() {
        let d = definition(&form(), "Europe/Warsaw");
        assert_eq!(
            d,
            serde_json::json!({
                "name": "Po dostawie", "channel": "email", "audience": { "all": true },
                "embed_first_question": false,
                "reminders": { "count": 0, "after_hours": 72 },
            })
        );
        let f = DistributionForm {
            audience: "segment:loyal".into(),
            embed: true,
            reminders_count: "2".into(),
            reminders_after: "48".into(),
            send_at: "2026-12-07T08:00".into(),
            window_from: "09:00".into(),
            window_to: "18:00".into(),
            ..form()
        };
        let d = definition(&f, "Europe/Warsaw");
        assert_eq!(d["audience"], serde_json::json!({ "segment": "loyal" }));
        assert_eq!(
            d["reminders"],
            serde_json::json!({ "count": 2, "after_hours": 48 })
        );
        // 08:00 in Warsaw in December is 07:00 UTC.
        assert_eq!(d["send_at"], "2026-12-07T07:00:00Z");
        assert_eq!(
            d["window"],
            serde_json::json!({ "hours": "09:00-18:00", "time_zone": "Europe/Warsaw" })
        );
        let parsed =
            puls_core::distribution::DistributionDef::parse(&puls_store::json::from_json(&d))
                .unwrap();
        assert_eq!(parsed.reminders.count, 2);
    }

    #[test]
    fn garbage_goes_through_and_comes_back_at_its_field_in_words() {
        let f = DistributionForm {
            name: String::new(),
            reminders_count: "nine".into(),
            window_from: "09:00".into(),
            send_at: "tomorrow".into(),
            ..form()
        };
        let d = definition(&f, "Europe/Warsaw");
        let errs =
            puls_core::distribution::DistributionDef::parse(&puls_store::json::from_json(&d))
                .unwrap_err();
        let back = refused(Lang::Pl, AppError::Validation(errs), f).unwrap();
        assert_eq!(
            back.errors.get("name").map(String::as_str),
            Some("Nie może być puste.")
        );
        assert_eq!(
            back.errors.get("reminders_count").map(String::as_str),
            Some("Musi być liczbą całkowitą.")
        );
        assert!(back.errors.contains_key("window"), "{:?}", back.errors);
        assert!(back.errors.contains_key("send_at"), "{:?}", back.errors);
        assert!(back.general.is_empty(), "{:?}", back.general);
    }

    #[test]
    fn refusals_are_told_in_words_at_their_field() {
        let draft = AppError::rejected(Rejection::SurveyNotPublished, "draft");
        let back = refused(Lang::Cs, draft, form()).unwrap();
        assert_eq!(
            back.errors.get("survey").map(String::as_str),
            Some("Tento dotazník je koncept: před odesláním ho zveřejněte.")
        );
        let off = AppError::rejected(Rejection::EmailNotConfigured, "off");
        let back = refused(Lang::En, off, form()).unwrap();
        assert!(
            back.general[0].starts_with("E-mail is off"),
            "{:?}",
            back.general
        );
        let segment = AppError::rejected(Rejection::UnknownSegment, "gone");
        assert!(
            refused(Lang::Pl, segment, form())
                .unwrap()
                .errors
                .contains_key("audience")
        );
        assert!(refused(Lang::Pl, AppError::Internal(anyhow::anyhow!("x")), form()).is_err());
    }

    #[test]
    fn paths_find_their_fields() {
        assert_eq!(place("reminders.count"), Some("reminders_count"));
        assert_eq!(place("reminders.after_hours"), Some("reminders_after"));
        assert_eq!(place("audience.segment"), Some("audience"));
        assert_eq!(place("window.hours"), Some("window"));
        assert_eq!(place("subject.de"), None);
    }

    #[test]
    fn unknown_reasons_are_words_not_codes() {
        assert_eq!(reason_text("frequency_cap"), Text::DistReasonFrequencyCap);
        assert_eq!(reason_text("quota_full"), Text::DistReasonQuotaFull);
        assert_eq!(reason_text("martian"), Text::DistReasonOther);
    }
}
