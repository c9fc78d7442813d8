//! A workspace's webhooks (workspace admins only): subscriptions, the
//! signing secret shown once, test events and the delivery log.

use crate::auth::{workspace_access, Caller};
use crate::delivery;
use crate::error::{ApiError, ErrorBody};
use crate::events::{self, EventKind};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientMeta};
use crate::routes::validate_text;
use crate::state::{AppState, AuditEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carta_store::{Delivery, MemberRole, NewWebhook, Webhook, WebhookChange};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const MAX_DESCRIPTION_CHARS: usize = 1_000;
const MAX_URL_BYTES: usize = 2_000;
const DEFAULT_DELIVERIES: u32 = 50;
const MAX_DELIVERIES: u32 = 500;

/// A webhook, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookBody {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    /// Event names (`schema.changed`, `job.failed`, ...) or `*` for all.
    pub events: Vec<String>,
    pub description: String,
    pub enabled: bool,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The last delivery attempt to it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_triggered_at: Option<OffsetDateTime>,
}

impl From<Webhook> for WebhookBody {
    fn from(webhook: Webhook) -> WebhookBody {
        WebhookBody {
            id: webhook.id,
            workspace_id: webhook.workspace_id,
            url: webhook.url,
            events: webhook.events,
            description: webhook.description,
            enabled: webhook.enabled,
            created_by: webhook.created_by,
            created_at: webhook.created_at,
            updated_at: webhook.updated_at,
            last_triggered_at: webhook.last_triggered_at,
        }
    }
}

/// A webhook with its signing secret: the only time the secret is shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookBody,
    /// `whsec_...`: verify `Carta-Signature` with it. Keep it now; it is
    /// never shown again (rotate it to get a new one).
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// An http or https URL reaching a public address (unless the server
    /// allows private ones).
    pub url: String,
    /// Event names, or `["*"]` for every event.
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// Default true.
    pub enabled: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// One delivery of an event to a webhook, with its attempts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryBody {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The event's id (the body's `id`), the same in every webhook's delivery.
    pub event_id: Uuid,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    /// The last attempt's HTTP status.
    pub response_code: Option<u16>,
    /// The last attempt's error, or the start of a non-2xx answer's body.
    pub error: Option<String>,
    /// The last attempt's duration.
    pub duration_ms: Option<u64>,
    /// Every attempt: `{at, response_code, error, duration_ms}`.
    #[schema(value_type = Vec<Object>)]
    pub history: serde_json::Value,
    /// The JSON body posted.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When a pending delivery is attempted next.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Delivery> for DeliveryBody {
    fn from(delivery: Delivery) -> DeliveryBody {
        DeliveryBody {
            id: delivery.id,
            webhook_id: delivery.webhook_id,
            event_id: delivery.event_id,
            event: delivery.event,
            status: delivery.status.as_str().to_string(),
            attempts: delivery.attempts,
            response_code: delivery.response_code,
            error: delivery.error,
            duration_ms: delivery.duration_ms,
            history: delivery.history,
            payload: delivery.payload,
            created_at: delivery.created_at,
            next_attempt_at: (delivery.status == carta_store::DeliveryStatus::Pending)
                .then_some(delivery.next_attempt_at)
                .flatten(),
            finished_at: delivery.finished_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// At most 500; default 50.
    limit: Option<u32>,
}

/// Checks a URL: its shape and, resolved now, its addresses (SSRF guard).
async fn checked_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    let url = url.trim();
    validate_text("the URL", url)?;
    if url.len() > MAX_URL_BYTES {
        return Err(ApiError::bad_request(format!(
            "the URL may have at most {MAX_URL_BYTES} bytes"
        )));
    }
    delivery::check_url(state.webhook_settings(), url)
        .await
        .map(|target| target.url.to_string())
        .map_err(|refused| ApiError::bad_request(format!("webhook URL refused: {refused}")))
}

/// Known event names or `*`, without repeats, in the order given.
fn checked_events(events: Vec<String>) -> Result<Vec<String>, ApiError> {
    if events.is_empty() {
        return Err(ApiError::bad_request(
            "name at least one event, or \"*\" for every event",
        ));
    }
    let mut kept: Vec<String> = Vec::new();
    for event in events {
        if event != "*" && EventKind::parse(&event).is_none() {
            let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(ApiError::bad_request(format!(
                "unknown event `{}`; the events are {} (or \"*\")",
                event.escape_debug(),
                known.join(", ")
            )));
        }
        if !kept.contains(&event) {
            kept.push(event);
        }
    }
    Ok(kept)
}

