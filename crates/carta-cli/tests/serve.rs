//! `carta serve` and `carta admin`: the key requirement, bootstrapping a
//! user, key rotation, and a real server stopped by SIGTERM.

use carta_store::secrets::Keyring;
use carta_store::{ConnectionMode, DbType, NewConnection, Store};
use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary with none of the server's variables inherited.
fn carta() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carta"));
    for var in [
        "CARTA_MASTER_KEY",
        "CARTA_KEY_FILE",
        "CARTA_STORE_URL",
        "CARTA_LISTEN",
        "CARTA_ADMIN_PASSWORD",
    ] {
        command.env_remove(var);
    }
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("carta-cli-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

#[test]
fn serve_refuses_to_start_without_a_master_key_and_says_how_to_make_one() {
    let dir = temp_dir("nokey");
    let out = carta()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .output()
        .expect("carta runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("carta admin gen-key"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("carta-store.db").exists(), "no store is created");
}

#[test]
fn help_never_prints_the_values_of_secret_variables() {
    for args in [
        &["serve", "--help"][..],
        &["admin", "create-user", "--help"],
        &["admin", "rotate-key", "--help"],
    ] {
        let out = carta()
            .args(args)
            .env("CARTA_STORE_URL", "postgres://carta:hunter2-store@db/carta")
            .env("CARTA_KEY_FILE", "/secret/hunter2-keyfile")
            .output()
            .expect("carta runs");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("CARTA_STORE_URL"), "{args:?}: {help}");
        assert!(!help.contains("hunter2"), "{args:?}: {help}");
    }
}

#[test]
fn gen_key_prints_a_usable_key() {
    let out = carta()
        .args(["admin", "gen-key"])
        .output()
        .expect("carta runs");
    assert!(out.status.success());
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(key.len(), 44, "{key}");
    Keyring::from_env_or_file(Some(&key), None).expect("a valid key");
}

fn create_user(store: &str, email: &str, stdin: &str, env_password: Option<&str>) -> Output {
    let mut command = carta();
    command
        .args([
            "admin",
            "create-user",
            "--email",
            email,
            "--full-name",
            "Ada",
            "--admin",
        ])
        .args(["--store-url", store])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = env_password {
        command.env("CARTA_ADMIN_PASSWORD", password);
    }
    let mut child = command.spawn().expect("carta runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("written");
    child.wait_with_output().expect("carta ends")
}

#[tokio::test]
async fn create_user_reads_the_password_from_stdin_or_the_environment() {
    let dir = temp_dir("users");
    let store_url = format!("sqlite://{}", dir.join("store.db").display());
    let out = create_user(&store_url, "short@example.com", "too-short\n", None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("at least 10 characters"),
        "{}",
        stderr(&out)
    );
    let out = create_user(&store_url, "none@example.com", "", None);
    assert_eq!(out.status.code(), Some(1), "no default password");

    let out = create_user(&store_url, "Ada@Example.com", "piped password 1\n", None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("created admin ada@example.com"),
        "{}",
        stderr(&out)
    );
    let out = create_user(&store_url, "bob@example.com", "", Some("env password 12"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = create_user(&store_url, "ada@example.com", "piped password 1\n", None);
    assert_eq!(out.status.code(), Some(1), "duplicate email");

    let store = Store::open(&store_url).await.expect("the store");
    let ada = store
        .user_by_email("ada@example.com")
        .await
        .expect("a lookup")
        .expect("ada");
    assert!(carta_store::secrets::verify_password(
        "piped password 1",
        &ada.password_hash
    ));
    let bob = store
        .user_by_email("bob@example.com")
        .await
        .expect("a lookup")
        .expect("bob");
    assert!(carta_store::secrets::verify_password(
        "env password 12",
        &bob.password_hash
    ));
    let audits = store
        .audits(carta_store::AuditFilter {
            action: Some("user.create".into()),
            ..Default::default()
        })
        .await
        .expect("audits");
    assert_eq!(audits.len(), 2);
}

#[tokio::test]
async fn rotate_key_puts_a_new_key_first_and_reseals_every_uri() {
    let dir = temp_dir("rotate");
    let key_file = dir.join("carta.key");
    let old_key = Keyring::generate_key();
    std::fs::write(&key_file, format!("{old_key}\n")).expect("a key file");
    let old = Keyring::from_env_or_file(None, Some(&key_file)).expect("a keyring");
    let store_url = format!("sqlite://{}", dir.join("store.db").display());
    let store = Store::open(&store_url).await.expect("a store");
    let owner = store
        .create_user(carta_store::NewUser {
            email: "o@example.com".into(),
            full_name: "O".into(),
            password_hash: "unused".into(),
            role: carta_store::UserRole::Developer,
        })
        .await
        .expect("a user");
    let workspace = store
        .create_workspace("w", owner.id)
        .await
        .expect("a workspace");
    let uri = "postgres://app:pw@db/app";
    for name in ["a", "b"] {
        store
            .create_connection(NewConnection {
                workspace_id: workspace.id,
                name: name.into(),
                db_type: DbType::Postgres,
                mode: ConnectionMode::ReadOnly,
                uri: old.seal(uri),
                redacted_uri: "postgres://app:***@db/app".into(),
                created_by: Some(owner.id),
            })
            .await
            .expect("a connection");
    }
    drop(store);

    let out = carta()
        .args(["admin", "rotate-key", "--key-file"])
        .arg(&key_file)
        .args(["--store-url", &store_url])
        .output()
        .expect("carta runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 connection URIs re-encrypted"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&key_file).expect("the key file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], old_key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key file is private: {mode:o}");
    }
    let new = Keyring::from_env_or_file(None, Some(&key_file)).expect("a keyring");
    assert_ne!(new.current_id(), old.current_id());
    let store = Store::open(&store_url).await.expect("the store");
    for (_, sealed) in store.sealed_uris().await.expect("sealed uris") {
        assert_eq!(sealed.key_id, new.current_id());
        assert_eq!(new.open(&sealed).expect("opens"), uri);
    }

    // --check changes nothing and fails only while some URI is under an old key.
    let check = || {
        carta()
            .args(["admin", "rotate-key", "--check", "--key-file"])
            .arg(&key_file)
            .args(["--store-url", &store_url])
            .output()
            .expect("carta runs")
    };
    let out = check();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("0 connection URIs"));
    store
        .create_connection(NewConnection {
            workspace_id: workspace.id,
            name: "late".into(),
            db_type: DbType::Postgres,
            mode: ConnectionMode::ReadOnly,
            uri: old.seal(uri),
            redacted_uri: "postgres://app:***@db/app".into(),
            created_by: Some(owner.id),
        })
        .await
        .expect("a connection");
    let out = check();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 connection URIs"));
    assert_eq!(
        std::fs::read_to_string(&key_file).expect("the key file"),
        text,
        "--check rotates nothing"
    );
}

/// One HTTP/1.0 GET over a plain socket; the status line's code.
fn get_status(addr: &str, path: &str) -> Option<u16> {
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = temp_dir("run");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = carta()
        .args(["serve", "--listen", &addr, "--log-format", "json"])
        .env("CARTA_MASTER_KEY", Keyring::generate_key())
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .expect("carta runs");
    let started = Instant::now();
    let mut ready = None;
    while started.elapsed() < Duration::from_secs(30) && ready.is_none() {
        ready = get_status(&addr, "/readyz");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(ready, Some(200));
    assert_eq!(get_status(&addr, "/api/v1/me"), Some(401));
    assert!(
        dir.join("carta-store.db").exists(),
        "the default store is in the current folder"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("carta ends");
    assert!(out.status.success(), "{}", stderr(&out));
    let logs = stderr(&out);
    let first = logs.lines().next().expect("a log line");
    let line: serde_json::Value = serde_json::from_str(first).expect("JSON log lines");
    assert_eq!(line["level"], "INFO", "{first}");
    assert!(logs.contains("carta serve stopped"), "{logs}");
}

#[test]
fn carta_toml_serve_section_sets_the_store_listen_address_and_key_file() {
    let dir = temp_dir("toml");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    std::fs::write(
        dir.join("keys/carta.key"),
        format!("{}\n", Keyring::generate_key()),
    )
    .unwrap();
    std::fs::write(
        dir.join("carta.toml"),
        format!("[serve]\nlisten = \"127.0.0.1:{port}\"\nstore_url = \"sqlite://team.db\"\nkey_file = \"keys/carta.key\"\n"),
    )
    .unwrap();

    // `carta admin` opens the store carta.toml names.
    let out = carta()
        .args([
            "admin",
            "create-user",
            "--email",
            "ada@example.com",
            "--full-name",
            "Ada",
            "--admin",
        ])
        .env("CARTA_ADMIN_PASSWORD", "a long enough password")
        .current_dir(&dir)
        .output()
        .expect("carta runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("team.db").exists());

    // `carta serve` listens where carta.toml says, with the key file beside it.
    let child = carta()
        .args(["serve"])
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .expect("carta runs");
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let mut ready = None;
    while started.elapsed() < Duration::from_secs(30) && ready.is_none() {
        ready = get_status(&addr, "/readyz");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().expect("carta ends");
    assert_eq!(ready, Some(200), "{}", stderr(&out));
    assert!(
        !dir.join("carta-store.db").exists(),
        "not the default store"
    );
}
