//! `/app/w/{slug}/triggers`: the workspace's triggers (invitations that follow behaviour)
//! with what became of their events and messages, and the form that creates one; a
//! trigger's page (its plan in words, its counts, its latest events with what became of
//! each, in words) with the same form to change it, pause, resume and delete. The form
//! offers the channels of [`CHANNELS`] (e-mail, SMS, chat, in the app), each with the fields its
//! message needs, builds the API's definition (`docs/distributions.md`, "Triggers") and
//! creates it through `App::create_trigger` or changes it through `App::update_trigger`
//! (the API's `PUT`), so it is validated alike; its problems come back at their fields,
//! in the author's language. A change keeps what the form does not show (a send window,
//! the author's texts; several conditions or cancelling events, said in words).
//!
//! Owners, admins and analysts (`EditSurveys`), as for distributions: a trigger sends a
//! survey, and its invitations are distributions.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::triggers::TriggerReport;
use puls_app::{AppError, Rejection};
use puls_core::WorkspaceId;
use puls_core::attribute::Predicate;
use puls_core::journey::EventMatcher;
use puls_core::tracking::MessageType;
use puls_core::trigger::TriggerChannel;
use puls_html::console::{
    ChannelChoice, Choice, CountRow, OccurrenceRow, SegmentChoices, TriggerForm, TriggerPage,
    TriggerRow, TriggersPage,
};
use puls_html::{Lang, Text};
use puls_store::{DeliveryStatus, OccurrenceRecord, OccurrenceState};

use super::auth::{Allowed, Member, need};
use super::distributions::{contact_name, counts, number, rate_view, surveys_of, title_of, when};
use super::rule_form::{one_condition, put_condition};
use super::{Page, confirmed_form, field, missing_or_error, page_error, shell};
use crate::state::AppState;

/// Events shown on a trigger's page.
const OCCURRENCES: i64 = 50;

/// A channel the form offers: what it does, and why it cannot send now (the server lacks
/// its relay or provider).
struct Offered {
    channel: TriggerChannel,
    hint: Text,
    off: fn(&puls_app::Config) -> Option<Text>,
}

/// The channels the form offers, in order: another one is one more line.
const CHANNELS: [Offered; 4] = [
    Offered {
        channel: TriggerChannel::Email,
        hint: Text::TrigChannelHintEmail,
        off: |c| c.smtp.host.is_none().then_some(Text::SmtpOff),
    },
    Offered {
        channel: TriggerChannel::Sms,
        hint: Text::TrigChannelHintSms,
        off: |c| c.sms.url.is_none().then_some(Text::SmsOff),
    },
    Offered {
        channel: TriggerChannel::Chat,
        hint: Text::TrigChannelHintChat,
        off: |c| c.chat.url.is_none().then_some(Text::ChatOff),
    },
    Offered {
        channel: TriggerChannel::InApp,
        hint: Text::TrigChannelHintInApp,
        off: |_| None,
    },
];

/// A trigger's channel in words.
fn channel_name(c: TriggerChannel) -> Text {
    puls_core::Channel::parse(c.as_str()).map_or(Text::Channel, Text::channel)
}

/// The channels as the form offers them, on this server.
fn channels(st: &AppState) -> Vec<ChannelChoice> {
    CHANNELS
        .iter()
        .map(|o| ChannelChoice {
            value: o.channel.as_str(),
            name: channel_name(o.channel),
            hint: o.hint,
            message: o.channel.send_channel().is_some(),
            off: (o.off)(st.app.config()),
        })
        .collect()
}

/// A trigger's status in words.
fn status_text(status: &str) -> Text {
    match status {
        "paused" => Text::TrigStatusPaused,
        _ => Text::TrigStatusActive,
    }
}

/// Where an event stands, in words.
fn state_text(s: OccurrenceState) -> Text {
    match s {
        OccurrenceState::Pending => Text::OccPending,
        OccurrenceState::Firing => Text::OccFiring,
        OccurrenceState::Fired => Text::OccFired,
        OccurrenceState::Ready => Text::OccReady,
        OccurrenceState::Shown => Text::OccShown,
        OccurrenceState::Cancelled | OccurrenceState::Tombstone => Text::OccCancelled,
        OccurrenceState::Skipped => Text::OccSkipped,
    }
}

/// Why an event made no invitation, in words; a reason Puls does not name yet is "another
/// reason", never its code.
fn reason_text(reason: &str) -> Text {
    match reason {
        "expired" => Text::OccReasonExpired,
        "unknown_contact" => Text::OccReasonUnknownContact,
        "trigger_paused" => Text::OccReasonTriggerPaused,
        "trigger_deleted" => Text::OccReasonTriggerDeleted,
        "survey_closed" => Text::OccReasonSurveyClosed,
        "survey_not_published" => Text::OccReasonSurveyNotPublished,
        "survey_deleted" => Text::OccReasonSurveyDeleted,
        "email_not_configured" => Text::OccReasonEmailNotConfigured,
        "not_sendable" => Text::OccReasonNotSendable,
        "sms_not_configured" => Text::OccReasonSmsNotConfigured,
        "frequency_cap" => Text::DistReasonFrequencyCap,
        _ => Text::DistReasonOther,
    }
}

