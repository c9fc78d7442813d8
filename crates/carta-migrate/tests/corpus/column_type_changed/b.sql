CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL DEFAULT 0, handle varchar(40), code text);
CREATE TABLE ledger (id serial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), amount numeric(12,2));
