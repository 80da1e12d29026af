//! Journeys as data on the wire.

use puls_app::AppError;
use puls_store::DefinitionRecord;
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
    pub fn of(r: &DefinitionRecord) -> Result<JourneyDto, AppError> {
        Ok(JourneyDto {
            key: r.key.clone(),
            definition: serde_json::from_str(&r.definition)
                .map_err(|e| anyhow::anyhow!("stored journey {} is not JSON: {e}", r.key))?,
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
        })
    }
}
