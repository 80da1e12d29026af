//! Contacts: create or update (by external id or email), read, list, change, delete, merge,
//! personal invitations, and a contact's responses and events.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_core::contact::{Change, ContactPatch};
use puls_core::{FieldError, FieldErrorKind, FieldErrors};
use puls_store::{
    ContactLookup, ContactOutcome, ContactRecord, ContactUpsert, EventRecord, MergeOutcome, now_ms,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::contact_fields::{contact_of, fields_of};
use crate::convert;
use crate::dto::{ResponseDto, format_ms};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, JsonBody, Query};
use crate::routes::tracking::patch_change;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, upsert_contact))
        .routes(routes!(get_contact, update_contact, delete_contact))
        .routes(routes!(merge_contact))
        .routes(routes!(create_invitation))
        .routes(routes!(contact_responses))
        .routes(routes!(contact_events))
}

/// A contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    /// Typed values: text, number, boolean, or a date as `YYYY-MM-DD` / RFC 3339 text.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    /// `{"purpose": {"granted": bool, "at": RFC 3339}}`.
    #[schema(value_type = Object)]
    pub consents: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

impl ContactDto {
    pub fn of(r: &ContactRecord) -> Result<ContactDto, ApiError> {
        let c = contact_of(&r.fields)
            .map_err(|e| anyhow::anyhow!("stored contact {} is unreadable: {e}", r.id))?;
        Ok(ContactDto {
            id: r.id.clone(),
            external_id: r.fields.external_id.clone(),
            email: r.fields.email.clone(),
            phone: r.fields.phone.clone(),
            name: r.fields.name.clone(),
            locale: r.fields.locale.clone(),
            attributes: convert::to_json(&c.attributes_value()),
            consents: convert::to_json(&c.consents_value()),
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
        })
    }
}

/// A page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// The contact with this external id (following merges).
    pub external_id: Option<String>,
    /// The contact with this email (following merges).
    pub email: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    pub limit: Option<i64>,
}

/// A page size from the query: 1 to 1000, 100 by default.
pub(crate) fn limit(l: Option<i64>) -> Result<i64, ApiError> {
    match l.unwrap_or(100) {
        l @ 1..=1000 => Ok(l),
        _ => Err(ApiError::bad_request(
            "invalid_query",
            "limit: must be between 1 and 1000",
        )),
    }
}

