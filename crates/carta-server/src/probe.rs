//! Connection URIs: checking what a client sends, redacting them for
//! display, and testing one by connecting and asking the server's version.
//! Every error text that leaves this module has the URI's password removed.

use carta_store::DbType;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a URI is not accepted; never includes the URI itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    #[error("the URI cannot be parsed: {0}")]
    Malformed(url::ParseError),
    #[error("the URI scheme `{0}` is not postgres://, mysql:// or sqlite://")]
    UnknownScheme(String),
    #[error("a {scheme}:// URI does not match db_type {db_type}")]
    Mismatch { scheme: String, db_type: DbType },
    #[error("the URI contains control characters")]
    ControlCharacter,
}

/// The database type a URI's scheme names.
pub fn db_type_of(uri: &str) -> Result<DbType, UriError> {
    parse(uri).map(|(_, db_type)| db_type)
}

fn parse(uri: &str) -> Result<(url::Url, DbType), UriError> {
    // The URL parser drops some control characters; the drivers see the raw text.
    if uri.chars().any(char::is_control) {
        return Err(UriError::ControlCharacter);
    }
    let parsed = url::Url::parse(uri).map_err(UriError::Malformed)?;
    let db_type = match parsed.scheme() {
        "postgres" | "postgresql" => DbType::Postgres,
        "mysql" | "mariadb" => DbType::Mysql,
        "sqlite" => DbType::Sqlite,
        other => return Err(UriError::UnknownScheme(other.to_string())),
    };
    Ok((parsed, db_type))
}

/// Checks that `uri` is a URI of `db_type`.
pub fn check_uri(uri: &str, db_type: DbType) -> Result<(), UriError> {
    let (parsed, actual) = parse(uri)?;
    if actual == db_type {
        Ok(())
    } else {
        // The parsed scheme only: the text before a `://` that may be
        // missing could be the whole URI, password included.
        Err(UriError::Mismatch {
            scheme: parsed.scheme().to_string(),
            db_type,
        })
    }
}

/// Why an SQLite path is not allowed as a connection target; never names
/// the path (it may be the server's own layout).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqliteTargetError {
    #[error("SQLite connections are disabled on this server: start it with --sqlite-dir DIR (or CARTA_SQLITE_DIR) to allow files under DIR")]
    Disabled,
    #[error("the SQLite file does not exist or cannot be read")]
    Missing,
    #[error("SQLite files must be under the server's --sqlite-dir folder")]
    Outside,
    #[error("the server's own store cannot be a connection")]
    Store,
    #[error("the SQLite path is not a regular file")]
    NotAFile,
}

/// Which SQLite files connections may open: regular files under one
/// configured folder, never the server's own store. Without the folder,
/// none: a path is otherwise a way to read any file the server can.
#[derive(Debug, Clone, Default)]
pub struct SqliteTargets {
    /// Canonical.
    dir: Option<PathBuf>,
    /// The store's file, canonical, when the store is SQLite and exists.
    store_file: Option<PathBuf>,
}

impl SqliteTargets {
    /// `dir` must exist; `store_file` is the store's path, if SQLite.
    pub fn new(dir: Option<&Path>, store_file: Option<&Path>) -> std::io::Result<SqliteTargets> {
        Ok(SqliteTargets {
            dir: dir.map(std::fs::canonicalize).transpose()?,
            store_file: store_file.and_then(|file| std::fs::canonicalize(file).ok()),
        })
    }

    /// The canonical path of an `sqlite:` URI's file, if it may be opened.
    /// The metadata is read without opening the file, so a FIFO or a
    /// device is refused before anything could block on it.
    pub fn resolve(&self, uri: &str) -> Result<PathBuf, SqliteTargetError> {
        let dir = self.dir.as_ref().ok_or(SqliteTargetError::Disabled)?;
        let path =
            std::fs::canonicalize(sqlite_path(uri)).map_err(|_| SqliteTargetError::Missing)?;
        if !path.starts_with(dir) {
            return Err(SqliteTargetError::Outside);
        }
        if let Some(store) = &self.store_file {
            // The store's journal files (`-wal`, `-shm`, `-journal`) too.
            let store = store.as_os_str().as_encoded_bytes();
            if path.as_os_str().as_encoded_bytes().starts_with(store) {
                return Err(SqliteTargetError::Store);
            }
        }
        let metadata = std::fs::metadata(&path).map_err(|_| SqliteTargetError::Missing)?;
        if !metadata.is_file() {
            return Err(SqliteTargetError::NotAFile);
        }
        Ok(path)
    }
}

/// The file part of an `sqlite://PATH` or `sqlite:PATH` URI.
pub fn sqlite_path(uri: &str) -> &str {
    uri.strip_prefix("sqlite://")
        .or_else(|| uri.strip_prefix("sqlite:"))
        .unwrap_or(uri)
}

