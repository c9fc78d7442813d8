//! The rule registry and what every rule shares: the table being checked,
//! the sink its findings go to, and SQL spelling helpers for hints.

mod design;
mod documentation;
mod naming;
mod security;

use crate::config::OptionValues;
use crate::suppress::Ignore;
use crate::{Category, Finding, ObjectKind, ObjectRef, Severity};
use carta_catalog::{
    Catalog, Column, Dialect, ForeignKey, Index, IndexKey, Policy, QualifiedName, RelationGraph,
    Schema, Table, TableKind, Trigger,
};
use std::fmt;

/// A rule's description. One per rule, `'static`.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable kebab-case id, e.g. `fk-without-index`.
    pub id: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// Whether the rule runs when the configuration does not mention it.
    pub enabled_by_default: bool,
    /// Runs on PostgreSQL Catalogs only (row-level security is PostgreSQL's).
    pub postgres_only: bool,
    /// One line.
    pub summary: &'static str,
    /// Why it matters, one paragraph.
    pub rationale: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    pub options: &'static [OptionInfo],
    /// PostgreSQL DDL the rule reports (with its default options).
    pub example_bad: &'static str,
    /// The same schema fixed: the rule stays quiet.
    pub example_good: &'static str,
    pub(crate) check: Check,
}

impl RuleInfo {
    pub(crate) fn applies_to(&self, dialect: Dialect) -> bool {
        !self.postgres_only || dialect == Dialect::Postgres
    }
}

pub(crate) type Check = fn(&TableContext, &mut Findings);

/// One option of a rule.
#[derive(Debug)]
pub struct OptionInfo {
    pub name: &'static str,
    pub kind: OptionKind,
    /// The default as JSON, e.g. `50` or `["deleted_at"]`.
    pub default: &'static str,
    pub doc: &'static str,
}

/// The values an option accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Integer {
        min: u64,
    },
    /// A list of column names, matched exactly (case-insensitive).
    Names,
    /// A list of globs (`*`, `?`) over names, case-insensitive.
    Patterns,
    /// One of the listed strings.
    Choice(&'static [&'static str]),
}

impl fmt::Display for OptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionKind::Integer { min } => write!(f, "integer, at least {min}"),
            OptionKind::Names => f.write_str("list of column names"),
            OptionKind::Patterns => f.write_str("list of name globs"),
            OptionKind::Choice(choices) => write!(f, "one of {}", choices.join(", ")),
        }
    }
}

static RULES: &[RuleInfo] = &[
    documentation::TABLE_COMMENT,
    documentation::COLUMN_COMMENT,
    documentation::INDEX_COMMENT,
    documentation::CONSTRAINT_COMMENT,
    documentation::TRIGGER_COMMENT,
    documentation::ISOLATED_TABLE,
    documentation::COLUMN_COUNT,
    documentation::REQUIRED_COLUMNS,
    design::NO_PRIMARY_KEY,
    design::FK_WITHOUT_INDEX,
    design::DUPLICATE_INDEX,
    design::REDUNDANT_INDEX,
    design::DUPLICATE_RELATION,
    design::FK_TYPE_MISMATCH,
    design::NULLABLE_OWNED_FK,
    design::SOFT_DELETE_UNIQUE,
    design::STATUS_WITHOUT_CHECK,
    design::TIMESTAMP_WITHOUT_TIME_ZONE,
    design::NAMING_CONVENTION,
    security::PLAINTEXT_SECRET,
    security::TENANT_WITHOUT_RLS,
    security::TENANT_COLUMN_UNINDEXED,
    security::RLS_WITHOUT_POLICY,
    security::POLICY_WITHOUT_RLS,
    security::OVERLAPPING_PERMISSIVE_POLICIES,
];

