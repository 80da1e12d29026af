//! Reading comments (`POST /api/v1/text/analyze`): language, sentiment, aspects with their
//! sentiment, and emotion of up to 100 texts, offline, by the same analysis the response
//! pipeline will use; `GET /api/v1/text/status` says whether it is installed.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use puls_app::text::TextStatus;
use puls_wire::ErrorBody;
use puls_wire::surveys::{AspectDto, SentimentDto};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(analyze))
        .routes(routes!(status))
}

/// Texts to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeInput {
    /// Up to 100 texts of at most 5,000 characters.
    pub texts: Vec<String>,
    /// The language expected when a text is too short to tell: `pl`, `cs` or `en`.
    pub locale: Option<String>,
}

/// What was read in one text.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisDto {
    /// `pl`, `cs` or `en`.
    pub language: String,
    pub sentiment: SentimentDto,
    pub aspects: Vec<AspectDto>,
    /// `anger`, `joy`, `sadness`, `fear`, `surprise`, `gratitude` or `none`
    /// (experimental: less reliable than the sentiment).
    pub emotion: String,
}

/// The texts' analyses, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyzeDto {
    pub results: Vec<AnalysisDto>,
}

/// Whether text analysis is installed on this server.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextStatusDto {
    pub installed: bool,
    /// The model texts are read with.
    pub model_version: Option<String>,
    /// The model, heads and rules stored results are read with: when it changes (a new
    /// install or release), every open answer is read again in the background.
    pub analysis_version: Option<String>,
    /// Why not, for the administrator (`scripts/text-model/fetch` installs it).
    pub reason: Option<String>,
}

/// Reads texts offline: each one's language, sentiment (with its probability), the
/// aspects it is about (each with its sentiment) and its dominant emotion, in order.
/// Nothing leaves the server.
#[utoipa::path(post, path = "/api/v1/text/analyze", tag = "text",
    request_body(content = AnalyzeInput, content_type = "application/json",
        description = "`{\"texts\": [\"Kurier zgubił paczkę\"], \"locale\": \"pl\"}`"),
    responses((status = 200, body = AnalyzeDto),
        (status = 400, description = "Not JSON, or not this shape", body = ErrorBody),
        (status = 409, description = "`text_analysis_not_installed`: the server has no text model (scripts/text-model/fetch)", body = ErrorBody),
        (status = 422, description = "Too many texts (`texts`), one too long (`texts[i]`), or a language Puls does not read (`locale`)", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn analyze(
    State(st): State<AppState>,
    Auth(ws): Auth,
    body: Bytes,
) -> Result<Json<AnalyzeDto>, ApiError> {
    let input: AnalyzeInput = serde_json::from_slice(&body).map_err(ApiError::malformed_json)?;
    let results = st
        .app
        .analyze_texts(input.texts, input.locale.as_deref())
        .await?;
    Ok(Json(AnalyzeDto {
        results: results
            .into_iter()
            .map(|a| AnalysisDto {
                language: a.language.code().into(),
                sentiment: SentimentDto {
                    label: a.sentiment.label().into(),
                    score: a.score,
                },
                aspects: a
                    .aspects
                    .iter()
                    .map(|(aspect, s)| AspectDto {
                        name: aspect.name().into(),
                        sentiment: s.label().into(),
                    })
                    .collect(),
                emotion: a.emotion.name().into(),
            })
            .collect(),
    }))
}

/// Whether text analysis is installed here, and with which model.
#[utoipa::path(get, path = "/api/v1/text/status", tag = "text",
    responses((status = 200, body = TextStatusDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn status(State(st): State<AppState>, Auth(ws): Auth) -> Json<TextStatusDto> {
    Json(match st.app.text_status().await {
        TextStatus::Installed {
            model_version,
            analysis_version,
        } => TextStatusDto {
            installed: true,
            model_version: Some(model_version),
            analysis_version: Some(analysis_version),
            reason: None,
        },
        TextStatus::Unavailable { reason } => TextStatusDto {
            installed: false,
            model_version: None,
            analysis_version: None,
            reason: Some(reason),
        },
    })
}
