//! Bad input, revocation, rate limiting and the OpenAPI document.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use carta_server::{AppState, LoginLimits};
use carta_store::{NewToken, Scope, Store, TokenKind, User, UserRole};
use common::{App, Client, Running, TempDir, PASSWORD};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

struct Setup {
    app: App,
    store: Store,
    admin: User,
    admin_token: String,
    _dir: TempDir,
}

async fn setup_with(adjust: impl FnOnce(&mut carta_server::ServerConfig)) -> Setup {
    let (store, dir) = common::sqlite_store().await;
    let mut config = common::config("unused: the store is opened by the test");
    adjust(&mut config);
    let admin = common::create_user(&store, "admin", UserRole::Admin).await;
    let admin_token = common::session(&store, &admin).await;
    let app = App::new(AppState::new(store.clone(), config).expect("a state"));
    Setup {
        app,
        store,
        admin,
        admin_token,
        _dir: dir,
    }
}

async fn setup() -> Setup {
    setup_with(|_| {}).await
}

fn json_request(method: Method, path: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("a request")
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let s = setup().await;
    let reply = s
        .app
        .raw(json_request(
            Method::POST,
            "/api/v1/workspaces",
            &s.admin_token,
            "{\"name\": ",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.error_code(), "bad_request");
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_are_bad_requests() {
    let s = setup().await;
    for body in [
        json!({ "name": "w", "color": "red" }),
        json!({ "name": 42 }),
        json!({}),
    ] {
        let reply = s
            .app
            .call(
                Method::POST,
                "/api/v1/workspaces",
                Some(&s.admin_token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.text
        );
        assert_eq!(reply.error_code(), "bad_request");
    }
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&s.admin_token),
            Some(json!({ "email": "x@example.com", "full_name": "X", "password": PASSWORD, "role": "superuser" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
}

#[tokio::test]
async fn a_body_without_json_content_type_is_unsupported() {
    let s = setup().await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/workspaces")
        .header("authorization", format!("Bearer {}", s.admin_token))
        .header("content-type", "text/plain")
        .body(Body::from("{\"name\":\"w\"}"))
        .expect("a request");
    let reply = s.app.raw(request).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.error_code(), "unsupported_media_type");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let s = setup_with(|config| config.max_body_bytes = 1024).await;
    let body = json!({ "name": "n".repeat(4096) }).to_string();
    let reply = s
        .app
        .raw(json_request(
            Method::POST,
            "/api/v1/workspaces",
            &s.admin_token,
            &body,
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text
    );
    assert_eq!(reply.error_code(), "payload_too_large");
    // Just under the limit is accepted (and then judged on its content).
    let body = json!({ "name": "n".repeat(900) }).to_string();
    let reply = s
        .app
        .raw(json_request(
            Method::POST,
            "/api/v1/workspaces",
            &s.admin_token,
            &body,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(
        reply.text.contains("at most 200 characters"),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn invalid_ids_and_queries_are_bad_requests() {
    let s = setup().await;
    let token = Some(s.admin_token.as_str());
    for path in [
        "/api/v1/workspaces/not-a-uuid",
        "/api/v1/workspaces/1234/members",
        "/api/v1/workspaces/00000000-0000-0000-0000-000000000000/connections/xyz",
        "/api/v1/audit?limit=lots",
        "/api/v1/audit?limit=0",
        "/api/v1/audit?since=yesterday",
        "/api/v1/audit?colour=blue",
        "/api/v1/workspaces?all=maybe",
    ] {
        let reply = s.app.call(Method::GET, path, token, None).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            reply.text
        );
        assert_eq!(reply.error_code(), "bad_request", "{path}");
    }
    let reply = s
        .app
        .call(
            Method::GET,
            "/api/v1/workspaces/00000000-0000-0000-0000-000000000000",
            token,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
}

#[tokio::test]
async fn control_characters_and_instants_out_of_range_are_bad_requests() {
    let s = setup().await;
    let workspace = s
        .store
        .create_workspace("w", s.admin.id)
        .await
        .expect("a workspace");
    let connections = format!("/api/v1/workspaces/{}/connections", workspace.id);
    let bodies = [
        ("/api/v1/workspaces", json!({ "name": "a\u{0}b" })),
        ("/api/v1/workspaces", json!({ "name": "a\u{1b}b" })),
        (
            "/api/v1/users",
            json!({ "email": "x\u{0}@example.com", "full_name": "X", "password": PASSWORD, "role": "analyst" }),
        ),
        (
            "/api/v1/users",
            json!({ "email": "x@example.com", "full_name": "X\u{0}", "password": PASSWORD, "role": "analyst" }),
        ),
        (
            connections.as_str(),
            json!({ "name": "c", "db_type": "postgres", "uri": "postgres://h/db\u{0}" }),
        ),
        (
            connections.as_str(),
            json!({ "name": "c\u{0}", "db_type": "postgres", "uri": "postgres://h/db" }),
        ),
    ];
    for (path, body) in bodies {
        let reply = s
            .app
            .call(Method::POST, path, Some(&s.admin_token), Some(body.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.text
        );
    }
    for query in [
        "action=auth.%00",
        "since=9999-12-31T23:59:59-23:59",
        "until=9999-12-31T23:59:59-23:59",
    ] {
        for path in [
            "/api/v1/audit".to_string(),
            format!("/api/v1/workspaces/{}/audit", workspace.id),
        ] {
            let reply = s
                .app
                .call(
                    Method::GET,
                    &format!("{path}?{query}"),
                    Some(&s.admin_token),
                    None,
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{path}?{query}: {}",
                reply.text
            );
        }
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let s = setup().await;
    let reply = s.app.call(Method::GET, "/api/v1/nothing", None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
    let reply = s.app.call(Method::PUT, "/api/v1/me", None, None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error_code(), "method_not_allowed");
}

#[tokio::test]
async fn missing_garbage_and_expired_tokens_are_unauthorized() {
    let s = setup().await;
    let reply = s.app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "unauthorized");
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
    let reply = s
        .app
        .call(Method::GET, "/api/v1/me", Some("carta_garbage"), None)
        .await;
    assert_eq!(reply.error_code(), "unauthorized");
    let basic = Request::builder()
        .uri("/api/v1/me")
        .header("authorization", "Basic YTpi")
        .body(Body::empty())
        .expect("a request");
    assert_eq!(s.app.raw(basic).await.error_code(), "unauthorized");

    let secret = carta_store::secrets::new_token();
    s.store
        .create_token(NewToken {
            user_id: s.admin.id,
            kind: TokenKind::Session,
            name: None,
            token_hash: secret.hash,
            scopes: vec![Scope::Read, Scope::Write],
            expires_at: Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
        })
        .await
        .expect("a token");
    let reply = s
        .app
        .call(Method::GET, "/api/v1/me", Some(&secret.plain), None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "token_expired");
}

#[tokio::test]
async fn short_passwords_are_refused() {
    let s = setup().await;
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&s.admin_token),
            Some(json!({ "email": "short@example.com", "full_name": "S", "password": "123456789", "role": "analyst" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.text.contains("at least 10 characters"),
        "{}",
        reply.text
    );
}

async fn login(app: &App, email: &str, password: &str) -> axum::http::StatusCode {
    app.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": email, "password": password })),
    )
    .await
    .status
}

async fn login_token(app: &App, email: &str, password: &str) -> String {
    let reply = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["user"]["email"], email);
    assert!(body["expires_at"].is_string());
    body["token"].as_str().expect("a token").to_string()
}

async fn me_status(app: &App, token: &str) -> StatusCode {
    app.call(Method::GET, "/api/v1/me", Some(token), None)
        .await
        .status
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let s = setup().await;
    let unknown = s
        .app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": "nobody@example.com", "password": PASSWORD })),
        )
        .await;
    let wrong = s
        .app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": s.admin.email, "password": "wrong password" })),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text, wrong.text);
    let audits = s
        .store
        .audits(carta_store::AuditFilter {
            action: Some("auth.login_failed".into()),
            ..Default::default()
        })
        .await
        .expect("audits");
    assert_eq!(audits.len(), 2);
    assert!(audits
        .iter()
        .all(|a| !a.details.to_string().contains("password")));
}

#[tokio::test]
async fn logout_revocation_and_password_change_take_effect_at_once() {
    let s = setup().await;
    let email = s.admin.email.clone();
    let first = login_token(&s.app, &email, PASSWORD).await;
    let second = login_token(&s.app, &email, PASSWORD).await;
    assert_eq!(me_status(&s.app, &first).await, StatusCode::OK);

    // Logout ends only that session.
    let reply = s
        .app
        .call(Method::POST, "/api/v1/auth/logout", Some(&first), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&s.app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&s.app, &second).await, StatusCode::OK);

    // An API token works until revoked; the listing never shows secrets.
    let created = s
        .app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&second),
            Some(json!({ "name": "ci", "scopes": ["read"], "expires_in_days": 30 })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let created = created.json();
    let api_token = created["token"].as_str().expect("a token").to_string();
    let api_id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(me_status(&s.app, &api_token).await, StatusCode::OK);
    let listed = s
        .app
        .call(Method::GET, "/api/v1/me/tokens", Some(&second), None)
        .await;
    assert!(listed.text.contains(&api_id));
    assert!(!listed.text.contains(&api_token));
    let used = listed.json();
    let entry = used
        .as_array()
        .and_then(|tokens| tokens.iter().find(|t| t["id"] == api_id.as_str()))
        .expect("the token is listed");
    assert!(entry["last_used_at"].is_string(), "{entry}");
    let reply = s
        .app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/tokens/{api_id}"),
            Some(&second),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        me_status(&s.app, &api_token).await,
        StatusCode::UNAUTHORIZED
    );

    // A password change keeps the session that made it and ends the others.
    let third = login_token(&s.app, &email, PASSWORD).await;
    let new_password = "a much longer new password";
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&second),
            Some(json!({ "current_password": "not it at all", "new_password": new_password })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&second),
            Some(json!({ "current_password": PASSWORD, "new_password": new_password })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert_eq!(me_status(&s.app, &second).await, StatusCode::OK);
    assert_eq!(me_status(&s.app, &third).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&s.app, &email, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    login_token(&s.app, &email, new_password).await;
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_logins() {
    let s = setup().await;
    let user = common::create_user(&s.store, "dev", UserRole::Developer).await;
    let token = login_token(&s.app, &user.email, PASSWORD).await;
    let reply = s
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", user.id),
            Some(&s.admin_token),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["disabled"], true);
    assert_eq!(me_status(&s.app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&s.app, &user.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    // The acting admin cannot lock themselves out.
    let reply = s
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", s.admin.id),
            Some(&s.admin_token),
            Some(json!({ "role": "analyst" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn read_only_tokens_cannot_write() {
    let s = setup().await;
    let read = common::token(&s.store, &s.admin, TokenKind::Api, &[Scope::Read]).await;
    assert_eq!(me_status(&s.app, &read).await, StatusCode::OK);
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            Some(&read),
            Some(json!({ "name": "w" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), "forbidden");
    // A write API token can write, but cannot mint tokens.
    let write = common::token(
        &s.store,
        &s.admin,
        TokenKind::Api,
        &[Scope::Read, Scope::Write],
    )
    .await;
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            Some(&write),
            Some(json!({ "name": "w" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&write),
            Some(json!({ "name": "more", "scopes": ["write"] })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn write_only_tokens_cannot_read() {
    let s = setup().await;
    let write = common::token(&s.store, &s.admin, TokenKind::Api, &[Scope::Write]).await;
    for path in [
        "/api/v1/me",
        "/api/v1/workspaces",
        "/api/v1/users",
        "/api/v1/audit",
    ] {
        for method in [Method::GET, Method::HEAD] {
            let reply = s.app.call(method.clone(), path, Some(&write), None).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}");
        }
    }
    let reply = s
        .app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            Some(&write),
            Some(json!({ "name": "w" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

#[tokio::test]
async fn login_failures_are_limited_per_account_and_per_ip() {
    let (store, _dir) = common::sqlite_store().await;
    let mut config = common::config("unused");
    config.login_limits = LoginLimits {
        per_account: 3,
        per_ip: 5,
        window: Duration::from_secs(600),
    };
    let ada = common::create_user(&store, "ada", UserRole::Developer).await;
    let bob = common::create_user(&store, "bob", UserRole::Developer).await;
    let cy = common::create_user(&store, "cy", UserRole::Developer).await;
    let server = Running::start(AppState::new(store.clone(), config).expect("a state")).await;
    let client = Client::new(&server);
    let attempt = |email: String, password: &'static str| {
        let client = &client;
        async move {
            client
                .send(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({ "email": email, "password": password })),
                )
                .await
        }
    };
    for _ in 0..3 {
        let reply = attempt(ada.email.clone(), "wrong password!").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password.
    let reply = attempt(ada.email.clone(), PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.error_code(), "rate_limited");
    let retry: u64 = reply.headers["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((590..=600).contains(&retry), "{retry}");
    // Other accounts still log in, until the IP has failed five times.
    assert_eq!(
        attempt(bob.email.clone(), PASSWORD).await.status,
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(
            attempt(bob.email.clone(), "wrong password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let reply = attempt(cy.email.clone(), PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    // Every failure was audited with the client's address.
    let failures = store
        .audits(carta_store::AuditFilter {
            action: Some("auth.login_failed".into()),
            ..Default::default()
        })
        .await
        .expect("audits");
    assert_eq!(failures.len(), 5);
    assert!(failures.iter().all(|a| a.ip.as_deref() == Some("127.0.0.1")
        && a.user_agent.as_deref() == Some("carta-tests/1")));
}

async fn limited_server(per_account: usize, per_ip: usize) -> (Store, Running, TempDir) {
    let (store, dir) = common::sqlite_store().await;
    let mut config = common::config("unused");
    config.login_limits = LoginLimits {
        per_account,
        per_ip,
        window: Duration::from_secs(600),
    };
    let server = Running::start(AppState::new(store.clone(), config).expect("a state")).await;
    (store, server, dir)
}

async fn failed_login_audits(store: &Store) -> usize {
    store
        .audits(carta_store::AuditFilter {
            action: Some("auth.login_failed".into()),
            ..Default::default()
        })
        .await
        .expect("audits")
        .len()
}

#[tokio::test]
async fn parallel_wrong_logins_cannot_outrun_the_limit() {
    let (store, server, _dir) = limited_server(3, 100).await;
    let ada = common::create_user(&store, "ada", UserRole::Developer).await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let request = reqwest::Client::new()
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({ "email": ada.email, "password": "wrong password!" }));
        attempts.spawn(async move { request.send().await.expect("an answer").status() });
    }
    let replies = attempts.join_all().await;
    let verified = replies
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = replies
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((verified, refused), (3, 9));
    assert_eq!(failed_login_audits(&store).await, 3);
}

#[tokio::test]
async fn bad_login_emails_are_refused_before_counting_or_auditing() {
    let (store, server, _dir) = limited_server(2, 2).await;
    let ada = common::create_user(&store, "ada", UserRole::Developer).await;
    let client = Client::new(&server);
    let long = format!("{}@example.com", "a".repeat(300));
    for email in [long.as_str(), "ada\u{0}@example.com", "ada\n@example.com"] {
        for _ in 0..3 {
            let reply = client
                .send(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({ "email": email, "password": "wrong password!" })),
                )
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        }
    }
    assert_eq!(failed_login_audits(&store).await, 0);
    // Neither the IP nor any account was charged for them.
    client.login(&ada.email, PASSWORD).await;
}

/// Every route the server has, as (method, OpenAPI path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/me/password"),
    ("get", "/api/v1/me/tokens"),
    ("post", "/api/v1/me/tokens"),
    ("delete", "/api/v1/me/tokens/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{id}"),
    ("get", "/api/v1/workspaces"),
    ("post", "/api/v1/workspaces"),
    ("get", "/api/v1/workspaces/{id}"),
    ("patch", "/api/v1/workspaces/{id}"),
    ("delete", "/api/v1/workspaces/{id}"),
    ("post", "/api/v1/workspaces/{id}/restore"),
    ("get", "/api/v1/workspaces/{id}/members"),
    ("post", "/api/v1/workspaces/{id}/members"),
    ("patch", "/api/v1/workspaces/{id}/members/{user_id}"),
    ("delete", "/api/v1/workspaces/{id}/members/{user_id}"),
    ("get", "/api/v1/workspaces/{id}/connections"),
    ("post", "/api/v1/workspaces/{id}/connections"),
    ("get", "/api/v1/workspaces/{id}/connections/{cid}"),
    ("patch", "/api/v1/workspaces/{id}/connections/{cid}"),
    ("delete", "/api/v1/workspaces/{id}/connections/{cid}"),
    ("post", "/api/v1/workspaces/{id}/connections/{cid}/test"),
    ("post", "/api/v1/workspaces/{id}/connections/{cid}/sync"),
    ("get", "/api/v1/workspaces/{id}/connections/{cid}/versions"),
    (
        "get",
        "/api/v1/workspaces/{id}/connections/{cid}/versions/{version}",
    ),
    (
        "get",
        "/api/v1/workspaces/{id}/connections/{cid}/versions/{from}/diff/{to}",
    ),
    ("get", "/api/v1/workspaces/{id}/search"),
    ("post", "/api/v1/workspaces/{id}/jobs"),
    ("get", "/api/v1/workspaces/{id}/jobs/{job_id}"),
    ("post", "/api/v1/workspaces/{id}/jobs/{job_id}/cancel"),
    (
        "post",
        "/api/v1/workspaces/{id}/connections/{cid}/docs/generate",
    ),
    (
        "get",
        "/api/v1/workspaces/{id}/connections/{cid}/docs/download",
    ),
    ("get", "/api/v1/workspaces/{id}/docs"),
    ("get", "/api/v1/workspaces/{id}/docs/{doc_id}"),
    ("put", "/api/v1/workspaces/{id}/docs/{doc_id}"),
    ("get", "/api/v1/workspaces/{id}/docs/{doc_id}/revisions"),
    (
        "get",
        "/api/v1/workspaces/{id}/docs/{doc_id}/revisions/{revision}",
    ),
    ("get", "/api/v1/workspaces/{id}/docs/{doc_id}/feedback"),
    ("post", "/api/v1/workspaces/{id}/docs/{doc_id}/feedback"),
    ("get", "/api/v1/workspaces/{id}/doc-templates"),
    ("get", "/api/v1/workspaces/{id}/doc-templates/{scope}"),
    ("put", "/api/v1/workspaces/{id}/doc-templates/{scope}"),
    ("delete", "/api/v1/workspaces/{id}/doc-templates/{scope}"),
    ("get", "/api/v1/workspaces/{id}/feedback"),
    ("post", "/api/v1/workspaces/{id}/connections/{cid}/query"),
    ("get", "/api/v1/workspaces/{id}/executions"),
    ("get", "/api/v1/workspaces/{id}/executions/{eid}"),
    ("post", "/api/v1/workspaces/{id}/executions/{eid}/cancel"),
    ("get", "/api/v1/workspaces/{id}/queries"),
    ("post", "/api/v1/workspaces/{id}/queries"),
    ("get", "/api/v1/workspaces/{id}/queries/{qid}"),
    ("patch", "/api/v1/workspaces/{id}/queries/{qid}"),
    ("delete", "/api/v1/workspaces/{id}/queries/{qid}"),
    ("post", "/api/v1/workspaces/{id}/queries/{qid}/run"),
    ("get", "/api/v1/workspaces/{id}/queries/{qid}/executions"),
    ("post", "/api/v1/workspaces/{id}/queries/{qid}/feedback"),
    ("get", "/api/v1/workspaces/{id}/llm"),
    ("put", "/api/v1/workspaces/{id}/llm"),
    ("post", "/api/v1/workspaces/{id}/connections/{cid}/ask"),
    ("get", "/api/v1/workspaces/{id}/mock-jobs"),
    ("post", "/api/v1/workspaces/{id}/mock-jobs"),
    ("get", "/api/v1/workspaces/{id}/mock-jobs/{mid}"),
    (
        "get",
        "/api/v1/workspaces/{id}/mock-jobs/{mid}/files/{name}",
    ),
    ("get", "/api/v1/workspaces/{id}/quota"),
    ("put", "/api/v1/workspaces/{id}/quota"),
    ("get", "/api/v1/workspaces/{id}/usage"),
    ("get", "/api/v1/usage"),
    ("get", "/api/v1/workspaces/{id}/webhooks"),
    ("post", "/api/v1/workspaces/{id}/webhooks"),
    ("get", "/api/v1/workspaces/{id}/webhooks/{wid}"),
    ("patch", "/api/v1/workspaces/{id}/webhooks/{wid}"),
    ("delete", "/api/v1/workspaces/{id}/webhooks/{wid}"),
    (
        "post",
        "/api/v1/workspaces/{id}/webhooks/{wid}/rotate-secret",
    ),
    ("post", "/api/v1/workspaces/{id}/webhooks/{wid}/test"),
    ("get", "/api/v1/workspaces/{id}/webhooks/{wid}/deliveries"),
    ("get", "/api/v1/workspaces/{id}/automations"),
    ("post", "/api/v1/workspaces/{id}/automations"),
    ("get", "/api/v1/workspaces/{id}/automations/{aid}"),
    ("patch", "/api/v1/workspaces/{id}/automations/{aid}"),
    ("delete", "/api/v1/workspaces/{id}/automations/{aid}"),
    ("post", "/api/v1/workspaces/{id}/automations/{aid}/run"),
    ("get", "/api/v1/workspaces/{id}/audit"),
    ("get", "/api/v1/audit"),
    ("get", "/healthz"),
    ("get", "/readyz"),
];

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_resolvable_schemas() {
    let s = setup().await;
    let reply = s
        .app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(doc["openapi"]
        .as_str()
        .expect("a version")
        .starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            documented.insert((method.clone(), path.clone()));
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_string(), (*p).to_string()))
        .collect();
    assert_eq!(documented, expected);

    // Every $ref points at a schema the document defines.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let text = doc.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().expect("a name");
        assert!(schemas.contains_key(name), "missing schema {name}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // And every documented route exists on the router (no route-level 404).
    let zero = "00000000-0000-0000-0000-000000000000";
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", zero)
            .replace("{cid}", zero)
            .replace("{user_id}", zero)
            .replace("{job_id}", zero)
            .replace("{mid}", zero)
            .replace("{name}", "000_public.t.csv")
            .replace("{doc_id}", zero)
            .replace("{scope}", "table")
            .replace("{revision}", "1")
            .replace("{version}", "1")
            .replace("{from}", "1")
            .replace("{to}", "2");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
        let reply = s.app.call(method.clone(), &concrete, None, None).await;
        assert!(
            !reply.text.contains("no such route") && reply.status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {concrete}: {} {}",
            reply.status,
            reply.text
        );
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let s = setup().await;
    let reply = s.app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        (reply.status, reply.json()["status"].clone()),
        (StatusCode::OK, json!("ok"))
    );
    let reply = s.app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (reply.status, reply.json()["status"].clone()),
        (StatusCode::OK, json!("ready"))
    );
}

#[tokio::test]
async fn forwarded_addresses_are_used_only_when_the_proxy_is_trusted() {
    for trusted in [false, true] {
        let s = setup_with(|config| config.trust_proxy = trusted).await;
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/workspaces")
            .header("authorization", format!("Bearer {}", s.admin_token))
            .header("content-type", "application/json")
            .header("x-forwarded-for", "203.0.113.9, 10.0.0.1")
            .body(Body::from(r#"{"name":"w"}"#))
            .expect("a request");
        assert_eq!(s.app.raw(request).await.status, StatusCode::CREATED);
        let audits = s.store.audits(Default::default()).await.expect("audits");
        let ip = audits[0].ip.as_deref();
        // The trusted proxy appended the last hop; the first one is
        // whatever the client claimed. In process there is no socket
        // address, so untrusted means none.
        assert_eq!(ip, trusted.then_some("10.0.0.1"), "trusted: {trusted}");
    }
}

#[tokio::test]
async fn a_server_rereads_its_key_file_after_a_rotation() {
    let dir = TempDir::new();
    let key_file = dir.0.join("carta.key");
    let old_key = carta_store::secrets::Keyring::generate_key();
    std::fs::write(&key_file, format!("{old_key}\n")).expect("a key file");
    let s = setup_with(|config| {
        config.keyring = carta_store::secrets::Keyring::from_env_or_file(None, Some(&key_file))
            .expect("a keyring");
        config.key_file = Some(key_file.clone());
        config.sqlite_dir = Some(dir.0.clone());
    })
    .await;
    let workspace = s
        .store
        .create_workspace("w", s.admin.id)
        .await
        .expect("a workspace");
    // Another process rotates: a new key first, and a URI sealed under it.
    let new_key = carta_store::secrets::Keyring::generate_key();
    std::fs::write(&key_file, format!("{new_key}\n{old_key}\n")).expect("rotated");
    let rotated =
        carta_store::secrets::Keyring::from_env_or_file(None, Some(&key_file)).expect("a keyring");
    let database = dir.0.join("empty.db");
    std::fs::write(&database, "").expect("an empty SQLite file");
    let uri = format!("sqlite://{}", database.display());
    let connection = s
        .store
        .create_connection(carta_store::NewConnection {
            workspace_id: workspace.id,
            name: "c".into(),
            db_type: carta_store::DbType::Sqlite,
            mode: carta_store::ConnectionMode::ReadOnly,
            uri: rotated.seal(&uri),
            redacted_uri: uri.clone(),
            created_by: None,
        })
        .await
        .expect("a connection");
    let reply = s
        .app
        .call(
            Method::POST,
            &format!(
                "/api/v1/workspaces/{}/connections/{}/test",
                workspace.id, connection.id
            ),
            Some(&s.admin_token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    // The URI was opened: the test reached the SQLite file.
    assert_eq!(reply.json()["ok"], true, "{}", reply.text);
    assert!(
        reply.json()["server_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("SQLite ")),
        "{}",
        reply.text
    );
}

#[test]
fn sqlite_targets_are_regular_files_under_the_folder_and_not_the_store() {
    use carta_server::probe::{SqliteTargetError, SqliteTargets};
    let dir = TempDir::new();
    let allowed = dir.0.join("allowed");
    std::fs::create_dir_all(allowed.join("sub")).expect("folders");
    let outside = dir.0.join("outside.db");
    let inside = allowed.join("sub/app.db");
    let store = allowed.join("store.db");
    for file in [&outside, &inside, &store] {
        std::fs::write(file, "").expect("a file");
    }
    let uri = |path: &std::path::Path| format!("sqlite://{}", path.display());
    let disabled = SqliteTargets::new(None, None).expect("targets");
    assert_eq!(
        disabled.resolve(&uri(&inside)),
        Err(SqliteTargetError::Disabled)
    );

    let targets = SqliteTargets::new(Some(&allowed), Some(&store)).expect("targets");
    assert!(targets.resolve(&uri(&inside)).is_ok());
    assert_eq!(
        targets
            .resolve(&format!("sqlite:{}", inside.display()))
            .ok(),
        targets.resolve(&uri(&inside)).ok()
    );
    assert_eq!(
        targets.resolve(&uri(&outside)),
        Err(SqliteTargetError::Outside)
    );
    let climbing = allowed.join("sub/../../outside.db");
    assert_eq!(
        targets.resolve(&uri(&climbing)),
        Err(SqliteTargetError::Outside)
    );
    assert_eq!(targets.resolve(&uri(&store)), Err(SqliteTargetError::Store));
    assert_eq!(
        targets.resolve(&uri(&allowed.join("store.db-wal"))),
        Err(SqliteTargetError::Missing)
    );
    assert_eq!(
        targets.resolve(&uri(&allowed.join("none.db"))),
        Err(SqliteTargetError::Missing)
    );
    assert_eq!(
        targets.resolve(&uri(&allowed.join("sub"))),
        Err(SqliteTargetError::NotAFile)
    );
    #[cfg(unix)]
    {
        let link = allowed.join("link.db");
        std::os::unix::fs::symlink(&outside, &link).expect("a symlink");
        assert_eq!(
            targets.resolve(&uri(&link)),
            Err(SqliteTargetError::Outside)
        );
        let fifo = allowed.join("fifo.db");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        assert_eq!(
            targets.resolve(&uri(&fifo)),
            Err(SqliteTargetError::NotAFile)
        );
        assert_eq!(
            targets.resolve(&uri(&std::path::PathBuf::from("/dev/null"))),
            Err(SqliteTargetError::Outside)
        );
    }
}

#[tokio::test]
async fn sqlite_connections_need_the_configured_folder() {
    let files = TempDir::new();
    let database = files.0.join("app.db");
    std::fs::write(&database, "").expect("a file");
    let uri = format!("sqlite://{}", database.display());
    let outside = TempDir::new();
    let elsewhere = outside.0.join("other.db");
    std::fs::write(&elsewhere, "").expect("a file");
    for allowed in [false, true] {
        let s = setup_with(|config| {
            config.sqlite_dir = allowed.then(|| files.0.clone());
        })
        .await;
        let workspace = s
            .store
            .create_workspace("w", s.admin.id)
            .await
            .expect("a workspace");
        let path = format!("/api/v1/workspaces/{}/connections", workspace.id);
        let reply = s
            .app
            .call(
                Method::POST,
                &path,
                Some(&s.admin_token),
                Some(json!({ "name": "c", "db_type": "sqlite", "uri": uri })),
            )
            .await;
        if !allowed {
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
            assert!(
                reply.json()["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("--sqlite-dir")),
                "{}",
                reply.text
            );
            continue;
        }
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let id = reply.json()["id"].as_str().expect("an id").to_string();
        let reply = s
            .app
            .call(
                Method::POST,
                &path,
                Some(&s.admin_token),
                Some(json!({ "name": "d", "db_type": "sqlite", "uri": format!("sqlite://{}", elsewhere.display()) })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        let reply = s
            .app
            .call(
                Method::PATCH,
                &format!("{path}/{id}"),
                Some(&s.admin_token),
                Some(json!({ "uri": "sqlite:///etc/passwd" })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        // A file replaced by something else after it was saved is refused at test time.
        std::fs::remove_file(&database).expect("removed");
        std::fs::create_dir(&database).expect("a folder in its place");
        let reply = s
            .app
            .call(
                Method::POST,
                &format!("{path}/{id}/test"),
                Some(&s.admin_token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(reply.json()["ok"], false);
        assert_eq!(
            reply.json()["error"],
            "the SQLite path is not a regular file"
        );
    }
}

#[tokio::test]
async fn connections_saved_after_a_rotation_are_sealed_under_the_new_key() {
    use carta_store::secrets::Keyring;
    let dir = TempDir::new();
    let key_file = dir.0.join("carta.key");
    let old_key = Keyring::generate_key();
    std::fs::write(&key_file, format!("{old_key}\n")).expect("a key file");
    let s = setup_with(|config| {
        config.keyring = Keyring::from_env_or_file(None, Some(&key_file)).expect("a keyring");
        config.key_file = Some(key_file.clone());
    })
    .await;
    let workspace = s
        .store
        .create_workspace("w", s.admin.id)
        .await
        .expect("a workspace");
    // `carta admin rotate-key` in another process: a new key first.
    let new_key = Keyring::generate_key();
    std::fs::write(&key_file, format!("{new_key}\n{old_key}\n")).expect("rotated");
    // Coarse file-system clocks could leave the time unchanged.
    std::fs::File::options()
        .write(true)
        .open(&key_file)
        .and_then(|file| file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5)))
        .expect("a new modification time");
    let rotated = Keyring::from_env_or_file(None, Some(&key_file)).expect("a keyring");
    let reply = s
        .app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{}/connections", workspace.id),
            Some(&s.admin_token),
            Some(json!({ "name": "c", "db_type": "postgres", "uri": "postgres://u:pw@db/app" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let sealed = s.store.sealed_uris().await.expect("sealed URIs");
    assert_eq!(sealed.len(), 1);
    assert_eq!(sealed[0].1.key_id, rotated.current_id());
}

#[tokio::test]
async fn wrong_current_passwords_are_limited_with_logins_and_audited() {
    let s = setup_with(|config| {
        config.login_limits = LoginLimits {
            per_account: 2,
            per_ip: 100,
            window: Duration::from_secs(600),
        };
    })
    .await;
    let ada = common::create_user(&s.store, "ada", UserRole::Developer).await;
    let session = common::session(&s.store, &ada).await;
    let change = |current: &str| {
        s.app.call(
            Method::POST,
            "/api/v1/me/password",
            Some(&session),
            Some(json!({ "current_password": current, "new_password": "a brand new password" })),
        )
    };
    for _ in 0..2 {
        assert_eq!(
            change("wrong password!").await.status,
            StatusCode::FORBIDDEN
        );
    }
    // The account is locked now: for password changes, even the right one, and for logins.
    let reply = change(PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.text
    );
    assert_eq!(
        login(&s.app, &ada.email, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let failures = s
        .store
        .audits(carta_store::AuditFilter {
            action: Some("auth.password_change_failed".into()),
            ..Default::default()
        })
        .await
        .expect("audits");
    assert_eq!(failures.len(), 2);
    assert!(failures.iter().all(|a| a.actor_id == Some(ada.id)));
}
