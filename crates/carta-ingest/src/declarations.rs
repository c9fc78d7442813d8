//! Where objects are declared in DDL files: the file and line of each
//! `CREATE TABLE`/`VIEW`/`TYPE`/`DOMAIN`, of each column and named
//! constraint in a table's body, and of each `CREATE INDEX`/`TRIGGER`/
//! `POLICY` and `ALTER TABLE ... ADD CONSTRAINT`. Reports that point into
//! files (SARIF for code scanning) use it; the Catalog itself keeps no
//! positions.
//!
//! The scan is lexical and the same for every dialect: comments, string
//! literals and dollar-quoted bodies are skipped, so text inside them never
//! counts as a declaration. A name written without a schema matches any
//! schema.

use carta_source::IngestError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file (as given, relative to the base folder when inside it) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    pub path: String,
    pub line: u32,
}

/// The declarations found in a set of DDL files.
#[derive(Debug, Default)]
pub struct Declarations {
    /// `(schema, name)` of tables, views, types and domains; schema `None` when unqualified.
    tables: HashMap<(Option<String>, String), Spot>,
    /// `(schema, table, member)`: columns, constraints, indexes, triggers, policies.
    members: HashMap<(Option<String>, String, String), Spot>,
}

impl Declarations {
    /// Reads and scans `files`; paths inside `base` are reported relative to it.
    pub fn read(files: &[PathBuf], base: &Path) -> Result<Declarations, IngestError> {
        let mut declarations = Declarations::default();
        for path in files {
            let text = crate::read_file(path)?;
            let shown = path.strip_prefix(base).unwrap_or(path);
            declarations.scan(&shown.to_string_lossy(), &text);
        }
        Ok(declarations)
    }

    /// Scans one file's text; the first declaration of a name wins.
    pub fn scan(&mut self, path: &str, text: &str) {
        let tokens = tokenize(text);
        for statement in tokens.split(|t| t.kind == Kind::Semicolon) {
            self.statement(path, statement);
        }
    }

    /// Where table (view, type, domain) `name` of `schema` is declared.
    pub fn table(&self, schema: &str, name: &str) -> Option<Spot> {
        self.tables
            .get(&(Some(schema.to_string()), name.to_string()))
            .or_else(|| self.tables.get(&(None, name.to_string())))
            .cloned()
    }

    /// Where column, constraint, index, trigger or policy `member` of `schema.table` is declared.
    pub fn member(&self, schema: &str, table: &str, member: &str) -> Option<Spot> {
        let key = |schema: Option<&str>| {
            (
                schema.map(str::to_string),
                table.to_string(),
                member.to_string(),
            )
        };
        self.members
            .get(&key(Some(schema)))
            .or_else(|| self.members.get(&key(None)))
            .cloned()
    }

