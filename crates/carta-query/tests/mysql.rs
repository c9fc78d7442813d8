//! The runner against the real MariaDB (or MySQL) server.

mod common;

use std::time::Duration;

use carta_query::{Limits, QueryError, Status, Value};
use carta_testkit::MysqlDatabase;
use common::{cancelled_after, execute, limits, run_with};

const SCHEMA: &str = "
    CREATE TABLE t (a INT PRIMARY KEY, price DECIMAL(10,2), label VARCHAR(20));
    INSERT INTO t VALUES (1, 1.50, 'one'), (2, NULL, 'two'), (3, 3.00, 'three');
    CREATE FUNCTION sneaky_insert() RETURNS INT MODIFIES SQL DATA
    BEGIN INSERT INTO t VALUES (100, 0, 'sneaky'); RETURN 1; END
";

const HEAVY: &str = "SELECT COUNT(*) FROM information_schema.columns a, \
                     information_schema.columns b, information_schema.columns c";

async fn keys(db: &MysqlDatabase) -> Vec<Value> {
    let (_, sink) = execute(&db.url(), "SELECT a FROM t ORDER BY a").await;
    sink.rows.into_iter().flatten().collect()
}

fn created() -> MysqlDatabase {
    let db = MysqlDatabase::create();
    for statement in SCHEMA.split(";\n") {
        db.execute(statement);
    }
    db
}

#[tokio::test]
async fn hostile_statements_are_rejected_or_fail_read_only() {
    let db = created();
    for sql in [
        "SELECT 1; DROP TABLE t",
        "SELECT 1 /* ; */; DELETE FROM t",
        "SELECT 1 # x\n; DELETE FROM t",
        "SELECT SLEEP(5)",
        "SELECT BENCHMARK(100000000, MD5('x'))",
        "SELECT GET_LOCK('carta', 10)",
        "SELECT LOAD_FILE('/etc/passwd')",
        "SELECT * FROM t FOR UPDATE",
        "DELETE FROM t",
        "SET SESSION max_statement_time = 0",
    ] {
        let (result, _) = run_with(&db.url(), sql, &Limits::default()).await;
        assert!(
            matches!(result, Err(QueryError::Rejected(_))),
            "`{sql}` was not rejected: {result:?}"
        );
    }
    let (execution, _) = execute(&db.url(), "SELECT sneaky_insert()").await;
    assert_eq!(execution.status, Status::Failed);
    let error = execution.error.unwrap_or_default();
    assert!(error.contains("READ ONLY"), "{error}");
    let one_two_three: Vec<Value> = (1..=3).map(Value::Integer).collect();
    assert_eq!(keys(&db).await, one_two_three);
}

#[tokio::test]
async fn columns_and_values_are_typed() {
    let db = created();
    let (execution, sink) = execute(
        &db.url(),
        "SELECT a, price, label, CAST(1.5 AS DOUBLE) AS d FROM t WHERE a = 1",
    )
    .await;
    assert_eq!(execution.status, Status::Success);
    let types: Vec<&str> = execution
        .columns
        .iter()
        .map(|c| c.type_name.as_str())
        .collect();
    assert_eq!(types, ["int", "decimal", "varchar", "double"]);
    assert_eq!(
        sink.rows,
        [vec![
            Value::Integer(1),
            Value::Decimal("1.50".into()),
            Value::Text("one".into()),
            Value::Float(1.5),
        ]]
    );
}

#[tokio::test]
async fn the_row_cap_truncates() {
    let db = created();
    let (result, sink) = run_with(
        &db.url(),
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
async fn a_heavy_query_fails_at_the_statement_time_limit() {
    let db = created();
    let (result, _) = run_with(&db.url(), HEAVY, &limits(10, 1 << 20, 500)).await;
    let execution = result.expect("runs");
    assert_eq!(execution.status, Status::Failed);
    let error = execution.error.unwrap_or_default();
    assert!(
        error.contains("max_statement_time") || error.contains("maximum statement execution time"),
        "{error}"
    );
    assert!(execution.duration_ms < 10_000, "{}", execution.duration_ms);
}

#[tokio::test]
async fn a_running_query_can_be_cancelled() {
    let db = created();
    let execution = cancelled_after(&db.url(), HEAVY, Duration::from_millis(300)).await;
    assert_eq!(execution.status, Status::Cancelled);
    assert!(execution.duration_ms < 10_000, "{}", execution.duration_ms);
}
