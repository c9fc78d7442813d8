//! Documentation rules: what a reader of the generated docs will miss.

use super::{has_text, literal, Findings, OptionInfo, OptionKind, RuleInfo, TableContext};
use crate::{Category, ObjectKind, Severity};
use carta_catalog::{Column, Dialect, TableKind};

pub(super) const TABLE_COMMENT: RuleInfo = RuleInfo {
    id: "table-comment",
    category: Category::Documentation,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Every table and view has a comment.",
    rationale: "The table comment is the first line of its documentation page and what a new \
                reader, an analyst or an AI assistant reads to learn what one row means. Without \
                it the name is all there is, and names are ambiguous (`accounts`: customers or \
                logins?). Partitions are skipped: they share their parent's purpose.",
    fix: "Write what one row is and who writes it, with `COMMENT ON TABLE` (MySQL: `ALTER \
          TABLE ... COMMENT = ...`), or in a `[[comments]]` entry of carta.toml where the \
          database cannot hold comments (SQLite).",
    options: &[],
    example_bad: "CREATE TABLE app.invoices (id bigint PRIMARY KEY, total numeric NOT NULL);",
    example_good: "CREATE TABLE app.invoices (id bigint PRIMARY KEY, total numeric NOT NULL);\n\
                   COMMENT ON TABLE app.invoices IS 'Bills sent to customers, one row per invoice.';",
    check: table_comment,
};

fn table_comment(ctx: &TableContext, out: &mut Findings) {
    let table = ctx.table;
    if table.partition_of.is_some() || has_text(&table.comment) {
        return;
    }
    let (what, sql_kind) = match table.kind {
        TableKind::View => ("view", "VIEW"),
        TableKind::MaterializedView => ("materialized view", "MATERIALIZED VIEW"),
        TableKind::ForeignTable => ("foreign table", "FOREIGN TABLE"),
        TableKind::Table | TableKind::PartitionedTable => ("table", "TABLE"),
    };
    let hint = match ctx.dialect() {
        Dialect::Postgres => format!(
            "COMMENT ON {sql_kind} {} IS {};",
            ctx.table_sql(),
            literal("What one row is.")
        ),
        Dialect::Mysql if !table.kind.is_view() => format!(
            "ALTER TABLE {} COMMENT = {};",
            ctx.table_sql(),
            literal("What one row is.")
        ),
        Dialect::Mysql | Dialect::Sqlite => carta_toml_hint(ctx, None),
    };
    out.on_table(format!("{what} {} has no comment", ctx.name), hint);
}

pub(super) const COLUMN_COMMENT: RuleInfo = RuleInfo {
    id: "column-comment",
    category: Category::Documentation,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Every column of a table has a comment.",
    rationale: "Column comments carry what the type cannot: units (`latency_ms`), meaning of \
                NULL, who sets the value, the vocabulary of a code. They are the most read part \
                of schema documentation. Columns of views and partitions are skipped: they \
                derive from the tables they read.",
    fix: "Describe the column with `COMMENT ON COLUMN` (MySQL: the column's `COMMENT` clause), \
          or in carta.toml under `[comments.columns]`.",
    options: &[],
    example_bad: "CREATE TABLE app.invoices (id bigint PRIMARY KEY, total numeric NOT NULL);\n\
                  COMMENT ON COLUMN app.invoices.id IS 'Invoice number.';",
    example_good: "CREATE TABLE app.invoices (id bigint PRIMARY KEY, total numeric NOT NULL);\n\
                   COMMENT ON COLUMN app.invoices.id IS 'Invoice number.';\n\
                   COMMENT ON COLUMN app.invoices.total IS 'Amount due in the invoice currency, taxes included.';",
    check: column_comment,
};

