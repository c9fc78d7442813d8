//! Living docs: documents generated from a schema version by the doc engine
//! (carta-doc's Markdown templates), then edited by people, and merged
//! again on every regeneration without losing what people wrote.
//!
//! # The merge rule
//!
//! Generated Markdown is cut into named sections: `summary` (everything
//! before the first `## ` heading) and one per `## ` heading, named by its
//! slug (`## Foreign keys` is `foreign-keys`). Each is wrapped in markers:
//!
//! ```text
//! <!-- carta:begin columns -->
//! ## Columns
//! ...
//! <!-- carta:end columns -->
//! ```
//!
//! Each document keeps the text it was last generated with. On
//! regeneration, with `current` the document now, `last` that kept text and
//! `fresh` the new output:
//!
//! 1. Text outside markers is people's and is kept byte for byte.
//! 2. A section whose body in `current` still equals its body in `last` is
//!    replaced by its body in `fresh` (*refreshed*), or removed when `fresh`
//!    no longer has it.
//! 3. A section whose body differs from `last` was edited: it is kept as it
//!    is and reported in the job's result as a *kept edit*.
//! 4. A section new in `fresh` (not in `last`) is inserted after the section
//!    that precedes it in `fresh`. A section in `last` that `current` no
//!    longer has was taken over by an editor (who removed its markers, or
//!    the whole section): it is not brought back.
//! 5. An unedited document (`current == last`) becomes `fresh` exactly.
//!
//! A document whose object is not in the version is kept and marked
//! orphaned; it is un-orphaned when the object comes back.

use crate::events::{emit, EventKind};
use crate::state::AppState;
use carta_catalog::{
    Catalog, Column, Dialect, EnumType, ForeignKey, LogicalType, PrimaryKey, QualifiedName,
    ReferentialAction, Schema, Table, TableKind,
};
use carta_doc::markdown::context::{documented_schemas, DatabaseInfo, SchemaSummary, Site, Target};
use carta_doc::markdown::{self, MarkdownOptions};
use carta_doc::templates::{Overrides, Templates};
use carta_doc::{DocError, DocSet};
use carta_store::{Doc, DocFilter, DocScope, DocTemplate, GeneratedDoc, Job, StoreError};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// The largest document (and template) kept, in bytes.
pub const MAX_DOC_BYTES: usize = 1024 * 1024;

const BEGIN: &str = "<!-- carta:begin ";
const END: &str = "<!-- carta:end ";
const MARKER_CLOSE: &str = " -->";
/// The section before the first `## ` heading.
const SUMMARY: &str = "summary";

const SCHEMA_TEMPLATE_NAME: &str = "schema.md.j2";
/// The built-in template of a schema's document; carta-doc's filters apply.
pub const SCHEMA_TEMPLATE: &str = r#"{#- A document per schema. Context: database, schema (as in readme.md.j2's schemas), readme. -#}
# Schema {{ schema.name | code }}

[{{ database.title | text }}]({{ readme }}) · {{ schema.tables | length | count("table") }}
{%- if schema.views %}, {{ schema.views | length | count("view") }}{% endif %}
{%- if schema.enums %}, {{ schema.enums | length | count("enum") }}{% endif %}

{% if schema.comment %}

{{ schema.comment | text }}
{% endif %}
{% if schema.tables %}

## Tables

| Table | Columns | Description |
|---|--:|---|
{% for t in schema.tables %}
| {% if t.table.link %}[{{ t.table.name | code_cell }}]({{ t.table.link }}){% else %}{{ t.table.name | code_cell }}{% endif %} | {{ t.columns }} | {{ t.comment | cell if t.comment else "" }} |
{% endfor %}
{% endif %}
{% if schema.views %}

## Views

| View | Columns | Description |
|---|--:|---|
{% for t in schema.views %}
| {% if t.table.link %}[{{ t.table.name | code_cell }}]({{ t.table.link }}){% else %}{{ t.table.name | code_cell }}{% endif %} | {{ t.columns }} | {{ t.comment | cell if t.comment else "" }} |
{% endfor %}
{% endif %}
{% if schema.enums %}

## Enums

| Enum | Values | Description |
|---|---|---|
{% for e in schema.enums %}
| {% if e.name.link %}[{{ e.name.name | code_cell }}]({{ e.name.link }}){% else %}{{ e.name.name | code_cell }}{% endif %} | {% for v in e.values %}{{ v | code_cell }}{% if not loop.last %}, {% endif %}{% endfor %} | {{ e.comment | cell if e.comment else "" }} |
{% endfor %}
{% endif %}
"#;

