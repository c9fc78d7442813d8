//! MySQL column types: the spelling Carta records (`data_type`, as MySQL 8
//! prints it) and the normalized [`LogicalType`]. Live COLUMN_TYPE strings
//! and types written in DDL both go through [`column_type`].

use crate::lex::{quote_string, tokenize, Kind, Token};
use carta_catalog::LogicalType;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnType {
    /// e.g. `int unsigned`, `varchar(255)`, `enum('a','b')`, `tinyint(1)`.
    pub data_type: String,
    pub logical: LogicalType,
    /// `BOOLEAN`/`SERIAL` and friends imply column attributes; see [`Implied`].
    pub implied: Implied,
}

/// Column attributes implied by a type alias (`SERIAL`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Implied {
    pub not_null_auto_increment_unique: bool,
}

/// The type of a column from its MySQL spelling (COLUMN_TYPE or DDL text).
pub(crate) fn column_type(spelling: &str) -> ColumnType {
    column_type_of(&tokenize(spelling, 0))
}

/// The type of a column from the tokens of its spelling.
pub(crate) fn column_type_of(tokens: &[Token]) -> ColumnType {
    let mut words: Vec<String> = Vec::new();
    let mut params: Vec<Token> = Vec::new();
    let mut attrs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if token.kind == Kind::LParen && params.is_empty() {
            let mut depth = 0usize;
            while i < tokens.len() {
                match tokens[i].kind {
                    Kind::LParen => depth += 1,
                    Kind::RParen => depth = depth.saturating_sub(1),
                    _ => {}
                }
                params.push(tokens[i].clone());
                i += 1;
                if depth == 0 {
                    break;
                }
            }
            continue;
        }
        let word = token.text.to_ascii_lowercase();
        if params.is_empty() && attrs.is_empty() && !is_attribute(&word) {
            words.push(word);
        } else {
            attrs.push(word);
        }
        i += 1;
    }
    let name = base_name(&words.join(" "));
    let numbers: Vec<u64> = params
        .iter()
        .filter(|t| t.kind == Kind::Number)
        .filter_map(|t| t.text.parse().ok())
        .collect();
    let values: Vec<String> = params
        .iter()
        .filter(|t| t.kind == Kind::Str)
        .map(|t| t.text.clone())
        .collect();
    let unsigned = attrs.iter().any(|a| a == "unsigned");
    let zerofill = attrs.iter().any(|a| a == "zerofill");
    build(&name, &numbers, values, unsigned, zerofill)
}

fn is_attribute(word: &str) -> bool {
    matches!(word, "unsigned" | "signed" | "zerofill")
}

/// Aliases MySQL accepts, to the name it stores.
fn base_name(name: &str) -> String {
    match name {
        "integer" | "int4" => "int",
        "int1" => "tinyint",
        "bool" => "boolean",
        "int2" => "smallint",
        "int3" | "middleint" => "mediumint",
        "int8" => "bigint",
        "dec" | "numeric" | "fixed" => "decimal",
        "real" | "double precision" | "float8" => "double",
        "float4" => "float",
        "character" | "nchar" | "national char" | "national character" => "char",
        "character varying"
        | "nvarchar"
        | "national varchar"
        | "nchar varchar"
        | "national character varying"
        | "char varying" => "varchar",
        "long varchar" | "long" | "long char varying" => "mediumtext",
        "long varbinary" => "mediumblob",
        "geomcollection" => "geometrycollection",
        other => other,
    }
    .to_string()
}

fn int_bits(name: &str) -> Option<u8> {
    Some(match name {
        "tinyint" => 8,
        "smallint" => 16,
        "mediumint" => 24,
        "int" => 32,
        "bigint" => 64,
        _ => return None,
    })
}

