//! Column generators: planned once in `plan()`, then each value is a pure
//! function of (generators, table, column, row).

use crate::expr::{eval, Ev, Expr};
use crate::hash::{below, draw, skewed, Permutation};
use crate::semantic::{self, StoredTime};
use crate::text::{render, render_unique, truncate_at_char, Draws, TextKind};
use crate::time::{MICROS_PER_DAY, MICROS_PER_SECOND};
use crate::Value;
use carta_catalog::QualifiedName;
use std::fmt::Write as _;

#[derive(Debug, Clone)]
pub(crate) struct TableGen {
    pub name: QualifiedName,
    pub rows: u64,
    /// In `TablePlan::columns` order.
    pub columns: Vec<ColumnGen>,
}

impl TableGen {
    pub(crate) fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ColumnGen {
    pub name: String,
    pub stream: u64,
    pub nulls: Nulls,
    /// NULL unless this condition (over other columns of the row) holds.
    pub present_when: Option<Presence>,
    /// A fixup column: NULL during the load, its value set afterwards.
    pub deferred: bool,
    /// A time kept as text or epoch seconds: generated as a time, written in this form.
    pub stored: Option<StoredTime>,
    pub kind: Kind,
}

/// The NULL decision of a column: `draw < threshold` (shared by the columns of one composite FK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nulls {
    pub stream: u64,
    pub threshold: u64,
}

impl Nulls {
    pub(crate) const NEVER: Nulls = Nulls {
        stream: 0,
        threshold: 0,
    };

    pub(crate) fn ratio(stream: u64, ratio: f64) -> Nulls {
        let threshold = if ratio >= 1.0 {
            u64::MAX
        } else {
            (ratio.max(0.0) * u64::MAX as f64) as u64
        };
        Nulls { stream, threshold }
    }

