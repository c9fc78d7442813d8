//! Workspace events: what happened (a schema changed, a job ended, a member
//! joined...), pushed out to webhooks and to automations triggered by it.
//!
//! [`emit`] writes the event into the store's delivery outbox, one pending
//! delivery per enabled webhook subscribed to it, so deliveries survive a
//! restart and any server sharing a PostgreSQL store may send them (see
//! [`crate::delivery`]); then it starts the automations whose trigger is the
//! event. It never fails its caller: the action that caused the event has
//! happened whatever becomes of the notification.

use crate::state::AppState;
use carta_store::{Delivery, Job, JobStatus, NewEvent, SchemaVersion, StoreError};
use serde_json::{json, Value};
use uuid::Uuid;

/// The events a workspace emits; `as_str` is the name webhooks subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    SchemaChanged,
    DocsGenerated,
    JobCompleted,
    JobFailed,
    MemberAdded,
    MemberRemoved,
    DriftDetected,
    LintFailed,
    WebhookTest,
}

impl EventKind {
    pub const ALL: &'static [EventKind] = &[
        EventKind::SchemaChanged,
        EventKind::DocsGenerated,
        EventKind::JobCompleted,
        EventKind::JobFailed,
        EventKind::MemberAdded,
        EventKind::MemberRemoved,
        EventKind::DriftDetected,
        EventKind::LintFailed,
        EventKind::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SchemaChanged => "schema.changed",
            EventKind::DocsGenerated => "docs.generated",
            EventKind::JobCompleted => "job.completed",
            EventKind::JobFailed => "job.failed",
            EventKind::MemberAdded => "member.added",
            EventKind::MemberRemoved => "member.removed",
            EventKind::DriftDetected => "drift.detected",
            EventKind::LintFailed => "lint.failed",
            EventKind::WebhookTest => "webhook.test",
        }
    }

    /// The kind named `name`, if any.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == name)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Records `kind` in the workspace: a delivery to every enabled webhook
/// subscribed to it, and a run of every automation it triggers. Failures
/// are logged, never returned.
pub async fn emit(state: &AppState, workspace: Uuid, kind: EventKind, data: Value) {
    if let Err(error) = deliver(state, workspace, kind.as_str(), &data, None).await {
        tracing::warn!(%workspace, event = %kind, %error, "cannot record an event's webhook deliveries");
    }
    crate::automations::on_event(state, workspace, kind, &data).await;
}

/// Writes the deliveries of one event: to its subscribers, or with `only`
/// to that webhook alone. The body is `{id, event, workspace_id,
/// created_at, data}`; `id` names the event, the same in every delivery.
pub async fn deliver(
    state: &AppState,
    workspace: Uuid,
    event: &str,
    data: &Value,
    only: Option<Uuid>,
) -> Result<Vec<Delivery>, StoreError> {
    let event_id = Uuid::new_v4();
    let created_at = carta_store::now()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::Backend(format!("cannot format the event time: {e}")))?;
    let payload = json!({
        "id": event_id,
        "event": event,
        "workspace_id": workspace,
        "created_at": created_at,
        "data": data,
    });
    state
        .store()
        .enqueue_deliveries(
            NewEvent {
                workspace_id: workspace,
                event_id,
                event: event.to_string(),
                payload,
            },
            only,
        )
        .await
}

/// The change from version `to - 1` to `to` of a connection: both
/// version numbers, carta-diff's JSON report (`diff`, its `summary` also at
/// the top) and its Markdown.
pub async fn schema_change(
    state: &AppState,
    workspace: Uuid,
    connection: Uuid,
    to: u32,
) -> Result<Value, String> {
    let from = to
        .checked_sub(1)
        .filter(|from| *from >= 1)
        .ok_or("a first version has nothing to diff with")?;
    let older = crate::automations::version_catalog(state, workspace, connection, from).await?;
    let newer = crate::automations::version_catalog(state, workspace, connection, to).await?;
    let diff = carta_diff::diff(&older, &newer, &Default::default());
    let report: Value = serde_json::from_str(&carta_diff::render_json(&diff))
        .map_err(|e| format!("cannot read the diff report: {e}"))?;
    Ok(json!({
        "connection_id": connection,
        "from_version": from,
        "to_version": to,
        "summary": report["summary"],
        "diff": report,
        "markdown": carta_diff::render_markdown(&diff),
    }))
}

/// The automation mark a job carries in its payload, copied into an event.
fn with_origin(mut data: Value, job: &Job) -> Value {
    if let (Some(object), Some(origin)) = (data.as_object_mut(), job.payload.get("automation")) {
        object.insert("automation".into(), origin.clone());
    }
    data
}

/// After a sync job kept a new version: `schema.changed` with the diff from
/// the version before (none for a connection's first version).
pub async fn schema_kept(state: &AppState, job: &Job, kept: &SchemaVersion) {
    if kept.version < 2 {
        return;
    }
    match schema_change(state, kept.workspace_id, kept.connection_id, kept.version).await {
        Ok(mut data) => {
            data["job_id"] = json!(job.id);
            let data = with_origin(data, job);
            emit(state, kept.workspace_id, EventKind::SchemaChanged, data).await;
        }
        Err(error) => {
            tracing::warn!(job = %job.id, %error, "cannot diff a changed schema for its event");
        }
    }
}

/// After a job ended: `job.completed` or `job.failed`, and the status of
/// the automation that queued it.
pub async fn job_ended(state: &AppState, job: &Job) {
    let kind = match job.status {
        JobStatus::Completed => Some(EventKind::JobCompleted),
        JobStatus::Failed => Some(EventKind::JobFailed),
        _ => None,
    };
    if let Some(kind) = kind {
        let data = json!({
            "job_id": job.id,
            "kind": job.kind,
            "status": job.status,
            "error": job.error,
            "result": job.result,
        });
        emit(state, job.workspace_id, kind, with_origin(data, job)).await;
    }
    crate::automations::job_ended(state, job).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_back_from_its_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(EventKind::parse("schema.dropped"), None);
    }
}
