//! Mock data jobs over real HTTP, run by the worker of a running server on
//! both stores, against real PostgreSQL targets: seed 000 filled through a
//! read-write connection (rows counted with SQL afterwards, foreign keys
//! holding), a second run refused because the tables are no longer empty,
//! CSV files from a read-only connection downloaded and checked, a schema
//! that cannot be filled failing with the planner's words, a load cancelled
//! through the job queue and rolled back, and the
//! refusals: a read-only connection as a database target, a viewer, a
//! non-member.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{MemberRole, Store, UserRole};
use common::{Client, Running};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn pg_count(url: &str, sql: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("a connection to the target");
    tokio::spawn(connection);
    client.query_one(sql, &[]).await.expect(sql).get(0)
}

/// Queues a mock job, waits for its end, and returns the mock job's body.
async fn run(client: &Client, token: &str, ws: &str, request: Value) -> Value {
    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/mock-jobs"),
            Some(token),
            Some(request),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let queued = reply.json();
    assert_eq!(
        (queued["kind"].as_str(), queued["status"].as_str()),
        (Some("mock"), Some("pending"))
    );
    let id = queued["id"].as_str().expect("an id");
    client.finished_job(token, ws, id).await;
    let reply = client
        .send(
            Method::GET,
            &format!("{ws}/mock-jobs/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

async fn mock_jobs(store: Store) {
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let viewer = common::create_user(&store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Orko", owner.id).await.unwrap();
    store
        .add_member(workspace.id, viewer.id, MemberRole::Viewer)
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
    let writable = client.create_connection(&owner_token, &ws, json!({ "name": "orko", "db_type": "postgres", "mode": "read-write", "uri": &target.url() })).await;
    let readonly = client.create_connection(&owner_token, &ws, json!({ "name": "orko-ro", "db_type": "postgres", "mode": "read-only", "uri": &target.url() })).await;

    // Refusals, before anything runs.
    let database_job = json!({ "connection_id": writable, "target": "database", "rows": 20,
        "seed": 7, "tables": { "orko.orgs": 5 } });
    let refused = client
        .send(
            Method::POST,
            &format!("{ws}/mock-jobs"),
            Some(&viewer_token),
            Some(database_job.clone()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let refused = client
        .send(
            Method::POST,
            &format!("{ws}/mock-jobs"),
            Some(&outsider_token),
            Some(database_job.clone()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text);
    let refused = client
        .send(
            Method::POST,
            &format!("{ws}/mock-jobs"),
            Some(&owner_token),
            Some(json!({ "connection_id": readonly, "target": "database" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("read-only")),
        "{}",
        refused.text
    );

    // Into the database: every table of seed 000, orgs with its own count.
    let loaded = run(&client, &owner_token, &ws, database_job.clone()).await;
    assert_eq!(loaded["status"], "completed", "{loaded}");
    assert_eq!(loaded["progress"], 100);
    assert_eq!(loaded["config"], database_job);
    let output = &loaded["output"];
    assert_eq!(output["schema_version"], 1);
    assert!(output["files"].as_array().is_some_and(Vec::is_empty));
    let tables = output["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 6, "{output}");
    let mut total = 0;
    for table in tables {
        let (name, rows) = (
            table["table"].as_str().unwrap(),
            table["rows"].as_i64().unwrap(),
        );
        let expected = if name == "orko.orgs" { 5 } else { 20 };
        assert_eq!(rows, expected, "{name}");
        assert_eq!(
            pg_count(&target.url(), &format!("SELECT count(*) FROM {name}")).await,
            rows,
            "{name}"
        );
        total += rows;
    }
    assert_eq!(output["total_rows"].as_i64(), Some(total));
    let orphans = pg_count(
        &target.url(),
        "SELECT count(*) FROM orko.users u LEFT JOIN orko.orgs o ON o.id = u.org_id WHERE o.id IS NULL",
    )
    .await;
    assert_eq!(orphans, 0);

    // The tables hold rows now: the next load is refused and changes nothing.
    let again = run(&client, &owner_token, &ws, database_job).await;
    assert_eq!(again["status"], "failed", "{again}");
    assert!(
        again["error"]
            .as_str()
            .is_some_and(|e| e.contains("not empty") || e.contains("already")),
        "{again}"
    );
    assert_eq!(
        pg_count(&target.url(), "SELECT count(*) FROM orko.orgs").await,
        5
    );

    // Files from the read-only connection: CSV per table, downloadable.
    let files_job = json!({ "connection_id": readonly, "target": "files", "format": "csv",
        "rows": 3, "include": ["orko.orgs", "orko.users"] });
    let written = run(&client, &owner_token, &ws, files_job).await;
    assert_eq!(written["status"], "completed", "{written}");
    let files = written["output"]["files"]
        .as_array()
        .expect("files")
        .clone();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["000_orko.orgs.csv", "001_orko.users.csv"]);
    let mid = written["id"].as_str().unwrap();
    for file in &files {
        let name = file["name"].as_str().unwrap();
        // Viewers download too.
        let reply = client
            .send(
                Method::GET,
                &format!("{ws}/mock-jobs/{mid}/files/{name}"),
                Some(&viewer_token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(reply.headers["content-type"], "text/csv");
        assert!(reply.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with(&format!("attachment; filename=\"{name}\"")));
        let digest: String = Sha256::digest(reply.text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(file["sha256"].as_str(), Some(digest.as_str()));
        assert_eq!(file["size"].as_u64(), Some(reply.text.len() as u64));
        assert_eq!(
            reply.text.lines().count(),
            4,
            "a header and 3 rows:\n{}",
            reply.text
        );
    }
    assert!(files[1]["name"].as_str().is_some());
    let missing = client
        .send(
            Method::GET,
            &format!("{ws}/mock-jobs/{mid}/files/nope.csv"),
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let hidden = client
        .send(
            Method::GET,
            &format!("{ws}/mock-jobs/{mid}"),
            Some(&outsider_token),
            None,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // A schema that cannot be filled: the planner's words, nothing written.
    let tiny = carta_testkit::PgDatabase::create();
    tiny.execute("CREATE TABLE flags (flag boolean PRIMARY KEY)");
    let flags = client.create_connection(&owner_token, &ws, json!({ "name": "flags", "db_type": "postgres", "mode": "read-write", "uri": &tiny.url() })).await;
    let impossible = run(
        &client,
        &owner_token,
        &ws,
        json!({ "connection_id": flags, "target": "database", "rows": 3 }),
    )
    .await;
    assert_eq!(impossible["status"], "failed", "{impossible}");
    assert!(
        impossible["error"]
            .as_str()
            .is_some_and(|e| e.contains("unique values needed")),
        "{impossible}"
    );
    assert_eq!(pg_count(&tiny.url(), "SELECT count(*) FROM flags").await, 0);

    // Cancelled through the job queue while loading: rolled back.
    let big = carta_testkit::PgDatabase::create();
    big.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let big_id = client.create_connection(&owner_token, &ws, json!({ "name": "big", "db_type": "postgres", "mode": "read-write", "uri": &big.url() })).await;
    let queued = client
        .send(
            Method::POST,
            &format!("{ws}/mock-jobs"),
            Some(&owner_token),
            Some(json!({ "connection_id": big_id, "target": "database", "rows": 1_000_000 })),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.text);
    let big_job = queued.json()["id"].as_str().unwrap().to_string();
    let cancel = client
        .send(
            Method::POST,
            &format!("{ws}/jobs/{big_job}/cancel"),
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.text);
    let ended = client.finished_job(&owner_token, &ws, &big_job).await;
    assert_eq!(ended["status"], "cancelled", "{ended}");
    assert_eq!(
        pg_count(&big.url(), "SELECT count(*) FROM orko.orgs").await,
        0
    );

    // Newest first, every one listed, for viewers too.
    let listed = client
        .send(
            Method::GET,
            &format!("{ws}/mock-jobs"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let statuses: Vec<Value> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [
            json!("cancelled"),
            json!("failed"),
            json!("completed"),
            json!("failed"),
            json!("completed")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_jobs_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    mock_jobs(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_jobs_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    mock_jobs(store).await;
}
