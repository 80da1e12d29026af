//! The CX manager's web app under `/app`: server-rendered pages (`puls-html` page contexts
//! and templates) over the same store and analytics as the API.
//!
//! Pages work without JavaScript: links and forms, post/redirect/get. Every page sets a
//! strict Content-Security-Policy (nothing loads from anywhere; inline styles only), is
//! never cached, and is checked against the user's role on the server (`auth::Member`).

// Handlers leave early with a whole page (a redirect, a 403): `Result<_, Response>` is the
// natural shape, and a page is built at most once per request.
#![allow(clippy::result_large_err)]

mod alert_form;
pub mod auth;
mod builder;
mod cases;
mod contacts;
mod definitions;
mod distributions;
mod inbox;
mod journey_form;
mod journeys;
pub(crate) mod names;
mod overview;
mod pages;
mod record;
mod rule_form;
mod settings;
mod text_aspects;
mod triggers;
mod webhooks;

use axum::Router;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use puls_core::access::Permission;
use puls_html::console::{LangLink, Link, MessagePage, NavItem, Person, Shell, WorkspaceRef};
use puls_html::{Lang, Text};

use crate::state::AppState;
use puls_app::AppError;
use puls_core::WorkspaceId;

/// The routes of the web app.
pub fn router(state: &AppState) -> Router<AppState> {
    // Attempts to sign in or set up are rate-limited per client, like public submissions.
    let guarded = Router::new()
        .route("/app/sign-in", post(pages::sign_in))
        .route("/app/setup", post(pages::setup))
        .route("/app/invite/{token}", post(settings::accept))
        .route_layer(from_fn_with_state(state.clone(), crate::ratelimit::limit));
    Router::new()
        // The front door: whoever opens the server's address lands in the web app.
        .route("/", get(|| async { axum::response::Redirect::to("/app") }))
        .route("/app", get(pages::home))
        .route("/app/", get(pages::home))
        .route("/app/setup", get(pages::setup_form))
        .route("/app/sign-in", get(pages::sign_in_form))
        .route("/app/sign-out", post(pages::sign_out))
        .route("/app/account", get(pages::account))
        .route("/app/account/language", post(pages::set_language))
        .route("/app/account/password", post(pages::change_password))
        .route("/app/switch", get(pages::switch))
        .route("/app/w/{slug}", get(overview::overview))
        .route("/app/w/{slug}/responses", get(inbox::inbox))
        .route("/app/w/{slug}/journeys", get(journeys::first))
        .route("/app/w/{slug}/journeys/{key}", get(journeys::map))
        .route(
            "/app/w/{slug}/journeys/{key}/t/{tp}",
            get(journeys::touchpoint),
        )
        .route("/app/w/{slug}/analyses", get(journeys::analyses))
        .route(
            "/app/w/{slug}/settings",
            get(settings::page).post(settings::act),
        )
        .route("/app/invite/{token}", get(settings::invitation))
        .route(
            "/app/w/{slug}/webhooks",
            get(webhooks::page).post(webhooks::act),
        )
        .route(
            "/app/w/{slug}/aspects",
            get(text_aspects::page).post(text_aspects::act),
        )
        .route(
            "/app/w/{slug}/surveys",
            get(builder::list).post(builder::create),
        )
        .route(
            "/app/w/{slug}/surveys/{id}",
            get(builder::edit).post(builder::update),
        )
        .route(
            "/app/w/{slug}/surveys/{id}/preview/{n}",
            get(builder::preview).post(builder::preview_next),
        )
        .route("/app/w/{slug}/export/{file}", get(builder::export))
        .route("/app/w/{slug}/responses.csv", get(inbox::export_csv))
        .route(
            "/app/w/{slug}/responses-excel.csv",
            get(inbox::export_excel_csv),
        )
        .route("/app/w/{slug}/responses.xlsx", get(inbox::export_xlsx))
        .route(
            "/app/w/{slug}/responses/new",
            get(record::form).post(record::record),
        )
        .route("/app/w/{slug}/responses/{id}", get(inbox::detail))
        .route("/app/w/{slug}/responses/{id}/delete", post(inbox::delete))
        .route(
            "/app/w/{slug}/responses/{id}/case",
            post(cases::open_from_response),
        )
        .route("/app/w/{slug}/cases", get(cases::queue))
        .route("/app/w/{slug}/case-report", get(cases::report))
        .route("/app/w/{slug}/root-causes", post(cases::save_causes))
        .route("/app/w/{slug}/teams", post(settings::save_teams))
        .route(
            "/app/w/{slug}/cases/{id}",
            get(cases::case).post(cases::act),
        )
        .route(
            "/app/w/{slug}/segments",
            get(definitions::segments).post(definitions::create_segment),
        )
        .route(
            "/app/w/{slug}/alert-rules",
            get(definitions::rules).post(definitions::create_rule),
        )
        .route(
            "/app/w/{slug}/alert-rules/{key}",
            get(definitions::rule).post(definitions::update_rule),
        )
        .route("/app/w/{slug}/new-alert-rule", get(definitions::new_rule))
        .route(
            "/app/w/{slug}/notification-settings",
            post(definitions::save_notify),
        )
        .route("/app/w/{slug}/new-segment", get(definitions::new_segment))
        .route("/app/w/{slug}/new-journey", get(definitions::new_journey))
        .route(
            "/app/w/{slug}/segments/{key}",
            get(definitions::segment).post(definitions::update_segment),
        )
        .route(
            "/app/w/{slug}/journey-definitions",
            get(definitions::journeys).post(definitions::create_journey),
        )
        .route(
            "/app/w/{slug}/journey-definitions/{key}",
            get(definitions::journey).post(definitions::update_journey),
        )
        .route(
            "/app/w/{slug}/distributions",
            get(distributions::list).post(distributions::create),
        )
        .route(
            "/app/w/{slug}/distributions/{id}",
            get(distributions::detail),
        )
        .route(
            "/app/w/{slug}/distributions/{id}/cancel",
            post(distributions::cancel),
        )
        .route(
            "/app/w/{slug}/triggers",
            get(triggers::list).post(triggers::create),
        )
        .route("/app/w/{slug}/reach", get(distributions::reach))
        .route(
            "/app/w/{slug}/triggers/{id}",
            get(triggers::detail).post(triggers::update),
        )
        .route("/app/w/{slug}/triggers/{id}/pause", post(triggers::pause))
        .route("/app/w/{slug}/triggers/{id}/resume", post(triggers::resume))
        .route("/app/w/{slug}/triggers/{id}/delete", post(triggers::delete))
        .route("/app/w/{slug}/contacts", get(contacts::list))
        .route("/app/w/{slug}/contacts/{id}", get(contacts::profile))
        .route("/app/w/{slug}/contacts/{id}/erase", post(contacts::erase))
        .merge(guarded)
        .layer(axum::middleware::map_response(secure_headers))
}

