//! Small, quote-aware scans over SQL the server printed (`pg_get_indexdef`,
//! `pg_get_triggerdef`). The server quotes string literals with `'...'`
//! (doubling inner quotes; the session runs with
//! `standard_conforming_strings = on`, so backslashes are plain) and
//! identifiers with `"..."`, so a doubled quote simply closes and reopens
//! the quoted run and needs no special case.

/// Byte offsets of the characters that are outside any quoted literal or
/// identifier, with the character.
fn unquoted(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    text.char_indices().filter(move |&(_, ch)| match quote {
        Some(open) => {
            if ch == open {
                quote = None;
            }
            false
        }
        None if ch == '\'' || ch == '"' => {
            quote = Some(ch);
            false
        }
        None => true,
    })
}

/// The offset of the parenthesis that closes the one at `open`.
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, ch) in unquoted(&text[open..]) {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `pg_get_indexdef` wraps an index expression that is not a plain function
/// call in one pair of parentheses (`(a + b)`), the way `CREATE INDEX` needs
/// it; the Catalog stores the bare expression.
pub(super) fn strip_index_parens(expression: &str) -> &str {
    let trimmed = expression.trim();
    if trimmed.starts_with('(') && closing_paren(trimmed, 0) == Some(trimmed.len() - 1) {
        trimmed[1..trimmed.len() - 1].trim()
    } else {
        trimmed
    }
}

/// The condition of a trigger's `WHEN (...)` clause, taken from
/// `pg_get_triggerdef` (the catalog keeps it only as a node tree whose
/// `OLD`/`NEW` references `pg_get_expr` cannot print).
pub(super) fn trigger_when(definition: &str) -> Option<&str> {
    const MARKERS: [&str; 2] = ["FOR EACH ROW WHEN (", "FOR EACH STATEMENT WHEN ("];
    let (start, marker) = unquoted(definition).find_map(|(i, _)| {
        MARKERS
            .iter()
            .find(|m| definition[i..].starts_with(*m))
            .map(|m| (i, *m))
    })?;
    let open = start + marker.len() - 1;
    let close = closing_paren(definition, open)?;
    Some(definition[open + 1..close].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_parens_are_removed_only_when_they_wrap_everything() {
        assert_eq!(strip_index_parens("(a + b)"), "a + b");
        assert_eq!(strip_index_parens("lower(email)"), "lower(email)");
        assert_eq!(strip_index_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_index_parens("((a || ')'::text))"), "(a || ')'::text)");
        assert_eq!(strip_index_parens("(\"odd)\" || x)"), "\"odd)\" || x");
    }

    #[test]
    fn trigger_when_skips_quoted_names_and_balances_parens() {
        let def = "CREATE TRIGGER \"FOR EACH ROW WHEN (x\" BEFORE UPDATE ON public.t \
                   FOR EACH ROW WHEN ((old.name IS DISTINCT FROM new.name) AND (new.v <> ')')) \
                   EXECUTE FUNCTION public.touch()";
        assert_eq!(
            trigger_when(def),
            Some("(old.name IS DISTINCT FROM new.name) AND (new.v <> ')')")
        );
        let no_when = "CREATE TRIGGER t AFTER INSERT ON public.t FOR EACH STATEMENT \
                       EXECUTE FUNCTION public.f()";
        assert_eq!(trigger_when(no_when), None);
    }
}
