//! SQLite: database files ([`ingest_file`]) and DDL ([`ingest_ddl`]).

use carta_source::{DdlFile, IngestError, IngestOptions, Ingested};
use std::path::Path;

/// Reads the schema of a SQLite database file (opened read-only).
pub fn ingest_file(path: &Path, options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (path, options);
    Err(IngestError::Query {
        message: "SQLite introspection is not built yet".into(),
    })
}

/// Executes SQLite DDL files into an in-memory database and reads it back.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (files, options);
    Err(IngestError::Query {
        message: "the SQLite DDL reader is not built yet".into(),
    })
}
