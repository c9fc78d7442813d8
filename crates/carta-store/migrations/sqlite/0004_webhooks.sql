-- Webhooks, their delivery outbox, and automations (seed 001's webhooks,
-- seed 000's automations), SQLite flavour. One process delivers and
-- schedules from an SQLite store; claims run in one write transaction.

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- A JSON array of event names, or ["*"] for every event.
    events TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(events)),
    description TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    secret BLOB NOT NULL,
    secret_key_id TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_triggered_at TEXT
) STRICT;
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,
    response_code INTEGER,
    error TEXT,
    duration_ms INTEGER,
    history TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(history)),
    created_at TEXT NOT NULL,
    finished_at TEXT
) STRICT;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE automations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    every_minutes INTEGER CHECK (every_minutes >= 1),
    trigger_event TEXT,
    action TEXT NOT NULL CHECK (action IN ('sync', 'docs', 'lint', 'webhook')),
    config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'running', 'succeeded', 'failed')),
    last_error TEXT,
    last_run_at TEXT,
    next_run_at TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((every_minutes IS NULL) <> (trigger_event IS NULL))
) STRICT;
CREATE INDEX automations_due_idx ON automations (next_run_at) WHERE enabled AND every_minutes IS NOT NULL;
CREATE INDEX automations_event_idx ON automations (workspace_id, trigger_event) WHERE enabled;
