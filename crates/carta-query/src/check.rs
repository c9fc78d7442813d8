//! The first layer: a parsed-statement allow-list. Only statements that
//! read pass; everything else is rejected before a connection is opened.

use std::fmt::Display;
use std::ops::ControlFlow;

use carta_catalog::Dialect;
use sqlparser::ast::{Expr, ObjectName, Query, Select, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Why a statement may not run. Each names the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the text does not parse as SQL: {message}")]
    Syntax { message: String },
    #[error("there is no statement to run")]
    Empty,
    #[error("exactly one statement is allowed, found {count}")]
    MultipleStatements { count: usize },
    #[error("only SELECT, WITH ... SELECT, VALUES, EXPLAIN and SHOW may run, not `{statement}`")]
    NotReadOnly { statement: String },
    #[error("a data-modifying statement inside the query may not run: `{statement}`")]
    DataModifying { statement: String },
    #[error("SELECT ... INTO writes its result and may not run: `{clause}`")]
    SelectInto { clause: String },
    #[error("the locking clause `{clause}` takes row locks and may not run")]
    LockingClause { clause: String },
    #[error("the function `{name}` has side effects and may not run")]
    SideEffectFunction { name: String },
    #[error("only INSERT, UPDATE, DELETE and MERGE (and, where allowed, schema changes) may run as a write, not `{statement}`")]
    NotAWrite { statement: String },
    #[error("schema changes need a higher role: `{statement}`")]
    DdlNotAllowed { statement: String },
    #[error("writes are only supported on PostgreSQL, not on {dialect}")]
    WritesUnsupported { dialect: String },
}

/// What kind of statement passed the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// SELECT, WITH ... SELECT, VALUES or TABLE.
    Query,
    Explain,
    Show,
    /// INSERT, UPDATE, DELETE or MERGE, accepted by [`check_write`].
    Write,
    /// A schema change, accepted by [`check_write`] with [`WriteScope::Ddl`].
    Ddl,
}

/// What [`check_write`] lets through besides reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteScope {
    /// INSERT, UPDATE, DELETE and MERGE.
    Dml,
    /// Those and schema changes (CREATE/ALTER/DROP of tables, views,
    /// indexes, schemas, sequences, types; TRUNCATE; COMMENT).
    Ddl,
}

/// A statement that passed [`check`], with its original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedStatement {
    pub dialect: Dialect,
    pub sql: String,
    pub kind: StatementKind,
}

/// Functions that act outside the query's result: sleep or lock (denial of
/// service), signal other sessions, touch files or other servers, change
/// settings or sequences. Matched on the last part of the name, so
/// `pg_catalog.pg_sleep` is caught too.
const SIDE_EFFECT_FUNCTIONS: &[&str] = &[
    // PostgreSQL
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "lo_import",
    "lo_export",
    "lo_unlink",
    "lo_create",
    "lo_creat",
    "lo_from_bytea",
    "lo_put",
    "set_config",
    "nextval",
    "setval",
    "txid_current",
    "pg_current_xact_id",
    "pg_notify",
    "copy",
    // MySQL / MariaDB
    "sleep",
    "benchmark",
    "get_lock",
    "release_lock",
    "load_file",
    // SQLite
    "load_extension",
    "readfile",
    "writefile",
];

/// Name prefixes of whole function families with side effects.
const SIDE_EFFECT_PREFIXES: &[&str] = &["dblink", "pg_advisory", "pg_try_advisory"];

fn has_side_effects(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SIDE_EFFECT_FUNCTIONS.contains(&name.as_str())
        || SIDE_EFFECT_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Parses `sql` in `dialect` into exactly one statement.
fn parse_one(dialect: Dialect, sql: &str) -> Result<Statement, Rejection> {
    let parsed = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    };
    let mut statements = parsed.map_err(|e| Rejection::Syntax {
        message: e.to_string(),
    })?;
    match statements.len() {
        0 => Err(Rejection::Empty),
        1 => Ok(statements.remove(0)),
        count => Err(Rejection::MultipleStatements { count }),
    }
}

/// Parses `sql` in `dialect` and accepts it only when it is exactly one
/// read-only statement.
pub fn check(dialect: Dialect, sql: &str) -> Result<CheckedStatement, Rejection> {
    let kind = check_statement(&parse_one(dialect, sql)?)?;
    Ok(CheckedStatement {
        dialect,
        sql: sql.to_string(),
        kind,
    })
}

