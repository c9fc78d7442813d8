//! The seed systems in `examples/seeds/` must be read completely.
//!
//! The expectations below are written by hand from the seed documents
//! (`../shared/seeds/readable/*.md`), not from the SQL files: every table and
//! column a seed names, its foreign keys, and the unique columns, value
//! lists, indexes, row-level security and purpose texts it states. Each
//! PostgreSQL file is applied to a fresh database and read live and from
//! the file; the MySQL and SQLite translations are read from their engines
//! and from their files. Every reader must find all of it, and no
//! non-unique index the seed does not name: `carta lint` must find the
//! gaps the seed designs leave, such as unindexed foreign keys.

use carta_catalog::{
    Catalog, Column, Dialect, IndexKey, LogicalType, QualifiedName, ReferentialAction, Table,
};
use carta_ingest::{ingest, Source};
use carta_source::{IngestOptions, Ingested};
use carta_testkit::{MysqlDatabase, PgDatabase};
use std::path::{Path, PathBuf};

/// What a seed document states about its schema.
struct Seed {
    /// The file under `examples/seeds/` (and under `mysql/`, `sqlite/` for translations).
    file: &'static str,
    /// The PostgreSQL schema the file creates.
    schema: &'static str,
    /// Every table with every column the seed names. Each has primary key `id`.
    tables: &'static [(&'static str, &'static [&'static str])],
    foreign_keys: &'static [Fk],
    /// Columns (or column sets) the seed declares unique.
    unique: &'static [(&'static str, &'static [&'static str])],
    /// Columns the seed declares NOT NULL or required.
    not_null: &'static [(&'static str, &'static [&'static str])],
    /// Auto-increment / SERIAL keys.
    auto_increment: &'static [(&'static str, &'static str)],
    /// Closed value lists, as SQL literals.
    value_lists: &'static [ValueList],
    /// Defaults as the seed writes them (checked on PostgreSQL, where the
    /// seeds' spelling applies; other dialects spell booleans and casts differently).
    defaults: &'static [(&'static str, &'static str, &'static str)],
    /// Types the seed states (checked on PostgreSQL, the dialect the seeds are written for).
    types: &'static [(&'static str, &'static str, Ty)],
    /// Indexes the seed names, with their key columns (`true` = descending).
    indexes: &'static [Idx],
    /// Tables the seed puts under row-level security (PostgreSQL only).
    row_security: &'static [&'static str],
    /// Policies the seed names: (table, policy).
    policies: &'static [(&'static str, &'static str)],
    /// A phrase of each table's purpose text, which its comment must carry.
    purposes: &'static [(&'static str, &'static str)],
}

struct Fk {
    table: &'static str,
    column: &'static str,
    references: &'static str,
    /// Only where the seed states the action.
    on_delete: Option<ReferentialAction>,
}

const fn fk(table: &'static str, column: &'static str, references: &'static str) -> Fk {
    Fk {
        table,
        column,
        references,
        on_delete: None,
    }
}

struct ValueList {
    table: &'static str,
    column: &'static str,
    /// SQL literals: `'active'`, `1`.
    values: &'static [&'static str],
}

const fn values(
    table: &'static str,
    column: &'static str,
    values: &'static [&'static str],
) -> ValueList {
    ValueList {
        table,
        column,
        values,
    }
}

struct Idx {
    table: &'static str,
    name: &'static str,
    keys: &'static [(&'static str, bool)],
}

const fn idx(
    table: &'static str,
    name: &'static str,
    keys: &'static [(&'static str, bool)],
) -> Idx {
    Idx { table, name, keys }
}

/// A type as the seeds state it.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Uuid,
    /// "JSON": json or jsonb.
    Json,
    Jsonb,
    Timestamptz,
    Bool,
    Int32,
    Int64,
    Text,
    VarChar(u32),
    Decimal(u32, u32),
    Inet,
    TextArray,
}

impl Ty {
    fn matches(self, logical: &LogicalType) -> bool {
        match (self, logical) {
            (Ty::Uuid, LogicalType::Uuid) => true,
            (Ty::Json, LogicalType::Json { .. }) => true,
            (Ty::Jsonb, LogicalType::Json { binary }) => *binary,
            (Ty::Timestamptz, LogicalType::Timestamp { with_time_zone }) => *with_time_zone,
            (Ty::Bool, LogicalType::Boolean) => true,
            (Ty::Int32, LogicalType::Integer { bits, unsigned }) => *bits == 32 && !unsigned,
            (Ty::Int64, LogicalType::Integer { bits, unsigned }) => *bits == 64 && !unsigned,
            (Ty::Text, LogicalType::Text { max_length, fixed }) => max_length.is_none() && !fixed,
            (Ty::VarChar(n), LogicalType::Text { max_length, fixed }) => {
                *max_length == Some(n) && !fixed
            }
            (Ty::Decimal(p, s), LogicalType::Decimal { precision, scale }) => {
                *precision == Some(p) && *scale == Some(s)
            }
            (Ty::Inet, LogicalType::Network { cidr }) => !cidr,
            (Ty::TextArray, LogicalType::Array { element }) => {
                matches!(**element, LogicalType::Text { .. })
            }
            _ => false,
        }
    }
}

const NONE: Seed = Seed {
    file: "",
    schema: "",
    tables: &[],
    foreign_keys: &[],
    unique: &[],
    not_null: &[],
    auto_increment: &[],
    value_lists: &[],
    defaults: &[],
    types: &[],
    indexes: &[],
    row_security: &[],
    policies: &[],
    purposes: &[],
};

