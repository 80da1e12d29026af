//! The pages around the app: first-owner setup, signing in and out, the user's account.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::users::{FirstOwner, PasswordChangeProblem, Setup, SetupOutcome, SignIn, email_of};
use puls_core::access::check_password;
use puls_html::console::{AccountPage, FieldProblems, SetupPage, SetupValues, SignInPage};
use puls_html::{Lang, Text};
use serde::Deserialize;

use super::auth::{self, Member, Signed};
use super::{Page, field, form_pairs, langs, page_error, shell};
use crate::state::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct GuestQuery {
    lang: Option<String>,
    token: Option<String>,
    next: Option<String>,
    notice: Option<String>,
}

/// `/app`: the setup page before anyone exists, the first workspace when signed in, the
/// sign-in page otherwise.
#[tracing::instrument(skip_all)]
pub async fn home(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE)
        && let Ok(Some((_, user))) = st.app.session(token).await
    {
        let lang = Lang::parse(&user.locale).unwrap_or_default();
        return match st.app.memberships(&user.id).await {
            Ok(m) => match m.first() {
                Some(first) => {
                    Redirect::to(&format!("/app/w/{}", first.workspace.slug)).into_response()
                }
                None => Page::message(
                    &st,
                    StatusCode::OK,
                    lang,
                    Text::NavOverview,
                    Text::NoWorkspace,
                ),
            },
            Err(e) => page_error(&st, lang, e),
        };
    }
    match st.app.user_count().await {
        Ok(0) => Redirect::to("/app/setup").into_response(),
        Ok(_) => Redirect::to("/app/sign-in").into_response(),
        Err(e) => page_error(&st, Lang::En, e),
    }
}

/// A page shown without a session, with the form-token cookie when new, and the language
/// cookie when chosen by `?lang=`.
fn guest_page<P: puls_html::Page>(
    st: &AppState,
    headers: &HeaderMap,
    q_lang: Option<&str>,
    status: StatusCode,
    build: impl FnOnce(Lang, String) -> P,
) -> Response {
    let lang = auth::guest_lang(headers, q_lang);
    let (token, set) = auth::form_token(st, headers);
    let mut r = Page::render(st, status, lang, &build(lang, token));
    if let Some(set) = set {
        r.headers_mut().append(SET_COOKIE, set);
    }
    if let Some(l) = q_lang.and_then(Lang::parse) {
        r.headers_mut().append(
            SET_COOKIE,
            auth::set_cookie(st, auth::LANG_COOKIE, l.code(), 365 * 86_400),
        );
    }
    r
}

/// Whether the setup page may be used with `token`: no user yet and a valid token. Gives
/// the existing workspaces' names (empty: setup creates one), or the page that says no.
async fn setup_allowed(st: &AppState, lang: Lang, token: &str) -> Result<String, Response> {
    match st.app.setup(token).await {
        Ok(Setup::Open(names)) => Ok(names.join(", ")),
        Ok(Setup::Done) => Err(Page::message(
            st,
            StatusCode::OK,
            lang,
            Text::SetupTitle,
            Text::SetupDone,
        )),
        Ok(Setup::NeedToken) => Err(Page::message(
            st,
            StatusCode::FORBIDDEN,
            lang,
            Text::SetupTitle,
            Text::SetupNeedToken,
        )),
        Err(e) => Err(page_error(st, lang, e)),
    }
}

#[tracing::instrument(skip_all)]
pub async fn setup_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<GuestQuery>,
) -> Response {
    let token = q.token.clone().unwrap_or_default();
    let lang = auth::guest_lang(&headers, q.lang.as_deref());
    let existing = match setup_allowed(&st, lang, &token).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    guest_page(
        &st,
        &headers,
        q.lang.as_deref(),
        StatusCode::OK,
        |lang, form_token| SetupPage {
            title: lang.t(Text::SetupTitle).into(),
            form_token,
            langs: langs(lang, &[("token", &token)]),
            token: token.clone(),
            existing,
            values: SetupValues::default(),
            errors: FieldProblems::new(),
        },
    )
}

/// Checks the account fields of a form: (email, problems by field).
fn account_problems(pairs: &[(String, String)]) -> (Option<String>, FieldProblems) {
    let mut errors = FieldProblems::new();
    let name = field(pairs, "name").unwrap_or("").trim();
    if name.is_empty() {
        errors.insert("name", Text::FieldRequired);
    }
    let raw_email = field(pairs, "email").unwrap_or("");
    let email = email_of(raw_email);
    if raw_email.trim().is_empty() {
        errors.insert("email", Text::FieldRequired);
    } else if email.is_none() {
        errors.insert("email", Text::EmailInvalid);
    }
    let password = field(pairs, "password").unwrap_or("");
    if let Err(p) = check_password(password, raw_email) {
        errors.insert("password", Text::password_problem(p));
    }
    (email, errors)
}

