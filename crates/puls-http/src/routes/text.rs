//! Reading comments (`POST /api/v1/text/analyze`): language, sentiment, aspects with their
//! sentiment, and emotion of up to 100 texts, offline, by the same analysis the response
//! pipeline will use; `GET /api/v1/text/status` says whether it is installed;
//! `/api/v1/text/aspects` lists the workspace's aspects and takes its own (names in pl, cs
//! and en, keywords per language) or keywords it adds to a built-in one.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puls_app::text::TextStatus;
use puls_app::text_aspects::{AspectInput, AspectLabels, WorkspaceAspect};
use puls_wire::ErrorBody;
use puls_wire::surveys::{AspectDto, SentimentDto};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::routes::journeys::saved_status;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(analyze))
        .routes(routes!(status))
        .routes(routes!(list_aspects))
        .routes(routes!(put_aspect, delete_aspect))
}

/// An aspect's name in each language of the app.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelsDto {
    pub pl: String,
    pub cs: String,
    pub en: String,
}

/// Keywords in each language. A keyword is words matched on consecutive words of a
/// comment, with the comment's diacritics optional: `word` (the same stem: "dostawa" meets
/// "dostawę"), `word*` (a prefix), `=word` (exactly), `#` (a number), `-word` (not when
/// this word stands near), `+word` (only when it does), `!word` (not a word that also
/// matches this). Written in the language's own spelling.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct KeywordsDto {
    pub pl: Vec<String>,
    pub cs: Vec<String>,
    pub en: Vec<String>,
}

/// What a workspace says about an aspect.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AspectInputDto {
    /// Required for the workspace's own aspect; not given for a built-in one.
    pub labels: Option<LabelsDto>,
    /// At least one for an own aspect; for a built-in one, added to Puls's keywords.
    #[serde(default)]
    pub keywords: KeywordsDto,
}

/// One aspect of the workspace's taxonomy.
#[derive(Debug, Serialize, ToSchema)]
pub struct AspectDefDto {
    /// As the API names it in results and filters (`delivery`, `parking`).
    pub name: String,
    /// One of the nine built-in aspects.
    pub builtin: bool,
    /// The workspace's own aspect's names (a built-in one is named by Puls).
    pub labels: Option<LabelsDto>,
    /// The keywords the workspace gave (for a built-in aspect, in addition to Puls's own).
    pub keywords: KeywordsDto,
    /// When the workspace last changed it (RFC 3339); none for a built-in aspect it never
    /// changed.
    pub updated_at: Option<String>,
}

impl AspectDefDto {
    fn of(a: WorkspaceAspect) -> AspectDefDto {
        AspectDefDto {
            name: a.name,
            builtin: a.builtin,
            labels: a.labels.map(|l| LabelsDto {
                pl: l.pl,
                cs: l.cs,
                en: l.en,
            }),
            keywords: KeywordsDto {
                pl: a.keywords.pl,
                cs: a.keywords.cs,
                en: a.keywords.en,
            },
            updated_at: a.updated_at.map(puls_wire::format_ms),
        }
    }
}

/// The workspace's aspects.
#[derive(Debug, Serialize, ToSchema)]
pub struct AspectsDto {
    pub aspects: Vec<AspectDefDto>,
}

/// The aspects open answers are read for: the nine built-in ones (with any keywords the
/// workspace added) and the workspace's own.
#[utoipa::path(get, path = "/api/v1/text/aspects", tag = "text",
    responses((status = 200, body = AspectsDto)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id))]
async fn list_aspects(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<AspectsDto>, ApiError> {
    let aspects = st.app.text_aspects(ws.id).await?;
    Ok(Json(AspectsDto {
        aspects: aspects.0.into_iter().map(AspectDefDto::of).collect(),
    }))
}

/// Creates or replaces the workspace's own aspect `name` (names in pl, cs and en, and
/// keywords), or the keywords it adds to a built-in aspect. Every open answer is looked at
/// again in the background (what the model read is kept; only the aspects are matched
/// again).
#[utoipa::path(put, path = "/api/v1/text/aspects/{name}", tag = "text",
    params(("name" = String, Path, description = "The aspect's name: lowercase letters, digits, `_` or `-`, starting with a letter")),
    request_body(content = AspectInputDto, content_type = "application/json",
        description = "`{\"labels\": {\"pl\": \"Parking\", \"cs\": \"Parkování\", \"en\": \"Parking\"}, \"keywords\": {\"pl\": [\"parking*\", \"miejsc* parkingow*\"], \"cs\": [\"parkov*\"], \"en\": [\"parking\"]}}`"),
    responses((status = 201, body = AspectDefDto), (status = 200, body = AspectDefDto),
        (status = 400, description = "Not JSON, or not this shape", body = ErrorBody),
        (status = 422, description = "A bad name (`name`), names missing or given for a built-in aspect (`labels`, `labels.cs`), no keyword (`keywords`), a keyword with no word to match (`keywords.pl[2]`), too many", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, name = %name))]
async fn put_aspect(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: AspectInputDto = serde_json::from_slice(&body).map_err(ApiError::malformed_json)?;
    let input = AspectInput {
        labels: input.labels.map(|l| AspectLabels {
            pl: l.pl,
            cs: l.cs,
            en: l.en,
        }),
        keywords: puls_text_keywords(input.keywords),
    };
    let (saved, a) = st.app.save_text_aspect(ws.id, &name, input).await?;
    Ok((saved_status(saved), Json(AspectDefDto::of(a))).into_response())
}

fn puls_text_keywords(k: KeywordsDto) -> puls_app::text_aspects::Keywords {
    puls_app::text_aspects::Keywords {
        pl: k.pl,
        cs: k.cs,
        en: k.en,
    }
}

/// Deletes the workspace's own aspect `name`, or the keywords it added to a built-in one.
#[utoipa::path(delete, path = "/api/v1/text/aspects/{name}", tag = "text",
    params(("name" = String, Path, description = "The aspect's name")),
    responses((status = 204), (status = 404, description = "The workspace has nothing under this name", body = ErrorBody)),
    security(("api_key" = [])))]
#[tracing::instrument(level = "debug", skip_all, fields(workspace = %ws.id, name = %name))]
async fn delete_aspect(
    State(st): State<AppState>,
    Auth(ws): Auth,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.delete_text_aspect(ws.id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
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
        .analyze_texts(ws.id, input.texts, input.locale.as_deref())
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
async fn status(
    State(st): State<AppState>,
    Auth(ws): Auth,
) -> Result<Json<TextStatusDto>, ApiError> {
    Ok(Json(match st.app.text_status(ws.id).await? {
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
    }))
}
