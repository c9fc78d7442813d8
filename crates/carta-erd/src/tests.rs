use super::*;
use carta_catalog::{
    Catalog, Column, Dialect, ForeignKey, LogicalType, PrimaryKey, QualifiedName, Schema, Table,
};

fn catalog(tables: usize) -> Catalog {
    let mut catalog = Catalog::new(Dialect::Postgres);
    let column = |name: &str, nullable| Column {
        name: name.into(),
        data_type: "character varying(20)".into(),
        logical_type: LogicalType::Other,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    };
    let tables = (0..tables)
        .map(|i| Table {
            name: format!("t{i:03}"),
            columns: vec![column("id", false), column("parent_id", i % 2 == 0)],
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
                comment: None,
            }),
            foreign_keys: (i > 0)
                .then(|| ForeignKey {
                    name: Some(format!("t{i:03}_parent_id_fkey")),
                    columns: vec!["parent_id".into()],
                    referenced_table: QualifiedName::new("app", format!("t{:03}", i / 2)),
                    referenced_columns: vec!["id".into()],
                    on_update: Default::default(),
                    on_delete: Default::default(),
                    match_type: Default::default(),
                    deferrable: false,
                    initially_deferred: false,
                    comment: None,
                })
                .into_iter()
                .collect(),
            ..Table::default()
        })
        .collect();
    catalog.schemas.push(Schema {
        name: "app".into(),
        tables,
        ..Schema::default()
    });
    catalog.finish()
}

#[test]
fn neighbourhood_selects_tables_within_the_distance() {
    let catalog = catalog(8);
    let relations = catalog.relations();
    let center = QualifiedName::new("app", "t002");
    let diagram = Diagram::neighbourhood(&catalog, &relations, &center, 1, &ErdOptions::default());
    let names: Vec<_> = diagram
        .tables
        .iter()
        .map(|t| t.name.name.as_str())
        .collect();
    // t002's parent is t001; its children are t004 and t005.
    assert_eq!(names, ["t001", "t002", "t004", "t005"]);
    assert_eq!(diagram.edges.len(), 3);
}

#[test]
fn mermaid_splits_below_the_limit_and_keeps_every_table_and_relation() {
    let catalog = catalog(300);
    let diagram = Diagram::whole(&catalog, &catalog.relations(), &ErdOptions::default());
    let limit = 5_000;
    let blocks = diagram.to_mermaid_limited(limit);
    assert!(blocks.len() > 1);
    for block in &blocks {
        assert!(block.len() < limit, "block of {} chars", block.len());
        assert!(block.starts_with("erDiagram\n"));
    }
    let all = blocks.concat();
    for i in 0..300 {
        assert!(all.contains(&format!(
            "app__t{i:03}[\"app.t{i:03}\"] {{\n        character_varying(20) id PK"
        )));
    }
    assert_eq!(all.matches(" : \"parent_id\"").count(), 299);
    assert_eq!(
        diagram.to_mermaid().len(),
        2,
        "300 tables need two default-size blocks"
    );
    let small = catalog_diagram(100);
    assert_eq!(
        small.to_mermaid().len(),
        1,
        "100 small tables fit one block"
    );
}

fn catalog_diagram(tables: usize) -> Diagram {
    let catalog = catalog(tables);
    Diagram::whole(&catalog, &catalog.relations(), &ErdOptions::default())
}

#[test]
fn optional_parents_are_drawn_zero_or_one() {
    let catalog = catalog(3);
    let diagram = Diagram::whole(&catalog, &catalog.relations(), &ErdOptions::default());
    let text = diagram.to_mermaid().concat();
    assert!(text.contains("app__t001 |o--o{ app__t002"), "{text}");
    assert!(text.contains("app__t000 ||--o{ app__t001"), "{text}");
}

#[test]
fn keys_only_keeps_key_columns() {
    let mut catalog = catalog(2);
    let note = Column {
        name: "note".into(),
        ..catalog.schemas[0].tables[0].columns[0].clone()
    };
    catalog.schemas[0].tables[0].columns.push(note);
    let options = ErdOptions { keys_only: true };
    let diagram = Diagram::whole(&catalog, &catalog.relations(), &options);
    assert!(diagram
        .tables
        .iter()
        .all(|t| t.columns.iter().all(|c| c.name != "note")));
}

#[test]
fn svg_links_tables_and_escapes_text() {
    let catalog = catalog(2);
    let diagram = Diagram::whole(&catalog, &catalog.relations(), &ErdOptions::default());
    let svg = diagram.to_svg(&|name| Some(format!("tables/{}.html?a=1&b=2", name.name)));
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("<a href=\"tables/t000.html?a=1&amp;b=2\">"));
    assert!(svg.contains("data-table=\"app.t001\""));
    assert_eq!(svg.matches("class=\"relation\"").count(), 1);
}

#[test]
fn dot_has_a_node_per_table_and_an_edge_per_relation() {
    let catalog = catalog(4);
    let dot = Diagram::whole(&catalog, &catalog.relations(), &ErdOptions::default()).to_dot();
    assert_eq!(dot.matches("[label=<<table").count(), 4);
    assert_eq!(dot.matches(" -> ").count(), 3);
}
