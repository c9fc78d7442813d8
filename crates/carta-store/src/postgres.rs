//! The PostgreSQL backend: a small connection pool, cached statements, and
//! row-level security. Every call on a workspace-scoped table runs in a
//! transaction that first names its workspace (or declares itself a
//! cross-workspace system call), so the database itself refuses rows of
//! any other workspace.

mod docs;
mod mock_jobs;
mod queries;
mod usage;
mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime, Transaction,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};
use uuid::Uuid;

use crate::migrations::{Migration, POSTGRES};
use crate::model::{
    scopes_from_text, scopes_to_text, Audit, AuditFilter, Connection, ConnectionChange, Job,
    JobOutcome, MemberRole, Membership, NewAudit, NewConnection, NewJob, NewSchemaVersion,
    NewToken, NewUser, SchemaMatch, SchemaRecord, SchemaVersion, SealedUri, Timestamp, Token,
    UnknownValue, User, UserChange, UserWithHash, Workspace, MAX_JOB_ATTEMPTS,
};
use crate::StoreError;

const POOL_SIZE: usize = 16;
const POOL_TIMEOUT: Duration = Duration::from_secs(10);
/// Any constant shared by every carta process: migrations run one at a time.
const MIGRATION_LOCK: i64 = 0x6361_7274_615f_6d67;

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> StoreError {
        let Some(db) = error.as_db_error() else {
            return StoreError::Backend(error.to_string());
        };
        match *db.code() {
            SqlState::UNIQUE_VIOLATION => {
                StoreError::conflict(db.constraint().unwrap_or(db.table().unwrap_or("")))
            }
            SqlState::FOREIGN_KEY_VIOLATION => StoreError::NotFound,
            SqlState::INSUFFICIENT_PRIVILEGE if db.message().contains("append-only") => {
                StoreError::AppendOnly
            }
            // Severity, message and code only: the detail of a constraint
            // violation quotes the row, which may hold a secret.
            _ => StoreError::Backend(format!(
                "{}: {} ({})",
                db.severity(),
                db.message(),
                db.code().code()
            )),
        }
    }
}

impl From<PoolError> for StoreError {
    fn from(error: PoolError) -> StoreError {
        match error {
            PoolError::Backend(error) => error.into(),
            other => StoreError::Backend(format!("PostgreSQL pool: {other}")),
        }
    }
}

fn unknown(error: UnknownValue) -> StoreError {
    StoreError::Backend(format!("corrupt row: {error}"))
}

fn parsed<T: FromStr<Err = UnknownValue>>(row: &Row, index: usize) -> Result<T, StoreError> {
    row.try_get::<_, &str>(index)?.parse().map_err(unknown)
}

async fn rows<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let statement = client.prepare_cached(sql).await?;
    Ok(client.query(&statement, params).await?)
}

async fn one<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, StoreError> {
    let statement = client.prepare_cached(sql).await?;
    Ok(client.query_opt(&statement, params).await?)
}

async fn execute<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let statement = client.prepare_cached(sql).await?;
    Ok(client.execute(&statement, params).await?)
}