#[tracing::instrument(skip_all)]
pub async fn setup(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (pairs, lang) = match super::guest_form(&st, &headers, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let token = field(&pairs, "token").unwrap_or("").to_string();
    let existing = match setup_allowed(&st, lang, &token).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let (email, mut errors) = account_problems(&pairs);
    let ws_name = field(&pairs, "workspace").unwrap_or("").trim().to_string();
    if existing.is_empty() && ws_name.is_empty() {
        errors.insert("workspace", Text::FieldRequired);
    }
    let typed = |k: &str| field(&pairs, k).unwrap_or("").to_string();
    let values = SetupValues {
        name: typed("name"),
        email: typed("email"),
        workspace: typed("workspace"),
    };
    let again = |errors: FieldProblems| {
        guest_page(
            &st,
            &headers,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            |lang, form_token| SetupPage {
                title: lang.t(Text::SetupTitle).into(),
                form_token,
                langs: langs(lang, &[("token", &token)]),
                token: token.clone(),
                existing: existing.clone(),
                values: values.clone(),
                errors,
            },
        )
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return again(errors);
    };
    let slug = slug_of(&ws_name);
    let written = st
        .app
        .create_first_owner(FirstOwner {
            name: field(&pairs, "name").unwrap_or("").trim(),
            email: &email,
            password: field(&pairs, "password").unwrap_or("").to_string(),
            locale: lang.code(),
            workspace_slug: &slug,
            workspace_name: if ws_name.is_empty() { "Puls" } else { &ws_name },
        })
        .await;
    match written {
        Ok(SetupOutcome::Session(token)) => with_session(&st, &token, "/app"),
        Ok(SetupOutcome::EmailTaken) => again(FieldProblems::from([("email", Text::EmailTaken)])),
        Ok(SetupOutcome::Done) => Page::message(
            &st,
            StatusCode::CONFLICT,
            lang,
            Text::SetupTitle,
            Text::SetupDone,
        ),
        Err(e) => page_error(&st, lang, e),
    }
}

/// A workspace slug from a name: lowercase ASCII letters, digits and dashes.
pub fn slug_of(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().flat_map(fold_char) {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s: String = s.trim_end_matches('-').chars().take(40).collect();
    if s.is_empty() { "workspace".into() } else { s }
}

/// Polish and Czech letters without their marks, for slugs.
fn fold_char(c: char) -> Option<char> {
    const FROM: &str = "ąćęłńóśźżáčďéěíňřšťúůýžĄĆĘŁŃÓŚŹŻÁČĎÉĚÍŇŘŠŤÚŮÝŽ";
    const TO: &str = "acelnoszzacdeeinrstuuyzACELNOSZZACDEEINRSTUUYZ";
    Some(match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    })
}

/// A redirect to `to` that sets the session cookie of `token`.
pub(super) fn with_session(st: &AppState, token: &str, to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut()
        .append(SET_COOKIE, auth::session_cookie(st, token));
    r
}

/// Only paths inside the app are followed after signing in.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/app") && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/app",
    }
}

#[tracing::instrument(skip_all)]
pub async fn sign_in_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<GuestQuery>,
) -> Response {
    if let Ok(0) = st.app.user_count().await {
        return Redirect::to("/app/setup").into_response();
    }
    let notice = match q.notice.as_deref() {
        Some("signed_out") => Some(Text::SignedOut),
        Some("session_expired") => Some(Text::SessionExpired),
        Some("password_changed") => Some(Text::PasswordChanged),
        _ => None,
    };
    let next = safe_next(q.next.as_deref()).to_string();
    guest_page(
        &st,
        &headers,
        q.lang.as_deref(),
        StatusCode::OK,
        |lang, form_token| SignInPage {
            title: lang.t(Text::SignInTitle).into(),
            form_token,
            langs: langs(lang, &[("next", &next)]),
            next: next.clone(),
            email: String::new(),
            notice,
            failed: None,
        },
    )
}

#[tracing::instrument(skip_all)]
pub async fn sign_in(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let lang = auth::guest_lang(&headers, None);
    let next = safe_next(field(&pairs, "next")).to_string();
    let raw_email = field(&pairs, "email").unwrap_or("").to_string();
    let fail = |failed: Text, status: StatusCode| {
        guest_page(&st, &headers, None, status, |lang, form_token| SignInPage {
            title: lang.t(Text::SignInTitle).into(),
            form_token,
            langs: langs(lang, &[("next", &next)]),
            next: next.clone(),
            email: raw_email.clone(),
            notice: None,
            failed: Some(failed),
        })
    };
    if !auth::check_form_token(&headers, field(&pairs, "_form")) {
        return fail(Text::CsrfFailed, StatusCode::FORBIDDEN);
    }
    let password = field(&pairs, "password").unwrap_or("").to_string();
    match st.app.sign_in(&raw_email, password).await {
        Ok(SignIn::Session(token)) => with_session(&st, &token, &next),
        Ok(SignIn::BadCredentials) => fail(Text::BadCredentials, StatusCode::UNAUTHORIZED),
        Ok(SignIn::TooManyAttempts) => fail(Text::TooManyAttempts, StatusCode::TOO_MANY_REQUESTS),
        Err(e) => page_error(&st, lang, e),
    }
}