fn build(
    name: &str,
    numbers: &[u64],
    values: Vec<String>,
    unsigned: bool,
    zerofill: bool,
) -> ColumnType {
    let sign = if unsigned || zerofill {
        " unsigned"
    } else {
        ""
    };
    let fill = if zerofill { " zerofill" } else { "" };
    let len = |n: u64| u32::try_from(n).ok();
    let simple = |data_type: &str, logical| ColumnType {
        data_type: data_type.to_string(),
        logical,
        implied: Implied::default(),
    };
    if name == "boolean" {
        return simple("tinyint(1)", LogicalType::Boolean);
    }
    if name == "serial" {
        return ColumnType {
            implied: Implied {
                not_null_auto_increment_unique: true,
            },
            ..simple(
                "bigint unsigned",
                LogicalType::Integer {
                    bits: 64,
                    unsigned: true,
                },
            )
        };
    }
    if let Some(bits) = int_bits(name) {
        // MySQL 8 prints display widths only for tinyint(1) and zerofill columns.
        let width = match numbers.first() {
            Some(1) if name == "tinyint" && !zerofill => "(1)".to_string(),
            Some(w) if zerofill => format!("({w})"),
            _ => String::new(),
        };
        let logical = if width == "(1)" && !unsigned {
            LogicalType::Boolean
        } else {
            LogicalType::Integer {
                bits,
                unsigned: unsigned || zerofill,
            }
        };
        return simple(&format!("{name}{width}{sign}{fill}"), logical);
    }
    match name {
        "decimal" => {
            let precision = numbers.first().copied().unwrap_or(10);
            let scale = numbers.get(1).copied().unwrap_or(0);
            simple(
                &format!("decimal({precision},{scale}){sign}{fill}"),
                LogicalType::Decimal {
                    precision: len(precision),
                    scale: len(scale),
                },
            )
        }
        "float" | "double" => {
            // FLOAT(p) with p > 24 is a DOUBLE; FLOAT(M,D) keeps its digits.
            let (name, params) = match numbers {
                [p] if name == "float" && *p > 24 => ("double", String::new()),
                [_] => (name, String::new()),
                [m, d] => (name, format!("({m},{d})")),
                _ => (name, String::new()),
            };
            let bits = if name == "float" { 32 } else { 64 };
            simple(
                &format!("{name}{params}{sign}{fill}"),
                LogicalType::Float { bits },
            )
        }
        "char" | "varchar" | "binary" | "varbinary" => {
            let fixed = matches!(name, "char" | "binary");
            let n = numbers.first().copied().unwrap_or(1);
            let logical = if name.ends_with("binary") {
                LogicalType::Binary { max_length: len(n) }
            } else {
                LogicalType::Text {
                    max_length: len(n),
                    fixed,
                }
            };
            simple(&format!("{name}({n})"), logical)
        }
        "tinytext" | "text" | "mediumtext" | "longtext" => simple(
            name,
            LogicalType::Text {
                max_length: Some(blob_bytes(name)),
                fixed: false,
            },
        ),
        "tinyblob" | "blob" | "mediumblob" | "longblob" => simple(
            name,
            LogicalType::Binary {
                max_length: Some(blob_bytes(name)),
            },
        ),
        "json" => simple("json", LogicalType::Json { binary: false }),
        "date" => simple("date", LogicalType::Date),
        "time" | "datetime" | "timestamp" => {
            let fsp = match numbers.first() {
                Some(0) | None => String::new(),
                Some(p) => format!("({p})"),
            };
            let logical = match name {
                "time" => LogicalType::Time {
                    with_time_zone: false,
                },
                // TIMESTAMP is stored in UTC and converted from the session's time zone.
                other => LogicalType::Timestamp {
                    with_time_zone: other == "timestamp",
                },
            };
            simple(&format!("{name}{fsp}"), logical)
        }
        "year" => simple(
            "year",
            LogicalType::Integer {
                bits: 16,
                unsigned: true,
            },
        ),
        "bit" => {
            let n = numbers.first().copied().unwrap_or(1);
            simple(&format!("bit({n})"), LogicalType::Other)
        }
        "enum" | "set" => {
            let list = values
                .iter()
                .map(|v| quote_string(v))
                .collect::<Vec<_>>()
                .join(",");
            let logical = if name == "enum" {
                LogicalType::Enum { name: None, values }
            } else {
                LogicalType::Set { values }
            };
            simple(&format!("{name}({list})"), logical)
        }
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" => simple(name, LogicalType::Geometric),
        "uuid" => simple("uuid", LogicalType::Uuid),
        "inet4" | "inet6" => simple(name, LogicalType::Network { cidr: false }),
        other => {
            let params = if numbers.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = numbers.iter().map(u64::to_string).collect();
                format!("({})", list.join(","))
            };
            simple(&format!("{other}{params}{sign}{fill}"), LogicalType::Other)
        }
    }
}

