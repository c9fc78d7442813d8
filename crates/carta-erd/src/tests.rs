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

/// A catalog from `schema.table` names and their parents; a parent written
/// `?schema.table` is referenced through a nullable column. Each table has
/// an `id` primary key, one `PARENT_id` column per parent and a `note`.
fn related(spec: &[(&str, &[&str])]) -> Catalog {
    let mut catalog = Catalog::new(Dialect::Postgres);
    let column = |name: String, nullable| Column {
        name,
        data_type: "bigint".into(),
        logical_type: LogicalType::Other,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    };
    for (qualified, parents) in spec {
        let (schema, name) = qualified.split_once('.').expect("schema.table");
        let mut columns = vec![column("id".into(), false)];
        let mut foreign_keys = Vec::new();
        for (i, parent) in parents.iter().enumerate() {
            let optional = parent.starts_with('?');
            let (parent_schema, parent_name) = parent
                .trim_start_matches('?')
                .split_once('.')
                .expect("schema.table");
            let fk_column = format!("{parent_name}_{i}_id");
            columns.push(column(fk_column.clone(), optional));
            foreign_keys.push(ForeignKey {
                name: None,
                columns: vec![fk_column],
                referenced_table: QualifiedName::new(parent_schema, parent_name),
                referenced_columns: vec!["id".into()],
                on_update: Default::default(),
                on_delete: Default::default(),
                match_type: Default::default(),
                deferrable: false,
                initially_deferred: false,
                comment: None,
            });
        }
        columns.push(column("note".into(), true));
        let table = Table {
            name: name.into(),
            columns,
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
                comment: None,
            }),
            foreign_keys,
            ..Table::default()
        };
        match catalog.schemas.iter_mut().find(|s| s.name == schema) {
            Some(s) => s.tables.push(table),
            None => catalog.schemas.push(Schema {
                name: schema.into(),
                tables: vec![table],
                ..Schema::default()
            }),
        }
    }
    catalog.finish()
}

fn whole(catalog: &Catalog) -> Diagram {
    Diagram::whole(catalog, &catalog.relations(), &ErdOptions::default())
}

fn overlap(a: &layout::Rect, b: &layout::Rect) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

/// Points along a route, curves sampled.
fn route_points(route: &layout::Route) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    let mut at = (0.0, 0.0);
    for step in &route.steps {
        match *step {
            layout::Step::Move(x, y) => at = (x, y),
            layout::Step::Line(x, y) => {
                for i in 1..=8 {
                    let t = f64::from(i) / 8.0;
                    points.push((at.0 + (x - at.0) * t, at.1 + (y - at.1) * t));
                }
                at = (x, y);
            }
            layout::Step::Curve([ax, ay, bx, by, x, y]) => {
                for i in 1..=16 {
                    let t = f64::from(i) / 16.0;
                    let u = 1.0 - t;
                    let bezier = |p0: f64, p1: f64, p2: f64, p3: f64| {
                        u * u * u * p0
                            + 3.0 * u * u * t * p1
                            + 3.0 * u * t * t * p2
                            + t * t * t * p3
                    };
                    points.push((bezier(at.0, ax, bx, x), bezier(at.1, ay, by, y)));
                }
                at = (x, y);
            }
        }
        if let layout::Step::Move(x, y) = step {
            points.push((*x, *y));
        }
    }
    points
}

