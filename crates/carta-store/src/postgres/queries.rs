//! Saved queries, executions, feedback, LLM settings and asks on PostgreSQL.

use deadpool_postgres::GenericClient;
use tokio_postgres::types::Json;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{execute, execute_one, one, out_of_range, parsed, rows, Rls, LIVE_WORKSPACE};
use crate::model::{SealedUri, Timestamp};
use crate::queries::{
    AskUsage, Execution, ExecutionEnd, ExecutionFilter, Feedback, LlmSettings, NewAsk,
    NewExecution, NewFeedback, NewQuery, QueryChange, QueryFilter, SavedQuery,
};
use crate::StoreError;

/// `$1` is the workspace; the rating columns come from its feedback.
const QUERY_SELECT: &str = "SELECT q.id, q.workspace_id, q.connection_id, q.title, q.description,
    q.sql_text, q.is_write, q.tags, q.visibility, q.question, q.created_by, q.created_at,
    q.updated_at,
    (SELECT avg(f.rating)::float8 FROM carta.query_feedback f WHERE f.query_id = q.id),
    (SELECT count(*) FROM carta.query_feedback f WHERE f.query_id = q.id)
    FROM carta.queries q
    WHERE q.workspace_id = $1
      AND EXISTS (SELECT 1 FROM carta.workspaces w WHERE w.id = $1 AND w.deleted_at IS NULL)";

/// A query `$2` sees: shared, or its own.
const VISIBLE_TO: &str = "(q.visibility = 'workspace' OR q.created_by = $2)";

/// `$2` exists in workspace `$1`, or is NULL.
const CONNECTION_IN_WORKSPACE: &str =
    "($2::uuid IS NULL OR EXISTS (SELECT 1 FROM carta.connections c
    WHERE c.id = $2 AND c.workspace_id = $1))";

fn query_from(row: &Row) -> Result<SavedQuery, StoreError> {
    Ok(SavedQuery {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        connection_id: row.try_get(2)?,
        title: row.try_get(3)?,
        description: row.try_get(4)?,
        sql_text: row.try_get(5)?,
        is_write: row.try_get(6)?,
        tags: row.try_get::<_, Json<Vec<String>>>(7)?.0,
        visibility: parsed(row, 8)?,
        question: row.try_get(9)?,
        created_by: row.try_get(10)?,
        created_at: row.try_get(11)?,
        updated_at: row.try_get(12)?,
        rating: row.try_get(13)?,
        ratings: u32::try_from(row.try_get::<_, i64>(14)?).map_err(|_| out_of_range("ratings"))?,
    })
}

const EXECUTION_COLUMNS: &str = "id, workspace_id, connection_id, query_id, sql_text, executed_by,
    status, cancel_requested, started_at, finished_at, duration_ms, row_count, truncated, error";

fn count_at(row: &Row, index: usize, what: &str) -> Result<Option<u64>, StoreError> {
    row.try_get::<_, Option<i64>>(index)?
        .map(|n| u64::try_from(n).map_err(|_| out_of_range(what)))
        .transpose()
}

