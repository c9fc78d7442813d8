//! The safe query runner: one read-only statement, checked three ways.
//!
//! 1. [`check`] parses the text and accepts exactly one statement that
//!    reads (SELECT, WITH ... SELECT, VALUES, EXPLAIN, SHOW) without
//!    data-modifying CTEs, SELECT INTO, locking clauses or side-effect
//!    functions.
//! 2. [`run`] executes it inside a READ ONLY transaction (SQLite:
//!    `PRAGMA query_only` on a read-only connection), so whatever the
//!    checks cannot see (a VOLATILE function that inserts, a rule on a
//!    view) fails on the server.
//! 3. A statement timeout plus row and byte caps bound what it costs.
//!
//! [`run_write`] is the one exception, for PostgreSQL: exactly one INSERT,
//! UPDATE, DELETE or MERGE (schema changes only in [`WriteScope::Ddl`]),
//! checked by [`check_write`], in a READ WRITE transaction under the same
//! timeout, caps and cancellation. Callers decide who may use it.
//!
//! Rows stream into a [`RowSink`] (see [`output`] for CSV, JSON and text
//! tables) with the column names and types first.

mod check;
mod mysql;
pub mod output;
mod postgres;
mod rows;
mod sqlite;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use carta_catalog::Dialect;
use carta_source::{redact_url, IngestError};
use tokio::sync::watch;

pub use check::{check, check_write, CheckedStatement, Rejection, StatementKind, WriteScope};
pub use rows::{Column, RowSink, Value};

/// How much one execution may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Rows passed to the sink; one more row means the result is truncated.
    pub max_rows: u64,
    /// Bytes of cell values passed to the sink (text length, blob length,
    /// 8 per number).
    pub max_bytes: u64,
    /// Statement timeout, enforced by the server (SQLite: a progress handler).
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 1000,
            max_bytes: 10 * 1024 * 1024,
            timeout: Duration::from_secs(30),
        }
    }
}

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    Failed,
    Cancelled,
}

/// The record of one run, whatever its outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Execution {
    pub columns: Vec<Column>,
    /// Rows passed to the sink.
    pub row_count: u64,
    /// The result had more rows or bytes than the limits allow.
    pub truncated: bool,
    pub duration_ms: u64,
    pub status: Status,
    /// The server's message when the status is `Failed` (a timeout included).
    pub error: Option<String>,
    /// What a committed [`run_write`] changed (the server's count); `None`
    /// for reads, and then left out of the JSON so reads look as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_affected: Option<u64>,
}

/// Why a statement did not get to run, or its output could not be written.
/// A statement that ran and failed is an [`Execution`] with `Failed`.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("rejected: {0}")]
    Rejected(#[from] Rejection),
    /// The source is unknown, missing or unreachable, or refused the login.
    #[error(transparent)]
    Source(#[from] IngestError),
    #[error("writing the result failed: {0}")]
    Output(#[source] std::io::Error),
}

/// Asks a running statement to stop; clones share one signal.
#[derive(Debug, Clone)]
pub struct CancelToken(Arc<watch::Sender<bool>>);

impl Default for CancelToken {
    fn default() -> Self {
        CancelToken(Arc::new(watch::channel(false).0))
    }
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once [`CancelToken::cancel`] was called.
    pub async fn cancelled(&self) {
        let mut receiver = self.0.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}

/// How an engine's run ended; rows went to the [`rows::RowStream`].
pub(crate) enum Ended {
    /// `affected`: the server's row count, reported for writes.
    Completed {
        affected: Option<u64>,
    },
    Failed(String),
    Cancelled,
}

/// Where a source argument points.
enum Target {
    Postgres(String),
    Mysql(String),
    Sqlite(PathBuf),
}

impl Target {
    fn parse(source: &str) -> Result<Target, IngestError> {
        let lower = source.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Target::Postgres(source.to_string()));
        }
        if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            return Ok(Target::Mysql(source.to_string()));
        }
        let path = match source.strip_prefix("sqlite://") {
            Some(path) => PathBuf::from(path),
            None if lower.ends_with(".db")
                || lower.ends_with(".sqlite")
                || lower.ends_with(".sqlite3") =>
            {
                PathBuf::from(source)
            }
            None => {
                return Err(IngestError::UnknownSource {
                    source_arg: redact_url(source),
                })
            }
        };
        if !path.is_file() {
            return Err(IngestError::NotFound { path });
        }
        Ok(Target::Sqlite(path))
    }

    fn dialect(&self) -> Dialect {
        match self {
            Target::Postgres(_) => Dialect::Postgres,
            Target::Mysql(_) => Dialect::Mysql,
            Target::Sqlite(_) => Dialect::Sqlite,
        }
    }
}

/// Longest wait for a connection, apart from the statement timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks `sql` for the source's dialect, then runs it read-only within
/// `limits`, streaming columns and rows into `sink`. `cancel` stops it
/// from elsewhere (the execution then has the status `Cancelled`).
pub async fn run(
    source: &str,
    sql: &str,
    limits: &Limits,
    cancel: &CancelToken,
    sink: &mut (dyn RowSink + Send),
) -> Result<Execution, QueryError> {
    let target = Target::parse(source)?;
    let checked = check(target.dialect(), sql)?;
    execute(&target, &checked, false, limits, cancel, sink).await
}

/// Write mode, PostgreSQL only: checks `sql` with [`check_write`] (one
/// read, or one write within `scope`), then runs it in a READ WRITE
/// transaction under the same timeout, caps and cancellation, committed
/// only when it succeeded. Rows a write returns (`RETURNING`) stream into
/// `sink`; [`Execution::rows_affected`] says what it changed.
pub async fn run_write(
    source: &str,
    sql: &str,
    scope: WriteScope,
    limits: &Limits,
    cancel: &CancelToken,
    sink: &mut (dyn RowSink + Send),
) -> Result<Execution, QueryError> {
    let target = Target::parse(source)?;
    let checked = check_write(target.dialect(), sql, scope)?;
    // A read keeps its READ ONLY transaction: a function it calls that
    // writes still fails.
    let write = matches!(checked.kind, StatementKind::Write | StatementKind::Ddl);
    if write && !matches!(target, Target::Postgres(_)) {
        return Err(Rejection::WritesUnsupported {
            dialect: format!("{:?}", target.dialect()),
        }
        .into());
    }
    execute(&target, &checked, write, limits, cancel, sink).await
}

async fn execute(
    target: &Target,
    checked: &CheckedStatement,
    write: bool,
    limits: &Limits,
    cancel: &CancelToken,
    sink: &mut (dyn RowSink + Send),
) -> Result<Execution, QueryError> {
    let started = Instant::now();
    let mut stream = rows::RowStream::new(sink, limits);
    let ended = match target {
        Target::Postgres(url) => {
            postgres::run(url, checked, limits, cancel, &mut stream, write).await?
        }
        Target::Mysql(url) => mysql::run(url, checked, limits, cancel, &mut stream).await?,
        Target::Sqlite(path) => sqlite::run(path, checked, limits, cancel, &mut stream).await?,
    };
    let (status, error, rows_affected) = match ended {
        Ended::Completed { affected } => (Status::Success, None, affected),
        Ended::Failed(message) => (Status::Failed, Some(message), None),
        Ended::Cancelled => (Status::Cancelled, None, None),
    };
    let summary = stream.finish()?;
    Ok(Execution {
        columns: summary.columns,
        row_count: summary.row_count,
        truncated: summary.truncated,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        status,
        error,
        rows_affected,
    })
}