async fn secure_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    r
}

/// An HTML page response.
pub struct Page;

impl Page {
    /// Renders `page` in `lang`, answering `status`.
    pub fn render<P: puls_html::Page>(
        st: &AppState,
        status: StatusCode,
        lang: Lang,
        page: &P,
    ) -> Response {
        match st.html.render(page, lang) {
            Ok(html) => (
                status,
                [(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                )],
                html,
            )
                .into_response(),
            Err(e) => page_error(
                st,
                lang,
                anyhow::anyhow!("rendering {}: {e:#}", P::TEMPLATE).into(),
            ),
        }
    }

    /// A message page (no session needed).
    pub fn message(
        st: &AppState,
        status: StatusCode,
        lang: Lang,
        title: Text,
        text: Text,
    ) -> Response {
        let page = MessagePage {
            title: lang.t(title).to_string(),
            message: lang.t(text).to_string(),
            link: Some(Link {
                href: "/app".into(),
                text: lang.t(Text::NavOverview).into(),
            }),
            langs: langs(lang, &[]),
        };
        Page::render(st, status, lang, &page)
    }

    pub fn forbidden(st: &AppState, lang: Lang) -> Response {
        Page::message(
            st,
            StatusCode::FORBIDDEN,
            lang,
            Text::ForbiddenTitle,
            Text::Forbidden,
        )
    }

    pub fn not_found(st: &AppState, lang: Lang) -> Response {
        Page::message(
            st,
            StatusCode::NOT_FOUND,
            lang,
            Text::NotFoundTitle,
            Text::NotFound,
        )
    }
}

/// A server-side failure as a page: logged with its cause, shown to no one.
pub fn page_error(st: &AppState, lang: Lang, e: AppError) -> Response {
    match &e {
        AppError::Internal(cause) => {
            tracing::error!(error = format!("{cause:#}"), "web app page failed");
        }
        other => tracing::warn!(error = %other, "web app page failed"),
    }
    let body = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>{}</title><p>{}</p>",
        lang.code(),
        lang.t(Text::Error),
        lang.t(Text::ServerError)
    );
    let _ = st;
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// A failure the person can fix (a bad filter, an unknown segment) as the message to show;
/// anything else stays an error for [`page_error`].
pub fn user_message(e: AppError) -> Result<String, AppError> {
    match e {
        AppError::InvalidParameter(message) | AppError::Rejected(_, message) => Ok(message),
        AppError::NotFound(what) => Ok(format!("{what} not found")),
        other => Err(other),
    }
}

/// A page section's result: `Some` when it could be made; `None` when the person's filters
/// prevent it, their message kept in `errors` for the page; any other error ends the page.
pub fn shown<T>(r: Result<T, AppError>, errors: &mut Vec<String>) -> Result<Option<T>, AppError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => user_message(e).map(|message| {
            errors.push(message);
            None
        }),
    }
}

/// The workspace's survey named in a page's path (any other text names none).
pub async fn survey_at(
    st: &AppState,
    ws: WorkspaceId,
    id: &str,
) -> Result<puls_store::SurveyRecord, AppError> {
    st.app.survey(ws, &puls_wire::path::survey(id)?, None).await
}

