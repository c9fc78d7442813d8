//! Reading a source argument into a Catalog, shared by every command: the
//! flags that say how to read it, a spinner while it is read, and warnings
//! printed to stderr.

use crate::DialectArg;
use carta_ingest::{Filter, Source};
use carta_source::{IngestOptions, Ingested};
use std::time::Duration;

/// How to read a source: the flags every schema-reading command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct ReadArgs {
    /// Only these schemas (repeatable).
    #[arg(long = "schema", value_name = "SCHEMA")]
    pub schemas: Vec<String>,
    /// Leave out tables matching this glob: `table*`, or `schema.table*` (repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Dialect of DDL files, when not recognized from the text.
    #[arg(long, value_enum)]
    pub dialect: Option<DialectArg>,
    /// Schema name for MySQL DDL, which has none of its own.
    #[arg(long, value_name = "NAME")]
    pub default_schema: Option<String>,
    /// Seconds to wait for a server to accept the connection.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub connect_timeout: u64,
}

impl ReadArgs {
    /// Classifies `arg` as a source.
    pub fn source(&self, arg: &str) -> anyhow::Result<Source> {
        Ok(Source::parse(arg, self.dialect.map(Into::into))?)
    }

    /// Reads `arg` (a URL, a file or folder, or a saved Catalog), showing a
    /// spinner on a terminal and printing the source's warnings.
    pub async fn read(&self, arg: &str) -> anyhow::Result<Ingested> {
        let source = self.source(arg)?;
        self.read_source(arg, &source).await
    }

    /// Like [`ReadArgs::read`], for a source already classified.
    pub async fn read_source(&self, arg: &str, source: &Source) -> anyhow::Result<Ingested> {
        let spinner =
            crate::progress::spinner(format!("reading {}", carta_source::redact_url(arg)));
        let ingested = self.ingest(source).await;
        spinner.finish_and_clear();
        ingested
    }

    /// Reads `source` with these options and prints its warnings; no spinner.
    pub async fn ingest(&self, source: &Source) -> anyhow::Result<Ingested> {
        let options = IngestOptions {
            filter: Filter {
                schemas: self.schemas.clone(),
                exclude: self.exclude.clone(),
            },
            default_schema: self.default_schema.clone(),
            connect_timeout: Duration::from_secs(self.connect_timeout),
        };
        let ingested = carta_ingest::ingest(source, &options).await?;
        for warning in &ingested.warnings {
            eprintln!("warning: {warning}");
        }
        Ok(ingested)
    }
}
