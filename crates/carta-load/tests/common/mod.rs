//! What every loader test checks after a load, with SQL against the target:
//! row counts as planned, no orphaned foreign key, no duplicated key, and
//! every sequence past the loaded ids.

#![allow(dead_code)] // each test file uses the part for its dialect

use carta_catalog::{Catalog, QualifiedName, Table};
use carta_load::Progress;
use carta_mock::{MockOptions, Plan};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A connection the checks can ask for one number.
pub trait Probe {
    /// The single integer `sql` returns.
    async fn number(&mut self, sql: &str) -> i64;
    /// How the dialect quotes a name.
    fn ident(&self, name: &str) -> String;
    /// How far past the loaded values the sequence or counter behind
    /// `table.column` is, if it has one: next value minus max(column).
    async fn sequence_headroom(&mut self, table: &QualifiedName, column: &str) -> Option<i64>;

    fn table(&self, table: &QualifiedName) -> String {
        format!("{}.{}", self.ident(&table.schema), self.ident(&table.name))
    }
}

/// 200 rows per table, `bigger` tables with 600, seed 7.
pub fn options(bigger: &[QualifiedName]) -> MockOptions {
    MockOptions {
        default_rows: 200,
        rows: bigger.iter().map(|t| (t.clone(), 600)).collect(),
        seed: 7,
        columns: BTreeMap::new(),
    }
}

pub fn plan(catalog: &Catalog, options: &MockOptions) -> Plan {
    carta_mock::plan(catalog, &catalog.relations(), options)
        .unwrap_or_else(|e| panic!("planning failed: {e}"))
}

/// Checks the loaded target against the plan and the Catalog's constraints.
pub async fn verify(probe: &mut impl Probe, catalog: &Catalog, plan: &Plan) {
    for planned in &plan.tables {
        let table = catalog
            .table(&planned.table)
            .expect("planned table in the Catalog");
        let name = probe.table(&planned.table);
        let rows = probe.number(&format!("SELECT count(*) FROM {name}")).await;
        assert_eq!(rows as u64, planned.rows, "row count of {}", planned.table);
        check_foreign_keys(probe, &planned.table, table).await;
        check_unique_keys(probe, &planned.table, table).await;
        check_sequences(probe, &planned.table, table).await;
    }
}

/// Children whose FK columns are all set (MATCH SIMPLE) but have no parent row.
async fn check_foreign_keys(probe: &mut impl Probe, name: &QualifiedName, table: &Table) {
    for fk in &table.foreign_keys {
        let set = fk
            .columns
            .iter()
            .map(|c| format!("c.{} IS NOT NULL", probe.ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let matches = fk
            .columns
            .iter()
            .zip(&fk.referenced_columns)
            .map(|(c, p)| format!("p.{} = c.{}", probe.ident(p), probe.ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "SELECT count(*) FROM {} c WHERE {set} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {matches})",
            probe.table(name),
            probe.table(&fk.referenced_table)
        );
        assert_eq!(
            probe.number(&sql).await,
            0,
            "orphans of {name} {:?}: {sql}",
            fk.name
        );
    }
}

/// Keys (primary, unique constraints, plain unique indexes) held by more than one row.
async fn check_unique_keys(probe: &mut impl Probe, name: &QualifiedName, table: &Table) {
    let mut keys: Vec<Vec<String>> = table.uniques.iter().map(|u| u.columns.clone()).collect();
    keys.extend(table.primary_key.iter().map(|pk| pk.columns.clone()));
    keys.extend(
        table
            .indexes
            .iter()
            .filter(|i| i.unique && i.predicate.is_none())
            .filter_map(|i| i.key_columns())
            .map(|columns| columns.into_iter().map(String::from).collect()),
    );
    for key in keys {
        let columns = key.iter().map(|c| probe.ident(c)).collect::<Vec<_>>();
        let set = columns
            .iter()
            .map(|c| format!("{c} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let list = columns.join(", ");
        let sql = format!(
            "SELECT count(*) FROM (SELECT {list} FROM {} WHERE {set} GROUP BY {list} HAVING count(*) > 1) d",
            probe.table(name)
        );
        assert_eq!(probe.number(&sql).await, 0, "duplicates in {name} {key:?}");
    }
}

async fn check_sequences(probe: &mut impl Probe, name: &QualifiedName, table: &Table) {
    for column in &table.columns {
        if let Some(headroom) = probe.sequence_headroom(name, &column.name).await {
            assert!(
                headroom > 0,
                "{name}.{} sequence is not past the loaded ids",
                column.name
            );
        }
    }
}

/// The counts of every planned table, for "nothing was written" checks.
pub async fn counts(probe: &mut impl Probe, plan: &Plan) -> Vec<i64> {
    let mut counts = Vec::new();
    for planned in &plan.tables {
        let sql = format!("SELECT count(*) FROM {}", probe.table(&planned.table));
        counts.push(probe.number(&sql).await);
    }
    counts
}

/// A [`Progress`] that remembers what it was told.
#[derive(Default)]
pub struct RecordedProgress {
    events: Mutex<Vec<(QualifiedName, &'static str, u64)>>,
}

impl Progress for RecordedProgress {
    fn table_started(&self, table: &QualifiedName, rows: u64) {
        self.events
            .lock()
            .unwrap()
            .push((table.clone(), "started", rows));
    }
    fn rows_done(&self, table: &QualifiedName, rows: u64) {
        self.events
            .lock()
            .unwrap()
            .push((table.clone(), "rows", rows));
    }
    fn table_finished(&self, table: &QualifiedName) {
        self.events
            .lock()
            .unwrap()
            .push((table.clone(), "finished", 0));
    }
}

impl RecordedProgress {
    /// Each table started with its planned rows, counted up to them and
    /// finished before the next one started, in plan order.
    pub fn assert_complete(&self, plan: &Plan) {
        let events = self.events.lock().unwrap();
        let mut tables = plan.tables.iter();
        let mut current: Option<(&QualifiedName, u64, u64)> = None;
        for (table, kind, rows) in events.iter() {
            match *kind {
                "started" => {
                    assert!(current.is_none(), "{table} started inside another table");
                    let planned = tables.next().expect("no more planned tables");
                    assert_eq!((&planned.table, planned.rows), (table, *rows));
                    current = Some((&planned.table, planned.rows, 0));
                }
                "rows" => {
                    let (name, _, done) = current.as_mut().expect("rows outside a table");
                    assert_eq!(*name, table);
                    assert!(*rows >= *done, "{table}: progress went back");
                    *done = *rows;
                }
                _ => {
                    let (name, planned, done) = current.take().expect("finished outside a table");
                    assert_eq!(name, table);
                    assert_eq!(done, planned, "{table}: progress ended short");
                }
            }
        }
        assert!(
            current.is_none() && tables.next().is_none(),
            "not every table finished"
        );
    }
}

/// `examples/seeds/{relative}` read as text.
pub fn seed(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seeds")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A file path under the system's temporary folder, removed on drop.
pub struct TempFile {
    pub path: PathBuf,
}

impl TempFile {
    pub fn new(name: &str) -> TempFile {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("carta_load_{}_{nanos}_{name}", std::process::id()));
        TempFile { path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
