//! The Catalog: Carta's model of a database schema.
//!
//! Every source (live PostgreSQL, MySQL/MariaDB, SQLite, DDL files, a saved
//! snapshot) is read into one [`Catalog`], and every feature reads only the
//! Catalog. This crate is plain data with no I/O. Its invariants:
//!
//! - **Deterministic.** [`Catalog::normalize`] sorts every list by a stable
//!   key (columns and enum values keep their declared order), so equal
//!   schemas serialize to equal bytes.
//! - **Fingerprinted.** [`Catalog::fingerprint`] hashes the canonical form
//!   without volatile facts (source, row estimates, extension versions), so
//!   two snapshots of an unchanged schema have the same fingerprint.
//! - **Versioned.** [`FORMAT_VERSION`] changes whenever the JSON shape
//!   changes incompatibly; [`Catalog::from_json`] refuses other versions.

mod model;
mod patterns;
mod relations;

pub use model::*;
pub use patterns::{compile as compile_pattern, PatternError, TablePatterns};
pub use relations::{Relation, RelationGraph, RelationKind};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the Catalog JSON format. Bump on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// A whole database schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Catalog {
    /// Always [`FORMAT_VERSION`] for Catalogs written by this version of Carta.
    pub format: u32,
    /// `sha256:` and the hex digest of the canonical form; see [`Catalog::compute_fingerprint`].
    pub fingerprint: String,
    pub dialect: Dialect,
    /// Where it was read from. Not part of the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceInfo>,
    pub schemas: Vec<Schema>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
}

/// Why a saved Catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid Catalog JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unsupported Catalog format {found} (this Carta reads format {FORMAT_VERSION})")]
    UnsupportedFormat { found: u32 },
}

/// Why a table name written by a person (on the command line, in
/// `carta.toml`) does not name exactly one table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableLookupError {
    #[error("table `{0}` does not exist")]
    NotFound(String),
    #[error("table `{table}` exists in several schemas ({schemas}); write it as schema.table")]
    Ambiguous { table: String, schemas: String },
}

