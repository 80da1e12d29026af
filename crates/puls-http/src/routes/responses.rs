//! Responses: public submission and continuation, and the owner's list, read and export.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use puls_core::response::answers_to_value;
use puls_core::{Completion, Expected, FieldErrors, ResponseMetaInput, Survey, Value};
use puls_store::{
    NewResponse, ResponseFilter, ResponseRecord, ResponseUpdate, SurveyRecord, SurveyStatus,
    WriteOp, WriteOutcome, now_ms,
};
use subtle::ConstantTimeEq;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::convert;
use crate::dto::{
    ResponseDto, ResponsePage, ResponseQuery, SubmitResponse, SubmitResult, UpdateResponse,
    status_name,
};
use crate::error::{ApiError, ErrorBody};
use crate::export;
use crate::extract::{Auth, JsonBody, Query};
use crate::search::TextSearch;
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
        .routes(routes!(get_response))
}

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 200;

/// A published survey by id, or the error a respondent should see.
pub(crate) async fn open_survey(st: &AppState, id: &str) -> Result<Arc<SurveyRecord>, ApiError> {
    let mut record = st
        .survey_record(id)
        .await?
        .ok_or(ApiError::NotFound("survey"))?;
    // Only "published" is taken from the cache: a refusal is always read fresh, so a survey
    // published again on another node is never refused here.
    if record.status != SurveyStatus::Published {
        st.forget_survey(id);
        record = st
            .survey_record(id)
            .await?
            .ok_or(ApiError::NotFound("survey"))?;
    }
    match record.status {
        SurveyStatus::Published => Ok(record),
        SurveyStatus::Draft => Err(ApiError::NotFound("survey")),
        SurveyStatus::Closed => Err(ApiError::Conflict {
            code: "survey_closed",
            message: "this survey is closed and accepts no more responses".into(),
        }),
    }
}

/// A random token for continuing a partial response.
fn new_resume_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::rng().random();
    hex::encode(bytes)
}

/// Validated answers as canonical JSON text.
fn answers_json(answers: &puls_core::Answers) -> String {
    convert::to_json(&answers_to_value(answers)).to_string()
}

/// Everything needed to store a new response, already validated.
pub(crate) struct Submission<'a> {
    pub record: &'a SurveyRecord,
    pub survey: &'a Survey,
    pub answers: BTreeMap<String, Value>,
    pub completion: Completion,
    pub meta: ResponseMetaInput<'a>,
    pub idempotency_key: Option<String>,
    /// Whether only the respondent can know the idempotency key (the pages' random nonce),
    /// so that a replay may hand back the resume token of the response stored under it.
    pub key_is_secret: bool,
}

/// What storing a submission gave.
pub(crate) struct Stored {
    pub id: String,
    pub completed: bool,
    pub version: i64,
    pub resume_token: Option<String>,
    /// True when an earlier submission with the same idempotency key was returned.
    pub replayed: bool,
}

/// Validates and stores a new response; returns once it is committed.
///
/// When the writer finds the survey changed since this node read it (closed, or a newer
/// version current), the survey is read again and the submission validated and written
/// once more against what the database now says.
pub(crate) async fn store_new(st: &AppState, s: Submission<'_>) -> Result<Stored, ApiError> {
    match try_store_new(st, &s).await {
        Ok(Some(stored)) => return Ok(stored),
        // The writer refused: the survey changed after this node read it.
        Ok(None) => st.forget_survey(&s.record.id),
        // Perhaps validated against a version this node cached before a newer one.
        Err(ApiError::Validation(errors)) => {
            st.forget_survey(&s.record.id);
            let fresh = open_survey(st, &s.record.id).await?;
            if fresh.version == s.record.version {
                return Err(ApiError::Validation(errors));
            }
        }
        Err(e) => return Err(e),
    }
    let record = open_survey(st, &s.record.id).await?;
    let survey = st.survey_version(&record, record.version).await?;
    let again = Submission {
        record: &record,
        survey: &survey,
        ..s
    };
    try_store_new(st, &again)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: "survey_changed",
            message: "the survey changed while the response was being stored; try again".into(),
        })
}

