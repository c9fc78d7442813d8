//! Rows of the catalog queries into a Catalog, in memory, with hash maps
//! keyed by oid. Nothing here talks to the server.

use super::queries::{
    AttributeRow, ColumnRow, ConstraintRow, DomainCheckRow, DomainRow, EnumRow, ExtensionRow,
    FunctionRow, IndexRow, NameRow, PolicyRow, RelationRow, SchemaRow, SequenceRow, TriggerRow,
};
use super::text;
use crate::{canon, types};
use carta_catalog::{
    Catalog, CheckConstraint, Column, ColumnRef, Dialect, Domain, EnumType, ExclusionConstraint,
    ExclusionElement, Extension, ForeignKey, Function, FunctionKind, Generated, Identity, Index,
    IndexKey, IndexKeyOptions, MatchType, PartitionOf, Policy, PolicyCommand, PrimaryKey,
    QualifiedName, ReferentialAction, Schema, Sequence, Table, TableKind, Trigger, TriggerEvent,
    TriggerTiming, UniqueConstraint, Volatility,
};
use carta_source::Warning;
use std::collections::HashMap;

/// What the queries returned besides the tables and their columns.
pub(super) struct Rows {
    pub schemas: Vec<SchemaRow>,
    pub constraints: Vec<ConstraintRow>,
    pub referenced_columns: Vec<AttributeRow>,
    pub indexes: Vec<IndexRow>,
    pub triggers: Vec<TriggerRow>,
    pub policies: Vec<PolicyRow>,
    pub enums: Vec<EnumRow>,
    pub domains: Vec<DomainRow>,
    pub domain_checks: Vec<DomainCheckRow>,
    pub sequences: Vec<SequenceRow>,
    pub functions: Vec<FunctionRow>,
    pub extensions: Vec<ExtensionRow>,
    pub operator_classes: Vec<NameRow>,
}

/// The tables with their columns, the first and largest part of the
/// Catalog, put together while the queries for the rest still run.
pub(super) struct Tables(Assembler);

impl Tables {
    pub fn new(
        relations: Vec<RelationRow>,
        columns: Vec<ColumnRow>,
        collations: Vec<NameRow>,
    ) -> Self {
        let mut assembler = Assembler {
            relations: HashMap::with_capacity(relations.len()),
            names: Names {
                collations: names(collations),
                operator_classes: HashMap::new(),
                outside_columns: HashMap::new(),
            },
            canon: Canon::default(),
            warnings: Vec::new(),
        };
        for row in relations {
            assembler.add_relation(row);
        }
        assembler.add_columns(columns);
        Tables(assembler)
    }
}

