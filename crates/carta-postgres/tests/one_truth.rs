//! One truth: reading a DDL text, reading the `pg_dump --schema-only` of a
//! database it was applied to, and reading that database live give the same
//! Catalog and the same fingerprint. This
//! test is the arbiter between the two readers, for hand-written schemas
//! covering every object kind and for every seed in `examples/seeds/`.

use carta_catalog::Catalog;
use carta_source::{DdlFile, IngestOptions};
use carta_testkit::PgDatabase;
use std::path::{Path, PathBuf};

fn live(db: &PgDatabase) -> Catalog {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut catalog = runtime
        .block_on(carta_postgres::ingest_live(
            &db.url(),
            &IngestOptions::default(),
        ))
        .expect("live ingest")
        .catalog;
    catalog.source = None;
    catalog
}

fn from_ddl(path: &Path, sql: &str) -> Catalog {
    let file = DdlFile {
        path: path.to_path_buf(),
        text: sql.to_string(),
    };
    let ingested =
        carta_postgres::ingest_ddl(&[file], &IngestOptions::default()).expect("DDL ingest");
    let warnings: Vec<String> = ingested.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.is_empty(),
        "{}: unexpected warnings:\n{}",
        path.display(),
        warnings.join("\n")
    );
    ingested.catalog
}

