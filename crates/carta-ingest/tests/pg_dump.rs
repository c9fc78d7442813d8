//! A large, real-world-style schema (partitions, functions, triggers,
//! policies, views, domains, exclusion constraints, grants) is loaded into
//! PostgreSQL and dumped by the real `pg_dump --schema-only`. The DDL
//! reader must read the whole dump without a warning, and agree with live
//! introspection of the same database.

use carta_ingest::Source;
use carta_source::IngestOptions;
use carta_testkit::PgDatabase;
use std::fmt::Write as _;
use std::process::Command;

const TABLES_PER_SCHEMA: usize = 60;
const SCHEMAS: [&str; 3] = ["app", "billing", "audit"];

fn schema_sql() -> String {
    let mut sql = String::from(
        "CREATE EXTENSION IF NOT EXISTS btree_gist;\n\
         DO $$ BEGIN CREATE ROLE carta_dump_reader NOLOGIN; \
         EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n",
    );
    for schema in SCHEMAS {
        let _ = write!(
            sql,
            "CREATE SCHEMA {schema};
COMMENT ON SCHEMA {schema} IS 'The {schema} area';
CREATE TYPE {schema}.state AS ENUM ('new', 'active', 'closed');
CREATE DOMAIN {schema}.email AS text CHECK (VALUE ~* '^[^@]+@[^@]+$');
CREATE FUNCTION {schema}.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
CREATE FUNCTION {schema}.tenant() RETURNS bigint LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant', true), '')::bigint $$;
CREATE TABLE {schema}.events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id bigint NOT NULL,
  happened_at timestamptz NOT NULL,
  payload jsonb NOT NULL DEFAULT '{{}}',
  PRIMARY KEY (id, happened_at)
) PARTITION BY RANGE (happened_at);
CREATE TABLE {schema}.events_2025 PARTITION OF {schema}.events
  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE {schema}.events_2026 PARTITION OF {schema}.events
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE {schema}.events_other PARTITION OF {schema}.events DEFAULT;
CREATE INDEX ON {schema}.events (tenant_id, happened_at DESC);
CREATE TABLE {schema}.bookings (
  id serial PRIMARY KEY,
  room int NOT NULL,
  during tstzrange NOT NULL,
  EXCLUDE USING gist (room WITH =, during WITH &&)
);
"
        );
        for i in 0..TABLES_PER_SCHEMA {
            let parent = if i == 0 {
                String::new()
            } else {
                format!(
                    ",\n  parent_id bigint REFERENCES {schema}.t{:03} (id) \
                     ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED",
                    i / 2
                )
            };
            let _ = write!(
                sql,
                "CREATE TABLE {schema}.t{i:03} (
  id bigserial PRIMARY KEY,
  tenant_id bigint NOT NULL,
  name varchar(200) NOT NULL,
  contact {schema}.email,
  state {schema}.state NOT NULL DEFAULT 'new',
  score numeric(5,2) CHECK (score BETWEEN 0 AND 100),
  tags text[] NOT NULL DEFAULT '{{}}',
  total numeric(12,2) GENERATED ALWAYS AS (score * 2) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz{parent},
  UNIQUE (tenant_id, name),
  CONSTRAINT t{i:03}_dates CHECK (updated_at >= created_at)
);
CREATE INDEX t{i:03}_live_idx ON {schema}.t{i:03} (tenant_id) WHERE deleted_at IS NULL;
CREATE INDEX t{i:03}_lower_name_idx ON {schema}.t{i:03} (lower(name::text)) INCLUDE (state);
CREATE TRIGGER t{i:03}_touch BEFORE UPDATE OF name, state ON {schema}.t{i:03}
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION {schema}.touch();
ALTER TABLE {schema}.t{i:03} ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {schema}.t{i:03} USING (tenant_id = {schema}.tenant());
CREATE POLICY no_closed_writes ON {schema}.t{i:03} AS RESTRICTIVE FOR UPDATE TO carta_dump_reader
  USING (state <> 'closed') WITH CHECK (state <> 'closed');
COMMENT ON TABLE {schema}.t{i:03} IS 'Table {i} of {schema}: ''quoted'' text';
COMMENT ON COLUMN {schema}.t{i:03}.name IS 'Display name';
COMMENT ON INDEX {schema}.t{i:03}_live_idx IS 'Rows not soft-deleted';
COMMENT ON TRIGGER t{i:03}_touch ON {schema}.t{i:03} IS 'Keeps updated_at current';
GRANT SELECT ON {schema}.t{i:03} TO carta_dump_reader;
"
            );
        }
        let _ = write!(
            sql,
            "CREATE VIEW {schema}.active AS SELECT id, name FROM {schema}.t001 WHERE state = 'active';
CREATE MATERIALIZED VIEW {schema}.counts AS
  SELECT state, count(*) AS n FROM {schema}.t002 GROUP BY state WITH NO DATA;
COMMENT ON VIEW {schema}.active IS 'Active rows';
"
        );
    }
    sql
}

