//! Running statements against a connection (every run an execution),
//! following and cancelling executions, and saved queries with their
//! runs and feedback.

use crate::auth::{workspace_access, Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::executions::{self, Format, Ran, Rows, Run};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientMeta};
use crate::routes::validate_name;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carta_query::Rejection;
use carta_store::{
    Connection, DbType, Execution, ExecutionFilter, ExecutionStatus, Feedback, MemberRole,
    NewFeedback, NewQuery, QueryChange, QueryFilter, SavedQuery, Visibility,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest SQL text accepted, in bytes.
const MAX_SQL_BYTES: usize = 256 * 1024;
const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
const MAX_TAGS: usize = 20;
const DEFAULT_EXECUTIONS: u32 = 100;

/// Multi-line text (SQL, a description, a comment) keeps its line breaks
/// and tabs; other control characters (NUL included) are refused.
pub(crate) fn validate_multiline(what: &str, text: &str, max_bytes: usize) -> Result<(), ApiError> {
    if text.len() > max_bytes {
        return Err(ApiError::bad_request(format!(
            "{what} may have at most {max_bytes} bytes"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::bad_request(format!(
            "{what} must not contain control characters other than line breaks and tabs"
        )));
    }
    Ok(())
}

pub fn validate_sql(sql: &str) -> Result<(), ApiError> {
    if sql.trim().is_empty() {
        return Err(ApiError::bad_request("sql must not be empty"));
    }
    validate_multiline("sql", sql, MAX_SQL_BYTES)
}

fn validate_description(description: Option<&str>) -> Result<(), ApiError> {
    description.map_or(Ok(()), |text| {
        validate_multiline("the description", text, MAX_DESCRIPTION_BYTES)
    })
}

pub(crate) async fn connection(
    state: &AppState,
    workspace: Uuid,
    id: Uuid,
) -> Result<Connection, ApiError> {
    state
        .store()
        .connection(workspace, id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))
}

/// A result column.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnBody {
    pub name: String,
    /// The server's name for the type (`int4`, `text`, `varchar`...).
    #[serde(rename = "type")]
    pub type_name: String,
}

/// One run of a statement, whatever its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExecutionBody {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub connection_id: Option<Uuid>,
    /// The saved query it ran, `null` for an ad-hoc statement.
    pub query_id: Option<Uuid>,
    pub sql: String,
    pub executed_by: Option<Uuid>,
    /// `running`, `success`, `failed` or `cancelled`.
    #[schema(value_type = String)]
    pub status: ExecutionStatus,
    pub cancel_requested: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub duration_ms: Option<u64>,
    pub row_count: Option<u64>,
    /// More rows or bytes than the limits: the result was cut.
    pub truncated: bool,
    /// Why it failed (the checks' rejection, the server's message, a
    /// timeout); never holds the connection's URI.
    pub error: Option<String>,
}

impl From<Execution> for ExecutionBody {
    fn from(e: Execution) -> ExecutionBody {
        ExecutionBody {
            id: e.id,
            workspace_id: e.workspace_id,
            connection_id: e.connection_id,
            query_id: e.query_id,
            sql: e.sql_text,
            executed_by: e.executed_by,
            status: e.status,
            cancel_requested: e.cancel_requested,
            started_at: e.started_at,
            finished_at: e.finished_at,
            duration_ms: e.duration_ms,
            row_count: e.row_count,
            truncated: e.truncated,
            error: e.error,
        }
    }
}

/// A run's record with its result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunBody {
    pub execution: ExecutionBody,
    pub columns: Vec<ColumnBody>,
    /// One array per row, cells in column order: numbers and booleans as
    /// JSON, exact decimals as strings, bytes as `\x` hex text.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<serde_json::Value>>,
    pub truncated: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub sql: String,
    /// Rows returned at most, 1 to 10,000 (default 1,000).
    pub max_rows: Option<u64>,
    /// Statement timeout, 1 ms to 300 s (default 30 s).
    pub timeout_ms: Option<u64>,
    /// `json` (default) or `csv` (RFC 4180, `text/csv`).
    #[serde(default)]
    pub format: Format,
    /// Run one INSERT/UPDATE/DELETE/MERGE (schema changes for workspace
    /// admins) on a read-write PostgreSQL connection; editors and up.
    #[serde(default)]
    pub allow_writes: bool,
}

/// A run in write mode changes data: it is audited besides its execution row.
async fn audit_write(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    execution: &Execution,
) -> Result<(), ApiError> {
    state
        .audit(
            Some(caller.user.id),
            client,
            AuditEvent {
                action: "execution.write",
                workspace_id: Some(execution.workspace_id),
                resource_type: "execution",
                resource_id: Some(execution.id.to_string()),
                details: json!({
                    "connection_id": execution.connection_id,
                    "query_id": execution.query_id,
                    "status": execution.status,
                    "row_count": execution.row_count,
                }),
            },
        )
        .await
}

