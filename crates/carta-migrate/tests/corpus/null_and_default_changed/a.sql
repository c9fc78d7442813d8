CREATE TABLE tasks (id integer PRIMARY KEY, title text, done boolean NOT NULL DEFAULT false, priority integer DEFAULT 1, owner text NOT NULL);
