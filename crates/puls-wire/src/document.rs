//! Definition documents (surveys, journeys, segments) as their authors write them: JSON or
//! YAML, read into the core's format-neutral `Value`.

use puls_core::Value;
use puls_store::json;

/// A definition document: JSON, or YAML when `yaml` is set.
pub fn parse_document(text: &str, yaml: bool) -> Result<Value, String> {
    if yaml {
        let tree: serde_json::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        Ok(json::from_json(&tree))
    } else {
        json::from_text(text).map_err(|e| e.to_string())
    }
}
