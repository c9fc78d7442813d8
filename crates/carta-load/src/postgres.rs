//! PostgreSQL: the whole load in one transaction, one COPY per table.
//!
//! `SET CONSTRAINTS ALL DEFERRED` postpones the deferrable constraints to
//! COMMIT; the others are checked as each COPY ends, which the plan's
//! parent-before-child order satisfies. COPY writes the given values into
//! `GENERATED ALWAYS` identity columns (it needs no `OVERRIDING SYSTEM
//! VALUE`), and row triggers fire for every copied row (an `updated_at`
//! trigger stamps the load time; fixup UPDATEs fire UPDATE triggers).
//! COPY cannot load a table whose row-level security applies to the
//! loading role (a non-owner, or the owner under `FORCE ROW LEVEL
//! SECURITY`): such a target is refused before anything is written.

mod copy;

use crate::chunks::{Chunk, OrderedChunks, WorkerDied};
use crate::sql::Quoting;
use crate::{Job, LoadError, Progress};
use carta_catalog::QualifiedName;
use copy::{Codec, CopyFormat, EncodeError};
use futures_util::SinkExt;
use std::collections::HashMap;
use std::io::Cursor;
use std::ops::Range;
use tokio_postgres::{Client, NoTls};

const Q: Quoting = Quoting::Double;

pub(crate) async fn load(
    url: &str,
    job: &Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    let (client, connection) =
        tokio_postgres::connect(url, NoTls)
            .await
            .map_err(|e| LoadError::Connect {
                target: carta_source::redact_url(url),
                message: e.to_string(),
            })?;
    let connection = tokio::spawn(connection);
    let result = in_transaction(&client, job, progress).await;
    drop(client);
    let _ = connection.await;
    result
}

async fn in_transaction(
    client: &Client,
    job: &Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    client
        .batch_execute("BEGIN; SET CONSTRAINTS ALL DEFERRED")
        .await
        .map_err(|e| server_error(None, &e))?;
    match load_tables(client, job, progress).await {
        Ok(tables) => {
            // Deferred constraints are checked here; a failing COMMIT rolls back.
            client
                .batch_execute("COMMIT")
                .await
                .map_err(|e| server_error(None, &e))?;
            Ok(tables)
        }
        Err(error) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(error)
        }
    }
}

async fn load_tables(
    client: &Client,
    job: &Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    let target = TargetColumns::read(client, job.plan.tables.iter().map(|t| &t.table)).await?;
    refuse_non_empty(client, job).await?;
    let mut loaded = Vec::with_capacity(job.plan.tables.len());
    for (index, table) in job.plan.tables.iter().enumerate() {
        progress.table_started(&table.table, table.rows);
        let format = target.format(&table.table, &table.columns)?;
        let statement = format.statement(&Q.table(&table.table), &Q.list(&table.columns));
        let encoder = job.clone();
        let chunks = OrderedChunks::spawn(table.rows, job.workers, {
            let format = format.clone();
            move |rows: Range<u64>| {
                encode(&format, rows.clone(), || {
                    carta_mock::rows(&encoder.plan, &encoder.catalog, index, rows)
                })
            }
        });
        copy_chunks(
            client,
            &table.table,
            &table.columns,
            &statement,
            &format,
            chunks,
            |done| progress.rows_done(&table.table, done),
        )
        .await?;
        progress.table_finished(&table.table);
        loaded.push((table.table.clone(), table.rows));
    }
    for index in 0..job.plan.fixups.len() {
        apply_fixup(client, job, &target, index).await?;
    }
    reset_sequences(client, job).await?;
    Ok(loaded)
}

/// Rows `rows` made by `make`, encoded; an error names its row within the table.
fn encode<I: Iterator<Item = Vec<carta_mock::Value>>>(
    format: &CopyFormat,
    rows: Range<u64>,
    make: impl FnOnce() -> I,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(256 * (rows.end - rows.start) as usize);
    format
        .encode_rows(make(), &mut out)
        .map_err(|e| EncodeError {
            row: rows.start + e.row,
            ..e
        })?;
    Ok(out)
}

