-- The job queue (sync, docs, mock), PostgreSQL flavour. Several servers
-- claim from it with FOR UPDATE SKIP LOCKED; workers run as system calls,
-- requests see the jobs of their workspace only.

CREATE TABLE carta.jobs (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('sync', 'docs', 'mock')),
    payload jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error text,
    -- What a completed job produced, e.g. the version a sync kept.
    result jsonb,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The server instance holding the claim, and its last sign of life.
    claimed_by text,
    heartbeat_at timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false,
    created_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX jobs_pending_idx ON carta.jobs (created_at, id) WHERE status = 'pending';
CREATE INDEX jobs_running_idx ON carta.jobs (heartbeat_at) WHERE status = 'running';
CREATE INDEX jobs_workspace_idx ON carta.jobs (workspace_id, created_at);
COMMENT ON TABLE carta.jobs IS 'The job queue: syncs, doc generation and mock data runs.';

ALTER TABLE carta.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.jobs
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));
