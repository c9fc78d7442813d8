//! The MySQL DDL reader: mysqldump output and hand-written DDL, offline.
//!
//! The text is split into statements (honouring `DELIMITER`), each statement
//! is tokenized (conditional comments applied, see [`crate::lex`]) and the
//! statements that shape a schema are applied to an in-memory model that
//! simulates what MariaDB 10.11 does on its own: implicit foreign key
//! indexes, generated constraint and index names, type aliases. Statements
//! that change no schema (SET, USE, LOCK TABLES, INSERT, ...) are skipped;
//! a statement that cannot be read becomes a warning and reading goes on.

use crate::expr::{canonical, canonical_in};
use crate::lex::{tokenize, Kind, Token};
use crate::live::{partition_entry, partition_key, referential_action};
use crate::shape::{self, collation_name, default_collation, index_serves, RawColumn};
use crate::types::column_type_of;
use carta_catalog::{
    Catalog, CheckConstraint, Column, Dialect, ForeignKey, Index, IndexKey, IndexKeyOptions,
    MatchType, QualifiedName, Schema, Table, TableKind, Trigger, TriggerEvent, TriggerTiming,
};
use carta_source::{DdlFile, IngestError, IngestOptions, Ingested, Location, Warning};
use std::path::Path;

/// The schema DDL lands in when neither the options nor the text name one.
const FALLBACK_SCHEMA: &str = "main";
/// The server default collation assumed for tables that name none (MariaDB 10.11).
const SERVER_COLLATION: &str = "utf8mb4_general_ci";

pub(crate) fn ingest(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    options.filter.validate()?;
    let split: Vec<(&DdlFile, Vec<(usize, usize)>)> = files
        .iter()
        .map(|f| (f, split_statements(&f.text)))
        .collect();
    let schema = options
        .default_schema
        .clone()
        .or_else(|| {
            split.iter().find_map(|(file, statements)| {
                statements
                    .iter()
                    .find_map(|&(start, end)| database_named(&file.text[start..end]))
            })
        })
        .unwrap_or_else(|| FALLBACK_SCHEMA.to_string());
    let mut model = Model {
        schema,
        databases: Vec::new(),
        collation: SERVER_COLLATION.to_string(),
        tables: Vec::new(),
        warnings: Vec::new(),
    };
    for (file, statements) in &split {
        for &(start, end) in statements {
            let tokens = tokenize(&file.text[start..end], start);
            if tokens.is_empty() {
                continue;
            }
            let mut parser = Parser {
                tokens: &tokens,
                pos: 0,
                src: &file.text,
                end,
            };
            if let Err(error) = model.statement(&mut parser) {
                model.warn(&file.path, &file.text, start, error);
            }
        }
    }
    let mut tables: Vec<Table> = model.tables.into_iter().map(|t| t.table).collect();
    for table in &mut tables {
        shape::finish_table(table);
    }
    let mut catalog = Catalog::new(Dialect::Mysql);
    catalog.schemas.push(Schema {
        name: model.schema,
        tables,
        ..Schema::default()
    });
    options.filter.apply(&mut catalog)?;
    Ok(Ingested {
        catalog: catalog.finish(),
        warnings: model.warnings,
    })
}

/// `(start, end)` byte ranges of the statements in `text`, without their
/// delimiters. `DELIMITER xx` lines change the delimiter as the mysql client does.
fn split_statements(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut statements = Vec::new();
    let mut delimiter = ";".to_string();
    let mut start = 0;
    let mut i = 0;
    let mut at_statement_start = true;
    while i < bytes.len() {
        if at_statement_start {
            if bytes[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            // Line comments between statements, so a DELIMITER line after them is seen.
            let line_comment = bytes[i] == b'#'
                || (text[i..].starts_with("--")
                    && bytes.get(i + 2).is_none_or(|b| b.is_ascii_whitespace()));
            if line_comment {
                i = text[i..].find('\n').map_or(bytes.len(), |p| i + p + 1);
                continue;
            }
            start = i;
            at_statement_start = false;
            let line_end = text[i..].find('\n').map_or(text.len(), |p| i + p);
            let line = &text[i..line_end];
            if line
                .get(..10)
                .is_some_and(|l| l.eq_ignore_ascii_case("delimiter "))
            {
                let new = line[10..].trim();
                if !new.is_empty() {
                    delimiter = new.to_string();
                }
                i = line_end;
                at_statement_start = true;
                continue;
            }
        }
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => i = quoted_end(bytes, i),
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |p| i + p + 1),
            b'-' if text[i..].starts_with("--")
                && bytes.get(i + 2).is_none_or(|b| b.is_ascii_whitespace()) =>
            {
                i = text[i..].find('\n').map_or(bytes.len(), |p| i + p + 1)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = crate::lex::comment_end(bytes, i + 2),
            _ if bytes[i..].starts_with(delimiter.as_bytes()) => {
                statements.push((start, i));
                i += delimiter.len();
                at_statement_start = true;
            }
            _ => i += 1,
        }
    }
    if !at_statement_start && start < bytes.len() {
        statements.push((start, bytes.len()));
    }
    statements
}

fn quoted_end(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        if bytes[j] == b'\\' && quote != b'`' {
            j += 2;
            continue;
        }
        if bytes[j] == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    bytes.len()
}

/// The database a `USE db` or `CREATE DATABASE db` statement names.
fn database_named(statement: &str) -> Option<String> {
    let tokens = tokenize(statement, 0);
    let name_at = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.is_name())
            .map(|t| t.text.clone())
    };
    match tokens.as_slice() {
        [first, ..] if first.is_kw("USE") => name_at(1),
        [create, what, ..]
            if create.is_kw("CREATE") && (what.is_kw("DATABASE") || what.is_kw("SCHEMA")) =>
        {
            let skip = if tokens.get(2).is_some_and(|t| t.is_kw("IF")) {
                5
            } else {
                2
            };
            name_at(skip)
        }
        _ => None,
    }
}

/// Why a statement could not be read: the message and the byte offset.
struct ParseError {
    offset: usize,
    message: String,
}

type PResult<T> = Result<T, ParseError>;

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    src: &'a str,
    /// End of the statement in `src`.
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.pos + n)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn error<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            offset: self.peek().map_or(self.end, |t| t.start),
            message: message.into(),
        })
    }

    fn kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_kw(kw))
    }

    fn kw_at(&self, n: usize, kw: &str) -> bool {
        self.peek_at(n).is_some_and(|t| t.is_kw(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.kw(kw);
        self.pos += usize::from(yes);
        yes
    }

    fn eat_kws(&mut self, kws: &[&str]) -> bool {
        if kws.iter().enumerate().all(|(i, kw)| self.kw_at(i, kw)) {
            self.pos += kws.len();
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            self.error(format!("expected {kw}"))
        }
    }

    fn is(&self, kind: Kind) -> bool {
        self.peek().is_some_and(|t| t.kind == kind)
    }

    fn eat(&mut self, kind: Kind) -> bool {
        let yes = self.is(kind);
        self.pos += usize::from(yes);
        yes
    }

    fn expect(&mut self, kind: Kind, what: &str) -> PResult<()> {
        if self.eat(kind) {
            Ok(())
        } else {
            self.error(format!("expected {what}"))
        }
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.peek().is_some_and(|t| t.is_op(op));
        self.pos += usize::from(yes);
        yes
    }

    fn name(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if t.is_name() => {
                let name = t.text.clone();
                self.pos += 1;
                Ok(name)
            }
            _ => self.error("expected a name"),
        }
    }

    /// `name` or `schema.name`: (schema, name).
    fn qualified(&mut self) -> PResult<(Option<String>, String)> {
        let first = self.name()?;
        if self.is(Kind::Dot) {
            self.pos += 1;
            let second = self.name()?;
            return Ok((Some(first), second));
        }
        Ok((None, first))
    }

    /// A string literal or a word (option values).
    fn value(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if matches!(t.kind, Kind::Str | Kind::Word | Kind::Quoted | Kind::Number) => {
                let value = t.text.clone();
                self.pos += 1;
                Ok(value)
            }
            _ => self.error("expected a value"),
        }
    }

    fn string(&mut self) -> PResult<String> {
        match self.peek() {
            Some(t) if t.kind == Kind::Str => {
                let value = t.text.clone();
                self.pos += 1;
                Ok(value)
            }
            _ => self.error("expected a string"),
        }
    }

    /// Index of the `)` matching the `(` at the current position.
    fn matching(&self) -> PResult<usize> {
        let mut depth = 0usize;
        for (i, token) in self.tokens.iter().enumerate().skip(self.pos) {
            match token.kind {
                Kind::LParen => depth += 1,
                Kind::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(i);
                    }
                }
                _ => {}
            }
        }
        self.error("unbalanced parentheses")
    }

    /// The source text inside the parentheses at the current position; moves past them.
    fn parenthesized_text(&mut self) -> PResult<String> {
        if !self.is(Kind::LParen) {
            return self.error("expected (");
        }
        let close = self.matching()?;
        let open = self.pos;
        self.pos = close + 1;
        if close == open + 1 {
            return Ok(String::new());
        }
        Ok(self.src[self.tokens[open + 1].start..self.tokens[close - 1].end].to_string())
    }

    /// Source text from token `from` to the token before the current one.
    fn text_since(&self, from: usize) -> String {
        match (
            self.tokens.get(from),
            self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)),
        ) {
            (Some(a), Some(b)) if b.end >= a.start => self.src[a.start..b.end].to_string(),
            _ => String::new(),
        }
    }

    /// Skips `= value` of a table or index option we do not keep.
    fn skip_option_value(&mut self) -> PResult<()> {
        self.eat_op("=");
        if self.is(Kind::LParen) {
            self.pos = self.matching()? + 1;
            return Ok(());
        }
        self.value().map(|_| ())
    }

    /// `DEFINER = user@host` in CREATE VIEW/TRIGGER/PROCEDURE.
    fn skip_definer(&mut self) -> PResult<()> {
        if !self.eat_kw("DEFINER") {
            return Ok(());
        }
        self.eat_op("=");
        if self.eat_kw("CURRENT_USER") {
            if self.is(Kind::LParen) {
                self.pos = self.matching()? + 1;
            }
            return Ok(());
        }
        self.value()?;
        if let Some(t) = self.peek().filter(|t| t.kind == Kind::Variable) {
            let bare_at = t.text == "@";
            self.pos += 1;
            if bare_at {
                self.value()?;
            }
        }
        Ok(())
    }
}

