//! The responses inbox: the workspace's responses, newest first, with filters and full-text
//! search over open answers kept in the URL; a response's detail with its contact and where
//! it sits in the journeys; the CSV export of exactly the filtered set.
//!
//! The filters are the API's (`ResponseQuery`: survey, touchpoint, channel, status, since,
//! until, q), so the page, its export and `GET /api/v1/responses` select the same rows.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_core::access::Permission;
use puls_core::{Locale, Question, QuestionKind, Survey};
use puls_html::console::{
    AnswerRow, Chip, ContactView, InboxPage, InboxRow, Place, ResponsePage, ResponseView,
    SelectOption,
};
use puls_html::{Lang, Text};
use puls_store::{DefinitionKind, ResponseRecord};

use super::auth::need;
use super::auth::{Allowed, Member};
use super::names::Names;
use super::overview::{option, select, survey_selects};
use super::{Page, confirmed_form, missing_or_error, page_error, shell, title_in, user_message};
use crate::state::AppState;
use puls_app::AppError;
use puls_app::search::Surveys;
use puls_app::text_queue::AnswerAnalysis;
use puls_core::band::Band;
use puls_store::json;
use puls_wire::path;
use puls_wire::surveys::ResponseQuery;

/// Responses per page.
const PAGE: usize = 50;

/// The confirmation a redirect after an action asks for (`?notice=`), if it is one we know.
fn notice_of(raw: Option<&str>) -> Option<Text> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).ok()?;
    pairs
        .iter()
        .find(|(k, _)| k == "notice")
        .and_then(|(_, v)| match v.as_str() {
            "response_deleted" => Some(Text::ResponseDeleted),
            "recorded" => Some(Text::RecordSaved),
            _ => None,
        })
}

/// Who recorded a response by hand and how, in words, from its attributes
/// (`recorded_by_name`, `store`; see `puls_app::manual`).
fn recorded_by(r: &ResponseRecord, lang: Lang) -> Option<String> {
    let name = r.attributes.get("recorded_by_name")?;
    let store = r.attributes.get("store");
    Some(match (r.channel.as_str(), store) {
        ("phone", _) => lang.fill(Text::RecordedByPhone, &[name]),
        ("store", Some(store)) => lang.fill(Text::RecordedByStore, &[name, store]),
        _ => lang.fill(Text::RecordedBy, &[name]),
    })
}

/// The page's query: the API's filters (an `until` date includes that day, as in the API).
fn query_of(raw: Option<&str>) -> Result<(ResponseQuery, Vec<(String, String)>), String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| format!("query: {e}"))?;
    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && [
                    "survey",
                    "touchpoint",
                    "channel",
                    "status",
                    "since",
                    "until",
                    "q",
                    "band",
                    "has_text",
                    "locale",
                    "contact",
                    "contact_id",
                    "segment",
                    "sentiment",
                    "aspect",
                ]
                .contains(&k.as_str())
        })
        .cloned()
        .collect();
    let get = |k: &str| {
        kept.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let q = ResponseQuery {
        survey: get("survey"),
        touchpoint: get("touchpoint"),
        channel: get("channel"),
        status: get("status"),
        since: get("since"),
        until: get("until"),
        tz: None,
        cursor: pairs
            .iter()
            .find(|(k, _)| k == "cursor")
            .map(|(_, v)| v.clone()),
        limit: None,
        format: None,
        lang: None,
        q: get("q"),
        band: get("band"),
        has_text: get("has_text"),
        locale: get("locale"),
        contact: get("contact"),
        contact_id: get("contact_id"),
        segment: get("segment"),
        sentiment: get("sentiment"),
        aspect: get("aspect"),
    };
    Ok((q, kept))
}

