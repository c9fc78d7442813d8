//! The compact schema text a model reads: one line per table and one per
//! column, with what SQL needs (type, key, NOT NULL, join target, allowed
//! values) and a short comment.

use crate::search::Document;
use crate::text::{terms, words};
use crate::TableRef;
use carta_catalog::{LogicalType, QualifiedName, RelationGraph, Schema, Table};
use std::collections::BTreeSet;
use std::fmt::Write;
use tantivy::tokenizer::TextAnalyzer;

/// Enum values shown per column; the rest are elided.
const MAX_VALUES: usize = 12;
/// The longest CHECK expression shown on its column's line.
const MAX_CHECK: usize = 100;
/// Comment characters shown on a table or column line.
const MAX_COMMENT: usize = 80;

/// One table, rendered once when the index is built.
pub(crate) struct Entry {
    pub table: TableRef,
    pub header: String,
    /// Words in the table's name: `order_attachments` (2) is more specific than `orders` (1).
    pub name_words: usize,
    pub lines: Vec<Line>,
    /// Every term of the table's document, to tell which question terms it matched.
    pub terms: BTreeSet<String>,
}

pub(crate) struct Line {
    pub text: String,
    /// Primary key or join column: kept in the reduced rendering.
    pub key: bool,
    pub terms: BTreeSet<String>,
}

impl Entry {
    pub(crate) fn full(&self) -> String {
        let mut out = self.header.clone();
        for line in &self.lines {
            out.push_str(&line.text);
        }
        out
    }

    /// Key and join columns and the columns that match `terms`; `None` when
    /// that would be every column.
    pub(crate) fn reduced(&self, terms: &BTreeSet<String>) -> Option<String> {
        let kept: Vec<&Line> = self
            .lines
            .iter()
            .filter(|l| l.key || !l.terms.is_disjoint(terms))
            .collect();
        let left = self.lines.len() - kept.len();
        if left == 0 {
            return None;
        }
        let mut out = self.header.clone();
        for line in kept {
            out.push_str(&line.text);
        }
        let _ = writeln!(out, "  ... {left} more columns");
        Some(out)
    }
}

/// The rendering and the index document of one table.
pub(crate) fn entry(
    schema: &Schema,
    table: &Table,
    graph: &RelationGraph,
    analyzer: &mut TextAnalyzer,
) -> (Entry, Document) {
    let qualified = QualifiedName::new(&schema.name, &table.name);
    let keyword = if table.kind.is_view() {
        "VIEW"
    } else {
        "TABLE"
    };
    let mut header = format!("{keyword} {qualified}");
    if let Some(comment) = short(table.comment.as_deref()) {
        let _ = write!(header, " -- {comment}");
    }
    header.push('\n');

    let relations: Vec<_> = graph.outgoing(&qualified).collect();
    let primary: &[String] = table
        .primary_key
        .as_ref()
        .map_or(&[], |pk| pk.columns.as_slice());
    let mut document = Document {
        name: words(&table.name),
        columns: Vec::new(),
        text: words(&schema.name),
    };
    document
        .text
        .extend(words(table.comment.as_deref().unwrap_or("")));
    let mut lines = Vec::new();
    for column in &table.columns {
        let mut text = format!("  {} {}", column.name, column.data_type);
        let is_pk = primary.contains(&column.name);
        if is_pk {
            text.push_str(" PK");
        } else if !column.nullable {
            text.push_str(" NOT NULL");
        }
        let target = relations
            .iter()
            .find(|r| r.from_columns.len() == 1 && r.from_columns[0] == column.name);
        if let Some(r) = target {
            let _ = write!(text, " -> {}.{}", r.to, r.to_columns.join(","));
        }
        let values = enum_values(&column.logical_type);
        if !values.is_empty() {
            let shown: Vec<&str> = values.iter().take(MAX_VALUES).map(String::as_str).collect();
            let more = if values.len() > MAX_VALUES {
                ",..."
            } else {
                ""
            };
            let _ = write!(text, " {{{}{more}}}", shown.join(","));
        }
        for check in &table.checks {
            let short_enough = check.expression.chars().count() <= MAX_CHECK;
            if short_enough && only_column(&check.expression, table) == Some(&column.name) {
                let _ = write!(text, " CHECK ({})", check.expression);
            }
        }
        if let Some(comment) = short(column.comment.as_deref()) {
            let _ = write!(text, " -- {comment}");
        }
        text.push('\n');

        let mut column_words = words(&column.name);
        document.columns.extend(column_words.iter().cloned());
        let mut described = words(column.comment.as_deref().unwrap_or(""));
        for value in values {
            described.extend(words(value));
        }
        document.text.extend(described.iter().cloned());
        column_words.extend(described);
        lines.push(Line {
            text,
            key: is_pk || target.is_some(),
            terms: terms(analyzer, &column_words).into_iter().collect(),
        });
    }
    for r in relations.iter().filter(|r| r.from_columns.len() > 1) {
        lines.push(Line {
            text: format!(
                "  ({}) -> {}({})\n",
                r.from_columns.join(","),
                r.to,
                r.to_columns.join(",")
            ),
            key: true,
            terms: BTreeSet::new(),
        });
    }
    for check in &table.checks {
        document.text.extend(words(&check.expression));
    }
    let mut all = document.name.clone();
    all.extend(document.columns.iter().cloned());
    all.extend(document.text.iter().cloned());
    let entry = Entry {
        table: TableRef::from(&qualified),
        header,
        name_words: document.name.len(),
        lines,
        terms: terms(analyzer, &all).into_iter().collect(),
    };
    (entry, document)
}

