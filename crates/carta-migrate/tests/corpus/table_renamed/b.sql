CREATE TABLE clients (id integer, name text NOT NULL, born date, CONSTRAINT customer_pkey PRIMARY KEY (id));
CREATE TABLE invoices (id integer PRIMARY KEY, customer_id integer NOT NULL, CONSTRAINT invoices_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES clients (id));