#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn inbox(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewResponses>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let (defs, names) = match (
        st.app.analytics().current_surveys(ws).await,
        Names::load(&st, ws, lang).await,
    ) {
        (Ok(d), Ok(n)) => (d, n),
        (Err(e), _) | (_, Err(e)) => return page_error(&st, lang, e),
    };
    let surveys: Vec<(String, String, String)> = defs
        .iter()
        .map(|(id, s)| {
            let title = title_in(s, lang.code());
            (id.clone(), title, s.touchpoint.as_str().to_string())
        })
        .collect();
    let tz = &st.app.analytics().config.time_zone;
    let mut error = None;
    let mut rows = Vec::new();
    let mut next = None;
    let mut scanned = 0;
    let mut total = None;
    let mut kept = Vec::new();
    match query_of(raw.as_deref()) {
        Err(e) => error = Some(e),
        Ok((q, k)) => {
            kept = k;
            let found = async {
                let filter = q.filter(tz)?;
                let m = st.app.response_match(ws, q.match_spec()?).await?;
                // The total only on the first page (a later one shows older responses of
                // the same set).
                let total = match q.cursor {
                    None => Some(st.app.count_responses(ws, filter.clone(), &m).await?),
                    Some(_) => None,
                };
                let found = st.app.find_responses(ws, filter, &m, PAGE).await?;
                Ok::<_, AppError>((found, total))
            }
            .await;
            match found {
                Ok((f, n)) => {
                    total = n;
                    let mut cache = Surveys::default();
                    let ids: Vec<_> = f.rows.iter().map(|r| r.id.clone()).collect();
                    let readings = match st.app.answer_analyses(ws, &ids).await {
                        Ok(t) => t,
                        Err(e) => return page_error(&st, lang, e),
                    };
                    for r in &f.rows {
                        let texts = match cache.open_answers(&st.app, r).await {
                            Ok(t) => t,
                            Err(e) => return page_error(&st, lang, e),
                        };
                        let mut line = row(r, &defs, lang, &names, &texts, tz);
                        line.chips = chips(readings.get(&r.id).map(Vec::as_slice), lang, &names);
                        rows.push(line);
                    }
                    next = f.next;
                    scanned = f.scanned;
                }
                Err(e) => match user_message(e) {
                    Ok(msg) => error = Some(msg),
                    Err(e) => return page_error(&st, lang, e),
                },
            }
        }
    }
    let filters_qs = serde_urlencoded::to_string(&kept).unwrap_or_default();
    let current = |k: &str| {
        kept.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // Choices of our vocabulary: a value and its words.
    let words = |pairs: &[(&str, Text)]| -> Vec<SelectOption> {
        pairs
            .iter()
            .map(|(value, label)| SelectOption {
                label: Some(*label),
                ..option(value, value)
            })
            .collect()
    };
    let bands: Vec<(&str, Text)> = Band::ALL
        .iter()
        .map(|b| (b.as_str(), Text::band(*b)))
        .collect();
    let mut selects = survey_selects(&surveys, &current, &names);
    for (name, label, options) in [
        (
            "status",
            Text::Status,
            words(&[
                ("completed", Text::StatusCompleted),
                ("partial", Text::StatusPartial),
            ]),
        ),
        ("band", Text::Band, words(&bands)),
        (
            "has_text",
            Text::OpenAnswers,
            words(&[
                ("yes", Text::WithOpenAnswers),
                ("no", Text::WithoutOpenAnswers),
            ]),
        ),
        ("segment", Text::Segment, names.segment_options()),
        (
            "contact",
            Text::Contact,
            words(&[
                ("known", Text::ContactKnown),
                ("unknown", Text::ContactUnknown),
            ]),
        ),
        ("locale", Text::Locale, super::overview::locale_options()),
        (
            "sentiment",
            Text::Sentiment,
            words(&[
                ("neg", Text::SentimentNeg),
                ("neu", Text::SentimentNeu),
                ("pos", Text::SentimentPos),
            ]),
        ),
        ("aspect", Text::Aspect, names.aspect_options()),
    ] {
        selects.push(select(name, label, &current(name), options));
    }
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let searched = kept.iter().any(|(k, _)| k == "q");
    // The exports of exactly these filters.
    let download = |file: &str| {
        format!(
            "/app/w/{}/{file}{}{}",
            m.workspace.slug,
            if filters_qs.is_empty() { "" } else { "?" },
            filters_qs
        )
    };
    let page = InboxPage {
        title: lang.t(Text::InboxTitle).into(),
        rows,
        selects,
        q: current("q"),
        since: current("since"),
        until: current("until"),
        export: download("responses.csv"),
        export_excel: download("responses-excel.csv"),
        export_xlsx: download("responses.xlsx"),
        older: next.map(|c| {
            let mut qs = kept.clone();
            qs.push(("cursor".into(), c.to_string()));
            format!("?{}", serde_urlencoded::to_string(&qs).unwrap_or_default())
        }),
        scanned: searched.then_some(scanned),
        total: total.map(|c| c.n),
        total_scanned: total.filter(|c| !c.exact).map(|c| c.scanned),
        error,
        notice: notice_of(raw.as_deref()),
        can_record: m.role.allows(Permission::WorkCases),
        shell: shell(&m, Text::NavResponses),
    };
    Page::render(&st, status, lang, &page)
}

