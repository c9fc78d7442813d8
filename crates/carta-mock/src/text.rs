//! Realistic text: what a column's name says it holds, rendered from the
//! built-in word lists and per-row random draws.

use crate::hash::{below, draw, mix, unit};
use crate::words::*;

/// Successive random numbers of one (stream, row).
pub(crate) struct Draws {
    stream: u64,
    row: u64,
    k: u64,
}

impl Draws {
    pub(crate) fn new(stream: u64, row: u64) -> Self {
        Draws { stream, row, k: 0 }
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.k += 1;
        draw(self.stream, self.row, self.k)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        below(self.next(), n)
    }

    pub(crate) fn unit(&mut self) -> f64 {
        unit(self.next())
    }

    /// An integer in `min..=max`.
    pub(crate) fn range(&mut self, min: i64, max: i64) -> i64 {
        if max <= min {
            return min;
        }
        let span = (max as i128 - min as i128 + 1) as u128;
        if span > u128::from(u64::MAX) {
            return self.next() as i64;
        }
        (min as i128 + i128::from(below(self.next(), span as u64))) as i64
    }

    pub(crate) fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }

    /// An index skewed towards the start of a list: earlier entries are more common.
    pub(crate) fn skewed_index(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// What a text column holds, decided once in `plan()` from its name, type and comment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TextKind {
    Email,
    FirstName,
    LastName,
    FullName,
    Username,
    Slug,
    Url,
    UrlPath,
    Domain,
    Ipv4,
    Phone,
    CountryCode {
        alpha3: bool,
    },
    CountryName,
    City,
    Street,
    PostalCode,
    Currency,
    Language,
    Locale,
    Timezone,
    /// One of a list (statuses, roles, plans, levels, methods, events...).
    Word(&'static [&'static str]),
    Title,
    Company,
    Sentence,
    Paragraph,
    Markdown,
    Sql,
    Version,
    /// Lower-case hex of this many characters (a hash or digest).
    Hex(u32),
    /// An opaque URL-safe token.
    Token,
    PasswordHash,
    Color,
    MimeType,
    FileName,
    FilePath,
    UserAgent,
    /// Upper-case letters and digits (`AB12`).
    Code,
    /// `prefix_` and random base-36, e.g. `agent_k3j9x2`.
    Identifier(String),
    ErrorMessage,
    /// One to three words: the fallback for free text.
    Phrase,
}

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Canonical base-36 (no leading zeros) of `n`.
pub(crate) fn push_base36(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 13];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = BASE36[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

fn push_lower(out: &mut String, word: &str) {
    out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
}

fn push_capitalized(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.push(first.to_ascii_uppercase());
        out.extend(chars);
    }
}

fn push_hex(out: &mut String, mut value: u64, digits: u32) {
    for _ in 0..digits {
        out.push(BASE36[(value >> 60) as usize] as char);
        value <<= 4;
    }
}

fn push_sentence(out: &mut String, d: &mut Draws) {
    let words = 5 + d.below(8);
    push_capitalized(out, d.pick(ADJECTIVES));
    for i in 1..words {
        out.push(' ');
        out.push_str(match i % 3 {
            1 => d.pick(WORDS),
            2 => d.pick(VERBS),
            _ => d.pick(ADJECTIVES),
        });
    }
    out.push(' ');
    out.push_str(d.pick(WORDS));
    out.push('.');
}

