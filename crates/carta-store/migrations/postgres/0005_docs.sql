-- Living docs (seed 004's docs: scope, Markdown, template) and feedback on
-- them (seed 000), PostgreSQL flavour. A document is generated for one
-- object of a connection's schema (the overview, a schema, a table or view,
-- an enum), then edited by people; every change is a revision row.
-- `generated_md` is what the generator last produced, so a regeneration can
-- tell the sections people changed from the ones it may refresh.

CREATE TABLE carta.docs (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL REFERENCES carta.connections (id) ON DELETE CASCADE,
    scope text NOT NULL CHECK (scope IN ('overview', 'schema', 'table', 'enum')),
    -- The object: '' for the overview, `schema` or `schema.name` otherwise.
    object_key text NOT NULL,
    -- Where the document lies in a downloaded docs set, as carta doc writes it.
    path text NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    content_md text NOT NULL,
    generated_md text NOT NULL,
    template text NOT NULL,
    revision integer NOT NULL CHECK (revision >= 1),
    orphaned_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT docs_object_key UNIQUE (connection_id, scope, object_key)
);
CREATE INDEX docs_workspace_idx ON carta.docs (workspace_id, connection_id);
COMMENT ON TABLE carta.docs IS 'Living documentation: generated per schema object, edited by people.';

CREATE TABLE carta.doc_revisions (
    doc_id uuid NOT NULL REFERENCES carta.docs (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    revision integer NOT NULL CHECK (revision >= 1),
    content_md text NOT NULL,
    -- NULL for the generator.
    author_id uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (doc_id, revision)
);
COMMENT ON TABLE carta.doc_revisions IS 'Every version of every document, with its author (NULL: the generator).';

CREATE TABLE carta.doc_templates (
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    scope text NOT NULL CHECK (scope IN ('overview', 'schema', 'table', 'enum')),
    source text NOT NULL,
    updated_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, scope)
);
COMMENT ON TABLE carta.doc_templates IS 'A workspace''s minijinja templates, used instead of the built-in ones.';

CREATE TABLE carta.doc_feedback (
    id uuid PRIMARY KEY,
    doc_id uuid NOT NULL REFERENCES carta.docs (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES carta.users (id) ON DELETE CASCADE,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT doc_feedback_user_key UNIQUE (doc_id, user_id)
);
CREATE INDEX doc_feedback_workspace_idx ON carta.doc_feedback (workspace_id);
COMMENT ON TABLE carta.doc_feedback IS 'Ratings of documents, one per user and document.';

ALTER TABLE carta.docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.docs FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.docs
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.doc_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.doc_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.doc_revisions
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.doc_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.doc_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.doc_templates
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.doc_feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.doc_feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.doc_feedback
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));
