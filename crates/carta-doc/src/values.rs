//! Closed value lists of columns: the status and role values that seed
//! documents list in their glossaries. They come from enum types and from
//! CHECK constraints of the shape `column IN ('a', 'b')`, which each
//! database prints its own way (`(status)::text = ANY (ARRAY['a'::text])`
//! on PostgreSQL).

use carta_catalog::{CheckConstraint, Table};

/// The column a CHECK constraint restricts to a list of string values, and
/// the values in their written order; `None` for any other kind of check.
pub fn check_value_list<'t>(
    table: &'t Table,
    check: &CheckConstraint,
) -> Option<(&'t str, Vec<String>)> {
    let expression = &check.expression;
    let lower = expression.to_lowercase();
    let is_list = lower.contains(" in (") || lower.contains(" in(") || lower.contains("any (");
    // Conditions joined by AND/OR, or comparisons other than equality,
    // make the literals something other than the allowed values.
    let compound = [" and ", " or ", " not ", "<", ">", "!"]
        .iter()
        .any(|op| lower.contains(op));
    if !is_list || compound {
        return None;
    }
    let (outside, mut values) = split_literals(expression);
    if values.is_empty() {
        values = number_list(&outside)?;
    }
    let mut columns = table
        .columns
        .iter()
        .filter(|c| mentions_word(&outside, &c.name));
    let column = columns.next()?;
    if columns.next().is_some() || values.is_empty() {
        return None;
    }
    Some((column.name.as_str(), values))
}

/// The text with string literals removed, and the literals' values.
fn split_literals(text: &str) -> (String, Vec<String>) {
    let mut outside = String::new();
    let mut values = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            outside.push(c);
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    value.push('\'');
                } else {
                    break;
                }
            } else {
                value.push(c);
            }
        }
        outside.push(' ');
        values.push(value);
    }
    (outside, values)
}

/// The numbers of a list such as `IN (1, 2, 3)` or `ANY (ARRAY[1, 2])`,
/// with casts (`1::smallint`) removed; `None` unless every item is a number.
fn number_list(text: &str) -> Option<Vec<String>> {
    let lower = text.to_lowercase();
    let (start, close) = match lower.find("array[") {
        Some(at) => (at + "array[".len(), ']'),
        None => (lower.find(" in")? + " in".len(), ')'),
    };
    let rest = text[start..].trim_start().trim_start_matches('(');
    let list = &rest[..rest.find(close)?];
    list.split(',')
        .map(|item| {
            let item = item.trim();
            let number = item
                .split("::")
                .next()
                .unwrap_or(item)
                .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
            number.parse::<f64>().is_ok().then(|| number.to_string())
        })
        .collect()
}

/// `word` occurs in `text` as a whole identifier, bare or quoted.
fn mentions_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use carta_catalog::{Column, LogicalType};

    fn table() -> Table {
        let column = |name: &str| Column {
            name: name.to_string(),
            data_type: "text".to_string(),
            logical_type: LogicalType::Text {
                max_length: None,
                fixed: false,
            },
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        };
        Table {
            name: "t".to_string(),
            columns: vec![column("status"), column("status_note"), column("kind")],
            ..Table::default()
        }
    }

    fn list(expression: &str) -> Option<(String, Vec<String>)> {
        let check = CheckConstraint {
            name: None,
            expression: expression.to_string(),
            comment: None,
        };
        check_value_list(&table(), &check).map(|(c, v)| (c.to_string(), v))
    }

    #[test]
    fn lists_in_each_dialects_spelling() {
        let expected = Some((
            "status".to_string(),
            vec!["active".to_string(), "it's".to_string()],
        ));
        assert_eq!(
            list("((status)::text = ANY ((ARRAY['active'::character varying, 'it''s'::character varying])::text[]))"),
            expected
        );
        assert_eq!(list("`status` in ('active','it''s')"), expected);
        assert_eq!(list("\"status\" IN ('active', 'it''s')"), expected);
    }

    #[test]
    fn number_lists() {
        let expected = Some(("status".to_string(), vec!["1".to_string(), "2".to_string()]));
        assert_eq!(list("status IN (1, 2)"), expected);
        assert_eq!(list("(status = ANY (ARRAY[1, 2]))"), expected);
        assert_eq!(
            list("(status = ANY (ARRAY[(1)::smallint, (2)::smallint]))"),
            expected
        );
        assert_eq!(list("status IN (1, kind)"), None);
    }

    #[test]
    fn other_checks_are_not_lists() {
        assert_eq!(list("status <> 'x'"), None);
        assert_eq!(list("status IN ('a') OR kind IN ('b')"), None);
        assert_eq!(list("length(status_note) > 3"), None);
        assert_eq!(list("status_note IN ('a') AND kind = 'b'"), None);
    }
}
