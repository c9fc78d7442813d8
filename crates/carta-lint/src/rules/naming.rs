//! Name styles for `naming-convention`: case (snake, camel, pascal) and the
//! plural/singular heuristic, kept deliberately simple (see the rule's docs).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    Snake,
    Camel,
    Pascal,
}

impl Case {
    pub fn parse(option: &str) -> Option<Case> {
        match option {
            "snake" => Some(Case::Snake),
            "camel" => Some(Case::Camel),
            "pascal" => Some(Case::Pascal),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Case::Snake => "snake_case",
            Case::Camel => "camelCase",
            Case::Pascal => "PascalCase",
        }
    }

    pub fn accepts(self, name: &str) -> bool {
        let mut chars = name.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        let rest = chars.as_str();
        match self {
            Case::Snake => {
                first.is_ascii_lowercase()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !name.contains("__")
                    && !name.ends_with('_')
            }
            Case::Camel => {
                first.is_ascii_lowercase() && rest.chars().all(|c| c.is_ascii_alphanumeric())
            }
            Case::Pascal => {
                first.is_ascii_uppercase() && rest.chars().all(|c| c.is_ascii_alphanumeric())
            }
        }
    }

    /// `name` respelled in this case: `OrderItems` → `order_items`.
    pub fn convert(self, name: &str) -> String {
        let words = words(name);
        match self {
            Case::Snake => words.join("_"),
            Case::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { capitalize(w) })
                .collect(),
            Case::Pascal => words.iter().map(|w| capitalize(w)).collect(),
        }
    }
}

/// Lower-case words of a name in any style: `HTTPServer_logs` → `http`, `server`, `logs`.
pub(super) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let starts_word = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if starts_word && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Number {
    Plural,
    Singular,
}

const UNCOUNTABLE: &[&str] = &[
    "data",
    "metadata",
    "feedback",
    "information",
    "media",
    "news",
    "series",
    "software",
    "staff",
    "equipment",
];

/// Irregular plurals and their singulars.
const IRREGULAR: &[(&str, &str)] = &[
    ("people", "person"),
    ("children", "child"),
    ("men", "man"),
    ("women", "woman"),
];

impl Number {
    /// `None` for `any`: no check.
    pub fn parse(option: &str) -> Option<Number> {
        match option {
            "plural" => Some(Number::Plural),
            "singular" => Some(Number::Singular),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Number::Plural => "plural",
            Number::Singular => "singular",
        }
    }

    /// The name with its last word made this number, or `None` when it already is
    /// (or the word is uncountable).
    pub fn rename(self, name: &str) -> Option<String> {
        let words = words(name);
        let last = words.last()?;
        if UNCOUNTABLE.contains(&last.as_str()) {
            return None;
        }
        let renamed = match (self, is_plural(last)) {
            (Number::Plural, false) => pluralize(last),
            (Number::Singular, true) => singularize(last),
            _ => return None,
        };
        let mut words = words.clone();
        *words.last_mut()? = renamed;
        Some(words.join("_"))
    }
}

fn is_plural(word: &str) -> bool {
    IRREGULAR.iter().any(|(plural, _)| *plural == word)
        || (word.ends_with('s')
            && !word.ends_with("ss")
            && !word.ends_with("us")
            && !word.ends_with("is"))
}

fn pluralize(word: &str) -> String {
    if let Some((plural, _)) = IRREGULAR.iter().find(|(_, singular)| *singular == word) {
        return plural.to_string();
    }
    let consonant_y =
        word.ends_with('y') && !word[..word.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

fn singularize(word: &str) -> String {
    if let Some((_, singular)) = IRREGULAR.iter().find(|(plural, _)| *plural == word) {
        return singular.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "zes", "ches", "shes"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        word[..word.len() - 2].to_string()
    } else {
        word[..word.len() - 1].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{Case, Number};

    #[test]
    fn cases_accept_and_convert() {
        assert!(Case::Snake.accepts("order_items2"));
        assert!(!Case::Snake.accepts("OrderItems"));
        assert!(!Case::Snake.accepts("order__items"));
        assert!(Case::Camel.accepts("orderItems"));
        assert!(!Case::Camel.accepts("order_items"));
        assert!(Case::Pascal.accepts("OrderItems"));
        assert_eq!(Case::Snake.convert("HTTPServerLogs"), "http_server_logs");
        assert_eq!(Case::Snake.convert("unitPrice"), "unit_price");
        assert_eq!(Case::Camel.convert("unit_price"), "unitPrice");
        assert_eq!(Case::Pascal.convert("order_items"), "OrderItems");
    }

    #[test]
    fn number_heuristic() {
        assert_eq!(Number::Plural.rename("user"), Some("users".into()));
        assert_eq!(
            Number::Plural.rename("order_category"),
            Some("order_categories".into())
        );
        assert_eq!(Number::Plural.rename("address"), Some("addresses".into()));
        assert_eq!(Number::Plural.rename("status"), Some("statuses".into()));
        assert_eq!(Number::Plural.rename("users"), None);
        assert_eq!(Number::Plural.rename("people"), None);
        assert_eq!(Number::Plural.rename("feedback"), None);
        assert_eq!(Number::Singular.rename("users"), Some("user".into()));
        assert_eq!(
            Number::Singular.rename("categories"),
            Some("category".into())
        );
        assert_eq!(Number::Singular.rename("boxes"), Some("box".into()));
        assert_eq!(Number::Singular.rename("people"), Some("person".into()));
        assert_eq!(Number::Singular.rename("analysis"), None);
    }
}
