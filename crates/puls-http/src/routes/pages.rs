//! Hosted survey pages: `GET/POST /s/{id}`, one question per page, plain HTML forms that
//! work without JavaScript, in the respondent's language; and QR codes of survey links.
//!
//! Flow: the first answer creates a partial response; its id and resume token travel in
//! the URL and hidden fields; every later page updates it; the last one completes it. Each
//! POST answers with a 303 redirect (post/redirect/get), so reloading never resubmits.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use puls_core::{
    Answers, Completion, FieldError, FieldErrorKind, Locale, ResponseMetaInput, Survey, Value,
};
use puls_html::{FormFields, Lang, MessageKind, QuestionPage};
use puls_store::SurveyRecord;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use puls_app::distributions::LinkAnswer;
use puls_app::responses::Submission;
use puls_app::{AppError, Rejection};
use puls_wire::query::QueryPairs;
use puls_wire::{ErrorBody, ErrorCode, Problem, path};

use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, answer))
        .routes(routes!(thanks))
        .routes(routes!(qr))
        .routes(routes!(unsubscribe_page, unsubscribe))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// A survey locale, e.g. `cs`; default from `Accept-Language`.
    lang: Option<String>,
    /// The question to show (for "Back" and for the next page).
    q: Option<String>,
    rid: Option<String>,
    rt: Option<String>,
    /// Channel of a new response, e.g. `store` for a QR code on a counter.
    channel: Option<String>,
    /// A personal invitation token.
    inv: Option<String>,
    /// With `inv` and `q` (the first question): the score clicked in an invitation
    /// e-mail, recorded at once.
    a: Option<String>,
    /// `1`: kiosk mode on a shared device in a store (the page starts again after the
    /// thank-you page and when left idle); remembered for the survey in a session cookie.
    kiosk: Option<String>,
    /// The store or location a response comes from (per-location links and QR codes,
    /// kiosks): recorded as the response's `store` attribute, channel `store`.
    store: Option<String>,
}

/// Seconds a kiosk's question page waits for a touch before starting again (what was
/// answered so far is stored already, as a partial response).
const KIOSK_IDLE_SECS: u32 = 90;
/// Seconds a kiosk shows the thank-you page.
const KIOSK_THANKS_SECS: u32 = 8;
/// The kiosk cookie's name (its path is the survey's pages).
const KIOSK_COOKIE: &str = "puls_kiosk";

/// A store or location id: letters, digits, `-` and `_`, 1 to 64 of them.
fn store_id(s: &str) -> Result<&str, AppError> {
    puls_core::StoreId::parse(s)
        .map(|_| s)
        .map_err(|_| AppError::invalid("store: letters, digits, '-' and '_', at most 64"))
}

/// The kiosk this request belongs to, with its store (empty: none): asked for by
/// `?kiosk=1`, else remembered in the survey's kiosk cookie.
fn kiosk_of(q_kiosk: Option<&str>, q_store: Option<&str>, headers: &HeaderMap) -> Option<String> {
    if q_kiosk == Some("1") {
        return Some(q_store.unwrap_or_default().to_string());
    }
    crate::console::auth::cookie(headers, KIOSK_COOKIE)
        .map(|v| {
            let store = v.split('~').next().unwrap_or_default();
            if store == "-" {
                String::new()
            } else {
                store.to_string()
            }
        })
        .filter(|v| v.is_empty() || store_id(v).is_ok())
}

/// The kiosk device this request comes from: the random id its kiosk cookie carries after
/// the store (`WAW-01~3f9a…`), if any.
fn kiosk_device(headers: &HeaderMap) -> Option<String> {
    crate::console::auth::cookie(headers, KIOSK_COOKIE)
        .and_then(|v| v.split_once('~').map(|(_, d)| d.to_string()))
        .filter(|d| d.len() == 32 && d.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Where a kiosk starts again: the survey's first page in kiosk mode.
fn kiosk_start(id: &str, store: &str, locale: &str) -> String {
    let mut url = format!("/s/{id}?kiosk=1&lang={locale}");
    if !store.is_empty() {
        url.push_str(&format!("&store={store}"));
    }
    url
}

/// A kiosk's page: `Refresh` (as a `<meta http-equiv="refresh">` would, without script)
/// to the start after `secs`, and the cookie that keeps the survey's pages in kiosk mode.
/// The cookie names the kiosk's device too (kept, or new), which the per-device limit
/// counts by.
fn kiosk_page(
    mut resp: Response,
    id: &str,
    store: &str,
    to: &str,
    secs: u32,
    headers: &HeaderMap,
) -> Response {
    let device = kiosk_device(headers).unwrap_or_else(|| hex::encode(rand::random::<[u8; 16]>()));
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{secs}; url={to}")) {
        h.insert(header::REFRESH, v);
    }
    let value = if store.is_empty() { "-" } else { store };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{KIOSK_COOKIE}={value}~{device}; Path=/s/{id}; HttpOnly; SameSite=Lax"
    )) {
        h.append(header::SET_COOKIE, v);
    }
    resp
}

