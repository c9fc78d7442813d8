//! `plan()`: load order, cycle breaking, keys, and one generator per column.

use crate::constraints::{facts, Facts};
use crate::expr::{self, eval, Expr};
use crate::hash::{stream, Permutation};
use crate::rules::{self, ColumnInput};
use crate::semantic::{semantic, table_time_text, StoredTime};
use crate::values::{self, Base, ColumnGen, Kind, Nulls, Pick, Presence, Scalar, TableGen};
use crate::{Fixup, MockError, MockOptions, SequenceReset, TablePlan, Value};
use carta_catalog::{
    Catalog, Column, ColumnRef, Dialect, ForeignKey, IndexKey, LogicalType, QualifiedName,
    RelationGraph, RelationKind, Schema, Table, TableKind,
};
use std::collections::{BTreeMap, BTreeSet};

/// Rows per table checked against its CHECKs in `plan()` to warn early.
const SAMPLE_ROWS: u64 = 500;

/// A CHECK of a table (its own or a column's domain), parsed when possible.
#[derive(Debug, Clone)]
pub(crate) struct PlannedCheck {
    pub name: String,
    pub expr: Result<Expr, String>,
}

/// What a fixup updates, as column positions in the table's generators.
#[derive(Debug, Clone)]
pub(crate) struct FixupColumns {
    pub table: usize,
    pub keys: Vec<usize>,
    pub sets: Vec<usize>,
}

pub(crate) struct Planned {
    pub plan_tables: Vec<TablePlan>,
    pub fixups: Vec<Fixup>,
    pub warnings: Vec<String>,
    pub gens: Vec<TableGen>,
    pub fixup_columns: Vec<FixupColumns>,
    pub checks: Vec<Vec<PlannedCheck>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    /// NULL during the load, set by an UPDATE afterwards.
    Fixup,
    /// Written inline; the database checks it at commit.
    Deferred,
}

struct Edge<'a> {
    child: usize,
    parent: usize,
    fk: &'a ForeignKey,
    nullable: bool,
    broken: Option<Break>,
}

/// Every foreign key's generation plan within its table.
struct FkPlan {
    edge: usize,
    pick: Pick,
    nulls: Nulls,
}

fn loadable(table: &Table) -> bool {
    matches!(table.kind, TableKind::Table | TableKind::PartitionedTable)
        && table.partition_of.is_none()
}

fn qualified(table: &QualifiedName) -> String {
    table.to_string()
}

