//! Surveys and their versions: create from a definition, read (any version), list, replace
//! (a new version), publish, close, delete; and each node's caches of survey records and
//! parsed versions, which spare every submission and page a database read.
//!
//! Nothing cached is the only copy of anything: parsed versions are immutable (keyed by
//! survey id, creation time and version, so a survey deleted and created again under the
//! same id is another survey), and a record is trusted for [`RECORD_TTL`] only. Writes never
//! trust it: the writing transaction checks the survey again (`SurveyNotAccepting`), and a
//! refusal is always read fresh, so a survey published again on another node is never
//! refused here. Changes made through this node are seen on it at once; another node's
//! pages show them within `RECORD_TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use puls_core::{Survey, Value};
use puls_core::{SurveyId, WorkspaceId};
use puls_store::json::JsonText;
use puls_store::{NewSurvey, SurveyRecord, SurveyStatus, SurveyUpdate};

use crate::error::{AppError, Rejection};
use crate::{App, now_ms};

/// Parsed survey versions kept at most; versions never change, so entries never go stale.
const SURVEY_CACHE_SIZE: usize = 10_000;

/// How long a node trusts the survey record it read (status, current version).
pub const RECORD_TTL: Duration = Duration::from_secs(2);

/// A node's survey records and parsed versions.
#[derive(Default)]
pub(crate) struct SurveyCache {
    /// Parsed versions by (survey id, survey creation time, version).
    versions: RwLock<HashMap<(SurveyId, i64, i64), Arc<Survey>>>,
    /// Survey records by id, as read within the last [`RECORD_TTL`].
    records: RwLock<HashMap<SurveyId, (Arc<SurveyRecord>, Instant)>>,
}

/// Parses a definition and returns it with its canonical JSON text.
fn parse_definition(v: &Value) -> Result<(Survey, JsonText), AppError> {
    let survey = Survey::parse(v).map_err(AppError::Validation)?;
    let text = JsonText::encode(&survey.to_value());
    Ok((survey, text))
}

/// A new random survey id: 10 lowercase letters and digits, easy to read from print.
fn new_survey_id() -> Result<SurveyId, AppError> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let id: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    SurveyId::parse(&id).map_err(|e| anyhow::anyhow!("a new survey id: {e}").into())
}

/// Refuses a survey that is not published: 409 `survey_not_published` for a draft ("publish
/// it before {doing}"), `survey_closed` when closed.
pub(crate) fn require_published(
    record: &puls_store::SurveyRecord,
    doing: &str,
) -> Result<(), AppError> {
    match record.status {
        puls_store::SurveyStatus::Published => Ok(()),
        puls_store::SurveyStatus::Draft => Err(AppError::rejected(
            crate::Rejection::SurveyNotPublished,
            format!("the survey is a draft: publish it before {doing}"),
        )),
        puls_store::SurveyStatus::Closed => Err(AppError::rejected(
            crate::Rejection::SurveyClosed,
            "this survey is closed and accepts no more responses",
        )),
    }
}

impl App {
    /// Creates a survey from a definition: with `id` when given (the demo uses readable
    /// ids), else a new random one.
    #[tracing::instrument(skip(self, def), err(level = "debug"))]
    pub async fn create_survey(
        &self,
        workspace_id: WorkspaceId,
        def: &Value,
        id: Option<&SurveyId>,
        status: SurveyStatus,
    ) -> Result<SurveyRecord, AppError> {
        let (survey, text) = parse_definition(def)?;
        let title = survey
            .title
            .get(&survey.default_locale, &survey.default_locale);
        let id = match id {
            Some(id) => id.clone(),
            None => new_survey_id()?,
        };
        Ok(self
            .0
            .store
            .create_survey(NewSurvey {
                id: &id,
                workspace_id,
                status,
                title,
                touchpoint: survey.touchpoint.as_str(),
                definition: &text,
                now: now_ms(),
            })
            .await?)
    }

    /// The workspace's surveys, newest first.
    #[tracing::instrument(skip(self))]
    pub async fn surveys(&self, workspace_id: WorkspaceId) -> Result<Vec<SurveyRecord>, AppError> {
        Ok(self.0.store.list_surveys(workspace_id).await?)
    }

