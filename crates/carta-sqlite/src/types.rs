//! Logical types of SQLite declared types.
//!
//! SQLite stores any declared type name and derives a storage affinity from
//! it (<https://sqlite.org/datatype3.html#determination_of_column_affinity>).
//! The affinity alone loses what the author meant (`BOOLEAN`, `DATETIME` and
//! `NUMERIC(10,2)` all have NUMERIC affinity), so well-known names are
//! recognized first and the affinity rules decide the rest. The table is in
//! `docs/catalog-format-sqlite.md`.

use carta_catalog::LogicalType;

/// The logical type of a column declared as `declared` (any spelling, any case).
pub fn logical_type(declared: &str) -> LogicalType {
    let upper = declared.to_ascii_uppercase();
    let (base, args) = split_arguments(&upper);
    let unsigned = base.split(' ').any(|word| word == "UNSIGNED");
    let name = base
        .split(' ')
        .filter(|word| *word != "UNSIGNED")
        .collect::<Vec<_>>()
        .join(" ");
    let first = args.first().copied();
    let integer = |bits| LogicalType::Integer { bits, unsigned };
    let text = |fixed| LogicalType::Text {
        max_length: first,
        fixed,
    };
    match name.as_str() {
        // No declared type, or STRICT's ANY: the column holds any value as given.
        "" | "ANY" => LogicalType::Other,
        "BOOLEAN" | "BOOL" => LogicalType::Boolean,
        "TINYINT" => integer(8),
        "SMALLINT" | "INT2" => integer(16),
        "MEDIUMINT" => integer(24),
        "INT4" => integer(32),
        // SQLite integers are 64-bit whatever the name; only explicit narrow names narrow them.
        "INTEGER" | "INT" | "BIGINT" | "INT8" | "BIG INT" => integer(64),
        "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" | "FLOAT8" => {
            LogicalType::Float { bits: 64 }
        }
        "FLOAT4" => LogicalType::Float { bits: 32 },
        "DECIMAL" | "NUMERIC" => LogicalType::Decimal {
            precision: first,
            scale: args.get(1).copied(),
        },
        "TEXT"
        | "CLOB"
        | "VARCHAR"
        | "CHARACTER VARYING"
        | "VARYING CHARACTER"
        | "NVARCHAR"
        | "NATIVE VARYING CHARACTER" => text(false),
        "CHAR" | "CHARACTER" | "NCHAR" | "NATIVE CHARACTER" => text(true),
        "BLOB" | "BYTEA" | "BINARY" | "VARBINARY" => LogicalType::Binary { max_length: first },
        "DATE" => LogicalType::Date,
        "DATETIME" | "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => LogicalType::Timestamp {
            with_time_zone: false,
        },
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => LogicalType::Timestamp {
            with_time_zone: true,
        },
        "TIME" | "TIME WITHOUT TIME ZONE" => LogicalType::Time {
            with_time_zone: false,
        },
        "TIMETZ" | "TIME WITH TIME ZONE" => LogicalType::Time {
            with_time_zone: true,
        },
        "INTERVAL" => LogicalType::Interval,
        "UUID" => LogicalType::Uuid,
        "JSON" => LogicalType::Json { binary: false },
        "JSONB" => LogicalType::Json { binary: true },
        _ => by_affinity(&name, first, unsigned),
    }
}

/// SQLite's affinity rules, in SQLite's order, for names not recognized above.
fn by_affinity(name: &str, first: Option<u32>, unsigned: bool) -> LogicalType {
    if name.contains("INT") {
        LogicalType::Integer { bits: 64, unsigned }
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|n| name.contains(n)) {
        LogicalType::Text {
            max_length: first,
            fixed: false,
        }
    } else if name.contains("BLOB") {
        LogicalType::Binary { max_length: first }
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|n| name.contains(n)) {
        LogicalType::Float { bits: 64 }
    } else {
        // NUMERIC affinity under a name that means nothing to SQLite (`STRING`,
        // `MONEY`): SQLite turns numeric-looking text into numbers and keeps
        // the rest, so the values are untyped.
        LogicalType::Other
    }
}

/// `"VARCHAR ( 255 )"` into `("VARCHAR", [255])`, with runs of spaces in the
/// name collapsed. Arguments that are not plain non-negative integers are dropped.
fn split_arguments(upper: &str) -> (String, Vec<u32>) {
    let (name, rest) = match upper.find('(') {
        Some(open) => (&upper[..open], &upper[open + 1..]),
        None => (upper, ""),
    };
    let inner = rest.split(')').next().unwrap_or_default();
    let args = inner
        .split(',')
        .filter_map(|arg| arg.trim().trim_start_matches('+').parse::<u32>().ok())
        .collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (name, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_names_refine_affinity() {
        let cases = [
            (
                "VARCHAR( 255 )",
                LogicalType::Text {
                    max_length: Some(255),
                    fixed: false,
                },
            ),
            (
                "character(2)",
                LogicalType::Text {
                    max_length: Some(2),
                    fixed: true,
                },
            ),
            ("boolean", LogicalType::Boolean),
            (
                "DATETIME",
                LogicalType::Timestamp {
                    with_time_zone: false,
                },
            ),
            (
                "numeric(10, 2)",
                LogicalType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
            ),
            (
                "INTEGER",
                LogicalType::Integer {
                    bits: 64,
                    unsigned: false,
                },
            ),
            (
                "UNSIGNED BIG INT",
                LogicalType::Integer {
                    bits: 64,
                    unsigned: true,
                },
            ),
            (
                "smallint unsigned",
                LogicalType::Integer {
                    bits: 16,
                    unsigned: true,
                },
            ),
            ("BLOB", LogicalType::Binary { max_length: None }),
            ("json", LogicalType::Json { binary: false }),
            ("uuid", LogicalType::Uuid),
            ("", LogicalType::Other),
            // Affinity rules for everything else, including their famous surprises.
            (
                "POINT",
                LogicalType::Integer {
                    bits: 64,
                    unsigned: false,
                },
            ),
            (
                "LONGTEXT",
                LogicalType::Text {
                    max_length: None,
                    fixed: false,
                },
            ),
            (
                "FLOATING POINT",
                LogicalType::Integer {
                    bits: 64,
                    unsigned: false,
                },
            ),
            ("DOUBLE(8)", LogicalType::Float { bits: 64 }),
            ("STRING", LogicalType::Other),
        ];
        for (declared, expected) in cases {
            assert_eq!(logical_type(declared), expected, "{declared}");
        }
    }
}
