//! End-to-end tests of `carta diff` and `carta snapshot`: exit statuses
//! (0 equal, 1 different, 2 error), the report formats, drift between a
//! committed snapshot and a live PostgreSQL database, and `--sql` applied to
//! the live database.

mod common;

use carta_testkit::PgDatabase;
use common::{carta, json, path_str, seeds_dir, stderr, stdout, temp_dir};
use std::path::PathBuf;

const BEFORE: &str = "
CREATE TYPE public.mood AS ENUM ('ok', 'sad');
CREATE TABLE public.accounts (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    nickname text
);
CREATE TABLE public.notes (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.accounts (id),
    body text,
    mood public.mood
);
CREATE VIEW public.account_emails AS SELECT id, email FROM public.accounts;
";

const AFTER: &str = "
CREATE TYPE public.mood AS ENUM ('ok', 'meh', 'sad');
CREATE TABLE public.accounts (
    id bigint PRIMARY KEY,
    email varchar(320) NOT NULL,
    nickname text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.notes (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.accounts (id),
    body text NOT NULL,
    mood public.mood
);
CREATE INDEX notes_account_id_idx ON public.notes (account_id);
CREATE VIEW public.account_emails AS SELECT id, email FROM public.accounts;
COMMENT ON TABLE public.notes IS 'Notes written by an account.';
";

/// `before.sql` and `after.sql` in a fresh folder.
fn pair(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let (before, after) = (dir.join("before.sql"), dir.join("after.sql"));
    std::fs::write(&before, BEFORE).unwrap();
    std::fs::write(&after, AFTER).unwrap();
    (before, after)
}

#[test]
fn the_same_schema_twice_is_equal_and_exits_0() {
    let seeds = seeds_dir();
    let out = carta(&["diff", path_str(&seeds), path_str(&seeds)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = carta(&[
        "diff",
        path_str(&seeds),
        path_str(&seeds),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(report["equal"], true);
    assert_eq!(report["changes"].as_array().map(Vec::len), Some(0));
}

#[test]
fn differences_exit_1_and_are_classified() {
    let (before, after) = pair("classified");
    let out = carta(&[
        "diff",
        path_str(&before),
        path_str(&after),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["equal"], false);
    let changes = report["changes"].as_array().unwrap();
    let find = |object: &str, kind: &str| {
        changes
            .iter()
            .find(|c| c["object"].as_str().is_some_and(|o| o.contains(object)) && c["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} change of {object} in {changes:#?}"))
    };
    // NOT NULL with a default: existing writers keep working.
    assert_eq!(
        find("public.accounts.created_at", "column")["impact"],
        "additive"
    );
    // text -> varchar(320) narrows; NULL no longer allowed.
    assert_eq!(
        find("public.accounts.email", "column")["impact"],
        "breaking"
    );
    assert_eq!(find("public.notes.body", "column")["impact"], "breaking");
    assert_eq!(find("notes_account_id_idx", "index")["impact"], "additive");
    assert_eq!(find("public.notes", "comment")["impact"], "cosmetic");
    assert!(
        changes
            .iter()
            .any(|c| c["detail"].as_str().is_some_and(|d| d.contains("meh"))),
        "the enum value added is reported: {changes:#?}"
    );
    let summary = &report["summary"];
    let counted: u64 = ["breaking", "additive", "cosmetic"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, changes.len());
}

#[test]
fn text_and_markdown_reports_name_the_changes() {
    let (before, after) = pair("formats");
    let text = carta(&["diff", path_str(&before), path_str(&after)]);
    assert_eq!(text.status.code(), Some(1));
    let text = stdout(&text);
    assert!(text.contains("created_at"), "{text}");
    assert!(text.contains("notes_account_id_idx"), "{text}");
    let markdown = carta(&[
        "diff",
        path_str(&before),
        path_str(&after),
        "--format",
        "markdown",
    ]);
    let markdown = stdout(&markdown);
    assert!(
        markdown.contains("| breaking") || markdown.contains("Breaking"),
        "{markdown}"
    );
    assert!(markdown.contains("<details>"), "{markdown}");
}

#[test]
fn errors_exit_2_whatever_their_kind() {
    let out = carta(&["diff", "does/not/exist.sql", "neither.sql"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does/not/exist.sql"),
        "{}",
        stderr(&out)
    );
    let out = carta(&["diff", "oracle://scott:tiger@db/x", "x.sql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("tiger"));
}

#[test]
fn migration_sql_for_a_non_postgres_schema_is_a_clear_error() {
    let sqlite = seeds_dir().join("sqlite/000_orko.sql");
    let out = carta(&["diff", path_str(&sqlite), path_str(&sqlite), "--sql"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).to_lowercase().contains("postgres"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_snapshot_detects_drift_in_a_live_database_and_sql_repairs_it() {
    let db = PgDatabase::create();
    db.execute(BEFORE);
    let (before, after) = pair("drift");
    let dir = before.parent().unwrap().to_path_buf();
    let snapshot = dir.join("schema.json");

    // The committed snapshot, taken from the DDL the application expects.
    let out = carta(&["snapshot", path_str(&before), "-o", path_str(&snapshot)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("sha256:"), "{}", stderr(&out));
    let again = carta(&["snapshot", path_str(&before)]);
    assert_eq!(
        stdout(&again),
        std::fs::read_to_string(&snapshot).unwrap(),
        "a snapshot is deterministic"
    );

    let live = db.url();
    let out = carta(&["diff", path_str(&snapshot), &live]);
    assert_eq!(out.status.code(), Some(0), "no drift yet: {}", stdout(&out));

    // Someone changes the database by hand: drift.
    db.execute("ALTER TABLE public.accounts ADD COLUMN last_seen timestamptz;");
    let out = carta(&["diff", path_str(&snapshot), &live]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("last_seen"), "{}", stdout(&out));

    // The migration from the live database to the desired schema applies and leaves no difference.
    let out = carta(&["diff", &live, path_str(&after), "--sql"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let migration = stdout(&out);
    assert!(migration.contains("ALTER TYPE"), "{migration}");
    assert!(
        migration.contains("-- destructive"),
        "dropping last_seen loses data: {migration}"
    );
    db.execute(&migration);
    let out = carta(&["diff", &live, path_str(&after)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "left over after the migration: {}",
        stdout(&out)
    );
}

#[test]
fn a_snapshot_file_is_replaced_whole_and_an_unwritable_path_is_an_error() {
    let dir = temp_dir("snapshot-write");
    let target = dir.join("schema.json");
    std::fs::write(&target, "old").unwrap();
    let seeds = seeds_dir().join("000_orko.sql");
    let out = carta(&["snapshot", path_str(&seeds), "-o", path_str(&target)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.starts_with('{') && written.contains("\"fingerprint\""));
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");

    let missing = dir.join("no/such/folder/schema.json");
    let out = carta(&["snapshot", path_str(&seeds), "-o", path_str(&missing)]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("no/such/folder"), "{}", stderr(&out));
}
