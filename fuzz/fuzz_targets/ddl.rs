//! Every DDL reader must turn any input into a Catalog and warnings, never a panic.
#![no_main]

use carta_source::{DdlFile, IngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = [DdlFile {
        path: "fuzz.sql".into(),
        text: text.to_string(),
    }];
    let options = IngestOptions::default();
    let _ = carta_postgres::ingest_ddl(&files, &options);
    let _ = carta_mysql::ingest_ddl(&files, &options);
    let _ = carta_sqlite::ingest_ddl(&files, &options);
});