    fn is_null(self, row: u64) -> bool {
        self.threshold != 0 && draw(self.stream, row, 0x6e75_6c6c) < self.threshold
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Presence {
    pub condition: Expr,
    /// Also never NULL when the condition holds (`(status = 'done') = (done_at IS NOT NULL)`).
    pub exact: bool,
}

/// The time-like or numeric type a derived (`After`) value takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar {
    Timestamp { with_time_zone: bool },
    Date,
    Int { max: i64 },
    Decimal { scale: u32, max: i128 },
    Float,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Identity, serial and integer keys: `start + row`.
    Serial {
        start: i64,
    },
    /// The referenced column's value at a chosen parent row.
    Reference {
        table: usize,
        column: usize,
        pick: Pick,
    },
    Int {
        min: i64,
        max: i64,
        skew: bool,
        unique: Option<Permutation>,
    },
    /// Fixed point: scaled by `10^scale`.
    Decimal {
        min: i128,
        max: i128,
        scale: u32,
        unique: Option<Permutation>,
    },
    Float {
        min: f64,
        max: f64,
        unique: Option<Permutation>,
    },
    Bool {
        true_ratio: f64,
    },
    Choice {
        values: Vec<Value>,
        unique: Option<Permutation>,
    },
    Text {
        kind: TextKind,
        min_len: u32,
        max_len: Option<u32>,
        unique: Option<Permutation>,
    },
    Uuid,
    Json(JsonShape),
    Timestamp {
        min: i64,
        max: i64,
        with_time_zone: bool,
        unique: Option<Permutation>,
    },
    Date {
        min: i32,
        max: i32,
        unique: Option<Permutation>,
    },
    Time,
    Interval,
    Network {
        cidr: bool,
        unique: Option<Permutation>,
    },
    MacAddress {
        unique: Option<Permutation>,
    },
    Bytes {
        min_len: u32,
        max_len: u32,
        unique: Option<Permutation>,
    },
    Array {
        element: Box<Kind>,
        max_len: u32,
    },
    Set {
        values: Vec<String>,
    },
    /// Another column of the row plus a delta in `min..=max` (seconds for times, units for numbers).
    After {
        base: Base,
        min_delta: f64,
        max_delta: f64,
        scalar: Scalar,
        /// The column's own kind, for rows whose base is NULL.
        fallback: Box<Kind>,
    },
}

/// What a derived (`After`) value is computed from.
#[derive(Debug, Clone)]
pub(crate) enum Base {
    /// Another column of the same row.
    Column(usize),
    /// A column of the parent row a foreign key picks (a child is created after its parent).
    Parent {
        table: usize,
        column: usize,
        pick: Pick,
    },
}

/// How a child row chooses its parent row.
#[derive(Debug, Clone)]
pub(crate) enum Pick {
    /// Skewed: a few parents get many children.
    Skewed {
        parents: u64,
        stream: u64,
        scramble: Permutation,
    },
    /// A self-reference: an earlier row of the same table (a forest, never a cycle).
    Earlier { stream: u64, root_null: bool },
    /// One child per parent at most (the FK columns are unique).
    Injective { perm: Permutation },
    /// One digit of a mixed-radix enumeration of several FKs' parent rows (a unique key made of FKs).
    Radix {
        perm: Permutation,
        divisor: u64,
        parents: u64,
    },
}

impl Pick {
    pub(crate) fn parent_row(&self, row: u64) -> u64 {
        match self {
            Pick::Skewed {
                parents,
                stream,
                scramble,
            } => skewed(draw(*stream, row, 1), *parents, scramble),
            Pick::Earlier { stream, .. } => {
                if row == 0 {
                    0
                } else {
                    // Mostly recent rows: a forest that grows like a real one.
                    let back = 1 + below(draw(*stream, row, 1), row.min(64));
                    row - back.min(row)
                }
            }
            Pick::Injective { perm } => perm.apply(row),
            Pick::Radix {
                perm,
                divisor,
                parents,
            } => perm.apply(row) / divisor % parents,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum JsonShape {
    Object(Vec<(String, JsonShape)>),
    Array(Box<JsonShape>, u32),
    Text(TextKind, Option<String>),
    Int(i64),
    Float { max: f64, decimals: u32 },
    Bool,
    Null,
}

/// Recursion guard for references across broken cycles.
const MAX_DEPTH: u32 = 64;

/// The value of column `column` of table `table` at `row`.
pub(crate) fn value(gens: &[TableGen], table: usize, column: usize, row: u64) -> Value {
    value_at(gens, table, column, row, 0)
}

/// The value as written: a time in its column's stored form.
fn value_at(gens: &[TableGen], table: usize, column: usize, row: u64, depth: u32) -> Value {
    let value = generated_at(gens, table, column, row, depth);
    match gens[table].columns[column].stored {
        Some(stored) => semantic::store(value, stored),
        None => value,
    }
}

/// The value as generated (times as [`Value::Timestamp`]), which derived values build on.
fn generated_at(gens: &[TableGen], table: usize, column: usize, row: u64, depth: u32) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let gen = &gens[table].columns[column];
    let mut exact = false;
    if let Some(presence) = &gen.present_when {
        let lookup = |name: &str| {
            let index = gens[table].column_index(name)?;
            Some(value_at(gens, table, index, row, depth + 1))
        };
        if eval(&presence.condition, &lookup) != Ev::Bool(true) {
            return Value::Null;
        }
        exact = presence.exact;
    }
    if !exact && gen.nulls.is_null(row) {
        return Value::Null;
    }
    kind_value(gens, table, &gen.kind, gen.stream, row, depth)
}

fn kind_value(
    gens: &[TableGen],
    table: usize,
    kind: &Kind,
    stream: u64,
    row: u64,
    depth: u32,
) -> Value {
    let mut d = Draws::new(stream, row);
    match kind {
        Kind::Serial { start } => Value::Int(start.saturating_add(row as i64)),
        // The first row of a nullable self-reference is a root.
        Kind::Reference {
            pick: Pick::Earlier {
                root_null: true, ..
            },
            ..
        } if row == 0 => Value::Null,
        Kind::Reference {
            table: parent,
            column,
            pick,
        } => value_at(gens, *parent, *column, pick.parent_row(row), depth + 1),
        Kind::Int {
            min,
            max,
            skew,
            unique,
        } => Value::Int(match unique {
            Some(perm) => min.saturating_add(perm.apply(row) as i64),
            None if *skew => {
                // Log-uniform: small values common, large ones possible.
                let span = (*max as f64 - *min as f64 + 1.0).max(1.0);
                let v = *min as f64 + span.powf(d.unit()) - 1.0;
                (v as i64).clamp(*min, *max)
            }
            None => d.range(*min, *max),
        }),
        Kind::Decimal {
            min,
            max,
            scale,
            unique,
        } => {
            let units = match unique {
                Some(perm) => min + perm.apply(row) as i128,
                None => {
                    let span = (max - min + 1).max(1) as u128;
                    min + (((u128::from(d.next()) << 64 | u128::from(d.next())) % span) as i128)
                }
            };
            Value::Decimal(decimal_text(units, *scale))
        }
        Kind::Float { min, max, unique } => Value::Float(match unique {
            Some(perm) => min + perm.apply(row) as f64,
            None => ((min + (max - min) * d.unit()) * 1000.0).round() / 1000.0,
        }),
        Kind::Bool { true_ratio } => Value::Bool(d.unit() < *true_ratio),
        Kind::Choice { values, unique } => {
            let index = match unique {
                Some(perm) => perm.apply(row) as usize,
                None => d.skewed_index(values.len()),
            };
            values[index].clone()
        }
        Kind::Text {
            kind,
            min_len,
            max_len,
            unique,
        } => {
            // Room for most names, emails and phrases without growing.
            let mut out = String::with_capacity(48);
            match unique {
                Some(perm) => render_unique(kind, perm.apply(row), &mut d, *max_len, &mut out),
                None => {
                    render(kind, &mut d, &mut out);
                    if let Some(max) = max_len {
                        let cut = truncate_at_char(&out, *max as usize).len();
                        out.truncate(cut);
                    }
                }
            }
            pad(&mut out, *min_len, unique.is_some());
            Value::Text(out)
        }
        Kind::Uuid => Value::Uuid(uuid(stream, row)),
        Kind::Json(shape) => {
            let mut out = String::with_capacity(128);
            json(shape, &mut d, &mut out);
            Value::Json(out)
        }
        Kind::Timestamp {
            min,
            max,
            with_time_zone,
            unique,
        } => {
            let micros = match unique {
                Some(perm) => min + perm.apply(row) as i64 * MICROS_PER_SECOND,
                None => {
                    d.range(*min / MICROS_PER_SECOND, *max / MICROS_PER_SECOND) * MICROS_PER_SECOND
                        + d.range(0, 999) * 1000
                }
            };
            Value::Timestamp {
                micros,
                with_time_zone: *with_time_zone,
            }
        }
        Kind::Date { min, max, unique } => Value::Date(match unique {
            Some(perm) => min + perm.apply(row) as i32,
            None => d.range(i64::from(*min), i64::from(*max)) as i32,
        }),
        Kind::Time => Value::Time(d.range(6 * 3600, 22 * 3600) * MICROS_PER_SECOND),
        Kind::Interval => {
            let (days, seconds) = (d.skewed_index(30), d.range(0, 86_399));
            let clock = format!(
                "{:02}:{:02}:{:02}",
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            );
            Value::Text(match days {
                0 => clock,
                1 => format!("1 day {clock}"),
                n => format!("{n} days {clock}"),
            })
        }
        Kind::Network { cidr, unique } => {
            let bits = match unique {
                Some(perm) => perm.apply(row) as u32,
                None => d.next() as u32,
            };
            let [a, b, c, e] = bits.to_be_bytes();
            Value::Text(match (cidr, unique.is_some()) {
                // Unique networks and addresses spell the index's bytes.
                (true, true) => format!("10.{b}.{c}.{e}/32"),
                (true, false) => format!("10.{a}.{b}.0/24"),
                (false, true) => format!("{a}.{b}.{c}.{e}"),
                (false, false) => {
                    let mut out = String::with_capacity(15);
                    crate::text::push_ipv4(&mut out, bits);
                    out
                }
            })
        }
        Kind::MacAddress { unique } => {
            let bits = match unique {
                Some(perm) => perm.apply(row),
                None => d.next(),
            };
            let b = bits.to_be_bytes();
            Value::Text(format!(
                "08:00:{:02x}:{:02x}:{:02x}:{:02x}",
                b[4], b[5], b[6], b[7]
            ))
        }
        Kind::Bytes {
            min_len,
            max_len,
            unique,
        } => {
            let mut bytes = Vec::with_capacity(*max_len as usize);
            if let Some(perm) = unique {
                // A fixed-width big-endian index first: unique by construction.
                let width = byte_width(perm.len());
                bytes.extend_from_slice(&perm.apply(row).to_be_bytes()[8 - width..]);
            }
            let len = (d.range(i64::from(*min_len), i64::from(*max_len)) as usize).max(bytes.len());
            while bytes.len() < len {
                bytes.extend_from_slice(&d.next().to_le_bytes());
            }
            bytes.truncate(len);
            Value::Bytes(bytes)
        }
        Kind::Array { element, max_len } => {
            let len = d.below(u64::from(*max_len) + 1);
            let element_stream = stream ^ 0x0061_7272_6179;
            Value::Array(
                (0..len)
                    .map(|i| kind_value(gens, table, element, element_stream ^ i, row, depth + 1))
                    .collect(),
            )
        }
        Kind::Set { values } => {
            let mask = d.next();
            let chosen: Vec<&str> = values
                .iter()
                .enumerate()
                .filter(|(i, _)| mask >> (i % 64) & 1 == 1)
                .map(|(_, v)| v.as_str())
                .collect();
            Value::Text(chosen.join(","))
        }
        Kind::After {
            base,
            min_delta,
            max_delta,
            scalar,
            fallback,
        } => {
            let base = match base {
                Base::Column(column) => generated_at(gens, table, *column, row, depth + 1),
                Base::Parent {
                    table: parent,
                    column,
                    pick,
                } => generated_at(gens, *parent, *column, pick.parent_row(row), depth + 1),
            };
            let delta = min_delta + (max_delta - min_delta) * d.unit();
            shifted(&base, delta, *scalar)
                .unwrap_or_else(|| kind_value(gens, table, fallback, stream, row, depth + 1))
        }
    }
}

/// Bytes needed to write any index below `n`.
pub(crate) fn byte_width(n: u64) -> usize {
    (64 - n.saturating_sub(1).leading_zeros())
        .div_ceil(8)
        .max(1) as usize
}

/// `base + delta` in the type `scalar`; None when the base is NULL or of another kind.
fn shifted(base: &Value, delta: f64, scalar: Scalar) -> Option<Value> {
    let base_micros = match base {
        Value::Timestamp { micros, .. } => Some(*micros),
        Value::Date(days) => Some(i64::from(*days) * MICROS_PER_DAY),
        _ => None,
    };
    let base_number = match base {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Decimal(text) => text.parse().ok(),
        _ => None,
    };
    match scalar {
        Scalar::Timestamp { with_time_zone } => Some(Value::Timestamp {
            micros: base_micros? + (delta * MICROS_PER_SECOND as f64) as i64,
            with_time_zone,
        }),
        Scalar::Date => Some(Value::Date(
            (base_micros?.div_euclid(MICROS_PER_DAY) + (delta / 86_400.0).ceil() as i64) as i32,
        )),
        Scalar::Int { max } => {
            let base = base_number?;
            Some(Value::Int(
                ((base + delta.round()) as i64)
                    .min(max)
                    .max(base.ceil() as i64),
            ))
        }
        Scalar::Decimal { scale, max } => {
            let factor = 10f64.powi(scale as i32);
            let base_units = (base_number? * factor).round() as i128;
            let units = (base_units + (delta * factor).round() as i128)
                .min(max)
                .max(base_units);
            Some(Value::Decimal(decimal_text(units, scale)))
        }
        Scalar::Float => Some(Value::Float(base_number? + delta)),
    }
}

/// Pads to `min_len` characters: unique values at the front with `0` (a
/// canonical base-36 index never starts with one), others at the end.
fn pad(out: &mut String, min_len: u32, unique: bool) {
    let missing = (min_len as usize).saturating_sub(out.chars().count());
    if missing == 0 {
        return;
    }
    if unique {
        out.insert_str(0, &"0".repeat(missing));
    } else {
        out.extend(std::iter::repeat_n('x', missing));
    }
}

/// `units / 10^scale` as canonical text with exactly `scale` decimals.
pub(crate) fn decimal_text(units: i128, scale: u32) -> String {
    let negative = units < 0;
    let digits = units.unsigned_abs().to_string();
    let scale = scale as usize;
    let mut out = String::with_capacity(digits.len() + 3);
    if negative {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(&digits);
    } else if digits.len() <= scale {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(&digits);
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A version 4 UUID whose first 48 bits and bits 52..64 are a bijection of the row: unique by construction.
fn uuid(stream: u64, row: u64) -> [u8; 16] {
    let key = crate::hash::mix(row ^ stream);
    let extra = draw(stream, row, 0x7575_6964);
    let k = key.to_be_bytes();
    let e = extra.to_be_bytes();
    [
        k[0],
        k[1],
        k[2],
        k[3],
        k[4],
        k[5],
        0x40 | (k[6] & 0x0f),
        k[7],
        0x80 | (e[0] & 0x3f),
        e[1],
        e[2],
        e[3],
        e[4],
        e[5],
        e[6],
        // The four high bits of byte 6 were replaced: carry them here.
        (k[6] >> 4) | (e[7] & 0xf0),
    ]
}

pub(crate) fn uuid_text(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    push_uuid(&mut out, bytes);
    out
}

/// Appends the hyphenated lower-case form, without allocating.
pub(crate) fn push_uuid(out: &mut String, bytes: &[u8; 16]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
}

fn json(shape: &JsonShape, d: &mut Draws, out: &mut String) {
    match shape {
        JsonShape::Object(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_string(key, out);
                out.push_str(": ");
                json(value, d, out);
            }
            out.push('}');
        }
        JsonShape::Array(element, max) => {
            out.push('[');
            for i in 0..1 + d.below(u64::from(*max)) {
                if i > 0 {
                    out.push_str(", ");
                }
                json(element, d, out);
            }
            out.push(']');
        }
        JsonShape::Text(kind, example) => {
            let mut text = String::new();
            match example {
                Some(example) if d.below(3) == 0 => text.push_str(example),
                _ => render(kind, d, &mut text),
            }
            json_string(&text, out);
        }
        JsonShape::Int(max) => out.push_str(&d.range(0, *max).to_string()),
        JsonShape::Float { max, decimals } => {
            let value = max * d.unit();
            out.push_str(&format!("{value:.*}", *decimals as usize));
        }
        JsonShape::Bool => out.push_str(if d.below(2) == 0 { "true" } else { "false" }),
        JsonShape::Null => out.push_str("null"),
    }
}

pub(crate) fn json_string(text: &str, out: &mut String) {
    out.push('"');
    // Runs of characters that need no escape are copied whole.
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            b if b < 0x20 => "",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn uuids_are_unique_and_version_4() {
        let seen: HashSet<[u8; 16]> = (0..50_000).map(|r| uuid(5, r)).collect();
        assert_eq!(seen.len(), 50_000);
        let text = uuid_text(&uuid(5, 1));
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal_text(123_450, 2), "1234.50");
        assert_eq!(decimal_text(5, 3), "0.005");
        assert_eq!(decimal_text(-5, 1), "-0.5");
        assert_eq!(decimal_text(42, 0), "42");
    }
}
