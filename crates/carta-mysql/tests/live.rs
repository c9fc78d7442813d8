//! Live introspection against the local MariaDB (see carta-testkit).

use carta_catalog::{
    Catalog, Identity, IndexKey, LogicalType, QualifiedName, ReferentialAction, Table, TableKind,
    TriggerEvent, TriggerTiming,
};
use carta_source::{Filter, IngestError, IngestOptions};
use carta_testkit::MysqlDatabase;
use std::time::{Duration, Instant};

const SCHEMA: &str = "
CREATE TABLE orgs (
  id int(10) unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(100) NOT NULL DEFAULT 'it''s' COMMENT 'display name',
  active boolean NOT NULL DEFAULT TRUE,
  settings json,
  tier enum('free','pro','b''c') NOT NULL DEFAULT 'free',
  flags set('a','b'),
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  balance decimal(12,2) DEFAULT 1.5,
  ratio double,
  code char(3) COLLATE utf8mb4_bin,
  bits bit(4) DEFAULT b'1010',
  born year,
  spot point,
  slug varchar(120) GENERATED ALWAYS AS (lower(name)) STORED,
  name_len int AS (char_length(name)) VIRTUAL,
  CONSTRAINT positive_balance CHECK (balance >= 0 AND (ratio IS NULL OR ratio < 1)),
  UNIQUE KEY uq_orgs_name (name),
  FULLTEXT KEY ft_name (name),
  KEY idx_prefix (name(20), code DESC) COMMENT 'prefix index'
) ENGINE=InnoDB COMMENT='tenants';
CREATE TABLE users (
  id bigint NOT NULL,
  org_id int unsigned,
  email varchar(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (email),
  CONSTRAINT fk_users_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE ON UPDATE SET NULL,
  CHECK (id > 0)
) ENGINE=InnoDB;
CREATE TABLE memberships (
  user_id bigint NOT NULL,
  org_id int unsigned NOT NULL,
  PRIMARY KEY (org_id, user_id),
  FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE TABLE events (
  id int NOT NULL,
  happened date NOT NULL,
  PRIMARY KEY (id, happened)
) PARTITION BY RANGE (year(happened)) (
  PARTITION p2024 VALUES LESS THAN (2025),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);
CREATE TABLE tmp_scratch (id int);
CREATE VIEW active_orgs AS SELECT id, name FROM orgs WHERE active = 1;
CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = lower(NEW.email);
";

fn table<'a>(catalog: &'a Catalog, db: &str, name: &str) -> &'a Table {
    catalog
        .table(&QualifiedName::new(db, name))
        .unwrap_or_else(|| panic!("no table {name}"))
}

