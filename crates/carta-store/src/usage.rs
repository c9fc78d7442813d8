//! API usage metering and workspace quotas (seed 001's `api_usage` and
//! quota limits). The server buffers one [`NewUsage`] per request and writes
//! them in batches; summaries group them per day, endpoint, token and
//! workspace with request and error counts and average and p95 durations.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::Timestamp;
use crate::{instant, now, storable, Store, StoreError};

/// The longest range one summary covers.
pub const MAX_USAGE_DAYS: i64 = 366;

/// One metered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUsage {
    /// Set only when the caller was admitted to the workspace.
    pub workspace_id: Option<Uuid>,
    pub token_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// The route template, e.g. `/api/v1/workspaces/{id}/jobs`.
    pub endpoint: String,
    pub method: String,
    pub status: u16,
    pub duration_ms: u32,
    pub at: Timestamp,
}

/// Request limits of a workspace; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub requests_per_minute: Option<u32>,
    pub requests_per_day: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceQuota {
    pub workspace_id: Uuid,
    pub quota: Quota,
    pub updated_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// Counts and durations of a group of requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UsageStats {
    pub requests: u64,
    /// Requests answered with a status of 400 or more.
    pub errors: u64,
    pub avg_ms: f64,
    /// Nearest-rank 95th percentile.
    pub p95_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayUsage {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    #[serde(flatten)]
    pub stats: UsageStats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointUsage {
    pub method: String,
    pub endpoint: String,
    #[serde(flatten)]
    pub stats: UsageStats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenUsage {
    pub token_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    #[serde(flatten)]
    pub stats: UsageStats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkspaceUsage {
    /// `None`: requests outside any workspace (logins, `/me`, ...).
    pub workspace_id: Option<Uuid>,
    #[serde(flatten)]
    pub stats: UsageStats,
}

/// Usage between two days (inclusive, UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageSummary {
    /// `YYYY-MM-DD`, UTC, inclusive.
    pub from: String,
    pub to: String,
    pub total: UsageStats,
    pub days: Vec<DayUsage>,
    pub endpoints: Vec<EndpointUsage>,
    pub tokens: Vec<TokenUsage>,
    /// Per workspace: filled for the summary across workspaces only.
    pub workspaces: Vec<WorkspaceUsage>,
}

/// What a summary groups by; the backends turn it into SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UsageGroup {
    Total,
    Day,
    Endpoint,
    Token,
    Workspace,
}

impl UsageGroup {
    /// The summary query over `table`, grouped by this group's two key
    /// expressions (`keys`, in the backend's spelling), between the instants
    /// bound first and second, limited by `workspace_filter`. The p95 is the
    /// smallest duration whose rank reaches 95% of its group (nearest rank).
    pub(crate) fn sql(
        self,
        table: &str,
        keys: [&str; 2],
        range: [&str; 2],
        workspace_filter: &str,
    ) -> String {
        let [first, second] = keys;
        let [since, until] = range;
        // The casts spell one type on both backends (SQLite reads them as REAL and INTEGER).
        let order = if self == UsageGroup::Day {
            "1, 2"
        } else {
            "3 DESC, 1, 2"
        };
        format!(
            "WITH r AS (
                SELECT {first} AS k1, {second} AS k2, status, duration_ms,
                    row_number() OVER (PARTITION BY {first}, {second} ORDER BY duration_ms) AS rn,
                    count(*) OVER (PARTITION BY {first}, {second}) AS n
                FROM {table}
                WHERE created_at >= {since} AND created_at < {until} AND ({workspace_filter})
             )
             SELECT k1, k2, count(*), sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
                CAST(avg(duration_ms) AS double precision),
                CAST(min(CASE WHEN rn * 100 >= n * 95 THEN duration_ms END) AS bigint)
             FROM r GROUP BY k1, k2 ORDER BY {order}"
        )
    }
}

/// One group as the backends read it: up to two key texts and the stats.
pub(crate) struct GroupRow {
    pub keys: [Option<String>; 2],
    pub stats: UsageStats,
}

/// `YYYY-MM-DD`, as both backends spell a day.
pub(crate) fn day_text(day: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("corrupt usage row: {what}"))
}

fn uuid_key(key: &Option<String>) -> Result<Option<Uuid>, StoreError> {
    key.as_deref()
        .map(|text| text.parse().map_err(|_| corrupt("an id")))
        .transpose()
}

impl Store {
    async fn usage_groups(
        &self,
        workspace: Option<Uuid>,
        start: Timestamp,
        end: Timestamp,
        group: UsageGroup,
    ) -> Result<Vec<GroupRow>, StoreError> {
        dispatch!(self.usage_groups(workspace, start, end, group))
    }

