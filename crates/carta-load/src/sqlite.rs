//! SQLite: one `BEGIN IMMEDIATE` transaction of prepared INSERTs on a
//! database file opened read-write (never created).
//!
//! `PRAGMA foreign_keys = ON` makes SQLite check each row's references as
//! it goes; `PRAGMA foreign_key_check` runs once more before COMMIT, after
//! the fixups. Rows inserted with explicit ids already move an
//! AUTOINCREMENT table's `sqlite_sequence` entry; the plan's sequence resets
//! are applied to it as well so they hold whatever SQLite version runs.
//! The work runs on a blocking thread; progress comes back over a channel.

use crate::chunks::{Chunk, OrderedChunks, WorkerDied};
use crate::sql::Quoting;
use crate::{text, Job, LoadError, Progress};
use carta_catalog::{LogicalType, QualifiedName};
use carta_mock::Value;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::ops::Range;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

const Q: Quoting = Quoting::Double;

type Rows = Result<Vec<Vec<SqlValue>>, String>;

/// What the loading thread reports, by table index in the plan.
enum Event {
    Started(usize),
    RowsDone(usize, u64),
    Finished(usize),
}

pub(crate) async fn load(
    path: PathBuf,
    job: Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    let plan = std::sync::Arc::clone(&job.plan);
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let worker = tokio::task::spawn_blocking(move || load_file(&path, &job, &events));
    while let Some(event) = received.recv().await {
        match event {
            Event::Started(i) => progress.table_started(&plan.tables[i].table, plan.tables[i].rows),
            Event::RowsDone(i, rows) => progress.rows_done(&plan.tables[i].table, rows),
            Event::Finished(i) => progress.table_finished(&plan.tables[i].table),
        }
    }
    worker.await.map_err(|e| LoadError::Generation {
        table: "(SQLite loader)".into(),
        message: e.to_string(),
    })?
}

fn load_file(
    path: &Path,
    job: &Job,
    events: &UnboundedSender<Event>,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| LoadError::Connect {
        target: path.display().to_string(),
        message: e.to_string(),
    })?;
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .map_err(|e| sqlite_error(None, &e, None))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| sqlite_error(None, &e, None))?;
    // Dropping `tx` on any error below rolls the transaction back.
    refuse_non_empty(&tx, job)?;
    let mut loaded = Vec::with_capacity(job.plan.tables.len());
    for (index, table) in job.plan.tables.iter().enumerate() {
        let _ = events.send(Event::Started(index));
        let kinds = column_kinds(job, index, &table.columns)?;
        let generator = job.clone();
        let chunks = OrderedChunks::spawn(table.rows, job.workers, move |rows: Range<u64>| {
            convert(
                carta_mock::rows(&generator.plan, &generator.catalog, index, rows),
                &kinds,
            )
        });
        insert_chunks(
            &tx,
            &table.table,
            &Q.table(&table.table),
            &table.columns,
            chunks,
            |done| {
                let _ = events.send(Event::RowsDone(index, done));
            },
        )?;
        let _ = events.send(Event::Finished(index));
        loaded.push((table.table.clone(), table.rows));
    }
    for index in 0..job.plan.fixups.len() {
        apply_fixup(&tx, job, index)?;
    }
    check_foreign_keys(&tx)?;
    reset_sequences(&tx, job)?;
    tx.commit().map_err(|e| sqlite_error(None, &e, None))?;
    Ok(loaded)
}

/// Whether each column stores a uuid as a 16-byte BLOB rather than text.
fn column_kinds(job: &Job, index: usize, columns: &[String]) -> Result<Vec<bool>, LoadError> {
    let table = job.table(index)?;
    Ok(columns
        .iter()
        .map(|name| {
            table.column(name).is_some_and(|c| {
                matches!(c.logical_type, LogicalType::Binary { .. })
                    || c.data_type.to_ascii_uppercase().contains("BLOB")
            })
        })
        .collect())
}

fn convert(rows: impl Iterator<Item = Vec<Value>>, uuid_as_blob: &[bool]) -> Rows {
    rows.map(|row| {
        row.into_iter()
            .zip(uuid_as_blob)
            .map(|(value, as_blob)| sql_value(value, *as_blob))
            .collect()
    })
    .collect()
}