/// Exactly one row changed, or NotFound.
async fn execute_one<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<(), StoreError> {
    match execute(client, sql, params).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

const USER_COLUMNS: &str = "id, email, full_name, role, created_at, updated_at, disabled_at";

fn user_from(row: &Row) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        full_name: row.try_get(2)?,
        role: parsed(row, 3)?,
        created_at: row.try_get(4)?,
        updated_at: row.try_get(5)?,
        disabled_at: row.try_get(6)?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, user_id, kind, name, scopes, created_at, expires_at, revoked_at, last_used_at";

fn token_from(row: &Row) -> Result<Token, StoreError> {
    Ok(Token {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        kind: parsed(row, 2)?,
        name: row.try_get(3)?,
        scopes: scopes_from_text(row.try_get(4)?).map_err(unknown)?,
        created_at: row.try_get(5)?,
        expires_at: row.try_get(6)?,
        revoked_at: row.try_get(7)?,
        last_used_at: row.try_get(8)?,
    })
}

const WORKSPACE_COLUMNS: &str = "id, name, owner_id, created_at, updated_at, deleted_at";

fn workspace_from(row: &Row) -> Result<Workspace, StoreError> {
    Ok(Workspace {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        owner_id: row.try_get(2)?,
        created_at: row.try_get(3)?,
        updated_at: row.try_get(4)?,
        deleted_at: row.try_get(5)?,
    })
}

/// Memberships of live workspaces only, with the member's name and email.
const MEMBERSHIP_SELECT: &str =
    "SELECT m.id, m.workspace_id, m.user_id, m.role, m.created_at, u.email, u.full_name
    FROM carta.memberships m
    JOIN carta.users u ON u.id = m.user_id
    JOIN carta.workspaces w ON w.id = m.workspace_id AND w.deleted_at IS NULL";

fn membership_from(row: &Row) -> Result<Membership, StoreError> {
    Ok(Membership {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        user_id: row.try_get(2)?,
        role: parsed(row, 3)?,
        created_at: row.try_get(4)?,
        user_email: row.try_get(5)?,
        user_full_name: row.try_get(6)?,
    })
}

const CONNECTION_COLUMNS: &str = "id, workspace_id, name, db_type, mode, redacted_uri, connection_uri,
    connection_uri_key_id, created_by, created_at, updated_at, last_tested_at, last_test_ok, last_test_detail";

/// Connections of live workspaces only.
const LIVE_WORKSPACE: &str =
    "EXISTS (SELECT 1 FROM carta.workspaces w WHERE w.id = $1 AND w.deleted_at IS NULL)";

fn connection_from(row: &Row) -> Result<Connection, StoreError> {
    Ok(Connection {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        name: row.try_get(2)?,
        db_type: parsed(row, 3)?,
        mode: parsed(row, 4)?,
        redacted_uri: row.try_get(5)?,
        uri: SealedUri {
            ciphertext: row.try_get(6)?,
            key_id: row.try_get(7)?,
        },
        created_by: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
        last_tested_at: row.try_get(11)?,
        last_test_ok: row.try_get(12)?,
        last_test_detail: row.try_get(13)?,
    })
}

const AUDIT_COLUMNS: &str =
    "id, workspace_id, actor_id, action, resource_type, resource_id, details, ip, user_agent, created_at";

fn audit_from(row: &Row) -> Result<Audit, StoreError> {
    Ok(Audit {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        actor_id: row.try_get(2)?,
        action: row.try_get(3)?,
        resource_type: row.try_get(4)?,
        resource_id: row.try_get(5)?,
        details: row.try_get(6)?,
        ip: row.try_get(7)?,
        user_agent: row.try_get(8)?,
        created_at: row.try_get(9)?,
    })
}

const JOB_COLUMNS: &str =
    "id, workspace_id, kind, payload, status, progress, error, attempts, claimed_by,
    heartbeat_at, cancel_requested, created_by, created_at, started_at, finished_at, result";

/// A stored number out of its column's range: the CHECK constraints keep it in.
fn out_of_range(what: &str) -> StoreError {
    StoreError::Backend(format!("corrupt row: {what} out of range"))
}

fn job_from(row: &Row) -> Result<Job, StoreError> {
    Ok(Job {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        kind: parsed(row, 2)?,
        payload: row.try_get(3)?,
        status: parsed(row, 4)?,
        progress: u8::try_from(row.try_get::<_, i16>(5)?).map_err(|_| out_of_range("progress"))?,
        error: row.try_get(6)?,
        attempts: u32::try_from(row.try_get::<_, i32>(7)?).map_err(|_| out_of_range("attempts"))?,
        claimed_by: row.try_get(8)?,
        heartbeat_at: row.try_get(9)?,
        cancel_requested: row.try_get(10)?,
        created_by: row.try_get(11)?,
        created_at: row.try_get(12)?,
        started_at: row.try_get(13)?,
        finished_at: row.try_get(14)?,
        result: row.try_get(15)?,
    })
}

const SCHEMA_COLUMNS: &str =
    "id, workspace_id, connection_id, version, fingerprint, summary, created_at";

fn version_at(row: &Row, index: usize) -> Result<u32, StoreError> {
    u32::try_from(row.try_get::<_, i32>(index)?).map_err(|_| out_of_range("version"))
}

fn schema_version_from(row: &Row) -> Result<SchemaVersion, StoreError> {
    Ok(SchemaVersion {
        id: row.try_get(0)?,
        workspace_id: row.try_get(1)?,
        connection_id: row.try_get(2)?,
        version: version_at(row, 3)?,
        fingerprint: row.try_get(4)?,
        summary: row.try_get(5)?,
        created_at: row.try_get(6)?,
    })
}

fn schema_match_from(row: &Row) -> Result<SchemaMatch, StoreError> {
    Ok(SchemaMatch {
        connection_id: row.try_get(0)?,
        version: version_at(row, 1)?,
        namespace: row.try_get(2)?,
        table: row.try_get(3)?,
        table_kind: row.try_get(4)?,
        column: row.try_get(5)?,
        data_type: row.try_get(6)?,
        comment: row.try_get(7)?,
    })
}

fn all<T>(
    rows: Vec<Row>,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(map).collect()
}

/// Which rows of the workspace-scoped tables a transaction may see.
#[derive(Clone, Copy)]
enum Rls {
    Workspace(Uuid),
    /// Cross-workspace: admin lists, a user's workspaces, key rotation.
    System,
}

/// Locks a live workspace's row, so that concurrent membership changes in
/// it run one after the other (the last-owner rule needs that).
async fn lock_live_workspace(tx: &Transaction<'_>, workspace: Uuid) -> Result<(), StoreError> {
    one(
        tx,
        "SELECT 1 FROM carta.workspaces WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        &[&workspace],
    )
    .await?
    .map(drop)
    .ok_or(StoreError::NotFound)
}

async fn membership_in<C: GenericClient>(
    client: &C,
    workspace: Uuid,
    user: Uuid,
) -> Result<Option<Membership>, StoreError> {
    one(
        client,
        &format!("{MEMBERSHIP_SELECT} WHERE m.workspace_id = $1 AND m.user_id = $2"),
        &[&workspace, &user],
    )
    .await?
    .as_ref()
    .map(membership_from)
    .transpose()
}

/// Refuses a change that takes the owner role from `current` when it is the
/// workspace's only owner. The caller holds the workspace's lock.
async fn guard_last_owner(
    tx: &Transaction<'_>,
    workspace: Uuid,
    current: &Membership,
) -> Result<(), StoreError> {
    if current.role != MemberRole::Owner {
        return Ok(());
    }
    let owners: i64 = one(
        tx,
        "SELECT count(*) FROM carta.memberships WHERE workspace_id = $1 AND role = 'owner'",
        &[&workspace],
    )
    .await?
    .ok_or(StoreError::NotFound)?
    .try_get(0)?;
    if owners <= 1 {
        return Err(StoreError::LastOwner);
    }
    Ok(())
}

pub(crate) struct PgStore {
    pool: Pool,
}

impl PgStore {
    pub(crate) async fn open(url: &str) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Backend(format!("invalid PostgreSQL store URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Backend(format!("PostgreSQL pool: {e}")))?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.pool.get().await?;
        for Migration { version, name, sql } in POSTGRES {
            let failed = |e: StoreError| StoreError::Migration {
                version: *version,
                message: e.to_string(),
            };
            let tx = client.transaction().await.map_err(|e| failed(e.into()))?;
            // The lock is held to the transaction's end: several servers
            // starting together migrate one after the other.
            tx.batch_execute(&format!(
                "SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
                 CREATE SCHEMA IF NOT EXISTS carta;
                 CREATE TABLE IF NOT EXISTS carta.schema_migrations (
                     version bigint PRIMARY KEY,
                     name text NOT NULL,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 );"
            ))
            .await
            .map_err(|e| failed(e.into()))?;
            let applied = tx
                .query_opt(
                    "SELECT name FROM carta.schema_migrations WHERE version = $1",
                    &[&i64::from(*version)],
                )
                .await
                .map_err(|e| failed(e.into()))?;
            match applied.map(|row| row.try_get::<_, String>(0)).transpose() {
                Ok(Some(applied)) if applied == *name => continue,
                Ok(Some(applied)) => {
                    return Err(StoreError::Migration {
                        version: *version,
                        message: format!(
                            "the store has migration `{applied}` where this build expects `{name}`"
                        ),
                    })
                }
                Ok(None) => {}
                Err(e) => return Err(failed(e.into())),
            }
            tx.batch_execute(sql).await.map_err(|e| failed(e.into()))?;
            tx.execute(
                "INSERT INTO carta.schema_migrations (version, name) VALUES ($1, $2)",
                &[&i64::from(*version), name],
            )
            .await
            .map_err(|e| failed(e.into()))?;
            tx.commit().await.map_err(|e| failed(e.into()))?;
        }
        Ok(())
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Starts a transaction limited by row-level security to `rls`.
    async fn begin<'a>(
        client: &'a mut deadpool_postgres::Client,
        rls: Rls,
    ) -> Result<Transaction<'a>, StoreError> {
        let tx = client.transaction().await?;
        match rls {
            Rls::Workspace(id) => {
                execute(
                    &tx,
                    "SELECT set_config('carta.workspace_id', $1, true)",
                    &[&id.to_string()],
                )
                .await?
            }
            Rls::System => {
                execute(&tx, "SELECT set_config('carta.scope', 'system', true)", &[]).await?
            }
        };
        Ok(tx)
    }

    /// Runs `body` in one transaction limited by row-level security to
    /// `rls`, committed when it succeeds (rolled back when dropped).
    async fn transact<T>(
        &self,
        rls: Rls,
        body: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, rls).await?;
        let value = body(&tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Whether the store's role is a superuser or has BYPASSRLS: the
    /// policies (forced on the tables' owner) bind every other role.
    pub(crate) async fn row_security_bypassed(&self) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let row = one(
            &client,
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await?;
        Ok(row.is_some_and(|row| row.get(0)))
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        one(&client, "SELECT 1", &[]).await.map(drop)
    }

    pub(crate) async fn create_user(
        &self,
        new: NewUser,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let user = User {
            id: Uuid::new_v4(),
            email: new.email,
            full_name: new.full_name,
            role: new.role,
            created_at: now,
            updated_at: now,
            disabled_at: None,
        };
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO carta.users (id, email, full_name, password_hash, role, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
            &[
                &user.id,
                &user.email,
                &user.full_name,
                &new.password_hash,
                &user.role.as_str(),
                &now,
            ],
        )
        .await?;
        Ok(user)
    }

    pub(crate) async fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let client = self.client().await?;
        one(
            &client,
            &format!("SELECT {USER_COLUMNS} FROM carta.users WHERE id = $1"),
            &[&id],
        )
        .await?
        .as_ref()
        .map(user_from)
        .transpose()
    }

    pub(crate) async fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<UserWithHash>, StoreError> {
        let client = self.client().await?;
        let row = one(
            &client,
            &format!("SELECT {USER_COLUMNS}, password_hash FROM carta.users WHERE email = $1"),
            &[&email],
        )
        .await?;
        row.map(|row| {
            Ok(UserWithHash {
                user: user_from(&row)?,
                password_hash: row.try_get(7)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let client = self.client().await?;
        all(
            rows(
                &client,
                &format!("SELECT {USER_COLUMNS} FROM carta.users ORDER BY created_at, email"),
                &[],
            )
            .await?,
            user_from,
        )
    }

    pub(crate) async fn update_user(
        &self,
        id: Uuid,
        change: UserChange,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let client = self.client().await?;
        let row = one(
            &client,
            &format!(
                "UPDATE carta.users SET
                    full_name = coalesce($2, full_name),
                    role = coalesce($3, role),
                    password_hash = coalesce($4, password_hash),
                    disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at
                                       WHEN $5 THEN coalesce(disabled_at, $6) END,
                    updated_at = $6
                 WHERE id = $1
                 RETURNING {USER_COLUMNS}"
            ),
            &[
                &id,
                &change.full_name,
                &change.role.map(|role| role.as_str()),
                &change.password_hash,
                &change.disabled,
                &now,
            ],
        )
        .await?;
        user_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn count_users(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let count: i64 = one(&client, "SELECT count(*) FROM carta.users", &[])
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        Ok(count.unsigned_abs())
    }

    pub(crate) async fn create_token(
        &self,
        new: NewToken,
        now: Timestamp,
    ) -> Result<Token, StoreError> {
        let scopes = scopes_to_text(&new.scopes);
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
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO carta.auth_tokens (id, user_id, kind, name, token_hash, scopes, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &token.id,
                &token.user_id,
                &token.kind.as_str(),
                &token.name,
                &new.token_hash,
                &scopes,
                &now,
                &token.expires_at,
            ],
        )
        .await?;
        Ok(token)
    }

    pub(crate) async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>, StoreError> {
        let client = self.client().await?;
        one(
            &client,
            &format!("SELECT {TOKEN_COLUMNS} FROM carta.auth_tokens WHERE token_hash = $1"),
            &[&hash],
        )
        .await?
        .as_ref()
        .map(token_from)
        .transpose()
    }

    pub(crate) async fn touch_token(
        &self,
        id: Uuid,
        at: Timestamp,
        stale_before: Timestamp,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(
            &client,
            "UPDATE carta.auth_tokens SET last_used_at = $2
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
            &[&id, &at, &stale_before],
        )
        .await
        .map(drop)
    }

    pub(crate) async fn revoke_token(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute_one(
            &client,
            "UPDATE carta.auth_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
            &[&id, &at],
        )
        .await
    }

    pub(crate) async fn revoke_user_tokens(
        &self,
        user_id: Uuid,
        except: Option<Uuid>,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        execute(
            &client,
            "UPDATE carta.auth_tokens SET revoked_at = $2
             WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)",
            &[&user_id, &at, &except],
        )
        .await
    }

    pub(crate) async fn list_tokens(&self, user_id: Uuid) -> Result<Vec<Token>, StoreError> {
        let client = self.client().await?;
        all(
            rows(
                &client,
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM carta.auth_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
                ),
                &[&user_id],
            )
            .await?,
            token_from,
        )
    }

    pub(crate) async fn create_workspace(
        &self,
        name: &str,
        owner: Uuid,
        now: Timestamp,
    ) -> Result<Workspace, StoreError> {
        let workspace = Workspace {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            owner_id: owner,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace.id)).await?;
        execute(
            &tx,
            "INSERT INTO carta.workspaces (id, name, owner_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
            &[&workspace.id, &workspace.name, &owner, &now],
        )
        .await?;
        execute(
            &tx,
            "INSERT INTO carta.memberships (id, user_id, workspace_id, role, created_at)
             VALUES ($1, $2, $3, 'owner', $4)",
            &[&Uuid::new_v4(), &owner, &workspace.id, &now],
        )
        .await?;
        tx.commit().await?;
        Ok(workspace)
    }

    pub(crate) async fn workspace(
        &self,
        id: Uuid,
        include_deleted: bool,
    ) -> Result<Option<Workspace>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(id)).await?;
        let row = one(
            &tx,
            &format!(
                "SELECT {WORKSPACE_COLUMNS} FROM carta.workspaces WHERE id = $1 AND ($2 OR deleted_at IS NULL)"
            ),
            &[&id, &include_deleted],
        )
        .await?;
        tx.commit().await?;
        row.as_ref().map(workspace_from).transpose()
    }

    pub(crate) async fn workspaces_of(
        &self,
        user: Uuid,
    ) -> Result<Vec<(Workspace, MemberRole)>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        let found = rows(
            &tx,
            &format!(
                "SELECT {WORKSPACE_COLUMNS}, m.role FROM carta.workspaces
                     JOIN (SELECT workspace_id, role FROM carta.memberships WHERE user_id = $1) m ON m.workspace_id = id
                     WHERE deleted_at IS NULL
                     ORDER BY name, id"
            ),
            &[&user],
        )
        .await?;
        tx.commit().await?;
        all(found, |row| Ok((workspace_from(row)?, parsed(row, 6)?)))
    }

    pub(crate) async fn all_workspaces(
        &self,
        include_deleted: bool,
    ) -> Result<Vec<Workspace>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        let found = rows(
            &tx,
            &format!(
                "SELECT {WORKSPACE_COLUMNS} FROM carta.workspaces WHERE $1 OR deleted_at IS NULL ORDER BY name, id"
            ),
            &[&include_deleted],
        )
        .await?;
        tx.commit().await?;
        all(found, workspace_from)
    }

    pub(crate) async fn rename_workspace(
        &self,
        id: Uuid,
        name: &str,
        now: Timestamp,
    ) -> Result<Workspace, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(id)).await?;
        let row = one(
            &tx,
            &format!(
                "UPDATE carta.workspaces SET name = $2, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL
                 RETURNING {WORKSPACE_COLUMNS}"
            ),
            &[&id, &name, &now],
        )
        .await?;
        tx.commit().await?;
        workspace_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn delete_workspace(&self, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(id)).await?;
        execute_one(
            &tx,
            "UPDATE carta.workspaces SET deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL",
            &[&id, &at],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub(crate) async fn restore_workspace(
        &self,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Workspace, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(id)).await?;
        let row = one(
            &tx,
            &format!(
                "UPDATE carta.workspaces SET
                    updated_at = CASE WHEN deleted_at IS NULL THEN updated_at ELSE $2 END,
                    deleted_at = NULL
                 WHERE id = $1
                 RETURNING {WORKSPACE_COLUMNS}"
            ),
            &[&id, &now],
        )
        .await?;
        tx.commit().await?;
        workspace_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn membership(
        &self,
        workspace: Uuid,
        user: Uuid,
    ) -> Result<Option<Membership>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let found = membership_in(&tx, workspace, user).await?;
        tx.commit().await?;
        Ok(found)
    }

    pub(crate) async fn members(&self, workspace: Uuid) -> Result<Vec<Membership>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let found = rows(
            &tx,
            &format!(
                "{MEMBERSHIP_SELECT} WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email"
            ),
            &[&workspace],
        )
        .await?;
        tx.commit().await?;
        all(found, membership_from)
    }

    pub(crate) async fn add_member(
        &self,
        workspace: Uuid,
        user: Uuid,
        role: MemberRole,
        now: Timestamp,
    ) -> Result<Membership, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        lock_live_workspace(&tx, workspace).await?;
        execute(
            &tx,
            "INSERT INTO carta.memberships (id, user_id, workspace_id, role, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&Uuid::new_v4(), &user, &workspace, &role.as_str(), &now],
        )
        .await?;
        let added = membership_in(&tx, workspace, user)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(added)
    }

    pub(crate) async fn set_member_role(
        &self,
        workspace: Uuid,
        user: Uuid,
        role: MemberRole,
    ) -> Result<Membership, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        lock_live_workspace(&tx, workspace).await?;
        let current = membership_in(&tx, workspace, user)
            .await?
            .ok_or(StoreError::NotFound)?;
        if role != MemberRole::Owner {
            guard_last_owner(&tx, workspace, &current).await?;
        }
        execute(
            &tx,
            "UPDATE carta.memberships SET role = $2 WHERE id = $1",
            &[&current.id, &role.as_str()],
        )
        .await?;
        tx.commit().await?;
        Ok(Membership { role, ..current })
    }

    pub(crate) async fn remove_member(
        &self,
        workspace: Uuid,
        user: Uuid,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        lock_live_workspace(&tx, workspace).await?;
        let current = membership_in(&tx, workspace, user)
            .await?
            .ok_or(StoreError::NotFound)?;
        guard_last_owner(&tx, workspace, &current).await?;
        execute_one(
            &tx,
            "DELETE FROM carta.memberships WHERE id = $1",
            &[&current.id],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub(crate) async fn create_connection(
        &self,
        new: NewConnection,
        now: Timestamp,
    ) -> Result<Connection, StoreError> {
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
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(connection.workspace_id)).await?;
        lock_live_workspace(&tx, connection.workspace_id).await?;
        execute(
            &tx,
            "INSERT INTO carta.connections (id, workspace_id, name, db_type, mode, redacted_uri, connection_uri,
                 connection_uri_key_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            &[
                &connection.id,
                &connection.workspace_id,
                &connection.name,
                &connection.db_type.as_str(),
                &connection.mode.as_str(),
                &connection.redacted_uri,
                &connection.uri.ciphertext,
                &connection.uri.key_id,
                &connection.created_by,
                &now,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(connection)
    }

    pub(crate) async fn connection(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<Connection>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let row = one(
            &tx,
            &format!(
                "SELECT {CONNECTION_COLUMNS} FROM carta.connections
                 WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
            ),
            &[&workspace, &id],
        )
        .await?;
        tx.commit().await?;
        row.as_ref().map(connection_from).transpose()
    }

    pub(crate) async fn connections(&self, workspace: Uuid) -> Result<Vec<Connection>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let found = rows(
            &tx,
            &format!(
                "SELECT {CONNECTION_COLUMNS} FROM carta.connections WHERE workspace_id = $1 AND {LIVE_WORKSPACE}
                 ORDER BY name, id"
            ),
            &[&workspace],
        )
        .await?;
        tx.commit().await?;
        all(found, connection_from)
    }

    pub(crate) async fn update_connection(
        &self,
        workspace: Uuid,
        id: Uuid,
        change: ConnectionChange,
        now: Timestamp,
    ) -> Result<Connection, StoreError> {
        let (ciphertext, key_id, redacted) = match change.uri {
            Some(uri) => (
                Some(uri.sealed.ciphertext),
                Some(uri.sealed.key_id),
                Some(uri.redacted),
            ),
            None => (None, None, None),
        };
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let row = one(
            &tx,
            &format!(
                "UPDATE carta.connections SET
                    name = coalesce($3, name),
                    db_type = coalesce($4, db_type),
                    mode = coalesce($5, mode),
                    connection_uri = coalesce($6, connection_uri),
                    connection_uri_key_id = coalesce($7, connection_uri_key_id),
                    redacted_uri = coalesce($8, redacted_uri),
                    last_tested_at = CASE WHEN $6::bytea IS NULL THEN last_tested_at END,
                    last_test_ok = CASE WHEN $6::bytea IS NULL THEN last_test_ok END,
                    last_test_detail = CASE WHEN $6::bytea IS NULL THEN last_test_detail END,
                    updated_at = $9
                 WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}
                 RETURNING {CONNECTION_COLUMNS}"
            ),
            &[
                &workspace,
                &id,
                &change.name,
                &change.db_type.map(|t| t.as_str()),
                &change.mode.map(|m| m.as_str()),
                &ciphertext,
                &key_id,
                &redacted,
                &now,
            ],
        )
        .await?;
        tx.commit().await?;
        connection_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn delete_connection(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        execute_one(
            &tx,
            &format!("DELETE FROM carta.connections WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"),
            &[&workspace, &id],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub(crate) async fn record_connection_test(
        &self,
        workspace: Uuid,
        id: Uuid,
        at: Timestamp,
        ok: bool,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        execute_one(
            &tx,
            &format!(
                "UPDATE carta.connections SET last_tested_at = $3, last_test_ok = $4, last_test_detail = $5
                 WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
            ),
            &[&workspace, &id, &at, &ok, &detail],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub(crate) async fn sealed_uris(&self) -> Result<Vec<(Uuid, SealedUri)>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        let found = rows(
            &tx,
            "SELECT id, connection_uri, connection_uri_key_id FROM carta.connections ORDER BY id",
            &[],
        )
        .await?;
        tx.commit().await?;
        all(found, |row| {
            Ok((
                row.try_get(0)?,
                SealedUri {
                    ciphertext: row.try_get(1)?,
                    key_id: row.try_get(2)?,
                },
            ))
        })
    }

    pub(crate) async fn reseal_uri(
        &self,
        id: Uuid,
        old_key_id: &str,
        uri: SealedUri,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        let changed = execute(
            &tx,
            "UPDATE carta.connections SET connection_uri = $3, connection_uri_key_id = $4
             WHERE id = $1 AND connection_uri_key_id = $2",
            &[&id, &old_key_id, &uri.ciphertext, &uri.key_id],
        )
        .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    pub(crate) async fn append_audit(
        &self,
        entry: NewAudit,
        id: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let rls = entry.workspace_id.map_or(Rls::System, Rls::Workspace);
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, rls).await?;
        execute(
            &tx,
            "INSERT INTO carta.audits (id, workspace_id, actor_id, action, resource_type, resource_id, details, ip,
                 user_agent, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &id,
                &entry.workspace_id,
                &entry.actor_id,
                &entry.action,
                &entry.resource_type,
                &entry.resource_id,
                &entry.details,
                &entry.ip,
                &entry.user_agent,
                &now,
            ],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub(crate) async fn audits(&self, filter: AuditFilter) -> Result<Vec<Audit>, StoreError> {
        let rls = filter.workspace_id.map_or(Rls::System, Rls::Workspace);
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, rls).await?;
        let found = rows(
            &tx,
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM carta.audits
                 WHERE ($1::uuid IS NULL OR workspace_id = $1)
                   AND ($2::uuid IS NULL OR actor_id = $2)
                   AND ($3::text IS NULL OR starts_with(action, $3))
                   AND ($4::timestamptz IS NULL OR created_at >= $4)
                   AND ($5::timestamptz IS NULL OR created_at < $5)
                   AND ($6::uuid IS NULL OR seq < (SELECT a.seq FROM carta.audits a WHERE a.id = $6))
                 ORDER BY seq DESC
                 LIMIT $7"
            ),
            &[
                &filter.workspace_id,
                &filter.actor_id,
                &filter.action,
                &filter.since,
                &filter.until,
                &filter.before_id,
                &filter.effective_limit(),
            ],
        )
        .await?;
        tx.commit().await?;
        all(found, audit_from)
    }

    pub(crate) async fn enqueue_job(
        &self,
        new: NewJob,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(new.workspace_id)).await?;
        let row = one(
            &tx,
            &format!(
                "INSERT INTO carta.jobs (id, workspace_id, kind, payload, created_by, created_at)
                 SELECT $2::uuid, $1::uuid, $3::text, $4::jsonb, $5::uuid, $6::timestamptz WHERE {LIVE_WORKSPACE}
                 RETURNING {JOB_COLUMNS}"
            ),
            &[
                &new.workspace_id,
                &id,
                &new.kind.as_str(),
                &new.payload,
                &new.created_by,
                &now,
            ],
        )
        .await?;
        tx.commit().await?;
        job_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn job(&self, workspace: Uuid, id: Uuid) -> Result<Option<Job>, StoreError> {
        self.transact(Rls::Workspace(workspace), async |tx| {
            let row = one(
                tx,
                &format!(
                    "SELECT {JOB_COLUMNS} FROM carta.jobs WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                ),
                &[&workspace, &id],
            )
            .await?;
            row.as_ref().map(job_from).transpose()
        })
        .await
    }

    pub(crate) async fn claim_job(
        &self,
        instance: &str,
        now: Timestamp,
    ) -> Result<Option<Job>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        // SKIP LOCKED: a job another server is claiming right now is passed
        // over, not waited for; the outer status check re-reads the row
        // once locked, so a job claimed and committed meanwhile is not taken.
        let row = one(
            &tx,
            &format!(
                "UPDATE carta.jobs SET status = 'running', attempts = attempts + 1, claimed_by = $1,
                    heartbeat_at = $2, started_at = $2, progress = 0, error = NULL
                 WHERE status = 'pending' AND id = (
                    SELECT j.id FROM carta.jobs j
                    WHERE j.status = 'pending'
                      AND EXISTS (SELECT 1 FROM carta.workspaces w WHERE w.id = j.workspace_id AND w.deleted_at IS NULL)
                    ORDER BY j.created_at, j.id
                    FOR UPDATE OF j SKIP LOCKED
                    LIMIT 1
                 )
                 RETURNING {JOB_COLUMNS}"
            ),
            &[&instance, &now],
        )
        .await?;
        tx.commit().await?;
        row.as_ref().map(job_from).transpose()
    }

    pub(crate) async fn heartbeat_job(
        &self,
        id: Uuid,
        instance: &str,
        progress: Option<u8>,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let progress = progress.map(i16::from);
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        let row = one(
            &tx,
            &format!(
                "UPDATE carta.jobs SET heartbeat_at = $3, progress = coalesce($4, progress)
                 WHERE id = $1 AND claimed_by = $2 AND status = 'running'
                 RETURNING {JOB_COLUMNS}"
            ),
            &[&id, &instance, &now, &progress],
        )
        .await?;
        tx.commit().await?;
        job_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn finish_job(
        &self,
        id: Uuid,
        instance: &str,
        outcome: JobOutcome,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        let row = one(
            &tx,
            &format!(
                "UPDATE carta.jobs SET status = $3, error = $4, result = $6, finished_at = $5, heartbeat_at = $5,
                    progress = CASE WHEN $3 = 'completed' THEN 100 ELSE progress END
                 WHERE id = $1 AND claimed_by = $2 AND status = 'running'
                 RETURNING {JOB_COLUMNS}"
            ),
            &[
                &id,
                &instance,
                &outcome.status().as_str(),
                &outcome.error(),
                &now,
                &outcome.result(),
            ],
        )
        .await?;
        tx.commit().await?;
        job_from(&row.ok_or(StoreError::NotFound)?)
    }

    pub(crate) async fn cancel_job(
        &self,
        workspace: Uuid,
        id: Uuid,
        now: Timestamp,
    ) -> Result<Job, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let updated = one(
            &tx,
            &format!(
                "UPDATE carta.jobs SET
                    status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
                    finished_at = CASE WHEN status = 'pending' THEN $3 ELSE finished_at END,
                    cancel_requested = true
                 WHERE workspace_id = $1 AND id = $2 AND status IN ('pending', 'running')
                   AND {LIVE_WORKSPACE}
                 RETURNING {JOB_COLUMNS}"
            ),
            &[&workspace, &id, &now],
        )
        .await?;
        let result = match updated {
            Some(row) => job_from(&row),
            None => Err(crate::cancel_refused(
                one(
                    &tx,
                    &format!(
                        "SELECT 1 FROM carta.jobs WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}"
                    ),
                    &[&workspace, &id],
                )
                .await?
                .is_some(),
            )),
        };
        tx.commit().await?;
        result
    }

    pub(crate) async fn recover_stale_jobs(
        &self,
        stale_before: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<Job>, StoreError> {
        let max_attempts = i32::try_from(MAX_JOB_ATTEMPTS).unwrap_or(i32::MAX);
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::System).await?;
        // SKIP LOCKED: a job whose worker is writing its heartbeat right now is alive.
        let found = rows(
            &tx,
            &format!(
                "UPDATE carta.jobs SET
                    status = CASE
                        WHEN cancel_requested THEN 'cancelled'
                        WHEN attempts < $3 THEN 'pending'
                        ELSE 'failed' END,
                    error = CASE
                        WHEN cancel_requested OR attempts < $3 THEN error
                        ELSE $4 END,
                    finished_at = CASE
                        WHEN cancel_requested OR attempts >= $3 THEN $2::timestamptz END,
                    claimed_by = CASE
                        WHEN cancel_requested OR attempts >= $3 THEN claimed_by END,
                    heartbeat_at = CASE
                        WHEN cancel_requested OR attempts >= $3 THEN heartbeat_at END
                 WHERE id IN (
                    SELECT id FROM carta.jobs
                    WHERE status = 'running' AND heartbeat_at < $1
                    FOR UPDATE SKIP LOCKED
                 ) AND status = 'running' AND heartbeat_at < $1
                 RETURNING {JOB_COLUMNS}"
            ),
            &[
                &stale_before,
                &now,
                &max_attempts,
                &crate::ABANDONED_JOB_ERROR,
            ],
        )
        .await?;
        tx.commit().await?;
        all(found, job_from)
    }

    pub(crate) async fn record_schema_version(
        &self,
        new: NewSchemaVersion,
        now: Timestamp,
    ) -> Result<SchemaRecord, StoreError> {
        let workspace = new.workspace_id;
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        // The connection's row lock makes concurrent syncs of it take turns.
        one(
            &tx,
            &format!(
                "SELECT 1 FROM carta.connections WHERE workspace_id = $1 AND id = $2 AND {LIVE_WORKSPACE}
                 FOR UPDATE"
            ),
            &[&workspace, &new.connection_id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let latest = one(
            &tx,
            &format!(
                "SELECT {SCHEMA_COLUMNS} FROM carta.schemas WHERE connection_id = $1
                 ORDER BY version DESC LIMIT 1"
            ),
            &[&new.connection_id],
        )
        .await?
        .as_ref()
        .map(schema_version_from)
        .transpose()?;
        if let Some(latest) = latest.filter(|latest| latest.fingerprint == new.fingerprint) {
            tx.commit().await?;
            return Ok(SchemaRecord::Unchanged(latest));
        }
        let schema_id = Uuid::new_v4();
        let row = one(
            &tx,
            &format!(
                "INSERT INTO carta.schemas (id, workspace_id, connection_id, version, fingerprint, schema_json,
                     summary, created_at)
                 SELECT $1::uuid, $2::uuid, $3, coalesce(max(version), 0) + 1, $4::text, $5::jsonb, $6::jsonb, $7::timestamptz
                 FROM carta.schemas WHERE connection_id = $3
                 RETURNING {SCHEMA_COLUMNS}"
            ),
            &[
                &schema_id,
                &workspace,
                &new.connection_id,
                &new.fingerprint,
                &new.schema_json,
                &new.summary,
                &now,
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let version = schema_version_from(&row)?;
        for table in &new.tables {
            let table_id = Uuid::new_v4();
            execute(
                &tx,
                "INSERT INTO carta.tables (id, schema_id, workspace_id, namespace, name, kind, comment)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &table_id,
                    &schema_id,
                    &workspace,
                    &table.namespace,
                    &table.name,
                    &table.kind,
                    &table.comment,
                ],
            )
            .await?;
            for (position, column) in (0i32..).zip(&table.columns) {
                execute(
                    &tx,
                    "INSERT INTO carta.columns (id, table_id, workspace_id, position, name, data_type, nullable,
                         is_pk, is_fk, comment)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    &[
                        &Uuid::new_v4(),
                        &table_id,
                        &workspace,
                        &position,
                        &column.name,
                        &column.data_type,
                        &column.nullable,
                        &column.is_pk,
                        &column.is_fk,
                        &column.comment,
                    ],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(SchemaRecord::Created(version))
    }

    pub(crate) async fn schema_versions(
        &self,
        workspace: Uuid,
        connection: Uuid,
    ) -> Result<Vec<SchemaVersion>, StoreError> {
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let found = rows(
            &tx,
            &format!(
                "SELECT {SCHEMA_COLUMNS} FROM carta.schemas
                 WHERE workspace_id = $1 AND connection_id = $2 AND {LIVE_WORKSPACE}
                 ORDER BY version DESC"
            ),
            &[&workspace, &connection],
        )
        .await?;
        tx.commit().await?;
        all(found, schema_version_from)
    }

    pub(crate) async fn schema_version(
        &self,
        workspace: Uuid,
        connection: Uuid,
        version: u32,
    ) -> Result<Option<(SchemaVersion, serde_json::Value)>, StoreError> {
        let Ok(version) = i32::try_from(version) else {
            return Ok(None);
        };
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let row = one(
            &tx,
            &format!(
                "SELECT {SCHEMA_COLUMNS}, schema_json FROM carta.schemas
                 WHERE workspace_id = $1 AND connection_id = $2 AND version = $3 AND {LIVE_WORKSPACE}"
            ),
            &[&workspace, &connection, &version],
        )
        .await?;
        tx.commit().await?;
        row.map(|row| Ok((schema_version_from(&row)?, row.try_get(7)?)))
            .transpose()
    }

    pub(crate) async fn search_schemas(
        &self,
        workspace: Uuid,
        needle: String,
        limit: u32,
    ) -> Result<Vec<SchemaMatch>, StoreError> {
        let limit = i64::from(limit);
        let mut client = self.client().await?;
        let tx = Self::begin(&mut client, Rls::Workspace(workspace)).await?;
        let found = rows(
            &tx,
            &format!(
                "WITH latest AS (
                    SELECT s.id, s.connection_id, s.version FROM carta.schemas s
                    WHERE s.workspace_id = $1 AND {LIVE_WORKSPACE}
                      AND s.version = (SELECT max(l.version) FROM carta.schemas l WHERE l.connection_id = s.connection_id)
                 )
                 SELECT latest.connection_id, latest.version, t.namespace, t.name, t.kind,
                        NULL::text, NULL::text, t.comment, -1 AS position
                 FROM latest JOIN carta.tables t ON t.schema_id = latest.id
                 WHERE strpos(lower(t.name), $2) > 0 OR strpos(lower(coalesce(t.comment, '')), $2) > 0
                 UNION ALL
                 SELECT latest.connection_id, latest.version, t.namespace, t.name, t.kind,
                        c.name, c.data_type, c.comment, c.position
                 FROM latest JOIN carta.tables t ON t.schema_id = latest.id JOIN carta.columns c ON c.table_id = t.id
                 WHERE strpos(lower(c.name), $2) > 0 OR strpos(lower(coalesce(c.comment, '')), $2) > 0
                 ORDER BY 1, 3, 4, 9
                 LIMIT $3"
            ),
            &[&workspace, &needle, &limit],
        )
        .await?;
        tx.commit().await?;
        all(found, schema_match_from)
    }
}
