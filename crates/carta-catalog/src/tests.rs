use super::*;
use proptest::prelude::*;

fn column(name: &str, nullable: bool) -> Column {
    Column {
        name: name.into(),
        data_type: "integer".into(),
        logical_type: LogicalType::Integer {
            bits: 32,
            unsigned: false,
        },
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn sample() -> Catalog {
    let mut catalog = Catalog::new(Dialect::Postgres);
    let users = Table {
        name: "users".into(),
        columns: vec![column("id", false), column("org_id", false)],
        primary_key: Some(PrimaryKey {
            name: Some("users_pkey".into()),
            columns: vec!["id".into()],
            comment: None,
        }),
        foreign_keys: vec![ForeignKey {
            name: Some("users_org_id_fkey".into()),
            columns: vec!["org_id".into()],
            referenced_table: QualifiedName::new("public", "orgs"),
            referenced_columns: vec!["id".into()],
            on_update: ReferentialAction::NoAction,
            on_delete: ReferentialAction::Cascade,
            match_type: MatchType::Simple,
            deferrable: false,
            initially_deferred: false,
            comment: None,
        }],
        row_estimate: Some(42),
        ..Table::default()
    };
    let orgs = Table {
        name: "orgs".into(),
        columns: vec![column("id", false)],
        ..Table::default()
    };
    catalog.schemas.push(Schema {
        name: "public".into(),
        tables: vec![users, orgs],
        ..Schema::default()
    });
    catalog.finish()
}

#[test]
fn finish_sorts_tables_but_keeps_column_order() {
    let catalog = sample();
    let names: Vec<_> = catalog.schemas[0].tables.iter().map(|t| &t.name).collect();
    assert_eq!(names, ["orgs", "users"]);
    let users = catalog
        .table(&QualifiedName::new("public", "users"))
        .unwrap();
    let columns: Vec<_> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["id", "org_id"]);
}

#[test]
fn fingerprint_ignores_volatile_facts_and_order() {
    let a = sample();
    let mut b = a.clone();
    b.schemas[0].tables.reverse();
    b.schemas[0].tables[0].row_estimate = Some(1_000_000);
    b.source = Some(SourceInfo {
        kind: SourceKind::Live,
        location: "postgres://h/db".into(),
        server_version: Some("15.4".into()),
    });
    let b = b.finish();
    assert_eq!(a.fingerprint, b.fingerprint);
    assert!(a.fingerprint.starts_with("sha256:"));
    // Left out of the hash, not out of the Catalog.
    assert_eq!(
        b.source.as_ref().map(|s| s.location.as_str()),
        Some("postgres://h/db")
    );
    assert!(b.tables().any(|(_, t)| t.row_estimate == Some(1_000_000)));
    assert_eq!(b.compute_fingerprint(), b.fingerprint);
}

#[test]
fn fingerprint_changes_with_the_schema() {
    let a = sample();
    let mut b = a.clone();
    b.schemas[0].tables[1].columns[1].nullable = true;
    assert_ne!(a.fingerprint, b.finish().fingerprint);
}

#[test]
fn json_rejects_other_format_versions_and_reports_position() {
    let mut json: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
    json["format"] = 99.into();
    match Catalog::from_json(&json.to_string()) {
        Err(CatalogError::UnsupportedFormat { found: 99 }) => {}
        other => panic!("expected UnsupportedFormat, got {other:?}"),
    }
    match Catalog::from_json("{\n  \"format\": 1,\n  \"fingerprint\": oops\n}") {
        Err(CatalogError::Json { line: 3, .. }) => {}
        other => panic!("expected a JSON error on line 3, got {other:?}"),
    }
}

#[test]
fn relations_know_both_directions_and_neighbourhoods() {
    let catalog = sample();
    let graph = catalog.relations();
    let users = QualifiedName::new("public", "users");
    let orgs = QualifiedName::new("public", "orgs");
    let out: Vec<_> = graph.outgoing(&users).collect();
    assert_eq!(out.len(), 1);
    assert!(out[0].required);
    assert_eq!(out[0].to, orgs);
    assert_eq!(graph.incoming(&orgs).count(), 1);
    assert_eq!(graph.neighbourhood(&orgs, 1).len(), 2);
    assert_eq!(graph.neighbourhood(&orgs, 0).len(), 1);
}

#[test]
fn json_schema_describes_the_catalog() {
    let schema: serde_json::Value = serde_json::from_str(&Catalog::json_schema()).unwrap();
    assert_eq!(schema["title"], "Catalog");
    assert!(schema["properties"]["schemas"].is_object());
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}"
}

fn comment() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("\\PC{0,20}")
}

