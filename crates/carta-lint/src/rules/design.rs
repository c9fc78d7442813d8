//! Design rules: keys, indexes, relations and types that cost correctness or speed.

use super::{literal, mentions, naming, Findings, OptionInfo, OptionKind, RuleInfo, TableContext};
use crate::{Category, ObjectKind, Severity};
use carta_catalog::{
    Catalog, Column, Dialect, Index, LogicalType, ReferentialAction, Relation, RelationKind,
};

pub(super) const NO_PRIMARY_KEY: RuleInfo = RuleInfo {
    id: "no-primary-key",
    category: Category::Design,
    default_severity: Severity::Error,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Every table has a primary key.",
    rationale: "Without a primary key rows cannot be addressed one by one: duplicates creep in, \
                ORMs and admin tools cannot update a single row, logical replication cannot \
                replicate UPDATE and DELETE, and nothing can reference the table. Views, \
                foreign tables and partitions are skipped (partitions inherit their parent's key).",
    fix: "Promote an existing unique key on NOT NULL columns to the primary key, or add a \
          surrogate key column.",
    options: &[],
    example_bad: "CREATE TABLE app.page_views (path text NOT NULL, viewed_at timestamptz NOT NULL);",
    example_good: "CREATE TABLE app.page_views (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    \
                   path text NOT NULL,\n    viewed_at timestamptz NOT NULL\n);",
    check: no_primary_key,
};

fn no_primary_key(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() || ctx.table.primary_key.is_some() {
        return;
    }
    let table = ctx.table;
    let promotable = table.uniques.iter().find(|u| {
        u.columns
            .iter()
            .all(|c| table.column(c).is_some_and(|col| !col.nullable))
    });
    let hint = match (promotable, ctx.dialect()) {
        (Some(unique), _) => format!(
            "promote the unique key: ALTER TABLE {} ADD PRIMARY KEY ({});",
            ctx.table_sql(),
            ctx.idents(&unique.columns)
        ),
        (None, Dialect::Postgres) => format!(
            "ALTER TABLE {} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;",
            ctx.table_sql()
        ),
        (None, Dialect::Mysql) => format!(
            "ALTER TABLE {} ADD COLUMN id bigint AUTO_INCREMENT PRIMARY KEY;",
            ctx.table_sql()
        ),
        (None, Dialect::Sqlite) => format!(
            "rebuild {} with a column id INTEGER PRIMARY KEY (SQLite cannot add a primary key to a table)",
            ctx.table_sql()
        ),
    };
    out.on_table(format!("table {} has no primary key", ctx.name), hint);
}

pub(super) const FK_WITHOUT_INDEX: RuleInfo = RuleInfo {
    id: "fk-without-index",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Every foreign key has an index whose leading columns are the key's columns.",
    rationale: "PostgreSQL does not index the referencing side of a foreign key. Without an \
                index every DELETE or key UPDATE on the parent scans the whole child table \
                (under a lock), ON DELETE CASCADE becomes a sequential scan per parent row, and \
                the join from parent to children cannot use an index. An index counts when its \
                first columns are the foreign key's columns in any order, has no WHERE \
                predicate, and is a B-tree (or a hash index on a one-column key); primary key \
                and unique indexes count. MySQL's InnoDB creates such an index itself.",
    fix: "Create an index on the foreign key columns (or reorder an existing composite index \
          so they come first).",
    options: &[],
    example_bad: "CREATE TABLE app.orgs (id bigint PRIMARY KEY);\n\
                  CREATE TABLE app.users (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES app.orgs (id));",
    example_good: "CREATE TABLE app.orgs (id bigint PRIMARY KEY);\n\
                   CREATE TABLE app.users (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES app.orgs (id));\n\
                   CREATE INDEX users_org_id_idx ON app.users (org_id);",
    check: fk_without_index,
};

fn fk_without_index(ctx: &TableContext, out: &mut Findings) {
    for fk in &ctx.table.foreign_keys {
        if ctx.has_index_leading_with(&fk.columns) {
            continue;
        }
        out.on_named(
            ObjectKind::ForeignKey,
            ctx.foreign_key_label(fk),
            fk.comment.as_deref(),
            format!(
                "foreign key {} has no index starting with its columns",
                ctx.describe_foreign_key(fk)
            ),
            ctx.create_index_sql(&fk.columns),
        );
    }
}