/// Preferred language tags from `Accept-Language`, best first.
fn accepted(headers: &HeaderMap) -> Vec<String> {
    let Some(v) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let mut tags: Vec<(f32, usize, String)> = v
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0 && !tag.is_empty() && tag != "*").then(|| (q, i, tag.to_string()))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|t| t.2).collect()
}

/// The survey locale for this request: `?lang=` first, then `Accept-Language`.
fn choose_locale<'a>(survey: &'a Survey, lang: Option<&str>, headers: &HeaderMap) -> &'a Locale {
    let prefs = accepted(headers);
    survey.best_locale(lang.into_iter().chain(prefs.iter().map(String::as_str)))
}

/// Page chrome language when there is no survey to choose from.
fn ui_from_headers(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    let prefs = accepted(headers);
    lang.into_iter()
        .chain(prefs.iter().map(String::as_str))
        .find_map(|t| {
            let l = Locale::parse(t).ok()?;
            matches!(l.language(), "pl" | "cs" | "en").then(|| Lang::for_locale(&l))
        })
        .unwrap_or(Lang::En)
}

fn html(status: StatusCode, body: String, started: Instant) -> Response {
    let mut resp = (status, Html(body)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Framed by Puls only (the survey pages' own rule is `widget::framing`'s).
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}; frame-ancestors 'self'",
        super::widget::PAGE_POLICY.as_str()
    )) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Server time, so benchmarks and browsers' dev tools can see what the server spent.
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={millis:.3}")) {
        h.insert("server-timing", v);
    }
    resp
}

/// A full message page in the respondent's language for an error.
fn error_page(st: &AppState, ui: Lang, e: &PageError, started: Instant) -> Response {
    let kind = match e {
        PageError::App(AppError::NotFound(_)) => MessageKind::NotFound,
        PageError::App(AppError::Rejected(Rejection::SurveyClosed, _)) => MessageKind::Closed,
        PageError::App(AppError::Rejected(
            Rejection::InvitationUsed | Rejection::ResponseCompleted,
            _,
        )) => MessageKind::AlreadyAnswered,
        PageError::App(AppError::RateLimited) => MessageKind::TooManyRequests,
        PageError::App(AppError::Internal(err)) => {
            tracing::error!(error = ?err, "survey page failed");
            MessageKind::ServerError
        }
        _ => MessageKind::BadRequest,
    };
    let status = match e {
        PageError::App(AppError::Rejected(Rejection::SurveyClosed, _)) => StatusCode::GONE,
        PageError::App(e) => Problem::from(e).status(),
        PageError::Form(code) => code.status(),
    };
    html(status, st.html.message(ui, kind), started)
}

/// What a survey page can fail with: the application's errors, and forms that cannot be
/// read.
#[derive(Debug)]
enum PageError {
    App(AppError),
    Form(ErrorCode),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::App(e)
    }
}

/// The query parameters of a page. Keys a page does not know are left alone (links travel
/// with campaign tags such as `utm_source`); a known one given twice or malformed is a
/// message page in the respondent's language (400), like every other problem a page meets.
struct PageParams<T>(T);

impl<T: serde::de::DeserializeOwned> FromRequestParts<AppState> for PageParams<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        QueryPairs::parse(parts.uri.query())
            .and_then(|q| q.take())
            .map(PageParams)
            .map_err(|e| {
                error_page(
                    st,
                    ui_from_headers(None, &parts.headers),
                    &PageError::App(e),
                    Instant::now(),
                )
            })
    }
}

