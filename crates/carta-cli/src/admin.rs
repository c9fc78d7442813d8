//! `carta admin`: operations on the store that need no running server:
//! bootstrapping users, generating and rotating master keys.

use anyhow::{bail, Context as _};
use carta_store::secrets::{self, Keyring, SecretError};
use carta_store::{NewAudit, NewUser, Store, UserRole};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a user (the first admin, typically). The password comes from
    /// CARTA_ADMIN_PASSWORD, a prompt on a terminal, or standard input.
    CreateUser(CreateUserArgs),
    /// Put a new master key first in the key file and re-encrypt every
    /// connection URI under it; running servers keep working. With
    /// --check, only count the URIs not under the current key.
    RotateKey(RotateKeyArgs),
    /// Print a new random master key (base64 of 32 bytes).
    GenKey,
}

#[derive(clap::Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    email: String,
    #[arg(long)]
    full_name: String,
    /// Make the user a global admin (same as --role admin).
    #[arg(long, conflicts_with = "role")]
    admin: bool,
    /// Global role.
    #[arg(long, value_enum, default_value = "developer")]
    role: RoleArg,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct RotateKeyArgs {
    /// The key file to rotate (older keys are kept below the new one) [default: `[serve] key_file`].
    #[arg(
        long,
        env = "CARTA_KEY_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    key_file: Option<PathBuf>,
    /// Rotate nothing: count the connection URIs not sealed under the
    /// current key (exit status 0 when there are none, 1 otherwise).
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Which store to open: the flag, else CARTA_STORE_URL, else `[serve]
/// store_url` in carta.toml, else `sqlite://carta-store.db`.
#[derive(clap::Args)]
pub struct StoreArgs {
    /// The store: an SQLite file (sqlite://PATH or a path) or postgres://... [default: sqlite://carta-store.db].
    #[arg(
        long,
        env = "CARTA_STORE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    store_url: Option<String>,
    #[command(flatten)]
    pub config: crate::config::ConfigArg,
}

impl StoreArgs {
    pub fn url(&self, file: &carta_config::ServeOptions) -> String {
        self.store_url
            .clone()
            .or_else(|| file.store_url.clone())
            .unwrap_or_else(|| carta_server::DEFAULT_STORE_URL.to_string())
    }

    async fn open(&self) -> anyhow::Result<Store> {
        let file = self.config.load()?.serve;
        Ok(Store::open(&self.url(&file)).await?)
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Admin,
    Developer,
    Analyst,
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::CreateUser(args) => create_user(args).await,
        Command::RotateKey(args) => rotate_key(args).await,
        Command::GenKey => {
            println!("{}", Keyring::generate_key());
            Ok(())
        }
    }
}

/// The master keys from CARTA_MASTER_KEY or `key_file`, with a hint on how
/// to make one when there is none.
pub fn keyring(key_file: Option<&Path>) -> anyhow::Result<Keyring> {
    let env = std::env::var("CARTA_MASTER_KEY").ok();
    match Keyring::from_env_or_file(env.as_deref(), key_file) {
        Err(SecretError::NoKey) => bail!(
            "no master key: create one with `carta admin gen-key > carta.key && chmod 600 carta.key` \
             and pass --key-file carta.key (or set CARTA_MASTER_KEY to its value)"
        ),
        other => Ok(other?),
    }
}

async fn create_user(args: CreateUserArgs) -> anyhow::Result<()> {
    let role = match (args.admin, args.role) {
        (true, _) | (false, RoleArg::Admin) => UserRole::Admin,
        (false, RoleArg::Developer) => UserRole::Developer,
        (false, RoleArg::Analyst) => UserRole::Analyst,
    };
    let email = carta_server::routes::validate_email(&args.email)?;
    let full_name = carta_server::routes::validate_name("full name", &args.full_name)?;
    let password = read_password()?;
    carta_server::routes::validate_password(&password)?;
    let password_hash = secrets::hash_password(&password)?;
    let store = args.store.open().await?;
    let user = store
        .create_user(NewUser {
            email,
            full_name,
            password_hash,
            role,
        })
        .await?;
    store
        .append_audit(NewAudit {
            workspace_id: None,
            actor_id: None,
            action: "user.create".into(),
            resource_type: "user".into(),
            resource_id: Some(user.id.to_string()),
            details: serde_json::json!({ "email": user.email, "role": user.role, "via": "carta admin" }),
            ip: None,
            user_agent: None,
        })
        .await?;
    eprintln!("created {} {} ({})", user.role, user.email, user.id);
    Ok(())
}

/// CARTA_ADMIN_PASSWORD, else a prompt (twice, not echoed) on a terminal,
/// else the first line of standard input. There is no default password.
fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("CARTA_ADMIN_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let again =
            rpassword::prompt_password("Password again: ").context("reading the password")?;
        if first != again {
            bail!("the passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password: set CARTA_ADMIN_PASSWORD or pipe it on standard input");
    }
    Ok(password)
}

async fn rotate_key(args: RotateKeyArgs) -> anyhow::Result<()> {
    let file = args.store.config.load()?.serve;
    let Some(path) = args.key_file.as_ref().or(file.key_file.as_ref()) else {
        bail!("give the key file to rotate: --key-file, CARTA_KEY_FILE or [serve] key_file in carta.toml");
    };
    // Refuse to touch a file that does not already hold valid keys.
    let current = Keyring::from_env_or_file(None, Some(path))?;
    if args.check {
        return check_keys(&args.store.open().await?, &current).await;
    }
    let old_text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let new_key = Keyring::generate_key();
    write_secret_file(path, &format!("{new_key}\n{old_text}"))
        .with_context(|| format!("writing {}", path.display()))?;
    let keyring = Keyring::from_env_or_file(None, Some(path))?;
    let store = args.store.open().await?;
    let (mut resealed, mut changed_meanwhile) = (0u64, 0u64);
    for (id, sealed) in store.sealed_uris().await? {
        if sealed.key_id == keyring.current_id() {
            continue;
        }
        let uri = keyring
            .open(&sealed)
            .with_context(|| format!("opening connection {id}"))?;
        if store
            .reseal_uri(id, &sealed.key_id, keyring.seal(&uri))
            .await?
        {
            resealed += 1;
        } else {
            changed_meanwhile += 1;
        }
    }
    store
        .append_audit(NewAudit {
            workspace_id: None,
            actor_id: None,
            action: "key.rotate".into(),
            resource_type: "keyring".into(),
            resource_id: Some(keyring.current_id().to_string()),
            details: serde_json::json!({ "resealed": resealed, "changed_meanwhile": changed_meanwhile }),
            ip: None,
            user_agent: None,
        })
        .await?;
    println!(
        "new key {}: {resealed} connection URIs re-encrypted",
        keyring.current_id()
    );
    if changed_meanwhile > 0 {
        // Updated or deleted by a server between reading and resealing;
        // an updated one may still be under an old key.
        println!(
            "{changed_meanwhile} connection URIs changed or were deleted meanwhile and were left alone; \
             `carta admin rotate-key --check` counts any still under an old key"
        );
    }
    Ok(())
}

/// `rotate-key --check`: fails when some URI is not under the current key,
/// so old keys cannot yet be removed from the file.
async fn check_keys(store: &Store, keyring: &Keyring) -> anyhow::Result<()> {
    let stale = store
        .sealed_uris()
        .await?
        .into_iter()
        .filter(|(_, sealed)| sealed.key_id != keyring.current_id())
        .count();
    println!(
        "{stale} connection URIs not under the current key {}",
        keyring.current_id()
    );
    if stale > 0 {
        bail!("{stale} connection URIs are still sealed under older keys: run `carta admin rotate-key` before removing them");
    }
    Ok(())
}

/// Replaces `path` atomically with a file only its owner can read.
fn write_secret_file(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temporary = dir.join(format!(".carta-key.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            Err(e)
        }
    }
}