/// One line of the list.
fn row(
    r: &ResponseRecord,
    surveys: &BTreeMap<String, Arc<Survey>>,
    lang: Lang,
    names: &Names,
    texts: &[String],
    tz: &str,
) -> InboxRow {
    let (date, time) = super::overview::local_date_time(r.created_at, tz);
    let def = surveys.get(r.survey_id.as_str());
    let title = def
        .map(|s| title_in(s, lang.code()))
        .unwrap_or_else(|| r.survey_id.to_string());
    let excerpt: String = texts.join(" · ").chars().take(160).collect();
    InboxRow {
        id: r.id.as_str().to_string(),
        date,
        time,
        survey: title,
        touchpoint: names.touchpoint(&r.touchpoint),
        channel: r.channel.clone(),
        locale: language_name(&r.locale),
        completed: r.completed,
        scores: scores_of(r, def.map(|d| d.as_ref()), lang),
        excerpt,
        chips: Vec::new(),
        contact: r
            .contact_email
            .clone()
            .or_else(|| r.contact_external_id.clone()),
    }
}

/// What text analysis read in a response's open answers, as chips: each answer's
/// sentiment, then each aspect it names with the sentiment it is spoken of with (each
/// once), in words.
pub(super) fn chips(analyses: Option<&[AnswerAnalysis]>, lang: Lang, names: &Names) -> Vec<Chip> {
    let mut out: Vec<Chip> = Vec::new();
    let mut push = |text: String, tone: &str| {
        if !out.iter().any(|c| c.text == text) {
            out.push(Chip {
                text,
                tone: tone.to_string(),
            });
        }
    };
    for a in analyses.unwrap_or_default() {
        push(lang.sentiment(&a.sentiment).to_string(), &a.sentiment);
    }
    for a in analyses.unwrap_or_default() {
        for (name, s) in &a.aspects {
            push(format!("{}: {}", names.aspect(name), lang.sentiment(s)), s);
        }
    }
    out
}

