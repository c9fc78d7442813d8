//! A lossless tokenizer for SQLite SQL text.
//!
//! It exists for what SQLite's catalog does not expose: constraint names,
//! CHECK and generated expressions, DEFERRABLE, collations and comments live
//! only in the stored `CREATE` text, and DDL files must be cut into
//! statements. Tokens are byte spans into the text, so every piece is taken
//! exactly as written. It follows SQLite's own lexical rules (`tokenize.c`):
//! bytes >= 0x80 are identifier characters, so every span starts and ends on
//! a character boundary. Unterminated strings, quoted names and block
//! comments run to the end of the text; nothing here can panic.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"name"`, `` `name` `` or `[name]`.
    Quoted,
    /// `'text'`.
    String,
    Number,
    /// Any other single character: `(`, `)`, `,`, `;`, `.`, operators.
    Punct,
    LineComment,
    BlockComment,
    Space,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text(self, src: &str) -> &str {
        &src[self.start..self.end]
    }

    /// Whitespace or a comment.
    pub fn is_trivia(self) -> bool {
        matches!(
            self.kind,
            Kind::Space | Kind::LineComment | Kind::BlockComment
        )
    }

    /// A bare word equal to `keyword`, ignoring ASCII case.
    pub fn is_word(self, src: &str, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(keyword)
    }

    pub fn is_punct(self, src: &str, ch: char) -> bool {
        self.kind == Kind::Punct && self.text(src).starts_with(ch)
    }

    /// The identifier this token names, with quotes removed and doubled quotes
    /// undone. SQLite also accepts a `'string'` where a name is expected.
    pub fn ident(self, src: &str) -> String {
        let text = self.text(src);
        match self.kind {
            Kind::Quoted | Kind::String => unquote(text),
            _ => text.to_string(),
        }
    }
}

fn unquote(text: &str) -> String {
    let Some(open) = text.chars().next() else {
        return String::new();
    };
    let close = if open == '[' { ']' } else { open };
    let inner = &text[open.len_utf8()..];
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    if open == '[' {
        inner.to_string()
    } else {
        let doubled: String = [close, close].iter().collect();
        inner.replace(&doubled, &close.to_string())
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Splits `src` into tokens covering every byte, in order.
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                {
                    i += 1;
                }
                Kind::Space
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                Kind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = match src[i + 2..].find("*/") {
                    Some(at) => i + 2 + at + 2,
                    None => bytes.len(),
                };
                Kind::BlockComment
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                Kind::String
            }
            b'"' | b'`' => {
                i = skip_quoted(bytes, i, b);
                Kind::Quoted
            }
            b'[' => {
                i = match src[i + 1..].find(']') {
                    Some(at) => i + 1 + at + 1,
                    None => bytes.len(),
                };
                Kind::Quoted
            }
            b'0'..=b'9' => {
                i = skip_number(bytes, i);
                Kind::Number
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = skip_number(bytes, i);
                Kind::Number
            }
            _ if is_ident_byte(b) => {
                while i < bytes.len() && is_ident_byte(bytes[i]) {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                i += 1;
                Kind::Punct
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// Past a quoted run starting at `start`, where a doubled quote is an escaped one.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
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

/// Past a numeric literal: digits, `.`, hex digits, and an exponent with its sign.
fn skip_number(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if (b == b'e' || b == b'E') && matches!(bytes.get(i + 1), Some(b'+' | b'-')) {
            i += 2;
        } else if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' {
            i += 1;
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn covers_every_byte_and_keeps_quotes_and_comments_whole() {
        let src = "CREATE TABLE \"a\"\"b\" ( x [weird name] -- note; here\n, 'it''s;' /* c; */ 1.5e-3 ) ;é";
        let tokens = tokenize(src);
        let joined: String = tokens.iter().map(|t| t.text(src)).collect();
        assert_eq!(joined, src);
        let significant: Vec<_> = kinds(src)
            .into_iter()
            .filter(|(k, _)| *k != Kind::Space)
            .collect();
        assert_eq!(
            significant,
            vec![
                (Kind::Word, "CREATE"),
                (Kind::Word, "TABLE"),
                (Kind::Quoted, "\"a\"\"b\""),
                (Kind::Punct, "("),
                (Kind::Word, "x"),
                (Kind::Quoted, "[weird name]"),
                (Kind::LineComment, "-- note; here"),
                (Kind::Punct, ","),
                (Kind::String, "'it''s;'"),
                (Kind::BlockComment, "/* c; */"),
                (Kind::Number, "1.5e-3"),
                (Kind::Punct, ")"),
                (Kind::Punct, ";"),
                (Kind::Word, "é"),
            ]
        );
        assert_eq!(tokens[4].ident(src), "a\"b");
    }

    #[test]
    fn unterminated_runs_end_at_the_end() {
        for src in ["'open", "\"open", "[open", "/* open", "`", "x'", "--"] {
            let tokens = tokenize(src);
            assert_eq!(tokens.last().map(|t| t.end), Some(src.len()), "{src}");
            for token in tokens {
                token.ident(src);
            }
        }
    }
}
