use std::time::Duration;

use crate::Usage;

/// Exit status of `carta ask` when no provider is configured or the
/// provider failed (documented in the README).
pub const PROVIDER_EXIT: i32 = 15;
/// Exit status of `carta ask` when no answer passed validation.
pub const NO_VALID_SQL_EXIT: i32 = 16;

/// Why a question got no answer. No variant ever holds the API key.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error(
        "no LLM provider is configured. Set CARTA_LLM_URL and CARTA_LLM_MODEL (and \
         CARTA_LLM_API_KEY for hosted APIs), or write them in carta.toml:\n\n  [ask]\n  \
         provider_url = \"http://localhost:11434/v1\"   # Ollama; any OpenAI-compatible API\n  \
         model = \"qwen2.5-coder:7b\"\n  api_key_env = \"OPENAI_API_KEY\"   # the variable that \
         holds the key, if one is needed\n\nor pass --provider-url and --model.{missing}"
    )]
    NoProvider {
        /// What is missing, as a sentence that starts with a space (or nothing).
        missing: String,
    },
    #[error("the API key variable {name} named by [ask] api_key_env is not set")]
    MissingKey { name: String },
    #[error("the provider at {url} did not answer within {} s", .timeout.as_secs_f64())]
    Timeout { url: String, timeout: Duration },
    #[error("the provider at {url} could not be reached: {message}")]
    Connect { url: String, message: String },
    #[error("the provider at {url} is rate limiting requests and still was after {retries} retries{}", retry_hint(.retry_after))]
    RateLimited {
        url: String,
        retries: u32,
        retry_after: Option<Duration>,
    },
    #[error("the provider at {url} answered HTTP {status}: {body}")]
    Http {
        url: String,
        status: u16,
        /// The start of the response body, with the key (if echoed) removed.
        body: String,
    },
    #[error("the provider at {url} answered something that is not a chat completion: {message}")]
    Malformed { url: String, message: String },
    #[error("no valid SQL after {attempts} answers; the last one ({last_error}) was:\n{last_sql}")]
    NoValidSql {
        /// The last SQL the model wrote (empty when it wrote none).
        last_sql: String,
        last_error: String,
        attempts: u32,
        /// What the failed answers took, to be accounted like a success.
        usage: Usage,
    },
    /// The validator itself could not work (the database to EXPLAIN on is
    /// unreachable, say): not the model's fault, so no repair is tried.
    #[error("validating the SQL failed: {0}")]
    Validator(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (it asked to wait {} s)", wait.as_secs()),
        None => String::new(),
    }
}

impl AskError {
    /// The exit status `carta ask` uses for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            AskError::NoValidSql { .. } => NO_VALID_SQL_EXIT,
            _ => PROVIDER_EXIT,
        }
    }
}
