//! The bytes of `COPY ... FROM STDIN`, binary or text.
//!
//! Binary COPY is used when every column's type (a domain counts as its base
//! type) has an encoding here: booleans, integers, floats, numeric, the
//! character types, enums (sent as their label), bytea, uuid, json, jsonb,
//! date, time, timestamps, inet and cidr. The server then skips parsing text, which is
//! most of its CPU cost for timestamps, uuids and numbers. A table with any
//! other type (interval, macaddr, arrays, ranges, ...) is sent in text format,
//! which every type reads through its input function.

use crate::text;
use carta_mock::Value;
use std::fmt::Write;

/// `PGCOPY\n\377\r\n\0`, then no flags and no header extension.
const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// A field count of -1 ends binary COPY data.
const BINARY_TRAILER: &[u8] = &[0xff, 0xff];

/// Microseconds and days from 1970-01-01 (Carta's epoch) to 2000-01-01 (PostgreSQL's).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const PG_EPOCH_DAYS: i32 = 10_957;

/// How one column's values travel in binary COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    /// text, varchar, char, name and enum labels: the UTF-8 bytes.
    Text,
    Bytea,
    Uuid,
    Json,
    Jsonb,
    Date,
    Time,
    /// timestamp and timestamptz share the encoding (microseconds since 2000, UTC for timestamptz).
    Timestamp,
    /// inet and cidr: family, prefix bits, the cidr flag and the address bytes.
    Inet {
        cidr: bool,
    },
}

impl Codec {
    /// The codec of a type with OID `oid` and `pg_type.typtype` `typtype`, if it has one.
    pub fn for_type(oid: u32, typtype: &str) -> Option<Codec> {
        if typtype == "e" {
            return Some(Codec::Text);
        }
        Some(match oid {
            16 => Codec::Bool,
            17 => Codec::Bytea,
            19 | 25 | 1042 | 1043 => Codec::Text,
            20 => Codec::Int8,
            21 => Codec::Int2,
            23 => Codec::Int4,
            114 => Codec::Json,
            700 => Codec::Float4,
            701 => Codec::Float8,
            1082 => Codec::Date,
            1083 => Codec::Time,
            1114 | 1184 => Codec::Timestamp,
            1700 => Codec::Numeric,
            2950 => Codec::Uuid,
            3802 => Codec::Jsonb,
            869 => Codec::Inet { cidr: false },
            650 => Codec::Inet { cidr: true },
            _ => return None,
        })
    }
}

/// A value that cannot be sent to its column.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeError {
    /// 0-based position of the row in the encoded batch.
    pub row: u64,
    /// 0-based position of the column in the COPY column list.
    pub column: usize,
    pub message: String,
}

/// The COPY format of one table.
#[derive(Debug, Clone, PartialEq)]
pub enum CopyFormat {
    /// One codec per copied column.
    Binary(Vec<Codec>),
    Text,
}

impl CopyFormat {
    /// Binary when every column has a codec, else text.
    pub fn choose(codecs: Vec<Option<Codec>>) -> CopyFormat {
        codecs
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map_or(CopyFormat::Text, CopyFormat::Binary)
    }

    /// `COPY table (columns) FROM STDIN ...`; `table` and `columns` already quoted.
    pub fn statement(&self, table: &str, columns: &str) -> String {
        let format = match self {
            CopyFormat::Binary(_) => "binary",
            CopyFormat::Text => "text",
        };
        format!("COPY {table} ({columns}) FROM STDIN (FORMAT {format})")
    }

