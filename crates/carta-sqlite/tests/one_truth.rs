//! One truth: a DDL text and a database file built from it by SQLite give
//! byte-identical Catalogs, for every test schema and every SQLite seed.

mod common;

use carta_source::{DdlFile, IngestOptions};
use common::{database_file, TempDir, FEATURES};
use std::path::{Path, PathBuf};

/// Migration-style DDL: the final schema after renames, drops and added columns.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE IF NOT EXISTS "Team Members" (
    [id] INTEGER PRIMARY KEY,
    `full name` TEXT NOT NULL, -- as printed on badges
    "team""s id" INTEGER
);
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT UNIQUE ON CONFLICT REPLACE);
CREATE TABLE scratch (x);
CREATE INDEX IF NOT EXISTS members_name ON "Team Members" (`full name` COLLATE NOCASE);
"#,
    r#"
ALTER TABLE "Team Members" ADD COLUMN joined_on DATE DEFAULT (date('now'));
ALTER TABLE teams RENAME TO squads;
ALTER TABLE squads RENAME COLUMN name TO title;
DROP TABLE scratch;
CREATE TABLE summary AS SELECT id, title FROM squads;
CREATE VIEW IF NOT EXISTS roster AS
    SELECT m.[full name] AS member, s.title AS squad
    FROM "Team Members" AS m LEFT JOIN squads AS s ON s.id = m."team""s id";
"#,
];

fn assert_one_truth(label: &str, texts: &[(PathBuf, String)]) {
    let dir = TempDir::new("truth");
    let path = database_file(
        &dir,
        "built.db",
        &texts
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n;\n"),
    );
    let options = IngestOptions::default();
    let file = carta_sqlite::ingest_file(&path, &options).expect("file reads");
    let files: Vec<DdlFile> = texts
        .iter()
        .map(|(path, text)| DdlFile {
            path: path.clone(),
            text: text.clone(),
        })
        .collect();
    let ddl = carta_sqlite::ingest_ddl(&files, &options).expect("DDL reads");
    assert!(ddl.warnings.is_empty(), "{label}: {:?}", ddl.warnings);
    assert!(file.warnings.is_empty(), "{label}: {:?}", file.warnings);
    assert!(
        file.catalog.tables().next().is_some(),
        "{label}: no tables read"
    );
    assert_eq!(
        file.catalog.to_json(),
        ddl.catalog.to_json(),
        "{label}: file and DDL differ"
    );
    assert_eq!(file.catalog.fingerprint, ddl.catalog.fingerprint, "{label}");
}

#[test]
fn the_feature_schema_reads_the_same_from_file_and_ddl() {
    assert_one_truth(
        "features",
        &[(PathBuf::from("features.sql"), FEATURES.to_string())],
    );
}

#[test]
fn migrations_in_several_files_read_the_same_as_the_database_they_build() {
    let texts: Vec<_> = MIGRATIONS
        .iter()
        .enumerate()
        .map(|(i, t)| (PathBuf::from(format!("{:03}.sql", i + 1)), t.to_string()))
        .collect();
    assert_one_truth("migrations", &texts);

    let files: Vec<DdlFile> = texts
        .into_iter()
        .map(|(path, text)| DdlFile { path, text })
        .collect();
    let catalog = carta_sqlite::ingest_ddl(&files, &IngestOptions::default())
        .unwrap()
        .catalog;
    let tables: Vec<_> = catalog.tables().map(|(_, t)| t.name.as_str()).collect();
    assert_eq!(tables, ["Team Members", "roster", "squads", "summary"]);
    let members = &catalog.schemas[0].tables[0];
    let columns: Vec<_> = members
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.comment.as_deref()))
        .collect();
    assert_eq!(
        columns,
        [
            ("id", None),
            ("full name", Some("as printed on badges")),
            ("team\"s id", None),
            ("joined_on", None),
        ]
    );
    let squads = &catalog.schemas[0].tables[2];
    assert_eq!(squads.uniques[0].columns, ["title"]);
}

fn seed_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds/sqlite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_sqlite_seed_reads_the_same_from_file_and_ddl() {
    for path in seed_files() {
        let text = std::fs::read_to_string(&path).expect("seed is UTF-8");
        assert_one_truth(&path.display().to_string(), &[(path.clone(), text)]);
    }
}
