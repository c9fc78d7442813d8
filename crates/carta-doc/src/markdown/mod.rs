//! Markdown documentation: a `README.md` overview, a page per table, view
//! and enum, ER diagrams (Mermaid inline, SVG and DOT files) and
//! `schema.json`; or, with [`MarkdownOptions::single_page`], one document
//! shaped like a hand-written schema description.
//!
//! All Markdown goes through the templates in `templates/markdown/`,
//! embedded in the binary and replaceable by file name (see
//! docs/templates.md for what each receives).

pub mod context;

use crate::templates::{Overrides, Templates};
use crate::{DocError, DocSet};
use carta_catalog::{Catalog, QualifiedName, RelationGraph};
use carta_erd::{Diagram, ErdOptions};
use context::{
    DiagramInfo, EnumContext, ReadmeContext, SchemaSection, SinglePageContext, Site, TableContext,
    Target,
};
use std::collections::HashMap;

/// Built-in templates: name, source.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        README,
        include_str!("../../templates/markdown/readme.md.j2"),
    ),
    (TABLE, include_str!("../../templates/markdown/table.md.j2")),
    (ENUM, include_str!("../../templates/markdown/enum.md.j2")),
    (
        SINGLE_PAGE,
        include_str!("../../templates/markdown/single_page.md.j2"),
    ),
];

/// Suffix of Markdown template names; overrides with it must match a built-in name.
pub const TEMPLATE_SUFFIX: &str = ".md.j2";

const README: &str = "readme.md.j2";
const TABLE: &str = "table.md.j2";
const ENUM: &str = "enum.md.j2";
const SINGLE_PAGE: &str = "single_page.md.j2";

const README_PATH: &str = "README.md";
const SCHEMA_JSON: &str = "schema.json";
const ERD_SVG: &str = "erd.svg";
const ERD_DOT: &str = "erd.dot";

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Document title; by default the schema's name when there is one
    /// (other than `public`/`main`), otherwise "Database".
    pub title: Option<String>,
    /// One `README.md` for the whole database instead of a page per object.
    pub single_page: bool,
    /// Relation hops shown around each table in its diagram.
    pub neighbourhood_distance: usize,
    /// Every diagram shows key columns only.
    pub keys_only: bool,
    /// Above this many tables the whole-database diagram shows key columns
    /// only, so it stays legible and small enough to render.
    pub keys_only_above: usize,
    /// Templates replacing built-in ones of the same name.
    pub templates: Overrides,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            title: None,
            single_page: false,
            neighbourhood_distance: 1,
            keys_only: false,
            keys_only_above: 50,
            templates: Overrides::default(),
        }
    }
}

/// Renders the documentation of `catalog`. `relations` is normally
/// `catalog.relations()`, plus any virtual relations from configuration.
pub fn render(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &MarkdownOptions,
) -> Result<DocSet, DocError> {
    let templates = Templates::new(TEMPLATES, &options.templates, TEMPLATE_SUFFIX)?;
    let table_count = catalog.tables().count();
    let keys_only = options.keys_only || table_count > options.keys_only_above;
    // schema.json needs nothing else: written beside the pages.
    let (json, docs) = crate::parallel::join(
        || catalog.to_json(),
        || -> Result<DocSet, DocError> {
            let whole = Diagram::whole(catalog, relations, &ErdOptions { keys_only });
            let mut docs = DocSet::new();
            if options.single_page {
                single_page(
                    catalog, relations, options, &templates, &whole, keys_only, &mut docs,
                )?;
            } else {
                pages(
                    catalog, relations, options, &templates, &whole, keys_only, &mut docs,
                )?;
            }
            Ok(docs)
        },
    );
    let mut docs = docs?;
    docs.insert(SCHEMA_JSON, json);
    Ok(docs)
}

fn diagram_info(
    diagram: &Diagram,
    keys_only: bool,
    svg: Option<String>,
    dot: Option<String>,
) -> DiagramInfo {
    DiagramInfo {
        mermaid: diagram.to_mermaid(),
        svg,
        dot,
        keys_only,
        tables: diagram.tables.len(),
    }
}

fn pages(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &MarkdownOptions,
    templates: &Templates<'_>,
    whole: &Diagram,
    keys_only: bool,
    docs: &mut DocSet,
) -> Result<(), DocError> {
    let site = Site::new(catalog, relations, options.title.as_deref(), Target::Pages);
    let link_from = |from: &'static str| {
        let site = &site;
        move |name: &QualifiedName| {
            site.table_page(name)
                .map(|page| crate::paths::relative(from, &page))
        }
    };

    // The whole-database files are one long job; the table pages run beside it.
    let whole_files = || -> Result<[(&str, String); 3], DocError> {
        let readme = ReadmeContext {
            database: site.database.clone(),
            schemas: context::documented_schemas(catalog)
                .map(|s| site.schema_summary(s, README_PATH))
                .collect(),
            diagram: diagram_info(whole, keys_only, Some(ERD_SVG.into()), Some(ERD_DOT.into())),
            schema_json: SCHEMA_JSON.to_string(),
        };
        Ok([
            (ERD_SVG, whole.to_svg(&link_from(ERD_SVG))),
            (ERD_DOT, whole.to_dot()),
            (README_PATH, templates.render(README, &readme)?),
        ])
    };
    let (whole_files, table_files) = crate::parallel::join(whole_files, || {
        table_pages(catalog, relations, options, templates, &site)
    });
    for (path, contents) in whole_files? {
        docs.insert(path, contents);
    }
    for (path, contents) in table_files? {
        docs.insert(path, contents);
    }

    for schema in &catalog.schemas {
        for enum_type in &schema.enums {
            let name = QualifiedName::new(&schema.name, &enum_type.name);
            let Some(page) = site.enum_page(&name) else {
                continue;
            };
            let context = EnumContext {
                database: site.database.clone(),
                enum_type: site.enum_doc(schema, enum_type, &page),
                readme: crate::paths::relative(&page, README_PATH),
            };
            docs.insert(page, templates.render(ENUM, &context)?);
        }
    }
    Ok(())
}

