//! Template filters that make schema text safe in Markdown. Names and
//! comments come from databases and may hold `|`, backticks, `<`, line
//! breaks; GitHub must still render every table cell and code span.

use minijinja::Environment;

pub fn register(env: &mut Environment<'_>) {
    env.add_filter("text", text);
    env.add_filter("cell", cell);
    env.add_filter("code", code);
    env.add_filter("code_cell", code_cell);
    env.add_filter("fenced", fenced);
    env.add_filter("number", number);
    env.add_filter("count", count);
}

/// Prose: `<` and `>` are shown, not read as HTML. Line breaks are kept.
pub fn text(value: &str) -> String {
    value
        .trim()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Prose in a table cell: as [`text`], with `|` escaped and line breaks as `<br>`.
pub fn cell(value: &str) -> String {
    text(value)
        .replace('|', "\\|")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// An inline code span on one line, delimited by more backticks than it holds.
pub fn code(value: &str) -> String {
    let flat = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let ticks = "`".repeat(longest_run(&flat, '`') + 1);
    // A span that starts or ends with a backtick needs a space inside the delimiters.
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{flat}{pad}{ticks}")
}

/// A code span in a table cell: GitHub splits cells on `|` even inside code spans unless escaped.
pub fn code_cell(value: &str) -> String {
    code(value).replace('|', "\\|")
}

/// A fenced code block in `language`, fenced with more backticks than the text holds.
pub fn fenced(value: &str, language: &str) -> String {
    let ticks = "`".repeat(longest_run(value, '`').max(2) + 1);
    format!("{ticks}{language}\n{}\n{ticks}", value.trim_end())
}

/// An integer with thousands separators: `12,345`.
pub fn number(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0 {
        out.insert(0, '-');
    }
    out
}

/// A count and a noun: `1 | count("table")` is `1 table`, `2 | count("index", "indexes")` is `2 indexes`.
pub fn count(value: i64, singular: &str, plural: Option<&str>) -> String {
    let noun = match plural {
        _ if value == 1 => singular.to_string(),
        Some(plural) => plural.to_string(),
        None => format!("{singular}s"),
    };
    format!("{} {noun}", number(value))
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_line_breaks() {
        assert_eq!(cell("a | b\r\nc <d>"), "a \\| b<br>c &lt;d&gt;");
        assert_eq!(code_cell("a||b"), "`a\\|\\|b`");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("multi\n  line"), "`multi line`");
    }

    #[test]
    fn fences_outlast_the_text() {
        assert_eq!(fenced("select 1;\n", "sql"), "```sql\nselect 1;\n```");
        assert_eq!(fenced("a ```` b", "sql"), "`````sql\na ```` b\n`````");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1234567), "1,234,567");
        assert_eq!(number(-1000), "-1,000");
        assert_eq!(count(1, "table", None), "1 table");
        assert_eq!(count(1200, "table", None), "1,200 tables");
        assert_eq!(count(0, "index", Some("indexes")), "0 indexes");
    }
}
