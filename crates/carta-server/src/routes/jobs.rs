//! The job queue of a workspace: enqueue (sync only for now), follow, cancel.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::jobs::sync_payload;
use crate::model::{CreateJob, JobBody};
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{JobKind, MemberRole, NewJob};
use serde_json::json;
use uuid::Uuid;

/// Enqueues a sync of one of the workspace's connections and audits it.
pub(crate) async fn enqueue_sync(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    workspace: Uuid,
    connection: Uuid,
) -> Result<JobBody, ApiError> {
    state
        .store()
        .connection(workspace, connection)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    let job = state
        .store()
        .enqueue_job(NewJob {
            workspace_id: workspace,
            kind: JobKind::Sync,
            payload: sync_payload(connection),
            created_by: Some(caller.user.id),
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            client,
            AuditEvent {
                action: "job.enqueue",
                workspace_id: Some(workspace),
                resource_type: "job",
                resource_id: Some(job.id.to_string()),
                details: json!({ "kind": job.kind, "connection_id": connection }),
            },
        )
        .await?;
    Ok(job.into())
}

/// Enqueues a job (workspace editors): `sync`, or `docs` (with an optional
/// `version`); `mock` is refused here.
#[utoipa::path(post, path = "/workspaces/{id}/jobs", tag = "jobs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = CreateJob,
    responses((status = 202, description = "queued", body = JobBody),
        (status = 400, description = "a kind not implemented yet", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_job(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateJob>,
) -> Result<(StatusCode, Json<JobBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let job = match body.kind {
        JobKind::Sync => enqueue_sync(&state, &caller, &client, id, body.connection_id).await?,
        JobKind::Docs => {
            crate::routes::docs::enqueue_docs(
                &state,
                &caller,
                &client,
                id,
                body.connection_id,
                body.version,
            )
            .await?
        }
        JobKind::Mock => {
            return Err(ApiError::bad_request(format!(
                "{} jobs are not yet available",
                body.kind
            )))
        }
    };
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// One job, with its status, progress and error (any member).
#[utoipa::path(get, path = "/workspaces/{id}/jobs/{job_id}", tag = "jobs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("job_id" = Uuid, Path, description = "job id")),
    responses((status = 200, body = JobBody), (status = 404, body = ErrorBody)))]
pub async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, job_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<JobBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let job = state
        .store()
        .job(id, job_id)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Json(job.into()))
}

/// Cancels a pending job, or asks a running one to stop (workspace
/// editors); 409 when it has already ended.
#[utoipa::path(post, path = "/workspaces/{id}/jobs/{job_id}/cancel", tag = "jobs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("job_id" = Uuid, Path, description = "job id")),
    responses((status = 200, body = JobBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_job(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, job_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<JobBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let job = state.store().cancel_job(id, job_id).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "job.cancel",
                workspace_id: Some(id),
                resource_type: "job",
                resource_id: Some(job_id.to_string()),
                details: json!({ "status": job.status }),
            },
        )
        .await?;
    Ok(Json(job.into()))
}
