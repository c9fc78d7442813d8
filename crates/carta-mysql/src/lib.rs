//! MySQL 8 and MariaDB 10.6+: live introspection ([`ingest_live`]) and
//! mysqldump-style DDL files ([`ingest_ddl`]).

use carta_source::{DdlFile, IngestError, IngestOptions, Ingested};

/// Reads the schema of the database named in a `mysql://` or `mariadb://` URL.
pub async fn ingest_live(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (url, options);
    Err(IngestError::Query {
        message: "live MySQL introspection is not built yet".into(),
    })
}

/// Reads MySQL DDL files, applied in the order given.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    let _ = (files, options);
    Err(IngestError::Query {
        message: "the MySQL DDL reader is not built yet".into(),
    })
}
