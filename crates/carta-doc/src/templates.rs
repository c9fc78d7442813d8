//! Template loading: built-in templates embedded in the binary, replaced
//! file by file by a user's override folder (`--templates DIR`).

use crate::DocError;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A template file from the user's override folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub path: PathBuf,
    pub source: String,
}

/// Template overrides by file name, read from a folder. Each output format
/// takes the files whose names end in its suffix (`.md.j2` for Markdown)
/// and ignores the rest, so one folder can hold overrides for all formats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    files: BTreeMap<String, Override>,
}

impl Overrides {
    /// Every regular file directly in `dir`.
    pub fn read_dir(dir: &Path) -> Result<Overrides, DocError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| DocError::Io { path, source }
        };
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if !path.is_file() {
                continue;
            }
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let source = std::fs::read_to_string(&path).map_err(io(&path))?;
            files.insert(name.to_string(), Override { path, source });
        }
        Ok(Overrides { files })
    }

    /// The overrides by file name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Override)> {
        self.files.iter().map(|(name, file)| (name.as_str(), file))
    }

    /// Adds or replaces an override, as if read from a file called `name`.
    pub fn insert(&mut self, name: impl Into<String>, source: impl Into<String>) {
        let name = name.into();
        let path = PathBuf::from(&name);
        self.files.insert(
            name,
            Override {
                path,
                source: source.into(),
            },
        );
    }
}

/// A template environment for one output format.
pub struct Templates<'a> {
    env: Environment<'a>,
}

impl<'a> Templates<'a> {
    /// The built-in templates (`(name, source)`), each replaced by the
    /// override of the same name. An override ending in `suffix` that
    /// replaces nothing is an error: it is almost always a misspelt name.
    pub fn new(
        builtin: &'a [(&'a str, &'a str)],
        overrides: &'a Overrides,
        suffix: &str,
    ) -> Result<Templates<'a>, DocError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        crate::filters::register(&mut env);
        for (name, file) in &overrides.files {
            if name.ends_with(suffix) && !builtin.iter().any(|(b, _)| b == name) {
                let known: Vec<&str> = builtin.iter().map(|(b, _)| *b).collect();
                return Err(DocError::UnknownTemplate {
                    path: file.path.clone(),
                    name: name.clone(),
                    known: known.join(", "),
                });
            }
        }
        for (name, source) in builtin {
            let source = overrides
                .files
                .get(*name)
                .map_or(*source, |o| o.source.as_str());
            env.add_template(name, source)
                .map_err(|source| DocError::Template {
                    name: (*name).to_string(),
                    source,
                })?;
        }
        Ok(Templates { env })
    }

    /// Renders `name` with `context`, then tidies blank lines (see [`tidy`]).
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, DocError> {
        let fail = |source| DocError::Template {
            name: name.to_string(),
            source,
        };
        let template = self.env.get_template(name).map_err(fail)?;
        let text = template.render(context).map_err(fail)?;
        Ok(tidy(&text))
    }
}

/// Collapses runs of blank lines to one and ends the text with exactly one
/// newline, outside fenced code blocks, whose contents are kept as they
/// are. Templates can then use blocks and conditionals freely without
/// counting newlines, and output stays stable.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<String> = None;
    let mut blank = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(open) if marker.len() >= open.len() && trimmed.trim() == marker => fence = None,
            Some(_) => {
                out.push_str(line);
                out.push('\n');
                continue;
            }
            None if marker.len() >= 3 => fence = Some(marker),
            None => {}
        }
        let line = line.trim_end();
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_collapses_blank_lines_but_not_inside_code() {
        let text = "\n\n# a\n\n\n\ntext   \n```sql\nselect 1;\n\n\nselect 2;\n```\n\n\nend\n\n";
        assert_eq!(
            tidy(text),
            "# a\n\ntext\n```sql\nselect 1;\n\n\nselect 2;\n```\n\nend\n"
        );
    }

    #[test]
    fn overrides_replace_builtins_and_unknown_names_are_refused() {
        let builtin = [("page.md.j2", "built-in {{ x }}")];
        let mut overrides = Overrides::default();
        overrides.insert("page.md.j2", "mine {{ x }}");
        overrides.insert("index.html", "belongs to another format");
        let templates = Templates::new(&builtin, &overrides, ".md.j2").unwrap();
        let text = templates
            .render("page.md.j2", &serde_json::json!({"x": 1}))
            .unwrap();
        assert_eq!(text, "mine 1\n");

        overrides.insert("pgae.md.j2", "typo");
        let error = Templates::new(&builtin, &overrides, ".md.j2")
            .err()
            .unwrap();
        assert!(
            matches!(error, DocError::UnknownTemplate { ref name, .. } if name == "pgae.md.j2")
        );
    }

    #[test]
    fn undefined_variables_are_errors() {
        let builtin = [("page.md.j2", "{{ missing }}")];
        let overrides = Overrides::default();
        let templates = Templates::new(&builtin, &overrides, ".md.j2").unwrap();
        let error = templates
            .render("page.md.j2", &serde_json::json!({}))
            .unwrap_err();
        assert!(matches!(error, DocError::Template { .. }));
    }
}
