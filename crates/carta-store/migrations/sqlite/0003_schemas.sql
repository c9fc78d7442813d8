-- Schema history (seed 004's schemas, tables, columns), SQLite flavour: a
-- connection's synced versions, each with its Catalog JSON, plus its tables
-- and columns as rows for search. `namespace` is the database schema a
-- table is in (`schema` names the version here, as in seed 004).

CREATE TABLE schemas (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    fingerprint TEXT NOT NULL,
    schema_json TEXT NOT NULL CHECK (json_valid(schema_json)),
    summary TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
    created_at TEXT NOT NULL,
    UNIQUE (connection_id, version)
) STRICT;

CREATE TABLE tables (
    id TEXT PRIMARY KEY,
    schema_id TEXT NOT NULL REFERENCES schemas (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    comment TEXT,
    UNIQUE (schema_id, namespace, name)
) STRICT;
CREATE INDEX tables_workspace_idx ON tables (workspace_id);

CREATE TABLE columns (
    id TEXT PRIMARY KEY,
    table_id TEXT NOT NULL REFERENCES tables (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    data_type TEXT NOT NULL,
    nullable INTEGER NOT NULL CHECK (nullable IN (0, 1)),
    is_pk INTEGER NOT NULL CHECK (is_pk IN (0, 1)),
    is_fk INTEGER NOT NULL CHECK (is_fk IN (0, 1)),
    comment TEXT,
    UNIQUE (table_id, name)
) STRICT;
CREATE INDEX columns_workspace_idx ON columns (workspace_id);
