//! The runner against a real PostgreSQL: hostile statements, limits,
//! cancellation, column types and output formats.

mod common;

use std::time::Duration;

use carta_query::output::{CsvWriter, JsonLayout, JsonWriter, TableWriter};
use carta_query::{CancelToken, Limits, QueryError, Rejection, RowSink, Status, Value};
use carta_testkit::PgDatabase;
use common::{cancelled_after, execute, limits, run_with};

const SCHEMA: &str = "
    CREATE TABLE t (a int PRIMARY KEY);
    INSERT INTO t VALUES (1), (2), (3);
    CREATE VIEW v AS SELECT a FROM t;
    CREATE VIEW ruled AS SELECT a FROM t;
    CREATE RULE ruled_insert AS ON INSERT TO ruled DO INSTEAD INSERT INTO t VALUES (99);
    CREATE RULE ruled_select_log AS ON UPDATE TO ruled DO INSTEAD DELETE FROM t;
    CREATE FUNCTION sneaky_insert() RETURNS int LANGUAGE sql VOLATILE
        AS $$ INSERT INTO t VALUES (100) RETURNING a $$;
    CREATE FUNCTION sneaky_drop() RETURNS int LANGUAGE plpgsql VOLATILE
        AS $$ BEGIN EXECUTE 'DROP TABLE t'; RETURN 1; END $$;
    CREATE VIEW writes_when_read AS SELECT sneaky_insert() AS a;
    CREATE SEQUENCE s;
";

/// The contents of `t`, read outside the runner.
async fn table_contents(db: &PgDatabase) -> Vec<i32> {
    let (client, connection) = tokio_postgres::connect(&db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .query("SELECT a FROM t ORDER BY a", &[])
        .await
        .expect("t exists")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn hostile_statements_are_rejected_before_they_reach_the_server() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let hostile = [
        "SELECT 1; DROP TABLE t",
        "SELECT 1 /* ; */; DELETE FROM t",
        "SELECT 1 -- x\n; DELETE FROM t",
        "SELECT $$x$$; DELETE FROM t",
        "WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone",
        "SELECT * INTO t_copy FROM t",
        "SELECT * FROM t FOR UPDATE",
        "SELECT pg_sleep(5)",
        "SELECT pg_catalog.pg_sleep(5)",
        "SELECT nextval('s')",
        "SELECT pg_terminate_backend(pg_backend_pid())",
        "INSERT INTO ruled VALUES (5)",
        "UPDATE ruled SET a = 0",
        "UPDATE v SET a = 0",
        "DELETE FROM v",
        "TRUNCATE t",
        "COPY t TO STDOUT",
    ];
    for sql in hostile {
        let (result, sink) = run_with(&db.url(), sql, &Limits::default()).await;
        assert!(
            matches!(result, Err(QueryError::Rejected(_))),
            "`{sql}` was not rejected: {result:?}"
        );
        assert!(sink.rows.is_empty() && !sink.finished, "{sql}");
    }
    assert_eq!(table_contents(&db).await, [1, 2, 3]);
}

#[tokio::test]
async fn writes_the_checks_cannot_see_fail_in_the_read_only_transaction() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    for sql in [
        "SELECT sneaky_insert()",
        "SELECT * FROM writes_when_read",
        "SELECT sneaky_drop()",
        "SELECT a FROM t WHERE a < sneaky_insert()",
    ] {
        let (execution, _) = execute(&db.url(), sql).await;
        assert_eq!(execution.status, Status::Failed, "{sql}");
        let error = execution.error.unwrap_or_default();
        assert!(error.contains("read-only transaction"), "{sql}: {error}");
    }
    assert_eq!(table_contents(&db).await, [1, 2, 3]);
    let (after, _) = execute(&db.url(), "SELECT last_value FROM s").await;
    assert_eq!(after.status, Status::Success);
}

#[tokio::test]
async fn the_row_cap_truncates_only_when_more_rows_exist() {
    let db = PgDatabase::create();
    let (result, sink) = run_with(
        &db.url(),
        "SELECT generate_series(1, 100000) AS n",
        &limits(10, 1 << 20, 10_000),
    )
    .await;
    let execution = result.expect("runs");
    assert_eq!(execution.status, Status::Success);
    assert_eq!((execution.row_count, execution.truncated), (10, true));
    assert_eq!(sink.rows.len(), 10);
    assert_eq!(sink.rows[9], [Value::Integer(10)]);

    let (exact, _) = run_with(
        &db.url(),
        "SELECT generate_series(1, 10)",
        &limits(10, 1 << 20, 10_000),
    )
    .await;
    let exact = exact.expect("runs");
    assert_eq!((exact.row_count, exact.truncated), (10, false));
}

#[tokio::test]
async fn the_byte_cap_stops_before_the_row_that_would_break_it() {
    let db = PgDatabase::create();
    let (result, sink) = run_with(
        &db.url(),
        "SELECT repeat('x', 100) FROM generate_series(1, 50)",
        &limits(1000, 1050, 10_000),
    )
    .await;
    let execution = result.expect("runs");
    assert_eq!((execution.row_count, execution.truncated), (10, true));
    assert_eq!(sink.rows.len(), 10);
}

