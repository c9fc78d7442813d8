//! Authentication (who is calling: the bearer token) and authorization (what
//! they may do: global role, token scope, workspace role).

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use carta_store::secrets;
use carta_store::{MemberRole, Scope, Token, TokenKind, User, UserRole, Workspace};
use time::OffsetDateTime;
use uuid::Uuid;

/// An authenticated caller: a live token and its enabled user.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub token: Token,
    /// The request's usage record, when the route is metered.
    pub usage: Option<crate::usage::Slot>,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.user.role == UserRole::Admin
    }

    /// Password changes and token creation need a login session: an API
    /// token must not be able to mint more tokens or lock its owner out.
    pub fn require_session(&self) -> Result<(), ApiError> {
        if self.token.kind == TokenKind::Session {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this needs a login session, not an API token",
            ))
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only administrators may do this"))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let plain = bearer(parts)?;
        let store = state.store();
        let token = store
            .token_by_hash(&secrets::token_hash(plain))
            .await?
            .ok_or_else(|| ApiError::unauthorized("invalid token"))?;
        let now = OffsetDateTime::now_utc();
        if !token.is_active(now) {
            return Err(if token.revoked_at.is_some() {
                ApiError::unauthorized("token revoked")
            } else {
                ApiError::new(ErrorCode::TokenExpired, "token expired")
            });
        }
        let user = store
            .user(token.user_id)
            .await?
            .filter(|user| user.disabled_at.is_none())
            .ok_or_else(|| ApiError::unauthorized("invalid token"))?;
        // Reads need `read` and everything else `write`: a write-only
        // token can push changes but not read data back.
        let (needed, refusal) = if matches!(parts.method, Method::GET | Method::HEAD) {
            (Scope::Read, "this token has no read scope")
        } else {
            (Scope::Write, "this token is read-only")
        };
        if !token.allows(needed) {
            return Err(ApiError::forbidden(refusal));
        }
        // The store writes `last_used_at` only once a minute per token.
        store.touch_token(token.id, now).await?;
        let usage = parts.extensions.get::<crate::usage::Slot>().cloned();
        if let Some(slot) = &usage {
            slot.identify(token.id, user.id);
        }
        Ok(Caller { user, token, usage })
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    value
        .to_str()
        .ok()
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::unauthorized("expected `Authorization: Bearer <token>`"))
}

/// A workspace the caller may act on, and the role they act with.
pub struct Access {
    pub workspace: Workspace,
    pub role: MemberRole,
}

/// The caller's access to a workspace, requiring at least `needed`. A
/// workspace the caller is not a member of does not exist for them (404,
/// never 403: its existence is not disclosed). Global admins act as owners
/// everywhere.
pub async fn workspace_access(
    state: &AppState,
    caller: &Caller,
    workspace_id: Uuid,
    needed: MemberRole,
) -> Result<Access, ApiError> {
    let store = state.store();
    let workspace = store
        .workspace(workspace_id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    let role = if caller.is_admin() {
        MemberRole::Owner
    } else {
        store
            .membership(workspace_id, caller.user.id)
            .await?
            .ok_or_else(|| ApiError::not_found("workspace"))?
            .role
    };
    // A member's request, allowed or not, counts against the workspace's
    // quota; a non-member's never does, and global admins (who set quotas)
    // are metered but never refused.
    if let Some(slot) = &caller.usage {
        slot.admit(workspace_id, !caller.is_admin())?;
    }
    if role < needed {
        return Err(ApiError::forbidden(format!(
            "this needs the {needed} role in the workspace"
        )));
    }
    Ok(Access { workspace, role })
}
