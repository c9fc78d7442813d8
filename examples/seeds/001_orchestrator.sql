-- AI Orchestrator platform (seed 001): multi-tenant organizations, users
-- with roles, projects, orchestration runs and their phases, integration
-- operations, API usage metering, templates, webhooks and audit logs, with
-- row-level security isolating organizations.
--
-- Self-contained: every object is qualified with the orchestrator schema.
-- Requires PostgreSQL 13+ for the built-in gen_random_uuid() (on 12, run
-- CREATE EXTENSION pgcrypto first).
--
-- The seed gives exact column definitions; they are kept as written (types,
-- lengths, defaults, nullability), including the nullable organization_id
-- and user foreign keys. Additions, and why:
-- - every id UUID PRIMARY KEY gets DEFAULT gen_random_uuid(): the seed's
--   ids have no source otherwise.
-- - the value lists the seed documents (subscription tiers, roles, project
--   status and priority) are CHECK ... IN constraints on the VARCHAR columns
--   the seed declares, not enum types: the seed fixes the column type, and a
--   CHECK is changed by replacing one constraint, where removing an enum
--   value needs the type rebuilt.
-- - the seed names no ON DELETE; references keep the default (NO ACTION)
--   because organizations and users are soft-deleted (deleted_at), except the
--   per-phase and per-operation rows of a run, which are part of the run and
--   go with it (CASCADE).
-- - updated_at is kept current by a trigger.
-- - RLS: the seed's example policy uses Supabase's auth.uid() and the role
--   authenticated, which a plain PostgreSQL does not have. The same
--   isolation is expressed with the organization id the application sets per
--   transaction: SET LOCAL app.current_org = '<uuid>'. Policies apply to
--   PUBLIC (every role) and RLS is FORCEd so the table owner the application
--   may connect as is bound too; only superusers and BYPASSRLS roles (used
--   for migrations and support) see across organizations.
-- - There is deliberately no view here: a view runs with its owner's rights
--   and would bypass the RLS below (security_invoker needs PostgreSQL 15).

CREATE SCHEMA orchestrator;
COMMENT ON SCHEMA orchestrator IS 'AI Orchestrator platform: enterprise multi-tenancy, organizations and orchestration runs.';

CREATE FUNCTION orchestrator.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE
AS $$
    SELECT nullif(current_setting('app.current_org', true), '')::uuid
$$;
COMMENT ON FUNCTION orchestrator.current_org_id() IS 'The organization of the current transaction (setting app.current_org), or NULL when unset, in which case RLS shows no rows.';

CREATE FUNCTION orchestrator.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION orchestrator.set_updated_at() IS 'Trigger function: stamps updated_at on every UPDATE.';

-- Core tables

CREATE TABLE orchestrator.organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name varchar(255) NOT NULL,
    slug varchar(100) UNIQUE NOT NULL,
    subscription_tier varchar(50) DEFAULT 'free'
        CONSTRAINT organizations_subscription_tier_check CHECK (subscription_tier IN ('free', 'pro', 'enterprise')),
    api_quota_limit integer DEFAULT 1000,
    api_quota_used integer DEFAULT 0,
    settings jsonb DEFAULT '{}',
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    deleted_at timestamp with time zone NULL,
    CONSTRAINT organizations_api_quota_check CHECK (api_quota_limit >= 0 AND api_quota_used >= 0)
);
COMMENT ON TABLE orchestrator.organizations IS 'Multi-tenant support with subscription management. Unique slug for organization identification, subscription tier management, API quota tracking and limits, flexible settings, soft delete.';
COMMENT ON COLUMN orchestrator.organizations.id IS 'Organization id.';
COMMENT ON COLUMN orchestrator.organizations.name IS 'Organization name.';
COMMENT ON COLUMN orchestrator.organizations.slug IS 'Unique slug for organization identification.';
COMMENT ON COLUMN orchestrator.organizations.subscription_tier IS 'Subscription tier: free, pro or enterprise.';
COMMENT ON COLUMN orchestrator.organizations.api_quota_limit IS 'API quota limit.';
COMMENT ON COLUMN orchestrator.organizations.api_quota_used IS 'API quota used so far.';
COMMENT ON COLUMN orchestrator.organizations.settings IS 'Flexible settings, e.g. {"default_ai_model": "gpt-4", "integration_enabled": true, "notification_preferences": {...}, "security_settings": {"require_2fa": false, "session_timeout": 3600}}.';
COMMENT ON COLUMN orchestrator.organizations.created_at IS 'Creation time.';
COMMENT ON COLUMN orchestrator.organizations.updated_at IS 'Last update time.';
COMMENT ON COLUMN orchestrator.organizations.deleted_at IS 'Soft delete: set when the organization is deleted.';

