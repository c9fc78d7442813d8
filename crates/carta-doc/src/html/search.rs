//! The client-side search index: a script assigning `window.CARTA_SEARCH`.
//! A script and not JSON because browsers refuse `fetch()` of `file://`
//! URLs, and the site must open from disk.

use super::context::{enum_anchor, kind_label};
use super::{anchor, PagePaths};
use carta_catalog::{Catalog, QualifiedName};
use serde_json::json;

pub(super) const PATH: &str = "search-index.js";

/// Entries are `[kind, name, detail, comment, url]` arrays rather than
/// objects: the index of a 5,000-table schema is mostly column entries, and
/// repeating keys would double its size. URLs are relative to the site root.
pub(super) fn index_js(catalog: &Catalog, pages: &PagePaths) -> String {
    let mut entries = Vec::new();
    for (schema, table) in catalog.tables() {
        let name = QualifiedName::new(&schema.name, &table.name);
        let Some(url) = pages.href_from_root(&name) else {
            continue;
        };
        entries.push(json!([
            kind_label(table),
            name.to_string(),
            "",
            table.comment.as_deref().unwrap_or(""),
            url
        ]));
        for column in &table.columns {
            entries.push(json!([
                "column",
                format!("{name}.{}", column.name),
                column.data_type,
                column.comment.as_deref().unwrap_or(""),
                format!("{url}#{}", anchor("col", &column.name))
            ]));
        }
    }
    for schema in &catalog.schemas {
        for e in &schema.enums {
            let name = QualifiedName::new(&schema.name, &e.name);
            entries.push(json!([
                "enum",
                name.to_string(),
                e.values.join(", "),
                e.comment.as_deref().unwrap_or(""),
                format!("index.html#{}", enum_anchor(&name))
            ]));
        }
    }
    let mut js = String::from("window.CARTA_SEARCH = [\n");
    for entry in &entries {
        js.push_str(&entry.to_string());
        js.push_str(",\n");
    }
    js.push_str("];\n");
    js
}
