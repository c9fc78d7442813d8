//! What the live reader and the DDL reader share: turning the facts MySQL
//! keeps about a column or table into Catalog values, so that both sources
//! produce the same Catalog for the same schema.

use crate::expr::canonical;
use crate::lex::{quote_string, tokenize, Kind};
use crate::types::{column_type, is_textual};
use carta_catalog::{
    CheckConstraint, Column, Generated, Identity, IndexKey, LogicalType, PrimaryKey, Table,
    UniqueConstraint,
};

/// A column as either source reads it, before normalization.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawColumn {
    pub name: String,
    /// The type as written or as COLUMN_TYPE prints it.
    pub type_spelling: String,
    pub nullable: bool,
    /// The default as an SQL expression (`'abc'`, `1`, `current_timestamp()`).
    pub default: Option<String>,
    pub auto_increment: bool,
    /// Expression and whether it is stored.
    pub generated: Option<(String, bool)>,
    pub collation: Option<String>,
    pub comment: Option<String>,
}

/// The Catalog column. `table_collation` is the table's default collation:
/// a column collation equal to it is left out.
pub(crate) fn column(raw: RawColumn, table_collation: Option<&str>) -> Column {
    let ty = column_type(&raw.type_spelling);
    let collation = raw
        .collation
        .map(|c| collation_name(&c))
        .filter(|c| Some(c.as_str()) != table_collation.map(collation_name).as_deref());
    let generated = raw.generated.map(|(expression, stored)| Generated {
        expression: canonical(&expression),
        stored,
    });
    let default = if generated.is_some() || raw.auto_increment {
        None
    } else {
        raw.default
            .as_deref()
            .and_then(|d| default_value(d, &ty.logical))
    };
    Column {
        name: raw.name,
        data_type: ty.data_type,
        logical_type: ty.logical,
        nullable: raw.nullable,
        default,
        identity: raw.auto_increment.then_some(Identity::ByDefault),
        generated,
        collation: if is_textual_collated(&raw.type_spelling) {
            collation
        } else {
            None
        },
        comment: raw.comment.filter(|c| !c.is_empty()),
    }
}

/// A view's column keeps only its name, type and nullability: the server
/// reports the underlying column's default (or the type's zero) and the
/// connection's collation for it, which are not facts of the view.
pub(crate) fn view_column(column: &mut Column) {
    column.default = None;
    column.identity = None;
    column.generated = None;
    column.collation = None;
    column.comment = None;
}

/// Binary and numeric columns report no collation on the server.
fn is_textual_collated(spelling: &str) -> bool {
    let lower = spelling.to_ascii_lowercase();
    ["char", "text", "enum", "set", "json"]
        .iter()
        .any(|k| lower.contains(k))
}

/// `utf8_bin` and `utf8mb3_bin` are one collation; MariaDB prints the latter.
pub(crate) fn collation_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.strip_prefix("utf8_") {
        Some(rest) => format!("utf8mb3_{rest}"),
        None => lower,
    }
}

/// The collation a character set uses when none is named (MariaDB 10.11).
pub(crate) fn default_collation(charset: &str) -> String {
    let charset = charset.to_ascii_lowercase();
    match charset.as_str() {
        "utf8" | "utf8mb3" => "utf8mb3_general_ci".into(),
        "latin1" => "latin1_swedish_ci".into(),
        "binary" => "binary".into(),
        other => format!("{other}_general_ci"),
    }
}

/// The canonical default: an SQL expression, `None` for no default or `NULL`.
/// Numbers are bare and formatted as the server stores them for the
/// column's type; text, dates and enums are single-quoted strings.
pub(crate) fn default_value(sql: &str, logical: &LogicalType) -> Option<String> {
    let text = canonical(sql);
    if text == "null" || text.is_empty() {
        return None;
    }
    let tokens = tokenize(&text, 0);
    let literal = match tokens.as_slice() {
        [only] if matches!(only.kind, Kind::Str | Kind::Number) => Some(only.text.clone()),
        [minus, number] if minus.is_op("-") && number.kind == Kind::Number => {
            Some(format!("-{}", number.text))
        }
        _ => None,
    };
    let Some(literal) = literal else {
        return Some(text);
    };
    Some(match logical {
        LogicalType::Boolean | LogicalType::Integer { .. } => match literal.parse::<f64>() {
            Ok(n) if n.fract() == 0.0 && n.abs() < 1e18 => format!("{}", n as i64),
            _ => text,
        },
        LogicalType::Decimal { scale, .. } => match literal.parse::<f64>() {
            Ok(n) => format!("{n:.*}", scale.unwrap_or(0) as usize),
            Err(_) => text,
        },
        LogicalType::Float { .. } => match literal.parse::<f64>() {
            Ok(n) => format!("{n}"),
            Err(_) => text,
        },
        LogicalType::Timestamp { .. } if is_date_only(&literal) => {
            quote_string(&format!("{literal} 00:00:00"))
        }
        other if is_textual(other) => quote_string(&literal),
        _ => text,
    })
}

