//! Settings of a workspace: its name, its people and their roles, invitations, API keys and
//! the tracking write keys; and the page where an invited person joins.
//!
//! Each section needs its permission (workspace, users, keys), checked here for the page
//! and again for every action. Owners are managed by owners only (`Role::may_manage`), and
//! a workspace never loses its last owner. Invitations are links shown once to the person
//! who invites (nothing is mailed unless configured; no mail is configured yet): the token
//! is stored hashed and is good once, for seven days.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_console::Lang;
use puls_core::access::{Permission, Role, check_password};
use puls_store::{Acceptor, NewUser, UserWrite};
use serde_json::json;

use super::auth::{self, Member, Signed};
use super::{Page, field, langs, page_error, ser, shell};
use crate::state::AppState;

const INVITATION_DAYS: i64 = 7;

/// `GET /app/w/{slug}/settings`: the sections the role may see.
pub async fn page(
    State(st): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let m = match Member::of(&st, signed, &slug).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let any = [
        Permission::ManageWorkspace,
        Permission::ManageUsers,
        Permission::ManageKeys,
    ]
    .iter()
    .any(|p| m.role.allows(*p));
    if !any {
        return Page::forbidden(&st, m.signed.lang);
    }
    let notice = q.get("notice").map(String::as_str).filter(|n| {
        [
            "saved",
            "role_changed",
            "member_removed",
            "key_revoked",
            "last_owner",
            "invitation_withdrawn",
        ]
        .contains(n)
    });
    render(&st, &m, StatusCode::OK, notice, None, None).await
}

