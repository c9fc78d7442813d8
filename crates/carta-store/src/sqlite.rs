//! The SQLite backend: one writer connection behind a mutex and a few
//! read-only connections, all in WAL mode so reads never wait for the
//! writer. Calls run on tokio's blocking threads with cached statements.

mod docs;
mod mock_jobs;
mod queries;
mod usage;
mod webhooks;

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::types::Type;
use rusqlite::{
    params, Connection as Conn, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior,
};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::migrations::{Migration, SQLITE};
use crate::model::{
    scopes_from_text, scopes_to_text, Audit, AuditFilter, Connection, ConnectionChange, Job,
    JobOutcome, MemberRole, Membership, NewAudit, NewConnection, NewJob, NewSchemaVersion,
    NewToken, NewUser, SchemaMatch, SchemaRecord, SchemaVersion, SealedUri, Timestamp, Token, User,
    UserChange, UserWithHash, Workspace, MAX_JOB_ATTEMPTS,
};
use crate::StoreError;

/// Fixed width, so that text order is time order.
const TIME_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::SqliteFailure(failure, message) = &error {
            if failure.code == ErrorCode::ConstraintViolation {
                let message = message.as_deref().unwrap_or_default();
                match failure.extended_code {
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                        return StoreError::conflict(message)
                    }
                    rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::NotFound,
                    rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER if message.contains("append-only") => {
                        return StoreError::AppendOnly
                    }
                    _ => {}
                }
            }
        }
        StoreError::Backend(error.to_string())
    }
}

fn time_text(at: Timestamp) -> String {
    at.format(TIME_FORMAT)
        .unwrap_or_else(|_| unreachable!("an OffsetDateTime has every component this format names"))
}

fn conversion_error(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

fn time_at(row: &Row, index: usize) -> rusqlite::Result<Timestamp> {
    let text: String = row.get(index)?;
    PrimitiveDateTime::parse(&text, TIME_FORMAT)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|e| conversion_error(index, e))
}

fn optional_time_at(row: &Row, index: usize) -> rusqlite::Result<Option<Timestamp>> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => time_at(row, index).map(Some),
    }
}

/// A text column parsed with `FromStr`: uuids and the enums.
fn parsed_at<T>(row: &Row, index: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(index)?;
    text.parse().map_err(|e| conversion_error(index, e))
}

fn optional_uuid_at(row: &Row, index: usize) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = row.get(index)?;
    text.map(|t| t.parse().map_err(|e| conversion_error(index, e)))
        .transpose()
}

const USER_COLUMNS: &str = "id, email, full_name, role, created_at, updated_at, disabled_at";

