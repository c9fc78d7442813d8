//! `carta coverage` end to end: exact numbers on a small schema, carta.toml
//! lookup and overrides, the --min exit status, configuration errors, a live
//! PostgreSQL database, and the seed examples.

use carta_testkit::PgDatabase;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `carta` in `dir`, so that `./carta.toml` lookup sees that folder.
fn carta_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carta"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("carta runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("coverage --json prints JSON")
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds")
}

/// A fresh folder holding `schema.sql` (and `carta.toml` when given).
fn project(name: &str, config: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("carta-coverage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("schema.sql"), SCHEMA).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.join("carta.toml"), config).unwrap();
    }
    dir
}

/// users: comment + 1 of 3 columns (2 of 4 items); posts: 0 of 4; the view
/// v: 0 of 2; events: 0 of 4; its partition is not counted. 2 of 14 items.
const SCHEMA: &str = "
CREATE TABLE users (id int PRIMARY KEY, email text, name text);
COMMENT ON TABLE users IS 'People who sign in';
COMMENT ON COLUMN users.id IS 'Surrogate key';
COMMENT ON COLUMN users.name IS '   ';
CREATE TABLE posts (id int PRIMARY KEY, author_id int NOT NULL, body text);
CREATE VIEW v AS SELECT id FROM users;
CREATE TABLE events (id int, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
";

fn table<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == name)
        .unwrap_or_else(|| panic!("{name} in the report"))
}

#[test]
fn numbers_are_exact_on_a_small_schema() {
    let dir = project("exact", None);
    let report = json(&carta_in(&dir, &["coverage", "schema.sql", "--json"]));
    assert_eq!(report["documented"], 2);
    assert_eq!(report["total"], 14);
    // 2/14 = 14.28...%, rounded down to one decimal.
    assert_eq!(report["coverage"], 14.2);
    let names: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["public.events", "public.posts", "public.users", "public.v"]
    );
    let users = table(&report, "public.users");
    assert_eq!(users["table_comment"], true);
    assert_eq!(users["columns_documented"], 1);
    assert_eq!(users["columns"], 3);
    assert_eq!(users["documented"], 2);
    assert_eq!(users["total"], 4);
    assert_eq!(users["coverage"], 50.0);
    assert_eq!(
        users["undocumented_columns"],
        serde_json::json!(["email", "name"])
    );
    assert_eq!(table(&report, "public.v")["kind"], "view");
    assert_eq!(table(&report, "public.posts")["coverage"], 0.0);

    let text = carta_in(&dir, &["coverage", "schema.sql"]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let text = stdout(&text);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["public.users", "yes", "1/3", "50.0%"]),
        "{text}"
    );
    assert!(
        text.ends_with("overall: 14.2% (2 of 14 items documented)\n"),
        "{text}"
    );
}

#[test]
fn json_keys_come_in_the_documented_order() {
    let dir = project("order", None);
    let out = carta_in(&dir, &["coverage", "schema.sql", "--json"]);
    let text = stdout(&out);
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next())
        .take(13)
        .collect();
    assert_eq!(
        keys,
        [
            "coverage",
            "documented",
            "total",
            "tables",
            "table",
            "kind",
            "coverage",
            "documented",
            "total",
            "table_comment",
            "columns_documented",
            "columns",
            "undocumented_columns"
        ]
    );
}

const OVERRIDES: &str = r#"
exclude = ["v"]

[[comments]]
table = "posts"
table_comment = "What users write"
[comments.columns]
body = "Markdown text"

[[comments]]
table = "public.users"
[comments.columns]
id = ""
"#;

#[test]
fn carta_toml_in_the_current_folder_adds_removes_and_excludes() {
    let dir = project("overrides", Some(OVERRIDES));
    let report = json(&carta_in(&dir, &["coverage", "schema.sql", "--json"]));
    // users loses its id comment (1 of 4), posts gains 2 (2 of 4), v is excluded: 3 of 12.
    assert_eq!(report["documented"], 3);
    assert_eq!(report["total"], 12);
    assert_eq!(report["coverage"], 25.0);
    assert_eq!(table(&report, "public.posts")["documented"], 2);
    assert_eq!(table(&report, "public.users")["documented"], 1);
    assert!(report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["table"] != "public.v"));
}

