-- API usage metering and workspace quotas, SQLite flavour (see the
-- PostgreSQL flavour for why the ids are not references).

CREATE TABLE api_usage (
    id INTEGER PRIMARY KEY,
    workspace_id TEXT,
    token_id TEXT,
    user_id TEXT,
    endpoint TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER NOT NULL CHECK (status BETWEEN 100 AND 599),
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX api_usage_workspace_idx ON api_usage (workspace_id, created_at);
CREATE INDEX api_usage_created_idx ON api_usage (created_at);

CREATE TABLE workspace_quotas (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    requests_per_minute INTEGER CHECK (requests_per_minute >= 1),
    requests_per_day INTEGER CHECK (requests_per_day >= 1),
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL
) STRICT;
