//! `GET /api/v1/drivers`: key-driver analysis of an outcome question on candidate driver
//! questions (`puls_core::drivers`: Shapley decomposition of R², pairwise correlations with
//! a listwise fallback, importance × performance quadrants).

use puls_core::drivers::{self, Driver, DriverError, MissingData, Scale};
use puls_core::{QuestionKind, Survey};
use puls_index::QuestionKey;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::Analytics;
use super::metrics::parse_key;
use super::params::{Params, Scope, index_error, invalid};
use crate::AnalyticsConfig;
use crate::dto::format_ms;
use crate::error::ApiError;

/// A parsed driver request.
#[derive(Debug, Clone)]
pub struct DriversRequest {
    pub outcome: QuestionKey,
    pub drivers: Vec<QuestionKey>,
    pub scope: Scope,
}

impl DriversRequest {
    pub fn parse(
        p: &mut Params,
        config: &AnalyticsConfig,
        now_ms: i64,
    ) -> Result<DriversRequest, ApiError> {
        let outcome = p
            .one("outcome")?
            .ok_or_else(|| invalid("outcome: required (QUESTION or QUESTION.ROW)".into()))
            .and_then(|s| parse_key(&s, "outcome"))?;
        let drivers = p
            .list("drivers")
            .iter()
            .map(|s| parse_key(s, "drivers"))
            .collect::<Result<Vec<_>, _>>()?;
        if drivers.is_empty() {
            return Err(invalid("drivers: name at least one question".into()));
        }
        if drivers.len() > drivers::MAX_DRIVERS {
            return Err(invalid(format!(
                "drivers: at most {} drivers",
                drivers::MAX_DRIVERS
            )));
        }
        if drivers.contains(&outcome) {
            return Err(invalid(
                "drivers: the outcome cannot be its own driver".into(),
            ));
        }
        let scope = Scope::parse(p, config, now_ms)?;
        Ok(DriversRequest {
            outcome,
            drivers,
            scope,
        })
    }
}

/// The documented parameters of `GET /api/v1/drivers` besides the shared ones.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DriversParams {
    /// The outcome question: `QUESTION` or `QUESTION.ROW` (an NPS or any rating).
    pub outcome: String,
    /// Candidate drivers, comma-separated (1 to 15 rating questions or matrix rows).
    pub drivers: String,
}

/// One driver's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DriverDto {
    pub key: String,
    /// Shapley share of the model R², in R² units.
    pub importance: f64,
    /// `importance` in percent of the model R² (drivers sum to 100); `null` when R² is 0.
    pub share: Option<f64>,
    /// Pearson correlation with the outcome (gives the direction importance lacks).
    pub correlation: Option<f64>,
    /// Mean answer rescaled to 0–100 by the driver's scale.
    pub performance: Option<f64>,
    /// Respondents answering both the outcome and this driver.
    pub n: usize,
    /// `fix_first`, `keep_up`, `maintain` or `lower_priority`; `null` when excluded.
    pub quadrant: Option<String>,
    /// Why it was left out of the model: `no_answers` or `constant`.
    pub excluded: Option<String>,
}

/// The answer of `GET /api/v1/drivers`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DriversReport {
    pub outcome: String,
    pub from: String,
    pub to: String,
    /// Respondents who answered the outcome.
    pub n: usize,
    /// Respondents who answered every driver in the model.
    pub n_complete: usize,
    /// `n` is below `min_n`.
    pub small_sample: bool,
    /// R² of the model with every driver.
    pub r_squared: f64,
    /// `pairwise` or `listwise` (when the pairwise correlation matrix was not positive
    /// semidefinite).
    pub method: String,
    /// The quadrant split: mean importance and mean performance of the drivers in the model.
    pub mean_importance: f64,
    pub mean_performance: f64,
    pub drivers: Vec<DriverDto>,
}

impl Analytics {
    pub async fn drivers(
        &self,
        workspace_id: i64,
        req: DriversRequest,
    ) -> Result<DriversReport, ApiError> {
        let surveys = self.current_surveys(workspace_id).await?;
        let in_scope = |id: &String| req.scope.surveys.is_empty() || req.scope.surveys.contains(id);
        let scale_of = |key: &QuestionKey, field: &str| -> Result<Scale, ApiError> {
            surveys
                .iter()
                .filter(|(id, _)| in_scope(id))
                .find_map(|(_, s)| key_scale(s, key))
                .and_then(|(lo, hi)| Scale::new(lo as f64, hi as f64).ok())
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "unknown_question",
                        format!("{field}: no survey in scope has a rating question or matrix row '{key}'"),
                    )
                })
        };
        scale_of(&req.outcome, "outcome")?;
        let specs = req
            .drivers
            .iter()
            .map(|k| Ok(Driver::new(k.to_string(), scale_of(k, "drivers")?)))
            .collect::<Result<Vec<_>, ApiError>>()?;
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
            let a = drivers::analyze(&specs, &rows).map_err(driver_error)?;
            Ok(DriversReport {
                outcome: req.outcome.to_string(),
                from: format_ms(s.from_ms),
                to: format_ms(s.to_ms),
                n: a.n_rows,
                n_complete: a.n_complete,
                small_sample: (a.n_rows as u64) < s.options.min_n,
                r_squared: a.r_squared,
                method: match a.method {
                    MissingData::Pairwise => "pairwise",
                    MissingData::Listwise => "listwise",
                }
                .into(),
                mean_importance: a.mean_importance,
                mean_performance: a.mean_performance,
                drivers: a
                    .drivers
                    .into_iter()
                    .map(|d| DriverDto {
                        key: d.name,
                        importance: d.importance,
                        share: d.share,
                        correlation: d.correlation,
                        performance: d.performance,
                        n: d.n,
                        quadrant: d.quadrant.map(|q| q.as_str().into()),
                        excluded: d.excluded.map(|e| {
                            match e {
                                drivers::Excluded::NoAnswers => "no_answers",
                                drivers::Excluded::Constant => "constant",
                            }
                            .into()
                        }),
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

fn driver_error(e: DriverError) -> ApiError {
    let code = match e {
        DriverError::ConstantOutcome => "constant_outcome",
        DriverError::TooFewRows { .. } => "too_few_responses",
        _ => "invalid_drivers",
    };
    ApiError::unprocessable(code, e.to_string())
}