/// The template a scope's documents are rendered with.
pub fn template_name(scope: DocScope) -> &'static str {
    match scope {
        DocScope::Overview => "readme.md.j2",
        DocScope::Schema => SCHEMA_TEMPLATE_NAME,
        DocScope::Table => "table.md.j2",
        DocScope::Enum => "enum.md.j2",
    }
}

/// One generated document, before merging.
#[derive(Debug, Clone)]
pub struct Page {
    pub scope: DocScope,
    pub object_key: String,
    pub path: String,
    /// The generated Markdown, cut into marked sections.
    pub markdown: String,
    pub template: String,
}

#[derive(Serialize)]
struct SchemaContext<'a> {
    database: &'a DatabaseInfo,
    schema: SchemaSummary,
    readme: &'static str,
}

/// The documents of a Catalog and the whole Markdown docs set they come
/// from (diagrams and `schema.json` included, plus the schema documents),
/// rendered with the workspace's templates where it has them.
pub fn render_pages(
    catalog: &Catalog,
    templates: &[DocTemplate],
) -> Result<(Vec<Page>, DocSet), DocError> {
    let relations = catalog.relations();
    let custom = |scope: DocScope| templates.iter().find(|t| t.scope == scope);
    let mut overrides = Overrides::default();
    for template in templates.iter().filter(|t| t.scope != DocScope::Schema) {
        overrides.insert(template_name(template.scope), template.source.as_str());
    }
    let options = MarkdownOptions {
        templates: overrides,
        ..MarkdownOptions::default()
    };
    let mut docs = markdown::render(catalog, &relations, &options)?;
    let site = Site::new(catalog, &relations, None, Target::Pages);
    let origin = |scope: DocScope| {
        let from = if custom(scope).is_some() {
            "workspace"
        } else {
            "builtin"
        };
        format!("{from}:{}", template_name(scope))
    };
    let page = |docs: &DocSet, scope: DocScope, key: String, path: String| {
        docs.get(&path).map(|bytes| Page {
            scope,
            object_key: key,
            markdown: sectioned(&String::from_utf8_lossy(bytes)),
            path,
            template: origin(scope),
        })
    };
    let mut pages = Vec::new();
    pages.extend(page(
        &docs,
        DocScope::Overview,
        String::new(),
        "README.md".into(),
    ));

    let mut schema_overrides = Overrides::default();
    if let Some(template) = custom(DocScope::Schema) {
        schema_overrides.insert(SCHEMA_TEMPLATE_NAME, template.source.as_str());
    }
    let builtin = [(SCHEMA_TEMPLATE_NAME, SCHEMA_TEMPLATE)];
    let schema_templates = Templates::new(&builtin, &schema_overrides, markdown::TEMPLATE_SUFFIX)?;
    let mut taken = HashSet::new();
    for (index, schema) in documented_schemas(catalog).enumerate() {
        let path = schema_path(&schema.name, index, &mut taken);
        let context = SchemaContext {
            database: &site.database,
            schema: site.schema_summary(schema, &path),
            readme: "../README.md",
        };
        docs.insert(
            path.clone(),
            schema_templates.render(SCHEMA_TEMPLATE_NAME, &context)?,
        );
        pages.extend(page(&docs, DocScope::Schema, schema.name.clone(), path));
    }
    for (schema, table) in catalog.tables() {
        let name = QualifiedName::new(&schema.name, &table.name);
        if let Some(path) = site.table_page(&name) {
            pages.extend(page(&docs, DocScope::Table, name.to_string(), path));
        }
    }
    for schema in &catalog.schemas {
        for enum_type in &schema.enums {
            let name = QualifiedName::new(&schema.name, &enum_type.name);
            if let Some(path) = site.enum_page(&name) {
                pages.extend(page(&docs, DocScope::Enum, name.to_string(), path));
            }
        }
    }
    Ok((pages, docs))
}

/// `schemas/NAME.md` for a plain name, else the name cleaned and numbered,
/// so that no two schemas share a file even ignoring case.
fn schema_path(name: &str, index: usize, taken: &mut HashSet<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = if clean == name && !clean.is_empty() && !taken.contains(&clean.to_lowercase()) {
        clean
    } else {
        format!("{clean}-{index}")
    };
    taken.insert(stem.to_lowercase());
    format!("schemas/{stem}.md")
}

