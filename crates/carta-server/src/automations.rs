//! Automations (seed 000): an action run on a schedule or on an event.
//!
//! The scheduler is one tokio task per server: it claims due scheduled
//! automations (the store advances `next_run_at` in the claim itself, so
//! two servers never run one twice) and runs them. Event-triggered ones are
//! run by [`crate::events::emit`]. Syncs and docs go through the job queue
//! with the automation named in the job's payload, so the job's end sets
//! the automation's status ([`job_ended`]); lint and webhook actions run
//! at once.
//!
//! Drift detection: a scheduled `sync` with `notify_webhook_id` in its
//! config sends a `drift.detected` event, the diff as carta-diff JSON and
//! Markdown, to that webhook whenever the sync keeps a new version.
//!
//! An event caused by an automation carries `automation: {id, depth}` in
//! its data; it triggers no further automation past [`MAX_CHAIN`] links,
//! and never the automation that caused it, so rules cannot loop.

use crate::events::{self, EventKind};
use crate::state::AppState;
use carta_catalog::Catalog;
use carta_lint::{LintConfig, Severity};
use carta_store::{
    Automation, AutomationAction, AutomationStatus, Job, JobKind, JobStatus, NewJob, StoreError,
};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// How long an idle scheduler waits before looking for due automations.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Due automations one scheduler claims at once.
const BATCH: u32 = 16;
/// How many automations one original event may set off one after another.
pub const MAX_CHAIN: u64 = 3;

/// An action with its settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Sync {
        connection_id: Uuid,
        notify_webhook_id: Option<Uuid>,
    },
    Docs {
        connection_id: Uuid,
    },
    Lint {
        connection_id: Uuid,
        fail_on: Severity,
    },
    Webhook {
        webhook_id: Uuid,
    },
}

fn uuid_in(config: &Value, key: &str) -> Result<Option<Uuid>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_str()
            .and_then(|text| text.parse().ok())
            .map(Some)
            .ok_or_else(|| format!("`{key}` must be a uuid")),
    }
}

fn required(config: &Value, key: &str, action: AutomationAction) -> Result<Uuid, String> {
    uuid_in(config, key)?
        .ok_or_else(|| format!("a {action} automation needs `{key}` in its config"))
}

impl Action {
    /// Reads an action's config; says what is wrong with it.
    pub fn parse(action: AutomationAction, config: &Value) -> Result<Action, String> {
        if !config.is_object() {
            return Err("the config must be a JSON object".into());
        }
        Ok(match action {
            AutomationAction::Sync => Action::Sync {
                connection_id: required(config, "connection_id", action)?,
                notify_webhook_id: uuid_in(config, "notify_webhook_id")?,
            },
            AutomationAction::Docs => Action::Docs {
                connection_id: required(config, "connection_id", action)?,
            },
            AutomationAction::Lint => Action::Lint {
                connection_id: required(config, "connection_id", action)?,
                fail_on: match config.get("fail_on") {
                    None | Some(Value::Null) => Severity::Error,
                    Some(value) => serde_json::from_value(value.clone())
                        .map_err(|_| "`fail_on` must be one of info, warning, error".to_string())?,
                },
            },
            AutomationAction::Webhook => Action::Webhook {
                webhook_id: required(config, "webhook_id", action)?,
            },
        })
    }

    /// The connection the action works on, if any.
    pub fn connection_id(&self) -> Option<Uuid> {
        match self {
            Action::Sync { connection_id, .. }
            | Action::Docs { connection_id }
            | Action::Lint { connection_id, .. } => Some(*connection_id),
            Action::Webhook { .. } => None,
        }
    }

    /// The webhooks the action posts to, if any.
    pub fn webhook_id(&self) -> Option<Uuid> {
        match self {
            Action::Sync {
                notify_webhook_id, ..
            } => *notify_webhook_id,
            Action::Webhook { webhook_id } => Some(*webhook_id),
            Action::Docs { .. } | Action::Lint { .. } => None,
        }
    }
}

/// Why an automation runs.
#[derive(Debug, Clone)]
pub enum Cause {
    Schedule,
    Manual,
    /// An event, with its data and how many automations led to it.
    Event {
        kind: EventKind,
        data: Value,
        depth: u64,
    },
}

