//! The five seed systems planned at 10,000 rows per table: no error, and
//! every generated row meets the constraints that can be checked in Rust.

mod common;

use carta_catalog::Catalog;
use carta_source::{DdlFile, IngestOptions};
use std::path::Path;

fn seed(file: &str) -> Catalog {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seeds")
        .join(file);
    let files = [DdlFile {
        text: std::fs::read_to_string(&path).unwrap(),
        path,
    }];
    let ingested = carta_postgres::ingest_ddl(&files, &IngestOptions::default()).unwrap();
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    ingested.catalog
}

const SEEDS: [&str; 5] = [
    "000_orko.sql",
    "001_orchestrator.sql",
    "002_plugins.sql",
    "003_nadakki.sql",
    "004_carta.sql",
];

fn check_seed(file: &str) {
    let catalog = seed(file);
    let plan = common::planned(&catalog, &common::options(10_000));
    assert!(!plan.tables.is_empty());
    let undecided = common::verify(&catalog, &plan);
    for label in &undecided {
        assert!(
            plan.warnings
                .iter()
                .any(|w| label.split(": ").nth(1).is_some_and(|c| w.contains(c))),
            "{label} undecided but not warned about: {:?}",
            plan.warnings
        );
    }
}

#[test]
fn orko() {
    check_seed("000_orko.sql");
}

#[test]
fn orchestrator() {
    check_seed("001_orchestrator.sql");
}

#[test]
fn plugins() {
    check_seed("002_plugins.sql");
}

#[test]
fn nadakki() {
    check_seed("003_nadakki.sql");
}

#[test]
fn carta() {
    check_seed("004_carta.sql");
}

#[test]
fn every_seed_check_is_modeled_so_plans_have_no_warnings() {
    for file in SEEDS {
        let catalog = seed(file);
        let plan = common::planned(&catalog, &common::options(100));
        assert!(plan.warnings.is_empty(), "{file}: {:?}", plan.warnings);
    }
}
