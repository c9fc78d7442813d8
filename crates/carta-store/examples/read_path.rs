//! Measures the store's share of an authenticated request: token by hash,
//! its user, and the user's membership of a workspace, as the server does
//! on every call. Prints requests per second and latency percentiles.
//!
//! `cargo run --release -p carta-store --example read_path -- [STORE_URL] [SECONDS] [TASKS]`
//! (default: a temporary SQLite file, 5 seconds, 32 concurrent tasks).

use std::time::{Duration, Instant};

use carta_store::{secrets, NewToken, NewUser, Scope, Store, TokenKind, UserRole};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scratch = std::env::temp_dir().join(format!("carta-read-path-{}", std::process::id()));
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", scratch.join("carta.db").display()));
    let seconds: u64 = args.next().map_or(Ok(5), |s| s.parse())?;
    let tasks: usize = args.next().map_or(Ok(32), |s| s.parse())?;

    let store = Store::open(&url).await?;
    let email = format!("bench-{}@example.com", uuid::Uuid::new_v4());
    let user = store
        .create_user(NewUser {
            email,
            full_name: "Bench".into(),
            password_hash: "unused".into(),
            role: UserRole::Analyst,
        })
        .await?;
    let workspace = store.create_workspace("bench", user.id).await?;
    let token = secrets::new_token();
    store
        .create_token(NewToken {
            user_id: user.id,
            kind: TokenKind::Api,
            name: Some("bench".into()),
            token_hash: token.hash,
            scopes: vec![Scope::Read],
            expires_at: None,
        })
        .await?;

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for _ in 0..tasks {
        let store = store.clone();
        let plain = token.plain.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let hash = secrets::token_hash(&plain);
                let found = store.token_by_hash(&hash).await?.ok_or("token vanished")?;
                store.touch_token(found.id, carta_store::now()).await?;
                store.user(found.user_id).await?.ok_or("user vanished")?;
                store
                    .membership(workspace.id, found.user_id)
                    .await?
                    .ok_or("membership vanished")?;
                latencies.push(started.elapsed());
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await?.map_err(|e| e.to_string())?);
    }
    if latencies.is_empty() {
        return Err("no request finished in time".into());
    }
    latencies.sort();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{:?} store, {tasks} tasks, {seconds} s: {:.0} requests/s, p50 {:?}, p99 {:?}",
        store.backend(),
        latencies.len() as f64 / seconds as f64,
        percentile(0.50),
        percentile(0.99),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
