//! Webhooks, deliveries and automations on SQLite. Claims run in one write
//! transaction on the single writer, so two claimers never get one row.

use rusqlite::{params, Connection as Conn, Row};
use uuid::Uuid;

use super::{
    collect, conversion_error, execute_one, one, optional_time_at, optional_uuid_at, parsed_at,
    time_at, time_text, LIVE_WORKSPACE,
};
use crate::model::{SealedUri, Timestamp};
use crate::webhooks::{
    trigger_columns, Automation, AutomationChange, AutomationStatus, Delivery, DeliveryAttempt,
    DueDelivery, NewAutomation, NewEvent, NewWebhook, Trigger, Webhook, WebhookChange,
};
use crate::StoreError;

const WEBHOOK_COLUMNS: &str = "id, workspace_id, url, events, description, enabled, secret,
    secret_key_id, created_by, created_at, updated_at, last_triggered_at";

fn json_at<T: serde::de::DeserializeOwned>(row: &Row, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion_error(index, e))
}

fn webhook_from(row: &Row) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        url: row.get(2)?,
        events: json_at(row, 3)?,
        description: row.get(4)?,
        enabled: row.get(5)?,
        secret: SealedUri {
            ciphertext: row.get(6)?,
            key_id: row.get(7)?,
        },
        created_by: optional_uuid_at(row, 8)?,
        created_at: time_at(row, 9)?,
        updated_at: time_at(row, 10)?,
        last_triggered_at: optional_time_at(row, 11)?,
    })
}

const DELIVERY_COLUMNS: &str = "id, workspace_id, webhook_id, event_id, event, payload, status,
    attempts, next_attempt_at, response_code, error, duration_ms, history, created_at, finished_at";

fn delivery_from(row: &Row) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        webhook_id: parsed_at(row, 2)?,
        event_id: parsed_at(row, 3)?,
        event: row.get(4)?,
        payload: json_at(row, 5)?,
        status: parsed_at(row, 6)?,
        attempts: row.get(7)?,
        next_attempt_at: optional_time_at(row, 8)?,
        response_code: row.get(9)?,
        error: row.get(10)?,
        duration_ms: row
            .get::<_, Option<i64>>(11)?
            .map(|ms| u64::try_from(ms).map_err(|e| conversion_error(11, e)))
            .transpose()?,
        history: json_at(row, 12)?,
        created_at: time_at(row, 13)?,
        finished_at: optional_time_at(row, 14)?,
    })
}

const AUTOMATION_COLUMNS: &str = "id, workspace_id, name, every_minutes, trigger_event, action,
    config, enabled, status, last_error, last_run_at, next_run_at, created_by, created_at, updated_at";

fn automation_from(row: &Row) -> rusqlite::Result<Automation> {
    Ok(Automation {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        name: row.get(2)?,
        trigger: Trigger::from_columns(row.get(3)?, row.get(4)?)
            .map_err(|e| conversion_error(3, e))?,
        action: parsed_at(row, 5)?,
        config: json_at(row, 6)?,
        enabled: row.get(7)?,
        status: parsed_at(row, 8)?,
        last_error: row.get(9)?,
        last_run_at: optional_time_at(row, 10)?,
        next_run_at: optional_time_at(row, 11)?,
        created_by: optional_uuid_at(row, 12)?,
        created_at: time_at(row, 13)?,
        updated_at: time_at(row, 14)?,
    })
}

fn events_text(events: &[String]) -> String {
    serde_json::Value::from(events).to_string()
}

/// A workspace's row of `table` by id, or NotFound.
fn in_workspace<T>(
    conn: &Conn,
    table: &str,
    columns: &str,
    workspace: Uuid,
    id: Uuid,
    map: impl FnOnce(&Row) -> rusqlite::Result<T>,
) -> Result<Option<T>, StoreError> {
    one(
        conn,
        &format!(
            "SELECT {columns} FROM {table} WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
        ),
        [workspace.to_string(), id.to_string()],
        map,
    )
}

