//! The job worker: one tokio task per server that claims jobs from the
//! store's queue and runs them, one at a time. Several servers sharing a
//! PostgreSQL store each run a worker; the store's claim hands every job to
//! exactly one. While a job runs its worker beats every few seconds: the
//! beat reports progress, sees a cancel request, and tells the other
//! servers this one is alive. A job whose beats stop (its server died) is
//! requeued, or failed after its last attempt, by whichever worker looks
//! next.
//!
//! Only `sync` runs today: it ingests the connection and keeps a new schema
//! version when the fingerprint changed.

use crate::state::AppState;
use carta_catalog::{Catalog, TableKind};
use carta_ingest::Source;
use carta_source::IngestOptions;
use carta_store::{
    ColumnRow, DbType, Job, JobKind, JobOutcome, NewAudit, NewSchemaVersion, SchemaRecord,
    StoreError, TableRow,
};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// How long an idle worker waits before looking at the queue again.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// A worker beats this many times within the takeover time, so a few
/// slow beats do not get a live server's job taken over.
const BEATS_PER_STALE_PERIOD: u32 = 6;
/// The shortest interval between beats, whatever the takeover time.
const MIN_HEARTBEAT_INTERVAL: Duration = Duration::from_millis(200);

/// Claims and runs jobs until `stop` turns true (or its sender is dropped);
/// a job already running is finished first.
pub async fn run_worker(state: AppState, mut stop: watch::Receiver<bool>) {
    tracing::info!(instance = state.instance_id(), "job worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        match next_job(&state).await {
            // Ran one: look for the next at once.
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "the job queue is unavailable"),
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
    tracing::info!("job worker stopped");
}

/// Recovers abandoned jobs, then claims and runs one; whether it ran one.
async fn next_job(state: &AppState) -> Result<bool, StoreError> {
    let store = state.store();
    for job in store
        .recover_stale_jobs(carta_store::now() - state.job_stale_after())
        .await?
    {
        tracing::warn!(job = %job.id, status = %job.status, attempts = job.attempts,
            "recovered a job whose server stopped responding");
        audit_job(
            state,
            &job,
            "job.recovered",
            json!({ "status": job.status }),
        )
        .await;
    }
    let Some(job) = store.claim_job(state.instance_id()).await? else {
        return Ok(false);
    };
    run_job(state, job).await;
    Ok(true)
}

/// Why a running job was stopped from outside.
enum Interrupt {
    Cancelled,
    /// Another worker took the job over: this one must not report on it.
    LostClaim,
}

async fn run_job(state: &AppState, job: Job) {
    let instance = state.instance_id();
    let outcome = tokio::select! {
        result = execute(state, &job) => match result {
            Ok(Ran::Done(result)) => Ok((JobOutcome::Completed(result.clone()), result)),
            Ok(Ran::Cancelled) => Err(Interrupt::Cancelled),
            Err(error) => Ok((JobOutcome::Failed(error.clone()), json!({ "error": error }))),
        },
        interrupt = beat_until_interrupted(state, job.id) => Err(interrupt),
    };
    let (outcome, details) = match outcome {
        Ok(ended) => ended,
        Err(Interrupt::Cancelled) => (JobOutcome::Cancelled, json!({})),
        Err(Interrupt::LostClaim) => {
            tracing::warn!(job = %job.id, "another server took this job over");
            return;
        }
    };
    let action = match outcome {
        JobOutcome::Completed(_) => "job.completed",
        JobOutcome::Failed(_) => "job.failed",
        JobOutcome::Cancelled => "job.cancelled",
    };
    match state.store().finish_job(job.id, instance, outcome).await {
        Ok(finished) => {
            audit_job(state, &finished, action, details).await;
            crate::events::job_ended(state, &finished).await;
        }
        Err(error) => tracing::warn!(job = %job.id, %error, "cannot record the end of a job"),
    }
}

/// Beats until the job is cancelled or its claim is lost; never returns
/// otherwise. A store that cannot be reached is retried at the next beat.
async fn beat_until_interrupted(state: &AppState, id: Uuid) -> Interrupt {
    loop {
        tokio::time::sleep(heartbeat_interval(state.job_stale_after())).await;
        match state.store().heartbeat_job(id, state.instance_id()).await {
            Ok(job) if job.cancel_requested => return Interrupt::Cancelled,
            Ok(_) => {}
            Err(StoreError::NotFound) => return Interrupt::LostClaim,
            Err(error) => tracing::warn!(job = %id, %error, "job heartbeat failed"),
        }
    }
}

fn heartbeat_interval(stale_after: Duration) -> Duration {
    (stale_after / BEATS_PER_STALE_PERIOD).max(MIN_HEARTBEAT_INTERVAL)
}

/// How a job's work ended, when it did not fail.
enum Ran {
    /// With what it produced, kept on the job and audited.
    Done(Value),
    /// It saw a cancel request at one of its checks.
    Cancelled,
}

/// Runs the job's work, or says why it failed (a message free of secrets,
/// kept on the job).
async fn execute(state: &AppState, job: &Job) -> Result<Ran, String> {
    match job.kind {
        JobKind::Sync => sync(state, job).await,
        JobKind::Docs => match crate::living_docs::run_job(state, job).await? {
            crate::living_docs::Generated::Done(result) => Ok(Ran::Done(result)),
            crate::living_docs::Generated::Cancelled => Ok(Ran::Cancelled),
        },
        JobKind::Mock => Ok(crate::mock_jobs::run_job(state, job)
            .await?
            .map_or(Ran::Cancelled, Ran::Done)),
    }
}

/// A workspace connection opened for a job: its URI in clear and the source it names.
pub(crate) struct Opened {
    pub connection: carta_store::Connection,
    pub uri: String,
    pub source: Source,
}

