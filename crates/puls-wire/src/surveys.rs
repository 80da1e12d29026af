//! Surveys and responses on the wire.

use std::collections::BTreeMap;

use puls_app::AppError;
use puls_app::search::{MatchSpec, Reading, TextSearch};
use puls_core::band::Band;
use puls_core::{ContactId, ResponseId};
use puls_store::{ResponseFilter, ResponseRecord, SurveyRecord, json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::id_cursor;
use crate::time::{Bound, format_ms, parse_time, zone};

/// A survey as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SurveyDto {
    /// Short id used in URLs, e.g. `k3v9q2m8xa`.
    pub id: String,
    /// `draft`, `published` or `closed`. Only published surveys accept responses.
    pub status: String,
    /// Current version; every update adds one.
    pub version: i64,
    /// Title in the survey's default locale.
    pub title: String,
    pub touchpoint: String,
    pub created_at: String,
    pub updated_at: String,
    pub links: SurveyLinks,
    /// The survey definition (see the README for its format); only on single-survey reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub definition: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SurveyLinks {
    /// The hosted survey page.
    pub page: String,
    /// An SVG QR code of the page link.
    pub qr: String,
}

impl SurveyDto {
    pub fn from_record(r: &SurveyRecord, public_url: &str, with_definition: bool) -> Self {
        SurveyDto {
            id: r.id.to_string(),
            status: r.status.as_str().to_string(),
            version: r.version,
            title: r.title.clone(),
            touchpoint: r.touchpoint.clone(),
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
            links: SurveyLinks {
                page: format!("{public_url}/s/{}", r.id),
                qr: format!("{public_url}/s/{}/qr.svg", r.id),
            },
            definition: with_definition.then(|| json::to_json(&r.definition)),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SurveyList {
    pub items: Vec<SurveyDto>,
}

/// Which version of a survey to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// An earlier version to read; default the current one.
    #[param(minimum = 1)]
    pub version: Option<i64>,
}

/// Who answered, when known.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactRef {
    pub external_id: Option<String>,
    pub email: Option<String>,
}

/// What a submission or update stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubmitResult {
    pub id: String,
    /// `completed` or `partial`.
    pub status: String,
    pub survey_version: i64,
    /// Needed to continue a partial response with `PATCH /api/v1/responses/{id}`.
    pub resume_token: Option<String>,
}

/// A stored response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResponseDto {
    pub id: String,
    pub survey_id: String,
    pub survey_version: i64,
    /// `completed` or `partial`.
    pub status: String,
    pub channel: String,
    pub touchpoint: String,
    pub locale: String,
    pub contact: Option<ContactRef>,
    pub invitation_token: Option<String>,
    pub attributes: BTreeMap<String, String>,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    /// What text analysis read in the open answers, once it has (it runs after the
    /// response is stored, when the server has the text model); left out where it does
    /// not apply (webhook payloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_analysis: Option<Vec<AnswerAnalysisDto>>,
}

/// A sentiment: `neg`, `neu` or `pos`, and the model's probability of it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SentimentDto {
    pub label: String,
    pub score: f32,
}

/// An aspect a text is about, with the sentiment it is spoken of with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AspectDto {
    /// `delivery`, `price`, `staff`, `product_quality`, `website_app`, `payment`,
    /// `returns_complaints`, `waiting_time`, `communication`, or one of the workspace's
    /// own (`GET /api/v1/text/aspects`).
    pub name: String,
    /// `neg`, `neu` or `pos`.
    pub sentiment: String,
}

/// What text analysis read in one open answer (an open-text question, or the "other" text
/// of a choice).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AnswerAnalysisDto {
    pub question: String,
    /// `pl`, `cs` or `en`.
    pub language: String,
    pub sentiment: SentimentDto,
    pub aspects: Vec<AspectDto>,
    /// `anger`, `joy`, `sadness`, `fear`, `surprise`, `gratitude` or `none`
    /// (experimental: less reliable than the sentiment).
    pub emotion: String,
}

