-- API usage metering and workspace quotas (seed 001's api_usage and quota
-- limits), PostgreSQL flavour. Servers buffer usage rows and write them in
-- batches as system calls; a row names its workspace only when the caller
-- was admitted to it. The ids are plain values, not references: usage
-- outlives tokens, and a batch must not fail on one deleted user.

CREATE TABLE carta.api_usage (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id uuid,
    token_id uuid,
    user_id uuid,
    -- The route template (`/api/v1/workspaces/{id}/jobs`), never a raw path.
    endpoint text NOT NULL,
    method text NOT NULL,
    status smallint NOT NULL CHECK (status BETWEEN 100 AND 599),
    duration_ms integer NOT NULL CHECK (duration_ms >= 0),
    created_at timestamptz NOT NULL
);
CREATE INDEX api_usage_workspace_idx ON carta.api_usage (workspace_id, created_at);
CREATE INDEX api_usage_created_idx ON carta.api_usage (created_at);
COMMENT ON TABLE carta.api_usage IS 'One row per metered API call: workspace, token, user, route template, method, status, duration.';

CREATE TABLE carta.workspace_quotas (
    workspace_id uuid PRIMARY KEY REFERENCES carta.workspaces (id) ON DELETE CASCADE,
    requests_per_minute integer CHECK (requests_per_minute >= 1),
    requests_per_day integer CHECK (requests_per_day >= 1),
    updated_by uuid REFERENCES carta.users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL
);
COMMENT ON TABLE carta.workspace_quotas IS 'Request limits per workspace, set by global admins; NULL is no limit.';

-- Rows outside any workspace (logins, /me) are visible to system calls only.
ALTER TABLE carta.api_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.api_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.api_usage
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));

ALTER TABLE carta.workspace_quotas ENABLE ROW LEVEL SECURITY;
ALTER TABLE carta.workspace_quotas FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON carta.workspace_quotas
    USING (carta.workspace_visible(workspace_id)) WITH CHECK (carta.workspace_visible(workspace_id));