/// The 429 page, used by the rate limiter.
pub fn too_many_requests(st: &AppState, req: &Request) -> Response {
    let lang = req
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str::<PageQuery>(q).ok())
        .and_then(|q| q.lang);
    let ui = ui_from_headers(lang.as_deref(), req.headers());
    html(
        StatusCode::TOO_MANY_REQUESTS,
        st.html.message(ui, MessageKind::TooManyRequests),
        Instant::now(),
    )
}

/// A respondent's progress: the survey version they answer and what they answered so far.
struct Progress {
    record: std::sync::Arc<SurveyRecord>,
    survey: std::sync::Arc<Survey>,
    answers: BTreeMap<String, Value>,
    response: Option<puls_store::ResponseRecord>,
}

async fn progress(
    st: &AppState,
    id: &str,
    rid: Option<&str>,
    rt: Option<&str>,
) -> Result<Progress, AppError> {
    let id = path::survey(id)?;
    let record = st.app.open_survey(&id).await?;
    let response = match (rid, rt) {
        (Some(rid), Some(rt)) => Some(
            st.app
                .resumable(&path::response(rid)?, rt, Some(&id))
                .await?,
        ),
        // A response id without its token is a broken link, not a new respondent.
        (Some(_), None) => return Err(AppError::NotFound("response")),
        _ => None,
    };
    let version = response
        .as_ref()
        .map_or(record.version, |r| r.survey_version);
    let survey = st.app.survey_version(&record, version).await?;
    let answers = match &response {
        Some(r) => r.answers.clone(),
        None => BTreeMap::new(),
    };
    Ok(Progress {
        record,
        survey,
        answers,
        response,
    })
}

fn typed(survey: &Survey, answers: &BTreeMap<String, Value>) -> Answers {
    survey
        .validate_answers(answers, Completion::Partial, "answers")
        .unwrap_or_default()
}

struct Render<'a> {
    id: &'a str,
    p: &'a Progress,
    locale: &'a Locale,
    question: usize,
    form: Option<&'a FormFields>,
    errors: &'a [FieldError],
    extra: Vec<(String, String)>,
}

fn render_question(st: &AppState, r: Render<'_>) -> String {
    let answers = typed(&r.p.survey, &r.p.answers);
    let vis = r.p.survey.visibility(&answers).visible;
    let step = vis
        .iter()
        .position(|&i| i == r.question)
        .map_or(vis.len(), |p| p + 1);
    let back = vis
        .iter()
        .rev()
        .find(|&&i| i < r.question)
        .map(|&i| r.p.survey.questions[i].id.as_str());
    let rid = r.p.response.as_ref().map(|x| x.id.as_str());
    let rt =
        r.p.response
            .as_ref()
            .and_then(|x| x.resume_token.as_deref());
    let seed = rid.map_or(0, |s| {
        s.bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
    });
    st.html.question(&QuestionPage {
        survey: &r.p.survey,
        survey_id: r.id,
        locale: r.locale,
        question: r.question,
        step,
        total: vis.len().max(step),
        answers: &answers,
        form: r.form,
        errors: r.errors,
        response_id: rid,
        resume_token: rt,
        back,
        shuffle_seed: seed,
        show_intro: r.p.response.is_none() && step == 1,
        preview: false,
        extra_hidden: &r.extra,
        action: None,
    })
}

/// The hosted survey page: one question, as a plain HTML form (works without JavaScript).
#[utoipa::path(get, path = "/s/{id}", tag = "pages",
    params(("id" = String, Path, description = "Survey id"), PageQuery),
    responses((status = 200, description = "The question page", content_type = "text/html"),
        (status = 404, description = "No such published survey", content_type = "text/html"),
        (status = 410, description = "The survey is closed", content_type = "text/html")))]