/// The response of a run: JSON, or the CSV body with the execution in headers.
impl RunBody {
    /// The JSON result of a run; `rows` as [`Rows::Json`] gave them.
    pub(crate) fn new(
        execution: Execution,
        columns: Vec<carta_query::Column>,
        rows: Vec<Vec<serde_json::Value>>,
    ) -> RunBody {
        RunBody {
            truncated: execution.truncated,
            execution: execution.into(),
            columns: columns
                .into_iter()
                .map(|c| ColumnBody {
                    name: c.name,
                    type_name: c.type_name,
                })
                .collect(),
            rows,
        }
    }
}

fn ran_response(ran: Ran) -> Response {
    let rows = match ran.rows {
        Rows::Json(rows) => {
            return Json(RunBody::new(ran.execution, ran.columns, rows)).into_response()
        }
        Rows::Csv(bytes) => bytes,
    };
    let execution = ExecutionBody::from(ran.execution);
    match rows {
        bytes if execution.status == ExecutionStatus::Success => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    HeaderName::from_static("x-carta-execution-id"),
                    execution.id.to_string(),
                ),
                (
                    HeaderName::from_static("x-carta-truncated"),
                    execution.truncated.to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        // A partial CSV file would pass for a whole one.
        _ => ApiError::bad_request(format!(
            "the execution {} ended {}: {}",
            execution.id,
            execution.status,
            execution.error.as_deref().unwrap_or("cancelled")
        ))
        .into_response(),
    }
}

/// Runs one statement against the connection (any member), read-only:
/// carta-query's checks, a READ ONLY transaction, the timeout and caps.
/// With `allow_writes` (editors and up, read-write PostgreSQL connections)
/// one write runs in a READ WRITE transaction, audited. Every run is an
/// execution, a rejected one included (400).
#[utoipa::path(post, path = "/workspaces/{id}/connections/{cid}/query", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    request_body = RunRequest,
    responses((status = 200, description = "it ran: the execution (success, failed or cancelled) and its rows, or the CSV body",
            content((RunBody = "application/json"), (String = "text/csv"))),
        (status = 400, description = "rejected by the checks, or a failed CSV run", body = ErrorBody),
        (status = 403, description = "writes asked without the role or on a read-only connection", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn run_query(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    validate_sql(&body.sql)?;
    let connection = connection(&state, id, cid).await?;
    run_and_answer(
        &state,
        &caller,
        &client,
        Run {
            connection: &connection,
            query_id: None,
            sql: &body.sql,
            max_rows: body.max_rows,
            timeout_ms: body.timeout_ms,
            format: body.format,
            allow_writes: body.allow_writes,
            role: access.role,
            caller: caller.user.id,
        },
    )
    .await
}

/// Runs a statement, audits it when it was allowed to write, and answers
/// with its rows (JSON or CSV).
async fn run_and_answer(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    run: Run<'_>,
) -> Result<Response, ApiError> {
    let allow_writes = run.allow_writes;
    let ran = executions::run(state, run).await?;
    if allow_writes {
        audit_write(state, caller, client, &ran.execution).await?;
    }
    Ok(ran_response(ran))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExecutionsQuery {
    /// Only the runs of this saved query.
    query_id: Option<Uuid>,
    /// `running`, `success`, `failed` or `cancelled`.
    status: Option<String>,
    /// At most this many, 1 to 500 (default 100).
    limit: Option<u32>,
}

async fn list_executions(
    state: &AppState,
    caller: &Caller,
    workspace: Uuid,
    query_id: Option<Uuid>,
    query: ExecutionsQuery,
) -> Result<Vec<ExecutionBody>, ApiError> {
    let status = query
        .status
        .map(|s| s.parse::<ExecutionStatus>())
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let executions = state
        .store()
        .executions(
            workspace,
            ExecutionFilter {
                viewer: caller.user.id,
                query_id: query_id.or(query.query_id),
                status,
                limit: query.limit.unwrap_or(DEFAULT_EXECUTIONS),
            },
        )
        .await?;
    Ok(executions.into_iter().map(Into::into).collect())
}

/// The workspace's executions, newest first (any member; runs of other
/// members' private queries are left out).
#[utoipa::path(get, path = "/workspaces/{id}/executions", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"), ExecutionsQuery),
    responses((status = 200, body = [ExecutionBody]), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn executions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ExecutionsQuery>,
) -> Result<Json<Vec<ExecutionBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    Ok(Json(
        list_executions(&state, &caller, id, None, query).await?,
    ))
}

/// One execution (any member; a run of another member's private query is a 404).
#[utoipa::path(get, path = "/workspaces/{id}/executions/{eid}", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("eid" = Uuid, Path, description = "execution id")),
    responses((status = 200, body = ExecutionBody), (status = 404, body = ErrorBody)))]
