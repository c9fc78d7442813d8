//! PostgreSQL DDL for whole Catalog objects. Expressions, types and
//! bounds are written as the Catalog stores them: the Catalog keeps the
//! server's (canonical) spelling, which PostgreSQL reads back as the same
//! object.

use crate::quote::{dollar_quote, ident, ident_list, literal, qualified};
use crate::MigrateError;
use carta_catalog::{
    CheckConstraint, Column, Domain, EnumType, ExclusionConstraint, Extension, ForeignKey,
    Function, FunctionKind, Identity, Index, IndexKey, MatchType, Policy, PolicyCommand,
    PrimaryKey, ReferentialAction, Sequence, Table, TableKind, Trigger, TriggerEvent,
    TriggerTiming, UniqueConstraint, Volatility,
};

/// The table's name in its schema, quoted.
pub fn table_name(schema: &str, table: &str) -> String {
    format!("{}.{}", ident(schema), ident(table))
}

pub fn create_schema(name: &str) -> String {
    format!("CREATE SCHEMA {};", ident(name))
}

pub fn drop_schema(name: &str) -> String {
    format!("DROP SCHEMA {};", ident(name))
}

pub fn create_extension(extension: &Extension) -> String {
    format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {};",
        ident(&extension.name),
        ident(&extension.schema)
    )
}

pub fn drop_extension(extension: &Extension) -> String {
    format!("DROP EXTENSION {};", ident(&extension.name))
}

pub fn create_enum(schema: &str, enum_type: &EnumType) -> String {
    let values: Vec<String> = enum_type.values.iter().map(|v| literal(v)).collect();
    format!(
        "CREATE TYPE {} AS ENUM ({});",
        table_name(schema, &enum_type.name),
        values.join(", ")
    )
}

pub fn create_domain(schema: &str, domain: &Domain) -> String {
    let mut sql = format!(
        "CREATE DOMAIN {} AS {}",
        table_name(schema, &domain.name),
        domain.data_type
    );
    if let Some(collation) = &domain.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if let Some(default) = &domain.default {
        sql.push_str(&format!(" DEFAULT ({default})"));
    }
    if !domain.nullable {
        sql.push_str(" NOT NULL");
    }
    for check in &domain.checks {
        sql.push(' ');
        sql.push_str(&check_body(check));
    }
    sql.push(';');
    sql
}

fn sequence_options(sequence: &Sequence) -> String {
    format!(
        "AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}{}",
        sequence.data_type,
        sequence.increment,
        sequence.min_value,
        sequence.max_value,
        sequence.start,
        sequence.cache,
        if sequence.cycle {
            " CYCLE"
        } else {
            " NO CYCLE"
        }
    )
}

/// A sequence with all its options but without `OWNED BY`: the owning
/// column may not exist yet (see [`sequence_owned_by`]).
pub fn create_sequence(schema: &str, sequence: &Sequence) -> String {
    format!(
        "CREATE SEQUENCE {} {};",
        table_name(schema, &sequence.name),
        sequence_options(sequence)
    )
}

/// `ALTER SEQUENCE` to the sequence's options (all but its owner);
/// `restart` also sets the current value back to the start.
pub fn alter_sequence(schema: &str, sequence: &Sequence, restart: bool) -> String {
    format!(
        "ALTER SEQUENCE {} {}{};",
        table_name(schema, &sequence.name),
        sequence_options(sequence),
        if restart { " RESTART" } else { "" }
    )
}

pub fn sequence_owned_by(schema: &str, sequence: &Sequence) -> String {
    let owner = match &sequence.owned_by {
        Some(owner) => format!("{}.{}", qualified(&owner.table), ident(&owner.column)),
        None => "NONE".to_string(),
    };
    format!(
        "ALTER SEQUENCE {} OWNED BY {owner};",
        table_name(schema, &sequence.name)
    )
}

fn volatility(volatility: Volatility) -> &'static str {
    match volatility {
        Volatility::Immutable => "IMMUTABLE",
        Volatility::Stable => "STABLE",
        Volatility::Volatile => "VOLATILE",
    }
}