impl Cause {
    fn name(&self) -> &'static str {
        match self {
            Cause::Schedule => "schedule",
            Cause::Manual => "manual",
            Cause::Event { .. } => "event",
        }
    }

    fn depth(&self) -> u64 {
        match self {
            Cause::Event { depth, .. } => *depth,
            Cause::Schedule | Cause::Manual => 0,
        }
    }
}

/// What an event's data says about the automation that caused it.
fn origin(data: &Value) -> (Option<Uuid>, u64) {
    let automation = &data["automation"];
    (
        automation["id"].as_str().and_then(|id| id.parse().ok()),
        automation["depth"].as_u64().unwrap_or(0),
    )
}

/// The mark an automation leaves on what it causes.
fn mark(automation: &Automation, cause: &Cause) -> Value {
    json!({ "id": automation.id, "name": automation.name, "depth": cause.depth() + 1 })
}

/// Claims and runs due scheduled automations until `stop` turns true (or
/// its sender is dropped).
pub async fn run_scheduler(state: AppState, mut stop: watch::Receiver<bool>) {
    tracing::info!("automation scheduler started");
    loop {
        if *stop.borrow() {
            break;
        }
        let minute = state.webhook_settings().automation_minute;
        match state.store().claim_due_automations(minute, BATCH).await {
            Ok(due) => {
                for automation in due {
                    execute(&state, &automation, &Cause::Schedule).await;
                }
            }
            Err(error) => tracing::warn!(%error, "cannot look for due automations"),
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
    tracing::info!("automation scheduler stopped");
}

/// Runs the automations `kind` triggers in the workspace (see the module
/// comment for the loop guard). Failures are logged.
/// Boxed, with its type named: a run may emit an event that runs
/// automations in turn, a recursion the compiler cannot size otherwise.
pub fn on_event<'a>(
    state: &'a AppState,
    workspace: Uuid,
    kind: EventKind,
    data: &'a Value,
) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let (caused_by, depth) = origin(data);
        if depth >= MAX_CHAIN {
            return;
        }
        let triggered = match state.store().automations_on(workspace, kind.as_str()).await {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(%workspace, event = %kind, %error, "cannot look up the automations of an event");
                return;
            }
        };
        let cause = Cause::Event {
            kind,
            data: data.clone(),
            depth,
        };
        for automation in triggered.into_iter().filter(|a| Some(a.id) != caused_by) {
            if let Err(error) = run_now(state, &automation, &cause).await {
                tracing::warn!(automation = %automation.id, %error, "cannot start an automation");
            }
        }
    })
}

/// Marks a run started and runs it (by hand or on an event); the
/// automation as the run left it.
pub async fn run_now(
    state: &AppState,
    automation: &Automation,
    cause: &Cause,
) -> Result<Automation, StoreError> {
    let started = state
        .store()
        .start_automation_run(automation.workspace_id, automation.id)
        .await?;
    execute(state, &started, cause).await;
    Ok(state
        .store()
        .automation(automation.workspace_id, automation.id)
        .await?
        .unwrap_or(started))
}

/// Runs a claimed (running) automation's action; an action that ends at
/// once records its status here, a job records it when it ends.
async fn execute(state: &AppState, automation: &Automation, cause: &Cause) {
    tracing::info!(automation = %automation.id, action = %automation.action, cause = cause.name(),
        "running an automation");
    let ended = match Action::parse(automation.action, &automation.config) {
        Ok(action) => act(state, automation, &action, cause).await,
        Err(error) => Err(error),
    };
    let (status, error) = match ended {
        Ok(Ended::Queued) => return,
        Ok(Ended::Succeeded) => (AutomationStatus::Succeeded, None),
        Err(error) => (AutomationStatus::Failed, Some(error)),
    };
    finish(
        state,
        automation.workspace_id,
        automation.id,
        status,
        error.as_deref(),
    )
    .await;
}

async fn finish(
    state: &AppState,
    workspace: Uuid,
    id: Uuid,
    status: AutomationStatus,
    error: Option<&str>,
) {
    if let Err(store_error) = state
        .store()
        .finish_automation_run(workspace, id, status, error)
        .await
    {
        tracing::warn!(automation = %id, error = %store_error, "cannot record how an automation ended");
    }
}

/// How an action's run went, when it did not fail.
enum Ended {
    /// A job runs it; the job's end records the status.
    Queued,
    Succeeded,
}

