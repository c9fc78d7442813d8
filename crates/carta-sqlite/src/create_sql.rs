//! What only the stored `CREATE` text knows.
//!
//! SQLite's pragmas give columns, keys, foreign-key targets and actions, and
//! index columns, but not constraint names, CHECK and generated expressions,
//! DEFERRABLE, declared collations, view queries, trigger clauses, index
//! expressions and predicates, or comments. Those are read here from
//! `sqlite_schema.sql`, the statement text exactly as it was written.
//!
//! SQLite has already accepted this text, so the parsers follow its grammar
//! but stay lenient: anything unexpected is skipped, never a panic or an
//! error, and the pragmas stay the authority for everything they expose.

use crate::tokens::{tokenize, Kind, Token};
use carta_catalog::{CheckConstraint, TriggerEvent, TriggerTiming};

/// What a `CREATE TABLE` text adds to the pragmas.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct TableText {
    /// The `--` comment on the line of the opening parenthesis.
    pub comment: Option<String>,
    pub columns: Vec<ColumnText>,
    pub primary_key: Option<NamedText>,
    /// `INTEGER PRIMARY KEY AUTOINCREMENT`.
    pub autoincrement: bool,
    pub uniques: Vec<UniqueText>,
    pub checks: Vec<CheckConstraint>,
    pub foreign_keys: Vec<ForeignKeyText>,
    /// The module of a `CREATE VIRTUAL TABLE ... USING module(...)`.
    pub module: Option<String>,
}