    pub fn header(&self) -> &'static [u8] {
        match self {
            CopyFormat::Binary(_) => BINARY_HEADER,
            CopyFormat::Text => b"",
        }
    }

    pub fn trailer(&self) -> &'static [u8] {
        match self {
            CopyFormat::Binary(_) => BINARY_TRAILER,
            CopyFormat::Text => b"",
        }
    }

    /// Appends `rows` to `out` in this format.
    pub fn encode_rows(
        &self,
        rows: impl Iterator<Item = Vec<Value>>,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let mut line = String::new();
        for (row, values) in rows.enumerate() {
            let at = |column: usize| {
                move |message: String| EncodeError {
                    row: row as u64,
                    column,
                    message,
                }
            };
            match self {
                CopyFormat::Binary(codecs) => {
                    let count = i16::try_from(values.len())
                        .map_err(|_| at(0)("more than 32767 columns".into()))?;
                    out.extend_from_slice(&count.to_be_bytes());
                    for (column, (codec, value)) in codecs.iter().zip(&values).enumerate() {
                        encode_binary(*codec, value, out).map_err(at(column))?;
                    }
                }
                CopyFormat::Text => {
                    line.clear();
                    for (column, value) in values.iter().enumerate() {
                        if column > 0 {
                            line.push('\t');
                        }
                        encode_text(value, &mut line);
                    }
                    line.push('\n');
                    out.extend_from_slice(line.as_bytes());
                }
            }
        }
        Ok(())
    }
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), String> {
    let length = i32::try_from(bytes.len()).map_err(|_| "value longer than 2 GiB".to_string())?;
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

fn narrow<T: TryFrom<i64>>(value: i64, codec: Codec) -> Result<T, String> {
    T::try_from(value).map_err(|_| format!("{value} is out of range for {codec:?}"))
}

fn encode_binary(codec: Codec, value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    match (codec, value) {
        (_, Value::Null) => {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            Ok(())
        }
        (Codec::Bool, Value::Bool(b)) => field(out, &[u8::from(*b)]),
        (Codec::Int2, Value::Int(i)) => field(out, &narrow::<i16>(*i, codec)?.to_be_bytes()),
        (Codec::Int4, Value::Int(i)) => field(out, &narrow::<i32>(*i, codec)?.to_be_bytes()),
        (Codec::Int8, Value::Int(i)) => field(out, &i.to_be_bytes()),
        (Codec::Int8, Value::UInt(u)) => {
            let i = i64::try_from(*u).map_err(|_| format!("{u} is out of range for bigint"))?;
            field(out, &i.to_be_bytes())
        }
        (Codec::Float4, Value::Float(f)) => field(out, &(*f as f32).to_be_bytes()),
        (Codec::Float4, Value::Int(i)) => field(out, &(*i as f32).to_be_bytes()),
        (Codec::Float8, Value::Float(f)) => field(out, &f.to_be_bytes()),
        (Codec::Float8, Value::Int(i)) => field(out, &(*i as f64).to_be_bytes()),
        (Codec::Numeric, Value::Decimal(text)) => numeric(text, out),
        (Codec::Numeric, Value::Int(i)) => numeric(&i.to_string(), out),
        (Codec::Numeric, Value::UInt(u)) => numeric(&u.to_string(), out),
        (Codec::Text, Value::Text(s) | Value::Decimal(s) | Value::Json(s)) => {
            field(out, s.as_bytes())
        }
        (Codec::Text, Value::Uuid(bytes)) => field(out, text::uuid_string(bytes).as_bytes()),
        (Codec::Bytea, Value::Bytes(bytes)) => field(out, bytes),
        (Codec::Uuid, Value::Uuid(bytes)) => field(out, bytes),
        (Codec::Json, Value::Json(s) | Value::Text(s)) => field(out, s.as_bytes()),
        (Codec::Jsonb, Value::Json(s) | Value::Text(s)) => {
            // jsonb's binary form is a version byte (1) and the JSON text.
            let mut bytes = Vec::with_capacity(s.len() + 1);
            bytes.push(1);
            bytes.extend_from_slice(s.as_bytes());
            field(out, &bytes)
        }
        (Codec::Date, Value::Date(days)) => {
            let days = days
                .checked_sub(PG_EPOCH_DAYS)
                .ok_or_else(|| format!("date {days} is out of range"))?;
            field(out, &days.to_be_bytes())
        }
        (Codec::Time, Value::Time(micros)) => field(out, &micros.to_be_bytes()),
        (Codec::Timestamp, Value::Timestamp { micros, .. }) => {
            let micros = micros
                .checked_sub(PG_EPOCH_MICROS)
                .ok_or_else(|| format!("timestamp {micros} is out of range"))?;
            field(out, &micros.to_be_bytes())
        }
        (Codec::Inet { cidr }, Value::Text(address)) => inet(address, cidr, out),
        (codec, value) => Err(format!("cannot send {value:?} as {codec:?}")),
    }
}

/// `10.0.0.1`, `10.0.0.0/8` or `::1/128` in inet's binary form.
fn inet(text: &str, cidr: bool, out: &mut Vec<u8>) -> Result<(), String> {
    // PostgreSQL's own address family numbers, not the operating system's.
    const PGSQL_AF_INET: u8 = 2;
    const PGSQL_AF_INET6: u8 = 3;
    let invalid = || format!("`{text}` is not an IP address");
    let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
    let address: std::net::IpAddr = address.trim().parse().map_err(|_| invalid())?;
    let (family, bytes, max_bits) = match address {
        std::net::IpAddr::V4(v4) => (PGSQL_AF_INET, v4.octets().to_vec(), 32),
        std::net::IpAddr::V6(v6) => (PGSQL_AF_INET6, v6.octets().to_vec(), 128),
    };
    let bits = if prefix.is_empty() {
        max_bits
    } else {
        prefix.trim().parse::<u8>().map_err(|_| invalid())?
    };
    if bits > max_bits {
        return Err(invalid());
    }
    let mut encoded = vec![family, bits, u8::from(cidr), bytes.len() as u8];
    encoded.extend_from_slice(&bytes);
    field(out, &encoded)
}

/// PostgreSQL's binary numeric: digit count, weight, sign and display scale
/// (u16 each) and base-10000 digits, most significant first.
fn numeric(decimal: &str, out: &mut Vec<u8>) -> Result<(), String> {
    const POSITIVE: u16 = 0x0000;
    const NEGATIVE: u16 = 0x4000;
    let invalid = || format!("`{decimal}` is not a decimal number");
    let trimmed = decimal.trim();
    if trimmed.eq_ignore_ascii_case("nan") {
        // No digits, weight 0, the NaN sign, scale 0.
        return field(out, &[0, 0, 0, 0, 0xC0, 0x00, 0, 0]);
    }
    let (negative, unsigned) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (integer.is_empty() && fraction.is_empty()) || !all_digits(integer) || !all_digits(fraction)
    {
        return Err(invalid());
    }
    let integer = integer.trim_start_matches('0');
    let scale = u16::try_from(fraction.len()).map_err(|_| invalid())?;
    // Pad the integer part on the left and the fraction on the right to whole groups of four.
    let integer_pad = (4 - integer.len() % 4) % 4;
    let fraction_pad = (4 - fraction.len() % 4) % 4;
    let padded: Vec<u8> = std::iter::repeat_n(b'0', integer_pad)
        .chain(integer.bytes())
        .chain(fraction.bytes())
        .chain(std::iter::repeat_n(b'0', fraction_pad))
        .collect();
    let mut groups: Vec<u16> = padded
        .chunks(4)
        .map(|g| g.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')))
        .collect();
    let integer_groups = (integer_pad + integer.len()) / 4;
    let mut weight = i64::try_from(integer_groups).map_err(|_| invalid())? - 1;
    let leading_zeros = groups.iter().take_while(|g| **g == 0).count();
    groups.drain(..leading_zeros);
    weight -= leading_zeros as i64;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    let (weight, sign) = if groups.is_empty() {
        (0, POSITIVE)
    } else {
        (weight, if negative { NEGATIVE } else { POSITIVE })
    };
    let count = i16::try_from(groups.len()).map_err(|_| invalid())?;
    let weight = i16::try_from(weight).map_err(|_| invalid())?;
    let mut bytes = Vec::with_capacity(8 + 2 * groups.len());
    bytes.extend_from_slice(&count.to_be_bytes());
    bytes.extend_from_slice(&weight.to_be_bytes());
    bytes.extend_from_slice(&sign.to_be_bytes());
    bytes.extend_from_slice(&scale.to_be_bytes());
    for group in groups {
        bytes.extend_from_slice(&group.to_be_bytes());
    }
    field(out, &bytes)
}

/// One field of text COPY: `\N` for NULL, the type's text form otherwise,
/// with backslash, tab, newline and carriage return escaped.
fn encode_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("\\N"),
        Value::Text(s) | Value::Decimal(s) | Value::Json(s) => escape_copy(s, out),
        Value::Bytes(_) | Value::Array(_) => {
            let mut literal = String::new();
            type_text(value, &mut literal);
            escape_copy(&literal, out);
        }
        scalar => type_text(scalar, out),
    }
}