/// Seed 000, ORKO AI. The glossary defines Status for every table as
/// "active/suspended/archived"; users are "admins, operators, viewers".
#[rustfmt::skip]
const ORKO: Seed = Seed {
    file: "000_orko.sql",
    schema: "orko",
    tables: &[
        ("users", &["id", "org_id", "name", "email", "hashed_password", "role", "status", "created_at", "updated_at"]),
        ("orgs", &["id", "name", "domain", "plan", "status", "created_at", "updated_at"]),
        ("auth_tokens", &["id", "user_id", "token_hash", "expires_at", "revoked_at", "status", "created_at", "updated_at"]),
        ("automations", &["id", "user_id", "name", "trigger", "action", "config", "last_run_at", "status", "created_at", "updated_at"]),
        ("logs", &["id", "org_id", "user_id", "level", "event", "details", "created_at"]),
        ("feedback", &["id", "user_id", "rating", "comment", "context", "created_at", "updated_at"]),
    ],
    foreign_keys: &[
        fk("users", "org_id", "orgs"),
        fk("auth_tokens", "user_id", "users"),
        fk("automations", "user_id", "users"),
        fk("logs", "org_id", "orgs"),
        fk("logs", "user_id", "users"),
        fk("feedback", "user_id", "users"),
    ],
    value_lists: &[
        values("users", "status", &["'active'", "'suspended'", "'archived'"]),
        values("orgs", "status", &["'active'", "'suspended'", "'archived'"]),
        values("auth_tokens", "status", &["'active'", "'suspended'", "'archived'"]),
        values("automations", "status", &["'active'", "'suspended'", "'archived'"]),
        values("users", "role", &["'admin'", "'operator'", "'viewer'"]),
    ],
    purposes: &[
        ("users", "Stores all individuals registered in ORKO"),
        ("orgs", "Represents companies or workspaces using ORKO"),
        ("auth_tokens", "Manages login sessions and API authentication tokens"),
        ("automations", "Contains user-created automation rules"),
        ("logs", "Captures user and system activity"),
        ("feedback", "Stores user feedback and ratings"),
    ],
    ..NONE
};

