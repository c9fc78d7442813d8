//! Login, logout, the caller's own account, and API tokens.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::model::{
    CreatedToken, LoginRequest, LoginResponse, NewTokenRequest, PasswordChange, TokenBody, UserBody,
};
use crate::routes::{
    hash_password, validate_email, validate_name, validate_password, verify_password,
};
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::secrets;
use carta_store::{NewToken, Scope, TokenKind, UserChange};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// Longest an API token may live, in days.
const MAX_TOKEN_DAYS: u32 = 3650;

/// Logs in with email and password and returns a session token.
///
/// An unknown email and a wrong password get the same answer and take the
/// same time. Failures are limited per account and per client IP.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 429, description = "too many failures; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientMeta,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    // Checked before anything is counted or written: an oversized or
    // control-character email is a bad request, not an attempt.
    let account = validate_email(&body.email)?;
    let reservation = state
        .limiter()
        .reserve(&account, client.ip)
        .map_err(|wait| {
            tracing::warn!(ip = ?client.ip, "login throttled");
            ApiError::rate_limited(wait)
        })?;
    let found = state.store().user_by_email(&account).await?;
    // Unknown emails verify against a decoy hash, so timing tells nothing.
    let hash = found
        .as_ref()
        .map_or(state.decoy_hash(), |found| found.password_hash.as_str())
        .to_string();
    let password_ok = verify_password(body.password, hash).await;
    let user = match found {
        Some(found) if password_ok && found.user.disabled_at.is_none() => found.user,
        other => {
            // The reservation stays counted: it was a failure.
            drop(reservation);
            let event = AuditEvent {
                action: "auth.login_failed",
                workspace_id: None,
                resource_type: "user",
                resource_id: other.as_ref().map(|found| found.user.id.to_string()),
                details: json!({ "email": account }),
            };
            state
                .audit(other.map(|found| found.user.id), &client, event)
                .await?;
            return Err(ApiError::unauthorized("invalid email or password"));
        }
    };
    state.limiter().release(reservation);
    let secret = secrets::new_token();
    let expires_at = OffsetDateTime::now_utc() + state.session_ttl();
    let token = state
        .store()
        .create_token(NewToken {
            user_id: user.id,
            kind: TokenKind::Session,
            name: None,
            token_hash: secret.hash,
            scopes: vec![Scope::Read, Scope::Write],
            expires_at: Some(expires_at),
        })
        .await?;
    state
        .audit(
            Some(user.id),
            &client,
            AuditEvent {
                action: "auth.login",
                workspace_id: None,
                resource_type: "token",
                resource_id: Some(token.id.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(Json(LoginResponse {
        token: secret.plain,
        expires_at,
        user: user.into(),
    }))
}

/// Ends the session (or revokes the API token) the request is made with.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
) -> Result<StatusCode, ApiError> {
    let now = OffsetDateTime::now_utc();
    state.store().revoke_token(caller.token.id, now).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "auth.logout",
                workspace_id: None,
                resource_type: "token",
                resource_id: Some(caller.token.id.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserBody), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<UserBody> {
    Json(caller.user.into())
}

/// Changes the caller's password and revokes every other session and token.
#[utoipa::path(post, path = "/me/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204),
        (status = 400, description = "new password too short", body = ErrorBody),
        (status = 403, description = "wrong current password, or not a login session", body = ErrorBody),
        (status = 429, description = "too many failures; see Retry-After", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    caller.require_session()?;
    validate_password(&body.new_password)?;
    let current = state
        .store()
        .user_by_email(&caller.user.email)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid token"))?;
    // Guessing the current password with a stolen session is throttled
    // and audited like guessing it at login.
    let reservation = state
        .limiter()
        .reserve(&current.user.email, client.ip)
        .map_err(ApiError::rate_limited)?;
    if !verify_password(body.current_password, current.password_hash).await {
        drop(reservation);
        state
            .audit(
                Some(caller.user.id),
                &client,
                AuditEvent {
                    action: "auth.password_change_failed",
                    workspace_id: None,
                    resource_type: "user",
                    resource_id: Some(caller.user.id.to_string()),
                    details: json!({}),
                },
            )
            .await?;
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    state.limiter().release(reservation);
    let password_hash = hash_password(body.new_password).await?;
    let store = state.store();
    store
        .update_user(
            caller.user.id,
            UserChange {
                password_hash: Some(password_hash),
                ..UserChange::default()
            },
        )
        .await?;
    let revoked = store
        .revoke_user_tokens(
            caller.user.id,
            Some(caller.token.id),
            OffsetDateTime::now_utc(),
        )
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "auth.password_change",
                workspace_id: None,
                resource_type: "user",
                resource_id: Some(caller.user.id.to_string()),
                details: json!({ "revoked_tokens": revoked }),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's sessions and API tokens (never their secrets).
#[utoipa::path(get, path = "/me/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [TokenBody]), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenBody>>, ApiError> {
    let tokens = state.store().list_tokens(caller.user.id).await?;
    Ok(Json(tokens.into_iter().map(TokenBody::from).collect()))
}

/// Creates an API token; its secret is in this response only.
#[utoipa::path(post, path = "/me/tokens", tag = "auth", security(("bearer" = [])),
    request_body = NewTokenRequest,
    responses(
        (status = 201, body = CreatedToken),
        (status = 400, body = ErrorBody),
        (status = 403, description = "not a login session", body = ErrorBody),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiJson(body): ApiJson<NewTokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    caller.require_session()?;
    let name = validate_name("token name", &body.name)?;
    if body.scopes.is_empty() {
        return Err(ApiError::bad_request("a token needs at least one scope"));
    }
    let expires_at = match body.expires_in_days {
        Some(days @ 1..=MAX_TOKEN_DAYS) => {
            Some(OffsetDateTime::now_utc() + time::Duration::days(i64::from(days)))
        }
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "expires_in_days must be between 1 and {MAX_TOKEN_DAYS}"
            )))
        }
        None => None,
    };
    let secret = secrets::new_token();
    let token = state
        .store()
        .create_token(NewToken {
            user_id: caller.user.id,
            kind: TokenKind::Api,
            name: Some(name),
            token_hash: secret.hash,
            scopes: body.scopes,
            expires_at,
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "token.create",
                workspace_id: None,
                resource_type: "token",
                resource_id: Some(token.id.to_string()),
                details: json!({ "name": token.name, "scopes": token.scopes }),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: secret.plain,
            info: token.into(),
        }),
    ))
}

/// Revokes one of the caller's tokens; it stops working at once.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "token id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let store = state.store();
    let owned = store
        .list_tokens(caller.user.id)
        .await?
        .into_iter()
        .any(|token| token.id == id);
    if !owned {
        return Err(ApiError::not_found("token"));
    }
    store.revoke_token(id, OffsetDateTime::now_utc()).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "token.revoke",
                workspace_id: None,
                resource_type: "token",
                resource_id: Some(id.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
