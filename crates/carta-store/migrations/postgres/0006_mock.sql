-- Mock data jobs (seed 004's mock_jobs), PostgreSQL flavour. A mock job is a
-- `mock` job of the queue (its payload is the run's configuration; status,
-- progress and error live there, once); this table keeps what the run
-- produced, and mock_job_files its output files, in the store because
-- servers sharing it share no disk.

CREATE TABLE carta.mock_jobs (
    id uuid PRIMARY KEY REFERENCES carta.jobs (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    schema_version integer CHECK (schema_version >= 1),
    -- [{"table": "schema.table", "rows": N}] in load order.
    tables jsonb NOT NULL DEFAULT '[]',
    total_rows bigint NOT NULL DEFAULT 0 CHECK (total_rows >= 0),
    created_at timestamptz NOT NULL
);
CREATE INDEX mock_jobs_workspace_idx ON carta.mock_jobs (workspace_id);
COMMENT ON TABLE carta.mock_jobs IS 'What each mock data job produced: rows per table and the schema version planned from.';

CREATE TABLE carta.mock_job_files (
    mock_job_id uuid NOT NULL REFERENCES carta.mock_jobs (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    name text NOT NULL,
    media_type text NOT NULL,
    size bigint NOT NULL CHECK (size >= 0),
    sha256 text NOT NULL,
    content bytea NOT NULL,
    PRIMARY KEY (mock_job_id, name)
);
CREATE INDEX mock_job_files_workspace_idx ON carta.mock_job_files (workspace_id);
COMMENT ON TABLE carta.mock_job_files IS 'Output files of mock data jobs written to files, with size and SHA-256.';

ALTER TABLE carta.mock_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.mock_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.mock_jobs
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.mock_job_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.mock_job_files FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.mock_job_files
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));
