//! Matching the objects of two Catalogs and collecting what differs.

use crate::model::{
    ColumnChange, ColumnField, Delta, DiffOptions, SchemaChange, SchemaDiff, Scoped, TableChange,
    TableDiff,
};
use carta_catalog::{
    Catalog, CheckConstraint, Column, ExclusionConstraint, Extension, ForeignKey, Index, Policy,
    PrimaryKey, Schema, Table, Trigger, UniqueConstraint,
};
use std::collections::{BTreeSet, HashMap};

/// Compares `from` with `to`: what changed to turn `from` into `to`.
///
/// Objects are matched by name (functions by name and argument list,
/// constraints without a name by their content). With
/// [`DiffOptions::detect_renames`], a removed and an added table, column,
/// index or constraint that look the same are reported as one rename when
/// the pairing is unambiguous. Volatile facts (source, row estimates,
/// extension versions, the fingerprint) are not compared.
pub fn diff(from: &Catalog, to: &Catalog, options: &DiffOptions) -> SchemaDiff {
    let renames = options.detect_renames;
    let mut result = SchemaDiff {
        schemas: diff_schemas(&from.schemas, &to.schemas),
        extensions: diff_items(
            &from.extensions,
            &to.extensions,
            |e| Some(e.name.clone()),
            |a, b| without_version(a) == without_version(b),
            |_, _| false,
            false,
        ),
        ..SchemaDiff::default()
    };
    let empty = Schema::default();
    let names: BTreeSet<&str> = from
        .schemas
        .iter()
        .chain(&to.schemas)
        .map(|s| s.name.as_str())
        .collect();
    for name in names {
        let old = find_schema(from, name).unwrap_or(&empty);
        let new = find_schema(to, name).unwrap_or(&empty);
        let name_of = |n: &String| Some(n.clone());
        result.enums.extend(scoped(
            name,
            diff_named(&old.enums, &new.enums, |e| name_of(&e.name)),
        ));
        result.domains.extend(scoped(
            name,
            diff_named(&old.domains, &new.domains, |d| name_of(&d.name)),
        ));
        result.sequences.extend(scoped(
            name,
            diff_named(&old.sequences, &new.sequences, |s| name_of(&s.name)),
        ));
        result.functions.extend(scoped(
            name,
            diff_named(&old.functions, &new.functions, |f| {
                Some(format!("{}({})", f.name, f.arguments))
            }),
        ));
        result
            .tables
            .extend(diff_tables(name, &old.tables, &new.tables, renames));
    }
    result
}

fn scoped<T>(schema: &str, changes: Vec<T>) -> Vec<Scoped<T>> {
    changes
        .into_iter()
        .map(|change| Scoped {
            schema: schema.to_string(),
            change,
        })
        .collect()
}

/// Deltas of objects that are only ever matched by key, never renamed.
fn diff_named<T: Clone + PartialEq>(
    from: &[T],
    to: &[T],
    key: impl Fn(&T) -> Option<String>,
) -> Vec<Delta<T>> {
    diff_items(from, to, key, PartialEq::eq, |_, _| false, false)
}

fn find_schema<'a>(catalog: &'a Catalog, name: &str) -> Option<&'a Schema> {
    catalog.schemas.iter().find(|s| s.name == name)
}

fn without_version(extension: &Extension) -> Extension {
    Extension {
        version: None,
        ..extension.clone()
    }
}

fn diff_schemas(from: &[Schema], to: &[Schema]) -> Vec<SchemaChange> {
    let mut changes = Vec::new();
    for old in from {
        match to.iter().find(|s| s.name == old.name) {
            None => changes.push(SchemaChange::Removed {
                name: old.name.clone(),
                comment: old.comment.clone(),
            }),
            Some(new) if new.comment != old.comment => changes.push(SchemaChange::CommentChanged {
                name: old.name.clone(),
                from: old.comment.clone(),
                to: new.comment.clone(),
            }),
            Some(_) => {}
        }
    }
    for new in to.iter().filter(|n| from.iter().all(|o| o.name != n.name)) {
        changes.push(SchemaChange::Added {
            name: new.name.clone(),
            comment: new.comment.clone(),
        });
    }
    changes.sort_by(|a, b| schema_change_name(a).cmp(schema_change_name(b)));
    changes
}

