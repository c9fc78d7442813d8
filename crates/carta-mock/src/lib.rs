//! Mock data from a Catalog: every constraint satisfied by construction.
//!
//! [`plan`] orders the tables by their foreign keys and plans one generator
//! per column; [`rows`] produces any range of a table's rows as a pure
//! function of (seed, table, column, row), so chunks can be generated in
//! parallel and in any order. The file writers ([`write_table`],
//! [`write_fixups_sql`]) write to any `std::io::Write`. No database I/O:
//! `carta-load` executes a [`Plan`] against a live database.

mod constraints;
mod expr;
mod hash;
mod planner;
mod rules;
mod semantic;
mod text;
mod time;
mod values;
mod words;
mod writer;

pub use rules::GENERATORS;

use carta_catalog::{Catalog, ColumnRef, QualifiedName, RelationGraph};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// One generated value. Times are UTC.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// MySQL unsigned bigint beyond i64.
    UInt(u64),
    Float(f64),
    /// Canonical text, e.g. `1234.50`, already within precision and scale.
    Decimal(String),
    /// Also enum labels, MySQL SET values (`a,b`), inet/cidr/macaddr text, intervals (`1 day 02:00:00`).
    Text(String),
    Bytes(Vec<u8>),
    Uuid([u8; 16]),
    /// Serialized JSON text.
    Json(String),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since 1970-01-01T00:00:00Z.
    Timestamp {
        micros: i64,
        with_time_zone: bool,
    },
    Array(Vec<Value>),
}

/// What to generate: row counts, the seed and per-column overrides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MockOptions {
    /// Rows of every table not named in `rows` (`--rows`).
    pub default_rows: u64,
    /// Rows per table (`--table NAME=N` and `[mock.tables]`).
    pub rows: BTreeMap<QualifiedName, u64>,
    pub seed: u64,
    /// From `[mock.columns."schema.table.column"]`.
    pub columns: BTreeMap<ColumnRef, ColumnOverride>,
}

/// A user's choice for one column, from carta.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnOverride {
    /// A named generator (see [`GENERATORS`]).
    #[serde(default)]
    pub generator: Option<String>,
    /// Pick from this list.
    #[serde(default)]
    pub values: Option<Vec<serde_json::Value>>,
    /// 0..1, only on nullable columns.
    #[serde(default)]
    pub null_ratio: Option<f64>,
    /// Numeric or date/time range.
    #[serde(default)]
    pub min: Option<serde_json::Value>,
    #[serde(default)]
    pub max: Option<serde_json::Value>,
}

/// What will be generated, in load order. A pure function of (catalog, relations, options).
#[derive(Debug, Clone)]
pub struct Plan {
    /// Dependency order: every parent before its children.
    pub tables: Vec<TablePlan>,
    /// FK columns left NULL during the load (a cycle broken there) and filled afterwards.
    pub fixups: Vec<Fixup>,
    /// E.g. a CHECK Carta could not model (it is then evaluated, see [`check_rows`]), a virtual relation ignored.
    pub warnings: Vec<String>,
    /// The planned generators, shared with every row iterator.
    state: Arc<PlanState>,
}

