//! The one list of error codes of the JSON API, each with its HTTP status, and the error
//! body every endpoint answers with: `{"error": {"code", "message", "details"}}`.
//!
//! A code is an [`ErrorCode`] variant, declared once in [`error_codes!`]; its snake_case
//! name is part of the API contract and never changes. Application errors map to codes in
//! one exhaustive `match` ([`Problem::from`]); the edges raise the few codes of their own
//! (a body that is not JSON, say) by variant.

use http::StatusCode;
use puls_app::{AppError, Rejection};
use serde::Serialize;
use utoipa::ToSchema;

/// Declares [`ErrorCode`]: each variant once, with its stable name and HTTP status.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $status:ident;)*) => {
        /// Every error code of the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable snake_case name.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// The HTTP status it is answered with.
            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }
        }
    };
}

error_codes! {
    /// A query parameter cannot be used (unknown, malformed, out of range).
    InvalidQuery = "invalid_query", BAD_REQUEST;
    /// A pagination cursor this API did not give.
    InvalidCursor = "invalid_cursor", BAD_REQUEST;
    /// The body is JSON but not the shape the endpoint takes.
    InvalidBody = "invalid_body", BAD_REQUEST;
    /// The body is not valid JSON.
    MalformedJson = "malformed_json", BAD_REQUEST;
    /// The body is not valid YAML.
    MalformedYaml = "malformed_yaml", BAD_REQUEST;
    /// The body cannot be read (not UTF-8, broken compression).
    MalformedBody = "malformed_body", BAD_REQUEST;
    /// A posted form cannot be read.
    MalformedForm = "malformed_form", BAD_REQUEST;
    /// The `Idempotency-Key` header is empty or too long.
    InvalidIdempotencyKey = "invalid_idempotency_key", BAD_REQUEST;
    /// The CSV header row is missing or unusable; nothing was written.
    InvalidCsvHeader = "invalid_csv_header", BAD_REQUEST;
    /// The upload broke off before anything was written.
    UnreadableBody = "unreadable_body", BAD_REQUEST;
    /// No valid API key (or write key).
    Unauthorized = "unauthorized", UNAUTHORIZED;
    /// The caller's role does not allow it.
    Forbidden = "forbidden", FORBIDDEN;
    /// No such thing, or not the caller's to see.
    NotFound = "not_found", NOT_FOUND;
    /// The route does not take this method; see the `Allow` header.
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED;
    /// The survey is closed.
    SurveyClosed = "survey_closed", CONFLICT;
    /// The survey changed while the write was under way; try again.
    SurveyChanged = "survey_changed", CONFLICT;
    /// The invitation has been answered.
    InvitationAlreadyUsed = "invitation_already_used", CONFLICT;
    /// The response changed since it was read.
    RevisionConflict = "revision_conflict", CONFLICT;
    /// The response is completed already.
    ResponseCompleted = "response_completed", CONFLICT;
    /// Another contact has this external id or email.
    ContactConflict = "contact_conflict", CONFLICT;
    /// The body is larger than the limit.
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE;
    /// The body's content type (or encoding) is not one the endpoint takes.
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE;
    /// The input has problems, each listed in `details` with its path and code.
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY;
    /// A merge of a contact with itself.
    SameContact = "same_contact", UNPROCESSABLE_ENTITY;
    /// A change the contact cannot take.
    InvalidContact = "invalid_contact", UNPROCESSABLE_ENTITY;
    /// The definition's key is not the one in the path.
    KeyMismatch = "key_mismatch", UNPROCESSABLE_ENTITY;
    /// The questions a report reads are on different scales.
    MixedScales = "mixed_scales", UNPROCESSABLE_ENTITY;
    /// A question is not on the scale its metric needs.
    WrongScale = "wrong_scale", UNPROCESSABLE_ENTITY;
    /// The report would have too many time buckets.
    TooManyBuckets = "too_many_buckets", UNPROCESSABLE_ENTITY;
    /// An attribute has too many values to be indexed.
    AttributeNotIndexed = "attribute_not_indexed", UNPROCESSABLE_ENTITY;
    /// An event property has too many values to be indexed.
    PropertyNotIndexed = "property_not_indexed", UNPROCESSABLE_ENTITY;
    /// No survey in scope has the question.
    UnknownQuestion = "unknown_question", UNPROCESSABLE_ENTITY;
    /// No saved segment has the key.
    UnknownSegment = "unknown_segment", UNPROCESSABLE_ENTITY;
    /// The journey cannot be analysed as defined.
    InvalidJourney = "invalid_journey", UNPROCESSABLE_ENTITY;
    /// The driver analysis's outcome never varies.
    ConstantOutcome = "constant_outcome", UNPROCESSABLE_ENTITY;
    /// Too few complete responses for a driver model.
    TooFewResponses = "too_few_responses", UNPROCESSABLE_ENTITY;
    /// The driver questions cannot form a model.
    InvalidDrivers = "invalid_drivers", UNPROCESSABLE_ENTITY;
    /// A name that is empty or too long.
    InvalidName = "invalid_name", UNPROCESSABLE_ENTITY;
    /// A webhook URL that is not an absolute http(s) URL without credentials.
    InvalidWebhookUrl = "invalid_webhook_url", UNPROCESSABLE_ENTITY;
    /// A webhook URL on a private, loopback or link-local address, which this server does
    /// not allow (`webhooks.allow_private_addresses`).
    PrivateAddress = "private_address", UNPROCESSABLE_ENTITY;
    /// A user who is not a member of this workspace.
    NotAMember = "not_a_member", UNPROCESSABLE_ENTITY;
    /// A case status change the status machine does not allow (a closed case cannot be
    /// resolved; nothing moves back to `new`).
    BadStatusChange = "bad_status_change", CONFLICT;
    /// The case's customer left no e-mail address to reply to.
    NoContactEmail = "no_contact_email", UNPROCESSABLE_ENTITY;
    /// This server sends no e-mail (`smtp.host` is not set).
    EmailNotConfigured = "email_not_configured", CONFLICT;
    /// Only metric rules are previewed.
    NotAMetricRule = "not_a_metric_rule", CONFLICT;
    /// The survey is a draft: publish it before sending it.
    SurveyNotPublished = "survey_not_published", CONFLICT;
    /// The widget was asked from a site its settings do not name.
    OriginNotAllowed = "origin_not_allowed", FORBIDDEN;
    /// This server sends no SMS (`sms.url` is not set).
    SmsNotConfigured = "sms_not_configured", CONFLICT;
    /// This server sends no chat messages (`chat.url` is not set).
    ChatNotConfigured = "chat_not_configured", CONFLICT;
    /// This server has no text model installed (`scripts/text-model/fetch`).
    TextNotInstalled = "text_analysis_not_installed", CONFLICT;
    /// Too many requests from this client; slow down.
    RateLimited = "rate_limited", TOO_MANY_REQUESTS;
    /// The server failed; the cause is in its log, never in the answer.
    InternalError = "internal_error", INTERNAL_SERVER_ERROR;
}