#[tokio::test]
async fn a_heavy_query_fails_at_the_statement_timeout() {
    let db = PgDatabase::create();
    let heavy =
        "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000000) b";
    let (result, _) = run_with(&db.url(), heavy, &limits(10, 1 << 20, 500)).await;
    let execution = result.expect("runs");
    assert_eq!(execution.status, Status::Failed);
    let error = execution.error.unwrap_or_default();
    assert!(error.contains("statement timeout"), "{error}");
    assert!(execution.duration_ms < 10_000, "{}", execution.duration_ms);
}

#[tokio::test]
async fn a_running_query_can_be_cancelled() {
    let db = PgDatabase::create();
    let heavy =
        "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000000) b";
    let execution = cancelled_after(&db.url(), heavy, Duration::from_millis(300)).await;
    assert_eq!(execution.status, Status::Cancelled);
    assert!(execution.duration_ms < 10_000, "{}", execution.duration_ms);
    // The server stopped the backend, not only the client its reading.
    let still_active = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
                        AND query LIKE 'SELECT count(*) FROM generate_series%'";
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, sink) = execute(&db.url(), still_active).await;
        if sink.rows == [vec![Value::Integer(0)]] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the backend still runs"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn columns_come_with_their_types_and_values_are_typed() {
    let db = PgDatabase::create();
    let (execution, sink) = execute(
        &db.url(),
        r#"SELECT 1::int4 AS i, 2.5::float8 AS f, 1.10::numeric AS n, true AS b,
                  'x'::text AS t, '{"a": [1]}'::jsonb AS j, NULL::int8 AS z, '\x0102'::bytea AS raw"#,
    )
    .await;
    assert_eq!(execution.status, Status::Success);
    let types: Vec<(&str, &str)> = execution
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.type_name.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("i", "int4"),
            ("f", "float8"),
            ("n", "numeric"),
            ("b", "bool"),
            ("t", "text"),
            ("j", "jsonb"),
            ("z", "int8"),
            ("raw", "bytea")
        ]
    );
    assert_eq!(
        sink.rows,
        [vec![
            Value::Integer(1),
            Value::Float(2.5),
            Value::Decimal("1.10".into()),
            Value::Bool(true),
            Value::Text("x".into()),
            Value::Json(serde_json::json!({"a": [1]})),
            Value::Null,
            Value::Text("\\x0102".into()),
        ]]
    );
}

const AWKWARD: &str = r#"SELECT * FROM (VALUES (1, 'plain', NULL::text), (2, 'a,b "q"', E'line\nbreak')) AS r(id, label, note)"#;

async fn render(db: &PgDatabase, sink: &mut (dyn RowSink + Send)) {
    let execution = carta_query::run(
        &db.url(),
        AWKWARD,
        &Limits::default(),
        &CancelToken::new(),
        sink,
    )
    .await
    .expect("runs");
    assert_eq!(execution.status, Status::Success);
}

#[tokio::test]
async fn results_are_written_as_csv_json_and_tables() {
    let db = PgDatabase::create();
    let mut csv = Vec::new();
    render(&db, &mut CsvWriter::new(&mut csv)).await;
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "id,label,note\r\n1,plain,\r\n2,\"a,b \"\"q\"\"\",\"line\nbreak\"\r\n"
    );

    let mut json = Vec::new();
    render(&db, &mut JsonWriter::new(&mut json, JsonLayout::Array)).await;
    let parsed: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(
        parsed,
        serde_json::json!([
            {"id": 1, "label": "plain", "note": null},
            {"id": 2, "label": "a,b \"q\"", "note": "line\nbreak"}
        ])
    );

    let mut lines = Vec::new();
    render(&db, &mut JsonWriter::new(&mut lines, JsonLayout::Lines)).await;
    assert_eq!(
        String::from_utf8(lines).unwrap(),
        "{\"id\":1,\"label\":\"plain\",\"note\":null}\n{\"id\":2,\"label\":\"a,b \\\"q\\\"\",\"note\":\"line\\nbreak\"}\n"
    );

    let mut table = Vec::new();
    render(&db, &mut TableWriter::new(&mut table)).await;
    assert_eq!(
        String::from_utf8(table).unwrap(),
        "id | label   | note\n---+---------+-----------\n1  | plain   | NULL\n2  | a,b \"q\" | line break\n"
    );
}

#[tokio::test]
async fn an_empty_result_is_an_empty_json_array() {
    let db = PgDatabase::create();
    let mut json = Vec::new();
    let execution = carta_query::run(
        &db.url(),
        "SELECT 1 AS one WHERE false",
        &Limits::default(),
        &CancelToken::new(),
        &mut JsonWriter::new(&mut json, JsonLayout::Array),
    )
    .await
    .expect("runs");
    assert_eq!((execution.row_count, execution.truncated), (0, false));
    assert_eq!(execution.columns[0].name, "one");
    assert_eq!(String::from_utf8(json).unwrap(), "[]\n");
}

#[tokio::test]
async fn a_missing_database_is_a_source_error_without_the_password() {
    let url = format!(
        "{}/carta_no_such_database",
        carta_testkit::pg_server_url().replace("postgres@", "postgres:secret@")
    );
    let (result, _) = run_with(&url, "SELECT 1", &Limits::default()).await;
    match result {
        Err(QueryError::Source(e)) => {
            assert_eq!(e.exit_code(), 5, "{e}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_dialect_of_the_checks_follows_the_source() {
    let db = PgDatabase::create();
    let (result, _) = run_with(&db.url(), "SELECT pg_sleep(1)", &Limits::default()).await;
    assert!(matches!(
        result,
        Err(QueryError::Rejected(Rejection::SideEffectFunction { .. }))
    ));
}
