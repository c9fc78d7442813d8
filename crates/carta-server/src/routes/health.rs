//! Liveness and readiness, for load balancers and orchestrators; no auth.

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::model::Health;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The store answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match state.store().ping().await {
        Ok(()) => Ok(Json(Health { status: "ready" })),
        Err(error) => {
            tracing::warn!(%error, "store not reachable");
            Err(ApiError::new(
                ErrorCode::Unavailable,
                "the store is not reachable",
            ))
        }
    }
}
