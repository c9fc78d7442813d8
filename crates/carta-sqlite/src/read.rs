//! Reads the `main` schema of an open SQLite connection.
//!
//! Five queries for the whole database, whatever its size: the objects in
//! `sqlite_schema`, `pragma_table_list` (kinds, WITHOUT ROWID, STRICT), and
//! `sqlite_schema` joined with `pragma_table_xinfo`, `pragma_index_list` +
//! `pragma_index_xinfo` and `pragma_foreign_key_list`. A pragma fails for
//! the whole query when one object cannot be compiled (a view over a dropped
//! table, a virtual table whose module this build lacks); only then is that
//! query repeated object by object, so the broken object becomes a warning
//! and everything else is still read. What the pragmas do not expose comes
//! from the stored `CREATE` text (see [`crate::create_sql`]).

use crate::create_sql::{self, TableText};
use crate::types::logical_type;
use carta_catalog::{
    Column, ForeignKey, Generated, Identity, Index, IndexKey, IndexKeyOptions, MatchType,
    PrimaryKey, QualifiedName, ReferentialAction, Schema, Table, TableKind, Trigger,
    UniqueConstraint,
};
use carta_source::Warning;
use rusqlite::{Connection, ErrorCode, Row};
use std::collections::HashMap;

/// The only schema read: attached and temp databases are not part of a file's schema.
pub(crate) const SCHEMA: &str = "main";

/// Internal objects (`sqlite_schema`, `sqlite_sequence`, `sqlite_stat1`,
/// `sqlite_autoindex_*`): SQLite reserves the prefix, so no user object has it.
const NOT_INTERNAL: &str = r"m.name NOT LIKE 'sqlite\_%' ESCAPE '\'";

struct Object {
    kind: String,
    name: String,
    table_name: String,
    sql: Option<String>,
}

struct ListEntry {
    kind: String,
    without_rowid: bool,
    strict: bool,
}

struct ColumnRow {
    name: String,
    data_type: String,
    not_null: bool,
    default: Option<String>,
    pk: i64,
    hidden: i64,
}

struct IndexRow {
    index: String,
    unique: bool,
    origin: String,
    partial: bool,
    seqno: i64,
    cid: i64,
    column: Option<String>,
    descending: bool,
    collation: Option<String>,
}

struct ForeignKeyRow {
    id: i64,
    table: String,
    from: String,
    to: Option<String>,
    on_update: String,
    on_delete: String,
}

