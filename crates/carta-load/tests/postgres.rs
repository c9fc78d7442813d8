//! Loads into a real PostgreSQL with every constraint, index, trigger and
//! row-level security policy of the seeds in place, then checks the result
//! with SQL.

mod common;

use carta_catalog::{Catalog, QualifiedName};
use carta_load::{load, LoadError, LoadOptions, NoProgress};
use carta_mock::{Plan, Value};
use carta_testkit::PgDatabase;
use common::Probe;
use tokio_postgres::{Client, NoTls};

struct Pg(Client);

impl Probe for Pg {
    async fn number(&mut self, sql: &str) -> i64 {
        let row = self
            .0
            .query_one(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.get::<_, Option<i64>>(0).unwrap_or(0)
    }

    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    async fn sequence_headroom(&mut self, table: &QualifiedName, column: &str) -> Option<i64> {
        let qualified = self.table(table);
        let sequence: Option<String> = self
            .0
            .query_one(
                "SELECT pg_get_serial_sequence($1, $2)",
                &[&qualified, &column],
            )
            .await
            .ok()?
            .get(0);
        let sql = format!(
            "SELECT nextval('{}') - coalesce(max({})::int8, 0) FROM {qualified}",
            sequence?.replace('\'', "''"),
            self.ident(column)
        );
        Some(self.number(&sql).await)
    }
}

async fn connect(db: &PgDatabase) -> Pg {
    let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    Pg(client)
}

async fn live_catalog(db: &PgDatabase) -> Catalog {
    let source = carta_ingest::Source::parse(&db.url(), None).unwrap();
    carta_ingest::ingest(&source, &carta_source::IngestOptions::default())
        .await
        .unwrap()
        .catalog
}

async fn load_plan(db: &PgDatabase, catalog: &Catalog, plan: &Plan) -> Result<(), LoadError> {
    let progress = common::RecordedProgress::default();
    let report = load(&db.url(), catalog, plan, &LoadOptions::default(), &progress).await?;
    let loaded: Vec<u64> = report.tables.iter().map(|(_, rows)| *rows).collect();
    let planned: Vec<u64> = plan.tables.iter().map(|t| t.rows).collect();
    assert_eq!(loaded, planned);
    progress.assert_complete(plan);
    Ok(())
}

async fn load_seed(file: &str, bigger: &[(&str, &str)]) {
    let db = PgDatabase::create();
    db.execute(&common::seed(file));
    let catalog = live_catalog(&db).await;
    let bigger: Vec<QualifiedName> = bigger
        .iter()
        .map(|(s, t)| QualifiedName::new(*s, *t))
        .collect();
    let plan = common::plan(&catalog, &common::options(&bigger));
    assert!(
        plan.tables.len() >= 3,
        "{file}: {} tables planned",
        plan.tables.len()
    );
    load_plan(&db, &catalog, &plan)
        .await
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    common::verify(&mut connect(&db).await, &catalog, &plan).await;
}

#[tokio::test]
async fn orko_loads_with_every_constraint_in_place() {
    load_seed("000_orko.sql", &[("orko", "users"), ("orko", "logs")]).await;
}

#[tokio::test]
async fn orchestrator_loads_with_every_constraint_in_place() {
    load_seed("001_orchestrator.sql", &[]).await;
}

#[tokio::test]
async fn plugins_loads_with_every_constraint_in_place() {
    load_seed("002_plugins.sql", &[]).await;
}

#[tokio::test]
async fn nadakki_loads_with_every_constraint_in_place() {
    load_seed("003_nadakki.sql", &[]).await;
}

#[tokio::test]
async fn carta_loads_with_every_constraint_in_place() {
    load_seed("004_carta.sql", &[]).await;
}

#[tokio::test]
async fn a_check_carta_cannot_model_rolls_the_whole_load_back() {
    let db = PgDatabase::create();
    db.execute(
        "CREATE TABLE team (id integer PRIMARY KEY, name text NOT NULL); \
         CREATE TABLE player (id integer PRIMARY KEY, \
           team_id integer NOT NULL REFERENCES team (id), \
           name text NOT NULL CONSTRAINT player_name_hash CHECK (md5(name) LIKE 'a%'))",
    );
    let catalog = live_catalog(&db).await;
    let plan = common::plan(&catalog, &common::options(&[]));
    let error = load_plan(&db, &catalog, &plan).await.unwrap_err();
    let LoadError::Constraint {
        table,
        row,
        constraint,
        ..
    } = &error
    else {
        panic!("expected a constraint error, got {error}");
    };
    assert_eq!(table, "public.player", "{error}");
    assert_eq!(constraint.as_deref(), Some("player_name_hash"), "{error}");
    // The row named is the first generated row whose name fails the check.
    let index = plan
        .tables
        .iter()
        .position(|t| t.table.name == "player")
        .unwrap();
    let name_column = plan.tables[index]
        .columns
        .iter()
        .position(|c| c == "name")
        .unwrap();
    let mut probe = connect(&db).await;
    let row = row.expect("the row from the COPY context");
    for (position, values) in carta_mock::rows(&plan, &catalog, index, 0..row).enumerate() {
        let Value::Text(name) = &values[name_column] else {
            panic!("name is text: {:?}", values[name_column]);
        };
        let passes = probe
            .0
            .query_one("SELECT md5($1) LIKE 'a%'", &[name])
            .await
            .unwrap()
            .get::<_, bool>(0);
        assert_eq!(
            passes,
            position as u64 + 1 != row,
            "row {}: {name}",
            position + 1
        );
    }
    assert_eq!(common::counts(&mut probe, &plan).await, vec![0, 0]);
}

#[tokio::test]
async fn a_table_with_rows_is_refused_before_anything_is_written() {
    let db = PgDatabase::create();
    db.execute(&common::seed("000_orko.sql"));
    db.execute("INSERT INTO orko.orgs (name) VALUES ('already here')");
    let catalog = live_catalog(&db).await;
    let plan = common::plan(&catalog, &common::options(&[]));
    let error = load_plan(&db, &catalog, &plan).await.unwrap_err();
    assert_eq!(
        error,
        LoadError::NotEmpty {
            tables: vec!["orko.orgs".into()]
        }
    );
    let counts = common::counts(&mut connect(&db).await, &plan).await;
    let orgs = plan
        .tables
        .iter()
        .position(|t| t.table.name == "orgs")
        .unwrap();
    for (i, count) in counts.iter().enumerate() {
        assert_eq!(*count, i64::from(i == orgs), "{}", plan.tables[i].table);
    }
}

#[tokio::test]
async fn a_foreign_key_cycle_is_closed_by_fixups() {
    let db = PgDatabase::create();
    db.execute(
        "CREATE TABLE department (id integer PRIMARY KEY, name text NOT NULL, head_id integer); \
         CREATE TABLE employee (id integer PRIMARY KEY, \
           department_id integer NOT NULL REFERENCES department (id)); \
         ALTER TABLE department ADD CONSTRAINT department_head_fkey \
           FOREIGN KEY (head_id) REFERENCES employee (id)",
    );
    let catalog = live_catalog(&db).await;
    let plan = common::plan(&catalog, &common::options(&[]));
    assert_eq!(plan.fixups.len(), 1, "{:?}", plan.fixups);
    load_plan(&db, &catalog, &plan).await.unwrap();
    let mut probe = connect(&db).await;
    common::verify(&mut probe, &catalog, &plan).await;
    let rows = plan
        .tables
        .iter()
        .find(|t| t.table == plan.fixups[0].table)
        .unwrap()
        .rows;
    let expected_heads = carta_mock::fixup_rows(&plan, &catalog, 0, 0..rows)
        .filter(|(_, set)| set[0] != Value::Null)
        .count();
    assert!(expected_heads > 0, "the fixup sets some heads");
    let heads = probe.number("SELECT count(head_id) FROM department").await;
    assert_eq!(heads as usize, expected_heads);
}

#[tokio::test]
async fn an_unknown_server_is_a_connect_error_without_the_password() {
    let catalog = Catalog::new(carta_catalog::Dialect::Postgres).finish();
    let plan = common::plan(&catalog, &common::options(&[]));
    let error = load(
        "postgres://carta:secret@127.0.0.1:1/nowhere",
        &catalog,
        &plan,
        &LoadOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, LoadError::Connect { .. }), "{error}");
    assert!(!error.to_string().contains("secret"), "{error}");
}
