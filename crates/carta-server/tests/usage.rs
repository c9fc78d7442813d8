//! API usage and quotas over real HTTP on both stores: calls metered with
//! their route template and attributed to their token, summaries per day
//! that add up, a per-minute and a per-day quota giving N successes then
//! 429 with Retry-After, who may read and set what, and the buffer written
//! when the server stops.

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::{MemberRole, Scope, Store, TokenKind, UserRole};
use common::{Client, Running};
use serde_json::{json, Value};
use std::time::Duration;

/// Polls a usage summary until `ready` holds (rows are written about once a second).
async fn usage_until(
    client: &Client,
    token: &str,
    path: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        let reply = client.send(Method::GET, path, Some(token), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let summary = reply.json();
        if ready(&summary) {
            return summary;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the usage never got there: {path}");
}

fn endpoint_requests(summary: &Value, method: &str, endpoint: &str) -> u64 {
    summary["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["method"] == method && e["endpoint"] == endpoint)
        .map_or(0, |e| e["requests"].as_u64().expect("a count"))
}

/// Waits for the start of a minute when too little of this one is left
/// for the calls that follow to fall into one minute.
async fn early_in_a_minute() {
    let second = time::OffsetDateTime::now_utc().second();
    if second >= 45 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - second))).await;
    }
}

