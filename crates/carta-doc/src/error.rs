use std::path::PathBuf;

/// Why documentation could not be rendered. Rendering is pure, so these are
/// template problems and reading user-supplied template overrides; writing
/// the result to disk reports [`crate::WriteError`].
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// A template failed to parse or render. The source carries the line
    /// and, for user overrides, the offending text.
    #[error("template `{name}`: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    /// A template override folder or file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An override file whose name matches no built-in template; overriding
    /// nothing silently would hide a typo.
    #[error("{path}: no built-in template is named `{name}` (known: {known})")]
    UnknownTemplate {
        path: PathBuf,
        name: String,
        known: String,
    },
}