#[tokio::test]
async fn reads_every_feature() {
    let db = MysqlDatabase::create();
    db.execute(SCHEMA);
    let ingested = carta_mysql::ingest_live(&db.url(), &IngestOptions::default())
        .await
        .unwrap();
    let catalog = &ingested.catalog;
    assert!(ingested.warnings.is_empty());
    let source = catalog.source.as_ref().unwrap();
    assert!(source
        .server_version
        .as_deref()
        .unwrap()
        .contains("MariaDB"));
    assert_eq!(catalog.schemas.len(), 1);
    assert_eq!(catalog.schemas[0].name, db.name);

    let orgs = table(catalog, &db.name, "orgs");
    assert_eq!(orgs.comment.as_deref(), Some("tenants"));
    assert_eq!(
        orgs.options.get("engine").map(String::as_str),
        Some("innodb")
    );
    let names: Vec<_> = orgs.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "name",
            "active",
            "settings",
            "tier",
            "flags",
            "created_at",
            "balance",
            "ratio",
            "code",
            "bits",
            "born",
            "spot",
            "slug",
            "name_len"
        ]
    );
    let col = |n: &str| orgs.column(n).unwrap();
    assert_eq!(col("id").data_type, "int unsigned");
    assert_eq!(col("id").identity, Some(Identity::ByDefault));
    assert_eq!(
        col("id").logical_type,
        LogicalType::Integer {
            bits: 32,
            unsigned: true
        }
    );
    assert_eq!(col("name").default.as_deref(), Some("'it''s'"));
    assert_eq!(col("name").comment.as_deref(), Some("display name"));
    assert!(!col("name").nullable);
    assert_eq!(col("active").data_type, "tinyint(1)");
    assert_eq!(col("active").logical_type, LogicalType::Boolean);
    assert_eq!(col("active").default.as_deref(), Some("1"));
    // MariaDB's JSON is longtext + json_valid CHECK + utf8mb4_bin: recognized as json.
    assert_eq!(col("settings").data_type, "json");
    assert_eq!(col("settings").collation, None);
    assert!(orgs
        .checks
        .iter()
        .all(|c| c.name.as_deref() != Some("settings")));
    assert_eq!(
        col("tier").logical_type,
        LogicalType::Enum {
            name: None,
            values: vec!["free".into(), "pro".into(), "b'c".into()]
        }
    );
    assert_eq!(col("tier").default.as_deref(), Some("'free'"));
    assert_eq!(
        col("flags").logical_type,
        LogicalType::Set {
            values: vec!["a".into(), "b".into()]
        }
    );
    assert_eq!(
        col("created_at").default.as_deref(),
        Some("current_timestamp()")
    );
    assert_eq!(
        col("created_at").logical_type,
        LogicalType::Timestamp {
            with_time_zone: true
        }
    );
    assert_eq!(col("balance").data_type, "decimal(12,2)");
    assert_eq!(col("balance").default.as_deref(), Some("1.50"));
    assert_eq!(col("ratio").logical_type, LogicalType::Float { bits: 64 });
    assert_eq!(col("code").collation.as_deref(), Some("utf8mb4_bin"));
    assert_eq!(col("name").collation, None);
    assert_eq!(col("bits").default.as_deref(), Some("b'1010'"));
    assert_eq!(col("born").data_type, "year");
    assert_eq!(col("spot").logical_type, LogicalType::Geometric);
    let slug = col("slug").generated.as_ref().unwrap();
    assert_eq!(
        (slug.expression.as_str(), slug.stored),
        ("lower(`name`)", true)
    );
    let len = col("name_len").generated.as_ref().unwrap();
    assert_eq!(
        (len.expression.as_str(), len.stored),
        ("char_length(`name`)", false)
    );

    assert_eq!(orgs.primary_key.as_ref().unwrap().columns, ["id"]);
    assert_eq!(orgs.uniques.len(), 1);
    assert_eq!(orgs.uniques[0].name.as_deref(), Some("uq_orgs_name"));
    assert_eq!(orgs.checks.len(), 1);
    assert_eq!(orgs.checks[0].name.as_deref(), Some("positive_balance"));
    assert_eq!(
        orgs.checks[0].expression,
        "`balance` >= 0 and (`ratio` is null or `ratio` < 1)"
    );
    let index = |n: &str| orgs.indexes.iter().find(|i| i.name == n).unwrap();
    assert_eq!(index("PRIMARY").constraint.as_deref(), Some("PRIMARY"));
    assert_eq!(
        index("uq_orgs_name").constraint.as_deref(),
        Some("uq_orgs_name")
    );
    assert_eq!(index("ft_name").method, "fulltext");
    let prefix = index("idx_prefix");
    assert_eq!(prefix.comment.as_deref(), Some("prefix index"));
    match (&prefix.keys[0], &prefix.keys[1]) {
        (
            IndexKey::Column {
                name: a,
                options: oa,
            },
            IndexKey::Column {
                name: b,
                options: ob,
            },
        ) => {
            assert_eq!(
                (a.as_str(), oa.prefix_length, oa.descending),
                ("name", Some(20), false)
            );
            assert_eq!(
                (b.as_str(), ob.prefix_length, ob.descending),
                ("code", None, true)
            );
        }
        other => panic!("unexpected keys {other:?}"),
    }

    let users = table(catalog, &db.name, "users");
    let fk = &users.foreign_keys[0];
    assert_eq!(fk.name.as_deref(), Some("fk_users_org"));
    assert_eq!(fk.referenced_table, QualifiedName::new(&db.name, "orgs"));
    assert_eq!(
        (fk.columns.clone(), fk.referenced_columns.clone()),
        (vec!["org_id".to_string()], vec!["id".to_string()])
    );
    assert_eq!(fk.on_delete, ReferentialAction::Cascade);
    assert_eq!(fk.on_update, ReferentialAction::SetNull);
    // The FK's implicit index is named after the constraint.
    assert!(users.indexes.iter().any(|i| i.name == "fk_users_org"));
    assert_eq!(users.checks[0].name.as_deref(), Some("CONSTRAINT_1"));
    assert_eq!(users.checks[0].expression, "`id` > 0");
    assert_eq!(users.uniques[0].name.as_deref(), Some("email"));
    let trigger = &users.triggers[0];
    assert_eq!(trigger.name, "users_lower");
    assert_eq!(
        (trigger.timing, trigger.events.clone()),
        (TriggerTiming::Before, vec![TriggerEvent::Insert])
    );
    assert_eq!(
        trigger.body.as_deref(),
        Some("SET NEW.email = lower(NEW.email)")
    );

    let memberships = table(catalog, &db.name, "memberships");
    assert_eq!(
        memberships.primary_key.as_ref().unwrap().columns,
        ["org_id", "user_id"]
    );
    assert_eq!(
        memberships.foreign_keys[0].name.as_deref(),
        Some("memberships_ibfk_1")
    );
    assert_eq!(
        memberships.foreign_keys[0].on_delete,
        ReferentialAction::NoAction
    );
    assert!(memberships.indexes.iter().any(|i| i.name == "user_id"));

    let events = table(catalog, &db.name, "events");
    assert_eq!(events.kind, TableKind::PartitionedTable);
    assert_eq!(
        events.partition_key.as_deref(),
        Some("RANGE (year(`happened`))")
    );
    assert_eq!(
        events.options.get("partitions").map(String::as_str),
        Some("p2024 VALUES LESS THAN (2025), pmax VALUES LESS THAN MAXVALUE")
    );

    let view = table(catalog, &db.name, "active_orgs");
    assert_eq!(view.kind, TableKind::View);
    assert_eq!(
        view.definition.as_deref(),
        Some("select `orgs`.`id` `id`,`orgs`.`name` `name` from `orgs` where `orgs`.`active` = 1")
    );
    assert_eq!(view.columns.len(), 2);
    assert_eq!(view.columns[1].default, None);
}