fn column_comment(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    for column in ctx.table.columns.iter().filter(|c| !has_text(&c.comment)) {
        let hint = match ctx.dialect() {
            Dialect::Postgres => format!(
                "COMMENT ON COLUMN {}.{} IS {};",
                ctx.table_sql(),
                ctx.ident(&column.name),
                literal("What the value means.")
            ),
            Dialect::Mysql => format!(
                "ALTER TABLE {} MODIFY {} {}{} COMMENT {};",
                ctx.table_sql(),
                ctx.ident(&column.name),
                column.data_type,
                if column.nullable { "" } else { " NOT NULL" },
                literal("What the value means.")
            ),
            Dialect::Sqlite => carta_toml_hint(ctx, Some(column)),
        };
        out.on_column(
            column,
            format!("column {}.{} has no comment", ctx.name, column.name),
            hint,
        );
    }
}

/// Where the database keeps no comment, carta.toml can.
fn carta_toml_hint(ctx: &TableContext, column: Option<&Column>) -> String {
    match column {
        None => format!(
            "add to carta.toml: [[comments]] table = \"{}\" table_comment = \"What one row is.\"",
            ctx.name
        ),
        Some(column) => format!(
            "add to carta.toml: [[comments]] table = \"{}\" [comments.columns] {} = \"What the value means.\"",
            ctx.name, column.name
        ),
    }
}

pub(super) const INDEX_COMMENT: RuleInfo = RuleInfo {
    id: "index-comment",
    category: Category::Documentation,
    default_severity: Severity::Info,
    enabled_by_default: false,
    postgres_only: true,
    summary: "Indexes that do not implement a constraint have a comment (off by default).",
    rationale: "An index exists for a query; when that query changes or goes away nobody knows \
                whether the index may be dropped. A comment naming the query or access path it \
                serves answers that. Off by default because indexes rarely carry comments and \
                their names usually say enough; turn it on for schemas with many hand-tuned \
                indexes. Indexes behind primary key, unique and exclusion constraints are \
                skipped (the constraint says why they exist). PostgreSQL only: the other \
                dialects' readers keep no index comments.",
    fix: "Say which query or access path the index serves, with `COMMENT ON INDEX`.",
    options: &[],
    example_bad: "CREATE TABLE app.events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);\n\
                  CREATE INDEX events_happened_at_idx ON app.events (happened_at);",
    example_good: "CREATE TABLE app.events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);\n\
                   CREATE INDEX events_happened_at_idx ON app.events (happened_at);\n\
                   COMMENT ON INDEX app.events_happened_at_idx IS 'Timeline page: latest events first.';",
    check: index_comment,
};

fn index_comment(ctx: &TableContext, out: &mut Findings) {
    for index in &ctx.table.indexes {
        if index.constraint.is_some() || has_text(&index.comment) {
            continue;
        }
        out.on_index(
            index,
            format!("index {} on {} has no comment", index.name, ctx.name),
            format!(
                "COMMENT ON INDEX {} IS {};",
                ctx.schema_object_sql(&index.name),
                literal("The query this index serves.")
            ),
        );
    }
}

pub(super) const CONSTRAINT_COMMENT: RuleInfo = RuleInfo {
    id: "constraint-comment",
    category: Category::Documentation,
    default_severity: Severity::Info,
    enabled_by_default: false,
    postgres_only: true,
    summary: "Check, unique, exclusion and foreign key constraints have a comment (off by default).",
    rationale: "A constraint encodes a business rule (`rating BETWEEN 1 AND 5`, one membership \
                per user and workspace); its comment says which rule and why, which is what a \
                reader needs when the constraint blocks a change. Off by default: most \
                constraints are self-explanatory and rarely commented. Primary keys are \
                skipped. PostgreSQL only: other dialects cannot comment constraints.",
    fix: "State the business rule with `COMMENT ON CONSTRAINT name ON table`.",
    options: &[],
    example_bad: "CREATE TABLE app.reviews (\n    id bigint PRIMARY KEY,\n    rating smallint NOT NULL,\n    \
                  CONSTRAINT reviews_rating_range CHECK (rating BETWEEN 1 AND 5)\n);",
    example_good: "CREATE TABLE app.reviews (\n    id bigint PRIMARY KEY,\n    rating smallint NOT NULL,\n    \
                   CONSTRAINT reviews_rating_range CHECK (rating BETWEEN 1 AND 5)\n);\n\
                   COMMENT ON CONSTRAINT reviews_rating_range ON app.reviews IS 'Ratings are one to five stars.';",
    check: constraint_comment,
};

