CREATE TABLE events (id integer PRIMARY KEY, kind text NOT NULL, at timestamptz NOT NULL, payload jsonb, deleted boolean NOT NULL DEFAULT false);
CREATE INDEX events_kind_idx ON events (kind, at DESC NULLS LAST);
CREATE INDEX events_live_idx ON events (at) WHERE NOT deleted AND kind <> 'debug';
CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops);
CREATE UNIQUE INDEX events_lower_kind_idx ON events (lower(kind) text_pattern_ops, kind COLLATE "C", at) INCLUDE (id) NULLS NOT DISTINCT;
COMMENT ON INDEX events_payload_idx IS 'Payload search.';