/// One attempt of [`store_new`]; `None` when the survey no longer takes this response.
async fn try_store_new(st: &AppState, s: &Submission<'_>) -> Result<Option<Stored>, ApiError> {
    let meta = s.survey.validate_meta(&s.meta);
    let answers = s
        .survey
        .validate_answers(&s.answers, s.completion, "answers");
    let (meta, answers) = match (meta, answers) {
        (Ok(m), Ok(a)) => (m, a),
        (m, a) => {
            let mut all = m.err().map(|e| e.0).unwrap_or_default();
            all.extend(a.err().map(|e| e.0).unwrap_or_default());
            return Err(ApiError::Validation(FieldErrors(all)));
        }
    };
    let now = now_ms();
    let completed = s.completion == Completion::Complete;
    let resume_token = (!completed).then(new_resume_token);
    let id = ulid::Ulid::from_parts(now as u64, rand::random()).to_string();
    let attributes = serde_json::to_string(&meta.attributes).map_err(anyhow::Error::new)?;
    let answers = answers_json(&answers);
    let op = WriteOp::Insert(NewResponse {
        id: id.clone(),
        workspace_id: s.record.workspace_id,
        survey_id: s.record.id.clone(),
        survey_version: s.record.version,
        completed,
        channel: meta.channel.as_str().to_string(),
        touchpoint: meta.touchpoint.to_string(),
        locale: meta.locale.to_string(),
        contact_external_id: meta.contact_external_id,
        contact_email: meta.contact_email,
        invitation_token: meta.invitation_token,
        idempotency_key: s.idempotency_key.clone(),
        resume_token: resume_token.clone(),
        attributes,
        answers: answers.clone(),
        created_at: now,
    });
    match st.writer.write(op).await? {
        WriteOutcome::Inserted => Ok(Some(Stored {
            id,
            completed,
            version: s.record.version,
            resume_token,
            replayed: false,
        })),
        // An API client's key may be guessable (an order number), and the submit endpoint
        // is public: the resume token of a partial response goes back only to a true retry
        // (the very answers stored), never to anyone who merely knows the key.
        WriteOutcome::Replayed(r) => Ok(Some(Stored {
            resume_token: r
                .resume_token
                .filter(|_| !r.completed && (s.key_is_secret || r.answers == answers)),
            id: r.id,
            completed: r.completed,
            version: r.survey_version,
            replayed: true,
        })),
        WriteOutcome::SurveyNotAccepting => Ok(None),
        WriteOutcome::InvitationUsed => Err(ApiError::Conflict {
            code: "invitation_already_used",
            message: "this invitation has already been answered".into(),
        }),
        other => Err(anyhow::anyhow!("unexpected outcome of an insert: {other:?}").into()),
    }
}

/// Checks a resume token against a stored partial response.
pub(crate) fn check_resume(record: &ResponseRecord, token: &str) -> Result<(), ApiError> {
    let ok = record
        .resume_token
        .as_deref()
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes())));
    if !ok {
        return Err(ApiError::NotFound("response"));
    }
    if record.completed {
        return Err(ApiError::Conflict {
            code: "response_completed",
            message: "this response is already completed".into(),
        });
    }
    Ok(())
}

/// Parses stored answers back into the input form the core validates.
pub(crate) fn stored_answers(record: &ResponseRecord) -> Result<BTreeMap<String, Value>, ApiError> {
    let json: serde_json::Value =
        serde_json::from_str(&record.answers).map_err(anyhow::Error::new)?;
    match convert::from_json(&json) {
        Value::Map(m) => Ok(m),
        _ => Err(anyhow::anyhow!("stored answers of {} are not an object", record.id).into()),
    }
}

/// Validates merged answers of a partial response and stores them with a revision check.
pub(crate) async fn store_update(
    st: &AppState,
    record: &ResponseRecord,
    survey: &Survey,
    merged: &BTreeMap<String, Value>,
    completion: Completion,
) -> Result<(), ApiError> {
    let answers = survey
        .validate_answers(merged, completion, "answers")
        .map_err(ApiError::Validation)?;
    let op = WriteOp::Update(ResponseUpdate {
        id: record.id.clone(),
        workspace_id: record.workspace_id,
        survey_id: record.survey_id.clone(),
        expected_revision: record.revision,
        completed: completion == Completion::Complete,
        answers: answers_json(&answers),
        now: now_ms(),
    });
    match st.writer.write(op).await? {
        WriteOutcome::Updated(_) => Ok(()),
        WriteOutcome::RevisionConflict => Err(ApiError::Conflict {
            code: "revision_conflict",
            message: "the response changed meanwhile; read it and try again".into(),
        }),
        WriteOutcome::NotFound => Err(ApiError::NotFound("response")),
        WriteOutcome::SurveyNotAccepting => {
            // This node's view of the survey was stale: say what the database says.
            st.forget_survey(&record.survey_id);
            open_survey(st, &record.survey_id).await?;
            Err(ApiError::Conflict {
                code: "survey_changed",
                message: "the survey changed while the answers were being saved; try again".into(),
            })
        }
        other => Err(anyhow::anyhow!("unexpected outcome of an update: {other:?}").into()),
    }
}

