//! End-to-end tests of `carta ask`: a throwaway PostgreSQL holding seed 000
//! filled by `carta mock`, a fake OpenAI-compatible provider, and the
//! binary run as a user would: rows printed with --run, the repair loop
//! seen through --format json, hostile answers refused, and the exit
//! statuses for a missing or failing provider.

mod common;
#[path = "../../carta-ask/tests/support/fake_provider.rs"]
mod fake_provider;

use std::path::Path;
use std::process::{Command, Output};

use carta_testkit::PgDatabase;
use common::{carta, path_str, seeds_dir, stderr, stdout, temp_dir};
use fake_provider::{FakeProvider, Reply};

const KEY: &str = "sk-cli-test-key-0042";
const QUESTION: &str = "How many users does each organization have?";
const USERS_PER_ORG: &str = "```sql\nSELECT o.name, count(u.id) AS users\nFROM orko.orgs o\nLEFT JOIN orko.users u ON u.org_id = o.id\nGROUP BY o.id, o.name\nORDER BY users DESC, o.name;\n```\nThe number of users in each organization, largest first.";

/// `carta ask ARGS` in `dir` with only `env` saying anything about a
/// provider (whatever the calling environment says is removed).
fn ask_with(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carta"));
    command.arg("ask").args(args).current_dir(dir);
    for var in ["CARTA_LLM_URL", "CARTA_LLM_MODEL", "CARTA_LLM_API_KEY"] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().expect("carta runs")
}

/// `carta ask` with `provider` configured through the environment.
fn ask(dir: &Path, provider: Option<&FakeProvider>, args: &[&str]) -> Output {
    match provider {
        Some(provider) => ask_with(
            dir,
            &[
                ("CARTA_LLM_URL", &provider.url),
                ("CARTA_LLM_MODEL", "test-model"),
                ("CARTA_LLM_API_KEY", KEY),
            ],
            args,
        ),
        None => ask_with(dir, &[], args),
    }
}

