//! Mock job outputs and files on SQLite.

use std::collections::HashMap;

use rusqlite::{params, Row};
use uuid::Uuid;

use super::usage::{signed, unsigned_at};
use super::{collect, conversion_error, execute, job_from, one, time_at, time_text, JOB_COLUMNS};
use crate::mock_jobs::{MockFile, MockJob, MockOutput, StoredFile};
use crate::StoreError;

fn output_from(row: &Row) -> rusqlite::Result<(String, MockOutput)> {
    let tables: String = row.get(2)?;
    Ok((
        row.get(0)?,
        MockOutput {
            schema_version: row.get(1)?,
            tables: serde_json::from_str(&tables).map_err(|e| conversion_error(2, e))?,
            total_rows: unsigned_at(row, 3)?,
            files: Vec::new(),
            created_at: time_at(row, 4)?,
        },
    ))
}

fn file_from(row: &Row) -> rusqlite::Result<MockFile> {
    Ok(MockFile {
        name: row.get(1)?,
        media_type: row.get(2)?,
        size: unsigned_at(row, 3)?,
        sha256: row.get(4)?,
    })
}

impl super::SqliteStore {
    pub(crate) async fn record_mock_output(
        &self,
        workspace: Uuid,
        job: Uuid,
        output: MockOutput,
        files: Vec<StoredFile>,
    ) -> Result<MockOutput, StoreError> {
        let tables = serde_json::to_string(&output.tables)
            .map_err(|e| StoreError::Backend(format!("cannot encode the table counts: {e}")))?;
        self.write(move |conn| {
            let job = job.to_string();
            let workspace = workspace.to_string();
            // A retried job replaces what its earlier attempt kept.
            execute(conn, "DELETE FROM mock_jobs WHERE id = ?1", [&job])?;
            execute(
                conn,
                "INSERT INTO mock_jobs (id, workspace_id, schema_version, tables, total_rows, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    job,
                    workspace,
                    output.schema_version,
                    tables,
                    signed(output.total_rows)?,
                    time_text(output.created_at)
                ],
            )?;
            for file in &files {
                execute(
                    conn,
                    "INSERT INTO mock_job_files (mock_job_id, workspace_id, name, media_type, size, sha256, content)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        job,
                        workspace,
                        file.meta.name,
                        file.meta.media_type,
                        signed(file.meta.size)?,
                        file.meta.sha256,
                        file.content
                    ],
                )?;
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
        self.read(move |conn| {
            let workspace = workspace.to_string();
            let only = only.map(|id| id.to_string());
            let jobs = collect(
                conn,
                &format!(
                    "SELECT {JOB_COLUMNS} FROM jobs
                     WHERE workspace_id = ?1 AND kind = 'mock' AND (?2 IS NULL OR id = ?2)
                       AND {}
                     ORDER BY created_at DESC, id LIMIT ?3",
                    super::LIVE_WORKSPACE
                ),
                params![workspace, only, limit],
                job_from,
            )?;
            let mut outputs = HashMap::new();
            let mut files_of: HashMap<String, Vec<MockFile>> = HashMap::new();
            // Per job: a list of ids as a parameter would need an extension.
            for job in &jobs {
                let id = job.id.to_string();
                if let Some((id, output)) = one(
                    conn,
                    "SELECT id, schema_version, tables, total_rows, created_at FROM mock_jobs WHERE id = ?1",
                    [&id],
                    output_from,
                )? {
                    outputs.insert(id, output);
                }
                let files = collect(
                    conn,
                    "SELECT mock_job_id, name, media_type, size, sha256 FROM mock_job_files
                     WHERE mock_job_id = ?1 ORDER BY name",
                    [&id],
                    file_from,
                )?;
                files_of.insert(id, files);
            }
            Ok(jobs
                .into_iter()
                .map(|job| {
                    let id = job.id.to_string();
                    let output = outputs.remove(&id).map(|output| MockOutput {
                        files: files_of.remove(&id).unwrap_or_default(),
                        ..output
                    });
                    MockJob { job, output }
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
        let name = name.to_owned();
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT mock_job_id, name, media_type, size, sha256, content FROM mock_job_files
                     WHERE workspace_id = ?1 AND mock_job_id = ?2 AND name = ?3 AND {}",
                    super::LIVE_WORKSPACE
                ),
                params![workspace.to_string(), job.to_string(), name],
                |row| Ok((file_from(row)?, row.get(5)?)),
            )
        })
        .await
    }
}