impl From<Rejection> for ErrorCode {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::SurveyClosed => ErrorCode::SurveyClosed,
            Rejection::SurveyChanged => ErrorCode::SurveyChanged,
            Rejection::InvitationUsed => ErrorCode::InvitationAlreadyUsed,
            Rejection::RevisionConflict => ErrorCode::RevisionConflict,
            Rejection::ResponseCompleted => ErrorCode::ResponseCompleted,
            Rejection::ContactConflict => ErrorCode::ContactConflict,
            Rejection::SameContact => ErrorCode::SameContact,
            Rejection::InvalidContact => ErrorCode::InvalidContact,
            Rejection::KeyMismatch => ErrorCode::KeyMismatch,
            Rejection::MixedScales => ErrorCode::MixedScales,
            Rejection::WrongScale => ErrorCode::WrongScale,
            Rejection::TooManyBuckets => ErrorCode::TooManyBuckets,
            Rejection::AttributeNotIndexed => ErrorCode::AttributeNotIndexed,
            Rejection::PropertyNotIndexed => ErrorCode::PropertyNotIndexed,
            Rejection::UnknownQuestion => ErrorCode::UnknownQuestion,
            Rejection::UnknownSegment => ErrorCode::UnknownSegment,
            Rejection::InvalidJourney => ErrorCode::InvalidJourney,
            Rejection::ConstantOutcome => ErrorCode::ConstantOutcome,
            Rejection::TooFewResponses => ErrorCode::TooFewResponses,
            Rejection::InvalidDrivers => ErrorCode::InvalidDrivers,
            Rejection::InvalidName => ErrorCode::InvalidName,
            Rejection::InvalidWebhookUrl => ErrorCode::InvalidWebhookUrl,
            Rejection::PrivateAddress => ErrorCode::PrivateAddress,
            Rejection::NotAMember => ErrorCode::NotAMember,
            Rejection::BadStatusChange => ErrorCode::BadStatusChange,
            Rejection::NoContactEmail => ErrorCode::NoContactEmail,
            Rejection::EmailNotConfigured => ErrorCode::EmailNotConfigured,
            Rejection::NotAMetricRule => ErrorCode::NotAMetricRule,
            Rejection::SurveyNotPublished => ErrorCode::SurveyNotPublished,
            Rejection::OriginNotAllowed => ErrorCode::OriginNotAllowed,
            Rejection::SmsNotConfigured => ErrorCode::SmsNotConfigured,
            Rejection::ChatNotConfigured => ErrorCode::ChatNotConfigured,
            Rejection::TextNotInstalled => ErrorCode::TextNotInstalled,
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorInfo {
    /// Stable snake_case code, e.g. `validation_failed`, `not_found`, `malformed_json`.
    pub code: String,
    /// A human explanation.
    pub message: String,
    /// One entry per problem, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Where the problem is, e.g. `answers.nps` or `questions[2].options[0].id`.
    pub path: String,
    /// Stable snake_case code of the problem, e.g. `out_of_range`.
    pub code: String,
    pub message: String,
}

/// An error as the API answers it: a code, a message naming the field, the details.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl Problem {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Problem {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorInfo {
                code: self.code.name().to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        }
    }
}