pub async fn get_execution(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, eid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<ExecutionBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let execution = state
        .store()
        .execution(id, eid)
        .await?
        .ok_or_else(|| ApiError::not_found("execution"))?;
    // A run of another member's private query is as hidden as the query.
    if let Some(qid) = execution.query_id {
        visible_query(&state, &caller, id, qid)
            .await
            .map_err(|_| ApiError::not_found("execution"))?;
    }
    Ok(Json(execution.into()))
}

/// Cancels a running execution (whoever started it, or workspace admins):
/// at once when this server runs it, within a poll interval on another
/// server sharing the store. 409 when it has already ended.
#[utoipa::path(post, path = "/workspaces/{id}/executions/{eid}/cancel", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("eid" = Uuid, Path, description = "execution id")),
    responses((status = 202, description = "cancel asked", body = ExecutionBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn cancel_execution(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, eid)): ApiPath<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<ExecutionBody>), ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let store = state.store();
    let execution = store
        .execution(id, eid)
        .await?
        .ok_or_else(|| ApiError::not_found("execution"))?;
    if execution.executed_by != Some(caller.user.id) && access.role < MemberRole::Admin {
        return Err(ApiError::forbidden(
            "only whoever started an execution, or a workspace admin, may cancel it",
        ));
    }
    let execution = store.request_execution_cancel(id, eid).await?;
    executions::cancel_local(eid);
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "execution.cancel",
                workspace_id: Some(id),
                resource_type: "execution",
                resource_id: Some(eid.to_string()),
                details: json!({ "connection_id": execution.connection_id }),
            },
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(execution.into())))
}

// saved queries

/// A rating of a saved query.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackBody {
    pub user_id: Uuid,
    /// 1 to 5.
    pub rating: u8,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Feedback> for FeedbackBody {
    fn from(f: Feedback) -> FeedbackBody {
        FeedbackBody {
            user_id: f.user_id,
            rating: f.rating,
            comment: f.comment,
            created_at: f.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryBody {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub connection_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub sql: String,
    /// The runner's checks do not accept it as a read-only statement.
    pub is_write: bool,
    pub tags: Vec<String>,
    /// `private` (its author only) or `workspace` (every member).
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// The question it answers, when `ask` generated it.
    pub question: Option<String>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The mean rating, if any.
    pub rating: Option<f64>,
    pub ratings: u32,
    /// Its feedback, newest first (on a single query only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Vec<FeedbackBody>>,
}

impl From<SavedQuery> for QueryBody {
    fn from(q: SavedQuery) -> QueryBody {
        QueryBody {
            id: q.id,
            workspace_id: q.workspace_id,
            connection_id: q.connection_id,
            title: q.title,
            description: q.description,
            sql: q.sql_text,
            is_write: q.is_write,
            tags: q.tags,
            visibility: q.visibility,
            question: q.question,
            created_by: q.created_by,
            created_at: q.created_at,
            updated_at: q.updated_at,
            rating: q.rating,
            ratings: q.ratings,
            feedback: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    pub title: String,
    pub description: Option<String>,
    pub sql: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Checked in its dialect; without one, as PostgreSQL.
    pub connection_id: Option<Uuid>,
    /// `private` (default) or `workspace`.
    #[schema(value_type = Option<String>)]
    pub visibility: Option<Visibility>,
}

/// A field that is there, `null` included (`Some(None)`), apart from a missing one (`None`).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Every field optional; `null` clears description and connection.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateQuery {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub sql: Option<String>,
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub connection_id: Option<Option<Uuid>>,
    #[schema(value_type = Option<String>)]
    pub visibility: Option<Visibility>,
}

fn validate_tags(tags: Vec<String>) -> Result<Vec<String>, ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(ApiError::bad_request(format!("at most {MAX_TAGS} tags")));
    }
    let mut tags: Vec<String> = tags
        .iter()
        .map(|tag| validate_name("a tag", tag))
        .collect::<Result<_, _>>()?;
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// Whether `sql` writes, by carta-query's checks in the connection's
/// dialect; text that is not one statement it can parse is refused.
async fn classify(
    state: &AppState,
    workspace: Uuid,
    connection_id: Option<Uuid>,
    sql: &str,
) -> Result<bool, ApiError> {
    validate_sql(sql)?;
    let db_type = match connection_id {
        Some(cid) => connection(state, workspace, cid).await?.db_type,
        None => DbType::Postgres,
    };
    match carta_query::check(executions::dialect(db_type), sql) {
        Ok(_) => Ok(false),
        Err(
            rejection @ (Rejection::Syntax { .. }
            | Rejection::Empty
            | Rejection::MultipleStatements { .. }),
        ) => Err(ApiError::bad_request(format!(
            "the SQL cannot be saved: {rejection}"
        ))),
        Err(_) => Ok(true),
    }
}

/// A query the caller sees, or 404.
async fn visible_query(
    state: &AppState,
    caller: &Caller,
    workspace: Uuid,
    qid: Uuid,
) -> Result<SavedQuery, ApiError> {
    state
        .store()
        .query(workspace, qid, caller.user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("query"))
}

/// Editors change their own queries; workspace admins any they see.
fn require_editable(access: &Access, caller: &Caller, query: &SavedQuery) -> Result<(), ApiError> {
    if access.role >= MemberRole::Admin || query.created_by == Some(caller.user.id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only its author or a workspace admin may change this query",
        ))
    }
}

async fn audit_query(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    action: &str,
    query: &SavedQuery,
) -> Result<(), ApiError> {
    state
        .audit(
            Some(caller.user.id),
            client,
            AuditEvent {
                action,
                workspace_id: Some(query.workspace_id),
                resource_type: "query",
                resource_id: Some(query.id.to_string()),
                details: json!({ "title": query.title, "is_write": query.is_write }),
            },
        )
        .await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueriesQuery {
    /// Only queries with this tag.
    tag: Option<String>,
    /// Only queries of this connection.
    connection_id: Option<Uuid>,
}

/// The caller's queries and the shared ones, most recently updated first (any member).
#[utoipa::path(get, path = "/workspaces/{id}/queries", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"), QueriesQuery),
    responses((status = 200, body = [QueryBody]), (status = 404, body = ErrorBody)))]
