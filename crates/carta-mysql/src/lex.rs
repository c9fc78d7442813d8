//! A MySQL tokenizer shared by the DDL reader and the expression
//! canonicalizer. It never fails: anything it does not recognize becomes a
//! one-character operator token, so the parser reports it with a position.
//!
//! Comments are skipped. Conditional comments (`/*!40101 ... */`) keep their
//! inner text when the version applies to the server Carta simulates (see
//! [`MYSQL_VERSION`] and [`MARIADB_VERSION`]) and are dropped otherwise.

/// `/*!NNNNN ... */` applies when NNNNN is at most this: MySQL 8.0's feature
/// markers, all of which MariaDB 10.11 also executes.
pub(crate) const MYSQL_VERSION: u32 = 80099;
/// `/*M!NNNNNN ... */` (MariaDB-only markers) applies up to MariaDB 10.11.
pub(crate) const MARIADB_VERSION: u32 = 101199;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// A `backquoted` identifier; `text` is the name without quotes.
    Quoted,
    /// A string literal; `text` is its value.
    Str,
    Number,
    /// `x'..'`, `0x..`, `b'..'`, `0b..`: kept as written.
    Hex,
    /// `@var`, `@@var`.
    Variable,
    /// Operators and any other punctuation.
    Op,
    LParen,
    RParen,
    Comma,
    Dot,
    Semicolon,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
    /// Byte offsets in the text that was tokenized (plus the base offset given).
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// A bare word equal to `kw`, case-insensitively.
    pub fn is_kw(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    pub fn is_op(&self, op: &str) -> bool {
        self.kind == Kind::Op && self.text == op
    }

    /// A word or a backquoted name: something usable as an identifier.
    pub fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted)
    }
}

const MULTI_OPS: [&str; 13] = [
    "<=>", "->>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->", "==",
];

/// Tokens of `text`; offsets are shifted by `base`.
pub(crate) fn tokenize(text: &str, base: usize) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    // Inside an applicable conditional comment, its closing `*/` is skipped.
    let mut in_conditional = false;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let push = |tokens: &mut Vec<Token>, kind, text: String, end| {
            tokens.push(Token {
                kind,
                text,
                start: base + start,
                end: base + end,
            })
        };
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => i += 1,
            b'#' => i = line_end(bytes, i),
            b'-' if bytes.get(i + 1) == Some(&b'-')
                && bytes.get(i + 2).is_none_or(|b| b.is_ascii_whitespace()) =>
            {
                i = line_end(bytes, i)
            }
            b'*' if in_conditional && bytes.get(i + 1) == Some(&b'/') => {
                in_conditional = false;
                i += 2;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let (applies, body_start) = conditional_comment(bytes, i);
                match applies {
                    Some(true) => {
                        in_conditional = true;
                        i = body_start;
                    }
                    _ => i = comment_end(bytes, i + 2),
                }
            }
            b'\'' | b'"' => {
                let (value, end) = string_literal(text, i);
                push(&mut tokens, Kind::Str, value, end);
                i = end;
            }
            b'`' => {
                let (value, end) = quoted_identifier(text, i);
                push(&mut tokens, Kind::Quoted, value, end);
                i = end;
            }
            b'(' | b')' | b',' | b';' => {
                let kind = match c {
                    b'(' => Kind::LParen,
                    b')' => Kind::RParen,
                    b',' => Kind::Comma,
                    _ => Kind::Semicolon,
                };
                push(&mut tokens, kind, (c as char).to_string(), i + 1);
                i += 1;
            }
            b'.' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                push(&mut tokens, Kind::Dot, ".".into(), i + 1);
                i += 1;
            }
            b'@' => {
                let mut end = i + 1;
                if bytes.get(end) == Some(&b'@') {
                    end += 1;
                }
                while end < bytes.len() && is_word_byte(bytes[end]) || bytes.get(end) == Some(&b'.')
                {
                    end += 1;
                }
                push(&mut tokens, Kind::Variable, text[i..end].into(), end);
                i = end;
            }
            _ if (c == b'x' || c == b'X' || c == b'b' || c == b'B')
                && bytes.get(i + 1) == Some(&b'\'') =>
            {
                let end = text[i + 2..].find('\'').map_or(bytes.len(), |p| i + 3 + p);
                push(
                    &mut tokens,
                    Kind::Hex,
                    text[i..end].to_ascii_lowercase(),
                    end,
                );
                i = end;
            }
            _ if c == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'b')) && {
                bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            } =>
            {
                let mut end = i + 2;
                while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                    end += 1;
                }
                push(
                    &mut tokens,
                    Kind::Hex,
                    text[i..end].to_ascii_lowercase(),
                    end,
                );
                i = end;
            }
            _ if c.is_ascii_digit() || c == b'.' => {
                let end = number_end(bytes, i);
                // MySQL identifiers may start with digits (`1st_place`).
                if end < bytes.len() && is_word_byte(bytes[end]) {
                    let word_end = word_end(bytes, i);
                    push(&mut tokens, Kind::Word, text[i..word_end].into(), word_end);
                    i = word_end;
                } else {
                    push(
                        &mut tokens,
                        Kind::Number,
                        text[i..end].to_ascii_lowercase(),
                        end,
                    );
                    i = end;
                }
            }
            _ if is_word_byte(c) => {
                let end = word_end(bytes, i);
                push(&mut tokens, Kind::Word, text[i..end].into(), end);
                i = end;
            }
            _ => {
                let op = MULTI_OPS
                    .iter()
                    .find(|op| text[i..].starts_with(*op))
                    .map_or_else(|| char_at(text, i), |op| (*op).to_string());
                let end = i + op.len();
                push(&mut tokens, Kind::Op, op, end);
                i = end;
            }
        }
    }
    tokens
}