fn pg_dump(db: &PgDatabase) -> String {
    let output = Command::new("pg_dump")
        .args(["--schema-only", "--dbname", &db.url()])
        .output()
        .expect("pg_dump is installed (scripts/test installs PostgreSQL)");
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("pg_dump writes UTF-8")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_pg_dump_reads_without_warnings_and_matches_the_live_database() {
    let db = PgDatabase::create();
    db.execute(&schema_sql());
    let dump = pg_dump(&db);
    let dir = std::env::temp_dir().join(format!("carta-pg-dump-{}", db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dump.sql");
    std::fs::write(&path, &dump).unwrap();

    let options = IngestOptions::default();
    let source = Source::parse(path.to_str().unwrap(), None).unwrap();
    let from_dump = carta_ingest::ingest(&source, &options)
        .await
        .expect("the dump reads");
    std::fs::remove_dir_all(&dir).unwrap();
    let warnings: Vec<String> = from_dump.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.is_empty(),
        "warnings on real pg_dump output:\n{}",
        warnings.join("\n")
    );

    let stats = from_dump.catalog.stats();
    let per_schema = TABLES_PER_SCHEMA + 2; // the numbered tables, events, bookings
    assert_eq!(stats.tables, SCHEMAS.len() * per_schema);
    assert_eq!(stats.partitions, SCHEMAS.len() * 3);
    assert_eq!(stats.views, SCHEMAS.len() * 2);
    assert_eq!(stats.policies, SCHEMAS.len() * TABLES_PER_SCHEMA * 2);
    assert_eq!(stats.triggers, SCHEMAS.len() * TABLES_PER_SCHEMA);
    assert_eq!(stats.exclusions, SCHEMAS.len());

    let live = carta_ingest::ingest(&Source::Postgres { url: db.url() }, &options)
        .await
        .expect("the live database reads");
    let (dumped, live) = (from_dump.catalog, live.catalog);
    assert_eq!(
        dumped.fingerprint,
        live.fingerprint,
        "{}",
        first_difference(&dumped.to_json(), &live.to_json())
    );
}

/// The first differing line of two JSON texts, with context, for a readable failure.
fn first_difference(dump: &str, live: &str) -> String {
    let (a, b): (Vec<_>, Vec<_>) = (dump.lines().collect(), live.lines().collect());
    match a.iter().zip(&b).position(|(x, y)| x != y) {
        Some(i) => {
            let from = i.saturating_sub(6);
            format!(
                "first difference at JSON line {}:\n--- from dump\n{}\n--- live\n{}",
                i + 1,
                a[from..(i + 3).min(a.len())].join("\n"),
                b[from..(i + 3).min(b.len())].join("\n")
            )
        }
        None => format!(
            "one JSON is a prefix of the other ({} vs {} lines)",
            a.len(),
            b.len()
        ),
    }
}
