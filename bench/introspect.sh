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
cd "$(dirname "$0")/.."
. scripts/setup.sh
ensure_cargo
ensure_build_deps
ensure_postgres
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
out=bench/out
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || apt_install time
if [ ! -x "$out/venv/bin/python" ]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install -q schemainspect psycopg2-binary 'sqlalchemy<2'
fi
cargo build --release --locked --quiet --bin carta
carta=target/release/carta
pg=postgres://postgres@127.0.0.1:5432

# best_of CMD...: runs 3 times, prints "seconds peak_mb" of the fastest run.
best_of() {
    local best="" best_mem=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || {
            cat "$out/stderr.txt" >&2; return 1; }
        read -r secs kb <"$out/time.txt"
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_mem=$((kb / 1024)); fi
    done
    echo "$best $best_mem"
}

echo "| tables | carta live (s) | carta live peak (MB) | schemainspect (s) | schemainspect peak (MB) | speed-up | DDL dump (MB) | carta DDL (s) | DDL MB/s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    db="carta_bench_$n"
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    python3 bench/gen_schema.py "$n" >"$out/schema_$n.sql"
    psql -q -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 -f "$out/schema_$n.sql" >/dev/null
    psql -q -h 127.0.0.1 -U postgres -d "$db" -c "ANALYZE" >/dev/null
    pg_dump -s -h 127.0.0.1 -U postgres "$db" >"$out/dump_$n.sql"
    read -r c_s c_mb < <(best_of "$carta" inspect --json "$pg/$db")
    read -r p_s p_mb < <(best_of "$out/venv/bin/python" bench/schemainspect_peer.py "postgresql+psycopg2://postgres@127.0.0.1:5432/$db")
    read -r d_s _ < <(best_of "$carta" inspect --json "$out/dump_$n.sql")
    dump_mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$out/dump_$n.sql") / 1048576}")
    speedup=$(awk "BEGIN{printf \"%.1fx\", $p_s / ($c_s > 0 ? $c_s : 0.01)}")
    mbps=$(awk "BEGIN{printf \"%.1f\", $dump_mb / ($d_s > 0 ? $d_s : 0.01)}")
    echo "| $n | $c_s | $c_mb | $p_s | $p_mb | $speedup | $dump_mb | $d_s | $mbps |"
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db" >/dev/null
done
