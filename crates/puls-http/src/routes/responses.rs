//! Responses: public submission and continuation, and the owner's list, read, delete and
//! export.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use puls_app::AppError;
use puls_app::responses::Submission;
use puls_app::text_aspects::WorkspaceAspects;
use puls_core::{Channel, KanoAnswer, Locale, WorkspaceId};
use puls_core::{Completion, ResponseMetaInput, Survey};
use puls_html::{Lang, Text};
use puls_store::ResponseFilter;
use puls_wire::body::{SubmitResponse, UpdateResponse};
use puls_wire::contacts::limit;
use puls_wire::export::CsvStyle;
use puls_wire::surveys::{ResponseDto, ResponsePage, ResponseQuery, SubmitResult, status_name};
use puls_wire::xlsx::{self, XlsxOptions, XlsxTexts};
use puls_wire::{ErrorBody, export, path};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Auth, Input, Query};
use crate::state::AppState;

/// Routes anyone may call: a published survey takes responses without a key.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_response))
        .routes(routes!(continue_response))
}

/// Routes for the workspace owner.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_responses))
        .routes(routes!(export_responses))
        .routes(routes!(get_response, delete_response))
}

/// Submit a response to a published survey. No API key needed.
///
/// Send `Idempotency-Key` to make retries safe: a repeated key returns the stored response
/// with status 200 instead of storing it twice. A 2xx means the response is committed.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "responses",
    params(("id" = String, Path, description = "Survey id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters; a retry with the same key is stored once")),
    request_body = SubmitResponse,
    responses((status = 201, description = "Stored", body = SubmitResult),
        (status = 200, description = "Already stored under this Idempotency-Key", body = SubmitResult),
        (status = 409, description = "Survey closed or invitation already used", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
async fn submit_response(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Input(body): Input<SubmitResponse>,
) -> Result<(StatusCode, Json<SubmitResult>), ApiError> {
    let idempotency_key = super::idempotency_key(&headers)?;
    let record = st.app.open_survey(&path::survey(&id)?).await?;
    let survey: Arc<Survey> = st.app.survey_version(&record, record.version).await?;
    let stored = st
        .app
        .submit(Submission {
            record: &record,
            survey: &survey,
            answers: body.answers,
            completion: body.completed,
            meta: ResponseMetaInput {
                channel: body.channel.as_ref(),
                touchpoint: body.touchpoint.as_ref(),
                locale: body.locale.as_ref(),
                contact: body.contact.as_ref(),
                invitation_token: body.invitation_token.as_ref(),
                attributes: body.attributes.as_ref(),
            },
            idempotency_key,
            key_is_secret: false,
        })
        .await?;
    let status = if stored.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(SubmitResult {
            id: stored.id.to_string(),
            status: status_name(stored.completed).into(),
            survey_version: stored.version,
            resume_token: stored.resume_token,
        }),
    ))
}

