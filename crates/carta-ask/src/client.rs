//! The OpenAI-compatible chat API: `POST {base_url}/chat/completions`,
//! which hosted APIs, Ollama, vLLM and llama.cpp servers all speak.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{AskError, ProviderConfig};

/// Who said a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
        }
    }
}

/// Tokens a request took, as the provider counted them or, when its answer
/// has no `usage`, estimated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// At least one request's counts were estimated (characters / 4).
    pub estimated: bool,
    /// From the configured prices; `None` without them.
    pub cost: Option<f64>,
}

impl Usage {
    /// Adds `other`'s tokens; the cost is computed once, at the end.
    pub fn add(&mut self, other: Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.estimated |= other.estimated;
    }
}

/// One answer of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub content: String,
    pub usage: Usage,
}

/// Backoff before the first retry; doubled for each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Characters of an error body kept in [`AskError::Http`].
const BODY_EXCERPT_CHARS: usize = 300;

/// The real HTTP client of one provider.
pub struct ChatClient {
    config: ProviderConfig,
    http: reqwest::Client,
    url: String,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [Message],
    temperature: f32,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<ResponseUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
}

#[derive(Deserialize)]
struct ResponseUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

impl ChatClient {
    pub fn new(config: ProviderConfig) -> Result<ChatClient, AskError> {
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| AskError::Connect {
                url: url.clone(),
                message: e.to_string(),
            })?;
        Ok(ChatClient { config, http, url })
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// Sends `messages` at temperature 0 and returns the first choice,
    /// retrying a 429 or 5xx answer up to `max_retries` times.
    pub async fn complete(&self, messages: &[Message]) -> Result<Completion, AskError> {
        let body = Request {
            model: &self.config.model,
            messages,
            temperature: 0.0,
        };
        let mut retry = 0;
        loop {
            let mut request = self.http.post(&self.url).json(&body);
            if let Some(key) = &self.config.api_key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.map_err(|e| self.transport(e))?;
            let status = response.status();
            let retry_after = retry_after(&response);
            let text = response.text().await.map_err(|e| self.transport(e))?;
            let retryable = status.as_u16() == 429 || status.is_server_error();
            if retryable && retry < self.config.max_retries {
                let backoff = FIRST_BACKOFF * 2u32.saturating_pow(retry);
                tokio::time::sleep(
                    retry_after
                        .unwrap_or(backoff)
                        .min(self.config.max_retry_wait),
                )
                .await;
                retry += 1;
                continue;
            }
            if status.as_u16() == 429 {
                return Err(AskError::RateLimited {
                    url: self.url.clone(),
                    retries: retry,
                    retry_after,
                });
            }
            if !status.is_success() {
                return Err(AskError::Http {
                    url: self.url.clone(),
                    status: status.as_u16(),
                    body: self.excerpt(&text),
                });
            }
            return self.parse(&text, messages);
        }
    }

    fn parse(&self, text: &str, messages: &[Message]) -> Result<Completion, AskError> {
        let malformed = |message: String| AskError::Malformed {
            url: self.url.clone(),
            message,
        };
        let response: Response = serde_json::from_str(text)
            .map_err(|e| malformed(format!("not JSON ({e}): {}", self.excerpt(text))))?;
        let content = response
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| malformed("no choices".into()))?
            .message
            .and_then(|m| m.content)
            .ok_or_else(|| malformed("the first choice has no message content".into()))?;
        let counted = response
            .usage
            .and_then(|u| Some((u.prompt_tokens?, u.completion_tokens?)));
        let usage = match counted {
            Some((prompt_tokens, completion_tokens)) => Usage {
                prompt_tokens,
                completion_tokens,
                ..Usage::default()
            },
            None => Usage {
                prompt_tokens: messages.iter().map(|m| estimate_tokens(&m.content)).sum(),
                completion_tokens: estimate_tokens(&content),
                estimated: true,
                cost: None,
            },
        };
        Ok(Completion { content, usage })
    }

    /// A failure below HTTP: the request timed out or never connected.
    fn transport(&self, e: reqwest::Error) -> AskError {
        if e.is_timeout() {
            return AskError::Timeout {
                url: self.url.clone(),
                timeout: self.config.timeout,
            };
        }
        // The URL is in the error already; the chain says what went wrong.
        let e = e.without_url();
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            message.push_str(&format!(": {c}"));
            cause = c.source();
        }
        AskError::Connect {
            url: self.url.clone(),
            message,
        }
    }

    /// The start of a response body, with the key removed should the
    /// provider echo it.
    fn excerpt(&self, text: &str) -> String {
        let mut excerpt: String = text.chars().take(BODY_EXCERPT_CHARS).collect();
        if let Some(key) = self.config.api_key.as_deref().filter(|k| !k.is_empty()) {
            excerpt = excerpt.replace(key, "[redacted]");
        }
        if text.chars().count() > BODY_EXCERPT_CHARS {
            excerpt.push_str("...");
        }
        excerpt.trim().to_string()
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare from APIs and falls
/// back to the backoff).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?;
    let seconds: f64 = value.to_str().ok()?.trim().parse().ok()?;
    // Rejects negative, infinite and absurdly large values alike.
    Duration::try_from_secs_f64(seconds).ok()
}

/// ceil(characters / 4): the usual rule of thumb for BPE tokenizers, used
/// only when the provider does not count.
fn estimate_tokens(text: &str) -> u64 {
    text.chars().count().div_ceil(4) as u64
}
