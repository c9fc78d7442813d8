//! MySQL and MariaDB: one InnoDB transaction of prepared multi-row INSERTs.
//!
//! Foreign key and unique checks stay on: tables go in plan order (parents
//! first) and cycle-breaking FK columns stay NULL until the fixups, which
//! are `UPDATE ... JOIN` from a temporary table. The session's time zone is
//! UTC, so `TIMESTAMP` columns store the generated instants unchanged, and
//! `NO_AUTO_VALUE_ON_ZERO` keeps an explicit 0 in an AUTO_INCREMENT column.
//! `AUTO_INCREMENT` counters are moved with `ALTER TABLE` after COMMIT,
//! because `ALTER TABLE` commits implicitly; InnoDB has already moved them
//! past the inserted values, so if that step fails the loaded rows stay and
//! the error says so (the one state that is not "as before").

use crate::chunks::{Chunk, OrderedChunks, WorkerDied};
use crate::sql::Quoting;
use crate::{text, Job, LoadError, Progress};
use carta_catalog::{LogicalType, QualifiedName};
use carta_mock::Value;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, Params, Value as MyValue};
use std::ops::Range;

const Q: Quoting = Quoting::Backtick;
/// The protocol's limit on placeholders in one prepared statement.
const MAX_PLACEHOLDERS: usize = 65_535;
/// Rows per INSERT: past this, bigger statements stop paying off.
const MAX_ROWS_PER_INSERT: usize = 2_000;
/// Bytes of values per INSERT, well under the default `max_allowed_packet` (16 MiB on MariaDB).
const MAX_BYTES_PER_INSERT: usize = 4 << 20;

type Rows = Result<Vec<Vec<MyValue>>, String>;

pub(crate) async fn load(
    url: &str,
    job: &Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    let connect_error = |message: String| LoadError::Connect {
        target: carta_source::redact_url(url),
        message,
    };
    let opts = Opts::from_url(url).map_err(|e| connect_error(e.to_string()))?;
    let mut conn = Conn::new(opts)
        .await
        .map_err(|e| connect_error(e.to_string()))?;
    let result = match in_transaction(&mut conn, job, progress).await {
        Ok(tables) => move_auto_increments(&mut conn, job).await.map(|()| tables),
        Err(error) => Err(error),
    };
    let _ = conn.disconnect().await;
    result
}

async fn in_transaction(
    conn: &mut Conn,
    job: &Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    // Explicit zeros stay zeros instead of asking AUTO_INCREMENT for a value.
    let session = [
        "SET time_zone = '+00:00'",
        "SET sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')",
        "START TRANSACTION",
    ];
    for statement in session {
        conn.query_drop(statement)
            .await
            .map_err(|e| server_error(None, &e, None))?;
    }
    match load_tables(conn, job, progress).await {
        Ok(tables) => {
            conn.query_drop("COMMIT")
                .await
                .map_err(|e| server_error(None, &e, None))?;
            Ok(tables)
        }
        Err(error) => {
            let _ = conn.query_drop("ROLLBACK").await;
            Err(error)
        }
    }
}

async fn load_tables(
    conn: &mut Conn,
    job: &Job,
    progress: &dyn Progress,
) -> Result<Vec<(QualifiedName, u64)>, LoadError> {
    refuse_non_empty(conn, job).await?;
    let mut loaded = Vec::with_capacity(job.plan.tables.len());
    for (index, table) in job.plan.tables.iter().enumerate() {
        progress.table_started(&table.table, table.rows);
        let kinds = column_kinds(job, index, &table.columns)?;
        let generator = job.clone();
        let chunks = OrderedChunks::spawn(table.rows, job.workers, move |rows: Range<u64>| {
            convert(
                carta_mock::rows(&generator.plan, &generator.catalog, index, rows),
                &kinds,
            )
        });
        let target = Q.table(&table.table);
        insert_chunks(
            conn,
            &table.table,
            &target,
            &table.columns,
            chunks,
            |done| progress.rows_done(&table.table, done),
        )
        .await?;
        progress.table_finished(&table.table);
        loaded.push((table.table.clone(), table.rows));
    }
    for index in 0..job.plan.fixups.len() {
        apply_fixup(conn, job, index).await?;
    }
    Ok(loaded)
}

