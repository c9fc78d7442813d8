//! The allow-list on its own: what passes, what is rejected and why.

use carta_catalog::Dialect;
use carta_query::{check, Rejection, StatementKind};

fn rejected(dialect: Dialect, sql: &str) -> Rejection {
    match check(dialect, sql) {
        Err(rejection) => rejection,
        Ok(checked) => panic!("`{sql}` passed as {:?}", checked.kind),
    }
}

#[test]
fn read_only_statements_pass_with_their_kind() {
    let cases = [
        (Dialect::Postgres, "SELECT 1", StatementKind::Query),
        (
            Dialect::Postgres,
            "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
            StatementKind::Query,
        ),
        (
            Dialect::Postgres,
            "VALUES (1, 'a'), (2, 'b')",
            StatementKind::Query,
        ),
        (
            Dialect::Postgres,
            "EXPLAIN SELECT * FROM pg_class",
            StatementKind::Explain,
        ),
        (
            Dialect::Postgres,
            "EXPLAIN ANALYZE SELECT 1",
            StatementKind::Explain,
        ),
        (
            Dialect::Postgres,
            "SHOW statement_timeout",
            StatementKind::Show,
        ),
        (Dialect::Mysql, "SHOW TABLES", StatementKind::Show),
        (
            Dialect::Mysql,
            "SELECT `a` FROM `t` LIMIT 3",
            StatementKind::Query,
        ),
        (
            Dialect::Sqlite,
            "SELECT name FROM sqlite_master",
            StatementKind::Query,
        ),
        // A trailing semicolon and comments are one statement still.
        (Dialect::Postgres, "SELECT 1; -- done", StatementKind::Query),
    ];
    for (dialect, sql, kind) in cases {
        let checked = check(dialect, sql).unwrap_or_else(|r| panic!("`{sql}`: {r}"));
        assert_eq!(checked.kind, kind, "{sql}");
        assert_eq!(checked.sql, sql);
    }
}

#[test]
fn more_than_one_statement_is_rejected_however_it_is_hidden() {
    for sql in [
        "SELECT 1; DROP TABLE t",
        "SELECT 1 /* ; */; DELETE FROM t",
        "SELECT 1 -- comment\n; DELETE FROM t",
        "SELECT $$ a $$; DELETE FROM t",
    ] {
        assert_eq!(
            rejected(Dialect::Postgres, sql),
            Rejection::MultipleStatements { count: 2 },
            "{sql}"
        );
    }
    assert_eq!(
        rejected(Dialect::Postgres, "  -- nothing\n"),
        Rejection::Empty
    );
}

#[test]
fn text_inside_quotes_and_comments_is_not_a_statement() {
    // Dollar quoting and comments hide a DELETE from the server too: one SELECT.
    for sql in [
        "SELECT $$; DELETE FROM t; $$",
        "SELECT $x$ ; DROP TABLE t; $x$ AS hidden",
        "SELECT 1 /* ; DELETE FROM t */",
        "SELECT '; DELETE FROM t'",
    ] {
        let checked = check(Dialect::Postgres, sql).unwrap_or_else(|r| panic!("`{sql}`: {r}"));
        assert_eq!(checked.kind, StatementKind::Query);
    }
}

#[test]
fn writes_and_ddl_are_rejected_with_the_statement() {
    for sql in [
        "DELETE FROM t",
        "UPDATE t SET a = 1",
        "INSERT INTO t VALUES (1)",
        "DROP TABLE t",
        "CREATE TABLE x AS SELECT 1",
        "COPY t TO '/tmp/x'",
        "SET statement_timeout = 0",
        "BEGIN",
        "EXPLAIN ANALYZE DELETE FROM t",
    ] {
        match rejected(Dialect::Postgres, sql) {
            Rejection::NotReadOnly { statement } => {
                let first_word = sql.split_whitespace().last().unwrap_or_default();
                assert!(
                    statement.contains(first_word) || sql.starts_with("EXPLAIN"),
                    "{sql}: {statement}"
                );
            }
            other => panic!("`{sql}`: {other:?}"),
        }
    }
}

#[test]
fn data_modifying_ctes_are_rejected() {
    for sql in [
        "WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone",
        "WITH new AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1",
        "WITH up AS (UPDATE t SET a = 2 RETURNING a) SELECT * FROM up",
        "SELECT * FROM (SELECT 1) s WHERE EXISTS (WITH d AS (DELETE FROM t RETURNING 1) SELECT * FROM d)",
    ] {
        assert!(
            matches!(rejected(Dialect::Postgres, sql), Rejection::DataModifying { .. }),
            "{sql}"
        );
    }
}

