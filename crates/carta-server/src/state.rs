//! What every handler shares: the store, the keyring, the login limiter and
//! the settings taken from [`ServerConfig`].

use crate::config::ServerConfig;
use crate::error::{ApiError, ServerError};
use crate::extract::ClientMeta;
use crate::probe::{self, SqliteTargets};
use crate::ratelimit::LoginLimiter;
use carta_store::secrets::{self, Keyring, SecretError};
use carta_store::{Backend, NewAudit, SealedUri, Store};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};
use uuid::Uuid;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// Names this server process in the job queue's claims.
    instance_id: String,
    keyring: RwLock<Arc<Keyring>>,
    key_file: Option<PathBuf>,
    /// The key file's modification time when it was last read: sealing
    /// rereads the file when it changed, so a URI saved after `carta admin
    /// rotate-key` is sealed under the new key.
    key_file_modified: Mutex<Option<SystemTime>>,
    limiter: LoginLimiter,
    /// A real argon2id hash of a random password: logins for unknown emails
    /// verify against it, so they take as long as a wrong password.
    decoy_hash: String,
    session_ttl: Duration,
    trust_proxy: bool,
    max_body_bytes: usize,
    connection_test_timeout: Duration,
    sqlite_targets: SqliteTargets,
    job_stale_after: Duration,
    webhooks: crate::config::WebhookSettings,
}

/// One audit entry, as handlers describe it; [`AppState::audit`] adds who
/// and from where.
pub struct AuditEvent<'a> {
    pub action: &'a str,
    pub workspace_id: Option<Uuid>,
    pub resource_type: &'a str,
    pub resource_id: Option<String>,
    pub details: serde_json::Value,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> Result<AppState, ServerError> {
        let decoy_hash = secrets::hash_password(&secrets::new_token().plain)?;
        let store_file = (store.backend() == Backend::Sqlite)
            .then(|| Path::new(probe::sqlite_path(&config.store_url)));
        let sqlite_targets =
            SqliteTargets::new(config.sqlite_dir.as_deref(), store_file).map_err(|source| {
                ServerError::SqliteDir {
                    dir: config.sqlite_dir.clone().unwrap_or_default(),
                    source,
                }
            })?;
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                instance_id: Uuid::new_v4().to_string(),
                keyring: RwLock::new(Arc::new(config.keyring)),
                key_file_modified: Mutex::new(config.key_file.as_deref().and_then(modified)),
                key_file: config.key_file,
                limiter: LoginLimiter::new(config.login_limits),
                decoy_hash,
                session_ttl: config.session_ttl,
                trust_proxy: config.trust_proxy,
                max_body_bytes: config.max_body_bytes,
                connection_test_timeout: config.connection_test_timeout,
                sqlite_targets,
                job_stale_after: config.job_stale_after,
                webhooks: config.webhooks,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// This process's name in the job queue, unique to it.
    pub fn instance_id(&self) -> &str {
        &self.inner.instance_id
    }

    pub fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    pub fn decoy_hash(&self) -> &str {
        &self.inner.decoy_hash
    }

    pub fn session_ttl(&self) -> Duration {
        self.inner.session_ttl
    }

    pub fn trust_proxy(&self) -> bool {
        self.inner.trust_proxy
    }

    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    pub fn connection_test_timeout(&self) -> Duration {
        self.inner.connection_test_timeout
    }

    /// How webhooks are delivered and automations scheduled.
    pub fn webhook_settings(&self) -> &crate::config::WebhookSettings {
        &self.inner.webhooks
    }

    /// See [`ServerConfig::job_stale_after`].
    pub fn job_stale_after(&self) -> Duration {
        self.inner.job_stale_after
    }

    pub fn sqlite_targets(&self) -> &SqliteTargets {
        &self.inner.sqlite_targets
    }

    fn keyring(&self) -> Arc<Keyring> {
        Arc::clone(
            &self
                .inner
                .keyring
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Seals under the current key, after rereading the key file if it
    /// changed since it was last read.
    pub fn seal(&self, uri: &str) -> SealedUri {
        let changed = self.inner.key_file.as_deref().and_then(|file| {
            let now = modified(file);
            let mut last = self
                .inner
                .key_file_modified
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (now != *last).then(|| {
                *last = now;
                file
            })
        });
        if let Some(file) = changed {
            // Unreadable mid-write, say: the keys in memory still seal
            // URIs that every server can open.
            if let Err(error) = self.reload_keys(file) {
                tracing::warn!(%error, "key file changed but cannot be read; sealing with the keys in memory");
            }
        }
        self.keyring().seal(uri)
    }

    /// Opens a sealed URI; under a key id this process does not know (a
    /// rotation happened since start), rereads the key file once and retries.
    pub fn open(&self, sealed: &SealedUri) -> Result<String, ApiError> {
        match (self.keyring().open(sealed), self.inner.key_file.as_deref()) {
            (Err(SecretError::UnknownKey(_)), Some(file)) => {
                self.reload_keys(file).map_err(|e| ApiError::internal(&e))?;
                self.keyring()
                    .open(sealed)
                    .map_err(|e| ApiError::internal(&e))
            }
            (opened, _) => opened.map_err(|e| ApiError::internal(&e)),
        }
    }

    fn reload_keys(&self, file: &Path) -> Result<(), SecretError> {
        let reloaded = Keyring::from_env_or_file(None, Some(file))?;
        *self
            .inner
            .keyring
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(reloaded);
        tracing::info!("key file reloaded after a key rotation");
        Ok(())
    }

    /// Appends to the audit trail. A request whose audit entry cannot be
    /// written fails: an unaudited mutation is worse than a failed one.
    pub async fn audit(
        &self,
        actor_id: Option<Uuid>,
        client: &ClientMeta,
        event: AuditEvent<'_>,
    ) -> Result<(), ApiError> {
        self.inner
            .store
            .append_audit(NewAudit {
                workspace_id: event.workspace_id,
                actor_id,
                action: event.action.to_string(),
                resource_type: event.resource_type.to_string(),
                resource_id: event.resource_id,
                details: event.details,
                ip: client.ip.map(|ip| ip.to_string()),
                user_agent: client.user_agent.clone(),
            })
            .await?;
        Ok(())
    }
}

/// A file's modification time; `None` when it cannot be read.
fn modified(file: &Path) -> Option<SystemTime> {
    std::fs::metadata(file).and_then(|m| m.modified()).ok()
}