/// Seed 001, AI Orchestrator: its tables are given as DDL.
#[rustfmt::skip]
const ORCHESTRATOR: Seed = Seed {
    file: "001_orchestrator.sql",
    schema: "orchestrator",
    tables: &[
        ("organizations", &["id", "name", "slug", "subscription_tier", "api_quota_limit", "api_quota_used", "settings", "created_at", "updated_at", "deleted_at"]),
        ("users", &["id", "organization_id", "email", "username", "full_name", "role", "permissions", "preferences", "last_login_at", "email_verified_at", "created_at", "updated_at", "deleted_at"]),
        ("projects", &["id", "organization_id", "created_by", "name", "description", "topic", "status", "priority", "metadata", "settings", "created_at", "updated_at", "completed_at"]),
        ("orchestration_runs", &["id", "project_id", "user_id", "topic", "status", "total_phases", "completed_phases", "success_rate", "execution_time_ms", "integration_enabled", "results", "error_details", "created_at", "completed_at"]),
        ("phase_executions", &["id", "run_id", "phase_code", "phase_name", "status", "prompt_text", "response_text", "execution_time_ms", "token_usage", "error_details", "started_at", "completed_at"]),
        ("integration_operations", &["id", "run_id", "operation_type", "operation_params", "status", "result", "execution_time_ms", "created_at", "completed_at"]),
        ("api_usage", &["id", "organization_id", "user_id", "endpoint", "method", "tokens_used", "response_time_ms", "status_code", "created_at"]),
        ("orchestration_templates", &["id", "organization_id", "created_by", "name", "description", "category", "template_data", "is_public", "usage_count", "created_at", "updated_at"]),
        ("webhooks", &["id", "organization_id", "name", "url", "events", "secret_key", "is_active", "last_triggered_at", "created_at"]),
        ("audit_logs", &["id", "organization_id", "user_id", "action", "resource_type", "resource_id", "old_values", "new_values", "ip_address", "user_agent", "created_at"]),
    ],
    foreign_keys: &[
        fk("users", "organization_id", "organizations"),
        fk("projects", "organization_id", "organizations"),
        fk("projects", "created_by", "users"),
        fk("orchestration_runs", "project_id", "projects"),
        fk("orchestration_runs", "user_id", "users"),
        fk("phase_executions", "run_id", "orchestration_runs"),
        fk("integration_operations", "run_id", "orchestration_runs"),
        fk("api_usage", "organization_id", "organizations"),
        fk("api_usage", "user_id", "users"),
        fk("orchestration_templates", "organization_id", "organizations"),
        fk("orchestration_templates", "created_by", "users"),
        fk("webhooks", "organization_id", "organizations"),
        fk("audit_logs", "organization_id", "organizations"),
        fk("audit_logs", "user_id", "users"),
    ],
    unique: &[
        ("organizations", &["slug"]),
        ("users", &["email"]),
        ("users", &["username"]),
    ],
    not_null: &[
        ("organizations", &["name", "slug"]),
        ("users", &["email", "username"]),
        ("projects", &["name", "topic"]),
        ("orchestration_runs", &["topic"]),
        ("phase_executions", &["phase_code", "phase_name"]),
        ("integration_operations", &["operation_type"]),
        ("api_usage", &["endpoint", "method"]),
        ("orchestration_templates", &["name", "template_data"]),
        ("webhooks", &["name", "url"]),
        ("audit_logs", &["action"]),
    ],
    value_lists: &[
        values("organizations", "subscription_tier", &["'free'", "'pro'", "'enterprise'"]),
        values("users", "role", &["'admin'", "'manager'", "'member'", "'viewer'"]),
        values("projects", "status", &["'active'", "'completed'", "'archived'", "'failed'"]),
        values("projects", "priority", &["'low'", "'medium'", "'high'", "'urgent'"]),
    ],
    defaults: &[
        ("organizations", "subscription_tier", "'free'"),
        ("organizations", "api_quota_limit", "1000"),
        ("organizations", "api_quota_used", "0"),
        ("organizations", "settings", "'{}'"),
        ("organizations", "created_at", "now()"),
        ("users", "role", "'member'"),
        ("users", "permissions", "'[]'"),
        ("projects", "status", "'active'"),
        ("projects", "priority", "'medium'"),
        ("orchestration_runs", "status", "'running'"),
        ("orchestration_runs", "success_rate", "0.00"),
        ("orchestration_runs", "integration_enabled", "false"),
        ("phase_executions", "status", "'pending'"),
        ("integration_operations", "status", "'pending'"),
        ("api_usage", "tokens_used", "0"),
        ("orchestration_templates", "is_public", "false"),
        ("orchestration_templates", "usage_count", "0"),
        ("webhooks", "events", "'{}'"),
        ("webhooks", "is_active", "true"),
        ("audit_logs", "old_values", "'{}'"),
    ],
    types: &[
        ("organizations", "id", Ty::Uuid),
        ("organizations", "name", Ty::VarChar(255)),
        ("organizations", "slug", Ty::VarChar(100)),
        ("organizations", "api_quota_limit", Ty::Int32),
        ("organizations", "settings", Ty::Jsonb),
        ("organizations", "deleted_at", Ty::Timestamptz),
        ("users", "organization_id", Ty::Uuid),
        ("users", "permissions", Ty::Jsonb),
        ("projects", "topic", Ty::Text),
        ("projects", "priority", Ty::VarChar(20)),
        ("orchestration_runs", "success_rate", Ty::Decimal(5, 2)),
        ("orchestration_runs", "integration_enabled", Ty::Bool),
        ("phase_executions", "token_usage", Ty::Jsonb),
        ("api_usage", "method", Ty::VarChar(10)),
        ("api_usage", "status_code", Ty::Int32),
        ("webhooks", "url", Ty::VarChar(500)),
        ("webhooks", "events", Ty::TextArray),
        ("audit_logs", "resource_id", Ty::Uuid),
        ("audit_logs", "ip_address", Ty::Inet),
        ("audit_logs", "user_agent", Ty::Text),
    ],
    indexes: &[
        idx("organizations", "idx_organizations_slug", &[("slug", false)]),
        idx("users", "idx_users_organization_id", &[("organization_id", false)]),
        idx("users", "idx_users_email", &[("email", false)]),
        idx("projects", "idx_projects_organization_id", &[("organization_id", false)]),
        idx("projects", "idx_projects_status", &[("status", false)]),
        idx("orchestration_runs", "idx_orchestration_runs_project_id", &[("project_id", false)]),
        idx("orchestration_runs", "idx_orchestration_runs_status", &[("status", false)]),
        idx("api_usage", "idx_api_usage_organization_id", &[("organization_id", false)]),
        idx("api_usage", "idx_api_usage_created_at", &[("created_at", false)]),
    ],
    // "All tables implement RLS to ensure data isolation between organizations."
    row_security: &[
        "organizations",
        "users",
        "projects",
        "orchestration_runs",
        "phase_executions",
        "integration_operations",
        "api_usage",
        "orchestration_templates",
        "webhooks",
        "audit_logs",
    ],
    policies: &[("projects", "Projects are organization-scoped")],
    purposes: &[
        ("organizations", "Multi-tenant support with subscription management"),
        ("users", "User management with role-based access control"),
        ("projects", "Project management and organization"),
        ("orchestration_runs", "Track individual orchestration executions"),
        ("phase_executions", "Detailed tracking of individual phase execution"),
        ("integration_operations", "Log all system integration operations"),
        ("api_usage", "Monitor and bill API usage"),
        ("orchestration_templates", "Reusable orchestration patterns"),
        ("webhooks", "External system integrations"),
        ("audit_logs", "Compliance and security tracking"),
    ],
    ..NONE
};

/// Seed 002, organization/user/plugin (a SQLAlchemy model).
#[rustfmt::skip]
const PLUGINS: Seed = Seed {
    file: "002_plugins.sql",
    schema: "plugins",
    tables: &[
        ("organization", &["id", "name"]),
        ("user", &["id", "firebase_id", "name", "email", "organization_id", "status", "is_system", "active_token_id", "date_joined", "last_login"]),
        ("plugin", &["id", "organization_id", "data_source", "title", "credentials", "properties", "created_at"]),
    ],
    foreign_keys: &[
        // "cascade delete on all related users"
        Fk {
            table: "user",
            column: "organization_id",
            references: "organization",
            on_delete: Some(ReferentialAction::Cascade),
        },
        fk("plugin", "organization_id", "organization"),
    ],
    unique: &[("user", &["email"])],
    not_null: &[
        ("user", &["organization_id"]),
        ("plugin", &["organization_id", "data_source", "title", "credentials", "properties"]),
    ],
    auto_increment: &[("organization", "id"), ("user", "id"), ("plugin", "id")],
    value_lists: &[values("user", "status", &["1", "2", "3"])],
    defaults: &[
        ("user", "status", "1"),
        ("user", "is_system", "false"),
        ("user", "date_joined", "now()"),
    ],
    types: &[
        ("organization", "id", Ty::Int64),
        ("user", "id", Ty::Int64),
        ("user", "organization_id", Ty::Int64),
        ("user", "is_system", Ty::Bool),
        ("user", "date_joined", Ty::Timestamptz),
        ("user", "last_login", Ty::Timestamptz),
        ("plugin", "id", Ty::Int64),
        ("plugin", "credentials", Ty::Json),
        ("plugin", "properties", Ty::Json),
    ],
    purposes: &[
        ("organization", "Represents organizations (tenant grouping for multi-tenant support)"),
        ("user", "Represents system users, each belonging to an organization"),
        ("plugin", "Represents integration plugins/data sources configured per organization"),
    ],
    ..NONE
};

