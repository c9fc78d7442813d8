-- Organizations, users and plugins (seed 002) for SQLite 3.37+: the same
-- schema as ../002_plugins.sql.
--
-- Translation choices, and why:
-- - Tables are STRICT, so a value of the wrong type is an error.
-- - "BigInt, auto-increment" is INTEGER PRIMARY KEY AUTOINCREMENT (SQLite
--   integers are 64-bit); AUTOINCREMENT so the id of a deleted user is never
--   handed to a new one, which would inherit references to the old id.
-- - is_system is INTEGER 0/1, SQLite's boolean.
-- - JSON is TEXT checked with json_valid().
-- - date_joined ("timestamp with timezone") is ISO 8601 UTC with a Z;
--   plugin.created_at (Python's naive utcnow) is CURRENT_TIMESTAMP, UTC
--   without a zone ('2025-11-01 12:00:00'), as the seed has it.
-- - foreign keys are declared with their actions; SQLite enforces them only
--   on connections that run PRAGMA foreign_keys = ON.
--
-- Security note, modelled as the seed has it: plugin.credentials holds
-- authentication credentials as plain JSON; a linter should report it.

CREATE TABLE organization (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE "user" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firebase_id TEXT,
    name TEXT NOT NULL CONSTRAINT user_name_not_empty CHECK (length(name) >= 1),
    email TEXT NOT NULL UNIQUE CONSTRAINT user_email_not_empty CHECK (length(email) >= 1),
    organization_id INTEGER NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    status INTEGER NOT NULL DEFAULT 1 CONSTRAINT user_status_check CHECK (status IN (1, 2, 3)),
    is_system INTEGER NOT NULL DEFAULT 0 CHECK (is_system IN (0, 1)),
    active_token_id TEXT,
    date_joined TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_login TEXT
) STRICT;

CREATE UNIQUE INDEX user_firebase_id_key ON "user" (firebase_id);

CREATE TABLE plugin (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No ON DELETE: the seed cascades only users; an organization that still
    -- has plugins cannot be deleted until their credentials are removed.
    organization_id INTEGER NOT NULL REFERENCES organization (id),
    data_source TEXT NOT NULL,
    title TEXT NOT NULL,
    credentials TEXT NOT NULL CHECK (json_valid(credentials)),
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    created_at TEXT DEFAULT CURRENT_TIMESTAMP
) STRICT;

CREATE VIEW active_users AS
SELECT u.id, u.name, u.email, u.organization_id, o.name AS organization_name, u.last_login
FROM "user" u
JOIN organization o ON o.id = u.organization_id
WHERE u.status = 1 AND NOT u.is_system;
