//! Unit tests of the rules, configuration and silencing. Schemas are
//! PostgreSQL DDL read by the real DDL reader.

use crate::{
    lint, rule, rules, Finding, LintConfig, LintConfigError, ObjectKind, Report, RuleSetting,
    Severity,
};
use carta_catalog::Catalog;
use carta_source::{DdlFile, IngestOptions};
use serde_json::json;

fn catalog(ddl: &str) -> Catalog {
    let ingested = carta_postgres::ingest_ddl(
        &[DdlFile {
            path: "test.sql".into(),
            text: format!("CREATE SCHEMA app;\n{ddl}"),
        }],
        &IngestOptions::default(),
    )
    .expect("test DDL reads");
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    ingested.catalog
}

fn lint_ddl(ddl: &str, config: &LintConfig) -> Report {
    let catalog = catalog(ddl);
    lint(&catalog, &catalog.relations(), config).expect("valid config")
}

/// Findings of one rule, as `object` strings.
fn objects_of(report: &Report, rule: &str) -> Vec<String> {
    of_rule(report, rule)
        .map(|f| f.object.to_string())
        .collect()
}

fn of_rule<'a>(report: &'a Report, rule: &'a str) -> impl Iterator<Item = &'a Finding> {
    report.findings.iter().filter(move |f| f.rule == rule)
}

fn setting(options: serde_json::Value) -> RuleSetting {
    RuleSetting {
        options: options.as_object().cloned().unwrap_or_default(),
        ..RuleSetting::default()
    }
}

fn config_for(rule: &str, setting: RuleSetting) -> LintConfig {
    LintConfig {
        rules: [(rule.to_string(), setting)].into(),
        ..LintConfig::default()
    }
}

/// Each rule's bad example: the object reported, its kind, and the settings
/// the example's comment names (rules off by default are switched on).
const EXAMPLES: &[(&str, &str, ObjectKind)] = &[
    ("table-comment", "app.invoices", ObjectKind::Table),
    ("column-comment", "app.invoices.total", ObjectKind::Column),
    (
        "index-comment",
        "app.events.events_happened_at_idx",
        ObjectKind::Index,
    ),
    (
        "constraint-comment",
        "app.reviews.reviews_rating_range",
        ObjectKind::Constraint,
    ),
    (
        "trigger-comment",
        "app.notes.notes_touch",
        ObjectKind::Trigger,
    ),
    ("isolated-table", "app.orders", ObjectKind::Table),
    ("column-count", "app.profiles", ObjectKind::Table),
    ("required-columns", "app.notes", ObjectKind::Table),
    ("no-primary-key", "app.page_views", ObjectKind::Table),
    (
        "fk-without-index",
        "app.users.users_org_id_fkey",
        ObjectKind::ForeignKey,
    ),
    (
        "duplicate-index",
        "app.accounts.accounts_slug_idx",
        ObjectKind::Index,
    ),
    (
        "redundant-index",
        "app.tokens.tokens_tenant_idx",
        ObjectKind::Index,
    ),
    (
        "duplicate-relation",
        "app.users.users_org_fk2",
        ObjectKind::ForeignKey,
    ),
    ("fk-type-mismatch", "app.users.org_id", ObjectKind::Column),
    (
        "nullable-owned-fk",
        "app.steps.steps_run_id_fkey",
        ObjectKind::ForeignKey,
    ),
    (
        "soft-delete-unique",
        "app.members.members_email_key",
        ObjectKind::Constraint,
    ),
    (
        "status-column-without-check",
        "app.jobs.status",
        ObjectKind::Column,
    ),
    (
        "timestamp-without-time-zone",
        "app.plugins.created_at",
        ObjectKind::Column,
    ),
    ("naming-convention", "app.OrderItems", ObjectKind::Table),
    (
        "plaintext-secret",
        "app.oauth_tokens.access_token",
        ObjectKind::Column,
    ),
    ("tenant-without-rls", "app.projects", ObjectKind::Table),
    (
        "tenant-column-unindexed",
        "app.events.tenant_id",
        ObjectKind::Column,
    ),
    ("rls-without-policy", "app.notes", ObjectKind::Table),
    ("policy-without-rls", "app.notes", ObjectKind::Table),
    (
        "overlapping-permissive-policies",
        "app.templates.public_templates",
        ObjectKind::Policy,
    ),
];

