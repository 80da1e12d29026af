//! Segments on the wire.

use puls_app::definitions::{Member, MembersPage};
use puls_store::{DefinitionRecord, json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::time::format_ms;

/// A saved segment with its current member count.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentDto {
    pub key: String,
    /// `{"key", "name", "rule"}`; see the docs for the rule language.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// Live contacts matching the rule now.
    pub members: u64,
    pub created_at: String,
    pub updated_at: String,
}

impl SegmentDto {
    pub fn of(r: &DefinitionRecord, members: u64) -> SegmentDto {
        SegmentDto {
            key: r.key.clone(),
            definition: json::to_json(&r.definition),
            members,
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
        }
    }
}

/// A page of a segment's members.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub id: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
}

/// A page of members.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MembersPage)]
pub struct MembersPageDto {
    /// All members now.
    pub total: u64,
    pub items: Vec<MemberDto>,
    pub next_cursor: Option<String>,
}

impl From<MembersPage> for MembersPageDto {
    fn from(p: MembersPage) -> Self {
        MembersPageDto {
            total: p.total,
            items: p
                .items
                .into_iter()
                .map(|m: Member| MemberDto {
                    id: m.id,
                    external_id: m.external_id,
                    email: m.email,
                })
                .collect(),
            next_cursor: p.next_cursor,
        }
    }
}