struct TableState {
    table: Table,
    collation: String,
    /// Indexes the server created for foreign keys, oldest first. It drops
    /// them again when another index can serve the foreign key.
    generated: Vec<String>,
}

/// The schema being built: one MySQL database.
struct Model {
    schema: String,
    /// Other names the text gives this database (`USE`, `CREATE DATABASE`).
    databases: Vec<String>,
    /// Default collation of new tables.
    collation: String,
    tables: Vec<TableState>,
    warnings: Vec<Warning>,
}

/// What one column definition says besides the column itself.
#[derive(Default)]
struct ColumnExtras {
    primary: bool,
    unique: bool,
    check: Option<(Option<String>, String)>,
    reference: Option<Reference>,
    charset: Option<String>,
}

struct Reference {
    table: QualifiedName,
    columns: Vec<String>,
    on_update: carta_catalog::ReferentialAction,
    on_delete: carta_catalog::ReferentialAction,
    match_type: MatchType,
}

/// An index or key definition before it is named.
struct KeyDef {
    name: Option<String>,
    kind: KeyKind,
    keys: Vec<IndexKey>,
    using: Option<String>,
    comment: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Primary,
    Unique,
    Plain,
    Fulltext,
    Spatial,
}

/// One item of a CREATE TABLE body or an ALTER TABLE ADD.
enum Definition {
    Column(RawColumn, ColumnExtras),
    Key(KeyDef),
    ForeignKey {
        name: Option<String>,
        index_name: Option<String>,
        columns: Vec<String>,
        reference: Reference,
    },
    Check(Option<String>, String),
}