fn char_at(text: &str, i: usize) -> String {
    text[i..]
        .chars()
        .next()
        .map_or_else(String::new, String::from)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_word_byte(bytes[i]) {
        i += 1;
    }
    i
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
        i += 1;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p + 1)
}

/// End of a `/* ... */` comment whose body starts at `i`.
pub(crate) fn comment_end(bytes: &[u8], i: usize) -> usize {
    bytes[i.min(bytes.len())..]
        .windows(2)
        .position(|w| w == b"*/")
        .map_or(bytes.len(), |p| i + p + 2)
}

/// For a comment starting at `i`: `Some(applies)` and where its body starts
/// if it is a conditional comment, `None` for a plain comment.
pub(crate) fn conditional_comment(bytes: &[u8], i: usize) -> (Option<bool>, usize) {
    let (mariadb_only, mut j) = match (bytes.get(i + 2), bytes.get(i + 3)) {
        (Some(b'!'), _) => (false, i + 3),
        (Some(b'M'), Some(b'!')) => (true, i + 4),
        _ => return (None, i + 2),
    };
    let digits_start = j;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    let version = std::str::from_utf8(&bytes[digits_start..j])
        .ok()
        .and_then(|d| d.parse::<u32>().ok());
    let applies = match version {
        None => true,
        Some(v) if mariadb_only => v <= MARIADB_VERSION,
        Some(v) => v <= MYSQL_VERSION,
    };
    (Some(applies), j)
}

/// A string literal starting at `i` (quote `'` or `"`): its value and end.
/// Handles doubled quotes and backslash escapes (the default SQL mode).
pub(crate) fn string_literal(text: &str, i: usize) -> (String, usize) {
    let quote = text.as_bytes()[i] as char;
    let mut value = String::new();
    let mut chars = text[i + 1..].char_indices();
    while let Some((off, ch)) = chars.next() {
        if ch == quote {
            if text[i + 1 + off + 1..].starts_with(quote) {
                value.push(quote);
                chars.next();
                continue;
            }
            return (value, i + 1 + off + 1);
        }
        if ch == '\\' {
            match chars.next() {
                Some((_, e)) => match e {
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'r' => value.push('\r'),
                    '0' => value.push('\0'),
                    'Z' => value.push('\x1a'),
                    'b' => value.push('\x08'),
                    // `\%` and `\_` keep their backslash: they are LIKE escapes.
                    '%' | '_' => {
                        value.push('\\');
                        value.push(e);
                    }
                    other => value.push(other),
                },
                None => break,
            }
            continue;
        }
        value.push(ch);
    }
    (value, text.len())
}

fn quoted_identifier(text: &str, i: usize) -> (String, usize) {
    let mut value = String::new();
    let mut chars = text[i + 1..].char_indices();
    while let Some((off, ch)) = chars.next() {
        if ch == '`' {
            if text[i + 1 + off + 1..].starts_with('`') {
                value.push('`');
                chars.next();
                continue;
            }
            return (value, i + 1 + off + 1);
        }
        value.push(ch);
    }
    (value, text.len())
}

/// Quotes a string value the way MariaDB prints literals.
pub(crate) fn quote_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for ch in value.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            _ => out.push(ch),
        }
    }
    out.push('\'');
    out
}

/// Backquotes an identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        tokenize(text, 0)
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn strings_identifiers_and_operators() {
        assert_eq!(
            kinds("`a``b` <> 'it''s\\n' -- note\n>= 1.5e3"),
            vec![
                (Kind::Quoted, "a`b".into()),
                (Kind::Op, "<>".into()),
                (Kind::Str, "it's\n".into()),
                (Kind::Op, ">=".into()),
                (Kind::Number, "1.5e3".into()),
            ]
        );
    }

    #[test]
    fn conditional_comments_by_version() {
        let text = "/*!40101 SET x=1 */ /*!90000 DROP */ /*M!999999 sandbox */ /* plain */ y";
        let words: Vec<_> = tokenize(text, 0).into_iter().map(|t| t.text).collect();
        assert_eq!(words, ["SET", "x", "=", "1", "y"]);
    }

    #[test]
    fn offsets_are_shifted_by_base() {
        let tokens = tokenize("a b", 10);
        assert_eq!((tokens[1].start, tokens[1].end), (12, 13));
    }
}