CREATE TRIGGER organizations_set_updated_at BEFORE UPDATE ON orchestrator.organizations
    FOR EACH ROW EXECUTE FUNCTION orchestrator.set_updated_at();

CREATE TABLE orchestrator.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES orchestrator.organizations (id),
    email varchar(255) UNIQUE NOT NULL,
    username varchar(100) UNIQUE NOT NULL,
    full_name varchar(255),
    role varchar(50) DEFAULT 'member'
        CONSTRAINT users_role_check CHECK (role IN ('admin', 'manager', 'member', 'viewer')),
    permissions jsonb DEFAULT '[]',
    preferences jsonb DEFAULT '{}',
    last_login_at timestamp with time zone,
    email_verified_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    deleted_at timestamp with time zone NULL
);
COMMENT ON TABLE orchestrator.users IS 'User management with role-based access control.';
COMMENT ON COLUMN orchestrator.users.id IS 'User id.';
COMMENT ON COLUMN orchestrator.users.organization_id IS 'Organization the user belongs to.';
COMMENT ON COLUMN orchestrator.users.email IS 'Email address, unique.';
COMMENT ON COLUMN orchestrator.users.username IS 'User name, unique.';
COMMENT ON COLUMN orchestrator.users.full_name IS 'Full name.';
COMMENT ON COLUMN orchestrator.users.role IS 'admin: full organization access; manager: project and team management; member: standard user access; viewer: read-only access.';
COMMENT ON COLUMN orchestrator.users.permissions IS 'Granted permissions, e.g. ["projects.create", "projects.edit", "orchestrations.run", "templates.create", "analytics.view"].';
COMMENT ON COLUMN orchestrator.users.preferences IS 'User preferences.';
COMMENT ON COLUMN orchestrator.users.last_login_at IS 'Last login time.';
COMMENT ON COLUMN orchestrator.users.email_verified_at IS 'When the email address was verified.';
COMMENT ON COLUMN orchestrator.users.created_at IS 'Creation time.';
COMMENT ON COLUMN orchestrator.users.updated_at IS 'Last update time.';
COMMENT ON COLUMN orchestrator.users.deleted_at IS 'Soft delete: set when the user is deleted.';

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON orchestrator.users
    FOR EACH ROW EXECUTE FUNCTION orchestrator.set_updated_at();

CREATE TABLE orchestrator.projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES orchestrator.organizations (id),
    created_by uuid REFERENCES orchestrator.users (id),
    name varchar(255) NOT NULL,
    description text,
    topic text NOT NULL,
    status varchar(50) DEFAULT 'active'
        CONSTRAINT projects_status_check CHECK (status IN ('active', 'completed', 'archived', 'failed')),
    priority varchar(20) DEFAULT 'medium'
        CONSTRAINT projects_priority_check CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    metadata jsonb DEFAULT '{}',
    settings jsonb DEFAULT '{}',
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    completed_at timestamp with time zone NULL
);
COMMENT ON TABLE orchestrator.projects IS 'Project management and organization.';
COMMENT ON COLUMN orchestrator.projects.id IS 'Project id.';
COMMENT ON COLUMN orchestrator.projects.organization_id IS 'Organization that owns the project.';
COMMENT ON COLUMN orchestrator.projects.created_by IS 'User who created the project.';
COMMENT ON COLUMN orchestrator.projects.name IS 'Project name.';
COMMENT ON COLUMN orchestrator.projects.description IS 'Project description.';
COMMENT ON COLUMN orchestrator.projects.topic IS 'Topic the project orchestrates.';
COMMENT ON COLUMN orchestrator.projects.status IS 'active: currently being worked on; completed: successfully finished; archived: stored for reference; failed: terminated due to errors.';
COMMENT ON COLUMN orchestrator.projects.priority IS 'low: non-urgent tasks; medium: standard priority; high: important projects; urgent: critical/time-sensitive.';
COMMENT ON COLUMN orchestrator.projects.metadata IS 'Project metadata, e.g. {"estimated_duration": "3 months", "complexity": "high", "technologies": [...], "budget": 50000, "team_size": 5}.';
COMMENT ON COLUMN orchestrator.projects.settings IS 'Project settings.';
COMMENT ON COLUMN orchestrator.projects.created_at IS 'Creation time.';
COMMENT ON COLUMN orchestrator.projects.updated_at IS 'Last update time.';
COMMENT ON COLUMN orchestrator.projects.completed_at IS 'When the project was completed.';

