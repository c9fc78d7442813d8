#!/usr/bin/env bash
# Benchmark and comparison: `carta diff --sql` against migra, on the same
# pairs of live PostgreSQL databases.
#
#   bench/diff.sh            # corpus comparison, then timing at 5,000 tables
#   bench/diff.sh 1000       # other sizes for the timing part
#
# 1. Every change pair of crates/carta-migrate/tests/corpus/NAME/{a,b}.sql:
#    databases A and B are created from the two files; each tool writes the
#    SQL that turns A into B; the SQL is applied to a fresh copy of A; then
#    the copy is compared with B by both tools. Printed per pair: whether the
#    tool saw a difference, whether its SQL applied cleanly, and whether the
#    result equals B (carta's check / migra's check).
# 2. Time (best of 3) and peak memory of both tools on a pair of N-table
#    schemas: bench/gen_schema.py N, and the same with bench/gen_changes.py N.
#
# Installs migra into bench/out/venv.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000)
if [ ! -x "$out/venv/bin/migra" ]; then
    [ -x "$out/venv/bin/python" ] || python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install -q migra schemainspect psycopg2-binary 'sqlalchemy<2'
fi
migra="$out/venv/bin/migra"
psql_q() { psql -q -X -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@" >/dev/null 2>>"$out/psql.log"; }
fresh_db() { psql_q -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 ${2:+TEMPLATE $2}"; }
sa() { echo "postgresql://postgres@127.0.0.1:5432/$1"; }

# same_as_b DB: "yes" when both tools find DB equal to bench_b; carta's
# report of what is left goes to $out/left_DB_PAIR.txt.
same_as_b() {
    local c m
    "$carta" diff "$pg/$1" "$pg/bench_b" >"$out/left_$1_$name.txt" 2>&1 && c=yes || c=no
    "$migra" --unsafe "$(sa "$1")" "$(sa bench_b)" >/dev/null 2>&1 && m=yes || m=no
    echo "$c/$m"
}

# try_tool NAME SQLFILE: applies SQLFILE to a copy of bench_a; prints "applies result".
try_tool() {
    fresh_db "bench_$1" bench_a
    if psql_q -d "bench_$1" -1 -f "$2"; then
        echo "yes $(same_as_b "bench_$1")"
    else
        echo "no -"
    fi
}

echo "### Change pairs (crates/carta-migrate/tests/corpus)"
echo
echo "| pair | carta: diff found | carta: SQL applies | carta: result = B (carta/migra check) | migra: diff found | migra: SQL applies | migra: result = B (carta/migra check) |"
echo "|---|---|---|---|---|---|---|"
for dir in crates/carta-migrate/tests/corpus/*/; do
    name=$(basename "$dir")
    fresh_db bench_a; fresh_db bench_b
    psql_q -d bench_a -f "$dir/a.sql"
    psql_q -d bench_b -f "$dir/b.sql"
    status=0; "$carta" diff "$pg/bench_a" "$pg/bench_b" --sql >"$out/carta.sql" 2>"$out/carta.err" || status=$?
    case $status in 0) c_found=no ;; 1) c_found=yes ;; *) c_found="error" ;; esac
    read -r c_applies c_result < <(try_tool carta "$out/carta.sql")
    status=0; "$migra" --unsafe "$(sa bench_a)" "$(sa bench_b)" >"$out/migra.sql" 2>"$out/migra.err" || status=$?
    case $status in 0) m_found=no ;; 2) m_found=yes ;; *) m_found="error" ;; esac
    read -r m_applies m_result < <(try_tool migra "$out/migra.sql")
    echo "| $name | $c_found | $c_applies | $c_result | $m_found | $m_applies | $m_result |"
done
for db in bench_a bench_b bench_carta bench_migra; do psql_q -c "DROP DATABASE IF EXISTS $db"; done

# A diff that finds differences exits 1 (carta) or 2 (migra); both are success here.
differs=(sh -c 's=0; "$@" || s=$?; [ "$s" -le 2 ]' differs)

echo
echo "### Time on large schemas (both live; best of 3)"
echo
echo "| tables | carta diff (s) | carta peak (MB) | carta diff --sql (s) | migra (s) | migra peak (MB) | speed-up (--sql vs migra) |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    make_db "$n"
    python3 bench/gen_changes.py "$n" >"$out/changes_$n.sql"
    fresh_db "carta_bench_${n}_b" "carta_bench_$n"
    psql_q -d "carta_bench_${n}_b" -f "$out/changes_$n.sql"
    a="carta_bench_$n"; b="carta_bench_${n}_b"
    read -r d_s d_mb < <(best_of "${differs[@]}" "$carta" diff "$pg/$a" "$pg/$b")
    read -r s_s _ < <(best_of "${differs[@]}" "$carta" diff --sql "$pg/$a" "$pg/$b")
    read -r m_s m_mb < <(best_of "${differs[@]}" "$migra" --unsafe "$(sa "$a")" "$(sa "$b")")
    speedup=$(awk "BEGIN{printf \"%.1fx\", $m_s / ($s_s > 0 ? $s_s : 0.01)}")
    echo "| $n | $d_s | $d_mb | $s_s | $m_s | $m_mb | $speedup |"
    psql_q -c "DROP DATABASE $b"
    drop_db "$n"
done
