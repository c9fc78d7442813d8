#!/usr/bin/env bash
# Benchmark: `carta doc` on the synthetic schema, live and from DDL, with
# postgresql_autodoc's HTML output timed on the same live database.
#
#   bench/doc.sh                      # sizes 1000 5000
#   PEER_TIMEOUT=1200 bench/doc.sh 5000
#
# carta writes everything it writes by default: Markdown pages, schema.json,
# and every diagram as Mermaid, DOT and SVG. Each run starts from an empty
# output folder (its removal is inside the timing), so no run profits from
# files an earlier one left unchanged. Prints a Markdown table: wall time
# (best of 3) and peak RSS. postgresql_autodoc is timed best of 3 up to
# 1,000 tables; above that it runs once, stopped after PEER_TIMEOUT seconds
# (default 600), and the table says so when it did not finish.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
peer_timeout=${PEER_TIMEOUT:-600}
"$carta" doc --help >/dev/null 2>&1 || { echo "bench/doc.sh: this carta has no doc command" >&2; exit 1; }
command -v postgresql_autodoc >/dev/null || apt_install postgresql-autodoc
# The timed command, with arguments DIR CARTA SOURCE: empty DIR, then document SOURCE into it.
fresh_doc='rm -rf "$1" && exec "$2" doc "$3" -o "$1"'


echo "| tables | carta live (s) | carta live peak (MB) | carta DDL (s) | carta DDL peak (MB) | files written | of them SVG | output (MB) | postgresql_autodoc (s) | postgresql_autodoc peak (MB) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    db="carta_bench_$n"
    make_db "$n"
    live_dir="$out/doc_live_$n"
    read -r l_s l_mb < <(best_of sh -c "$fresh_doc" carta_doc "$live_dir" "$carta" "$pg/$db")
    read -r d_s d_mb < <(best_of sh -c "$fresh_doc" carta_doc "$out/doc_ddl_$n" "$carta" "$out/dump_$n.sql")
    files=$(find "$live_dir" -type f | wc -l)
    svgs=$(find "$live_dir" -type f -name '*.svg' | wc -l)
    size_mb=$(du -sm "$live_dir" | cut -f1)

    peer_dir="$out/autodoc_$n"
    rm -rf "$peer_dir" && mkdir -p "$peer_dir"
    peer=(postgresql_autodoc -d "$db" -h 127.0.0.1 -u postgres -t html -f "$peer_dir/$db")
    if [ "$n" -le 1000 ]; then
        read -r p_s p_mb < <(best_of "${peer[@]}")
    else
        status=0
        result=$(run_timed timeout "$peer_timeout" "${peer[@]}") || status=$?
        case $status in
            0) read -r p_s p_mb <<<"$result" ;;
            124) p_s="did not finish in $peer_timeout s"; p_mb="-" ;;
            *) echo "bench/doc.sh: postgresql_autodoc failed ($status)" >&2; exit 1 ;;
        esac
    fi
    echo "| $n | $l_s | $l_mb | $d_s | $d_mb | $files | $svgs | $size_mb | $p_s | $p_mb |"
    drop_db "$n"
done