fn constraint_comment(ctx: &TableContext, out: &mut Findings) {
    let table = ctx.table;
    let foreign_keys = table
        .foreign_keys
        .iter()
        .map(|c| (ObjectKind::ForeignKey, c.name.as_deref(), &c.comment));
    let others = table
        .uniques
        .iter()
        .map(|c| (c.name.as_deref(), &c.comment))
        .chain(table.checks.iter().map(|c| (c.name.as_deref(), &c.comment)))
        .chain(
            table
                .exclusions
                .iter()
                .map(|c| (Some(c.name.as_str()), &c.comment)),
        )
        .map(|(name, comment)| (ObjectKind::Constraint, name, comment));
    for (kind, name, comment) in foreign_keys.chain(others) {
        // Unnamed constraints (SQLite) cannot be commented on.
        let Some(name) = name else { continue };
        if has_text(comment) {
            continue;
        }
        out.on_named(
            kind,
            name.to_string(),
            comment.as_deref(),
            format!("constraint {name} on {} has no comment", ctx.name),
            format!(
                "COMMENT ON CONSTRAINT {} ON {} IS {};",
                ctx.ident(name),
                ctx.table_sql(),
                literal("The business rule it enforces.")
            ),
        );
    }
}

pub(super) const TRIGGER_COMMENT: RuleInfo = RuleInfo {
    id: "trigger-comment",
    category: Category::Documentation,
    default_severity: Severity::Info,
    enabled_by_default: true,
    postgres_only: true,
    summary: "Every trigger has a comment.",
    rationale: "Triggers are invisible side effects: an UPDATE that also writes elsewhere, \
                refuses rows, or stamps columns. A comment saying what the trigger does and why \
                saves the next reader from reverse-engineering its function. Info by default: \
                the function's own comment often covers it. PostgreSQL only: other dialects \
                cannot comment triggers.",
    fix: "Say what the trigger does and why, with `COMMENT ON TRIGGER name ON table`.",
    options: &[],
    example_bad: "CREATE TABLE app.notes (id bigint PRIMARY KEY, updated_at timestamptz);\n\
                  CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\n\
                  CREATE TRIGGER notes_touch BEFORE UPDATE ON app.notes FOR EACH ROW EXECUTE FUNCTION app.touch();",
    example_good: "CREATE TABLE app.notes (id bigint PRIMARY KEY, updated_at timestamptz);\n\
                   CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\n\
                   CREATE TRIGGER notes_touch BEFORE UPDATE ON app.notes FOR EACH ROW EXECUTE FUNCTION app.touch();\n\
                   COMMENT ON TRIGGER notes_touch ON app.notes IS 'Keeps updated_at current on every UPDATE.';",
    check: trigger_comment,
};

fn trigger_comment(ctx: &TableContext, out: &mut Findings) {
    for trigger in ctx.table.triggers.iter().filter(|t| !has_text(&t.comment)) {
        out.on_trigger(
            trigger,
            format!("trigger {} on {} has no comment", trigger.name, ctx.name),
            format!(
                "COMMENT ON TRIGGER {} ON {} IS {};",
                ctx.ident(&trigger.name),
                ctx.table_sql(),
                literal("What it does and why.")
            ),
        );
    }
}

