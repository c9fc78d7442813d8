-- Nadakki AI Suite (seed 003): tenants, their users, OAuth tokens for
-- marketing platforms, AI agent executions, API audit events, per-tenant
-- configuration, and the agent execution audit log, with row-level security
-- on every tenant-scoped table.
--
-- Self-contained: every object is qualified with the nadakki schema.
-- Requires PostgreSQL 13+ for the built-in gen_random_uuid() (on 12, run
-- CREATE EXTENSION pgcrypto first). Sections follow the seed's migrations.
--
-- Types are the seed's (TEXT, SERIAL, BOOL, INT, TIMESTZ = timestamptz). Where
-- the seed's ERD gives no type ("created_at", "expires_at", "timestamp",
-- "refresh_token") the sibling columns decide: times are timestamptz, the
-- refresh token is text like the access token.
--
-- Additions, and why:
-- - tenant_id is NOT NULL everywhere: RLS compares it with the current
--   tenant, so a row without a tenant would be invisible to everyone.
-- - created_at columns default to now(); tenant_config flags default to
--   false, so a new tenant never publishes live or sends mail by accident.
-- - ON DELETE (the seed names none): a tenant's users, OAuth tokens and
--   configuration go with the tenant (CASCADE), so no token outlives its
--   tenant; agent executions and audit events are records and block the
--   delete (RESTRICT) until they are archived deliberately.
-- - RLS uses the tenant id the application sets per transaction:
--   SET LOCAL app.current_tenant = '<tenant id>'. FORCEd so the table owner
--   is bound too; only superusers and BYPASSRLS roles see across tenants.
-- - There is deliberately no view here: a view runs with its owner's rights
--   and would bypass the RLS below (security_invoker needs PostgreSQL 15).
--
-- Security note, modelled as the seed has it: oauth_tokens keeps access and
-- refresh tokens in plain text. They should be encrypted at rest; a linter
-- should report it.

CREATE SCHEMA nadakki;
COMMENT ON SCHEMA nadakki IS 'Nadakki AI Suite: multi-tenant AI agents for marketing platforms.';

CREATE FUNCTION nadakki.current_tenant_id() RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT nullif(current_setting('app.current_tenant', true), '')
$$;
COMMENT ON FUNCTION nadakki.current_tenant_id() IS 'The tenant of the current transaction (setting app.current_tenant), or NULL when unset, in which case RLS shows no rows.';

-- Migration 001: tenants + audit_logs + RLS on audit_logs