async fn act(
    state: &AppState,
    automation: &Automation,
    action: &Action,
    cause: &Cause,
) -> Result<Ended, String> {
    let workspace = automation.workspace_id;
    let origin = mark(automation, cause);
    match action {
        Action::Sync { connection_id, .. } | Action::Docs { connection_id } => {
            let kind = if matches!(action, Action::Sync { .. }) {
                JobKind::Sync
            } else {
                JobKind::Docs
            };
            let job = state
                .store()
                .enqueue_job(NewJob {
                    workspace_id: workspace,
                    kind,
                    payload: json!({ "connection_id": connection_id, "automation": origin }),
                    created_by: automation.created_by,
                })
                .await
                .map_err(|e| format!("cannot queue the {kind} job: {e}"))?;
            tracing::info!(automation = %automation.id, job = %job.id, "automation queued a job");
            Ok(Ended::Queued)
        }
        Action::Lint {
            connection_id,
            fail_on,
        } => lint(state, automation, *connection_id, *fail_on, origin).await,
        Action::Webhook { webhook_id } => {
            let (event, data) = match cause {
                Cause::Event { kind, data, .. } => {
                    let mut data = data.clone();
                    if let Some(object) = data.as_object_mut() {
                        object.insert("automation".into(), origin);
                    }
                    (kind.as_str(), data)
                }
                Cause::Schedule | Cause::Manual => (
                    "automation.run",
                    json!({ "automation": origin, "cause": cause.name() }),
                ),
            };
            let sent = events::deliver(state, workspace, event, &data, Some(*webhook_id))
                .await
                .map_err(|e| format!("cannot queue the delivery: {e}"))?;
            if sent.is_empty() {
                return Err("the webhook no longer exists".into());
            }
            Ok(Ended::Succeeded)
        }
    }
}

/// A version's Catalog, read back from the store.
pub async fn version_catalog(
    state: &AppState,
    workspace: Uuid,
    connection: Uuid,
    version: u32,
) -> Result<Catalog, String> {
    let (_, json) = state
        .store()
        .schema_version(workspace, connection, version)
        .await
        .map_err(|e| format!("cannot read version {version}: {e}"))?
        .ok_or_else(|| format!("the connection has no version {version}"))?;
    serde_json::from_value(json).map_err(|e| format!("version {version} cannot be read: {e}"))
}

/// The findings of a Catalog, by what they are about (rule, object, message).
fn findings(catalog: &Catalog) -> Result<Vec<carta_lint::Finding>, String> {
    let relations = catalog.relations();
    carta_lint::lint(catalog, &relations, &LintConfig::default())
        .map(|report| report.findings)
        .map_err(|e| format!("cannot lint: {e}"))
}

fn finding_key(finding: &carta_lint::Finding) -> (String, String, String) {
    (
        finding.rule.to_string(),
        format!("{:?}", finding.object),
        finding.message.clone(),
    )
}

/// Lints the latest version and fails, with a `lint.failed` event, when it
/// has findings at or above `fail_on` the previous version did not have.
async fn lint(
    state: &AppState,
    automation: &Automation,
    connection: Uuid,
    fail_on: Severity,
    origin: Value,
) -> Result<Ended, String> {
    let workspace = automation.workspace_id;
    let versions = state
        .store()
        .schema_versions(workspace, connection)
        .await
        .map_err(|e| format!("cannot list the connection's versions: {e}"))?;
    let latest = versions
        .first()
        .ok_or("the connection has no synced version to lint")?;
    let current = findings(&version_catalog(state, workspace, connection, latest.version).await?)?;
    let before: HashSet<_> = match versions.get(1) {
        Some(previous) => {
            findings(&version_catalog(state, workspace, connection, previous.version).await?)?
                .iter()
                .map(finding_key)
                .collect()
        }
        None => HashSet::new(),
    };
    let new: Vec<Value> = current
        .iter()
        .filter(|f| f.severity >= fail_on && !before.contains(&finding_key(f)))
        .map(|f| {
            json!({
                "rule": f.rule,
                "severity": f.severity,
                "object": f.object,
                "message": f.message,
                "hint": f.hint,
            })
        })
        .collect();
    if new.is_empty() {
        return Ok(Ended::Succeeded);
    }
    let count = new.len();
    events::emit(
        state,
        workspace,
        EventKind::LintFailed,
        json!({
            "connection_id": connection,
            "version": latest.version,
            "fail_on": fail_on,
            "new_findings": new,
            "automation": origin,
        }),
    )
    .await;
    Err(format!(
        "{count} new finding(s) at or above {fail_on} in version {}",
        latest.version
    ))
}

