//! `GET /api/v1/surveys/{id}/kano`: each Kano question of a survey classified with the Kano
//! evaluation table, with category shares, the dominant category, its strength and the
//! Better/Worse coefficients (`puls_core::kano`).

use puls_core::QuestionKind;
use puls_core::WorkspaceId;
use puls_core::kano::KanoCategory;
use puls_index::Filter;

use super::Analytics;
use super::params::{Scope, index_error};
use crate::error::AppError;

/// Category shares in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct KanoShares {
    pub attractive: f64,
    pub one_dimensional: f64,
    pub must_be: f64,
    pub indifferent: f64,
    pub reverse: f64,
    pub questionable: f64,
}

/// One Kano feature's summary (see the API's `KanoFeature` for each field).
#[derive(Debug, Clone, PartialEq)]
pub struct KanoFeature {
    pub question: String,
    /// The feature's text in the survey's default language.
    pub feature: String,
    /// Respondents who answered both halves.
    pub n: u64,
    pub small_sample: bool,
    /// `None` without answers.
    pub shares: Option<KanoShares>,
    pub dominant: Option<KanoCategory>,
    pub category_strength: Option<f64>,
    pub better: Option<f64>,
    pub worse: Option<f64>,
}

/// The Kano summary of a survey.
#[derive(Debug, Clone, PartialEq)]
pub struct KanoReport {
    pub survey: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub features: Vec<KanoFeature>,
}

impl Analytics {
    pub async fn kano(
        &self,
        workspace_id: WorkspaceId,
        survey_id: &str,
        scope: Scope,
    ) -> Result<KanoReport, AppError> {
        let surveys = self.current_surveys(workspace_id).await?;
        let survey = surveys
            .get(survey_id)
            .cloned()
            .ok_or(AppError::NotFound("survey"))?;
        let ws = self.fresh(workspace_id).await?;
        let mut scope = scope;
        self.bind_segments(workspace_id, &mut scope, &ws).await?;
        let id = survey_id.to_string();
        tokio::task::spawn_blocking(move || {
            let index = ws.read();
            let mut filters = scope.filters_for(scope.from_ms, scope.to_ms);
            filters.push(Filter::Surveys(vec![id.clone()]));
            let mut features = Vec::new();
            for q in survey
                .questions
                .iter()
                .filter(|q| matches!(q.kind, QuestionKind::Kano { .. }))
            {
                let tally = index
                    .kano(&q.id, &filters, &[])
                    .map_err(index_error)?
                    .into_iter()
                    .map(|(_, t)| t)
                    .next()
                    .unwrap_or_default();
                let share = |c| tally.share(c).unwrap_or(0.0);
                features.push(KanoFeature {
                    question: q.id.to_string(),
                    feature: q
                        .text
                        .get(&survey.default_locale, &survey.default_locale)
                        .to_string(),
                    n: tally.n(),
                    small_sample: tally.is_small_sample(scope.options.min_n),
                    shares: (tally.n() > 0).then(|| KanoShares {
                        attractive: share(KanoCategory::Attractive),
                        one_dimensional: share(KanoCategory::OneDimensional),
                        must_be: share(KanoCategory::MustBe),
                        indifferent: share(KanoCategory::Indifferent),
                        reverse: share(KanoCategory::Reverse),
                        questionable: share(KanoCategory::Questionable),
                    }),
                    dominant: tally.dominant(),
                    category_strength: tally.category_strength(),
                    better: tally.better(),
                    worse: tally.worse(),
                });
            }
            Ok(KanoReport {
                survey: id,
                from_ms: scope.from_ms,
                to_ms: scope.to_ms,
                features,
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("kano thread: {e}"))?
    }
}
