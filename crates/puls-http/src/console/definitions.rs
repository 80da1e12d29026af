//! `/app/w/{slug}/segments` and `/app/w/{slug}/journey-definitions`: the workspace's
//! segments (with their members now) and journeys (with their stages), and an editor of one
//! definition: a segment's rule as a form of conditions (`rule_form`), and any definition as
//! JSON. Both are saved through the same application calls as the API, so they are validated
//! alike; problems are listed by their place, in the author's language. Everyone who sees
//! dashboards sees them; owners, admins and analysts edit.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::AppError;
use puls_core::access::Permission;
use puls_html::Text;
use puls_html::console::{
    AlertForm, AlertLists, DefinitionPage, DefinitionRow, DefinitionsPage, JourneyForm, NotifyForm,
    Problem, SegmentChoices, SegmentForm, SelectOption,
};
use puls_store::{DefinitionKind, json};

use super::auth::{Allowed, Member, need};
use super::names::Names;
use super::{
    Page, alert_form, field, journey_form, missing_or_error, page_error, rule_form, shell,
};
use crate::state::AppState;

/// Which definitions a page is about.
#[derive(Clone, Copy)]
enum Kind {
    Segments,
    Journeys,
    AlertRules,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Segments => "segments",
            Kind::Journeys => "journey-definitions",
            Kind::AlertRules => "alert-rules",
        }
    }

    fn store(self) -> DefinitionKind {
        match self {
            Kind::Segments => DefinitionKind::Segment,
            Kind::Journeys => DefinitionKind::Journey,
            Kind::AlertRules => DefinitionKind::AlertRule,
        }
    }

    fn nav(self) -> Text {
        match self {
            Kind::Segments => Text::NavSegments,
            Kind::Journeys => Text::NavJourneyDefinitions,
            Kind::AlertRules => Text::NavAlertRules,
        }
    }

    /// The title of a new one's editor.
    fn new_one(self) -> Text {
        match self {
            Kind::Segments => Text::NewSegment,
            Kind::Journeys => Text::NewJourney,
            Kind::AlertRules => Text::NewAlertRule,
        }
    }

    /// The navigation entry the page sits under.
    fn current(self) -> Text {
        match self {
            Kind::Segments => Text::NavSegments,
            Kind::Journeys => Text::NavJourneys,
            Kind::AlertRules => Text::NavCases,
        }
    }
}

/// Stores `text` as a definition of `kind` (under `key` when editing one).
async fn save(
    st: &AppState,
    m: &Member,
    kind: Kind,
    key: Option<&str>,
    text: &str,
) -> Result<String, Vec<Problem>> {
    match json::from_text(text) {
        Ok(value) => save_value(st, m, kind, key, &value, |p| p.to_string()).await,
        Err(e) => Err(vec![Problem {
            path: String::new(),
            message: format!("JSON: {e}"),
        }]),
    }
}

/// Stores a definition; a refused one comes back as its problems, each placed by `place`
/// (from the definition's path).
async fn save_value(
    st: &AppState,
    m: &Member,
    kind: Kind,
    key: Option<&str>,
    value: &puls_core::Value,
    place: impl Fn(&str) -> String,
) -> Result<String, Vec<Problem>> {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let saved = match kind {
        Kind::Segments => st.app.save_segment(ws, key, value).await,
        Kind::Journeys => st.app.save_journey(ws, key, value).await,
        Kind::AlertRules => st.app.save_alert_rule(ws, key, value).await,
    };
    match saved {
        Ok((_, record)) => Ok(record.key),
        Err(e) => Err(problems_of(lang, e, place)),
    }
}

/// Where a problem of a keyed list's row is (`codes[2].key` in the list `codes`): the
/// row's `label` and key, e.g. "Klucz · courier_late"; empty for a path outside the rows.
pub(super) fn row_place(path: &str, list: &str, keys: &[&str], label: &str) -> String {
    path.strip_prefix(list)
        .and_then(|r| r.strip_prefix('['))
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok())
        .map_or_else(String::new, |n| {
            format!("{label} · {}", keys.get(n).copied().unwrap_or(""))
        })
}

