//! The catalog being built: schemas and their objects, keyed by name, with
//! the bookkeeping PostgreSQL uses to invent names (which relation and
//! constraint names a schema already holds), and the session state a file
//! changes (`search_path`).

use super::ast;
use super::Problem;
use carta_catalog::{Domain, EnumType, Extension, Function, Schema, Sequence, Table};
use pg_query::protobuf::{RangeVar, SelectStmt, VariableSetKind, VariableSetStmt};
use pg_query::NodeEnum;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One schema's objects. Tables keep their lists in creation order (the
/// order names are invented in); the Catalog sorts them at the end.
#[derive(Debug, Default)]
pub(super) struct SchemaModel {
    pub comment: Option<String>,
    pub tables: BTreeMap<String, Table>,
    pub enums: BTreeMap<String, EnumType>,
    pub domains: BTreeMap<String, Domain>,
    pub sequences: BTreeMap<String, Sequence>,
    pub functions: Vec<Function>,
    /// Index name to the table it is on.
    pub indexes: HashMap<String, String>,
    /// Relations that exist but are not listed: identity sequences.
    pub hidden_relations: HashSet<String>,
    /// How many constraints of the schema carry each name.
    constraint_names: HashMap<String, usize>,
}

impl SchemaModel {
    /// Whether a table, view, index or sequence already has this name (`pg_class`).
    pub fn relation_taken(&self, name: &str) -> bool {
        self.tables.contains_key(name)
            || self.sequences.contains_key(name)
            || self.indexes.contains_key(name)
            || self.hidden_relations.contains(name)
    }

    /// Whether any constraint in the schema has this name (`pg_constraint`).
    pub fn constraint_taken(&self, name: &str) -> bool {
        self.constraint_names.get(name).is_some_and(|n| *n > 0)
    }

    pub fn note_constraint(&mut self, name: &str) {
        *self.constraint_names.entry(name.to_string()).or_default() += 1;
    }

    pub fn forget_constraint(&mut self, name: &str) {
        if let Some(count) = self.constraint_names.get_mut(name) {
            *count = count.saturating_sub(1);
        }
    }

    /// Every constraint name a table holds, for bookkeeping when it comes or goes.
    pub fn table_constraint_names(table: &Table) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        names.extend(table.primary_key.as_ref().and_then(|pk| pk.name.clone()));
        names.extend(table.foreign_keys.iter().filter_map(|f| f.name.clone()));
        names.extend(table.uniques.iter().filter_map(|u| u.name.clone()));
        names.extend(table.checks.iter().filter_map(|c| c.name.clone()));
        names.extend(table.exclusions.iter().map(|e| e.name.clone()));
        names
    }

    /// Adds a whole table, noting its constraint and index names.
    pub fn insert_table(&mut self, table: Table) {
        for name in Self::table_constraint_names(&table) {
            self.note_constraint(&name);
        }
        for index in &table.indexes {
            self.indexes.insert(index.name.clone(), table.name.clone());
        }
        self.tables.insert(table.name.clone(), table);
    }

    /// Removes a table with its indexes, constraints and owned sequences.
    pub fn remove_table(&mut self, name: &str) -> Option<Table> {
        let table = self.tables.remove(name)?;
        for constraint in Self::table_constraint_names(&table) {
            self.forget_constraint(&constraint);
        }
        for index in &table.indexes {
            self.indexes.remove(&index.name);
        }
        Some(table)
    }
}

/// The whole model plus session state.
#[derive(Debug)]
pub(super) struct Model {
    pub schemas: BTreeMap<String, SchemaModel>,
    pub extensions: BTreeMap<String, Extension>,
    pub search_path: Vec<String>,
}

impl Default for Model {
    /// A fresh database: the `public` schema with its stock comment. (Its
    /// `plpgsql` extension is in every database and is not listed.)
    fn default() -> Self {
        let mut schemas = BTreeMap::new();
        schemas.insert(
            "public".to_string(),
            SchemaModel {
                comment: Some("standard public schema".into()),
                ..SchemaModel::default()
            },
        );
        Model {
            schemas,
            extensions: BTreeMap::new(),
            search_path: default_search_path(),
        }
    }
}

