//! The workspace's LLM provider and questions in plain language about a
//! connection.

use crate::ask::{self, Asked};
use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::executions::{self, Format, Rows, Run};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::routes::queries::{connection, present, validate_multiline, RunBody};
use crate::routes::validate_text;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::Json;
use carta_store::{LlmSettings, MemberRole};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

const MAX_QUESTION_BYTES: usize = 4096;
const MAX_FIELD_CHARS: usize = 2048;

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Per million prompt tokens, in the currency you bill in.
    pub prompt: Option<f64>,
    /// Per million completion tokens.
    pub completion: Option<f64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLlm {
    /// An OpenAI-compatible API up to its version, e.g.
    /// `http://localhost:11434/v1` (Ollama) or `https://api.openai.com/v1`.
    pub provider_url: String,
    pub model: String,
    /// Sealed with the server's key and never shown again. Leave it out to
    /// keep the current key; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub api_key: Option<Option<String>>,
    pub prices: Option<Prices>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LlmBody {
    pub provider_url: String,
    pub model: String,
    /// Whether a key is stored; the key itself is never returned.
    pub has_api_key: bool,
    pub prices: Prices,
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Questions asked in the last 30 days and their tokens (on `GET`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_30_days: Option<AskUsageBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AskUsageBody {
    pub asks: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// From the prices set at the time of each question.
    pub cost: f64,
}

impl From<LlmSettings> for LlmBody {
    fn from(s: LlmSettings) -> LlmBody {
        LlmBody {
            provider_url: s.provider_url,
            model: s.model,
            has_api_key: s.api_key.is_some(),
            prices: Prices {
                prompt: s.price_per_million_prompt,
                completion: s.price_per_million_completion,
            },
            updated_by: s.updated_by,
            updated_at: s.updated_at,
            usage_30_days: None,
        }
    }
}

/// An http(s) URL without credentials (the key goes in `api_key`). Like
/// connection targets, any host is allowed: a provider on the internal
/// network (Ollama, vLLM) is the common case.
fn validate_provider_url(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    validate_text("provider_url", text)?;
    if text.chars().count() > MAX_FIELD_CHARS {
        return Err(ApiError::bad_request("provider_url is too long"));
    }
    let url = url::Url::parse(text)
        .map_err(|e| ApiError::bad_request(format!("provider_url is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::bad_request(
            "provider_url must be an http:// or https:// URL with a host",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::bad_request(
            "provider_url must not hold credentials: give the key as api_key",
        ));
    }
    Ok(text.trim_end_matches('/').to_string())
}

fn validate_price(what: &str, price: Option<f64>) -> Result<Option<f64>, ApiError> {
    match price {
        Some(p) if !p.is_finite() || p < 0.0 => Err(ApiError::bad_request(format!(
            "{what} must be a number of zero or more"
        ))),
        other => Ok(other),
    }
}

/// Sets the workspace's LLM provider (workspace admins).
#[utoipa::path(put, path = "/workspaces/{id}/llm", tag = "ask",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = SetLlm,
    responses((status = 200, body = LlmBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_llm(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SetLlm>,
) -> Result<Json<LlmBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let provider_url = validate_provider_url(&body.provider_url)?;
    let model = body.model.trim();
    if model.is_empty() || model.chars().count() > MAX_FIELD_CHARS {
        return Err(ApiError::bad_request("model must be a name"));
    }
    validate_text("model", model)?;
    let prices = body.prices.unwrap_or_default();
    let store = state.store();
    let api_key = match body.api_key {
        None => store.llm_settings(id).await?.and_then(|s| s.api_key),
        Some(None) => None,
        Some(Some(key)) => {
            validate_text("api_key", &key)?;
            Some(state.seal(key.trim()))
        }
    };
    let settings = LlmSettings {
        workspace_id: id,
        provider_url,
        model: model.to_string(),
        api_key,
        price_per_million_prompt: validate_price("prices.prompt", prices.prompt)?,
        price_per_million_completion: validate_price("prices.completion", prices.completion)?,
        updated_by: Some(caller.user.id),
        updated_at: carta_store::now(),
    };
    store.set_llm_settings(settings.clone()).await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "llm.update",
                workspace_id: Some(id),
                resource_type: "workspace",
                resource_id: Some(id.to_string()),
                details: json!({
                    "provider_url": settings.provider_url,
                    "model": settings.model,
                    "has_api_key": settings.api_key.is_some(),
                }),
            },
        )
        .await?;
    Ok(Json(settings.into()))
}

/// The workspace's LLM provider, without its key, and the questions asked
/// in the last 30 days (any member).
#[utoipa::path(get, path = "/workspaces/{id}/llm", tag = "ask",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = LlmBody),
        (status = 404, description = "no workspace, or no provider set", body = ErrorBody)))]