/// Why a definition or setting was refused, each problem placed by `place` (from its
/// path) and said in `lang`.
pub(super) fn problems_of(
    lang: puls_html::Lang,
    e: AppError,
    place: impl Fn(&str) -> String,
) -> Vec<Problem> {
    match e {
        AppError::Validation(errs) => errs
            .0
            .iter()
            .map(|e| Problem {
                path: place(&e.path),
                message: lang.definition_error(&e.kind),
            })
            .collect(),
        AppError::Rejected(_, message) | AppError::InvalidParameter(message) => vec![Problem {
            path: String::new(),
            message,
        }],
        e => vec![Problem {
            path: String::new(),
            message: {
                tracing::error!(error = ?e, "saving a definition");
                lang.t(Text::Error).to_string()
            },
        }],
    }
}

/// The notification policy's form as stored.
fn notify_form(p: &puls_core::notify::Notifications) -> NotifyForm {
    let v = json::to_json(&p.to_value());
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let quiet = text("quiet_hours");
    let (from, to) = quiet.split_once('-').unwrap_or(("", ""));
    NotifyForm {
        time_zone: text("time_zone"),
        quiet_from: from.into(),
        quiet_to: to.into(),
        digest_at: text("digest_at"),
        urgent: p.urgent_ignores_quiet_hours,
        problems: Vec::new(),
    }
}

/// `POST /app/w/{slug}/notification-settings`: the quiet hours and the digest's hour.
pub async fn save_notify(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let form = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| field(&form, k).unwrap_or("").trim().to_string();
    let typed = NotifyForm {
        time_zone: get("time_zone"),
        quiet_from: get("quiet_from"),
        quiet_to: get("quiet_to"),
        digest_at: get("digest_at"),
        urgent: !get("urgent").is_empty(),
        problems: Vec::new(),
    };
    let mut def = serde_json::json!({
        "time_zone": typed.time_zone,
        "digest_at": typed.digest_at,
        "urgent_ignores_quiet_hours": typed.urgent,
    });
    if !typed.quiet_from.is_empty() || !typed.quiet_to.is_empty() {
        def["quiet_hours"] = format!("{}-{}", typed.quiet_from, typed.quiet_to).into();
    }
    let place = |p: &str| {
        lang.t(match p {
            "time_zone" => Text::NotifyTimeZone,
            "quiet_hours" => Text::NotifyQuietFrom,
            "digest_at" => Text::NotifyDigestAt,
            _ => Text::NotifyTitle,
        })
        .to_string()
    };
    match st
        .app
        .save_notifications(m.workspace.id, &json::from_json(&def))
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/app/w/{}/alert-rules?notice=saved",
            m.workspace.slug
        ))
        .into_response(),
        Err(e) => {
            let notify = NotifyForm {
                problems: problems_of(lang, e, place),
                ..typed
            };
            let typed = Typed::text(String::new(), Vec::new());
            list_page(&st, &m, Kind::AlertRules, typed, Some(notify), None).await
        }
    }
}

