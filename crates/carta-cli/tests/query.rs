//! `carta query` end to end against a real PostgreSQL: output formats, the
//! truncation note, and the exit statuses 0, 13, 14 and 5.

use carta_testkit::PgDatabase;
use std::process::{Command, Output};

fn carta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carta"))
        .args(args)
        .output()
        .expect("carta runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn seeded() -> PgDatabase {
    let db = PgDatabase::create();
    db.execute(
        "CREATE TABLE t (id int PRIMARY KEY, label text);
         INSERT INTO t VALUES (1, 'a,b'), (2, NULL), (3, 'c');",
    );
    db
}

#[test]
fn rows_print_as_csv_and_json_with_a_summary_on_stderr() {
    let db = seeded();
    let csv = carta(&[
        "query",
        &db.url(),
        "SELECT id, label FROM t ORDER BY id",
        "--format",
        "csv",
    ]);
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    assert_eq!(text(&csv.stdout), "id,label\r\n1,\"a,b\"\r\n2,\r\n3,c\r\n");
    assert!(
        text(&csv.stderr).starts_with("3 rows in "),
        "{}",
        text(&csv.stderr)
    );

    let json = carta(&[
        "query",
        &db.url(),
        "SELECT id FROM t ORDER BY id",
        "--format",
        "json",
        "--max-rows",
        "2",
    ]);
    assert_eq!(json.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(rows, serde_json::json!([{"id": 1}, {"id": 2}]));
    assert!(
        text(&json.stderr).contains("truncated"),
        "{}",
        text(&json.stderr)
    );
}

#[test]
fn a_rejected_statement_exits_13_and_changes_nothing() {
    let db = seeded();
    let output = carta(&["query", &db.url(), "SELECT 1; DELETE FROM t"]);
    assert_eq!(output.status.code(), Some(13));
    assert!(
        text(&output.stderr).contains("exactly one statement"),
        "{}",
        text(&output.stderr)
    );
    let count = carta(&[
        "query",
        &db.url(),
        "SELECT count(*) FROM t",
        "--format",
        "csv",
    ]);
    assert_eq!(text(&count.stdout), "count\r\n3\r\n");
}

#[test]
fn a_failing_or_timed_out_statement_exits_14() {
    let db = seeded();
    let failed = carta(&["query", &db.url(), "SELECT 1 / 0"]);
    assert_eq!(failed.status.code(), Some(14));
    assert!(
        text(&failed.stderr).contains("division by zero"),
        "{}",
        text(&failed.stderr)
    );
    let heavy =
        "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000000) b";
    let timed_out = carta(&["query", &db.url(), heavy, "--timeout", "1"]);
    assert_eq!(timed_out.status.code(), Some(14));
    assert!(
        text(&timed_out.stderr).contains("statement timeout"),
        "{}",
        text(&timed_out.stderr)
    );
}

#[test]
fn a_missing_database_exits_5_without_the_password() {
    let url = format!(
        "{}/carta_no_such_database",
        carta_testkit::pg_server_url().replace("postgres@", "postgres:hunter2@")
    );
    let output = carta(&["query", &url, "SELECT 1"]);
    assert_eq!(output.status.code(), Some(5));
    assert!(
        !text(&output.stderr).contains("hunter2"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn ctrl_c_cancels_the_statement_on_the_database() {
    let db = seeded();
    let url = db.url();
    let child = Command::new(env!("CARGO_BIN_EXE_carta"))
        .args([
            "query",
            &url,
            "SELECT count(*) AS slept FROM generate_series(1, 100000000000)",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("carta runs");
    // The statement is on the server (so the handler is installed) before
    // the interrupt is sent.
    let sleeping = "SELECT count(*) FROM pg_stat_activity \
                    WHERE query LIKE '%AS slept FROM generate_series%' AND state = 'active' \
                    AND datname = current_database() AND pid <> pg_backend_pid()";
    let mut seen = false;
    for _ in 0..200 {
        let count = carta(&["query", &url, sleeping, "--format", "csv"]);
        if text(&count.stdout).ends_with("\n1\r\n") {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(seen, "the statement never reached the server");
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let out = child.wait_with_output().expect("carta ends");
    assert_eq!(out.status.code(), Some(14), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the query was cancelled"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).lines().count() <= 2,
        "a header at most, no rows: {}",
        text(&out.stdout)
    );
    // The cancel request reaches the server on a connection of its own; the
    // statement stops at the server's next interrupt check.
    let mut stopped = false;
    for _ in 0..200 {
        let count = carta(&["query", &url, sleeping, "--format", "csv"]);
        if text(&count.stdout).ends_with("\n0\r\n") {
            stopped = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(stopped, "the statement still runs on the server");
}
