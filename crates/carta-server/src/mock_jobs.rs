//! The `mock` job: reads the connection's schema live (keeping it as a new
//! version when it changed, as a sync does), plans rows with carta-mock
//! from the options `carta mock` takes, and either loads them into the
//! connection's database with carta-load (one transaction, non-empty
//! tables refused) or writes one file per table, kept in the store under
//! [`MAX_MOCK_OUTPUT_BYTES`] for the whole job.

use crate::jobs::{open_connection, schema_version};
use crate::routes::mock_jobs::{MockFormat, MockRequest, MockTarget};
use crate::state::AppState;
use carta_catalog::{Catalog, QualifiedName};
use carta_config::{Config, TableSelection};
use carta_ingest::Source;
use carta_mock::{FileFormat, Plan};
use carta_source::IngestOptions;
use carta_store::{
    ConnectionMode, Job, MockTableRows, NewMockFile, NewMockOutput, StoreError,
    MAX_MOCK_OUTPUT_BYTES,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// How often a load reports its progress.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(2);
/// Progress once the schema is read and the plan made; loading or writing
/// fills the rest.
const PLANNED: u8 = 20;

/// Runs a mock job: what it produced, or `None` when it saw a cancel request.
pub async fn run_job(state: &AppState, job: &Job) -> Result<Option<Value>, String> {
    let request: MockRequest = serde_json::from_value(job.payload.clone())
        .map_err(|e| format!("the job's configuration cannot be read: {e}"))?;
    let opened = open_connection(state, job.workspace_id, request.connection_id).await?;
    // The mode may have changed since the job was queued.
    if request.target == MockTarget::Database && opened.connection.mode == ConnectionMode::ReadOnly
    {
        return Err(format!(
            "connection {} is read-only: mock data is loaded into read-write connections only",
            opened.connection.name
        ));
    }
    let ingested = carta_ingest::ingest(&opened.source, &IngestOptions::default())
        .await
        .map_err(|e| opened.scrub(format!("cannot read the schema: {e}")))?;
    let version = state
        .store()
        .record_schema_version(schema_version(
            job.workspace_id,
            request.connection_id,
            &ingested.catalog,
        )?)
        .await
        .map_err(|e| format!("cannot store the schema: {e}"))?
        .version()
        .version;
    let mut catalog = ingested.catalog;
    let plan = plan(&request, &mut catalog)?;
    if cancelled(state, job, PLANNED).await {
        return Ok(None);
    }
    let (tables, files) = match request.target {
        MockTarget::Database => {
            let url = match &opened.source {
                Source::SqliteFile { path } => format!("sqlite://{}", path.display()),
                _ => opened.uri.clone(),
            };
            match load(state, job, &url, &catalog, &plan).await {
                Some(loaded) => (loaded.map_err(|e| opened.scrub(e))?, Vec::new()),
                None => return Ok(None),
            }
        }
        MockTarget::Files => {
            let format = request.format.unwrap_or(MockFormat::Sql).into();
            let planned = plan.clone();
            let files =
                tokio::task::spawn_blocking(move || write_files(&catalog, &planned, format))
                    .await
                    .map_err(|e| format!("writing the files failed: {e}"))??;
            let tables = plan
                .tables
                .iter()
                .map(|t| (t.table.clone(), t.rows))
                .collect();
            (tables, files)
        }
    };
    let output = state
        .store()
        .record_mock_output(NewMockOutput {
            workspace_id: job.workspace_id,
            job_id: job.id,
            schema_version: Some(version),
            tables: tables
                .into_iter()
                .map(|(table, rows)| MockTableRows {
                    table: table.to_string(),
                    rows,
                })
                .collect(),
            files,
        })
        .await
        .map_err(|e| format!("cannot keep the output: {e}"))?;
    Ok(Some(json!({
        "connection_id": request.connection_id,
        "target": request.target,
        "schema_version": version,
        "tables": output.tables.len(),
        "total_rows": output.total_rows,
        "files": output.files.len(),
    })))
}

/// The plan `carta mock` would make with these options: include/exclude
/// and `[mock]` through carta-config, then the request's rows, seed and
/// per-table counts. Fails with the planner's own words when the schema
/// cannot be filled as asked.
fn plan(request: &MockRequest, catalog: &mut Catalog) -> Result<Plan, String> {
    let config = Config {
        selection: TableSelection {
            include: request.include.clone(),
            exclude: request.exclude.clone(),
        },
        ..Config::default()
    };
    let relations = config.apply(catalog).map_err(|e| e.to_string())?;
    let mut options = config.mock_options(catalog).map_err(|e| e.to_string())?;
    if let Some(rows) = request.rows {
        options.default_rows = rows;
    }
    if let Some(seed) = request.seed {
        options.seed = seed;
    }
    for (name, rows) in &request.tables {
        let table = catalog
            .find_table(name)
            .map_err(|e| format!("tables: {e}"))?;
        options.rows.insert(table, *rows);
    }
    carta_mock::plan(catalog, &relations, &options)
        .map_err(|e| format!("the schema cannot be filled as asked: {e}"))
}

/// Reports progress; whether a cancel was asked. A store that cannot be
/// reached, or a claim taken over, is not a reason to stop.
async fn cancelled(state: &AppState, job: &Job, progress: u8) -> bool {
    match state
        .store()
        .job_progress(job.id, state.instance_id(), progress)
        .await
    {
        Ok(job) => job.cancel_requested,
        Err(StoreError::NotFound) => false,
        Err(error) => {
            tracing::warn!(job = %job.id, %error, "cannot record job progress");
            false
        }
    }
}

/// Rows sent per table, as carta-load reports them.
struct Sent {
    total: u64,
    rows: Mutex<BTreeMap<QualifiedName, u64>>,
}

impl Sent {
    fn percent(&self) -> u8 {
        let sent: u64 = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .sum();
        let share = sent.saturating_mul(u64::from(99 - PLANNED)) / self.total.max(1);
        PLANNED + u8::try_from(share).unwrap_or(99 - PLANNED)
    }
}

impl carta_load::Progress for Sent {
    fn table_started(&self, _: &QualifiedName, _: u64) {}

    fn rows_done(&self, table: &QualifiedName, rows: u64) {
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(table.clone(), rows);
    }

    fn table_finished(&self, _: &QualifiedName) {}
}

/// Loads the plan, reporting progress meanwhile; `None` when a cancel was
/// asked (the load is dropped, which rolls its transaction back).
async fn load(
    state: &AppState,
    job: &Job,
    url: &str,
    catalog: &Catalog,
    plan: &Plan,
) -> Option<Result<Vec<(QualifiedName, u64)>, String>> {
    let sent = Sent {
        total: plan.tables.iter().map(|t| t.rows).sum(),
        rows: Mutex::new(BTreeMap::new()),
    };
    let options = carta_load::LoadOptions::default();
    let loading = carta_load::load(url, catalog, plan, &options, &sent);
    let watching = async {
        loop {
            tokio::time::sleep(PROGRESS_INTERVAL).await;
            if cancelled(state, job, sent.percent()).await {
                return;
            }
        }
    };
    tokio::select! {
        loaded = loading => Some(
            loaded
                .map(|report| report.tables)
                .map_err(|e| format!("cannot load the rows: {e}")),
        ),
        () = watching => None,
    }
}

/// A buffer that refuses to grow past what the job may still keep.
struct Capped<'a> {
    bytes: Vec<u8>,
    room: &'a mut u64,
}

