//! User administration: global admins only.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::model::{CreateUser, UpdateUser, UserBody};
use crate::routes::{hash_password, validate_email, validate_name, validate_password};
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{NewUser, UserChange};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// Every user.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [UserBody]), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserBody>>, ApiError> {
    caller.require_admin()?;
    let users = state.store().list_users().await?;
    Ok(Json(users.into_iter().map(UserBody::from).collect()))
}

/// Creates a user with an initial password.
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, body = UserBody),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "email already taken", body = ErrorBody),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<UserBody>), ApiError> {
    caller.require_admin()?;
    let email = validate_email(&body.email)?;
    let full_name = validate_name("full_name", &body.full_name)?;
    validate_password(&body.password)?;
    let password_hash = hash_password(body.password).await?;
    let user = state
        .store()
        .create_user(NewUser {
            email,
            full_name,
            password_hash,
            role: body.role,
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "user.create",
                workspace_id: None,
                resource_type: "user",
                resource_id: Some(user.id.to_string()),
                details: json!({ "email": user.email, "role": user.role }),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Changes a user's name, role, or disables them (which revokes their tokens).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")),
    request_body = UpdateUser,
    responses(
        (status = 200, body = UserBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "admins cannot demote or disable themselves", body = ErrorBody),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> Result<Json<UserBody>, ApiError> {
    caller.require_admin()?;
    // Keeps at least the acting admin, so the server cannot lose its last one.
    let demotes_self = body.role.is_some_and(|role| role != caller.user.role);
    if id == caller.user.id && (demotes_self || body.disabled == Some(true)) {
        return Err(ApiError::conflict(
            "administrators cannot change their own role or disable themselves",
        ));
    }
    let full_name = body
        .full_name
        .as_deref()
        .map(|name| validate_name("full_name", name))
        .transpose()?;
    let store = state.store();
    let user = store
        .update_user(
            id,
            UserChange {
                full_name,
                role: body.role,
                password_hash: None,
                disabled: body.disabled,
            },
        )
        .await?;
    if body.disabled == Some(true) {
        store
            .revoke_user_tokens(id, None, OffsetDateTime::now_utc())
            .await?;
    }
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "user.update",
                workspace_id: None,
                resource_type: "user",
                resource_id: Some(id.to_string()),
                details: json!({
                    "full_name": body.full_name.is_some(),
                    "role": body.role,
                    "disabled": body.disabled,
                }),
            },
        )
        .await?;
    Ok(Json(user.into()))
}