/// Checks that a template compiles and renders a small Catalog with every
/// kind of object; the error names the template's line.
pub fn check_template(scope: DocScope, source: &str) -> Result<(), String> {
    let candidate = DocTemplate {
        workspace_id: Uuid::nil(),
        scope,
        source: source.to_string(),
        updated_by: None,
        updated_at: carta_store::now(),
    };
    match render_pages(&sample_catalog(), &[candidate]) {
        Ok(_) => Ok(()),
        Err(DocError::Template { source, .. }) => Err(match source.line() {
            Some(line) => format!("line {line}: {source}"),
            None => source.to_string(),
        }),
        Err(other) => Err(other.to_string()),
    }
}

/// Two tables joined by a foreign key, a view and an enum.
fn sample_catalog() -> Catalog {
    let column = |name: &str, logical_type: LogicalType, comment: Option<&str>| Column {
        name: name.into(),
        data_type: "integer".into(),
        logical_type,
        nullable: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: comment.map(Into::into),
    };
    let integer = || LogicalType::Integer {
        bits: 32,
        unsigned: false,
    };
    let mut status = column(
        "status",
        LogicalType::Enum {
            name: Some(QualifiedName::new("app", "status")),
            values: vec!["open".into(), "shipped".into()],
        },
        None,
    );
    status.data_type = "app.status".into();
    let customers = Table {
        name: "customers".into(),
        comment: Some("People who buy".into()),
        columns: vec![column("id", integer(), Some("Key"))],
        primary_key: Some(PrimaryKey {
            name: Some("customers_pkey".into()),
            columns: vec!["id".into()],
            comment: None,
        }),
        ..Table::default()
    };
    let orders = Table {
        name: "orders".into(),
        columns: vec![
            column("id", integer(), None),
            column("customer_id", integer(), None),
            status,
        ],
        primary_key: Some(PrimaryKey {
            name: Some("orders_pkey".into()),
            columns: vec!["id".into()],
            comment: None,
        }),
        foreign_keys: vec![ForeignKey {
            name: Some("orders_customer_id_fkey".into()),
            columns: vec!["customer_id".into()],
            referenced_table: QualifiedName::new("app", "customers"),
            referenced_columns: vec!["id".into()],
            on_update: ReferentialAction::NoAction,
            on_delete: ReferentialAction::Cascade,
            match_type: Default::default(),
            deferrable: false,
            initially_deferred: false,
            comment: None,
        }],
        ..Table::default()
    };
    let view = Table {
        name: "open_orders".into(),
        kind: TableKind::View,
        columns: vec![column("id", integer(), None)],
        definition: Some("SELECT id FROM app.orders".into()),
        ..Table::default()
    };
    let mut catalog = Catalog::new(Dialect::Postgres);
    catalog.schemas.push(Schema {
        name: "app".into(),
        comment: Some("The application".into()),
        tables: vec![customers, orders, view],
        enums: vec![EnumType {
            name: "status".into(),
            values: vec!["open".into(), "shipped".into()],
            comment: None,
        }],
        ..Schema::default()
    });
    catalog.finish()
}

// sections

/// `## Foreign keys` -> `foreign-keys`.
fn slug(heading: &str) -> String {
    let mut slug = String::new();
    for c in heading.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug.to_string()
    }
}

/// Generated Markdown cut at `## ` headings outside code fences, as
/// `(name, body)`; bodies end with one newline and no blank line.
fn split_sections(markdown: &str) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        match fence {
            Some(open) if trimmed.trim_end() == open => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                fence = Some(&trimmed.trim_end()[..3]);
            }
            None => {}
        }
        let heading = line.strip_prefix("## ").filter(|_| fence.is_none());
        if let Some(heading) = heading {
            let base = slug(heading);
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            let name = if *count == 1 {
                base
            } else {
                format!("{base}-{count}")
            };
            sections.push((name, String::new()));
        } else if sections.is_empty() {
            sections.push((SUMMARY.to_string(), String::new()));
        }
        let body = &mut sections.last_mut().expect("a section was pushed").1;
        // Generated text never closes a section early, whatever a comment says.
        if trimmed.starts_with("<!-- carta:") {
            body.push('\\');
        }
        body.push_str(line);
    }
    for (_, body) in &mut sections {
        let kept = body.trim_end().len();
        body.truncate(kept);
        body.push('\n');
    }
    sections.retain(|(name, body)| name != SUMMARY || !body.trim().is_empty());
    sections
}

