//! The catalog queries, one per object kind for the whole database, and
//! their rows.
//!
//! Every query reads all objects of its kind at once; none is ever run per
//! table. The schema filter (`$1`, the included schema names, empty for
//! all) and the exclude patterns (`$2` against `schema.table`, `$3` against
//! the bare table name, both `LIKE` patterns escaped with `\`) are applied
//! in SQL, so excluded objects are never sent. They are applied once, by
//! [`relations`]: the queries for the parts of tables (columns,
//! constraints, indexes, triggers, policies) take the oids it returned
//! (`$1`), so every part belongs to a table that was read. Values come back as plain
//! types (`oid::int8`, `"char"::text`, vectors as arrays) so decoding stays
//! simple. Comments come from one join on `pg_description` per query, not
//! from `obj_description()` calls, which cost a function call per row.

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

/// What the server supports, from `server_version_num`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Server {
    pub version_num: i32,
}

impl Server {
    /// The oldest release whose catalogs these queries read (`attgenerated`, `prokind`).
    pub const MINIMUM: i32 = 120000;

    /// The SQL for a server of release `version_num` or later, else `older`.
    fn since(self, version_num: i32, newer: &'static str, older: &'static str) -> &'static str {
        if self.version_num >= version_num {
            newer
        } else {
            older
        }
    }
}

/// Which filter parameters a query's SQL refers to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Params {
    None,
    /// `$1`.
    Schemas,
    /// `$1`, `$2`, `$3`.
    SchemasAndPatterns,
    /// `$1`: the oids of the relations read.
    Relations,
}

pub(super) struct Query {
    /// What it reads, for error messages.
    pub name: &'static str,
    pub sql: String,
    pub params: Params,
}

/// System schemas, and schemas an extension created, are never read.
const SCHEMA_FILTER: &str = "n.nspname <> 'information_schema' \
     AND left(n.nspname, 3) <> 'pg_' \
     AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[])) \
     AND NOT EXISTS (SELECT FROM pg_depend x WHERE x.refclassid = 'pg_extension'::regclass \
         AND x.classid = 'pg_namespace'::regclass AND x.objid = n.oid AND x.deptype = 'e')";

/// Objects that belong to an extension (`CREATE EXTENSION` made them) are
/// the extension's, not the schema's. The `refclassid` condition lets the
/// server find the few extension dependencies by index instead of scanning
/// all of `pg_depend`.
fn not_extension_member(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT FROM pg_depend x WHERE x.refclassid = 'pg_extension'::regclass \
         AND x.classid = '{catalog}'::regclass AND x.objid = {oid} AND x.deptype = 'e')"
    )
}

fn comment_join(catalog: &str, oid: &str, subid: &str) -> String {
    format!(
        "LEFT JOIN pg_description d ON d.classoid = '{catalog}'::regclass \
         AND d.objoid = {oid} AND d.objsubid = {subid}"
    )
}

/// The table-like relations Carta reads, over `pg_class c` joined to `pg_namespace n`.
fn relation_filter() -> String {
    format!(
        r"c.relkind IN ('r', 'p', 'f', 'v', 'm') AND {SCHEMA_FILTER}
          AND {}
          AND NOT EXISTS (SELECT FROM unnest($2::text[]) AS p(pattern)
                          WHERE n.nspname || '.' || c.relname LIKE p.pattern ESCAPE E'\\')
          AND NOT EXISTS (SELECT FROM unnest($3::text[]) AS p(pattern)
                          WHERE c.relname LIKE p.pattern ESCAPE E'\\')",
        not_extension_member("pg_class", "c.oid")
    )
}

/// The relations read, for `IN`: the server probes the catalog's index for
/// each of them.
const RELATIONS_READ: &str = "(SELECT unnest($1::int8[])::oid)";

pub(super) fn schemas() -> Query {
    Query {
        name: "schemas",
        sql: format!(
            "SELECT n.nspname::text, d.description FROM pg_namespace n {} WHERE {SCHEMA_FILTER}",
            comment_join("pg_namespace", "n.oid", "0")
        ),
        params: Params::Schemas,
    }
}

