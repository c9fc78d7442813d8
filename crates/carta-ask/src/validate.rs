//! Whether a model's SQL may be shown as an answer: the runner's
//! statement checks, every table it reads known, and (on a live database)
//! the server's own EXPLAIN in a read-only transaction.

use std::collections::BTreeSet;
use std::future::Future;
use std::ops::ControlFlow;
use std::time::Duration;

use carta_catalog::{Catalog, Dialect, QualifiedName};
use carta_query::{CancelToken, Column, Limits, QueryError, RowSink, StatementKind, Status, Value};
use sqlparser::ast::{ObjectName, Query, TableFactor, Visit, Visitor};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::AskError;

/// The verdict on one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validation {
    Valid {
        /// `schema.table` of every table or view it reads, sorted.
        tables_used: Vec<String>,
    },
    /// Why not, in words fed back to the model.
    Invalid { error: String },
}

/// Judges SQL. An `Err` is the validator failing (not the SQL): no repair
/// can help, so asking stops.
pub trait Validator {
    fn validate(&self, sql: &str) -> impl Future<Output = Result<Validation, AskError>> + Send;
}

/// The checks that need no database: the runner's allow-list, a query
/// (not EXPLAIN or SHOW), and only known tables.
#[derive(Debug, Clone)]
pub struct StaticValidator {
    dialect: Dialect,
    known: BTreeSet<QualifiedName>,
}

impl StaticValidator {
    /// `known`: every table and view the SQL may read.
    pub fn new(dialect: Dialect, known: impl IntoIterator<Item = QualifiedName>) -> Self {
        StaticValidator {
            dialect,
            known: known.into_iter().collect(),
        }
    }

    /// Every table and view of `catalog`, in its dialect.
    pub fn for_catalog(catalog: &Catalog) -> Self {
        StaticValidator::new(
            catalog.dialect,
            catalog
                .tables()
                .map(|(schema, table)| QualifiedName::new(&schema.name, &table.name)),
        )
    }

    fn check(&self, sql: &str) -> Validation {
        let invalid = |error: String| Validation::Invalid { error };
        match carta_query::check(self.dialect, sql) {
            Ok(checked) if checked.kind == StatementKind::Query => {}
            Ok(_) => return invalid("write a SELECT query, not EXPLAIN or SHOW".into()),
            Err(rejection) => return invalid(rejection.to_string()),
        }
        let references = match references(self.dialect, sql) {
            Ok(references) => references,
            Err(message) => return invalid(message),
        };
        let mut used = BTreeSet::new();
        let mut unknown = Vec::new();
        for reference in references {
            match self.resolve(&reference) {
                Some(name) => {
                    used.insert(name.to_string());
                }
                None => unknown.push(reference.join(".")),
            }
        }
        if !unknown.is_empty() {
            return invalid(format!(
                "no such table: {}. The tables are: {}",
                unknown.join(", "),
                self.known
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Validation::Valid {
            tables_used: used.into_iter().collect(),
        }
    }

    /// The known table `parts` names: `schema.table` exactly, or a bare
    /// name found in one schema (the first, should several have it).
    /// Names compare case-insensitively, as unquoted names do.
    fn resolve(&self, parts: &[String]) -> Option<&QualifiedName> {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        match parts {
            [name] => self.known.iter().find(|k| same(&k.name, name)),
            [.., schema, name] => self
                .known
                .iter()
                .find(|k| same(&k.schema, schema) && same(&k.name, name)),
            [] => None,
        }
    }
}

impl Validator for StaticValidator {
    async fn validate(&self, sql: &str) -> Result<Validation, AskError> {
        Ok(self.check(sql))
    }
}

/// The static checks, then `EXPLAIN` on the live database through the
/// query runner: read-only, bounded by a timeout, and never the statement
/// itself, so nothing the model wrote is executed.
#[derive(Debug, Clone)]
pub struct LiveValidator {
    statics: StaticValidator,
    source: String,
    timeout: Duration,
}

impl LiveValidator {
    /// `source`: the database URL (or SQLite file) the runner opens.
    pub fn new(statics: StaticValidator, source: impl Into<String>, timeout: Duration) -> Self {
        LiveValidator {
            statics,
            source: source.into(),
            timeout,
        }
    }
}

impl Validator for LiveValidator {
    async fn validate(&self, sql: &str) -> Result<Validation, AskError> {
        let verdict = self.statics.check(sql);
        if matches!(verdict, Validation::Invalid { .. }) {
            return Ok(verdict);
        }
        let explain = match self.statics.dialect {
            Dialect::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Dialect::Postgres | Dialect::Mysql => format!("EXPLAIN {sql}"),
        };
        let limits = Limits {
            max_rows: 10_000,
            max_bytes: 1024 * 1024,
            timeout: self.timeout,
        };
        let result = carta_query::run(
            &self.source,
            &explain,
            &limits,
            &CancelToken::new(),
            &mut Discard,
        )
        .await;
        match result {
            Ok(execution) if execution.status == Status::Success => Ok(verdict),
            Ok(execution) => Ok(Validation::Invalid {
                error: format!(
                    "EXPLAIN failed: {}",
                    execution
                        .error
                        .as_deref()
                        .unwrap_or("the database gave no reason")
                ),
            }),
            Err(QueryError::Rejected(rejection)) => Ok(Validation::Invalid {
                error: rejection.to_string(),
            }),
            Err(e) => Err(AskError::Validator(Box::new(e))),
        }
    }
}

/// EXPLAIN's plan is not shown; only whether it could be made matters.
struct Discard;

impl RowSink for Discard {
    fn columns(&mut self, _columns: &[Column]) -> std::io::Result<()> {
        Ok(())
    }

    fn row(&mut self, _row: &[Value]) -> std::io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The names (as parts) of the tables `sql` reads, leaving out the names
/// its own CTEs define and table-valued function calls.
fn references(dialect: Dialect, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let statements = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    }
    .map_err(|e| e.to_string())?;
    let mut collector = Relations::default();
    for statement in &statements {
        let _ = statement.visit(&mut collector);
    }
    Ok(collector
        .tables
        .into_iter()
        .filter(|parts| !(parts.len() == 1 && collector.ctes.contains(&parts[0].to_lowercase())))
        .collect())
}

#[derive(Default)]
struct Relations {
    tables: Vec<Vec<String>>,
    /// Lower-cased names defined by WITH clauses anywhere in the statement.
    ctes: BTreeSet<String>,
}

impl Visitor for Relations {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.to_lowercase());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name, args: None, ..
        } = factor
        {
            self.tables.push(parts(name));
        }
        ControlFlow::Continue(())
    }
}

