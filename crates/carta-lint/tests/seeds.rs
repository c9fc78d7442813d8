//! The five seed systems in `examples/seeds/`, linted with the default
//! configuration as `carta lint examples/seeds/` does. The expectations are
//! read off the SQL (and its security notes): the gaps the seeds leave must be
//! found, and their well-designed parts must pass.

use carta_lint::{lint, LintConfig, Report, Severity};
use carta_source::{DdlFile, IngestOptions};
use std::path::Path;
use std::sync::OnceLock;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        paths.sort();
        assert_eq!(paths.len(), 5, "{paths:?}");
        let files: Vec<DdlFile> = paths
            .into_iter()
            .map(|path| DdlFile {
                text: std::fs::read_to_string(&path).unwrap(),
                path,
            })
            .collect();
        let ingested = carta_postgres::ingest_ddl(&files, &IngestOptions::default()).unwrap();
        assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
        let catalog = ingested.catalog;
        lint(&catalog, &catalog.relations(), &LintConfig::default()).unwrap()
    })
}

fn found(rule: &str) -> Vec<String> {
    report()
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.object.to_string())
        .collect()
}

#[test]
fn plain_text_secrets_are_errors_and_hashes_are_not() {
    assert_eq!(
        found("plaintext-secret"),
        [
            // Seed 003's security note: access and refresh tokens in plain text.
            "nadakki.oauth_tokens.access_token",
            "nadakki.oauth_tokens.refresh_token",
            // Seed 001: the webhook signing secret is stored as plain text.
            "orchestrator.webhooks.secret_key",
            // Seed 002's security note: credentials as plain JSON.
            "plugins.plugin.credentials",
        ]
    );
    let secrets = report()
        .findings
        .iter()
        .filter(|f| f.rule == "plaintext-secret");
    assert!(secrets.clone().all(|f| f.severity == Severity::Error));
    // Hashes, counters and a token id are not secrets; none of them may fire.
    for column in [
        "orko.auth_tokens.token_hash",
        "orko.users.hashed_password",
        "carta.users.password_hash",
        "orchestrator.phase_executions.token_usage",
        "orchestrator.api_usage.tokens_used",
        "plugins.user.active_token_id",
    ] {
        assert!(
            !report()
                .findings
                .iter()
                .any(|f| f.object.to_string() == column),
            "{column}"
        );
    }
}

#[test]
fn unindexed_foreign_keys_are_found_and_indexed_ones_pass() {
    let unindexed = found("fk-without-index");
    for fk in [
        // orko declares no index on any foreign key.
        "orko.users.users_org_id_fkey",
        "orko.auth_tokens.auth_tokens_user_id_fkey",
        "orko.logs.logs_user_id_fkey",
        // plugins: organization_id of both children.
        "plugins.plugin.plugin_organization_id_fkey",
        "plugins.user.user_organization_id_fkey",
        // orchestrator indexes organization_id on users/projects/api_usage only.
        "orchestrator.webhooks.webhooks_organization_id_fkey",
        "orchestrator.phase_executions.phase_executions_run_id_fkey",
        "orchestrator.projects.projects_created_by_fkey",
        // carta: UNIQUE (user_id, workspace_id) serves user_id, not workspace_id.
        "carta.memberships.memberships_workspace_id_fkey",
        "carta.queries.queries_workspace_id_fkey",
    ] {
        assert!(
            unindexed.iter().any(|f| f == fk),
            "{fk} missing: {unindexed:#?}"
        );
    }
    for fk in [
        // Indexed by the seeds' CREATE INDEX statements.
        "orchestrator.users.users_organization_id_fkey",
        "orchestrator.orchestration_runs.orchestration_runs_project_id_fkey",
        // Served by a unique constraint leading with the column.
        "carta.memberships.memberships_user_id_fkey",
        "carta.schemas.schemas_connection_id_fkey",
        "nadakki.tenant_config.tenant_config_tenant_id_fkey",
    ] {
        assert!(!unindexed.iter().any(|f| f == fk), "{fk} reported");
    }
    // Every nadakki foreign key has an index.
    assert!(!unindexed.iter().any(|f| f.starts_with("nadakki.")));
    assert_eq!(unindexed.len(), 29);
}

#[test]
fn index_and_soft_delete_findings() {
    // orchestrator indexes slug and email again next to their UNIQUE constraints.
    assert_eq!(
        found("duplicate-index"),
        [
            "orchestrator.organizations.idx_organizations_slug",
            "orchestrator.users.idx_users_email"
        ]
    );
    // (tenant_id) is the leading part of (tenant_id, platform).
    assert_eq!(
        found("redundant-index"),
        ["nadakki.oauth_tokens.ix_oauth_tokens_tenant_id"]
    );
    // Soft-deleted organizations and users still hold their slug, e-mail and user name.
    assert_eq!(
        found("soft-delete-unique"),
        [
            "orchestrator.organizations.organizations_slug_key",
            "orchestrator.users.users_email_key",
            "orchestrator.users.users_username_key"
        ]
    );
}

#[test]
fn types_and_tenancy_findings() {
    // Seed 002 keeps plugin.created_at naive UTC, knowingly.
    assert_eq!(
        found("timestamp-without-time-zone"),
        ["plugins.plugin.created_at"]
    );
    // Phases and operations cascade with their run but may have none.
    let nullable = found("nullable-owned-fk");
    assert!(nullable
        .iter()
        .any(|f| f == "orchestrator.phase_executions.phase_executions_run_id_fkey"));
    // orko.logs.org_id is SET NULL on purpose (the audit trail outlives the org).
    assert!(!nullable.iter().any(|f| f.starts_with("orko.")));
    // nadakki puts every tenant table under RLS; orko and plugins have none.
    let without_rls = found("tenant-without-rls");
    assert!(without_rls.iter().any(|t| t == "orko.users"));
    assert!(without_rls.iter().any(|t| t == "plugins.plugin"));
    assert!(!without_rls.iter().any(|t| t.starts_with("nadakki.")));
    assert!(!without_rls.iter().any(|t| t.starts_with("orchestrator.")));
    // The public-templates policy overlaps the organization-scoped one for SELECT.
    assert_eq!(
        found("overlapping-permissive-policies"),
        ["orchestrator.orchestration_templates.Templates are organization-scoped"]
    );
    assert_eq!(found("policy-without-rls"), Vec::<String>::new());
    assert_eq!(found("rls-without-policy"), Vec::<String>::new());
}

#[test]
fn the_seeds_are_documented_and_keyed() {
    for rule in [
        "table-comment",
        "column-comment",
        "no-primary-key",
        "fk-type-mismatch",
    ] {
        assert_eq!(found(rule), Vec::<String>::new(), "{rule}");
    }
    // Two tables have no declared relation: a polymorphic doc and an audit table.
    assert_eq!(
        found("isolated-table"),
        ["carta.docs", "nadakki.audit_logs"]
    );
    assert_eq!(report().suppressed, 0);
}
