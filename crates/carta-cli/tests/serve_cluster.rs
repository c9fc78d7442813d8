//! Several `carta serve` processes sharing one PostgreSQL store and its job
//! queue: a server killed in the middle of a job does not lose it (another
//! server takes it over once the heartbeats stop, and it runs to the end
//! once), and two live servers never run one job twice.
//!
//! The target database sits behind a TCP relay the test controls: while it
//! holds, a sync's connection is accepted and never answered, so the job
//! stays running for as long as the test needs.

use carta_store::secrets::Keyring;
use carta_store::Uuid;
use carta_store::{
    ConnectionMode, DbType, Job, JobKind, JobStatus, NewConnection, NewJob, NewUser, Store,
    UserRole,
};
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Seconds without a heartbeat before another server takes a job over.
const STALE_AFTER_SECS: &str = "2";
const PATIENCE: Duration = Duration::from_secs(60);

/// A TCP relay to the local PostgreSQL that can hold new connections.
struct Relay {
    port: u16,
    holding: Arc<AtomicBool>,
    /// Held connections stay open (unanswered) until the relay is dropped.
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn start() -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a relay port");
        let port = listener.local_addr().expect("an address").port();
        let holding = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Mutex::new(Vec::new()));
        let (hold, keep) = (Arc::clone(&holding), Arc::clone(&held));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if hold.load(Ordering::SeqCst) {
                    keep.lock().expect("the held list").push(client);
                } else if let Ok(server) = TcpStream::connect("127.0.0.1:5432") {
                    pipe(client, server);
                }
            }
        });
        Relay {
            port,
            holding,
            held,
        }
    }

    fn hold(&self, on: bool) {
        self.holding.store(on, Ordering::SeqCst);
    }

    fn held_connections(&self) -> usize {
        self.held.lock().expect("the held list").len()
    }
}

