//! `--single-page` documents the seed systems at least as completely as
//! their hand-written seed documents (`../shared/seeds/readable/`): every
//! table, column, relation, index, policy and status value a seed names is
//! named on the generated page, in the table's own section.

use carta_catalog::Catalog;
use carta_doc::markdown::{render, MarkdownOptions};
use carta_source::{DdlFile, IngestOptions};
use std::path::Path;

/// What each seed document names, written by hand from the seed texts
/// (the same facts `carta-ingest`'s seeds test checks in the Catalog):
/// `T table: columns`, `R table.column -> parent` (by `id`),
/// `I table.index`, `P table.policy`, `V table.column: values`.
const SEEDS: &[(&str, &str)] = &[
    (
        "000_orko.sql",
        "\
T users: id org_id name email hashed_password role status created_at updated_at
T orgs: id name domain plan status created_at updated_at
T auth_tokens: id user_id token_hash expires_at revoked_at status created_at updated_at
T automations: id user_id name trigger action config last_run_at status created_at updated_at
T logs: id org_id user_id level event details created_at
T feedback: id user_id rating comment context created_at updated_at
R users.org_id -> orgs
R auth_tokens.user_id -> users
R automations.user_id -> users
R logs.org_id -> orgs
R logs.user_id -> users
R feedback.user_id -> users
V users.status: active suspended archived
V orgs.status: active suspended archived
V auth_tokens.status: active suspended archived
V automations.status: active suspended archived
V users.role: admin operator viewer
",
    ),
    (
        "001_orchestrator.sql",
        "\
T organizations: id name slug subscription_tier api_quota_limit api_quota_used settings created_at updated_at deleted_at
T users: id organization_id email username full_name role permissions preferences last_login_at email_verified_at created_at updated_at deleted_at
T projects: id organization_id created_by name description topic status priority metadata settings created_at updated_at completed_at
T orchestration_runs: id project_id user_id topic status total_phases completed_phases success_rate execution_time_ms integration_enabled results error_details created_at completed_at
T phase_executions: id run_id phase_code phase_name status prompt_text response_text execution_time_ms token_usage error_details started_at completed_at
T integration_operations: id run_id operation_type operation_params status result execution_time_ms created_at completed_at
T api_usage: id organization_id user_id endpoint method tokens_used response_time_ms status_code created_at
T orchestration_templates: id organization_id created_by name description category template_data is_public usage_count created_at updated_at
T webhooks: id organization_id name url events secret_key is_active last_triggered_at created_at
T audit_logs: id organization_id user_id action resource_type resource_id old_values new_values ip_address user_agent created_at
R users.organization_id -> organizations
R projects.organization_id -> organizations
R projects.created_by -> users
R orchestration_runs.project_id -> projects
R orchestration_runs.user_id -> users
R phase_executions.run_id -> orchestration_runs
R integration_operations.run_id -> orchestration_runs
R api_usage.organization_id -> organizations
R api_usage.user_id -> users
R orchestration_templates.organization_id -> organizations
R orchestration_templates.created_by -> users
R webhooks.organization_id -> organizations
R audit_logs.organization_id -> organizations
R audit_logs.user_id -> users
I organizations.idx_organizations_slug
I users.idx_users_organization_id
I users.idx_users_email
I projects.idx_projects_organization_id
I projects.idx_projects_status
I orchestration_runs.idx_orchestration_runs_project_id
I orchestration_runs.idx_orchestration_runs_status
I api_usage.idx_api_usage_organization_id
I api_usage.idx_api_usage_created_at
P projects.Projects are organization-scoped
V organizations.subscription_tier: free pro enterprise
V users.role: admin manager member viewer
V projects.status: active completed archived failed
V projects.priority: low medium high urgent
",
    ),
    (
        "002_plugins.sql",
        "\
T organization: id name
T user: id firebase_id name email organization_id status is_system active_token_id date_joined last_login
T plugin: id organization_id data_source title credentials properties created_at
R user.organization_id -> organization
R plugin.organization_id -> organization
V user.status: 1 2 3
",
    ),
    (
        "003_nadakki.sql",
        "\
T tenants: id name slug plan created_at
T users: id tenant_id email role created_at
T oauth_tokens: id tenant_id platform access_token refresh_token expires_at created_at
T agent_executions: id tenant_id agent_id dry_run result created_at
T audit_events: id tenant_id user_id action endpoint method status_code latency_ms timestamp
T tenant_config: id tenant_id meta_live sendgrid
T audit_logs: id trace_id tenant_id agent_id mode status http_status latency_ms user_id error created_at
R users.tenant_id -> tenants
R oauth_tokens.tenant_id -> tenants
R agent_executions.tenant_id -> tenants
R audit_events.tenant_id -> tenants
R tenant_config.tenant_id -> tenants
I users.ix_users_tenant_id
I oauth_tokens.ix_oauth_tokens_tenant_id
I oauth_tokens.ix_oauth_tokens_tenant_platform
I agent_executions.ix_agent_executions_tenant_id
I agent_executions.ix_agent_executions_agent_id
I audit_events.ix_audit_events_tenant_id
I audit_events.ix_audit_events_timestamp
I audit_logs.ix_audit_logs_tenant_created
I audit_logs.ix_audit_logs_agent_created
I audit_logs.ix_audit_logs_trace_id
",
    ),
    (
        "004_carta.sql",
        "\
T users: id full_name email password_hash role created_at updated_at
T workspaces: id name owner_id created_at updated_at
T memberships: id user_id workspace_id role created_at
T connections: id workspace_id name db_type connection_uri mode created_at updated_at
T schemas: id connection_id version schema_json created_at
T tables: id schema_id name description created_at
T columns: id table_id name data_type is_nullable is_pk is_fk fk_table_id description
T queries: id workspace_id connection_id sql_text description created_by created_at
T executions: id query_id executed_by started_at duration_ms row_count status error_msg
T docs: id scope ref_id content_md template created_at updated_at
T mock_jobs: id table_id config status file_path created_at completed_at
T audits: id actor_id action resource details created_at
R workspaces.owner_id -> users
R memberships.user_id -> users
R memberships.workspace_id -> workspaces
R connections.workspace_id -> workspaces
R schemas.connection_id -> connections
R tables.schema_id -> schemas
R columns.table_id -> tables
R columns.fk_table_id -> tables
R queries.workspace_id -> workspaces
R queries.connection_id -> connections
R queries.created_by -> users
R executions.query_id -> queries
R executions.executed_by -> users
R mock_jobs.table_id -> tables
R audits.actor_id -> users
V users.role: admin developer analyst
V memberships.role: owner admin editor viewer
V connections.db_type: postgres mysql mssql mongodb
V connections.mode: read-only read-write
V executions.status: success failed cancelled
V docs.scope: schema table column
V mock_jobs.status: pending running completed
",
    ),
];

