//! Live introspection of MySQL 8 and MariaDB 10.6+ through
//! `information_schema`: one bulk query per object kind for the whole
//! database, never one per table, run over three connections at once.

use crate::expr::{canonical, canonical_in};
use crate::shape::{self, RawColumn};
use carta_catalog::{
    Catalog, CheckConstraint, Dialect, ForeignKey, Index, IndexKey, IndexKeyOptions, MatchType,
    QualifiedName, ReferentialAction, Schema, SourceInfo, SourceKind, Table, TableKind, Trigger,
    TriggerEvent, TriggerTiming,
};
use carta_source::{redact_url, IngestError, IngestOptions, Ingested};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, Row, Value};
use std::collections::BTreeMap;

/// Where the server is, for error messages.
struct Endpoint {
    host: String,
    port: u16,
    user: String,
    database: String,
}

pub(crate) async fn ingest(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    options.filter.validate()?;
    let (opts, endpoint) = parse_url(url)?;
    let mut conns = Vec::with_capacity(3);
    for _ in 0..3 {
        conns.push(connect(opts.clone(), &endpoint, options).await?);
    }
    let result = read(&mut conns, &endpoint, options).await;
    for conn in conns {
        // The schema is already read; a failed goodbye changes nothing.
        let _ = conn.disconnect().await;
    }
    let (schema, version) = result?;
    let mut catalog = Catalog::new(Dialect::Mysql);
    if let Some(schema) = schema {
        catalog.schemas.push(schema);
    }
    let mut catalog = catalog.finish();
    catalog.source = Some(SourceInfo {
        kind: SourceKind::Live,
        location: redact_url(url),
        server_version: Some(version),
    });
    Ok(Ingested {
        catalog,
        warnings: Vec::new(),
    })
}

fn parse_url(url: &str) -> Result<(Opts, Endpoint), IngestError> {
    let invalid = |message: String| IngestError::InvalidUrl {
        url: redact_url(url),
        message,
    };
    let rest = ["mysql://", "mariadb://"]
        .iter()
        .find_map(|scheme| {
            url.get(..scheme.len())
                .filter(|p| p.eq_ignore_ascii_case(scheme))
                .map(|_| &url[scheme.len()..])
        })
        .ok_or_else(|| invalid("expected mysql:// or mariadb://".into()))?;
    let opts = Opts::from_url(&format!("mysql://{rest}")).map_err(|e| invalid(e.to_string()))?;
    let database = opts
        .db_name()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| {
            invalid("no database named: add it as the path, e.g. mysql://user@host/app".into())
        })?
        .to_string();
    let endpoint = Endpoint {
        host: opts.ip_or_hostname().to_string(),
        port: opts.tcp_port(),
        user: opts.user().unwrap_or("").to_string(),
        database,
    };
    // A socket found through the TCP connection would be a second,
    // unannounced connection path; Carta uses exactly what the URL names.
    let opts = Opts::from(OptsBuilder::from_opts(opts).prefer_socket(false));
    Ok((opts, endpoint))
}

async fn connect(
    opts: Opts,
    endpoint: &Endpoint,
    options: &IngestOptions,
) -> Result<Conn, IngestError> {
    match tokio::time::timeout(options.connect_timeout, Conn::new(opts)).await {
        Err(_) => Err(IngestError::ConnectTimeout {
            host: endpoint.host.clone(),
            port: endpoint.port,
            seconds: options.connect_timeout.as_secs().max(1),
        }),
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(mysql_async::Error::Server(e))) => Err(match e.code {
            // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR
            1045 | 1044 => IngestError::Auth {
                user: endpoint.user.clone(),
                host: endpoint.host.clone(),
                port: endpoint.port,
                message: e.message,
            },
            // ER_BAD_DB_ERROR
            1049 => IngestError::NoDatabase {
                database: endpoint.database.clone(),
                host: endpoint.host.clone(),
                port: endpoint.port,
            },
            _ => IngestError::Connect {
                host: endpoint.host.clone(),
                port: endpoint.port,
                message: e.to_string(),
            },
        }),
        Ok(Err(e)) => Err(IngestError::Connect {
            host: endpoint.host.clone(),
            port: endpoint.port,
            message: e.to_string(),
        }),
    }
}

