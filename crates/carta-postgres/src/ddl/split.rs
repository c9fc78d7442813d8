//! Cutting a DDL file into statements, with byte offsets into the file so
//! that warnings point at the right line and column.

/// One statement of a file: where it starts and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece<'a> {
    pub offset: usize,
    pub text: &'a str,
}

/// Blanks out psql meta-commands (`\restrict KEY`, `\connect db`, `\set`,
/// any line that starts with a backslash outside quotes and comments),
/// replacing them with spaces so offsets and line numbers stay as they were.
pub(super) fn strip_meta_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lexer = Lexer::new(text);
    let mut line_start = true;
    while let Some((start, end, kind)) = lexer.next_token() {
        if line_start && kind == Token::Backslash {
            // The meta-command runs to the end of the line; spaces keep byte offsets.
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            out.extend(std::iter::repeat_n(' ', line_end - start));
            lexer.position = line_end;
            line_start = false;
            continue;
        }
        let token = &text[start..end];
        out.push_str(token);
        line_start = kind == Token::Space && (line_start || token.contains('\n'));
    }
    out
}

/// Splits text into statements at top-level semicolons, respecting quotes,
/// dollar quotes and comments. Used where the real scanner gives up (an
/// unterminated quote, say), so every statement before the damage is read.
pub(super) fn fallback_split(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut lexer = Lexer::new(text);
    let mut start = None;
    let mut depth: usize = 0;
    while let Some((token_start, _, kind)) = lexer.next_token() {
        match kind {
            Token::Space | Token::LineComment | Token::BlockComment => continue,
            Token::Semicolon if depth == 0 => {
                if let Some(s) = start.take() {
                    pieces.push(Piece {
                        offset: s,
                        text: text[s..token_start].trim_end(),
                    });
                }
                continue;
            }
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        start.get_or_insert(token_start);
    }
    if let Some(s) = start {
        pieces.push(Piece {
            offset: s,
            text: &text[s..],
        });
    }
    pieces
}

/// The offset of the first character of `text` that is neither white space nor a comment.
pub(super) fn first_token(text: &str) -> usize {
    let mut lexer = Lexer::new(text);
    while let Some((start, _, kind)) = lexer.next_token() {
        if !matches!(
            kind,
            Token::Space | Token::LineComment | Token::BlockComment
        ) {
            return start;
        }
    }
    text.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Space,
    LineComment,
    BlockComment,
    Quoted,
    Semicolon,
    Open,
    Close,
    Backslash,
    Other,
}

/// A small SQL lexer: just enough to know what is inside a string, a
/// quoted identifier, a dollar-quoted body or a comment. Unterminated
/// constructs run to the end of the text.
struct Lexer<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer { text, position: 0 }
    }

    fn next_token(&mut self) -> Option<(usize, usize, Token)> {
        let start = self.position;
        let rest = &self.text[start..];
        let first = rest.chars().next()?;
        let (len, kind) = match first {
            c if c.is_whitespace() => (
                rest.find(|c: char| !c.is_whitespace())
                    .unwrap_or(rest.len()),
                Token::Space,
            ),
            '-' if rest.starts_with("--") => {
                (rest.find('\n').unwrap_or(rest.len()), Token::LineComment)
            }
            '/' if rest.starts_with("/*") => (block_comment_len(rest), Token::BlockComment),
            '\'' => (
                quoted_len(rest, '\'', rest_is_escape_string(self.text, start)),
                Token::Quoted,
            ),
            '"' => (quoted_len(rest, '"', false), Token::Quoted),
            '$' => match dollar_tag(rest) {
                Some(tag) => {
                    let body_start = tag.len();
                    let len = rest[body_start..]
                        .find(tag)
                        .map_or(rest.len(), |i| body_start + i + tag.len());
                    (len, Token::Quoted)
                }
                None => (1, Token::Other),
            },
            ';' => (1, Token::Semicolon),
            '(' => (1, Token::Open),
            ')' => (1, Token::Close),
            '\\' => (1, Token::Backslash),
            c if c.is_alphanumeric() || c == '_' => (
                rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(rest.len()),
                Token::Other,
            ),
            c => (c.len_utf8(), Token::Other),
        };
        self.position = start + len.max(1).min(rest.len());
        Some((start, self.position, kind))
    }
}

/// `E'...'` strings treat backslash as an escape character.
fn rest_is_escape_string(text: &str, quote_at: usize) -> bool {
    let before = &text[..quote_at];
    before.ends_with(['E', 'e'])
        && !before[..before.len() - 1]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn quoted_len(rest: &str, quote: char, backslash_escapes: bool) -> usize {
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if backslash_escapes && c == '\\' {
            chars.next();
        } else if c == quote {
            // A doubled quote is an escaped quote, not the end.
            if rest[i + 1..].starts_with(quote) {
                chars.next();
            } else {
                return i + 1;
            }
        }
    }
    rest.len()
}

fn block_comment_len(rest: &str) -> usize {
    // Block comments nest in PostgreSQL.
    let mut depth = 0usize;
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// `$tag$` at the start of `rest`, if it opens a dollar quote.
fn dollar_tag(rest: &str) -> Option<&str> {
    let end = rest[1..].find('$')? + 1;
    let tag = &rest[1..end];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_alphabetic() || (i > 0 && c.is_ascii_digit()));
    valid.then(|| &rest[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_commands_become_spaces() {
        let text = "\\restrict abc\nSET x = 1;\n  \\connect db\nSELECT '\n\\not';\n";
        let stripped = strip_meta_commands(text);
        assert_eq!(stripped.len(), text.len());
        assert_eq!(stripped.lines().next(), Some("             "));
        assert!(stripped.contains("\n\\not'"));
        assert!(!stripped.contains("connect"));
    }

    #[test]
    fn fallback_respects_quotes_and_bodies() {
        let text = "CREATE FUNCTION f() AS $x$ a; b $x$; SELECT 'a;b'; /* ; */ SELECT \"c;\"; SELECT 'open";
        let pieces: Vec<_> = fallback_split(text).iter().map(|p| p.text).collect();
        assert_eq!(
            pieces,
            [
                "CREATE FUNCTION f() AS $x$ a; b $x$",
                "SELECT 'a;b'",
                "SELECT \"c;\"",
                "SELECT 'open"
            ]
        );
    }
}
