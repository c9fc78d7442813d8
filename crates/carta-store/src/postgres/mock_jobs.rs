//! Mock job outputs and files on PostgreSQL.

use std::collections::HashMap;

use tokio_postgres::Row;
use uuid::Uuid;

use super::{all, execute, job_from, one, out_of_range, rows, version_at, Rls, JOB_COLUMNS};
use crate::mock_jobs::{MockFile, MockJob, MockOutput, StoredFile};
use crate::StoreError;

const OUTPUT_COLUMNS: &str = "id, schema_version, tables, total_rows, created_at";

fn output_from(row: &Row, files: Vec<MockFile>) -> Result<MockOutput, StoreError> {
    let tables: serde_json::Value = row.try_get(2)?;
    Ok(MockOutput {
        schema_version: row
            .try_get::<_, Option<i32>>(1)?
            .map(|_| version_at(row, 1))
            .transpose()?,
        tables: serde_json::from_value(tables)
            .map_err(|e| StoreError::Backend(format!("corrupt row: {e}")))?,
        total_rows: u64::try_from(row.try_get::<_, i64>(3)?)
            .map_err(|_| out_of_range("total_rows"))?,
        files,
        created_at: row.try_get(4)?,
    })
}

fn file_from(row: &Row) -> Result<MockFile, StoreError> {
    Ok(MockFile {
        name: row.try_get(1)?,
        media_type: row.try_get(2)?,
        size: u64::try_from(row.try_get::<_, i64>(3)?).map_err(|_| out_of_range("size"))?,
        sha256: row.try_get(4)?,
    })
}

impl super::PgStore {
    pub(crate) async fn record_mock_output(
        &self,
        workspace: Uuid,
        job: Uuid,
        output: MockOutput,
        files: Vec<StoredFile>,
    ) -> Result<MockOutput, StoreError> {
        let tables = serde_json::to_value(&output.tables)
            .map_err(|e| StoreError::Backend(format!("cannot encode the table counts: {e}")))?;
        let version = output
            .schema_version
            .map(i32::try_from)
            .transpose()
            .map_err(|_| StoreError::InvalidInput("a schema version out of range".into()))?;
        let total = i64::try_from(output.total_rows)
            .map_err(|_| StoreError::InvalidInput("a row count out of range".into()))?;
        self.transact(Rls::Workspace(workspace), async |tx| {
            // A retried job replaces what its earlier attempt kept.
            execute(tx, "DELETE FROM carta.mock_jobs WHERE id = $1", &[&job]).await?;
            execute(
                tx,
                "INSERT INTO carta.mock_jobs (id, workspace_id, schema_version, tables, total_rows, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&job, &workspace, &version, &tables, &total, &output.created_at],
            )
            .await?;
            for file in &files {
                let size = i64::try_from(file.meta.size).map_err(|_| out_of_range("size"))?;
                execute(
                    tx,
                    "INSERT INTO carta.mock_job_files (mock_job_id, workspace_id, name, media_type, size, sha256, content)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &job,
                        &workspace,
                        &file.meta.name,
                        &file.meta.media_type,
                        &size,
                        &file.meta.sha256,
                        &file.content,
                    ],
                )
                .await?;
            }
            Ok(output)
        })
        .await
    }

    /// The workspace's mock jobs (or the one `only` names), newest first.
    pub(crate) async fn mock_jobs(
        &self,
        workspace: Uuid,
        only: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<MockJob>, StoreError> {
        let limit = i64::from(limit);
        self.transact(Rls::Workspace(workspace), async |tx| {
            let jobs = all(
                rows(
                    tx,
                    &format!(
                        "SELECT {JOB_COLUMNS} FROM carta.jobs
                         WHERE workspace_id = $1 AND kind = 'mock' AND ($2::uuid IS NULL OR id = $2)
                           AND {}
                         ORDER BY created_at DESC, id LIMIT $3",
                        super::LIVE_WORKSPACE
                    ),
                    &[&workspace, &only, &limit],
                )
                .await?,
                job_from,
            )?;
            let ids: Vec<Uuid> = jobs.iter().map(|job| job.id).collect();
            let outputs = rows(
                tx,
                &format!("SELECT {OUTPUT_COLUMNS} FROM carta.mock_jobs WHERE id = ANY($1)"),
                &[&ids],
            )
            .await?;
            let files = rows(
                tx,
                "SELECT mock_job_id, name, media_type, size, sha256 FROM carta.mock_job_files
                 WHERE mock_job_id = ANY($1) ORDER BY mock_job_id, name",
                &[&ids],
            )
            .await?;
            let mut files_of: HashMap<Uuid, Vec<MockFile>> = HashMap::new();
            for row in &files {
                files_of
                    .entry(row.try_get(0)?)
                    .or_default()
                    .push(file_from(row)?);
            }
            let mut outputs_of = HashMap::new();
            for row in &outputs {
                let id: Uuid = row.try_get(0)?;
                let output = output_from(row, files_of.remove(&id).unwrap_or_default())?;
                outputs_of.insert(id, output);
            }
            Ok(jobs
                .into_iter()
                .map(|job| MockJob {
                    output: outputs_of.remove(&job.id),
                    job,
                })
                .collect())
        })
        .await
    }

    pub(crate) async fn mock_job_file(
        &self,
        workspace: Uuid,
        job: Uuid,
        name: &str,
    ) -> Result<Option<(MockFile, Vec<u8>)>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT mock_job_id, name, media_type, size, sha256, content FROM carta.mock_job_files
                     WHERE workspace_id = $1 AND mock_job_id = $2 AND name = $3 AND {}",
                    super::LIVE_WORKSPACE
                ),
                &[&workspace, &job, &name],
            )
            .await?
            .map(|row| Ok((file_from(&row)?, row.try_get(5)?)))
            .transpose()
        })
        .await
    }
}
