//! SQLite: a read-only connection with `PRAGMA query_only = ON`; a
//! progress handler enforces the timeout and `interrupt()` cancels.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use carta_source::IngestError;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;

use crate::rows::{Column, Flow, RowStream, Value};
use crate::{CancelToken, CheckedStatement, Ended, Limits, QueryError};

/// Virtual machine steps between checks of the deadline.
const PROGRESS_STEPS: i32 = 1000;

/// Rows buffered between the SQLite thread and the sink.
const ROW_BUFFER: usize = 64;

enum Message {
    Columns(Vec<Column>),
    Row(Vec<Value>),
}

pub(crate) async fn run(
    path: &Path,
    checked: &CheckedStatement,
    limits: &Limits,
    cancel: &CancelToken,
    stream: &mut RowStream<'_>,
) -> Result<Ended, QueryError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| IngestError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let timed_out = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + limits.timeout;
    let flag = Arc::clone(&timed_out);
    let installed = conn.progress_handler(
        PROGRESS_STEPS,
        Some(move || {
            let late = Instant::now() >= deadline;
            if late {
                flag.store(true, Ordering::Relaxed);
            }
            late
        }),
    );
    if let Err(e) = installed {
        return Ok(Ended::Failed(e.to_string()));
    }
    let interrupt = conn.get_interrupt_handle();
    let (sender, mut receiver) = mpsc::channel(ROW_BUFFER);
    let sql = checked.sql.clone();
    let worker = tokio::task::spawn_blocking(move || execute(&conn, &sql, &sender));
    let mut cancelled = false;
    let forwarded = loop {
        tokio::select! {
            message = receiver.recv() => match message {
                Some(Message::Columns(columns)) => {
                    if let Err(e) = stream.columns(columns) {
                        break Err(e);
                    }
                }
                Some(Message::Row(row)) => match stream.accept(&row) {
                    Ok(Flow::More) => {}
                    Ok(Flow::Stop) => break Ok(Flow::Stop),
                    Err(e) => break Err(e),
                },
                None => break Ok(Flow::More),
            },
            () = cancel.cancelled() => {
                cancelled = true;
                break Ok(Flow::Stop);
            }
        }
    };
    if forwarded.as_ref().map_or(true, |flow| *flow == Flow::Stop) {
        interrupt.interrupt();
    }
    // Dropping the receiver also ends a worker blocked on a full buffer.
    drop(receiver);
    let executed = worker.await;
    forwarded?;
    if cancelled {
        return Ok(Ended::Cancelled);
    }
    Ok(match executed {
        Ok(Ok(())) => Ended::Completed { affected: None },
        Ok(Err(_)) if timed_out.load(Ordering::Relaxed) => Ended::Failed(format!(
            "canceling statement due to statement timeout ({} ms)",
            limits.timeout.as_millis()
        )),
        Ok(Err(e)) => Ended::Failed(e.to_string()),
        Err(e) => Ended::Failed(format!("the SQLite worker failed: {e}")),
    })
}

/// Runs on a blocking thread; stops quietly once nobody reads the rows.
fn execute(conn: &Connection, sql: &str, sender: &mpsc::Sender<Message>) -> rusqlite::Result<()> {
    conn.pragma_update(None, "query_only", true)?;
    // `prepare` fails on text after the first statement: a fourth check.
    let mut statement = conn.prepare(sql)?;
    let names: Vec<String> = statement.column_names().map(String::from).collect();
    let declared: Vec<Option<String>> = statement
        .columns()
        .map(|c| c.decl_type().map(str::to_ascii_lowercase))
        .collect();
    let mut rows = statement.raw_query();
    let mut announced = false;
    while let Some(row) = rows.next()? {
        let mut cells = Vec::with_capacity(names.len());
        let mut storage = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            let cell = row.get_ref(i)?;
            storage.push(storage_class(cell));
            cells.push(value(cell));
        }
        if !announced {
            announced = true;
            if sender
                .blocking_send(Message::Columns(columns(&names, &declared, &storage)))
                .is_err()
            {
                return Ok(());
            }
        }
        if sender.blocking_send(Message::Row(cells)).is_err() {
            return Ok(());
        }
    }
    if !announced {
        let unknown = vec!["null"; names.len()];
        let _ = sender.blocking_send(Message::Columns(columns(&names, &declared, &unknown)));
    }
    Ok(())
}

/// Declared types where the column has one; for expressions, the storage
/// class of the first row's value.
fn columns(names: &[String], declared: &[Option<String>], storage: &[&str]) -> Vec<Column> {
    names
        .iter()
        .zip(declared)
        .zip(storage)
        .map(|((name, declared), storage)| Column {
            name: name.clone(),
            type_name: declared.clone().unwrap_or_else(|| (*storage).to_string()),
        })
        .collect()
}

fn storage_class(cell: ValueRef<'_>) -> &'static str {
    match cell {
        ValueRef::Null => "null",
        ValueRef::Integer(_) => "integer",
        ValueRef::Real(_) => "real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "blob",
    }
}

fn value(cell: ValueRef<'_>) -> Value {
    match cell {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(text) => Value::Text(String::from_utf8_lossy(text).into_owned()),
        ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
    }
}