/// Builds the Catalog (not yet finished) and the warnings about anything
/// that could not be understood. `search_path` is the one the session ran with.
pub(super) fn assemble(
    tables: Tables,
    rows: Rows,
    search_path: &[&str],
) -> (Catalog, Vec<Warning>) {
    let Tables(mut assembler) = tables;
    assembler.names.operator_classes = names(rows.operator_classes);
    assembler.names.outside_columns = rows
        .referenced_columns
        .into_iter()
        .map(|row| ((row.relation, row.attnum), row.name))
        .collect();
    let mut indexes = assembler.indexes(rows.indexes);
    for row in rows.constraints {
        assembler.add_constraint(row, &indexes);
    }
    for (_, (relation, index)) in indexes.drain() {
        if let Some(relation) = assembler.relations.get_mut(&relation) {
            relation.table.indexes.push(index);
        }
    }
    for row in rows.triggers {
        assembler.add_trigger(row);
    }
    for row in rows.policies {
        assembler.add_policy(row);
    }

    let mut schemas: HashMap<String, Schema> = rows
        .schemas
        .into_iter()
        .map(|row| {
            let schema = Schema {
                name: row.name.clone(),
                comment: row.comment,
                ..Schema::default()
            };
            (row.name, schema)
        })
        .collect();
    for (_, relation) in assembler.relations.drain() {
        schema(&mut schemas, relation.schema)
            .tables
            .push(relation.table);
    }
    for row in rows.enums {
        schema(&mut schemas, row.schema).enums.push(EnumType {
            name: row.name,
            values: row.values,
            comment: row.comment,
        });
    }
    let mut domain_checks: HashMap<i64, Vec<CheckConstraint>> = HashMap::new();
    for row in rows.domain_checks {
        if let Some(expression) = row.expression {
            domain_checks
                .entry(row.domain)
                .or_default()
                .push(CheckConstraint {
                    name: Some(row.name),
                    expression: assembler.canon.expression(&expression),
                    comment: row.comment,
                });
        }
    }
    for row in rows.domains {
        let collation = assembler
            .names
            .collation_if(row.collation, row.base_collation);
        schema(&mut schemas, row.schema).domains.push(Domain {
            name: row.name,
            logical_type: types::logical_type(&row.data_type),
            data_type: row.data_type,
            nullable: !row.not_null,
            default: row.default.map(|d| assembler.canon.expression(&d)),
            collation,
            checks: domain_checks.remove(&row.oid).unwrap_or_default(),
            comment: row.comment,
        });
    }
    for row in rows.sequences {
        let owned_by = match (row.owner_schema, row.owner_table, row.owner_column) {
            (Some(schema), Some(table), Some(column)) => Some(ColumnRef {
                table: QualifiedName::new(schema, table),
                column,
            }),
            _ => None,
        };
        schema(&mut schemas, row.schema).sequences.push(Sequence {
            name: row.name,
            data_type: row.data_type,
            start: row.start,
            increment: row.increment,
            min_value: row.min_value,
            max_value: row.max_value,
            cache: row.cache,
            cycle: row.cycle,
            owned_by,
            comment: row.comment,
        });
    }
    for row in rows.functions {
        let schema_name = row.schema.clone();
        if let Some(function) = assembler.function(row) {
            schema(&mut schemas, schema_name).functions.push(function);
        }
    }

    let mut catalog = Catalog::new(Dialect::Postgres);
    catalog.schemas = schemas.into_values().collect();
    catalog.extensions = rows
        .extensions
        .into_iter()
        .map(|row| Extension {
            name: row.name,
            schema: row.schema,
            version: Some(row.version),
            comment: row.comment,
        })
        .collect();
    types::resolve_user_types(&mut catalog, search_path);
    (catalog, assembler.warnings)
}

/// The schema of that name; a schema the schema query did not return (it
/// cannot, in one snapshot) is created rather than losing its objects.
fn schema(schemas: &mut HashMap<String, Schema>, name: String) -> &mut Schema {
    schemas.entry(name.clone()).or_insert_with(|| Schema {
        name,
        ..Schema::default()
    })
}

/// [`canon::expression`] with memory: a schema repeats the same defaults
/// and checks on many tables, and canonicalizing means parsing.
#[derive(Default)]
struct Canon {
    known: HashMap<String, String>,
}

impl Canon {
    fn expression(&mut self, printed: &str) -> String {
        if let Some(canonical) = self.known.get(printed) {
            return canonical.clone();
        }
        let canonical = canon::expression(printed);
        self.known.insert(printed.to_string(), canonical.clone());
        canonical
    }
}

fn names(rows: Vec<NameRow>) -> HashMap<i64, String> {
    rows.into_iter().map(|row| (row.oid, row.name)).collect()
}

/// A table being built, with what its parts refer to it by.
struct Relation {
    schema: String,
    table: Table,
    /// Attribute number and collation oid of each column, parallel to `table.columns`.
    attributes: Vec<(i16, i64)>,
}

impl Relation {
    fn object(&self) -> String {
        format!("{}.{}", self.schema, self.table.name)
    }

    fn column_position(&self, attnum: i16) -> Option<usize> {
        self.attributes.binary_search_by_key(&attnum, |a| a.0).ok()
    }

    fn column_names(&self, attnums: &[i16]) -> Option<Vec<String>> {
        attnums
            .iter()
            .map(|&n| Some(self.table.columns[self.column_position(n)?].name.clone()))
            .collect()
    }
}

