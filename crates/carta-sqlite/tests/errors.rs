//! What goes wrong, and what must never happen: clear errors for files that
//! are not databases, warnings at the right place for bad statements, the
//! user's database untouched, and no panic on any text.

mod common;

use carta_source::{IngestError, IngestOptions};
use common::{database_file, ddl_file, TempDir, FEATURES};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file in `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// Asserts that `dir` holds exactly the files of `before`, byte for byte,
/// naming the files that differ rather than printing their bytes.
fn assert_unchanged(dir: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let after = snapshot(dir);
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&after),
        names(before),
        "files were created or removed"
    );
    for (name, bytes) in before {
        assert!(after[name] == *bytes, "{name} was changed");
    }
}

#[test]
fn a_text_file_named_db_is_not_a_database() {
    let dir = TempDir::new("notdb");
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "just some notes, not a database\n".repeat(40)).unwrap();
    let before = snapshot(dir.path());
    let err = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap_err();
    match &err {
        IngestError::Io { path: p, source } => {
            assert_eq!(p, &path);
            assert_eq!(source.kind(), std::io::ErrorKind::InvalidData);
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("notes.db"), "{message}");
    assert!(message.contains("not a SQLite database"), "{message}");
    assert_eq!(err.exit_code(), 3);
    assert_unchanged(dir.path(), &before);
}

#[test]
fn a_missing_file_is_reported_and_never_created() {
    let dir = TempDir::new("missing");
    let path = dir.path().join("nowhere.db");
    let err = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("nowhere.db"), "{err}");
    assert!(!path.exists(), "a database was created");
    assert!(snapshot(dir.path()).is_empty());

    let err = carta_sqlite::ingest_file(dir.path(), &IngestOptions::default()).unwrap_err();
    assert!(
        matches!(&err, IngestError::Io { .. }) && err.to_string().contains("is a directory"),
        "{err:?}"
    );
}

#[test]
fn reading_leaves_the_database_byte_identical() {
    let dir = TempDir::new("untouched");
    let path = database_file(&dir, "rollback.db", FEATURES);
    let before = snapshot(dir.path());
    let read = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap();
    assert_eq!(read.catalog.tables().count(), 9);
    assert_unchanged(dir.path(), &before);
}

#[test]
fn an_empty_file_is_an_empty_database() {
    let dir = TempDir::new("empty");
    let path = dir.path().join("empty.sqlite");
    std::fs::write(&path, b"").unwrap();
    let read = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap();
    assert_eq!(read.catalog.tables().count(), 0);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_locked_database_fails_after_the_timeout() {
    let dir = TempDir::new("locked");
    let path = database_file(&dir, "locked.db", "CREATE TABLE t (x);");
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch("BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .unwrap();
    let options = IngestOptions {
        connect_timeout: std::time::Duration::from_millis(200),
        ..IngestOptions::default()
    };
    let started = std::time::Instant::now();
    let err = carta_sqlite::ingest_file(&path, &options).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(matches!(err, IngestError::Query { .. }), "{err:?}");
    assert!(err.to_string().contains("locked"), "{err}");
    assert_eq!(err.exit_code(), 8);
    writer.execute_batch("COMMIT").unwrap();
    assert!(carta_sqlite::ingest_file(&path, &options).is_ok());
}

#[test]
fn a_wal_database_file_is_left_byte_identical() {
    let dir = TempDir::new("wal");
    let path = dir.path().join("wal.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch(FEATURES).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let read = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap();
    assert_eq!(read.catalog.tables().count(), 9);
    assert!(
        std::fs::read(&path).unwrap() == before,
        "wal.db was changed"
    );
    // Like any SQLite reader of a WAL database, the read may create the
    // (empty) write-ahead log; nothing is written to it.
    let wal = dir.path().join("wal.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn a_database_in_use_by_a_writer_is_read_without_changing_it() {
    let dir = TempDir::new("in-use");
    let path = dir.path().join("live.db");
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer.pragma_update(None, "journal_mode", "WAL").unwrap();
    writer.execute_batch(FEATURES).unwrap();
    writer
        .execute("INSERT INTO tags (name) VALUES ('unsaved')", [])
        .unwrap();
    let main_before = std::fs::read(&path).unwrap();
    let wal_before = std::fs::read(dir.path().join("live.db-wal")).unwrap();
    let read = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap();
    assert!(read
        .catalog
        .table(&carta_catalog::QualifiedName::new("main", "tags"))
        .is_some());
    assert_eq!(std::fs::read(&path).unwrap(), main_before);
    assert_eq!(
        std::fs::read(dir.path().join("live.db-wal")).unwrap(),
        wal_before
    );
    drop(writer);
}

#[test]
fn rejected_statements_become_warnings_at_their_position() {
    let text = "CREATE TABLE a (id INTEGER PRIMARY KEY);\n\
                CREATE TABLE b (\n  id INTEGER,\n  oops oops oops (\n);\n\
                CREAT TABLE c (x);\n\
                CREATE TABLE a (x);\n\
                CREATE INDEX i ON missing (x);\n\
                \x20 CREATE TRIGGER t AFTER INSERT ON a BEGIN\n    UPDATE a SET id = 1;\n    bogus;\nEND;\n\
                INSERT INTO nowhere VALUES (1);\n\
                .headers on\n\
                CREATE TABLE d (id INTEGER REFERENCES a);\n";
    let read = carta_sqlite::ingest_ddl(&ddl_file("w.sql", text), &IngestOptions::default())
        .expect("warnings, not an error");
    let found: Vec<_> = read
        .warnings
        .iter()
        .map(|w| {
            let l = w.location.as_ref().expect("a location");
            (
                l.file.display().to_string(),
                l.line,
                l.column,
                w.message.as_str(),
                w.excerpt.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    let w = |line, column, message, excerpt| ("w.sql".to_string(), line, column, message, excerpt);
    assert_eq!(
        found,
        vec![
            w(5, 1, "near \")\": syntax error", "CREATE TABLE b ("),
            w(6, 1, "near \"CREAT\": syntax error", "CREAT TABLE c (x);"),
            w(7, 14, "table a already exists", "CREATE TABLE a (x);"),
            w(
                8,
                1,
                "no such table: main.missing",
                "CREATE INDEX i ON missing (x);"
            ),
            w(
                11,
                5,
                "near \"bogus\": syntax error",
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN"
            ),
        ]
    );
    // Skipped statements (INSERT, a shell command) warn about nothing, and the
    // statements after each bad one were still applied.
    let tables: Vec<_> = read
        .catalog
        .tables()
        .map(|(_, t)| t.name.as_str())
        .collect();
    assert_eq!(tables, ["a", "d"]);
    assert!(read.warnings[0].to_string().starts_with("w.sql:5:1: near"));
}

#[test]
fn a_trigger_without_end_costs_only_itself() {
    let text = "CREATE TABLE a (id INTEGER);\n\
                CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n\
                CREATE TABLE b (id INTEGER);\n\
                CREATE TRIGGER u AFTER INSERT ON a BEGIN SELECT 2;\n";
    let read =
        carta_sqlite::ingest_ddl(&ddl_file("t.sql", text), &IngestOptions::default()).unwrap();
    let found: Vec<_> = read
        .warnings
        .iter()
        .map(|w| {
            let l = w.location.as_ref().unwrap();
            (l.line, l.column, w.message.as_str())
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                1,
                "statement not terminated (missing END?) before line 4"
            ),
            (5, 1, "incomplete input"),
        ]
    );
    let tables: Vec<_> = read
        .catalog
        .tables()
        .map(|(_, t)| t.name.as_str())
        .collect();
    assert_eq!(tables, ["a", "b"]);
    assert!(read.catalog.schemas[0].tables[0].triggers.is_empty());
}

#[test]
fn statements_that_could_write_files_are_never_run() {
    let dir = TempDir::new("attach");
    let target = dir.path().join("evil.db");
    let quoted = target.display().to_string().replace('\'', "''");
    let text = format!(
        "ATTACH DATABASE '{quoted}' AS evil;\nCREATE TABLE evil.t (x);\n\
         CREATE TABLE kept (x);\nVACUUM INTO '{quoted}';\n"
    );
    let read =
        carta_sqlite::ingest_ddl(&ddl_file("a.sql", &text), &IngestOptions::default()).unwrap();
    assert!(!target.exists(), "the DDL wrote a file");
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert_eq!(read.warnings[0].message, "unknown database evil");
    let tables: Vec<_> = read
        .catalog
        .tables()
        .map(|(_, t)| t.name.as_str())
        .collect();
    assert_eq!(tables, ["kept"]);
}

#[test]
fn objects_sqlite_cannot_compile_are_warnings_and_the_rest_is_read() {
    let dir = TempDir::new("broken");
    let path = database_file(
        &dir,
        "broken.db",
        "CREATE TABLE t (a);\n\
         CREATE VIEW v AS SELECT a FROM t;\n\
         DROP TABLE t;\n\
         CREATE TABLE ok (x INT REFERENCES gone (id));\n\
         PRAGMA writable_schema = ON;\n\
         INSERT INTO sqlite_schema VALUES ('table', 'vt', 'vt', 0, \
         'CREATE VIRTUAL TABLE vt USING nosuchmodule(a, b)');",
    );
    let read = carta_sqlite::ingest_file(&path, &IngestOptions::default()).unwrap();
    let warnings: Vec<_> = read.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "main.v: its columns could not be read: no such table: main.t",
            "main.vt: its columns could not be read: no such module: nosuchmodule",
        ]
    );
    let catalog = &read.catalog;
    let view = catalog
        .table(&carta_catalog::QualifiedName::new("main", "v"))
        .unwrap();
    assert_eq!(view.definition.as_deref(), Some("SELECT a FROM t"));
    let ok = catalog
        .table(&carta_catalog::QualifiedName::new("main", "ok"))
        .unwrap();
    assert_eq!(ok.columns.len(), 1);
    // A reference to a missing table is kept as written.
    assert_eq!(ok.foreign_keys[0].referenced_table.name, "gone");
    assert_eq!(ok.foreign_keys[0].referenced_columns, ["id"]);
}

#[test]
fn a_runaway_statement_is_stopped_and_the_rest_applied() {
    let text =
        "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                SELECT max(x) AS m FROM c;\nCREATE TABLE after_it (x);\n";
    let started = std::time::Instant::now();
    let read =
        carta_sqlite::ingest_ddl(&ddl_file("slow.sql", text), &IngestOptions::default()).unwrap();
    assert!(started.elapsed().as_secs() < 30);
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].message, "stopped after 5 s");
    let tables: Vec<_> = read
        .catalog
        .tables()
        .map(|(_, t)| t.name.as_str())
        .collect();
    assert_eq!(tables, ["after_it"]);
}

#[test]
fn no_text_makes_the_ddl_reader_panic() {
    let nasty = [
        "",
        ";;;",
        "CREATE",
        "CREATE TABLE",
        "CREATE TABLE t (",
        "CREATE TABLE t (a CHECK (",
        "CREATE TRIGGER",
        "CREATE TRIGGER t BEFORE INSERT ON x BEGIN",
        "'unterminated",
        "\"unterminated",
        "[unterminated",
        "/* unterminated",
        "-- only a comment",
        ".",
        ". no newline",
        "CREATE TABLE é (ü TEXT, \"日本\" INT); CREATE INDEX ï ON é (ü);",
        "CREATE TABLE t (a) ; END ; END ; BEGIN ; ROLLBACK ;",
        "CREATE VIEW v AS SELECT 1; CREATE TRIGGER tr INSTEAD OF DELETE ON v BEGIN SELECT CASE WHEN 1 THEN 2 END; END;",
        "\u{0}\u{1}\u{7f}",
        ")))(((",
        "CREATE TABLE t (a INT DEFAULT -, b);",
    ];
    for text in nasty {
        let read = carta_sqlite::ingest_ddl(&ddl_file("n.sql", text), &IngestOptions::default());
        assert!(read.is_ok(), "{text:?}: {:?}", read.err());
    }
    // Generated text: every prefix of the feature schema.
    let mut cut = 0;
    while cut < FEATURES.len() {
        if FEATURES.is_char_boundary(cut) {
            let read = carta_sqlite::ingest_ddl(
                &ddl_file("prefix.sql", &FEATURES[..cut]),
                &IngestOptions::default(),
            );
            assert!(read.is_ok(), "prefix {cut}");
        }
        cut += 37;
    }
}
