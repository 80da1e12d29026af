//! Field-level errors: what is wrong, and where, in a definition or a response.
//!
//! Each error has a path (`questions[2].options[0].id`, `answers.nps`) and a typed kind, so
//! the edges can show a stable code and translate the message into the respondent's language.

use std::fmt;

/// One problem at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub kind: FieldErrorKind,
}

/// What a value should have been, for [`FieldErrorKind::WrongType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// an integer
    Integer,
    /// a string
    String,
    /// a boolean
    Boolean,
    /// an object
    Object,
    /// an array
    Array,
    /// an object of texts by locale
    Texts,
    /// an object of answers by question id
    Answers,
    /// an option id
    OptionId,
    /// an array of option ids
    OptionIds,
    /// a non-empty array of option ids
    NonEmptyOptionIds,
    /// an array of option ids, best first
    Ranking,
    /// a non-empty array of conditions
    Conditions,
    /// an object of scores by row
    ScoresByRow,
    /// an object with functional and dysfunctional
    KanoPair,
    /// an object with the contact fields and consent
    Contact,
    /// an object of strings
    Attributes,
    /// a string, number or boolean
    Scalar,
}

impl Expected {
    /// The English description, as in "must be an integer".
    pub fn describe(self) -> &'static str {
        match self {
            Expected::Integer => "an integer",
            Expected::String => "a string",
            Expected::Boolean => "a boolean",
            Expected::Object => "an object",
            Expected::Array => "an array",
            Expected::Texts => "an object of texts by locale",
            Expected::Answers => "an object of answers by question id",
            Expected::OptionId => "an option id",
            Expected::OptionIds => "an array of option ids",
            Expected::NonEmptyOptionIds => "a non-empty array of option ids",
            Expected::Ranking => "an array of option ids, best first",
            Expected::Conditions => "a non-empty array of conditions",
            Expected::ScoresByRow => "an object of scores by row",
            Expected::KanoPair => "an object with functional and dysfunctional",
            Expected::Contact => "an object with the contact fields and consent",
            Expected::Attributes => "an object of strings",
            Expected::Scalar => "a string, number or boolean",
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// What went wrong. The `Display` text is English; survey pages translate by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// The value has the wrong type (`expected` names the right one).
    WrongType { expected: Expected },
    /// A required key or answer is missing.
    Required,
    /// A key that the format does not know.
    UnknownField,
    /// A number outside its allowed range (inclusive).
    OutOfRange { min: i64, max: i64 },
    /// A string longer than allowed (in characters).
    TooLong { max: usize },
    /// A string, list or map that must not be empty is.
    Empty,
    /// An identifier with characters outside `[a-z0-9_-]` or of a bad length.
    InvalidId,
    /// Not an id Puls made (a contact's, a response's: 26 digits and letters, a ULID).
    InvalidUlid,
    /// An id used twice where ids must be unique.
    Duplicate { id: String },
    /// A reference to a question that does not exist (or does not come earlier).
    UnknownQuestion { id: String },
    /// A choice that is not among the question's options.
    UnknownOption { id: String },
    /// A locale that is not declared by the survey, or is malformed.
    UnknownLocale { locale: String },
    /// A text is missing for a declared locale.
    MissingTranslation { locale: String },
    /// `min` must be below `max`.
    MinNotBelowMax,
    /// An answer to a question the survey logic hides for this respondent.
    HiddenQuestion,
    /// Too few or too many choices.
    ChoiceCount { min: usize, max: usize },
    /// A ranking that is not a permutation of the options.
    IncompleteRanking,
    /// An email address that is not one.
    InvalidEmail,
    /// A phone number that is not one.
    InvalidPhone,
    /// Contact details given without the consent checkbox ticked.
    ConsentRequired,
    /// A value that is not one of a fixed set (`allowed` lists them).
    NotOneOf { allowed: String },
    /// A condition whose operator does not fit the question it tests.
    BadCondition { reason: String },
    /// Too many entries (attributes, options...).
    TooMany { max: usize },
    /// A string with a NUL character (`\u0000`), which no database text column can hold.
    NulCharacter,
    /// An attribute or property name with characters outside `[A-Za-z0-9_.$-]` or too long.
    InvalidKey,
    /// A timestamp that is neither a date nor an RFC 3339 date-time (or out of range).
    InvalidTimestamp,
}

impl FieldErrorKind {
    /// A stable snake_case code for APIs and translations.
    pub fn code(&self) -> &'static str {
        use FieldErrorKind::*;
        match self {
            WrongType { .. } => "wrong_type",
            Required => "required",
            UnknownField => "unknown_field",
            OutOfRange { .. } => "out_of_range",
            TooLong { .. } => "too_long",
            Empty => "empty",
            InvalidId | InvalidUlid => "invalid_id",
            Duplicate { .. } => "duplicate_id",
            UnknownQuestion { .. } => "unknown_question",
            UnknownOption { .. } => "unknown_option",
            UnknownLocale { .. } => "unknown_locale",
            MissingTranslation { .. } => "missing_translation",
            MinNotBelowMax => "min_not_below_max",
            HiddenQuestion => "hidden_question",
            ChoiceCount { .. } => "choice_count",
            IncompleteRanking => "incomplete_ranking",
            InvalidEmail => "invalid_email",
            InvalidPhone => "invalid_phone",
            ConsentRequired => "consent_required",
            NotOneOf { .. } => "not_one_of",
            BadCondition { .. } => "bad_condition",
            TooMany { .. } => "too_many",
            NulCharacter => "nul_character",
            InvalidKey => "invalid_key",
            InvalidTimestamp => "invalid_timestamp",
        }
    }
}