impl Model {
    fn warn(&mut self, file: &Path, text: &str, start: usize, error: ParseError) {
        let excerpt = text[start..]
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(120).collect());
        self.warnings.push(Warning {
            location: Some(Location::at_offset(file, text, error.offset)),
            object: None,
            message: error.message,
            excerpt,
        });
    }

    fn is_this_schema(&self, schema: &Option<String>) -> bool {
        schema
            .as_ref()
            .is_none_or(|s| *s == self.schema || self.databases.contains(s))
    }

    fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.table.name == name)
    }

    fn table_mut(&mut self, p: &Parser, name: &str) -> PResult<&mut TableState> {
        match self.table_index(name) {
            Some(i) => Ok(&mut self.tables[i]),
            None => p.error(format!("table `{name}` is not defined")),
        }
    }

    fn statement(&mut self, p: &mut Parser) -> PResult<()> {
        let first = p
            .peek()
            .map(|t| t.text.to_ascii_uppercase())
            .unwrap_or_default();
        match first.as_str() {
            "CREATE" => self.create(p),
            "ALTER" if p.kw_at(1, "TABLE") || p.kw_at(2, "TABLE") => self.alter(p),
            "DROP" => self.drop(p),
            "RENAME" => self.rename(p),
            "USE" => {
                p.pos += 1;
                let name = p.name()?;
                self.databases.push(name);
                Ok(())
            }
            // Statements that change no schema.
            "SET" | "LOCK" | "UNLOCK" | "INSERT" | "REPLACE" | "UPDATE" | "DELETE" | "SELECT"
            | "GRANT" | "REVOKE" | "FLUSH" | "START" | "BEGIN" | "COMMIT" | "ROLLBACK"
            | "ANALYZE" | "OPTIMIZE" | "TRUNCATE" | "SHOW" | "CALL" | "DO" | "SAVEPOINT"
            | "RELEASE" | "LOAD" | "HANDLER" | "ALTER" | "CHECKSUM" | "CHECK" | "REPAIR" => Ok(()),
            _ => p.error(format!(
                "unsupported statement `{}`",
                p.peek().map_or("", |t| t.text.as_str())
            )),
        }
    }

    fn create(&mut self, p: &mut Parser) -> PResult<()> {
        p.pos += 1;
        let or_replace = p.eat_kws(&["OR", "REPLACE"]);
        let temporary = p.eat_kw("TEMPORARY");
        if p.eat_kw("TABLE") {
            if temporary {
                // Temporary tables vanish with the session: not part of the schema.
                return Ok(());
            }
            return self.create_table(p, or_replace);
        }
        if p.kw("DATABASE") || p.kw("SCHEMA") {
            p.pos += 1;
            p.eat_kws(&["IF", "NOT", "EXISTS"]);
            let name = p.name()?;
            self.databases.push(name);
            while !p.at_end() {
                if p.eat_kw("COLLATE") {
                    p.eat_op("=");
                    self.collation = collation_name(&p.value()?);
                } else if p.eat_kw("CHARSET") || p.eat_kws(&["CHARACTER", "SET"]) {
                    p.eat_op("=");
                    self.collation = default_collation(&p.value()?);
                } else {
                    p.pos += 1;
                }
            }
            return Ok(());
        }
        let unique = p.eat_kw("UNIQUE");
        let fulltext = p.eat_kw("FULLTEXT");
        let spatial = p.eat_kw("SPATIAL");
        if p.eat_kw("INDEX") {
            let kind = match (unique, fulltext, spatial) {
                (true, ..) => KeyKind::Unique,
                (_, true, _) => KeyKind::Fulltext,
                (_, _, true) => KeyKind::Spatial,
                _ => KeyKind::Plain,
            };
            return self.create_index(p, kind);
        }
        while p.eat_kw("ALGORITHM") {
            p.skip_option_value()?;
        }
        p.skip_definer()?;
        if p.eat_kws(&["SQL", "SECURITY"]) {
            p.value()?;
        }
        if p.eat_kw("VIEW") {
            return self.create_view(p);
        }
        if p.eat_kw("TRIGGER") {
            return self.create_trigger(p);
        }
        if p.eat_kw("AGGREGATE") || p.kw("FUNCTION") || p.kw("PROCEDURE") || p.kw("EVENT") {
            // Stored routines and events are not read from a live server
            // either: skipping them keeps both sources equal.
            return Ok(());
        }
        if p.kw("USER") || p.kw("ROLE") || p.kw("SERVER") || p.kw("SEQUENCE") {
            return p.error("unsupported statement: CREATE outside the table schema");
        }
        p.error("unsupported CREATE statement")
    }

    fn create_table(&mut self, p: &mut Parser, or_replace: bool) -> PResult<()> {
        let if_not_exists = p.eat_kws(&["IF", "NOT", "EXISTS"]);
        let (schema, name) = p.qualified()?;
        if !self.is_this_schema(&schema) {
            return p.error(format!(
                "table in another database `{}`: one DDL source reads one database",
                schema.unwrap_or_default()
            ));
        }
        if let Some(i) = self.table_index(&name) {
            if if_not_exists {
                return Ok(());
            }
            if !or_replace {
                return p.error(format!("table `{name}` already exists"));
            }
            self.tables.remove(i);
        }
        if p.eat_kw("LIKE") || (p.is(Kind::LParen) && p.kw_at(1, "LIKE")) {
            let wrapped = p.eat(Kind::LParen) && p.eat_kw("LIKE");
            let (_, source) = p.qualified()?;
            if wrapped {
                p.expect(Kind::RParen, ")")?;
            }
            let Some(i) = self.table_index(&source) else {
                return p.error(format!("table `{source}` is not defined"));
            };
            let mut copy = TableState {
                table: self.tables[i].table.clone(),
                collation: self.tables[i].collation.clone(),
                generated: self.tables[i].generated.clone(),
            };
            copy.table.name = name;
            // CREATE TABLE ... LIKE copies columns and indexes, not foreign keys or triggers.
            copy.table.foreign_keys.clear();
            copy.table.triggers.clear();
            self.tables.push(copy);
            return Ok(());
        }
        if !p.is(Kind::LParen) {
            return p.error(
                "CREATE TABLE without a column list (CREATE TABLE ... AS SELECT) is not supported",
            );
        }
        p.pos += 1;
        let mut definitions = Vec::new();
        loop {
            definitions.push(definition(p, true)?);
            if p.eat(Kind::Comma) {
                continue;
            }
            p.expect(Kind::RParen, ", or )")?;
            break;
        }
        let mut state = TableState {
            table: Table {
                name,
                kind: TableKind::Table,
                ..Table::default()
            },
            collation: self.collation.clone(),
            generated: Vec::new(),
        };
        table_options(p, &mut state, true)?;
        // The server's default storage engine.
        state
            .table
            .options
            .entry("engine".into())
            .or_insert_with(|| "innodb".into());
        self.apply(&mut state, definitions, p)?;
        self.tables.push(state);
        Ok(())
    }

    /// Adds definitions to a table the way the server does in one statement:
    /// columns first, then keys, then checks, then foreign keys. Each foreign
    /// key gets an index of its own, which the server drops again as soon as
    /// another index can serve the key (see [`prune_generated`]).
    fn apply(
        &self,
        state: &mut TableState,
        definitions: Vec<Definition>,
        p: &Parser,
    ) -> PResult<()> {
        let mut keys = Vec::new();
        let mut checks = Vec::new();
        let mut foreign = Vec::new();
        for definition in definitions {
            match definition {
                Definition::Column(raw, extras) => {
                    let column_name = raw.name.clone();
                    if state.table.column(&column_name).is_some() {
                        return p.error(format!("duplicate column `{column_name}`"));
                    }
                    let key = |kind| KeyDef {
                        name: None,
                        kind,
                        keys: vec![column_key(&column_name)],
                        using: None,
                        comment: None,
                    };
                    if extras.primary {
                        keys.push(key(KeyKind::Primary));
                    }
                    if extras.unique {
                        keys.push(key(KeyKind::Unique));
                    }
                    if let Some((name, expression)) = extras.check {
                        // MariaDB names a column's CHECK after the column.
                        checks.push((
                            Some(name.unwrap_or_else(|| column_name.clone())),
                            expression,
                        ));
                    }
                    if let Some(reference) = extras.reference {
                        foreign.push((None, None, vec![column_name.clone()], reference));
                    }
                    let mut raw = raw;
                    if let (None, Some(charset)) = (&raw.collation, &extras.charset) {
                        raw.collation = Some(default_collation(charset));
                    }
                    let column = shape::column(raw, Some(&state.collation));
                    state.table.columns.push(column);
                }
                Definition::Key(key) => keys.push(key),
                Definition::Check(name, expression) => checks.push((name, expression)),
                Definition::ForeignKey {
                    name,
                    index_name,
                    columns,
                    reference,
                } => foreign.push((name, index_name, columns, reference)),
            }
        }
        for key in keys {
            add_key(&mut state.table, key, p, false)?;
        }
        for (name, expression) in checks {
            let name = name.unwrap_or_else(|| {
                next_name(
                    &state
                        .table
                        .checks
                        .iter()
                        .filter_map(|c| c.name.clone())
                        .collect::<Vec<_>>(),
                    "CONSTRAINT_",
                )
            });
            state.table.checks.push(CheckConstraint {
                name: Some(name),
                expression: canonical(&expression),
                comment: None,
            });
        }
        for (name, index_name, columns, reference) in foreign {
            let fk_names: Vec<String> = state
                .table
                .foreign_keys
                .iter()
                .filter_map(|f| f.name.clone())
                .collect();
            let fk_name = name
                .clone()
                .unwrap_or_else(|| next_name(&fk_names, &format!("{}_ibfk_", state.table.name)));
            let before = state.table.indexes.len();
            add_key(
                &mut state.table,
                KeyDef {
                    name: name.or(index_name),
                    kind: KeyKind::Plain,
                    keys: columns.iter().map(|c| column_key(c)).collect(),
                    using: None,
                    comment: None,
                },
                p,
                true,
            )?;
            if let Some(index) = state.table.indexes.get(before) {
                state.generated.push(index.name.clone());
            }
            let referenced_schema = reference.table.schema.clone();
            state.table.foreign_keys.push(ForeignKey {
                name: Some(fk_name),
                columns,
                referenced_table: QualifiedName::new(
                    if self.is_this_schema(&Some(referenced_schema.clone()))
                        || referenced_schema.is_empty()
                    {
                        self.schema.clone()
                    } else {
                        referenced_schema
                    },
                    reference.table.name,
                ),
                referenced_columns: reference.columns,
                on_update: reference.on_update,
                on_delete: reference.on_delete,
                match_type: reference.match_type,
                deferrable: false,
                initially_deferred: false,
                comment: None,
            });
        }
        prune_generated(state);
        Ok(())
    }

    fn create_index(&mut self, p: &mut Parser, kind: KeyKind) -> PResult<()> {
        p.eat_kws(&["IF", "NOT", "EXISTS"]);
        let name = p.name()?;
        let mut using = index_using(p)?;
        p.expect_kw("ON")?;
        let (_, table) = p.qualified()?;
        let keys = key_parts(p)?;
        let (more_using, comment) = index_options(p)?;
        using = using.or(more_using);
        skip_lock_algorithm(p)?;
        if !p.at_end() {
            return p.error("unexpected text after CREATE INDEX");
        }
        let state = self.table_mut(p, &table)?;
        add_key(
            &mut state.table,
            KeyDef {
                name: Some(name),
                kind,
                keys,
                using,
                comment,
            },
            p,
            false,
        )?;
        prune_generated(state);
        Ok(())
    }

    fn create_view(&mut self, p: &mut Parser) -> PResult<()> {
        p.eat_kws(&["IF", "NOT", "EXISTS"]);
        let (_, name) = p.qualified()?;
        if p.is(Kind::LParen) {
            p.parenthesized_text()?;
        }
        p.expect_kw("AS")?;
        let start = p.pos;
        let mut end = p.tokens.len();
        for i in start..p.tokens.len() {
            let t = &p.tokens[i];
            if t.is_kw("WITH") && p.tokens[i + 1..].iter().take(3).any(|t| t.is_kw("CHECK")) {
                end = i;
                break;
            }
        }
        if start >= end {
            return p.error("expected the view's query");
        }
        let query = &p.src[p.tokens[start].start..p.tokens[end - 1].end];
        let definition = canonical_in(query, Some(&self.schema));
        let columns = self.view_columns(&p.tokens[start..end]);
        if let Some(i) = self.table_index(&name) {
            self.tables.remove(i);
        }
        self.tables.push(TableState {
            table: Table {
                name,
                kind: TableKind::View,
                columns,
                definition: Some(definition),
                ..Table::default()
            },
            collation: self.collation.clone(),
            generated: Vec::new(),
        });
        Ok(())
    }

    /// The columns of a view whose select list names columns of the tables
    /// in its FROM clause (`t.a AS b`, `a`, `*`), as the server reports them:
    /// name, type and nullability.
    fn view_columns(&self, tokens: &[Token]) -> Vec<Column> {
        let depth_zero = |i: usize| {
            tokens[..i].iter().fold(0i32, |d, t| match t.kind {
                Kind::LParen => d + 1,
                Kind::RParen => d - 1,
                _ => d,
            }) == 0
        };
        let Some(from) = (0..tokens.len()).find(|&i| tokens[i].is_kw("FROM") && depth_zero(i))
        else {
            return Vec::new();
        };
        // Tables and aliases: a name after FROM or JOIN, optionally `AS alias`.
        let mut sources: Vec<(String, &Table)> = Vec::new();
        let mut i = from;
        while i < tokens.len() {
            let t = &tokens[i];
            // MariaDB prints joins inside parentheses: `from (a join b on(...))`.
            if (t.is_kw("FROM") && depth_zero(i)) || t.is_kw("JOIN") {
                let mut j = i + 1;
                while tokens.get(j).is_some_and(|t| t.kind == Kind::LParen) {
                    j += 1;
                }
                if let Some(name) = tokens.get(j).filter(|t| t.is_name()) {
                    let mut table_name = name.text.clone();
                    if tokens.get(j + 1).is_some_and(|t| t.kind == Kind::Dot) {
                        if let Some(n) = tokens.get(j + 2) {
                            table_name = n.text.clone();
                            j += 2;
                        }
                    }
                    if let Some(index) = self.table_index(&table_name) {
                        let table = &self.tables[index].table;
                        let mut alias = table_name.clone();
                        let mut k = j + 1;
                        if tokens.get(k).is_some_and(|t| t.is_kw("AS")) {
                            k += 1;
                        }
                        if let Some(a) = tokens.get(k).filter(|t| {
                            t.kind == Kind::Quoted
                                || (t.kind == Kind::Word && !is_clause_word(&t.text))
                        }) {
                            alias = a.text.clone();
                        }
                        sources.push((alias, table));
                    }
                }
            }
            i += 1;
        }
        let mut columns = Vec::new();
        let select = usize::from(tokens.first().is_some_and(|t| t.is_kw("SELECT")));
        let mut item_start = select;
        while tokens
            .get(item_start)
            .is_some_and(|t| t.is_kw("DISTINCT") || t.is_kw("ALL"))
        {
            item_start += 1;
        }
        let mut k = item_start;
        while k <= from {
            if k == from || (tokens[k].kind == Kind::Comma && depth_zero(k)) {
                let item = &tokens[item_start..k];
                columns.extend(view_item_columns(item, &sources));
                item_start = k + 1;
            }
            k += 1;
        }
        columns
    }

    fn create_trigger(&mut self, p: &mut Parser) -> PResult<()> {
        p.eat_kws(&["IF", "NOT", "EXISTS"]);
        let (_, name) = p.qualified()?;
        let timing = if p.eat_kw("BEFORE") {
            TriggerTiming::Before
        } else if p.eat_kw("AFTER") {
            TriggerTiming::After
        } else {
            return p.error("expected BEFORE or AFTER");
        };
        let mut events = Vec::new();
        loop {
            let event = if p.eat_kw("INSERT") {
                TriggerEvent::Insert
            } else if p.eat_kw("UPDATE") {
                TriggerEvent::Update
            } else if p.eat_kw("DELETE") {
                TriggerEvent::Delete
            } else {
                return p.error("expected INSERT, UPDATE or DELETE");
            };
            events.push(event);
            if !p.eat_kw("OR") {
                break;
            }
        }
        p.expect_kw("ON")?;
        let (_, table) = p.qualified()?;
        if !p.eat_kws(&["FOR", "EACH", "ROW"]) {
            return p.error("expected FOR EACH ROW");
        }
        if p.eat_kw("FOLLOWS") || p.eat_kw("PRECEDES") {
            p.name()?;
        }
        let start = p.pos;
        if p.at_end() {
            return p.error("expected the trigger body");
        }
        p.pos = p.tokens.len();
        let body = p.text_since(start).trim().to_string();
        let state = self.table_mut(p, &table)?;
        state.table.triggers.retain(|t| t.name != name);
        state.table.triggers.push(Trigger {
            name,
            timing,
            events,
            update_columns: Vec::new(),
            for_each_row: true,
            when: None,
            function: None,
            body: Some(body),
            comment: None,
        });
        Ok(())
    }

    fn alter(&mut self, p: &mut Parser) -> PResult<()> {
        p.pos += 1;
        p.eat_kw("ONLINE");
        p.eat_kw("IGNORE");
        p.expect_kw("TABLE")?;
        p.eat_kws(&["IF", "EXISTS"]);
        let (_, name) = p.qualified()?;
        let Some(index) = self.table_index(&name) else {
            return p.error(format!("table `{name}` is not defined"));
        };
        let mut state = self.tables.remove(index);
        let result = self.alter_specs(p, &mut state);
        self.tables.insert(index, state);
        result
    }

    fn alter_specs(&mut self, p: &mut Parser, state: &mut TableState) -> PResult<()> {
        while !p.at_end() {
            if p.eat_kw("ADD") {
                if p.eat_kw("COLUMN") || !starts_constraint(p) {
                    p.eat_kws(&["IF", "NOT", "EXISTS"]);
                    if p.is(Kind::LParen) {
                        p.pos += 1;
                        let mut definitions = Vec::new();
                        loop {
                            definitions.push(definition(p, false)?);
                            if !p.eat(Kind::Comma) {
                                break;
                            }
                        }
                        p.expect(Kind::RParen, ")")?;
                        self.apply(state, definitions, p)?;
                    } else {
                        let def = definition(p, false)?;
                        let position = column_position(p)?;
                        let before = state.table.columns.len();
                        self.apply(state, vec![def], p)?;
                        if let (Some(position), true) =
                            (position, state.table.columns.len() > before)
                        {
                            if let Some(column) = state.table.columns.pop() {
                                let at = position.resolve(&state.table.columns);
                                state.table.columns.insert(at, column);
                            }
                        }
                    }
                } else {
                    let def = definition(p, true)?;
                    self.apply(state, vec![def], p)?;
                }
            } else if p.eat_kw("DROP") {
                drop_spec(p, &mut state.table)?;
            } else if p.kw("MODIFY") || p.kw("CHANGE") {
                let change = p.eat_kw("CHANGE");
                if !change {
                    p.pos += 1;
                }
                p.eat_kw("COLUMN");
                p.eat_kws(&["IF", "EXISTS"]);
                let old = if change { Some(p.name()?) } else { None };
                let Definition::Column(raw, extras) = column_definition(p)? else {
                    return p.error("expected a column definition");
                };
                let old = old.unwrap_or_else(|| raw.name.clone());
                let Some(at) = state
                    .table
                    .columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(&old))
                else {
                    return p.error(format!("column `{old}` is not defined"));
                };
                let position = column_position(p)?;
                let removed = state.table.columns.remove(at);
                let new_name = raw.name.clone();
                self.apply(state, vec![Definition::Column(raw, extras)], p)?;
                if removed.name != new_name {
                    rename_column(&mut state.table, &removed.name, &new_name);
                }
                if let Some(column) = state.table.columns.pop() {
                    let at = position.map_or(at, |pos| pos.resolve(&state.table.columns));
                    state
                        .table
                        .columns
                        .insert(at.min(state.table.columns.len()), column);
                }
            } else if p.eat_kw("ALTER") {
                p.eat_kw("COLUMN");
                let column = p.name()?;
                let Some(at) = state
                    .table
                    .columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(&column))
                else {
                    return p.error(format!("column `{column}` is not defined"));
                };
                if p.eat_kws(&["SET", "DEFAULT"]) {
                    let start = p.pos;
                    if p.is(Kind::LParen) {
                        p.parenthesized_text()?;
                    } else {
                        p.pos += 1;
                    }
                    let sql = p.text_since(start);
                    let logical = state.table.columns[at].logical_type.clone();
                    state.table.columns[at].default = shape::default_value(&sql, &logical);
                } else if p.eat_kws(&["DROP", "DEFAULT"]) {
                    state.table.columns[at].default = None;
                } else {
                    return p.error("expected SET DEFAULT or DROP DEFAULT");
                }
            } else if p.eat_kw("RENAME") {
                if p.eat_kw("COLUMN") {
                    let old = p.name()?;
                    p.expect_kw("TO")?;
                    let new = p.name()?;
                    match state
                        .table
                        .columns
                        .iter_mut()
                        .find(|c| c.name.eq_ignore_ascii_case(&old))
                    {
                        Some(column) => column.name = new.clone(),
                        None => return p.error(format!("column `{old}` is not defined")),
                    }
                    rename_column(&mut state.table, &old, &new);
                } else if p.eat_kw("INDEX") || p.eat_kw("KEY") {
                    let old = p.name()?;
                    p.expect_kw("TO")?;
                    let new = p.name()?;
                    match state
                        .table
                        .indexes
                        .iter_mut()
                        .find(|i| i.name.eq_ignore_ascii_case(&old))
                    {
                        Some(index) => index.name = new,
                        None => return p.error(format!("index `{old}` is not defined")),
                    }
                } else {
                    if !p.eat_kw("TO") {
                        p.eat_kw("AS");
                    }
                    let (_, new) = p.qualified()?;
                    state.table.name = new;
                }
            } else if p.kw("PARTITION") {
                partition_clause(p, &mut state.table)?;
            } else if p.eat_kws(&["DISABLE", "KEYS"]) || p.eat_kws(&["ENABLE", "KEYS"]) {
                // mysqldump's bulk-load hints: no schema change.
            } else if p.kw("LOCK") || p.kw("ALGORITHM") || p.kw("FORCE") {
                p.pos += 1;
                if !p.is(Kind::Comma) && !p.at_end() {
                    p.skip_option_value()?;
                }
            } else {
                let before = p.pos;
                table_options(p, state, false)?;
                if p.pos == before {
                    return p.error("unsupported ALTER TABLE clause");
                }
            }
            if !p.eat(Kind::Comma) && !p.at_end() {
                return p.error("expected , or the end of ALTER TABLE");
            }
        }
        Ok(())
    }

    fn drop(&mut self, p: &mut Parser) -> PResult<()> {
        p.pos += 1;
        p.eat_kw("TEMPORARY");
        if p.eat_kw("TABLE") || p.eat_kw("VIEW") {
            let if_exists = p.eat_kws(&["IF", "EXISTS"]);
            loop {
                let (_, name) = p.qualified()?;
                match self.table_index(&name) {
                    Some(i) => {
                        self.tables.remove(i);
                    }
                    None if if_exists => {}
                    None => return p.error(format!("`{name}` is not defined")),
                }
                if !p.eat(Kind::Comma) {
                    break;
                }
            }
            return Ok(());
        }
        if p.eat_kw("INDEX") {
            p.eat_kws(&["IF", "EXISTS"]);
            let index = p.name()?;
            p.expect_kw("ON")?;
            let (_, table) = p.qualified()?;
            let state = self.table_mut(p, &table)?;
            state
                .table
                .indexes
                .retain(|i| !i.name.eq_ignore_ascii_case(&index));
            return Ok(());
        }
        if p.eat_kw("TRIGGER") {
            let if_exists = p.eat_kws(&["IF", "EXISTS"]);
            let (_, name) = p.qualified()?;
            let mut found = false;
            for state in &mut self.tables {
                let before = state.table.triggers.len();
                state.table.triggers.retain(|t| t.name != name);
                found |= state.table.triggers.len() != before;
            }
            if !found && !if_exists {
                return p.error(format!("trigger `{name}` is not defined"));
            }
            return Ok(());
        }
        // DROP DATABASE, PROCEDURE, FUNCTION, USER, ...: outside the tables Carta reads.
        Ok(())
    }

    fn rename(&mut self, p: &mut Parser) -> PResult<()> {
        p.pos += 1;
        p.expect_kw("TABLE")?;
        loop {
            let (_, old) = p.qualified()?;
            p.expect_kw("TO")?;
            let (_, new) = p.qualified()?;
            let state = self.table_mut(p, &old)?;
            state.table.name = new;
            if !p.eat(Kind::Comma) {
                return Ok(());
            }
        }
    }
}

