//! PostgreSQL: live introspection ([`ingest_live`]) and DDL files ([`ingest_ddl`]).
//! Both produce the same Catalog for the same schema; PostgreSQL-specific
//! knowledge (type names, expression spelling) lives here and nowhere else.

use carta_source::{DdlFile, IngestError, IngestOptions, Ingested};

/// Reads the schema of a running PostgreSQL server (12 or later).
pub async fn ingest_live(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (url, options);
    Err(IngestError::Query {
        message: "live PostgreSQL introspection is not built yet".into(),
    })
}

/// Reads PostgreSQL DDL files, applied in the order given.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (files, options);
    Err(IngestError::Query {
        message: "the PostgreSQL DDL reader is not built yet".into(),
    })
}
