//! Running one statement against a workspace connection: the checks of
//! carta-query (its write mode only when the caller may and asked to),
//! an execution row for every run (rejected ones included), and
//! cancellation.
//!
//! A run's [`CancelToken`] sits in a registry of this process, keyed by
//! execution id, so a cancel request served here stops it at once. A
//! cancel served by another server sharing the store only sets the row's
//! `cancel_requested` flag; the server running the statement polls that
//! flag every [`CANCEL_POLL`] and cancels its token when it sees it.

use crate::error::ApiError;
use crate::probe;
use crate::state::AppState;
use carta_catalog::Dialect;
use carta_query::output::CsvWriter;
use carta_query::{CancelToken, Column, Limits, QueryError, RowSink, Status, Value, WriteScope};
use carta_store::{
    Connection, ConnectionMode, DbType, Execution, ExecutionEnd, ExecutionStatus, MemberRole,
    NewExecution,
};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;
use uuid::Uuid;

/// How often a running statement's server looks for a cancel asked elsewhere.
pub const CANCEL_POLL: Duration = Duration::from_millis(250);
/// Caps a request may not raise.
pub const MAX_ROWS: u64 = 10_000;
pub const MAX_TIMEOUT: Duration = Duration::from_secs(300);
const MAX_BYTES: u64 = 16 * 1024 * 1024;

fn registry() -> &'static Mutex<HashMap<Uuid, CancelToken>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Uuid, CancelToken>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// Cancels the run of `execution` if this process runs it.
pub fn cancel_local(execution: Uuid) {
    let token = registry()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&execution)
        .cloned();
    if let Some(token) = token {
        token.cancel();
    }
}

/// Stops the cancel poll when the run ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Removes the run's token when it ends, however it ends.
struct Registered(Uuid);

impl Registered {
    fn new(execution: Uuid, token: CancelToken) -> Registered {
        registry()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(execution, token);
        Registered(execution)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        registry()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

pub fn dialect(db_type: DbType) -> Dialect {
    match db_type {
        DbType::Postgres => Dialect::Postgres,
        DbType::Mysql => Dialect::Mysql,
        DbType::Sqlite => Dialect::Sqlite,
    }
}

/// How the result comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Json,
    Csv,
}

/// What to run and who asks.
pub struct Run<'a> {
    pub connection: &'a Connection,
    pub query_id: Option<Uuid>,
    pub sql: &'a str,
    pub max_rows: Option<u64>,
    pub timeout_ms: Option<u64>,
    pub format: Format,
    pub allow_writes: bool,
    pub role: MemberRole,
    pub caller: Uuid,
}

/// The rows of a finished run, as asked.
pub enum Rows {
    /// One array of cells per row, in column order.
    Json(Vec<Vec<serde_json::Value>>),
    Csv(Vec<u8>),
}

pub struct Ran {
    pub execution: Execution,
    pub columns: Vec<Column>,
    pub rows: Rows,
}

/// Collects rows as JSON arrays for the response.
#[derive(Default)]
struct JsonRows(Vec<Vec<serde_json::Value>>);