/// A property test in words: "at least 100", "one of PL, CZ", "is set".
fn predicate_words(p: &Predicate, lang: Lang) -> String {
    let op = lang.t(Text::attribute_op(p.op));
    let values: Vec<String> = p.literals.iter().map(|v| v.as_text()).collect();
    if values.is_empty() {
        op.to_string()
    } else {
        format!("{op} {}", values.join(", "))
    }
}

/// What an event matcher waits for, in words: `event “Order Delivered” (the property
/// “total”: at least 100)`; `bare` gives an event's name alone (the list's column says it
/// is an event).
fn matcher_words(m: &EventMatcher, lang: Lang, bare: bool) -> String {
    let base = match (m.kind, m.name.as_deref()) {
        (MessageType::Track, Some(n)) if bare => n.to_string(),
        (MessageType::Page, Some(n)) => lang.fill(Text::TrigPageNamed, &[&n]),
        (MessageType::Screen, Some(n)) => lang.fill(Text::TrigScreenNamed, &[&n]),
        (_, Some(n)) => lang.fill(Text::TrigEventNamed, &[&n]),
        (MessageType::Page, None) => lang.t(Text::TrigAnyPage).to_string(),
        (MessageType::Screen, None) => lang.t(Text::TrigAnyScreen).to_string(),
        (_, None) => lang.t(Text::TrigAnyEvent).to_string(),
    };
    if m.conditions.is_empty() {
        return base;
    }
    let tests: Vec<String> = m
        .conditions
        .iter()
        .map(|c| {
            lang.fill(
                Text::TrigPropertyTest,
                &[&c.property.as_str(), &predicate_words(&c.predicate, lang)],
            )
        })
        .collect();
    let and = format!(" {} ", lang.t(Text::TrigAnd));
    lang.fill(Text::TrigWhere, &[&base, &tests.join(&and)])
}

/// A trigger's occurrences in `state`, those being fired counted as waiting.
fn occurrences_in(r: &TriggerReport, state: OccurrenceState) -> i64 {
    match state {
        OccurrenceState::Pending => {
            r.count(OccurrenceState::Pending) + r.count(OccurrenceState::Firing)
        }
        s => r.count(s),
    }
}

/// The list's counts: those waiting for the widget are waiting, those it showed invited.
fn listed(r: &TriggerReport, state: OccurrenceState) -> i64 {
    occurrences_in(r, state)
        + match state {
            OccurrenceState::Pending => r.count(OccurrenceState::Ready),
            OccurrenceState::Fired => r.count(OccurrenceState::Shown),
            _ => 0,
        }
}

/// A trigger as a row of the list.
fn row(r: &TriggerReport, titles: &BTreeMap<String, String>, lang: Lang) -> TriggerRow {
    TriggerRow {
        id: r.record.id.clone(),
        name: r.record.name.clone(),
        survey: title_of(titles, r.record.survey_id.as_str(), lang),
        event: matcher_words(&r.def.when, lang, true),
        delay: lang.duration(r.def.delay_minutes),
        status: status_text(&r.record.status),
        pending: listed(r, OccurrenceState::Pending),
        fired: listed(r, OccurrenceState::Fired),
        cancelled: listed(r, OccurrenceState::Cancelled),
        skipped: listed(r, OccurrenceState::Skipped),
        sent: r.deliveries.count(DeliveryStatus::Sent),
        rate: rate_view(lang, &r.response_rate()),
    }
}

/// The delay's units as choices.
fn units() -> Vec<Choice> {
    [
        ("days", Text::TrigUnitDays),
        ("hours", Text::TrigUnitHours),
        ("minutes", Text::TrigUnitMinutes),
    ]
    .into_iter()
    .map(|(value, name)| Choice { value, name })
    .collect()
}

/// The list with the form as `form` holds it.
async fn list_page(st: &AppState, m: &Member, form: TriggerForm, notice: Option<Text>) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let data = async {
        let (surveys, titles) = surveys_of(st, ws, lang).await?;
        let reports = st.app.triggers(ws).await?;
        Ok::<_, AppError>((surveys, titles, reports))
    }
    .await;
    let (surveys, titles, reports) = match data {
        Ok(d) => d,
        Err(e) => return page_error(st, lang, e),
    };
    let rows: Vec<TriggerRow> = reports.iter().map(|r| row(r, &titles, lang)).collect();
    let status = if form.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TriggersPage {
        title: lang.t(Text::NavTriggers).into(),
        small_samples: rows.iter().any(|r| r.rate.small),
        rows,
        form,
        surveys,
        ops: SegmentChoices::default().ops,
        units: units(),
        channels: channels(st),
        notice,
        shell: shell(m, Text::NavDistributions),
    };
    Page::render(st, status, lang, &page)
}