impl super::SqliteStore {
    pub(crate) async fn create_webhook(
        &self,
        new: NewWebhook,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Webhook, StoreError> {
        self.write(move |conn| {
            super::require_live_workspace(conn, new.workspace_id)?;
            one(
                conn,
                &format!(
                    "INSERT INTO webhooks (id, workspace_id, url, events, description, enabled,
                        secret, secret_key_id, created_by, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                params![
                    id.to_string(),
                    new.workspace_id.to_string(),
                    new.url,
                    events_text(&new.events),
                    new.description,
                    new.enabled,
                    new.secret.ciphertext,
                    new.secret.key_id,
                    new.created_by.map(|id| id.to_string()),
                    time_text(now)
                ],
                webhook_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn webhook(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Webhook>, StoreError> {
        self.read(move |conn| {
            in_workspace(
                conn,
                "webhooks",
                WEBHOOK_COLUMNS,
                workspace,
                id,
                webhook_from,
            )
        })
        .await
    }

    pub(crate) async fn webhooks(&self, workspace: Uuid) -> Result<Vec<Webhook>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks
                     WHERE workspace_id = ?1 AND {LIVE_WORKSPACE} ORDER BY created_at, id"
                ),
                [workspace.to_string()],
                webhook_from,
            )
        })
        .await
    }

    pub(crate) async fn update_webhook(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: WebhookChange,
        now: Timestamp,
    ) -> Result<Webhook, StoreError> {
        let (secret, key_id) = change
            .secret
            .map(|sealed| (sealed.ciphertext, sealed.key_id))
            .unzip();
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE webhooks SET url = coalesce(?3, url), events = coalesce(?4, events),
                        description = coalesce(?5, description), enabled = coalesce(?6, enabled),
                        secret = coalesce(?7, secret), secret_key_id = coalesce(?8, secret_key_id),
                        updated_at = ?9
                     WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                params![
                    workspace.to_string(),
                    id.to_string(),
                    change.url,
                    change.events.as_deref().map(events_text),
                    change.description,
                    change.enabled,
                    secret,
                    key_id,
                    time_text(now)
                ],
                webhook_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_webhook(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute_one(
                conn,
                &format!(
                    "DELETE FROM webhooks WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string(), id.to_string()],
            )
        })
        .await
    }

    pub(crate) async fn enqueue_deliveries(
        &self,
        event: NewEvent,
        only: Option<Uuid>,
        now: Timestamp,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.write(move |conn| {
            let targets: Vec<String> = collect(
                conn,
                &format!(
                    "SELECT h.id FROM webhooks h
                     WHERE h.workspace_id = ?1 AND {LIVE_WORKSPACE}
                       AND CASE WHEN ?3 IS NULL
                           THEN h.enabled AND EXISTS (SELECT 1 FROM json_each(h.events) e
                                                      WHERE e.value IN (?2, '*'))
                           ELSE h.id = ?3 END
                     ORDER BY h.created_at, h.id"
                ),
                params![
                    event.workspace_id.to_string(),
                    event.event,
                    only.map(|id| id.to_string())
                ],
                |row| row.get(0),
            )?;
            let payload = event.payload.to_string();
            targets
                .into_iter()
                .map(|webhook| {
                    one(
                        conn,
                        &format!(
                            "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event,
                                payload, next_attempt_at, created_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                             RETURNING {DELIVERY_COLUMNS}"
                        ),
                        params![
                            Uuid::new_v4().to_string(),
                            event.workspace_id.to_string(),
                            webhook,
                            event.event_id.to_string(),
                            event.event,
                            payload,
                            time_text(now)
                        ],
                        delivery_from,
                    )?
                    .ok_or(StoreError::NotFound)
                })
                .collect()
        })
        .await
    }

    pub(crate) async fn webhook_deliveries(
        &self,
        workspace: Uuid,
        webhook: Uuid,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
                     WHERE workspace_id = ?1 AND webhook_id = ?2 AND {LIVE_WORKSPACE}
                     ORDER BY created_at DESC, id DESC LIMIT ?3"
                ),
                params![workspace.to_string(), webhook.to_string(), limit],
                delivery_from,
            )
        })
        .await
    }

    pub(crate) async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        self.write(move |conn| {
            let claimed = collect(
                conn,
                &format!(
                    "UPDATE webhook_deliveries SET next_attempt_at = ?2
                     WHERE id IN (
                        SELECT d.id FROM webhook_deliveries d
                        JOIN workspaces w ON w.id = d.workspace_id AND w.deleted_at IS NULL
                        WHERE d.status = 'pending' AND d.next_attempt_at <= ?1
                        ORDER BY d.next_attempt_at, d.id
                        LIMIT ?3
                     )
                     RETURNING {DELIVERY_COLUMNS}"
                ),
                params![time_text(now), time_text(lease_until), limit],
                delivery_from,
            )?;
            claimed
                .into_iter()
                .map(|delivery| {
                    let (url, secret) = one(
                        conn,
                        "SELECT url, secret, secret_key_id FROM webhooks WHERE id = ?1",
                        [delivery.webhook_id.to_string()],
                        |row| {
                            Ok((
                                row.get(0)?,
                                SealedUri {
                                    ciphertext: row.get(1)?,
                                    key_id: row.get(2)?,
                                },
                            ))
                        },
                    )?
                    .ok_or(StoreError::NotFound)?;
                    Ok(DueDelivery {
                        delivery,
                        url,
                        secret,
                    })
                })
                .collect()
        })
        .await
    }

    pub(crate) async fn record_delivery_attempt(
        &self,
        id: Uuid,
        attempt: DeliveryAttempt,
        now: Timestamp,
    ) -> Result<Delivery, StoreError> {
        let status = attempt.status().as_str();
        self.write(move |conn| {
            let delivery = one(
                conn,
                &format!(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1,
                        response_code = ?2, error = ?3, duration_ms = ?4, status = ?5,
                        next_attempt_at = ?6,
                        finished_at = CASE WHEN ?5 = 'pending' THEN NULL ELSE ?7 END,
                        history = json_insert(history, '$[#]', json_object(
                            'at', ?7, 'response_code', ?2, 'error', ?3, 'duration_ms', ?4))
                     WHERE id = ?1 AND status = 'pending'
                     RETURNING {DELIVERY_COLUMNS}"
                ),
                params![
                    id.to_string(),
                    attempt.response_code,
                    attempt.error,
                    i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX),
                    status,
                    attempt.retry_at.map(time_text),
                    time_text(now)
                ],
                delivery_from,
            )?
            .ok_or(StoreError::NotFound)?;
            execute_one(
                conn,
                "UPDATE webhooks SET last_triggered_at = ?2 WHERE id = ?1",
                [delivery.webhook_id.to_string(), time_text(now)],
            )?;
            Ok(delivery)
        })
        .await
    }

    pub(crate) async fn create_automation(
        &self,
        new: NewAutomation,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Automation, StoreError> {
        self.write(move |conn| {
            super::require_live_workspace(conn, new.workspace_id)?;
            let (every_minutes, event) = trigger_columns(&new.trigger);
            one(
                conn,
                &format!(
                    "INSERT INTO automations (id, workspace_id, name, every_minutes, trigger_event,
                        action, config, enabled, next_run_at, created_by, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                params![
                    id.to_string(),
                    new.workspace_id.to_string(),
                    new.name,
                    every_minutes,
                    event,
                    new.action.as_str(),
                    new.config.to_string(),
                    new.enabled,
                    new.next_run_at.map(time_text),
                    new.created_by.map(|id| id.to_string()),
                    time_text(now)
                ],
                automation_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn automation(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Automation>, StoreError> {
        self.read(move |conn| {
            in_workspace(
                conn,
                "automations",
                AUTOMATION_COLUMNS,
                workspace,
                id,
                automation_from,
            )
        })
        .await
    }

    pub(crate) async fn automations(&self, workspace: Uuid) -> Result<Vec<Automation>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {AUTOMATION_COLUMNS} FROM automations
                     WHERE workspace_id = ?1 AND {LIVE_WORKSPACE} ORDER BY created_at, id"
                ),
                [workspace.to_string()],
                automation_from,
            )
        })
        .await
    }

    pub(crate) async fn automations_on(
        &self,
        workspace: Uuid,
        event: &str,
    ) -> Result<Vec<Automation>, StoreError> {
        let event = event.to_owned();
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {AUTOMATION_COLUMNS} FROM automations
                     WHERE workspace_id = ?1 AND trigger_event = ?2 AND enabled AND {LIVE_WORKSPACE}
                     ORDER BY created_at, id"
                ),
                [workspace.to_string(), event],
                automation_from,
            )
        })
        .await
    }

    pub(crate) async fn update_automation(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: AutomationChange,
        now: Timestamp,
    ) -> Result<Automation, StoreError> {
        self.write(move |conn| {
            let retrigger = change.trigger.is_some();
            let (every_minutes, event, next_run_at) = match &change.trigger {
                Some((trigger, next)) => {
                    let (minutes, event) = trigger_columns(trigger);
                    (minutes, event.map(str::to_owned), next.map(time_text))
                }
                None => (None, None, None),
            };
            one(
                conn,
                &format!(
                    "UPDATE automations SET name = coalesce(?3, name),
                        every_minutes = CASE WHEN ?4 THEN ?5 ELSE every_minutes END,
                        trigger_event = CASE WHEN ?4 THEN ?6 ELSE trigger_event END,
                        next_run_at = CASE WHEN ?4 THEN ?7 ELSE next_run_at END,
                        action = coalesce(?8, action), config = coalesce(?9, config),
                        enabled = coalesce(?10, enabled), updated_at = ?11
                     WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                params![
                    workspace.to_string(),
                    id.to_string(),
                    change.name,
                    retrigger,
                    every_minutes,
                    event,
                    next_run_at,
                    change.action.map(|action| action.as_str()),
                    change.config.map(|config| config.to_string()),
                    change.enabled,
                    time_text(now)
                ],
                automation_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_automation(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute_one(
                conn,
                &format!(
                    "DELETE FROM automations WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string(), id.to_string()],
            )
        })
        .await
    }

    pub(crate) async fn claim_due_automations(
        &self,
        now: Timestamp,
        minute: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<Automation>, StoreError> {
        self.write(move |conn| {
            let due: Vec<(String, i64)> = collect(
                conn,
                "SELECT a.id, a.every_minutes FROM automations a
                 JOIN workspaces w ON w.id = a.workspace_id AND w.deleted_at IS NULL
                 WHERE a.enabled AND a.every_minutes IS NOT NULL AND a.next_run_at <= ?1
                 ORDER BY a.next_run_at, a.id
                 LIMIT ?2",
                params![time_text(now), limit],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            due.into_iter()
                .map(|(id, every_minutes)| {
                    let every = minute
                        .checked_mul(u32::try_from(every_minutes).unwrap_or(u32::MAX))
                        .and_then(|every| time::Duration::try_from(every).ok())
                        .and_then(|every| now.checked_add(every))
                        .ok_or_else(|| {
                            StoreError::InvalidInput(format!(
                                "automation {id}: its next run is out of range"
                            ))
                        })?;
                    one(
                        conn,
                        &format!(
                            "UPDATE automations SET status = 'running', last_run_at = ?2,
                                last_error = NULL, next_run_at = ?3
                             WHERE id = ?1
                             RETURNING {AUTOMATION_COLUMNS}"
                        ),
                        params![id, time_text(now), time_text(every)],
                        automation_from,
                    )?
                    .ok_or(StoreError::NotFound)
                })
                .collect()
        })
        .await
    }

    pub(crate) async fn end_automation_run(
        &self,
        workspace: Uuid,
        id: Uuid,
        status: AutomationStatus,
        error: Option<String>,
        now: Timestamp,
    ) -> Result<Automation, StoreError> {
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE automations SET status = ?3, last_error = ?4,
                        last_run_at = CASE WHEN ?3 = 'running' THEN ?5 ELSE last_run_at END
                     WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                params![
                    workspace.to_string(),
                    id.to_string(),
                    status.as_str(),
                    error,
                    time_text(now)
                ],
                automation_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }
}
