//! API usage and quotas on PostgreSQL.

use tokio_postgres::Row;
use uuid::Uuid;

use super::{all, execute, one, out_of_range, rows, Rls, LIVE_WORKSPACE};
use crate::model::Timestamp;
use crate::usage::{GroupRow, NewUsage, Quota, UsageGroup, UsageStats, WorkspaceQuota};
use crate::StoreError;

const QUOTA_COLUMNS: &str =
    "q.workspace_id, q.requests_per_minute, q.requests_per_day, q.updated_by, q.updated_at";

fn limit_at(row: &Row, index: usize) -> Result<Option<u32>, StoreError> {
    row.try_get::<_, Option<i32>>(index)?
        .map(|limit| u32::try_from(limit).map_err(|_| out_of_range("a request limit")))
        .transpose()
}

fn quota_from(row: &Row) -> Result<WorkspaceQuota, StoreError> {
    Ok(WorkspaceQuota {
        workspace_id: row.try_get(0)?,
        quota: Quota {
            requests_per_minute: limit_at(row, 1)?,
            requests_per_day: limit_at(row, 2)?,
        },
        updated_by: row.try_get(3)?,
        updated_at: row.try_get(4)?,
    })
}

fn count_at(row: &Row, index: usize) -> Result<u64, StoreError> {
    u64::try_from(row.try_get::<_, i64>(index)?).map_err(|_| out_of_range("a count"))
}

fn group_from(row: &Row) -> Result<GroupRow, StoreError> {
    Ok(GroupRow {
        keys: [row.try_get(0)?, row.try_get(1)?],
        stats: UsageStats {
            requests: count_at(row, 2)?,
            errors: count_at(row, 3)?,
            avg_ms: row.try_get(4)?,
            p95_ms: u32::try_from(row.try_get::<_, i64>(5)?).map_err(|_| out_of_range("p95"))?,
        },
    })
}

/// A limit as its column keeps it; the store checked the range.
fn limit_column(limit: Option<u32>) -> Option<i32> {
    limit.and_then(|limit| i32::try_from(limit).ok())
}

impl super::PgStore {
    pub(crate) async fn record_usage(&self, batch: Vec<NewUsage>) -> Result<(), StoreError> {
        let mut workspaces = Vec::with_capacity(batch.len());
        let mut tokens = Vec::with_capacity(batch.len());
        let mut users = Vec::with_capacity(batch.len());
        let mut endpoints = Vec::with_capacity(batch.len());
        let mut methods = Vec::with_capacity(batch.len());
        let mut statuses = Vec::with_capacity(batch.len());
        let mut durations = Vec::with_capacity(batch.len());
        let mut times = Vec::with_capacity(batch.len());
        for usage in batch {
            workspaces.push(usage.workspace_id);
            tokens.push(usage.token_id);
            users.push(usage.user_id);
            endpoints.push(usage.endpoint);
            methods.push(usage.method);
            statuses.push(i16::try_from(usage.status).map_err(|_| out_of_range("status"))?);
            durations.push(i32::try_from(usage.duration_ms).unwrap_or(i32::MAX));
            times.push(usage.at);
        }
        // One statement for the whole batch: arrays unnested into rows.
        self.transact(Rls::System, async |tx| {
            execute(
                tx,
                "INSERT INTO carta.api_usage
                    (workspace_id, token_id, user_id, endpoint, method, status, duration_ms, created_at)
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[],
                    $6::int2[], $7::int4[], $8::timestamptz[])",
                &[
                    &workspaces,
                    &tokens,
                    &users,
                    &endpoints,
                    &methods,
                    &statuses,
                    &durations,
                    &times,
                ],
            )
            .await
            .map(drop)
        })
        .await
    }

    pub(crate) async fn quota(
        &self,
        workspace: Uuid,
    ) -> Result<Option<WorkspaceQuota>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT {QUOTA_COLUMNS} FROM carta.workspace_quotas q
                     WHERE q.workspace_id = $1 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace],
            )
            .await?
            .as_ref()
            .map(quota_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn set_quota(
        &self,
        workspace: Uuid,
        quota: Quota,
        by: Option<Uuid>,
        now: Timestamp,
    ) -> Result<WorkspaceQuota, StoreError> {
        let (minute, day) = (
            limit_column(quota.requests_per_minute),
            limit_column(quota.requests_per_day),
        );
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "INSERT INTO carta.workspace_quotas AS q
                        (workspace_id, requests_per_minute, requests_per_day, updated_by, updated_at)
                     SELECT $1::uuid, $2::integer, $3::integer, $4::uuid, $5::timestamptz WHERE {LIVE_WORKSPACE}
                     ON CONFLICT (workspace_id) DO UPDATE SET
                        requests_per_minute = excluded.requests_per_minute,
                        requests_per_day = excluded.requests_per_day,
                        updated_by = excluded.updated_by, updated_at = excluded.updated_at
                     RETURNING {QUOTA_COLUMNS}"
                ),
                &[&workspace, &minute, &day, &by, &now],
            )
            .await?;
            quota_from(&row.ok_or(StoreError::NotFound)?)
        })
        .await
    }

    pub(crate) async fn quotas(&self) -> Result<Vec<WorkspaceQuota>, StoreError> {
        self.transact(Rls::System, async |tx| {
            all(
                rows(
                    tx,
                    &format!(
                        "SELECT {QUOTA_COLUMNS} FROM carta.workspace_quotas q
                         JOIN carta.workspaces w ON w.id = q.workspace_id AND w.deleted_at IS NULL"
                    ),
                    &[],
                )
                .await?,
                quota_from,
            )
        })
        .await
    }

    pub(crate) async fn admitted_since(
        &self,
        since: Timestamp,
        workspaces: Vec<Uuid>,
    ) -> Result<Vec<(Uuid, u64)>, StoreError> {
        self.transact(Rls::System, async |tx| {
            all(
                rows(
                    tx,
                    "SELECT workspace_id, count(*) FROM carta.api_usage
                     WHERE created_at >= $1 AND workspace_id = ANY($2) AND status <> 429
                     GROUP BY workspace_id",
                    &[&since, &workspaces],
                )
                .await?,
                |row| Ok((row.try_get(0)?, count_at(row, 1)?)),
            )
        })
        .await
    }

    pub(crate) async fn usage_groups(
        &self,
        workspace: Option<Uuid>,
        start: Timestamp,
        end: Timestamp,
        group: UsageGroup,
    ) -> Result<Vec<GroupRow>, StoreError> {
        let keys = match group {
            UsageGroup::Total => ["NULL::text", "NULL::text"],
            UsageGroup::Day => [
                "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
                "NULL::text",
            ],
            UsageGroup::Endpoint => ["method", "endpoint"],
            UsageGroup::Token => ["token_id::text", "user_id::text"],
            UsageGroup::Workspace => ["workspace_id::text", "NULL::text"],
        };
        let sql = group.sql(
            "carta.api_usage",
            keys,
            ["$1", "$2"],
            "$3::uuid IS NULL OR workspace_id = $3",
        );
        let rls = workspace.map_or(Rls::System, Rls::Workspace);
        self.transact(rls, async |tx| {
            all(
                rows(tx, &sql, &[&start, &end, &workspace]).await?,
                group_from,
            )
        })
        .await
    }
}
