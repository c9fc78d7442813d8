//! Tables, their columns and constraints, indexes and partitions:
//! `CREATE TABLE`, `ALTER TABLE`, `CREATE INDEX`, with the names,
//! sequences and partition clones the server would create.

use super::ast::{self, quote_ident};
use super::model::{range_var_display, Model};
use super::names;
use super::typename::{serial_base, Modifiers};
use super::Problem;
use crate::canon;
use carta_catalog::{
    CheckConstraint, Column, ColumnRef, ExclusionConstraint, ExclusionElement, ForeignKey,
    Generated, Identity, Index, IndexKey, IndexKeyOptions, MatchType, PartitionOf, PrimaryKey,
    QualifiedName, ReferentialAction, Sequence, Table, TableKind, UniqueConstraint,
};
use pg_query::protobuf::{
    AlterTableCmd, AlterTableStmt, AlterTableType, ColumnDef, ConstrType, Constraint, CreateStmt,
    IndexElem, IndexStmt, Node, ObjectType, PartitionBoundSpec, PartitionSpec, PartitionStrategy,
    RangeVar, SortByDir, SortByNulls,
};
use pg_query::NodeEnum;

/// What kind of index a definition makes, deciding its implicit name and constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum IndexRole {
    Plain,
    Primary,
    Unique {
        deferrable: bool,
        initially_deferred: bool,
    },
    Exclusion {
        operators: Vec<String>,
    },
}

/// An index to create: from `CREATE INDEX`, a key constraint, or a
/// partitioned parent's index cloned to a partition.
#[derive(Debug, Clone)]
pub(super) struct IndexSpec {
    pub role: IndexRole,
    pub unique: bool,
    pub method: String,
    pub keys: Vec<IndexKey>,
    /// The names the server derives from the key and INCLUDE columns for an implicit index name.
    pub naming_columns: Vec<String>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
}

/// The names an index cloned onto a partition is named after: a clone
/// names expression keys `expr`, as the server does not carry the
/// parent's names over.
fn clone_naming_columns(keys: &[IndexKey], include: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| match k {
            IndexKey::Column { name, .. } => name.clone(),
            IndexKey::Expression { .. } => "expr".to_string(),
        })
        .chain(include.iter().cloned())
        .collect()
}

impl IndexSpec {
    fn same_definition(&self, index: &Index) -> bool {
        self.unique == index.unique
            && self.method == index.method
            && self.keys == index.keys
            && self.include == index.include
            && self.predicate == index.predicate
    }

    /// The definition of an existing index, as a partition would clone it.
    fn of(index: &Index, table: &Table) -> IndexSpec {
        let role = match &index.constraint {
            Some(name)
                if table.primary_key.as_ref().and_then(|p| p.name.as_ref()) == Some(name) =>
            {
                IndexRole::Primary
            }
            Some(name) => match table.uniques.iter().find(|u| u.name.as_ref() == Some(name)) {
                Some(u) => IndexRole::Unique {
                    deferrable: u.deferrable,
                    initially_deferred: u.initially_deferred,
                },
                None => IndexRole::Exclusion {
                    operators: table
                        .exclusions
                        .iter()
                        .find(|e| &e.name == name)
                        .map(|e| e.elements.iter().map(|el| el.operator.clone()).collect())
                        .unwrap_or_default(),
                },
            },
            None => IndexRole::Plain,
        };
        let naming_columns = clone_naming_columns(&index.keys, &index.include);
        IndexSpec {
            role,
            unique: index.unique,
            method: index.method.clone(),
            keys: index.keys.clone(),
            naming_columns,
            include: index.include.clone(),
            predicate: index.predicate.clone(),
            nulls_not_distinct: index.nulls_not_distinct,
        }
    }
}

/// Constraints of one statement, applied in the order the server names them.
#[derive(Default)]
struct Pending {
    checks: Vec<Constraint>,
    keys: Vec<Constraint>,
    foreign_keys: Vec<Constraint>,
}

impl Pending {
    /// Sorts one constraint into its group. `column` is set for column constraints.
    fn add(&mut self, mut constraint: Constraint, column: Option<&str>) {
        let single = |c: &mut Constraint, column: Option<&str>, keys_empty: bool| {
            if let (Some(column), true) = (column, keys_empty) {
                c.keys = vec![string_node(column)];
            }
        };
        match constraint.contype() {
            ConstrType::ConstrCheck => self.checks.push(constraint),
            ConstrType::ConstrPrimary | ConstrType::ConstrUnique | ConstrType::ConstrExclusion => {
                let empty = constraint.keys.is_empty();
                single(&mut constraint, column, empty);
                self.keys.push(constraint);
            }
            ConstrType::ConstrForeign => {
                if let (Some(column), true) = (column, constraint.fk_attrs.is_empty()) {
                    constraint.fk_attrs = vec![string_node(column)];
                }
                self.foreign_keys.push(constraint);
            }
            _ => {}
        }
    }
}

fn string_node(text: &str) -> Node {
    canon::node_of(NodeEnum::String(pg_query::protobuf::String {
        sval: text.into(),
    }))
}

/// Reads `DEFERRABLE`/`INITIALLY DEFERRED` written after a column constraint into it.
fn apply_constraint_attributes(constraints: &[Node]) -> Vec<Constraint> {
    let mut out: Vec<Constraint> = Vec::new();
    for node in constraints {
        let Some(NodeEnum::Constraint(c)) = node.node.as_ref() else {
            continue;
        };
        let last = out.last_mut();
        match (c.contype(), last) {
            (ConstrType::ConstrAttrDeferrable, Some(last)) => last.deferrable = true,
            (ConstrType::ConstrAttrNotDeferrable, Some(last)) => last.deferrable = false,
            (ConstrType::ConstrAttrDeferred, Some(last)) => {
                last.initdeferred = true;
                last.deferrable = true;
            }
            (ConstrType::ConstrAttrImmediate, Some(last)) => last.initdeferred = false,
            (
                ConstrType::ConstrAttrDeferrable
                | ConstrType::ConstrAttrNotDeferrable
                | ConstrType::ConstrAttrDeferred
                | ConstrType::ConstrAttrImmediate
                | ConstrType::ConstrAttrEnforced
                | ConstrType::ConstrAttrNotEnforced,
                _,
            ) => {}
            _ => out.push((**c).clone()),
        }
    }
    out
}

fn is_true(relation: &RangeVar) -> bool {
    relation.inh
}

