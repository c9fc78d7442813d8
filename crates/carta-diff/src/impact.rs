//! What each change means for the clients of a database: the report lines
//! and their impact. The rules are listed in the crate docs and `docs/diff.md`.

use crate::compare::{column_fields, Renamable};
use crate::model::{
    ColumnChange, ColumnField, Delta, SchemaChange, SchemaDiff, TableChange, TableDiff,
};
use carta_catalog::{
    CheckConstraint, Column, Domain, EnumType, ExclusionConstraint, Extension, ForeignKey,
    Function, Identity, Index, IndexKey, LogicalType, Policy, PrimaryKey, Sequence, Table,
    TableKind, Trigger, UniqueConstraint,
};
use serde::Serialize;

/// How a change affects existing readers and writers of the database.
/// Ordered from the most to the least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Can break existing readers or writers, or lose data.
    Breaking,
    /// Compatible: existing readers and writers keep working (new objects, loosened rules).
    Additive,
    /// No effect on data or behaviour: comments, index and constraint renames.
    Cosmetic,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Additive => "additive",
            Impact::Cosmetic => "cosmetic",
        }
    }
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub impact: Impact,
    /// The object: `orko.users`, `orko.users.email`, `orko.users index users_email_idx`.
    pub object: String,
    /// `table`, `view`, `column`, `index`, `primary_key`, `foreign_key`, `unique`,
    /// `check`, `exclusion`, `trigger`, `policy`, `rls`, `comment`, `enum`,
    /// `enum_value`, `domain`, `sequence`, `function`, `schema`, `extension`,
    /// `partition`, `options`.
    pub kind: &'static str,
    /// `added`, `removed`, `changed` or `renamed` (a likely rename).
    pub action: &'static str,
    /// What changed, e.g. `type integer -> bigint`, `now NOT NULL`, `values added: 'archived'`.
    pub detail: String,
}

/// The changes of one object and its parts (a table, a schema's types and
/// functions, the database's schemas and extensions), for grouped reports.
pub(crate) struct Group {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// A change with its label inside its group (the column or index name).
pub(crate) struct Entry {
    pub label: String,
    pub change: Change,
}

impl SchemaDiff {
    /// Every change as one report line, in the order of [`SchemaDiff`]'s lists.
    pub fn changes(&self) -> Vec<Change> {
        self.groups()
            .into_iter()
            .flat_map(|g| g.entries)
            .map(|e| e.change)
            .collect()
    }

    pub(crate) fn groups(&self) -> Vec<Group> {
        let mut groups = Vec::new();
        let mut database = Lines::new("");
        for change in &self.schemas {
            database.schema(change);
        }
        for delta in &self.extensions {
            database.extension(delta);
        }
        groups.extend(database.into_group("database"));
        let mut schemas: Vec<&str> = self
            .enums
            .iter()
            .map(|s| s.schema.as_str())
            .chain(self.domains.iter().map(|s| s.schema.as_str()))
            .chain(self.sequences.iter().map(|s| s.schema.as_str()))
            .chain(self.functions.iter().map(|s| s.schema.as_str()))
            .collect();
        schemas.sort_unstable();
        schemas.dedup();
        for schema in schemas {
            let mut lines = Lines::new(schema);
            for delta in self.enums.iter().filter(|s| s.schema == schema) {
                lines.enumeration(&delta.change);
            }
            for delta in self.domains.iter().filter(|s| s.schema == schema) {
                lines.domain(&delta.change);
            }
            for delta in self.sequences.iter().filter(|s| s.schema == schema) {
                lines.sequence(&delta.change);
            }
            for delta in self.functions.iter().filter(|s| s.schema == schema) {
                lines.function(&delta.change);
            }
            groups.extend(lines.into_group(&format!("schema {schema}")));
        }
        for change in &self.tables {
            let (schema, table) = match change {
                TableChange::Added { schema, table } | TableChange::Removed { schema, table } => {
                    (schema, table)
                }
                TableChange::Changed(diff) => (&diff.schema, &diff.to),
            };
            let qualified = format!("{schema}.{}", table.name);
            let mut lines = Lines::new(&qualified);
            match change {
                TableChange::Added { table, .. } => lines.table_added(table),
                TableChange::Removed { table, .. } => lines.table_removed(table),
                TableChange::Changed(diff) => lines.table_changed(diff),
            }
            groups.extend(lines.into_group(&qualified));
        }
        groups
    }
}

/// Collects the report lines of one group. `prefix` is the group's
/// qualified name that objects are named under.
struct Lines {
    prefix: String,
    entries: Vec<Entry>,
}

impl Lines {
    fn new(prefix: &str) -> Self {
        Lines {
            prefix: prefix.to_string(),
            entries: Vec::new(),
        }
    }