fn is_date_only(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && text.chars().filter(char::is_ascii_digit).count() == 8
}

/// Table facts both sources derive the same way once columns, indexes and
/// checks are in place:
///
/// - the primary key and unique constraints, from the `PRIMARY` and unique
///   indexes that implement them (MySQL keeps no other kind);
/// - MariaDB's JSON columns: `longtext` with the automatic column CHECK
///   `json_valid(col)` (named after the column) and `utf8mb4_bin` become
///   `json`, without that CHECK, as MySQL 8 reports them.
pub(crate) fn finish_table(table: &mut Table) {
    recognize_json(table);
    table.primary_key = None;
    table.uniques.clear();
    for index in &mut table.indexes {
        let Some(columns) = index.key_columns() else {
            continue;
        };
        let columns: Vec<String> = columns.into_iter().map(String::from).collect();
        if index.name == "PRIMARY" {
            table.primary_key = Some(PrimaryKey {
                name: Some("PRIMARY".into()),
                columns,
                comment: None,
            });
            index.constraint = Some("PRIMARY".into());
        } else if index.unique {
            table.uniques.push(UniqueConstraint {
                name: Some(index.name.clone()),
                columns,
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
                comment: None,
            });
            index.constraint = Some(index.name.clone());
        }
    }
}

fn recognize_json(table: &mut Table) {
    let mut json_checks: Vec<String> = Vec::new();
    for column in &mut table.columns {
        if column.data_type != "longtext" {
            continue;
        }
        let expected = canonical(&format!(
            "json_valid({})",
            crate::lex::quote_ident(&column.name)
        ));
        let is_json = table.checks.iter().any(|c: &CheckConstraint| {
            c.name.as_deref() == Some(column.name.as_str()) && c.expression == expected
        });
        if is_json {
            column.data_type = "json".into();
            column.logical_type = LogicalType::Json { binary: false };
            if column.collation.as_deref() == Some("utf8mb4_bin") {
                column.collation = None;
            }
            json_checks.push(column.name.clone());
        }
    }
    table
        .checks
        .retain(|c| !c.name.as_ref().is_some_and(|n| json_checks.contains(n)));
}

/// Whether an index could serve a foreign key on `columns`: its leading key
/// parts are exactly those columns, whole (no prefix), in order.
pub(crate) fn index_serves(keys: &[IndexKey], method: &str, columns: &[String]) -> bool {
    if method == "fulltext" || method == "spatial" || keys.len() < columns.len() {
        return false;
    }
    keys.iter().zip(columns).all(|(key, column)| match key {
        IndexKey::Column { name, options } => {
            name.eq_ignore_ascii_case(column) && options.prefix_length.is_none()
        }
        IndexKey::Expression { .. } => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_from_both_servers_and_ddl_agree() {
        let int = LogicalType::Integer {
            bits: 32,
            unsigned: false,
        };
        let text = LogicalType::Text {
            max_length: Some(10),
            fixed: false,
        };
        let dec = LogicalType::Decimal {
            precision: Some(10),
            scale: Some(2),
        };
        assert_eq!(default_value("'5'", &int).as_deref(), Some("5"));
        assert_eq!(default_value("-1", &int).as_deref(), Some("-1"));
        assert_eq!(default_value("NULL", &int), None);
        assert_eq!(default_value("0", &text).as_deref(), Some("'0'"));
        assert_eq!(default_value("\"it's\"", &text).as_deref(), Some("'it''s'"));
        assert_eq!(default_value("1.5", &dec).as_deref(), Some("1.50"));
        assert_eq!(
            default_value("TRUE", &LogicalType::Boolean).as_deref(),
            Some("1")
        );
        assert_eq!(
            default_value(
                "CURRENT_TIMESTAMP",
                &LogicalType::Timestamp {
                    with_time_zone: true
                }
            )
            .as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(default_value("(1+2)", &int).as_deref(), Some("1 + 2"));
    }

    #[test]
    fn collations_only_when_they_differ() {
        let raw = RawColumn {
            name: "c".into(),
            type_spelling: "varchar(5)".into(),
            nullable: true,
            collation: Some("utf8mb4_bin".into()),
            ..RawColumn::default()
        };
        assert_eq!(column(raw.clone(), Some("utf8mb4_bin")).collation, None);
        assert_eq!(
            column(raw, Some("utf8mb4_general_ci")).collation.as_deref(),
            Some("utf8mb4_bin")
        );
    }
}
