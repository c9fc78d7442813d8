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
    fn read_file(&mut self, file: &DdlFile) {
        // Each file starts a fresh session, as `psql -f` would.
        self.model.reset_session();
        let text = split::strip_meta_commands(&file.text);
        match pg_query::parse(&text, 0) {
            Ok(parsed) => {
                for raw in parsed.protobuf.stmts {
                    self.apply_raw(file, &text, raw);
                }
            }
            Err(_) => self.read_statement_by_statement(file, &text),
        }
    }

    /// The slow path, for files with errors: every statement on its own.
    fn read_statement_by_statement(&mut self, file: &DdlFile, text: &str) {
        let pieces = match pg_query::split_with_scanner(text) {
            Ok(pieces) => pieces
                .into_iter()
                .map(|piece| split::Piece {
                    offset: piece.as_ptr() as usize - text.as_ptr() as usize,
                    text: piece,
                })
                .collect(),
            Err(_) => split::fallback_split(text),
        };
        for piece in pieces {
            let start = piece.offset + split::first_token(piece.text);
            let statement = &text[start..piece.offset + piece.text.len()];
            if statement.trim().is_empty() {
                continue;
            }
            match pg_query::parse(statement, 0) {
                Ok(parsed) => {
                    for mut raw in parsed.protobuf.stmts {
                        raw.stmt_location += i32::try_from(start).unwrap_or(i32::MAX);
                        if raw.stmt_len == 0 {
                            raw.stmt_len = i32::try_from(statement.len()).unwrap_or(i32::MAX);
                        }
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
