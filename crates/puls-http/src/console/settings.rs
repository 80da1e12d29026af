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
use puls_app::AppError;
use puls_app::users::{Joined, Joining, MemberChange, MemberChanged};
use puls_core::UserId;
use puls_core::access::{Permission, Role};
use puls_html::console::{
    Choice, InvitationPage, InvitationRow, KeyRow, MemberRow, NamedChoice, SettingsPage, SmtpView,
    TeamRow, TeamsForm, WriteKeyRow,
};
use puls_html::{Lang, Text};

use super::auth::{self, Member, Signed};
use super::pages::with_session;
use super::{Page, field, langs, page_error, shell};
use crate::state::AppState;

/// `GET /app/w/{slug}/settings`: the sections the role may see.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
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
    let notice = match q.get("notice").map(String::as_str) {
        Some("saved") => Some(Text::NoticeSaved),
        Some("role_changed") => Some(Text::NoticeRoleChanged),
        Some("member_removed") => Some(Text::NoticeMemberRemoved),
        Some("key_revoked") => Some(Text::NoticeKeyRevoked),
        Some("last_owner") => Some(Text::NoticeLastOwner),
        Some("invitation_withdrawn") => Some(Text::NoticeInvitationWithdrawn),
        Some("test_email") => Some(Text::NoticeTestEmail),
        _ => None,
    };
    render(&st, &m, StatusCode::OK, notice, None, None, None).await
}

