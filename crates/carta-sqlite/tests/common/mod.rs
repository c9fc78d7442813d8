//! Shared by the integration tests: throwaway folders, real database files
//! built with SQLite itself, and the schema that exercises every feature.

#![allow(dead_code)] // each test binary uses its own part of this module

use carta_source::DdlFile;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("carta-sqlite-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Applies `ddl` to a new database file with SQLite itself (as the sqlite3
/// shell would) and returns its path.
pub fn database_file(dir: &TempDir, name: &str, ddl: &str) -> PathBuf {
    let path = dir.path().join(name);
    let conn = rusqlite::Connection::open(&path).expect("create database");
    conn.execute_batch(ddl)
        .expect("DDL applies to a real database");
    conn.close().expect("close database");
    path
}

pub fn ddl_file(name: &str, text: &str) -> Vec<DdlFile> {
    vec![DdlFile {
        path: PathBuf::from(name),
        text: text.to_string(),
    }]
}

/// Every SQLite feature the reader knows, each in a form a test asserts on.
pub const FEATURES: &str = r#"
-- The block above a table is not kept by SQLite, so it is not a comment.
CREATE TABLE accounts ( -- Customer accounts
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- surrogate key
    email VARCHAR(255) NOT NULL COLLATE NOCASE CONSTRAINT accounts_email_key UNIQUE,
    display_name TEXT,
    balance NUMERIC(10, 2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    birthday DATE,
    settings JSON DEFAULT '{}',
    external_id UUID,
    avatar BLOB,
    email_domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL,
    name_upper TEXT AS (upper(display_name)) STORED,
    CONSTRAINT accounts_name_len CHECK (length(display_name) <= 100) -- keep it short
);

CREATE TABLE tags (
    name TEXT NOT NULL PRIMARY KEY,
    weight INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

CREATE TABLE projects (
    account_id INTEGER NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    parent_slug TEXT,
    score REAL,
    CONSTRAINT projects_pk PRIMARY KEY (account_id, slug),
    CONSTRAINT projects_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
        ON DELETE CASCADE ON UPDATE RESTRICT,
    FOREIGN KEY (account_id, parent_slug) REFERENCES projects (account_id, slug)
        ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (account_id, title), -- one title per account
    CHECK (slug <> '')
) STRICT;

CREATE TABLE project_tags (
    account_id INTEGER NOT NULL,
    slug TEXT NOT NULL,
    tag TEXT NOT NULL REFERENCES TAGS ON DELETE SET DEFAULT MATCH FULL,
    PRIMARY KEY (account_id, slug, tag),
    FOREIGN KEY (account_id, slug) REFERENCES projects
) WITHOUT ROWID, STRICT;

CREATE TABLE events (
    id INTEGER PRIMARY KEY, -- a rowid alias
    account_id INTEGER REFERENCES accounts (id),
    kind TEXT NOT NULL,
    payload,
    happened_at TIMESTAMP
);

CREATE TABLE legacy (
    code TEXT PRIMARY KEY,
    seq INTEGER,
    amount STRING
);

CREATE TABLE ordered (id INTEGER PRIMARY KEY DESC, label TEXT);

CREATE INDEX events_recent ON events (happened_at DESC) WHERE kind <> 'debug';
CREATE UNIQUE INDEX accounts_lower_name ON accounts (lower(display_name), email COLLATE BINARY);
CREATE INDEX projects_title_nocase ON projects (title COLLATE NOCASE);

CREATE VIEW active_accounts (id, email) AS
SELECT id, email FROM accounts WHERE is_active;

CREATE TRIGGER accounts_clamp AFTER UPDATE OF balance, DISPLAY_NAME ON accounts
FOR EACH ROW WHEN new.balance IS NOT old.balance
BEGIN
    UPDATE accounts SET balance = CASE WHEN new.balance < 0 THEN 0 ELSE new.balance END;
    INSERT INTO events (account_id, kind) VALUES (new.id, 'balance');
END;

CREATE TRIGGER events_append_only BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TRIGGER active_accounts_insert INSTEAD OF INSERT ON active_accounts
BEGIN
    INSERT INTO accounts (email) VALUES (new.email);
END;

CREATE VIRTUAL TABLE notes USING fts5(title, body);
"#;