/// Streams encoded chunks through one `COPY` and ends it.
async fn copy_chunks(
    client: &Client,
    table: &QualifiedName,
    columns: &[String],
    statement: &str,
    format: &CopyFormat,
    mut chunks: OrderedChunks<Result<Vec<u8>, EncodeError>>,
    mut rows_done: impl FnMut(u64),
) -> Result<(), LoadError> {
    let copy_error = |e: tokio_postgres::Error| server_error(Some(table), &e);
    let sink = client
        .copy_in::<_, Cursor<Vec<u8>>>(statement)
        .await
        .map_err(copy_error)?;
    futures_util::pin_mut!(sink);
    let mut pending = format.header().to_vec();
    loop {
        let Chunk { rows, data } = match chunks.next().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(WorkerDied { rows }) => {
                return Err(LoadError::Generation {
                    table: table.to_string(),
                    message: format!("the generator thread for rows {rows:?} stopped"),
                })
            }
        };
        let bytes = data.map_err(|e| {
            LoadError::Unsupported(format!(
                "{table}.{}, row {}: {}",
                columns.get(e.column).map_or("?", String::as_str),
                e.row + 1,
                e.message
            ))
        })?;
        pending.extend_from_slice(&bytes);
        sink.send(Cursor::new(std::mem::take(&mut pending)))
            .await
            .map_err(copy_error)?;
        rows_done(rows.end);
    }
    pending.extend_from_slice(format.trailer());
    sink.send(Cursor::new(pending)).await.map_err(copy_error)?;
    sink.finish().await.map_err(copy_error)?;
    Ok(())
}

/// The target's columns of every planned table: their binary codec, if any.
struct TargetColumns {
    codecs: HashMap<(String, String, String), Option<Codec>>,
}

