//! Cells, columns and the capped stream that feeds a [`RowSink`].

use crate::{Limits, QueryError};

/// A result column: its name and the server's name for its type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Column {
    pub name: String,
    pub type_name: String,
}

/// One cell, typed as far as the server says.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    /// An exact decimal (NUMERIC, DECIMAL), kept as text so no digit is lost.
    Decimal(String),
    Text(String),
    Bytes(Vec<u8>),
    Json(serde_json::Value),
}

impl Value {
    /// What the value costs against the byte cap.
    fn size(&self) -> u64 {
        let len = match self {
            Value::Null | Value::Bool(_) => 1,
            Value::Integer(_) | Value::Float(_) => 8,
            Value::Decimal(text) | Value::Text(text) => text.len(),
            Value::Bytes(bytes) => bytes.len(),
            Value::Json(json) => json.to_string().len(),
        };
        len as u64
    }

    /// The value as text, `None` for NULL; bytes in PostgreSQL's hex form.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(b) => b.to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Decimal(text) | Value::Text(text) => text.clone(),
            Value::Bytes(bytes) => hex(bytes),
            Value::Json(json) => json.to_string(),
        })
    }

    /// The value as JSON: decimals as strings (exact), bytes as hex text.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Integer(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| f.to_string().into(), serde_json::Value::Number),
            Value::Decimal(text) | Value::Text(text) => text.clone().into(),
            Value::Bytes(bytes) => hex(bytes).into(),
            Value::Json(json) => json.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("\\x");
    for byte in bytes {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// Receives a result as it streams: the columns once, then each row, then
/// `finish` (also after a failure, so formats can close their brackets).
pub trait RowSink {
    fn columns(&mut self, columns: &[Column]) -> std::io::Result<()>;
    fn row(&mut self, row: &[Value]) -> std::io::Result<()>;
    fn finish(&mut self) -> std::io::Result<()>;
}

/// Whether an engine should keep reading rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    More,
    Stop,
}

/// What the stream saw, for the [`crate::Execution`].
pub(crate) struct Summary {
    pub columns: Vec<Column>,
    pub row_count: u64,
    pub truncated: bool,
}

/// Applies the row and byte caps between an engine and the sink.
pub(crate) struct RowStream<'a> {
    sink: &'a mut (dyn RowSink + Send),
    max_rows: u64,
    max_bytes: u64,
    columns: Vec<Column>,
    row_count: u64,
    bytes: u64,
    truncated: bool,
}

impl<'a> RowStream<'a> {
    pub(crate) fn new(sink: &'a mut (dyn RowSink + Send), limits: &Limits) -> Self {
        RowStream {
            sink,
            max_rows: limits.max_rows,
            max_bytes: limits.max_bytes,
            columns: Vec::new(),
            row_count: 0,
            bytes: 0,
            truncated: false,
        }
    }

    pub(crate) fn columns(&mut self, columns: Vec<Column>) -> Result<(), QueryError> {
        self.sink.columns(&columns).map_err(QueryError::Output)?;
        self.columns = columns;
        Ok(())
    }

    /// Passes `row` on unless it would break a cap; then the result is
    /// truncated and the engine should stop reading.
    pub(crate) fn accept(&mut self, row: &[Value]) -> Result<Flow, QueryError> {
        let size: u64 = row.iter().map(Value::size).sum();
        if self.row_count >= self.max_rows || self.bytes + size > self.max_bytes {
            self.truncated = true;
            return Ok(Flow::Stop);
        }
        self.sink.row(row).map_err(QueryError::Output)?;
        self.row_count += 1;
        self.bytes += size;
        Ok(Flow::More)
    }

    pub(crate) fn finish(self) -> Result<Summary, QueryError> {
        self.sink.finish().map_err(QueryError::Output)?;
        Ok(Summary {
            columns: self.columns,
            row_count: self.row_count,
            truncated: self.truncated,
        })
    }
}
