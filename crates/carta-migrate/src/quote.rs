//! PostgreSQL spelling of names and literals.

use carta_catalog::QualifiedName;

/// Reserved words (and type/function-name words) that cannot stand bare as
/// a name. Unreserved keywords are valid names and need no quotes.
const RESERVED: &[&str] = &[
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

/// A name as PostgreSQL reads it back unchanged: bare when it is lower
/// case, starts with a letter or `_`, holds only letters, digits, `_` and
/// `$`, and is not a reserved word; double-quoted otherwise.
pub fn ident(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `schema.name`, each part quoted as needed.
pub fn qualified(name: &QualifiedName) -> String {
    format!("{}.{}", ident(&name.schema), ident(&name.name))
}

/// A comma-separated list of names.
pub fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A standard string literal (`standard_conforming_strings` is on since
/// PostgreSQL 9.1): only the single quote is doubled.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `body` between dollar quotes whose tag does not occur in it.
pub fn dollar_quote(body: &str) -> String {
    let mut tag = String::from("$$");
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = if n == 1 {
            "$body$".to_string()
        } else {
            format!("$body{n}$")
        };
    }
    format!("{tag}{body}{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_bare() {
        assert_eq!(ident("users"), "users");
        assert_eq!(ident("_tmp$1"), "_tmp$1");
        assert_eq!(ident("created_at2"), "created_at2");
    }

    #[test]
    fn names_needing_quotes_are_quoted() {
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("order"), "\"order\"");
        assert_eq!(ident("Users"), "\"Users\"");
        assert_eq!(ident("1st"), "\"1st\"");
        assert_eq!(ident("my table"), "\"my table\"");
        assert_eq!(ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(ident(""), "\"\"");
        assert_eq!(ident("café"), "\"café\"");
    }

    #[test]
    fn qualified_names_quote_each_part() {
        let name = QualifiedName::new("plugins", "user");
        assert_eq!(qualified(&name), "plugins.\"user\"");
    }

    #[test]
    fn literals_double_single_quotes_only() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"back\slash"), r"'back\slash'");
        assert_eq!(literal(""), "''");
    }

    #[test]
    fn dollar_tag_avoids_the_body() {
        assert_eq!(dollar_quote("SELECT 1"), "$$SELECT 1$$");
        assert_eq!(dollar_quote("a $$ b"), "$body$a $$ b$body$");
        assert_eq!(
            dollar_quote("a $$ b $body$ c"),
            "$body2$a $$ b $body$ c$body2$"
        );
    }
}