/// Counts go in as bigint; nothing real is above `i64::MAX`.
fn bigint(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn execution_from(row: &Row) -> Result<Execution, StoreError> {
    Ok(Execution {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        connection_id: row.try_get(2)?,
        query_id: row.try_get(3)?,
        sql_text: row.try_get(4)?,
        executed_by: row.try_get(5)?,
        status: parsed(row, 6)?,
        cancel_requested: row.try_get(7)?,
        started_at: row.try_get(8)?,
        finished_at: row.try_get(9)?,
        duration_ms: count_at(row, 10, "duration")?,
        row_count: count_at(row, 11, "row count")?,
        truncated: row.try_get(12)?,
        error: row.try_get(13)?,
    })
}

const FEEDBACK_COLUMNS: &str = "id, query_id, user_id, rating, comment, created_at";

fn feedback_from(row: &Row) -> Result<Feedback, StoreError> {
    Ok(Feedback {
        id: row.try_get(0)?,
        query_id: row.try_get(1)?,
        user_id: row.try_get(2)?,
        rating: u8::try_from(row.try_get::<_, i16>(3)?).map_err(|_| out_of_range("rating"))?,
        comment: row.try_get(4)?,
        created_at: row.try_get(5)?,
    })
}

async fn query_by_id<C: GenericClient>(
    client: &C,
    workspace: Uuid,
    id: Uuid,
) -> Result<Option<SavedQuery>, StoreError> {
    one(
        client,
        &format!("{QUERY_SELECT} AND q.id = $2"),
        &[&workspace, &id],
    )
    .await?
    .as_ref()
    .map(query_from)
    .transpose()
}

/// Why a change to an execution matched no row: it has ended, or it is not there.
async fn ended_or_missing<C: GenericClient>(client: &C, workspace: Uuid, id: Uuid) -> StoreError {
    match one(
        client,
        "SELECT 1 FROM carta.executions WHERE workspace_id = $1 AND id = $2",
        &[&workspace, &id],
    )
    .await
    {
        Ok(Some(_)) => StoreError::Conflict("the execution has already ended".into()),
        Ok(None) => StoreError::NotFound,
        Err(error) => error,
    }
}

impl super::PgStore {
    pub(crate) async fn create_query(
        &self,
        new: NewQuery,
        id: Uuid,
        now: Timestamp,
    ) -> Result<SavedQuery, StoreError> {
        self.transact(Rls::Workspace(new.workspace_id), async |tx| {
            let inserted = execute(
                tx,
                &format!(
                    "INSERT INTO carta.queries (id, workspace_id, connection_id, title, description,
                         sql_text, is_write, tags, visibility, question, created_by, created_at, updated_at)
                     SELECT $3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12
                     WHERE {LIVE_WORKSPACE} AND {CONNECTION_IN_WORKSPACE}"
                ),
                &[
                    &new.workspace_id,
                    &new.connection_id,
                    &id,
                    &new.title,
                    &new.description,
                    &new.sql_text,
                    &new.is_write,
                    &Json(&new.tags),
                    &new.visibility.as_str(),
                    &new.question,
                    &new.created_by,
                    &now,
                ],
            )
            .await?;
            if inserted == 0 {
                return Err(StoreError::NotFound);
            }
            query_by_id(tx, new.workspace_id, id)
                .await?
                .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn query(
        &self,
        workspace: Uuid,
        id: Uuid,
        viewer: Uuid,
    ) -> Result<Option<SavedQuery>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!("{QUERY_SELECT} AND {VISIBLE_TO} AND q.id = $3"),
                &[&workspace, &viewer, &id],
            )
            .await?
            .as_ref()
            .map(query_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn queries(
        &self,
        workspace: Uuid,
        filter: QueryFilter,
    ) -> Result<Vec<SavedQuery>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            rows(
                tx,
                &format!(
                    "{QUERY_SELECT} AND {VISIBLE_TO}
                       AND ($3::text IS NULL OR q.tags @> jsonb_build_array($3::text))
                       AND ($4::uuid IS NULL OR q.connection_id = $4)
                     ORDER BY q.updated_at DESC, q.id"
                ),
                &[
                    &workspace,
                    &filter.viewer,
                    &filter.tag,
                    &filter.connection_id,
                ],
            )
            .await?
            .iter()
            .map(query_from)
            .collect()
        })
        .await
    }

    pub(crate) async fn update_query(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: QueryChange,
        now: Timestamp,
    ) -> Result<SavedQuery, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            // Locked, so concurrent partial updates do not undo each other.
            one(
                tx,
                "SELECT 1 FROM carta.queries WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
                &[&workspace, &id],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            let mut query = query_by_id(tx, workspace, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            change.apply(&mut query);
            let updated = execute(
                tx,
                &format!(
                    "UPDATE carta.queries SET connection_id = $2, title = $4, description = $5,
                         sql_text = $6, is_write = $7, tags = $8, visibility = $9, updated_at = $10
                     WHERE workspace_id = $1 AND id = $3 AND {CONNECTION_IN_WORKSPACE}"
                ),
                &[
                    &workspace,
                    &query.connection_id,
                    &id,
                    &query.title,
                    &query.description,
                    &query.sql_text,
                    &query.is_write,
                    &Json(&query.tags),
                    &query.visibility.as_str(),
                    &now,
                ],
            )
            .await?;
            if updated == 0 {
                return Err(StoreError::NotFound);
            }
            query_by_id(tx, workspace, id)
                .await?
                .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_query(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            execute_one(
                tx,
                "DELETE FROM carta.queries WHERE workspace_id = $1 AND id = $2",
                &[&workspace, &id],
            )
            .await
        })
        .await
    }

    pub(crate) async fn start_execution(
        &self,
        new: NewExecution,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Execution, StoreError> {
        self.transact(Rls::Workspace(new.workspace_id), async |tx| {
            one(
                tx,
                &format!(
                    "INSERT INTO carta.executions (id, workspace_id, connection_id, query_id, sql_text,
                         executed_by, started_at)
                     SELECT $3, $1, $2, $4, $5, $6, $7
                     WHERE {LIVE_WORKSPACE} AND {CONNECTION_IN_WORKSPACE}
                       AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM carta.queries q
                           WHERE q.id = $4 AND q.workspace_id = $1))
                     RETURNING {EXECUTION_COLUMNS}"
                ),
                &[
                    &new.workspace_id,
                    &Some(new.connection_id),
                    &id,
                    &new.query_id,
                    &new.sql_text,
                    &new.executed_by,
                    &now,
                ],
            )
            .await?
            .as_ref()
            .map(execution_from)
            .transpose()?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn finish_execution(
        &self,
        workspace: Uuid,
        id: Uuid,
        end: ExecutionEnd,
        now: Timestamp,
    ) -> Result<Execution, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.executions SET status = $3, finished_at = $4, duration_ms = $5,
                         row_count = $6, truncated = $7, error = $8
                     WHERE workspace_id = $1 AND id = $2 AND status = 'running'
                     RETURNING {EXECUTION_COLUMNS}"
                ),
                &[
                    &workspace,
                    &id,
                    &end.status.as_str(),
                    &now,
                    &bigint(end.duration_ms),
                    &bigint(end.row_count),
                    &end.truncated,
                    &end.error,
                ],
            )
            .await?;
            match row {
                Some(row) => execution_from(&row),
                None => Err(ended_or_missing(tx, workspace, id).await),
            }
        })
        .await
    }

    pub(crate) async fn request_execution_cancel(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Execution, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.executions SET cancel_requested = true
                     WHERE workspace_id = $1 AND id = $2 AND status = 'running' AND {LIVE_WORKSPACE}
                     RETURNING {EXECUTION_COLUMNS}"
                ),
                &[&workspace, &id],
            )
            .await?;
            match row {
                Some(row) => execution_from(&row),
                None => Err(ended_or_missing(tx, workspace, id).await),
            }
        })
        .await
    }

    pub(crate) async fn execution(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Execution>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT {EXECUTION_COLUMNS} FROM carta.executions
                     WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await?
            .as_ref()
            .map(execution_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn executions(
        &self,
        workspace: Uuid,
        filter: ExecutionFilter,
    ) -> Result<Vec<Execution>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            rows(
                tx,
                &format!(
                    "SELECT {EXECUTION_COLUMNS} FROM carta.executions e
                     WHERE workspace_id = $1 AND {LIVE_WORKSPACE}
                       AND ($2::uuid IS NULL OR query_id = $2)
                       AND ($3::text IS NULL OR status = $3)
                       AND (query_id IS NULL OR EXISTS (SELECT 1 FROM carta.queries q
                           WHERE q.id = e.query_id AND (q.visibility = 'workspace' OR q.created_by = $4)))
                     ORDER BY started_at DESC, id DESC
                     LIMIT $5"
                ),
                &[
                    &workspace,
                    &filter.query_id,
                    &filter.status.map(|s| s.as_str()),
                    &filter.viewer,
                    &i64::from(filter.limit),
                ],
            )
            .await?
            .iter()
            .map(execution_from)
            .collect()
        })
        .await
    }

    pub(crate) async fn rate_query(
        &self,
        new: NewFeedback,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Feedback, StoreError> {
        self.transact(Rls::Workspace(new.workspace_id), async |tx| {
            one(
                tx,
                &format!(
                    "INSERT INTO carta.query_feedback (id, workspace_id, query_id, user_id, rating,
                         comment, created_at)
                     SELECT $3, $1, $2, $4, $5, $6, $7
                     WHERE {LIVE_WORKSPACE} AND EXISTS (SELECT 1 FROM carta.queries q
                         WHERE q.id = $2 AND q.workspace_id = $1)
                     ON CONFLICT (query_id, user_id) DO UPDATE
                         SET rating = excluded.rating, comment = excluded.comment,
                             created_at = excluded.created_at
                     RETURNING {FEEDBACK_COLUMNS}"
                ),
                &[
                    &new.workspace_id,
                    &new.query_id,
                    &id,
                    &new.user_id,
                    &i16::from(new.rating),
                    &new.comment,
                    &now,
                ],
            )
            .await?
            .as_ref()
            .map(feedback_from)
            .transpose()?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn query_feedback(
        &self,
        workspace: Uuid,
        query: Uuid,
    ) -> Result<Vec<Feedback>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            rows(
                tx,
                &format!(
                    "SELECT {FEEDBACK_COLUMNS} FROM carta.query_feedback
                     WHERE workspace_id = $1 AND query_id = $2 AND {LIVE_WORKSPACE}
                     ORDER BY created_at DESC, id"
                ),
                &[&workspace, &query],
            )
            .await?
            .iter()
            .map(feedback_from)
            .collect()
        })
        .await
    }

    pub(crate) async fn set_llm_settings(&self, settings: LlmSettings) -> Result<(), StoreError> {
        self.transact(Rls::Workspace(settings.workspace_id), async |tx| {
            let (key, key_id) = settings
                .api_key
                .as_ref()
                .map(|sealed| (&sealed.ciphertext, &sealed.key_id))
                .unzip();
            let written = execute(
                tx,
                &format!(
                    "INSERT INTO carta.workspace_llm (workspace_id, provider_url, model, api_key,
                         api_key_key_id, price_per_million_prompt, price_per_million_completion,
                         updated_by, updated_at)
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE {LIVE_WORKSPACE}
                     ON CONFLICT (workspace_id) DO UPDATE SET provider_url = excluded.provider_url,
                         model = excluded.model, api_key = excluded.api_key,
                         api_key_key_id = excluded.api_key_key_id,
                         price_per_million_prompt = excluded.price_per_million_prompt,
                         price_per_million_completion = excluded.price_per_million_completion,
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at"
                ),
                &[
                    &settings.workspace_id,
                    &settings.provider_url,
                    &settings.model,
                    &key,
                    &key_id,
                    &settings.price_per_million_prompt,
                    &settings.price_per_million_completion,
                    &settings.updated_by,
                    &settings.updated_at,
                ],
            )
            .await?;
            match written {
                0 => Err(StoreError::NotFound),
                _ => Ok(()),
            }
        })
        .await
    }

    pub(crate) async fn llm_settings(
        &self,
        workspace: Uuid,
    ) -> Result<Option<LlmSettings>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "SELECT workspace_id, provider_url, model, api_key, api_key_key_id,
                         price_per_million_prompt, price_per_million_completion, updated_by, updated_at
                     FROM carta.workspace_llm WHERE workspace_id = $1 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace],
            )
            .await?;
            let Some(row) = row else { return Ok(None) };
            let key: Option<Vec<u8>> = row.try_get(3)?;
            let key_id: Option<String> = row.try_get(4)?;
            Ok(Some(LlmSettings {
                workspace_id: row.try_get(0)?,
                provider_url: row.try_get(1)?,
                model: row.try_get(2)?,
                api_key: key
                    .zip(key_id)
                    .map(|(ciphertext, key_id)| SealedUri { ciphertext, key_id }),
                price_per_million_prompt: row.try_get(5)?,
                price_per_million_completion: row.try_get(6)?,
                updated_by: row.try_get(7)?,
                updated_at: row.try_get(8)?,
            }))
        })
        .await
    }

    pub(crate) async fn record_ask(
        &self,
        new: NewAsk,
        id: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.transact(Rls::Workspace(new.workspace_id), async |tx| {
            let inserted = execute(
                tx,
                &format!(
                    "INSERT INTO carta.asks (id, workspace_id, connection_id, query_id, asked_by,
                         question, model, prompt_tokens, completion_tokens, cost, error, created_at)
                     SELECT $3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12
                     WHERE {LIVE_WORKSPACE} AND {CONNECTION_IN_WORKSPACE}"
                ),
                &[
                    &new.workspace_id,
                    &Some(new.connection_id),
                    &id,
                    &new.query_id,
                    &new.asked_by,
                    &new.question,
                    &new.model,
                    &bigint(new.prompt_tokens),
                    &bigint(new.completion_tokens),
                    &new.cost,
                    &new.error,
                    &now,
                ],
            )
            .await?;
            match inserted {
                0 => Err(StoreError::NotFound),
                _ => Ok(()),
            }
        })
        .await
    }

    pub(crate) async fn ask_usage(
        &self,
        workspace: Uuid,
        since: Timestamp,
    ) -> Result<AskUsage, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                "SELECT count(*), coalesce(sum(prompt_tokens), 0)::bigint,
                     coalesce(sum(completion_tokens), 0)::bigint, coalesce(sum(cost), 0)::float8
                 FROM carta.asks WHERE workspace_id = $1 AND created_at >= $2",
                &[&workspace, &since],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            let count = |index: usize, what: &str| {
                count_at(&row, index, what).map(Option::unwrap_or_default)
            };
            Ok(AskUsage {
                asks: count(0, "asks")?,
                prompt_tokens: count(1, "prompt tokens")?,
                completion_tokens: count(2, "completion tokens")?,
                cost: row.try_get(3)?,
            })
        })
        .await
    }
}
