//! `carta coverage`: how much of a schema is documented.
//!
//! Each table, view and materialized view counts one item for its own
//! comment and one per column; an item is documented when its comment
//! (from the database or from `carta.toml`) is not blank. Partitions are
//! left out: their parent's documentation is theirs. Overall coverage is
//! documented items over all items, so a wide table weighs more than a
//! narrow one. Percentages are rounded down to one decimal, so 100.0 means
//! everything is documented.

use carta_catalog::{Catalog, Table, TableKind};
use serde::Serialize;
use std::fmt::Write as _;

/// Exit status when overall coverage is under `--min` (documented in the README).
pub const BELOW_MINIMUM_EXIT: i32 = 9;

#[derive(clap::Args)]
pub struct Args {
    /// postgres://..., mysql://..., sqlite://FILE, a .db file, a .sql file or folder, or a Catalog .json.
    source: String,
    #[command(flatten)]
    config: crate::config::ConfigArg,
    /// Fail (exit status 9) when overall coverage is under this percentage.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    min: Option<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

/// Overall coverage is under the `--min` threshold.
#[derive(Debug, thiserror::Error)]
#[error("documentation coverage {coverage:.1}% is under the minimum {min}%")]
pub struct BelowMinimum {
    coverage: f64,
    min: f64,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let mut ingested = args.read.read(&args.source).await?;
    crate::config::prepare(&mut ingested.catalog, &config)?;
    let report = Report::of(&ingested.catalog);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report always serializes")
        );
    } else {
        print!("{}", report.text());
    }
    match args.min {
        Some(min) if report.documented as f64 * 100.0 < min * report.total as f64 => {
            Err(BelowMinimum {
                coverage: report.coverage,
                min,
            }
            .into())
        }
        _ => Ok(()),
    }
}

/// The report; its JSON shape is documented in docs/configuration.md.
#[derive(Debug, Serialize)]
struct Report {
    /// Overall percentage, rounded down to one decimal.
    coverage: f64,
    documented: usize,
    total: usize,
    tables: Vec<TableCoverage>,
}

#[derive(Debug, Serialize)]
struct TableCoverage {
    /// `schema.table`.
    table: String,
    kind: TableKind,
    coverage: f64,
    documented: usize,
    total: usize,
    table_comment: bool,
    columns_documented: usize,
    columns: usize,
    /// In declared order.
    undocumented_columns: Vec<String>,
}

fn is_documented(comment: Option<&String>) -> bool {
    comment.is_some_and(|c| !c.trim().is_empty())
}

/// `documented / total` as a percentage rounded down to one decimal; an
/// empty set has nothing undocumented, so it is 100.
fn percent(documented: usize, total: usize) -> f64 {
    match total {
        0 => 100.0,
        _ => (documented * 1000 / total) as f64 / 10.0,
    }
}

impl TableCoverage {
    fn of(schema: &str, table: &Table) -> TableCoverage {
        let table_comment = is_documented(table.comment.as_ref());
        let undocumented_columns: Vec<String> = table
            .columns
            .iter()
            .filter(|c| !is_documented(c.comment.as_ref()))
            .map(|c| c.name.clone())
            .collect();
        let columns = table.columns.len();
        let columns_documented = columns - undocumented_columns.len();
        let documented = columns_documented + usize::from(table_comment);
        let total = columns + 1;
        TableCoverage {
            table: format!("{schema}.{}", table.name),
            kind: table.kind,
            coverage: percent(documented, total),
            documented,
            total,
            table_comment,
            columns_documented,
            columns,
            undocumented_columns,
        }
    }
}

impl Report {
    fn of(catalog: &Catalog) -> Report {
        let tables: Vec<TableCoverage> = catalog
            .tables()
            .filter(|(_, t)| t.partition_of.is_none())
            .map(|(s, t)| TableCoverage::of(&s.name, t))
            .collect();
        let documented = tables.iter().map(|t| t.documented).sum();
        let total = tables.iter().map(|t| t.total).sum();
        Report {
            coverage: percent(documented, total),
            documented,
            total,
            tables,
        }
    }

    fn text(&self) -> String {
        let width = self
            .tables
            .iter()
            .map(|t| t.table.chars().count())
            .chain([7])
            .max()
            .unwrap_or(7);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<width$}  {:>7}  {:>9}  {:>8}",
            "table", "comment", "columns", "coverage"
        );
        for t in &self.tables {
            let columns = format!("{}/{}", t.columns_documented, t.columns);
            let comment = if t.table_comment { "yes" } else { "no" };
            let _ = writeln!(
                out,
                "{:<width$}  {comment:>7}  {columns:>9}  {:>7.1}%",
                t.table, t.coverage
            );
        }
        let _ = writeln!(
            out,
            "overall: {:.1}% ({} of {} items documented)",
            self.coverage, self.documented, self.total
        );
        out
    }
}
