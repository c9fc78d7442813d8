//! Loads the MySQL translations of the seeds into a real MariaDB and checks
//! the result with SQL.

mod common;

use carta_catalog::{Catalog, QualifiedName};
use carta_load::{load, LoadError, LoadOptions};
use carta_testkit::MysqlDatabase;
use common::Probe;
use mysql_async::prelude::Queryable;

struct My(mysql_async::Conn);

impl Probe for My {
    async fn number(&mut self, sql: &str) -> i64 {
        let value: Option<Option<i64>> = self
            .0
            .query_first(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        value.flatten().unwrap_or(0)
    }

    fn ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    async fn sequence_headroom(&mut self, table: &QualifiedName, column: &str) -> Option<i64> {
        let auto_increment: Option<Option<i64>> = self
            .0
            .exec_first(
                "SELECT t.AUTO_INCREMENT FROM information_schema.TABLES t \
                 JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA \
                   AND c.TABLE_NAME = t.TABLE_NAME \
                 WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ? AND c.COLUMN_NAME = ? \
                   AND c.EXTRA LIKE '%auto_increment%'",
                (&table.schema, &table.name, column),
            )
            .await
            .unwrap();
        let next = auto_increment.flatten()?;
        let sql = format!(
            "SELECT coalesce(max({}), 0) FROM {}",
            self.ident(column),
            self.table(table)
        );
        Some(next - self.number(&sql).await)
    }
}

async fn connect(db: &MysqlDatabase) -> My {
    let opts = mysql_async::Opts::from_url(&db.url()).unwrap();
    My(mysql_async::Conn::new(opts).await.unwrap())
}

async fn live_catalog(db: &MysqlDatabase) -> Catalog {
    let source = carta_ingest::Source::parse(&db.url(), None).unwrap();
    carta_ingest::ingest(&source, &carta_source::IngestOptions::default())
        .await
        .unwrap()
        .catalog
}

async fn load_seed(file: &str) {
    let db = MysqlDatabase::create();
    db.execute(&common::seed(file));
    let catalog = live_catalog(&db).await;
    let plan = common::plan(&catalog, &common::options(&[]));
    assert!(
        plan.tables.len() >= 3,
        "{file}: {} tables planned",
        plan.tables.len()
    );
    let progress = common::RecordedProgress::default();
    load(
        &db.url(),
        &catalog,
        &plan,
        &LoadOptions::default(),
        &progress,
    )
    .await
    .unwrap_or_else(|e| panic!("{file}: {e}"));
    progress.assert_complete(&plan);
    common::verify(&mut connect(&db).await, &catalog, &plan).await;
}

#[tokio::test]
async fn orko_loads_into_mariadb() {
    load_seed("mysql/000_orko.sql").await;
}

#[tokio::test]
async fn plugins_loads_into_mariadb() {
    load_seed("mysql/002_plugins.sql").await;
}

#[tokio::test]
async fn a_failing_row_is_named_and_the_load_rolled_back() {
    let db = MysqlDatabase::create();
    db.execute(
        "CREATE TABLE team (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL) ENGINE=InnoDB; \
         CREATE TABLE player (id INT PRIMARY KEY, team_id INT NOT NULL, \
           name VARCHAR(50) NOT NULL, \
           CONSTRAINT player_name_hash CHECK (md5(name) LIKE 'a%'), \
           CONSTRAINT player_team_fkey FOREIGN KEY (team_id) REFERENCES team (id)) ENGINE=InnoDB",
    );
    let catalog = live_catalog(&db).await;
    let plan = common::plan(&catalog, &common::options(&[]));
    let url = db.url().replacen("mysql://", "mariadb://", 1);
    let error = load(
        &url,
        &catalog,
        &plan,
        &LoadOptions::default(),
        &carta_load::NoProgress,
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
    assert_eq!(table, &format!("{}.player", db.name), "{error}");
    assert_eq!(constraint.as_deref(), Some("player_name_hash"), "{error}");
    assert!(row.is_some(), "{error}");
    assert_eq!(
        common::counts(&mut connect(&db).await, &plan).await,
        vec![0, 0]
    );
}
