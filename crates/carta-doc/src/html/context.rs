//! What the page templates see: the Catalog flattened into display-ready
//! rows (links resolved, lists joined), so templates only lay things out.

use super::{anchor, HtmlOptions, PagePaths};
use carta_catalog::{
    Catalog, Column, ForeignKey, Identity, IndexKey, LogicalType, PolicyCommand, QualifiedName,
    ReferentialAction, Relation, RelationGraph, RelationKind, Table, TableKind, TriggerEvent,
    TriggerTiming,
};
use carta_erd::{Diagram, ErdOptions};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
pub(super) struct Site<'a> {
    title: &'a str,
    /// Prefix from the page to the site root: `""` or `"../"`.
    root: &'static str,
}

#[derive(Serialize)]
pub(super) struct IndexPage<'a> {
    site: Site<'a>,
    source: Option<String>,
    stats: Vec<Stat>,
    schemas: Vec<SchemaEntry>,
    enums: Vec<EnumEntry>,
    diagram: String,
    diagram_tables: usize,
    /// The whole diagram shows key columns only.
    diagram_keys_only: bool,
}

#[derive(Serialize)]
struct Stat {
    label: &'static str,
    value: usize,
}

#[derive(Serialize)]
struct SchemaEntry {
    name: String,
    anchor: String,
    comment: Option<String>,
    tables: Vec<TableEntry>,
}

#[derive(Serialize)]
struct TableEntry {
    name: String,
    href: Option<String>,
    kind: &'static str,
    columns: usize,
    references: usize,
    referenced_by: usize,
    rows: Option<String>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct EnumEntry {
    name: String,
    anchor: String,
    values: Vec<String>,
    comment: Option<String>,
}

/// What every page of a site shares, computed once.
pub(super) struct Shared<'a> {
    pub catalog: &'a Catalog,
    pub relations: &'a RelationGraph,
    pub pages: PagePaths,
    pub title: String,
    pub options: &'a HtmlOptions,
    /// Parent table to its partitions and their bounds, in Catalog order.
    partitions: HashMap<QualifiedName, Vec<(QualifiedName, &'a str)>>,
}

impl<'a> Shared<'a> {
    pub fn new(
        catalog: &'a Catalog,
        relations: &'a RelationGraph,
        title: String,
        options: &'a HtmlOptions,
    ) -> Shared<'a> {
        let mut partitions: HashMap<QualifiedName, Vec<(QualifiedName, &str)>> = HashMap::new();
        for (schema, table) in catalog.tables() {
            if let Some(of) = &table.partition_of {
                partitions.entry(of.parent.clone()).or_default().push((
                    QualifiedName::new(&schema.name, &table.name),
                    of.bound.as_str(),
                ));
            }
        }
        Shared {
            catalog,
            relations,
            pages: PagePaths::new(catalog),
            title,
            options,
            partitions,
        }
    }
}

