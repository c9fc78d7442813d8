use crate::DialectArg;
use carta_catalog::Catalog;
use carta_ingest::{Filter, Source};
use carta_source::IngestOptions;
use std::fmt::Write as _;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// postgres://..., mysql://..., sqlite://FILE, a .db file, a .sql file or folder, or a Catalog .json.
    source: String,
    /// Print the Catalog as JSON instead of a summary.
    #[arg(long)]
    json: bool,
    /// Only these schemas (repeatable).
    #[arg(long = "schema", value_name = "SCHEMA")]
    schemas: Vec<String>,
    /// Leave out tables matching this glob: `table*`, or `schema.table*` (repeatable).
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Dialect of DDL files, when not recognized from the text.
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// Schema name for MySQL DDL, which has none of its own.
    #[arg(long, value_name = "NAME")]
    default_schema: Option<String>,
    /// Seconds to wait for a server to accept the connection.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    connect_timeout: u64,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let source = Source::parse(&args.source, args.dialect.map(Into::into))?;
    let options = IngestOptions {
        filter: Filter {
            schemas: args.schemas,
            exclude: args.exclude,
        },
        default_schema: args.default_schema,
        connect_timeout: Duration::from_secs(args.connect_timeout),
    };
    let spinner = crate::progress::spinner(format!(
        "reading {}",
        carta_source::redact_url(&args.source)
    ));
    let ingested = carta_ingest::ingest(&source, &options).await;
    spinner.finish_and_clear();
    let ingested = ingested?;
    for warning in &ingested.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        print!("{}", ingested.catalog.to_json());
    } else {
        print!("{}", summary(&ingested.catalog, ingested.warnings.len()));
    }
    Ok(())
}

/// The human summary: where from, counts per object kind, the fingerprint.
fn summary(catalog: &Catalog, warnings: usize) -> String {
    let stats = catalog.stats();
    let mut out = String::new();
    if let Some(source) = &catalog.source {
        let _ = writeln!(
            out,
            "source:      {} ({:?})",
            source.location, catalog.dialect
        );
        if let Some(version) = &source.server_version {
            let _ = writeln!(out, "server:      {version}");
        }
    }
    let _ = writeln!(out, "fingerprint: {}", catalog.fingerprint);
    let rows = [
        ("schemas", stats.schemas),
        ("tables", stats.tables),
        ("partitions", stats.partitions),
        ("views", stats.views),
        ("columns", stats.columns),
        ("primary keys", stats.primary_keys),
        ("foreign keys", stats.foreign_keys),
        ("unique constraints", stats.uniques),
        ("check constraints", stats.checks),
        ("exclusion constraints", stats.exclusions),
        ("indexes", stats.indexes),
        ("triggers", stats.triggers),
        ("tables with RLS", stats.rls_tables),
        ("policies", stats.policies),
        ("enums", stats.enums),
        ("domains", stats.domains),
        ("sequences", stats.sequences),
        ("functions", stats.functions),
        ("extensions", stats.extensions),
    ];
    for (label, count) in rows {
        let _ = writeln!(out, "{label:<22} {count:>7}");
    }
    for schema in &catalog.schemas {
        let tables = schema.tables.len();
        let _ = writeln!(out, "schema {:<15} {tables:>7} relations", schema.name);
    }
    let _ = writeln!(out, "{:<22} {warnings:>7}", "warnings");
    out
}