#[derive(Debug)]
struct PlanState {
    gens: Vec<values::TableGen>,
    fixups: Vec<planner::FixupColumns>,
    checks: Vec<Vec<planner::PlannedCheck>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TablePlan {
    pub table: QualifiedName,
    pub rows: u64,
    /// The columns written, in this order. Generated columns are left out; identity and serial columns are
    /// written explicitly (values 1..=rows, so children can reference them) and `sequences` lists what to
    /// move past the loaded values.
    pub columns: Vec<String>,
    /// Columns written with explicit values that the database would otherwise generate
    /// (PostgreSQL needs `OVERRIDING SYSTEM VALUE` for `GENERATED ALWAYS`).
    pub identity_columns: Vec<String>,
    /// After the load: set each sequence past the max loaded value.
    pub sequences: Vec<SequenceReset>,
    /// Tables of the same level have no FK between them: loadable in parallel.
    pub level: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceReset {
    /// PostgreSQL: the owned sequence, if known.
    pub sequence: Option<QualifiedName>,
    pub column: String,
    pub next: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixup {
    pub table: QualifiedName,
    /// The table's primary key (or a unique NOT NULL key) columns.
    pub key_columns: Vec<String>,
    /// The FK columns filled after the load.
    pub set_columns: Vec<String>,
    /// The FK's name, for errors.
    pub constraint: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MockError {
    #[error("{table}.{column}: {needed} unique values needed but only {available} fit the column's type and constraints")]
    ValueSpaceTooSmall {
        table: String,
        column: String,
        needed: u64,
        available: u64,
    },
    #[error("foreign key cycle with no nullable or deferrable edge to break it: {}", tables.join(" -> "))]
    UnbreakableCycle { tables: Vec<String> },
    #[error("{table}.{column}: {reason}")]
    Unsupported {
        table: String,
        column: String,
        reason: String,
    },
    #[error("invalid mock override for {column}: {message}")]
    InvalidOverride { column: String, message: String },
}

/// Plans the generation: table order, row counts and one generator per
/// column. Fails before anything is written when a constraint cannot be met
/// (a unique column whose type has too few values, a cycle of NOT NULL
/// foreign keys, an invalid override).
pub fn plan(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &MockOptions,
) -> Result<Plan, MockError> {
    let planned = planner::plan(catalog, relations, options)?;
    Ok(Plan {
        tables: planned.plan_tables,
        fixups: planned.fixups,
        warnings: planned.warnings,
        state: Arc::new(PlanState {
            gens: planned.gens,
            fixups: planned.fixup_columns,
            checks: planned.checks,
        }),
    })
}

/// Rows `range` of table `plan.tables[index]`, each a `Vec<Value>` in [`TablePlan::columns`] order.
/// Deterministic: the value of (table, column, row) depends only on the seed, the names and the row
/// number, so chunks can be generated in parallel and in any order, and adding a column or table
/// changes no other column. Fixup columns are NULL here (see [`fixup_rows`]). An index outside the
/// plan, or rows past the table's count, yield nothing. The catalog is not read again: the plan
/// holds the generators planned from it.
pub fn rows(plan: &Plan, _catalog: &Catalog, index: usize, range: Range<u64>) -> RowIter {
    let rows = plan.state.gens.get(index).map_or(0, |t| t.rows);
    RowIter {
        state: Arc::clone(&plan.state),
        index,
        range: range.start.min(rows)..range.end.min(rows),
    }
}

/// Iterator over generated rows; see [`rows`]. Owns its plan data: `Send` and `'static`.
pub struct RowIter {
    state: Arc<PlanState>,
    index: usize,
    range: Range<u64>,
}

impl Iterator for RowIter {
    type Item = Vec<Value>;

    fn next(&mut self) -> Option<Vec<Value>> {
        let row = self.range.next()?;
        let table = &self.state.gens[self.index];
        Some(
            table
                .columns
                .iter()
                .enumerate()
                .map(|(c, gen)| {
                    if gen.deferred {
                        Value::Null
                    } else {
                        values::value(&self.state.gens, self.index, c, row)
                    }
                })
                .collect(),
        )
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

/// For fixup `index`: (key values, set values) per row of its table, to apply with one set-based
/// UPDATE (executors load them into a temporary table and `UPDATE t SET ... FROM tmp WHERE key = key`).
pub fn fixup_rows(plan: &Plan, _catalog: &Catalog, index: usize, range: Range<u64>) -> FixupIter {
    let rows = plan
        .state
        .fixups
        .get(index)
        .map_or(0, |f| plan.state.gens[f.table].rows);
    FixupIter {
        state: Arc::clone(&plan.state),
        index,
        range: range.start.min(rows)..range.end.min(rows),
    }
}

/// Iterator over fixup rows; see [`fixup_rows`].
pub struct FixupIter {
    state: Arc<PlanState>,
    index: usize,
    range: Range<u64>,
}

impl Iterator for FixupIter {
    type Item = (Vec<Value>, Vec<Value>);

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.range.next()?;
        let fixup = &self.state.fixups[self.index];
        let at = |c: &usize| values::value(&self.state.gens, fixup.table, *c, row);
        Some((
            fixup.keys.iter().map(at).collect(),
            fixup.sets.iter().map(at).collect(),
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

/// A CHECK that a generated row breaks, or that Carta could not decide.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckViolation {
    pub row: u64,
    /// The constraint's name (or its expression when unnamed).
    pub constraint: String,
    /// `Some(false)`: the row breaks it; `None`: it could not be evaluated (or parsed).
    pub result: Option<bool>,
}

/// Evaluates every CHECK of `plan.tables[index]` (its own and its columns' domains') on rows
/// `range` as they are loaded (fixup columns NULL), and returns what fails or cannot be decided.
pub fn check_rows(
    plan: &Plan,
    _catalog: &Catalog,
    index: usize,
    range: Range<u64>,
) -> Vec<CheckViolation> {
    let Some(checks) = plan.state.checks.get(index) else {
        return Vec::new();
    };
    let rows = plan.state.gens[index].rows;
    let mut out = Vec::new();
    for row in range.start.min(rows)..range.end.min(rows) {
        for check in checks {
            let result = match &check.expr {
                Ok(expr) => planner::evaluate(&plan.state.gens, index, expr, row),
                Err(_) => None,
            };
            if result != Some(true) {
                out.push(CheckViolation {
                    row,
                    constraint: check.name.clone(),
                    result,
                });
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Sql,
    Csv,
    Ndjson,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Sql => "sql",
            FileFormat::Csv => "csv",
            FileFormat::Ndjson => "ndjson",
        }
    }
}

/// The file name of `plan.tables[index]`: `NNN_schema.table.ext`, numbered in load order.
pub fn file_name(plan: &Plan, index: usize, format: FileFormat) -> String {
    let table = &plan.tables[index].table;
    format!(
        "{index:03}_{}.{}.{}",
        table.schema,
        table.name,
        format.extension()
    )
}

/// The file name of [`write_fixups_sql`]'s output, sorted after every table file.
pub const FIXUPS_FILE_NAME: &str = "zzz_fixups.sql";

/// Writes table `plan.tables[index]` as one file's content: CSV (RFC 4180, a header row, NULL as an
/// empty unquoted field, an empty string as `""`), NDJSON (one object per row) or SQL (multi-row
/// INSERTs of 1000 rows in the catalog's dialect).
pub fn write_table(
    format: FileFormat,
    catalog: &Catalog,
    plan: &Plan,
    index: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    writer::write_table(format, catalog, plan, index, out)
}

/// Writes the fixup UPDATEs and sequence resets that follow the table files ([`FIXUPS_FILE_NAME`]).
pub fn write_fixups_sql(
    catalog: &Catalog,
    plan: &Plan,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    writer::write_fixups_sql(catalog, plan, out)
}
