CREATE SCHEMA org;
COMMENT ON SCHEMA org IS 'Organisation.';
CREATE TABLE org.departments (id integer PRIMARY KEY, name text NOT NULL, head_id integer);
CREATE TABLE org.employees (id integer PRIMARY KEY, department_id integer NOT NULL REFERENCES org.departments (id) ON DELETE CASCADE, manager_id integer REFERENCES org.employees (id));
ALTER TABLE org.departments ADD CONSTRAINT departments_head_id_fkey FOREIGN KEY (head_id) REFERENCES org.employees (id) DEFERRABLE;
COMMENT ON TABLE org.employees IS 'People.';