/// Reads the `main` schema in one read transaction, so it is one consistent snapshot.
pub(crate) fn read_schema(conn: &Connection) -> rusqlite::Result<(Schema, Vec<Warning>)> {
    let tx = conn.unchecked_transaction()?;
    let mut warnings = Vec::new();
    let objects = query_objects(conn)?;
    let list = query_table_list(conn)?;
    let relations: Vec<&str> = objects
        .iter()
        .filter(|o| o.kind == "table" || o.kind == "view")
        .map(|o| o.name.as_str())
        .collect();
    let tables_only: Vec<&str> = objects
        .iter()
        .filter(|o| o.kind == "table")
        .map(|o| o.name.as_str())
        .collect();
    let mut columns = group(query_per_object(
        conn,
        &relations,
        "columns",
        &mut warnings,
        &format!(
            "SELECT m.name, c.name, c.type, c.\"notnull\", c.dflt_value, c.pk, c.hidden \
             FROM sqlite_schema AS m JOIN pragma_table_xinfo(m.name, 'main') AS c \
             WHERE m.type IN ('table', 'view') AND {NOT_INTERNAL} AND (?1 IS NULL OR m.name = ?1) \
             ORDER BY m.name, c.cid"
        ),
        |row| {
            Ok(ColumnRow {
                name: row.get(1)?,
                data_type: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                not_null: row.get(3)?,
                default: row.get(4)?,
                pk: row.get(5)?,
                hidden: row.get(6)?,
            })
        },
    )?);
    let mut indexes = group(query_per_object(
        conn,
        &tables_only,
        "indexes",
        &mut warnings,
        &format!(
            "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial, x.seqno, x.cid, x.name, \
                    x.\"desc\", x.coll \
             FROM sqlite_schema AS m JOIN pragma_index_list(m.name, 'main') AS l \
                  JOIN pragma_index_xinfo(l.name, 'main') AS x \
             WHERE m.type = 'table' AND {NOT_INTERNAL} AND (?1 IS NULL OR m.name = ?1) AND x.key = 1 \
             ORDER BY m.name, l.name, x.seqno"
        ),
        |row| {
            Ok(IndexRow {
                index: row.get(1)?,
                unique: row.get(2)?,
                origin: row.get(3)?,
                partial: row.get(4)?,
                seqno: row.get(5)?,
                cid: row.get(6)?,
                column: row.get(7)?,
                descending: row.get(8)?,
                collation: row.get(9)?,
            })
        },
    )?);
    let mut foreign_keys = group(query_per_object(
        conn,
        &tables_only,
        "foreign keys",
        &mut warnings,
        &format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
             FROM sqlite_schema AS m JOIN pragma_foreign_key_list(m.name, 'main') AS f \
             WHERE m.type = 'table' AND {NOT_INTERNAL} AND (?1 IS NULL OR m.name = ?1) \
             ORDER BY m.name, f.id, f.seq"
        ),
        |row| {
            Ok(ForeignKeyRow {
                id: row.get(1)?,
                table: row.get(2)?,
                from: row.get(3)?,
                to: row.get(4)?,
                on_update: row.get(5)?,
                on_delete: row.get(6)?,
            })
        },
    )?);
    drop(tx);

    let index_sql: HashMap<&str, &str> = objects
        .iter()
        .filter(|o| o.kind == "index")
        .filter_map(|o| Some((o.name.as_str(), o.sql.as_deref()?)))
        .collect();
    let mut tables = Vec::new();
    for object in &objects {
        let entry = list.get(&object.name);
        if entry.is_some_and(|e| e.kind == "shadow") {
            // The storage of a virtual table (FTS5's `_data`, `_idx`, ...), not the user's design.
            continue;
        }
        let sql = object.sql.as_deref().unwrap_or_default();
        let columns = columns.remove(&object.name).unwrap_or_default();
        match object.kind.as_str() {
            "table" => tables.push(build_table(
                &object.name,
                create_sql::parse_table(sql),
                entry,
                columns,
                indexes.remove(&object.name).unwrap_or_default(),
                foreign_keys.remove(&object.name).unwrap_or_default(),
                &index_sql,
            )),
            "view" => tables.push(Table {
                name: object.name.clone(),
                kind: TableKind::View,
                columns: columns.into_iter().map(view_column).collect(),
                definition: create_sql::parse_view(sql),
                ..Table::default()
            }),
            _ => {}
        }
    }
    attach_triggers(&objects, &mut tables, &mut warnings);
    resolve_references(&mut tables);
    let schema = Schema {
        name: SCHEMA.to_string(),
        tables,
        ..Schema::default()
    };
    Ok((schema, warnings))
}

fn query_objects(conn: &Connection) -> rusqlite::Result<Vec<Object>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT m.type, m.name, m.tbl_name, m.sql FROM sqlite_schema AS m WHERE {NOT_INTERNAL} ORDER BY m.name"
    ))?;
    let rows = stmt.query_map([], |row| {
        Ok(Object {
            kind: row.get(0)?,
            name: row.get(1)?,
            table_name: row.get(2)?,
            sql: row.get(3)?,
        })
    })?;
    rows.collect()
}

fn query_table_list(conn: &Connection) -> rusqlite::Result<HashMap<String, ListEntry>> {
    let mut stmt =
        conn.prepare("SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'")?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            ListEntry {
                kind: row.get(1)?,
                without_rowid: row.get(2)?,
                strict: row.get(3)?,
            },
        ))
    })?;
    rows.collect()
}