fn schema_change_name(change: &SchemaChange) -> &str {
    match change {
        SchemaChange::Added { name, .. }
        | SchemaChange::Removed { name, .. }
        | SchemaChange::CommentChanged { name, .. } => name,
    }
}

/// The outcome of matching two lists: pairs (by name or content), and the
/// items left on each side.
struct Matching<'a, T> {
    pairs: Vec<(&'a T, &'a T)>,
    renames: Vec<(&'a T, &'a T)>,
    removed: Vec<&'a T>,
    added: Vec<&'a T>,
}

/// Matches items by `key`; items without a key (unnamed SQLite constraints)
/// match an unnamed item with the same shape. With `detect_renames`, a
/// leftover removed and added item of the same shape become a rename when
/// neither has another candidate.
fn match_items<'a, T>(
    from: &'a [T],
    to: &'a [T],
    key: impl Fn(&T) -> Option<String>,
    same_shape: impl Fn(&T, &T) -> bool,
    detect_renames: bool,
) -> Matching<'a, T> {
    let mut to_by_key: HashMap<String, usize> = HashMap::new();
    for (index, item) in to.iter().enumerate() {
        if let Some(k) = key(item) {
            to_by_key.insert(k, index);
        }
    }
    let mut used = vec![false; to.len()];
    let mut pairs = Vec::new();
    let mut removed = Vec::new();
    for old in from {
        let partner = match key(old) {
            Some(k) => to_by_key.get(&k).copied().filter(|&i| !used[i]),
            None => (0..to.len())
                .find(|&i| !used[i] && key(&to[i]).is_none() && same_shape(old, &to[i])),
        };
        match partner {
            Some(i) => {
                used[i] = true;
                pairs.push((old, &to[i]));
            }
            None => removed.push(old),
        }
    }
    let mut added: Vec<&T> = to
        .iter()
        .zip(&used)
        .filter(|(_, &u)| !u)
        .map(|(item, _)| item)
        .collect();
    let renames = if detect_renames {
        take_unambiguous_pairs(&mut removed, &mut added, |a, b| {
            key(a).is_some() && key(b).is_some() && same_shape(a, b)
        })
    } else {
        Vec::new()
    };
    Matching {
        pairs,
        renames,
        removed,
        added,
    }
}

/// Removes and returns the (removed, added) pairs that `similar` links one
/// to one: each has exactly one candidate on the other side. Ambiguous
/// items stay where they are.
fn take_unambiguous_pairs<'a, T>(
    removed: &mut Vec<&'a T>,
    added: &mut Vec<&'a T>,
    similar: impl Fn(&T, &T) -> bool,
) -> Vec<(&'a T, &'a T)> {
    let candidates: Vec<Vec<usize>> = removed
        .iter()
        .map(|old| {
            (0..added.len())
                .filter(|&j| similar(old, added[j]))
                .collect()
        })
        .collect();
    let mut linked: Vec<(usize, usize)> = Vec::new();
    for (i, options) in candidates.iter().enumerate() {
        if let [j] = options[..] {
            let rivals = candidates.iter().filter(|c| c.contains(&j)).count();
            if rivals == 1 {
                linked.push((i, j));
            }
        }
    }
    let pairs = linked
        .iter()
        .map(|&(i, j)| (removed[i], added[j]))
        .collect();
    let (old_taken, new_taken): (BTreeSet<usize>, BTreeSet<usize>) = linked.into_iter().unzip();
    *removed = keep_untaken(removed, &old_taken);
    *added = keep_untaken(added, &new_taken);
    pairs
}

fn keep_untaken<'a, T>(items: &[&'a T], taken: &BTreeSet<usize>) -> Vec<&'a T> {
    items
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(i))
        .map(|(_, item)| *item)
        .collect()
}

