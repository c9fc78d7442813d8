//! A webhook receiver on a real port for the server's tests: a small axum
//! server on 127.0.0.1 that records every request and answers as scripted.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// Whether `Carta-Signature` is HMAC-SHA256(secret, "{timestamp}.{body}").
    pub fn signed_with(&self, secret: &str) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("a key");
        mac.update(format!("{}.{}", self.header("carta-timestamp"), self.body).as_bytes());
        let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
        self.header("carta-signature") == expected
    }
}

#[derive(Default)]
struct Recorded {
    requests: Vec<Received>,
    /// Statuses to answer per path, in turn; 200 once a script runs out.
    scripts: HashMap<String, VecDeque<u16>>,
}

/// A webhook receiver on a real port.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    recorded: Arc<Mutex<Recorded>>,
}

async fn receive(
    State(recorded): State<Arc<Mutex<Recorded>>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let path = format!("/hook/{name}");
    let mut recorded = recorded.lock().unwrap_or_else(PoisonError::into_inner);
    recorded.requests.push(Received {
        path: path.clone(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = recorded
        .scripts
        .get_mut(&path)
        .and_then(VecDeque::pop_front)
        .unwrap_or(200);
    (
        StatusCode::from_u16(status).expect("a status"),
        "boom: the receiver is down",
    )
}

impl Receiver {
    pub async fn start() -> Receiver {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let app = axum::Router::new()
            .route("/hook/{name}", axum::routing::post(receive))
            .with_state(recorded.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { addr, recorded }
    }

    pub fn url(&self, name: &str) -> String {
        format!("http://{}/hook/{name}", self.addr)
    }

    pub fn script(&self, name: &str, statuses: &[u16]) {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .scripts
            .insert(format!("/hook/{name}"), statuses.iter().copied().collect());
    }

    pub fn requests(&self, name: &str) -> Vec<Received> {
        let path = format!("/hook/{name}");
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Waits until `name` got a request for `event`; the first.
    pub async fn event(&self, name: &str, event: &str) -> Received {
        for _ in 0..600 {
            if let Some(found) = self
                .requests(name)
                .into_iter()
                .find(|r| r.header("carta-event") == event)
            {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{name} never got {event}: {:?}", self.requests(name));
    }
}
