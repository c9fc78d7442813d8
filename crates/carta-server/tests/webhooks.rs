//! Webhooks and automations over real HTTP, against a real receiver (a
//! small axum server on 127.0.0.1 that records what it is sent and answers
//! as scripted) and a real PostgreSQL target: signed deliveries of member
//! and schema events, retries with their codes logged, secrets shown once
//! and never again, the SSRF guard at subscription and at delivery, role
//! checks; a scheduled sync that detects drift and posts the diff; a lint
//! automation that fails on a new error.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::config::WebhookSettings;
use carta_server::AppState;
use carta_store::{MemberRole, Store, UserRole};
use common::receiver::Receiver;
use common::{Client, Running};
use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// Every log line of this test binary, captured at TRACE.
fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        struct Sink;
        impl Write for Sink {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                logs()
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(|| Sink)
            .with_ansi(false)
            .init();
        Mutex::new(Vec::new())
    })
}

fn log_text() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
}

/// Receivers on 127.0.0.1 allowed, retries quick, a minute of schedule 1 s.
fn permissive() -> WebhookSettings {
    WebhookSettings {
        allow_private: true,
        retry_base: Duration::from_millis(200),
        automation_minute: Duration::from_secs(1),
        ..WebhookSettings::default()
    }
}

fn state(store: &Store, webhooks: WebhookSettings) -> AppState {
    let mut config = common::config("unused");
    config.webhooks = webhooks;
    AppState::new(store.clone(), config).expect("a state")
}

struct Team {
    ws: String,
    owner: String,
    editor: String,
    viewer: String,
    outsider: String,
}

