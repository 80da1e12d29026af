//! `/app/w/{slug}/cases`: the case queue (mine, unassigned, overdue, all open, all) and a
//! case's page (its timers, customer and response, history in words, and the forms to
//! change it, note and reply), plus "open a case" from a response. Agents and above; every
//! action goes through the same application calls as the API.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::cases::{CaseActor, CaseChange, CaseDetail, CaseView, NewCase, Timer, TimerState};
use puls_app::{AppError, Rejection};
use puls_core::alert::Priority;
use puls_core::case::CaseStatus;
use puls_core::{Key, UserId};
use puls_html::console::{
    CasePage, CaseReportPage, CaseRow, CasesPage, CauseRow, CausesForm, GroupView, HistoryRow,
    NamedChoice, QueueView, RateView, TextChoice, TimerView,
};
use puls_html::{Lang, Text};
use puls_store::{CaseFilter, Member as MemberRecord};

use super::auth::{Allowed, Member, need};
use super::overview::local_date_time;
use super::{Page, field, page_error, shell};
use crate::state::AppState;

const PAGE: i64 = 50;

pub fn status_text(s: CaseStatus) -> Text {
    Text::case_status(s)
}

pub fn priority_text(p: Priority) -> Text {
    Text::priority(p)
}

/// A case's title as the viewer reads it: a rule's case keeps the rule's name in the
/// customer's language as its title; unless someone renamed it, it shows in the viewer's.
fn shown_title(
    case: &puls_store::CaseRecord,
    rules: &[puls_core::alert::AlertRule],
    lang: Lang,
) -> String {
    case.rule_key
        .as_deref()
        .and_then(|k| rules.iter().find(|r| r.key.as_str() == k))
        .filter(|r| r.name.get(&case.locale) == case.title)
        .map_or_else(
            || case.title.clone(),
            |r| r.name.get(lang.code()).to_string(),
        )
}

/// The workspace's alert rules that still parse.
async fn rules_of(st: &AppState, ws: puls_core::WorkspaceId) -> Vec<puls_core::alert::AlertRule> {
    st.app
        .definitions(ws, puls_store::DefinitionKind::AlertRule)
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| puls_core::alert::AlertRule::parse(&r.definition).ok())
        .collect()
}

/// A local "7 Dec 2026 16:00".
fn when(lang: Lang, tz: &str, ms: i64) -> String {
    let (date, time) = local_date_time(ms, tz);
    format!("{} {time}", puls_html::format::date(lang, &date))
}

fn timer_view(lang: Lang, tz: &str, t: &Timer) -> TimerView {
    let (state, tone) = match t.state {
        TimerState::OnTrack => (Text::SlaOnTrack, "ok"),
        TimerState::AtRisk => (Text::SlaAtRisk, "warn"),
        TimerState::Paused => (Text::SlaPaused, "warn"),
        TimerState::Met => (Text::SlaMet, "ok"),
        TimerState::Breached => (Text::SlaBreached, "bad"),
    };
    let at = |ms| when(lang, tz, ms);
    let when = match (t.done_at, t.breached_at, t.due_at) {
        (Some(d), _, _) => lang.fill(Text::CaseDoneAt, &[&at(d)]),
        (None, Some(b), _) => lang.fill(Text::CaseBreachedAt, &[&at(b)]),
        (None, None, Some(d)) => lang.fill(Text::CaseDueAt, &[&at(d)]),
        (None, None, None) => String::new(),
    };
    TimerView { state, tone, when }
}

/// A user's name by id, from the members.
fn name_of(members: &[MemberRecord], id: Option<&str>, lang: Lang) -> String {
    match id {
        None => lang.t(Text::CaseUnassigned).to_string(),
        Some(id) => members
            .iter()
            .find(|m| m.user.id.as_str() == id)
            .map_or_else(|| id.to_string(), |m| m.user.name.clone()),
    }
}