/// Names looked up by oid.
struct Names {
    collations: HashMap<i64, String>,
    operator_classes: HashMap<i64, String>,
    /// Column names of tables outside the read set that foreign keys refer to.
    outside_columns: HashMap<(i64, i16), String>,
}

impl Names {
    /// The collation's name when it is not the one the object would get anyway.
    fn collation_if(&self, collation: i64, default: i64) -> Option<String> {
        if collation == 0 || collation == default {
            return None;
        }
        self.collations.get(&collation).cloned()
    }
}

struct Assembler {
    relations: HashMap<i64, Relation>,
    names: Names,
    canon: Canon,
    warnings: Vec<Warning>,
}

impl Assembler {
    fn warn(&mut self, object: String, message: String) {
        self.warnings.push(Warning {
            location: None,
            object: Some(object),
            message,
            excerpt: None,
        });
    }

    fn add_relation(&mut self, row: RelationRow) {
        let kind = match row.kind.as_str() {
            "r" => TableKind::Table,
            "p" => TableKind::PartitionedTable,
            "f" => TableKind::ForeignTable,
            "v" => TableKind::View,
            "m" => TableKind::MaterializedView,
            other => {
                let object = format!("{}.{}", row.schema, row.name);
                self.warn(object, format!("skipped: unknown relation kind `{other}`"));
                return;
            }
        };
        let partition_of = match (row.parent_schema, row.parent_name, row.bound) {
            (Some(schema), Some(name), Some(bound)) => Some(PartitionOf {
                parent: QualifiedName::new(schema, name),
                bound: self.canon.expression(&bound),
            }),
            _ => None,
        };
        let table = Table {
            name: row.name,
            kind,
            comment: row.comment,
            partition_key: row.partition_key,
            partition_of,
            // pg_get_viewdef ends the query with a semicolon.
            definition: row
                .definition
                .map(|d| self.canon.expression(d.trim().trim_end_matches(';'))),
            foreign_server: row.foreign_server,
            row_security: carta_catalog::RowSecurity {
                enabled: row.rls_enabled,
                forced: row.rls_forced,
                policies: Vec::new(),
            },
            row_estimate: row.row_estimate,
            ..Table::default()
        };
        self.relations.insert(
            row.oid,
            Relation {
                schema: row.schema,
                table,
                attributes: Vec::new(),
            },
        );
    }

    fn add_columns(&mut self, rows: Vec<ColumnRow>) {
        let mut by_relation: HashMap<i64, Vec<ColumnRow>> = HashMap::new();
        for row in rows {
            by_relation.entry(row.relation).or_default().push(row);
        }
        for (oid, mut rows) in by_relation {
            let Some(relation) = self.relations.get_mut(&oid) else {
                continue;
            };
            rows.sort_by_key(|row| row.attnum);
            relation.attributes = rows.iter().map(|r| (r.attnum, r.collation)).collect();
            let mut unknown = Vec::new();
            relation.table.columns = rows
                .into_iter()
                .map(|row| {
                    let identity = match row.identity.as_str() {
                        "" => None,
                        "a" => Some(Identity::Always),
                        "d" => Some(Identity::ByDefault),
                        other => {
                            unknown
                                .push(format!("column {}: unknown identity `{other}`", row.name));
                            None
                        }
                    };
                    let expression = row.default.map(|d| self.canon.expression(&d));
                    let (default, generated) = match row.generated.as_str() {
                        "" => (expression, None),
                        code => {
                            let generated = expression.map(|expression| Generated {
                                expression,
                                stored: code == "s",
                            });
                            (None, generated)
                        }
                    };
                    let collation = self.names.collation_if(row.collation, row.type_collation);
                    Column {
                        logical_type: types::logical_type(&row.data_type),
                        name: row.name,
                        data_type: row.data_type,
                        nullable: !row.not_null,
                        default,
                        identity,
                        generated,
                        collation,
                        comment: row.comment,
                    }
                })
                .collect();
            let object = relation.object();
            for message in unknown {
                self.warn(object.clone(), message);
            }
        }
    }