fn section_block(name: &str, body: &str) -> String {
    format!("{BEGIN}{name}{MARKER_CLOSE}\n{body}{END}{name}{MARKER_CLOSE}\n")
}

/// Generated Markdown with each section wrapped in its markers.
pub fn sectioned(markdown: &str) -> String {
    split_sections(markdown)
        .iter()
        .map(|(name, body)| section_block(name, body))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    /// People's text, outside markers.
    Text(&'a str),
    Section {
        name: &'a str,
        body: &'a str,
    },
}

fn marker_name<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.trim()
        .strip_prefix(prefix)?
        .strip_suffix(MARKER_CLOSE)
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
}

/// A document cut into text and sections. A begin marker without its end
/// marker is text: its section was taken over.
fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let mut found = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let closing = marker_name(line, BEGIN).and_then(|name| {
            lines[i + 1..]
                .iter()
                .position(|(_, l)| marker_name(l, END) == Some(name))
                .map(|j| (name, i + 1 + j))
        });
        if let Some((name, j)) = closing {
            if start > text_start {
                found.push(Segment::Text(&text[text_start..start]));
            }
            let body_start = start + line.len();
            let (end_start, end_line) = lines[j];
            found.push(Segment::Section {
                name,
                body: &text[body_start..end_start],
            });
            text_start = end_start + end_line.len();
            i = j + 1;
        } else {
            i += 1;
        }
    }
    if text_start < text.len() {
        found.push(Segment::Text(&text[text_start..]));
    }
    found
}

fn sections_of(text: &str) -> BTreeMap<&str, &str> {
    segments(text)
        .into_iter()
        .filter_map(|segment| match segment {
            Segment::Section { name, body } => Some((name, body)),
            Segment::Text(_) => None,
        })
        .collect()
}

/// A regeneration merged into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub content: String,
    /// Sections that people had changed, kept as they were.
    pub kept_edits: Vec<String>,
}

/// Merges `fresh` generated text into `current`, last generated as `last`
/// (the rule in the module documentation).
pub fn merge(current: &str, last: &str, fresh: &str) -> Merged {
    if current == last {
        return Merged {
            content: fresh.to_string(),
            kept_edits: Vec::new(),
        };
    }
    let old = sections_of(last);
    let new: Vec<(&str, &str)> = segments(fresh)
        .into_iter()
        .filter_map(|segment| match segment {
            Segment::Section { name, body } => Some((name, body)),
            Segment::Text(_) => None,
        })
        .collect();
    let parts = segments(current);
    let present: HashSet<&str> = parts
        .iter()
        .filter_map(|segment| match segment {
            Segment::Section { name, .. } => Some(*name),
            Segment::Text(_) => None,
        })
        .collect();
    // Sections new to the generator go after the section before them in
    // `fresh` that the document has (or before its first section).
    let mut after: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    let mut leading = Vec::new();
    let mut previous: Option<&str> = None;
    for (name, body) in &new {
        if !present.contains(name) && !old.contains_key(name) {
            match previous {
                Some(before) => after.entry(before).or_default().push((*name, *body)),
                None => leading.push((*name, *body)),
            }
        }
        if present.contains(name) {
            previous = Some(name);
        }
    }
    let fresh_body: HashMap<&str, &str> = new.iter().copied().collect();
    let mut content = String::with_capacity(current.len() + fresh.len() / 4);
    let mut kept_edits = Vec::new();
    let mut leading_done = false;
    let mut skip_blank = false;
    for part in parts {
        match part {
            Segment::Text(text) => {
                let text = if skip_blank {
                    text.strip_prefix('\n').unwrap_or(text)
                } else {
                    text
                };
                content.push_str(text);
                skip_blank = false;
            }
            Segment::Section { name, body } => {
                if !leading_done {
                    for (new_name, new_body) in leading.drain(..) {
                        content.push_str(&section_block(new_name, new_body));
                        content.push('\n');
                    }
                    leading_done = true;
                }
                let generated_before = old.get(name) == Some(&body);
                skip_blank = false;
                match fresh_body.get(name) {
                    Some(new_body) if generated_before || *new_body == body => {
                        content.push_str(&section_block(name, new_body));
                    }
                    None if generated_before => skip_blank = true,
                    _ => {
                        content.push_str(&section_block(name, body));
                        kept_edits.push(name.to_string());
                    }
                }
                for (new_name, new_body) in after.remove(name).unwrap_or_default() {
                    content.push('\n');
                    content.push_str(&section_block(new_name, new_body));
                }
            }
        }
    }
    for (new_name, new_body) in leading {
        if !content.is_empty() && !content.ends_with("\n\n") {
            content.push('\n');
        }
        content.push_str(&section_block(new_name, new_body));
    }
    Merged {
        content,
        kept_edits,
    }
}

