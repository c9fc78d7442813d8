//! Saved queries, executions, feedback, LLM settings and asks on SQLite.

use rusqlite::{params, Connection as Conn, Row};
use uuid::Uuid;

use super::{
    collect, conversion_error, execute, execute_one, one, optional_time_at, optional_uuid_at,
    parsed_at, require_live_workspace, time_at, time_text, LIVE_WORKSPACE,
};
use crate::model::{SealedUri, Timestamp};
use crate::queries::{
    AskUsage, Execution, ExecutionEnd, ExecutionFilter, Feedback, LlmSettings, NewAsk,
    NewExecution, NewFeedback, NewQuery, QueryChange, QueryFilter, SavedQuery,
};
use crate::StoreError;

/// `?1` is the workspace; the rating columns come from its feedback.
const QUERY_SELECT: &str = "SELECT q.id, q.workspace_id, q.connection_id, q.title, q.description,
    q.sql_text, q.is_write, q.tags, q.visibility, q.question, q.created_by, q.created_at,
    q.updated_at,
    (SELECT avg(f.rating) FROM query_feedback f WHERE f.query_id = q.id),
    (SELECT count(*) FROM query_feedback f WHERE f.query_id = q.id)
    FROM queries q
    WHERE q.workspace_id = ?1
      AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = ?1 AND w.deleted_at IS NULL)";

/// A query `?2` sees: shared, or its own.
const VISIBLE_TO: &str = "(q.visibility = 'workspace' OR q.created_by = ?2)";

/// `?2` exists in workspace `?1`, or is NULL.
const CONNECTION_IN_WORKSPACE: &str = "(?2 IS NULL OR EXISTS (SELECT 1 FROM connections c
    WHERE c.id = ?2 AND c.workspace_id = ?1))";

fn json_at<T: serde::de::DeserializeOwned>(row: &Row, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion_error(index, e))
}

fn query_from(row: &Row) -> rusqlite::Result<SavedQuery> {
    Ok(SavedQuery {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        connection_id: optional_uuid_at(row, 2)?,
        title: row.get(3)?,
        description: row.get(4)?,
        sql_text: row.get(5)?,
        is_write: row.get(6)?,
        tags: json_at(row, 7)?,
        visibility: parsed_at(row, 8)?,
        question: row.get(9)?,
        created_by: optional_uuid_at(row, 10)?,
        created_at: time_at(row, 11)?,
        updated_at: time_at(row, 12)?,
        rating: row.get(13)?,
        ratings: row.get(14)?,
    })
}

const EXECUTION_COLUMNS: &str = "id, workspace_id, connection_id, query_id, sql_text, executed_by,
    status, cancel_requested, started_at, finished_at, duration_ms, row_count, truncated, error";

/// A count kept as INTEGER; the CHECK constraints keep it at zero or more.
fn count_at(row: &Row, index: usize) -> rusqlite::Result<Option<u64>> {
    row.get::<_, Option<i64>>(index)?
        .map(|n| u64::try_from(n).map_err(|e| conversion_error(index, e)))
        .transpose()
}

/// Counts go in as INTEGER; nothing real is above `i64::MAX`.
fn integer(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn execution_from(row: &Row) -> rusqlite::Result<Execution> {
    Ok(Execution {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        connection_id: optional_uuid_at(row, 2)?,
        query_id: optional_uuid_at(row, 3)?,
        sql_text: row.get(4)?,
        executed_by: optional_uuid_at(row, 5)?,
        status: parsed_at(row, 6)?,
        cancel_requested: row.get(7)?,
        started_at: time_at(row, 8)?,
        finished_at: optional_time_at(row, 9)?,
        duration_ms: count_at(row, 10)?,
        row_count: count_at(row, 11)?,
        truncated: row.get(12)?,
        error: row.get(13)?,
    })
}

const FEEDBACK_COLUMNS: &str = "id, query_id, user_id, rating, comment, created_at";

fn feedback_from(row: &Row) -> rusqlite::Result<Feedback> {
    Ok(Feedback {
        id: parsed_at(row, 0)?,
        query_id: parsed_at(row, 1)?,
        user_id: parsed_at(row, 2)?,
        rating: row.get(3)?,
        comment: row.get(4)?,
        created_at: time_at(row, 5)?,
    })
}

fn text(id: Option<Uuid>) -> Option<String> {
    id.map(|id| id.to_string())
}

fn tags_text(tags: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(tags).map_err(|e| StoreError::Backend(format!("cannot encode tags: {e}")))
}

fn query_by_id(conn: &Conn, workspace: Uuid, id: Uuid) -> Result<Option<SavedQuery>, StoreError> {
    one(
        conn,
        &format!("{QUERY_SELECT} AND q.id = ?2"),
        [workspace.to_string(), id.to_string()],
        query_from,
    )
}

fn execution_by_id(
    conn: &Conn,
    workspace: Uuid,
    id: Uuid,
) -> Result<Option<Execution>, StoreError> {
    one(
        conn,
        &format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions
             WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
        ),
        [workspace.to_string(), id.to_string()],
        execution_from,
    )
}