impl std::io::Write for Capped<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let size = data.len() as u64;
        if size > *self.room {
            return Err(std::io::Error::other(format!(
                "the output files exceed the {} MiB a mock job may keep: ask for fewer rows \
                 or fewer tables",
                MAX_MOCK_OUTPUT_BYTES / (1024 * 1024)
            )));
        }
        *self.room -= size;
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn media_type(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Sql => "application/sql",
        FileFormat::Csv => "text/csv",
        FileFormat::Ndjson => "application/x-ndjson",
    }
}

/// One file per table named as `carta mock --out` names them (and the
/// fixups script for SQL), all under the job's byte budget.
fn write_files(
    catalog: &Catalog,
    plan: &Plan,
    format: FileFormat,
) -> Result<Vec<NewMockFile>, String> {
    let mut room = MAX_MOCK_OUTPUT_BYTES;
    let mut files = Vec::new();
    let mut keep = |name: String,
                    write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>|
     -> Result<(), String> {
        let mut out = Capped {
            bytes: Vec::new(),
            room: &mut room,
        };
        write(&mut out).map_err(|e| format!("{name}: {e}"))?;
        files.push(NewMockFile {
            name,
            media_type: media_type(format).into(),
            content: out.bytes,
        });
        Ok(())
    };
    for index in 0..plan.tables.len() {
        keep(carta_mock::file_name(plan, index, format), &|out| {
            carta_mock::write_table(format, catalog, plan, index, out)
        })?;
    }
    if format == FileFormat::Sql {
        keep(carta_mock::FIXUPS_FILE_NAME.to_string(), &|out| {
            carta_mock::write_fixups_sql(catalog, plan, out)
        })?;
    }
    Ok(files)
}
