//! Every SQLite feature, read from a real database file and from the DDL
//! text, asserted fact by fact.

mod common;

use carta_catalog::{
    Catalog, CheckConstraint, Column, ForeignKey, Generated, Identity, Index, IndexKey,
    IndexKeyOptions, LogicalType, MatchType, PrimaryKey, QualifiedName, ReferentialAction, Table,
    TableKind, Trigger, TriggerEvent, TriggerTiming, UniqueConstraint,
};
use carta_source::IngestOptions;
use common::{database_file, ddl_file, TempDir, FEATURES};

fn both() -> Vec<(&'static str, Catalog)> {
    let dir = TempDir::new("features");
    let path = database_file(&dir, "features.db", FEATURES);
    let options = IngestOptions::default();
    let file = carta_sqlite::ingest_file(&path, &options).expect("file reads");
    let ddl =
        carta_sqlite::ingest_ddl(&ddl_file("features.sql", FEATURES), &options).expect("DDL reads");
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert!(ddl.warnings.is_empty(), "{:?}", ddl.warnings);
    vec![("file", file.catalog), ("ddl", ddl.catalog)]
}

fn table<'a>(catalog: &'a Catalog, name: &str) -> &'a Table {
    catalog
        .table(&QualifiedName::new("main", name))
        .unwrap_or_else(|| panic!("table {name} missing"))
}

fn column(name: &str, data_type: &str, logical_type: LogicalType, nullable: bool) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        logical_type,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn text() -> LogicalType {
    LogicalType::Text {
        max_length: None,
        fixed: false,
    }
}

fn int64() -> LogicalType {
    LogicalType::Integer {
        bits: 64,
        unsigned: false,
    }
}