/// Accepts exactly one statement that reads (as [`check`]) or writes
/// within `scope`. Transaction control, settings, grants, COPY, procedure
/// calls, anonymous blocks and function definitions never pass; nor do
/// side-effect functions or data-modifying statements nested in a query.
pub fn check_write(
    dialect: Dialect,
    sql: &str,
    scope: WriteScope,
) -> Result<CheckedStatement, Rejection> {
    let statement = parse_one(dialect, sql)?;
    let kind = match &statement {
        Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_)
        | Statement::Merge(_) => StatementKind::Write,
        Statement::CreateTable(_)
        | Statement::CreateView(_)
        | Statement::CreateIndex(_)
        | Statement::CreateSchema { .. }
        | Statement::CreateSequence { .. }
        | Statement::CreateType { .. }
        | Statement::AlterTable(_)
        | Statement::AlterIndex { .. }
        | Statement::AlterView { .. }
        | Statement::Drop { .. }
        | Statement::Truncate(_)
        | Statement::Comment { .. } => match scope {
            WriteScope::Ddl => StatementKind::Ddl,
            WriteScope::Dml => {
                return Err(Rejection::DdlNotAllowed {
                    statement: excerpt(&statement),
                })
            }
        },
        other => {
            return check_statement(other)
                .map_err(|rejection| match rejection {
                    Rejection::NotReadOnly { statement } => Rejection::NotAWrite { statement },
                    other => other,
                })
                .map(|kind| CheckedStatement {
                    dialect,
                    sql: sql.to_string(),
                    kind,
                })
        }
    };
    let mut walker = Walker { depth: 0 };
    match statement.visit(&mut walker) {
        ControlFlow::Break(rejection) => Err(rejection),
        ControlFlow::Continue(()) => Ok(CheckedStatement {
            dialect,
            sql: sql.to_string(),
            kind,
        }),
    }
}

fn check_statement(statement: &Statement) -> Result<StatementKind, Rejection> {
    let kind = match statement {
        Statement::Query(_) => StatementKind::Query,
        // The explained statement must pass on its own: EXPLAIN ANALYZE runs it.
        Statement::Explain { statement, .. } => {
            check_statement(statement)?;
            return Ok(StatementKind::Explain);
        }
        Statement::ExplainTable { .. } => StatementKind::Explain,
        Statement::ShowFunctions { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowCatalogs { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowProcessList { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowCharset(_)
        | Statement::ShowObjects(_)
        | Statement::ShowTables { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowCollation { .. } => StatementKind::Show,
        other => {
            return Err(Rejection::NotReadOnly {
                statement: excerpt(other),
            })
        }
    };
    let mut walker = Walker { depth: 0 };
    match statement.visit(&mut walker) {
        ControlFlow::Break(rejection) => Err(rejection),
        ControlFlow::Continue(()) => Ok(kind),
    }
}

/// Walks the whole tree: subqueries, CTEs, expressions and FROM items.
struct Walker {
    /// Statements entered; any below the top one is nested in the query.
    depth: usize,
}

impl Visitor for Walker {
    type Break = Rejection;

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<Rejection> {
        self.depth += 1;
        // `WITH x AS (DELETE ... RETURNING *)` nests the DELETE as a statement.
        if self.depth > 1 && !matches!(statement, Statement::Query(_)) {
            return ControlFlow::Break(Rejection::DataModifying {
                statement: excerpt(statement),
            });
        }
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, _statement: &Statement) -> ControlFlow<Rejection> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Rejection> {
        if let Some(lock) = query.locks.first() {
            return ControlFlow::Break(Rejection::LockingClause {
                clause: excerpt(lock),
            });
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Rejection> {
        if let Some(into) = &select.into {
            return ControlFlow::Break(Rejection::SelectInto {
                clause: excerpt(into),
            });
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Rejection> {
        match expr {
            Expr::Function(function) => side_effect_check(&function.name),
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Rejection> {
        match factor {
            // `FROM pg_sleep(5)`: a table-valued call.
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => side_effect_check(name),
            _ => ControlFlow::Continue(()),
        }
    }
}

fn side_effect_check(name: &ObjectName) -> ControlFlow<Rejection> {
    let last = name.0.last().and_then(|part| part.as_ident());
    match last {
        Some(ident) if has_side_effects(&ident.value) => {
            ControlFlow::Break(Rejection::SideEffectFunction {
                name: name.to_string(),
            })
        }
        _ => ControlFlow::Continue(()),
    }
}

/// The offending part, cut to a readable length.
fn excerpt(part: &impl Display) -> String {
    const MAX_CHARS: usize = 80;
    let text = part.to_string();
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}
