//! A fake OpenAI-compatible chat API for tests: an axum app on
//! 127.0.0.1:0 that answers `POST /v1/chat/completions` with scripted
//! replies, in order, and records every request. It runs on a thread and
//! runtime of its own, so plain tests (which run the `carta` binary) and
//! `#[tokio::test]`s can both use it. Shared by carta-ask's and
//! carta-cli's tests through `#[path]`.
#![allow(dead_code)] // each test file uses its own subset

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

/// One scripted answer.
#[derive(Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    /// A chat completion whose message is `content`, with token usage.
    pub fn answer(content: &str) -> Reply {
        Reply::json(serde_json::json!({
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        }))
    }

    /// A 200 answer with this JSON body.
    pub fn json(body: serde_json::Value) -> Reply {
        Reply::raw(200, &body.to_string())
    }

    /// Any status and body text.
    pub fn raw(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    /// Waits this long before answering.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub authorization: Option<String>,
    /// The JSON body (`null` when it was not JSON).
    pub body: serde_json::Value,
}

impl Recorded {
    /// The `content` of each message, in order.
    pub fn contents(&self) -> Vec<String> {
        self.body["messages"]
            .as_array()
            .map(|messages| {
                messages
                    .iter()
                    .map(|m| m["content"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    requests: Vec<Recorded>,
}

pub struct FakeProvider {
    /// The base URL to configure: `http://127.0.0.1:PORT/v1`.
    pub url: String,
    script: Arc<Mutex<Script>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeProvider {
    /// Serves `replies` in order; a request beyond them gets a 500 that
    /// says the script ran out.
    pub fn start(replies: Vec<Reply>) -> FakeProvider {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            requests: Vec::new(),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let url = format!(
            "http://{}/v1",
            listener.local_addr().expect("local address")
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(script.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the fake provider");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        FakeProvider {
            url,
            script,
            stop: Some(stop),
        }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.script.lock().expect("script lock").requests.clone()
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn complete(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let reply = {
        let mut script = script.lock().expect("script lock");
        script.requests.push(Recorded {
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        });
        script.replies.pop_front()
    };
    let Some(reply) = reply else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the fake provider's script ran out",
        )
            .into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).expect("a valid status"),
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("a valid header value"));
    }
    response
}