/// What a job's end means for the automation that queued it, if one did:
/// its status, and for a drift-detecting sync that kept a new version the
/// diff sent to its webhook.
pub async fn job_ended(state: &AppState, job: &Job) {
    let Some(id) = job.payload["automation"]["id"]
        .as_str()
        .and_then(|id| id.parse::<Uuid>().ok())
    else {
        return;
    };
    let workspace = job.workspace_id;
    let automation = match state.store().automation(workspace, id).await {
        Ok(Some(automation)) => automation,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(automation = %id, %error, "cannot read the automation of a job");
            return;
        }
    };
    let (status, error) = match job.status {
        JobStatus::Completed => (AutomationStatus::Succeeded, None),
        JobStatus::Cancelled => (AutomationStatus::Failed, Some("the job was cancelled")),
        _ => (
            AutomationStatus::Failed,
            Some(job.error.as_deref().unwrap_or("the job failed")),
        ),
    };
    if job.status == JobStatus::Completed {
        notify_drift(state, &automation, job).await;
    }
    finish(state, workspace, id, status, error).await;
}

/// After an automation's sync that kept a new version: the diff to its
/// `notify_webhook_id`, or as a `drift.detected` event to every subscriber.
async fn notify_drift(state: &AppState, automation: &Automation, job: &Job) {
    let Some(result) = &job.result else { return };
    let changed = result["changed"].as_bool().unwrap_or(false);
    let (Some(connection), Some(version)) = (
        result["connection_id"]
            .as_str()
            .and_then(|id| id.parse::<Uuid>().ok()),
        result["version"]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok()),
    ) else {
        return;
    };
    if !changed || version < 2 {
        return;
    }
    let mut data = match events::schema_change(state, job.workspace_id, connection, version).await {
        Ok(data) => data,
        Err(error) => {
            tracing::warn!(automation = %automation.id, %error, "cannot diff a drifted schema");
            return;
        }
    };
    if let Some(object) = data.as_object_mut() {
        object.insert("automation".into(), job.payload["automation"].clone());
    }
    let notify = Action::parse(automation.action, &automation.config)
        .ok()
        .and_then(|action| action.webhook_id());
    match notify {
        Some(webhook) => {
            let sent = events::deliver(
                state,
                job.workspace_id,
                EventKind::DriftDetected.as_str(),
                &data,
                Some(webhook),
            )
            .await;
            if let Err(error) = sent {
                tracing::warn!(automation = %automation.id, %error, "cannot queue a drift alert");
            }
        }
        None => events::emit(state, job.workspace_id, EventKind::DriftDetected, data).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_need_their_settings() {
        let connection = Uuid::new_v4();
        assert_eq!(
            Action::parse(
                AutomationAction::Lint,
                &json!({ "connection_id": connection, "fail_on": "warning" })
            ),
            Ok(Action::Lint {
                connection_id: connection,
                fail_on: Severity::Warning
            })
        );
        assert_eq!(
            Action::parse(
                AutomationAction::Lint,
                &json!({ "connection_id": connection })
            ),
            Ok(Action::Lint {
                connection_id: connection,
                fail_on: Severity::Error
            })
        );
        for (action, config) in [
            (AutomationAction::Sync, json!({})),
            (AutomationAction::Sync, json!({ "connection_id": "nope" })),
            (
                AutomationAction::Webhook,
                json!({ "connection_id": connection }),
            ),
            (
                AutomationAction::Lint,
                json!({ "connection_id": connection, "fail_on": "fatal" }),
            ),
            (AutomationAction::Docs, json!([])),
        ] {
            assert!(Action::parse(action, &config).is_err(), "{action} {config}");
        }
    }

    #[test]
    fn the_mark_of_an_automation_counts_links() {
        let (id, depth) = origin(&json!({ "automation": { "id": Uuid::nil(), "depth": 2 } }));
        assert_eq!((id, depth), (Some(Uuid::nil()), 2));
        assert_eq!(origin(&json!({ "version": 3 })), (None, 0));
    }
}