#[tracing::instrument(skip_all, fields(survey = %id))]
async fn show(
    State(st): State<AppState>,
    Path(id): Path<String>,
    PageParams(q): PageParams<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    // A score clicked in an invitation e-mail: stored, then the survey goes on.
    if let (Some(inv), Some(qid), Some(a), None) = (&q.inv, &q.q, &q.a, &q.rid) {
        let link = Link {
            token: inv,
            question: qid,
            score: a,
        };
        return answer_by_link(&st, &id, link, &q, &headers, started).await;
    }
    let p = match progress(&st, &id, q.rid.as_deref(), q.rt.as_deref()).await {
        Ok(p) => p,
        Err(e) => {
            return error_page(
                &st,
                ui_from_headers(q.lang.as_deref(), &headers),
                &e.into(),
                started,
            );
        }
    };
    let locale = choose_locale(&p.survey, q.lang.as_deref(), &headers).clone();
    // A personal link of a distribution that has enough answers, not used yet: closed.
    if let (Some(inv), None) = (&q.inv, &p.response) {
        match st.app.link_closed(&p.record.id, inv).await {
            Ok(true) => return enough_answers(&st, locale.as_str(), started),
            Ok(false) => {}
            Err(e) => return error_page(&st, Lang::for_locale(&locale), &e.into(), started),
        }
    }
    let answers = typed(&p.survey, &p.answers);
    let visible = p.survey.visibility(&answers).visible;
    let asked =
        q.q.as_deref()
            .and_then(|qid| p.survey.questions.iter().position(|x| x.id.as_str() == qid))
            .filter(|i| visible.contains(i));
    let Some(question) = asked
        .or_else(|| p.survey.next_question(&answers))
        .or_else(|| visible.last().copied())
    else {
        return error_page(
            &st,
            Lang::for_locale(&locale),
            &AppError::NotFound("question").into(),
            started,
        );
    };
    if let Some(store) = q.store.as_deref()
        && let Err(e) = store_id(store)
    {
        return error_page(&st, Lang::for_locale(&locale), &e.into(), started);
    }
    let kiosk = kiosk_of(q.kiosk.as_deref(), q.store.as_deref(), &headers);
    let mut extra = Vec::new();
    if p.response.is_none() {
        // A store's link or kiosk: channel `store` unless the link says otherwise.
        let store = q
            .store
            .clone()
            .or_else(|| kiosk.clone().filter(|s| !s.is_empty()));
        let channel = q
            .channel
            .clone()
            .or_else(|| (store.is_some() || kiosk.is_some()).then(|| "store".to_string()));
        for (k, v) in [("channel", &channel), ("inv", &q.inv), ("store", &store)] {
            if let Some(v) = v {
                extra.push((k.to_string(), v.clone()));
            }
        }
        // The first answer creates the response; this nonce is its idempotency key, so a
        // double-clicked or re-sent first page stores one response, not two.
        extra.push(("k".to_string(), hex::encode(rand::random::<[u8; 16]>())));
    }
    let body = render_question(
        &st,
        Render {
            id: &id,
            p: &p,
            locale: &locale,
            question,
            form: None,
            errors: &[],
            extra,
        },
    );
    let page = html(StatusCode::OK, body, started);
    match kiosk {
        Some(store) => {
            let to = kiosk_start(&id, &store, locale.as_str());
            kiosk_page(page, &id, &store, &to, KIOSK_IDLE_SECS, &headers)
        }
        None => page,
    }
}

/// The page of a personal link whose distribution has enough answers (its quota is
/// full): a thank-you in the respondent's language instead of the survey (410, as a
/// closed survey's).
fn enough_answers(st: &AppState, locale: &str, started: Instant) -> Response {
    let lang = Locale::parse(locale).map_or(Lang::En, |l| Lang::for_locale(&l));
    html(
        StatusCode::GONE,
        st.html.message(lang, MessageKind::Full),
        started,
    )
}

/// A score link of an invitation e-mail: the token, the question and the score.
struct Link<'a> {
    token: &'a str,
    question: &'a str,
    score: &'a str,
}

