-- Living docs (seed 004's docs: scope, Markdown, template) and feedback on
-- them (seed 000), SQLite flavour. A document is generated for one object
-- of a connection's schema (the overview, a schema, a table or view, an
-- enum), then edited by people; every change is a revision row.
-- `generated_md` is what the generator last produced, so a regeneration can
-- tell the sections people changed from the ones it may refresh.

CREATE TABLE docs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope IN ('overview', 'schema', 'table', 'enum')),
    object_key TEXT NOT NULL,
    path TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    content_md TEXT NOT NULL,
    generated_md TEXT NOT NULL,
    template TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    orphaned_at TEXT,
    created_at TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (connection_id, scope, object_key)
) STRICT;
CREATE INDEX docs_workspace_idx ON docs (workspace_id, connection_id);

CREATE TABLE doc_revisions (
    doc_id TEXT NOT NULL REFERENCES docs (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    content_md TEXT NOT NULL,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, revision)
) STRICT;

CREATE TABLE doc_templates (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope IN ('overview', 'schema', 'table', 'enum')),
    source TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, scope)
) STRICT;

CREATE TABLE doc_feedback (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES docs (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (doc_id, user_id)
) STRICT;
CREATE INDEX doc_feedback_workspace_idx ON doc_feedback (workspace_id);
