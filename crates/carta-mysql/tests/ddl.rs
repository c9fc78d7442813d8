//! The DDL reader on its own: schema naming, implicit behaviours, warnings.

use carta_catalog::{QualifiedName, TableKind};
use carta_source::{DdlFile, IngestOptions};

fn read(text: &str, options: &IngestOptions) -> carta_source::Ingested {
    let file = DdlFile {
        path: "schema.sql".into(),
        text: text.to_string(),
    };
    carta_mysql::ingest_ddl(&[file], options).unwrap()
}

#[test]
fn dump_is_read_with_its_implicit_objects() {
    let text = include_str!("data/dump_style.sql");
    let ingested = read(text, &IngestOptions::default());
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    let catalog = &ingested.catalog;
    // No USE or CREATE DATABASE in the dump and no default_schema: `main`.
    assert_eq!(catalog.schemas[0].name, "main");
    let customers = catalog
        .table(&QualifiedName::new("main", "customers"))
        .unwrap();
    assert_eq!(customers.comment.as_deref(), Some("people who buy"));
    assert_eq!(customers.column("prefs").unwrap().data_type, "json");
    assert_eq!(
        customers.column("country").unwrap().collation.as_deref(),
        Some("ascii_general_ci")
    );
    assert_eq!(
        customers.column("email").unwrap().comment.as_deref(),
        Some("login; unique per shop")
    );
    let methods: Vec<_> = customers
        .indexes
        .iter()
        .map(|i| (i.name.as_str(), i.method.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            ("PRIMARY", "btree"),
            ("ft_customers_name", "fulltext"),
            ("idx_customers_name", "btree"),
            ("uq_customers_email", "btree")
        ]
    );
    let orders = catalog
        .table(&QualifiedName::new("main", "orders"))
        .unwrap();
    // The declared KEY serves the foreign key: no second index.
    assert_eq!(
        orders
            .indexes
            .iter()
            .filter(|i| i.name.starts_with("fk_orders"))
            .count(),
        1
    );
    assert_eq!(orders.triggers[0].name, "orders_paid_check");
    assert!(orders.triggers[0]
        .body
        .as_deref()
        .unwrap()
        .starts_with("BEGIN\n  IF NEW.status = 'paid'"));
    assert!(orders.triggers[0].body.as_deref().unwrap().ends_with("END"));
    let view = catalog
        .table(&QualifiedName::new("main", "customer_orders"))
        .unwrap();
    assert_eq!(view.kind, TableKind::View);
    assert_eq!(
        view.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["email", "status"]
    );
}

#[test]
fn unnamed_objects_are_named_like_mariadb() {
    let text = "USE shop;\n\
        CREATE TABLE a (id INT PRIMARY KEY, code VARCHAR(5) UNIQUE, CHECK (id > 0), CHECK (id < 9));\n\
        CREATE TABLE b (id INT, a_id INT, x INT CHECK (x > 1), FOREIGN KEY (a_id) REFERENCES a (id), \
        UNIQUE (x), UNIQUE (x, id));\n\
        ALTER TABLE b ADD FOREIGN KEY (id) REFERENCES a (id);";
    let catalog = read(text, &IngestOptions::default()).catalog;
    assert_eq!(catalog.schemas[0].name, "shop");
    let a = catalog.table(&QualifiedName::new("shop", "a")).unwrap();
    let checks: Vec<_> = a
        .checks
        .iter()
        .map(|c| c.name.as_deref().unwrap())
        .collect();
    assert_eq!(checks, ["CONSTRAINT_1", "CONSTRAINT_2"]);
    assert_eq!(a.uniques[0].name.as_deref(), Some("code"));
    let b = catalog.table(&QualifiedName::new("shop", "b")).unwrap();
    let fks: Vec<_> = b
        .foreign_keys
        .iter()
        .map(|f| f.name.as_deref().unwrap())
        .collect();
    assert_eq!(fks, ["b_ibfk_1", "b_ibfk_2"]);
    assert_eq!(
        b.foreign_keys[0].referenced_table,
        QualifiedName::new("shop", "a")
    );
    // A column CHECK is named after its column.
    assert_eq!(b.checks[0].name.as_deref(), Some("x"));
    let indexes: Vec<_> = b.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(indexes, ["a_id", "id", "x", "x_2"]);
}

#[test]
fn default_schema_option_wins() {
    let options = IngestOptions {
        default_schema: Some("app".into()),
        ..IngestOptions::default()
    };
    let catalog = read("CREATE DATABASE other; CREATE TABLE t (id int);", &options).catalog;
    assert_eq!(catalog.schemas[0].name, "app");
}

#[test]
fn unreadable_statements_become_warnings_and_reading_goes_on() {
    let text = "CREATE TABLE ok1 (id int);\n\
                CREATE TABLE broken (id int,\n    name varchar(10) NOT NOT NULL);\n\
                FROBNICATE everything;\n\
                CREATE TABLE ok2 (id int);\n";
    let ingested = read(text, &IngestOptions::default());
    let names: Vec<_> = ingested.catalog.schemas[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["ok1", "ok2"]);
    assert_eq!(ingested.warnings.len(), 2, "{:?}", ingested.warnings);
    let first = ingested.warnings[0].location.as_ref().unwrap();
    // `NOT NOT NULL`: reading stops at the first NOT (line 3, column 22).
    assert_eq!(
        (first.line, first.column),
        (3, 22),
        "{}",
        ingested.warnings[0]
    );
    assert_eq!(
        ingested.warnings[0].excerpt.as_deref(),
        Some("CREATE TABLE broken (id int,")
    );
    let second = ingested.warnings[1].location.as_ref().unwrap();
    assert_eq!((second.line, second.column), (4, 1));
    assert!(
        ingested.warnings[1].message.contains("FROBNICATE"),
        "{}",
        ingested.warnings[1]
    );
}

#[test]
fn arbitrary_input_never_panics() {
    let samples = [
        "",
        ";;;",
        "CREATE",
        "CREATE TABLE",
        "CREATE TABLE t (",
        "CREATE TABLE t (a int) PARTITION BY",
        "DELIMITER",
        "DELIMITER $$\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN END $$",
        "/*!40101 CREATE TABLE t (a int",
        "'unterminated",
        "`x",
        "ALTER TABLE nope ADD COLUMN a int",
        "CREATE TABLE t (a enum('x', 'y'), b int DEFAULT, c decimal(,))",
        "CREATE VIEW v AS",
        "CREATE INDEX i ON t ((a + ))",
        "CREATE TABLE é (ü int COMMENT 'ß');",
    ];
    for sample in samples {
        let file = DdlFile {
            path: "fuzz.sql".into(),
            text: sample.to_string(),
        };
        let _ = carta_mysql::ingest_ddl(&[file], &IngestOptions::default());
    }
}
