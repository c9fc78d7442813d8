//! `carta:ignore` directives in schema comments.
//!
//! `carta:ignore` alone silences every rule. Followed on the same line by
//! rule ids (kebab-case, so each contains a hyphen), separated by commas or
//! spaces, it silences only those: `carta:ignore fk-without-index, table-comment`.
//! The list ends at the first word that is not an id, so a reason may follow:
//! `carta:ignore fk-without-index because the table has ten rows`.

const DIRECTIVE: &str = "carta:ignore";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Ignore {
    #[default]
    Nothing,
    All,
    Rules(Vec<String>),
}

impl Ignore {
    pub fn parse(comment: Option<&str>) -> Ignore {
        let Some(comment) = comment else {
            return Ignore::Nothing;
        };
        let mut ignore = Ignore::Nothing;
        for (start, _) in comment.match_indices(DIRECTIVE) {
            let rest = &comment[start + DIRECTIVE.len()..];
            // `carta:ignore-all` or `carta:ignored` are other words, not the directive.
            if rest.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_') {
                continue;
            }
            let line = rest.lines().next().unwrap_or("");
            let ids: Vec<String> = line
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|word| !word.is_empty())
                .take_while(|word| looks_like_rule_id(word))
                .map(str::to_string)
                .collect();
            ignore = ignore.with(if ids.is_empty() {
                Ignore::All
            } else {
                Ignore::Rules(ids)
            });
        }
        ignore
    }

    fn with(self, other: Ignore) -> Ignore {
        match (self, other) {
            (Ignore::All, _) | (_, Ignore::All) => Ignore::All,
            (Ignore::Nothing, other) | (other, Ignore::Nothing) => other,
            (Ignore::Rules(mut a), Ignore::Rules(b)) => {
                a.extend(b);
                Ignore::Rules(a)
            }
        }
    }

    pub fn silences(&self, rule: &str) -> bool {
        match self {
            Ignore::Nothing => false,
            Ignore::All => true,
            Ignore::Rules(rules) => rules.iter().any(|r| r == rule),
        }
    }
}

fn looks_like_rule_id(word: &str) -> bool {
    word.contains('-')
        && !word.starts_with('-')
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::Ignore;

    fn rules(list: &[&str]) -> Ignore {
        Ignore::Rules(list.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn parses_the_directive_forms() {
        assert_eq!(Ignore::parse(None), Ignore::Nothing);
        assert_eq!(Ignore::parse(Some("Users of an org.")), Ignore::Nothing);
        assert_eq!(Ignore::parse(Some("Legacy. carta:ignore")), Ignore::All);
        assert_eq!(
            Ignore::parse(Some("carta:ignore: imported as is")),
            Ignore::All
        );
        assert_eq!(
            Ignore::parse(Some("carta:ignore fk-without-index, table-comment")),
            rules(&["fk-without-index", "table-comment"])
        );
        assert_eq!(
            Ignore::parse(Some("carta:ignore fk-without-index because it is tiny")),
            rules(&["fk-without-index"])
        );
        assert_eq!(
            Ignore::parse(Some(
                "carta:ignore no-primary-key\nSecond line, not-a-rule-list"
            )),
            rules(&["no-primary-key"])
        );
        // Several directives add up; a bare one wins.
        assert_eq!(
            Ignore::parse(Some(
                "carta:ignore table-comment\ncarta:ignore fk-without-index"
            )),
            rules(&["table-comment", "fk-without-index"])
        );
        assert_eq!(
            Ignore::parse(Some("carta:ignore table-comment\nAlso carta:ignore")),
            Ignore::All
        );
        assert_eq!(Ignore::parse(Some("see carta:ignored")), Ignore::Nothing);
    }

    #[test]
    fn a_list_silences_only_its_rules() {
        let ignore = Ignore::parse(Some("carta:ignore fk-without-index"));
        assert!(ignore.silences("fk-without-index"));
        assert!(!ignore.silences("table-comment"));
        assert!(Ignore::All.silences("table-comment"));
        assert!(!Ignore::Nothing.silences("table-comment"));
    }
}