/// Runs `sql` (whose `?1` is NULL for all objects or one object's name) for
/// the whole database, or object by object when the whole fails because
/// some object cannot be compiled. Rows come back as (object name, row).
fn query_per_object<T>(
    conn: &Connection,
    names: &[&str],
    what: &str,
    warnings: &mut Vec<Warning>,
    sql: &str,
    map: impl Fn(&Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<(String, T)>> {
    let mut stmt = conn.prepare(sql)?;
    let mut run = |name: Option<&str>| -> rusqlite::Result<Vec<(String, T)>> {
        stmt.query_map([name], |row| Ok((row.get(0)?, map(row)?)))?
            .collect()
    };
    match run(None) {
        Err(error) if is_about_one_object(&error) => {
            let mut rows = Vec::new();
            for &name in names {
                match run(Some(name)) {
                    Ok(mut more) => rows.append(&mut more),
                    Err(error) if is_about_one_object(&error) => warnings.push(Warning {
                        location: None,
                        object: Some(format!("{SCHEMA}.{name}")),
                        message: format!("its {what} could not be read: {error}"),
                        excerpt: None,
                    }),
                    Err(error) => return Err(error),
                }
            }
            Ok(rows)
        }
        result => result,
    }
}

/// A plain SQL error (no such table/module/function/collation while
/// compiling one object), as opposed to I/O, locking or corruption, which
/// concern the whole file.
fn is_about_one_object(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(ErrorCode::Unknown)
}

fn group<T>(rows: Vec<(String, T)>) -> HashMap<String, Vec<T>> {
    let mut groups: HashMap<String, Vec<T>> = HashMap::new();
    for (name, row) in rows {
        groups.entry(name).or_default().push(row);
    }
    groups
}

fn view_column(row: ColumnRow) -> Column {
    Column {
        logical_type: logical_type(&row.data_type),
        name: row.name,
        data_type: row.data_type,
        nullable: !row.not_null,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn build_table(
    name: &str,
    text: TableText,
    entry: Option<&ListEntry>,
    column_rows: Vec<ColumnRow>,
    index_rows: Vec<IndexRow>,
    fk_rows: Vec<ForeignKeyRow>,
    index_sql: &HashMap<&str, &str>,
) -> Table {
    let without_rowid = entry.is_some_and(|e| e.without_rowid);
    let mut pk_columns: Vec<(i64, &str, &str)> = column_rows
        .iter()
        .filter(|c| c.pk > 0)
        .map(|c| (c.pk, c.name.as_str(), c.data_type.as_str()))
        .collect();
    pk_columns.sort();
    // A rowid alias (https://sqlite.org/lang_createtable.html#rowid): the only
    // key column, declared exactly INTEGER, of a rowid table, with no index
    // behind the key (`INTEGER PRIMARY KEY DESC` gets one and is no alias).
    let rowid_alias = match pk_columns.as_slice() {
        [(_, column, data_type)]
            if !without_rowid
                && text.module.is_none()
                && data_type.eq_ignore_ascii_case("INTEGER")
                && !index_rows.iter().any(|r| r.origin == "pk") =>
        {
            Some(column.to_string())
        }
        _ => None,
    };

    let primary_key = (!pk_columns.is_empty()).then(|| {
        let named = text.primary_key.clone().unwrap_or_default();
        PrimaryKey {
            name: named.name,
            columns: pk_columns.iter().map(|(_, c, _)| c.to_string()).collect(),
            comment: named.comment,
        }
    });
    let columns = column_rows
        .into_iter()
        // Hidden columns of virtual tables (FTS5's table-named column, `rank`) are not declared.
        .filter(|c| c.hidden != 1)
        .map(|c| {
            let declared = text.column(&c.name);
            let is_alias = rowid_alias.as_deref() == Some(c.name.as_str());
            let generated = matches!(c.hidden, 2 | 3).then(|| Generated {
                expression: declared
                    .and_then(|d| d.generated.clone())
                    .unwrap_or_default(),
                stored: c.hidden == 3,
            });
            Column {
                logical_type: logical_type(&c.data_type),
                nullable: !c.not_null && !is_alias,
                default: if generated.is_some() { None } else { c.default },
                identity: is_alias.then_some(Identity::ByDefault),
                generated,
                collation: declared.and_then(|d| d.collation.clone()),
                comment: declared.and_then(|d| d.comment.clone()),
                data_type: c.data_type,
                name: c.name,
            }
        })
        .collect::<Vec<_>>();

    let mut table = Table {
        name: name.to_string(),
        kind: TableKind::Table,
        comment: text.comment.clone(),
        primary_key,
        checks: text.checks.clone(),
        ..Table::default()
    };
    let (indexes, uniques) = build_indexes(&text, &table, &columns, index_rows, index_sql);
    table.indexes = indexes;
    table.uniques = uniques;
    table.foreign_keys = build_foreign_keys(&text, fk_rows);
    table.columns = columns;
    let flags = [
        ("without_rowid", without_rowid),
        ("strict", entry.is_some_and(|e| e.strict)),
        ("autoincrement", text.autoincrement),
    ];
    for (key, on) in flags {
        if on {
            table.options.insert(key.to_string(), "true".to_string());
        }
    }
    if let Some(module) = &text.module {
        table.options.insert("virtual".to_string(), module.clone());
    }
    table
}

/// The indexes of a table, and the UNIQUE constraints its `u` indexes back.
fn build_indexes(
    text: &TableText,
    table: &Table,
    columns: &[Column],
    rows: Vec<IndexRow>,
    index_sql: &HashMap<&str, &str>,
) -> (Vec<Index>, Vec<UniqueConstraint>) {
    let mut indexes: Vec<Index> = Vec::new();
    let mut uniques = Vec::new();
    let mut unique_texts_used = vec![false; text.uniques.len()];
    let mut start = 0;
    while start < rows.len() {
        let end = rows[start..]
            .iter()
            .position(|r| r.index != rows[start].index)
            .map_or(rows.len(), |n| start + n);
        let parts = &rows[start..end];
        let head = &parts[0];
        start = end;
        let sql_text = index_sql
            .get(head.index.as_str())
            .map(|sql| create_sql::parse_index(sql));
        let keys = parts
            .iter()
            .map(|part| index_key(part, sql_text.as_ref(), columns))
            .collect::<Vec<_>>();
        let constraint = match head.origin.as_str() {
            "pk" => Some(
                table
                    .primary_key
                    .as_ref()
                    .and_then(|pk| pk.name.clone())
                    .unwrap_or_else(|| head.index.clone()),
            ),
            "u" => {
                let key_columns: Vec<String> = parts
                    .iter()
                    .map(|p| p.column.clone().unwrap_or_default())
                    .collect();
                let declared = text.uniques.iter().enumerate().position(|(i, u)| {
                    !unique_texts_used[i] && same_names(&u.columns, &key_columns)
                });
                let named = declared
                    .map(|i| {
                        unique_texts_used[i] = true;
                        text.uniques[i].named.clone()
                    })
                    .unwrap_or_default();
                let constraint = named.name.clone().unwrap_or_else(|| head.index.clone());
                uniques.push(UniqueConstraint {
                    name: named.name,
                    columns: key_columns,
                    nulls_not_distinct: false,
                    deferrable: false,
                    initially_deferred: false,
                    comment: named.comment,
                });
                Some(constraint)
            }
            _ => None,
        };
        indexes.push(Index {
            name: head.index.clone(),
            unique: head.unique,
            method: "btree".to_string(),
            keys,
            include: Vec::new(),
            predicate: if head.partial {
                sql_text.and_then(|t| t.predicate)
            } else {
                None
            },
            constraint,
            nulls_not_distinct: false,
            comment: None,
        });
    }
    (indexes, uniques)
}

/// One key of an index. Its collation is given only where it differs from
/// what the key would get anyway: the column's collation, BINARY for an expression.
fn index_key(
    part: &IndexRow,
    sql_text: Option<&create_sql::IndexText>,
    columns: &[Column],
) -> IndexKey {
    let written = || {
        let seqno = usize::try_from(part.seqno).ok()?;
        sql_text.and_then(|t| t.keys.get(seqno).cloned())
    };
    let (key_column, implied) = match (&part.column, part.cid) {
        (Some(name), cid) if cid >= 0 => {
            let column = columns.iter().find(|c| &c.name == name);
            (Some(name.clone()), column.and_then(|c| c.collation.clone()))
        }
        _ => (None, None),
    };
    let implied = implied.unwrap_or_else(|| "BINARY".to_string());
    let options = IndexKeyOptions {
        descending: part.descending,
        collation: part
            .collation
            .clone()
            .filter(|c| !c.eq_ignore_ascii_case(&implied)),
        ..IndexKeyOptions::default()
    };
    match key_column {
        Some(name) => IndexKey::Column { name, options },
        // An expression (cid -2) or the rowid itself (cid -1).
        None => IndexKey::Expression {
            expression: written().unwrap_or_else(|| "rowid".to_string()),
            options,
        },
    }
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// Foreign keys from `pragma_foreign_key_list` (one row per column, grouped
/// by `id`), with the name and DEFERRABLE of the matching REFERENCES clause.
fn build_foreign_keys(text: &TableText, rows: Vec<ForeignKeyRow>) -> Vec<ForeignKey> {
    let mut used = vec![false; text.foreign_keys.len()];
    let mut foreign_keys: Vec<ForeignKey> = Vec::new();
    let mut last_id = None;
    for row in rows {
        if last_id != Some(row.id) {
            last_id = Some(row.id);
            foreign_keys.push(ForeignKey {
                name: None,
                columns: Vec::new(),
                referenced_table: QualifiedName::new(SCHEMA, row.table.clone()),
                referenced_columns: Vec::new(),
                on_update: action(&row.on_update),
                on_delete: action(&row.on_delete),
                // SQLite parses MATCH but handles every key as MATCH SIMPLE, and
                // the pragma always says NONE.
                match_type: MatchType::Simple,
                deferrable: false,
                initially_deferred: false,
                comment: None,
            });
        }
        if let Some(fk) = foreign_keys.last_mut() {
            fk.columns.push(row.from);
            // NULL `to`: the clause named no columns, so it means the parent's
            // primary key, filled in by `resolve_references`.
            if let Some(to) = row.to {
                fk.referenced_columns.push(to);
            }
        }
    }
    // The pragma lists the last declared key first; keep declaration order.
    foreign_keys.reverse();
    for fk in &mut foreign_keys {
        let declared = text.foreign_keys.iter().enumerate().position(|(i, t)| {
            !used[i]
                && same_names(&t.columns, &fk.columns)
                && t.referenced_table
                    .eq_ignore_ascii_case(&fk.referenced_table.name)
        });
        if let Some(i) = declared {
            used[i] = true;
            let declared = &text.foreign_keys[i];
            fk.name = declared.named.name.clone();
            fk.comment = declared.named.comment.clone();
            fk.deferrable = declared.deferrable;
            fk.initially_deferred = declared.initially_deferred;
        }
    }
    foreign_keys
}

fn action(text: &str) -> ReferentialAction {
    match text.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "RESTRICT" => ReferentialAction::Restrict,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// Names in REFERENCES clauses are matched without regard to case, as SQLite
/// does; this spells them as the referenced table declares them, fills in the
/// primary key where the clause named no columns, and likewise spells
/// trigger `UPDATE OF` columns as declared.
fn resolve_references(tables: &mut [Table]) {
    let by_name: HashMap<String, (String, Vec<String>, Vec<String>)> = tables
        .iter()
        .map(|t| {
            (
                t.name.to_lowercase(),
                (
                    t.name.clone(),
                    t.columns.iter().map(|c| c.name.clone()).collect(),
                    t.primary_key
                        .as_ref()
                        .map(|pk| pk.columns.clone())
                        .unwrap_or_default(),
                ),
            )
        })
        .collect();
    let spell = |columns: &[String], name: &str| {
        columns
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    for table in tables.iter_mut() {
        for fk in &mut table.foreign_keys {
            let Some((parent, parent_columns, parent_key)) =
                by_name.get(&fk.referenced_table.name.to_lowercase())
            else {
                continue;
            };
            fk.referenced_table.name = parent.clone();
            if fk.referenced_columns.is_empty() {
                fk.referenced_columns = parent_key.clone();
            } else {
                for column in &mut fk.referenced_columns {
                    *column = spell(parent_columns, column);
                }
            }
        }
        let own: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        for trigger in &mut table.triggers {
            for column in &mut trigger.update_columns {
                *column = spell(&own, column);
            }
        }
    }
}

fn attach_triggers(objects: &[Object], tables: &mut [Table], warnings: &mut Vec<Warning>) {
    let by_name: HashMap<String, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.to_lowercase(), i))
        .collect();
    for object in objects.iter().filter(|o| o.kind == "trigger") {
        let sql = object.sql.as_deref().unwrap_or_default();
        let Some(text) = create_sql::parse_trigger(sql) else {
            warnings.push(Warning {
                location: None,
                object: Some(format!("{SCHEMA}.{}", object.name)),
                message: "trigger text not understood; trigger skipped".to_string(),
                excerpt: sql.lines().next().map(str::to_string),
            });
            continue;
        };
        let Some(&i) = by_name.get(&object.table_name.to_lowercase()) else {
            continue;
        };
        let table = &mut tables[i];
        table.triggers.push(Trigger {
            name: object.name.clone(),
            timing: text.timing,
            events: text.events,
            update_columns: text.update_columns,
            // SQLite has only row-level triggers.
            for_each_row: true,
            when: text.when,
            function: None,
            body: text.body,
            comment: None,
        });
    }
}