async fn render(
    st: &AppState,
    m: &Member,
    status: StatusCode,
    notice: Option<Text>,
    invite_link: Option<String>,
    new_key: Option<String>,
    typed_teams: Option<TeamsForm>,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let fail = |e: AppError| page_error(st, lang, e);
    let mut teams = None;
    let members = if m.role.allows(Permission::ManageUsers) {
        let found = async {
            let members = st.app.members(&m.actor).await?;
            let teams = st.app.teams(ws).await?;
            Ok::<_, AppError>((members, teams))
        }
        .await;
        match found {
            Ok((list, stored)) => {
                teams = Some(typed_teams.unwrap_or_else(|| teams_form(&stored, &list)));
                list.iter()
                    .map(|x| {
                        let role = Role::parse(&x.role).unwrap_or(Role::Viewer);
                        MemberRow {
                            id: x.user.id.as_str().to_string(),
                            name: x.user.name.clone(),
                            email: x.user.email.clone(),
                            role: x.role.clone(),
                            role_name: Text::role(role),
                            me: x.user.id == m.signed.user.id,
                            manageable: m.role.may_manage(role),
                        }
                    })
                    .collect::<Vec<_>>()
            }
            Err(e) => return fail(e),
        }
    } else {
        Vec::new()
    };
    let invitations = if m.role.allows(Permission::ManageUsers) {
        match st.app.pending_invitations(&m.actor).await {
            Ok(list) => list
                .iter()
                .map(|i| {
                    let role = Role::parse(&i.role).unwrap_or(Role::Viewer);
                    InvitationRow {
                        id: i.id.clone(),
                        email: i.email.clone(),
                        role_name: Text::role(role),
                        expires: puls_wire::format_ms(i.expires_at),
                        manageable: m.role.may_manage(role),
                    }
                })
                .collect::<Vec<_>>(),
            Err(e) => return fail(e),
        }
    } else {
        Vec::new()
    };
    let (keys, write_keys) = if m.role.allows(Permission::ManageKeys) {
        let keys = match st.app.api_keys(ws).await {
            Ok(k) => k,
            Err(e) => return fail(e),
        };
        let wkeys = match st.app.write_keys(ws).await {
            Ok(k) => k,
            Err(e) => return fail(e),
        };
        (
            keys.iter()
                .map(|k| KeyRow {
                    id: k.id.clone(),
                    name: k.name.clone(),
                    created: puls_wire::format_ms(k.created_at),
                    revoked: k.revoked_at.is_some(),
                })
                .collect::<Vec<_>>(),
            wkeys
                .iter()
                .map(|k| WriteKeyRow {
                    key: k.key.clone(),
                    name: k.name.clone(),
                    created: puls_wire::format_ms(k.created_at),
                    revoked: k.revoked_at.is_some(),
                })
                .collect::<Vec<_>>(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    // Only those who may change it see it.
    let track_opens = if m.role.allows(Permission::ManageWorkspace) {
        match st.app.email_settings(ws).await {
            Ok(s) => s.track_opens,
            Err(e) => return fail(e),
        }
    } else {
        false
    };
    let roles: Vec<Choice> = Role::ALL
        .iter()
        .filter(|r| m.role.may_manage(**r))
        .map(|r| Choice {
            value: r.as_str(),
            name: Text::role(*r),
        })
        .collect();
    let page = SettingsPage {
        title: lang.t(Text::Settings).into(),
        can_workspace: m.role.allows(Permission::ManageWorkspace),
        can_aspects: m.role.allows(Permission::EditJourneys),
        can_users: m.role.allows(Permission::ManageUsers),
        can_keys: m.role.allows(Permission::ManageKeys),
        members,
        invitations,
        roles,
        keys,
        write_keys,
        tracking_url: format!("{}/v1/batch", st.public_url),
        invite_link,
        new_key,
        notice,
        teams,
        smtp: st.app.smtp_status().map(|r| SmtpView {
            relay: format!("{}:{}", r.host, r.port),
            security: match r.security.as_str() {
                "tls" => Text::SmtpSecurityTls,
                "none" => Text::SmtpSecurityNone,
                _ => Text::SmtpSecurityStarttls,
            },
            from: r.from,
            authenticated: r.authenticated,
        }),
        my_email: m.signed.user.email.clone(),
        track_opens,
        shell: shell(m, Text::NavSettings),
    };
    Page::render(st, status, lang, &page)
}

/// `POST /app/w/{slug}/settings`: one action, named by `action`.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
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
    let fail = |e: AppError| match e {
        AppError::Forbidden => Page::forbidden(&st, lang),
        AppError::NotFound(_) => Page::not_found(&st, lang),
        AppError::Validation(_) => Page::message(
            &st,
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            Text::Error,
            Text::FieldRequired,
        ),
        e => page_error(&st, lang, e),
    };
    let back = |notice: &str| {
        Redirect::to(&format!("/app/w/{slug}/settings?notice={notice}")).into_response()
    };
    let need = |p: Permission| m.require(&st, p);
    match field(&pairs, "action").unwrap_or("") {
        "rename" => match st
            .app
            .rename_workspace(&m.actor, field(&pairs, "name").unwrap_or(""))
            .await
        {
            Ok(()) => back("saved"),
            Err(e) => fail(e),
        },
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
                    Text::Error,
                    Text::EmailInvalid,
                );
            };
            match st.app.invite_user(&m.actor, &email, role).await {
                Ok(token) => {
                    let link = format!("{}/app/invite/{token}", st.public_url);
                    render(
                        &st,
                        &m,
                        StatusCode::OK,
                        Some(Text::NoticeInvited),
                        Some(link),
                        None,
                        None,
                    )
                    .await
                }
                Err(e) => fail(e),
            }
        }
        "smtp_test" => {
            if let Err(r) = need(Permission::ManageWorkspace) {
                return r;
            }
            match st.app.send_test_email(ws, &m.signed.user).await {
                Ok(_) => back("test_email"),
                Err(AppError::Rejected(puls_app::Rejection::EmailNotConfigured, _)) => {
                    Page::message(&st, StatusCode::CONFLICT, lang, Text::Error, Text::SmtpOff)
                }
                Err(e) => fail(e),
            }
        }
        "email_settings" => {
            if let Err(r) = need(Permission::ManageWorkspace) {
                return r;
            }
            let on = field(&pairs, "track_opens").is_some_and(|v| v == "on");
            let def = puls_core::email_settings::EmailSettings { track_opens: on }.to_value();
            match st.app.save_email_settings(ws, &def).await {
                Ok(_) => back("saved"),
                Err(e) => fail(e),
            }
        }
        "withdraw" => match st
            .app
            .withdraw_invitation(&m.actor, field(&pairs, "id").unwrap_or(""))
            .await
        {
            Ok(()) => back("invitation_withdrawn"),
            Err(e) => fail(e),
        },
        action @ ("role" | "remove") => {
            if let Err(r) = need(Permission::ManageUsers) {
                return r;
            }
            let user = field(&pairs, "user").unwrap_or("");
            let change = match (action, field(&pairs, "role").and_then(Role::parse)) {
                ("remove", _) => MemberChange::Remove,
                (_, Some(r)) => MemberChange::Role(r),
                (_, None) => {
                    return Page::message(
                        &st,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        lang,
                        Text::Error,
                        Text::FieldRequired,
                    );
                }
            };
            let Ok(user) = UserId::parse(user) else {
                return Page::not_found(&st, lang);
            };
            match st.app.change_member(&m.actor, &user, change).await {
                Ok(MemberChanged::Removed) => back("member_removed"),
                Ok(MemberChanged::RoleChanged) => back("role_changed"),
                Ok(MemberChanged::LastOwner) => back("last_owner"),
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
            let done = match field(&pairs, "action").unwrap_or("") {
                "create_key" => match st.app.create_api_key(ws, name).await {
                    // Shown once: only its hash is kept.
                    Ok((_, token)) => {
                        return render(
                            &st,
                            &m,
                            StatusCode::OK,
                            Some(Text::NoticeKeyCreated),
                            None,
                            Some(token),
                            None,
                        )
                        .await;
                    }
                    Err(e) => Err(e),
                },
                "create_write_key" => st.app.create_write_key(ws, name).await.map(|_| "saved"),
                "revoke_key" => st.app.revoke_api_key(ws, id).await.map(|_| "key_revoked"),
                _ => st.app.revoke_write_key(ws, id).await.map(|_| "key_revoked"),
            };
            match done {
                Ok(notice) => back(notice),
                // A key already revoked (a second click) is revoked: say so.
                Err(AppError::NotFound(_)) => back("key_revoked"),
                Err(e) => fail(e),
            }
        }
        _ => Page::message(
            &st,
            StatusCode::BAD_REQUEST,
            lang,
            Text::Error,
            Text::FieldRequired,
        ),
    }
}

