//! Turns a source argument into a Catalog.
//!
//! The argument decides the source: `postgres://`/`postgresql://`,
//! `mysql://`/`mariadb://`, `sqlite://PATH` or a `.db`/`.sqlite`/`.sqlite3`
//! file, a `.sql` file or a folder of them (applied in name order), or a
//! saved Catalog `.json`. This crate only dispatches and reads files; each
//! dialect's knowledge lives in its own crate.

use carta_catalog::{Catalog, Dialect, SourceInfo, SourceKind};
use carta_source::{redact_url, DdlFile, IngestError, IngestOptions, Ingested};
use std::path::{Path, PathBuf};

mod declarations;

pub use carta_source::{Filter, Location, Warning};
pub use declarations::{Declarations, Spot};

/// A source argument, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Postgres {
        url: String,
    },
    Mysql {
        url: String,
    },
    SqliteFile {
        path: PathBuf,
    },
    /// SQL files in the order they are applied, with their dialect.
    Ddl {
        files: Vec<PathBuf>,
        dialect: Dialect,
    },
    Snapshot {
        path: PathBuf,
    },
}

impl Source {
    /// Classifies `arg`. `dialect` forces the dialect of DDL files; without
    /// it the dialect is recognized from the text (see [`guess_dialect`]).
    pub fn parse(arg: &str, dialect: Option<Dialect>) -> Result<Source, IngestError> {
        let lower = arg.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Source::Postgres { url: arg.into() });
        }
        if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            return Ok(Source::Mysql { url: arg.into() });
        }
        if let Some(path) = arg.strip_prefix("sqlite://") {
            return existing(Path::new(path)).map(|path| Source::SqliteFile { path });
        }
        if lower.contains("://") {
            return Err(IngestError::UnknownSource {
                source_arg: redact_url(arg),
            });
        }
        let path = existing(Path::new(arg))?;
        if path.is_dir() {
            let files = sql_files_in(&path)?;
            let dialect = match dialect {
                Some(d) => d,
                None => guess_dialect_of_files(&files)?,
            };
            return Ok(Source::Ddl { files, dialect });
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("db" | "sqlite" | "sqlite3") => Ok(Source::SqliteFile { path }),
            Some("json") => Ok(Source::Snapshot { path }),
            Some("sql" | "ddl") => {
                let dialect = match dialect {
                    Some(d) => d,
                    None => guess_dialect_of_files(std::slice::from_ref(&path))?,
                };
                Ok(Source::Ddl {
                    files: vec![path],
                    dialect,
                })
            }
            _ => Err(IngestError::UnknownSource {
                source_arg: arg.into(),
            }),
        }
    }
}

