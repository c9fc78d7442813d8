//! Webhooks (seed 001), their delivery outbox, and automations (seed 000).
//!
//! An event writes one pending delivery per subscribed webhook; delivery
//! workers claim due deliveries (several servers on one PostgreSQL store
//! never take the same one) and record each attempt. Automations run an
//! action on a schedule or an event; schedulers claim due ones the same way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{text_enum, SealedUri, Timestamp, UnknownValue};
use crate::{instant, now, storable, Store, StoreError};

/// Most rows one claim returns, of deliveries or of due automations.
pub const MAX_DELIVERY_CLAIM: u32 = 100;

text_enum! {
    /// Status of one delivery of an event to one webhook.
    DeliveryStatus, "delivery status" {
        /// Not delivered yet; retried at `next_attempt_at`.
        Pending => "pending",
        /// A 2xx answer.
        Delivered => "delivered",
        /// Every attempt failed.
        Failed => "failed",
    }
}

text_enum! {
    /// What an automation's last run did.
    AutomationStatus, "automation status" {
        Idle => "idle",
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
    }
}

text_enum! {
    /// What an automation does when it runs.
    AutomationAction, "automation action" {
        Sync => "sync",
        Docs => "docs",
        Lint => "lint",
        Webhook => "webhook",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    /// Event names, or `*` for every event.
    pub events: Vec<String>,
    pub description: String,
    pub enabled: bool,
    /// The signing secret, sealed; never serialized.
    #[serde(skip)]
    pub secret: SealedUri,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_triggered_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub workspace_id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub enabled: bool,
    pub secret: SealedUri,
    pub created_by: Option<Uuid>,
}

/// The fields to change; `None` keeps a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    /// A new sealed secret (a rotation).
    pub secret: Option<SealedUri>,
}

/// An event to deliver: its id and name and the JSON body to post.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub workspace_id: Uuid,
    pub event_id: Uuid,
    pub event: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub event: String,
    /// The body posted.
    pub payload: serde_json::Value,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// When a worker may take it next (also while one is attempting it:
    /// the claim moves it past the attempt's timeout).
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<Timestamp>,
    /// The last attempt's HTTP status, if an answer came.
    pub response_code: Option<u16>,
    /// The last attempt's error, or an excerpt of a non-2xx answer's body.
    pub error: Option<String>,
    pub duration_ms: Option<u64>,
    /// Every attempt: `{at, response_code, error, duration_ms}`.
    pub history: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<Timestamp>,
}

/// A claimed delivery with where to post it and the sealed signing secret.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: Delivery,
    pub url: String,
    pub secret: SealedUri,
}

/// How one attempt at a delivery went.
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    pub response_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// A 2xx answer came.
    pub delivered: bool,
    /// When not delivered: when to try again, or `None` to give up.
    pub retry_at: Option<Timestamp>,
}

impl DeliveryAttempt {
    pub fn status(&self) -> DeliveryStatus {
        if self.delivered {
            DeliveryStatus::Delivered
        } else if self.retry_at.is_some() {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::Failed
        }
    }
}

/// When an automation runs: every N minutes, or on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Schedule { every_minutes: u32 },
    Event(String),
}

impl Trigger {
    fn every_minutes(&self) -> Option<i32> {
        match self {
            Trigger::Schedule { every_minutes } => {
                Some(i32::try_from(*every_minutes).unwrap_or(i32::MAX))
            }
            Trigger::Event(_) => None,
        }
    }

    fn event(&self) -> Option<&str> {
        match self {
            Trigger::Schedule { .. } => None,
            Trigger::Event(event) => Some(event),
        }
    }

