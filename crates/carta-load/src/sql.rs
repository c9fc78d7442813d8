//! SQL spelling shared by the loaders: quoted names and statement texts.

use carta_catalog::QualifiedName;

/// How a dialect quotes identifiers.
#[derive(Debug, Clone, Copy)]
pub enum Quoting {
    /// `"name"` (PostgreSQL, SQLite).
    Double,
    /// `` `name` `` (MySQL, MariaDB).
    Backtick,
}

impl Quoting {
    pub fn ident(self, name: &str) -> String {
        let quote = match self {
            Quoting::Double => '"',
            Quoting::Backtick => '`',
        };
        let mut out = String::with_capacity(name.len() + 2);
        out.push(quote);
        for c in name.chars() {
            if c == quote {
                out.push(quote);
            }
            out.push(c);
        }
        out.push(quote);
        out
    }

    pub fn table(self, table: &QualifiedName) -> String {
        format!("{}.{}", self.ident(&table.schema), self.ident(&table.name))
    }

    /// `"a", "b"`.
    pub fn list(self, columns: &[String]) -> String {
        columns
            .iter()
            .map(|c| self.ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `INSERT INTO table (columns) VALUES (?, ?), (?, ?)` for `rows` rows.
    pub fn insert(self, table: &str, columns: &[String], rows: usize) -> String {
        let one_row = format!("({})", vec!["?"; columns.len()].join(", "));
        format!(
            "INSERT INTO {table} ({}) VALUES {}",
            self.list(columns),
            vec![one_row; rows].join(", ")
        )
    }

    /// `t.a = u.a AND t.b = u.b`, the join of a table and its fixup table on the key.
    pub fn equal_columns(self, left: &str, right: &str, columns: &[String]) -> String {
        columns
            .iter()
            .map(|c| {
                let c = self.ident(c);
                format!("{left}.{c} = {right}.{c}")
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_inside_names() {
        assert_eq!(Quoting::Double.ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(Quoting::Backtick.ident("a`b"), "`a``b`");
        assert_eq!(
            Quoting::Double.table(&QualifiedName::new("app", "user")),
            "\"app\".\"user\""
        );
    }

    #[test]
    fn multi_row_inserts_have_one_placeholder_per_value() {
        let columns = vec!["id".to_string(), "name".to_string()];
        assert_eq!(
            Quoting::Backtick.insert("`t`", &columns, 2),
            "INSERT INTO `t` (`id`, `name`) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(
            Quoting::Double.equal_columns("t", "f", &columns),
            "t.\"id\" = f.\"id\" AND t.\"name\" = f.\"name\""
        );
    }
}
