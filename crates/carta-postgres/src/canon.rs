//! Canonical spelling of PostgreSQL expressions (defaults, CHECKs, index
//! expressions and predicates, policies, generated columns), so that an
//! expression read from a DDL file and the same expression printed back
//! by the server compare equal.

/// The canonical text of one SQL expression. Not yet canonicalizing: returns the input trimmed.
pub fn expression(sql: &str) -> String {
    sql.trim().to_string()
}