/// `GET /app/w/{slug}/cases?view=…&cursor=…`.
pub async fn queue(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let view = q.get("view").map_or("open", String::as_str);
    let open = vec![CaseStatus::New, CaseStatus::InProgress, CaseStatus::Waiting];
    let me = m.signed.user.id.as_str().to_string();
    let teams = match st.app.teams(ws).await {
        Ok(t) => t,
        Err(e) => return page_error(&st, lang, e),
    };
    let mut filter = match view {
        "mine" => CaseFilter {
            statuses: open,
            owner: Some(me),
            ..CaseFilter::default()
        },
        "unassigned" => CaseFilter {
            statuses: open,
            unassigned: true,
            ..CaseFilter::default()
        },
        "team" => CaseFilter {
            statuses: open,
            teams: teams.of_user(&me).into_iter().map(str::to_string).collect(),
            ..CaseFilter::default()
        },
        "overdue" => CaseFilter {
            due_before: Some(puls_app::now_ms()),
            ..CaseFilter::default()
        },
        "all" => CaseFilter::default(),
        _ => CaseFilter {
            statuses: open,
            ..CaseFilter::default()
        },
    };
    filter.before = q.get("cursor").and_then(|c| {
        let (at, id) = c.split_once('.')?;
        Some((at.parse().ok()?, id.to_string()))
    });
    filter.limit = PAGE + 1;
    // A user in no team has no team cases (an empty filter would mean every team).
    let no_team = view == "team" && filter.teams.is_empty();
    let data = async {
        let cases = if no_team {
            Vec::new()
        } else {
            st.app.cases(ws, &filter).await?
        };
        let members = st.app.workspace_members(ws).await?;
        Ok::<_, AppError>((cases, members))
    }
    .await;
    let (mut cases, members) = match data {
        Ok(d) => d,
        Err(e) => return page_error(&st, lang, e),
    };
    let rules = rules_of(&st, ws).await;
    let slug = &m.workspace.slug;
    let more = (cases.len() as i64 > PAGE).then(|| {
        cases.truncate(PAGE as usize);
        let last = &cases[cases.len() - 1].case;
        format!(
            "/app/w/{slug}/cases?view={view}&cursor={}.{}",
            last.created_at, last.id
        )
    });
    let views = queue_views(slug, view);
    let rows = cases
        .iter()
        .map(|CaseView { case, sla }| CaseRow {
            href: format!("/app/w/{slug}/cases/{}", case.id),
            title: shown_title(case, &rules, lang),
            status: status_text(case.status),
            priority: priority_text(case.priority),
            owner: name_of(&members, case.owner_id.as_deref(), lang),
            team: case
                .team
                .as_deref()
                .map(|k| teams.name(k, lang.code()).to_string())
                .unwrap_or_default(),
            customer: customer_of(case),
            first_response: timer_view(lang, &tz, &sla.first_response),
            resolution: timer_view(lang, &tz, &sla.resolution),
            created: when(lang, &tz, case.created_at),
        })
        .collect();
    let page = CasesPage {
        title: lang.t(Text::CasesTitle).to_string(),
        views,
        rows,
        more,
        empty: no_team.then_some(Text::CaseViewTeamNone),
        shell: shell(&m, Text::NavCases),
    };
    Page::render(&st, StatusCode::OK, lang, &page)
}

/// The queue's views and the report, the current one marked.
fn queue_views(slug: &str, view: &str) -> Vec<QueueView> {
    let known = [
        "mine",
        "team",
        "unassigned",
        "overdue",
        "open",
        "all",
        "report",
    ];
    let current = if known.contains(&view) { view } else { "open" };
    [
        ("mine", Text::CaseViewMine),
        ("team", Text::CaseViewTeam),
        ("unassigned", Text::CaseViewUnassigned),
        ("overdue", Text::CaseViewOverdue),
        ("open", Text::CaseViewOpen),
        ("all", Text::CaseViewAll),
        ("report", Text::CaseReport),
        ("rules", Text::NavAlertRules),
    ]
    .into_iter()
    .map(|(v, name)| QueueView {
        href: match v {
            "report" => format!("/app/w/{slug}/case-report"),
            "rules" => format!("/app/w/{slug}/alert-rules"),
            v => format!("/app/w/{slug}/cases?view={v}"),
        },
        name,
        current: v == current,
    })
    .collect()
}

/// `GET /app/w/{slug}/case-report?from=…&to=…`: the cases opened in a period.
pub async fn report(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    report_page(&st, &m, &q, None).await
}