/// `GET /app/w/{slug}/triggers`: the list and the form.
#[tracing::instrument(skip_all)]
pub async fn list(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let notice = match q.get("notice").map(String::as_str) {
        Some("deleted") => Some(Text::TrigDeletedNotice),
        _ => None,
    };
    list_page(&st, &m, TriggerForm::blank(), notice).await
}

/// The form as posted.
fn typed(pairs: &[(String, String)]) -> TriggerForm {
    let get = |k: &str| field(pairs, k).unwrap_or("").trim().to_string();
    TriggerForm {
        survey: get("survey"),
        name: get("name"),
        event: get("event"),
        where_property: get("where_property"),
        where_op: get("where_op"),
        where_value: get("where_value"),
        occurrence: get("occurrence"),
        delay: get("delay"),
        delay_unit: get("delay_unit"),
        cancel_event: get("cancel_event"),
        expires: get("expires"),
        channel: match get("channel") {
            c if c.is_empty() => TriggerChannel::Email.as_str().to_string(),
            c => c,
        },
        embed: field(pairs, "embed").is_some_and(|v| !v.is_empty()),
        reminders_count: get("reminders_count"),
        reminders_after: get("reminders_after"),
        ..TriggerForm::default()
    }
}

/// Whether the form's channel sends a message (an unknown one is the core's to refuse).
fn sends_message(f: &TriggerForm) -> bool {
    TriggerChannel::parse(&f.channel).is_none_or(|c| c.send_channel().is_some())
}

/// The definition the form describes, in the API's format (`docs/distributions.md`): the
/// message's fields only for a channel that sends one.
fn definition(f: &TriggerForm) -> serde_json::Value {
    let mut when = serde_json::Map::new();
    when.insert("event".into(), f.event.clone().into());
    put_condition(&mut when, &f.where_property, &f.where_op, &f.where_value);
    let unit = match f.delay_unit.as_str() {
        "hours" => "hours",
        "minutes" => "minutes",
        _ => "days",
    };
    let mut delay = serde_json::Map::new();
    delay.insert(unit.into(), number(&f.delay, 0));
    let mut d = serde_json::json!({
        "name": f.name,
        "when": when,
        "delay": delay,
        "expires_after_hours": number(&f.expires, puls_core::trigger::DEFAULT_EXPIRES_HOURS),
        "channel": f.channel,
    });
    if sends_message(f) {
        d["embed_first_question"] = f.embed.into();
        d["reminders"] = serde_json::json!({
            "count": number(&f.reminders_count, 0),
            "after_hours": number(&f.reminders_after, 72),
        });
    }
    if !f.occurrence.is_empty() {
        d["occurrence"] = f.occurrence.clone().into();
    }
    if !f.cancel_event.is_empty() {
        d["cancel_when"] = serde_json::json!([{ "event": f.cancel_event }]);
    }
    d
}

/// The form's field a definition's path is about; `None` for a path no field shows.
fn place(path: &str) -> Option<&'static str> {
    if let Some(w) = path.strip_prefix("when.where") {
        return Some(if w.ends_with(".op") {
            "where_op"
        } else if w.contains(".value") {
            "where_value"
        } else {
            "where_property"
        });
    }
    if path == "reminders.after_hours" {
        return Some("reminders_after");
    }
    Some(match path.split(['.', '[']).next().unwrap_or("") {
        "name" => "name",
        "when" => "event",
        "occurrence" => "occurrence",
        "delay" => "delay",
        "cancel_when" => "cancel_event",
        "expires_after_hours" => "expires",
        "channel" => "channel",
        "embed_first_question" => "embed",
        "reminders" => "reminders_count",
        _ => return None,
    })
}

/// The form as typed with why it was refused, each problem at its field in `lang`; an
/// error that is not the author's to fix stays an error.
fn refused(lang: Lang, e: AppError, mut form: TriggerForm) -> Result<TriggerForm, AppError> {
    form.general =
        super::distributions::form_problems(lang, e, place, &mut form.errors, |r| match r {
            Rejection::SmsNotConfigured => Some(("channel", lang.t(Text::SmsOff))),
            _ => None,
        })?;
    // A channel the form does not offer (a forged post): in words, not the list of codes.
    if TriggerChannel::parse(&form.channel).is_none() && form.errors.contains_key("channel") {
        form.errors.insert(
            "channel",
            lang.field_error(&puls_core::FieldErrorKind::NotOneOf {
                allowed: String::new(),
            }),
        );
    }
    Ok(form)
}

/// What the form shows of an event matcher: the event's name and its one property
/// condition; `None` when it cannot (a page or screen, any event, several conditions).
fn shown_matcher(m: &EventMatcher) -> Option<(String, (String, String, String))> {
    let name = match (m.kind, &m.name) {
        (MessageType::Track, Some(n)) => n.clone(),
        _ => return None,
    };
    let value = puls_store::json::to_json(&m.to_value());
    Some((name, one_condition(value.get("where"))?))
}