/// Every rule: documentation, then design, then security rules, in the
/// order of `docs/lint-rules.md`. New rules are added at the end of their category.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// What a rule's check sees: one table, with the whole Catalog around it.
pub(crate) struct TableContext<'a> {
    pub catalog: &'a Catalog,
    pub relations: &'a RelationGraph,
    pub table: &'a Table,
    pub name: &'a QualifiedName,
    pub options: &'a OptionValues,
}

impl TableContext<'_> {
    fn dialect(&self) -> Dialect {
        self.catalog.dialect
    }

    /// A plain table that holds rows: not a view, foreign table or partition
    /// (partitions follow their parent's design).
    fn is_base_table(&self) -> bool {
        matches!(
            self.table.kind,
            TableKind::Table | TableKind::PartitionedTable
        ) && self.table.partition_of.is_none()
    }

    /// The table's name as SQL, quoted where needed.
    fn table_sql(&self) -> String {
        carta_sql::qualified(self.dialect(), self.name)
    }

    fn ident(&self, name: &str) -> String {
        carta_sql::ident(self.dialect(), name)
    }

    fn idents(&self, names: &[String]) -> String {
        carta_sql::ident_list(self.dialect(), names)
    }

    /// `schema.name` of something in the table's schema (an index), as SQL.
    fn schema_object_sql(&self, name: &str) -> String {
        format!(
            "{}.{}",
            carta_sql::ident(self.dialect(), &self.name.schema),
            self.ident(name)
        )
    }

    /// The key of an index as SQL: `email, (lower(name)) DESC`.
    fn index_keys_sql(&self, index: &Index) -> String {
        index
            .keys
            .iter()
            .map(|key| {
                let (text, options) = match key {
                    IndexKey::Column { name, options } => (self.ident(name), options),
                    IndexKey::Expression {
                        expression,
                        options,
                    } => (format!("({expression})"), options),
                };
                if options.descending {
                    format!("{text} DESC")
                } else {
                    text
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `CREATE INDEX ON table (columns);` in the Catalog's dialect.
    fn create_index_sql(&self, columns: &[String]) -> String {
        match self.dialect() {
            Dialect::Postgres => {
                format!(
                    "CREATE INDEX ON {} ({});",
                    self.table_sql(),
                    self.idents(columns)
                )
            }
            Dialect::Mysql | Dialect::Sqlite => format!(
                "CREATE INDEX {} ON {} ({});",
                self.ident(&format!("{}_{}_idx", self.table.name, columns.join("_"))),
                self.table_sql(),
                self.idents(columns)
            ),
        }
    }

    fn drop_index_sql(&self, index: &Index) -> String {
        match (&index.constraint, self.dialect()) {
            (Some(constraint), _) => format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                self.table_sql(),
                self.ident(constraint)
            ),
            (None, Dialect::Mysql) => format!(
                "DROP INDEX {} ON {};",
                self.ident(&index.name),
                self.table_sql()
            ),
            (None, _) => format!("DROP INDEX {};", self.schema_object_sql(&index.name)),
        }
    }

    /// `ALTER TABLE ... ALTER COLUMN ... TYPE ...;` in the Catalog's dialect.
    fn alter_type_sql(&self, column: &Column, new_type: &str, using: Option<&str>) -> String {
        match self.dialect() {
            Dialect::Postgres => format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {new_type}{};",
                self.table_sql(),
                self.ident(&column.name),
                using.map(|u| format!(" USING {u}")).unwrap_or_default()
            ),
            Dialect::Mysql => format!(
                "ALTER TABLE {} MODIFY {} {new_type}{};",
                self.table_sql(),
                self.ident(&column.name),
                if column.nullable { "" } else { " NOT NULL" }
            ),
            Dialect::Sqlite => format!(
                "rebuild {} with {} declared as {new_type} (SQLite cannot alter a column's type)",
                self.table_sql(),
                self.ident(&column.name)
            ),
        }
    }

    /// `ALTER TABLE ... SET NOT NULL` for one column in the Catalog's dialect.
    fn set_not_null_sql(&self, column: &Column) -> String {
        match self.dialect() {
            Dialect::Postgres => format!(
                "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL;",
                self.table_sql(),
                self.ident(&column.name)
            ),
            Dialect::Mysql => format!(
                "ALTER TABLE {} MODIFY {} {} NOT NULL;",
                self.table_sql(),
                self.ident(&column.name),
                column.data_type
            ),
            Dialect::Sqlite => format!(
                "rebuild {} with {} NOT NULL (SQLite cannot alter a column)",
                self.table_sql(),
                self.ident(&column.name)
            ),
        }
    }

    /// Whether some index (or key) of the table finds rows by `columns`:
    /// its first keys are exactly those columns in any order, it covers every
    /// row (no predicate), and its method supports equality lookups.
    fn has_index_leading_with(&self, columns: &[String]) -> bool {
        let leads = |key: &[&str]| {
            key.len() >= columns.len()
                && columns
                    .iter()
                    .all(|c| key[..columns.len()].contains(&c.as_str()))
        };
        let by_index = self.table.indexes.iter().any(|index| {
            let method_fits =
                index.method == "btree" || (index.method == "hash" && columns.len() == 1);
            let leading: Option<Vec<&str>> = index
                .keys
                .iter()
                .take(columns.len())
                .map(|k| match k {
                    IndexKey::Column { name, .. } => Some(name.as_str()),
                    IndexKey::Expression { .. } => None,
                })
                .collect();
            method_fits && index.predicate.is_none() && leading.is_some_and(|key| leads(&key))
        });
        // Sources that list no index behind a key (SQLite's rowid key) still have one.
        let by_key = self
            .table
            .primary_key
            .iter()
            .map(|pk| &pk.columns)
            .chain(self.table.uniques.iter().map(|u| &u.columns))
            .any(|key| leads(&key.iter().map(String::as_str).collect::<Vec<_>>()));
        by_index || by_key
    }

    /// Unique constraints and standalone unique indexes (not the primary key).
    fn unique_keys(&self) -> Vec<UniqueKey<'_>> {
        let constraints = self.table.uniques.iter().filter_map(|u| {
            let name = u.name.as_deref()?;
            Some(UniqueKey {
                kind: ObjectKind::Constraint,
                name,
                comment: u.comment.as_deref(),
                columns: u.columns.iter().map(String::as_str).collect(),
                keys_sql: self.idents(&u.columns),
                predicate: None,
                nulls_not_distinct: u.nulls_not_distinct,
                drop_sql: format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    self.table_sql(),
                    self.ident(name)
                ),
            })
        });
        let indexes = self
            .table
            .indexes
            .iter()
            .filter(|i| i.unique && i.constraint.is_none())
            .map(|i| UniqueKey {
                kind: ObjectKind::Index,
                name: &i.name,
                comment: i.comment.as_deref(),
                columns: i.key_columns().unwrap_or_default(),
                keys_sql: self.index_keys_sql(i),
                predicate: i.predicate.as_deref(),
                nulls_not_distinct: i.nulls_not_distinct,
                drop_sql: self.drop_index_sql(i),
            });
        constraints.chain(indexes).collect()
    }

    fn foreign_key_label(&self, fk: &ForeignKey) -> String {
        fk.name
            .clone()
            .unwrap_or_else(|| format!("({})", fk.columns.join(", ")))
    }

    /// `fk_x (org_id) -> orko.orgs (id)`, for messages.
    fn describe_foreign_key(&self, fk: &ForeignKey) -> String {
        let label = match &fk.name {
            Some(name) => format!("{name} ({})", fk.columns.join(", ")),
            None => format!("({})", fk.columns.join(", ")),
        };
        format!(
            "{label} -> {} ({})",
            fk.referenced_table,
            fk.referenced_columns.join(", ")
        )
    }
}