pub(super) const DUPLICATE_INDEX: RuleInfo = RuleInfo {
    id: "duplicate-index",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "No two indexes of a table have the same keys, method and predicate.",
    rationale: "Two indexes with the same keys (same columns or expressions, same order and \
                direction), the same access method and the same WHERE predicate answer the \
                same queries. The second one only costs: every write updates both, and both \
                take space and cache. The index reported is the one to drop: an index behind a \
                constraint, then a unique index, then one with more INCLUDE columns is kept \
                over the other; between equals the first by name is kept.",
    fix: "Drop the duplicate.",
    options: &[],
    example_bad: "CREATE TABLE app.accounts (id bigint PRIMARY KEY, slug text NOT NULL UNIQUE);\n\
                  CREATE INDEX accounts_slug_idx ON app.accounts (slug);",
    example_good: "CREATE TABLE app.accounts (id bigint PRIMARY KEY, slug text NOT NULL UNIQUE);",
    check: duplicate_index,
};

fn duplicate_index(ctx: &TableContext, out: &mut Findings) {
    let indexes = &ctx.table.indexes;
    let same = |a: &Index, b: &Index| {
        a.method == b.method && a.keys == b.keys && a.predicate == b.predicate
    };
    // What is kept when two indexes are the same; ties go to the first by name.
    let rank = |index: &Index| {
        let backs_primary_key = ctx
            .table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.name.is_some() && pk.name == index.constraint);
        (
            backs_primary_key,
            index.constraint.is_some(),
            index.unique,
            index.include.len(),
        )
    };
    for (i, index) in indexes.iter().enumerate() {
        let kept = indexes
            .iter()
            .enumerate()
            .filter(|(_, other)| same(index, other))
            .max_by(|(a_at, a), (b_at, b)| rank(a).cmp(&rank(b)).then(b_at.cmp(a_at)));
        let Some((kept_at, kept)) = kept else {
            continue;
        };
        if kept_at == i {
            continue;
        }
        out.on_index(
            index,
            format!(
                "index {} on {} duplicates {}: same keys ({}), method and predicate",
                index.name,
                ctx.name,
                kept.name,
                ctx.index_keys_sql(index)
            ),
            ctx.drop_index_sql(index),
        );
    }
}

pub(super) const REDUNDANT_INDEX: RuleInfo = RuleInfo {
    id: "redundant-index",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "No B-tree index's keys are a leading part of another B-tree index's keys.",
    rationale: "A B-tree on `(a, b)` serves every lookup and sort a B-tree on `(a)` serves, so \
                the shorter one only slows writes and takes space. Reported only when both are \
                B-trees without a WHERE predicate, the shorter one is not unique and backs no \
                constraint (a unique index enforces something the longer one does not), its \
                keys equal the longer one's first keys (same direction), and its INCLUDE \
                columns are all in the longer one.",
    fix: "Drop the shorter index.",
    options: &[],
    example_bad: "CREATE TABLE app.tokens (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, platform text NOT NULL);\n\
                  CREATE INDEX tokens_tenant_idx ON app.tokens (tenant_id);\n\
                  CREATE INDEX tokens_tenant_platform_idx ON app.tokens (tenant_id, platform);",
    example_good: "CREATE TABLE app.tokens (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, platform text NOT NULL);\n\
                   CREATE INDEX tokens_tenant_platform_idx ON app.tokens (tenant_id, platform);",
    check: redundant_index,
};

fn redundant_index(ctx: &TableContext, out: &mut Findings) {
    let plain_btree = |i: &Index| i.method == "btree" && i.predicate.is_none();
    for index in &ctx.table.indexes {
        if !plain_btree(index) || index.unique || index.constraint.is_some() {
            continue;
        }
        let longer = ctx.table.indexes.iter().find(|other| {
            plain_btree(other)
                && other.keys.len() > index.keys.len()
                && other.keys.starts_with(&index.keys)
                && index.include.iter().all(|column| {
                    other.include.contains(column)
                        || other
                            .key_columns()
                            .is_some_and(|keys| keys.contains(&column.as_str()))
                })
        });
        let Some(longer) = longer else { continue };
        out.on_index(
            index,
            format!(
                "index {} on {} ({}) is redundant: its keys lead index {} ({})",
                index.name,
                ctx.name,
                ctx.index_keys_sql(index),
                longer.name,
                ctx.index_keys_sql(longer)
            ),
            ctx.drop_index_sql(index),
        );
    }
}