    fn statement(&mut self, path: &str, tokens: &[Token]) {
        let words: Vec<String> = tokens
            .iter()
            .take(12)
            .map(|t| t.keyword())
            .collect::<Vec<_>>();
        let spot = |token: &Token| Spot {
            path: path.to_string(),
            line: token.line,
        };
        let is = |i: usize, word: &str| words.get(i).is_some_and(|w| w == word);
        if !is(0, "create") && !is(0, "alter") {
            return;
        }
        // Skip the modifiers that may stand between CREATE and the object kind.
        let mut i = 1;
        while words.get(i).is_some_and(|w| {
            matches!(
                w.as_str(),
                "or" | "replace"
                    | "unique"
                    | "temp"
                    | "temporary"
                    | "unlogged"
                    | "global"
                    | "local"
                    | "materialized"
                    | "recursive"
                    | "constraint"
                    | "virtual"
                    | "definer"
                    | "algorithm"
                    | "sql"
                    | "security"
                    | "="
            )
        }) {
            i += 1;
        }
        let Some(kind) = words.get(i).cloned() else {
            return;
        };
        i += 1;
        while words.get(i).is_some_and(|w| {
            matches!(
                w.as_str(),
                "if" | "not" | "exists" | "concurrently" | "only"
            )
        }) {
            i += 1;
        }
        match (words[0].as_str(), kind.as_str()) {
            ("create", "table" | "view" | "type" | "domain") => {
                let Some((name, next)) = qualified_name(tokens, i) else {
                    return;
                };
                self.tables
                    .entry(name.key())
                    .or_insert_with(|| spot(&tokens[i]));
                if kind == "table" {
                    self.table_body(path, &name, &tokens[next..]);
                }
            }
            ("create", "index" | "trigger" | "policy") => {
                let Some((member, _)) = qualified_name(tokens, i) else {
                    return;
                };
                let Some(on) = tokens.iter().position(|t| t.keyword() == "on") else {
                    return;
                };
                let mut at = on + 1;
                if tokens.get(at).is_some_and(|t| t.keyword() == "only") {
                    at += 1;
                }
                if let Some((table, _)) = qualified_name(tokens, at) {
                    self.add_member(&table, &member.name, spot(&tokens[i]));
                }
            }
            ("alter", "table") => {
                let Some((table, _)) = qualified_name(tokens, i) else {
                    return;
                };
                for (at, token) in tokens.iter().enumerate() {
                    if token.keyword() == "constraint" {
                        if let Some(name) = tokens.get(at + 1).and_then(Token::name) {
                            self.add_member(&table, &name, spot(&tokens[at + 1]));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Columns and named constraints: the first word of each top-level
    /// element of the parenthesized body.
    fn table_body(&mut self, path: &str, table: &Name, tokens: &[Token]) {
        let Some(open) = tokens.iter().position(|t| t.kind == Kind::Open) else {
            return;
        };
        let mut depth = 0usize;
        let mut element_start = true;
        let mut at = open;
        while at < tokens.len() {
            let token = &tokens[at];
            match token.kind {
                Kind::Open => {
                    depth += 1;
                    if depth == 1 {
                        element_start = true;
                        at += 1;
                        continue;
                    }
                }
                Kind::Close => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                Kind::Comma if depth == 1 => {
                    element_start = true;
                    at += 1;
                    continue;
                }
                _ => {}
            }
            if element_start && depth == 1 {
                element_start = false;
                let keyword = token.keyword();
                let named = if keyword == "constraint" {
                    at += 1;
                    tokens.get(at)
                } else if matches!(
                    keyword.as_str(),
                    "primary"
                        | "foreign"
                        | "unique"
                        | "check"
                        | "exclude"
                        | "key"
                        | "index"
                        | "like"
                ) {
                    None
                } else {
                    Some(token)
                };
                if let Some(named) = named {
                    if let Some(name) = named.name() {
                        let spot = Spot {
                            path: path.to_string(),
                            line: named.line,
                        };
                        self.add_member(table, &name, spot);
                    }
                }
            }
            at += 1;
        }
    }

    fn add_member(&mut self, table: &Name, member: &str, spot: Spot) {
        self.members
            .entry((table.schema.clone(), table.name.clone(), member.to_string()))
            .or_insert(spot);
    }
}

struct Name {
    schema: Option<String>,
    name: String,
}

impl Name {
    fn key(&self) -> (Option<String>, String) {
        (self.schema.clone(), self.name.clone())
    }
}

/// `name` or `schema.name` starting at token `at`; returns it and the index after it.
fn qualified_name(tokens: &[Token], at: usize) -> Option<(Name, usize)> {
    let first = tokens.get(at)?.name()?;
    if tokens.get(at + 1).is_some_and(|t| t.kind == Kind::Dot) {
        let second = tokens.get(at + 2)?.name()?;
        return Some((
            Name {
                schema: Some(first),
                name: second,
            },
            at + 3,
        ));
    }
    Some((
        Name {
            schema: None,
            name: first,
        },
        at + 1,
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Quoted,
    Open,
    Close,
    Comma,
    Dot,
    Semicolon,
    Other,
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    text: String,
    line: u32,
}

impl Token {
    /// A bare word in lower case, for keyword comparisons; empty for anything else.
    fn keyword(&self) -> String {
        match self.kind {
            Kind::Word => self.text.to_ascii_lowercase(),
            Kind::Other => self.text.clone(),
            _ => String::new(),
        }
    }

    /// The identifier this token spells: quoted names as written, bare
    /// words folded to lower case as PostgreSQL and SQLite compare them.
    fn name(&self) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.text.to_ascii_lowercase()),
            Kind::Quoted => Some(self.text.clone()),
            _ => None,
        }
    }
}

/// Splits SQL into the tokens the scan needs, skipping comments, string
/// literals and dollar-quoted bodies.
fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut line = 1u32;
    let mut i = 0;
    let count_lines =
        |from: usize, to: usize| bytes[from..to].iter().filter(|&&b| b == b'\n').count() as u32;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
                line += count_lines(start, i);
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                line += count_lines(start, i);
            }
            b'"' | b'`' | b'[' => {
                let close = if b == b'[' { b']' } else { b };
                let end = skip_quoted(bytes, i, close);
                // Unterminated at the end of the text: the name runs to the end.
                let inner_end = if end > i + 1 && bytes[end - 1] == close {
                    end - 1
                } else {
                    end
                };
                let close = char::from(close);
                tokens.push(Token {
                    kind: Kind::Quoted,
                    text: text[i + 1..inner_end]
                        .replace(&format!("{close}{close}"), &close.to_string()),
                    line,
                });
                line += count_lines(start, end);
                i = end;
            }
            b'$' => match dollar_tag(&text[i..]) {
                Some(tag) => {
                    let body = i + tag.len();
                    i = text[body..]
                        .find(tag)
                        .map_or(bytes.len(), |end| body + end + tag.len());
                    line += count_lines(start, i);
                }
                None => i += 1,
            },
            b'(' | b')' | b',' | b'.' | b';' => {
                let kind = match b {
                    b'(' => Kind::Open,
                    b')' => Kind::Close,
                    b',' => Kind::Comma,
                    b'.' => Kind::Dot,
                    _ => Kind::Semicolon,
                };
                tokens.push(Token {
                    kind,
                    text: String::new(),
                    line,
                });
                i += 1;
            }
            _ if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                tokens.push(Token {
                    kind: Kind::Word,
                    text: text[start..i].to_string(),
                    line,
                });
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                tokens.push(Token {
                    kind: Kind::Other,
                    text: (b as char).to_string(),
                    line,
                });
                i += 1;
            }
        }
    }
    tokens
}