    fn into_group(self, title: &str) -> Option<Group> {
        (!self.entries.is_empty()).then(|| Group {
            title: title.to_string(),
            entries: self.entries,
        })
    }

    fn push(
        &mut self,
        impact: Impact,
        object: String,
        label: &str,
        kind: &'static str,
        action: &'static str,
        detail: String,
    ) {
        self.entries.push(Entry {
            label: label.to_string(),
            change: Change {
                impact,
                object,
                kind,
                action,
                detail,
            },
        });
    }

    /// A line about the group's own object (the table, the schema).
    fn own(&mut self, impact: Impact, kind: &'static str, action: &'static str, detail: String) {
        let object = self.prefix.clone();
        self.push(impact, object, "", kind, action, detail);
    }

    /// A line about an object named inside the group's schema (`orko.status`).
    fn member(
        &mut self,
        impact: Impact,
        name: &str,
        kind: &'static str,
        action: &'static str,
        detail: String,
    ) {
        let object = qualify(&self.prefix, name);
        self.push(impact, object, name, kind, action, detail);
    }

    fn comment(&mut self, name: &str, from: &Option<String>, to: &Option<String>) {
        let object = qualify(&self.prefix, name);
        self.push(
            Impact::Cosmetic,
            object,
            name,
            "comment",
            "changed",
            comment_detail(from, to),
        );
    }

    fn schema(&mut self, change: &SchemaChange) {
        match change {
            SchemaChange::Added { name, .. } => {
                self.member(Impact::Additive, name, "schema", "added", String::new())
            }
            SchemaChange::Removed { name, .. } => {
                self.member(Impact::Breaking, name, "schema", "removed", String::new())
            }
            SchemaChange::CommentChanged { name, from, to } => self.comment(name, from, to),
        }
    }

    fn extension(&mut self, delta: &Delta<Extension>) {
        match delta {
            Delta::Added(e) => self.member(
                Impact::Additive,
                &e.name,
                "extension",
                "added",
                format!("in schema {}", e.schema),
            ),
            Delta::Removed(e) => self.member(
                Impact::Breaking,
                &e.name,
                "extension",
                "removed",
                String::new(),
            ),
            Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                if from.schema != to.schema {
                    self.member(
                        Impact::Breaking,
                        &to.name,
                        "extension",
                        "changed",
                        format!("schema {} -> {}", from.schema, to.schema),
                    );
                }
                if from.comment != to.comment {
                    self.comment(&to.name, &from.comment, &to.comment);
                }
            }
        }
    }

