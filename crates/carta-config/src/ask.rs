//! `[ask]`: the LLM provider `carta ask` talks to, and its budgets. The key
//! itself never belongs in the file (it would be committed with it): the
//! section names the environment variable that holds it. Values are checked
//! here, so a bad one is an error at its line and column.

use crate::ConfigError;
use carta_source::Location;
use serde::Deserialize;
use toml::Spanned;

/// `[ask]` as written; every field is optional and the environment and the
/// command line override each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AskSection {
    /// Base URL of an OpenAI-compatible API, e.g. `http://localhost:11434/v1`.
    pub provider_url: Option<String>,
    pub model: Option<String>,
    /// Name of the environment variable that holds the API key.
    pub api_key_env: Option<String>,
    pub timeout_secs: Option<u64>,
    /// Repair turns after an answer fails validation.
    pub max_repairs: Option<u32>,
    /// Retries of a request answered 429 or 5xx.
    pub max_retries: Option<u32>,
    /// Tokens of schema context the prompt may hold.
    pub token_budget: Option<usize>,
    /// Prices per million tokens, for the cost shown with each answer.
    pub price_per_million_prompt: Option<f64>,
    pub price_per_million_completion: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAsk {
    provider_url: Option<Spanned<String>>,
    model: Option<Spanned<String>>,
    api_key_env: Option<Spanned<String>>,
    /// Accepted only to be refused with a message that says what to do instead.
    api_key: Option<Spanned<toml::Value>>,
    timeout_secs: Option<Spanned<u64>>,
    max_repairs: Option<u32>,
    max_retries: Option<u32>,
    token_budget: Option<Spanned<usize>>,
    price_per_million_prompt: Option<Spanned<f64>>,
    price_per_million_completion: Option<Spanned<f64>>,
}

