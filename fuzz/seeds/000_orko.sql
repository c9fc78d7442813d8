-- ORKO AI (seed 000): organizations, their users, login/API tokens,
-- AI-driven automations, activity logs and user feedback.
--
-- Self-contained: every object is qualified with the orko schema, so this
-- file works with psql -f on a fresh database and next to the other seeds.
-- Requires PostgreSQL 13+ for the built-in gen_random_uuid() (on 12, run
-- CREATE EXTENSION pgcrypto first).
--
-- The seed names columns but not their types. Choices, and why:
-- - ids are uuid: rows are created by several services and exposed in URLs,
--   so ids must not be guessable or need a central counter. logs is the
--   exception (see there).
-- - every time is timestamptz: the system serves organizations in many time
--   zones; an instant must mean the same thing to all of them.
-- - status is one enum for every table, because the seed's glossary defines
--   Status once for all tables: "active/suspended/archived".
-- - role is an enum of the three kinds of user the seed lists (admins,
--   operators, viewers).
-- - free-form payloads (automation config, log details, feedback context)
--   are jsonb: schemaless, validated as JSON, indexable.
-- - created_at/updated_at are NOT NULL with defaults, and a trigger keeps
--   updated_at current so no code path can forget it.

CREATE SCHEMA orko;
COMMENT ON SCHEMA orko IS 'ORKO AI: organizations, users, tokens, automations, logs and feedback.';

CREATE TYPE orko.status AS ENUM ('active', 'suspended', 'archived');
COMMENT ON TYPE orko.status IS 'Field showing active/suspended/archived state (seed glossary: Status).';

CREATE TYPE orko.user_role AS ENUM ('admin', 'operator', 'viewer');
COMMENT ON TYPE orko.user_role IS 'Role of a user within an organization: admins, operators, viewers.';

CREATE FUNCTION orko.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION orko.set_updated_at() IS 'Trigger function: stamps updated_at on every UPDATE.';

CREATE TABLE orko.orgs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    domain text,
    -- The seed lists no plan names; plans change with pricing, so they stay
    -- open text rather than an enum that needs a migration per offer.
    plan text NOT NULL DEFAULT 'free',
    status orko.status NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE orko.orgs IS 'Represents companies or workspaces using ORKO. Defines each customer organization and its subscription plan.';
COMMENT ON COLUMN orko.orgs.id IS 'Primary Key.';
COMMENT ON COLUMN orko.orgs.name IS 'Organization name.';
COMMENT ON COLUMN orko.orgs.domain IS 'Internet domain of the organization, e.g. for matching users by email.';
COMMENT ON COLUMN orko.orgs.plan IS 'Subscription plan.';
COMMENT ON COLUMN orko.orgs.status IS 'active/suspended/archived state.';
COMMENT ON COLUMN orko.orgs.created_at IS 'Creation time, for auditing and history.';
COMMENT ON COLUMN orko.orgs.updated_at IS 'Last update time, for auditing and history.';

-- Two organizations cannot claim the same domain; case-insensitive because
-- DNS names are.
CREATE UNIQUE INDEX orgs_domain_key ON orko.orgs (lower(domain)) WHERE domain IS NOT NULL;

CREATE TRIGGER orgs_set_updated_at BEFORE UPDATE ON orko.orgs
    FOR EACH ROW EXECUTE FUNCTION orko.set_updated_at();

CREATE TABLE orko.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- RESTRICT: organizations are retired through status = 'archived';
    -- a hard delete must not silently take its users along.
    org_id uuid NOT NULL REFERENCES orko.orgs (id) ON DELETE RESTRICT,
    name text NOT NULL,
    email text NOT NULL,
    hashed_password text NOT NULL,
    role orko.user_role NOT NULL DEFAULT 'viewer',
    status orko.status NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE orko.users IS 'Stores all individuals registered in ORKO (admins, operators, viewers). Tracks every user and their role within an organization.';
COMMENT ON COLUMN orko.users.id IS 'Primary Key (unique user ID).';
COMMENT ON COLUMN orko.users.org_id IS 'Organization the user belongs to.';
COMMENT ON COLUMN orko.users.name IS 'Display name.';
COMMENT ON COLUMN orko.users.email IS 'Login email address, unique regardless of case.';
COMMENT ON COLUMN orko.users.hashed_password IS 'Password hash (never the password).';
COMMENT ON COLUMN orko.users.role IS 'Role within the organization: admin, operator or viewer.';
COMMENT ON COLUMN orko.users.status IS 'active/suspended/archived state.';
COMMENT ON COLUMN orko.users.created_at IS 'Creation time, for auditing and history.';
COMMENT ON COLUMN orko.users.updated_at IS 'Last update time, for auditing and history.';

-- Email is the login name, so it must identify one user; mail addresses are
-- compared without case by every provider in practice.
CREATE UNIQUE INDEX users_email_key ON orko.users (lower(email));

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON orko.users
    FOR EACH ROW EXECUTE FUNCTION orko.set_updated_at();

CREATE TABLE orko.auth_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- CASCADE: a token is meaningless (and must stop working) without its user.
    user_id uuid NOT NULL REFERENCES orko.users (id) ON DELETE CASCADE,
    -- A hash of the token (e.g. hex SHA-256); the token itself is never stored.
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    status orko.status NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT auth_tokens_revoked_after_created CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
COMMENT ON TABLE orko.auth_tokens IS 'Manages login sessions and API authentication tokens. Tracks secure logins and token lifecycles.';
COMMENT ON COLUMN orko.auth_tokens.id IS 'Primary Key.';
COMMENT ON COLUMN orko.auth_tokens.user_id IS 'User the token authenticates.';
COMMENT ON COLUMN orko.auth_tokens.token_hash IS 'Hash of the token; the token itself is only known to its holder.';
COMMENT ON COLUMN orko.auth_tokens.expires_at IS 'The token stops working at this time.';
COMMENT ON COLUMN orko.auth_tokens.revoked_at IS 'Set when the token is revoked before it expires.';
COMMENT ON COLUMN orko.auth_tokens.status IS 'active/suspended/archived state.';
COMMENT ON COLUMN orko.auth_tokens.created_at IS 'Issue time.';
COMMENT ON COLUMN orko.auth_tokens.updated_at IS 'Last update time.';