/// A list of definitions (the alert rules' with the notification policy's form: as
/// stored, or `notify` as typed when it was refused), with the new-definition JSON form
/// as `typed`.
async fn list_page(
    st: &AppState,
    m: &Member,
    kind: Kind,
    typed: Typed,
    notify: Option<NotifyForm>,
    notice: Option<Text>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let rows = async {
        let names = Names::load(st, ws, lang).await?;
        let mut rows = Vec::new();
        match kind {
            Kind::Segments => {
                // The records once (the names came from them too), by key.
                let records = st.app.definitions(ws, kind.store()).await?;
                for opt in names.segment_options() {
                    let Some(record) = records.iter().find(|r| r.key == opt.value) else {
                        continue;
                    };
                    let n = st.app.segment_size(ws, record).await?;
                    rows.push(DefinitionRow {
                        key: opt.value,
                        name: opt.text,
                        detail: lang.fill(
                            Text::MembersN,
                            &[&puls_html::format::number(lang, n as f64, 0)],
                        ),
                        view: None,
                    });
                }
            }
            Kind::Journeys => {
                for opt in names.journey_options() {
                    let stages = match st.app.analytics().journey(ws, &opt.value).await {
                        Ok(j) => j
                            .stages
                            .iter()
                            .map(|s| s.name.get(lang.code()).to_string())
                            .collect::<Vec<_>>()
                            .join(" → "),
                        Err(_) => String::new(),
                    };
                    rows.push(DefinitionRow {
                        view: Some(format!(
                            "/app/w/{}/journeys/{}",
                            m.workspace.slug, opt.value
                        )),
                        key: opt.value,
                        name: opt.text,
                        detail: stages,
                    });
                }
            }
            Kind::AlertRules => {
                for r in st.app.definitions(ws, kind.store()).await? {
                    let Ok(rule) = puls_core::alert::AlertRule::parse(&r.definition) else {
                        continue;
                    };
                    rows.push(DefinitionRow {
                        name: rule.name.get(lang.code()).to_string(),
                        detail: rule_detail(lang, &rule),
                        key: r.key,
                        view: None,
                    });
                }
            }
        }
        Ok::<_, AppError>(rows)
    }
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return page_error(st, lang, e),
    };
    let notify = match (kind, notify) {
        (_, Some(typed)) => Some(typed),
        (Kind::AlertRules, None) => match st.app.notifications(ws).await {
            Ok(p) => Some(notify_form(&p)),
            Err(e) => return page_error(st, lang, e),
        },
        (Kind::Segments | Kind::Journeys, None) => None,
    };
    let refused =
        !typed.problems.is_empty() || notify.as_ref().is_some_and(|n| !n.problems.is_empty());
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DefinitionsPage {
        title: lang.t(kind.nav()).into(),
        kind: kind.path(),
        rows,
        text: typed.text,
        problems: typed.problems,
        notify,
        can_edit: m.role.allows(Permission::EditJourneys),
        notice,
        shell: shell(m, kind.current()),
    };
    Page::render(st, status, lang, &page)
}

/// What the author sent, when it comes back to them: the JSON text, its problems, and for a
/// segment edited in the form, the form as typed.
struct Typed {
    text: String,
    problems: Vec<Problem>,
    form: Option<SegmentForm>,
    journey: Option<JourneyForm>,
    alert: Option<AlertForm>,
}

impl Typed {
    /// Only the JSON text and its problems (the JSON editor's).
    fn text(text: String, problems: Vec<Problem>) -> Typed {
        Typed {
            text,
            problems,
            form: None,
            journey: None,
            alert: None,
        }
    }
}

/// What the alert form offers: the workspace's surveys (by title), segments (by name),
/// the members who work cases and the teams (by name); a rule's own survey, segment, owner
/// or team stays offered when it is no longer in the lists.
async fn alert_lists(
    st: &AppState,
    m: &Member,
    form: Option<&AlertForm>,
) -> Result<AlertLists, AppError> {
    use puls_core::access::Role;
    let ws = m.workspace.id;
    let option = |value: String, text: String| SelectOption {
        value,
        text,
        label: None,
    };
    let mut surveys: Vec<SelectOption> = st
        .app
        .surveys(ws)
        .await?
        .into_iter()
        .map(|s| option(s.id.as_str().to_string(), s.title))
        .collect();
    let names = Names::load(st, ws, m.signed.lang).await?;
    let mut segments = names.segment_options();
    let mut members: Vec<SelectOption> = st
        .app
        .workspace_members(ws)
        .await?
        .into_iter()
        .filter(|mm| Role::parse(&mm.role).is_some_and(|r| r.allows(Permission::WorkCases)))
        .map(|mm| option(mm.user.id.as_str().to_string(), mm.user.name))
        .collect();
    let lang = m.signed.lang.code();
    let mut teams: Vec<SelectOption> = st
        .app
        .teams(ws)
        .await?
        .teams
        .iter()
        .map(|t| option(t.key.as_str().to_string(), t.name.get(lang).to_string()))
        .collect();
    if let Some(f) = form {
        let keep = |list: &mut Vec<SelectOption>, value: &str| {
            if !value.is_empty() && !list.iter().any(|o| o.value == value) {
                list.push(option(value.to_string(), value.to_string()));
            }
        };
        keep(&mut surveys, &f.survey);
        keep(&mut members, &f.owner);
        if !teams.is_empty() {
            keep(&mut teams, &f.team);
        }
        for r in f.rows.iter().filter(|r| r.kind == "segment") {
            keep(&mut segments, &r.subject);
        }
    }
    let mut lists = AlertLists::new(surveys, segments, members, teams);
    lists.aspects = super::names::Names::of_aspects(st, ws, m.signed.lang)
        .await?
        .aspect_options();
    if let Some(f) = form {
        for r in f.rows.iter().filter(|r| r.kind == "reading") {
            if !r.values.is_empty() && !lists.aspects.iter().any(|o| o.value == r.values) {
                lists
                    .aspects
                    .push(option(r.values.clone(), r.values.clone()));
            }
        }
    }
    Ok(lists)
}

