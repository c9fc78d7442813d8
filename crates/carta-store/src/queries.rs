//! Saved queries, their executions and feedback, each workspace's LLM
//! provider, and the usage of its questions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{text_enum, SealedUri, Timestamp, UnknownValue};
use crate::{instant, now, storable, Store, StoreError};

text_enum! {
    /// Who sees a saved query: its author only, or every member.
    #[derive(Default)]
    Visibility, "query visibility" {
        #[default]
        Private => "private",
        Workspace => "workspace",
    }
}

text_enum! {
    /// Where an execution stands.
    ExecutionStatus, "execution status" {
        Running => "running",
        Success => "success",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

/// Ratings at least this good make a generated query an example for retrieval.
pub const GOOD_RATING: u8 = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct NewQuery {
    pub workspace_id: Uuid,
    pub connection_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub sql_text: String,
    /// The runner's checks do not accept it as a read.
    pub is_write: bool,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    /// The question it answers, when `ask` generated it.
    pub question: Option<String>,
    pub created_by: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedQuery {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub connection_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub sql_text: String,
    pub is_write: bool,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub question: Option<String>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
    /// The mean of its ratings, if it has any.
    pub rating: Option<f64>,
    pub ratings: u32,
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryChange {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    /// New text with its write flag.
    pub sql: Option<(String, bool)>,
    pub tags: Option<Vec<String>>,
    pub visibility: Option<Visibility>,
    pub connection_id: Option<Option<Uuid>>,
}

impl QueryChange {
    /// The query with this change applied; the backends then write it whole.
    pub(crate) fn apply(self, query: &mut SavedQuery) {
        if let Some(title) = self.title {
            query.title = title;
        }
        if let Some(description) = self.description {
            query.description = description;
        }
        if let Some((sql, is_write)) = self.sql {
            query.sql_text = sql;
            query.is_write = is_write;
        }
        if let Some(tags) = self.tags {
            query.tags = tags;
        }
        if let Some(visibility) = self.visibility {
            query.visibility = visibility;
        }
        if let Some(connection_id) = self.connection_id {
            query.connection_id = connection_id;
        }
    }
}

/// Which saved queries a member lists: theirs and the shared ones.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryFilter {
    pub viewer: Uuid,
    pub tag: Option<String>,
    pub connection_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewExecution {
    pub workspace_id: Uuid,
    pub connection_id: Uuid,
    pub query_id: Option<Uuid>,
    pub sql_text: String,
    pub executed_by: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Execution {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub connection_id: Option<Uuid>,
    pub query_id: Option<Uuid>,
    pub sql_text: String,
    pub executed_by: Option<Uuid>,
    pub status: ExecutionStatus,
    pub cancel_requested: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<Timestamp>,
    pub duration_ms: Option<u64>,
    pub row_count: Option<u64>,
    pub truncated: bool,
    pub error: Option<String>,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionEnd {
    /// Not `Running`.
    pub status: ExecutionStatus,
    pub duration_ms: u64,
    pub row_count: u64,
    pub truncated: bool,
    pub error: Option<String>,
}

/// Which executions to list, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionFilter {
    /// Executions of other members' private queries stay hidden from them.
    pub viewer: Uuid,
    pub query_id: Option<Uuid>,
    pub status: Option<ExecutionStatus>,
    pub limit: u32,
}

impl ExecutionFilter {
    pub const MAX_LIMIT: u32 = 500;
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewFeedback {
    pub workspace_id: Uuid,
    pub query_id: Uuid,
    pub user_id: Uuid,
    /// 1 to 5.
    pub rating: u8,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback {
    pub id: Uuid,
    pub query_id: Uuid,
    pub user_id: Uuid,
    pub rating: u8,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// A workspace's LLM provider; the API key sealed like connection URIs.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmSettings {
    pub workspace_id: Uuid,
    pub provider_url: String,
    pub model: String,
    pub api_key: Option<SealedUri>,
    pub price_per_million_prompt: Option<f64>,
    pub price_per_million_completion: Option<f64>,
    pub updated_by: Option<Uuid>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAsk {
    pub workspace_id: Uuid,
    pub connection_id: Uuid,
    pub query_id: Option<Uuid>,
    pub asked_by: Uuid,
    pub question: String,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost: Option<f64>,
    pub error: Option<String>,
}

/// Questions asked in a workspace and what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AskUsage {
    pub asks: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost: f64,
}

fn storable_query(
    title: &str,
    description: Option<&str>,
    tags: &[String],
) -> Result<(), StoreError> {
    storable("the title", title)?;
    storable("the description", description.unwrap_or_default())?;
    tags.iter().try_for_each(|tag| storable("a tag", tag))
}

impl Store {
    /// NotFound for a missing workspace or a connection of another one.
    pub async fn create_query(&self, new: NewQuery) -> Result<SavedQuery, StoreError> {
        storable_query(&new.title, new.description.as_deref(), &new.tags)?;
        storable("the SQL", &new.sql_text)?;
        storable("the question", new.question.as_deref().unwrap_or_default())?;
        dispatch!(self.create_query(new, Uuid::new_v4(), now()))
    }

    /// `None` for a query of another workspace, or another member's private one.
    pub async fn query(
        &self,
        workspace: Uuid,
        id: Uuid,
        viewer: Uuid,
    ) -> Result<Option<SavedQuery>, StoreError> {
        dispatch!(self.query(workspace, id, viewer))
    }

    /// The queries `filter.viewer` sees, most recently updated first.
    pub async fn queries(
        &self,
        workspace: Uuid,
        filter: QueryFilter,
    ) -> Result<Vec<SavedQuery>, StoreError> {
        if let Some(tag) = &filter.tag {
            storable("the tag", tag)?;
        }
        dispatch!(self.queries(workspace, filter))
    }

    /// Shared queries and `viewer`'s own that people wrote (no question) or
    /// that are rated [`GOOD_RATING`] or better on average: examples for retrieval.
    pub async fn example_queries(
        &self,
        workspace: Uuid,
        viewer: Uuid,
    ) -> Result<Vec<SavedQuery>, StoreError> {
        Ok(self
            .queries(
                workspace,
                QueryFilter {
                    viewer,
                    tag: None,
                    connection_id: None,
                },
            )
            .await?
            .into_iter()
            .filter(|q| {
                !q.is_write
                    && (q.question.is_none()
                        || q.rating.is_some_and(|r| r >= f64::from(GOOD_RATING)))
            })
            .collect())
    }

    /// NotFound for a query of another workspace. The caller checks who may edit.
    pub async fn update_query(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: QueryChange,
    ) -> Result<SavedQuery, StoreError> {
        storable_query(
            change.title.as_deref().unwrap_or_default(),
            change.description.clone().flatten().as_deref(),
            change.tags.as_deref().unwrap_or_default(),
        )?;
        if let Some((sql, _)) = &change.sql {
            storable("the SQL", sql)?;
        }
        dispatch!(self.update_query(workspace, id, change, now()))
    }

    /// Its executions stay, no longer tied to it; its feedback goes.
    pub async fn delete_query(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        dispatch!(self.delete_query(workspace, id))
    }

    /// A running execution. NotFound for a connection or query of another workspace.
    pub async fn start_execution(&self, new: NewExecution) -> Result<Execution, StoreError> {
        storable("the SQL", &new.sql_text)?;
        dispatch!(self.start_execution(new, Uuid::new_v4(), now()))
    }

    /// Ends a running execution. Conflict when it has already ended.
    pub async fn finish_execution(
        &self,
        workspace: Uuid,
        id: Uuid,
        end: ExecutionEnd,
    ) -> Result<Execution, StoreError> {
        if end.status == ExecutionStatus::Running {
            return Err(StoreError::InvalidInput(
                "an execution cannot end as running".into(),
            ));
        }
        storable("the error", end.error.as_deref().unwrap_or_default())?;
        dispatch!(self.finish_execution(workspace, id, end, now()))
    }

    /// Asks a running execution to stop (its server polls the flag).
    /// Conflict when it has already ended; NotFound for another workspace's.
    pub async fn request_execution_cancel(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Execution, StoreError> {
        dispatch!(self.request_execution_cancel(workspace, id))
    }

    pub async fn execution(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Execution>, StoreError> {
        dispatch!(self.execution(workspace, id))
    }

    /// Newest first, at most [`ExecutionFilter::MAX_LIMIT`].
    pub async fn executions(
        &self,
        workspace: Uuid,
        filter: ExecutionFilter,
    ) -> Result<Vec<Execution>, StoreError> {
        let filter = ExecutionFilter {
            limit: filter.limit.clamp(1, ExecutionFilter::MAX_LIMIT),
            ..filter
        };
        dispatch!(self.executions(workspace, filter))
    }

    /// One rating per user and query: a second replaces the first.
    pub async fn rate_query(&self, new: NewFeedback) -> Result<Feedback, StoreError> {
        if !(1..=5).contains(&new.rating) {
            return Err(StoreError::InvalidInput(format!(
                "rating {} is not between 1 and 5",
                new.rating
            )));
        }
        storable("the comment", new.comment.as_deref().unwrap_or_default())?;
        dispatch!(self.rate_query(new, Uuid::new_v4(), now()))
    }

    /// A query's feedback, newest first.
    pub async fn query_feedback(
        &self,
        workspace: Uuid,
        query: Uuid,
    ) -> Result<Vec<Feedback>, StoreError> {
        dispatch!(self.query_feedback(workspace, query))
    }

    /// Replaces the workspace's provider settings. NotFound for a missing workspace.
    pub async fn set_llm_settings(&self, settings: LlmSettings) -> Result<(), StoreError> {
        storable("the provider URL", &settings.provider_url)?;
        storable("the model", &settings.model)?;
        let settings = LlmSettings {
            updated_at: instant(settings.updated_at)?,
            ..settings
        };
        dispatch!(self.set_llm_settings(settings))
    }

    pub async fn llm_settings(&self, workspace: Uuid) -> Result<Option<LlmSettings>, StoreError> {
        dispatch!(self.llm_settings(workspace))
    }

    /// Records one question and its tokens.
    pub async fn record_ask(&self, new: NewAsk) -> Result<(), StoreError> {
        storable("the question", &new.question)?;
        storable("the model", &new.model)?;
        storable("the error", new.error.as_deref().unwrap_or_default())?;
        dispatch!(self.record_ask(new, Uuid::new_v4(), now()))
    }

    /// The workspace's questions and tokens since `since`.
    pub async fn ask_usage(
        &self,
        workspace: Uuid,
        since: Timestamp,
    ) -> Result<AskUsage, StoreError> {
        dispatch!(self.ask_usage(workspace, instant(since)?))
    }
}
