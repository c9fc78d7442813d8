//! Database connections of a workspace. URIs are sealed before they reach
//! the store and only ever shown redacted.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::model::{ConnectionBody, ConnectionTestResult, CreateConnection, UpdateConnection};
use crate::probe;
use crate::routes::validate_name;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{Connection, ConnectionChange, DbType, MemberRole, NewConnection, UriChange};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

async fn connection(state: &AppState, workspace: Uuid, id: Uuid) -> Result<Connection, ApiError> {
    state
        .store()
        .connection(workspace, id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))
}

fn uri_error(error: probe::UriError) -> ApiError {
    ApiError::bad_request(error.to_string())
}

/// A URI a connection may hold: of a known database type and, for
/// SQLite, a file the server allows (see [`probe::SqliteTargets`]).
/// Network targets are not restricted: reaching internal databases is what
/// a self-hosted server is for.
fn allowed_target(state: &AppState, uri: &str, db_type: DbType) -> Result<(), ApiError> {
    probe::check_uri(uri, db_type).map_err(uri_error)?;
    if db_type == DbType::Sqlite {
        state
            .sqlite_targets()
            .resolve(uri)
            .map_err(|refused| ApiError::bad_request(refused.to_string()))?;
    }
    Ok(())
}

/// The workspace's connections (any member).
#[utoipa::path(get, path = "/workspaces/{id}/connections", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = [ConnectionBody]), (status = 404, body = ErrorBody)))]
pub async fn list_connections(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<ConnectionBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let connections = state.store().connections(id).await?;
    Ok(Json(
        connections.into_iter().map(ConnectionBody::from).collect(),
    ))
}

/// Adds a connection (workspace admins). The URI is encrypted at rest.
#[utoipa::path(post, path = "/workspaces/{id}/connections", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = CreateConnection,
    responses((status = 201, body = ConnectionBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "name taken in this workspace", body = ErrorBody)))]
pub async fn create_connection(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateConnection>,
) -> Result<(StatusCode, Json<ConnectionBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let name = validate_name("name", &body.name)?;
    allowed_target(&state, &body.uri, body.db_type)?;
    let connection = state
        .store()
        .create_connection(NewConnection {
            workspace_id: id,
            name,
            db_type: body.db_type,
            mode: body.mode,
            uri: state.seal(&body.uri),
            redacted_uri: carta_source::redact_url(&body.uri),
            created_by: Some(caller.user.id),
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "connection.create",
                workspace_id: Some(id),
                resource_type: "connection",
                resource_id: Some(connection.id.to_string()),
                details: json!({
                    "name": connection.name,
                    "db_type": connection.db_type,
                    "mode": connection.mode,
                    "uri": connection.redacted_uri,
                }),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(connection.into())))
}

/// One connection (any member).
#[utoipa::path(get, path = "/workspaces/{id}/connections/{cid}", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    responses((status = 200, body = ConnectionBody), (status = 404, body = ErrorBody)))]
pub async fn get_connection(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<ConnectionBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    Ok(Json(connection(&state, id, cid).await?.into()))
}

/// Renames a connection, changes its mode or its URI (workspace admins).
#[utoipa::path(patch, path = "/workspaces/{id}/connections/{cid}", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    request_body = UpdateConnection,
    responses((status = 200, body = ConnectionBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_connection(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<UpdateConnection>,
) -> Result<Json<ConnectionBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let name = body
        .name
        .as_deref()
        .map(|name| validate_name("name", name))
        .transpose()?;
    let (db_type, uri) = match body.uri.as_deref() {
        Some(uri) => {
            let db_type = probe::db_type_of(uri).map_err(uri_error)?;
            allowed_target(&state, uri, db_type)?;
            let change = UriChange {
                sealed: state.seal(uri),
                redacted: carta_source::redact_url(uri),
            };
            (Some(db_type), Some(change))
        }
        None => (None, None),
    };
    let connection = state
        .store()
        .update_connection(
            id,
            cid,
            ConnectionChange {
                name,
                db_type,
                mode: body.mode,
                uri,
            },
        )
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "connection.update",
                workspace_id: Some(id),
                resource_type: "connection",
                resource_id: Some(cid.to_string()),
                details: json!({
                    "name": body.name.as_ref().map(|_| &connection.name),
                    "mode": body.mode,
                    "uri": body.uri.as_ref().map(|_| &connection.redacted_uri),
                }),
            },
        )
        .await?;
    Ok(Json(connection.into()))
}

/// Deletes a connection (workspace admins).
#[utoipa::path(delete, path = "/workspaces/{id}/connections/{cid}", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_connection(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    state.store().delete_connection(id, cid).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "connection.delete",
                workspace_id: Some(id),
                resource_type: "connection",
                resource_id: Some(cid.to_string()),
                details: json!({}),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Connects (with a timeout) and reports the server version or why it
/// failed, credentials removed (workspace editors).
#[utoipa::path(post, path = "/workspaces/{id}/connections/{cid}/test", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    responses((status = 200, description = "tested; `ok` tells the outcome", body = ConnectionTestResult),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test_connection(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<ConnectionTestResult>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let connection = connection(&state, id, cid).await?;
    let uri = state.open(&connection.uri)?;
    let started = std::time::Instant::now();
    let outcome = probe::server_version(
        connection.db_type,
        &uri,
        state.sqlite_targets(),
        state.connection_test_timeout(),
    )
    .await;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let detail = match &outcome {
        Ok(version) | Err(version) => version.as_str(),
    };
    state
        .store()
        .record_connection_test(id, cid, OffsetDateTime::now_utc(), outcome.is_ok(), detail)
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "connection.test",
                workspace_id: Some(id),
                resource_type: "connection",
                resource_id: Some(cid.to_string()),
                details: json!({ "ok": outcome.is_ok(), "detail": detail }),
            },
        )
        .await?;
    let (server_version, error) = match outcome {
        Ok(version) => (Some(version), None),
        Err(message) => (None, Some(message)),
    };
    Ok(Json(ConnectionTestResult {
        ok: server_version.is_some(),
        server_version,
        error,
        elapsed_ms,
    }))
}