fn object<'a>(body: &'a Value, known: &[&str]) -> Result<&'a BTreeMap<String, Value>, ApiError> {
    let Value::Map(m) = body else {
        return Err(ApiError::bad_request(
            "invalid_body",
            "the body must be a JSON object",
        ));
    };
    let unknown: Vec<puls_core::FieldError> = m
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| puls_core::FieldError {
            path: k.clone(),
            kind: puls_core::FieldErrorKind::UnknownField,
        })
        .collect();
    if unknown.is_empty() {
        Ok(m)
    } else {
        Err(ApiError::Validation(FieldErrors(unknown)))
    }
}

fn answers_of(
    m: &BTreeMap<String, Value>,
    required: bool,
) -> Result<BTreeMap<String, Value>, ApiError> {
    match m.get("answers") {
        Some(Value::Map(a)) => Ok(a.clone()),
        None | Some(Value::Null) if !required => Ok(BTreeMap::new()),
        other => Err(ApiError::Validation(FieldErrors(vec![
            puls_core::FieldError {
                path: "answers".into(),
                kind: if other.is_none() {
                    puls_core::FieldErrorKind::Required
                } else {
                    puls_core::FieldErrorKind::WrongType {
                        expected: Expected::Answers,
                    }
                },
            },
        ]))),
    }
}

fn completed_flag(m: &BTreeMap<String, Value>, default: bool) -> Result<Completion, ApiError> {
    let done = match m.get("completed") {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::Validation(FieldErrors(vec![
                puls_core::FieldError {
                    path: "completed".into(),
                    kind: puls_core::FieldErrorKind::WrongType {
                        expected: Expected::Boolean,
                    },
                },
            ])));
        }
    };
    Ok(if done {
        Completion::Complete
    } else {
        Completion::Partial
    })
}

