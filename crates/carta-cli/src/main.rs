//! `carta`: the command line. Parses arguments, calls the library crates,
//! prints results, and maps typed errors to documented exit codes. No
//! schema logic lives here.

mod admin;
mod ask;
mod config;
mod coverage;
mod diff;
mod doc;
mod inspect;
mod lint;
mod mock;
mod progress;
mod query;
mod serve;
mod snapshot;
mod source;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "carta", version, about = "Database documentation and assistance", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a schema and print a summary, or the Catalog as JSON.
    Inspect(inspect::Args),
    /// Print the JSON Schema of the Catalog format.
    CatalogSchema,
    /// Write documentation (Markdown or HTML) with ER diagrams into a folder.
    Doc(doc::Args),
    /// Report documentation coverage per table and overall.
    Coverage(coverage::Args),
    /// Check a schema's design against lint rules (text, JSON or SARIF).
    Lint(lint::Args),
    /// Compare two schemas; optionally write the PostgreSQL migration between them.
    Diff(diff::Args),
    /// Save a source's Catalog as JSON, to diff against later.
    Snapshot(snapshot::Args),
    /// Fill a database (or files) with realistic rows that satisfy every constraint.
    Mock(mock::Args),
    /// Run one read-only statement against a live source; print the rows.
    Query(query::Args),
    /// Ask a question in plain words; get validated, read-only SQL from an LLM (optionally run it).
    Ask(ask::Args),
    /// Run the platform's HTTP API (accounts, workspaces, connections, audit).
    Serve(serve::Args),
    /// Administer the platform's store: users and master keys.
    Admin {
        #[command(subcommand)]
        command: admin::Command,
    },
}

/// DDL dialect, when the file's own markers are not enough.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DialectArg {
    Postgres,
    Mysql,
    Sqlite,
}

impl From<DialectArg> for carta_catalog::Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Postgres => carta_catalog::Dialect::Postgres,
            DialectArg::Mysql => carta_catalog::Dialect::Mysql,
            DialectArg::Sqlite => carta_catalog::Dialect::Sqlite,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    // `carta diff` follows diff(1): 2 for any trouble, whatever its kind.
    let is_diff = matches!(cli.command, Command::Diff(_));
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::from(if is_diff {
                diff::ERROR_EXIT
            } else {
                exit_code(&error)
            })
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Inspect(args) => inspect::run(args).await?,
        Command::Coverage(args) => coverage::run(args).await?,
        Command::Doc(args) => doc::run(args).await?,
        Command::Lint(args) => lint::run(args).await?,
        Command::Snapshot(args) => snapshot::run(args).await?,
        Command::Mock(args) => mock::run(args).await?,
        Command::Query(args) => return query::run(args).await,
        Command::Ask(args) => return ask::run(args).await,
        Command::Serve(args) => serve::run(args).await?,
        Command::Admin { command } => admin::run(command).await?,
        Command::Diff(args) => {
            return Ok(match diff::run(args).await? {
                diff::Outcome::Equal => ExitCode::SUCCESS,
                diff::Outcome::Different => ExitCode::from(diff::DIFFERENT_EXIT),
            })
        }
        Command::CatalogSchema => print!("{}", carta_catalog::Catalog::json_schema()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The error and its causes, joined by `: `, leaving out a cause whose text
/// the message before it already includes (typed errors often embed it).
fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

/// Typed errors carry their own exit code; anything else is 1.
fn exit_code(error: &anyhow::Error) -> u8 {
    error
        .chain()
        .find_map(|e| {
            if let Some(e) = e.downcast_ref::<carta_source::IngestError>() {
                Some(e.exit_code())
            } else if let Some(e) = e.downcast_ref::<carta_config::ConfigError>() {
                Some(e.exit_code())
            } else if e.downcast_ref::<carta_mock::MockError>().is_some() {
                Some(mock::CANNOT_FILL_EXIT)
            } else if let Some(e) = e.downcast_ref::<carta_load::LoadError>() {
                Some(mock::load_exit_code(e))
            } else if e.downcast_ref::<coverage::BelowMinimum>().is_some() {
                Some(coverage::BELOW_MINIMUM_EXIT)
            } else {
                e.downcast_ref::<lint::FindingsAtLevel>()
                    .map(|_| lint::FINDINGS_EXIT)
            }
        })
        .map_or(1, |code| code as u8)
}