fn query_error(e: mysql_async::Error) -> IngestError {
    IngestError::Query {
        message: e.to_string(),
    }
}

/// `AND ...` excluding the filter's tables, on a query whose schema and
/// table name columns are given, with its parameters.
fn exclusions(options: &IngestOptions, schema_col: &str, table_col: &str) -> (String, Vec<Value>) {
    let like = options.filter.like_patterns();
    let mut sql = String::new();
    let mut params = Vec::new();
    for pattern in like.bare {
        sql.push_str(&format!(" AND {table_col} NOT LIKE ?"));
        params.push(Value::from(pattern));
    }
    for pattern in like.qualified {
        sql.push_str(&format!(
            " AND CONCAT({schema_col}, '.', {table_col}) NOT LIKE ?"
        ));
        params.push(Value::from(pattern));
    }
    (sql, params)
}

/// Runs `sql` with the schema name as its first parameter and the
/// exclusions appended to its WHERE clause (before any ORDER BY).
async fn fetch(
    conn: &mut Conn,
    sql: &str,
    schema: &str,
    options: &IngestOptions,
    cols: (&str, &str),
) -> Result<Vec<Row>, IngestError> {
    let (filter, extra) = exclusions(options, cols.0, cols.1);
    let (head, tail) = match sql.find(" ORDER BY ") {
        Some(i) => sql.split_at(i),
        None => (sql, ""),
    };
    let mut params = vec![Value::from(schema)];
    params.extend(extra);
    conn.exec(format!("{head}{filter}{tail}"), params)
        .await
        .map_err(query_error)
}

