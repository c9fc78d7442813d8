//! Workspace memberships. Admins manage members below owner; only owners
//! grant, change or remove the owner role; anyone may leave.

use crate::auth::{workspace_access, Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::model::{AddMember, MemberBody, MemberRoleChange};
use crate::routes::validate_email;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{MemberRole, Membership};
use serde_json::json;
use uuid::Uuid;

/// Touching the owner role, on either side of a change, takes an owner.
fn check_may_assign(access: &Access, roles: &[MemberRole]) -> Result<(), ApiError> {
    if roles.contains(&MemberRole::Owner) && access.role < MemberRole::Owner {
        return Err(ApiError::forbidden(
            "only owners can grant or change the owner role",
        ));
    }
    Ok(())
}

async fn member(state: &AppState, workspace: Uuid, user: Uuid) -> Result<Membership, ApiError> {
    state
        .store()
        .membership(workspace, user)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))
}

/// The workspace's members (any member).
#[utoipa::path(get, path = "/workspaces/{id}/members", tag = "members", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = [MemberBody]), (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<MemberBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let members = state.store().members(id).await?;
    Ok(Json(members.into_iter().map(MemberBody::from).collect()))
}

/// Adds an existing user by email (workspace admins; owners for the owner role).
#[utoipa::path(post, path = "/workspaces/{id}/members", tag = "members", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = AddMember,
    responses((status = 201, body = MemberBody), (status = 403, body = ErrorBody),
        (status = 404, description = "no such workspace or user", body = ErrorBody),
        (status = 409, description = "already a member", body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AddMember>,
) -> Result<(StatusCode, Json<MemberBody>), ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    check_may_assign(&access, &[body.role])?;
    let email = validate_email(&body.email)?;
    let store = state.store();
    let user = store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?
        .user;
    let membership = store.add_member(id, user.id, body.role).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "member.add",
                workspace_id: Some(id),
                resource_type: "membership",
                resource_id: Some(user.id.to_string()),
                details: json!({ "email": user.email, "role": body.role }),
            },
        )
        .await?;
    let data = json!({
        "user_id": user.id,
        "email": user.email,
        "role": body.role,
        "by": caller.user.id,
    });
    crate::events::emit(&state, id, crate::events::EventKind::MemberAdded, data).await;
    Ok((StatusCode::CREATED, Json(membership.into())))
}

/// Changes a member's role (workspace admins; owners when owner is involved).
#[utoipa::path(patch, path = "/workspaces/{id}/members/{user_id}", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("user_id" = Uuid, Path, description = "member's user id")),
    request_body = MemberRoleChange,
    responses((status = 200, body = MemberBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "would leave the workspace without an owner", body = ErrorBody)))]
pub async fn change_member(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<MemberRoleChange>,
) -> Result<Json<MemberBody>, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let current = member(&state, id, user_id).await?;
    check_may_assign(&access, &[current.role, body.role])?;
    let membership = state
        .store()
        .set_member_role(id, user_id, body.role)
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "member.update",
                workspace_id: Some(id),
                resource_type: "membership",
                resource_id: Some(user_id.to_string()),
                details: json!({ "from": current.role, "to": body.role }),
            },
        )
        .await?;
    Ok(Json(membership.into()))
}

/// Removes a member (workspace admins; owners for owners; anyone for themselves).
#[utoipa::path(delete, path = "/workspaces/{id}/members/{user_id}", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("user_id" = Uuid, Path, description = "member's user id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the last owner cannot leave", body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let leaving = user_id == caller.user.id;
    let needed = if leaving {
        MemberRole::Viewer
    } else {
        MemberRole::Admin
    };
    let access = workspace_access(&state, &caller, id, needed).await?;
    let current = member(&state, id, user_id).await?;
    if !leaving {
        check_may_assign(&access, &[current.role])?;
    }
    state.store().remove_member(id, user_id).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "member.remove",
                workspace_id: Some(id),
                resource_type: "membership",
                resource_id: Some(user_id.to_string()),
                details: json!({ "role": current.role, "left": leaving }),
            },
        )
        .await?;
    let data = json!({
        "user_id": user_id,
        "email": current.user_email,
        "role": current.role,
        "left": leaving,
    });
    crate::events::emit(&state, id, crate::events::EventKind::MemberRemoved, data).await;
    Ok(StatusCode::NO_CONTENT)
}
