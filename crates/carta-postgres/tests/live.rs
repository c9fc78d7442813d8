//! Live introspection against the real local PostgreSQL: every object kind
//! with its facts, the filter applied in the catalog queries, and the typed
//! connection errors.

use carta_catalog::{
    Catalog, CheckConstraint, ColumnRef, ExclusionElement, ForeignKey, FunctionKind, Generated,
    Identity, IndexKey, IndexKeyOptions, LogicalType, MatchType, PolicyCommand, QualifiedName,
    ReferentialAction, SourceKind, Table, TableKind, TriggerEvent, TriggerTiming, Volatility,
};
use carta_postgres::canon::expression as canon;
use carta_postgres::ingest_live;
use carta_source::{Filter, IngestError, IngestOptions};
use carta_testkit::PgDatabase;
use std::time::{Duration, Instant};

/// Every object kind the live reader knows, each with a comment where it can have one.
const SCHEMA: &str = r#"CREATE EXTENSION citext;
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
DO $$ BEGIN CREATE ROLE carta_live_reader NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE carta_live_auditor NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Application data';

CREATE TYPE app.status AS ENUM ('new', 'active', 'closed');
ALTER TYPE app.status ADD VALUE 'archived' BEFORE 'closed';
COMMENT ON TYPE app.status IS 'Lifecycle of an account';

CREATE DOMAIN app.email AS citext NOT NULL DEFAULT 'nobody@example.com'
  CONSTRAINT email_has_at CHECK (VALUE ~ '@');
COMMENT ON DOMAIN app.email IS 'An e-mail address';
COMMENT ON CONSTRAINT email_has_at ON DOMAIN app.email IS 'Needs an at sign';

CREATE TABLE app.accounts (
  id bigint GENERATED ALWAYS AS IDENTITY,
  email app.email,
  name text COLLATE "C" NOT NULL,
  status app.status NOT NULL DEFAULT 'new',
  tags text[],
  balance numeric(12,2) NOT NULL DEFAULT 0,
  name_upper text GENERATED ALWAYS AS (upper(name)) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_pkey PRIMARY KEY (id),
  CONSTRAINT accounts_email_key UNIQUE NULLS NOT DISTINCT (email),
  CONSTRAINT accounts_balance_check CHECK (balance >= 0)
);
COMMENT ON TABLE app.accounts IS 'Customer accounts';
COMMENT ON COLUMN app.accounts.name IS 'Display name';
COMMENT ON CONSTRAINT accounts_pkey ON app.accounts IS 'The key';
COMMENT ON CONSTRAINT accounts_email_key ON app.accounts IS 'One account per address';
COMMENT ON CONSTRAINT accounts_balance_check ON app.accounts IS 'No debt';
INSERT INTO app.accounts (email, name) VALUES ('a@x.io', 'a'), ('b@x.io', 'b'), ('c@x.io', 'c');
ANALYZE app.accounts;

CREATE INDEX accounts_active_idx ON app.accounts (created_at DESC NULLS LAST, id NULLS FIRST)
  WHERE status = 'active';
COMMENT ON INDEX app.accounts_active_idx IS 'Recent active accounts';
CREATE UNIQUE INDEX accounts_lower_name_idx ON app.accounts (lower(name), (balance + 1));
CREATE INDEX accounts_name_pattern_idx ON app.accounts (name text_pattern_ops, name COLLATE "POSIX");
CREATE INDEX accounts_tags_idx ON app.accounts USING gin (tags);

CREATE SEQUENCE app.invoice_no AS integer START 1000 INCREMENT 5 MINVALUE 1000 MAXVALUE 99999 CACHE 10 CYCLE;
COMMENT ON SEQUENCE app.invoice_no IS 'Invoice numbers';