fn default_search_path() -> Vec<String> {
    vec!["public".to_string()]
}

/// The comment an extension's control file gives it, for the extensions
/// shipped with PostgreSQL (the server sets it on `CREATE EXTENSION`).
pub(super) fn extension_comment(name: &str) -> Option<String> {
    let comment = match name {
        "btree_gin" => "support for indexing common datatypes in GIN",
        "btree_gist" => "support for indexing common datatypes in GiST",
        "citext" => "data type for case-insensitive character strings",
        "cube" => "data type for multidimensional cubes",
        "dblink" => "connect to other PostgreSQL databases from within a database",
        "earthdistance" => "calculate great-circle distances on the surface of the Earth",
        "fuzzystrmatch" => "determine similarities and distance between strings",
        "hstore" => "data type for storing sets of (key, value) pairs",
        "intarray" => "functions, operators, and index support for 1-D arrays of integers",
        "isn" => "data types for international product numbering standards",
        "lo" => "Large Object maintenance",
        "ltree" => "data type for hierarchical tree-like structures",
        "pg_stat_statements" => {
            "track planning and execution statistics of all SQL statements executed"
        }
        "pg_trgm" => "text similarity measurement and index searching based on trigrams",
        "pgcrypto" => "cryptographic functions",
        "postgres_fdw" => "foreign-data wrapper for remote PostgreSQL servers",
        "tablefunc" => "functions that manipulate whole tables, including crosstab",
        "unaccent" => "text search dictionary that removes accents",
        "uuid-ossp" => "generate universally unique identifiers (UUIDs)",
        _ => return None,
    };
    Some(comment.to_string())
}

impl Model {
    pub fn reset_session(&mut self) {
        self.search_path = default_search_path();
    }

    /// Whether to create relation `name` in `schema`: not where the name
    /// is taken, which is a problem unless the statement says `IF NOT EXISTS`.
    pub fn may_create_relation(
        &self,
        schema: &str,
        name: &str,
        if_not_exists: bool,
    ) -> Result<bool, Problem> {
        if !self.schema(schema).is_some_and(|s| s.relation_taken(name)) {
            return Ok(true);
        }
        match if_not_exists {
            true => Ok(false),
            false => Err(Problem::relation_exists(schema, name)),
        }
    }

    pub fn schema(&self, name: &str) -> Option<&SchemaModel> {
        self.schemas.get(name)
    }

    pub fn schema_mut(&mut self, name: &str) -> Result<&mut SchemaModel, Problem> {
        self.schemas
            .get_mut(name)
            .ok_or_else(|| Problem::unknown("schema", name))
    }

    /// The schema an object lands in: the one named, else the first
    /// existing schema on the search path.
    pub fn creation_schema(&self, explicit: &str) -> Result<String, Problem> {
        if !explicit.is_empty() {
            return match self.schemas.contains_key(explicit) {
                true => Ok(explicit.to_string()),
                false => Err(Problem::unknown("schema", explicit)),
            };
        }
        self.search_path
            .iter()
            .find(|s| self.schemas.contains_key(*s))
            .cloned()
            .ok_or_else(|| {
                Problem::new("no schema has been selected to create in (the search_path is empty)")
            })
    }

    /// The schema holding an object found by `exists`, by explicit schema
    /// or along the search path.
    pub fn lookup(&self, explicit: &str, exists: impl Fn(&SchemaModel) -> bool) -> Option<String> {
        if !explicit.is_empty() {
            return self
                .schemas
                .get(explicit)
                .filter(|s| exists(s))
                .map(|_| explicit.to_string());
        }
        self.search_path
            .iter()
            .find(|s| self.schemas.get(*s).is_some_and(&exists))
            .cloned()
    }

    /// `(schema, table)` of an existing table-like relation.
    pub fn find_table(&self, relation: &RangeVar) -> Result<(String, String), Problem> {
        let name = &relation.relname;
        self.lookup(&relation.schemaname, |s| s.tables.contains_key(name))
            .map(|schema| (schema, name.clone()))
            .ok_or_else(|| Problem::unknown("table", range_var_display(relation)))
    }