pub(super) const ISOLATED_TABLE: RuleInfo = RuleInfo {
    id: "isolated-table",
    category: Category::Documentation,
    default_severity: Severity::Info,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Every table takes part in at least one relation (foreign key or virtual relation).",
    rationale: "A table with no relation in or out floats alone in the ER diagram, and readers \
                cannot tell how it connects to the rest. Often the link exists but is not \
                declared (an `*_id` column without a foreign key, a polymorphic reference); \
                declaring it, or a virtual relation in carta.toml, puts the table in context. \
                Views and partitions are skipped.",
    fix: "Add the missing foreign key, or declare the link as a `[[relations]]` entry in \
          carta.toml when the database cannot enforce it.",
    options: &[],
    example_bad: "CREATE TABLE app.customers (id bigint PRIMARY KEY);\n\
                  CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);",
    example_good: "CREATE TABLE app.customers (id bigint PRIMARY KEY);\n\
                   CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES app.customers (id));",
    check: isolated_table,
};

fn isolated_table(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    let related = ctx.relations.outgoing(ctx.name).next().is_some()
        || ctx.relations.incoming(ctx.name).next().is_some();
    if !related {
        out.on_table(
            format!("table {} has no relation to any other table", ctx.name),
            format!(
                "declare its link: ALTER TABLE {} ADD FOREIGN KEY (...) REFERENCES ...; or a [[relations]] entry in carta.toml",
                ctx.table_sql()
            ),
        );
    }
}

pub(super) const COLUMN_COUNT: RuleInfo = RuleInfo {
    id: "column-count",
    category: Category::Documentation,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Tables and views have at most `max` columns.",
    rationale: "A very wide table usually mixes several things (a row per customer plus their \
                settings, billing and flags) and is hard to document, index and read. \
                Splitting out the groups that change or are read together gives each a name \
                and a purpose.",
    fix: "Move groups of columns that belong together into their own table with a one-to-one \
          foreign key, or raise `max` if the width is deliberate.",
    options: &[OptionInfo {
        name: "max",
        kind: OptionKind::Integer { min: 1 },
        default: "50",
        doc: "The most columns a table or view may have.",
    }],
    example_bad: "-- with max = 3\nCREATE TABLE app.profiles (id bigint PRIMARY KEY, name text, email text, phone text);",
    example_good: "-- with max = 3\nCREATE TABLE app.profiles (id bigint PRIMARY KEY, name text, email text);",
    check: column_count,
};

fn column_count(ctx: &TableContext, out: &mut Findings) {
    let max = ctx.options.integer("max");
    let count = ctx.table.columns.len() as u64;
    if ctx.table.partition_of.is_some() || count <= max {
        return;
    }
    out.on_table(
        format!("{} has {count} columns, more than {max}", ctx.name),
        format!(
            "split groups of related columns of {} into their own tables, or raise [lint.rules.column-count] max",
            ctx.table_sql()
        ),
    );
}

pub(super) const REQUIRED_COLUMNS: RuleInfo = RuleInfo {
    id: "required-columns",
    category: Category::Documentation,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Every table has the columns a project requires, e.g. `created_at` (none by default).",
    rationale: "Projects often agree that every table carries some columns: audit times, a \
                tenant id, a version for optimistic locking. A table that lacks one breaks \
                the tools and habits that rely on it. The list is empty by default, so the rule \
                does nothing until `columns` is set. Views and partitions are skipped.",
    fix: "Add the missing column, or exclude the table from this rule.",
    options: &[OptionInfo {
        name: "columns",
        kind: OptionKind::Names,
        default: "[]",
        doc: "Columns every table must have, e.g. `[\"created_at\", \"updated_at\"]`.",
    }],
    example_bad: "-- with columns = [\"created_at\"]\nCREATE TABLE app.notes (id bigint PRIMARY KEY, body text);",
    example_good: "-- with columns = [\"created_at\"]\nCREATE TABLE app.notes (id bigint PRIMARY KEY, body text, created_at timestamptz NOT NULL DEFAULT now());",
    check: required_columns,
};

fn required_columns(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    for required in ctx.options.names("columns") {
        let present = ctx
            .table
            .columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(required));
        if !present {
            out.on_table(
                format!("table {} has no column {required}", ctx.name),
                format!(
                    "ALTER TABLE {} ADD COLUMN {} ...;",
                    ctx.table_sql(),
                    ctx.ident(required)
                ),
            );
        }
    }
}