fn user_from(row: &Row) -> rusqlite::Result<User> {
    Ok(User {
        id: parsed_at(row, 0)?,
        email: row.get(1)?,
        full_name: row.get(2)?,
        role: parsed_at(row, 3)?,
        created_at: time_at(row, 4)?,
        updated_at: time_at(row, 5)?,
        disabled_at: optional_time_at(row, 6)?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, user_id, kind, name, scopes, created_at, expires_at, revoked_at, last_used_at";

fn token_from(row: &Row) -> rusqlite::Result<Token> {
    let scopes: String = row.get(4)?;
    Ok(Token {
        id: parsed_at(row, 0)?,
        user_id: parsed_at(row, 1)?,
        kind: parsed_at(row, 2)?,
        name: row.get(3)?,
        scopes: scopes_from_text(&scopes).map_err(|e| conversion_error(4, e))?,
        created_at: time_at(row, 5)?,
        expires_at: optional_time_at(row, 6)?,
        revoked_at: optional_time_at(row, 7)?,
        last_used_at: optional_time_at(row, 8)?,
    })
}

const WORKSPACE_COLUMNS: &str = "id, name, owner_id, created_at, updated_at, deleted_at";

fn workspace_from(row: &Row) -> rusqlite::Result<Workspace> {
    Ok(Workspace {
        id: parsed_at(row, 0)?,
        name: row.get(1)?,
        owner_id: parsed_at(row, 2)?,
        created_at: time_at(row, 3)?,
        updated_at: time_at(row, 4)?,
        deleted_at: optional_time_at(row, 5)?,
    })
}

/// Memberships of live workspaces only, with the member's name and email.
const MEMBERSHIP_SELECT: &str =
    "SELECT m.id, m.workspace_id, m.user_id, m.role, m.created_at, u.email, u.full_name
    FROM memberships m
    JOIN users u ON u.id = m.user_id
    JOIN workspaces w ON w.id = m.workspace_id AND w.deleted_at IS NULL";

fn membership_from(row: &Row) -> rusqlite::Result<Membership> {
    Ok(Membership {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        user_id: parsed_at(row, 2)?,
        role: parsed_at(row, 3)?,
        created_at: time_at(row, 4)?,
        user_email: row.get(5)?,
        user_full_name: row.get(6)?,
    })
}

const CONNECTION_COLUMNS: &str = "id, workspace_id, name, db_type, mode, redacted_uri, connection_uri,
    connection_uri_key_id, created_by, created_at, updated_at, last_tested_at, last_test_ok, last_test_detail";

/// Connections of live workspaces only.
const LIVE_WORKSPACE: &str =
    "EXISTS (SELECT 1 FROM workspaces w WHERE w.id = ?1 AND w.deleted_at IS NULL)";

fn connection_from(row: &Row) -> rusqlite::Result<Connection> {
    Ok(Connection {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        name: row.get(2)?,
        db_type: parsed_at(row, 3)?,
        mode: parsed_at(row, 4)?,
        redacted_uri: row.get(5)?,
        uri: SealedUri {
            ciphertext: row.get(6)?,
            key_id: row.get(7)?,
        },
        created_by: optional_uuid_at(row, 8)?,
        created_at: time_at(row, 9)?,
        updated_at: time_at(row, 10)?,
        last_tested_at: optional_time_at(row, 11)?,
        last_test_ok: row.get(12)?,
        last_test_detail: row.get(13)?,
    })
}

const AUDIT_COLUMNS: &str =
    "id, workspace_id, actor_id, action, resource_type, resource_id, details, ip, user_agent, created_at";

fn audit_from(row: &Row) -> rusqlite::Result<Audit> {
    let details: String = row.get(6)?;
    Ok(Audit {
        id: parsed_at(row, 0)?,
        workspace_id: optional_uuid_at(row, 1)?,
        actor_id: optional_uuid_at(row, 2)?,
        action: row.get(3)?,
        resource_type: row.get(4)?,
        resource_id: row.get(5)?,
        details: serde_json::from_str(&details).map_err(|e| conversion_error(6, e))?,
        ip: row.get(7)?,
        user_agent: row.get(8)?,
        created_at: time_at(row, 9)?,
    })
}

const JOB_COLUMNS: &str =
    "id, workspace_id, kind, payload, status, progress, error, attempts, claimed_by,
    heartbeat_at, cancel_requested, created_by, created_at, started_at, finished_at, result";

fn job_from(row: &Row) -> rusqlite::Result<Job> {
    let payload: String = row.get(3)?;
    Ok(Job {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        kind: parsed_at(row, 2)?,
        payload: serde_json::from_str(&payload).map_err(|e| conversion_error(3, e))?,
        status: parsed_at(row, 4)?,
        progress: row.get(5)?,
        error: row.get(6)?,
        attempts: row.get(7)?,
        claimed_by: row.get(8)?,
        heartbeat_at: optional_time_at(row, 9)?,
        cancel_requested: row.get(10)?,
        created_by: optional_uuid_at(row, 11)?,
        created_at: time_at(row, 12)?,
        started_at: optional_time_at(row, 13)?,
        finished_at: optional_time_at(row, 14)?,
        result: row
            .get::<_, Option<String>>(15)?
            .map(|text| serde_json::from_str(&text).map_err(|e| conversion_error(15, e)))
            .transpose()?,
    })
}

const SCHEMA_COLUMNS: &str =
    "id, workspace_id, connection_id, version, fingerprint, summary, created_at";

fn schema_version_from(row: &Row) -> rusqlite::Result<SchemaVersion> {
    let summary: String = row.get(5)?;
    Ok(SchemaVersion {
        id: parsed_at(row, 0)?,
        workspace_id: parsed_at(row, 1)?,
        connection_id: parsed_at(row, 2)?,
        version: row.get(3)?,
        fingerprint: row.get(4)?,
        summary: serde_json::from_str(&summary).map_err(|e| conversion_error(5, e))?,
        created_at: time_at(row, 6)?,
    })
}

fn schema_match_from(row: &Row) -> rusqlite::Result<SchemaMatch> {
    Ok(SchemaMatch {
        connection_id: parsed_at(row, 0)?,
        version: row.get(1)?,
        namespace: row.get(2)?,
        table: row.get(3)?,
        table_kind: row.get(4)?,
        column: row.get(5)?,
        data_type: row.get(6)?,
        comment: row.get(7)?,
    })
}

fn collect<T>(
    conn: &Conn,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params, map)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn one<T>(
    conn: &Conn,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnOnce(&Row) -> rusqlite::Result<T>,
) -> Result<Option<T>, StoreError> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params, map)
        .optional()?)
}

fn execute(conn: &Conn, sql: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
    Ok(conn.prepare_cached(sql)?.execute(params)?)
}

/// Exactly one row changed, or NotFound.
fn execute_one(conn: &Conn, sql: &str, params: impl rusqlite::Params) -> Result<(), StoreError> {
    match execute(conn, sql, params)? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

fn require_live_workspace(conn: &Conn, workspace: Uuid) -> Result<(), StoreError> {
    one(
        conn,
        "SELECT 1 FROM workspaces WHERE id = ?1 AND deleted_at IS NULL",
        [workspace.to_string()],
        |_| Ok(()),
    )?
    .ok_or(StoreError::NotFound)
}

fn membership_in(
    conn: &Conn,
    workspace: Uuid,
    user: Uuid,
) -> Result<Option<Membership>, StoreError> {
    one(
        conn,
        &format!("{MEMBERSHIP_SELECT} WHERE m.workspace_id = ?1 AND m.user_id = ?2"),
        [workspace.to_string(), user.to_string()],
        membership_from,
    )
}

/// Refuses a change that takes the owner role from `current` when it is the
/// workspace's only owner.
fn guard_last_owner(conn: &Conn, workspace: Uuid, current: &Membership) -> Result<(), StoreError> {
    if current.role != MemberRole::Owner {
        return Ok(());
    }
    let owners: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM memberships WHERE workspace_id = ?1 AND role = 'owner'",
        )?
        .query_row([workspace.to_string()], |row| row.get(0))?;
    if owners <= 1 {
        return Err(StoreError::LastOwner);
    }
    Ok(())
}