    /// Whether `relation` names a sequence or index. PostgreSQL accepts
    /// `ALTER TABLE` on those for what the Catalog does not model (pg_dump
    /// writes `ALTER TABLE seq OWNER TO ...`), so such statements change nothing.
    pub fn is_sequence_or_index(&self, relation: &RangeVar) -> bool {
        let name = &relation.relname;
        self.lookup(&relation.schemaname, |s| {
            s.sequences.contains_key(name)
                || s.indexes.contains_key(name)
                || s.hidden_relations.contains(name)
        })
        .is_some()
    }

    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.schemas.get(schema)?.tables.get(name)
    }

    pub fn table_mut(&mut self, schema: &str, name: &str) -> Result<&mut Table, Problem> {
        self.schemas
            .get_mut(schema)
            .and_then(|s| s.tables.get_mut(name))
            .ok_or_else(|| Problem::unknown("table", ast::display_name(schema, name)))
    }

    /// `SET search_path = a, b` and friends; other settings change no schema.
    pub fn set(&mut self, set: &VariableSetStmt) {
        if set.name != "search_path" {
            return;
        }
        match set.kind() {
            VariableSetKind::VarSetValue => {
                self.search_path = set
                    .args
                    .iter()
                    .filter_map(|arg| match arg.node.as_ref()? {
                        NodeEnum::AConst(c) => match c.val.as_ref()? {
                            pg_query::protobuf::a_const::Val::Sval(s) => Some(s.sval.clone()),
                            _ => None,
                        },
                        NodeEnum::String(s) => Some(s.sval.clone()),
                        _ => None,
                    })
                    .flat_map(|value| parse_search_path(&value))
                    .collect();
            }
            VariableSetKind::VarSetDefault
            | VariableSetKind::VarReset
            | VariableSetKind::VarResetAll => {
                self.search_path = default_search_path();
            }
            _ => {}
        }
    }

    /// `SELECT pg_catalog.set_config('search_path', '', false)`, as pg_dump
    /// writes it; any other SELECT changes no schema.
    pub fn select(&mut self, select: &SelectStmt) {
        for target in &select.target_list {
            let Some(NodeEnum::ResTarget(target)) = target.node.as_ref() else {
                continue;
            };
            let Some(NodeEnum::FuncCall(call)) =
                target.val.as_deref().and_then(|v| v.node.as_ref())
            else {
                continue;
            };
            if ast::strings(&call.funcname).last().map(String::as_str) != Some("set_config") {
                continue;
            }
            let args: Vec<Option<String>> = call.args.iter().map(constant_text).collect();
            if let [Some(name), Some(value), ..] = args.as_slice() {
                if name == "search_path" {
                    self.search_path = parse_search_path(value);
                }
            }
        }
    }

    pub fn schemas_for_catalog(&self) -> Vec<Schema> {
        self.schemas
            .iter()
            .map(|(name, s)| Schema {
                name: name.clone(),
                comment: s.comment.clone(),
                tables: s.tables.values().cloned().collect(),
                enums: s.enums.values().cloned().collect(),
                domains: s.domains.values().cloned().collect(),
                sequences: s.sequences.values().cloned().collect(),
                functions: s.functions.clone(),
            })
            .collect()
    }

    pub fn extensions(&self) -> Vec<Extension> {
        self.extensions.values().cloned().collect()
    }
}

fn constant_text(node: &pg_query::protobuf::Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            pg_query::protobuf::a_const::Val::Sval(s) => Some(s.sval.clone()),
            _ => None,
        },
        NodeEnum::TypeCast(cast) => cast.arg.as_deref().and_then(constant_text),
        _ => None,
    }
}

/// `'"$user", public'` to `["public"]`: schema names, unquoted; `$user`
/// names a schema only if one is called like the user, which DDL cannot know.
fn parse_search_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => s.to_lowercase(),
            },
        )
        .filter(|s| s != "$user")
        .collect()
}

pub(super) fn range_var_display(relation: &RangeVar) -> String {
    if relation.schemaname.is_empty() {
        relation.relname.clone()
    } else {
        ast::display_name(&relation.schemaname, &relation.relname)
    }
}
