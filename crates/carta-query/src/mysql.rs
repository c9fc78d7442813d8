//! MySQL and MariaDB: `START TRANSACTION READ ONLY` with the server's
//! statement time limit (`max_execution_time` on MySQL, milliseconds;
//! `max_statement_time` on MariaDB, seconds).

use carta_source::IngestError;
use mysql_async::consts::ColumnType;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};

use crate::rows::{Column, Flow, RowStream, Value};
use crate::{CancelToken, CheckedStatement, Ended, Limits, QueryError, CONNECT_TIMEOUT};

/// The character set number MySQL gives binary strings.
const BINARY_CHARSET: u16 = 63;

pub(crate) async fn run(
    url: &str,
    checked: &CheckedStatement,
    limits: &Limits,
    cancel: &CancelToken,
    stream: &mut RowStream<'_>,
) -> Result<Ended, QueryError> {
    let opts = options(url)?;
    let mut conn = connect(opts.clone()).await?;
    let connection_id = conn.id();
    if let Err(e) = begin(&mut conn, limits).await {
        let _ = conn.disconnect().await;
        return Ok(Ended::Failed(e.to_string()));
    }
    let outcome = tokio::select! {
        outcome = read(&mut conn, &checked.sql, stream) => Some(outcome),
        () = cancel.cancelled() => None,
    };
    // A cancelled statement, or the rest of a truncated result, is stopped
    // on the server instead of drained.
    if matches!(outcome, None | Some(Ok(Flow::Stop))) {
        kill_query(opts, connection_id).await;
    }
    // Close now: an open transaction holds metadata locks until the
    // server sees the connection end.
    let _ = conn.query_drop("ROLLBACK").await;
    let _ = conn.disconnect().await;
    match outcome {
        None => Ok(Ended::Cancelled),
        Some(Ok(_)) => Ok(Ended::Completed { affected: None }),
        Some(Err(Failure::Query(e))) => Ok(Ended::Failed(e.to_string())),
        Some(Err(Failure::Sink(e))) => Err(e),
    }
}

enum Failure {
    Query(mysql_async::Error),
    Sink(QueryError),
}

impl From<mysql_async::Error> for Failure {
    fn from(e: mysql_async::Error) -> Self {
        Failure::Query(e)
    }
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        Failure::Sink(e)
    }
}

async fn begin(conn: &mut Conn, limits: &Limits) -> Result<(), mysql_async::Error> {
    let version: Option<String> = conn.query_first("SELECT VERSION()").await?;
    let is_mariadb = version.is_some_and(|v| v.to_ascii_lowercase().contains("mariadb"));
    let limit = if is_mariadb {
        format!(
            "SET SESSION max_statement_time = {}",
            limits.timeout.as_secs_f64()
        )
    } else {
        format!(
            "SET SESSION max_execution_time = {}",
            limits.timeout.as_millis().max(1)
        )
    };
    conn.query_drop(limit).await?;
    conn.query_drop("START TRANSACTION READ ONLY").await
}

/// Runs the statement as a prepared statement: the binary protocol takes
/// exactly one statement and returns typed values.
async fn read(conn: &mut Conn, sql: &str, stream: &mut RowStream<'_>) -> Result<Flow, Failure> {
    let mut result = conn.exec_iter(sql, ()).await?;
    let columns = result.columns_ref().to_vec();
    stream.columns(
        columns
            .iter()
            .map(|c| Column {
                name: c.name_str().into_owned(),
                type_name: type_name(c.column_type()).to_string(),
            })
            .collect(),
    )?;
    while let Some(row) = result.next().await? {
        let cells: Vec<Value> = row
            .unwrap()
            .into_iter()
            .zip(&columns)
            .map(|(cell, column)| value(cell, column))
            .collect();
        if stream.accept(&cells)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::More)
}

fn value(cell: mysql_async::Value, column: &mysql_async::Column) -> Value {
    use mysql_async::Value as My;
    match cell {
        My::NULL => Value::Null,
        My::Int(i) => Value::Integer(i),
        My::UInt(u) => {
            i64::try_from(u).map_or_else(|_| Value::Decimal(u.to_string()), Value::Integer)
        }
        My::Float(f) => Value::Float(f64::from(f)),
        My::Double(f) => Value::Float(f),
        My::Bytes(bytes) => match column.column_type() {
            ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL => {
                Value::Decimal(String::from_utf8_lossy(&bytes).into_owned())
            }
            ColumnType::MYSQL_TYPE_JSON => serde_json::from_slice(&bytes).map_or_else(
                |_| Value::Text(String::from_utf8_lossy(&bytes).into_owned()),
                Value::Json,
            ),
            _ if column.character_set() == BINARY_CHARSET => Value::Bytes(bytes),
            _ => Value::Text(String::from_utf8_lossy(&bytes).into_owned()),
        },
        My::Date(year, month, day, hour, minute, second, micros) => {
            let date = format!("{year:04}-{month:02}-{day:02}");
            Value::Text(if column.column_type() == ColumnType::MYSQL_TYPE_DATE {
                date
            } else {
                format!(
                    "{date} {hour:02}:{minute:02}:{second:02}{}",
                    fraction(micros)
                )
            })
        }
        My::Time(negative, days, hours, minutes, seconds, micros) => {
            let sign = if negative { "-" } else { "" };
            let hours = days * 24 + u32::from(hours);
            Value::Text(format!(
                "{sign}{hours:02}:{minutes:02}:{seconds:02}{}",
                fraction(micros)
            ))
        }
    }
}