    /// Every index by its oid, with the oid of its table. Constraints look
    /// up the index that implements them before the indexes join their tables.
    fn indexes(&mut self, rows: Vec<IndexRow>) -> HashMap<i64, (i64, Index)> {
        let mut indexes = HashMap::with_capacity(rows.len());
        for row in rows {
            let Some(relation) = self.relations.get(&row.relation) else {
                continue;
            };
            match index(relation, &row, &self.names, &mut self.canon) {
                Some(index) => {
                    indexes.insert(row.oid, (row.relation, index));
                }
                None => {
                    let object = relation.object();
                    let message = format!("skipped index {}: a key column is unknown", row.name);
                    self.warn(object, message);
                }
            }
        }
        indexes
    }
}

fn index(relation: &Relation, row: &IndexRow, names: &Names, canon: &mut Canon) -> Option<Index> {
    let key_count = usize::try_from(row.key_count).ok()?.min(row.attnums.len());
    let (key_attnums, included) = row.attnums.split_at(key_count);
    let mut keys = Vec::with_capacity(key_count);
    for (k, &attnum) in key_attnums.iter().enumerate() {
        let option = row.options.get(k).copied().unwrap_or(0);
        let descending = option & INDOPTION_DESC != 0;
        let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
        let mut options = IndexKeyOptions {
            descending,
            // The default is NULLS LAST ascending and NULLS FIRST descending.
            nulls_first: (nulls_first != descending).then_some(nulls_first),
            opclass: row
                .opclasses
                .get(k)
                .and_then(|oid| names.operator_classes.get(oid))
                .cloned(),
            ..IndexKeyOptions::default()
        };
        if attnum == 0 {
            // The catalog keeps the key's resulting collation, not
            // whether `COLLATE` was written; for an expression that is
            // usually just the expression's own collation (that of the
            // columns it reads), which is not known here, so none is reported.
            let printed = row.expressions.as_ref()?.get(k)?.as_deref()?;
            keys.push(IndexKey::Expression {
                expression: canon.expression(text::strip_index_parens(printed)),
                options,
            });
        } else {
            let position = relation.column_position(attnum)?;
            let collation = row.collations.get(k).copied().unwrap_or(0);
            options.collation = names.collation_if(collation, relation.attributes[position].1);
            keys.push(IndexKey::Column {
                name: relation.table.columns[position].name.clone(),
                options,
            });
        }
    }
    Some(Index {
        name: row.name.clone(),
        unique: row.unique,
        method: row.method.clone(),
        keys,
        include: relation.column_names(included)?,
        predicate: row.predicate.as_deref().map(|p| canon.expression(p)),
        constraint: row.constraint.clone(),
        nulls_not_distinct: row.nulls_not_distinct,
        comment: row.comment.clone(),
    })
}

impl Assembler {
    /// Names of the columns of a table a foreign key refers to, read or not.
    fn referenced_names(&self, relation: i64, attnums: &[i16]) -> Option<Vec<String>> {
        match self.relations.get(&relation) {
            Some(referenced) => referenced.column_names(attnums),
            None => attnums
                .iter()
                .map(|&attnum| self.names.outside_columns.get(&(relation, attnum)).cloned())
                .collect(),
        }
    }