/// Records a score clicked in an invitation e-mail and redirects (303) to the next
/// question, or to the thank-you page when the survey is complete.
async fn answer_by_link(
    st: &AppState,
    id: &str,
    Link {
        token,
        question,
        score,
    }: Link<'_>,
    q: &PageQuery,
    headers: &HeaderMap,
    started: Instant,
) -> Response {
    let ui = ui_from_headers(q.lang.as_deref(), headers);
    let survey = match path::survey(id) {
        Ok(s) => s,
        Err(e) => return error_page(st, ui, &e.into(), started),
    };
    let prefs = accepted(headers);
    let lang = q.lang.as_deref().or(prefs.first().map(String::as_str));
    let enc =
        |s: &str| serde_urlencoded::to_string([("v", s)]).unwrap_or_default()[2..].to_string();
    match st
        .app
        .answer_by_link(&survey, token, question, score, lang)
        .await
    {
        Ok(LinkAnswer::Continue {
            response_id,
            resume_token,
            next,
            locale,
        }) => Redirect::to(&format!(
            "/s/{id}?q={}&rid={}&rt={}&lang={}",
            enc(&next),
            enc(&response_id),
            enc(&resume_token),
            enc(&locale)
        ))
        .into_response(),
        Ok(LinkAnswer::Done { locale }) => {
            Redirect::to(&format!("/s/{id}/thanks?lang={}", enc(&locale))).into_response()
        }
        Ok(LinkAnswer::Full { locale }) => enough_answers(st, &locale, started),
        Err(e) => error_page(st, ui, &e.into(), started),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UnsubscribeQuery {
    /// The page's language (`pl`, `cs`, `en`); default: the message's.
    lang: Option<String>,
}

/// The unsubscribe link of an invitation e-mail: a page with one button (a GET changes
/// nothing, so link scanners cannot unsubscribe anyone).
#[utoipa::path(get, path = "/u/{token}", tag = "pages",
    params(("token" = String, Path, description = "The message's personal token"), UnsubscribeQuery),
    responses((status = 200, description = "The page with the button", content_type = "text/html"),
        (status = 404, description = "No such link (or the person was erased)", content_type = "text/html")))]
#[tracing::instrument(skip_all)]
async fn unsubscribe_page(
    State(st): State<AppState>,
    Path(token): Path<String>,
    PageParams(q): PageParams<UnsubscribeQuery>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let found = st.app.unsubscribe_info(&token).await;
    unsubscribe_view(&st, &token, found, q.lang.as_deref(), &headers, started)
}

/// Unsubscribes the message's address: RFC 8058's one-click POST (body
/// `List-Unsubscribe=One-Click`, sent by mail programs) or the page's button. Answers with
/// the confirmation page; repeating it changes nothing.
#[utoipa::path(post, path = "/u/{token}", tag = "pages",
    params(("token" = String, Path, description = "The message's personal token"), UnsubscribeQuery),
    request_body(content = BTreeMap<String, String>, content_type = "application/x-www-form-urlencoded",
        description = "`List-Unsubscribe=One-Click`"),
    responses((status = 200, description = "Unsubscribed", content_type = "text/html"),
        (status = 404, description = "No such link (or the person was erased)", content_type = "text/html")))]
#[tracing::instrument(skip_all)]
async fn unsubscribe(
    State(st): State<AppState>,
    Path(token): Path<String>,
    PageParams(q): PageParams<UnsubscribeQuery>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let done = st.app.unsubscribe(&token).await;
    unsubscribe_view(&st, &token, done, q.lang.as_deref(), &headers, started)
}

/// The unsubscribe page in the message's language (or `?lang=`), or the error's page.
fn unsubscribe_view(
    st: &AppState,
    token: &str,
    found: Result<puls_app::distributions::Unsubscribe, AppError>,
    lang: Option<&str>,
    headers: &HeaderMap,
    started: Instant,
) -> Response {
    let u = match found {
        Ok(u) => u,
        Err(e) => return error_page(st, ui_from_headers(lang, headers), &e.into(), started),
    };
    let lang = lang
        .and_then(Lang::parse)
        .or_else(|| Lang::parse(&u.locale))
        .unwrap_or_default();
    let title = lang.t(puls_html::Text::UnsubscribeTitle);
    let page = puls_html::Unsubscribe {
        lang: lang.code(),
        title,
        workspace: &u.workspace,
        address: &u.address,
        token,
        done: u.done,
        rtl: false,
        preview: false,
    };
    html(StatusCode::OK, st.html.unsubscribe(lang, &page), started)
}

