//! `carta serve`: the platform's HTTP API over a store, until SIGINT or SIGTERM.

use carta_server::{LogFormat, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "CARTA_LISTEN", value_name = "ADDR", default_value_t = carta_server::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// The store: an SQLite file (sqlite://PATH or a path) or postgres://...
    #[arg(long, env = "CARTA_STORE_URL", value_name = "URL", default_value = carta_server::DEFAULT_STORE_URL)]
    store_url: String,
    /// File of master keys (base64, current first); otherwise CARTA_MASTER_KEY.
    #[arg(long, env = "CARTA_KEY_FILE", value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// Log lines as text or as JSON objects.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormatArg,
    /// Take client IPs from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "CARTA_TRUST_PROXY")]
    trust_proxy: bool,
    /// Largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let keyring = crate::admin::keyring(args.key_file.as_deref())?;
    let mut config = ServerConfig::new(args.store_url, keyring);
    config.listen = args.listen;
    config.key_file = args.key_file;
    config.log_format = match args.log_format {
        LogFormatArg::Text => LogFormat::Text,
        LogFormatArg::Json => LogFormat::Json,
    };
    config.trust_proxy = args.trust_proxy;
    config.max_body_bytes = args.max_body_bytes;
    carta_server::run(config, carta_server::shutdown_signal()).await?;
    Ok(())
}