pub(super) const DUPLICATE_RELATION: RuleInfo = RuleInfo {
    id: "duplicate-relation",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "No two relations of a table link the same columns to the same parent columns.",
    rationale: "Two foreign keys over the same columns to the same target check the same thing \
                twice on every write, and draw two edges in the diagram; a virtual relation in \
                carta.toml that repeats a declared foreign key is left over from before the key \
                existed. The later one (virtual relations come after foreign keys) is reported.",
    fix: "Drop the duplicate foreign key, or remove the `[[relations]]` entry from carta.toml.",
    options: &[],
    example_bad: "CREATE TABLE app.orgs (id bigint PRIMARY KEY);\n\
                  CREATE TABLE app.users (\n    id bigint PRIMARY KEY,\n    org_id bigint NOT NULL,\n    \
                  CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES app.orgs (id),\n    \
                  CONSTRAINT users_org_fk2 FOREIGN KEY (org_id) REFERENCES app.orgs (id)\n);",
    example_good: "CREATE TABLE app.orgs (id bigint PRIMARY KEY);\n\
                   CREATE TABLE app.users (\n    id bigint PRIMARY KEY,\n    org_id bigint NOT NULL,\n    \
                   CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES app.orgs (id)\n);",
    check: duplicate_relation,
};

fn duplicate_relation(ctx: &TableContext, out: &mut Findings) {
    let outgoing: Vec<&Relation> = ctx.relations.outgoing(ctx.name).collect();
    for (at, relation) in outgoing.iter().enumerate() {
        let Some(first) = outgoing[..at].iter().find(|earlier| {
            earlier.to == relation.to && column_pairs(earlier) == column_pairs(relation)
        }) else {
            continue;
        };
        let (label, comment) = match &relation.name {
            Some(name) => (
                name.clone(),
                ctx.table
                    .foreign_keys
                    .iter()
                    .find(|fk| fk.name.as_ref() == Some(name))
                    .and_then(|fk| fk.comment.as_deref()),
            ),
            None => (format!("({})", relation.from_columns.join(", ")), None),
        };
        let hint = match (relation.kind, &relation.name) {
            (RelationKind::ForeignKey, Some(name)) => format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                ctx.table_sql(),
                ctx.ident(name)
            ),
            (RelationKind::ForeignKey, None) => format!(
                "rebuild {} without the second foreign key ({})",
                ctx.table_sql(),
                relation.from_columns.join(", ")
            ),
            (RelationKind::Virtual, _) => format!(
                "remove the [[relations]] entry for {} ({}) from carta.toml",
                ctx.name,
                relation.from_columns.join(", ")
            ),
        };
        out.on_named(
            ObjectKind::ForeignKey,
            label.clone(),
            comment,
            format!(
                "{} {label} ({}) -> {} ({}) duplicates {}",
                relation_kind_name(relation.kind),
                relation.from_columns.join(", "),
                relation.to,
                relation.to_columns.join(", "),
                describe_relation(first)
            ),
            hint,
        );
    }
}

/// The column pairs a relation links, in a canonical order.
fn column_pairs(relation: &Relation) -> Vec<(&String, &String)> {
    let mut pairs: Vec<_> = relation
        .from_columns
        .iter()
        .zip(&relation.to_columns)
        .collect();
    pairs.sort();
    pairs
}

fn relation_kind_name(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::ForeignKey => "foreign key",
        RelationKind::Virtual => "virtual relation",
    }
}

fn describe_relation(relation: &Relation) -> String {
    match &relation.name {
        Some(name) => format!("{} {name}", relation_kind_name(relation.kind)),
        None => format!(
            "{} ({})",
            relation_kind_name(relation.kind),
            relation.from_columns.join(", ")
        ),
    }
}

