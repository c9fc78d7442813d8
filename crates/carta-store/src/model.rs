//! The records the store keeps, as plain data.
//!
//! Timestamps are UTC with microsecond precision (what PostgreSQL keeps), so
//! a value read back equals the value written on both backends.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An instant; always UTC, truncated to microseconds by the store.
pub type Timestamp = time::OffsetDateTime;

/// A stored enum value that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// Enums stored as text: one spelling for serde, SQL and `FromStr`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: $kind, value: s.to_owned() }),
                }
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// Global role of a user (seed 004).
    UserRole, "user role" {
        Admin => "admin",
        Developer => "developer",
        Analyst => "analyst",
    }
}

text_enum! {
    /// Role within one workspace. Declared from least to most powerful, so
    /// `Ord` compares power: `Viewer < Editor < Admin < Owner`.
    #[derive(PartialOrd, Ord)]
    MemberRole, "member role" {
        Viewer => "viewer",
        Editor => "editor",
        Admin => "admin",
        Owner => "owner",
    }
}

text_enum! {
    /// Kind of database a connection points at.
    DbType, "database type" {
        Postgres => "postgres",
        Mysql => "mysql",
        Sqlite => "sqlite",
    }
}

text_enum! {
    /// Whether queries through a connection may change its database.
    #[derive(Default)]
    ConnectionMode, "connection mode" {
        #[default]
        ReadOnly => "read-only",
        ReadWrite => "read-write",
    }
}

text_enum! {
    /// A login session or a named API token for scripts.
    TokenKind, "token kind" {
        Session => "session",
        Api => "api",
    }
}

text_enum! {
    /// What a token may do.
    #[derive(PartialOrd, Ord)]
    Scope, "scope" {
        Read => "read",
        Write => "write",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub role: UserRole,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
    /// A disabled user cannot log in and their tokens stop working.
    #[serde(with = "time::serde::rfc3339::option")]
    pub disabled_at: Option<Timestamp>,
}

/// A user with the password hash, for login only; deliberately not `Serialize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWithHash {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    /// Stored trimmed and lower-cased, so uniqueness ignores case.
    pub email: String,
    pub full_name: String,
    /// An argon2id PHC string from [`crate::secrets::hash_password`].
    pub password_hash: String,
    pub role: UserRole,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub full_name: Option<String>,
    pub role: Option<UserRole>,
    pub password_hash: Option<String>,
    /// `Some(true)` disables (keeping the first time), `Some(false)` enables.
    pub disabled: Option<bool>,
}

/// A session or API token; the secret and its hash are never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: TokenKind,
    pub name: Option<String>,
    pub scopes: Vec<Scope>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<Timestamp>,
}

impl Token {
    /// Neither revoked nor expired at `at`.
    pub fn is_active(&self, at: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expiry| at < expiry)
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: Uuid,
    pub kind: TokenKind,
    pub name: Option<String>,
    /// SHA-256 hex of the secret, from [`crate::secrets::new_token`].
    pub token_hash: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
    /// The user who created it (seed 004's `owner_id`); who owns it now is
    /// told by the memberships with role owner.
    pub owner_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub role: MemberRole,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    pub user_email: String,
    pub user_full_name: String,
}

/// A connection URI encrypted by [`crate::secrets::Keyring::seal`]:
/// nonce followed by ciphertext, and the id of the key that sealed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedUri {
    pub ciphertext: Vec<u8>,
    pub key_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub db_type: DbType,
    pub mode: ConnectionMode,
    /// The URI with its password removed: the only form the API shows.
    pub redacted_uri: String,
    /// For the server to open when it connects; never serialized.
    #[serde(skip)]
    pub uri: SealedUri,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_tested_at: Option<Timestamp>,
    pub last_test_ok: Option<bool>,
    pub last_test_detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub workspace_id: Uuid,
    pub name: String,
    pub db_type: DbType,
    pub mode: ConnectionMode,
    pub uri: SealedUri,
    pub redacted_uri: String,
    pub created_by: Option<Uuid>,
}

/// A new URI for a connection: the sealed form and the redacted one that
/// describes it, always replaced together.
#[derive(Debug, Clone)]
pub struct UriChange {
    pub sealed: SealedUri,
    pub redacted: String,
}

/// Changes to a connection; `None` leaves a field as it is. A new URI clears
/// the last test result, which described the old one.
#[derive(Debug, Clone, Default)]
pub struct ConnectionChange {
    pub name: Option<String>,
    pub db_type: Option<DbType>,
    pub mode: Option<ConnectionMode>,
    pub uri: Option<UriChange>,
}

#[derive(Debug, Clone)]
pub struct NewAudit {
    /// `None` for events outside any workspace (logins, users, tokens).
    pub workspace_id: Option<Uuid>,
    /// `None` for the system or an unknown caller (a failed login).
    pub actor_id: Option<Uuid>,
    /// Dotted verb, e.g. `connection.create`; filters match on a prefix.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// Which audit rows to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `None` lists every workspace and the events outside any: for admins only.
    pub workspace_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    /// Matches actions starting with this text.
    pub action: Option<String>,
    /// Inclusive.
    pub since: Option<Timestamp>,
    /// Exclusive.
    pub until: Option<Timestamp>,
    /// At most [`AuditFilter::MAX_LIMIT`]; `None` gives [`AuditFilter::DEFAULT_LIMIT`].
    pub limit: Option<u32>,
    /// Cursor: only rows older than this one (the last id of the previous page).
    pub before_id: Option<Uuid>,
}

