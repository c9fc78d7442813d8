//! `carta ask`: a question in plain words to validated, read-only SQL.
//! The schema is read and retrieved for the question (carta-retrieve), the
//! configured LLM provider writes the SQL (carta-ask), the checks and, on a
//! live database, EXPLAIN validate it; `--run` executes it through the
//! query runner (see docs/ask.md).

use std::fmt::Write as _;
use std::process::ExitCode;

use carta_ask::{
    Answer, AskContext, AskError, ChatClient, LiveValidator, Overrides, ProviderConfig,
    StaticValidator, Usage,
};
use carta_catalog::Catalog;
use carta_ingest::Source;
use carta_query::output::{JsonLayout, JsonWriter};
use carta_query::{Execution, QueryError};
use carta_retrieve::{Reason, Retrieval, RetrieveOptions, SchemaIndex};
use clap::ValueEnum;
use serde::Serialize;

use crate::config::ConfigArg;
use crate::query::{self, FormatArg, LimitArgs};
use crate::source::ReadArgs;

/// Version of the `--format json` document (docs/ask.md).
const JSON_VERSION: u32 = 1;
/// Longest wait for EXPLAIN while validating.
const EXPLAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(clap::Args)]
pub struct Args {
    /// A live database (postgres://, mysql://, mariadb://, a SQLite file),
    /// DDL files or a saved Catalog.
    source: String,
    /// The question, in plain words.
    question: String,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    config: ConfigArg,
    /// Base URL of an OpenAI-compatible API (wins over CARTA_LLM_URL and [ask]).
    #[arg(long, value_name = "URL")]
    provider_url: Option<String>,
    /// Model name (wins over CARTA_LLM_MODEL and [ask]).
    #[arg(long)]
    model: Option<String>,
    /// Tokens of schema context in the prompt (default: [ask] token_budget, else 4000).
    #[arg(long, value_name = "TOKENS")]
    token_budget: Option<usize>,
    /// Also print the schema context given to the model and why each table is in it.
    #[arg(long)]
    show_context: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AskFormat::Text)]
    format: AskFormat,
    /// Execute the SQL (read-only, within the limits) and print its rows; live sources only.
    #[arg(long)]
    run: bool,
    /// Format of the rows with --run, in text output.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    rows_format: FormatArg,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AskFormat {
    Text,
    /// The answer, the retrieval and (with --run) the rows as one JSON document.
    Json,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.config.load()?;
    let overrides = Overrides {
        provider_url: args.provider_url.clone(),
        model: args.model.clone(),
    };
    // The provider is resolved first: without one, nothing is read.
    let provider =
        match ProviderConfig::resolve(&config.ask, |name| std::env::var(name).ok(), &overrides) {
            Ok(provider) => provider,
            Err(e) => return ask_failed(e),
        };
    let source = args.read.source(&args.source)?;
    let live_url = live_url(&source);
    if args.run && live_url.is_none() {
        anyhow::bail!(
            "--run needs a live database (postgres://, mysql://, mariadb:// or a SQLite file); {} is not one",
            carta_source::redact_url(&args.source)
        );
    }
    let mut catalog = args.read.read_source(&args.source, &source).await?.catalog;
    let graph = crate::config::prepare(&mut catalog, &config)?;
    let options = RetrieveOptions {
        token_budget: args
            .token_budget
            .or(config.ask.token_budget)
            .unwrap_or(RetrieveOptions::default().token_budget),
        ..RetrieveOptions::default()
    };
    let retrieval =
        SchemaIndex::build(&catalog, &graph, &[])?.retrieve(&args.question, &options)?;
    let context = context(&catalog, &retrieval, live_url.is_some());
    let statics = StaticValidator::for_catalog(&catalog);
    let client = match ChatClient::new(provider) {
        Ok(client) => client,
        Err(e) => return ask_failed(e),
    };
    let spinner = crate::progress::spinner(format!("asking {}", client.config().model));
    let asked = match &live_url {
        Some(url) => {
            let validator = LiveValidator::new(statics, url.clone(), EXPLAIN_TIMEOUT);
            carta_ask::ask(&client, &context, &args.question, &validator).await
        }
        None => carta_ask::ask(&client, &context, &args.question, &statics).await,
    };
    spinner.finish_and_clear();
    let answer = match asked {
        Ok(answer) => answer,
        Err(e) => return ask_failed(e),
    };
    let validation = if live_url.is_some() {
        Validated::Explain
    } else {
        Validated::Static
    };
    match args.format {
        AskFormat::Text => {
            let text = render_text(&answer, &retrieval, validation, args.show_context);
            let Some(url) = live_url.filter(|_| args.run) else {
                print!("{text}");
                return Ok(ExitCode::SUCCESS);
            };
            // Standard output holds only the rows, as with `carta query`.
            eprint!("{text}");
            let mut sink = query::stdout_sink(args.rows_format);
            let (_, code) =
                query::execute(&url, &answer.sql, &args.limits.limits(), sink.as_mut()).await?;
            Ok(code)
        }
        AskFormat::Json => {
            let (execution, code) = match live_url.filter(|_| args.run) {
                Some(url) => run_to_json(&url, &answer.sql, &args.limits).await?,
                None => (None, ExitCode::SUCCESS),
            };
            let report = JsonReport {
                version: JSON_VERSION,
                question: &args.question,
                dialect: catalog.dialect,
                validation,
                answer: &answer,
                retrieval: &retrieval,
                execution,
            };
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(code)
        }
    }
}

