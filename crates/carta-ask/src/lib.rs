//! Questions in plain language to validated, read-only SQL.
//!
//! The caller retrieves the schema context for a question (carta-retrieve)
//! and hands it over as an [`AskContext`]; [`ask`] builds the prompt, asks
//! an OpenAI-compatible chat API through [`ChatClient`], reads the SQL out
//! of the answer ([`extract_sql`]), and has a [`Validator`] judge it: the
//! query runner's statement checks, known tables, and EXPLAIN on a live
//! database. A rejected answer goes back to the model with the reason, at
//! most `max_repairs` times. Nothing here executes the SQL.

mod client;
mod config;
mod error;
mod prompt;
mod validate;

pub use client::{ChatClient, Completion, Message, Role, Usage};
pub use config::{Overrides, ProviderConfig, KEY_VAR, MODEL_VAR, URL_VAR};
pub use error::{AskError, NO_VALID_SQL_EXIT, PROVIDER_EXIT};
pub use prompt::{dialect_name, extract_sql, messages, AskContext, Extracted};
pub use validate::{LiveValidator, StaticValidator, Validation, Validator};

use serde::Serialize;

/// SQL that passed validation, with what it took to get it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub sql: String,
    pub explanation: String,
    /// `schema.table` of what the SQL reads, from its parsed statement.
    pub tables_used: Vec<String>,
    /// The tables the model was shown.
    pub context_tables: Vec<String>,
    /// Answers the model gave, the accepted one included.
    pub attempts: u32,
    /// Summed over every request.
    pub usage: Usage,
}

/// Asks `question` about `context` until an answer passes `validator`:
/// the first answer plus up to `max_repairs` repairs.
pub async fn ask(
    client: &ChatClient,
    context: &AskContext,
    question: &str,
    validator: &impl Validator,
) -> Result<Answer, AskError> {
    let config = client.config();
    let mut conversation = messages(context, question);
    let mut usage = Usage::default();
    let mut attempts = 0;
    loop {
        let completion = client.complete(&conversation).await?;
        attempts += 1;
        usage.add(completion.usage);
        let (last_sql, last_error, repair) = match extract_sql(&completion.content, context.dialect)
        {
            None => (
                String::new(),
                "the answer holds no SQL".to_string(),
                prompt::no_sql_repair(),
            ),
            Some(extracted) => match validator.validate(&extracted.sql).await? {
                Validation::Valid { tables_used } => {
                    usage.cost = config.cost(usage.prompt_tokens, usage.completion_tokens);
                    return Ok(Answer {
                        sql: extracted.sql,
                        explanation: extracted.explanation,
                        tables_used,
                        context_tables: context.tables.clone(),
                        attempts,
                        usage,
                    });
                }
                Validation::Invalid { error } => {
                    let repair = prompt::invalid_sql_repair(&error);
                    (extracted.sql, error, repair)
                }
            },
        };
        if attempts > config.max_repairs {
            usage.cost = config.cost(usage.prompt_tokens, usage.completion_tokens);
            return Err(AskError::NoValidSql {
                last_sql,
                last_error,
                attempts,
                usage,
            });
        }
        conversation.push(Message::new(Role::Assistant, completion.content));
        conversation.push(Message::new(Role::User, repair));
    }
}
