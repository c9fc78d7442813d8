//! A workspace's automations: editors create, change, delete and run them;
//! viewers read them.

use crate::auth::{workspace_access, Caller};
use crate::automations::{self, Action, Cause};
use crate::error::{ApiError, ErrorBody};
use crate::events::EventKind;
use crate::extract::{ApiJson, ApiPath, ClientMeta};
use crate::routes::validate_name;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{
    Automation, AutomationAction, AutomationChange, MemberRole, NewAutomation, Timestamp, Trigger,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A year: a longer schedule is more likely a mistake than a plan.
const MAX_EVERY_MINUTES: u32 = 366 * 24 * 60;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AutomationBody {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// `{"schedule": {"every_minutes": N}}` or `{"event": "schema.changed"}`.
    #[schema(value_type = Object)]
    pub trigger: Trigger,
    /// `sync`, `docs`, `lint` or `webhook`.
    #[schema(value_type = String)]
    pub action: AutomationAction,
    /// The action's settings: `connection_id` (sync, docs, lint),
    /// `notify_webhook_id` (sync: drift alerts), `fail_on` (lint:
    /// info/warning/error, default error), `webhook_id` (webhook).
    #[schema(value_type = Object)]
    pub config: Value,
    pub enabled: bool,
    /// `idle`, `running`, `succeeded` or `failed`.
    pub status: String,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_run_at: Option<OffsetDateTime>,
    /// When a schedule runs next.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_run_at: Option<OffsetDateTime>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Automation> for AutomationBody {
    fn from(automation: Automation) -> AutomationBody {
        AutomationBody {
            id: automation.id,
            workspace_id: automation.workspace_id,
            name: automation.name,
            trigger: automation.trigger,
            action: automation.action,
            config: automation.config,
            enabled: automation.enabled,
            status: automation.status.as_str().to_string(),
            last_error: automation.last_error,
            last_run_at: automation.last_run_at,
            next_run_at: automation.next_run_at,
            created_by: automation.created_by,
            created_at: automation.created_at,
            updated_at: automation.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAutomation {
    pub name: String,
    /// `{"schedule": {"every_minutes": N}}` (N >= 1) or `{"event": "schema.changed"}`.
    #[schema(value_type = Object)]
    pub trigger: Trigger,
    /// `sync`, `docs`, `lint` or `webhook`.
    #[schema(value_type = String)]
    pub action: AutomationAction,
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub config: Value,
    /// Default true.
    pub enabled: Option<bool>,
}

fn empty_object() -> Value {
    json!({})
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAutomation {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub trigger: Option<Trigger>,
    #[schema(value_type = Option<String>)]
    pub action: Option<AutomationAction>,
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    pub enabled: Option<bool>,
}

/// A trigger that can fire, with its first run (schedules only).
fn checked_trigger(state: &AppState, trigger: &Trigger) -> Result<Option<Timestamp>, ApiError> {
    match trigger {
        Trigger::Schedule { every_minutes } => {
            if !(1..=MAX_EVERY_MINUTES).contains(every_minutes) {
                return Err(ApiError::bad_request(format!(
                    "every_minutes must be from 1 to {MAX_EVERY_MINUTES}"
                )));
            }
            let period = state
                .webhook_settings()
                .automation_minute
                .saturating_mul(*every_minutes);
            let period = time::Duration::try_from(period)
                .map_err(|_| ApiError::bad_request("the schedule is too long"))?;
            Ok(Some(carta_store::now() + period))
        }
        Trigger::Event(event) => match EventKind::parse(event) {
            Some(EventKind::WebhookTest) | None => {
                let known: Vec<&str> = EventKind::ALL
                    .iter()
                    .filter(|kind| **kind != EventKind::WebhookTest)
                    .map(|kind| kind.as_str())
                    .collect();
                Err(ApiError::bad_request(format!(
                    "`{}` is not an event automations can run on; they are {}",
                    event.escape_debug(),
                    known.join(", ")
                )))
            }
            Some(_) => Ok(None),
        },
    }
}

/// An action whose config is complete and names things of this workspace.
async fn checked_action(
    state: &AppState,
    workspace: Uuid,
    action: AutomationAction,
    config: &Value,
) -> Result<(), ApiError> {
    let parsed = Action::parse(action, config).map_err(ApiError::bad_request)?;
    if let Some(connection) = parsed.connection_id() {
        if state
            .store()
            .connection(workspace, connection)
            .await?
            .is_none()
        {
            return Err(ApiError::bad_request(
                "the config names a connection this workspace does not have",
            ));
        }
    }
    if let Some(webhook) = parsed.webhook_id() {
        if state.store().webhook(workspace, webhook).await?.is_none() {
            return Err(ApiError::bad_request(
                "the config names a webhook this workspace does not have",
            ));
        }
    }
    Ok(())
}

async fn automation(state: &AppState, workspace: Uuid, id: Uuid) -> Result<Automation, ApiError> {
    state
        .store()
        .automation(workspace, id)
        .await?
        .ok_or_else(|| ApiError::not_found("automation"))
}

async fn audit(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    action: &str,
    automation: &Automation,
) -> Result<(), ApiError> {
    state
        .audit(
            Some(caller.user.id),
            client,
            AuditEvent {
                action,
                workspace_id: Some(automation.workspace_id),
                resource_type: "automation",
                resource_id: Some(automation.id.to_string()),
                details: json!({
                    "name": automation.name,
                    "trigger": automation.trigger,
                    "action": automation.action,
                    "config": automation.config,
                    "enabled": automation.enabled,
                }),
            },
        )
        .await
}

/// The workspace's automations (any member).
#[utoipa::path(get, path = "/workspaces/{id}/automations", tag = "automations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = [AutomationBody]), (status = 404, body = ErrorBody)))]
pub async fn list_automations(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<AutomationBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    let found = state.store().automations(id).await?;
    Ok(Json(found.into_iter().map(AutomationBody::from).collect()))
}

/// Creates an automation (workspace editors). A schedule first runs one
/// period from now.
#[utoipa::path(post, path = "/workspaces/{id}/automations", tag = "automations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = CreateAutomation,
    responses((status = 201, body = AutomationBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_automation(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateAutomation>,
) -> Result<(StatusCode, Json<AutomationBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let name = validate_name("the name", &body.name)?;
    let next_run_at = checked_trigger(&state, &body.trigger)?;
    checked_action(&state, id, body.action, &body.config).await?;
    let created = state
        .store()
        .create_automation(NewAutomation {
            workspace_id: id,
            name,
            trigger: body.trigger,
            action: body.action,
            config: body.config,
            enabled: body.enabled.unwrap_or(true),
            next_run_at,
            created_by: Some(caller.user.id),
        })
        .await?;
    audit(&state, &caller, &client, "automation.create", &created).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One automation with its last run (any member).
#[utoipa::path(get, path = "/workspaces/{id}/automations/{aid}", tag = "automations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("aid" = Uuid, Path, description = "automation id")),
    responses((status = 200, body = AutomationBody), (status = 404, body = ErrorBody)))]
pub async fn get_automation(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, aid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<AutomationBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Viewer).await?;
    Ok(Json(automation(&state, id, aid).await?.into()))
}

/// Changes an automation (workspace editors). A new schedule first runs
/// one period from now.
#[utoipa::path(patch, path = "/workspaces/{id}/automations/{aid}", tag = "automations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("aid" = Uuid, Path, description = "automation id")),
    request_body = UpdateAutomation,
    responses((status = 200, body = AutomationBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_automation(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, aid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<UpdateAutomation>,
) -> Result<Json<AutomationBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let current = automation(&state, id, aid).await?;
    let name = body
        .name
        .as_deref()
        .map(|name| validate_name("the name", name))
        .transpose()?;
    let trigger = match body.trigger {
        Some(trigger) => {
            let next = checked_trigger(&state, &trigger)?;
            Some((trigger, next))
        }
        None => None,
    };
    if body.action.is_some() || body.config.is_some() {
        let action = body.action.unwrap_or(current.action);
        let config = body.config.as_ref().unwrap_or(&current.config);
        checked_action(&state, id, action, config).await?;
    }
    let change = AutomationChange {
        name,
        trigger,
        action: body.action,
        config: body.config,
        enabled: body.enabled,
    };
    let updated = state.store().update_automation(id, aid, change).await?;
    audit(&state, &caller, &client, "automation.update", &updated).await?;
    Ok(Json(updated.into()))
}

/// Deletes an automation (workspace editors).
#[utoipa::path(delete, path = "/workspaces/{id}/automations/{aid}", tag = "automations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("aid" = Uuid, Path, description = "automation id")),
    responses((status = 204, description = "deleted"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_automation(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, aid)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let found = automation(&state, id, aid).await?;
    state.store().delete_automation(id, aid).await?;
    audit(&state, &caller, &client, "automation.delete", &found).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs an automation now, whatever its trigger (workspace editors). A
/// sync or docs run queues a job and stays `running` until it ends; lint
/// and webhook runs end before the answer.
#[utoipa::path(post, path = "/workspaces/{id}/automations/{aid}/run", tag = "automations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("aid" = Uuid, Path, description = "automation id")),
    responses((status = 202, body = AutomationBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn run_automation(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, aid)): ApiPath<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<AutomationBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Editor).await?;
    let found = automation(&state, id, aid).await?;
    audit(&state, &caller, &client, "automation.run", &found).await?;
    let ran = automations::run_now(&state, &found, &Cause::Manual).await?;
    Ok((StatusCode::ACCEPTED, Json(ran.into())))
}