/// Whether a posted `k` looks like the nonce `show` put in the form. Anything else (too long
/// for the database's unique index, or with a NUL it cannot store) is ignored.
fn is_nonce(k: &str) -> bool {
    k.len() <= 64 && k.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn field(form: &FormFields, name: &str) -> Option<String> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// Answers the page's question (`application/x-www-form-urlencoded`): hidden `q`, `rid`,
/// `rt`, `lang`; the answer in `a` (repeated for multiple choice, `a.{row}` for a matrix,
/// `a.{option}` = rank for a ranking), `functional`/`dysfunctional` (Kano), `email`/`phone`/
/// `consent` (contact), `skip=1` to skip an optional question. Redirects (303) to the next
/// question or the thank-you page; a wrong answer shows the page again with the error (422).
#[utoipa::path(post, path = "/s/{id}", tag = "pages",
    params(("id" = String, Path, description = "Survey id")),
    request_body(content = BTreeMap<String, String>, content_type = "application/x-www-form-urlencoded",
        description = "The page's form: the answer's fields by question id, and `q`, `rid`, `rt`, `lang`"),
    responses((status = 303, description = "Stored; go to the next question or the thank-you page"),
        (status = 410, description = "The survey is closed", content_type = "text/html"),
        (status = 422, description = "The answer has a problem, shown next to the field", content_type = "text/html")))]
#[tracing::instrument(skip_all, fields(survey = %id))]
async fn answer(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let limit = st.config.http.max_body_bytes;
    // Read here rather than by an extractor, so a too-large or malformed form gets a page
    // in the respondent's language, not a plain-text rejection.
    let form: Result<FormFields, PageError> = match axum::body::to_bytes(body, limit).await {
        Err(_) => Err(PageError::Form(ErrorCode::PayloadTooLarge)),
        Ok(bytes) => serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| PageError::Form(ErrorCode::MalformedForm)),
    };
    let form = match form {
        Ok(f) => f,
        Err(e) => return error_page(&st, ui_from_headers(None, &headers), &e, started),
    };
    let lang = field(&form, "lang");
    let ui = ui_from_headers(lang.as_deref(), &headers);
    let resume = (field(&form, "rid"), field(&form, "rt"));
    match answer_inner(&st, &id, &headers, form, lang.as_deref(), started).await {
        Ok(resp) => resp,
        // The same page sent twice at once (a double click): one request saved the answer,
        // the other lost the revision race. Go on from what is stored, as the first did.
        // ... or the last page sent twice: the response is complete; thank them again.
        // (`response_completed` comes only after the resume token was checked.)
        Err(PageError::App(AppError::Rejected(Rejection::ResponseCompleted, _))) => {
            let query =
                serde_urlencoded::to_string(lang.map(|l| [("lang", l)]).unwrap_or_default())
                    .unwrap_or_default();
            Redirect::to(&format!("/s/{id}/thanks?{query}")).into_response()
        }
        Err(PageError::App(AppError::Rejected(Rejection::RevisionConflict, _))) => {
            let (Some(rid), Some(rt)) = resume else {
                return error_page(&st, ui, &AppError::NotFound("response").into(), started);
            };
            let mut query = vec![("rid", rid), ("rt", rt)];
            query.extend(lang.map(|l| ("lang", l)));
            let to = format!(
                "/s/{id}?{}",
                serde_urlencoded::to_string(&query).unwrap_or_default()
            );
            Redirect::to(&to).into_response()
        }
        Err(e) => error_page(&st, ui, &e, started),
    }
}

