//! Prints how many rows per second `write_table` produces as CSV for the
//! wide `users` table of `bench/mock.sh` (uuid key, unique email, a name,
//! an enum, inet, jsonb, two ordered timestamps, a foreign key). Run with
//! `cargo run --release -p carta-mock --example csv_speed [ROWS]`.

use carta_catalog::QualifiedName;
use carta_mock::{plan, write_table, FileFormat, MockOptions};
use carta_source::{DdlFile, IngestOptions};
use std::time::Instant;

/// The table shape of `bench/mock.sh`.
const SCHEMA: &str = "
CREATE TYPE account_status AS ENUM ('active', 'invited', 'suspended', 'deleted');
CREATE TABLE orgs (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE users (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs (id),
    email varchar(254) NOT NULL UNIQUE,
    full_name text NOT NULL,
    status account_status NOT NULL,
    last_ip inet,
    preferences jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT users_updated_after_created CHECK (updated_at >= created_at)
);
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args()
        .nth(1)
        .map_or(Ok(2_000_000), |a| a.parse())?;
    let files = [DdlFile {
        path: "users.sql".into(),
        text: SCHEMA.to_string(),
    }];
    let catalog = carta_postgres::ingest_ddl(&files, &IngestOptions::default())?.catalog;
    let users = QualifiedName::new("public", "users");
    let mut options = MockOptions {
        default_rows: (rows / 100).max(1),
        ..MockOptions::default()
    };
    options.rows.insert(users.clone(), rows);
    let plan = plan(&catalog, &catalog.relations(), &options)?;
    let index = plan
        .tables
        .iter()
        .position(|t| t.table == users)
        .ok_or("users is not planned")?;
    let mut sink = std::io::sink();
    let start = Instant::now();
    write_table(FileFormat::Csv, &catalog, &plan, index, &mut sink)?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{rows} rows in {seconds:.2} s: {:.0} rows/s",
        rows as f64 / seconds
    );
    Ok(())
}
