-- Webhooks, their delivery outbox, and automations (seed 001's webhooks,
-- seed 000's automations), PostgreSQL flavour. Deliveries are an outbox:
-- written when an event happens, claimed by any server's delivery worker
-- with FOR UPDATE SKIP LOCKED, so they survive restarts and are shared.

CREATE TABLE carta.webhooks (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    url text NOT NULL,
    -- Event names, or '*' for every event.
    events text[] NOT NULL DEFAULT '{}',
    description text NOT NULL DEFAULT '',
    enabled boolean NOT NULL DEFAULT true,
    -- The signing secret, sealed by the server's keyring like connection URIs.
    secret bytea NOT NULL,
    secret_key_id text NOT NULL,
    created_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_triggered_at timestamptz
);
CREATE INDEX webhooks_workspace_idx ON carta.webhooks (workspace_id, created_at);
COMMENT ON TABLE carta.webhooks IS 'URLs subscribed to a workspace''s events; deliveries are signed with the sealed secret.';

CREATE TABLE carta.webhook_deliveries (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    webhook_id uuid NOT NULL REFERENCES carta.webhooks (id) ON DELETE CASCADE,
    event_id uuid NOT NULL,
    event text NOT NULL,
    -- The JSON body posted, as it will be signed.
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When a worker may next take it: a claim moves it past the attempt's
    -- timeout, so a delivery whose worker died is retried, not lost.
    next_attempt_at timestamptz,
    response_code integer,
    error text,
    duration_ms bigint,
    -- One entry per attempt: at, response_code, error, duration_ms.
    history jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    finished_at timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON carta.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON carta.webhook_deliveries (webhook_id, created_at);
COMMENT ON TABLE carta.webhook_deliveries IS 'The webhook outbox: one row per event and webhook, with its attempts.';

CREATE TABLE carta.automations (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    name text NOT NULL,
    -- Exactly one trigger: a schedule or an event.
    every_minutes integer CHECK (every_minutes >= 1),
    trigger_event text,
    action text NOT NULL CHECK (action IN ('sync', 'docs', 'lint', 'webhook')),
    config jsonb NOT NULL DEFAULT '{}',
    enabled boolean NOT NULL DEFAULT true,
    status text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'running', 'succeeded', 'failed')),
    last_error text,
    last_run_at timestamptz,
    next_run_at timestamptz,
    created_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT automations_one_trigger CHECK ((every_minutes IS NULL) <> (trigger_event IS NULL))
);
CREATE INDEX automations_due_idx ON carta.automations (next_run_at) WHERE enabled AND every_minutes IS NOT NULL;
CREATE INDEX automations_event_idx ON carta.automations (workspace_id, trigger_event) WHERE enabled;
COMMENT ON TABLE carta.automations IS 'Rules that run an action (sync, docs, lint, webhook) on a schedule or an event.';

ALTER TABLE carta.webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.webhooks
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.webhook_deliveries
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.automations ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.automations FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.automations
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));