fn single_page(file: &str) -> (Catalog, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seeds")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let ingested = carta_postgres::ingest_ddl(&[DdlFile { path, text }], &IngestOptions::default())
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let catalog = ingested.catalog;
    let options = MarkdownOptions {
        single_page: true,
        ..MarkdownOptions::default()
    };
    let docs = render(&catalog, &catalog.relations(), &options).unwrap();
    let page = String::from_utf8(docs.get("README.md").unwrap().to_vec()).unwrap();
    (catalog, page)
}

/// The text of a table's section: from its heading to the next heading of
/// the same or a higher level.
fn section<'p>(page: &'p str, table: &str) -> Option<&'p str> {
    let heading = format!("\n### `{table}`\n");
    let start = page.find(&heading)? + 1;
    let rest = &page[start + heading.len() - 1..];
    let end = ["\n### ", "\n## "]
        .iter()
        .filter_map(|h| rest.find(h))
        .min()
        .unwrap_or(rest.len());
    Some(&page[start..start + heading.len() - 1 + end])
}

/// Everything `expected` names that `page` does not. List items must start
/// their own line: items run together are not a list on GitHub.
fn shortfalls(page: &str, expected: &str) -> Vec<String> {
    let mut missing = Vec::new();
    let mut glossary_missing = Vec::new();
    let mut need = |table: &str, what: String, text: String| match section(page, table) {
        None => missing.push(format!("no section for table {table}")),
        Some(body) if !body.contains(&text) => missing.push(format!("{table}: {what} ({text})")),
        Some(_) => {}
    };
    for line in expected.lines() {
        let (kind, item) = line.split_once(' ').unwrap();
        let (subject, rest) = item.split_once([':', ' ']).unwrap_or((item, ""));
        let (table, name) = subject.split_once('.').unwrap_or((subject, ""));
        match kind {
            "T" => {
                for column in rest.split_whitespace() {
                    need(table, format!("column {column}"), format!("| `{column}` |"));
                }
            }
            "R" => {
                let parent = rest.trim_start_matches("-> ").trim();
                need(
                    table,
                    format!("relation to {parent}"),
                    format!("\n- `{table}.{name}` → [`{parent}.id`](#"),
                );
            }
            "I" => need(table, "index".into(), format!("\n- `{name}` on (")),
            "P" => {
                // Policy names may hold spaces: the name is all after the table.
                let (table, policy) = item.split_once('.').unwrap();
                need(table, "policy".into(), format!("\n- Policy `{policy}`"));
            }
            "V" => {
                let values: Vec<String> =
                    rest.split_whitespace().map(|v| format!("`{v}`")).collect();
                let listed = format!("One of {}.", values.join(", "));
                need(table, format!("values of {name}"), listed.clone());
                // A glossary row names the column (its own row, or among an
                // enum type's users) and lists the values.
                let column = format!("[`{table}.{name}`](#");
                let glossary = page.split_once("\n## Glossary\n").map_or("", |(_, g)| g);
                let found = glossary
                    .lines()
                    .any(|row| row.contains(&column) && row.contains(&values.join(", ")));
                if !found {
                    glossary_missing.push(format!(
                        "glossary: {table}.{name} with {}",
                        values.join(", ")
                    ));
                }
            }
            other => panic!("unknown expectation kind {other}"),
        }
    }
    missing.extend(glossary_missing);
    missing
}

