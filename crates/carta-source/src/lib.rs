//! What every schema source shares: the options it is given, the warnings
//! and errors it returns, and the schema/table filter. Each source crate
//! (`carta-postgres`, `carta-mysql`, `carta-sqlite`) depends on this one
//! and on the Catalog, never on each other.

mod filter;

pub use filter::{Filter, FilterError};

use carta_catalog::{Catalog, CatalogError};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How to read a source.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Which schemas and tables to keep. Live sources push it into their catalog queries.
    pub filter: Filter,
    /// The schema that DDL without a schema lands in, where the dialect has no
    /// fixed default (MySQL: the database name). PostgreSQL DDL uses `public`
    /// and SQLite `main` regardless.
    pub default_schema: Option<String>,
    /// How long to wait for a server to accept a connection.
    pub connect_timeout: Duration,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            filter: Filter::default(),
            default_schema: None,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// One SQL file of a DDL source, already read. Files are applied in the order given.
#[derive(Debug, Clone)]
pub struct DdlFile {
    pub path: PathBuf,
    pub text: String,
}

/// A position in a DDL file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The 1-based line and column of byte `offset` in `text`.
    pub fn at_offset(file: &std::path::Path, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            file: file.to_path_buf(),
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Something a source could not fully read but went on past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in a DDL file, if it came from one.
    pub location: Option<Location>,
    /// The object concerned, e.g. `public.users`, when known.
    pub object: Option<String>,
    pub message: String,
    /// The start of the offending statement, one line, for the reader to recognize it.
    pub excerpt: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        if let Some(object) = &self.object {
            write!(f, "{object}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(excerpt) = &self.excerpt {
            write!(f, "\n    | {excerpt}")?;
        }
        Ok(())
    }
}

/// A source's result: the Catalog (already [`Catalog::finish`]ed) and what was skipped.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub catalog: Catalog,
    pub warnings: Vec<Warning>,
}

/// Why a source could not be read at all. Each kind has its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unknown source `{source_arg}`: expected postgres://, postgresql://, mysql://, mariadb://, sqlite://, a .db/.sqlite file, a .sql file or folder of them, or a Catalog .json")]
    UnknownSource { source_arg: String },
    #[error("invalid connection URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },
    #[error("could not connect to {host}:{port}: {message}")]
    Connect {
        host: String,
        port: u16,
        message: String,
    },
    #[error("timed out after {seconds} s connecting to {host}:{port}")]
    ConnectTimeout {
        host: String,
        port: u16,
        seconds: u64,
    },
    #[error("authentication failed for user `{user}` at {host}:{port}: {message}")]
    Auth {
        user: String,
        host: String,
        port: u16,
        message: String,
    },
    #[error("database `{database}` does not exist at {host}:{port}")]
    NoDatabase {
        database: String,
        host: String,
        port: u16,
    },
    #[error("{path}: {source}")]
    Snapshot {
        path: PathBuf,
        #[source]
        source: CatalogError,
    },
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    #[error("{0}")]
    Filter(#[from] FilterError),
    #[error("reading the schema failed: {message}")]
    Query { message: String },
}

impl IngestError {
    /// The process exit status `carta` uses for this error (documented in the README).
    pub fn exit_code(&self) -> i32 {
        match self {
            IngestError::NotFound { .. } | IngestError::Io { .. } => 3,
            IngestError::Connect { .. } | IngestError::ConnectTimeout { .. } => 4,
            IngestError::Auth { .. } | IngestError::NoDatabase { .. } => 5,
            IngestError::UnknownSource { .. }
            | IngestError::InvalidUrl { .. }
            | IngestError::Filter(_) => 6,
            IngestError::Snapshot { .. } | IngestError::Syntax { .. } => 7,
            IngestError::Query { .. } => 8,
        }
    }
}

/// Connection coordinates, for error messages that must never show a password:
/// the password after `user:` and any query parameter whose name mentions one
/// (`?password=...`, `sslpassword=...`) become `***`.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &base[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &base[..scheme_end + 3],
                    &credentials[..colon],
                    &base[at..]
                ),
                None => base.to_string(),
            }
        }
        _ => base.to_string(),
    };
    let Some(query) = query else {
        return base;
    };
    // `?password=...` (libpq, MySQL drivers) is as secret as the userinfo.
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.to_ascii_lowercase().contains("pass") => format!("{key}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "CREATE TABLE a();\n  CRÉATE oops;\n";
        let offset = text.find("oops").unwrap();
        let loc = Location::at_offset(Path::new("x.sql"), text, offset);
        assert_eq!((loc.line, loc.column), (2, 10));
        assert_eq!(loc.to_string(), "x.sql:2:10");
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact_url("postgres://bob:s3cret@db:5432/app"),
            "postgres://bob:***@db:5432/app"
        );
        assert_eq!(redact_url("postgres://db/app"), "postgres://db/app");
        assert_eq!(
            redact_url("postgres://db/app?user=bob&password=s3cret&sslmode=require"),
            "postgres://db/app?user=bob&password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("mysql://bob:pw@db/app?sslpassword=x"),
            "mysql://bob:***@db/app?sslpassword=***"
        );
    }

    #[test]
    fn every_error_kind_has_a_distinct_documented_code() {
        let connect = IngestError::ConnectTimeout {
            host: "h".into(),
            port: 1,
            seconds: 3,
        };
        let auth = IngestError::Auth {
            user: "u".into(),
            host: "h".into(),
            port: 1,
            message: "m".into(),
        };
        let missing = IngestError::NotFound { path: "x".into() };
        assert_eq!(
            [connect.exit_code(), auth.exit_code(), missing.exit_code()],
            [4, 5, 3]
        );
    }
}