/// Submit a response to a published survey. No API key needed.
///
/// Send `Idempotency-Key` to make retries safe: a repeated key returns the stored response
/// with status 200 instead of storing it twice. A 2xx means the response is committed.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "responses",
    params(("id" = String, Path, description = "Survey id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 200 characters; a retry with the same key is stored once")),
    request_body = SubmitResponse,
    responses(
        (status = 201, description = "Stored", body = SubmitResult),
        (status = 200, description = "Already stored under this Idempotency-Key", body = SubmitResult),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Survey closed or invitation already used", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn submit_response(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<SubmitResult>), ApiError> {
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => match v.to_str() {
            Ok(k) if !k.trim().is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY => {
                Some(k.trim().to_string())
            }
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_idempotency_key",
                    format!(
                        "Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} visible ASCII characters"
                    ),
                ));
            }
        },
    };
    let body = convert::from_json(&body);
    let m = object(
        &body,
        &[
            "answers",
            "completed",
            "channel",
            "touchpoint",
            "locale",
            "contact",
            "invitation_token",
            "attributes",
        ],
    )?;
    let answers = answers_of(m, true)?;
    let completion = completed_flag(m, true)?;
    let record = open_survey(&st, &id).await?;
    let survey: Arc<Survey> = st.survey_version(&record, record.version).await?;
    let stored = store_new(
        &st,
        Submission {
            record: &record,
            survey: &survey,
            answers,
            completion,
            meta: ResponseMetaInput {
                channel: m.get("channel"),
                touchpoint: m.get("touchpoint"),
                locale: m.get("locale"),
                contact: m.get("contact"),
                invitation_token: m.get("invitation_token"),
                attributes: m.get("attributes"),
            },
            idempotency_key,
            key_is_secret: false,
        },
    )
    .await?;
    let status = if stored.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(SubmitResult {
            id: stored.id,
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
    responses((status = 200, body = SubmitResult), (status = 404, body = ErrorBody),
        (status = 409, description = "Completed already, survey closed, or changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn continue_response(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Json<SubmitResult>, ApiError> {
    let body = convert::from_json(&body);
    let m = object(&body, &["answers", "completed", "resume_token"])?;
    let token = headers
        .get("x-resume-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| m.get("resume_token").and_then(Value::as_str))
        .ok_or(ApiError::NotFound("response"))?
        .to_string();
    let new_answers = answers_of(m, false)?;
    let completion = completed_flag(m, false)?;
    let record = st
        .store
        .get_response_public(&id)
        .await?
        .ok_or(ApiError::NotFound("response"))?;
    check_resume(&record, &token)?;
    let survey_record = open_survey(&st, &record.survey_id).await?;
    let survey = st
        .survey_version(&survey_record, record.survey_version)
        .await?;
    let mut merged = stored_answers(&record)?;
    for (k, v) in new_answers {
        if matches!(v, Value::Null) {
            merged.remove(&k);
        } else {
            merged.insert(k, v);
        }
    }
    store_update(&st, &record, &survey, &merged, completion).await?;
    let completed = completion == Completion::Complete;
    Ok(Json(SubmitResult {
        id: record.id,
        status: status_name(completed).into(),
        survey_version: record.survey_version,
        resume_token: (!completed).then_some(token),
    }))
}

/// List responses, newest first, with filters and cursor pagination.
#[utoipa::path(get, path = "/api/v1/responses", tag = "responses",
    params(ResponseQuery),
    responses((status = 200, body = ResponsePage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn list_responses(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<ResponseQuery>,
) -> Result<Json<ResponsePage>, ApiError> {
    if q.format.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "format: only the export endpoint takes a format",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "limit: must be between 1 and 1000",
        ));
    }
    let filter = q.filter()?;
    let search = q.q.as_deref().and_then(TextSearch::new);
    let found = crate::search::find(&st, ws.id, filter, search.as_ref(), limit as usize).await?;
    Ok(Json(ResponsePage {
        items: found.rows.iter().map(ResponseDto::from_record).collect(),
        next_cursor: found.next,
    }))
}

/// Get one response.
#[utoipa::path(get, path = "/api/v1/responses/{id}", tag = "responses",
    params(("id" = String, Path, description = "Response id")),
    responses((status = 200, body = ResponseDto), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn get_response(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(id): Path<String>,
) -> Result<Json<ResponseDto>, ApiError> {
    let r = st
        .store
        .get_response(ws.id, &id)
        .await?
        .ok_or(ApiError::NotFound("response"))?;
    Ok(Json(ResponseDto::from_record(&r)))
}

/// Export responses as CSV (default) or NDJSON, streamed in constant memory.
///
/// With `survey=ID`, the CSV has one column per question (per row for matrices, per side for
/// Kano, per field for contact); otherwise answers are one JSON column.
#[utoipa::path(get, path = "/api/v1/responses/export", tag = "responses",
    params(ResponseQuery),
    responses((status = 200, description = "CSV or NDJSON", content_type = "text/csv"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn export_responses(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Query(q): Query<ResponseQuery>,
) -> Result<Response, ApiError> {
    if q.cursor.is_some() || q.limit.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "cursor, limit: an export streams everything that matches",
        ));
    }
    let filter: ResponseFilter = q.filter()?;
    let search = q.q.as_deref().and_then(TextSearch::new);
    let survey = match &filter.survey_id {
        Some(id) => {
            let r = st
                .store
                .get_survey(ws.id, id)
                .await?
                .ok_or(ApiError::NotFound("survey"))?;
            Some(st.survey_version(&r, r.version).await?)
        }
        None => None,
    };
    let (content_type, ext, stream) = match q.format.as_deref().unwrap_or("csv") {
        "csv" => (
            "text/csv; charset=utf-8",
            "csv",
            Body::from_stream(export::csv(st.clone(), ws.id, filter, search, survey)),
        ),
        "ndjson" => (
            "application/x-ndjson",
            "ndjson",
            Body::from_stream(export::ndjson(st.clone(), ws.id, filter, search)),
        ),
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("format: '{other}' is not one of csv, ndjson"),
            ));
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"responses.{ext}\""),
            ),
        ],
        stream,
    )
        .into_response())
}
