use carta_catalog::{Catalog, QualifiedName, Relation, RelationGraph, RelationKind, Table};
use std::collections::BTreeSet;

/// What a diagram shows.
#[derive(Debug, Clone, Default)]
pub struct ErdOptions {
    /// Only key columns (primary and foreign keys), for large diagrams.
    pub keys_only: bool,
}

/// Tables and relations selected for one diagram, in canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    pub tables: Vec<DiagramTable>,
    pub edges: Vec<DiagramEdge>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagramTable {
    pub name: QualifiedName,
    pub is_view: bool,
    pub columns: Vec<DiagramColumn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagramColumn {
    pub name: String,
    pub data_type: String,
    pub primary_key: bool,
    pub foreign_key: bool,
    pub nullable: bool,
}

/// A relation from a child table (`from`) to its parent (`to`).
#[derive(Debug, Clone, PartialEq)]
pub struct DiagramEdge {
    pub from: QualifiedName,
    pub from_columns: Vec<String>,
    pub to: QualifiedName,
    pub to_columns: Vec<String>,
    /// Every child row has a parent (the referencing columns are NOT NULL).
    pub required: bool,
    /// Declared in configuration rather than by a foreign key.
    pub is_virtual: bool,
}

impl Diagram {
    /// Every table of the Catalog and every relation between them.
    pub fn whole(catalog: &Catalog, relations: &RelationGraph, options: &ErdOptions) -> Diagram {
        let names = catalog
            .tables()
            .map(|(s, t)| QualifiedName::new(&s.name, &t.name))
            .collect();
        Self::of(catalog, relations, &names, options)
    }

    /// `center` and the tables within `distance` relation hops of it.
    pub fn neighbourhood(
        catalog: &Catalog,
        relations: &RelationGraph,
        center: &QualifiedName,
        distance: usize,
        options: &ErdOptions,
    ) -> Diagram {
        let names = relations.neighbourhood(center, distance);
        Self::of(catalog, relations, &names, options)
    }

    fn of(
        catalog: &Catalog,
        relations: &RelationGraph,
        names: &BTreeSet<QualifiedName>,
        options: &ErdOptions,
    ) -> Diagram {
        let tables = names
            .iter()
            .filter_map(|name| {
                catalog
                    .table(name)
                    .map(|t| diagram_table(name, t, relations, options))
            })
            .collect();
        // The relations leaving the selected tables, not a scan of every
        // relation: a neighbourhood diagram per table would otherwise cost
        // tables × relations. Sorted by address, which is their order in
        // `relations.all()`, so edges keep the graph's order.
        let mut selected: Vec<&Relation> = names
            .iter()
            .flat_map(|name| relations.outgoing(name))
            .filter(|r| names.contains(&r.to))
            .collect();
        selected.sort_by_key(|r| std::ptr::from_ref::<Relation>(r) as usize);
        let edges = selected
            .into_iter()
            .map(|r| DiagramEdge {
                from: r.from.clone(),
                from_columns: r.from_columns.clone(),
                to: r.to.clone(),
                to_columns: r.to_columns.clone(),
                required: r.required,
                is_virtual: r.kind == RelationKind::Virtual,
            })
            .collect();
        Diagram { tables, edges }
    }
}

fn diagram_table(
    name: &QualifiedName,
    table: &Table,
    relations: &RelationGraph,
    options: &ErdOptions,
) -> DiagramTable {
    let primary: BTreeSet<&str> = table
        .primary_key
        .iter()
        .flat_map(|pk| pk.columns.iter().map(String::as_str))
        .collect();
    let foreign: BTreeSet<&str> = relations
        .outgoing(name)
        .flat_map(|r| r.from_columns.iter().map(String::as_str))
        .collect();
    let columns = table
        .columns
        .iter()
        .map(|c| DiagramColumn {
            name: c.name.clone(),
            data_type: c.data_type.clone(),
            primary_key: primary.contains(c.name.as_str()),
            foreign_key: foreign.contains(c.name.as_str()),
            nullable: c.nullable,
        })
        .filter(|c| !options.keys_only || c.primary_key || c.foreign_key)
        .collect();
    DiagramTable {
        name: name.clone(),
        is_view: table.kind.is_view(),
        columns,
    }
}