/// The configuration a rule's examples are written for.
fn example_config(id: &str) -> LintConfig {
    let mut rule_setting = match id {
        "column-count" => setting(json!({"max": 3})),
        "required-columns" => setting(json!({"columns": ["created_at"]})),
        _ => RuleSetting::default(),
    };
    rule_setting.enabled = Some(true);
    config_for(id, rule_setting)
}

#[test]
fn every_rule_reports_its_bad_example_and_not_its_good_one() {
    assert_eq!(
        EXAMPLES.iter().map(|e| e.0).collect::<Vec<_>>(),
        rules().iter().map(|r| r.id).collect::<Vec<_>>(),
        "every rule needs an example expectation, in rules() order"
    );
    for &(id, object, kind) in EXAMPLES {
        let info = rule(id).unwrap();
        let config = example_config(id);
        let bad = lint_ddl(info.example_bad, &config);
        let finding = of_rule(&bad, id)
            .find(|f| f.object.to_string() == object)
            .unwrap_or_else(|| panic!("{id}: {object} not reported: {:#?}", bad.findings));
        assert_eq!(finding.object.kind, kind, "{id}");
        assert_eq!(finding.severity, info.default_severity, "{id}");
        assert_eq!(finding.category, info.category, "{id}");
        assert!(
            finding.message.contains(object.rsplit('.').next().unwrap()),
            "{id}: the message names the object: {}",
            finding.message
        );
        assert!(!finding.hint.is_empty(), "{id}");
        let good = lint_ddl(info.example_good, &config);
        assert_eq!(
            objects_of(&good, id),
            Vec::<String>::new(),
            "{id}: good example"
        );
    }
}

#[test]
fn rule_ids_are_unique_kebab_case_and_options_have_valid_defaults() {
    let mut ids: Vec<_> = rules().iter().map(|r| r.id).collect();
    for id in &ids {
        assert!(
            id.contains('-') && id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{id}"
        );
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rules().len());
    // Resolving every default option must succeed, for every rule.
    let all_on = LintConfig {
        rules: rules()
            .iter()
            .map(|r| {
                let s = RuleSetting {
                    enabled: Some(true),
                    ..RuleSetting::default()
                };
                (r.id.to_string(), s)
            })
            .collect(),
        ..LintConfig::default()
    };
    all_on.validate().unwrap();
    assert!(rule("no-such-rule").is_none());
}

#[test]
fn off_by_default_rules_do_not_run() {
    let report = lint_ddl(
        "CREATE TABLE app.t (id bigint PRIMARY KEY, at timestamptz);\n\
         CREATE INDEX t_at_idx ON app.t (at);",
        &LintConfig::default(),
    );
    assert!(!report.rules_run.contains(&"index-comment"));
    assert!(!report.rules_run.contains(&"constraint-comment"));
    assert!(report.rules_run.contains(&"fk-without-index"));
    assert_eq!(objects_of(&report, "index-comment"), Vec::<String>::new());
}

