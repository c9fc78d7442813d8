CREATE TABLE secrets (id integer PRIMARY KEY, tenant text NOT NULL);