fn blob_bytes(name: &str) -> u32 {
    match name.trim_end_matches("text").trim_end_matches("blob") {
        "tiny" => 255,
        "" => 65_535,
        "medium" => 16_777_215,
        _ => u32::MAX,
    }
}

/// Whether a type stores character data (its defaults are quoted strings).
pub(crate) fn is_textual(logical: &LogicalType) -> bool {
    matches!(
        logical,
        LogicalType::Text { .. }
            | LogicalType::Enum { .. }
            | LogicalType::Set { .. }
            | LogicalType::Date
            | LogicalType::Time { .. }
            | LogicalType::Timestamp { .. }
            | LogicalType::Json { .. }
            | LogicalType::Uuid
            | LogicalType::Network { .. }
            | LogicalType::Binary { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spell(s: &str) -> String {
        column_type(s).data_type
    }

    #[test]
    fn display_widths_are_dropped_like_mysql_8() {
        assert_eq!(spell("int(10) unsigned"), "int unsigned");
        assert_eq!(spell("INT(11)"), "int");
        assert_eq!(spell("bigint(20) unsigned"), "bigint unsigned");
        assert_eq!(spell("tinyint(1)"), "tinyint(1)");
        assert_eq!(
            spell("int(5) unsigned zerofill"),
            "int(5) unsigned zerofill"
        );
        assert_eq!(spell("year(4)"), "year");
        assert_eq!(spell("INTEGER"), "int");
    }

    #[test]
    fn aliases_and_implied_lengths() {
        assert_eq!(spell("BOOLEAN"), "tinyint(1)");
        assert_eq!(spell("numeric"), "decimal(10,0)");
        assert_eq!(spell("DECIMAL(12, 2)"), "decimal(12,2)");
        assert_eq!(spell("character varying(40)"), "varchar(40)");
        assert_eq!(spell("char"), "char(1)");
        assert_eq!(spell("float(30)"), "double");
        assert_eq!(spell("datetime(0)"), "datetime");
        assert_eq!(spell("timestamp(6)"), "timestamp(6)");
        let serial = column_type("SERIAL");
        assert_eq!(serial.data_type, "bigint unsigned");
        assert!(serial.implied.not_null_auto_increment_unique);
    }

    #[test]
    fn logical_types() {
        assert_eq!(column_type("tinyint(1)").logical, LogicalType::Boolean);
        assert_eq!(
            column_type("mediumint unsigned").logical,
            LogicalType::Integer {
                bits: 24,
                unsigned: true
            }
        );
        assert_eq!(
            column_type("enum('a','b''c')").logical,
            LogicalType::Enum {
                name: None,
                values: vec!["a".into(), "b'c".into()]
            }
        );
        assert_eq!(spell("ENUM(\"a\", 'b''c')"), "enum('a','b''c')");
        assert_eq!(
            column_type("set('x','y')").logical,
            LogicalType::Set {
                values: vec!["x".into(), "y".into()]
            }
        );
        assert_eq!(
            column_type("timestamp").logical,
            LogicalType::Timestamp {
                with_time_zone: true
            }
        );
        assert_eq!(column_type("point").logical, LogicalType::Geometric);
        assert_eq!(
            column_type("varbinary(16)").logical,
            LogicalType::Binary {
                max_length: Some(16)
            }
        );
    }
}