CREATE TABLE app.invoices (
  id serial PRIMARY KEY,
  dropped_later integer,
  number integer NOT NULL DEFAULT nextval('app.invoice_no'),
  account_id bigint NOT NULL,
  issued_on date NOT NULL,
  CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES app.accounts (id)
    MATCH FULL ON UPDATE RESTRICT ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE app.invoices DROP COLUMN dropped_later;
ALTER TABLE app.invoices ADD COLUMN note text;
ALTER SEQUENCE app.invoice_no OWNED BY app.invoices.number;
COMMENT ON CONSTRAINT invoices_account_fk ON app.invoices IS 'Owner';
CREATE INDEX invoices_account_idx ON app.invoices (account_id) INCLUDE (issued_on, number);

CREATE TABLE app.bookings (
  id integer PRIMARY KEY,
  room integer,
  during tstzrange NOT NULL,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (room IS NOT NULL)
);
COMMENT ON CONSTRAINT bookings_no_overlap ON app.bookings IS 'One booking at a time';

CREATE TABLE app.events (
  id bigint NOT NULL,
  happened_at timestamptz NOT NULL,
  account_id bigint REFERENCES app.accounts (id),
  PRIMARY KEY (id, happened_at)
) PARTITION BY RANGE (happened_at);
CREATE TABLE app.events_2025 PARTITION OF app.events
  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_other PARTITION OF app.events DEFAULT;
COMMENT ON TABLE app.events_2025 IS 'This year';

CREATE VIEW app.active_accounts AS SELECT id, name FROM app.accounts WHERE status = 'active';
COMMENT ON VIEW app.active_accounts IS 'Accounts in use';
COMMENT ON COLUMN app.active_accounts.name IS 'From accounts';
CREATE MATERIALIZED VIEW app.account_counts AS
  SELECT status, count(*) AS n FROM app.accounts GROUP BY status;
COMMENT ON MATERIALIZED VIEW app.account_counts IS 'Accounts per status';

CREATE FOREIGN TABLE app.imports (line text) SERVER files OPTIONS (filename '/dev/null');
COMMENT ON FOREIGN TABLE app.imports IS 'Raw import lines';

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW;
END;
$$;
COMMENT ON FUNCTION app.touch() IS 'Trigger body';
CREATE FUNCTION app.balance_of(p_account bigint, p_default numeric DEFAULT 0) RETURNS numeric
  LANGUAGE sql STABLE SECURITY DEFINER
  AS $$ SELECT balance FROM app.accounts WHERE id = p_account $$;
CREATE PROCEDURE app.close_account(p_account bigint) LANGUAGE plpgsql
  AS $$ BEGIN UPDATE app.accounts SET status = 'closed' WHERE id = p_account; END $$;
COMMENT ON PROCEDURE app.close_account(bigint) IS 'Closes one account';

CREATE TRIGGER accounts_touch BEFORE INSERT OR UPDATE OF name, status ON app.accounts
  FOR EACH ROW WHEN (NEW.name IS NOT NULL) EXECUTE FUNCTION app.touch();
COMMENT ON TRIGGER accounts_touch ON app.accounts IS 'Keeps rows fresh';
CREATE TRIGGER invoices_truncated AFTER TRUNCATE ON app.invoices
  FOR EACH STATEMENT EXECUTE FUNCTION app.touch();
CREATE TRIGGER active_accounts_insert INSTEAD OF INSERT ON app.active_accounts
  FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE TRIGGER events_touch BEFORE UPDATE ON app.events
  FOR EACH ROW EXECUTE FUNCTION app.touch();

ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_visible ON app.accounts FOR SELECT TO carta_live_reader, carta_live_auditor
  USING (status <> 'closed');
CREATE POLICY accounts_no_debt ON app.accounts AS RESTRICTIVE FOR UPDATE
  USING (true) WITH CHECK (balance >= 0);
COMMENT ON POLICY accounts_visible ON app.accounts IS 'Hide closed accounts';
ALTER TABLE app.invoices ENABLE ROW LEVEL SECURITY;
"#;

fn table<'a>(catalog: &'a Catalog, schema: &str, name: &str) -> &'a Table {
    catalog
        .table(&QualifiedName::new(schema, name))
        .unwrap_or_else(|| panic!("{schema}.{name} was not read"))
}

fn names<'a, T>(items: &'a [T], name: impl Fn(&'a T) -> &'a str) -> Vec<&'a str> {
    items.iter().map(name).collect()
}

fn column_key(name: &str) -> IndexKey {
    IndexKey::Column {
        name: name.into(),
        options: IndexKeyOptions::default(),
    }
}

async fn read(url: &str) -> Catalog {
    let ingested = ingest_live(url, &IngestOptions::default())
        .await
        .expect("the database reads");
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    ingested.catalog
}

