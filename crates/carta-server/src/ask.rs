//! A question about a connection, answered with validated read-only SQL:
//! the latest synced schema (with its relation graph), retrieval with the
//! workspace's good saved queries and the connection's docs as extras,
//! carta-ask with the workspace's provider and EXPLAIN on the live
//! database, usage recorded, and the answer saved as a private query.

use crate::error::{ApiError, ErrorCode};
use crate::executions;
use crate::routes::schemas::version_catalog;
use crate::state::AppState;
use carta_ask::{
    Answer, AskContext, AskError, ChatClient, LiveValidator, ProviderConfig, StaticValidator,
    Validation, Validator,
};
use carta_retrieve::{Extra, ExtraKind, Retrieval, RetrieveOptions, SchemaIndex, TableRef};
use carta_store::{Connection, DocFilter, LlmSettings, NewAsk, NewQuery, SavedQuery, Visibility};
use std::time::Duration;
use uuid::Uuid;

/// The longest EXPLAIN of a generated statement.
const EXPLAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// The tag of every query `ask` saves.
pub const ASK_TAG: &str = "ask";
/// Saved titles are the question, cut to this many characters.
const TITLE_CHARS: usize = 200;

/// Why a question got no answer, as the API tells it.
fn ask_error(error: &AskError, api_key: Option<&str>, uri: &str) -> ApiError {
    let mut message = crate::probe::scrub(&error.to_string(), uri);
    if let Some(key) = api_key.filter(|key| !key.is_empty()) {
        message = message.replace(key, "***");
    }
    match error {
        AskError::NoValidSql { .. } => ApiError::bad_request(message),
        _ => ApiError::new(ErrorCode::Unavailable, message),
    }
}

/// The provider a workspace asks with, its key opened.
pub fn provider(state: &AppState, settings: &LlmSettings) -> Result<ProviderConfig, ApiError> {
    let mut config = ProviderConfig::new(&settings.provider_url, &settings.model);
    config.api_key = settings
        .api_key
        .as_ref()
        .map(|sealed| state.open(sealed))
        .transpose()?;
    config.price_per_million_prompt = settings.price_per_million_prompt;
    config.price_per_million_completion = settings.price_per_million_completion;
    Ok(config)
}

fn table_ref(name: &str) -> Option<TableRef> {
    let (schema, table) = name.split_once('.')?;
    Some(TableRef::new(
        schema,
        table.split('.').next().unwrap_or(table),
    ))
}

/// Saved queries that still read only known tables become examples, and
/// the connection's live docs boost the tables they are about.
async fn extras(
    state: &AppState,
    connection: &Connection,
    caller: Uuid,
    statics: &StaticValidator,
) -> Result<Vec<Extra>, ApiError> {
    let store = state.store();
    let mut extras = Vec::new();
    for query in store
        .example_queries(connection.workspace_id, caller)
        .await?
        .into_iter()
        .filter(|q| q.connection_id.is_none_or(|id| id == connection.id))
    {
        let tables = match statics.validate(&query.sql_text).await {
            Ok(Validation::Valid { tables_used }) => tables_used,
            _ => continue,
        };
        extras.push(Extra {
            kind: ExtraKind::SavedQuery {
                sql: query.sql_text,
            },
            title: query.question.unwrap_or(query.title),
            text: query.description.unwrap_or_default(),
            tables: tables.iter().filter_map(|t| table_ref(t)).collect(),
        });
    }
    let docs = store
        .docs(DocFilter {
            workspace_id: connection.workspace_id,
            connection_id: Some(connection.id),
            scope: None,
            orphaned: Some(false),
        })
        .await?;
    extras.extend(docs.into_iter().filter_map(|doc| {
        let table = table_ref(&doc.object_key)?;
        Some(Extra {
            kind: ExtraKind::Doc,
            title: doc.object_key,
            text: doc.content_md,
            tables: vec![table],
        })
    }));
    Ok(extras)
}

/// What asking produced.
pub struct Asked {
    pub answer: Answer,
    pub retrieval: Retrieval,
    pub query: SavedQuery,
}

/// Asks `question` about `connection` for `caller`. 409 without a
/// provider or a synced version; the provider's failures are 503 and an
/// answer that never validated is 400, each recorded as an ask.
pub async fn ask(
    state: &AppState,
    connection: &Connection,
    caller: Uuid,
    question: &str,
) -> Result<Asked, ApiError> {
    let store = state.store();
    let workspace = connection.workspace_id;
    let settings = store.llm_settings(workspace).await?.ok_or_else(|| {
        ApiError::conflict(
            "no LLM provider is configured for this workspace: a workspace admin sets one with \
             PUT /workspaces/{id}/llm (provider_url, model, api_key)",
        )
    })?;
    let latest = store
        .schema_versions(workspace, connection.id)
        .await?
        .first()
        .map(|v| v.version)
        .ok_or_else(|| ApiError::conflict("sync the connection first: it has no schema version"))?;
    let (_, mut catalog) = version_catalog(state, workspace, connection.id, latest).await?;
    let graph = carta_config::Config::default()
        .apply(&mut catalog)
        .map_err(|e| ApiError::internal(&e))?;
    let statics = StaticValidator::for_catalog(&catalog);
    let extras = extras(state, connection, caller, &statics).await?;
    let retrieval = SchemaIndex::build(&catalog, &graph, &extras)
        .and_then(|index| index.retrieve(question, &RetrieveOptions::default()))
        .map_err(|e| ApiError::internal(&e))?;
    let context = AskContext::from_retrieval(catalog.dialect, &retrieval, Vec::new());
    let config = provider(state, &settings)?;
    let api_key = config.api_key.clone();
    let (source, uri) = executions::source(state, connection)?;
    let client = ChatClient::new(config).map_err(|e| ask_error(&e, api_key.as_deref(), &uri))?;
    let validator = LiveValidator::new(statics, source, EXPLAIN_TIMEOUT);
    let asked = carta_ask::ask(&client, &context, question, &validator).await;
    let mut usage = NewAsk {
        workspace_id: workspace,
        connection_id: connection.id,
        query_id: None,
        asked_by: caller,
        question: question.to_string(),
        model: settings.model.clone(),
        prompt_tokens: 0,
        completion_tokens: 0,
        cost: None,
        error: None,
    };
    let answer = match asked {
        Ok(answer) => answer,
        Err(error) => {
            let refused = ask_error(&error, api_key.as_deref(), &uri);
            // Answers that never validated still cost their tokens.
            if let AskError::NoValidSql { usage: spent, .. } = &error {
                usage.prompt_tokens = spent.prompt_tokens;
                usage.completion_tokens = spent.completion_tokens;
                usage.cost = spent.cost;
            }
            usage.error = Some(refused.message.clone());
            store.record_ask(usage).await?;
            return Err(refused);
        }
    };
    let query = store
        .create_query(NewQuery {
            workspace_id: workspace,
            connection_id: Some(connection.id),
            title: question.chars().take(TITLE_CHARS).collect(),
            description: Some(answer.explanation.clone()).filter(|e| !e.is_empty()),
            sql_text: answer.sql.clone(),
            is_write: false,
            tags: vec![ASK_TAG.to_string()],
            visibility: Visibility::Private,
            question: Some(question.to_string()),
            created_by: caller,
        })
        .await?;
    store
        .record_ask(NewAsk {
            query_id: Some(query.id),
            prompt_tokens: answer.usage.prompt_tokens,
            completion_tokens: answer.usage.completion_tokens,
            cost: answer.usage.cost,
            ..usage
        })
        .await?;
    Ok(Asked {
        answer,
        retrieval,
        query,
    })
}
