//! Security and tenancy rules: secrets at rest and row-level security.

use super::{naming, Findings, OptionInfo, OptionKind, RuleInfo, TableContext};
use crate::{Category, Severity};
use carta_catalog::{Column, LogicalType, Policy, PolicyCommand};

/// The default tenant columns; `nullable-owned-fk` has the same default.
const TENANT_COLUMNS: OptionInfo = OptionInfo {
    name: "columns",
    kind: OptionKind::Names,
    default: r#"["organization_id", "org_id", "tenant_id", "workspace_id"]"#,
    doc: "Columns that name the tenant a row belongs to.",
};

pub(super) const PLAINTEXT_SECRET: RuleInfo = RuleInfo {
    id: "plaintext-secret",
    category: Category::Security,
    default_severity: Severity::Error,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Columns that hold secrets store a hash or ciphertext, not the secret.",
    rationale: "Passwords, API keys, OAuth access and refresh tokens, signing secrets and \
                credentials stored as plain text, JSON or bytes are readable by everyone who \
                can read the table, its backups, replicas and logs; one leak hands out every \
                account. A column looks like a secret when its name contains password, passwd, \
                secret, token, credential, api_key, apikey or private_key. It does not when \
                the name also says it is a hash or ciphertext (hash, digest, encrypted, cipher, \
                a word `enc`), a reference (a word `ref`, `id` or `ids`: `active_token_id` \
                identifies a token, it does not authenticate), a harmless part (`prefix`, \
                `last4`, `type`), or a fact about it (`at`, `count`, `used`, `usage`: \
                `token_expires_at`, `tokens_used`, `token_usage`). Only text, JSON and binary \
                columns are checked; numbers and times cannot hold a secret.",
    fix: "Store a hash (`..._hash`) when the value is only compared, ciphertext (`..._encrypted`, \
          encrypted by the application or pgcrypto) when it must be read back, or keep it in \
          a secret store and store a reference (`..._ref`).",
    options: &[],
    example_bad: "CREATE TABLE app.oauth_tokens (id bigint PRIMARY KEY, access_token text NOT NULL);",
    example_good: "CREATE TABLE app.oauth_tokens (id bigint PRIMARY KEY, access_token_encrypted bytea NOT NULL);",
    check: plaintext_secret,
};

/// Name parts that make a column a secret (matched inside the lower-case name).
const SECRET_MARKERS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "credential",
    "api_key",
    "apikey",
    "private_key",
];

/// Name parts that say the value is protected already (matched inside the name).
const PROTECTED_MARKERS: &[&str] = &["hash", "digest", "encrypted", "cipher"];

/// Whole words that say the column is not the secret itself.
const NOT_SECRET_WORDS: &[&str] = &[
    "enc", "ref", "id", "ids", "prefix", "last4", "type", "at", "count", "used", "usage",
];

/// The marker that makes `name` look like a secret, if it does.
fn secret_marker(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let marker = SECRET_MARKERS.iter().find(|m| lower.contains(*m))?;
    let protected = PROTECTED_MARKERS.iter().any(|m| lower.contains(m))
        || naming::words(name)
            .iter()
            .any(|w| NOT_SECRET_WORDS.contains(&w.as_str()));
    (!protected).then_some(*marker)
}

/// How a column of this type holds its value in the clear, if it can hold a secret.
fn plain_storage(logical: &LogicalType) -> Option<&'static str> {
    match logical {
        LogicalType::Text { .. } => Some("plain text"),
        LogicalType::Json { .. } => Some("plain JSON"),
        LogicalType::Binary { .. } => Some("unencrypted bytes"),
        LogicalType::Array { element } => plain_storage(element),
        _ => None,
    }
}

fn plaintext_secret(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    for column in &ctx.table.columns {
        let (Some(marker), Some(storage)) = (
            secret_marker(&column.name),
            plain_storage(&column.logical_type),
        ) else {
            continue;
        };
        let name = &column.name;
        out.on_column(
            column,
            format!(
                "column {}.{name} looks like a secret (its name contains \"{marker}\") and is stored as {storage} ({})",
                ctx.name, column.data_type
            ),
            format!(
                "store a hash ({name}_hash) if the value is only compared, ciphertext ({name}_encrypted) if it must be read back, or a reference to a secret store ({name}_ref)"
            ),
        );
    }
}

pub(super) const TENANT_WITHOUT_RLS: RuleInfo = RuleInfo {
    id: "tenant-without-rls",
    category: Category::Security,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: true,
    summary: "Tables with a tenant column have row-level security enabled.",
    rationale: "In a multi-tenant schema a tenant column (`organization_id`, `tenant_id`, ...) \
                means every query must filter by it. Without row-level security that filter \
                lives only in application code, and one forgotten WHERE clause shows one \
                tenant's rows to another. A policy comparing the column with the current tenant \
                makes the database enforce it. Views and partitions are skipped (a partition \
                is reached through its parent's policies).",
    fix: "Enable row-level security and add a policy that compares the tenant column with the \
          tenant of the session.",
    options: &[TENANT_COLUMNS],
    example_bad: "CREATE TABLE app.projects (id bigint PRIMARY KEY, org_id bigint NOT NULL);\n\
                  CREATE INDEX projects_org_id_idx ON app.projects (org_id);",
    example_good: "CREATE TABLE app.projects (id bigint PRIMARY KEY, org_id bigint NOT NULL);\n\
                   CREATE INDEX projects_org_id_idx ON app.projects (org_id);\n\
                   ALTER TABLE app.projects ENABLE ROW LEVEL SECURITY;\n\
                   CREATE POLICY tenant_isolation ON app.projects USING (org_id = current_setting('app.tenant')::bigint);",
    check: tenant_without_rls,
};