/// The scores of a response at a glance: every score question's answer, in question order,
/// named by its metric (NPS, CSAT, CES) or the start of its text ("NPS 9, CSAT 4").
pub(super) fn scores_of(r: &ResponseRecord, def: Option<&Survey>, lang: Lang) -> String {
    let Some(d) = def else {
        return String::new();
    };
    d.questions
        .iter()
        .filter_map(|q| match r.answers.get(q.id.as_str())? {
            puls_core::Value::Int(n) => Some(format!("{} {n}", score_label(d, q, lang))),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A response's language by its own name ("Čeština"), or its tag when unknown.
fn language_name(tag: &str) -> String {
    match Locale::parse(tag) {
        Ok(l) => puls_html::i18n::native_name(&l).into_owned(),
        Err(_) => tag.to_string(),
    }
}

/// A score question's short name: its metric for NPS, CSAT and CES, else the start of its
/// text in `lang`.
fn score_label(survey: &Survey, q: &Question, lang: Lang) -> String {
    match &q.kind {
        QuestionKind::Nps => lang.t(Text::Nps).to_string(),
        QuestionKind::Csat => lang.t(Text::Csat).to_string(),
        QuestionKind::Ces => lang.t(Text::Ces).to_string(),
        _ => {
            let l = Locale::parse(lang.code()).unwrap_or_else(|_| survey.default_locale.clone());
            let text = q.text.get(&l, &survey.default_locale);
            let short: String = text.chars().take(30).collect();
            if short.len() < text.len() {
                format!("{}…", short.trim_end())
            } else {
                short
            }
        }
    }
}

/// `GET /app/w/{slug}/responses.csv`: the export of exactly the inbox's filtered set.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn export_csv(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewResponses>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    export_as(&st, &m, raw.as_deref(), "csv").await
}

/// `GET /app/w/{slug}/responses-excel.csv`: the same as CSV that Excel in Polish and Czech
/// settings opens by double-click.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn export_excel_csv(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewResponses>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    export_as(&st, &m, raw.as_deref(), "csv_semicolon").await
}

/// `GET /app/w/{slug}/responses.xlsx`: the same as an Excel workbook in the reader's
/// language.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn export_xlsx(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewResponses>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    export_as(&st, &m, raw.as_deref(), "xlsx").await
}

/// The inbox's filtered set in `format`, through the API's export.
async fn export_as(st: &AppState, m: &Member, raw: Option<&str>, format: &str) -> Response {
    let lang = m.signed.lang;
    let bad = |msg: String| (StatusCode::BAD_REQUEST, msg).into_response();
    let mut q = match query_of(raw) {
        Ok((q, _)) => q,
        Err(e) => return bad(e),
    };
    q.format = Some(format.to_string());
    let name = format!("responses-{}", m.workspace.slug);
    match crate::routes::responses::export(st, m.workspace.id, &q, lang, &name).await {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => Page::not_found(st, lang),
        Err(e) => match user_message(e) {
            Ok(msg) => bad(msg),
            Err(e) => page_error(st, lang, e),
        },
    }
}

