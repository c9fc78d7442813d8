CREATE TABLE rooms (id integer PRIMARY KEY, code text NOT NULL, floor integer, seats integer);