/// What every drawing must satisfy: boxes apart, every relation drawn from
/// the referencing row of the child to the key row of the parent, lines
/// never through a box, schema backgrounds apart and around their tables.
fn assert_readable(diagram: &Diagram) {
    let drawing = diagram.drawing();
    let rects = &drawing.layout.nodes;
    assert_eq!(rects.len(), diagram.tables.len());
    for (i, a) in rects.iter().enumerate() {
        assert!(a.x >= 0.0 && a.y >= 0.0, "{a:?} off the canvas");
        assert!(a.right() <= drawing.layout.width && a.bottom() <= drawing.layout.height);
        for (j, b) in rects.iter().enumerate().skip(i + 1) {
            assert!(
                !overlap(a, b),
                "{} {a:?} overlaps {} {b:?}",
                diagram.tables[i].name,
                diagram.tables[j].name
            );
        }
    }
    assert_eq!(drawing.layout.routes.len(), diagram.edges.len());
    for (edge, route) in drawing.edges.iter().zip(&drawing.layout.routes) {
        let (child, parent) = (&rects[edge.child], &rects[edge.parent]);
        let on_side = |end: &layout::End, rect: &layout::Rect, port: f64| {
            let x = match end.side {
                layout::Side::Left => rect.x,
                layout::Side::Right => rect.right(),
            };
            (end.x - x).abs() < 0.01 && (end.y - (rect.y + port)).abs() < 0.01
        };
        if edge.parent != edge.child {
            assert!(
                on_side(&route.child_end, child, edge.child_port),
                "{route:?}"
            );
            assert!(
                on_side(&route.parent_end, parent, edge.parent_port),
                "{route:?}"
            );
        }
        for (x, y) in route_points(route) {
            for (n, r) in rects.iter().enumerate() {
                let inside =
                    x > r.x + 0.5 && x < r.right() - 0.5 && y > r.y + 0.5 && y < r.bottom() - 0.5;
                assert!(
                    !inside,
                    "relation {:?} runs through {} at ({x}, {y})",
                    drawing.drawn[0], diagram.tables[n].name
                );
            }
        }
    }
    let groups = &drawing.layout.groups;
    for (i, a) in groups.iter().enumerate() {
        for b in groups.iter().skip(i + 1) {
            assert!(
                !overlap(&a.rect, &b.rect),
                "schema boxes {a:?} and {b:?} overlap"
            );
        }
    }
    if !groups.is_empty() {
        let schemas = diagram.schema_names();
        for (table, rect) in diagram.tables.iter().zip(rects) {
            let group = schemas.binary_search(&table.name.schema.as_str()).unwrap();
            assert!(
                groups.iter().any(|g| g.group == group
                    && g.rect.x <= rect.x
                    && g.rect.y <= rect.y
                    && g.rect.right() >= rect.right()
                    && g.rect.bottom() >= rect.bottom()),
                "{} is outside its schema's box",
                table.name
            );
        }
    }
}

#[test]
fn a_tree_of_300_tables_is_readable_with_parents_left_of_children() {
    let diagram = catalog_diagram(300);
    assert_readable(&diagram);
    let drawing = diagram.drawing();
    for edge in &drawing.edges {
        let (parent, child) = (
            &drawing.layout.nodes[edge.parent],
            &drawing.layout.nodes[edge.child],
        );
        assert!(
            parent.right() < child.x,
            "{parent:?} is not left of {child:?}"
        );
    }
}

#[test]
fn cycles_mutual_references_and_self_references_are_drawn() {
    let catalog = related(&[
        ("app.a", &["app.c"]),
        ("app.b", &["app.a", "?app.b"]),
        ("app.c", &["app.b"]),
        ("app.d", &["?app.e"]),
        ("app.e", &["?app.d"]),
        ("app.f", &["app.f"]),
    ]);
    let diagram = whole(&catalog);
    assert_eq!(diagram.edges.len(), 7);
    assert_readable(&diagram);
    let drawing = diagram.drawing();
    let loops: Vec<_> = drawing
        .edges
        .iter()
        .zip(&drawing.layout.routes)
        .filter(|(e, _)| e.parent == e.child)
        .collect();
    assert_eq!(loops.len(), 2, "b and f reference themselves");
    for (edge, route) in loops {
        let rect = &drawing.layout.nodes[edge.child];
        assert_eq!(route.child_end.side, layout::Side::Left);
        assert_eq!(route.child_end.x, rect.x);
        assert_eq!(route.child_end.y, rect.y + edge.child_port);
        assert_eq!(route.parent_end.y, rect.y + edge.parent_port);
    }
    let svg = diagram.to_svg(&|_| None);
    assert_eq!(svg.matches("class=\"relation\"").count(), 7);
}

#[test]
fn schemas_get_labelled_bands_and_cross_schema_relations_are_drawn() {
    let catalog = related(&[
        ("billing.invoice", &["identity.customer", "sales.order"]),
        ("billing.payment", &["billing.invoice"]),
        ("identity.customer", &[]),
        ("identity.address", &["identity.customer"]),
        ("sales.order", &["identity.customer"]),
        ("sales.line", &["sales.order", "?sales.product"]),
        ("sales.product", &[]),
        ("sales.setting", &[]),
        ("audit.event", &[]),
    ]);
    let diagram = whole(&catalog);
    assert_readable(&diagram);
    let drawing = diagram.drawing();
    // Billing, identity and sales each have a band in the connected part;
    // the lone tables of audit and sales have a grid each.
    assert_eq!(drawing.layout.groups.len(), 5);
    let svg = diagram.to_svg(&|_| None);
    for schema in ["audit", "billing", "identity", "sales"] {
        assert!(
            svg.contains(&format!(
                "<g class=\"erd-schema\" data-schema=\"{schema}\">"
            )),
            "{schema}"
        );
    }
    // Headers show the bare table name; the band names the schema.
    assert!(svg.contains(">invoice</text>"));
    assert!(!svg.contains(">billing.invoice</text>"));
}

#[test]
fn one_schema_draws_no_schema_band() {
    let diagram = catalog_diagram(5);
    assert!(diagram.drawing().layout.groups.is_empty());
    assert!(!diagram.to_svg(&|_| None).contains("erd-schema\""));
}

