//! How each SQL dialect spells names and string literals. One place for
//! the quoting rules that hints, migrations, mock data files and loaders
//! all need, so they cannot drift apart.
//!
//! [`ident`] quotes only when needed (the form people read in hints and
//! migrations); [`quoted_ident`] always quotes (the form machines write,
//! immune to case folding and keywords).

use carta_catalog::{Dialect, QualifiedName};

/// PostgreSQL's reserved keywords, and its type and function-name keywords:
/// words that cannot stand bare as a name there.
const POSTGRES_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Reserved words of MySQL (and SQLite keywords) that are common names and
/// not reserved in PostgreSQL: `key`, `index`, `rank`. Quoting a word the
/// dialect would have accepted bare is harmless, so MySQL and SQLite use
/// both lists.
const OTHER_RESERVED: &[&str] = &[
    "add",
    "alter",
    "before",
    "between",
    "by",
    "call",
    "change",
    "condition",
    "database",
    "databases",
    "delete",
    "describe",
    "div",
    "drop",
    "each",
    "exists",
    "explain",
    "index",
    "insert",
    "interval",
    "key",
    "keys",
    "kill",
    "lines",
    "load",
    "lock",
    "long",
    "match",
    "mod",
    "option",
    "range",
    "rank",
    "read",
    "release",
    "rename",
    "repeat",
    "replace",
    "require",
    "row",
    "rows",
    "schema",
    "show",
    "signal",
    "update",
    "usage",
    "values",
    "write",
    "xor",
];

/// True when `name` must be quoted in `dialect` because it is a keyword.
pub fn is_reserved(dialect: Dialect, name: &str) -> bool {
    POSTGRES_RESERVED.binary_search(&name).is_ok()
        || (dialect != Dialect::Postgres && OTHER_RESERVED.binary_search(&name).is_ok())
}

/// `name` bare when the dialect reads it back unchanged — lower case,
/// starting with a letter or `_`, then letters, digits, `_` (and `$`
/// outside SQLite), not reserved — else quoted the dialect's way.
pub fn ident(dialect: Dialect, name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || c == '_'
                || (c == '$' && dialect != Dialect::Sqlite)
        })
        && !is_reserved(dialect, name);
    if plain {
        name.to_string()
    } else {
        quoted_ident(dialect, name)
    }
}

/// `name` always quoted: `"name"` (PostgreSQL, SQLite) or `` `name` `` (MySQL),
/// with the quote character doubled inside.
pub fn quoted_ident(dialect: Dialect, name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_quoted_ident(&mut out, dialect, name);
    out
}

/// [`quoted_ident`] appended to `out`, for writers that build long statements.
pub fn push_quoted_ident(out: &mut String, dialect: Dialect, name: &str) {
    let quote = quote_char(dialect);
    out.push(quote);
    for c in name.chars() {
        if c == quote {
            out.push(quote);
        }
        out.push(c);
    }
    out.push(quote);
}

fn quote_char(dialect: Dialect) -> char {
    match dialect {
        Dialect::Mysql => '`',
        Dialect::Postgres | Dialect::Sqlite => '"',
    }
}

/// `schema.name`, each part as [`ident`] spells it.
pub fn qualified(dialect: Dialect, name: &QualifiedName) -> String {
    format!(
        "{}.{}",
        ident(dialect, &name.schema),
        ident(dialect, &name.name)
    )
}

/// `a, b, c`, each as [`ident`] spells it.
pub fn ident_list(dialect: Dialect, names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(dialect, n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A string literal: single quotes doubled; in MySQL, whose default
/// `sql_mode` reads `\` as an escape, backslashes and NUL escaped too.
pub fn literal(dialect: Dialect, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_literal(&mut out, dialect, text);
    out
}

/// [`literal`] appended to `out`.
pub fn push_literal(out: &mut String, dialect: Dialect, text: &str) {
    out.push('\'');
    for c in text.chars() {
        match (c, dialect) {
            ('\'', _) => out.push_str("''"),
            ('\\', Dialect::Mysql) => out.push_str("\\\\"),
            ('\0', Dialect::Mysql) => out.push_str("\\0"),
            (c, _) => out.push(c),
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserved_lists_are_sorted_for_binary_search() {
        for list in [POSTGRES_RESERVED, OTHER_RESERVED] {
            assert!(list.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn names_are_quoted_only_when_needed() {
        assert_eq!(ident(Dialect::Postgres, "users"), "users");
        assert_eq!(ident(Dialect::Postgres, "user"), "\"user\"");
        assert_eq!(ident(Dialect::Postgres, "Users"), "\"Users\"");
        assert_eq!(ident(Dialect::Postgres, "a b"), "\"a b\"");
        assert_eq!(ident(Dialect::Postgres, "1st"), "\"1st\"");
        assert_eq!(ident(Dialect::Postgres, "say\"hi"), "\"say\"\"hi\"");
        assert_eq!(ident(Dialect::Mysql, "key"), "`key`");
        assert_eq!(ident(Dialect::Postgres, "key"), "key");
        assert_eq!(ident(Dialect::Mysql, "a`b"), "`a``b`");
        assert_eq!(ident(Dialect::Sqlite, "order"), "\"order\"");
        assert_eq!(ident(Dialect::Postgres, ""), "\"\"");
        assert_eq!(ident(Dialect::Postgres, "_tmp$1"), "_tmp$1");
        assert_eq!(ident(Dialect::Sqlite, "_tmp$1"), "\"_tmp$1\"");
        assert_eq!(ident(Dialect::Postgres, "café"), "\"café\"");
    }

    #[test]
    fn qualified_names_and_lists() {
        let name = QualifiedName::new("plugins", "user");
        assert_eq!(qualified(Dialect::Postgres, &name), "plugins.\"user\"");
        let names = ["id".to_string(), "Name".to_string()];
        assert_eq!(ident_list(Dialect::Postgres, &names), "id, \"Name\"");
        assert_eq!(quoted_ident(Dialect::Sqlite, "id"), "\"id\"");
    }

    #[test]
    fn literals_escape_what_each_dialect_reads_as_special() {
        assert_eq!(literal(Dialect::Postgres, "it's"), "'it''s'");
        assert_eq!(literal(Dialect::Postgres, "a\\b"), "'a\\b'");
        assert_eq!(literal(Dialect::Mysql, "a\\b'c"), "'a\\\\b''c'");
        assert_eq!(literal(Dialect::Mysql, "nul\0"), "'nul\\0'");
        assert_eq!(literal(Dialect::Sqlite, "x"), "'x'");
    }
}
