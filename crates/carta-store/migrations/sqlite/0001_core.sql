-- carta serve's core tables (seed 004's users, workspaces, memberships,
-- connections, audits, plus auth_tokens), SQLite flavour.
-- uuids are TEXT (hyphenated, lower case); timestamps are TEXT in UTC as
-- YYYY-MM-DDTHH:MM:SS.ffffffZ, fixed width so text order is time order;
-- booleans are INTEGER 0/1; JSON is TEXT. STRICT tables refuse other types.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    -- Stored lower-cased by the store, so this is case-insensitive.
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'analyst' CHECK (role IN ('admin', 'developer', 'analyst')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    disabled_at TEXT
) STRICT;

-- Sessions and API tokens. Only the SHA-256 of a token is kept.
CREATE TABLE auth_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    name TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    -- Space-separated, sorted: 'read', 'read write', 'write'.
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
) STRICT;
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Soft delete: hidden from members, restorable by an admin.
    deleted_at TEXT
) STRICT;

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'viewer' CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at TEXT NOT NULL,
    UNIQUE (user_id, workspace_id)
) STRICT;
CREATE INDEX memberships_workspace_idx ON memberships (workspace_id);

CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    db_type TEXT NOT NULL CHECK (db_type IN ('postgres', 'mysql', 'sqlite')),
    -- Nonce || XChaCha20-Poly1305 ciphertext of the URI, and the key's id.
    connection_uri BLOB NOT NULL,
    connection_uri_key_id TEXT NOT NULL,
    redacted_uri TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'read-only' CHECK (mode IN ('read-only', 'read-write')),
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_tested_at TEXT,
    last_test_ok INTEGER CHECK (last_test_ok IN (0, 1)),
    last_test_detail TEXT,
    UNIQUE (workspace_id, name)
) STRICT;

-- seq orders the log and backs the cursor; seed 004's `resource` is split
-- into resource_type and resource_id so both can be filtered.
CREATE TABLE audits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT REFERENCES workspaces (id) ON DELETE RESTRICT,
    actor_id TEXT REFERENCES users (id) ON DELETE RESTRICT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    ip TEXT,
    user_agent TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX audits_workspace_idx ON audits (workspace_id, seq);
CREATE INDEX audits_actor_idx ON audits (actor_id, seq);

CREATE TRIGGER audits_no_update BEFORE UPDATE ON audits
BEGIN
    SELECT RAISE(ABORT, 'audits are append-only');
END;
CREATE TRIGGER audits_no_delete BEFORE DELETE ON audits
BEGIN
    SELECT RAISE(ABORT, 'audits are append-only');
END;