CREATE TRIGGER auth_tokens_set_updated_at BEFORE UPDATE ON orko.auth_tokens
    FOR EACH ROW EXECUTE FUNCTION orko.set_updated_at();

CREATE TABLE orko.automations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- CASCADE: automations are the user's own rules and run in their name.
    user_id uuid NOT NULL REFERENCES orko.users (id) ON DELETE CASCADE,
    name text NOT NULL,
    -- trigger and action name what starts the rule and what it does; the
    -- seed gives no vocabulary, so they are open text.
    trigger text NOT NULL,
    action text NOT NULL,
    config jsonb NOT NULL DEFAULT '{}',
    last_run_at timestamptz,
    status orko.status NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE orko.automations IS 'Contains user-created automation rules. Stores AI-driven automations that streamline workflows.';
COMMENT ON COLUMN orko.automations.id IS 'Primary Key.';
COMMENT ON COLUMN orko.automations.user_id IS 'User who created the automation.';
COMMENT ON COLUMN orko.automations.name IS 'Name of the rule.';
COMMENT ON COLUMN orko.automations.trigger IS 'What starts the automation.';
COMMENT ON COLUMN orko.automations.action IS 'What the automation does when triggered.';
COMMENT ON COLUMN orko.automations.config IS 'Parameters of the trigger and action.';
COMMENT ON COLUMN orko.automations.last_run_at IS 'When the automation last ran.';
COMMENT ON COLUMN orko.automations.status IS 'active/suspended/archived state.';
COMMENT ON COLUMN orko.automations.created_at IS 'Creation time.';
COMMENT ON COLUMN orko.automations.updated_at IS 'Last update time.';

CREATE TRIGGER automations_set_updated_at BEFORE UPDATE ON orko.automations
    FOR EACH ROW EXECUTE FUNCTION orko.set_updated_at();

CREATE TABLE orko.logs (
    -- bigint identity, not uuid: logs are the highest-volume table, append
    -- only, and read in insertion order; a sequential key is compact and
    -- keeps the primary key index append-only.
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- SET NULL on both: logs are the audit trail and must outlive the
    -- organization or user they mention. user_id is also NULL for system events.
    org_id uuid REFERENCES orko.orgs (id) ON DELETE SET NULL,
    user_id uuid REFERENCES orko.users (id) ON DELETE SET NULL,
    -- The seed names no levels; log levels differ between the services
    -- that write here, so the column stays open text.
    level text NOT NULL,
    event text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE orko.logs IS 'Captures user and system activity. Records events for analytics, audit, and debugging.';
COMMENT ON COLUMN orko.logs.id IS 'Primary Key.';
COMMENT ON COLUMN orko.logs.org_id IS 'Organization the event belongs to.';
COMMENT ON COLUMN orko.logs.user_id IS 'User who caused the event; NULL for system events.';
COMMENT ON COLUMN orko.logs.level IS 'Severity, e.g. info, warning, error.';
COMMENT ON COLUMN orko.logs.event IS 'Recorded event or system action.';
COMMENT ON COLUMN orko.logs.details IS 'Event payload.';
COMMENT ON COLUMN orko.logs.created_at IS 'When the event happened.';

CREATE TABLE orko.feedback (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- SET NULL: feedback stays useful for product analysis after its
    -- author's account is removed.
    user_id uuid REFERENCES orko.users (id) ON DELETE SET NULL,
    -- A 1-5 star rating; the seed allows a comment without a rating.
    rating smallint CHECK (rating BETWEEN 1 AND 5),
    comment text,
    context jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT feedback_not_empty CHECK (rating IS NOT NULL OR comment IS NOT NULL)
);
COMMENT ON TABLE orko.feedback IS 'Stores user feedback and ratings. Captures user sentiment and improvement suggestions.';
COMMENT ON COLUMN orko.feedback.id IS 'Primary Key.';
COMMENT ON COLUMN orko.feedback.user_id IS 'User who submitted the feedback.';
COMMENT ON COLUMN orko.feedback.rating IS 'Rating from 1 (worst) to 5 (best).';
COMMENT ON COLUMN orko.feedback.comment IS 'Free-text comment or improvement suggestion.';
COMMENT ON COLUMN orko.feedback.context IS 'Where the feedback was given, e.g. the screen or automation concerned.';
COMMENT ON COLUMN orko.feedback.created_at IS 'Submission time.';
COMMENT ON COLUMN orko.feedback.updated_at IS 'Last edit time.';

CREATE TRIGGER feedback_set_updated_at BEFORE UPDATE ON orko.feedback
    FOR EACH ROW EXECUTE FUNCTION orko.set_updated_at();

CREATE VIEW orko.org_activity AS
SELECT o.id AS org_id,
       o.name,
       o.plan,
       o.status,
       count(u.id) FILTER (WHERE u.status = 'active') AS active_users,
       count(u.id) AS total_users
FROM orko.orgs o
LEFT JOIN orko.users u ON u.org_id = o.id
GROUP BY o.id, o.name, o.plan, o.status;
COMMENT ON VIEW orko.org_activity IS 'Each organization with its plan and how many of its users are active.';