/// The text a type's input function reads, before COPY escaping.
fn type_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::UInt(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) if f.is_nan() => out.push_str("NaN"),
        Value::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Value::Text(s) | Value::Decimal(s) | Value::Json(s) => out.push_str(s),
        Value::Bytes(bytes) => {
            out.push_str("\\x");
            for byte in bytes {
                let _ = write!(out, "{byte:02x}");
            }
        }
        Value::Uuid(bytes) => text::write_uuid(out, bytes),
        Value::Date(days) => text::write_date(out, i64::from(*days)),
        Value::Time(micros) => text::write_time(out, *micros),
        Value::Timestamp {
            micros,
            with_time_zone,
        } => {
            text::write_timestamp(out, *micros);
            if *with_time_zone {
                out.push_str("+00");
            }
        }
        Value::Array(elements) => array_literal(elements, out),
    }
}

/// `{"a","b",NULL}`: every element quoted, nested arrays as nested braces.
fn array_literal(elements: &[Value], out: &mut String) {
    out.push('{');
    for (i, element) in elements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match element {
            Value::Null => out.push_str("NULL"),
            Value::Array(inner) => array_literal(inner, out),
            scalar => {
                let mut item = String::new();
                type_text(scalar, &mut item);
                out.push('"');
                for c in item.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
        }
    }
    out.push('}');
}

