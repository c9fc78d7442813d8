#!/usr/bin/env python3
"""Writes the changes that turn bench/gen_schema.py's N-table schema into its
"next version", for the diff benchmark: columns added, a type widened, an
index dropped and one added, an enum value added, a default and a comment
changed, on a spread of tables (about 4% of them).

    python3 bench/gen_changes.py 5000 > /tmp/changes.sql
"""
import sys

SCHEMAS = ["sales", "billing", "identity", "inventory", "analytics"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    out = sys.stdout.write
    for s in SCHEMAS:
        out(f"ALTER TYPE {s}.status ADD VALUE 'closed' AFTER 'suspended';\n")
    for i in range(0, n, 50):
        table = f"{SCHEMAS[i % len(SCHEMAS)]}.t{i:05d}"
        out(f"ALTER TABLE {table} ADD COLUMN note text;\n")
        out(f"ALTER TABLE {table} ALTER COLUMN code TYPE varchar(80);\n")
        out(f"ALTER TABLE {table} ALTER COLUMN amount SET DEFAULT 1;\n")
        out(f"COMMENT ON TABLE {table} IS 'Changed table {i}';\n")
        out(f"CREATE INDEX t{i:05d}_note_idx ON {table} (note);\n")
    for i in range(1, n, 100):
        table = f"{SCHEMAS[i % len(SCHEMAS)]}.t{i:05d}"
        out(f"DROP INDEX {SCHEMAS[i % len(SCHEMAS)]}.t{i:05d}_created_idx;\n")


if __name__ == "__main__":
    main()