async fn answer_inner(
    st: &AppState,
    id: &str,
    headers: &HeaderMap,
    form: FormFields,
    lang: Option<&str>,
    started: Instant,
) -> Result<Response, PageError> {
    let rid = field(&form, "rid");
    let rt = field(&form, "rt");
    let mut p = progress(st, id, rid.as_deref(), rt.as_deref()).await?;
    let locale = choose_locale(&p.survey, lang, headers).clone();
    let qid = field(&form, "q").unwrap_or_default();
    let survey = p.survey.clone();
    let Some(idx) = survey.questions.iter().position(|x| x.id.as_str() == qid) else {
        return Err(PageError::Form(ErrorCode::MalformedForm));
    };
    let question = &survey.questions[idx];
    let given = puls_html::form_answer(question, &form);
    let mut merged = p.answers.clone();
    match &given {
        Some(v) => merged.insert(qid.clone(), v.clone()),
        None => merged.remove(&qid),
    };
    let path = format!("answers.{qid}");
    let mut errors: Vec<FieldError> = Vec::new();
    if given.is_none() && question.required {
        errors.push(FieldError {
            path: path.clone(),
            kind: FieldErrorKind::Required,
        });
    }
    // Changing an earlier answer can hide later questions answered before: drop those
    // answers, as the respondent's own path through the survey has changed.
    let mut answers = None;
    if errors.is_empty() {
        for _ in 0..3 {
            match survey.validate_answers(&merged, Completion::Partial, "answers") {
                Ok(a) => {
                    answers = Some(a);
                    break;
                }
                Err(e) => {
                    let (mine, others): (Vec<_>, Vec<_>) = e
                        .0
                        .into_iter()
                        .partition(|f| f.path == path || f.path.starts_with(&format!("{path}.")));
                    if !mine.is_empty() {
                        errors = mine;
                        break;
                    }
                    let hidden: Vec<String> = others
                        .iter()
                        .filter(|f| f.kind == FieldErrorKind::HiddenQuestion)
                        .filter_map(|f| f.path.strip_prefix("answers.").map(str::to_string))
                        .collect();
                    if hidden.is_empty() {
                        return Err(AppError::Validation(puls_core::FieldErrors(others)).into());
                    }
                    for h in hidden {
                        merged.remove(&h);
                    }
                }
            }
        }
    }
    // What completing would demand of this very question (every row of a required
    // matrix) is asked now, on its own page, not at the end.
    if answers.is_some()
        && let Err(e) = survey.validate_answers(&merged, Completion::Complete, "answers")
    {
        errors.extend(e.0.into_iter().filter(|f| {
            f.path.starts_with(&format!("{path}.")) && f.kind == FieldErrorKind::Required
        }));
    }
    let Some(answers) = answers.filter(|_| errors.is_empty()) else {
        let extra = ["channel", "inv", "k", "store"]
            .iter()
            .filter_map(|k| field(&form, k).map(|v| (k.to_string(), v)))
            .collect();
        let body = render_question(
            st,
            Render {
                id,
                p: &p,
                locale: &locale,
                question: idx,
                form: Some(&form),
                errors: &errors,
                extra,
            },
        );
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, body, started));
    };
    let vis = survey.visibility(&answers).visible;
    let next = vis.iter().copied().find(|&i| i > idx);
    // A required question skipped on the way (reachable through "Back") is asked next.
    let missing = vis
        .iter()
        .copied()
        .find(|&i| survey.questions[i].required && !answers.contains_key(&survey.questions[i].id));
    let next = match (next, missing) {
        (None, Some(m)) => Some(m),
        (n, _) => n,
    };
    let completion = if next.is_none() {
        Completion::Complete
    } else {
        Completion::Partial
    };
    let (rid, rt) = match &p.response {
        Some(r) => {
            st.app
                .update_response(r, &survey, &merged, completion)
                .await?;
            (r.id.to_string(), r.resume_token.clone().unwrap_or_default())
        }
        None => {
            // A kiosk begins at most `kiosk.max_per_hour` responses an hour.
            if let Some(device) = kiosk_device(headers)
                && !st
                    .app
                    .kiosk_allows(&p.record.id, &device, puls_store::now_ms())
                    .await?
            {
                return Err(AppError::RateLimited.into());
            }
            let channel = field(&form, "channel").map(Value::Str);
            let inv = field(&form, "inv").map(Value::Str);
            let locale_value = Value::Str(locale.to_string());
            let attributes = match field(&form, "store") {
                Some(store) => Some(Value::Map(
                    [(
                        "store".to_string(),
                        Value::Str(store_id(&store)?.to_string()),
                    )]
                    .into(),
                )),
                None => None,
            };
            let stored = st
                .app
                .submit(Submission {
                    record: &p.record,
                    survey: &survey,
                    answers: std::mem::take(&mut p.answers)
                        .into_iter()
                        .chain(merged)
                        .collect(),
                    completion,
                    meta: ResponseMetaInput {
                        channel: channel.as_ref(),
                        locale: Some(&locale_value),
                        invitation_token: inv.as_ref(),
                        attributes: attributes.as_ref(),
                        ..Default::default()
                    },
                    idempotency_key: field(&form, "k")
                        .filter(|k| is_nonce(k))
                        .map(|k| format!("page:{k}")),
                    key_is_secret: true,
                })
                .await?;
            (
                stored.id.to_string(),
                stored.resume_token.unwrap_or_default(),
            )
        }
    };
    let enc =
        |s: &str| serde_urlencoded::to_string([("v", s)]).unwrap_or_default()[2..].to_string();
    let to = match next {
        None => format!("/s/{id}/thanks?lang={}", enc(locale.as_str())),
        Some(n) => format!(
            "/s/{id}?q={}&rid={}&rt={}&lang={}",
            enc(survey.questions[n].id.as_str()),
            enc(&rid),
            enc(&rt),
            enc(locale.as_str())
        ),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ThanksQuery {
    /// A survey locale.
    lang: Option<String>,
}

/// The thank-you page shown after the last answer.
#[utoipa::path(get, path = "/s/{id}/thanks", tag = "pages",
    params(("id" = String, Path, description = "Survey id"), ThanksQuery),
    responses((status = 200, description = "Thank-you page", content_type = "text/html")))]