/// SQLite's storage class for a value; dates and times as ISO 8601 text, which SQLite's date functions read.
fn sql_value(value: Value, uuid_as_blob: bool) -> Result<SqlValue, String> {
    let spelled = |write: &dyn Fn(&mut String)| {
        let mut out = String::new();
        write(&mut out);
        SqlValue::Text(out)
    };
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(b)),
        Value::Int(i) => SqlValue::Integer(i),
        Value::UInt(u) => i64::try_from(u).map_or(SqlValue::Text(u.to_string()), SqlValue::Integer),
        Value::Float(f) => SqlValue::Real(f),
        Value::Decimal(s) | Value::Text(s) | Value::Json(s) => SqlValue::Text(s),
        Value::Bytes(bytes) => SqlValue::Blob(bytes),
        Value::Uuid(bytes) if uuid_as_blob => SqlValue::Blob(bytes.to_vec()),
        Value::Uuid(bytes) => SqlValue::Text(text::uuid_string(&bytes)),
        Value::Date(days) => spelled(&|out| text::write_date(out, i64::from(days))),
        Value::Time(micros) => spelled(&|out| text::write_time(out, micros)),
        Value::Timestamp { micros, .. } => spelled(&|out| text::write_timestamp(out, micros)),
        Value::Array(_) => return Err("SQLite has no array type".into()),
    })
}

/// Inserts converted chunks with one prepared single-row statement, reused
/// for every row (as fast in SQLite as multi-row INSERTs, which only save
/// statement steps that cost nanoseconds in-process).
fn insert_chunks(
    tx: &Transaction<'_>,
    table: &QualifiedName,
    target: &str,
    columns: &[String],
    mut chunks: OrderedChunks<Rows>,
    mut rows_done: impl FnMut(u64),
) -> Result<(), LoadError> {
    let mut statement = tx
        .prepare(&Q.insert(target, columns, 1))
        .map_err(|e| sqlite_error(Some(table), &e, None))?;
    loop {
        let Chunk { rows, data } = match chunks.blocking_next() {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(()),
            Err(WorkerDied { rows }) => {
                return Err(LoadError::Generation {
                    table: table.to_string(),
                    message: format!("the generator thread for rows {rows:?} stopped"),
                })
            }
        };
        let converted = data.map_err(|message| {
            LoadError::Unsupported(format!(
                "{table}, rows {}..{}: {message}",
                rows.start + 1,
                rows.end
            ))
        })?;
        for (row, values) in (rows.start..).zip(converted) {
            statement
                .execute(rusqlite::params_from_iter(values))
                .map_err(|e| sqlite_error(Some(table), &e, Some(row + 1)))?;
        }
        rows_done(rows.end);
    }
}