/// A trigger's definition as the form that changes it; what the form cannot show (see
/// [`shown_matcher`]) is said in words and kept.
fn form_of(r: &TriggerReport, lang: Lang) -> TriggerForm {
    let def = &r.def;
    let minutes = def.delay_minutes;
    let (delay, unit) = match minutes {
        m if m % (24 * 60) == 0 => (m / (24 * 60), "days"),
        m if m % 60 == 0 => (m / 60, "hours"),
        m => (m, "minutes"),
    };
    let reminders = def.message.reminders;
    let mut f = TriggerForm {
        edit_of: Some(r.record.id.clone()),
        name: def.name.clone(),
        occurrence: def
            .occurrence
            .as_ref()
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        delay: delay.to_string(),
        delay_unit: unit.into(),
        expires: def.expires_after_hours.to_string(),
        channel: def.channel.as_str().into(),
        embed: def.message.embed_first_question,
        reminders_count: reminders.count.to_string(),
        reminders_after: if reminders.count > 0 {
            reminders.after_hours.to_string()
        } else {
            "72".into()
        },
        ..TriggerForm::blank()
    };
    match shown_matcher(&def.when) {
        Some((event, (property, op, value))) => {
            f.event = event;
            f.where_property = property;
            if !op.is_empty() {
                f.where_op = op;
            }
            f.where_value = value;
        }
        None => f.kept_when = Some(matcher_words(&def.when, lang, false)),
    }
    match def.cancel_when.as_slice() {
        [] => {}
        [one] if one.conditions.is_empty() && shown_matcher(one).is_some() => {
            f.cancel_event = one.name.clone().unwrap_or_default();
        }
        all => {
            let or = format!(" {} ", lang.t(Text::TrigOr));
            f.kept_cancel = Some(
                all.iter()
                    .map(|m| matcher_words(m, lang, false))
                    .collect::<Vec<_>>()
                    .join(&or),
            );
        }
    }
    f
}

/// The definition the form that changes a trigger describes: the stored one (`stored`,
/// as the API prints it) with the form's fields in place. What the form does not show
/// stays (a send window, the author's texts, priority; what starts or cancels it when the
/// form said it in words), but a channel without a message drops the message's keys.
fn edited(f: &TriggerForm, stored: &serde_json::Value) -> serde_json::Value {
    let mut d = stored.clone();
    let new = definition(f);
    if let (Some(d), Some(new)) = (d.as_object_mut(), new.as_object()) {
        // The form's optional keys: not in what it describes, they are cleared.
        for key in [
            "occurrence",
            "cancel_when",
            "embed_first_question",
            "reminders",
        ] {
            d.remove(key);
        }
        if !sends_message(f) {
            for key in ["window", "subject", "message"] {
                d.remove(key);
            }
        }
        for (key, value) in new {
            d.insert(key.clone(), value.clone());
        }
        for (key, kept) in [
            ("when", f.kept_when.is_some()),
            ("cancel_when", f.kept_cancel.is_some()),
        ] {
            if kept && let Some(v) = stored.get(key) {
                d.insert(key.into(), v.clone());
            }
        }
    }
    d
}

/// `POST /app/w/{slug}/triggers`: creates the trigger the form describes, then shows it; a
/// refused form comes back as typed with its problems at their fields.
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
    let def = puls_store::json::from_json(&definition(&form));
    let created = match puls_wire::path::survey(&form.survey) {
        Ok(survey) => {
            st.app
                .create_trigger(
                    m.workspace.id,
                    &survey,
                    &def,
                    Some(m.signed.user.id.to_string()),
                )
                .await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(r) => Redirect::to(&format!(
            "/app/w/{}/triggers/{}?notice=created",
            m.workspace.slug, r.record.id
        ))
        .into_response(),
        Err(e) => match refused(lang, e, form) {
            Ok(form) => list_page(&st, &m, form, None).await,
            Err(e) => page_error(&st, lang, e),
        },
    }
}

