use carta_catalog::Catalog;
use std::fmt::Write as _;

#[derive(clap::Args)]
pub struct Args {
    /// postgres://..., mysql://..., sqlite://FILE, a .db file, a .sql file or folder, or a Catalog .json.
    source: String,
    /// Print the Catalog as JSON instead of a summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let ingested = args.read.read(&args.source).await?;
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