#[tracing::instrument(skip_all, fields(survey = %id))]
async fn thanks(
    State(st): State<AppState>,
    Path(id): Path<String>,
    PageParams(q): PageParams<ThanksQuery>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let found = match path::survey(&id) {
        Ok(id) => st.app.survey_record(&id).await,
        Err(e) => Err(e),
    };
    let record = match found {
        Ok(Some(r)) => r,
        Ok(None) | Err(AppError::NotFound(_)) => {
            return error_page(
                &st,
                ui_from_headers(q.lang.as_deref(), &headers),
                &AppError::NotFound("survey").into(),
                started,
            );
        }
        Err(e) => return error_page(&st, Lang::En, &e.into(), started),
    };
    match st.app.survey_version(&record, record.version).await {
        Ok(survey) => {
            let locale = choose_locale(&survey, q.lang.as_deref(), &headers);
            let page = html(StatusCode::OK, st.html.thank_you(&survey, locale), started);
            // A kiosk starts again for the next customer.
            match kiosk_of(None, None, &headers) {
                Some(store) => {
                    let to = kiosk_start(&id, &store, locale.as_str());
                    kiosk_page(page, &id, &store, &to, KIOSK_THANKS_SECS, &headers)
                }
                None => page,
            }
        }
        Err(e) => error_page(&st, Lang::En, &e.into(), started),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct QrQuery {
    /// Channel to tag responses from this code with, e.g. `store`.
    channel: Option<String>,
    /// A store or location id (letters, digits, `-`, `_`): one code per location, its
    /// responses with the `store` attribute (and channel `store` unless `channel` says).
    store: Option<String>,
    /// `1`: the link opens the survey in kiosk mode (for a device set up in a store).
    kiosk: Option<String>,
}

/// An SVG QR code of the survey link, for print and stores. `?channel=store` tags responses;
/// `?store=WAW-01` makes one code per location (its responses carry the store);
/// `?kiosk=1` opens the survey in kiosk mode.
#[utoipa::path(get, path = "/s/{id}/qr.svg", tag = "pages",
    params(("id" = String, Path, description = "Survey id"), QrQuery),
    responses((status = 200, description = "SVG image", content_type = "image/svg+xml"),
        (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(survey = %id))]
async fn qr(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    st.app
        .survey_record(&path::survey(&id)?)
        .await?
        .ok_or(AppError::NotFound("survey"))?;
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(c) = &q.channel {
        let channel =
            puls_core::Channel::parse(c).map_err(|k| AppError::invalid(format!("channel: {k}")))?;
        params.push(("channel", channel.as_str().to_string()));
    }
    if let Some(store) = &q.store {
        params.push(("store", store_id(store)?.to_string()));
    }
    match q.kiosk.as_deref() {
        None => {}
        Some("1") => params.push(("kiosk", "1".into())),
        Some(_) => return Err(AppError::invalid("kiosk: 1 or nothing").into()),
    }
    let mut url = format!("{}/s/{id}", st.public_url);
    if !params.is_empty() {
        url.push('?');
        url.push_str(&serde_urlencoded::to_string(&params).unwrap_or_default());
    }
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| anyhow::anyhow!("QR code for {url}: {e}"))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}
