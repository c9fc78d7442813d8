//! The PostgreSQL DDL reader: SQL files parsed with the real PostgreSQL
//! grammar (pg_query) and applied statement by statement to a model of
//! the catalog, simulating what the server would store, so that the
//! result equals what [`crate::ingest_live`] reads after the same files
//! were run (implicit names, serial sequences, `format_type` spellings,
//! canonical expressions, partitions inheriting indexes and constraints).
//!
//! A statement that does not parse, or that names an object the files
//! never created, becomes a warning with its file, line and column; the
//! rest is still read.

mod ast;
mod model;
mod names;
mod objects;
mod split;
mod table;
mod typename;

use carta_catalog::{Catalog, Dialect};
use carta_source::{DdlFile, IngestError, IngestOptions, Ingested, Location, Warning};
use model::Model;
use pg_query::protobuf::RawStmt;
use pg_query::NodeEnum;
use std::fmt;
use std::ops::Range;

/// Reads PostgreSQL DDL files, applied in the order given.
pub fn ingest_ddl(files: &[DdlFile], options: &IngestOptions) -> Result<Ingested, IngestError> {
    options.filter.validate()?;
    let mut reader = Reader::default();
    for file in files {
        reader.read_file(file);
    }
    let mut catalog = Catalog::new(Dialect::Postgres);
    catalog.schemas = reader.model.schemas_for_catalog();
    catalog.extensions = reader.model.extensions();
    crate::types::resolve_user_types(&mut catalog, &["public"]);
    options.filter.apply(&mut catalog)?;
    catalog.source = None;
    Ok(Ingested {
        catalog: catalog.finish(),
        warnings: reader.warnings,
    })
}

/// Why one statement was not (fully) applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    object: Option<String>,
    message: String,
}

impl Problem {
    fn new(message: impl Into<String>) -> Self {
        Problem {
            object: None,
            message: message.into(),
        }
    }

    fn about(object: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            object: Some(object.into()),
            message: message.into(),
        }
    }

    /// A relation (table, view, index, sequence) whose name its schema already uses.
    fn relation_exists(schema: &str, name: &str) -> Self {
        Problem::about(
            ast::display_name(schema, name),
            format!("relation `{name}` already exists: the statement is skipped"),
        )
    }

    fn unknown(kind: &str, object: impl Into<String>) -> Self {
        let object = object.into();
        Problem {
            message: format!("unknown {kind} `{object}`: the statement is skipped"),
            object: Some(object),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Default)]
struct Reader {
    model: Model,
    warnings: Vec<Warning>,
}

impl Reader {
    /// Parses the file in runs of whole statements and applies each run
    /// before parsing the next: one parse tree for a whole large dump, and
    /// its trip through protobuf, would take gigabytes. A run that does not
    /// parse is read statement by statement, so one bad statement costs
    /// warnings for itself only.
    fn read_file(&mut self, file: &DdlFile) {
        // Each file starts a fresh session, as `psql -f` would.
        self.model.reset_session();
        let text = split::strip_meta_commands(&file.text);
        // Carta's own lexer finds the statements: the real scanner costs
        // more than a tenth of the whole read, and a run that does not parse
        // is cut again by the real scanner below.
        let pieces = split::fallback_split(&text);
        for run in runs(&pieces, RUN_BYTES) {
            match crate::parser::parse(run.text(&text)) {
                Ok(parsed) => {
                    for mut raw in parsed.protobuf.stmts {
                        raw.stmt_location += offset_i32(run.offset);
                        self.apply_raw(file, &text, raw);
                    }
                }
                Err(_) => self.read_statement_by_statement(file, &text, run.offset..run.end),
            }
        }
    }

    /// The slow path, for runs with errors: every statement of `range` on its own.
    fn read_statement_by_statement(&mut self, file: &DdlFile, text: &str, range: Range<usize>) {
        for piece in statements(text, range) {
            let start = piece.offset + split::first_token(piece.text);
            let statement = &text[start..piece.offset + piece.text.len()];
            if statement.trim().is_empty() {
                continue;
            }
            match crate::parser::parse(statement) {
                Ok(parsed) => {
                    for mut raw in parsed.protobuf.stmts {
                        raw.stmt_location += offset_i32(start);
                        self.apply_raw(file, text, raw);
                    }
                }
                Err(error) => {
                    let message = match error {
                        pg_query::Error::Parse(message) => message,
                        other => other.to_string(),
                    };
                    self.warn(
                        file,
                        text,
                        start,
                        Problem::new(format!("cannot parse statement: {message}")),
                    );
                }
            }
        }
    }

    fn apply_raw(&mut self, file: &DdlFile, text: &str, raw: RawStmt) {
        let location = usize::try_from(raw.stmt_location)
            .unwrap_or(0)
            .min(text.len());
        let Some(node) = raw.stmt.and_then(|s| s.node) else {
            return;
        };
        let start = location + split::first_token(text.get(location..).unwrap_or_default());
        if let Err(problem) = self.model.apply(node) {
            self.warn(file, text, start, problem);
        }
    }

    fn warn(&mut self, file: &DdlFile, text: &str, offset: usize, problem: Problem) {
        let offset = text.floor_char_boundary(offset.min(text.len()));
        let line = text[offset..].lines().next().unwrap_or_default().trim_end();
        let excerpt = names::clip(line, 120).to_string();
        self.warnings.push(Warning {
            location: Some(Location::at_offset(&file.path, &file.text, offset)),
            object: problem.object,
            message: problem.message,
            excerpt: (!excerpt.is_empty()).then_some(excerpt),
        });
    }
}