    /// From the two columns that hold it.
    pub(crate) fn from_columns(
        every_minutes: Option<i64>,
        event: Option<String>,
    ) -> Result<Trigger, StoreError> {
        match (every_minutes, event) {
            (Some(minutes), None) => Ok(Trigger::Schedule {
                every_minutes: u32::try_from(minutes)
                    .map_err(|_| StoreError::Backend("corrupt row: every_minutes".into()))?,
            }),
            (None, Some(event)) => Ok(Trigger::Event(event)),
            _ => Err(StoreError::Backend(
                "corrupt row: an automation needs exactly one trigger".into(),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Automation {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub trigger: Trigger,
    pub action: AutomationAction,
    /// The action's settings: `connection_id`, `webhook_id`, `fail_on`, ...
    pub config: serde_json::Value,
    pub enabled: bool,
    pub status: AutomationStatus,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_run_at: Option<Timestamp>,
    /// When a scheduled automation runs next; `None` for event triggers.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_run_at: Option<Timestamp>,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewAutomation {
    pub workspace_id: Uuid,
    pub name: String,
    pub trigger: Trigger,
    pub action: AutomationAction,
    pub config: serde_json::Value,
    pub enabled: bool,
    /// The first run of a schedule; `None` for event triggers.
    pub next_run_at: Option<Timestamp>,
    pub created_by: Option<Uuid>,
}

/// The fields to change; `None` keeps a field as it is. A new trigger
/// comes with its `next_run_at`.
#[derive(Debug, Clone, Default)]
pub struct AutomationChange {
    pub name: Option<String>,
    pub trigger: Option<(Trigger, Option<Timestamp>)>,
    pub action: Option<AutomationAction>,
    pub config: Option<serde_json::Value>,
    pub enabled: Option<bool>,
}

/// The columns a trigger is kept in: every_minutes, trigger_event.
pub(crate) fn trigger_columns(trigger: &Trigger) -> (Option<i32>, Option<&str>) {
    (trigger.every_minutes(), trigger.event())
}

fn check_events(events: &[String]) -> Result<(), StoreError> {
    events
        .iter()
        .try_for_each(|event| storable("an event name", event))
}

/// A delivery error is the receiver's text: bounded, so one answer cannot
/// fill the store.
const MAX_ERROR_CHARS: usize = 1_000;

impl Store {
    // webhooks

    /// NotFound for a missing or deleted workspace.
    pub async fn create_webhook(&self, new: NewWebhook) -> Result<Webhook, StoreError> {
        storable("the URL", &new.url)?;
        storable("the description", &new.description)?;
        check_events(&new.events)?;
        dispatch!(self.create_webhook(new, Uuid::new_v4(), now()))
    }

    /// `None` for an id of another workspace, as for a missing one.
    pub async fn webhook(&self, workspace: Uuid, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        dispatch!(self.webhook(workspace, id))
    }

    /// The workspace's webhooks, oldest first.
    pub async fn webhooks(&self, workspace: Uuid) -> Result<Vec<Webhook>, StoreError> {
        dispatch!(self.webhooks(workspace))
    }

    pub async fn update_webhook(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: WebhookChange,
    ) -> Result<Webhook, StoreError> {
        if let Some(url) = &change.url {
            storable("the URL", url)?;
        }
        if let Some(description) = &change.description {
            storable("the description", description)?;
        }
        if let Some(events) = &change.events {
            check_events(events)?;
        }
        dispatch!(self.update_webhook(workspace, id, change, now()))
    }

    /// Deletes a webhook and its deliveries.
    pub async fn delete_webhook(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        dispatch!(self.delete_webhook(workspace, id))
    }

    /// Writes one pending delivery of the event, due now, to every enabled
    /// webhook of the workspace subscribed to it (its name or `*`); with
    /// `only`, to that webhook alone whatever it subscribes to (a test, an
    /// automation naming it). Nothing for a deleted workspace.
    pub async fn enqueue_deliveries(
        &self,
        event: NewEvent,
        only: Option<Uuid>,
    ) -> Result<Vec<Delivery>, StoreError> {
        storable("the event name", &event.event)?;
        dispatch!(self.enqueue_deliveries(event, only, now()))
    }

    /// A webhook's deliveries, newest first, at most `limit`.
    pub async fn webhook_deliveries(
        &self,
        workspace: Uuid,
        webhook: Uuid,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        dispatch!(self.webhook_deliveries(workspace, webhook, limit))
    }

    /// Claims up to `limit` (at most [`MAX_DELIVERY_CLAIM`]) pending
    /// deliveries due now, of live workspaces, moving their next attempt to
    /// `lease_until`: concurrent claimers never get the same delivery, and
    /// one whose worker dies mid-attempt is due again after the lease.
    pub async fn claim_deliveries(
        &self,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let limit = limit.min(MAX_DELIVERY_CLAIM);
        dispatch!(self.claim_deliveries(now(), instant(lease_until)?, limit))
    }

    /// Records an attempt at a pending delivery: delivered, pending again
    /// until `retry_at`, or failed. NotFound when it is no longer pending.
    pub async fn record_delivery_attempt(
        &self,
        id: Uuid,
        attempt: DeliveryAttempt,
    ) -> Result<Delivery, StoreError> {
        let error = attempt.error.map(|error| {
            let error = error.replace('\0', "\u{fffd}");
            match error.char_indices().nth(MAX_ERROR_CHARS) {
                Some((end, _)) => format!("{}...", &error[..end]),
                None => error,
            }
        });
        let attempt = DeliveryAttempt {
            error,
            retry_at: attempt.retry_at.map(instant).transpose()?,
            ..attempt
        };
        dispatch!(self.record_delivery_attempt(id, attempt, now()))
    }

    // automations

    /// NotFound for a missing or deleted workspace.
    pub async fn create_automation(&self, new: NewAutomation) -> Result<Automation, StoreError> {
        storable("the name", &new.name)?;
        if let Trigger::Event(event) = &new.trigger {
            storable("the event", event)?;
        }
        let new = NewAutomation {
            next_run_at: new.next_run_at.map(instant).transpose()?,
            ..new
        };
        dispatch!(self.create_automation(new, Uuid::new_v4(), now()))
    }

    /// `None` for an id of another workspace, as for a missing one.
    pub async fn automation(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Automation>, StoreError> {
        dispatch!(self.automation(workspace, id))
    }

    /// The workspace's automations, oldest first.
    pub async fn automations(&self, workspace: Uuid) -> Result<Vec<Automation>, StoreError> {
        dispatch!(self.automations(workspace))
    }

    pub async fn update_automation(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: AutomationChange,
    ) -> Result<Automation, StoreError> {
        if let Some(name) = &change.name {
            storable("the name", name)?;
        }
        let trigger = match change.trigger {
            Some((Trigger::Event(event), _)) => {
                storable("the event", &event)?;
                Some((Trigger::Event(event), None))
            }
            Some((trigger, next)) => Some((trigger, next.map(instant).transpose()?)),
            None => None,
        };
        let change = AutomationChange { trigger, ..change };
        dispatch!(self.update_automation(workspace, id, change, now()))
    }

    pub async fn delete_automation(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        dispatch!(self.delete_automation(workspace, id))
    }

    /// The enabled automations of a live workspace triggered by `event`.
    pub async fn automations_on(
        &self,
        workspace: Uuid,
        event: &str,
    ) -> Result<Vec<Automation>, StoreError> {
        storable("the event", event)?;
        dispatch!(self.automations_on(workspace, event))
    }

    /// Claims up to `limit` (at most [`MAX_DELIVERY_CLAIM`]) enabled
    /// scheduled automations of live workspaces
    /// that are due now: each is marked running and its next run moved
    /// `every_minutes` x `minute` ahead in the same statement, so
    /// concurrent schedulers never run one twice.
    pub async fn claim_due_automations(
        &self,
        minute: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<Automation>, StoreError> {
        let limit = limit.min(MAX_DELIVERY_CLAIM);
        dispatch!(self.claim_due_automations(now(), minute, limit))
    }

    /// Marks a run started now (a run by hand or on an event).
    pub async fn start_automation_run(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Automation, StoreError> {
        dispatch!(self.end_automation_run(workspace, id, AutomationStatus::Running, None, now()))
    }

    /// Records how a run ended (`Succeeded` or `Failed` with its error).
    pub async fn finish_automation_run(
        &self,
        workspace: Uuid,
        id: Uuid,
        status: AutomationStatus,
        error: Option<&str>,
    ) -> Result<Automation, StoreError> {
        if let Some(error) = error {
            storable("the error", error)?;
        }
        let error = error.map(str::to_owned);
        dispatch!(self.end_automation_run(workspace, id, status, error, now()))
    }
}
