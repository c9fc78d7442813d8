CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA billing;
CREATE DOMAIN billing.positive_amount AS numeric(12,2) DEFAULT 0 NOT NULL CONSTRAINT positive_amount_check CHECK (VALUE >= 0);
COMMENT ON DOMAIN billing.positive_amount IS 'Money, never negative.';
CREATE SEQUENCE billing.invoice_no AS integer INCREMENT BY 10 MINVALUE 100 MAXVALUE 100000 START WITH 100 CACHE 5 CYCLE;
COMMENT ON SEQUENCE billing.invoice_no IS 'Invoice numbers.';
CREATE TABLE billing.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number integer NOT NULL DEFAULT nextval('billing.invoice_no'),
    amount billing.positive_amount,
    net numeric(12,2),
    gross numeric(12,2) GENERATED ALWAYS AS (net * 1.2) STORED,
    label text COLLATE "C",
    valid tstzrange NOT NULL,
    room integer NOT NULL,
    CONSTRAINT invoices_no_overlap EXCLUDE USING gist (room WITH =, valid WITH &&)
);
CREATE TABLE billing.measurements (
    id bigserial,
    taken_at timestamptz NOT NULL,
    value double precision,
    PRIMARY KEY (id, taken_at)
) PARTITION BY RANGE (taken_at);
CREATE INDEX measurements_value_idx ON billing.measurements (value);
CREATE TABLE billing.measurements_2025 PARTITION OF billing.measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE billing.measurements_rest PARTITION OF billing.measurements DEFAULT;
CREATE MATERIALIZED VIEW billing.totals AS SELECT room, count(*) AS n FROM billing.invoices GROUP BY room;
CREATE UNIQUE INDEX totals_room_idx ON billing.totals (room);
COMMENT ON MATERIALIZED VIEW billing.totals IS 'Per room.';
COMMENT ON COLUMN billing.totals.n IS 'Net sum.';