/// A trigger's plan in words: what starts it, how often, when, what cancels it, how late
/// it may still go, and what the message is like.
fn plan(r: &TriggerReport, lang: Lang) -> Vec<(Text, String)> {
    let def = &r.def;
    let once = match &def.occurrence {
        Some(k) => lang.fill(Text::TrigOncePer, &[&k.as_str()]),
        None => lang.t(Text::TrigOnceEach).to_string(),
    };
    let delay = if def.delay_minutes > 0 {
        lang.duration(def.delay_minutes)
    } else {
        lang.t(Text::TrigNoDelay).to_string()
    };
    let unless = if def.cancel_when.is_empty() {
        lang.t(Text::TrigUnlessNone).to_string()
    } else {
        let or = format!(" {} ", lang.t(Text::TrigOr));
        def.cancel_when
            .iter()
            .map(|m| matcher_words(m, lang, false))
            .collect::<Vec<_>>()
            .join(&or)
    };
    let mut plan = vec![
        (Text::TrigPlanWhen, matcher_words(&def.when, lang, false)),
        (Text::TrigPlanOnce, once),
        (Text::TrigDelayCol, delay),
        (Text::TrigPlanUnless, unless),
        (
            Text::TrigPlanExpires,
            lang.fill(
                Text::TrigExpiresPlan,
                &[&lang.hours(def.expires_after_hours)],
            ),
        ),
    ];
    plan.push((Text::Channel, lang.t(channel_name(def.channel)).to_string()));
    if def.channel.send_channel().is_none() {
        return plan;
    }
    // What the message is like, as a distribution's plan says it.
    let message = &def.message;
    let embed = lang.t(if message.embed_first_question {
        Text::DistEmbedYes
    } else {
        Text::DistEmbedNo
    });
    let reminders = if message.reminders.count > 0 {
        lang.fill(
            Text::DistRemindersPlan,
            &[&message.reminders.count, &message.reminders.after_hours],
        )
    } else {
        lang.t(Text::DistRemindersNone).to_string()
    };
    plan.extend([
        (Text::DistEmbedShort, embed.to_string()),
        (Text::DistReminders, reminders),
    ]);
    if let Some(w) = &message.window {
        let value = puls_store::json::to_json(&message.to_value());
        let hours = value["window"]["hours"]
            .as_str()
            .unwrap_or_default()
            .replace('-', "–");
        plan.push((
            Text::DistHours,
            lang.fill(Text::DistWindowPlan, &[&hours, &w.time_zone()]),
        ));
    }
    plan
}

/// Each state's count of a trigger's events, with the reasons of those not invited.
fn occurrence_counts(r: &TriggerReport) -> Vec<CountRow> {
    let mut skipped: Vec<(Text, i64)> = Vec::new();
    for (_, reason, n) in r
        .occurrences
        .iter()
        .filter(|(s, _, _)| *s == OccurrenceState::Skipped)
    {
        let text = reason_text(reason.as_deref().unwrap_or(""));
        match skipped.iter_mut().find(|(t, _)| *t == text) {
            Some((_, sum)) => *sum += n,
            None => skipped.push((text, *n)),
        }
    }
    // Shown by the widget: only for those in the app, or when some were.
    let in_app = r.def.channel == TriggerChannel::InApp;
    [
        (Text::TrigPending, OccurrenceState::Pending),
        (Text::TrigReady, OccurrenceState::Ready),
        (Text::TrigFired, OccurrenceState::Fired),
        (Text::TrigShown, OccurrenceState::Shown),
        (Text::TrigCancelled, OccurrenceState::Cancelled),
        (Text::TrigSkipped, OccurrenceState::Skipped),
    ]
    .into_iter()
    .filter(|(_, state)| {
        !matches!(state, OccurrenceState::Ready | OccurrenceState::Shown)
            || in_app
            || r.count(*state) > 0
    })
    .map(|(label, state)| CountRow {
        label,
        n: occurrences_in(r, state),
        reasons: if state == OccurrenceState::Skipped {
            skipped.clone()
        } else {
            Vec::new()
        },
    })
    .collect()
}

/// Who an event is about, in words, with their page when they are a contact who exists.
async fn person(
    st: &AppState,
    ws: WorkspaceId,
    slug: &str,
    o: &OccurrenceRecord,
    lang: Lang,
) -> Result<(String, Option<String>), AppError> {
    if let Some(id) = &o.contact_id {
        return Ok(match contact_name(st, ws, id).await? {
            Some(name) => (name, Some(format!("/app/w/{slug}/contacts/{id}"))),
            None => (lang.t(Text::DistErasedContact).to_string(), None),
        });
    }
    Ok(match &o.user_id {
        Some(user) => (lang.fill(Text::TrigPersonUser, &[user]), None),
        None => (lang.t(Text::TrigPersonAnonymous).to_string(), None),
    })
}

/// One event as a row of a trigger's page.
async fn occurrence_row(
    st: &AppState,
    m: &Member,
    o: &OccurrenceRecord,
    tz: &str,
) -> Result<OccurrenceRow, AppError> {
    let lang = m.signed.lang;
    let slug = &m.workspace.slug;
    let (person, person_href) = person(st, m.workspace.id, slug, o, lang).await?;
    Ok(OccurrenceRow {
        occurred: when(lang, tz, o.occurred_at),
        due: o.due_at.map(|at| when(lang, tz, at)).unwrap_or_default(),
        person,
        person_href,
        state: state_text(o.state),
        reason: match o.state {
            OccurrenceState::Skipped => Some(reason_text(o.reason.as_deref().unwrap_or(""))),
            _ => None,
        },
        invitation_href: match (o.state, &o.distribution_id) {
            (OccurrenceState::Fired, Some(d)) => Some(format!("/app/w/{slug}/distributions/{d}")),
            _ => None,
        },
    })
}

