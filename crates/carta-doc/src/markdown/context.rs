//! What templates see. Every Markdown template receives one of the
//! `*Context` structs below, serialized; docs/templates.md lists their
//! fields. Values are prepared here (links relative to the page, labels,
//! value lists) so templates only lay text out.

use crate::paths::{relative, Stems};
use crate::values::check_value_list;
use carta_catalog::{
    Catalog, Dialect, EnumType, IndexKey, LogicalType, QualifiedName, ReferentialAction,
    RelationGraph, RelationKind, Schema, SourceKind, Stats, Table, TableKind, TriggerEvent,
    TriggerTiming,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// `README.md`: the database at a glance.
#[derive(Debug, Serialize)]
pub struct ReadmeContext {
    pub database: DatabaseInfo,
    pub schemas: Vec<SchemaSummary>,
    pub diagram: DiagramInfo,
    /// Link to the Catalog as JSON.
    pub schema_json: String,
}

/// A page per table, view, partition or foreign table.
#[derive(Debug, Serialize)]
pub struct TableContext {
    pub database: DatabaseInfo,
    pub table: TableDoc,
    /// The table's neighbourhood.
    pub diagram: DiagramInfo,
    /// Link back to `README.md`.
    pub readme: String,
}

/// A page per enum type.
#[derive(Debug, Serialize)]
pub struct EnumContext {
    pub database: DatabaseInfo,
    #[serde(rename = "enum")]
    pub enum_type: EnumDoc,
    pub readme: String,
}

/// `--single-page`: the whole database in one document.
#[derive(Debug, Serialize)]
pub struct SinglePageContext {
    pub database: DatabaseInfo,
    pub schemas: Vec<SchemaSection>,
    pub diagram: DiagramInfo,
    pub glossary: Vec<GlossaryEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatabaseInfo {
    pub title: String,
    /// `PostgreSQL`, `MySQL / MariaDB` or `SQLite`.
    pub dialect: String,
    /// `live`, `ddl` or `snapshot`, when known.
    pub source_kind: Option<String>,
    /// Where the schema was read from, password removed.
    pub source: Option<String>,
    pub server_version: Option<String>,
    pub fingerprint: String,
    pub stats: Stats,
    /// True when names are shown schema-qualified because there is more than one schema.
    pub multiple_schemas: bool,
    /// Number of relations (foreign keys and virtual relations).
    pub relations: usize,
}

/// A link to a table or enum. `link` is relative to the page being
/// rendered (or `#anchor` on a single page); absent when the object is
/// not documented (for example, excluded by a filter).
#[derive(Debug, Clone, Serialize)]
pub struct ObjectRef {
    pub schema: String,
    pub name: String,
    /// `name`, or `schema.name` when the database has several schemas.
    pub display: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiagramInfo {
    /// Mermaid `erDiagram` blocks, without fences; several when one would
    /// pass Mermaid's size limit.
    pub mermaid: Vec<String>,
    /// Links to the SVG and DOT renderings, when written.
    pub svg: Option<String>,
    pub dot: Option<String>,
    /// Only key columns are drawn.
    pub keys_only: bool,
    pub tables: usize,
}

#[derive(Debug, Serialize)]
pub struct SchemaSummary {
    pub name: String,
    pub comment: Option<String>,
    /// Tables, partitioned and foreign tables; partitions are counted under their parent.
    pub tables: Vec<TableSummary>,
    pub views: Vec<TableSummary>,
    pub enums: Vec<EnumDoc>,
    pub domains: Vec<DomainDoc>,
    pub functions: Vec<FunctionDoc>,
    pub sequences: usize,
}

#[derive(Debug, Serialize)]
pub struct TableSummary {
    pub table: ObjectRef,
    pub kind: TableKind,
    pub kind_label: String,
    pub comment: Option<String>,
    pub row_estimate: Option<i64>,
    pub columns: usize,
    pub partitions: usize,
}

#[derive(Debug, Serialize)]
pub struct SchemaSection {
    pub name: String,
    pub comment: Option<String>,
    pub tables: Vec<TableDoc>,
    pub enums: Vec<EnumDoc>,
}

#[derive(Debug, Serialize)]
pub struct TableDoc {
    pub name: ObjectRef,
    pub kind: TableKind,
    /// `Table`, `Partitioned table`, `Partition`, `Foreign table`, `View`, `Materialized view`.
    pub kind_label: String,
    pub comment: Option<String>,
    pub row_estimate: Option<i64>,
    pub columns: Vec<ColumnDoc>,
    pub primary_key: Option<KeyDoc>,
    /// Relations to parents: foreign keys, then virtual relations.
    pub foreign_keys: Vec<RelationDoc>,
    /// Relations from children ("referenced by").
    pub referenced_by: Vec<RelationDoc>,
    pub uniques: Vec<UniqueDoc>,
    pub checks: Vec<CheckDoc>,
    pub exclusions: Vec<ExclusionDoc>,
    pub indexes: Vec<IndexDoc>,
    pub triggers: Vec<TriggerDoc>,
    pub row_security: RowSecurityDoc,
    pub partition_key: Option<String>,
    pub partition_of: Option<PartitionDoc>,
    pub partitions: Vec<PartitionDoc>,
    /// The query of a view.
    pub definition: Option<String>,
    pub foreign_server: Option<String>,
    /// Dialect-specific options (`engine`, `without_rowid`, ...).
    pub options: Vec<NameValue>,
}

#[derive(Debug, Serialize)]
pub struct ColumnDoc {
    /// 1-based position.
    pub position: usize,
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<String>,
    /// `always` or `by default`.
    pub identity: Option<String>,
    /// Expression of a generated column.
    pub generated: Option<String>,
    pub generated_stored: bool,
    pub collation: Option<String>,
    pub comment: Option<String>,
    pub primary_key: bool,
    /// Covered alone by a unique constraint or unique index.
    pub unique: bool,
    /// The tables (and columns) this column references.
    pub references: Vec<ColumnTarget>,
    /// The enum type of the column, when it has a page.
    pub enum_type: Option<ObjectRef>,
    /// The values the column admits, from its enum type or a CHECK list.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnTarget {
    pub table: ObjectRef,
    pub column: String,
}

#[derive(Debug, Serialize)]
pub struct KeyDoc {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RelationDoc {
    pub name: Option<String>,
    /// Declared in configuration, not in the database.
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    /// The other table: the parent for foreign keys, the child for "referenced by".
    pub table: ObjectRef,
    /// Columns of the child table.
    pub columns: Vec<String>,
    /// Columns of the parent table.
    pub referenced_columns: Vec<String>,
    /// Every child row has a parent (the child's columns are NOT NULL).
    pub required: bool,
    /// Lower case: `no action`, `restrict`, `cascade`, `set null`, `set default`.
    pub on_delete: String,
    /// Known for foreign keys of the table's own page.
    pub on_update: Option<String>,
    pub deferrable: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UniqueDoc {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub nulls_not_distinct: bool,
    pub deferrable: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CheckDoc {
    pub name: Option<String>,
    pub expression: String,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExclusionDoc {
    pub name: String,
    pub method: String,
    /// `expression WITH operator` per element.
    pub elements: Vec<String>,
    pub predicate: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct IndexDoc {
    pub name: String,
    pub unique: bool,
    pub method: String,
    /// Key parts as written: `name`, `created_at DESC`, `lower(email)`.
    pub keys: Vec<String>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    /// The constraint the index implements, if any.
    pub constraint: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TriggerDoc {
    pub name: String,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// `INSERT OR UPDATE OF status`.
    pub events: String,
    /// `row` or `statement`.
    pub level: String,
    pub when: Option<String>,
    pub function: Option<String>,
    pub body: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RowSecurityDoc {
    pub enabled: bool,
    pub forced: bool,
    pub policies: Vec<PolicyDoc>,
}

#[derive(Debug, Serialize)]
pub struct PolicyDoc {
    pub name: String,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE`, `DELETE`.
    pub command: String,
    pub permissive: bool,
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PartitionDoc {
    /// The partition (in `partitions`) or the parent (in `partition_of`).
    pub table: ObjectRef,
    pub bound: String,
}

#[derive(Debug, Serialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct EnumDoc {
    pub name: ObjectRef,
    pub values: Vec<String>,
    pub comment: Option<String>,
    /// Columns of this type.
    pub used_by: Vec<ColumnTarget>,
}

#[derive(Debug, Serialize)]
pub struct DomainDoc {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<String>,
    /// CHECK expressions.
    pub checks: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FunctionDoc {
    pub name: String,
    /// `function`, `procedure`, `aggregate` or `window`.
    pub kind: String,
    pub arguments: String,
    pub returns: Option<String>,
    pub language: String,
    pub comment: Option<String>,
}

/// A closed list of values: an enum type, or a column limited to a list.
#[derive(Debug, Serialize)]
pub struct GlossaryEntry {
    /// The enum type, or `table.column`.
    pub subject: String,
    /// `enum` or `column`.
    pub kind: String,
    pub link: Option<String>,
    pub values: Vec<String>,
    pub comment: Option<String>,
    /// For an enum type: the columns of that type.
    pub used_by: Vec<ColumnTarget>,
}

/// Where links point: relative file paths between pages, or anchors on one page.
pub enum Target {
    Pages,
    SinglePage(HashMap<QualifiedName, String>),
}

/// Everything computed once per Catalog that pages share.
pub struct Site<'c> {
    pub catalog: &'c Catalog,
    pub relations: &'c RelationGraph,
    pub database: DatabaseInfo,
    pub table_stems: Stems,
    pub enum_stems: Stems,
    target: Target,
    /// Parent to its partitions.
    partitions: HashMap<QualifiedName, Vec<(QualifiedName, String)>>,
    /// Enum type to the columns that use it.
    enum_users: HashMap<QualifiedName, Vec<(QualifiedName, String)>>,
}

impl<'c> Site<'c> {
    pub fn new(
        catalog: &'c Catalog,
        relations: &'c RelationGraph,
        title: Option<&str>,
        target: Target,
    ) -> Site<'c> {
        let table_names: Vec<QualifiedName> = catalog
            .tables()
            .map(|(s, t)| QualifiedName::new(&s.name, &t.name))
            .collect();
        let enum_names: Vec<QualifiedName> = catalog
            .schemas
            .iter()
            .flat_map(|s| s.enums.iter().map(|e| QualifiedName::new(&s.name, &e.name)))
            .collect();
        let mut partitions: HashMap<QualifiedName, Vec<(QualifiedName, String)>> = HashMap::new();
        let mut enum_users: HashMap<QualifiedName, Vec<(QualifiedName, String)>> = HashMap::new();
        for (schema, table) in catalog.tables() {
            let name = QualifiedName::new(&schema.name, &table.name);
            if let Some(of) = &table.partition_of {
                partitions
                    .entry(of.parent.clone())
                    .or_default()
                    .push((name.clone(), of.bound.clone()));
            }
            for column in &table.columns {
                if let Some(enum_name) = enum_type_name(&column.logical_type) {
                    enum_users
                        .entry(enum_name.clone())
                        .or_default()
                        .push((name.clone(), column.name.clone()));
                }
            }
        }
        let multiple_schemas = documented_schemas(catalog).count() > 1;
        let database = DatabaseInfo {
            title: title.map_or_else(|| default_title(catalog), str::to_string),
            dialect: match catalog.dialect {
                Dialect::Postgres => "PostgreSQL",
                Dialect::Mysql => "MySQL / MariaDB",
                Dialect::Sqlite => "SQLite",
            }
            .to_string(),
            source_kind: catalog.source.as_ref().map(|s| {
                match s.kind {
                    SourceKind::Live => "live",
                    SourceKind::Ddl => "ddl",
                    SourceKind::Snapshot => "snapshot",
                }
                .to_string()
            }),
            source: catalog.source.as_ref().map(|s| s.location.clone()),
            server_version: catalog
                .source
                .as_ref()
                .and_then(|s| s.server_version.clone()),
            fingerprint: catalog.fingerprint.clone(),
            stats: catalog.stats(),
            multiple_schemas,
            relations: relations.all().len(),
        };
        Site {
            catalog,
            relations,
            database,
            table_stems: Stems::new(&table_names),
            enum_stems: Stems::new(&enum_names),
            target,
            partitions,
            enum_users,
        }
    }

    pub fn table_page(&self, name: &QualifiedName) -> Option<String> {
        self.table_stems.get(name).map(|s| format!("tables/{s}.md"))
    }

    pub fn enum_page(&self, name: &QualifiedName) -> Option<String> {
        self.enum_stems.get(name).map(|s| format!("enums/{s}.md"))
    }

    pub fn diagram_file(&self, name: &QualifiedName) -> Option<String> {
        self.table_stems
            .get(name)
            .map(|s| format!("diagrams/{s}.svg"))
    }

    fn display(&self, name: &QualifiedName) -> String {
        if self.database.multiple_schemas {
            name.to_string()
        } else {
            name.name.clone()
        }
    }

    fn object(&self, name: &QualifiedName, page: Option<String>, from: &str) -> ObjectRef {
        let link = match &self.target {
            Target::Pages => page.map(|p| relative(from, &p)),
            Target::SinglePage(anchors) => anchors.get(name).map(|a| format!("#{a}")),
        };
        ObjectRef {
            schema: name.schema.clone(),
            name: name.name.clone(),
            display: self.display(name),
            link,
        }
    }

    pub fn table_ref(&self, name: &QualifiedName, from: &str) -> ObjectRef {
        self.object(name, self.table_page(name), from)
    }

    fn enum_ref(&self, name: &QualifiedName, from: &str) -> ObjectRef {
        self.object(name, self.enum_page(name), from)
    }

    pub fn schema_summary(&self, schema: &Schema, from: &str) -> SchemaSummary {
        let summary = |table: &Table| {
            let name = QualifiedName::new(&schema.name, &table.name);
            TableSummary {
                table: self.table_ref(&name, from),
                kind: table.kind,
                kind_label: kind_label(table).to_string(),
                comment: table.comment.clone(),
                row_estimate: table.row_estimate,
                columns: table.columns.len(),
                partitions: self.partitions.get(&name).map_or(0, Vec::len),
            }
        };
        SchemaSummary {
            name: schema.name.clone(),
            comment: schema.comment.clone(),
            tables: schema
                .tables
                .iter()
                .filter(|t| !t.kind.is_view() && t.partition_of.is_none())
                .map(summary)
                .collect(),
            views: schema
                .tables
                .iter()
                .filter(|t| t.kind.is_view())
                .map(summary)
                .collect(),
            enums: schema
                .enums
                .iter()
                .map(|e| self.enum_doc(schema, e, from))
                .collect(),
            domains: schema
                .domains
                .iter()
                .map(|d| DomainDoc {
                    name: d.name.clone(),
                    data_type: d.data_type.clone(),
                    nullable: d.nullable,
                    default: d.default.clone(),
                    checks: d.checks.iter().map(|c| c.expression.clone()).collect(),
                    comment: d.comment.clone(),
                })
                .collect(),
            functions: schema
                .functions
                .iter()
                .map(|f| FunctionDoc {
                    name: f.name.clone(),
                    kind: snake_words(&f.kind),
                    arguments: f.arguments.clone(),
                    returns: f.returns.clone(),
                    language: f.language.clone(),
                    comment: f.comment.clone(),
                })
                .collect(),
            sequences: schema.sequences.len(),
        }
    }

    pub fn enum_doc(&self, schema: &Schema, enum_type: &EnumType, from: &str) -> EnumDoc {
        let name = QualifiedName::new(&schema.name, &enum_type.name);
        let used_by = self
            .enum_users
            .get(&name)
            .into_iter()
            .flatten()
            .map(|(table, column)| ColumnTarget {
                table: self.table_ref(table, from),
                column: column.clone(),
            })
            .collect();
        EnumDoc {
            name: self.enum_ref(&name, from),
            values: enum_type.values.clone(),
            comment: enum_type.comment.clone(),
            used_by,
        }
    }

    pub fn table_doc(&self, schema: &Schema, table: &Table, from: &str) -> TableDoc {
        let name = QualifiedName::new(&schema.name, &table.name);
        let primary: Vec<&str> = table
            .primary_key
            .iter()
            .flat_map(|pk| pk.columns.iter().map(String::as_str))
            .collect();
        let single_unique = |column: &str| {
            table.uniques.iter().any(|u| u.columns == [column])
                || table.indexes.iter().any(|i| {
                    i.unique && i.predicate.is_none() && i.key_columns() == Some(vec![column])
                })
        };
        let check_lists: BTreeMap<&str, Vec<String>> = table
            .checks
            .iter()
            .filter_map(|c| check_value_list(table, c))
            .collect();
        let outgoing: Vec<_> = self.relations.outgoing(&name).collect();
        let columns = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let references = outgoing
                    .iter()
                    .flat_map(|r| {
                        r.from_columns
                            .iter()
                            .zip(&r.to_columns)
                            .filter(|(from_col, _)| **from_col == c.name)
                            .map(|(_, to_col)| ColumnTarget {
                                table: self.table_ref(&r.to, from),
                                column: to_col.clone(),
                            })
                    })
                    .collect();
                let is_primary = primary.contains(&c.name.as_str());
                let values = enum_values(&c.logical_type)
                    .or_else(|| check_lists.get(c.name.as_str()).cloned())
                    .unwrap_or_default();
                ColumnDoc {
                    position: i + 1,
                    name: c.name.clone(),
                    data_type: c.data_type.clone(),
                    nullable: c.nullable,
                    default: c.default.clone(),
                    identity: c.identity.map(|i| snake_words(&i)),
                    generated: c.generated.as_ref().map(|g| g.expression.clone()),
                    generated_stored: c.generated.as_ref().is_some_and(|g| g.stored),
                    collation: c.collation.clone(),
                    comment: c.comment.clone(),
                    primary_key: is_primary,
                    unique: !is_primary && single_unique(&c.name),
                    references,
                    enum_type: enum_type_name(&c.logical_type)
                        .filter(|n| self.enum_stems.get(n).is_some())
                        .map(|n| self.enum_ref(n, from)),
                    values,
                }
            })
            .collect();

        let mut foreign_keys: Vec<RelationDoc> = table
            .foreign_keys
            .iter()
            .map(|fk| RelationDoc {
                name: fk.name.clone(),
                is_virtual: false,
                table: self.table_ref(&fk.referenced_table, from),
                columns: fk.columns.clone(),
                referenced_columns: fk.referenced_columns.clone(),
                required: fk
                    .columns
                    .iter()
                    .all(|c| table.column(c).is_some_and(|col| !col.nullable)),
                on_delete: action(fk.on_delete),
                on_update: Some(action(fk.on_update)),
                deferrable: fk.deferrable,
                comment: fk.comment.clone(),
            })
            .collect();
        foreign_keys.extend(
            outgoing
                .iter()
                .filter(|r| r.kind == RelationKind::Virtual)
                .map(|r| self.relation_doc(r, &r.to, from)),
        );
        let referenced_by = self
            .relations
            .incoming(&name)
            .map(|r| self.relation_doc(r, &r.from, from))
            .collect();

        TableDoc {
            name: self.table_ref(&name, from),
            kind: table.kind,
            kind_label: kind_label(table).to_string(),
            comment: table.comment.clone(),
            row_estimate: table.row_estimate,
            columns,
            primary_key: table.primary_key.as_ref().map(|pk| KeyDoc {
                name: pk.name.clone(),
                columns: pk.columns.clone(),
                comment: pk.comment.clone(),
            }),
            foreign_keys,
            referenced_by,
            uniques: table
                .uniques
                .iter()
                .map(|u| UniqueDoc {
                    name: u.name.clone(),
                    columns: u.columns.clone(),
                    nulls_not_distinct: u.nulls_not_distinct,
                    deferrable: u.deferrable,
                    comment: u.comment.clone(),
                })
                .collect(),
            checks: table
                .checks
                .iter()
                .map(|c| CheckDoc {
                    name: c.name.clone(),
                    expression: c.expression.clone(),
                    comment: c.comment.clone(),
                })
                .collect(),
            exclusions: table
                .exclusions
                .iter()
                .map(|x| ExclusionDoc {
                    name: x.name.clone(),
                    method: x.method.clone(),
                    elements: x
                        .elements
                        .iter()
                        .map(|e| format!("{} WITH {}", e.expression, e.operator))
                        .collect(),
                    predicate: x.predicate.clone(),
                    comment: x.comment.clone(),
                })
                .collect(),
            indexes: table
                .indexes
                .iter()
                .map(|i| IndexDoc {
                    name: i.name.clone(),
                    unique: i.unique,
                    method: i.method.clone(),
                    keys: i.keys.iter().map(index_key).collect(),
                    include: i.include.clone(),
                    predicate: i.predicate.clone(),
                    constraint: i.constraint.clone(),
                    comment: i.comment.clone(),
                })
                .collect(),
            triggers: table
                .triggers
                .iter()
                .map(|t| TriggerDoc {
                    name: t.name.clone(),
                    timing: match t.timing {
                        TriggerTiming::Before => "BEFORE",
                        TriggerTiming::After => "AFTER",
                        TriggerTiming::InsteadOf => "INSTEAD OF",
                    }
                    .to_string(),
                    events: trigger_events(&t.events, &t.update_columns),
                    level: if t.for_each_row { "row" } else { "statement" }.to_string(),
                    when: t.when.clone(),
                    function: t.function.as_ref().map(ToString::to_string),
                    body: t.body.clone(),
                    comment: t.comment.clone(),
                })
                .collect(),
            row_security: RowSecurityDoc {
                enabled: table.row_security.enabled,
                forced: table.row_security.forced,
                policies: table
                    .row_security
                    .policies
                    .iter()
                    .map(|p| PolicyDoc {
                        name: p.name.clone(),
                        command: snake_words(&p.command).to_uppercase(),
                        permissive: p.permissive,
                        roles: p.roles.clone(),
                        using: p.using.clone(),
                        with_check: p.with_check.clone(),
                        comment: p.comment.clone(),
                    })
                    .collect(),
            },
            partition_key: table.partition_key.clone(),
            partition_of: table.partition_of.as_ref().map(|of| PartitionDoc {
                table: self.table_ref(&of.parent, from),
                bound: of.bound.clone(),
            }),
            partitions: self
                .partitions
                .get(&name)
                .into_iter()
                .flatten()
                .map(|(child, bound)| PartitionDoc {
                    table: self.table_ref(child, from),
                    bound: bound.clone(),
                })
                .collect(),
            definition: table.definition.clone(),
            foreign_server: table.foreign_server.clone(),
            options: table
                .options
                .iter()
                .map(|(name, value)| NameValue {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
        }
    }

    fn relation_doc(
        &self,
        relation: &carta_catalog::Relation,
        other: &QualifiedName,
        from: &str,
    ) -> RelationDoc {
        RelationDoc {
            name: relation.name.clone(),
            is_virtual: relation.kind == RelationKind::Virtual,
            table: self.table_ref(other, from),
            columns: relation.from_columns.clone(),
            referenced_columns: relation.to_columns.clone(),
            required: relation.required,
            on_delete: action(relation.on_delete),
            on_update: None,
            deferrable: false,
            comment: None,
        }
    }
}

/// The glossary of a single page: enum types, then columns limited to a
/// list of values, in Catalog order.
pub fn glossary(schemas: &[SchemaSection]) -> Vec<GlossaryEntry> {
    let enums = schemas
        .iter()
        .flat_map(|s| &s.enums)
        .map(|e| GlossaryEntry {
            subject: e.name.display.clone(),
            kind: "enum".to_string(),
            link: e.name.link.clone(),
            values: e.values.clone(),
            comment: e.comment.clone(),
            used_by: e.used_by.clone(),
        });
    let columns = schemas.iter().flat_map(|s| &s.tables).flat_map(|t| {
        t.columns
            .iter()
            .filter(|c| !c.values.is_empty() && c.enum_type.is_none())
            .map(move |c| GlossaryEntry {
                subject: format!("{}.{}", t.name.display, c.name),
                kind: "column".to_string(),
                link: t.name.link.clone(),
                values: c.values.clone(),
                comment: c.comment.clone(),
                used_by: Vec::new(),
            })
    });
    enums.chain(columns).collect()
}

pub fn default_title(catalog: &Catalog) -> String {
    let mut schemas = documented_schemas(catalog);
    match (schemas.next(), schemas.next()) {
        (Some(only), None) if !matches!(only.name.as_str(), "public" | "main") => only.name.clone(),
        _ => "Database".to_string(),
    }
}

/// Schemas holding anything to document. An empty `public` schema, which
/// every PostgreSQL database has, would only add noise and qualify every
/// name with a schema.
pub fn documented_schemas(catalog: &Catalog) -> impl Iterator<Item = &Schema> {
    catalog.schemas.iter().filter(|s| {
        !(s.tables.is_empty()
            && s.enums.is_empty()
            && s.domains.is_empty()
            && s.functions.is_empty()
            && s.sequences.is_empty())
    })
}

pub fn kind_label(table: &Table) -> &'static str {
    if table.partition_of.is_some() {
        return "Partition";
    }
    match table.kind {
        TableKind::Table => "Table",
        TableKind::PartitionedTable => "Partitioned table",
        TableKind::ForeignTable => "Foreign table",
        TableKind::View => "View",
        TableKind::MaterializedView => "Materialized view",
    }
}

fn enum_type_name(logical: &LogicalType) -> Option<&QualifiedName> {
    match logical {
        LogicalType::Enum { name, .. } => name.as_ref(),
        LogicalType::Array { element } => enum_type_name(element),
        _ => None,
    }
}

fn enum_values(logical: &LogicalType) -> Option<Vec<String>> {
    match logical {
        LogicalType::Enum { values, .. } | LogicalType::Set { values } => Some(values.clone()),
        LogicalType::Array { element } => enum_values(element),
        _ => None,
    }
}

/// A unit enum's serde name with spaces: `by_default` becomes `by default`.
fn snake_words(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn action(action: ReferentialAction) -> String {
    snake_words(&action)
}

fn index_key(key: &IndexKey) -> String {
    let (text, options) = match key {
        IndexKey::Column { name, options } => (name.clone(), options),
        IndexKey::Expression {
            expression,
            options,
        } => (expression.clone(), options),
    };
    let mut parts = vec![text];
    if let Some(length) = options.prefix_length {
        parts[0] = format!("{}({length})", parts[0]);
    }
    if let Some(collation) = &options.collation {
        parts.push(format!("COLLATE {collation}"));
    }
    if let Some(opclass) = &options.opclass {
        parts.push(opclass.clone());
    }
    if options.descending {
        parts.push("DESC".to_string());
    }
    match options.nulls_first {
        Some(true) => parts.push("NULLS FIRST".to_string()),
        Some(false) => parts.push("NULLS LAST".to_string()),
        None => {}
    }
    parts.join(" ")
}

fn trigger_events(events: &[TriggerEvent], update_columns: &[String]) -> String {
    events
        .iter()
        .map(|e| match e {
            TriggerEvent::Insert => "INSERT".to_string(),
            TriggerEvent::Update if !update_columns.is_empty() => {
                format!("UPDATE OF {}", update_columns.join(", "))
            }
            TriggerEvent::Update => "UPDATE".to_string(),
            TriggerEvent::Delete => "DELETE".to_string(),
            TriggerEvent::Truncate => "TRUNCATE".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}
