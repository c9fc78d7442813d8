//! The server's configuration. The `carta serve` command fills it from
//! flags, environment variables (`CARTA_LISTEN`, `CARTA_STORE_URL`,
//! `CARTA_MASTER_KEY`, `CARTA_KEY_FILE`, ...) and `[serve]` in carta.toml.

use crate::ratelimit::LoginLimits;
use carta_store::secrets::Keyring;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The store used when none is given: a SQLite file in the current folder.
pub const DEFAULT_STORE_URL: &str = "sqlite://carta-store.db";
/// The address used when none is given: loopback only, so a server started
/// without thought is not reachable from the network.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

pub struct ServerConfig {
    pub listen: SocketAddr,
    pub store_url: String,
    pub keyring: Keyring,
    /// Where the keyring came from, if a file: reread (after `carta admin
    /// rotate-key`) before sealing when its modification time changed, and
    /// when a URI is sealed under a key id this process does not know yet.
    pub key_file: Option<PathBuf>,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    pub log_format: LogFormat,
    /// Take the client IP from `X-Forwarded-For` (only behind a proxy that
    /// sets it; otherwise clients could forge their address).
    pub trust_proxy: bool,
    /// How long a login session lasts (fixed, not sliding).
    pub session_ttl: Duration,
    pub login_limits: LoginLimits,
    /// How long `POST .../connections/{cid}/test` waits for the database.
    pub connection_test_timeout: Duration,
    /// The folder SQLite connections may point into; `None`: SQLite
    /// connections are refused.
    pub sqlite_dir: Option<PathBuf>,
    /// A running job whose server has not beaten for this long is taken
    /// over (requeued, or failed after its last attempt). Workers beat at a
    /// sixth of it.
    pub job_stale_after: Duration,
    /// Webhook deliveries and automation schedules.
    pub webhooks: WebhookSettings,
}

/// Shows key ids, never keys, and the store URL without its password.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("store_url", &carta_source::redact_url(&self.store_url))
            .field("keyring", &self.keyring)
            .field("key_file", &self.key_file)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("log_format", &self.log_format)
            .field("trust_proxy", &self.trust_proxy)
            .field("session_ttl", &self.session_ttl)
            .field("login_limits", &self.login_limits)
            .field("connection_test_timeout", &self.connection_test_timeout)
            .field("sqlite_dir", &self.sqlite_dir)
            .field("job_stale_after", &self.job_stale_after)
            .field("webhooks", &self.webhooks)
            .finish()
    }
}

impl ServerConfig {
    /// The defaults for everything but the store and the key.
    pub fn new(store_url: impl Into<String>, keyring: Keyring) -> ServerConfig {
        ServerConfig {
            listen: DEFAULT_LISTEN,
            store_url: store_url.into(),
            keyring,
            key_file: None,
            max_body_bytes: 64 * 1024,
            log_format: LogFormat::Text,
            trust_proxy: false,
            session_ttl: Duration::from_secs(12 * 60 * 60),
            login_limits: LoginLimits::default(),
            connection_test_timeout: Duration::from_secs(5),
            sqlite_dir: None,
            job_stale_after: Duration::from_secs(60),
            webhooks: WebhookSettings::default(),
        }
    }
}

/// How webhooks are delivered and automations scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Let webhooks reach loopback, private and link-local addresses (the
    /// SSRF guard off): for receivers on the same host or network only.
    pub allow_private: bool,
    /// Non-public networks webhooks may reach all the same.
    pub allowed_networks: Vec<crate::delivery::Cidr>,
    /// The first retry's delay; later ones grow from it (x6, x30, x180, x720).
    pub retry_base: Duration,
    /// Attempts before a delivery fails.
    pub max_attempts: u32,
    /// How long one attempt waits for the receiver.
    pub timeout: Duration,
    /// How long one minute of an automation's schedule lasts: 60 s, but
    /// tests shorten it.
    pub automation_minute: Duration,
}

impl Default for WebhookSettings {
    fn default() -> WebhookSettings {
        WebhookSettings {
            allow_private: false,
            allowed_networks: Vec::new(),
            retry_base: Duration::from_secs(10),
            max_attempts: 6,
            timeout: Duration::from_secs(10),
            automation_minute: Duration::from_secs(60),
        }
    }
}

impl WebhookSettings {
    /// Why a receiver at `ip` is refused, if it is: the kind of non-public
    /// address it is, unless private addresses or its network are allowed.
    pub fn refusal(&self, ip: std::net::IpAddr) -> Option<&'static str> {
        if self.allow_private || self.allowed_networks.iter().any(|net| net.contains(ip)) {
            return None;
        }
        crate::delivery::non_public(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_store_url_without_its_password() {
        let keyring =
            Keyring::from_env_or_file(Some(&Keyring::generate_key()), None).expect("a keyring");
        let config = ServerConfig::new("postgres://carta:hunter2@db/carta", keyring);
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("postgres://carta:***@db/carta"), "{debug}");
    }
}