/// The document without its markers: for downloads.
pub fn without_markers(content: &str) -> String {
    segments(content)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text,
            Segment::Section { body, .. } => body,
        })
        .collect()
}

/// What people wrote in a document: the text outside markers and the
/// sections that differ from what was generated, as paragraphs.
pub fn human_text(content: &str, generated: &str) -> String {
    let generated = sections_of(generated);
    segments(content)
        .into_iter()
        .filter_map(|segment| match segment {
            Segment::Text(text) => Some(text),
            Segment::Section { name, body } => (generated.get(name) != Some(&body)).then_some(body),
        })
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

// the job

/// The connection (and optional version) a docs job names.
pub fn docs_payload(connection: Uuid, version: Option<u32>) -> Value {
    json!({ "connection_id": connection, "version": version })
}

/// Where a generation stopped, from outside.
pub enum Generated {
    Done(Value),
    Cancelled,
}

/// How many times one document is merged again after a concurrent edit.
const SAVE_ATTEMPTS: usize = 3;

/// Runs a docs job: renders the version, merges every document, marks the
/// documents of missing objects orphaned; the result counts what changed
/// and lists the kept edits. Errors are messages free of secrets.
pub async fn run_job(state: &AppState, job: &Job) -> Result<Generated, String> {
    let workspace = job.workspace_id;
    let connection = job.payload["connection_id"]
        .as_str()
        .and_then(|id| id.parse::<Uuid>().ok())
        .ok_or("the job names no connection")?;
    let store = state.store();
    let failed = |what: &str| {
        let what = what.to_string();
        move |e: StoreError| format!("cannot {what}: {e}")
    };
    store
        .connection(workspace, connection)
        .await
        .map_err(failed("read the connection"))?
        .ok_or("the connection no longer exists")?;
    let version = match job.payload["version"].as_u64() {
        Some(version) => u32::try_from(version).map_err(|_| format!("no version {version}"))?,
        None => store
            .schema_versions(workspace, connection)
            .await
            .map_err(failed("read the versions"))?
            .first()
            .map(|v| v.version)
            .ok_or("the connection has no schema version yet: sync it first")?,
    };
    let (_, json) = store
        .schema_version(workspace, connection, version)
        .await
        .map_err(failed("read the version"))?
        .ok_or_else(|| format!("the connection has no version {version}"))?;
    let catalog: Catalog =
        serde_json::from_value(json).map_err(|e| format!("cannot read version {version}: {e}"))?;
    let templates = store
        .doc_templates(workspace)
        .await
        .map_err(failed("read the templates"))?;
    let (pages, _) = tokio::task::spawn_blocking(move || render_pages(&catalog, &templates))
        .await
        .map_err(|e| format!("rendering stopped: {e}"))?
        .map_err(|e| format!("cannot render the documentation: {e}"))?;
    if progress(state, job, 30).await {
        return Ok(Generated::Cancelled);
    }

    let existing: HashMap<(DocScope, String), Doc> = store
        .docs(DocFilter {
            workspace_id: workspace,
            connection_id: Some(connection),
            scope: None,
            orphaned: None,
        })
        .await
        .map_err(failed("read the documents"))?
        .into_iter()
        .map(|doc| ((doc.scope, doc.object_key.clone()), doc))
        .collect();
    let mut tally = Tally::default();
    let mut live = Vec::with_capacity(pages.len());
    let total = pages.len().max(1);
    for (done, page) in pages.into_iter().enumerate() {
        let before = existing
            .get(&(page.scope, page.object_key.clone()))
            .cloned();
        let saved = save_page(
            state, workspace, connection, version, &page, before, &mut tally,
        )
        .await
        .map_err(failed(&format!(
            "save the document of `{}`",
            page.object_key
        )))?;
        live.push(saved.id);
        if done % 50 == 49 {
            let percent = 30 + 65 * (done + 1) / total;
            if progress(state, job, u8::try_from(percent).unwrap_or(95)).await {
                return Ok(Generated::Cancelled);
            }
        }
    }
    let orphaned: Vec<String> = store
        .orphan_docs(workspace, connection, live.clone(), carta_store::now())
        .await
        .map_err(failed("mark orphaned documents"))?
        .into_iter()
        .map(|doc| doc.object_key)
        .collect();
    let result = json!({
        "connection_id": connection,
        "version": version,
        "documents": live.len(),
        "created": tally.created,
        "updated": tally.updated,
        "unchanged": tally.unchanged,
        "restored": tally.restored,
        "orphaned": orphaned,
        "kept_edits": tally.kept_edits,
    });
    emit(state, workspace, EventKind::DocsGenerated, result.clone()).await;
    Ok(Generated::Done(result))
}

#[derive(Default)]
struct Tally {
    created: usize,
    updated: usize,
    unchanged: usize,
    /// Documents that were orphaned and whose object came back.
    restored: Vec<String>,
    kept_edits: Vec<Value>,
}

/// Merges and saves one page; a person's edit saved meanwhile (Conflict)
/// is merged again from the document as it is now.
async fn save_page(
    state: &AppState,
    workspace: Uuid,
    connection: Uuid,
    version: u32,
    page: &Page,
    mut before: Option<Doc>,
    tally: &mut Tally,
) -> Result<Doc, StoreError> {
    let store = state.store();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let merged = before
            .as_ref()
            .map(|doc| merge(&doc.content_md, &doc.generated_md, &page.markdown));
        let content = merged
            .as_ref()
            .map_or(&page.markdown, |merged| &merged.content)
            .clone();
        let saved = store
            .save_generated_doc(GeneratedDoc {
                workspace_id: workspace,
                connection_id: connection,
                scope: page.scope,
                object_key: page.object_key.clone(),
                path: page.path.clone(),
                version,
                content_md: content,
                generated_md: page.markdown.clone(),
                template: page.template.clone(),
                expected_revision: before.as_ref().map(|doc| doc.revision),
            })
            .await;
        match saved {
            Ok(doc) => {
                match (&before, &merged) {
                    (None, _) => tally.created += 1,
                    (Some(old), _) if old.revision != doc.revision => tally.updated += 1,
                    _ => tally.unchanged += 1,
                }
                if before.as_ref().is_some_and(|old| old.orphaned_at.is_some()) {
                    tally.restored.push(page.object_key.clone());
                }
                if let Some(merged) = merged.filter(|m| !m.kept_edits.is_empty()) {
                    tally.kept_edits.push(json!({
                        "doc_id": doc.id,
                        "scope": page.scope,
                        "object_key": page.object_key,
                        "sections": merged.kept_edits,
                    }));
                }
                return Ok(doc);
            }
            Err(StoreError::Conflict(_)) if attempt < SAVE_ATTEMPTS => {
                before = store
                    .docs(DocFilter {
                        workspace_id: workspace,
                        connection_id: Some(connection),
                        scope: Some(page.scope),
                        orphaned: None,
                    })
                    .await?
                    .into_iter()
                    .find(|doc| doc.object_key == page.object_key);
            }
            Err(error) => return Err(error),
        }
    }
}