/// Whether each column stores a uuid as 16 bytes (`BINARY(16)`) rather than text.
fn column_kinds(job: &Job, index: usize, columns: &[String]) -> Result<Vec<bool>, LoadError> {
    let table = job.table(index)?;
    Ok(columns
        .iter()
        .map(|name| {
            table.column(name).is_some_and(|c| {
                matches!(c.logical_type, LogicalType::Binary { .. })
                    || c.data_type.to_ascii_lowercase().contains("binary")
            })
        })
        .collect())
}

fn convert(rows: impl Iterator<Item = Vec<Value>>, uuid_as_bytes: &[bool]) -> Rows {
    rows.map(|row| {
        row.into_iter()
            .zip(uuid_as_bytes)
            .map(|(value, as_bytes)| my_value(value, *as_bytes))
            .collect()
    })
    .collect()
}

fn my_value(value: Value, uuid_as_bytes: bool) -> Result<MyValue, String> {
    let date = |days: i64| {
        let (year, month, day) = text::civil_from_days(days);
        u16::try_from(year)
            .map(|year| (year, month as u8, day as u8))
            .map_err(|_| format!("year {year} is out of MySQL's range"))
    };
    Ok(match value {
        Value::Null => MyValue::NULL,
        Value::Bool(b) => MyValue::Int(i64::from(b)),
        Value::Int(i) => MyValue::Int(i),
        Value::UInt(u) => MyValue::UInt(u),
        Value::Float(f) => MyValue::Double(f),
        Value::Decimal(s) | Value::Text(s) | Value::Json(s) => MyValue::Bytes(s.into_bytes()),
        Value::Bytes(bytes) => MyValue::Bytes(bytes),
        Value::Uuid(bytes) if uuid_as_bytes => MyValue::Bytes(bytes.to_vec()),
        Value::Uuid(bytes) => MyValue::Bytes(text::uuid_string(&bytes).into_bytes()),
        Value::Date(days) => {
            let (year, month, day) = date(i64::from(days))?;
            MyValue::Date(year, month, day, 0, 0, 0, 0)
        }
        Value::Time(micros) => {
            let (hour, minute, second, micro) = text::clock(micros);
            MyValue::Time(false, 0, hour as u8, minute as u8, second as u8, micro)
        }
        Value::Timestamp { micros, .. } => {
            let (days, of_day) = text::split_micros(micros);
            let (year, month, day) = date(days)?;
            let (hour, minute, second, micro) = text::clock(of_day);
            MyValue::Date(
                year,
                month,
                day,
                hour as u8,
                minute as u8,
                second as u8,
                micro,
            )
        }
        Value::Array(_) => return Err("MySQL has no array type".into()),
    })
}

/// Sends converted chunks as multi-row INSERTs of at most
/// [`MAX_ROWS_PER_INSERT`] rows, [`MAX_PLACEHOLDERS`] values and about
/// [`MAX_BYTES_PER_INSERT`] bytes each.
async fn insert_chunks(
    conn: &mut Conn,
    table: &QualifiedName,
    target: &str,
    columns: &[String],
    mut chunks: OrderedChunks<Rows>,
    mut rows_done: impl FnMut(u64),
) -> Result<(), LoadError> {
    let rows_per_insert = (MAX_PLACEHOLDERS / columns.len().max(1)).clamp(1, MAX_ROWS_PER_INSERT);
    let mut batch = Batch {
        table,
        target,
        columns,
        rows: Vec::new(),
        bytes: 0,
        first_row: 0,
    };
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
        let converted = data.map_err(|message| {
            LoadError::Unsupported(format!(
                "{table}, rows {}..{}: {message}",
                rows.start + 1,
                rows.end
            ))
        })?;
        for row in converted {
            batch.bytes += row.iter().map(value_size).sum::<usize>();
            batch.rows.push(row);
            if batch.rows.len() >= rows_per_insert || batch.bytes >= MAX_BYTES_PER_INSERT {
                batch.send(conn).await?;
                rows_done(batch.first_row);
            }
        }
    }
    batch.send(conn).await?;
    rows_done(batch.first_row);
    Ok(())
}

