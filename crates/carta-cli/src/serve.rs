//! `carta serve`: the platform's HTTP API over a store, until SIGINT or SIGTERM.

use carta_server::{LogFormat, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Each setting comes from its flag, else its environment variable, else
/// `[serve]` in carta.toml, else the default.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(
        long,
        env = "CARTA_LISTEN",
        hide_env_values = true,
        value_name = "ADDR"
    )]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    store: crate::admin::StoreArgs,
    /// File of master keys (base64, current first); otherwise CARTA_MASTER_KEY.
    #[arg(
        long,
        env = "CARTA_KEY_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    key_file: Option<PathBuf>,
    /// Log lines as text or as JSON objects [default: text].
    #[arg(long, value_enum)]
    log_format: Option<LogFormatArg>,
    /// Take client IPs from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "CARTA_TRUST_PROXY", hide_env_values = true)]
    trust_proxy: bool,
    /// Folder whose SQLite files connections may open; without it, SQLite
    /// connections are refused.
    #[arg(
        long,
        env = "CARTA_SQLITE_DIR",
        hide_env_values = true,
        value_name = "DIR"
    )]
    sqlite_dir: Option<PathBuf>,
    /// Largest request body accepted, in bytes [default: 65536].
    #[arg(long, value_name = "BYTES")]
    max_body_bytes: Option<usize>,
    /// Seconds without a heartbeat after which another server takes over a
    /// running job [default: 60].
    #[arg(long, env = "CARTA_JOB_STALE_AFTER", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    job_stale_after: Option<u64>,
    /// Let webhooks reach loopback, private and link-local addresses (the
    /// SSRF guard off): only for receivers on this host or network.
    #[arg(long, env = "CARTA_ALLOW_PRIVATE_WEBHOOKS", hide_env_values = true)]
    allow_private_webhooks: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let file = args.store.config.load()?.serve;
    let key_file = args.key_file.or(file.key_file.clone());
    let keyring = crate::admin::keyring(key_file.as_deref())?;
    let mut config = ServerConfig::new(args.store.url(&file), keyring);
    if let Some(listen) = args.listen.or(file.listen) {
        config.listen = listen;
    }
    config.key_file = key_file;
    config.sqlite_dir = args.sqlite_dir;
    config.log_format = match (args.log_format, file.log_format) {
        (Some(LogFormatArg::Json), _) | (None, Some(carta_config::LogFormat::Json)) => {
            LogFormat::Json
        }
        _ => LogFormat::Text,
    };
    config.trust_proxy = args.trust_proxy || file.trust_proxy.unwrap_or(false);
    if let Some(bytes) = args.max_body_bytes.or(file.max_body_bytes) {
        config.max_body_bytes = bytes;
    }
    if let Some(secs) = args
        .job_stale_after
        .or(file.job_stale_after_secs.map(std::num::NonZeroU64::get))
    {
        config.job_stale_after = std::time::Duration::from_secs(secs);
    }
    config.webhooks.allow_private =
        args.allow_private_webhooks || file.allow_private_webhooks.unwrap_or(false);
    for network in file.webhook_allowed_networks.iter().flatten() {
        let cidr = network
            .parse()
            .map_err(|e: String| anyhow::anyhow!("[serve] webhook_allowed_networks: {e}"))?;
        config.webhooks.allowed_networks.push(cidr);
    }
    carta_server::run(config, carta_server::shutdown_signal()).await?;
    Ok(())
}
