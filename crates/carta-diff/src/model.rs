//! The structured diff. Read by the reports in this crate and by migration
//! generators; fields may be added, never removed.

use carta_catalog::{
    CheckConstraint, Column, Domain, EnumType, ExclusionConstraint, Extension, ForeignKey,
    Function, Index, PartitionOf, Policy, PrimaryKey, Sequence, Table, TableKind, Trigger,
    UniqueConstraint,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// How [`crate::diff`] compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffOptions {
    /// Pair a removed and an added object that look the same as one rename
    /// (tables, columns, indexes and constraints; see the crate docs).
    pub detect_renames: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            detect_renames: true,
        }
    }
}

/// One object's change. For named objects matched by name, `Changed` has
/// equal names; `Renamed` means a likely rename (different names, same
/// shape), possibly with other changes too (a comment, for instance).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delta<T> {
    Added(T),
    Removed(T),
    Changed { from: T, to: T },
    Renamed { from: T, to: T },
}

impl<T> Delta<T> {
    /// The object as it is in `to`, or as it was when removed.
    pub fn latest(&self) -> &T {
        match self {
            Delta::Added(item) | Delta::Removed(item) => item,
            Delta::Changed { to, .. } | Delta::Renamed { to, .. } => to,
        }
    }
}

/// Everything that differs between two Catalogs, in a stable order: each
/// list sorted by schema, then object name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchemaDiff {
    /// Schemas added or removed, and schema comments changed. The objects of
    /// an added or removed schema are listed in the other lists too.
    pub schemas: Vec<SchemaChange>,
    pub extensions: Vec<Delta<Extension>>,
    /// `Changed` when the values or the comment differ.
    pub enums: Vec<Scoped<Delta<EnumType>>>,
    pub domains: Vec<Scoped<Delta<Domain>>>,
    pub sequences: Vec<Scoped<Delta<Sequence>>>,
    /// Matched by name and argument list (an overload is another function).
    pub functions: Vec<Scoped<Delta<Function>>>,
    /// Tables, views, materialized views, foreign tables and partitions.
    pub tables: Vec<TableChange>,
}

/// A change to an object that lives in a schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scoped<T> {
    pub schema: String,
    pub change: T,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemaChange {
    Added {
        name: String,
        comment: Option<String>,
    },
    Removed {
        name: String,
        comment: Option<String>,
    },
    CommentChanged {
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableChange {
    Added {
        schema: String,
        table: Table,
    },
    Removed {
        schema: String,
        table: Table,
    },
    /// Same name, or a likely rename ([`TableDiff::renamed_from`]).
    Changed(Box<TableDiff>),
}

/// What differs inside one table. Each `Option<(from, to)>` is `Some` only
/// when the two sides differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDiff {
    pub schema: String,
    /// The whole table as it is in `from` (consumers need context).
    pub from: Table,
    /// The whole table as it is in `to`.
    pub to: Table,
    /// `Some(old name)` when this is a likely rename of `from` to `to`.
    pub renamed_from: Option<String>,
    pub kind: Option<(TableKind, TableKind)>,
    pub comment: Option<(Option<String>, Option<String>)>,
    /// The query of a view or materialized view.
    pub definition: Option<(Option<String>, Option<String>)>,
    pub partition_key: Option<(Option<String>, Option<String>)>,
    pub partition_of: Option<(Option<PartitionOf>, Option<PartitionOf>)>,
    pub foreign_server: Option<(Option<String>, Option<String>)>,
    /// Dialect table options (SQLite `strict`, MySQL `engine`, ...).
    pub options: Option<(BTreeMap<String, String>, BTreeMap<String, String>)>,
    /// In the column order of `to`, removed columns last in the order of `from`.
    pub columns: Vec<ColumnChange>,
    pub primary_key: Option<Delta<PrimaryKey>>,
    pub foreign_keys: Vec<Delta<ForeignKey>>,
    pub uniques: Vec<Delta<UniqueConstraint>>,
    pub checks: Vec<Delta<CheckConstraint>>,
    pub exclusions: Vec<Delta<ExclusionConstraint>>,
    /// Every index, including those that back a constraint ([`Index::constraint`]).
    pub indexes: Vec<Delta<Index>>,
    pub triggers: Vec<Delta<Trigger>>,
    pub policies: Vec<Delta<Policy>>,
    /// `(enabled, forced)` before and after.
    pub row_security: Option<((bool, bool), (bool, bool))>,
}

/// One column's change. `fields` lists what differs for `Changed` and
/// `Renamed` (empty for `Added` and `Removed`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnChange {
    pub delta: Delta<Column>,
    pub fields: Vec<ColumnField>,
}

/// A column property that differs. `data_type` is compared as spelled, so
/// catalogs of different dialects report their spellings as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnField {
    DataType,
    Nullable,
    Default,
    Identity,
    Generated,
    Collation,
    Comment,
}
