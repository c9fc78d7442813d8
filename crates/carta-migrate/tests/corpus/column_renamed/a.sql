CREATE TABLE "user" (id integer PRIMARY KEY, mail text NOT NULL, "Display Name" text);
CREATE INDEX user_mail_idx ON "user" (mail);