#[test]
fn foreign_key_indexes_count_in_any_order_and_only_as_leading_columns() {
    let report = lint_ddl(
        "CREATE TABLE app.parent (a int, b int, PRIMARY KEY (a, b));\n\
         CREATE TABLE app.by_any_order (id int PRIMARY KEY, a int, b int, c int,\n\
             CONSTRAINT any_order_fk FOREIGN KEY (a, b) REFERENCES app.parent (a, b));\n\
         CREATE INDEX by_any_order_idx ON app.by_any_order (b, a, c);\n\
         CREATE TABLE app.not_leading (id int PRIMARY KEY, a int, b int, c int,\n\
             CONSTRAINT not_leading_fk FOREIGN KEY (a, b) REFERENCES app.parent (a, b));\n\
         CREATE INDEX not_leading_idx ON app.not_leading (a, c, b);\n\
         CREATE TABLE app.partial (id int PRIMARY KEY, a int, b int,\n\
             CONSTRAINT partial_fk FOREIGN KEY (a, b) REFERENCES app.parent (a, b));\n\
         CREATE INDEX partial_idx ON app.partial (a, b) WHERE a > 0;\n\
         CREATE TABLE app.by_key (a int, b int, PRIMARY KEY (b, a),\n\
             CONSTRAINT by_key_fk FOREIGN KEY (a, b) REFERENCES app.parent (a, b));\n\
         CREATE TABLE app.by_unique (id int PRIMARY KEY, a int, b int, UNIQUE (a, b),\n\
             CONSTRAINT by_unique_fk FOREIGN KEY (a, b) REFERENCES app.parent (a, b));\n\
         CREATE TABLE app.by_gin (id int PRIMARY KEY, a int, b int,\n\
             CONSTRAINT by_gin_fk FOREIGN KEY (a, b) REFERENCES app.parent (a, b));\n\
         CREATE INDEX by_gin_idx ON app.by_gin USING gin (a, b);",
        &LintConfig::default(),
    );
    assert_eq!(
        objects_of(&report, "fk-without-index"),
        [
            "app.by_gin.by_gin_fk",
            "app.not_leading.not_leading_fk",
            "app.partial.partial_fk"
        ]
    );
    let finding = of_rule(&report, "fk-without-index").next().unwrap();
    assert_eq!(
        finding.message,
        "foreign key by_gin_fk (a, b) -> app.parent (a, b) has no index starting with its columns"
    );
    assert_eq!(finding.hint, "CREATE INDEX ON app.by_gin (a, b);");
}

#[test]
fn duplicate_and_redundant_indexes() {
    let report = lint_ddl(
        "CREATE TABLE app.t (id int PRIMARY KEY, a int, b int, c int, CONSTRAINT t_a_key UNIQUE (a));\n\
         CREATE INDEX t_a_plain ON app.t (a);\n\
         CREATE INDEX t_b_1 ON app.t (b);\n\
         CREATE INDEX t_b_2 ON app.t (b);\n\
         CREATE INDEX t_b_desc ON app.t (b DESC);\n\
         CREATE INDEX t_b_partial ON app.t (b) WHERE c > 0;\n\
         CREATE INDEX t_b_hash ON app.t USING hash (b);\n\
         CREATE INDEX t_c ON app.t (c);\n\
         CREATE UNIQUE INDEX t_c_unique ON app.t (c) WHERE a IS NULL;\n\
         CREATE INDEX t_c_a ON app.t (c, a);\n\
         CREATE UNIQUE INDEX t_b_a_unique ON app.t (b, a);",
        &LintConfig::default(),
    );
    // The constraint's index is kept over the plain one; t_b_1 over t_b_2 by name.
    assert_eq!(
        objects_of(&report, "duplicate-index"),
        ["app.t.t_a_plain", "app.t.t_b_2"]
    );
    assert_eq!(
        of_rule(&report, "duplicate-index").next().unwrap().hint,
        "DROP INDEX app.t_a_plain;"
    );
    // t_c leads t_c_a; t_b_1 and t_b_2 lead the unique (b, a); a unique or
    // partial index is never redundant, nor one in the other direction.
    assert_eq!(
        objects_of(&report, "redundant-index"),
        ["app.t.t_b_1", "app.t.t_b_2", "app.t.t_c"]
    );
}

