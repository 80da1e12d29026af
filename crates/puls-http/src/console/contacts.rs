//! `/app/w/{slug}/contacts`: the customers, searched by name, email, external id, phone or
//! attribute value (folded like the inbox's search), and a customer's profile: fields,
//! attributes, consents, the segments they belong to, and one timeline of their events and
//! responses, newest first, so the late delivery before the bad score is in one place; and
//! the surveys sent to them by e-mail, or not sent and why. Owners and admins can erase
//! them there (the API's erasure, with its receipt).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::AppError;
use puls_core::access::Permission;
use puls_core::text::fold;
use puls_core::{ContactId, Value};
use puls_html::console::{ContactPage, ContactRow, ContactsPage, TimelineItem};
use puls_html::{Lang, Text};
use puls_store::ContactRecord;
use puls_store::json::JsonMap;
use puls_wire::path;

use super::auth::{Allowed, need};
use super::names::Names;
use super::overview::local_date_time;
use super::{Page, confirmed_form, missing_or_error, page_error, shell, title_in};
use crate::state::AppState;

/// Contacts per page.
const PAGE: usize = 50;
/// Contacts read at most for one page of search results.
const SCAN_LIMIT: usize = 50_000;
/// Contacts read per round trip.
const READ: i64 = 1000;
/// Timeline entries of each kind.
const TIMELINE: i64 = 100;

fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

/// A value as a person reads it (text as it is, lists joined).
fn plain(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Null => "–".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::List(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", plain(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What a person knows a contact by: the name, else the email, else the external id.
pub(super) fn display_name(c: &ContactRecord) -> String {
    c.fields
        .name
        .clone()
        .or_else(|| c.fields.email.clone())
        .or_else(|| c.fields.external_id.clone())
        .unwrap_or_else(|| c.id.to_string())
}

/// Whether the folded search text is in any of the contact's fields or attribute values.
fn matches(c: &ContactRecord, needle: &str) -> bool {
    let f = &c.fields;
    [&f.name, &f.email, &f.external_id, &f.phone]
        .into_iter()
        .flatten()
        .any(|s| fold(s).contains(needle))
        || f.attributes
            .values()
            .any(|v| fold(&plain(v)).contains(needle))
}

fn row(c: &ContactRecord, tz: &str) -> ContactRow {
    ContactRow {
        id: c.id.to_string(),
        name: display_name(c),
        email: c.fields.email.clone(),
        external_id: c.fields.external_id.clone(),
        updated: local_date_time(c.updated_at, tz).0,
    }
}

/// `GET /app/w/{slug}/contacts`: the customers, by id, or those a search finds.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn list(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ManageContacts>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let q = pairs(raw.as_deref());
    let search = get(&q, "q").map(fold).filter(|s| !s.is_empty());
    let mut after = match get(&q, "after").map(ContactId::parse) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return Page::not_found(&st, lang),
        None => None,
    };
    let mut rows = Vec::new();
    let mut scanned = 0;
    let mut more = false;
    'read: loop {
        let page = match st.app.contacts(ws, after.as_ref(), READ).await {
            Ok(p) => p,
            Err(e) => return page_error(&st, lang, e),
        };
        let exhausted = (page.len() as i64) < READ;
        for c in &page {
            scanned += 1;
            after = Some(c.id.clone());
            if search.as_deref().is_none_or(|n| matches(c, n)) {
                if rows.len() == PAGE {
                    more = true;
                    break 'read;
                }
                rows.push(row(c, &tz));
            }
        }
        if exhausted {
            break;
        }
        if scanned >= SCAN_LIMIT {
            more = true;
            break;
        }
    }
    let older = more.then(|| {
        let mut keep: Vec<(&str, String)> = Vec::new();
        if let Some(s) = get(&q, "q") {
            keep.push(("q", s.to_string()));
        }
        // The next page starts after the last contact shown (or read, for a search that
        // stopped at its limit).
        let last = if rows.len() == PAGE && search.is_none() {
            rows.last().map(|r| r.id.clone())
        } else {
            after.as_ref().map(|a| a.to_string())
        };
        keep.push(("after", last.unwrap_or_default()));
        format!(
            "?{}",
            serde_urlencoded::to_string(&keep).unwrap_or_default()
        )
    });
    // The receipt of an erasure just done: its five counts, in words.
    let erased = get(&q, "erased").and_then(|v| {
        let n: Vec<u64> = v.split('-').filter_map(|x| x.parse().ok()).collect();
        (n.len() == 5).then(|| {
            let args: Vec<&dyn std::fmt::Display> =
                n.iter().map(|x| x as &dyn std::fmt::Display).collect();
            lang.fill(Text::ErasureReceipt, &args)
        })
    });
    let page = ContactsPage {
        title: lang.t(Text::NavContacts).into(),
        q: get(&q, "q").unwrap_or("").to_string(),
        rows,
        older,
        scanned: search.is_some().then_some(scanned),
        notice: erased.as_ref().map(|_| Text::ContactErased),
        receipt: erased,
        shell: shell(&m, Text::NavContacts),
    };
    Page::render(&st, StatusCode::OK, lang, &page)
}

