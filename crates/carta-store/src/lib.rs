//! The persistent state of `carta serve`: users and their tokens, workspaces
//! and memberships, connections with encrypted URIs, and the append-only
//! audit log, on an SQLite file (the embedded default) or PostgreSQL (for
//! teams and several server processes sharing one store).
//!
//! [`Store`] hides the backend; both run the same versioned migrations at
//! open and pass the same test suite. On PostgreSQL every workspace-scoped
//! table also has row-level security keyed on the workspace each call names,
//! a second line behind the server's own membership checks.
//!
//! The store never sees a secret in clear: passwords and tokens arrive
//! hashed and connection URIs sealed, all by [`secrets`].

mod migrations;
mod model;
mod postgres;
pub mod secrets;
mod sqlite;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub use model::{
    Audit, AuditFilter, ColumnRow, Connection, ConnectionChange, ConnectionMode, DbType, Job,
    JobKind, JobOutcome, JobStatus, MemberRole, Membership, NewAudit, NewConnection, NewJob,
    NewSchemaVersion, NewToken, NewUser, SchemaMatch, SchemaRecord, SchemaVersion, Scope,
    SealedUri, TableRow, Timestamp, Token, TokenKind, UnknownValue, UriChange, User, UserChange,
    UserRole, UserWithHash, Workspace, MAX_JOB_ATTEMPTS,
};
pub use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("a workspace must keep at least one owner")]
    LastOwner,
    #[error("audit entries are append-only")]
    AppendOnly,
    /// A value no backend can keep the same way (a NUL character, which
    /// PostgreSQL refuses in text) or an instant out of range: the
    /// caller's input, not the store, is wrong.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("store migration {version} failed: {message}")]
    Migration { version: u32, message: String },
    /// The backend's own message; statements bind values as parameters, so
    /// it never carries a secret.
    #[error("store error: {0}")]
    Backend(String),
}

impl StoreError {
    /// A uniqueness violation, told in words from the constraint's text
    /// (an SQLite message or a PostgreSQL constraint name).
    fn conflict(constraint: &str) -> StoreError {
        let what = if constraint.contains("email") {
            "a user with this email already exists"
        } else if constraint.contains("memberships") {
            "the user is already a member of this workspace"
        } else if constraint.contains("connections") {
            "a connection with this name already exists in this workspace"
        } else if constraint.contains("token") {
            "this token already exists"
        } else {
            "already exists"
        };
        StoreError::Conflict(what.to_owned())
    }
}

/// The error of a job whose server died while running it, once too often.
const ABANDONED_JOB_ERROR: &str =
    "the server running this job stopped responding, on every attempt";