/// Deltas of two lists of one kind of object, sorted by the name in `to`
/// (or in `from` for removed objects).
fn diff_items<T: Clone>(
    from: &[T],
    to: &[T],
    key: impl Fn(&T) -> Option<String>,
    equal: impl Fn(&T, &T) -> bool,
    same_shape: impl Fn(&T, &T) -> bool,
    detect_renames: bool,
) -> Vec<Delta<T>> {
    let matching = match_items(from, to, &key, same_shape, detect_renames);
    let mut deltas: Vec<Delta<T>> = matching
        .pairs
        .into_iter()
        .filter(|(old, new)| !equal(old, new))
        .map(|(old, new)| Delta::Changed {
            from: old.clone(),
            to: new.clone(),
        })
        .chain(
            matching
                .renames
                .into_iter()
                .map(|(old, new)| Delta::Renamed {
                    from: old.clone(),
                    to: new.clone(),
                }),
        )
        .chain(matching.removed.into_iter().cloned().map(Delta::Removed))
        .chain(matching.added.into_iter().cloned().map(Delta::Added))
        .collect();
    deltas.sort_by_cached_key(|d| key(d.latest()).unwrap_or_default());
    deltas
}

/// A table-level object that can be renamed: indexes, constraints,
/// triggers and policies.
pub(crate) trait Renamable: Clone + PartialEq {
    fn name(&self) -> Option<String>;
    /// The object without its name and comment: what a rename keeps.
    fn anonymous(&self) -> Self;
}

macro_rules! renamable_with_optional_name {
    ($($ty:ty),*) => {$(
        impl Renamable for $ty {
            fn name(&self) -> Option<String> {
                self.name.clone()
            }
            fn anonymous(&self) -> Self {
                Self { name: None, comment: None, ..self.clone() }
            }
        }
    )*};
}
renamable_with_optional_name!(PrimaryKey, ForeignKey, UniqueConstraint, CheckConstraint);

macro_rules! renamable_with_name {
    ($($ty:ty),*) => {$(
        impl Renamable for $ty {
            fn name(&self) -> Option<String> {
                Some(self.name.clone())
            }
            fn anonymous(&self) -> Self {
                Self { name: String::new(), comment: None, ..self.clone() }
            }
        }
    )*};
}
renamable_with_name!(ExclusionConstraint, Trigger, Policy);

impl Renamable for Index {
    fn name(&self) -> Option<String> {
        Some(self.name.clone())
    }
    /// Also without the name of the constraint it backs, which is renamed with it.
    fn anonymous(&self) -> Self {
        Index {
            name: String::new(),
            comment: None,
            constraint: None,
            ..self.clone()
        }
    }
}

fn diff_renamable<T: Renamable>(from: &[T], to: &[T], detect_renames: bool) -> Vec<Delta<T>> {
    diff_items(
        from,
        to,
        T::name,
        PartialEq::eq,
        |a, b| a.anonymous() == b.anonymous(),
        detect_renames,
    )
}

fn diff_primary_keys(
    from: Option<&PrimaryKey>,
    to: Option<&PrimaryKey>,
    detect_renames: bool,
) -> Option<Delta<PrimaryKey>> {
    match (from, to) {
        (None, None) => None,
        (Some(old), None) => Some(Delta::Removed(old.clone())),
        (None, Some(new)) => Some(Delta::Added(new.clone())),
        (Some(old), Some(new)) if old == new => None,
        (Some(old), Some(new)) => {
            let (from, to) = (old.clone(), new.clone());
            Some(if old.name == new.name {
                Delta::Changed { from, to }
            } else if detect_renames && old.anonymous() == new.anonymous() {
                Delta::Renamed { from, to }
            } else {
                // A table has one primary key: a new name with other columns is a new key.
                Delta::Changed { from, to }
            })
        }
    }
}