fn value_size(value: &MyValue) -> usize {
    match value {
        MyValue::Bytes(bytes) => bytes.len() + 2,
        _ => 9,
    }
}

/// Rows waiting for one INSERT.
struct Batch<'a> {
    table: &'a QualifiedName,
    target: &'a str,
    columns: &'a [String],
    rows: Vec<Vec<MyValue>>,
    bytes: usize,
    /// 0-based position among the table's rows of `rows[0]`.
    first_row: u64,
}

impl Batch<'_> {
    async fn send(&mut self, conn: &mut Conn) -> Result<(), LoadError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let statement = Q.insert(self.target, self.columns, self.rows.len());
        let params = Params::Positional(self.rows.iter().flatten().cloned().collect());
        if let Err(error) = conn.exec_drop(statement, params).await {
            return Err(self.locate(conn, error).await);
        }
        self.first_row += self.rows.len() as u64;
        self.rows.clear();
        self.bytes = 0;
        Ok(())
    }

    /// After a failed INSERT (which InnoDB undid on its own), inserts the
    /// batch row by row to name the row that breaks a constraint.
    async fn locate(&self, conn: &mut Conn, batch_error: mysql_async::Error) -> LoadError {
        let first_error = server_error(Some(self.table), &batch_error, None);
        if !matches!(first_error, LoadError::Constraint { .. }) {
            return first_error;
        }
        let single = Q.insert(self.target, self.columns, 1);
        for (offset, row) in self.rows.iter().enumerate() {
            if let Err(error) = conn
                .exec_drop(&single, Params::Positional(row.clone()))
                .await
            {
                let row = self.first_row + offset as u64 + 1;
                return server_error(Some(self.table), &error, Some(row));
            }
        }
        first_error
    }
}