impl RawAsk {
    pub(crate) fn into_section(
        self,
        at: &dyn Fn(usize) -> Location,
    ) -> Result<AskSection, ConfigError> {
        let error = |offset: usize, message: String| ConfigError::Syntax {
            location: at(offset),
            message: format!("[ask] {message}"),
        };
        if let Some(key) = &self.api_key {
            return Err(error(
                key.span().start,
                "api_key may not be written in carta.toml; set api_key_env to the name of \
                 the environment variable that holds the key"
                    .into(),
            ));
        }
        if let Some(url) = &self.provider_url {
            let text = url.get_ref();
            if !(text.starts_with("http://") || text.starts_with("https://")) {
                return Err(error(
                    url.span().start,
                    format!("provider_url must start with http:// or https:// (found `{text}`)"),
                ));
            }
        }
        if let Some(model) = &self.model {
            if model.get_ref().trim().is_empty() {
                return Err(error(model.span().start, "model may not be empty".into()));
            }
        }
        if let Some(name) = &self.api_key_env {
            if !is_env_name(name.get_ref()) {
                return Err(error(
                    name.span().start,
                    "api_key_env is the name of an environment variable (letters, digits and \
                     _), not the key itself"
                        .into(),
                ));
            }
        }
        let at_least_one = |name: &str, value: usize, offset: usize| match value {
            0 => Err(error(offset, format!("{name} must be at least 1"))),
            _ => Ok(()),
        };
        if let Some(secs) = &self.timeout_secs {
            let value = usize::try_from(*secs.get_ref()).unwrap_or(usize::MAX);
            at_least_one("timeout_secs", value, secs.span().start)?;
        }
        if let Some(budget) = &self.token_budget {
            at_least_one("token_budget", *budget.get_ref(), budget.span().start)?;
        }
        for (name, price) in [
            ("price_per_million_prompt", &self.price_per_million_prompt),
            (
                "price_per_million_completion",
                &self.price_per_million_completion,
            ),
        ] {
            if let Some(price) = price {
                let value = *price.get_ref();
                if !value.is_finite() || value < 0.0 {
                    return Err(error(
                        price.span().start,
                        format!("{name} must be a price of 0 or more (found {value})"),
                    ));
                }
            }
        }
        Ok(AskSection {
            provider_url: self.provider_url.map(Spanned::into_inner),
            model: self.model.map(Spanned::into_inner),
            api_key_env: self.api_key_env.map(Spanned::into_inner),
            timeout_secs: self.timeout_secs.map(Spanned::into_inner),
            max_repairs: self.max_repairs,
            max_retries: self.max_retries,
            token_budget: self.token_budget.map(Spanned::into_inner),
            price_per_million_prompt: self.price_per_million_prompt.map(Spanned::into_inner),
            price_per_million_completion: self
                .price_per_million_completion
                .map(Spanned::into_inner),
        })
    }
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use crate::{Config, ConfigError};
    use std::path::Path;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("carta.toml"))
    }

    #[test]
    fn a_full_section_is_read() {
        let config = parse(
            "[ask]\nprovider_url = \"http://localhost:11434/v1\"\nmodel = \"qwen2.5-coder\"\n\
             api_key_env = \"OPENAI_API_KEY\"\ntimeout_secs = 30\nmax_repairs = 3\nmax_retries = 1\n\
             token_budget = 6000\nprice_per_million_prompt = 0.15\nprice_per_million_completion = 0.6\n",
        )
        .unwrap();
        let ask = config.ask;
        assert_eq!(
            ask.provider_url.as_deref(),
            Some("http://localhost:11434/v1")
        );
        assert_eq!(ask.model.as_deref(), Some("qwen2.5-coder"));
        assert_eq!(ask.api_key_env.as_deref(), Some("OPENAI_API_KEY"));
        assert_eq!(ask.timeout_secs, Some(30));
        assert_eq!(ask.max_repairs, Some(3));
        assert_eq!(ask.max_retries, Some(1));
        assert_eq!(ask.token_budget, Some(6000));
        assert_eq!(ask.price_per_million_prompt, Some(0.15));
        assert_eq!(ask.price_per_million_completion, Some(0.6));
    }

    #[test]
    fn no_section_is_all_unset() {
        assert_eq!(parse("").unwrap().ask, super::AskSection::default());
    }

    fn error_text(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn a_key_in_the_file_is_refused_at_its_line_and_column() {
        let message = error_text("[ask]\nmodel = \"m\"\napi_key = \"sk-secret\"\n");
        assert!(
            message.starts_with("carta.toml:3:11: [ask] api_key may not"),
            "{message}"
        );
        assert!(message.contains("api_key_env"), "{message}");
        assert!(!message.contains("sk-secret"), "{message}");
    }

    #[test]
    fn a_key_given_as_the_variable_name_is_refused() {
        let message = error_text("[ask]\napi_key_env = \"sk-abc123\"\n");
        assert!(message.starts_with("carta.toml:2:15:"), "{message}");
        assert!(message.contains("not the key itself"), "{message}");
    }

    #[test]
    fn bad_values_name_their_place() {
        for (text, expected) in [
            (
                "[ask]\nprovider_url = \"localhost:11434\"\n",
                "carta.toml:2:16: [ask] provider_url must start with http://",
            ),
            (
                "[ask]\ntimeout_secs = 0\n",
                "carta.toml:2:16: [ask] timeout_secs must be at least 1",
            ),
            (
                "[ask]\ntoken_budget = 0\n",
                "carta.toml:2:16: [ask] token_budget must be at least 1",
            ),
            (
                "[ask]\nprice_per_million_prompt = -1.0\n",
                "carta.toml:2:28: [ask] price_per_million_prompt must be a price of 0 or more",
            ),
            (
                "[ask]\nmodel = \" \"\n",
                "carta.toml:2:9: [ask] model may not be empty",
            ),
        ] {
            let message = error_text(text);
            assert!(message.starts_with(expected), "{text}: {message}");
        }
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        let message = error_text("[ask]\nprovider = \"x\"\n");
        assert!(message.starts_with("carta.toml:2:1:"), "{message}");
        assert!(message.contains("provider"), "{message}");
    }
}
