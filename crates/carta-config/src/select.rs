//! `include` and `exclude`: which tables a project documents. Patterns are
//! globs (`*`, `?`) matched against `schema.table` when they contain a dot,
//! else against the bare table name, exactly like `--exclude` on the
//! command line.

use crate::ConfigError;
use carta_catalog::{Catalog, QualifiedName};
use carta_source::Location;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeSet;
use toml::Spanned;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSelection {
    /// Keep only tables matching one of these; empty keeps every table.
    pub include: Vec<String>,
    /// Then drop tables matching one of these.
    pub exclude: Vec<String>,
}

/// One list of patterns, compiled.
struct Patterns {
    qualified: GlobSet,
    bare: GlobSet,
}

impl Patterns {
    fn new(patterns: &[String]) -> Result<Patterns, ConfigError> {
        let mut qualified = GlobSetBuilder::new();
        let mut bare = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = compile(pattern)?;
            if pattern.contains('.') {
                qualified.add(glob);
            } else {
                bare.add(glob);
            }
        }
        let build = |builder: GlobSetBuilder| {
            builder.build().map_err(|e| ConfigError::Pattern {
                pattern: patterns.join(", "),
                message: e.to_string(),
            })
        };
        Ok(Patterns {
            qualified: build(qualified)?,
            bare: build(bare)?,
        })
    }

    fn matches(&self, table: &QualifiedName) -> bool {
        self.bare.is_match(&table.name) || self.qualified.is_match(table.to_string())
    }
}

/// Checks one pattern; the parser calls this to report a bad one where it was written.
pub(crate) fn compile(pattern: &str) -> Result<Glob, ConfigError> {
    Glob::new(pattern).map_err(|e| ConfigError::Pattern {
        pattern: pattern.to_string(),
        message: e.kind().to_string(),
    })
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
        let include = Patterns::new(&self.include)?;
        let exclude = Patterns::new(&self.exclude)?;
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