pub(super) fn relations() -> Query {
    Query {
        name: "tables",
        sql: format!(
            "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text,
                    pn.nspname::text, pc.relname::text,
                    CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
                    CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
                    CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
                    fs.srvname::text,
                    c.relrowsecurity, c.relforcerowsecurity,
                    CASE WHEN c.relkind <> 'v' AND c.reltuples >= 0 THEN c.reltuples::int8 END,
                    d.description
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
             LEFT JOIN pg_class pc ON pc.oid = i.inhparent
             LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
             LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
             LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
             {}
             WHERE {}",
            comment_join("pg_class", "c.oid", "0"),
            relation_filter()
        ),
        params: Params::SchemasAndPatterns,
    }
}

/// Columns. A default cannot refer to columns, so it is printed without
/// its table: given a table, `pg_get_expr` opens it for every call, which
/// costs more than all the rest of this query. Generated expressions do
/// refer to columns and get their table.
pub(super) fn columns() -> Query {
    Query {
        name: "columns",
        sql: format!(
            "SELECT a.attrelid::int8, a.attnum, a.attname::text,
                    format_type(a.atttypid, a.atttypmod), a.attnotnull,
                    pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END),
                    a.attidentity::text, a.attgenerated::text,
                    a.attcollation::int8, t.typcollation::int8, d.description
             FROM pg_attribute a
             JOIN pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
             {}
             WHERE a.attrelid IN {RELATIONS_READ} AND a.attnum > 0 AND NOT a.attisdropped",
            comment_join("pg_class", "a.attrelid", "a.attnum")
        ),
        params: Params::Relations,
    }
}

/// Primary keys, foreign keys, unique, check and exclusion constraints.
/// Foreign keys cloned onto partitions (`conparentid`) and inherited checks
/// (`NOT conislocal`) are left out: they are the parent's, and `pg_dump`
/// writes them only there. Columns come back as attribute numbers, resolved
/// in memory (see [`referenced_columns`] for referenced tables not read).
pub(super) fn constraints() -> Query {
    Query {
        name: "constraints",
        sql: format!(
            "SELECT co.conrelid::int8, co.conname::text, co.contype::text, co.conkey,
                    co.conindid::int8, co.confrelid::int8, fn.nspname::text, fc.relname::text,
                    co.confkey,
                    co.confupdtype::text, co.confdeltype::text, co.confmatchtype::text,
                    co.condeferrable, co.condeferred,
                    CASE WHEN co.contype = 'c' THEN pg_get_expr(co.conbin, co.conrelid) END,
                    CASE WHEN co.contype = 'x' THEN ARRAY(
                        SELECT o.oprname::text
                        FROM unnest(co.conexclop) WITH ORDINALITY AS k(opr, ord)
                        JOIN pg_operator o ON o.oid = k.opr
                        ORDER BY k.ord) END,
                    d.description
             FROM pg_constraint co
             LEFT JOIN pg_class fc ON fc.oid = co.confrelid
             LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
             {}
             WHERE co.conrelid IN {RELATIONS_READ}
               AND co.contype IN ('p', 'u', 'f', 'c', 'x')
               AND NOT (co.contype = 'f' AND co.conparentid <> 0)
               AND (co.contype <> 'c' OR co.conislocal)",
            comment_join("pg_constraint", "co.oid", "0")
        ),
        params: Params::Relations,
    }
}

/// Indexes. Key columns come back as attribute numbers and operator
/// classes and collations as oids, resolved in memory; only expression keys
/// are printed by the server, and only for indexes that have some.
pub(super) fn indexes(server: Server) -> Query {
    let nulls_not_distinct = server.since(150000, "i.indnullsnotdistinct", "false");
    Query {
        name: "indexes",
        sql: format!(
            "SELECT i.indrelid::int8, i.indexrelid::int8, ic.relname::text, i.indisunique,
                    am.amname::text, i.indnkeyatts::int4, i.indkey::int2[], i.indoption::int2[],
                    CASE WHEN i.indexprs IS NOT NULL THEN ARRAY(
                        SELECT CASE WHEN i.indkey[k - 1] = 0
                                    THEN pg_get_indexdef(i.indexrelid, k, false) END
                        FROM generate_series(1, i.indnkeyatts) AS k
                        ORDER BY k) END,
                    i.indclass::oid[]::int8[], i.indcollation::oid[]::int8[],
                    pg_get_expr(i.indpred, i.indrelid), con.conname::text,
                    {nulls_not_distinct}, d.description
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_am am ON am.oid = ic.relam
             LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
                  AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
             {}
             WHERE i.indrelid IN {RELATIONS_READ}",
            comment_join("pg_class", "i.indexrelid", "0")
        ),
        params: Params::Relations,
    }
}