async fn render(
    st: &AppState,
    m: &Member,
    status: StatusCode,
    notice: Option<&str>,
    invite_link: Option<String>,
    new_key: Option<String>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let fail = |e: puls_store::StoreError| page_error(st, lang, e.into());
    let members = if m.role.allows(Permission::ManageUsers) {
        match st.store.members(ws).await {
            Ok(list) => list
                .iter()
                .map(|x| {
                    let role = Role::parse(&x.role).unwrap_or(Role::Viewer);
                    json!({
                        "id": x.user.id, "name": x.user.name, "email": x.user.email,
                        "role": x.role, "me": x.user.id == m.signed.user.id,
                        "manageable": m.role.may_manage(role),
                    })
                })
                .collect::<Vec<_>>(),
            Err(e) => return fail(e),
        }
    } else {
        Vec::new()
    };
    let invitations = if m.role.allows(Permission::ManageUsers) {
        match st.store.pending_invitations(ws).await {
            Ok(list) => list
                .iter()
                .map(|i| {
                    let role = Role::parse(&i.role).unwrap_or(Role::Viewer);
                    json!({"id": i.id, "email": i.email, "role": i.role,
                           "expires": crate::dto::format_ms(i.expires_at),
                           "manageable": m.role.may_manage(role)})
                })
                .collect::<Vec<_>>(),
            Err(e) => return fail(e),
        }
    } else {
        Vec::new()
    };
    let (keys, write_keys) = if m.role.allows(Permission::ManageKeys) {
        let keys = match st.store.list_api_keys(ws).await {
            Ok(k) => k,
            Err(e) => return fail(e),
        };
        let wkeys = match st.store.list_write_keys(ws).await {
            Ok(k) => k,
            Err(e) => return fail(e),
        };
        (
            keys.iter()
                .map(|k| {
                    json!({"id": k.id, "name": k.name, "created": crate::dto::format_ms(k.created_at),
                       "revoked": k.revoked_at.is_some()})
                })
                .collect::<Vec<_>>(),
            wkeys
                .iter()
                .map(|k| {
                    json!({"key": k.key, "name": k.name, "created": crate::dto::format_ms(k.created_at),
                       "revoked": k.revoked_at.is_some()})
                })
                .collect::<Vec<_>>(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let grantable: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| m.role.may_manage(**r))
        .map(|r| r.as_str())
        .collect();
    let ctx = minijinja::context! {
        title => puls_console::texts::text(lang, "settings"),
        can_workspace => m.role.allows(Permission::ManageWorkspace),
        can_users => m.role.allows(Permission::ManageUsers),
        can_keys => m.role.allows(Permission::ManageKeys),
        members => ser(members),
        invitations => ser(invitations),
        roles => ser(grantable),
        keys => ser(keys),
        write_keys => ser(write_keys),
        tracking_url => format!("{}/v1/batch", st.public_url),
        invite_link => invite_link,
        new_key => new_key,
        notice => notice,
        ..shell(m, "nav_settings")
    };
    Page::render(st, status, "settings.html", lang, ctx)
}

/// `POST /app/w/{slug}/settings`: one action, named by `action`.
pub async fn act(
    State(st): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let m = match Member::of(&st, signed, &slug).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = m.workspace.id;
    let fail = |e: puls_store::StoreError| page_error(&st, lang, e.into());
    let back = |notice: &str| {
        Redirect::to(&format!("/app/w/{slug}/settings?notice={notice}")).into_response()
    };
    let need = |p: Permission| m.require(&st, p);
    match field(&pairs, "action").unwrap_or("") {
        "rename" => {
            if let Err(r) = need(Permission::ManageWorkspace) {
                return r;
            }
            let name = field(&pairs, "name").unwrap_or("").trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Page::message(
                    &st,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    lang,
                    "error",
                    "field_required",
                );
            }
            match st.store.rename_workspace(ws, name).await {
                Ok(_) => back("saved"),
                Err(e) => fail(e),
            }
        }
        "invite" => {
            if let Err(r) = need(Permission::ManageUsers) {
                return r;
            }
            let email = field(&pairs, "email").unwrap_or("").trim().to_lowercase();
            let role = field(&pairs, "role").and_then(Role::parse);
            let (Ok(_), Some(role)) = (puls_core::contact::Email::parse(&email), role) else {
                return Page::message(
                    &st,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    lang,
                    "error",
                    "email_invalid",
                );
            };
            if !m.role.may_manage(role) {
                return Page::forbidden(&st, lang);
            }
            match st
                .store
                .create_user_invitation(
                    ws,
                    &email,
                    role.as_str(),
                    Some(&m.signed.user.id),
                    INVITATION_DAYS * 86_400_000,
                )
                .await
            {
                Ok(token) => {
                    let link = format!("{}/app/invite/{token}", st.public_url);
                    render(&st, &m, StatusCode::OK, Some("invited"), Some(link), None).await
                }
                Err(e) => fail(e),
            }
        }
        "withdraw" => {
            if let Err(r) = need(Permission::ManageUsers) {
                return r;
            }
            let id = field(&pairs, "id").unwrap_or("");
            let pending = match st.store.pending_invitations(ws).await {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let Some(inv) = pending.iter().find(|i| i.id == id) else {
                return Page::not_found(&st, lang);
            };
            if !m
                .role
                .may_manage(Role::parse(&inv.role).unwrap_or(Role::Owner))
            {
                return Page::forbidden(&st, lang);
            }
            match st.store.withdraw_invitation(ws, id).await {
                Ok(_) => back("invitation_withdrawn"),
                Err(e) => fail(e),
            }
        }
        "role" | "remove" => {
            if let Err(r) = need(Permission::ManageUsers) {
                return r;
            }
            let user = field(&pairs, "user").unwrap_or("");
            let members = match st.store.members(ws).await {
                Ok(x) => x,
                Err(e) => return fail(e),
            };
            let Some(target) = members.iter().find(|x| x.user.id == user) else {
                return Page::not_found(&st, lang);
            };
            let current = Role::parse(&target.role).unwrap_or(Role::Viewer);
            let new = field(&pairs, "role").and_then(Role::parse);
            let removing = field(&pairs, "action") == Some("remove");
            if !m.role.may_manage(current) || new.is_some_and(|r| !m.role.may_manage(r)) {
                return Page::forbidden(&st, lang);
            }
            // The last owner stays an owner.
            let owners = members.iter().filter(|x| x.role == "owner").count();
            if current == Role::Owner && owners == 1 && (removing || new != Some(Role::Owner)) {
                return back("last_owner");
            }
            let done = if removing {
                st.store
                    .remove_membership(ws, user)
                    .await
                    .map(|_| "member_removed")
            } else {
                match new {
                    Some(r) => st
                        .store
                        .set_membership(ws, user, r.as_str())
                        .await
                        .map(|_| "role_changed"),
                    None => {
                        return Page::message(
                            &st,
                            StatusCode::UNPROCESSABLE_ENTITY,
                            lang,
                            "error",
                            "field_required",
                        );
                    }
                }
            };
            match done {
                Ok(n) => back(n),
                Err(e) => fail(e),
            }
        }
        "create_key" | "create_write_key" | "revoke_key" | "revoke_write_key" => {
            if let Err(r) = need(Permission::ManageKeys) {
                return r;
            }
            let name = field(&pairs, "name").unwrap_or("web").trim();
            let name = if name.is_empty() { "web" } else { name };
            let id = field(&pairs, "id").unwrap_or("");
            match field(&pairs, "action").unwrap_or("") {
                "create_key" => match st.store.create_api_key(ws, name).await {
                    // Shown once: only its hash is kept.
                    Ok((_, token)) => {
                        render(
                            &st,
                            &m,
                            StatusCode::OK,
                            Some("key_created"),
                            None,
                            Some(token),
                        )
                        .await
                    }
                    Err(e) => fail(e),
                },
                "create_write_key" => match st.store.create_write_key(ws, name).await {
                    Ok(_) => back("saved"),
                    Err(e) => fail(e),
                },
                "revoke_key" => match st.store.revoke_api_key(ws, id).await {
                    Ok(_) => back("key_revoked"),
                    Err(e) => fail(e),
                },
                _ => match st.store.revoke_write_key(ws, id).await {
                    Ok(_) => back("key_revoked"),
                    Err(e) => fail(e),
                },
            }
        }
        _ => Page::message(
            &st,
            StatusCode::BAD_REQUEST,
            lang,
            "error",
            "field_required",
        ),
    }
}

fn invalid_invitation(st: &AppState, lang: Lang) -> Response {
    Page::message(
        st,
        StatusCode::NOT_FOUND,
        lang,
        "invitation_title",
        "invitation_invalid",
    )
}

/// `GET /app/invite/{token}`: who is invited where; join as yourself (signed in with the
/// invited email) or create your account.
pub async fn invitation(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = auth::guest_lang(&headers, q.get("lang").map(String::as_str));
    let inv = match st.store.user_invitation(&token).await {
        Ok(Some(i)) if i.accepted_at.is_none() && i.expires_at > puls_store::now_ms() => i,
        Ok(_) => {
            return invalid_invitation(&st, lang);
        }
        Err(e) => return page_error(&st, lang, e.into()),
    };
    let workspace = match st.store.list_workspaces().await {
        Ok(ws) => ws
            .into_iter()
            .find(|w| w.id == inv.workspace_id)
            .map(|w| w.name)
            .unwrap_or_default(),
        Err(e) => return page_error(&st, lang, e.into()),
    };
    let exists = matches!(st.store.user_by_email(&inv.email).await, Ok(Some(_)));
    let (form, set) = auth::form_token(&st, &headers);
    let ctx = minijinja::context! {
        title => puls_console::texts::text(lang, "invitation_title"),
        workspace => workspace, email => inv.email, role => inv.role, exists => exists,
        form_token => form, token => token.clone(), errors => BTreeMap::<String, String>::new(),
        values => BTreeMap::from([("name", "")]),
        langs => langs(lang, &[]),
    };
    let mut r = Page::render(&st, StatusCode::OK, "invitation.html", lang, ctx);
    if let Some(set) = set {
        r.headers_mut().append(SET_COOKIE, set);
    }
    r
}

/// `POST /app/invite/{token}`: joins. An existing account proves itself with its password;
/// a new one is created with the invited email.
pub async fn accept(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = super::form_pairs(&body);
    let lang = auth::guest_lang(&headers, None);
    if !auth::check_form_token(&headers, field(&pairs, "_form")) {
        return Page::message(&st, StatusCode::FORBIDDEN, lang, "error", "csrf_failed");
    }
    let inv = match st.store.user_invitation(&token).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            return invalid_invitation(&st, lang);
        }
        Err(e) => return page_error(&st, lang, e.into()),
    };
    let password = field(&pairs, "password").unwrap_or("").to_string();
    let existing = match st.store.user_by_email(&inv.email).await {
        Ok(u) => u,
        Err(e) => return page_error(&st, lang, e.into()),
    };
    let written = match &existing {
        Some(u) => {
            if password.len() > puls_core::access::MAX_PASSWORD_BYTES
                || !auth::verify_password(Some(u.password_hash.clone()), password).await
            {
                return Page::message(
                    &st,
                    StatusCode::UNAUTHORIZED,
                    lang,
                    "invitation_title",
                    "bad_credentials",
                );
            }
            st.store
                .accept_user_invitation(&token, Acceptor::Existing(&u.id))
                .await
        }
        None => {
            let name = field(&pairs, "name").unwrap_or("").trim().to_string();
            if name.is_empty() {
                return Page::message(
                    &st,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    lang,
                    "invitation_title",
                    "field_required",
                );
            }
            if let Err(p) = check_password(&password, &inv.email) {
                return Page::message(
                    &st,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    lang,
                    "invitation_title",
                    p.code(),
                );
            }
            let hash = match auth::hash_password(password).await {
                Ok(h) => h,
                Err(e) => return page_error(&st, lang, e.into()),
            };
            st.store
                .accept_user_invitation(
                    &token,
                    Acceptor::New(NewUser {
                        email: &inv.email,
                        name: &name,
                        password_hash: &hash,
                        locale: lang.code(),
                    }),
                )
                .await
        }
    };
    match written {
        Ok(UserWrite::Done(user)) => {
            let slug = match st.store.list_workspaces().await {
                Ok(ws) => ws
                    .into_iter()
                    .find(|w| w.id == inv.workspace_id)
                    .map(|w| w.slug),
                Err(e) => return page_error(&st, lang, e.into()),
            };
            let to = slug.map_or_else(|| "/app".to_string(), |s| format!("/app/w/{s}"));
            match st
                .store
                .create_session(&user.id, auth::SESSION_DAYS * 86_400_000)
                .await
            {
                Ok((t, _)) => {
                    let mut r = Redirect::to(&to).into_response();
                    r.headers_mut()
                        .append(SET_COOKIE, auth::session_cookie(&st, &t));
                    r
                }
                Err(e) => page_error(&st, Lang::En, e.into()),
            }
        }
        Ok(UserWrite::EmailTaken) => Page::message(
            &st,
            StatusCode::CONFLICT,
            lang,
            "invitation_title",
            "email_taken",
        ),
        Ok(_) => invalid_invitation(&st, lang),
        Err(e) => page_error(&st, lang, e.into()),
    }
}