/// The root-cause list as stored, with three empty rows to add codes.
fn causes_form(causes: &puls_core::case::RootCauses) -> CausesForm {
    let names = |n: Option<&puls_core::journey::Label>| {
        super::rule_form::names_of(
            &n.map(|n| puls_store::json::to_json(&n.to_value()))
                .unwrap_or_default(),
            "en",
        )
    };
    let mut rows: Vec<CauseRow> = causes
        .codes
        .iter()
        .map(|(k, n)| CauseRow {
            key: k.as_str().to_string(),
            names: names(Some(n)),
        })
        .collect();
    rows.extend((0..3).map(|_| CauseRow {
        key: String::new(),
        names: names(None),
    }));
    CausesForm {
        rows,
        problems: Vec::new(),
    }
}

/// `POST /app/w/{slug}/root-causes`: the root-cause list from its form (rows with an
/// empty key left out); refused, the report comes back with the rows as typed and the
/// problems by row.
pub async fn save_causes(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| field(&pairs, k).unwrap_or("").trim().to_string();
    let rows: Vec<CauseRow> = super::rule_form::indexes(&pairs, "c", ".key")
        .into_iter()
        .take(puls_core::case::MAX_ROOT_CAUSES + 3)
        .map(|i| CauseRow {
            key: get(&format!("c{i}.key")),
            names: super::rule_form::names_from(|l| get(&format!("c{i}.name.{l}"))),
        })
        .collect();
    let kept: Vec<&CauseRow> = rows.iter().filter(|r| !r.key.is_empty()).collect();
    let codes: Vec<serde_json::Value> = kept
        .iter()
        .map(|r| {
            let names = super::rule_form::names_value(&r.names);
            serde_json::json!({
                "key": r.key,
                // Unnamed, a code reads as its key.
                "name": if names.is_empty() { serde_json::json!(r.key) } else { names.into() },
            })
        })
        .collect();
    let def = puls_store::json::from_json(&serde_json::json!({ "codes": codes }));
    match st.app.save_root_causes(m.workspace.id, &def).await {
        Ok(_) => Redirect::to(&format!("/app/w/{}/case-report", m.workspace.slug)).into_response(),
        Err(e @ AppError::Validation(_)) => {
            // `codes[2].key`: the third kept row, said as the row it is.
            let keys: Vec<&str> = kept.iter().map(|r| r.key.as_str()).collect();
            let place = |path: &str| {
                super::definitions::row_place(path, "codes", &keys, lang.t(Text::CauseKey))
            };
            let problems = super::definitions::problems_of(lang, e, place);
            let form = CausesForm { rows, problems };
            report_page(&st, &m, &BTreeMap::new(), Some(form)).await
        }
        Err(e) => page_error(&st, lang, e),
    }
}