/// Contacts by id, or the one contact with an external id or email.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactQuery),
    responses((status = 200, body = ContactPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_contacts(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<ContactQuery>,
) -> Result<Json<ContactPage>, ApiError> {
    let limit = limit(q.limit)?;
    if q.external_id.is_some() || q.email.is_some() {
        let found = st
            .store
            .find_contact(
                ws.id,
                &ContactLookup {
                    id: None,
                    external_id: q.external_id.clone(),
                    email: q.email.as_ref().map(|e| e.trim().to_lowercase()),
                },
            )
            .await?;
        return Ok(Json(ContactPage {
            items: found.iter().map(ContactDto::of).collect::<Result<_, _>>()?,
            next_cursor: None,
        }));
    }
    let rows = st
        .store
        .list_contacts(ws.id, q.cursor.as_deref(), limit)
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    Ok(Json(ContactPage {
        items: rows.iter().map(ContactDto::of).collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// A contact as sent: `{"external_id", "email", "phone", "name", "locale", "attributes",
/// "consents"}`; `null` clears a field or removes an attribute.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
struct ContactInput {
    external_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
    /// `pl`, `cs`, `en`, ...
    locale: Option<String>,
    /// Values: text, number, boolean; text in `YYYY-MM-DD` or RFC 3339 form is a date.
    #[schema(value_type = Object)]
    attributes: Option<serde_json::Value>,
    /// `{"email_marketing": true}` or `{"sms": {"granted": false, "at": "2026-01-01T00:00:00Z"}}`.
    #[schema(value_type = Object)]
    consents: Option<serde_json::Value>,
}

fn parse_patch(body: &serde_json::Value) -> Result<ContactPatch, ApiError> {
    ContactPatch::parse(&convert::from_json(body)).map_err(ApiError::Validation)
}

fn one_error(path: &str, kind: FieldErrorKind) -> ApiError {
    ApiError::Validation(FieldErrors(vec![FieldError {
        path: path.into(),
        kind,
    }]))
}

/// What an upsert outcome means for the caller.
fn outcome(o: ContactOutcome) -> Result<(StatusCode, ContactRecord), ApiError> {
    match o {
        ContactOutcome::Created(c) => Ok((StatusCode::CREATED, c)),
        ContactOutcome::Updated(c) | ContactOutcome::Unchanged(c) => Ok((StatusCode::OK, c)),
        ContactOutcome::NotFound => Err(ApiError::NotFound("contact")),
        ContactOutcome::Conflict { field, other } => Err(ApiError::Conflict {
            code: "contact_conflict",
            message: format!("{field}: another contact ({other}) already has it"),
        }),
        ContactOutcome::Invalid(m) => Err(ApiError::unprocessable("invalid_contact", m)),
        ContactOutcome::Repeated => Err(anyhow::anyhow!("a contact upsert was repeated").into()),
    }
}

/// Creates a contact, or updates the one with the same external id (else email): 201 when
/// created, 200 when updated. The body needs an `external_id` or an `email`.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    request_body(content = ContactInput, content_type = "application/json"),
    responses((status = 201, body = ContactDto), (status = 200, body = ContactDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn upsert_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let patch = parse_patch(&body)?;
    let lookup = ContactLookup {
        id: None,
        external_id: match &patch.external_id {
            Change::Set(e) => Some(e.as_str().to_string()),
            _ => None,
        },
        email: match &patch.email {
            Change::Set(e) => Some(e.as_str().to_string()),
            _ => None,
        },
    };
    if lookup.external_id.is_none() && lookup.email.is_none() {
        return Err(one_error("external_id", FieldErrorKind::Required));
    }
    let out = st
        .store
        .upsert_contacts(
            ws.id,
            &[ContactUpsert {
                lookup,
                create: true,
                change: patch_change(patch, now_ms()),
                message_id: None,
            }],
        )
        .await?;
    let (status, record) = outcome(out.into_iter().next().unwrap_or(ContactOutcome::NotFound))?;
    Ok((status, Json(ContactDto::of(&record)?)).into_response())
}

/// A contact (a merged contact's id gives the contact it was merged into).
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, body = ContactDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn get_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<ContactDto>, ApiError> {
    let c = st
        .store
        .find_contact(
            ws.id,
            &ContactLookup {
                id: Some(id),
                ..ContactLookup::default()
            },
        )
        .await?
        .ok_or(ApiError::NotFound("contact"))?;
    Ok(Json(ContactDto::of(&c)?))
}

/// Changes a contact: only the fields sent change (`null` clears one).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    request_body(content = ContactInput, content_type = "application/json"),
    responses((status = 200, body = ContactDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn update_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<ContactDto>, ApiError> {
    let patch = parse_patch(&body)?;
    if patch.external_id == Change::Clear && patch.email == Change::Clear {
        return Err(one_error("external_id", FieldErrorKind::Required));
    }
    let out = st
        .store
        .upsert_contacts(
            ws.id,
            &[ContactUpsert {
                lookup: ContactLookup {
                    id: Some(id),
                    ..ContactLookup::default()
                },
                create: false,
                change: patch_change(patch, now_ms()),
                message_id: None,
            }],
        )
        .await?;
    let (_, record) = outcome(out.into_iter().next().unwrap_or(ContactOutcome::NotFound))?;
    Ok(Json(ContactDto::of(&record)?))
}

/// Deletes a contact's data (its profile; its events and responses stay, unlinked).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn delete_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match st.store.delete_contact(ws.id, &id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound("contact")),
    }
}

/// Which contact to merge into this one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The duplicate: its fields fill this contact's gaps, its ids forward here.
    pub from: String,
}

/// Merges a duplicate into this contact: fields this one lacks come from the duplicate,
/// missing attributes are added, the later consent decision stands, and the duplicate's
/// external id and email (and so its events and responses) lead here from now on.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "contacts",
    params(("id" = String, Path, description = "The contact to keep")),
    request_body = MergeInput,
    responses((status = 200, body = ContactDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
async fn merge_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<ContactDto>, ApiError> {
    let input: MergeInput = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("body: {e}")))?;
    let merge = |mine: &mut puls_store::ContactFields, theirs: &puls_store::ContactFields| {
        let mut a = contact_of(mine)?;
        let b = contact_of(theirs)?;
        a.absorb(&b);
        *mine = fields_of(&a);
        Ok(())
    };
    match st
        .store
        .merge_contacts(ws.id, &id, &input.from, &merge)
        .await?
    {
        MergeOutcome::Merged(c) => Ok(Json(ContactDto::of(&c)?)),
        MergeOutcome::NotFound => Err(ApiError::NotFound("contact")),
        MergeOutcome::Same => Err(ApiError::unprocessable(
            "same_contact",
            "from: names the contact itself",
        )),
        MergeOutcome::Invalid(m) => Err(ApiError::unprocessable("invalid_contact", m)),
    }
}

/// The survey to invite a contact to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    pub survey: String,
}

/// A personal survey link.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub token: String,
    pub survey: String,
    pub contact: String,
    /// The hosted page with the token: its response belongs to the contact, once.
    pub link: String,
    pub created_at: String,
}

/// Creates a personal invitation: a link whose response is the contact's (and can be given
/// once).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/invitations", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    request_body = InvitationInput,
    responses((status = 201, body = InvitationDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn create_invitation(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let input: InvitationInput = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("body: {e}")))?;
    let inv = st
        .store
        .create_invitation(ws.id, &id, &input.survey)
        .await?
        .ok_or(ApiError::NotFound("contact or survey"))?;
    let dto = InvitationDto {
        link: format!("{}/s/{}?inv={}", st.public_url, inv.survey_id, inv.token),
        token: inv.token,
        survey: inv.survey_id,
        contact: inv.contact_id,
        created_at: format_ms(inv.created_at),
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// `next_cursor` of the previous page (events only).
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    pub limit: Option<i64>,
}

/// The contact's responses, newest first: given with its external id or email (or those of
/// contacts merged into it) or through its invitations.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/responses", tag = "contacts",
    params(("id" = String, Path, description = "Contact id"), TimelineQuery),
    responses((status = 200, body = Vec<ResponseDto>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn contact_responses(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<Vec<ResponseDto>>, ApiError> {
    let c = live(&st, ws.id, &id).await?;
    let rows = st
        .store
        .contact_responses(ws.id, &c.id, limit(q.limit)?)
        .await?;
    Ok(Json(rows.iter().map(ResponseDto::from_record).collect()))
}

/// A stored event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// The event's id (ascending in arrival order).
    pub seq: i64,
    #[serde(rename = "messageId")]
    pub message_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The track's event, or the page's or screen's name.
    pub name: String,
    #[serde(rename = "userId")]
    pub user_id: Option<String>,
    #[serde(rename = "anonymousId")]
    pub anonymous_id: Option<String>,
    /// When it happened (clock skew corrected), RFC 3339.
    pub timestamp: String,
    #[serde(rename = "receivedAt")]
    pub received_at: String,
    /// Properties (track, page, screen) or traits (identify, group).
    #[schema(value_type = Object)]
    pub properties: serde_json::Value,
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
    /// Every other key the message had.
    #[schema(value_type = Object)]
    pub extra: serde_json::Value,
}

impl EventDto {
    pub fn of(e: &EventRecord) -> EventDto {
        let json = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
        EventDto {
            seq: e.seq,
            message_id: e.event.message_id.clone(),
            kind: e.event.kind.clone(),
            name: e.event.name.clone(),
            user_id: e.event.user_id.clone(),
            anonymous_id: e.event.anonymous_id.clone(),
            timestamp: format_ms(e.event.timestamp),
            received_at: format_ms(e.event.received_at),
            properties: json(&e.event.properties),
            context: json(&e.event.context),
            extra: json(&e.event.extra),
        }
    }
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    pub next_cursor: Option<String>,
}

pub(crate) fn event_page(rows: Vec<EventRecord>, limit: i64) -> EventPage {
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|e| e.seq.to_string()))
        .flatten();
    EventPage {
        items: rows.iter().map(EventDto::of).collect(),
        next_cursor,
    }
}

pub(crate) fn seq_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    cursor
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::bad_request("invalid_query", "cursor: not a cursor"))
        })
        .transpose()
}

/// The contact's events, newest first: sent with its user ids or with anonymous ids tied
/// to them.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/events", tag = "contacts",
    params(("id" = String, Path, description = "Contact id"), TimelineQuery),
    responses((status = 200, body = EventPage), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn contact_events(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let c = live(&st, ws.id, &id).await?;
    let limit = limit(q.limit)?;
    let rows = st
        .store
        .contact_events(ws.id, &c.id, seq_cursor(q.cursor.as_deref())?, limit)
        .await?;
    Ok(Json(event_page(rows, limit)))
}

async fn live(st: &AppState, workspace_id: i64, id: &str) -> Result<ContactRecord, ApiError> {
    st.store
        .find_contact(
            workspace_id,
            &ContactLookup {
                id: Some(id.to_string()),
                ..ContactLookup::default()
            },
        )
        .await?
        .ok_or(ApiError::NotFound("contact"))
}
