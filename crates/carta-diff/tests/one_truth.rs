//! A DDL file and the live database it creates are one schema: their diff is empty.

use carta_diff::{diff, DiffOptions};
use carta_ingest::{ingest, Source};
use carta_source::IngestOptions;
use carta_testkit::PgDatabase;
use std::path::Path;

async fn read(source: &str) -> carta_catalog::Catalog {
    let source = Source::parse(source, None).unwrap_or_else(|e| panic!("{source}: {e}"));
    ingest(&source, &IngestOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .catalog
}

#[tokio::test]
async fn each_seed_read_from_ddl_and_live_has_no_differences() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
    for seed in [
        "000_orko",
        "001_orchestrator",
        "002_plugins",
        "003_nadakki",
        "004_carta",
    ] {
        let path = seeds.join(format!("{seed}.sql"));
        let sql = std::fs::read_to_string(&path).expect("the seed file");
        let database = PgDatabase::create();
        database.execute(&sql);
        let from_ddl = read(&path.to_string_lossy()).await;
        let live = read(&database.url()).await;
        let changes = diff(&from_ddl, &live, &DiffOptions::default()).changes();
        assert!(changes.is_empty(), "{seed}: {changes:#?}");
    }
}

#[tokio::test]
async fn a_change_applied_to_the_live_database_is_found() {
    let sql = "CREATE TABLE t (id integer PRIMARY KEY, name text);";
    let database = PgDatabase::create();
    database.execute(sql);
    let before = read(&database.url()).await;
    database.execute(
        "ALTER TABLE t ALTER COLUMN name SET NOT NULL; CREATE INDEX t_name_idx ON t (name);",
    );
    let after = read(&database.url()).await;
    let changes: Vec<String> = diff(&before, &after, &DiffOptions::default())
        .changes()
        .iter()
        .map(|c| format!("{} {} {} {}", c.impact.as_str(), c.kind, c.action, c.object))
        .collect();
    assert_eq!(
        changes,
        [
            "breaking column changed public.t.name",
            "additive index added public.t index t_name_idx",
        ]
    );
}