fn text(row: &Row, i: usize) -> Option<String> {
    match row.as_ref(i)? {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Int(n) => Some(n.to_string()),
        Value::UInt(n) => Some(n.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn number(row: &Row, i: usize) -> Option<i64> {
    text(row, i).and_then(|t| t.parse().ok())
}

fn string(row: &Row, i: usize) -> String {
    text(row, i).unwrap_or_default()
}

const TABLES: &str =
    "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT, TABLE_ROWS \
    FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME";
const COLUMNS: &str =
    "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, \
    GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT \
    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION";
const FOREIGN_KEYS: &str = "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, \
    k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE, r.MATCH_OPTION \
    FROM information_schema.KEY_COLUMN_USAGE k \
    JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
    AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
    WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
    ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";
/// MariaDB keeps the table name in CHECK_CONSTRAINTS; MySQL 8 only in TABLE_CONSTRAINTS.
const CHECKS_MARIADB: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE \
    FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?";
const CHECKS_MYSQL: &str = "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE \
    FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc \
    ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
    WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'";
/// MySQL 8.0.13+ has functional key parts (EXPRESSION); MariaDB has none.
const INDEXES_MARIADB: &str =
    "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, \
    INDEX_TYPE, INDEX_COMMENT, NULL FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? \
    ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
const INDEXES_MYSQL: &str = "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, \
    INDEX_TYPE, INDEX_COMMENT, EXPRESSION FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? \
    ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
const TRIGGERS: &str = "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, \
    ACTION_ORIENTATION, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? \
    ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME";
const VIEWS: &str = "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS \
    WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME";
const PARTITIONS: &str =
    "SELECT TABLE_NAME, PARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION, \
    SUBPARTITION_METHOD, SUBPARTITION_EXPRESSION, PARTITION_DESCRIPTION \
    FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL \
    AND (SUBPARTITION_ORDINAL_POSITION IS NULL OR SUBPARTITION_ORDINAL_POSITION = 1) \
    ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION";

/// Rows of every query, fetched before any is interpreted.
struct Fetched {
    tables: Vec<Row>,
    columns: Vec<Row>,
    foreign_keys: Vec<Row>,
    checks: Vec<Row>,
    indexes: Vec<Row>,
    triggers: Vec<Row>,
    views: Vec<Row>,
    partitions: Vec<Row>,
}

async fn read(
    conns: &mut [Conn],
    endpoint: &Endpoint,
    options: &IngestOptions,
) -> Result<(Option<Schema>, String), IngestError> {
    let [a, b, c] = conns else {
        return Err(IngestError::Query {
            message: "internal: expected three connections".into(),
        });
    };
    let version: String = a
        .query_first("SELECT VERSION()")
        .await
        .map_err(query_error)?
        .unwrap_or_default();
    let db = endpoint.database.as_str();
    if !options.filter.includes_schema(db) {
        return Ok((None, version));
    }
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let (checks_sql, indexes_sql) = if mariadb {
        (CHECKS_MARIADB, INDEXES_MARIADB)
    } else {
        (CHECKS_MYSQL, INDEXES_MYSQL)
    };
    let checks_cols = if mariadb {
        ("CONSTRAINT_SCHEMA", "TABLE_NAME")
    } else {
        ("tc.TABLE_SCHEMA", "tc.TABLE_NAME")
    };
    let plain = ("TABLE_SCHEMA", "TABLE_NAME");
    let first = async {
        Ok::<_, IngestError>((
            fetch(a, TABLES, db, options, plain).await?,
            fetch(a, COLUMNS, db, options, plain).await?,
            fetch(a, VIEWS, db, options, plain).await?,
        ))
    };
    let second = async {
        Ok::<_, IngestError>((
            fetch(b, indexes_sql, db, options, plain).await?,
            fetch(
                b,
                FOREIGN_KEYS,
                db,
                options,
                ("k.TABLE_SCHEMA", "k.TABLE_NAME"),
            )
            .await?,
        ))
    };
    let third = async {
        Ok::<_, IngestError>((
            fetch(c, checks_sql, db, options, checks_cols).await?,
            fetch(
                c,
                TRIGGERS,
                db,
                options,
                ("EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE"),
            )
            .await?,
            fetch(c, PARTITIONS, db, options, plain).await?,
        ))
    };
    let ((tables, columns, views), (indexes, foreign_keys), (checks, triggers, partitions)) =
        tokio::try_join!(first, second, third)?;
    let fetched = Fetched {
        tables,
        columns,
        foreign_keys,
        checks,
        indexes,
        triggers,
        views,
        partitions,
    };
    Ok((Some(assemble(db, fetched)), version))
}

fn assemble(db: &str, rows: Fetched) -> Schema {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut collations: BTreeMap<String, Option<String>> = BTreeMap::new();
    for row in &rows.tables {
        let name = string(row, 0);
        let table_type = string(row, 1);
        let kind = if table_type == "VIEW" {
            TableKind::View
        } else {
            TableKind::Table
        };
        let mut table = Table {
            name: name.clone(),
            kind,
            ..Table::default()
        };
        if kind == TableKind::Table {
            if let Some(engine) = text(row, 2) {
                table
                    .options
                    .insert("engine".into(), engine.to_ascii_lowercase());
            }
            if table_type == "SYSTEM VERSIONED" {
                table
                    .options
                    .insert("system_versioned".into(), "true".into());
            }
            table.comment = text(row, 4).filter(|c| !c.is_empty());
            table.row_estimate = number(row, 5);
        }
        collations.insert(name.clone(), text(row, 3));
        tables.insert(name, table);
    }
    for row in &rows.columns {
        let table_name = string(row, 0);
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let extra = string(row, 5).to_ascii_lowercase();
        let generated = text(row, 6)
            .filter(|g| {
                !g.is_empty() && extra.contains("generated") && !extra.contains("default_generated")
            })
            .map(|g| (g, extra.contains("stored")));
        let raw = RawColumn {
            name: string(row, 1),
            type_spelling: string(row, 2),
            nullable: string(row, 3) == "YES",
            default: text(row, 4).map(|d| default_sql(&d, &string(row, 2), &extra)),
            auto_increment: extra.contains("auto_increment"),
            generated,
            collation: text(row, 7),
            comment: text(row, 8),
        };
        let table_collation = collations.get(&table_name).cloned().flatten();
        let mut column = shape::column(raw, table_collation.as_deref());
        if table.kind == TableKind::View {
            shape::view_column(&mut column);
        }
        table.columns.push(column);
    }
    for row in &rows.views {
        if let Some(table) = tables.get_mut(&string(row, 0)) {
            table.definition = text(row, 1).map(|d| canonical_in(&d, Some(db)));
        }
    }
    add_indexes(&mut tables, &rows.indexes);
    add_foreign_keys(&mut tables, &rows.foreign_keys);
    for row in &rows.checks {
        if let Some(table) = tables.get_mut(&string(row, 0)) {
            table.checks.push(CheckConstraint {
                name: text(row, 1),
                expression: canonical(&string(row, 2)),
                comment: None,
            });
        }
    }
    add_triggers(&mut tables, &rows.triggers);
    add_partitions(&mut tables, &rows.partitions);
    let mut tables: Vec<Table> = tables.into_values().collect();
    for table in &mut tables {
        shape::finish_table(table);
    }
    Schema {
        name: db.to_string(),
        tables,
        ..Schema::default()
    }
}

/// COLUMN_DEFAULT as an SQL expression. MariaDB already reports one
/// (`'abc'`, `NULL`, `current_timestamp()`); MySQL 8 reports the raw value
/// unless EXTRA says DEFAULT_GENERATED.
fn default_sql(value: &str, column_type: &str, extra: &str) -> String {
    let looks_like_sql = value.starts_with('\'')
        || value.eq_ignore_ascii_case("NULL")
        || value.starts_with("b'")
        || value.parse::<f64>().is_ok()
        || value.ends_with(')');
    if extra.contains("default_generated") || looks_like_sql {
        return value.to_string();
    }
    let ty = crate::types::column_type(column_type);
    if crate::types::is_textual(&ty.logical)
        || matches!(ty.logical, carta_catalog::LogicalType::Boolean)
    {
        crate::lex::quote_string(value)
    } else {
        value.to_string()
    }
}

fn add_indexes(tables: &mut BTreeMap<String, Table>, rows: &[Row]) {
    for row in rows {
        let Some(table) = tables.get_mut(&string(row, 0)) else {
            continue;
        };
        let name = string(row, 1);
        let options = IndexKeyOptions {
            descending: text(row, 4).as_deref() == Some("D"),
            prefix_length: number(row, 5).and_then(|n| u32::try_from(n).ok()),
            ..IndexKeyOptions::default()
        };
        let key = match (text(row, 3), text(row, 8)) {
            (Some(column), _) => IndexKey::Column {
                name: column,
                options,
            },
            (None, expression) => IndexKey::Expression {
                expression: canonical(&expression.unwrap_or_default()),
                options,
            },
        };
        match table.indexes.iter_mut().find(|i| i.name == name) {
            Some(index) => index.keys.push(key),
            None => table.indexes.push(Index {
                name,
                unique: number(row, 2) == Some(0),
                method: string(row, 6).to_ascii_lowercase(),
                keys: vec![key],
                include: Vec::new(),
                predicate: None,
                constraint: None,
                nulls_not_distinct: false,
                comment: text(row, 7).filter(|c| !c.is_empty()),
            }),
        }
    }
}

/// InnoDB treats RESTRICT and NO ACTION alike (checked immediately), and
/// MariaDB reports an unspecified action as RESTRICT, MySQL 8 as NO ACTION:
/// both become `no_action`.
pub(crate) fn referential_action(rule: &str) -> ReferentialAction {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

fn add_foreign_keys(tables: &mut BTreeMap<String, Table>, rows: &[Row]) {
    for row in rows {
        let Some(table) = tables.get_mut(&string(row, 0)) else {
            continue;
        };
        let name = string(row, 1);
        let column = string(row, 2);
        let referenced_column = string(row, 5);
        if let Some(fk) = table
            .foreign_keys
            .iter_mut()
            .find(|f| f.name.as_deref() == Some(name.as_str()))
        {
            fk.columns.push(column);
            fk.referenced_columns.push(referenced_column);
            continue;
        }
        table.foreign_keys.push(ForeignKey {
            name: Some(name),
            columns: vec![column],
            referenced_table: QualifiedName::new(string(row, 3), string(row, 4)),
            referenced_columns: vec![referenced_column],
            on_update: referential_action(&string(row, 6)),
            on_delete: referential_action(&string(row, 7)),
            match_type: match string(row, 8).as_str() {
                "FULL" => MatchType::Full,
                "PARTIAL" => MatchType::Partial,
                _ => MatchType::Simple,
            },
            deferrable: false,
            initially_deferred: false,
            comment: None,
        });
    }
}

fn add_triggers(tables: &mut BTreeMap<String, Table>, rows: &[Row]) {
    for row in rows {
        let Some(table) = tables.get_mut(&string(row, 0)) else {
            continue;
        };
        let timing = match string(row, 2).as_str() {
            "BEFORE" => TriggerTiming::Before,
            _ => TriggerTiming::After,
        };
        let event = match string(row, 3).as_str() {
            "INSERT" => TriggerEvent::Insert,
            "UPDATE" => TriggerEvent::Update,
            _ => TriggerEvent::Delete,
        };
        table.triggers.push(Trigger {
            name: string(row, 1),
            timing,
            events: vec![event],
            update_columns: Vec::new(),
            for_each_row: string(row, 4) == "ROW",
            when: None,
            function: None,
            body: Some(string(row, 5).trim().to_string()),
            comment: None,
        });
    }
}

fn add_partitions(tables: &mut BTreeMap<String, Table>, rows: &[Row]) {
    for row in rows {
        let Some(table) = tables.get_mut(&string(row, 0)) else {
            continue;
        };
        let method = string(row, 2);
        if table.partition_key.is_none() {
            table.kind = TableKind::PartitionedTable;
            table.partition_key = Some(partition_key(
                &method,
                &string(row, 3),
                text(row, 4).as_deref(),
                text(row, 5).as_deref(),
            ));
        }
        let entry = partition_entry(&string(row, 1), &method, text(row, 6).as_deref());
        table
            .options
            .entry("partitions".into())
            .and_modify(|list| {
                list.push_str(", ");
                list.push_str(&entry);
            })
            .or_insert(entry);
    }
}

/// `RANGE (year(`created`))`, with ` SUBPARTITION BY HASH (...)` when subpartitioned.
pub(crate) fn partition_key(
    method: &str,
    expression: &str,
    sub_method: Option<&str>,
    sub_expression: Option<&str>,
) -> String {
    let mut key = format!(
        "{} ({})",
        method.to_ascii_uppercase(),
        canonical(expression)
    );
    if let Some(sub) = sub_method.filter(|m| !m.is_empty()) {
        key.push_str(&format!(
            " SUBPARTITION BY {} ({})",
            sub.to_ascii_uppercase(),
            canonical(sub_expression.unwrap_or(""))
        ));
    }
    key
}

/// One entry of the `partitions` table option: `p0 VALUES LESS THAN (2020)`.
pub(crate) fn partition_entry(name: &str, method: &str, description: Option<&str>) -> String {
    let description = description.filter(|d| !d.is_empty());
    let bound = |d: &str| {
        if d.eq_ignore_ascii_case("MAXVALUE") {
            "MAXVALUE".to_string()
        } else {
            format!("({})", canonical(d))
        }
    };
    let method = method.to_ascii_uppercase();
    match description {
        Some(d) if method.starts_with("RANGE") => format!("{name} VALUES LESS THAN {}", bound(d)),
        Some(d) if method.starts_with("LIST") => format!("{name} VALUES IN ({})", canonical(d)),
        _ => name.to_string(),
    }
}