#[test]
fn foreign_key_types_compare_as_logical_types() {
    let report = lint_ddl(
        "CREATE TABLE app.p (id bigint PRIMARY KEY, code varchar(100) UNIQUE, name text UNIQUE, u uuid UNIQUE);\n\
         CREATE TABLE app.c (id int PRIMARY KEY,\n\
             narrow_id integer REFERENCES app.p (id),\n\
             wide_id bigint REFERENCES app.p (id),\n\
             short_code varchar(50) REFERENCES app.p (code),\n\
             long_code varchar(200) REFERENCES app.p (code),\n\
             text_code text REFERENCES app.p (code),\n\
             bounded_name varchar(20) REFERENCES app.p (name),\n\
             u_as_text text REFERENCES app.p (u));",
        &LintConfig::default(),
    );
    assert_eq!(
        objects_of(&report, "fk-type-mismatch"),
        [
            "app.c.bounded_name",
            "app.c.narrow_id",
            "app.c.short_code",
            "app.c.u_as_text"
        ]
    );
    let narrow = of_rule(&report, "fk-type-mismatch")
        .find(|f| f.object.name.as_deref() == Some("narrow_id"))
        .unwrap();
    assert_eq!(
        narrow.message,
        "column app.c.narrow_id (integer) references app.p.id (bigint): integer widths differ (32 against 64 bits)"
    );
    assert_eq!(
        narrow.hint,
        "ALTER TABLE app.c ALTER COLUMN narrow_id TYPE bigint;"
    );
}

#[test]
fn nullable_owned_foreign_keys() {
    let report = lint_ddl(
        "CREATE TABLE app.orgs (id int PRIMARY KEY);\n\
         CREATE TABLE app.a (id int PRIMARY KEY, org_id int REFERENCES app.orgs (id));\n\
         CREATE TABLE app.b (id int PRIMARY KEY, org_id int REFERENCES app.orgs (id) ON DELETE SET NULL);\n\
         CREATE TABLE app.c (id int PRIMARY KEY, owner_id int REFERENCES app.orgs (id));\n\
         CREATE TABLE app.d (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES app.orgs (id) ON DELETE CASCADE);",
        &LintConfig::default(),
    );
    // a: nullable tenant column; b: SET NULL is deliberate; c: not owned; d: NOT NULL.
    assert_eq!(
        objects_of(&report, "nullable-owned-fk"),
        ["app.a.a_org_id_fkey"]
    );
    assert_eq!(
        of_rule(&report, "nullable-owned-fk").next().unwrap().hint,
        "ALTER TABLE app.a ALTER COLUMN org_id SET NOT NULL;"
    );
}

#[test]
fn soft_delete_unique_keys() {
    let report = lint_ddl(
        "CREATE TABLE app.m (id int PRIMARY KEY, email text UNIQUE, slug text, handle text, deleted_at timestamptz);\n\
         CREATE UNIQUE INDEX m_slug_live ON app.m (slug) WHERE deleted_at IS NULL;\n\
         CREATE UNIQUE INDEX m_handle ON app.m (lower(handle));\n\
         CREATE TABLE app.n (id int PRIMARY KEY, email text UNIQUE);",
        &LintConfig::default(),
    );
    assert_eq!(
        objects_of(&report, "soft-delete-unique"),
        ["app.m.m_email_key", "app.m.m_handle"]
    );
    let index = of_rule(&report, "soft-delete-unique").nth(1).unwrap();
    assert_eq!(index.object.kind, ObjectKind::Index);
    assert_eq!(
        index.hint,
        "DROP INDEX app.m_handle; CREATE UNIQUE INDEX m_handle ON app.m ((lower(handle))) WHERE deleted_at IS NULL;"
    );
}

#[test]
fn status_columns_closed_by_check_enum_domain_or_foreign_key_pass() {
    let report = lint_ddl(
        "CREATE TYPE app.mood AS ENUM ('up', 'down');\n\
         CREATE DOMAIN app.level AS text CHECK (VALUE IN ('a', 'b'));\n\
         CREATE TABLE app.kinds (code text PRIMARY KEY);\n\
         CREATE TABLE app.t (id int PRIMARY KEY,\n\
             status text, state app.mood, role app.level,\n\
             kind text REFERENCES app.kinds (code),\n\
             payment_type varchar(20) CHECK (payment_type IN ('card', 'cash')),\n\
             order_status varchar(20), type integer, statuses text);",
        &LintConfig::default(),
    );
    assert_eq!(
        objects_of(&report, "status-column-without-check"),
        ["app.t.order_status", "app.t.status"]
    );
}

