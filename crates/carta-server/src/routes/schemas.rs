//! Schema history: sync a connection, list its versions, diff two, and
//! search the latest versions of a workspace.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, ClientMeta};
use crate::model::{JobBody, SchemaVersionBody, SearchHit};
use crate::routes::jobs::enqueue_sync;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carta_catalog::Catalog;
use carta_store::MemberRole;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// The most search hits one call returns.
const MAX_SEARCH_HITS: u32 = 500;
const DEFAULT_SEARCH_HITS: u32 = 100;

/// Queues a sync of the connection (workspace editors): the job ingests it
/// and keeps a new version if the schema changed.
#[utoipa::path(post, path = "/workspaces/{id}/connections/{cid}/sync", tag = "schemas",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    responses((status = 202, description = "queued; follow it at /jobs/{job_id}", body = JobBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sync_connection(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<JobBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let job = enqueue_sync(&state, &caller, &client, id, cid).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// NotFound unless the connection is one of the workspace's.
async fn require_connection(state: &AppState, workspace: Uuid, id: Uuid) -> Result<(), ApiError> {
    state
        .store()
        .connection(workspace, id)
        .await?
        .map(drop)
        .ok_or_else(|| ApiError::not_found("connection"))
}

/// The connection's versions, newest first (any member).
#[utoipa::path(get, path = "/workspaces/{id}/connections/{cid}/versions", tag = "schemas",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    responses((status = 200, body = [SchemaVersionBody]), (status = 404, body = ErrorBody)))]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Vec<SchemaVersionBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    require_connection(&state, id, cid).await?;
    let versions = state.store().schema_versions(id, cid).await?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

/// One version's time, fingerprint and summary (any member).
#[utoipa::path(get, path = "/workspaces/{id}/connections/{cid}/versions/{version}", tag = "schemas",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id"),
        ("version" = u32, Path, description = "version number")),
    responses((status = 200, body = SchemaVersionBody), (status = 404, body = ErrorBody)))]
pub async fn get_version(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid, version)): ApiPath<(Uuid, Uuid, u32)>,
) -> Result<Json<SchemaVersionBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let (version, _) = version_catalog(&state, id, cid, version).await?;
    Ok(Json(version.into()))
}

pub(crate) async fn version_catalog(
    state: &AppState,
    workspace: Uuid,
    connection: Uuid,
    version: u32,
) -> Result<(carta_store::SchemaVersion, Catalog), ApiError> {
    let (found, json) = state
        .store()
        .schema_version(workspace, connection, version)
        .await?
        .ok_or_else(|| ApiError::not_found("version"))?;
    let catalog = serde_json::from_value(json).map_err(|e| ApiError::internal(&e))?;
    Ok((found, catalog))
}

#[derive(Debug, Default, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DiffFormat {
    /// carta-diff's JSON report.
    #[default]
    Json,
    /// A Markdown summary, e.g. for a pull request or a chat message.
    Markdown,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// `json` (default) or `markdown`.
    #[param(inline)]
    format: Option<DiffFormat>,
}

/// What changed from version `from` to version `to` (any member).
#[utoipa::path(get, path = "/workspaces/{id}/connections/{cid}/versions/{from}/diff/{to}", tag = "schemas",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id"),
        ("from" = u32, Path, description = "the older version"),
        ("to" = u32, Path, description = "the newer version"),
        DiffQuery),
    responses((status = 200, description = "the diff report, JSON or Markdown (text/markdown)",
            content((Object = "application/json"), (String = "text/markdown"))),
        (status = 404, body = ErrorBody)))]
pub async fn diff_versions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid, from, to)): ApiPath<(Uuid, Uuid, u32, u32)>,
    ApiQuery(query): ApiQuery<DiffQuery>,
) -> Result<Response, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let (_, older) = version_catalog(&state, id, cid, from).await?;
    let (_, newer) = version_catalog(&state, id, cid, to).await?;
    let diff = carta_diff::diff(&older, &newer, &Default::default());
    let (content_type, body) = match query.format.unwrap_or_default() {
        DiffFormat::Json => ("application/json", carta_diff::render_json(&diff)),
        DiffFormat::Markdown => (
            "text/markdown; charset=utf-8",
            carta_diff::render_markdown(&diff),
        ),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Text to find in table and column names and comments, ignoring case.
    q: String,
    /// At most this many hits, 1 to 500 (default 100).
    limit: Option<u32>,
}

/// Tables and columns of the latest version of each of the workspace's
/// connections whose name or comment contains `q` (any member).
#[utoipa::path(get, path = "/workspaces/{id}/search", tag = "schemas",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"), SearchQuery),
    responses((status = 200, body = [SearchHit]), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let needle = query.q.trim();
    if needle.is_empty() {
        return Err(ApiError::bad_request("q must not be empty"));
    }
    crate::routes::validate_text("q", needle)?;
    let limit = query
        .limit
        .unwrap_or(DEFAULT_SEARCH_HITS)
        .clamp(1, MAX_SEARCH_HITS);
    let hits = state.store().search_schemas(id, needle, limit).await?;
    Ok(Json(hits.into_iter().map(Into::into).collect()))
}
