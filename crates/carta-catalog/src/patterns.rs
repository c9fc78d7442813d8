//! Table patterns as people write them (`--exclude`, `carta.toml`'s
//! `include`/`exclude`, `[lint] exclude`): globs (`*`, `?`) matched against
//! `schema.table` when they contain a dot, else against the bare table name.
//! One type, so every place that takes a pattern reads it the same way.

use crate::QualifiedName;
use globset::{Glob, GlobSet, GlobSetBuilder};

/// A compiled list of table patterns.
#[derive(Debug, Clone, Default)]
pub struct TablePatterns {
    qualified: GlobSet,
    bare: GlobSet,
    empty: bool,
}

/// A pattern that is not a valid glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid table pattern `{pattern}`: {message}")]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

impl TablePatterns {
    pub fn new(patterns: &[String]) -> Result<TablePatterns, PatternError> {
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
            builder.build().map_err(|e| PatternError {
                pattern: patterns.join(", "),
                message: e.to_string(),
            })
        };
        Ok(TablePatterns {
            qualified: build(qualified)?,
            bare: build(bare)?,
            empty: patterns.is_empty(),
        })
    }

    /// No pattern at all (which matches nothing).
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    pub fn matches(&self, table: &QualifiedName) -> bool {
        self.matches_parts(&table.schema, &table.name)
    }

    pub fn matches_parts(&self, schema: &str, table: &str) -> bool {
        self.bare.is_match(table) || self.qualified.is_match(format!("{schema}.{table}"))
    }
}

/// Checks one pattern, so that a caller can report a bad one where it was written.
pub fn compile(pattern: &str) -> Result<Glob, PatternError> {
    Glob::new(pattern).map_err(|e| PatternError {
        pattern: pattern.to_string(),
        message: e.kind().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> TablePatterns {
        TablePatterns::new(&list.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn a_dot_means_schema_and_table() {
        let p = patterns(&["tmp_*", "audit.*"]);
        assert!(p.matches(&QualifiedName::new("public", "tmp_x")));
        assert!(p.matches(&QualifiedName::new("audit", "events")));
        assert!(!p.matches(&QualifiedName::new("public", "events")));
        assert!(!p.matches(&QualifiedName::new("public", "audit")));
    }

    #[test]
    fn empty_matches_nothing_and_bad_globs_are_named() {
        let p = patterns(&[]);
        assert!(p.is_empty());
        assert!(!p.matches(&QualifiedName::new("public", "x")));
        let err = TablePatterns::new(&["ok".into(), "bad[".into()]).unwrap_err();
        assert_eq!(err.pattern, "bad[");
    }
}