impl TargetColumns {
    /// One catalog query for all planned tables. Refuses a table that does
    /// not exist or whose row-level security applies to this role.
    async fn read<'a>(
        client: &Client,
        tables: impl Iterator<Item = &'a QualifiedName> + Clone,
    ) -> Result<TargetColumns, LoadError> {
        let (schemas, names): (Vec<&str>, Vec<&str>) = tables
            .clone()
            .map(|t| (t.schema.as_str(), t.name.as_str()))
            .unzip();
        let rows = client
            .query(
                "SELECT n.nspname::text, c.relname::text, a.attname::text, bt.oid::int8, \
                        bt.typtype::text, row_security_active(c.oid) \
                 FROM unnest($1::text[], $2::text[]) AS p(schema_name, table_name) \
                 JOIN pg_namespace n ON n.nspname = p.schema_name \
                 JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.table_name \
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                 JOIN pg_type t ON t.oid = a.atttypid \
                 JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END",
                &[&schemas, &names],
            )
            .await
            .map_err(|e| server_error(None, &e))?;
        let mut codecs = HashMap::new();
        for row in rows {
            let (schema, table): (String, String) = (row.get(0), row.get(1));
            if row.get::<_, bool>(5) {
                return Err(LoadError::Unsupported(format!(
                    "{schema}.{table}: row-level security applies to this role, and COPY cannot \
                     load such a table; load as its owner (without FORCE ROW LEVEL SECURITY), \
                     a superuser or a BYPASSRLS role"
                )));
            }
            let oid = u32::try_from(row.get::<_, i64>(3)).unwrap_or(0);
            let codec = Codec::for_type(oid, row.get(4));
            codecs.insert((schema, table, row.get(2)), codec);
        }
        for table in tables {
            let known = codecs
                .keys()
                .any(|(s, t, _)| *s == table.schema && *t == table.name);
            if !known {
                return Err(LoadError::Database {
                    table: Some(table.to_string()),
                    message: "the table does not exist in the target".into(),
                });
            }
        }
        Ok(TargetColumns { codecs })
    }

    /// Binary COPY if every column has a codec, else text.
    fn format(&self, table: &QualifiedName, columns: &[String]) -> Result<CopyFormat, LoadError> {
        let codecs = columns
            .iter()
            .map(|column| {
                let key = (table.schema.clone(), table.name.clone(), column.clone());
                self.codecs
                    .get(&key)
                    .copied()
                    .ok_or_else(|| LoadError::Database {
                        table: Some(table.to_string()),
                        message: format!("column {column} does not exist in the target"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CopyFormat::choose(codecs))
    }
}

/// Refuses the load if any planned table has a row.
async fn refuse_non_empty(client: &Client, job: &Job) -> Result<(), LoadError> {
    if job.plan.tables.is_empty() {
        return Ok(());
    }
    let probe = job
        .plan
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "SELECT {i} WHERE EXISTS (SELECT 1 FROM {})",
                Q.table(&t.table)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows = client
        .query(&probe, &[])
        .await
        .map_err(|e| server_error(None, &e))?;
    let tables: Vec<String> = rows
        .iter()
        .filter_map(|row| usize::try_from(row.get::<_, i32>(0)).ok())
        .filter_map(|i| job.plan.tables.get(i))
        .map(|t| t.table.to_string())
        .collect();
    if tables.is_empty() {
        Ok(())
    } else {
        Err(LoadError::NotEmpty { tables })
    }
}

/// Fills a fixup's FK columns: COPY (key, value) pairs into a temporary
/// table, then one set-based UPDATE.
async fn apply_fixup(
    client: &Client,
    job: &Job,
    target: &TargetColumns,
    index: usize,
) -> Result<(), LoadError> {
    let fixup = &job.plan.fixups[index];
    let rows = job
        .plan
        .tables
        .iter()
        .find(|t| t.table == fixup.table)
        .map_or(0, |t| t.rows);
    let table = Q.table(&fixup.table);
    let scratch = format!("carta_fixup_{index}");
    let columns: Vec<String> = fixup
        .key_columns
        .iter()
        .chain(&fixup.set_columns)
        .cloned()
        .collect();
    let fixup_error = |e: tokio_postgres::Error| server_error(Some(&fixup.table), &e);
    client
        .batch_execute(&format!(
            "CREATE TEMP TABLE {scratch} ON COMMIT DROP AS SELECT {} FROM {table} WITH NO DATA",
            Q.list(&columns)
        ))
        .await
        .map_err(fixup_error)?;
    let format = target.format(&fixup.table, &columns)?;
    let encoder = job.clone();
    let chunks = OrderedChunks::spawn(rows, job.workers, {
        let format = format.clone();
        move |range: Range<u64>| {
            encode(&format, range.clone(), || {
                carta_mock::fixup_rows(&encoder.plan, &encoder.catalog, index, range)
                    .filter(|(_, set)| set.iter().any(|v| *v != carta_mock::Value::Null))
                    .map(|(mut key, set)| {
                        key.extend(set);
                        key
                    })
            })
        }
    });
    let statement = format.statement(&scratch, &Q.list(&columns));
    copy_chunks(
        client,
        &fixup.table,
        &columns,
        &statement,
        &format,
        chunks,
        |_| {},
    )
    .await?;
    let assignments = fixup
        .set_columns
        .iter()
        .map(|c| format!("{0} = f.{0}", Q.ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let update = format!(
        "UPDATE {table} AS t SET {assignments} FROM {scratch} AS f WHERE {}",
        Q.equal_columns("t", "f", &fixup.key_columns)
    );
    client.batch_execute(&update).await.map_err(fixup_error)?;
    Ok(())
}

/// Moves each sequence past the loaded values, so the next default value is free.
async fn reset_sequences(client: &Client, job: &Job) -> Result<(), LoadError> {
    for table in &job.plan.tables {
        let sequence_error = |e: tokio_postgres::Error| server_error(Some(&table.table), &e);
        for reset in &table.sequences {
            let sequence = match &reset.sequence {
                Some(name) => Some(Q.table(name)),
                None => client
                    .query_one(
                        "SELECT pg_get_serial_sequence($1, $2)",
                        &[&Q.table(&table.table), &reset.column],
                    )
                    .await
                    .map_err(sequence_error)?
                    .get(0),
            };
            if let Some(sequence) = sequence {
                client
                    .query_one(
                        "SELECT setval($1::text::regclass, $2, false)",
                        &[&sequence, &reset.next],
                    )
                    .await
                    .map_err(sequence_error)?;
            }
        }
    }
    Ok(())
}

/// A server error as a [`LoadError`]: integrity violations (SQLSTATE class
/// 23) become [`LoadError::Constraint`] with the table, constraint and the
/// row from the COPY context (`COPY t, line 12`).
fn server_error(loading: Option<&QualifiedName>, error: &tokio_postgres::Error) -> LoadError {
    let loading_name = loading.map(ToString::to_string);
    let Some(db) = error.as_db_error() else {
        return LoadError::Database {
            table: loading_name,
            message: error.to_string(),
        };
    };
    let table = match (db.schema(), db.table()) {
        (Some(schema), Some(table)) => Some(format!("{schema}.{table}")),
        _ => loading_name,
    };
    let mut message = db.message().to_string();
    if let Some(detail) = db.detail() {
        message.push_str(" (");
        message.push_str(detail);
        message.push(')');
    }
    if db.code().code().starts_with("23") {
        LoadError::Constraint {
            table: table.unwrap_or_default(),
            row: db.where_().and_then(copy_line),
            constraint: db.constraint().map(Into::into),
            message,
        }
    } else {
        LoadError::Database { table, message }
    }
}

/// The line of `COPY t, line 12[, column c]: ...`: the row's 1-based position in the COPY.
fn copy_line(context: &str) -> Option<u64> {
    let copy = &context[context.find("COPY ")?..];
    let after = &copy[copy.find(", line ")? + ", line ".len()..];
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    after[..digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use carta_mock::Value;

    #[test]
    fn the_row_comes_from_the_copy_context() {
        assert_eq!(copy_line("COPY users, line 1234: \"a\tb\""), Some(1234));
        assert_eq!(
            copy_line("COPY \"odd, name\", line 7, column email: \"x\""),
            Some(7)
        );
        assert_eq!(copy_line("SQL statement \"SELECT 1\""), None);
    }

    /// COPYs `rows` into `table` the way the loader does and reads every column back as text.
    async fn round_trip(
        client: &Client,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> (CopyFormat, Vec<Vec<Option<String>>>) {
        let name = QualifiedName::new("public", table);
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let target = TargetColumns::read(client, std::iter::once(&name))
            .await
            .unwrap();
        let format = target.format(&name, &columns).unwrap();
        let count = rows.len() as u64;
        let chunks = OrderedChunks::spawn(count, 1, {
            let format = format.clone();
            move |range: Range<u64>| {
                encode(&format, range.clone(), || {
                    rows[range.start as usize..range.end as usize]
                        .iter()
                        .cloned()
                })
            }
        });
        let statement = format.statement(&Q.table(&name), &Q.list(&columns));
        copy_chunks(client, &name, &columns, &statement, &format, chunks, |_| {})
            .await
            .unwrap();
        let select = columns
            .iter()
            .map(|c| format!("{}::text", Q.ident(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let read = client
            .query(&format!("SELECT {select} FROM {}", Q.table(&name)), &[])
            .await
            .unwrap();
        let texts = read
            .iter()
            .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
            .collect();
        (format, texts)
    }

    fn texts(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| Some(v.to_string())).collect()
    }

    #[tokio::test]
    async fn binary_copy_sends_every_covered_type_exactly() {
        let db = carta_testkit::PgDatabase::create();
        db.execute(
            "CREATE TYPE mood AS ENUM ('happy', 'sad'); \
             CREATE DOMAIN short_text AS varchar(10); \
             CREATE TABLE every_type (b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, \
               f8 double precision, n numeric(16,4), t text, v varchar(20), c char(3), e mood, \
               d short_text, raw bytea, u uuid, j json, jb jsonb, day date, clock time, \
               ts timestamp, tz timestamptz, host inet, net cidr, host6 inet)",
        );
        let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.unwrap();
        tokio::spawn(connection);
        client.batch_execute("SET TimeZone = 'UTC'").await.unwrap();
        let columns = [
            "b", "i2", "i4", "i8", "f4", "f8", "n", "t", "v", "c", "e", "d", "raw", "u", "j", "jb",
            "day", "clock", "ts", "tz", "host", "net", "host6",
        ];
        let instant = 1_700_000_000_123_456;
        let row = vec![
            Value::Bool(true),
            Value::Int(-32_768),
            Value::Int(2_147_483_647),
            Value::Int(-9_000_000_000_000_000_000),
            Value::Float(1.5),
            Value::Float(-2.25),
            Value::Decimal("-12345678.9012".into()),
            Value::Text("tab\there \\ ok".into()),
            Value::Text("väl".into()),
            Value::Text("abc".into()),
            Value::Text("sad".into()),
            Value::Text("short".into()),
            Value::Bytes(vec![0, 255]),
            Value::Uuid([0x12; 16]),
            Value::Json("{\"a\": [1, 2]}".into()),
            Value::Json("{\"b\": null}".into()),
            Value::Date(19_782),
            Value::Time(3_723_000_001),
            Value::Timestamp {
                micros: instant,
                with_time_zone: false,
            },
            Value::Timestamp {
                micros: instant,
                with_time_zone: true,
            },
            Value::Text("192.168.0.1".into()),
            Value::Text("10.1.0.0/16".into()),
            Value::Text("2001:db8::1/64".into()),
        ];
        let nulls = vec![Value::Null; columns.len()];
        let (format, read) = round_trip(&client, "every_type", &columns, vec![row, nulls]).await;
        assert!(matches!(format, CopyFormat::Binary(_)), "{format:?}");
        assert_eq!(
            read[0],
            texts(&[
                "true",
                "-32768",
                "2147483647",
                "-9000000000000000000",
                "1.5",
                "-2.25",
                "-12345678.9012",
                "tab\there \\ ok",
                "väl",
                "abc",
                "sad",
                "short",
                "\\x00ff",
                "12121212-1212-1212-1212-121212121212",
                "{\"a\": [1, 2]}",
                "{\"b\": null}",
                "2024-02-29",
                "01:02:03.000001",
                "2023-11-14 22:13:20.123456",
                "2023-11-14 22:13:20.123456+00",
                // `inet::text` always shows the prefix; `/32` is what no prefix means.
                "192.168.0.1/32",
                "10.1.0.0/16",
                "2001:db8::1/64",
            ])
        );
        assert_eq!(read[1], vec![None; columns.len()]);
    }

    #[tokio::test]
    async fn other_types_go_through_text_copy() {
        let db = carta_testkit::PgDatabase::create();
        db.execute(
            "CREATE TABLE other_types (addr macaddr, span interval, tags text[], grid int[], \
               tz timestamptz, n numeric, raw bytea, note text)",
        );
        let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.unwrap();
        tokio::spawn(connection);
        client.batch_execute("SET TimeZone = 'UTC'").await.unwrap();
        let columns = ["addr", "span", "tags", "grid", "tz", "n", "raw", "note"];
        let row = vec![
            Value::Text("08:00:2b:01:02:03".into()),
            Value::Text("1 day 02:00:00".into()),
            Value::Array(vec![
                Value::Text("a,b".into()),
                Value::Null,
                Value::Text("q\"x\\".into()),
            ]),
            Value::Array(vec![
                Value::Array(vec![Value::Int(1), Value::Int(2)]),
                Value::Array(vec![Value::Int(3), Value::Int(4)]),
            ]),
            Value::Timestamp {
                micros: 0,
                with_time_zone: true,
            },
            Value::Decimal("1.50".into()),
            Value::Bytes(vec![0xde, 0xad]),
            Value::Text("line\nbreak\ttab\\".into()),
        ];
        let (format, read) = round_trip(&client, "other_types", &columns, vec![row]).await;
        assert_eq!(format, CopyFormat::Text);
        assert_eq!(
            read[0],
            texts(&[
                "08:00:2b:01:02:03",
                "1 day 02:00:00",
                "{\"a,b\",NULL,\"q\\\"x\\\\\"}",
                "{{1,2},{3,4}}",
                "1970-01-01 00:00:00+00",
                "1.50",
                "\\xdead",
                "line\nbreak\ttab\\",
            ])
        );
    }
}