/// `CREATE OR REPLACE FUNCTION` (or `PROCEDURE`). A body in SQL-standard
/// form (`BEGIN ATOMIC ...`, `RETURN ...`) is written bare, any other
/// between dollar quotes.
pub fn create_function(schema: &str, function: &Function) -> Result<String, MigrateError> {
    let object = function_signature(schema, function);
    let unsupported = |reason: &str| MigrateError::Unsupported {
        object: object.clone(),
        reason: reason.to_string(),
    };
    let body = function
        .body
        .as_deref()
        .ok_or_else(|| unsupported("the function's body is not known"))?;
    let mut sql = match function.kind {
        FunctionKind::Aggregate => return Err(unsupported("aggregates are not modelled")),
        FunctionKind::Procedure => format!(
            "CREATE OR REPLACE PROCEDURE {}({})",
            table_name(schema, &function.name),
            function.arguments
        ),
        FunctionKind::Function | FunctionKind::Window => {
            let returns = function
                .returns
                .as_deref()
                .ok_or_else(|| unsupported("the function's result type is not known"))?;
            format!(
                "CREATE OR REPLACE FUNCTION {}({}) RETURNS {returns}",
                table_name(schema, &function.name),
                function.arguments
            )
        }
    };
    sql.push_str(&format!(" LANGUAGE {}", ident(&function.language)));
    if function.kind == FunctionKind::Window {
        sql.push_str(" WINDOW");
    }
    if let Some(v) = function.volatility {
        sql.push(' ');
        sql.push_str(volatility(v));
    }
    if function.security_definer {
        sql.push_str(" SECURITY DEFINER");
    }
    let trimmed = body.trim_start();
    let standard_body = trimmed.len() > 12 && trimmed[..12].eq_ignore_ascii_case("BEGIN ATOMIC")
        || trimmed.len() > 7 && trimmed[..7].eq_ignore_ascii_case("RETURN ");
    if standard_body {
        sql.push_str(&format!("\n{}", body.trim_end().trim_end_matches(';')));
    } else {
        sql.push_str(&format!("\nAS {}", dollar_quote(body)));
    }
    sql.push(';');
    Ok(sql)
}

/// `schema.name(argument types)`: how `DROP` and `COMMENT ON` name a function.
pub fn function_signature(schema: &str, function: &Function) -> String {
    let arguments: Vec<&str> = split_top_level(&function.arguments)
        .into_iter()
        .map(|argument| {
            let argument = argument.trim();
            argument
                .find(" DEFAULT ")
                .map_or(argument, |at| &argument[..at])
        })
        .filter(|argument| !argument.is_empty())
        .collect();
    format!(
        "{}({})",
        table_name(schema, &function.name),
        arguments.join(", ")
    )
}

fn routine_keyword(function: &Function) -> &'static str {
    match function.kind {
        FunctionKind::Procedure => "PROCEDURE",
        FunctionKind::Aggregate => "AGGREGATE",
        FunctionKind::Function | FunctionKind::Window => "FUNCTION",
    }
}

pub fn drop_function(schema: &str, function: &Function) -> String {
    format!(
        "DROP {} {};",
        routine_keyword(function),
        function_signature(schema, function)
    )
}

/// Splits at commas outside parentheses and quotes.
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in list.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

/// The column as `CREATE TABLE` and `ADD COLUMN` write it.
pub fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", ident(&column.name), column.data_type);
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if let Some(default) = &column.default {
        sql.push_str(&format!(" DEFAULT ({default})"));
    }
    if let Some(identity) = column.identity {
        sql.push(' ');
        sql.push_str(identity_clause(identity));
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) STORED",
            generated.expression
        ));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    sql
}

pub fn identity_clause(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "GENERATED ALWAYS AS IDENTITY",
        Identity::ByDefault => "GENERATED BY DEFAULT AS IDENTITY",
    }
}

fn constraint_name(name: &Option<String>) -> String {
    name.as_ref()
        .map(|n| format!("CONSTRAINT {} ", ident(n)))
        .unwrap_or_default()
}

fn deferrable(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (true, true) => " DEFERRABLE INITIALLY DEFERRED",
        (true, false) => " DEFERRABLE",
        (false, _) => "",
    }
}

