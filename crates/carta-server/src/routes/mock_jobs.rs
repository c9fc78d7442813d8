//! Mock data jobs of a workspace: enqueue (editors), list, follow, and
//! download their output files. Cancelling goes through the job queue's
//! own `POST .../jobs/{job_id}/cancel`.

use crate::auth::{workspace_access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::model::JobBody;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carta_store::{ConnectionMode, JobKind, MemberRole, MockJob, MockOutput, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most rows one table may be asked for.
pub const MAX_MOCK_TABLE_ROWS: u64 = 1_000_000;
/// How many mock jobs a list shows, newest first.
const LIST_LIMIT: u32 = 200;
const MAX_PATTERNS: usize = 200;

/// Where generated rows go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MockTarget {
    /// Loaded into the connection's database (read-write connections only),
    /// in one transaction; tables that already hold rows are refused.
    Database,
    /// Written as one file per table, kept in the store for download.
    Files,
}

/// The format of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MockFormat {
    Sql,
    Csv,
    Ndjson,
}

impl From<MockFormat> for carta_mock::FileFormat {
    fn from(format: MockFormat) -> Self {
        match format {
            MockFormat::Sql => carta_mock::FileFormat::Sql,
            MockFormat::Csv => carta_mock::FileFormat::Csv,
            MockFormat::Ndjson => carta_mock::FileFormat::Ndjson,
        }
    }
}

/// A mock run's configuration: the options of `carta mock`. Kept as the
/// job's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MockRequest {
    pub connection_id: Uuid,
    pub target: MockTarget,
    /// Files only; `sql` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<MockFormat>,
    /// Rows of every table not named in `tables` (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// The same seed, schema and options give the same rows (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Rows per table: `schema.table` or a table name that is in one schema.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, u64>,
    /// Keep only tables matching one of these globs (empty: every table).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Then leave out tables matching one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

impl MockRequest {
    /// Checks what can be checked without the schema.
    fn validate(&self) -> Result<(), ApiError> {
        if self.target == MockTarget::Database && self.format.is_some() {
            return Err(ApiError::bad_request(
                "format applies to files only; a database target loads rows directly",
            ));
        }
        for (what, rows) in self
            .rows
            .iter()
            .map(|rows| ("rows", *rows))
            .chain(self.tables.values().map(|rows| ("a table's rows", *rows)))
        {
            if rows > MAX_MOCK_TABLE_ROWS {
                return Err(ApiError::bad_request(format!(
                    "{what} may be at most {MAX_MOCK_TABLE_ROWS}, not {rows}"
                )));
            }
        }
        for name in self.tables.keys() {
            super::validate_text("a table name", name)?;
        }
        if self.include.len() + self.exclude.len() > MAX_PATTERNS {
            return Err(ApiError::bad_request(format!(
                "at most {MAX_PATTERNS} include and exclude patterns"
            )));
        }
        for pattern in self.include.iter().chain(&self.exclude) {
            super::validate_text("a table pattern", pattern)?;
            carta_catalog::compile_pattern(pattern)
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
        }
        Ok(())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MockTableBody {
    /// `schema.table`.
    pub table: String,
    pub rows: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MockFileBody {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
}

/// What a run produced.
#[derive(Debug, Serialize, ToSchema)]
pub struct MockOutputBody {
    /// The connection's schema version the rows were planned from.
    pub schema_version: Option<u32>,
    /// Rows per table, in load order.
    pub tables: Vec<MockTableBody>,
    pub total_rows: u64,
    /// Download each at `.../mock-jobs/{mid}/files/{name}`.
    pub files: Vec<MockFileBody>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<MockOutput> for MockOutputBody {
    fn from(output: MockOutput) -> MockOutputBody {
        MockOutputBody {
            schema_version: output.schema_version,
            tables: output
                .tables
                .into_iter()
                .map(|t| MockTableBody {
                    table: t.table,
                    rows: t.rows,
                })
                .collect(),
            total_rows: output.total_rows,
            files: output
                .files
                .into_iter()
                .map(|f| MockFileBody {
                    name: f.name,
                    media_type: f.media_type,
                    size: f.size,
                    sha256: f.sha256,
                })
                .collect(),
            created_at: output.created_at,
        }
    }
}

/// A mock job: its job (status, progress, error: the same as at
/// `/jobs/{job_id}`), its configuration, and its output once it has one.
#[derive(Debug, Serialize, ToSchema)]
pub struct MockJobBody {
    #[serde(flatten)]
    pub job: JobBody,
    pub config: Option<MockRequest>,
    pub output: Option<MockOutputBody>,
}

impl From<MockJob> for MockJobBody {
    fn from(mock: MockJob) -> MockJobBody {
        MockJobBody {
            // A payload this build cannot read (written by another version) shows as none.
            config: serde_json::from_value(mock.job.payload.clone()).ok(),
            job: mock.job.into(),
            output: mock.output.map(Into::into),
        }
    }
}

/// Queues a mock data run (workspace editors). A database target needs a
/// read-write connection (409 otherwise); files can come from any.
#[utoipa::path(post, path = "/workspaces/{id}/mock-jobs", tag = "mock",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = MockRequest,
    responses((status = 202, description = "queued", body = MockJobBody),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "a database target on a read-only connection", body = ErrorBody)))]
pub async fn create_mock_job(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<MockRequest>,
) -> Result<(StatusCode, Json<MockJobBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    request.validate()?;
    let connection = state
        .store()
        .connection(id, request.connection_id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    if request.target == MockTarget::Database && connection.mode == ConnectionMode::ReadOnly {
        return Err(ApiError::conflict(format!(
            "connection {} is read-only: mock data can only be loaded into a read-write \
             connection (or ask for files)",
            connection.name
        )));
    }
    let payload = serde_json::to_value(&request).map_err(|e| ApiError::internal(&e))?;
    let job = state
        .store()
        .enqueue_job(NewJob {
            workspace_id: id,
            kind: JobKind::Mock,
            payload,
            created_by: Some(caller.user.id),
        })
        .await?;
    state
        .audit(
            Some(caller.user.id),
            &client,
            AuditEvent {
                action: "job.enqueue",
                workspace_id: Some(id),
                resource_type: "job",
                resource_id: Some(job.id.to_string()),
                details: json!({ "kind": job.kind, "connection_id": request.connection_id,
                    "target": request.target }),
            },
        )
        .await?;
    let body = MockJobBody::from(MockJob { job, output: None });
    Ok((StatusCode::ACCEPTED, Json(body)))
}

/// The workspace's mock jobs, newest first (any member).
#[utoipa::path(get, path = "/workspaces/{id}/mock-jobs", tag = "mock",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = [MockJobBody]), (status = 404, body = ErrorBody)))]
pub async fn list_mock_jobs(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<MockJobBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let jobs = state.store().mock_jobs(id, LIST_LIMIT).await?;
    Ok(Json(jobs.into_iter().map(Into::into).collect()))
}

/// One mock job with its status, row counts and files (any member).
#[utoipa::path(get, path = "/workspaces/{id}/mock-jobs/{mid}", tag = "mock",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("mid" = Uuid, Path, description = "mock job id (its job id)")),
    responses((status = 200, body = MockJobBody), (status = 404, body = ErrorBody)))]