pub(super) const FK_TYPE_MISMATCH: RuleInfo = RuleInfo {
    id: "fk-type-mismatch",
    category: Category::Design,
    default_severity: Severity::Error,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Foreign key columns have the type of the columns they reference.",
    rationale: "A foreign key column of another type than its target forces a cast in every \
                join (which can keep indexes from being used), and a narrower one eventually \
                rejects valid parent keys: an `integer` column referencing a `bigint` key \
                fails once the parent passes 2^31. Types are compared as logical types: integer \
                widths or signedness that differ are reported; character columns only when the \
                referencing column is narrower (a shorter `varchar(n)`, or bounded against an \
                unbounded target), since a wider one accepts every parent value; any other \
                difference in kind (uuid against text, another enum type, another numeric \
                precision) is reported.",
    fix: "Change the referencing column to the referenced column's type.",
    options: &[],
    example_bad: "CREATE TABLE app.orgs (id bigint PRIMARY KEY);\n\
                  CREATE TABLE app.users (id bigint PRIMARY KEY, org_id integer NOT NULL REFERENCES app.orgs (id));",
    example_good: "CREATE TABLE app.orgs (id bigint PRIMARY KEY);\n\
                   CREATE TABLE app.users (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES app.orgs (id));",
    check: fk_type_mismatch,
};

fn fk_type_mismatch(ctx: &TableContext, out: &mut Findings) {
    for fk in &ctx.table.foreign_keys {
        let Some(parent) = ctx.catalog.table(&fk.referenced_table) else {
            continue;
        };
        for (child_name, parent_name) in fk.columns.iter().zip(&fk.referenced_columns) {
            let (Some(child), Some(target)) =
                (ctx.table.column(child_name), parent.column(parent_name))
            else {
                continue;
            };
            let Some(reason) = type_difference(&child.logical_type, &target.logical_type) else {
                continue;
            };
            out.on_column(
                child,
                format!(
                    "column {}.{} ({}) references {}.{} ({}): {reason}",
                    ctx.name,
                    child.name,
                    child.data_type,
                    fk.referenced_table,
                    target.name,
                    target.data_type
                ),
                ctx.alter_type_sql(child, &target.data_type, None),
            );
        }
    }
}

/// Why a referencing column's type does not fit the referenced column's, if it does not.
fn type_difference(child: &LogicalType, parent: &LogicalType) -> Option<String> {
    match (child, parent) {
        (
            LogicalType::Integer {
                bits: child_bits,
                unsigned: child_unsigned,
            },
            LogicalType::Integer {
                bits: parent_bits,
                unsigned: parent_unsigned,
            },
        ) => {
            if child_bits != parent_bits {
                Some(format!(
                    "integer widths differ ({child_bits} against {parent_bits} bits)"
                ))
            } else if child_unsigned != parent_unsigned {
                Some("one is unsigned and the other is not".to_string())
            } else {
                None
            }
        }
        (
            LogicalType::Text {
                max_length: child_length,
                ..
            },
            LogicalType::Text {
                max_length: parent_length,
                ..
            },
        ) => match (child_length, parent_length) {
            (Some(c), None) => Some(format!(
                "it holds at most {c} characters, the referenced column any length"
            )),
            (Some(c), Some(p)) if c < p => Some(format!(
                "it holds at most {c} characters, the referenced column {p}"
            )),
            _ => None,
        },
        (child, parent) if child != parent => Some("the types differ".to_string()),
        _ => None,
    }
}

