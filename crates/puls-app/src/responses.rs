//! Responses: submitting a new one (validated against the survey version the database says
//! is current, stored through the group-commit writer), continuing a partial one with its
//! resume token, and reading them back.
//!
//! A submission is validated against this node's cached view of the survey; the writing
//! transaction checks the survey again. When the writer finds the survey changed since it
//! was read (closed, or a newer version current), or validation failed against a version
//! that may be stale, the survey is read fresh and the submission validated and written
//! once more against what the database now says.

use std::collections::BTreeMap;
use std::sync::Arc;

use puls_core::response::answers_to_value;
use puls_core::{Completion, FieldErrors, ResponseMetaInput, Survey, Value};
use puls_core::{ResponseId, SurveyId, WorkspaceId};
use puls_store::json::{JsonMap, JsonText};
use puls_store::{
    NewResponse, ResponseRecord, ResponseUpdate, SurveyRecord, WriteOp, WriteOutcome,
};
use subtle::ConstantTimeEq;

use crate::error::{AppError, Rejection};
use crate::{App, now_ms};

/// Longest accepted idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// A new response to store, not yet validated.
pub struct Submission<'a> {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: ResponseId,
    pub completed: bool,
    pub version: i64,
    pub resume_token: Option<String>,
    /// True when an earlier submission with the same idempotency key was returned.
    pub replayed: bool,
}

/// A random token for continuing a partial response.
fn new_resume_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::rng().random();
    hex::encode(bytes)
}

/// Validated answers as the stored object.
fn answers_map(answers: &puls_core::Answers) -> JsonMap {
    match answers_to_value(answers) {
        Value::Map(m) => m,
        _ => JsonMap::new(),
    }
}

impl App {
    /// Validates and stores a new response; returns once it is committed.
    #[tracing::instrument(skip_all, fields(survey = %s.record.id), err(level = "debug"))]
    pub async fn submit(&self, s: Submission<'_>) -> Result<Stored, AppError> {
        match self.try_submit(&s).await {
            Ok(Some(stored)) => return Ok(stored),
            // The writer refused: the survey changed after this node read it.
            Ok(None) => self.forget_survey(&s.record.id),
            // Perhaps validated against a version this node cached before a newer one.
            Err(AppError::Validation(errors)) => {
                self.forget_survey(&s.record.id);
                let fresh = self.open_survey(&s.record.id).await?;
                if fresh.version == s.record.version {
                    return Err(AppError::Validation(errors));
                }
            }
            Err(e) => return Err(e),
        }
        let record = self.open_survey(&s.record.id).await?;
        let survey = self.survey_version(&record, record.version).await?;
        let again = Submission {
            record: &record,
            survey: &survey,
            ..s
        };
        self.try_submit(&again).await?.ok_or_else(|| {
            AppError::rejected(
                Rejection::SurveyChanged,
                "the survey changed while the response was being stored; try again",
            )
        })
    }