/// Why a cancel changed nothing: the job exists but has ended, or it does not.
fn cancel_refused(exists: bool) -> StoreError {
    if exists {
        StoreError::Conflict("the job has already ended".into())
    } else {
        StoreError::NotFound
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How long a token's `last_used_at` may lag behind: touching it on every
/// request would turn every authenticated read into a write.
const TOUCH_INTERVAL: time::Duration = time::Duration::seconds(60);
/// Past this many remembered touches, the stale ones are forgotten.
const TOUCH_MEMORY: usize = 10_000;

/// The store; cheap to clone (one shared handle inside).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    /// When this process last wrote each token's `last_used_at`.
    touched: Mutex<HashMap<Uuid, Timestamp>>,
}

enum Db {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

macro_rules! dispatch {
    ($store:ident . $method:ident ( $($arg:expr),* )) => {
        match &$store.inner.db {
            $crate::Db::Sqlite(db) => db.$method($($arg),*).await,
            $crate::Db::Postgres(db) => db.$method($($arg),*).await,
        }
    };
}

// features: one module per platform feature, each with its model types and
// its `impl Store` methods (declared after `dispatch!`, which they use).
mod docs;
pub use docs::{
    Doc, DocEdit, DocFeedback, DocFilter, DocRating, DocRevision, DocScope, DocTemplate,
    GeneratedDoc, NewDocFeedback, MAX_RATING,
};
mod mock_jobs;
pub use mock_jobs::{
    MockFile, MockJob, MockOutput, MockTableRows, NewMockFile, NewMockOutput, MAX_MOCK_OUTPUT_BYTES,
};
mod queries;
pub use queries::{
    AskUsage, Execution, ExecutionEnd, ExecutionFilter, ExecutionStatus, Feedback, LlmSettings,
    NewAsk, NewExecution, NewFeedback, NewQuery, QueryChange, QueryFilter, SavedQuery, Visibility,
    GOOD_RATING,
};
mod webhooks;
pub use webhooks::{
    Automation, AutomationAction, AutomationChange, AutomationStatus, Delivery, DeliveryAttempt,
    DeliveryStatus, DueDelivery, NewAutomation, NewEvent, NewWebhook, Trigger, Webhook,
    WebhookChange, MAX_DELIVERY_CLAIM,
};
mod usage;
pub use usage::{
    DayUsage, EndpointUsage, NewUsage, Quota, TokenUsage, UsageStats, UsageSummary, WorkspaceQuota,
    WorkspaceUsage, MAX_USAGE_DAYS,
};

/// The current instant as the store keeps it.
pub fn now() -> Timestamp {
    to_micros(time::OffsetDateTime::now_utc())
}

/// Truncated to microseconds: the precision both backends keep. Stays
/// within the same second, so it cannot leave the representable range.
fn to_micros(utc: Timestamp) -> Timestamp {
    utc - time::Duration::nanoseconds(i64::from(utc.nanosecond() % 1_000))
}

/// In UTC, truncated to microseconds; InvalidInput when UTC is out of range
/// (9999-12-31T23:59:59-23:00 is in year 10000 in UTC).
fn instant(at: Timestamp) -> Result<Timestamp, StoreError> {
    at.checked_to_offset(time::UtcOffset::UTC)
        .map(to_micros)
        .ok_or_else(|| {
            StoreError::InvalidInput("an instant outside the years 1 to 9999 in UTC".into())
        })
}

/// InvalidInput when `text` holds a NUL character: SQLite would keep it,
/// PostgreSQL refuses it, and the store answers the same on both.
fn storable(what: &str, text: &str) -> Result<(), StoreError> {
    if text.contains('\0') {
        Err(StoreError::InvalidInput(format!(
            "{what} contains a NUL character"
        )))
    } else {
        Ok(())
    }
}

impl Store {
    /// Opens (creating if needed) and migrates a store: `postgres://...` or
    /// `postgresql://...` for PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a
    /// plain path for an SQLite file.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Db::Postgres(postgres::PgStore::open(url).await?)
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            if path.is_empty() {
                return Err(StoreError::Backend(
                    "the store URL names no SQLite file".into(),
                ));
            }
            Db::Sqlite(sqlite::SqliteStore::open(path).await?)
        };
        Ok(Store {
            inner: Arc::new(Inner {
                db,
                touched: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether row-level security is not in force for this store's
    /// connections: on PostgreSQL, a role that is a superuser or has
    /// BYPASSRLS ignores every policy. Always false on SQLite, which has no
    /// row-level security (the server's own checks are the only line there).
    pub async fn row_security_bypassed(&self) -> Result<bool, StoreError> {
        match &self.inner.db {
            Db::Sqlite(_) => Ok(false),
            Db::Postgres(db) => db.row_security_bypassed().await,
        }
    }

    /// Whether the store answers: for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self.ping())
    }

    // users

    /// Conflict when the email (compared without case) is taken.
    pub async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        storable("the email", &new.email)?;
        storable("the full name", &new.full_name)?;
        let new = NewUser {
            email: model::normalize_email(&new.email),
            ..new
        };
        dispatch!(self.create_user(new, now()))
    }

    pub async fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        dispatch!(self.user(id))
    }

    /// For login: the user with the password hash.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserWithHash>, StoreError> {
        storable("the email", email)?;
        let email = model::normalize_email(email);
        dispatch!(self.user_by_email(&email))
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        dispatch!(self.list_users())
    }

    pub async fn update_user(&self, id: Uuid, change: UserChange) -> Result<User, StoreError> {
        if let Some(full_name) = &change.full_name {
            storable("the full name", full_name)?;
        }
        dispatch!(self.update_user(id, change, now()))
    }

    pub async fn count_users(&self) -> Result<u64, StoreError> {
        dispatch!(self.count_users())
    }

    // tokens

    pub async fn create_token(&self, new: NewToken) -> Result<Token, StoreError> {
        let new = NewToken {
            expires_at: new.expires_at.map(instant).transpose()?,
            scopes: model::canonical_scopes(&new.scopes),
            ..new
        };
        dispatch!(self.create_token(new, now()))
    }

    /// The token with this hash, revoked and expired ones included: the
    /// caller decides (see [`Token::is_active`]).
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>, StoreError> {
        dispatch!(self.token_by_hash(hash))
    }

    /// Records that a token was used at `at`. Writes at most once per
    /// minute and token (per process, and in the database too when several
    /// servers share it), so calling it on every request is cheap.
    pub async fn touch_token(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        let at = instant(at)?;
        let stale_before = at - TOUCH_INTERVAL;
        {
            let mut touched = self
                .inner
                .touched
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if touched.get(&id).is_some_and(|last| *last > stale_before) {
                return Ok(());
            }
            if touched.len() >= TOUCH_MEMORY {
                touched.retain(|_, last| *last > stale_before);
            }
            touched.insert(id, at);
        }
        let touched = dispatch!(self.touch_token(id, at, stale_before));
        if touched.is_err() {
            // Not written: let the next request try again.
            self.inner
                .touched
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&id);
        }
        touched
    }

    /// Revokes one token (keeping the first revocation time). NotFound if
    /// there is no such token.
    pub async fn revoke_token(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        dispatch!(self.revoke_token(id, instant(at)?))
    }

    /// Revokes every live token of a user but `except` (the caller's own
    /// session, on a password change); returns how many were revoked.
    pub async fn revoke_user_tokens(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        dispatch!(self.revoke_user_tokens(user_id, except, instant(at)?))
    }

    /// Every token of a user, newest first, revoked and expired ones included.
    pub async fn list_tokens(&self, user_id: Uuid) -> Result<Vec<Token>, StoreError> {
        dispatch!(self.list_tokens(user_id))
    }

    // workspaces and memberships

    /// Creates a workspace with `owner` as its first owner member, in one transaction.
    pub async fn create_workspace(&self, name: &str, owner: Uuid) -> Result<Workspace, StoreError> {
        storable("the name", name)?;
        dispatch!(self.create_workspace(name, owner, now()))
    }

    pub async fn workspace(
        &self,
        id: Uuid,
        include_deleted: bool,
    ) -> Result<Option<Workspace>, StoreError> {
        dispatch!(self.workspace(id, include_deleted))
    }

    /// The live workspaces a user is a member of, with the user's role, by name.
    pub async fn workspaces_of(
        &self,
        user: Uuid,
    ) -> Result<Vec<(Workspace, MemberRole)>, StoreError> {
        dispatch!(self.workspaces_of(user))
    }

    /// Every workspace, by name: for admins.
    pub async fn all_workspaces(
        &self,
        include_deleted: bool,
    ) -> Result<Vec<Workspace>, StoreError> {
        dispatch!(self.all_workspaces(include_deleted))
    }

    /// NotFound for a deleted workspace too.
    pub async fn rename_workspace(&self, id: Uuid, name: &str) -> Result<Workspace, StoreError> {
        storable("the name", name)?;
        dispatch!(self.rename_workspace(id, name, now()))
    }

    /// Soft delete: the workspace and everything in it disappear from every
    /// workspace-scoped call until restored. NotFound if already deleted.
    pub async fn delete_workspace(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        dispatch!(self.delete_workspace(id, instant(at)?))
    }

    /// Undoes a soft delete (a no-op on a live workspace).
    pub async fn restore_workspace(&self, id: Uuid) -> Result<Workspace, StoreError> {
        dispatch!(self.restore_workspace(id, now()))
    }

    /// The user's membership of a live workspace.
    pub async fn membership(
        &self,
        workspace: Uuid,
        user: Uuid,
    ) -> Result<Option<Membership>, StoreError> {
        dispatch!(self.membership(workspace, user))
    }

    /// The members of a live workspace, oldest membership first.
    pub async fn members(&self, workspace: Uuid) -> Result<Vec<Membership>, StoreError> {
        dispatch!(self.members(workspace))
    }

    /// NotFound for a missing workspace or user; Conflict if already a member.
    pub async fn add_member(
        &self,
        workspace: Uuid,
        user: Uuid,
        role: MemberRole,
    ) -> Result<Membership, StoreError> {
        dispatch!(self.add_member(workspace, user, role, now()))
    }

    /// LastOwner when it would leave the workspace without an owner.
    pub async fn set_member_role(
        &self,
        workspace: Uuid,
        user: Uuid,
        role: MemberRole,
    ) -> Result<Membership, StoreError> {
        dispatch!(self.set_member_role(workspace, user, role))
    }

    /// LastOwner when it would leave the workspace without an owner.
    pub async fn remove_member(&self, workspace: Uuid, user: Uuid) -> Result<(), StoreError> {
        dispatch!(self.remove_member(workspace, user))
    }

    // connections

    /// NotFound for a missing or deleted workspace; Conflict for a name
    /// already used in the workspace.
    pub async fn create_connection(&self, new: NewConnection) -> Result<Connection, StoreError> {
        storable("the name", &new.name)?;
        storable("the URI", &new.redacted_uri)?;
        dispatch!(self.create_connection(new, now()))
    }

    /// `None` for an id of another workspace, as for a missing one.
    pub async fn connection(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Connection>, StoreError> {
        dispatch!(self.connection(workspace, id))
    }

    /// The workspace's connections by name.
    pub async fn connections(&self, workspace: Uuid) -> Result<Vec<Connection>, StoreError> {
        dispatch!(self.connections(workspace))
    }

    pub async fn update_connection(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: ConnectionChange,
    ) -> Result<Connection, StoreError> {
        if let Some(name) = &change.name {
            storable("the name", name)?;
        }
        if let Some(uri) = &change.uri {
            storable("the URI", &uri.redacted)?;
        }
        dispatch!(self.update_connection(workspace, id, change, now()))
    }

    pub async fn delete_connection(&self, workspace: Uuid, id: Uuid) -> Result<(), StoreError> {
        dispatch!(self.delete_connection(workspace, id))
    }

    /// The outcome of a connection test; `detail` is the server version or
    /// the error, already free of secrets.
    pub async fn record_connection_test(
        &self,
        workspace: Uuid,
        id: Uuid,
        at: Timestamp,
        ok: bool,
        detail: &str,
    ) -> Result<(), StoreError> {
        storable("the test detail", detail)?;
        dispatch!(self.record_connection_test(workspace, id, instant(at)?, ok, detail))
    }

    /// Every sealed URI of every workspace, deleted ones included: for key rotation.
    pub async fn sealed_uris(&self) -> Result<Vec<(Uuid, SealedUri)>, StoreError> {
        dispatch!(self.sealed_uris())
    }

    /// Replaces a connection's sealed URI only if it is still sealed by
    /// `old_key_id` (compare-and-set, so a rotation running beside a server
    /// never overwrites a URI the server has just changed). Returns whether it did.
    pub async fn reseal_uri(
        &self,
        id: Uuid,
        old_key_id: &str,
        uri: SealedUri,
    ) -> Result<bool, StoreError> {
        dispatch!(self.reseal_uri(id, old_key_id, uri))
    }

    // jobs

    /// A pending job. NotFound for a missing or deleted workspace.
    pub async fn enqueue_job(&self, new: NewJob) -> Result<Job, StoreError> {
        dispatch!(self.enqueue_job(new, Uuid::new_v4(), now()))
    }

    /// `None` for an id of another workspace, as for a missing one.
    pub async fn job(&self, workspace: Uuid, id: Uuid) -> Result<Option<Job>, StoreError> {
        dispatch!(self.job(workspace, id))
    }

    /// Claims the oldest pending job of a live workspace for `instance`
    /// (running, one more attempt, heartbeat now). Concurrent claimers,
    /// in this process or others sharing a PostgreSQL store, never get the
    /// same job.
    pub async fn claim_job(&self, instance: &str) -> Result<Option<Job>, StoreError> {
        storable("the instance id", instance)?;
        dispatch!(self.claim_job(instance, now()))
    }

    /// Records that `instance` still runs the job; the job as it is now, so
    /// the worker sees a cancel request. NotFound when `instance` no longer
    /// holds the claim (the job was recovered from it, or has ended).
    pub async fn heartbeat_job(&self, id: Uuid, instance: &str) -> Result<Job, StoreError> {
        dispatch!(self.heartbeat_job(id, instance, None, now()))
    }

    /// A heartbeat that also records progress (0 to 100).
    pub async fn job_progress(
        &self,
        id: Uuid,
        instance: &str,
        progress: u8,
    ) -> Result<Job, StoreError> {
        if progress > 100 {
            return Err(StoreError::InvalidInput(format!(
                "progress {progress} is over 100"
            )));
        }
        dispatch!(self.heartbeat_job(id, instance, Some(progress), now()))
    }

    /// Ends the job `instance` runs. NotFound when it no longer holds the claim.
    pub async fn finish_job(
        &self,
        id: Uuid,
        instance: &str,
        outcome: JobOutcome,
    ) -> Result<Job, StoreError> {
        if let Some(error) = outcome.error() {
            storable("the error", error)?;
        }
        dispatch!(self.finish_job(id, instance, outcome, now()))
    }

    /// Cancels a pending job at once; asks a running one to stop (its worker
    /// ends it as cancelled at its next heartbeat). Conflict when the job has
    /// already ended; NotFound for an id of another workspace.
    pub async fn cancel_job(&self, workspace: Uuid, id: Uuid) -> Result<Job, StoreError> {
        dispatch!(self.cancel_job(workspace, id, now()))
    }

    /// Running jobs whose last heartbeat is before `stale_before` were left
    /// by a server that died: each goes back to pending while it has had
    /// fewer than [`MAX_JOB_ATTEMPTS`] attempts, else fails (or is cancelled
    /// when a cancel was asked). Returns the jobs it changed.
    pub async fn recover_stale_jobs(
        &self,
        stale_before: Timestamp,
    ) -> Result<Vec<Job>, StoreError> {
        dispatch!(self.recover_stale_jobs(instant(stale_before)?, now()))
    }

    // schema history

    /// Keeps a synced schema as the connection's next version, unless its
    /// fingerprint equals the latest version's. Concurrent syncs of one
    /// connection run one after the other. NotFound for a connection of
    /// another workspace.
    pub async fn record_schema_version(
        &self,
        new: NewSchemaVersion,
    ) -> Result<SchemaRecord, StoreError> {
        storable("the fingerprint", &new.fingerprint)?;
        for table in &new.tables {
            storable("a table name", &table.name)?;
            storable("a schema name", &table.namespace)?;
            storable(
                "a table comment",
                table.comment.as_deref().unwrap_or_default(),
            )?;
            for column in &table.columns {
                storable("a column name", &column.name)?;
                storable("a data type", &column.data_type)?;
                storable(
                    "a column comment",
                    column.comment.as_deref().unwrap_or_default(),
                )?;
            }
        }
        dispatch!(self.record_schema_version(new, now()))
    }

    /// A connection's versions, newest first (empty for a connection of
    /// another workspace).
    pub async fn schema_versions(
        &self,
        workspace: Uuid,
        connection: Uuid,
    ) -> Result<Vec<SchemaVersion>, StoreError> {
        dispatch!(self.schema_versions(workspace, connection))
    }

    /// One version with its Catalog JSON.
    pub async fn schema_version(
        &self,
        workspace: Uuid,
        connection: Uuid,
        version: u32,
    ) -> Result<Option<(SchemaVersion, serde_json::Value)>, StoreError> {
        dispatch!(self.schema_version(workspace, connection, version))
    }

    /// Tables and columns of the latest version of each of the workspace's
    /// connections whose name or comment contains `query` (ignoring case),
    /// by connection, schema, table and column position; at most `limit`.
    pub async fn search_schemas(
        &self,
        workspace: Uuid,
        query: &str,
        limit: u32,
    ) -> Result<Vec<SchemaMatch>, StoreError> {
        storable("the query", query)?;
        dispatch!(self.search_schemas(workspace, query.to_lowercase(), limit))
    }

    // audit

    pub async fn append_audit(&self, entry: NewAudit) -> Result<(), StoreError> {
        dispatch!(self.append_audit(entry, Uuid::new_v4(), now()))
    }

    /// Matching entries, newest first, at most [`AuditFilter::MAX_LIMIT`].
    pub async fn audits(&self, filter: AuditFilter) -> Result<Vec<Audit>, StoreError> {
        if let Some(action) = &filter.action {
            storable("the action filter", action)?;
        }
        let filter = AuditFilter {
            since: filter.since.map(instant).transpose()?,
            until: filter.until.map(instant).transpose()?,
            ..filter
        };
        dispatch!(self.audits(filter))
    }
}