fn diff_tables(
    schema: &str,
    from: &[Table],
    to: &[Table],
    detect_renames: bool,
) -> Vec<TableChange> {
    let mut matching = match_items(from, to, |t| Some(t.name.clone()), |_, _| false, false);
    let renames = if detect_renames {
        take_unambiguous_pairs(&mut matching.removed, &mut matching.added, same_columns)
    } else {
        Vec::new()
    };
    let mut changes: Vec<(&str, TableChange)> = Vec::new();
    for (old, new) in matching.pairs {
        if same_table(old, new) {
            continue;
        }
        let table_diff = diff_table(schema, old, new, None, detect_renames);
        if !table_diff.is_empty() {
            changes.push((&new.name, TableChange::Changed(Box::new(table_diff))));
        }
    }
    for (old, new) in renames {
        let table_diff = diff_table(schema, old, new, Some(old.name.clone()), detect_renames);
        changes.push((&new.name, TableChange::Changed(Box::new(table_diff))));
    }
    for old in matching.removed {
        changes.push((
            &old.name,
            TableChange::Removed {
                schema: schema.to_string(),
                table: old.clone(),
            },
        ));
    }
    for new in matching.added {
        changes.push((
            &new.name,
            TableChange::Added {
                schema: schema.to_string(),
                table: new.clone(),
            },
        ));
    }
    changes.sort_by(|a, b| a.0.cmp(b.0));
    changes.into_iter().map(|(_, change)| change).collect()
}

/// The conservative rename test for tables: same kind, same column names
/// and types in the same order.
fn same_columns(a: &Table, b: &Table) -> bool {
    a.kind == b.kind
        && a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| x.name == y.name && x.data_type == y.data_type)
}

fn changed<T: PartialEq + Clone>(from: &T, to: &T) -> Option<(T, T)> {
    (from != to).then(|| (from.clone(), to.clone()))
}

/// Equal in everything the diff compares (all but the row estimate). A
/// plain comparison, so the common case of an unchanged table costs no
/// matching and no allocation; the destructuring makes a new field a
/// compile error here until it is compared.
fn same_table(a: &Table, b: &Table) -> bool {
    let Table {
        name,
        kind,
        comment,
        columns,
        partition_key,
        partition_of,
        definition,
        foreign_server,
        primary_key,
        foreign_keys,
        uniques,
        checks,
        exclusions,
        indexes,
        triggers,
        row_security,
        options,
        row_estimate: _,
    } = a;
    *name == b.name
        && *kind == b.kind
        && *comment == b.comment
        && *columns == b.columns
        && *partition_key == b.partition_key
        && *partition_of == b.partition_of
        && *definition == b.definition
        && *foreign_server == b.foreign_server
        && *primary_key == b.primary_key
        && *foreign_keys == b.foreign_keys
        && *uniques == b.uniques
        && *checks == b.checks
        && *exclusions == b.exclusions
        && *indexes == b.indexes
        && *triggers == b.triggers
        && *row_security == b.row_security
        && *options == b.options
}

fn diff_table(
    schema: &str,
    from: &Table,
    to: &Table,
    renamed_from: Option<String>,
    detect_renames: bool,
) -> TableDiff {
    let security = |t: &Table| (t.row_security.enabled, t.row_security.forced);
    let mut diff = TableDiff {
        schema: schema.to_string(),
        // Filled in below only when something differs: most tables of a
        // large schema are equal, and copying them all cost more than comparing.
        from: Table::default(),
        to: Table::default(),
        renamed_from,
        kind: changed(&from.kind, &to.kind),
        comment: changed(&from.comment, &to.comment),
        definition: changed(&from.definition, &to.definition),
        partition_key: changed(&from.partition_key, &to.partition_key),
        partition_of: changed(&from.partition_of, &to.partition_of),
        foreign_server: changed(&from.foreign_server, &to.foreign_server),
        options: changed(&from.options, &to.options),
        columns: diff_columns(&from.columns, &to.columns, detect_renames),
        primary_key: diff_primary_keys(
            from.primary_key.as_ref(),
            to.primary_key.as_ref(),
            detect_renames,
        ),
        foreign_keys: diff_renamable(&from.foreign_keys, &to.foreign_keys, detect_renames),
        uniques: diff_renamable(&from.uniques, &to.uniques, detect_renames),
        checks: diff_renamable(&from.checks, &to.checks, detect_renames),
        exclusions: diff_renamable(&from.exclusions, &to.exclusions, detect_renames),
        indexes: diff_renamable(&from.indexes, &to.indexes, detect_renames),
        triggers: diff_renamable(&from.triggers, &to.triggers, detect_renames),
        policies: diff_renamable(
            &from.row_security.policies,
            &to.row_security.policies,
            detect_renames,
        ),
        row_security: changed(&security(from), &security(to)),
    };
    if !diff.is_empty() {
        diff.from = from.clone();
        diff.to = to.clone();
    }
    diff
}

