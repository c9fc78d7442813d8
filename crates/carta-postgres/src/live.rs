//! Live PostgreSQL introspection.
//!
//! Every query reads one snapshot: a `REPEATABLE READ READ ONLY`
//! transaction on the first connection, which a second connection joins
//! with `SET TRANSACTION SNAPSHOT`, so the heaviest catalog queries run
//! side by side on the server. A fixed set of bulk catalog queries (one or
//! two per object kind for the whole database, see [`queries`]) is issued
//! in two pipelined waves: the tables query, then the queries for the parts
//! of the tables it returned together with the queries that do not depend
//! on it. The whole read costs a few round trips whatever the number of
//! tables; rows are decoded as they arrive and put together in memory
//! ([`assemble`]). When the second connection cannot be opened (a
//! connection limit) or cannot join the snapshot, its queries run on the
//! first: the second connection makes the read faster, never possible.
//!
//! The session is set up so the server prints names and values the way a
//! DDL file spells them: `search_path` is `public` (types and functions
//! elsewhere come out schema-qualified), `TimeZone` is UTC and the date
//! and interval styles are fixed, so partition bounds and defaults do not
//! depend on the server's or the role's settings.

mod assemble;
mod queries;
mod text;

use assemble::{Rows, Tables};
use carta_catalog::{SourceInfo, SourceKind};
use carta_source::{redact_url, Filter, IngestError, IngestOptions, Ingested};
use futures_util::TryStreamExt;
use queries::{Cols, FromRow, Params, Query, RelationRow, Server};
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Config, NoTls, SimpleQueryMessage};

/// The session's `search_path`; `pg_catalog` is searched implicitly.
const SEARCH_PATH: &str = "public";

/// Upper bound for any one catalog query, so a read blocked behind a lock
/// (a migration holding `ACCESS EXCLUSIVE` on a view) fails instead of hanging.
const STATEMENT_TIMEOUT: &str = "120s";

