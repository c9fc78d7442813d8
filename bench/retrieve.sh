#!/usr/bin/env bash
# Schema retrieval (issue 8): recall of the tables each question of
# crates/carta-retrieve/tests/questions.toml needs, context size, index build
# time and retrieval latency, for the seed systems and the 1,000-table
# synthetic schema, at budgets 2000/4000/8000 tokens, beside the
# table-name keyword baseline. Prints the Markdown table of docs/benchmarks.md.
#
#   bench/retrieve.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
ensure_cargo
ensure_build_deps
echo "Machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
cargo bench --locked --quiet -p carta-retrieve --bench recall
