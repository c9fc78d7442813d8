//! Shared helpers: read DDL into a Catalog, plan it, and check generated
//! rows against the Catalog's constraints without a database.
// Each test binary uses a different part of these helpers.
#![allow(dead_code)]

use carta_catalog::{Catalog, IndexKey, QualifiedName};
use carta_mock::{check_rows, plan, rows, MockOptions, Plan, Value};
use carta_source::{DdlFile, IngestOptions};
use std::collections::{BTreeMap, HashMap, HashSet};

pub fn catalog(sql: &str) -> Catalog {
    let files = [DdlFile {
        path: "test.sql".into(),
        text: sql.to_string(),
    }];
    let ingested = carta_postgres::ingest_ddl(&files, &IngestOptions::default()).unwrap();
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    ingested.catalog
}

pub fn options(rows: u64) -> MockOptions {
    MockOptions {
        default_rows: rows,
        seed: 7,
        ..MockOptions::default()
    }
}

pub fn planned(catalog: &Catalog, options: &MockOptions) -> Plan {
    plan(catalog, &catalog.relations(), options).unwrap()
}

pub fn index_of(plan: &Plan, table: &str) -> usize {
    plan.tables
        .iter()
        .position(|t| t.table.to_string() == table)
        .unwrap_or_else(|| panic!("no {table} in the plan"))
}

/// All rows of a table, by column name.
pub fn table_rows(plan: &Plan, catalog: &Catalog, table: &str) -> Vec<BTreeMap<String, Value>> {
    let index = index_of(plan, table);
    let columns = &plan.tables[index].columns;
    rows(plan, catalog, index, 0..plan.tables[index].rows)
        .map(|row| columns.iter().cloned().zip(row).collect())
        .collect()
}

/// A hashable spelling of a value.
pub fn key(value: &Value) -> String {
    format!("{value:?}")
}

/// Checks every table of the plan: NOT NULL, text lengths, unique keys
/// (NULLs distinct), foreign keys (values among the parent's generated
/// keys) and the CHECKs Carta can evaluate. Returns the CHECKs it could not decide.
pub fn verify(catalog: &Catalog, plan: &Plan) -> Vec<String> {
    let mut generated: HashMap<QualifiedName, Vec<BTreeMap<String, Value>>> = HashMap::new();
    for table in &plan.tables {
        generated.insert(
            table.table.clone(),
            table_rows(plan, catalog, &table.table.to_string()),
        );
    }
    let fixed: HashSet<(QualifiedName, String)> = plan
        .fixups
        .iter()
        .flat_map(|f| {
            f.set_columns
                .iter()
                .map(move |c| (f.table.clone(), c.clone()))
        })
        .collect();
    let mut undecided = Vec::new();
    for (index, table_plan) in plan.tables.iter().enumerate() {
        let name = &table_plan.table;
        let table = catalog.table(name).unwrap();
        let data = &generated[name];
        assert_eq!(data.len() as u64, table_plan.rows);
        for column in table.columns.iter().filter(|c| c.generated.is_none()) {
            for (row, values) in data.iter().enumerate() {
                let value = &values[&column.name];
                if !column.nullable && !fixed.contains(&(name.clone(), column.name.clone())) {
                    assert_ne!(
                        *value,
                        Value::Null,
                        "{name}.{} row {row} is NULL",
                        column.name
                    );
                }
                if let (
                    carta_catalog::LogicalType::Text {
                        max_length: Some(max),
                        ..
                    },
                    Value::Text(text),
                ) = (&column.logical_type, value)
                {
                    assert!(
                        text.chars().count() <= *max as usize,
                        "{name}.{} row {row}: {text:?} longer than {max}",
                        column.name
                    );
                }
            }
        }
        let mut keys: Vec<Vec<String>> = table.uniques.iter().map(|u| u.columns.clone()).collect();
        keys.extend(table.primary_key.iter().map(|pk| pk.columns.clone()));
        for index in table.indexes.iter().filter(|i| i.unique) {
            let columns: Vec<String> = index
                .keys
                .iter()
                .map(|k| match k {
                    IndexKey::Column { name, .. } => name.clone(),
                    IndexKey::Expression { expression, .. } => {
                        // lower(col): compared case-insensitively below.
                        format!(
                            "lower:{}",
                            expression
                                .trim_start_matches("lower(")
                                .trim_end_matches(')')
                        )
                    }
                })
                .collect();
            keys.push(columns);
        }
        for key_columns in keys {
            let mut seen = HashSet::new();
            for (row, values) in data.iter().enumerate() {
                let tuple: Option<Vec<String>> = key_columns
                    .iter()
                    .map(|c| match c.strip_prefix("lower:") {
                        Some(c) => match &values[c] {
                            Value::Null => None,
                            Value::Text(t) => Some(t.to_lowercase()),
                            other => Some(key(other)),
                        },
                        None => Some(&values[c]).filter(|v| **v != Value::Null).map(key),
                    })
                    .collect();
                if let Some(tuple) = tuple {
                    assert!(
                        seen.insert(tuple.clone()),
                        "{name} ({}) repeats {tuple:?} at row {row}",
                        key_columns.join(", ")
                    );
                }
            }
        }
        for fk in &table.foreign_keys {
            let Some(parent) = generated.get(&fk.referenced_table) else {
                continue;
            };
            let parent_keys: HashSet<Vec<String>> = parent
                .iter()
                .map(|values| {
                    fk.referenced_columns
                        .iter()
                        .map(|c| key(&values[c]))
                        .collect()
                })
                .collect();
            for (row, values) in data.iter().enumerate() {
                let tuple: Vec<&Value> = fk.columns.iter().map(|c| &values[c]).collect();
                if tuple.iter().any(|v| **v == Value::Null) {
                    continue;
                }
                let tuple: Vec<String> = tuple.into_iter().map(key).collect();
                assert!(
                    parent_keys.contains(&tuple),
                    "{name} row {row}: {:?} = {tuple:?} not in {}",
                    fk.columns,
                    fk.referenced_table
                );
            }
        }
        for violation in check_rows(plan, catalog, index, 0..table_plan.rows) {
            assert_ne!(violation.result, Some(false), "{name}: {violation:?}");
            let label = format!("{name}: {}", violation.constraint);
            if !undecided.contains(&label) {
                undecided.push(label);
            }
        }
    }
    undecided
}
