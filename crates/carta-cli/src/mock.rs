//! `carta mock`: plan rows that satisfy every constraint of a schema, then
//! load them into a live database (`--target`) or write them as files
//! (`--out`). Planning happens before anything is written, so a schema that
//! cannot be filled (a unique boolean asked for three rows) fails with
//! nothing changed.

use anyhow::Context as _;
use carta_catalog::{Catalog, QualifiedName};
use carta_load::Progress as _;
use carta_mock::{FileFormat, Plan};
use clap::ValueEnum;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Exit status when the schema cannot be filled as asked (a unique column
/// with fewer possible values than rows, a cycle of required foreign keys,
/// an invalid override); nothing was written.
pub const CANNOT_FILL_EXIT: i32 = 11;
/// Exit status when loading failed (a table not empty, a constraint the
/// rows broke, a database error); the target was rolled back.
pub const LOAD_FAILED_EXIT: i32 = 12;

/// The documented exit status of a load error: connection and URL problems
/// share the codes of every other command.
pub fn load_exit_code(error: &carta_load::LoadError) -> i32 {
    match error {
        carta_load::LoadError::UnknownTarget { .. } => 6,
        carta_load::LoadError::Connect { .. } => 4,
        _ => LOAD_FAILED_EXIT,
    }
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("destination").required(true).args(["target", "out"])))]
pub struct Args {
    /// The schema to fill: a URL, a .sql file or folder, a .db file, or a Catalog .json. With `--target`
    /// and no SOURCE, the target database's own schema.
    source: Option<String>,
    /// Rows per table [default: `[mock] rows` in carta.toml, else 1000].
    #[arg(long, value_name = "N")]
    rows: Option<u64>,
    /// Rows for one table, as NAME=N; NAME is `schema.table` or a table name (repeatable).
    #[arg(long = "table", value_name = "NAME=N", value_parser = parse_table_rows)]
    tables: Vec<(String, u64)>,
    /// Seed of every generated value: the same seed, schema and options give the same rows.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Load into this database (PostgreSQL, MySQL/MariaDB or SQLite), which must have the schema and empty tables.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// Write one file per table into this folder instead.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// File format with `--out`.
    #[arg(long, value_enum, default_value_t = FormatArg::Sql, requires = "out")]
    format: FormatArg,
    #[command(flatten)]
    config: crate::config::ConfigArg,
    #[command(flatten)]
    read: crate::source::ReadArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Sql,
    Csv,
    Ndjson,
}

impl From<FormatArg> for FileFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Sql => FileFormat::Sql,
            FormatArg::Csv => FileFormat::Csv,
            FormatArg::Ndjson => FileFormat::Ndjson,
        }
    }
}

fn parse_table_rows(text: &str) -> Result<(String, u64), String> {
    let (name, rows) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=N"))?;
    let rows = rows
        .trim()
        .parse()
        .map_err(|_| format!("`{rows}` in `{text}` is not a row count"))?;
    Ok((name.trim().to_string(), rows))
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let source = match (&args.source, &args.target) {
        (Some(source), _) => source.clone(),
        (None, Some(target)) => target.clone(),
        (None, None) => anyhow::bail!("give a SOURCE, or --target to fill the target's own schema"),
    };
    let mut ingested = args.read.read(&source).await?;
    let relations = crate::config::prepare(&mut ingested.catalog, &config)?;
    let catalog = ingested.catalog;

    let mut options = config.mock_options(&catalog)?;
    if let Some(rows) = args.rows {
        options.default_rows = rows;
    }
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    for (name, rows) in &args.tables {
        let table = catalog
            .find_table(name)
            .with_context(|| format!("--table {name}={rows}"))?;
        options.rows.insert(table, *rows);
    }
    let plan = carta_mock::plan(&catalog, &relations, &options)?;
    for warning in &plan.warnings {
        eprintln!("warning: {warning}");
    }
    let total: u64 = plan.tables.iter().map(|t| t.rows).sum();

    if let Some(target) = &args.target {
        let progress = Bars::new(&plan);
        let report = carta_load::load(
            target,
            &catalog,
            &plan,
            &carta_load::LoadOptions::default(),
            &progress,
        )
        .await;
        progress.finish();
        let report = report?;
        let seconds = report.elapsed.as_secs_f64();
        eprintln!(
            "{}: {total} rows in {} tables in {seconds:.2} s ({:.0} rows/s)",
            carta_source::redact_url(target),
            report.tables.len(),
            total as f64 / seconds.max(1e-9)
        );
    } else if let Some(dir) = &args.out {
        let format = FileFormat::from(args.format);
        let files = write_files(dir, &catalog, &plan, format)?;
        eprintln!(
            "{}: {total} rows in {files} files ({})",
            dir.display(),
            format.extension()
        );
    }
    Ok(())
}

/// One file per table (and the fixups script for SQL), each written to a
/// temporary name and renamed into place, so an interrupted run leaves no
/// truncated file behind under a real name.
fn write_files(
    dir: &Path,
    catalog: &Catalog,
    plan: &Plan,
    format: FileFormat,
) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let progress = Bars::new(plan);
    let mut written = 0;
    for (index, table) in plan.tables.iter().enumerate() {
        let path = dir.join(carta_mock::file_name(plan, index, format));
        progress.table_started(&table.table, table.rows);
        write_file(&path, |out| {
            carta_mock::write_table(format, catalog, plan, index, out)
        })?;
        progress.rows_done(&table.table, table.rows);
        progress.table_finished(&table.table);
        written += 1;
    }
    if format == FileFormat::Sql {
        let path = dir.join(carta_mock::FIXUPS_FILE_NAME);
        write_file(&path, |out| {
            carta_mock::write_fixups_sql(catalog, plan, out)
        })?;
        written += 1;
    }
    progress.finish();
    Ok(written)
}

fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let temporary = path.with_extension(format!("carta-{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temporary).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        out.flush()?;
        std::fs::rename(&temporary, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("writing {}", path.display()))
}

/// A progress bar per table on a terminal; nothing when stderr is piped.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<QualifiedName, ProgressBar>>,
}

impl Bars {
    fn new(plan: &Plan) -> Bars {
        let multi = MultiProgress::new();
        let style =
            ProgressStyle::with_template("{prefix:>32} {bar:30} {pos:>9}/{len:9} {per_sec:>12}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bars = plan
            .tables
            .iter()
            .map(|t| {
                let bar = ProgressBar::hidden().with_style(style.clone());
                bar.set_length(t.rows);
                bar.set_prefix(t.table.to_string());
                (t.table.clone(), bar)
            })
            .collect();
        Bars {
            multi,
            bars: Mutex::new(bars),
        }
    }

    fn with_bar(&self, table: &QualifiedName, f: impl FnOnce(&ProgressBar)) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(bar) = bars.get(table) {
                f(bar);
            }
        }
    }

    fn finish(&self) {
        let _ = self.multi.clear();
    }
}

impl carta_load::Progress for Bars {
    fn table_started(&self, table: &QualifiedName, rows: u64) {
        self.with_bar(table, |bar| {
            bar.set_length(rows);
            let bar = self.multi.add(bar.clone());
            bar.tick();
        });
    }

    fn rows_done(&self, table: &QualifiedName, rows: u64) {
        self.with_bar(table, |bar| bar.set_position(rows));
    }

    fn table_finished(&self, table: &QualifiedName) {
        self.with_bar(table, ProgressBar::finish);
    }
}
