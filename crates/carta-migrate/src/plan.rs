//! The order of a migration. PostgreSQL refuses to change what other
//! objects depend on, so the plan runs in phases:
//!
//! 1. schemas, extensions, new types and sequences, enum values added,
//!    functions (bodies are not checked at creation, so functions may come
//!    before the tables they read and before the defaults, checks and
//!    policies that call them);
//! 2. drop what depends on what changes: views, policies, triggers, foreign
//!    keys, constraints and indexes;
//! 3. renames of tables, columns, constraints and indexes;
//! 4. new tables, new columns, altered columns, dropped columns, dropped
//!    tables;
//! 5. constraints, indexes, foreign keys, triggers, row-level security,
//!    policies, views, sequence owners, comments, and last the drops of
//!    removed types, sequences, functions, extensions and schemas.

use crate::ddl::{self, table_name, Inherited, TableTargets};
use crate::quote::{ident, literal};
use crate::{MigrateError, Statement};
use carta_catalog::{Catalog, Column, EnumType, LogicalType, QualifiedName, Table};
use carta_diff::{
    ColumnChange, ColumnField, Delta, SchemaChange, SchemaDiff, TableChange, TableDiff,
};
use std::collections::{BTreeMap, BTreeSet};

pub fn plan(
    diff: &SchemaDiff,
    from: &Catalog,
    to: &Catalog,
) -> Result<Vec<Statement>, MigrateError> {
    let mut planner = Planner::new(diff, from, to)?;
    planner.prelude()?;
    planner.drop_dependents()?;
    planner.recreate_enums();
    planner.renames();
    planner.tables()?;
    planner.table_parts()?;
    planner.views()?;
    planner.sequence_owners();
    planner.comments();
    planner.final_drops();
    Ok(planner.statements)
}

/// Objects are named `schema.name` throughout the plan.
type Name = QualifiedName;

struct Planner<'a> {
    diff: &'a SchemaDiff,
    from: &'a Catalog,
    to: &'a Catalog,
    statements: Vec<Statement>,
    /// Columns whose type or existence changes, by table (as named in `from`).
    changing_columns: BTreeMap<Name, BTreeSet<String>>,
    /// Tables removed (as named in `from`).
    removed_tables: BTreeSet<Name>,
    /// Views dropped in phase 2 that `to` still has (by their `to` name): created again in phase 5.
    recreated_views: BTreeSet<Name>,
    /// Foreign keys dropped in phase 2 because what they point at changes; created again in phase 5 when `to` has them.
    dropped_foreign_keys: BTreeSet<(Name, String)>,
    /// Policies and triggers dropped in phase 2 because a column they read changes.
    dropped_policies: BTreeSet<(Name, String)>,
    dropped_triggers: BTreeSet<(Name, String)>,
    /// Enums whose values are removed or reordered: `(schema, from, to)`.
    recreated_enums: Vec<(String, EnumType, EnumType)>,
}

fn name(schema: &str, object: &str) -> Name {
    QualifiedName::new(schema, object)
}

/// Whether `text` mentions `word` as a whole identifier (case-insensitive).
fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let lower = text.to_lowercase();
    let word = word.to_lowercase();
    lower.match_indices(&word).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Equal once comments are ignored: only a `COMMENT ON` is needed.
trait Commented: Clone + PartialEq {
    fn comment(&self) -> &Option<String>;
    fn comment_mut(&mut self) -> &mut Option<String>;

    fn same_but_comment(&self, other: &Self) -> bool {
        let (mut a, mut b) = (self.clone(), other.clone());
        *a.comment_mut() = None;
        *b.comment_mut() = None;
        a == b
    }
}

macro_rules! commented {
    ($($ty:ty),*) => {$(
        impl Commented for $ty {
            fn comment(&self) -> &Option<String> { &self.comment }
            fn comment_mut(&mut self) -> &mut Option<String> { &mut self.comment }
        }
    )*};
}

commented!(
    carta_catalog::PrimaryKey,
    carta_catalog::ForeignKey,
    carta_catalog::UniqueConstraint,
    carta_catalog::CheckConstraint,
    carta_catalog::ExclusionConstraint,
    carta_catalog::Index,
    carta_catalog::Trigger,
    carta_catalog::Policy,
    carta_catalog::EnumType,
    carta_catalog::Domain,
    carta_catalog::Sequence,
    carta_catalog::Function,
    carta_catalog::Extension
);

/// Whether a delta needs the object dropped (and, for `Changed`, created
/// again): more than its comment or name differs.
fn rebuilds<T: Commented>(delta: &Delta<T>) -> bool {
    match delta {
        Delta::Changed { from, to } => !from.same_but_comment(to),
        Delta::Removed(_) => true,
        Delta::Added(_) | Delta::Renamed { .. } => false,
    }
}

/// The object as it is after the migration, when it has to be created: added, or changed beyond its comment.
fn to_create<T: Commented>(delta: &Delta<T>) -> Option<&T> {
    match delta {
        Delta::Added(item) => Some(item),
        Delta::Changed { to, .. } if rebuilds(delta) => Some(to),
        _ => None,
    }
}

/// The object as it was, when it has to be dropped.
fn to_drop<T: Commented>(delta: &Delta<T>) -> Option<&T> {
    match delta {
        Delta::Removed(item) | Delta::Changed { from: item, .. } if rebuilds(delta) => Some(item),
        _ => None,
    }
}

/// A comment statement when the comment is new or differs, or the object was created again.
fn comment_change<T: Commented>(delta: &Delta<T>) -> Option<Option<&str>> {
    match delta {
        Delta::Added(item) => item.comment().as_deref().map(Some),
        Delta::Removed(_) => None,
        Delta::Changed { from, to } | Delta::Renamed { from, to } => {
            let recreated = rebuilds(delta);
            (from.comment() != to.comment() || recreated && to.comment().is_some())
                .then(|| to.comment().as_deref())
        }
    }
}

/// Whether a column change alters what views, policies and keys read.
fn changes_shape(change: &ColumnChange) -> bool {
    match &change.delta {
        Delta::Removed(_) => true,
        Delta::Changed { .. } | Delta::Renamed { .. } => change.fields.iter().any(|f| {
            matches!(
                f,
                ColumnField::DataType | ColumnField::Collation | ColumnField::Generated
            )
        }),
        Delta::Added(_) => false,
    }
}

/// Whether a type change keeps every value: a wider integer, a longer or unbounded text.
fn widens(from: &LogicalType, to: &LogicalType) -> bool {
    match (from, to) {
        (LogicalType::Integer { bits: a, .. }, LogicalType::Integer { bits: b, .. }) => b >= a,
        (
            LogicalType::Text { .. },
            LogicalType::Text {
                max_length: None,
                fixed: false,
            },
        ) => true,
        (
            LogicalType::Text {
                max_length: Some(a),
                fixed: false,
            },
            LogicalType::Text {
                max_length: Some(b),
                fixed: false,
            },
        ) => b >= a,
        (
            LogicalType::Integer { .. } | LogicalType::Float { .. },
            LogicalType::Decimal {
                precision: None, ..
            },
        ) => true,
        (LogicalType::Float { bits: a }, LogicalType::Float { bits: b }) => b >= a,
        _ => from == to,
    }
}