/// A consent as a person reads it: given or refused, and when.
fn consent(v: &Value, lang: Lang, tz: &str) -> String {
    let Value::Map(m) = v else {
        return plain(v);
    };
    let when = m
        .get("at")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| puls_html::format::date(lang, &local_date_time(t.as_millisecond(), tz).0))
        .unwrap_or_default();
    match m.get("granted") {
        Some(Value::Bool(true)) => lang.fill(Text::ConsentGiven, &[&when]),
        Some(Value::Bool(false)) => lang.fill(Text::ConsentRefused, &[&when]),
        _ => plain(v),
    }
}

/// A few of an event's properties, as `key: value`.
fn properties(p: &JsonMap) -> String {
    p.iter()
        .take(6)
        .map(|(k, v)| format!("{k}: {}", plain(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /app/w/{slug}/contacts/{id}`: a customer's profile and timeline.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn profile(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ManageContacts>,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let tz = st.app.analytics().config.time_zone.clone();
    let result = async {
        let id = path::contact(&id)?;
        let c = st.app.contact(ws, &id).await?;
        let events = st.app.contact_events(ws, &c.id, None, TIMELINE).await?;
        let responses = st.app.contact_responses(ws, &c.id, TIMELINE).await?;
        let surveys = st.app.analytics().current_surveys(ws).await?;
        let names = Names::load(&st, ws, lang).await?;
        // The segments they belong to, each evaluated now.
        let mut segments = Vec::new();
        for opt in names.segment_options() {
            let members = st
                .app
                .analytics()
                .segments_members(ws, std::slice::from_ref(&opt.value), puls_app::now_ms())
                .await?;
            if let Some((customers, set)) = members
                && customers
                    .read()
                    .contact_code(c.id.as_str())
                    .is_some_and(|code| set.contains(code as usize))
            {
                segments.push(opt.text);
            }
        }
        let mut timeline: Vec<(i64, TimelineItem)> = Vec::new();
        let mut cache = puls_app::search::Surveys::default();
        for e in &events {
            let (date, time) = local_date_time(e.event.timestamp, &tz);
            timeline.push((
                e.event.timestamp,
                TimelineItem {
                    date,
                    time,
                    kind: "event",
                    title: e.event.name.clone(),
                    detail: properties(&e.event.properties),
                    link: None,
                },
            ));
        }
        for r in &responses {
            let (date, time) = local_date_time(r.created_at, &tz);
            let def = surveys.get(r.survey_id.as_str());
            let title = def
                .map(|d| title_in(d, lang.code()))
                .unwrap_or_else(|| r.survey_id.to_string());
            let mut detail = super::inbox::scores_of(r, def.map(|d| d.as_ref()), lang);
            let texts = cache.open_answers(&st.app, r).await?;
            if !texts.is_empty() {
                if !detail.is_empty() {
                    detail.push_str(" — ");
                }
                detail.push_str(&texts.join(" · "));
            }
            timeline.push((
                r.created_at,
                TimelineItem {
                    date,
                    time,
                    kind: "response",
                    title,
                    detail,
                    link: Some(format!("/app/w/{slug}/responses/{}", r.id)),
                },
            ));
        }
        timeline.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        let invitations = super::distributions::contact_invitations(&st, &m, &c.id).await?;
        let f = &c.fields;
        Ok::<_, AppError>(ContactPage {
            title: display_name(&c),
            id: c.id.to_string(),
            name: f.name.clone(),
            email: f.email.clone(),
            phone: f.phone.clone(),
            external_id: f.external_id.clone(),
            locale: f
                .locale
                .as_deref()
                .map(|l| match puls_core::Locale::parse(l) {
                    Ok(loc) => puls_html::i18n::native_name(&loc).into_owned(),
                    Err(_) => l.to_string(),
                }),
            created: local_date_time(c.created_at, &tz).0,
            attributes: f
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), plain(v)))
                .collect(),
            consents: f
                .consents
                .iter()
                .map(|(k, v)| (k.clone(), consent(v, lang, &tz)))
                .collect(),
            segments,
            timeline: timeline.into_iter().map(|(_, i)| i).collect(),
            invitations,
            can_erase: m.role.allows(Permission::EraseData),
            can_record: m.role.allows(Permission::WorkCases),
            shell: shell(&m, Text::NavContacts),
        })
    }
    .await;
    match result {
        Ok(page) => Page::render(&st, StatusCode::OK, lang, &page),
        Err(e) => missing_or_error(&st, lang, e),
    }
}

/// `POST /app/w/{slug}/contacts/{id}/erase`: erases the customer (owners and admins), once
/// the form's box is ticked, and shows the list with the receipt.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn erase(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EraseData>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    if let Err(r) = confirmed_form(&st, &m, &headers, &body) {
        return r;
    }
    let erased = match path::contact(&id) {
        Ok(id) => st.app.erase_contact(m.workspace.id, &id).await,
        Err(e) => Err(e),
    };
    match erased {
        Ok(r) => {
            let counts = [
                r.responses,
                r.events,
                r.identities,
                r.invitations,
                r.contacts,
            ]
            .map(|n| n.to_string())
            .join("-");
            Redirect::to(&format!("/app/w/{slug}/contacts?erased={counts}")).into_response()
        }
        Err(e) => missing_or_error(&st, lang, e),
    }
}