fn checked_description(description: &str) -> Result<String, ApiError> {
    let description = description.trim();
    validate_text("the description", description)?;
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::bad_request(format!(
            "the description may have at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(description.to_string())
}

async fn webhook(state: &AppState, workspace: Uuid, id: Uuid) -> Result<Webhook, ApiError> {
    state
        .store()
        .webhook(workspace, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// What an audit says about a webhook: never its secret.
fn audit_details(webhook: &Webhook) -> serde_json::Value {
    json!({ "url": webhook.url, "events": webhook.events, "enabled": webhook.enabled })
}

async fn audit(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    action: &str,
    webhook: &Webhook,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    state
        .audit(
            Some(caller.user.id),
            client,
            AuditEvent {
                action,
                workspace_id: Some(webhook.workspace_id),
                resource_type: "webhook",
                resource_id: Some(webhook.id.to_string()),
                details,
            },
        )
        .await
}

/// The workspace's webhooks (workspace admins).
#[utoipa::path(get, path = "/workspaces/{id}/webhooks", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    responses((status = 200, body = [WebhookBody]), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<WebhookBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let webhooks = state.store().webhooks(id).await?;
    Ok(Json(webhooks.into_iter().map(WebhookBody::from).collect()))
}

/// Subscribes a URL to events (workspace admins). The answer holds the
/// signing secret, shown this once.
#[utoipa::path(post, path = "/workspaces/{id}/webhooks", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id")),
    request_body = CreateWebhook,
    responses((status = 201, body = WebhookWithSecret),
        (status = 400, description = "a bad or private URL, an unknown event", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateWebhook>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let url = checked_url(&state, &body.url).await?;
    let events = checked_events(body.events)?;
    let description = checked_description(&body.description)?;
    let secret = delivery::new_secret();
    let created = state
        .store()
        .create_webhook(NewWebhook {
            workspace_id: id,
            url,
            events,
            description,
            enabled: body.enabled.unwrap_or(true),
            secret: state.seal(&secret),
            created_by: Some(caller.user.id),
        })
        .await?;
    audit(
        &state,
        &caller,
        &client,
        "webhook.create",
        &created,
        audit_details(&created),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookWithSecret {
            webhook: created.into(),
            secret,
        }),
    ))
}

/// One webhook (workspace admins).
#[utoipa::path(get, path = "/workspaces/{id}/webhooks/{wid}", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("wid" = Uuid, Path, description = "webhook id")),
    responses((status = 200, body = WebhookBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, wid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<WebhookBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    Ok(Json(webhook(&state, id, wid).await?.into()))
}

/// Changes a webhook's URL, events, description or enabled flag (workspace admins).
#[utoipa::path(patch, path = "/workspaces/{id}/webhooks/{wid}", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("wid" = Uuid, Path, description = "webhook id")),
    request_body = UpdateWebhook,
    responses((status = 200, body = WebhookBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, wid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<UpdateWebhook>,
) -> Result<Json<WebhookBody>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let url = match &body.url {
        Some(url) => Some(checked_url(&state, url).await?),
        None => None,
    };
    let change = WebhookChange {
        url,
        events: body.events.map(checked_events).transpose()?,
        description: body
            .description
            .as_deref()
            .map(checked_description)
            .transpose()?,
        enabled: body.enabled,
        secret: None,
    };
    let updated = state.store().update_webhook(id, wid, change).await?;
    audit(
        &state,
        &caller,
        &client,
        "webhook.update",
        &updated,
        audit_details(&updated),
    )
    .await?;
    Ok(Json(updated.into()))
}

/// Deletes a webhook and its delivery log (workspace admins).
#[utoipa::path(delete, path = "/workspaces/{id}/webhooks/{wid}", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("wid" = Uuid, Path, description = "webhook id")),
    responses((status = 204, description = "deleted"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, wid)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let found = webhook(&state, id, wid).await?;
    state.store().delete_webhook(id, wid).await?;
    audit(
        &state,
        &caller,
        &client,
        "webhook.delete",
        &found,
        audit_details(&found),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the signing secret; the answer holds the new one, shown this
/// once (workspace admins). Deliveries sign with the new secret from now on.
#[utoipa::path(post, path = "/workspaces/{id}/webhooks/{wid}/rotate-secret", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("wid" = Uuid, Path, description = "webhook id")),
    responses((status = 200, body = WebhookWithSecret), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, wid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let secret = delivery::new_secret();
    let change = WebhookChange {
        secret: Some(state.seal(&secret)),
        ..WebhookChange::default()
    };
    let updated = state.store().update_webhook(id, wid, change).await?;
    audit(
        &state,
        &caller,
        &client,
        "webhook.rotate_secret",
        &updated,
        json!({}),
    )
    .await?;
    Ok(Json(WebhookWithSecret {
        webhook: updated.into(),
        secret,
    }))
}

/// Sends a `webhook.test` event to this webhook alone, whatever it
/// subscribes to (workspace admins); follow it in the delivery log.
#[utoipa::path(post, path = "/workspaces/{id}/webhooks/{wid}/test", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("wid" = Uuid, Path, description = "webhook id")),
    responses((status = 202, description = "queued", body = DeliveryBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientMeta,
    ApiPath((id, wid)): ApiPath<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<DeliveryBody>), ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    let found = webhook(&state, id, wid).await?;
    let data = json!({ "webhook_id": wid, "requested_by": caller.user.id });
    let queued = events::deliver(
        &state,
        id,
        EventKind::WebhookTest.as_str(),
        &data,
        Some(wid),
    )
    .await?
    .into_iter()
    .next()
    .ok_or_else(|| ApiError::not_found("webhook"))?;
    audit(
        &state,
        &caller,
        &client,
        "webhook.test",
        &found,
        json!({ "delivery_id": queued.id }),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(queued.into())))
}

/// The webhook's deliveries, newest first (workspace admins).
#[utoipa::path(get, path = "/workspaces/{id}/webhooks/{wid}/deliveries", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "workspace id"),
        ("wid" = Uuid, Path, description = "webhook id"), DeliveriesQuery),
    responses((status = 200, body = [DeliveryBody]), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, wid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryBody>>, ApiError> {
    workspace_access(&state, &caller, id, MemberRole::Admin).await?;
    webhook(&state, id, wid).await?;
    let limit = query
        .limit
        .unwrap_or(DEFAULT_DELIVERIES)
        .clamp(1, MAX_DELIVERIES);
    let deliveries = state.store().webhook_deliveries(id, wid, limit).await?;
    Ok(Json(
        deliveries.into_iter().map(DeliveryBody::from).collect(),
    ))
}