/// A unique constraint or unique index, seen the same way.
struct UniqueKey<'a> {
    kind: ObjectKind,
    name: &'a str,
    comment: Option<&'a str>,
    /// Plain key columns (expressions left out).
    columns: Vec<&'a str>,
    keys_sql: String,
    predicate: Option<&'a str>,
    nulls_not_distinct: bool,
    drop_sql: String,
}

impl UniqueKey<'_> {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            ObjectKind::Index => "index",
            _ => "constraint",
        }
    }
}

/// Where a rule's findings go: builds the [`ObjectRef`] and applies
/// `carta:ignore` comments of the table and of the object itself.
pub(crate) struct Findings<'a> {
    rule: &'static RuleInfo,
    severity: Severity,
    schema: &'a str,
    table: &'a Table,
    table_ignore: Ignore,
    pub found: Vec<Finding>,
    pub suppressed: usize,
}

impl<'a> Findings<'a> {
    pub fn new(
        rule: &'static RuleInfo,
        severity: Severity,
        schema: &'a Schema,
        table: &'a Table,
    ) -> Self {
        Findings {
            rule,
            severity,
            schema: &schema.name,
            table,
            table_ignore: Ignore::parse(table.comment.as_deref()),
            found: Vec::new(),
            suppressed: 0,
        }
    }

