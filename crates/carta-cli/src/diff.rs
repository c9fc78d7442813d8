//! `carta diff A B`: compare two schemas from any sources (live database,
//! DDL, saved Catalog) and report what changed, classified breaking,
//! additive or cosmetic; with `--sql`, the PostgreSQL migration that turns
//! A into B instead. Exit status as diff(1): 0 equal, 1 different, 2 error.

use anyhow::Context as _;
use carta_diff::DiffOptions;
use clap::ValueEnum;
use std::path::PathBuf;

/// The schemas differ.
pub const DIFFERENT_EXIT: u8 = 1;
/// Anything went wrong (unreadable source, bad flags, unsupported migration).
pub const ERROR_EXIT: u8 = 2;

#[derive(clap::Args)]
pub struct Args {
    /// The schema as it is (or was): a URL, a .sql file or folder, a .db file, or a Catalog .json.
    from: String,
    /// The schema as it should be.
    to: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text, conflicts_with = "sql")]
    format: FormatArg,
    /// Print the PostgreSQL migration DDL that turns FROM into TO instead of a report.
    #[arg(long)]
    sql: bool,
    /// Treat every removed and added object as a drop and a create, never a possible rename.
    #[arg(long)]
    no_renames: bool,
    /// Write the output to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Text,
    Markdown,
    Json,
}

pub enum Outcome {
    Equal,
    Different,
}

pub async fn run(args: Args) -> anyhow::Result<Outcome> {
    // Both sides are read at once: a drift check waits for one server, not two in turn.
    let (from_source, to_source) = (args.read.source(&args.from)?, args.read.source(&args.to)?);
    let spinner = crate::progress::spinner(format!(
        "reading {} and {}",
        carta_source::redact_url(&args.from),
        carta_source::redact_url(&args.to)
    ));
    let read = tokio::try_join!(args.read.ingest(&from_source), args.read.ingest(&to_source));
    spinner.finish_and_clear();
    let (from, to) = read?;
    let (from, to) = (from.catalog, to.catalog);
    let options = DiffOptions {
        detect_renames: !args.no_renames,
    };
    let diff = carta_diff::diff(&from, &to, &options);
    let rendered = if args.sql {
        carta_migrate::migration_sql(&diff, &from, &to)?.to_sql()
    } else {
        match args.format {
            FormatArg::Text => carta_diff::render_text(&diff),
            FormatArg::Markdown => carta_diff::render_markdown(&diff),
            FormatArg::Json => carta_diff::render_json(&diff),
        }
    };
    match &args.output {
        None => print!("{rendered}"),
        Some(path) => crate::snapshot::write_atomically(path, rendered.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
    }
    let outcome = if diff.is_empty() {
        Outcome::Equal
    } else {
        Outcome::Different
    };
    // The process ends here: freeing two whole Catalogs and their diff
    // item by item took a tenth of a large diff's time, for nothing.
    std::mem::forget((from, to, diff));
    Ok(outcome)
}
