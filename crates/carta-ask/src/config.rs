//! Which provider to ask, resolved from `carta.toml` `[ask]`, then the
//! environment, then the command line, each overriding the one before.

use std::fmt;
use std::time::Duration;

use carta_config::AskSection;

use crate::AskError;

/// Environment variables read by [`ProviderConfig::resolve`].
pub const URL_VAR: &str = "CARTA_LLM_URL";
pub const MODEL_VAR: &str = "CARTA_LLM_MODEL";
pub const KEY_VAR: &str = "CARTA_LLM_API_KEY";

/// How to reach an OpenAI-compatible chat API and how patient to be.
#[derive(Clone, PartialEq)]
pub struct ProviderConfig {
    /// Up to and including the version, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer`; never printed (see the `Debug` impl).
    pub api_key: Option<String>,
    /// For one HTTP request, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Repair turns after an answer without valid SQL.
    pub max_repairs: u32,
    /// Retries of a request answered 429 or 5xx, with exponential backoff.
    pub max_retries: u32,
    /// The longest wait between retries, whatever `Retry-After` asks.
    pub max_retry_wait: Duration,
    pub price_per_million_prompt: Option<f64>,
    pub price_per_million_completion: Option<f64>,
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .field("max_repairs", &self.max_repairs)
            .field("max_retries", &self.max_retries)
            .field("max_retry_wait", &self.max_retry_wait)
            .field("price_per_million_prompt", &self.price_per_million_prompt)
            .field(
                "price_per_million_completion",
                &self.price_per_million_completion,
            )
            .finish()
    }
}

/// What the command line says; each field wins over file and environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub provider_url: Option<String>,
    pub model: Option<String>,
}

