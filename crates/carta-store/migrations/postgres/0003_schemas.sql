-- Schema history (seed 004's schemas, tables, columns), PostgreSQL flavour:
-- a connection's synced versions, each with its Catalog JSON, plus its
-- tables and columns as rows for search. `namespace` is the database schema
-- a table is in (`schema` names the version here, as in seed 004). Every
-- row carries its workspace, for row-level security.

CREATE TABLE carta.schemas (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL REFERENCES carta.connections (id) ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 1),
    fingerprint text NOT NULL,
    schema_json jsonb NOT NULL,
    summary jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    CONSTRAINT schemas_connection_version_key UNIQUE (connection_id, version)
);
COMMENT ON TABLE carta.schemas IS 'Synced versions of a connection''s schema, a new one only when the fingerprint changed.';

CREATE TABLE carta.tables (
    id uuid PRIMARY KEY,
    schema_id uuid NOT NULL REFERENCES carta.schemas (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    namespace text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    comment text,
    CONSTRAINT tables_schema_name_key UNIQUE (schema_id, namespace, name)
);
CREATE INDEX tables_workspace_idx ON carta.tables (workspace_id);
COMMENT ON TABLE carta.tables IS 'The tables and views of each schema version, for search.';

CREATE TABLE carta.columns (
    id uuid PRIMARY KEY,
    table_id uuid NOT NULL REFERENCES carta.tables (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    position integer NOT NULL,
    name text NOT NULL,
    data_type text NOT NULL,
    nullable boolean NOT NULL,
    is_pk boolean NOT NULL,
    is_fk boolean NOT NULL,
    comment text,
    CONSTRAINT columns_table_name_key UNIQUE (table_id, name)
);
CREATE INDEX columns_workspace_idx ON carta.columns (workspace_id);
COMMENT ON TABLE carta.columns IS 'The columns of each schema version''s tables, for search.';

ALTER TABLE carta.schemas ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.schemas FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.schemas
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.tables ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.tables FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.tables
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.columns ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.columns FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.columns
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));
