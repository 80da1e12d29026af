//! The application's one error type. It says what went wrong in the application's terms;
//! the edges decide how to show it (the JSON API maps each case to a stable code and an
//! HTTP status in `puls-wire`, the web app to a page in the user's language, the CLI to a
//! message).

use puls_core::{FieldError, FieldErrorKind, FieldErrors};

/// Everything a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist, or is not the caller's to see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input with problems, each at its path.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// A parameter that cannot be used; the message starts with the parameter's name.
    #[error("{0}")]
    InvalidParameter(String),
    /// A pagination cursor this API did not give.
    #[error("cursor: not a cursor of this list; start again without one")]
    InvalidCursor,
    /// No valid credentials.
    #[error("missing or invalid API key")]
    Unauthorized,
    /// Known, but the caller's role does not allow it.
    #[error("your role does not allow this")]
    Forbidden,
    /// Well-formed, but the current state of things refuses it; the message says why.
    #[error("{1}")]
    Rejected(Rejection, String),
    /// Too many attempts in a short time.
    #[error("too many requests")]
    RateLimited,
    /// Not the caller's doing: logged with its cause chain, shown to no one.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a well-formed request was refused. Each is one stable error code at the edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// The survey is closed.
    SurveyClosed,
    /// The survey changed while a write was under way.
    SurveyChanged,
    /// The invitation has been answered.
    InvitationUsed,
    /// The response changed since it was read.
    RevisionConflict,
    /// The response is completed already.
    ResponseCompleted,
    /// Another contact has the external id or email.
    ContactConflict,
    /// A merge of a contact with itself.
    SameContact,
    /// A change the contact cannot take.
    InvalidContact,
    /// A definition's key is not the one in the path.
    KeyMismatch,
    /// The questions a report reads are on different scales.
    MixedScales,
    /// A question is not on the scale its metric needs.
    WrongScale,
    /// A report would have too many time buckets.
    TooManyBuckets,
    /// An attribute has too many values to be indexed.
    AttributeNotIndexed,
    /// An event property has too many values to be indexed.
    PropertyNotIndexed,
    /// No survey in scope has the question.
    UnknownQuestion,
    /// No saved segment has the key.
    UnknownSegment,
    /// A journey that cannot be analysed as defined.
    InvalidJourney,
    /// A driver analysis whose outcome never varies.
    ConstantOutcome,
    /// Too few complete responses for a driver model.
    TooFewResponses,
    /// Driver questions that cannot form a model.
    InvalidDrivers,
    /// A name that is empty or too long.
    InvalidName,
    /// A webhook URL that is not an absolute http(s) URL without credentials.
    InvalidWebhookUrl,
    /// A webhook URL on a private, loopback or link-local address, which the server does
    /// not allow.
    PrivateAddress,
    /// A user who is not a member of the workspace (as a case's owner, say).
    NotAMember,
    /// A case status change the status machine does not allow.
    BadStatusChange,
    /// A reply to a customer who left no e-mail address.
    NoContactEmail,
    /// Sending e-mail without `smtp.host` configured.
    EmailNotConfigured,
    /// A preview asked of a rule on single responses.
    NotAMetricRule,
    /// A draft survey cannot be sent.
    SurveyNotPublished,
    /// A widget request from a site the settings do not name.
    OriginNotAllowed,
    /// Sending SMS without `sms.url` configured.
    SmsNotConfigured,
    /// Sending chat messages without `chat.url` configured.
    ChatNotConfigured,
    /// Reading comments without the text model installed (`scripts/text-model/fetch`).
    TextNotInstalled,
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::InvalidParameter(message.into())
    }

    pub fn rejected(why: Rejection, message: impl Into<String>) -> Self {
        AppError::Rejected(why, message.into())
    }

    /// One problem at one path.
    pub fn field(path: impl Into<String>, kind: FieldErrorKind) -> Self {
        AppError::Validation(FieldErrors(vec![FieldError {
            path: path.into(),
            kind,
        }]))
    }
}

impl From<puls_store::StoreError> for AppError {
    fn from(e: puls_store::StoreError) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}

/// Results of the application.
pub type AppResult<T> = Result<T, AppError>;
