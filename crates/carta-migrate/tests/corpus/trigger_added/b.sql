CREATE TABLE docs (id integer PRIMARY KEY, body text, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER docs_touch BEFORE INSERT OR UPDATE OF body ON docs FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER docs_audit AFTER DELETE ON docs FOR EACH ROW WHEN (OLD.body IS NOT NULL) EXECUTE FUNCTION touch();
COMMENT ON TRIGGER docs_touch ON docs IS 'Keeps updated_at.';
