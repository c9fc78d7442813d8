//! PostgreSQL type names, as `format_type()` spells them, reduced to
//! [`LogicalType`]. Both readers spell types the way `format_type` does
//! (`character varying(255)`, `timestamp with time zone`, `integer[]`), so
//! this one mapping serves both.

use carta_catalog::{Catalog, Column, LogicalType, QualifiedName};
use std::collections::HashMap;

/// The logical type of a built-in type spelling. User-defined types
/// (enums, domains) come out as [`LogicalType::Other`] here and are
/// resolved by [`resolve_user_types`] once the whole Catalog is known.
pub fn logical_type(spelled: &str) -> LogicalType {
    let spelled = spelled.trim();
    if let Some(element) = spelled.strip_suffix("[]") {
        return LogicalType::Array {
            element: Box::new(logical_type(element)),
        };
    }
    let (base, modifiers) = split_modifiers(spelled);
    let first = modifiers.first().copied();
    match base {
        "boolean" => LogicalType::Boolean,
        "smallint" => int(16),
        "integer" => int(32),
        "bigint" => int(64),
        "numeric" => LogicalType::Decimal {
            precision: first,
            scale: modifiers.get(1).copied().or(first.map(|_| 0)),
        },
        "real" => LogicalType::Float { bits: 32 },
        "double precision" => LogicalType::Float { bits: 64 },
        "money" => LogicalType::Decimal {
            precision: None,
            scale: Some(2),
        },
        "text" | "name" | "citext" => LogicalType::Text {
            max_length: None,
            fixed: false,
        },
        "character varying" => LogicalType::Text {
            max_length: first,
            fixed: false,
        },
        "character" => LogicalType::Text {
            max_length: first.or(Some(1)),
            fixed: true,
        },
        "\"char\"" => LogicalType::Text {
            max_length: Some(1),
            fixed: true,
        },
        "bytea" => LogicalType::Binary { max_length: None },
        "uuid" => LogicalType::Uuid,
        "json" => LogicalType::Json { binary: false },
        "jsonb" => LogicalType::Json { binary: true },
        "date" => LogicalType::Date,
        "time without time zone" => LogicalType::Time {
            with_time_zone: false,
        },
        "time with time zone" => LogicalType::Time {
            with_time_zone: true,
        },
        "timestamp without time zone" => LogicalType::Timestamp {
            with_time_zone: false,
        },
        "timestamp with time zone" => LogicalType::Timestamp {
            with_time_zone: true,
        },
        "interval" => LogicalType::Interval,
        "inet" => LogicalType::Network { cidr: false },
        "cidr" => LogicalType::Network { cidr: true },
        "macaddr" | "macaddr8" => LogicalType::MacAddress,
        "tsvector" | "tsquery" => LogicalType::TextSearch,
        "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle" => LogicalType::Geometric,
        _ => LogicalType::Other,
    }
}

fn int(bits: u8) -> LogicalType {
    LogicalType::Integer {
        bits,
        unsigned: false,
    }
}

/// Splits `numeric(10,2)` into `numeric` and `[10, 2]`, and
/// `timestamp(3) with time zone` into `timestamp with time zone` and `[3]`.
fn split_modifiers(spelled: &str) -> (&str, Vec<u32>) {
    let Some(open) = spelled.find('(') else {
        return (spelled, Vec::new());
    };
    let Some(close) = spelled[open..].find(')').map(|i| open + i) else {
        return (spelled, Vec::new());
    };
    let modifiers = spelled[open + 1..close]
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .collect();
    let rest = spelled[close + 1..].trim();
    let base = spelled[..open].trim_end();
    match (base, rest) {
        ("timestamp", "with time zone") => ("timestamp with time zone", modifiers),
        ("timestamp", "without time zone") => ("timestamp without time zone", modifiers),
        ("time", "with time zone") => ("time with time zone", modifiers),
        ("time", "without time zone") => ("time without time zone", modifiers),
        _ => (base, modifiers),
    }
}

