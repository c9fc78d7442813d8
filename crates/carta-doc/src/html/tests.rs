use super::*;
use carta_catalog::{
    Column, Dialect, ForeignKey, LogicalType, PrimaryKey, ReferentialAction, Schema, Table,
    TableKind,
};

fn column(name: &str, comment: Option<&str>) -> Column {
    Column {
        name: name.into(),
        data_type: "integer".into(),
        logical_type: LogicalType::Integer {
            bits: 32,
            unsigned: false,
        },
        nullable: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: comment.map(Into::into),
    }
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        name: name.into(),
        primary_key: Some(PrimaryKey {
            name: Some(format!("{name}_pkey")),
            columns: vec![columns[0].name.clone()],
            comment: None,
        }),
        columns,
        ..Table::default()
    }
}

fn catalog() -> Catalog {
    let mut orgs = table("orgs", vec![column("id", Some("Organization <id>"))]);
    orgs.comment = Some("Customers & their <plans>".into());
    let mut users = table(
        "users",
        vec![column("id", None), column("org_id", Some("Owning org"))],
    );
    users.foreign_keys.push(ForeignKey {
        name: Some("users_org_id_fkey".into()),
        columns: vec!["org_id".into()],
        referenced_table: QualifiedName::new("app", "orgs"),
        referenced_columns: vec!["id".into()],
        on_update: ReferentialAction::Cascade,
        on_delete: ReferentialAction::Restrict,
        match_type: Default::default(),
        deferrable: false,
        initially_deferred: false,
        comment: None,
    });
    let mut view = table("active_users", vec![column("id", None)]);
    view.kind = TableKind::View;
    view.primary_key = None;
    view.definition = Some("SELECT id\n\n  FROM app.users".into());
    let mut catalog = Catalog::new(Dialect::Postgres);
    catalog.schemas.push(Schema {
        name: "app".into(),
        tables: vec![
            orgs,
            users,
            view,
            table("Users", vec![column("id", None)]),
            table("../../etc/passwd", vec![column("id", None)]),
        ],
        ..Schema::default()
    });
    catalog.finish()
}

fn site() -> DocSet {
    let catalog = catalog();
    render(&catalog, &catalog.relations(), &HtmlOptions::default()).unwrap()
}

fn text<'a>(docs: &'a DocSet, path: &str) -> &'a str {
    std::str::from_utf8(docs.get(path).unwrap_or_else(|| panic!("no {path}"))).unwrap()
}

#[test]
fn the_site_is_byte_identical_for_the_same_catalog() {
    let catalog = catalog();
    let relations = catalog.relations();
    let first = render(&catalog, &relations, &HtmlOptions::default()).unwrap();
    let second = render(&catalog, &relations, &HtmlOptions::default()).unwrap();
    assert_eq!(first, second);
}

/// Where a table's page is, relative to the site root.
fn page(name: &str) -> String {
    PagePaths::new(&catalog())
        .href_from_root(&QualifiedName::new("app", name))
        .unwrap()
}

#[test]
fn every_table_gets_a_page_whose_name_is_safe_and_unique_ignoring_case() {
    let docs = site();
    let pages: Vec<&str> = docs.paths().filter(|p| p.starts_with("tables/")).collect();
    assert_eq!(pages.len(), 5);
    let folded: std::collections::BTreeSet<String> =
        pages.iter().map(|p| p.to_lowercase()).collect();
    assert_eq!(folded.len(), 5, "{pages:?}");
    for path in &pages {
        let name = path.strip_prefix("tables/").unwrap();
        assert!(!name.contains('/') && name.ends_with(".html"), "{path}");
    }
    assert_eq!(page("orgs"), "tables/app.orgs.html");
    for path in [
        "index.html",
        "search-index.js",
        "assets/carta.css",
        "assets/carta.js",
    ] {
        assert!(docs.get(path).is_some(), "{path} missing");
    }
}