/// The teams as stored, with two empty rows to add teams; every member offered as lead
/// and as member.
fn teams_form(teams: &puls_core::case::Teams, members: &[puls_store::Member]) -> TeamsForm {
    let choices = |selected: &dyn Fn(&str) -> bool| -> Vec<NamedChoice> {
        members
            .iter()
            .map(|x| NamedChoice {
                value: x.user.id.as_str().to_string(),
                name: x.user.name.clone(),
                selected: selected(x.user.id.as_str()),
            })
            .collect()
    };
    let mut rows: Vec<TeamRow> = teams
        .teams
        .iter()
        .map(|t| TeamRow {
            key: t.key.as_str().to_string(),
            names: super::rule_form::names_of(&puls_store::json::to_json(&t.name.to_value()), "en"),
            lead: choices(&|u| t.lead.as_ref().is_some_and(|l| l.as_str() == u)),
            members: choices(&|u| t.members.iter().any(|x| x.as_str() == u)),
        })
        .collect();
    rows.extend((0..2).map(|_| TeamRow {
        key: String::new(),
        names: super::rule_form::names_from(|_| String::new()),
        lead: choices(&|_| false),
        members: choices(&|_| false),
    }));
    TeamsForm {
        rows,
        problems: Vec::new(),
    }
}

/// `POST /app/w/{slug}/teams`: the teams from their form (rows with an empty key left
/// out); refused, the settings come back with the rows as typed and the problems by row.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn save_teams(
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
    if let Err(r) = m.require(&st, Permission::ManageUsers) {
        return r;
    }
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let members = match st.app.members(&m.actor).await {
        Ok(list) => list,
        Err(e) => return page_error(&st, lang, e),
    };
    let get = |k: &str| field(&pairs, k).unwrap_or("").trim().to_string();
    let rows: Vec<TeamRow> = super::rule_form::indexes(&pairs, "t", ".key")
        .into_iter()
        .take(puls_core::case::MAX_TEAMS + 2)
        .map(|i| {
            let lead = get(&format!("t{i}.lead"));
            let name = format!("t{i}.member");
            let chosen: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            TeamRow {
                key: get(&format!("t{i}.key")),
                names: super::rule_form::names_from(|l| get(&format!("t{i}.name.{l}"))),
                lead: members
                    .iter()
                    .map(|x| NamedChoice {
                        value: x.user.id.as_str().to_string(),
                        name: x.user.name.clone(),
                        selected: x.user.id.as_str() == lead,
                    })
                    .collect(),
                members: members
                    .iter()
                    .map(|x| NamedChoice {
                        value: x.user.id.as_str().to_string(),
                        name: x.user.name.clone(),
                        selected: chosen.contains(&x.user.id.as_str()),
                    })
                    .collect(),
            }
        })
        .collect();
    let kept: Vec<&TeamRow> = rows.iter().filter(|r| !r.key.is_empty()).collect();
    let list: Vec<serde_json::Value> = kept
        .iter()
        .map(|r| {
            let names = super::rule_form::names_value(&r.names);
            let picked = |c: &[NamedChoice]| {
                c.iter()
                    .filter(|c| c.selected)
                    .map(|c| c.value.clone())
                    .collect::<Vec<_>>()
            };
            serde_json::json!({
                "key": r.key,
                // Unnamed, a team reads as its key.
                "name": if names.is_empty() { serde_json::json!(r.key) } else { names.into() },
                "lead": picked(&r.lead).into_iter().next(),
                "members": picked(&r.members),
            })
        })
        .collect();
    let def = puls_store::json::from_json(&serde_json::json!({ "teams": list }));
    match st.app.save_teams(m.workspace.id, &def).await {
        Ok(_) => {
            Redirect::to(&format!("/app/w/{slug}/settings?notice=saved#teams")).into_response()
        }
        Err(e @ (AppError::Validation(_) | AppError::Rejected(..))) => {
            // `teams[2].key`: the third kept row, said by its key.
            let keys: Vec<&str> = kept.iter().map(|r| r.key.as_str()).collect();
            let place = |path: &str| {
                super::definitions::row_place(path, "teams", &keys, lang.t(Text::TeamKey))
            };
            let problems = super::definitions::problems_of(lang, e, place);
            let form = TeamsForm { rows, problems };
            render(
                &st,
                &m,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                None,
                Some(form),
            )
            .await
        }
        Err(e) => page_error(&st, lang, e),
    }
}

