#!/usr/bin/env bash
# Benchmark: live PostgreSQL introspection and the DDL reader, side by side
# with schemainspect, on synthetic schemas of 1,000 and 5,000 tables.
#
#   bench/introspect.sh            # sizes 1000 5000
#   bench/introspect.sh 200        # other sizes
#
# Prints a Markdown table: wall time (best of 3) and peak RSS for each tool,
# and the DDL reader's throughput. Needs the local PostgreSQL that
# scripts/test sets up; installs schemainspect into bench/out/venv.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
if [ ! -x "$out/venv/bin/python" ]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install -q schemainspect psycopg2-binary 'sqlalchemy<2'
fi
echo "| tables | carta live (s) | carta live peak (MB) | schemainspect (s) | schemainspect peak (MB) | speed-up | DDL dump (MB) | carta DDL (s) | DDL MB/s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    db="carta_bench_$n"
    make_db "$n"
    read -r c_s c_mb < <(best_of "$carta" inspect --json "$pg/$db")
    read -r p_s p_mb < <(best_of "$out/venv/bin/python" bench/schemainspect_peer.py "postgresql+psycopg2://postgres@127.0.0.1:5432/$db")
    read -r d_s _ < <(best_of "$carta" inspect --json "$out/dump_$n.sql")
    dump_mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$out/dump_$n.sql") / 1048576}")
    speedup=$(awk "BEGIN{printf \"%.1fx\", $p_s / ($c_s > 0 ? $c_s : 0.01)}")
    mbps=$(awk "BEGIN{printf \"%.1f\", $dump_mb / ($d_s > 0 ? $d_s : 0.01)}")
    echo "| $n | $c_s | $c_mb | $p_s | $p_mb | $speedup | $dump_mb | $d_s | $mbps |"
    drop_db "$n"
done