/// `GET /app/w/{slug}/responses/{id}`: one response, its contact and its place in the
/// workspace's journeys.
#[tracing::instrument(skip_all, fields(workspace = %slug, response = %id))]
pub async fn detail(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewResponses>,
    Path((slug, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let found = match path::response(&id) {
        Ok(id) => st.app.response(ws, &id).await,
        Err(e) => Err(e),
    };
    let r = match found {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => return Page::not_found(&st, lang),
        Err(e) => return page_error(&st, lang, e),
    };
    match detail_page(&st, &m, &r).await {
        Ok(page) => Page::render(
            &st,
            StatusCode::OK,
            lang,
            &ResponsePage {
                notice: notice_of(raw.as_deref()),
                ..page
            },
        ),
        Err(e) => page_error(&st, lang, e),
    }
}

/// A response's survey (as it was when answered), when the survey still exists.
async fn survey_of(
    st: &AppState,
    m: &Member,
    r: &ResponseRecord,
) -> Result<Option<std::sync::Arc<Survey>>, AppError> {
    match st.app.survey(m.workspace.id, &r.survey_id, None).await {
        Ok(rec) => Ok(Some(st.app.survey_version(&rec, r.survey_version).await?)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A response's answers in words, each under its question in the reader's language.
pub(super) async fn answer_rows(
    st: &AppState,
    m: &Member,
    r: &ResponseRecord,
) -> Result<Vec<AnswerRow>, AppError> {
    let def = survey_of(st, m, r).await?;
    Ok(answers_of(m, r, def.as_deref()))
}

fn answers_of(m: &Member, r: &ResponseRecord, def: Option<&Survey>) -> Vec<AnswerRow> {
    let lang = m.signed.lang.code();
    let answers = json::object(&r.answers);
    let l = Locale::parse(lang).ok();
    let answer = |question: &str, answer: String| AnswerRow {
        question: question.to_string(),
        answer,
    };
    match def {
        Some(d) => {
            let l = l.as_ref().unwrap_or(&d.default_locale);
            d.questions
                .iter()
                .filter_map(|q| {
                    let a = answers.get(q.id.as_str())?;
                    let text = q.text.get(l, &d.default_locale);
                    Some(answer(text, answer_words(d, q, a, l, m.signed.lang)))
                })
                .collect()
        }
        None => answers
            .as_object()
            .map(|o| o.iter().map(|(k, v)| answer(k, answer_text(v))).collect())
            .unwrap_or_default(),
    }
}

/// The response, its answers, its contact and its places in the journeys.
async fn detail_page(
    st: &AppState,
    m: &Member,
    r: &ResponseRecord,
) -> Result<ResponsePage, AppError> {
    let ws = m.workspace.id;
    let lang = m.signed.lang.code();
    let names = Names::load(st, ws, m.signed.lang).await?;
    let def = survey_of(st, m, r).await?;
    let answers_shown = answers_of(m, r, def.as_deref());
    // The contact, found the way the analytics link them (external id, then email), or
    // through the personal invitation it was answered with.
    let contact = st
        .app
        .response_contact_record(ws, r)
        .await?
        .map(|c| ContactView {
            id: c.id.as_str().to_string(),
            name: c.fields.name.clone(),
            email: c.fields.email.as_ref().map(|e| e.as_str().to_string()),
            external_id: c
                .fields
                .external_id
                .as_ref()
                .map(|e| e.as_str().to_string()),
            phone: c.fields.phone.as_ref().map(|p| p.as_str().to_string()),
        });
    // Where the response sits: every journey stage and touchpoint that takes surveys of
    // this touchpoint.
    let mut places = Vec::new();
    for j in st.app.definitions(ws, DefinitionKind::Journey).await? {
        let Ok(journey) = st.app.analytics().journey(ws, &j.key).await else {
            continue;
        };
        for stage in &journey.stages {
            for tp in &stage.touchpoints {
                if tp.surveys.iter().any(|s| s.as_str() == r.touchpoint) {
                    places.push(Place {
                        journey: journey.name.get(lang).to_string(),
                        stage: stage.name.get(lang).to_string(),
                        touchpoint: tp.name.get(lang).to_string(),
                        moment_of_truth: tp.moment_of_truth,
                    });
                }
            }
        }
    }
    let case_href = match m.role.allows(Permission::WorkCases) {
        true => st
            .app
            .cases(
                ws,
                &puls_store::CaseFilter {
                    response_id: Some(r.id.as_str().to_string()),
                    limit: 1,
                    ..puls_store::CaseFilter::default()
                },
            )
            .await?
            .first()
            .map(|c| format!("/app/w/{}/cases/{}", m.workspace.slug, c.case.id)),
        false => None,
    };
    let survey_title = def
        .as_deref()
        .map(|d| title_in(d, lang))
        .unwrap_or_else(|| r.survey_id.to_string());
    // What text analysis read in its open answers.
    let read = st
        .app
        .answer_analyses(ws, std::slice::from_ref(&r.id))
        .await?
        .remove(&r.id);
    Ok(ResponsePage {
        title: m.signed.lang.t(Text::ResponseTitle).into(),
        response: ResponseView {
            id: r.id.as_str().to_string(),
            survey: survey_title,
            date: puls_wire::format_ms(r.created_at),
            touchpoint: names.touchpoint(&r.touchpoint),
            channel: r.channel.clone(),
            locale: language_name(&r.locale),
            completed: r.completed,
            contact_email: r.contact_email.clone(),
            contact_external_id: r.contact_external_id.clone(),
            recorded: recorded_by(r, m.signed.lang),
            store: r
                .attributes
                .get("store")
                .filter(|_| !r.attributes.contains_key("recorded_by_name"))
                .map(|s| m.signed.lang.fill(Text::ResponseStore, &[s])),
        },
        chips: chips(read.as_deref(), m.signed.lang, &names),
        emotions: read
            .iter()
            .flatten()
            .filter_map(|a| m.signed.lang.emotion(&a.emotion))
            .fold(Vec::new(), |mut seen: Vec<String>, e| {
                if !seen.iter().any(|s| s == e) {
                    seen.push(e.to_string());
                }
                seen
            }),
        answers: answers_shown,
        contact,
        places,
        can_delete: m.role.allows(Permission::EraseData),
        can_work_cases: m.role.allows(Permission::WorkCases),
        case_href,
        notice: None,
        shell: shell(m, Text::NavResponses),
    })
}

/// `POST /app/w/{slug}/responses/{id}/delete`: deletes the response (owners and admins),
/// once the form's box is ticked, and goes back to the inbox.
#[tracing::instrument(skip_all, fields(workspace = %slug, response = %id))]
pub async fn delete(
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
    let deleted = match path::response(&id) {
        Ok(id) => st.app.delete_response(m.workspace.id, &id).await,
        Err(e) => Err(e),
    };
    match deleted {
        Ok(()) => Redirect::to(&format!("/app/w/{slug}/responses?notice=response_deleted"))
            .into_response(),
        Err(e) => missing_or_error(&st, lang, e),
    }
}

/// An answer in words: option labels instead of option ids, matrix rows by their text, Kano
/// answers and contact fields named in the reader's language.
fn answer_words(d: &Survey, q: &Question, a: &serde_json::Value, l: &Locale, lang: Lang) -> String {
    let text = |t: &puls_core::LocalizedText| t.get(l, &d.default_locale).to_string();
    let label = |options: &[puls_core::survey::Choice], id: &str| {
        options
            .iter()
            .find(|o| o.id.as_str() == id)
            .map_or_else(|| id.to_string(), |o| text(&o.text))
    };
    let labels = |options: &[puls_core::survey::Choice], ids: &serde_json::Value| {
        ids.as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|i| i.as_str())
                    .map(|i| label(options, i))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    match (&q.kind, a) {
        (QuestionKind::SingleChoice { options, .. }, serde_json::Value::String(id)) => {
            label(options, id)
        }
        (QuestionKind::MultipleChoice { options, .. }, _) => {
            let (ids, other) = match a {
                serde_json::Value::Object(o) => (
                    o.get("selected").cloned().unwrap_or_default(),
                    o.get("other").and_then(|v| v.as_str()),
                ),
                _ => (a.clone(), None),
            };
            let mut v = labels(options, &ids);
            v.extend(other.map(|t| format!("„{t}”")));
            v.join(", ")
        }
        (QuestionKind::Ranking { options, .. }, _) => labels(options, a)
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}. {l}", i + 1))
            .collect::<Vec<_>>()
            .join(", "),
        (QuestionKind::Matrix { rows, .. }, serde_json::Value::Object(o)) => rows
            .iter()
            .filter_map(|r| Some(format!("{}: {}", text(&r.text), o.get(r.id.as_str())?)))
            .collect::<Vec<_>>()
            .join("; "),
        (
            QuestionKind::Kano {
                functional,
                dysfunctional,
            },
            serde_json::Value::Object(o),
        ) => {
            let side = |k: &str| {
                o.get(k)
                    .and_then(|v| v.as_str())
                    .and_then(puls_core::KanoAnswer::parse)
                    .map_or("–", |a| lang.kano(a))
            };
            format!(
                "{} {}; {} {}",
                text(functional),
                side("functional"),
                text(dysfunctional),
                side("dysfunctional")
            )
        }
        _ => answer_text(a),
    }
}

/// An answer as a person reads it.
fn answer_text(a: &serde_json::Value) -> String {
    match a {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Array(v) => v.iter().map(answer_text).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(o) => o
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}: {}", answer_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
        serde_json::Value::Null => String::new(),
    }
}
