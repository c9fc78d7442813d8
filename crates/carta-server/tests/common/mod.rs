//! Shared by the server's tests: stores in temporary folders, the app in
//! process or on a real port, users and tokens made through the store (as
//! `carta admin create-user` does), and small request helpers.
#![allow(dead_code)] // each test binary uses its own subset

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use carta_server::{AppState, ServerConfig};
use carta_store::secrets::{self, Keyring};
use carta_store::{NewToken, NewUser, Scope, Store, TokenKind, User, UserRole};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use tower::ServiceExt as _;

pub mod receiver;

pub const PASSWORD: &str = "correct horse battery";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path = std::env::temp_dir().join(unique("carta-server-test-"));
        std::fs::create_dir_all(&path).expect("a temporary folder");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One argon2 hash of [`PASSWORD`] for every test user: hashing is slow in
/// debug builds, and the users differ by email, not password.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password(PASSWORD).expect("a hash"))
        .clone()
}

pub fn key() -> String {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(Keyring::generate_key).clone()
}

pub fn config(store_url: &str) -> ServerConfig {
    let keyring = Keyring::from_env_or_file(Some(&key()), None).expect("a keyring");
    ServerConfig::new(store_url, keyring)
}

/// A store in its own SQLite file, and the folder holding it.
pub async fn sqlite_store() -> (Store, TempDir) {
    let dir = TempDir::new();
    let store = Store::open(&format!("sqlite://{}", dir.0.join("store.db").display()))
        .await
        .expect("an SQLite store");
    (store, dir)
}

pub async fn create_user(store: &Store, name: &str, role: UserRole) -> User {
    store
        .create_user(NewUser {
            email: format!("{}@example.com", unique(name)),
            full_name: name.to_string(),
            password_hash: password_hash(),
            role,
        })
        .await
        .expect("a user")
}

/// A token for `user` made directly in the store, as a login would.
pub async fn token(store: &Store, user: &User, kind: TokenKind, scopes: &[Scope]) -> String {
    let secret = secrets::new_token();
    store
        .create_token(NewToken {
            user_id: user.id,
            kind,
            name: (kind == TokenKind::Api).then(|| "test".to_string()),
            token_hash: secret.hash,
            scopes: scopes.to_vec(),
            expires_at: Some(time::OffsetDateTime::now_utc() + time::Duration::hours(1)),
        })
        .await
        .expect("a token");
    secret.plain
}

pub async fn session(store: &Store, user: &User) -> String {
    token(
        store,
        user,
        TokenKind::Session,
        &[Scope::Read, Scope::Write],
    )
    .await
}

/// A response, decoded.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.text))
            .to_string()
    }
}

/// The app in process: requests go straight to the router.
#[derive(Clone)]
pub struct App {
    pub router: axum::Router,
}

impl App {
    pub fn new(state: AppState) -> App {
        App {
            router: carta_server::router(state),
        }
    }

    pub async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.raw(request.expect("a request")).await
    }
}

/// The server on a real port (127.0.0.1:0), stopped on drop.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    pub async fn start(state: AppState) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("its address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(carta_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Running {
            addr,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A client for [`Running`] servers, with JSON helpers.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(server: &Running) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: server.url(""),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        // reqwest and axum share the `http` crate's types.
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("user-agent", "carta-tests/1");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        Reply {
            status,
            headers,
            text,
        }
    }

    /// Creates a connection in the workspace at `ws` from `body`
    /// (`{name, db_type, uri, mode?}`), asserting `201`; its id.
    pub async fn create_connection(&self, token: &str, ws: &str, body: Value) -> String {
        let reply = self
            .send(
                Method::POST,
                &format!("{ws}/connections"),
                Some(token),
                Some(body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()["id"].as_str().expect("an id").to_string()
    }

    /// The job a `202` reply queued, once it has completed (asserting both).
    pub async fn completed_job(&self, token: &str, ws: &str, reply: Reply) -> Value {
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
        let id = reply.json()["id"].as_str().expect("a job id").to_string();
        let job = self.finished_job(token, ws, &id).await;
        assert_eq!(job["status"], "completed", "{job}");
        job
    }

    /// Syncs a connection and waits for the job to complete; the job.
    pub async fn synced(&self, token: &str, ws: &str, cid: &str) -> Value {
        let path = format!("{ws}/connections/{cid}/sync");
        let reply = self.send(Method::POST, &path, Some(token), None).await;
        self.completed_job(token, ws, reply).await
    }

    /// Polls a job of the workspace at `ws` (`/api/v1/workspaces/{id}`)
    /// until it has ended; its final body.
    pub async fn finished_job(&self, token: &str, ws: &str, job_id: &str) -> Value {
        let path = format!("{ws}/jobs/{job_id}");
        for _ in 0..600 {
            let reply = self.send(Method::GET, &path, Some(token), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            let job = reply.json();
            if ["completed", "failed", "cancelled"].contains(&job["status"].as_str().unwrap_or(""))
            {
                return job;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the job did not end: {path}");
    }

    /// Logs in and returns the session token, asserting success.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let reply = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({ "email": email, "password": password })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login: {}", reply.text);
        reply.json()["token"].as_str().expect("a token").to_string()
    }
}
