//! HTTP routes, one module per endpoint group.

pub mod analytics;
pub mod cases;
pub mod contacts;
pub mod contacts_import;
pub mod distributions;
pub mod email;
pub mod events;
pub mod health;
pub mod journeys;
pub mod pages;
pub mod responses;
pub mod segments;
pub mod sms;
pub mod surveys;
pub mod text;
pub mod tracking;
pub mod triggers;
pub mod webhooks;
pub mod widget;

/// A list's page size as asked (`limit`), 1-500, default 50; else 400 `invalid_query`.
pub(crate) fn page_limit(limit: Option<i64>) -> Result<i64, crate::error::ApiError> {
    match limit.unwrap_or(50) {
        l @ 1..=500 => Ok(l),
        _ => Err(puls_app::AppError::invalid("limit: must be between 1 and 500").into()),
    }
}

/// The `Idempotency-Key` header, if sent: 1-200 visible characters, else 400
/// `invalid_idempotency_key`.
pub(crate) fn idempotency_key(
    headers: &axum::http::HeaderMap,
) -> Result<Option<String>, crate::error::ApiError> {
    use puls_app::responses::MAX_IDEMPOTENCY_KEY;
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(k) if !k.trim().is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY => {
                Ok(Some(k.trim().to_string()))
            }
            _ => Err(crate::error::ApiError::new(
                puls_wire::ErrorCode::InvalidIdempotencyKey,
                format!("Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
            )),
        },
    }
}