/// Removes every spelling of the URI's secrets (the whole URI, its
/// password raw and percent-decoded) from a message.
pub fn scrub(message: &str, uri: &str) -> String {
    let mut secrets: Vec<String> = vec![uri.to_string()];
    if let Ok(parsed) = url::Url::parse(uri) {
        let passwords = parsed.password().map(str::to_string).into_iter().chain(
            parsed
                .query_pairs()
                .filter(|(key, _)| key.to_ascii_lowercase().contains("pass"))
                .map(|(_, value)| value.into_owned()),
        );
        for password in passwords {
            let decoded = percent_encoding::percent_decode_str(&password)
                .decode_utf8_lossy()
                .into_owned();
            secrets.push(decoded);
            secrets.push(password);
        }
    }
    let mut scrubbed = message.to_string();
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        let replacement = if secret == uri {
            carta_source::redact_url(uri)
        } else {
            "***".to_string()
        };
        scrubbed = scrubbed.replace(secret.as_str(), &replacement);
    }
    scrubbed
}

/// Connects and returns the server's version string, or why it could not
/// (scrubbed of the URI's secrets).
pub async fn server_version(
    db_type: DbType,
    uri: &str,
    sqlite_targets: &SqliteTargets,
    timeout: Duration,
) -> Result<String, String> {
    let attempt = async {
        match db_type {
            DbType::Postgres => postgres_version(uri).await,
            DbType::Mysql => mysql_version(uri).await,
            // Checked again: the file may have been replaced since the
            // connection was saved.
            DbType::Sqlite => match sqlite_targets.resolve(uri) {
                Ok(path) => sqlite_version(path).await,
                Err(refused) => Err(refused.to_string()),
            },
        }
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(version)) => Ok(version),
        Ok(Err(message)) => Err(scrub(&message, uri)),
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f64())),
    }
}

async fn postgres_version(uri: &str) -> Result<String, String> {
    let (client, connection) = tokio_postgres::connect(uri, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(connection);
    let version = client
        .query_one("SELECT version()", &[])
        .await
        .and_then(|row| row.try_get::<_, String>(0))
        .map_err(|e| e.to_string());
    drop(client);
    // The driver ends once the client is gone; its result adds nothing.
    let _ = driver.await;
    version
}

async fn mysql_version(uri: &str) -> Result<String, String> {
    use mysql_async::prelude::Queryable;
    let opts = mysql_async::Opts::from_url(uri).map_err(|e| e.to_string())?;
    let mut conn = mysql_async::Conn::new(opts)
        .await
        .map_err(|e| e.to_string())?;
    let version: Option<String> = conn
        .query_first("SELECT VERSION()")
        .await
        .map_err(|e| e.to_string())?;
    conn.disconnect().await.map_err(|e| e.to_string())?;
    version.ok_or_else(|| "the server returned no version".to_string())
}

/// SQLite files are opened read-only and never created: a test must not
/// leave files behind on the server.
async fn sqlite_version(path: PathBuf) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        use rusqlite::OpenFlags;
        let db = rusqlite::Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| e.to_string())?;
        // Reading the schema proves the file is a database, not just present.
        db.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
            row.get::<_, i64>(0)
        })
        .map_err(|e| e.to_string())?;
        db.query_row("SELECT 'SQLite ' || sqlite_version()", [], |row| row.get(0))
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_give_the_database_type() {
        assert_eq!(db_type_of("postgresql://h/db"), Ok(DbType::Postgres));
        assert_eq!(db_type_of("mariadb://h/db"), Ok(DbType::Mysql));
        assert_eq!(db_type_of("sqlite:///tmp/x.db"), Ok(DbType::Sqlite));
        assert!(matches!(db_type_of("http://h"), Err(UriError::UnknownScheme(s)) if s == "http"));
        assert!(matches!(
            db_type_of("not a uri"),
            Err(UriError::Malformed(_))
        ));
        assert!(check_uri("mysql://h/db", DbType::Postgres).is_err());
        let mismatch = check_uri("sqlite:u:hunter2@x", DbType::Postgres)
            .expect_err("a mismatch")
            .to_string();
        assert!(!mismatch.contains("hunter2"), "{mismatch}");
        assert!(mismatch.contains("sqlite"), "{mismatch}");
        assert_eq!(
            db_type_of("postgres://h/db\0"),
            Err(UriError::ControlCharacter)
        );
        assert_eq!(
            db_type_of("postgres://h/d\tb"),
            Err(UriError::ControlCharacter)
        );
    }

    #[test]
    fn redaction_masks_userinfo_and_password_parameters() {
        assert_eq!(
            carta_source::redact_url(
                "postgres://ada:s3cret@db:5432/app?sslmode=require&password=other"
            ),
            "postgres://ada:***@db:5432/app?sslmode=require&password=***"
        );
        assert_eq!(
            carta_source::redact_url("sqlite:///data/x.db"),
            "sqlite:///data/x.db"
        );
    }

    #[test]
    fn scrubbing_removes_raw_and_decoded_passwords() {
        let uri = "postgres://ada:p%40ss%3Aword@db/app";
        let message = format!("failed for {uri}: password p@ss:word or p%40ss%3Aword rejected");
        let scrubbed = scrub(&message, uri);
        assert!(!scrubbed.contains("p@ss:word"), "{scrubbed}");
        assert!(!scrubbed.contains("p%40ss%3Aword"), "{scrubbed}");
        assert!(scrubbed.contains("postgres://ada:***@db/app"), "{scrubbed}");
    }
}
