//! From TOML text to [`Config`]: serde reads the file into the shapes below,
//! which keep the byte span of every name, and the spans become
//! line/column [`Location`]s.

use crate::ask::RawAsk;
use crate::lint::RawLint;
use crate::mock::RawMock;
use crate::{
    select, ColumnComment, CommentOverride, Config, ConfigError, DocOptions, RelationLocations,
    ServeOptions, TableSelection, VirtualRelation,
};
use carta_source::Location;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    doc: DocOptions,
    #[serde(default)]
    comments: Vec<RawComment>,
    #[serde(default)]
    relations: Vec<RawRelation>,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    mock: RawMock,
    #[serde(default)]
    serve: ServeOptions,
    #[serde(default)]
    ask: RawAsk,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComment {
    table: Spanned<String>,
    table_comment: Option<String>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelation {
    name: Option<String>,
    table: Spanned<String>,
    columns: Spanned<Vec<String>>,
    parent_table: Spanned<String>,
    parent_columns: Spanned<Vec<String>>,
}

impl Config {
    /// Reads and parses a `carta.toml`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses the text of a `carta.toml`; `path` is where it was read from,
    /// for error locations and to resolve relative paths in it. No I/O.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = |offset: usize| Location::at_offset(path, text, offset);
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            location: at(e.span().map_or(0, |s| s.start)),
            message: e.message().trim_end().to_string(),
        })?;

        let selection = TableSelection {
            include: select::located_patterns(raw.include, &at)?,
            exclude: select::located_patterns(raw.exclude, &at)?,
        };
        let lint = raw.lint.into_config(&at)?;
        let mock = raw.mock.into_section(&at)?;
        let ask = raw.ask.into_section(&at)?;

        let comments = raw
            .comments
            .into_iter()
            .map(|c| CommentOverride {
                location: at(c.table.span().start),
                table: c.table.into_inner(),
                table_comment: c.table_comment,
                columns: c
                    .columns
                    .into_iter()
                    .map(|(column, text)| ColumnComment {
                        location: at(column.span().start),
                        column: column.into_inner(),
                        text,
                    })
                    .collect(),
            })
            .collect();

        let relations = raw
            .relations
            .into_iter()
            .map(|r| VirtualRelation {
                locations: RelationLocations {
                    table: at(r.table.span().start),
                    columns: at(r.columns.span().start),
                    parent_table: at(r.parent_table.span().start),
                    parent_columns: at(r.parent_columns.span().start),
                },
                name: r.name,
                table: r.table.into_inner(),
                columns: r.columns.into_inner(),
                parent_table: r.parent_table.into_inner(),
                parent_columns: r.parent_columns.into_inner(),
            })
            .collect();

        let beside_file = |relative: &mut Option<PathBuf>| {
            if let Some(p) = relative.as_ref().filter(|p| p.is_relative()) {
                *relative = Some(path.parent().unwrap_or(Path::new("")).join(p));
            }
        };
        let mut doc = raw.doc;
        beside_file(&mut doc.templates);
        let mut serve = raw.serve;
        beside_file(&mut serve.key_file);

        Ok(Config {
            selection,
            comments,
            relations,
            doc,
            lint,
            mock,
            serve,
            ask,
        })
    }
}