/// Records progress; whether a cancel was asked. A claim taken over by
/// another server (NotFound) changes nothing here: saving the same merge
/// twice is refused by the revision check, never applied twice.
async fn progress(state: &AppState, job: &Job, percent: u8) -> bool {
    match state
        .store()
        .job_progress(job.id, state.instance_id(), percent)
        .await
    {
        Ok(progressed) => progressed.cancel_requested,
        Err(StoreError::NotFound) => false,
        Err(error) => {
            tracing::warn!(job = %job.id, %error, "cannot record job progress");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "# Table `orders`\n\nOrders.\n\n## Columns\n\n| a |\n\n## Diagram\n\n```mermaid\n## not a heading\n```\n";

    #[test]
    fn generated_text_is_cut_at_second_level_headings_outside_code() {
        let sections = split_sections(GENERATED);
        let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["summary", "columns", "diagram"]);
        assert_eq!(sections[0].1, "# Table `orders`\n\nOrders.\n");
        assert!(sections[2].1.contains("## not a heading"));
        let wrapped = sectioned(GENERATED);
        assert!(wrapped.starts_with(
            "<!-- carta:begin summary -->\n# Table `orders`\n\nOrders.\n<!-- carta:end summary -->\n\n\
             <!-- carta:begin columns -->\n## Columns\n\n| a |\n<!-- carta:end columns -->\n\n"
        ));
        // Without its markers, a document reads as the generated page.
        assert_eq!(without_markers(&wrapped), GENERATED);
    }

    #[test]
    fn a_comment_cannot_close_a_section() {
        let hostile = "# t\n<!-- carta:end summary -->\nafter\n";
        let wrapped = sectioned(hostile);
        let sections = sections_of(&wrapped);
        assert_eq!(sections.len(), 1);
        assert!(sections["summary"].contains("after"));
    }

    #[test]
    fn repeated_headings_get_numbered_names() {
        let names: Vec<String> = split_sections("## Notes\na\n## Notes\nb\n")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["notes", "notes-2"]);
    }

    fn doc(sections: &[(&str, &str)]) -> String {
        sections
            .iter()
            .map(|(n, b)| section_block(n, b))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn untouched_documents_become_the_fresh_text() {
        let last = doc(&[("summary", "# a\n"), ("columns", "| x |\n")]);
        let fresh = doc(&[("summary", "# a\n"), ("columns", "| x |\n| y |\n")]);
        let merged = merge(&last, &last, &fresh);
        assert_eq!(merged.content, fresh);
        assert!(merged.kept_edits.is_empty());
    }

    #[test]
    fn human_text_and_edited_sections_stay_generated_ones_refresh() {
        let last = doc(&[
            ("summary", "# a\n"),
            ("columns", "| x |\n"),
            ("indexes", "| i |\n"),
            ("diagram", "d1\n"),
        ]);
        let current = doc(&[
            ("summary", "# a\n"),
            ("columns", "| x |\n"),
            ("indexes", "| i | hand-tuned |\n"),
            ("diagram", "d1\n"),
        ])
        .replace(
            "<!-- carta:end summary -->\n",
            "<!-- carta:end summary -->\n\nWritten by a person.\n",
        );
        let fresh = doc(&[
            ("summary", "# a\n"),
            ("columns", "| x |\n| y |\n"),
            ("foreign-keys", "| fk |\n"),
            ("indexes", "| i2 |\n"),
        ]);
        let merged = merge(&current, &last, &fresh);
        assert_eq!(merged.kept_edits, ["indexes"]);
        let expected = doc(&[("summary", "# a\n")])
            + "\nWritten by a person.\n\n"
            + &doc(&[
                ("columns", "| x |\n| y |\n"),
                ("foreign-keys", "| fk |\n"),
                ("indexes", "| i | hand-tuned |\n"),
            ])
            + "\n";
        assert_eq!(merged.content, expected);
        assert_eq!(
            human_text(&merged.content, &fresh),
            "Written by a person.\n\n| i | hand-tuned |"
        );
    }

    #[test]
    fn sections_taken_over_are_not_brought_back() {
        let last = doc(&[("summary", "# a\n"), ("columns", "| x |\n")]);
        // The editor removed the columns markers and rewrote the text.
        let current = doc(&[("summary", "# a\n")]) + "\n## Columns\n\nIn my words.\n";
        let fresh = doc(&[("summary", "# b\n"), ("columns", "| x | y |\n")]);
        let merged = merge(&current, &last, &fresh);
        assert_eq!(
            merged.content,
            doc(&[("summary", "# b\n")]) + "\n## Columns\n\nIn my words.\n"
        );
        assert!(merged.kept_edits.is_empty());
    }

    #[test]
    fn a_begin_marker_without_its_end_is_text() {
        let text = "<!-- carta:begin columns -->\nmine\n";
        assert_eq!(segments(text), [Segment::Text(text)]);
    }

    #[test]
    fn templates_are_checked_against_a_sample_catalog() {
        for scope in DocScope::ALL {
            let builtin = match scope {
                DocScope::Schema => SCHEMA_TEMPLATE,
                other => markdown::TEMPLATES
                    .iter()
                    .find(|(name, _)| *name == template_name(*other))
                    .map(|(_, source)| *source)
                    .expect("a built-in template"),
            };
            assert_eq!(check_template(*scope, builtin), Ok(()), "{scope}");
        }
        let error =
            check_template(DocScope::Table, "# {{ table.name }}\n{{ nope.x }}\n").unwrap_err();
        assert!(error.starts_with("line 2:"), "{error}");
        let error = check_template(DocScope::Schema, "{% for %}").unwrap_err();
        assert!(error.starts_with("line 1:"), "{error}");
    }

    #[test]
    fn every_object_gets_a_document_with_its_path() {
        let (pages, docs) = render_pages(&sample_catalog(), &[]).unwrap();
        let keys: Vec<(DocScope, &str, &str)> = pages
            .iter()
            .map(|p| (p.scope, p.object_key.as_str(), p.path.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                (DocScope::Overview, "", "README.md"),
                (DocScope::Schema, "app", "schemas/app.md"),
                (DocScope::Table, "app.customers", "tables/app.customers.md"),
                (
                    DocScope::Table,
                    "app.open_orders",
                    "tables/app.open_orders.md"
                ),
                (DocScope::Table, "app.orders", "tables/app.orders.md"),
                (DocScope::Enum, "app.status", "enums/app.status.md"),
            ]
        );
        assert!(docs.get("schemas/app.md").is_some());
        let schema = &pages[1].markdown;
        assert!(schema.contains("<!-- carta:begin tables -->"), "{schema}");
        assert!(
            schema.contains("[`customers`](../tables/app.customers.md)"),
            "{schema}"
        );
        assert!(pages.iter().all(|p| p.template.starts_with("builtin:")));
    }

    /// A person saves while a generation is merging: the generator's write
    /// is refused and merged again from the person's text, which survives.
    #[tokio::test]
    async fn an_edit_saved_during_a_merge_is_merged_again() {
        use carta_store::secrets::Keyring;
        use carta_store::{
            ConnectionMode, DbType, DocEdit, NewConnection, NewUser, SealedUri, Store, UserRole,
        };
        let dir = std::env::temp_dir().join(format!("carta-living-docs-{}", Uuid::new_v4()));
        let url = format!("sqlite://{}", dir.join("store.db").display());
        let store = Store::open(&url).await.unwrap();
        let keyring = Keyring::from_env_or_file(Some(&Keyring::generate_key()), None).unwrap();
        let state = AppState::new(store.clone(), crate::ServerConfig::new(url, keyring)).unwrap();
        let ada = store
            .create_user(NewUser {
                email: "ada@example.com".into(),
                full_name: "Ada".into(),
                password_hash: "x".into(),
                role: UserRole::Developer,
            })
            .await
            .unwrap();
        let ws = store.create_workspace("Docs", ada.id).await.unwrap().id;
        let connection = store
            .create_connection(NewConnection {
                workspace_id: ws,
                name: "app".into(),
                db_type: DbType::Postgres,
                mode: ConnectionMode::ReadOnly,
                uri: SealedUri {
                    ciphertext: vec![1],
                    key_id: "k".into(),
                },
                redacted_uri: "postgres://db/app".into(),
                created_by: Some(ada.id),
            })
            .await
            .unwrap()
            .id;
        let v1 = doc(&[("summary", "# a\n"), ("columns", "| x |\n")]);
        let page = |markdown: String| Page {
            scope: DocScope::Table,
            object_key: "app.t".into(),
            path: "tables/app.t.md".into(),
            markdown,
            template: "builtin:table.md.j2".into(),
        };
        let mut tally = Tally::default();
        let first = save_page(
            &state,
            ws,
            connection,
            1,
            &page(v1.clone()),
            None,
            &mut tally,
        )
        .await
        .unwrap();
        let mine = v1.clone() + "\nMine.\n";
        store
            .edit_doc(DocEdit {
                workspace_id: ws,
                doc_id: first.id,
                content_md: mine,
                author_id: ada.id,
                expected_revision: Some(1),
            })
            .await
            .unwrap();
        // The generator still holds revision 1.
        let v2 = doc(&[("summary", "# a\n"), ("columns", "| x |\n| y |\n")]);
        let saved = save_page(
            &state,
            ws,
            connection,
            2,
            &page(v2.clone()),
            Some(first),
            &mut tally,
        )
        .await
        .unwrap();
        assert_eq!(saved.revision, 3);
        assert_eq!(saved.content_md, v2 + "\nMine.\n");
        assert_eq!((tally.created, tally.updated), (1, 1));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn schema_paths_stay_unique_ignoring_case() {
        let mut taken = HashSet::new();
        assert_eq!(schema_path("app", 0, &mut taken), "schemas/app.md");
        assert_eq!(schema_path("App", 1, &mut taken), "schemas/App-1.md");
        assert_eq!(schema_path("../x y", 2, &mut taken), "schemas/___x_y-2.md");
    }
}
