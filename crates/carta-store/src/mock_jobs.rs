//! Mock data jobs (seed 004's `mock_jobs`): a `mock` job of the queue, whose
//! payload is the run's configuration and whose row there carries status,
//! progress and error, plus what the run produced: the schema version it
//! planned from, rows per table, and the files it wrote. Output files are
//! kept in the store itself, because several servers sharing a PostgreSQL
//! store share no disk.

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::model::{Job, JobKind, Timestamp};
use crate::{now, storable, Store, StoreError};

/// The most bytes of output files one mock job may keep in the store.
pub const MAX_MOCK_OUTPUT_BYTES: u64 = 64 * 1024 * 1024;

/// A mock job: its queue entry and, once it has produced something, its output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MockJob {
    pub job: Job,
    pub output: Option<MockOutput>,
}

/// What one mock run produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MockOutput {
    /// The connection's schema version the rows were planned from.
    pub schema_version: Option<u32>,
    /// Rows per table, in load order.
    pub tables: Vec<MockTableRows>,
    pub total_rows: u64,
    /// Without their content (see [`Store::mock_job_file`]).
    pub files: Vec<MockFile>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MockTableRows {
    /// `schema.table`.
    pub table: String,
    pub rows: u64,
}

/// An output file's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MockFile {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
}

/// One output file to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMockFile {
    pub name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

/// What a mock run produced, to keep on its job.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMockOutput {
    pub workspace_id: Uuid,
    pub job_id: Uuid,
    pub schema_version: Option<u32>,
    pub tables: Vec<MockTableRows>,
    pub files: Vec<NewMockFile>,
}

/// A file as the backends store it: with its size and checksum.
pub(crate) struct StoredFile {
    pub meta: MockFile,
    pub content: Vec<u8>,
}

impl MockOutput {
    pub(crate) fn total(tables: &[MockTableRows]) -> u64 {
        tables.iter().map(|t| t.rows).sum()
    }
}

impl Store {
    /// Keeps what a mock run produced on its job, replacing the output of an
    /// earlier attempt of the same job. NotFound unless the job is a mock
    /// job of the workspace; InvalidInput when the files together exceed
    /// [`MAX_MOCK_OUTPUT_BYTES`] or two share a name.
    pub async fn record_mock_output(&self, new: NewMockOutput) -> Result<MockOutput, StoreError> {
        let mut size = 0u64;
        let mut files = Vec::with_capacity(new.files.len());
        for file in new.files {
            storable("a file name", &file.name)?;
            storable("a media type", &file.media_type)?;
            if files.iter().any(|f: &StoredFile| f.meta.name == file.name) {
                return Err(StoreError::InvalidInput(format!(
                    "two output files are named {}",
                    file.name
                )));
            }
            size += file.content.len() as u64;
            if size > MAX_MOCK_OUTPUT_BYTES {
                return Err(StoreError::InvalidInput(format!(
                    "the output files exceed {MAX_MOCK_OUTPUT_BYTES} bytes"
                )));
            }
            files.push(StoredFile {
                meta: MockFile {
                    size: file.content.len() as u64,
                    sha256: hex::encode(Sha256::digest(&file.content)),
                    name: file.name,
                    media_type: file.media_type,
                },
                content: file.content,
            });
        }
        for table in &new.tables {
            storable("a table name", &table.table)?;
        }
        let job = self
            .job(new.workspace_id, new.job_id)
            .await?
            .filter(|job| job.kind == JobKind::Mock)
            .ok_or(StoreError::NotFound)?;
        let output = MockOutput {
            schema_version: new.schema_version,
            total_rows: MockOutput::total(&new.tables),
            tables: new.tables,
            files: files.iter().map(|f| f.meta.clone()).collect(),
            created_at: now(),
        };
        dispatch!(self.record_mock_output(job.workspace_id, job.id, output, files))
    }

    /// The workspace's mock jobs, newest first, at most `limit`.
    pub async fn mock_jobs(&self, workspace: Uuid, limit: u32) -> Result<Vec<MockJob>, StoreError> {
        dispatch!(self.mock_jobs(workspace, None, limit))
    }

    /// `None` for a job of another workspace or of another kind.
    pub async fn mock_job(&self, workspace: Uuid, id: Uuid) -> Result<Option<MockJob>, StoreError> {
        Ok(dispatch!(self.mock_jobs(workspace, Some(id), 1))?.pop())
    }

    /// One output file with its content.
    pub async fn mock_job_file(
        &self,
        workspace: Uuid,
        id: Uuid,
        name: &str,
    ) -> Result<Option<(MockFile, Vec<u8>)>, StoreError> {
        storable("the file name", name)?;
        dispatch!(self.mock_job_file(workspace, id, name))
    }
}