pub async fn get_mock_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, mid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<MockJobBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let job = state
        .store()
        .mock_job(id, mid)
        .await?
        .ok_or_else(|| ApiError::not_found("mock job"))?;
    Ok(Json(job.into()))
}

/// Downloads one output file (any member).
#[utoipa::path(get, path = "/workspaces/{id}/mock-jobs/{mid}/files/{name}", tag = "mock",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("mid" = Uuid, Path, description = "mock job id"),
        ("name" = String, Path, description = "file name, as listed in the job's output")),
    responses((status = 200, description = "the file, as an attachment", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody)))]
pub async fn download_mock_file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, mid, name)): ApiPath<(Uuid, Uuid, String)>,
) -> Result<Response, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    super::validate_text("the file name", &name)?;
    let (file, content) = state
        .store()
        .mock_job_file(id, mid, &name)
        .await?
        .ok_or_else(|| ApiError::not_found("file"))?;
    let media_type = HeaderValue::from_str(&file.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&attachment(&file.name)).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response())
}

/// `attachment` with an ASCII fallback name and the exact name in RFC 5987
/// form, so a table name with quotes or non-ASCII letters cannot break the header.
fn attachment(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_stay_in_the_header() {
        assert_eq!(
            attachment("000_public.users.csv"),
            "attachment; filename=\"000_public.users.csv\"; filename*=UTF-8''000%5Fpublic%2Eusers%2Ecsv"
        );
        let odd = attachment("001_public.\"we;ird\"\u{e9}.csv");
        assert!(
            odd.starts_with("attachment; filename=\"001_public._we_ird__.csv\""),
            "{odd}"
        );
        assert!(HeaderValue::from_str(&odd).is_ok());
    }

    #[test]
    fn requests_are_checked_before_they_are_queued() {
        let request = |body: serde_json::Value| -> MockRequest {
            serde_json::from_value(body).expect("a request")
        };
        let cid = Uuid::nil();
        assert!(
            request(json!({ "connection_id": cid, "target": "files", "format": "csv" }))
                .validate()
                .is_ok()
        );
        for bad in [
            json!({ "connection_id": cid, "target": "database", "format": "csv" }),
            json!({ "connection_id": cid, "target": "files", "rows": MAX_MOCK_TABLE_ROWS + 1 }),
            json!({ "connection_id": cid, "target": "files", "tables": { "t": MAX_MOCK_TABLE_ROWS + 1 } }),
            json!({ "connection_id": cid, "target": "files", "include": ["bad["] }),
            json!({ "connection_id": cid, "target": "files", "tables": { "a\u{0}": 1 } }),
        ] {
            assert!(request(bad.clone()).validate().is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<MockRequest>(
            json!({ "connection_id": cid, "target": "files", "colour": "red" })
        )
        .is_err());
    }
}
