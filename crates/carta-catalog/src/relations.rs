//! The relation graph: foreign keys (and, later, user-declared virtual
//! relations) between tables. ER diagrams, lint, mock ordering and join-path
//! search all read this one structure instead of walking foreign keys.

use crate::{Catalog, QualifiedName, ReferentialAction};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// Declared in the database as a foreign key.
    ForeignKey,
    /// Declared by the user in configuration, not enforced by the database.
    Virtual,
}

/// A directed edge from the referencing (child) table to the referenced (parent) table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub kind: RelationKind,
    pub name: Option<String>,
    pub from: QualifiedName,
    pub from_columns: Vec<String>,
    pub to: QualifiedName,
    pub to_columns: Vec<String>,
    /// True when every referencing column is NOT NULL: each child row has a parent.
    pub required: bool,
    pub on_delete: ReferentialAction,
}

/// All relations of a Catalog with per-table adjacency.
#[derive(Debug, Clone, Default)]
pub struct RelationGraph {
    relations: Vec<Relation>,
    outgoing: BTreeMap<QualifiedName, Vec<usize>>,
    incoming: BTreeMap<QualifiedName, Vec<usize>>,
}

impl RelationGraph {
    pub fn from_catalog(catalog: &Catalog) -> Self {
        let mut relations = Vec::new();
        for (schema, table) in catalog.tables() {
            let from = QualifiedName::new(&schema.name, &table.name);
            for fk in &table.foreign_keys {
                let required = fk
                    .columns
                    .iter()
                    .all(|c| table.column(c).is_some_and(|col| !col.nullable));
                relations.push(Relation {
                    kind: RelationKind::ForeignKey,
                    name: fk.name.clone(),
                    from: from.clone(),
                    from_columns: fk.columns.clone(),
                    to: fk.referenced_table.clone(),
                    to_columns: fk.referenced_columns.clone(),
                    required,
                    on_delete: fk.on_delete,
                });
            }
        }
        Self::from_relations(relations)
    }

    pub fn from_relations(relations: Vec<Relation>) -> Self {
        let mut outgoing: BTreeMap<QualifiedName, Vec<usize>> = BTreeMap::new();
        let mut incoming: BTreeMap<QualifiedName, Vec<usize>> = BTreeMap::new();
        for (i, relation) in relations.iter().enumerate() {
            outgoing.entry(relation.from.clone()).or_default().push(i);
            incoming.entry(relation.to.clone()).or_default().push(i);
        }
        RelationGraph {
            relations,
            outgoing,
            incoming,
        }
    }

    pub fn all(&self) -> &[Relation] {
        &self.relations
    }

    /// Relations whose child is `table` (its foreign keys).
    pub fn outgoing(&self, table: &QualifiedName) -> impl Iterator<Item = &Relation> {
        self.edges(&self.outgoing, table)
    }

    /// Relations whose parent is `table` ("referenced by").
    pub fn incoming(&self, table: &QualifiedName) -> impl Iterator<Item = &Relation> {
        self.edges(&self.incoming, table)
    }

    fn edges<'a>(
        &'a self,
        index: &'a BTreeMap<QualifiedName, Vec<usize>>,
        table: &QualifiedName,
    ) -> impl Iterator<Item = &'a Relation> {
        index
            .get(table)
            .into_iter()
            .flatten()
            .map(|&i| &self.relations[i])
    }

    /// Tables within `distance` relation hops of `table`, in either direction, itself included.
    pub fn neighbourhood(&self, table: &QualifiedName, distance: usize) -> BTreeSet<QualifiedName> {
        let mut seen = BTreeSet::from([table.clone()]);
        let mut frontier = vec![table.clone()];
        for _ in 0..distance {
            let mut next = Vec::new();
            for t in &frontier {
                for r in self.outgoing(t).chain(self.incoming(t)) {
                    for other in [&r.from, &r.to] {
                        if seen.insert(other.clone()) {
                            next.push(other.clone());
                        }
                    }
                }
            }
            frontier = next;
        }
        seen
    }
}
