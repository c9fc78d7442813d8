//! End-to-end tests of the `carta` binary: exit codes, messages, and the
//! offline main job on the seed examples.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn carta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carta"))
        .args(args)
        .output()
        .expect("carta runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("carta-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_missing_file_exits_3_and_names_it() {
    let out = carta(&["inspect", "does/not/exist.sql"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does/not/exist.sql"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unknown_scheme_exits_6_without_leaking_the_password() {
    let out = carta(&["inspect", "oracle://scott:tiger@db/orcl"]);
    assert_eq!(out.status.code(), Some(6));
    let err = stderr(&out);
    assert!(err.contains("oracle://scott:***@db/orcl"), "{err}");
    assert!(!err.contains("tiger"), "{err}");
}

#[test]
fn a_closed_port_exits_4_quickly_naming_host_and_port() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    for scheme in ["postgres", "mysql"] {
        let started = Instant::now();
        let url = format!("{scheme}://u@127.0.0.1:{port}/db");
        let out = carta(&["inspect", &url, "--connect-timeout", "3"]);
        assert_eq!(out.status.code(), Some(4), "{scheme}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("127.0.0.1:{port}")),
            "{}",
            stderr(&out)
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn a_broken_snapshot_exits_7_with_its_position() {
    let dir = temp_dir("snapshot");
    let path = dir.join("schema.json");
    std::fs::write(&path, "{\n  \"format\": 1,\n  \"schemas\": [\n").unwrap();
    let out = carta(&["inspect", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 4"), "{}", stderr(&out));
}

#[test]
fn an_unreadable_statement_warns_with_file_line_and_column_and_the_rest_is_read() {
    let dir = temp_dir("warn");
    let path = dir.join("schema.sql");
    std::fs::write(
        &path,
        "CREATE TABLE a (id int PRIMARY KEY);\n\nCREATE TABEL oops (x int);\nCREATE TABLE b (id int PRIMARY KEY);\n",
    )
    .unwrap();
    let out = carta(&["inspect", "--json", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("schema.sql:3:"),
        "warning should point at line 3: {}",
        stderr(&out)
    );
    let catalog: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let tables: Vec<_> = catalog["schemas"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tables, ["a", "b"]);
}

#[test]
fn the_main_job_summarizes_the_seed_examples_offline() {
    let out = carta(&["inspect", seeds_dir().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("fingerprint: sha256:"), "{text}");
    for schema in ["orko", "orchestrator", "plugins", "nadakki", "carta"] {
        assert!(
            text.contains(&format!("schema {schema}")),
            "{schema} missing:\n{text}"
        );
    }
}

#[test]
fn a_saved_catalog_reads_back_with_the_same_fingerprint() {
    let out = carta(&["inspect", "--json", seeds_dir().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let dir = temp_dir("roundtrip");
    let path = dir.join("schema.json");
    std::fs::write(&path, stdout(&out)).unwrap();
    let again = carta(&["inspect", "--json", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let second: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(first["fingerprint"], second["fingerprint"]);
    assert_eq!(first["schemas"], second["schemas"]);
}

#[test]
fn schema_and_exclude_filters_narrow_the_catalog() {
    let out = carta(&[
        "inspect",
        "--json",
        seeds_dir().to_str().unwrap(),
        "--schema",
        "orko",
        "--exclude",
        "orko.log*",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let catalog: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let schemas = catalog["schemas"].as_array().unwrap();
    assert_eq!(schemas.len(), 1);
    assert_eq!(schemas[0]["name"], "orko");
    let tables: Vec<_> = schemas[0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(tables.contains(&"users"), "{tables:?}");
    assert!(!tables.iter().any(|t| t.starts_with("log")), "{tables:?}");
}