/// Seed 003, Nadakki AI Suite: an ERD, a foreign key table, an index table
/// and three migrations (RLS on audit_logs, then on all tenant-scoped tables).
#[rustfmt::skip]
const NADAKKI: Seed = Seed {
    file: "003_nadakki.sql",
    schema: "nadakki",
    tables: &[
        ("tenants", &["id", "name", "slug", "plan", "created_at"]),
        ("users", &["id", "tenant_id", "email", "role", "created_at"]),
        ("oauth_tokens", &["id", "tenant_id", "platform", "access_token", "refresh_token", "expires_at", "created_at"]),
        ("agent_executions", &["id", "tenant_id", "agent_id", "dry_run", "result", "created_at"]),
        ("audit_events", &["id", "tenant_id", "user_id", "action", "endpoint", "method", "status_code", "latency_ms", "timestamp"]),
        ("tenant_config", &["id", "tenant_id", "meta_live", "sendgrid"]),
        ("audit_logs", &["id", "trace_id", "tenant_id", "agent_id", "mode", "status", "http_status", "latency_ms", "user_id", "error", "created_at"]),
    ],
    foreign_keys: &[
        fk("users", "tenant_id", "tenants"),
        fk("oauth_tokens", "tenant_id", "tenants"),
        fk("agent_executions", "tenant_id", "tenants"),
        fk("audit_events", "tenant_id", "tenants"),
        fk("tenant_config", "tenant_id", "tenants"),
    ],
    unique: &[("tenants", &["slug"]), ("tenant_config", &["tenant_id"])],
    auto_increment: &[
        ("users", "id"),
        ("oauth_tokens", "id"),
        ("agent_executions", "id"),
        ("audit_events", "id"),
        ("tenant_config", "id"),
    ],
    types: &[
        ("tenants", "id", Ty::Text),
        ("tenants", "created_at", Ty::Timestamptz),
        ("users", "id", Ty::Int32),
        ("users", "tenant_id", Ty::Text),
        ("oauth_tokens", "access_token", Ty::Text),
        ("agent_executions", "dry_run", Ty::Bool),
        ("audit_events", "user_id", Ty::Text),
        ("audit_events", "status_code", Ty::Int32),
        ("tenant_config", "meta_live", Ty::Bool),
        ("tenant_config", "sendgrid", Ty::Bool),
        ("audit_logs", "id", Ty::Uuid),
        ("audit_logs", "http_status", Ty::Int32),
        ("audit_logs", "created_at", Ty::Timestamptz),
    ],
    indexes: &[
        idx("users", "ix_users_tenant_id", &[("tenant_id", false)]),
        idx("oauth_tokens", "ix_oauth_tokens_tenant_id", &[("tenant_id", false)]),
        idx("oauth_tokens", "ix_oauth_tokens_tenant_platform", &[("tenant_id", false), ("platform", false)]),
        idx("agent_executions", "ix_agent_executions_tenant_id", &[("tenant_id", false)]),
        idx("agent_executions", "ix_agent_executions_agent_id", &[("agent_id", false)]),
        idx("audit_events", "ix_audit_events_tenant_id", &[("tenant_id", false)]),
        idx("audit_events", "ix_audit_events_timestamp", &[("timestamp", true)]),
        idx("audit_logs", "ix_audit_logs_tenant_created", &[("tenant_id", false), ("created_at", true)]),
        idx("audit_logs", "ix_audit_logs_agent_created", &[("agent_id", false), ("created_at", true)]),
        idx("audit_logs", "ix_audit_logs_trace_id", &[("trace_id", false)]),
    ],
    row_security: &[
        "audit_logs",
        "users",
        "oauth_tokens",
        "agent_executions",
        "audit_events",
        "tenant_config",
    ],
    purposes: &[("audit_logs", "agent execution audit")],
    ..NONE
};

