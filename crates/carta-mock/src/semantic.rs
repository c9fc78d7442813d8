//! What a column holds when its declared type says less than its name,
//! default and CHECKs: SQLite keeps times and JSON in TEXT (or times in
//! INTEGER seconds), MySQL and MariaDB keep UUIDs in CHAR(36) and JSON in
//! LONGTEXT checked with `json_valid`. The generator then plans by meaning
//! (a timestamp ordered after `created_at`, a JSON object, a UUID) and only
//! the written value takes the column's storage form.

use crate::constraints::Facts;
use crate::time::{write_date, write_time, MICROS_PER_DAY, MICROS_PER_SECOND};
use crate::Value;
use carta_catalog::{Column, LogicalType};

/// How a time generated as a [`Value::Timestamp`] or [`Value::Date`] is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredTime {
    /// Text that sorts like the time: `2024-05-01T12:34:56.789Z` or `2024-05-01 12:34:56`.
    Text(TimeText),
    /// Text `YYYY-MM-DD`.
    DateText,
    /// Seconds since 1970-01-01 (`unixepoch()`, `strftime('%s')`).
    EpochSeconds,
}

/// The spelling of a text timestamp, taken from the column's default (or its table's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeText {
    /// `'T'` (ISO 8601) or `' '` (SQL, SQLite's `CURRENT_TIMESTAMP`).
    pub separator: char,
    /// Three decimals of seconds (`%f` in a strftime format).
    pub millis: bool,
    /// A trailing `Z`.
    pub zulu: bool,
}

impl TimeText {
    /// `2024-05-01T12:34:56.789Z`, what `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` writes.
    pub(crate) const ISO: TimeText = TimeText {
        separator: 'T',
        millis: true,
        zulu: true,
    };
    /// `2024-05-01 12:34:56`, what SQLite's `CURRENT_TIMESTAMP` and `datetime('now')` write.
    const SQL: TimeText = TimeText {
        separator: ' ',
        millis: false,
        zulu: false,
    };
}

/// A column's type as generated, and how its values are stored when that differs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Semantic {
    pub logical: LogicalType,
    pub stored: Option<StoredTime>,
}

/// The meaning of `column`: `facts` are its CHECK facts, `table_text` the
/// text timestamp spelling of its table (see [`table_time_text`]).
pub(crate) fn semantic(column: &Column, facts: &Facts, table_text: TimeText) -> Semantic {
    let declared = Semantic {
        logical: column.logical_type.clone(),
        stored: None,
    };
    let default = column.default.as_deref().unwrap_or("").to_lowercase();
    match &column.logical_type {
        LogicalType::Text { .. } if facts.json => Semantic {
            logical: LogicalType::Json { binary: false },
            stored: None,
        },
        LogicalType::Text { max_length, .. } if holds_uuid(&column.name, &default, *max_length) => {
            Semantic {
                logical: LogicalType::Uuid,
                stored: None,
            }
        }
        LogicalType::Text { max_length, .. } => {
            let stored = match default_time(&default) {
                Some(stored) => stored,
                None if names_time(&column.name) => StoredTime::Text(table_text),
                None => return declared,
            };
            if max_length.is_some_and(|m| (m as usize) < stored_len(stored)) {
                return declared;
            }
            let logical = match stored {
                StoredTime::DateText => LogicalType::Date,
                _ => LogicalType::Timestamp {
                    with_time_zone: true,
                },
            };
            Semantic {
                logical,
                stored: Some(stored),
            }
        }
        LogicalType::Integer { bits, .. }
            if *bits >= 32
                && (default_time(&default) == Some(StoredTime::EpochSeconds)
                    || (column.name.to_lowercase().ends_with("_at")
                        && column.default.is_none())) =>
        {
            Semantic {
                logical: LogicalType::Timestamp {
                    with_time_zone: true,
                },
                stored: Some(StoredTime::EpochSeconds),
            }
        }
        _ => declared,
    }
}

/// The text timestamp spelling of a table: that of the first TEXT column whose default writes a
/// time, so that columns compared with it (`revoked_at >= created_at`) sort the same way.
pub(crate) fn table_time_text(columns: &[&Column]) -> TimeText {
    columns
        .iter()
        .filter(|c| matches!(c.logical_type, LogicalType::Text { .. }))
        .find_map(
            |c| match default_time(&c.default.as_deref()?.to_lowercase()) {
                Some(StoredTime::Text(text)) => Some(text),
                _ => None,
            },
        )
        .unwrap_or(TimeText::ISO)
}

/// A time-valued name: `*_at`, `*_time`, `created_on` and the like.
fn names_time(name: &str) -> bool {
    let name = name.to_lowercase();
    name.ends_with("_at")
        || name.ends_with("_time")
        || name.ends_with("timestamp")
        || matches!(
            name.as_str(),
            "created_on"
                | "updated_on"
                | "created"
                | "modified"
                | "date_joined"
                | "last_login"
                | "last_seen"
                | "creation_date"
        )
}

/// A text column that holds UUIDs: filled by a UUID function, or a 36-character key.
fn holds_uuid(name: &str, default: &str, max_length: Option<u32>) -> bool {
    let name = name.to_lowercase();
    ["uuid(", "gen_random_uuid", "uuid_generate", "newid("]
        .iter()
        .any(|f| default.contains(f))
        || (max_length == Some(36) && (name == "id" || name.ends_with("_id") || name == "uuid"))
}