#[test]
fn row_level_security_rules() {
    let report = lint_ddl(
        "CREATE TABLE app.t (id int PRIMARY KEY, org_id int);\n\
         ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p_all ON app.t USING (true);\n\
         CREATE POLICY p_select ON app.t FOR SELECT USING (true);\n\
         CREATE POLICY p_insert_admin ON app.t FOR INSERT TO admin WITH CHECK (true);\n\
         CREATE POLICY p_update_admin ON app.t FOR UPDATE TO admin USING (true);\n\
         CREATE POLICY p_update_clerk ON app.t FOR UPDATE TO clerk USING (true);\n\
         CREATE POLICY r_select ON app.t AS RESTRICTIVE FOR SELECT USING (true);",
        &LintConfig::default(),
    );
    // Every policy after p_all overlaps it (ALL, public); among the others
    // only the restrictive one is left out.
    assert_eq!(
        objects_of(&report, "overlapping-permissive-policies"),
        [
            "app.t.p_insert_admin",
            "app.t.p_select",
            "app.t.p_update_admin",
            "app.t.p_update_clerk"
        ]
    );
    let quiet = lint_ddl(
        "CREATE TABLE app.t (id int PRIMARY KEY, org_id int);\n\
         ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p_insert_admin ON app.t FOR INSERT TO admin WITH CHECK (true);\n\
         CREATE POLICY p_update_admin ON app.t FOR UPDATE TO admin USING (true);\n\
         CREATE POLICY p_update_clerk ON app.t FOR UPDATE TO clerk USING (true);",
        &LintConfig::default(),
    );
    assert_eq!(
        objects_of(&quiet, "overlapping-permissive-policies"),
        Vec::<String>::new()
    );
    assert_eq!(
        objects_of(&quiet, "tenant-without-rls"),
        Vec::<String>::new()
    );
}

#[test]
fn row_level_security_rules_do_not_run_on_other_dialects() {
    let mut catalog = catalog(
        "CREATE TABLE app.t (id int PRIMARY KEY, org_id int);\n\
         CREATE INDEX t_org_idx ON app.t (org_id);",
    );
    catalog.dialect = carta_catalog::Dialect::Mysql;
    let report = lint(&catalog, &catalog.relations(), &LintConfig::default()).unwrap();
    assert!(!report.rules_run.contains(&"tenant-without-rls"));
    assert!(!report.rules_run.contains(&"trigger-comment"));
    assert!(report.rules_run.contains(&"tenant-column-unindexed"));
    assert_eq!(
        objects_of(&report, "tenant-without-rls"),
        Vec::<String>::new()
    );
}

#[test]
fn naming_options() {
    let ddl =
        "CREATE TABLE app.\"orderItem\" (id int PRIMARY KEY, \"unitPrice\" int, quantity int);\n\
               CREATE TABLE app.users (id int PRIMARY KEY);";
    let snake = lint_ddl(ddl, &LintConfig::default());
    assert_eq!(
        objects_of(&snake, "naming-convention"),
        ["app.orderItem", "app.orderItem.unitPrice"]
    );
    let renamed = of_rule(&snake, "naming-convention").next().unwrap();
    assert_eq!(
        renamed.hint,
        "ALTER TABLE app.\"orderItem\" RENAME TO order_item;"
    );

    let camel_plural = config_for(
        "naming-convention",
        setting(json!({"case": "camel", "tables": "plural"})),
    );
    let report = lint_ddl(ddl, &camel_plural);
    let messages: Vec<_> = of_rule(&report, "naming-convention")
        .map(|f| (f.object.to_string(), f.hint.as_str()))
        .collect();
    assert_eq!(
        messages,
        [(
            "app.orderItem".to_string(),
            "ALTER TABLE app.\"orderItem\" RENAME TO \"orderItems\";"
        )]
    );
}