/// The table's first tenant column, if it has one.
fn tenant_column<'a>(ctx: &TableContext<'a>) -> Option<&'a Column> {
    let tenant_columns = ctx.options.names(TENANT_COLUMNS.name);
    ctx.table.columns.iter().find(|c| {
        tenant_columns
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&c.name))
    })
}

fn tenant_without_rls(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() || ctx.table.row_security.enabled {
        return;
    }
    let Some(tenant) = tenant_column(ctx) else {
        return;
    };
    let cast = match tenant.logical_type {
        LogicalType::Text { .. } => String::new(),
        _ => format!("::{}", tenant.data_type),
    };
    out.on_table(
        format!(
            "table {} has tenant column {} but row-level security is disabled: only application code keeps tenants apart",
            ctx.name, tenant.name
        ),
        format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_isolation ON {table} USING ({} = current_setting('app.tenant'){cast});",
            ctx.ident(&tenant.name),
            table = ctx.table_sql(),
        ),
    );
}

pub(super) const TENANT_COLUMN_UNINDEXED: RuleInfo = RuleInfo {
    id: "tenant-column-unindexed",
    category: Category::Security,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: false,
    summary: "Tenant columns lead an index.",
    rationale: "Every query of a multi-tenant table filters by the tenant column, and a \
                row-level security policy adds that filter to every statement. Without an index \
                whose first column is the tenant column each of them scans the whole table, so \
                one large tenant slows down all the others. When the tenant column is also a \
                foreign key, `fk-without-index` reports the same gap for its own reason.",
    fix: "Create an index starting with the tenant column (a composite index `(tenant_id, ...)` \
          serving the common queries is best).",
    options: &[TENANT_COLUMNS],
    example_bad: "CREATE TABLE app.events (id bigint PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL);",
    example_good: "CREATE TABLE app.events (id bigint PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL);\n\
                   CREATE INDEX events_tenant_id_idx ON app.events (tenant_id);",
    check: tenant_column_unindexed,
};

fn tenant_column_unindexed(ctx: &TableContext, out: &mut Findings) {
    if !ctx.is_base_table() {
        return;
    }
    let Some(tenant) = tenant_column(ctx) else {
        return;
    };
    let columns = [tenant.name.clone()];
    if ctx.has_index_leading_with(&columns) {
        return;
    }
    out.on_column(
        tenant,
        format!(
            "tenant column {}.{} leads no index: every tenant-scoped query scans the table",
            ctx.name, tenant.name
        ),
        ctx.create_index_sql(&columns),
    );
}

pub(super) const RLS_WITHOUT_POLICY: RuleInfo = RuleInfo {
    id: "rls-without-policy",
    category: Category::Security,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: true,
    summary: "Tables with row-level security enabled have at least one policy.",
    rationale: "With row-level security enabled and no policy, PostgreSQL denies everything: \
                every role but the owner (and, when forced, the owner too) sees no rows and can \
                change none. That is rarely intended; usually the policies were forgotten in a \
                migration, and the application only works because it connects as the owner.",
    fix: "Create the policies the table needs, or disable row-level security if it is not wanted.",
    options: &[],
    example_bad: "CREATE TABLE app.notes (id bigint PRIMARY KEY, owner text NOT NULL);\n\
                  ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;",
    example_good: "CREATE TABLE app.notes (id bigint PRIMARY KEY, owner text NOT NULL);\n\
                   ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;\n\
                   CREATE POLICY own_notes ON app.notes USING (owner = current_user);",
    check: rls_without_policy,
};

fn rls_without_policy(ctx: &TableContext, out: &mut Findings) {
    let security = &ctx.table.row_security;
    if !security.enabled || !security.policies.is_empty() {
        return;
    }
    let who = if security.forced {
        "no role, the owner included,"
    } else {
        "no role but the owner"
    };
    out.on_table(
        format!(
            "row-level security is enabled on {} but it has no policy: {who} can read or change any row",
            ctx.name
        ),
        format!(
            "CREATE POLICY ... ON {} USING (...); or ALTER TABLE {} DISABLE ROW LEVEL SECURITY;",
            ctx.table_sql(),
            ctx.table_sql()
        ),
    );
}

