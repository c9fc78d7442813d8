CREATE TABLE tasks (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL DEFAULT 'untitled', done boolean, priority integer DEFAULT 5, owner text);