#[test]
fn an_explicit_config_wins_over_the_current_folder() {
    let dir = project("explicit", Some("this is not toml"));
    let other = dir.join("other.toml");
    std::fs::write(&other, OVERRIDES).unwrap();
    let report = json(&carta_in(
        &dir,
        &["coverage", "schema.sql", "--json", "--config", "other.toml"],
    ));
    assert_eq!(report["documented"], 3);

    let broken = carta_in(&dir, &["coverage", "schema.sql"]);
    assert_eq!(broken.status.code(), Some(7), "{}", stderr(&broken));
    assert!(
        stderr(&broken).contains("carta.toml:1:"),
        "{}",
        stderr(&broken)
    );

    let missing = carta_in(&dir, &["coverage", "schema.sql", "--config", "nope.toml"]);
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("nope.toml"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn min_threshold_sets_exit_status_9() {
    let dir = project("min", None);
    let under = carta_in(&dir, &["coverage", "schema.sql", "--min", "50"]);
    assert_eq!(under.status.code(), Some(9), "{}", stderr(&under));
    assert_eq!(
        stderr(&under).trim(),
        "error: documentation coverage 14.2% is under the minimum 50%"
    );
    // The report is still printed, so CI logs show what is missing.
    assert!(stdout(&under).contains("public.posts"));

    let over = carta_in(&dir, &["coverage", "schema.sql", "--min", "14%"]);
    assert_eq!(over.status.code(), Some(0), "{}", stderr(&over));
    // The threshold compares exact fractions: 2/14 is over 14.28 and under 14.29.
    let between = carta_in(&dir, &["coverage", "schema.sql", "--min", "14.29"]);
    assert_eq!(between.status.code(), Some(9));

    let invalid = carta_in(&dir, &["coverage", "schema.sql", "--min", "150"]);
    assert_eq!(invalid.status.code(), Some(2));
}

#[test]
fn config_errors_exit_7_with_file_line_and_column() {
    let cases = [
        (
            "[doc]\nformat = \"html\"\nsingle_pgae = true\n",
            "carta.toml:3:1:",
        ),
        (
            "[[comments]]\ntable = \"public.post\"\ntable_comment = \"x\"\n",
            "carta.toml:2:9: table `public.post` does not exist",
        ),
        (
            "[[relations]]\ntable = \"posts\"\ncolumns = [\"writer_id\"]\nparent_table = \"users\"\nparent_columns = [\"id\"]\n",
            "carta.toml:3:11: table `public.posts` has no column `writer_id`",
        ),
    ];
    for (i, (config, expected)) in cases.into_iter().enumerate() {
        let dir = project(&format!("error{i}"), Some(config));
        let out = carta_in(&dir, &["coverage", "schema.sql"]);
        assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
}

#[test]
fn live_postgres_comments_and_overrides_count() {
    let db = PgDatabase::create();
    db.execute(
        "CREATE TABLE t (a int, b int);
         COMMENT ON TABLE t IS 'Documented in the database';
         COMMENT ON COLUMN t.a IS 'Also';",
    );
    let dir = project(
        "live",
        Some("[[comments]]\ntable = \"t\"\n[comments.columns]\nb = \"From carta.toml\"\n"),
    );
    let report = json(&carta_in(&dir, &["coverage", &db.url(), "--json"]));
    assert_eq!(report["documented"], 3);
    assert_eq!(report["total"], 3);
    assert_eq!(report["coverage"], 100.0);
}

/// Counts comments in the Catalog that `carta inspect --json` prints: an
/// independent tally of what coverage must report for the seeds.
fn tally(catalog: &Value) -> (u64, u64) {
    let documented =
        |v: &Value| u64::from(v["comment"].as_str().is_some_and(|c| !c.trim().is_empty()));
    let (mut done, mut total) = (0, 0);
    for schema in catalog["schemas"].as_array().unwrap() {
        for t in schema["tables"].as_array().into_iter().flatten() {
            if t.get("partition_of").is_some() {
                continue;
            }
            let columns = t["columns"].as_array().unwrap();
            total += 1 + columns.len() as u64;
            done += documented(t) + columns.iter().map(documented).sum::<u64>();
        }
    }
    (done, total)
}

#[test]
fn seeds_coverage_matches_their_comments() {
    let seeds = seeds_dir();
    let seeds = seeds.to_str().unwrap();
    let dir = project("seeds", None);
    let report = json(&carta_in(&dir, &["coverage", seeds, "--json"]));
    let inspect = carta_in(&dir, &["inspect", "--json", seeds]);
    let catalog: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let (documented, total) = tally(&catalog);
    assert!(total > 300, "the seeds have hundreds of columns: {total}");
    assert_eq!(report["documented"], documented);
    assert_eq!(report["total"], total);
    // The seed DDL carries its documents' descriptions: every base table
    // has its comment, so only views leave columns undocumented.
    for t in report["tables"].as_array().unwrap() {
        if t["kind"] == "table" {
            assert_eq!(t["coverage"], 100.0, "{t}");
        }
    }
    let passes = carta_in(&dir, &["coverage", seeds, "--min", "90"]);
    assert_eq!(passes.status.code(), Some(0), "{}", stderr(&passes));
}