pub(super) const NULLABLE_OWNED_FK: RuleInfo = RuleInfo {
    id: "nullable-owned-fk",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Foreign keys whose parent is clearly required are NOT NULL.",
    rationale: "ON DELETE CASCADE says the child is owned by its parent: it is deleted with it, \
                so it has no meaning without one. A tenant column says which tenant a row \
                belongs to; a row without one is invisible to row-level security and belongs \
                to nobody. Either way a nullable column lets the database store rows the \
                design says cannot exist. A nullable tenant foreign key with ON DELETE SET NULL \
                is left alone: the design then wants the row to outlive its tenant (audit \
                trails).",
    fix: "Make the foreign key columns NOT NULL (after deleting or fixing the orphans).",
    options: &[OptionInfo {
        name: "tenant_columns",
        kind: OptionKind::Names,
        default: r#"["organization_id", "org_id", "tenant_id", "workspace_id"]"#,
        doc: "Columns that name the tenant a row belongs to.",
    }],
    example_bad: "CREATE TABLE app.runs (id bigint PRIMARY KEY);\n\
                  CREATE TABLE app.steps (id bigint PRIMARY KEY, run_id bigint REFERENCES app.runs (id) ON DELETE CASCADE);",
    example_good: "CREATE TABLE app.runs (id bigint PRIMARY KEY);\n\
                   CREATE TABLE app.steps (id bigint PRIMARY KEY, run_id bigint NOT NULL REFERENCES app.runs (id) ON DELETE CASCADE);",
    check: nullable_owned_fk,
};

fn nullable_owned_fk(ctx: &TableContext, out: &mut Findings) {
    let tenant_columns = ctx.options.names("tenant_columns");
    for fk in &ctx.table.foreign_keys {
        let nullable: Vec<&Column> = fk
            .columns
            .iter()
            .filter_map(|c| ctx.table.column(c))
            .filter(|c| c.nullable)
            .collect();
        let Some(first) = nullable.first() else {
            continue;
        };
        let tenant = nullable.iter().find(|c| {
            tenant_columns
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&c.name))
        });
        let why = match (fk.on_delete, tenant) {
            (ReferentialAction::Cascade, _) => format!(
                "is ON DELETE CASCADE (the parent owns the row) but {} is nullable, so a row can exist without a parent",
                first.name
            ),
            (ReferentialAction::SetNull, _) | (_, None) => continue,
            (_, Some(tenant)) => format!(
                "names the tenant but {} is nullable, so a row can belong to no tenant",
                tenant.name
            ),
        };
        let hint = nullable
            .iter()
            .map(|c| ctx.set_not_null_sql(c))
            .collect::<Vec<_>>()
            .join(" ");
        out.on_named(
            ObjectKind::ForeignKey,
            ctx.foreign_key_label(fk),
            fk.comment.as_deref(),
            format!("foreign key {} {why}", ctx.describe_foreign_key(fk)),
            hint,
        );
    }
}

pub(super) const SOFT_DELETE_UNIQUE: RuleInfo = RuleInfo {
    id: "soft-delete-unique",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Unique keys of soft-deleted tables leave deleted rows out.",
    rationale: "A table with a soft-delete column (`deleted_at`) keeps deleted rows. A unique \
                constraint or index over all rows then still counts them: once a user with \
                e-mail x is deleted, nobody can sign up with x again, and restoring conflicts \
                surface at random. The unique key should cover live rows only, a partial unique \
                index `WHERE deleted_at IS NULL`. A unique key whose predicate mentions the \
                column, or that includes it with NULLS NOT DISTINCT, is fine. The primary key \
                is not checked.",
    fix: "Replace the unique constraint or index by a partial unique index `WHERE deleted_at \
          IS NULL`.",
    options: &[OptionInfo {
        name: "columns",
        kind: OptionKind::Names,
        default: r#"["deleted_at"]"#,
        doc: "Columns that mark a row as soft-deleted; a table with any of them is checked.",
    }],
    example_bad: "CREATE TABLE app.members (\n    id bigint PRIMARY KEY,\n    email text NOT NULL UNIQUE,\n    \
                  deleted_at timestamptz\n);",
    example_good: "CREATE TABLE app.members (\n    id bigint PRIMARY KEY,\n    email text NOT NULL,\n    \
                   deleted_at timestamptz\n);\n\
                   CREATE UNIQUE INDEX members_email_key ON app.members (email) WHERE deleted_at IS NULL;",
    check: soft_delete_unique,
};