/// Each table's page and the SVG of its neighbourhood, rendered on every
/// core (they are independent), in Catalog order.
fn table_pages(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &MarkdownOptions,
    templates: &Templates<'_>,
    site: &Site<'_>,
) -> Result<Vec<(String, String)>, DocError> {
    let erd_options = ErdOptions {
        keys_only: options.keys_only,
    };
    let tables: Vec<_> = catalog.tables().collect();
    let rendered = crate::parallel::map(&tables, |(schema, table)| {
        let name = QualifiedName::new(&schema.name, &table.name);
        let (Some(page), Some(svg_path)) = (site.table_page(&name), site.diagram_file(&name))
        else {
            return Ok(None);
        };
        let neighbourhood = Diagram::neighbourhood(
            catalog,
            relations,
            &name,
            options.neighbourhood_distance,
            &erd_options,
        );
        let svg = neighbourhood.to_svg(&|other: &QualifiedName| {
            site.table_page(other)
                .map(|p| crate::paths::relative(&svg_path, &p))
        });
        let context = TableContext {
            database: site.database.clone(),
            table: site.table_doc(schema, table, &page),
            diagram: diagram_info(
                &neighbourhood,
                options.keys_only,
                Some(crate::paths::relative(&page, &svg_path)),
                None,
            ),
            readme: crate::paths::relative(&page, README_PATH),
        };
        let markdown = templates.render(TABLE, &context)?;
        Ok(Some([(page, markdown), (svg_path, svg)]))
    });
    let mut files = Vec::with_capacity(2 * tables.len());
    for pair in rendered {
        files.extend(pair?.into_iter().flatten());
    }
    Ok(files)
}

fn single_page(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &MarkdownOptions,
    templates: &Templates<'_>,
    whole: &Diagram,
    keys_only: bool,
    docs: &mut DocSet,
) -> Result<(), DocError> {
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| context::default_title(catalog));
    let anchors = single_page_anchors(catalog, &title);
    let site = Site::new(
        catalog,
        relations,
        Some(&title),
        Target::SinglePage(anchors),
    );
    docs.insert(ERD_SVG, whole.to_svg(&|_: &QualifiedName| None));
    let schemas: Vec<SchemaSection> = context::documented_schemas(catalog)
        .map(|schema| SchemaSection {
            name: schema.name.clone(),
            comment: schema.comment.clone(),
            tables: schema
                .tables
                .iter()
                .map(|t| site.table_doc(schema, t, README_PATH))
                .collect(),
            enums: schema
                .enums
                .iter()
                .map(|e| site.enum_doc(schema, e, README_PATH))
                .collect(),
        })
        .collect();
    let context = SinglePageContext {
        database: site.database.clone(),
        glossary: context::glossary(&schemas),
        schemas,
        diagram: diagram_info(whole, keys_only, Some(ERD_SVG.into()), None),
    };
    docs.insert(README_PATH, templates.render(SINGLE_PAGE, &context)?);
    Ok(())
}

/// The anchors GitHub gives the built-in single page's headings, in the
/// order the template writes them: the title, `Overview`, `Relationship
/// map`, then per schema (when there are several) `Schema name` and each
/// table's name. Repeated slugs get `-1`, `-2`, as on GitHub.
fn single_page_anchors(catalog: &Catalog, title: &str) -> HashMap<QualifiedName, String> {
    let mut slugger = Slugger::default();
    for heading in [title, "Overview", "Relationship map"] {
        slugger.slug(heading);
    }
    let multiple = context::documented_schemas(catalog).count() > 1;
    let mut anchors = HashMap::new();
    for schema in context::documented_schemas(catalog) {
        if multiple {
            slugger.slug(&format!("Schema {}", schema.name));
        }
        for table in &schema.tables {
            let name = QualifiedName::new(&schema.name, &table.name);
            let heading = if multiple {
                name.to_string()
            } else {
                table.name.clone()
            };
            anchors.insert(name, slugger.slug(&heading));
        }
    }
    anchors
}

/// GitHub's heading anchors: lower case; letters, digits, `-` and `_`
/// kept; spaces become `-`; everything else dropped.
#[derive(Default)]
struct Slugger {
    seen: HashMap<String, usize>,
}

impl Slugger {
    fn slug(&mut self, heading: &str) -> String {
        let base: String = heading
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let count = self.seen.entry(base.clone()).or_insert(0);
        let slug = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        let mut slugger = Slugger::default();
        assert_eq!(slugger.slug("Overview"), "overview");
        assert_eq!(slugger.slug("orko.users"), "orkousers");
        assert_eq!(slugger.slug("Schema my_app"), "schema-my_app");
        assert_eq!(slugger.slug("overview"), "overview-1");
    }
}
