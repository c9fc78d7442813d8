CREATE TABLE teams (id integer PRIMARY KEY, code text NOT NULL UNIQUE);
CREATE TABLE members (
    id integer PRIMARY KEY,
    team_id integer,
    team_code text,
    CONSTRAINT members_team_code_fkey FOREIGN KEY (team_code) REFERENCES teams (code)
        MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);