#[tokio::test]
async fn filters_are_applied_in_sql() {
    let db = MysqlDatabase::create();
    db.execute(SCHEMA);
    let options = IngestOptions {
        filter: Filter {
            schemas: vec![],
            exclude: vec!["tmp_*".into(), format!("{}.events", db.name)],
        },
        ..IngestOptions::default()
    };
    let catalog = carta_mysql::ingest_live(&db.url(), &options)
        .await
        .unwrap()
        .catalog;
    let names: Vec<_> = catalog.schemas[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["active_orgs", "memberships", "orgs", "users"]);

    let other = IngestOptions {
        filter: Filter {
            schemas: vec!["elsewhere".into()],
            exclude: vec![],
        },
        ..IngestOptions::default()
    };
    let catalog = carta_mysql::ingest_live(&db.url(), &other)
        .await
        .unwrap()
        .catalog;
    assert!(catalog.schemas.is_empty());
}

#[tokio::test]
async fn mariadb_scheme_and_unchanged_schema_fingerprint() {
    let db = MysqlDatabase::create();
    db.execute(SCHEMA);
    let url = db.url().replacen("mysql://", "mariadb://", 1);
    let first = carta_mysql::ingest_live(&url, &IngestOptions::default())
        .await
        .unwrap();
    db.execute("INSERT INTO orgs (name) VALUES ('x')");
    let second = carta_mysql::ingest_live(&db.url(), &IngestOptions::default())
        .await
        .unwrap();
    assert_eq!(first.catalog.fingerprint, second.catalog.fingerprint);
}

#[tokio::test]
async fn refused_port_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = carta_mysql::ingest_live(
        &format!("mysql://root@127.0.0.1:{port}/app"),
        &IngestOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, IngestError::Connect { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 4);
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept and hold connections without ever speaking.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let options = IngestOptions {
        connect_timeout: Duration::from_millis(500),
        ..IngestOptions::default()
    };
    let started = Instant::now();
    let err = carta_mysql::ingest_live(&format!("mysql://root@127.0.0.1:{port}/app"), &options)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(err, IngestError::ConnectTimeout { port: p, .. } if p == port),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), 4);
    holder.abort();
}

#[tokio::test]
async fn wrong_password_and_unknown_database() {
    let db = MysqlDatabase::create();
    let bad = db.url().replacen("root@", "carta_nobody:wrong@", 1);
    let err = carta_mysql::ingest_live(&bad, &IngestOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, IngestError::Auth { ref user, .. } if user == "carta_nobody"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("wrong"), "{err}");
    assert_eq!(err.exit_code(), 5);

    let missing = format!("{}_missing", db.url());
    let err = carta_mysql::ingest_live(&missing, &IngestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, IngestError::NoDatabase { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 5);
}

#[tokio::test]
async fn urls_without_database_or_with_bad_syntax_are_invalid() {
    for url in [
        "mysql://root@127.0.0.1:3306",
        "mysql://root@127.0.0.1:3306/",
        "mysql://root@[bad/x",
        "pg://x/y",
    ] {
        let err = carta_mysql::ingest_live(url, &IngestOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, IngestError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
        assert_eq!(err.exit_code(), 6);
    }
}
