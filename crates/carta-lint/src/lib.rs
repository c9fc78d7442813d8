//! Schema design checks: `carta lint`.
//!
//! [`lint`] runs every enabled rule of [`rules()`] over a [`Catalog`] and its
//! [`RelationGraph`] and returns a [`Report`] of [`Finding`]s. Rules are in
//! three [`Category`]s (documentation, design, security); each has a stable
//! kebab-case id, a default [`Severity`] and optional per-rule options, all
//! listed with rationale and examples in `docs/lint-rules.md` (generated from
//! [`rules()`] by [`rules_markdown`]). No I/O: the caller reads the schema
//! and the `[lint]` section of `carta.toml` into a [`LintConfig`].
//!
//! # Silencing
//!
//! - A comment on a table, column, index, constraint, trigger or policy that
//!   contains `carta:ignore` silences every rule for that object;
//!   `carta:ignore rule-a, rule-b` silences only those rules. A table's
//!   comment covers the table and everything in it. Silenced findings are
//!   counted in [`Report::suppressed`].
//! - [`LintConfig::exclude`] skips tables for every rule,
//!   [`RuleSetting::exclude`] for one rule. Patterns are globs (`*`, `?`)
//!   matched against `schema.table` when they contain a dot, else against
//!   the bare table name, as in `carta.toml`'s `include`/`exclude`.
//!
//! # JSON output
//!
//! [`render_json`] writes pretty JSON with a trailing newline:
//!
//! ```text
//! {
//!   "version": 1,
//!   "findings": [
//!     {
//!       "rule": "fk-without-index",
//!       "severity": "warning",                 // info | warning | error
//!       "category": "design",                  // documentation | design | security
//!       "object": {
//!         "kind": "foreign_key",               // schema, table, view, column, index, constraint,
//!                                              // foreign_key, trigger, policy
//!         "schema": "orko",
//!         "table": "users",                    // absent for schema-level objects
//!         "name": "users_org_id_fkey",         // absent for a table itself
//!         "path": "orko.users.users_org_id_fkey"
//!       },
//!       "message": "foreign key users_org_id_fkey (org_id) -> orko.orgs (id) has no index starting with its columns",
//!       "hint": "CREATE INDEX ON orko.users (org_id);"
//!     }
//!   ],
//!   "summary": { "errors": 0, "warnings": 1, "infos": 0, "suppressed": 0, "rules_run": ["table-comment", "..."] }
//! }
//! ```
//!
//! `version` changes only on an incompatible change of this shape. Findings
//! are sorted by object (schema, table, object kind, name), then rule id.

mod config;
mod docs;
mod render;
mod rules;
mod suppress;

pub use config::{LintConfig, LintConfigError, RuleSetting};
pub use docs::rules_markdown;
pub use render::{render_json, render_sarif, render_text, SourceSpot};
pub use rules::{rule, rules, OptionInfo, OptionKind, RuleInfo};

use carta_catalog::{Catalog, QualifiedName, RelationGraph};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Documentation,
    Design,
    Security,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Documentation => "documentation",
            Category::Design => "design",
            Category::Security => "security",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of schema object a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Schema,
    Table,
    View,
    Column,
    Constraint,
    ForeignKey,
    Index,
    Trigger,
    Policy,
    Enum,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Schema => "schema",
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::Column => "column",
            ObjectKind::Constraint => "constraint",
            ObjectKind::ForeignKey => "foreign_key",
            ObjectKind::Index => "index",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Policy => "policy",
            ObjectKind::Enum => "enum",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The object a finding is about: `schema`, `schema.table` or
/// `schema.table.name` (a column, index, constraint, trigger or policy).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ObjectRef {
    fn sort_key(&self) -> (&str, Option<&str>, ObjectKind, Option<&str>) {
        (
            &self.schema,
            self.table.as_deref(),
            self.kind,
            self.name.as_deref(),
        )
    }
}

/// Ordered by schema, table, kind, then name, so a table's own findings
/// come before its columns' and each kind of child stays together.
impl Ord for ObjectRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for ObjectRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.schema)?;
        for part in [&self.table, &self.name].into_iter().flatten() {
            write!(f, ".{part}")?;
        }
        Ok(())
    }
}

/// One problem found by one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub object: ObjectRef,
    /// Names the object and the fact, e.g. "foreign key fk_x (org_id) -> orko.orgs (id) has no index ...".
    pub message: String,
    /// The fix, as concrete as the Catalog allows (often SQL).
    pub hint: String,
}

/// The outcome of [`lint`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Sorted by object, then rule, then message: deterministic.
    pub findings: Vec<Finding>,
    /// Ids of the rules that ran, in [`rules()`] order.
    pub rules_run: Vec<&'static str>,
    /// Findings silenced by `carta:ignore` comments.
    pub suppressed: usize,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Runs every enabled rule over every table not excluded.
///
/// Fails only on configuration [`LintConfig::validate`] rejects.
pub fn lint(
    catalog: &Catalog,
    relations: &RelationGraph,
    config: &LintConfig,
) -> Result<Report, LintConfigError> {
    let plan = config.plan()?;
    let active: Vec<_> = plan
        .rules
        .iter()
        .filter(|r| r.info.applies_to(catalog.dialect))
        .collect();
    let mut report = Report {
        rules_run: active.iter().map(|r| r.info.id).collect(),
        ..Report::default()
    };
    for (schema, table) in catalog.tables() {
        let name = QualifiedName::new(&schema.name, &table.name);
        if plan.exclude.matches(&name) {
            continue;
        }
        for rule in &active {
            if rule.exclude.matches(&name) {
                continue;
            }
            let context = rules::TableContext {
                catalog,
                relations,
                table,
                name: &name,
                options: &rule.options,
            };
            let mut out = rules::Findings::new(rule.info, rule.severity, schema, table);
            (rule.info.check)(&context, &mut out);
            report.suppressed += out.suppressed;
            report.findings.extend(out.found);
        }
    }
    report
        .findings
        .sort_by(|a, b| (&a.object, a.rule, &a.message).cmp(&(&b.object, b.rule, &b.message)));
    Ok(report)
}

#[cfg(test)]
mod tests;