/// Prints why asking failed and returns its exit status. A database that
/// could not be reached for EXPLAIN keeps the status of a source error.
fn ask_failed(error: AskError) -> anyhow::Result<ExitCode> {
    if let AskError::Validator(cause) = error {
        return match cause.downcast::<QueryError>() {
            Ok(query_error) => match *query_error {
                QueryError::Source(e) => Err(e.into()),
                other => Err(anyhow::Error::from(other).context("validating the SQL failed")),
            },
            Err(other) => Err(anyhow::anyhow!("validating the SQL failed: {other}")),
        };
    }
    eprintln!("error: {error}");
    if let AskError::NoValidSql { usage, .. } = &error {
        eprintln!("{}", usage_line(usage));
    }
    let code = u8::try_from(error.exit_code()).unwrap_or(1);
    Ok(ExitCode::from(code))
}

/// The URL the query runner opens, when the source is a live database.
fn live_url(source: &Source) -> Option<String> {
    match source {
        Source::Postgres { url } | Source::Mysql { url } => Some(url.clone()),
        Source::SqliteFile { path } => Some(format!("sqlite://{}", path.display())),
        Source::Ddl { .. } | Source::Snapshot { .. } => None,
    }
}

fn context(catalog: &Catalog, retrieval: &Retrieval, live: bool) -> AskContext {
    let notes = if live {
        Vec::new()
    } else {
        vec!["The schema comes from DDL files, not a running database.".into()]
    };
    AskContext::from_retrieval(catalog.dialect, retrieval, notes)
}

/// How the answer was validated.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum Validated {
    /// Statement checks, known tables and EXPLAIN on the live database.
    Explain,
    /// Statement checks and known tables only: there is no database to EXPLAIN on.
    Static,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    question: &'a str,
    dialect: carta_catalog::Dialect,
    validation: Validated,
    answer: &'a Answer,
    retrieval: &'a Retrieval,
    /// `null` without --run.
    execution: Option<JsonExecution>,
}

#[derive(Serialize)]
struct JsonExecution {
    #[serde(flatten)]
    execution: Execution,
    rows: serde_json::Value,
}

async fn run_to_json(
    url: &str,
    sql: &str,
    limits: &LimitArgs,
) -> anyhow::Result<(Option<JsonExecution>, ExitCode)> {
    let mut buffer = Vec::new();
    let mut sink = JsonWriter::new(&mut buffer, JsonLayout::Array);
    let (execution, code) = query::execute(url, sql, &limits.limits(), &mut sink).await?;
    drop(sink);
    let Some(execution) = execution else {
        return Ok((None, code));
    };
    let rows = if buffer.is_empty() {
        serde_json::Value::Array(Vec::new())
    } else {
        serde_json::from_slice(&buffer)?
    };
    Ok((Some(JsonExecution { execution, rows }), code))
}

fn render_text(
    answer: &Answer,
    retrieval: &Retrieval,
    validation: Validated,
    show_context: bool,
) -> String {
    let mut out = String::new();
    if show_context {
        let _ = writeln!(
            out,
            "-- context: {} tables, {} tokens",
            retrieval.tables.len(),
            retrieval.tokens
        );
        for table in &retrieval.tables {
            let _ = writeln!(out, "--   {} ({})", table.table, reason(&table.reason));
        }
        if !retrieval.omitted.is_empty() {
            let names: Vec<String> = retrieval.omitted.iter().map(ToString::to_string).collect();
            let _ = writeln!(out, "--   left out for the budget: {}", names.join(", "));
        }
        for example in &retrieval.examples {
            let _ = writeln!(out, "--   example: {}", example.question);
        }
        out.push('\n');
        out.push_str(retrieval.context.trim_end());
        out.push_str("\n\n");
    }
    let _ = writeln!(out, "{};", answer.sql);
    if !answer.explanation.is_empty() {
        let _ = writeln!(out, "\n{}", answer.explanation);
    }
    out.push('\n');
    let used = if answer.tables_used.is_empty() {
        "none".to_string()
    } else {
        answer.tables_used.join(", ")
    };
    let _ = writeln!(out, "tables used: {used}");
    let validated = match validation {
        Validated::Explain => "statement checks, known tables and EXPLAIN on the database",
        Validated::Static => {
            "statement checks and known tables only (DDL source: no database to EXPLAIN on)"
        }
    };
    let _ = writeln!(out, "validated: {validated}");
    let repairs = answer.attempts.saturating_sub(1);
    let _ = writeln!(
        out,
        "attempts: {} ({repairs} repair{})",
        answer.attempts,
        if repairs == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "{}", usage_line(&answer.usage));
    out
}

fn usage_line(usage: &Usage) -> String {
    let estimated = if usage.estimated { " (estimated)" } else { "" };
    let cost = usage
        .cost
        .map_or_else(String::new, |cost| format!(", cost ${cost:.6}"));
    format!(
        "tokens: {} prompt + {} completion{estimated}{cost}",
        usage.prompt_tokens, usage.completion_tokens
    )
}

fn reason(reason: &Reason) -> String {
    match reason {
        Reason::Matched { terms } => format!("matched {}", terms.join(", ")),
        Reason::JoinPath { between: (a, b) } => format!("joins {a} and {b}"),
        Reason::Example => "read by a similar saved query".to_string(),
    }
}
