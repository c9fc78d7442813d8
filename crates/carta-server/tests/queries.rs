//! Executions and saved queries over real HTTP against a real PostgreSQL
//! target: hostile statements rejected and logged, results as JSON and
//! CSV, timeouts, cancellation through the API (also from a second server
//! sharing the store), write refusals, saved queries with visibility,
//! tags, runs and feedback.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{ConnectionMode, DbType, MemberRole, NewConnection, Store, User, UserRole};
use common::{Client, Reply, Running};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const TARGET: &str = "
    CREATE TABLE orders (id integer PRIMARY KEY, total numeric(10, 2) NOT NULL, note text);
    INSERT INTO orders VALUES (1, 10.50, 'first'), (2, 20.00, 'a, \"quoted\" note'),
        (3, 30.25, NULL), (4, 40.00, 'fourth'), (5, 50.75, 'fifth');
    CREATE FUNCTION sneaky() RETURNS integer LANGUAGE sql VOLATILE
        AS 'DELETE FROM orders RETURNING 1';
";

/// A statement that runs as long as it is let: no side-effect function.
const ENDLESS: &str = "SELECT count(*) FROM generate_series(1, 100000000000) a";

struct World {
    store: Store,
    server: Running,
    client: Client,
    ws: String,
    workspace: Uuid,
    owner: String,
    editor: String,
    other_editor: String,
    viewer: String,
    outsider: String,
    editor_user: User,
    read_only: Uuid,
    read_write: Uuid,
    _target: carta_testkit::PgDatabase,
    _dir: common::TempDir,
}

async fn connection(
    store: &Store,
    state: &AppState,
    workspace: Uuid,
    name: &str,
    uri: &str,
    mode: ConnectionMode,
) -> Uuid {
    store
        .create_connection(NewConnection {
            workspace_id: workspace,
            name: name.into(),
            db_type: DbType::Postgres,
            mode,
            uri: state.seal(uri),
            redacted_uri: carta_source::redact_url(uri),
            created_by: None,
        })
        .await
        .expect("a connection")
        .id
}