fn refuse_non_empty(tx: &Transaction<'_>, job: &Job) -> Result<(), LoadError> {
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
    let query_error = |e: rusqlite::Error| sqlite_error(None, &e, None);
    let mut statement = tx.prepare(&probe).map_err(query_error)?;
    let found = statement
        .query_map([], |row| row.get::<_, i64>(0))
        .map_err(query_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(query_error)?;
    let tables: Vec<String> = found
        .into_iter()
        .filter_map(|i| job.plan.tables.get(i as usize))
        .map(|t| t.table.to_string())
        .collect();
    if tables.is_empty() {
        Ok(())
    } else {
        Err(LoadError::NotEmpty { tables })
    }
}

/// Fills a fixup's FK columns from a temporary table with one `UPDATE ... FROM`.
fn apply_fixup(tx: &Transaction<'_>, job: &Job, index: usize) -> Result<(), LoadError> {
    let fixup = &job.plan.fixups[index];
    let Some(table_index) = job.plan.tables.iter().position(|t| t.table == fixup.table) else {
        return Ok(());
    };
    let rows = job.plan.tables[table_index].rows;
    let table = Q.table(&fixup.table);
    let scratch = Q.table(&QualifiedName::new("temp", format!("carta_fixup_{index}")));
    let columns: Vec<String> = fixup
        .key_columns
        .iter()
        .chain(&fixup.set_columns)
        .cloned()
        .collect();
    let fixup_error = |e: rusqlite::Error| sqlite_error(Some(&fixup.table), &e, None);
    tx.execute_batch(&format!(
        "CREATE TEMP TABLE {scratch_name} AS SELECT {} FROM {table} WHERE 0",
        Q.list(&columns),
        scratch_name = Q.ident(&format!("carta_fixup_{index}"))
    ))
    .map_err(fixup_error)?;
    let kinds = column_kinds(job, table_index, &columns)?;
    let generator = job.clone();
    let chunks = OrderedChunks::spawn(rows, job.workers, move |range: Range<u64>| {
        let pairs = carta_mock::fixup_rows(&generator.plan, &generator.catalog, index, range)
            .filter(|(_, set)| set.iter().any(|v| *v != Value::Null))
            .map(|(mut key, set)| {
                key.extend(set);
                key
            });
        convert(pairs, &kinds)
    });
    insert_chunks(tx, &fixup.table, &scratch, &columns, chunks, |_| {})?;
    let assignments = fixup
        .set_columns
        .iter()
        .map(|c| format!("{0} = f.{0}", Q.ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    tx.execute_batch(&format!(
        "UPDATE {table} AS t SET {assignments} FROM {scratch} AS f WHERE {}; DROP TABLE {scratch};",
        Q.equal_columns("t", "f", &fixup.key_columns)
    ))
    .map_err(fixup_error)
}

/// `PRAGMA foreign_key_check`: any row whose parent is missing fails the load.
fn check_foreign_keys(tx: &Transaction<'_>) -> Result<(), LoadError> {
    let query_error = |e: rusqlite::Error| sqlite_error(None, &e, None);
    let mut statement = tx
        .prepare("PRAGMA foreign_key_check")
        .map_err(query_error)?;
    let mut rows = statement.query([]).map_err(query_error)?;
    match rows.next().map_err(query_error)? {
        None => Ok(()),
        Some(row) => {
            let table: String = row.get(0).map_err(query_error)?;
            let rowid: Option<i64> = row.get(1).map_err(query_error)?;
            let parent: String = row.get(2).map_err(query_error)?;
            Err(LoadError::Constraint {
                table: format!("main.{table}"),
                row: None,
                constraint: None,
                message: format!(
                    "the row with rowid {} references a missing row of {parent}",
                    rowid.map_or("(none)".into(), |r| r.to_string())
                ),
            })
        }
    }
}

/// Raises `sqlite_sequence` to at least `next - 1` for each reset.
fn reset_sequences(tx: &Transaction<'_>, job: &Job) -> Result<(), LoadError> {
    for table in &job.plan.tables {
        for reset in &table.sequences {
            let sequences = Q.table(&QualifiedName::new(&table.table.schema, "sqlite_sequence"));
            let has_sequences: bool = tx
                .query_row(
                    &format!(
                        "SELECT count(*) > 0 FROM {}.sqlite_master WHERE name = 'sqlite_sequence'",
                        Q.ident(&table.table.schema)
                    ),
                    [],
                    |row| row.get(0),
                )
                .map_err(|e| sqlite_error(Some(&table.table), &e, None))?;
            if has_sequences {
                tx.execute(
                    &format!("UPDATE {sequences} SET seq = max(seq, ?1) WHERE name = ?2"),
                    rusqlite::params![reset.next - 1, table.table.name],
                )
                .map_err(|e| sqlite_error(Some(&table.table), &e, None))?;
            }
        }
    }
    Ok(())
}

/// Constraint failures (`UNIQUE constraint failed: user.email`,
/// `CHECK constraint failed: name`) become [`LoadError::Constraint`].
fn sqlite_error(
    table: Option<&QualifiedName>,
    error: &rusqlite::Error,
    row: Option<u64>,
) -> LoadError {
    let table_name = table.map(ToString::to_string);
    match error {
        rusqlite::Error::SqliteFailure(failure, message)
            if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let message = message.clone().unwrap_or_else(|| error.to_string());
            LoadError::Constraint {
                table: table_name.unwrap_or_default(),
                row,
                constraint: message
                    .split_once("constraint failed: ")
                    .map(|(_, name)| name.to_string()),
                message,
            }
        }
        other => LoadError::Database {
            table: table_name,
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_sqlite_storage_classes() {
        assert_eq!(
            sql_value(Value::Bool(true), false),
            Ok(SqlValue::Integer(1))
        );
        assert_eq!(
            sql_value(Value::UInt(u64::MAX), false),
            Ok(SqlValue::Text(u64::MAX.to_string()))
        );
        assert_eq!(
            sql_value(Value::Date(19_782), false),
            Ok(SqlValue::Text("2024-02-29".into()))
        );
        assert_eq!(
            sql_value(Value::Uuid([1; 16]), true),
            Ok(SqlValue::Blob(vec![1; 16]))
        );
        assert!(sql_value(Value::Array(vec![]), false).is_err());
    }
}
