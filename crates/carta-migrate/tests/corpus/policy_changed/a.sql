CREATE TABLE notes (id integer PRIMARY KEY, owner text NOT NULL, body text, shared boolean NOT NULL DEFAULT false);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON notes USING (owner = current_user);
CREATE POLICY shared_notes ON notes FOR SELECT USING (shared);
CREATE POLICY old_policy ON notes FOR DELETE USING (false);
