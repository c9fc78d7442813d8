//! Type names spelled the way the server's `format_type()` prints them.

use super::ast::{self, quote_ident};
use super::model::Model;
use pg_query::protobuf::TypeName;

/// Whether type modifiers (`(255)`, `(10,2)`) are part of the spelling.
/// Function arguments and results keep none: the server does not store them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Modifiers {
    Keep,
    Drop,
}

/// The integer type behind `serial`, `bigserial` and `smallserial`.
pub(super) fn serial_base(type_name: &TypeName) -> Option<&'static str> {
    if !type_name.array_bounds.is_empty() {
        return None;
    }
    let [only] = type_name.names.as_slice() else {
        return None;
    };
    match ast::string_of(only)? {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

impl Model {
    /// `format_type` of a type as written in DDL, resolving enums and
    /// domains of the files along the search path.
    pub(super) fn spell_type(&self, type_name: &TypeName, modifiers: Modifiers) -> String {
        let mut parts = ast::strings(&type_name.names);
        if parts.len() > 2 {
            parts.drain(..parts.len() - 2);
        }
        let typmods: Vec<i64> = match modifiers {
            Modifiers::Keep => type_name
                .typmods
                .iter()
                .filter_map(ast::integer_of)
                .collect(),
            Modifiers::Drop => Vec::new(),
        };
        let base = match parts.as_slice() {
            [schema, name] if schema == "pg_catalog" => {
                builtin(name, &typmods).unwrap_or_else(|| quote_ident(name))
            }
            [schema, name] => self.user_type(schema, name),
            [name] => match builtin(name, &typmods) {
                Some(spelled) => spelled,
                None => self.user_type("", name),
            },
            _ => String::from("unknown"),
        };
        let mut spelled = if type_name.setof {
            format!("SETOF {base}")
        } else {
            base
        };
        if !type_name.array_bounds.is_empty() {
            spelled.push_str("[]");
        }
        spelled
    }

    /// A type that is not built in: an enum or domain of these files
    /// (found along the search path), or one from an extension.
    fn user_type(&self, schema: &str, name: &str) -> String {
        let found = self.lookup(schema, |s| {
            s.enums.contains_key(name) || s.domains.contains_key(name)
        });
        let schema = found
            .as_deref()
            .unwrap_or(if schema.is_empty() { "public" } else { schema });
        if schema == "public" {
            quote_ident(name)
        } else {
            format!("{}.{}", quote_ident(schema), quote_ident(name))
        }
    }
}

/// `format_type` of a built-in type under any of its names.
fn builtin(name: &str, typmods: &[i64]) -> Option<String> {
    let with = |base: &str| match typmods {
        [] => base.to_string(),
        mods => format!(
            "{base}({})",
            mods.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let timed = |base: &str, zone: &str| match typmods.first() {
        Some(precision) => format!("{base}({precision}) {zone}"),
        None => format!("{base} {zone}"),
    };
    let spelled = match name {
        "int" | "integer" | "int4" => "integer".into(),
        "smallint" | "int2" => "smallint".into(),
        "bigint" | "int8" => "bigint".into(),
        "real" | "float4" => "real".into(),
        "float8" | "double precision" => "double precision".into(),
        "float" => match typmods.first() {
            Some(p) if *p <= 24 => "real".into(),
            _ => "double precision".into(),
        },
        "bool" | "boolean" => "boolean".into(),
        "numeric" | "decimal" => match typmods {
            [precision] => format!("numeric({precision},0)"),
            _ => with("numeric"),
        },
        "varchar" | "character varying" => with("character varying"),
        "bpchar" => match typmods {
            [] => "bpchar".into(),
            _ => with("character"),
        },
        "timestamp" => timed("timestamp", "without time zone"),
        "timestamptz" => timed("timestamp", "with time zone"),
        "time" => timed("time", "without time zone"),
        "timetz" => timed("time", "with time zone"),
        "varbit" | "bit varying" => with("bit varying"),
        "bit" => match typmods {
            [] => "bit(1)".into(),
            _ => with("bit"),
        },
        "interval" => "interval".into(),
        "text" | "bytea" | "uuid" | "json" | "jsonb" | "date" | "inet" | "cidr" | "macaddr"
        | "macaddr8" | "money" | "xml" | "tsvector" | "tsquery" | "point" | "line" | "lseg"
        | "box" | "path" | "polygon" | "circle" | "oid" | "regclass" | "regproc" | "name"
        | "int4range" | "int8range" | "numrange" | "tsrange" | "tstzrange" | "daterange"
        | "int4multirange" | "int8multirange" | "nummultirange" | "tsmultirange"
        | "tstzmultirange" | "datemultirange" | "jsonpath" | "pg_lsn" | "txid_snapshot"
        | "pg_snapshot" | "void" | "trigger" | "record" | "event_trigger" | "anyelement"
        | "anyarray" | "anyenum" | "anynonarray" | "anyrange" | "anycompatible"
        | "anycompatiblearray" | "cstring" | "internal" | "regtype" | "regnamespace"
        | "regrole" | "xid" | "cid" | "tid" => name.to_string(),
        // Only the quoted spelling reaches here: the grammar turns a bare `char` into `bpchar`.
        "char" => "\"char\"".into(),
        _ => return None,
    };
    Some(spelled)
}
