//! File writers: CSV (RFC 4180), NDJSON and SQL INSERTs in the catalog's
//! dialect. They write to any `std::io::Write`; the caller opens files.

use crate::time::{write_date, write_time, write_timestamp};
use crate::values::{json_string, push_uuid, uuid_text};
use crate::{fixup_rows, rows, FileFormat, Plan, Value};
use carta_catalog::{Catalog, Dialect, Identity, QualifiedName};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::ops::Range;

/// Rows per INSERT statement and per fixup UPDATE.
const BATCH: usize = 1000;

/// Rows rendered per chunk: a multiple of [`BATCH`], so every chunk starts its own INSERT.
const CHUNK_ROWS: u64 = 16 * BATCH as u64;

pub(crate) fn write_table(
    format: FileFormat,
    catalog: &Catalog,
    plan: &Plan,
    index: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let table = plan.tables.get(index).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("no table {index} in the plan"),
        )
    })?;
    let layout = Layout::new(format, catalog, table);
    if format == FileFormat::Csv {
        let mut header = String::with_capacity(256);
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                header.push(',');
            }
            csv_field(&mut header, column);
        }
        header.push_str("\r\n");
        out.write_all(header.as_bytes())?;
    }
    // Chunks are rendered on several threads, a round at a time, and written in row order:
    // the bytes are the same as one thread's.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8)) as u64;
    let chunks = table.rows.div_ceil(CHUNK_ROWS);
    let render = |chunk: u64| {
        let start = chunk * CHUNK_ROWS;
        layout.render(
            plan,
            catalog,
            index,
            start..(start + CHUNK_ROWS).min(table.rows),
        )
    };
    let mut next = 0;
    while next < chunks {
        let round = next..(next + workers).min(chunks);
        next = round.end;
        let rendered: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = round
                .map(|chunk| scope.spawn(move || render(chunk)))
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .map_err(|_| io::Error::other("a row generator thread panicked"))
                })
                .collect::<io::Result<_>>()
        })?;
        for bytes in &rendered {
            out.write_all(bytes)?;
        }
    }
    out.flush()
}

/// What every chunk of one table's file needs: the format and, for SQL, the INSERT head.
struct Layout {
    format: FileFormat,
    dialect: Dialect,
    /// NDJSON: each column's name as a JSON string.
    keys: Vec<String>,
    /// SQL: `INSERT INTO t (...) VALUES\n`.
    head: String,
}

impl Layout {
    fn new(format: FileFormat, catalog: &Catalog, table: &crate::TablePlan) -> Layout {
        let dialect = catalog.dialect;
        let keys = table
            .columns
            .iter()
            .map(|c| {
                let mut key = String::new();
                json_string(c, &mut key);
                key
            })
            .collect();
        let overriding = dialect == Dialect::Postgres
            && catalog.table(&table.table).is_some_and(|t| {
                t.columns.iter().any(|c| {
                    c.identity == Some(Identity::Always) && table.columns.contains(&c.name)
                })
            });
        let mut head = format!("INSERT INTO {} (", table_name(dialect, &table.table));
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                head.push_str(", ");
            }
            quote_identifier(&mut head, dialect, column);
        }
        head.push(')');
        if overriding {
            head.push_str(" OVERRIDING SYSTEM VALUE");
        }
        head.push_str(" VALUES\n");
        Layout {
            format,
            dialect,
            keys,
            head,
        }
    }

    /// Rows `range` as file content; SQL statements end within the chunk.
    fn render(&self, plan: &Plan, catalog: &Catalog, index: usize, range: Range<u64>) -> Vec<u8> {
        let mut line = String::with_capacity(256 * (range.end - range.start) as usize);
        match self.format {
            FileFormat::Csv => {
                for row in rows(plan, catalog, index, range) {
                    for (i, value) in row.iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        csv_value(&mut line, value);
                    }
                    line.push_str("\r\n");
                }
            }
            FileFormat::Ndjson => {
                for row in rows(plan, catalog, index, range) {
                    line.push('{');
                    for (i, value) in row.iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        line.push_str(&self.keys[i]);
                        line.push(':');
                        json_value(&mut line, value);
                    }
                    line.push_str("}\n");
                }
            }
            FileFormat::Sql => {
                let mut in_batch = 0;
                for row in rows(plan, catalog, index, range) {
                    if in_batch == 0 {
                        line.push_str(&self.head);
                    } else {
                        line.push_str(",\n");
                    }
                    line.push('(');
                    for (i, value) in row.iter().enumerate() {
                        if i > 0 {
                            line.push_str(", ");
                        }
                        sql_literal(&mut line, self.dialect, value);
                    }
                    line.push(')');
                    in_batch += 1;
                    if in_batch == BATCH {
                        line.push_str(";\n");
                        in_batch = 0;
                    }
                }
                if in_batch > 0 {
                    line.push_str(";\n");
                }
            }
        }
        line.into_bytes()
    }
}