impl TableText {
    pub fn column(&self, name: &str) -> Option<&ColumnText> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ColumnText {
    pub name: String,
    pub collation: Option<String>,
    /// The expression of `[GENERATED ALWAYS] AS (expression)`.
    pub generated: Option<String>,
    /// The `--` comment on the same line after the definition.
    pub comment: Option<String>,
}

/// The name and comment of a constraint whose other facts come from pragmas.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct NamedText {
    pub name: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UniqueText {
    pub named: NamedText,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignKeyText {
    pub named: NamedText,
    pub columns: Vec<String>,
    pub referenced_table: String,
    pub deferrable: bool,
    pub initially_deferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TriggerText {
    pub timing: TriggerTiming,
    pub events: Vec<TriggerEvent>,
    pub update_columns: Vec<String>,
    pub when: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct IndexText {
    /// Each key as written, without its `COLLATE` and `ASC`/`DESC`.
    pub keys: Vec<String>,
    pub predicate: Option<String>,
}

/// The significant tokens of one statement, with the trivia kept for comments.
struct Statement<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    /// Indexes into `tokens` of the tokens that are not whitespace or comments.
    significant: Vec<usize>,
}

impl<'a> Statement<'a> {
    fn new(src: &'a str) -> Self {
        let tokens = tokenize(src);
        let significant = (0..tokens.len())
            .filter(|&i| !tokens[i].is_trivia())
            .collect();
        Statement {
            src,
            tokens,
            significant,
        }
    }

    fn len(&self) -> usize {
        self.significant.len()
    }

    fn token(&self, i: usize) -> Option<Token> {
        self.significant.get(i).map(|&t| self.tokens[t])
    }

    fn is_word(&self, i: usize, keyword: &str) -> bool {
        self.token(i).is_some_and(|t| t.is_word(self.src, keyword))
    }

    fn is_punct(&self, i: usize, ch: char) -> bool {
        self.token(i).is_some_and(|t| t.is_punct(self.src, ch))
    }

    fn upper_word(&self, i: usize) -> Option<String> {
        self.token(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text(self.src).to_ascii_uppercase())
    }

    fn ident(&self, i: usize) -> Option<String> {
        self.token(i).map(|t| t.ident(self.src))
    }

    /// The index of the `)` closing the `(` at `open`, or the end when unbalanced.
    fn close_of(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for i in open..self.len() {
            if self.is_punct(i, '(') {
                depth += 1;
            } else if self.is_punct(i, ')') {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
        }
        self.len()
    }

    /// The first token at parenthesis depth 0 in `from..to` that satisfies `pred`.
    fn find_top_level(
        &self,
        from: usize,
        to: usize,
        pred: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let mut i = from;
        while i < to.min(self.len()) {
            if pred(i) {
                return Some(i);
            }
            i = if self.is_punct(i, '(') {
                self.close_of(i) + 1
            } else {
                i + 1
            };
        }
        None
    }

    /// The text from the start of token `from` to the end of token `last`, inclusive.
    fn span(&self, from: usize, last: usize) -> String {
        match (self.token(from), self.token(last)) {
            (Some(a), Some(b)) if a.start <= b.end => self.src[a.start..b.end].to_string(),
            _ => String::new(),
        }
    }

    /// The text strictly between tokens `open` and `close` (or to the end), trimmed.
    fn between(&self, open: usize, close: usize) -> String {
        let Some(start) = self.token(open).map(|t| t.end) else {
            return String::new();
        };
        let end = self.token(close).map_or(self.src.len(), |t| t.start);
        self.src[start..end.max(start)].trim().to_string()
    }

    /// Text from the end of token `i` to the end of the statement, trimmed,
    /// without a trailing `;`.
    fn rest_after(&self, i: usize) -> String {
        let start = self.token(i).map_or(self.src.len(), |t| t.end);
        let rest = self.src[start..].trim();
        rest.strip_suffix(';')
            .unwrap_or(rest)
            .trim_end()
            .to_string()
    }

    /// The comma-separated items at depth 0 in `from..to`, as `(first, end)` ranges.
    fn items(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let to = to.min(self.len());
        let mut items = Vec::new();
        let mut start = from;
        let mut i = from;
        while i < to {
            if self.is_punct(i, '(') {
                i = self.close_of(i) + 1;
                continue;
            }
            if self.is_punct(i, ',') {
                if start < i {
                    items.push((start, i));
                }
                start = i + 1;
            }
            i += 1;
        }
        if start < to {
            items.push((start, to));
        }
        items
    }

    /// The `--` comment that follows significant token `i` on the same line,
    /// after at most one comma: `a INT, -- here` or `a INT -- here`.
    fn comment_after(&self, i: usize) -> Option<String> {
        let &at = self.significant.get(i)?;
        let mut seen_comma = false;
        for token in &self.tokens[at + 1..] {
            let text = token.text(self.src);
            match token.kind {
                Kind::Space if !text.contains('\n') => {}
                Kind::Punct if text == "," && !seen_comma => seen_comma = true,
                Kind::LineComment => {
                    let comment = text.trim_start_matches('-').trim();
                    return (!comment.is_empty()).then(|| comment.to_string());
                }
                _ => return None,
            }
        }
        None
    }

    /// The first identifier of each item in the parenthesized list at `open`.
    fn name_list(&self, open: usize) -> (Vec<String>, usize) {
        let close = self.close_of(open);
        let names = self
            .items(open + 1, close)
            .into_iter()
            .filter_map(|(first, _)| self.ident(first))
            .collect();
        (names, close)
    }
}

/// Parses a `CREATE TABLE` or `CREATE VIRTUAL TABLE` text.
pub(crate) fn parse_table(sql: &str) -> TableText {
    let st = Statement::new(sql);
    let mut table = TableText::default();
    let Some(open) = st.find_top_level(0, st.len(), |i| st.is_punct(i, '(')) else {
        return table;
    };
    if st.is_word(1, "VIRTUAL") {
        table.module = st
            .find_top_level(0, open, |i| st.is_word(i, "USING"))
            .and_then(|using| st.ident(using + 1));
        return table;
    }
    table.comment = st.comment_after(open);
    let close = st.close_of(open);
    for (first, end) in st.items(open + 1, close) {
        let comment = st.comment_after(end - 1);
        let is_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|k| st.is_word(first, k));
        if is_constraint {
            table_constraint(&st, first, end, comment, &mut table);
        } else {
            column_definition(&st, first, end, comment, &mut table);
        }
    }
    table
}

fn column_definition(
    st: &Statement,
    first: usize,
    end: usize,
    comment: Option<String>,
    table: &mut TableText,
) {
    let Some(name) = st.ident(first) else {
        return;
    };
    let mut column = ColumnText {
        name: name.clone(),
        comment,
        ..ColumnText::default()
    };
    let mut pending_name: Option<String> = None;
    let mut i = first + 1;
    while i < end {
        if st.is_punct(i, '(') {
            // The type's arguments, as in VARCHAR(255).
            i = st.close_of(i) + 1;
            continue;
        }
        let Some(word) = st.upper_word(i) else {
            i += 1;
            continue;
        };
        let named = |pending: &mut Option<String>| NamedText {
            name: pending.take(),
            comment: None,
        };
        match word.as_str() {
            "CONSTRAINT" => {
                pending_name = st.ident(i + 1);
                i += 2;
                continue;
            }
            "PRIMARY" => table.primary_key = Some(named(&mut pending_name)),
            "AUTOINCREMENT" => table.autoincrement = true,
            "UNIQUE" => table.uniques.push(UniqueText {
                named: named(&mut pending_name),
                columns: vec![name.clone()],
            }),
            "CHECK" if st.is_punct(i + 1, '(') => {
                let close = st.close_of(i + 1);
                table.checks.push(CheckConstraint {
                    name: pending_name.take(),
                    expression: st.between(i + 1, close),
                    comment: None,
                });
                i = close + 1;
                continue;
            }
            "COLLATE" => {
                column.collation = st.ident(i + 1);
                pending_name = None;
                i += 2;
                continue;
            }
            "REFERENCES" => {
                let (mut fk, next) = references(st, i + 1, end);
                fk.named = named(&mut pending_name);
                fk.columns = vec![name.clone()];
                table.foreign_keys.push(fk);
                i = next;
                continue;
            }
            "AS" if st.is_punct(i + 1, '(') => {
                let close = st.close_of(i + 1);
                column.generated = Some(st.between(i + 1, close));
                pending_name = None;
                i = close + 1;
                continue;
            }
            "DEFAULT" => {
                pending_name = None;
                i = past_default(st, i + 1);
                continue;
            }
            "NOT" | "NULL" | "GENERATED" => pending_name = None,
            _ => {}
        }
        i += 1;
    }
    table.columns.push(column);
}

/// Past the value of a `DEFAULT` starting at `i`: `(expr)`, a signed number or one literal.
fn past_default(st: &Statement, i: usize) -> usize {
    if st.is_punct(i, '(') {
        st.close_of(i) + 1
    } else if st.is_punct(i, '-') || st.is_punct(i, '+') {
        i + 2
    } else {
        i + 1
    }
}

fn table_constraint(
    st: &Statement,
    first: usize,
    end: usize,
    comment: Option<String>,
    table: &mut TableText,
) {
    let mut name = None;
    let mut i = first;
    if st.is_word(i, "CONSTRAINT") {
        name = st.ident(i + 1);
        i += 2;
    }
    let named = NamedText { name, comment };
    let open = st.find_top_level(i, end, |j| st.is_punct(j, '('));
    match (st.upper_word(i).as_deref(), open) {
        (Some("PRIMARY"), _) => table.primary_key = Some(named),
        (Some("UNIQUE"), Some(open)) => {
            let (columns, _) = st.name_list(open);
            table.uniques.push(UniqueText { named, columns });
        }
        (Some("CHECK"), Some(open)) => table.checks.push(CheckConstraint {
            name: named.name,
            expression: st.between(open, st.close_of(open)),
            comment: named.comment,
        }),
        (Some("FOREIGN"), Some(open)) => {
            let (columns, close) = st.name_list(open);
            if st.is_word(close + 1, "REFERENCES") {
                let (mut fk, _) = references(st, close + 2, end);
                fk.named = named;
                fk.columns = columns;
                table.foreign_keys.push(fk);
            }
        }
        _ => {}
    }
}

/// Reads a `REFERENCES` clause from its table name at `i`; returns it and the
/// index past it. Actions come from `pragma_foreign_key_list` and SQLite
/// ignores MATCH; only the target (to pair it with the pragma's row) and
/// DEFERRABLE are kept.
fn references(st: &Statement, mut i: usize, end: usize) -> (ForeignKeyText, usize) {
    let mut fk = ForeignKeyText {
        named: NamedText::default(),
        columns: Vec::new(),
        referenced_table: st.ident(i).unwrap_or_default(),
        deferrable: false,
        initially_deferred: false,
    };
    i += 1;
    if st.is_punct(i, '(') {
        i = st.close_of(i) + 1;
    }
    while i < end {
        match st.upper_word(i).as_deref() {
            // ON DELETE|UPDATE action, where SET NULL, SET DEFAULT and NO ACTION are two words.
            Some("ON") => {
                let two_words = st.is_word(i + 2, "SET") || st.is_word(i + 2, "NO");
                i += if two_words { 4 } else { 3 };
            }
            Some("MATCH") => i += 2,
            Some("NOT") if st.is_word(i + 1, "DEFERRABLE") => {
                fk.deferrable = false;
                i += 2;
            }
            Some("DEFERRABLE") => {
                fk.deferrable = true;
                i += 1;
            }
            Some("INITIALLY") => {
                fk.initially_deferred = st.is_word(i + 1, "DEFERRED");
                i += 2;
            }
            _ => break,
        }
    }
    // SQLite defers only `DEFERRABLE INITIALLY DEFERRED`.
    fk.initially_deferred &= fk.deferrable;
    (fk, i)
}

/// The query of a `CREATE VIEW name [(columns)] AS query` text.
pub(crate) fn parse_view(sql: &str) -> Option<String> {
    let st = Statement::new(sql);
    let view = st.find_top_level(0, st.len(), |i| st.is_word(i, "VIEW"))?;
    let as_keyword = st.find_top_level(view + 2, st.len(), |i| st.is_word(i, "AS"))?;
    Some(st.rest_after(as_keyword))
}

/// Parses a `CREATE TRIGGER` text.
pub(crate) fn parse_trigger(sql: &str) -> Option<TriggerText> {
    let st = Statement::new(sql);
    let mut i = st.find_top_level(0, st.len(), |i| st.is_word(i, "TRIGGER"))? + 1;
    if st.is_word(i, "IF") {
        i += 3;
    }
    i += if st.is_punct(i + 1, '.') { 3 } else { 1 };
    let timing = match st.upper_word(i).as_deref() {
        Some("BEFORE") => {
            i += 1;
            TriggerTiming::Before
        }
        Some("AFTER") => {
            i += 1;
            TriggerTiming::After
        }
        Some("INSTEAD") => {
            i += 2;
            TriggerTiming::InsteadOf
        }
        // SQLite's default timing.
        _ => TriggerTiming::Before,
    };
    let event = match st.upper_word(i).as_deref() {
        Some("INSERT") => TriggerEvent::Insert,
        Some("UPDATE") => TriggerEvent::Update,
        Some("DELETE") => TriggerEvent::Delete,
        _ => return None,
    };
    let on = st.find_top_level(i + 1, st.len(), |j| st.is_word(j, "ON"))?;
    let update_columns = if event == TriggerEvent::Update && st.is_word(i + 1, "OF") {
        st.items(i + 2, on)
            .into_iter()
            .filter_map(|(first, _)| st.ident(first))
            .collect()
    } else {
        Vec::new()
    };
    let begin = st.find_top_level(on + 1, st.len(), |j| st.is_word(j, "BEGIN"));
    let when = st
        .find_top_level(on + 1, begin.unwrap_or(st.len()), |j| st.is_word(j, "WHEN"))
        .map(|when| st.between(when, begin.unwrap_or(st.len())));
    let body = begin.map(|begin| {
        let last = st.len() - 1;
        if st.is_word(last, "END") && last > begin {
            st.between(begin, last)
        } else {
            st.rest_after(begin)
        }
    });
    Some(TriggerText {
        timing,
        events: vec![event],
        update_columns,
        when,
        body,
    })
}

/// Parses a `CREATE [UNIQUE] INDEX name ON table (keys) [WHERE predicate]` text.
pub(crate) fn parse_index(sql: &str) -> IndexText {
    let st = Statement::new(sql);
    let mut index = IndexText::default();
    let Some(mut i) = st.find_top_level(0, st.len(), |i| st.is_word(i, "INDEX")) else {
        return index;
    };
    i += 1;
    if st.is_word(i, "IF") {
        i += 3;
    }
    i += if st.is_punct(i + 1, '.') { 3 } else { 1 };
    let Some(open) = st.find_top_level(i, st.len(), |j| st.is_punct(j, '(')) else {
        return index;
    };
    let close = st.close_of(open);
    for (first, end) in st.items(open + 1, close) {
        let mut last = end - 1;
        if last > first && (st.is_word(last, "ASC") || st.is_word(last, "DESC")) {
            last -= 1;
        }
        if last > first + 1 && st.is_word(last - 1, "COLLATE") {
            last -= 2;
        }
        index.keys.push(st.span(first, last));
    }
    if st.is_word(close + 1, "WHERE") {
        index.predicate = Some(st.rest_after(close + 1));
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_text_gives_names_expressions_and_comments() {
        let table = parse_table(
            "CREATE TABLE \"Users\" ( -- People who sign in\n\
             id INTEGER CONSTRAINT pk_users PRIMARY KEY AUTOINCREMENT, -- surrogate key\n\
             email TEXT NOT NULL COLLATE NOCASE CONSTRAINT uq_email UNIQUE CHECK (email LIKE '%@%'),\n\
             total NUMERIC(10, 2) DEFAULT (0) CHECK (total >= 0) -- in cents, really\n\
             , org INT REFERENCES orgs ON DELETE SET DEFAULT DEFERRABLE INITIALLY DEFERRED NOT NULL,\n\
             up TEXT GENERATED ALWAYS AS (upper(email)) STORED,\n\
             CONSTRAINT ck_pair CHECK (id <> org), -- never self\n\
             FOREIGN KEY (org, id) REFERENCES orgs (id, x) MATCH FULL NOT DEFERRABLE,\n\
             UNIQUE (\"org\", email COLLATE BINARY DESC)\n)",
        );
        assert_eq!(table.comment.as_deref(), Some("People who sign in"));
        let comments: Vec<_> = table.columns.iter().map(|c| c.comment.as_deref()).collect();
        assert_eq!(
            comments,
            [
                Some("surrogate key"),
                None,
                Some("in cents, really"),
                None,
                None
            ]
        );
        assert_eq!(
            table.primary_key.as_ref().and_then(|p| p.name.as_deref()),
            Some("pk_users")
        );
        assert!(table.autoincrement);
        assert_eq!(
            table.column("EMAIL").and_then(|c| c.collation.as_deref()),
            Some("NOCASE")
        );
        assert_eq!(
            table.column("up").and_then(|c| c.generated.as_deref()),
            Some("upper(email)")
        );
        let checks: Vec<_> = table
            .checks
            .iter()
            .map(|c| {
                (
                    c.name.as_deref(),
                    c.expression.as_str(),
                    c.comment.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            checks,
            [
                (None, "email LIKE '%@%'", None),
                (None, "total >= 0", None),
                (Some("ck_pair"), "id <> org", Some("never self")),
            ]
        );
        let uniques: Vec<_> = table
            .uniques
            .iter()
            .map(|u| (u.named.name.as_deref(), u.columns.clone()))
            .collect();
        assert_eq!(
            uniques,
            [
                (Some("uq_email"), vec!["email".to_string()]),
                (None, vec!["org".to_string(), "email".to_string()]),
            ]
        );
        let fks: Vec<_> = table
            .foreign_keys
            .iter()
            .map(|f| {
                (
                    f.columns.clone(),
                    f.referenced_table.as_str(),
                    f.deferrable,
                    f.initially_deferred,
                )
            })
            .collect();
        assert_eq!(
            fks,
            [
                (vec!["org".to_string()], "orgs", true, true),
                (
                    vec!["org".to_string(), "id".to_string()],
                    "orgs",
                    false,
                    false
                ),
            ]
        );
    }

    #[test]
    fn comments_follow_the_last_line_of_a_definition_only() {
        let table = parse_table(
            "CREATE TABLE accounts (\n\
             -- about id, or about the table?\n\
             id INTEGER PRIMARY KEY,\n\
             email TEXT NOT NULL\n        CHECK (email LIKE '%@%'), -- must look right\n\
             CONSTRAINT one_email UNIQUE (email) -- per person\n)",
        );
        assert_eq!(table.comment, None);
        let comments: Vec<_> = table.columns.iter().map(|c| c.comment.as_deref()).collect();
        assert_eq!(comments, [None, Some("must look right")]);
        assert_eq!(
            table.uniques[0].named.comment.as_deref(),
            Some("per person")
        );
    }

    #[test]
    fn views_triggers_and_indexes() {
        assert_eq!(
            parse_view("CREATE VIEW v (a, b) AS SELECT 1 AS a, 2 AS b").as_deref(),
            Some("SELECT 1 AS a, 2 AS b")
        );
        let trigger = parse_trigger(
            "CREATE TRIGGER t AFTER UPDATE OF a, \"B\" ON x FOR EACH ROW WHEN new.a > (SELECT 1) \
             BEGIN UPDATE x SET c = CASE WHEN 1 THEN 2 END; END",
        )
        .unwrap();
        assert_eq!(trigger.timing, TriggerTiming::After);
        assert_eq!(trigger.update_columns, ["a", "B"]);
        assert_eq!(trigger.when.as_deref(), Some("new.a > (SELECT 1)"));
        assert_eq!(
            trigger.body.as_deref(),
            Some("UPDATE x SET c = CASE WHEN 1 THEN 2 END;")
        );
        let index = parse_index("CREATE INDEX i ON t (lower(a) COLLATE NOCASE DESC, b, (a + b) ASC) WHERE a IS NOT NULL");
        assert_eq!(index.keys, ["lower(a)", "b", "(a + b)"]);
        assert_eq!(index.predicate.as_deref(), Some("a IS NOT NULL"));
    }

    #[test]
    fn odd_text_never_panics() {
        for sql in [
            "",
            "CREATE",
            "CREATE TABLE",
            "CREATE TABLE t (",
            "CREATE TABLE t (a CHECK (",
            ")))",
            "CREATE TRIGGER",
            "CREATE INDEX i ON t (",
            "CREATE VIEW v AS",
            "CREATE TABLE t (CONSTRAINT",
            "CREATE TABLE t (a REFERENCES",
        ] {
            parse_table(sql);
            parse_view(sql);
            parse_trigger(sql);
            parse_index(sql);
        }
    }
}