pub(super) const POLICY_WITHOUT_RLS: RuleInfo = RuleInfo {
    id: "policy-without-rls",
    category: Category::Security,
    default_severity: Severity::Error,
    enabled_by_default: true,
    postgres_only: true,
    summary: "Tables with policies have row-level security enabled.",
    rationale: "Policies do nothing until row-level security is enabled on the table. A table \
                with policies but RLS disabled looks protected in every review and is not: \
                every role with table privileges sees every row.",
    fix: "Enable row-level security (`ALTER TABLE ... ENABLE ROW LEVEL SECURITY`), and \
          `FORCE` it if the owner must be bound too.",
    options: &[],
    example_bad: "CREATE TABLE app.notes (id bigint PRIMARY KEY, owner text NOT NULL);\n\
                  CREATE POLICY own_notes ON app.notes USING (owner = current_user);",
    example_good: "CREATE TABLE app.notes (id bigint PRIMARY KEY, owner text NOT NULL);\n\
                   ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;\n\
                   CREATE POLICY own_notes ON app.notes USING (owner = current_user);",
    check: policy_without_rls,
};

fn policy_without_rls(ctx: &TableContext, out: &mut Findings) {
    let security = &ctx.table.row_security;
    if security.enabled || security.policies.is_empty() {
        return;
    }
    let names: Vec<&str> = security.policies.iter().map(|p| p.name.as_str()).collect();
    out.on_table(
        format!(
            "{} has policies ({}) but row-level security is disabled: they are not applied",
            ctx.name,
            names.join(", ")
        ),
        format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", ctx.table_sql()),
    );
}

pub(super) const OVERLAPPING_PERMISSIVE_POLICIES: RuleInfo = RuleInfo {
    id: "overlapping-permissive-policies",
    category: Category::Security,
    default_severity: Severity::Warning,
    enabled_by_default: true,
    postgres_only: true,
    summary: "At most one permissive policy applies to each command and role of a table.",
    rationale: "PostgreSQL combines permissive policies with OR: a row is visible when any one of \
                them allows it. Two permissive policies for the same command and role (a `FOR \
                ALL` policy overlaps every command; `public` overlaps every role) mean the \
                looser one decides, which is easy to miss when one of them is the tenant \
                isolation policy. Each is also evaluated for every row, which costs time. If \
                widening is intended, one policy whose condition says so is clearer.",
    fix: "Merge the policies into one whose condition ORs both explicitly, or make the one that \
          must always hold `AS RESTRICTIVE`.",
    options: &[],
    example_bad: "CREATE TABLE app.templates (id bigint PRIMARY KEY, org_id bigint NOT NULL, is_public boolean NOT NULL);\n\
                  ALTER TABLE app.templates ENABLE ROW LEVEL SECURITY;\n\
                  CREATE POLICY org_templates ON app.templates USING (org_id = current_setting('app.org')::bigint);\n\
                  CREATE POLICY public_templates ON app.templates FOR SELECT USING (is_public);",
    example_good: "CREATE TABLE app.templates (id bigint PRIMARY KEY, org_id bigint NOT NULL, is_public boolean NOT NULL);\n\
                   ALTER TABLE app.templates ENABLE ROW LEVEL SECURITY;\n\
                   CREATE POLICY visible_templates ON app.templates FOR SELECT\n    \
                   USING (is_public OR org_id = current_setting('app.org')::bigint);",
    check: overlapping_permissive_policies,
};

fn command_name(command: PolicyCommand) -> &'static str {
    match command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    }
}

/// The command both policies apply to, if any (the narrower of the two).
fn shared_command(a: &Policy, b: &Policy) -> Option<PolicyCommand> {
    match (a.command, b.command) {
        (PolicyCommand::All, other) | (other, PolicyCommand::All) => Some(other),
        (x, y) if x == y => Some(x),
        _ => None,
    }
}

/// The roles both policies apply to, if any.
fn shared_roles(a: &Policy, b: &Policy) -> Vec<String> {
    let everyone = |p: &Policy| p.roles.is_empty() || p.roles.iter().any(|r| r == "public");
    match (everyone(a), everyone(b)) {
        (true, true) => vec!["public".to_string()],
        (true, false) => b.roles.clone(),
        (false, true) => a.roles.clone(),
        (false, false) => a
            .roles
            .iter()
            .filter(|r| b.roles.contains(r))
            .cloned()
            .collect(),
    }
}

fn overlapping_permissive_policies(ctx: &TableContext, out: &mut Findings) {
    let permissive: Vec<&Policy> = ctx
        .table
        .row_security
        .policies
        .iter()
        .filter(|p| p.permissive)
        .collect();
    for (at, policy) in permissive.iter().enumerate() {
        let overlap = permissive[..at].iter().find_map(|earlier| {
            let command = shared_command(earlier, policy)?;
            let roles = shared_roles(earlier, policy);
            (!roles.is_empty()).then_some((earlier, command, roles))
        });
        let Some((earlier, command, roles)) = overlap else {
            continue;
        };
        out.on_policy(
            policy,
            format!(
                "policies \"{}\" and \"{}\" on {} are both permissive for {} to {}: PostgreSQL ORs them, so either one alone grants access",
                earlier.name,
                policy.name,
                ctx.name,
                command_name(command),
                roles.join(", ")
            ),
            format!(
                "merge \"{}\" and \"{}\" into one policy whose condition ORs both, or make the one that must always hold AS RESTRICTIVE",
                earlier.name, policy.name
            ),
        );
    }
}
