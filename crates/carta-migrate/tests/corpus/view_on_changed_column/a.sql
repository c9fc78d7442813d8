CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price integer NOT NULL, notes text);
CREATE VIEW product_prices AS SELECT id, name, price FROM products;
CREATE VIEW cheap_products AS SELECT id, name FROM product_prices WHERE price < 10;
CREATE VIEW product_names AS SELECT id, name FROM products;
COMMENT ON VIEW product_prices IS 'Prices of products.';