impl fmt::Display for FieldErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FieldErrorKind::*;
        match self {
            WrongType { expected } => write!(f, "must be {expected}"),
            Required => write!(f, "is required"),
            UnknownField => write!(f, "is not a known field"),
            OutOfRange { min, max } => write!(f, "must be between {min} and {max}"),
            TooLong { max } => write!(f, "must be at most {max} characters"),
            Empty => write!(f, "must not be empty"),
            InvalidUlid => write!(
                f,
                "must be an id as Puls gives it: 26 digits and capital letters (a ULID)"
            ),
            InvalidId => write!(
                f,
                "must be 1-64 characters of lowercase letters, digits, '_' or '-', starting with a letter"
            ),
            Duplicate { id } => write!(f, "duplicate id '{id}'"),
            UnknownQuestion { id } => write!(f, "refers to unknown or later question '{id}'"),
            UnknownOption { id } => write!(f, "'{id}' is not one of the options"),
            UnknownLocale { locale } => write!(f, "locale '{locale}' is not available"),
            MissingTranslation { locale } => write!(f, "text missing for locale '{locale}'"),
            MinNotBelowMax => write!(f, "min must be less than max"),
            HiddenQuestion => write!(f, "answers a question that the survey logic hides"),
            ChoiceCount { min, max } => write!(f, "choose between {min} and {max} options"),
            IncompleteRanking => write!(f, "must rank every option exactly once"),
            InvalidEmail => write!(f, "is not a valid email address"),
            InvalidPhone => write!(f, "is not a valid phone number"),
            ConsentRequired => write!(f, "contact details need the consent checkbox ticked"),
            NotOneOf { allowed } => write!(f, "must be one of: {allowed}"),
            BadCondition { reason } => write!(f, "invalid condition: {reason}"),
            TooMany { max } => write!(f, "at most {max} entries allowed"),
            NulCharacter => write!(f, "must not contain the NUL character (\\u0000)"),
            InvalidKey => write!(
                f,
                "must be 1-64 characters of letters, digits, '_', '-', '.' or '$', starting with a letter, '_' or '$'"
            ),
            InvalidTimestamp => write!(
                f,
                "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp between the years 1000 and 9000"
            ),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

/// Every problem found, in document order. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s), first: {}", .0.len(), .0.first().map(|e| e.to_string()).unwrap_or_default())]
pub struct FieldErrors(pub Vec<FieldError>);

/// Collects errors while walking a tree, tracking the current path.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    pub(crate) list: Vec<FieldError>,
}

impl Errors {
    pub(crate) fn push(&mut self, path: impl Into<String>, kind: FieldErrorKind) {
        self.list.push(FieldError {
            path: path.into(),
            kind,
        });
    }

    pub(crate) fn into_result<T>(self, ok: T) -> Result<T, FieldErrors> {
        if self.list.is_empty() {
            Ok(ok)
        } else {
            Err(FieldErrors(self.list))
        }
    }
}

/// Joins a parent path and a key: `join("questions[0]", "id")` is `questions[0].id`.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Appends an index: `index("questions", 2)` is `questions[2]`.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}
