//! `[mock]`: defaults for `carta mock` — rows per table, the seed, per-table
//! row counts and per-column overrides (generator, value list, null ratio,
//! range). Parsing keeps where each entry was written; [`Config::mock_options`]
//! resolves the names against the Catalog, so a table or column that does
//! not exist is an error at its line and column.

use crate::apply::{check_columns, resolve_table};
use crate::{Config, ConfigError};
use carta_catalog::{Catalog, ColumnRef};
use carta_mock::{ColumnOverride, MockOptions};
use carta_source::Location;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Rows per table when neither the command line nor `[mock]` says.
pub const DEFAULT_ROWS: u64 = 1000;

/// `[mock]` as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MockSection {
    /// Rows per table when neither `--table` nor `[mock.tables]` says otherwise.
    pub rows: Option<u64>,
    pub seed: Option<u64>,
    /// `[mock.tables]`: `"schema.table" = rows`, in file order of names.
    pub tables: Vec<TableRows>,
    /// `[mock.columns."schema.table.column"]`.
    pub columns: Vec<ColumnSettings>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    pub table: String,
    pub location: Location,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSettings {
    /// `schema.table.column`, or `table.column` for a table in one schema.
    pub column: String,
    pub location: Location,
    pub settings: ColumnOverride,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMock {
    rows: Option<u64>,
    seed: Option<u64>,
    #[serde(default)]
    tables: BTreeMap<Spanned<String>, u64>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<RawColumn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    generator: Option<Spanned<String>>,
    values: Option<Vec<toml::Value>>,
    null_ratio: Option<Spanned<f64>>,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
}

impl RawMock {
    pub(crate) fn into_section(
        self,
        at: &dyn Fn(usize) -> Location,
    ) -> Result<MockSection, ConfigError> {
        let syntax = |offset: usize, message: String| ConfigError::Syntax {
            location: at(offset),
            message,
        };
        let json = |value: &toml::Value, offset: usize| {
            serde_json::to_value(value).map_err(|e| syntax(offset, e.to_string()))
        };
        let tables = self
            .tables
            .into_iter()
            .map(|(table, rows)| TableRows {
                location: at(table.span().start),
                table: table.into_inner(),
                rows,
            })
            .collect();
        let mut columns = Vec::new();
        for (column, raw) in self.columns {
            let offset = column.span().start;
            let raw_at = raw.span().start;
            let raw = raw.into_inner();
            if let Some(generator) = &raw.generator {
                if !carta_mock::GENERATORS.contains(&generator.get_ref().as_str()) {
                    return Err(syntax(
                        generator.span().start,
                        format!(
                            "unknown generator `{}`; the generators are {}",
                            generator.get_ref(),
                            carta_mock::GENERATORS.join(", ")
                        ),
                    ));
                }
            }
            if let Some(ratio) = &raw.null_ratio {
                if !(0.0..=1.0).contains(ratio.get_ref()) {
                    return Err(syntax(
                        ratio.span().start,
                        format!("null_ratio must be from 0 to 1 (found {})", ratio.get_ref()),
                    ));
                }
            }
            let values = raw
                .values
                .map(|list| list.iter().map(|v| json(v, raw_at)).collect())
                .transpose()?;
            let settings = ColumnOverride {
                generator: raw.generator.map(Spanned::into_inner),
                values,
                null_ratio: raw.null_ratio.map(Spanned::into_inner),
                min: raw.min.as_ref().map(|v| json(v, raw_at)).transpose()?,
                max: raw.max.as_ref().map(|v| json(v, raw_at)).transpose()?,
            };
            columns.push(ColumnSettings {
                location: at(offset),
                column: column.into_inner(),
                settings,
            });
        }
        Ok(MockSection {
            rows: self.rows,
            seed: self.seed,
            tables,
            columns,
        })
    }
}

impl Config {
    /// The options for `carta mock` from `[mock]`, with every table and
    /// column resolved in `catalog`. The command line then overrides
    /// `default_rows`, `seed` and individual tables.
    pub fn mock_options(&self, catalog: &Catalog) -> Result<MockOptions, ConfigError> {
        let section = &self.mock;
        let mut options = MockOptions {
            default_rows: section.rows.unwrap_or(DEFAULT_ROWS),
            seed: section.seed.unwrap_or_default(),
            ..MockOptions::default()
        };
        for entry in &section.tables {
            let table = resolve_table(catalog, &entry.table, &entry.location)?;
            options.rows.insert(table.name(catalog), entry.rows);
        }
        for entry in &section.columns {
            let (table, column) =
                entry
                    .column
                    .rsplit_once('.')
                    .ok_or_else(|| ConfigError::Syntax {
                        location: entry.location.clone(),
                        message: format!(
                            "`{}` is not a column: write schema.table.column or table.column",
                            entry.column
                        ),
                    })?;
            let index = resolve_table(catalog, table, &entry.location)?;
            let name = index.name(catalog);
            check_columns(
                index.table(catalog),
                &name,
                &[column.to_string()],
                &entry.location,
            )?;
            options.columns.insert(
                ColumnRef {
                    table: name,
                    column: column.to_string(),
                },
                entry.settings.clone(),
            );
        }
        Ok(options)
    }
}