pub(crate) fn plan(
    catalog: &Catalog,
    relations: &RelationGraph,
    options: &MockOptions,
) -> Result<Planned, MockError> {
    let tables: Vec<(&Schema, &Table)> = catalog.tables().filter(|(_, t)| loadable(t)).collect();
    let names: Vec<QualifiedName> = tables
        .iter()
        .map(|(s, t)| QualifiedName::new(&s.name, &t.name))
        .collect();
    let position: BTreeMap<&QualifiedName, usize> =
        names.iter().enumerate().map(|(i, n)| (n, i)).collect();
    let mut warnings = Vec::new();
    validate_overrides(catalog, options)?;

    for relation in relations
        .all()
        .iter()
        .filter(|r| r.kind == RelationKind::Virtual)
    {
        warnings.push(format!(
            "virtual relation {}({}) -> {}({}) is not enforced by the database and is ignored: its columns get ordinary values",
            relation.from,
            relation.from_columns.join(", "),
            relation.to,
            relation.to_columns.join(", ")
        ));
    }

    let mut edges = Vec::new();
    for (child, (_, table)) in tables.iter().enumerate() {
        for fk in &table.foreign_keys {
            match position.get(&fk.referenced_table) {
                Some(&parent) => edges.push(Edge {
                    child,
                    parent,
                    fk,
                    nullable: fk
                        .columns
                        .iter()
                        .all(|c| table.column(c).is_some_and(|col| col.nullable)),
                    broken: None,
                }),
                None => {
                    let required = fk
                        .columns
                        .iter()
                        .any(|c| table.column(c).is_some_and(|col| !col.nullable));
                    if required {
                        return Err(MockError::Unsupported {
                            table: qualified(&names[child]),
                            column: fk.columns.join(", "),
                            reason: format!(
                                "references {}, which is not a table being generated",
                                fk.referenced_table
                            ),
                        });
                    }
                    warnings.push(format!(
                        "{}({}) references {}, which is not generated: left NULL",
                        names[child],
                        fk.columns.join(", "),
                        fk.referenced_table
                    ));
                }
            }
        }
    }
    let has_key: Vec<bool> = tables.iter().map(|(_, t)| row_key(t).is_some()).collect();
    break_cycles(&mut edges, &names, &has_key)?;
    let levels = levels(tables.len(), &edges);
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by(|&a, &b| (levels[a], &names[a]).cmp(&(levels[b], &names[b])));
    let plan_index: Vec<usize> = {
        let mut inverse = vec![0; order.len()];
        for (plan_position, &table) in order.iter().enumerate() {
            inverse[table] = plan_position;
        }
        inverse
    };

    let rows_of = |t: usize| {
        options
            .rows
            .get(&names[t])
            .copied()
            .unwrap_or(options.default_rows)
    };

    let mut checks_of = Vec::new();
    let mut facts_of = Vec::new();
    for (t, (_, table)) in tables.iter().enumerate() {
        let checks = table_checks(catalog, table, &mut warnings, &names[t]);
        let parsed: Vec<Expr> = checks
            .iter()
            .filter_map(|c| c.expr.as_ref().ok().cloned())
            .collect();
        facts_of.push(facts(&parsed));
        checks_of.push(checks);
    }

    // The written columns (generated ones left out) with their types by meaning, and how each
    // stores its times: a TEXT `created_at` is planned as a timestamp and written as text.
    let mut semantic_columns: Vec<Vec<Column>> = Vec::with_capacity(tables.len());
    let mut stored_of: Vec<Vec<Option<StoredTime>>> = Vec::with_capacity(tables.len());
    for (t, (_, table)) in tables.iter().enumerate() {
        let written: Vec<&Column> = table
            .columns
            .iter()
            .filter(|c| c.generated.is_none())
            .collect();
        let table_text = table_time_text(&written);
        let no_facts = Facts::default();
        let (columns, stored) = written
            .iter()
            .map(|column| {
                let column_facts = facts_of[t].get(&column.name).unwrap_or(&no_facts);
                let meaning = semantic(column, column_facts, table_text);
                let planned = Column {
                    logical_type: meaning.logical,
                    ..(*column).clone()
                };
                (planned, meaning.stored)
            })
            .unzip();
        semantic_columns.push(columns);
        stored_of.push(stored);
    }
    let columns_of = |t: usize| -> Vec<&Column> { semantic_columns[t].iter().collect() };

    let mut gens: Vec<Option<TableGen>> = vec![None; tables.len()];
    let mut fixups = Vec::new();
    let mut fixup_columns = Vec::new();
    let mut plan_tables = Vec::new();
    for &t in &order {
        let (schema, table) = tables[t];
        let name = &names[t];
        let rows = rows_of(t);
        let columns = columns_of(t);
        let table_facts = &facts_of[t];
        let serial: Vec<bool> = columns.iter().map(|c| is_serial(table, c)).collect();
        let my_edges: Vec<usize> = (0..edges.len()).filter(|&e| edges[e].child == t).collect();

        // Which FK writes each column: the widest one that covers it.
        let mut writer: BTreeMap<&str, usize> = BTreeMap::new();
        let mut by_width = my_edges.clone();
        by_width.sort_by_key(|&e| std::cmp::Reverse(edges[e].fk.columns.len()));
        for &e in &by_width {
            for column in &edges[e].fk.columns {
                writer.entry(column.as_str()).or_insert(e);
            }
        }
        for &e in &my_edges {
            let owners: BTreeSet<usize> = edges[e]
                .fk
                .columns
                .iter()
                .filter_map(|c| writer.get(c.as_str()).copied())
                .collect();
            if owners.len() > 1 {
                warnings.push(format!(
                    "{name}: foreign key {} shares columns with another foreign key; rows may break it",
                    fk_label(edges[e].fk)
                ));
            }
        }

        // Unique keys: one row-unique column, or FK columns enumerated without repeats.
        let mut unique_columns: BTreeSet<String> = BTreeSet::new();
        let mut not_null_columns: BTreeSet<String> = BTreeSet::new();
        let mut injective: BTreeSet<usize> = BTreeSet::new();
        let mut radix: Vec<Vec<usize>> = Vec::new();
        for key in unique_keys(table, &mut warnings, name) {
            let key_columns: Vec<&Column> = key
                .columns
                .iter()
                .filter_map(|c| columns.iter().find(|col| col.name == *c).copied())
                .collect();
            if key_columns.len() != key.columns.len() {
                continue;
            }
            if key.nulls_not_distinct {
                not_null_columns.extend(key.columns.iter().cloned());
            }
            if key_columns.iter().any(|c| is_serial(table, c)) {
                continue;
            }
            let own: Vec<&Column> = key_columns
                .iter()
                .copied()
                .filter(|c| !writer.contains_key(c.name.as_str()))
                .collect();
            if let Some(carrier) = own
                .iter()
                .find(|c| unique_columns.contains(&c.name))
                .or_else(|| {
                    own.iter()
                        .max_by_key(|c| std::cmp::Reverse(unique_rank(&c.logical_type)))
                })
            {
                unique_columns.insert(carrier.name.clone());
                continue;
            }
            let fk_set: BTreeSet<usize> = key
                .columns
                .iter()
                .filter_map(|c| writer.get(c.as_str()).copied())
                .collect();
            let fk_list: Vec<usize> = fk_set.into_iter().collect();
            let available = fk_list
                .iter()
                .fold(1u64, |acc, &e| acc.saturating_mul(rows_of(edges[e].parent)));
            if rows > available {
                return Err(MockError::ValueSpaceTooSmall {
                    table: qualified(name),
                    column: key.columns.join(", "),
                    needed: rows,
                    available,
                });
            }
            match fk_list.as_slice() {
                [single] => {
                    injective.insert(*single);
                }
                many => radix.push(many.to_vec()),
            }
        }

        let mut fk_plans: BTreeMap<usize, FkPlan> = BTreeMap::new();
        for &e in &my_edges {
            let edge = &edges[e];
            let fk_stream = stream(
                options.seed,
                &[&name.schema, &name.name, "fk", &edge.fk.columns.join(",")],
            );
            let parents = rows_of(edge.parent);
            let required = !edge.nullable;
            let null_override = edge
                .fk
                .columns
                .first()
                .and_then(|c| column_override(options, name, c))
                .and_then(|o| o.null_ratio);
            let mut nulls = if edge
                .fk
                .columns
                .iter()
                .any(|c| table.column(c).is_some_and(|col| !col.nullable))
            {
                Nulls::NEVER
            } else {
                Nulls::ratio(fk_stream ^ 3, null_override.unwrap_or(0.1))
            };
            if parents == 0 && rows > 0 {
                if required {
                    return Err(MockError::ValueSpaceTooSmall {
                        table: qualified(name),
                        column: edge.fk.columns.join(", "),
                        needed: rows,
                        available: 0,
                    });
                }
                nulls = Nulls::ratio(fk_stream ^ 3, 1.0);
            }
            let pick = if edge.parent == t {
                if injective.contains(&e) || radix.iter().any(|r| r.contains(&e)) {
                    warnings.push(format!(
                        "{name}: self-reference {} is also unique; rows may repeat it",
                        fk_label(edge.fk)
                    ));
                }
                Pick::Earlier {
                    stream: fk_stream,
                    root_null: edge.nullable,
                }
            } else if injective.contains(&e) {
                Pick::Injective {
                    perm: Permutation::new(parents.max(1), fk_stream ^ 4),
                }
            } else if let Some(group) = radix.iter().find(|r| r.contains(&e)) {
                let total = group.iter().fold(1u64, |acc, &g| {
                    acc.saturating_mul(rows_of(edges[g].parent).max(1))
                });
                let divisor = group.iter().take_while(|&&g| g != e).fold(1u64, |acc, &g| {
                    acc.saturating_mul(rows_of(edges[g].parent).max(1))
                });
                let group_stream = stream(
                    options.seed,
                    &[&name.schema, &name.name, "radix", &format!("{group:?}")],
                );
                Pick::Radix {
                    perm: Permutation::new(total, group_stream),
                    divisor,
                    parents: parents.max(1),
                }
            } else {
                Pick::Skewed {
                    parents: parents.max(1),
                    stream: fk_stream,
                    scramble: Permutation::new(parents.max(1), fk_stream ^ 5),
                }
            };
            fk_plans.insert(
                e,
                FkPlan {
                    edge: e,
                    pick,
                    nulls,
                },
            );
        }

        let mut column_gens = Vec::with_capacity(columns.len());
        let empty = Facts::default();
        for (c, column) in columns.iter().enumerate() {
            let column_stream = stream(options.seed, &[&name.schema, &name.name, &column.name]);
            let overrides = column_override(options, name, &column.name);
            let column_facts = table_facts.get(&column.name).unwrap_or(&empty);
            let in_pk = table
                .primary_key
                .as_ref()
                .is_some_and(|pk| pk.columns.contains(&column.name));
            let never_null = !column.nullable
                || in_pk
                || column_facts.not_null
                || not_null_columns.contains(&column.name);
            let mut gen = ColumnGen {
                name: column.name.clone(),
                stream: column_stream,
                nulls: Nulls::NEVER,
                present_when: None,
                deferred: false,
                stored: None,
                kind: Kind::Serial { start: 1 },
            };
            if let Some(&e) = writer.get(column.name.as_str()) {
                let fk_plan = &fk_plans[&e];
                let edge = &edges[fk_plan.edge];
                let referenced = edge
                    .fk
                    .columns
                    .iter()
                    .position(|x| *x == column.name)
                    .and_then(|i| edge.fk.referenced_columns.get(i));
                let parent_columns = columns_of(edge.parent);
                let parent_column =
                    referenced.and_then(|r| parent_columns.iter().position(|pc| pc.name == *r));
                let Some(parent_column) = parent_column else {
                    return Err(MockError::Unsupported {
                        table: qualified(name),
                        column: column.name.clone(),
                        reason: format!(
                            "its foreign key {} references a column that is not written",
                            fk_label(edge.fk)
                        ),
                    });
                };
                gen.kind = Kind::Reference {
                    table: plan_index[edge.parent],
                    column: parent_column,
                    pick: fk_plan.pick.clone(),
                };
                gen.nulls = fk_plan.nulls;
                if edge.broken == Some(Break::Fixup) {
                    gen.deferred = true;
                }
            } else if serial[c] {
                let start = column_facts
                    .min
                    .map_or(
                        1,
                        |(v, inclusive)| if inclusive { v as i64 } else { v as i64 + 1 },
                    )
                    .max(1);
                gen.kind = Kind::Serial { start };
            } else {
                let input = ColumnInput {
                    table: &table.name,
                    column,
                    logical: &column.logical_type,
                    facts: column_facts,
                    unique: unique_columns.contains(&column.name),
                    rows,
                    stream: column_stream,
                    overrides,
                    qualified: format!("{name}.{}", column.name),
                };
                gen.kind = rules::kind(&input)?;
                gen.stored = stored_of[t][c];
                if !never_null {
                    let ratio = overrides
                        .and_then(|o| o.null_ratio)
                        .unwrap_or_else(|| default_null_ratio(&column.name));
                    gen.nulls = Nulls::ratio(column_stream ^ 1, ratio);
                }
            }
            // A NOT NULL column cannot be made NULL by a condition: the CHECK is then left to sampling.
            if let Some((condition, exact)) = column_facts
                .present_when
                .as_ref()
                .filter(|_| column.nullable)
            {
                gen.present_when = Some(Presence {
                    condition: condition.clone(),
                    exact: *exact,
                });
            }
            column_gens.push(gen);
        }
        order_columns(
            &mut column_gens,
            &columns,
            table_facts,
            &unique_columns,
            &writer,
            |e| {
                let edge = &edges[e];
                (edge.parent != t && edge.broken.is_none()).then(|| {
                    let parent_columns = columns_of(edge.parent);
                    let created = parent_columns
                        .iter()
                        .position(|pc| is_created(&pc.name) && is_time(&pc.logical_type))?;
                    Some((plan_index[edge.parent], created, fk_plans[&e].pick.clone()))
                })?
            },
        );

        let identity_columns: Vec<String> = columns
            .iter()
            .zip(&serial)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.name.clone())
            .collect();
        let sequences = identity_columns
            .iter()
            .map(|column| {
                let start = match column_gens
                    .iter()
                    .find(|g| g.name == *column)
                    .map(|g| &g.kind)
                {
                    Some(Kind::Serial { start }) => *start,
                    _ => 1,
                };
                SequenceReset {
                    sequence: owned_sequence(catalog, schema, table, column),
                    column: column.clone(),
                    next: start.saturating_add(rows as i64),
                }
            })
            .collect();

        for &e in &my_edges {
            if edges[e].broken != Some(Break::Fixup) {
                continue;
            }
            let key = row_key(table).unwrap_or_default();
            let position_of = |n: &String| column_gens.iter().position(|g| g.name == *n);
            fixup_columns.push(FixupColumns {
                table: plan_index[t],
                keys: key.iter().filter_map(position_of).collect(),
                sets: edges[e].fk.columns.iter().filter_map(position_of).collect(),
            });
            fixups.push(Fixup {
                table: name.clone(),
                key_columns: key,
                set_columns: edges[e].fk.columns.clone(),
                constraint: edges[e].fk.name.clone(),
            });
        }
        for &e in &my_edges {
            if edges[e].broken == Some(Break::Deferred) {
                warnings.push(format!(
                    "{name}: foreign key {} closes a cycle and is written before its parent rows exist; the loader defers it to commit",
                    fk_label(edges[e].fk)
                ));
            }
        }

        plan_tables.push(TablePlan {
            table: name.clone(),
            rows,
            columns: column_gens.iter().map(|g| g.name.clone()).collect(),
            identity_columns,
            sequences,
            level: levels[t],
        });
        gens[t] = Some(TableGen {
            name: name.clone(),
            rows,
            columns: column_gens,
        });
    }
    let gens: Vec<TableGen> = order
        .iter()
        .map(|&t| gens[t].take().expect("every table planned"))
        .collect();
    let checks: Vec<Vec<PlannedCheck>> = order.iter().map(|&t| checks_of[t].clone()).collect();
    for (index, table_checks) in checks.iter().enumerate() {
        sample_checks(&gens, index, table_checks, &mut warnings);
    }
    Ok(Planned {
        plan_tables,
        fixups,
        warnings,
        gens,
        fixup_columns,
        checks,
    })
}

