//! The pure core of Puls: domain types, survey definitions and response validation,
//! contacts, behavioural messages, journeys and segment rules.
//!
//! Nothing here performs I/O, speaks SQL or HTTP, or knows a wire format. Definitions and
//! answers arrive as a [`Value`] tree that the edges build from JSON or YAML, so every
//! problem can be reported with its exact path, and the core cannot fail for outside reasons.

pub mod access;
pub mod alert;
pub mod attribute;
pub mod audience;
pub mod band;
pub mod case;
pub mod contact;
pub mod distribution;
pub mod drivers;
pub mod email_settings;
pub mod error;
pub mod frequency;
pub mod ids;
pub mod instant;
pub mod journey;
pub mod kano;
pub mod notify;
mod obj;
pub mod quota;
pub mod response;
pub mod sla;
pub mod stats;
pub mod survey;
pub mod text;
pub mod tracking;
pub mod trigger;
pub mod value;
pub mod widget;

pub use error::{Expected, FieldError, FieldErrorKind, FieldErrors};
pub use ids::{
    Channel, ContactId, Key, Locale, OptionId, Purpose, QuestionId, ResponseId, StoreId, SurveyId,
    Touchpoint, UserId, WorkspaceId, WorkspaceSlug,
};
pub use response::{Answer, Answers, Completion, KanoAnswer, ResponseMeta, ResponseMetaInput};
pub use survey::{Condition, Question, QuestionKind, Survey};
pub use text::LocalizedText;
pub use value::Value;
