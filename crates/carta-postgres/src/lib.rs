//! PostgreSQL: live introspection ([`ingest_live`]) and DDL files ([`ingest_ddl`]).
//! Both produce the same Catalog for the same schema; PostgreSQL-specific
//! knowledge (type names, expression spelling, implicit names) lives here
//! and nowhere else.

pub mod canon;
mod ddl;
mod live;
mod parser;
pub mod types;

pub use ddl::ingest_ddl;
pub use live::ingest_live;