/// A trigger's page, with the form that changes it as `form` holds it (`None`: filled in
/// with its definition).
async fn trigger_page(
    st: &AppState,
    m: &Member,
    id: &str,
    notice: Option<Text>,
    form: Option<TriggerForm>,
) -> Result<TriggerPage, AppError> {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let r = st.app.trigger_report(ws, id).await?;
    let latest = st
        .app
        .trigger_occurrences(ws, id, None, OCCURRENCES)
        .await?;
    let (_, titles) = surveys_of(st, ws, lang).await?;
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
    let rows = futures::future::join_all(latest.iter().map(|o| occurrence_row(st, m, o, &tz)))
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = r
        .occurrences
        .iter()
        .filter(|(s, _, _)| *s != OccurrenceState::Tombstone)
        .map(|(_, _, n)| n)
        .sum();
    let shown = rows.len() as i64;
    Ok(TriggerPage {
        title: r.record.name.clone(),
        id: r.record.id.clone(),
        survey: title_of(&titles, r.record.survey_id.as_str(), lang),
        survey_href: format!("/app/w/{}/surveys/{}", m.workspace.slug, r.record.survey_id),
        status: status_text(&r.record.status),
        active: r.record.status == "active",
        created: when(lang, &tz, r.record.created_at),
        created_by,
        plan: plan(&r, lang),
        occurrences: occurrence_counts(&r),
        counts: counts(&r.deliveries),
        started: r.deliveries.started,
        completed: r.deliveries.completed,
        reminders: r.deliveries.reminders,
        rate: rate_view(lang, &r.response_rate()),
        rows,
        rows_shown: (total > shown).then(|| {
            lang.fill(
                Text::TrigOccurrencesFirst,
                &[
                    &puls_html::format::number(lang, shown as f64, 0),
                    &puls_html::format::number(lang, total as f64, 0),
                ],
            )
        }),
        form: form.unwrap_or_else(|| form_of(&r, lang)),
        ops: SegmentChoices::default().ops,
        units: units(),
        channels: channels(st),
        notice,
        shell: shell(m, Text::NavDistributions),
    })
}

/// `GET /app/w/{slug}/triggers/{id}`: a trigger's page.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn detail(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = m.signed.lang;
    let notice = match q.get("notice").map(String::as_str) {
        Some("created") => Some(Text::TrigCreatedNotice),
        Some("paused") => Some(Text::TrigPausedNotice),
        Some("resumed") => Some(Text::TrigResumedNotice),
        Some("changed") => Some(Text::TrigChangedNotice),
        _ => None,
    };
    match trigger_page(&st, &m, &id, notice, None).await {
        Ok(page) => Page::render(&st, StatusCode::OK, lang, &page),
        Err(e) => missing_or_error(&st, lang, e),
    }
}

/// `POST /app/w/{slug}/triggers/{id}`: changes the trigger as the form describes (through
/// `App::update_trigger`, as the API's `PUT`), then shows it; a refused form comes back on
/// its page as typed, with its problems at their fields.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn update(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = match st.app.trigger_report(m.workspace.id, &id).await {
        Ok(r) => r,
        Err(e) => return missing_or_error(&st, lang, e),
    };
    // What the form could not show stays as stored: known from the definition, not the post.
    let shown = form_of(&r, lang);
    let form = TriggerForm {
        edit_of: shown.edit_of,
        kept_when: shown.kept_when,
        kept_cancel: shown.kept_cancel,
        ..typed(&pairs)
    };
    let stored = puls_store::json::to_json(&r.def.to_value());
    let def = puls_store::json::from_json(&edited(&form, &stored));
    match st.app.update_trigger(m.workspace.id, &id, &def).await {
        Ok(r) => Redirect::to(&format!(
            "/app/w/{slug}/triggers/{}?notice=changed",
            r.record.id
        ))
        .into_response(),
        Err(e) => match refused(lang, e, form) {
            Ok(mut form) => {
                // The survey stays: a problem with it is the page's, not a field's.
                if let Some(problem) = form.errors.remove("survey") {
                    form.general.push(problem);
                }
                match trigger_page(&st, &m, &id, None, Some(form)).await {
                    Ok(page) => Page::render(&st, StatusCode::UNPROCESSABLE_ENTITY, lang, &page),
                    Err(e) => missing_or_error(&st, lang, e),
                }
            }
            Err(e) => page_error(&st, lang, e),
        },
    }
}

/// Pauses or resumes a trigger, then shows it with the notice saying so.
async fn set_active(
    st: &AppState,
    m: &Member,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
    active: bool,
) -> Response {
    let lang = m.signed.lang;
    if let Err(r) = m.signed.form(st, headers, body) {
        return r;
    }
    match st.app.set_trigger_active(m.workspace.id, id, active).await {
        Ok(r) => Redirect::to(&format!(
            "/app/w/{}/triggers/{}?notice={}",
            m.workspace.slug,
            r.record.id,
            if active { "resumed" } else { "paused" }
        ))
        .into_response(),
        Err(e) => missing_or_error(st, lang, e),
    }
}

/// `POST /app/w/{slug}/triggers/{id}/pause`: events start nothing until it is resumed.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn pause(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    set_active(&st, &m, &id, &headers, &body, false).await
}

/// `POST /app/w/{slug}/triggers/{id}/resume`: events start invitations again.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn resume(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    set_active(&st, &m, &id, &headers, &body, true).await
}