/// User triggers: not the internal ones behind foreign keys, and (PostgreSQL
/// 13+) not the clones a partitioned table's trigger puts on each partition.
pub(super) fn triggers(server: Server) -> Query {
    let not_cloned = server.since(130000, "AND t.tgparentid = 0", "");
    Query {
        name: "triggers",
        sql: format!(
            "SELECT t.tgrelid::int8, t.tgname::text, t.tgtype::int4, t.tgattr::int2[],
                    CASE WHEN t.tgqual IS NOT NULL THEN pg_get_triggerdef(t.oid, false) END,
                    pn.nspname::text, p.proname::text, d.description
             FROM pg_trigger t
             JOIN pg_proc p ON p.oid = t.tgfoid
             JOIN pg_namespace pn ON pn.oid = p.pronamespace
             {}
             WHERE t.tgrelid IN {RELATIONS_READ} AND NOT t.tgisinternal {not_cloned}",
            comment_join("pg_trigger", "t.oid", "0")
        ),
        params: Params::Relations,
    }
}

/// The columns of tables that foreign keys of the tables read refer to,
/// where the filter leaves those tables out; usually none.
pub(super) fn referenced_columns() -> Query {
    Query {
        name: "referenced columns",
        sql: format!(
            "SELECT a.attrelid::int8, a.attnum, a.attname::text
             FROM pg_attribute a
             WHERE a.attnum > 0 AND a.attrelid IN (
                 SELECT co.confrelid FROM pg_constraint co
                 WHERE co.conrelid IN {RELATIONS_READ} AND co.contype = 'f'
                   AND co.confrelid NOT IN {RELATIONS_READ})"
        ),
        params: Params::Relations,
    }
}

pub(super) fn policies() -> Query {
    Query {
        name: "policies",
        sql: format!(
            "SELECT p.polrelid::int8, p.polname::text, p.polcmd::text, p.polpermissive,
                    ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public'
                                      ELSE pg_get_userbyid(r.oid)::text END
                          FROM unnest(p.polroles) AS r(oid)),
                    pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
                    d.description
             FROM pg_policy p
             {}
             WHERE p.polrelid IN {RELATIONS_READ}",
            comment_join("pg_policy", "p.oid", "0")
        ),
        params: Params::Relations,
    }
}

pub(super) fn enums() -> Query {
    Query {
        name: "enums",
        sql: format!(
            "SELECT n.nspname::text, t.typname::text,
                    ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                          WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
                    d.description
             FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace
             {}
             WHERE t.typtype = 'e' AND {SCHEMA_FILTER} AND {}",
            comment_join("pg_type", "t.oid", "0"),
            not_extension_member("pg_type", "t.oid")
        ),
        params: Params::Schemas,
    }
}

pub(super) fn domains() -> Query {
    Query {
        name: "domains",
        sql: format!(
            "SELECT t.oid::int8, n.nspname::text, t.typname::text,
                    format_type(t.typbasetype, t.typtypmod), t.typnotnull,
                    pg_get_expr(t.typdefaultbin, 0), t.typcollation::int8,
                    b.typcollation::int8, d.description
             FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace
             JOIN pg_type b ON b.oid = t.typbasetype
             {}
             WHERE t.typtype = 'd' AND {SCHEMA_FILTER} AND {}",
            comment_join("pg_type", "t.oid", "0"),
            not_extension_member("pg_type", "t.oid")
        ),
        params: Params::Schemas,
    }
}

pub(super) fn domain_checks() -> Query {
    Query {
        name: "domain constraints",
        sql: format!(
            "SELECT co.contypid::int8, co.conname::text, pg_get_expr(co.conbin, 0), d.description
             FROM pg_constraint co
             JOIN pg_type t ON t.oid = co.contypid
             JOIN pg_namespace n ON n.oid = t.typnamespace
             {}
             WHERE co.contype = 'c' AND {SCHEMA_FILTER}",
            comment_join("pg_constraint", "co.oid", "0")
        ),
        params: Params::Schemas,
    }
}

