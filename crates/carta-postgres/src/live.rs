//! Live PostgreSQL introspection.
//!
//! One connection and one `REPEATABLE READ READ ONLY` transaction, so every
//! query sees the same snapshot. A fixed set of bulk catalog queries (one
//! or two per object kind for the whole database, see [`queries`]) is
//! issued together and pipelined on the connection: the tables query and
//! the queries that do not depend on it first, then the queries for the
//! parts of the tables it returned. The whole read costs a few round trips
//! whatever the number of tables, and the rows are put together in memory
//! ([`assemble`]).
//!
//! The session is set up so the server prints names and values the way a
//! DDL file spells them: `search_path` is `public` (types and functions
//! elsewhere come out schema-qualified), `TimeZone` is UTC and the date
//! and interval styles are fixed, so partition bounds and defaults do not
//! depend on the server's or the role's settings.

mod assemble;
mod queries;
mod text;

use assemble::Rows;
use carta_catalog::{SourceInfo, SourceKind};
use carta_source::{redact_url, Filter, IngestError, IngestOptions, Ingested};
use queries::{Cols, FromRow, Params, Query, RelationRow, Server};
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, Connection, NoTls, SimpleQueryMessage, Socket};

/// The session's `search_path`; `pg_catalog` is searched implicitly.
const SEARCH_PATH: &str = "public";

/// Upper bound for any one catalog query, so a read blocked behind a lock
/// (a migration holding `ACCESS EXCLUSIVE` on a view) fails instead of hanging.
const STATEMENT_TIMEOUT: &str = "120s";

/// Reads the schema of a running PostgreSQL server (12 or later).
pub async fn ingest_live(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    options.filter.validate()?;
    let target = Target::parse(url)?;
    let (client, connection) = target.connect(options.connect_timeout).await?;
    // The connection runs as its own task, so the server's rows keep being
    // read while finished results are decoded.
    let mut connection = ConnectionTask(tokio::spawn(connection));
    let read = read(&client, &options.filter).await;
    // Dropping the client lets the connection end the session and finish.
    drop(client);
    let (rows, server_version) = match (read, (&mut connection.0).await) {
        (Ok(read), _) => read,
        // The connection's own error says why the queries failed (e.g. the server went away).
        (Err(_), Ok(Err(lost))) => {
            return Err(IngestError::Query {
                message: format!(
                    "the connection to {}:{} failed: {}",
                    target.host,
                    target.port,
                    describe(&lost)
                ),
            })
        }
        (Err(error), _) => return Err(error),
    };
    let (mut catalog, warnings) = assemble::assemble(rows, &[SEARCH_PATH]);
    catalog.source = Some(SourceInfo {
        kind: SourceKind::Live,
        location: redact_url(url),
        server_version: Some(server_version),
    });
    Ok(Ingested {
        catalog: catalog.finish(),
        warnings,
    })
}

/// The task driving the connection. If the read is abandoned (its future
/// dropped, e.g. on a caller's timeout), the task is aborted with it, which
/// closes the session instead of leaving it to wait out its queries.
struct ConnectionTask(tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>);

impl Drop for ConnectionTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where to connect, and what to name in error messages.
struct Target {
    config: Config,
    host: String,
    port: u16,
    user: String,
    database: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, IngestError> {
        // tokio-postgres parses libpq URLs completely (several hosts, a
        // socket directory in `?host=`, percent-encoding), so its parser is
        // the one used; what it understands is what it connects to.
        let mut config: Config = url.parse().map_err(|e| IngestError::InvalidUrl {
            url: redact_url(url),
            message: describe(&e),
        })?;
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            #[cfg(unix)]
            Some(Host::Unix(path)) => path.display().to_string(),
            None => match config.get_hostaddrs().first() {
                Some(address) => address.to_string(),
                None => {
                    config.host("localhost");
                    "localhost".to_string()
                }
            },
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        // Like libpq, the user defaults to the operating-system user and the database to the user.
        let user = config
            .get_user()
            .map(str::to_string)
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "(the operating-system user)".into());
        let database = config.get_dbname().unwrap_or(&user).to_string();
        if config.get_application_name().is_none() {
            config.application_name("carta");
        }
        Ok(Target {
            config,
            host,
            port,
            user,
            database,
        })
    }

    async fn connect(
        &self,
        timeout: Duration,
    ) -> Result<(Client, Connection<Socket, NoTlsStream>), IngestError> {
        let mut config = self.config.clone();
        config.connect_timeout(timeout);
        match tokio::time::timeout(timeout, config.connect(NoTls)).await {
            Ok(Ok(connected)) => Ok(connected),
            Ok(Err(error)) => Err(self.connect_error(&error)),
            Err(_) => Err(IngestError::ConnectTimeout {
                host: self.host.clone(),
                port: self.port,
                seconds: timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0),
            }),
        }
    }

    fn connect_error(&self, error: &tokio_postgres::Error) -> IngestError {
        let (host, port) = (self.host.clone(), self.port);
        let auth = |message: String| IngestError::Auth {
            user: self.user.clone(),
            host: host.clone(),
            port,
            message,
        };
        if let Some(db) = error.as_db_error() {
            let code = db.code();
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                return auth(db.message().to_string());
            }
            if *code == SqlState::INVALID_CATALOG_NAME {
                return IngestError::NoDatabase {
                    database: self.database.clone(),
                    host,
                    port,
                };
            }
        }
        let message = describe(error);
        // tokio-postgres keeps its error kinds private: a failed SASL/MD5
        // exchange and a password the server asked for but the URL lacks
        // are told apart by their text.
        if message.starts_with("authentication error") || message.contains("password missing") {
            return auth(message);
        }
        IngestError::Connect {
            host,
            port,
            message,
        }
    }
}

