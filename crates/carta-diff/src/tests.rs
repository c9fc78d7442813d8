//! Diffs of small Catalogs read from PostgreSQL (and SQLite) DDL by the real readers.

use crate::{
    diff, render_json, render_markdown, render_text, Delta, DiffOptions, Impact, SchemaDiff,
    TableChange,
};
use carta_catalog::Catalog;
use carta_source::{DdlFile, IngestOptions};

fn postgres(sql: &str) -> Catalog {
    let file = DdlFile {
        path: "test.sql".into(),
        text: sql.into(),
    };
    let ingested = carta_postgres::ingest_ddl(&[file], &IngestOptions::default())
        .unwrap_or_else(|e| panic!("DDL does not read: {e}"));
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    ingested.catalog
}

fn sqlite(sql: &str) -> Catalog {
    let file = DdlFile {
        path: "test.sql".into(),
        text: sql.into(),
    };
    let ingested = carta_sqlite::ingest_ddl(&[file], &IngestOptions::default())
        .unwrap_or_else(|e| panic!("DDL does not read: {e}"));
    ingested.catalog
}

fn compare(from: &str, to: &str) -> SchemaDiff {
    diff(&postgres(from), &postgres(to), &DiffOptions::default())
}

/// Every change as `impact kind action object: detail`, for compact assertions.
fn lines(from: &str, to: &str) -> Vec<String> {
    lines_of(&compare(from, to))
}

fn lines_of(diff: &SchemaDiff) -> Vec<String> {
    diff.changes()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}: {}",
                c.impact.as_str(),
                c.kind,
                c.action,
                c.object,
                c.detail
            )
        })
        .collect()
}

const USERS: &str = "CREATE TABLE users (
    id integer PRIMARY KEY,
    email varchar(100) NOT NULL,
    name text
);";

fn with_users(columns: &str) -> String {
    format!("CREATE TABLE users (id integer PRIMARY KEY, {columns});")
}

#[test]
fn equal_catalogs_give_an_empty_diff() {
    let diff = compare(USERS, USERS);
    assert!(diff.is_empty());
    assert!(diff.changes().is_empty());
    assert_eq!(render_text(&diff), "No schema changes.\n");
    assert!(render_json(&diff).contains("\"equal\": true"));
}

#[test]
fn seeds_diffed_against_themselves_are_empty() {
    for seed in [
        include_str!("../../../examples/seeds/000_orko.sql"),
        include_str!("../../../examples/seeds/001_orchestrator.sql"),
        include_str!("../../../examples/seeds/002_plugins.sql"),
        include_str!("../../../examples/seeds/003_nadakki.sql"),
        include_str!("../../../examples/seeds/004_carta.sql"),
    ] {
        let catalog = postgres(seed);
        assert!(diff(&catalog, &catalog, &DiffOptions::default()).is_empty());
    }
}

#[test]
fn row_estimates_and_sources_are_not_compared() {
    let from = postgres(USERS);
    let mut to = from.clone();
    to.schemas[0].tables[0].row_estimate = Some(42);
    to.source = None;
    to.fingerprint = "sha256:other".into();
    assert!(diff(&from, &to, &DiffOptions::default()).is_empty());
}

#[test]
fn added_columns_break_writers_only_when_required_without_default() {
    let from = with_users("a text");
    assert_eq!(
        lines(&from, &with_users("a text, b text")),
        ["additive column added public.users.b: text"]
    );
    assert_eq!(
        lines(&from, &with_users("a text, b text NOT NULL DEFAULT 'x'")),
        ["additive column added public.users.b: text NOT NULL DEFAULT 'x'"]
    );
    assert_eq!(
        lines(&from, &with_users("a text, b text NOT NULL")),
        ["breaking column added public.users.b: text NOT NULL without a default: inserts that omit it fail"]
    );
    assert_eq!(
        lines(&with_users("a text, b text"), &from),
        ["breaking column removed public.users.b: "]
    );
}

