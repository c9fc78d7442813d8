//! Loads a [`carta_mock::Plan`]'s rows into a live database at the
//! database's speed, all or nothing.
//!
//! - **PostgreSQL**: one transaction, `SET CONSTRAINTS ALL DEFERRED`, one
//!   `COPY ... FROM STDIN` per table in plan order: binary format where every
//!   column's type has a binary encoding here, text format otherwise. Rows
//!   are generated and encoded on worker threads while the server ingests
//!   the previous chunk.
//! - **MySQL/MariaDB**: one InnoDB transaction of prepared multi-row
//!   INSERTs, foreign key and unique checks on; `AUTO_INCREMENT` is moved
//!   after COMMIT because `ALTER TABLE` commits implicitly.
//! - **SQLite**: one transaction of prepared INSERTs with
//!   `PRAGMA foreign_keys = ON` and `PRAGMA foreign_key_check` before COMMIT.
//!
//! Cycles broken by the plan are closed by [`carta_mock::Fixup`]s: the key
//! and FK values go into a temporary table and one set-based UPDATE fills
//! the FK columns. Any failure rolls the whole load back; a constraint error
//! names the table, the row and the constraint. A target whose planned
//! tables already hold rows is refused before anything is written.

mod chunks;
mod error;
mod mysql;
mod postgres;
mod sql;
mod sqlite;
mod text;

pub use error::LoadError;

use carta_catalog::{Catalog, Dialect, QualifiedName};
use carta_mock::Plan;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// How many threads generate and encode rows while the database ingests
    /// them. Tables themselves are loaded one after another inside one
    /// transaction, so that a failure leaves the target as it was.
    pub parallel: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            parallel: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8)),
        }
    }
}

/// Progress of a load, one bar per table.
pub trait Progress: Send + Sync {
    fn table_started(&self, table: &QualifiedName, rows: u64);
    /// `rows` is the number of rows of `table` sent so far (not an increment).
    fn rows_done(&self, table: &QualifiedName, rows: u64);
    fn table_finished(&self, table: &QualifiedName);
}

/// A [`Progress`] that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn table_started(&self, _: &QualifiedName, _: u64) {}
    fn rows_done(&self, _: &QualifiedName, _: u64) {}
    fn table_finished(&self, _: &QualifiedName) {}
}

/// What a successful load wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    /// Rows loaded per table, in load order.
    pub tables: Vec<(QualifiedName, u64)>,
    pub elapsed: Duration,
}

/// The database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Postgres { url: String },
    Mysql { url: String },
    Sqlite { path: PathBuf },
}

impl Target {
    /// Classifies `url`: `postgres://`, `postgresql://`, `mysql://`,
    /// `mariadb://`, `sqlite://PATH`, or a path ending in `.db`, `.sqlite` or `.sqlite3`.
    pub fn parse(url: &str) -> Result<Target, LoadError> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Target::Postgres { url: url.into() });
        }
        if lower.starts_with("mysql://") {
            return Ok(Target::Mysql { url: url.into() });
        }
        if lower.starts_with("mariadb://") {
            // mysql_async only knows the mysql scheme; the protocol is the same.
            return Ok(Target::Mysql {
                url: format!("mysql://{}", &url["mariadb://".len()..]),
            });
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok(Target::Sqlite { path: path.into() });
        }
        let is_sqlite_file = [".db", ".sqlite", ".sqlite3"]
            .iter()
            .any(|extension| lower.ends_with(extension));
        if is_sqlite_file && !lower.contains("://") {
            return Ok(Target::Sqlite { path: url.into() });
        }
        Err(LoadError::UnknownTarget {
            target: carta_source::redact_url(url),
        })
    }
}

/// Loads every table of `plan` (generated from `catalog`) into the database at `url`.
pub async fn load(
    url: &str,
    catalog: &Catalog,
    plan: &Plan,
    options: &LoadOptions,
    progress: &dyn Progress,
) -> Result<LoadReport, LoadError> {
    let started = Instant::now();
    let job = Job {
        catalog: std::sync::Arc::new(catalog.clone()),
        plan: std::sync::Arc::new(plan.clone()),
        workers: options.parallel.max(1),
    };
    let target = Target::parse(url)?;
    let target_dialect = match target {
        Target::Postgres { .. } => Dialect::Postgres,
        Target::Mysql { .. } => Dialect::Mysql,
        Target::Sqlite { .. } => Dialect::Sqlite,
    };
    // Types, names and schemas are spelled per dialect: rows planned from a
    // PostgreSQL schema do not fit a SQLite file.
    if catalog.dialect != target_dialect {
        return Err(LoadError::Unsupported(format!(
            "the schema was read as {:?} but the target is {:?}: read the target itself, or give DDL of its dialect",
            catalog.dialect, target_dialect
        )));
    }
    let tables = match target {
        Target::Postgres { url } => postgres::load(&url, &job, progress).await?,
        Target::Mysql { url } => mysql::load(&url, &job, progress).await?,
        Target::Sqlite { path } => sqlite::load(path, job, progress).await?,
    };
    Ok(LoadReport {
        tables,
        elapsed: started.elapsed(),
    })
}

/// What every loader works from, shared with the generator threads.
#[derive(Clone)]
struct Job {
    catalog: std::sync::Arc<Catalog>,
    plan: std::sync::Arc<Plan>,
    workers: usize,
}

impl Job {
    /// The catalog table of `plan.tables[index]`.
    fn table(&self, index: usize) -> Result<&carta_catalog::Table, LoadError> {
        let name = &self.plan.tables[index].table;
        self.catalog.table(name).ok_or_else(|| {
            LoadError::Unsupported(format!("{name} is planned but not in the Catalog"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_target() {
        assert_eq!(
            Target::parse("postgresql://u@h/db").unwrap(),
            Target::Postgres {
                url: "postgresql://u@h/db".into()
            }
        );
        assert_eq!(
            Target::parse("mariadb://root@h:3306/db").unwrap(),
            Target::Mysql {
                url: "mysql://root@h:3306/db".into()
            }
        );
        assert_eq!(
            Target::parse("sqlite://data/app.db").unwrap(),
            Target::Sqlite {
                path: "data/app.db".into()
            }
        );
        assert_eq!(
            Target::parse("app.sqlite3").unwrap(),
            Target::Sqlite {
                path: "app.sqlite3".into()
            }
        );
    }

    #[test]
    fn an_unknown_target_hides_its_password() {
        let error = Target::parse("oracle://scott:tiger@h/db").unwrap_err();
        assert!(
            error.to_string().contains("oracle://scott:***@h/db"),
            "{error}"
        );
    }
}
