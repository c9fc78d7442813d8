//! `carta.toml`: what a project says about its database that the database
//! itself does not. Comments that add to or override the database's own,
//! virtual relations (foreign keys the schema does not declare), which
//! tables to document, and output options for `carta doc`.
//!
//! Parsing ([`Config::parse`]) is pure; [`Config::load`] is the one function
//! that reads a file. [`Config::apply`] changes a Catalog and returns the
//! relation graph every feature should use. Every entry remembers where it
//! was written, so an error names the file, line and column.
//!
//! Sections are independent tables with unknown keys rejected, so later
//! sections are additions that old files never mention.
//! The format is documented in `docs/configuration.md`.

mod apply;
mod ask;
mod error;
mod lint;
mod mock;
mod parse;
mod select;

pub use ask::AskSection;
pub use error::ConfigError;
pub use mock::{ColumnSettings, MockSection, TableRows, DEFAULT_ROWS as DEFAULT_MOCK_ROWS};
pub use select::TableSelection;

use carta_source::Location;
use serde::Deserialize;
use std::path::PathBuf;

/// The name Carta looks for in the current folder.
pub const FILE_NAME: &str = "carta.toml";

/// A parsed `carta.toml`. [`Config::default`] is what Carta uses without one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Which tables to keep (`include`, `exclude` at the top level).
    pub selection: TableSelection,
    /// `[[comments]]`, in file order.
    pub comments: Vec<CommentOverride>,
    /// `[[relations]]`, in file order.
    pub relations: Vec<VirtualRelation>,
    /// `[doc]`.
    pub doc: DocOptions,
    /// `[lint]`: rule settings for `carta lint`.
    pub lint: carta_lint::LintConfig,
    /// `[mock]`: defaults for `carta mock`.
    pub mock: MockSection,
    /// `[serve]`: defaults for `carta serve` and `carta admin`.
    pub serve: ServeOptions,
    /// `[ask]`: the LLM provider of `carta ask`.
    pub ask: AskSection,
}

/// One `[[comments]]` entry: descriptions for a table and its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentOverride {
    /// `schema.table`, or a table name that exists in exactly one schema.
    pub table: String,
    /// Where `table = ...` was written.
    pub location: Location,
    /// Replaces the table's comment; an empty string removes it.
    pub table_comment: Option<String>,
    /// `[comments.columns]`, sorted by column name.
    pub columns: Vec<ColumnComment>,
}

/// One `column = "text"` line of `[comments.columns]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnComment {
    pub column: String,
    pub location: Location,
    /// Replaces the column's comment; an empty string removes it.
    pub text: String,
}

/// One `[[relations]]` entry: a relation the database does not enforce,
/// drawn and documented like a foreign key from `table` to `parent_table`.
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualRelation {
    pub name: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
    pub parent_table: String,
    pub parent_columns: Vec<String>,
    /// Where each part was written: the table, its columns, the parent table, its columns.
    pub locations: RelationLocations,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelationLocations {
    pub table: Location,
    pub columns: Location,
    pub parent_table: Location,
    pub parent_columns: Location,
}

/// `[doc]`: defaults for `carta doc`; a command-line flag wins over each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocOptions {
    pub format: Option<DocFormat>,
    pub single_page: Option<bool>,
    /// Folder of template overrides. A relative path is relative to the
    /// folder that holds `carta.toml`, not to the current folder.
    pub templates: Option<PathBuf>,
    /// How many relation hops a table page's diagram reaches.
    pub erd_distance: Option<usize>,
    /// Diagrams show key columns only.
    pub erd_keys_only: Option<bool>,
}

/// `[serve]`: settings of `carta serve` (and the store `carta admin` opens).
/// A flag or environment variable wins over each. Secrets do not belong
/// here: the master key comes from a key file or `CARTA_MASTER_KEY`, and a
/// store password is better given as `CARTA_STORE_URL`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeOptions {
    pub listen: Option<std::net::SocketAddr>,
    pub store_url: Option<String>,
    /// Relative to the folder that holds `carta.toml`.
    pub key_file: Option<PathBuf>,
    pub log_format: Option<LogFormat>,
    pub trust_proxy: Option<bool>,
    pub max_body_bytes: Option<usize>,
    /// Seconds without a heartbeat after which another server takes over a
    /// running job (its server is presumed dead).
    pub job_stale_after_secs: Option<std::num::NonZeroU64>,
    /// Let webhooks reach loopback, private and link-local addresses (the
    /// SSRF guard off).
    pub allow_private_webhooks: Option<bool>,
    /// Non-public networks (CIDR, e.g. `10.20.0.0/16`) webhooks may reach.
    pub webhook_allowed_networks: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocFormat {
    Markdown,
    Html,
}

#[cfg(test)]
mod tests;