/// The first lines where two JSON texts differ, with some context, for a readable failure.
fn first_difference(left: &str, right: &str) -> String {
    let a: Vec<&str> = left.lines().collect();
    let b: Vec<&str> = right.lines().collect();
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(8);
    let show = |lines: &[&str]| {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .take(at - from + 8)
            .map(|(i, l)| format!("{}{:5} {l}", if i == at { ">" } else { " " }, i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "--- live (line {})\n{}\n--- ddl\n{}",
        at + 1,
        show(&a),
        show(&b)
    )
}

/// `pg_dump --schema-only` of a database: the other DDL text the reader must get right.
fn pg_dump(db: &PgDatabase) -> String {
    let output = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--dbname", &db.url()])
        .output()
        .expect("pg_dump runs (it comes with the PostgreSQL client)");
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("pg_dump writes UTF-8")
}

/// Asserts that `sql` as a DDL file, and the `pg_dump` of a database it
/// was applied to, both read as that database reads live.
fn assert_one_truth(name: &str, sql: &str) {
    let db = PgDatabase::create();
    db.execute(sql);
    let live = live(&db);
    assert_same(name, &live, &from_ddl(Path::new(name), sql));
    let dump = pg_dump(&db);
    let dump_name = format!("{name} (pg_dump)");
    assert_same(&dump_name, &live, &from_ddl(Path::new(&dump_name), &dump));
}

fn assert_same(name: &str, live: &Catalog, ddl: &Catalog) {
    // The fingerprints are compared last: a differing fingerprint line says nothing useful.
    let body = |c: &Catalog| {
        let mut c = c.clone();
        c.fingerprint.clear();
        c.to_json()
    };
    let (live_json, ddl_json) = (body(live), body(ddl));
    if live_json != ddl_json {
        let stem: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let written = std::fs::write(dir.join(format!("{stem}.live.json")), &live_json)
            .and_then(|()| std::fs::write(dir.join(format!("{stem}.ddl.json")), &ddl_json));
        panic!(
            "{name}: live and DDL Catalogs differ (both written to {} unless {written:?} is an error)\n{}",
            dir.display(),
            first_difference(&live_json, &ddl_json)
        );
    }
    assert_eq!(
        live.fingerprint, ddl.fingerprint,
        "{name}: fingerprints differ"
    );
}

#[test]
fn tables_keys_and_implicit_names() {
    assert_one_truth(
        "tables.sql",
        r#"
        CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
        CREATE DOMAIN email AS varchar(320) CHECK (VALUE LIKE '%@%');
        CREATE TABLE orgs (
            id serial PRIMARY KEY,
            name varchar(100) NOT NULL UNIQUE,
            slug text NOT NULL CHECK (slug ~ '^[a-z-]+$'),
            created_at timestamptz NOT NULL DEFAULT now(),
            settings jsonb NOT NULL DEFAULT '{}'::jsonb,
            tags text[] DEFAULT '{}'
        );
        CREATE TABLE users (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            org_id int NOT NULL REFERENCES orgs ON DELETE CASCADE,
            email email NOT NULL,
            status order_status NOT NULL DEFAULT 'new',
            score numeric(5,2) DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
            balance double precision DEFAULT -1.5,
            code char(3),
            flag bool DEFAULT false,
            manager_id bigint,
            CONSTRAINT users_manager_fk FOREIGN KEY (manager_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
            UNIQUE (org_id, email),
            CHECK (org_id > 0 AND score >= 0),
            CHECK (status IN ('new', 'paid'))
        );
        CREATE INDEX ON users (lower(email::text));
        CREATE INDEX users_status_idx ON users USING hash (status);
        CREATE UNIQUE INDEX ON users (org_id, code) INCLUDE (flag) WHERE code IS NOT NULL;
        CREATE INDEX ON users (score DESC NULLS LAST, id);
        CREATE INDEX ON orgs USING gin (tags);
        CREATE TABLE "Mixed Case" ("Id" int, note varchar);
        CREATE TABLE bookings (room int, during tsrange, EXCLUDE USING gist (during WITH &&) WHERE (room > 0));
        ALTER TABLE users ADD COLUMN bio text DEFAULT 'none';
        ALTER TABLE users ADD CONSTRAINT bio_len CHECK (length(bio) < 500);
        ALTER TABLE users ALTER COLUMN flag SET NOT NULL;
        ALTER TABLE orgs ADD COLUMN seq_no bigserial;
        "#,
    );
}

#[test]
fn schemas_sequences_functions_triggers_and_policies() {
    assert_one_truth(
        "objects.sql",
        r#"
        CREATE SCHEMA app;
        CREATE TYPE app.level AS ENUM ('low', 'high');
        ALTER TYPE app.level ADD VALUE 'mid' BEFORE 'high';
        CREATE SEQUENCE app.ticket_seq AS integer START WITH 100 INCREMENT BY 5 CACHE 10;
        CREATE TABLE app.tickets (
            id integer NOT NULL DEFAULT nextval('app.ticket_seq'),
            tenant_id uuid NOT NULL DEFAULT gen_random_uuid(),
            level app.level NOT NULL DEFAULT 'low',
            title text NOT NULL,
            updated_at timestamp without time zone,
            PRIMARY KEY (id)
        );
        ALTER SEQUENCE app.ticket_seq OWNED BY app.tickets.id;
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END;
        $$;
        CREATE FUNCTION app.count_for(p_tenant uuid, p_limit integer DEFAULT 10) RETURNS bigint
            LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT count(*) FROM app.tickets WHERE tenant_id = p_tenant $$;
        CREATE PROCEDURE app.purge(days int) LANGUAGE sql AS $$ DELETE FROM app.tickets $$;
        CREATE FUNCTION app.defaults(a text DEFAULT 'x', b int DEFAULT -1, c numeric DEFAULT 1.5,
            d bigint DEFAULT 7, e boolean DEFAULT true, f uuid DEFAULT NULL, VARIADIC g int[] DEFAULT '{}')
            RETURNS TABLE (n int, "Label" text) LANGUAGE sql IMMUTABLE AS $$ SELECT 1, 'x' $$;
        CREATE TRIGGER tickets_touch BEFORE INSERT OR UPDATE OF title ON app.tickets
            FOR EACH ROW WHEN (NEW.title IS NOT NULL) EXECUTE FUNCTION app.touch();
        ALTER TABLE app.tickets ENABLE ROW LEVEL SECURITY;
        ALTER TABLE app.tickets FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON app.tickets
            USING (tenant_id = current_setting('app.tenant_id')::uuid);
        CREATE POLICY tenant_insert ON app.tickets AS RESTRICTIVE FOR INSERT TO postgres
            WITH CHECK (tenant_id = current_setting('app.tenant_id')::uuid);
        "#,
    );
}

#[test]
fn partitions_inherit_indexes_keys_and_triggers() {
    assert_one_truth(
        "partitions.sql",
        r#"
        CREATE TABLE accounts (id int PRIMARY KEY);
        CREATE TABLE events (
            id bigserial,
            account_id int REFERENCES accounts,
            at date NOT NULL DEFAULT CURRENT_DATE,
            body text CHECK (length(body) > 1),
            PRIMARY KEY (id, at)
        ) PARTITION BY RANGE (at);
        CREATE INDEX ON events (account_id) INCLUDE (body);
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE events_rest (id bigint NOT NULL, account_id int, at date NOT NULL,
            body text CONSTRAINT events_body_check CHECK (length(body) > 1));
        ALTER TABLE events ATTACH PARTITION events_rest DEFAULT;
        CREATE TABLE regions (code text NOT NULL, n int) PARTITION BY LIST (code);
        CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('de', 'fr');
        CREATE TABLE buckets (k int) PARTITION BY HASH (k);
        CREATE TABLE buckets_0 PARTITION OF buckets FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        "#,
    );
}

#[test]
fn views_and_comments() {
    assert_one_truth(
        "views.sql",
        r#"
        CREATE TABLE items (id int PRIMARY KEY, name varchar(50) NOT NULL, price numeric(10,2), active boolean DEFAULT true);
        CREATE VIEW active_items AS SELECT * FROM items WHERE active;
        CREATE VIEW item_names (item, label) AS SELECT id, upper(name) FROM items ORDER BY name;
        CREATE MATERIALIZED VIEW price_stats AS SELECT count(*), max(price) AS top FROM items WITH NO DATA;
        CREATE TABLE orders (id int PRIMARY KEY, item_id int REFERENCES items, qty int NOT NULL);
        CREATE VIEW order_lines AS
            SELECT o.id, name, qty * price AS total FROM orders o JOIN items i ON i.id = item_id
            WHERE qty > 0 ORDER BY name;
        CREATE VIEW everything AS SELECT * FROM orders JOIN items USING (id);
        COMMENT ON SCHEMA public IS 'the shop';
        COMMENT ON TABLE items IS 'things for sale';
        COMMENT ON COLUMN items.name IS 'display name';
        COMMENT ON VIEW active_items IS 'only active';
        COMMENT ON MATERIALIZED VIEW price_stats IS 'stats';
        COMMENT ON CONSTRAINT items_pkey ON items IS 'the key';
        COMMENT ON INDEX items_pkey IS 'key index';
        "#,
    );
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds")
}

#[test]
fn every_seed_reads_the_same_from_ddl_and_live() {
    let Ok(entries) = std::fs::read_dir(seeds_dir()) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for file in files {
        let sql = std::fs::read_to_string(&file).expect("a readable seed");
        assert_one_truth(&file.display().to_string(), &sql);
    }
}