/// About how much SQL one parse call gets: enough that the cost of a
/// call vanishes, small enough that runs spread over the threads and one
/// run's parse tree stays small.
const RUN_BYTES: usize = 64 * 1024;

fn offset_i32(offset: usize) -> i32 {
    i32::try_from(offset).unwrap_or(i32::MAX)
}

/// The statements of `range`, cut by the real scanner, or where it gives up
/// (an unterminated quote, say) by Carta's own; offsets are into `text`.
fn statements(text: &str, range: Range<usize>) -> Vec<split::Piece<'_>> {
    let start = range.start;
    let part = &text[range];
    let pieces = match pg_query::split_with_scanner(part) {
        Ok(pieces) => pieces
            .into_iter()
            .map(|piece| split::Piece {
                offset: piece.as_ptr() as usize - part.as_ptr() as usize,
                text: piece,
            })
            .collect(),
        Err(_) => split::fallback_split(part),
    };
    pieces
        .into_iter()
        .map(|piece| split::Piece {
            offset: start + piece.offset,
            text: piece.text,
        })
        .collect()
}

/// Consecutive statements parsed together.
struct Run {
    /// Where the first statement starts in the file.
    offset: usize,
    /// Where the last one ends.
    end: usize,
}

impl Run {
    fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.offset..self.end]
    }
}

/// Groups statements into runs of about `bytes` bytes of SQL each. A run
/// ends only before a statement that starts with `CREATE`, `ALTER` or
/// `COMMENT`: the scanner also cuts at the semicolons inside a `BEGIN
/// ATOMIC` function body, whose statements are never those, and a run
/// must hold all of such a function to parse.
fn runs(pieces: &[split::Piece], bytes: usize) -> Vec<Run> {
    let starts_run = |piece: &split::Piece| {
        let rest = &piece.text[split::first_token(piece.text)..];
        let word = rest
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .next()
            .unwrap_or_default();
        ["CREATE", "ALTER", "COMMENT"]
            .iter()
            .any(|keyword| word.eq_ignore_ascii_case(keyword))
    };
    let mut runs = Vec::new();
    let mut first = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let end = piece.offset + piece.text.len();
        let last = match pieces.get(i + 1) {
            Some(next) => end - pieces[first].offset >= bytes && starts_run(next),
            None => true,
        };
        if last {
            runs.push(Run {
                offset: pieces[first].offset,
                end,
            });
            first = i + 1;
        }
    }
    runs
}

/// Statements that change no schema, skipped silently.
pub(crate) fn changes_no_schema(node: &NodeEnum) -> bool {
    matches!(
        node,
        NodeEnum::GrantStmt(_)
            | NodeEnum::GrantRoleStmt(_)
            | NodeEnum::AlterDefaultPrivilegesStmt(_)
            | NodeEnum::AlterOwnerStmt(_)
            | NodeEnum::SelectStmt(_)
            | NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::CopyStmt(_)
            | NodeEnum::TransactionStmt(_)
            | NodeEnum::VariableShowStmt(_)
            | NodeEnum::CreateRoleStmt(_)
            | NodeEnum::AlterRoleStmt(_)
            | NodeEnum::AlterRoleSetStmt(_)
            | NodeEnum::DropRoleStmt(_)
            | NodeEnum::CreatedbStmt(_)
            | NodeEnum::AlterDatabaseStmt(_)
            | NodeEnum::AlterDatabaseSetStmt(_)
            | NodeEnum::DropdbStmt(_)
            | NodeEnum::AlterTableSpaceOptionsStmt(_)
            | NodeEnum::CreateTableSpaceStmt(_)
            | NodeEnum::DropTableSpaceStmt(_)
            | NodeEnum::VacuumStmt(_)
            | NodeEnum::ClusterStmt(_)
            | NodeEnum::ReindexStmt(_)
            | NodeEnum::CheckPointStmt(_)
            | NodeEnum::LockStmt(_)
            | NodeEnum::NotifyStmt(_)
            | NodeEnum::ListenStmt(_)
            | NodeEnum::UnlistenStmt(_)
            | NodeEnum::DiscardStmt(_)
            | NodeEnum::DoStmt(_)
            | NodeEnum::CallStmt(_)
            | NodeEnum::ExplainStmt(_)
            | NodeEnum::PrepareStmt(_)
            | NodeEnum::ExecuteStmt(_)
            | NodeEnum::DeallocateStmt(_)
            | NodeEnum::TruncateStmt(_)
            | NodeEnum::RefreshMatViewStmt(_)
            | NodeEnum::SecLabelStmt(_)
            | NodeEnum::CreatePublicationStmt(_)
            | NodeEnum::AlterPublicationStmt(_)
            | NodeEnum::CreateSubscriptionStmt(_)
            | NodeEnum::AlterSubscriptionStmt(_)
            | NodeEnum::DropSubscriptionStmt(_)
            | NodeEnum::CreateUserMappingStmt(_)
            | NodeEnum::AlterUserMappingStmt(_)
            | NodeEnum::DropUserMappingStmt(_)
            | NodeEnum::CreateFdwStmt(_)
            | NodeEnum::AlterFdwStmt(_)
            | NodeEnum::CreateForeignServerStmt(_)
            | NodeEnum::AlterForeignServerStmt(_)
            | NodeEnum::ImportForeignSchemaStmt(_)
            | NodeEnum::CreateEventTrigStmt(_)
            | NodeEnum::AlterEventTrigStmt(_)
            | NodeEnum::CreatePlangStmt(_)
            | NodeEnum::AlterSystemStmt(_)
    )
}