CREATE TRIGGER projects_set_updated_at BEFORE UPDATE ON orchestrator.projects
    FOR EACH ROW EXECUTE FUNCTION orchestrator.set_updated_at();

-- Orchestration tables

CREATE TABLE orchestrator.orchestration_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid REFERENCES orchestrator.projects (id),
    user_id uuid REFERENCES orchestrator.users (id),
    topic text NOT NULL,
    -- The seed documents only the default ('running'); the other states are
    -- not listed, so no value list is imposed.
    status varchar(50) DEFAULT 'running',
    total_phases integer DEFAULT 0,
    completed_phases integer DEFAULT 0,
    success_rate decimal(5,2) DEFAULT 0.00
        CONSTRAINT orchestration_runs_success_rate_check CHECK (success_rate BETWEEN 0 AND 100),
    execution_time_ms integer,
    integration_enabled boolean DEFAULT false,
    results jsonb DEFAULT '{}',
    error_details jsonb DEFAULT '{}',
    created_at timestamp with time zone DEFAULT now(),
    completed_at timestamp with time zone NULL
);
COMMENT ON TABLE orchestrator.orchestration_runs IS 'Track individual orchestration executions.';
COMMENT ON COLUMN orchestrator.orchestration_runs.id IS 'Run id.';
COMMENT ON COLUMN orchestrator.orchestration_runs.project_id IS 'Project the run belongs to.';
COMMENT ON COLUMN orchestrator.orchestration_runs.user_id IS 'User who started the run.';
COMMENT ON COLUMN orchestrator.orchestration_runs.topic IS 'Topic of the run.';
COMMENT ON COLUMN orchestrator.orchestration_runs.status IS 'Run status; running while phases execute.';
COMMENT ON COLUMN orchestrator.orchestration_runs.total_phases IS 'Number of phases in the run.';
COMMENT ON COLUMN orchestrator.orchestration_runs.completed_phases IS 'Number of phases completed.';
COMMENT ON COLUMN orchestrator.orchestration_runs.success_rate IS 'Percentage of successful phases, 0 to 100.';
COMMENT ON COLUMN orchestrator.orchestration_runs.execution_time_ms IS 'Total execution time in milliseconds.';
COMMENT ON COLUMN orchestrator.orchestration_runs.integration_enabled IS 'Whether system integrations run with the orchestration.';
COMMENT ON COLUMN orchestrator.orchestration_runs.results IS 'Per-phase results and summary, e.g. {"phases": {"Phase 0": {"phase": "Ideation", "status": "completed", ...}}, "metadata": {"total_phases": 7, ...}}.';
COMMENT ON COLUMN orchestrator.orchestration_runs.error_details IS 'Error details when the run fails.';
COMMENT ON COLUMN orchestrator.orchestration_runs.created_at IS 'Start time.';
COMMENT ON COLUMN orchestrator.orchestration_runs.completed_at IS 'Completion time.';

CREATE TABLE orchestrator.phase_executions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    run_id uuid REFERENCES orchestrator.orchestration_runs (id) ON DELETE CASCADE,
    phase_code varchar(50) NOT NULL,
    phase_name varchar(255) NOT NULL,
    status varchar(50) DEFAULT 'pending',
    prompt_text text,
    response_text text,
    execution_time_ms integer,
    token_usage jsonb DEFAULT '{}',
    error_details jsonb DEFAULT '{}',
    started_at timestamp with time zone,
    completed_at timestamp with time zone
);
COMMENT ON TABLE orchestrator.phase_executions IS 'Detailed tracking of individual phase execution.';
COMMENT ON COLUMN orchestrator.phase_executions.id IS 'Phase execution id.';
COMMENT ON COLUMN orchestrator.phase_executions.run_id IS 'Orchestration run the phase belongs to.';
COMMENT ON COLUMN orchestrator.phase_executions.phase_code IS 'Code of the phase.';
COMMENT ON COLUMN orchestrator.phase_executions.phase_name IS 'Name of the phase, e.g. Ideation.';
COMMENT ON COLUMN orchestrator.phase_executions.status IS 'Phase status; pending until it starts.';
COMMENT ON COLUMN orchestrator.phase_executions.prompt_text IS 'Prompt sent to the model.';
COMMENT ON COLUMN orchestrator.phase_executions.response_text IS 'Response received from the model.';
COMMENT ON COLUMN orchestrator.phase_executions.execution_time_ms IS 'Execution time in milliseconds.';
COMMENT ON COLUMN orchestrator.phase_executions.token_usage IS 'Token usage, e.g. {"prompt_tokens": 150, "completion_tokens": 800, "total_tokens": 950, "model": "gpt-4", "cost_usd": 0.028}.';
COMMENT ON COLUMN orchestrator.phase_executions.error_details IS 'Error details when the phase fails.';
COMMENT ON COLUMN orchestrator.phase_executions.started_at IS 'Start time.';
COMMENT ON COLUMN orchestrator.phase_executions.completed_at IS 'Completion time.';