/// The message of an internal error: nothing about the cause.
const INTERNAL: &str = "internal error; see the server log";

impl From<&AppError> for Problem {
    fn from(e: &AppError) -> Self {
        let code = match e {
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Validation(errs) => {
                return Problem {
                    code: ErrorCode::ValidationFailed,
                    message: format!(
                        "{} problem(s): {}",
                        errs.0.len(),
                        errs.0
                            .iter()
                            .take(3)
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    details: errs
                        .0
                        .iter()
                        .map(|e| ErrorDetail {
                            path: e.path.clone(),
                            code: e.kind.code().to_string(),
                            message: e.kind.to_string(),
                        })
                        .collect(),
                };
            }
            AppError::InvalidParameter(_) => ErrorCode::InvalidQuery,
            AppError::InvalidCursor => ErrorCode::InvalidCursor,
            AppError::Unauthorized => ErrorCode::Unauthorized,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::Rejected(why, _) => (*why).into(),
            AppError::RateLimited => ErrorCode::RateLimited,
            AppError::Internal(_) => return Problem::new(ErrorCode::InternalError, INTERNAL),
        };
        Problem::new(code, e.to_string())
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        Problem::from(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes are the API's contract: this pins every name, its status and the JSON an
    /// error answers with. A change here is a change of the public API.
    #[test]
    fn every_error_code_keeps_its_name_status_and_json() {
        let table: String = ErrorCode::ALL
            .iter()
            .map(|c| {
                let body = serde_json::to_string(&Problem::new(*c, "m").body()).unwrap();
                format!("{} {} {body}\n", c.status().as_u16(), c.name())
            })
            .collect();
        expect_test::expect![[r#"
            400 invalid_query {"error":{"code":"invalid_query","message":"m"}}
            400 invalid_cursor {"error":{"code":"invalid_cursor","message":"m"}}
            400 invalid_body {"error":{"code":"invalid_body","message":"m"}}
            400 malformed_json {"error":{"code":"malformed_json","message":"m"}}
            400 malformed_yaml {"error":{"code":"malformed_yaml","message":"m"}}
            400 malformed_body {"error":{"code":"malformed_body","message":"m"}}
            400 malformed_form {"error":{"code":"malformed_form","message":"m"}}
            400 invalid_idempotency_key {"error":{"code":"invalid_idempotency_key","message":"m"}}
            400 invalid_csv_header {"error":{"code":"invalid_csv_header","message":"m"}}
            400 unreadable_body {"error":{"code":"unreadable_body","message":"m"}}
            401 unauthorized {"error":{"code":"unauthorized","message":"m"}}
            403 forbidden {"error":{"code":"forbidden","message":"m"}}
            404 not_found {"error":{"code":"not_found","message":"m"}}
            405 method_not_allowed {"error":{"code":"method_not_allowed","message":"m"}}
            409 survey_closed {"error":{"code":"survey_closed","message":"m"}}
            409 survey_changed {"error":{"code":"survey_changed","message":"m"}}
            409 invitation_already_used {"error":{"code":"invitation_already_used","message":"m"}}
            409 revision_conflict {"error":{"code":"revision_conflict","message":"m"}}
            409 response_completed {"error":{"code":"response_completed","message":"m"}}
            409 contact_conflict {"error":{"code":"contact_conflict","message":"m"}}
            413 payload_too_large {"error":{"code":"payload_too_large","message":"m"}}
            415 unsupported_media_type {"error":{"code":"unsupported_media_type","message":"m"}}
            422 validation_failed {"error":{"code":"validation_failed","message":"m"}}
            422 same_contact {"error":{"code":"same_contact","message":"m"}}
            422 invalid_contact {"error":{"code":"invalid_contact","message":"m"}}
            422 key_mismatch {"error":{"code":"key_mismatch","message":"m"}}
            422 mixed_scales {"error":{"code":"mixed_scales","message":"m"}}
            422 wrong_scale {"error":{"code":"wrong_scale","message":"m"}}
            422 too_many_buckets {"error":{"code":"too_many_buckets","message":"m"}}
            422 attribute_not_indexed {"error":{"code":"attribute_not_indexed","message":"m"}}
            422 property_not_indexed {"error":{"code":"property_not_indexed","message":"m"}}
            422 unknown_question {"error":{"code":"unknown_question","message":"m"}}
            422 unknown_segment {"error":{"code":"unknown_segment","message":"m"}}
            422 invalid_journey {"error":{"code":"invalid_journey","message":"m"}}
            422 constant_outcome {"error":{"code":"constant_outcome","message":"m"}}
            422 too_few_responses {"error":{"code":"too_few_responses","message":"m"}}
            422 invalid_drivers {"error":{"code":"invalid_drivers","message":"m"}}
            422 invalid_name {"error":{"code":"invalid_name","message":"m"}}
            422 invalid_webhook_url {"error":{"code":"invalid_webhook_url","message":"m"}}
            422 private_address {"error":{"code":"private_address","message":"m"}}
            422 not_a_member {"error":{"code":"not_a_member","message":"m"}}
            409 bad_status_change {"error":{"code":"bad_status_change","message":"m"}}
            422 no_contact_email {"error":{"code":"no_contact_email","message":"m"}}
            409 email_not_configured {"error":{"code":"email_not_configured","message":"m"}}
            409 not_a_metric_rule {"error":{"code":"not_a_metric_rule","message":"m"}}
            409 survey_not_published {"error":{"code":"survey_not_published","message":"m"}}
            403 origin_not_allowed {"error":{"code":"origin_not_allowed","message":"m"}}
            409 sms_not_configured {"error":{"code":"sms_not_configured","message":"m"}}
            409 chat_not_configured {"error":{"code":"chat_not_configured","message":"m"}}
            409 text_analysis_not_installed {"error":{"code":"text_analysis_not_installed","message":"m"}}
            429 rate_limited {"error":{"code":"rate_limited","message":"m"}}
            500 internal_error {"error":{"code":"internal_error","message":"m"}}
        "#]]
        .assert_eq(&table);
    }
}