#[tokio::test]
async fn every_object_kind_is_read_with_its_facts() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let catalog = read(&db.url()).await;

    let source = catalog.source.as_ref().expect("a source");
    assert_eq!(source.kind, SourceKind::Live);
    assert!(source.location.ends_with(&db.name));
    assert!(source
        .server_version
        .as_deref()
        .is_some_and(|v| !v.is_empty()));
    assert_eq!(catalog.fingerprint, catalog.compute_fingerprint());

    // Extension members (citext's and file_fdw's functions and types) stay
    // with their extension; plpgsql is never listed.
    let extensions: Vec<_> = catalog
        .extensions
        .iter()
        .map(|e| (e.name.as_str(), e.schema.as_str()))
        .collect();
    assert_eq!(extensions, [("citext", "public"), ("file_fdw", "public")]);
    assert!(catalog.extensions.iter().all(|e| e.version.is_some()));
    assert_eq!(
        catalog.extensions[0].comment.as_deref(),
        Some("data type for case-insensitive character strings")
    );
    assert_eq!(names(&catalog.schemas, |s| &s.name), ["app", "public"]);
    let public = catalog.schema("public").unwrap();
    assert!(public.functions.is_empty() && public.domains.is_empty() && public.tables.is_empty());

    let app = catalog.schema("app").unwrap();
    assert_eq!(app.comment.as_deref(), Some("Application data"));
    assert_eq!(
        names(&app.tables, |t| &t.name),
        [
            "account_counts",
            "accounts",
            "active_accounts",
            "bookings",
            "events",
            "events_2025",
            "events_other",
            "imports",
            "invoices"
        ]
    );

    // Enum values in their sort order, including one added BEFORE another.
    let status = &app.enums[0];
    assert_eq!(status.name, "status");
    assert_eq!(status.values, ["new", "active", "archived", "closed"]);
    assert_eq!(status.comment.as_deref(), Some("Lifecycle of an account"));

    let email = &app.domains[0];
    assert_eq!(
        (email.name.as_str(), email.data_type.as_str()),
        ("email", "citext")
    );
    assert!(!email.nullable);
    assert_eq!(
        email.logical_type,
        LogicalType::Text {
            max_length: None,
            fixed: false
        }
    );
    assert_eq!(email.default, Some(canon("'nobody@example.com'::citext")));
    assert_eq!(
        email.checks,
        [CheckConstraint {
            name: Some("email_has_at".into()),
            expression: canon("(VALUE ~ '@'::citext)"),
            comment: Some("Needs an at sign".into()),
        }]
    );
    assert_eq!(email.comment.as_deref(), Some("An e-mail address"));

    // The serial's sequence and the explicit one are listed with their
    // owners; the identity column's sequence is part of the column.
    assert_eq!(
        names(&app.sequences, |s| &s.name),
        ["invoice_no", "invoices_id_seq"]
    );
    let invoice_no = &app.sequences[0];
    assert_eq!(
        (
            invoice_no.data_type.as_str(),
            invoice_no.start,
            invoice_no.increment,
            invoice_no.min_value,
            invoice_no.max_value,
            invoice_no.cache,
            invoice_no.cycle
        ),
        ("integer", 1000, 5, 1000, 99999, 10, true)
    );
    assert_eq!(
        invoice_no.owned_by,
        Some(ColumnRef {
            table: QualifiedName::new("app", "invoices"),
            column: "number".into()
        })
    );
    assert_eq!(invoice_no.comment.as_deref(), Some("Invoice numbers"));
    assert_eq!(app.sequences[1].owned_by.as_ref().unwrap().column, "id");

    assert_eq!(
        names(&app.functions, |f| &f.name),
        ["balance_of", "close_account", "touch"]
    );
    let balance_of = &app.functions[0];
    assert_eq!(balance_of.kind, FunctionKind::Function);
    assert_eq!(
        balance_of.arguments,
        "p_account bigint, p_default numeric DEFAULT 0"
    );
    assert_eq!(balance_of.returns.as_deref(), Some("numeric"));
    assert_eq!(balance_of.language, "sql");
    assert_eq!(balance_of.volatility, Some(Volatility::Stable));
    assert!(balance_of.security_definer);
    assert_eq!(
        balance_of.body.as_deref(),
        Some(" SELECT balance FROM app.accounts WHERE id = p_account ")
    );
    let close_account = &app.functions[1];
    assert_eq!(close_account.kind, FunctionKind::Procedure);
    assert_eq!(close_account.returns, None);
    assert_eq!(close_account.volatility, None);
    assert_eq!(close_account.comment.as_deref(), Some("Closes one account"));
    let touch = &app.functions[2];
    assert_eq!(touch.returns.as_deref(), Some("trigger"));
    assert_eq!(touch.volatility, Some(Volatility::Volatile));
    assert_eq!(
        touch.body.as_deref(),
        Some("\nBEGIN\n  RETURN NEW;\nEND;\n")
    );
    assert_eq!(touch.comment.as_deref(), Some("Trigger body"));

    check_accounts(table(&catalog, "app", "accounts"));
    check_invoices(table(&catalog, "app", "invoices"));
    check_partitions_views_and_foreign_tables(&catalog);

    let bookings = table(&catalog, "app", "bookings");
    let exclusion = &bookings.exclusions[0];
    assert_eq!(
        (exclusion.name.as_str(), exclusion.method.as_str()),
        ("bookings_no_overlap", "gist")
    );
    assert_eq!(
        exclusion.elements,
        [ExclusionElement {
            expression: "during".into(),
            operator: "&&".into()
        }]
    );
    assert_eq!(exclusion.predicate, Some(canon("(room IS NOT NULL)")));
    assert_eq!(exclusion.comment.as_deref(), Some("One booking at a time"));
    let backing = bookings
        .indexes
        .iter()
        .find(|i| i.name == "bookings_no_overlap")
        .unwrap();
    assert_eq!(backing.constraint.as_deref(), Some("bookings_no_overlap"));
}