async fn refuse_non_empty(conn: &mut Conn, job: &Job) -> Result<(), LoadError> {
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
                "SELECT {i} FROM DUAL WHERE EXISTS (SELECT 1 FROM {})",
                Q.table(&t.table)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let found: Vec<u64> = conn
        .query(probe)
        .await
        .map_err(|e| server_error(None, &e, None))?;
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

/// Fills a fixup's FK columns from a temporary table with one `UPDATE ... JOIN`.
async fn apply_fixup(conn: &mut Conn, job: &Job, index: usize) -> Result<(), LoadError> {
    let fixup = &job.plan.fixups[index];
    let Some(table_index) = job.plan.tables.iter().position(|t| t.table == fixup.table) else {
        return Ok(());
    };
    let rows = job.plan.tables[table_index].rows;
    let table = Q.table(&fixup.table);
    let scratch = Q.table(&QualifiedName::new(
        &fixup.table.schema,
        format!("carta_fixup_{index}"),
    ));
    let columns: Vec<String> = fixup
        .key_columns
        .iter()
        .chain(&fixup.set_columns)
        .cloned()
        .collect();
    let fixup_error = |e: mysql_async::Error| server_error(Some(&fixup.table), &e, None);
    conn.query_drop(format!(
        "CREATE TEMPORARY TABLE {scratch} AS SELECT {} FROM {table} WHERE 1 = 0",
        Q.list(&columns)
    ))
    .await
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
    insert_chunks(conn, &fixup.table, &scratch, &columns, chunks, |_| {}).await?;
    let assignments = fixup
        .set_columns
        .iter()
        .map(|c| format!("t.{0} = f.{0}", Q.ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    conn.query_drop(format!(
        "UPDATE {table} AS t JOIN {scratch} AS f ON {} SET {assignments}",
        Q.equal_columns("t", "f", &fixup.key_columns)
    ))
    .await
    .map_err(fixup_error)?;
    conn.query_drop(format!("DROP TEMPORARY TABLE {scratch}"))
        .await
        .map_err(fixup_error)
}

/// `ALTER TABLE ... AUTO_INCREMENT = next` for every reset, after COMMIT.
async fn move_auto_increments(conn: &mut Conn, job: &Job) -> Result<(), LoadError> {
    for table in &job.plan.tables {
        for reset in &table.sequences {
            let statement = format!(
                "ALTER TABLE {} AUTO_INCREMENT = {}",
                Q.table(&table.table),
                reset.next
            );
            conn.query_drop(statement).await.map_err(|e| LoadError::Database {
                table: Some(table.table.to_string()),
                message: format!(
                    "the rows were loaded and committed, but moving AUTO_INCREMENT past them failed: {e}"
                ),
            })?;
        }
    }
    Ok(())
}

/// Server error codes of integrity violations: duplicate key, FK (child, parent),
/// CHECK (MySQL, MariaDB), NOT NULL.
const CONSTRAINT_CODES: &[u16] = &[1062, 1452, 1451, 3819, 4025, 1048];

fn server_error(
    table: Option<&QualifiedName>,
    error: &mysql_async::Error,
    row: Option<u64>,
) -> LoadError {
    let table_name = table.map(ToString::to_string);
    match error {
        mysql_async::Error::Server(server) if CONSTRAINT_CODES.contains(&server.code) => {
            LoadError::Constraint {
                table: table_name.unwrap_or_default(),
                row,
                constraint: constraint_name(server.code, &server.message),
                message: server.message.clone(),
            }
        }
        other => LoadError::Database {
            table: table_name,
            message: other.to_string(),
        },
    }
}

/// The constraint a server message names, e.g. ``CONSTRAINT `users_org_id_fkey` FOREIGN KEY``.
fn constraint_name(code: u16, message: &str) -> Option<String> {
    let (marker, quote) = match code {
        1062 => ("for key '", '\''),
        1452 | 1451 | 4025 => ("CONSTRAINT `", '`'),
        3819 => ("Check constraint '", '\''),
        _ => return None,
    };
    let start = message.find(marker)? + marker.len();
    let name = &message[start..start + message[start..].find(quote)?];
    // MySQL 8 spells duplicate keys as `table.key`.
    Some(name.rsplit('.').next().unwrap_or(name).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_come_from_each_message_shape() {
        assert_eq!(
            constraint_name(
                1062,
                "Duplicate entry 'a@b' for key 'users.users_email_key'"
            )
            .as_deref(),
            Some("users_email_key")
        );
        assert_eq!(
            constraint_name(
                1452,
                "Cannot add or update a child row: a foreign key constraint fails (`db`.`users`, CONSTRAINT `users_org_id_fkey` FOREIGN KEY (`org_id`) REFERENCES `orgs` (`id`))"
            )
            .as_deref(),
            Some("users_org_id_fkey")
        );
        assert_eq!(
            constraint_name(4025, "CONSTRAINT `rating_range` failed for `db`.`feedback`")
                .as_deref(),
            Some("rating_range")
        );
        assert_eq!(
            constraint_name(3819, "Check constraint 'rating_range' is violated.").as_deref(),
            Some("rating_range")
        );
        assert_eq!(constraint_name(1048, "Column 'name' cannot be null"), None);
    }

    #[test]
    fn timestamps_become_utc_datetimes() {
        let value = my_value(
            Value::Timestamp {
                micros: 1_700_000_000_123_456,
                with_time_zone: true,
            },
            false,
        )
        .unwrap();
        assert_eq!(value, MyValue::Date(2023, 11, 14, 22, 13, 20, 123_456));
        let uuid = [0xab; 16];
        assert_eq!(
            my_value(Value::Uuid(uuid), true).unwrap(),
            MyValue::Bytes(vec![0xab; 16])
        );
        assert_eq!(
            my_value(Value::Uuid(uuid), false).unwrap(),
            MyValue::Bytes(b"abababab-abab-abab-abab-abababababab".to_vec())
        );
    }
}