CREATE TABLE orchestrator.integration_operations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    run_id uuid REFERENCES orchestrator.orchestration_runs (id) ON DELETE CASCADE,
    operation_type varchar(100) NOT NULL,
    operation_params jsonb DEFAULT '{}',
    status varchar(50) DEFAULT 'pending',
    result jsonb DEFAULT '{}',
    execution_time_ms integer,
    created_at timestamp with time zone DEFAULT now(),
    completed_at timestamp with time zone NULL
);
COMMENT ON TABLE orchestrator.integration_operations IS 'Log all system integration operations.';
COMMENT ON COLUMN orchestrator.integration_operations.id IS 'Operation id.';
COMMENT ON COLUMN orchestrator.integration_operations.run_id IS 'Orchestration run that performed the operation.';
COMMENT ON COLUMN orchestrator.integration_operations.operation_type IS 'Kind of integration operation.';
COMMENT ON COLUMN orchestrator.integration_operations.operation_params IS 'Parameters of the operation.';
COMMENT ON COLUMN orchestrator.integration_operations.status IS 'Operation status; pending until it runs.';
COMMENT ON COLUMN orchestrator.integration_operations.result IS 'Result of the operation.';
COMMENT ON COLUMN orchestrator.integration_operations.execution_time_ms IS 'Execution time in milliseconds.';
COMMENT ON COLUMN orchestrator.integration_operations.created_at IS 'Start time.';
COMMENT ON COLUMN orchestrator.integration_operations.completed_at IS 'Completion time.';

-- Supporting tables

CREATE TABLE orchestrator.api_usage (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES orchestrator.organizations (id),
    user_id uuid REFERENCES orchestrator.users (id),
    endpoint varchar(255) NOT NULL,
    method varchar(10) NOT NULL,
    tokens_used integer DEFAULT 0,
    response_time_ms integer,
    status_code integer,
    created_at timestamp with time zone DEFAULT now()
);
COMMENT ON TABLE orchestrator.api_usage IS 'Monitor and bill API usage.';
COMMENT ON COLUMN orchestrator.api_usage.id IS 'Usage record id.';
COMMENT ON COLUMN orchestrator.api_usage.organization_id IS 'Organization billed for the call.';
COMMENT ON COLUMN orchestrator.api_usage.user_id IS 'User who made the call.';
COMMENT ON COLUMN orchestrator.api_usage.endpoint IS 'API endpoint called.';
COMMENT ON COLUMN orchestrator.api_usage.method IS 'HTTP method.';
COMMENT ON COLUMN orchestrator.api_usage.tokens_used IS 'Model tokens consumed by the call.';
COMMENT ON COLUMN orchestrator.api_usage.response_time_ms IS 'Response time in milliseconds.';
COMMENT ON COLUMN orchestrator.api_usage.status_code IS 'HTTP status code returned.';
COMMENT ON COLUMN orchestrator.api_usage.created_at IS 'Time of the call.';