fn fraction(micros: u32) -> String {
    if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    }
}

fn type_name(column_type: ColumnType) -> &'static str {
    use ColumnType::*;
    match column_type {
        MYSQL_TYPE_TINY => "tinyint",
        MYSQL_TYPE_SHORT => "smallint",
        MYSQL_TYPE_INT24 => "mediumint",
        MYSQL_TYPE_LONG => "int",
        MYSQL_TYPE_LONGLONG => "bigint",
        MYSQL_TYPE_FLOAT => "float",
        MYSQL_TYPE_DOUBLE => "double",
        MYSQL_TYPE_DECIMAL | MYSQL_TYPE_NEWDECIMAL => "decimal",
        MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE => "date",
        MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2 => "time",
        MYSQL_TYPE_DATETIME | MYSQL_TYPE_DATETIME2 => "datetime",
        MYSQL_TYPE_TIMESTAMP | MYSQL_TYPE_TIMESTAMP2 => "timestamp",
        MYSQL_TYPE_YEAR => "year",
        MYSQL_TYPE_BIT => "bit",
        MYSQL_TYPE_JSON => "json",
        MYSQL_TYPE_ENUM => "enum",
        MYSQL_TYPE_SET => "set",
        MYSQL_TYPE_GEOMETRY => "geometry",
        MYSQL_TYPE_NULL => "null",
        MYSQL_TYPE_VARCHAR | MYSQL_TYPE_VAR_STRING => "varchar",
        MYSQL_TYPE_STRING => "char",
        MYSQL_TYPE_TINY_BLOB | MYSQL_TYPE_MEDIUM_BLOB | MYSQL_TYPE_LONG_BLOB | MYSQL_TYPE_BLOB => {
            "blob"
        }
        _ => "unknown",
    }
}

/// Stops the statement running on `connection_id` from a second connection.
async fn kill_query(opts: Opts, connection_id: u32) {
    if let Ok(mut killer) = Conn::new(opts).await {
        let _ = killer
            .query_drop(format!("KILL QUERY {connection_id}"))
            .await;
        let _ = killer.disconnect().await;
    }
}

fn options(url: &str) -> Result<Opts, IngestError> {
    // mysql_async knows only the mysql:// scheme; MariaDB speaks the same protocol.
    let normalized = match url.get(..10) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mariadb://") => {
            format!("mysql://{}", &url[10..])
        }
        _ => url.to_string(),
    };
    let opts = Opts::from_url(&normalized).map_err(|e| IngestError::InvalidUrl {
        url: carta_source::redact_url(url),
        message: e.to_string(),
    })?;
    // A socket found through the TCP connection would be a second,
    // unannounced connection path; use exactly what the URL names.
    Ok(Opts::from(
        mysql_async::OptsBuilder::from_opts(opts).prefer_socket(false),
    ))
}

async fn connect(opts: Opts) -> Result<Conn, IngestError> {
    let host = opts.ip_or_hostname().to_string();
    let port = opts.tcp_port();
    let user = opts.user().unwrap_or_default().to_string();
    let database = opts.db_name().unwrap_or_default().to_string();
    match tokio::time::timeout(CONNECT_TIMEOUT, Conn::new(opts)).await {
        Err(_) => Err(IngestError::ConnectTimeout {
            host,
            port,
            seconds: CONNECT_TIMEOUT.as_secs(),
        }),
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(mysql_async::Error::Server(e))) => Err(match e.code {
            // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR
            1045 | 1044 => IngestError::Auth {
                user,
                host,
                port,
                message: e.message,
            },
            // ER_BAD_DB_ERROR
            1049 => IngestError::NoDatabase {
                database,
                host,
                port,
            },
            _ => IngestError::Connect {
                host,
                port,
                message: e.to_string(),
            },
        }),
        Ok(Err(e)) => Err(IngestError::Connect {
            host,
            port,
            message: e.to_string(),
        }),
    }
}
