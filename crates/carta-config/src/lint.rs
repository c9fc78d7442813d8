//! `[lint]`: which lint rules run, how severe their findings are, their
//! options and the tables they skip. The rule catalogue and what each
//! option means belong to `carta-lint`; this module reads the TOML and
//! checks it against that catalogue, so a misspelled rule or option is an
//! error at the line and column where it was written.

use crate::{select, ConfigError};
use carta_lint::{LintConfig, RuleSetting, Severity};
use carta_source::Location;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLint {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

impl RawLint {
    pub(crate) fn into_config(
        self,
        at: &dyn Fn(usize) -> Location,
    ) -> Result<LintConfig, ConfigError> {
        let mut config = LintConfig {
            exclude: select::located_patterns(self.exclude, at)?,
            ..LintConfig::default()
        };
        for (id, entries) in self.rules {
            let id_at = id.span().start;
            let id = id.into_inner();
            let mut setting = RuleSetting::default();
            for (key, value) in entries {
                let error = |message: String| ConfigError::Syntax {
                    location: at(value.span().start),
                    message: format!("[lint.rules.{id}] {}: {message}", key.get_ref()),
                };
                match key.get_ref().as_str() {
                    // Every rule has these three; any other key is one of the rule's options.
                    "severity" => match value.get_ref().as_str() {
                        Some("off") => setting.enabled = Some(false),
                        Some(text) => {
                            setting.severity = Some(parse_severity(text).ok_or_else(|| {
                                error(format!(
                                    "must be one of error, warning, info, off (found `{text}`)"
                                ))
                            })?);
                        }
                        None => return Err(error("must be a string".into())),
                    },
                    "enabled" => {
                        setting.enabled = Some(
                            value
                                .get_ref()
                                .as_bool()
                                .ok_or_else(|| error("must be true or false".into()))?,
                        );
                    }
                    "exclude" => {
                        let list = value
                            .get_ref()
                            .as_array()
                            .and_then(|items| {
                                items
                                    .iter()
                                    .map(|i| i.as_str().map(str::to_string))
                                    .collect::<Option<Vec<_>>>()
                            })
                            .ok_or_else(|| error("must be a list of table patterns".into()))?;
                        for pattern in &list {
                            select::compile(pattern).map_err(|e| error(e.to_string()))?;
                        }
                        setting.exclude = list;
                    }
                    _ => {
                        let json = serde_json::to_value(value.get_ref())
                            .map_err(|e| error(e.to_string()))?;
                        setting.options.insert(key.into_inner(), json);
                    }
                }
            }
            // Each rule is checked on its own so that an error points at its table.
            let single = LintConfig {
                rules: BTreeMap::from([(id.clone(), setting.clone())]),
                ..LintConfig::default()
            };
            single.validate().map_err(|e| ConfigError::Syntax {
                location: at(id_at),
                message: e.to_string(),
            })?;
            config.rules.insert(id, setting);
        }
        Ok(config)
    }
}

fn parse_severity(text: &str) -> Option<Severity> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}