impl Catalog {
    /// An empty Catalog of a dialect. Fill `schemas`, then call [`Catalog::finish`].
    pub fn new(dialect: Dialect) -> Self {
        Catalog {
            format: FORMAT_VERSION,
            fingerprint: String::new(),
            dialect,
            source: None,
            schemas: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// Sorts everything and computes the fingerprint. Every source calls this last.
    pub fn finish(mut self) -> Self {
        self.refresh_fingerprint();
        self
    }

    /// Sorts everything and stores the fingerprint of the result, in place:
    /// after a change to a finished Catalog (comments, removed tables).
    pub fn refresh_fingerprint(&mut self) {
        self.normalize();
        self.fingerprint = self.hash_canonical();
    }

    /// Sorts every list by its stable key. Columns, enum values, key column
    /// lists and trigger events keep their meaningful order.
    pub fn normalize(&mut self) {
        self.schemas.sort_by(|a, b| a.name.cmp(&b.name));
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        for schema in &mut self.schemas {
            schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
            schema.enums.sort_by(|a, b| a.name.cmp(&b.name));
            schema.domains.sort_by(|a, b| a.name.cmp(&b.name));
            schema.sequences.sort_by(|a, b| a.name.cmp(&b.name));
            schema
                .functions
                .sort_by(|a, b| (&a.name, &a.arguments).cmp(&(&b.name, &b.arguments)));
            for domain in &mut schema.domains {
                sort_checks(&mut domain.checks);
            }
            for table in &mut schema.tables {
                normalize_table(table);
            }
        }
    }

    /// The fingerprint of the canonical form: what [`Catalog::finish`] stores
    /// in `fingerprint`. Volatile facts are left out: `source`, every
    /// `row_estimate` and every extension `version`.
    pub fn compute_fingerprint(&self) -> String {
        let mut canonical = self.clone();
        canonical.normalize();
        canonical.hash_canonical()
    }

    /// The hash of an already normalized Catalog without its volatile facts.
    /// They are taken out and put back rather than the Catalog copied: at
    /// thousands of tables the copy cost as much as the hashing.
    fn hash_canonical(&mut self) -> String {
        let source = self.source.take();
        let fingerprint = std::mem::take(&mut self.fingerprint);
        let versions: Vec<Option<String>> = self
            .extensions
            .iter_mut()
            .map(|e| e.version.take())
            .collect();
        let estimates: Vec<Option<i64>> =
            self.tables_mut().map(|t| t.row_estimate.take()).collect();

        let mut hasher = HashWriter(Sha256::new());
        serde_json::to_writer(&mut hasher, &*self).expect("a Catalog always serializes");
        let digest = hasher.0.finalize();

        self.source = source;
        self.fingerprint = fingerprint;
        for (extension, version) in self.extensions.iter_mut().zip(versions) {
            extension.version = version;
        }
        for (table, estimate) in self.tables_mut().zip(estimates) {
            table.row_estimate = estimate;
        }
        format!("sha256:{}", hex::encode(digest))
    }

    /// Pretty JSON, the form written to `schema.json`. Ends with a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a Catalog always serializes");
        json.push('\n');
        json
    }

    /// Reads a Catalog saved by [`Catalog::to_json`], checking its format version.
    pub fn from_json(text: &str) -> Result<Catalog, CatalogError> {
        #[derive(Deserialize)]
        struct FormatOnly {
            format: u32,
        }
        let json_error = |e: serde_json::Error| CatalogError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let header: FormatOnly = serde_json::from_str(text).map_err(json_error)?;
        if header.format != FORMAT_VERSION {
            return Err(CatalogError::UnsupportedFormat {
                found: header.format,
            });
        }
        serde_json::from_str(text).map_err(json_error)
    }

    /// The JSON Schema of the Catalog format, generated from these types.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Catalog);
        let mut json = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
        json.push('\n');
        json
    }

    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.name == name)
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.schema(&name.schema)?
            .tables
            .iter()
            .find(|t| t.name == name.name)
    }

    /// The table a person means by `name`: `schema.table`, or a bare table
    /// name that exists in exactly one schema.
    pub fn find_table(&self, name: &str) -> Result<QualifiedName, TableLookupError> {
        let (schema, table) = match name.split_once('.') {
            Some((schema, table)) => (Some(schema), table),
            None => (None, name),
        };
        let found: Vec<QualifiedName> = self
            .schemas
            .iter()
            .filter(|s| schema.is_none_or(|wanted| s.name == wanted))
            .filter(|s| s.tables.iter().any(|t| t.name == table))
            .map(|s| QualifiedName::new(&s.name, table))
            .collect();
        match <[QualifiedName; 1]>::try_from(found) {
            Ok([one]) => Ok(one),
            Err(found) if found.is_empty() => Err(TableLookupError::NotFound(name.to_string())),
            Err(found) => Err(TableLookupError::Ambiguous {
                table: name.to_string(),
                schemas: found
                    .iter()
                    .map(|n| n.schema.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Every table-like relation with its schema name, in canonical order.
    pub fn tables(&self) -> impl Iterator<Item = (&Schema, &Table)> {
        self.schemas
            .iter()
            .flat_map(|s| s.tables.iter().map(move |t| (s, t)))
    }

    fn tables_mut(&mut self) -> impl Iterator<Item = &mut Table> {
        self.schemas.iter_mut().flat_map(|s| s.tables.iter_mut())
    }

    /// The foreign-key graph, computed once and shared by every feature.
    pub fn relations(&self) -> RelationGraph {
        RelationGraph::from_catalog(self)
    }

    /// Counts of each object kind, for summaries.
    pub fn stats(&self) -> Stats {
        let mut stats = Stats {
            schemas: self.schemas.len(),
            extensions: self.extensions.len(),
            ..Stats::default()
        };
        for schema in &self.schemas {
            stats.enums += schema.enums.len();
            stats.domains += schema.domains.len();
            stats.sequences += schema.sequences.len();
            stats.functions += schema.functions.len();
            for table in &schema.tables {
                match table.kind {
                    TableKind::View | TableKind::MaterializedView => stats.views += 1,
                    _ if table.partition_of.is_some() => stats.partitions += 1,
                    _ => stats.tables += 1,
                }
                stats.columns += table.columns.len();
                stats.primary_keys += usize::from(table.primary_key.is_some());
                stats.foreign_keys += table.foreign_keys.len();
                stats.uniques += table.uniques.len();
                stats.checks += table.checks.len();
                stats.exclusions += table.exclusions.len();
                stats.indexes += table.indexes.len();
                stats.triggers += table.triggers.len();
                stats.policies += table.row_security.policies.len();
                stats.rls_tables += usize::from(table.row_security.enabled);
            }
        }
        stats
    }
}

/// Feeds serialized bytes straight into the hash, with no buffer.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Number of objects of each kind in a Catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Stats {
    pub schemas: usize,
    /// Tables, partitioned tables and foreign tables that are not partitions.
    pub tables: usize,
    pub partitions: usize,
    /// Views and materialized views.
    pub views: usize,
    pub columns: usize,
    pub primary_keys: usize,
    pub foreign_keys: usize,
    pub uniques: usize,
    pub checks: usize,
    pub exclusions: usize,
    pub indexes: usize,
    pub triggers: usize,
    pub rls_tables: usize,
    pub policies: usize,
    pub enums: usize,
    pub domains: usize,
    pub sequences: usize,
    pub functions: usize,
    pub extensions: usize,
}

fn sort_checks(checks: &mut [CheckConstraint]) {
    checks.sort_by(|a, b| (&a.name, &a.expression).cmp(&(&b.name, &b.expression)));
}

fn normalize_table(table: &mut Table) {
    table.foreign_keys.sort_by(|a, b| {
        (&a.name, &a.columns, &a.referenced_table).cmp(&(&b.name, &b.columns, &b.referenced_table))
    });
    table
        .uniques
        .sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
    sort_checks(&mut table.checks);
    table.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table.triggers.sort_by(|a, b| a.name.cmp(&b.name));
    for trigger in &mut table.triggers {
        trigger.events.sort();
        trigger.events.dedup();
    }
    table
        .row_security
        .policies
        .sort_by(|a, b| a.name.cmp(&b.name));
    for policy in &mut table.row_security.policies {
        policy.roles.sort();
        policy.roles.dedup();
    }
}

#[cfg(test)]
mod tests;