/// Sequences, without those behind identity columns: those are part of
/// the column's identity, not objects of their own. A sequence's owning
/// column, for `OWNED BY` (`deptype 'a'`) and identity (`'i'`) alike, is its
/// one dependency on a column; it is looked up once per sequence, and the
/// identity ones are left out after that lookup, which lets the server
/// probe the dependency index instead of hashing every table's dependencies.
pub(super) fn sequences() -> Query {
    Query {
        name: "sequences",
        sql: format!(
            "SELECT n.nspname::text, c.relname::text, format_type(s.seqtypid, NULL),
                    s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                    tn.nspname::text, tc.relname::text, ta.attname::text, d.description
             FROM pg_sequence s
             JOIN pg_class c ON c.oid = s.seqrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_depend o ON o.classid = 'pg_class'::regclass AND o.objid = c.oid
                  AND o.refclassid = 'pg_class'::regclass AND o.deptype IN ('a', 'i')
                  AND o.refobjsubid > 0
             LEFT JOIN pg_class tc ON tc.oid = o.refobjid
             LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
             LEFT JOIN pg_attribute ta ON ta.attrelid = o.refobjid AND ta.attnum = o.refobjsubid
             {}
             WHERE {SCHEMA_FILTER} AND o.deptype IS DISTINCT FROM 'i' AND {}",
            comment_join("pg_class", "c.oid", "0"),
            not_extension_member("pg_class", "c.oid")
        ),
        params: Params::Schemas,
    }
}

pub(super) fn functions(server: Server) -> Query {
    // SQL-standard bodies (`BEGIN ATOMIC`, PostgreSQL 14+) live in prosqlbody, not prosrc.
    let body = server.since(
        140000,
        "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END",
        "p.prosrc",
    );
    Query {
        name: "functions",
        sql: format!(
            "SELECT n.nspname::text, p.proname::text, p.prokind::text,
                    pg_get_function_arguments(p.oid),
                    CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END,
                    l.lanname::text, p.provolatile::text, p.prosecdef, {body}, d.description
             FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             JOIN pg_language l ON l.oid = p.prolang
             {}
             WHERE {SCHEMA_FILTER} AND {}",
            comment_join("pg_proc", "p.oid", "0"),
            not_extension_member("pg_proc", "p.oid")
        ),
        params: Params::Schemas,
    }
}

/// Installed extensions. `plpgsql` is in every database and says nothing.
pub(super) fn extensions() -> Query {
    Query {
        name: "extensions",
        sql: format!(
            "SELECT e.extname::text, n.nspname::text, e.extversion::text, d.description
             FROM pg_extension e
             JOIN pg_namespace n ON n.oid = e.extnamespace
             {}
             WHERE e.extname <> 'plpgsql'",
            comment_join("pg_extension", "e.oid", "0")
        ),
        params: Params::None,
    }
}

/// Every collation by oid, spelled as the DDL would name it on the search path.
pub(super) fn collations() -> Query {
    Query {
        name: "collations",
        sql: "SELECT co.oid::int8,
                     CASE WHEN pg_collation_is_visible(co.oid) THEN co.collname
                          ELSE n.nspname || '.' || co.collname END::text
              FROM pg_collation co
              JOIN pg_namespace n ON n.oid = co.collnamespace"
            .into(),
        params: Params::None,
    }
}

/// Operator classes that are not their type's default: only those are ever named.
pub(super) fn operator_classes() -> Query {
    Query {
        name: "operator classes",
        sql: "SELECT oc.oid::int8,
                     CASE WHEN pg_opclass_is_visible(oc.oid) THEN oc.opcname
                          ELSE n.nspname || '.' || oc.opcname END::text
              FROM pg_opclass oc
              JOIN pg_namespace n ON n.oid = oc.opcnamespace
              WHERE NOT oc.opcdefault"
            .into(),
        params: Params::None,
    }
}

/// Reads a row's columns in the order the query selects them.
pub(super) struct Cols<'a> {
    row: &'a Row,
    next: usize,
}

impl<'a> Cols<'a> {
    pub fn new(row: &'a Row) -> Self {
        Cols { row, next: 0 }
    }

    fn next<T: FromSql<'a>>(&mut self) -> Result<T, tokio_postgres::Error> {
        let index = self.next;
        self.next += 1;
        self.row.try_get(index)
    }
}