#[test]
fn isolated_tables_and_components_are_packed_compactly() {
    let mut spec: Vec<(String, Vec<String>)> = (0..60)
        .map(|i| (format!("app.lone{i:02}"), Vec::new()))
        .collect();
    for c in 0..6 {
        spec.push((format!("app.root{c}"), Vec::new()));
        for k in 0..4 {
            spec.push((format!("app.leaf{c}_{k}"), vec![format!("app.root{c}")]));
        }
    }
    let parents: Vec<Vec<&str>> = spec
        .iter()
        .map(|(_, p)| p.iter().map(String::as_str).collect())
        .collect();
    let spec: Vec<(&str, &[&str])> = spec
        .iter()
        .zip(&parents)
        .map(|((n, _), p)| (n.as_str(), p.as_slice()))
        .collect();
    let diagram = whole(&related(&spec));
    assert_readable(&diagram);
    let layout = diagram.drawing().layout;
    let boxes: f64 = layout.nodes.iter().map(|r| r.width * r.height).sum();
    let fill = boxes / (layout.width * layout.height);
    assert!(fill > 0.25, "boxes fill only {fill:.2} of the picture");
    let aspect = layout.width / layout.height;
    assert!((0.4..4.0).contains(&aspect), "aspect {aspect:.2}");
}

#[test]
fn svg_is_byte_identical_for_the_same_input() {
    let catalog = related(&[
        ("app.a", &["app.c"]),
        ("app.b", &["app.a", "?app.b"]),
        ("app.c", &["app.b"]),
        ("ops.d", &["app.a", "app.c"]),
        ("ops.e", &[]),
    ]);
    let first = whole(&catalog).to_svg(&|n| Some(format!("{n}.html")));
    for _ in 0..3 {
        let again = whole(&catalog.clone()).to_svg(&|n| Some(format!("{n}.html")));
        assert_eq!(first, again);
    }
    assert_eq!(
        catalog_diagram(300).to_svg(&|_| None),
        catalog_diagram(300).to_svg(&|_| None)
    );
}

#[test]
fn relations_attach_at_the_referencing_and_referenced_rows() {
    let catalog = related(&[
        ("app.parent", &[]),
        ("app.child", &["app.parent", "?app.parent"]),
    ]);
    let diagram = whole(&catalog);
    let drawing = diagram.drawing();
    let child = diagram
        .tables
        .iter()
        .position(|t| t.name.name == "child")
        .unwrap();
    let ports: Vec<f64> = drawing.edges.iter().map(|e| e.child_port).collect();
    // Two relations from different rows of the child (1: parent_0_id, 2: parent_1_id) to the parent's id row.
    assert_eq!(ports.len(), 2);
    assert!(ports[0] != ports[1], "{ports:?}");
    for (edge, route) in drawing.edges.iter().zip(&drawing.layout.routes) {
        assert_eq!(edge.child, child);
        assert_eq!(
            route.parent_end.y,
            drawing.layout.nodes[edge.parent].y + edge.parent_port
        );
    }
    let svg = diagram.to_svg(&|_| None);
    // One required parent (two bars), one optional (bar and circle), two crow's feet with circles.
    assert_eq!(svg.matches("<circle").count(), 3);
}

#[test]
fn views_and_virtual_relations_are_styled_apart() {
    let mut catalog = related(&[("app.parent", &[]), ("app.child", &["app.parent"])]);
    catalog.schemas[0].tables[0].kind = carta_catalog::TableKind::View;
    let mut diagram = whole(&catalog);
    diagram.edges[0].is_virtual = true;
    let svg = diagram.to_svg(&|_| None);
    assert_eq!(svg.matches("class=\"table erd-view\"").count(), 1);
    assert!(svg.contains("<path class=\"erd-dash\""));
}

/// A small shop: a required and an optional relation, a self-reference,
/// a view and a table without relations.
fn shop() -> Diagram {
    let mut catalog = related(&[
        ("shop.customer", &["?shop.customer"]),
        ("shop.order", &["shop.customer", "?shop.coupon"]),
        ("shop.coupon", &[]),
        ("shop.note", &[]),
    ]);
    let note = catalog.schemas[0]
        .tables
        .iter_mut()
        .find(|t| t.name == "note")
        .unwrap();
    note.kind = carta_catalog::TableKind::View;
    whole(&catalog.finish())
}

#[test]
fn small_diagram_svg() {
    insta::assert_snapshot!(shop().to_svg(&|n| Some(format!("tables/{}.{}.md", n.schema, n.name))));
}

#[test]
fn small_diagram_mermaid() {
    insta::assert_snapshot!(shop().to_mermaid().concat());
}

#[test]
fn small_diagram_dot() {
    insta::assert_snapshot!(shop().to_dot());
}