#[test]
fn select_into_and_locking_clauses_are_rejected() {
    assert_eq!(
        rejected(Dialect::Postgres, "SELECT * INTO copy_of_t FROM t"),
        Rejection::SelectInto {
            clause: "INTO copy_of_t".into()
        }
    );
    for (sql, clause) in [
        ("SELECT * FROM t FOR UPDATE", "FOR UPDATE"),
        ("SELECT * FROM t FOR SHARE NOWAIT", "FOR SHARE NOWAIT"),
        ("SELECT * FROM (SELECT * FROM t FOR UPDATE) s", "FOR UPDATE"),
    ] {
        assert_eq!(
            rejected(Dialect::Postgres, sql),
            Rejection::LockingClause {
                clause: clause.into()
            },
            "{sql}"
        );
    }
    // sqlparser does not know this clause: rejected as unparsable, still rejected.
    assert!(matches!(
        rejected(Dialect::Postgres, "SELECT * FROM t FOR NO KEY UPDATE"),
        Rejection::Syntax { .. }
    ));
}

#[test]
fn side_effect_functions_are_rejected_wherever_they_appear() {
    let cases = [
        (Dialect::Postgres, "SELECT pg_sleep(5)", "pg_sleep"),
        (
            Dialect::Postgres,
            "SELECT pg_catalog.pg_sleep(5)",
            "pg_catalog.pg_sleep",
        ),
        (Dialect::Postgres, "SELECT \"pg_sleep\"(1)", "\"pg_sleep\""),
        (Dialect::Postgres, "SELECT * FROM pg_sleep(1)", "pg_sleep"),
        (
            Dialect::Postgres,
            "SELECT 1 WHERE pg_terminate_backend(42)",
            "pg_terminate_backend",
        ),
        (
            Dialect::Postgres,
            "WITH x AS (SELECT pg_read_file('/etc/passwd')) SELECT * FROM x",
            "pg_read_file",
        ),
        (Dialect::Postgres, "SELECT nextval('s')", "nextval"),
        (
            Dialect::Postgres,
            "SELECT set_config('a.b', 'c', false)",
            "set_config",
        ),
        (
            Dialect::Postgres,
            "SELECT pg_advisory_xact_lock(1)",
            "pg_advisory_xact_lock",
        ),
        (
            Dialect::Postgres,
            "SELECT * FROM dblink('x', 'y') AS t(a int)",
            "dblink",
        ),
        (
            Dialect::Postgres,
            "SELECT lo_import('/etc/passwd')",
            "lo_import",
        ),
        (Dialect::Postgres, "SELECT pg_notify('c', 'm')", "pg_notify"),
        (
            Dialect::Postgres,
            "SELECT (SELECT max(a) FROM t WHERE a > pg_sleep(1)::text::int)",
            "pg_sleep",
        ),
        (Dialect::Mysql, "SELECT SLEEP(5)", "SLEEP"),
        (
            Dialect::Mysql,
            "SELECT BENCHMARK(1000000, MD5('a'))",
            "BENCHMARK",
        ),
        (Dialect::Mysql, "SELECT GET_LOCK('a', 10)", "GET_LOCK"),
        (
            Dialect::Mysql,
            "SELECT LOAD_FILE('/etc/passwd')",
            "LOAD_FILE",
        ),
        (
            Dialect::Sqlite,
            "SELECT load_extension('x')",
            "load_extension",
        ),
        (
            Dialect::Sqlite,
            "SELECT writefile('/tmp/x', 'y')",
            "writefile",
        ),
        (
            Dialect::Sqlite,
            "SELECT readfile('/etc/passwd')",
            "readfile",
        ),
    ];
    for (dialect, sql, name) in cases {
        assert_eq!(
            rejected(dialect, sql),
            Rejection::SideEffectFunction { name: name.into() },
            "{sql}"
        );
    }
}

#[test]
fn explain_checks_the_explained_statement() {
    assert!(matches!(
        rejected(Dialect::Postgres, "EXPLAIN ANALYZE SELECT pg_sleep(10)"),
        Rejection::SideEffectFunction { .. }
    ));
    assert!(matches!(
        rejected(
            Dialect::Postgres,
            "EXPLAIN ANALYZE WITH d AS (DELETE FROM t RETURNING 1) SELECT * FROM d"
        ),
        Rejection::DataModifying { .. }
    ));
}

#[test]
fn text_that_does_not_parse_is_rejected_with_the_position() {
    match rejected(Dialect::Postgres, "SELECT 1 +* FROM t") {
        Rejection::Syntax { message } => {
            assert!(message.contains("Line: 1"), "{message}");
            assert!(message.contains("Column"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