    fn on_table(&mut self, message: String, hint: String) {
        let kind = if self.table.kind.is_view() {
            ObjectKind::View
        } else {
            ObjectKind::Table
        };
        self.push(kind, None, None, message, hint);
    }

    fn on_column(&mut self, column: &Column, message: String, hint: String) {
        self.push(
            ObjectKind::Column,
            Some(column.name.clone()),
            column.comment.as_deref(),
            message,
            hint,
        );
    }

    fn on_index(&mut self, index: &Index, message: String, hint: String) {
        self.push(
            ObjectKind::Index,
            Some(index.name.clone()),
            index.comment.as_deref(),
            message,
            hint,
        );
    }

    /// A constraint or foreign key, by name (or label, for unnamed foreign keys).
    fn on_named(
        &mut self,
        kind: ObjectKind,
        name: String,
        comment: Option<&str>,
        message: String,
        hint: String,
    ) {
        self.push(kind, Some(name), comment, message, hint);
    }

    fn on_trigger(&mut self, trigger: &Trigger, message: String, hint: String) {
        self.push(
            ObjectKind::Trigger,
            Some(trigger.name.clone()),
            trigger.comment.as_deref(),
            message,
            hint,
        );
    }

    fn on_policy(&mut self, policy: &Policy, message: String, hint: String) {
        self.push(
            ObjectKind::Policy,
            Some(policy.name.clone()),
            policy.comment.as_deref(),
            message,
            hint,
        );
    }

    fn push(
        &mut self,
        kind: ObjectKind,
        name: Option<String>,
        own_comment: Option<&str>,
        message: String,
        hint: String,
    ) {
        let id = self.rule.id;
        if self.table_ignore.silences(id) || Ignore::parse(own_comment).silences(id) {
            self.suppressed += 1;
            return;
        }
        self.found.push(Finding {
            rule: id,
            severity: self.severity,
            category: self.rule.category,
            object: ObjectRef {
                kind,
                schema: self.schema.to_string(),
                table: Some(self.table.name.clone()),
                name,
            },
            message,
            hint,
        });
    }
}

/// Whether a comment says something.
fn has_text(comment: &Option<String>) -> bool {
    comment.as_deref().is_some_and(|c| !c.trim().is_empty())
}

/// Whether SQL `expression` mentions identifier `name` as a whole word
/// (bare or double-quoted), e.g. `deleted_at IS NULL` mentions `deleted_at`.
fn mentions(expression: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let lower_expression = expression.to_lowercase();
    let lower_name = name.to_lowercase();
    lower_expression
        .match_indices(&lower_name)
        .any(|(start, found)| {
            let before = lower_expression[..start].chars().next_back();
            let after = lower_expression[start + found.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
}

/// A string literal for hints. Hint texts are plain words, spelled the same in every dialect.
fn literal(text: &str) -> String {
    carta_sql::literal(Dialect::Postgres, text)
}