fn check_accounts(accounts: &Table) {
    assert_eq!(accounts.kind, TableKind::Table);
    assert_eq!(accounts.comment.as_deref(), Some("Customer accounts"));
    assert_eq!(accounts.row_estimate, Some(3));
    assert_eq!(
        names(&accounts.columns, |c| &c.name),
        [
            "id",
            "email",
            "name",
            "status",
            "tags",
            "balance",
            "name_upper",
            "created_at"
        ]
    );
    let column = |name| accounts.column(name).unwrap();

    let id = column("id");
    assert_eq!((id.data_type.as_str(), id.nullable), ("bigint", false));
    assert_eq!(id.identity, Some(Identity::Always));
    assert_eq!(id.default, None);

    // A domain-typed column: the type as spelled outside the search path,
    // the logical type of the domain's base; the domain's NOT NULL is the
    // domain's, not the column's.
    let email = column("email");
    assert_eq!(email.data_type, "app.email");
    assert!(email.nullable);
    assert_eq!(
        email.logical_type,
        LogicalType::Text {
            max_length: None,
            fixed: false
        }
    );

    let name = column("name");
    assert_eq!(name.collation.as_deref(), Some("C"));
    assert_eq!(name.comment.as_deref(), Some("Display name"));
    assert_eq!(column("tags").collation, None);

    let status = column("status");
    assert_eq!(status.default, Some(canon("'new'::app.status")));
    assert_eq!(
        status.logical_type,
        LogicalType::Enum {
            name: Some(QualifiedName::new("app", "status")),
            values: vec![
                "new".into(),
                "active".into(),
                "archived".into(),
                "closed".into()
            ],
        }
    );
    let balance = column("balance");
    assert_eq!(balance.data_type, "numeric(12,2)");
    assert_eq!(balance.default, Some(canon("0")));
    assert_eq!(
        column("tags").logical_type,
        LogicalType::Array {
            element: Box::new(LogicalType::Text {
                max_length: None,
                fixed: false
            })
        }
    );
    let generated = column("name_upper");
    assert_eq!(generated.default, None);
    assert_eq!(
        generated.generated,
        Some(Generated {
            expression: canon("upper(name)"),
            stored: true
        })
    );
    assert_eq!(column("created_at").default, Some(canon("now()")));

    let pk = accounts.primary_key.as_ref().unwrap();
    assert_eq!(
        (pk.name.as_deref(), pk.columns.as_slice()),
        (Some("accounts_pkey"), &["id".to_string()][..])
    );
    assert_eq!(pk.comment.as_deref(), Some("The key"));
    let unique = &accounts.uniques[0];
    assert_eq!(unique.name.as_deref(), Some("accounts_email_key"));
    assert_eq!(unique.columns, ["email"]);
    assert!(unique.nulls_not_distinct);
    assert_eq!(unique.comment.as_deref(), Some("One account per address"));
    assert_eq!(
        accounts.checks,
        [CheckConstraint {
            name: Some("accounts_balance_check".into()),
            expression: canon("(balance >= (0)::numeric)"),
            comment: Some("No debt".into()),
        }]
    );

    let index = |name| accounts.indexes.iter().find(|i| i.name == name).unwrap();
    assert_eq!(
        names(&accounts.indexes, |i| &i.name),
        [
            "accounts_active_idx",
            "accounts_email_key",
            "accounts_lower_name_idx",
            "accounts_name_pattern_idx",
            "accounts_pkey",
            "accounts_tags_idx"
        ]
    );
    let active = index("accounts_active_idx");
    assert!(!active.unique);
    assert_eq!(active.method, "btree");
    assert_eq!(
        active.keys,
        [
            IndexKey::Column {
                name: "created_at".into(),
                options: IndexKeyOptions {
                    descending: true,
                    nulls_first: Some(false),
                    ..IndexKeyOptions::default()
                }
            },
            IndexKey::Column {
                name: "id".into(),
                options: IndexKeyOptions {
                    nulls_first: Some(true),
                    ..IndexKeyOptions::default()
                }
            }
        ]
    );
    assert_eq!(
        active.predicate,
        Some(canon("(status = 'active'::app.status)"))
    );
    assert_eq!(active.comment.as_deref(), Some("Recent active accounts"));
    assert_eq!(active.constraint, None);

    let email_key = index("accounts_email_key");
    assert_eq!(email_key.constraint.as_deref(), Some("accounts_email_key"));
    assert!(email_key.unique && email_key.nulls_not_distinct);
    assert_eq!(
        index("accounts_pkey").constraint.as_deref(),
        Some("accounts_pkey")
    );

    let expressions = index("accounts_lower_name_idx");
    assert!(expressions.unique);
    assert_eq!(expressions.key_columns(), None);
    assert_eq!(
        expressions.keys,
        [
            IndexKey::Expression {
                expression: canon("lower(name)"),
                options: IndexKeyOptions::default()
            },
            IndexKey::Expression {
                expression: canon("(balance + (1)::numeric)"),
                options: IndexKeyOptions::default()
            }
        ]
    );
    assert_eq!(
        index("accounts_name_pattern_idx").keys,
        [
            IndexKey::Column {
                name: "name".into(),
                options: IndexKeyOptions {
                    opclass: Some("text_pattern_ops".into()),
                    ..IndexKeyOptions::default()
                }
            },
            IndexKey::Column {
                name: "name".into(),
                options: IndexKeyOptions {
                    collation: Some("POSIX".into()),
                    ..IndexKeyOptions::default()
                }
            }
        ]
    );
    let tags = index("accounts_tags_idx");
    assert_eq!(
        (tags.method.as_str(), tags.keys.as_slice()),
        ("gin", &[column_key("tags")][..])
    );

    let trigger = &accounts.triggers[0];
    assert_eq!(accounts.triggers.len(), 1);
    assert_eq!(trigger.name, "accounts_touch");
    assert_eq!(trigger.timing, TriggerTiming::Before);
    assert_eq!(trigger.events, [TriggerEvent::Insert, TriggerEvent::Update]);
    assert_eq!(trigger.update_columns, ["name", "status"]);
    assert!(trigger.for_each_row);
    assert_eq!(trigger.when, Some(canon("(new.name IS NOT NULL)")));
    assert_eq!(trigger.function, Some(QualifiedName::new("app", "touch")));
    assert_eq!(trigger.comment.as_deref(), Some("Keeps rows fresh"));

    let security = &accounts.row_security;
    assert!(security.enabled && security.forced);
    assert_eq!(
        names(&security.policies, |p| &p.name),
        ["accounts_no_debt", "accounts_visible"]
    );
    let no_debt = &security.policies[0];
    assert_eq!(no_debt.command, PolicyCommand::Update);
    assert!(!no_debt.permissive);
    assert_eq!(no_debt.roles, ["public"]);
    assert_eq!(no_debt.using, Some(canon("true")));
    assert_eq!(no_debt.with_check, Some(canon("(balance >= (0)::numeric)")));
    let visible = &security.policies[1];
    assert_eq!(visible.command, PolicyCommand::Select);
    assert!(visible.permissive);
    assert_eq!(visible.roles, ["carta_live_auditor", "carta_live_reader"]);
    assert_eq!(
        visible.using,
        Some(canon("(status <> 'closed'::app.status)"))
    );
    assert_eq!(visible.with_check, None);
    assert_eq!(visible.comment.as_deref(), Some("Hide closed accounts"));
}

