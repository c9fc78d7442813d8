//! Mermaid `erDiagram` and Graphviz DOT text.

use crate::{Diagram, DiagramEdge, DiagramTable};
use carta_catalog::QualifiedName;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Mermaid's default `maxTextSize`: larger diagrams are refused by renderers such as GitHub's.
pub const MERMAID_MAX_CHARS: usize = 50_000;

const MERMAID_HEADER: &str = "erDiagram\n";

impl Diagram {
    /// Mermaid `erDiagram` blocks, each under [`MERMAID_MAX_CHARS`]. Tables
    /// are packed in order; a relation goes into its child's block, and a
    /// parent from another block appears there as a bare entity.
    pub fn to_mermaid(&self) -> Vec<String> {
        self.to_mermaid_limited(MERMAID_MAX_CHARS)
    }

    pub(crate) fn to_mermaid_limited(&self, limit: usize) -> Vec<String> {
        let mut blocks = Vec::new();
        let mut current: Vec<&DiagramTable> = Vec::new();
        let mut size = MERMAID_HEADER.len();
        for table in &self.tables {
            // An upper bound: the entity, its relations, and a bare entity per parent.
            let cost = mermaid_entity(table).len()
                + self
                    .edges_from(table)
                    .map(|e| mermaid_edge(e).len() + mermaid_bare_entity(&e.to).len())
                    .sum::<usize>();
            if !current.is_empty() && size + cost >= limit {
                blocks.push(self.mermaid_block(&current));
                current.clear();
                size = MERMAID_HEADER.len();
            }
            current.push(table);
            size += cost;
        }
        if !current.is_empty() || blocks.is_empty() {
            blocks.push(self.mermaid_block(&current));
        }
        blocks
    }

    fn edges_from<'a>(&'a self, table: &'a DiagramTable) -> impl Iterator<Item = &'a DiagramEdge> {
        self.edges.iter().filter(move |e| e.from == table.name)
    }

    fn mermaid_block(&self, tables: &[&DiagramTable]) -> String {
        let names: BTreeSet<&QualifiedName> = tables.iter().map(|t| &t.name).collect();
        let mut text = String::from(MERMAID_HEADER);
        for table in tables {
            text.push_str(&mermaid_entity(table));
        }
        let mut bare = BTreeSet::new();
        for table in tables {
            for edge in self.edges_from(table) {
                if !names.contains(&edge.to) && bare.insert(&edge.to) {
                    text.push_str(&mermaid_bare_entity(&edge.to));
                }
                text.push_str(&mermaid_edge(edge));
            }
        }
        text
    }

    /// Graphviz DOT with HTML-like table labels, one node per table.
    pub fn to_dot(&self) -> String {
        let mut dot = String::from(
            "digraph erd {\n  graph [rankdir=LR];\n  node [shape=plaintext, fontname=\"Helvetica\"];\n  edge [arrowhead=crow, arrowtail=none];\n",
        );
        for table in &self.tables {
            let _ = write!(
                dot,
                "  \"{}\" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\"><tr><td bgcolor=\"#dbe7f5\"><b>{}</b></td></tr>",
                table.name,
                html_escape(&table.name.to_string())
            );
            for column in &table.columns {
                let key = match (column.primary_key, column.foreign_key) {
                    (true, true) => "PK FK ",
                    (true, false) => "PK ",
                    (false, true) => "FK ",
                    _ => "",
                };
                let _ = write!(
                    dot,
                    "<tr><td align=\"left\">{}{} : {}</td></tr>",
                    key,
                    html_escape(&column.name),
                    html_escape(&column.data_type)
                );
            }
            dot.push_str("</table>>];\n");
        }
        for edge in &self.edges {
            let style = if edge.is_virtual {
                ", style=dashed"
            } else {
                ""
            };
            let _ = writeln!(
                dot,
                "  \"{}\" -> \"{}\" [label=\"{}\"{style}];",
                edge.to,
                edge.from,
                edge.from_columns.join(", ")
            );
        }
        dot.push_str("}\n");
        dot
    }
}

fn mermaid_entity(table: &DiagramTable) -> String {
    let mut text = format!("    {}[\"{}\"] {{\n", mermaid_id(&table.name), table.name);
    for column in &table.columns {
        let keys: Vec<&str> = [(column.primary_key, "PK"), (column.foreign_key, "FK")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, k)| *k)
            .collect();
        let _ = writeln!(
            text,
            "        {} {}{}",
            mermaid_type(&column.data_type),
            mermaid_word(&column.name),
            if keys.is_empty() {
                String::new()
            } else {
                format!(" {}", keys.join(","))
            }
        );
    }
    text.push_str("    }\n");
    text
}

fn mermaid_bare_entity(name: &QualifiedName) -> String {
    format!("    {}[\"{name}\"] {{\n    }}\n", mermaid_id(name))
}

/// Parent `||` exactly one (or `|o` zero or one when the child's columns
/// are nullable) to child `o{` zero or more; dotted when virtual.
fn mermaid_edge(edge: &DiagramEdge) -> String {
    format!(
        "    {} {}{}o{{ {} : \"{}\"\n",
        mermaid_id(&edge.to),
        if edge.required { "||" } else { "|o" },
        if edge.is_virtual { ".." } else { "--" },
        mermaid_id(&edge.from),
        edge.from_columns.join(", ")
    )
}

/// An entity id Mermaid accepts: letters, digits and underscores.
fn mermaid_id(name: &QualifiedName) -> String {
    mermaid_word(&format!("{}__{}", name.schema, name.name))
}

fn mermaid_word(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Attribute types may not contain spaces or commas in Mermaid.
fn mermaid_type(data_type: &str) -> String {
    data_type
        .chars()
        .map(|c| match c {
            ' ' => '_',
            ',' => '-',
            c if c.is_ascii_alphanumeric() || "_-[]()".contains(c) => c,
            _ => '_',
        })
        .collect()
}

pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
