//! Usage summaries and workspace quotas: a workspace's usage and quota for
//! its admins, quotas set by global admins, usage across workspaces for
//! global admins.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientMeta};
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::Json;
use carta_store::{MemberRole, Quota, UsageStats, UsageSummary, WorkspaceQuota};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Days a summary covers when `from` is not given, today included.
const DEFAULT_DAYS: i64 = 30;

/// A workspace's request limits; `null` is no limit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaBody {
    pub requests_per_minute: Option<u32>,
    pub requests_per_day: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceQuotaBody {
    pub workspace_id: Uuid,
    pub requests_per_minute: Option<u32>,
    pub requests_per_day: Option<u32>,
    /// `null` while the workspace never had a quota.
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

impl WorkspaceQuotaBody {
    fn of(workspace: Uuid, quota: Option<WorkspaceQuota>) -> WorkspaceQuotaBody {
        let (limits, updated_by, updated_at) = match quota {
            Some(q) => (q.quota, q.updated_by, Some(q.updated_at)),
            None => (Quota::default(), None, None),
        };
        WorkspaceQuotaBody {
            workspace_id: workspace,
            requests_per_minute: limits.requests_per_minute,
            requests_per_day: limits.requests_per_day,
            updated_by,
            updated_at,
        }
    }
}

/// Counts and durations of a group of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsBody {
    pub requests: u64,
    /// Answered with a status of 400 or more.
    pub errors: u64,
    pub avg_ms: f64,
    /// Nearest-rank 95th percentile.
    pub p95_ms: u32,
}

impl From<UsageStats> for StatsBody {
    fn from(stats: UsageStats) -> StatsBody {
        StatsBody {
            requests: stats.requests,
            errors: stats.errors,
            avg_ms: stats.avg_ms,
            p95_ms: stats.p95_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayBody {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    #[serde(flatten)]
    pub stats: StatsBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointBody {
    pub method: String,
    /// The route template, e.g. `/api/v1/workspaces/{id}/jobs`.
    pub endpoint: String,
    #[serde(flatten)]
    pub stats: StatsBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUsageBody {
    /// `null`: unauthenticated requests.
    pub token_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    #[serde(flatten)]
    pub stats: StatsBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceUsageBody {
    /// `null`: requests outside any workspace (logins, `/me`, ...).
    pub workspace_id: Option<Uuid>,
    #[serde(flatten)]
    pub stats: StatsBody,
}

/// Usage between two days, inclusive (UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageBody {
    pub from: String,
    pub to: String,
    pub total: StatsBody,
    pub days: Vec<DayBody>,
    /// Busiest first.
    pub endpoints: Vec<EndpointBody>,
    pub tokens: Vec<TokenUsageBody>,
    /// Across workspaces only (`GET /usage`).
    pub workspaces: Vec<WorkspaceUsageBody>,
}

impl From<UsageSummary> for UsageBody {
    fn from(summary: UsageSummary) -> UsageBody {
        UsageBody {
            from: summary.from,
            to: summary.to,
            total: summary.total.into(),
            days: summary
                .days
                .into_iter()
                .map(|d| DayBody {
                    day: d.day,
                    stats: d.stats.into(),
                })
                .collect(),
            endpoints: summary
                .endpoints
                .into_iter()
                .map(|e| EndpointBody {
                    method: e.method,
                    endpoint: e.endpoint,
                    stats: e.stats.into(),
                })
                .collect(),
            tokens: summary
                .tokens
                .into_iter()
                .map(|t| TokenUsageBody {
                    token_id: t.token_id,
                    user_id: t.user_id,
                    stats: t.stats.into(),
                })
                .collect(),
            workspaces: summary
                .workspaces
                .into_iter()
                .map(|w| WorkspaceUsageBody {
                    workspace_id: w.workspace_id,
                    stats: w.stats.into(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsageRange {
    /// First day, `YYYY-MM-DD` (UTC); default 29 days before `to`.
    pub from: Option<String>,
    /// Last day, inclusive; default today.
    pub to: Option<String>,
}

fn day(what: &str, text: &str) -> Result<time::Date, ApiError> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| ApiError::bad_request(format!("{what} must be a day as YYYY-MM-DD")))
}

impl UsageRange {
    fn days(&self) -> Result<(time::Date, time::Date), ApiError> {
        let to = match &self.to {
            Some(text) => day("to", text)?,
            None => OffsetDateTime::now_utc().date(),
        };
        let from = match &self.from {
            Some(text) => day("from", text)?,
            None => to
                .checked_sub(time::Duration::days(DEFAULT_DAYS - 1))
                .unwrap_or(to),
        };
        Ok((from, to))
    }
}

/// The workspace's quota (workspace admins).
#[utoipa::path(get, path = "/workspaces/{id}/quota", tag = "usage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = WorkspaceQuotaBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_quota(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WorkspaceQuotaBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let quota = state.store().quota(id).await?;
    Ok(Json(WorkspaceQuotaBody::of(id, quota)))
}

/// Sets the workspace's request limits (global admins); both `null`
/// removes them. In force on this server at once, on others within a second.
#[utoipa::path(put, path = "/workspaces/{id}/quota", tag = "usage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = QuotaBody,
    responses((status = 200, body = WorkspaceQuotaBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_quota(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<QuotaBody>,
) -> Result<Json<WorkspaceQuotaBody>, ApiError> {
    caller.require_admin()?;
    workspace_access(&state, &caller, id, MemberRole::Owner).await?;
    let quota = Quota {
        requests_per_minute: body.requests_per_minute,
        requests_per_day: body.requests_per_day,
    };
    let kept = state
        .store()
        .set_quota(id, quota, Some(caller.user.id))
        .await?;
    if let Some(slot) = &caller.usage {
        slot.meter().set_quota(id, quota);
    }
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "quota.set",
                workspace_id: Some(id),
                resource_type: "workspace",
                resource_id: Some(id.to_string()),
                details: json!({ "requests_per_minute": quota.requests_per_minute,
                    "requests_per_day": quota.requests_per_day }),
            },
        )
        .await?;
    Ok(Json(WorkspaceQuotaBody::of(id, Some(kept))))
}

/// The workspace's API usage per day, endpoint and token (workspace admins).
#[utoipa::path(get, path = "/workspaces/{id}/usage", tag = "usage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"), UsageRange),
    responses((status = 200, body = UsageBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn workspace_usage(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(range): ApiQuery<UsageRange>,
) -> Result<Json<UsageBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let (from, to) = range.days()?;
    let summary = state.store().usage_summary(Some(id), from, to).await?;
    Ok(Json(summary.into()))
}

/// API usage across workspaces, with a line per workspace (global admins).
#[utoipa::path(get, path = "/usage", tag = "usage",
    security(("bearer" = [])),
    params(UsageRange),
    responses((status = 200, body = UsageBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn global_usage(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(range): ApiQuery<UsageRange>,
) -> Result<Json<UsageBody>, ApiError> {
    caller.require_admin()?;
    let (from, to) = range.days()?;
    let summary = state.store().usage_summary(None, from, to).await?;
    Ok(Json(summary.into()))
}
