#!/usr/bin/env bash
# Benchmark: Carta's mock load into PostgreSQL against raw COPY of the same
# rows, Carta's CSV writer, and generating the same rows with Python Faker
# and Mimesis.
#
#   bench/mock.sh                # 1,000,000 users (Python: 100,000)
#   bench/mock.sh 200000 50000   # other sizes: ROWS [PYTHON_ROWS]
#
# The schema is a wide "users"-like table with its constraints in place:
# uuid primary key, unique email, an enum, inet, jsonb, two timestamps with
# a CHECK between them, and a FK to an orgs table (users / 100 rows).
# Measured in one run, each best of 3:
# 1. carta load: the release `carta mock --target` into the empty database,
#    rows/s over both tables, schema reading and generation included.
# 2. raw COPY: the same users rows, exported to CSV, loaded into an empty
#    copy of the table (same indexes, CHECK and FK) with
#    `psql -c "\copy ... from file csv"`; rows/s of the load alone (the rows
#    already exist as a file).
# 3. carta CSV: `carta mock --out DIR --format csv`, the same rows written as
#    files, rows/s over both tables.
# 4. Faker and Mimesis (PyPI, in bench/out/venv): generating the same user
#    rows (uuid, unique email, enum, IPv4, JSON, two ordered timestamps, an
#    org id) and writing them as CSV; rows/s of generation alone, over
#    PYTHON_ROWS rows (default min(ROWS, 100000): Faker makes about 5,000
#    rows/s, and its unique emails get slower as more are taken, so the
#    smaller count flatters Faker, not Carta).
# Prints a Markdown table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rows=${1:-1000000}
py_rows=${2:-$(( rows < 100000 ? rows : 100000 ))}
orgs=$(( rows / 100 > 0 ? rows / 100 : 1 ))
db=carta_bench_mock
url="$pg/$db"
psql_q() { psql -q -X -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@" >/dev/null; }

if [ ! -x "$out/venv/bin/python" ]; then python3 -m venv "$out/venv"; fi
"$out/venv/bin/python" -c "import faker, mimesis" 2>/dev/null ||
    "$out/venv/bin/pip" install -q faker mimesis

schema=$(cat <<'SQL'
CREATE TYPE account_status AS ENUM ('active', 'invited', 'suspended', 'deleted');
CREATE TABLE orgs (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE users (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES orgs (id),
    email varchar(254) NOT NULL UNIQUE,
    full_name text NOT NULL,
    status account_status NOT NULL,
    last_ip inet,
    preferences jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT users_updated_after_created CHECK (updated_at >= created_at)
);
CREATE INDEX users_org_id_idx ON users (org_id);
SQL
)

fresh() {
    psql_q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    psql_q -d "$db" -c "$schema"
}

# rate ROWS SECONDS: rows per second, rounded.
rate() { awk "BEGIN { printf \"%.0f\", $1 / $2 }"; }
# ratio A B: A / B with two decimals.
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
# best3 CMD...: the fastest of three runs, in seconds; runs `reset` before each.
best3() {
    local best="" secs
    for _ in 1 2 3; do
        reset
        read -r secs _ < <(run_timed "$@")
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
    done
    echo "$best"
}

# 1. Carta: generate and load.
reset() { fresh; }
carta_secs=$(best3 "$carta" mock --target "$url" --rows "$orgs" --table "public.users=$rows")
loaded=$(psql -X -A -t -h 127.0.0.1 -U postgres -d "$db" -c "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM orgs)")
carta_rate=$(rate "$loaded" "$carta_secs")

# 2. Raw COPY of the same rows from CSV into an empty copy of the table.
csv="$(pwd)/$out/mock_users.csv"
psql_q -d "$db" -c "\\copy users to '$csv' csv"
reset() {
    psql_q -d "$db" -c "DROP TABLE IF EXISTS users_copy" \
        -c "CREATE TABLE users_copy (LIKE users INCLUDING ALL); ALTER TABLE users_copy ADD FOREIGN KEY (org_id) REFERENCES orgs (id)"
}
copy_secs=$(best3 psql -q -X -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 -c "\\copy users_copy from '$csv' csv")
copy_rate=$(rate "$rows" "$copy_secs")

# 3. Carta writing the same rows as CSV files.
csv_dir="$out/mock_csv"
psql_q -d "$db" -c "DROP TABLE users_copy"
reset() { rm -rf "$csv_dir"; }
csv_secs=$(best3 "$carta" mock "$url" --out "$csv_dir" --format csv --rows "$orgs" --table "public.users=$rows")
csv_rate=$(rate "$loaded" "$csv_secs")

# 3. Python generators writing the same rows as CSV.
cat >"$out/mock_python.py" <<'PY'
"""Generates ROWS user rows like the benchmark table with Faker or Mimesis and writes CSV."""
import csv, json, random, sys, uuid, datetime

library, rows, orgs, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
statuses = ["active", "invited", "suspended", "deleted"]
org_ids = [str(uuid.uuid4()) for _ in range(orgs)]
start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
if library == "faker":
    from faker import Faker
    fake = Faker()
    email, name, ip = (lambda: fake.unique.email()), fake.name, fake.ipv4
else:
    from mimesis import Person, Internet
    person, internet = Person(), Internet()
    seen = set()
    def email():
        # Mimesis has no uniqueness helper: retry on a repeat, as a loader must.
        while True:
            e = person.email()
            if e not in seen:
                seen.add(e)
                return e
    name, ip = person.full_name, internet.ip_v4
with open(path, "w", newline="") as f:
    out = csv.writer(f)
    for _ in range(rows):
        created = start + datetime.timedelta(seconds=random.randrange(150_000_000))
        updated = created + datetime.timedelta(seconds=random.randrange(10_000_000))
        out.writerow([
            uuid.uuid4(), random.choice(org_ids), email(), name(), random.choice(statuses),
            ip(), json.dumps({"theme": random.choice(["dark", "light"]), "digest": random.random() < 0.5}),
            created.isoformat(), updated.isoformat(),
        ])
PY
reset() { :; }
faker_secs=$(best3 "$out/venv/bin/python" "$out/mock_python.py" faker "$py_rows" "$orgs" "$out/mock_faker.csv")
mimesis_secs=$(best3 "$out/venv/bin/python" "$out/mock_python.py" mimesis "$py_rows" "$orgs" "$out/mock_mimesis.csv")
faker_rate=$(rate "$py_rows" "$faker_secs")
mimesis_rate=$(rate "$py_rows" "$mimesis_secs")

echo "### Mock data: $rows users, $orgs orgs"
echo
echo "| tool | what is measured | seconds | rows/s |"
echo "|---|---|---:|---:|"
echo "| carta mock --target | generate and load into PostgreSQL, constraints on, one transaction ($loaded rows) | $carta_secs | $carta_rate |"
echo "| psql \\copy from CSV | load pre-generated rows ($rows users) into the same table shape | $copy_secs | $copy_rate |"
echo "| carta mock --out --format csv | generate and write CSV files ($loaded rows) | $csv_secs | $csv_rate |"
echo "| Python Faker | generate $py_rows users to CSV (no load) | $faker_secs | $faker_rate |"
echo "| Python Mimesis | generate $py_rows users to CSV (no load) | $mimesis_secs | $mimesis_rate |"
echo
echo "| carta load / raw COPY | carta load / Faker | carta CSV / Faker | carta CSV / Mimesis |"
echo "|---:|---:|---:|---:|"
echo "| $(ratio "$carta_rate" "$copy_rate") | $(ratio "$carta_rate" "$faker_rate") | $(ratio "$csv_rate" "$faker_rate") | $(ratio "$csv_rate" "$mimesis_rate") |"
psql_q -c "DROP DATABASE $db"
rm -rf "$csv" "$csv_dir" "$out/mock_faker.csv" "$out/mock_mimesis.csv"
