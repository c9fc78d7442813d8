CREATE TABLE secrets (id integer PRIMARY KEY, tenant text NOT NULL);
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY by_tenant ON secrets USING (tenant = current_setting('app.tenant', true));