/// The stored form of a time a default expression writes, if it writes one.
fn default_time(default: &str) -> Option<StoredTime> {
    if default.contains("unixepoch") || default.contains("'%s'") {
        return Some(StoredTime::EpochSeconds);
    }
    if let Some(call) = default.find("strftime(").map(|i| &default[i..]) {
        let format = call.split('\'').nth(1)?;
        if !format.contains("%h") {
            return format.contains("%d").then_some(StoredTime::DateText);
        }
        return Some(StoredTime::Text(TimeText {
            separator: if format.contains("%dt%h") { 'T' } else { ' ' },
            millis: format.contains("%f"),
            zulu: format.ends_with('z'),
        }));
    }
    if default.contains("current_date") || default.contains("date('now')") {
        return Some(StoredTime::DateText);
    }
    ["current_timestamp", "datetime(", "now()", "localtimestamp"]
        .iter()
        .any(|f| default.contains(f))
        .then_some(StoredTime::Text(TimeText::SQL))
}

/// Characters of the stored text (`YYYY-MM-DD HH:MM:SS[.mmm][Z]`).
fn stored_len(stored: StoredTime) -> usize {
    match stored {
        StoredTime::Text(text) => 19 + if text.millis { 4 } else { 0 } + usize::from(text.zulu),
        StoredTime::DateText => 10,
        StoredTime::EpochSeconds => 0,
    }
}

/// `value` (a generated time) in its stored form; other values unchanged.
pub(crate) fn store(value: Value, stored: StoredTime) -> Value {
    let micros = match value {
        Value::Timestamp { micros, .. } => micros,
        Value::Date(days) => i64::from(days) * MICROS_PER_DAY,
        other => return other,
    };
    let days = micros.div_euclid(MICROS_PER_DAY);
    match stored {
        StoredTime::EpochSeconds => Value::Int(micros.div_euclid(MICROS_PER_SECOND)),
        StoredTime::DateText => {
            let mut out = String::with_capacity(10);
            write_date(&mut out, days);
            Value::Text(out)
        }
        StoredTime::Text(text) => {
            let mut out = String::with_capacity(24);
            write_date(&mut out, days);
            out.push(text.separator);
            // Truncated to whole seconds (or milliseconds): truncation keeps `>=` between columns.
            let of_day = micros.rem_euclid(MICROS_PER_DAY);
            write_time(&mut out, of_day - of_day % MICROS_PER_SECOND);
            if text.millis {
                let millis = of_day % MICROS_PER_SECOND / 1_000;
                out.push('.');
                out.push(char::from(b'0' + (millis / 100) as u8));
                out.push(char::from(b'0' + (millis / 10 % 10) as u8));
                out.push(char::from(b'0' + (millis % 10) as u8));
            }
            if text.zulu {
                out.push('Z');
            }
            Value::Text(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, logical: LogicalType, default: Option<&str>) -> Column {
        Column {
            name: name.to_string(),
            data_type: "TEXT".to_string(),
            logical_type: logical,
            nullable: true,
            default: default.map(str::to_string),
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }

    fn text() -> LogicalType {
        LogicalType::Text {
            max_length: None,
            fixed: false,
        }
    }

    #[test]
    fn text_times_take_the_spelling_of_their_default_or_table() {
        let created = column(
            "created_at",
            text(),
            Some("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"),
        );
        let table = table_time_text(&[&created]);
        assert_eq!(table, TimeText::ISO);
        let planned = semantic(&created, &Facts::default(), table);
        assert_eq!(planned.stored, Some(StoredTime::Text(TimeText::ISO)));
        assert!(matches!(planned.logical, LogicalType::Timestamp { .. }));
        let revoked = semantic(
            &column("revoked_at", text(), None),
            &Facts::default(),
            table,
        );
        assert_eq!(revoked.stored, Some(StoredTime::Text(TimeText::ISO)));
        let plugin = semantic(
            &column("created_at", text(), Some("CURRENT_TIMESTAMP")),
            &Facts::default(),
            TimeText::ISO,
        );
        assert_eq!(plugin.stored, Some(StoredTime::Text(TimeText::SQL)));
        let title = semantic(&column("title", text(), None), &Facts::default(), table);
        assert_eq!(title.stored, None);
        assert_eq!(title.logical, text());
    }

    #[test]
    fn stored_times_are_spelled_like_their_defaults() {
        // 2024-05-01T12:34:56.789Z
        let micros = 1_714_566_896_789_123;
        let at = Value::Timestamp {
            micros,
            with_time_zone: true,
        };
        assert_eq!(
            store(at.clone(), StoredTime::Text(TimeText::ISO)),
            Value::Text("2024-05-01T12:34:56.789Z".into())
        );
        assert_eq!(
            store(at.clone(), StoredTime::Text(TimeText::SQL)),
            Value::Text("2024-05-01 12:34:56".into())
        );
        assert_eq!(
            store(at.clone(), StoredTime::DateText),
            Value::Text("2024-05-01".into())
        );
        assert_eq!(
            store(at, StoredTime::EpochSeconds),
            Value::Int(1_714_566_896)
        );
        assert_eq!(store(Value::Null, StoredTime::EpochSeconds), Value::Null);
    }

    #[test]
    fn json_valid_and_uuid_defaults_name_what_text_holds() {
        let json = Facts {
            json: true,
            ..Facts::default()
        };
        let credentials = semantic(&column("credentials", text(), None), &json, TimeText::ISO);
        assert_eq!(credentials.logical, LogicalType::Json { binary: false });
        let char36 = LogicalType::Text {
            max_length: Some(36),
            fixed: true,
        };
        let id = semantic(
            &column("id", char36.clone(), Some("(uuid())")),
            &Facts::default(),
            TimeText::ISO,
        );
        assert_eq!(id.logical, LogicalType::Uuid);
        let org_id = semantic(
            &column("org_id", char36, None),
            &Facts::default(),
            TimeText::ISO,
        );
        assert_eq!(org_id.logical, LogicalType::Uuid);
    }
}
