//! Webhooks, the delivery outbox and automations on both backends: fan-out
//! to subscribers, deliveries and due automations claimed exactly once by
//! concurrent claimers, attempts recorded, everything scoped to its workspace.

#[macro_use]
mod common;

use std::collections::HashSet;
use std::time::Duration;

use carta_store::{
    AutomationAction, AutomationChange, AutomationStatus, DeliveryAttempt, DeliveryStatus,
    NewAutomation, NewEvent, NewWebhook, Store, StoreError, Trigger, UserRole, Uuid, WebhookChange,
};
use common::{sealed, user, Env};
use serde_json::json;

fn webhook(workspace: Uuid, url: &str, events: &[&str], enabled: bool) -> NewWebhook {
    NewWebhook {
        workspace_id: workspace,
        url: url.into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        description: format!("hook {url}"),
        enabled,
        secret: sealed("sealed secret", "aaaaaaaa"),
        created_by: None,
    }
}

fn event(workspace: Uuid, name: &str) -> NewEvent {
    NewEvent {
        workspace_id: workspace,
        event_id: Uuid::new_v4(),
        event: name.into(),
        payload: json!({ "event": name, "data": { "n": 1 } }),
    }
}

fn failed_attempt(code: u16, retry_in: Option<time::Duration>) -> DeliveryAttempt {
    DeliveryAttempt {
        response_code: Some(code),
        error: Some(format!("HTTP {code}")),
        duration_ms: 12,
        delivered: false,
        retry_at: retry_in.map(|delay| carta_store::now() + delay),
    }
}

async fn workspaces(store: &Store) -> (Uuid, Uuid) {
    let owner = user(store, "owner@example.com", UserRole::Developer).await;
    let mine = store.create_workspace("Mine", owner.id).await.unwrap().id;
    let theirs = store.create_workspace("Theirs", owner.id).await.unwrap().id;
    (mine, theirs)
}

async fn events_fan_out_to_enabled_subscribers(env: Env) {
    let store = &env.store;
    let (mine, theirs) = workspaces(store).await;
    let schema = store
        .create_webhook(webhook(
            mine,
            "https://a.example/",
            &["schema.changed"],
            true,
        ))
        .await
        .unwrap();
    let all = store
        .create_webhook(webhook(mine, "https://b.example/", &["*"], true))
        .await
        .unwrap();
    let members = store
        .create_webhook(webhook(mine, "https://c.example/", &["member.added"], true))
        .await
        .unwrap();
    let off = store
        .create_webhook(webhook(mine, "https://d.example/", &["*"], false))
        .await
        .unwrap();
    store
        .create_webhook(webhook(theirs, "https://e.example/", &["*"], true))
        .await
        .unwrap();
    assert_eq!(
        store
            .webhook(mine, schema.id)
            .await
            .unwrap()
            .unwrap()
            .secret,
        sealed("sealed secret", "aaaaaaaa")
    );

    let sent = store
        .enqueue_deliveries(event(mine, "schema.changed"), None)
        .await
        .unwrap();
    let targets: HashSet<Uuid> = sent.iter().map(|d| d.webhook_id).collect();
    assert_eq!(targets, HashSet::from([schema.id, all.id]));
    assert!(sent.iter().all(|d| d.status == DeliveryStatus::Pending
        && d.attempts == 0
        && d.event == "schema.changed"
        && d.event_id == sent[0].event_id));
    // A webhook named alone gets the event whatever it subscribes to, even disabled.
    let only = store
        .enqueue_deliveries(event(mine, "webhook.test"), Some(off.id))
        .await
        .unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].webhook_id, off.id);
    // Not a webhook of this workspace: nothing.
    let foreign = store.webhooks(theirs).await.unwrap()[0].id;
    assert!(store
        .enqueue_deliveries(event(mine, "webhook.test"), Some(foreign))
        .await
        .unwrap()
        .is_empty());

    // Changed subscriptions apply to the next event.
    store
        .update_webhook(
            mine,
            members.id,
            WebhookChange {
                events: Some(vec!["schema.changed".into()]),
                secret: Some(sealed("rotated", "bbbbbbbb")),
                ..WebhookChange::default()
            },
        )
        .await
        .unwrap();
    let updated = store.webhook(mine, members.id).await.unwrap().unwrap();
    assert_eq!(updated.secret, sealed("rotated", "bbbbbbbb"));
    assert_eq!(updated.url, "https://c.example/");
    assert_eq!(
        store
            .enqueue_deliveries(event(mine, "schema.changed"), None)
            .await
            .unwrap()
            .len(),
        3
    );
    let log = store.webhook_deliveries(mine, schema.id, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0].created_at >= log[1].created_at, "newest first");

    // Another workspace sees none of it.
    assert_eq!(store.webhook(theirs, schema.id).await.unwrap(), None);
    assert!(store
        .webhook_deliveries(theirs, schema.id, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .update_webhook(theirs, schema.id, WebhookChange::default())
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_webhook(theirs, schema.id).await,
        Err(StoreError::NotFound)
    );

    store.delete_webhook(mine, schema.id).await.unwrap();
    assert_eq!(store.webhooks(mine).await.unwrap().len(), 3);
    let table = env.table("webhook_deliveries");
    assert_eq!(
        env.raw_count(&format!(
            "SELECT count(*) FROM {table} WHERE webhook_id = '{}'",
            schema.id
        ))
        .await,
        0,
        "a deleted webhook's deliveries go with it"
    );
    assert_eq!(
        store
            .create_webhook(webhook(mine, "https://x.example/\0", &["*"], true))
            .await
            .map(|_| ()),
        Err(StoreError::InvalidInput(
            "the URL contains a NUL character".into()
        ))
    );
}

