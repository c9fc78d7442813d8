//! `include` and `exclude`: which tables a project documents. Patterns are
//! globs (`*`, `?`) matched against `schema.table` when they contain a dot,
//! else against the bare table name, exactly like `--exclude` on the
//! command line.

use crate::ConfigError;
use carta_catalog::{Catalog, QualifiedName, TablePatterns};
use carta_source::Location;
use std::collections::BTreeSet;
use toml::Spanned;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSelection {
    /// Keep only tables matching one of these; empty keeps every table.
    pub include: Vec<String>,
    /// Then drop tables matching one of these.
    pub exclude: Vec<String>,
}

/// Checks one pattern; the parser calls this to report a bad one where it was written.
pub(crate) fn compile(pattern: &str) -> Result<(), ConfigError> {
    carta_catalog::compile_pattern(pattern)
        .map(|_| ())
        .map_err(pattern_error)
}

fn pattern_error(e: carta_catalog::PatternError) -> ConfigError {
    ConfigError::Pattern {
        pattern: e.pattern,
        message: e.message,
    }
}

/// Table patterns, each checked where it was written.
pub(crate) fn located_patterns(
    list: Vec<Spanned<String>>,
    at: &dyn Fn(usize) -> Location,
) -> Result<Vec<String>, ConfigError> {
    list.into_iter()
        .map(|p| {
            compile(p.get_ref()).map_err(|e| ConfigError::Syntax {
                location: at(p.span().start),
                message: e.to_string(),
            })?;
            Ok(p.into_inner())
        })
        .collect()
}

impl TableSelection {
    pub fn is_everything(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Removes the tables not selected and returns their names.
    pub fn apply(&self, catalog: &mut Catalog) -> Result<BTreeSet<QualifiedName>, ConfigError> {
        let mut removed = BTreeSet::new();
        if self.is_everything() {
            return Ok(removed);
        }
        let include = TablePatterns::new(&self.include).map_err(pattern_error)?;
        let exclude = TablePatterns::new(&self.exclude).map_err(pattern_error)?;
        for schema in &mut catalog.schemas {
            let schema_name = schema.name.clone();
            schema.tables.retain(|table| {
                let name = QualifiedName::new(&schema_name, &table.name);
                let keep =
                    (self.include.is_empty() || include.matches(&name)) && !exclude.matches(&name);
                if !keep {
                    removed.insert(name);
                }
                keep
            });
        }
        Ok(removed)
    }
}