    /// Writes a batch of metered requests in one transaction.
    pub async fn record_usage(&self, batch: Vec<NewUsage>) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut checked = Vec::with_capacity(batch.len());
        for usage in batch {
            storable("the endpoint", &usage.endpoint)?;
            storable("the method", &usage.method)?;
            if !(100..=599).contains(&usage.status) {
                return Err(StoreError::InvalidInput(format!(
                    "status {} is not an HTTP status",
                    usage.status
                )));
            }
            checked.push(NewUsage {
                at: instant(usage.at)?,
                ..usage
            });
        }
        dispatch!(self.record_usage(checked))
    }

    /// The workspace's quota; `None` when none was ever set.
    pub async fn quota(&self, workspace: Uuid) -> Result<Option<WorkspaceQuota>, StoreError> {
        dispatch!(self.quota(workspace))
    }

    /// Sets (replaces) a live workspace's quota. NotFound for a missing or
    /// deleted workspace.
    pub async fn set_quota(
        &self,
        workspace: Uuid,
        quota: Quota,
        by: Option<Uuid>,
    ) -> Result<WorkspaceQuota, StoreError> {
        for limit in [quota.requests_per_minute, quota.requests_per_day]
            .into_iter()
            .flatten()
        {
            if limit == 0 || i32::try_from(limit).is_err() {
                return Err(StoreError::InvalidInput(format!(
                    "a request limit of {limit} is not between 1 and {}",
                    i32::MAX
                )));
            }
        }
        dispatch!(self.set_quota(workspace, quota, by, now()))
    }

    /// Every quota of a live workspace: the servers' periodic refresh.
    pub async fn quotas(&self) -> Result<Vec<WorkspaceQuota>, StoreError> {
        dispatch!(self.quotas())
    }

    /// For each of `workspaces`, how many requests admitted to it (429
    /// answers left out) were recorded since `since`. Workspaces with none are left out.
    pub async fn admitted_since(
        &self,
        since: Timestamp,
        workspaces: &[Uuid],
    ) -> Result<Vec<(Uuid, u64)>, StoreError> {
        if workspaces.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self.admitted_since(instant(since)?, workspaces.to_vec()))
    }

    /// Usage from `from` to `to` (inclusive days, UTC) of one workspace, or of
    /// every workspace when `workspace` is `None`. InvalidInput for a range
    /// that is reversed or longer than [`MAX_USAGE_DAYS`].
    pub async fn usage_summary(
        &self,
        workspace: Option<Uuid>,
        from: time::Date,
        to: time::Date,
    ) -> Result<UsageSummary, StoreError> {
        let days = (to - from).whole_days() + 1;
        if !(1..=MAX_USAGE_DAYS).contains(&days) {
            return Err(StoreError::InvalidInput(format!(
                "a usage range covers 1 to {MAX_USAGE_DAYS} days, not {days}"
            )));
        }
        let start = from.midnight().assume_utc();
        let end = to
            .next_day()
            .ok_or_else(|| StoreError::InvalidInput("a day past the year 9999".into()))?
            .midnight()
            .assume_utc();
        let (start, end) = (instant(start)?, instant(end)?);
        let groups = |group| self.usage_groups(workspace, start, end, group);
        let total = groups(UsageGroup::Total)
            .await?
            .pop()
            .map(|row| row.stats)
            .unwrap_or_default();
        let days = groups(UsageGroup::Day)
            .await?
            .into_iter()
            .map(|row| {
                let day = row.keys[0].clone().ok_or_else(|| corrupt("a day"))?;
                Ok(DayUsage {
                    day,
                    stats: row.stats,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let endpoints = groups(UsageGroup::Endpoint)
            .await?
            .into_iter()
            .map(|row| {
                let [method, endpoint] = row.keys;
                EndpointUsage {
                    method: method.unwrap_or_default(),
                    endpoint: endpoint.unwrap_or_default(),
                    stats: row.stats,
                }
            })
            .collect();
        let tokens = groups(UsageGroup::Token)
            .await?
            .into_iter()
            .map(|row| {
                Ok(TokenUsage {
                    token_id: uuid_key(&row.keys[0])?,
                    user_id: uuid_key(&row.keys[1])?,
                    stats: row.stats,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let workspaces = if workspace.is_none() {
            groups(UsageGroup::Workspace)
                .await?
                .into_iter()
                .map(|row| {
                    Ok(WorkspaceUsage {
                        workspace_id: uuid_key(&row.keys[0])?,
                        stats: row.stats,
                    })
                })
                .collect::<Result<_, StoreError>>()?
        } else {
            Vec::new()
        };
        Ok(UsageSummary {
            from: day_text(from),
            to: day_text(to),
            total,
            days,
            endpoints,
            tokens,
            workspaces,
        })
    }
}
