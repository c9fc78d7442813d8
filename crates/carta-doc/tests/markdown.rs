//! Markdown output of a small schema read from DDL: snapshots of the
//! overview and a table page, links between pages, escaping, determinism.

use carta_catalog::Catalog;
use carta_doc::markdown::{render, MarkdownOptions};
use carta_doc::templates::Overrides;
use carta_doc::{DocError, DocSet};
use carta_source::{DdlFile, IngestOptions};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read_ddl(path: &Path) -> Catalog {
    let text = std::fs::read_to_string(path).unwrap();
    let ingested = carta_postgres::ingest_ddl(
        &[DdlFile {
            path: path.to_path_buf(),
            text,
        }],
        &IngestOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(ingested.warnings.is_empty(), "{:?}", ingested.warnings);
    let mut catalog = ingested.catalog;
    // The location is the absolute fixture path, which differs between checkouts.
    catalog.source = None;
    catalog
}

fn shop() -> Catalog {
    read_ddl(&fixture("shop.sql"))
}

fn render_default(catalog: &Catalog) -> DocSet {
    render(catalog, &catalog.relations(), &MarkdownOptions::default()).unwrap()
}

fn text<'a>(docs: &'a DocSet, path: &str) -> &'a str {
    let bytes = docs.get(path).unwrap_or_else(|| {
        panic!(
            "{path} not generated; have {:?}",
            docs.paths().collect::<Vec<_>>()
        )
    });
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn pages_for_every_table_view_and_enum_plus_diagrams_and_the_catalog() {
    let catalog = shop();
    let docs = render_default(&catalog);
    let paths: Vec<&str> = docs.paths().collect();
    assert_eq!(
        paths,
        [
            "README.md",
            "diagrams/shop.big_customers.svg",
            "diagrams/shop.customers.svg",
            "diagrams/shop.orders.svg",
            "diagrams/shop.orders_2025_01.svg",
            "enums/shop.order_status.md",
            "erd.dot",
            "erd.svg",
            "schema.json",
            "tables/shop.big_customers.md",
            "tables/shop.customers.md",
            "tables/shop.orders.md",
            "tables/shop.orders_2025_01.md",
        ]
    );
    assert_eq!(text(&docs, "schema.json"), catalog.to_json());
    assert!(text(&docs, "erd.svg").starts_with("<svg"));
    assert!(text(&docs, "erd.dot").starts_with("digraph"));
}

#[test]
fn readme_snapshot() {
    insta::assert_snapshot!(text(&render_default(&shop()), "README.md"));
}

#[test]
fn table_page_snapshot() {
    insta::assert_snapshot!(text(&render_default(&shop()), "tables/shop.orders.md"));
}

#[test]
fn customer_page_escapes_cells_and_links_both_ways() {
    let docs = render_default(&shop());
    let customers = text(&docs, "tables/shop.customers.md");
    // A comment's `|` and line break cannot break the overview's table row.
    let readme = text(&docs, "README.md");
    assert!(
        readme.contains("| People who buy \\| sell.<br>Second line of the comment. |"),
        "{readme}"
    );
    assert!(
        customers.contains("Login &lt;and&gt; contact address"),
        "{customers}"
    );
    // Referenced by orders, with a link back; orders links here.
    assert!(
        customers.contains("| [`orders`](shop.orders.md) | `customer_id` | `id` | cascade |"),
        "{customers}"
    );
    assert!(
        text(&docs, "tables/shop.orders.md").contains("FK → [`customers`](shop.customers.md).`id`")
    );
    // The CHECK list becomes the column's values.
    assert!(customers.contains("One of `basic`, `gold`."), "{customers}");
    assert!(customers.contains("## Row-level security"), "{customers}");
    assert!(
        customers.contains("| `own_rows` | SELECT | permissive | public |"),
        "{customers}"
    );
}

#[test]
fn partitions_are_listed_under_their_parent_and_link_back() {
    let docs = render_default(&shop());
    let parent = text(&docs, "tables/shop.orders.md");
    assert!(
        parent.contains("| [`orders_2025_01`](shop.orders_2025_01.md) |"),
        "{parent}"
    );
    let child = text(&docs, "tables/shop.orders_2025_01.md");
    assert!(
        child.contains("Partition of [`orders`](shop.orders.md)"),
        "{child}"
    );
    let readme = text(&docs, "README.md");
    assert!(
        !readme.contains("[`orders_2025_01`]"),
        "partitions are counted, not listed: {readme}"
    );
}

#[test]
fn views_show_their_definition_and_enums_their_users() {
    let docs = render_default(&shop());
    let view = text(&docs, "tables/shop.big_customers.md");
    assert!(view.contains("## Definition\n\n```sql\n"), "{view}");
    let enum_page = text(&docs, "enums/shop.order_status.md");
    assert!(enum_page.contains("| 2 | `paid` |"), "{enum_page}");
    assert!(
        enum_page.contains("- [`orders`](../tables/shop.orders.md).`status`"),
        "{enum_page}"
    );
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let first = render_default(&shop());
    let again = render_default(&shop());
    assert_eq!(first, again);
}

#[test]
fn templates_can_be_overridden_by_name() {
    let catalog = shop();
    let mut templates = Overrides::default();
    templates.insert(
        "enum.md.j2",
        "{{ enum.name.name }}: {{ enum.values | join(\" / \") }}\n",
    );
    let options = MarkdownOptions {
        templates,
        ..MarkdownOptions::default()
    };
    let docs = render(&catalog, &catalog.relations(), &options).unwrap();
    assert_eq!(
        text(&docs, "enums/shop.order_status.md"),
        "order_status: pending / paid / shipped\n"
    );

    let mut templates = Overrides::default();
    templates.insert("tabel.md.j2", "typo");
    let options = MarkdownOptions {
        templates,
        ..MarkdownOptions::default()
    };
    let error = render(&catalog, &catalog.relations(), &options).unwrap_err();
    assert!(matches!(error, DocError::UnknownTemplate { .. }), "{error}");
}