#[test]
fn foreign_keys_link_both_ways_with_their_actions() {
    let docs = site();
    let users_page = page("users");
    let users = text(&docs, &users_page);
    assert!(users.contains(r#"<a class="fk-link" href="app.orgs.html">app.orgs</a>"#));
    assert!(users.contains("on delete restrict"));
    assert!(users.contains("on update cascade"));
    let orgs = text(&docs, "tables/app.orgs.html");
    let users_file = users_page.strip_prefix("tables/").unwrap();
    assert!(orgs.contains(&format!(
        r#"<a class="ref-link" href="{users_file}">app.users</a>"#
    )));
}

#[test]
fn catalog_text_is_escaped_and_view_definitions_keep_their_lines() {
    let docs = site();
    let index = text(&docs, "index.html");
    assert!(index.contains("Customers &amp; their &lt;plans&gt;"));
    assert!(!index.contains("<plans>"));
    let view = text(&docs, "tables/app.active_users.html");
    assert!(view.contains("SELECT id\n\n  FROM app.users"));
}

#[test]
fn diagrams_link_tables_to_their_pages_relative_to_each_page() {
    let docs = site();
    let index = text(&docs, "index.html");
    assert!(index.contains(r#"<a href="tables/app.orgs.html">"#));
    assert!(index.contains(r#"data-table="app.orgs""#));
    let users = text(&docs, &page("users"));
    assert!(users.contains(r#"<a href="app.orgs.html">"#));
    assert!(users.contains(r#"data-current="app.users""#));
}

#[test]
fn the_search_index_lists_tables_columns_and_comments_with_page_links() {
    let docs = site();
    let js = text(&docs, "search-index.js");
    assert!(js.starts_with("window.CARTA_SEARCH = ["));
    assert!(js.contains(
        r#"["table","app.orgs","","Customers & their <plans>","tables/app.orgs.html",[["#
    ));
    // Columns are nested in their table's entry, which holds the page URL.
    assert!(js.contains(&format!(
        r#"["table","app.users","","","{}",["#,
        page("users")
    )));
    assert!(js.contains(r#"["org_id","integer","Owning org","col-org_id"]"#));
    assert!(js.contains(r#"["view","app.active_users""#));
}

#[test]
fn a_template_override_replaces_the_built_in_one_and_bad_ones_are_typed_errors() {
    let catalog = catalog();
    let relations = catalog.relations();
    let mut options = HtmlOptions::default();
    options.templates.insert(
        "index.html.j2".into(),
        "<h1>{{ site.title }}: {{ schemas|length }} schema</h1>".into(),
    );
    options.title = Some("Shop".into());
    let docs = render(&catalog, &relations, &options).unwrap();
    assert_eq!(text(&docs, "index.html"), "<h1>Shop: 1 schema</h1>");

    options
        .templates
        .insert("index.html.j2".into(), "{{ no_such_value }}".into());
    let error = render(&catalog, &relations, &options).unwrap_err();
    assert!(matches!(&error, DocError::Template { name, .. } if name == "index.html.j2"));

    options.templates.clear();
    options
        .templates
        .insert("readme.md.j2".into(), "another format's".into());
    assert!(render(&catalog, &relations, &options).is_ok());
    options
        .templates
        .insert("tabel.html.j2".into(), "misspelt".into());
    let error = render(&catalog, &relations, &options).unwrap_err();
    assert!(matches!(&error, DocError::UnknownTemplate { name, .. } if name == "tabel.html.j2"));
}

#[test]
fn above_the_threshold_the_whole_diagram_shows_key_columns_only() {
    let catalog = catalog();
    let relations = catalog.relations();
    let full = site();
    let keys_only = render(
        &catalog,
        &relations,
        &HtmlOptions {
            keys_only_above: 4,
            ..HtmlOptions::default()
        },
    )
    .unwrap();
    let id_rows = |docs: &DocSet, path: &str| text(docs, path).matches(">id<").count();
    // The view's `id` is no key: gone from the whole diagram, still on the view's own page.
    assert_eq!(
        id_rows(&keys_only, "index.html") + 1,
        id_rows(&full, "index.html")
    );
    assert!(text(&keys_only, "index.html").contains("Key columns only, for 5 tables"));
    assert!(!text(&full, "index.html").contains("Key columns only"));
    let view = page("active_users");
    assert_eq!(text(&keys_only, &view), text(&full, &view));
}