/// Seed 004, the database assistance platform (Carta itself).
#[rustfmt::skip]
const CARTA: Seed = Seed {
    file: "004_carta.sql",
    schema: "carta",
    tables: &[
        ("users", &["id", "full_name", "email", "password_hash", "role", "created_at", "updated_at"]),
        ("workspaces", &["id", "name", "owner_id", "created_at", "updated_at"]),
        ("memberships", &["id", "user_id", "workspace_id", "role", "created_at"]),
        ("connections", &["id", "workspace_id", "name", "db_type", "connection_uri", "mode", "created_at", "updated_at"]),
        ("schemas", &["id", "connection_id", "version", "schema_json", "created_at"]),
        ("tables", &["id", "schema_id", "name", "description", "created_at"]),
        ("columns", &["id", "table_id", "name", "data_type", "is_nullable", "is_pk", "is_fk", "fk_table_id", "description"]),
        ("queries", &["id", "workspace_id", "connection_id", "sql_text", "description", "created_by", "created_at"]),
        ("executions", &["id", "query_id", "executed_by", "started_at", "duration_ms", "row_count", "status", "error_msg"]),
        ("docs", &["id", "scope", "ref_id", "content_md", "template", "created_at", "updated_at"]),
        ("mock_jobs", &["id", "table_id", "config", "status", "file_path", "created_at", "completed_at"]),
        ("audits", &["id", "actor_id", "action", "resource", "details", "created_at"]),
    ],
    // docs.ref_id is marked "UUID (FK)" but points at a schema, a table or a
    // column depending on scope; no single foreign key can express that.
    foreign_keys: &[
        fk("workspaces", "owner_id", "users"),
        fk("memberships", "user_id", "users"),
        fk("memberships", "workspace_id", "workspaces"),
        fk("connections", "workspace_id", "workspaces"),
        fk("schemas", "connection_id", "connections"),
        fk("tables", "schema_id", "schemas"),
        fk("columns", "table_id", "tables"),
        fk("columns", "fk_table_id", "tables"),
        fk("queries", "workspace_id", "workspaces"),
        fk("queries", "connection_id", "connections"),
        fk("queries", "created_by", "users"),
        fk("executions", "query_id", "queries"),
        fk("executions", "executed_by", "users"),
        fk("mock_jobs", "table_id", "tables"),
        fk("audits", "actor_id", "users"),
    ],
    unique: &[("users", &["email"])],
    value_lists: &[
        values("users", "role", &["'admin'", "'developer'", "'analyst'"]),
        values("memberships", "role", &["'owner'", "'admin'", "'editor'", "'viewer'"]),
        values("connections", "db_type", &["'postgres'", "'mysql'", "'mssql'", "'mongodb'"]),
        values("connections", "mode", &["'read-only'", "'read-write'"]),
        values("executions", "status", &["'success'", "'failed'", "'cancelled'"]),
        values("docs", "scope", &["'schema'", "'table'", "'column'"]),
        values("mock_jobs", "status", &["'pending'", "'running'", "'completed'"]),
    ],
    types: &[
        ("users", "id", Ty::Uuid),
        ("users", "created_at", Ty::Timestamptz),
        ("workspaces", "owner_id", Ty::Uuid),
        ("schemas", "schema_json", Ty::Jsonb),
        ("tables", "description", Ty::Text),
        ("columns", "is_nullable", Ty::Bool),
        ("columns", "is_pk", Ty::Bool),
        ("columns", "is_fk", Ty::Bool),
        ("columns", "fk_table_id", Ty::Uuid),
        ("queries", "sql_text", Ty::Text),
        ("executions", "duration_ms", Ty::Int32),
        ("executions", "row_count", Ty::Int32),
        ("docs", "ref_id", Ty::Uuid),
        ("docs", "content_md", Ty::Text),
        ("mock_jobs", "config", Ty::Jsonb),
        ("audits", "details", Ty::Jsonb),
    ],
    purposes: &[
        ("users", "Stores core user details and authentication"),
        ("workspaces", "Represents team collaboration spaces"),
        ("memberships", "Mapping between users and workspaces"),
        ("connections", "Stores linked database metadata"),
        ("schemas", "Stores database schema versions"),
        ("tables", "Represents individual database tables"),
        ("columns", "Represents table columns"),
        ("queries", "Stores saved/generated SQL queries"),
        ("executions", "Execution metadata for queries"),
        ("docs", "Auto-generated or custom documentation"),
        ("mock_jobs", "Mock data generation jobs"),
        ("audits", "Audit logs for compliance"),
    ],
    ..NONE
};

const ALL: [&Seed; 5] = [&ORKO, &ORCHESTRATOR, &PLUGINS, &NADAKKI, &CARTA];

/// Which engine's reading is being checked; decides which facts apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Postgres,
    Mysql,
    Sqlite,
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds")
}

fn seed_path(seed: &Seed, engine: Engine) -> PathBuf {
    let dir = seeds_dir();
    match engine {
        Engine::Postgres => dir.join(seed.file),
        Engine::Mysql => dir.join("mysql").join(seed.file),
        Engine::Sqlite => dir.join("sqlite").join(seed.file),
    }
}