/// Renders one value of `kind` (not unique; see [`render_unique`]).
pub(crate) fn render(kind: &TextKind, d: &mut Draws, out: &mut String) {
    match kind {
        TextKind::Email => {
            push_lower(out, d.pick(FIRST_NAMES));
            out.push('.');
            push_lower(out, d.pick(LAST_NAMES));
            if d.below(3) == 0 {
                out.push_str(&d.below(100).to_string());
            }
            out.push('@');
            out.push_str(d.pick(DOMAINS));
        }
        TextKind::FirstName => out.push_str(d.pick(FIRST_NAMES)),
        TextKind::LastName => out.push_str(d.pick(LAST_NAMES)),
        TextKind::FullName => {
            out.push_str(d.pick(FIRST_NAMES));
            out.push(' ');
            out.push_str(d.pick(LAST_NAMES));
        }
        TextKind::Username => {
            push_lower(out, d.pick(FIRST_NAMES));
            out.push('_');
            push_lower(out, d.pick(LAST_NAMES));
        }
        TextKind::Slug => {
            out.push_str(d.pick(ADJECTIVES));
            out.push('-');
            out.push_str(d.pick(WORDS));
        }
        TextKind::Url => {
            out.push_str("https://");
            out.push_str(d.pick(WORDS));
            out.push('.');
            out.push_str(d.pick(TLDS));
            out.push('/');
            out.push_str(d.pick(WORDS));
            out.push('/');
            out.push_str(d.pick(WORDS));
        }
        TextKind::UrlPath => {
            out.push_str("/api/v");
            out.push_str(&(1 + d.below(2)).to_string());
            out.push('/');
            out.push_str(d.pick(WORDS));
            out.push('s');
        }
        TextKind::Domain => {
            out.push_str(d.pick(WORDS));
            out.push_str(d.pick(WORDS));
            out.push('.');
            out.push_str(d.pick(TLDS));
        }
        TextKind::Ipv4 => push_ipv4(out, d.next() as u32),
        TextKind::Phone => {
            out.push('+');
            out.push_str(["1", "44", "49", "33", "34", "351", "81", "55"][d.below(8) as usize]);
            out.push(' ');
            out.push_str(&format!(
                "{:03} {:03} {:04}",
                200 + d.below(800),
                d.below(1000),
                d.below(10_000)
            ));
        }
        TextKind::CountryCode { alpha3 } => {
            let country = COUNTRIES[d.skewed_index(COUNTRIES.len())];
            out.push_str(if *alpha3 { country.1 } else { country.0 });
        }
        TextKind::CountryName => out.push_str(COUNTRIES[d.skewed_index(COUNTRIES.len())].2),
        TextKind::City => out.push_str(d.pick(CITIES)),
        TextKind::Street => {
            out.push_str(&(1 + d.below(250)).to_string());
            out.push(' ');
            push_capitalized(out, d.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(["Street", "Avenue", "Road", "Lane", "Way"][d.below(5) as usize]);
        }
        TextKind::PostalCode => out.push_str(&format!("{:05}", d.below(100_000))),
        TextKind::Currency => out.push_str(CURRENCIES[d.skewed_index(CURRENCIES.len())]),
        TextKind::Language => out.push_str(LANGUAGES[d.skewed_index(LANGUAGES.len())]),
        TextKind::Locale => out.push_str(LOCALES[d.skewed_index(LOCALES.len())]),
        TextKind::Timezone => out.push_str(d.pick(TIMEZONES)),
        TextKind::Word(list) => out.push_str(list[d.skewed_index(list.len())]),
        TextKind::Title => {
            push_capitalized(out, d.pick(ADJECTIVES));
            out.push(' ');
            out.push_str(d.pick(WORDS));
            out.push(' ');
            out.push_str(d.pick(WORDS));
        }
        TextKind::Company => {
            if d.below(2) == 0 {
                out.push_str(d.pick(LAST_NAMES));
            } else {
                push_capitalized(out, d.pick(WORDS));
            }
            out.push(' ');
            out.push_str(d.pick(COMPANY_SUFFIXES));
        }
        TextKind::Sentence => push_sentence(out, d),
        TextKind::Paragraph => {
            for i in 0..2 + d.below(3) {
                if i > 0 {
                    out.push(' ');
                }
                push_sentence(out, d);
            }
        }
        TextKind::Markdown => {
            out.push_str("# ");
            render(&TextKind::Title, d, out);
            out.push_str("\n\n");
            render(&TextKind::Paragraph, d, out);
        }
        TextKind::Sql => {
            out.push_str("SELECT id, ");
            out.push_str(d.pick(WORDS));
            out.push_str("_id FROM ");
            out.push_str(d.pick(WORDS));
            out.push_str("s WHERE created_at > now() - interval '");
            out.push_str(&(1 + d.below(30)).to_string());
            out.push_str(" days'");
        }
        TextKind::Version => {
            out.push_str(&format!(
                "{}.{}.{}",
                d.skewed_index(5),
                d.below(20),
                d.below(10)
            ));
        }
        TextKind::Hex(len) => {
            let mut left = *len;
            while left > 0 {
                let digits = left.min(16);
                push_hex(out, d.next(), digits);
                left -= digits;
            }
        }
        TextKind::Token => push_token(out, d, 32),
        TextKind::PasswordHash => {
            out.push_str("$2b$12$");
            push_token(out, d, 53);
        }
        TextKind::Color => {
            out.push('#');
            push_hex(out, d.next(), 6);
        }
        TextKind::MimeType => out.push_str(d.pick(MIME_TYPES)),
        TextKind::FileName => {
            out.push_str(d.pick(WORDS));
            out.push('-');
            out.push_str(&d.below(1000).to_string());
            out.push('.');
            out.push_str(d.pick(FILE_EXTENSIONS));
        }
        TextKind::FilePath => {
            out.push_str("/data/");
            out.push_str(d.pick(WORDS));
            out.push('/');
            render(&TextKind::FileName, d, out);
        }
        TextKind::UserAgent => out.push_str(USER_AGENTS[d.skewed_index(USER_AGENTS.len())]),
        TextKind::Code => {
            for _ in 0..2 {
                out.push((b'A' + d.below(26) as u8) as char);
            }
            out.push_str(&format!("{:03}", d.below(1000)));
        }
        TextKind::Identifier(prefix) => {
            out.push_str(prefix);
            out.push('_');
            for _ in 0..8 {
                out.push(BASE36[d.below(36) as usize] as char);
            }
        }
        TextKind::ErrorMessage => {
            push_capitalized(out, d.pick(ERRORS));
        }
        TextKind::Phrase => {
            push_capitalized(out, d.pick(ADJECTIVES));
            for _ in 0..d.below(3) {
                out.push(' ');
                out.push_str(d.pick(WORDS));
            }
        }
    }
}

fn push_token(out: &mut String, d: &mut Draws, len: usize) {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u64;
    for i in 0..len {
        if i % 10 == 0 {
            bits = d.next();
        }
        out.push(ALPHABET[(bits & 63) as usize] as char);
        bits >>= 6;
    }
}

pub(crate) fn push_ipv4(out: &mut String, bits: u32) {
    let [a, b, c, d] = bits.to_be_bytes();
    let a = 1 + a % 223;
    out.push_str(&format!("{a}.{b}.{c}.{}", d.max(1)));
}

/// Renders a value of `kind` that is unique for `index`: a readable part
/// and the base-36 index after a separator the index never contains, so the
/// index can be read back (different indexes give different strings).
/// `max_len` in characters; the readable part is cut first.
pub(crate) fn render_unique(
    kind: &TextKind,
    index: u64,
    d: &mut Draws,
    max_len: Option<u32>,
    out: &mut String,
) {
    let mut readable = String::new();
    let (separator, suffix): (char, String) = match kind {
        TextKind::Email => {
            push_lower(&mut readable, d.pick(FIRST_NAMES));
            readable.push('.');
            push_lower(&mut readable, d.pick(LAST_NAMES));
            ('.', format!("@{}", d.pick(DOMAINS)))
        }
        TextKind::Domain => {
            readable.push_str(d.pick(WORDS));
            ('-', format!(".{}", d.pick(TLDS)))
        }
        TextKind::Version if max_len.is_none_or(|max| max >= 24) => {
            // The patch number is the index: `1.4.<index>` differs for every index.
            out.push_str(&format!("{}.{}.{index}", d.skewed_index(5), d.below(20)));
            return;
        }
        TextKind::Hex(len) if *len >= 16 && max_len.is_none_or(|max| max >= *len) => {
            // The first 16 digits are a bijection of the index; the rest is random.
            push_hex(out, mix(index ^ d.stream), 16);
            render(&TextKind::Hex(len - 16), d, out);
            return;
        }
        TextKind::Token | TextKind::PasswordHash | TextKind::Identifier(_) => {
            render(kind, d, &mut readable);
            ('_', String::new())
        }
        TextKind::Url
        | TextKind::UrlPath
        | TextKind::Slug
        | TextKind::FileName
        | TextKind::FilePath => {
            render(kind, d, &mut readable);
            ('-', String::new())
        }
        TextKind::Username => {
            render(kind, d, &mut readable);
            ('_', String::new())
        }
        _ => {
            render(kind, d, &mut readable);
            (' ', String::new())
        }
    };
    let mut tail = String::new();
    push_base36(&mut tail, index);
    let fixed = tail.len() + suffix.len();
    match max_len.map(|m| m as usize) {
        Some(max) if max < fixed => {
            // No room for the readable part or the suffix: the bare index.
            out.push_str(&tail);
        }
        Some(max) if max < fixed + 2 => {
            out.push_str(&tail);
            out.push_str(&suffix);
        }
        limit => {
            let room = limit.map_or(readable.len(), |max| max - fixed - 1);
            let cut = truncate_at_char(&readable, room).trim_end_matches(separator);
            if !cut.is_empty() {
                out.push_str(cut);
                out.push(separator);
            }
            out.push_str(&tail);
            out.push_str(&suffix);
        }
    }
}

/// The longest prefix of `text` with at most `max` characters (ASCII-safe cut).
pub(crate) fn truncate_at_char(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// How many distinct unique values fit in `max_len` characters (saturating).
pub(crate) fn unique_capacity(kind: &TextKind, max_len: Option<u32>) -> u64 {
    let Some(max) = max_len else {
        return u64::MAX;
    };
    if let TextKind::Hex(len) = kind {
        if *len >= 16 && max >= *len {
            return u64::MAX;
        }
    }
    36u64.checked_pow(max).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn unique_texts_are_unique_within_their_length() {
        for kind in [
            TextKind::Email,
            TextKind::Slug,
            TextKind::FullName,
            TextKind::Domain,
            TextKind::Hex(64),
            TextKind::Username,
        ] {
            for max in [None, Some(2), Some(6), Some(255)] {
                let n = unique_capacity(&kind, max).min(3000);
                let mut seen = HashSet::new();
                for i in 0..n {
                    let mut out = String::new();
                    render_unique(&kind, i, &mut Draws::new(9, i), max, &mut out);
                    if let Some(max) = max {
                        assert!(
                            out.chars().count() <= max as usize,
                            "{out} longer than {max}"
                        );
                    }
                    assert!(seen.insert(out.clone()), "{kind:?} {max:?}: {out} twice");
                }
            }
        }
    }

    #[test]
    fn base36_is_canonical() {
        let mut out = String::new();
        push_base36(&mut out, 36 * 36);
        assert_eq!(out, "100");
    }
}