impl AnswerAnalysisDto {
    /// What was read in `r`'s open answers (none yet: empty).
    pub fn of_response(
        r: &ResponseRecord,
        text: &puls_app::text_queue::TextByResponse,
    ) -> Vec<AnswerAnalysisDto> {
        text.get(&r.id)
            .map(|list| list.iter().map(AnswerAnalysisDto::from_analysis).collect())
            .unwrap_or_default()
    }

    pub fn from_analysis(a: &puls_app::text_queue::AnswerAnalysis) -> Self {
        AnswerAnalysisDto {
            question: a.question_id.clone(),
            language: a.language.clone(),
            sentiment: SentimentDto {
                label: a.sentiment.clone(),
                score: a.score,
            },
            aspects: a
                .aspects
                .iter()
                .map(|(name, sentiment)| AspectDto {
                    name: name.clone(),
                    sentiment: sentiment.clone(),
                })
                .collect(),
            emotion: a.emotion.clone(),
        }
    }
}

impl ResponseDto {
    /// The response with what text analysis read in it (`text`: the workspace's
    /// analyses by response, as [`puls_app::App::answer_analyses`] reads them).
    pub fn with_text(r: &ResponseRecord, text: &puls_app::text_queue::TextByResponse) -> Self {
        let mut dto = ResponseDto::from_record(r);
        dto.text_analysis = Some(AnswerAnalysisDto::of_response(r, text));
        dto
    }

    pub fn from_record(r: &ResponseRecord) -> Self {
        let contact =
            (r.contact_external_id.is_some() || r.contact_email.is_some()).then(|| ContactRef {
                external_id: r.contact_external_id.clone(),
                email: r.contact_email.clone(),
            });
        ResponseDto {
            id: r.id.to_string(),
            survey_id: r.survey_id.to_string(),
            survey_version: r.survey_version,
            status: status_name(r.completed).to_string(),
            channel: r.channel.clone(),
            touchpoint: r.touchpoint.clone(),
            locale: r.locale.clone(),
            contact,
            invitation_token: r.invitation_token.clone(),
            attributes: r.attributes.clone(),
            answers: json::object(&r.answers),
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
            completed_at: r.completed_at.map(format_ms),
            text_analysis: None,
        }
    }
}

/// `completed` or `partial`.
pub fn status_name(completed: bool) -> &'static str {
    if completed { "completed" } else { "partial" }
}