    /// One attempt of [`App::submit`]; `None` when the survey no longer takes this response.
    async fn try_submit(&self, s: &Submission<'_>) -> Result<Option<Stored>, AppError> {
        let meta = s.survey.validate_meta(&s.meta);
        let answers = s
            .survey
            .validate_answers(&s.answers, s.completion, "answers");
        let (meta, answers) = match (meta, answers) {
            (Ok(m), Ok(a)) => (m, a),
            (m, a) => {
                let mut all = m.err().map(|e| e.0).unwrap_or_default();
                all.extend(a.err().map(|e| e.0).unwrap_or_default());
                return Err(AppError::Validation(FieldErrors(all)));
            }
        };
        let now = now_ms();
        let completed = s.completion == Completion::Complete;
        let resume_token = (!completed).then(new_resume_token);
        let id = ResponseId::parse(&ulid::Ulid::from_parts(now as u64, rand::random()).to_string())
            .map_err(|e| anyhow::anyhow!("a new response id: {e}"))?;
        let attributes = JsonText::strings(&meta.attributes);
        let answers = answers_map(&answers);
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
            answers: JsonText::object(&answers),
            created_at: now,
        });
        match self.0.writer.write(op).await? {
            WriteOutcome::Inserted => {
                self.telemetry().responses_ingested(1);
                Ok(Some(Stored {
                    id,
                    completed,
                    version: s.record.version,
                    resume_token,
                    replayed: false,
                }))
            }
            // An API client's key may be guessable (an order number), and submitting is
            // public: the resume token of a partial response goes back only to a true retry
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
            WriteOutcome::InvitationUsed => Err(AppError::rejected(
                Rejection::InvitationUsed,
                "this invitation has already been answered",
            )),
            other => Err(anyhow::anyhow!("unexpected outcome of an insert: {other:?}").into()),
        }
    }

    /// A partial response by id alone, when `token` is its resume token; it must belong to
    /// `survey_id` when that is given.
    pub async fn resumable(
        &self,
        id: &ResponseId,
        token: &str,
        survey_id: Option<&SurveyId>,
    ) -> Result<ResponseRecord, AppError> {
        let r = self
            .0
            .store
            .get_response_public(id)
            .await?
            .filter(|r| survey_id.is_none_or(|s| r.survey_id == *s))
            .ok_or(AppError::NotFound("response"))?;
        check_resume(&r, token)?;
        Ok(r)
    }

    /// Validates the merged answers of a partial response and stores them with a revision
    /// check.
    #[tracing::instrument(skip_all, fields(response = %record.id), err(level = "debug"))]
    pub async fn update_response(
        &self,
        record: &ResponseRecord,
        survey: &Survey,
        merged: &BTreeMap<String, Value>,
        completion: Completion,
    ) -> Result<(), AppError> {
        let answers = survey
            .validate_answers(merged, completion, "answers")
            .map_err(AppError::Validation)?;
        let op = WriteOp::Update(ResponseUpdate {
            id: record.id.clone(),
            workspace_id: record.workspace_id,
            survey_id: record.survey_id.clone(),
            expected_revision: record.revision,
            completed: completion == Completion::Complete,
            answers: JsonText::object(&answers_map(&answers)),
            now: now_ms(),
        });
        match self.0.writer.write(op).await? {
            WriteOutcome::Updated(_) => Ok(()),
            WriteOutcome::RevisionConflict => Err(AppError::rejected(
                Rejection::RevisionConflict,
                "the response changed meanwhile; read it and try again",
            )),
            WriteOutcome::NotFound => Err(AppError::NotFound("response")),
            WriteOutcome::SurveyNotAccepting => {
                // This node's view of the survey was stale: say what the database says.
                self.forget_survey(&record.survey_id);
                self.open_survey(&record.survey_id).await?;
                Err(AppError::rejected(
                    Rejection::SurveyChanged,
                    "the survey changed while the answers were being saved; try again",
                ))
            }
            other => Err(anyhow::anyhow!("unexpected outcome of an update: {other:?}").into()),
        }
    }

    /// Adds answers to a partial response (`null` removes one) or completes it; the whole
    /// is validated against the survey version the response started on.
    pub async fn continue_response(
        &self,
        id: &ResponseId,
        token: &str,
        new_answers: BTreeMap<String, Value>,
        completion: Completion,
    ) -> Result<ResponseRecord, AppError> {
        let record = self.resumable(id, token, None).await?;
        let survey_record: Arc<SurveyRecord> = self.open_survey(&record.survey_id).await?;
        let survey = self
            .survey_version(&survey_record, record.survey_version)
            .await?;
        let mut merged = record.answers.clone();
        for (k, v) in new_answers {
            if matches!(v, Value::Null) {
                merged.remove(&k);
            } else {
                merged.insert(k, v);
            }
        }
        self.update_response(&record, &survey, &merged, completion)
            .await?;
        Ok(record)
    }

    /// Deletes one response; every node's index drops it before its next query.
    #[tracing::instrument(skip(self))]
    pub async fn delete_response(
        &self,
        workspace_id: WorkspaceId,
        id: &ResponseId,
    ) -> Result<(), AppError> {
        match self.0.store.delete_response(workspace_id, id).await? {
            true => Ok(()),
            false => Err(AppError::NotFound("response")),
        }
    }

    /// One response of the workspace.
    #[tracing::instrument(skip(self))]
    pub async fn response(
        &self,
        workspace_id: WorkspaceId,
        id: &ResponseId,
    ) -> Result<ResponseRecord, AppError> {
        self.0
            .store
            .get_response(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("response"))
    }
}

/// Checks a resume token against a stored partial response.
pub fn check_resume(record: &ResponseRecord, token: &str) -> Result<(), AppError> {
    let ok = record
        .resume_token
        .as_deref()
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes())));
    if !ok {
        return Err(AppError::NotFound("response"));
    }
    if record.completed {
        return Err(AppError::rejected(
            Rejection::ResponseCompleted,
            "this response is already completed",
        ));
    }
    Ok(())
}