#[test]
fn type_changes_are_additive_only_when_widening() {
    let cases = [
        ("integer", "bigint", "additive", " (widening)"),
        ("bigint", "integer", "breaking", ""),
        ("varchar(50)", "varchar(100)", "additive", " (widening)"),
        ("varchar(100)", "varchar(50)", "breaking", ""),
        ("varchar(100)", "text", "additive", " (widening)"),
        ("numeric(10,2)", "numeric(12,2)", "additive", " (widening)"),
        ("numeric(10,2)", "numeric(10,3)", "breaking", ""),
        ("text", "integer", "breaking", ""),
        ("real", "double precision", "additive", " (widening)"),
    ];
    for (old, new, impact, suffix) in cases {
        let changes = compare(
            &with_users(&format!("a {old}")),
            &with_users(&format!("a {new}")),
        );
        let change = &changes.changes()[0];
        assert_eq!(change.impact.as_str(), impact, "{old} -> {new}");
        assert!(
            change.detail.ends_with(suffix),
            "{old} -> {new}: {}",
            change.detail
        );
        assert_eq!(change.object, "public.users.a");
    }
}

#[test]
fn nullability_and_defaults() {
    assert_eq!(
        lines(&with_users("a text"), &with_users("a text NOT NULL")),
        ["breaking column changed public.users.a: now NOT NULL"]
    );
    assert_eq!(
        lines(&with_users("a text NOT NULL"), &with_users("a text")),
        ["additive column changed public.users.a: now nullable"]
    );
    assert_eq!(
        lines(&with_users("a text DEFAULT 'x'"), &with_users("a text")),
        ["breaking column changed public.users.a: default 'x' removed"]
    );
    assert_eq!(
        lines(&with_users("a text"), &with_users("a text DEFAULT 'x'")),
        ["additive column changed public.users.a: default 'x' added"]
    );
    // The most severe part decides; every part is listed.
    assert_eq!(
        lines(&with_users("a integer"), &with_users("a bigint NOT NULL")),
        ["breaking column changed public.users.a: type integer -> bigint (widening), now NOT NULL"]
    );
}

#[test]
fn comments_are_cosmetic() {
    let from = format!("{USERS} COMMENT ON TABLE users IS 'People.'; COMMENT ON COLUMN users.name IS 'Full name.';");
    let to = format!("{USERS} COMMENT ON TABLE users IS 'Accounts.';");
    assert_eq!(
        lines(&from, &to),
        [
            "cosmetic comment changed public.users: comment changed",
            "cosmetic comment changed public.users.name: comment removed",
        ]
    );
}

#[test]
fn indexes_added_and_dropped() {
    let with_index = format!("{USERS} CREATE INDEX users_name_idx ON users (name);");
    assert_eq!(
        lines(USERS, &with_index),
        ["additive index added public.users index users_name_idx: btree (name)"]
    );
    assert_eq!(
        lines(&with_index, USERS),
        ["additive index removed public.users index users_name_idx: btree (name)"]
    );
    let with_unique = format!("{USERS} CREATE UNIQUE INDEX users_name_idx ON users (name);");
    assert_eq!(
        lines(USERS, &with_unique),
        ["breaking index added public.users index users_name_idx: UNIQUE btree (name)"]
    );
}

#[test]
fn constraints_added_are_breaking_and_dropped_additive() {
    let parent = "CREATE TABLE teams (id integer PRIMARY KEY);";
    let plain = format!("{parent} {}", with_users("team_id integer, code text"));
    let constrained = format!(
        "{parent} {}",
        with_users("team_id integer REFERENCES teams (id) ON DELETE CASCADE, code text UNIQUE CHECK (code <> '')")
    );
    assert_eq!(
        lines(&plain, &constrained),
        [
            "breaking foreign_key added public.users foreign key users_team_id_fkey: FOREIGN KEY (team_id) REFERENCES public.teams (id) ON DELETE CASCADE",
            "breaking unique added public.users unique users_code_key: UNIQUE (code)",
            "breaking check added public.users check users_code_check: CHECK (code <> '')",
        ]
    );
    let loosened = lines(&constrained, &plain);
    assert_eq!(loosened.len(), 3);
    assert!(
        loosened
            .iter()
            .all(|l| l.starts_with("additive ") && l.contains(" removed ")),
        "{loosened:?}"
    );
}

