//! The static HTML site: one folder that opens from disk (`file://`) with no
//! server, no CDN and no build step.
//!
//! - `index.html`: the overview (schemas, every table with its comment and
//!   counts, enums, the whole ER diagram);
//! - `tables/<page>.html`: one page per table, view and partition, with a
//!   diagram of the table's neighbourhood;
//! - `search-index.js`: the search index as a script that assigns a global,
//!   because browsers refuse `fetch()` of local files;
//! - `assets/carta.css`, `assets/carta.js`: the style and the behaviour
//!   (search, diagram pan and zoom), written by hand and compiled into the
//!   binary.
//!
//! Pages go through minijinja templates (HTML auto-escaping on), so
//! [`HtmlOptions::templates`] can replace any of them by name.

mod context;
mod search;

use crate::paths::Stems;
use crate::{DocError, DocSet};
use carta_catalog::{Catalog, QualifiedName, RelationGraph};
use carta_erd::ErdOptions;
use minijinja::{Environment, UndefinedBehavior};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The built-in page templates, by name. Values are HTML-escaped (the
/// `.html.j2` suffix); `layout.html.j2` is the frame the pages extend and
/// `macros.html.j2` holds the diagram viewer and other shared pieces.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "layout.html.j2",
        include_str!("../../assets/html/layout.html.j2"),
    ),
    (
        "macros.html.j2",
        include_str!("../../assets/html/macros.html.j2"),
    ),
    (
        "index.html.j2",
        include_str!("../../assets/html/index.html.j2"),
    ),
    (
        "table.html.j2",
        include_str!("../../assets/html/table.html.j2"),
    ),
];

/// The suffix of HTML template names, in [`TEMPLATES`] and in override folders.
pub const TEMPLATE_SUFFIX: &str = ".html.j2";

/// Static files copied into every site unchanged.
const STATIC_FILES: &[(&str, &str)] = &[
    (
        "assets/carta.css",
        include_str!("../../assets/html/carta.css"),
    ),
    (
        "assets/carta.js",
        include_str!("../../assets/html/carta.js"),
    ),
];

/// How the site is rendered.
#[derive(Debug, Clone)]
pub struct HtmlOptions {
    /// The site's title; by default the source location, or "Database".
    pub title: Option<String>,
    /// Relation hops shown in each table's neighbourhood diagram.
    pub neighbourhood_distance: usize,
    /// What the diagrams show.
    pub erd: ErdOptions,
    /// Above this many tables the whole-database diagram shows key columns
    /// only, so it stays legible and the index page stays small.
    pub keys_only_above: usize,
    /// Template sources that replace built-in [`TEMPLATES`] of the same name.
    /// Names ending in [`TEMPLATE_SUFFIX`] must name a built-in template;
    /// others (another format's overrides) are ignored.
    pub templates: BTreeMap<String, String>,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: None,
            neighbourhood_distance: 1,
            erd: ErdOptions::default(),
            keys_only_above: 50,
            templates: BTreeMap::new(),
        }
    }
}

/// Renders the whole site. Pure and deterministic: the same Catalog gives
/// byte-identical files.
pub fn render(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &HtmlOptions,
) -> Result<DocSet, DocError> {
    let env = environment(options)?;
    let shared = context::Shared::new(catalog, relations, site_title(catalog, options), options);
    // The index (with the whole diagram) and the search index are long
    // single jobs; the table pages run beside them on every core.
    let (site_files, table_files) = crate::parallel::join(
        || -> Result<[(&str, String); 2], DocError> {
            let index = context::index(&shared);
            Ok([
                (
                    "index.html",
                    render_template(&env, "index.html.j2", &index)?,
                ),
                (search::PATH, search::index_js(catalog, &shared.pages)),
            ])
        },
        || {
            let tables: Vec<_> = catalog.tables().collect();
            crate::parallel::map(&tables, |(schema, table)| {
                let name = QualifiedName::new(&schema.name, &table.name);
                // Every table of the Catalog has a page path; PagePaths is built from the same list.
                let Some(path) = shared.pages.href_from_root(&name) else {
                    return Ok(None);
                };
                let page = context::table(&shared, &name, table);
                Ok(Some((path, render_template(&env, "table.html.j2", &page)?)))
            })
        },
    );
    let mut docs = DocSet::new();
    for (path, contents) in site_files? {
        docs.insert(path, contents);
    }
    for file in table_files {
        if let Some((path, contents)) = file? {
            docs.insert(path, contents);
        }
    }
    for (path, contents) in STATIC_FILES {
        docs.insert(*path, *contents);
    }
    Ok(docs)
}

const TABLES_DIR: &str = "tables";

fn environment(options: &HtmlOptions) -> Result<Environment<'static>, DocError> {
    // An override named like an HTML template that replaces none is almost
    // always a misspelt name; overrides for other formats are not ours.
    for name in options.templates.keys() {
        if name.ends_with(TEMPLATE_SUFFIX) && !TEMPLATES.iter().any(|(known, _)| known == name) {
            let known: Vec<&str> = TEMPLATES.iter().map(|(known, _)| *known).collect();
            return Err(DocError::UnknownTemplate {
                path: PathBuf::from(name),
                name: name.clone(),
                known: known.join(", "),
            });
        }
    }
    let mut env = Environment::new();
    // A misspelt variable in a template (or a user's override) is an error, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        let source = options
            .templates
            .get(*name)
            .cloned()
            .unwrap_or_else(|| (*source).to_string());
        env.add_template_owned(*name, source)
            .map_err(|source| DocError::Template {
                name: (*name).to_string(),
                source,
            })?;
    }
    Ok(env)
}

fn render_template(
    env: &Environment<'_>,
    name: &str,
    context: &impl serde::Serialize,
) -> Result<String, DocError> {
    let template_error = |source| DocError::Template {
        name: name.to_string(),
        source,
    };
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(template_error)
}

fn site_title(catalog: &Catalog, options: &HtmlOptions) -> String {
    options
        .title
        .clone()
        .or_else(|| catalog.source.as_ref().map(|s| s.location.clone()))
        .unwrap_or_else(|| "Database".to_string())
}

/// The file name of every table's page: the same stems as the Markdown
/// pages, safe on every file system and unique ignoring case.
pub(crate) struct PagePaths {
    stems: Stems,
}

impl PagePaths {
    fn new(catalog: &Catalog) -> Self {
        let names: Vec<QualifiedName> = catalog
            .tables()
            .map(|(schema, table)| QualifiedName::new(&schema.name, &table.name))
            .collect();
        PagePaths {
            stems: Stems::new(&names),
        }
    }

    /// The page's path relative to the site root, if the table is in the Catalog.
    fn href_from_root(&self, table: &QualifiedName) -> Option<String> {
        self.stems
            .get(table)
            .map(|stem| format!("{TABLES_DIR}/{stem}.html"))
    }

    /// The page's path relative to another table page.
    fn href_from_table_page(&self, table: &QualifiedName) -> Option<String> {
        self.stems.get(table).map(|stem| format!("{stem}.html"))
    }
}

/// Letters, digits, `_`, `-` and `.` are kept; anything else (spaces,
/// quotes, `#`) becomes `_`, so an id needs no escaping in a URL fragment.
fn id_text(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// An HTML id for a named thing inside a page (columns, enums).
fn anchor(prefix: &str, name: &str) -> String {
    format!("{prefix}-{}", id_text(name))
}

#[cfg(test)]
mod tests;