/// A nullable column of `data_type` with nothing else declared (a view's
/// column, a table column before its constraints are read).
pub(crate) fn plain_column(name: String, data_type: String) -> Column {
    Column {
        name,
        logical_type: logical_type(&data_type),
        data_type,
        nullable: true,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

/// Resolves columns and domains whose type is an enum or domain of this
/// Catalog: enums become [`LogicalType::Enum`] with their values, domains
/// take their base type's logical type. Type names are matched as spelled
/// (`status` for a type on the search path, `app.status` otherwise).
pub fn resolve_user_types(catalog: &mut Catalog, search_path: &[&str]) {
    let mut user_types: HashMap<String, LogicalType> = HashMap::new();
    let spellings = |schema: &str, name: &str| {
        let mut names = vec![format!("{schema}.{name}")];
        // `format_type` quotes names that need it: `"Billing"."State"`, `"Billing".kind`.
        let quoted = format!("{}.{}", quote_ident(schema), quote_ident(name));
        if quoted != names[0] {
            names.push(quoted);
        }
        if search_path.contains(&schema) {
            names.push(name.to_string());
        }
        names
    };
    for schema in &catalog.schemas {
        for e in &schema.enums {
            let logical = LogicalType::Enum {
                name: Some(QualifiedName::new(&schema.name, &e.name)),
                values: e.values.clone(),
            };
            for spelled in spellings(&schema.name, &e.name) {
                user_types.insert(spelled, logical.clone());
            }
        }
    }
    // Domains may be over enums or other domains; a few passes settle chains.
    for _ in 0..3 {
        for schema in &mut catalog.schemas {
            for d in &mut schema.domains {
                if let Some(base) = resolve(&user_types, &d.data_type) {
                    d.logical_type = base;
                }
                for spelled in spellings(&schema.name, &d.name) {
                    user_types.insert(spelled, d.logical_type.clone());
                }
            }
        }
    }
    for schema in &mut catalog.schemas {
        for table in &mut schema.tables {
            for column in &mut table.columns {
                if let Some(logical) = resolve(&user_types, &column.data_type) {
                    column.logical_type = logical;
                }
            }
        }
    }
}

fn resolve(user_types: &HashMap<String, LogicalType>, spelled: &str) -> Option<LogicalType> {
    if let Some(element) = spelled.strip_suffix("[]") {
        return resolve(user_types, element).map(|e| LogicalType::Array {
            element: Box::new(e),
        });
    }
    user_types
        .get(spelled)
        .or_else(|| user_types.get(spelled.trim_matches('"')))
        .cloned()
}

/// An identifier as PostgreSQL prints it: bare when it is lower case
/// letters, digits and underscores not starting with a digit, else in
/// double quotes with inner quotes doubled.
fn quote_ident(ident: &str) -> String {
    let plain = ident.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_type_spellings() {
        assert_eq!(
            logical_type("character varying(255)"),
            LogicalType::Text {
                max_length: Some(255),
                fixed: false
            }
        );
        assert_eq!(
            logical_type("numeric(10,2)"),
            LogicalType::Decimal {
                precision: Some(10),
                scale: Some(2)
            }
        );
        assert_eq!(
            logical_type("timestamp(3) with time zone"),
            LogicalType::Timestamp {
                with_time_zone: true
            }
        );
        assert_eq!(
            logical_type("bigint[]"),
            LogicalType::Array {
                element: Box::new(int(64))
            }
        );
        assert_eq!(logical_type("app.status"), LogicalType::Other);
    }

    #[test]
    fn user_types_resolve_in_schemas_whose_names_need_quotes() {
        let mut catalog = Catalog::new(carta_catalog::Dialect::Postgres);
        let column = |name: &str, data_type: &str| plain_column(name.into(), data_type.into());
        catalog.schemas.push(carta_catalog::Schema {
            name: "Billing".into(),
            enums: vec![
                carta_catalog::EnumType {
                    name: "State".into(),
                    values: vec!["open".into()],
                    comment: None,
                },
                carta_catalog::EnumType {
                    name: "kind".into(),
                    values: vec!["a".into()],
                    comment: None,
                },
            ],
            tables: vec![carta_catalog::Table {
                name: "Invoice".into(),
                columns: vec![
                    column("state", "\"Billing\".\"State\""),
                    column("kinds", "\"Billing\".kind[]"),
                ],
                ..carta_catalog::Table::default()
            }],
            ..carta_catalog::Schema::default()
        });
        resolve_user_types(&mut catalog, &["public"]);
        let columns = &catalog.schemas[0].tables[0].columns;
        let state = LogicalType::Enum {
            name: Some(QualifiedName::new("Billing", "State")),
            values: vec!["open".into()],
        };
        let kind = LogicalType::Enum {
            name: Some(QualifiedName::new("Billing", "kind")),
            values: vec!["a".into()],
        };
        assert_eq!(columns[0].logical_type, state);
        assert_eq!(
            columns[1].logical_type,
            LogicalType::Array {
                element: Box::new(kind)
            }
        );
    }
}
