use carta_source::{IngestError, IngestOptions, Ingested};

/// Reads the schema of a running PostgreSQL server (12 or later).
pub async fn ingest_live(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (url, options);
    Err(IngestError::Query {
        message: "live PostgreSQL introspection is not built yet".into(),
    })
}