/// A survey's title in the interface language (else its default language).
pub fn title_in(def: &puls_core::Survey, lang: &str) -> String {
    let l = puls_core::Locale::parse(lang).unwrap_or_else(|_| def.default_locale.clone());
    def.title.get(&l, &def.default_locale).to_string()
}

/// The language choices of a page, the current one marked; each links to the same page
/// in that language, keeping the query parameters in `keep` (a setup token, say).
pub fn langs(current: Lang, keep: &[(&str, &str)]) -> Vec<LangLink> {
    Lang::ALL
        .iter()
        .map(|l| {
            let mut q: Vec<(&str, &str)> = keep
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .copied()
                .collect();
            q.push(("lang", l.code()));
            LangLink {
                code: l.code(),
                name: l.t(l.name()),
                current: *l == current,
                href: format!("?{}", serde_urlencoded::to_string(&q).unwrap_or_default()),
            }
        })
        .collect()
}

/// The navigation of the shell: what the role may open, the current page marked.
pub fn nav(m: &auth::Member, current: Text) -> Vec<NavItem> {
    let slug = &m.workspace.slug;
    let items = [
        (
            Text::NavOverview,
            format!("/app/w/{slug}"),
            Permission::ViewDashboards,
        ),
        (
            Text::NavJourneys,
            format!("/app/w/{slug}/journeys"),
            Permission::ViewDashboards,
        ),
        (
            Text::NavAnalyses,
            format!("/app/w/{slug}/analyses"),
            Permission::ViewDashboards,
        ),
        (
            Text::NavSurveys,
            format!("/app/w/{slug}/surveys"),
            Permission::EditSurveys,
        ),
        (
            Text::NavDistributions,
            format!("/app/w/{slug}/distributions"),
            Permission::EditSurveys,
        ),
        (
            Text::NavResponses,
            format!("/app/w/{slug}/responses"),
            Permission::ViewResponses,
        ),
        (
            Text::NavCases,
            format!("/app/w/{slug}/cases"),
            Permission::WorkCases,
        ),
        (
            Text::NavContacts,
            format!("/app/w/{slug}/contacts"),
            Permission::ManageContacts,
        ),
        (
            Text::NavSegments,
            format!("/app/w/{slug}/segments"),
            Permission::ViewDashboards,
        ),
        (
            Text::NavSettings,
            format!("/app/w/{slug}/settings"),
            Permission::ManageUsers,
        ),
        (
            Text::NavAccount,
            "/app/account".to_string(),
            Permission::ViewDashboards,
        ),
    ];
    items
        .into_iter()
        .filter(|(_, _, p)| m.role.allows(*p))
        .map(|(key, href, _)| NavItem {
            key,
            href,
            current: key == current,
        })
        .collect()
}

/// What every page of the shell needs: the user, the workspace and its switcher, the
/// navigation and the anti-forgery token.
pub fn shell(m: &auth::Member, current: Text) -> Shell {
    let ws = |w: &puls_store::Workspace| WorkspaceRef {
        slug: w.slug.clone(),
        name: w.name.clone(),
    };
    Shell {
        user: Person {
            name: m.signed.user.name.clone(),
            email: m.signed.user.email.clone(),
        },
        ws: ws(&m.workspace),
        workspaces: m.workspaces.iter().map(|w| ws(&w.workspace)).collect(),
        nav: nav(m, current),
        csrf: m.signed.session.csrf.clone(),
    }
}

/// Reads a urlencoded form body into pairs (a broken body gives no pairs, so the checks
/// that follow refuse it like an empty form).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// A form posted without a session (first setup, accepting an invitation): its pairs and
/// the guest's language, or the 403 page when its `_form` token does not match the cookie.
pub fn guest_form(
    st: &AppState,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<(Vec<(String, String)>, Lang), Response> {
    let pairs = form_pairs(body);
    let lang = auth::guest_lang(headers, None);
    if auth::check_form_token(headers, field(&pairs, "_form")) {
        Ok((pairs, lang))
    } else {
        Err(Page::message(
            st,
            StatusCode::FORBIDDEN,
            lang,
            Text::Error,
            Text::CsrfFailed,
        ))
    }
}

/// The first value of `key` in form pairs.
/// A posted form that asks to destroy something: its fields, once its anti-forgery token
/// checks out (else a 403 page) and its "yes, for good" box is ticked (else a 422 page).
pub(super) fn confirmed_form(
    st: &AppState,
    m: &auth::Member,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Response> {
    let pairs = m.signed.form(st, headers, body)?;
    if field(&pairs, "confirm") != Some("yes") {
        return Err(Page::message(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            m.signed.lang,
            Text::Error,
            Text::FieldRequired,
        ));
    }
    Ok(pairs)
}

/// The page for an error about a thing named in the path: not found (also for an id that
/// could not be one), else the error page.
pub(super) fn missing_or_error(st: &AppState, lang: Lang, e: AppError) -> Response {
    match e {
        AppError::NotFound(_) | AppError::InvalidParameter(_) => Page::not_found(st, lang),
        e => page_error(st, lang, e),
    }
}

pub fn field<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
