//! The live validator on each dialect: EXPLAIN through the query runner
//! accepts a query that plans and reports the server's own error for one
//! that does not, on real PostgreSQL, MariaDB and SQLite databases.

use std::time::Duration;

use carta_ask::{LiveValidator, StaticValidator, Validation, Validator};
use carta_catalog::{Dialect, QualifiedName};
use carta_testkit::{MysqlDatabase, PgDatabase};

const TABLE: &str = "CREATE TABLE items (id integer PRIMARY KEY, label text NOT NULL)";

fn validator(dialect: Dialect, schema: &str, url: String) -> LiveValidator {
    let statics = StaticValidator::new(dialect, [QualifiedName::new(schema, "items")]);
    LiveValidator::new(statics, url, Duration::from_secs(5))
}

async fn check(validator: &LiveValidator, good: &str, bad: &str, server_says: &str) {
    match validator.validate(good).await.unwrap() {
        Validation::Valid { tables_used } => assert_eq!(tables_used.len(), 1, "{tables_used:?}"),
        Validation::Invalid { error } => panic!("{good}: {error}"),
    }
    match validator.validate(bad).await.unwrap() {
        Validation::Invalid { error } => {
            assert!(error.starts_with("EXPLAIN failed: "), "{error}");
            assert!(error.contains(server_says), "{server_says}: {error}");
        }
        Validation::Valid { .. } => panic!("{bad} passed"),
    }
}

#[tokio::test]
async fn postgres_plans_or_names_the_missing_column() {
    let db = PgDatabase::create();
    db.execute(TABLE);
    let validator = validator(Dialect::Postgres, "public", db.url());
    check(
        &validator,
        "SELECT label FROM items WHERE id > 1",
        "SELECT title FROM items",
        "column \"title\" does not exist",
    )
    .await;
}

#[tokio::test]
async fn mariadb_plans_or_names_the_missing_column() {
    let db = MysqlDatabase::create();
    db.execute(TABLE);
    let validator = validator(Dialect::Mysql, &db.name, db.url());
    check(
        &validator,
        "SELECT label FROM items WHERE id > 1",
        "SELECT title FROM items",
        "Unknown column 'title'",
    )
    .await;
}

#[tokio::test]
async fn sqlite_plans_or_names_the_missing_column() {
    let dir = std::env::temp_dir().join(format!("carta-ask-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("items.db");
    let _ = std::fs::remove_file(&path);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(TABLE)
        .unwrap();
    let validator = validator(
        Dialect::Sqlite,
        "main",
        format!("sqlite://{}", path.display()),
    );
    check(
        &validator,
        "SELECT label FROM items WHERE id > 1",
        "SELECT title FROM items",
        "no such column: title",
    )
    .await;
    std::fs::remove_dir_all(&dir).unwrap();
}