    fn add_constraint(&mut self, row: ConstraintRow, indexes: &HashMap<i64, (i64, Index)>) {
        let referenced_columns = row
            .referenced_attnums
            .as_deref()
            .and_then(|attnums| self.referenced_names(row.referenced_relation, attnums));
        let Some(relation) = self.relations.get_mut(&row.relation) else {
            return;
        };
        let columns = row
            .attnums
            .as_deref()
            .and_then(|attnums| relation.column_names(attnums));
        let index = indexes.get(&row.index).map(|(_, index)| index);
        let table = &mut relation.table;
        let problem = match (row.kind.as_str(), columns) {
            ("p", Some(columns)) => {
                table.primary_key = Some(PrimaryKey {
                    name: Some(row.name),
                    columns,
                    comment: row.comment,
                });
                return;
            }
            ("u", Some(columns)) => {
                table.uniques.push(UniqueConstraint {
                    name: Some(row.name),
                    columns,
                    nulls_not_distinct: index.is_some_and(|i| i.nulls_not_distinct),
                    deferrable: row.deferrable,
                    initially_deferred: row.initially_deferred,
                    comment: row.comment,
                });
                return;
            }
            ("f", Some(columns)) => match foreign_key(row, columns, referenced_columns) {
                Ok(foreign_key) => {
                    table.foreign_keys.push(foreign_key);
                    return;
                }
                Err(problem) => problem,
            },
            ("c", _) => match row.check {
                Some(expression) => {
                    table.checks.push(CheckConstraint {
                        name: Some(row.name),
                        expression: self.canon.expression(&expression),
                        comment: row.comment,
                    });
                    return;
                }
                None => format!("skipped check {}: no expression", row.name),
            },
            ("x", _) => match (index, row.operators) {
                (Some(index), Some(operators)) if operators.len() == index.keys.len() => {
                    table
                        .exclusions
                        .push(exclusion(row.name, index, operators, row.comment));
                    return;
                }
                _ => format!(
                    "skipped exclusion constraint {}: its index is unknown",
                    row.name
                ),
            },
            (kind, _) => format!(
                "skipped constraint {} (kind `{kind}`): a column is unknown",
                row.name
            ),
        };
        let object = relation.object();
        self.warn(object, problem);
    }

    fn add_trigger(&mut self, row: TriggerRow) {
        let Some(relation) = self.relations.get_mut(&row.relation) else {
            return;
        };
        let Some(update_columns) = relation.column_names(&row.update_attnums) else {
            let object = relation.object();
            self.warn(
                object,
                format!("skipped trigger {}: a column is unknown", row.name),
            );
            return;
        };
        let tgtype = row.tgtype;
        let timing = if tgtype & TRIGGER_TYPE_INSTEAD != 0 {
            TriggerTiming::InsteadOf
        } else if tgtype & TRIGGER_TYPE_BEFORE != 0 {
            TriggerTiming::Before
        } else {
            TriggerTiming::After
        };
        let events = [
            (TRIGGER_TYPE_INSERT, TriggerEvent::Insert),
            (TRIGGER_TYPE_UPDATE, TriggerEvent::Update),
            (TRIGGER_TYPE_DELETE, TriggerEvent::Delete),
            (TRIGGER_TYPE_TRUNCATE, TriggerEvent::Truncate),
        ]
        .into_iter()
        .filter(|(bit, _)| tgtype & bit != 0)
        .map(|(_, event)| event)
        .collect();
        let when = row
            .definition
            .as_deref()
            .and_then(text::trigger_when)
            .map(|w| self.canon.expression(w));
        relation.table.triggers.push(Trigger {
            name: row.name,
            timing,
            events,
            update_columns,
            for_each_row: tgtype & TRIGGER_TYPE_ROW != 0,
            when,
            function: Some(QualifiedName::new(row.function_schema, row.function_name)),
            body: None,
            comment: row.comment,
        });
    }

    fn add_policy(&mut self, row: PolicyRow) {
        let Some(relation) = self.relations.get_mut(&row.relation) else {
            return;
        };
        let command = match row.command.as_str() {
            "*" => PolicyCommand::All,
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            other => {
                let object = relation.object();
                let message = format!("skipped policy {}: unknown command `{other}`", row.name);
                self.warn(object, message);
                return;
            }
        };
        relation.table.row_security.policies.push(Policy {
            name: row.name,
            command,
            permissive: row.permissive,
            roles: row.roles,
            using: row.using.map(|u| self.canon.expression(&u)),
            with_check: row.with_check.map(|c| self.canon.expression(&c)),
            comment: row.comment,
        });
    }