pub(crate) fn write_fixups_sql(
    catalog: &Catalog,
    plan: &Plan,
    out: &mut dyn Write,
) -> io::Result<()> {
    let dialect = catalog.dialect;
    let mut out = io::BufWriter::new(out);
    let mut text = String::new();
    for (index, fixup) in plan.fixups.iter().enumerate() {
        let Some(table) = plan.tables.iter().find(|t| t.table == fixup.table) else {
            continue;
        };
        let columns: Vec<&String> = fixup.key_columns.iter().chain(&fixup.set_columns).collect();
        let data_type = |column: &str| {
            catalog
                .table(&fixup.table)
                .and_then(|t| t.column(column))
                .map(|c| c.data_type.clone())
                .unwrap_or_else(|| "text".to_string())
        };
        let mut rows = fixup_rows(plan, catalog, index, 0..table.rows).peekable();
        while rows.peek().is_some() {
            text.clear();
            match dialect {
                Dialect::Postgres => {
                    // One set-based UPDATE per batch, matched on the key.
                    text.push_str("UPDATE ");
                    text.push_str(&table_name(dialect, &fixup.table));
                    text.push_str(" AS t SET ");
                    for (i, column) in fixup.set_columns.iter().enumerate() {
                        if i > 0 {
                            text.push_str(", ");
                        }
                        quote_identifier(&mut text, dialect, column);
                        text.push_str(" = CAST(v.");
                        quote_identifier(&mut text, dialect, column);
                        text.push_str(&format!(" AS {})", data_type(column)));
                    }
                    text.push_str(" FROM (VALUES\n");
                    for (n, (keys, sets)) in rows.by_ref().take(BATCH).enumerate() {
                        if n > 0 {
                            text.push_str(",\n");
                        }
                        text.push('(');
                        for (i, value) in keys.iter().chain(&sets).enumerate() {
                            if i > 0 {
                                text.push_str(", ");
                            }
                            sql_literal(&mut text, dialect, value);
                        }
                        text.push(')');
                    }
                    text.push_str(") AS v(");
                    for (i, column) in columns.iter().enumerate() {
                        if i > 0 {
                            text.push_str(", ");
                        }
                        quote_identifier(&mut text, dialect, column);
                    }
                    text.push_str(") WHERE ");
                    for (i, column) in fixup.key_columns.iter().enumerate() {
                        if i > 0 {
                            text.push_str(" AND ");
                        }
                        text.push_str("t.");
                        quote_identifier(&mut text, dialect, column);
                        text.push_str(" = CAST(v.");
                        quote_identifier(&mut text, dialect, column);
                        text.push_str(&format!(" AS {})", data_type(column)));
                    }
                    text.push_str(";\n");
                }
                Dialect::Mysql | Dialect::Sqlite => {
                    for (keys, sets) in rows.by_ref().take(BATCH) {
                        text.push_str("UPDATE ");
                        text.push_str(&table_name(dialect, &fixup.table));
                        text.push_str(" SET ");
                        assignments(&mut text, dialect, &fixup.set_columns, &sets, ", ");
                        text.push_str(" WHERE ");
                        assignments(&mut text, dialect, &fixup.key_columns, &keys, " AND ");
                        text.push_str(";\n");
                    }
                }
            }
            out.write_all(text.as_bytes())?;
        }
    }
    for table in &plan.tables {
        for reset in &table.sequences {
            text.clear();
            match dialect {
                Dialect::Postgres => {
                    let sequence = match &reset.sequence {
                        Some(sequence) => {
                            let mut name = String::new();
                            sql_string(&mut name, &table_name(dialect, sequence));
                            name
                        }
                        None => {
                            let (mut relation, mut column) = (String::new(), String::new());
                            sql_string(&mut relation, &table_name(dialect, &table.table));
                            sql_string(&mut column, &reset.column);
                            format!("pg_get_serial_sequence({relation}, {column})")
                        }
                    };
                    text.push_str(&format!(
                        "SELECT setval({sequence}, {}, false);\n",
                        reset.next
                    ));
                }
                Dialect::Mysql => {
                    text.push_str(&format!(
                        "ALTER TABLE {} AUTO_INCREMENT = {};\n",
                        table_name(dialect, &table.table),
                        reset.next
                    ));
                }
                Dialect::Sqlite => {
                    let mut name = String::new();
                    sql_string(&mut name, &table.table.name);
                    text.push_str(&format!(
                        "UPDATE sqlite_sequence SET seq = {} WHERE name = {name};\n",
                        reset.next - 1
                    ));
                }
            }
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()
}

fn assignments(
    out: &mut String,
    dialect: Dialect,
    columns: &[String],
    values: &[Value],
    separator: &str,
) {
    for (i, (column, value)) in columns.iter().zip(values).enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        quote_identifier(out, dialect, column);
        out.push_str(" = ");
        sql_literal(out, dialect, value);
    }
}

fn table_name(dialect: Dialect, table: &QualifiedName) -> String {
    let mut out = String::new();
    quote_identifier(&mut out, dialect, &table.schema);
    out.push('.');
    quote_identifier(&mut out, dialect, &table.name);
    out
}

fn quote_identifier(out: &mut String, dialect: Dialect, name: &str) {
    let quote = if dialect == Dialect::Mysql { '`' } else { '"' };
    out.push(quote);
    for c in name.chars() {
        if c == quote {
            out.push(quote);
        }
        out.push(c);
    }
    out.push(quote);
}

fn sql_string(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

/// A MySQL string: quotes doubled and backslashes escaped (the default sql_mode reads `\` as an escape).
fn mysql_string(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
}

fn push_text_literal(out: &mut String, dialect: Dialect, text: &str) {
    if dialect == Dialect::Mysql {
        mysql_string(out, text);
    } else {
        sql_string(out, text);
    }
}

pub(crate) fn sql_literal(out: &mut String, dialect: Dialect, value: &Value) {
    match value {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push_str(match (dialect, b) {
            (Dialect::Postgres, true) => "TRUE",
            (Dialect::Postgres, false) => "FALSE",
            (_, true) => "1",
            (_, false) => "0",
        }),
        Value::Int(i) => push_number(out, i),
        Value::UInt(u) => push_number(out, u),
        Value::Float(f) => push_float(out, *f),
        Value::Decimal(d) => out.push_str(d),
        Value::Text(s) | Value::Json(s) => push_text_literal(out, dialect, s),
        Value::Bytes(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            match dialect {
                Dialect::Postgres => out.push_str(&format!("'\\x{hex}'::bytea")),
                Dialect::Mysql | Dialect::Sqlite => out.push_str(&format!("X'{hex}'")),
            }
        }
        Value::Uuid(bytes) => {
            out.push('\'');
            out.push_str(&uuid_text(bytes));
            out.push('\'');
        }
        Value::Date(_) | Value::Time(_) | Value::Timestamp { .. } => {
            out.push('\'');
            temporal_text(out, value, ' ', dialect == Dialect::Postgres);
            out.push('\'');
        }
        Value::Array(items) => {
            // PostgreSQL array literal: '{"a","b"}', cast by the column on insert.
            let mut literal = String::from("{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    literal.push(',');
                }
                array_element(&mut literal, item);
            }
            literal.push('}');
            push_text_literal(out, dialect, &literal);
        }
    }
}

fn array_element(out: &mut String, value: &Value) {
    let mut text = String::new();
    match value {
        Value::Null => {
            out.push_str("NULL");
            return;
        }
        Value::Array(items) => {
            out.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                array_element(out, item);
            }
            out.push('}');
            return;
        }
        other => plain_text(&mut text, other),
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// A finite float as Rust's shortest round-trip text; others as `0`.
fn push_float(out: &mut String, f: f64) {
    if f.is_finite() {
        push_number(out, &f);
    } else {
        out.push('0');
    }
}

/// Appends a number's text in place (no temporary String; writing to a String cannot fail).
fn push_number(out: &mut String, number: &impl std::fmt::Display) {
    let _ = write!(out, "{number}");
}

/// Dates `YYYY-MM-DD`, times `HH:MM:SS[.f]`, timestamps with `separator`; `+00` (or `Z` in ISO) when zoned.
fn temporal_text(out: &mut String, value: &Value, separator: char, zone_offset: bool) {
    match value {
        Value::Date(days) => write_date(out, i64::from(*days)),
        Value::Time(micros) => write_time(out, *micros),
        Value::Timestamp {
            micros,
            with_time_zone,
        } => {
            write_timestamp(out, *micros, separator);
            if *with_time_zone && zone_offset {
                out.push_str(if separator == 'T' { "Z" } else { "+00" });
            }
        }
        _ => {}
    }
}

/// A value's plain text (CSV fields, array elements).
fn plain_text(out: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => push_number(out, i),
        Value::UInt(u) => push_number(out, u),
        Value::Float(f) => push_float(out, *f),
        Value::Decimal(s) | Value::Text(s) | Value::Json(s) => out.push_str(s),
        Value::Bytes(bytes) => {
            out.push_str("\\x");
            out.extend(bytes.iter().map(|b| format!("{b:02x}")));
        }
        Value::Uuid(bytes) => push_uuid(out, bytes),
        Value::Date(_) | Value::Time(_) | Value::Timestamp { .. } => {
            temporal_text(out, value, ' ', true)
        }
        Value::Array(items) => {
            out.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                array_element(out, item);
            }
            out.push('}');
        }
    }
}

