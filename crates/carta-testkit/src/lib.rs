//! Throwaway databases for tests that talk to real servers.
//!
//! Each [`PgDatabase`] / [`MysqlDatabase`] is a fresh database with a unique
//! name on the local server, dropped when the value is dropped (also when
//! the test panics). Servers are found through `CARTA_TEST_PG_URL` and
//! `CARTA_TEST_MYSQL_URL`, defaulting to the local PostgreSQL (user
//! postgres, trust) and MariaDB (root, no password) that `scripts/test`
//! installs and starts.

use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "carta_test_{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The admin URL of the PostgreSQL server tests use, without a database.
pub fn pg_server_url() -> String {
    std::env::var("CARTA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The admin URL of the MySQL/MariaDB server tests use, without a database.
pub fn mysql_server_url() -> String {
    std::env::var("CARTA_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// Runs a future to completion on a thread of its own, so the kit works
/// from plain tests and from inside `#[tokio::test]` alike.
fn block_on<F>(future: F) -> F::Output
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a test runtime")
                .block_on(future)
        });
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A fresh PostgreSQL database, dropped on drop.
pub struct PgDatabase {
    pub name: String,
    server: String,
}

impl PgDatabase {
    pub fn create() -> PgDatabase {
        let server = pg_server_url();
        let name = unique_name("pg");
        block_on(pg_admin(&server, &format!("CREATE DATABASE \"{name}\"")));
        PgDatabase { name, server }
    }

    /// URL of this database, for Carta's ingest.
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    /// Runs SQL (any number of statements) in this database; panics with the server's message on error.
    pub fn execute(&self, sql: &str) {
        let url = self.url();
        block_on(async move {
            let client = pg_connect(&url).await;
            if let Err(e) = client.batch_execute(sql).await {
                let detail = e.as_db_error().map_or(e.to_string(), |d| {
                    format!("{} (at byte {:?})", d.message(), d.position())
                });
                panic!("SQL failed in test database: {detail}");
            }
        });
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        block_on(pg_admin(&self.server, &sql));
    }
}

async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to test PostgreSQL at {url}: {e}"));
    tokio::spawn(connection);
    client
}

async fn pg_admin(server: &str, sql: &str) {
    let client = pg_connect(&format!("{server}/postgres")).await;
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
}

/// A fresh MySQL/MariaDB database, dropped on drop.
pub struct MysqlDatabase {
    pub name: String,
    server: String,
}

impl MysqlDatabase {
    pub fn create() -> MysqlDatabase {
        let server = mysql_server_url();
        let name = unique_name("my");
        block_on(mysql_run(&server, &format!("CREATE DATABASE `{name}`")));
        MysqlDatabase { name, server }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    /// Runs SQL (several statements separated by `;` allowed) in this database.
    pub fn execute(&self, sql: &str) {
        block_on(mysql_run(&self.url(), sql));
    }
}

impl Drop for MysqlDatabase {
    fn drop(&mut self) {
        block_on(mysql_run(
            &self.server,
            &format!("DROP DATABASE IF EXISTS `{}`", self.name),
        ));
    }
}

async fn mysql_run(url: &str, sql: &str) {
    use mysql_async::prelude::Queryable;
    let opts = mysql_async::Opts::from_url(url)
        .unwrap_or_else(|e| panic!("bad CARTA_TEST_MYSQL_URL {url}: {e}"));
    let mut conn = mysql_async::Conn::new(opts)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to test MySQL at {url}: {e}"));
    if let Err(e) = conn.query_drop(sql).await {
        panic!("SQL failed in test MySQL database: {e}");
    }
    let _ = conn.disconnect().await;
}
