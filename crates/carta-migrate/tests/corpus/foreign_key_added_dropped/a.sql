CREATE TABLE teams (id integer PRIMARY KEY, code text NOT NULL UNIQUE);
CREATE TABLE members (id integer PRIMARY KEY, team_id integer REFERENCES teams (id), team_code text);