#[test]
fn single_pages_name_everything_their_seed_names() {
    for (file, expected) in SEEDS {
        let (catalog, page) = single_page(file);
        let mut missing = shortfalls(&page, expected);
        // Beyond the seed: every table, column and index read from the file is there too.
        for (_, table) in catalog.tables() {
            let Some(body) = section(&page, &table.name) else {
                missing.push(format!("no section for {}", table.name));
                continue;
            };
            for column in &table.columns {
                if !body.contains(&format!("| `{}` |", column.name)) {
                    missing.push(format!("{}: column {}", table.name, column.name));
                }
            }
            for index in &table.indexes {
                if !body.contains(&format!("\n- `{}` on (", index.name)) {
                    missing.push(format!("{}: index {}", table.name, index.name));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{file}: the single page falls short in {} ways:\n  {}\n--- page:\n{page}",
            missing.len(),
            missing.join("\n  ")
        );
    }
}

#[test]
fn the_checks_catch_what_is_missing() {
    let page = "# x\n\n### `users`\n\n| `id` |\n- `users.org_id` → [`orgs.id`](#orgs)\n\n### `orgs`\n\n| `id` |\n";
    assert!(shortfalls(page, "T users: id\nR users.org_id -> orgs").is_empty());
    let missing = shortfalls(
        page,
        "T users: id email\nT teams: id\nR orgs.owner_id -> users\nI users.ix_users_email",
    );
    assert_eq!(missing.len(), 4, "{missing:#?}");
}