pub fn primary_key_body(key: &PrimaryKey) -> String {
    format!(
        "{}PRIMARY KEY ({})",
        constraint_name(&key.name),
        ident_list(&key.columns)
    )
}

pub fn unique_body(unique: &UniqueConstraint) -> String {
    format!(
        "{}UNIQUE{} ({}){}",
        constraint_name(&unique.name),
        if unique.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        },
        ident_list(&unique.columns),
        deferrable(unique.deferrable, unique.initially_deferred)
    )
}

pub fn check_body(check: &CheckConstraint) -> String {
    format!(
        "{}CHECK ({})",
        constraint_name(&check.name),
        check.expression
    )
}

/// An exclusion element or index key: a column of the table bare, an expression in parentheses.
fn key_expression(table: &Table, expression: &str) -> String {
    if table.column(expression).is_some() {
        ident(expression)
    } else {
        format!("({expression})")
    }
}

pub fn exclusion_body(table: &Table, exclusion: &ExclusionConstraint) -> String {
    let elements: Vec<String> = exclusion
        .elements
        .iter()
        .map(|e| {
            format!(
                "{} WITH {}",
                key_expression(table, &e.expression),
                e.operator
            )
        })
        .collect();
    let mut sql = format!(
        "CONSTRAINT {} EXCLUDE USING {} ({})",
        ident(&exclusion.name),
        exclusion.method,
        elements.join(", ")
    );
    if let Some(predicate) = &exclusion.predicate {
        sql.push_str(&format!(" WHERE ({predicate})"));
    }
    sql
}

fn referential_action(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

pub fn foreign_key_body(key: &ForeignKey) -> String {
    let mut sql = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_name(&key.name),
        ident_list(&key.columns),
        qualified(&key.referenced_table),
        ident_list(&key.referenced_columns)
    );
    match key.match_type {
        MatchType::Simple => {}
        MatchType::Full => sql.push_str(" MATCH FULL"),
        MatchType::Partial => sql.push_str(" MATCH PARTIAL"),
    }
    if key.on_update != ReferentialAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", referential_action(key.on_update)));
    }
    if key.on_delete != ReferentialAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", referential_action(key.on_delete)));
    }
    sql.push_str(deferrable(key.deferrable, key.initially_deferred));
    sql
}

pub fn add_constraint(schema: &str, table: &str, body: &str) -> String {
    format!("ALTER TABLE {} ADD {body};", table_name(schema, table))
}

pub fn drop_constraint(schema: &str, table: &str, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {};",
        table_name(schema, table),
        ident(name)
    )
}

/// The keyword `CREATE`, `DROP` and `COMMENT ON` use for a relation.
pub fn relation_keyword(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Table | TableKind::PartitionedTable => "TABLE",
        TableKind::ForeignTable => "FOREIGN TABLE",
        TableKind::View => "VIEW",
        TableKind::MaterializedView => "MATERIALIZED VIEW",
    }
}

/// `CREATE TABLE` with its columns and its primary key, unique, check and
/// exclusion constraints (foreign keys come later, see
/// [`foreign_key_body`]). A partition takes its columns from its parent;
/// the keys it has because its parent has them are left to the parent
/// (see [`Inherited`]).
pub fn create_table(
    schema: &str,
    table: &Table,
    inherited: &Inherited,
) -> Result<String, MigrateError> {
    let name = table_name(schema, &table.name);
    let mut parts: Vec<String> = Vec::new();
    if table.partition_of.is_none() {
        parts.extend(table.columns.iter().map(column_definition));
    }
    if let Some(key) = table
        .primary_key
        .as_ref()
        .filter(|_| !inherited.primary_key)
    {
        parts.push(primary_key_body(key));
    }
    parts.extend(
        table
            .uniques
            .iter()
            .filter(|u| !inherited.constraint(&u.name))
            .map(unique_body),
    );
    parts.extend(table.checks.iter().map(check_body));
    parts.extend(
        table
            .exclusions
            .iter()
            .filter(|e| !inherited.constraint(&Some(e.name.clone())))
            .map(|e| exclusion_body(table, e)),
    );
    let body = if parts.is_empty() && table.partition_of.is_some() {
        String::new()
    } else {
        format!(" (\n    {}\n)", parts.join(",\n    "))
    };
    let mut sql = match (&table.partition_of, table.kind) {
        (Some(partition), _) => format!(
            "CREATE TABLE {name} PARTITION OF {}{body} {}",
            qualified(&partition.parent),
            partition.bound
        ),
        (None, TableKind::ForeignTable) => {
            let server =
                table
                    .foreign_server
                    .as_deref()
                    .ok_or_else(|| MigrateError::Unsupported {
                        object: format!("{schema}.{}", table.name),
                        reason: "the foreign table's server is not known".into(),
                    })?;
            format!("CREATE FOREIGN TABLE {name}{body} SERVER {}", ident(server))
        }
        (None, _) => format!("CREATE TABLE {name}{body}"),
    };
    if let Some(key) = &table.partition_key {
        sql.push_str(&format!(" PARTITION BY {key}"));
    }
    sql.push(';');
    Ok(sql)
}

