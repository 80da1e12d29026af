//! Signing in to the web app: passwords, session cookies, anti-forgery tokens, roles.
//!
//! - Passwords, sessions, memberships and roles are the application's (`puls_app::users`).
//! - A session's token travels in an `HttpOnly`, `SameSite=Lax` cookie (also `Secure` when
//!   the public URL is https); it lasts `SESSION_DAYS`.
//! - Every state-changing form carries the session's anti-forgery token (`_csrf`), compared
//!   in constant time; forms shown before a session exists (sign-in, setup) carry a token
//!   that must equal a cookie set with the form (`_form`, double submit). A request whose
//!   `Origin` names another host is refused as well.
//! - Roles are checked here, on the server, for every page and action ([`Member::require`]).

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::AppError;
use puls_app::users::{Actor, SESSION_DAYS};
use puls_core::access::{Permission, Role};
use puls_html::{Lang, Text};
use puls_store::{Membership, SessionRecord, UserRecord, Workspace};
use subtle::ConstantTimeEq;

use super::{Page, page_error};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "puls_session";
pub const FORM_COOKIE: &str = "puls_form";
pub const LANG_COOKIE: &str = "puls_lang";
const DAY_MS: i64 = 86_400_000;

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value scoped to the app.
pub fn set_cookie(st: &AppState, name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if st.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let v =
        format!("{name}={value}; Path=/app; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn session_cookie(st: &AppState, token: &str) -> HeaderValue {
    set_cookie(st, SESSION_COOKIE, token, SESSION_DAYS * DAY_MS / 1000)
}

pub fn clear_session_cookie(st: &AppState) -> HeaderValue {
    set_cookie(st, SESSION_COOKIE, "", 0)
}

/// A random token for the double-submit check of forms shown without a session.
pub fn new_form_token() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The form token of this request's cookie, or a new one with the header that sets it.
pub fn form_token(st: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, FORM_COOKIE).filter(|t| t.len() == 32) {
        Some(t) => (t.to_string(), None),
        None => {
            let t = new_form_token();
            let h = set_cookie(st, FORM_COOKIE, &t, 2 * 3600);
            (t, Some(h))
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Whether a request comes from a page of this site: an `Origin` header, when present,
/// must name the host the request was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    origin_host.eq_ignore_ascii_case(host)
}

/// Checks a form shown without a session: its `_form` field against the cookie.
pub fn check_form_token(headers: &HeaderMap, field: Option<&str>) -> bool {
    same_origin(headers)
        && match (cookie(headers, FORM_COOKIE), field) {
            (Some(c), Some(f)) => same(c, f),
            _ => false,
        }
}

/// The language of a page shown without a session: `?lang=`, then the cookie, then the
/// browser's `Accept-Language`.
pub fn guest_lang(headers: &HeaderMap, query_lang: Option<&str>) -> Lang {
    query_lang
        .and_then(Lang::parse)
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get("accept-language")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

/// A signed-in user (the session cookie names a live session).
pub struct Signed {
    pub user: UserRecord,
    pub session: SessionRecord,
    pub token: String,
    pub lang: Lang,
}

impl Signed {
    /// Checks a posted form's anti-forgery token.
    pub fn check_csrf(&self, headers: &HeaderMap, field: Option<&str>) -> bool {
        same_origin(headers) && field.is_some_and(|f| same(&self.session.csrf, f))
    }

    /// A posted form's fields, once its anti-forgery token checks out (else a 403 page).
    pub fn form(
        &self,
        st: &AppState,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, Response> {
        let pairs = super::form_pairs(body);
        if self.check_csrf(headers, super::field(&pairs, "_csrf")) {
            Ok(pairs)
        } else {
            Err(Page::message(
                st,
                axum::http::StatusCode::FORBIDDEN,
                self.lang,
                Text::Error,
                Text::CsrfFailed,
            ))
        }
    }
}

/// Where a request without a session goes: the sign-in page, coming back afterwards.
fn to_sign_in(parts: &Parts) -> Response {
    let back = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/app");
    let next: String = url_escape(back);
    Redirect::to(&format!("/app/sign-in?next={next}")).into_response()
}

/// Percent-encodes a path for a query value.
pub fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
            return Err(to_sign_in(parts));
        };
        let token = token.to_string();
        match st.app.session(&token).await {
            Ok(Some((session, user))) => Ok(Signed {
                lang: Lang::parse(&user.locale).unwrap_or_default(),
                user,
                session,
                token,
            }),
            Ok(None) => {
                let mut r = to_sign_in(parts);
                r.headers_mut().append(SET_COOKIE, clear_session_cookie(st));
                Err(r)
            }
            Err(e) => Err(page_error(st, Lang::En, e)),
        }
    }
}

/// A signed-in user inside one workspace they belong to.
pub struct Member {
    pub signed: Signed,
    /// Who acts, as the application checks it.
    pub actor: Actor,
    pub workspace: Workspace,
    pub role: Role,
    /// Every workspace of the user, for the switcher.
    pub workspaces: Vec<Membership>,
}

impl Member {
    /// Resolves `slug` for a signed-in user: 404 for an unknown workspace, 403 for one
    /// they do not belong to.
    pub async fn of(st: &AppState, signed: Signed, slug: &str) -> Result<Member, Response> {
        let lang = signed.lang;
        match st.app.actor(&signed.user.id, slug).await {
            Ok((actor, workspaces)) => Ok(Member {
                workspace: actor.workspace.clone(),
                role: actor.role,
                actor,
                workspaces,
                signed,
            }),
            Err(AppError::Forbidden) => Err(Page::forbidden(st, lang)),
            Err(AppError::NotFound(_)) => Err(Page::not_found(st, lang)),
            Err(e) => Err(page_error(st, lang, e)),
        }
    }

    /// [`Member::of`], then [`Member::require`]: the start of every workspace page.
    pub async fn allowed(
        st: &AppState,
        signed: Signed,
        slug: &str,
        p: Permission,
    ) -> Result<Member, Response> {
        let m = Member::of(st, signed, slug).await?;
        m.require(st, p)?;
        Ok(m)
    }

    /// Refuses (403 page) unless the role allows `p`.
    pub fn require(&self, st: &AppState, p: Permission) -> Result<(), Response> {
        if self.role.allows(p) {
            Ok(())
        } else {
            Err(Page::forbidden(st, self.signed.lang))
        }
    }
}

/// The permissions a web app page can ask for as a type, for [`Allowed`].
pub mod need {
    use puls_core::access::Permission;

    /// A permission as a type.
    pub trait Need: Send + Sync + 'static {
        const PERMISSION: Permission;
    }

    /// The dashboards: overview, journeys, analyses.
    pub struct ViewDashboards;
    /// The responses: the inbox and its export.
    pub struct ViewResponses;
    /// The surveys: list, builder, preview.
    pub struct EditSurveys;
    /// Deleting responses and erasing people.
    pub struct EraseData;
    /// The customers: list, profile.
    pub struct ManageContacts;
    /// Journeys and segments: their definitions.
    pub struct EditJourneys;
    /// The workspace's settings and its outbound channels (webhooks).
    pub struct ManageWorkspace;
    /// Cases: the queue, a case, opening one from a response.
    pub struct WorkCases;

    impl Need for ViewDashboards {
        const PERMISSION: Permission = Permission::ViewDashboards;
    }
    impl Need for ViewResponses {
        const PERMISSION: Permission = Permission::ViewResponses;
    }
    impl Need for EditSurveys {
        const PERMISSION: Permission = Permission::EditSurveys;
    }
    impl Need for EraseData {
        const PERMISSION: Permission = Permission::EraseData;
    }
    impl Need for ManageContacts {
        const PERMISSION: Permission = Permission::ManageContacts;
    }
    impl Need for EditJourneys {
        const PERMISSION: Permission = Permission::EditJourneys;
    }
    impl Need for ManageWorkspace {
        const PERMISSION: Permission = Permission::ManageWorkspace;
    }
    impl Need for WorkCases {
        const PERMISSION: Permission = Permission::WorkCases;
    }
}

/// A member of the workspace named by the route's `{slug}` whose role allows `P`. Anyone
/// else gets what [`Signed`] and [`Member::allowed`] answer instead: the way to sign in, the
/// not-found page or the 403 page.
pub struct Allowed<P>(pub Member, pub PhantomData<P>);

impl<P: need::Need> FromRequestParts<AppState> for Allowed<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let signed = Signed::from_request_parts(parts, st).await?;
        let params = RawPathParams::from_request_parts(parts, st)
            .await
            .map_err(IntoResponse::into_response)?;
        let slug = params
            .iter()
            .find(|(name, _)| *name == "slug")
            .map_or("", |(_, value)| value);
        let m = Member::allowed(st, signed, slug, P::PERMISSION).await?;
        Ok(Allowed(m, PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_origins() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; puls_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
        h.insert(HOST, HeaderValue::from_static("puls.example:8080"));
        assert!(same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("http://puls.example:8080"));
        assert!(same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&h));
        assert_eq!(url_escape("/app/w/x?a=1&b"), "/app/w/x%3Fa%3D1%26b");
    }
}
