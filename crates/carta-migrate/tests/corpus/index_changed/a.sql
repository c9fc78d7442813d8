CREATE TABLE events (id integer PRIMARY KEY, kind text NOT NULL, at timestamptz NOT NULL, payload jsonb, deleted boolean NOT NULL DEFAULT false);
CREATE INDEX events_kind_idx ON events (kind);
CREATE INDEX events_live_idx ON events (at) WHERE NOT deleted;
CREATE INDEX events_old_idx ON events (id, kind);
