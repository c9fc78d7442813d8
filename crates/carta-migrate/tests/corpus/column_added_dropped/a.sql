CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, fax text, age integer CHECK (age >= 0));
COMMENT ON COLUMN people.fax IS 'Nobody has one.';
