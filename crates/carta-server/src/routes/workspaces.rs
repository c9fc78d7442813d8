//! Workspaces: listing, creation, rename, soft delete and restore.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientMeta};
use crate::model::{WorkspaceBody, WorkspaceName};
use crate::routes::validate_name;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{MemberRole, UserRole};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Admins only: every workspace, not just the caller's.
    #[serde(default)]
    all: bool,
    /// Admins only, with `all`: include soft-deleted workspaces.
    #[serde(default)]
    deleted: bool,
}

/// The caller's workspaces (admins: `?all=true`, `&deleted=true`).
#[utoipa::path(get, path = "/workspaces", tag = "workspaces", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = [WorkspaceBody]), (status = 403, body = ErrorBody)))]
pub async fn list_workspaces(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<WorkspaceBody>>, ApiError> {
    let store = state.store();
    if query.all || query.deleted {
        caller.require_admin()?;
        let all = store.all_workspaces(query.deleted).await?;
        return Ok(Json(
            all.into_iter()
                .map(|workspace| WorkspaceBody::new(workspace, MemberRole::Owner))
                .collect(),
        ));
    }
    let mine = store.workspaces_of(caller.user.id).await?;
    Ok(Json(
        mine.into_iter()
            .map(|(workspace, role)| WorkspaceBody::new(workspace, role))
            .collect(),
    ))
}

/// Creates a workspace owned by the caller (admins and developers).
#[utoipa::path(post, path = "/workspaces", tag = "workspaces", security(("bearer" = [])),
    request_body = WorkspaceName,
    responses((status = 201, body = WorkspaceBody), (status = 400, body = ErrorBody),
        (status = 403, description = "analysts cannot create workspaces", body = ErrorBody)))]
pub async fn create_workspace(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiJson(body): ApiJson<WorkspaceName>,
) -> Result<(StatusCode, Json<WorkspaceBody>), ApiError> {
    if caller.user.role == UserRole::Analyst {
        return Err(ApiError::forbidden("analysts cannot create workspaces"));
    }
    let name = validate_name("name", &body.name)?;
    let workspace = state
        .store()
        .create_workspace(&name, caller.user.id)
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "workspace.create",
                workspace_id: Some(workspace.id),
                resource_type: "workspace",
                resource_id: Some(workspace.id.to_string()),
                details: json!({ "name": workspace.name }),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WorkspaceBody::new(workspace, MemberRole::Owner)),
    ))
}

/// One workspace (any member).
#[utoipa::path(get, path = "/workspaces/{id}", tag = "workspaces", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = WorkspaceBody), (status = 404, body = ErrorBody)))]
pub async fn get_workspace(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    Ok(Json(WorkspaceBody::new(access.workspace, access.role)))
}

/// Renames a workspace (owners).
#[utoipa::path(patch, path = "/workspaces/{id}", tag = "workspaces", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = WorkspaceName,
    responses((status = 200, body = WorkspaceBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn rename_workspace(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<WorkspaceName>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Owner).await?;
    let name = validate_name("name", &body.name)?;
    let workspace = state.store().rename_workspace(id, &name).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "workspace.rename",
                workspace_id: Some(id),
                resource_type: "workspace",
                resource_id: Some(id.to_string()),
                details: json!({ "from": access.workspace.name, "to": workspace.name }),
            },
        )
        .await?;
    Ok(Json(WorkspaceBody::new(workspace, access.role)))
}

/// Deletes a workspace (owners); an admin can restore it.
#[utoipa::path(delete, path = "/workspaces/{id}", tag = "workspaces", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_workspace(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Owner).await?;
    state
        .store()
        .delete_workspace(id, OffsetDateTime::now_utc())
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "workspace.delete",
                workspace_id: Some(id),
                resource_type: "workspace",
                resource_id: Some(id.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restores a deleted workspace (global admins).
#[utoipa::path(post, path = "/workspaces/{id}/restore", tag = "workspaces", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = WorkspaceBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn restore_workspace(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    caller.require_admin()?;
    let workspace = state.store().restore_workspace(id).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "workspace.restore",
                workspace_id: Some(id),
                resource_type: "workspace",
                resource_id: Some(id.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(Json(WorkspaceBody::new(workspace, MemberRole::Owner)))
}
