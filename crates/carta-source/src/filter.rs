//! Which schemas and tables a source keeps.
//!
//! `schemas` lists schema names to include (empty: all non-system schemas).
//! `exclude` patterns are globs (`*`, `?`) matched against `schema.table`
//! when they contain a dot, else against the bare table name. Live sources
//! translate them into SQL `LIKE` patterns with [`Filter::like_patterns`] so
//! excluded objects are never fetched; DDL sources call [`Filter::apply`].

use carta_catalog::{Catalog, TablePatterns};

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub schemas: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid exclude pattern `{pattern}`: {message}")]
pub struct FilterError {
    pub pattern: String,
    pub message: String,
}

/// `LIKE` patterns for [`Filter::exclude`], split by what they match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LikePatterns {
    /// Match against `schema || '.' || table`.
    pub qualified: Vec<String>,
    /// Match against the table name alone.
    pub bare: Vec<String>,
}

impl Filter {
    pub fn includes_schema(&self, schema: &str) -> bool {
        self.schemas.is_empty() || self.schemas.iter().any(|s| s == schema)
    }

    /// Checks the patterns; call once before using the filter.
    pub fn validate(&self) -> Result<(), FilterError> {
        self.exclude_set().map(|_| ())
    }

    fn exclude_set(&self) -> Result<TablePatterns, FilterError> {
        TablePatterns::new(&self.exclude).map_err(|e| FilterError {
            pattern: e.pattern,
            message: e.message,
        })
    }

    /// Removes excluded schemas and tables from a Catalog read in full.
    pub fn apply(&self, catalog: &mut Catalog) -> Result<(), FilterError> {
        let exclude = self.exclude_set()?;
        catalog.schemas.retain(|s| self.includes_schema(&s.name));
        for schema in &mut catalog.schemas {
            let name = schema.name.clone();
            schema
                .tables
                .retain(|t| !exclude.matches_parts(&name, &t.name));
        }
        Ok(())
    }

    /// The exclude patterns as SQL `LIKE` patterns (`*` to `%`, `?` to `_`,
    /// `%`, `_` and `\` escaped with `\`).
    pub fn like_patterns(&self) -> LikePatterns {
        let mut patterns = LikePatterns::default();
        for pattern in &self.exclude {
            let mut like = String::with_capacity(pattern.len());
            for ch in pattern.chars() {
                match ch {
                    '*' => like.push('%'),
                    '?' => like.push('_'),
                    '%' | '_' | '\\' => {
                        like.push('\\');
                        like.push(ch);
                    }
                    _ => like.push(ch),
                }
            }
            if pattern.contains('.') {
                patterns.qualified.push(like);
            } else {
                patterns.bare.push(like);
            }
        }
        patterns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carta_catalog::{Dialect, Schema, Table};

    fn catalog() -> Catalog {
        let mut c = Catalog::new(Dialect::Postgres);
        for schema in ["public", "audit"] {
            c.schemas.push(Schema {
                name: schema.into(),
                tables: ["users", "users_2024", "logs"]
                    .iter()
                    .map(|t| Table {
                        name: (*t).into(),
                        ..Table::default()
                    })
                    .collect(),
                ..Schema::default()
            });
        }
        c
    }

    #[test]
    fn apply_keeps_included_schemas_and_drops_excluded_tables() {
        let filter = Filter {
            schemas: vec!["public".into()],
            exclude: vec!["users_*".into(), "public.logs".into()],
        };
        let mut c = catalog();
        filter.apply(&mut c).unwrap();
        assert_eq!(c.schemas.len(), 1);
        let tables: Vec<_> = c.schemas[0].tables.iter().map(|t| &t.name).collect();
        assert_eq!(tables, ["users"]);
    }

    #[test]
    fn like_patterns_escape_sql_wildcards() {
        let filter = Filter {
            schemas: vec![],
            exclude: vec!["tmp_*".into(), "audit.*".into()],
        };
        let like = filter.like_patterns();
        assert_eq!(like.bare, ["tmp\\_%"]);
        assert_eq!(like.qualified, ["audit.%"]);
    }

    #[test]
    fn a_broken_pattern_is_reported() {
        let filter = Filter {
            schemas: vec![],
            exclude: vec!["users[".into()],
        };
        let err = filter.validate().unwrap_err();
        assert_eq!(err.pattern, "users[");
    }
}