/// What a partition has because its parent has it, so that creating the
/// partition must not declare it again.
#[derive(Debug, Default)]
pub struct Inherited {
    pub primary_key: bool,
    pub constraints: Vec<String>,
    pub indexes: Vec<String>,
}

impl Inherited {
    fn constraint(&self, name: &Option<String>) -> bool {
        name.as_ref().is_some_and(|n| self.constraints.contains(n))
    }

    /// Whether the partition's index comes from the parent.
    pub fn index(&self, name: &str) -> bool {
        self.indexes.iter().any(|n| n == name)
    }

    /// The keys and indexes of `partition` that mirror one of `parent`:
    /// PostgreSQL creates those itself when the partition is attached.
    pub fn of_partition(partition: &Table, parent: &Table) -> Inherited {
        let same_index = |index: &Index| {
            parent.indexes.iter().any(|p| {
                p.keys == index.keys
                    && p.unique == index.unique
                    && p.method == index.method
                    && p.predicate == index.predicate
                    && p.include == index.include
            })
        };
        let mut constraints: Vec<String> = partition
            .uniques
            .iter()
            .filter(|u| parent.uniques.iter().any(|p| p.columns == u.columns))
            .filter_map(|u| u.name.clone())
            .collect();
        constraints.extend(
            partition
                .exclusions
                .iter()
                .filter(|e| parent.exclusions.iter().any(|p| p.elements == e.elements))
                .map(|e| e.name.clone()),
        );
        let primary_key = partition.primary_key.is_some() && parent.primary_key.is_some();
        let indexes = partition
            .indexes
            .iter()
            .filter(|i| same_index(i))
            .map(|i| i.name.clone())
            .collect();
        Inherited {
            primary_key,
            constraints,
            indexes,
        }
    }
}

pub fn create_view(schema: &str, view: &Table) -> Result<String, MigrateError> {
    let definition = view
        .definition
        .as_deref()
        .ok_or_else(|| MigrateError::Unsupported {
            object: format!("{schema}.{}", view.name),
            reason: "the view's query is not known".into(),
        })?;
    Ok(format!(
        "CREATE {} {} AS\n{};",
        relation_keyword(view.kind),
        table_name(schema, &view.name),
        definition.trim().trim_end_matches(';')
    ))
}

pub fn drop_relation(schema: &str, table: &Table) -> String {
    format!(
        "DROP {} {};",
        relation_keyword(table.kind),
        table_name(schema, &table.name)
    )
}