#[tracing::instrument(skip_all)]
pub async fn sign_out(
    State(st): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = signed.form(&st, &headers, &body) {
        return r;
    }
    if let Err(e) = st.app.sign_out(&signed.token).await {
        return page_error(&st, signed.lang, e);
    }
    let mut r = Redirect::to(&format!(
        "/app/sign-in?notice=signed_out&lang={}",
        signed.lang.code()
    ))
    .into_response();
    r.headers_mut()
        .append(SET_COOKIE, auth::clear_session_cookie(&st));
    r
}

/// `/app/switch?w=SLUG`: the workspace switcher's target.
#[tracing::instrument(skip_all)]
pub async fn switch(Query(q): Query<BTreeMap<String, String>>) -> Response {
    let slug = q.get("w").map(String::as_str).unwrap_or("");
    if slug.is_empty()
        || !slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Redirect::to("/app").into_response();
    }
    Redirect::to(&format!("/app/w/{slug}")).into_response()
}

/// The account page lives outside any workspace; the shell shows the first one.
async fn account_member(st: &AppState, signed: Signed) -> Result<Member, Response> {
    let first = st
        .app
        .memberships(&signed.user.id)
        .await
        .map_err(|e| page_error(st, signed.lang, e))?
        .into_iter()
        .next();
    match first {
        Some(m) => Member::of(st, signed, &m.workspace.slug).await,
        None => Err(Page::message(
            st,
            StatusCode::OK,
            signed.lang,
            Text::NavAccount,
            Text::NoWorkspace,
        )),
    }
}

fn account_page(
    st: &AppState,
    m: &Member,
    status: StatusCode,
    notice: Option<Text>,
    errors: FieldProblems,
) -> Response {
    let lang = m.signed.lang;
    let page = AccountPage {
        title: lang.t(Text::AccountTitle).into(),
        notice,
        errors,
        langs: langs(lang, &[]),
        shell: shell(m, Text::NavAccount),
    };
    Page::render(st, status, lang, &page)
}

#[tracing::instrument(skip_all)]
pub async fn account(
    State(st): State<AppState>,
    signed: Signed,
    Query(q): Query<GuestQuery>,
) -> Response {
    let m = match account_member(&st, signed).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(Text::Saved),
        Some("password_changed") => Some(Text::PasswordChanged),
        _ => None,
    };
    account_page(&st, &m, StatusCode::OK, notice, FieldProblems::new())
}

#[tracing::instrument(skip_all)]
pub async fn set_language(
    State(st): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = match signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(lang) = field(&pairs, "locale").and_then(Lang::parse) else {
        return Page::message(
            &st,
            StatusCode::UNPROCESSABLE_ENTITY,
            signed.lang,
            Text::Error,
            Text::FieldRequired,
        );
    };
    if let Err(e) = st.app.set_user_locale(&signed.user.id, lang.code()).await {
        return page_error(&st, signed.lang, e);
    }
    Redirect::to("/app/account?notice=saved").into_response()
}

#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(st): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = match signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let current = field(&pairs, "current").unwrap_or("").to_string();
    let new = field(&pairs, "new").unwrap_or("").to_string();
    let repeat = field(&pairs, "repeat").unwrap_or("");
    let lang = signed.lang;
    let problems = match st
        .app
        .change_password(&signed.user, &signed.token, current, new, repeat)
        .await
    {
        Ok(p) => p,
        Err(e) => return page_error(&st, lang, e),
    };
    if problems.is_empty() {
        return Redirect::to("/app/account?notice=password_changed").into_response();
    }
    let errors: FieldProblems = problems
        .iter()
        .map(|p| match p {
            PasswordChangeProblem::WrongCurrent => ("current", Text::WrongPassword),
            PasswordChangeProblem::New(p) => ("new", Text::password_problem(*p)),
            PasswordChangeProblem::Mismatch => ("repeat", Text::PasswordMismatch),
        })
        .collect();
    match account_member(&st, signed).await {
        Ok(m) => account_page(&st, &m, StatusCode::UNPROCESSABLE_ENTITY, None, errors),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_next() {
        assert_eq!(slug_of("Żabka Polska sp. z o.o."), "zabka-polska-sp-z-o-o");
        assert_eq!(slug_of("Čokoládovna Ústí"), "cokoladovna-usti");
        assert_eq!(slug_of("!!!"), "workspace");
        assert_eq!(
            safe_next(Some("/app/w/shop?from=2026-01-01")),
            "/app/w/shop?from=2026-01-01"
        );
        assert_eq!(safe_next(Some("https://evil.example")), "/app");
        assert_eq!(safe_next(Some("//evil.example/app")), "/app");
        assert_eq!(safe_next(None), "/app");
    }
}