/// Reads the schema of a running PostgreSQL server (12 or later).
pub async fn ingest_live(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    options.filter.validate()?;
    let target = Target::parse(url)?;
    let session = target.connect(options.connect_timeout).await?;
    let read = read(&target, &session.client, options).await;
    let (tables, rows, server_version) = match read {
        Ok(read) => read,
        Err(error) => return Err(session.explain(error, &target).await),
    };
    session.close().await;
    let (mut catalog, warnings) = assemble::assemble(tables, rows, &[SEARCH_PATH]);
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

/// A connection: the client, and the task driving the connection, which
/// runs on its own so the server's rows keep being read while finished
/// results are decoded.
struct Session {
    client: Client,
    connection: ConnectionTask,
}

impl Session {
    /// Starts this session's transaction in an exported snapshot; `None`
    /// when the server refuses, and the session's queries then run on the
    /// first one: a second session makes the read faster, never possible.
    async fn join(self, snapshot: &str) -> Option<Session> {
        let join = format!(
            "{BEGIN}; SET TRANSACTION SNAPSHOT '{}'; {}",
            snapshot.replace('\'', "''"),
            settings()
        );
        self.client.batch_execute(&join).await.ok()?;
        Some(self)
    }

    /// Ends the session the way a client should, so the server does not log an abandoned connection.
    async fn close(self) {
        let Session {
            client,
            mut connection,
        } = self;
        drop(client);
        // The read is complete: how the connection ends no longer matters.
        let _ = (&mut connection.0).await;
    }

    /// The error of a failed read, or, when the connection itself failed
    /// (the server went away), that failure, which says why.
    async fn explain(self, error: IngestError, target: &Target) -> IngestError {
        let Session {
            client,
            mut connection,
        } = self;
        // Dropping the client lets the connection end the session and finish.
        drop(client);
        match (&mut connection.0).await {
            Ok(Err(lost)) => IngestError::Query {
                message: format!(
                    "the connection to {}:{} failed: {}",
                    target.host,
                    target.port,
                    describe(&lost)
                ),
            },
            _ => error,
        }
    }
}

/// The task driving a connection. If the read is abandoned (its future
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

    async fn connect(&self, timeout: Duration) -> Result<Session, IngestError> {
        let mut config = self.config.clone();
        config.connect_timeout(timeout);
        match tokio::time::timeout(timeout, config.connect(NoTls)).await {
            Ok(Ok((client, connection))) => Ok(Session {
                client,
                connection: ConnectionTask(tokio::spawn(connection)),
            }),
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

    /// The values of a query's parameters, with their types.
    fn for_query(&self, params: Params) -> Vec<(&(dyn ToSql + Sync), Type)> {
        let texts = Type::TEXT_ARRAY;
        match params {
            Params::None => vec![],
            Params::Schemas => vec![(&self.schemas, texts)],
            Params::SchemasAndPatterns => vec![
                (&self.schemas, texts.clone()),
                (&self.qualified, texts.clone()),
                (&self.bare, texts),
            ],
            Params::Relations => vec![(&self.relations, Type::INT8_ARRAY)],
        }
    }
}

/// How every transaction of the read starts: one snapshot for all queries.
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// The settings of every session of the read. JIT compilation and
/// parallel workers are off: catalog queries return many cheap rows, where
/// compiling costs more than it saves and every worker would start with
/// cold catalog caches.
fn settings() -> String {
    format!(
        "SET LOCAL search_path = {SEARCH_PATH};
         SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}';
         SET LOCAL TimeZone = 'UTC';
         SET LOCAL DateStyle = 'ISO, YMD';
         SET LOCAL IntervalStyle = 'postgres';
         SET LOCAL standard_conforming_strings = on;
         SET LOCAL jit = off;
         SET LOCAL max_parallel_workers_per_gather = 0"
    )
}

/// What the first session learns as it starts the read.
struct Start {
    server_version: String,
    server: Server,
    /// The snapshot other sessions can join, when the server could export it.
    snapshot: Option<String>,
}

/// Starts the read's transaction on the first session and exports its snapshot.
async fn begin(client: &Client) -> Result<Start, IngestError> {
    let setup = format!(
        "{BEGIN}; {};
         SELECT current_setting('server_version'), current_setting('server_version_num')",
        settings()
    );
    let (started, exported) = tokio::join!(
        client.simple_query(&setup),
        client.simple_query("SELECT pg_export_snapshot()")
    );
    let messages = started.map_err(|e| query_error("session setup", &e))?;
    let snapshot = match exported {
        Ok(exported) => first_value(&exported, 0).map(str::to_string),
        // A PostgreSQL-compatible server without snapshot export aborted the
        // transaction: start it again, to be read on this session alone.
        Err(_) => {
            client
                .batch_execute("ROLLBACK")
                .await
                .and(client.simple_query(&setup).await.map(drop))
                .map_err(|e| query_error("session setup", &e))?;
            None
        }
    };
    let version = first_value(&messages, 0).map(str::to_string);
    let version_num = first_value(&messages, 1).and_then(|n| n.parse().ok());
    let (Some(server_version), Some(version_num)) = (version, version_num) else {
        return Err(IngestError::Query {
            message: "the server did not report its version".into(),
        });
    };
    if version_num < Server::MINIMUM {
        return Err(IngestError::Query {
            message: format!(
                "PostgreSQL {server_version} is not supported: Carta reads PostgreSQL 12 and later"
            ),
        });
    }
    Ok(Start {
        server_version,
        server: Server { version_num },
        snapshot,
    })
}

/// Column `index` of the first row a simple query returned.
fn first_value(messages: &[SimpleQueryMessage], index: usize) -> Option<&str> {
    messages.iter().find_map(|message| match message {
        SimpleQueryMessage::Row(row) => row.get(index),
        _ => None,
    })
}

/// Runs every catalog query in one snapshot; returns the tables already
/// put together, the other rows and the server version.
async fn read(
    target: &Target,
    client: &Client,
    options: &IngestOptions,
) -> Result<(Tables, Rows, String), IngestError> {
    let filter = Bindings::filter(&options.filter);
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    // The first session starts the read and reads the tables...
    let tables = async {
        let start = begin(client).await?;
        // The receiver is gone only when the read has already failed.
        let _ = started_tx.send((start.server, start.snapshot.clone()));
        let relations: Vec<RelationRow> = fetch(client, queries::relations(), &filter).await?;
        Ok::<_, IngestError>((start, relations))
    };
    // ...while a second session connects, joins its snapshot and reads the
    // objects that are not parts of tables.
    let objects = async {
        let (connected, started) =
            tokio::join!(target.connect(options.connect_timeout), started_rx);
        let (server, snapshot) = started.map_err(|_| IngestError::Query {
            message: "the read did not start".into(),
        })?;
        let second = match (connected, snapshot) {
            // A server that accepts the connection but not yet a query (a
            // pooler out of server connections) gets the connect timeout.
            (Ok(session), Some(snapshot)) => {
                tokio::time::timeout(options.connect_timeout, session.join(&snapshot))
                    .await
                    .ok()
                    .flatten()
            }
            _ => None,
        };
        let on = second.as_ref().map_or(client, |session| &session.client);
        let objects = tokio::try_join!(
            fetch(on, queries::schemas(), &filter),
            fetch(on, queries::enums(), &filter),
            fetch(on, queries::domains(), &filter),
            fetch(on, queries::domain_checks(), &filter),
            fetch(on, queries::sequences(), &filter),
            fetch(on, queries::functions(server), &filter),
            fetch(on, queries::extensions(), &filter),
            fetch(on, queries::collations(), &filter),
            fetch(on, queries::operator_classes(), &filter),
        )?;
        Ok((second, objects))
    };
    let (
        (start, relations),
        (
            second,
            (
                schemas,
                enums,
                domains,
                domain_checks,
                sequences,
                functions,
                extensions,
                collations,
                operator_classes,
            ),
        ),
    ) = tokio::try_join!(tables, objects)?;
    let Start {
        server_version,
        server,
        ..
    } = start;
    let other = second.as_ref().map_or(client, |session| &session.client);

    // The filter is applied once, by the tables query; the queries for the
    // parts of tables take the oids it returned. The heaviest run side by
    // side: columns on the first session, constraints and then indexes on
    // the second, where printing an index expression finds the tables the
    // constraints already opened. Each session runs its queries in the
    // order they are listed (see [`fetch`]).
    let parts = Bindings {
        relations: relations.iter().map(|r| r.oid).collect(),
        ..Bindings::default()
    };
    let tables = async {
        let columns = fetch(client, queries::columns(), &parts).await?;
        // On a thread of its own, so the second session's rows keep being
        // taken in meanwhile and its server process is never held up.
        let assembling = move || Tables::new(relations, columns, collations);
        match tokio::task::spawn_blocking(assembling).await {
            Ok(tables) => Ok(tables),
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => Err(IngestError::Query {
                message: "the read was cancelled".into(),
            }),
        }
    };
    let (tables, constraints, indexes, referenced_columns, triggers, policies) = tokio::try_join!(
        tables,
        fetch(other, queries::constraints(), &parts),
        fetch(other, queries::indexes(server), &parts),
        fetch(other, queries::referenced_columns(), &parts),
        fetch(other, queries::triggers(server), &parts),
        fetch(other, queries::policies(), &parts),
    )?;
    if let Some(second) = second {
        second.close().await;
    }
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| query_error("ending the read", &e))?;
    let rows = Rows {
        schemas,
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
        operator_classes,
    };
    Ok((tables, rows, server_version))
}

/// Runs a query and decodes its rows as they arrive. The query goes out
/// whole (parse, bind and execute at once) when the future is first
/// polled, so the queries a session is given together run in the order
/// they are listed, without a round trip to prepare each.
async fn fetch<T: FromRow>(
    client: &Client,
    query: Query,
    bindings: &Bindings,
) -> Result<Vec<T>, IngestError> {
    let failed = |e: tokio_postgres::Error| query_error(query.name, &e);
    let rows = client
        .query_typed_raw(&query.sql, bindings.for_query(query.params))
        .await
        .map_err(failed)?;
    futures_util::pin_mut!(rows);
    let mut decoded = Vec::new();
    while let Some(row) = rows.try_next().await.map_err(failed)? {
        decoded.push(T::from_row(Cols::new(&row)).map_err(failed)?);
    }
    Ok(decoded)
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