fn key(name: &str) -> IndexKey {
    IndexKey::Column {
        name: name.into(),
        options: IndexKeyOptions::default(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn catalog_is_sqlite_main_without_internal_or_shadow_tables() {
    for (how, catalog) in both() {
        assert_eq!(catalog.dialect, carta_catalog::Dialect::Sqlite, "{how}");
        assert!(
            catalog.source.is_none(),
            "{how}: the dispatcher fills the source"
        );
        let names: Vec<_> = catalog.schemas.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["main"], "{how}");
        let tables: Vec<_> = catalog.tables().map(|(_, t)| t.name.as_str()).collect();
        assert_eq!(
            tables,
            [
                "accounts",
                "active_accounts",
                "events",
                "legacy",
                "notes",
                "ordered",
                "project_tags",
                "projects",
                "tags"
            ],
            "{how}"
        );
        assert_eq!(catalog.fingerprint, catalog.compute_fingerprint(), "{how}");
    }
}

#[test]
fn columns_types_defaults_generated_collations_and_comments() {
    for (how, catalog) in both() {
        let accounts = table(&catalog, "accounts");
        assert_eq!(
            accounts.comment.as_deref(),
            Some("Customer accounts"),
            "{how}"
        );
        let expected = vec![
            Column {
                identity: Some(Identity::ByDefault),
                comment: Some("surrogate key".into()),
                ..column("id", "INTEGER", int64(), false)
            },
            Column {
                collation: Some("NOCASE".into()),
                ..column(
                    "email",
                    "VARCHAR(255)",
                    LogicalType::Text {
                        max_length: Some(255),
                        fixed: false,
                    },
                    false,
                )
            },
            column("display_name", "TEXT", text(), true),
            Column {
                default: Some("0".into()),
                ..column(
                    "balance",
                    "NUMERIC(10, 2)",
                    LogicalType::Decimal {
                        precision: Some(10),
                        scale: Some(2),
                    },
                    false,
                )
            },
            Column {
                default: Some("TRUE".into()),
                ..column("is_active", "BOOLEAN", LogicalType::Boolean, false)
            },
            Column {
                default: Some("CURRENT_TIMESTAMP".into()),
                ..column(
                    "created_at",
                    "DATETIME",
                    LogicalType::Timestamp {
                        with_time_zone: false,
                    },
                    false,
                )
            },
            column("birthday", "DATE", LogicalType::Date, true),
            Column {
                default: Some("'{}'".into()),
                ..column(
                    "settings",
                    "JSON",
                    LogicalType::Json { binary: false },
                    true,
                )
            },
            column("external_id", "UUID", LogicalType::Uuid, true),
            column(
                "avatar",
                "BLOB",
                LogicalType::Binary { max_length: None },
                true,
            ),
            Column {
                generated: Some(Generated {
                    expression: "substr(email, instr(email, '@') + 1)".into(),
                    stored: false,
                }),
                ..column("email_domain", "TEXT", text(), true)
            },
            Column {
                generated: Some(Generated {
                    expression: "upper(display_name)".into(),
                    stored: true,
                }),
                ..column("name_upper", "TEXT", text(), true)
            },
        ];
        assert_eq!(accounts.columns, expected, "{how}");
        assert_eq!(
            accounts.options.get("autoincrement").map(String::as_str),
            Some("true"),
            "{how}"
        );

        let events = table(&catalog, "events");
        assert_eq!(
            events.columns[0],
            Column {
                identity: Some(Identity::ByDefault),
                comment: Some("a rowid alias".into()),
                ..column("id", "INTEGER", int64(), false)
            },
            "{how}: a rowid alias is assigned by SQLite and never NULL"
        );
        assert!(events.options.is_empty(), "{how}: no AUTOINCREMENT");
        assert_eq!(
            events.column("payload"),
            Some(&column("payload", "", LogicalType::Other, true)),
            "{how}: no declared type holds anything"
        );

        // A non-alias key of a rowid table admits NULL (SQLite's legacy rule).
        let legacy = table(&catalog, "legacy");
        assert_eq!(
            legacy.columns[0],
            column("code", "TEXT", text(), true),
            "{how}"
        );
        assert_eq!(legacy.columns[2].logical_type, LogicalType::Other, "{how}");
        let ordered = table(&catalog, "ordered");
        assert_eq!(
            ordered.columns[0],
            column("id", "INTEGER", int64(), true),
            "{how}: INTEGER PRIMARY KEY DESC is no rowid alias"
        );
    }
}

#[test]
fn table_options_views_and_virtual_tables() {
    for (how, catalog) in both() {
        let option = |t: &str, k: &str| table(&catalog, t).options.get(k).cloned();
        assert_eq!(
            option("tags", "without_rowid").as_deref(),
            Some("true"),
            "{how}"
        );
        assert_eq!(option("tags", "strict"), None, "{how}");
        assert_eq!(
            option("projects", "strict").as_deref(),
            Some("true"),
            "{how}"
        );
        assert_eq!(
            option("project_tags", "strict").as_deref(),
            Some("true"),
            "{how}"
        );
        assert_eq!(
            option("project_tags", "without_rowid").as_deref(),
            Some("true"),
            "{how}"
        );
        assert_eq!(option("notes", "virtual").as_deref(), Some("fts5"), "{how}");
        let notes: Vec<_> = table(&catalog, "notes")
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(notes, ["title", "body"], "{how}: hidden columns left out");

        let view = table(&catalog, "active_accounts");
        assert_eq!(view.kind, TableKind::View, "{how}");
        assert_eq!(
            view.definition.as_deref(),
            Some("SELECT id, email FROM accounts WHERE is_active"),
            "{how}"
        );
        assert_eq!(
            view.columns,
            vec![
                column("id", "INTEGER", int64(), true),
                column(
                    "email",
                    "VARCHAR(255)",
                    LogicalType::Text {
                        max_length: Some(255),
                        fixed: false
                    },
                    true
                ),
            ],
            "{how}"
        );
    }
}

#[test]
fn keys_constraints_and_foreign_keys() {
    for (how, catalog) in both() {
        let accounts = table(&catalog, "accounts");
        assert_eq!(
            accounts.primary_key,
            Some(PrimaryKey {
                name: None,
                columns: strings(&["id"]),
                comment: None
            }),
            "{how}"
        );
        assert_eq!(
            accounts.uniques,
            vec![UniqueConstraint {
                name: Some("accounts_email_key".into()),
                columns: strings(&["email"]),
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
                comment: None,
            }],
            "{how}"
        );
        assert_eq!(
            accounts.checks,
            vec![
                CheckConstraint {
                    name: None,
                    expression: "balance >= 0".into(),
                    comment: None
                },
                CheckConstraint {
                    name: Some("accounts_name_len".into()),
                    expression: "length(display_name) <= 100".into(),
                    comment: Some("keep it short".into()),
                },
            ],
            "{how}"
        );

        let projects = table(&catalog, "projects");
        assert_eq!(
            projects.primary_key,
            Some(PrimaryKey {
                name: Some("projects_pk".into()),
                columns: strings(&["account_id", "slug"]),
                comment: None
            }),
            "{how}"
        );
        assert_eq!(
            projects.uniques,
            vec![UniqueConstraint {
                name: None,
                columns: strings(&["account_id", "title"]),
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
                comment: Some("one title per account".into()),
            }],
            "{how}"
        );
        assert_eq!(
            projects.checks,
            vec![CheckConstraint {
                name: None,
                expression: "slug <> ''".into(),
                comment: None
            }],
            "{how}"
        );
        let fk = |name: Option<&str>, columns: &[&str], to: &str, to_columns: &[&str]| ForeignKey {
            name: name.map(Into::into),
            columns: strings(columns),
            referenced_table: QualifiedName::new("main", to),
            referenced_columns: strings(to_columns),
            on_update: ReferentialAction::NoAction,
            on_delete: ReferentialAction::NoAction,
            match_type: MatchType::Simple,
            deferrable: false,
            initially_deferred: false,
            comment: None,
        };
        assert_eq!(
            projects.foreign_keys,
            vec![
                ForeignKey {
                    on_delete: ReferentialAction::SetNull,
                    deferrable: true,
                    initially_deferred: true,
                    ..fk(
                        None,
                        &["account_id", "parent_slug"],
                        "projects",
                        &["account_id", "slug"]
                    )
                },
                ForeignKey {
                    on_update: ReferentialAction::Restrict,
                    on_delete: ReferentialAction::Cascade,
                    ..fk(
                        Some("projects_account_fk"),
                        &["account_id"],
                        "accounts",
                        &["id"]
                    )
                },
            ],
            "{how}"
        );
        // REFERENCES without columns means the parent's primary key; the
        // parent's name is spelled as it was declared.
        assert_eq!(
            table(&catalog, "project_tags").foreign_keys,
            vec![
                fk(
                    None,
                    &["account_id", "slug"],
                    "projects",
                    &["account_id", "slug"]
                ),
                ForeignKey {
                    on_delete: ReferentialAction::SetDefault,
                    ..fk(None, &["tag"], "tags", &["name"])
                },
            ],
            "{how}"
        );
        assert_eq!(
            table(&catalog, "events").foreign_keys,
            vec![fk(None, &["account_id"], "accounts", &["id"])],
            "{how}"
        );
    }
}

#[test]
fn indexes_back_constraints_and_keep_expressions_predicates_and_order() {
    for (how, catalog) in both() {
        let index = |name: &str, unique: bool, keys: Vec<IndexKey>| Index {
            name: name.into(),
            unique,
            method: "btree".into(),
            keys,
            include: Vec::new(),
            predicate: None,
            constraint: None,
            nulls_not_distinct: false,
            comment: None,
        };
        assert_eq!(
            table(&catalog, "accounts").indexes,
            vec![
                index(
                    "accounts_lower_name",
                    true,
                    vec![
                        IndexKey::Expression {
                            expression: "lower(display_name)".into(),
                            options: IndexKeyOptions::default(),
                        },
                        // The column is NOCASE, so BINARY here is a real choice.
                        IndexKey::Column {
                            name: "email".into(),
                            options: IndexKeyOptions {
                                collation: Some("BINARY".into()),
                                ..IndexKeyOptions::default()
                            },
                        },
                    ]
                ),
                Index {
                    constraint: Some("accounts_email_key".into()),
                    ..index("sqlite_autoindex_accounts_1", true, vec![key("email")])
                },
            ],
            "{how}"
        );
        assert_eq!(
            table(&catalog, "events").indexes,
            vec![Index {
                predicate: Some("kind <> 'debug'".into()),
                ..index(
                    "events_recent",
                    false,
                    vec![IndexKey::Column {
                        name: "happened_at".into(),
                        options: IndexKeyOptions {
                            descending: true,
                            ..IndexKeyOptions::default()
                        },
                    }]
                )
            }],
            "{how}: a rowid alias has no index"
        );
        assert_eq!(
            table(&catalog, "projects").indexes,
            vec![
                index(
                    "projects_title_nocase",
                    false,
                    vec![IndexKey::Column {
                        name: "title".into(),
                        options: IndexKeyOptions {
                            collation: Some("NOCASE".into()),
                            ..IndexKeyOptions::default()
                        },
                    }]
                ),
                Index {
                    constraint: Some("projects_pk".into()),
                    ..index(
                        "sqlite_autoindex_projects_1",
                        true,
                        vec![key("account_id"), key("slug")]
                    )
                },
                // An unnamed UNIQUE: its index is SQLite's only name for it.
                Index {
                    constraint: Some("sqlite_autoindex_projects_2".into()),
                    ..index(
                        "sqlite_autoindex_projects_2",
                        true,
                        vec![key("account_id"), key("title")]
                    )
                },
            ],
            "{how}"
        );
        assert_eq!(
            table(&catalog, "tags").indexes,
            vec![Index {
                constraint: Some("sqlite_autoindex_tags_1".into()),
                ..index("sqlite_autoindex_tags_1", true, vec![key("name")])
            }],
            "{how}: a WITHOUT ROWID key is its own index"
        );
    }
}

#[test]
fn triggers_on_tables_and_views() {
    for (how, catalog) in both() {
        assert_eq!(
            table(&catalog, "accounts").triggers,
            vec![Trigger {
                name: "accounts_clamp".into(),
                timing: TriggerTiming::After,
                events: vec![TriggerEvent::Update],
                update_columns: strings(&["balance", "display_name"]),
                for_each_row: true,
                when: Some("new.balance IS NOT old.balance".into()),
                function: None,
                body: Some(
                    "UPDATE accounts SET balance = CASE WHEN new.balance < 0 THEN 0 ELSE new.balance END;\n    \
                     INSERT INTO events (account_id, kind) VALUES (new.id, 'balance');"
                        .into()
                ),
                comment: None,
            }],
            "{how}"
        );
        let events = &table(&catalog, "events").triggers;
        assert_eq!(events.len(), 1, "{how}");
        assert_eq!(
            (
                events[0].timing,
                events[0].events.clone(),
                events[0].body.as_deref()
            ),
            (
                TriggerTiming::Before,
                vec![TriggerEvent::Delete],
                Some("SELECT RAISE(ABORT, 'events are append-only');")
            ),
            "{how}"
        );
        let view = &table(&catalog, "active_accounts").triggers;
        assert_eq!(
            view.iter()
                .map(|t| (t.name.as_str(), t.timing, t.events.clone()))
                .collect::<Vec<_>>(),
            [(
                "active_accounts_insert",
                TriggerTiming::InsteadOf,
                vec![TriggerEvent::Insert]
            )],
            "{how}"
        );
    }
}

#[test]
fn the_filter_applies_to_both() {
    let options = IngestOptions {
        filter: carta_source::Filter {
            schemas: Vec::new(),
            exclude: vec!["project*".into(), "main.notes".into()],
        },
        ..IngestOptions::default()
    };
    let dir = TempDir::new("filter");
    let path = database_file(&dir, "f.db", FEATURES);
    let file = carta_sqlite::ingest_file(&path, &options).unwrap().catalog;
    let ddl = carta_sqlite::ingest_ddl(&ddl_file("f.sql", FEATURES), &options)
        .unwrap()
        .catalog;
    assert_eq!(file.to_json(), ddl.to_json());
    let tables: Vec<_> = file.tables().map(|(_, t)| t.name.as_str()).collect();
    assert_eq!(
        tables,
        [
            "accounts",
            "active_accounts",
            "events",
            "legacy",
            "ordered",
            "tags"
        ]
    );
    let only_other = IngestOptions {
        filter: carta_source::Filter {
            schemas: vec!["public".into()],
            exclude: Vec::new(),
        },
        ..IngestOptions::default()
    };
    let none = carta_sqlite::ingest_file(&path, &only_other)
        .unwrap()
        .catalog;
    assert!(none.schemas.is_empty());
}
