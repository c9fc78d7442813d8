//! Shared by the store's test files: both backends (an SQLite file in a
//! temporary folder, a fresh PostgreSQL database owned by a fresh role that
//! is not a superuser, so row-level security binds it), raw SQL beside the
//! store, and small constructors.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;

use carta_store::{
    Backend, ConnectionMode, DbType, NewAudit, NewConnection, NewUser, SealedUri, Store, UserRole,
    Uuid,
};

/// Runs a future on a runtime of its own thread: usable from `Drop` inside a test's runtime.
pub fn block_on<F>(future: F) -> F::Output
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime")
                    .block_on(future)
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

pub async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    tokio::spawn(connection);
    client
}

pub async fn admin(url: &str, statements: &[String]) {
    let client = pg_connect(url).await;
    for sql in statements {
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
    }
}

/// A fresh database owned by a fresh non-superuser role; both dropped on drop.
pub struct PgStoreDatabase {
    pub name: String,
    pub admin_url: String,
    pub url: String,
}

impl PgStoreDatabase {
    pub fn create() -> PgStoreDatabase {
        let server = carta_testkit::pg_server_url();
        let name = format!("carta_store_test_{}", Uuid::new_v4().simple());
        let admin_url = format!("{server}/postgres");
        // Two statements: CREATE DATABASE cannot run in a (multi-statement) transaction.
        let statements = [
            format!("CREATE ROLE {name} LOGIN PASSWORD 'store-test' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"),
            format!("CREATE DATABASE {name} OWNER {name}"),
        ];
        block_on(admin(&admin_url, &statements));
        let mut url = url::Url::parse(&server).expect("a PostgreSQL URL");
        url.set_username(&name).expect("a user");
        url.set_password(Some("store-test")).expect("a password");
        url.set_path(&name);
        PgStoreDatabase {
            url: url.to_string(),
            name,
            admin_url,
        }
    }
}

impl Drop for PgStoreDatabase {
    fn drop(&mut self) {
        let statements = [
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            format!("DROP ROLE IF EXISTS {}", self.name),
        ];
        block_on(admin(&self.admin_url, &statements));
    }
}

pub enum Database {
    Sqlite { dir: PathBuf },
    Postgres(PgStoreDatabase),
}

/// A store under test and raw access to the database behind it.
pub struct Env {
    pub store: Store,
    pub url: String,
    pub database: Database,
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Database::Sqlite { dir } = &self.database {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Env {
    pub async fn sqlite() -> Env {
        let dir = std::env::temp_dir().join(format!("carta-store-test-{}", Uuid::new_v4()));
        let url = format!("sqlite://{}", dir.join("nested/carta.db").display());
        let store = Store::open(&url).await.expect("open SQLite store");
        assert_eq!(store.backend(), Backend::Sqlite);
        Env {
            store,
            url,
            database: Database::Sqlite { dir },
        }
    }

    pub async fn postgres() -> Env {
        let database = PgStoreDatabase::create();
        let url = database.url.clone();
        let store = Store::open(&url).await.expect("open PostgreSQL store");
        assert_eq!(store.backend(), Backend::Postgres);
        Env {
            store,
            url,
            database: Database::Postgres(database),
        }
    }

    pub fn table(&self, name: &str) -> String {
        match self.database {
            Database::Sqlite { .. } => name.to_owned(),
            Database::Postgres(_) => format!("carta.{name}"),
        }
    }

    /// Runs SQL beside the store, as the role that owns its tables, across workspaces.
    pub async fn raw(&self, sql: &str) -> Result<(), String> {
        match &self.database {
            Database::Sqlite { .. } => {
                let path = self.url.strip_prefix("sqlite://").expect("an sqlite URL");
                let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                conn.execute_batch(sql).map_err(|e| e.to_string())
            }
            Database::Postgres(database) => {
                let client = pg_connect(&database.url).await;
                // Row-level security would hide every row from a statement
                // naming no workspace, so that no trigger would even fire.
                let sql = format!("SET carta.scope = 'system'; {sql}");
                client.batch_execute(&sql).await.map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |db| db.message().to_owned())
                })
            }
        }
    }

    pub async fn raw_count(&self, sql: &str) -> i64 {
        match &self.database {
            Database::Sqlite { .. } => {
                let path = self.url.strip_prefix("sqlite://").expect("an sqlite URL");
                let conn = rusqlite::Connection::open(path).expect("open");
                conn.query_row(sql, [], |row| row.get(0)).expect("count")
            }
            Database::Postgres(database) => {
                let client = pg_connect(&database.url).await;
                client.query_one(sql, &[]).await.expect("count").get(0)
            }
        }
    }
}

pub async fn user(store: &Store, email: &str, role: UserRole) -> carta_store::User {
    store
        .create_user(NewUser {
            email: email.into(),
            full_name: format!("User {email}"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            role,
        })
        .await
        .expect("create user")
}

pub fn sealed(text: &str, key: &str) -> SealedUri {
    SealedUri {
        ciphertext: text.as_bytes().to_vec(),
        key_id: key.into(),
    }
}

pub fn new_connection(workspace: Uuid, name: &str, by: Uuid) -> NewConnection {
    NewConnection {
        workspace_id: workspace,
        name: name.into(),
        db_type: DbType::Postgres,
        mode: ConnectionMode::ReadOnly,
        uri: sealed(&format!("sealed {name}"), "aaaaaaaa"),
        redacted_uri: format!("postgres://app:***@db/{name}"),
        created_by: Some(by),
    }
}

pub fn audit(workspace: Option<Uuid>, actor: Option<Uuid>, action: &str) -> NewAudit {
    NewAudit {
        workspace_id: workspace,
        actor_id: actor,
        action: action.into(),
        resource_type: "test".into(),
        resource_id: Some("r1".into()),
        details: serde_json::json!({ "action": action }),
        ip: Some("127.0.0.1".into()),
        user_agent: Some("store-test".into()),
    }
}

/// One `#[tokio::test]` per backend for each named `async fn(Env)`; the
/// invoking file imports `Env` (`#[macro_use] mod common;`).
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::Env::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::Env::postgres().await).await;
                }
            )*
        }
    };
}
