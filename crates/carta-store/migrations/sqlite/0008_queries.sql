-- Saved queries, their executions and feedback (seed 004's queries and
-- executions, seed 000's feedback), each workspace's LLM provider and the
-- usage of its questions, SQLite flavour.

CREATE TABLE queries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT REFERENCES connections (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    description TEXT,
    sql_text TEXT NOT NULL,
    -- The runner's checks refuse it as a read: it writes (or is not SQL it knows).
    is_write INTEGER NOT NULL DEFAULT 0 CHECK (is_write IN (0, 1)),
    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'workspace')),
    -- The question it answers, when `ask` generated it.
    question TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX queries_workspace_idx ON queries (workspace_id, updated_at);

CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT REFERENCES connections (id) ON DELETE SET NULL,
    query_id TEXT REFERENCES queries (id) ON DELETE SET NULL,
    sql_text TEXT NOT NULL,
    executed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'success', 'failed', 'cancelled')),
    -- Asked while running; the server running it polls the flag.
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER CHECK (duration_ms >= 0),
    row_count INTEGER CHECK (row_count >= 0),
    truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
    -- Free of connection URIs.
    error TEXT
) STRICT;
CREATE INDEX executions_workspace_idx ON executions (workspace_id, started_at);
CREATE INDEX executions_query_idx ON executions (query_id, started_at);

CREATE TABLE query_feedback (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    query_id TEXT NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (query_id, user_id)
) STRICT;

CREATE TABLE workspace_llm (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    provider_url TEXT NOT NULL,
    model TEXT NOT NULL,
    -- Sealed like connection URIs: nonce || ciphertext, and the key's id.
    api_key BLOB,
    api_key_key_id TEXT,
    price_per_million_prompt REAL CHECK (price_per_million_prompt >= 0),
    price_per_million_completion REAL CHECK (price_per_million_completion >= 0),
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    CHECK ((api_key IS NULL) = (api_key_key_id IS NULL))
) STRICT;

CREATE TABLE asks (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT REFERENCES connections (id) ON DELETE SET NULL,
    query_id TEXT REFERENCES queries (id) ON DELETE SET NULL,
    asked_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    question TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens INTEGER NOT NULL CHECK (completion_tokens >= 0),
    cost REAL,
    -- Why no valid SQL came back, when none did.
    error TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX asks_workspace_idx ON asks (workspace_id, created_at);