#[test]
fn primary_key_added_is_breaking() {
    assert_eq!(
        lines(
            "CREATE TABLE t (id integer NOT NULL);",
            "CREATE TABLE t (id integer PRIMARY KEY);"
        ),
        ["breaking primary_key added public.t primary key t_pkey: PRIMARY KEY (id)"]
    );
}

#[test]
fn check_value_lists_that_grow_are_additive() {
    let check = |values: &str| {
        with_users(&format!(
            "state text CONSTRAINT users_state_check CHECK (state IN ({values}))"
        ))
    };
    assert_eq!(
        lines(&check("'on', 'off'"), &check("'on', 'off', 'paused'")),
        ["additive check changed public.users check users_state_check: values added: 'paused'"]
    );
    assert_eq!(
        lines(&check("'on', 'off', 'paused'"), &check("'on', 'off'")),
        ["breaking check changed public.users check users_state_check: values removed: 'paused'"]
    );
    assert_eq!(
        lines(
            &with_users("n integer CONSTRAINT users_n_check CHECK (n > 0)"),
            &with_users("n integer CONSTRAINT users_n_check CHECK (n > 1)")
        ),
        ["breaking check changed public.users check users_n_check: CHECK (n > 0) -> CHECK (n > 1)"]
    );
}

#[test]
fn enum_values() {
    let status = |values: &str| format!("CREATE TYPE status AS ENUM ({values});");
    assert_eq!(
        lines(&status("'a', 'b'"), &status("'a', 'x', 'b', 'c'")),
        ["additive enum_value changed public.status: values added: 'x', 'c'"]
    );
    assert_eq!(
        lines(&status("'a', 'b'"), &status("'a'")),
        ["breaking enum_value changed public.status: values removed: 'b'"]
    );
    assert_eq!(
        lines(&status("'a', 'b'"), &status("'b', 'a'")),
        ["breaking enum_value changed public.status: values reordered"]
    );
    let diff = compare(&status("'a'"), &status("'a', 'b'"));
    assert!(
        matches!(&diff.enums[0].change, Delta::Changed { from, to } if from.values.len() == 1 && to.values.len() == 2)
    );
}

#[test]
fn row_security_policies_and_triggers_are_breaking() {
    let base = format!(
        "{USERS}
        CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$;"
    );
    let secured = format!(
        "{base}
        ALTER TABLE users ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON users USING (name = current_user);
        CREATE TRIGGER users_stamp BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION stamp();"
    );
    assert_eq!(
        lines(&base, &secured),
        [
            "breaking rls changed public.users: row-level security enabled",
            "breaking trigger added public.users trigger users_stamp: BEFORE UPDATE FOR EACH ROW EXECUTE public.stamp()",
            "breaking policy added public.users policy own: PERMISSIVE FOR ALL TO public USING (name = current_user)",
        ]
    );
    let changed = secured
        .replace("name = current_user", "name = session_user")
        .replace("BEFORE UPDATE", "BEFORE INSERT OR UPDATE");
    assert_eq!(
        lines(&secured, &changed),
        [
            "breaking trigger changed public.users trigger users_stamp: BEFORE UPDATE FOR EACH ROW EXECUTE public.stamp() -> BEFORE INSERT OR UPDATE FOR EACH ROW EXECUTE public.stamp()",
            "breaking policy changed public.users policy own: USING (name = current_user) -> (name = session_user)",
        ]
    );
}

#[test]
fn view_query_changes_are_breaking() {
    let view = |condition: &str| {
        format!("{USERS} CREATE VIEW named AS SELECT id, name FROM users WHERE {condition};")
    };
    assert_eq!(
        lines(&view("name IS NOT NULL"), &view("name <> ''")),
        ["breaking view changed public.named: query changed"]
    );
}

