-- ORKO AI (seed 000) for SQLite 3.37+: the same schema as ../000_orko.sql.
--
-- Translation choices, and why:
-- - Tables are STRICT, so a value of the wrong type is an error instead of
--   being stored as whatever it happens to be.
-- - uuid ids are TEXT in the canonical 36-character form. SQLite cannot
--   generate UUIDs, so the application supplies them. A TEXT primary key
--   also needs an explicit NOT NULL: SQLite allows NULL in one otherwise.
-- - logs.id is INTEGER PRIMARY KEY AUTOINCREMENT: ids grow and are never
--   reused, even after old log rows are deleted.
-- - times are TEXT in ISO 8601 UTC ('2025-11-01T12:00:00.000Z'), which sorts
--   and compares correctly as text and is what SQLite's date functions read.
-- - enums are CHECK ... IN lists, JSON is TEXT checked with json_valid().
-- - updated_at is kept current by one AFTER UPDATE trigger per table (SQLite
--   has no shared trigger functions); the WHEN clause stops the trigger's
--   own UPDATE from firing it again.
-- - foreign keys are declared with their actions; SQLite enforces them only
--   on connections that run PRAGMA foreign_keys = ON.

CREATE TABLE orgs (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT,
    plan TEXT NOT NULL DEFAULT 'free',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'archived')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Two organizations cannot claim the same domain, in any letter case.
CREATE UNIQUE INDEX orgs_domain_key ON orgs (lower(domain)) WHERE domain IS NOT NULL;

CREATE TRIGGER orgs_set_updated_at AFTER UPDATE ON orgs
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE orgs SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    -- RESTRICT: organizations are retired through status = 'archived'.
    org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE RESTRICT,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    hashed_password TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'operator', 'viewer')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'archived')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TRIGGER users_set_updated_at AFTER UPDATE ON users
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE users SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TABLE auth_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'archived')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT auth_tokens_revoked_after_created CHECK (revoked_at IS NULL OR revoked_at >= created_at)
) STRICT;

CREATE TRIGGER auth_tokens_set_updated_at AFTER UPDATE ON auth_tokens
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE auth_tokens SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TABLE automations (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    last_run_at TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'archived')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TRIGGER automations_set_updated_at AFTER UPDATE ON automations
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE automations SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TABLE logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SET NULL: logs are the audit trail and outlive what they mention.
    org_id TEXT REFERENCES orgs (id) ON DELETE SET NULL,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    level TEXT NOT NULL,
    event TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE feedback (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    context TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(context)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT feedback_not_empty CHECK (rating IS NOT NULL OR comment IS NOT NULL)
) STRICT;

CREATE TRIGGER feedback_set_updated_at AFTER UPDATE ON feedback
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE feedback SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE VIEW org_activity AS
SELECT o.id AS org_id,
       o.name,
       o.plan,
       o.status,
       coalesce(sum(u.status = 'active'), 0) AS active_users,
       count(u.id) AS total_users
FROM orgs o
LEFT JOIN users u ON u.org_id = o.id
GROUP BY o.id, o.name, o.plan, o.status;
