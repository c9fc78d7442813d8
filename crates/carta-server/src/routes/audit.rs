//! Reading the audit trail: a workspace's (its admins and owners) or the
//! whole server's (global admins).

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::model::{AuditBody, AuditPage};
use crate::routes::validate_text;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use carta_store::{AuditFilter, MemberRole};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Actions starting with this, e.g. `connection.` or `auth.login_failed`.
    action: Option<String>,
    /// Only entries by this user id.
    actor: Option<Uuid>,
    /// RFC 3339 instant, inclusive.
    since: Option<String>,
    /// RFC 3339 instant, exclusive.
    until: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<Uuid>,
}

fn instant(name: &str, text: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    text.map(|text| {
        OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|_| ApiError::bad_request(format!("{name} must be an RFC 3339 instant")))
    })
    .transpose()
}

async fn page(
    state: &AppState,
    workspace_id: Option<Uuid>,
    query: AuditQuery,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = query.limit.unwrap_or(AuditFilter::DEFAULT_LIMIT);
    if !(1..=AuditFilter::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {}",
            AuditFilter::MAX_LIMIT
        )));
    }
    if let Some(action) = &query.action {
        validate_text("action", action)?;
    }
    let filter = AuditFilter {
        workspace_id,
        actor_id: query.actor,
        action: query.action.filter(|action| !action.is_empty()),
        since: instant("since", query.since.as_deref())?,
        until: instant("until", query.until.as_deref())?,
        limit: Some(limit),
        before_id: query.cursor,
    };
    let items: Vec<AuditBody> = state
        .store()
        .audits(filter)
        .await?
        .into_iter()
        .map(AuditBody::from)
        .collect();
    let full = items.len() == limit as usize;
    let next_cursor = items.last().filter(|_| full).map(|last| last.id);
    Ok(Json(AuditPage { items, next_cursor }))
}

/// The workspace's audit trail, newest first (workspace admins and owners).
#[utoipa::path(get, path = "/workspaces/{id}/audit", tag = "audit", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"), AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn workspace_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    page(&state, Some(id), query).await
}

/// The whole server's audit trail, newest first (global admins).
#[utoipa::path(get, path = "/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn global_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    caller.require_admin()?;
    page(&state, None, query).await
}