    fn enumeration(&mut self, delta: &Delta<EnumType>) {
        match delta {
            Delta::Added(e) => self.member(
                Impact::Additive,
                &e.name,
                "enum",
                "added",
                format!("values {}", quoted_list(&e.values)),
            ),
            Delta::Removed(e) => {
                self.member(Impact::Breaking, &e.name, "enum", "removed", String::new())
            }
            Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                if from.values != to.values {
                    let (impact, detail) = value_list_change(&from.values, &to.values);
                    self.member(impact, &to.name, "enum_value", "changed", detail);
                }
                if from.comment != to.comment {
                    self.comment(&to.name, &from.comment, &to.comment);
                }
            }
        }
    }

    fn domain(&mut self, delta: &Delta<Domain>) {
        match delta {
            Delta::Added(d) => self.member(
                Impact::Additive,
                &d.name,
                "domain",
                "added",
                d.data_type.clone(),
            ),
            Delta::Removed(d) => self.member(
                Impact::Breaking,
                &d.name,
                "domain",
                "removed",
                String::new(),
            ),
            Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                let (old, new) = (domain_as_column(from), domain_as_column(to));
                let mut parts = column_field_parts(&old, &new, &column_fields(&old, &new));
                if from.checks != to.checks {
                    let loosened = to.checks.iter().all(|c| from.checks.contains(c));
                    let impact = if loosened {
                        Impact::Additive
                    } else {
                        Impact::Breaking
                    };
                    let detail = format!(
                        "checks {} -> {}",
                        describe_all(&from.checks),
                        describe_all(&to.checks)
                    );
                    parts.push((impact, detail));
                }
                if let Some((impact, detail)) = combine(parts) {
                    self.member(impact, &to.name, "domain", "changed", detail);
                }
                if from.comment != to.comment {
                    self.comment(&to.name, &from.comment, &to.comment);
                }
            }
        }
    }

    fn sequence(&mut self, delta: &Delta<Sequence>) {
        match delta {
            Delta::Added(s) => self.member(
                Impact::Additive,
                &s.name,
                "sequence",
                "added",
                s.data_type.clone(),
            ),
            Delta::Removed(s) => self.member(
                Impact::Breaking,
                &s.name,
                "sequence",
                "removed",
                String::new(),
            ),
            Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                if let Some((impact, detail)) = combine(sequence_parts(from, to)) {
                    self.member(impact, &to.name, "sequence", "changed", detail);
                }
                if from.comment != to.comment {
                    self.comment(&to.name, &from.comment, &to.comment);
                }
            }
        }
    }

    fn function(&mut self, delta: &Delta<Function>) {
        let signature = |f: &Function| format!("{}({})", f.name, f.arguments);
        match delta {
            Delta::Added(f) => self.member(
                Impact::Additive,
                &signature(f),
                "function",
                "added",
                f.returns
                    .as_ref()
                    .map(|r| format!("returns {r}"))
                    .unwrap_or_default(),
            ),
            Delta::Removed(f) => self.member(
                Impact::Breaking,
                &signature(f),
                "function",
                "removed",
                String::new(),
            ),
            Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                let differences = function_differences(from, to);
                if !differences.is_empty() {
                    self.member(
                        Impact::Breaking,
                        &signature(to),
                        "function",
                        "changed",
                        differences.join(", "),
                    );
                }
                if from.comment != to.comment {
                    self.comment(&signature(to), &from.comment, &to.comment);
                }
            }
        }
    }

    fn table_added(&mut self, table: &Table) {
        let detail = match table.columns.len() {
            1 => "1 column".to_string(),
            n => format!("{n} columns"),
        };
        self.own(Impact::Additive, table_kind(table.kind), "added", detail);
    }

    fn table_removed(&mut self, table: &Table) {
        self.own(
            Impact::Breaking,
            table_kind(table.kind),
            "removed",
            String::new(),
        );
    }

    fn table_changed(&mut self, diff: &TableDiff) {
        let kind = table_kind(diff.to.kind);
        if let Some(old) = &diff.renamed_from {
            self.own(
                Impact::Breaking,
                kind,
                "renamed",
                format!("from {}.{old}", diff.schema),
            );
        }
        if let Some((from, to)) = diff.kind {
            self.own(
                Impact::Breaking,
                kind,
                "changed",
                format!("{} -> {}", table_kind_words(from), table_kind_words(to)),
            );
        }
        if let Some((from, to)) = &diff.comment {
            self.own(
                Impact::Cosmetic,
                "comment",
                "changed",
                comment_detail(from, to),
            );
        }
        if diff.definition.is_some() {
            self.own(Impact::Breaking, kind, "changed", "query changed".into());
        }
        if let Some((from, to)) = &diff.partition_key {
            self.own(
                Impact::Breaking,
                "partition",
                "changed",
                format!("partition key {} -> {}", or_none(from), or_none(to)),
            );
        }
        if let Some((from, to)) = &diff.partition_of {
            let describe = |p: &Option<carta_catalog::PartitionOf>| match p {
                Some(p) => format!("partition of {} {}", p.parent, p.bound),
                None => "not a partition".to_string(),
            };
            self.own(
                Impact::Breaking,
                "partition",
                "changed",
                format!("{} -> {}", describe(from), describe(to)),
            );
        }
        if let Some((from, to)) = &diff.foreign_server {
            self.own(
                Impact::Breaking,
                kind,
                "changed",
                format!("foreign server {} -> {}", or_none(from), or_none(to)),
            );
        }
        if let Some((from, to)) = &diff.options {
            let describe = |options: &std::collections::BTreeMap<String, String>| {
                if options.is_empty() {
                    "none".to_string()
                } else {
                    options
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            self.own(
                Impact::Breaking,
                "options",
                "changed",
                format!("{} -> {}", describe(from), describe(to)),
            );
        }
        for column in &diff.columns {
            self.column(column, diff.to.kind.is_view());
        }
        if let Some(delta) = &diff.primary_key {
            self.table_object(delta);
        }
        for delta in &diff.foreign_keys {
            self.table_object(delta);
        }
        for delta in &diff.uniques {
            self.table_object(delta);
        }
        for delta in &diff.checks {
            self.table_object(delta);
        }
        for delta in &diff.exclusions {
            self.table_object(delta);
        }
        // An index that backs a constraint changes with it and is reported there.
        for delta in diff.indexes.iter().filter(|d| !backs_constraint(d)) {
            self.table_object(delta);
        }
        if let Some(((was_enabled, was_forced), (enabled, forced))) = diff.row_security {
            let mut parts = Vec::new();
            if was_enabled != enabled {
                parts.push(if enabled { "enabled" } else { "disabled" });
            }
            if was_forced != forced {
                parts.push(if forced { "forced" } else { "no longer forced" });
            }
            self.own(
                Impact::Breaking,
                "rls",
                "changed",
                format!("row-level security {}", parts.join(", ")),
            );
        }
        for delta in &diff.triggers {
            self.table_object(delta);
        }
        for delta in &diff.policies {
            self.table_object(delta);
        }
    }

    fn column(&mut self, change: &ColumnChange, in_view: bool) {
        let name = &change.delta.latest().name;
        let object = qualify(&self.prefix, name);
        let line = |lines: &mut Lines, impact, action, detail| {
            lines.push(impact, object.clone(), name, "column", action, detail)
        };
        match &change.delta {
            Delta::Added(column) => {
                let (impact, detail) = added_column(column, in_view);
                line(self, impact, "added", detail);
            }
            Delta::Removed(_) => line(self, Impact::Breaking, "removed", String::new()),
            Delta::Changed { from, to } | Delta::Renamed { from, to } => {
                let renamed = matches!(change.delta, Delta::Renamed { .. });
                let mut parts = column_field_parts(from, to, &change.fields);
                if renamed {
                    parts.insert(0, (Impact::Breaking, format!("from {}", from.name)));
                }
                if let Some((impact, detail)) = combine(parts) {
                    line(
                        self,
                        impact,
                        if renamed { "renamed" } else { "changed" },
                        detail,
                    );
                }
                if change.fields.contains(&ColumnField::Comment) {
                    self.comment(name, &from.comment, &to.comment);
                }
            }
        }
    }

    fn table_object<T: TableObject>(&mut self, delta: &Delta<T>) {
        let label = delta.latest().label();
        let object = format!("{} {} {label}", self.prefix, T::KIND.replace('_', " "));
        let (impact, action, detail) = match delta {
            Delta::Added(item) => (item.added_impact(), "added", item.describe()),
            Delta::Removed(item) => (item.removed_impact(), "removed", item.describe()),
            Delta::Renamed { from, .. } => (
                Impact::Cosmetic,
                "renamed",
                format!("from {}", from.label()),
            ),
            Delta::Changed { from, to } if from.anonymous() == to.anonymous() => {
                let (from, to) = (from.comment(), to.comment());
                (Impact::Cosmetic, "changed", comment_detail(&from, &to))
            }
            Delta::Changed { from, to } => {
                let (impact, detail) = to.changed_from(from);
                (impact, "changed", detail)
            }
        };
        self.push(impact, object, &label, T::KIND, action, detail);
    }
}

fn qualify(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn backs_constraint(delta: &Delta<Index>) -> bool {
    match delta {
        Delta::Added(i) | Delta::Removed(i) => i.constraint.is_some(),
        Delta::Changed { from, to } | Delta::Renamed { from, to } => {
            from.constraint.is_some() || to.constraint.is_some()
        }
    }
}

fn table_kind(kind: TableKind) -> &'static str {
    match kind {
        TableKind::View => "view",
        TableKind::MaterializedView => "materialized_view",
        TableKind::Table | TableKind::PartitionedTable | TableKind::ForeignTable => "table",
    }
}

fn table_kind_words(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Table => "table",
        TableKind::PartitionedTable => "partitioned table",
        TableKind::ForeignTable => "foreign table",
        TableKind::View => "view",
        TableKind::MaterializedView => "materialized view",
    }
}