CREATE TABLE orchestrator.orchestration_templates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES orchestrator.organizations (id),
    created_by uuid REFERENCES orchestrator.users (id),
    name varchar(255) NOT NULL,
    description text,
    category varchar(100),
    template_data jsonb NOT NULL,
    is_public boolean DEFAULT false,
    usage_count integer DEFAULT 0,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now()
);
COMMENT ON TABLE orchestrator.orchestration_templates IS 'Reusable orchestration patterns.';
COMMENT ON COLUMN orchestrator.orchestration_templates.id IS 'Template id.';
COMMENT ON COLUMN orchestrator.orchestration_templates.organization_id IS 'Organization that owns the template.';
COMMENT ON COLUMN orchestrator.orchestration_templates.created_by IS 'User who created the template.';
COMMENT ON COLUMN orchestrator.orchestration_templates.name IS 'Template name.';
COMMENT ON COLUMN orchestrator.orchestration_templates.description IS 'Template description.';
COMMENT ON COLUMN orchestrator.orchestration_templates.category IS 'Template category.';
COMMENT ON COLUMN orchestrator.orchestration_templates.template_data IS 'The orchestration pattern.';
COMMENT ON COLUMN orchestrator.orchestration_templates.is_public IS 'Whether other organizations may use the template.';
COMMENT ON COLUMN orchestrator.orchestration_templates.usage_count IS 'How often the template was used.';
COMMENT ON COLUMN orchestrator.orchestration_templates.created_at IS 'Creation time.';
COMMENT ON COLUMN orchestrator.orchestration_templates.updated_at IS 'Last update time.';

CREATE TRIGGER orchestration_templates_set_updated_at BEFORE UPDATE ON orchestrator.orchestration_templates
    FOR EACH ROW EXECUTE FUNCTION orchestrator.set_updated_at();

CREATE TABLE orchestrator.webhooks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES orchestrator.organizations (id),
    name varchar(255) NOT NULL,
    url varchar(500) NOT NULL,
    events text[] DEFAULT '{}',
    -- As in the seed: the signing secret is stored as plain text. It has to
    -- be readable to sign deliveries, but it should be encrypted at rest.
    secret_key varchar(255),
    is_active boolean DEFAULT true,
    last_triggered_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now()
);
COMMENT ON TABLE orchestrator.webhooks IS 'External system integrations.';
COMMENT ON COLUMN orchestrator.webhooks.id IS 'Webhook id.';
COMMENT ON COLUMN orchestrator.webhooks.organization_id IS 'Organization that owns the webhook.';
COMMENT ON COLUMN orchestrator.webhooks.name IS 'Webhook name.';
COMMENT ON COLUMN orchestrator.webhooks.url IS 'Delivery URL.';
COMMENT ON COLUMN orchestrator.webhooks.events IS 'Events delivered to the URL.';
COMMENT ON COLUMN orchestrator.webhooks.secret_key IS 'Secret used to sign deliveries.';
COMMENT ON COLUMN orchestrator.webhooks.is_active IS 'Whether deliveries are sent.';
COMMENT ON COLUMN orchestrator.webhooks.last_triggered_at IS 'Time of the last delivery.';
COMMENT ON COLUMN orchestrator.webhooks.created_at IS 'Creation time.';

CREATE TABLE orchestrator.audit_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES orchestrator.organizations (id),
    user_id uuid REFERENCES orchestrator.users (id),
    action varchar(255) NOT NULL,
    resource_type varchar(100),
    resource_id uuid,
    old_values jsonb DEFAULT '{}',
    new_values jsonb DEFAULT '{}',
    ip_address inet,
    user_agent text,
    created_at timestamp with time zone DEFAULT now()
);
COMMENT ON TABLE orchestrator.audit_logs IS 'Compliance and security tracking.';
COMMENT ON COLUMN orchestrator.audit_logs.id IS 'Audit record id.';
COMMENT ON COLUMN orchestrator.audit_logs.organization_id IS 'Organization the action happened in.';
COMMENT ON COLUMN orchestrator.audit_logs.user_id IS 'User who performed the action.';
COMMENT ON COLUMN orchestrator.audit_logs.action IS 'Action performed.';
COMMENT ON COLUMN orchestrator.audit_logs.resource_type IS 'Kind of resource affected.';
COMMENT ON COLUMN orchestrator.audit_logs.resource_id IS 'Id of the resource affected.';
COMMENT ON COLUMN orchestrator.audit_logs.old_values IS 'Values before the change.';
COMMENT ON COLUMN orchestrator.audit_logs.new_values IS 'Values after the change.';
COMMENT ON COLUMN orchestrator.audit_logs.ip_address IS 'Client IP address.';
COMMENT ON COLUMN orchestrator.audit_logs.user_agent IS 'Client user agent.';
COMMENT ON COLUMN orchestrator.audit_logs.created_at IS 'Time of the action.';

-- Indexes for performance, as the seed lists them. idx_organizations_slug and
-- idx_users_email duplicate the indexes behind the UNIQUE constraints; they
-- are kept because the seed defines them (a linter reports them).