fn check_invoices(invoices: &Table) {
    // The dropped column is gone; the one added after it comes last.
    assert_eq!(
        names(&invoices.columns, |c| &c.name),
        ["id", "number", "account_id", "issued_on", "note"]
    );
    assert_eq!(invoices.row_estimate, None, "never analyzed");
    assert_eq!(
        invoices.column("id").unwrap().default,
        Some(canon("nextval('app.invoices_id_seq'::regclass)"))
    );
    assert_eq!(
        invoices.foreign_keys,
        [ForeignKey {
            name: Some("invoices_account_fk".into()),
            columns: vec!["account_id".into()],
            referenced_table: QualifiedName::new("app", "accounts"),
            referenced_columns: vec!["id".into()],
            on_update: ReferentialAction::Restrict,
            on_delete: ReferentialAction::Cascade,
            match_type: MatchType::Full,
            deferrable: true,
            initially_deferred: true,
            comment: Some("Owner".into()),
        }]
    );
    let covering = invoices
        .indexes
        .iter()
        .find(|i| i.name == "invoices_account_idx")
        .unwrap();
    assert_eq!(covering.keys, [column_key("account_id")]);
    assert_eq!(covering.include, ["issued_on", "number"]);
    // The foreign key's internal triggers are not listed; the user's statement trigger is.
    assert_eq!(
        names(&invoices.triggers, |t| &t.name),
        ["invoices_truncated"]
    );
    let truncated = &invoices.triggers[0];
    assert_eq!(truncated.timing, TriggerTiming::After);
    assert_eq!(truncated.events, [TriggerEvent::Truncate]);
    assert!(!truncated.for_each_row);
    assert!(invoices.row_security.enabled && !invoices.row_security.forced);
    assert!(invoices.row_security.policies.is_empty());
}

