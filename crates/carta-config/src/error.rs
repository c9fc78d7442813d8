use carta_source::Location;
use std::path::PathBuf;

/// Why a `carta.toml` could not be read or applied. Every error about an
/// entry names the file, line and column where the entry was written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    #[error("invalid table pattern `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
    #[error("{location}: table `{table}` does not exist")]
    UnknownTable { location: Location, table: String },
    #[error("{location}: table `{table}` exists in several schemas ({schemas}); write it as schema.table")]
    AmbiguousTable {
        location: Location,
        table: String,
        schemas: String,
    },
    #[error("{location}: table `{table}` has no column `{column}`")]
    UnknownColumn {
        location: Location,
        table: String,
        column: String,
    },
    #[error("{location}: a relation needs the same number of columns and parent_columns, at least one (found {columns} and {parent_columns})")]
    ColumnCount {
        location: Location,
        columns: usize,
        parent_columns: usize,
    },
}

impl ConfigError {
    /// The process exit status `carta` uses: 3 when the file cannot be
    /// read, else 7 (an input is malformed), as documented in the README.
    pub fn exit_code(&self) -> i32 {
        match self {
            ConfigError::Io { .. } => 3,
            _ => 7,
        }
    }
}