fn csv_field(out: &mut String, text: &str) {
    // An empty string is quoted so that it differs from NULL (an empty unquoted field).
    if text.is_empty()
        || text
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push('"');
        // Split at quotes, which are doubled: the pieces between them are copied whole.
        let mut pieces = text.split('"');
        if let Some(first) = pieces.next() {
            out.push_str(first);
        }
        for piece in pieces {
            out.push_str("\"\"");
            out.push_str(piece);
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// One CSV field. Numbers, booleans, UUIDs and times never need quotes and are written in place.
fn csv_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Text(s) | Value::Json(s) | Value::Decimal(s) => csv_field(out, s),
        Value::Bool(_)
        | Value::Int(_)
        | Value::UInt(_)
        | Value::Float(_)
        | Value::Uuid(_)
        | Value::Date(_)
        | Value::Time(_)
        | Value::Timestamp { .. } => plain_text(out, value),
        Value::Bytes(_) | Value::Array(_) => {
            let mut text = String::new();
            plain_text(&mut text, value);
            csv_field(out, &text);
        }
    }
}

fn json_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => push_number(out, i),
        Value::UInt(u) => push_number(out, u),
        Value::Float(f) if f.is_finite() => push_float(out, *f),
        Value::Float(_) => out.push_str("null"),
        // Decimals stay exact: numbers in their canonical text.
        Value::Decimal(d) => out.push_str(d),
        Value::Text(s) => json_string(s, out),
        // JSON columns are embedded as JSON, not as a string.
        Value::Json(s) => out.push_str(s),
        Value::Bytes(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            json_string(&format!("\\x{hex}"), out);
        }
        Value::Uuid(bytes) => json_string(&uuid_text(bytes), out),
        Value::Date(_) | Value::Time(_) | Value::Timestamp { .. } => {
            let mut text = String::new();
            temporal_text(&mut text, value, 'T', true);
            json_string(&text, out);
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_value(out, item);
            }
            out.push(']');
        }
    }
}