impl ProviderConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    pub const DEFAULT_MAX_REPAIRS: u32 = 2;
    pub const DEFAULT_MAX_RETRIES: u32 = 2;
    pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

    /// A provider with the default limits, no key and no prices.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> ProviderConfig {
        ProviderConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            timeout: Self::DEFAULT_TIMEOUT,
            max_repairs: Self::DEFAULT_MAX_REPAIRS,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            max_retry_wait: Self::DEFAULT_MAX_RETRY_WAIT,
            price_per_million_prompt: None,
            price_per_million_completion: None,
        }
    }

    /// The provider in force: `[ask]`, overridden by `CARTA_LLM_URL`,
    /// `CARTA_LLM_MODEL` and `CARTA_LLM_API_KEY` (read through `env`, so
    /// tests need not touch the process environment), overridden by the
    /// command line. An empty variable counts as unset.
    pub fn resolve(
        section: &AskSection,
        env: impl Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<ProviderConfig, AskError> {
        let var = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        let base_url = overrides
            .provider_url
            .clone()
            .or_else(|| var(URL_VAR))
            .or_else(|| section.provider_url.clone());
        let model = overrides
            .model
            .clone()
            .or_else(|| var(MODEL_VAR))
            .or_else(|| section.model.clone());
        let (base_url, model) = match (base_url, model) {
            (Some(url), Some(model)) => (url, model),
            (url, model) => {
                let missing = match (url, model) {
                    (Some(_), None) => " (a provider URL is set, but no model)",
                    (None, Some(_)) => " (a model is set, but no provider URL)",
                    _ => "",
                };
                return Err(AskError::NoProvider {
                    missing: missing.to_string(),
                });
            }
        };
        let api_key = match (var(KEY_VAR), &section.api_key_env) {
            (Some(key), _) => Some(key),
            (None, Some(name)) => {
                Some(var(name).ok_or_else(|| AskError::MissingKey { name: name.clone() })?)
            }
            (None, None) => None,
        };
        Ok(ProviderConfig {
            base_url,
            model,
            api_key,
            timeout: section
                .timeout_secs
                .map_or(Self::DEFAULT_TIMEOUT, Duration::from_secs),
            max_repairs: section.max_repairs.unwrap_or(Self::DEFAULT_MAX_REPAIRS),
            max_retries: section.max_retries.unwrap_or(Self::DEFAULT_MAX_RETRIES),
            max_retry_wait: Self::DEFAULT_MAX_RETRY_WAIT,
            price_per_million_prompt: section.price_per_million_prompt,
            price_per_million_completion: section.price_per_million_completion,
        })
    }

    /// What `prompt_tokens` and `completion_tokens` cost, when a price is set.
    pub fn cost(&self, prompt_tokens: u64, completion_tokens: u64) -> Option<f64> {
        if self.price_per_million_prompt.is_none() && self.price_per_million_completion.is_none() {
            return None;
        }
        let part = |tokens: u64, price: Option<f64>| tokens as f64 * price.unwrap_or(0.0) / 1e6;
        Some(
            part(prompt_tokens, self.price_per_million_prompt)
                + part(completion_tokens, self.price_per_million_completion),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn file() -> AskSection {
        AskSection {
            provider_url: Some("http://file/v1".into()),
            model: Some("file-model".into()),
            timeout_secs: Some(7),
            max_repairs: Some(4),
            price_per_million_prompt: Some(2.0),
            ..AskSection::default()
        }
    }

    #[test]
    fn the_file_then_the_environment_then_flags() {
        let none = Overrides::default();
        let from_file = ProviderConfig::resolve(&file(), env(&[]), &none).unwrap();
        assert_eq!(from_file.base_url, "http://file/v1");
        assert_eq!(from_file.model, "file-model");
        assert_eq!(from_file.timeout, Duration::from_secs(7));
        assert_eq!(from_file.max_repairs, 4);
        assert_eq!(from_file.max_retries, ProviderConfig::DEFAULT_MAX_RETRIES);
        assert_eq!(from_file.api_key, None);

        let vars = env(&[(URL_VAR, "http://env/v1"), (MODEL_VAR, "env-model")]);
        let from_env = ProviderConfig::resolve(&file(), vars, &none).unwrap();
        assert_eq!(from_env.base_url, "http://env/v1");
        assert_eq!(from_env.model, "env-model");

        let flags = Overrides {
            provider_url: Some("http://flag/v1".into()),
            model: None,
        };
        let vars = env(&[(URL_VAR, "http://env/v1"), (MODEL_VAR, "env-model")]);
        let from_flags = ProviderConfig::resolve(&file(), vars, &flags).unwrap();
        assert_eq!(from_flags.base_url, "http://flag/v1");
        assert_eq!(from_flags.model, "env-model");
    }

    #[test]
    fn the_key_comes_from_the_named_variable_or_carta_llm_api_key() {
        let section = AskSection {
            api_key_env: Some("MY_KEY".into()),
            ..file()
        };
        let none = Overrides::default();
        let named = ProviderConfig::resolve(&section, env(&[("MY_KEY", "k1")]), &none).unwrap();
        assert_eq!(named.api_key.as_deref(), Some("k1"));
        let both = env(&[("MY_KEY", "k1"), (KEY_VAR, "k2")]);
        let direct = ProviderConfig::resolve(&section, both, &none).unwrap();
        assert_eq!(direct.api_key.as_deref(), Some("k2"));
        let missing = ProviderConfig::resolve(&section, env(&[]), &none).unwrap_err();
        assert!(matches!(&missing, AskError::MissingKey { name } if name == "MY_KEY"));
    }

    #[test]
    fn nothing_configured_says_how_to_configure() {
        let error =
            ProviderConfig::resolve(&AskSection::default(), env(&[]), &Overrides::default())
                .unwrap_err();
        let text = error.to_string();
        for needle in [
            URL_VAR,
            MODEL_VAR,
            KEY_VAR,
            "[ask]",
            "http://localhost:11434/v1",
        ] {
            assert!(text.contains(needle), "{needle} missing from: {text}");
        }
        assert_eq!(error.exit_code(), crate::PROVIDER_EXIT);
        let half = env(&[(URL_VAR, "http://env/v1"), (MODEL_VAR, "")]);
        let text = ProviderConfig::resolve(&AskSection::default(), half, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("a provider URL is set, but no model"),
            "{text}"
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let mut config = ProviderConfig::new("http://x/v1", "m");
        config.api_key = Some("sk-very-secret".into());
        let text = format!("{config:?}");
        assert!(!text.contains("sk-very-secret"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn cost_needs_a_price() {
        let mut config = ProviderConfig::new("http://x/v1", "m");
        assert_eq!(config.cost(1000, 1000), None);
        config.price_per_million_prompt = Some(1.0);
        config.price_per_million_completion = Some(3.0);
        let cost = config.cost(2_000_000, 1_000_000).unwrap();
        assert!((cost - 5.0).abs() < 1e-9, "{cost}");
    }
}
