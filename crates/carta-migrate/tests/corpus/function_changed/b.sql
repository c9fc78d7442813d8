CREATE SCHEMA util;
CREATE FUNCTION util.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b + 0 $$;
CREATE FUNCTION util.greet(who text DEFAULT 'world') RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER AS $body$
BEGIN
    RETURN 'hello $$ ' || who;
END
$body$;
CREATE PROCEDURE util.reset(IN n integer) LANGUAGE sql AS $$ SELECT n $$;
COMMENT ON FUNCTION util.add(integer, integer) IS 'Adds.';
