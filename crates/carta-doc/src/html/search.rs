//! The client-side search index: a script assigning `window.CARTA_SEARCH`.
//! A script and not JSON because browsers refuse `fetch()` of `file://`
//! URLs, and the site must open from disk.

use super::context::{enum_anchor, kind_label};
use super::{anchor, PagePaths};
use carta_catalog::{Catalog, QualifiedName};
use serde_json::{json, Value};

pub(super) const PATH: &str = "search-index.js";

/// One line per table: `[kind, name, detail, comment, url, columns]`, its
/// columns nested as `[name, type, comment, anchor]`; then one line per
/// enum, `[kind, name, values, comment, url]`. `carta.js` expands columns
/// into entries of their own (`schema.table.column`, the table's URL plus
/// the anchor): a 5,000-table schema's index is mostly columns, and
/// repeating the table's name and URL in each would double its size. URLs
/// are relative to the site root.
pub(super) fn index_js(catalog: &Catalog, pages: &PagePaths) -> String {
    let mut js = String::from("window.CARTA_SEARCH = [\n");
    let mut line = |entry: Value| {
        js.push_str(&entry.to_string());
        js.push_str(",\n");
    };
    for (schema, table) in catalog.tables() {
        let name = QualifiedName::new(&schema.name, &table.name);
        let Some(url) = pages.href_from_root(&name) else {
            continue;
        };
        let columns: Vec<Value> = table
            .columns
            .iter()
            .map(|column| {
                json!([
                    column.name,
                    column.data_type,
                    column.comment.as_deref().unwrap_or(""),
                    anchor("col", &column.name)
                ])
            })
            .collect();
        line(json!([
            kind_label(table),
            name.to_string(),
            "",
            table.comment.as_deref().unwrap_or(""),
            url,
            columns
        ]));
    }
    for schema in &catalog.schemas {
        for e in &schema.enums {
            let name = QualifiedName::new(&schema.name, &e.name);
            line(json!([
                "enum",
                name.to_string(),
                e.values.join(", "),
                e.comment.as_deref().unwrap_or(""),
                format!("index.html#{}", enum_anchor(&name))
            ]));
        }
    }
    js.push_str("];\n");
    js
}
