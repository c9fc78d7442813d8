//! Applying a [`Config`] to a Catalog.
//!
//! Every name in the file must exist in the Catalog as read, before
//! `include`/`exclude` remove anything: a comment or relation naming a
//! missing table or column is an error, because it is almost always a typo
//! or a table renamed since, and silently ignoring it would leave the
//! documentation wrong without anyone noticing.

use crate::{CommentOverride, Config, ConfigError, VirtualRelation};
use carta_catalog::{
    Catalog, QualifiedName, ReferentialAction, Relation, RelationGraph, RelationKind, Table,
    TableLookupError,
};
use carta_source::Location;

impl Config {
    /// Applies comment overrides, validates the virtual relations, removes
    /// the tables `include`/`exclude` leave out (and every relation that
    /// touches one), refreshes the fingerprint, and returns the relation
    /// graph: the Catalog's foreign keys followed by the virtual relations
    /// in file order.
    pub fn apply(&self, catalog: &mut Catalog) -> Result<RelationGraph, ConfigError> {
        for entry in &self.comments {
            apply_comments(catalog, entry)?;
        }
        let virtual_relations = self
            .relations
            .iter()
            .map(|r| resolve_relation(catalog, r))
            .collect::<Result<Vec<_>, _>>()?;
        let removed = self.selection.apply(catalog)?;
        catalog.refresh_fingerprint();

        let mut relations = RelationGraph::from_catalog(catalog).all().to_vec();
        relations.extend(virtual_relations);
        relations.retain(|r| !removed.contains(&r.from) && !removed.contains(&r.to));
        Ok(RelationGraph::from_relations(relations))
    }
}

/// Where a table lives in the Catalog: indexes of its schema and of the table in it.
#[derive(Clone, Copy)]
pub(crate) struct TableIndex {
    schema: usize,
    table: usize,
}

impl TableIndex {
    pub(crate) fn table(self, catalog: &Catalog) -> &Table {
        &catalog.schemas[self.schema].tables[self.table]
    }

    fn table_mut(self, catalog: &mut Catalog) -> &mut Table {
        &mut catalog.schemas[self.schema].tables[self.table]
    }

    pub(crate) fn name(self, catalog: &Catalog) -> QualifiedName {
        QualifiedName::new(
            &catalog.schemas[self.schema].name,
            &self.table(catalog).name,
        )
    }
}

/// `schema.table`, or a bare name that exists in exactly one schema.
pub(crate) fn resolve_table(
    catalog: &Catalog,
    name: &str,
    location: &Location,
) -> Result<TableIndex, ConfigError> {
    let found = catalog.find_table(name).map_err(|e| match e {
        TableLookupError::NotFound(table) => ConfigError::UnknownTable {
            location: location.clone(),
            table,
        },
        TableLookupError::Ambiguous { table, schemas } => ConfigError::AmbiguousTable {
            location: location.clone(),
            table,
            schemas,
        },
    })?;
    catalog
        .schemas
        .iter()
        .enumerate()
        .find_map(|(schema, s)| {
            let table = s.tables.iter().position(|t| t.name == found.name)?;
            (s.name == found.schema).then_some(TableIndex { schema, table })
        })
        .ok_or_else(|| ConfigError::UnknownTable {
            location: location.clone(),
            table: name.to_string(),
        })
}

/// An empty text removes the comment: the way to hide a misleading one.
fn comment_text(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn apply_comments(catalog: &mut Catalog, entry: &CommentOverride) -> Result<(), ConfigError> {
    let index = resolve_table(catalog, &entry.table, &entry.location)?;
    let name = index.name(catalog);
    let table = index.table_mut(catalog);
    if let Some(text) = &entry.table_comment {
        table.comment = comment_text(text);
    }
    for override_ in &entry.columns {
        let column = table
            .columns
            .iter_mut()
            .find(|c| c.name == override_.column)
            .ok_or_else(|| ConfigError::UnknownColumn {
                location: override_.location.clone(),
                table: name.to_string(),
                column: override_.column.clone(),
            })?;
        column.comment = comment_text(&override_.text);
    }
    Ok(())
}

pub(crate) fn check_columns(
    table: &Table,
    name: &QualifiedName,
    columns: &[String],
    location: &Location,
) -> Result<(), ConfigError> {
    match columns.iter().find(|c| table.column(c).is_none()) {
        Some(missing) => Err(ConfigError::UnknownColumn {
            location: location.clone(),
            table: name.to_string(),
            column: missing.clone(),
        }),
        None => Ok(()),
    }
}

fn resolve_relation(catalog: &Catalog, r: &VirtualRelation) -> Result<Relation, ConfigError> {
    let at = &r.locations;
    if r.columns.is_empty() || r.columns.len() != r.parent_columns.len() {
        return Err(ConfigError::ColumnCount {
            location: at.columns.clone(),
            columns: r.columns.len(),
            parent_columns: r.parent_columns.len(),
        });
    }
    let child = resolve_table(catalog, &r.table, &at.table)?;
    let parent = resolve_table(catalog, &r.parent_table, &at.parent_table)?;
    let (from, to) = (child.name(catalog), parent.name(catalog));
    let (child, parent) = (child.table(catalog), parent.table(catalog));
    check_columns(child, &from, &r.columns, &at.columns)?;
    check_columns(parent, &to, &r.parent_columns, &at.parent_columns)?;
    let required = r
        .columns
        .iter()
        .all(|c| child.column(c).is_some_and(|col| !col.nullable));
    Ok(Relation {
        kind: RelationKind::Virtual,
        name: r.name.clone(),
        from,
        from_columns: r.columns.clone(),
        to,
        to_columns: r.parent_columns.clone(),
        required,
        // The database enforces nothing, so nothing happens on delete.
        on_delete: ReferentialAction::NoAction,
    })
}