impl RowSink for JsonRows {
    fn columns(&mut self, _columns: &[Column]) -> std::io::Result<()> {
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> std::io::Result<()> {
        self.0.push(row.iter().map(Value::to_json).collect());
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a run may do: read only, or write within a scope. Writes need a
/// read-write connection, the editor role or above and an explicit
/// `allow_writes`; schema changes need a workspace admin.
fn access(run: &Run<'_>) -> Result<Option<WriteScope>, ApiError> {
    if !run.allow_writes {
        return Ok(None);
    }
    if run.connection.mode == ConnectionMode::ReadOnly {
        return Err(ApiError::forbidden(
            "the connection is read-only: writes are refused for every role",
        ));
    }
    if run.role < MemberRole::Editor {
        return Err(ApiError::forbidden(
            "writes need the editor role in the workspace",
        ));
    }
    if run.connection.db_type != DbType::Postgres {
        return Err(ApiError::forbidden(
            "writes are only supported on PostgreSQL connections",
        ));
    }
    Ok(Some(if run.role >= MemberRole::Admin {
        WriteScope::Ddl
    } else {
        WriteScope::Dml
    }))
}

/// The source argument carta-query opens for a connection, and its URI
/// (to scrub from messages).
pub(crate) fn source(
    state: &AppState,
    connection: &Connection,
) -> Result<(String, String), ApiError> {
    let uri = state.open(&connection.uri)?;
    let source = match connection.db_type {
        DbType::Sqlite => {
            let path = state
                .sqlite_targets()
                .resolve(&uri)
                .map_err(|refused| ApiError::bad_request(refused.to_string()))?;
            format!("sqlite://{}", path.display())
        }
        DbType::Postgres | DbType::Mysql => uri.clone(),
    };
    Ok((source, uri))
}

fn limits(run: &Run<'_>) -> Limits {
    let defaults = Limits::default();
    Limits {
        max_rows: run.max_rows.unwrap_or(defaults.max_rows).clamp(1, MAX_ROWS),
        max_bytes: MAX_BYTES,
        timeout: run
            .timeout_ms
            .map_or(defaults.timeout, Duration::from_millis)
            .clamp(Duration::from_millis(1), MAX_TIMEOUT),
    }
}

/// Checks and runs a statement, recording an execution whatever happens.
/// A statement the checks refuse is a failed execution and a 400.
pub async fn run(state: &AppState, run: Run<'_>) -> Result<Ran, ApiError> {
    let scope = access(&run)?;
    let store = state.store();
    let connection = run.connection;
    let execution = store
        .start_execution(NewExecution {
            workspace_id: connection.workspace_id,
            connection_id: connection.id,
            query_id: run.query_id,
            sql_text: run.sql.to_string(),
            executed_by: run.caller,
        })
        .await?;
    let dialect = dialect(connection.db_type);
    let checked = match scope {
        None => carta_query::check(dialect, run.sql),
        Some(scope) => carta_query::check_write(dialect, run.sql, scope),
    };
    if let Err(rejection) = checked {
        let message = format!("rejected: {rejection}");
        finish(state, &execution, failed(&message)).await?;
        return Err(ApiError::bad_request(message));
    }
    let (source, uri) = match source(state, connection) {
        Ok(opened) => opened,
        Err(error) => {
            finish(state, &execution, failed(&error.message)).await?;
            return Err(error);
        }
    };
    let limits = limits(&run);
    let format = run.format;
    let sql = run.sql.to_string();
    let state = state.clone();
    // Its own task, ended and recorded even when the client hangs up.
    let task = tokio::spawn(async move {
        let token = CancelToken::new();
        let _registered = Registered::new(execution.id, token.clone());
        let poller = AbortOnDrop(tokio::spawn(poll_cancel(
            state.clone(),
            execution.workspace_id,
            execution.id,
            token.clone(),
        )));
        let (outcome, rows) = match format {
            Format::Json => {
                let mut sink = JsonRows::default();
                let outcome = execute(&source, &sql, scope, &limits, &token, &mut sink).await;
                (outcome, Rows::Json(sink.0))
            }
            Format::Csv => {
                let mut bytes = Vec::new();
                let mut sink = CsvWriter::new(&mut bytes);
                let outcome = execute(&source, &sql, scope, &limits, &token, &mut sink).await;
                (outcome, Rows::Csv(bytes))
            }
        };
        drop(poller);
        let (end, columns) = ended(outcome, &uri);
        let execution = finish(&state, &execution, end).await?;
        Ok(Ran {
            execution,
            columns,
            rows,
        })
    });
    task.await.map_err(|e| ApiError::internal(&e))?
}

/// How the runner's outcome is recorded; messages free of the URI.
fn ended(
    outcome: Result<carta_query::Execution, QueryError>,
    uri: &str,
) -> (ExecutionEnd, Vec<Column>) {
    let scrub = |message: String| probe::scrub(&message, uri);
    match outcome {
        Ok(ran) => (
            ExecutionEnd {
                status: match ran.status {
                    Status::Success => ExecutionStatus::Success,
                    Status::Failed => ExecutionStatus::Failed,
                    Status::Cancelled => ExecutionStatus::Cancelled,
                },
                duration_ms: ran.duration_ms,
                // A write's count is what it changed.
                row_count: ran.rows_affected.unwrap_or(ran.row_count),
                truncated: ran.truncated,
                error: ran.error.map(scrub),
            },
            ran.columns,
        ),
        Err(QueryError::Rejected(rejection)) => {
            (failed(&format!("rejected: {rejection}")), Vec::new())
        }
        Err(error) => (failed(&scrub(error.to_string())), Vec::new()),
    }
}

/// Runs read-only, or in write mode within `scope`.
async fn execute(
    source: &str,
    sql: &str,
    scope: Option<WriteScope>,
    limits: &Limits,
    cancel: &CancelToken,
    sink: &mut (dyn RowSink + Send),
) -> Result<carta_query::Execution, QueryError> {
    match scope {
        None => carta_query::run(source, sql, limits, cancel, sink).await,
        Some(scope) => carta_query::run_write(source, sql, scope, limits, cancel, sink).await,
    }
}

/// Cancels `token` once the execution's row says a cancel was asked.
async fn poll_cancel(state: AppState, workspace: Uuid, id: Uuid, token: CancelToken) {
    loop {
        tokio::time::sleep(CANCEL_POLL).await;
        if let Ok(Some(now)) = state.store().execution(workspace, id).await {
            if now.cancel_requested {
                token.cancel();
                return;
            }
        }
    }
}

fn failed(message: &str) -> ExecutionEnd {
    ExecutionEnd {
        status: ExecutionStatus::Failed,
        duration_ms: 0,
        row_count: 0,
        truncated: false,
        error: Some(message.to_string()),
    }
}

async fn finish(
    state: &AppState,
    execution: &Execution,
    end: ExecutionEnd,
) -> Result<Execution, ApiError> {
    Ok(state
        .store()
        .finish_execution(execution.workspace_id, execution.id, end)
        .await?)
}