/// `POST /app/w/{slug}/triggers/{id}/delete`: the trigger and its waiting events go (the
/// box "yes, for good" must be ticked); the invitations it made stay.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn delete(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    if let Err(r) = confirmed_form(&st, &m, &headers, &body) {
        return r;
    }
    match st.app.delete_trigger(m.workspace.id, &id).await {
        Ok(()) => Redirect::to(&format!("/app/w/{slug}/triggers?notice=deleted")).into_response(),
        Err(e) => missing_or_error(&st, lang, e),
    }
}

#[cfg(test)]
mod tests {
    use puls_core::trigger::TriggerDef;

    use super::*;
    use puls_app::Rejection;

    fn form() -> TriggerForm {
        TriggerForm {
            survey: "srv_1".into(),
            name: "Po dostawie".into(),
            event: "Order Delivered".into(),
            ..TriggerForm::blank()
        }
    }

    fn parsed(f: &TriggerForm) -> Result<TriggerDef, puls_core::FieldErrors> {
        TriggerDef::parse(&puls_store::json::from_json(&definition(f)))
    }

    #[test]
    fn the_form_builds_the_apis_definition() {
        let d = definition(&form());
        assert_eq!(
            d,
            serde_json::json!({
                "name": "Po dostawie", "when": { "event": "Order Delivered" },
                "delay": { "days": 2 }, "expires_after_hours": 72, "channel": "email",
                "embed_first_question": false,
                "reminders": { "count": 0, "after_hours": 72 },
            })
        );
        let f = TriggerForm {
            where_property: "total".into(),
            where_op: "gte".into(),
            where_value: "100".into(),
            occurrence: "order_id".into(),
            delay: "36".into(),
            delay_unit: "hours".into(),
            cancel_event: "Order Returned".into(),
            embed: true,
            reminders_count: "1".into(),
            ..form()
        };
        let d = definition(&f);
        assert_eq!(
            d["when"],
            serde_json::json!({ "event": "Order Delivered",
                "where": [{ "property": "total", "op": "gte", "value": 100 }] })
        );
        assert_eq!(
            d["cancel_when"],
            serde_json::json!([{ "event": "Order Returned" }])
        );
        let def = parsed(&f).unwrap();
        assert_eq!(def.delay_minutes, 36 * 60);
        assert_eq!(def.occurrence.unwrap().as_str(), "order_id");
        assert_eq!(
            matcher_words(&def.when, Lang::Pl, false),
            "zdarzenie „Order Delivered” (właściwość „total”: co najmniej 100)"
        );
        assert_eq!(
            matcher_words(&def.when, Lang::En, true),
            "Order Delivered (the property “total”: at least 100)"
        );
    }

    #[test]
    fn garbage_goes_through_and_comes_back_at_its_field_in_words() {
        let f = TriggerForm {
            event: String::new(),
            delay: "soon".into(),
            where_property: "total".into(),
            where_op: "gte".into(),
            expires: "1000".into(),
            occurrence: "order id!".into(),
            ..form()
        };
        let errs = parsed(&f).unwrap_err();
        let back = refused(Lang::Pl, AppError::Validation(errs), f).unwrap();
        assert_eq!(
            back.errors.get("event").map(String::as_str),
            Some("Nie może być puste.")
        );
        for field in ["delay", "expires", "occurrence", "where_value"] {
            assert!(
                back.errors.contains_key(field),
                "{field}: {:?}",
                back.errors
            );
        }
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
        assert!(refused(Lang::Pl, AppError::Internal(anyhow::anyhow!("x")), form()).is_err());
    }

    fn report(def: serde_json::Value) -> TriggerReport {
        let def = TriggerDef::parse(&puls_store::json::from_json(&def)).expect("valid");
        TriggerReport {
            record: puls_store::TriggerRecord {
                id: "trg_1".into(),
                workspace_id: WorkspaceId::new(1),
                survey_id: puls_core::SurveyId::parse("srv_1").unwrap(),
                name: def.name.clone(),
                definition: String::new(),
                status: "active".into(),
                created_by: None,
                created_at: 0,
                updated_at: 0,
            },
            def,
            occurrences: Default::default(),
            deliveries: Default::default(),
        }
    }