CREATE TABLE nadakki.tenants (
    id text PRIMARY KEY,
    name text NOT NULL,
    slug text NOT NULL UNIQUE,
    plan text,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nadakki.tenants IS 'Tenants of the Nadakki AI Suite; every other table is scoped to one (1:N).';
COMMENT ON COLUMN nadakki.tenants.id IS 'Tenant id (text, chosen by the application).';
COMMENT ON COLUMN nadakki.tenants.name IS 'Tenant name.';
COMMENT ON COLUMN nadakki.tenants.slug IS 'Unique slug of the tenant.';
COMMENT ON COLUMN nadakki.tenants.plan IS 'Subscription plan.';
COMMENT ON COLUMN nadakki.tenants.created_at IS 'Creation time.';

CREATE TABLE nadakki.audit_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trace_id text,
    -- As in the seed: no foreign key to tenants (migration 001 declares
    -- none), so audit records survive tenant deletion. RLS still scopes it.
    tenant_id text NOT NULL,
    agent_id text,
    mode text,
    status text,
    http_status integer,
    latency_ms integer,
    user_id text,
    error text,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nadakki.audit_logs IS 'Agent execution audit (from migration 001).';
COMMENT ON COLUMN nadakki.audit_logs.id IS 'Audit record id.';
COMMENT ON COLUMN nadakki.audit_logs.trace_id IS 'Trace id correlating the execution across services.';
COMMENT ON COLUMN nadakki.audit_logs.tenant_id IS 'Tenant the execution ran for.';
COMMENT ON COLUMN nadakki.audit_logs.agent_id IS 'Agent that ran.';
COMMENT ON COLUMN nadakki.audit_logs.mode IS 'Execution mode, e.g. live or dry run.';
COMMENT ON COLUMN nadakki.audit_logs.status IS 'Outcome of the execution.';
COMMENT ON COLUMN nadakki.audit_logs.http_status IS 'HTTP status returned.';
COMMENT ON COLUMN nadakki.audit_logs.latency_ms IS 'Latency in milliseconds.';
COMMENT ON COLUMN nadakki.audit_logs.user_id IS 'User who requested the execution.';
COMMENT ON COLUMN nadakki.audit_logs.error IS 'Error message, if any.';
COMMENT ON COLUMN nadakki.audit_logs.created_at IS 'Time of the execution.';

CREATE INDEX ix_audit_logs_tenant_created ON nadakki.audit_logs (tenant_id, created_at DESC);
CREATE INDEX ix_audit_logs_agent_created ON nadakki.audit_logs (agent_id, created_at DESC);
CREATE INDEX ix_audit_logs_trace_id ON nadakki.audit_logs (trace_id);

ALTER TABLE nadakki.audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE nadakki.audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nadakki.audit_logs
    FOR ALL
    USING (tenant_id = nadakki.current_tenant_id())
    WITH CHECK (tenant_id = nadakki.current_tenant_id());

-- Migration 002: users, oauth_tokens, agent_executions, audit_events, tenant_config

CREATE TABLE nadakki.users (
    id serial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES nadakki.tenants (id) ON DELETE CASCADE,
    email text NOT NULL,
    role text,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nadakki.users IS 'Users of a tenant.';
COMMENT ON COLUMN nadakki.users.id IS 'User id.';
COMMENT ON COLUMN nadakki.users.tenant_id IS 'Tenant the user belongs to.';
COMMENT ON COLUMN nadakki.users.email IS 'Email address.';
COMMENT ON COLUMN nadakki.users.role IS 'Role of the user within the tenant.';
COMMENT ON COLUMN nadakki.users.created_at IS 'Creation time.';

CREATE INDEX ix_users_tenant_id ON nadakki.users (tenant_id);

CREATE TABLE nadakki.oauth_tokens (
    id serial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES nadakki.tenants (id) ON DELETE CASCADE,
    platform text NOT NULL,
    access_token text NOT NULL,
    refresh_token text,
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nadakki.oauth_tokens IS 'OAuth tokens a tenant granted for external platforms.';
COMMENT ON COLUMN nadakki.oauth_tokens.id IS 'Token record id.';
COMMENT ON COLUMN nadakki.oauth_tokens.tenant_id IS 'Tenant that granted the token.';
COMMENT ON COLUMN nadakki.oauth_tokens.platform IS 'Platform the token is for.';
COMMENT ON COLUMN nadakki.oauth_tokens.access_token IS 'OAuth access token (stored in plain text).';
COMMENT ON COLUMN nadakki.oauth_tokens.refresh_token IS 'OAuth refresh token (stored in plain text).';
COMMENT ON COLUMN nadakki.oauth_tokens.expires_at IS 'When the access token expires.';
COMMENT ON COLUMN nadakki.oauth_tokens.created_at IS 'Creation time.';

CREATE INDEX ix_oauth_tokens_tenant_id ON nadakki.oauth_tokens (tenant_id);
CREATE INDEX ix_oauth_tokens_tenant_platform ON nadakki.oauth_tokens (tenant_id, platform);

CREATE TABLE nadakki.agent_executions (
    id serial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES nadakki.tenants (id) ON DELETE RESTRICT,
    agent_id text NOT NULL,
    dry_run boolean NOT NULL DEFAULT false,
    result text,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nadakki.agent_executions IS 'Executions of AI agents for a tenant.';
COMMENT ON COLUMN nadakki.agent_executions.id IS 'Execution id.';
COMMENT ON COLUMN nadakki.agent_executions.tenant_id IS 'Tenant the agent ran for.';
COMMENT ON COLUMN nadakki.agent_executions.agent_id IS 'Agent that ran.';
COMMENT ON COLUMN nadakki.agent_executions.dry_run IS 'True when the agent ran without side effects.';
COMMENT ON COLUMN nadakki.agent_executions.result IS 'Result of the execution.';
COMMENT ON COLUMN nadakki.agent_executions.created_at IS 'Time of the execution.';

CREATE INDEX ix_agent_executions_tenant_id ON nadakki.agent_executions (tenant_id);
CREATE INDEX ix_agent_executions_agent_id ON nadakki.agent_executions (agent_id);

CREATE TABLE nadakki.audit_events (
    id serial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES nadakki.tenants (id) ON DELETE RESTRICT,
    -- As in the seed: text, while users.id is an integer, so it cannot
    -- reference users; it records the caller's identity as the API saw it.
    user_id text,
    action text NOT NULL,
    endpoint text,
    method text,
    status_code integer,
    latency_ms integer,
    "timestamp" timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nadakki.audit_events IS 'API audit events of a tenant.';
COMMENT ON COLUMN nadakki.audit_events.id IS 'Event id.';
COMMENT ON COLUMN nadakki.audit_events.tenant_id IS 'Tenant the request was made for.';
COMMENT ON COLUMN nadakki.audit_events.user_id IS 'Caller identity.';
COMMENT ON COLUMN nadakki.audit_events.action IS 'Action performed.';
COMMENT ON COLUMN nadakki.audit_events.endpoint IS 'API endpoint called.';
COMMENT ON COLUMN nadakki.audit_events.method IS 'HTTP method.';
COMMENT ON COLUMN nadakki.audit_events.status_code IS 'HTTP status code returned.';
COMMENT ON COLUMN nadakki.audit_events.latency_ms IS 'Latency in milliseconds.';
COMMENT ON COLUMN nadakki.audit_events."timestamp" IS 'Time of the event.';

CREATE INDEX ix_audit_events_tenant_id ON nadakki.audit_events (tenant_id);
CREATE INDEX ix_audit_events_timestamp ON nadakki.audit_events ("timestamp" DESC);

CREATE TABLE nadakki.tenant_config (
    id serial PRIMARY KEY,
    tenant_id text NOT NULL UNIQUE REFERENCES nadakki.tenants (id) ON DELETE CASCADE,
    meta_live boolean NOT NULL DEFAULT false,
    sendgrid boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE nadakki.tenant_config IS 'Per-tenant configuration, one row per tenant.';
COMMENT ON COLUMN nadakki.tenant_config.id IS 'Configuration id.';
COMMENT ON COLUMN nadakki.tenant_config.tenant_id IS 'Tenant configured (at most one row each).';
COMMENT ON COLUMN nadakki.tenant_config.meta_live IS 'Whether Meta integrations run live.';
COMMENT ON COLUMN nadakki.tenant_config.sendgrid IS 'Whether email is sent through SendGrid.';

-- Migration 003: RLS policies on all tenant-scoped tables
-- (tenants itself is not tenant-scoped: it is read to resolve a slug before
-- any tenant is known, so it has no RLS.)

ALTER TABLE nadakki.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE nadakki.users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nadakki.users
    FOR ALL
    USING (tenant_id = nadakki.current_tenant_id())
    WITH CHECK (tenant_id = nadakki.current_tenant_id());

ALTER TABLE nadakki.oauth_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE nadakki.oauth_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nadakki.oauth_tokens
    FOR ALL
    USING (tenant_id = nadakki.current_tenant_id())
    WITH CHECK (tenant_id = nadakki.current_tenant_id());

ALTER TABLE nadakki.agent_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE nadakki.agent_executions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nadakki.agent_executions
    FOR ALL
    USING (tenant_id = nadakki.current_tenant_id())
    WITH CHECK (tenant_id = nadakki.current_tenant_id());

ALTER TABLE nadakki.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE nadakki.audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nadakki.audit_events
    FOR ALL
    USING (tenant_id = nadakki.current_tenant_id())
    WITH CHECK (tenant_id = nadakki.current_tenant_id());

ALTER TABLE nadakki.tenant_config ENABLE ROW LEVEL SECURITY;
ALTER TABLE nadakki.tenant_config FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nadakki.tenant_config
    FOR ALL
    USING (tenant_id = nadakki.current_tenant_id())
    WITH CHECK (tenant_id = nadakki.current_tenant_id());