fn soft_delete_unique(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    let Some(marker) = ctx.options.names("columns").iter().find_map(|name| {
        ctx.table
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }) else {
        return;
    };
    for key in ctx.unique_keys() {
        if key.predicate.is_some_and(|p| mentions(p, &marker.name))
            || (key.nulls_not_distinct && key.columns.contains(&marker.name.as_str()))
        {
            continue;
        }
        let condition = format!("WHERE {} IS NULL", ctx.ident(&marker.name));
        let replacement = format!(
            "CREATE UNIQUE INDEX {} ON {} ({}) {condition};",
            ctx.ident(key.name),
            ctx.table_sql(),
            key.keys_sql
        );
        out.on_named(
            key.kind,
            key.name.to_string(),
            key.comment,
            format!(
                "unique {} {} ({}) of {} also counts rows soft-deleted through {}: a deleted row still blocks its values",
                key.kind_name(),
                key.name,
                key.keys_sql,
                ctx.name,
                marker.name
            ),
            format!("{} {replacement}", key.drop_sql),
        );
    }
}

pub(super) const STATUS_WITHOUT_CHECK: RuleInfo = RuleInfo {
    id: "status-column-without-check",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Status-like text columns have a closed list of values.",
    rationale: "Columns named like `status`, `state`, `kind`, `type`, `role` hold a small fixed \
                vocabulary that code branches on. As free text they accept typos and casing \
                variants (`Active`, `actve`) that no query expects. A CHECK constraint that \
                mentions the column, an enum or domain type, or a foreign key to a lookup table \
                closes the list.",
    fix:
        "Add `CHECK (status IN (...))`, or use an enum type or a foreign key to a table of values.",
    options: &[OptionInfo {
        name: "names",
        kind: OptionKind::Patterns,
        default: r#"["status", "state", "kind", "type", "role", "*_status", "*_type"]"#,
        doc: "Globs of column names that hold a vocabulary.",
    }],
    example_bad: "CREATE TABLE app.jobs (id bigint PRIMARY KEY, status text NOT NULL);",
    example_good: "CREATE TABLE app.jobs (\n    id bigint PRIMARY KEY,\n    \
                   status text NOT NULL CHECK (status IN ('queued', 'running', 'done'))\n);",
    check: status_without_check,
};

fn status_without_check(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    let table = ctx.table;
    for column in &table.columns {
        let closed = !matches!(column.logical_type, LogicalType::Text { .. })
            || is_domain(ctx.catalog, &column.data_type)
            || table
                .checks
                .iter()
                .any(|c| mentions(&c.expression, &column.name))
            || table
                .foreign_keys
                .iter()
                .any(|fk| fk.columns.contains(&column.name));
        if closed || !ctx.options.matches("names", &column.name) {
            continue;
        }
        out.on_column(
            column,
            format!(
                "column {}.{} is free text ({}) with no CHECK, enum or foreign key limiting its values",
                ctx.name, column.name, column.data_type
            ),
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IN ({}, ...));",
                ctx.table_sql(),
                ctx.ident(&format!("{}_{}_check", table.name, column.name)),
                ctx.ident(&column.name),
                literal("value")
            ),
        );
    }
}

/// Whether a type spelling names a domain of the Catalog (`app.email` or `email`).
fn is_domain(catalog: &Catalog, data_type: &str) -> bool {
    let spelled = data_type.replace('"', "");
    catalog.schemas.iter().any(|schema| {
        schema
            .domains
            .iter()
            .any(|d| spelled == d.name || spelled == format!("{}.{}", schema.name, d.name))
    })
}

pub(super) const TIMESTAMP_WITHOUT_TIME_ZONE: RuleInfo = RuleInfo {
    id: "timestamp-without-time-zone",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Points in time are stored with their time zone.",
    rationale: "A `timestamp without time zone` (MySQL `DATETIME`) stores a wall-clock reading, \
                not an instant: which instant it means depends on a zone that is not recorded, \
                so values written by servers or sessions in different zones, or across a \
                daylight-saving change, silently disagree. `timestamptz` stores the instant \
                and converts on the way in and out. Columns of views and partitions are skipped.",
    fix: "PostgreSQL: change the column to `timestamptz`, converting with `AT TIME ZONE` the zone \
          the values were written in. MySQL and SQLite: store UTC and say so in the column comment.",
    options: &[],
    example_bad: "CREATE TABLE app.plugins (id bigint PRIMARY KEY, created_at timestamp NOT NULL DEFAULT now());",
    example_good: "CREATE TABLE app.plugins (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());",
    check: timestamp_without_time_zone,
};

