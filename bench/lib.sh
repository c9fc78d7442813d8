# Sourced by the bench/*.sh scripts: setup, the release build, timing, and
# the synthetic PostgreSQL databases they measure.
#
# After sourcing: the current folder is the repository root, $out is
# bench/out, $carta the release binary, $pg the server URL without a
# database.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
ensure_cargo
ensure_build_deps
ensure_postgres
out=bench/out
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || apt_install time
cargo build --release --locked --quiet --bin carta
carta=target/release/carta
pg=postgres://postgres@127.0.0.1:5432

# run_timed CMD...: runs CMD once, output discarded; prints "seconds peak_mb".
# Returns CMD's exit status (124 when it was stopped by `timeout`).
run_timed() {
    local status=0 secs kb
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || status=$?
    if [ "$status" -ne 0 ]; then
        [ "$status" -eq 124 ] || tail -20 "$out/stderr.txt" >&2
        return "$status"
    fi
    # GNU time prefixes a line when the command was signalled; the figures are last.
    read -r secs kb < <(tail -1 "$out/time.txt")
    echo "$secs $((kb / 1024))"
}

# best_of CMD...: runs 3 times, prints "seconds peak_mb" of the fastest run.
best_of() {
    local best="" best_mem="" secs mb
    for _ in 1 2 3; do
        read -r secs mb < <(run_timed "$@") || return 1
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_mem=$mb; fi
    done
    echo "$best $best_mem"
}

# make_db N: (re)creates database carta_bench_N holding the N-table synthetic
# schema, analyzed, and writes its pg_dump --schema-only to $out/dump_N.sql.
make_db() {
    local n=$1 db="carta_bench_$1"
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    python3 bench/gen_schema.py "$n" >"$out/schema_$n.sql"
    psql -q -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 -f "$out/schema_$n.sql" >/dev/null
    psql -q -h 127.0.0.1 -U postgres -d "$db" -c "ANALYZE" >/dev/null
    pg_dump -s -h 127.0.0.1 -U postgres "$db" >"$out/dump_$n.sql"
}

drop_db() {
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE carta_bench_$1" >/dev/null
}