/// A page of responses, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResponsePage {
    pub items: Vec<ResponseDto>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters for listing and exporting responses.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResponseQuery {
    /// Only this survey's responses.
    pub survey: Option<String>,
    pub touchpoint: Option<String>,
    pub channel: Option<String>,
    /// `completed` or `partial`.
    pub status: Option<String>,
    /// Created at or after: an RFC 3339 timestamp, or a `YYYY-MM-DD` date (from its start
    /// in `tz`).
    pub since: Option<String>,
    /// Created up to: a `YYYY-MM-DD` date includes that whole day in `tz`; an RFC 3339
    /// timestamp is exclusive.
    pub until: Option<String>,
    /// IANA time zone of `since` and `until` dates. Default: the server's
    /// `analytics.time_zone`, as in the reports.
    pub tz: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Export format: `csv` (default), `csv_semicolon` (for Excel in Polish and Czech
    /// settings: semicolons, CRLF, UTF-8 byte-order mark), `ndjson` or `xlsx`.
    pub format: Option<String>,
    /// Language of an `xlsx` export's headers, question texts and option labels: `en`
    /// (default), `pl` or `cs`.
    pub lang: Option<String>,
    /// Only responses whose open answers (open-text questions, "other" texts) contain this
    /// text; case, Polish and Czech marks and runs of spaces are ignored. A page may then
    /// hold fewer than `limit` items while `next_cursor` says more may follow (as with
    /// `band`, `has_text`, `segment` and `contact_id`, which are checked on each response).
    pub q: Option<String>,
    /// A score band of the response's first question of the metric: `detractors` (NPS
    /// 0–6), `passives` (7–8), `promoters` (9–10), `csat_1_2`, `csat_4_5`, `ces_1_3`,
    /// `ces_5_7`.
    pub band: Option<String>,
    /// `yes`: only responses with open answers; `no`: only those without.
    pub has_text: Option<String>,
    /// Only responses in this locale (`pl`, `cs-CZ`, ...).
    pub locale: Option<String>,
    /// `known`: only responses that name a contact (external id, email or personal link);
    /// `unknown`: only anonymous ones.
    pub contact: Option<String>,
    /// Only responses of one contact (merged duplicates included).
    pub contact_id: Option<String>,
    /// Only responses of members of this saved segment.
    pub segment: Option<String>,
    /// Only responses with an open answer text analysis read as `neg`, `neu` or `pos`
    /// (with `aspect`: that aspect spoken of so, e.g. negative about delivery). Checked
    /// on each response, like `q`; responses not analysed yet do not match.
    pub sentiment: Option<String>,
    /// Only responses with an open answer about this aspect: `delivery`, `price`,
    /// `staff`, `product_quality`, `website_app`, `payment`, `returns_complaints`,
    /// `waiting_time` or `communication`.
    pub aspect: Option<String>,
}

impl ResponseQuery {
    /// What each response must also satisfy: the text search, band, open answers, segment
    /// and contact (resolved by `App::response_match`).
    pub fn match_spec(&self) -> Result<MatchSpec, AppError> {
        let band = self
            .band
            .as_deref()
            .map(|b| {
                Band::parse(b).ok_or_else(|| {
                    let names: Vec<&str> = Band::ALL.iter().map(|b| b.as_str()).collect();
                    AppError::invalid(format!("band: '{b}' is not one of {}", names.join(", ")))
                })
            })
            .transpose()?;
        let has_text = match self.has_text.as_deref() {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "has_text: '{other}' is not one of yes, no"
                )));
            }
        };
        let contact = self
            .contact_id
            .as_deref()
            .map(|c| ContactId::parse(c).map_err(|e| AppError::invalid(format!("contact_id: {e}"))))
            .transpose()?;
        if let Some(s) = &self.segment {
            puls_core::Key::parse(s).map_err(|e| AppError::invalid(format!("segment: {e}")))?;
        }
        Ok(MatchSpec {
            text: self.q.as_deref().and_then(TextSearch::new),
            band,
            has_text,
            reading: Reading::new(self.sentiment.as_deref(), self.aspect.as_deref())?,
            segments: self.segment.iter().cloned().collect(),
            contact,
        })
    }

    /// The filter; dates are read in `tz`, else in `default_tz`.
    pub fn filter(&self, default_tz: &str) -> Result<ResponseFilter, AppError> {
        let tz = zone(self.tz.as_deref(), default_tz)?;
        let completed = match self.status.as_deref() {
            None => None,
            Some("completed") => Some(true),
            Some("partial") => Some(false),
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "status: '{other}' is not one of completed, partial"
                )));
            }
        };
        if let Some(c) = &self.channel {
            puls_core::Channel::parse(c).map_err(|k| AppError::invalid(format!("channel: {k}")))?;
        }
        if let Some(l) = &self.locale {
            puls_core::Locale::parse(l).map_err(|e| AppError::invalid(format!("locale: {e}")))?;
        }
        let has_contact = match self.contact.as_deref() {
            None | Some("any") => None,
            Some("known") => Some(true),
            Some("unknown") => Some(false),
            Some(other) => {
                return Err(AppError::invalid(format!(
                    "contact: '{other}' is not one of known, unknown"
                )));
            }
        };
        Ok(ResponseFilter {
            locale: self.locale.clone(),
            has_contact,
            survey_id: self.survey.clone(),
            touchpoint: self.touchpoint.clone(),
            channel: self.channel.clone(),
            completed,
            since: self
                .since
                .as_deref()
                .map(|s| parse_time("since", s, tz, Bound::Start))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|s| parse_time("until", s, tz, Bound::End))
                .transpose()?,
            before_id: id_cursor(self.cursor.as_deref(), ResponseId::parse)?,
        })
    }
}

/// Service health.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}