fn is_view(diff: &TableDiff) -> bool {
    diff.from.kind.is_view() || diff.to.kind.is_view()
}

impl<'a> Planner<'a> {
    fn new(diff: &'a SchemaDiff, from: &'a Catalog, to: &'a Catalog) -> Result<Self, MigrateError> {
        let mut planner = Planner {
            diff,
            from,
            to,
            statements: Vec::new(),
            changing_columns: BTreeMap::new(),
            removed_tables: BTreeSet::new(),
            recreated_views: BTreeSet::new(),
            dropped_foreign_keys: BTreeSet::new(),
            dropped_policies: BTreeSet::new(),
            dropped_triggers: BTreeSet::new(),
            recreated_enums: Vec::new(),
        };
        for scoped in &diff.enums {
            if let Delta::Changed { from: old, to: new } = &scoped.change {
                if !adds_values_only(old, new) {
                    for (table, column) in columns_of_enum(from, &name(&scoped.schema, &old.name)) {
                        planner
                            .changing_columns
                            .entry(table)
                            .or_default()
                            .insert(column.name.clone());
                    }
                    planner
                        .recreated_enums
                        .push((scoped.schema.clone(), old.clone(), new.clone()));
                }
            }
        }
        for change in &diff.tables {
            match change {
                TableChange::Removed { schema, table } => {
                    planner.removed_tables.insert(name(schema, &table.name));
                }
                TableChange::Changed(table) => {
                    planner.check_supported(table)?;
                    let columns: BTreeSet<String> = table
                        .columns
                        .iter()
                        .filter(|c| changes_shape(c))
                        .map(|c| match &c.delta {
                            Delta::Changed { from, .. } | Delta::Renamed { from, .. } => {
                                from.name.clone()
                            }
                            other => other.latest().name.clone(),
                        })
                        .collect();
                    if !columns.is_empty() {
                        planner
                            .changing_columns
                            .insert(name(&table.schema, &table.from.name), columns);
                    }
                }
                TableChange::Added { .. } => {}
            }
        }
        Ok(planner)
    }

    fn check_supported(&self, table: &TableDiff) -> Result<(), MigrateError> {
        let object = format!("{}.{}", table.schema, table.to.name);
        let unsupported = |reason: &str| {
            Err(MigrateError::Unsupported {
                object: object.clone(),
                reason: reason.into(),
            })
        };
        if table.kind.is_some() && !(table.from.kind.is_view() && table.to.kind.is_view()) {
            return unsupported("its kind changes; drop and create it instead");
        }
        if table.partition_key.is_some() || table.partition_of.is_some() {
            return unsupported("its partitioning changes; PostgreSQL cannot alter that in place");
        }
        if table.foreign_server.is_some() {
            return unsupported("its foreign server changes");
        }
        if !is_view(table)
            && table.columns.iter().any(|c| {
                c.fields.contains(&ColumnField::Generated) && c.delta.latest().generated.is_some()
            })
        {
            return unsupported(
                "a generated column's expression changes or is added to an existing column",
            );
        }
        Ok(())
    }

    fn push(&mut self, statement: Statement) {
        self.statements.push(statement);
    }

    fn sql(&mut self, sql: String) {
        self.push(Statement::new(sql));
    }

