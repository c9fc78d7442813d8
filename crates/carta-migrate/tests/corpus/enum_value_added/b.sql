CREATE SCHEMA shop;
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped', 'returned');
CREATE TYPE mood AS ENUM ('calm', 'sad', 'happy');
CREATE TABLE shop.orders (id integer PRIMARY KEY, status shop.status NOT NULL DEFAULT 'new', mood mood);