pub async fn list_queries(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<QueriesQuery>,
) -> Result<Json<Vec<QueryBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let queries = state
        .store()
        .queries(
            id,
            QueryFilter {
                viewer: caller.user.id,
                tag: query.tag,
                connection_id: query.connection_id,
            },
        )
        .await?;
    Ok(Json(queries.into_iter().map(Into::into).collect()))
}

/// Saves a query (workspace editors); its SQL is checked and flagged when it writes.
#[utoipa::path(post, path = "/workspaces/{id}/queries", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = CreateQuery,
    responses((status = 201, body = QueryBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_query(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateQuery>,
) -> Result<(StatusCode, Json<QueryBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let title = validate_name("the title", &body.title)?;
    validate_description(body.description.as_deref())?;
    let tags = validate_tags(body.tags)?;
    let is_write = classify(&state, id, body.connection_id, &body.sql).await?;
    let query = state
        .store()
        .create_query(NewQuery {
            workspace_id: id,
            connection_id: body.connection_id,
            title,
            description: body.description,
            sql_text: body.sql,
            is_write,
            tags,
            visibility: body.visibility.unwrap_or_default(),
            question: None,
            created_by: caller.user.id,
        })
        .await?;
    audit_query(&state, &caller, &client, "query.create", &query).await?;
    Ok((StatusCode::CREATED, Json(query.into())))
}

/// One query with its feedback (any member who sees it).
#[utoipa::path(get, path = "/workspaces/{id}/queries/{qid}", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("qid" = Uuid, Path, description = "query id")),
    responses((status = 200, body = QueryBody), (status = 404, body = ErrorBody)))]
pub async fn get_query(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<QueryBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let query = visible_query(&state, &caller, id, qid).await?;
    let feedback = state.store().query_feedback(id, qid).await?;
    Ok(Json(QueryBody {
        feedback: Some(feedback.into_iter().map(Into::into).collect()),
        ..query.into()
    }))
}