    /// A survey of the workspace with its current definition, or the definition of
    /// `version` when given.
    #[tracing::instrument(skip(self))]
    pub async fn survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        version: Option<i64>,
    ) -> Result<SurveyRecord, AppError> {
        let mut record = self
            .0
            .store
            .get_survey(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("survey"))?;
        if let Some(v) = version.filter(|v| *v != record.version) {
            record.definition = self
                .0
                .store
                .survey_definition(id, v)
                .await?
                .ok_or(AppError::NotFound("survey version"))?;
            record.version = v;
        }
        Ok(record)
    }

    /// Replaces the definition: a new version, which becomes current. Responses keep the
    /// version they answered.
    #[tracing::instrument(skip(self, def), err(level = "debug"))]
    pub async fn update_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        def: &Value,
    ) -> Result<SurveyRecord, AppError> {
        let (survey, text) = parse_definition(def)?;
        let title = survey
            .title
            .get(&survey.default_locale, &survey.default_locale);
        let record = self
            .0
            .store
            .update_survey(
                workspace_id,
                id,
                SurveyUpdate {
                    title,
                    touchpoint: survey.touchpoint.as_str(),
                    definition: &text,
                    now: now_ms(),
                },
            )
            .await?;
        self.forget_survey(id);
        record.ok_or(AppError::NotFound("survey"))
    }

    /// Publishes or closes a survey (or takes it back to draft).
    #[tracing::instrument(skip(self))]
    pub async fn set_survey_status(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
        status: SurveyStatus,
    ) -> Result<SurveyRecord, AppError> {
        let record = self
            .0
            .store
            .set_survey_status(workspace_id, id, status, now_ms())
            .await?;
        self.forget_survey(id);
        record.ok_or(AppError::NotFound("survey"))
    }

    /// Deletes a survey with all its versions and responses.
    #[tracing::instrument(skip(self))]
    pub async fn delete_survey(
        &self,
        workspace_id: WorkspaceId,
        id: &SurveyId,
    ) -> Result<(), AppError> {
        let deleted = self.0.store.delete_survey(workspace_id, id).await?;
        self.forget_survey(id);
        if deleted {
            Ok(())
        } else {
            Err(AppError::NotFound("survey"))
        }
    }

    /// A published survey by id, or the error a respondent should see.
    pub async fn open_survey(&self, id: &SurveyId) -> Result<Arc<SurveyRecord>, AppError> {
        let mut record = self
            .survey_record(id)
            .await?
            .ok_or(AppError::NotFound("survey"))?;
        // Only "published" is taken from the cache: a refusal is always read fresh, so a
        // survey published again on another node is never refused here.
        if record.status != SurveyStatus::Published {
            self.forget_survey(id);
            record = self
                .survey_record(id)
                .await?
                .ok_or(AppError::NotFound("survey"))?;
        }
        match record.status {
            SurveyStatus::Published => Ok(record),
            SurveyStatus::Draft => Err(AppError::NotFound("survey")),
            SurveyStatus::Closed => Err(AppError::rejected(
                Rejection::SurveyClosed,
                "this survey is closed and accepts no more responses",
            )),
        }
    }

    /// A survey by id (any workspace), from this node's short-lived cache or the store.
    pub async fn survey_record(
        &self,
        id: &SurveyId,
    ) -> Result<Option<Arc<SurveyRecord>>, AppError> {
        let cache = &self.0.surveys;
        if let Some((r, at)) = cache.records.read().ok().and_then(|m| m.get(id).cloned())
            && at.elapsed() < RECORD_TTL
        {
            return Ok(Some(r));
        }
        let Some(r) = self.0.store.get_survey_public(id).await? else {
            self.forget_survey(id);
            return Ok(None);
        };
        let r = Arc::new(r);
        if let Ok(mut m) = cache.records.write() {
            if m.len() >= SURVEY_CACHE_SIZE {
                m.clear();
            }
            m.insert(id.clone(), (r.clone(), Instant::now()));
        }
        Ok(Some(r))
    }

    /// Drops this node's cached record of a survey, after a change or a refused write.
    pub fn forget_survey(&self, id: &SurveyId) {
        if let Ok(mut m) = self.0.surveys.records.write() {
            m.remove(id);
        }
    }

    /// The parsed definition of one version of the survey `record`, from the cache or the
    /// store (no round trip when `record` holds that very version).
    pub async fn survey_version(
        &self,
        record: &SurveyRecord,
        version: i64,
    ) -> Result<Arc<Survey>, AppError> {
        let id = &record.id;
        let key = (record.id.clone(), record.created_at, version);
        let cache = &self.0.surveys;
        if let Some(s) = cache
            .versions
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(s);
        }
        let stored;
        let definition = match record.version == version {
            true => &record.definition,
            false => {
                stored = self
                    .0
                    .store
                    .survey_definition(id, version)
                    .await?
                    .ok_or(AppError::NotFound("survey version"))?;
                &stored
            }
        };
        let survey = Arc::new(
            Survey::parse(definition)
                .map_err(anyhow::Error::new)
                .with_context(|| {
                    format!("stored definition of survey {id} v{version} is invalid")
                })?,
        );
        if let Ok(mut m) = cache.versions.write() {
            if m.len() >= SURVEY_CACHE_SIZE {
                m.clear();
            }
            m.insert(key, survey.clone());
        }
        Ok(survey)
    }
}