fn key_options(options: &carta_catalog::IndexKeyOptions) -> String {
    let mut sql = String::new();
    if let Some(collation) = &options.collation {
        sql.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if let Some(opclass) = &options.opclass {
        sql.push_str(&format!(" {opclass}"));
    }
    if options.descending {
        sql.push_str(" DESC");
    }
    match options.nulls_first {
        Some(true) => sql.push_str(" NULLS FIRST"),
        Some(false) => sql.push_str(" NULLS LAST"),
        None => {}
    }
    sql
}

/// `CREATE INDEX`. Indexes behind a constraint come with the constraint.
pub fn create_index(schema: &str, table: &Table, index: &Index) -> String {
    let keys: Vec<String> = index
        .keys
        .iter()
        .map(|key| match key {
            IndexKey::Column { name, options } => {
                format!("{}{}", ident(name), key_options(options))
            }
            IndexKey::Expression {
                expression,
                options,
            } => format!("({expression}){}", key_options(options)),
        })
        .collect();
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} USING {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        ident(&index.name),
        table_name(schema, &table.name),
        index.method,
        keys.join(", ")
    );
    if !index.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", ident_list(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE ({predicate})"));
    }
    sql.push(';');
    sql
}

pub fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {};", table_name(schema, name))
}

pub fn create_trigger(
    schema: &str,
    table: &str,
    trigger: &Trigger,
) -> Result<String, MigrateError> {
    let function = trigger
        .function
        .as_ref()
        .ok_or_else(|| MigrateError::Unsupported {
            object: format!("{schema}.{table}.{}", trigger.name),
            reason: "the trigger's function is not known".into(),
        })?;
    let timing = match trigger.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let events: Vec<String> = trigger
        .events
        .iter()
        .map(|event| match event {
            TriggerEvent::Insert => "INSERT".to_string(),
            TriggerEvent::Update if !trigger.update_columns.is_empty() => {
                format!("UPDATE OF {}", ident_list(&trigger.update_columns))
            }
            TriggerEvent::Update => "UPDATE".to_string(),
            TriggerEvent::Delete => "DELETE".to_string(),
            TriggerEvent::Truncate => "TRUNCATE".to_string(),
        })
        .collect();
    let mut sql = format!(
        "CREATE TRIGGER {} {timing} {} ON {} FOR EACH {}",
        ident(&trigger.name),
        events.join(" OR "),
        table_name(schema, table),
        if trigger.for_each_row {
            "ROW"
        } else {
            "STATEMENT"
        }
    );
    if let Some(when) = &trigger.when {
        sql.push_str(&format!(" WHEN ({when})"));
    }
    sql.push_str(&format!(" EXECUTE FUNCTION {}();", qualified(function)));
    Ok(sql)
}

pub fn drop_trigger(schema: &str, table: &str, name: &str) -> String {
    format!(
        "DROP TRIGGER {} ON {};",
        ident(name),
        table_name(schema, table)
    )
}

pub fn create_policy(schema: &str, table: &str, policy: &Policy) -> String {
    let mut sql = format!(
        "CREATE POLICY {} ON {}",
        ident(&policy.name),
        table_name(schema, table)
    );
    if !policy.permissive {
        sql.push_str(" AS RESTRICTIVE");
    }
    let command = match policy.command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    };
    sql.push_str(&format!(" FOR {command}"));
    if !policy.roles.is_empty() {
        let roles: Vec<String> = policy
            .roles
            .iter()
            .map(|role| {
                if role == "public" {
                    "PUBLIC".to_string()
                } else {
                    ident(role)
                }
            })
            .collect();
        sql.push_str(&format!(" TO {}", roles.join(", ")));
    }
    if let Some(using) = &policy.using {
        sql.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &policy.with_check {
        sql.push_str(&format!(" WITH CHECK ({check})"));
    }
    sql.push(';');
    sql
}

pub fn drop_policy(schema: &str, table: &str, name: &str) -> String {
    format!(
        "DROP POLICY {} ON {};",
        ident(name),
        table_name(schema, table)
    )
}

pub fn row_security(schema: &str, table: &str, enabled: bool) -> String {
    format!(
        "ALTER TABLE {} {} ROW LEVEL SECURITY;",
        table_name(schema, table),
        if enabled { "ENABLE" } else { "DISABLE" }
    )
}

pub fn force_row_security(schema: &str, table: &str, forced: bool) -> String {
    format!(
        "ALTER TABLE {} {}FORCE ROW LEVEL SECURITY;",
        table_name(schema, table),
        if forced { "" } else { "NO " }
    )
}

