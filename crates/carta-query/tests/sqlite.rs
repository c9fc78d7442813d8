//! The runner against SQLite files: read-only connection, query_only,
//! timeout through the progress handler, cancellation through interrupt().

mod common;

use std::path::PathBuf;
use std::time::Duration;

use carta_query::{Limits, QueryError, Status, Value};
use common::{cancelled_after, execute, limits, run_with};

/// A SQLite file removed on drop.
struct SqliteFile(PathBuf);

impl SqliteFile {
    fn create(name: &str) -> SqliteFile {
        let path =
            std::env::temp_dir().join(format!("carta-query-{}-{name}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let conn = rusqlite::Connection::open(&path).expect("create the SQLite file");
        conn.execute_batch(
            "CREATE TABLE t (a INTEGER PRIMARY KEY, label TEXT, price NUMERIC, raw BLOB);
             INSERT INTO t VALUES (1, 'one', 1.5, x'0102'), (2, 'two', NULL, NULL), (3, 'three', 3, NULL);",
        )
        .expect("fill the SQLite file");
        SqliteFile(path)
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }

    fn labels(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(&self.0).expect("open");
        let mut statement = conn
            .prepare("SELECT label FROM t ORDER BY a")
            .expect("t exists");
        statement
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const HEAVY: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

#[tokio::test]
async fn hostile_statements_are_rejected_and_the_file_is_unchanged() {
    let file = SqliteFile::create("hostile");
    for sql in [
        "SELECT 1; DROP TABLE t",
        "SELECT 1 /* ; */; DELETE FROM t",
        "DELETE FROM t",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "PRAGMA query_only = OFF",
        "SELECT writefile('/tmp/carta-x', 'y')",
        "SELECT load_extension('/tmp/evil')",
        "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
    ] {
        let (result, _) = run_with(&file.url(), sql, &Limits::default()).await;
        assert!(
            matches!(result, Err(QueryError::Rejected(_))),
            "`{sql}` was not rejected: {result:?}"
        );
    }
    assert_eq!(file.labels(), ["one", "two", "three"]);
}

#[tokio::test]
async fn declared_types_and_storage_classes_name_the_columns() {
    let file = SqliteFile::create("types");
    let (execution, sink) = execute(
        &file.url(),
        "SELECT a, label, price, raw, a * 2.5 AS scaled FROM t WHERE a = 1",
    )
    .await;
    assert_eq!(execution.status, Status::Success);
    let types: Vec<&str> = execution
        .columns
        .iter()
        .map(|c| c.type_name.as_str())
        .collect();
    assert_eq!(types, ["integer", "text", "numeric", "blob", "real"]);
    assert_eq!(
        sink.rows,
        [vec![
            Value::Integer(1),
            Value::Text("one".into()),
            Value::Float(1.5),
            Value::Bytes(vec![1, 2]),
            Value::Float(2.5),
        ]]
    );
}

#[tokio::test]
async fn the_row_cap_truncates() {
    let file = SqliteFile::create("cap");
    let (result, sink) = run_with(
        &file.url(),
        "SELECT a FROM t ORDER BY a",
        &limits(2, 1 << 20, 10_000),
    )
    .await;
    let execution = result.expect("runs");
    assert_eq!((execution.row_count, execution.truncated), (2, true));
    assert_eq!(
        sink.rows,
        [vec![Value::Integer(1)], vec![Value::Integer(2)]]
    );
}

#[tokio::test]
async fn an_endless_recursive_query_fails_at_the_timeout() {
    let file = SqliteFile::create("timeout");
    let (result, _) = run_with(&file.url(), HEAVY, &limits(10, 1 << 20, 300)).await;
    let execution = result.expect("runs");
    assert_eq!(execution.status, Status::Failed);
    let error = execution.error.unwrap_or_default();
    assert!(error.contains("statement timeout"), "{error}");
    assert!(execution.duration_ms < 5_000, "{}", execution.duration_ms);
}

#[tokio::test]
async fn a_running_query_can_be_cancelled() {
    let file = SqliteFile::create("cancel");
    let execution = cancelled_after(&file.url(), HEAVY, Duration::from_millis(200)).await;
    assert_eq!(execution.status, Status::Cancelled);
    assert!(execution.duration_ms < 5_000, "{}", execution.duration_ms);
}

#[tokio::test]
async fn a_missing_file_is_a_source_error() {
    let (result, _) = run_with(
        "sqlite:///nonexistent/carta.db",
        "SELECT 1",
        &Limits::default(),
    )
    .await;
    match result {
        Err(QueryError::Source(e)) => assert_eq!(e.exit_code(), 3, "{e}"),
        other => panic!("{other:?}"),
    }
}