fn read_sql(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every way `catalog` falls short of what `seed` states, or declares an
/// index the seed does not name, with the seed's objects looked up in
/// schema `schema`.
fn shortfalls(seed: &Seed, catalog: &Catalog, schema: &str, engine: Engine) -> Vec<String> {
    let mut missing = Vec::new();
    let Some(found_schema) = catalog.schema(schema) else {
        let names: Vec<_> = catalog.schemas.iter().map(|s| s.name.as_str()).collect();
        return vec![format!(
            "schema `{schema}` not found; schemas read: {names:?}"
        )];
    };
    let table = |name: &str| {
        found_schema
            .tables
            .iter()
            .find(|t| t.name == name && !t.kind.is_view())
    };

    for (name, columns) in seed.tables {
        let Some(table) = table(name) else {
            missing.push(format!("table {schema}.{name} not found"));
            continue;
        };
        for column in *columns {
            if table.column(column).is_none() {
                missing.push(format!("column {schema}.{name}.{column} not found"));
            }
        }
        let primary_key = table.primary_key.as_ref().map(|pk| pk.columns.clone());
        if primary_key != Some(vec!["id".to_string()]) {
            missing.push(format!(
                "{schema}.{name}: primary key (id) expected, found {primary_key:?}"
            ));
        }
    }

    // A fact about one column of a table; a missing table or column is
    // already reported above.
    let column_problem =
        |table_name: &str, column_name: &str, check: &dyn Fn(&Table, &Column) -> Option<String>| {
            let table = table(table_name)?;
            let column = table.column(column_name)?;
            check(table, column)
                .map(|problem| format!("{schema}.{table_name}.{column_name}: {problem}"))
        };

    for fk in seed.foreign_keys {
        missing.extend(column_problem(fk.table, fk.column, &|table, column| {
            let target = QualifiedName::new(schema, fk.references);
            let found = table.foreign_keys.iter().find(|k| {
                k.columns == [column.name.as_str()]
                    && k.referenced_table == target
                    && k.referenced_columns == ["id"]
            });
            match (found, fk.on_delete) {
                (None, _) => Some(format!("foreign key to {target}(id) not found")),
                (Some(k), Some(action)) if k.on_delete != action => Some(format!(
                    "foreign key ON DELETE {:?} expected, found {:?}",
                    action, k.on_delete
                )),
                _ => None,
            }
        }));
    }

    for (table_name, columns) in seed.unique {
        if let Some(table) = table(table_name) {
            let by_constraint = table.uniques.iter().any(|u| u.columns == *columns);
            let by_index = table.indexes.iter().any(|i| {
                i.unique && i.predicate.is_none() && i.key_columns().is_some_and(|k| k == *columns)
            });
            if !(by_constraint || by_index) {
                missing.push(format!(
                    "{schema}.{table_name}: unique ({}) not found",
                    columns.join(", ")
                ));
            }
        }
    }

    for (table_name, columns) in seed.not_null {
        for column in *columns {
            missing.extend(column_problem(table_name, column, &|_, c| {
                c.nullable.then(|| "NOT NULL expected".to_string())
            }));
        }
    }

    for (table_name, column) in seed.auto_increment {
        missing.extend(column_problem(table_name, column, &|_, c| {
            let generated = c.identity.is_some()
                || c.default.as_deref().is_some_and(|d| d.contains("nextval("));
            (!generated).then(|| {
                format!(
                    "auto-increment expected, found default {:?}, identity {:?}",
                    c.default, c.identity
                )
            })
        }));
    }

    for list in seed.value_lists {
        missing.extend(column_problem(list.table, list.column, &|table, c| {
            (!allows_exactly_listed(table, c, list.values)).then(|| {
                format!(
                    "value list {:?} not found as an enum or a CHECK",
                    list.values
                )
            })
        }));
    }

    if engine == Engine::Postgres {
        for (table_name, column, expected) in seed.defaults {
            missing.extend(column_problem(table_name, column, &|_, c| {
                let found = c.default.as_deref().is_some_and(|d| d.contains(expected));
                (!found).then(|| format!("default {expected} expected, found {:?}", c.default))
            }));
        }
        for (table_name, column, expected) in seed.types {
            missing.extend(column_problem(table_name, column, &|_, c| {
                (!expected.matches(&c.logical_type)).then(|| {
                    format!(
                        "type {expected:?} expected, found {} ({:?})",
                        c.data_type, c.logical_type
                    )
                })
            }));
        }
        for index in seed.indexes {
            if let Some(table) = table(index.table) {
                match table.indexes.iter().find(|i| i.name == index.name) {
                    None => missing.push(format!(
                        "{schema}.{}: index {} not found",
                        index.table, index.name
                    )),
                    Some(found) => {
                        let keys: Vec<(String, bool)> = found
                            .keys
                            .iter()
                            .map(|k| match k {
                                IndexKey::Column { name, options } => {
                                    (name.clone(), options.descending)
                                }
                                IndexKey::Expression {
                                    expression,
                                    options,
                                } => (expression.clone(), options.descending),
                            })
                            .collect();
                        let expected: Vec<(String, bool)> = index
                            .keys
                            .iter()
                            .map(|(c, d)| (c.to_string(), *d))
                            .collect();
                        if keys != expected {
                            missing.push(format!(
                                "{schema}.{}: index {} should have keys {expected:?}, found {keys:?}",
                                index.table, index.name
                            ));
                        }
                    }
                }
            }
        }
        for table_name in seed.row_security {
            if let Some(table) = table(table_name) {
                let rls = &table.row_security;
                if !rls.enabled || rls.policies.is_empty() {
                    missing.push(format!(
                        "{schema}.{table_name}: row-level security with a policy expected, found enabled={} and {} policies",
                        rls.enabled,
                        rls.policies.len()
                    ));
                }
            }
        }
        for (table_name, policy) in seed.policies {
            if let Some(table) = table(table_name) {
                if !table
                    .row_security
                    .policies
                    .iter()
                    .any(|p| p.name == *policy)
                {
                    missing.push(format!(
                        "{schema}.{table_name}: policy \"{policy}\" not found"
                    ));
                }
            }
        }
    }

    // Non-unique indexes are performance choices the seeds make themselves;
    // one the seed does not name would hide a finding of `carta lint`.
    for table in &found_schema.tables {
        for index in table.indexes.iter().filter(|i| !i.unique) {
            let named = seed
                .indexes
                .iter()
                .any(|i| i.table == table.name && i.name == index.name);
            // InnoDB creates an index, named after the constraint, for a
            // foreign key that has none; the files declare no such index.
            let innodb_fk_index = engine == Engine::Mysql
                && table.foreign_keys.iter().any(|k| {
                    k.name.as_deref() == Some(index.name.as_str())
                        && index.key_columns().is_some_and(|c| c == k.columns)
                });
            if !(named || innodb_fk_index) {
                missing.push(format!(
                    "{schema}.{}: index {} is not named by the seed",
                    table.name, index.name
                ));
            }
        }
    }

    // SQLite keeps no comments.
    if engine != Engine::Sqlite {
        for (table_name, phrase) in seed.purposes {
            if let Some(table) = table(table_name) {
                let carries = table
                    .comment
                    .as_deref()
                    .is_some_and(|c| c.to_lowercase().contains(&phrase.to_lowercase()));
                if !carries {
                    missing.push(format!(
                        "{schema}.{table_name}: comment should carry the seed's purpose \"{phrase}\", found {:?}",
                        table.comment
                    ));
                }
            }
        }
    }
    missing
}

/// True when the column admits the listed values and no others: an enum with
/// exactly these values, or a CHECK on the column that names every one.
fn allows_exactly_listed(table: &Table, c: &Column, literals: &[&str]) -> bool {
    if let LogicalType::Enum { values, .. } = &c.logical_type {
        let expected: Vec<&str> = literals.iter().map(|l| l.trim_matches('\'')).collect();
        return values.iter().map(String::as_str).eq(expected);
    }
    table.checks.iter().any(|check| {
        mentions_word(&check.expression, &c.name)
            && literals
                .iter()
                .all(|l| mentions_literal(&check.expression, l))
    })
}

fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// `word` occurs in `text` as a whole identifier (quoted or not).
fn mentions_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// A string literal occurs verbatim; a number occurs as a whole token.
fn mentions_literal(text: &str, literal: &str) -> bool {
    if literal.starts_with('\'') {
        text.contains(literal)
    } else {
        mentions_word(text, literal)
    }
}

fn assert_complete(seed: &Seed, ingested: &Ingested, schema: &str, engine: Engine, how: &str) {
    let mut problems = shortfalls(seed, &ingested.catalog, schema, engine);
    problems.extend(ingested.warnings.iter().map(|w| format!("warning: {w}")));
    assert!(
        problems.is_empty(),
        "{} read {how} falls short of its seed in {} ways:\n  {}",
        seed.file,
        problems.len(),
        problems.join("\n  ")
    );
}

async fn read(source: &Source, options: &IngestOptions) -> Ingested {
    ingest(source, options)
        .await
        .unwrap_or_else(|e| panic!("reading {source:?} failed: {e}"))
}

/// The DDL source of a file, checking that its dialect is recognized.
fn ddl_source(path: &Path, dialect: Dialect) -> Source {
    let arg = path.to_str().expect("seed paths are UTF-8");
    let source = Source::parse(arg, None).unwrap_or_else(|e| panic!("{arg}: {e}"));
    match &source {
        Source::Ddl { dialect: found, .. } => {
            assert_eq!(*found, dialect, "{arg} should be recognized as {dialect:?}")
        }
        other => panic!("{arg} should be a DDL source, got {other:?}"),
    }
    source
}

// PostgreSQL

async fn postgres_live(seed: &Seed) -> Catalog {
    let db = PgDatabase::create();
    db.execute(&read_sql(&seed_path(seed, Engine::Postgres)));
    let ingested = read(
        &Source::Postgres { url: db.url() },
        &IngestOptions::default(),
    )
    .await;
    assert_complete(
        seed,
        &ingested,
        seed.schema,
        Engine::Postgres,
        "from a live PostgreSQL",
    );
    ingested.catalog
}

async fn postgres_ddl(seed: &Seed) -> Catalog {
    let source = ddl_source(&seed_path(seed, Engine::Postgres), Dialect::Postgres);
    let ingested = read(&source, &IngestOptions::default()).await;
    assert_complete(
        seed,
        &ingested,
        seed.schema,
        Engine::Postgres,
        "as a DDL file",
    );
    ingested.catalog
}

/// One truth: the file and the database it builds give the same Catalog.
async fn postgres_ddl_matches_live(seed: &Seed) {
    let live = postgres_live(seed).await;
    let ddl = postgres_ddl(seed).await;
    assert_same_catalog(&live, &ddl, seed.file);
}

fn assert_same_catalog(live: &Catalog, ddl: &Catalog, what: &str) {
    if live.fingerprint == ddl.fingerprint {
        return;
    }
    let without_source = |c: &Catalog| {
        let mut c = c.clone();
        c.source = None;
        c.fingerprint.clear();
        c.to_json()
    };
    let (live_json, ddl_json) = (without_source(live), without_source(ddl));
    let live_lines: Vec<&str> = live_json.lines().collect();
    let ddl_lines: Vec<&str> = ddl_json.lines().collect();
    let first = live_lines
        .iter()
        .zip(&ddl_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(live_lines.len().min(ddl_lines.len()));
    let window =
        |lines: &[&str]| lines[first.saturating_sub(8)..(first + 8).min(lines.len())].join("\n");
    panic!(
        "{what}: live and DDL Catalogs differ ({} vs {}); first difference at JSON line {}:\n--- live\n{}\n--- ddl\n{}",
        live.fingerprint,
        ddl.fingerprint,
        first + 1,
        window(&live_lines),
        window(&ddl_lines)
    );
}

macro_rules! postgres_seed_tests {
    ($($name:ident => $seed:expr),* $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn live() {
                postgres_live(&$seed).await;
            }

            #[tokio::test]
            async fn ddl() {
                postgres_ddl(&$seed).await;
            }

            #[tokio::test]
            async fn ddl_matches_live() {
                postgres_ddl_matches_live(&$seed).await;
            }
        }
    )*};
}

