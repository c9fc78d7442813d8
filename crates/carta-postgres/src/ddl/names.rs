//! The names PostgreSQL invents for unnamed objects, reproduced exactly:
//! `makeObjectName`, `ChooseRelationName`/`ChooseConstraintName` with
//! their numeric suffixes, and the column-name parts of index and
//! foreign-key names.

/// `NAMEDATALEN - 1`: the longest identifier PostgreSQL keeps, in bytes.
pub(super) const MAX_IDENTIFIER: usize = 63;

/// `makeObjectName(name1, name2, label)`: joins the parts with `_`,
/// shortening the longer of `name1`/`name2` a byte at a time until the
/// result fits in 63 bytes, cutting only at character boundaries.
pub(super) fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead =
        if label.is_empty() { 0 } else { label.len() + 1 } + usize::from(name2.is_some());
    let available = MAX_IDENTIFIER.saturating_sub(overhead);
    let mut len1 = name1.len();
    let mut len2 = name2.map_or(0, str::len);
    while len1 + len2 > available {
        if len1 > len2 {
            len1 -= 1;
        } else {
            len2 -= 1;
        }
    }
    let mut name = clip(name1, len1).to_string();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, len2));
    }
    if !label.is_empty() {
        name.push('_');
        name.push_str(label);
    }
    name
}

/// The longest prefix of `text` of at most `len` bytes that ends on a character boundary.
pub(super) fn clip(text: &str, len: usize) -> &str {
    &text[..text.floor_char_boundary(len)]
}

/// `ChooseRelationName`/`ChooseConstraintName`: the first of `label`,
/// `label1`, `label2`, ... whose object name `taken` says is free.
pub(super) fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut candidate = make_object_name(name1, name2, label);
    let mut pass = 0u32;
    while taken(&candidate) {
        pass += 1;
        candidate = make_object_name(name1, name2, &format!("{label}{pass}"));
    }
    candidate
}

/// `ChooseIndexNameAddition` and `ChooseForeignKeyConstraintNameAddition`:
/// column names joined by `_`, stopping once the result is too long to
/// matter.
pub(super) fn name_addition<S: AsRef<str>>(columns: &[S]) -> String {
    let mut out = String::new();
    for column in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(clip(column.as_ref(), MAX_IDENTIFIER));
        if out.len() > MAX_IDENTIFIER {
            break;
        }
    }
    out
}

/// `ChooseIndexColumnNames`: the names index columns get, made unique
/// within the index by a numeric suffix (`lower`, `lower1`).
pub(super) fn index_column_names(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut pass = 0u32;
        while out.contains(&candidate) {
            pass += 1;
            let suffix = pass.to_string();
            candidate = format!("{}{suffix}", clip(&name, MAX_IDENTIFIER - suffix.len()));
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_join_plainly() {
        assert_eq!(
            make_object_name("users", Some("email"), "key"),
            "users_email_key"
        );
        assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
    }

    #[test]
    fn long_names_shrink_the_longer_part_first() {
        let table = "a".repeat(40);
        let column = "b".repeat(40);
        let name = make_object_name(&table, Some(&column), "fkey");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
    }

    #[test]
    fn collisions_get_numbers() {
        let taken = ["t_check".to_string(), "t_check1".to_string()];
        assert_eq!(
            choose_name("t", None, "check", |n| taken.iter().any(|t| t == n)),
            "t_check2"
        );
    }

    #[test]
    fn index_columns_are_made_unique() {
        let names = index_column_names(vec!["lower".into(), "lower".into(), "a".into()]);
        assert_eq!(names, ["lower", "lower1", "a"]);
    }
}
