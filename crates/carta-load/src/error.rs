//! Why a load failed. Every variant leaves the target as it was before the
//! load (see the crate documentation for the one MySQL exception).

/// Why a load failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LoadError {
    #[error("unknown target `{target}`: expected postgres://, postgresql://, mysql://, mariadb://, sqlite://PATH or a .db/.sqlite file")]
    UnknownTarget { target: String },
    /// The target could not be reached or opened. `target` never shows a password.
    #[error("could not connect to {target}: {message}")]
    Connect { target: String, message: String },
    /// Planned tables that already hold rows; nothing was written.
    #[error("refusing to load into tables that already have rows: {}", tables.join(", "))]
    NotEmpty { tables: Vec<String> },
    /// A row broke a constraint. `row` is the 1-based position of the row
    /// among the table's generated rows, where the database tells it.
    #[error("{table}{}: {}{message}", row.map(|r| format!(", row {r}")).unwrap_or_default(), constraint.as_ref().map(|c| format!("constraint {c} violated: ")).unwrap_or_default())]
    Constraint {
        table: String,
        row: Option<u64>,
        constraint: Option<String>,
        message: String,
    },
    /// Any other database error; `table` is the table being loaded, if any.
    #[error("{}{message}", table.as_ref().map(|t| format!("{t}: ")).unwrap_or_default())]
    Database {
        table: Option<String>,
        message: String,
    },
    /// Something this loader cannot do, e.g. a value the target column cannot hold.
    #[error("{0}")]
    Unsupported(String),
    /// A generator thread stopped before producing all rows.
    #[error("generating rows for {table} failed: {message}")]
    Generation { table: String, message: String },
}