postgres_seed_tests! {
    postgres_000_orko => ORKO,
    postgres_001_orchestrator => ORCHESTRATOR,
    postgres_002_plugins => PLUGINS,
    postgres_003_nadakki => NADAKKI,
    postgres_004_carta => CARTA,
}

/// The folder is one database with five schemas: all files applied in name
/// order coexist, and the folder read as DDL holds every seed.
#[tokio::test]
async fn postgres_all_seeds_in_one_database() {
    let db = PgDatabase::create();
    for seed in ALL {
        db.execute(&read_sql(&seed_path(seed, Engine::Postgres)));
    }
    let live = read(
        &Source::Postgres { url: db.url() },
        &IngestOptions::default(),
    )
    .await;
    let folder = ddl_source(&seeds_dir(), Dialect::Postgres);
    match &folder {
        Source::Ddl { files, .. } => {
            let names: Vec<_> = files
                .iter()
                .filter_map(|f| f.file_name()?.to_str())
                .collect();
            let expected: Vec<_> = ALL.iter().map(|s| s.file).collect();
            assert_eq!(names, expected, "the seed folder is read in name order");
        }
        other => panic!("the seed folder should be a DDL source, got {other:?}"),
    }
    let ddl = read(&folder, &IngestOptions::default()).await;
    for seed in ALL {
        assert_complete(
            seed,
            &live,
            seed.schema,
            Engine::Postgres,
            "from one database holding all seeds",
        );
        assert_complete(
            seed,
            &ddl,
            seed.schema,
            Engine::Postgres,
            "from the seed folder",
        );
    }
    assert_same_catalog(&live.catalog, &ddl.catalog, "the seed folder");
}