fn invalid_invitation(st: &AppState, lang: Lang) -> Response {
    Page::message(
        st,
        StatusCode::NOT_FOUND,
        lang,
        Text::InvitationTitle,
        Text::InvitationInvalid,
    )
}

/// `GET /app/invite/{token}`: who is invited where; join as yourself (signed in with the
/// invited email) or create your account.
#[tracing::instrument(skip_all)]
pub async fn invitation(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = auth::guest_lang(&headers, q.get("lang").map(String::as_str));
    let view = match st.app.invitation(&token).await {
        Ok(Some(v)) => v,
        Ok(None) => return invalid_invitation(&st, lang),
        Err(e) => return page_error(&st, lang, e),
    };
    let (workspace, inv, exists) = (view.workspace_name, view.invitation, view.account_exists);
    let Some(role) = Role::parse(&inv.role) else {
        return invalid_invitation(&st, lang);
    };
    let (form_token, set) = auth::form_token(&st, &headers);
    let page = InvitationPage {
        title: lang.t(Text::InvitationTitle).into(),
        workspace,
        email: inv.email,
        role: Text::role(role),
        exists,
        name: String::new(),
        form_token,
        token,
        langs: langs(lang, &[]),
    };
    let mut r = Page::render(&st, StatusCode::OK, lang, &page);
    if let Some(set) = set {
        r.headers_mut().append(SET_COOKIE, set);
    }
    r
}

/// `POST /app/invite/{token}`: joins. An existing account proves itself with its password;
/// a new one is created with the invited email.
#[tracing::instrument(skip_all)]
pub async fn accept(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let (pairs, lang) = match super::guest_form(&st, &headers, &body) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let joining = Joining::New {
        name: field(&pairs, "name").unwrap_or(""),
        password: field(&pairs, "password").unwrap_or("").to_string(),
        locale: lang.code(),
    };
    let message = |status, text| Page::message(&st, status, lang, Text::InvitationTitle, text);
    match st.app.accept_invitation(&token, joining).await {
        Ok(Joined::Session { token, slug }) => {
            let to = slug.map_or_else(|| "/app".to_string(), |s| format!("/app/w/{s}"));
            with_session(&st, &token, &to)
        }
        Ok(Joined::BadCredentials) => message(StatusCode::UNAUTHORIZED, Text::BadCredentials),
        Ok(Joined::NameRequired) => message(StatusCode::UNPROCESSABLE_ENTITY, Text::FieldRequired),
        Ok(Joined::Password(p)) => {
            message(StatusCode::UNPROCESSABLE_ENTITY, Text::password_problem(p))
        }
        Ok(Joined::EmailTaken) => message(StatusCode::CONFLICT, Text::EmailTaken),
        Ok(Joined::Invalid) => invalid_invitation(&st, lang),
        Err(e) => page_error(&st, lang, e),
    }
}
