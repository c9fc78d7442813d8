-- AI-powered database assistance platform (seed 004), the platform Carta
-- itself is: users, workspaces and memberships, database connections,
-- ingested schema versions with their tables and columns, saved queries and
-- their executions, documentation, mock data jobs and audits.
--
-- Self-contained: every object is qualified with the carta schema.
-- Requires PostgreSQL 13+ for the built-in gen_random_uuid() (on 12, run
-- CREATE EXTENSION pgcrypto first).
--
-- Choices where the seed is vague, and why:
-- - "Enum" columns are PostgreSQL enum types with the seed's values in the
--   seed's order: the sets are closed and owned by the application, an enum
--   documents them once, rejects anything else and stores 4 bytes; adding a
--   value later is a cheap ALTER TYPE ... ADD VALUE.
-- - "String" is text (lengths are not part of the seed's design), "Text" is
--   text, "Integer" is integer, "Boolean" is boolean.
-- - "Timestamp" is timestamptz: users and databases span time zones and an
--   audit time must be an unambiguous instant.
-- - "Encrypted" (connections.connection_uri) is bytea holding AEAD
--   ciphertext of the URI or of a Vault/KMS reference, encrypted by the
--   application; the database never sees the plain URI. A key id column is
--   added beside it (not in the seed) because ciphertext without the id of
--   its key cannot survive a key rotation.
-- - Names, emails, hashes, roles, SQL text and the like are NOT NULL: a row
--   without them is meaningless. Optional facts (descriptions, error
--   messages, completion times) stay nullable.
-- - ON DELETE (the seed names none): everything inside a workspace goes
--   with it (CASCADE along workspace -> connection -> schema -> table ->
--   column); references to the user who acted are SET NULL so history
--   survives; a user who owns a workspace or appears in the audit log cannot
--   be deleted (RESTRICT): audits are append-only and ownership must be
--   handed over first.
-- - docs.ref_id points at a schema, table or column depending on scope. One
--   column cannot carry a foreign key to three tables, so it has none; the
--   application checks it.
-- - updated_at is kept current by a trigger, and a trigger makes audits
--   append-only.
-- The seed's embeddings (pgvector) are left out: they need an extension
-- that a fresh PostgreSQL does not have.

CREATE SCHEMA carta;
COMMENT ON SCHEMA carta IS 'AI-powered database assistance and documentation platform.';

CREATE TYPE carta.user_role AS ENUM ('admin', 'developer', 'analyst');
COMMENT ON TYPE carta.user_role IS 'Global role of a user.';

CREATE TYPE carta.membership_role AS ENUM ('owner', 'admin', 'editor', 'viewer');
COMMENT ON TYPE carta.membership_role IS 'Role of a user within one workspace.';

CREATE TYPE carta.db_type AS ENUM ('postgres', 'mysql', 'mssql', 'mongodb');
COMMENT ON TYPE carta.db_type IS 'Kind of database a connection points at.';

CREATE TYPE carta.connection_mode AS ENUM ('read-only', 'read-write');
COMMENT ON TYPE carta.connection_mode IS 'Whether queries may change the connected database.';

CREATE TYPE carta.execution_status AS ENUM ('success', 'failed', 'cancelled');
COMMENT ON TYPE carta.execution_status IS 'Outcome of a query execution.';

CREATE TYPE carta.doc_scope AS ENUM ('schema', 'table', 'column');
COMMENT ON TYPE carta.doc_scope IS 'What a doc describes; decides which table docs.ref_id points into.';

-- As in the seed there is no failed state: a job that fails stays visible
-- only through the audit log. A reviewer should question that.
CREATE TYPE carta.mock_job_status AS ENUM ('pending', 'running', 'completed');
COMMENT ON TYPE carta.mock_job_status IS 'Progress of a mock data job.';

CREATE FUNCTION carta.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION carta.set_updated_at() IS 'Trigger function: stamps updated_at on every UPDATE.';

CREATE FUNCTION carta.reject_audit_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'carta.audits is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
COMMENT ON FUNCTION carta.reject_audit_change() IS 'Trigger function: refuses UPDATE and DELETE on audits.';

CREATE TABLE carta.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    full_name text NOT NULL,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    -- The least-privileged role unless an admin grants more.
    role carta.user_role NOT NULL DEFAULT 'analyst',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE carta.users IS 'Stores core user details and authentication.';
COMMENT ON COLUMN carta.users.id IS 'Unique user ID.';
COMMENT ON COLUMN carta.users.full_name IS 'User''s full name.';
COMMENT ON COLUMN carta.users.email IS 'User''s email address.';
COMMENT ON COLUMN carta.users.password_hash IS 'Hashed password.';
COMMENT ON COLUMN carta.users.role IS 'admin, developer or analyst.';
COMMENT ON COLUMN carta.users.created_at IS 'Account creation time.';
COMMENT ON COLUMN carta.users.updated_at IS 'Last updated time.';

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON carta.users
    FOR EACH ROW EXECUTE FUNCTION carta.set_updated_at();

CREATE TABLE carta.workspaces (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    owner_id uuid NOT NULL REFERENCES carta.users (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE carta.workspaces IS 'Represents team collaboration spaces.';
COMMENT ON COLUMN carta.workspaces.id IS 'Unique workspace ID.';
COMMENT ON COLUMN carta.workspaces.name IS 'Workspace name.';
COMMENT ON COLUMN carta.workspaces.owner_id IS 'User who owns this workspace.';
COMMENT ON COLUMN carta.workspaces.created_at IS 'Created time.';
COMMENT ON COLUMN carta.workspaces.updated_at IS 'Last updated time.';

CREATE TRIGGER workspaces_set_updated_at BEFORE UPDATE ON carta.workspaces
    FOR EACH ROW EXECUTE FUNCTION carta.set_updated_at();

CREATE TABLE carta.memberships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES carta.users (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    role carta.membership_role NOT NULL DEFAULT 'viewer',
    created_at timestamptz NOT NULL DEFAULT now(),
    -- One role per user and workspace; two rows would make the role ambiguous.
    CONSTRAINT memberships_user_workspace_key UNIQUE (user_id, workspace_id)
);
COMMENT ON TABLE carta.memberships IS 'Mapping between users and workspaces.';
COMMENT ON COLUMN carta.memberships.id IS 'Unique membership ID.';
COMMENT ON COLUMN carta.memberships.user_id IS 'Foreign key to users.';
COMMENT ON COLUMN carta.memberships.workspace_id IS 'Foreign key to workspaces.';
COMMENT ON COLUMN carta.memberships.role IS 'owner, admin, editor or viewer.';
COMMENT ON COLUMN carta.memberships.created_at IS 'Created time.';

CREATE TABLE carta.connections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    name text NOT NULL,
    db_type carta.db_type NOT NULL,
    connection_uri bytea NOT NULL,
    connection_uri_key_id text NOT NULL,
    -- Queries default to read-only mode (seed notes).
    mode carta.connection_mode NOT NULL DEFAULT 'read-only',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE carta.connections IS 'Stores linked database metadata.';
COMMENT ON COLUMN carta.connections.id IS 'Unique connection ID.';
COMMENT ON COLUMN carta.connections.workspace_id IS 'Foreign key to workspaces.';
COMMENT ON COLUMN carta.connections.name IS 'Connection alias (e.g., "Prod Postgres").';
COMMENT ON COLUMN carta.connections.db_type IS 'postgres, mysql, mssql or mongodb.';
COMMENT ON COLUMN carta.connections.connection_uri IS 'Encrypted URI or token reference.';
COMMENT ON COLUMN carta.connections.connection_uri_key_id IS 'Id of the key connection_uri is encrypted with, for key rotation.';
COMMENT ON COLUMN carta.connections.mode IS 'read-only or read-write.';
COMMENT ON COLUMN carta.connections.created_at IS 'Linked time.';
COMMENT ON COLUMN carta.connections.updated_at IS 'Last sync/update time.';

CREATE TRIGGER connections_set_updated_at BEFORE UPDATE ON carta.connections
    FOR EACH ROW EXECUTE FUNCTION carta.set_updated_at();

CREATE TABLE carta.schemas (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    connection_id uuid NOT NULL REFERENCES carta.connections (id) ON DELETE CASCADE,
    version text NOT NULL,
    schema_json jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schemas_connection_version_key UNIQUE (connection_id, version)
);
COMMENT ON TABLE carta.schemas IS 'Stores database schema versions.';
COMMENT ON COLUMN carta.schemas.id IS 'Unique schema version ID.';
COMMENT ON COLUMN carta.schemas.connection_id IS 'Foreign key to connections.';
COMMENT ON COLUMN carta.schemas.version IS 'Schema version identifier.';
COMMENT ON COLUMN carta.schemas.schema_json IS 'Compact representation of schema.';
COMMENT ON COLUMN carta.schemas.created_at IS 'Schema crawl time.';

CREATE TABLE carta.tables (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    schema_id uuid NOT NULL REFERENCES carta.schemas (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tables_schema_name_key UNIQUE (schema_id, name)
);
COMMENT ON TABLE carta.tables IS 'Represents individual database tables.';
COMMENT ON COLUMN carta.tables.id IS 'Unique table ID.';
COMMENT ON COLUMN carta.tables.schema_id IS 'Foreign key to schemas.';
COMMENT ON COLUMN carta.tables.name IS 'Table name.';
COMMENT ON COLUMN carta.tables.description IS 'AI-generated or manual description.';
COMMENT ON COLUMN carta.tables.created_at IS 'Created time.';

CREATE TABLE carta.columns (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    table_id uuid NOT NULL REFERENCES carta.tables (id) ON DELETE CASCADE,
    name text NOT NULL,
    data_type text NOT NULL,
    is_nullable boolean NOT NULL DEFAULT true,
    is_pk boolean NOT NULL DEFAULT false,
    is_fk boolean NOT NULL DEFAULT false,
    -- SET NULL: the referenced table may vanish from a later crawl's rows
    -- before this one is pruned.
    fk_table_id uuid REFERENCES carta.tables (id) ON DELETE SET NULL,
    description text,
    CONSTRAINT columns_table_name_key UNIQUE (table_id, name),
    CONSTRAINT columns_fk_target_only_for_fk CHECK (is_fk OR fk_table_id IS NULL)
);
COMMENT ON TABLE carta.columns IS 'Represents table columns.';
COMMENT ON COLUMN carta.columns.id IS 'Unique column ID.';
COMMENT ON COLUMN carta.columns.table_id IS 'Foreign key to tables.';
COMMENT ON COLUMN carta.columns.name IS 'Column name.';
COMMENT ON COLUMN carta.columns.data_type IS 'SQL/NoSQL datatype.';
COMMENT ON COLUMN carta.columns.is_nullable IS 'Nullable or not.';
COMMENT ON COLUMN carta.columns.is_pk IS 'Primary key indicator.';
COMMENT ON COLUMN carta.columns.is_fk IS 'Foreign key indicator.';
COMMENT ON COLUMN carta.columns.fk_table_id IS 'Linked table if FK.';
COMMENT ON COLUMN carta.columns.description IS 'AI-generated explanation.';

CREATE TABLE carta.queries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    -- SET NULL: a saved query keeps its SQL when its connection is removed.
    connection_id uuid REFERENCES carta.connections (id) ON DELETE SET NULL,
    sql_text text NOT NULL,
    description text,
    created_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE carta.queries IS 'Stores saved/generated SQL queries.';
COMMENT ON COLUMN carta.queries.id IS 'Unique query ID.';
COMMENT ON COLUMN carta.queries.workspace_id IS 'Foreign key to workspaces.';
COMMENT ON COLUMN carta.queries.connection_id IS 'Foreign key to connections.';
COMMENT ON COLUMN carta.queries.sql_text IS 'The SQL query text.';
COMMENT ON COLUMN carta.queries.description IS 'AI-generated or manual explanation.';
COMMENT ON COLUMN carta.queries.created_by IS 'User who created the query.';
COMMENT ON COLUMN carta.queries.created_at IS 'Created time.';

CREATE TABLE carta.executions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    query_id uuid NOT NULL REFERENCES carta.queries (id) ON DELETE CASCADE,
    executed_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    duration_ms integer CHECK (duration_ms >= 0),
    row_count integer CHECK (row_count >= 0),
    status carta.execution_status NOT NULL,
    error_msg text
);
COMMENT ON TABLE carta.executions IS 'Execution metadata for queries.';
COMMENT ON COLUMN carta.executions.id IS 'Unique execution ID.';
COMMENT ON COLUMN carta.executions.query_id IS 'Foreign key to queries.';
COMMENT ON COLUMN carta.executions.executed_by IS 'User who executed the query.';
COMMENT ON COLUMN carta.executions.started_at IS 'Execution start time.';
COMMENT ON COLUMN carta.executions.duration_ms IS 'Execution duration.';
COMMENT ON COLUMN carta.executions.row_count IS 'Number of rows returned.';
COMMENT ON COLUMN carta.executions.status IS 'success, failed or cancelled.';
COMMENT ON COLUMN carta.executions.error_msg IS 'Error if failed.';

CREATE TABLE carta.docs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    scope carta.doc_scope NOT NULL,
    ref_id uuid NOT NULL,
    content_md text NOT NULL,
    template text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE carta.docs IS 'Auto-generated or custom documentation.';
COMMENT ON COLUMN carta.docs.id IS 'Unique doc ID.';
COMMENT ON COLUMN carta.docs.scope IS 'schema, table or column.';
COMMENT ON COLUMN carta.docs.ref_id IS 'Reference to schema/table/column (by scope; no foreign key).';
COMMENT ON COLUMN carta.docs.content_md IS 'Documentation in Markdown.';
COMMENT ON COLUMN carta.docs.template IS 'Template used for generation.';
COMMENT ON COLUMN carta.docs.created_at IS 'Doc creation time.';
COMMENT ON COLUMN carta.docs.updated_at IS 'Last updated time.';

CREATE TRIGGER docs_set_updated_at BEFORE UPDATE ON carta.docs
    FOR EACH ROW EXECUTE FUNCTION carta.set_updated_at();

CREATE TABLE carta.mock_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    table_id uuid NOT NULL REFERENCES carta.tables (id) ON DELETE CASCADE,
    config jsonb NOT NULL DEFAULT '{}',
    status carta.mock_job_status NOT NULL DEFAULT 'pending',
    file_path text,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    CONSTRAINT mock_jobs_completed_at_check CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
COMMENT ON TABLE carta.mock_jobs IS 'Mock data generation jobs.';
COMMENT ON COLUMN carta.mock_jobs.id IS 'Unique job ID.';
COMMENT ON COLUMN carta.mock_jobs.table_id IS 'Table for which mock data is generated.';
COMMENT ON COLUMN carta.mock_jobs.config IS 'Config (row count, edge cases, etc.).';
COMMENT ON COLUMN carta.mock_jobs.status IS 'pending, running or completed.';
COMMENT ON COLUMN carta.mock_jobs.file_path IS 'Export file location.';
COMMENT ON COLUMN carta.mock_jobs.created_at IS 'Created time.';
COMMENT ON COLUMN carta.mock_jobs.completed_at IS 'Completion time.';

CREATE TABLE carta.audits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id uuid REFERENCES carta.users (id) ON DELETE RESTRICT,
    action text NOT NULL,
    resource text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE carta.audits IS 'Audit logs for compliance: schema imports, query executions and doc generations.';
COMMENT ON COLUMN carta.audits.id IS 'Unique log ID.';
COMMENT ON COLUMN carta.audits.actor_id IS 'User who performed action; NULL for the system.';
COMMENT ON COLUMN carta.audits.action IS 'Action performed.';
COMMENT ON COLUMN carta.audits.resource IS 'Resource affected.';
COMMENT ON COLUMN carta.audits.details IS 'Additional metadata.';
COMMENT ON COLUMN carta.audits.created_at IS 'Time of action.';

CREATE TRIGGER audits_append_only BEFORE UPDATE OR DELETE ON carta.audits
    FOR EACH ROW EXECUTE FUNCTION carta.reject_audit_change();

CREATE VIEW carta.latest_schemas AS
SELECT DISTINCT ON (s.connection_id)
       s.connection_id,
       s.id AS schema_id,
       s.version,
       s.created_at
FROM carta.schemas s
ORDER BY s.connection_id, s.created_at DESC;
COMMENT ON VIEW carta.latest_schemas IS 'The most recently crawled schema version of each connection.';