impl TableDiff {
    /// True when nothing differs (the table was matched by name and is equal).
    pub fn is_empty(&self) -> bool {
        self.renamed_from.is_none()
            && self.kind.is_none()
            && self.comment.is_none()
            && self.definition.is_none()
            && self.partition_key.is_none()
            && self.partition_of.is_none()
            && self.foreign_server.is_none()
            && self.options.is_none()
            && self.columns.is_empty()
            && self.primary_key.is_none()
            && self.foreign_keys.is_empty()
            && self.uniques.is_empty()
            && self.checks.is_empty()
            && self.exclusions.is_empty()
            && self.indexes.is_empty()
            && self.triggers.is_empty()
            && self.policies.is_empty()
            && self.row_security.is_none()
    }
}

/// The properties of a column that differ. The logical type is derived
/// from `data_type` (and an enum's values, reported on the enum), so only
/// the spelling is compared.
pub(crate) fn column_fields(from: &Column, to: &Column) -> Vec<ColumnField> {
    [
        (ColumnField::DataType, from.data_type != to.data_type),
        (ColumnField::Nullable, from.nullable != to.nullable),
        (ColumnField::Default, from.default != to.default),
        (ColumnField::Identity, from.identity != to.identity),
        (ColumnField::Generated, from.generated != to.generated),
        (ColumnField::Collation, from.collation != to.collation),
        (ColumnField::Comment, from.comment != to.comment),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(field, _)| field)
    .collect()
}

/// A removed and an added column are a likely rename when they have the
/// same type, nullability and default.
fn same_column_shape(a: &Column, b: &Column) -> bool {
    a.data_type == b.data_type && a.nullable == b.nullable && a.default == b.default
}

fn diff_columns(from: &[Column], to: &[Column], detect_renames: bool) -> Vec<ColumnChange> {
    let matching = match_items(
        from,
        to,
        |c| Some(c.name.clone()),
        same_column_shape,
        detect_renames,
    );
    let mut previous: HashMap<&str, (&Column, bool)> = HashMap::new();
    for (old, new) in &matching.pairs {
        previous.insert(&new.name, (old, false));
    }
    for (old, new) in &matching.renames {
        previous.insert(&new.name, (old, true));
    }
    let mut changes = Vec::new();
    for new in to {
        let Some(&(old, renamed)) = previous.get(new.name.as_str()) else {
            changes.push(ColumnChange {
                delta: Delta::Added(new.clone()),
                fields: Vec::new(),
            });
            continue;
        };
        let fields = column_fields(old, new);
        let (from, to) = (old.clone(), new.clone());
        if renamed {
            changes.push(ColumnChange {
                delta: Delta::Renamed { from, to },
                fields,
            });
        } else if !fields.is_empty() {
            changes.push(ColumnChange {
                delta: Delta::Changed { from, to },
                fields,
            });
        }
    }
    changes.extend(matching.removed.into_iter().map(|old| ColumnChange {
        delta: Delta::Removed(old.clone()),
        fields: Vec::new(),
    }));
    changes
}

impl SchemaDiff {
    /// True when the two Catalogs have the same schema.
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
            && self.extensions.is_empty()
            && self.enums.is_empty()
            && self.domains.is_empty()
            && self.sequences.is_empty()
            && self.functions.is_empty()
            && self.tables.is_empty()
    }
}