#[test]
fn secret_names() {
    let report = lint_ddl(
        "CREATE TABLE app.s (id int PRIMARY KEY,\n\
             password text, api_key varchar(64), \"clientSecret\" text, credentials jsonb, private_key bytea,\n\
             password_hash text, token_digest text, secret_encrypted bytea, enc_token text, token_ref text,\n\
             active_token_id text, token_prefix text, card_last4 text, token_type text,\n\
             token_expires_at timestamptz, tokens_used integer, token_usage jsonb, token_count integer,\n\
             pin_token integer);",
        &LintConfig::default(),
    );
    assert_eq!(
        objects_of(&report, "plaintext-secret"),
        [
            "app.s.api_key",
            "app.s.clientSecret",
            "app.s.credentials",
            "app.s.password",
            "app.s.private_key"
        ]
    );
}

#[test]
fn configuration_overrides() {
    let ddl = "CREATE TABLE app.keep (id int);\n\
               CREATE TABLE app.tmp_scratch (id int);\n\
               CREATE TABLE app.logs_2025 (id int);";
    let default = lint_ddl(ddl, &LintConfig::default());
    assert_eq!(
        objects_of(&default, "no-primary-key"),
        ["app.keep", "app.logs_2025", "app.tmp_scratch"]
    );
    assert!(of_rule(&default, "no-primary-key").all(|f| f.severity == Severity::Error));

    let mut config = LintConfig {
        exclude: vec!["tmp_*".into()],
        ..LintConfig::default()
    };
    config.rules.insert(
        "no-primary-key".into(),
        RuleSetting {
            severity: Some(Severity::Info),
            exclude: vec!["app.logs_*".into()],
            ..RuleSetting::default()
        },
    );
    config.rules.insert(
        "table-comment".into(),
        RuleSetting {
            enabled: Some(false),
            ..RuleSetting::default()
        },
    );
    let report = lint_ddl(ddl, &config);
    assert_eq!(objects_of(&report, "no-primary-key"), ["app.keep"]);
    assert_eq!(
        of_rule(&report, "no-primary-key").next().unwrap().severity,
        Severity::Info
    );
    assert!(!report.rules_run.contains(&"table-comment"));
    // The global exclude applies to every rule; the per-rule one only to its rule.
    assert!(report
        .findings
        .iter()
        .all(|f| f.object.table.as_deref() != Some("tmp_scratch")));
    assert_eq!(
        objects_of(&report, "column-comment"),
        ["app.keep.id", "app.logs_2025.id"]
    );
}

#[test]
fn column_count_option() {
    let ddl = "CREATE TABLE app.t (id int PRIMARY KEY, a int, b int);";
    assert_eq!(
        objects_of(&lint_ddl(ddl, &LintConfig::default()), "column-count"),
        Vec::<String>::new()
    );
    let report = lint_ddl(ddl, &config_for("column-count", setting(json!({"max": 2}))));
    let finding = of_rule(&report, "column-count").next().unwrap();
    assert_eq!(finding.message, "app.t has 3 columns, more than 2");
    let exact = lint_ddl(ddl, &config_for("column-count", setting(json!({"max": 3}))));
    assert_eq!(objects_of(&exact, "column-count"), Vec::<String>::new());
}

