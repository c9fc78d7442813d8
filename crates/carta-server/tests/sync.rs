//! Schema sync and history over real HTTP, with the job worker of a running
//! server and a real PostgreSQL target holding seed 000: sync, sync again
//! without a change, change the target, sync, diff, search; and the
//! workspace boundary.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{MemberRole, Store, UserRole};
use common::{Client, Running};
use serde_json::{json, Value};
use std::time::Duration;

/// Polls a job until it ends; its final body.
async fn finished(client: &Client, token: &str, ws: &str, job: &Value) -> Value {
    let path = format!("{ws}/jobs/{}", job["id"].as_str().expect("a job id"));
    for _ in 0..300 {
        let reply = client.send(Method::GET, &path, Some(token), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let job = reply.json();
        if ["completed", "failed", "cancelled"].contains(&job["status"].as_str().unwrap_or("")) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job did not finish: {path}");
}

async fn sync(client: &Client, token: &str, ws: &str, cid: &str) -> Value {
    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/sync"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let job = reply.json();
    assert_eq!(
        (job["kind"].clone(), job["status"].clone()),
        (json!("sync"), json!("pending"))
    );
    let job = finished(client, token, ws, &job).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["progress"], 100);
    job
}

async fn versions(client: &Client, token: &str, ws: &str, cid: &str) -> Vec<u64> {
    let reply = client
        .send(
            Method::GET,
            &format!("{ws}/connections/{cid}/versions"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
        .json()
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["version"].as_u64().expect("a number"))
        .collect()
}

async fn history(store: Store) {
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let viewer = common::create_user(&store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    store
        .add_member(workspace.id, viewer.id, MemberRole::Viewer)
        .await
        .unwrap();
    store
        .create_workspace("Elsewhere", outsider.id)
        .await
        .unwrap();
    let owner_token = common::session(&store, &owner).await;
    let viewer_token = common::session(&store, &viewer).await;
    let outsider_token = common::session(&store, &outsider).await;

    let server =
        Running::start(AppState::new(store, common::config("unused")).expect("a state")).await;
    let client = Client::new(&server);
    let ws = format!("/api/v1/workspaces/{}", workspace.id);

    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/connections"),
            Some(&owner_token),
            Some(json!({ "name": "orko", "db_type": "postgres", "uri": target.url() })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let cid = reply.json()["id"].as_str().expect("an id").to_string();

    // Viewers read the history but cannot sync; other kinds are not there yet.
    let refused = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/sync"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let mock = client
        .send(
            Method::POST,
            &format!("{ws}/jobs"),
            Some(&owner_token),
            Some(json!({ "kind": "mock", "connection_id": cid })),
        )
        .await;
    assert_eq!(mock.status, StatusCode::BAD_REQUEST, "{}", mock.text);
    assert!(mock.json()["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("not yet")));

    let first = sync(&client, &owner_token, &ws, &cid).await;
    assert_eq!(
        (
            first["result"]["version"].clone(),
            first["result"]["changed"].clone()
        ),
        (json!(1), json!(true))
    );
    assert_eq!(versions(&client, &viewer_token, &ws, &cid).await, [1]);
    // Nothing changed: no new version.
    let again = sync(&client, &owner_token, &ws, &cid).await;
    assert_eq!(
        (
            again["result"]["version"].clone(),
            again["result"]["changed"].clone()
        ),
        (json!(1), json!(false))
    );
    assert_eq!(versions(&client, &viewer_token, &ws, &cid).await, [1]);

    target.execute(
        "ALTER TABLE orko.orgs ADD COLUMN churn_risk numeric;
         COMMENT ON COLUMN orko.orgs.churn_risk IS 'Likelihood the org leaves';",
    );
    let changed = sync(&client, &owner_token, &ws, &cid).await;
    assert_eq!(changed["result"]["version"], 2);
    assert_eq!(versions(&client, &viewer_token, &ws, &cid).await, [2, 1]);

    let v2 = client
        .send(
            Method::GET,
            &format!("{ws}/connections/{cid}/versions/2"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(v2.status, StatusCode::OK, "{}", v2.text);
    let v2 = v2.json();
    assert!(
        v2["summary"]["columns"].as_u64().is_some_and(|n| n > 0),
        "{v2}"
    );
    assert!(v2["fingerprint"]
        .as_str()
        .is_some_and(|f| f.starts_with("sha256:")));

    let diff = client
        .send(
            Method::GET,
            &format!("{ws}/connections/{cid}/versions/1/diff/2"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    assert!(diff.text.contains("churn_risk"), "{}", diff.text);
    assert!(diff.json().is_object());
    let markdown = client
        .send(
            Method::GET,
            &format!("{ws}/connections/{cid}/versions/1/diff/2?format=markdown"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(markdown.status, StatusCode::OK, "{}", markdown.text);
    assert!(markdown.headers["content-type"]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/markdown")));
    assert!(markdown.text.contains("churn_risk"), "{}", markdown.text);
    let missing = client
        .send(
            Method::GET,
            &format!("{ws}/connections/{cid}/versions/1/diff/9"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Search finds the new column by name and by comment, ignoring case.
    for q in ["CHURN", "likelihood"] {
        let hits = client
            .send(
                Method::GET,
                &format!("{ws}/search?q={q}"),
                Some(&viewer_token),
                None,
            )
            .await;
        assert_eq!(hits.status, StatusCode::OK, "{}", hits.text);
        let hits = hits.json();
        let hits = hits.as_array().expect("hits");
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(
            (
                hits[0]["schema"].clone(),
                hits[0]["table"].clone(),
                hits[0]["column"].clone()
            ),
            (json!("orko"), json!("orgs"), json!("churn_risk"))
        );
        assert_eq!(hits[0]["version"], 2);
    }

    // A member of another workspace sees none of it.
    for path in [
        format!("{ws}/connections/{cid}/versions"),
        format!("{ws}/connections/{cid}/versions/1"),
        format!("{ws}/connections/{cid}/versions/1/diff/2"),
        format!("{ws}/search?q=churn"),
    ] {
        let reply = client
            .send(Method::GET, &path, Some(&outsider_token), None)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.text
        );
    }
    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/sync"),
            Some(&outsider_token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // Every enqueue and every sync result is audited.
    let trail = client
        .send(
            Method::GET,
            &format!("{ws}/audit?action=job.&limit=100"),
            Some(&owner_token),
            None,
        )
        .await
        .json();
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["action"].as_str())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "job.enqueue").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "job.completed").count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_history_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    history(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_history_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    history(store).await;
}

/// A server that died mid-sync left its job running: a live server's worker
/// requeues it once its heartbeat is stale and runs it to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_left_by_a_dead_server_is_run_by_another() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    let target = carta_testkit::PgDatabase::create();
    target.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let state = AppState::new(store.clone(), common::config("unused")).expect("a state");
    let connection = store
        .create_connection(carta_store::NewConnection {
            workspace_id: workspace.id,
            name: "orko".into(),
            db_type: carta_store::DbType::Postgres,
            mode: carta_store::ConnectionMode::ReadOnly,
            uri: state.seal(&target.url()),
            redacted_uri: target.url(),
            created_by: Some(owner.id),
        })
        .await
        .unwrap();
    let job = store
        .enqueue_job(carta_store::NewJob {
            workspace_id: workspace.id,
            kind: carta_store::JobKind::Sync,
            payload: carta_server::jobs::sync_payload(connection.id),
            created_by: Some(owner.id),
        })
        .await
        .unwrap();
    let claimed = store.claim_job("dead-server").await.unwrap().unwrap();
    assert_eq!(claimed.id, job.id);
    // The dead server's last beat, long ago (the test role bypasses row security).
    database.execute("UPDATE carta.jobs SET heartbeat_at = now() - interval '1 hour'");

    let server = Running::start(state).await;
    let client = Client::new(&server);
    let token = common::session(&store, &owner).await;
    let ws = format!("/api/v1/workspaces/{}", workspace.id);
    let done = finished(&client, &token, &ws, &json!({ "id": job.id })).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["attempts"], 2);
    assert_eq!(
        store
            .schema_versions(workspace.id, connection.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // The dead server, were it to come back, cannot end the job again.
    assert_eq!(
        store
            .finish_job(
                job.id,
                "dead-server",
                carta_store::JobOutcome::Failed("late".into())
            )
            .await,
        Err(carta_store::StoreError::NotFound)
    );
}

/// Cancel over the API, on a server without a worker so the job stays
/// pending: cancelled at once, then 409; another workspace's member gets 404.
#[tokio::test]
async fn a_pending_job_is_cancelled_once() {
    let (store, _dir) = common::sqlite_store().await;
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    store
        .create_workspace("Elsewhere", outsider.id)
        .await
        .unwrap();
    let state = AppState::new(store.clone(), common::config("unused")).expect("a state");
    let connection = store
        .create_connection(carta_store::NewConnection {
            workspace_id: workspace.id,
            name: "orko".into(),
            db_type: carta_store::DbType::Postgres,
            mode: carta_store::ConnectionMode::ReadOnly,
            uri: state.seal("postgres://u@db/orko"),
            redacted_uri: "postgres://u@db/orko".into(),
            created_by: Some(owner.id),
        })
        .await
        .unwrap();
    let app = common::App::new(state);
    let token = common::session(&store, &owner).await;
    let outsider_token = common::session(&store, &outsider).await;
    let ws = format!("/api/v1/workspaces/{}", workspace.id);

    let job = app
        .call(
            Method::POST,
            &format!("{ws}/connections/{}/sync", connection.id),
            Some(&token),
            None,
        )
        .await
        .json();
    let cancel = format!("{ws}/jobs/{}/cancel", job["id"].as_str().expect("an id"));
    let refused = app
        .call(Method::POST, &cancel, Some(&outsider_token), None)
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let cancelled = app.call(Method::POST, &cancel, Some(&token), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(cancelled.json()["status"], "cancelled");
    let again = app.call(Method::POST, &cancel, Some(&token), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    let audited = store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(workspace.id),
            action: Some("job.cancel".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
}