/// Runs `change` on a running execution; Conflict when it has ended.
fn change_running(
    conn: &Conn,
    workspace: Uuid,
    id: Uuid,
    change: impl FnOnce(&Conn) -> Result<usize, StoreError>,
) -> Result<Execution, StoreError> {
    let current = execution_by_id(conn, workspace, id)?.ok_or(StoreError::NotFound)?;
    if change(conn)? == 0 {
        return Err(StoreError::Conflict(format!(
            "the execution has already ended ({})",
            current.status
        )));
    }
    execution_by_id(conn, workspace, id)?.ok_or(StoreError::NotFound)
}

impl super::SqliteStore {
    pub(crate) async fn create_query(
        &self,
        new: NewQuery,
        id: Uuid,
        now: Timestamp,
    ) -> Result<SavedQuery, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, new.workspace_id)?;
            execute_one(
                conn,
                &format!(
                    "INSERT INTO queries (id, workspace_id, connection_id, title, description,
                         sql_text, is_write, tags, visibility, question, created_by, created_at, updated_at)
                     SELECT ?3, ?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12
                     WHERE {CONNECTION_IN_WORKSPACE}"
                ),
                params![
                    new.workspace_id.to_string(),
                    text(new.connection_id),
                    id.to_string(),
                    new.title,
                    new.description,
                    new.sql_text,
                    new.is_write,
                    tags_text(&new.tags)?,
                    new.visibility.as_str(),
                    new.question,
                    new.created_by.to_string(),
                    time_text(now)
                ],
            )?;
            query_by_id(conn, new.workspace_id, id)?.ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn query(
        &self,
        workspace: Uuid,
        id: Uuid,
        viewer: Uuid,
    ) -> Result<Option<SavedQuery>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!("{QUERY_SELECT} AND {VISIBLE_TO} AND q.id = ?3"),
                [workspace.to_string(), viewer.to_string(), id.to_string()],
                query_from,
            )
        })
        .await
    }

    pub(crate) async fn queries(
        &self,
        workspace: Uuid,
        filter: QueryFilter,
    ) -> Result<Vec<SavedQuery>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "{QUERY_SELECT} AND {VISIBLE_TO}
                       AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(q.tags) t WHERE t.value = ?3))
                       AND (?4 IS NULL OR q.connection_id = ?4)
                     ORDER BY q.updated_at DESC, q.id"
                ),
                params![
                    workspace.to_string(),
                    filter.viewer.to_string(),
                    filter.tag,
                    text(filter.connection_id)
                ],
                query_from,
            )
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
        self.write(move |conn| {
            let mut query = query_by_id(conn, workspace, id)?.ok_or(StoreError::NotFound)?;
            change.apply(&mut query);
            execute_one(
                conn,
                &format!(
                    "UPDATE queries SET connection_id = ?2, title = ?4, description = ?5,
                         sql_text = ?6, is_write = ?7, tags = ?8, visibility = ?9, updated_at = ?10
                     WHERE workspace_id = ?1 AND id = ?3 AND {CONNECTION_IN_WORKSPACE}"
                ),
                params![
                    workspace.to_string(),
                    text(query.connection_id),
                    id.to_string(),
                    query.title,
                    query.description,
                    query.sql_text,
                    query.is_write,
                    tags_text(&query.tags)?,
                    query.visibility.as_str(),
                    time_text(now)
                ],
            )?;
            query_by_id(conn, workspace, id)?.ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_query(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, workspace)?;
            execute_one(
                conn,
                "DELETE FROM queries WHERE workspace_id = ?1 AND id = ?2",
                [workspace.to_string(), id.to_string()],
            )
        })
        .await
    }

    pub(crate) async fn start_execution(
        &self,
        new: NewExecution,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Execution, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, new.workspace_id)?;
            one(
                conn,
                &format!(
                    "INSERT INTO executions (id, workspace_id, connection_id, query_id, sql_text,
                         executed_by, started_at)
                     SELECT ?3, ?1, ?2, ?4, ?5, ?6, ?7
                     WHERE {CONNECTION_IN_WORKSPACE}
                       AND (?4 IS NULL OR EXISTS (SELECT 1 FROM queries q
                           WHERE q.id = ?4 AND q.workspace_id = ?1))
                     RETURNING {EXECUTION_COLUMNS}"
                ),
                params![
                    new.workspace_id.to_string(),
                    new.connection_id.to_string(),
                    id.to_string(),
                    text(new.query_id),
                    new.sql_text,
                    new.executed_by.to_string(),
                    time_text(now)
                ],
                execution_from,
            )?
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
        self.write(move |conn| {
            change_running(conn, workspace, id, |conn| {
                execute(
                    conn,
                    "UPDATE executions SET status = ?3, finished_at = ?4, duration_ms = ?5,
                         row_count = ?6, truncated = ?7, error = ?8
                     WHERE workspace_id = ?1 AND id = ?2 AND status = 'running'",
                    params![
                        workspace.to_string(),
                        id.to_string(),
                        end.status.as_str(),
                        time_text(now),
                        integer(end.duration_ms),
                        integer(end.row_count),
                        end.truncated,
                        end.error
                    ],
                )
            })
        })
        .await
    }

    pub(crate) async fn request_execution_cancel(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Execution, StoreError> {
        self.write(move |conn| {
            change_running(conn, workspace, id, |conn| {
                execute(
                    conn,
                    "UPDATE executions SET cancel_requested = 1
                     WHERE workspace_id = ?1 AND id = ?2 AND status = 'running'",
                    [workspace.to_string(), id.to_string()],
                )
            })
        })
        .await
    }

    pub(crate) async fn execution(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Execution>, StoreError> {
        self.read(move |conn| execution_by_id(conn, workspace, id))
            .await
    }

    pub(crate) async fn executions(
        &self,
        workspace: Uuid,
        filter: ExecutionFilter,
    ) -> Result<Vec<Execution>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {EXECUTION_COLUMNS} FROM executions e
                     WHERE workspace_id = ?1 AND {LIVE_WORKSPACE}
                       AND (?2 IS NULL OR query_id = ?2)
                       AND (?3 IS NULL OR status = ?3)
                       AND (query_id IS NULL OR EXISTS (SELECT 1 FROM queries q
                           WHERE q.id = e.query_id AND (q.visibility = 'workspace' OR q.created_by = ?4)))
                     ORDER BY started_at DESC, id DESC
                     LIMIT ?5"
                ),
                params![
                    workspace.to_string(),
                    text(filter.query_id),
                    filter.status.map(|s| s.as_str()),
                    filter.viewer.to_string(),
                    filter.limit
                ],
                execution_from,
            )
        })
        .await
    }

    pub(crate) async fn rate_query(
        &self,
        new: NewFeedback,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Feedback, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, new.workspace_id)?;
            one(
                conn,
                &format!(
                    "INSERT INTO query_feedback (id, workspace_id, query_id, user_id, rating,
                         comment, created_at)
                     SELECT ?3, ?1, ?2, ?4, ?5, ?6, ?7
                     WHERE EXISTS (SELECT 1 FROM queries q WHERE q.id = ?2 AND q.workspace_id = ?1)
                     ON CONFLICT (query_id, user_id) DO UPDATE
                         SET rating = excluded.rating, comment = excluded.comment,
                             created_at = excluded.created_at
                     RETURNING {FEEDBACK_COLUMNS}"
                ),
                params![
                    new.workspace_id.to_string(),
                    new.query_id.to_string(),
                    id.to_string(),
                    new.user_id.to_string(),
                    new.rating,
                    new.comment,
                    time_text(now)
                ],
                feedback_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn query_feedback(
        &self,
        workspace: Uuid,
        query: Uuid,
    ) -> Result<Vec<Feedback>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {FEEDBACK_COLUMNS} FROM query_feedback
                     WHERE workspace_id = ?1 AND query_id = ?2 AND {LIVE_WORKSPACE}
                     ORDER BY created_at DESC, id"
                ),
                [workspace.to_string(), query.to_string()],
                feedback_from,
            )
        })
        .await
    }

    pub(crate) async fn set_llm_settings(&self, settings: LlmSettings) -> Result<(), StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, settings.workspace_id)?;
            let (key, key_id) = settings
                .api_key
                .map(|sealed| (sealed.ciphertext, sealed.key_id))
                .unzip();
            execute(
                conn,
                "INSERT INTO workspace_llm (workspace_id, provider_url, model, api_key,
                     api_key_key_id, price_per_million_prompt, price_per_million_completion,
                     updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (workspace_id) DO UPDATE SET provider_url = excluded.provider_url,
                     model = excluded.model, api_key = excluded.api_key,
                     api_key_key_id = excluded.api_key_key_id,
                     price_per_million_prompt = excluded.price_per_million_prompt,
                     price_per_million_completion = excluded.price_per_million_completion,
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                params![
                    settings.workspace_id.to_string(),
                    settings.provider_url,
                    settings.model,
                    key,
                    key_id,
                    settings.price_per_million_prompt,
                    settings.price_per_million_completion,
                    text(settings.updated_by),
                    time_text(settings.updated_at)
                ],
            )
            .map(drop)
        })
        .await
    }

    pub(crate) async fn llm_settings(
        &self,
        workspace: Uuid,
    ) -> Result<Option<LlmSettings>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT workspace_id, provider_url, model, api_key, api_key_key_id,
                         price_per_million_prompt, price_per_million_completion, updated_by, updated_at
                     FROM workspace_llm WHERE workspace_id = ?1 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string()],
                |row| {
                    let key: Option<Vec<u8>> = row.get(3)?;
                    let key_id: Option<String> = row.get(4)?;
                    Ok(LlmSettings {
                        workspace_id: parsed_at(row, 0)?,
                        provider_url: row.get(1)?,
                        model: row.get(2)?,
                        api_key: key
                            .zip(key_id)
                            .map(|(ciphertext, key_id)| SealedUri { ciphertext, key_id }),
                        price_per_million_prompt: row.get(5)?,
                        price_per_million_completion: row.get(6)?,
                        updated_by: optional_uuid_at(row, 7)?,
                        updated_at: time_at(row, 8)?,
                    })
                },
            )
        })
        .await
    }

    pub(crate) async fn record_ask(
        &self,
        new: NewAsk,
        id: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, new.workspace_id)?;
            execute_one(
                conn,
                &format!(
                    "INSERT INTO asks (id, workspace_id, connection_id, query_id, asked_by,
                         question, model, prompt_tokens, completion_tokens, cost, error, created_at)
                     SELECT ?3, ?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
                     WHERE {CONNECTION_IN_WORKSPACE}"
                ),
                params![
                    new.workspace_id.to_string(),
                    new.connection_id.to_string(),
                    id.to_string(),
                    text(new.query_id),
                    new.asked_by.to_string(),
                    new.question,
                    new.model,
                    integer(new.prompt_tokens),
                    integer(new.completion_tokens),
                    new.cost,
                    new.error,
                    time_text(now)
                ],
            )
        })
        .await
    }

    pub(crate) async fn ask_usage(
        &self,
        workspace: Uuid,
        since: Timestamp,
    ) -> Result<AskUsage, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                "SELECT count(*), coalesce(sum(prompt_tokens), 0),
                     coalesce(sum(completion_tokens), 0), coalesce(sum(cost), 0.0)
                 FROM asks WHERE workspace_id = ?1 AND created_at >= ?2",
                [workspace.to_string(), time_text(since)],
                |row| {
                    Ok(AskUsage {
                        asks: count_at(row, 0)?.unwrap_or_default(),
                        prompt_tokens: count_at(row, 1)?.unwrap_or_default(),
                        completion_tokens: count_at(row, 2)?.unwrap_or_default(),
                        cost: row.get(3)?,
                    })
                },
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }
}
