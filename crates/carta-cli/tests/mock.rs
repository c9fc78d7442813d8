//! End-to-end tests of `carta mock`: loading the seed systems into real
//! PostgreSQL, MariaDB and SQLite databases, files in each format,
//! determinism, overrides, and failures that leave everything unchanged.

mod common;

use carta_testkit::{MysqlDatabase, PgDatabase};
use common::{carta, carta_in, path_str, seeds_dir, stderr, stdout, temp_dir};
use std::path::Path;
use std::process::Command;

fn psql_count(db: &PgDatabase, sql: &str) -> i64 {
    let out = Command::new("psql")
        .args(["-X", "-A", "-t", "-q", &db.url(), "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(seeds_dir().join(name)).unwrap()
}

#[test]
fn a_seed_loads_into_postgres_with_every_constraint_in_place() {
    let db = PgDatabase::create();
    db.execute(&seed("000_orko.sql"));
    let out = carta(&[
        "mock",
        "--target",
        &db.url(),
        "--rows",
        "300",
        "--table",
        "orko.orgs=20",
        "--seed",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("rows/s"), "{}", stderr(&out));
    assert_eq!(psql_count(&db, "SELECT count(*) FROM orko.orgs"), 20);
    assert_eq!(psql_count(&db, "SELECT count(*) FROM orko.users"), 300);
    // Skewed, not uniform: some organisation has clearly more users than the average (15).
    assert!(
        psql_count(
            &db,
            "SELECT max(c) FROM (SELECT count(*) c FROM orko.users GROUP BY org_id) s"
        ) > 30
    );
    // Every foreign key holds (the database enforces it; this checks nothing was left NULL to dodge it).
    assert_eq!(
        psql_count(&db, "SELECT count(*) FROM orko.users u LEFT JOIN orko.orgs o ON o.id = u.org_id WHERE o.id IS NULL"),
        0
    );
    // Loading again is refused: the tables are not empty, and nothing changes.
    let again = carta(&["mock", "--target", &db.url(), "--rows", "10"]);
    assert_eq!(again.status.code(), Some(12), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already have rows"),
        "{}",
        stderr(&again)
    );
    assert_eq!(psql_count(&db, "SELECT count(*) FROM orko.users"), 300);
}

#[test]
fn files_are_deterministic_per_seed_in_every_format() {
    let source = seeds_dir().join("002_plugins.sql");
    for format in ["sql", "csv", "ndjson"] {
        let dirs: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|n| temp_dir(&format!("mock-{format}-{n}")))
            .collect();
        for (dir, seed) in dirs.iter().zip(["1", "1", "2"]) {
            let out = carta(&[
                "mock",
                path_str(&source),
                "--rows",
                "40",
                "--seed",
                seed,
                "--out",
                path_str(dir),
                "--format",
                format,
            ]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let read = |dir: &Path| {
            let mut files: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            files
                .iter()
                .map(|f| (f.file_name().unwrap().to_owned(), std::fs::read(f).unwrap()))
                .collect::<Vec<_>>()
        };
        let (a, b, c) = (read(&dirs[0]), read(&dirs[1]), read(&dirs[2]));
        assert!(a.len() >= 3, "a file per table: {a:?}");
        assert_eq!(a, b, "{format}: the same seed gives the same bytes");
        assert_ne!(a, c, "{format}: another seed gives other rows");
    }
}

#[test]
fn csv_files_hold_a_header_and_the_rows_asked_for() {
    let dir = temp_dir("mock-csv-rows");
    let source = seeds_dir().join("000_orko.sql");
    let out = carta(&[
        "mock",
        path_str(&source),
        "--rows",
        "25",
        "--table",
        "orgs=7",
        "--out",
        path_str(&dir),
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let orgs = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("orko.orgs.csv"))
        .expect("orgs file");
    let text = std::fs::read_to_string(orgs).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().contains("name"), "{text}");
    assert_eq!(lines.count(), 7, "{text}");
}

#[test]
fn carta_toml_sets_rows_and_column_values() {
    let dir = temp_dir("mock-config");
    std::fs::write(dir.join("schema.sql"), seed("000_orko.sql")).unwrap();
    std::fs::write(
        dir.join("carta.toml"),
        "[mock]\nrows = 12\n\n[mock.columns.\"orko.orgs.name\"]\nvalues = [\"Acme\", \"Globex\"]\n",
    )
    .unwrap();
    let out = carta_in(
        &dir,
        &["mock", "schema.sql", "--out", "out", "--format", "ndjson"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let orgs = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("orko.orgs.ndjson"))
        .expect("orgs file");
    let text = std::fs::read_to_string(orgs).unwrap();
    assert_eq!(text.lines().count(), 12);
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(row["name"] == "Acme" || row["name"] == "Globex", "{line}");
    }

    std::fs::write(
        dir.join("carta.toml"),
        "[mock.columns.\"orko.orgs.nam\"]\nvalues = [\"x\"]\n",
    )
    .unwrap();
    let out = carta_in(&dir, &["mock", "schema.sql", "--out", "out2"]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(stderr(&out).contains("carta.toml:1:"), "{}", stderr(&out));
}

#[test]
fn a_schema_that_cannot_be_filled_fails_before_writing_anything() {
    let dir = temp_dir("mock-too-small");
    std::fs::write(
        dir.join("schema.sql"),
        "CREATE TABLE public.flags (id bigint PRIMARY KEY, flag boolean NOT NULL UNIQUE);",
    )
    .unwrap();
    let out = carta_in(&dir, &["mock", "schema.sql", "--rows", "3", "--out", "out"]);
    assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("flag"), "names the column: {err}");
    assert!(!dir.join("out").exists(), "nothing written");

    let db = PgDatabase::create();
    db.execute("CREATE TABLE public.flags (id bigint PRIMARY KEY, flag boolean NOT NULL UNIQUE);");
    let out = carta(&["mock", "--target", &db.url(), "--rows", "3"]);
    assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
    assert_eq!(psql_count(&db, "SELECT count(*) FROM public.flags"), 0);
}

#[test]
fn a_constraint_carta_cannot_model_rolls_the_whole_load_back() {
    let db = PgDatabase::create();
    db.execute(
        "CREATE TABLE public.parents (id bigint PRIMARY KEY, name text NOT NULL);
         CREATE TABLE public.children (
             id bigint PRIMARY KEY,
             parent_id bigint NOT NULL REFERENCES public.parents (id),
             code text NOT NULL CONSTRAINT code_hash_starts_with_a CHECK (md5(code) LIKE 'a%')
         );",
    );
    let out = carta(&["mock", "--target", &db.url(), "--rows", "50"]);
    assert_eq!(out.status.code(), Some(12), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("children"), "{err}");
    assert!(err.contains("code_hash_starts_with_a"), "{err}");
    assert_eq!(
        psql_count(&db, "SELECT count(*) FROM public.parents"),
        0,
        "rolled back"
    );
    assert_eq!(psql_count(&db, "SELECT count(*) FROM public.children"), 0);
}

#[test]
fn the_mysql_and_sqlite_examples_load() {
    let db = MysqlDatabase::create();
    db.execute(&seed("mysql/000_orko.sql"));
    let out = carta(&["mock", "--target", &db.url(), "--rows", "100"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("rows"), "{}", stderr(&out));
    let count = |sql: &str| -> i64 {
        let out = Command::new("mariadb")
            .args([
                "-h",
                "127.0.0.1",
                "-P",
                "3306",
                "-u",
                "root",
                "-N",
                "-B",
                &db.name,
                "-e",
                sql,
            ])
            .output()
            .expect("the mariadb client runs");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    assert_eq!(count("SELECT count(*) FROM users"), 100);
    assert_eq!(
        count(
            "SELECT count(*) FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE o.id IS NULL"
        ),
        0
    );

    let dir = temp_dir("mock-sqlite");
    let file = dir.join("app.db");
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection
        .execute_batch(&seed("sqlite/000_orko.sql"))
        .unwrap();
    drop(connection);
    // Rows planned from PostgreSQL DDL do not fit a SQLite file: refused, nothing written.
    let postgres_ddl = seeds_dir().join("000_orko.sql");
    let out = carta(&[
        "mock",
        path_str(&postgres_ddl),
        "--target",
        path_str(&file),
        "--rows",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(12), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the target is Sqlite"),
        "{}",
        stderr(&out)
    );

    let out = carta(&["mock", "--target", path_str(&file), "--rows", "100"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let connection = rusqlite::Connection::open(&file).unwrap();
    let users: i64 = connection
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 100);
    let broken: i64 = connection
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
}
