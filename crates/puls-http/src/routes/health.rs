//! Liveness and readiness: `GET /healthz` answers 200 when the database does.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;
use puls_wire::surveys::Health;

/// Health check: 200 when the database answers, 503 when it does not.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(st): State<AppState>) -> (StatusCode, Json<Health>) {
    let (code, status) = match st.app.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    (
        code,
        Json(Health {
            status: status.into(),
            database: st.app.backend().into(),
        }),
    )
}