/// The report page; `typed`, the root-cause list's form as refused.
async fn report_page(
    st: &AppState,
    m: &Member,
    q: &BTreeMap<String, String>,
    typed: Option<CausesForm>,
) -> Response {
    let lang = m.signed.lang;
    let config = &st.app.analytics().config;
    let period = puls_wire::reports::PeriodQuery {
        from: q.get("from").filter(|s| !s.is_empty()).cloned(),
        to: q.get("to").filter(|s| !s.is_empty()).cloned(),
        tz: None,
    }
    .period(config, puls_app::now_ms());
    let period = match period {
        Ok(p) => p,
        Err(e) => return page_error(st, lang, e),
    };
    let found = async {
        let r = st
            .app
            .case_report(m.workspace.id, period.from_ms, period.to_ms)
            .await?;
        Ok::<_, puls_app::AppError>((
            r,
            st.app.root_causes(m.workspace.id).await?,
            st.app.teams(m.workspace.id).await?,
        ))
    }
    .await;
    let (r, causes, teams) = match found {
        Ok(found) => found,
        Err(e) => return page_error(st, lang, e),
    };
    let pct = |v: Option<f64>| {
        v.map_or_else(
            || "–".to_string(),
            |v| format!("{} %", puls_html::format::number(lang, v, 0)),
        )
    };
    let share = |p: &puls_core::stats::Proportion| RateView {
        value: pct(p.value),
        interval: p.interval.map_or_else(String::new, |i| {
            format!(
                "{}–{} %",
                puls_html::format::number(lang, i.low, 0),
                puls_html::format::number(lang, i.high, 0)
            )
        }),
        small: p.small_sample && p.n > 0,
        n: p.n,
    };
    let hours = |h: Option<f64>| {
        h.map_or_else(
            || "–".to_string(),
            |h| format!("{} h", puls_html::format::number(lang, h, 1)),
        )
    };
    let group = |g: &puls_app::recovery::GroupTimes, none: Text| GroupView {
        name: if g.group.is_empty() {
            lang.t(none).to_string()
        } else {
            g.group.clone()
        },
        cases: g.cases,
        first_median: hours(g.first_response.median_hours),
        first_p90: hours(g.first_response.p90_hours),
        resolution_median: hours(g.resolution.median_hours),
        resolution_p90: hours(g.resolution.p90_hours),
        first_met: share(&g.first_response_met),
        resolution_met: share(&g.resolution_met),
    };
    let names = match super::names::Names::load(st, m.workspace.id, lang).await {
        Ok(n) => n,
        Err(e) => return page_error(st, lang, e),
    };
    let tz = &config.time_zone;
    let date = |ms: i64| local_date_time(ms, tz).0;
    let rec = &r.recovery;
    let page = CaseReportPage {
        title: lang.t(Text::CaseReportTitle).to_string(),
        from: date(r.from_ms),
        // The form's "until" is the last day included.
        to: date(r.to_ms - 1),
        counts: lang.fill(Text::CaseReportCounts, &[&r.cases, &r.resolved]),
        all: group(&r.all, Text::CaseNoTeam),
        by_team: r
            .by_team
            .iter()
            .map(|g| GroupView {
                name: if g.group.is_empty() {
                    lang.t(Text::CaseNoTeam).to_string()
                } else {
                    teams.name(&g.group, lang.code()).to_string()
                },
                ..group(g, Text::CaseNoTeam)
            })
            .collect(),
        by_touchpoint: r
            .by_touchpoint
            .iter()
            .map(|g| GroupView {
                name: if g.group.is_empty() {
                    lang.t(Text::CaseNoTouchpoint).to_string()
                } else {
                    names.touchpoint(&g.group)
                },
                ..group(g, Text::CaseNoTouchpoint)
            })
            .collect(),
        root_causes: r
            .root_causes
            .iter()
            .map(|(k, n)| (causes.name(k, lang.code()).to_string(), *n))
            .collect(),
        recovery_text: lang.fill(
            Text::CaseRecoveryText,
            &[
                &rec.detractor_cases,
                &rec.asked,
                &rec.answered,
                &rec.recovered,
                &rec.promoters,
            ],
        ),
        recovery_rate: share(&rec.rate),
        views: queue_views(&m.workspace.slug, "report"),
        causes: if m.role.allows(puls_core::access::Permission::EditJourneys) {
            Some(typed.unwrap_or_else(|| causes_form(&causes)))
        } else {
            None
        },
        shell: shell(m, Text::NavCases),
    };
    let status = if page.causes.as_ref().is_some_and(|c| !c.problems.is_empty()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Page::render(st, status, lang, &page)
}

/// A history entry in words.
fn history_row(
    lang: Lang,
    tz: &str,
    members: &[MemberRecord],
    rules: &[puls_core::alert::AlertRule],
    causes: &puls_core::case::RootCauses,
    teams: &puls_core::case::Teams,
    e: &puls_store::CaseEvent,
) -> HistoryRow {
    let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
    let s = |k: &str| data[k].as_str().map(str::to_string);
    let who = match e.actor.as_str() {
        "system" => lang.t(Text::ActorSystem).to_string(),
        "api" => lang.t(Text::ActorApi).to_string(),
        a => match a.strip_prefix("rule:") {
            Some(key) => {
                let name = rules
                    .iter()
                    .find(|r| r.key.as_str() == key)
                    .map_or(key, |r| r.name.get(lang.code()));
                lang.fill(Text::ActorRule, &[&name])
            }
            None => name_of(members, Some(a), lang),
        },
    };
    let none = || lang.t(Text::CaseUnassigned).to_string();
    let status = |v: Option<String>| {
        v.as_deref()
            .and_then(CaseStatus::parse)
            .map_or_else(none, |s| lang.t(status_text(s)).to_string())
    };
    let priority = |v: Option<String>| {
        v.as_deref()
            .and_then(Priority::parse)
            .map_or_else(none, |p| lang.t(priority_text(p)).to_string())
    };
    let plain = |v: Option<String>| v.unwrap_or_else(|| "–".to_string());
    let timer = |v: Option<String>| match v.as_deref() {
        Some("first_response") => lang.t(Text::CaseFirstResponse).to_string(),
        _ => lang.t(Text::CaseResolution).to_string(),
    };
    let what = match e.kind.as_str() {
        "created" => lang.t(Text::HistoryCreated).to_string(),
        "status" => lang.fill(Text::HistoryStatus, &[&status(s("from")), &status(s("to"))]),
        "priority" => lang.fill(
            Text::HistoryPriority,
            &[&priority(s("from")), &priority(s("to"))],
        ),
        "owner" => lang.fill(
            Text::HistoryOwner,
            &[
                &name_of(members, s("from").as_deref(), lang),
                &name_of(members, s("to").as_deref(), lang),
            ],
        ),
        "team" => {
            let named =
                |k: Option<String>| plain(k.map(|k| teams.name(&k, lang.code()).to_string()));
            lang.fill(Text::HistoryTeam, &[&named(s("from")), &named(s("to"))])
        }
        "root_cause" => {
            // By its name in the reader's language, where the workspace's list has it.
            let named =
                |k: Option<String>| plain(k.map(|k| causes.name(&k, lang.code()).to_string()));
            lang.fill(
                Text::HistoryRootCause,
                &[&named(s("from")), &named(s("to"))],
            )
        }
        "title" => lang.fill(Text::HistoryTitle, &[&plain(s("from")), &plain(s("to"))]),
        "note" => lang.fill(Text::HistoryNote, &[&plain(s("text"))]),
        "reply" => lang.fill(Text::HistoryReply, &[&plain(s("text"))]),
        "linked" if data["reopened"] == true => lang.t(Text::HistoryLinkedReopened).to_string(),
        "linked" => lang.t(Text::HistoryLinked).to_string(),
        "escalated" if s("level").as_deref() == Some("breach") => {
            lang.fill(Text::HistoryBreach, &[&timer(s("timer"))])
        }
        "escalated" => lang.fill(Text::HistoryWarning, &[&timer(s("timer"))]),
        "resurvey" => lang.fill(
            Text::HistoryResurvey,
            &[&data["at"]
                .as_i64()
                .map_or_else(String::new, |at| when(lang, tz, at))],
        ),
        "resurvey_skipped" => {
            let why = match s("reason").as_deref() {
                Some("no_email") => Text::ResurveyNoEmail,
                Some("no_survey") => Text::ResurveyNoSurvey,
                Some("consent_withdrawn") => Text::ResurveyConsentWithdrawn,
                _ => Text::ResurveyEmailOff,
            };
            lang.fill(Text::HistoryResurveySkipped, &[&lang.t(why)])
        }
        "resurvey_answered" => lang.t(Text::HistoryResurveyAnswered).to_string(),
        other => other.to_string(),
    };
    HistoryRow {
        when: when(lang, tz, e.at),
        who,
        what,
    }
}

async fn render(
    st: &AppState,
    m: &Member,
    detail: CaseDetail,
    notice: Option<Text>,
    problem: Option<String>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let members = match st.app.workspace_members(ws).await {
        Ok(ms) => ms,
        Err(e) => return page_error(st, lang, e),
    };
    let CaseView { case, sla } = &detail.view;
    let slug = &m.workspace.slug;
    let origin = match &case.rule_key {
        Some(rule) => {
            // The rule's name in the user's language, else its key.
            let name = st
                .app
                .definition(ws, puls_store::DefinitionKind::AlertRule, rule)
                .await
                .ok()
                .and_then(|d| puls_core::alert::AlertRule::parse(&d.definition).ok())
                .map_or_else(|| rule.clone(), |r| r.name.get(lang.code()).to_string());
            lang.fill(Text::CaseOpenedBy, &[&name])
        }
        None => lang.t(Text::CaseOpenedByHand).to_string(),
    };
    let customer = customer_of(case);
    let causes = st.app.root_causes(ws).await.unwrap_or_default();
    let teams = st.app.teams(ws).await.unwrap_or_default();
    let reply_blocked = if case.contact_email.is_none() {
        Some(Text::CaseNoEmail)
    } else if st.app.config().smtp.host.is_none() {
        Some(Text::CaseEmailOff)
    } else {
        None
    };
    let statuses = CaseStatus::ALL
        .into_iter()
        .filter(|s| *s == case.status || case.status.can_move(*s))
        .map(|s| TextChoice {
            value: s.as_str(),
            name: status_text(s),
            selected: s == case.status,
        })
        .collect();
    let priorities = Priority::ALL
        .into_iter()
        .map(|p| TextChoice {
            value: p.as_str(),
            name: priority_text(p),
            selected: p == case.priority,
        })
        .collect();
    let owners = members
        .iter()
        .filter(|mm| {
            puls_core::access::Role::parse(&mm.role)
                .is_some_and(|r| r.allows(puls_core::access::Permission::WorkCases))
        })
        .map(|mm| NamedChoice {
            value: mm.user.id.as_str().to_string(),
            name: mm.user.name.clone(),
            selected: case.owner_id.as_deref() == Some(mm.user.id.as_str()),
        })
        .collect();
    let rules = rules_of(st, ws).await;
    let page = CasePage {
        title: shown_title(case, &rules, lang),
        id: case.id.clone(),
        status: status_text(case.status),
        priority: priority_text(case.priority),
        owner: name_of(&members, case.owner_id.as_deref(), lang),
        team: case
            .team
            .as_deref()
            .map(|k| teams.name(k, lang.code()).to_string())
            .unwrap_or_default(),
        team_value: case.team.clone().unwrap_or_default(),
        teams: picker(
            teams.teams.iter().map(|t| (&t.key, &t.name)),
            case.team.as_deref(),
            lang,
        ),
        root_cause: case
            .root_cause
            .as_deref()
            .map(|k| causes.name(k, lang.code()).to_string())
            .unwrap_or_default(),
        root_cause_value: case.root_cause.clone().unwrap_or_default(),
        root_causes: picker(
            causes.codes.iter().map(|(k, n)| (k, n)),
            case.root_cause.as_deref(),
            lang,
        ),
        origin,
        created: when(lang, &tz, case.created_at),
        first_response: timer_view(lang, &tz, &sla.first_response),
        resolution: timer_view(lang, &tz, &sla.resolution),
        response_href: case
            .response_id
            .as_ref()
            .map(|r| format!("/app/w/{slug}/responses/{r}")),
        response_label: response_label(st, m, case).await,
        answers: case_answers(st, m, case).await,
        customer,
        reply_to: match reply_blocked {
            None => case.contact_email.clone(),
            Some(_) => None,
        },
        reply_blocked,
        history: detail
            .history
            .iter()
            .map(|e| history_row(lang, &tz, &members, &rules, &causes, &teams, e))
            .collect(),
        statuses,
        priorities,
        owners,
        revision: case.revision,
        can_work: true,
        notice,
        problem: problem.clone(),
        shell: shell(m, Text::NavCases),
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Page::render(st, status, lang, &page)
}

/// A picker of a workspace list's entries by name, the case's `current` key selected,
/// and kept (by its key) when the list lacks it, so saving the form without touching the
/// picker keeps it; none when the list is empty (the form then shows a text field).
fn picker<'a>(
    list: impl Iterator<Item = (&'a Key, &'a puls_core::journey::Label)>,
    current: Option<&str>,
    lang: Lang,
) -> Vec<NamedChoice> {
    let mut choices: Vec<NamedChoice> = list
        .map(|(k, n)| NamedChoice {
            value: k.as_str().to_string(),
            name: n.get(lang.code()).to_string(),
            selected: current == Some(k.as_str()),
        })
        .collect();
    if let Some(current) = current
        && !choices.is_empty()
        && !choices.iter().any(|c| c.selected)
    {
        choices.push(NamedChoice {
            value: current.to_string(),
            name: current.to_string(),
            selected: true,
        });
    }
    choices
}

/// The answers of a case's response, in words; none when it is gone (erased, deleted).
async fn case_answers(
    st: &AppState,
    m: &Member,
    case: &puls_store::CaseRecord,
) -> Vec<puls_html::console::AnswerRow> {
    let Some(id) = case
        .response_id
        .as_deref()
        .and_then(|r| puls_core::ResponseId::parse(r).ok())
    else {
        return Vec::new();
    };
    match st.app.response(m.workspace.id, &id).await {
        Ok(r) => super::inbox::answer_rows(st, m, &r)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// "Survey title · touchpoint name" of a case's response, in the user's language.
async fn response_label(st: &AppState, m: &Member, case: &puls_store::CaseRecord) -> String {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let mut parts = Vec::new();
    if let Some(sid) = case
        .survey_id
        .as_deref()
        .and_then(|s| puls_core::SurveyId::parse(s).ok())
        && let Ok(rec) = st.app.survey(ws, &sid, None).await
    {
        match st.app.survey_version(&rec, rec.version).await {
            Ok(def) => parts.push(super::title_in(&def, lang.code())),
            Err(_) => parts.push(rec.title.clone()),
        }
    }
    if let Some(tp) = &case.touchpoint {
        match super::names::Names::load(st, ws, lang).await {
            Ok(names) => parts.push(names.touchpoint(tp)),
            Err(_) => parts.push(tp.clone()),
        }
    }
    parts.join(" · ")
}

/// `GET /app/w/{slug}/cases/{id}`.
pub async fn case(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = m.signed.lang;
    match st.app.case(m.workspace.id, &id).await {
        Ok(d) => {
            let notice = match q.get("notice").map(String::as_str) {
                Some("saved") => Some(Text::NoticeSaved),
                _ => None,
            };
            render(&st, &m, d, notice, None).await
        }
        Err(AppError::NotFound(_)) => Page::not_found(&st, lang),
        Err(e) => page_error(&st, lang, e),
    }
}

/// `POST /app/w/{slug}/cases/{id}`: `action` is `change`, `note` or `reply`.
pub async fn act(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = m.workspace.id;
    let actor = CaseActor::User(m.signed.user.id.clone());
    let text = field(&pairs, "text").unwrap_or("");
    let done = match field(&pairs, "action").unwrap_or("") {
        "change" => match change_of(&pairs) {
            Ok((change, revision)) => st.app.change_case(ws, &id, &actor, change, revision).await,
            Err(e) => Err(e),
        },
        "note" => st.app.note_case(ws, &id, &actor, text).await,
        "reply" => st.app.reply_case(ws, &id, &actor, text).await,
        _ => return Page::not_found(&st, lang),
    };
    let problem = match done {
        Ok(_) => {
            return Redirect::to(&format!(
                "/app/w/{}/cases/{id}?notice=saved",
                m.workspace.slug
            ))
            .into_response();
        }
        Err(AppError::NotFound(_)) => return Page::not_found(&st, lang),
        Err(AppError::Rejected(Rejection::RevisionConflict, _)) => {
            lang.t(Text::CaseChangedMeanwhile).to_string()
        }
        Err(AppError::Rejected(Rejection::BadStatusChange, _)) => {
            let to = field(&pairs, "status")
                .and_then(CaseStatus::parse)
                .map_or("", |s| lang.t(status_text(s)));
            let from = match st.app.case(ws, &id).await {
                Ok(d) => lang.t(status_text(d.view.case.status)),
                Err(e) => return page_error(&st, lang, e),
            };
            lang.fill(Text::CaseBadMove, &[&from, &to])
        }
        Err(AppError::Rejected(Rejection::NoContactEmail, _)) => {
            lang.t(Text::CaseNoEmail).to_string()
        }
        Err(AppError::Rejected(Rejection::EmailNotConfigured, _)) => {
            lang.t(Text::CaseEmailOff).to_string()
        }
        Err(AppError::Validation(errs)) => errs
            .0
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    field_name(lang, &e.path),
                    lang.definition_error(&e.kind)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Err(e) => return page_error(&st, lang, e),
    };
    match st.app.case(ws, &id).await {
        Ok(d) => render(&st, &m, d, None, Some(problem)).await,
        Err(e) => page_error(&st, lang, e),
    }
}

/// A form field's label for a problem's path.
fn field_name(lang: Lang, path: &str) -> String {
    let text = match path {
        "text" => Text::CaseNote,
        "root_cause" => Text::CaseRootCause,
        "title" => Text::CasesTitle,
        "owner" => Text::CaseOwner,
        "team" => Text::CaseTeam,
        _ => return path.to_string(),
    };
    lang.t(text).to_string()
}

/// The change the form asks for (owner empty: unassigned; root cause empty: none).
fn change_of(pairs: &[(String, String)]) -> Result<(CaseChange, Option<i64>), AppError> {
    use puls_core::FieldErrorKind as K;
    let status = field(pairs, "status")
        .map(|s| {
            CaseStatus::parse(s).ok_or_else(|| {
                AppError::field(
                    "status",
                    K::NotOneOf {
                        allowed: "in_progress, waiting, resolved, closed".into(),
                    },
                )
            })
        })
        .transpose()?;
    let priority = field(pairs, "priority")
        .map(|p| {
            Priority::parse(p).ok_or_else(|| {
                AppError::field(
                    "priority",
                    K::NotOneOf {
                        allowed: "low, normal, high, urgent".into(),
                    },
                )
            })
        })
        .transpose()?;
    let owner = field(pairs, "owner")
        .map(|o| match o.trim() {
            "" => Ok(None),
            o => UserId::parse(o)
                .map(Some)
                .map_err(|k| AppError::field("owner", k)),
        })
        .transpose()?;
    // A key, or none when empty.
    let key = |name: &str| {
        field(pairs, name)
            .map(|r| match r.trim() {
                "" => Ok(None),
                r => Key::parse(r)
                    .map(Some)
                    .map_err(|k| AppError::field(name, k)),
            })
            .transpose()
    };
    let root_cause = key("root_cause")?;
    let team = key("team")?;
    let revision = field(pairs, "revision").and_then(|r| r.parse().ok());
    Ok((
        CaseChange {
            status,
            priority,
            owner,
            team,
            root_cause,
            ..CaseChange::default()
        },
        revision,
    ))
}

/// `POST /app/w/{slug}/responses/{id}/case`: opens (or finds) the response's case.
pub async fn open_from_response(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    if let Err(r) = m.signed.form(&st, &headers, &body) {
        return r;
    }
    let ws = m.workspace.id;
    let slug = &m.workspace.slug;
    // One case per response: an existing one is opened instead.
    let existing = st
        .app
        .cases(
            ws,
            &CaseFilter {
                response_id: Some(id.clone()),
                limit: 1,
                ..CaseFilter::default()
            },
        )
        .await;
    match existing {
        Ok(found) if !found.is_empty() => {
            return Redirect::to(&format!("/app/w/{slug}/cases/{}", found[0].case.id))
                .into_response();
        }
        Ok(_) => {}
        Err(e) => return page_error(&st, lang, e),
    }
    let actor = CaseActor::User(m.signed.user.id.clone());
    let input = NewCase {
        response_id: Some(id),
        owner: Some(m.signed.user.id.clone()),
        ..NewCase::default()
    };
    match st.app.open_case(ws, &actor, input).await {
        Ok(v) => Redirect::to(&format!("/app/w/{slug}/cases/{}", v.case.id)).into_response(),
        Err(AppError::NotFound(_)) | Err(AppError::Validation(_)) => Page::not_found(&st, lang),
        Err(e) => page_error(&st, lang, e),
    }
}

/// Who the case is about, as people tell them apart: their e-mail, else their external id
/// (the contact key without its kind), else nothing.
fn customer_of(case: &puls_store::CaseRecord) -> String {
    match (&case.contact_key, &case.contact_email) {
        (_, Some(e)) => e.clone(),
        (Some(k), None) => k.split_once(':').map_or(k.as_str(), |(_, v)| v).to_string(),
        (None, None) => String::new(),
    }
}
