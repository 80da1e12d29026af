//! Journeys as data on the wire.

use puls_store::{DefinitionRecord, json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::format_ms;

/// A stored journey.
#[derive(Debug, Serialize, ToSchema)]
pub struct JourneyDto {
    pub key: String,
    /// The canonical definition: `key`, `name`, `conversion_window_days` and `stages`, each
    /// with `touchpoints` (`key`, `name`, `channel`, `events` matchers, `surveys`).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

impl JourneyDto {
    pub fn of(r: &DefinitionRecord) -> JourneyDto {
        JourneyDto {
            key: r.key.clone(),
            definition: json::to_json(&r.definition),
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
        }
    }
}
