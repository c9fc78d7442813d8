//! The `[lint]` settings and their resolution into what [`crate::lint`] runs:
//! which rules, at which severity, with which options, on which tables.

use crate::rules::{rule, rules, OptionKind, RuleInfo};
use crate::Severity;
use carta_catalog::TablePatterns;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;

/// What to lint and how. The default runs every rule that is on by default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LintConfig {
    /// Tables no rule looks at: `tmp_*` (bare table name) or `audit.*` (`schema.table`).
    pub exclude: Vec<String>,
    /// Per-rule settings, by rule id.
    pub rules: BTreeMap<String, RuleSetting>,
}

/// The settings of one rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSetting {
    /// `None`: the rule's default ([`RuleInfo::enabled_by_default`]).
    pub enabled: Option<bool>,
    /// `None`: the rule's [`RuleInfo::default_severity`].
    pub severity: Option<Severity>,
    /// The rule's options ([`RuleInfo::options`]); unset ones take their default.
    pub options: serde_json::Map<String, serde_json::Value>,
    /// Tables this rule skips, same patterns as [`LintConfig::exclude`].
    pub exclude: Vec<String>,
}

/// A setting `lint` cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LintConfigError {
    #[error("unknown lint rule `{rule}`")]
    UnknownRule { rule: String },
    #[error("lint rule `{rule}` has no option `{option}` (its options: {known})")]
    UnknownOption {
        rule: String,
        option: String,
        /// The rule's option names, comma-separated, or `none`.
        known: String,
    },
    #[error("invalid value for option `{option}` of lint rule `{rule}`: {message}")]
    InvalidOption {
        rule: String,
        option: String,
        message: String,
    },
    #[error("invalid table pattern `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
}

impl LintConfig {
    /// Checks everything [`crate::lint`] could reject: rule ids, option
    /// names and values, table patterns.
    pub fn validate(&self) -> Result<(), LintConfigError> {
        self.plan().map(|_| ())
    }

    pub(crate) fn plan(&self) -> Result<Plan, LintConfigError> {
        if let Some(unknown) = self.rules.keys().find(|id| rule(id).is_none()) {
            return Err(LintConfigError::UnknownRule {
                rule: unknown.clone(),
            });
        }
        let default_setting = RuleSetting::default();
        let mut planned = Vec::new();
        for info in rules() {
            let setting = self.rules.get(info.id).unwrap_or(&default_setting);
            // Options and patterns of a disabled rule are still checked, so a
            // mistake surfaces before someone turns the rule on.
            let options = OptionValues::resolve(info, &setting.options)?;
            let exclude = table_patterns(&setting.exclude)?;
            if setting.enabled.unwrap_or(info.enabled_by_default) {
                planned.push(PlannedRule {
                    info,
                    severity: setting.severity.unwrap_or(info.default_severity),
                    options,
                    exclude,
                });
            }
        }
        Ok(Plan {
            exclude: table_patterns(&self.exclude)?,
            rules: planned,
        })
    }
}

pub(crate) struct Plan {
    pub exclude: TablePatterns,
    pub rules: Vec<PlannedRule>,
}

pub(crate) struct PlannedRule {
    pub info: &'static RuleInfo,
    pub severity: Severity,
    pub options: OptionValues,
    pub exclude: TablePatterns,
}

/// Compiles table patterns, naming a bad one.
fn table_patterns(patterns: &[String]) -> Result<TablePatterns, LintConfigError> {
    TablePatterns::new(patterns).map_err(|e| LintConfigError::Pattern {
        pattern: e.pattern,
        message: e.message,
    })
}

/// One option's value, checked against its [`OptionKind`].
enum OptionValue {
    Integer(u64),
    Names(Vec<String>),
    Patterns(GlobSet),
    Choice(String),
}

/// A rule's options with defaults filled in.
pub(crate) struct OptionValues(BTreeMap<&'static str, OptionValue>);

impl OptionValues {
    fn resolve(
        info: &'static RuleInfo,
        given: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<OptionValues, LintConfigError> {
        if let Some(unknown) = given
            .keys()
            .find(|name| !info.options.iter().any(|o| o.name == name.as_str()))
        {
            let known: Vec<_> = info.options.iter().map(|o| o.name).collect();
            return Err(LintConfigError::UnknownOption {
                rule: info.id.to_string(),
                option: unknown.clone(),
                known: if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                },
            });
        }
        let mut values = BTreeMap::new();
        for option in info.options {
            let invalid = |message: String| LintConfigError::InvalidOption {
                rule: info.id.to_string(),
                option: option.name.to_string(),
                message,
            };
            // Defaults go through the same checks as user values; a test
            // makes sure every default passes them.
            let value = match given.get(option.name) {
                Some(value) => value.clone(),
                None => serde_json::from_str(option.default)
                    .map_err(|e| invalid(format!("bad default `{}`: {e}", option.default)))?,
            };
            values.insert(
                option.name,
                OptionValue::check(option.kind, &value).map_err(invalid)?,
            );
        }
        Ok(OptionValues(values))
    }

    /// An integer option; 0 if the rule declares no such option.
    pub fn integer(&self, name: &str) -> u64 {
        match self.0.get(name) {
            Some(OptionValue::Integer(n)) => *n,
            _ => 0,
        }
    }

    /// A list-of-names option; empty if the rule declares no such option.
    pub fn names(&self, name: &str) -> &[String] {
        match self.0.get(name) {
            Some(OptionValue::Names(names)) => names,
            _ => &[],
        }
    }

    /// Whether `text` matches one of a pattern option's globs (case-insensitive).
    pub fn matches(&self, name: &str, text: &str) -> bool {
        match self.0.get(name) {
            Some(OptionValue::Patterns(set)) => set.is_match(text),
            _ => false,
        }
    }

    /// A choice option's value; empty if the rule declares no such option.
    pub fn choice(&self, name: &str) -> &str {
        match self.0.get(name) {
            Some(OptionValue::Choice(choice)) => choice,
            _ => "",
        }
    }
}

impl OptionValue {
    fn check(kind: OptionKind, value: &serde_json::Value) -> Result<OptionValue, String> {
        match kind {
            OptionKind::Integer { min } => match value.as_u64() {
                Some(n) if n >= min => Ok(OptionValue::Integer(n)),
                _ => Err(format!(
                    "expected an integer of at least {min}, got {value}"
                )),
            },
            OptionKind::Names => string_list(value).map(OptionValue::Names),
            OptionKind::Patterns => {
                let mut set = GlobSetBuilder::new();
                for pattern in string_list(value)? {
                    let glob = GlobBuilder::new(&pattern)
                        .case_insensitive(true)
                        .build()
                        .map_err(|e| format!("invalid pattern `{pattern}`: {}", e.kind()))?;
                    set.add(glob);
                }
                set.build()
                    .map(OptionValue::Patterns)
                    .map_err(|e| e.to_string())
            }
            OptionKind::Choice(choices) => match value.as_str() {
                Some(s) if choices.contains(&s) => Ok(OptionValue::Choice(s.to_string())),
                _ => Err(format!(
                    "expected one of {}, got {value}",
                    choices
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
        }
    }
}

fn string_list(value: &serde_json::Value) -> Result<Vec<String>, String> {
    let expected = || format!("expected a list of strings, got {value}");
    value
        .as_array()
        .ok_or_else(expected)?
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or_else(expected))
        .collect()
}
