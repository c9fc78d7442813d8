//! Apply and verify against the real PostgreSQL: for each pair (A, B) of
//! the corpus, a database built from A and migrated with the generated SQL
//! must read back live as B reads from its DDL (no difference left).

use carta_catalog::{Catalog, Dialect};
use carta_diff::{DiffOptions, SchemaDiff};
use carta_ingest::Source;
use carta_source::IngestOptions;
use carta_testkit::PgDatabase;
use std::path::{Path, PathBuf};

fn corpus(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(path)
}

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seeds")
        .join(name)
}

async fn read(source: &str) -> Catalog {
    let source = Source::parse(source, Some(Dialect::Postgres)).expect("a readable source");
    let ingested = carta_ingest::ingest(&source, &IngestOptions::default())
        .await
        .expect("ingest");
    let warnings: Vec<String> = ingested.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.is_empty(),
        "warnings reading {source:?}: {warnings:#?}"
    );
    let mut catalog = ingested.catalog;
    catalog.source = None;
    catalog
}

fn describe(diff: &SchemaDiff) -> String {
    serde_json::to_string_pretty(diff).expect("a diff serializes")
}

/// Runs the statements one by one in one session (a `SET` holds for those after it).
async fn apply(url: &str, statements: &[carta_migrate::Statement]) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(connection);
    for statement in statements {
        if let Err(e) = client.batch_execute(&statement.sql).await {
            let message = e
                .as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string());
            panic!("statement failed: {message}\n{}", statement.sql);
        }
    }
}

/// Migrates a database built from `a` to `b` and checks that nothing is left to do.
async fn migrate(name: &str, a: &Path, b: &Path) -> String {
    let db = PgDatabase::create();
    let a_sql = std::fs::read_to_string(a).expect("read A");
    if !a_sql.trim().is_empty() {
        db.execute(&a_sql);
    }
    let from = read(a.to_str().expect("a UTF-8 path")).await;
    let to = read(b.to_str().expect("a UTF-8 path")).await;
    let live_before = read(&db.url()).await;
    let unexpected = carta_diff::diff(&live_before, &from, &DiffOptions::default());
    assert!(
        unexpected.is_empty(),
        "{name}: A reads differently live and from DDL:\n{}",
        describe(&unexpected)
    );
    let diff = carta_diff::diff(&from, &to, &DiffOptions::default());
    assert!(!diff.is_empty(), "{name}: A and B are the same schema");
    let migration = carta_migrate::migration_sql(&diff, &from, &to).expect("a migration");
    let script = migration.to_sql();
    apply(&db.url(), &migration.statements).await;
    let live = read(&db.url()).await;
    let leftover = carta_diff::diff(&live, &to, &DiffOptions::default());
    assert!(
        leftover.is_empty(),
        "{name}: after the migration the database still differs from B.\n\
         --- migration\n{script}\n--- leftover (live -> B)\n{}",
        describe(&leftover)
    );
    script
}

macro_rules! corpus_cases {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread")]
        async fn $name() {
            let name = stringify!($name);
            let dir = corpus(name);
            let script = migrate(name, &dir.join("a.sql"), &dir.join("b.sql")).await;
            insta::assert_snapshot!(name, script);
        }
    )*};
}

corpus_cases!(
    enum_value_added,
    column_type_changed,
    column_added_dropped,
    null_and_default_changed,
    foreign_key_added_dropped,
    view_on_changed_column,
    policy_changed,
    rls_enabled,
    index_changed,
    unique_check_added,
    table_renamed,
    column_renamed,
    new_tables_fk_cycle,
    trigger_added,
    function_changed,
    objects_added,
    objects_changed,
);

#[tokio::test(flavor = "multi_thread")]
async fn whole_seed_created_from_nothing() {
    let script = migrate(
        "empty -> 003_nadakki",
        &corpus("empty.sql"),
        &seed("003_nadakki.sql"),
    )
    .await;
    assert!(script.contains("CREATE SCHEMA nadakki;"));
    assert!(
        !script.contains("-- destructive"),
        "nothing is dropped:\n{script}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_seed_dropped() {
    let script = migrate(
        "001_orchestrator -> empty",
        &seed("001_orchestrator.sql"),
        &corpus("empty.sql"),
    )
    .await;
    assert!(script.contains("DROP SCHEMA orchestrator;"));
    assert!(script.contains("-- destructive\nDROP TABLE"));
}

/// Every seed built from nothing and dropped to nothing.
#[tokio::test(flavor = "multi_thread")]
async fn every_seed_both_ways() {
    for seed_file in [
        "000_orko.sql",
        "001_orchestrator.sql",
        "002_plugins.sql",
        "003_nadakki.sql",
        "004_carta.sql",
    ] {
        let path = seed(seed_file);
        migrate(
            &format!("empty -> {seed_file}"),
            &corpus("empty.sql"),
            &path,
        )
        .await;
        migrate(
            &format!("{seed_file} -> empty"),
            &path,
            &corpus("empty.sql"),
        )
        .await;
    }
}