struct Shared {
    writer: Mutex<Conn>,
    /// Empty for an in-memory database, whose only connection is the writer.
    readers: Vec<Mutex<Conn>>,
    next_reader: AtomicUsize,
}

impl Shared {
    fn writer(&self) -> MutexGuard<'_, Conn> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A free reader if there is one, else waits for the next in turn.
    fn reader(&self) -> MutexGuard<'_, Conn> {
        if self.readers.is_empty() {
            return self.writer();
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let count = self.readers.len();
        (0..count)
            .find_map(|offset| self.readers[(start + offset) % count].try_lock().ok())
            .unwrap_or_else(|| {
                self.readers[start % count]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
            })
    }
}

pub(crate) struct SqliteStore {
    shared: Arc<Shared>,
}

fn configure(conn: &Conn) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn migrate(conn: &mut Conn) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        ) STRICT",
    )?;
    for Migration { version, name, sql } in SQLITE {
        let failed = |e: rusqlite::Error| StoreError::Migration {
            version: *version,
            message: e.to_string(),
        };
        // IMMEDIATE: two processes opening one file migrate one after the other.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let applied = tx
            .query_row(
                "SELECT name FROM schema_migrations WHERE version = ?1",
                [version],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map_err(failed)?;
        match applied {
            Some(applied) if applied == *name => continue,
            Some(applied) => {
                return Err(StoreError::Migration {
                    version: *version,
                    message: format!(
                        "the store has migration `{applied}` where this build expects `{name}`"
                    ),
                })
            }
            None => {}
        }
        tx.execute_batch(sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![version, name, time_text(crate::now())],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(())
}

fn open_files(path: &str) -> Result<Shared, StoreError> {
    let in_memory = path == ":memory:";
    let is_new = !in_memory && !Path::new(path).exists();
    if is_new {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Backend(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    let mut writer = Conn::open(path)?;
    if is_new {
        restrict_to_owner(path)?;
    }
    configure(&writer)?;
    if !in_memory {
        writer.pragma_update(None, "journal_mode", "WAL")?;
    }
    // In WAL mode NORMAL stays consistent after a crash and only risks the
    // last transactions on power loss, at a fraction of FULL's fsyncs.
    writer.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&mut writer)?;

    let reader_count = if in_memory {
        0
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
    };
    let readers = (0..reader_count)
        .map(|_| {
            let reader = Conn::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?;
            configure(&reader)?;
            Ok(Mutex::new(reader))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Shared {
        writer: Mutex::new(writer),
        readers,
        next_reader: AtomicUsize::new(0),
    })
}

/// The file holds password hashes and sealed credentials: owner only.
/// SQLite gives its -wal and -shm files the same permissions.
#[cfg(unix)]
fn restrict_to_owner(path: &str) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| StoreError::Backend(format!("cannot restrict permissions of {path}: {e}")))
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &str) -> Result<(), StoreError> {
    Ok(())
}

fn join_error(error: tokio::task::JoinError) -> StoreError {
    StoreError::Backend(format!("store task failed: {error}"))
}

impl SqliteStore {
    pub(crate) async fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let path = path.to_owned();
        let shared = tokio::task::spawn_blocking(move || open_files(&path))
            .await
            .map_err(join_error)??;
        Ok(SqliteStore {
            shared: Arc::new(shared),
        })
    }

    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || work(&shared.reader()))
            .await
            .map_err(join_error)?
    }

    /// Runs `work` in one IMMEDIATE transaction on the writer, committed if it succeeds.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = shared.writer();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(join_error)?
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| Ok(conn.prepare_cached("SELECT 1")?.query_row([], |_| Ok(()))?))
            .await
    }

    pub(crate) async fn create_user(
        &self,
        new: NewUser,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        self.write(move |conn| {
            let user = User {
                id: Uuid::new_v4(),
                email: new.email,
                full_name: new.full_name,
                role: new.role,
                created_at: now,
                updated_at: now,
                disabled_at: None,
            };
            execute(
                conn,
                "INSERT INTO users (id, email, full_name, password_hash, role, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    user.id.to_string(),
                    user.email,
                    user.full_name,
                    new.password_hash,
                    user.role.as_str(),
                    time_text(now)
                ],
            )?;
            Ok(user)
        })
        .await
    }

    pub(crate) async fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                [id.to_string()],
                user_from,
            )
        })
        .await
    }

    pub(crate) async fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<UserWithHash>, StoreError> {
        let email = email.to_owned();
        self.read(move |conn| {
            one(
                conn,
                &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?1"),
                [email],
                |row| {
                    Ok(UserWithHash {
                        user: user_from(row)?,
                        password_hash: row.get(7)?,
                    })
                },
            )
        })
        .await
    }

    pub(crate) async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.read(|conn| {
            collect(
                conn,
                &format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at, email"),
                [],
                user_from,
            )
        })
        .await
    }

    pub(crate) async fn update_user(
        &self,
        id: Uuid,
        change: UserChange,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE users SET
                        full_name = coalesce(?2, full_name),
                        role = coalesce(?3, role),
                        password_hash = coalesce(?4, password_hash),
                        disabled_at = CASE ?5 WHEN 1 THEN coalesce(disabled_at, ?6) WHEN 0 THEN NULL ELSE disabled_at END,
                        updated_at = ?6
                     WHERE id = ?1
                     RETURNING {USER_COLUMNS}"
                ),
                params![
                    id.to_string(),
                    change.full_name,
                    change.role.map(|role| role.as_str()),
                    change.password_hash,
                    change.disabled,
                    time_text(now)
                ],
                user_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn count_users(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            let count: i64 = conn
                .prepare_cached("SELECT count(*) FROM users")?
                .query_row([], |row| row.get(0))?;
            Ok(count.unsigned_abs())
        })
        .await
    }

    pub(crate) async fn create_token(
        &self,
        new: NewToken,
        now: Timestamp,
    ) -> Result<Token, StoreError> {
        self.write(move |conn| {
            let token = Token {
                id: Uuid::new_v4(),
                user_id: new.user_id,
                kind: new.kind,
                name: new.name,
                scopes: new.scopes,
                created_at: now,
                expires_at: new.expires_at,
                revoked_at: None,
                last_used_at: None,
            };
            execute(
                conn,
                "INSERT INTO auth_tokens (id, user_id, kind, name, token_hash, scopes, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    token.id.to_string(),
                    token.user_id.to_string(),
                    token.kind.as_str(),
                    token.name,
                    new.token_hash,
                    scopes_to_text(&token.scopes),
                    time_text(now),
                    token.expires_at.map(time_text)
                ],
            )?;
            Ok(token)
        })
        .await
    }

    pub(crate) async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>, StoreError> {
        let hash = hash.to_owned();
        self.read(move |conn| {
            one(
                conn,
                &format!("SELECT {TOKEN_COLUMNS} FROM auth_tokens WHERE token_hash = ?1"),
                [hash],
                token_from,
            )
        })
        .await
    }

    pub(crate) async fn touch_token(
        &self,
        id: Uuid,
        at: Timestamp,
        stale_before: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "UPDATE auth_tokens SET last_used_at = ?2
                 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?3)",
                params![id.to_string(), time_text(at), time_text(stale_before)],
            )
            .map(drop)
        })
        .await
    }

    pub(crate) async fn revoke_token(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute_one(
                conn,
                "UPDATE auth_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
                params![id.to_string(), time_text(at)],
            )
        })
        .await
    }

    pub(crate) async fn revoke_user_tokens(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        self.write(move |conn| {
            let revoked = execute(
                conn,
                "UPDATE auth_tokens SET revoked_at = ?2
                 WHERE user_id = ?1 AND revoked_at IS NULL AND (?3 IS NULL OR id <> ?3)",
                params![
                    user_id.to_string(),
                    time_text(at),
                    except.map(|id| id.to_string())
                ],
            )?;
            Ok(revoked as u64)
        })
        .await
    }

    pub(crate) async fn list_tokens(&self, user_id: Uuid) -> Result<Vec<Token>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!("SELECT {TOKEN_COLUMNS} FROM auth_tokens WHERE user_id = ?1 ORDER BY created_at DESC, id"),
                [user_id.to_string()],
                token_from,
            )
        })
        .await
    }

    pub(crate) async fn create_workspace(
        &self,
        name: &str,
        owner: Uuid,
        now: Timestamp,
    ) -> Result<Workspace, StoreError> {
        let name = name.to_owned();
        self.write(move |conn| {
            let workspace = Workspace {
                id: Uuid::new_v4(),
                name,
                owner_id: owner,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            };
            execute(
                conn,
                "INSERT INTO workspaces (id, name, owner_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![
                    workspace.id.to_string(),
                    workspace.name,
                    owner.to_string(),
                    time_text(now)
                ],
            )?;
            execute(
                conn,
                "INSERT INTO memberships (id, user_id, workspace_id, role, created_at) VALUES (?1, ?2, ?3, 'owner', ?4)",
                params![
                    Uuid::new_v4().to_string(),
                    owner.to_string(),
                    workspace.id.to_string(),
                    time_text(now)
                ],
            )?;
            Ok(workspace)
        })
        .await
    }

    pub(crate) async fn workspace(
        &self,
        id: Uuid,
        include_deleted: bool,
    ) -> Result<Option<Workspace>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE id = ?1 AND (?2 OR deleted_at IS NULL)"),
                params![id.to_string(), include_deleted],
                workspace_from,
            )
        })
        .await
    }

    pub(crate) async fn workspaces_of(
        &self,
        user: Uuid,
    ) -> Result<Vec<(Workspace, MemberRole)>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {WORKSPACE_COLUMNS}, m.role FROM workspaces
                     JOIN (SELECT workspace_id, role FROM memberships WHERE user_id = ?1) m ON m.workspace_id = id
                     WHERE deleted_at IS NULL
                     ORDER BY name, id"
                ),
                [user.to_string()],
                |row| Ok((workspace_from(row)?, parsed_at(row, 6)?)),
            )
        })
        .await
    }

    pub(crate) async fn all_workspaces(
        &self,
        include_deleted: bool,
    ) -> Result<Vec<Workspace>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE ?1 OR deleted_at IS NULL ORDER BY name, id"
                ),
                [include_deleted],
                workspace_from,
            )
        })
        .await
    }

    pub(crate) async fn rename_workspace(
        &self,
        id: Uuid,
        name: &str,
        now: Timestamp,
    ) -> Result<Workspace, StoreError> {
        let name = name.to_owned();
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE workspaces SET name = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL
                     RETURNING {WORKSPACE_COLUMNS}"
                ),
                params![id.to_string(), name, time_text(now)],
                workspace_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_workspace(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute_one(
                conn,
                "UPDATE workspaces SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                params![id.to_string(), time_text(at)],
            )
        })
        .await
    }

    pub(crate) async fn restore_workspace(
        &self,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Workspace, StoreError> {
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE workspaces SET
                        updated_at = CASE WHEN deleted_at IS NULL THEN updated_at ELSE ?2 END,
                        deleted_at = NULL
                     WHERE id = ?1
                     RETURNING {WORKSPACE_COLUMNS}"
                ),
                params![id.to_string(), time_text(now)],
                workspace_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn membership(
        &self,
        workspace: Uuid,
        user: Uuid,
    ) -> Result<Option<Membership>, StoreError> {
        self.read(move |conn| membership_in(conn, workspace, user))
            .await
    }

    pub(crate) async fn members(&self, workspace: Uuid) -> Result<Vec<Membership>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "{MEMBERSHIP_SELECT} WHERE m.workspace_id = ?1 ORDER BY m.created_at, u.email"
                ),
                [workspace.to_string()],
                membership_from,
            )
        })
        .await
    }

    pub(crate) async fn add_member(
        &self,
        workspace: Uuid,
        user: Uuid,
        role: MemberRole,
        now: Timestamp,
    ) -> Result<Membership, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, workspace)?;
            execute(
                conn,
                "INSERT INTO memberships (id, user_id, workspace_id, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    Uuid::new_v4().to_string(),
                    user.to_string(),
                    workspace.to_string(),
                    role.as_str(),
                    time_text(now)
                ],
            )?;
            membership_in(conn, workspace, user)?.ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn set_member_role(
        &self,
        workspace: Uuid,
        user: Uuid,
        role: MemberRole,
    ) -> Result<Membership, StoreError> {
        self.write(move |conn| {
            let current = membership_in(conn, workspace, user)?.ok_or(StoreError::NotFound)?;
            if role != MemberRole::Owner {
                guard_last_owner(conn, workspace, &current)?;
            }
            execute(
                conn,
                "UPDATE memberships SET role = ?2 WHERE id = ?1",
                params![current.id.to_string(), role.as_str()],
            )?;
            Ok(Membership { role, ..current })
        })
        .await
    }

    pub(crate) async fn remove_member(
        &self,
        workspace: Uuid,
        user: Uuid,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            let current = membership_in(conn, workspace, user)?.ok_or(StoreError::NotFound)?;
            guard_last_owner(conn, workspace, &current)?;
            execute_one(
                conn,
                "DELETE FROM memberships WHERE id = ?1",
                [current.id.to_string()],
            )
        })
        .await
    }

    pub(crate) async fn create_connection(
        &self,
        new: NewConnection,
        now: Timestamp,
    ) -> Result<Connection, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, new.workspace_id)?;
            let connection = Connection {
                id: Uuid::new_v4(),
                workspace_id: new.workspace_id,
                name: new.name,
                db_type: new.db_type,
                mode: new.mode,
                redacted_uri: new.redacted_uri,
                uri: new.uri,
                created_by: new.created_by,
                created_at: now,
                updated_at: now,
                last_tested_at: None,
                last_test_ok: None,
                last_test_detail: None,
            };
            execute(
                conn,
                "INSERT INTO connections (id, workspace_id, name, db_type, mode, redacted_uri, connection_uri,
                     connection_uri_key_id, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    connection.id.to_string(),
                    connection.workspace_id.to_string(),
                    connection.name,
                    connection.db_type.as_str(),
                    connection.mode.as_str(),
                    connection.redacted_uri,
                    connection.uri.ciphertext,
                    connection.uri.key_id,
                    connection.created_by.map(|id| id.to_string()),
                    time_text(now)
                ],
            )?;
            Ok(connection)
        })
        .await
    }

    pub(crate) async fn connection(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Connection>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT {CONNECTION_COLUMNS} FROM connections WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string(), id.to_string()],
                connection_from,
            )
        })
        .await
    }

    pub(crate) async fn connections(&self, workspace: Uuid) -> Result<Vec<Connection>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {CONNECTION_COLUMNS} FROM connections WHERE workspace_id = ?1 AND {LIVE_WORKSPACE}
                     ORDER BY name, id"
                ),
                [workspace.to_string()],
                connection_from,
            )
        })
        .await
    }

    pub(crate) async fn update_connection(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: ConnectionChange,
        now: Timestamp,
    ) -> Result<Connection, StoreError> {
        self.write(move |conn| {
            let (ciphertext, key_id, redacted) = match change.uri {
                Some(uri) => (
                    Some(uri.sealed.ciphertext),
                    Some(uri.sealed.key_id),
                    Some(uri.redacted),
                ),
                None => (None, None, None),
            };
            one(
                conn,
                &format!(
                    "UPDATE connections SET
                        name = coalesce(?3, name),
                        db_type = coalesce(?4, db_type),
                        mode = coalesce(?5, mode),
                        connection_uri = coalesce(?6, connection_uri),
                        connection_uri_key_id = coalesce(?7, connection_uri_key_id),
                        redacted_uri = coalesce(?8, redacted_uri),
                        last_tested_at = CASE WHEN ?6 IS NULL THEN last_tested_at END,
                        last_test_ok = CASE WHEN ?6 IS NULL THEN last_test_ok END,
                        last_test_detail = CASE WHEN ?6 IS NULL THEN last_test_detail END,
                        updated_at = ?9
                     WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}
                     RETURNING {CONNECTION_COLUMNS}"
                ),
                params![
                    workspace.to_string(),
                    id.to_string(),
                    change.name,
                    change.db_type.map(|t| t.as_str()),
                    change.mode.map(|m| m.as_str()),
                    ciphertext,
                    key_id,
                    redacted,
                    time_text(now)
                ],
                connection_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn delete_connection(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute_one(
                conn,
                &format!("DELETE FROM connections WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"),
                [workspace.to_string(), id.to_string()],
            )
        })
        .await
    }

    pub(crate) async fn record_connection_test(
        &self,
        workspace: Uuid,
        id: Uuid,
        at: Timestamp,
        ok: bool,
        detail: &str,
    ) -> Result<(), StoreError> {
        let detail = detail.to_owned();
        self.write(move |conn| {
            execute_one(
                conn,
                &format!(
                    "UPDATE connections SET last_tested_at = ?3, last_test_ok = ?4, last_test_detail = ?5
                     WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                params![workspace.to_string(), id.to_string(), time_text(at), ok, detail],
            )
        })
        .await
    }

    pub(crate) async fn sealed_uris(&self) -> Result<Vec<(Uuid, SealedUri)>, StoreError> {
        self.read(|conn| {
            collect(
                conn,
                "SELECT id, connection_uri, connection_uri_key_id FROM connections ORDER BY id",
                [],
                |row| {
                    Ok((
                        parsed_at(row, 0)?,
                        SealedUri {
                            ciphertext: row.get(1)?,
                            key_id: row.get(2)?,
                        },
                    ))
                },
            )
        })
        .await
    }

    pub(crate) async fn reseal_uri(
        &self,
        id: Uuid,
        old_key_id: &str,
        uri: SealedUri,
    ) -> Result<bool, StoreError> {
        let old_key_id = old_key_id.to_owned();
        self.write(move |conn| {
            let changed = execute(
                conn,
                "UPDATE connections SET connection_uri = ?3, connection_uri_key_id = ?4
                 WHERE id = ?1 AND connection_uri_key_id = ?2",
                params![id.to_string(), old_key_id, uri.ciphertext, uri.key_id],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub(crate) async fn append_audit(
        &self,
        entry: NewAudit,
        id: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "INSERT INTO audits (id, workspace_id, actor_id, action, resource_type, resource_id, details, ip,
                     user_agent, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id.to_string(),
                    entry.workspace_id.map(|id| id.to_string()),
                    entry.actor_id.map(|id| id.to_string()),
                    entry.action,
                    entry.resource_type,
                    entry.resource_id,
                    entry.details.to_string(),
                    entry.ip,
                    entry.user_agent,
                    time_text(now)
                ],
            )
            .map(drop)
        })
        .await
    }

    pub(crate) async fn audits(&self, filter: AuditFilter) -> Result<Vec<Audit>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audits
                     WHERE (?1 IS NULL OR workspace_id = ?1)
                       AND (?2 IS NULL OR actor_id = ?2)
                       AND (?3 IS NULL OR substr(action, 1, length(?3)) = ?3)
                       AND (?4 IS NULL OR created_at >= ?4)
                       AND (?5 IS NULL OR created_at < ?5)
                       AND (?6 IS NULL OR seq < (SELECT seq FROM audits WHERE id = ?6))
                     ORDER BY seq DESC
                     LIMIT ?7"
                ),
                params![
                    filter.workspace_id.map(|id| id.to_string()),
                    filter.actor_id.map(|id| id.to_string()),
                    filter.action,
                    filter.since.map(time_text),
                    filter.until.map(time_text),
                    filter.before_id.map(|id| id.to_string()),
                    filter.effective_limit()
                ],
                audit_from,
            )
        })
        .await
    }

    pub(crate) async fn enqueue_job(
        &self,
        new: NewJob,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        self.write(move |conn| {
            require_live_workspace(conn, new.workspace_id)?;
            one(
                conn,
                &format!(
                    "INSERT INTO jobs (id, workspace_id, kind, payload, created_by, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     RETURNING {JOB_COLUMNS}"
                ),
                params![
                    id.to_string(),
                    new.workspace_id.to_string(),
                    new.kind.as_str(),
                    new.payload.to_string(),
                    new.created_by.map(|id| id.to_string()),
                    time_text(now)
                ],
                job_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn job(&self, workspace: Uuid, id: Uuid) -> Result<Option<Job>, StoreError> {
        self.read(move |conn| {
            one(
                conn,
                &format!(
                    "SELECT {JOB_COLUMNS} FROM jobs WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"
                ),
                [workspace.to_string(), id.to_string()],
                job_from,
            )
        })
        .await
    }

    pub(crate) async fn claim_job(
        &self,
        instance: &str,
        now: Timestamp,
    ) -> Result<Option<Job>, StoreError> {
        let instance = instance.to_owned();
        // One writer: the subquery and the update run in one transaction.
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE jobs SET status = 'running', attempts = attempts + 1, claimed_by = ?1,
                        heartbeat_at = ?2, started_at = ?2, progress = 0, error = NULL
                     WHERE id = (
                        SELECT j.id FROM jobs j
                        JOIN workspaces w ON w.id = j.workspace_id AND w.deleted_at IS NULL
                        WHERE j.status = 'pending'
                        ORDER BY j.created_at, j.id
                        LIMIT 1
                     )
                     RETURNING {JOB_COLUMNS}"
                ),
                params![instance, time_text(now)],
                job_from,
            )
        })
        .await
    }

    pub(crate) async fn heartbeat_job(
        &self,
        id: Uuid,
        instance: &str,
        progress: Option<u8>,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let instance = instance.to_owned();
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE jobs SET heartbeat_at = ?3, progress = coalesce(?4, progress)
                     WHERE id = ?1 AND claimed_by = ?2 AND status = 'running'
                     RETURNING {JOB_COLUMNS}"
                ),
                params![id.to_string(), instance, time_text(now), progress],
                job_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn finish_job(
        &self,
        id: Uuid,
        instance: &str,
        outcome: JobOutcome,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let instance = instance.to_owned();
        self.write(move |conn| {
            one(
                conn,
                &format!(
                    "UPDATE jobs SET status = ?3, error = ?4, result = ?6, finished_at = ?5, heartbeat_at = ?5,
                        progress = CASE WHEN ?3 = 'completed' THEN 100 ELSE progress END
                     WHERE id = ?1 AND claimed_by = ?2 AND status = 'running'
                     RETURNING {JOB_COLUMNS}"
                ),
                params![
                    id.to_string(),
                    instance,
                    outcome.status().as_str(),
                    outcome.error(),
                    time_text(now),
                    outcome.result().map(|result| result.to_string())
                ],
                job_from,
            )?
            .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn cancel_job(
        &self,
        workspace: Uuid,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        self.write(move |conn| {
            let updated = one(
                conn,
                &format!(
                    "UPDATE jobs SET
                        status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
                        finished_at = CASE WHEN status = 'pending' THEN ?3 ELSE finished_at END,
                        cancel_requested = 1
                     WHERE workspace_id = ?1 AND id = ?2 AND status IN ('pending', 'running')
                       AND {LIVE_WORKSPACE}
                     RETURNING {JOB_COLUMNS}"
                ),
                params![workspace.to_string(), id.to_string(), time_text(now)],
                job_from,
            )?;
            match updated {
                Some(job) => Ok(job),
                None => Err(crate::cancel_refused(one(
                    conn,
                    &format!("SELECT 1 FROM jobs WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"),
                    [workspace.to_string(), id.to_string()],
                    |_| Ok(()),
                )?
                .is_some())),
            }
        })
        .await
    }

    pub(crate) async fn recover_stale_jobs(
        &self,
        stale_before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<Job>, StoreError> {
        self.write(move |conn| {
            collect(
                conn,
                &format!(
                    "UPDATE jobs SET
                        status = CASE
                            WHEN cancel_requested THEN 'cancelled'
                            WHEN attempts < ?3 THEN 'pending'
                            ELSE 'failed' END,
                        error = CASE
                            WHEN cancel_requested OR attempts < ?3 THEN error
                            ELSE ?4 END,
                        finished_at = CASE
                            WHEN cancel_requested OR attempts >= ?3 THEN ?2 END,
                        claimed_by = CASE
                            WHEN cancel_requested OR attempts >= ?3 THEN claimed_by END,
                        heartbeat_at = CASE
                            WHEN cancel_requested OR attempts >= ?3 THEN heartbeat_at END
                     WHERE status = 'running' AND heartbeat_at < ?1
                     RETURNING {JOB_COLUMNS}"
                ),
                params![
                    time_text(stale_before),
                    time_text(now),
                    MAX_JOB_ATTEMPTS,
                    crate::ABANDONED_JOB_ERROR
                ],
                job_from,
            )
        })
        .await
    }

    pub(crate) async fn record_schema_version(
        &self,
        new: NewSchemaVersion,
        now: Timestamp,
    ) -> Result<SchemaRecord, StoreError> {
        self.write(move |conn| {
            let workspace = new.workspace_id.to_string();
            let connection = new.connection_id.to_string();
            one(
                conn,
                &format!("SELECT 1 FROM connections WHERE workspace_id = ?1 AND id = ?2 AND {LIVE_WORKSPACE}"),
                [&workspace, &connection],
                |_| Ok(()),
            )?
            .ok_or(StoreError::NotFound)?;
            let latest = one(
                conn,
                &format!(
                    "SELECT {SCHEMA_COLUMNS} FROM schemas WHERE connection_id = ?1
                     ORDER BY version DESC LIMIT 1"
                ),
                [&connection],
                schema_version_from,
            )?;
            if let Some(latest) = latest.filter(|latest| latest.fingerprint == new.fingerprint) {
                return Ok(SchemaRecord::Unchanged(latest));
            }
            let schema_id = Uuid::new_v4().to_string();
            let version = one(
                conn,
                &format!(
                    "INSERT INTO schemas (id, workspace_id, connection_id, version, fingerprint, schema_json,
                         summary, created_at)
                     SELECT ?1, ?2, ?3, coalesce(max(version), 0) + 1, ?4, ?5, ?6, ?7
                     FROM schemas WHERE connection_id = ?3
                     RETURNING {SCHEMA_COLUMNS}"
                ),
                params![
                    schema_id,
                    workspace,
                    connection,
                    new.fingerprint,
                    new.schema_json.to_string(),
                    new.summary.to_string(),
                    time_text(now)
                ],
                schema_version_from,
            )?
            .ok_or(StoreError::NotFound)?;
            for table in &new.tables {
                let table_id = Uuid::new_v4().to_string();
                execute(
                    conn,
                    "INSERT INTO tables (id, schema_id, workspace_id, namespace, name, kind, comment)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        table_id,
                        schema_id,
                        workspace,
                        table.namespace,
                        table.name,
                        table.kind,
                        table.comment
                    ],
                )?;
                for (position, column) in (0u32..).zip(&table.columns) {
                    execute(
                        conn,
                        "INSERT INTO columns (id, table_id, workspace_id, position, name, data_type, nullable,
                             is_pk, is_fk, comment)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        params![
                            Uuid::new_v4().to_string(),
                            table_id,
                            workspace,
                            position,
                            column.name,
                            column.data_type,
                            column.nullable,
                            column.is_pk,
                            column.is_fk,
                            column.comment
                        ],
                    )?;
                }
            }
            Ok(SchemaRecord::Created(version))
        })
        .await
    }

    pub(crate) async fn schema_versions(
        &self,
        workspace: Uuid,
        connection: Uuid,
    ) -> Result<Vec<SchemaVersion>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "SELECT {SCHEMA_COLUMNS} FROM schemas
                     WHERE workspace_id = ?1 AND connection_id = ?2 AND {LIVE_WORKSPACE}
                     ORDER BY version DESC"
                ),
                [workspace.to_string(), connection.to_string()],
                schema_version_from,
            )
        })
        .await
    }

    pub(crate) async fn schema_version(
        &self,
        workspace: Uuid,
        connection: Uuid,
        version: u32,
    ) -> Result<Option<(SchemaVersion, serde_json::Value)>, StoreError> {
        self.read(move |conn| {
            let found = one(
                conn,
                &format!(
                    "SELECT {SCHEMA_COLUMNS}, schema_json FROM schemas
                     WHERE workspace_id = ?1 AND connection_id = ?2 AND version = ?3 AND {LIVE_WORKSPACE}"
                ),
                params![workspace.to_string(), connection.to_string(), version],
                |row| {
                    let json: String = row.get(7)?;
                    Ok((
                        schema_version_from(row)?,
                        serde_json::from_str(&json).map_err(|e| conversion_error(7, e))?,
                    ))
                },
            )?;
            Ok(found)
        })
        .await
    }

    pub(crate) async fn search_schemas(
        &self,
        workspace: Uuid,
        needle: String,
        limit: u32,
    ) -> Result<Vec<SchemaMatch>, StoreError> {
        self.read(move |conn| {
            collect(
                conn,
                &format!(
                    "WITH latest AS (
                        SELECT s.id, s.connection_id, s.version FROM schemas s
                        WHERE s.workspace_id = ?1 AND {LIVE_WORKSPACE}
                          AND s.version = (SELECT max(l.version) FROM schemas l WHERE l.connection_id = s.connection_id)
                     )
                     SELECT latest.connection_id, latest.version, t.namespace, t.name, t.kind,
                            NULL, NULL, t.comment, -1 AS position
                     FROM latest JOIN tables t ON t.schema_id = latest.id
                     WHERE instr(lower(t.name), ?2) > 0 OR instr(lower(coalesce(t.comment, '')), ?2) > 0
                     UNION ALL
                     SELECT latest.connection_id, latest.version, t.namespace, t.name, t.kind,
                            c.name, c.data_type, c.comment, c.position
                     FROM latest JOIN tables t ON t.schema_id = latest.id JOIN columns c ON c.table_id = t.id
                     WHERE instr(lower(c.name), ?2) > 0 OR instr(lower(coalesce(c.comment, '')), ?2) > 0
                     ORDER BY 1, 3, 4, 9
                     LIMIT ?3"
                ),
                params![workspace.to_string(), needle, limit],
                schema_match_from,
            )
        })
        .await
    }
}
