CREATE TABLE customer (id integer PRIMARY KEY, name text NOT NULL, born date);
CREATE TABLE invoices (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customer (id));