// MySQL / MariaDB translations: the schema is the database's name.

async fn mysql_live(seed: &Seed) {
    let db = MysqlDatabase::create();
    db.execute(&read_sql(&seed_path(seed, Engine::Mysql)));
    let ingested = read(&Source::Mysql { url: db.url() }, &IngestOptions::default()).await;
    assert_complete(
        seed,
        &ingested,
        &db.name,
        Engine::Mysql,
        "from a live MySQL/MariaDB",
    );
}

async fn mysql_ddl(seed: &Seed) {
    let source = ddl_source(&seed_path(seed, Engine::Mysql), Dialect::Mysql);
    let options = IngestOptions {
        default_schema: Some(seed.schema.to_string()),
        ..IngestOptions::default()
    };
    let ingested = read(&source, &options).await;
    assert_complete(
        seed,
        &ingested,
        seed.schema,
        Engine::Mysql,
        "as a MySQL DDL file",
    );
}

// SQLite translations: everything is in schema `main`.

/// A database file in the temporary folder, removed on drop.
struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn sqlite_file(seed: &Seed) {
    let db = TempDb(std::env::temp_dir().join(format!(
        "carta-seed-{}-{}.db",
        std::process::id(),
        seed.schema
    )));
    let _ = std::fs::remove_file(&db.0);
    rusqlite::Connection::open(&db.0)
        .and_then(|conn| conn.execute_batch(&read_sql(&seed_path(seed, Engine::Sqlite))))
        .unwrap_or_else(|e| panic!("applying {} to SQLite: {e}", seed.file));
    let ingested = read(
        &Source::SqliteFile { path: db.0.clone() },
        &IngestOptions::default(),
    )
    .await;
    assert_complete(
        seed,
        &ingested,
        "main",
        Engine::Sqlite,
        "from a SQLite file",
    );
}

async fn sqlite_ddl(seed: &Seed) {
    let source = ddl_source(&seed_path(seed, Engine::Sqlite), Dialect::Sqlite);
    let ingested = read(&source, &IngestOptions::default()).await;
    assert_complete(
        seed,
        &ingested,
        "main",
        Engine::Sqlite,
        "as a SQLite DDL file",
    );
}

macro_rules! translation_tests {
    ($($name:ident => $seed:expr),* $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn mysql_live() {
                super::mysql_live(&$seed).await;
            }

            #[tokio::test]
            async fn mysql_ddl() {
                super::mysql_ddl(&$seed).await;
            }

            #[tokio::test]
            async fn sqlite_file() {
                super::sqlite_file(&$seed).await;
            }

            #[tokio::test]
            async fn sqlite_ddl() {
                super::sqlite_ddl(&$seed).await;
            }
        }
    )*};
}

translation_tests! {
    translated_000_orko => ORKO,
    translated_002_plugins => PLUGINS,
}

/// The checks themselves must catch what they claim to: a schema missing
/// a column, a foreign key, a unique key and a value list, and carrying an
/// index the seed does not name, is reported.
#[test]
fn shortfalls_are_reported() {
    const PROBE: Seed = Seed {
        file: "probe.sql",
        schema: "s",
        tables: &[("t", &["id", "a"])],
        foreign_keys: &[fk("t", "id", "t")],
        unique: &[("t", &["id"])],
        value_lists: &[values("t", "id", &["'x'"])],
        ..NONE
    };
    let json = r#"{"format": 1, "fingerprint": "", "dialect": "postgres",
        "schemas": [{"name": "s", "tables": [{"name": "t", "kind": "table",
        "columns": [{"name": "id", "data_type": "text", "logical_type": {"kind": "text"}, "nullable": false}],
        "primary_key": {"columns": ["id"]},
        "indexes": [{"name": "t_id_idx", "unique": false, "method": "btree", "keys": [{"column": "id"}]}]}]}]}"#;
    let catalog = Catalog::from_json(json).expect("probe Catalog");
    let problems = shortfalls(&PROBE, &catalog, "s", Engine::Postgres);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert!(
        problems[0].contains("column s.t.a not found"),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "s.t: index t_id_idx is not named by the seed"),
        "{problems:#?}"
    );
    assert!(mentions_word(
        "(\"status\" = ANY (ARRAY[1, 2, 3]))",
        "status"
    ));
    assert!(!mentions_word("char_length(status_text) >= 1", "status"));
    assert!(!mentions_literal("x >= 10", "1"));
}