/// Seed 000 with mock rows: 5 organizations, 60 users, 40 rows elsewhere.
fn seeded() -> PgDatabase {
    let db = PgDatabase::create();
    let seed = std::fs::read_to_string(seeds_dir().join("000_orko.sql")).unwrap();
    db.execute(&seed);
    let out = carta(&[
        "mock",
        "--target",
        &db.url(),
        "--rows",
        "40",
        "--table",
        "orko.orgs=5",
        "--table",
        "orko.users=60",
        "--seed",
        "8",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    db
}

fn assert_no_key(output: &Output) {
    assert!(!stdout(output).contains(KEY), "key on stdout");
    assert!(!stderr(output).contains(KEY), "key on stderr");
}

#[test]
fn a_question_becomes_sql_that_runs_and_prints_rows() {
    let db = seeded();
    let provider = FakeProvider::start(vec![Reply::answer(USERS_PER_ORG)]);
    let dir = temp_dir("ask-run");
    let out = ask(
        &dir,
        Some(&provider),
        &[&db.url(), QUESTION, "--run", "--rows-format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = stdout(&out);
    let mut lines = rows.lines();
    assert_eq!(lines.next(), Some("name,users"), "{rows}");
    let counts: Vec<i64> = lines
        .map(|line| line.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 5, "{rows}");
    assert_eq!(counts.iter().sum::<i64>(), 60, "{rows}");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{rows}");
    // The answer goes to stderr with --run, so stdout holds only the rows.
    let err = stderr(&out);
    assert!(err.contains("SELECT o.name, count(u.id) AS users"), "{err}");
    assert!(err.contains("largest first"), "{err}");
    assert!(err.contains("tables used: orko.orgs, orko.users"), "{err}");
    assert!(err.contains("EXPLAIN on the database"), "{err}");
    assert!(err.contains("tokens: 100 prompt + 20 completion"), "{err}");
    assert!(err.contains("5 rows in"), "{err}");
    assert_no_key(&out);

    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    let contents = requests[0].contents();
    assert!(contents[0].contains("PostgreSQL"), "{}", contents[0]);
    assert!(contents[0].contains("orko.users"), "{}", contents[0]);
    assert_eq!(contents.last().map(String::as_str), Some(QUESTION));
}

/// The document's shape: object keys with the shapes of their values, the
/// first element of arrays, and scalars as their JSON type. Values that
/// depend on retrieval scoring or timing stay out of the snapshot.
fn shape(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), shape(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().take(1).map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}

#[test]
fn json_output_shows_the_repair_and_the_rows() {
    let db = seeded();
    let provider = FakeProvider::start(vec![
        Reply::answer("```sql\nSELECT o.title, count(*) FROM orko.orgs o GROUP BY 1\n```"),
        Reply::answer(USERS_PER_ORG),
    ]);
    let dir = temp_dir("ask-json");
    let out = ask(
        &dir,
        Some(&provider),
        &[&db.url(), QUESTION, "--format", "json", "--run"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["question"], QUESTION);
    assert_eq!(report["dialect"], "postgres");
    assert_eq!(report["validation"], "explain");
    let answer = &report["answer"];
    assert_eq!(answer["attempts"], 2);
    assert_eq!(
        answer["tables_used"],
        serde_json::json!(["orko.orgs", "orko.users"])
    );
    assert_eq!(answer["usage"]["prompt_tokens"], 200);
    assert_eq!(answer["usage"]["cost"], serde_json::Value::Null);
    assert!(report["retrieval"]["context"]
        .as_str()
        .unwrap()
        .contains("orko.users"));
    let execution = &report["execution"];
    assert_eq!(execution["status"], "success");
    assert_eq!(execution["row_count"], 5);
    assert_eq!(execution["rows"].as_array().unwrap().len(), 5);
    assert!(execution["rows"][0]["users"].is_i64(), "{execution}");
    // The EXPLAIN error of the first answer went back to the model.
    let repair = provider.requests()[1].contents().last().cloned().unwrap();
    assert!(repair.contains("column o.title does not exist"), "{repair}");
    insta::assert_snapshot!(serde_json::to_string_pretty(&shape(&report)).unwrap());
    assert_no_key(&out);
}

#[test]
fn hostile_answers_exit_16_and_change_nothing() {
    let db = seeded();
    let provider = FakeProvider::start(vec![
        Reply::answer("```sql\nDELETE FROM orko.logs\n```"),
        Reply::answer("```sql\nSELECT 1; DROP TABLE orko.logs\n```"),
        Reply::answer("```sql\nSELECT * FROM orko.logs FOR UPDATE\n```"),
    ]);
    let dir = temp_dir("ask-hostile");
    let out = ask(
        &dir,
        Some(&provider),
        &[&db.url(), "clean the logs", "--run"],
    );
    assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no valid SQL after 3 answers"), "{err}");
    assert!(err.contains("locking clause"), "{err}");
    assert!(err.contains("tokens: 300 prompt + 60 completion"), "{err}");
    assert_eq!(stdout(&out), "");
    let count = carta(&[
        "query",
        &db.url(),
        "SELECT count(*) AS n FROM orko.logs",
        "--format",
        "csv",
    ]);
    assert_eq!(stdout(&count), "n\r\n40\r\n", "{}", stderr(&count));
}

#[test]
fn no_provider_exits_15_and_says_how_to_configure_one() {
    let dir = temp_dir("ask-none");
    let ddl = seeds_dir().join("000_orko.sql");
    let out = ask(&dir, None, &[path_str(&ddl), QUESTION]);
    assert_eq!(out.status.code(), Some(15), "{}", stderr(&out));
    let err = stderr(&out);
    for needle in [
        "no LLM provider is configured",
        "CARTA_LLM_URL",
        "CARTA_LLM_MODEL",
        "[ask]",
        "http://localhost:11434/v1",
        "--provider-url",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert_eq!(stdout(&out), "");
}

#[test]
fn ddl_sources_are_validated_statically_and_cannot_run() {
    let ddl = seeds_dir().join("000_orko.sql");
    let provider = FakeProvider::start(vec![Reply::answer(USERS_PER_ORG)]);
    let dir = temp_dir("ask-ddl");
    let out = ask(&dir, Some(&provider), &[path_str(&ddl), QUESTION]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("SELECT o.name, count(u.id) AS users"),
        "{text}"
    );
    assert!(text.contains("no database to EXPLAIN on"), "{text}");
    let system = &provider.requests()[0].contents()[0];
    assert!(system.contains("DDL files"), "{system}");

    let out = ask(&dir, Some(&provider), &[path_str(&ddl), QUESTION, "--run"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--run needs a live database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn show_context_says_why_each_table_was_chosen() {
    let ddl = seeds_dir().join("000_orko.sql");
    let provider = FakeProvider::start(vec![Reply::answer(USERS_PER_ORG)]);
    let dir = temp_dir("ask-context");
    let out = ask(
        &dir,
        Some(&provider),
        &[path_str(&ddl), QUESTION, "--show-context"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("-- context: "), "{text}");
    assert!(text.contains("--   orko.users (matched "), "{text}");
    let system = &provider.requests()[0].contents()[0];
    let context_start = text.find("\n\n").unwrap() + 2;
    let shown = &text[context_start..text.find("\n\nSELECT").unwrap()];
    assert!(
        system.contains(shown.trim()),
        "the shown context is the one sent"
    );
}

#[test]
fn a_failing_provider_exits_15_without_the_key() {
    let provider = FakeProvider::start(vec![Reply::raw(
        500,
        &format!(r#"{{"error": "boom for key {KEY}"}}"#),
    )]);
    let dir = temp_dir("ask-failing");
    std::fs::write(
        dir.join("carta.toml"),
        format!(
            "[ask]\nprovider_url = \"{}\"\nmodel = \"m\"\napi_key_env = \"ASK_TEST_KEY\"\nmax_retries = 0\n",
            provider.url
        ),
    )
    .unwrap();
    let ddl = seeds_dir().join("000_orko.sql");
    let out = ask_with(&dir, &[("ASK_TEST_KEY", KEY)], &[path_str(&ddl), QUESTION]);
    assert_eq!(out.status.code(), Some(15), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("answered HTTP 500"),
        "{}",
        stderr(&out)
    );
    assert_no_key(&out);
    assert_eq!(
        provider.requests()[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
}