    /// Phase 1.
    fn prelude(&mut self) -> Result<(), MigrateError> {
        let diff = self.diff;
        for change in &diff.schemas {
            if let SchemaChange::Added { name, .. } = change {
                self.sql(ddl::create_schema(name));
            }
        }
        for change in &diff.extensions {
            match change {
                Delta::Added(extension) => self.sql(ddl::create_extension(extension)),
                Delta::Changed { from, to } | Delta::Renamed { from, to }
                    if from.schema != to.schema =>
                {
                    self.sql(format!(
                        "ALTER EXTENSION {} SET SCHEMA {};",
                        ident(&to.name),
                        ident(&to.schema)
                    ));
                }
                _ => {}
            }
        }
        for scoped in &diff.enums {
            let schema = &scoped.schema;
            match &scoped.change {
                Delta::Added(enum_type) => self.sql(ddl::create_enum(schema, enum_type)),
                Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                    self.enum_values(schema, from, to);
                }
                Delta::Removed(_) => {}
            }
        }
        for scoped in &diff.domains {
            let schema = &scoped.schema;
            match &scoped.change {
                Delta::Added(domain) => self.sql(ddl::create_domain(schema, domain)),
                Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                    self.alter_domain(schema, from, to)?;
                }
                Delta::Removed(_) => {}
            }
        }
        for scoped in &diff.sequences {
            let schema = &scoped.schema;
            match &scoped.change {
                Delta::Added(sequence) => self.sql(ddl::create_sequence(schema, sequence)),
                Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                    let mut options_from = from.clone();
                    options_from.owned_by.clone_from(&to.owned_by);
                    if !options_from.same_but_comment(to) {
                        // The current value may fall outside a narrower range; PostgreSQL refuses that.
                        let narrower =
                            to.min_value > from.min_value || to.max_value < from.max_value;
                        let mut statement =
                            Statement::new(ddl::alter_sequence(schema, to, narrower));
                        if narrower {
                            statement = statement.with_note(format!(
                                "the range of {schema}.{} narrows: restarts it at {}; review",
                                to.name, to.start
                            ));
                        }
                        self.push(statement);
                    }
                }
                Delta::Removed(_) => {}
            }
        }
        let mut functions = Vec::new();
        for scoped in &diff.functions {
            let schema = &scoped.schema;
            match &scoped.change {
                Delta::Added(function) => functions.push(ddl::create_function(schema, function)?),
                Delta::Changed { from, to } | Delta::Renamed { from, to }
                    if !from.same_but_comment(to) =>
                {
                    // CREATE OR REPLACE cannot change the result type or the kind.
                    if from.returns != to.returns || from.kind != to.kind {
                        functions.push(ddl::drop_function(schema, from));
                    }
                    functions.push(ddl::create_function(schema, to)?);
                }
                _ => {}
            }
        }
        if !functions.is_empty() {
            // As pg_dump does: a body may read tables this migration creates later.
            self.sql("SET check_function_bodies = false;".into());
            for sql in functions {
                self.sql(sql);
            }
        }
        Ok(())
    }

    /// `ALTER TYPE ... ADD VALUE` for values added in place. Values
    /// removed or reordered are left to [`Planner::recreate_enums`].
    fn enum_values(&mut self, schema: &str, from: &EnumType, to: &EnumType) {
        if !adds_values_only(from, to) {
            return;
        }
        let type_name = table_name(schema, &to.name);
        let first_kept = to.values.iter().find(|v| from.values.contains(v));
        for (at, value) in to.values.iter().enumerate() {
            if from.values.contains(value) {
                continue;
            }
            let position = match (at.checked_sub(1), first_kept) {
                (Some(previous), _) => format!(" AFTER {}", literal(&to.values[previous])),
                (None, Some(first)) => format!(" BEFORE {}", literal(first)),
                (None, None) => String::new(),
            };
            self.sql(format!(
                "ALTER TYPE {type_name} ADD VALUE {}{position};",
                literal(value)
            ));
        }
    }

    /// Enums whose values are removed or reordered, which PostgreSQL
    /// cannot change in place: the old type is renamed away, the new one
    /// created, every column of the type converted through text, and the
    /// old type dropped. Runs after phase 2 has dropped the views and
    /// policies that read those columns.
    fn recreate_enums(&mut self) {
        for (schema, from, to) in self.recreated_enums.clone() {
            let type_name = table_name(&schema, &to.name);
            let old_name = format!("{}__carta_old", to.name);
            self.sql(format!(
                "ALTER TYPE {type_name} RENAME TO {};",
                ident(&old_name)
            ));
            self.sql(ddl::create_enum(&schema, &to));
            let enum_name = name(&schema, &from.name);
            for (table, column) in columns_of_enum(self.from, &enum_name) {
                let table = table_name(&table.schema, &table.name);
                let column_name = ident(&column.name);
                if column.default.is_some() {
                    self.sql(format!(
                        "ALTER TABLE {table} ALTER COLUMN {column_name} DROP DEFAULT;"
                    ));
                }
                let array = if matches!(column.logical_type, LogicalType::Array { .. }) {
                    "[]"
                } else {
                    ""
                };
                let removed: Vec<&String> = from
                    .values
                    .iter()
                    .filter(|v| !to.values.contains(v))
                    .collect();
                let mut statement = Statement::new(format!(
                    "ALTER TABLE {table} ALTER COLUMN {column_name} TYPE {type_name}{array} USING {column_name}::text{array}::{type_name}{array};"
                ));
                if !removed.is_empty() {
                    statement = statement.with_note(format!(
                        "fails if a row holds a removed value ({})",
                        removed
                            .iter()
                            .map(|v| literal(v))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                self.push(statement);
                if let Some(default) = &column.default {
                    self.sql(format!(
                        "ALTER TABLE {table} ALTER COLUMN {column_name} SET DEFAULT ({default});"
                    ));
                }
            }
            self.sql(format!("DROP TYPE {};", table_name(&schema, &old_name)));
        }
    }

    fn alter_domain(
        &mut self,
        schema: &str,
        from: &carta_catalog::Domain,
        to: &carta_catalog::Domain,
    ) -> Result<(), MigrateError> {
        if from.data_type != to.data_type || from.collation != to.collation {
            return Err(MigrateError::Unsupported {
                object: format!("{schema}.{}", to.name),
                reason: "a domain's base type or collation cannot be altered".into(),
            });
        }
        let domain = table_name(schema, &to.name);
        if from.default != to.default {
            self.sql(match &to.default {
                Some(default) => format!("ALTER DOMAIN {domain} SET DEFAULT ({default});"),
                None => format!("ALTER DOMAIN {domain} DROP DEFAULT;"),
            });
        }
        if from.nullable != to.nullable {
            let action = if to.nullable { "DROP" } else { "SET" };
            self.sql(format!("ALTER DOMAIN {domain} {action} NOT NULL;"));
        }
        for check in &from.checks {
            if !to.checks.iter().any(|c| c.same_but_comment(check)) {
                if let Some(check_name) = &check.name {
                    self.sql(format!(
                        "ALTER DOMAIN {domain} DROP CONSTRAINT {};",
                        ident(check_name)
                    ));
                }
            }
        }
        for check in &to.checks {
            if !from.checks.iter().any(|c| c.same_but_comment(check)) {
                self.sql(format!(
                    "ALTER DOMAIN {domain} ADD {};",
                    ddl::check_body(check)
                ));
            }
        }
        Ok(())
    }

    /// Whether a relation's text (a view query, a policy expression) reads a changing column or a removed table.
    fn reads_changing(&self, text: &str) -> bool {
        self.removed_tables.iter().any(|t| mentions(text, &t.name))
            || self.changing_columns.iter().any(|(table, columns)| {
                mentions(text, &table.name) && columns.iter().any(|c| mentions(text, c))
            })
    }

    /// Views of `from` to drop: changed or removed ones, those reading a
    /// changing column, and the views reading those, in the order they can
    /// be dropped (dependents first).
    fn views_to_drop(&self) -> Vec<(Name, &'a Table)> {
        let mut doomed: BTreeSet<Name> = BTreeSet::new();
        for change in &self.diff.tables {
            match change {
                TableChange::Removed { schema, table } if table.kind.is_view() => {
                    doomed.insert(name(schema, &table.name));
                }
                TableChange::Changed(table) if is_view(table) && view_rebuilds(table) => {
                    doomed.insert(name(&table.schema, &table.from.name));
                }
                _ => {}
            }
        }
        let views: Vec<(Name, &Table)> = self
            .from
            .tables()
            .filter(|(_, t)| t.kind.is_view())
            .map(|(s, t)| (name(&s.name, &t.name), t))
            .collect();
        for (view_name, view) in &views {
            if view
                .definition
                .as_deref()
                .is_some_and(|d| self.reads_changing(d))
            {
                doomed.insert(view_name.clone());
            }
        }
        // Views reading a doomed view go too, until nothing more is added.
        loop {
            let more: Vec<Name> = views
                .iter()
                .filter(|(n, _)| !doomed.contains(n))
                .filter(|(_, v)| {
                    v.definition
                        .as_deref()
                        .is_some_and(|d| doomed.iter().any(|x| mentions(d, &x.name)))
                })
                .map(|(n, _)| n.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            doomed.extend(more);
        }
        let chosen: Vec<(Name, &Table)> = views
            .into_iter()
            .filter(|(n, _)| doomed.contains(n))
            .collect();
        let mut ordered = dependency_order(chosen);
        ordered.reverse();
        ordered
    }

    /// The name a table of `from` has in `to`.
    fn renamed(&self, table: &Name) -> Name {
        self.diff
            .tables
            .iter()
            .find_map(|change| match change {
                TableChange::Changed(d)
                    if d.schema == table.schema && d.from.name == table.name =>
                {
                    Some(name(&d.schema, &d.to.name))
                }
                _ => None,
            })
            .unwrap_or_else(|| table.clone())
    }

    fn table_diffs(&self) -> impl Iterator<Item = &'a TableDiff> {
        self.diff.tables.iter().filter_map(|c| match c {
            TableChange::Changed(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    /// The diff of a table of `from` (by its `from` name), when it changes.
    fn table_diff_from(&self, table: &Name) -> Option<&'a TableDiff> {
        self.table_diffs()
            .find(|d| d.schema == table.schema && d.from.name == table.name)
    }

    /// What `to` has in place of a part dropped in phase 2 for what it
    /// depends on, with the table's `to` name; `None` when it is gone or
    /// its own delta creates it anyway.
    fn successor<T: Commented>(
        &self,
        table: &Name,
        dropped: &str,
        deltas: impl Fn(&'a TableDiff) -> &'a Vec<Delta<T>>,
        parts: impl Fn(&'a Table) -> &'a Vec<T>,
        name_of: impl Fn(&T) -> Option<&str>,
    ) -> Option<(Name, &'a T)> {
        let after = self.renamed(table);
        let to_table = self.to.table(&after)?;
        let delta = self.table_diff_from(table).and_then(|d| {
            deltas(d).iter().find(|delta| match delta {
                Delta::Removed(item)
                | Delta::Changed { from: item, .. }
                | Delta::Renamed { from: item, .. } => name_of(item) == Some(dropped),
                Delta::Added(_) => false,
            })
        });
        let part = match delta {
            Some(Delta::Removed(_)) => None,
            Some(changed @ Delta::Changed { to, .. }) => (!rebuilds(changed)).then_some(to),
            Some(Delta::Renamed { to, .. }) => Some(to),
            Some(Delta::Added(_)) | None => {
                parts(to_table).iter().find(|p| name_of(p) == Some(dropped))
            }
        }?;
        Some((after, part))
    }

    /// Phase 2.
    fn drop_dependents(&mut self) -> Result<(), MigrateError> {
        for (view_name, view) in self.views_to_drop() {
            self.sql(ddl::drop_relation(&view_name.schema, view));
            let after = self.renamed(&view_name);
            if self.to.table(&after).is_some_and(|t| t.kind.is_view()) {
                self.recreated_views.insert(after);
            }
        }
        let from = self.from;
        // Foreign keys that point at a removed table, a changing column or a changing key.
        for (schema, table) in from.tables() {
            let table_name_from = name(&schema.name, &table.name);
            for key in &table.foreign_keys {
                let Some(key_name) = &key.name else { continue };
                if self.key_target_changes(key) {
                    self.dropped_foreign_keys
                        .insert((table_name_from.clone(), key_name.clone()));
                }
            }
        }
        for diff in self.table_diffs() {
            let table = name(&diff.schema, &diff.from.name);
            for key in diff.foreign_keys.iter().filter_map(to_drop) {
                if let Some(key_name) = &key.name {
                    self.dropped_foreign_keys
                        .insert((table.clone(), key_name.clone()));
                }
            }
        }
        for (table, key) in self.dropped_foreign_keys.clone() {
            self.sql(ddl::drop_constraint(&table.schema, &table.name, &key));
        }
        self.drop_readers();
        for diff in self.table_diffs().filter(|d| !d.from.kind.is_view()) {
            self.drop_table_parts(diff);
        }
        Ok(())
    }

    fn key_target_changes(&self, key: &carta_catalog::ForeignKey) -> bool {
        let target = &key.referenced_table;
        if self.removed_tables.contains(target) {
            return true;
        }
        if self
            .changing_columns
            .get(target)
            .is_some_and(|columns| key.referenced_columns.iter().any(|c| columns.contains(c)))
        {
            return true;
        }
        self.table_diffs()
            .filter(|d| d.schema == target.schema && d.from.name == target.name)
            .any(|d| {
                let referenced = |columns: &[String]| columns == key.referenced_columns.as_slice();
                d.primary_key
                    .as_ref()
                    .and_then(to_drop)
                    .is_some_and(|k| referenced(&k.columns))
                    || d.uniques
                        .iter()
                        .filter_map(to_drop)
                        .any(|u| referenced(&u.columns))
                    || d.indexes.iter().filter_map(to_drop).any(|i| {
                        i.unique && i.key_columns().is_some_and(|c| c == key.referenced_columns)
                    })
            })
    }

    /// Policies, triggers, constraints and indexes of one table that change or read a changing column.
    /// Policies and triggers of any table that read a removed table or a
    /// changing column: PostgreSQL keeps them as dependencies.
    fn drop_readers(&mut self) {
        for (schema, table) in self.from.tables() {
            let qualified_from = name(&schema.name, &table.name);
            let own = self.changing_columns.get(&qualified_from);
            let reads = |text: &Option<String>| {
                text.as_deref().is_some_and(|t| {
                    self.reads_changing(t) || own.is_some_and(|c| c.iter().any(|c| mentions(t, c)))
                })
            };
            let policies: Vec<String> = table
                .row_security
                .policies
                .iter()
                .filter(|p| reads(&p.using) || reads(&p.with_check))
                .map(|p| p.name.clone())
                .collect();
            let triggers: Vec<String> = table
                .triggers
                .iter()
                .filter(|t| {
                    reads(&t.when)
                        || own.is_some_and(|c| t.update_columns.iter().any(|u| c.contains(u)))
                })
                .map(|t| t.name.clone())
                .collect();
            for policy in policies {
                self.sql(ddl::drop_policy(&schema.name, &table.name, &policy));
                self.dropped_policies
                    .insert((qualified_from.clone(), policy));
            }
            for trigger in triggers {
                self.sql(ddl::drop_trigger(&schema.name, &table.name, &trigger));
                self.dropped_triggers
                    .insert((qualified_from.clone(), trigger));
            }
        }
    }

    /// Policies, triggers, constraints and indexes of one table that change or go.
    fn drop_table_parts(&mut self, diff: &TableDiff) {
        let schema = &diff.schema;
        let table = &diff.from.name;
        let qualified_from = name(schema, table);
        let policies: Vec<&str> = diff
            .policies
            .iter()
            .filter_map(to_drop)
            .map(|p| p.name.as_str())
            .filter(|p| {
                !self
                    .dropped_policies
                    .contains(&(qualified_from.clone(), p.to_string()))
            })
            .collect();
        let triggers: Vec<&str> = diff
            .triggers
            .iter()
            .filter_map(to_drop)
            .map(|t| t.name.as_str())
            .filter(|t| {
                !self
                    .dropped_triggers
                    .contains(&(qualified_from.clone(), t.to_string()))
            })
            .collect();
        for policy in policies {
            self.sql(ddl::drop_policy(schema, table, policy));
        }
        for trigger in triggers {
            self.sql(ddl::drop_trigger(schema, table, trigger));
        }
        let mut constraints: Vec<&str> = Vec::new();
        constraints.extend(
            diff.checks
                .iter()
                .filter_map(to_drop)
                .filter_map(|c| c.name.as_deref()),
        );
        constraints.extend(
            diff.exclusions
                .iter()
                .filter_map(to_drop)
                .map(|e| e.name.as_str()),
        );
        constraints.extend(
            diff.uniques
                .iter()
                .filter_map(to_drop)
                .filter_map(|u| u.name.as_deref()),
        );
        constraints.extend(
            diff.primary_key
                .iter()
                .filter_map(to_drop)
                .filter_map(|k| k.name.as_deref()),
        );
        for constraint in constraints {
            self.sql(ddl::drop_constraint(schema, table, constraint));
        }
        for index in diff.indexes.iter().filter_map(to_drop) {
            if index.constraint.is_none() {
                self.sql(ddl::drop_index(schema, &index.name));
            }
        }
    }

    /// Phase 3.
    fn renames(&mut self) {
        for diff in self.table_diffs() {
            let schema = &diff.schema;
            if let Some(old) = &diff.renamed_from {
                let statement = Statement::new(format!(
                    "ALTER {} {} RENAME TO {};",
                    ddl::relation_keyword(diff.from.kind),
                    table_name(schema, old),
                    ident(&diff.to.name)
                ))
                .with_note(format!(
                    "possible rename of {schema}.{old} to {}: review",
                    diff.to.name
                ));
                self.push(statement);
            }
            let table = &diff.to.name;
            if is_view(diff) {
                continue;
            }
            for change in &diff.columns {
                if let Delta::Renamed { from, to } = &change.delta {
                    let statement = Statement::new(format!(
                        "ALTER TABLE {} RENAME COLUMN {} TO {};",
                        table_name(schema, table),
                        ident(&from.name),
                        ident(&to.name)
                    ))
                    .with_note(format!(
                        "possible rename of {schema}.{table}.{} to {}: review",
                        from.name, to.name
                    ));
                    self.push(statement);
                }
            }
            let from_name = name(schema, &diff.from.name);
            let dropped = |set: &BTreeSet<(Name, String)>, part: &str| {
                set.contains(&(from_name.clone(), part.to_string()))
            };
            let renamed_constraints = diff
                .foreign_keys
                .iter()
                .filter_map(renamed_names(|k: &carta_catalog::ForeignKey| {
                    k.name.clone()
                }))
                .filter(|(old, _)| !dropped(&self.dropped_foreign_keys, old))
                .chain(diff.uniques.iter().filter_map(renamed_names(
                    |u: &carta_catalog::UniqueConstraint| u.name.clone(),
                )))
                .chain(diff.checks.iter().filter_map(renamed_names(
                    |c: &carta_catalog::CheckConstraint| c.name.clone(),
                )))
                .chain(diff.exclusions.iter().filter_map(renamed_names(
                    |e: &carta_catalog::ExclusionConstraint| Some(e.name.clone()),
                )))
                .chain(diff.primary_key.iter().filter_map(renamed_names(
                    |k: &carta_catalog::PrimaryKey| k.name.clone(),
                )));
            let mut statements: Vec<Statement> = renamed_constraints
                .map(|(old, new)| {
                    Statement::new(format!(
                        "ALTER TABLE {} RENAME CONSTRAINT {} TO {};",
                        table_name(schema, table),
                        ident(&old),
                        ident(&new)
                    ))
                })
                .collect();
            for index in &diff.indexes {
                if let Delta::Renamed { from, to } = index {
                    if from.constraint.is_none() {
                        statements.push(Statement::new(format!(
                            "ALTER INDEX {} RENAME TO {};",
                            table_name(schema, &from.name),
                            ident(&to.name)
                        )));
                    }
                }
            }
            for delta in &diff.triggers {
                if let Delta::Renamed { from, to } = delta {
                    if !dropped(&self.dropped_triggers, &from.name) {
                        statements.push(Statement::new(format!(
                            "ALTER TRIGGER {} ON {} RENAME TO {};",
                            ident(&from.name),
                            table_name(schema, table),
                            ident(&to.name)
                        )));
                    }
                }
            }
            for delta in &diff.policies {
                if let Delta::Renamed { from, to } = delta {
                    if !dropped(&self.dropped_policies, &from.name) {
                        statements.push(Statement::new(format!(
                            "ALTER POLICY {} ON {} RENAME TO {};",
                            ident(&from.name),
                            table_name(schema, table),
                            ident(&to.name)
                        )));
                    }
                }
            }
            for statement in statements {
                self.push(statement);
            }
        }
    }

    /// Phase 4.
    fn tables(&mut self) -> Result<(), MigrateError> {
        let diff = self.diff;
        let mut added: Vec<(&String, &Table)> = diff
            .tables
            .iter()
            .filter_map(|c| match c {
                TableChange::Added { schema, table } if !table.kind.is_view() => {
                    Some((schema, table))
                }
                _ => None,
            })
            .collect();
        // Parents before their partitions.
        added.sort_by_key(|(_, t)| t.partition_of.is_some());
        for (schema, table) in added {
            let inherited = self.inherited(table);
            self.sql(ddl::create_table(schema, table, &inherited)?);
        }
        for table_diff in self.table_diffs().filter(|d| !is_view(d)) {
            self.alter_columns(table_diff);
        }
        let mut removed: Vec<(&String, &Table)> = diff
            .tables
            .iter()
            .filter_map(|c| match c {
                TableChange::Removed { schema, table } if !table.kind.is_view() => {
                    Some((schema, table))
                }
                _ => None,
            })
            .collect();
        // Partitions before their parents.
        removed.sort_by_key(|(_, t)| t.partition_of.is_none());
        for (schema, table) in removed {
            let dropped_with_parent = table
                .partition_of
                .as_ref()
                .is_some_and(|p| self.removed_tables.contains(&p.parent));
            if !dropped_with_parent {
                self.push(Statement::new(ddl::drop_relation(schema, table)).destructive());
            }
        }
        Ok(())
    }

    fn inherited(&self, table: &Table) -> Inherited {
        table
            .partition_of
            .as_ref()
            .and_then(|p| self.to.table(&p.parent))
            .map(|parent| Inherited::of_partition(table, parent))
            .unwrap_or_default()
    }

    fn alter_columns(&mut self, diff: &TableDiff) {
        let table = table_name(&diff.schema, &diff.to.name);
        let alter = |column: &str, action: String| {
            Statement::new(format!(
                "ALTER TABLE {table} ALTER COLUMN {} {action};",
                ident(column)
            ))
        };
        let mut statements = Vec::new();
        for change in &diff.columns {
            match &change.delta {
                Delta::Added(column) => {
                    let mut statement = Statement::new(format!(
                        "ALTER TABLE {table} ADD COLUMN {};",
                        ddl::column_definition(column)
                    ));
                    if !column.nullable
                        && column.default.is_none()
                        && column.identity.is_none()
                        && column.generated.is_none()
                    {
                        statement = statement.with_note(
                            "a NOT NULL column without a default: fails if the table has rows",
                        );
                    }
                    statements.push(statement);
                }
                Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                    statements.extend(alter_column(&change.fields, from, to, alter));
                }
                Delta::Removed(_) => {}
            }
        }
        for change in &diff.columns {
            if let Delta::Removed(column) = &change.delta {
                statements.push(
                    Statement::new(format!(
                        "ALTER TABLE {table} DROP COLUMN {};",
                        ident(&column.name)
                    ))
                    .destructive(),
                );
            }
        }
        for statement in statements {
            self.push(statement);
        }
    }

    /// Phase 5, for tables: keys, indexes, foreign keys, triggers, row-level security and policies.
    fn table_parts(&mut self) -> Result<(), MigrateError> {
        let mut constraints = Vec::new();
        let mut indexes = Vec::new();
        let mut foreign_keys = Vec::new();
        let mut triggers = Vec::new();
        let mut security = Vec::new();
        let mut policies = Vec::new();
        for change in &self.diff.tables {
            match change {
                TableChange::Added { schema, table } if !table.kind.is_view() => {
                    let inherited = self.inherited(table);
                    indexes.extend(
                        table
                            .indexes
                            .iter()
                            .filter(|i| i.constraint.is_none() && !inherited.index(&i.name))
                            .map(|i| ddl::create_index(schema, table, i)),
                    );
                    foreign_keys.extend(table.foreign_keys.iter().map(|k| {
                        ddl::add_constraint(schema, &table.name, &ddl::foreign_key_body(k))
                    }));
                    for trigger in &table.triggers {
                        triggers.push(ddl::create_trigger(schema, &table.name, trigger)?);
                    }
                    security.extend(row_security(schema, &table.name, (false, false), table));
                    policies.extend(
                        table
                            .row_security
                            .policies
                            .iter()
                            .map(|p| ddl::create_policy(schema, &table.name, p)),
                    );
                }
                TableChange::Changed(diff) if !is_view(diff) => {
                    let schema = &diff.schema;
                    let to = &diff.to;
                    let table = &to.name;
                    constraints.extend(
                        diff.primary_key
                            .iter()
                            .filter_map(to_create)
                            .map(|k| ddl::add_constraint(schema, table, &ddl::primary_key_body(k))),
                    );
                    constraints.extend(
                        diff.uniques
                            .iter()
                            .filter_map(to_create)
                            .map(|u| ddl::add_constraint(schema, table, &ddl::unique_body(u))),
                    );
                    constraints.extend(
                        diff.checks
                            .iter()
                            .filter_map(to_create)
                            .map(|c| ddl::add_constraint(schema, table, &ddl::check_body(c))),
                    );
                    constraints.extend(
                        diff.exclusions.iter().filter_map(to_create).map(|e| {
                            ddl::add_constraint(schema, table, &ddl::exclusion_body(to, e))
                        }),
                    );
                    indexes.extend(
                        diff.indexes
                            .iter()
                            .filter_map(to_create)
                            .filter(|i| i.constraint.is_none())
                            .map(|i| ddl::create_index(schema, to, i)),
                    );
                    for trigger in diff.triggers.iter().filter_map(to_create) {
                        triggers.push(ddl::create_trigger(schema, table, trigger)?);
                    }
                    if let Some((before, _)) = diff.row_security {
                        security.extend(row_security(schema, table, before, to));
                    }
                    policies.extend(
                        diff.policies
                            .iter()
                            .filter_map(to_create)
                            .map(|p| ddl::create_policy(schema, table, p)),
                    );
                    foreign_keys.extend(
                        diff.foreign_keys
                            .iter()
                            .filter_map(to_create)
                            .map(|k| ddl::add_constraint(schema, table, &ddl::foreign_key_body(k))),
                    );
                }
                _ => {}
            }
        }
        // Parts dropped in phase 2 for what they depend on, that `to` still has.
        for (table, key_name) in &self.dropped_foreign_keys {
            let Some((after, key)) = self.successor(
                table,
                key_name,
                |d| &d.foreign_keys,
                |t| &t.foreign_keys,
                |k| k.name.as_deref(),
            ) else {
                continue;
            };
            foreign_keys.push(ddl::add_constraint(
                &after.schema,
                &after.name,
                &ddl::foreign_key_body(key),
            ));
        }
        for (table, trigger_name) in &self.dropped_triggers {
            if let Some((after, trigger)) = self.successor(
                table,
                trigger_name,
                |d| &d.triggers,
                |t| &t.triggers,
                |t| Some(&t.name),
            ) {
                triggers.push(ddl::create_trigger(&after.schema, &after.name, trigger)?);
                if let Some(comment) = &trigger.comment {
                    let target = format!(
                        "TRIGGER {} ON {}",
                        ident(&trigger.name),
                        table_name(&after.schema, &after.name)
                    );
                    policies.push(ddl::comment_on(&target, Some(comment)));
                }
            }
        }
        for (table, policy_name) in &self.dropped_policies {
            if let Some((after, policy)) = self.successor(
                table,
                policy_name,
                |d| &d.policies,
                |t| &t.row_security.policies,
                |p| Some(&p.name),
            ) {
                policies.push(ddl::create_policy(&after.schema, &after.name, policy));
                if let Some(comment) = &policy.comment {
                    let target = format!(
                        "POLICY {} ON {}",
                        ident(&policy.name),
                        table_name(&after.schema, &after.name)
                    );
                    policies.push(ddl::comment_on(&target, Some(comment)));
                }
            }
        }
        for sql in constraints
            .into_iter()
            .chain(indexes)
            .chain(foreign_keys)
            .chain(triggers)
            .chain(security)
            .chain(policies)
        {
            self.sql(sql);
        }
        Ok(())
    }

    /// Phase 5: views added, and views dropped in phase 2 created again, in dependency order.
    fn views(&mut self) -> Result<(), MigrateError> {
        let mut views: Vec<(Name, &Table)> = Vec::new();
        for change in &self.diff.tables {
            if let TableChange::Added { schema, table } = change {
                if table.kind.is_view() {
                    views.push((name(schema, &table.name), table));
                }
            }
        }
        for view in &self.recreated_views {
            if let Some(table) = self.to.table(view) {
                views.push((view.clone(), table));
            }
        }
        for (view_name, view) in dependency_order(views) {
            let schema = &view_name.schema;
            self.sql(ddl::create_view(schema, view)?);
            for index in view.indexes.iter().filter(|i| i.constraint.is_none()) {
                self.sql(ddl::create_index(schema, view, index));
            }
            for trigger in &view.triggers {
                self.sql(ddl::create_trigger(schema, &view.name, trigger)?);
            }
            for comment in ddl::table_comments(schema, view) {
                self.sql(comment);
            }
        }
        Ok(())
    }

    /// Phase 5: `OWNED BY` of sequences, once the owning columns exist.
    fn sequence_owners(&mut self) {
        for scoped in &self.diff.sequences {
            let schema = &scoped.schema;
            match &scoped.change {
                Delta::Added(sequence) if sequence.owned_by.is_some() => {
                    self.sql(ddl::sequence_owned_by(schema, sequence));
                }
                Delta::Changed { from, to } | Delta::Renamed { from, to }
                    if from.owned_by != to.owned_by =>
                {
                    self.sql(ddl::sequence_owned_by(schema, to));
                }
                _ => {}
            }
        }
    }

    /// Phase 5: comments new, changed or lost with an object created again.
    fn comments(&mut self) {
        let diff = self.diff;
        let mut comments = Vec::new();
        for change in &diff.schemas {
            match change {
                SchemaChange::Added {
                    name,
                    comment: Some(comment),
                } => comments.push(ddl::comment_on(
                    &format!("SCHEMA {}", ident(name)),
                    Some(comment),
                )),
                SchemaChange::CommentChanged { name, to, .. } => {
                    comments.push(ddl::comment_on(
                        &format!("SCHEMA {}", ident(name)),
                        to.as_deref(),
                    ));
                }
                _ => {}
            }
        }
        for delta in &diff.extensions {
            if let Some(comment) = comment_change(delta) {
                let target = format!("EXTENSION {}", ident(&delta.latest().name));
                comments.push(ddl::comment_on(&target, comment));
            }
        }
        for scoped in &diff.enums {
            if let Some(comment) = comment_change(&scoped.change) {
                let target = format!(
                    "TYPE {}",
                    table_name(&scoped.schema, &scoped.change.latest().name)
                );
                comments.push(ddl::comment_on(&target, comment));
            }
        }
        for scoped in &diff.domains {
            let domain = scoped.change.latest();
            let domain_name = table_name(&scoped.schema, &domain.name);
            if let Some(comment) = comment_change(&scoped.change) {
                comments.push(ddl::comment_on(&format!("DOMAIN {domain_name}"), comment));
            }
            let from_checks: &[carta_catalog::CheckConstraint] = match &scoped.change {
                Delta::Changed { from, .. } | Delta::Renamed { from, .. } => &from.checks,
                _ => &[],
            };
            if matches!(scoped.change, Delta::Removed(_)) {
                continue;
            }
            for check in &domain.checks {
                let Some(check_name) = &check.name else {
                    continue;
                };
                let before = from_checks.iter().find(|c| c.same_but_comment(check));
                if before.map_or(check.comment.is_some(), |b| b.comment != check.comment) {
                    let target =
                        format!("CONSTRAINT {} ON DOMAIN {domain_name}", ident(check_name));
                    comments.push(ddl::comment_on(&target, check.comment.as_deref()));
                }
            }
        }
        for scoped in &diff.sequences {
            if let Some(comment) = comment_change(&scoped.change) {
                let target = format!(
                    "SEQUENCE {}",
                    table_name(&scoped.schema, &scoped.change.latest().name)
                );
                comments.push(ddl::comment_on(&target, comment));
            }
        }
        for scoped in &diff.functions {
            let function = scoped.change.latest();
            if let Some(comment) = comment_change(&scoped.change) {
                let keyword = if function.kind == carta_catalog::FunctionKind::Procedure {
                    "PROCEDURE"
                } else {
                    "FUNCTION"
                };
                let target = format!(
                    "{keyword} {}",
                    ddl::function_signature(&scoped.schema, function)
                );
                comments.push(ddl::comment_on(&target, comment));
            }
        }
        for change in &diff.tables {
            match change {
                TableChange::Added { schema, table } if !table.kind.is_view() => {
                    comments.extend(ddl::table_comments(schema, table));
                }
                TableChange::Changed(table_diff) => {
                    let after = name(&table_diff.schema, &table_diff.to.name);
                    if !self.recreated_views.contains(&after) {
                        comments.extend(table_part_comments(table_diff));
                    }
                }
                _ => {}
            }
        }
        for sql in comments {
            self.sql(sql);
        }
    }

    /// Phase 5, last: what `to` no longer has and nothing depends on any more.
    fn final_drops(&mut self) {
        let diff = self.diff;
        for scoped in &diff.functions {
            if let Delta::Removed(function) = &scoped.change {
                self.sql(ddl::drop_function(&scoped.schema, function));
            }
        }
        for scoped in &diff.domains {
            if let Delta::Removed(domain) = &scoped.change {
                self.sql(format!(
                    "DROP DOMAIN {};",
                    table_name(&scoped.schema, &domain.name)
                ));
            }
        }
        for scoped in &diff.enums {
            if let Delta::Removed(enum_type) = &scoped.change {
                self.sql(format!(
                    "DROP TYPE {};",
                    table_name(&scoped.schema, &enum_type.name)
                ));
            }
        }
        for scoped in &diff.sequences {
            if let Delta::Removed(sequence) = &scoped.change {
                // PostgreSQL drops a sequence with the table or column that owns it.
                let dropped_with_owner = sequence.owned_by.as_ref().is_some_and(|owner| {
                    self.removed_tables.contains(&owner.table)
                        || self
                            .table_diffs()
                            .filter(|d| d.schema == owner.table.schema && d.from.name == owner.table.name)
                            .any(|d| {
                                d.columns.iter().any(|c| {
                                    matches!(&c.delta, Delta::Removed(col) if col.name == owner.column)
                                })
                            })
                });
                if !dropped_with_owner {
                    self.sql(format!(
                        "DROP SEQUENCE {};",
                        table_name(&scoped.schema, &sequence.name)
                    ));
                }
            }
        }
        for delta in &diff.extensions {
            if let Delta::Removed(extension) = delta {
                self.sql(ddl::drop_extension(extension));
            }
        }
        for change in &diff.schemas {
            if let SchemaChange::Removed { name, .. } = change {
                self.sql(ddl::drop_schema(name));
            }
        }
    }
}

/// Whether `to` keeps every value of `from` in its order, so new values can be added in place.
fn adds_values_only(from: &EnumType, to: &EnumType) -> bool {
    let kept: Vec<&String> = to
        .values
        .iter()
        .filter(|v| from.values.contains(v))
        .collect();
    kept.len() == from.values.len() && kept.iter().zip(&from.values).all(|(a, b)| *a == b)
}

/// The table columns of `catalog` of an enum type or an array of it
/// (partitions left out: altering the parent alters them).
fn columns_of_enum<'c>(catalog: &'c Catalog, enum_name: &Name) -> Vec<(Name, &'c Column)> {
    let of_enum = |logical: &LogicalType| match logical {
        LogicalType::Enum { name: Some(n), .. } => n == enum_name,
        LogicalType::Array { element } => {
            matches!(element.as_ref(), LogicalType::Enum { name: Some(n), .. } if n == enum_name)
        }
        _ => false,
    };
    catalog
        .tables()
        .filter(|(_, t)| !t.kind.is_view() && t.partition_of.is_none())
        .flat_map(|(s, t)| {
            t.columns
                .iter()
                .filter(|c| of_enum(&c.logical_type))
                .map(move |c| (name(&s.name, &t.name), c))
        })
        .collect()
}

/// Whether a view must be dropped and created again (more than comments differ).
fn view_rebuilds(diff: &TableDiff) -> bool {
    diff.kind.is_some()
        || diff.definition.is_some()
        || diff.renamed_from.is_some() && diff.from.definition != diff.to.definition
        || diff.columns.iter().any(|c| {
            c.fields.iter().any(|f| *f != ColumnField::Comment)
                || matches!(c.delta, Delta::Added(_) | Delta::Removed(_))
        })
}

/// `(old name, new name)` of a renamed constraint.
fn renamed_names<T>(
    name_of: impl Fn(&T) -> Option<String>,
) -> impl Fn(&Delta<T>) -> Option<(String, String)> {
    move |delta| match delta {
        Delta::Renamed { from, to } => Some((name_of(from)?, name_of(to)?)),
        _ => None,
    }
}

/// `ENABLE`/`DISABLE` and `FORCE`/`NO FORCE` statements from `before` to the table's row security.
fn row_security(schema: &str, table: &str, before: (bool, bool), to: &Table) -> Vec<String> {
    let mut statements = Vec::new();
    if before.0 != to.row_security.enabled {
        statements.push(ddl::row_security(schema, table, to.row_security.enabled));
    }
    if before.1 != to.row_security.forced {
        statements.push(ddl::force_row_security(
            schema,
            table,
            to.row_security.forced,
        ));
    }
    statements
}

/// The statements that change one column, in an order PostgreSQL accepts:
/// the old default and identity go before the type changes, `NOT NULL`
/// comes before a new identity, which needs it.
fn alter_column(
    fields: &[ColumnField],
    from: &Column,
    to: &Column,
    alter: impl Fn(&str, String) -> Statement,
) -> Vec<Statement> {
    let column = to.name.as_str();
    let has = |field| fields.contains(&field);
    let mut statements = Vec::new();
    let default_changes = has(ColumnField::Default) && from.default.is_some();
    if default_changes {
        statements.push(alter(column, "DROP DEFAULT".into()));
    }
    if has(ColumnField::Identity) && from.identity.is_some() && to.identity.is_none() {
        statements.push(alter(column, "DROP IDENTITY".into()));
    }
    if has(ColumnField::Generated) && to.generated.is_none() {
        statements.push(alter(column, "DROP EXPRESSION".into()));
    }
    if has(ColumnField::DataType) || has(ColumnField::Collation) {
        let collation = to
            .collation
            .as_ref()
            .map(|c| format!(" COLLATE {}", ident(c)))
            .unwrap_or_default();
        let mut statement = alter(
            column,
            format!(
                "TYPE {}{collation} USING {}::{}",
                to.data_type,
                ident(column),
                to.data_type
            ),
        );
        if !widens(&from.logical_type, &to.logical_type) {
            statement = statement.destructive().with_note(format!(
                "{} from {} to {}: values that do not fit are cut or fail",
                column, from.data_type, to.data_type
            ));
        }
        statements.push(statement);
    }
    if has(ColumnField::Nullable) && !to.nullable {
        statements.push(alter(column, "SET NOT NULL".into()));
    }
    if has(ColumnField::Identity) {
        match (from.identity, to.identity) {
            (None, Some(identity)) => {
                statements.push(alter(
                    column,
                    format!("ADD {}", ddl::identity_clause(identity)),
                ));
            }
            (Some(_), Some(identity)) => {
                let kind = match identity {
                    carta_catalog::Identity::Always => "ALWAYS",
                    carta_catalog::Identity::ByDefault => "BY DEFAULT",
                };
                statements.push(alter(column, format!("SET GENERATED {kind}")));
            }
            _ => {}
        }
    }
    if has(ColumnField::Default) {
        if let Some(default) = &to.default {
            statements.push(alter(column, format!("SET DEFAULT ({default})")));
        }
    }
    if has(ColumnField::Nullable) && to.nullable {
        statements.push(alter(column, "DROP NOT NULL".into()));
    }
    statements
}

/// Comments of one changed table: relation, columns and parts.
fn table_part_comments(diff: &TableDiff) -> Vec<String> {
    let targets = TableTargets {
        schema: &diff.schema,
        table: &diff.to,
    };
    let mut comments = Vec::new();
    if let Some((_, to)) = &diff.comment {
        comments.push(ddl::comment_on(&targets.relation(), to.as_deref()));
    }
    for change in &diff.columns {
        match &change.delta {
            Delta::Added(column) => {
                if let Some(comment) = &column.comment {
                    comments.push(ddl::comment_on(
                        &targets.column(&column.name),
                        Some(comment),
                    ));
                }
            }
            Delta::Changed { to, .. } | Delta::Renamed { to, .. } => {
                if change.fields.contains(&ColumnField::Comment) {
                    comments.push(ddl::comment_on(
                        &targets.column(&to.name),
                        to.comment.as_deref(),
                    ));
                }
            }
            Delta::Removed(_) => {}
        }
    }
    let mut part =
        |name: Option<&str>, comment: Option<Option<&str>>, target: &dyn Fn(&str) -> String| {
            if let (Some(name), Some(comment)) = (name, comment) {
                comments.push(ddl::comment_on(&target(name), comment));
            }
        };
    let constraint = |n: &str| targets.constraint(n);
    for delta in diff.primary_key.iter() {
        part(
            delta.latest().name.as_deref(),
            comment_change(delta),
            &constraint,
        );
    }
    for delta in &diff.foreign_keys {
        part(
            delta.latest().name.as_deref(),
            comment_change(delta),
            &constraint,
        );
    }
    for delta in &diff.uniques {
        part(
            delta.latest().name.as_deref(),
            comment_change(delta),
            &constraint,
        );
    }
    for delta in &diff.checks {
        part(
            delta.latest().name.as_deref(),
            comment_change(delta),
            &constraint,
        );
    }
    for delta in &diff.exclusions {
        part(
            Some(&delta.latest().name),
            comment_change(delta),
            &constraint,
        );
    }
    for delta in &diff.indexes {
        part(Some(&delta.latest().name), comment_change(delta), &|n| {
            targets.index(n)
        });
    }
    for delta in &diff.triggers {
        part(Some(&delta.latest().name), comment_change(delta), &|n| {
            targets.trigger(n)
        });
    }
    for delta in &diff.policies {
        part(Some(&delta.latest().name), comment_change(delta), &|n| {
            targets.policy(n)
        });
    }
    comments
}

/// Views in an order where each comes after the views its query mentions.
fn dependency_order(views: Vec<(Name, &Table)>) -> Vec<(Name, &Table)> {
    let mut remaining = views;
    let mut ordered: Vec<(Name, &Table)> = Vec::new();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|(n, v)| {
            remaining.iter().all(|(other, _)| {
                other == n
                    || !v
                        .definition
                        .as_deref()
                        .is_some_and(|d| mentions(d, &other.name))
            })
        });
        // A mention cycle is textual only (PostgreSQL forbids real ones): take the first.
        let next = remaining.remove(ready.unwrap_or(0));
        ordered.push(next);
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_matches_whole_identifiers_only() {
        assert!(mentions("SELECT id, email FROM users", "email"));
        assert!(mentions("SELECT u.Email FROM users u", "email"));
        assert!(!mentions("SELECT email_verified FROM users", "email"));
        assert!(!mentions("SELECT id FROM app_users", "users"));
        assert!(mentions("(users.id)", "users"));
    }

    #[test]
    fn widening_is_told_from_narrowing() {
        let int = |bits| LogicalType::Integer {
            bits,
            unsigned: false,
        };
        let text = |max_length| LogicalType::Text {
            max_length,
            fixed: false,
        };
        assert!(widens(&int(32), &int(64)));
        assert!(!widens(&int(64), &int(32)));
        assert!(widens(&text(Some(10)), &text(None)));
        assert!(!widens(&text(None), &text(Some(10))));
        assert!(!widens(&text(None), &LogicalType::Uuid));
    }
}
