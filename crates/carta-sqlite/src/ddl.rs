//! SQLite DDL files, executed into an in-memory database so that what they
//! mean is what SQLite makes of them, then read back like a database file.
//!
//! Files are cut into statements at `;` outside quotes and comments. A
//! trigger body holds `;`s of its own: when SQLite answers "incomplete
//! input", the statement is extended to the next `;` and tried again, so
//! SQLite's own grammar finds the real end (`CASE ... END;` inside a body
//! included). Statements that cannot change the schema are skipped before
//! they reach SQLite; a statement SQLite rejects becomes a warning with its
//! position, and the rest of the file is still applied.

use crate::tokens::{tokenize, Kind, Token};
use carta_source::{DdlFile, Location, Warning};
use rusqlite::Connection;
use std::time::{Duration, Instant};

/// Statements that read or write rows, control transactions, or touch other
/// files: none changes the schema, and ATTACH and VACUUM INTO would write
/// files named by the DDL. Everything else goes to SQLite, which rejects
/// what is not SQL.
const SKIPPED: &[&str] = &[
    "SELECT",
    "VALUES",
    "WITH",
    "INSERT",
    "REPLACE",
    "UPDATE",
    "DELETE",
    "PRAGMA",
    "BEGIN",
    "COMMIT",
    "END",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "ANALYZE",
    "VACUUM",
    "REINDEX",
    "ATTACH",
    "DETACH",
    "EXPLAIN",
];

/// A DDL statement runs in microseconds; `CREATE TABLE ... AS SELECT` over a
/// runaway recursive query must not hang the reader.
const STATEMENT_TIME_LIMIT: Duration = Duration::from_secs(5);

/// How many virtual-machine steps pass between two looks at the clock.
const PROGRESS_STEPS: i32 = 10_000;

/// Longest excerpt of a statement shown in a warning.
const EXCERPT_CHARS: usize = 120;

/// Applies every file in order; returns a warning per rejected statement.
pub(crate) fn apply(conn: &mut Connection, files: &[DdlFile]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for file in files {
        apply_file(conn, file, &mut warnings);
    }
    warnings
}

fn apply_file(conn: &mut Connection, file: &DdlFile, warnings: &mut Vec<Warning>) {
    let text = file.text.as_str();
    let tokens = tokenize(text);
    let next_semicolon =
        |from: usize| (from..tokens.len()).find(|&i| tokens[i].is_punct(text, ';'));
    let mut pos = 0;
    while let Some(first) = (pos..tokens.len()).find(|&i| !tokens[i].is_trivia()) {
        let start = tokens[first];
        if start.is_punct(text, '.') {
            // A sqlite3 shell command (`.headers on`): one line, no semicolon.
            pos = (first..tokens.len())
                .find(|&i| tokens[i].kind == Kind::Space && tokens[i].text(text).contains('\n'))
                .map_or(tokens.len(), |i| i + 1);
            continue;
        }
        let first_end = next_semicolon(first).unwrap_or(tokens.len());
        pos = first_end + 1;
        let keyword = start.text(text).to_ascii_uppercase();
        let skipped = start.is_punct(text, ';')
            || (start.kind == Kind::Word && SKIPPED.contains(&keyword.as_str()));
        if skipped {
            continue;
        }
        let mut end = first_end;
        let error = loop {
            let sql = &text[start.start..statement_end(&tokens, end, text.len())];
            match execute(conn, sql) {
                Ok(()) => break None,
                Err(error) if is_incomplete(&error) && end < tokens.len() => {
                    end = next_semicolon(end + 1).unwrap_or(tokens.len());
                }
                Err(error) => break Some(error),
            }
        };
        pos = end + 1;
        let Some(error) = error else {
            continue;
        };
        let sql = &text[start.start..statement_end(&tokens, end, text.len())];
        let mut warning = warning(file, start.start, sql, &error);
        if is_incomplete(&error) {
            // Unterminated at the end of the file (a trigger without END):
            // go on after its first `;`, so it costs this statement only.
            pos = first_end + 1;
        } else if let Some(next) =
            swallowed_statement(&tokens, text, first_end, start.start, &error)
        {
            // Extended past a trigger body that never ended, into a statement
            // that cannot be part of one: that statement is applied on its own.
            let at = Location::at_offset(&file.path, text, tokens[next].start);
            warning.location = Some(Location::at_offset(&file.path, text, start.start));
            warning.message = format!(
                "statement not terminated (missing END?) before line {}",
                at.line
            );
            pos = next;
        }
        warnings.push(warning);
    }
}

/// The token where SQLite stopped, when it is the first word after a `;`
/// beyond the statement's first `;` and starts a schema statement of its own.
fn swallowed_statement(
    tokens: &[Token],
    text: &str,
    first_end: usize,
    start: usize,
    error: &rusqlite::Error,
) -> Option<usize> {
    let rusqlite::Error::SqlInputError { offset, .. } = error else {
        return None;
    };
    let at = start + usize::try_from(*offset).ok()?;
    let k = tokens.binary_search_by_key(&at, |t| t.start).ok()?;
    let previous = tokens[..k].iter().rev().find(|t| !t.is_trivia())?;
    let starts_statement = ["CREATE", "DROP", "ALTER"]
        .iter()
        .any(|w| tokens[k].is_word(text, w));
    (k > first_end && previous.is_punct(text, ';') && starts_statement).then_some(k)
}

/// The byte just past token `end` (a `;`), or the end of the text.
fn statement_end(tokens: &[Token], end: usize, len: usize) -> usize {
    tokens.get(end).map_or(len, |t| t.end)
}

fn execute(conn: &mut Connection, sql: &str) -> rusqlite::Result<()> {
    let started = Instant::now();
    conn.progress_handler(
        PROGRESS_STEPS,
        Some(move || started.elapsed() > STATEMENT_TIME_LIMIT),
    )?;
    let result = conn.execute(sql, []).map(drop);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    result
}

fn is_incomplete(error: &rusqlite::Error) -> bool {
    match error {
        rusqlite::Error::SqlInputError { msg, .. } => msg == "incomplete input",
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg == "incomplete input",
        _ => false,
    }
}

fn warning(file: &DdlFile, start: usize, sql: &str, error: &rusqlite::Error) -> Warning {
    let interrupted = error.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted);
    let (message, offset) = match error {
        _ if interrupted => (
            format!("stopped after {} s", STATEMENT_TIME_LIMIT.as_secs()),
            0,
        ),
        rusqlite::Error::SqlInputError { msg, offset, .. } => {
            (msg.clone(), usize::try_from(*offset).unwrap_or(0))
        }
        rusqlite::Error::SqliteFailure(_, Some(msg)) => (msg.clone(), 0),
        other => (other.to_string(), 0),
    };
    let first_line = sql.lines().next().unwrap_or_default().trim_end();
    let excerpt: String = first_line.chars().take(EXCERPT_CHARS).collect();
    let excerpt = if excerpt.len() < first_line.len() {
        format!("{excerpt}...")
    } else {
        excerpt
    };
    Warning {
        location: Some(Location::at_offset(&file.path, &file.text, start + offset)),
        object: None,
        message,
        excerpt: Some(excerpt),
    }
}