fn is_clause_word(word: &str) -> bool {
    [
        "WHERE",
        "JOIN",
        "LEFT",
        "RIGHT",
        "INNER",
        "CROSS",
        "OUTER",
        "NATURAL",
        "ON",
        "USING",
        "GROUP",
        "ORDER",
        "HAVING",
        "LIMIT",
        "UNION",
        "STRAIGHT_JOIN",
        "WINDOW",
        "FOR",
        "LOCK",
    ]
    .iter()
    .any(|w| w.eq_ignore_ascii_case(word))
}

/// The view column(s) one select item yields, when it names table columns.
fn view_item_columns(item: &[Token], sources: &[(String, &Table)]) -> Vec<Column> {
    let view_column = |c: &Column, name: &str| Column {
        name: name.to_string(),
        data_type: c.data_type.clone(),
        logical_type: c.logical_type.clone(),
        nullable: c.nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    };
    let star = |t: &Token| t.is_op("*");
    match item {
        [s] if star(s) => sources
            .iter()
            .flat_map(|(_, t)| t.columns.iter().map(|c| view_column(c, &c.name)))
            .collect(),
        [q, dot, s] if dot.kind == Kind::Dot && star(s) => sources
            .iter()
            .filter(|(alias, _)| *alias == q.text)
            .flat_map(|(_, t)| t.columns.iter().map(|c| view_column(c, &c.name)))
            .collect(),
        _ => {
            let (expr, alias) = match item {
                [rest @ .., as_kw, alias] if as_kw.is_kw("AS") && alias.is_name() => {
                    (rest, Some(alias.text.clone()))
                }
                [rest @ .., alias]
                    if !rest.is_empty()
                        && alias.is_name()
                        && rest.last().is_some_and(Token::is_name) =>
                {
                    (rest, Some(alias.text.clone()))
                }
                _ => (item, None),
            };
            let (qualifier, column) = match expr {
                [c] if c.is_name() => (None, &c.text),
                [q, dot, c] if dot.kind == Kind::Dot && q.is_name() && c.is_name() => {
                    (Some(&q.text), &c.text)
                }
                _ => return Vec::new(),
            };
            sources
                .iter()
                .filter(|(alias, _)| qualifier.is_none_or(|q| q == alias))
                .find_map(|(_, t)| t.column(column))
                .map(|c| vec![view_column(c, alias.as_deref().unwrap_or(&c.name))])
                .unwrap_or_default()
        }
    }
}