pub async fn get_llm(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<LlmBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let store = state.store();
    let settings = store
        .llm_settings(id)
        .await?
        .ok_or_else(|| ApiError::not_found("LLM provider"))?;
    let usage = store
        .ask_usage(id, carta_store::now() - time::Duration::days(30))
        .await?;
    Ok(Json(LlmBody {
        usage_30_days: Some(AskUsageBody {
            asks: usage.asks,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            cost: usage.cost,
        }),
        ..settings.into()
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    pub question: String,
    /// Run the SQL (read-only) once it validated.
    #[serde(default)]
    pub run: bool,
    pub max_rows: Option<u64>,
    pub timeout_ms: Option<u64>,
}

/// A table shown to the model, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextTable {
    /// `schema.table`.
    pub table: String,
    pub score: f32,
    /// `{"kind": "matched", "terms": [...]}`, `{"kind": "join_path", "between": [...]}`
    /// or `{"kind": "example"}`.
    #[schema(value_type = Object)]
    pub reason: serde_json::Value,
}

/// What the model was shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextBody {
    pub tables: Vec<ContextTable>,
    /// The schema text, as given to the model.
    pub text: String,
    /// Its estimated tokens.
    pub tokens: usize,
    /// Relevant tables left out for the token budget.
    pub omitted: Vec<String>,
    /// Saved questions given as examples.
    pub examples: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageBody {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Some counts were estimated (the provider sent none).
    pub estimated: bool,
    /// From the workspace's prices, when set.
    pub cost: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AskBody {
    /// The saved (private) query holding the question and its SQL.
    pub query_id: Uuid,
    pub sql: String,
    pub explanation: String,
    /// `schema.table` of what the SQL reads.
    pub tables_used: Vec<String>,
    /// Answers the model gave, the accepted one included.
    pub attempts: u32,
    pub context: ContextBody,
    pub usage: UsageBody,
    /// The run, when `run` was asked.
    pub execution: Option<RunBody>,
}

fn ask_body(asked: Asked, execution: Option<RunBody>) -> AskBody {
    let Asked {
        answer,
        retrieval,
        query,
    } = asked;
    AskBody {
        query_id: query.id,
        sql: answer.sql,
        explanation: answer.explanation,
        tables_used: answer.tables_used,
        attempts: answer.attempts,
        context: ContextBody {
            tables: retrieval
                .tables
                .into_iter()
                .map(|t| ContextTable {
                    table: t.table.to_string(),
                    score: t.score,
                    reason: serde_json::to_value(&t.reason).unwrap_or_default(),
                })
                .collect(),
            text: retrieval.context,
            tokens: retrieval.tokens,
            omitted: retrieval.omitted.iter().map(ToString::to_string).collect(),
            examples: retrieval.examples.into_iter().map(|e| e.question).collect(),
        },
        usage: UsageBody {
            prompt_tokens: answer.usage.prompt_tokens,
            completion_tokens: answer.usage.completion_tokens,
            estimated: answer.usage.estimated,
            cost: answer.usage.cost,
        },
        execution,
    }
}

/// Answers a question about the connection with validated read-only SQL
/// (any member): retrieval over its latest synced schema, the workspace's
/// provider, EXPLAIN on the live database. The answer is saved as a
/// private query; it runs only when `run` is true.
#[utoipa::path(post, path = "/workspaces/{id}/connections/{cid}/ask", tag = "ask",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("cid" = Uuid, Path, description = "connection id")),
    request_body = AskRequest,
    responses((status = 200, body = AskBody),
        (status = 400, description = "a bad question, or no valid SQL after the repairs", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "no provider configured, or the connection was never synced", body = ErrorBody),
        (status = 503, description = "the provider failed", body = ErrorBody)))]
pub async fn ask_question(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<AskRequest>,
) -> Result<Json<AskBody>, ApiError> {
    let access = workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let question = body.question.trim();
    if question.is_empty() {
        return Err(ApiError::bad_request("question must not be empty"));
    }
    validate_multiline("the question", question, MAX_QUESTION_BYTES)?;
    let connection = connection(&state, id, cid).await?;
    let asked = ask::ask(&state, &connection, caller.user.id, question).await?;
    let execution = if body.run {
        let ran = executions::run(
            &state,
            Run {
                connection: &connection,
                query_id: Some(asked.query.id),
                sql: &asked.answer.sql,
                max_rows: body.max_rows,
                timeout_ms: body.timeout_ms,
                format: Format::Json,
                allow_writes: false,
                role: access.role,
                caller: caller.user.id,
            },
        )
        .await?;
        match ran.rows {
            Rows::Json(rows) => Some(RunBody::new(ran.execution, ran.columns, rows)),
            Rows::Csv(_) => None,
        }
    } else {
        None
    };
    Ok(Json(ask_body(asked, execution)))
}