#[test]
fn configuration_errors() {
    let error = |config: LintConfig| {
        let validated = config.validate().unwrap_err();
        let catalog = catalog("CREATE TABLE app.t (id int PRIMARY KEY);");
        let linted = lint(&catalog, &catalog.relations(), &config).unwrap_err();
        assert_eq!(validated, linted, "validate catches what lint rejects");
        validated
    };
    let unknown_rule = error(config_for("no-such-rule", RuleSetting::default()));
    assert_eq!(
        unknown_rule,
        LintConfigError::UnknownRule {
            rule: "no-such-rule".into()
        }
    );
    assert_eq!(unknown_rule.to_string(), "unknown lint rule `no-such-rule`");

    let unknown_option = error(config_for("column-count", setting(json!({"maximum": 3}))));
    assert_eq!(
        unknown_option.to_string(),
        "lint rule `column-count` has no option `maximum` (its options: max)"
    );
    let no_options = error(config_for("table-comment", setting(json!({"max": 3}))));
    assert_eq!(
        no_options,
        LintConfigError::UnknownOption {
            rule: "table-comment".into(),
            option: "max".into(),
            known: "none".into()
        }
    );

    let invalid = |rule: &str, options| match error(config_for(rule, setting(options))) {
        LintConfigError::InvalidOption { message, .. } => message,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        invalid("column-count", json!({"max": 0})),
        "expected an integer of at least 1, got 0"
    );
    assert_eq!(
        invalid("column-count", json!({"max": "ten"})),
        "expected an integer of at least 1, got \"ten\""
    );
    assert_eq!(
        invalid("required-columns", json!({"columns": "created_at"})),
        "expected a list of strings, got \"created_at\""
    );
    assert_eq!(
        invalid("naming-convention", json!({"case": "kebab"})),
        "expected one of \"snake\", \"camel\", \"pascal\", got \"kebab\""
    );
    assert!(
        invalid("status-column-without-check", json!({"names": ["[status"]}))
            .starts_with("invalid pattern `[status`")
    );
    // A disabled rule's options are still checked.
    let mut disabled = setting(json!({"max": -1}));
    disabled.enabled = Some(false);
    assert!(matches!(
        error(config_for("column-count", disabled)),
        LintConfigError::InvalidOption { .. }
    ));

    let bad_pattern = error(LintConfig {
        exclude: vec!["app.[x".into()],
        ..LintConfig::default()
    });
    assert!(
        matches!(bad_pattern, LintConfigError::Pattern { ref pattern, .. } if pattern == "app.[x")
    );
    let rule_pattern = RuleSetting {
        exclude: vec!["{a".into()],
        ..RuleSetting::default()
    };
    assert!(matches!(
        error(config_for("table-comment", rule_pattern)),
        LintConfigError::Pattern { .. }
    ));
}

#[test]
fn ignore_comments_silence_objects_and_count() {
    let ddl = "CREATE TABLE app.quiet (id int, secret text);\n\
               COMMENT ON TABLE app.quiet IS 'Imported as is. carta:ignore';\n\
               CREATE TABLE app.partly (id int, api_key text, password text);\n\
               COMMENT ON TABLE app.partly IS 'Keys. carta:ignore no-primary-key';\n\
               COMMENT ON COLUMN app.partly.api_key IS 'Sandbox key. carta:ignore plaintext-secret, column-comment';";
    let report = lint_ddl(ddl, &LintConfig::default());
    assert!(report
        .findings
        .iter()
        .all(|f| f.object.table.as_deref() != Some("quiet")));
    assert_eq!(objects_of(&report, "no-primary-key"), Vec::<String>::new());
    assert_eq!(
        objects_of(&report, "plaintext-secret"),
        ["app.partly.password"]
    );
    // api_key has a comment, so column-comment has nothing to silence there.
    assert_eq!(
        objects_of(&report, "column-comment"),
        ["app.partly.id", "app.partly.password"]
    );
    // quiet: no-primary-key, column-comment x2, plaintext-secret, isolated-table;
    // partly: no-primary-key, plaintext-secret on api_key.
    let unsilenced = lint_ddl(
        &ddl.replace("carta:ignore", "ignore"),
        &LintConfig::default(),
    );
    assert_eq!(
        report.suppressed,
        unsilenced.findings.len() - report.findings.len()
    );
    assert_eq!(report.suppressed, 7);
}

#[test]
fn report_counts_sorting_and_determinism() {
    let ddl = "CREATE TABLE app.b (id int, status text, token text);\n\
               CREATE TABLE app.a (id int PRIMARY KEY);";
    let report = lint_ddl(ddl, &LintConfig::default());
    assert_eq!(report.max_severity(), Some(Severity::Error));
    assert_eq!(
        report.count(Severity::Error)
            + report.count(Severity::Warning)
            + report.count(Severity::Info),
        report.findings.len()
    );
    assert_eq!(report.count(Severity::Error), 2, "{:#?}", report.findings);
    let keys: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.object.clone(), f.rule))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(report.findings[0].object.to_string(), "app.a");
    assert_eq!(report, lint_ddl(ddl, &LintConfig::default()));
    assert_eq!(Report::default().max_severity(), None);
    assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
}
