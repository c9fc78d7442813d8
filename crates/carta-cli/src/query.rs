//! `carta query`: run one read-only statement against a live source and
//! print the rows as a table, CSV or JSON. The statement is checked, run in
//! a READ ONLY transaction and bounded by a timeout and row and byte caps
//! (see docs/query.md).

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Duration;

use carta_query::output::{CsvWriter, JsonLayout, JsonWriter, TableWriter};
use carta_query::{CancelToken, Execution, Limits, QueryError, RowSink, Status};
use clap::ValueEnum;

/// Exit status when the checks reject the statement (documented in the README).
pub const REJECTED_EXIT: u8 = 13;
/// Exit status when the statement failed, timed out or was cancelled.
pub const FAILED_EXIT: u8 = 14;

#[derive(clap::Args)]
pub struct Args {
    /// postgres://..., mysql://..., mariadb://..., sqlite://FILE or a .db file.
    source: String,
    /// One SELECT, WITH ... SELECT, VALUES, EXPLAIN or SHOW statement.
    sql: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What one execution may cost; shared with `carta ask --run`.
#[derive(clap::Args)]
pub struct LimitArgs {
    /// Stop after this many rows (the result is then reported as truncated).
    #[arg(long, default_value_t = Limits::default().max_rows)]
    max_rows: u64,
    /// Stop before the cell values pass this many bytes.
    #[arg(long, default_value_t = Limits::default().max_bytes)]
    max_bytes: u64,
    /// Statement timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = Limits::default().timeout.as_secs())]
    timeout: u64,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_rows: self.max_rows,
            max_bytes: self.max_bytes,
            timeout: Duration::from_secs(self.timeout),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    /// An array of row objects.
    Json,
    /// One row object per line.
    Ndjson,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut sink = stdout_sink(args.format);
    let (_, code) = execute(
        &args.source,
        &args.sql,
        &args.limits.limits(),
        sink.as_mut(),
    )
    .await?;
    Ok(code)
}

/// Rows in `format` on standard output.
pub fn stdout_sink(format: FormatArg) -> Box<dyn RowSink + Send> {
    let out = BufWriter::new(std::io::stdout());
    match format {
        FormatArg::Table => Box::new(TableWriter::new(out)),
        FormatArg::Csv => Box::new(CsvWriter::new(out)),
        FormatArg::Json => Box::new(JsonWriter::new(out, JsonLayout::Array)),
        FormatArg::Ndjson => Box::new(JsonWriter::new(out, JsonLayout::Lines)),
    }
}

/// Runs `sql` into `sink` and reports on standard error; the execution is
/// `None` when the checks rejected the statement. Ctrl-C cancels the
/// statement on the database (not just the wait for it) and exits with
/// the failure status.
pub async fn execute(
    source: &str,
    sql: &str,
    limits: &Limits,
    sink: &mut (dyn RowSink + Send),
) -> anyhow::Result<(Option<Execution>, ExitCode)> {
    let cancel = CancelToken::new();
    let on_interrupt = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    let result = carta_query::run(source, sql, limits, &cancel, sink).await;
    on_interrupt.abort();
    match result {
        Ok(execution) => {
            let code = report(&execution);
            Ok((Some(execution), code))
        }
        Err(QueryError::Rejected(rejection)) => {
            eprintln!("error: rejected: {rejection}");
            Ok((None, ExitCode::from(REJECTED_EXIT)))
        }
        // Unknown, missing or unreachable sources keep their usual exit codes.
        Err(QueryError::Source(e)) => Err(e.into()),
        Err(e @ QueryError::Output(_)) => Err(e.into()),
    }
}

/// A summary on standard error, so standard output holds only the result.
fn report(execution: &Execution) -> ExitCode {
    let mut err = std::io::stderr().lock();
    let rows = match execution.row_count {
        1 => "1 row".to_string(),
        n => format!("{n} rows"),
    };
    let _ = match execution.status {
        Status::Success if execution.truncated => writeln!(
            err,
            "{rows} in {} ms (truncated: the result has more; raise --max-rows or --max-bytes)",
            execution.duration_ms
        ),
        Status::Success => writeln!(err, "{rows} in {} ms", execution.duration_ms),
        Status::Failed => writeln!(
            err,
            "error: the query failed after {} ms: {}",
            execution.duration_ms,
            execution.error.as_deref().unwrap_or("no message")
        ),
        Status::Cancelled => writeln!(err, "error: the query was cancelled"),
    };
    match execution.status {
        Status::Success => ExitCode::SUCCESS,
        Status::Failed | Status::Cancelled => ExitCode::from(FAILED_EXIT),
    }
}