async fn deliveries_are_claimed_once_and_retried_when_due(env: Env) {
    let store = &env.store;
    let (mine, _) = workspaces(store).await;
    let hook = store
        .create_webhook(webhook(mine, "https://a.example/", &["*"], true))
        .await
        .unwrap();
    let mut queued = HashSet::new();
    for _ in 0..40 {
        for delivery in store
            .enqueue_deliveries(event(mine, "job.completed"), None)
            .await
            .unwrap()
        {
            queued.insert(delivery.id);
        }
    }
    let lease = carta_store::now() + time::Duration::minutes(2);
    let claimer = |store: Store| {
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = store.claim_deliveries(lease, 3).await.unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch.into_iter().map(|due| {
                    assert_eq!(due.url, "https://a.example/");
                    assert_eq!(due.secret, sealed("sealed secret", "aaaaaaaa"));
                    due.delivery.id
                }));
            }
        })
    };
    let (a, b) = (claimer(store.clone()), claimer(store.clone()));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let claimed: HashSet<Uuid> = a.iter().chain(&b).copied().collect();
    assert_eq!(a.len() + b.len(), 40, "each delivery claimed exactly once");
    assert_eq!(claimed, queued);
    assert!(store.claim_deliveries(lease, 10).await.unwrap().is_empty());

    // A failed attempt with a retry time in the past is due again at once.
    let id = a.first().or(b.first()).copied().unwrap();
    let retried = store
        .record_delivery_attempt(id, failed_attempt(500, Some(time::Duration::seconds(-1))))
        .await
        .unwrap();
    assert_eq!(
        (retried.status, retried.attempts, retried.response_code),
        (DeliveryStatus::Pending, 1, Some(500))
    );
    let again = store.claim_deliveries(lease, 10).await.unwrap();
    assert_eq!(
        again.iter().map(|d| d.delivery.id).collect::<Vec<_>>(),
        [id]
    );
    // One retried later is not.
    store
        .record_delivery_attempt(id, failed_attempt(502, Some(time::Duration::hours(1))))
        .await
        .unwrap();
    assert!(store.claim_deliveries(lease, 10).await.unwrap().is_empty());
    let delivered = store
        .record_delivery_attempt(
            id,
            DeliveryAttempt {
                response_code: Some(200),
                error: None,
                duration_ms: 7,
                delivered: true,
                retry_at: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert_eq!(delivered.attempts, 3);
    assert_eq!(delivered.response_code, Some(200));
    assert!(delivered.finished_at.is_some());
    let codes: Vec<_> = delivered
        .history
        .as_array()
        .unwrap()
        .iter()
        .map(|attempt| attempt["response_code"].as_u64())
        .collect();
    assert_eq!(codes, [Some(500), Some(502), Some(200)]);
    assert_eq!(
        store
            .record_delivery_attempt(id, failed_attempt(500, None))
            .await,
        Err(StoreError::NotFound),
        "an ended delivery takes no more attempts"
    );
    // Out of retries: failed, with the receiver's text bounded.
    let last = b.first().or(a.get(1)).copied().unwrap();
    let failed = store
        .record_delivery_attempt(
            last,
            DeliveryAttempt {
                error: Some("x".repeat(5_000)),
                ..failed_attempt(503, None)
            },
        )
        .await
        .unwrap();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert!(failed.error.unwrap().chars().count() < 1_100);
    assert!(store
        .webhook(mine, hook.id)
        .await
        .unwrap()
        .unwrap()
        .last_triggered_at
        .is_some());

    // Deliveries of a deleted workspace are not claimed.
    store
        .enqueue_deliveries(event(mine, "job.failed"), None)
        .await
        .unwrap();
    store
        .delete_workspace(mine, carta_store::now())
        .await
        .unwrap();
    assert!(store.claim_deliveries(lease, 10).await.unwrap().is_empty());
}

fn scheduled(workspace: Uuid, name: &str, every_minutes: u32) -> NewAutomation {
    NewAutomation {
        workspace_id: workspace,
        name: name.into(),
        trigger: Trigger::Schedule { every_minutes },
        action: AutomationAction::Sync,
        config: json!({ "connection_id": Uuid::nil() }),
        enabled: true,
        next_run_at: Some(carta_store::now() - time::Duration::seconds(1)),
        created_by: None,
    }
}

async fn due_automations_are_claimed_once(env: Env) {
    let store = &env.store;
    let (mine, theirs) = workspaces(store).await;
    let mut due = HashSet::new();
    for n in 0..12 {
        due.insert(
            store
                .create_automation(scheduled(mine, &format!("sync {n}"), 1 + n))
                .await
                .unwrap()
                .id,
        );
    }
    let later = store
        .create_automation(NewAutomation {
            next_run_at: Some(carta_store::now() + time::Duration::hours(1)),
            ..scheduled(mine, "later", 60)
        })
        .await
        .unwrap();
    store
        .create_automation(NewAutomation {
            enabled: false,
            ..scheduled(mine, "off", 1)
        })
        .await
        .unwrap();
    let on_event = store
        .create_automation(NewAutomation {
            trigger: Trigger::Event("schema.changed".into()),
            action: AutomationAction::Lint,
            next_run_at: None,
            ..scheduled(mine, "lint on change", 1)
        })
        .await
        .unwrap();
    store
        .create_automation(NewAutomation {
            trigger: Trigger::Event("schema.changed".into()),
            next_run_at: None,
            ..scheduled(theirs, "theirs", 1)
        })
        .await
        .unwrap();

    let minute = Duration::from_secs(60);
    let before = carta_store::now();
    let claimer = |store: Store| {
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = store.claim_due_automations(minute, 2).await.unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch);
            }
        })
    };
    let (a, b) = (claimer(store.clone()), claimer(store.clone()));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(
        a.len() + b.len(),
        12,
        "each due automation claimed exactly once"
    );
    let claimed: HashSet<Uuid> = a.iter().chain(&b).map(|a| a.id).collect();
    assert_eq!(claimed, due);
    for automation in a.iter().chain(&b) {
        let Trigger::Schedule { every_minutes } = automation.trigger else {
            panic!("a schedule was claimed: {automation:?}");
        };
        assert_eq!(automation.status, AutomationStatus::Running);
        let last = automation.last_run_at.unwrap();
        assert!(last >= before);
        assert_eq!(
            automation.next_run_at.unwrap() - last,
            time::Duration::minutes(i64::from(every_minutes)),
            "the next run moved one period ahead in the claim"
        );
    }
    assert!(store
        .claim_due_automations(minute, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .automation(mine, later.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        AutomationStatus::Idle
    );

    let triggered = store.automations_on(mine, "schema.changed").await.unwrap();
    assert_eq!(
        triggered.iter().map(|a| a.id).collect::<Vec<_>>(),
        [on_event.id]
    );
    assert!(store
        .automations_on(mine, "job.failed")
        .await
        .unwrap()
        .is_empty());
    let started = store.start_automation_run(mine, on_event.id).await.unwrap();
    assert_eq!(started.status, AutomationStatus::Running);
    let ended = store
        .finish_automation_run(
            mine,
            on_event.id,
            AutomationStatus::Failed,
            Some("2 new errors"),
        )
        .await
        .unwrap();
    assert_eq!(ended.status, AutomationStatus::Failed);
    assert_eq!(ended.last_error.as_deref(), Some("2 new errors"));
    assert_eq!(ended.last_run_at, started.last_run_at);
    assert_eq!(
        store
            .finish_automation_run(theirs, on_event.id, AutomationStatus::Succeeded, None)
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.automations(mine).await.unwrap().len(), 15);
    let changed = store
        .update_automation(
            mine,
            later.id,
            AutomationChange {
                trigger: Some((Trigger::Event("member.added".into()), None)),
                enabled: Some(false),
                ..AutomationChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.trigger, Trigger::Event("member.added".into()));
    assert_eq!((changed.next_run_at, changed.enabled), (None, false));
    assert_eq!(changed.name, "later");
    store.delete_automation(mine, later.id).await.unwrap();
    assert_eq!(store.automation(mine, later.id).await.unwrap(), None);
}

on_both_backends!(
    events_fan_out_to_enabled_subscribers,
    deliveries_are_claimed_once_and_retried_when_due,
    due_automations_are_claimed_once,
);

/// On PostgreSQL, row-level security (enabled and forced) keeps the rows of
/// the three tables to the workspace a transaction names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_level_security_scopes_webhooks_deliveries_and_automations() {
    let env = Env::postgres().await;
    let store = &env.store;
    let (mine, theirs) = workspaces(store).await;
    store
        .create_webhook(webhook(mine, "https://a.example/", &["*"], true))
        .await
        .unwrap();
    store
        .enqueue_deliveries(event(mine, "job.completed"), None)
        .await
        .unwrap();
    store
        .create_automation(scheduled(mine, "sync", 5))
        .await
        .unwrap();
    let client = common::pg_connect(&env.url).await;
    for table in ["webhooks", "webhook_deliveries", "automations"] {
        let row = client
            .query_one(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class
                 WHERE oid = ('carta.' || $1)::regclass",
                &[&table],
            )
            .await
            .unwrap();
        assert_eq!(
            (row.get::<_, bool>(0), row.get::<_, bool>(1)),
            (true, true),
            "{table}"
        );
        let count = |workspace: Uuid| {
            let client = &client;
            async move {
                let tx_sql =
                    format!("BEGIN; SELECT set_config('carta.workspace_id', '{workspace}', true);");
                client.batch_execute(&tx_sql).await.unwrap();
                let count: i64 = client
                    .query_one(&format!("SELECT count(*) FROM carta.{table}"), &[])
                    .await
                    .unwrap()
                    .get(0);
                client.batch_execute("COMMIT").await.unwrap();
                count
            }
        };
        assert_eq!(count(mine).await, 1, "{table}");
        assert_eq!(count(theirs).await, 0, "{table}");
    }
}
