//! Webhooks, deliveries and automations on PostgreSQL. Workers claim with
//! FOR UPDATE SKIP LOCKED, so several servers share the outbox and the
//! schedule without taking one row twice.

use tokio_postgres::Row;
use uuid::Uuid;

use super::{all, execute_one, one, out_of_range, parsed, rows, Rls, LIVE_WORKSPACE};
use crate::model::{SealedUri, Timestamp};
use crate::webhooks::{
    trigger_columns, Automation, AutomationChange, AutomationStatus, Delivery, DeliveryAttempt,
    DueDelivery, NewAutomation, NewEvent, NewWebhook, Trigger, Webhook, WebhookChange,
};
use crate::StoreError;

const WEBHOOK_COLUMNS: &str = "id, workspace_id, url, events, description, enabled, secret,
    secret_key_id, created_by, created_at, updated_at, last_triggered_at";

fn webhook_from(row: &Row) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        url: row.try_get(2)?,
        events: row.try_get(3)?,
        description: row.try_get(4)?,
        enabled: row.try_get(5)?,
        secret: SealedUri {
            ciphertext: row.try_get(6)?,
            key_id: row.try_get(7)?,
        },
        created_by: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
        last_triggered_at: row.try_get(11)?,
    })
}

const DELIVERY_COLUMNS: &str = "id, workspace_id, webhook_id, event_id, event, payload, status,
    attempts, next_attempt_at, response_code, error, duration_ms, history, created_at, finished_at";

fn delivery_from(row: &Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        webhook_id: row.try_get(2)?,
        event_id: row.try_get(3)?,
        event: row.try_get(4)?,
        payload: row.try_get(5)?,
        status: parsed(row, 6)?,
        attempts: u32::try_from(row.try_get::<_, i32>(7)?).map_err(|_| out_of_range("attempts"))?,
        next_attempt_at: row.try_get(8)?,
        response_code: row
            .try_get::<_, Option<i32>>(9)?
            .map(|code| u16::try_from(code).map_err(|_| out_of_range("response_code")))
            .transpose()?,
        error: row.try_get(10)?,
        duration_ms: row
            .try_get::<_, Option<i64>>(11)?
            .map(|ms| u64::try_from(ms).map_err(|_| out_of_range("duration_ms")))
            .transpose()?,
        history: row.try_get(12)?,
        created_at: row.try_get(13)?,
        finished_at: row.try_get(14)?,
    })
}

const AUTOMATION_COLUMNS: &str = "id, workspace_id, name, every_minutes, trigger_event, action,
    config, enabled, status, last_error, last_run_at, next_run_at, created_by, created_at, updated_at";

fn automation_from(row: &Row) -> Result<Automation, StoreError> {
    Ok(Automation {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        name: row.try_get(2)?,
        trigger: Trigger::from_columns(
            row.try_get::<_, Option<i32>>(3)?.map(i64::from),
            row.try_get(4)?,
        )?,
        action: parsed(row, 5)?,
        config: row.try_get(6)?,
        enabled: row.try_get(7)?,
        status: parsed(row, 8)?,
        last_error: row.try_get(9)?,
        last_run_at: row.try_get(10)?,
        next_run_at: row.try_get(11)?,
        created_by: row.try_get(12)?,
        created_at: row.try_get(13)?,
        updated_at: row.try_get(14)?,
    })
}

