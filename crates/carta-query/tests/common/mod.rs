//! A sink that keeps what it is given, and ways to run into it.

use carta_query::{CancelToken, Column, Execution, Limits, QueryError, RowSink, Value};
use std::time::Duration;

#[derive(Default)]
pub struct Collected {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub finished: bool,
}

impl RowSink for Collected {
    fn columns(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> std::io::Result<()> {
        self.rows.push(row.to_vec());
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.finished = true;
        Ok(())
    }
}

pub async fn run_with(
    url: &str,
    sql: &str,
    limits: &Limits,
) -> (Result<Execution, QueryError>, Collected) {
    let mut sink = Collected::default();
    let result = carta_query::run(url, sql, limits, &CancelToken::new(), &mut sink).await;
    (result, sink)
}

/// Runs `sql` with default limits; panics unless it ran (whatever its status).
pub async fn execute(url: &str, sql: &str) -> (Execution, Collected) {
    let (result, sink) = run_with(url, sql, &Limits::default()).await;
    (
        result.unwrap_or_else(|e| panic!("`{sql}` did not run: {e}")),
        sink,
    )
}

pub fn limits(max_rows: u64, max_bytes: u64, timeout_ms: u64) -> Limits {
    Limits {
        max_rows,
        max_bytes,
        timeout: Duration::from_millis(timeout_ms),
    }
}

/// Starts `sql`, cancels it after `after`, and returns the execution.
pub async fn cancelled_after(url: &str, sql: &str, after: Duration) -> Execution {
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        canceller.cancel();
    });
    let mut sink = Collected::default();
    carta_query::run(url, sql, &limits(100, 1 << 20, 60_000), &cancel, &mut sink)
        .await
        .expect("the statement runs")
}