async fn metering(store: Store) {
    let admin = common::create_user(&store, "admin", UserRole::Admin).await;
    let owner = common::create_user(&store, "owner", UserRole::Developer).await;
    let viewer = common::create_user(&store, "viewer", UserRole::Analyst).await;
    let outsider = common::create_user(&store, "outsider", UserRole::Developer).await;
    let workspace = store.create_workspace("Metered", owner.id).await.unwrap();
    let limited = store.create_workspace("Limited", owner.id).await.unwrap();
    let daily = store.create_workspace("Daily", owner.id).await.unwrap();
    store
        .add_member(workspace.id, viewer.id, MemberRole::Viewer)
        .await
        .unwrap();
    let admin_token = common::session(&store, &admin).await;
    let owner_token = common::session(&store, &owner).await;
    let api_token = common::token(&store, &owner, TokenKind::Api, &[Scope::Read]).await;
    let api_token_id = store
        .list_tokens(owner.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kind == TokenKind::Api)
        .expect("the API token")
        .id;
    let viewer_token = common::session(&store, &viewer).await;
    let outsider_token = common::session(&store, &outsider).await;
    let server =
        Running::start(AppState::new(store.clone(), common::config("unused")).expect("a state"))
            .await;
    let client = Client::new(&server);
    let ws = format!("/api/v1/workspaces/{}", workspace.id);

    for _ in 0..3 {
        let reply = client
            .send(Method::GET, &ws, Some(&owner_token), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    for _ in 0..2 {
        let reply = client
            .send(
                Method::GET,
                &format!("{ws}/connections"),
                Some(&api_token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    // Not the outsider's, not the anonymous caller's, not the probes'.
    let hidden = client
        .send(Method::GET, &ws, Some(&outsider_token), None)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let anonymous = client.send(Method::GET, &ws, None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(
            client.send(Method::GET, probe, None, None).await.status,
            StatusCode::OK
        );
    }
    let refused = client
        .send(
            Method::GET,
            &format!("{ws}/usage"),
            Some(&viewer_token),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);

    let summary = usage_until(&client, &owner_token, &format!("{ws}/usage"), |s| {
        endpoint_requests(s, "GET", "/api/v1/workspaces/{id}/connections") == 2
    })
    .await;
    assert_eq!(
        endpoint_requests(&summary, "GET", "/api/v1/workspaces/{id}"),
        3,
        "{summary}"
    );
    let text = summary.to_string();
    assert!(
        !text.contains(&workspace.id.to_string()),
        "no raw path: {text}"
    );
    for endpoint in summary["endpoints"].as_array().unwrap() {
        assert!(
            endpoint["endpoint"]
                .as_str()
                .unwrap()
                .starts_with("/api/v1/workspaces/{id}"),
            "{endpoint}"
        );
    }
    let by_api_token = summary["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["token_id"] == json!(api_token_id))
        .expect("the API token's line");
    assert_eq!(by_api_token["requests"], 2);
    assert_eq!(by_api_token["user_id"], json!(owner.id));
    let days = summary["days"].as_array().unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0]["day"], summary["to"]);
    let day_total: u64 = days.iter().map(|d| d["requests"].as_u64().unwrap()).sum();
    assert_eq!(day_total, summary["total"]["requests"].as_u64().unwrap());
    // The viewer's 403 above was a member's request: metered, an error.
    assert!(
        summary["total"]["errors"].as_u64().unwrap() >= 1,
        "{summary}"
    );

    let everything = client
        .send(Method::GET, "/api/v1/usage", Some(&owner_token), None)
        .await;
    assert_eq!(everything.status, StatusCode::FORBIDDEN);
    let global = usage_until(&client, &admin_token, "/api/v1/usage", |s| {
        s["workspaces"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["workspace_id"].is_null()))
    })
    .await;
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(endpoint_requests(&global, "GET", probe), 0, "{global}");
    }
    // The outsider's 404 and the anonymous 401 belong to no workspace.
    let outside = global["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["workspace_id"].is_null())
        .unwrap();
    assert!(outside["requests"].as_u64().unwrap() >= 2, "{global}");
    let bad = client
        .send(
            Method::GET,
            "/api/v1/usage?from=yesterday",
            Some(&admin_token),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // A quota of 3 per minute: 3 successes, then 429 with Retry-After.
    let lim = format!("/api/v1/workspaces/{}", limited.id);
    let quota = json!({ "requests_per_minute": 3, "requests_per_day": null });
    let not_admin = client
        .send(
            Method::PUT,
            &format!("{lim}/quota"),
            Some(&owner_token),
            Some(quota.clone()),
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    let set = client
        .send(
            Method::PUT,
            &format!("{lim}/quota"),
            Some(&admin_token),
            Some(quota),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.json()["requests_per_minute"], 3);
    early_in_a_minute().await;
    for call in 0..3 {
        let reply = client
            .send(Method::GET, &lim, Some(&owner_token), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "call {call}: {}", reply.text);
    }
    let over = client
        .send(Method::GET, &lim, Some(&owner_token), None)
        .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.text);
    assert_eq!(over.error_code(), "rate_limited");
    let retry: u64 = over.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Admins are never refused, and see the quota.
    let shown = client
        .send(
            Method::GET,
            &format!("{lim}/quota"),
            Some(&admin_token),
            None,
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert_eq!(shown.json()["updated_by"], json!(admin.id));
    // Other workspaces are not limited by it.
    assert_eq!(
        client
            .send(Method::GET, &ws, Some(&owner_token), None)
            .await
            .status,
        StatusCode::OK
    );
    let unset = client
        .send(
            Method::GET,
            &format!("{ws}/quota"),
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(unset.json()["requests_per_minute"], Value::Null);

    // A quota of 2 per day.
    let day = format!("/api/v1/workspaces/{}", daily.id);
    let set = client
        .send(
            Method::PUT,
            &format!("{day}/quota"),
            Some(&admin_token),
            Some(json!({ "requests_per_day": 2 })),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    for _ in 0..2 {
        assert_eq!(
            client
                .send(Method::GET, &day, Some(&owner_token), None)
                .await
                .status,
            StatusCode::OK
        );
    }
    let over = client
        .send(Method::GET, &day, Some(&owner_token), None)
        .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.text);
    assert!(
        over.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let limited_usage = usage_until(&client, &admin_token, &format!("{lim}/usage"), |s| {
        endpoint_requests(s, "GET", "/api/v1/workspaces/{id}") == 4
    })
    .await;
    let refusals = limited_usage["days"][0]["errors"].as_u64().unwrap();
    assert!(refusals >= 1, "the 429 is an error: {limited_usage}");

    // What is still buffered is written when the server stops.
    let last = client
        .send(
            Method::GET,
            &format!("{ws}/members"),
            Some(&owner_token),
            None,
        )
        .await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.text);
    drop(server);
    let today = time::OffsetDateTime::now_utc().date();
    for _ in 0..100 {
        let summary = store
            .usage_summary(Some(workspace.id), today, today)
            .await
            .unwrap();
        if summary
            .endpoints
            .iter()
            .any(|e| e.endpoint == "/api/v1/workspaces/{id}/members")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the last request was not written at shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_quotas_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    metering(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_quotas_on_postgres() {
    let database = carta_testkit::PgDatabase::create();
    let store = Store::open(&database.url())
        .await
        .expect("a PostgreSQL store");
    metering(store).await;
}