async fn team(store: &Store) -> Team {
    let owner = common::create_user(store, "owner", UserRole::Developer).await;
    let editor = common::create_user(store, "editor", UserRole::Developer).await;
    let viewer = common::create_user(store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    for (user, role) in [(&editor, MemberRole::Editor), (&viewer, MemberRole::Viewer)] {
        store.add_member(workspace.id, user.id, role).await.unwrap();
    }
    store
        .create_workspace("Elsewhere", outsider.id)
        .await
        .unwrap();
    Team {
        ws: format!("/api/v1/workspaces/{}", workspace.id),
        owner: common::session(store, &owner).await,
        editor: common::session(store, &editor).await,
        viewer: common::session(store, &viewer).await,
        outsider: common::session(store, &outsider).await,
    }
}

async fn create_webhook(
    client: &Client,
    team: &Team,
    url: &str,
    events: Value,
) -> (String, String) {
    let reply = client
        .send(
            Method::POST,
            &format!("{}/webhooks", team.ws),
            Some(&team.owner),
            Some(json!({ "url": url, "events": events, "description": "test receiver" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let body = reply.json();
    let secret = body["secret"]
        .as_str()
        .expect("the secret, once")
        .to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (body["id"].as_str().expect("an id").to_string(), secret)
}

/// Polls a webhook's latest delivery until it has ended.
async fn ended_delivery(client: &Client, team: &Team, webhook: &str) -> Value {
    let path = format!("{}/webhooks/{webhook}/deliveries", team.ws);
    for _ in 0..600 {
        let reply = client
            .send(Method::GET, &path, Some(&team.owner), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let latest = reply.json()[0].clone();
        if latest["status"] != "pending" && !latest.is_null() {
            return latest;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no delivery of {webhook} ended");
}

async fn webhooks_flow(store: Store) {
    logs();
    let team = team(&store).await;
    let receiver = Receiver::start().await;
    let server = Running::start(state(&store, permissive())).await;
    let client = Client::new(&server);
    let hooks = format!("{}/webhooks", team.ws);

    // Admins only: editors and viewers are refused, outsiders see nothing.
    let body = json!({ "url": receiver.url("a"), "events": ["member.added"] });
    for (token, status) in [
        (&team.editor, StatusCode::FORBIDDEN),
        (&team.viewer, StatusCode::FORBIDDEN),
        (&team.outsider, StatusCode::NOT_FOUND),
    ] {
        let reply = client
            .send(Method::POST, &hooks, Some(token), Some(body.clone()))
            .await;
        assert_eq!(reply.status, status, "{}", reply.text);
        let reply = client.send(Method::GET, &hooks, Some(token), None).await;
        assert_eq!(reply.status, status, "{}", reply.text);
    }
    for bad in [
        json!({ "url": receiver.url("a"), "events": ["schema.dropped"] }),
        json!({ "url": receiver.url("a"), "events": [] }),
        json!({ "url": "ftp://example.com/", "events": ["*"] }),
        json!({ "url": "http://user:pw@example.com/", "events": ["*"] }),
    ] {
        let reply = client
            .send(Method::POST, &hooks, Some(&team.owner), Some(bad.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text
        );
    }

    let (members_hook, members_secret) = create_webhook(
        &client,
        &team,
        &receiver.url("members"),
        json!(["member.added", "schema.changed"]),
    )
    .await;

    // An event: a member joins.
    let newcomer = common::create_user(&store, "newcomer", UserRole::Analyst).await;
    let email = newcomer.email.as_str();
    let reply = client
        .send(
            Method::POST,
            &format!("{}/members", team.ws),
            Some(&team.owner),
            Some(json!({ "email": email, "role": "viewer" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let got = receiver.event("members", "member.added").await;
    assert!(got.signed_with(&members_secret), "{got:?}");
    assert!(
        !got.signed_with("whsec_another"),
        "a wrong secret does not verify"
    );
    let sent_at: i64 = got.header("carta-timestamp").parse().expect("unix seconds");
    assert!((time::OffsetDateTime::now_utc().unix_timestamp() - sent_at).abs() < 300);
    assert_eq!(got.header("content-type"), "application/json");
    let body = got.json();
    assert_eq!(body["event"], "member.added");
    assert_eq!(body["data"]["email"], email);
    assert_eq!(
        format!(
            "/api/v1/workspaces/{}",
            body["workspace_id"].as_str().unwrap()
        ),
        team.ws
    );
    let delivered = ended_delivery(&client, &team, &members_hook).await;
    assert_eq!(delivered["status"], "delivered", "{delivered}");
    assert_eq!(delivered["id"].as_str(), Some(got.header("carta-delivery")));
    assert_eq!(delivered["event_id"], body["id"]);
    assert_eq!(
        (
            delivered["attempts"].clone(),
            delivered["response_code"].clone()
        ),
        (json!(1), json!(200))
    );

    // A schema change between two syncs of a real PostgreSQL target.
    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let cid = client
        .create_connection(
            &team.owner,
            &team.ws,
            json!({ "name": "orko", "db_type": "postgres", "uri": &target.url() }),
        )
        .await;
    client.synced(&team.owner, &team.ws, &cid).await;
    target.execute("CREATE TABLE orko.webhook_probe (id bigint PRIMARY KEY, note text);");
    let second = client.synced(&team.owner, &team.ws, &cid).await;
    assert_eq!(second["result"]["version"], 2, "{second}");
    let changed = receiver.event("members", "schema.changed").await;
    assert!(changed.signed_with(&members_secret));
    let data = changed.json()["data"].clone();
    assert_eq!(
        (data["from_version"].clone(), data["to_version"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(data["connection_id"], cid);
    assert!(data["summary"].is_object(), "{data}");
    assert!(
        data["markdown"]
            .as_str()
            .unwrap_or_default()
            .contains("webhook_probe"),
        "{data}"
    );
    assert_eq!(
        receiver
            .requests("members")
            .iter()
            .filter(|r| r.header("carta-event") == "schema.changed")
            .count(),
        1
    );

    // A receiver failing twice: three attempts, their codes logged, then delivered.
    let (flaky, flaky_secret) =
        create_webhook(&client, &team, &receiver.url("flaky"), json!(["*"])).await;
    receiver.script("flaky", &[500, 500]);
    let reply = client
        .send(
            Method::POST,
            &format!("{hooks}/{flaky}/test"),
            Some(&team.owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let delivery = ended_delivery(&client, &team, &flaky).await;
    assert_eq!(delivery["status"], "delivered", "{delivery}");
    assert_eq!(delivery["attempts"], 3);
    let codes: Vec<_> = delivery["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["response_code"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(500), json!(200)]);
    assert!(
        delivery["history"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("boom"),
        "{delivery}"
    );
    let attempts = receiver.requests("flaky");
    assert_eq!(attempts.len(), 3);
    assert!(attempts.iter().all(|a| a.header("carta-delivery")
        == delivery["id"].as_str().unwrap()
        && a.header("carta-event") == "webhook.test"
        && a.signed_with(&flaky_secret)));
    assert!(
        log_text().contains("webhook delivery failed"),
        "attempts are logged"
    );

    // Rotation: a new secret, shown once; deliveries sign with it.
    let reply = client
        .send(
            Method::POST,
            &format!("{hooks}/{flaky}/rotate-secret"),
            Some(&team.owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let rotated = reply.json()["secret"]
        .as_str()
        .expect("a new secret")
        .to_string();
    assert_ne!(rotated, flaky_secret);
    client
        .send(
            Method::POST,
            &format!("{hooks}/{flaky}/test"),
            Some(&team.owner),
            None,
        )
        .await;
    let retest = {
        let mut found = None;
        for _ in 0..600 {
            if let Some(last) = receiver.requests("flaky").get(3).cloned() {
                found = Some(last);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        found.expect("the test after rotation arrived")
    };
    assert!(retest.signed_with(&rotated) && !retest.signed_with(&flaky_secret));

    // Secrets never again: not in reads, the audit trail or the logs.
    let mut seen = String::new();
    for path in [
        hooks.clone(),
        format!("{hooks}/{flaky}"),
        format!("{hooks}/{flaky}/deliveries"),
        format!("{}/audit", team.ws),
    ] {
        let reply = client
            .send(Method::GET, &path, Some(&team.owner), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
        seen.push_str(&reply.text);
    }
    assert!(!seen.contains("\"secret\""), "{seen}");
    for secret in [&members_secret, &flaky_secret, &rotated] {
        assert!(!seen.contains(secret.as_str()));
        assert!(!log_text().contains(secret.as_str()));
    }
    for action in ["webhook.create", "webhook.test", "webhook.rotate_secret"] {
        assert!(seen.contains(action), "{action} is audited");
    }

    // Changing and deleting.
    let reply = client
        .send(
            Method::PATCH,
            &format!("{hooks}/{flaky}"),
            Some(&team.owner),
            Some(json!({ "enabled": false, "events": ["job.failed"] })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        (
            reply.json()["enabled"].clone(),
            reply.json()["events"].clone()
        ),
        (json!(false), json!(["job.failed"]))
    );
    let reply = client
        .send(
            Method::DELETE,
            &format!("{hooks}/{flaky}"),
            Some(&team.editor),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = client
        .send(
            Method::DELETE,
            &format!("{hooks}/{flaky}"),
            Some(&team.owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = client
        .send(
            Method::GET,
            &format!("{hooks}/{flaky}"),
            Some(&team.owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    drop(server);

    // The SSRF guard, with private receivers not allowed.
    let strict = Running::start(state(
        &store,
        WebhookSettings {
            retry_base: Duration::from_millis(100),
            max_attempts: 2,
            ..WebhookSettings::default()
        },
    ))
    .await;
    let strict_client = Client::new(&strict);
    for url in [
        receiver.url("a"),
        format!("http://[::ffff:127.0.0.1]:{}/hook/a", receiver.addr.port()),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        format!("http://localhost:{}/hook/a", receiver.addr.port()),
        "http://10.0.0.7/hook".to_string(),
        "http://[fd00::1]/hook".to_string(),
    ] {
        let reply = strict_client
            .send(
                Method::POST,
                &hooks,
                Some(&team.owner),
                Some(json!({ "url": url, "events": ["*"] })),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{url}: {}",
            reply.text
        );
        assert!(
            reply.text.contains("public addresses"),
            "{url}: {}",
            reply.text
        );
    }
    // Checked again at delivery: a webhook kept from before is refused there.
    let before = receiver.requests("members").len();
    let reply = strict_client
        .send(
            Method::POST,
            &format!("{hooks}/{members_hook}/test"),
            Some(&team.owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let refused = ended_delivery(&strict_client, &team, &members_hook).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    assert_eq!(refused["attempts"], 2);
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("loopback"),
        "{refused}"
    );
    assert_eq!(
        receiver.requests("members").len(),
        before,
        "nothing reached the receiver"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    webhooks_flow(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    webhooks_flow(store).await;
}

/// Polls an automation until `done` holds for it.
async fn automation_when(
    client: &Client,
    team: &Team,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("{}/automations/{id}", team.ws);
    for _ in 0..600 {
        let reply = client
            .send(Method::GET, &path, Some(&team.viewer), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let body = reply.json();
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("automation {id} never got there");
}

async fn automations_flow(store: Store) {
    let team = team(&store).await;
    let receiver = Receiver::start().await;
    let server = Running::start(state(&store, permissive())).await;
    let client = Client::new(&server);
    let autos = format!("{}/automations", team.ws);
    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let cid = client
        .create_connection(
            &team.owner,
            &team.ws,
            json!({ "name": "orko", "db_type": "postgres", "uri": &target.url() }),
        )
        .await;
    let (drift_hook, drift_secret) = create_webhook(
        &client,
        &team,
        &receiver.url("drift"),
        json!(["member.removed"]),
    )
    .await;
    let (_, lint_secret) = create_webhook(
        &client,
        &team,
        &receiver.url("lint"),
        json!(["lint.failed"]),
    )
    .await;

    // Editors create, viewers read; bad triggers and configs are refused.
    let drift = json!({
        "name": "drift watch",
        "trigger": { "schedule": { "every_minutes": 1 } },
        "action": "sync",
        "config": { "connection_id": cid, "notify_webhook_id": drift_hook },
    });
    let reply = client
        .send(
            Method::POST,
            &autos,
            Some(&team.viewer),
            Some(drift.clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    for bad in [
        json!({ "name": "x", "trigger": { "schedule": { "every_minutes": 0 } }, "action": "sync", "config": { "connection_id": cid } }),
        json!({ "name": "x", "trigger": { "event": "schema.dropped" }, "action": "sync", "config": { "connection_id": cid } }),
        json!({ "name": "x", "trigger": { "event": "schema.changed" }, "action": "sync", "config": {} }),
        json!({ "name": "x", "trigger": { "event": "schema.changed" }, "action": "webhook", "config": { "webhook_id": cid } }),
    ] {
        let reply = client
            .send(Method::POST, &autos, Some(&team.editor), Some(bad.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text
        );
    }
    let reply = client
        .send(Method::POST, &autos, Some(&team.editor), Some(drift))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let created = reply.json();
    let drift_id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(created["status"], "idle");
    assert!(created["next_run_at"].is_string(), "{created}");

    // The schedule's first run keeps version 1: nothing to alert about.
    let first = automation_when(&client, &team, &drift_id, |a| a["status"] == "succeeded").await;
    assert!(first["last_run_at"].is_string());
    assert!(receiver.requests("drift").is_empty());
    // The target drifts: the next scheduled sync sends the diff to the webhook.
    target.execute("CREATE TABLE orko.drift_probe (id bigint PRIMARY KEY);");
    let alert = receiver.event("drift", "drift.detected").await;
    assert!(alert.signed_with(&drift_secret));
    let data = alert.json()["data"].clone();
    assert_eq!(data["to_version"], 2, "{data}");
    assert_eq!(data["automation"]["id"], drift_id.as_str());
    assert!(
        data["markdown"]
            .as_str()
            .unwrap_or_default()
            .contains("drift_probe"),
        "{data}"
    );
    assert!(data["diff"]["summary"].is_object(), "{data}");
    let reply = client
        .send(
            Method::PATCH,
            &format!("{autos}/{drift_id}"),
            Some(&team.editor),
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    automation_when(&client, &team, &drift_id, |a| a["status"] != "running").await;

    // Lint: passes while the newest version adds no error, fails on a new one.
    let lint = json!({
        "name": "no new errors",
        "trigger": { "event": "schema.changed" },
        "action": "lint",
        "config": { "connection_id": cid, "fail_on": "error" },
        "enabled": false,
    });
    let reply = client
        .send(Method::POST, &autos, Some(&team.editor), Some(lint))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let lint_id = reply.json()["id"].as_str().expect("an id").to_string();
    let reply = client
        .send(
            Method::POST,
            &format!("{autos}/{lint_id}/run"),
            Some(&team.viewer),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = client
        .send(
            Method::POST,
            &format!("{autos}/{lint_id}/run"),
            Some(&team.editor),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    assert_eq!(reply.json()["status"], "succeeded", "{}", reply.text);
    target.execute("CREATE TABLE orko.raw_dump (payload text);");
    let third = client.synced(&team.owner, &team.ws, &cid).await;
    assert_eq!(third["result"]["version"], 3, "{third}");
    let reply = client
        .send(
            Method::POST,
            &format!("{autos}/{lint_id}/run"),
            Some(&team.editor),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let failed = reply.json();
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("new finding"),
        "{failed}"
    );
    let event = receiver.event("lint", "lint.failed").await;
    assert!(event.signed_with(&lint_secret));
    let findings = event.json()["data"]["new_findings"].clone();
    assert!(
        findings
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["rule"] == "no-primary-key"
                && f["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("raw_dump"))),
        "{findings}"
    );

    // An event trigger: a member leaves, the event goes to its subscriber
    // and, through the automation, to the webhook it names.
    let relay = json!({
        "name": "relay departures",
        "trigger": { "event": "member.removed" },
        "action": "webhook",
        "config": { "webhook_id": drift_hook },
    });
    let reply = client
        .send(Method::POST, &autos, Some(&team.editor), Some(relay))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let relay_id = reply.json()["id"].as_str().expect("an id").to_string();
    let leaving = common::create_user(&store, "leaving", UserRole::Analyst).await;
    let workspace_id = team.ws.rsplit('/').next().unwrap().parse().unwrap();
    store
        .add_member(workspace_id, leaving.id, MemberRole::Viewer)
        .await
        .unwrap();
    let reply = client
        .send(
            Method::DELETE,
            &format!("{}/members/{}", team.ws, leaving.id),
            Some(&team.owner),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let relayed = automation_when(&client, &team, &relay_id, |a| a["status"] == "succeeded").await;
    assert!(relayed["last_run_at"].is_string());
    let departures = {
        let mut found = Vec::new();
        for _ in 0..600 {
            found = receiver
                .requests("drift")
                .into_iter()
                .filter(|r| r.header("carta-event") == "member.removed")
                .collect();
            if found.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        found
    };
    assert_eq!(departures.len(), 2, "{departures:?}");
    assert!(departures
        .iter()
        .all(|d| d.signed_with(&drift_secret)
            && d.json()["data"]["user_id"] == leaving.id.to_string()));
    assert_eq!(
        departures
            .iter()
            .filter(|d| d.json()["data"]["automation"]["id"] == relay_id.as_str())
            .count(),
        1
    );

    let reply = client
        .send(Method::GET, &autos, Some(&team.viewer), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json().as_array().map(Vec::len), Some(3));
    let reply = client
        .send(Method::GET, &autos, Some(&team.outsider), None)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = client
        .send(
            Method::GET,
            &format!("{}/audit", team.ws),
            Some(&team.owner),
            None,
        )
        .await;
    for action in ["automation.create", "automation.update", "automation.run"] {
        assert!(reply.text.contains(action), "{action} is audited");
    }
    let reply = client
        .send(
            Method::DELETE,
            &format!("{autos}/{lint_id}"),
            Some(&team.editor),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automations_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    automations_flow(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automations_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    automations_flow(store).await;
}
