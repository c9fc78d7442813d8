#!/usr/bin/env bash
# Benchmark: `carta serve` under wrk, with the store on SQLite and on
# PostgreSQL. Two endpoints, 10 s each:
# 1. GET /api/v1/me with a session token: the authenticated read path
#    (token lookup, user lookup, JSON), what every API call pays.
# 2. POST /api/v1/auth/login with the right password: dominated by one
#    argon2id verification by design, plus a session and an audit row.
# Prints a Markdown table of requests/s and p99 latency.
#
#   bench/serve.sh                 # 2 threads; 32 connections for reads, 4 for logins
#   THREADS=4 CONNECTIONS=64 LOGIN_CONNECTIONS=8 DURATION=30s bench/serve.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || apt_install curl
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}
# Logins are CPU-bound (argon2): more connections than cores only queue.
login_connections=${LOGIN_CONNECTIONS:-4}
duration=${DURATION:-10s}
addr=127.0.0.1:18080
email=bench@example.com
password=bench-password-123
export RUST_LOG=warn
CARTA_MASTER_KEY=$("$carta" admin gen-key)
export CARTA_MASTER_KEY

cat >"$out/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$email","password":"$password"}'
LUA

server=""
stop_server() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    server=""
}
trap stop_server EXIT

# run_wrk CONNECTIONS ARGS...: prints "requests_per_s p99" from wrk --latency.
run_wrk() {
    local c=$1
    shift
    wrk -t"$threads" -c"$c" -d"$duration" --latency "$@" >"$out/wrk.txt"
    local rps p99
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt")
    echo "$rps $p99"
}

echo "| store | endpoint | requests/s | p99 |"
echo "|---|---|---:|---:|"
for backend in sqlite postgres; do
    case $backend in
        sqlite)
            rm -f "$out"/serve-bench.db*
            store="sqlite://$out/serve-bench.db" ;;
        postgres)
            psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS carta_bench_serve" -c "CREATE DATABASE carta_bench_serve" >/dev/null
            store="$pg/carta_bench_serve" ;;
    esac
    CARTA_ADMIN_PASSWORD=$password "$carta" admin create-user --email "$email" --full-name Bench --admin --store-url "$store" 2>/dev/null
    "$carta" serve --listen "$addr" --store-url "$store" 2>"$out/serve-$backend.log" &
    server=$!
    for _ in $(seq 100); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.1; done
    token=$(curl -fs -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" "http://$addr/api/v1/auth/login" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
    read -r rps p99 < <(run_wrk "$connections" -H "Authorization: Bearer $token" "http://$addr/api/v1/me")
    echo "| $backend | GET /api/v1/me | $rps | $p99 |"
    read -r rps p99 < <(run_wrk "$login_connections" -s "$out/login.lua" "http://$addr/api/v1/auth/login")
    echo "| $backend | POST /api/v1/auth/login | $rps | $p99 |"
    stop_server
done
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS carta_bench_serve" >/dev/null
