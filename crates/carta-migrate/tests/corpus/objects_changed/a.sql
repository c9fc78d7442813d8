CREATE SCHEMA billing;
CREATE DOMAIN billing.code AS text CONSTRAINT code_check CHECK (length(VALUE) > 1);
CREATE SEQUENCE billing.ticket_no;
CREATE TABLE billing.tickets (id integer PRIMARY KEY, code billing.code, no bigint DEFAULT nextval('billing.ticket_no'));
CREATE TYPE billing.level AS ENUM ('low', 'mid', 'high', 'obsolete');
CREATE TABLE billing.alerts (id integer PRIMARY KEY, level billing.level NOT NULL DEFAULT 'low', levels billing.level[]);
CREATE VIEW billing.urgent AS SELECT id FROM billing.alerts WHERE level = 'high';
COMMENT ON TABLE billing.tickets IS 'Old comment.';