async fn world() -> World {
    let (store, dir) = common::sqlite_store().await;
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let editor = common::create_user(&store, "editor", UserRole::Developer).await;
    let other_editor = common::create_user(&store, "editor2", UserRole::Developer).await;
    let viewer = common::create_user(&store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Shop", owner.id).await.unwrap();
    for (user, role) in [
        (&editor, MemberRole::Editor),
        (&other_editor, MemberRole::Editor),
        (&viewer, MemberRole::Viewer),
    ] {
        store.add_member(workspace.id, user.id, role).await.unwrap();
    }
    store
        .create_workspace("Elsewhere", outsider.id)
        .await
        .unwrap();
    let target = carta_testkit::PgDatabase::create();
    target.execute(TARGET);
    let state = AppState::new(store.clone(), common::config("unused")).expect("a state");
    let read_only = connection(
        &store,
        &state,
        workspace.id,
        "shop",
        &target.url(),
        ConnectionMode::ReadOnly,
    )
    .await;
    let read_write = connection(
        &store,
        &state,
        workspace.id,
        "shop-rw",
        &target.url(),
        ConnectionMode::ReadWrite,
    )
    .await;
    let server = Running::start(state).await;
    let client = Client::new(&server);
    World {
        owner: common::session(&store, &owner).await,
        editor: common::session(&store, &editor).await,
        other_editor: common::session(&store, &other_editor).await,
        viewer: common::session(&store, &viewer).await,
        outsider: common::session(&store, &outsider).await,
        editor_user: editor,
        ws: format!("/api/v1/workspaces/{}", workspace.id),
        workspace: workspace.id,
        store,
        server,
        client,
        read_only,
        read_write,
        _target: target,
        _dir: dir,
    }
}

impl World {
    async fn run(&self, token: &str, connection: Uuid, body: Value) -> Reply {
        self.client
            .send(
                Method::POST,
                &format!("{}/connections/{connection}/query", self.ws),
                Some(token),
                Some(body),
            )
            .await
    }

    async fn get(&self, token: &str, path: &str) -> Reply {
        self.client
            .send(
                Method::GET,
                &format!("{}{path}", self.ws),
                Some(token),
                None,
            )
            .await
    }

    async fn send(&self, method: Method, token: &str, path: &str, body: Value) -> Reply {
        self.client
            .send(
                method,
                &format!("{}{path}", self.ws),
                Some(token),
                Some(body),
            )
            .await
    }

    async fn executions(&self, token: &str, query: &str) -> Vec<Value> {
        let reply = self.get(token, &format!("/executions{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json().as_array().expect("a list").clone()
    }

    async fn count_orders(&self) -> Value {
        let reply = self
            .run(
                &self.viewer,
                self.read_only,
                json!({ "sql": "SELECT count(*) FROM orders" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()["rows"][0][0].clone()
    }

    /// Waits until an execution of this text is running; its id.
    async fn running(&self, token: &str, sql: &str) -> String {
        for _ in 0..200 {
            let found = self
                .executions(token, "?status=running")
                .await
                .into_iter()
                .find(|e| e["sql"] == sql);
            if let Some(execution) = found {
                return execution["id"].as_str().expect("an id").to_string();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no running execution of {sql}");
    }
}

fn message(reply: &Reply) -> String {
    reply.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_statements_are_rejected_and_logged() {
    let w = world().await;
    let hostile = [
        "SELECT 1; DROP TABLE orders",
        "DELETE FROM orders",
        "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
        "SELECT * INTO copied FROM orders",
        "SELECT * FROM orders FOR UPDATE",
        "SELECT pg_sleep(30)",
        "SELECT pg_catalog.pg_terminate_backend(1)",
        "COPY orders TO '/tmp/orders.csv'",
        "SELECT 1 /* ; */; DELETE FROM orders -- ",
        "DO $$ BEGIN DELETE FROM orders; END $$",
    ];
    for sql in hostile {
        let reply = w.run(&w.viewer, w.read_only, json!({ "sql": sql })).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{sql}: {}",
            reply.text
        );
        assert!(
            message(&reply).starts_with("rejected:"),
            "{sql}: {}",
            reply.text
        );
    }
    let failed = w.executions(&w.viewer, "?status=failed").await;
    assert_eq!(failed.len(), hostile.len());
    for execution in &failed {
        assert!(
            execution["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("rejected:")),
            "{execution}"
        );
        assert!(hostile.contains(&execution["sql"].as_str().unwrap_or_default()));
        assert_eq!(execution["row_count"], 0);
    }

    // What the checks cannot see fails inside the READ ONLY transaction.
    let sneaky = w
        .run(&w.owner, w.read_write, json!({ "sql": "SELECT sneaky()" }))
        .await;
    assert_eq!(sneaky.status, StatusCode::OK, "{}", sneaky.text);
    let execution = &sneaky.json()["execution"];
    assert_eq!(execution["status"], "failed", "{execution}");
    assert!(
        execution["error"]
            .as_str()
            .is_some_and(|e| e.contains("read-only transaction")),
        "{execution}"
    );
    let count = w
        .run(
            &w.viewer,
            w.read_only,
            json!({ "sql": "SELECT count(*) AS n FROM orders" }),
        )
        .await;
    assert_eq!(count.json()["rows"], json!([[5]]), "{}", count.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn results_come_as_json_or_csv_within_the_limits() {
    let w = world().await;
    let reply = w
        .run(
            &w.viewer,
            w.read_only,
            json!({ "sql": "SELECT id, total, note\nFROM orders\tORDER BY id", "max_rows": 3 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.json();
    assert_eq!(
        body["columns"],
        json!([
            { "name": "id", "type": "int4" },
            { "name": "total", "type": "numeric" },
            { "name": "note", "type": "text" }
        ])
    );
    assert_eq!(
        body["rows"],
        json!([
            [1, "10.50", "first"],
            [2, "20.00", "a, \"quoted\" note"],
            [3, "30.25", null]
        ])
    );
    assert_eq!(body["truncated"], true);
    let execution = &body["execution"];
    assert_eq!(
        (execution["status"].clone(), execution["row_count"].clone()),
        (json!("success"), json!(3))
    );
    assert_eq!(execution["query_id"], Value::Null);
    assert!(execution["duration_ms"].is_u64());
    let id = execution["id"].as_str().expect("an id");
    let one = w.get(&w.outsider, &format!("/executions/{id}")).await;
    assert_eq!(one.status, StatusCode::NOT_FOUND);
    let one = w.get(&w.viewer, &format!("/executions/{id}")).await;
    assert_eq!(one.json()["status"], "success");

    let csv = w
        .run(
            &w.viewer,
            w.read_only,
            json!({ "sql": "SELECT id, note FROM orders WHERE id <= 3 ORDER BY id", "format": "csv" }),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert!(csv.headers["content-type"]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/csv")));
    assert_eq!(csv.headers["x-carta-truncated"], "false");
    assert_eq!(
        csv.text,
        "id,note\r\n1,first\r\n2,\"a, \"\"quoted\"\" note\"\r\n3,\r\n"
    );

    // A statement the server refuses is a failed execution, its message kept.
    let missing = w
        .run(
            &w.viewer,
            w.read_only,
            json!({ "sql": "SELECT nope FROM orders" }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::OK, "{}", missing.text);
    assert_eq!(missing.json()["execution"]["status"], "failed");
    assert!(missing.json()["execution"]["error"]
        .as_str()
        .is_some_and(|e| e.contains("nope")));
    let failed_csv = w
        .run(
            &w.viewer,
            w.read_only,
            json!({ "sql": "SELECT nope FROM orders", "format": "csv" }),
        )
        .await;
    assert_eq!(
        failed_csv.status,
        StatusCode::BAD_REQUEST,
        "{}",
        failed_csv.text
    );
    assert!(
        message(&failed_csv).contains("failed"),
        "{}",
        failed_csv.text
    );

    let bad = w
        .run(&w.viewer, w.read_only, json!({ "sql": "SELECT 1\u{0}" }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let foreign = w
        .run(&w.outsider, w.read_only, json!({ "sql": "SELECT 1" }))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timeouts_fail_and_errors_carry_no_uri() {
    let w = world().await;
    let reply = w
        .run(
            &w.viewer,
            w.read_only,
            json!({ "sql": ENDLESS, "timeout_ms": 200 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let execution = &reply.json()["execution"];
    assert_eq!(execution["status"], "failed", "{execution}");
    assert!(
        execution["error"]
            .as_str()
            .is_some_and(|e| e.contains("statement timeout")),
        "{execution}"
    );

    let secret = "s3cret-Passw0rd";
    let server = carta_testkit::pg_server_url();
    let url = url::Url::parse(&server).expect("a URL");
    let uri = format!(
        "postgres://postgres:{secret}@{}:{}/carta_no_such_database_{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432),
        Uuid::new_v4().simple()
    );
    let state_for_seal = AppState::new(w.store.clone(), common::config("unused")).unwrap();
    let broken = connection(
        &w.store,
        &state_for_seal,
        w.workspace,
        "broken",
        &uri,
        ConnectionMode::ReadOnly,
    )
    .await;
    let reply = w.run(&w.viewer, broken, json!({ "sql": "SELECT 1" })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["execution"]["status"], "failed");
    assert!(!reply.text.contains(secret), "{}", reply.text);
    let listed = w.get(&w.viewer, "/executions").await;
    assert!(!listed.text.contains(secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_query_is_cancelled_through_the_api() {
    let w = world().await;
    let run = {
        let client = Client::new(&w.server);
        let path = format!("{}/connections/{}/query", w.ws, w.read_only);
        let token = w.viewer.clone();
        tokio::spawn(async move {
            client
                .send(
                    Method::POST,
                    &path,
                    Some(&token),
                    Some(json!({ "sql": ENDLESS, "timeout_ms": 120_000 })),
                )
                .await
        })
    };
    let id = w.running(&w.viewer, ENDLESS).await;
    let cancel = format!("/executions/{id}/cancel");
    // Another member may not cancel a viewer's run; whoever started it may.
    let refused = w.send(Method::POST, &w.editor, &cancel, json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let cancelled = w.send(Method::POST, &w.viewer, &cancel, json!({})).await;
    assert_eq!(cancelled.status, StatusCode::ACCEPTED, "{}", cancelled.text);
    let reply = run.await.expect("the run");
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json()["execution"]["status"],
        "cancelled",
        "{}",
        reply.text
    );
    let again = w.send(Method::POST, &w.viewer, &cancel, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    let audited = w
        .store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(w.workspace),
            action: Some("execution.cancel".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
}

/// The run is a task of its own: a client that hangs up mid-statement
/// still gets its execution ended (here by the statement timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_hangs_up_leaves_no_running_execution() {
    let w = world().await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("a client");
    let hung_up = impatient
        .post(
            w.server
                .url(&format!("{}/connections/{}/query", w.ws, w.read_only)),
        )
        .bearer_auth(&w.viewer)
        .json(&json!({ "sql": ENDLESS, "timeout_ms": 1500 }))
        .send()
        .await;
    assert!(hung_up.is_err(), "the client gave up first");
    for _ in 0..200 {
        let runs = w.executions(&w.viewer, "").await;
        if runs.iter().any(|e| e["status"] == "failed") {
            assert_eq!(runs.len(), 1);
            assert!(
                runs[0]["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("statement timeout")),
                "{}",
                runs[0]
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the execution was left running");
}

/// The cancel reaches a second server sharing the store: it only sets the
/// flag, which the server running the statement polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_on_another_server_stops_the_run() {
    let w = world().await;
    let other =
        Running::start(AppState::new(w.store.clone(), common::config("unused")).unwrap()).await;
    let other_client = Client::new(&other);
    let run = {
        let client = Client::new(&w.server);
        let path = format!("{}/connections/{}/query", w.ws, w.read_only);
        let token = w.owner.clone();
        tokio::spawn(async move {
            client
                .send(
                    Method::POST,
                    &path,
                    Some(&token),
                    Some(json!({ "sql": ENDLESS, "timeout_ms": 120_000 })),
                )
                .await
        })
    };
    let id = w.running(&w.owner, ENDLESS).await;
    let cancelled = other_client
        .send(
            Method::POST,
            &format!("{}/executions/{id}/cancel", w.ws),
            Some(&w.owner),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::ACCEPTED, "{}", cancelled.text);
    let reply = run.await.expect("the run");
    assert_eq!(
        reply.json()["execution"]["status"],
        "cancelled",
        "{}",
        reply.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_need_a_read_write_connection_an_editor_and_asking() {
    let w = world().await;
    let write = json!({ "sql": "DELETE FROM orders WHERE id = 5", "allow_writes": true });
    let viewer = w.run(&w.viewer, w.read_write, write.clone()).await;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN, "{}", viewer.text);
    assert!(message(&viewer).contains("editor"), "{}", viewer.text);
    let admin = w.run(&w.owner, w.read_only, write.clone()).await;
    assert_eq!(admin.status, StatusCode::FORBIDDEN, "{}", admin.text);
    assert!(message(&admin).contains("read-only"), "{}", admin.text);
    let unasked = w
        .run(
            &w.owner,
            w.read_write,
            json!({ "sql": "DELETE FROM orders" }),
        )
        .await;
    assert_eq!(unasked.status, StatusCode::BAD_REQUEST, "{}", unasked.text);
    assert_eq!(w.count_orders().await, 5);

    let deleted = w.run(&w.editor, w.read_write, write).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    let execution = &deleted.json()["execution"];
    assert_eq!(
        (execution["status"].clone(), execution["row_count"].clone()),
        (json!("success"), json!(1)),
        "{execution}"
    );
    assert_eq!(w.count_orders().await, 4);
    let audited = w
        .store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(w.workspace),
            action: Some("execution.write".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(
        audited[0].resource_id,
        execution["id"].as_str().map(str::to_owned)
    );

    // Still one statement, and schema changes are for workspace admins.
    for (token, sql) in [
        (&w.editor, "DELETE FROM orders; DROP TABLE orders"),
        (&w.editor, "DROP TABLE orders"),
        (&w.editor, "COMMIT"),
        (&w.owner, "SET ROLE postgres"),
    ] {
        let refused = w
            .run(
                token,
                w.read_write,
                json!({ "sql": sql, "allow_writes": true }),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{sql}: {}",
            refused.text
        );
    }
    let created = w
        .run(
            &w.owner,
            w.read_write,
            json!({ "sql": "CREATE TABLE notes (id int)", "allow_writes": true }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert_eq!(created.json()["execution"]["status"], "success");
    assert_eq!(w.count_orders().await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn saved_queries_are_shared_run_and_rated() {
    let w = world().await;
    let create = |title: &str, sql: &str, visibility: &str, tags: Value| {
        json!({
            "title": title, "sql": sql, "visibility": visibility, "tags": tags,
            "description": "Orders\nby total", "connection_id": w.read_only,
        })
    };
    let refused = w
        .send(
            Method::POST,
            &w.viewer,
            "/queries",
            create("v", "SELECT 1", "workspace", json!([])),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let shared = w
        .send(
            Method::POST,
            &w.editor,
            "/queries",
            create(
                "Big orders",
                "SELECT id FROM orders WHERE total > 25 ORDER BY id",
                "workspace",
                json!(["sales", "daily", "sales"]),
            ),
        )
        .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.text);
    let shared = shared.json();
    assert_eq!(shared["tags"], json!(["daily", "sales"]));
    assert_eq!(shared["is_write"], false);
    assert_eq!(shared["created_by"], json!(w.editor_user.id));
    let qid = shared["id"].as_str().expect("an id").to_string();
    let private = w
        .send(
            Method::POST,
            &w.editor,
            "/queries",
            create("Purge", "DELETE FROM orders", "private", json!(["admin"])),
        )
        .await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", private.text);
    assert_eq!(private.json()["is_write"], true);
    let pid = private.json()["id"].as_str().expect("an id").to_string();
    let unparsable = w
        .send(
            Method::POST,
            &w.editor,
            "/queries",
            create("x", "SELECT 1; SELECT 2", "private", json!([])),
        )
        .await;
    assert_eq!(
        unparsable.status,
        StatusCode::BAD_REQUEST,
        "{}",
        unparsable.text
    );

    let listed = w.get(&w.viewer, "/queries").await.json();
    assert_eq!(
        listed
            .as_array()
            .expect("a list")
            .iter()
            .map(|q| q["title"].clone())
            .collect::<Vec<_>>(),
        [json!("Big orders")]
    );
    assert_eq!(
        w.get(&w.editor, "/queries")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        w.get(&w.editor, "/queries?tag=admin").await.json()[0]["title"],
        "Purge"
    );
    assert_eq!(
        w.get(&w.viewer, &format!("/queries/{pid}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Nor are its runs, by list or by id.
    let private_run = w
        .send(
            Method::POST,
            &w.editor,
            &format!("/queries/{pid}/run"),
            json!({}),
        )
        .await;
    assert_eq!(
        private_run.status,
        StatusCode::BAD_REQUEST,
        "a write run as a read"
    );
    let run_id = w
        .executions(&w.editor, &format!("?query_id={pid}"))
        .await
        .first()
        .and_then(|e| e["id"].as_str().map(str::to_owned))
        .expect("the rejected run is an execution");
    assert_eq!(
        w.get(&w.viewer, &format!("/executions/{run_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.get(&w.editor, &format!("/executions/{run_id}"))
            .await
            .status,
        StatusCode::OK
    );
    assert!(w
        .executions(&w.viewer, &format!("?query_id={pid}"))
        .await
        .is_empty());
    assert_eq!(
        w.get(&w.outsider, &format!("/queries/{qid}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Only the author or an admin edits.
    let rename = json!({ "title": "Large orders", "description": null });
    let other = w
        .send(
            Method::PATCH,
            &w.other_editor,
            &format!("/queries/{qid}"),
            rename.clone(),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.text);
    let renamed = w
        .send(Method::PATCH, &w.owner, &format!("/queries/{qid}"), rename)
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(
        (
            renamed.json()["title"].clone(),
            renamed.json()["description"].clone()
        ),
        (json!("Large orders"), Value::Null)
    );
    assert_eq!(renamed.json()["sql"], shared["sql"]);

    let ran = w
        .send(
            Method::POST,
            &w.viewer,
            &format!("/queries/{qid}/run"),
            json!({}),
        )
        .await;
    assert_eq!(ran.status, StatusCode::OK, "{}", ran.text);
    assert_eq!(ran.json()["rows"], json!([[3], [4], [5]]));
    assert_eq!(ran.json()["execution"]["query_id"], json!(qid));
    let runs = w
        .get(&w.viewer, &format!("/queries/{qid}/executions"))
        .await;
    assert_eq!(
        runs.json().as_array().map(Vec::len),
        Some(1),
        "{}",
        runs.text
    );
    assert_eq!(runs.json()[0]["row_count"], 3);
    // A saved write runs under the same rules: as a read it is refused; as
    // a write it needs asking, the role and a read-write connection.
    let purge = w
        .send(
            Method::POST,
            &w.editor,
            &format!("/queries/{pid}/run"),
            json!({}),
        )
        .await;
    assert_eq!(purge.status, StatusCode::BAD_REQUEST, "{}", purge.text);
    let on_read_only = w
        .send(
            Method::POST,
            &w.editor,
            &format!("/queries/{pid}/run"),
            json!({ "allow_writes": true }),
        )
        .await;
    assert_eq!(
        on_read_only.status,
        StatusCode::FORBIDDEN,
        "{}",
        on_read_only.text
    );
    let purged = w
        .send(
            Method::POST,
            &w.editor,
            &format!("/queries/{pid}/run"),
            json!({ "allow_writes": true, "connection_id": w.read_write }),
        )
        .await;
    assert_eq!(purged.status, StatusCode::OK, "{}", purged.text);
    assert_eq!(
        purged.json()["execution"]["row_count"],
        5,
        "{}",
        purged.text
    );
    assert_eq!(w.count_orders().await, 0);

    for (token, rating) in [
        (&w.viewer, json!("up")),
        (&w.editor, json!(3)),
        (&w.viewer, json!(4)),
    ] {
        let rated = w
            .send(
                Method::POST,
                token,
                &format!("/queries/{qid}/feedback"),
                json!({ "rating": rating, "comment": "useful" }),
            )
            .await;
        assert_eq!(rated.status, StatusCode::CREATED, "{}", rated.text);
    }
    for bad in [json!(0), json!(6), json!("sideways")] {
        let rated = w
            .send(
                Method::POST,
                &w.viewer,
                &format!("/queries/{qid}/feedback"),
                json!({ "rating": bad }),
            )
            .await;
        assert_eq!(
            rated.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            rated.text
        );
    }
    let one = w.get(&w.viewer, &format!("/queries/{qid}")).await.json();
    assert_eq!(
        (one["rating"].clone(), one["ratings"].clone()),
        (json!(3.5), json!(2))
    );
    assert_eq!(one["feedback"].as_array().map(Vec::len), Some(2), "{one}");

    let deleted = w
        .client
        .send(
            Method::DELETE,
            &format!("{}/queries/{qid}", w.ws),
            Some(&w.editor),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_eq!(
        w.get(&w.viewer, &format!("/queries/{qid}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Its executions stay, no longer tied to it.
    let kept = w.executions(&w.viewer, "").await;
    assert!(kept
        .iter()
        .any(|e| e["row_count"] == 3 && e["query_id"].is_null()));
}
