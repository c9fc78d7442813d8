//! SQLite: database files ([`ingest_file`]) and DDL ([`ingest_ddl`]).
//!
//! Both read the schema the same way, from a SQLite connection: a database
//! file opened read-only, or an in-memory database the DDL was executed
//! into. So a DDL file and a database built from it give the same Catalog,
//! with SQLite's own semantics (affinity, rowid aliases, what a statement
//! really creates). SQLite specifics are documented in
//! `docs/catalog-format-sqlite.md`.

mod create_sql;
mod ddl;
mod read;
mod tokens;
pub mod types;

use carta_catalog::{Catalog, Dialect};
use carta_source::{DdlFile, IngestError, IngestOptions, Ingested, Warning};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::io;
use std::path::Path;

/// Reads the schema of a SQLite database file.
///
/// The file is opened read-only and is never created or changed; reads run
/// in one transaction, so a database in use gives a consistent snapshot.
/// While another connection holds a write lock, the read waits up to
/// `options.connect_timeout`.
pub fn ingest_file(path: &Path, options: &IngestOptions) -> Result<Ingested, IngestError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(IngestError::NotFound { path: path.into() })
        }
        Err(source) => {
            return Err(IngestError::Io {
                path: path.into(),
                source,
            })
        }
        Ok(meta) if meta.is_dir() => {
            return Err(IngestError::Io {
                path: path.into(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is a directory, not a SQLite database file",
                ),
            })
        }
        Ok(_) => {}
    }
    let file_error = |error: rusqlite::Error| file_error(path, error);
    // No SQLITE_OPEN_CREATE: a missing file is an error, never a new database.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(file_error)?;
    conn.busy_timeout(options.connect_timeout)
        .map_err(file_error)?;
    let (schema, warnings) = read::read_schema(&conn).map_err(file_error)?;
    finish(schema, warnings, options)
}

/// Executes SQLite DDL files, in order, into an in-memory database and reads
/// its schema back. A statement SQLite rejects becomes a warning with its
/// file, line and column, and the rest is still applied; statements that
/// change no schema (queries, row changes, PRAGMA, transactions, ATTACH) are
/// skipped.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    let query_error = |error: rusqlite::Error| IngestError::Query {
        message: error.to_string(),
    };
    let mut conn = Connection::open_in_memory().map_err(query_error)?;
    let mut warnings = ddl::apply(&mut conn, files);
    let (schema, more) = read::read_schema(&conn).map_err(query_error)?;
    warnings.extend(more);
    finish(schema, warnings, options)
}

fn finish(
    schema: carta_catalog::Schema,
    warnings: Vec<Warning>,
    options: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let mut catalog = Catalog::new(Dialect::Sqlite);
    catalog.schemas.push(schema);
    options.filter.apply(&mut catalog)?;
    Ok(Ingested {
        catalog: catalog.finish(),
        warnings,
    })
}

/// Sorts a SQLite failure on a file into the error kinds users act on.
fn file_error(path: &Path, error: rusqlite::Error) -> IngestError {
    let io_error = |kind, message: String| IngestError::Io {
        path: path.into(),
        source: io::Error::new(kind, message),
    };
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => io_error(
            io::ErrorKind::InvalidData,
            "not a SQLite database (or an encrypted one)".to_string(),
        ),
        Some(ErrorCode::CannotOpen) => io_error(io::ErrorKind::Other, error.to_string()),
        Some(ErrorCode::PermissionDenied) => {
            io_error(io::ErrorKind::PermissionDenied, error.to_string())
        }
        Some(ErrorCode::DatabaseCorrupt) => io_error(
            io::ErrorKind::InvalidData,
            format!("the database file is damaged: {error}"),
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => IngestError::Query {
            message: format!("{}: locked by another connection: {error}", path.display()),
        },
        _ => IngestError::Query {
            message: format!("{}: {error}", path.display()),
        },
    }
}