/// Add answers to a partial response, or complete it. Needs the response's resume token.
///
/// The answers are merged into those stored (`null` removes one) and the whole is validated
/// against the survey version the response started on.
#[utoipa::path(patch, path = "/api/v1/responses/{id}", tag = "responses",
    params(("id" = String, Path, description = "Response id"),
        ("X-Resume-Token" = Option<String>, Header, description = "The resume token (or send it in the body)")),
    request_body = UpdateResponse,
    responses((status = 200, body = SubmitResult),
        (status = 409, description = "Completed already, survey closed, or changed meanwhile", body = ErrorBody)))]
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
async fn continue_response(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Input(body): Input<UpdateResponse>,
) -> Result<Json<SubmitResult>, ApiError> {
    let token = headers
        .get("x-resume-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(body.resume_token)
        .ok_or(AppError::NotFound("response"))?;
    let completion = body.completed;
    let record = st
        .app
        .continue_response(&path::response(&id)?, &token, body.answers, completion)
        .await?;
    let completed = completion == Completion::Complete;
    Ok(Json(SubmitResult {
        id: record.id.to_string(),
        status: status_name(completed).into(),
        survey_version: record.survey_version,
        resume_token: (!completed).then_some(token),
    }))
}

/// List responses, newest first, with filters and cursor pagination.
#[utoipa::path(get, path = "/api/v1/responses", tag = "responses",
    params(ResponseQuery),
    responses((status = 200, body = ResponsePage)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_responses(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<ResponseQuery>,
) -> Result<Json<ResponsePage>, ApiError> {
    if q.format.is_some() {
        return Err(AppError::invalid("format: only the export endpoint takes a format").into());
    }
    let limit = limit(q.limit)?;
    let filter = q.filter(&st.app.analytics().config.time_zone)?;
    let m = st.app.response_match(ws.id, q.match_spec()?).await?;
    let found = st
        .app
        .find_responses(ws.id, filter, &m, limit as usize)
        .await?;
    let ids: Vec<_> = found.rows.iter().map(|r| r.id.clone()).collect();
    let text = st.app.answer_analyses(ws.id, &ids).await?;
    Ok(Json(ResponsePage {
        items: found
            .rows
            .iter()
            .map(|r| ResponseDto::with_text(r, &text))
            .collect(),
        next_cursor: found.next.map(|id| id.to_string()),
    }))
}

/// Get one response.
#[utoipa::path(get, path = "/api/v1/responses/{id}", tag = "responses",
    params(("id" = String, Path, description = "Response id")),
    responses((status = 200, body = ResponseDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn get_response(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<ResponseDto>, ApiError> {
    let r = st.app.response(ws.id, &path::response(&id)?).await?;
    let text = st
        .app
        .answer_analyses(ws.id, std::slice::from_ref(&r.id))
        .await?;
    Ok(Json(ResponseDto::with_text(&r, &text)))
}

/// Delete one response: it leaves lists, exports, reports and search at once, on every node.
#[utoipa::path(delete, path = "/api/v1/responses/{id}", tag = "responses",
    params(("id" = String, Path, description = "Response id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such response", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, id = %id))]
async fn delete_response(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.delete_response(ws.id, &path::response(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Export responses as CSV (default), NDJSON or XLSX, in constant memory.
///
/// With `survey=ID`, the CSV has one column per question (per row for matrices, per side for
/// Kano, per field for contact); otherwise answers are one JSON column. `format=xlsx` gives
/// an Excel workbook: a sheet per survey with a column per question, option labels and
/// question texts in `lang`, local times in `tz` as date cells, and a sheet of the surveys'
/// questions and options. `format=csv_semicolon` is the CSV that Polish and Czech Excel
/// opens by double-click (semicolons, CRLF, a UTF-8 byte-order mark).
#[utoipa::path(get, path = "/api/v1/responses/export", tag = "responses",
    params(ResponseQuery),
    responses((status = 200, description = "CSV, NDJSON or XLSX", content(
            ("text/csv"), ("application/x-ndjson"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn export_responses(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<ResponseQuery>,
) -> Result<Response, ApiError> {
    if q.cursor.is_some() || q.limit.is_some() {
        return Err(
            AppError::invalid("cursor, limit: an export streams everything that matches").into(),
        );
    }
    let lang = match q.lang.as_deref() {
        None => Lang::En,
        Some(l) => Lang::parse(l)
            .ok_or_else(|| AppError::invalid(format!("lang: '{l}' is not one of en, pl, cs")))?,
    };
    Ok(export(&st, ws.id, &q, lang, "responses").await?)
}

/// The words of the Excel export in `lang` (`aspects`: the workspace's own aspects' names).
pub(crate) fn xlsx_texts(lang: Lang, aspects: WorkspaceAspects) -> XlsxTexts {
    let t = |x: Text| lang.t(x).to_string();
    XlsxTexts {
        fixed: [
            t(Text::XlsxResponseId),
            t(Text::Status),
            t(Text::Channel),
            t(Text::Touchpoint),
            t(Text::Language),
            t(Text::XlsxContactId),
            t(Text::XlsxContactEmail),
            t(Text::XlsxCreated),
            t(Text::XlsxCompleted),
        ],
        attributes: t(Text::XlsxAttributes),
        completed: t(Text::StatusCompleted),
        partial: t(Text::StatusPartial),
        definitions: t(Text::Questions),
        definition_headers: [
            t(Text::Survey),
            t(Text::XlsxQuestionId),
            t(Text::XlsxType),
            t(Text::Question),
            t(Text::XlsxOptions),
        ],
        other: t(Text::XlsxOther),
        functional: t(Text::XlsxFunctional),
        dysfunctional: t(Text::XlsxDysfunctional),
        contact_fields: [t(Text::Email), t(Text::Phone)],
        channel: Box::new(move |c| match Channel::parse(c) {
            Ok(c) => lang.t(Text::channel(c)).to_string(),
            Err(_) => c.to_string(),
        }),
        kano: Box::new(move |k| match KanoAnswer::parse(k) {
            Some(a) => lang.kano(a).to_string(),
            None => k.to_string(),
        }),
        sentiment: t(Text::Sentiment),
        aspects: t(Text::Aspects),
        sentiment_label: Box::new(move |s| lang.sentiment(s).to_string()),
        aspect_label: Box::new(move |a| crate::console::names::aspect_name(&aspects, a, lang)),
    }
}

/// The export of the responses `q` selects, in its `format`, as a download named `name`:
/// the API's and the web app's alike. CSV and NDJSON stream; XLSX is written row by row
/// on a blocking thread and sent whole.
pub(crate) async fn export(
    st: &AppState,
    ws: WorkspaceId,
    q: &ResponseQuery,
    lang: Lang,
    name: &str,
) -> Result<Response, AppError> {
    let time_zone = st.app.analytics().config.time_zone.clone();
    let filter: ResponseFilter = q.filter(&time_zone)?;
    let format = q.format.as_deref().unwrap_or("csv");
    if !["csv", "csv_semicolon", "ndjson", "xlsx"].contains(&format) {
        return Err(AppError::invalid(format!(
            "format: '{format}' is not one of csv, csv_semicolon, ndjson, xlsx"
        )));
    }
    let m = st.app.response_match(ws, q.match_spec()?).await?;
    let survey = match &filter.survey_id {
        Some(id) => {
            let r = st.app.survey(ws, &path::survey(id)?, None).await?;
            Some(st.app.survey_version(&r, r.version).await?)
        }
        None => None,
    };
    let survey_id = filter.survey_id.clone();
    let pages = st.app.response_pages(ws, filter, m);
    let (content_type, ext, body) = match format {
        "csv" => (
            "text/csv; charset=utf-8",
            "csv",
            Body::from_stream(export::responses_csv(
                pages,
                survey.as_deref(),
                CsvStyle::Plain,
            )),
        ),
        "csv_semicolon" => (
            "text/csv; charset=utf-8",
            "csv",
            Body::from_stream(export::responses_csv(
                pages,
                survey.as_deref(),
                CsvStyle::Excel,
            )),
        ),
        "ndjson" => (
            "application/x-ndjson",
            "ndjson",
            Body::from_stream(export::responses_ndjson(pages)),
        ),
        _ => {
            let mut surveys = st.app.analytics().current_surveys(ws).await?;
            if let (Some(id), Some(s)) = (&survey_id, &survey) {
                surveys.retain(|k, _| k == id);
                surveys.insert(id.clone(), s.clone());
            }
            let locale =
                Locale::parse(lang.code()).map_err(|e| AppError::invalid(e.to_string()))?;
            let opts = XlsxOptions {
                locale,
                time_zone: q.tz.clone().unwrap_or(time_zone),
                surveys,
                survey: survey_id,
            };
            let aspects = st.app.text_aspects(ws).await?;
            let bytes = xlsx::responses_xlsx(pages, xlsx_texts(lang, aspects), opts).await?;
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
                Body::from(bytes),
            )
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}
