//! API usage and quotas on SQLite.

use rusqlite::{params, Row};
use uuid::Uuid;

use super::{
    collect, conversion_error, execute, one, optional_uuid_at, parsed_at, time_at, time_text,
    LIVE_WORKSPACE,
};
use crate::model::Timestamp;
use crate::usage::{GroupRow, NewUsage, Quota, UsageGroup, UsageStats, WorkspaceQuota};
use crate::StoreError;

const QUOTA_COLUMNS: &str =
    "q.workspace_id, q.requests_per_minute, q.requests_per_day, q.updated_by, q.updated_at";

fn quota_from(row: &Row) -> rusqlite::Result<WorkspaceQuota> {
    Ok(WorkspaceQuota {
        workspace_id: parsed_at(row, 0)?,
        quota: Quota {
            requests_per_minute: row.get(1)?,
            requests_per_day: row.get(2)?,
        },
        updated_by: optional_uuid_at(row, 3)?,
        updated_at: time_at(row, 4)?,
    })
}

/// A count or size: stored as a signed integer, never negative.
pub(super) fn unsigned_at(row: &Row, index: usize) -> rusqlite::Result<u64> {
    let value: i64 = row.get(index)?;
    u64::try_from(value).map_err(|e| conversion_error(index, e))
}

/// A count or size as SQLite keeps it.
pub(super) fn signed(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::InvalidInput(format!("{value} is out of range")))
}

fn group_from(row: &Row) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        keys: [row.get(0)?, row.get(1)?],
        stats: UsageStats {
            requests: unsigned_at(row, 2)?,
            errors: unsigned_at(row, 3)?,
            avg_ms: row.get(4)?,
            p95_ms: row.get(5)?,
        },
    })
}

impl super::SqliteStore {
    pub(crate) async fn record_usage(&self, batch: Vec<NewUsage>) -> Result<(), StoreError> {
        self.write(move |conn| {
            for usage in &batch {
                execute(
                    conn,
                    "INSERT INTO api_usage
                        (workspace_id, token_id, user_id, endpoint, method, status, duration_ms, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        usage.workspace_id.map(|id| id.to_string()),
                        usage.token_id.map(|id| id.to_string()),
                        usage.user_id.map(|id| id.to_string()),
                        usage.endpoint,
                        usage.method,
                        usage.status,
                        usage.duration_ms,
                        time_text(usage.at)
                    ],
                )?;
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn quota(
        &self,
        workspace: Uuid,
    ) -> Result<Option<WorkspaceQuota>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT {QUOTA_COLUMNS} FROM workspace_quotas q
                     WHERE q.workspace_id = ?1 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string()],
                quota_from,
            )
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
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "INSERT INTO workspace_quotas AS q
                        (workspace_id, requests_per_minute, requests_per_day, updated_by, updated_at)
                     SELECT ?1, ?2, ?3, ?4, ?5 WHERE {LIVE_WORKSPACE}
                     ON CONFLICT (workspace_id) DO UPDATE SET
                        requests_per_minute = excluded.requests_per_minute,
                        requests_per_day = excluded.requests_per_day,
                        updated_by = excluded.updated_by, updated_at = excluded.updated_at
                     RETURNING {}",
                    QUOTA_COLUMNS.replace("q.", "")
                ),
                params![
                    workspace.to_string(),
                    quota.requests_per_minute,
                    quota.requests_per_day,
                    by.map(|id| id.to_string()),
                    time_text(now)
                ],
                quota_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn quotas(&self) -> Result<Vec<WorkspaceQuota>, StoreError> {
        self.read(|conn| {
            collect(
                conn,
                &format!(
                    "SELECT {QUOTA_COLUMNS} FROM workspace_quotas q
                     JOIN workspaces w ON w.id = q.workspace_id AND w.deleted_at IS NULL"
                ),
                [],
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
        self.read(move |conn| {
            let ids = serde_json::to_string(&workspaces)
                .map_err(|e| StoreError::Backend(format!("cannot encode the ids: {e}")))?;
            collect(
                conn,
                "SELECT workspace_id, count(*) FROM api_usage
                 WHERE created_at >= ?1 AND workspace_id IN (SELECT value FROM json_each(?2))
                   AND status <> 429
                 GROUP BY workspace_id",
                params![time_text(since), ids],
                |row| Ok((parsed_at(row, 0)?, unsigned_at(row, 1)?)),
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
            UsageGroup::Total => ["NULL", "NULL"],
            UsageGroup::Day => ["substr(created_at, 1, 10)", "NULL"],
            UsageGroup::Endpoint => ["method", "endpoint"],
            UsageGroup::Token => ["token_id", "user_id"],
            UsageGroup::Workspace => ["workspace_id", "NULL"],
        };
        let sql = group.sql(
            "api_usage",
            keys,
            ["?1", "?2"],
            "?3 IS NULL OR workspace_id = ?3",
        );
        self.read(move |conn| {
            collect(
                conn,
                &sql,
                params![
                    time_text(start),
                    time_text(end),
                    workspace.map(|id| id.to_string())
                ],
                group_from,
            )
        })
        .await
    }
}
