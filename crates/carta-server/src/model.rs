//! Request and response bodies of the API, with their OpenAPI schemas.
//!
//! Responses are the API's own types, built from the store's records, so
//! what a client sees is chosen here field by field (no hash, no sealed
//! URI) and documented. Request bodies reject unknown fields.

use carta_store::{
    Audit, Connection, ConnectionMode, DbType, Job, JobKind, JobStatus, MemberRole, Membership,
    SchemaMatch, SchemaVersion, Scope, Token, TokenKind, User, UserRole, Workspace,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::openapi::schema::{Object, SchemaType, Type};
use utoipa::ToSchema;
use uuid::Uuid;

/// Stands for a password in `Debug` output.
const HIDDEN: &str = "<redacted>";

/// The OpenAPI schema of one of the store's text enums: a string with its values.
pub(crate) fn text_enum(values: impl IntoIterator<Item = &'static str>) -> Object {
    let mut object = Object::with_type(SchemaType::Type(Type::String));
    object.enum_values = Some(values.into_iter().map(Into::into).collect());
    object
}

fn user_role_schema() -> Object {
    text_enum(UserRole::ALL.iter().map(|v| v.as_str()))
}

fn member_role_schema() -> Object {
    text_enum(MemberRole::ALL.iter().map(|v| v.as_str()))
}

fn db_type_schema() -> Object {
    text_enum(DbType::ALL.iter().map(|v| v.as_str()))
}

fn mode_schema() -> Object {
    text_enum(ConnectionMode::ALL.iter().map(|v| v.as_str()))
}

fn job_kind_schema() -> Object {
    text_enum(JobKind::ALL.iter().map(|v| v.as_str()))
}

fn job_status_schema() -> Object {
    text_enum(JobStatus::ALL.iter().map(|v| v.as_str()))
}

fn token_kind_schema() -> Object {
    text_enum(TokenKind::ALL.iter().map(|v| v.as_str()))
}

fn scopes_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(text_enum(Scope::ALL.iter().map(|v| v.as_str())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    #[schema(schema_with = user_role_schema)]
    pub role: UserRole,
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<User> for UserBody {
    fn from(user: User) -> UserBody {
        UserBody {
            id: user.id,
            email: user.email,
            full_name: user.full_name,
            role: user.role,
            disabled: user.disabled_at.is_some(),
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// `Debug` hides the secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The session token, for `Authorization: Bearer`; shown only here.
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub user: UserBody,
}

/// `Debug` hides the secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    pub id: Uuid,
    #[schema(schema_with = token_kind_schema)]
    pub kind: TokenKind,
    pub name: Option<String>,
    #[schema(schema_with = scopes_schema)]
    pub scopes: Vec<Scope>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<Token> for TokenBody {
    fn from(token: Token) -> TokenBody {
        TokenBody {
            id: token.id,
            kind: token.kind,
            name: token.name,
            scopes: token.scopes,
            created_at: token.created_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
            last_used_at: token.last_used_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    pub name: String,
    #[schema(schema_with = scopes_schema)]
    pub scopes: Vec<Scope>,
    /// Days until the token expires; omitted: it never expires.
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret, shown only in this response; only its hash is kept.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenBody,
}

/// `Debug` hides the secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub full_name: String,
    pub password: String,
    #[schema(schema_with = user_role_schema)]
    pub role: UserRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub full_name: Option<String>,
    #[schema(schema_with = user_role_schema)]
    pub role: Option<UserRole>,
    /// `true` disables the account and revokes its tokens.
    pub disabled: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceBody {
    pub id: Uuid,
    pub name: String,
    /// Who created it; the current owners are the members with role owner.
    pub owner_id: Uuid,
    /// The caller's role in it (global admins act as owner everywhere).
    #[schema(schema_with = member_role_schema)]
    pub role: MemberRole,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
}

impl WorkspaceBody {
    pub fn new(workspace: Workspace, role: MemberRole) -> WorkspaceBody {
        WorkspaceBody {
            id: workspace.id,
            name: workspace.name,
            owner_id: workspace.owner_id,
            role,
            created_at: workspace.created_at,
            updated_at: workspace.updated_at,
            deleted_at: workspace.deleted_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceName {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBody {
    pub user_id: Uuid,
    pub email: String,
    pub full_name: String,
    #[schema(schema_with = member_role_schema)]
    pub role: MemberRole,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Membership> for MemberBody {
    fn from(member: Membership) -> MemberBody {
        MemberBody {
            user_id: member.user_id,
            email: member.user_email,
            full_name: member.user_full_name,
            role: member.role,
            created_at: member.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The email of an existing user.
    pub email: String,
    #[schema(schema_with = member_role_schema)]
    pub role: MemberRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRoleChange {
    #[schema(schema_with = member_role_schema)]
    pub role: MemberRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionBody {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    #[schema(schema_with = db_type_schema)]
    pub db_type: DbType,
    #[schema(schema_with = mode_schema)]
    pub mode: ConnectionMode,
    /// The URI without its password: the only form the API ever returns.
    pub redacted_uri: String,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_tested_at: Option<OffsetDateTime>,
    pub last_test_ok: Option<bool>,
    pub last_test_detail: Option<String>,
}

impl From<Connection> for ConnectionBody {
    fn from(connection: Connection) -> ConnectionBody {
        ConnectionBody {
            id: connection.id,
            workspace_id: connection.workspace_id,
            name: connection.name,
            db_type: connection.db_type,
            mode: connection.mode,
            redacted_uri: connection.redacted_uri,
            created_by: connection.created_by,
            created_at: connection.created_at,
            updated_at: connection.updated_at,
            last_tested_at: connection.last_tested_at,
            last_test_ok: connection.last_test_ok,
            last_test_detail: connection.last_test_detail,
        }
    }
}

/// `Debug` hides the secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConnection {
    pub name: String,
    #[schema(schema_with = db_type_schema)]
    pub db_type: DbType,
    /// Defaults to read-only.
    #[serde(default)]
    #[schema(schema_with = mode_schema)]
    pub mode: ConnectionMode,
    /// `postgres://`, `mysql://` or `sqlite://` URI; stored encrypted.
    pub uri: String,
}

/// `Debug` hides the secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnection {
    pub name: Option<String>,
    #[schema(schema_with = mode_schema)]
    pub mode: Option<ConnectionMode>,
    /// A new URI (its scheme gives the database type).
    pub uri: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionTestResult {
    pub ok: bool,
    /// The server's version string, when the connection worked.
    pub server_version: Option<String>,
    /// Why it did not, with any credentials removed.
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBody {
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
    pub created_at: OffsetDateTime,
}

impl From<Audit> for AuditBody {
    fn from(audit: Audit) -> AuditBody {
        AuditBody {
            id: audit.id,
            workspace_id: audit.workspace_id,
            actor_id: audit.actor_id,
            action: audit.action,
            resource_type: audit.resource_type,
            resource_id: audit.resource_id,
            details: audit.details,
            ip: audit.ip,
            user_agent: audit.user_agent,
            created_at: audit.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditBody>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &HIDDEN)
            .finish()
    }
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChange")
            .field("current_password", &HIDDEN)
            .field("new_password", &HIDDEN)
            .finish()
    }
}

impl std::fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUser")
            .field("email", &self.email)
            .field("full_name", &self.full_name)
            .field("password", &HIDDEN)
            .field("role", &self.role)
            .finish()
    }
}

impl std::fmt::Debug for CreateConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateConnection")
            .field("name", &self.name)
            .field("db_type", &self.db_type)
            .field("mode", &self.mode)
            .field("uri", &carta_source::redact_url(&self.uri))
            .finish()
    }
}

impl std::fmt::Debug for UpdateConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateConnection")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("uri", &self.uri.as_deref().map(carta_source::redact_url))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_passwords_and_uri_secrets() {
        let login: LoginRequest =
            serde_json::from_str(r#"{"email":"a@x.io","password":"hunter2-secret"}"#)
                .expect("a body");
        let change: PasswordChange = serde_json::from_str(
            r#"{"current_password":"hunter2-secret","new_password":"hunter3-secret"}"#,
        )
        .expect("a body");
        let user: CreateUser = serde_json::from_str(
            r#"{"email":"a@x.io","full_name":"A","password":"hunter2-secret","role":"analyst"}"#,
        )
        .expect("a body");
        let create: CreateConnection = serde_json::from_str(
            r#"{"name":"c","db_type":"postgres","uri":"postgres://u:hunter2-secret@h/db"}"#,
        )
        .expect("a body");
        let update: UpdateConnection =
            serde_json::from_str(r#"{"uri":"postgres://u:hunter2-secret@h/db"}"#).expect("a body");
        for debug in [
            format!("{login:?}"),
            format!("{change:?}"),
            format!("{user:?}"),
            format!("{create:?}"),
            format!("{update:?}"),
        ] {
            assert!(!debug.contains("hunter"), "{debug}");
        }
        assert!(format!("{create:?}").contains("postgres://u:***@h/db"));
    }
}

/// A job of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobBody {
    pub id: Uuid,
    pub workspace_id: Uuid,
    #[schema(schema_with = job_kind_schema)]
    pub kind: JobKind,
    /// What the job works on, e.g. `{"connection_id": ...}`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[schema(schema_with = job_status_schema)]
    pub status: JobStatus,
    /// 0 to 100.
    pub progress: u8,
    pub error: Option<String>,
    /// What a completed job produced; for a sync `{connection_id, version,
    /// fingerprint, changed, warnings}` (`changed` false: the latest version
    /// already had this schema).
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// How many times a server started it (a server that dies mid-job makes another retry it).
    pub attempts: u32,
    /// A cancel was asked while it ran; it stops at its next check.
    pub cancel_requested: bool,
    pub created_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Job> for JobBody {
    fn from(job: Job) -> JobBody {
        JobBody {
            id: job.id,
            workspace_id: job.workspace_id,
            kind: job.kind,
            payload: job.payload,
            status: job.status,
            progress: job.progress,
            error: job.error,
            result: job.result,
            attempts: job.attempts,
            cancel_requested: job.cancel_requested,
            created_by: job.created_by,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    #[schema(schema_with = job_kind_schema)]
    pub kind: JobKind,
    /// The connection to sync.
    pub connection_id: Uuid,
    /// For `docs`: the schema version to document (the latest by default).
    #[serde(default)]
    pub version: Option<u32>,
}

/// One synced version of a connection's schema.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaVersionBody {
    pub connection_id: Uuid,
    /// 1, 2, ... per connection; a new one only when the schema changed.
    pub version: u32,
    /// The Catalog's fingerprint (`sha256:...`).
    pub fingerprint: String,
    /// Counts of what the schema holds (schemas, tables, views, columns, keys...).
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<SchemaVersion> for SchemaVersionBody {
    fn from(version: SchemaVersion) -> SchemaVersionBody {
        SchemaVersionBody {
            connection_id: version.connection_id,
            version: version.version,
            fingerprint: version.fingerprint,
            summary: version.summary,
            created_at: version.created_at,
        }
    }
}

/// A table (no `column`) or a column whose name or comment matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub connection_id: Uuid,
    /// The connection's latest version, where the match is.
    pub version: u32,
    /// The database schema holding the table.
    pub schema: String,
    pub table: String,
    /// `table`, `view`, `materialized_view`, `partitioned_table` or `foreign_table`.
    pub table_kind: String,
    pub column: Option<String>,
    pub data_type: Option<String>,
    pub comment: Option<String>,
}

impl From<SchemaMatch> for SearchHit {
    fn from(hit: SchemaMatch) -> SearchHit {
        SearchHit {
            connection_id: hit.connection_id,
            version: hit.version,
            schema: hit.namespace,
            table: hit.table,
            table_kind: hit.table_kind,
            column: hit.column,
            data_type: hit.data_type,
            comment: hit.comment,
        }
    }
}