fn escape_copy(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(decimal: &str) -> Vec<u8> {
        let mut out = Vec::new();
        numeric(decimal, &mut out).unwrap();
        out[4..].to_vec()
    }

    fn words(bytes: &[u8]) -> Vec<i16> {
        bytes
            .chunks(2)
            .map(|w| i16::from_be_bytes([w[0], w[1]]))
            .collect()
    }

    #[test]
    fn numeric_groups_digits_in_base_10000_around_the_point() {
        // 1234.50: digits [1234, 5000], weight 0, scale 2.
        assert_eq!(
            words(&numeric_bytes("1234.50")),
            vec![2, 0, 0, 2, 1234, 5000]
        );
        // 12345678.9: [1234, 5678, 9000], weight 1.
        assert_eq!(
            words(&numeric_bytes("-12345678.9")),
            vec![3, 1, 0x4000, 1, 1234, 5678, 9000]
        );
        // 0.0001: one digit at weight -1.
        assert_eq!(words(&numeric_bytes("0.0001")), vec![1, -1, 0, 4, 1]);
        // 0.00001: weight -2 after the leading zero group is dropped.
        assert_eq!(words(&numeric_bytes("0.00001")), vec![1, -2, 0, 5, 1000]);
        assert_eq!(words(&numeric_bytes("10000")), vec![1, 1, 0, 0, 1]);
        assert_eq!(words(&numeric_bytes("-0.00")), vec![0, 0, 0, 2]);
    }

    #[test]
    fn numeric_rejects_what_is_not_a_number() {
        for bad in ["", ".", "1e5", "12a", "--1"] {
            assert!(numeric(bad, &mut Vec::new()).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_copy_escapes_and_spells_every_kind() {
        let row = vec![
            Value::Null,
            Value::Text("a\tb\\c\nd".into()),
            Value::Bytes(vec![0xde, 0xad]),
            Value::Bool(true),
            Value::Timestamp {
                micros: 0,
                with_time_zone: true,
            },
            Value::Array(vec![Value::Text("x\"y".into()), Value::Null, Value::Int(3)]),
        ];
        let mut out = Vec::new();
        CopyFormat::Text
            .encode_rows(std::iter::once(row), &mut out)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\\N\ta\\tb\\\\c\\nd\t\\\\xdead\tt\t1970-01-01 00:00:00+00\t{\"x\\\\\"y\",NULL,\"3\"}\n"
        );
    }

    #[test]
    fn binary_rejects_a_value_its_column_cannot_hold() {
        let format = CopyFormat::Binary(vec![Codec::Int8, Codec::Int2]);
        let rows = vec![
            vec![Value::Int(1), Value::Int(2)],
            vec![Value::Int(1), Value::Int(70_000)],
        ];
        let error = format
            .encode_rows(rows.into_iter(), &mut Vec::new())
            .unwrap_err();
        assert_eq!((error.row, error.column), (1, 1));
        assert!(error.message.contains("70000"), "{}", error.message);
    }
}