/// The allowed values of an enum or set column, or of an array of them.
fn enum_values(logical: &LogicalType) -> &[String] {
    match logical {
        LogicalType::Enum { values, .. } | LogicalType::Set { values } => values,
        LogicalType::Array { element } => enum_values(element),
        _ => &[],
    }
}

/// The one column of `table` that `expression` names, if it names exactly
/// one: `status IN ('a', 'b')` belongs on the line of `status`.
fn only_column<'t>(expression: &str, table: &'t Table) -> Option<&'t String> {
    let mut named = expression
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter_map(|word| table.columns.iter().find(|c| c.name == word))
        .map(|c| &c.name);
    let first = named.next()?;
    named.all(|other| other == first).then_some(first)
}

/// The first line of a comment, cut at its first sentence and at
/// [`MAX_COMMENT`] characters.
fn short(comment: Option<&str>) -> Option<String> {
    let line = comment?.lines().map(str::trim).find(|l| !l.is_empty())?;
    // "e.g. " and "i.e. " do not end a sentence.
    let end = line
        .match_indices(". ")
        .map(|(at, _)| at)
        .find(|&at| !line[..at].ends_with("e.g") && !line[..at].ends_with("i.e"));
    let sentence = match end {
        Some(end) => &line[..end],
        None => line.trim_end_matches('.'),
    };
    if sentence.chars().count() <= MAX_COMMENT {
        return Some(sentence.to_string());
    }
    let cut: String = sentence.chars().take(MAX_COMMENT - 3).collect();
    Some(format!("{}...", cut.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::{short, MAX_COMMENT};

    #[test]
    fn comments_are_shortened() {
        assert_eq!(short(None), None);
        assert_eq!(short(Some("  \n ")), None);
        assert_eq!(
            short(Some("Customer orders. One row per checkout.")).as_deref(),
            Some("Customer orders")
        );
        assert_eq!(
            short(Some("Settings, e.g. {\"a\": 1}. More.")).as_deref(),
            Some("Settings, e.g. {\"a\": 1}")
        );
        let long = "é".repeat(200);
        let cut = short(Some(&long)).unwrap();
        assert_eq!(cut.chars().count(), MAX_COMMENT);
        assert!(cut.ends_with("..."));
    }
}