/// The editor of `key`'s definition, or of a new segment in the form (`key` `None`).
async fn editor(
    st: &AppState,
    m: &Member,
    kind: Kind,
    key: Option<&str>,
    typed: Option<Typed>,
    notice: Option<Text>,
) -> Response {
    let lang = m.signed.lang;
    let stored = match key {
        Some(key) => match st.app.definition(m.workspace.id, kind.store(), key).await {
            Ok(r) => Some(json::to_json(&r.definition)),
            Err(e) => return missing_or_error(st, lang, e),
        },
        None => None,
    };
    let typed = typed.unwrap_or_else(|| Typed {
        text: stored
            .as_ref()
            .and_then(|d| serde_json::to_string_pretty(d).ok())
            .unwrap_or_default(),
        problems: Vec::new(),
        form: match (kind, &stored) {
            (Kind::Segments, Some(d)) => rule_form::from_definition(d, lang.code()),
            (Kind::Segments, None) => Some(rule_form::blank()),
            (Kind::Journeys | Kind::AlertRules, _) => None,
        },
        journey: match (kind, &stored) {
            (Kind::Journeys, Some(d)) => journey_form::from_definition(d, lang.code()),
            (Kind::Journeys, None) => Some(journey_form::blank()),
            (Kind::Segments | Kind::AlertRules, _) => None,
        },
        alert: match (kind, &stored) {
            (Kind::AlertRules, Some(d)) => alert_form::from_definition(d, lang.code()),
            (Kind::AlertRules, None) => Some(alert_form::blank("response")),
            (Kind::Segments | Kind::Journeys, _) => None,
        },
    });
    let alert_lists = match kind {
        Kind::AlertRules => match alert_lists(st, m, typed.alert.as_ref()).await {
            Ok(l) => l,
            Err(e) => return page_error(st, lang, e),
        },
        Kind::Segments | Kind::Journeys => AlertLists::default(),
    };
    let status = if typed.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DefinitionPage {
        // Its name in the viewer's language, else its key.
        title: match (key, &stored) {
            (Some(key), Some(d)) => match &d["name"] {
                serde_json::Value::String(s) if !s.is_empty() => s.clone(),
                n => n[lang.code()]
                    .as_str()
                    .or_else(|| n.as_object()?.values().find_map(|v| v.as_str()))
                    .unwrap_or(key)
                    .to_string(),
            },
            (Some(key), None) => key.to_string(),
            (None, _) => lang.t(kind.new_one()).to_string(),
        },
        kind: kind.path(),
        key: key.unwrap_or_default().to_string(),
        unfit: typed.form.is_none() && typed.journey.is_none() && typed.alert.is_none(),
        text: typed.text,
        problems: typed.problems,
        form: typed.form,
        journey: typed.journey,
        alert: typed.alert,
        alert_lists,
        choices: SegmentChoices::default(),
        can_edit: m.role.allows(Permission::EditJourneys),
        notice,
        shell: shell(m, kind.current()),
    };
    Page::render(st, status, lang, &page)
}

