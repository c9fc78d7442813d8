-- Mock data jobs (seed 004's mock_jobs), SQLite flavour: what each `mock`
-- job of the queue produced, and its output files (see the PostgreSQL
-- flavour for why they live in the store).

CREATE TABLE mock_jobs (
    id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    schema_version INTEGER CHECK (schema_version >= 1),
    tables TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tables)),
    total_rows INTEGER NOT NULL DEFAULT 0 CHECK (total_rows >= 0),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX mock_jobs_workspace_idx ON mock_jobs (workspace_id);

CREATE TABLE mock_job_files (
    mock_job_id TEXT NOT NULL REFERENCES mock_jobs (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (mock_job_id, name)
) STRICT;
CREATE INDEX mock_job_files_workspace_idx ON mock_job_files (workspace_id);
