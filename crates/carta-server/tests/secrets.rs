//! Connection passwords never leave the request that carries them: not in
//! any log line (everything is captured, at TRACE), not in a response, not
//! in the audit trail, and not in the store's file (sealed at rest).

mod common;

use axum::http::{Method, StatusCode};
use carta_server::AppState;
use carta_store::UserRole;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

const SECRET: &str = "hunter2-Very-S3cret";

/// A log writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(
            &self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_owned()
    }
}

/// Everything a file holds, as text (binary bytes replaced).
fn file_text(path: &std::path::Path) -> String {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn connection_passwords_appear_in_no_log_response_audit_or_store_file() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let (store, dir) = common::sqlite_store().await;
    let admin = common::create_user(&store, "admin", UserRole::Admin).await;
    let token = common::session(&store, &admin).await;
    let app =
        common::App::new(AppState::new(store.clone(), common::config("unused")).expect("a state"));
    let mut replies = Vec::new();

    let reply = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            Some(&token),
            Some(json!({ "name": "w" })),
        )
        .await;
    let ws = format!(
        "/api/v1/workspaces/{}",
        reply.json()["id"].as_str().expect("an id")
    );
    replies.push(reply);

    // A live PostgreSQL (trust auth ignores the password), a refused port,
    // a password in the query string, and one with characters that need
    // percent-encoding.
    let live = carta_testkit::PgDatabase::create();
    let uris = [
        live.url()
            .replacen("postgres@", &format!("postgres:{SECRET}@"), 1),
        format!("postgres://carta:{SECRET}@127.0.0.1:1/app"),
        format!("postgres://carta@127.0.0.1:1/app?password={SECRET}"),
        format!(
            "mysql://carta:{}@127.0.0.1:1/app",
            SECRET.replace('-', "%2D")
        ),
    ];
    let mut outcomes = Vec::new();
    for (index, uri) in uris.iter().enumerate() {
        let db_type = if uri.starts_with("mysql") {
            "mysql"
        } else {
            "postgres"
        };
        let reply = app
            .call(
                Method::POST,
                &format!("{ws}/connections"),
                Some(&token),
                Some(json!({ "name": format!("c{index}"), "db_type": db_type, "uri": uri })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let cid = reply.json()["id"].as_str().expect("an id").to_string();
        replies.push(reply);
        let test = app
            .call(
                Method::POST,
                &format!("{ws}/connections/{cid}/test"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(test.status, StatusCode::OK, "{}", test.text);
        outcomes.push(test.json()["ok"].clone());
        replies.push(test);
        let update = app
            .call(
                Method::PATCH,
                &format!("{ws}/connections/{cid}"),
                Some(&token),
                Some(json!({ "uri": uri })),
            )
            .await;
        assert_eq!(update.status, StatusCode::OK, "{}", update.text);
        replies.push(update);
    }
    // The live database answered; the others failed with a reason.
    assert_eq!(
        outcomes,
        [json!(true), json!(false), json!(false), json!(false)]
    );
    replies.push(
        app.call(
            Method::GET,
            &format!("{ws}/connections"),
            Some(&token),
            None,
        )
        .await,
    );
    replies.push(
        app.call(Method::GET, &format!("{ws}/audit"), Some(&token), None)
            .await,
    );
    let failed = replies
        .iter()
        .find(|reply| reply.text.contains("\"ok\":false"))
        .expect("a failed test");
    assert!(failed.json()["error"]
        .as_str()
        .is_some_and(|e| !e.is_empty()));

    let logs = logs.text();
    assert!(logs.contains("/connections"), "the capture works: {logs}");
    let encoded = SECRET.replace('-', "%2D");
    for secret in [SECRET, encoded.as_str()] {
        assert!(
            !logs.contains(secret),
            "a log line has the password:\n{logs}"
        );
        for reply in &replies {
            assert!(
                !reply.text.contains(secret),
                "a response has it: {}",
                reply.text
            );
        }
        let audits = store.audits(Default::default()).await.expect("audits");
        for audit in audits {
            assert!(!audit.details.to_string().contains(secret), "{audit:?}");
        }
        for file in ["store.db", "store.db-wal"] {
            assert!(
                !file_text(&dir.0.join(file)).contains(secret),
                "{file} holds the password in clear"
            );
        }
    }
}