/// The index just past the closing `quote` of the literal opening at `start`;
/// a doubled quote (and, for `'`, a backslash) escapes it.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if quote == b'\'' && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// `$$` or `$tag$` at the start of `text`.
fn dollar_tag(text: &str) -> Option<&str> {
    let rest = &text[1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_alphabetic() || (i > 0 && c.is_ascii_digit()));
    valid.then(|| &text[..end + 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    const DDL: &str = r#"-- CREATE TABLE ignored (id int);
CREATE TABLE app.users (
    id bigint PRIMARY KEY,
    "Email" text NOT NULL, -- a comment, with a comma
    note text DEFAULT 'a, b (c',
    CONSTRAINT users_email_key UNIQUE ("Email")
);
CREATE FUNCTION f() RETURNS trigger AS $body$
BEGIN CREATE TABLE inside_body (x int); END
$body$ LANGUAGE plpgsql;
CREATE UNIQUE INDEX IF NOT EXISTS users_note_idx
    ON ONLY app.users (note);
CREATE POLICY users_own ON app.users USING (true);
CREATE TRIGGER users_touch BEFORE UPDATE
    ON app.users FOR EACH ROW EXECUTE FUNCTION f();
ALTER TABLE ONLY app.users
    ADD CONSTRAINT users_id_positive CHECK (id > 0);
CREATE TABLE plain (x int);
CREATE TYPE app.mood AS ENUM ('ok');
"#;

    fn scanned() -> Declarations {
        let mut declarations = Declarations::default();
        declarations.scan("schema.sql", DDL);
        declarations
    }

    fn line(spot: Option<Spot>) -> Option<u32> {
        spot.map(|s| s.line)
    }

    #[test]
    fn tables_columns_and_constraints_are_found_on_their_lines() {
        let d = scanned();
        assert_eq!(line(d.table("app", "users")), Some(2));
        assert_eq!(line(d.member("app", "users", "id")), Some(3));
        assert_eq!(line(d.member("app", "users", "Email")), Some(4));
        assert_eq!(line(d.member("app", "users", "note")), Some(5));
        assert_eq!(line(d.member("app", "users", "users_email_key")), Some(6));
        assert_eq!(d.table("app", "users").unwrap().path, "schema.sql");
    }

    #[test]
    fn indexes_policies_triggers_and_added_constraints_are_members_of_their_table() {
        let d = scanned();
        assert_eq!(line(d.member("app", "users", "users_note_idx")), Some(11));
        assert_eq!(line(d.member("app", "users", "users_own")), Some(13));
        assert_eq!(line(d.member("app", "users", "users_touch")), Some(14));
        assert_eq!(
            line(d.member("app", "users", "users_id_positive")),
            Some(17)
        );
    }

    #[test]
    fn unqualified_names_match_any_schema_and_comments_or_bodies_do_not_count() {
        let d = scanned();
        assert_eq!(line(d.table("public", "plain")), Some(18));
        assert_eq!(line(d.table("app", "mood")), Some(19));
        assert_eq!(d.table("app", "ignored"), None);
        assert_eq!(d.table("public", "inside_body"), None);
        assert_eq!(d.member("app", "users", "missing"), None);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        let mut d = Declarations::default();
        for text in [
            "CREATE TABLE t (",
            "CREATE TABLE \"t",
            "$$ x",
            "'",
            "CREATE",
            "/*",
        ] {
            d.scan("x.sql", text);
        }
    }
}