    #[test]
    fn each_channel_sends_what_its_message_needs() {
        let sms = TriggerForm {
            channel: "sms".into(),
            embed: true,
            ..form()
        };
        let def = parsed(&sms).unwrap();
        assert_eq!(def.channel, TriggerChannel::Sms);
        assert!(def.message.embed_first_question);
        // The widget shows the survey itself: what the message would need is not sent.
        let in_app = TriggerForm {
            channel: "in_app".into(),
            embed: true,
            reminders_count: "2".into(),
            ..form()
        };
        let d = definition(&in_app);
        assert!(d.get("embed_first_question").is_none() && d.get("reminders").is_none());
        assert_eq!(parsed(&in_app).unwrap().channel, TriggerChannel::InApp);
        // A channel not offered: at its field, in words.
        let pigeon = TriggerForm {
            channel: "pigeon".into(),
            ..form()
        };
        let back = refused(
            Lang::En,
            AppError::Validation(parsed(&pigeon).unwrap_err()),
            pigeon,
        )
        .unwrap();
        assert_eq!(
            back.errors.get("channel").map(String::as_str),
            Some("Choose one of the offered answers.")
        );
        // No provider: said at the channel, in the author's language.
        let off = AppError::rejected(Rejection::SmsNotConfigured, "SMS is not configured");
        let back = refused(Lang::Pl, off, sms).unwrap();
        assert!(
            back.errors["channel"].starts_with("SMS-y są wyłączone"),
            "{:?}",
            back.errors
        );
        // Every channel offered is one the core reads.
        for o in &CHANNELS {
            assert_eq!(TriggerChannel::parse(o.channel.as_str()), Some(o.channel));
            assert_ne!(channel_name(o.channel), Text::Channel);
        }
    }

    #[test]
    fn a_trigger_fills_the_form_and_comes_back_the_same() {
        let r = report(serde_json::json!({
            "name": "Po dostawie", "channel": "sms",
            "when": { "event": "Order Delivered",
                      "where": [{ "property": "total", "op": "gte", "value": 100 }] },
            "occurrence": "order_id", "delay": { "hours": 36 },
            "cancel_when": [{ "event": "Order Returned" }], "expires_after_hours": 48,
            "embed_first_question": true, "reminders": { "count": 2, "after_hours": 24 },
            "window": { "hours": "09:00-18:00", "time_zone": "Europe/Warsaw" },
        }));
        let f = form_of(&r, Lang::Pl);
        assert_eq!(f.edit_of.as_deref(), Some("trg_1"));
        assert_eq!((f.delay.as_str(), f.delay_unit.as_str()), ("36", "hours"));
        assert_eq!(
            (
                f.where_property.as_str(),
                f.where_op.as_str(),
                f.where_value.as_str()
            ),
            ("total", "gte", "100")
        );
        assert_eq!(f.cancel_event, "Order Returned");
        assert_eq!(f.channel, "sms");
        assert_eq!((f.kept_when.clone(), f.kept_cancel.clone()), (None, None));
        // Sent back unchanged, it is the same trigger (the window kept).
        let stored = puls_store::json::to_json(&r.def.to_value());
        let back = TriggerDef::parse(&puls_store::json::from_json(&edited(&f, &stored))).unwrap();
        assert_eq!(back, r.def);
        // To the app: the message's keys go, the rest stays.
        let in_app = TriggerForm {
            channel: "in_app".into(),
            ..f.clone()
        };
        let back =
            TriggerDef::parse(&puls_store::json::from_json(&edited(&in_app, &stored))).unwrap();
        assert_eq!(back.channel, TriggerChannel::InApp);
        assert_eq!((back.message.window, back.when), (None, r.def.when.clone()));

        // What the form cannot show is said in words and kept.
        let r = report(serde_json::json!({
            "name": "x", "when": { "page": "/checkout" }, "delay": { "minutes": 90 },
            "cancel_when": [{ "event": "A" }, { "event": "B" }],
        }));
        let f = form_of(&r, Lang::En);
        assert_eq!((f.delay.as_str(), f.delay_unit.as_str()), ("90", "minutes"));
        assert_eq!(f.kept_when.as_deref(), Some("page view “/checkout”"));
        assert_eq!(f.kept_cancel.as_deref(), Some("event “A” or event “B”"));
        let stored = puls_store::json::to_json(&r.def.to_value());
        let typed = TriggerForm {
            name: "y".into(),
            ..f
        };
        let back =
            TriggerDef::parse(&puls_store::json::from_json(&edited(&typed, &stored))).unwrap();
        assert_eq!(back.name, "y");
        assert_eq!(
            (&back.when, &back.cancel_when),
            (&r.def.when, &r.def.cancel_when)
        );
    }

    #[test]
    fn paths_find_their_fields() {
        assert_eq!(place("channel"), Some("channel"));
        assert_eq!(place("when.event"), Some("event"));
        assert_eq!(place("when.where[0].property"), Some("where_property"));
        assert_eq!(place("when.where[0].op"), Some("where_op"));
        assert_eq!(place("when.where[0].value"), Some("where_value"));
        assert_eq!(place("delay.days"), Some("delay"));
        assert_eq!(place("cancel_when[0].event"), Some("cancel_event"));
        assert_eq!(place("reminders.after_hours"), Some("reminders_after"));
        assert_eq!(place("subject.de"), None);
    }

    #[test]
    fn reasons_are_words_not_codes() {
        assert_eq!(reason_text("trigger_paused"), Text::OccReasonTriggerPaused);
        assert_eq!(
            reason_text("unknown_contact"),
            Text::OccReasonUnknownContact
        );
        assert_eq!(reason_text("martian"), Text::DistReasonOther);
        assert_eq!(
            Lang::Pl.t(reason_text("trigger_paused")),
            "wyzwalacz był wstrzymany"
        );
    }
}