fn parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part.as_ident() {
            Some(ident) => ident.value.clone(),
            None => part.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> StaticValidator {
        StaticValidator::new(
            Dialect::Postgres,
            [
                QualifiedName::new("orko", "users"),
                QualifiedName::new("orko", "orgs"),
            ],
        )
    }

    fn verdict(sql: &str) -> Validation {
        validator().check(sql)
    }

    fn used(sql: &str) -> Vec<String> {
        match verdict(sql) {
            Validation::Valid { tables_used } => tables_used,
            Validation::Invalid { error } => panic!("{sql}: {error}"),
        }
    }

    fn error(sql: &str) -> String {
        match verdict(sql) {
            Validation::Invalid { error } => error,
            Validation::Valid { .. } => panic!("{sql} passed"),
        }
    }

    #[test]
    fn known_tables_pass_with_their_qualified_names() {
        assert_eq!(
            used("SELECT o.name, count(*) FROM orko.orgs o JOIN Users u ON u.org_id = o.id GROUP BY 1"),
            ["orko.orgs", "orko.users"]
        );
        assert_eq!(used("SELECT 1"), Vec::<String>::new());
    }

    #[test]
    fn cte_names_and_table_functions_are_not_tables() {
        assert_eq!(
            used("WITH big AS (SELECT org_id FROM orko.users) SELECT * FROM big, generate_series(1, 3)"),
            ["orko.users"]
        );
    }

    #[test]
    fn unknown_tables_are_named_with_the_known_ones() {
        let message = error("SELECT * FROM orko.customers JOIN orko.users ON true");
        assert!(
            message.contains("no such table: orko.customers"),
            "{message}"
        );
        assert!(message.contains("orko.orgs, orko.users"), "{message}");
        assert!(error("SELECT * FROM other.users").contains("other.users"));
    }

    #[test]
    fn the_runner_checks_apply() {
        assert!(error("DELETE FROM orko.users").contains("only SELECT"));
        assert!(error("SELECT 1; DROP TABLE orko.users").contains("exactly one statement"));
        assert!(error("SELECT * FROM orko.users FOR UPDATE").contains("locking clause"));
        assert!(error("EXPLAIN SELECT 1").contains("not EXPLAIN or SHOW"));
    }
}