fn check_partitions_views_and_foreign_tables(catalog: &Catalog) {
    let events = table(catalog, "app", "events");
    assert_eq!(events.kind, TableKind::PartitionedTable);
    assert_eq!(events.partition_key.as_deref(), Some("RANGE (happened_at)"));
    assert_eq!(
        names(&events.foreign_keys, |f| f.name.as_deref().unwrap()),
        ["events_account_id_fkey"]
    );
    assert_eq!(names(&events.triggers, |t| &t.name), ["events_touch"]);

    let current = table(catalog, "app", "events_2025");
    assert_eq!(current.kind, TableKind::Table);
    assert_eq!(current.comment.as_deref(), Some("This year"));
    let partition = current.partition_of.as_ref().unwrap();
    assert_eq!(partition.parent, QualifiedName::new("app", "events"));
    // Printed in UTC whatever the server's time zone.
    assert_eq!(
        partition.bound,
        canon("FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00')")
    );
    // A partition's own key and index are its own objects; the foreign key
    // and trigger cloned from the parent are the parent's.
    assert_eq!(
        current.primary_key.as_ref().unwrap().name.as_deref(),
        Some("events_2025_pkey")
    );
    assert!(current.foreign_keys.is_empty() && current.triggers.is_empty());
    let other = table(catalog, "app", "events_other");
    assert_eq!(other.partition_of.as_ref().unwrap().bound, canon("DEFAULT"));

    let view = table(catalog, "app", "active_accounts");
    assert_eq!(view.kind, TableKind::View);
    assert_eq!(view.comment.as_deref(), Some("Accounts in use"));
    assert_eq!(view.row_estimate, None);
    assert_eq!(
        view.definition,
        Some(canon(
            "SELECT accounts.id,\n    accounts.name\n   FROM app.accounts\n  WHERE (accounts.status = 'active'::app.status)"
        ))
    );
    assert_eq!(
        view.column("name").unwrap().comment.as_deref(),
        Some("From accounts")
    );
    let instead = &view.triggers[0];
    assert_eq!(
        (instead.timing, instead.events.as_slice()),
        (TriggerTiming::InsteadOf, &[TriggerEvent::Insert][..])
    );

    let counts = table(catalog, "app", "account_counts");
    assert_eq!(counts.kind, TableKind::MaterializedView);
    assert_eq!(counts.comment.as_deref(), Some("Accounts per status"));
    assert!(counts
        .definition
        .as_deref()
        .is_some_and(|d| d.contains("app.accounts")));

    let imports = table(catalog, "app", "imports");
    assert_eq!(imports.kind, TableKind::ForeignTable);
    assert_eq!(imports.foreign_server.as_deref(), Some("files"));
    assert_eq!(imports.comment.as_deref(), Some("Raw import lines"));
}

