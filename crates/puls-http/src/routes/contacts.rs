//! Contacts: create or update (by external id or email), read, list, change, erase, merge,
//! personal invitations, and a contact's responses and events.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_app::AppError;
use puls_app::contacts::Upserted;
use puls_core::{ContactId, SurveyId};
use puls_wire::body::{ContactInput, InvitationInput, MergeInput};
use puls_wire::contacts::{
    ContactDto, ContactPage, ContactQuery, ErasureDto, EventPage, InvitationDto, TimelineQuery,
    limit, seq_cursor,
};
use puls_wire::surveys::ResponseDto;
use puls_wire::{ErrorBody, id_cursor, path};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, Input, Query};
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

/// Contacts by id, or the one contact with an external id or email.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactQuery),
    responses((status = 200, body = ContactPage)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_contacts(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<ContactQuery>,
) -> Result<Json<ContactPage>, ApiError> {
    let limit = limit(q.limit)?;
    if q.external_id.is_some() || q.email.is_some() {
        let found = st
            .app
            .find_contact(ws.id, q.external_id.clone(), q.email.clone())
            .await?;
        return Ok(Json(ContactPage {
            items: found.iter().map(ContactDto::of).collect::<Result<_, _>>()?,
            next_cursor: None,
        }));
    }
    let after = id_cursor(q.cursor.as_deref(), ContactId::parse)?;
    let rows = st.app.contacts(ws.id, after.as_ref(), limit).await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Json(ContactPage {
        items: rows.iter().map(ContactDto::of).collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// Creates a contact, or updates the one with the same external id (else email): 201 when
/// created, 200 when updated. The body needs an `external_id` or an `email`.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    request_body(content = ContactInput, content_type = "application/json"),
    responses((status = 201, body = ContactDto), (status = 200, body = ContactDto),
        (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn upsert_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Input(ContactInput(patch)): Input<ContactInput>,
) -> Result<Response, ApiError> {
    let (upserted, record) = st.app.upsert_contact(ws.id, patch).await?;
    let status = match upserted {
        Upserted::Created => StatusCode::CREATED,
        Upserted::Updated => StatusCode::OK,
    };
    Ok((status, Json(ContactDto::of(&record)?)).into_response())
}

/// A contact (a merged contact's id gives the contact it was merged into).
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, body = ContactDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn get_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<ContactDto>, ApiError> {
    let c = st.app.contact(ws.id, &path::contact(&id)?).await?;
    Ok(Json(ContactDto::of(&c)?))
}

/// Changes a contact: only the fields sent change (`null` clears one).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    request_body(content = ContactInput, content_type = "application/json"),
    responses((status = 200, body = ContactDto), (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn update_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(ContactInput(patch)): Input<ContactInput>,
) -> Result<Json<ContactDto>, ApiError> {
    let record = st
        .app
        .update_contact(ws.id, &path::contact(&id)?, patch)
        .await?;
    Ok(Json(ContactDto::of(&record)?))
}

/// Erases a person: the contact and the duplicates merged into it (the rows keep only their
/// ids), the responses given with any of their ids or personal links, their events (by user
/// id, and anonymous events from browsers or devices tied to it), those ties, and their
/// invitations, in one transaction. Answers with the receipt of what was removed. Reports,
/// lists, search and the web app stop showing them at once, on every node.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, body = ErasureDto),
        (status = 404, description = "No such live contact", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn delete_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<ErasureDto>, ApiError> {
    let id = path::contact(&id)?;
    let receipt = st.app.erase_contact(ws.id, &id).await?;
    Ok(Json(ErasureDto::of(&id, &receipt)))
}

/// Merges a duplicate into this contact: fields this one lacks come from the duplicate,
/// missing attributes are added, the later consent decision stands, and the duplicate's
/// external id and email (and so its events and responses) lead here from now on.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "contacts",
    params(("id" = String, Path, description = "The contact to keep")),
    request_body = MergeInput,
    responses((status = 200, body = ContactDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn merge_contact(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(input): Input<MergeInput>,
) -> Result<Json<ContactDto>, ApiError> {
    // The duplicate named by the body: a text that is no contact id names no contact.
    let from = path::contact(&input.from)?;
    let c = st
        .app
        .merge_contacts(ws.id, &path::contact(&id)?, &from)
        .await?;
    Ok(Json(ContactDto::of(&c)?))
}

/// Creates a personal invitation: a link whose response is the contact's (and can be given
/// once).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/invitations", tag = "contacts",
    params(("id" = String, Path, description = "Contact id")),
    request_body = InvitationInput,
    responses((status = 201, body = InvitationDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn create_invitation(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Input(input): Input<InvitationInput>,
) -> Result<Response, ApiError> {
    let not_found = |_| AppError::NotFound("contact or survey");
    let contact = ContactId::parse(&id).map_err(not_found)?;
    let survey = SurveyId::parse(&input.survey).map_err(not_found)?;
    let inv = st.app.invite_contact(ws.id, &contact, &survey).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationDto::of(inv, &st.public_url)),
    )
        .into_response())
}

/// The contact's responses, newest first: given with its external id or email (or those of
/// contacts merged into it) or through its invitations.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/responses", tag = "contacts",
    params(("id" = String, Path, description = "Contact id"), TimelineQuery),
    responses((status = 200, body = Vec<ResponseDto>)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn contact_responses(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<Vec<ResponseDto>>, ApiError> {
    let rows = st
        .app
        .contact_responses(ws.id, &path::contact(&id)?, limit(q.limit)?)
        .await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    let text = st.app.answer_analyses(ws.id, &ids).await?;
    Ok(Json(
        rows.iter()
            .map(|r| ResponseDto::with_text(r, &text))
            .collect(),
    ))
}

/// The contact's events, newest first: sent with its user ids or with anonymous ids tied
/// to them.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/events", tag = "contacts",
    params(("id" = String, Path, description = "Contact id"), TimelineQuery),
    responses((status = 200, body = EventPage)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn contact_events(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let limit = limit(q.limit)?;
    let rows = st
        .app
        .contact_events(
            ws.id,
            &path::contact(&id)?,
            seq_cursor(q.cursor.as_deref())?,
            limit,
        )
        .await?;
    Ok(Json(EventPage::of(rows, limit)))
}
