CREATE TABLE "user" (id integer PRIMARY KEY, email text NOT NULL, "Display Name" text);
CREATE INDEX user_mail_idx ON "user" (email);