fn timestamp_without_time_zone(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    for column in &ctx.table.columns {
        if column.logical_type
            != (LogicalType::Timestamp {
                with_time_zone: false,
            })
        {
            continue;
        }
        let hint = match ctx.dialect() {
            Dialect::Postgres => ctx.alter_type_sql(
                column,
                "timestamptz",
                Some(&format!("{} AT TIME ZONE 'UTC'", ctx.ident(&column.name))),
            ),
            Dialect::Mysql => format!(
                "store UTC in {}.{} and say so in its comment, or use TIMESTAMP (kept in UTC, but only until 2038)",
                ctx.table_sql(),
                ctx.ident(&column.name)
            ),
            Dialect::Sqlite => format!(
                "store UTC in {}.{} as ISO 8601 text ending in Z, and say so in its comment",
                ctx.table_sql(),
                ctx.ident(&column.name)
            ),
        };
        out.on_column(
            column,
            format!(
                "column {}.{} is {}: the instant it means depends on a time zone that is not stored",
                ctx.name, column.name, column.data_type
            ),
            hint,
        );
    }
}

pub(super) const NAMING_CONVENTION: RuleInfo = RuleInfo {
    id: "naming-convention",
    category: Category::Design,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Table and column names follow one case style, and table names one number.",
    rationale: "Mixed conventions (`UserAccounts` next to `order_items`, `user` next to `orders`) \
                make every query a guess, and in PostgreSQL names with capitals must be quoted \
                forever. `case` checks every table, view and column name; `tables` checks \
                whether the last word of each table's name is plural or singular, by a simple \
                English heuristic: a word ending in `s` (but not `ss`, `us` or `is`) is plural, \
                as are people, children, men and women; uncountable words (data, metadata, \
                feedback, information, media, news, series, software, staff, equipment) pass \
                both ways. Views and partitions are not checked for number.",
    fix: "Rename the table or column (and the code that uses it), or set the options to the \
          convention the schema follows.",
    options: &[
        OptionInfo {
            name: "case",
            kind: OptionKind::Choice(&["snake", "camel", "pascal"]),
            default: r#""snake""#,
            doc: "`snake` (`order_items`), `camel` (`orderItems`) or `pascal` (`OrderItems`).",
        },
        OptionInfo {
            name: "tables",
            kind: OptionKind::Choice(&["plural", "singular", "any"]),
            default: r#""any""#,
            doc: "Whether table names end in a plural or a singular word, or either.",
        },
    ],
    example_bad: "CREATE TABLE app.\"OrderItems\" (id bigint PRIMARY KEY, \"unitPrice\" numeric);",
    example_good: "CREATE TABLE app.order_items (id bigint PRIMARY KEY, unit_price numeric);",
    check: naming_convention,
};

fn naming_convention(ctx: &TableContext, out: &mut Findings) {
    let Some(case) = naming::Case::parse(ctx.options.choice("case")) else {
        return;
    };
    let table = ctx.table;
    let rename = |to: &str| {
        format!(
            "ALTER TABLE {} RENAME TO {};",
            ctx.table_sql(),
            ctx.ident(to)
        )
    };
    if !case.accepts(&table.name) {
        let renamed = case.convert(&table.name);
        out.on_table(
            format!("name of {} is not {}", ctx.name, case.name()),
            rename(&renamed),
        );
    }
    let number = naming::Number::parse(ctx.options.choice("tables"));
    if let Some(number) = number.filter(|_| ctx.is_base_table()) {
        if let Some(renamed) = number.rename(&table.name) {
            out.on_table(
                format!("name of table {} is not {}", ctx.name, number.name()),
                rename(&case.convert(&renamed)),
            );
        }
    }
    for column in table.columns.iter().filter(|c| !case.accepts(&c.name)) {
        out.on_column(
            column,
            format!(
                "name of column {}.{} is not {}",
                ctx.name,
                column.name,
                case.name()
            ),
            format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {};",
                ctx.table_sql(),
                ctx.ident(&column.name),
                ctx.ident(&case.convert(&column.name))
            ),
        );
    }
}
