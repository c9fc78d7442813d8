//! PostgreSQL: `BEGIN READ ONLY` with `SET LOCAL statement_timeout`; in
//! write mode `BEGIN READ WRITE`, committed only when the statement succeeded.

use carta_source::IngestError;
use futures_util::{pin_mut, StreamExt};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

use crate::rows::{Column, Flow, RowStream, Value};
use crate::{CancelToken, CheckedStatement, Ended, Limits, QueryError, CONNECT_TIMEOUT};

/// Aborts the connection task when the run ends, however it ends; the
/// transaction is never committed, so closing the socket rolls it back.
struct ConnectionTask(tokio::task::JoinHandle<()>);

impl Drop for ConnectionTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) async fn run(
    url: &str,
    checked: &CheckedStatement,
    limits: &Limits,
    cancel: &CancelToken,
    stream: &mut RowStream<'_>,
    write: bool,
) -> Result<Ended, QueryError> {
    let (client, _connection) = connect(url).await?;
    let timeout_ms = limits.timeout.as_millis().max(1);
    let access = if write { "READ WRITE" } else { "READ ONLY" };
    let begin = format!("BEGIN {access}; SET LOCAL statement_timeout = {timeout_ms}");
    if let Err(e) = client.batch_execute(&begin).await {
        return Ok(Ended::Failed(describe(&e)));
    }
    let outcome = tokio::select! {
        outcome = read(&client, &checked.sql, stream) => outcome,
        () = cancel.cancelled() => {
            // The answer to the cancelled statement is never read: the
            // connection closes with the transaction still open.
            let _ = client.cancel_token().cancel_query(NoTls).await;
            return Ok(Ended::Cancelled);
        }
    };
    match outcome {
        // A read's transaction is never committed: the connection closes.
        Ok(affected) if write => match client.batch_execute("COMMIT").await {
            Ok(()) => Ok(Ended::Completed { affected }),
            Err(e) => Ok(Ended::Failed(describe(&e))),
        },
        Ok(_) => Ok(Ended::Completed { affected: None }),
        Err(Failure::Query(e)) => Ok(Ended::Failed(describe(&e))),
        Err(Failure::Sink(e)) => Err(e),
    }
}

enum Failure {
    Query(tokio_postgres::Error),
    Sink(QueryError),
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Failure::Query(e)
    }
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        Failure::Sink(e)
    }
}

/// Streams the rows; the rows the statement affected, when the server said.
async fn read(
    client: &Client,
    sql: &str,
    stream: &mut RowStream<'_>,
) -> Result<Option<u64>, Failure> {
    // Preparing takes exactly one statement on the server's own parser (a
    // fourth check) and tells the column types; the simple protocol then
    // returns every value as text, whatever its type.
    let statement = client.prepare(sql).await?;
    let types: Vec<String> = statement
        .columns()
        .iter()
        .map(|c| c.type_().name().to_string())
        .collect();
    stream.columns(
        statement
            .columns()
            .iter()
            .zip(&types)
            .map(|(c, type_name)| Column {
                name: c.name().to_string(),
                type_name: type_name.clone(),
            })
            .collect(),
    )?;
    let messages = client.simple_query_raw(sql).await?;
    pin_mut!(messages);
    let mut affected = None;
    while let Some(message) = messages.next().await {
        match message? {
            SimpleQueryMessage::Row(row) => {
                let cells: Vec<Value> = types
                    .iter()
                    .enumerate()
                    .map(|(i, type_name)| value(row.get(i), type_name))
                    .collect();
                if stream.accept(&cells)? == Flow::Stop {
                    break;
                }
            }
            SimpleQueryMessage::CommandComplete(count) => affected = Some(count),
            _ => {}
        }
    }
    Ok(affected)
}

/// A cell from its text form and its column's type.
fn value(text: Option<&str>, type_name: &str) -> Value {
    let Some(text) = text else {
        return Value::Null;
    };
    let parsed = match type_name {
        "bool" => Some(Value::Bool(text == "t")),
        "int2" | "int4" | "int8" | "oid" => text.parse().ok().map(Value::Integer),
        "float4" | "float8" => text.parse().ok().map(Value::Float),
        "numeric" => Some(Value::Decimal(text.to_string())),
        "json" | "jsonb" => serde_json::from_str(text).ok().map(Value::Json),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::Text(text.to_string()))
}

/// The server's message with its SQLSTATE, or the client's error.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        // The client's own errors keep the cause (refused, unknown host) in `source`.
        None => match std::error::Error::source(e) {
            Some(cause) if !e.to_string().contains(&cause.to_string()) => format!("{e}: {cause}"),
            _ => e.to_string(),
        },
    }
}

async fn connect(url: &str) -> Result<(Client, ConnectionTask), QueryError> {
    let redacted = carta_source::redact_url(url);
    let mut config: tokio_postgres::Config =
        url.parse()
            .map_err(|e: tokio_postgres::Error| IngestError::InvalidUrl {
                url: redacted.clone(),
                message: e.to_string(),
            })?;
    config.connect_timeout(CONNECT_TIMEOUT);
    if config.get_application_name().is_none() {
        config.application_name("carta query");
    }
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or_default().to_string();
    let connected = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls)).await;
    let error = match connected {
        Ok(Ok((client, connection))) => {
            let task = tokio::spawn(async move {
                let _ = connection.await;
            });
            return Ok((client, ConnectionTask(task)));
        }
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(IngestError::ConnectTimeout {
                host,
                port,
                seconds: CONNECT_TIMEOUT.as_secs(),
            }
            .into())
        }
    };
    let code = error.as_db_error().map(|db| db.code().clone());
    let message = describe(&error);
    Err(match code {
        Some(code)
            if code == SqlState::INVALID_PASSWORD
                || code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            IngestError::Auth {
                user,
                host,
                port,
                message,
            }
        }
        Some(code) if code == SqlState::INVALID_CATALOG_NAME => IngestError::NoDatabase {
            database: config.get_dbname().unwrap_or(&user).to_string(),
            host,
            port,
        },
        _ if message.starts_with("authentication error")
            || message.contains("password missing") =>
        {
            IngestError::Auth {
                user,
                host,
                port,
                message,
            }
        }
        _ => IngestError::Connect {
            host,
            port,
            message,
        },
    }
    .into())
}