#[test]
fn schemas_functions_and_sequences() {
    let from = "CREATE SCHEMA app; CREATE SEQUENCE app.n MAXVALUE 100;";
    let to = "CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'The app.'; CREATE SEQUENCE app.n MAXVALUE 1000;
        CREATE SCHEMA extra; CREATE FUNCTION app.one() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;";
    assert_eq!(
        lines(from, to),
        [
            "cosmetic comment changed app: comment added",
            "additive schema added extra: ",
            "additive sequence changed app.n: max_value 100 -> 1000",
            "additive function added app.one(): returns integer",
        ]
    );
    assert_eq!(
        lines(to, from)[..2],
        [
            "cosmetic comment changed app: comment removed",
            "breaking schema removed extra: "
        ]
    );
}

#[test]
fn a_table_with_the_same_columns_under_a_new_name_is_a_likely_rename() {
    let renamed = USERS.replace("TABLE users", "TABLE accounts");
    let diff = compare(USERS, &renamed);
    let [TableChange::Changed(table)] = &diff.tables[..] else {
        panic!("one changed table expected: {:?}", diff.tables);
    };
    assert_eq!(table.renamed_from.as_deref(), Some("users"));
    assert_eq!(table.to.name, "accounts");
    // The primary key's implicit name follows the table.
    assert!(
        matches!(&table.primary_key, Some(Delta::Renamed { from, to })
        if from.name.as_deref() == Some("users_pkey") && to.name.as_deref() == Some("accounts_pkey"))
    );
    assert_eq!(
        lines_of(&diff),
        [
            "breaking table renamed public.accounts: from public.users",
            "cosmetic primary_key renamed public.accounts primary key accounts_pkey: from users_pkey",
        ]
    );
    let without = diff_without_renames(USERS, &renamed);
    assert_eq!(
        lines_of(&without),
        [
            "additive table added public.accounts: 3 columns",
            "breaking table removed public.users: "
        ]
    );
}

fn diff_without_renames(from: &str, to: &str) -> SchemaDiff {
    diff(
        &postgres(from),
        &postgres(to),
        &DiffOptions {
            detect_renames: false,
        },
    )
}

#[test]
fn ambiguous_table_renames_stay_drop_and_add() {
    let from = "CREATE TABLE a (id integer); CREATE TABLE b (id integer);";
    let to = "CREATE TABLE c (id integer); CREATE TABLE d (id integer);";
    let diff = compare(from, to);
    assert_eq!(diff.tables.len(), 4);
    assert!(diff
        .tables
        .iter()
        .all(|t| !matches!(t, TableChange::Changed(_))));
}

#[test]
fn a_column_with_the_same_type_under_a_new_name_is_a_likely_rename() {
    let diff = compare(
        &with_users("mail text NOT NULL, age integer"),
        &with_users("email text NOT NULL, age integer"),
    );
    let TableChange::Changed(table) = &diff.tables[0] else {
        panic!("a changed table expected");
    };
    assert!(
        matches!(&table.columns[..], [change] if matches!(&change.delta, Delta::Renamed { from, to } if from.name == "mail" && to.name == "email"))
    );
    assert_eq!(
        lines_of(&diff),
        ["breaking column renamed public.users.email: from mail"]
    );
    assert_eq!(
        lines_of(&diff_without_renames(&with_users("mail text NOT NULL"), &with_users("email text NOT NULL"))),
        [
            "breaking column added public.users.email: text NOT NULL without a default: inserts that omit it fail",
            "breaking column removed public.users.mail: ",
        ]
    );
}