/// Changes a query (its author if an editor, or a workspace admin).
#[utoipa::path(patch, path = "/workspaces/{id}/queries/{qid}", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("qid" = Uuid, Path, description = "query id")),
    request_body = UpdateQuery,
    responses((status = 200, body = QueryBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_query(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<UpdateQuery>,
) -> Result<Json<QueryBody>, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let current = visible_query(&state, &caller, id, qid).await?;
    require_editable(&access, &caller, &current)?;
    let title = body
        .title
        .map(|t| validate_name("the title", &t))
        .transpose()?;
    validate_description(body.description.clone().flatten().as_deref())?;
    let tags = body.tags.map(validate_tags).transpose()?;
    let connection_id = body.connection_id.unwrap_or(current.connection_id);
    // A new text, or the same text under another connection's dialect.
    let sql = match (&body.sql, body.connection_id.is_some()) {
        (Some(sql), _) => Some(sql.clone()),
        (None, true) => Some(current.sql_text.clone()),
        (None, false) => None,
    };
    let sql = match sql {
        Some(sql) => {
            let is_write = classify(&state, id, connection_id, &sql).await?;
            Some((sql, is_write))
        }
        None => None,
    };
    let query = state
        .store()
        .update_query(
            id,
            qid,
            QueryChange {
                title,
                description: body.description,
                sql,
                tags,
                visibility: body.visibility,
                connection_id: body.connection_id,
            },
        )
        .await?;
    audit_query(&state, &caller, &client, "query.update", &query).await?;
    Ok(Json(query.into()))
}

/// Deletes a query (its author if an editor, or a workspace admin); its
/// executions stay, no longer tied to it.
#[utoipa::path(delete, path = "/workspaces/{id}/queries/{qid}", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("qid" = Uuid, Path, description = "query id")),
    responses((status = 204, description = "deleted"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_query(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let query = visible_query(&state, &caller, id, qid).await?;
    require_editable(&access, &caller, &query)?;
    state.store().delete_query(id, qid).await?;
    audit_query(&state, &caller, &client, "query.delete", &query).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSavedQuery {
    /// The connection to run it on, when the query names none (or another).
    pub connection_id: Option<Uuid>,
    pub max_rows: Option<u64>,
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub format: Format,
    #[serde(default)]
    pub allow_writes: bool,
}

/// Runs a saved query (any member who sees it), as `/connections/{cid}/query` does.
#[utoipa::path(post, path = "/workspaces/{id}/queries/{qid}/run", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("qid" = Uuid, Path, description = "query id")),
    request_body = RunSavedQuery,
    responses((status = 200, content((RunBody = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn run_saved_query(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<RunSavedQuery>,
) -> Result<Response, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let query = visible_query(&state, &caller, id, qid).await?;
    let cid = body.connection_id.or(query.connection_id).ok_or_else(|| {
        ApiError::bad_request("the query names no connection: give connection_id")
    })?;
    let connection = connection(&state, id, cid).await?;
    run_and_answer(
        &state,
        &caller,
        &client,
        Run {
            connection: &connection,
            query_id: Some(qid),
            sql: &query.sql_text,
            max_rows: body.max_rows,
            timeout_ms: body.timeout_ms,
            format: body.format,
            allow_writes: body.allow_writes,
            role: access.role,
            caller: caller.user.id,
        },
    )
    .await
}

/// The runs of a saved query, newest first (any member who sees it).
#[utoipa::path(get, path = "/workspaces/{id}/queries/{qid}/executions", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("qid" = Uuid, Path, description = "query id"), ExecutionsQuery),
    responses((status = 200, body = [ExecutionBody]), (status = 404, body = ErrorBody)))]
pub async fn query_executions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<ExecutionsQuery>,
) -> Result<Json<Vec<ExecutionBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    visible_query(&state, &caller, id, qid).await?;
    Ok(Json(
        list_executions(&state, &caller, id, Some(qid), query).await?,
    ))
}

/// A rating: 1 to 5, or `"up"` (5) / `"down"` (1).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Rating {
    Stars(u8),
    Thumb(Thumb),
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Thumb {
    Up,
    Down,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFeedback {
    pub rating: Rating,
    pub comment: Option<String>,
}

/// Rates a query (any member who sees it); a second rating by the same
/// member replaces the first. Generated queries rated 4 or more become
/// examples for later questions.
#[utoipa::path(post, path = "/workspaces/{id}/queries/{qid}/feedback", tag = "queries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("qid" = Uuid, Path, description = "query id")),
    request_body = CreateFeedback,
    responses((status = 201, body = FeedbackBody), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn rate_query(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<CreateFeedback>,
) -> Result<(StatusCode, Json<FeedbackBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    visible_query(&state, &caller, id, qid).await?;
    let rating = match body.rating {
        Rating::Stars(stars) => stars,
        Rating::Thumb(Thumb::Up) => 5,
        Rating::Thumb(Thumb::Down) => 1,
    };
    validate_description(body.comment.as_deref())?;
    let feedback = state
        .store()
        .rate_query(NewFeedback {
            workspace_id: id,
            query_id: qid,
            user_id: caller.user.id,
            rating,
            comment: body.comment,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(feedback.into())))
}