const FILTERED: &str = "
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TABLE app.users (id integer PRIMARY KEY);
CREATE TABLE app.secret (id integer PRIMARY KEY, code text NOT NULL UNIQUE, CHECK (code <> ''));
CREATE TABLE app.orders (
  id integer PRIMARY KEY,
  user_id integer REFERENCES app.users (id),
  secret_code text REFERENCES app.secret (code)
);
CREATE TABLE app.tmp_cache (k text);
CREATE VIEW app.tmp_view AS SELECT k FROM app.tmp_cache;
CREATE TABLE audit.log (id integer);
CREATE VIEW audit.log_view AS SELECT id FROM audit.log;
";

fn app_without_secrets() -> IngestOptions {
    IngestOptions {
        filter: Filter {
            schemas: vec!["app".into()],
            exclude: vec!["tmp_*".into(), "app.secret".into()],
        },
        ..IngestOptions::default()
    }
}

/// Reading a view takes a lock on it. With both views left out by the
/// filter locked by another session, the filtered read still completes,
/// so the catalog queries never touched them; the same read unfiltered waits.
#[tokio::test(flavor = "multi_thread")]
async fn the_filter_keeps_excluded_objects_out_of_the_catalog_queries() {
    let db = PgDatabase::create();
    db.execute(FILTERED);
    let (locker, connection) = tokio_postgres::connect(&db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    locker
        .batch_execute("BEGIN; LOCK TABLE app.tmp_view, audit.log_view IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    let filtered = tokio::time::timeout(
        Duration::from_secs(30),
        ingest_live(&db.url(), &app_without_secrets()),
    )
    .await
    .expect("the filtered read does not wait for the locked views")
    .unwrap();
    let catalog = filtered.catalog;
    assert_eq!(names(&catalog.schemas, |s| &s.name), ["app"]);
    assert_eq!(
        names(&catalog.schemas[0].tables, |t| &t.name),
        ["orders", "users"]
    );
    // A foreign key into a table left out keeps its referenced columns.
    let orders = table(&catalog, "app", "orders");
    let to_secret = orders
        .foreign_keys
        .iter()
        .find(|fk| fk.referenced_table == QualifiedName::new("app", "secret"))
        .unwrap();
    assert_eq!(
        (
            to_secret.columns.as_slice(),
            to_secret.referenced_columns.as_slice()
        ),
        (&["secret_code".to_string()][..], &["code".to_string()][..])
    );

    let unfiltered = tokio::time::timeout(
        Duration::from_secs(2),
        ingest_live(&db.url(), &IngestOptions::default()),
    )
    .await;
    assert!(
        unfiltered.is_err(),
        "an unfiltered read waits for the locked views"
    );

    locker.batch_execute("ROLLBACK").await.unwrap();
    let everything = read(&db.url()).await;
    assert_eq!(
        names(&everything.schemas, |s| &s.name),
        ["app", "audit", "public"]
    );
    assert_eq!(
        names(&everything.schema("app").unwrap().tables, |t| &t.name),
        ["orders", "secret", "tmp_cache", "tmp_view", "users"]
    );
}

fn server() -> (String, u16) {
    let url = url::Url::parse(&carta_testkit::pg_server_url()).unwrap();
    (
        url.host_str().unwrap().to_string(),
        url.port().unwrap_or(5432),
    )
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_naming_host_and_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = ingest_live(
        &format!("postgres://postgres@127.0.0.1:{port}/app"),
        &IngestOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, IngestError::Connect { host, port: p, .. } if host == "127.0.0.1" && *p == port),
        "{error:?}"
    );
    assert_eq!(error.exit_code(), 4);
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepted by the kernel's backlog, never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let options = IngestOptions {
        connect_timeout: Duration::from_millis(300),
        ..IngestOptions::default()
    };
    let started = Instant::now();
    let error = ingest_live(
        &format!("postgres://postgres@127.0.0.1:{port}/app"),
        &options,
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(&error, IngestError::ConnectTimeout { port: p, seconds: 1, .. } if *p == port),
        "{error:?}"
    );
    assert_eq!(error.exit_code(), 4);
    drop(silent);
}

#[tokio::test]
async fn an_unknown_role_is_an_authentication_error() {
    let db = PgDatabase::create();
    let mut url = url::Url::parse(&db.url()).unwrap();
    url.set_username("carta_no_such_role").unwrap();
    let error = ingest_live(url.as_str(), &IngestOptions::default())
        .await
        .unwrap_err();
    let (host, port) = server();
    assert!(
        matches!(&error, IngestError::Auth { user, host: h, port: p, .. }
            if user == "carta_no_such_role" && *h == host && *p == port),
        "{error:?}"
    );
    assert_eq!(error.exit_code(), 5);
}

