//! Writers for streamed results: CSV (RFC 4180), JSON (an array of
//! objects, or one object per line) and an aligned text table.

use std::io::Write;

use crate::rows::{Column, RowSink, Value};

/// RFC 4180: CRLF line ends; fields with a comma, quote or line break are
/// quoted, quotes doubled. NULL is an empty field.
pub struct CsvWriter<W: Write> {
    out: W,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter { out }
    }

    fn record<'a>(&mut self, fields: impl Iterator<Item = Option<&'a str>>) -> std::io::Result<()> {
        let mut line = String::new();
        for (i, field) in fields.enumerate() {
            if i > 0 {
                line.push(',');
            }
            let field = field.unwrap_or("");
            if field.contains([',', '"', '\r', '\n']) {
                line.push('"');
                line.push_str(&field.replace('"', "\"\""));
                line.push('"');
            } else {
                line.push_str(field);
            }
        }
        line.push_str("\r\n");
        self.out.write_all(line.as_bytes())
    }
}

impl<W: Write> RowSink for CsvWriter<W> {
    fn columns(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.record(columns.iter().map(|c| Some(c.name.as_str())))
    }

    fn row(&mut self, row: &[Value]) -> std::io::Result<()> {
        let texts: Vec<Option<String>> = row.iter().map(Value::to_text).collect();
        self.record(texts.iter().map(Option::as_deref))
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The JSON layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonLayout {
    /// One array of row objects.
    Array,
    /// One row object per line (NDJSON).
    Lines,
}

/// Rows as objects keyed by column name, in column order.
pub struct JsonWriter<W: Write> {
    out: W,
    layout: JsonLayout,
    names: Vec<String>,
    rows_written: u64,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W, layout: JsonLayout) -> Self {
        JsonWriter {
            out,
            layout,
            names: Vec::new(),
            rows_written: 0,
        }
    }
}

impl<W: Write> RowSink for JsonWriter<W> {
    fn columns(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.names = columns.iter().map(|c| c.name.clone()).collect();
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> std::io::Result<()> {
        let object: serde_json::Map<String, serde_json::Value> = self
            .names
            .iter()
            .cloned()
            .zip(row.iter().map(Value::to_json))
            .collect();
        let separator = match (self.layout, self.rows_written) {
            (JsonLayout::Array, 0) => "[\n",
            (JsonLayout::Array, _) => ",\n",
            (JsonLayout::Lines, _) => "",
        };
        self.out.write_all(separator.as_bytes())?;
        serde_json::to_writer(&mut self.out, &serde_json::Value::Object(object))?;
        if self.layout == JsonLayout::Lines {
            self.out.write_all(b"\n")?;
        }
        self.rows_written += 1;
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if self.layout == JsonLayout::Array {
            let close = if self.rows_written == 0 {
                "[]\n"
            } else {
                "\n]\n"
            };
            self.out.write_all(close.as_bytes())?;
        }
        self.out.flush()
    }
}

/// An aligned table, written at the end (the row cap bounds what it keeps).
pub struct TableWriter<W: Write> {
    out: W,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl<W: Write> TableWriter<W> {
    pub fn new(out: W) -> Self {
        TableWriter {
            out,
            header: Vec::new(),
            rows: Vec::new(),
        }
    }
}

/// NULL in the table, where an empty string must look different.
const NULL_TEXT: &str = "NULL";

impl<W: Write> RowSink for TableWriter<W> {
    fn columns(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.header = columns.iter().map(|c| c.name.clone()).collect();
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> std::io::Result<()> {
        self.rows.push(
            row.iter()
                .map(|v| {
                    v.to_text()
                        .map_or_else(|| NULL_TEXT.to_string(), |t| t.replace(['\r', '\n'], " "))
                })
                .collect(),
        );
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if self.header.is_empty() {
            return self.out.flush();
        }
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            format!("{}\n", padded.join(" | ").trim_end())
        };
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let mut text = line(&self.header);
        text.push_str(&format!("{}\n", rule.join("-+-")));
        for row in &self.rows {
            text.push_str(&line(row));
        }
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}