impl AuditFilter {
    pub const DEFAULT_LIMIT: u32 = 100;
    pub const MAX_LIMIT: u32 = 1000;

    pub(crate) fn effective_limit(&self) -> i64 {
        i64::from(
            self.limit
                .unwrap_or(Self::DEFAULT_LIMIT)
                .clamp(1, Self::MAX_LIMIT),
        )
    }
}

/// Sorted and without repeats: the one form a set of scopes is kept in.
pub(crate) fn canonical_scopes(scopes: &[Scope]) -> Vec<Scope> {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
}

/// Scopes as stored: space-separated (as in OAuth).
pub(crate) fn scopes_to_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn scopes_from_text(text: &str) -> Result<Vec<Scope>, UnknownValue> {
    text.split_whitespace().map(str::parse).collect()
}

/// Emails are compared without case or surrounding blanks.
pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

text_enum! {
    /// What a job does.
    JobKind, "job kind" {
        /// Ingest a connection and keep a new schema version if it changed.
        Sync => "sync",
        Docs => "docs",
        Mock => "mock",
    }
}

text_enum! {
    /// Where a job is in its life: pending, then running, then one of the
    /// three final states.
    JobStatus, "job status" {
        Pending => "pending",
        Running => "running",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl JobStatus {
    /// Completed, failed or cancelled: the job will not change again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// How many times a job is claimed before a server that dies running it
/// makes it fail instead of being requeued.
pub const MAX_JOB_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone)]
pub struct NewJob {
    pub workspace_id: Uuid,
    pub kind: JobKind,
    /// What the job works on, e.g. `{"connection_id": ...}` for a sync.
    pub payload: serde_json::Value,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: JobKind,
    pub payload: serde_json::Value,
    pub status: JobStatus,
    /// 0 to 100.
    pub progress: u8,
    pub error: Option<String>,
    /// What a completed job produced, e.g. the version a sync kept.
    pub result: Option<serde_json::Value>,
    /// How many times a worker claimed it.
    pub attempts: u32,
    /// The server instance running (or that last ran) it.
    pub claimed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub heartbeat_at: Option<Timestamp>,
    /// Set by a cancel while running: the worker stops at its next check.
    pub cancel_requested: bool,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<Timestamp>,
}

/// How a worker ends the job it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// With what the job produced.
    Completed(serde_json::Value),
    Failed(String),
    /// The worker saw the cancel request and stopped.
    Cancelled,
}

impl JobOutcome {
    pub(crate) fn status(&self) -> JobStatus {
        match self {
            JobOutcome::Completed(_) => JobStatus::Completed,
            JobOutcome::Failed(_) => JobStatus::Failed,
            JobOutcome::Cancelled => JobStatus::Cancelled,
        }
    }

    pub(crate) fn error(&self) -> Option<&str> {
        match self {
            JobOutcome::Failed(error) => Some(error),
            JobOutcome::Completed(_) | JobOutcome::Cancelled => None,
        }
    }

    pub(crate) fn result(&self) -> Option<&serde_json::Value> {
        match self {
            JobOutcome::Completed(result) => Some(result),
            JobOutcome::Failed(_) | JobOutcome::Cancelled => None,
        }
    }
}

/// A synced schema, to keep as a new version unless its fingerprint equals
/// the latest one's.
#[derive(Debug, Clone)]
pub struct NewSchemaVersion {
    pub workspace_id: Uuid,
    pub connection_id: Uuid,
    pub fingerprint: String,
    /// The Catalog, as JSON.
    pub schema_json: serde_json::Value,
    /// Counts of what the schema holds.
    pub summary: serde_json::Value,
    pub tables: Vec<TableRow>,
}

/// A table or view of a version, kept as a row for search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// The database schema the table is in.
    pub namespace: String,
    pub name: String,
    pub kind: String,
    pub comment: Option<String>,
    pub columns: Vec<ColumnRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRow {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub is_pk: bool,
    pub is_fk: bool,
    pub comment: Option<String>,
}

/// One version of a connection's schema, without its Catalog JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaVersion {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub connection_id: Uuid,
    /// 1, 2, ... per connection.
    pub version: u32,
    pub fingerprint: String,
    pub summary: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// What recording a synced schema did.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaRecord {
    Created(SchemaVersion),
    /// The fingerprint equals the latest version's, which is this one.
    Unchanged(SchemaVersion),
}

impl SchemaRecord {
    pub fn version(&self) -> &SchemaVersion {
        match self {
            SchemaRecord::Created(version) | SchemaRecord::Unchanged(version) => version,
        }
    }
}

/// A table, or a column (`column` set), of the latest version of a
/// connection whose name or comment matched a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaMatch {
    pub connection_id: Uuid,
    pub version: u32,
    pub namespace: String,
    pub table: String,
    pub table_kind: String,
    pub column: Option<String>,
    pub data_type: Option<String>,
    /// The comment of the table or column matched.
    pub comment: Option<String>,
}