    fn function(&mut self, row: FunctionRow) -> Option<Function> {
        let object = format!("{}.{}", row.schema, row.name);
        let kind = match row.kind.as_str() {
            "f" => FunctionKind::Function,
            "p" => FunctionKind::Procedure,
            "a" => FunctionKind::Aggregate,
            "w" => FunctionKind::Window,
            other => {
                self.warn(object, format!("skipped: unknown function kind `{other}`"));
                return None;
            }
        };
        // Procedures and aggregates declare no volatility; what the catalog holds for them is a placeholder.
        let volatility = match (kind, row.volatility.as_str()) {
            (FunctionKind::Procedure | FunctionKind::Aggregate, _) => None,
            (_, "i") => Some(Volatility::Immutable),
            (_, "s") => Some(Volatility::Stable),
            (_, "v") => Some(Volatility::Volatile),
            (_, other) => {
                self.warn(object, format!("unknown volatility `{other}`"));
                None
            }
        };
        Some(Function {
            name: row.name,
            kind,
            arguments: row.arguments,
            returns: row.returns,
            language: row.language,
            volatility,
            security_definer: row.security_definer,
            // An aggregate's prosrc is a placeholder, not a body anyone wrote.
            body: row.body.filter(|_| kind != FunctionKind::Aggregate),
            comment: row.comment,
        })
    }
}

fn foreign_key(
    row: ConstraintRow,
    columns: Vec<String>,
    referenced_columns: Option<Vec<String>>,
) -> Result<ForeignKey, String> {
    let (Some(schema), Some(table), Some(referenced_columns)) = (
        row.referenced_schema,
        row.referenced_table,
        referenced_columns,
    ) else {
        return Err(format!(
            "skipped foreign key {}: the referenced table is unknown",
            row.name
        ));
    };
    let action = |code: &str| match code {
        "a" => Ok(ReferentialAction::NoAction),
        "r" => Ok(ReferentialAction::Restrict),
        "c" => Ok(ReferentialAction::Cascade),
        "n" => Ok(ReferentialAction::SetNull),
        "d" => Ok(ReferentialAction::SetDefault),
        other => Err(format!(
            "skipped foreign key {}: unknown action `{other}`",
            row.name
        )),
    };
    let match_type = match row.match_type.as_str() {
        "s" => MatchType::Simple,
        "f" => MatchType::Full,
        "p" => MatchType::Partial,
        other => {
            return Err(format!(
                "skipped foreign key {}: unknown match type `{other}`",
                row.name
            ))
        }
    };
    Ok(ForeignKey {
        on_update: action(&row.on_update)?,
        on_delete: action(&row.on_delete)?,
        name: Some(row.name),
        columns,
        referenced_table: QualifiedName::new(schema, table),
        referenced_columns,
        match_type,
        deferrable: row.deferrable,
        initially_deferred: row.initially_deferred,
        comment: row.comment,
    })
}

/// An exclusion constraint's elements are its index's keys, each with its operator.
fn exclusion(
    name: String,
    index: &Index,
    operators: Vec<String>,
    comment: Option<String>,
) -> ExclusionConstraint {
    let elements = index
        .keys
        .iter()
        .zip(operators)
        .map(|(key, operator)| ExclusionElement {
            expression: match key {
                IndexKey::Column { name, .. } => name.clone(),
                IndexKey::Expression { expression, .. } => expression.clone(),
            },
            operator,
        })
        .collect();
    ExclusionConstraint {
        name,
        method: index.method.clone(),
        elements,
        predicate: index.predicate.clone(),
        comment,
    }
}

// Bits of pg_index.indoption (catalog/pg_index.h).
const INDOPTION_DESC: i16 = 0x0001;
const INDOPTION_NULLS_FIRST: i16 = 0x0002;

// Bits of pg_trigger.tgtype (catalog/pg_trigger.h).
const TRIGGER_TYPE_ROW: i32 = 1 << 0;
const TRIGGER_TYPE_BEFORE: i32 = 1 << 1;
const TRIGGER_TYPE_INSERT: i32 = 1 << 2;
const TRIGGER_TYPE_DELETE: i32 = 1 << 3;
const TRIGGER_TYPE_UPDATE: i32 = 1 << 4;
const TRIGGER_TYPE_TRUNCATE: i32 = 1 << 5;
const TRIGGER_TYPE_INSTEAD: i32 = 1 << 6;
