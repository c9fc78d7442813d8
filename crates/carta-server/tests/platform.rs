//! Issue 7's promise in one run, over real HTTP, on an SQLite store and on a
//! PostgreSQL store, against a real PostgreSQL target holding seed 000: sync,
//! change the target's schema, sync again, diff the versions, receive the
//! signed `schema.changed` webhook, regenerate the docs and keep a hand edit,
//! fill the target with a mock job (counted through the query runner), and
//! hit the workspace's quota.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::config::WebhookSettings;
use carta_server::AppState;
use carta_store::{MemberRole, Store, UserRole};
use common::receiver::Receiver;
use common::{Client, Running};
use serde_json::{json, Value};
use std::time::Duration;

const HUMAN: &str = "Orgs are billed yearly; ask finance before deleting one.";

async fn post(client: &Client, token: &str, path: &str, body: Option<Value>) -> common::Reply {
    client.send(Method::POST, path, Some(token), body).await
}

async fn get(client: &Client, token: &str, path: &str) -> Value {
    let reply = client.send(Method::GET, path, Some(token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    reply.json()
}

/// The workspace's document of `key` (e.g. `orko.orgs`).
async fn doc_of(client: &Client, token: &str, ws: &str, key: &str) -> Value {
    let listed = get(client, token, &format!("{ws}/docs")).await;
    let id = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|d| d["object_key"] == key)
        .unwrap_or_else(|| panic!("no document for {key}: {listed}"))["id"]
        .as_str()
        .expect("an id")
        .to_string();
    get(client, token, &format!("{ws}/docs/{id}")).await
}

async fn flow(store: Store) {
    let admin = common::create_user(&store, "admin", UserRole::Admin).await;
    let editor = common::create_user(&store, "editor", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", admin.id).await.unwrap();
    store
        .add_member(workspace.id, editor.id, MemberRole::Editor)
        .await
        .unwrap();
    let admin_token = common::session(&store, &admin).await;
    let editor_token = common::session(&store, &editor).await;
    let mut config = common::config("unused");
    config.webhooks = WebhookSettings {
        allow_private: true,
        retry_base: Duration::from_millis(200),
        ..WebhookSettings::default()
    };
    let server = Running::start(AppState::new(store, config).expect("a state")).await;
    let client = Client::new(&server);
    let ws = format!("/api/v1/workspaces/{}", workspace.id);
    let (admin_token, editor_token) = (admin_token.as_str(), editor_token.as_str());

    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let cid = client
        .create_connection(
            admin_token,
            &ws,
            json!({ "name": "orko", "db_type": "postgres", "mode": "read-write",
                    "uri": target.url() }),
        )
        .await;

    let receiver = Receiver::start().await;
    let hook = post(
        &client,
        admin_token,
        &format!("{ws}/webhooks"),
        Some(json!({ "url": receiver.url("team"), "events": ["schema.changed"] })),
    )
    .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.text);
    let secret = hook.json()["secret"]
        .as_str()
        .expect("the secret")
        .to_string();

    // Version 1, and its docs, edited by a person.
    let sync_path = format!("{ws}/connections/{cid}/sync");
    let first = post(&client, editor_token, &sync_path, None).await;
    client.completed_job(editor_token, &ws, first).await;
    let generate = format!("{ws}/connections/{cid}/docs/generate");
    let docs = post(&client, editor_token, &generate, None).await;
    client.completed_job(editor_token, &ws, docs).await;
    let orgs = doc_of(&client, editor_token, &ws, "orko.orgs").await;
    let original = orgs["content_md"].as_str().expect("Markdown").to_string();
    assert!(!original.contains("churn_risk"));
    let edited = format!("{original}\n{HUMAN}\n");
    let saved = client
        .send(
            Method::PUT,
            &format!("{ws}/docs/{}", orgs["id"].as_str().unwrap()),
            Some(editor_token),
            Some(json!({ "content_md": edited, "expected_revision": orgs["revision"] })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);

    // The target changes; version 2; the diff; the signed event.
    target.execute("ALTER TABLE orko.orgs ADD COLUMN churn_risk numeric(4, 3)");
    let second = post(&client, editor_token, &sync_path, None).await;
    let synced = client.completed_job(editor_token, &ws, second).await;
    assert_eq!(synced["result"]["version"], 2, "{synced}");
    let diff = get(
        &client,
        editor_token,
        &format!("{ws}/connections/{cid}/versions/1/diff/2"),
    )
    .await;
    assert!(diff.to_string().contains("churn_risk"), "{diff}");
    let event = receiver.event("team", "schema.changed").await;
    assert!(event.signed_with(&secret), "the signature verifies");
    let data = &event.json()["data"];
    assert_eq!(
        (data["from_version"].clone(), data["to_version"].clone()),
        (json!(1), json!(2))
    );
    assert!(
        data["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("churn_risk")),
        "{data}"
    );

    // Regenerated: the new column is documented, the hand edit is kept.
    let again = post(&client, editor_token, &generate, None).await;
    client.completed_job(editor_token, &ws, again).await;
    let regenerated = doc_of(&client, editor_token, &ws, "orko.orgs").await;
    let content = regenerated["content_md"].as_str().expect("Markdown");
    assert!(content.contains(HUMAN), "{content}");
    assert!(content.contains("churn_risk"), "{content}");

    // Mock data into the (empty) target, counted with the query runner.
    let mock = post(
        &client,
        editor_token,
        &format!("{ws}/mock-jobs"),
        Some(json!({ "connection_id": cid, "target": "database", "rows": 12, "seed": 3 })),
    )
    .await;
    client.completed_job(editor_token, &ws, mock).await;
    let counted = post(
        &client,
        editor_token,
        &format!("{ws}/connections/{cid}/query"),
        Some(json!({ "sql": "SELECT count(*) AS n FROM orko.orgs" })),
    )
    .await;
    assert_eq!(counted.status, StatusCode::OK, "{}", counted.text);
    assert_eq!(counted.json()["rows"], json!([[12]]), "{}", counted.text);

    // The quota: a few requests a minute, then 429 with Retry-After.
    let quota = client
        .send(
            Method::PUT,
            &format!("{ws}/quota"),
            Some(admin_token),
            Some(json!({ "requests_per_minute": 3 })),
        )
        .await;
    assert_eq!(quota.status, StatusCode::OK, "{}", quota.text);
    // Eight quick requests: a minute boundary among them resets the count
    // once, which still leaves a refusal.
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let reply = client
            .send(Method::GET, &format!("{ws}/docs"), Some(editor_token), None)
            .await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(reply.error_code(), "rate_limited", "{}", reply.text);
            retry_after = reply
                .headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
        }
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(statuses[..3], [200, 200, 200], "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "{retry_after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_flow_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    flow(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_flow_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    flow(store).await;
}