CREATE INDEX idx_organizations_slug ON orchestrator.organizations (slug);
CREATE INDEX idx_users_organization_id ON orchestrator.users (organization_id);
CREATE INDEX idx_users_email ON orchestrator.users (email);

CREATE INDEX idx_projects_organization_id ON orchestrator.projects (organization_id);
CREATE INDEX idx_projects_status ON orchestrator.projects (status);
CREATE INDEX idx_orchestration_runs_project_id ON orchestrator.orchestration_runs (project_id);
CREATE INDEX idx_orchestration_runs_status ON orchestrator.orchestration_runs (status);

CREATE INDEX idx_api_usage_organization_id ON orchestrator.api_usage (organization_id);
CREATE INDEX idx_api_usage_created_at ON orchestrator.api_usage (created_at);

-- Row level security: every table is isolated by organization.

ALTER TABLE orchestrator.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY "Organizations see only themselves" ON orchestrator.organizations
    FOR ALL
    USING (id = orchestrator.current_org_id())
    WITH CHECK (id = orchestrator.current_org_id());

ALTER TABLE orchestrator.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.users FORCE ROW LEVEL SECURITY;
CREATE POLICY "Users are organization-scoped" ON orchestrator.users
    FOR ALL
    USING (organization_id = orchestrator.current_org_id())
    WITH CHECK (organization_id = orchestrator.current_org_id());

ALTER TABLE orchestrator.projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.projects FORCE ROW LEVEL SECURITY;
CREATE POLICY "Projects are organization-scoped" ON orchestrator.projects
    FOR ALL
    USING (organization_id = orchestrator.current_org_id())
    WITH CHECK (organization_id = orchestrator.current_org_id());

-- Runs carry no organization_id; they belong to the organization of their project.
ALTER TABLE orchestrator.orchestration_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.orchestration_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY "Runs are organization-scoped" ON orchestrator.orchestration_runs
    FOR ALL
    USING (EXISTS (SELECT 1 FROM orchestrator.projects p
                   WHERE p.id = project_id AND p.organization_id = orchestrator.current_org_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM orchestrator.projects p
                        WHERE p.id = project_id AND p.organization_id = orchestrator.current_org_id()));

-- Phases and operations belong to their run; the runs policy above already
-- hides other organizations' runs from the subquery.
ALTER TABLE orchestrator.phase_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.phase_executions FORCE ROW LEVEL SECURITY;
CREATE POLICY "Phases are organization-scoped" ON orchestrator.phase_executions
    FOR ALL
    USING (EXISTS (SELECT 1 FROM orchestrator.orchestration_runs r WHERE r.id = run_id))
    WITH CHECK (EXISTS (SELECT 1 FROM orchestrator.orchestration_runs r WHERE r.id = run_id));

ALTER TABLE orchestrator.integration_operations ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.integration_operations FORCE ROW LEVEL SECURITY;
CREATE POLICY "Operations are organization-scoped" ON orchestrator.integration_operations
    FOR ALL
    USING (EXISTS (SELECT 1 FROM orchestrator.orchestration_runs r WHERE r.id = run_id))
    WITH CHECK (EXISTS (SELECT 1 FROM orchestrator.orchestration_runs r WHERE r.id = run_id));

ALTER TABLE orchestrator.api_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.api_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY "API usage is organization-scoped" ON orchestrator.api_usage
    FOR ALL
    USING (organization_id = orchestrator.current_org_id())
    WITH CHECK (organization_id = orchestrator.current_org_id());

ALTER TABLE orchestrator.orchestration_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.orchestration_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY "Templates are organization-scoped" ON orchestrator.orchestration_templates
    FOR ALL
    USING (organization_id = orchestrator.current_org_id())
    WITH CHECK (organization_id = orchestrator.current_org_id());
-- Permissive policies combine with OR: public templates are readable by every
-- organization, but only their owner may change them.
CREATE POLICY "Public templates are readable by all" ON orchestrator.orchestration_templates
    FOR SELECT
    USING (is_public);

ALTER TABLE orchestrator.webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY "Webhooks are organization-scoped" ON orchestrator.webhooks
    FOR ALL
    USING (organization_id = orchestrator.current_org_id())
    WITH CHECK (organization_id = orchestrator.current_org_id());

ALTER TABLE orchestrator.audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestrator.audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY "Audit logs are organization-scoped" ON orchestrator.audit_logs
    FOR ALL
    USING (organization_id = orchestrator.current_org_id())
    WITH CHECK (organization_id = orchestrator.current_org_id());