/// A row type of one of the queries above.
pub(super) trait FromRow: Sized {
    fn from_row(cols: Cols<'_>) -> Result<Self, tokio_postgres::Error>;
}

/// Declares a row struct whose fields are the query's columns, in order.
macro_rules! rows {
    ($($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $field:ident: $ty:ty,)* })*) => {$(
        $(#[$meta])*
        #[derive(Debug)]
        pub(super) struct $name {
            $($(#[$doc])* pub $field: $ty,)*
        }

        impl FromRow for $name {
            fn from_row(mut cols: Cols<'_>) -> Result<Self, tokio_postgres::Error> {
                Ok($name { $($field: cols.next()?,)* })
            }
        }
    )*};
}

rows! {
    SchemaRow {
        name: String,
        comment: Option<String>,
    }
    RelationRow {
        oid: i64,
        schema: String,
        name: String,
        kind: String,
        parent_schema: Option<String>,
        parent_name: Option<String>,
        bound: Option<String>,
        partition_key: Option<String>,
        definition: Option<String>,
        foreign_server: Option<String>,
        rls_enabled: bool,
        rls_forced: bool,
        row_estimate: Option<i64>,
        comment: Option<String>,
    }
    ColumnRow {
        relation: i64,
        attnum: i16,
        name: String,
        data_type: String,
        not_null: bool,
        default: Option<String>,
        identity: String,
        generated: String,
        collation: i64,
        type_collation: i64,
        comment: Option<String>,
    }
    ConstraintRow {
        relation: i64,
        name: String,
        kind: String,
        attnums: Option<Vec<i16>>,
        index: i64,
        referenced_relation: i64,
        referenced_schema: Option<String>,
        referenced_table: Option<String>,
        referenced_attnums: Option<Vec<i16>>,
        on_update: String,
        on_delete: String,
        match_type: String,
        deferrable: bool,
        initially_deferred: bool,
        check: Option<String>,
        operators: Option<Vec<String>>,
        comment: Option<String>,
    }
    AttributeRow {
        relation: i64,
        attnum: i16,
        name: String,
    }
    IndexRow {
        relation: i64,
        oid: i64,
        name: String,
        unique: bool,
        method: String,
        key_count: i32,
        attnums: Vec<i16>,
        options: Vec<i16>,
        /// Per key: the printed expression where the key is one.
        expressions: Option<Vec<Option<String>>>,
        opclasses: Vec<i64>,
        collations: Vec<i64>,
        predicate: Option<String>,
        constraint: Option<String>,
        nulls_not_distinct: bool,
        comment: Option<String>,
    }
    TriggerRow {
        relation: i64,
        name: String,
        tgtype: i32,
        update_attnums: Vec<i16>,
        /// `pg_get_triggerdef`, only when there is a `WHEN` condition to take from it.
        definition: Option<String>,
        function_schema: String,
        function_name: String,
        comment: Option<String>,
    }
    PolicyRow {
        relation: i64,
        name: String,
        command: String,
        permissive: bool,
        roles: Vec<String>,
        using: Option<String>,
        with_check: Option<String>,
        comment: Option<String>,
    }
    EnumRow {
        schema: String,
        name: String,
        values: Vec<String>,
        comment: Option<String>,
    }
    DomainRow {
        oid: i64,
        schema: String,
        name: String,
        data_type: String,
        not_null: bool,
        default: Option<String>,
        collation: i64,
        base_collation: i64,
        comment: Option<String>,
    }
    DomainCheckRow {
        domain: i64,
        name: String,
        expression: Option<String>,
        comment: Option<String>,
    }
    SequenceRow {
        schema: String,
        name: String,
        data_type: String,
        start: i64,
        increment: i64,
        min_value: i64,
        max_value: i64,
        cache: i64,
        cycle: bool,
        owner_schema: Option<String>,
        owner_table: Option<String>,
        owner_column: Option<String>,
        comment: Option<String>,
    }
    FunctionRow {
        schema: String,
        name: String,
        kind: String,
        arguments: String,
        returns: Option<String>,
        language: String,
        volatility: String,
        security_definer: bool,
        body: Option<String>,
        comment: Option<String>,
    }
    ExtensionRow {
        name: String,
        schema: String,
        version: String,
        comment: Option<String>,
    }
    /// An oid and the name to print for it (collations, operator classes).
    NameRow {
        oid: i64,
        name: String,
    }
}
