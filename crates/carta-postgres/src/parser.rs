//! The one door to pg_query's parser.
//!
//! libpg_query collects parser warnings by pointing the whole process's
//! stderr at a pipe for the length of each parse. Two parses on different
//! threads at once can leave stderr pointing at a closed pipe, after which
//! any write to stderr fails (and `eprintln!` panics). Readers run on
//! several threads (the live reader canonicalizes on a blocking thread;
//! tests and servers run reads side by side), so every parse in this crate
//! goes through [`parse`], which holds a process-wide lock.

use std::sync::{Mutex, PoisonError};

static PARSER: Mutex<()> = Mutex::new(());

/// `pg_query::parse` with default parser options, one at a time per process.
pub(crate) fn parse(sql: &str) -> pg_query::Result<pg_query::ParseResult> {
    let _only_parse = PARSER.lock().unwrap_or_else(PoisonError::into_inner);
    pg_query::parse(sql, 0)
}
