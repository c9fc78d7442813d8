//! Write mode against a real PostgreSQL: one DML statement committed with
//! its row count, schema changes only in the DDL scope, everything else
//! (transaction control, settings, COPY, functions, several statements)
//! refused before the server; failures, timeouts and cancels change nothing.

// Shared with the read tests; this file uses part of it.
#[allow(dead_code)]
mod common;

use std::time::Duration;

use carta_query::{CancelToken, Execution, QueryError, Rejection, Status, Value, WriteScope};
use carta_testkit::PgDatabase;
use common::{limits, Collected};

const SCHEMA: &str = "
    CREATE TABLE t (a int PRIMARY KEY);
    INSERT INTO t VALUES (1), (2), (3);
    CREATE SEQUENCE s;
";

async fn contents(db: &PgDatabase) -> Vec<i32> {
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

async fn write(
    url: &str,
    sql: &str,
    scope: WriteScope,
    cancel: &CancelToken,
) -> (Result<Execution, QueryError>, Collected) {
    let mut sink = Collected::default();
    let result = carta_query::run_write(
        url,
        sql,
        scope,
        &limits(100, 1 << 20, 60_000),
        cancel,
        &mut sink,
    )
    .await;
    (result, sink)
}

async fn ran(url: &str, sql: &str, scope: WriteScope) -> (Execution, Collected) {
    let (result, sink) = write(url, sql, scope, &CancelToken::new()).await;
    (
        result.unwrap_or_else(|e| panic!("`{sql}` did not run: {e}")),
        sink,
    )
}

#[tokio::test]
async fn one_dml_statement_is_committed_with_its_row_count() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let (updated, _) = ran(
        &db.url(),
        "UPDATE t SET a = a + 10 WHERE a >= 2",
        WriteScope::Dml,
    )
    .await;
    assert_eq!(updated.status, Status::Success, "{updated:?}");
    assert_eq!(updated.rows_affected, Some(2));
    assert_eq!(contents(&db).await, [1, 12, 13]);

    let (deleted, rows) = ran(
        &db.url(),
        "DELETE FROM t WHERE a = 12 RETURNING a",
        WriteScope::Dml,
    )
    .await;
    assert_eq!((deleted.rows_affected, deleted.row_count), (Some(1), 1));
    assert_eq!(rows.rows, [[Value::Integer(12)]]);
    assert_eq!(contents(&db).await, [1, 13]);

    // Reads pass write mode's checks too, still read-only, with no count.
    let (read, _) = ran(&db.url(), "SELECT a FROM t", WriteScope::Dml).await;
    assert_eq!((read.row_count, read.rows_affected), (2, None));
    db.execute(
        "CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql VOLATILE
             AS 'DELETE FROM t RETURNING 1'",
    );
    let (sneaky, _) = ran(&db.url(), "SELECT sneaky()", WriteScope::Ddl).await;
    assert_eq!(sneaky.status, Status::Failed, "{sneaky:?}");
    assert_eq!(contents(&db).await, [1, 13]);
}

#[tokio::test]
async fn schema_changes_need_the_ddl_scope() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let (refused, _) = write(
        &db.url(),
        "CREATE TABLE u (x int)",
        WriteScope::Dml,
        &CancelToken::new(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(QueryError::Rejected(Rejection::DdlNotAllowed { .. }))
        ),
        "{refused:?}"
    );
    for sql in ["TRUNCATE t", "DROP TABLE t"] {
        let (refused, _) = write(&db.url(), sql, WriteScope::Dml, &CancelToken::new()).await;
        assert!(
            matches!(
                refused,
                Err(QueryError::Rejected(Rejection::DdlNotAllowed { .. }))
            ),
            "{sql}: {refused:?}"
        );
    }
    assert_eq!(contents(&db).await, [1, 2, 3]);
    let (created, _) = ran(&db.url(), "CREATE TABLE u (x int)", WriteScope::Ddl).await;
    assert_eq!(created.status, Status::Success, "{created:?}");
    let (inserted, _) = ran(&db.url(), "INSERT INTO u VALUES (1), (2)", WriteScope::Dml).await;
    assert_eq!(inserted.rows_affected, Some(2));
}

#[tokio::test]
async fn everything_else_is_refused_before_the_server() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let refused = [
        "UPDATE t SET a = 0; DROP TABLE t",
        "DELETE FROM t; COMMIT",
        "COMMIT",
        "BEGIN",
        "SET ROLE postgres",
        "COPY t FROM '/etc/passwd'",
        "GRANT ALL ON t TO PUBLIC",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "INSERT INTO t SELECT nextval('s')",
        "UPDATE t SET a = (SELECT setval('s', 100))",
        "WITH gone AS (DELETE FROM t RETURNING a) INSERT INTO t SELECT a + 100 FROM gone",
        "DO $$ BEGIN DELETE FROM t; END $$",
    ];
    for sql in refused {
        for scope in [WriteScope::Dml, WriteScope::Ddl] {
            let (result, _) = write(&db.url(), sql, scope, &CancelToken::new()).await;
            assert!(
                matches!(result, Err(QueryError::Rejected(_))),
                "{sql} ({scope:?}): {result:?}"
            );
        }
    }
    assert_eq!(contents(&db).await, [1, 2, 3]);
}

#[tokio::test]
async fn failures_timeouts_and_cancels_change_nothing() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let (conflict, _) = ran(&db.url(), "INSERT INTO t VALUES (4), (1)", WriteScope::Dml).await;
    assert_eq!(conflict.status, Status::Failed);
    assert!(
        conflict
            .error
            .as_deref()
            .is_some_and(|e| e.contains("23505")),
        "{conflict:?}"
    );
    let endless = "INSERT INTO t SELECT g FROM generate_series(1000, 100000000000) g";
    let mut sink = Collected::default();
    let timed_out = carta_query::run_write(
        &db.url(),
        endless,
        WriteScope::Dml,
        &limits(100, 1 << 20, 200),
        &CancelToken::new(),
        &mut sink,
    )
    .await
    .expect("it runs");
    assert_eq!(timed_out.status, Status::Failed);
    assert!(
        timed_out
            .error
            .as_deref()
            .is_some_and(|e| e.contains("statement timeout")),
        "{timed_out:?}"
    );
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    });
    let (cancelled, _) = write(&db.url(), endless, WriteScope::Dml, &cancel).await;
    assert_eq!(cancelled.expect("it runs").status, Status::Cancelled);
    assert_eq!(contents(&db).await, [1, 2, 3]);
}

#[tokio::test]
async fn writes_are_postgresql_only() {
    let dir = std::env::temp_dir().join(format!("carta-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let path = dir.join("w.db");
    rusqlite::Connection::open(&path)
        .and_then(|conn| conn.execute_batch("CREATE TABLE t (a INTEGER)"))
        .expect("an SQLite file");
    let (refused, _) = write(
        &format!("sqlite://{}", path.display()),
        "INSERT INTO t VALUES (1)",
        WriteScope::Dml,
        &CancelToken::new(),
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        matches!(
            refused,
            Err(QueryError::Rejected(Rejection::WritesUnsupported { .. }))
        ),
        "{refused:?}"
    );
}