fn or_none(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("none")
}

/// A unit enum variant spelled as the SQL keyword it stands for (`Select` as `SELECT`).
fn keyword(value: impl std::fmt::Debug) -> String {
    format!("{value:?}").to_uppercase()
}

fn parenthesized(expression: &Option<String>) -> String {
    expression
        .as_ref()
        .map_or("none".to_string(), |e| format!("({e})"))
}

fn comment_detail(from: &Option<String>, to: &Option<String>) -> String {
    match (from, to) {
        (None, Some(_)) => "comment added".into(),
        (Some(_), None) => "comment removed".into(),
        _ => "comment changed".into(),
    }
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The impact of a new list of allowed values (an enum's, or a CHECK's
/// `IN (...)` list): only additions keep every stored row and every
/// client's value valid; the order matters for enums, which sort by it.
fn value_list_change(from: &[String], to: &[String]) -> (Impact, String) {
    let removed: Vec<String> = from.iter().filter(|v| !to.contains(v)).cloned().collect();
    let added: Vec<String> = to.iter().filter(|v| !from.contains(v)).cloned().collect();
    let kept_old: Vec<&String> = from.iter().filter(|v| to.contains(v)).collect();
    let kept_new: Vec<&String> = to.iter().filter(|v| from.contains(v)).collect();
    let mut parts = Vec::new();
    if !removed.is_empty() {
        parts.push((
            Impact::Breaking,
            format!("values removed: {}", quoted_list(&removed)),
        ));
    }
    if kept_old != kept_new {
        parts.push((Impact::Breaking, "values reordered".to_string()));
    }
    if !added.is_empty() {
        parts.push((
            Impact::Additive,
            format!("values added: {}", quoted_list(&added)),
        ));
    }
    combine(parts).unwrap_or((Impact::Cosmetic, String::new()))
}

/// The most severe impact of the parts and their details joined, or `None` without parts.
fn combine(parts: Vec<(Impact, String)>) -> Option<(Impact, String)> {
    let impact = parts.iter().map(|(impact, _)| *impact).min()?;
    let detail = parts
        .into_iter()
        .map(|(_, detail)| detail)
        .collect::<Vec<_>>()
        .join(", ");
    Some((impact, detail))
}

fn added_column(column: &Column, in_view: bool) -> (Impact, String) {
    let mut detail = column.data_type.clone();
    if !column.nullable {
        detail.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        detail.push_str(&format!(" DEFAULT {default}"));
    }
    let fills_itself =
        column.default.is_some() || column.identity.is_some() || column.generated.is_some();
    if column.nullable || fills_itself || in_view {
        (Impact::Additive, detail)
    } else {
        detail.push_str(" without a default: inserts that omit it fail");
        (Impact::Breaking, detail)
    }
}

/// One (impact, detail) per changed column property other than the comment.
fn column_field_parts(from: &Column, to: &Column, fields: &[ColumnField]) -> Vec<(Impact, String)> {
    fields
        .iter()
        .filter_map(|field| match field {
            ColumnField::DataType => {
                let widening = widens(&from.logical_type, &to.logical_type);
                let detail = format!("type {} -> {}", from.data_type, to.data_type);
                Some(if widening {
                    (Impact::Additive, format!("{detail} (widening)"))
                } else {
                    (Impact::Breaking, detail)
                })
            }
            ColumnField::Nullable => Some(if to.nullable {
                (Impact::Additive, "now nullable".to_string())
            } else {
                (Impact::Breaking, "now NOT NULL".to_string())
            }),
            ColumnField::Default => Some(match (&from.default, &to.default) {
                (Some(old), None) => (Impact::Breaking, format!("default {old} removed")),
                (None, Some(new)) => (Impact::Additive, format!("default {new} added")),
                (old, new) => (
                    Impact::Additive,
                    format!("default {} -> {}", or_none(old), or_none(new)),
                ),
            }),
            ColumnField::Identity => Some(match to.identity {
                Some(Identity::Always) => (
                    Impact::Breaking,
                    "now GENERATED ALWAYS AS IDENTITY".to_string(),
                ),
                Some(Identity::ByDefault) => (
                    Impact::Additive,
                    "now GENERATED BY DEFAULT AS IDENTITY".to_string(),
                ),
                None => (Impact::Breaking, "identity removed".to_string()),
            }),
            ColumnField::Generated => Some((
                Impact::Breaking,
                match &to.generated {
                    Some(g) => format!("now generated as ({})", g.expression),
                    None => "no longer generated".to_string(),
                },
            )),
            ColumnField::Collation => Some((
                Impact::Breaking,
                format!(
                    "collation {} -> {}",
                    or_none(&from.collation),
                    or_none(&to.collation)
                ),
            )),
            ColumnField::Comment => None,
        })
        .collect()
}

/// Whether every value of `from` fits `to` unchanged: a longer or unbounded
/// string, a wider integer, more decimal digits on both sides of the point,
/// double precision from single.
fn widens(from: &LogicalType, to: &LogicalType) -> bool {
    use LogicalType as T;
    match (from, to) {
        (
            T::Integer {
                bits: a,
                unsigned: from_unsigned,
            },
            T::Integer {
                bits: b,
                unsigned: to_unsigned,
            },
        ) => b > a && (from_unsigned == to_unsigned || (*from_unsigned && !to_unsigned)),
        (
            T::Integer { .. },
            T::Decimal {
                precision: None,
                scale: None,
            },
        ) => true,
        (
            T::Text {
                max_length: Some(a),
                fixed: false,
            },
            T::Text {
                max_length: b,
                fixed: false,
            },
        )
        | (
            T::Binary {
                max_length: Some(a),
            },
            T::Binary { max_length: b },
        ) => b.is_none_or(|b| b > *a),
        (
            T::Decimal {
                precision: Some(p),
                scale: s,
            },
            T::Decimal {
                precision: q,
                scale: t,
            },
        ) => match (q, t) {
            (None, None) => true,
            (Some(q), t) => {
                let (s, t) = (s.unwrap_or(0), t.unwrap_or(0));
                t >= s && q.saturating_sub(t) >= p.saturating_sub(s) && q > p
            }
            (None, Some(_)) => false,
        },
        (T::Float { bits: a }, T::Float { bits: b }) => b > a,
        (T::Array { element: a }, T::Array { element: b }) => widens(a, b),
        _ => false,
    }
}

/// A domain's properties in the shape of a column, to classify them the same way.
fn domain_as_column(domain: &Domain) -> Column {
    Column {
        name: domain.name.clone(),
        data_type: domain.data_type.clone(),
        logical_type: domain.logical_type.clone(),
        nullable: domain.nullable,
        default: domain.default.clone(),
        identity: None,
        generated: None,
        collation: domain.collation.clone(),
        comment: domain.comment.clone(),
    }
}

fn sequence_parts(from: &Sequence, to: &Sequence) -> Vec<(Impact, String)> {
    let mut parts = Vec::new();
    let mut compare = |name: &str, old: String, new: String, narrows: bool| {
        if old != new {
            let impact = if narrows {
                Impact::Breaking
            } else {
                Impact::Additive
            };
            parts.push((impact, format!("{name} {old} -> {new}")));
        }
    };
    compare("type", from.data_type.clone(), to.data_type.clone(), true);
    compare(
        "increment",
        from.increment.to_string(),
        to.increment.to_string(),
        true,
    );
    compare(
        "min_value",
        from.min_value.to_string(),
        to.min_value.to_string(),
        to.min_value > from.min_value,
    );
    compare(
        "max_value",
        from.max_value.to_string(),
        to.max_value.to_string(),
        to.max_value < from.max_value,
    );
    compare("cycle", from.cycle.to_string(), to.cycle.to_string(), true);
    compare("start", from.start.to_string(), to.start.to_string(), false);
    compare("cache", from.cache.to_string(), to.cache.to_string(), false);
    let owner = |s: &Sequence| {
        s.owned_by
            .as_ref()
            .map_or("none".to_string(), |o| format!("{}.{}", o.table, o.column))
    };
    compare("owned by", owner(from), owner(to), false);
    parts
}

fn function_differences(from: &Function, to: &Function) -> Vec<String> {
    let mut differences = Vec::new();
    if from.kind != to.kind {
        differences.push(format!("kind {:?} -> {:?}", from.kind, to.kind).to_lowercase());
    }
    if from.returns != to.returns {
        differences.push(format!(
            "returns {} -> {}",
            or_none(&from.returns),
            or_none(&to.returns)
        ));
    }
    if from.language != to.language {
        differences.push(format!("language {} -> {}", from.language, to.language));
    }
    if from.volatility != to.volatility {
        differences.push("volatility changed".into());
    }
    if from.security_definer != to.security_definer {
        differences.push(
            if to.security_definer {
                "now SECURITY DEFINER"
            } else {
                "now SECURITY INVOKER"
            }
            .into(),
        );
    }
    if from.body != to.body {
        differences.push("body changed".into());
    }
    differences
}

fn describe_all(checks: &[CheckConstraint]) -> String {
    if checks.is_empty() {
        return "none".into();
    }
    checks
        .iter()
        .map(TableObject::describe)
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A constraint, index, trigger or policy of a table, for reports.
trait TableObject: Renamable {
    const KIND: &'static str;
    /// The text that defines it, e.g. `UNIQUE (email)`.
    fn describe(&self) -> String;
    fn comment(&self) -> Option<String>;
    /// Its name, or for an unnamed constraint (SQLite) its definition.
    fn label(&self) -> String {
        self.name().unwrap_or_else(|| self.describe())
    }
    /// Adding a rule: existing rows may violate it, writers may be rejected.
    fn added_impact(&self) -> Impact {
        Impact::Breaking
    }
    /// Dropping a rule loosens it.
    fn removed_impact(&self) -> Impact {
        Impact::Additive
    }
    /// A changed definition: Carta cannot tell a tightening from a loosening in general.
    fn changed_from(&self, from: &Self) -> (Impact, String) {
        (
            Impact::Breaking,
            format!("{} -> {}", from.describe(), self.describe()),
        )
    }
}

fn column_list(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}

impl TableObject for PrimaryKey {
    const KIND: &'static str = "primary_key";
    fn describe(&self) -> String {
        format!("PRIMARY KEY {}", column_list(&self.columns))
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
}

impl TableObject for ForeignKey {
    const KIND: &'static str = "foreign_key";
    fn describe(&self) -> String {
        let mut text = format!(
            "FOREIGN KEY {} REFERENCES {} {}",
            column_list(&self.columns),
            self.referenced_table,
            column_list(&self.referenced_columns)
        );
        // `SetNull` as ` SET NULL`: a space before each word, upper case.
        let action = |a: carta_catalog::ReferentialAction| {
            format!("{a:?}")
                .chars()
                .flat_map(|c| {
                    let space = c.is_uppercase().then_some(' ');
                    space.into_iter().chain(c.to_uppercase())
                })
                .collect::<String>()
        };
        if self.on_update != carta_catalog::ReferentialAction::NoAction {
            text.push_str(&format!(" ON UPDATE{}", action(self.on_update)));
        }
        if self.on_delete != carta_catalog::ReferentialAction::NoAction {
            text.push_str(&format!(" ON DELETE{}", action(self.on_delete)));
        }
        if self.deferrable {
            text.push_str(" DEFERRABLE");
        }
        text
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
}

impl TableObject for UniqueConstraint {
    const KIND: &'static str = "unique";
    fn describe(&self) -> String {
        let nulls = if self.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        };
        format!("UNIQUE{nulls} {}", column_list(&self.columns))
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
}

impl TableObject for CheckConstraint {
    const KIND: &'static str = "check";
    fn describe(&self) -> String {
        format!("CHECK ({})", self.expression)
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
    /// A value list that only grows (`x IN ('a', 'b')` to `x IN ('a', 'b', 'c')`) accepts every row it did.
    fn changed_from(&self, from: &Self) -> (Impact, String) {
        match (value_list(&from.expression), value_list(&self.expression)) {
            (Some(old), Some(new)) if old.prefix == new.prefix && old.suffix == new.suffix => {
                value_list_change(&old.values, &new.values)
            }
            _ => (
                Impact::Breaking,
                format!("{} -> {}", from.describe(), self.describe()),
            ),
        }
    }
}

impl TableObject for ExclusionConstraint {
    const KIND: &'static str = "exclusion";
    fn describe(&self) -> String {
        let elements = self
            .elements
            .iter()
            .map(|e| format!("{} WITH {}", e.expression, e.operator))
            .collect::<Vec<_>>()
            .join(", ");
        let mut text = format!("EXCLUDE USING {} ({elements})", self.method);
        if let Some(predicate) = &self.predicate {
            text.push_str(&format!(" WHERE ({predicate})"));
        }
        text
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
}

impl TableObject for Index {
    const KIND: &'static str = "index";
    fn describe(&self) -> String {
        let keys = self
            .keys
            .iter()
            .map(|key| match key {
                IndexKey::Column { name, options } => (name.clone(), options),
                IndexKey::Expression {
                    expression,
                    options,
                } => (format!("({expression})"), options),
            })
            .map(|(text, options)| {
                if options.descending {
                    format!("{text} DESC")
                } else {
                    text
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let unique = if self.unique { "UNIQUE " } else { "" };
        let mut text = format!("{unique}{} ({keys})", self.method);
        if !self.include.is_empty() {
            text.push_str(&format!(" INCLUDE {}", column_list(&self.include)));
        }
        if let Some(predicate) = &self.predicate {
            text.push_str(&format!(" WHERE ({predicate})"));
        }
        text
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
    /// A unique index rejects duplicates that existing rows may have; a plain one only changes speed.
    fn added_impact(&self) -> Impact {
        if self.unique {
            Impact::Breaking
        } else {
            Impact::Additive
        }
    }
    fn changed_from(&self, from: &Self) -> (Impact, String) {
        let impact = self.added_impact();
        (
            impact,
            format!("{} -> {}", from.describe(), self.describe()),
        )
    }
}

impl TableObject for Trigger {
    const KIND: &'static str = "trigger";
    fn describe(&self) -> String {
        let timing = format!("{:?}", self.timing)
            .to_uppercase()
            .replace("INSTEADOF", "INSTEAD OF");
        let events = self
            .events
            .iter()
            .map(keyword)
            .collect::<Vec<_>>()
            .join(" OR ");
        let each = if self.for_each_row {
            "ROW"
        } else {
            "STATEMENT"
        };
        let mut text = format!("{timing} {events} FOR EACH {each}");
        if let Some(when) = &self.when {
            text.push_str(&format!(" WHEN ({when})"));
        }
        if let Some(function) = &self.function {
            text.push_str(&format!(" EXECUTE {function}()"));
        }
        text
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
    /// Writers depend on what a trigger does, both when one appears and when it goes.
    fn removed_impact(&self) -> Impact {
        Impact::Breaking
    }
}

impl TableObject for Policy {
    const KIND: &'static str = "policy";
    fn describe(&self) -> String {
        let mut text = format!(
            "{} FOR {} TO {}",
            if self.permissive {
                "PERMISSIVE"
            } else {
                "RESTRICTIVE"
            },
            keyword(self.command),
            self.roles.join(", ")
        );
        if let Some(using) = &self.using {
            text.push_str(&format!(" USING ({using})"));
        }
        if let Some(check) = &self.with_check {
            text.push_str(&format!(" WITH CHECK ({check})"));
        }
        text
    }
    fn comment(&self) -> Option<String> {
        self.comment.clone()
    }
    /// Which rows each role sees changes either way.
    fn removed_impact(&self) -> Impact {
        Impact::Breaking
    }
    /// Only the parts that differ: policy expressions are long.
    fn changed_from(&self, from: &Self) -> (Impact, String) {
        let mut parts = Vec::new();
        if from.command != self.command {
            parts.push(format!(
                "command {} -> {}",
                keyword(from.command),
                keyword(self.command)
            ));
        }
        if from.permissive != self.permissive {
            parts.push(
                if self.permissive {
                    "now permissive"
                } else {
                    "now restrictive"
                }
                .into(),
            );
        }
        if from.roles != self.roles {
            parts.push(format!(
                "roles {} -> {}",
                from.roles.join(", "),
                self.roles.join(", ")
            ));
        }
        if from.using != self.using {
            parts.push(format!(
                "USING {} -> {}",
                parenthesized(&from.using),
                parenthesized(&self.using)
            ));
        }
        if from.with_check != self.with_check {
            parts.push(format!(
                "WITH CHECK {} -> {}",
                parenthesized(&from.with_check),
                parenthesized(&self.with_check)
            ));
        }
        (Impact::Breaking, parts.join(", "))
    }
}

/// A CHECK expression of the form `PREFIX IN ('a', 'b')SUFFIX`.
struct ValueList<'a> {
    prefix: &'a str,
    values: Vec<String>,
    suffix: &'a str,
}

/// Splits the one `IN (...)` list of literals out of a canonical CHECK expression.
fn value_list(expression: &str) -> Option<ValueList<'_>> {
    let start = expression.find(" IN (")?;
    let list_start = start + " IN (".len();
    let mut values = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = expression[list_start..].char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        match c {
            '\'' if in_quotes && chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                current.push_str("''");
                chars.next();
            }
            '\'' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            ',' if !in_quotes => values.push(std::mem::take(&mut current)),
            ')' if !in_quotes => {
                values.push(current);
                let values = values
                    .into_iter()
                    .map(|v| v.trim().trim_matches('\'').to_string())
                    .collect();
                return Some(ValueList {
                    prefix: &expression[..start],
                    values,
                    suffix: &expression[list_start + offset + 1..],
                });
            }
            '(' if !in_quotes => return None,
            _ => current.push(c),
        }
    }
    None
}
