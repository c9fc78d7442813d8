//! `carta doc` end to end: the output folder is safe to commit (unchanged
//! files are not rewritten, pages of dropped tables are removed), carta.toml
//! and template overrides reach the pages, and the seed folder documents
//! offline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

fn carta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carta"))
        .args(args)
        .output()
        .expect("carta runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh folder for one test, removed first if an earlier run left it.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("carta-doc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn doc(args: &[&str]) -> String {
    let out = carta(&[&["doc"], args].concat());
    assert!(out.status.success(), "carta doc {args:?}: {}", stderr(&out));
    stderr(&out)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

const SHOP: &str = "
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id));
CREATE TABLE coupons (id bigint PRIMARY KEY, code text NOT NULL);
";

#[test]
fn a_second_run_rewrites_nothing_and_a_dropped_table_loses_its_pages() {
    let dir = temp_dir("rerun");
    let sql = dir.join("shop.sql");
    let out = dir.join("docs");
    std::fs::write(&sql, SHOP).unwrap();
    let (sql_arg, out_arg) = (sql.to_str().unwrap(), out.to_str().unwrap());

    let first = doc(&[sql_arg, "-o", out_arg]);
    assert!(
        first.contains(" files written, 0 unchanged, 0 removed"),
        "{first}"
    );
    let readme = out.join("README.md");
    let before = modified(&readme);
    let snapshot: Vec<(PathBuf, Vec<u8>)> = walk(&out)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    std::fs::write(out.join("NOTES.md"), "kept").unwrap();

    let second = doc(&[sql_arg, "-o", out_arg]);
    assert!(second.contains(": 0 files written, "), "{second}");
    assert!(second.ends_with(" unchanged, 0 removed\n"), "{second}");
    assert_eq!(modified(&readme), before, "an unchanged file was rewritten");
    for (path, bytes) in &snapshot {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{}", path.display());
    }

    std::fs::write(
        &sql,
        SHOP.replace(
            "CREATE TABLE coupons (id bigint PRIMARY KEY, code text NOT NULL);",
            "",
        ),
    )
    .unwrap();
    let third = doc(&[sql_arg, "-o", out_arg]);
    assert!(third.ends_with(", 2 removed\n"), "{third}");
    assert!(!out.join("tables/public.coupons.md").exists());
    assert!(!out.join("diagrams/public.coupons.svg").exists());
    assert!(out.join("tables/public.orders.md").exists());
    assert!(!read(&readme).contains("coupons"));
    assert_eq!(
        read(&out.join("NOTES.md")),
        "kept",
        "files Carta did not write are left alone"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn carta_toml_comments_relations_and_templates_reach_the_pages() {
    let dir = temp_dir("config");
    let sql = dir.join("shop.sql");
    std::fs::write(&sql, SHOP).unwrap();
    std::fs::create_dir_all(dir.join("tpl")).unwrap();
    std::fs::write(dir.join("tpl/enum.md.j2"), "unused, but a valid override\n").unwrap();
    std::fs::write(
        dir.join("tpl/readme.md.j2"),
        "# {{ database.title }}\n{% for s in schemas %}{% for t in s.tables %}- {{ t.table.name }}: {{ t.comment }}\n{% endfor %}{% endfor %}",
    )
    .unwrap();
    let config = dir.join("carta.toml");
    std::fs::write(
        &config,
        r#"
[[comments]]
table = "coupons"
table_comment = "Discount codes."

[[relations]]
table = "coupons"
columns = ["code"]
parent_table = "customers"
parent_columns = ["email"]

[doc]
templates = "tpl"
"#,
    )
    .unwrap();
    let out = dir.join("docs");
    doc(&[
        sql.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    let readme = read(&out.join("README.md"));
    assert!(readme.starts_with("# Database\n"), "{readme}");
    assert!(readme.contains("- coupons: Discount codes.\n"), "{readme}");
    let coupons = read(&out.join("tables/public.coupons.md"));
    assert!(
        coupons.contains("| `code` | [`customers`](public.customers.md) (`email`) |"),
        "the virtual relation is listed: {coupons}"
    );
    assert!(coupons.contains("| virtual |"), "{coupons}");
    let customers = read(&out.join("tables/public.customers.md"));
    assert!(
        customers.contains("| [`coupons`](public.coupons.md) | `code` | `email` |"),
        "{customers}"
    );

    // A misspelt override is an error naming the file, not silently ignored.
    std::fs::write(dir.join("tpl/tabel.md.j2"), "x").unwrap();
    let out_arg = out.to_str().unwrap();
    let failed = carta(&[
        "doc",
        sql.to_str().unwrap(),
        "-o",
        out_arg,
        "--templates",
        dir.join("tpl").to_str().unwrap(),
    ]);
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("tabel.md.j2"),
        "{}",
        stderr(&failed)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_seed_folder_documents_offline_as_pages_or_one_page() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
    let dir = temp_dir("seeds");
    let pages = dir.join("pages");
    doc(&[seeds.to_str().unwrap(), "-o", pages.to_str().unwrap()]);
    let readme = read(&pages.join("README.md"));
    for schema in ["orko", "orchestrator", "plugins", "nadakki", "carta"] {
        assert!(
            readme.contains(&format!("## Schema `{schema}`")),
            "{readme}"
        );
    }
    assert!(readme.contains("```mermaid\nerDiagram\n"), "{readme}");
    assert!(pages.join("tables/orko.users.md").is_file());
    assert!(pages.join("diagrams/orko.users.svg").is_file());
    assert!(pages.join("schema.json").is_file());

    let single = dir.join("single");
    doc(&[
        seeds.join("000_orko.sql").to_str().unwrap(),
        "-o",
        single.to_str().unwrap(),
        "--single-page",
    ]);
    let page = read(&single.join("README.md"));
    assert!(page.starts_with("# orko\n\n## Overview\n"), "{page}");
    assert!(page.contains("\n### `auth_tokens`\n"), "{page}");
    assert!(page.contains("\n## Glossary\n"), "{page}");
    assert!(!single.join("tables").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
