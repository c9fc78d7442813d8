//! MySQL 8 and MariaDB 10.6+: live introspection ([`ingest_live`]) and
//! mysqldump-style DDL files ([`ingest_ddl`]). Both produce the same Catalog
//! for the same schema; what that takes is written down in
//! `docs/catalog-format-mysql.md`.

mod ddl;
mod expr;
mod lex;
mod live;
mod shape;
mod types;

use carta_source::{DdlFile, IngestError, IngestOptions, Ingested};

/// Reads the schema of the database named in a `mysql://` or `mariadb://` URL.
pub async fn ingest_live(url: &str, options: &IngestOptions) -> Result<Ingested, IngestError> {
    live::ingest(url, options).await
}

/// Reads MySQL DDL files (mysqldump output or hand-written), applied in the order given.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    ddl::ingest(files, options)
}
