//! `carta lint`: read a schema, apply `carta.toml` (its `[lint]` section
//! configures the rules), run the rules and print findings as text, JSON or
//! SARIF. The exit status says whether any finding reached `--fail-on`.

use anyhow::Context as _;
use carta_ingest::Source;
use carta_lint::{ObjectRef, Report, Severity, SourceSpot};
use clap::ValueEnum;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Exit status when a finding is at or above `--fail-on` (documented in the README).
pub const FINDINGS_EXIT: i32 = 10;

#[derive(clap::Args)]
#[command(arg_required_else_help = true)]
pub struct Args {
    /// postgres://..., mysql://..., sqlite://FILE, a .db file, a .sql file or folder, or a Catalog .json.
    #[arg(required_unless_present = "list_rules")]
    source: Option<String>,
    /// Print every rule with its id, category, default severity and summary, then exit.
    #[arg(long)]
    list_rules: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with status 10 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    #[command(flatten)]
    config: crate::config::ConfigArg,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    /// Always exit 0 when the lint ran.
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Some finding is at or above the `--fail-on` severity.
#[derive(Debug, thiserror::Error)]
#[error("{count} finding(s) at or above {threshold}")]
pub struct FindingsAtLevel {
    count: usize,
    threshold: &'static str,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let Some(source_arg) = args.source.as_deref().filter(|_| !args.list_rules) else {
        print!("{}", list_rules());
        return Ok(());
    };
    let config = args.config.load()?;
    let source = args.read.source(source_arg)?;
    let mut ingested = args.read.read_source(source_arg, &source).await?;
    let relations = crate::config::prepare(&mut ingested.catalog, &config)?;
    let report = carta_lint::lint(&ingested.catalog, &relations, &config.lint)?;

    let rendered = match args.format {
        FormatArg::Text => carta_lint::render_text(&report),
        FormatArg::Json => carta_lint::render_json(&report),
        FormatArg::Sarif => {
            let declarations = declarations_of(&source)?;
            carta_lint::render_sarif(&report, &|object: &ObjectRef| {
                locate(declarations.as_ref()?, object)
            })
        }
    };
    match &args.output {
        None => print!("{rendered}"),
        Some(path) => crate::snapshot::write_atomically(path, rendered.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
    }
    fail_on(&report, args.fail_on)
}

fn fail_on(report: &Report, fail_on: FailOn) -> anyhow::Result<()> {
    let Some(threshold) = fail_on.threshold() else {
        return Ok(());
    };
    let count = report
        .findings
        .iter()
        .filter(|f| f.severity >= threshold)
        .count();
    if count == 0 {
        return Ok(());
    }
    Err(FindingsAtLevel {
        count,
        threshold: threshold.as_str(),
    }
    .into())
}

/// Where the objects of a DDL source are declared, for SARIF locations;
/// other sources have no files to point into.
fn declarations_of(source: &Source) -> anyhow::Result<Option<carta_ingest::Declarations>> {
    let Source::Ddl { files, .. } = source else {
        return Ok(None);
    };
    let base = std::env::current_dir().unwrap_or_default();
    Ok(Some(carta_ingest::Declarations::read(files, &base)?))
}

/// The line that declares `object`: its own line when the files have one
/// (a column inside its table's body, a named index, constraint, trigger
/// or policy), else its table's `CREATE` line.
fn locate(declarations: &carta_ingest::Declarations, object: &ObjectRef) -> Option<SourceSpot> {
    let spot = match (&object.table, &object.name) {
        (Some(table), Some(name)) => declarations
            .member(&object.schema, table, name)
            .or_else(|| declarations.table(&object.schema, table)),
        (Some(table), None) => declarations.table(&object.schema, table),
        (None, Some(name)) => declarations.table(&object.schema, name),
        (None, None) => None,
    }?;
    Some(SourceSpot {
        uri: spot.path,
        line: spot.line,
    })
}

fn list_rules() -> String {
    let rules = carta_lint::rules();
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in rules {
        let _ = writeln!(
            out,
            "{:<width$}  {:<13}  {:<7}  {}",
            rule.id,
            rule.category.as_str(),
            rule.default_severity.as_str(),
            rule.summary
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules; configure them under [lint] in carta.toml (docs/lint-rules.md)",
        rules.len()
    );
    out
}