#[tokio::test]
async fn a_missing_database_is_named() {
    let url = format!("{}/carta_no_such_database", carta_testkit::pg_server_url());
    let error = ingest_live(&url, &IngestOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, IngestError::NoDatabase { database, .. } if database == "carta_no_such_database"),
        "{error:?}"
    );
    assert_eq!(error.exit_code(), 5);
}

#[tokio::test]
async fn an_invalid_url_is_reported_without_its_password() {
    for url in [
        "postgres://bob:s3cret@127.0.0.1:notaport/app",
        "postgres://bob:s3cret@127.0.0.1/app?no_such_option=1",
    ] {
        let error = ingest_live(url, &IngestOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(error, IngestError::InvalidUrl { .. }), "{error:?}");
        assert_eq!(error.exit_code(), 6);
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }
}

#[tokio::test]
async fn plain_and_preferred_ssl_modes_connect_without_tls() {
    let db = PgDatabase::create();
    db.execute("CREATE TABLE t (id integer)");
    for mode in ["disable", "prefer"] {
        let catalog = read(&format!("{}?sslmode={mode}", db.url())).await;
        assert_eq!(names(&catalog.schemas[0].tables, |t| &t.name), ["t"]);
    }
}

#[tokio::test]
async fn names_that_need_quotes_come_back_as_written() {
    let db = PgDatabase::create();
    db.execute(
        r#"
CREATE SCHEMA "Billing";
CREATE TYPE "Billing"."State" AS ENUM ('open', 'paid');
CREATE TABLE "Billing"."Invoice" (
  "Id" integer PRIMARY KEY,
  "State" "Billing"."State" NOT NULL,
  "two words" text
);
CREATE INDEX "Invoice words" ON "Billing"."Invoice" ("two words", lower("two words"));
CREATE TABLE "Billing".line ("invoice Id" integer REFERENCES "Billing"."Invoice" ("Id"));
"#,
    );
    let catalog = read(&db.url()).await;
    let billing = catalog.schema("Billing").expect("the schema is read");
    assert_eq!(names(&billing.tables, |t| &t.name), ["Invoice", "line"]);
    let invoice = table(&catalog, "Billing", "Invoice");
    let state = invoice.column("State").unwrap();
    assert_eq!(state.data_type, r#""Billing"."State""#);
    assert_eq!(
        state.logical_type,
        LogicalType::Enum {
            name: Some(QualifiedName::new("Billing", "State")),
            values: vec!["open".into(), "paid".into()],
        }
    );
    let words = invoice
        .indexes
        .iter()
        .find(|i| i.name == "Invoice words")
        .unwrap();
    assert_eq!(
        words.keys,
        [
            column_key("two words"),
            IndexKey::Expression {
                expression: canon(r#"lower("two words")"#),
                options: IndexKeyOptions::default()
            }
        ]
    );
    let line = table(&catalog, "Billing", "line");
    let fk = &line.foreign_keys[0];
    assert_eq!(fk.columns, ["invoice Id"]);
    assert_eq!(
        fk.referenced_table,
        QualifiedName::new("Billing", "Invoice")
    );
    assert_eq!(fk.referenced_columns, ["Id"]);
}

/// The read runs its heaviest queries on a second connection in the first
/// one's snapshot; a role that may open only one connection still gets the
/// whole schema, all of it read on the first.
#[tokio::test(flavor = "multi_thread")]
async fn a_role_limited_to_one_connection_reads_the_same_catalog() {
    let db = PgDatabase::create();
    db.execute(SCHEMA);
    let role = format!("{}_single", db.name);
    db.execute(&format!("CREATE ROLE \"{role}\" LOGIN CONNECTION LIMIT 1"));
    let mut limited = url::Url::parse(&db.url()).unwrap();
    limited.set_username(&role).unwrap();
    let alone = ingest_live(limited.as_str(), &IngestOptions::default()).await;
    db.execute(&format!("DROP ROLE \"{role}\""));
    let alone = alone.expect("the limited role reads the database");
    assert!(alone.warnings.is_empty(), "{:?}", alone.warnings);
    let full = read(&db.url()).await;
    assert_eq!(alone.catalog.fingerprint, full.fingerprint);
    assert!(full.stats().tables > 0);
}
