//! The whole flow over real HTTP, on an SQLite store and on a PostgreSQL
//! store: bootstrap an admin, log in, create a workspace, create users and
//! add one with each role, add a connection to a real PostgreSQL holding
//! seed 000, test it, and read the audit trail.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{NewUser, Store, UserRole};
use common::{Client, Running, PASSWORD};
use serde_json::{json, Value};

const URI_PASSWORD: &str = "e2e-not-needed-but-secret";

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["action"].as_str().expect("an action").to_string())
        .collect()
}

async fn flow(store: Store) {
    // Bootstrap, as `carta admin create-user --admin` does.
    let admin_email = format!("{}@example.com", common::unique("root"));
    let admin = store
        .create_user(NewUser {
            email: admin_email.clone(),
            full_name: "Root".into(),
            password_hash: common::password_hash(),
            role: UserRole::Admin,
        })
        .await
        .expect("the first admin");
    let server =
        Running::start(AppState::new(store, common::config("unused")).expect("a state")).await;
    let client = Client::new(&server);
    let admin_token = client.login(&admin_email, PASSWORD).await;

    let ready = client.send(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);

    let reply = client
        .send(
            Method::POST,
            "/api/v1/workspaces",
            Some(&admin_token),
            Some(json!({ "name": "Orko docs" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let workspace = reply.json()["id"].as_str().expect("an id").to_string();
    let ws = format!("/api/v1/workspaces/{workspace}");

    // One user per workspace role, created over the API and added by email.
    let mut tokens = Vec::new();
    for (role, global) in [
        ("owner", "developer"),
        ("admin", "developer"),
        ("editor", "developer"),
        ("viewer", "analyst"),
    ] {
        let email = format!("{}@example.com", common::unique(role));
        let reply = client
            .send(
                Method::POST,
                "/api/v1/users",
                Some(&admin_token),
                Some(json!({ "email": email, "full_name": role, "password": PASSWORD, "role": global })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let reply = client
            .send(
                Method::POST,
                &format!("{ws}/members"),
                Some(&admin_token),
                Some(json!({ "email": email, "role": role })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(reply.json()["role"], role);
        let token = client.login(&email, PASSWORD).await;
        let mine = client
            .send(Method::GET, "/api/v1/workspaces", Some(&token), None)
            .await;
        assert_eq!(mine.json()[0]["role"], role, "{}", mine.text);
        tokens.push((role, token));
    }
    let token_of = |role: &str| {
        tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, token)| token.clone())
            .expect("a member")
    };
    let members = client
        .send(
            Method::GET,
            &format!("{ws}/members"),
            Some(&token_of("viewer")),
            None,
        )
        .await;
    // The creator plus the four added.
    assert_eq!(members.json().as_array().map(Vec::len), Some(5));

    // A connection to a real PostgreSQL holding seed 000.
    let seeded = carta_testkit::PgDatabase::create();
    seeded.execute(include_str!("../../../examples/seeds/000_orko.sql"));
    let uri = seeded
        .url()
        .replacen("postgres@", &format!("postgres:{URI_PASSWORD}@"), 1);
    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/connections"),
            Some(&token_of("admin")),
            Some(json!({ "name": "orko", "db_type": "postgres", "uri": uri })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let connection = reply.json();
    assert_eq!(connection["mode"], "read-only");
    assert!(
        connection["redacted_uri"]
            .as_str()
            .is_some_and(|r| r.contains("postgres:***@")),
        "{connection}"
    );
    let cid = connection["id"].as_str().expect("an id").to_string();

    let reply = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/test"),
            Some(&token_of("editor")),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let result = reply.json();
    assert_eq!(result["ok"], true, "{result}");
    assert!(
        result["server_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("PostgreSQL ")),
        "{result}"
    );
    let shown = client
        .send(
            Method::GET,
            &format!("{ws}/connections/{cid}"),
            Some(&token_of("viewer")),
            None,
        )
        .await;
    assert_eq!(shown.json()["last_test_ok"], true);
    assert!(!shown.text.contains(URI_PASSWORD));
    let denied = client
        .send(
            Method::POST,
            &format!("{ws}/connections/{cid}/test"),
            Some(&token_of("viewer")),
            None,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    // The workspace's audit trail, newest first, for its owner.
    let page = client
        .send(
            Method::GET,
            &format!("{ws}/audit"),
            Some(&token_of("owner")),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let page = page.json();
    assert_eq!(
        actions(&page),
        [
            "connection.test",
            "connection.create",
            "member.add",
            "member.add",
            "member.add",
            "member.add",
            "workspace.create",
        ]
    );
    let newest = &page["items"][0];
    assert_eq!(newest["workspace_id"], workspace.as_str());
    assert_eq!(newest["resource_id"], cid.as_str());
    assert_eq!(newest["details"]["ok"], true);
    assert_eq!(newest["ip"], "127.0.0.1");
    assert_eq!(newest["user_agent"], "carta-tests/1");
    assert!(!page.to_string().contains(URI_PASSWORD));

    // Filters and the cursor.
    let filtered = client
        .send(
            Method::GET,
            &format!("{ws}/audit?action=member.&limit=3"),
            Some(&token_of("owner")),
            None,
        )
        .await
        .json();
    assert_eq!(actions(&filtered), ["member.add"; 3]);
    let cursor = filtered["next_cursor"].as_str().expect("a cursor");
    let rest = client
        .send(
            Method::GET,
            &format!("{ws}/audit?action=member.&limit=3&cursor={cursor}"),
            Some(&token_of("owner")),
            None,
        )
        .await
        .json();
    assert_eq!(actions(&rest), ["member.add"]);
    assert!(rest["next_cursor"].is_null());
    let by_admin = client
        .send(
            Method::GET,
            &format!("{ws}/audit?actor={}", admin.id),
            Some(&token_of("owner")),
            None,
        )
        .await
        .json();
    assert_eq!(actions(&by_admin).len(), 5, "{by_admin}");
    let future = client
        .send(
            Method::GET,
            &format!("{ws}/audit?since=2999-01-01T00:00:00Z"),
            Some(&token_of("owner")),
            None,
        )
        .await
        .json();
    assert!(actions(&future).is_empty());

    // The global trail has the logins and user creations too.
    let global = client
        .send(
            Method::GET,
            "/api/v1/audit?limit=1000",
            Some(&admin_token),
            None,
        )
        .await
        .json();
    let global = actions(&global);
    assert_eq!(global.iter().filter(|a| *a == "auth.login").count(), 5);
    assert_eq!(global.iter().filter(|a| *a == "user.create").count(), 4);
    let editor_view = client
        .send(
            Method::GET,
            &format!("{ws}/audit"),
            Some(&token_of("editor")),
            None,
        )
        .await;
    assert_eq!(editor_view.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_whole_flow_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    flow(store).await;
}

#[tokio::test]
async fn the_whole_flow_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    flow(store).await;
}
