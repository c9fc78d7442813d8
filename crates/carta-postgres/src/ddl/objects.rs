//! Every statement kind other than tables and indexes: schemas, sequences,
//! enums, domains, functions, triggers, policies, views, extensions,
//! comments, drops and renames; and the dispatch of all statements.

use super::ast::{self, quote_ident};
use super::model::{extension_comment, range_var_display, Model};
use super::names;
use super::table::default_sequence;
use super::typename::Modifiers;
use super::Problem;
use crate::canon;
use carta_catalog::{
    CheckConstraint, Column, ColumnRef, Domain, EnumType, Extension, Function, FunctionKind,
    Policy, PolicyCommand, QualifiedName, Sequence, Table, TableKind, Trigger, TriggerEvent,
    TriggerTiming, Volatility,
};
use pg_query::protobuf::{
    AlterDomainStmt, AlterEnumStmt, AlterPolicyStmt, AlterSeqStmt, CommentStmt, ConstrType,
    CreateDomainStmt, CreateEnumStmt, CreateExtensionStmt, CreateFunctionStmt, CreatePolicyStmt,
    CreateSchemaStmt, CreateSeqStmt, CreateTableAsStmt, CreateTrigStmt, DefElem, DropStmt,
    FunctionParameterMode, Node, ObjectType, ObjectWithArgs, RangeVar, RenameStmt, SelectStmt,
    TypeName, ViewStmt,
};
use pg_query::NodeEnum;

impl Model {
    /// Applies one parsed statement.
    pub(super) fn apply(&mut self, node: NodeEnum) -> Result<(), Problem> {
        match node {
            NodeEnum::CreateSchemaStmt(s) => self.create_schema(s),
            NodeEnum::VariableSetStmt(s) => {
                self.set(&s);
                Ok(())
            }
            NodeEnum::SelectStmt(s) => {
                self.select(&s);
                Ok(())
            }
            NodeEnum::CreateStmt(s) => self.create_table(s, None),
            NodeEnum::CreateForeignTableStmt(s) => match s.base_stmt {
                Some(base) => self.create_table(base, Some(s.servername)),
                None => Ok(()),
            },
            NodeEnum::AlterTableStmt(s) => self.alter_table(s),
            NodeEnum::IndexStmt(s) => self.create_index(*s),
            NodeEnum::CreateSeqStmt(s) => self.create_sequence(s),
            NodeEnum::AlterSeqStmt(s) => self.alter_sequence(s),
            NodeEnum::CreateEnumStmt(s) => self.create_enum(s),
            NodeEnum::AlterEnumStmt(s) => self.alter_enum(s),
            NodeEnum::CreateDomainStmt(s) => self.create_domain(*s),
            NodeEnum::AlterDomainStmt(s) => self.alter_domain(*s),
            NodeEnum::CreateFunctionStmt(s) => self.create_function(*s),
            NodeEnum::CreateTrigStmt(s) => self.create_trigger(*s),
            NodeEnum::CreatePolicyStmt(s) => self.create_policy(*s),
            NodeEnum::AlterPolicyStmt(s) => self.alter_policy(*s),
            NodeEnum::ViewStmt(s) => self.create_view(*s),
            NodeEnum::CreateTableAsStmt(s) => self.create_table_as(*s),
            NodeEnum::CreateExtensionStmt(s) => self.create_extension(s),
            NodeEnum::CommentStmt(s) => self.comment(*s),
            NodeEnum::DropStmt(s) => self.drop(s),
            NodeEnum::RenameStmt(s) => self.rename(*s),
            other if super::changes_no_schema(&other) => Ok(()),
            other => Err(Problem::new(format!(
                "{} is not modelled: the statement is skipped",
                statement_kind(&other)
            ))),
        }
    }

    fn create_schema(&mut self, stmt: CreateSchemaStmt) -> Result<(), Problem> {
        let name = match (&stmt.schemaname, &stmt.authrole) {
            (name, _) if !name.is_empty() => name.clone(),
            (_, Some(role)) => role.rolename.clone(),
            _ => return Err(Problem::new("CREATE SCHEMA without a name")),
        };
        if self.schemas.contains_key(&name) {
            return match stmt.if_not_exists {
                true => Ok(()),
                false => Err(Problem::about(
                    &name,
                    format!("schema `{name}` already exists: the statement is skipped"),
                )),
            };
        }
        self.schemas.insert(name.clone(), Default::default());
        // `CREATE SCHEMA s CREATE TABLE ...` creates its elements in `s`.
        let saved = std::mem::replace(&mut self.search_path, vec![name]);
        let mut first_problem = None;
        for element in stmt.schema_elts {
            if let Some(node) = element.node {
                if let Err(p) = self.apply(node) {
                    first_problem.get_or_insert(p);
                }
            }
        }
        self.search_path = saved;
        first_problem.map_or(Ok(()), Err)
    }

    fn create_sequence(&mut self, stmt: CreateSeqStmt) -> Result<(), Problem> {
        let relation = stmt.sequence.clone().unwrap_or_default();
        let schema = self.creation_schema(&relation.schemaname)?;
        let name = relation.relname.clone();
        if !self.may_create_relation(&schema, &name, stmt.if_not_exists)? {
            return Ok(());
        }
        let data_type = stmt
            .options
            .iter()
            .filter_map(def_elem)
            .find(|d| d.defname == "as")
            .and_then(|d| match d.arg.as_deref()?.node.as_ref()? {
                NodeEnum::TypeName(t) => Some(self.spell_type(t, Modifiers::Keep)),
                _ => None,
            })
            .unwrap_or_else(|| "bigint".to_string());
        let increment = stmt
            .options
            .iter()
            .filter_map(def_elem)
            .find(|d| d.defname == "increment")
            .and_then(|d| d.arg.as_deref().and_then(ast::integer_of))
            .unwrap_or(1);
        let mut sequence = default_sequence(&name, &data_type, increment);
        self.sequence_options(&mut sequence, &stmt.options)?;
        self.schema_mut(&schema)?.sequences.insert(name, sequence);
        Ok(())
    }

    fn alter_sequence(&mut self, stmt: AlterSeqStmt) -> Result<(), Problem> {
        let relation = stmt.sequence.clone().unwrap_or_default();
        let name = relation.relname.clone();
        let Some(schema) = self.lookup(&relation.schemaname, |s| {
            s.sequences.contains_key(&name) || s.hidden_relations.contains(&name)
        }) else {
            return match stmt.missing_ok {
                true => Ok(()),
                false => Err(Problem::unknown("sequence", range_var_display(&relation))),
            };
        };
        let Some(mut sequence) = self
            .schema(&schema)
            .and_then(|s| s.sequences.get(&name))
            .cloned()
        else {
            // An identity column's sequence: not listed, nothing to change.
            return Ok(());
        };
        self.sequence_options(&mut sequence, &stmt.options)?;
        self.schema_mut(&schema)?.sequences.insert(name, sequence);
        Ok(())
    }