fn column_key(name: &str) -> IndexKey {
    IndexKey::Column {
        name: name.to_string(),
        options: IndexKeyOptions::default(),
    }
}

/// The first name `prefix` + N (N = 1, 2, ...) greater than any taken.
fn next_name(taken: &[String], prefix: &str) -> String {
    let highest = taken
        .iter()
        .filter_map(|n| n.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

/// Whether the tokens after ADD start a key or constraint rather than a column.
fn starts_constraint(p: &Parser) -> bool {
    [
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "KEY",
        "INDEX",
        "FULLTEXT",
        "SPATIAL",
        "FOREIGN",
        "CHECK",
    ]
    .iter()
    .any(|kw| p.kw(kw))
        && !p
            .peek_at(1)
            .is_some_and(|t| t.kind == Kind::Word && is_type_word(&t.text))
}

fn is_type_word(word: &str) -> bool {
    let ty = column_type_of(&tokenize(word, 0));
    ty.logical != carta_catalog::LogicalType::Other
}

enum Position {
    First,
    After(String),
}

impl Position {
    fn resolve(&self, columns: &[Column]) -> usize {
        match self {
            Position::First => 0,
            Position::After(name) => columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
                .map_or(columns.len(), |i| i + 1),
        }
    }
}

fn column_position(p: &mut Parser) -> PResult<Option<Position>> {
    if p.eat_kw("FIRST") {
        return Ok(Some(Position::First));
    }
    if p.eat_kw("AFTER") {
        return Ok(Some(Position::After(p.name()?)));
    }
    Ok(None)
}

fn rename_column(table: &mut Table, old: &str, new: &str) {
    for index in &mut table.indexes {
        for key in &mut index.keys {
            if let IndexKey::Column { name, .. } = key {
                if name.eq_ignore_ascii_case(old) {
                    *name = new.to_string();
                }
            }
        }
    }
    for fk in &mut table.foreign_keys {
        for column in &mut fk.columns {
            if column.eq_ignore_ascii_case(old) {
                *column = new.to_string();
            }
        }
    }
}

fn drop_spec(p: &mut Parser, table: &mut Table) -> PResult<()> {
    if p.eat_kws(&["PRIMARY", "KEY"]) {
        table.indexes.retain(|i| i.name != "PRIMARY");
        return Ok(());
    }
    if p.eat_kws(&["FOREIGN", "KEY"]) {
        p.eat_kws(&["IF", "EXISTS"]);
        let name = p.name()?;
        table
            .foreign_keys
            .retain(|f| f.name.as_deref() != Some(name.as_str()));
        return Ok(());
    }
    if p.eat_kw("INDEX") || p.eat_kw("KEY") {
        p.eat_kws(&["IF", "EXISTS"]);
        let name = p.name()?;
        table
            .indexes
            .retain(|i| !i.name.eq_ignore_ascii_case(&name));
        return Ok(());
    }
    if p.eat_kw("CONSTRAINT") || p.eat_kw("CHECK") {
        p.eat_kws(&["IF", "EXISTS"]);
        let name = p.name()?;
        table
            .checks
            .retain(|c| c.name.as_deref() != Some(name.as_str()));
        table
            .foreign_keys
            .retain(|f| f.name.as_deref() != Some(name.as_str()));
        table.indexes.retain(|i| i.name != name || !i.unique);
        return Ok(());
    }
    p.eat_kw("COLUMN");
    p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name()?;
    table
        .columns
        .retain(|c| !c.name.eq_ignore_ascii_case(&name));
    // The server drops the column from its indexes and drops emptied indexes.
    for index in &mut table.indexes {
        index.keys.retain(
            |k| !matches!(k, IndexKey::Column { name: n, .. } if n.eq_ignore_ascii_case(&name)),
        );
    }
    table.indexes.retain(|i| !i.keys.is_empty());
    Ok(())
}

/// Drops foreign key indexes the server generated once another index
/// serves the same columns: any index the user declared, or a newer
/// generated one.
fn prune_generated(state: &mut TableState) {
    let mut i = 0;
    while i < state.generated.len() {
        let name = state.generated[i].clone();
        let Some(columns) = state
            .table
            .indexes
            .iter()
            .find(|x| x.name == name)
            .and_then(|x| x.key_columns())
            .map(|c| c.into_iter().map(String::from).collect::<Vec<_>>())
        else {
            state.generated.remove(i);
            continue;
        };
        let older = &state.generated[..=i];
        let redundant = state.table.indexes.iter().any(|other| {
            other.name != name
                && !older.contains(&other.name)
                && index_serves(&other.keys, &other.method, &columns)
        });
        if redundant {
            state.table.indexes.retain(|x| x.name != name);
            state.generated.remove(i);
        } else {
            i += 1;
        }
    }
}

/// Adds an index, naming it as the server does when unnamed: after its
/// first column, with `_2`, `_3`, ... on a clash (also when a generated
/// foreign key index would take a name already in use).
fn add_key(table: &mut Table, key: KeyDef, p: &Parser, generated: bool) -> PResult<()> {
    let name = if key.kind == KeyKind::Primary {
        if table.indexes.iter().any(|i| i.name == "PRIMARY") {
            return p.error(format!(
                "table `{}` has more than one primary key",
                table.name
            ));
        }
        "PRIMARY".to_string()
    } else {
        let taken = |n: &str| table.indexes.iter().any(|i| i.name.eq_ignore_ascii_case(n));
        match key.name {
            Some(name) if !generated => {
                if taken(&name) {
                    return p.error(format!("duplicate index name `{name}`"));
                }
                name
            }
            given => {
                let base = match (given, key.keys.first()) {
                    (Some(name), _) => name,
                    (None, Some(IndexKey::Column { name, .. })) => name.clone(),
                    _ => "functional_index".to_string(),
                };
                let mut name = base.clone();
                let mut n = 2;
                while taken(&name) || name.eq_ignore_ascii_case("PRIMARY") {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                name
            }
        }
    };
    if key.kind == KeyKind::Primary {
        // A primary key makes its columns NOT NULL.
        for k in &key.keys {
            if let IndexKey::Column { name, .. } = k {
                if let Some(column) = table
                    .columns
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(name))
                {
                    column.nullable = false;
                }
            }
        }
    }
    let method = match key.kind {
        KeyKind::Fulltext => "fulltext".to_string(),
        KeyKind::Spatial => "spatial".to_string(),
        // A UNIQUE key over a whole BLOB/TEXT column is a hash index in MariaDB.
        KeyKind::Unique if key.keys.iter().any(|k| is_long_unique_part(table, k)) => {
            "hash".to_string()
        }
        _ => match (
            key.using.as_deref(),
            table.options.get("engine").map(String::as_str),
        ) {
            (Some(using), Some("memory" | "heap")) => using.to_string(),
            (None, Some("memory" | "heap")) => "hash".to_string(),
            _ => "btree".to_string(),
        },
    };
    table.indexes.push(Index {
        name,
        unique: matches!(key.kind, KeyKind::Primary | KeyKind::Unique),
        method,
        keys: key.keys,
        include: Vec::new(),
        predicate: None,
        constraint: None,
        nulls_not_distinct: false,
        comment: key.comment,
    });
    Ok(())
}

fn is_long_unique_part(table: &Table, key: &IndexKey) -> bool {
    match key {
        IndexKey::Column { name, options } => {
            options.prefix_length.is_none()
                && table.column(name).is_some_and(|c| {
                    ["blob", "text", "json"]
                        .iter()
                        .any(|k| c.data_type.ends_with(k))
                })
        }
        IndexKey::Expression { .. } => false,
    }
}

/// One item of a CREATE TABLE body (or of ALTER TABLE ADD when `keys` allows constraints).
fn definition(p: &mut Parser, keys: bool) -> PResult<Definition> {
    let constraint_name = if keys && p.kw("CONSTRAINT") {
        p.pos += 1;
        if p.kw("PRIMARY") || p.kw("UNIQUE") || p.kw("FOREIGN") || p.kw("CHECK") {
            None
        } else {
            Some(p.name()?)
        }
    } else {
        None
    };
    if keys || constraint_name.is_some() {
        if p.eat_kws(&["PRIMARY", "KEY"]) {
            return key_definition(p, KeyKind::Primary, None);
        }
        if p.eat_kw("UNIQUE") {
            if !p.eat_kw("KEY") {
                p.eat_kw("INDEX");
            }
            return key_definition(p, KeyKind::Unique, constraint_name);
        }
        if p.eat_kws(&["FOREIGN", "KEY"]) {
            p.eat_kws(&["IF", "NOT", "EXISTS"]);
            let index_name = if p.is(Kind::LParen) {
                None
            } else {
                Some(p.name()?)
            };
            let columns = name_list(p)?;
            let reference = reference(p)?;
            return Ok(Definition::ForeignKey {
                name: constraint_name,
                index_name,
                columns,
                reference,
            });
        }
        if p.eat_kw("CHECK") {
            let expression = p.parenthesized_text()?;
            enforced(p);
            return Ok(Definition::Check(constraint_name, expression));
        }
        if constraint_name.is_none() {
            if p.kw("KEY") || p.kw("INDEX") {
                p.pos += 1;
                return key_definition(p, KeyKind::Plain, None);
            }
            if p.kw("FULLTEXT") || p.kw("SPATIAL") {
                let kind = if p.eat_kw("FULLTEXT") {
                    KeyKind::Fulltext
                } else {
                    p.pos += 1;
                    KeyKind::Spatial
                };
                if !p.eat_kw("KEY") {
                    p.eat_kw("INDEX");
                }
                return key_definition(p, kind, None);
            }
        }
        if constraint_name.is_some() {
            return p.error("expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK");
        }
    }
    column_definition(p)
}

/// Column attributes that change nothing Carta records; consumed when present.
fn ignored_column_attribute(p: &mut Parser) -> bool {
    [
        "BINARY",
        "ASCII",
        "UNICODE",
        "BYTE",
        "VISIBLE",
        "INVISIBLE",
        "COMPRESSED",
    ]
    .iter()
    .any(|kw| p.eat_kw(kw))
        || p.eat_kws(&["WITHOUT", "SYSTEM", "VERSIONING"])
        || p.eat_kws(&["WITH", "SYSTEM", "VERSIONING"])
}

fn enforced(p: &mut Parser) {
    if !p.eat_kw("ENFORCED") {
        p.eat_kws(&["NOT", "ENFORCED"]);
    }
}

fn key_definition(
    p: &mut Parser,
    kind: KeyKind,
    constraint: Option<String>,
) -> PResult<Definition> {
    p.eat_kws(&["IF", "NOT", "EXISTS"]);
    let name = if p.is(Kind::LParen) || p.kw("USING") {
        None
    } else {
        Some(p.name()?)
    };
    let mut using = index_using(p)?;
    let keys = key_parts(p)?;
    let (more_using, comment) = index_options(p)?;
    using = using.or(more_using);
    Ok(Definition::Key(KeyDef {
        name: name.or(constraint),
        kind,
        keys,
        using,
        comment,
    }))
}

fn index_using(p: &mut Parser) -> PResult<Option<String>> {
    if p.eat_kw("USING") || p.eat_kw("TYPE") {
        return Ok(Some(p.value()?.to_ascii_lowercase()));
    }
    Ok(None)
}

/// Index options after the key parts: USING, COMMENT, and ones we skip.
fn index_options(p: &mut Parser) -> PResult<(Option<String>, Option<String>)> {
    let mut using = None;
    let mut comment = None;
    loop {
        if p.kw("USING") || p.kw("TYPE") {
            using = index_using(p)?;
        } else if p.eat_kw("COMMENT") {
            comment = Some(p.string()?).filter(|c| !c.is_empty());
        } else if p.eat_kws(&["WITH", "PARSER"]) {
            p.name()?;
        } else if p.eat_kw("KEY_BLOCK_SIZE")
            || p.eat_kw("ENGINE_ATTRIBUTE")
            || p.eat_kw("SECONDARY_ENGINE_ATTRIBUTE")
        {
            p.skip_option_value()?;
        } else if p.eat_kw("VISIBLE")
            || p.eat_kw("INVISIBLE")
            || p.eat_kw("IGNORED")
            || p.eat_kws(&["NOT", "IGNORED"])
            || p.eat_kw("CLUSTERING")
        {
            if p.eat_op("=") {
                p.value()?;
            }
        } else {
            return Ok((using, comment));
        }
    }
}

fn skip_lock_algorithm(p: &mut Parser) -> PResult<()> {
    while p.kw("LOCK") || p.kw("ALGORITHM") {
        p.pos += 1;
        p.skip_option_value()?;
    }
    Ok(())
}

/// `(col, col(10) DESC, (expr))`.
fn key_parts(p: &mut Parser) -> PResult<Vec<IndexKey>> {
    p.expect(Kind::LParen, "(")?;
    let mut keys = Vec::new();
    loop {
        let key = if p.is(Kind::LParen) {
            let expression = canonical(&p.parenthesized_text()?);
            IndexKey::Expression {
                expression,
                options: IndexKeyOptions::default(),
            }
        } else {
            let name = p.name()?;
            let mut options = IndexKeyOptions::default();
            if p.eat(Kind::LParen) {
                let length = p.value()?;
                options.prefix_length = length.parse().ok();
                p.expect(Kind::RParen, ")")?;
            }
            IndexKey::Column { name, options }
        };
        let descending = if p.eat_kw("DESC") {
            true
        } else {
            p.eat_kw("ASC");
            false
        };
        keys.push(match key {
            IndexKey::Column { name, mut options } => {
                options.descending = descending;
                IndexKey::Column { name, options }
            }
            IndexKey::Expression {
                expression,
                mut options,
            } => {
                options.descending = descending;
                IndexKey::Expression {
                    expression,
                    options,
                }
            }
        });
        if p.eat(Kind::Comma) {
            continue;
        }
        p.expect(Kind::RParen, ", or )")?;
        return Ok(keys);
    }
}

fn name_list(p: &mut Parser) -> PResult<Vec<String>> {
    p.expect(Kind::LParen, "(")?;
    let mut names = Vec::new();
    loop {
        names.push(p.name()?);
        if p.is(Kind::LParen) {
            // A prefix length in a referenced key part: ignored by the server.
            p.pos = p.matching()? + 1;
        }
        p.eat_kw("ASC");
        p.eat_kw("DESC");
        if p.eat(Kind::Comma) {
            continue;
        }
        p.expect(Kind::RParen, ", or )")?;
        return Ok(names);
    }
}

fn reference(p: &mut Parser) -> PResult<Reference> {
    p.expect_kw("REFERENCES")?;
    let (schema, table) = p.qualified()?;
    let columns = name_list(p)?;
    let mut reference = Reference {
        table: QualifiedName::new(schema.unwrap_or_default(), table),
        columns,
        on_update: Default::default(),
        on_delete: Default::default(),
        match_type: MatchType::Simple,
    };
    loop {
        if p.eat_kw("MATCH") {
            reference.match_type = match p.value()?.to_ascii_uppercase().as_str() {
                "FULL" => MatchType::Full,
                "PARTIAL" => MatchType::Partial,
                _ => MatchType::Simple,
            };
        } else if p.eat_kw("ON") {
            let update = p.eat_kw("UPDATE");
            if !update {
                p.expect_kw("DELETE")?;
            }
            let action = if p.eat_kw("RESTRICT") {
                "RESTRICT"
            } else if p.eat_kw("CASCADE") {
                "CASCADE"
            } else if p.eat_kws(&["SET", "NULL"]) {
                "SET NULL"
            } else if p.eat_kws(&["SET", "DEFAULT"]) {
                "SET DEFAULT"
            } else if p.eat_kws(&["NO", "ACTION"]) {
                "NO ACTION"
            } else {
                return p.error("expected RESTRICT, CASCADE, SET NULL, SET DEFAULT or NO ACTION");
            };
            if update {
                reference.on_update = referential_action(action);
            } else {
                reference.on_delete = referential_action(action);
            }
        } else {
            return Ok(reference);
        }
    }
}

fn column_definition(p: &mut Parser) -> PResult<Definition> {
    let name = p.name()?;
    let type_start = p.pos;
    let Some(first) = p.peek().filter(|t| t.kind == Kind::Word) else {
        return p.error(format!("expected a type for column `{name}`"));
    };
    let first = first.text.to_ascii_lowercase();
    p.pos += 1;
    // Multi-word type names.
    let continuations: &[&str] = match first.as_str() {
        "double" => &["PRECISION"],
        "character" | "char" => &["VARYING"],
        "national" => &["CHAR", "CHARACTER", "VARCHAR", "VARYING"],
        "long" => &["VARCHAR", "VARBINARY", "CHAR", "VARYING"],
        "nchar" => &["VARCHAR", "VARYING"],
        _ => &[],
    };
    while continuations.iter().any(|c| p.kw(c)) {
        p.pos += 1;
    }
    if p.is(Kind::LParen) {
        p.pos = p.matching()? + 1;
    }
    while p.kw("UNSIGNED") || p.kw("SIGNED") || p.kw("ZEROFILL") {
        p.pos += 1;
    }
    let ty = column_type_of(&p.tokens[type_start..p.pos]);
    let mut raw = RawColumn {
        name,
        type_spelling: ty.data_type.clone(),
        nullable: true,
        ..RawColumn::default()
    };
    let mut extras = ColumnExtras::default();
    if ty.implied.not_null_auto_increment_unique {
        raw.nullable = false;
        raw.auto_increment = true;
        extras.unique = true;
    }
    loop {
        if p.eat_kws(&["NOT", "NULL"]) {
            raw.nullable = false;
        } else if p.eat_kw("NULL") {
            raw.nullable = true;
        } else if p.eat_kw("DEFAULT") {
            let start = p.pos;
            if p.is(Kind::LParen) {
                p.parenthesized_text()?;
            } else {
                if p.peek().is_some_and(|t| t.is_op("-") || t.is_op("+")) {
                    p.pos += 1;
                }
                if p.peek()
                    .is_some_and(|t| t.kind == Kind::Word && t.text.starts_with('_'))
                {
                    p.pos += 1;
                }
                if p.at_end() {
                    return p.error("expected a default value");
                }
                p.pos += 1;
                if p.is(Kind::LParen) {
                    p.pos = p.matching()? + 1;
                }
            }
            raw.default = Some(p.text_since(start));
        } else if p.eat_kw("AUTO_INCREMENT") {
            raw.auto_increment = true;
        } else if p.eat_kws(&["SERIAL", "DEFAULT", "VALUE"]) {
            raw.nullable = false;
            raw.auto_increment = true;
            extras.unique = true;
        } else if p.eat_kw("UNIQUE") {
            p.eat_kw("KEY");
            extras.unique = true;
        } else if p.eat_kws(&["PRIMARY", "KEY"]) || p.eat_kw("KEY") {
            extras.primary = true;
        } else if p.eat_kw("COMMENT") {
            raw.comment = Some(p.string()?);
        } else if p.eat_kw("COLLATE") {
            p.eat_op("=");
            raw.collation = Some(collation_name(&p.value()?));
        } else if p.eat_kw("CHARSET") || p.eat_kws(&["CHARACTER", "SET"]) {
            p.eat_op("=");
            extras.charset = Some(p.value()?);
        } else if p.eat_kws(&["ON", "UPDATE"]) {
            let start = p.pos;
            p.pos += 1;
            if p.is(Kind::LParen) {
                p.pos = p.matching()? + 1;
            }
            if start >= p.tokens.len() {
                return p.error("expected ON UPDATE value");
            }
        } else if p.kw("GENERATED") || p.kw("AS") {
            if p.eat_kw("GENERATED") {
                p.expect_kw("ALWAYS")?;
            }
            p.expect_kw("AS")?;
            let expression = p.parenthesized_text()?;
            let stored = p.eat_kw("STORED") || p.eat_kw("PERSISTENT");
            if !stored {
                p.eat_kw("VIRTUAL");
            }
            raw.generated = Some((expression, stored));
        } else if p.kw("CONSTRAINT") || p.kw("CHECK") {
            let constraint = if p.eat_kw("CONSTRAINT") {
                Some(p.name()?)
            } else {
                None
            };
            p.expect_kw("CHECK")?;
            let expression = p.parenthesized_text()?;
            enforced(p);
            extras.check = Some((constraint, expression));
        } else if p.kw("REFERENCES") {
            extras.reference = Some(reference(p)?);
        } else if ignored_column_attribute(p) {
            // Nothing the Catalog records.
        } else if p.eat_kw("COLUMN_FORMAT")
            || p.eat_kw("STORAGE")
            || p.eat_kw("SRID")
            || p.eat_kw("ENGINE_ATTRIBUTE")
            || p.eat_kw("SECONDARY_ENGINE_ATTRIBUTE")
        {
            p.eat_op("=");
            p.value()?;
        } else {
            break;
        }
    }
    if matches!(ty.logical, carta_catalog::LogicalType::Json { .. }) {
        raw.collation = None;
        extras.charset = None;
    }
    Ok(Definition::Column(raw, extras))
}

/// Table options after the body of CREATE TABLE (or as ALTER TABLE clauses).
fn table_options(p: &mut Parser, state: &mut TableState, create: bool) -> PResult<()> {
    loop {
        let default = p.eat_kw("DEFAULT");
        if p.eat_kw("ENGINE") || p.eat_kw("TYPE") {
            p.eat_op("=");
            state
                .table
                .options
                .insert("engine".into(), p.value()?.to_ascii_lowercase());
        } else if p.eat_kw("CHARSET") || p.eat_kws(&["CHARACTER", "SET"]) {
            p.eat_op("=");
            state.collation = default_collation(&p.value()?);
        } else if p.eat_kw("COLLATE") {
            p.eat_op("=");
            state.collation = collation_name(&p.value()?);
        } else if default {
            return p.error("expected CHARSET or COLLATE after DEFAULT");
        } else if p.eat_kw("COMMENT") {
            p.eat_op("=");
            state.table.comment = Some(p.string()?).filter(|c| !c.is_empty());
        } else if p.eat_kws(&["WITH", "SYSTEM", "VERSIONING"]) {
            state
                .table
                .options
                .insert("system_versioned".into(), "true".into());
        } else if create && p.kw("PARTITION") {
            partition_clause(p, &mut state.table)?;
        } else if p
            .peek()
            .is_some_and(|t| t.kind == Kind::Word && is_table_option(&t.text))
        {
            p.pos += 1;
            p.skip_option_value()?;
        } else if create && p.is(Kind::Comma) {
            // Table options may be separated by commas.
            p.pos += 1;
        } else if create && !p.at_end() {
            return p.error("unexpected text after the table definition");
        } else {
            return Ok(());
        }
    }
}

fn is_table_option(word: &str) -> bool {
    [
        "AUTO_INCREMENT",
        "AVG_ROW_LENGTH",
        "CHECKSUM",
        "COMPRESSION",
        "CONNECTION",
        "DATA",
        "DELAY_KEY_WRITE",
        "ENCRYPTION",
        "ENCRYPTED",
        "ENCRYPTION_KEY_ID",
        "INDEX",
        "INSERT_METHOD",
        "KEY_BLOCK_SIZE",
        "MAX_ROWS",
        "MIN_ROWS",
        "PACK_KEYS",
        "PASSWORD",
        "ROW_FORMAT",
        "STATS_AUTO_RECALC",
        "STATS_PERSISTENT",
        "STATS_SAMPLE_PAGES",
        "TABLESPACE",
        "UNION",
        "PAGE_CHECKSUM",
        "PAGE_COMPRESSED",
        "PAGE_COMPRESSION_LEVEL",
        "TRANSACTIONAL",
        "IETF_QUOTES",
        "SEQUENCE",
        "ENGINE_ATTRIBUTE",
        "SECONDARY_ENGINE",
        "AUTOEXTEND_SIZE",
        "START",
    ]
    .iter()
    .any(|o| o.eq_ignore_ascii_case(word))
}

/// `PARTITION BY method (expr) [PARTITIONS n] [SUBPARTITION BY ...] [(PARTITION p ..., ...)]`.
fn partition_clause(p: &mut Parser, table: &mut Table) -> PResult<()> {
    p.expect_kw("PARTITION")?;
    p.expect_kw("BY")?;
    let (method, expression) = partition_method(p)?;
    let mut count = None;
    if p.eat_kw("PARTITIONS") {
        count = p.value()?.parse::<usize>().ok();
    }
    let mut sub = None;
    if p.eat_kws(&["SUBPARTITION", "BY"]) {
        sub = Some(partition_method(p)?);
        if p.eat_kw("SUBPARTITIONS") {
            p.value()?;
        }
    }
    let mut entries = Vec::new();
    if p.eat(Kind::LParen) {
        loop {
            p.expect_kw("PARTITION")?;
            let name = p.name()?;
            let mut description = None;
            if p.eat_kw("VALUES") {
                if p.eat_kws(&["LESS", "THAN"]) {
                    description = Some(if p.eat_kw("MAXVALUE") {
                        "MAXVALUE".to_string()
                    } else {
                        p.parenthesized_text()?
                    });
                } else {
                    p.expect_kw("IN")?;
                    description = Some(p.parenthesized_text()?);
                }
            }
            // Storage options and subpartition lists of each partition.
            while !p.at_end() && !p.is(Kind::Comma) && !p.is(Kind::RParen) {
                if p.is(Kind::LParen) {
                    p.pos = p.matching()? + 1;
                } else {
                    p.pos += 1;
                }
            }
            entries.push(partition_entry(&name, &method, description.as_deref()));
            if !p.eat(Kind::Comma) {
                break;
            }
        }
        p.expect(Kind::RParen, ")")?;
    } else if let Some(n) = count {
        entries = (0..n).map(|i| format!("p{i}")).collect();
    }
    table.kind = TableKind::PartitionedTable;
    let (sub_method, sub_expression) = match &sub {
        Some((m, e)) => (Some(m.as_str()), Some(e.as_str())),
        None => (None, None),
    };
    table.partition_key = Some(partition_key(
        &method,
        &expression,
        sub_method,
        sub_expression,
    ));
    if entries.is_empty() {
        table.options.remove("partitions");
    } else {
        table
            .options
            .insert("partitions".into(), entries.join(", "));
    }
    Ok(())
}

/// `RANGE (expr)`, `LIST COLUMNS (a, b)`, `LINEAR HASH (expr)`, `KEY ALGORITHM=2 (a)`:
/// the method as information_schema.PARTITIONS spells it and the expression.
fn partition_method(p: &mut Parser) -> PResult<(String, String)> {
    let mut method = Vec::new();
    if p.eat_kw("LINEAR") {
        method.push("LINEAR");
    }
    let base = if p.eat_kw("RANGE") {
        "RANGE"
    } else if p.eat_kw("LIST") {
        "LIST"
    } else if p.eat_kw("HASH") {
        "HASH"
    } else if p.eat_kw("KEY") {
        "KEY"
    } else if p.eat_kw("SYSTEM_TIME") {
        "SYSTEM_TIME"
    } else {
        return p.error("expected RANGE, LIST, HASH or KEY");
    };
    method.push(base);
    if p.eat_kw("COLUMNS") {
        method.push("COLUMNS");
    }
    if p.eat_kw("ALGORITHM") {
        p.skip_option_value()?;
    }
    let expression = if p.is(Kind::LParen) {
        p.parenthesized_text()?
    } else {
        String::new()
    };
    Ok((method.join(" "), expression))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_blocks_and_comments_split_correctly() {
        let text = "SET a=1;\n-- c;\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a=1; END ;;\nDELIMITER ;\nSELECT ';';";
        let statements: Vec<&str> = split_statements(text)
            .into_iter()
            .map(|(s, e)| text[s..e].trim())
            .collect();
        assert_eq!(statements.len(), 3, "{statements:?}");
        assert!(statements[1].ends_with("SET @a=1; END"), "{statements:?}");
        assert_eq!(statements[2], "SELECT ';'");
    }

    #[test]
    fn unnamed_objects_get_the_next_free_number() {
        let taken = vec![
            "t_ibfk_1".to_string(),
            "t_ibfk_3".to_string(),
            "other".to_string(),
        ];
        assert_eq!(next_name(&taken, "t_ibfk_"), "t_ibfk_4");
        assert_eq!(next_name(&[], "CONSTRAINT_"), "CONSTRAINT_1");
    }
}