#[test]
fn ambiguous_column_renames_stay_drop_and_add() {
    let diff = compare(&with_users("a text, b text"), &with_users("c text, d text"));
    let TableChange::Changed(table) = &diff.tables[0] else {
        panic!("a changed table expected");
    };
    let actions: Vec<&str> = table
        .columns
        .iter()
        .map(|c| match c.delta {
            Delta::Added(_) => "added",
            Delta::Removed(_) => "removed",
            Delta::Changed { .. } => "changed",
            Delta::Renamed { .. } => "renamed",
        })
        .collect();
    assert_eq!(actions, ["added", "added", "removed", "removed"]);
    // A different type is no rename either.
    let lines = lines(&with_users("a text"), &with_users("b integer"));
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn an_index_with_a_new_name_and_the_same_definition_is_a_likely_rename() {
    let from = format!("{USERS} CREATE INDEX users_name_idx ON users (name);");
    let to = format!("{USERS} CREATE INDEX idx_users_name ON users (name);");
    assert_eq!(
        lines(&from, &to),
        ["cosmetic index renamed public.users index idx_users_name: from users_name_idx"]
    );
    // Two indexes of the same definition leave the pairing ambiguous.
    let two = format!("{USERS} CREATE INDEX i1 ON users (name); CREATE INDEX i2 ON users (name);");
    let other =
        format!("{USERS} CREATE INDEX j1 ON users (name); CREATE INDEX j2 ON users (name);");
    let lines = lines(&two, &other);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines.iter().all(|l| !l.contains("renamed")));
}

#[test]
fn unnamed_sqlite_constraints_are_matched_by_content() {
    let from = sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0), m INTEGER CHECK (m > 0));");
    let same = sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0), m INTEGER CHECK (m > 0));");
    assert!(diff(&from, &same, &DiffOptions::default()).is_empty());
    let changed = sqlite("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0), m INTEGER CHECK (m > 1));");
    let diff = diff(&from, &changed, &DiffOptions::default());
    let TableChange::Changed(table) = &diff.tables[0] else {
        panic!("a changed table expected");
    };
    assert!(
        matches!(&table.checks[..], [Delta::Removed(old), Delta::Added(new)] | [Delta::Added(new), Delta::Removed(old)]
        if old.expression.contains("m > 0") && new.expression.contains("m > 1"))
    );
}

#[test]
fn catalogs_of_different_dialects_compare_what_is_comparable() {
    let from = sqlite("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);");
    let to = postgres("CREATE TABLE users (id integer PRIMARY KEY, name text);");
    let diff = diff(&from, &to, &DiffOptions::default());
    // Different schemas (`main` and `public`): the table moves.
    assert_eq!(diff.schemas.len(), 2, "{:?}", diff.schemas);
    let text = render_text(&diff);
    assert!(text.contains("[breaking] schema main removed"), "{text}");
}

/// The orchestrator seed against a copy with one change of each common kind.
#[test]
fn orchestrator_seed_against_a_modified_copy() {
    let seed = include_str!("../../../examples/seeds/001_orchestrator.sql");
    let modified = seed
        // add a column
        .replacen(
            "    full_name varchar(255),\n",
            "    full_name varchar(255),\n    locale varchar(10) DEFAULT 'en',\n",
            1,
        )
        // drop an index
        .replacen(
            "CREATE INDEX idx_api_usage_created_at ON orchestrator.api_usage (created_at);\n",
            "",
            1,
        )
        // add a value to a value list
        .replacen(
            "IN ('free', 'pro', 'enterprise')",
            "IN ('free', 'pro', 'team', 'enterprise')",
            1,
        )
        // change a type (narrowing)
        .replacen(
            "    slug varchar(100) UNIQUE NOT NULL,",
            "    slug varchar(60) UNIQUE NOT NULL,",
            1,
        )
        // change a policy
        .replacen(
            "CREATE POLICY \"Users are organization-scoped\" ON orchestrator.users\n    FOR ALL",
            "CREATE POLICY \"Users are organization-scoped\" ON orchestrator.users\n    FOR SELECT",
            1,
        );
    assert_ne!(seed, modified);
    let diff = compare(seed, &modified);
    insta::assert_snapshot!("orchestrator_text", render_text(&diff));
    insta::assert_snapshot!("orchestrator_markdown", render_markdown(&diff));
    insta::assert_snapshot!("orchestrator_json", render_json(&diff));
    let summary: serde_json::Value = serde_json::from_str(&render_json(&diff)).expect("valid JSON");
    assert_eq!(summary["equal"], false);
    assert_eq!(summary["summary"]["breaking"], 2);
    assert_eq!(summary["summary"]["additive"], 3);
    assert_eq!(Impact::Breaking.as_str(), "breaking");
}
