//! `GET /api/v1/drivers`: key-driver analysis of an outcome question on candidate driver
//! questions (`puls_core::drivers`: Shapley decomposition of R², pairwise correlations with
//! a listwise fallback, importance × performance quadrants).

use puls_core::WorkspaceId;
use puls_core::drivers::{self, Driver, DriverError, Excluded, MissingData, Quadrant, Scale};
use puls_core::{QuestionKind, Survey};
use puls_index::QuestionKey;

use super::Analytics;
use super::params::{Scope, index_error};
use crate::error::{AppError, Rejection};

/// A parsed driver request.
#[derive(Debug, Clone)]
pub struct DriversRequest {
    pub outcome: QuestionKey,
    pub drivers: Vec<QuestionKey>,
    pub scope: Scope,
}

/// One driver's result (see the API's `DriverDto` for each field).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverResult {
    pub key: String,
    /// Shapley share of the model R², in R² units.
    pub importance: f64,
    /// `importance` in percent of the model R²; `None` when R² is 0.
    pub share: Option<f64>,
    pub correlation: Option<f64>,
    /// Mean answer rescaled to 0–100.
    pub performance: Option<f64>,
    /// Respondents answering both the outcome and this driver.
    pub n: usize,
    /// `None` when excluded. Drivers whose importance intervals overlap share the
    /// importance side.
    pub quadrant: Option<Quadrant>,
    pub excluded: Option<Excluded>,
    /// Bootstrap intervals of `importance` and `share` at the report's confidence.
    pub importance_ci: Option<(f64, f64)>,
    pub share_ci: Option<(f64, f64)>,
}

/// A key-driver analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct DriversReport {
    pub outcome: String,
    pub from_ms: i64,
    pub to_ms: i64,
    /// Respondents who answered the outcome.
    pub n: usize,
    /// Respondents who answered every driver in the model.
    pub n_complete: usize,
    /// `n_complete` is below the minimum sample size: the model rests on the respondents
    /// who answered every driver, however many answered the outcome.
    pub small_sample: bool,
    pub r_squared: f64,
    pub method: MissingData,
    pub mean_importance: f64,
    pub mean_performance: f64,
    pub drivers: Vec<DriverResult>,
}

impl Analytics {
    pub async fn drivers(
        &self,
        workspace_id: WorkspaceId,
        req: DriversRequest,
    ) -> Result<DriversReport, AppError> {
        let surveys = self.current_surveys(workspace_id).await?;
        let in_scope = |id: &String| req.scope.surveys.is_empty() || req.scope.surveys.contains(id);
        let scale_of = |key: &QuestionKey, field: &str| -> Result<Scale, AppError> {
            surveys
                .iter()
                .filter(|(id, _)| in_scope(id))
                .find_map(|(_, s)| key_scale(s, key))
                .and_then(|(lo, hi)| Scale::new(lo as f64, hi as f64).ok())
                .ok_or_else(|| {
                    AppError::rejected(Rejection::UnknownQuestion,
                        format!("{field}: no survey in scope has a rating question or matrix row '{key}'"),
                    )
                })
        };
        scale_of(&req.outcome, "outcome")?;
        let specs = req
            .drivers
            .iter()
            .map(|k| Ok(Driver::new(k.to_string(), scale_of(k, "drivers")?)))
            .collect::<Result<Vec<_>, AppError>>()?;
        let ws = self.fresh(workspace_id).await?;
        let mut req = req;
        self.bind_segments(workspace_id, &mut req.scope, &ws)
            .await?;
        tokio::task::spawn_blocking(move || {
            let s = &req.scope;
            let rows = ws
                .read()
                .driver_rows(
                    &req.outcome,
                    &req.drivers,
                    &s.filters_for(s.from_ms, s.to_ms),
                )
                .map_err(index_error)?;
            let boot = drivers::Bootstrap {
                confidence: s.options.confidence.level(),
                ..drivers::Bootstrap::default()
            };
            let a = drivers::analyze_with_intervals(&specs, &rows, &boot).map_err(driver_error)?;
            Ok(DriversReport {
                outcome: req.outcome.to_string(),
                from_ms: s.from_ms,
                to_ms: s.to_ms,
                n: a.n_rows,
                n_complete: a.n_complete,
                small_sample: (a.n_complete as u64) < s.options.min_n,
                r_squared: a.r_squared,
                method: a.method,
                mean_importance: a.mean_importance,
                mean_performance: a.mean_performance,
                drivers: a
                    .drivers
                    .into_iter()
                    .map(|d| DriverResult {
                        key: d.name,
                        importance: d.importance,
                        share: d.share,
                        correlation: d.correlation,
                        performance: d.performance,
                        n: d.n,
                        quadrant: d.quadrant,
                        excluded: d.excluded,
                        importance_ci: d.importance_ci,
                        share_ci: d.share_ci,
                    })
                    .collect(),
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("drivers thread: {e}"))?
    }
}

/// The scale of a score question or matrix row in `survey`.
fn key_scale(survey: &Survey, key: &QuestionKey) -> Option<(i64, i64)> {
    let q = survey.question(&key.question)?;
    match (&key.row, &q.kind) {
        (None, kind) => kind.score_range(),
        (Some(row), QuestionKind::Matrix { rows, scale, .. }) => rows
            .iter()
            .any(|r| &r.id == row)
            .then_some((scale.min, scale.max)),
        _ => None,
    }
}

fn driver_error(e: DriverError) -> AppError {
    let why = match e {
        DriverError::ConstantOutcome => Rejection::ConstantOutcome,
        DriverError::TooFewRows { .. } => Rejection::TooFewResponses,
        _ => Rejection::InvalidDrivers,
    };
    AppError::rejected(why, e.to_string())
}