/// `COMMENT ON target IS ...`; `None` removes the comment.
pub fn comment_on(target: &str, comment: Option<&str>) -> String {
    format!(
        "COMMENT ON {target} IS {};",
        comment.map_or("NULL".to_string(), literal)
    )
}

/// What `COMMENT ON` names for the parts of a table.
pub struct TableTargets<'a> {
    pub schema: &'a str,
    pub table: &'a Table,
}

impl TableTargets<'_> {
    fn name(&self) -> String {
        table_name(self.schema, &self.table.name)
    }

    pub fn relation(&self) -> String {
        format!("{} {}", relation_keyword(self.table.kind), self.name())
    }

    pub fn column(&self, column: &str) -> String {
        format!("COLUMN {}.{}", self.name(), ident(column))
    }

    pub fn constraint(&self, name: &str) -> String {
        format!("CONSTRAINT {} ON {}", ident(name), self.name())
    }

    pub fn index(&self, name: &str) -> String {
        format!("INDEX {}", table_name(self.schema, name))
    }

    pub fn trigger(&self, name: &str) -> String {
        format!("TRIGGER {} ON {}", ident(name), self.name())
    }

    pub fn policy(&self, name: &str) -> String {
        format!("POLICY {} ON {}", ident(name), self.name())
    }
}

/// Every comment a freshly created table carries: on the relation, its
/// columns, constraints, indexes, triggers and policies.
pub fn table_comments(schema: &str, table: &Table) -> Vec<String> {
    let targets = TableTargets { schema, table };
    let mut comments = Vec::new();
    let mut add = |target: String, comment: &Option<String>| {
        if let Some(text) = comment {
            comments.push(comment_on(&target, Some(text)));
        }
    };
    add(targets.relation(), &table.comment);
    for column in &table.columns {
        add(targets.column(&column.name), &column.comment);
    }
    if let Some(key) = &table.primary_key {
        if let Some(name) = &key.name {
            add(targets.constraint(name), &key.comment);
        }
    }
    for (name, comment) in table
        .foreign_keys
        .iter()
        .map(|k| (&k.name, &k.comment))
        .chain(table.uniques.iter().map(|u| (&u.name, &u.comment)))
        .chain(table.checks.iter().map(|c| (&c.name, &c.comment)))
    {
        if let Some(name) = name {
            add(targets.constraint(name), comment);
        }
    }
    for exclusion in &table.exclusions {
        add(targets.constraint(&exclusion.name), &exclusion.comment);
    }
    for index in &table.indexes {
        add(targets.index(&index.name), &index.comment);
    }
    for trigger in &table.triggers {
        add(targets.trigger(&trigger.name), &trigger.comment);
    }
    for policy in &table.row_security.policies {
        add(targets.policy(&policy.name), &policy.comment);
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_signature_drops_defaults_and_keeps_types() {
        let function = Function {
            name: "page".into(),
            kind: FunctionKind::Function,
            arguments: "p_org uuid, p_tags text[] DEFAULT ARRAY['a,b'], p_limit integer DEFAULT 10"
                .into(),
            returns: Some("integer".into()),
            language: "sql".into(),
            volatility: Some(Volatility::Stable),
            security_definer: false,
            body: Some("SELECT 1".into()),
            comment: None,
        };
        assert_eq!(
            function_signature("orko", &function),
            "orko.page(p_org uuid, p_tags text[], p_limit integer)"
        );
        assert_eq!(
            create_function("orko", &function).unwrap(),
            "CREATE OR REPLACE FUNCTION orko.page(p_org uuid, p_tags text[] DEFAULT ARRAY['a,b'], \
             p_limit integer DEFAULT 10) RETURNS integer LANGUAGE sql STABLE\nAS $$SELECT 1$$;"
        );
    }

    #[test]
    fn aggregates_are_unsupported() {
        let function = Function {
            name: "agg".into(),
            kind: FunctionKind::Aggregate,
            arguments: "integer".into(),
            returns: Some("integer".into()),
            language: "internal".into(),
            volatility: None,
            security_definer: false,
            body: Some(String::new()),
            comment: None,
        };
        assert!(matches!(
            create_function("public", &function),
            Err(MigrateError::Unsupported { .. })
        ));
    }
}