pub(super) fn index<'a>(shared: &'a Shared<'_>) -> IndexPage<'a> {
    let Shared {
        catalog,
        relations,
        pages,
        title,
        options,
        ..
    } = shared;
    let stats = catalog.stats();
    let stats = [
        ("schemas", stats.schemas),
        ("tables", stats.tables),
        ("views", stats.views),
        ("partitions", stats.partitions),
        ("columns", stats.columns),
        ("foreign keys", stats.foreign_keys),
        ("indexes", stats.indexes),
        ("enums", stats.enums),
    ]
    .into_iter()
    .filter(|&(_, value)| value > 0)
    .map(|(label, value)| Stat { label, value })
    .collect();
    let schemas = catalog
        .schemas
        .iter()
        .map(|schema| SchemaEntry {
            name: schema.name.clone(),
            anchor: anchor("schema", &schema.name),
            comment: schema.comment.clone(),
            tables: schema
                .tables
                .iter()
                .map(|table| {
                    let name = QualifiedName::new(&schema.name, &table.name);
                    TableEntry {
                        href: pages.href_from_root(&name),
                        kind: kind_label(table),
                        columns: table.columns.len(),
                        references: relations.outgoing(&name).count(),
                        referenced_by: relations.incoming(&name).count(),
                        rows: table.row_estimate.and_then(format_count),
                        comment: table.comment.clone(),
                        name: table.name.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let enums = catalog
        .schemas
        .iter()
        .flat_map(|schema| {
            schema.enums.iter().map(move |e| {
                let name = QualifiedName::new(&schema.name, &e.name);
                EnumEntry {
                    anchor: enum_anchor(&name),
                    name: name.to_string(),
                    values: e.values.clone(),
                    comment: e.comment.clone(),
                }
            })
        })
        .collect();
    // A large database's whole diagram shows key columns only, as in
    // Markdown: legible, and small enough to inline in the page.
    let keys_only = options.erd.keys_only || catalog.tables().count() > options.keys_only_above;
    let diagram = Diagram::whole(catalog, relations, &ErdOptions { keys_only });
    IndexPage {
        site: Site { title, root: "" },
        source: catalog.source.as_ref().map(|s| match &s.server_version {
            Some(version) => format!("{} ({version})", s.location),
            None => s.location.clone(),
        }),
        stats,
        schemas,
        enums,
        diagram: diagram.to_svg(&|t| pages.href_from_root(t)),
        diagram_tables: diagram.tables.len(),
        diagram_keys_only: keys_only,
    }
}

#[derive(Serialize)]
pub(super) struct TablePage<'a> {
    site: Site<'a>,
    name: String,
    schema: String,
    schema_anchor: String,
    table: String,
    kind: &'static str,
    comment: Option<String>,
    facts: Vec<Fact>,
    columns: Vec<ColumnRow>,
    primary_key: Option<Constraint>,
    foreign_keys: Vec<Link>,
    referenced_by: Vec<Link>,
    uniques: Vec<Constraint>,
    checks: Vec<Constraint>,
    exclusions: Vec<Constraint>,
    indexes: Vec<IndexRow>,
    triggers: Vec<TriggerRow>,
    row_security: Option<RowSecurityBlock>,
    partitions: Vec<PartitionRow>,
    definition: Option<String>,
    diagram: String,
    diagram_tables: usize,
    distance: usize,
}

/// A labelled fact in the page header, e.g. the partition key.
#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct ColumnRow {
    name: String,
    anchor: String,
    data_type: String,
    type_href: Option<String>,
    nullable: bool,
    primary_key: bool,
    default: Option<String>,
    /// Identity, generated expression, collation.
    notes: Vec<String>,
    references: Vec<Target>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct Target {
    label: String,
    href: Option<String>,
}

/// A primary key, unique, check or exclusion constraint.
#[derive(Serialize)]
struct Constraint {
    name: Option<String>,
    definition: String,
    notes: Vec<String>,
    comment: Option<String>,
}

/// One relation seen from this table: outgoing (a foreign key) or incoming.
#[derive(Serialize)]
struct Link {
    name: Option<String>,
    columns: String,
    other: String,
    other_columns: String,
    href: Option<String>,
    actions: Vec<String>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct IndexRow {
    name: String,
    unique: bool,
    method: String,
    keys: String,
    notes: Vec<String>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct TriggerRow {
    name: String,
    when: String,
    action: Option<String>,
    body: Option<String>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct RowSecurityBlock {
    enabled: bool,
    forced: bool,
    policies: Vec<PolicyRow>,
}

#[derive(Serialize)]
struct PolicyRow {
    name: String,
    command: &'static str,
    permissive: bool,
    roles: String,
    using: Option<String>,
    with_check: Option<String>,
    comment: Option<String>,
}

#[derive(Serialize)]
struct PartitionRow {
    name: String,
    href: Option<String>,
    bound: String,
}

pub(super) fn table<'a>(
    shared: &'a Shared<'_>,
    name: &QualifiedName,
    table: &Table,
) -> TablePage<'a> {
    let Shared {
        catalog,
        relations,
        pages,
        title,
        options,
        ..
    } = shared;
    let link_to = |other: &QualifiedName| pages.href_from_table_page(other);
    let primary: Vec<&str> = table
        .primary_key
        .iter()
        .flat_map(|pk| pk.columns.iter().map(String::as_str))
        .collect();
    let columns = table
        .columns
        .iter()
        .map(|column| ColumnRow {
            name: column.name.clone(),
            anchor: anchor("col", &column.name),
            data_type: column.data_type.clone(),
            type_href: enum_name(&column.logical_type)
                .map(|e| format!("../index.html#{}", enum_anchor(e))),
            nullable: column.nullable,
            primary_key: primary.contains(&column.name.as_str()),
            default: column.default.clone(),
            notes: column_notes(column),
            references: relations
                .outgoing(name)
                .filter(|r| r.from_columns.contains(&column.name))
                .map(|r| {
                    let position = r.from_columns.iter().position(|c| *c == column.name);
                    let target_column = position.and_then(|i| r.to_columns.get(i));
                    Target {
                        label: match target_column {
                            Some(c) => format!("{}.{c}", r.to),
                            None => r.to.to_string(),
                        },
                        href: link_to(&r.to),
                    }
                })
                .collect(),
            comment: column.comment.clone(),
        })
        .collect();
    let foreign_keys = relations
        .outgoing(name)
        .map(|r| Link {
            name: r.name.clone(),
            columns: r.from_columns.join(", "),
            other: r.to.to_string(),
            other_columns: r.to_columns.join(", "),
            href: link_to(&r.to),
            actions: relation_actions(r, declared_key(table, r)),
            comment: declared_key(table, r).and_then(|fk| fk.comment.clone()),
        })
        .collect();
    let referenced_by = relations
        .incoming(name)
        .map(|r| Link {
            name: r.name.clone(),
            columns: r.to_columns.join(", "),
            other: r.from.to_string(),
            other_columns: r.from_columns.join(", "),
            href: link_to(&r.from),
            actions: relation_actions(r, None),
            comment: None,
        })
        .collect();
    let partitions = shared
        .partitions
        .get(name)
        .into_iter()
        .flatten()
        .map(|(child, bound)| PartitionRow {
            href: link_to(child),
            name: child.to_string(),
            bound: (*bound).to_string(),
        })
        .collect();
    let diagram = Diagram::neighbourhood(
        catalog,
        relations,
        name,
        options.neighbourhood_distance,
        &options.erd,
    );
    TablePage {
        site: Site { title, root: "../" },
        name: name.to_string(),
        schema: name.schema.clone(),
        schema_anchor: anchor("schema", &name.schema),
        table: name.name.clone(),
        kind: kind_label(table),
        comment: table.comment.clone(),
        facts: facts(table, &link_to),
        columns,
        primary_key: table.primary_key.as_ref().map(|pk| Constraint {
            name: pk.name.clone(),
            definition: pk.columns.join(", "),
            notes: Vec::new(),
            comment: pk.comment.clone(),
        }),
        foreign_keys,
        referenced_by,
        uniques: table
            .uniques
            .iter()
            .map(|u| Constraint {
                name: u.name.clone(),
                definition: u.columns.join(", "),
                notes: [
                    (u.nulls_not_distinct, "nulls not distinct"),
                    (u.deferrable, "deferrable"),
                    (u.initially_deferred, "initially deferred"),
                ]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, note)| note.to_string())
                .collect(),
                comment: u.comment.clone(),
            })
            .collect(),
        checks: table
            .checks
            .iter()
            .map(|c| Constraint {
                name: c.name.clone(),
                definition: c.expression.clone(),
                notes: Vec::new(),
                comment: c.comment.clone(),
            })
            .collect(),
        exclusions: table
            .exclusions
            .iter()
            .map(|x| Constraint {
                name: Some(x.name.clone()),
                definition: format!(
                    "USING {} ({})",
                    x.method,
                    x.elements
                        .iter()
                        .map(|e| format!("{} WITH {}", e.expression, e.operator))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                notes: x.predicate.iter().map(|p| format!("where {p}")).collect(),
                comment: x.comment.clone(),
            })
            .collect(),
        indexes: table.indexes.iter().map(index_row).collect(),
        triggers: table
            .triggers
            .iter()
            .map(|t| TriggerRow {
                name: t.name.clone(),
                when: trigger_when(t),
                action: t.function.as_ref().map(|f| format!("{f}()")),
                body: t.body.clone(),
                comment: t.comment.clone(),
            })
            .collect(),
        row_security: (!table.row_security.is_off()).then(|| RowSecurityBlock {
            enabled: table.row_security.enabled,
            forced: table.row_security.forced,
            policies: table
                .row_security
                .policies
                .iter()
                .map(|p| PolicyRow {
                    name: p.name.clone(),
                    command: policy_command(p.command),
                    permissive: p.permissive,
                    roles: p.roles.join(", "),
                    using: p.using.clone(),
                    with_check: p.with_check.clone(),
                    comment: p.comment.clone(),
                })
                .collect(),
        }),
        partitions,
        definition: table.definition.clone(),
        diagram: diagram.to_svg(&|t| link_to(t)),
        diagram_tables: diagram.tables.len(),
        distance: options.neighbourhood_distance,
    }
}

fn facts(table: &Table, link_to: &dyn Fn(&QualifiedName) -> Option<String>) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut fact = |label, value: String, href| facts.push(Fact { label, value, href });
    if let Some(rows) = table.row_estimate.and_then(format_count) {
        fact("estimated rows", rows, None);
    }
    if let Some(key) = &table.partition_key {
        fact("partitioned by", key.clone(), None);
    }
    if let Some(of) = &table.partition_of {
        fact("partition of", of.parent.to_string(), link_to(&of.parent));
        fact("bound", of.bound.clone(), None);
    }
    if let Some(server) = &table.foreign_server {
        fact("foreign server", server.clone(), None);
    }
    for (key, value) in &table.options {
        fact("option", format!("{key} = {value}"), None);
    }
    facts
}

fn column_notes(column: &Column) -> Vec<String> {
    let mut notes = Vec::new();
    match column.identity {
        Some(Identity::Always) => notes.push("identity (always)".to_string()),
        Some(Identity::ByDefault) => notes.push("identity (by default)".to_string()),
        None => {}
    }
    if let Some(generated) = &column.generated {
        let how = if generated.stored {
            "stored"
        } else {
            "virtual"
        };
        notes.push(format!("generated ({how}): {}", generated.expression));
    }
    if let Some(collation) = &column.collation {
        notes.push(format!("collation {collation}"));
    }
    notes
}

/// The foreign key a relation comes from; virtual relations have none.
fn declared_key<'t>(table: &'t Table, relation: &Relation) -> Option<&'t ForeignKey> {
    table.foreign_keys.iter().find(|fk| {
        fk.name == relation.name
            && fk.columns == relation.from_columns
            && fk.referenced_table == relation.to
    })
}

fn relation_actions(relation: &Relation, key: Option<&ForeignKey>) -> Vec<String> {
    let mut actions = vec![format!("on delete {}", action_label(relation.on_delete))];
    if relation.kind == RelationKind::Virtual {
        actions.push("virtual: declared in configuration, not by the database".to_string());
    }
    if let Some(fk) = key {
        if fk.on_update != ReferentialAction::NoAction {
            actions.push(format!("on update {}", action_label(fk.on_update)));
        }
        if fk.deferrable {
            actions.push(
                if fk.initially_deferred {
                    "deferrable, initially deferred"
                } else {
                    "deferrable"
                }
                .to_string(),
            );
        }
    }
    actions
}

fn index_row(index: &carta_catalog::Index) -> IndexRow {
    let keys = index
        .keys
        .iter()
        .map(|key| {
            let (text, options) = match key {
                IndexKey::Column { name, options } => (name.clone(), options),
                IndexKey::Expression {
                    expression,
                    options,
                } => (format!("({expression})"), options),
            };
            let mut text = text;
            if let Some(length) = options.prefix_length {
                text.push_str(&format!("({length})"));
            }
            if let Some(opclass) = &options.opclass {
                text.push_str(&format!(" {opclass}"));
            }
            if options.descending {
                text.push_str(" DESC");
            }
            match options.nulls_first {
                Some(true) => text.push_str(" NULLS FIRST"),
                Some(false) => text.push_str(" NULLS LAST"),
                None => {}
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut notes = Vec::new();
    if let Some(constraint) = &index.constraint {
        notes.push(format!("backs constraint {constraint}"));
    }
    if !index.include.is_empty() {
        notes.push(format!("include ({})", index.include.join(", ")));
    }
    if let Some(predicate) = &index.predicate {
        notes.push(format!("where {predicate}"));
    }
    if index.nulls_not_distinct {
        notes.push("nulls not distinct".to_string());
    }
    IndexRow {
        name: index.name.clone(),
        unique: index.unique,
        method: index.method.clone(),
        keys,
        notes,
        comment: index.comment.clone(),
    }
}

fn trigger_when(trigger: &carta_catalog::Trigger) -> String {
    let timing = match trigger.timing {
        TriggerTiming::Before => "before",
        TriggerTiming::After => "after",
        TriggerTiming::InsteadOf => "instead of",
    };
    let events = trigger
        .events
        .iter()
        .map(|e| match e {
            TriggerEvent::Insert => "insert".to_string(),
            TriggerEvent::Update if !trigger.update_columns.is_empty() => {
                format!("update of {}", trigger.update_columns.join(", "))
            }
            TriggerEvent::Update => "update".to_string(),
            TriggerEvent::Delete => "delete".to_string(),
            TriggerEvent::Truncate => "truncate".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" or ");
    let level = if trigger.for_each_row {
        "for each row"
    } else {
        "for each statement"
    };
    let mut text = format!("{timing} {events}, {level}");
    if let Some(condition) = &trigger.when {
        text.push_str(&format!(", when {condition}"));
    }
    text
}

fn policy_command(command: PolicyCommand) -> &'static str {
    match command {
        PolicyCommand::All => "all",
        PolicyCommand::Select => "select",
        PolicyCommand::Insert => "insert",
        PolicyCommand::Update => "update",
        PolicyCommand::Delete => "delete",
    }
}

fn action_label(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::NoAction => "no action",
        ReferentialAction::Restrict => "restrict",
        ReferentialAction::Cascade => "cascade",
        ReferentialAction::SetNull => "set null",
        ReferentialAction::SetDefault => "set default",
    }
}

pub(super) fn kind_label(table: &Table) -> &'static str {
    match table.kind {
        _ if table.partition_of.is_some() => "partition",
        TableKind::Table => "table",
        TableKind::PartitionedTable => "partitioned table",
        TableKind::ForeignTable => "foreign table",
        TableKind::View => "view",
        TableKind::MaterializedView => "materialized view",
    }
}

/// The named enum a column's type is (or is an array of).
fn enum_name(logical: &LogicalType) -> Option<&QualifiedName> {
    match logical {
        LogicalType::Enum { name, .. } => name.as_ref(),
        LogicalType::Array { element } => enum_name(element),
        _ => None,
    }
}

pub(super) fn enum_anchor(name: &QualifiedName) -> String {
    anchor("enum", &name.to_string())
}

/// `1234567` as `1,234,567`; `None` for the negative "unknown" some servers report.
fn format_count(n: i64) -> Option<String> {
    let digits = u64::try_from(n).ok()?.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::format_count;

    #[test]
    fn counts_are_grouped_by_thousands_and_unknown_is_none() {
        assert_eq!(format_count(0).as_deref(), Some("0"));
        assert_eq!(format_count(999).as_deref(), Some("999"));
        assert_eq!(format_count(1000).as_deref(), Some("1,000"));
        assert_eq!(format_count(1234567).as_deref(), Some("1,234,567"));
        assert_eq!(format_count(-1), None);
    }
}
