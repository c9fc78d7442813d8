//! One truth: a DDL text applied to a fresh MariaDB database and read live
//! gives the same Catalog as the DDL reader on the same text.

use carta_catalog::Catalog;
use carta_source::{DdlFile, IngestOptions};
use carta_testkit::MysqlDatabase;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Hand-written DDL exercising the server's implicit behaviours.
const HAND_WRITTEN: &str = r#"
CREATE TABLE accounts (
  id SERIAL,
  handle VARCHAR(40) NOT NULL,
  kind ENUM('person', 'org') NOT NULL DEFAULT 'person',
  is_admin BOOLEAN DEFAULT FALSE,
  score INTEGER(11) UNSIGNED DEFAULT '0',
  profile JSON,
  balance NUMERIC(10, 2) DEFAULT 0,
  created_at DATETIME DEFAULT NOW(),
  note TEXT CHARACTER SET latin1,
  nick VARCHAR(20) COLLATE utf8mb4_bin,
  upper_handle VARCHAR(40) AS (UPPER(handle)) PERSISTENT,
  PRIMARY KEY (handle),
  UNIQUE KEY (handle, kind),
  INDEX (kind),
  KEY (kind, handle),
  CHECK (score < 1000 AND NOT (balance < 0)),
  CONSTRAINT named_check CHECK (kind IN ('person', 'org'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT 'people and orgs';

CREATE TABLE posts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_handle VARCHAR(40) NOT NULL,
  parent_id BIGINT UNSIGNED NULL REFERENCES posts (id),
  title VARCHAR(200) NOT NULL,
  body MEDIUMTEXT,
  rating DECIMAL(3,1) CHECK (rating BETWEEN 0 AND 5),
  PRIMARY KEY (id),
  FOREIGN KEY (account_handle) REFERENCES accounts (handle) ON DELETE CASCADE,
  FULLTEXT KEY ft_posts (title, body)
);

ALTER TABLE posts ADD COLUMN slug VARCHAR(80) NOT NULL DEFAULT '' AFTER title,
  ADD UNIQUE INDEX uq_slug (slug),
  ADD CONSTRAINT CHECK (char_length(title) > 0);
CREATE INDEX idx_posts_title ON posts (title(10) DESC);
ALTER TABLE posts ADD CONSTRAINT fk_posts_self2 FOREIGN KEY (parent_id) REFERENCES posts (id) ON DELETE SET NULL;

CREATE TABLE audit_log (
  id INT NOT NULL,
  at DATE NOT NULL,
  what VARCHAR(50),
  PRIMARY KEY (id, at)
) PARTITION BY RANGE COLUMNS (at) (
  PARTITION p2024 VALUES LESS THAN ('2025-01-01'),
  PARTITION pmax VALUES LESS THAN (MAXVALUE)
);

CREATE TABLE buckets (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 3;

CREATE VIEW account_names AS
  SELECT a.handle AS handle, a.kind AS kind FROM accounts AS a WHERE a.is_admin = 0;

DELIMITER ;;
CREATE TRIGGER posts_slug BEFORE INSERT ON posts FOR EACH ROW
BEGIN
  IF NEW.slug = '' THEN
    SET NEW.slug = lower(NEW.title);
  END IF;
END ;;
DELIMITER ;
"#;

/// mysqldump-style text, as MariaDB's mysqldump writes it.
const DUMP_STYLE: &str = include_str!("data/dump_style.sql");

fn apply_with_client(db: &MysqlDatabase, sql: &str) {
    let url = url::Url::parse(&db.url()).expect("test server URL");
    let mut command = Command::new("mariadb");
    command
        .arg(format!("--host={}", url.host_str().unwrap_or("127.0.0.1")))
        .arg(format!("--port={}", url.port().unwrap_or(3306)))
        .arg(format!("--user={}", url.username()))
        .arg(&db.name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = url.password() {
        command.arg(format!("--password={password}"));
    }
    let mut child = command.spawn().expect("the mariadb client");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "mariadb client failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn without_source(mut catalog: Catalog) -> Catalog {
    catalog.source = None;
    for schema in &mut catalog.schemas {
        for table in &mut schema.tables {
            table.row_estimate = None;
        }
    }
    catalog
}

/// Lines that differ between two JSON texts, for a readable failure.
fn diff(left: &str, right: &str) -> String {
    let (l, r): (Vec<_>, Vec<_>) = (left.lines().collect(), right.lines().collect());
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..l.len().max(r.len()) {
        let (a, b) = (
            l.get(i).copied().unwrap_or(""),
            r.get(i).copied().unwrap_or(""),
        );
        if a != b && shown < 40 {
            out.push_str(&format!("line {}:\n  live: {a}\n  ddl:  {b}\n", i + 1));
            shown += 1;
        }
    }
    out
}

/// How strictly views are compared. The DDL reader cannot type a view's
/// computed columns (`count(...)`, `coalesce(...)`) offline, and it does not
/// rewrite a hand-written query into the server's spelling (qualified
/// columns, implicit aliases, parenthesized joins); see
/// docs/catalog-format-mysql.md. Seeds written by hand are compared with
/// view bodies left out; everything else must be identical.
#[derive(Clone, Copy, PartialEq)]
enum Views {
    Exact,
    NameOnly,
}

fn views_by_name(mut catalog: Catalog) -> Catalog {
    for schema in &mut catalog.schemas {
        for table in &mut schema.tables {
            if table.kind.is_view() {
                table.columns.clear();
                table.definition = None;
            }
        }
    }
    catalog.finish()
}

fn assert_one_truth(name: &Path, sql: &str, views: Views) {
    let db = MysqlDatabase::create();
    apply_with_client(&db, sql);
    let live = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(carta_mysql::ingest_live(
            &db.url(),
            &IngestOptions::default(),
        ))
        .unwrap_or_else(|e| panic!("{}: live: {e}", name.display()));
    let options = IngestOptions {
        default_schema: Some(db.name.clone()),
        ..IngestOptions::default()
    };
    let file = DdlFile {
        path: name.to_path_buf(),
        text: sql.to_string(),
    };
    let ddl = carta_mysql::ingest_ddl(&[file], &options)
        .unwrap_or_else(|e| panic!("{}: ddl: {e}", name.display()));
    let warnings: Vec<String> = ddl.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.is_empty(),
        "{}: warnings: {warnings:#?}",
        name.display()
    );
    let (mut live, mut ddl) = (without_source(live.catalog), without_source(ddl.catalog));
    if views == Views::NameOnly {
        (live, ddl) = (views_by_name(live), views_by_name(ddl));
    }
    let (lj, dj) = (live.to_json(), ddl.to_json());
    if lj != dj {
        // Both Catalogs, for a full diff after a failure.
        let stem = name.file_stem().and_then(|s| s.to_str()).unwrap_or("ddl");
        let dir = std::env::temp_dir();
        let _ = std::fs::write(dir.join(format!("carta-one-truth-{stem}.live.json")), &lj);
        let _ = std::fs::write(dir.join(format!("carta-one-truth-{stem}.ddl.json")), &dj);
    }
    assert!(
        lj == dj,
        "{}: live and DDL Catalogs differ:\n{}",
        name.display(),
        diff(&lj, &dj)
    );
    assert_eq!(live.fingerprint, ddl.fingerprint, "{}", name.display());
    assert!(!live.schemas[0].tables.is_empty());
}

#[test]
fn hand_written_ddl() {
    assert_one_truth(Path::new("hand_written.sql"), HAND_WRITTEN, Views::Exact);
}

#[test]
fn dump_style_ddl() {
    assert_one_truth(
        Path::new("tests/data/dump_style.sql"),
        DUMP_STYLE,
        Views::Exact,
    );
}

#[test]
fn mysql_seed_examples() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds/mysql");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no MySQL seed examples at {} yet", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_one_truth(&path, &text, Views::NameOnly);
    }
}