fn fk_label(fk: &ForeignKey) -> String {
    fk.name
        .clone()
        .unwrap_or_else(|| format!("({}) -> {}", fk.columns.join(", "), fk.referenced_table))
}

fn column_override<'a>(
    options: &'a MockOptions,
    table: &QualifiedName,
    column: &str,
) -> Option<&'a crate::ColumnOverride> {
    options.columns.get(&ColumnRef {
        table: table.clone(),
        column: column.to_string(),
    })
}

fn validate_overrides(catalog: &Catalog, options: &MockOptions) -> Result<(), MockError> {
    for (target, overrides) in &options.columns {
        let label = format!("{}.{}", target.table, target.column);
        let invalid = |message: String| MockError::InvalidOverride {
            column: label.clone(),
            message,
        };
        let column = catalog
            .table(&target.table)
            .ok_or_else(|| invalid(format!("no table {}", target.table)))?
            .column(&target.column)
            .ok_or_else(|| invalid(format!("no column {} in {}", target.column, target.table)))?;
        if let Some(ratio) = overrides.null_ratio {
            if !(0.0..=1.0).contains(&ratio) {
                return Err(invalid(format!(
                    "null_ratio {ratio} is not between 0 and 1"
                )));
            }
            if ratio > 0.0 && !column.nullable {
                return Err(invalid("null_ratio on a NOT NULL column".to_string()));
            }
        }
        if let Some(generator) = &overrides.generator {
            if !rules::GENERATORS.contains(&generator.as_str()) {
                return Err(invalid(format!(
                    "unknown generator `{generator}` (known: {})",
                    rules::GENERATORS.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// The primary key, or else a unique key of NOT NULL columns: what a fixup UPDATE matches rows by.
fn row_key(table: &Table) -> Option<Vec<String>> {
    if let Some(pk) = &table.primary_key {
        return Some(pk.columns.clone());
    }
    table
        .uniques
        .iter()
        .find(|u| {
            u.columns
                .iter()
                .all(|c| table.column(c).is_some_and(|col| !col.nullable))
        })
        .map(|u| u.columns.clone())
}

/// Removes edges until the graph is acyclic: on each cycle found, the best
/// breakable edge (nullable with a row key, else deferrable).
fn break_cycles(
    edges: &mut [Edge],
    names: &[QualifiedName],
    has_key: &[bool],
) -> Result<(), MockError> {
    loop {
        let Some(cycle) = find_cycle(edges, names.len()) else {
            return Ok(());
        };
        let choice = cycle
            .iter()
            .filter_map(|&e| {
                let edge = &edges[e];
                if edge.nullable && has_key[edge.child] {
                    Some((0, e, Break::Fixup))
                } else if edge.fk.deferrable {
                    Some((1, e, Break::Deferred))
                } else {
                    None
                }
            })
            .min_by(|a, b| {
                (a.0, &names[edges[a.1].child], fk_label(edges[a.1].fk)).cmp(&(
                    b.0,
                    &names[edges[b.1].child],
                    fk_label(edges[b.1].fk),
                ))
            });
        match choice {
            Some((_, e, how)) => edges[e].broken = Some(how),
            None => {
                return Err(MockError::UnbreakableCycle {
                    tables: cycle
                        .iter()
                        .map(|&e| names[edges[e].child].to_string())
                        .collect(),
                })
            }
        }
    }
}

/// The edges of one cycle among unbroken, non-self edges.
fn find_cycle(edges: &[Edge], n: usize) -> Option<Vec<usize>> {
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in edges.iter().enumerate() {
        if edge.broken.is_none() && edge.child != edge.parent {
            outgoing[edge.child].push(e);
        }
    }
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut path: Vec<usize> = Vec::new();
    fn visit(
        node: usize,
        edges: &[Edge],
        outgoing: &[Vec<usize>],
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[node] = 1;
        for &e in &outgoing[node] {
            let next = edges[e].parent;
            if state[next] == 1 {
                let start = path
                    .iter()
                    .position(|&p| edges[p].child == next)
                    .unwrap_or(path.len());
                let mut cycle = path[start..].to_vec();
                cycle.push(e);
                return Some(cycle);
            }
            if state[next] == 0 {
                path.push(e);
                if let Some(cycle) = visit(next, edges, outgoing, state, path) {
                    return Some(cycle);
                }
                path.pop();
            }
        }
        state[node] = 2;
        None
    }
    (0..n).find_map(|start| {
        if state[start] == 0 {
            visit(start, edges, &outgoing, &mut state, &mut path)
        } else {
            None
        }
    })
}

/// Level 0 for tables without parents, else one more than the deepest parent.
fn levels(n: usize, edges: &[Edge]) -> Vec<usize> {
    let mut level = vec![0usize; n];
    // The graph is acyclic now: n rounds of relaxation reach the fixpoint.
    for _ in 0..n {
        let mut changed = false;
        for edge in edges
            .iter()
            .filter(|e| e.broken.is_none() && e.child != e.parent)
        {
            if level[edge.child] < level[edge.parent] + 1 {
                level[edge.child] = level[edge.parent] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    level
}

struct UniqueKey {
    columns: Vec<String>,
    nulls_not_distinct: bool,
}

/// Primary key, unique constraints and unique indexes (partial ones too:
/// unique over all rows is unique over any subset); an expression key
/// over one column (`lower(email)`) counts as that column.
fn unique_keys(table: &Table, warnings: &mut Vec<String>, name: &QualifiedName) -> Vec<UniqueKey> {
    let mut keys = Vec::new();
    if let Some(pk) = &table.primary_key {
        keys.push(UniqueKey {
            columns: pk.columns.clone(),
            nulls_not_distinct: true,
        });
    }
    for unique in &table.uniques {
        keys.push(UniqueKey {
            columns: unique.columns.clone(),
            nulls_not_distinct: unique.nulls_not_distinct,
        });
    }
    for index in table
        .indexes
        .iter()
        .filter(|i| i.unique && i.constraint.is_none())
    {
        let mut columns = Vec::new();
        for key in &index.keys {
            match key {
                IndexKey::Column { name, .. } => columns.push(name.clone()),
                IndexKey::Expression { expression, .. } => {
                    let mut read = Vec::new();
                    if let Ok(expr) = expr::parse(expression, None) {
                        expr.columns(&mut read);
                    }
                    match read.as_slice() {
                        [one] => columns.push(one.clone()),
                        _ => {
                            warnings.push(format!("{name}: unique index {} on an expression Carta cannot read; rows may repeat it", index.name));
                            columns.clear();
                            break;
                        }
                    }
                }
            }
        }
        if !columns.is_empty() {
            keys.push(UniqueKey {
                columns,
                nulls_not_distinct: index.nulls_not_distinct,
            });
        }
    }
    keys
}

/// How good a type is at carrying a unique key (higher is better).
fn unique_rank(logical: &LogicalType) -> u8 {
    match logical {
        LogicalType::Uuid => 9,
        LogicalType::Text {
            max_length: None, ..
        } => 8,
        LogicalType::Text {
            max_length: Some(n),
            ..
        } if *n >= 8 => 7,
        LogicalType::Integer { bits, .. } if *bits >= 32 => 7,
        LogicalType::Decimal { .. }
        | LogicalType::Timestamp { .. }
        | LogicalType::Binary { .. } => 6,
        LogicalType::Integer { .. }
        | LogicalType::Text { .. }
        | LogicalType::Network { .. }
        | LogicalType::MacAddress => 5,
        LogicalType::Date | LogicalType::Float { .. } => 4,
        LogicalType::Enum { .. } | LogicalType::Time { .. } => 2,
        LogicalType::Boolean => 1,
        _ => 0,
    }
}

/// Identity, serial (a `nextval` default), MySQL AUTO_INCREMENT, or a sole integer primary key.
fn is_serial(table: &Table, column: &Column) -> bool {
    if column.identity.is_some() {
        return true;
    }
    if column
        .default
        .as_deref()
        .is_some_and(|d| d.contains("nextval("))
    {
        return true;
    }
    matches!(column.logical_type, LogicalType::Integer { .. })
        && table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns == [column.name.clone()])
        && column.default.is_none()
        && !table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.contains(&column.name))
}

fn owned_sequence(
    catalog: &Catalog,
    schema: &Schema,
    table: &Table,
    column: &str,
) -> Option<QualifiedName> {
    if catalog.dialect != Dialect::Postgres {
        return None;
    }
    let owner = ColumnRef {
        table: QualifiedName::new(&schema.name, &table.name),
        column: column.to_string(),
    };
    for s in &catalog.schemas {
        if let Some(sequence) = s
            .sequences
            .iter()
            .find(|q| q.owned_by.as_ref() == Some(&owner))
        {
            return Some(QualifiedName::new(&s.name, &sequence.name));
        }
    }
    // nextval('schema.seq'::regclass)
    let default = table.column(column)?.default.as_deref()?;
    let inner = default.split('\'').nth(1)?;
    let (s, n) = inner.split_once('.').unwrap_or((&schema.name, inner));
    Some(QualifiedName::new(s.trim_matches('"'), n.trim_matches('"')))
}

fn is_time(logical: &LogicalType) -> bool {
    matches!(logical, LogicalType::Timestamp { .. } | LogicalType::Date)
}

fn is_created(name: &str) -> bool {
    matches!(
        name,
        "created_at"
            | "created_on"
            | "created"
            | "inserted_at"
            | "date_joined"
            | "registered_at"
            | "creation_date"
    )
}

fn is_started(name: &str) -> bool {
    matches!(
        name,
        "started_at" | "start_at" | "starts_at" | "start_time" | "begins_at" | "started_on"
    )
}

/// The realistic NULL share of a nullable column.
fn default_null_ratio(name: &str) -> f64 {
    let name = name.to_lowercase();
    if [
        "deleted", "revoked", "archived", "cancel", "banned", "blocked",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        0.9
    } else {
        0.1
    }
}

const DAY: f64 = 86_400.0;

/// Name rules for time columns: what a column comes after, and by how much (seconds).
fn time_rule(name: &str, has_started: bool) -> Option<(bool, f64, f64)> {
    let name = name.to_lowercase();
    let n = name.as_str();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    Some(
        if has(&[
            "completed",
            "finished",
            "ended",
            "ends_",
            "end_",
            "stopped",
            "closed",
            "resolved",
        ]) {
            if has_started {
                (true, 1.0, 2.0 * 3600.0)
            } else {
                (false, 60.0, 7.0 * DAY)
            }
        } else if is_started(n) {
            (false, 0.0, 3600.0)
        } else if has(&["updated", "modified", "changed", "edited"]) {
            (false, 0.0, 60.0 * DAY)
        } else if has(&["expires", "expiry", "expiration", "valid_until"]) {
            (false, 3600.0, 90.0 * DAY)
        } else if has(&[
            "deleted",
            "revoked",
            "archived",
            "cancel",
            "verified",
            "confirmed",
            "last_",
            "sent",
            "triggered",
            "run_at",
            "login",
            "seen",
            "published",
            "processed",
        ]) {
            (false, 0.0, 120.0 * DAY)
        } else {
            return None;
        },
    )
}

fn scalar_of(logical: &LogicalType) -> Option<Scalar> {
    Some(match logical {
        LogicalType::Timestamp { with_time_zone } => Scalar::Timestamp {
            with_time_zone: *with_time_zone,
        },
        LogicalType::Date => Scalar::Date,
        LogicalType::Integer { bits, unsigned } => {
            let bits = u32::from((*bits).clamp(8, 64));
            let max = if *unsigned && bits < 64 {
                (1i64 << bits) - 1
            } else if bits < 64 {
                (1i64 << (bits - 1)) - 1
            } else {
                i64::MAX
            };
            Scalar::Int { max }
        }
        LogicalType::Decimal { precision, scale } => {
            let scale = scale.unwrap_or(if precision.is_some() { 0 } else { 2 });
            let max = precision
                .and_then(|p| 10i128.checked_pow(p))
                .map_or(i128::MAX, |m| m - 1);
            Scalar::Decimal { scale, max }
        }
        LogicalType::Float { .. } => Scalar::Float,
        _ => return None,
    })
}

/// Layers orderings onto the planned kinds: CHECK orderings (`a >= b`),
/// then name rules for times (updated after created, completed after
/// started, a child's created after its parent's). Dependencies that would
/// form a cycle within the row are skipped.
fn order_columns(
    gens: &mut [ColumnGen],
    columns: &[&Column],
    facts: &BTreeMap<String, Facts>,
    unique: &BTreeSet<String>,
    writer: &BTreeMap<&str, usize>,
    parent_created: impl Fn(usize) -> Option<(usize, usize, Pick)>,
) {
    let names: Vec<String> = gens.iter().map(|g| g.name.clone()).collect();
    let position = |name: &str| names.iter().position(|n| n == name);
    let mut depends: Vec<Vec<usize>> = vec![Vec::new(); gens.len()];
    for (c, gen) in gens.iter().enumerate() {
        if let Some(presence) = &gen.present_when {
            let mut read = Vec::new();
            presence.condition.columns(&mut read);
            depends[c].extend(read.iter().filter_map(|r| position(r)));
        }
    }
    let reaches = |depends: &Vec<Vec<usize>>, from: usize, to: usize| {
        let mut stack = vec![from];
        let mut seen = BTreeSet::new();
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if seen.insert(node) {
                stack.extend(depends[node].iter().copied());
            }
        }
        false
    };
    // Presence conditions that read back into a cycle are dropped.
    for c in 0..gens.len() {
        if depends[c].iter().any(|&d| reaches(&depends, d, c)) {
            gens[c].present_when = None;
            depends[c].clear();
        }
    }
    let created = columns
        .iter()
        .position(|c| is_created(&c.name) && is_time(&c.logical_type));
    let started = columns
        .iter()
        .position(|c| is_started(&c.name) && is_time(&c.logical_type));
    for c in 0..gens.len() {
        let column = columns[c];
        let free = !unique.contains(&column.name)
            && !writer.contains_key(column.name.as_str())
            && !matches!(gens[c].kind, Kind::Serial { .. } | Kind::Choice { .. });
        if !free {
            continue;
        }
        let Some(scalar) = scalar_of(&column.logical_type) else {
            continue;
        };
        let time = matches!(scalar, Scalar::Timestamp { .. } | Scalar::Date);
        let rule =
            if let Some((base, strict)) = facts.get(&column.name).and_then(|f| f.after.clone()) {
                position(&base).map(|b| {
                    let step = if time {
                        1.0
                    } else {
                        match scalar {
                            Scalar::Decimal { scale, .. } => 10f64.powi(-(scale as i32)),
                            Scalar::Float => 0.001,
                            _ => 1.0,
                        }
                    };
                    let span = if time { 30.0 * DAY } else { 10.0 };
                    (b, if strict { step } else { 0.0 }, span)
                })
            } else if time && Some(c) != created {
                time_rule(&column.name, started.is_some()).and_then(|(after_started, min, max)| {
                    let base = if after_started {
                        started
                    } else {
                        created.or(started)
                    }?;
                    (base != c).then_some((base, min, max))
                })
            } else {
                None
            };
        if let Some((base, min_delta, max_delta)) = rule {
            if reaches(&depends, base, c) {
                continue;
            }
            let fallback = std::mem::replace(&mut gens[c].kind, Kind::Serial { start: 0 });
            gens[c].kind = Kind::After {
                base: Base::Column(base),
                min_delta,
                max_delta,
                scalar,
                fallback: Box::new(fallback),
            };
            depends[c].push(base);
        } else if time && Some(c) == created {
            let parent = writer
                .values()
                .copied()
                .collect::<BTreeSet<usize>>()
                .into_iter()
                .find_map(&parent_created);
            if let Some((table, column, pick)) = parent {
                let fallback = std::mem::replace(&mut gens[c].kind, Kind::Serial { start: 0 });
                gens[c].kind = Kind::After {
                    base: Base::Parent {
                        table,
                        column,
                        pick,
                    },
                    min_delta: 0.0,
                    max_delta: 30.0 * DAY,
                    scalar,
                    fallback: Box::new(fallback),
                };
            }
        }
    }
}

fn table_checks(
    catalog: &Catalog,
    table: &Table,
    warnings: &mut Vec<String>,
    name: &QualifiedName,
) -> Vec<PlannedCheck> {
    let mut checks = Vec::new();
    for check in &table.checks {
        let label = check
            .name
            .clone()
            .unwrap_or_else(|| check.expression.clone());
        checks.push(PlannedCheck {
            name: label,
            expr: expr::parse(&check.expression, None),
        });
    }
    for column in &table.columns {
        let Some(domain) = find_domain(catalog, &column.data_type) else {
            continue;
        };
        for check in &domain.checks {
            let label = format!(
                "{} (domain {} on {})",
                check
                    .name
                    .clone()
                    .unwrap_or_else(|| check.expression.clone()),
                domain.name,
                column.name
            );
            checks.push(PlannedCheck {
                name: label,
                expr: expr::parse(&check.expression, Some(&column.name)),
            });
        }
    }
    for check in &checks {
        if let Err(error) = &check.expr {
            warnings.push(format!(
                "{name}: CHECK {} could not be read ({error}); generated rows may break it, and the database would reject them (the load rolls back)",
                check.name
            ));
        }
    }
    checks
}

/// The domain a column's type names (`schema.domain` or a bare name), if any.
pub(crate) fn find_domain<'a>(
    catalog: &'a Catalog,
    data_type: &str,
) -> Option<&'a carta_catalog::Domain> {
    let spelled = data_type.replace('"', "");
    let (schema, name) = match spelled.split_once('.') {
        Some((s, n)) => (Some(s.to_string()), n.to_string()),
        None => (None, spelled),
    };
    catalog
        .schemas
        .iter()
        .filter(|s| schema.as_ref().is_none_or(|want| *want == s.name))
        .flat_map(|s| s.domains.iter())
        .find(|d| d.name == name)
}

/// Evaluates `check` on one row of table `index`.
pub(crate) fn evaluate(gens: &[TableGen], index: usize, check: &Expr, row: u64) -> Option<bool> {
    let lookup = |name: &str| {
        let column = gens[index].column_index(name)?;
        Some(if gens[index].columns[column].deferred {
            Value::Null
        } else {
            values::value(gens, index, column, row)
        })
    };
    eval(check, &lookup).check_passes()
}

/// The rows a CHECK is tried on before anything is written: the first
/// [`SAMPLE_ROWS`], as many spread evenly over the rest, and the last, so a
/// bound that only breaks at high row numbers is caught too.
fn sample_rows(rows: u64) -> impl Iterator<Item = u64> {
    let head = 0..rows.min(SAMPLE_ROWS);
    let spread = (rows > SAMPLE_ROWS)
        .then(|| {
            (1..=SAMPLE_ROWS)
                .map(move |k| SAMPLE_ROWS + k * (rows - SAMPLE_ROWS) / (SAMPLE_ROWS + 1))
        })
        .into_iter()
        .flatten();
    let last = (rows > 0).then(|| rows - 1);
    head.chain(spread).chain(last)
}

fn sample_checks(
    gens: &[TableGen],
    index: usize,
    checks: &[PlannedCheck],
    warnings: &mut Vec<String>,
) {
    let table = &gens[index];
    for check in checks {
        let Ok(expr) = &check.expr else {
            continue;
        };
        let mut undecided = false;
        for row in sample_rows(table.rows) {
            match evaluate(gens, index, expr, row) {
                Some(true) => {}
                Some(false) => {
                    warnings.push(format!(
                        "{}: CHECK {} is broken by generated row {row}; the database would reject it (the load rolls back)",
                        table.name, check.name
                    ));
                    undecided = false;
                    break;
                }
                None => undecided = true,
            }
        }
        if undecided {
            warnings.push(format!(
                "{}: CHECK {} cannot be evaluated by Carta; generated rows may break it, and the database would reject them (the load rolls back)",
                table.name, check.name
            ));
        }
    }
}
