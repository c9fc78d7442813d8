//! Loads generated rows into an existing, empty database and prints the rate.
//!
//!     cargo run --release -p carta-load --example load_bench -- URL ROWS [TABLE]
//!
//! Reads the schema from URL itself, plans ROWS rows for TABLE (default: every
//! table; the others get ROWS / 100, at least 1) and loads them. Prints one
//! line: `rows=N seconds=S rows_per_second=R`, where N counts every table.

use carta_catalog::QualifiedName;
use carta_load::{load, LoadOptions, NoProgress};
use carta_mock::MockOptions;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(rows)) = (args.first(), args.get(1)) else {
        return Err("usage: load_bench URL ROWS [SCHEMA.TABLE]".into());
    };
    let rows: u64 = rows.parse()?;
    let source = carta_ingest::Source::parse(url, None)?;
    let catalog = carta_ingest::ingest(&source, &carta_source::IngestOptions::default())
        .await?
        .catalog;
    let mut options = MockOptions {
        default_rows: rows,
        ..MockOptions::default()
    };
    if let Some(main_table) = args.get(2) {
        let (schema, name) = main_table
            .split_once('.')
            .ok_or("the table must be named SCHEMA.TABLE")?;
        options.default_rows = (rows / 100).max(1);
        options.rows.insert(QualifiedName::new(schema, name), rows);
    }
    let plan = carta_mock::plan(&catalog, &catalog.relations(), &options)?;
    let started = Instant::now();
    let report = load(url, &catalog, &plan, &LoadOptions::default(), &NoProgress).await?;
    let seconds = started.elapsed().as_secs_f64();
    let total: u64 = report.tables.iter().map(|(_, n)| n).sum();
    println!(
        "rows={total} seconds={seconds:.3} rows_per_second={:.0}",
        total as f64 / seconds
    );
    Ok(())
}