impl Opened {
    /// Messages may quote what they were given: the URI is shown redacted.
    pub fn scrub(&self, message: String) -> String {
        message.replace(&self.uri, &self.connection.redacted_uri)
    }
}

/// Reads and decrypts a connection of the workspace; SQLite files only
/// under the configured folder.
pub(crate) async fn open_connection(
    state: &AppState,
    workspace: Uuid,
    connection_id: Uuid,
) -> Result<Opened, String> {
    let connection = state
        .store()
        .connection(workspace, connection_id)
        .await
        .map_err(|e| format!("cannot read the connection: {e}"))?
        .ok_or("the connection no longer exists")?;
    let uri = state
        .open(&connection.uri)
        .map_err(|_| "the connection's URI cannot be decrypted".to_string())?;
    let source = match connection.db_type {
        DbType::Sqlite => Source::SqliteFile {
            path: state
                .sqlite_targets()
                .resolve(&uri)
                .map_err(|refused| refused.to_string())?,
        },
        DbType::Postgres | DbType::Mysql => Source::parse(&uri, None)
            .map_err(|e| e.to_string().replace(&uri, &connection.redacted_uri))?,
    };
    Ok(Opened {
        connection,
        uri,
        source,
    })
}

/// The connection a sync job names.
pub fn sync_payload(connection: Uuid) -> Value {
    json!({ "connection_id": connection })
}

async fn sync(state: &AppState, job: &Job) -> Result<Ran, String> {
    let connection_id = job.payload["connection_id"]
        .as_str()
        .and_then(|id| id.parse::<Uuid>().ok())
        .ok_or("the job names no connection")?;
    let store = state.store();
    let opened = open_connection(state, job.workspace_id, connection_id).await?;
    let ingested = carta_ingest::ingest(&opened.source, &IngestOptions::default())
        .await
        .map_err(|e| opened.scrub(format!("cannot read the schema: {e}")))?;
    // Reading is most of the work; a cancel asked meanwhile stops it here.
    match store.job_progress(job.id, state.instance_id(), 60).await {
        Ok(progressed) if progressed.cancel_requested => return Ok(Ran::Cancelled),
        // NotFound: another server took the job over; storing the same
        // fingerprint twice keeps one version, so going on is harmless.
        Ok(_) | Err(StoreError::NotFound) => {}
        Err(error) => tracing::warn!(job = %job.id, %error, "cannot record job progress"),
    }
    let record = store
        .record_schema_version(schema_version(
            job.workspace_id,
            connection_id,
            &ingested.catalog,
        )?)
        .await
        .map_err(|e| format!("cannot store the schema: {e}"))?;
    let version = record.version();
    if let SchemaRecord::Created(kept) = &record {
        crate::events::schema_kept(state, job, kept).await;
    }
    Ok(Ran::Done(json!({
        "connection_id": connection_id,
        "version": version.version,
        "fingerprint": version.fingerprint,
        "changed": matches!(record, SchemaRecord::Created(_)),
        "warnings": ingested.warnings.len(),
    })))
}

fn table_kind(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Table => "table",
        TableKind::PartitionedTable => "partitioned_table",
        TableKind::ForeignTable => "foreign_table",
        TableKind::View => "view",
        TableKind::MaterializedView => "materialized_view",
    }
}

/// The version to keep for a Catalog: its JSON, counts, and rows for search.
pub(crate) fn schema_version(
    workspace: Uuid,
    connection: Uuid,
    catalog: &Catalog,
) -> Result<NewSchemaVersion, String> {
    let as_json = |what: &str, value: Result<Value, serde_json::Error>| {
        value.map_err(|e| format!("cannot encode the {what}: {e}"))
    };
    let tables = catalog
        .schemas
        .iter()
        .flat_map(|schema| schema.tables.iter().map(move |table| (schema, table)))
        .map(|(schema, table)| {
            let primary: Vec<&String> = table
                .primary_key
                .iter()
                .flat_map(|pk| &pk.columns)
                .collect();
            let foreign: Vec<&String> = table
                .foreign_keys
                .iter()
                .flat_map(|fk| &fk.columns)
                .collect();
            TableRow {
                namespace: schema.name.clone(),
                name: table.name.clone(),
                kind: table_kind(table.kind).to_string(),
                comment: table.comment.clone(),
                columns: table
                    .columns
                    .iter()
                    .map(|column| ColumnRow {
                        name: column.name.clone(),
                        data_type: column.data_type.clone(),
                        nullable: column.nullable,
                        is_pk: primary.contains(&&column.name),
                        is_fk: foreign.contains(&&column.name),
                        comment: column.comment.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(NewSchemaVersion {
        workspace_id: workspace,
        connection_id: connection,
        fingerprint: catalog.fingerprint.clone(),
        schema_json: as_json("schema", serde_json::to_value(catalog))?,
        summary: as_json("summary", serde_json::to_value(catalog.stats()))?,
        tables,
    })
}

/// Audits what happened to a job, on behalf of whoever enqueued it. A
/// failure is logged: the job's own record already says how it ended.
async fn audit_job(state: &AppState, job: &Job, action: &str, details: Value) {
    let entry = NewAudit {
        workspace_id: Some(job.workspace_id),
        actor_id: job.created_by,
        action: action.to_string(),
        resource_type: "job".into(),
        resource_id: Some(job.id.to_string()),
        details: json!({ "kind": job.kind, "status": job.status, "result": details }),
        ip: None,
        user_agent: None,
    };
    if let Err(error) = state.store().append_audit(entry).await {
        tracing::warn!(job = %job.id, %error, "cannot audit a job");
    }
}