/// Reads any source into a finished Catalog.
pub async fn ingest(source: &Source, options: &IngestOptions) -> Result<Ingested, IngestError> {
    options.filter.validate()?;
    let mut ingested = match source {
        Source::Postgres { url } => carta_postgres::ingest_live(url, options).await?,
        Source::Mysql { url } => carta_mysql::ingest_live(url, options).await?,
        Source::SqliteFile { path } => carta_sqlite::ingest_file(path, options)?,
        Source::Ddl { files, dialect } => {
            let files = files
                .iter()
                .map(|path| {
                    read_file(path).map(|text| DdlFile {
                        path: path.clone(),
                        text,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            match dialect {
                Dialect::Postgres => carta_postgres::ingest_ddl(&files, options)?,
                Dialect::Mysql => carta_mysql::ingest_ddl(&files, options)?,
                Dialect::Sqlite => carta_sqlite::ingest_ddl(&files, options)?,
            }
        }
        Source::Snapshot { path } => {
            let text = read_file(path)?;
            let mut catalog =
                Catalog::from_json(&text).map_err(|source| IngestError::Snapshot {
                    path: path.clone(),
                    source,
                })?;
            options.filter.apply(&mut catalog)?;
            Ingested {
                catalog: catalog.finish(),
                warnings: Vec::new(),
            }
        }
    };
    if ingested.catalog.source.is_none() {
        ingested.catalog.source = Some(source_info(source));
    }
    Ok(ingested)
}

fn source_info(source: &Source) -> SourceInfo {
    let (kind, location) = match source {
        Source::Postgres { url } | Source::Mysql { url } => (SourceKind::Live, redact_url(url)),
        Source::SqliteFile { path } => (SourceKind::Live, path.display().to_string()),
        Source::Ddl { files, .. } => (
            SourceKind::Ddl,
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Source::Snapshot { path } => (SourceKind::Snapshot, path.display().to_string()),
    };
    SourceInfo {
        kind,
        location,
        server_version: None,
    }
}

fn existing(path: &Path) -> Result<PathBuf, IngestError> {
    if path.exists() {
        Ok(path.to_path_buf())
    } else {
        Err(IngestError::NotFound { path: path.into() })
    }
}

fn read_file(path: &Path) -> Result<String, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.into(),
        source,
    })?;
    // DDL dumps are UTF-8 in practice; a stray byte must not lose the whole file.
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The `.sql` files directly inside `dir`, sorted by name (migration order).
fn sql_files_in(dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let io_error = |source| IngestError::Io {
        path: dir.into(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        let is_sql = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("sql"));
        if is_sql && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(IngestError::Io {
            path: dir.into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no .sql files in folder"),
        });
    }
    Ok(files)
}

fn guess_dialect_of_files(files: &[PathBuf]) -> Result<Dialect, IngestError> {
    let mut votes = [0usize; 3];
    for path in files {
        let text = read_file(path)?;
        votes[guess_dialect(&text) as usize] += 1;
    }
    Ok(
        match votes.iter().enumerate().max_by_key(|(i, v)| (**v, 2 - i)) {
            Some((1, _)) => Dialect::Mysql,
            Some((2, _)) => Dialect::Sqlite,
            _ => Dialect::Postgres,
        },
    )
}

/// Recognizes the dialect of a DDL text from markers only one dialect uses;
/// PostgreSQL when nothing points elsewhere. `--dialect` overrides it.
pub fn guess_dialect(text: &str) -> Dialect {
    let upper = code_only(text).to_ascii_uppercase();
    let mysql = [
        "ENGINE=",
        "ENGINE =",
        "AUTO_INCREMENT",
        "/*!",
        "DELIMITER ",
        "`",
    ];
    let sqlite = ["AUTOINCREMENT", "WITHOUT ROWID", "PRAGMA ", ") STRICT"];
    let score = |markers: &[&str]| markers.iter().filter(|m| upper.contains(*m)).count();
    let (m, s) = (score(&mysql), score(&sqlite));
    if m > s && m > 0 {
        Dialect::Mysql
    } else if s > 0 && s >= m {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// The text with comments and the contents of quoted strings blanked out,
/// so that a backtick in a `--` comment or a string does not count as a
/// dialect marker. Backtick-quoted identifiers are kept: they are markers.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                // MySQL conditional comments (`/*!40101 ...`) are code and a marker.
                if chars.peek() == Some(&'!') {
                    out.push_str("/*");
                    continue;
                }
                let mut previous = ' ';
                for c in chars.by_ref() {
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
                out.push(' ');
            }
            '\'' => {
                out.push_str("''");
                while let Some(c) = chars.next() {
                    if c == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                            continue;
                        }
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_source() {
        assert!(matches!(
            Source::parse("postgresql://u@h/db", None),
            Ok(Source::Postgres { .. })
        ));
        assert!(matches!(
            Source::parse("mariadb://root@h/db", None),
            Ok(Source::Mysql { .. })
        ));
        let err = Source::parse("oracle://scott:tiger@h/db", None).unwrap_err();
        assert_eq!(err.exit_code(), 6);
        assert!(err.to_string().contains("oracle://scott:***@h/db"), "{err}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = Source::parse("no/such/schema.sql", None).unwrap_err();
        assert!(matches!(err, IngestError::NotFound { .. }));
        assert!(err.to_string().contains("no/such/schema.sql"));
        assert_eq!(err.exit_code(), 3);
    }

    #[test]
    fn dialect_markers() {
        assert_eq!(
            guess_dialect("CREATE TABLE `t` (id int AUTO_INCREMENT) ENGINE=InnoDB;"),
            Dialect::Mysql
        );
        assert_eq!(
            guess_dialect("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT) STRICT;"),
            Dialect::Sqlite
        );
        assert_eq!(
            guess_dialect("CREATE TABLE t (id bigserial primary key);"),
            Dialect::Postgres
        );
        assert_eq!(
            guess_dialect(
                "-- the `users` table\n/* `note` */\nCREATE TABLE users (note text DEFAULT 'it''s `x`');"
            ),
            Dialect::Postgres,
            "markers in comments and strings do not count"
        );
        assert_eq!(
            guess_dialect("/*!40101 SET NAMES utf8 */;\nCREATE TABLE t (id int);"),
            Dialect::Mysql
        );
    }

    #[test]
    fn folders_are_read_in_name_order() {
        let dir = std::env::temp_dir().join(format!("carta-ingest-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["002_b.sql", "001_a.sql", "notes.txt"] {
            std::fs::write(dir.join(name), "CREATE TABLE t (id int);").unwrap();
        }
        let source = Source::parse(dir.to_str().unwrap(), None).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        match source {
            Source::Ddl { files, dialect } => {
                let names: Vec<_> = files
                    .iter()
                    .map(|f| f.file_name().unwrap().to_str().unwrap().to_string())
                    .collect();
                assert_eq!(names, ["001_a.sql", "002_b.sql"]);
                assert_eq!(dialect, Dialect::Postgres);
            }
            other => panic!("expected DDL, got {other:?}"),
        }
    }
}