impl Model {
    pub(super) fn create_table(
        &mut self,
        stmt: CreateStmt,
        foreign_server: Option<String>,
    ) -> Result<(), Problem> {
        let relation = stmt
            .relation
            .clone()
            .ok_or_else(|| Problem::new("CREATE TABLE without a name"))?;
        if relation.relpersistence == "t" {
            // Temporary tables live in a session schema, not in the database's schema.
            return Ok(());
        }
        let schema_name = self.creation_schema(&relation.schemaname)?;
        let name = relation.relname.clone();
        if !self.may_create_relation(&schema_name, &name, stmt.if_not_exists)? {
            return Ok(());
        }
        let mut table = Table {
            name: name.clone(),
            kind: TableKind::Table,
            ..Table::default()
        };
        let mut problems = Vec::new();
        if let Some(server) = foreign_server {
            table.kind = TableKind::ForeignTable;
            table.foreign_server = Some(server);
        }
        if let Some(spec) = &stmt.partspec {
            table.kind = TableKind::PartitionedTable;
            table.partition_key = Some(self.partition_key(spec));
        }
        let mut parent = None;
        if let Some(bound) = &stmt.partbound {
            let parent_var = match stmt.inh_relations.first().and_then(|n| n.node.as_ref()) {
                Some(NodeEnum::RangeVar(parent)) => parent.clone(),
                _ => return Err(Problem::new("PARTITION OF without a parent table")),
            };
            let (parent_schema, parent_name) = self.find_table(&parent_var)?;
            let parent_table = self
                .table(&parent_schema, &parent_name)
                .ok_or_else(|| Problem::unknown("table", range_var_display(&parent_var)))?;
            table.columns = parent_table
                .columns
                .iter()
                .map(|c| Column {
                    identity: None,
                    comment: None,
                    ..c.clone()
                })
                .collect();
            table.partition_of = Some(PartitionOf {
                parent: QualifiedName::new(&parent_schema, &parent_name),
                bound: self.partition_bound(bound, parent_table),
            });
            parent = Some((parent_schema, parent_name));
        } else if !stmt.inh_relations.is_empty() {
            for node in &stmt.inh_relations {
                if let Some(NodeEnum::RangeVar(parent_var)) = node.node.as_ref() {
                    let (ps, pn) = self.find_table(parent_var)?;
                    if let Some(parent_table) = self.table(&ps, &pn) {
                        table
                            .columns
                            .extend(parent_table.columns.iter().map(|c| Column {
                                identity: None,
                                comment: None,
                                ..c.clone()
                            }));
                    }
                }
            }
            problems.push(Problem::about(
                ast::display_name(&schema_name, &name),
                "INHERITS is read as copying the parents' columns; inherited constraints and indexes are not modelled",
            ));
        }

        let mut pending = Pending::default();
        let mut serials = Vec::new();
        for element in &stmt.table_elts {
            match element.node.as_ref() {
                Some(NodeEnum::ColumnDef(def)) => {
                    if let Some(serial) = self.read_column(&mut table, def, &mut pending)? {
                        serials.push(serial);
                    }
                }
                Some(NodeEnum::Constraint(c)) => {
                    pending.add((**c).clone(), None);
                    // Table-level NOT NULL (PostgreSQL 18 grammar) marks the column.
                    if c.contype() == ConstrType::ConstrNotnull {
                        for key in ast::strings(&c.keys) {
                            if let Some(col) = table.columns.iter_mut().find(|col| col.name == key)
                            {
                                col.nullable = false;
                            }
                        }
                    }
                }
                Some(NodeEnum::TableLikeClause(like)) => {
                    let source = like.relation.clone().unwrap_or_default();
                    let (ls, ln) = self.find_table(&source)?;
                    if let Some(source_table) = self.table(&ls, &ln) {
                        table
                            .columns
                            .extend(source_table.columns.iter().map(|c| Column {
                                default: None,
                                identity: None,
                                generated: None,
                                comment: None,
                                ..c.clone()
                            }));
                    }
                    if like.options != 0 {
                        problems.push(Problem::about(
                            ast::display_name(&schema_name, &name),
                            "LIKE ... INCLUDING is read as copying column names, types and NOT NULL only",
                        ));
                    }
                }
                _ => {}
            }
        }
        // Serial sequences are named before the table exists, in column order.
        let mut sequences = Vec::new();
        for (column, base) in serials {
            let schema = self
                .schema(&schema_name)
                .ok_or_else(|| Problem::unknown("schema", &schema_name))?;
            let taken: Vec<&String> = sequences
                .iter()
                .map(|(n, _, _): &(String, String, &str)| n)
                .collect();
            let seq_name = names::choose_name(&name, Some(&column), "seq", |candidate| {
                schema.relation_taken(candidate) || taken.iter().any(|t| *t == candidate)
            });
            sequences.push((seq_name, column, base));
        }
        for (seq_name, column, base) in sequences {
            let default = format!(
                "nextval('{}'::regclass)",
                regclass_literal(&schema_name, &seq_name)
            );
            if let Some(col) = table.columns.iter_mut().find(|c| c.name == column) {
                col.default = Some(canon::expression(&default));
            }
            let sequence = Sequence {
                owned_by: Some(ColumnRef {
                    table: QualifiedName::new(&schema_name, &name),
                    column,
                }),
                ..default_sequence(&seq_name, base, 1)
            };
            self.schema_mut(&schema_name)?
                .sequences
                .insert(seq_name, sequence);
        }
        if table.kind == TableKind::ForeignTable {
            // Foreign tables carry no keys, checks aside.
            pending.keys.clear();
            pending.foreign_keys.clear();
        }
        self.schema_mut(&schema_name)?.insert_table(table);
        if let Some((parent_schema, parent_name)) = &parent {
            self.inherit_from_parent(parent_schema, parent_name, &schema_name, &name)?;
        }
        self.apply_pending(&schema_name, &name, pending, true)?;
        match problems.into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Adds one column definition to `table`; returns `(column, integer type)` for a serial.
    fn read_column(
        &self,
        table: &mut Table,
        def: &ColumnDef,
        pending: &mut Pending,
    ) -> Result<Option<(String, &'static str)>, Problem> {
        let existing = table.columns.iter().position(|c| c.name == def.colname);
        let serial = def.type_name.as_ref().and_then(serial_base);
        let mut column = match (existing, &def.type_name) {
            // `PARTITION OF parent (col WITH OPTIONS ...)` adds to an inherited column.
            (Some(i), None) => table.columns.remove(i),
            (Some(_), Some(_)) => {
                return Err(Problem::about(
                    &table.name,
                    format!(
                        "column `{}` is specified more than once: the statement is skipped",
                        def.colname
                    ),
                ))
            }
            (None, None) => {
                return Err(Problem::about(
                    &table.name,
                    format!("column `{}` has no type", def.colname),
                ))
            }
            (None, Some(type_name)) => {
                let data_type = match serial {
                    Some(base) => base.to_string(),
                    None => self.spell_type(type_name, Modifiers::Keep),
                };
                crate::types::plain_column(def.colname.clone(), data_type)
            }
        };
        if let Some(collate) = &def.coll_clause {
            column.collation = ast::strings(&collate.collname).pop();
        }
        if serial.is_some() {
            column.nullable = false;
        }
        if def.is_not_null {
            column.nullable = false;
        }
        if let Some(default) = def.raw_default.as_deref() {
            column.default = column_default(default);
        }
        for c in apply_constraint_attributes(&def.constraints) {
            match c.contype() {
                ConstrType::ConstrNull => column.nullable = true,
                ConstrType::ConstrNotnull => column.nullable = false,
                ConstrType::ConstrDefault => {
                    column.default = c.raw_expr.as_deref().and_then(column_default)
                }
                ConstrType::ConstrIdentity => {
                    column.identity = Some(identity_kind(&c.generated_when));
                    column.nullable = false;
                }
                ConstrType::ConstrGenerated => {
                    column.generated =
                        c.raw_expr
                            .as_deref()
                            .and_then(canon::node)
                            .map(|expression| Generated {
                                expression,
                                stored: true,
                            });
                }
                ConstrType::ConstrPrimary => {
                    column.nullable = false;
                    pending.add(c, Some(&def.colname));
                }
                _ => pending.add(c, Some(&def.colname)),
            }
        }
        let position = existing.unwrap_or(table.columns.len());
        table
            .columns
            .insert(position.min(table.columns.len()), column);
        Ok(serial.map(|base| (def.colname.clone(), base)))
    }

    /// Names and adds a statement's constraints: CHECKs, then key
    /// constraints (primary key first), then foreign keys, as the server does.
    fn apply_pending(
        &mut self,
        schema: &str,
        table: &str,
        pending: Pending,
        recurse: bool,
    ) -> Result<(), Problem> {
        let mut first_problem = None;
        for check in pending.checks {
            if let Err(p) = self.add_check(schema, table, &check, recurse) {
                first_problem.get_or_insert(p);
            }
        }
        let (primary, others): (Vec<_>, Vec<_>) = pending
            .keys
            .into_iter()
            .partition(|c| c.contype() == ConstrType::ConstrPrimary);
        for key in primary.into_iter().chain(others) {
            if let Err(p) = self.add_key_constraint(schema, table, &key, recurse) {
                first_problem.get_or_insert(p);
            }
        }
        for fk in pending.foreign_keys {
            if let Err(p) = self.add_foreign_key(schema, table, &fk, recurse) {
                first_problem.get_or_insert(p);
            }
        }
        first_problem.map_or(Ok(()), Err)
    }

    fn add_check(
        &mut self,
        schema: &str,
        table_name: &str,
        c: &Constraint,
        recurse: bool,
    ) -> Result<(), Problem> {
        let table = self
            .table(schema, table_name)
            .ok_or_else(|| Problem::unknown("table", ast::display_name(schema, table_name)))?;
        let expr = c
            .raw_expr
            .as_deref()
            .ok_or_else(|| Problem::new("CHECK without an expression"))?;
        let expression =
            canon::node(expr).ok_or_else(|| Problem::new("CHECK expression cannot be read"))?;
        let name = if c.conname.is_empty() {
            let columns: Vec<String> = canon::column_refs(expr)
                .into_iter()
                .filter(|n| table.columns.iter().any(|col| &col.name == n))
                .collect();
            let column = match columns.as_slice() {
                [only] => Some(only.as_str()),
                _ => None,
            };
            let s = self
                .schema(schema)
                .ok_or_else(|| Problem::unknown("schema", schema))?;
            names::choose_name(table_name, column, "check", |n| s.constraint_taken(n))
        } else {
            c.conname.clone()
        };
        self.put_inherited(
            schema,
            table_name,
            CheckConstraint {
                name: Some(name),
                expression,
                comment: None,
            },
            recurse,
        )
    }

    /// Adds a check or a foreign key to a table, once. Its partitions get
    /// it too, under the same name, but as constraints that belong to the
    /// parent (an inherited check, `conislocal` false; a cloned foreign
    /// key, `conparentid`) and are listed there only; their names are
    /// still taken.
    fn put_inherited<T: Inherited>(
        &mut self,
        schema: &str,
        table: &str,
        constraint: T,
        recurse: bool,
    ) -> Result<(), Problem> {
        let name = constraint.name().unwrap_or_default().to_string();
        let listed = T::listed(self.table_mut(schema, table)?);
        if listed.iter().any(|c| c.name() == constraint.name()) {
            return Ok(());
        }
        listed.push(constraint);
        self.schema_mut(schema)?.note_constraint(&name);
        if recurse {
            self.note_inherited_constraint(schema, table, &name)?;
        }
        Ok(())
    }

    /// Records a constraint the server clones onto every partition under
    /// the parent's name: the name is taken there, nothing is listed.
    fn note_inherited_constraint(
        &mut self,
        schema: &str,
        table: &str,
        name: &str,
    ) -> Result<(), Problem> {
        for (cs, cn) in self.partitions_of(schema, table) {
            self.schema_mut(&cs)?.note_constraint(name);
            self.note_inherited_constraint(&cs, &cn, name)?;
        }
        Ok(())
    }

    fn add_key_constraint(
        &mut self,
        schema: &str,
        table: &str,
        c: &Constraint,
        recurse: bool,
    ) -> Result<(), Problem> {
        let role = match c.contype() {
            ConstrType::ConstrPrimary => IndexRole::Primary,
            ConstrType::ConstrUnique => IndexRole::Unique {
                deferrable: c.deferrable,
                initially_deferred: c.initdeferred,
            },
            _ => IndexRole::Exclusion {
                operators: Vec::new(),
            },
        };
        let mut keys = Vec::new();
        let mut naming_columns = Vec::new();
        let mut operators = Vec::new();
        if let IndexRole::Exclusion { .. } = role {
            for pair in &c.exclusions {
                let Some(NodeEnum::List(list)) = pair.node.as_ref() else {
                    continue;
                };
                let (
                    Some(Node {
                        node: Some(NodeEnum::IndexElem(elem)),
                    }),
                    Some(op),
                ) = (list.items.first(), list.items.get(1))
                else {
                    continue;
                };
                let (key, naming) = index_key(elem);
                keys.push(key);
                naming_columns.push(naming);
                let op = match op.node.as_ref() {
                    Some(NodeEnum::List(names)) => {
                        ast::strings(&names.items).pop().unwrap_or_default()
                    }
                    _ => String::new(),
                };
                operators.push(op);
            }
        } else {
            for column in ast::strings(&c.keys) {
                naming_columns.push(column.clone());
                keys.push(IndexKey::Column {
                    name: column,
                    options: IndexKeyOptions::default(),
                });
            }
        }
        let include = ast::strings(&c.including);
        naming_columns.extend(include.iter().cloned());
        let role = match role {
            IndexRole::Exclusion { .. } => IndexRole::Exclusion { operators },
            other => other,
        };
        if role == IndexRole::Primary {
            let t = self.table_mut(schema, table)?;
            for key in ast::strings(&c.keys) {
                if let Some(col) = t.columns.iter_mut().find(|col| col.name == key) {
                    col.nullable = false;
                }
            }
        }
        let spec = IndexSpec {
            unique: role != IndexRole::Plain && !matches!(role, IndexRole::Exclusion { .. }),
            role,
            method: if c.access_method.is_empty() {
                "btree".into()
            } else {
                c.access_method.clone()
            },
            keys,
            naming_columns,
            include,
            predicate: c.where_clause.as_deref().and_then(canon::node),
            nulls_not_distinct: c.nulls_not_distinct,
        };
        let name = (!c.conname.is_empty()).then(|| c.conname.clone());
        self.add_index(schema, table, name, spec, recurse)
            .map(|_| ())
    }

    /// Creates an index (and the constraint it backs, if any); on a
    /// partitioned table also on every partition that lacks an equal one.
    pub(super) fn add_index(
        &mut self,
        schema: &str,
        table_name: &str,
        name: Option<String>,
        spec: IndexSpec,
        recurse: bool,
    ) -> Result<String, Problem> {
        let s = self
            .schema(schema)
            .ok_or_else(|| Problem::unknown("schema", schema))?;
        let is_constraint = spec.role != IndexRole::Plain;
        let name = match name {
            Some(name) => {
                if s.relation_taken(&name) {
                    return Err(Problem::relation_exists(schema, &name));
                }
                name
            }
            None => {
                let (addition, label) = match &spec.role {
                    IndexRole::Primary => (None, "pkey"),
                    IndexRole::Exclusion { .. } => {
                        (Some(names::name_addition(&spec.naming_columns)), "excl")
                    }
                    IndexRole::Unique { .. } => {
                        (Some(names::name_addition(&spec.naming_columns)), "key")
                    }
                    IndexRole::Plain => (Some(names::name_addition(&spec.naming_columns)), "idx"),
                };
                names::choose_name(table_name, addition.as_deref(), label, |n| {
                    s.relation_taken(n) || (is_constraint && s.constraint_taken(n))
                })
            }
        };
        let key_columns: Vec<String> = spec
            .keys
            .iter()
            .filter_map(|k| match k {
                IndexKey::Column { name, .. } => Some(name.clone()),
                IndexKey::Expression { .. } => None,
            })
            .collect();
        let constraint = is_constraint.then(|| name.clone());
        let t = self.table_mut(schema, table_name)?;
        match &spec.role {
            IndexRole::Plain => {}
            IndexRole::Primary => {
                if t.primary_key.is_some() {
                    return Err(Problem::about(
                        ast::display_name(schema, table_name),
                        "multiple primary keys are not allowed: the constraint is skipped",
                    ));
                }
                t.primary_key = Some(PrimaryKey {
                    name: Some(name.clone()),
                    columns: key_columns,
                    comment: None,
                });
            }
            IndexRole::Unique {
                deferrable,
                initially_deferred,
            } => t.uniques.push(UniqueConstraint {
                name: Some(name.clone()),
                columns: key_columns,
                nulls_not_distinct: spec.nulls_not_distinct,
                deferrable: *deferrable,
                initially_deferred: *initially_deferred,
                comment: None,
            }),
            IndexRole::Exclusion { operators } => t.exclusions.push(ExclusionConstraint {
                name: name.clone(),
                method: spec.method.clone(),
                elements: spec
                    .keys
                    .iter()
                    .zip(operators)
                    .map(|(k, op)| ExclusionElement {
                        expression: match k {
                            IndexKey::Column { name, .. } => name.clone(),
                            IndexKey::Expression { expression, .. } => expression.clone(),
                        },
                        operator: op.clone(),
                    })
                    .collect(),
                predicate: spec.predicate.clone(),
                comment: None,
            }),
        }
        t.indexes.push(Index {
            name: name.clone(),
            unique: spec.unique,
            method: spec.method.clone(),
            keys: spec.keys.clone(),
            include: spec.include.clone(),
            predicate: spec.predicate.clone(),
            constraint,
            nulls_not_distinct: spec.nulls_not_distinct,
            comment: None,
        });
        let s = self.schema_mut(schema)?;
        s.indexes.insert(name.clone(), table_name.to_string());
        if is_constraint {
            s.note_constraint(&name);
        }
        if recurse {
            for (cs, cn) in self.partitions_of(schema, table_name) {
                self.clone_index(&cs, &cn, &spec)?;
            }
        }
        Ok(name)
    }

    /// Gives a partition the parent's index unless it already has an equal one.
    fn clone_index(
        &mut self,
        schema: &str,
        table: &str,
        parent_spec: &IndexSpec,
    ) -> Result<(), Problem> {
        let t = self.table_mut(schema, table)?;
        if t.indexes.iter().any(|i| parent_spec.same_definition(i)) {
            return Ok(());
        }
        let mut spec = parent_spec.clone();
        spec.naming_columns = clone_naming_columns(&spec.keys, &spec.include);
        self.add_index(schema, table, None, spec, true).map(|_| ())
    }

    fn add_foreign_key(
        &mut self,
        schema: &str,
        table: &str,
        c: &Constraint,
        recurse: bool,
    ) -> Result<(), Problem> {
        let columns = ast::strings(&c.fk_attrs);
        let target = c
            .pktable
            .clone()
            .ok_or_else(|| Problem::new("REFERENCES without a table"))?;
        let (ref_schema, ref_table) = self.find_table(&target)?;
        let mut referenced_columns = ast::strings(&c.pk_attrs);
        if referenced_columns.is_empty() {
            referenced_columns = self
                .table(&ref_schema, &ref_table)
                .and_then(|t| t.primary_key.as_ref())
                .map(|pk| pk.columns.clone())
                .ok_or_else(|| {
                    Problem::about(
                        ast::display_name(&ref_schema, &ref_table),
                        "there is no primary key for referenced table: the foreign key is skipped",
                    )
                })?;
        }
        let name = if c.conname.is_empty() {
            let s = self
                .schema(schema)
                .ok_or_else(|| Problem::unknown("schema", schema))?;
            names::choose_name(table, Some(&names::name_addition(&columns)), "fkey", |n| {
                s.constraint_taken(n)
            })
        } else {
            c.conname.clone()
        };
        let fk = ForeignKey {
            name: Some(name),
            columns,
            referenced_table: QualifiedName::new(ref_schema, ref_table),
            referenced_columns,
            on_update: action(&c.fk_upd_action),
            on_delete: action(&c.fk_del_action),
            match_type: match c.fk_matchtype.as_str() {
                "f" => MatchType::Full,
                "p" => MatchType::Partial,
                _ => MatchType::Simple,
            },
            deferrable: c.deferrable,
            initially_deferred: c.initdeferred,
            comment: None,
        };
        self.put_inherited(schema, table, fk, recurse)
    }

    /// The direct partitions of a table.
    pub(super) fn partitions_of(&self, schema: &str, table: &str) -> Vec<(String, String)> {
        let parent = QualifiedName::new(schema, table);
        if self
            .table(schema, table)
            .is_none_or(|t| t.kind != TableKind::PartitionedTable)
        {
            return Vec::new();
        }
        self.schemas
            .iter()
            .flat_map(|(sn, s)| {
                s.tables
                    .values()
                    .filter(|t| t.partition_of.as_ref().is_some_and(|p| p.parent == parent))
                    .map(move |t| (sn.clone(), t.name.clone()))
            })
            .collect()
    }

    /// What a new or attached partition takes from its parent. Indexes
    /// are its own (cloned unless an equal one exists). CHECKs and foreign
    /// keys are the parent's: their names are taken in the partition's
    /// schema, and a CHECK the attached table had under the same name
    /// becomes the inherited one, listed on the parent only. Row triggers
    /// are cloned the same way and listed on the parent only.
    fn inherit_from_parent(
        &mut self,
        parent_schema: &str,
        parent_name: &str,
        schema: &str,
        name: &str,
    ) -> Result<(), Problem> {
        let parent = self
            .table(parent_schema, parent_name)
            .cloned()
            .ok_or_else(|| {
                Problem::unknown("table", ast::display_name(parent_schema, parent_name))
            })?;
        let inherited: Vec<String> = parent
            .checks
            .iter()
            .filter_map(|c| c.name.clone())
            .chain(parent.foreign_keys.iter().filter_map(|f| f.name.clone()))
            .collect();
        let t = self.table_mut(schema, name)?;
        let had: Vec<String> = t
            .checks
            .iter()
            .filter_map(|c| c.name.clone())
            .filter(|n| inherited.contains(n))
            .collect();
        t.checks
            .retain(|c| c.name.as_ref().is_none_or(|n| !inherited.contains(n)));
        let s = self.schema_mut(schema)?;
        for constraint in inherited.iter().filter(|n| !had.contains(n)) {
            s.note_constraint(constraint);
        }
        for index in &parent.indexes {
            self.clone_index(schema, name, &IndexSpec::of(index, &parent))?;
        }
        Ok(())
    }

    /// `pg_get_partkeydef`: `RANGE (created_at)`, `LIST (lower(region))`.
    fn partition_key(&self, spec: &PartitionSpec) -> String {
        let strategy = match spec.strategy() {
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
            _ => "RANGE",
        };
        let parts: Vec<String> = spec
            .part_params
            .iter()
            .filter_map(|p| match p.node.as_ref() {
                Some(NodeEnum::PartitionElem(elem)) => Some(match elem.expr.as_deref() {
                    None => quote_ident(&elem.name),
                    Some(expr) => {
                        let text = canon::node(expr).unwrap_or_default();
                        match expr.node.as_ref() {
                            Some(NodeEnum::FuncCall(_)) => text,
                            _ => format!("({text})"),
                        }
                    }
                }),
                _ => None,
            })
            .collect();
        format!("{strategy} ({})", parts.join(", "))
    }

    /// The bound as `pg_get_expr(relpartbound)` prints it, constants in
    /// the output format of the partition key's type.
    fn partition_bound(&self, bound: &PartitionBoundSpec, parent: &Table) -> String {
        if bound.is_default {
            return "DEFAULT".into();
        }
        let key_types: Vec<String> = parent
            .partition_key
            .as_deref()
            .and_then(|k| {
                k.split_once('(')
                    .map(|(_, cols)| cols.trim_end_matches(')'))
            })
            .map(|cols| {
                cols.split(", ")
                    .map(|col| {
                        parent
                            .column(col.trim_matches('"'))
                            .map_or_else(String::new, |c| c.data_type.clone())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let datum = |node: &Node, i: usize| {
            bound_datum(node, key_types.get(i).map(String::as_str).unwrap_or(""))
        };
        let list = |nodes: &[Node]| {
            nodes
                .iter()
                .enumerate()
                .map(|(i, n)| datum(n, i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match bound.strategy.as_str() {
            "l" => {
                let values: Vec<String> = bound.listdatums.iter().map(|n| datum(n, 0)).collect();
                format!("FOR VALUES IN ({})", values.join(", "))
            }
            "h" => format!(
                "FOR VALUES WITH (modulus {}, remainder {})",
                bound.modulus, bound.remainder
            ),
            _ => format!(
                "FOR VALUES FROM ({}) TO ({})",
                list(&bound.lowerdatums),
                list(&bound.upperdatums)
            ),
        }
    }

    pub(super) fn alter_table(&mut self, stmt: AlterTableStmt) -> Result<(), Problem> {
        let relation = stmt
            .relation
            .clone()
            .ok_or_else(|| Problem::new("ALTER without a name"))?;
        match stmt.objtype() {
            ObjectType::ObjectIndex | ObjectType::ObjectSequence => return Ok(()),
            ObjectType::ObjectTable
            | ObjectType::ObjectForeignTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview => {}
            _ => return Ok(()),
        }
        let (schema, table) = match self.find_table(&relation) {
            Ok(found) => found,
            Err(_) if stmt.missing_ok || self.is_sequence_or_index(&relation) => return Ok(()),
            Err(problem) => return Err(problem),
        };
        let recurse = is_true(&relation);
        let mut first_problem = None;
        for cmd in &stmt.cmds {
            if let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() {
                if let Err(problem) = self.alter_table_cmd(&schema, &table, cmd, recurse) {
                    first_problem.get_or_insert(problem);
                }
            }
        }
        first_problem.map_or(Ok(()), Err)
    }

    fn alter_table_cmd(
        &mut self,
        schema: &str,
        table: &str,
        cmd: &AlterTableCmd,
        recurse: bool,
    ) -> Result<(), Problem> {
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        match cmd.subtype() {
            AlterTableType::AtAddColumn => {
                let Some(NodeEnum::ColumnDef(def)) = def else {
                    return Ok(());
                };
                self.add_column(schema, table, def, cmd.missing_ok, recurse)
            }
            AlterTableType::AtColumnDefault => {
                let default = cmd.def.as_deref().and_then(column_default);
                self.with_column(schema, table, &cmd.name, recurse, &|c| {
                    c.default = default.clone()
                })
            }
            AlterTableType::AtSetNotNull => {
                self.with_column(schema, table, &cmd.name, recurse, &|c| c.nullable = false)
            }
            AlterTableType::AtDropNotNull => {
                self.with_column(schema, table, &cmd.name, recurse, &|c| c.nullable = true)
            }
            AlterTableType::AtDropExpression => {
                self.with_column(schema, table, &cmd.name, recurse, &|c| c.generated = None)
            }
            AlterTableType::AtAlterColumnType => {
                let Some(NodeEnum::ColumnDef(def)) = def else {
                    return Ok(());
                };
                let Some(type_name) = def.type_name.as_ref() else {
                    return Ok(());
                };
                let data_type = self.spell_type(type_name, Modifiers::Keep);
                let collation = def
                    .coll_clause
                    .as_ref()
                    .and_then(|c| ast::strings(&c.collname).pop());
                self.with_column(schema, table, &cmd.name, recurse, &|c| {
                    c.logical_type = crate::types::logical_type(&data_type);
                    c.data_type = data_type.clone();
                    if collation.is_some() {
                        c.collation = collation.clone();
                    }
                })
            }
            AlterTableType::AtAddIdentity => {
                let Some(NodeEnum::Constraint(c)) = def else {
                    return Ok(());
                };
                let kind = identity_kind(&c.generated_when);
                let sequence = c.options.iter().find_map(|o| match o.node.as_ref() {
                    Some(NodeEnum::DefElem(d)) if d.defname == "sequence_name" => {
                        match d.arg.as_deref()?.node.as_ref()? {
                            NodeEnum::List(l) => ast::strings(&l.items).pop(),
                            _ => None,
                        }
                    }
                    _ => None,
                });
                let sequence = sequence.unwrap_or_else(|| {
                    let s = self.schema(schema);
                    names::choose_name(table, Some(&cmd.name), "seq", |n| {
                        s.is_some_and(|s| s.relation_taken(n))
                    })
                });
                self.schema_mut(schema)?.hidden_relations.insert(sequence);
                self.with_column(schema, table, &cmd.name, false, &|c| {
                    c.identity = Some(kind);
                    c.nullable = false;
                })
            }
            AlterTableType::AtDropIdentity => {
                self.with_column(schema, table, &cmd.name, false, &|c| c.identity = None)
            }
            AlterTableType::AtDropColumn => {
                self.drop_column(schema, table, &cmd.name, cmd.missing_ok)
            }
            AlterTableType::AtAddConstraint => {
                let Some(NodeEnum::Constraint(c)) = def else {
                    return Ok(());
                };
                let mut pending = Pending::default();
                if c.contype() == ConstrType::ConstrNotnull {
                    for key in ast::strings(&c.keys) {
                        self.with_column(schema, table, &key, recurse, &|col| {
                            col.nullable = false
                        })?;
                    }
                    return Ok(());
                }
                pending.add((**c).clone(), None);
                self.apply_pending(schema, table, pending, recurse)
            }
            AlterTableType::AtDropConstraint => {
                self.drop_constraint(schema, table, &cmd.name, cmd.missing_ok)
            }
            AlterTableType::AtEnableRowSecurity => self
                .table_mut(schema, table)
                .map(|t| t.row_security.enabled = true),
            AlterTableType::AtDisableRowSecurity => self
                .table_mut(schema, table)
                .map(|t| t.row_security.enabled = false),
            AlterTableType::AtForceRowSecurity => self
                .table_mut(schema, table)
                .map(|t| t.row_security.forced = true),
            AlterTableType::AtNoForceRowSecurity => self
                .table_mut(schema, table)
                .map(|t| t.row_security.forced = false),
            AlterTableType::AtAttachPartition => {
                let Some(NodeEnum::PartitionCmd(partition)) = def else {
                    return Ok(());
                };
                self.attach_partition(
                    schema,
                    table,
                    partition.name.as_ref(),
                    partition.bound.as_ref(),
                )
            }
            AlterTableType::AtDetachPartition => {
                let Some(NodeEnum::PartitionCmd(partition)) = def else {
                    return Ok(());
                };
                let child = partition.name.clone().unwrap_or_default();
                let (cs, cn) = self.find_table(&child)?;
                self.table_mut(&cs, &cn).map(|t| t.partition_of = None)
            }
            AlterTableType::AtAddInherit => Err(Problem::about(
                ast::display_name(schema, table),
                "INHERIT is not modelled: the table keeps its own columns and constraints",
            )),
            AlterTableType::AtAddIndexConstraint => Err(Problem::about(
                ast::display_name(schema, table),
                "ADD CONSTRAINT ... USING INDEX is not modelled: the constraint is skipped",
            )),
            _ => Ok(()),
        }
    }

    fn add_column(
        &mut self,
        schema: &str,
        table: &str,
        def: &ColumnDef,
        if_not_exists: bool,
        recurse: bool,
    ) -> Result<(), Problem> {
        let mut t = self.table_mut(schema, table)?.clone();
        if t.column(&def.colname).is_some() {
            return match if_not_exists {
                true => Ok(()),
                false => Err(Problem::about(
                    ast::display_name(schema, table),
                    format!(
                        "column `{}` already exists: the statement is skipped",
                        def.colname
                    ),
                )),
            };
        }
        let mut pending = Pending::default();
        let serial = self.read_column(&mut t, def, &mut pending)?;
        let column = t.columns.last().cloned();
        if let Some((column_name, base)) = serial {
            let s = self
                .schema(schema)
                .ok_or_else(|| Problem::unknown("schema", schema))?;
            let seq_name =
                names::choose_name(table, Some(&column_name), "seq", |n| s.relation_taken(n));
            let default = canon::expression(&format!(
                "nextval('{}'::regclass)",
                regclass_literal(schema, &seq_name)
            ));
            if let Some(col) = t.columns.last_mut() {
                col.default = Some(default);
            }
            let sequence = Sequence {
                owned_by: Some(ColumnRef {
                    table: QualifiedName::new(schema, table),
                    column: column_name,
                }),
                ..default_sequence(&seq_name, base, 1)
            };
            self.schema_mut(schema)?
                .sequences
                .insert(seq_name, sequence);
        }
        let new_column = t.columns.last().cloned().or(column);
        if let Some(column) = new_column {
            self.push_column(schema, table, column, recurse)?;
        }
        self.apply_pending(schema, table, pending, recurse)
    }

    fn push_column(
        &mut self,
        schema: &str,
        table: &str,
        column: Column,
        recurse: bool,
    ) -> Result<(), Problem> {
        let t = self.table_mut(schema, table)?;
        if t.column(&column.name).is_none() {
            t.columns.push(column.clone());
        }
        if recurse {
            for (cs, cn) in self.partitions_of(schema, table) {
                self.push_column(
                    &cs,
                    &cn,
                    Column {
                        identity: None,
                        ..column.clone()
                    },
                    true,
                )?;
            }
        }
        Ok(())
    }

    fn with_column(
        &mut self,
        schema: &str,
        table: &str,
        column: &str,
        recurse: bool,
        change: &dyn Fn(&mut Column),
    ) -> Result<(), Problem> {
        let t = self.table_mut(schema, table)?;
        let col = t
            .columns
            .iter_mut()
            .find(|c| c.name == column)
            .ok_or_else(|| {
                Problem::about(
                    ast::display_name(schema, table),
                    format!("unknown column `{column}`: the statement is skipped"),
                )
            })?;
        change(col);
        if recurse {
            for (cs, cn) in self.partitions_of(schema, table) {
                self.with_column(&cs, &cn, column, true, change)?;
            }
        }
        Ok(())
    }

    /// Drops a column and what depends on it: its key constraints,
    /// indexes, foreign keys and serial sequence.
    fn drop_column(
        &mut self,
        schema: &str,
        table: &str,
        column: &str,
        missing_ok: bool,
    ) -> Result<(), Problem> {
        let t = self.table_mut(schema, table)?;
        let Some(position) = t.columns.iter().position(|c| c.name == column) else {
            return match missing_ok {
                true => Ok(()),
                false => Err(Problem::about(
                    ast::display_name(schema, table),
                    format!("unknown column `{column}`: the statement is skipped"),
                )),
            };
        };
        t.columns.remove(position);
        let mut dropped_constraints = Vec::new();
        if t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
        {
            dropped_constraints.extend(t.primary_key.take().and_then(|pk| pk.name));
        }
        t.uniques.retain(|u| {
            let keep = !u.columns.iter().any(|c| c == column);
            if !keep {
                dropped_constraints.extend(u.name.clone());
            }
            keep
        });
        t.foreign_keys.retain(|f| {
            let keep = !f.columns.iter().any(|c| c == column);
            if !keep {
                dropped_constraints.extend(f.name.clone());
            }
            keep
        });
        t.checks.retain(|c| {
            let keep = !mentions_column(&c.expression, column);
            if !keep {
                dropped_constraints.extend(c.name.clone());
            }
            keep
        });
        let mut dropped_indexes = Vec::new();
        t.indexes.retain(|i| {
            let uses = i.keys.iter().any(|k| match k {
                IndexKey::Column { name, .. } => name == column,
                IndexKey::Expression { expression, .. } => mentions_column(expression, column),
            }) || i.include.iter().any(|c| c == column);
            if uses {
                dropped_indexes.push(i.name.clone());
            }
            !uses
        });
        let s = self.schema_mut(schema)?;
        for name in &dropped_constraints {
            s.forget_constraint(name);
        }
        for name in &dropped_indexes {
            s.indexes.remove(name);
        }
        let owned = QualifiedName::new(schema, table);
        s.sequences.retain(|_, seq| {
            seq.owned_by
                .as_ref()
                .is_none_or(|o| o.table != owned || o.column != column)
        });
        Ok(())
    }

    pub(super) fn drop_constraint(
        &mut self,
        schema: &str,
        table: &str,
        name: &str,
        missing_ok: bool,
    ) -> Result<(), Problem> {
        let t = self.table_mut(schema, table)?;
        let wanted = Some(name.to_string());
        let mut found = false;
        if t.primary_key.as_ref().is_some_and(|pk| pk.name == wanted) {
            t.primary_key = None;
            found = true;
        }
        let before = t.uniques.len() + t.foreign_keys.len() + t.checks.len() + t.exclusions.len();
        t.uniques.retain(|u| u.name != wanted);
        t.foreign_keys.retain(|f| f.name != wanted);
        t.checks.retain(|c| c.name != wanted);
        t.exclusions.retain(|e| e.name != name);
        found |=
            before != t.uniques.len() + t.foreign_keys.len() + t.checks.len() + t.exclusions.len();
        let had_index = t
            .indexes
            .iter()
            .any(|i| i.constraint.as_deref() == Some(name));
        t.indexes.retain(|i| i.constraint.as_deref() != Some(name));
        if !found {
            return match missing_ok {
                true => Ok(()),
                false => Err(Problem::about(
                    ast::display_name(schema, table),
                    format!("unknown constraint `{name}`: the statement is skipped"),
                )),
            };
        }
        let s = self.schema_mut(schema)?;
        s.forget_constraint(name);
        if had_index {
            s.indexes.remove(name);
        }
        for (cs, cn) in self.partitions_of(schema, table) {
            self.drop_constraint(&cs, &cn, name, true)?;
        }
        Ok(())
    }

    fn attach_partition(
        &mut self,
        schema: &str,
        table: &str,
        child: Option<&RangeVar>,
        bound: Option<&PartitionBoundSpec>,
    ) -> Result<(), Problem> {
        let child = child.ok_or_else(|| Problem::new("ATTACH PARTITION without a table"))?;
        let (cs, cn) = self.find_table(child)?;
        let parent = self
            .table(schema, table)
            .ok_or_else(|| Problem::unknown("table", ast::display_name(schema, table)))?;
        let bound = bound
            .map(|b| self.partition_bound(b, parent))
            .unwrap_or_else(|| "DEFAULT".into());
        self.table_mut(&cs, &cn)?.partition_of = Some(PartitionOf {
            parent: QualifiedName::new(schema, table),
            bound,
        });
        self.inherit_from_parent(schema, table, &cs, &cn)
    }

    pub(super) fn create_index(&mut self, stmt: IndexStmt) -> Result<(), Problem> {
        let relation = stmt
            .relation
            .clone()
            .ok_or_else(|| Problem::new("CREATE INDEX without a table"))?;
        let (schema, table) = self.find_table(&relation)?;
        if !stmt.idxname.is_empty()
            && self
                .schema(&schema)
                .is_some_and(|s| s.relation_taken(&stmt.idxname))
            && stmt.if_not_exists
        {
            return Ok(());
        }
        let mut keys = Vec::new();
        let mut naming = Vec::new();
        for param in &stmt.index_params {
            if let Some(NodeEnum::IndexElem(elem)) = param.node.as_ref() {
                let (key, name) = index_key(elem);
                keys.push(key);
                naming.push(name);
            }
        }
        let include: Vec<String> = stmt
            .index_including_params
            .iter()
            .filter_map(|p| match p.node.as_ref() {
                Some(NodeEnum::IndexElem(elem)) => Some(elem.name.clone()),
                _ => None,
            })
            .collect();
        naming.extend(include.iter().cloned());
        let spec = IndexSpec {
            role: IndexRole::Plain,
            unique: stmt.unique,
            method: if stmt.access_method.is_empty() {
                "btree".into()
            } else {
                stmt.access_method.to_lowercase()
            },
            keys,
            naming_columns: names::index_column_names(naming),
            include,
            predicate: stmt.where_clause.as_deref().and_then(canon::node),
            nulls_not_distinct: stmt.nulls_not_distinct,
        };
        let name = (!stmt.idxname.is_empty()).then(|| stmt.idxname.clone());
        self.add_index(&schema, &table, name, spec, is_true(&relation))
            .map(|_| ())
    }
}

/// One index column: the key as the Catalog keeps it and the name it
/// lends an implicit index name (`FigureIndexColname`).
fn index_key(elem: &IndexElem) -> (IndexKey, String) {
    let descending = elem.ordering() == SortByDir::SortbyDesc;
    let nulls_first = match (elem.nulls_ordering(), descending) {
        (SortByNulls::SortbyNullsFirst, false) => Some(true),
        (SortByNulls::SortbyNullsLast, true) => Some(false),
        _ => None,
    };
    let options = IndexKeyOptions {
        descending,
        nulls_first,
        opclass: ast::strings(&elem.opclass).pop(),
        collation: ast::strings(&elem.collation).pop(),
        prefix_length: None,
    };
    match elem.expr.as_deref() {
        None => (
            IndexKey::Column {
                name: elem.name.clone(),
                options,
            },
            elem.name.clone(),
        ),
        Some(expr) => {
            // `(col)` in parentheses is still a plain column key.
            if let Some(NodeEnum::ColumnRef(c)) = expr.node.as_ref() {
                if let [only] = c.fields.as_slice() {
                    if let Some(name) = ast::string_of(only) {
                        return (
                            IndexKey::Column {
                                name: name.to_string(),
                                options,
                            },
                            name.to_string(),
                        );
                    }
                }
            }
            let figured = canon::figure_colname(expr);
            let naming = if figured == "?column?" {
                "expr".to_string()
            } else {
                figured
            };
            (
                IndexKey::Expression {
                    expression: canon::node(expr).unwrap_or_default(),
                    options,
                },
                naming,
            )
        }
    }
}

/// A column default as stored: the server keeps no default for a plain `NULL`.
fn column_default(expr: &Node) -> Option<String> {
    canon::node(expr).filter(|d| d != "NULL")
}

fn identity_kind(generated_when: &str) -> Identity {
    match generated_when {
        "a" => Identity::Always,
        _ => Identity::ByDefault,
    }
}

fn action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// Whether a canonical expression refers to a column, by parsing it again.
fn mentions_column(expression: &str, column: &str) -> bool {
    crate::parser::parse(&format!("SELECT {expression}"))
        .ok()
        .and_then(|parsed| parsed.protobuf.stmts.into_iter().next())
        .and_then(|raw| raw.stmt)
        .is_some_and(|stmt| canon::column_refs(&stmt).iter().any(|c| c == column))
}

/// How `regclass` prints a sequence: bare on the search path, else qualified.
pub(super) fn regclass_literal(schema: &str, name: &str) -> String {
    let name = quote_ident(name).replace('\'', "''");
    if schema == "public" {
        name
    } else {
        format!("{}.{name}", quote_ident(schema).replace('\'', "''"))
    }
}

/// A sequence with the server's defaults for its type and direction.
pub(super) fn default_sequence(name: &str, data_type: &str, increment: i64) -> Sequence {
    let (type_min, type_max) = match data_type {
        "smallint" => (i64::from(i16::MIN), i64::from(i16::MAX)),
        "integer" => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let (min_value, max_value) = if increment > 0 {
        (1, type_max)
    } else {
        (type_min, -1)
    };
    Sequence {
        name: name.to_string(),
        data_type: data_type.to_string(),
        start: if increment > 0 { min_value } else { max_value },
        increment,
        min_value,
        max_value,
        cache: 1,
        cycle: false,
        owned_by: None,
        comment: None,
    }
}

/// A partition bound constant as the server prints it for the key's type.
fn bound_datum(node: &Node, key_type: &str) -> String {
    if let Some(NodeEnum::ColumnRef(c)) = node.node.as_ref() {
        // MINVALUE and MAXVALUE arrive as column references.
        if let Some(word) = c.fields.first().and_then(ast::string_of) {
            return word.to_uppercase();
        }
    }
    let text = canon::node(node).unwrap_or_default();
    let Some(literal) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) else {
        return match key_type {
            "text" | "date" | "uuid" => format!("'{text}'"),
            t if t.starts_with("character") || t.starts_with("timestamp") => format!("'{text}'"),
            _ => text,
        };
    };
    match key_type {
        "timestamp with time zone" => format!("'{}'", timestamp_output(literal, true)),
        "timestamp without time zone" => format!("'{}'", timestamp_output(literal, false)),
        "integer" | "bigint" | "smallint" | "numeric" => literal.to_string(),
        _ => text,
    }
}

/// `2025-01-01` as a timestamp prints with its time of day (and, with a
/// zone, the UTC offset the tests' servers run with).
fn timestamp_output(literal: &str, with_zone: bool) -> String {
    let literal = literal.trim();
    let mut out = if literal.len() == 10 {
        format!("{literal} 00:00:00")
    } else {
        literal.replace('T', " ")
    };
    if with_zone && !out.contains('+') && !out.ends_with('Z') {
        out.push_str("+00");
    }
    out
}

pub(super) fn find_index(model: &Model, relation: &RangeVar) -> Option<(String, String, String)> {
    let name = &relation.relname;
    let schema = model.lookup(&relation.schemaname, |s| s.indexes.contains_key(name))?;
    let table = model.schema(&schema)?.indexes.get(name)?.clone();
    Some((schema, table, name.clone()))
}

/// A constraint that partitions inherit from their table (see
/// [`Model::put_inherited`]).
trait Inherited: Sized {
    fn name(&self) -> Option<&str>;
    /// The table's list of constraints of this kind.
    fn listed(table: &mut Table) -> &mut Vec<Self>;
}

impl Inherited for CheckConstraint {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn listed(table: &mut Table) -> &mut Vec<Self> {
        &mut table.checks
    }
}

impl Inherited for ForeignKey {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn listed(table: &mut Table) -> &mut Vec<Self> {
        &mut table.foreign_keys
    }
}
