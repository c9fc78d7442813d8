CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL);
CREATE VIEW product_prices AS SELECT id, name, price FROM products;
CREATE VIEW cheap_products AS SELECT id, name FROM product_prices WHERE price < 10;
CREATE VIEW product_names AS SELECT id, name FROM products;
CREATE MATERIALIZED VIEW product_count AS SELECT count(*) AS n FROM products;
COMMENT ON VIEW product_prices IS 'Prices of products.';
