CREATE TABLE notes (id integer PRIMARY KEY, owner text NOT NULL, body text, shared boolean NOT NULL DEFAULT false);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON notes USING (owner = current_user) WITH CHECK (owner = current_user AND body IS NOT NULL);
CREATE POLICY shared_notes ON notes AS RESTRICTIVE FOR SELECT TO postgres USING (shared OR owner = current_user);
CREATE POLICY "Insert own" ON notes FOR INSERT WITH CHECK (owner = current_user);
COMMENT ON POLICY own_notes ON notes IS 'Owners see their notes.';