/// Values for the parameters of the catalog queries (see [`Params`]).
#[derive(Default)]
struct Bindings {
    schemas: Vec<String>,
    qualified: Vec<String>,
    bare: Vec<String>,
    relations: Vec<i64>,
}

impl Bindings {
    fn filter(filter: &Filter) -> Self {
        let like = filter.like_patterns();
        Bindings {
            schemas: filter.schemas.clone(),
            qualified: like.qualified,
            bare: like.bare,
            relations: Vec::new(),
        }
    }

    fn for_query(&self, params: Params) -> Vec<&(dyn ToSql + Sync)> {
        match params {
            Params::None => vec![],
            Params::Schemas => vec![&self.schemas],
            Params::SchemasAndPatterns => vec![&self.schemas, &self.qualified, &self.bare],
            Params::Relations => vec![&self.relations],
        }
    }
}

/// Runs every catalog query in one snapshot; returns the rows and the server version.
async fn read(client: &Client, filter: &Filter) -> Result<(Rows, String), IngestError> {
    // JIT compilation and parallel workers are off for the read: catalog
    // queries return many cheap rows, where compiling costs more than it
    // saves and every worker would start with cold catalog caches.
    let setup = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
         SET LOCAL search_path = {SEARCH_PATH};
         SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}';
         SET LOCAL TimeZone = 'UTC';
         SET LOCAL DateStyle = 'ISO, YMD';
         SET LOCAL IntervalStyle = 'postgres';
         SET LOCAL standard_conforming_strings = on;
         SET LOCAL jit = off;
         SET LOCAL max_parallel_workers_per_gather = 0;
         SELECT current_setting('server_version'), current_setting('server_version_num')"
    );
    let messages = client
        .simple_query(&setup)
        .await
        .map_err(|e| query_error("session setup", &e))?;
    let (server_version, server) = messages
        .iter()
        .find_map(|message| match message {
            SimpleQueryMessage::Row(row) => {
                let version = row.get(0)?.to_string();
                let version_num = row.get(1)?.parse().ok()?;
                Some((version, Server { version_num }))
            }
            _ => None,
        })
        .ok_or_else(|| IngestError::Query {
            message: "the server did not report its version".into(),
        })?;
    if server.version_num < Server::MINIMUM {
        return Err(IngestError::Query {
            message: format!(
                "PostgreSQL {server_version} is not supported: Carta reads PostgreSQL 12 and later"
            ),
        });
    }

    let filter = Bindings::filter(filter);
    // The filter is applied once, by the tables query; the queries for the
    // parts of tables follow it and take the oids it returned, while the
    // other queries run meanwhile on the same connection.
    let tables = async {
        let relations: Vec<RelationRow> = fetch(client, queries::relations(), &filter).await?;
        let read = Bindings {
            relations: relations.iter().map(|r| r.oid).collect(),
            ..Bindings::default()
        };
        let parts = tokio::try_join!(
            fetch(client, queries::columns(), &read),
            fetch(client, queries::constraints(), &read),
            fetch(client, queries::referenced_columns(), &read),
            fetch(client, queries::indexes(server), &read),
            fetch(client, queries::triggers(server), &read),
            fetch(client, queries::policies(), &read),
        )?;
        Ok((relations, parts))
    };
    let (
        (relations, (columns, constraints, referenced_columns, indexes, triggers, policies)),
        schemas,
        enums,
        domains,
        domain_checks,
        sequences,
        functions,
        extensions,
        collations,
        operator_classes,
    ) = tokio::try_join!(
        tables,
        fetch(client, queries::schemas(), &filter),
        fetch(client, queries::enums(), &filter),
        fetch(client, queries::domains(), &filter),
        fetch(client, queries::domain_checks(), &filter),
        fetch(client, queries::sequences(), &filter),
        fetch(client, queries::functions(server), &filter),
        fetch(client, queries::extensions(), &filter),
        fetch(client, queries::collations(), &filter),
        fetch(client, queries::operator_classes(), &filter),
    )?;
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| query_error("ending the read", &e))?;
    let rows = Rows {
        schemas,
        relations,
        columns,
        constraints,
        referenced_columns,
        indexes,
        triggers,
        policies,
        enums,
        domains,
        domain_checks,
        sequences,
        functions,
        extensions,
        collations,
        operator_classes,
    };
    Ok((rows, server_version))
}

async fn fetch<T: FromRow>(
    client: &Client,
    query: Query,
    bindings: &Bindings,
) -> Result<Vec<T>, IngestError> {
    let rows = client
        .query(&query.sql, &bindings.for_query(query.params))
        .await
        .map_err(|e| query_error(query.name, &e))?;
    rows.iter()
        .map(|row| T::from_row(Cols::new(row)))
        .collect::<Result<_, _>>()
        .map_err(|e| query_error(query.name, &e))
}

fn query_error(what: &str, error: &tokio_postgres::Error) -> IngestError {
    IngestError::Query {
        message: format!("{what}: {}", describe(error)),
    }
}

/// The error and its causes on one line; for a server error, its message and detail.
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        };
    }
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