fn logical_type() -> impl Strategy<Value = LogicalType> {
    let leaf = prop_oneof![
        Just(LogicalType::Boolean),
        (
            prop_oneof![Just(8u8), Just(16), Just(32), Just(64)],
            any::<bool>()
        )
            .prop_map(|(bits, unsigned)| LogicalType::Integer { bits, unsigned }),
        (
            proptest::option::of(1u32..40),
            proptest::option::of(0u32..10)
        )
            .prop_map(|(precision, scale)| LogicalType::Decimal { precision, scale }),
        (proptest::option::of(1u32..500), any::<bool>())
            .prop_map(|(max_length, fixed)| LogicalType::Text { max_length, fixed }),
        Just(LogicalType::Uuid),
        any::<bool>().prop_map(|binary| LogicalType::Json { binary }),
        any::<bool>().prop_map(|with_time_zone| LogicalType::Timestamp { with_time_zone }),
        proptest::collection::vec(name(), 1..4)
            .prop_map(|values| LogicalType::Enum { name: None, values }),
        Just(LogicalType::Other),
    ];
    leaf.prop_recursive(2, 4, 1, |inner| {
        inner.prop_map(|element| LogicalType::Array {
            element: Box::new(element),
        })
    })
}

fn arb_column() -> impl Strategy<Value = Column> {
    (
        name(),
        logical_type(),
        any::<bool>(),
        proptest::option::of("[a-z()0-9']{1,12}"),
        proptest::option::of(prop_oneof![
            Just(Identity::Always),
            Just(Identity::ByDefault)
        ]),
        comment(),
    )
        .prop_map(
            |(name, logical_type, nullable, default, identity, comment)| Column {
                name,
                data_type: "t".into(),
                logical_type,
                nullable,
                default,
                identity,
                generated: None,
                collation: None,
                comment,
            },
        )
}

fn arb_table() -> impl Strategy<Value = Table> {
    (
        name(),
        prop_oneof![
            Just(TableKind::Table),
            Just(TableKind::View),
            Just(TableKind::PartitionedTable)
        ],
        proptest::collection::vec(arb_column(), 1..6),
        comment(),
        proptest::option::of(0i64..1_000_000),
        proptest::collection::vec((name(), name(), name()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(name, kind, columns, comment, row_estimate, fks, rls)| {
            let first = columns[0].name.clone();
            Table {
                name,
                kind,
                comment,
                primary_key: Some(PrimaryKey {
                    name: None,
                    columns: vec![first.clone()],
                    comment: None,
                }),
                foreign_keys: fks
                    .into_iter()
                    .map(|(fk, schema, parent)| ForeignKey {
                        name: Some(fk),
                        columns: vec![first.clone()],
                        referenced_table: QualifiedName::new(schema, parent),
                        referenced_columns: vec!["id".into()],
                        on_update: ReferentialAction::Restrict,
                        on_delete: ReferentialAction::SetNull,
                        match_type: MatchType::Full,
                        deferrable: true,
                        initially_deferred: false,
                        comment: None,
                    })
                    .collect(),
                indexes: vec![Index {
                    name: format!("{first}_idx"),
                    unique: false,
                    method: "btree".into(),
                    keys: vec![
                        IndexKey::Column {
                            name: first.clone(),
                            options: IndexKeyOptions::default(),
                        },
                        IndexKey::Expression {
                            expression: format!("lower({first})"),
                            options: IndexKeyOptions {
                                descending: true,
                                ..IndexKeyOptions::default()
                            },
                        },
                    ],
                    include: vec![],
                    predicate: Some("x > 1".into()),
                    constraint: None,
                    nulls_not_distinct: false,
                    comment: None,
                }],
                row_security: RowSecurity {
                    enabled: rls,
                    forced: false,
                    policies: vec![Policy {
                        name: "tenant".into(),
                        command: PolicyCommand::Select,
                        permissive: true,
                        roles: vec!["public".into()],
                        using: Some("org_id = 1".into()),
                        with_check: None,
                        comment: None,
                    }],
                },
                columns,
                row_estimate,
                ..Table::default()
            }
        })
}

fn arb_catalog() -> impl Strategy<Value = Catalog> {
    proptest::collection::vec(
        (
            name(),
            comment(),
            proptest::collection::vec(arb_table(), 0..4),
        ),
        0..3,
    )
    .prop_map(|schemas| {
        let mut catalog = Catalog::new(Dialect::Postgres);
        catalog.schemas = schemas
            .into_iter()
            .map(|(name, comment, tables)| Schema {
                name,
                comment,
                tables,
                enums: vec![EnumType {
                    name: "status".into(),
                    values: vec!["b".into(), "a".into()],
                    comment: None,
                }],
                ..Schema::default()
            })
            .collect();
        catalog.finish()
    })
}

proptest! {
    #[test]
    fn json_round_trips_exactly(catalog in arb_catalog()) {
        let json = catalog.to_json();
        let back = Catalog::from_json(&json).unwrap();
        prop_assert_eq!(&back, &catalog);
        prop_assert_eq!(back.to_json(), json);
        prop_assert_eq!(back.compute_fingerprint(), catalog.fingerprint);
    }
}