/// What a rule watches and does, in words.
fn rule_detail(lang: puls_html::Lang, rule: &puls_core::alert::AlertRule) -> String {
    use puls_core::alert::{WatchBy, WatchPeriod};
    let mut does: Vec<&str> = Vec::new();
    if rule.actions.case.is_some() {
        does.push(lang.t(Text::RuleDoesCase));
    }
    if rule.actions.digest {
        does.push(lang.t(Text::RuleDoesDigest));
    } else if !rule.actions.email.is_empty() {
        does.push(lang.t(Text::RuleDoesEmail));
    }
    if rule.actions.webhook {
        does.push(lang.t(Text::RuleDoesWebhook));
    }
    let what = match &rule.watch {
        Some(w) => lang.fill(
            Text::RuleWatches,
            &[
                &w.metric.as_str().to_uppercase(),
                &lang.t(match w.by {
                    WatchBy::Touchpoint => Text::Touchpoint,
                    WatchBy::Channel => Text::Channel,
                    WatchBy::Survey => Text::Survey,
                }),
                &lang.t(match w.every {
                    WatchPeriod::Week => Text::RuleWeekly,
                    WatchPeriod::Month => Text::RuleMonthly,
                }),
            ],
        ),
        None => lang.fill(Text::RuleConditions, &[&rule.conditions.len()]),
    };
    let off = if rule.enabled {
        String::new()
    } else {
        format!(" ({})", lang.t(Text::RuleOff))
    };
    format!("{what} → {}{off}", does.join(", "))
}

fn saved_notice(raw: Option<&str>) -> Option<Text> {
    raw.is_some_and(|q| q.contains("notice=saved"))
        .then_some(Text::DefinitionSaved)
}

/// `GET /app/w/{slug}/segments`.
pub async fn segments(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = saved_notice(raw.as_deref());
    let typed = Typed::text(String::new(), Vec::new());
    list_page(&st, &m, Kind::Segments, typed, None, notice).await
}

/// `GET /app/w/{slug}/journey-definitions`.
pub async fn journeys(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = saved_notice(raw.as_deref());
    let typed = Typed::text(String::new(), Vec::new());
    list_page(&st, &m, Kind::Journeys, typed, None, notice).await
}