    fn sequence_options(&self, sequence: &mut Sequence, options: &[Node]) -> Result<(), Problem> {
        for option in options.iter().filter_map(def_elem) {
            let value = option.arg.as_deref().and_then(ast::integer_of);
            match (option.defname.as_str(), value) {
                ("increment", Some(v)) => sequence.increment = v,
                ("start", Some(v)) => sequence.start = v,
                ("minvalue", Some(v)) => sequence.min_value = v,
                ("maxvalue", Some(v)) => sequence.max_value = v,
                ("cache", Some(v)) => sequence.cache = v,
                ("cycle", _) => {
                    sequence.cycle = option
                        .arg
                        .as_deref()
                        .and_then(ast::boolean_of)
                        .unwrap_or(true)
                }
                ("owned_by", _) => {
                    let names = match option.arg.as_deref().and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::List(list)) => ast::strings(&list.items),
                        _ => Vec::new(),
                    };
                    sequence.owned_by = match names.as_slice() {
                        [none] if none == "none" => None,
                        [.., table, column] => {
                            let relation = RangeVar {
                                schemaname: if names.len() > 2 {
                                    names[names.len() - 3].clone()
                                } else {
                                    String::new()
                                },
                                relname: table.clone(),
                                ..Default::default()
                            };
                            let (ts, tn) = self.find_table(&relation)?;
                            Some(ColumnRef {
                                table: QualifiedName::new(ts, tn),
                                column: column.clone(),
                            })
                        }
                        _ => sequence.owned_by.take(),
                    };
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn type_location(&self, names: &[Node]) -> Result<(String, String), Problem> {
        let (schema, name) =
            ast::split_name(names).ok_or_else(|| Problem::new("a type without a name"))?;
        Ok((self.creation_schema(schema.as_deref().unwrap_or(""))?, name))
    }

    fn find_type(&self, names: &[Node], kind: &str) -> Result<(String, String), Problem> {
        let (schema, name) =
            ast::split_name(names).ok_or_else(|| Problem::new("a type without a name"))?;
        self.lookup(schema.as_deref().unwrap_or(""), |s| {
            s.enums.contains_key(&name) || s.domains.contains_key(&name)
        })
        .map(|found| (found, name.clone()))
        .ok_or_else(|| Problem::unknown(kind, ast::strings(names).join(".")))
    }

    fn create_enum(&mut self, stmt: CreateEnumStmt) -> Result<(), Problem> {
        let (schema, name) = self.type_location(&stmt.type_name)?;
        let values = ast::strings(&stmt.vals);
        self.schema_mut(&schema)?.enums.insert(
            name.clone(),
            EnumType {
                name,
                values,
                comment: None,
            },
        );
        Ok(())
    }

    fn alter_enum(&mut self, stmt: AlterEnumStmt) -> Result<(), Problem> {
        let (schema, name) = self.find_type(&stmt.type_name, "type")?;
        let enum_type = self
            .schema_mut(&schema)?
            .enums
            .get_mut(&name)
            .ok_or_else(|| Problem::unknown("enum type", &name))?;
        if !stmt.old_val.is_empty() {
            for value in &mut enum_type.values {
                if *value == stmt.old_val {
                    value.clone_from(&stmt.new_val);
                }
            }
            return Ok(());
        }
        if enum_type.values.contains(&stmt.new_val) {
            return Ok(());
        }
        let position = match enum_type
            .values
            .iter()
            .position(|v| *v == stmt.new_val_neighbor)
        {
            Some(i) if stmt.new_val_is_after => i + 1,
            Some(i) => i,
            None => enum_type.values.len(),
        };
        enum_type.values.insert(position, stmt.new_val);
        Ok(())
    }

    fn create_domain(&mut self, stmt: CreateDomainStmt) -> Result<(), Problem> {
        let (schema, name) = self.type_location(&stmt.domainname)?;
        let type_name = stmt.type_name.clone().unwrap_or_default();
        let data_type = self.spell_type(&type_name, Modifiers::Keep);
        let mut domain = Domain {
            name: name.clone(),
            logical_type: crate::types::logical_type(&data_type),
            data_type,
            nullable: true,
            default: None,
            collation: stmt
                .coll_clause
                .as_ref()
                .and_then(|c| ast::strings(&c.collname).pop()),
            checks: Vec::new(),
            comment: None,
        };
        for constraint in &stmt.constraints {
            if let Some(NodeEnum::Constraint(c)) = constraint.node.as_ref() {
                self.domain_constraint(&schema, &mut domain, c)?;
            }
        }
        self.schema_mut(&schema)?.domains.insert(name, domain);
        Ok(())
    }

    fn domain_constraint(
        &mut self,
        schema: &str,
        domain: &mut Domain,
        c: &pg_query::protobuf::Constraint,
    ) -> Result<(), Problem> {
        match c.contype() {
            ConstrType::ConstrNotnull => domain.nullable = false,
            ConstrType::ConstrNull => domain.nullable = true,
            ConstrType::ConstrDefault => {
                domain.default = c.raw_expr.as_deref().and_then(canon::node)
            }
            ConstrType::ConstrCheck => {
                let expression = c
                    .raw_expr
                    .as_deref()
                    .and_then(canon::node)
                    .ok_or_else(|| Problem::new("CHECK without an expression"))?;
                let s = self.schema_mut(schema)?;
                let name = if c.conname.is_empty() {
                    names::choose_name(&domain.name, None, "check", |n| s.constraint_taken(n))
                } else {
                    c.conname.clone()
                };
                s.note_constraint(&name);
                domain.checks.push(CheckConstraint {
                    name: Some(name),
                    expression,
                    comment: None,
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn alter_domain(&mut self, stmt: AlterDomainStmt) -> Result<(), Problem> {
        let (schema, name) = self.find_type(&stmt.type_name, "domain")?;
        let mut domain = self
            .schema(&schema)
            .and_then(|s| s.domains.get(&name))
            .cloned()
            .ok_or_else(|| Problem::unknown("domain", &name))?;
        match stmt.subtype.as_str() {
            "T" => domain.default = stmt.def.as_deref().and_then(canon::node),
            "N" => domain.nullable = true,
            "O" => domain.nullable = false,
            "C" => {
                if let Some(NodeEnum::Constraint(c)) =
                    stmt.def.as_deref().and_then(|d| d.node.as_ref())
                {
                    self.domain_constraint(&schema, &mut domain, c)?;
                }
            }
            "X" => {
                let wanted = Some(stmt.name.clone());
                domain.checks.retain(|c| c.name != wanted);
                self.schema_mut(&schema)?.forget_constraint(&stmt.name);
            }
            _ => {}
        }
        self.schema_mut(&schema)?.domains.insert(name, domain);
        Ok(())
    }

    fn create_function(&mut self, stmt: CreateFunctionStmt) -> Result<(), Problem> {
        let (schema, name) = ast::split_name(&stmt.funcname)
            .ok_or_else(|| Problem::new("a function without a name"))?;
        let schema = self.creation_schema(schema.as_deref().unwrap_or(""))?;
        let mut arguments = Vec::new();
        let mut table_columns = Vec::new();
        let mut out_types = Vec::new();
        for parameter in &stmt.parameters {
            let Some(NodeEnum::FunctionParameter(p)) = parameter.node.as_ref() else {
                continue;
            };
            let data_type = p
                .arg_type
                .as_ref()
                .map(|t| self.spell_type(t, Modifiers::Drop))
                .unwrap_or_default();
            let named = |text: &str| match p.name.is_empty() {
                true => text.to_string(),
                false => format!("{} {text}", quote_ident(&p.name)),
            };
            let mode = p.mode();
            if mode == FunctionParameterMode::FuncParamTable {
                table_columns.push(named(&data_type));
                continue;
            }
            if matches!(
                mode,
                FunctionParameterMode::FuncParamOut | FunctionParameterMode::FuncParamInout
            ) {
                out_types.push(data_type.clone());
            }
            let prefix = match mode {
                // The server spells out IN only for procedures.
                FunctionParameterMode::FuncParamIn | FunctionParameterMode::FuncParamDefault
                    if stmt.is_procedure =>
                {
                    "IN "
                }
                FunctionParameterMode::FuncParamOut => "OUT ",
                FunctionParameterMode::FuncParamInout => "INOUT ",
                FunctionParameterMode::FuncParamVariadic => "VARIADIC ",
                _ => "",
            };
            let mut text = format!("{prefix}{}", named(&data_type));
            let cast_type = match p.defexpr.as_deref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::TypeCast(cast)) => cast
                    .type_name
                    .as_ref()
                    .map(|t| self.spell_type(t, Modifiers::Drop)),
                _ => None,
            };
            if let Some(default) = p
                .defexpr
                .as_deref()
                .and_then(|d| argument_default(d, &data_type, cast_type.as_deref()))
            {
                text.push_str(" DEFAULT ");
                text.push_str(&default);
            }
            arguments.push(text);
        }
        let returns = if stmt.is_procedure {
            None
        } else if !table_columns.is_empty() {
            Some(format!("TABLE({})", table_columns.join(", ")))
        } else {
            match (&stmt.return_type, out_types.as_slice()) {
                (Some(t), _) if !(out_types.len() > 1 && is_record(t)) => {
                    Some(self.spell_type(t, Modifiers::Drop))
                }
                (_, [only]) => Some(only.clone()),
                _ => Some("record".to_string()),
            }
        };
        let options: Vec<&DefElem> = stmt.options.iter().filter_map(def_elem).collect();
        let string_option = |name: &str| {
            options
                .iter()
                .find(|d| d.defname == name)
                .and_then(|d| d.arg.as_deref())
                .and_then(|a| match a.node.as_ref()? {
                    NodeEnum::String(s) => Some(s.sval.clone()),
                    NodeEnum::List(l) => ast::strings(&l.items).into_iter().next(),
                    _ => None,
                })
        };
        let volatility = match string_option("volatility").as_deref() {
            Some("immutable") => Volatility::Immutable,
            Some("stable") => Volatility::Stable,
            _ => Volatility::Volatile,
        };
        let security_definer = options
            .iter()
            .find(|d| d.defname == "security")
            .and_then(|d| d.arg.as_deref().and_then(ast::boolean_of))
            .unwrap_or(false);
        let function = Function {
            name,
            kind: if stmt.is_procedure {
                FunctionKind::Procedure
            } else {
                FunctionKind::Function
            },
            arguments: arguments.join(", "),
            returns,
            language: string_option("language")
                .unwrap_or_else(|| "sql".into())
                .to_lowercase(),
            // Procedures have no volatility the server reports.
            volatility: (!stmt.is_procedure).then_some(volatility),
            security_definer,
            body: string_option("as"),
            comment: None,
        };
        let functions = &mut self.schema_mut(&schema)?.functions;
        match functions
            .iter_mut()
            .find(|f| f.name == function.name && f.arguments == function.arguments)
        {
            Some(existing) if stmt.replace => *existing = function,
            Some(_) => {
                return Err(Problem::about(
                    ast::display_name(&schema, &function.name),
                    "function already exists with the same arguments: the statement is skipped",
                ))
            }
            None => functions.push(function),
        }
        Ok(())
    }

    fn create_trigger(&mut self, stmt: CreateTrigStmt) -> Result<(), Problem> {
        let relation = stmt.relation.clone().unwrap_or_default();
        let (schema, table) = self.find_table(&relation)?;
        let (function_schema, function_name) = ast::split_name(&stmt.funcname)
            .ok_or_else(|| Problem::new("a trigger without a function"))?;
        let function_schema = match function_schema {
            Some(s) => s,
            None => self
                .lookup("", |s| s.functions.iter().any(|f| f.name == function_name))
                .or_else(|| self.creation_schema("").ok())
                .unwrap_or_else(|| "public".into()),
        };
        let mut events = Vec::new();
        for (bit, event) in [
            (4, TriggerEvent::Insert),
            (16, TriggerEvent::Update),
            (8, TriggerEvent::Delete),
            (32, TriggerEvent::Truncate),
        ] {
            if stmt.events & bit != 0 {
                events.push(event);
            }
        }
        let trigger = Trigger {
            name: stmt.trigname.clone(),
            timing: match stmt.timing {
                t if t & 2 != 0 => TriggerTiming::Before,
                t if t & 64 != 0 => TriggerTiming::InsteadOf,
                _ => TriggerTiming::After,
            },
            events,
            update_columns: ast::strings(&stmt.columns),
            for_each_row: stmt.row,
            when: stmt.when_clause.as_deref().and_then(canon::node),
            function: Some(QualifiedName::new(function_schema, function_name)),
            body: None,
            comment: None,
        };
        self.put_trigger(&schema, &table, trigger, stmt.replace)
    }

    /// Adds a trigger. Row triggers of a partitioned table are cloned to
    /// its partitions by the server, but the clones belong to the parent
    /// (`tgparentid`) and are listed there only.
    fn put_trigger(
        &mut self,
        schema: &str,
        table: &str,
        trigger: Trigger,
        replace: bool,
    ) -> Result<(), Problem> {
        let t = self.table_mut(schema, table)?;
        match t
            .triggers
            .iter_mut()
            .find(|existing| existing.name == trigger.name)
        {
            Some(existing) if replace => *existing = trigger,
            Some(_) => {
                return Err(Problem::about(
                    ast::display_name(schema, table),
                    format!(
                        "trigger `{}` already exists: the statement is skipped",
                        trigger.name
                    ),
                ))
            }
            None => t.triggers.push(trigger),
        }
        Ok(())
    }

    fn create_policy(&mut self, stmt: CreatePolicyStmt) -> Result<(), Problem> {
        let relation = stmt.table.clone().unwrap_or_default();
        let (schema, table) = self.find_table(&relation)?;
        let mut roles: Vec<String> = stmt.roles.iter().filter_map(ast::role_name).collect();
        if roles.is_empty() {
            roles.push("public".into());
        }
        let policy = Policy {
            name: stmt.policy_name.clone(),
            command: match stmt.cmd_name.as_str() {
                "select" => PolicyCommand::Select,
                "insert" => PolicyCommand::Insert,
                "update" => PolicyCommand::Update,
                "delete" => PolicyCommand::Delete,
                _ => PolicyCommand::All,
            },
            permissive: stmt.permissive,
            roles,
            using: stmt
                .qual
                .as_deref()
                .and_then(|q| self.policy_expression(q, &schema, &table)),
            with_check: stmt
                .with_check
                .as_deref()
                .and_then(|q| self.policy_expression(q, &schema, &table)),
            comment: None,
        };
        let t = self.table_mut(&schema, &table)?;
        if t.row_security
            .policies
            .iter()
            .any(|p| p.name == policy.name)
        {
            return Err(Problem::about(
                ast::display_name(&schema, &table),
                format!(
                    "policy `{}` already exists: the statement is skipped",
                    policy.name
                ),
            ));
        }
        t.row_security.policies.push(policy);
        Ok(())
    }

    fn alter_policy(&mut self, stmt: AlterPolicyStmt) -> Result<(), Problem> {
        let relation = stmt.table.clone().unwrap_or_default();
        let (schema, table) = self.find_table(&relation)?;
        let using = stmt
            .qual
            .as_deref()
            .map(|q| self.policy_expression(q, &schema, &table));
        let with_check = stmt
            .with_check
            .as_deref()
            .map(|q| self.policy_expression(q, &schema, &table));
        let t = self.table_mut(&schema, &table)?;
        let policy = t
            .row_security
            .policies
            .iter_mut()
            .find(|p| p.name == stmt.policy_name)
            .ok_or_else(|| Problem::unknown("policy", &stmt.policy_name))?;
        let roles: Vec<String> = stmt.roles.iter().filter_map(ast::role_name).collect();
        if !roles.is_empty() {
            policy.roles = roles;
        }
        if let Some(using) = using {
            policy.using = using;
        }
        if let Some(check) = with_check {
            policy.with_check = check;
        }
        Ok(())
    }

    /// A policy expression as the server prints it: a column of the
    /// policy's table used inside a subquery is qualified with the table's
    /// name (the subquery brings relations of its own into scope).
    fn policy_expression(&self, node: &Node, schema: &str, table: &str) -> Option<String> {
        let mut node = node.clone();
        if let Some(t) = self.table(schema, table) {
            let columns: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            self.qualify_outer_columns(&mut node, table, &columns);
        }
        canon::node(&node)
    }

    fn qualify_outer_columns(&self, node: &mut Node, outer: &str, outer_columns: &[&str]) {
        if let Some(NodeEnum::SubLink(link)) = node.node.as_mut() {
            if let Some(NodeEnum::SelectStmt(select)) =
                link.subselect.as_deref_mut().and_then(|s| s.node.as_mut())
            {
                let inner: Vec<String> = self
                    .view_sources(select)
                    .iter()
                    .filter_map(|(_, s, t)| self.table(s, t))
                    .flat_map(|t| t.columns.iter().map(|c| c.name.clone()))
                    .collect();
                let mut scope: Vec<&mut Node> = Vec::new();
                scope.extend(select.target_list.iter_mut());
                scope.extend(select.where_clause.as_deref_mut());
                scope.extend(select.having_clause.as_deref_mut());
                for part in scope {
                    qualify_columns(part, &inner, outer, outer_columns);
                }
            }
        }
        for child in canon::children(node) {
            self.qualify_outer_columns(child, outer, outer_columns);
        }
    }

    fn create_view(&mut self, stmt: ViewStmt) -> Result<(), Problem> {
        let relation = stmt.view.clone().unwrap_or_default();
        let Some(NodeEnum::SelectStmt(query)) = stmt.query.and_then(|q| q.node) else {
            return Err(Problem::new("a view without a SELECT"));
        };
        let aliases = ast::strings(&stmt.aliases);
        self.put_view(
            &relation,
            *query,
            &aliases,
            TableKind::View,
            stmt.replace,
            false,
        )
    }

    fn create_table_as(&mut self, stmt: CreateTableAsStmt) -> Result<(), Problem> {
        let into = stmt.into.clone().unwrap_or_default();
        let relation = into.rel.clone().unwrap_or_default();
        let objtype = stmt.objtype();
        let if_not_exists = stmt.if_not_exists;
        let Some(NodeEnum::SelectStmt(query)) = stmt.query.and_then(|q| q.node) else {
            return Err(Problem::new("CREATE ... AS without a SELECT"));
        };
        let aliases = ast::strings(&into.col_names);
        match objtype {
            ObjectType::ObjectMatview => {
                self.put_view(&relation, *query, &aliases, TableKind::MaterializedView, false, if_not_exists)
            }
            _ => Err(Problem::about(
                range_var_display(&relation),
                "CREATE TABLE ... AS is not modelled (its column types come from running the query): the statement is skipped",
            )),
        }
    }

    fn put_view(
        &mut self,
        relation: &RangeVar,
        mut query: SelectStmt,
        aliases: &[String],
        kind: TableKind,
        replace: bool,
        if_not_exists: bool,
    ) -> Result<(), Problem> {
        let schema = self.creation_schema(&relation.schemaname)?;
        let name = relation.relname.clone();
        if !replace && !self.may_create_relation(&schema, &name, if_not_exists)? {
            return Ok(());
        }
        let sources = self.view_sources(&query);
        self.expand_stars(&mut query, &sources);
        self.qualify_view_columns(&mut query, &sources);
        let columns = self.view_columns(&mut query, aliases, &sources);
        canon::query(&mut query);
        let definition = NodeEnum::SelectStmt(Box::new(query))
            .deparse(Default::default())
            .map_err(|e| {
                Problem::about(
                    ast::display_name(&schema, &name),
                    format!("view query cannot be printed: {e}"),
                )
            })?;
        let s = self.schema_mut(&schema)?;
        let comment = s.tables.get(&name).and_then(|t| t.comment.clone());
        s.remove_table(&name);
        s.insert_table(Table {
            name,
            kind,
            comment,
            columns,
            definition: Some(definition),
            ..Table::default()
        });
        Ok(())
    }

    /// The relations a view reads directly: `(visible name, schema, table)`.
    fn view_sources(&self, query: &SelectStmt) -> Vec<(String, String, String)> {
        fn collect(node: &Node, out: &mut Vec<RangeVar>) {
            match node.node.as_ref() {
                Some(NodeEnum::RangeVar(r)) => out.push(r.clone()),
                Some(NodeEnum::JoinExpr(j)) => {
                    for side in [j.larg.as_deref(), j.rarg.as_deref()].into_iter().flatten() {
                        collect(side, out);
                    }
                }
                _ => {}
            }
        }
        let mut relations = Vec::new();
        for item in &query.from_clause {
            collect(item, &mut relations);
        }
        relations
            .into_iter()
            .filter_map(|r| {
                let (schema, table) = self.find_table(&r).ok()?;
                let visible = r
                    .alias
                    .as_ref()
                    .map_or(r.relname.clone(), |a| a.aliasname.clone());
                Some((visible, schema, table))
            })
            .collect()
    }

    /// `SELECT *` and `SELECT t.*` name the columns they stood for when
    /// the view was created; so does the server's stored query.
    fn expand_stars(&self, query: &mut SelectStmt, sources: &[(String, String, String)]) {
        let qualify = sources.len() > 1;
        let mut targets = Vec::with_capacity(query.target_list.len());
        for target in std::mem::take(&mut query.target_list) {
            let star_of = match target.node.as_ref() {
                Some(NodeEnum::ResTarget(t)) => {
                    match t.val.as_deref().and_then(|v| v.node.as_ref()) {
                        Some(NodeEnum::ColumnRef(c))
                            if matches!(
                                c.fields.last().and_then(|f| f.node.as_ref()),
                                Some(NodeEnum::AStar(_))
                            ) =>
                        {
                            Some(ast::strings(&c.fields))
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            let Some(qualifier) = star_of else {
                targets.push(target);
                continue;
            };
            // `JOIN ... USING (c)` merges `c`: a bare `*` lists it once, first.
            let merged: Vec<String> = match qualifier.last() {
                Some(_) => Vec::new(),
                None => query.from_clause.iter().flat_map(using_columns).collect(),
            };
            let mut expanded: Vec<(&str, &str)> = Vec::new();
            for column in &merged {
                if let Some((visible, _, _)) = sources
                    .iter()
                    .find(|(_, s, t)| self.table(s, t).is_some_and(|t| t.column(column).is_some()))
                {
                    expanded.push((visible, column));
                }
            }
            let chosen = sources
                .iter()
                .filter(|(v, _, _)| qualifier.last().is_none_or(|q| q == v));
            for (visible, schema, table) in chosen {
                if let Some(t) = self.table(schema, table) {
                    expanded.extend(
                        t.columns
                            .iter()
                            .filter(|c| !merged.contains(&c.name))
                            .map(|c| (visible.as_str(), c.name.as_str())),
                    );
                }
            }
            if expanded.is_empty() {
                targets.push(target);
                continue;
            }
            for (visible, column) in expanded {
                let mut fields = Vec::new();
                if qualify {
                    fields.push(string_node(visible));
                }
                fields.push(string_node(column));
                targets.push(canon::node_of(NodeEnum::ResTarget(Box::new(
                    pg_query::protobuf::ResTarget {
                        val: Some(Box::new(canon::node_of(NodeEnum::ColumnRef(
                            pg_query::protobuf::ColumnRef {
                                fields,
                                location: 0,
                            },
                        )))),
                        ..Default::default()
                    },
                ))));
            }
        }
        query.target_list = targets;
    }

    /// In a view reading several relations the server qualifies every
    /// column: a bare name that exactly one of them has gets that
    /// relation's visible name.
    fn qualify_view_columns(&self, query: &mut SelectStmt, sources: &[(String, String, String)]) {
        if sources.len() < 2 {
            return;
        }
        let owners: Vec<(&str, Vec<&str>)> = sources
            .iter()
            .filter_map(|(visible, s, t)| {
                let table = self.table(s, t)?;
                Some((
                    visible.as_str(),
                    table.columns.iter().map(|c| c.name.as_str()).collect(),
                ))
            })
            .collect();
        let mut parts: Vec<&mut Node> = Vec::new();
        parts.extend(query.target_list.iter_mut());
        parts.extend(query.from_clause.iter_mut());
        parts.extend(query.where_clause.as_deref_mut());
        parts.extend(query.group_clause.iter_mut());
        parts.extend(query.having_clause.as_deref_mut());
        parts.extend(query.sort_clause.iter_mut());
        for part in parts {
            qualify_by_owner(part, &owners);
        }
    }

    /// The view's columns: names from the aliases or the target list,
    /// types where they can be told without running the query.
    fn view_columns(
        &self,
        query: &mut SelectStmt,
        aliases: &[String],
        sources: &[(String, String, String)],
    ) -> Vec<Column> {
        let mut columns = Vec::new();
        let branch = leftmost_branch(query);
        for (i, target) in branch.target_list.iter_mut().enumerate() {
            let Some(NodeEnum::ResTarget(t)) = target.node.as_mut() else {
                continue;
            };
            if let Some(alias) = aliases.get(i) {
                t.name.clone_from(alias);
            }
            let name = match t.name.is_empty() {
                false => t.name.clone(),
                true => t
                    .val
                    .as_deref()
                    .map(canon::figure_colname)
                    .unwrap_or_default(),
            };
            let data_type = t
                .val
                .as_deref()
                .and_then(|v| self.expression_type(v, sources))
                .unwrap_or_else(|| "unknown".to_string());
            columns.push(crate::types::plain_column(name, data_type));
        }
        columns
    }

    /// The type of a view column when it is evident: a column of a source
    /// table, a cast, or a few functions with a fixed result type.
    fn expression_type(&self, node: &Node, sources: &[(String, String, String)]) -> Option<String> {
        match node.node.as_ref()? {
            NodeEnum::ColumnRef(c) => {
                let fields = ast::strings(&c.fields);
                let (qualifier, column) = match fields.as_slice() {
                    [column] => (None, column),
                    [.., q, column] => (Some(q), column),
                    [] => return None,
                };
                sources
                    .iter()
                    .filter(|(visible, _, _)| qualifier.is_none_or(|q| q == visible))
                    .find_map(|(_, s, t)| {
                        self.table(s, t)?
                            .column(column)
                            .map(|c| c.data_type.clone())
                    })
            }
            NodeEnum::TypeCast(cast) => cast
                .type_name
                .as_ref()
                .map(|t| self.spell_type(t, Modifiers::Keep)),
            NodeEnum::FuncCall(call) => match ast::strings(&call.funcname).last()?.as_str() {
                "count" => Some("bigint".into()),
                "now" => Some("timestamp with time zone".into()),
                "lower" | "upper" | "concat" | "concat_ws" | "trim" | "btrim" => {
                    Some("text".into())
                }
                // An aggregate's result carries no type modifier: `numeric`, not `numeric(10,2)`.
                "max" | "min" => call
                    .args
                    .first()
                    .and_then(|a| self.expression_type(a, sources))
                    .map(|t| without_modifiers(&t)),
                _ => None,
            },
            NodeEnum::AExpr(e) if matches!(ast::strings(&e.name).as_slice(), [op] if ["+", "-", "*", "/"].contains(&op.as_str())) =>
            {
                let left = without_modifiers(&self.expression_type(e.lexpr.as_deref()?, sources)?);
                let right = without_modifiers(&self.expression_type(e.rexpr.as_deref()?, sources)?);
                // The wider of the two operand types, as operator resolution picks it.
                const WIDENING: [&str; 6] = [
                    "smallint",
                    "integer",
                    "bigint",
                    "numeric",
                    "real",
                    "double precision",
                ];
                let rank = |t: &str| WIDENING.iter().position(|n| *n == t);
                let wider = rank(&left)?.max(rank(&right)?);
                Some(WIDENING[wider].to_string())
            }
            NodeEnum::CoalesceExpr(c) => {
                c.args.iter().find_map(|a| self.expression_type(a, sources))
            }
            _ => None,
        }
    }

    fn create_extension(&mut self, stmt: CreateExtensionStmt) -> Result<(), Problem> {
        if stmt.extname == "plpgsql" {
            // Installed in every database, and like the live reader not listed.
            return Ok(());
        }
        if self.extensions.contains_key(&stmt.extname) {
            return match stmt.if_not_exists {
                true => Ok(()),
                false => Err(Problem::about(
                    &stmt.extname,
                    "extension already exists: the statement is skipped",
                )),
            };
        }
        let explicit = stmt
            .options
            .iter()
            .filter_map(def_elem)
            .find(|d| d.defname == "schema")
            .and_then(|d| {
                d.arg
                    .as_deref()
                    .and_then(ast::string_of)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let schema = self.creation_schema(&explicit)?;
        self.extensions.insert(
            stmt.extname.clone(),
            Extension {
                comment: extension_comment(&stmt.extname),
                name: stmt.extname,
                schema,
                version: None,
            },
        );
        Ok(())
    }

    fn comment(&mut self, stmt: CommentStmt) -> Result<(), Problem> {
        let text = (!stmt.comment.is_empty()).then(|| stmt.comment.clone());
        let object = stmt.object.as_deref();
        let names = object.map(object_names).unwrap_or_default();
        match stmt.objtype() {
            ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectForeignTable => {
                let (schema, table) = self.find_table(&range_var(&names))?;
                self.table_mut(&schema, &table)?.comment = text;
            }
            ObjectType::ObjectColumn => {
                let (relation, column) = split_last(&names)?;
                let (schema, table) = self.find_table(&range_var(relation))?;
                let t = self.table_mut(&schema, &table)?;
                let col = t
                    .columns
                    .iter_mut()
                    .find(|c| c.name == column)
                    .ok_or_else(|| {
                        Problem::unknown("column", format!("{schema}.{table}.{column}"))
                    })?;
                col.comment = text;
            }
            ObjectType::ObjectIndex => {
                let relation = range_var(&names);
                let (schema, table, index) = super::table::find_index(self, &relation)
                    .ok_or_else(|| Problem::unknown("index", range_var_display(&relation)))?;
                if let Some(i) = self
                    .table_mut(&schema, &table)?
                    .indexes
                    .iter_mut()
                    .find(|i| i.name == index)
                {
                    i.comment = text;
                }
            }
            ObjectType::ObjectSequence => {
                let relation = range_var(&names);
                let name = relation.relname.clone();
                let schema = self
                    .lookup(&relation.schemaname, |s| s.sequences.contains_key(&name))
                    .ok_or_else(|| Problem::unknown("sequence", range_var_display(&relation)))?;
                if let Some(seq) = self.schema_mut(&schema)?.sequences.get_mut(&name) {
                    seq.comment = text;
                }
            }
            ObjectType::ObjectTabconstraint => {
                let (relation, constraint) = split_last(&names)?;
                let (schema, table) = self.find_table(&range_var(relation))?;
                set_constraint_comment(self.table_mut(&schema, &table)?, &constraint, text)
                    .ok_or_else(|| {
                        Problem::unknown("constraint", format!("{constraint} on {schema}.{table}"))
                    })?;
            }
            ObjectType::ObjectDomconstraint => {
                let constraint = names.last().cloned().unwrap_or_default();
                let type_name = match object.and_then(|o| o.node.as_ref()) {
                    Some(NodeEnum::List(l)) => l.items.first().cloned(),
                    _ => None,
                };
                let type_names = type_name.as_ref().map(object_names).unwrap_or_default();
                let nodes: Vec<Node> = type_names.iter().map(|n| string_node(n)).collect();
                let (schema, domain) = self.find_type(&nodes, "domain")?;
                if let Some(d) = self.schema_mut(&schema)?.domains.get_mut(&domain) {
                    if let Some(check) = d
                        .checks
                        .iter_mut()
                        .find(|c| c.name.as_deref() == Some(&constraint))
                    {
                        check.comment = text;
                    }
                }
            }
            ObjectType::ObjectTrigger | ObjectType::ObjectPolicy => {
                let (relation, name) = split_last(&names)?;
                let (schema, table) = self.find_table(&range_var(relation))?;
                let t = self.table_mut(&schema, &table)?;
                let slot = if stmt.objtype() == ObjectType::ObjectTrigger {
                    t.triggers
                        .iter_mut()
                        .find(|x| x.name == name)
                        .map(|x| &mut x.comment)
                } else {
                    t.row_security
                        .policies
                        .iter_mut()
                        .find(|x| x.name == name)
                        .map(|x| &mut x.comment)
                };
                *slot.ok_or_else(|| {
                    Problem::unknown("object", format!("{name} on {schema}.{table}"))
                })? = text;
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let nodes: Vec<Node> = names.iter().map(|n| string_node(n)).collect();
                let (schema, name) = self.find_type(&nodes, "type")?;
                let s = self.schema_mut(&schema)?;
                if let Some(e) = s.enums.get_mut(&name) {
                    e.comment = text;
                } else if let Some(d) = s.domains.get_mut(&name) {
                    d.comment = text;
                }
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine => {
                let Some(NodeEnum::ObjectWithArgs(function)) = object.and_then(|o| o.node.as_ref())
                else {
                    return Ok(());
                };
                let (schema, index) = self.find_function(function)?;
                if let Some(f) = self.schema_mut(&schema)?.functions.get_mut(index) {
                    f.comment = text;
                }
            }
            ObjectType::ObjectSchema => {
                let name = names.last().cloned().unwrap_or_default();
                self.schema_mut(&name)?.comment = text;
            }
            ObjectType::ObjectExtension => {
                let name = names.last().cloned().unwrap_or_default();
                self.extensions
                    .get_mut(&name)
                    .ok_or_else(|| Problem::unknown("extension", &name))?
                    .comment = text;
            }
            _ => {}
        }
        Ok(())
    }

    /// `(schema, position in its function list)` of the function an
    /// `ObjectWithArgs` names: by argument types when given, else by name.
    fn find_function(&self, function: &ObjectWithArgs) -> Result<(String, usize), Problem> {
        let (schema, name) = ast::split_name(&function.objname)
            .ok_or_else(|| Problem::new("a function without a name"))?;
        let wanted: Option<Vec<String>> = (!function.args_unspecified).then(|| {
            function
                .objargs
                .iter()
                .filter_map(|a| match a.node.as_ref() {
                    Some(NodeEnum::TypeName(t)) => Some(self.spell_type(t, Modifiers::Drop)),
                    _ => None,
                })
                .collect()
        });
        let matches = |f: &Function| {
            f.name == name
                && wanted
                    .as_ref()
                    .is_none_or(|w| input_types(&f.arguments) == *w)
        };
        let found = self.lookup(schema.as_deref().unwrap_or(""), |s| {
            s.functions.iter().any(matches)
        });
        found
            .and_then(|s| {
                let index = self.schema(&s)?.functions.iter().position(matches)?;
                Some((s, index))
            })
            .ok_or_else(|| Problem::unknown("function", ast::strings(&function.objname).join(".")))
    }

    fn drop(&mut self, stmt: DropStmt) -> Result<(), Problem> {
        let mut first_problem = None;
        for object in &stmt.objects {
            if let Err(problem) = self.drop_one(stmt.remove_type(), object) {
                if !stmt.missing_ok {
                    first_problem.get_or_insert(problem);
                }
            }
        }
        first_problem.map_or(Ok(()), Err)
    }

    fn drop_one(&mut self, kind: ObjectType, object: &Node) -> Result<(), Problem> {
        let names = object_names(object);
        match kind {
            ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectForeignTable => {
                let (schema, table) = self.find_table(&range_var(&names))?;
                let owned = QualifiedName::new(&schema, &table);
                let s = self.schema_mut(&schema)?;
                s.remove_table(&table);
                s.sequences
                    .retain(|_, seq| seq.owned_by.as_ref().is_none_or(|o| o.table != owned));
            }
            ObjectType::ObjectIndex => {
                let relation = range_var(&names);
                let (schema, table, index) = super::table::find_index(self, &relation)
                    .ok_or_else(|| Problem::unknown("index", range_var_display(&relation)))?;
                let constraint = self
                    .table(&schema, &table)
                    .and_then(|t| t.indexes.iter().find(|i| i.name == index))
                    .and_then(|i| i.constraint.clone());
                match constraint {
                    Some(c) => self.drop_constraint(&schema, &table, &c, false)?,
                    None => {
                        self.table_mut(&schema, &table)?
                            .indexes
                            .retain(|i| i.name != index);
                        self.schema_mut(&schema)?.indexes.remove(&index);
                    }
                }
            }
            ObjectType::ObjectSequence => {
                let relation = range_var(&names);
                let name = relation.relname.clone();
                let schema = self
                    .lookup(&relation.schemaname, |s| s.sequences.contains_key(&name))
                    .ok_or_else(|| Problem::unknown("sequence", range_var_display(&relation)))?;
                self.schema_mut(&schema)?.sequences.remove(&name);
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let nodes: Vec<Node> = names.iter().map(|n| string_node(n)).collect();
                let (schema, name) = self.find_type(&nodes, "type")?;
                let s = self.schema_mut(&schema)?;
                s.enums.remove(&name);
                if let Some(domain) = s.domains.remove(&name) {
                    for check in domain.checks.iter().filter_map(|c| c.name.as_ref()) {
                        s.forget_constraint(check);
                    }
                }
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine => {
                let Some(NodeEnum::ObjectWithArgs(function)) = object.node.as_ref() else {
                    return Ok(());
                };
                let (schema, index) = self.find_function(function)?;
                self.schema_mut(&schema)?.functions.remove(index);
            }
            ObjectType::ObjectTrigger | ObjectType::ObjectPolicy => {
                let (relation, name) = split_last(&names)?;
                let (schema, table) = self.find_table(&range_var(relation))?;
                let t = self.table_mut(&schema, &table)?;
                if kind == ObjectType::ObjectTrigger {
                    t.triggers.retain(|x| x.name != name);
                } else {
                    t.row_security.policies.retain(|x| x.name != name);
                }
            }
            ObjectType::ObjectSchema => {
                let name = names.last().cloned().unwrap_or_default();
                self.schemas
                    .remove(&name)
                    .ok_or_else(|| Problem::unknown("schema", &name))?;
            }
            ObjectType::ObjectExtension => {
                let name = names.last().cloned().unwrap_or_default();
                self.extensions
                    .remove(&name)
                    .ok_or_else(|| Problem::unknown("extension", &name))?;
            }
            _ => {}
        }
        Ok(())
    }

    fn rename(&mut self, stmt: RenameStmt) -> Result<(), Problem> {
        let relation = stmt.relation.clone().unwrap_or_default();
        let new = stmt.newname.clone();
        match stmt.rename_type() {
            ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectForeignTable => {
                let (schema, table) = match self.find_table(&relation) {
                    Ok(found) => found,
                    Err(_) if stmt.missing_ok => return Ok(()),
                    Err(p) => return Err(p),
                };
                self.rename_table(&schema, &table, &new)
            }
            ObjectType::ObjectColumn => {
                let (schema, table) = self.find_table(&relation)?;
                self.rename_column(&schema, &table, &stmt.subname, &new)
            }
            ObjectType::ObjectTabconstraint => {
                let (schema, table) = self.find_table(&relation)?;
                let t = self.table_mut(&schema, &table)?;
                let old = Some(stmt.subname.clone());
                let renamed = Some(new.clone());
                if let Some(pk) = t.primary_key.as_mut().filter(|pk| pk.name == old) {
                    pk.name.clone_from(&renamed);
                }
                for u in t.uniques.iter_mut().filter(|u| u.name == old) {
                    u.name.clone_from(&renamed);
                }
                for f in t.foreign_keys.iter_mut().filter(|f| f.name == old) {
                    f.name.clone_from(&renamed);
                }
                for c in t.checks.iter_mut().filter(|c| c.name == old) {
                    c.name.clone_from(&renamed);
                }
                for e in t.exclusions.iter_mut().filter(|e| e.name == stmt.subname) {
                    e.name.clone_from(&new);
                }
                let mut index_renamed = false;
                for i in t.indexes.iter_mut().filter(|i| i.constraint == old) {
                    i.name.clone_from(&new);
                    i.constraint.clone_from(&renamed);
                    index_renamed = true;
                }
                let s = self.schema_mut(&schema)?;
                s.forget_constraint(&stmt.subname);
                s.note_constraint(&new);
                if index_renamed {
                    s.indexes.remove(&stmt.subname);
                    s.indexes.insert(new, table);
                }
                Ok(())
            }
            ObjectType::ObjectIndex => {
                let Some((schema, table, index)) = super::table::find_index(self, &relation) else {
                    return match stmt.missing_ok {
                        true => Ok(()),
                        false => Err(Problem::unknown("index", range_var_display(&relation))),
                    };
                };
                let t = self.table_mut(&schema, &table)?;
                let mut constraint = None;
                for i in t.indexes.iter_mut().filter(|i| i.name == index) {
                    i.name.clone_from(&new);
                    if let Some(c) = i.constraint.as_mut() {
                        constraint = Some(std::mem::replace(c, new.clone()));
                    }
                }
                if let Some(old) = &constraint {
                    rename_constraint_in(t, old, &new);
                }
                let s = self.schema_mut(&schema)?;
                s.indexes.remove(&index);
                s.indexes.insert(new.clone(), table);
                if let Some(old) = constraint {
                    s.forget_constraint(&old);
                    s.note_constraint(&new);
                }
                Ok(())
            }
            ObjectType::ObjectSequence => {
                let name = relation.relname.clone();
                let schema = self
                    .lookup(&relation.schemaname, |s| s.sequences.contains_key(&name))
                    .ok_or_else(|| Problem::unknown("sequence", range_var_display(&relation)))?;
                let s = self.schema_mut(&schema)?;
                if let Some(mut seq) = s.sequences.remove(&name) {
                    seq.name.clone_from(&new);
                    s.sequences.insert(new, seq);
                }
                Ok(())
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let names = stmt.object.as_deref().map(object_names).unwrap_or_default();
                let nodes: Vec<Node> = names.iter().map(|n| string_node(n)).collect();
                let (schema, name) = self.find_type(&nodes, "type")?;
                let s = self.schema_mut(&schema)?;
                if let Some(mut e) = s.enums.remove(&name) {
                    e.name.clone_from(&new);
                    s.enums.insert(new, e);
                } else if let Some(mut d) = s.domains.remove(&name) {
                    d.name.clone_from(&new);
                    s.domains.insert(new, d);
                }
                Ok(())
            }
            ObjectType::ObjectSchema => {
                let model = self
                    .schemas
                    .remove(&stmt.subname)
                    .ok_or_else(|| Problem::unknown("schema", &stmt.subname))?;
                self.schemas.insert(new, model);
                Ok(())
            }
            ObjectType::ObjectTrigger | ObjectType::ObjectPolicy => {
                let (schema, table) = self.find_table(&relation)?;
                let t = self.table_mut(&schema, &table)?;
                if stmt.rename_type() == ObjectType::ObjectTrigger {
                    for x in t.triggers.iter_mut().filter(|x| x.name == stmt.subname) {
                        x.name.clone_from(&new);
                    }
                } else {
                    for x in t
                        .row_security
                        .policies
                        .iter_mut()
                        .filter(|x| x.name == stmt.subname)
                    {
                        x.name.clone_from(&new);
                    }
                }
                Ok(())
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine => {
                let Some(NodeEnum::ObjectWithArgs(function)) =
                    stmt.object.as_deref().and_then(|o| o.node.as_ref())
                else {
                    return Ok(());
                };
                let (schema, index) = self.find_function(function)?;
                if let Some(f) = self.schema_mut(&schema)?.functions.get_mut(index) {
                    f.name = new;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Renames a table and every reference to it the Catalog keeps.
    fn rename_table(&mut self, schema: &str, table: &str, new: &str) -> Result<(), Problem> {
        let s = self.schema_mut(schema)?;
        let mut t = s
            .remove_table(table)
            .ok_or_else(|| Problem::unknown("table", table))?;
        t.name = new.to_string();
        s.insert_table(t);
        let old = QualifiedName::new(schema, table);
        let renamed = QualifiedName::new(schema, new);
        for s in self.schemas.values_mut() {
            for t in s.tables.values_mut() {
                for fk in t
                    .foreign_keys
                    .iter_mut()
                    .filter(|f| f.referenced_table == old)
                {
                    fk.referenced_table = renamed.clone();
                }
                if let Some(p) = t.partition_of.as_mut().filter(|p| p.parent == old) {
                    p.parent = renamed.clone();
                }
            }
            for seq in s.sequences.values_mut() {
                if let Some(o) = seq.owned_by.as_mut().filter(|o| o.table == old) {
                    o.table = renamed.clone();
                }
            }
        }
        Ok(())
    }

    /// Renames a column and its mentions in key lists, foreign keys
    /// pointing at it, and sequence ownership.
    fn rename_column(
        &mut self,
        schema: &str,
        table: &str,
        old: &str,
        new: &str,
    ) -> Result<(), Problem> {
        let swap = |names: &mut Vec<String>| {
            for n in names.iter_mut().filter(|n| *n == old) {
                *n = new.to_string();
            }
        };
        let t = self.table_mut(schema, table)?;
        let column = t
            .columns
            .iter_mut()
            .find(|c| c.name == old)
            .ok_or_else(|| Problem::unknown("column", format!("{schema}.{table}.{old}")))?;
        column.name = new.to_string();
        if let Some(pk) = t.primary_key.as_mut() {
            swap(&mut pk.columns);
        }
        for u in &mut t.uniques {
            swap(&mut u.columns);
        }
        for f in &mut t.foreign_keys {
            swap(&mut f.columns);
        }
        for i in &mut t.indexes {
            swap(&mut i.include);
            for k in &mut i.keys {
                if let carta_catalog::IndexKey::Column { name, .. } = k {
                    if name == old {
                        *name = new.to_string();
                    }
                }
            }
        }
        let target = QualifiedName::new(schema, table);
        for s in self.schemas.values_mut() {
            for t in s.tables.values_mut() {
                for fk in t
                    .foreign_keys
                    .iter_mut()
                    .filter(|f| f.referenced_table == target)
                {
                    swap(&mut fk.referenced_columns);
                }
            }
            for seq in s.sequences.values_mut() {
                if let Some(o) = seq
                    .owned_by
                    .as_mut()
                    .filter(|o| o.table == target && o.column == old)
                {
                    o.column = new.to_string();
                }
            }
        }
        Ok(())
    }
}

fn rename_constraint_in(t: &mut Table, old: &str, new: &str) {
    let old = Some(old.to_string());
    let renamed = Some(new.to_string());
    if let Some(pk) = t.primary_key.as_mut().filter(|pk| pk.name == old) {
        pk.name.clone_from(&renamed);
    }
    for u in t.uniques.iter_mut().filter(|u| u.name == old) {
        u.name.clone_from(&renamed);
    }
    for e in t
        .exclusions
        .iter_mut()
        .filter(|e| Some(&e.name) == old.as_ref())
    {
        e.name = new.to_string();
    }
}

fn set_constraint_comment(t: &mut Table, name: &str, text: Option<String>) -> Option<()> {
    let wanted = Some(name.to_string());
    if let Some(pk) = t.primary_key.as_mut().filter(|pk| pk.name == wanted) {
        pk.comment = text;
        return Some(());
    }
    if let Some(u) = t.uniques.iter_mut().find(|u| u.name == wanted) {
        u.comment = text;
        return Some(());
    }
    if let Some(f) = t.foreign_keys.iter_mut().find(|f| f.name == wanted) {
        f.comment = text;
        return Some(());
    }
    if let Some(c) = t.checks.iter_mut().find(|c| c.name == wanted) {
        c.comment = text;
        return Some(());
    }
    let e = t.exclusions.iter_mut().find(|e| e.name == name)?;
    e.comment = text;
    Some(())
}

/// The input argument types of an argument list as the Catalog prints it.
fn input_types(arguments: &str) -> Vec<String> {
    let parsed = crate::parser::parse(&format!(
        "CREATE FUNCTION f({arguments}) RETURNS void LANGUAGE sql AS ''"
    ));
    let Ok(parsed) = parsed else {
        return Vec::new();
    };
    let Some(NodeEnum::CreateFunctionStmt(f)) = parsed
        .protobuf
        .stmts
        .into_iter()
        .next()
        .and_then(|s| s.stmt)
        .and_then(|s| s.node)
    else {
        return Vec::new();
    };
    let model = Model::default();
    f.parameters
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(NodeEnum::FunctionParameter(p))
                if !matches!(
                    p.mode(),
                    FunctionParameterMode::FuncParamOut | FunctionParameterMode::FuncParamTable
                ) =>
            {
                p.arg_type
                    .as_ref()
                    .map(|t| model.spell_type(t, Modifiers::Drop))
            }
            _ => None,
        })
        .collect()
}

/// The `USING (...)` columns of the joins in a FROM item.
fn using_columns(node: &Node) -> Vec<String> {
    match node.node.as_ref() {
        Some(NodeEnum::JoinExpr(join)) => {
            let mut out: Vec<String> = join.larg.as_deref().map(using_columns).unwrap_or_default();
            out.extend(join.rarg.as_deref().map(using_columns).unwrap_or_default());
            out.extend(ast::strings(&join.using_clause));
            out
        }
        _ => Vec::new(),
    }
}

/// Qualifies bare column references owned by exactly one relation, not
/// descending into subqueries (they have relations of their own).
fn qualify_by_owner(node: &mut Node, owners: &[(&str, Vec<&str>)]) {
    match node.node.as_mut() {
        Some(NodeEnum::ColumnRef(column)) => {
            if let [only] = column.fields.as_slice() {
                if let Some(name) = ast::string_of(only) {
                    let mut having = owners.iter().filter(|(_, columns)| columns.contains(&name));
                    if let (Some((owner, _)), None) = (having.next(), having.next()) {
                        column.fields.insert(0, string_node(owner));
                    }
                }
            }
        }
        Some(NodeEnum::SubLink(_) | NodeEnum::RangeSubselect(_)) => {}
        _ => {
            for child in canon::children(node) {
                qualify_by_owner(child, owners);
            }
        }
    }
}

/// Qualifies bare column references that name a column of the outer
/// table and of no relation the subquery reads. Nested subqueries are left
/// to the caller's walk.
fn qualify_columns(node: &mut Node, inner: &[String], outer: &str, outer_columns: &[&str]) {
    match node.node.as_mut() {
        Some(NodeEnum::ColumnRef(column)) => {
            if let [only] = column.fields.as_slice() {
                if let Some(name) = ast::string_of(only) {
                    if outer_columns.contains(&name) && !inner.iter().any(|c| c == name) {
                        column.fields.insert(0, string_node(outer));
                    }
                }
            }
        }
        Some(NodeEnum::SubLink(_)) => {}
        _ => {
            for child in canon::children(node) {
                qualify_columns(child, inner, outer, outer_columns);
            }
        }
    }
}

/// An argument default as `pg_get_function_arguments` prints it: a
/// constant of its own type (a number's, or the argument's for a quoted
/// literal, or the cast's), labelled unless the server leaves the label
/// off; the implicit cast to the argument's type is not shown. Other
/// expressions print canonically.
fn argument_default(expr: &Node, data_type: &str, cast_type: Option<&str>) -> Option<String> {
    use pg_query::protobuf::a_const::Val;
    let constant = match expr.node.as_ref()? {
        NodeEnum::AConst(c) => c,
        NodeEnum::TypeCast(cast) => match cast.arg.as_deref().and_then(|a| a.node.as_ref()) {
            Some(NodeEnum::AConst(c)) if cast_type.is_some() => c,
            _ => return canon::node(expr),
        },
        _ => return canon::node(expr),
    };
    let (value, own_type) = match &constant.val {
        None => (None, data_type),
        Some(Val::Boolval(b)) => return Some(b.boolval.to_string()),
        Some(Val::Ival(i)) => (Some(i.ival.to_string()), "integer"),
        Some(Val::Fval(f)) => (Some(f.fval.clone()), "numeric"),
        Some(Val::Sval(s)) => (Some(s.sval.clone()), data_type),
        Some(Val::Bsval(b)) => (Some(b.bsval.clone()), data_type),
    };
    Some(constant_text(
        value.as_deref(),
        cast_type.unwrap_or(own_type),
    ))
}

/// A constant of a type as the server's `get_const_expr` prints it.
fn constant_text(value: Option<&str>, type_name: &str) -> String {
    let Some(value) = value else {
        return format!("NULL::{type_name}");
    };
    let bare = match type_name {
        "integer" => !value.starts_with('-') && value.parse::<i32>().is_ok(),
        "numeric" => {
            value.starts_with(|c: char| c.is_ascii_digit()) && value.contains(['.', 'e', 'E'])
        }
        "boolean" => matches!(value, "true" | "false"),
        _ => false,
    };
    match bare {
        true => value.to_string(),
        false => format!("'{}'::{type_name}", value.replace('\'', "''")),
    }
}

/// `numeric(10,2)` as `numeric`, `timestamp(3) with time zone` as `timestamp with time zone`.
fn without_modifiers(spelled: &str) -> String {
    match (spelled.find('('), spelled.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}{}", &spelled[..open], &spelled[close + 1..])
        }
        _ => spelled.to_string(),
    }
}

fn is_record(type_name: &TypeName) -> bool {
    ast::strings(&type_name.names).last().map(String::as_str) == Some("record")
}

/// The SELECT whose target list names a set operation's columns.
fn leftmost_branch(query: &mut SelectStmt) -> &mut SelectStmt {
    match query.larg {
        Some(ref mut left) => leftmost_branch(left),
        None => query,
    }
}

fn def_elem(node: &Node) -> Option<&DefElem> {
    match node.node.as_ref()? {
        NodeEnum::DefElem(d) => Some(d),
        _ => None,
    }
}

fn string_node(text: &str) -> Node {
    canon::node_of(NodeEnum::String(pg_query::protobuf::String {
        sval: text.into(),
    }))
}

/// The name parts of an object reference: a name list, a type name, a bare name.
fn object_names(node: &Node) -> Vec<String> {
    match node.node.as_ref() {
        Some(NodeEnum::List(l)) => ast::strings(&l.items),
        Some(NodeEnum::TypeName(t)) => ast::strings(&t.names),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::ObjectWithArgs(o)) => ast::strings(&o.objname),
        _ => Vec::new(),
    }
}

fn range_var(names: &[String]) -> RangeVar {
    let mut parts = names.to_vec();
    let relname = parts.pop().unwrap_or_default();
    RangeVar {
        schemaname: parts.pop().unwrap_or_default(),
        relname,
        inh: true,
        ..Default::default()
    }
}

fn split_last(names: &[String]) -> Result<(&[String], String), Problem> {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => Ok((rest, last.clone())),
        _ => Err(Problem::new("an object name without its table")),
    }
}

/// The statement's kind for a warning, e.g. `CREATE AGGREGATE` as `DefineStmt`.
fn statement_kind(node: &NodeEnum) -> String {
    let debug = format!("{node:?}");
    debug.split('(').next().unwrap_or("statement").to_string()
}
