//! Records as stored. JSON columns (definitions, answers, attributes) are kept as text the
//! edges produced; the store never interprets them.

use std::collections::BTreeMap;

use puls_core::{ResponseId, SurveyId, Value, WorkspaceId};

use crate::json::{JsonMap, JsonText};

/// A tenant: surveys, responses and keys all belong to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}

/// An API key as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A survey's lifecycle. Only published surveys accept responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyStatus {
    Draft,
    Published,
    Closed,
}

impl SurveyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "draft",
            SurveyStatus::Published => "published",
            SurveyStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(SurveyStatus::Draft),
            "published" => Some(SurveyStatus::Published),
            "closed" => Some(SurveyStatus::Closed),
            _ => None,
        }
    }
}

/// A survey with its current version's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRecord {
    pub id: SurveyId,
    pub workspace_id: WorkspaceId,
    pub status: SurveyStatus,
    pub version: i64,
    pub title: String,
    pub touchpoint: String,
    /// The canonical definition (JSON as written by the edge that stored it).
    pub definition: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A survey to create.
#[derive(Debug, Clone)]
pub struct NewSurvey<'a> {
    pub id: &'a SurveyId,
    pub workspace_id: WorkspaceId,
    pub status: SurveyStatus,
    pub title: &'a str,
    pub touchpoint: &'a str,
    pub definition: &'a JsonText,
    pub now: i64,
}

/// A new version of a survey.
#[derive(Debug, Clone)]
pub struct SurveyUpdate<'a> {
    pub title: &'a str,
    pub touchpoint: &'a str,
    pub definition: &'a JsonText,
    pub now: i64,
}

/// A response to store.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub id: ResponseId,
    pub workspace_id: WorkspaceId,
    pub survey_id: SurveyId,
    pub survey_version: i64,
    pub completed: bool,
    pub channel: String,
    pub touchpoint: String,
    pub locale: String,
    pub contact_external_id: Option<String>,
    pub contact_email: Option<String>,
    pub invitation_token: Option<String>,
    pub idempotency_key: Option<String>,
    pub resume_token: Option<String>,
    /// An object of strings.
    pub attributes: JsonText,
    /// An object of answers by question id.
    pub answers: JsonText,
    pub created_at: i64,
}

/// New answers for a partial response, guarded by the revision the caller read.
#[derive(Debug, Clone)]
pub struct ResponseUpdate {
    pub id: ResponseId,
    pub workspace_id: WorkspaceId,
    /// The response's survey, which must still be published.
    pub survey_id: SurveyId,
    pub expected_revision: i64,
    pub completed: bool,
    pub answers: JsonText,
    pub now: i64,
}

/// One write for [`crate::Store::write_batch`].
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // Inserts are the common case; boxing them would cost an allocation each.
pub enum WriteOp {
    Insert(NewResponse),
    Update(ResponseUpdate),
    /// The messages of one tracking request (see [`crate::TrackBatch`]).
    Track(crate::customers::TrackBatch),
}

/// What a write did.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Inserted,
    /// The idempotency key was seen before: this is the response stored then.
    Replayed(Box<ResponseRecord>),
    /// The invitation token has already been used for this survey.
    InvitationUsed,
    /// Updated to this revision.
    Updated(i64),
    /// Someone else changed the response since it was read.
    RevisionConflict,
    NotFound,
    /// The survey is not (or no longer) published, or, for a new response, its current
    /// version is not the one the response was validated against. Checked inside the
    /// writing transaction, so a cached view of the survey can never let a write through.
    SurveyNotAccepting,
    /// A tracking request was stored: `stored` messages are new, `repeated` had been stored
    /// before (same `messageId`).
    Tracked {
        stored: usize,
        repeated: usize,
    },
}

/// A stored response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseRecord {
    pub id: ResponseId,
    pub workspace_id: WorkspaceId,
    pub survey_id: SurveyId,
    pub survey_version: i64,
    pub completed: bool,
    pub channel: String,
    pub touchpoint: String,
    pub locale: String,
    pub contact_external_id: Option<String>,
    pub contact_email: Option<String>,
    pub invitation_token: Option<String>,
    pub resume_token: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// Answers by question id, as stored (read against the survey version to be typed).
    pub answers: JsonMap,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
}

/// Which responses to list. Every field narrows; `before_id` is the pagination cursor.
#[derive(Debug, Clone, Default)]
pub struct ResponseFilter {
    pub survey_id: Option<String>,
    pub touchpoint: Option<String>,
    pub channel: Option<String>,
    pub completed: Option<bool>,
    /// Created at or after (Unix ms).
    pub since: Option<i64>,
    /// Created before (Unix ms).
    pub until: Option<i64>,
    /// Only responses with an id below this one (ids sort by creation time).
    pub before_id: Option<ResponseId>,
    /// Only responses in this locale.
    pub locale: Option<String>,
    /// Only responses that name a contact (an external id, an email or a personal link:
    /// true) or none (false).
    pub has_contact: Option<bool>,
}

/// A position in a workspace's change feed. Opaque: pass back what the store returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeCursor(pub i64);

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// A response was stored or updated: reload it by id.
    Response(ResponseId),
    /// A survey was deleted with all its responses.
    SurveyDeleted,
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub survey_id: SurveyId,
    pub kind: ChangeKind,
}

/// Changes since a cursor, in commit order as far as the backend can tell, and the cursor
/// to read from next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub changes: Vec<Change>,
    pub cursor: ChangeCursor,
}