/// Saves the posted definition (a new one, or `key`'s) and goes to its editor; a refused
/// one comes back as typed with its problems, on the list or the editor. A segment posted
/// from the form may instead ask to add or remove a condition: the form comes back changed,
/// nothing saved.
async fn submit(
    st: &AppState,
    m: &Member,
    kind: Kind,
    key: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let form = match m.signed.form(st, headers, body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let saved_to = |saved: &str| {
        Redirect::to(&format!(
            "/app/w/{}/{}/{saved}?notice=saved",
            m.workspace.slug,
            kind.path()
        ))
        .into_response()
    };
    if field(&form, "editor") == Some("form") {
        let lang = m.signed.lang;
        // The form as typed (changed by its action when it asked for one), the definition
        // it makes, and whether to save it.
        let (typed, definition, saving) = match kind {
            Kind::AlertRules => {
                let (mut alert, action) = alert_form::from_fields(&form, key);
                let definition = alert_form::to_definition(&alert);
                alert_form::apply(&mut alert, &action);
                let typed = Typed {
                    alert: Some(alert),
                    ..Typed::text(String::new(), Vec::new())
                };
                (typed, definition, action == rule_form::Action::Save)
            }
            Kind::Segments => {
                let (mut rules, action) = rule_form::from_fields(&form, key);
                let definition = rule_form::to_definition(&rules);
                rule_form::apply(&mut rules, &action);
                let typed = Typed {
                    form: Some(rules),
                    ..Typed::text(String::new(), Vec::new())
                };
                (typed, definition, action == rule_form::Action::Save)
            }
            Kind::Journeys => {
                let (mut journey, action) = journey_form::from_fields(&form, key);
                let definition = journey_form::to_definition(&journey);
                journey_form::apply(&mut journey, action);
                let typed = Typed {
                    journey: Some(journey),
                    ..Typed::text(String::new(), Vec::new())
                };
                (typed, definition, action == journey_form::Action::Save)
            }
        };
        let typed = Typed {
            text: serde_json::to_string_pretty(&definition).unwrap_or_default(),
            ..typed
        };
        if !saving {
            return editor(st, m, kind, key, Some(typed), None).await;
        }
        let place = |p: &str| match kind {
            Kind::Segments => rule_form::place(p, lang),
            Kind::Journeys => journey_form::place(p, lang),
            Kind::AlertRules => alert_form::place(p, lang),
        };
        let value = json::from_json(&definition);
        return match save_value(st, m, kind, key, &value, place).await {
            Ok(saved) => saved_to(&saved),
            Err(problems) => {
                let typed = Typed { problems, ..typed };
                editor(st, m, kind, key, Some(typed), None).await
            }
        };
    }
    let text = field(&form, "definition").unwrap_or("").to_string();
    match (save(st, m, kind, key, &text).await, key) {
        (Ok(saved), _) => saved_to(&saved),
        (Err(problems), None) => {
            list_page(st, m, kind, Typed::text(text, problems), None, None).await
        }
        (Err(problems), Some(key)) => {
            let typed = Typed::text(text, problems);
            editor(st, m, kind, Some(key), Some(typed), None).await
        }
    }
}

/// `POST /app/w/{slug}/segments`: a new segment.
pub async fn create_segment(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(&st, &m, Kind::Segments, None, &headers, &body).await
}

/// `POST /app/w/{slug}/journey-definitions`: a new journey.
pub async fn create_journey(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(&st, &m, Kind::Journeys, None, &headers, &body).await
}

/// `GET /app/w/{slug}/segments/{key}`.
pub async fn segment(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path((_, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    editor(
        &st,
        &m,
        Kind::Segments,
        Some(&key),
        None,
        saved_notice(raw.as_deref()),
    )
    .await
}

/// `GET /app/w/{slug}/new-segment`: a new segment in the form.
pub async fn new_segment(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
) -> Response {
    editor(&st, &m, Kind::Segments, None, None, None).await
}

/// `GET /app/w/{slug}/new-journey`: a new journey in the form.
pub async fn new_journey(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
) -> Response {
    editor(&st, &m, Kind::Journeys, None, None, None).await
}

/// `GET /app/w/{slug}/journey-definitions/{key}`.
pub async fn journey(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path((_, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    editor(
        &st,
        &m,
        Kind::Journeys,
        Some(&key),
        None,
        saved_notice(raw.as_deref()),
    )
    .await
}

/// `POST /app/w/{slug}/segments/{key}`: the segment changed.
pub async fn update_segment(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    Path((_, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(&st, &m, Kind::Segments, Some(&key), &headers, &body).await
}

/// `POST /app/w/{slug}/journey-definitions/{key}`: the journey changed.
pub async fn update_journey(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    Path((_, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(&st, &m, Kind::Journeys, Some(&key), &headers, &body).await
}

/// `GET /app/w/{slug}/alert-rules`.
pub async fn rules(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = saved_notice(raw.as_deref());
    let typed = Typed::text(String::new(), Vec::new());
    list_page(&st, &m, Kind::AlertRules, typed, None, notice).await
}

/// `POST /app/w/{slug}/alert-rules`: a new rule (JSON).
pub async fn create_rule(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(&st, &m, Kind::AlertRules, None, &headers, &body).await
}

/// `GET /app/w/{slug}/new-alert-rule`: a new rule in the form, on each response or (with
/// `?watch=metric`) on a metric.
pub async fn new_rule(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    RawQuery(raw): RawQuery,
) -> Response {
    let watch = if raw.as_deref().is_some_and(|q| q.contains("watch=metric")) {
        "metric"
    } else {
        "response"
    };
    let typed = Typed {
        alert: Some(alert_form::blank(watch)),
        ..Typed::text(String::new(), Vec::new())
    };
    editor(&st, &m, Kind::AlertRules, None, Some(typed), None).await
}

/// `GET /app/w/{slug}/alert-rules/{key}`.
pub async fn rule(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    Path((_, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    editor(
        &st,
        &m,
        Kind::AlertRules,
        Some(&key),
        None,
        saved_notice(raw.as_deref()),
    )
    .await
}

/// `POST /app/w/{slug}/alert-rules/{key}`: the rule changed.
pub async fn update_rule(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    Path((_, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(&st, &m, Kind::AlertRules, Some(&key), &headers, &body).await
}
