CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL DEFAULT 0, handle text, code varchar(10));
CREATE TABLE ledger (id serial PRIMARY KEY, account_id integer NOT NULL REFERENCES accounts (id), amount integer);