impl super::PgStore {
    pub(crate) async fn create_webhook(
        &self,
        new: NewWebhook,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Webhook, StoreError> {
        self.transact(Rls::Workspace(new.workspace_id), async |tx| {
            let row = one(
                tx,
                &format!(
                    "INSERT INTO carta.webhooks (id, workspace_id, url, events, description, enabled,
                        secret, secret_key_id, created_by, created_at, updated_at)
                     SELECT $2::uuid, $1::uuid, $3::text, $4::text[], $5::text, $6::boolean, $7::bytea,
                        $8::text, $9::uuid, $10::timestamptz, $10::timestamptz
                     WHERE {LIVE_WORKSPACE}
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                &[
                    &new.workspace_id,
                    &id,
                    &new.url,
                    &new.events,
                    &new.description,
                    &new.enabled,
                    &new.secret.ciphertext,
                    &new.secret.key_id,
                    &new.created_by,
                    &now,
                ],
            )
            .await?;
            webhook_from(&row.ok_or(StoreError::NotFound)?)
        })
        .await
    }

    pub(crate) async fn webhook(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Webhook>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM carta.webhooks
                     WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await?
            .as_ref()
            .map(webhook_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn webhooks(&self, workspace: Uuid) -> Result<Vec<Webhook>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM carta.webhooks
                     WHERE workspace_id = $1 AND {LIVE_WORKSPACE} ORDER BY created_at, id"
                ),
                &[&workspace],
            )
            .await?;
            all(found, webhook_from)
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
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.webhooks SET url = coalesce($3, url), events = coalesce($4, events),
                        description = coalesce($5, description), enabled = coalesce($6, enabled),
                        secret = coalesce($7, secret), secret_key_id = coalesce($8, secret_key_id),
                        updated_at = $9
                     WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                &[
                    &workspace,
                    &id,
                    &change.url,
                    &change.events,
                    &change.description,
                    &change.enabled,
                    &secret,
                    &key_id,
                    &now,
                ],
            )
            .await?;
            webhook_from(&row.ok_or(StoreError::NotFound)?)
        })
        .await
    }

    pub(crate) async fn delete_webhook(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            execute_one(
                tx,
                &format!(
                    "DELETE FROM carta.webhooks WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await
        })
        .await
    }

    pub(crate) async fn enqueue_deliveries(
        &self,
        event: NewEvent,
        only: Option<Uuid>,
        now: Timestamp,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.transact(Rls::Workspace(event.workspace_id), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "INSERT INTO carta.webhook_deliveries
                        (id, workspace_id, webhook_id, event_id, event, payload, next_attempt_at, created_at)
                     SELECT gen_random_uuid(), h.workspace_id, h.id, $2, $3, $4, $5, $5
                     FROM carta.webhooks h
                     WHERE h.workspace_id = $1 AND {LIVE_WORKSPACE}
                       AND CASE WHEN $6::uuid IS NULL
                           THEN h.enabled AND ($3 = ANY (h.events) OR '*' = ANY (h.events))
                           ELSE h.id = $6 END
                     RETURNING {DELIVERY_COLUMNS}"
                ),
                &[
                    &event.workspace_id,
                    &event.event_id,
                    &event.event,
                    &event.payload,
                    &now,
                    &only,
                ],
            )
            .await?;
            all(found, delivery_from)
        })
        .await
    }

    pub(crate) async fn webhook_deliveries(
        &self,
        workspace: Uuid,
        webhook: Uuid,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {DELIVERY_COLUMNS} FROM carta.webhook_deliveries
                     WHERE workspace_id = $1 AND webhook_id = $2 AND {LIVE_WORKSPACE}
                     ORDER BY created_at DESC, id DESC LIMIT $3"
                ),
                &[&workspace, &webhook, &i64::from(limit)],
            )
            .await?;
            all(found, delivery_from)
        })
        .await
    }

    pub(crate) async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let claimed_columns = DELIVERY_COLUMNS
            .split(',')
            .map(|column| format!("c.{}", column.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        self.transact(Rls::System, async |tx| {
            // SKIP LOCKED: a delivery another server is claiming right now
            // is passed over; the outer conditions re-read the row once locked.
            let found = rows(
                tx,
                &format!(
                    "WITH claimed AS (
                        UPDATE carta.webhook_deliveries SET next_attempt_at = $2
                        WHERE status = 'pending' AND next_attempt_at <= $1 AND id IN (
                            SELECT d.id FROM carta.webhook_deliveries d
                            WHERE d.status = 'pending' AND d.next_attempt_at <= $1
                              AND EXISTS (SELECT 1 FROM carta.workspaces w
                                          WHERE w.id = d.workspace_id AND w.deleted_at IS NULL)
                            ORDER BY d.next_attempt_at, d.id
                            FOR UPDATE OF d SKIP LOCKED
                            LIMIT $3
                        )
                        RETURNING *
                     )
                     SELECT {claimed_columns}, h.url, h.secret, h.secret_key_id
                     FROM claimed c JOIN carta.webhooks h ON h.id = c.webhook_id
                     ORDER BY c.created_at, c.id"
                ),
                &[&now, &lease_until, &i64::from(limit)],
            )
            .await?;
            found
                .iter()
                .map(|row| {
                    Ok(DueDelivery {
                        delivery: delivery_from(row)?,
                        url: row.try_get(15)?,
                        secret: SealedUri {
                            ciphertext: row.try_get(16)?,
                            key_id: row.try_get(17)?,
                        },
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
        let code = attempt.response_code.map(i32::from);
        let duration = i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX);
        let status = attempt.status().as_str();
        self.transact(Rls::System, async |tx| {
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.webhook_deliveries SET attempts = attempts + 1,
                        response_code = $2::integer, error = $3::text, duration_ms = $4::bigint,
                        status = $5::text, next_attempt_at = $6::timestamptz,
                        finished_at = CASE WHEN $5::text = 'pending' THEN NULL ELSE $7::timestamptz END,
                        history = history || jsonb_build_array(jsonb_build_object(
                            'at', $7::timestamptz, 'response_code', $2::integer,
                            'error', $3::text, 'duration_ms', $4::bigint))
                     WHERE id = $1 AND status = 'pending'
                     RETURNING {DELIVERY_COLUMNS}"
                ),
                &[
                    &id,
                    &code,
                    &attempt.error,
                    &duration,
                    &status,
                    &attempt.retry_at,
                    &now,
                ],
            )
            .await?;
            let delivery = delivery_from(&row.ok_or(StoreError::NotFound)?)?;
            execute_one(
                tx,
                "UPDATE carta.webhooks SET last_triggered_at = $2 WHERE id = $1",
                &[&delivery.webhook_id, &now],
            )
            .await?;
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
        let (every_minutes, event) = trigger_columns(&new.trigger);
        self.transact(Rls::Workspace(new.workspace_id), async |tx| {
            let row = one(
                tx,
                &format!(
                    "INSERT INTO carta.automations (id, workspace_id, name, every_minutes, trigger_event,
                        action, config, enabled, next_run_at, created_by, created_at, updated_at)
                     SELECT $2::uuid, $1::uuid, $3::text, $4::integer, $5::text, $6::text, $7::jsonb,
                        $8::boolean, $9::timestamptz, $10::uuid, $11::timestamptz, $11::timestamptz
                     WHERE {LIVE_WORKSPACE}
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                &[
                    &new.workspace_id,
                    &id,
                    &new.name,
                    &every_minutes,
                    &event,
                    &new.action.as_str(),
                    &new.config,
                    &new.enabled,
                    &new.next_run_at,
                    &new.created_by,
                    &now,
                ],
            )
            .await?;
            automation_from(&row.ok_or(StoreError::NotFound)?)
        })
        .await
    }

    pub(crate) async fn automation(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Automation>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            one(
                tx,
                &format!(
                    "SELECT {AUTOMATION_COLUMNS} FROM carta.automations
                     WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await?
            .as_ref()
            .map(automation_from)
            .transpose()
        })
        .await
    }

    pub(crate) async fn automations(&self, workspace: Uuid) -> Result<Vec<Automation>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {AUTOMATION_COLUMNS} FROM carta.automations
                     WHERE workspace_id = $1 AND {LIVE_WORKSPACE} ORDER BY created_at, id"
                ),
                &[&workspace],
            )
            .await?;
            all(found, automation_from)
        })
        .await
    }

    pub(crate) async fn automations_on(
        &self,
        workspace: Uuid,
        event: &str,
    ) -> Result<Vec<Automation>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let found = rows(
                tx,
                &format!(
                    "SELECT {AUTOMATION_COLUMNS} FROM carta.automations
                     WHERE workspace_id = $1 AND trigger_event = $2 AND enabled AND {LIVE_WORKSPACE}
                     ORDER BY created_at, id"
                ),
                &[&workspace, &event],
            )
            .await?;
            all(found, automation_from)
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
        let retrigger = change.trigger.is_some();
        let (every_minutes, event, next_run_at) = match &change.trigger {
            Some((trigger, next)) => {
                let (minutes, event) = trigger_columns(trigger);
                (minutes, event.map(str::to_owned), *next)
            }
            None => (None, None, None),
        };
        let action = change.action.map(|action| action.as_str());
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.automations SET name = coalesce($3, name),
                        every_minutes = CASE WHEN $4 THEN $5 ELSE every_minutes END,
                        trigger_event = CASE WHEN $4 THEN $6 ELSE trigger_event END,
                        next_run_at = CASE WHEN $4 THEN $7 ELSE next_run_at END,
                        action = coalesce($8, action), config = coalesce($9, config),
                        enabled = coalesce($10, enabled), updated_at = $11
                     WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                &[
                    &workspace,
                    &id,
                    &change.name,
                    &retrigger,
                    &every_minutes,
                    &event,
                    &next_run_at,
                    &action,
                    &change.config,
                    &change.enabled,
                    &now,
                ],
            )
            .await?;
            automation_from(&row.ok_or(StoreError::NotFound)?)
        })
        .await
    }

    pub(crate) async fn delete_automation(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<(), StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            execute_one(
                tx,
                &format!(
                    "DELETE FROM carta.automations WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await
        })
        .await
    }

    pub(crate) async fn claim_due_automations(
        &self,
        now: Timestamp,
        minute: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<Automation>, StoreError> {
        let minute_seconds = minute.as_secs_f64();
        self.transact(Rls::System, async |tx| {
            let found = rows(
                tx,
                &format!(
                    "UPDATE carta.automations SET status = 'running', last_run_at = $1, last_error = NULL,
                        next_run_at = $1 + every_minutes * $2::float8 * interval '1 second'
                     WHERE enabled AND every_minutes IS NOT NULL AND next_run_at <= $1 AND id IN (
                        SELECT a.id FROM carta.automations a
                        WHERE a.enabled AND a.every_minutes IS NOT NULL AND a.next_run_at <= $1
                          AND EXISTS (SELECT 1 FROM carta.workspaces w
                                      WHERE w.id = a.workspace_id AND w.deleted_at IS NULL)
                        ORDER BY a.next_run_at, a.id
                        FOR UPDATE OF a SKIP LOCKED
                        LIMIT $3
                     )
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                &[&now, &minute_seconds, &i64::from(limit)],
            )
            .await?;
            all(found, automation_from)
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
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "UPDATE carta.automations SET status = $3, last_error = $4,
                        last_run_at = CASE WHEN $3 = 'running' THEN $5 ELSE last_run_at END
                     WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}
                     RETURNING {AUTOMATION_COLUMNS}"
                ),
                &[&workspace, &id, &status.as_str(), &error, &now],
            )
            .await?;
            automation_from(&row.ok_or(StoreError::NotFound)?)
        })
        .await
    }
}
