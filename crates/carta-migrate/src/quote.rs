//! PostgreSQL spelling of names and literals.

use carta_catalog::{Dialect, QualifiedName};

/// A name as PostgreSQL reads it back unchanged (see [`carta_sql::ident`]).
pub fn ident(name: &str) -> String {
    carta_sql::ident(Dialect::Postgres, name)
}

/// `schema.name`, each part quoted as needed.
pub fn qualified(name: &QualifiedName) -> String {
    carta_sql::qualified(Dialect::Postgres, name)
}

/// A comma-separated list of names.
pub fn ident_list(names: &[String]) -> String {
    carta_sql::ident_list(Dialect::Postgres, names)
}

/// A standard string literal (`standard_conforming_strings` is on since
/// PostgreSQL 9.1): only the single quote is doubled.
pub fn literal(text: &str) -> String {
    carta_sql::literal(Dialect::Postgres, text)
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