/// Copies both ways until either side closes.
fn pipe(client: TcpStream, server: TcpStream) {
    let copy = |mut from: TcpStream, mut to: TcpStream| {
        std::thread::spawn(move || {
            let mut buffer = [0u8; 16 * 1024];
            while let Ok(n) = from.read(&mut buffer) {
                if n == 0 || to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            let _ = to.shutdown(Shutdown::Write);
        });
    };
    match (client.try_clone(), server.try_clone()) {
        (Ok(client_reader), Ok(server_reader)) => {
            copy(client_reader, server);
            copy(server_reader, client);
        }
        _ => {
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

/// A `carta serve` process, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn start(store_url: &str, key: &str) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_carta"))
            .args(["serve", "--listen", &addr, "--store-url", store_url])
            .args(["--job-stale-after", STALE_AFTER_SECS])
            .env_remove("CARTA_KEY_FILE")
            .env("CARTA_MASTER_KEY", key)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("carta serve starts");
        let server = Server { child };
        let started = Instant::now();
        while ready(&addr) != Some(200) {
            assert!(started.elapsed() < PATIENCE, "the server did not get ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// As a crash would: no graceful shutdown, no last words to the store.
    fn kill(&mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ready(addr: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    write!(stream, "GET /readyz HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

/// A store on a throwaway PostgreSQL database, a workspace and a connection
/// to `target_url`, sealed with `key`.
async fn store_with_connection(
    store_db: &carta_testkit::PgDatabase,
    key: &str,
    target_url: &str,
) -> (Store, Uuid, Uuid) {
    let store = Store::open(&store_db.url())
        .await
        .expect("a PostgreSQL store");
    let owner = store
        .create_user(NewUser {
            email: "owner@example.com".into(),
            full_name: "Owner".into(),
            password_hash: "unused".into(),
            role: UserRole::Developer,
        })
        .await
        .expect("a user");
    let workspace = store
        .create_workspace("cluster", owner.id)
        .await
        .expect("a workspace");
    let keyring = Keyring::from_env_or_file(Some(key), None).expect("a keyring");
    let connection = store
        .create_connection(NewConnection {
            workspace_id: workspace.id,
            name: "target".into(),
            db_type: DbType::Postgres,
            mode: ConnectionMode::ReadOnly,
            uri: keyring.seal(target_url),
            redacted_uri: carta_source::redact_url(target_url),
            created_by: Some(owner.id),
        })
        .await
        .expect("a connection");
    (store, workspace.id, connection.id)
}

async fn enqueue_sync(store: &Store, workspace: Uuid, connection: Uuid) -> Job {
    store
        .enqueue_job(NewJob {
            workspace_id: workspace,
            kind: JobKind::Sync,
            payload: serde_json::json!({ "connection_id": connection }),
            created_by: None,
        })
        .await
        .expect("a job")
}

/// Polls the job until `done` says so.
async fn wait_for(store: &Store, job: &Job, done: impl Fn(&Job) -> bool) -> Job {
    let started = Instant::now();
    loop {
        let now = store
            .job(job.workspace_id, job.id)
            .await
            .expect("the store answers")
            .expect("the job exists");
        if done(&now) {
            return now;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the job did not get there: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ended(job: &Job) -> bool {
    matches!(
        job.status,
        JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
    )
}

#[tokio::test]
async fn a_job_whose_server_is_killed_is_taken_over_and_completed_once() {
    let target = carta_testkit::PgDatabase::create();
    target.execute("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL)");
    let relay = Relay::start();
    let target_url = target.url().replace(":5432/", &format!(":{}/", relay.port));
    assert_ne!(
        target_url,
        target.url(),
        "the target is reached through the relay"
    );
    let store_db = carta_testkit::PgDatabase::create();
    let key = Keyring::generate_key();
    let (store, workspace, connection) = store_with_connection(&store_db, &key, &target_url).await;

    relay.hold(true);
    let mut first = Server::start(&store_db.url(), &key);
    let job = enqueue_sync(&store, workspace, connection).await;
    let running = wait_for(&store, &job, |j| j.status == JobStatus::Running).await;
    let first_instance = running.claimed_by.clone().expect("a claimer");
    assert_eq!(running.attempts, 1);
    let started = Instant::now();
    while relay.held_connections() == 0 {
        assert!(
            started.elapsed() < PATIENCE,
            "the sync never reached the target"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill();

    // The dead server's claim stands until its heartbeats are stale, and no
    // one else runs the job meanwhile.
    let still = wait_for(&store, &job, |_| true).await;
    assert_eq!(still.status, JobStatus::Running);
    assert_eq!(still.claimed_by.as_deref(), Some(first_instance.as_str()));

    relay.hold(false);
    let _second = Server::start(&store_db.url(), &key);
    let done = wait_for(&store, &job, ended).await;
    assert_eq!(done.status, JobStatus::Completed, "{done:?}");
    assert_eq!(done.attempts, 2, "claimed once by each server");
    assert_ne!(done.claimed_by.as_deref(), Some(first_instance.as_str()));
    let versions = store
        .schema_versions(workspace, connection)
        .await
        .expect("versions");
    assert_eq!(versions.len(), 1, "the schema was kept once");
    let audits = store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(workspace),
            ..Default::default()
        })
        .await
        .expect("audits");
    let actions: Vec<&str> = audits.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "job.recovered").count(),
        1,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "job.completed").count(),
        1,
        "{actions:?}"
    );
}

#[tokio::test]
async fn two_servers_share_the_queue_and_run_each_job_once() {
    let target = carta_testkit::PgDatabase::create();
    target.execute("CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL)");
    let store_db = carta_testkit::PgDatabase::create();
    let key = Keyring::generate_key();
    let (store, workspace, connection) =
        store_with_connection(&store_db, &key, &target.url()).await;
    let _servers = [
        Server::start(&store_db.url(), &key),
        Server::start(&store_db.url(), &key),
    ];
    let mut jobs = Vec::new();
    for _ in 0..8 {
        jobs.push(enqueue_sync(&store, workspace, connection).await);
    }
    for job in &jobs {
        let done = wait_for(&store, job, ended).await;
        assert_eq!(done.status, JobStatus::Completed, "{done:?}");
        assert_eq!(done.attempts, 1, "no job was claimed twice: {done:?}");
    }
    let audits = store
        .audits(carta_store::AuditFilter {
            workspace_id: Some(workspace),
            ..Default::default()
        })
        .await
        .expect("audits");
    let completed = audits
        .iter()
        .filter(|a| a.action == "job.completed")
        .count();
    assert_eq!(completed, jobs.len(), "each job completed exactly once");
    let versions = store
        .schema_versions(workspace, connection)
        .await
        .expect("versions");
    assert_eq!(versions.len(), 1, "an unchanged schema is kept once");
}
