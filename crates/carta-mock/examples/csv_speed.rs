//! Prints how many rows per second `write_table` produces as CSV for a
//! simple table (an identity key, a name, an email, an integer, a
//! timestamp). Run with `cargo run --release -p carta-mock --example csv_speed [ROWS]`.

use carta_catalog::{Catalog, Column, Dialect, Identity, LogicalType, PrimaryKey, Schema, Table};
use carta_mock::{plan, write_table, FileFormat, MockOptions};
use std::time::Instant;

fn column(name: &str, logical_type: LogicalType) -> Column {
    Column {
        name: name.to_string(),
        data_type: String::new(),
        logical_type,
        nullable: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args()
        .nth(1)
        .map_or(Ok(2_000_000), |a| a.parse())?;
    let mut id = column(
        "id",
        LogicalType::Integer {
            bits: 64,
            unsigned: false,
        },
    );
    id.identity = Some(Identity::ByDefault);
    let table = Table {
        name: "people".to_string(),
        columns: vec![
            id,
            column(
                "full_name",
                LogicalType::Text {
                    max_length: None,
                    fixed: false,
                },
            ),
            column(
                "email",
                LogicalType::Text {
                    max_length: Some(255),
                    fixed: false,
                },
            ),
            column(
                "age",
                LogicalType::Integer {
                    bits: 32,
                    unsigned: false,
                },
            ),
            column(
                "created_at",
                LogicalType::Timestamp {
                    with_time_zone: true,
                },
            ),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".to_string()],
            comment: None,
        }),
        ..Table::default()
    };
    let mut catalog = Catalog::new(Dialect::Postgres);
    catalog.schemas.push(Schema {
        name: "public".to_string(),
        tables: vec![table],
        ..Schema::default()
    });
    let catalog = catalog.finish();
    let options = MockOptions {
        default_rows: rows,
        ..MockOptions::default()
    };
    let plan = plan(&catalog, &catalog.relations(), &options)?;
    let mut sink = std::io::sink();
    let start = Instant::now();
    write_table(FileFormat::Csv, &catalog, &plan, 0, &mut sink)?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{rows} rows in {seconds:.2} s: {:.0} rows/s",
        rows as f64 / seconds
    );
    Ok(())
}
