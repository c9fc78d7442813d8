CREATE TABLE rooms (
    id integer PRIMARY KEY,
    code text NOT NULL,
    floor integer,
    seats integer,
    CONSTRAINT rooms_code_key UNIQUE (code),
    CONSTRAINT rooms_floor_seats_key UNIQUE NULLS NOT DISTINCT (floor, seats),
    CONSTRAINT rooms_seats_check CHECK (seats BETWEEN 1 AND 500)
);
COMMENT ON CONSTRAINT rooms_seats_check ON rooms IS 'Fire code.';
