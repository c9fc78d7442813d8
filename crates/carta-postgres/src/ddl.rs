use carta_source::{DdlFile, IngestError, IngestOptions, Ingested};

/// Reads PostgreSQL DDL files, applied in the order given.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (files, options);
    Err(IngestError::Query {
        message: "the PostgreSQL DDL reader is not built yet".into(),
    })
}
