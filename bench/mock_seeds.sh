#!/usr/bin/env bash
# The seed systems filled: each seed schema (examples/seeds/00N_*.sql) is
# applied to a fresh PostgreSQL database, with every constraint, index and
# RLS policy in place, and filled by the release `carta mock --target` with
# ROWS rows per table. Then SQL checks, per seed: every table holds ROWS
# rows, and every foreign key's non-NULL values have their parent row.
#
#   bench/mock_seeds.sh          # 10,000 rows per table
#   bench/mock_seeds.sh 1000     # another size
#
# Prints a Markdown table of seed, tables, rows, seconds (the load, schema
# reading included), tables off the count, and orphaned foreign key values.
# Exits non-zero when any check fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rows=${1:-10000}
db=carta_bench_seeds
url="$pg/$db"
psql_q() { psql -q -X -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@" >/dev/null; }
psql_rows() { psql -q -X -A -t -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# One `SELECT name, count(*)` per table (partitions counted through their parent).
counts_sql=$(cat <<'SQL'
SELECT format('SELECT %L, count(*) FROM %s', c.oid::regclass, c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1
\gexec
SQL
)
# One query per foreign key: child rows whose key is fully set but has no parent row.
orphans_sql=$(cat <<'SQL'
SELECT format(
    'SELECT %L, count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',
    con.conname, con.conrelid::regclass,
    string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND '),
    con.confrelid::regclass,
    string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND '))
FROM pg_constraint con
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) AS k(child, parent)
JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.child
JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.parent
WHERE con.contype = 'f'
GROUP BY con.oid, con.conname, con.conrelid, con.confrelid
ORDER BY 1
\gexec
SQL
)

failed=0
echo "### Seeds filled: $rows rows per table"
echo
echo "| seed | tables | rows | seconds | tables off the count | foreign keys | orphaned FK values |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for seed in examples/seeds/00[0-9]_*.sql; do
    psql_q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    psql_q -d "$db" -f "$seed"
    if ! read -r secs _ < <(run_timed "$carta" mock --target "$url" --rows "$rows"); then
        echo "| $(basename "$seed" .sql) | load failed: $(tail -1 "$out/stderr.txt") | | | | | |"
        failed=1
        continue
    fi
    counts=$(psql_rows <<<"$counts_sql")
    tables=$(grep -c . <<<"$counts")
    total=$(awk -F'|' '{ s += $2 } END { print s + 0 }' <<<"$counts")
    off=$(awk -F'|' -v want="$rows" '$2 != want' <<<"$counts" | grep -c . || true)
    orphans=$(psql_rows <<<"$orphans_sql")
    fks=$(grep -c . <<<"$orphans" || true)
    orphaned=$(awk -F'|' '{ s += $2 } END { print s + 0 }' <<<"$orphans")
    echo "| $(basename "$seed" .sql) | $tables | $total | $secs | $off | $fks | $orphaned |"
    if [ "$off" -ne 0 ] || [ "$orphaned" -ne 0 ]; then failed=1; fi
done
psql_q -c "DROP DATABASE IF EXISTS $db"
exit "$failed"
