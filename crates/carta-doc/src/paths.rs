//! File names for generated pages. Object names may hold any character
//! (`/`, spaces, quotes, non-ASCII) and may differ only in case, which
//! case-insensitive file systems (macOS, Windows) would merge; every object
//! gets a stem that is safe everywhere and unique ignoring case.

use carta_catalog::QualifiedName;
use std::collections::{BTreeMap, HashMap};

/// Longest stem kept before shortening; file names are limited to 255 bytes.
const MAX_STEM: usize = 120;

/// Unique file stems for a set of objects of one kind.
#[derive(Debug, Default)]
pub struct Stems {
    stems: HashMap<QualifiedName, String>,
}

impl Stems {
    /// Stems for `names`: `schema.name` where that is already plain ASCII
    /// letters, digits, `_`, `-` (and unique ignoring case); otherwise the
    /// cleaned name plus a hash of the real one.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a QualifiedName>) -> Stems {
        let cleaned: Vec<(&QualifiedName, String, bool)> = names
            .into_iter()
            .map(|name| {
                let plain = format!("{}.{}", clean(&name.schema), clean(&name.name));
                let exact = plain == name.to_string() && plain.len() <= MAX_STEM;
                (name, plain, exact)
            })
            .collect();
        let mut folded: BTreeMap<String, usize> = BTreeMap::new();
        for (_, plain, _) in &cleaned {
            *folded.entry(plain.to_lowercase()).or_default() += 1;
        }
        let stems = cleaned
            .into_iter()
            .map(|(name, plain, exact)| {
                let stem = if exact && folded[&plain.to_lowercase()] == 1 {
                    plain
                } else {
                    let short: String = plain.chars().take(MAX_STEM).collect();
                    format!("{short}-{:08x}", fnv1a(&name.to_string()))
                };
                (name.clone(), stem)
            })
            .collect();
        Stems { stems }
    }

    pub fn get(&self, name: &QualifiedName) -> Option<&str> {
        self.stems.get(name).map(String::as_str)
    }
}

fn clean(part: &str) -> String {
    part.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// FNV-1a: a stable hash (unlike `DefaultHasher`, fixed across Rust
/// versions), so file names never change between runs or builds.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// The path of `to` relative to the folder holding `from`; both are
/// relative to the output root, with `/` separators.
pub fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let mut parts = vec![".."; from_dirs.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_kept_and_others_get_a_stable_hash() {
        let names = [
            QualifiedName::new("public", "users"),
            QualifiedName::new("public", "../etc/passwd"),
            QualifiedName::new("public", "Orders"),
            QualifiedName::new("public", "orders"),
            QualifiedName::new("Sales Data", "año"),
        ];
        let stems = Stems::new(&names);
        let get = |i: usize| stems.get(&names[i]).unwrap().to_string();
        assert_eq!(get(0), "public.users");
        for name in &names[1..] {
            let stem = stems.get(name).unwrap();
            assert!(
                stem.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)),
                "{stem}"
            );
            assert_ne!(stem, name.to_string());
        }
        assert_ne!(get(2).to_lowercase(), get(3).to_lowercase());
        assert_eq!(Stems::new(&names).get(&names[1]).unwrap(), get(1));
    }

    #[test]
    fn relative_links_between_pages() {
        assert_eq!(relative("README.md", "tables/a.md"), "tables/a.md");
        assert_eq!(relative("tables/a.md", "tables/b.md"), "b.md");
        assert_eq!(relative("tables/a.md", "enums/e.md"), "../enums/e.md");
        assert_eq!(relative("tables/a.md", "README.md"), "../README.md");
    }
}
