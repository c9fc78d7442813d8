CREATE SCHEMA util;
CREATE FUNCTION util.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION util.greet(who text DEFAULT 'world') RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || who $$;
CREATE FUNCTION util.gone() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
