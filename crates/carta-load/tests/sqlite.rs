//! Loads the SQLite translations of the seeds into database files and
//! checks the result with SQL.

mod common;

use carta_catalog::{Catalog, QualifiedName};
use carta_load::{load, LoadError, LoadOptions, NoProgress};
use common::{Probe, TempFile};

struct Lite(rusqlite::Connection);

impl Probe for Lite {
    async fn number(&mut self, sql: &str) -> i64 {
        self.0
            .query_row(sql, [], |row| row.get::<_, Option<i64>>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or(0)
    }

    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    async fn sequence_headroom(&mut self, table: &QualifiedName, column: &str) -> Option<i64> {
        let seq: i64 = self
            .0
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [&table.name],
                |row| row.get(0),
            )
            .ok()?;
        let is_key = self
            .0
            .query_row(
                "SELECT pk FROM pragma_table_info(?1) WHERE name = ?2",
                [&table.name, column],
                |row| row.get::<_, i64>(0),
            )
            .ok()?;
        if is_key == 0 {
            return None;
        }
        let sql = format!(
            "SELECT coalesce(max({}), 0) FROM {}",
            self.ident(column),
            self.table(table)
        );
        Some(seq + 1 - self.number(&sql).await)
    }
}

/// A database file made from `ddl`, and its Catalog read from the file.
async fn database(ddl: &str) -> (TempFile, Catalog) {
    let file = TempFile::new("target.db");
    rusqlite::Connection::open(&file.path)
        .unwrap()
        .execute_batch(ddl)
        .unwrap();
    let source = carta_ingest::Source::parse(file.path.to_str().unwrap(), None).unwrap();
    let catalog = carta_ingest::ingest(&source, &carta_source::IngestOptions::default())
        .await
        .unwrap()
        .catalog;
    (file, catalog)
}

fn open(file: &TempFile) -> Lite {
    Lite(rusqlite::Connection::open(&file.path).unwrap())
}

async fn load_seed(seed: &str) -> TempFile {
    let (file, catalog) = database(&common::seed(seed)).await;
    let plan = common::plan(&catalog, &common::options(&[]));
    assert!(
        plan.tables.len() >= 3,
        "{seed}: {} tables planned",
        plan.tables.len()
    );
    let progress = common::RecordedProgress::default();
    let url = format!("sqlite://{}", file.path.display());
    load(&url, &catalog, &plan, &LoadOptions::default(), &progress)
        .await
        .unwrap_or_else(|e| panic!("{seed}: {e}"));
    progress.assert_complete(&plan);
    common::verify(&mut open(&file), &catalog, &plan).await;
    file
}

/// Rows of `table` where `condition` holds, after checking the table has rows at all.
async fn count(probe: &mut Lite, table: &str, condition: &str) -> i64 {
    assert!(
        probe.number(&format!("SELECT count(*) FROM {table}")).await > 0,
        "{table} is empty"
    );
    probe
        .number(&format!("SELECT count(*) FROM {table} WHERE {condition}"))
        .await
}

/// `strftime('%Y-%m-%dT%H:%M:%fZ')` text, as the seed's defaults write it.
const ISO_MILLIS: &str = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'";

#[tokio::test]
async fn orko_loads_into_sqlite() {
    let file = load_seed("sqlite/000_orko.sql").await;
    let mut probe = open(&file);
    // TEXT times are spelled like their defaults and ordered like times.
    for column in ["created_at", "updated_at", "expires_at", "revoked_at"] {
        let off = format!("{column} IS NOT NULL AND {column} NOT GLOB {ISO_MILLIS}");
        assert_eq!(count(&mut probe, "auth_tokens", &off).await, 0, "{column}");
    }
    assert_eq!(
        count(&mut probe, "auth_tokens", "expires_at <= created_at").await,
        0
    );
    assert!(count(&mut probe, "auth_tokens", "revoked_at IS NOT NULL").await > 0);
    assert_eq!(
        count(
            &mut probe,
            "auth_tokens",
            "julianday(updated_at) < julianday(created_at)"
        )
        .await,
        0
    );
    // TEXT checked with json_valid holds JSON objects.
    assert_eq!(
        count(&mut probe, "automations", "json_type(config) <> 'object'").await,
        0
    );
}

#[tokio::test]
async fn plugins_loads_into_sqlite() {
    let file = load_seed("sqlite/002_plugins.sql").await;
    let mut probe = open(&file);
    let iso = format!("date_joined NOT GLOB {ISO_MILLIS}");
    assert_eq!(count(&mut probe, "\"user\"", &iso).await, 0);
    // CURRENT_TIMESTAMP's spelling: 'YYYY-MM-DD HH:MM:SS'.
    assert_eq!(
        count(
            &mut probe,
            "plugin",
            "created_at IS NOT NULL AND created_at <> datetime(created_at)"
        )
        .await,
        0
    );
    assert_eq!(
        count(&mut probe, "plugin", "json_type(credentials) <> 'object'").await,
        0
    );
}

#[tokio::test]
async fn a_failing_row_is_named_and_the_load_rolled_back() {
    let (file, catalog) = database(
        "CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT NOT NULL); \
         CREATE TABLE player (id INTEGER PRIMARY KEY, \
           team_id INTEGER NOT NULL REFERENCES team (id), \
           name TEXT NOT NULL CONSTRAINT player_name_odd CHECK (unicode(name) % 7 = 0));",
    )
    .await;
    let plan = common::plan(&catalog, &common::options(&[]));
    let error = load(
        file.path.to_str().unwrap(),
        &catalog,
        &plan,
        &LoadOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    let LoadError::Constraint {
        table,
        row,
        constraint,
        ..
    } = &error
    else {
        panic!("expected a constraint error, got {error}");
    };
    assert_eq!(table, "main.player", "{error}");
    assert_eq!(constraint.as_deref(), Some("player_name_odd"), "{error}");
    assert!(row.is_some(), "{error}");
    assert_eq!(common::counts(&mut open(&file), &plan).await, vec![0, 0]);
}

#[tokio::test]
async fn a_foreign_key_cycle_is_closed_by_fixups() {
    let (file, catalog) = database(
        "CREATE TABLE department (id INTEGER PRIMARY KEY, name TEXT NOT NULL, \
           head_id INTEGER REFERENCES employee (id)); \
         CREATE TABLE employee (id INTEGER PRIMARY KEY, \
           department_id INTEGER NOT NULL REFERENCES department (id));",
    )
    .await;
    let plan = common::plan(&catalog, &common::options(&[]));
    assert_eq!(plan.fixups.len(), 1, "{:?}", plan.fixups);
    load(
        file.path.to_str().unwrap(),
        &catalog,
        &plan,
        &LoadOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    let mut probe = open(&file);
    common::verify(&mut probe, &catalog, &plan).await;
    assert!(probe.number("SELECT count(head_id) FROM department").await > 0);
}

#[tokio::test]
async fn a_missing_file_is_not_created() {
    let file = TempFile::new("missing.db");
    let catalog = Catalog::new(carta_catalog::Dialect::Sqlite).finish();
    let plan = common::plan(&catalog, &common::options(&[]));
    let url = format!("sqlite://{}", file.path.display());
    let error = load(&url, &catalog, &plan, &LoadOptions::default(), &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(error, LoadError::Connect { .. }), "{error}");
    assert!(!file.path.exists());
}
